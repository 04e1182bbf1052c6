"""Change the loaded model's costs, coefficients and right-hand sides in HiGHS, for re-solves without a rebuild.

A ``ModelEditor`` sits on a ``SolverSession`` whose model was built *elastic* (with shortfall
columns): ``strict(True)`` fixes every shortfall at 0, which is the strict model; ``strict(False)``
frees them again for the elastic fallback. ``apply`` writes one sample's multipliers
(``planner.model.sampler.SampleFigures``) into HiGHS, always relative to the built (central) model,
so year-dependent figures (measure_years.csv), areas and indicators keep their shape:

- objective of x_{m,tau}: k^c_m C_{m,tau} + k^o_m O_{m,tau} - k^e E_{m,tau} - k^g G_{m,tau}, with
  C = c_{m,tau} CRF_m D(tau..end) the capex annuity, O = sum_{t in life} d_t o_{m,t} the opex,
  E and G the same sums of the electricity and gas value (as ``planner.model.build._add_objective``),
  by ``changeColsCost``;
- budget rows: each x entry's coefficient (capex) times k^c_m (``changeCoeff`` where it changed);
- target rows: each x entry's coefficient (a rate e_{m,s,t}) times k^s_m for the row's subject s;
- target rows' lower bounds: the built bound plus (R'_k - R_k) (``changeRowsBounds``).

``restart`` puts HiGHS back in the same state before every sample (solver data cleared, the
central basis set for an LP, time limit = run time so far + the limit for this solve), so a
sample's result does not depend on which samples the same object solved before it.
"""

from __future__ import annotations

import numpy as np

from planner.io.schema import WAN_YUAN_PER_MWH_AT_ONE_YUAN_PER_KWH
from planner.model.finance import capex_annuity_sum, capital_recovery_factor, discount_factors
from planner.model.sampler import SampleFigures
from planner.solve.session import SolverSession

INF = float("inf")


def use_one_thread(session: SolverSession) -> None:
    """HiGHS with threads = 1 (one worker per core). HiGHS refuses a thread count that differs from its
    process-wide scheduler once that has started (run() returns an error), so the scheduler is reset
    first; no other HiGHS object may be running in this process at that moment."""
    import highspy

    highspy.Highs.resetGlobalScheduler(True)
    session.highs.setOptionValue("threads", 1)


class ModelEditor:
    def __init__(self, session: SolverSession):
        planning = session.planning
        compiled = session.compiled
        self.session = session
        self.highs = session.highs
        self.planning = planning
        data = planning.data
        n_measures, n_years = len(data.measures), len(planning.years)
        # x_{m,tau} columns, measure-major (the units_added block's key order).
        block = compiled.column_slice("units_added")
        self.x_columns = np.arange(block.start, block.stop, dtype=np.int32)
        assert len(self.x_columns) == n_measures * n_years
        measure_of_column = np.full(compiled.n_cols, -1, dtype=np.int64)
        measure_of_column[self.x_columns] = np.repeat(np.arange(n_measures), n_years)
        self.set_discount_rate(data.spec.discount_rate)

        def entries(block: str) -> tuple[np.ndarray, ...]:
            """(row, column, measure, key position, value) of the x entries of a row block."""
            rows = compiled.rows_of(block)
            parts = [[], [], [], [], []]
            for position, (key, row) in enumerate(rows.items()):
                start, stop = compiled.row_start[row], compiled.row_start[row + 1]
                cols = compiled.col_index[start:stop]
                owner = measure_of_column[cols]
                keep = owner >= 0
                for part, values in zip(parts, (np.full(int(keep.sum()), row), cols[keep], owner[keep],
                                                np.full(int(keep.sum()), position), compiled.value[start:stop][keep])):
                    part.append(values)
            if not parts[0]:
                return tuple(np.zeros(0, dtype=np.int64) for _ in range(4)) + (np.zeros(0),)
            return tuple(np.concatenate(part) for part in parts)

        budget_parts = [entries(name) for name in compiled.row_blocks if name.startswith("budget_")]
        budget_parts = [part for part in budget_parts if len(part[0])] or [entries("budget_limit")]
        self.budget_row, self.budget_col, self.budget_measure, _, self.budget_base = (
            np.concatenate([part[j] for part in budget_parts]) for j in range(5))
        target_rows = compiled.rows_of("target_row")
        self.target_rows = np.array(list(target_rows.values()), dtype=np.int32)
        self.target_lower_base = compiled.row_lower[self.target_rows].copy() if len(self.target_rows) else np.zeros(0)
        self.required_base = np.asarray(planning.required_abatement_t, dtype=float)
        self.target_row, self.target_col, self.target_measure, self.target_key, self.target_base = entries("target_row")
        subjects = data.subjects
        subject_of_target = np.array([subjects.index(t.pollutant) for t in data.targets], dtype=np.int64)
        self.target_subject = subject_of_target[self.target_key] if len(self.target_key) else self.target_key
        self.budget_now = self.budget_base.copy()
        self.target_now = self.target_base.copy()
        shortfall = [np.arange(b.start, b.stop) for b in (compiled.column_slice("target_shortfall_t"),
                                                          compiled.column_slice("deployment_shortfall_units"))]
        self.shortfall_columns = np.concatenate(shortfall).astype(np.int32)
        self.basis = None

    def set_discount_rate(self, rate: float) -> None:
        """The objective's parts C, O, E, G per x column at discount rate r (the next ``apply`` uses them):
        CRF(r, L) = r (1+r)^L / ((1+r)^L - 1), d_t = (1+r)^-(t-t0), life = tau .. min(tau+L_m, end+1)-1."""
        planning = self.planning
        data = planning.data
        ext = data.extensions
        measures = data.measures
        n_measures, n_years = len(measures), len(planning.years)
        discount = discount_factors(rate, planning.years, data.spec.start_year)
        crf = capital_recovery_factor(rate, measures.lifetime_yr)
        tau = np.arange(n_years)[None, :]
        rows = np.arange(n_measures)[:, None]
        end = np.minimum(tau + measures.lifetime_yr[:, None], n_years)

        def life_sum(per_year: np.ndarray) -> np.ndarray:
            cumulative = np.concatenate([np.zeros((n_measures, 1)), np.cumsum(per_year * discount[None, :], axis=1)],
                                        axis=1)
            return cumulative[rows, end] - cumulative[rows, tau]

        spec = data.spec
        ones = np.ones((n_measures, n_years))
        electricity = WAN_YUAN_PER_MWH_AT_ONE_YUAN_PER_KWH * spec.electricity_yuan_per_kwh * _or_zeros(
            measures.electricity_mwh_per_yr, n_measures)
        gas = WAN_YUAN_PER_MWH_AT_ONE_YUAN_PER_KWH * spec.gas_yuan_per_m3 * _or_zeros(measures.gas_km3_per_yr, n_measures)
        parts = {
            "capex": ext.capex_wan_yuan * crf[:, None] * capex_annuity_sum(spec.end_effects, rate, discount,
                                                                           measures.lifetime_yr),
            "opex": life_sum(ext.opex_wan_yuan_per_yr),
            "electricity": life_sum(electricity[:, None] * ones),
            "gas": life_sum(gas[:, None] * ones),
        }
        closed = tau < planning.first_year_pos[:, None]
        self.cost_parts = {name: np.where(closed, 0.0, part).ravel() for name, part in parts.items()}

    def x_cost(self, figures: SampleFigures) -> np.ndarray:
        """Objective coefficient of every x column (measure-major) under the figures' multipliers."""
        n_years = len(self.planning.years)
        parts = self.cost_parts
        return (np.repeat(figures.capex, n_years) * parts["capex"] + np.repeat(figures.opex, n_years) * parts["opex"]
                - figures.electricity * parts["electricity"] - figures.gas * parts["gas"])

    def target_values(self, figures: SampleFigures) -> np.ndarray:
        return self.target_base * figures.rate[self.target_measure, self.target_subject]

    def target_lower(self, figures: SampleFigures) -> np.ndarray:
        """Built lower bounds shifted by the change in requirement (history terms kept; -inf stays -inf)."""
        return self.target_lower_base + (np.asarray(figures.required_abatement_t, dtype=float) - self.required_base)

    def target_activity(self, figures: SampleFigures, x: np.ndarray) -> np.ndarray:
        """Left-hand side of every target row (x terms only) for a column vector x under the figures."""
        return np.bincount(self.target_key, weights=self.target_values(figures) * x[self.target_col],
                           minlength=len(self.target_rows))

    @property
    def can_be_strict(self) -> bool:
        return self.planning.options.elastic

    def strict(self, on: bool) -> None:
        """Shortfall columns fixed at 0 (strict targets) or free (elastic)."""
        columns = self.shortfall_columns
        if len(columns):
            upper = np.zeros(len(columns)) if on else np.full(len(columns), INF)
            self.highs.changeColsBounds(len(columns), columns, np.zeros(len(columns)), upper)

    def apply(self, figures: SampleFigures) -> None:
        """Write one sample's multipliers into HiGHS (relative to the built model)."""
        self.highs.changeColsCost(len(self.x_columns), self.x_columns, self.x_cost(figures))
        self._change(self.budget_row, self.budget_col, self.budget_base * figures.capex[self.budget_measure],
                     self.budget_now)
        self._change(self.target_row, self.target_col, self.target_values(figures), self.target_now)
        rows = self.target_rows
        if len(rows):
            self.highs.changeRowsBounds(len(rows), rows, self.target_lower(figures), np.full(len(rows), INF))

    def _change(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, now: np.ndarray) -> None:
        for j in np.flatnonzero(values != now):
            self.highs.changeCoeff(int(rows[j]), int(cols[j]), float(values[j]))
        now[:] = values

    def remember_basis(self) -> None:
        """Keep the current (central) basis; LPs restart from it (a MIP has none to keep)."""
        if not self.session.is_mip:
            self.basis = self.highs.getBasis()

    def restart(self, time_limit_s: float) -> None:
        """Same solver state before every solve: cleared, central basis, a fresh time limit.

        HiGHS counts an object's total run time against ``time_limit``, so the limit is set to the
        run time so far plus the time this solve may take.
        """
        self.highs.clearSolver()
        if self.basis is not None:
            self.highs.setBasis(self.basis)
        self.highs.setOptionValue("time_limit", float(self.highs.getRunTime() + time_limit_s))


    # --- scenario rows (robust plans) ------------------------------------------------------------

    def add_target_rows(self, scenarios: list[SampleFigures]) -> np.ndarray:
        """Append one copy of every target row per scenario s, with its coefficients and bound:
        sum_{m,tau} e_{m,s_k,t} k^s_m x_{m,tau} >= R^s_k (no shortfall column: strict).
        Returns the new rows' positions (scenario-major, then target)."""
        first = self.highs.getNumRow()
        n_targets = len(self.target_rows)
        counts = np.bincount(self.target_key, minlength=n_targets)  # entries are grouped by target, in order
        starts_one = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        lower, starts, index, value = [], [], [], []
        offset = 0
        for figures in scenarios:
            lower.append(self.target_lower(figures))
            starts.append(starts_one + offset)
            index.append(self.target_col)
            value.append(self.target_values(figures))
            offset += len(self.target_col)
        n_new = len(scenarios) * n_targets
        if n_new == 0:
            return np.zeros(0, dtype=np.int32)
        self.highs.addRows(n_new, np.concatenate(lower), np.full(n_new, INF), offset,
                           np.concatenate(starts).astype(np.int32), np.concatenate(index).astype(np.int32),
                           np.concatenate(value).astype(float))
        return np.arange(first, first + n_new, dtype=np.int32)

    def delete_rows(self, rows: np.ndarray) -> None:
        if len(rows):
            self.highs.deleteRows(len(rows), np.asarray(rows, dtype=np.int32))

    # --- objective weights and extra rows (alternatives, sensitivity) ----------------------------

    def objective_row(self) -> tuple[np.ndarray, np.ndarray, float]:
        """The central objective as (columns, coefficients, offset): total cost = c . x + offset."""
        compiled = self.session.compiled
        columns = np.flatnonzero(compiled.col_cost).astype(np.int32)
        return columns, compiled.col_cost[columns].astype(float), float(compiled.offset)

    def add_row(self, columns: np.ndarray, values: np.ndarray, lower: float, upper: float) -> int:
        """Append one row lower <= sum values_j x_{columns_j} <= upper; returns its position."""
        row = self.highs.getNumRow()
        self.highs.addRow(float(lower), float(upper), len(columns), np.asarray(columns, dtype=np.int32),
                          np.asarray(values, dtype=float))
        return row

    def set_objective(self, costs: np.ndarray) -> None:
        """Replace every column's objective coefficient (length: all columns)."""
        n = len(costs)
        self.highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(costs, dtype=float))

    def measure_columns(self, measure: int) -> np.ndarray:
        n_years = len(self.planning.years)
        return self.x_columns[measure * n_years:(measure + 1) * n_years]


def _or_zeros(values, n: int) -> np.ndarray:
    return np.zeros(n) if values is None else np.asarray(values, dtype=float)

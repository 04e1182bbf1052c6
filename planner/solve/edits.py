"""Change the loaded model's costs, coefficients and right-hand sides in HiGHS, for re-solves without a rebuild.

A ``ModelEditor`` sits on a ``SolverSession`` whose model was built *elastic* (with shortfall
columns): ``strict(True)`` fixes every shortfall at 0, which is the strict model; ``strict(False)``
frees them again for the elastic fallback. ``apply`` writes one sample's figures into HiGHS:

- objective of x_{m,tau}: (c'_m CRF_m + o'_m) * sum_{t=tau}^{min(tau+L_m, end+1)-1} (1+r)^-(t-t0)
  (the same window as ``planner.model.build._add_objective``), by ``changeColsCost``;
- budget rows: the coefficient of x_{m,t} is c'_m (``changeCoeff`` for the entries that changed);
- target rows: the coefficient of x_{m,tau} in target k on pollutant p is e'_{m,p};
- target rows' lower bounds: R'_k (``changeRowsBounds``).

``restart`` puts HiGHS back in the same state before every sample (solver data cleared, the
central basis set for an LP, time limit = run time so far + the limit for this solve), so a
sample's result does not depend on which samples the same object solved before it.
"""

from __future__ import annotations

import numpy as np

from planner.io.schema import POLLUTANTS
from planner.model.finance import capital_recovery_factor, discount_factors, in_horizon_annuity_sum
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
        measures = planning.data.measures
        n_measures, n_years = len(measures), len(planning.years)
        # x_{m,tau} columns, measure-major (as planning.added_vars).
        units_added = compiled.column_slice("units_added")
        self.x_columns = np.arange(units_added.start, units_added.stop, dtype=np.int32)
        measure_of_column = np.full(compiled.n_cols, -1, dtype=np.int64)
        measure_of_column[self.x_columns] = np.repeat(np.arange(n_measures), n_years)
        self.discount_window = self._window(planning.discount_factor)  # per x column, measure-major
        self.crf = planning.crf

        def entries(block: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
            """(row, column, measure, key position) of the x entries of a row block."""
            rows = compiled.rows_of(block)
            out_row, out_col, out_measure, out_key = [], [], [], []
            for position, (key, row) in enumerate(rows.items()):
                start, stop = compiled.row_start[row], compiled.row_start[row + 1]
                cols = compiled.col_index[start:stop]
                owner = measure_of_column[cols]
                keep = owner >= 0
                out_row.append(np.full(int(keep.sum()), row))
                out_col.append(cols[keep])
                out_measure.append(owner[keep])
                out_key.append(np.full(int(keep.sum()), position))
            if not out_row:
                empty = np.zeros(0, dtype=np.int64)
                return empty, empty, empty, empty
            return tuple(np.concatenate(part).astype(np.int64) for part in (out_row, out_col, out_measure, out_key))

        budget_parts = [entries("budget_limit"), entries("budget_total_limit")]
        self.budget_row, self.budget_col, self.budget_measure, _ = (
            np.concatenate([part[j] for part in budget_parts]) for j in range(4))
        self.target_rows = np.array(list(compiled.rows_of("target_row").values()), dtype=np.int32)
        self.target_row, self.target_col, self.target_measure, target_key = entries("target_row")
        pollutant_of_target = np.array([POLLUTANTS.index(t.pollutant) for t in planning.data.targets], dtype=np.int64)
        self.target_pollutant = pollutant_of_target[target_key] if len(target_key) else target_key
        self.budget_now = self._matrix_values(compiled, self.budget_row, self.budget_col)
        self.target_now = self._matrix_values(compiled, self.target_row, self.target_col)
        shortfall = []
        for name in ("target_shortfall_t", "deployment_shortfall_units"):
            block = compiled.column_slice(name)
            shortfall.extend(range(block.start, block.stop))
        self.shortfall_columns = np.array(shortfall, dtype=np.int32)
        self.basis = None

    @staticmethod
    def _matrix_values(compiled, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        values = np.empty(len(rows))
        for j, (row, col) in enumerate(zip(rows, cols)):
            start, stop = compiled.row_start[row], compiled.row_start[row + 1]
            where = np.flatnonzero(compiled.col_index[start:stop] == col)[0]
            values[j] = compiled.value[start + where]
        return values

    @property
    def can_be_strict(self) -> bool:
        return self.planning.options.elastic

    def strict(self, on: bool) -> None:
        """Shortfall columns fixed at 0 (strict targets) or free (elastic)."""
        columns = self.shortfall_columns
        if len(columns):
            upper = np.zeros(len(columns)) if on else np.full(len(columns), INF)
            self.highs.changeColsBounds(len(columns), columns, np.zeros(len(columns)), upper)

    def apply(self, capex_wan_yuan: np.ndarray, opex_wan_yuan_per_yr: np.ndarray, abatement_t_per_yr: np.ndarray,
              required_abatement_t: np.ndarray) -> None:
        """Write one set of figures (per measure; per target for the requirements) into HiGHS."""
        annual = capex_wan_yuan * self.crf + opex_wan_yuan_per_yr
        n_years = len(self.planning.years)
        cost = np.repeat(annual, n_years) * self.discount_window
        self.highs.changeColsCost(len(self.x_columns), self.x_columns, cost)
        self._change(self.budget_row, self.budget_col, capex_wan_yuan[self.budget_measure], self.budget_now)
        self._change(self.target_row, self.target_col,
                     abatement_t_per_yr[self.target_measure, self.target_pollutant], self.target_now)
        rows = self.target_rows
        if len(rows):
            self.highs.changeRowsBounds(len(rows), rows, np.asarray(required_abatement_t, dtype=float),
                                        np.full(len(rows), INF))

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

    def relax_central_targets(self, relaxed: bool, required_abatement_t: np.ndarray | None = None) -> None:
        """The model's own target rows switched off (lower bound -inf) or back to ``required_abatement_t``."""
        rows = self.target_rows
        if len(rows):
            lower = np.full(len(rows), -INF) if relaxed else np.asarray(required_abatement_t, dtype=float)
            self.highs.changeRowsBounds(len(rows), rows, lower, np.full(len(rows), INF))

    def add_target_rows(self, abatement_t_per_yr: list[np.ndarray], required_abatement_t: list[np.ndarray]) -> np.ndarray:
        """Append one copy of every target row per scenario s:
        sum_{m,tau in window} e^s_{m,p_k} x_{m,tau} >= R^s_k (no shortfall column: strict).
        Returns the new rows' positions (scenario-major, then target)."""
        first = self.highs.getNumRow()
        order = np.lexsort((self.target_col, self.target_row))
        row, col = self.target_row[order], self.target_col[order]
        measure, pollutant = self.target_measure[order], self.target_pollutant[order]
        counts = np.array([int((row == r).sum()) for r in self.target_rows], dtype=np.int64)
        starts_one = np.concatenate([[0], np.cumsum(counts)[:-1]])
        lower, starts, index, value = [], [], [], []
        offset = 0
        for abatement, required in zip(abatement_t_per_yr, required_abatement_t):
            lower.append(np.asarray(required, dtype=float))
            starts.append(starts_one + offset)
            index.append(col)
            value.append(abatement[measure, pollutant])
            offset += len(col)
        n_new = len(lower) * len(self.target_rows)
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

    def _window(self, discount_factor: np.ndarray) -> np.ndarray:
        planning = self.planning
        window = in_horizon_annuity_sum(discount_factor, planning.data.measures.lifetime_yr)
        window[np.arange(len(planning.years))[None, :] < planning.first_year_pos[:, None]] = 0.0
        return window.ravel()

    def set_discount_rate(self, rate: float) -> None:
        """CRF(r, L) and the in-horizon discounted windows for another rate (the next ``apply`` uses them)."""
        planning = self.planning
        self.discount_window = self._window(discount_factors(rate, planning.years, planning.data.spec.start_year))
        self.crf = capital_recovery_factor(rate, planning.data.measures.lifetime_yr)

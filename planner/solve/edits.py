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
        column_of = compiled.column_of
        # x_{m,tau} columns, measure-major (as planning.added_vars).
        self.x_columns = np.array([column_of[id(v)] for v in planning.added_vars], dtype=np.int32)
        measure_of_column = np.full(compiled.n_cols, -1, dtype=np.int64)
        measure_of_column[self.x_columns] = np.repeat(np.arange(n_measures), n_years)
        cumulative = np.concatenate([[0.0], np.cumsum(planning.discount_factor)])
        tau = np.arange(n_years)[None, :]
        end = np.minimum(tau + measures.lifetime_yr[:, None], n_years)
        window = cumulative[end] - cumulative[tau]
        window[tau < planning.first_year_pos[:, None]] = 0.0
        self.discount_window = window.ravel()  # per x column, measure-major
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
        model = planning.model
        shortfall = []
        for name in ("target_shortfall_t", "deployment_shortfall_units"):
            component = getattr(model, name, None)
            if component is not None:
                shortfall.extend(column_of[id(v)] for v in component.values())
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

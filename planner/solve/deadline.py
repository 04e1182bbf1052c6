"""One time limit for a whole command: the clock every solve, re-solve and diagnosis draws from.

``[solver] time_limit_s`` bounds a whole `planner run` from the command's start (main solve, the
fixed LP of a MIP's shadow prices, step re-solves, cost-to-include re-solves, diagnosis); each
later phase gets what is left. For an LP, HiGHS counts the total run time of one ``Highs`` object
across all its ``run()`` calls against its ``time_limit`` option (measured on 1.16: with a 1 s
limit, the 79th re-solve of one object returned "Time limit reached"; with 0.05 s, the second cold
re-solve of a 300-row LP did), so a reused object's LP limit is set to ``getRunTime()`` + what is
left. Its MIP solver times each run from the run's start instead (measured on 1.16: a MIP re-run
with time_limit 0.05 on an object with 9.3 s of run time stopped after 0.054 s, and one set to
``getRunTime()`` + 0 ran 0.57 s to optimality), so a MIP's limit is what is left
(``highs_time_limit``).
"""

from __future__ import annotations

import time


class Deadline:
    """``total_s`` seconds from ``started`` (a ``time.perf_counter()`` reading; default now)."""

    def __init__(self, total_s: float, started: float | None = None):
        self.total_s = float(total_s)
        self.started = time.perf_counter() if started is None else started

    def elapsed_s(self) -> float:
        return time.perf_counter() - self.started

    def left_s(self) -> float:
        """Seconds left, >= 0."""
        return max(0.0, self.total_s - self.elapsed_s())

    def expired(self) -> bool:
        return self.left_s() <= 0.0


def highs_time_limit(highs, deadline: Deadline, is_mip: bool) -> float:
    """Set a ``Highs`` object's time_limit so that its next run() stops when ``deadline`` does: for an
    LP its total run time so far plus what is left, for a MIP what is left. Returns the seconds left."""
    left = deadline.left_s()
    highs.setOptionValue("time_limit", left if is_mip else float(highs.getRunTime()) + left)
    return left

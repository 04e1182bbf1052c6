"""One time limit for a whole command: the clock every solve, re-solve and diagnosis draws from.

``[solver] time_limit_s`` bounds a whole `planner run` from the command's start (main solve, the
fixed LP of a MIP's shadow prices, step re-solves, cost-to-include re-solves, diagnosis); each
later phase gets what is left. HiGHS counts the total run time of one ``Highs`` object across all
its ``run()`` calls against its ``time_limit`` option (measured on 1.16: with a 1 s limit, the 79th
re-solve of one object returned "Time limit reached"), so a reused object's limit is set to
``getRunTime()`` + what is left before every run (``highs_time_limit``).
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


def highs_time_limit(highs, deadline: Deadline) -> float:
    """Set a ``Highs`` object's time_limit so that its next run() stops when ``deadline`` does:
    its total run time so far plus what is left. Returns the seconds left."""
    left = deadline.left_s()
    highs.setOptionValue("time_limit", float(highs.getRunTime()) + left)
    return left

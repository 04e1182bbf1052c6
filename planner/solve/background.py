"""Work on the second core while this thread does something else: one call on a daemon thread.

The machine a planner runs on has at least two cores, and while HiGHS solves it holds one and
releases Python's GIL; ``planner run`` uses the other for work that does not need what is being
solved (the static cost-effectiveness table during the solve; a MIP's fixed-LP duals while the
plan's tables are written). ``Background(f, *args).result()`` returns what ``f`` returned, or
raises what it raised, in the calling thread. The thread is a daemon, so an interrupted run does
not wait for it at exit.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable


class Background:
    """``function(*args)`` running on its own daemon thread from construction on."""

    def __init__(self, function: Callable[..., Any], *args: Any):
        self._value: Any = None
        self._error: BaseException | None = None
        self.elapsed_s = 0.0  # wall time of the call itself, on its thread
        self._thread = threading.Thread(target=self._run, args=(function, args), daemon=True,
                                        name=f"planner-{getattr(function, '__name__', 'work')}")
        self._thread.start()

    def _run(self, function: Callable[..., Any], args: tuple) -> None:
        tic = time.perf_counter()
        try:
            self._value = function(*args)
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc
        finally:
            self.elapsed_s = time.perf_counter() - tic

    def result(self) -> Any:
        """Wait for the call; its return value, or its exception raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value

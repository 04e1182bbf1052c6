"""Progress of long ensembles: a tqdm bar on a terminal, plain periodic lines otherwise (logs, CI).

tqdm rather than rich: one small dependency with none of its own, and it writes to stderr.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterator

# Plain (non-terminal) progress prints a line at most this often (tests set the variable lower).
PLAIN_EVERY_S = float(os.environ.get("PLANNER_PROGRESS_EVERY_S", "10") or 10)


@contextmanager
def progress(total: int, label: str, stream=None) -> Iterator[Callable[[int], None]]:
    """Yields ``tick(done)``, to be called with the number of items finished so far."""
    stream = stream or sys.stderr
    started = time.perf_counter()
    if getattr(stream, "isatty", lambda: False)():
        from tqdm import tqdm

        bar = tqdm(total=total, desc=label, unit="sample", file=stream, smoothing=0.1, dynamic_ncols=True)
        try:
            yield lambda done: bar.update(done - bar.n)
        finally:
            bar.close()
        return
    last = [started]

    def tick(done: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= PLAIN_EVERY_S or done == total:
            last[0] = now
            elapsed = now - started
            rate = done / elapsed if elapsed > 0 else 0.0
            eta = (total - done) / rate if rate > 0 else float("nan")
            print(f"{label}: {done}/{total} samples, {rate:.1f}/s, {elapsed:.0f} s elapsed, ETA {eta:.0f} s",
                  file=stream, flush=True)

    yield tick

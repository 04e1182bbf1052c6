"""Bytes made in a forked child process, so that two cores format result files at once (Linux).

Formatting CSV is Python work under the GIL: a thread cannot share it, a forked child can. At
10,000 LP measures co_control.csv is 76,000 rows; a child forked after the tables are built formats
it while this process formats the other files and makes the shadow prices and unchosen.csv.
The child sees the parent's memory as it was at the fork (copy on write), sends the bytes back
through a pipe and leaves with ``os._exit`` (no atexit handlers, no stdio flushed twice). Where
fork is not available, or the child fails for any reason, the bytes are made in this process, so
the result is the same either way.
"""

from __future__ import annotations

import os
import sys
from typing import Callable


def can_fork() -> bool:
    """fork is used on Linux only (macOS forbids it after some system frameworks start; Windows has none)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class ForkedBytes:
    """``function(*args)`` (which returns bytes) running in a forked child from construction on."""

    def __init__(self, function: Callable[..., bytes], *args):
        self._function, self._args = function, args
        self._pid: int | None = None
        self._value: bytes | None = None
        if not can_fork():
            return
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return
        if pid == 0:  # the child: make the bytes, send them, leave at once
            os.close(read_fd)
            code = 1
            try:
                data = function(*args)
                with os.fdopen(write_fd, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        self._pid, self._read_fd = pid, read_fd

    def result(self) -> bytes:
        """The bytes: the child's, or made here if there was no child or it failed."""
        if self._value is not None:
            return self._value
        if self._pid is not None:
            pid, self._pid = self._pid, None
            with os.fdopen(self._read_fd, "rb") as source:
                data = source.read()
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) == 0:
                self._value = data
                return data
        self._value = self._function(*self._args)
        return self._value

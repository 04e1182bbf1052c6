"""One writer per results folder: an exclusive lock file beside the folder, naming its holder.

``results/guiyang`` is locked by ``results/.guiyang.lock``, which holds the holder's pid, start
time and command as JSON. The exclusion itself is an operating-system lock on that file
(``fcntl.flock`` on Linux and macOS, ``msvcrt.locking`` on Windows), which the kernel releases
when its process ends however it ends (SIGKILL, power cut of the process), so a lock left by a
dead run never blocks anyone: the next run gets the OS lock at once, sees the dead pid in the
file, says it takes the stale lock over, and rewrites the file with its own pid.

The lock file is removed on release while the lock is still held; a waiter that had opened the
removed file notices (its inode is no longer the path's) and opens the new one, so two runs can
never both believe they hold the folder.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from planner.errors import FolderLockedError

POLL_S = 0.2
# Windows locks a byte range; one far beyond the JSON text leaves the holder's record readable.
_WINDOWS_LOCK_OFFSET = 1 << 20


def lock_path(folder: Path) -> Path:
    """The lock file of ``folder``: a hidden sibling, so it never sits inside the results."""
    folder = Path(folder)
    return folder.parent / f".{folder.name}.lock"


def _try_os_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` is running (never signals it: on Windows os.kill(pid, 0) would)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        try:
            return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _read_record(path: Path) -> dict:
    try:
        record = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _clock(iso: str) -> str:
    """10:02:13 for a start time today, 2026-12-01 10:02:13 otherwise."""
    try:
        started = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return "at an unknown time"
    if started.date() == datetime.now().date():
        return started.strftime("%H:%M:%S")
    return started.strftime("%Y-%m-%d %H:%M:%S")


def locked_message(folder: Path, record: dict, waited_s: float) -> str:
    pid = record.get("pid", "?")
    started = _clock(record.get("started", ""))
    waited = f"; waited {waited_s:g} s" if waited_s > 0 else ""
    return (f"{folder} is being written by another planner run (pid {pid}, started {started}){waited}; "
            f"use --out for a separate folder or --wait-s {max(60, int(2 * waited_s))} to wait")


@contextmanager
def folder_lock(folder: Path, wait_s: float = 0.0, note: Callable[[str], None] | None = None) -> Iterator[Path]:
    """Hold ``folder``'s lock for the ``with`` block; wait up to ``wait_s`` s, then raise FolderLockedError."""
    folder = Path(folder)
    path = lock_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(0.0, wait_s)
    fd = None
    while fd is None:
        candidate = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if _try_os_lock(candidate):
            try:
                same_file = os.fstat(candidate).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same_file = False
            if same_file:
                fd = candidate
                break
        os.close(candidate)
        if time.monotonic() >= deadline:
            raise FolderLockedError(locked_message(folder, _read_record(path), wait_s))
        time.sleep(POLL_S)
    try:
        previous = _read_record(path)
        if previous.get("pid") and previous.get("pid") != os.getpid() and note is not None:
            note(f"took over the lock of {folder} left by pid {previous['pid']} (started "
                 f"{_clock(previous.get('started', ''))}), which is no longer running")
        record = {"pid": os.getpid(), "started": datetime.now().isoformat(timespec="seconds"),
                  "host": socket.gethostname(), "command": " ".join(sys.argv)}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(record).encode("utf-8"))
        os.fsync(fd)
        yield path
    finally:
        try:
            path.unlink()
        except OSError:
            pass
        os.close(fd)

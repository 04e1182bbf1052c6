"""Write a results folder all or nothing, replacing only the files the planner itself wrote.

summary.json lists, under ``files``, every file the run wrote (its manifest). A rerun into the
same folder:

1. writes every new file into a hidden staging folder inside the results folder
   (``.planner-staging-<pid>-<token>/``), each file flushed to disk;
2. writes ``.commit.json`` into the staging folder (renamed into place, so it is whole or absent):
   the list of new files and of the previous run's files that the new run does not write again.
   This rename is the commit point;
3. renames every new file over its old version (one atomic rename each), removes the previous
   run's files that are not written again, and renames summary.json last; then drops the staging
   folder.

Nothing else in the folder is touched at any step: the user's notes, a reviewed copy of a CSV,
their own sub-folders and the sub-folders of scenario runs (which may be being written by another
run at that moment) stay where they are. A run killed before the commit point leaves the old
results complete (the next planner command drops the dead run's staging folder); a run killed
after it leaves a committed staging folder, and the next planner command that opens the folder
finishes the renames (``recover``), so the folder is then the new results, complete. A new
folder is written as a hidden sibling and renamed into place in one step.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
import uuid
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from planner.errors import ResultsFolderError
from planner.io.csv_text import frame_csv_bytes
from planner.io.lock import pid_alive

SUMMARY_FILE = "summary.json"
# summary.json carries this key so that the planner recognises its own folders and never
# replaces a folder that holds a user's other files.
MARKER_KEY = "planner_results_format"
RESULTS_FORMAT = 1
# summary.json's list of the files the planner wrote into the folder (paths relative to it).
MANIFEST_KEY = "files"
# Files a planner of format 1 wrote before summary.json listed them: a folder without a
# manifest counts these (where present) as the planner's own, and nothing else.
LEGACY_OWN_FILES = ("summary.json", "plan.csv", "emissions.csv", "targets.csv", "cost_effectiveness.csv",
                    "sweep.csv", "no_regret.csv", "comparison.csv", "comparison.md", "measure_changes.csv",
                    "report.xlsx", "report.html")
LEGACY_OWN_FOLDERS = ("points",)
STAGING_PREFIX = ".planner-staging-"
COMMIT_FILE = ".commit.json"
# CSVs are written as UTF-8 with a byte-order mark so that Excel shows Chinese text correctly.
CSV_ENCODING = "utf-8-sig"
# Refuse before solving when the disk has less room than this (a results folder is a few MB).
MIN_FREE_BYTES = 20 * 1024 * 1024
# Tests set this to slow writing down so that a run can be killed mid-write.
_TEST_WRITE_DELAY_S = float(os.environ.get("PLANNER_TEST_WRITE_DELAY_S", "0") or 0)


def _summary(folder: Path) -> dict | None:
    try:
        record = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return None
    return record if isinstance(record, dict) and MARKER_KEY in record else None


def is_planner_results(folder: Path) -> bool:
    return _summary(folder) is not None


def _safe_name(name: object) -> bool:
    if not isinstance(name, str) or not name or "\\" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and path.parts[0] != "."


def own_files(folder: Path) -> list[str]:
    """The files of ``folder`` that the planner wrote (from summary.json's manifest); [] if none."""
    summary = _summary(folder)
    if summary is None:
        return []
    listed = summary.get(MANIFEST_KEY)
    if isinstance(listed, list):
        return [name for name in listed if _safe_name(name)]
    names = [name for name in LEGACY_OWN_FILES if (folder / name).is_file()]
    for sub in LEGACY_OWN_FOLDERS:
        if (folder / sub).is_dir():
            names += [p.relative_to(folder).as_posix() for p in sorted((folder / sub).rglob("*")) if p.is_file()]
    return names


def _visible(folder: Path) -> list[Path]:
    """Entries of ``folder`` other than the planner's hidden lock files and staging folders."""
    return [child for child in folder.iterdir()
            if not (child.name.startswith((STAGING_PREFIX, ".planner-probe-"))
                    or (child.name.startswith(".") and (child.name.endswith(".lock") or ".tmp-" in child.name
                                                        or ".old-" in child.name)))]


def _nearest_existing(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_writable(out_dir: Path) -> None:
    """Refuse, before any work is done, a folder the planner must not or cannot write.

    Refused: a path that is (or runs through) a file; a non-empty folder that never held planner
    results (exit 6, so a user's folder is never written into); a folder the process cannot
    create files in; a disk with less than ``MIN_FREE_BYTES`` free.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ResultsFolderError(f"{out_dir} is a file, not a folder; choose another folder with --out")
    existing = _nearest_existing(out_dir)
    if not existing.is_dir():
        raise ResultsFolderError(f"cannot write {out_dir}: {existing} is a file, not a folder; "
                                 "choose another folder with --out")
    if out_dir.is_dir() and not is_planner_results(out_dir) and not all(
            child.is_dir() and is_planner_results(child) for child in _visible(out_dir)):
        raise ResultsFolderError(
            f"{out_dir} already holds files that are not planner results; the planner will not write "
            "into it. Choose an empty or new folder with --out, or move those files away.")
    probe = existing / f".planner-probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ResultsFolderError(f"cannot write {out_dir}: {existing} is not writable ({exc.strerror}); "
                                 "choose a folder you can write with --out") from None
    try:
        free = shutil.disk_usage(existing).free
    except OSError:
        return
    if free < MIN_FREE_BYTES:
        raise ResultsFolderError(f"cannot write {out_dir}: only {free / 1e6:.1f} MB free on its disk; "
                                 "free some space or choose another disk with --out")


# Values this close to zero are solver round-off (HiGHS tolerances are about 1e-7 on values of
# order 1 to 1e7): written as 0 so that a CSV never shows -0.0 or 4.547e-13.
ZERO_SNAP = 1e-9
# Result CSVs carry this many significant digits (what uncertainty.csv's %.10g writes): 1e-10 relative,
# a thousand times finer than the solver's tolerances, and no 6845.4713520000005. Shorter numbers
# also format faster (a third less time for the 20 MB a 10,000-measure run writes).
SIGNIFICANT_DIGITS = 10


def round_significant(values: np.ndarray, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits, so each prints (repr) with at most that many.

    x = n / 10^k with n = round(x 10^k) a whole number below 10^digits: for |x| >= 1e-9 (smaller
    values are snapped to 0 first) 10^k is exact (k <= 18), and IEEE division gives the double
    nearest the decimal n 10^-k, whose shortest repr is that decimal. Large values use n x 10^j.

    >>> round_significant(np.array([6845.4713520000005, 2.0000000001e-3, -123456789012.0, 0.0])).tolist()
    [6845.471352, 0.002, -123456789000.0, 0.0]
    """
    values = np.asarray(values, dtype=float)
    out = values.copy()
    nonzero = np.isfinite(values) & (values != 0)
    x = values[nonzero]
    k = digits - 1 - np.floor(np.log10(np.abs(x))).astype(np.int64)
    small = k >= 0
    out_x = np.empty_like(x)
    scale = 10.0 ** k[small]
    out_x[small] = np.round(x[small] * scale) / scale
    scale = 10.0 ** (-k[~small])
    out_x[~small] = np.round(x[~small] / scale) * scale
    out[nonzero] = out_x
    return out


def tidy_floats(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with float values within ``ZERO_SNAP`` of zero (and -0.0) written as 0.0, and the
    others rounded to ``SIGNIFICANT_DIGITS`` significant digits."""
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    if not floats:
        return frame
    frame = frame.copy()
    for column in floats:
        values = frame[column].to_numpy(copy=True)
        values[abs(values) < ZERO_SNAP] = 0.0
        frame[column] = round_significant(values)
    return frame


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The CSV file of a result table (what ``to_csv(index=False)`` writes; see planner.io.csv_text)."""
    return frame_csv_bytes(tidy_floats(frame), CSV_ENCODING)


def json_bytes(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False, indent=2, default=_json_default) + "\n").encode("utf-8")


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened on Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _stage_file(path: Path, content: bytes):
    """``content`` written to ``path`` and flushed, not yet made durable; the open handle."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "wb")
    try:
        handle.write(content)
        handle.flush()
    except BaseException:
        handle.close()
        raise
    return handle


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write every file of ``files`` into ``folder``, then make them durable: the fsyncs run side by side
    (threads; fsync releases the GIL), so the disk flushes them together instead of one after the other
    (13 files one by one took 0.3-0.4 s of a 10,000-measure run)."""
    handles = []
    try:
        for name, content in files.items():
            handles.append(_stage_file(folder / name, content))
            if _TEST_WRITE_DELAY_S:
                time.sleep(_TEST_WRITE_DELAY_S)
        if len(handles) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=min(8, len(handles))) as pool:
                for _ in pool.map(lambda h: os.fsync(h.fileno()), handles):
                    pass
        elif handles:
            os.fsync(handles[0].fileno())
    finally:
        for handle in handles:
            handle.close()


def _staging_pid(name: str, prefix: str) -> int | None:
    pid = name[len(prefix):].split("-")[0]
    return int(pid) if pid.isdigit() else None


def _prune_empty(folder: Path, top: Path) -> None:
    """Remove ``folder`` and its parents up to (not including) ``top`` while they are empty."""
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _roll_forward(out_dir: Path, staging: Path) -> None:
    """Finish a committed replacement: rename the staged files in, drop the stale ones, summary.json last."""
    record = json.loads((staging / COMMIT_FILE).read_text(encoding="utf-8"))
    names = [n for n in record["files"] if _safe_name(n)]
    for name in [n for n in names if n != SUMMARY_FILE]:
        source = staging / name
        if source.is_file():
            (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, out_dir / name)
        if _TEST_WRITE_DELAY_S:
            time.sleep(_TEST_WRITE_DELAY_S / 4)
    for name in [n for n in record["remove"] if _safe_name(n)]:
        target = out_dir / name
        if target.is_file() or target.is_symlink():
            target.unlink()
            _prune_empty(target.parent, out_dir)
    if (staging / SUMMARY_FILE).is_file():
        os.replace(staging / SUMMARY_FILE, out_dir / SUMMARY_FILE)
    _fsync_dir(out_dir)
    shutil.rmtree(staging, ignore_errors=True)


def recover(out_dir: Path) -> None:
    """Clean up after runs that were killed while writing ``out_dir`` (their pids are dead).

    A committed staging folder is rolled forward (the folder becomes the new results, complete);
    an uncommitted one is dropped (the folder stays the old results). Staging folders of live
    processes are left alone.
    """
    out_dir = Path(out_dir)
    if out_dir.is_dir():
        for staging in sorted(out_dir.glob(f"{STAGING_PREFIX}*")):
            pid = _staging_pid(staging.name, STAGING_PREFIX)
            if pid is None or pid_alive(pid):
                continue
            if (staging / COMMIT_FILE).is_file():
                _roll_forward(out_dir, staging)
            else:
                shutil.rmtree(staging, ignore_errors=True)
    parent = out_dir.parent
    if not parent.is_dir():
        return
    for leftover in parent.glob(f".{out_dir.name}.*-*-*"):
        kind, _, rest = leftover.name[len(out_dir.name) + 2:].partition("-")
        pid = rest.split("-")[0]
        if not pid.isdigit() or pid_alive(int(pid)):
            continue
        if kind == "old" and not out_dir.exists():  # a folder swap of an earlier planner version
            leftover.rename(out_dir)
        elif kind in ("tmp", "old"):
            shutil.rmtree(leftover, ignore_errors=True)


def with_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    """``files`` with summary.json's ``files`` key listing every file written (summary.json included)."""
    if SUMMARY_FILE not in files:
        return files
    summary = json.loads(files[SUMMARY_FILE].decode("utf-8"))
    summary[MANIFEST_KEY] = sorted(files)
    return {**files, SUMMARY_FILE: json_bytes(summary)}


def _raise_disk_error(out_dir: Path, exc: OSError) -> None:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        raise ResultsFolderError(f"the disk of {out_dir} is full; nothing was changed in {out_dir}. Free some "
                                 "space or choose another disk with --out") from None
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        raise ResultsFolderError(f"cannot write {out_dir} ({exc.strerror}); nothing was changed there. Choose a "
                                 "folder you can write with --out") from None
    raise exc


def write_results(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (relative name -> content) into the folder ``out_dir``, all or nothing.

    Only the previous run's own files (summary.json's manifest) are replaced or removed; see the
    module docstring for the steps and why a kill at any moment loses nothing.
    """
    out_dir = Path(out_dir)
    check_writable(out_dir)
    recover(out_dir)
    files = with_manifest(files)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        if not out_dir.exists():
            _write_new(out_dir, files, token)
        else:
            _replace_in_place(out_dir, files, token)
    except OSError as exc:
        _raise_disk_error(out_dir, exc)


def _write_new(out_dir: Path, files: dict[str, bytes], token: str) -> None:
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{out_dir.name}.tmp-{token}"
    staging.mkdir()
    try:
        _write_files(staging, files)
        staging.rename(out_dir)
        _fsync_dir(parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace_in_place(out_dir: Path, files: dict[str, bytes], token: str) -> None:
    previous = set(own_files(out_dir))
    clashes = [name for name in files if name not in previous and (out_dir / name).exists()]
    if clashes:
        raise ResultsFolderError(
            f"{out_dir} holds {', '.join(clashes[:5])}, which the planner did not write and would have to "
            "replace; move or rename it, or choose another folder with --out")
    staging = out_dir / f"{STAGING_PREFIX}{token}"
    staging.mkdir()
    committed = False
    try:
        _write_files(staging, files)
        record = {"files": [*sorted(n for n in files if n != SUMMARY_FILE), SUMMARY_FILE],
                  "remove": sorted(previous - set(files))}
        _write_file(staging / (COMMIT_FILE + ".tmp"), json.dumps(record, ensure_ascii=False).encode("utf-8"))
        os.replace(staging / (COMMIT_FILE + ".tmp"), staging / COMMIT_FILE)
        _fsync_dir(staging)
        committed = True
        try:
            _roll_forward(out_dir, staging)
        except KeyboardInterrupt:
            _roll_forward(out_dir, staging)  # past the commit point Ctrl-C finishes the renames first
            raise
    finally:
        if not committed:
            shutil.rmtree(staging, ignore_errors=True)


def claim_names(folder: Path, names: list[str]) -> None:
    """Refuse to add ``names`` (a report) to ``folder`` when a file of that name is not the planner's own."""
    folder = Path(folder)
    recover(folder)
    previous = set(own_files(folder))
    clashes = [name for name in names if name not in previous and (folder / name).exists()]
    if clashes:
        raise ResultsFolderError(f"{folder} holds {', '.join(clashes)}, which the planner did not write; move or "
                                 "rename it first so that it is not overwritten")


def register_files(folder: Path, names: list[str]) -> None:
    """Add ``names`` (files just renamed into ``folder``) to its summary.json manifest, atomically."""
    folder = Path(folder)
    summary = _summary(folder)
    if summary is None:
        return
    summary[MANIFEST_KEY] = sorted(set(own_files(folder)) | set(names))
    tmp = folder / f".{SUMMARY_FILE}.tmp-{os.getpid()}"
    try:
        _write_file(tmp, json_bytes(summary))
        os.replace(tmp, folder / SUMMARY_FILE)
    except OSError as exc:
        _raise_disk_error(folder, exc)
    finally:
        if tmp.exists():
            tmp.unlink()

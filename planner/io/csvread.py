"""Read a CSV as planners' spreadsheets save it, keeping the file's own line numbers.

Accepted, each with a warning that names what was done: UTF-8 with or without a byte-order
mark (no warning); GB18030 / GBK, what Excel on Chinese Windows saves as "CSV"; columns separated
by semicolons or tabs instead of commas (detected from the header line); rows whose cells are all
empty (what Excel leaves behind after rows are cleared) are skipped like blank lines; trailing
empty cells beyond the header. A row split by full-width commas (，) and a row with more values
than the header has columns get a message that says why.

Every row carries the line of the file it starts on, counting blank and skipped lines, so every
message points at the line the user sees in an editor.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import Problem
from planner.io.numbers import normalise

UTF8_BOM = b"\xef\xbb\xbf"
SEPARATORS = {",": "commas (,)", ";": "semicolons (;)", "\t": "tabs"}
FULL_WIDTH_COMMA = "，"


@dataclass
class CsvTable:
    """A CSV's header and rows as text cells, with the file line each row starts on."""

    path: Path
    header: list[str]
    header_line: int
    rows: list[list[str]]
    lines: list[int]
    sha256: str
    encoding: str = "utf-8"
    separator: str = ","
    warnings: list[str] = field(default_factory=list)


def decode(data: bytes, label: str, problems: list[Problem]) -> tuple[str, str] | None:
    """(text, encoding name) of a CSV's bytes; None (and a problem) when no accepted encoding fits."""
    if data.startswith(UTF8_BOM):
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            problems.append(Problem(label, "starts with a UTF-8 byte-order mark but is not UTF-8 text; save it "
                                           "again from Excel as 'CSV UTF-8 (Comma delimited)'", line))
            return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > len(data[:200]) // 4:
        problems.append(Problem(label, "is UTF-16 text (Excel's 'Unicode Text'), not CSV; save it from Excel as "
                                       "'CSV UTF-8 (Comma delimited)' (encodings read: UTF-8, GB18030/GBK)"))
        return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error_line = data[: exc.start].count(b"\n") + 1
        before = data[: exc.start].decode("utf-8", errors="ignore")
    if any(ord(c) >= 0x800 for c in before):
        # Chinese text before the first bad byte is UTF-8, so the rest is in another encoding: a
        # GB18030 reading of the whole file would garble the UTF-8 part.
        problems.append(Problem(label, "is not UTF-8 text from this line on, though the lines before it are: "
                                       "the file mixes two encodings; save it again from Excel as "
                                       "'CSV UTF-8 (Comma delimited)'", utf8_error_line))
        return None
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        problems.append(Problem(label, "cannot be read: it is neither UTF-8 (with or without byte-order mark) nor "
                                       "GB18030/GBK text (the first byte that is not UTF-8 is on this line); save "
                                       "it from Excel as 'CSV UTF-8 (Comma delimited)'", utf8_error_line))
        return None


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def detect_separator(header_line: str) -> str:
    """The separator the header line uses most (comma on a tie or when none appears)."""
    counts = {sep: _count_outside_quotes(header_line, sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: (counts[sep], sep == ","))
    return best if counts[best] > 0 else ","


def _blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def read_table(path: Path, problems: list[Problem], expected_columns: str = "") -> CsvTable | None:
    """Read ``path``; None (with problems added) when it cannot be read as a table."""
    label = str(path)
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    decoded = decode(data, label, problems)
    if decoded is None:
        return None
    text, encoding = decoded
    warnings = []
    if encoding != "utf-8":
        warnings.append(f"{label}: read as GB18030/GBK (Chinese Windows) text, not UTF-8; Excel's 'CSV UTF-8 "
                        "(Comma delimited)' avoids this warning")
    physical = text.splitlines()
    first = next((i for i, line in enumerate(physical) if line.strip(" \t,;\u3000")), None)
    if first is None:
        problems.append(Problem(label, "is empty; it needs a header row" +
                                (f" with the columns {expected_columns}" if expected_columns else "")))
        return None
    separator = detect_separator(physical[first])
    if separator != ",":
        warnings.append(f"{label}: columns are separated by {SEPARATORS[separator]}, not commas; read that way")
    if separator == "," and FULL_WIDTH_COMMA in physical[first] and "," not in physical[first]:
        problems.append(Problem(label, "the column names are separated by full-width commas (，); use ASCII "
                                       "commas (,)", first + 1))
        return None

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records: list[tuple[int, list[str]]] = []
    previous_line = 0
    try:
        for cells in reader:
            records.append((previous_line + 1, cells))
            previous_line = reader.line_num
    except csv.Error as exc:
        problems.append(Problem(label, f"cannot be read as CSV ({exc}); check the quotes", previous_line + 1))
        return None
    records = [(line, cells) for line, cells in records if not _blank(cells)]
    header_line, header = records[0]
    header = [normalise(name) for name in header]
    body = records[1:]
    # Excel keeps empty columns to the right of the table: drop unnamed trailing columns that are empty.
    while header and header[-1] == "" and all(len(cells) < len(header) or not cells[len(header) - 1].strip()
                                              for _, cells in body):
        header.pop()
    for position, name in enumerate(header):
        if name == "":
            problems.append(Problem(label, f"column {position + 1} has no name in the header; name it or delete "
                                           "the column", header_line))
    if any(name == "" for name in header):
        return None

    rows, lines = [], []
    width = len(header)
    for line, cells in body:
        if len(cells) > width:
            if _blank(cells[width:]):
                cells = cells[:width]
            else:
                problems.append(Problem(label, f"has {len(cells)} values but the header names {width} columns; "
                                               "a number written with a thousands separator (1,200) must be "
                                               "quoted or written 1200, and text with a "
                                               f"{SEPARATORS[separator].split()[0][:-1]} must be quoted", line))
                continue
        elif len(cells) < width:
            split = [part for cell in cells for part in cell.split(FULL_WIDTH_COMMA)]
            if any(FULL_WIDTH_COMMA in cell for cell in cells) and len(split) >= width:
                problems.append(Problem(label, f"its values are separated by full-width commas (，), so the row "
                                               f"reads as {len(cells)} of {width} columns; use ASCII commas (,)",
                                        line))
                continue
            cells = cells + [""] * (width - len(cells))
        rows.append(cells)
        lines.append(line)
    return CsvTable(path, header, header_line, rows, lines, sha256, encoding, separator, warnings)

"""Input data in one Excel workbook instead of a folder of CSV files.

One sheet per input file, named after it (``measures``, ``baseline``, ``targets``, ``deployment``
and the v2 files where present); row 1 holds the exact column ids, with the unit and meaning as a
cell comment (from planner/io/columns.py); the header row is frozen; kinds, pollutants, sectors,
booleans and measure ids have drop-down lists. The ``baseline`` sheet is laid out as planners
keep it: a ``quantity`` column (``gdp_yi_yuan``, ``co2_t``, ...) and one column per year.

Reading turns each sheet back into the CSV text the folder route reads, row for row, so both
routes give the same tables and the same checks; a problem found is reported at its cell
(``measures!D7``), every problem at once. A formula cell without a saved value (a workbook
written by a program that does not compute formulas) is an error naming the cell.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
import shutil
import tempfile
from pathlib import Path

from planner.errors import InputError, Problem
from planner.io.schema import FILES, POLLUTANTS, SECTORS_SUGGESTED, TARGET_KINDS

BASELINE_SHEET = "baseline"
QUANTITY = "quantity"
# Files beside a data folder that travel with it (citations, notes).
CARRIED_FILES = ("SOURCES.md", "README.md")


def sheet_of(file: str) -> str:
    return file.removesuffix(".csv")


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---- folder -> workbook -----------------------------------------------------------------------------

def _read_csv_rows(path: Path) -> list[list[str]]:
    """Header and rows of a data folder's CSV, read as load_data reads it (GBK, ; or tab, empty rows)."""
    from planner.errors import InputError
    from planner.io.csvread import read_table

    problems = []
    table = read_table(path, problems)
    if table is None:
        raise InputError(problems)
    return [table.header, *table.rows]


def _cell_value(text: str, kind: str):
    """A CSV cell as the workbook holds it: numbers as numbers in number columns, text otherwise."""
    if kind in ("number", "integer") and text.strip():
        try:
            value = float(text)
        except ValueError:
            return text
        if math.isfinite(value):
            return int(value) if value.is_integer() and re.fullmatch(r"\s*[-+]?\d+\s*", text) else value
    return text


def write_workbook(folder: Path, path: Path) -> list[str]:
    """The data folder ``folder`` as the workbook ``path``; returns the sheets written."""
    import xlsxwriter

    from planner.io.columns import input_column

    files = [name for name in FILES if (folder / name).is_file()]
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    measure_ids: list[str] = []
    tags: set[str] = set()
    if (folder / "measures.csv").is_file():
        rows = _read_csv_rows(folder / "measures.csv")
        if rows:
            head = rows[0]
            if "id" in head:
                measure_ids = [r[head.index("id")] for r in rows[1:] if len(r) > head.index("id")]
            if "tags" in head:
                tags = {t for r in rows[1:] if len(r) > head.index("tags") for t in r[head.index("tags")].split(";")
                        if t}
    lists_sheet = None
    if measure_ids:
        # Drop-down lists longer than 255 characters must come from cells: a hidden sheet holds them.
        lists_sheet = book.add_worksheet("_lists")
        for i, measure in enumerate(measure_ids):
            lists_sheet.write_string(i, 0, measure)
        for i, tag in enumerate(sorted(tags)):
            lists_sheet.write_string(i, 1, tag)
        lists_sheet.hide()
    written = []
    for file in files:
        rows = _read_csv_rows(folder / file)
        if not rows:
            continue
        head, body = rows[0], [r for r in rows[1:]]
        ws = book.add_worksheet(sheet_of(file))
        written.append(sheet_of(file))
        kinds = {c.name: c.kind for c in FILES[file]}
        if file == "baseline.csv":
            _write_baseline(ws, head, body, header, file)
            continue
        for j, name in enumerate(head):
            ws.write_string(0, j, name, header)
            info = input_column(file, name)
            if info is not None:
                ws.write_comment(0, j, f"{info.label_zh} / {info.label_en}\n{info.unit or '-'}: {info.description}",
                                 {"x_scale": 2.2, "y_scale": 1.6})
            ws.set_column(j, j, max(10, min(40, len(name) + 4)))
        for i, row in enumerate(body, start=1):
            for j, text in enumerate(row[:len(head)]):
                value = _cell_value(text, kinds.get(head[j], "text"))
                if isinstance(value, str):
                    if value:
                        ws.write_string(i, j, value)
                else:
                    ws.write_number(i, j, value)
        last = max(len(body) + 200, 1000)
        for j, name in enumerate(head):
            source = _validation_source(file, name, kinds.get(name), lists_sheet is not None, len(measure_ids),
                                        len(tags))
            if source:
                ws.data_validation(1, j, last, j, {"validate": "list", "source": source, "error_type": "warning",
                                                   "ignore_blank": True})
        ws.freeze_panes(1, 0)
    book.close()
    return written


def _validation_source(file: str, name: str, kind: str | None, has_lists: bool, n_ids: int, n_tags: int):
    if kind == "bool":
        return ["true", "false"]
    if file == "targets.csv" and name == "kind":
        return list(TARGET_KINDS)
    if file == "targets.csv" and name == "pollutant":
        return list(POLLUTANTS)
    if file == "measures.csv" and name == "sector":
        return list(SECTORS_SUGGESTED)
    if has_lists and name == "measure" and file != "measures.csv" and n_ids:
        return f"=_lists!$A$1:$A${n_ids}"
    if has_lists and file == "deployment.csv" and name == "tag" and n_tags:
        return f"=_lists!$B$1:$B${n_tags}"
    return None


def _write_baseline(ws, head: list[str], body: list[list[str]], header, file: str) -> None:
    """baseline.csv (a row per year) as a quantity column and one column per year."""
    from planner.io.columns import input_column

    kinds = {c.name: c.kind for c in FILES[file]}
    year_col = head.index("year") if "year" in head else 0
    ws.write_string(0, 0, QUANTITY, header)
    ws.write_comment(0, 0, "one row per baseline.csv column; one column per year")
    for j, row in enumerate(body, start=1):
        value = _cell_value(row[year_col], "integer")
        (ws.write_number if not isinstance(value, str) else ws.write_string)(0, j, value, header)
    quantities = [q for q in head if q != "year"]
    for i, quantity in enumerate(quantities, start=1):
        ws.write_string(i, 0, quantity)
        info = input_column(file, quantity)
        if info is not None:
            ws.write_comment(i, 0, f"{info.label_zh} / {info.label_en}\n{info.unit or '-'}: {info.description}",
                             {"x_scale": 2.2, "y_scale": 1.4})
        k = head.index(quantity)
        for j, row in enumerate(body, start=1):
            text = row[k] if k < len(row) else ""
            value = _cell_value(text, kinds.get(quantity, "number"))
            if isinstance(value, str):
                if value:
                    ws.write_string(i, j, value)
            else:
                ws.write_number(i, j, value)
    ws.set_column(0, 0, 18)
    ws.set_column(1, len(body), 13)
    ws.freeze_panes(1, 1)


# ---- workbook -> CSV text ---------------------------------------------------------------------------

@dataclasses.dataclass
class SheetText:
    file: str
    text: str
    # CSV (line, column) -> cell reference, for messages
    cells: dict[tuple[int, str], str]
    rows: dict[int, int]  # CSV line -> sheet row


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def read_sheets(path: Path) -> tuple[dict[str, SheetText], list[Problem]]:
    """Each input sheet of the workbook as CSV text, with the cell of every (line, column)."""
    import openpyxl

    problems: list[Problem] = []
    label = str(path)
    try:
        values = openpyxl.load_workbook(path, data_only=True, read_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or non-xlsx file
        raise InputError([Problem(label, f"cannot read the workbook ({exc}); save it as .xlsx from Excel")]) from None
    out: dict[str, SheetText] = {}
    for file in FILES:
        name = sheet_of(file)
        if name not in values.sheetnames:
            continue
        grid = [list(row) for row in values[name].iter_rows(values_only=True)]
        raw = [list(row) for row in formulas[name].iter_rows(values_only=True)]
        for r, row in enumerate(raw):
            for c, cell in enumerate(row):
                if isinstance(cell, str) and cell.startswith("=") and (
                        r >= len(grid) or c >= len(grid[r]) or grid[r][c] is None):
                    problems.append(Problem(label, f"{name}!{_column_letter(c)}{r + 1}: formula {cell} has no saved "
                                                   "value (the workbook was saved by a program that does not compute "
                                                   "formulas); open and save it in Excel, or type the value"))
        while grid and all(v is None or v == "" for v in grid[-1]):
            grid.pop()
        if file == "baseline.csv":
            out[file] = _baseline_text(name, grid, label, problems)
        else:
            out[file] = _table_text(name, grid)
    return out, problems


def _table_text(name: str, grid: list[list]) -> SheetText:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = [_text(v) for v in (grid[0] if grid else [])]
    while header and header[-1] == "":
        header.pop()
    cells: dict[tuple[int, str], str] = {}
    rows: dict[int, int] = {}
    for r, row in enumerate(grid, start=1):
        texts = [_text(v) for v in row[:len(header)]] if r > 1 else header
        writer.writerow(texts + [""] * (len(header) - len(texts)) if r > 1 else texts)
        rows[r] = r
        for c, column in enumerate(header):
            cells[(r, column)] = f"{name}!{_column_letter(c)}{r}"
    return SheetText(f"{name}.csv", buffer.getvalue(), cells, rows)


def _baseline_text(name: str, grid: list[list], label: str, problems: list[Problem]) -> SheetText:
    """The wide baseline sheet (quantity x year) as baseline.csv's rows (one per year)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if not grid or _text(grid[0][0]) != QUANTITY:
        problems.append(Problem(label, f"{name}!A1 must be {QUANTITY!r}: the baseline sheet has a quantity column "
                                       "and one column per year"))
        return SheetText("baseline.csv", "", {}, {})
    years = [(c, _text(v)) for c, v in enumerate(grid[0]) if c > 0 and _text(v) != ""]
    quantities = [(r, _text(row[0])) for r, row in enumerate(grid) if r > 0 and row and _text(row[0]) != ""]
    writer.writerow(["year", *(q for _, q in quantities)])
    cells: dict[tuple[int, str], str] = {}
    rows: dict[int, int] = {}
    for line, (c, year) in enumerate(years, start=2):
        values = [_text(grid[r][c]) if c < len(grid[r]) else "" for r, _ in quantities]
        writer.writerow([year, *values])
        letter = _column_letter(c)
        cells[(line, "year")] = f"{name}!{letter}1"
        for r, quantity in quantities:
            cells[(line, quantity)] = f"{name}!{letter}{r + 1}"
        rows[line] = 1
    for r, quantity in quantities:
        cells[(1, quantity)] = f"{name}!A{r + 1}"
    cells[(1, "year")] = f"{name}!A1"
    return SheetText("baseline.csv", buffer.getvalue(), cells, rows)


def workbook_to_folder(path: Path, folder: Path) -> dict[str, SheetText]:
    """Write the workbook's input sheets as CSV files into ``folder`` (line numbers kept)."""
    sheets, problems = read_sheets(path)
    if problems:
        raise InputError(problems)
    folder.mkdir(parents=True, exist_ok=True)
    for file, sheet in sheets.items():
        (folder / file).write_text(sheet.text, encoding="utf-8")
    return sheets


def _cell_problem(problem: Problem, sheets: dict[str, SheetText], workbook: Path) -> Problem:
    """A CSV problem of the converted folder moved to its workbook cell."""
    file = Path(problem.file).name
    sheet = sheets.get(file)
    if sheet is None:
        return problem
    where = None
    if problem.line is not None and problem.column:
        where = sheet.cells.get((problem.line, problem.column))
    if where is None and problem.line is not None:
        row = sheet.rows.get(problem.line, problem.line)
        where = f"{sheet_of(file)}!{row}:{row}" if file != "baseline.csv" else f"{sheet_of(file)}"
    message = problem.message
    if where is None:
        where = sheet_of(file)
    column = f" ({problem.column})" if problem.column else ""
    return Problem(str(workbook), f"{where}{column}: {message}".replace(str(file) + " ", f"{sheet_of(file)} sheet "))


def load_workbook_data(spec):
    """``load_data`` for a spec whose ``inputs`` names a .xlsx workbook: the same tables and checks
    as the folder route, problems reported by sheet and cell."""
    from planner.io.inputs import load_data

    workbook = spec.inputs_dir
    if not workbook.is_file():
        raise InputError([Problem(str(spec.path), f"workbook {workbook} (from [model] inputs) does not exist; fix the "
                                                  "inputs path, relative to the spec file")])
    with tempfile.TemporaryDirectory(prefix="planner-xlsx-") as tmp:
        sheets = workbook_to_folder(workbook, Path(tmp))
        try:
            data = load_data(dataclasses.replace(spec, inputs_dir=Path(tmp)))
        except InputError as error:
            raise InputError([_cell_problem(p, sheets, workbook) for p in error.problems]) from None
    import hashlib

    hashes = {"workbook": hashlib.sha256(workbook.read_bytes()).hexdigest(),
              **{f"{sheet_of(k)} (sheet)": v for k, v in data.input_sha256.items()}}
    return dataclasses.replace(data, spec=spec, input_sha256=hashes)


def convert(source: Path, target: Path) -> str:
    """A data folder to a workbook, or a workbook to a data folder (files beside carried along)."""
    if source.is_dir():
        if target.suffix.lower() != ".xlsx":
            raise ValueError(f"{target}: a data folder converts to a .xlsx workbook")
        target.parent.mkdir(parents=True, exist_ok=True)
        sheets = write_workbook(source, target)
        carried, kept = [], []
        for name in _files_beside(source):
            if (target.parent / name).exists():
                kept.append(name)
            else:
                shutil.copy2(source / name, target.parent / name)
                carried.append(name)
        return (f"wrote {target} (sheets {', '.join(sheets)})" + _carried_note(carried, target.parent)
                + (f"; left as they were beside it: {', '.join(kept)}" if kept else ""))
    if source.suffix.lower() == ".xlsx" and source.is_file():
        if target.exists() and any(target.iterdir()):
            raise ValueError(f"{target} is not empty; choose a new folder so nothing is overwritten")
        sheets = workbook_to_folder(source, target)
        carried = []
        for name in _files_beside(source.parent):
            if not (target / name).exists():
                shutil.copy2(source.parent / name, target / name)
                carried.append(name)
        return f"wrote {target} ({', '.join(sheets)})" + _carried_note(carried, target)
    raise ValueError(f"{source} is neither a data folder nor an .xlsx workbook")


def _files_beside(folder: Path) -> list[str]:
    """The files that travel with a data folder and are not sheets: CARRIED_FILES and every other CSV
    (a scenario's targets, baseline or actuals file, uncertainty.csv), which a scenario names by path
    and the workbook does not hold."""
    sheet_files = set(FILES)
    return sorted(path.name for path in folder.iterdir() if path.is_file()
                  and (path.name in CARRIED_FILES or (path.suffix.lower() == ".csv" and path.name not in sheet_files)))


def _carried_note(names: list[str], folder: Path) -> str:
    return f"; carried into {folder}: {', '.join(names)}" if names else ""

"""What a report holds, independent of its two files: sheets for the workbook, sections (title, a
reading in words, charts, tables) for the page, native Excel charts over the workbook's cells.

Also the helpers that put a result table into the report's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner.errors import PlannerError
from planner.io.columns import COLUMNS
from planner.io.writer import CSV_ENCODING
from planner.report.labels import column_label, value_labels, yes_no

# From the column table: result columns that hold fractions (shown as percentages in the workbook
# and the page) and true/false columns (shown as 是/否 or yes/no).
FRACTION_COLUMNS = frozenset(c.name for c in COLUMNS if c.unit == "fraction" and c.direction == "output")
BOOL_COLUMNS = frozenset(c.name for c in COLUMNS if c.kind == "bool")


class NotAResultsFolder(PlannerError):
    exit_code = 3


@dataclass
class Sheet:
    name: str
    table: pd.DataFrame
    note: str = ""
    # labelled column -> per-row True where the cell is a fraction to show as a percentage
    percent: dict[str, list[bool]] = field(default_factory=dict)
    blank: str = ""  # how the page shows an empty cell


@dataclass
class Chart:
    """A plotly figure and the CSV numbers behind it (embedded as JSON beside the chart)."""
    id: str
    figure: object
    data: dict = field(default_factory=dict)


@dataclass
class ExcelChart:
    """A native Excel chart drawn over a block of cells in the workbook's chart sheet.

    ``kind``: ``line`` (lines per column; ``marker_columns`` drawn as markers only),
    ``stacked`` (stacked columns), ``column`` (clustered columns), ``bar`` (horizontal bars drawn
    over each other: a tornado), ``step`` (x-y straight lines: the MAC curve), ``points`` (x-y
    markers, each labelled with ``label_column``'s cell).
    ``table``'s first column is the category (or x) axis. ``percent``: the value columns hold
    fractions (cells and the value axis shown as %).
    """
    title: str
    table: pd.DataFrame
    kind: str
    x_title: str = ""
    y_title: str = ""
    marker_columns: tuple[str, ...] = ()
    colours: dict[str, str] = field(default_factory=dict)
    percent: bool = False
    label_column: str | None = None
    dash_columns: tuple[str, ...] = ()


@dataclass
class Section:
    title: str
    reading: str = ""
    charts: list[Chart] = field(default_factory=list)
    tables: list[Sheet] = field(default_factory=list)
    id: str = ""


@dataclass
class Report:
    title: str
    sheets: list[Sheet]
    sections: list[Section] = field(default_factory=list)
    key_figures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, list[str]]] = field(default_factory=list)  # headed lists of text lines
    excel_charts: list[ExcelChart] = field(default_factory=list)

    @property
    def charts(self) -> list[tuple[str, object]]:
        return [(chart.id, chart.figure) for section in self.sections for chart in section.charts]

    @property
    def chart_data(self) -> dict:
        return {chart.id: chart.data for section in self.sections for chart in section.charts}


def read_csv(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, encoding=CSV_ENCODING)


def labelled(table: pd.DataFrame, lang: str, file: str | None = None) -> pd.DataFrame:
    """Headers in the report's language; true/false as 是/否 (yes/no); codes in text cells in words
    (kinds, pollutants, statuses; sectors in Chinese). Numbers are left as they are."""
    table = table.copy()
    codes = value_labels(lang)
    for column in table.columns:
        if column in codes:
            names = codes[column]
            table[column] = table[column].map(
                lambda v, names=names: ";".join(names.get(part, part) for part in v.split(";"))
                if isinstance(v, str) else v)
        elif column in BOOL_COLUMNS:
            table[column] = table[column].map(lambda v: yes_no(v, lang))
    return table.rename(columns={c: column_label(c, lang, file) for c in table.columns})


def sheet(name: str, table: pd.DataFrame, lang: str, file: str | None = None, **kwargs) -> Sheet:
    """A labelled sheet whose fraction columns are shown as percentages (the targets table's
    ``value`` is a fraction only on rows whose ``unit`` is ``fraction``)."""
    percent = {column_label(c, lang, file): [True] * len(table) for c in table.columns if c in FRACTION_COLUMNS}
    if "value" in table.columns and "unit" in table.columns:
        percent[column_label("value", lang, file)] = (table["unit"] == "fraction").tolist()
    return Sheet(name, labelled(table, lang, file), percent=percent, **kwargs)


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)

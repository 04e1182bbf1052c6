"""report.xlsx: labelled sheets (units in headers, numbers as numbers, percentages where a column
holds fractions, frozen header, filters) and native Excel charts drawn over the workbook's own
cells, so a planner can restyle or copy them in Excel."""

from __future__ import annotations

import math
from pathlib import Path

from planner.report.content import ExcelChart, Report
from planner.report.terminal import text_width

MAX_COLUMN_WIDTH = 60
CHART_ROWS = 22  # rows between two chart blocks on the chart sheet


def sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "sheet"
    candidate, k = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]}_{k}"
        k += 1
    used.add(candidate)
    return candidate


def write_workbook(report: Report, path: Path, chart_sheet: str = "图表") -> None:
    """Every sheet of ``report``, then (when the report has any) a chart sheet with each native
    chart beside the cells it draws.

    Text is written with ``write_string``, so a cell such as "=1+1" stays text and Excel never
    evaluates it.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False, "nan_inf_to_errors": False})
    styles = {
        "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                                       "border": 1}),
        "decimal": workbook.add_format({"num_format": "#,##0.00"}),
        "whole": workbook.add_format({"num_format": "#,##0"}),
        "year": workbook.add_format({"num_format": "0"}),
        "percent": workbook.add_format({"num_format": "0.0%"}),
        "title": workbook.add_format({"bold": True, "font_size": 12}),
    }
    used: set[str] = set()
    for sheet in report.sheets:
        ws = workbook.add_worksheet(sheet_name(sheet.name, used))
        _write_table(ws, sheet.table, styles, sheet.percent, 0, 0)
        ws.freeze_panes(1, 0)
        if len(sheet.table):
            ws.autofilter(0, 0, len(sheet.table), max(0, len(sheet.table.columns) - 1))
    if report.excel_charts:
        name = sheet_name(chart_sheet, used)
        ws = workbook.add_worksheet(name)
        row = 0
        for spec in report.excel_charts:
            ws.write_string(row, 0, spec.title, styles["title"])
            percent = ({str(c): [True] * len(spec.table) for c in spec.table.columns[1:]
                        if c != spec.label_column} if spec.percent else {})
            _write_table(ws, spec.table, styles, percent, row + 1, 0, fit=False)
            chart = _chart(workbook, name, spec, row + 1)
            ws.insert_chart(row + 1, len(spec.table.columns) + 1, chart)
            row += max(CHART_ROWS, len(spec.table) + 4)
        ws.set_column(0, 0, 14)
        ws.set_column(1, 12, 13)
    workbook.close()


def _write_table(ws, table, styles, percent, row0: int, col0: int, fit: bool = True) -> None:
    widths = [text_width(str(c)) for c in table.columns]
    percent_rows = [percent.get(str(c)) for c in table.columns]
    for j, column in enumerate(table.columns):
        ws.write_string(row0, col0 + j, str(column), styles["header"])
    for i, row in enumerate(table.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if isinstance(value, bool) or type(value).__name__ == "bool_":
                ws.write_boolean(row0 + i, col0 + j, bool(value))
                widths[j] = max(widths[j], 5)
            elif isinstance(value, (int, float)) or type(value).__module__ == "numpy":
                number = float(value)
                if not math.isfinite(number):
                    ws.write_string(row0 + i, col0 + j, str(value))
                    continue
                label = str(table.columns[j])
                if percent_rows[j] is not None and percent_rows[j][i - 1]:
                    style = styles["percent"]
                elif "年份" in label or "year" in label.lower():
                    style = styles["year"]
                else:
                    style = styles["whole"] if number.is_integer() else styles["decimal"]
                ws.write_number(row0 + i, col0 + j, number, style)
                widths[j] = max(widths[j], len(f"{number:,.2f}"))
            else:
                text = str(value)
                ws.write_string(row0 + i, col0 + j, text)
                widths[j] = max(widths[j], text_width(text))
    if fit:
        for j, width in enumerate(widths):
            ws.set_column(col0 + j, col0 + j, min(MAX_COLUMN_WIDTH, width + 2))


def _chart(workbook, sheet: str, spec: ExcelChart, header_row: int):
    """The chart of ``spec`` whose series reference the block written at ``header_row``."""
    first, last = header_row + 1, header_row + len(spec.table)
    kinds = {"stacked": {"type": "column", "subtype": "stacked"}, "column": {"type": "column"},
             "bar": {"type": "bar"}, "step": {"type": "scatter", "subtype": "straight"},
             "points": {"type": "scatter"}}
    chart = workbook.add_chart(kinds.get(spec.kind, {"type": "line"}))
    columns = list(spec.table.columns)
    label_col = columns.index(spec.label_column) if spec.label_column in columns else None
    for j, column in enumerate(columns[1:], start=1):
        if j == label_col:
            continue
        series = {
            "name": [sheet, header_row, j],
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, j, last, j],
        }
        colour = spec.colours.get(str(column))
        if spec.kind in ("stacked", "column", "bar"):
            series["fill"] = {"color": colour or "#1f77b4"}
            if spec.kind == "bar":
                series["overlap"] = 100
                series["gap"] = 60
        elif spec.kind == "points":
            series["marker"] = {"type": "circle", "size": 8, "fill": {"color": colour or "#1f77b4"},
                                "border": {"color": colour or "#1f77b4"}}
            if label_col is not None:
                series["data_labels"] = {"value": False, "custom": [
                    {"value": f"={_quote(sheet)}!${_column_letter(label_col)}${first + k + 1}"}
                    for k in range(len(spec.table))], "position": "above"}
        elif column in spec.marker_columns:
            series["line"] = {"none": True}
            series["marker"] = {"type": "diamond", "size": 8, "fill": {"color": colour or "#000000"},
                                "border": {"color": colour or "#000000"}}
        else:
            series["line"] = {"color": colour or "#1f77b4", "width": 2.25,
                              **({"dash_type": "dash"} if column in spec.dash_columns else {})}
            if spec.kind == "line":
                series["marker"] = {"type": "none"}
        chart.add_series(series)
    value_format = "0%" if spec.percent else "#,##0"
    gridlines = {"visible": True, "line": {"color": "#e6e6e6"}}
    chart.set_title({"name": spec.title, "name_font": {"size": 12}})
    if spec.kind == "bar":  # horizontal: the categories run up the y axis, values along x
        chart.set_x_axis({"name": spec.y_title, "num_format": value_format, "major_gridlines": gridlines})
        chart.set_y_axis({"name": spec.x_title, "reverse": True})
    else:
        chart.set_x_axis({"name": spec.x_title})
        chart.set_y_axis({"name": spec.y_title, "num_format": value_format, "major_gridlines": gridlines,
                          **({"min": 0, "max": 1} if spec.percent else {})})
    chart.set_legend({"position": "bottom"} if spec.kind != "points" else {"none": True})
    chart.set_size({"width": 620, "height": max(360, 22 * len(spec.table) + 120) if spec.kind == "bar" else 360})
    return chart


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _column_letter(index: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(index, col_abs=False)

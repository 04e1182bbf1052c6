"""Turn a run, sweep or comparison folder into report.xlsx and a self-contained report.html.

Every number comes from the folder's own CSV and JSON files, so the report always agrees with them.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pandas as pd

from planner.report.terminal import text_width
from planner.errors import PlannerError
from planner.report.diagnosis import diagnosis_lines
from planner.report.labels import (PHRASES, VALUE_LABELS_ZH, column_label, metric_label, phrase, pollutant_label,
                                   sector_label, shadow_from_label, status_label, unit_label, yes_no)
from planner.io.writer import CSV_ENCODING, claim_names, register_files
from planner.io.schema import POLLUTANTS
from planner.report.svg import line_chart, mac_chart, quadrant_chart, stacked_bar_chart

AIR_POLLUTANTS = ("nox", "so2", "vocs", "pm")
MAX_COLUMN_WIDTH = 60


class NotAResultsFolder(PlannerError):
    exit_code = 3


# Result columns that hold fractions: shown as percentages in the workbook and the page.
FRACTION_COLUMNS = frozenset({"intensity_change_vs_base"})
BOOL_COLUMNS = frozenset({"met", "targets_met", "integer", "proven_optimal"})


@dataclass
class Sheet:
    name: str
    table: pd.DataFrame
    note: str = ""
    # labelled column -> per-row True where the cell is a fraction to show as a percentage
    percent: dict[str, list[bool]] = field(default_factory=dict)
    blank: str = ""  # how the page shows an empty cell


@dataclass
class Report:
    title: str
    sheets: list[Sheet]
    charts: list[tuple[str, str]] = field(default_factory=list)  # (chart id, svg)
    notes: list[tuple[str, list[str]]] = field(default_factory=list)  # headed lists of text lines
    chart_data: dict = field(default_factory=dict)
    key_figures: list[tuple[str, str]] = field(default_factory=list)
    html_tables: list[Sheet] = field(default_factory=list)


def _read_csv(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, encoding=CSV_ENCODING)


def _labelled(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Headers in the report's language; true/false as 是/否 (yes/no); in Chinese, codes in text
    cells too (kinds, pollutants, sectors). Numbers are left as they are."""
    table = table.copy()
    for column in table.columns:
        if lang == "zh" and column in VALUE_LABELS_ZH:
            names = VALUE_LABELS_ZH[column]
            table[column] = table[column].map(
                lambda v, names=names: ";".join(names.get(part, part) for part in v.split(";"))
                if isinstance(v, str) else v)
        elif column in BOOL_COLUMNS:
            table[column] = table[column].map(lambda v: yes_no(v, lang))
    return table.rename(columns={c: column_label(c, lang) for c in table.columns})


def _sheet(name: str, table: pd.DataFrame, lang: str, **kwargs) -> Sheet:
    """A labelled sheet whose fraction columns are shown as percentages (the targets table's
    ``value`` is a fraction only on rows whose ``unit`` is ``fraction``)."""
    percent = {column_label(c, lang): [True] * len(table) for c in table.columns if c in FRACTION_COLUMNS}
    if "value" in table.columns and "unit" in table.columns:
        percent[column_label("value", lang)] = (table["unit"] == "fraction").tolist()
    return Sheet(name, _labelled(table, lang), percent=percent, **kwargs)


def _with_tag_names(targets: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Deployment targets name their tag by the measures that carry it: ``nonfossil_mw (屋顶光伏, 风电)``."""
    if "tags" not in catalogue.columns or not (targets["kind"] == "deployment").any():
        return targets
    names: dict[str, list[str]] = {}
    for name, tags in zip(catalogue["name"], catalogue["tags"].fillna("")):
        for tag in str(tags).split(";"):
            if tag:
                names.setdefault(tag, []).append(str(name))
    targets = targets.copy()
    deployment = targets["kind"] == "deployment"
    targets.loc[deployment, "subject"] = [f"{tag} ({', '.join(names[tag])})" if tag in names else tag
                                          for tag in targets.loc[deployment, "subject"]]
    return targets


def _shadow_price_text(targets: pd.DataFrame, lang: str) -> list[str]:
    """One shadow price per target row with its unit: 元/t for emission targets, 元/unit for deployment."""
    per_unit = "元/单位" if lang == "zh" else "元/unit"
    out = []
    for row in targets.itertuples():
        value, unit = ((row.shadow_price_yuan_per_unit, per_unit) if row.kind == "deployment"
                       else (row.shadow_price_yuan_per_t, "元/t"))
        out.append("" if pd.isna(value) else f"{0.0 if abs(value) < 0.005 else value:,.2f} {unit}")
    return out


def build_report(folder: Path, lang: str = "zh") -> Report:
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotAResultsFolder(f"{folder} has no readable summary.json; give a folder written by "
                                "`planner run`, `planner sweep` or `planner compare`") from None
    kind = summary.get("kind", "run")
    try:
        if kind == "sweep":
            return _sweep_report(folder, summary, lang)
        if kind == "comparison":
            return _comparison_report(folder, lang)
        return _run_report(folder, summary, lang)
    except (OSError, KeyError, ValueError) as exc:
        raise NotAResultsFolder(f"{folder}: its result files are incomplete or were edited ({exc}); "
                                "rerun the planner to regenerate them") from None


def key_projects(plan: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """重点工程清单: every chosen measure with its units, investment, first year, plan section and lead."""
    added = plan[plan["added"] > 0]
    if added.empty:
        return pd.DataFrame(columns=["measure", "name", "sector", "unit", "units_added", "capex_wan_yuan",
                                     "first_year_added", "plan_ref", "lead"])
    grouped = added.groupby("measure", sort=False).agg(units_added=("added", "sum"),
                                                       capex_wan_yuan=("capex_wan_yuan", "sum"),
                                                       first_year_added=("year", "min")).reset_index()
    info = catalogue.set_index("measure")[["name", "sector", "unit", "plan_ref", "lead"]]
    table = grouped.join(info, on="measure")
    table = table.sort_values(["capex_wan_yuan", "measure"], ascending=[False, True], kind="stable")
    return table[["measure", "name", "sector", "unit", "units_added", "capex_wan_yuan", "first_year_added",
                  "plan_ref", "lead"]].reset_index(drop=True)


def yearly_tasks(plan: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """年度任务分解: what each lead department adds in each year."""
    added = plan[plan["added"] > 0][["year", "measure", "name", "added", "unit", "capex_wan_yuan"]]
    info = catalogue.set_index("measure")[["lead", "plan_ref"]]
    table = added.join(info, on="measure").sort_values(["year", "lead", "measure"], kind="stable")
    return table[["year", "lead", "measure", "name", "added", "unit", "capex_wan_yuan", "plan_ref"]].reset_index(
        drop=True)


def cost_by_year_sector(plan: pd.DataFrame) -> pd.DataFrame:
    if plan.empty:
        return pd.DataFrame(columns=["year", "sector", "capex_wan_yuan", "opex_wan_yuan"])
    return plan.groupby(["year", "sector"], as_index=False)[["capex_wan_yuan", "opex_wan_yuan"]].sum()


def _run_report(folder: Path, summary: dict, lang: str) -> Report:
    plan = _read_csv(folder, "plan.csv")
    emissions = _read_csv(folder, "emissions.csv")
    targets = _read_csv(folder, "targets.csv")
    catalogue = _read_csv(folder, "cost_effectiveness.csv")
    projects = key_projects(plan, catalogue)
    tasks = yearly_tasks(plan, catalogue)
    costs = cost_by_year_sector(plan)
    yes, no = phrase("yes", lang), phrase("no", lang)
    horizon = summary.get("horizon", {})
    budgets = [b for b in summary.get("budget_wan_yuan_by_year", {}).values()]
    if budgets and all(b is not None for b in budgets) and len(set(budgets)) == 1:
        budget_text = f"{budgets[0]:,.0f}"
    elif budgets and any(b is not None for b in budgets):
        budget_text = "; ".join(f"{y}: {'—' if b is None else f'{b:,.0f}'}"
                                for y, b in summary["budget_wan_yuan_by_year"].items())
    else:
        budget_text = phrase("no_limit", lang)
    total_budget = summary.get("budget_total_wan_yuan")
    rate = summary.get("discount_rate")

    overview = [
        (phrase("model", lang), summary.get("model")),
        (phrase("scenario", lang), summary.get("scenario") or ""),
        (phrase("status", lang), status_label(summary.get("status"), lang)),
        (phrase("objective", lang), summary.get("objective")),
        (phrase("cost", lang), summary.get("cost_wan_yuan")),
        (phrase("capex_total", lang), summary.get("totals", {}).get("capex_wan_yuan")),
        (phrase("opex_total", lang), summary.get("totals", {}).get("opex_wan_yuan")),
        (phrase("measures_chosen", lang), summary.get("totals", {}).get("measures_chosen")),
        (phrase("targets_met", lang), yes if summary.get("targets_met") else no),
        (phrase("solver", lang), f"HiGHS {summary.get('versions', {}).get('highs', '')}"),
        (phrase("shadow_from", lang), shadow_from_label(summary.get("shadow_prices_from"), lang)),
        (phrase("horizon", lang), f"{horizon.get('start_year')}–{horizon.get('end_year')} "
                                  f"({phrase('base_year', lang)} {horizon.get('base_year')})"),
        (phrase("discount_rate", lang), f"{100 * rate:g} %" if rate is not None else ""),
        (phrase("budget_yearly", lang), budget_text),
        (phrase("budget_total", lang), phrase("no_limit", lang) if total_budget is None else total_budget),
    ]
    summary_table = pd.DataFrame(overview, columns=[phrase("item", lang), phrase("value", lang)])
    named_targets = _with_tag_names(targets, catalogue)
    sheets = [
        Sheet(phrase("summary", lang), summary_table),
        _sheet(phrase("annual_plan", lang), plan, lang),
        _sheet(phrase("emissions", lang), emissions, lang),
        _sheet(phrase("targets", lang), named_targets, lang),
        _sheet(phrase("cost_by_sector", lang), costs, lang),
        _sheet(phrase("catalogue", lang), catalogue, lang),
        _sheet(phrase("key_projects", lang), projects, lang),
        _sheet(phrase("yearly_tasks", lang), tasks, lang),
    ]
    report = Report(title=f"{phrase('report_title', lang)} — {summary.get('model')}"
                          + (f" / {summary['scenario']}" if summary.get("scenario") else ""), sheets=sheets)
    report.key_figures = [(label, _fmt(value)) for label, value in overview[2:9]]
    solved = summary.get("status") in ("optimal", "time_limit") and bool(summary.get("targets"))
    if summary.get("diagnosis"):
        lines = diagnosis_lines(summary["diagnosis"], lang)
        report.notes = [(phrase(key, lang), lines[key.removeprefix("diag_")])
                        for key in ("diag_why", "diag_closest", "diag_conflict", "diag_fixes", "diag_notes")
                        if lines[key.removeprefix("diag_")]]
    _emission_charts(report, emissions, lang, solved)
    _investment_chart(report, costs, lang)
    _mac_and_coordinate_charts(report, catalogue, lang)
    shown = named_targets[["year", "kind", "subject", "value", "unit", "required", "achieved", "met"]].copy()
    shown["shadow_price"] = _shadow_price_text(targets, lang)
    if "basis" in targets:
        shown["basis"] = targets["basis"]
    target_sheet = _sheet(phrase("targets", lang), shown, lang)
    target_sheet.table = target_sheet.table.drop(columns=[column_label("unit", lang)])
    report.html_tables = [target_sheet, _sheet(phrase("key_projects", lang), projects, lang)]
    return report


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _emission_charts(report: Report, emissions: pd.DataFrame, lang: str, solved: bool = True) -> None:
    """Emissions against BAU and targets; without a solution (infeasible) only BAU and the targets."""
    targeted = [p for p in POLLUTANTS if emissions.loc[emissions["pollutant"] == p, "target_kind"].notna().any()]
    for pollutant in targeted or ["co2"]:
        rows = emissions[emissions["pollutant"] == pollutant].sort_values("year")
        years = rows["year"].tolist()
        bau, planned = rows["bau_t"].tolist(), rows["emissions_t"].tolist()
        limits = rows[rows["emission_limit_t"].notna()]
        markers = [{"x": int(r.year), "y": float(r.emission_limit_t), "legend": phrase("target_marker", lang),
                    "label": f"{phrase('target_marker', lang)} {int(r.year)}"} for r in limits.itertuples()]
        chart_id = f"chart-emissions-{pollutant}"
        title = f"{pollutant_label(pollutant, lang)} — {phrase('emissions_t', lang)}"
        series = [{"label": phrase("bau", lang), "x": years, "y": bau, "dash": True, "color": "#7f7f7f"}]
        if solved:
            series.append({"label": phrase("planned", lang), "x": years, "y": planned, "color": "#1f77b4"})
        report.charts.append((chart_id, line_chart(
            chart_id, title, phrase("year", lang), phrase("emissions_t", lang), series, markers)))
        report.chart_data[chart_id] = {"year": years, "bau_t": bau, "emissions_t": planned if solved else None,
                                       "emission_limit_t": {str(m["x"]): m["y"] for m in markers}}
    co2 = emissions[emissions["pollutant"] == "co2"].sort_values("year")
    years = co2["year"].tolist()
    intensity = co2["intensity_t_per_yi_yuan"].tolist()
    bau_intensity = (co2["bau_t"] / co2["gdp_yi_yuan"]).tolist()
    limits = co2[co2["emission_limit_t"].notna()]
    markers = [{"x": int(r.year), "y": float(r.emission_limit_t / r.gdp_yi_yuan),
                "legend": phrase("target_marker", lang), "label": f"{phrase('target_marker', lang)} {int(r.year)}"}
               for r in limits.itertuples()]
    series = [{"label": phrase("bau", lang), "x": years, "y": bau_intensity, "dash": True, "color": "#7f7f7f"}]
    if solved:
        series.append({"label": phrase("planned", lang), "x": years, "y": intensity, "color": "#d62728"})
    report.charts.append(("chart-intensity", line_chart(
        "chart-intensity", phrase("intensity_chart", lang), phrase("year", lang), phrase("intensity_axis", lang),
        series, markers)))
    report.chart_data["chart-intensity"] = {"year": years, "intensity_t_per_yi_yuan": intensity if solved else None}


def _investment_chart(report: Report, costs: pd.DataFrame, lang: str) -> None:
    years = sorted(costs["year"].unique().tolist()) if len(costs) else []
    pivot = costs.pivot_table(index="year", columns="sector", values="capex_wan_yuan", aggfunc="sum",
                              fill_value=0.0) if len(costs) else pd.DataFrame()
    stacks = {sector_label(s, lang): [float(pivot.loc[y, s]) for y in years] for s in pivot.columns}
    report.charts.append(("chart-investment", stacked_bar_chart(
        "chart-investment", phrase("investment_chart", lang), phrase("year", lang), phrase("investment_axis", lang),
        years or [0], stacks or {"-": [0.0]})))
    report.chart_data["chart-investment"] = {"year": years, "capex_wan_yuan_by_sector": {
        s: [float(pivot.loc[y, s]) for y in years] for s in pivot.columns}}


def _mac_and_coordinate_charts(report: Report, catalogue: pd.DataFrame, lang: str) -> None:
    mac = catalogue[catalogue["co2_yuan_per_t"].notna()].sort_values(["co2_yuan_per_t", "measure"], kind="stable")
    bars = [{"label": r.name, "height": float(r.co2_yuan_per_t), "width": float(r.co2_potential_t_per_yr)}
            for r in mac.itertuples()]
    report.charts.append(("chart-mac", mac_chart("chart-mac", phrase("mac_chart", lang), phrase("mac_x", lang),
                                                 phrase("mac_y", lang), bars)))
    report.chart_data["chart-mac"] = {"measure": mac["measure"].tolist(), "co2_yuan_per_t": [b["height"] for b in bars],
                                      "co2_potential_t_per_yr": [b["width"] for b in bars]}
    air = catalogue[[f"{p}_potential_t_per_yr" for p in AIR_POLLUTANTS]].sum(axis=1)
    points = [{"label": name, "x": float(x), "y": float(y), "group": sector_label(sector, lang)}
              for name, x, y, sector in zip(catalogue["name"], catalogue["co2_potential_t_per_yr"], air,
                                            catalogue["sector"])]
    report.charts.append(("chart-cocontrol", quadrant_chart(
        "chart-cocontrol", phrase("coord_chart", lang), phrase("coord_x", lang), phrase("coord_y", lang), points,
        phrase("quadrants", lang))))
    report.chart_data["chart-cocontrol"] = {"measure": catalogue["measure"].tolist(),
                                            "co2_potential_t_per_yr": [p["x"] for p in points],
                                            "air_pollutant_potential_t_per_yr": [p["y"] for p in points]}


def _sweep_report(folder: Path, summary: dict, lang: str) -> Report:
    table = _read_csv(folder, "sweep.csv")
    core = _read_csv(folder, "no_regret.csv")
    budgets = table["budget_wan_yuan"].tolist()
    report = Report(title=f"{phrase('sweep', lang)} — {summary.get('model')}",
                    sheets=[Sheet(phrase("sweep", lang), _labelled(table, lang)),
                            Sheet("no-regret", _labelled(core, lang))])
    report.charts.append(("chart-sweep-cost", line_chart(
        "chart-sweep-cost", phrase("sweep_cost_chart", lang), phrase("budget_axis", lang), phrase("cost_axis", lang),
        [{"label": phrase("cost", lang), "x": budgets, "y": table["cost_wan_yuan"].tolist()}])))
    report.charts.append(("chart-sweep-shortfall", line_chart(
        "chart-sweep-shortfall", phrase("sweep_shortfall_chart", lang), phrase("budget_axis", lang),
        phrase("missed_axis", lang),
        [{"label": phrase("missed_axis", lang), "x": budgets, "y": table["targets_missed"].tolist(),
          "color": "#d62728"}])))
    report.chart_data["chart-sweep-cost"] = {"budget_wan_yuan": budgets, "cost_wan_yuan": table["cost_wan_yuan"].tolist()}
    report.chart_data["chart-sweep-shortfall"] = {"budget_wan_yuan": budgets,
                                                  "targets_missed": table["targets_missed"].tolist()}
    report.key_figures = [(phrase("measures_chosen", lang) + " (no-regret)", str(len(core)))]
    report.html_tables = [Sheet(phrase("sweep", lang), _labelled(table.drop(columns=["run_folder"]), lang))]
    return report


def _comparison_report(folder: Path, lang: str) -> Report:
    table = _read_csv(folder, "comparison.csv")
    changes = _read_csv(folder, "measure_changes.csv")
    table = comparison_values(table, lang)
    changes = changes.assign(change=changes["change"].map(lambda c: phrase(f"change_{c}", lang)
                                                          if f"change_{c}" in PHRASES else c))
    changes = changes.rename(columns={"run": phrase("run", lang), "change": phrase("change", lang),
                                      "measure": column_label("measure", lang)})
    sheets = [Sheet(phrase("comparison", lang), table, blank="—"),
              Sheet(phrase("measure_changes", lang), changes)]
    report = Report(title=phrase("comparison", lang), sheets=sheets)
    report.html_tables = sheets
    return report


def comparison_values(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """comparison.csv for a report: metric names and units in the report's language, numbers as
    numbers (the CSV's columns mix text and numbers, so pandas reads them as text), statuses
    labelled; a blank cell (no solution, no limit) stays blank."""
    runs = [c for c in table.columns if c not in ("metric", "unit")]
    out = pd.DataFrame({phrase("metric_col", lang): [metric_label(m, lang) for m in table["metric"]],
                        phrase("unit_col", lang): [unit_label("" if pd.isna(u) else u, lang) for u in table["unit"]]})
    for run in runs:
        values = []
        for metric, value in zip(table["metric"], table[run]):
            if pd.isna(value):
                values.append(None)
            elif metric == "status":
                values.append(status_label(str(value), lang))
            else:
                try:
                    values.append(float(value))
                except (TypeError, ValueError):
                    values.append(yes_no(value, lang))
        out[str(run)] = values
    return out


# ---- writers -------------------------------------------------------------------------------------

def write_workbook(report: Report, path: Path) -> None:
    """Labelled sheets, units in headers, numbers as numbers, frozen header row, fitted widths.

    Text is written with ``write_string``, so a cell such as "=1+1" stays text and Excel never
    evaluates it.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False, "nan_inf_to_errors": False})
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                                  "border": 1})
    decimal = workbook.add_format({"num_format": "#,##0.00"})
    whole = workbook.add_format({"num_format": "#,##0"})
    year_format = workbook.add_format({"num_format": "0"})
    percent_format = workbook.add_format({"num_format": "0.0%"})
    used: set[str] = set()
    for sheet in report.sheets:
        name = _sheet_name(sheet.name, used)
        ws = workbook.add_worksheet(name)
        table = sheet.table
        widths = [text_width(str(c)) for c in table.columns]
        percent = [sheet.percent.get(str(c)) for c in table.columns]
        for j, column in enumerate(table.columns):
            ws.write_string(0, j, str(column), header)
        for i, row in enumerate(table.itertuples(index=False), start=1):
            for j, value in enumerate(row):
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    continue
                if isinstance(value, bool) or type(value).__name__ == "bool_":
                    ws.write_boolean(i, j, bool(value))
                    widths[j] = max(widths[j], 5)
                elif isinstance(value, (int, float)) or type(value).__module__ == "numpy":
                    number = float(value)
                    if not math.isfinite(number):
                        ws.write_string(i, j, str(value))
                        continue
                    label = str(table.columns[j])
                    if percent[j] is not None and percent[j][i - 1]:
                        style = percent_format
                    elif "年份" in label or "year" in label.lower():
                        style = year_format
                    else:
                        style = whole if number.is_integer() else decimal
                    ws.write_number(i, j, number, style)
                    widths[j] = max(widths[j], len(f"{number:,.2f}"))
                else:
                    text = str(value)
                    ws.write_string(i, j, text)
                    widths[j] = max(widths[j], text_width(text))
        for j, width in enumerate(widths):
            ws.set_column(j, j, min(MAX_COLUMN_WIDTH, width + 2))
        ws.freeze_panes(1, 0)
        if len(table):
            ws.autofilter(0, 0, len(table), max(0, len(table.columns) - 1))
    workbook.close()


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "sheet"
    candidate, k = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]}_{k}"
        k += 1
    used.add(candidate)
    return candidate


def _html_table(sheet: Sheet) -> str:
    """Numbers right-aligned with thousands separators (years without), fractions as %, text left."""
    columns = [str(c) for c in sheet.table.columns]
    percent = [sheet.percent.get(c) for c in columns]
    years = ["年份" in c or "year" in c.lower() for c in columns]

    def cell(value, i: int, j: int) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return f"<td>{escape(sheet.blank)}</td>"
        if isinstance(value, bool):
            return f"<td>{escape(str(value))}</td>"
        if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
            number = float(value)
            if percent[j] is not None and percent[j][i]:
                text = f"{100 * number:.1f}%"
            elif years[j] and number.is_integer():
                text = f"{int(number)}"
            elif number.is_integer():
                text = f"{int(number):,}"
            else:
                text = f"{0.0 if abs(number) < 0.005 else number:,.2f}"
            return f'<td class="num">{text}</td>'
        return f"<td>{escape(str(value))}</td>"

    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(cell(v, i, j) for j, v in enumerate(row)) + "</tr>"
                   for i, row in enumerate(sheet.table.itertuples(index=False)))
    return f"<h2>{escape(sheet.name)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC", sans-serif;
       margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; }
.figure { border: 1px solid #ccd; border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.figure .k { font-size: 12px; color: #555; } .figure .v { font-size: 18px; font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
svg.chart { border: 1px solid #e3e3e3; background: #fff; max-width: 100%; height: auto; }
svg .title { font-size: 15px; font-weight: bold; } svg .tick { font-size: 11px; fill: #444; }
svg .label { font-size: 12px; fill: #333; } svg .legend { font-size: 12px; }
svg .grid { stroke: #eee; } svg .axis { stroke: #555; } svg .quadrant { font-size: 12px; fill: #999; }
table { border-collapse: collapse; font-size: 12px; } td, th { border: 1px solid #ddd; padding: 3px 6px; }
th { background: #eef3fa; } td { text-align: left; } td.num { text-align: right; }
.diagnosis { border-left: 4px solid #d62728; padding: 4px 14px; background: #fff6f6; }
.note { color: #666; font-size: 12px; }
"""


def render_html(report: Report, lang: str) -> str:
    figures = "".join(f'<div class="figure"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div></div>'
                      for k, v in report.key_figures)
    charts = "\n".join(svg for _, svg in report.charts)
    tables = "\n".join(_html_table(t) for t in report.html_tables)
    notes = "".join(f'<h3>{escape(head)}</h3><ul>' + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"
                    for head, lines in report.notes)
    notes = f'<div class="diagnosis" id="diagnosis">{notes}</div>' if notes else ""
    data = json.dumps(report.chart_data, ensure_ascii=False, default=float).replace("</", "<\\/")
    html_lang = "zh-CN" if lang == "zh" else "en"
    return f"""<!DOCTYPE html>
<html lang="{html_lang}"><head><meta charset="utf-8"><title>{escape(report.title)}</title>
<style>{STYLE}</style></head>
<body>
<h1>{escape(report.title)}</h1>
<div class="figures">{figures}</div>
{notes}
<p class="note">{escape(phrase("chart_note", lang))}</p>
<div class="charts">
{charts}
</div>
{tables}
<p class="note">{escape(phrase("generated_by", lang))}</p>
<script type="application/json" id="chart-data">{data}</script>
<script>
document.body.dataset.charts = String(document.querySelectorAll("svg.chart").length);
document.body.dataset.ready = "1";
</script>
</body></html>
"""


def write_report(folder: Path, lang: str = "zh") -> tuple[Path, Path]:
    """Write report.xlsx and report.html into ``folder``, each replaced atomically."""
    claim_names(folder, ["report.xlsx", "report.html"])
    report = build_report(folder, lang)
    xlsx, html = folder / "report.xlsx", folder / "report.html"
    tmp_xlsx, tmp_html = folder / ".report.xlsx.tmp", folder / ".report.html.tmp"
    try:
        write_workbook(report, tmp_xlsx)
        tmp_html.write_text(render_html(report, lang), encoding="utf-8")
        os.replace(tmp_xlsx, xlsx)
        os.replace(tmp_html, html)
    finally:
        for tmp in (tmp_xlsx, tmp_html):
            if tmp.exists():
                tmp.unlink()
    register_files(folder, ["report.xlsx", "report.html"])
    return xlsx, html

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
from planner.report.labels import VALUE_LABELS_ZH, status_label, column_label, phrase, pollutant_label, sector_label
from planner.io.writer import CSV_ENCODING, claim_names, register_files
from planner.io.schema import POLLUTANTS
from planner.report.svg import line_chart, mac_chart, quadrant_chart, stacked_bar_chart

AIR_POLLUTANTS = ("nox", "so2", "vocs", "pm")
MAX_COLUMN_WIDTH = 60


class NotAResultsFolder(PlannerError):
    exit_code = 3


@dataclass
class Sheet:
    name: str
    table: pd.DataFrame
    note: str = ""


@dataclass
class Report:
    title: str
    sheets: list[Sheet]
    charts: list[tuple[str, str]] = field(default_factory=list)  # (chart id, svg)
    chart_data: dict = field(default_factory=dict)
    key_figures: list[tuple[str, str]] = field(default_factory=list)
    html_tables: list[Sheet] = field(default_factory=list)


def _read_csv(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, encoding=CSV_ENCODING)


def _labelled(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Headers in the report's language; in Chinese, codes in text cells too (kinds, pollutants,
    sectors, met). Numbers are left as they are."""
    if lang == "zh":
        table = table.copy()
        for column in table.columns:
            if column in VALUE_LABELS_ZH:
                names = VALUE_LABELS_ZH[column]
                table[column] = table[column].map(
                    lambda v, names=names: ";".join(names.get(part, part) for part in v.split(";"))
                    if isinstance(v, str) else v)
            elif column == "met":
                table[column] = table[column].map(lambda v: "是" if v is True or v == "True" else
                                                  "否" if v is False or v == "False" else v)
    return table.rename(columns={c: column_label(c, lang) for c in table.columns})


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
        (phrase("shadow_from", lang), summary.get("shadow_prices_from") or ""),
    ]
    summary_table = pd.DataFrame(overview, columns=[phrase("item", lang), phrase("value", lang)])
    sheets = [
        Sheet(phrase("summary", lang), summary_table),
        Sheet(phrase("annual_plan", lang), _labelled(plan, lang)),
        Sheet(phrase("emissions", lang), _labelled(emissions, lang)),
        Sheet(phrase("targets", lang), _labelled(targets, lang)),
        Sheet(phrase("cost_by_sector", lang), _labelled(costs, lang)),
        Sheet(phrase("catalogue", lang), _labelled(catalogue, lang)),
        Sheet(phrase("key_projects", lang), _labelled(projects, lang)),
        Sheet(phrase("yearly_tasks", lang), _labelled(tasks, lang)),
    ]
    report = Report(title=f"{phrase('report_title', lang)} — {summary.get('model')}"
                          + (f" / {summary['scenario']}" if summary.get("scenario") else ""), sheets=sheets)
    report.key_figures = [(label, _fmt(value)) for label, value in overview[2:9]]
    _emission_charts(report, emissions, lang)
    _investment_chart(report, costs, lang)
    _mac_and_coordinate_charts(report, catalogue, lang)
    report.html_tables = [Sheet(phrase("targets", lang), _labelled(targets[["year", "kind", "subject", "value",
                                                                               "required", "achieved", "met",
                                                                               "shadow_price_yuan_per_t"]
                                                                              + (["basis"] if "basis" in targets
                                                                                 else [])], lang)),
                          Sheet(phrase("key_projects", lang), _labelled(projects, lang))]
    return report


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _emission_charts(report: Report, emissions: pd.DataFrame, lang: str) -> None:
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
        report.charts.append((chart_id, line_chart(
            chart_id, title, phrase("year", lang), phrase("emissions_t", lang),
            [{"label": phrase("bau", lang), "x": years, "y": bau, "dash": True, "color": "#7f7f7f"},
             {"label": phrase("planned", lang), "x": years, "y": planned, "color": "#1f77b4"}], markers)))
        report.chart_data[chart_id] = {"year": years, "bau_t": bau, "emissions_t": planned,
                                       "emission_limit_t": {str(m["x"]): m["y"] for m in markers}}
    co2 = emissions[emissions["pollutant"] == "co2"].sort_values("year")
    years = co2["year"].tolist()
    intensity = co2["intensity_t_per_yi_yuan"].tolist()
    bau_intensity = (co2["bau_t"] / co2["gdp_yi_yuan"]).tolist()
    limits = co2[co2["emission_limit_t"].notna()]
    markers = [{"x": int(r.year), "y": float(r.emission_limit_t / r.gdp_yi_yuan),
                "legend": phrase("target_marker", lang), "label": f"{phrase('target_marker', lang)} {int(r.year)}"}
               for r in limits.itertuples()]
    report.charts.append(("chart-intensity", line_chart(
        "chart-intensity", phrase("intensity_chart", lang), phrase("year", lang), phrase("intensity_axis", lang),
        [{"label": phrase("bau", lang), "x": years, "y": bau_intensity, "dash": True, "color": "#7f7f7f"},
         {"label": phrase("planned", lang), "x": years, "y": intensity, "color": "#d62728"}], markers)))
    report.chart_data["chart-intensity"] = {"year": years, "intensity_t_per_yi_yuan": intensity}


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
        phrase("shortfall_axis", lang),
        [{"label": phrase("shortfall_axis", lang), "x": budgets, "y": table["total_shortfall_t"].tolist(),
          "color": "#d62728"}])))
    report.chart_data["chart-sweep-cost"] = {"budget_wan_yuan": budgets, "cost_wan_yuan": table["cost_wan_yuan"].tolist()}
    report.chart_data["chart-sweep-shortfall"] = {"budget_wan_yuan": budgets,
                                                  "total_shortfall_t": table["total_shortfall_t"].tolist()}
    report.key_figures = [(phrase("measures_chosen", lang) + " (no-regret)", str(len(core)))]
    report.html_tables = [Sheet(phrase("sweep", lang), _labelled(table.drop(columns=["run_folder"]), lang))]
    return report


def _comparison_report(folder: Path, lang: str) -> Report:
    table = _read_csv(folder, "comparison.csv")
    changes = _read_csv(folder, "measure_changes.csv")
    report = Report(title=phrase("comparison", lang),
                    sheets=[Sheet(phrase("comparison", lang), _labelled(table, lang)),
                            Sheet("measure changes", changes)])
    report.html_tables = [Sheet(phrase("comparison", lang), _labelled(table, lang)),
                          Sheet("measure changes", changes)]
    return report


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
    used: set[str] = set()
    for sheet in report.sheets:
        name = _sheet_name(sheet.name, used)
        ws = workbook.add_worksheet(name)
        table = sheet.table
        widths = [text_width(str(c)) for c in table.columns]
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
                    if "年份" in label or "year" in label.lower():
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
    def cell(value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        if isinstance(value, float):
            return f"{0.0 if abs(value) < 0.005 else value:,.2f}"
        return escape(str(value))

    head = "".join(f"<th>{escape(str(c))}</th>" for c in sheet.table.columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
                   for row in sheet.table.itertuples(index=False))
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
th { background: #eef3fa; } td { text-align: right; } td:first-child { text-align: left; }
.note { color: #666; font-size: 12px; }
"""


def render_html(report: Report, lang: str) -> str:
    figures = "".join(f'<div class="figure"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div></div>'
                      for k, v in report.key_figures)
    charts = "\n".join(svg for _, svg in report.charts)
    tables = "\n".join(_html_table(t) for t in report.html_tables)
    data = json.dumps(report.chart_data, ensure_ascii=False, default=float).replace("</", "<\\/")
    html_lang = "zh-CN" if lang == "zh" else "en"
    return f"""<!DOCTYPE html>
<html lang="{html_lang}"><head><meta charset="utf-8"><title>{escape(report.title)}</title>
<style>{STYLE}</style></head>
<body>
<h1>{escape(report.title)}</h1>
<div class="figures">{figures}</div>
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

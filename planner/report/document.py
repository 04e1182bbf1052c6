"""Turn a results folder (run, sweep, comparison) into report.xlsx and a self-contained report.html.

Every number comes from the folder's own CSV and JSON files, so the report always agrees with them.
Kinds: run_report.py (one run), this module (sweep, comparison); content.py holds what a report
is, html.py and xlsx.py write it, charts.py draws, readings.py says what each section shows.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd

from planner.report import readings
from planner.report.charts import grouped_bar_figure, line_figure
from planner.report.colours import PLAN_COLOUR, SHORTFALL_COLOUR, run_colour
from planner.report.content import (Chart, ExcelChart, NotAResultsFolder, Report, Section, Sheet, labelled,
                                    read_csv)
from planner.report.html import render_html
from planner.io.schema import POLLUTANTS
from planner.report.labels import (PHRASES, TARGET_KINDS_EN, TARGET_KINDS_ZH, column_label, metric_label, phrase,
                                   pollutant_label, status_label, unit_label, yes_no)
from planner.report.analysis_reports import (alternatives_report, robust_report, sensitivity_report,
                                             uncertainty_report)
from planner.report.reference import add_reference_section
from planner.report.run_report import run_report

ANALYSES = {"uncertainty": uncertainty_report, "robust": robust_report, "alternatives": alternatives_report,
            "sensitivity": sensitivity_report}
from planner.report.xlsx import write_workbook
from planner.io.writer import claim_names, recover, register_files

__all__ = ["NotAResultsFolder", "build_report", "write_report", "comparison_values"]


def build_report(folder: Path, lang: str = "zh", reference: Path | None = None) -> Report:
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotAResultsFolder(f"{folder} has no readable summary.json; give a folder written by "
                                "`planner run`, `sweep`, `compare`, `uncertainty`, `robust`, "
                                "`alternatives` or `sensitivity`") from None
    kind = summary.get("kind", "run")
    if reference is not None and kind != "run":
        raise NotAResultsFolder(f"--reference sets the adopted plan beside a re-planned run; {folder} holds a "
                                f"{kind}: give a `planner run` folder")
    try:
        if kind == "sweep":
            return _sweep_report(folder, summary, lang)
        if kind == "comparison":
            return _comparison_report(folder, lang)
        if kind in ANALYSES:
            return ANALYSES[kind](folder, summary, lang)
        report = run_report(folder, summary, lang)
        if reference is not None:
            add_reference_section(report, folder, summary, reference, lang)
        return report
    except (OSError, KeyError, ValueError) as exc:
        raise NotAResultsFolder(f"{folder}: its result files are incomplete or were edited ({exc}); "
                                "rerun the planner to regenerate them") from None


def _sweep_report(folder: Path, summary: dict, lang: str) -> Report:
    table = read_csv(folder, "sweep.csv").sort_values("budget_wan_yuan", kind="stable")
    core = read_csv(folder, "no_regret.csv")
    budgets = table["budget_wan_yuan"].tolist()
    shown = sweep_labelled(table, lang, point_indicators(folder, table))
    report = Report(title=f"{phrase('sweep', lang)} — {summary.get('model')}",
                    sheets=[Sheet(phrase("sweep", lang), shown),
                            Sheet(phrase("no_regret", lang), labelled(core, lang))])
    cost = line_figure(phrase("sweep_cost_chart", lang), phrase("budget_axis", lang), phrase("cost_axis", lang),
                       [{"label": phrase("cost", lang), "x": budgets, "y": table["cost_wan_yuan"].tolist(),
                         "colour": PLAN_COLOUR}], lang, x_is_year=False)
    shortfall = line_figure(phrase("sweep_shortfall_chart", lang), phrase("budget_axis", lang),
                            phrase("missed_axis", lang),
                            [{"label": phrase("missed_axis", lang), "x": budgets,
                              "y": table["targets_missed"].tolist(), "colour": SHORTFALL_COLOUR}],
                            lang, x_is_year=False)
    shortfall.update_yaxes(tickformat="d", dtick=1, rangemode="tozero")  # a count: whole ticks only
    charts = [Chart("chart-sweep-cost", cost, {"budget_wan_yuan": budgets,
                                               "cost_wan_yuan": table["cost_wan_yuan"].tolist()}),
              Chart("chart-sweep-shortfall", shortfall, {"budget_wan_yuan": budgets,
                                                         "targets_missed": table["targets_missed"].tolist()})]
    block = pd.DataFrame({phrase("budget_axis", lang): budgets, phrase("cost", lang): table["cost_wan_yuan"].tolist(),
                          phrase("missed_axis", lang): table["targets_missed"].tolist()})
    report.excel_charts.append(ExcelChart(phrase("sweep_cost_chart", lang), block.iloc[:, :2], "step",
                                          phrase("budget_axis", lang), phrase("cost_axis", lang)))
    report.excel_charts.append(ExcelChart(phrase("sweep_shortfall_chart", lang), block.iloc[:, [0, 2]], "step",
                                          phrase("budget_axis", lang), phrase("missed_axis", lang),
                                          colours={phrase("missed_axis", lang): SHORTFALL_COLOUR}))
    report.key_figures = [(phrase("no_regret_count", lang), str(len(core)))]
    report.sections.append(Section(phrase("sweep", lang), readings.sweep(table, lang), charts,
                                   [Sheet(phrase("sweep", lang), shown.drop(columns=[column_label("run_folder", lang, "sweep.csv")]))],
                                   id="sweep"))
    report.sections.append(Section(phrase("no_regret", lang), readings.no_regret(core, len(table), lang),
                                   tables=[Sheet(phrase("no_regret", lang), labelled(core, lang))], id="no-regret"))
    return report


SHORTFALL_COLUMN = re.compile(r"^shortfall_(.+)_(\d{4})(?:_([a-z_]+))?$")


def point_indicators(folder: Path, table: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Indicator id -> (name, unit), from the indicators.csv of the sweep's first point folder."""
    for run_folder in table.get("run_folder", pd.Series(dtype=object)).dropna():
        path = folder / str(run_folder) / "indicators.csv"
        if path.is_file():
            rows = read_csv(path.parent, "indicators.csv")
            return {str(i): (str(n), str(u)) for i, n, u in zip(rows["indicator"], rows["name"], rows["unit"])}
    return {}


def sweep_labelled(table: pd.DataFrame, lang: str, indicators: dict[str, tuple[str, str]] | None = None
                   ) -> pd.DataFrame:
    """sweep.csv for the report: its declared headers, and each ``shortfall_<subject>_<year>`` column
    named by its pollutant or indicator (二氧化碳 2025年缺口(吨) / CO2 shortfall 2025 (t)); a
    deployment tag keeps its id, in units."""
    indicators = indicators or {}
    headers = {}
    for column in table.columns:
        match = SHORTFALL_COLUMN.match(column)
        if not match:
            continue
        subject, year, kind = match.groups()
        name, unit = ((pollutant_label(subject, lang), "吨" if lang == "zh" else "t") if subject in POLLUTANTS
                      else indicators[subject] if subject in indicators
                      else (subject, "单位" if lang == "zh" else "units"))
        if kind and kind in TARGET_KINDS_EN:
            name += f" {TARGET_KINDS_ZH[kind] if lang == 'zh' else TARGET_KINDS_EN[kind]}"
        headers[column] = f"{name} {year}年缺口({unit})" if lang == "zh" else f"{name} shortfall {year} ({unit})"
    return labelled(table, lang, "sweep.csv").rename(columns={column_label(c, lang, "sweep.csv"): h
                                                              for c, h in headers.items()})


def _comparison_report(folder: Path, lang: str) -> Report:
    raw = read_csv(folder, "comparison.csv")
    changes = read_csv(folder, "measure_changes.csv")
    table = comparison_values(raw, lang)
    changes = changes.assign(change=changes["change"].map(lambda c: phrase(f"change_{c}", lang)
                                                          if f"change_{c}" in PHRASES else c))
    changes = changes.rename(columns={c: column_label(c, lang, "measure_changes.csv") for c in changes.columns})
    sheets = [Sheet(phrase("comparison", lang), table, blank="—"),
              Sheet(phrase("measure_changes", lang), changes)]
    report = Report(title=phrase("comparison", lang), sheets=sheets)
    runs = [c for c in raw.columns if c not in ("metric", "unit")]
    values = {m: dict(zip(runs, row)) for m, row in zip(raw["metric"], raw[runs].itertuples(index=False))}

    def number(metric: str, run: str):
        value = values.get(metric, {}).get(run)
        try:
            return None if value is None or pd.isna(value) else float(value)
        except (TypeError, ValueError):
            return None

    objectives = {run: number("objective", run) for run in runs}
    statuses = {run: str(values.get("status", {}).get(run)) for run in runs}
    charts = []
    money = ["objective", "cost (excl. penalties)", "total capex"]
    figure = grouped_bar_figure(phrase("comparison_cost_chart", lang), "", phrase("cost_axis", lang),
                                [metric_label(m, lang) for m in money],
                                [{"label": run, "values": [number(m, run) for m in money], "colour": run_colour(k)}
                                 for k, run in enumerate(runs)], lang)
    charts.append(Chart("chart-compare-cost", figure, {run: {m: number(m, run) for m in money} for run in runs}))
    block = pd.DataFrame({phrase("metric_col", lang): [metric_label(m, lang) for m in money],
                          **{run: [number(m, run) for m in money] for run in runs}})
    report.excel_charts.append(ExcelChart(phrase("comparison_cost_chart", lang), block, "column", "",
                                          phrase("cost_axis", lang),
                                          colours={run: run_colour(k) for k, run in enumerate(runs)}))
    years = sorted({int(m.split(" ")[1]) for m in raw["metric"] if m.startswith("capex ") and m[6:].isdigit()})
    if years:
        series = [{"label": run, "x": years, "y": [number(f"capex {y}", run) for y in years], "colour": run_colour(k)}
                  for k, run in enumerate(runs)]
        budget_series = [{"label": f"{run} — {phrase('budget_word', lang)}", "x": years,
                          "y": [number(f"budget {y}", run) for y in years], "colour": run_colour(k), "dash": True}
                         for k, run in enumerate(runs)]
        figure = line_figure(phrase("comparison_capex_chart", lang), phrase("year", lang), phrase("investment_axis", lang),
                             series + [s for s in budget_series if any(v is not None for v in s["y"])], lang)
        charts.append(Chart("chart-compare-capex", figure,
                            {run: [number(f"capex {y}", run) for y in years] for run in runs}))
        block = pd.DataFrame({phrase("year", lang): years,
                              **{run: [number(f"capex {y}", run) for y in years] for run in runs}})
        report.excel_charts.append(ExcelChart(phrase("comparison_capex_chart", lang), block, "line",
                                              phrase("year", lang), phrase("investment_axis", lang),
                                              colours={run: run_colour(k) for k, run in enumerate(runs)}))
    report.sections.append(Section(phrase("comparison", lang), readings.comparison(objectives, statuses, lang),
                                   charts, sheets, id="comparison"))
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
                # a blank budget is no limit (summary.json's null); any other blank is no solution
                values.append(phrase("no_limit", lang) if metric.startswith("budget") else None)
            elif metric == "status":
                values.append(status_label(str(value), lang))
            else:
                try:
                    values.append(float(value))
                except (TypeError, ValueError):
                    values.append(yes_no(value, lang))
        out[str(run)] = values
    return out


def write_report(folder: Path, lang: str = "zh", reference: Path | None = None) -> tuple[Path, Path]:
    """Write report.xlsx and report.html into ``folder``, each replaced atomically."""
    recover(folder)  # a run killed after its commit point is finished first
    report = build_report(folder, lang, reference)
    claim_names(folder, ["report.xlsx", "report.html"])
    xlsx, html = folder / "report.xlsx", folder / "report.html"
    tmp_xlsx, tmp_html = folder / ".report.xlsx.tmp", folder / ".report.html.tmp"
    try:
        write_workbook(report, tmp_xlsx, phrase("charts_sheet", lang))
        tmp_html.write_text(render_html(report, lang), encoding="utf-8")
        os.replace(tmp_xlsx, xlsx)
        os.replace(tmp_html, html)
    finally:
        for tmp in (tmp_xlsx, tmp_html):
            if tmp.exists():
                tmp.unlink()
    register_files(folder, ["report.xlsx", "report.html"])
    return xlsx, html

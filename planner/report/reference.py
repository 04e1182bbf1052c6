"""`planner report RE-PLAN --reference ADOPTED`: the adopted plan beside a re-plan, from the result files.

For a run re-planned from year Y (summary.json ``replan_from``), the section shows, by year, the
CO2 emissions and the investment of both plans, and lists each (measure, year >= Y) whose units
added differ: what the mid-term review changes. Years before Y are history in the re-plan; the
adopted plan's figures for them are what it had planned, so the table shows both. Read from the two
folders' plan.csv, emissions.csv and summary.json only (report depends on planner.io alone).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from planner.io import plan_diff
from planner.report.charts import line_figure
from planner.report.content import Chart, ExcelChart, NotAResultsFolder, Report, Section, Sheet, read_csv
from planner.report.labels import phrase

ADOPTED_COLOUR, REPLAN_COLOUR = "#7f7f7f", "#d62728"


def _summary(folder: Path) -> dict:
    try:
        return json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotAResultsFolder(f"--reference {folder} has no readable summary.json; give the folder of "
                                "the adopted plan's `planner run`") from None


def unit_changes(adopted: pd.DataFrame, replan: pd.DataFrame, year_from: int) -> pd.DataFrame:
    """Units added per (measure, year >= year_from) in both plans where they differ, with the change."""
    rows = plan_diff.unit_changes(plan_diff.added_from(adopted, year_from), plan_diff.added_from(replan, year_from))
    table = pd.DataFrame(rows, columns=["measure", "year", "adopted", "replan", "difference", "change"])
    names = {}
    for plan in (adopted, replan):
        if len(plan) and "name" in plan.columns:
            names.update(zip(plan["measure"].astype(str), plan["name"].astype(str)))
    table.insert(1, "name", [names.get(str(m), "") for m in table["measure"]])
    return table


def by_year(adopted_plan, replan_plan, adopted_em, replan_em) -> pd.DataFrame:
    """CO2 emissions (t) and capex (万元) of both plans by year."""
    def co2(em):
        return em[em["pollutant"] == "co2"].set_index("year")["emissions_t"]

    def capex(plan):
        return plan.groupby("year")["capex_wan_yuan"].sum() if len(plan) else pd.Series(dtype=float)

    years = sorted(set(adopted_em["year"]) | set(replan_em["year"]))
    a_co2, r_co2, a_cap, r_cap = co2(adopted_em), co2(replan_em), capex(adopted_plan), capex(replan_plan)
    return pd.DataFrame({"year": years,
                         "co2_adopted_t": [float(a_co2.get(y, float("nan"))) for y in years],
                         "co2_replan_t": [float(r_co2.get(y, float("nan"))) for y in years],
                         "capex_adopted_wan_yuan": [float(a_cap.get(y, 0.0)) for y in years],
                         "capex_replan_wan_yuan": [float(r_cap.get(y, 0.0)) for y in years]})


def reading(changes: pd.DataFrame, years: pd.DataFrame, year_from: int, lang: str) -> str:
    """What the re-plan changes from ``year_from`` on, in numbers."""
    ahead = years[years["year"] >= year_from]
    old, new = float(ahead["capex_adopted_wan_yuan"].sum()), float(ahead["capex_replan_wan_yuan"].sum())
    counts = {c: int(changes.loc[changes["change"] == c, "measure"].nunique()) for c in ("added", "dropped")}
    last = years.iloc[-1]
    if lang == "zh":
        return (f"与已采纳方案相比,{year_from}年起重新规划的方案投资 {new:,.0f} 万元(原方案 {old:,.0f} 万元,"
                f"相差 {new - old:+,.0f} 万元);新增 {counts['added']} 项措施的建设年份,取消 {counts['dropped']} 项;"
                f"{int(last['year'])}年二氧化碳排放 {last['co2_replan_t']:,.0f} 吨(原方案 {last['co2_adopted_t']:,.0f} 吨)。")
    return (f"Against the adopted plan, the re-plan from {year_from} invests {new:,.0f} 万元 (adopted "
            f"{old:,.0f} 万元, {new - old:+,.0f} 万元); it adds build years for {counts['added']} measures and drops "
            f"{counts['dropped']}; CO2 in {int(last['year'])} is {last['co2_replan_t']:,.0f} t (adopted "
            f"{last['co2_adopted_t']:,.0f} t).")


def add_reference_section(report: Report, folder: Path, summary: dict, reference: Path, lang: str) -> None:
    """Append the adopted-plan section, its sheets and its Excel chart to ``report``."""
    ref_summary = _summary(reference)
    year_from = summary.get("replan_from") or summary.get("horizon", {}).get("start_year")
    if year_from is None:
        raise NotAResultsFolder(f"{folder}: summary.json has neither replan_from nor a horizon")
    replan_plan, adopted_plan = read_csv(folder, "plan.csv"), read_csv(reference, "plan.csv")
    years = by_year(adopted_plan, replan_plan, read_csv(reference, "emissions.csv"), read_csv(folder, "emissions.csv"))
    changes = unit_changes(adopted_plan, replan_plan, int(year_from))
    zh = lang == "zh"
    adopted_label = "已采纳方案" if zh else "adopted plan"
    replan_label = "重新规划" if zh else "re-plan"
    tonnes = "吨" if zh else "t"
    figure = line_figure(("二氧化碳排放:已采纳方案与重新规划" if zh else "CO2 emissions: adopted plan and re-plan"),
                         phrase("year", lang), tonnes, [
                             {"label": adopted_label, "x": years["year"], "y": years["co2_adopted_t"],
                              "colour": ADOPTED_COLOUR, "dash": True},
                             {"label": replan_label, "x": years["year"], "y": years["co2_replan_t"],
                              "colour": REPLAN_COLOUR}], lang)
    headers = (["年份", "二氧化碳排放 已采纳方案(吨)", "二氧化碳排放 重新规划(吨)", "投资 已采纳方案(万元)", "投资 重新规划(万元)"] if zh
               else ["Year", "CO2 adopted (t)", "CO2 re-plan (t)", "Capex adopted (万元)", "Capex re-plan (万元)"])
    shown_years = years.set_axis(headers, axis=1)
    change_words = ({"added": "新增", "dropped": "取消", "more": "增加", "fewer": "减少"} if zh else {})
    shown_changes = changes.assign(change=changes["change"].map(lambda c: change_words.get(c, c))).set_axis(
        (["措施", "措施名称", "年份", "已采纳方案新增单位", "重新规划新增单位", "差值", "变化"] if zh
         else ["Measure id", "Measure", "Year", "Units added (adopted)", "Units added (re-plan)", "Difference",
               "Change"]), axis=1)
    title = f"{'对照已采纳方案' if zh else 'Against the adopted plan'} ({ref_summary.get('model')})"
    year_sheet = Sheet(("对照方案-逐年" if zh else "Adopted vs re-plan"), shown_years)
    change_sheet = Sheet(("对照方案-措施变化" if zh else "Changes vs adopted"), shown_changes)
    report.sheets += [year_sheet, change_sheet]
    report.excel_charts.append(ExcelChart(title, shown_years.iloc[:, :3], "line", phrase("year", lang), tonnes,
                                          colours={headers[1]: ADOPTED_COLOUR, headers[2]: REPLAN_COLOUR},
                                          dash_columns=(headers[1],)))
    report.sections.append(Section(title, reading(changes, years, int(year_from), lang),
                                   charts=[Chart("chart-reference", figure, years.to_dict(orient="list"))],
                                   tables=[year_sheet, change_sheet], id="reference"))

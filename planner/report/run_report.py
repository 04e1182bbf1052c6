"""The report of one run folder: summary, emissions against BAU and targets, investment by year and
sector, the MAC curve and the co-control coordinate chart, targets and key projects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planner.io.schema import POLLUTANTS
from planner.report import readings
from planner.report.charts import base_layout, grouped_bar_figure, line_figure, mac_figure, quadrant_figure, stacked_bar_figure
from planner.report.colours import (BAU_COLOUR, PLAN_COLOUR, TARGET_COLOUR, pollutant_colour, run_colour,
                                    sector_colour)
from planner.report.content import Chart, ExcelChart, Report, Section, Sheet, fmt, read_csv, sheet
from planner.report.diagnosis import diagnosis_lines
from planner.report.labels import (column_label, phrase, pollutant_label, sector_label, shadow_from_label,
                                   status_label)

AIR_POLLUTANTS = ("nox", "so2", "vocs", "pm")


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


def with_tag_names(targets: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Deployment targets name their tag by the measures that carry it: ``nonfossil_mw (屋顶光伏, 风电)``."""
    if "tags" not in catalogue.columns or not (targets["kind"] == "deployment").any():
        return targets
    names: dict[str, list[str]] = {}
    for name, tags in zip(catalogue["name"], catalogue["tags"].astype(object).fillna("")):
        for tag in str(tags).split(";"):
            if tag:
                names.setdefault(tag, []).append(str(name))
    targets = targets.copy()
    deployment = targets["kind"] == "deployment"
    targets.loc[deployment, "subject"] = [f"{tag} ({', '.join(names[tag])})" if tag in names else tag
                                          for tag in targets.loc[deployment, "subject"]]
    return targets


def shadow_price_text(targets: pd.DataFrame, lang: str) -> list[str]:
    """One shadow price per target row with its unit: 元/吨 (元/t) for pollutant targets, 元 per unit of
    the indicator (元/tce) for indicator targets, 元/单位 (元/unit) for deployment; — where there is none
    (shadow_price_note in targets.csv says why)."""
    per_unit = "元/单位" if lang == "zh" else "元/unit"
    per_t = "元/吨" if lang == "zh" else "元/t"
    out = []
    for row in targets.itertuples():
        if row.kind == "deployment":
            value, unit = row.shadow_price_yuan_per_unit, per_unit
        elif row.subject in POLLUTANTS:
            value, unit = row.shadow_price_yuan_per_t, per_t
        else:  # an indicator (indicators.csv): priced per its own unit
            quantity = getattr(row, "quantity_unit", "")
            value = row.shadow_price_yuan_per_unit
            unit = f"元/{quantity}" if isinstance(quantity, str) and quantity else per_unit
        out.append("—" if pd.isna(value) else f"{0.0 if abs(value) < 0.005 else value:,.2f} {unit}")
    return out


def with_indicator_names(targets: pd.DataFrame, indicators: pd.DataFrame | None) -> pd.DataFrame:
    """Indicator targets name their indicator (indicators.csv ``name``) instead of its id."""
    if indicators is None or indicators.empty or "name" not in indicators.columns:
        return targets
    names = dict(zip(indicators["indicator"].astype(str), indicators["name"].astype(str)))
    targets = targets.copy()
    rows = targets["kind"] != "deployment"
    targets.loc[rows, "subject"] = [names.get(str(v), v) for v in targets.loc[rows, "subject"]]
    return targets


def _budget_text(summary: dict, lang: str) -> float | str:
    """The yearly budget: one number when every year has the same (a number in the workbook, not
    the text "150,000"), else year by year, or 不限 / no limit."""
    budgets = list(summary.get("budget_wan_yuan_by_year", {}).values())
    if budgets and all(b is not None for b in budgets) and len(set(budgets)) == 1:
        return float(budgets[0])
    if budgets and any(b is not None for b in budgets):
        return "; ".join(f"{y}: {'—' if b is None else f'{b:,.0f}'}"
                         for y, b in summary["budget_wan_yuan_by_year"].items())
    return phrase("no_limit", lang)


def has_plan(summary: dict) -> bool:
    """A plan exists when the solver returned one: optimal, or stopped early (time, work or memory
    limit, interrupted) with a feasible plan in hand; infeasible and error runs have none."""
    return (summary.get("status") not in ("infeasible", "error", "unbounded")
            and summary.get("objective") is not None and bool(summary.get("targets")))


def targets_met_text(summary: dict, lang: str) -> str:
    """是/否; a re-plan whose history years missed targets (reported, not enforced) says how many."""
    met = phrase("yes", lang) if summary.get("targets_met") else phrase("no", lang)
    history = [t for t in summary.get("targets") or [] if t.get("enforced") is False and not t.get("met")]
    if summary.get("targets_met") and history:
        return (f"{met}(历史年份另有{len(history)}个目标未达成,不参与约束)" if lang == "zh" else
                f"{met} ({len(history)} history-year targets missed, not enforced)")
    return met


def overview_rows(summary: dict, lang: str) -> list[tuple[str, object]]:
    horizon = summary.get("horizon", {})
    rate = summary.get("discount_rate")
    total_budget = summary.get("budget_total_wan_yuan")
    # An infeasible run has no plan: no investment, operating cost or measures (blank, not 0).
    totals = summary.get("totals", {}) if has_plan(summary) else {}
    return [
        (phrase("model", lang), summary.get("model")),
        (phrase("scenario", lang), summary.get("scenario") or ""),
        (phrase("status", lang), status_label(summary.get("status"), lang)),
        (phrase("objective", lang), summary.get("objective")),
        (phrase("cost", lang), summary.get("cost_wan_yuan")),
        (phrase("capex_total", lang), totals.get("capex_wan_yuan")),
        (phrase("opex_total", lang), totals.get("opex_wan_yuan")),
        (phrase("measures_chosen", lang), totals.get("measures_chosen")),
        (phrase("targets_met", lang), targets_met_text(summary, lang)),
        (phrase("solver", lang), f"HiGHS {summary.get('versions', {}).get('highs', '')}"),
        (phrase("shadow_from", lang), shadow_from_label(summary.get("shadow_prices_from"), lang)),
        (phrase("horizon", lang), f"{horizon.get('start_year')}–{horizon.get('end_year')} "
                                  f"({phrase('base_year', lang)} {horizon.get('base_year')})"),
        (phrase("discount_rate", lang), f"{100 * rate:g} %" if rate is not None else ""),
        (phrase("budget_yearly", lang), _budget_text(summary, lang)),
        (phrase("budget_total", lang), phrase("no_limit", lang) if total_budget is None else total_budget),
    ]


def run_report(folder: Path, summary: dict, lang: str) -> Report:
    plan = read_csv(folder, "plan.csv")
    emissions = read_csv(folder, "emissions.csv")
    targets = read_csv(folder, "targets.csv")
    figures = read_csv(folder, "cost_effectiveness.csv")
    # One row per measure (start_year's figures) for the tables and charts; the sheet keeps every year's.
    catalogue = figures[figures["figures_year"] == figures["figures_year"].min()] \
        if "figures_year" in figures.columns and len(figures) else figures
    projects = key_projects(plan, catalogue)
    tasks = yearly_tasks(plan, catalogue)
    costs = cost_by_year_sector(plan)
    overview = overview_rows(summary, lang)
    summary_table = pd.DataFrame(overview, columns=[phrase("item", lang), phrase("value", lang)])
    indicator_table = read_csv(folder, "indicators.csv") if (folder / "indicators.csv").is_file() else None
    named_targets = with_indicator_names(with_tag_names(targets, catalogue), indicator_table)
    sheets = [
        Sheet(phrase("summary", lang), summary_table),
        sheet(phrase("annual_plan", lang), plan, lang, "plan.csv"),
        sheet(phrase("emissions", lang), emissions, lang, "emissions.csv"),
        sheet(phrase("targets", lang), named_targets, lang, "targets.csv"),
        sheet(phrase("cost_by_sector", lang), costs, lang),
        sheet(phrase("catalogue", lang), figures, lang, "cost_effectiveness.csv"),
        sheet(phrase("key_projects", lang), projects, lang),
        sheet(phrase("yearly_tasks", lang), tasks, lang),
    ]
    title = (f"{phrase('report_title', lang)} — {summary.get('model')}"
             + (f" / {summary['scenario']}" if summary.get("scenario") else ""))
    report = Report(title=title, sheets=sheets)
    report.key_figures = [(label, "—" if value is None else fmt(value)) for label, value in overview[2:9]]
    solved = has_plan(summary)
    if summary.get("diagnosis"):
        names = ({} if indicator_table is None else
                 dict(zip(indicator_table["indicator"].astype(str), indicator_table["name"].astype(str))))
        lines = diagnosis_lines(summary["diagnosis"], lang, names)
        report.notes = [(phrase(key, lang), lines[key.removeprefix("diag_")])
                        for key in ("diag_why", "diag_closest", "diag_conflict", "diag_fixes", "diag_notes")
                        if lines[key.removeprefix("diag_")]]
    report.sections.append(emission_section(report, emissions, targets, lang, solved))
    if solved:
        report.sections.append(investment_section(report, costs, summary, lang))
    replan_from = summary.get("replan_from")
    first_year = summary.get("horizon", {}).get("start_year")
    for section in report.sections:
        for chart in section.charts:
            if chart.id.startswith("chart-emissions") or chart.id == "chart-intensity":
                shade_history(chart.figure, replan_from, first_year, lang)
    if replan_from is not None and report.sections:
        report.sections[0].reading = readings.replan(plan, replan_from, lang) + " " + report.sections[0].reading
    report.sections.append(mac_section(report, catalogue, lang))
    # Without a plan, the co-control indicators, pool use, area investment and indicator levels of
    # the result files are those of an empty plan (zeros, levels equal to BAU): not shown.
    co_control = read_csv(folder, "co_control.csv") if solved and (folder / "co_control.csv").is_file() else None
    area_names = {}
    if (folder / "areas.csv").is_file():
        areas = read_csv(folder, "areas.csv")
        area_names = {str(a): str(n) for a, n in zip(areas["area"], areas["name"]) if isinstance(a, str) and a}
    report.sections.append(coordinate_section(catalogue, lang, co_control, report, area_names))
    if co_control is not None:
        report.sheets.append(sheet(phrase("co_control", lang), labelled_codes(co_control, lang, area_names), lang,
                                   "co_control.csv"))

    for name, build in (("pools.csv", pools_section), ("areas.csv", areas_section)):
        if solved and (folder / name).is_file():
            table = read_csv(folder, name)
            report.sheets.append(sheet(phrase(name.removesuffix(".csv"), lang), table, lang, name))
            report.sections.append(build(table, targets, lang, report))
    if solved and (folder / "indicators.csv").is_file():
        table = read_csv(folder, "indicators.csv")
        # the intensity denominator by its baseline.csv label (GDP(亿元)), not its column id
        table["denominator"] = [column_label(d, lang, "baseline.csv") if isinstance(d, str) else d
                                for d in table["denominator"]]
        report.sheets.append(sheet(phrase("indicators", lang), table, lang, "indicators.csv"))
        report.sections.append(Section(phrase("indicators", lang), readings.indicators(table, lang),
                                       tables=[sheet(phrase("indicators", lang), table, lang, "indicators.csv")],
                                       id="indicators"))
    shown = named_targets[["year", "kind", "subject", "value", "unit", "required", "achieved", "met"]].copy()
    if not solved:  # no plan achieves anything: blank, not the 0 (or BAU) of an empty plan
        shown["achieved"] = np.nan
    shown["shadow_price"] = shadow_price_text(targets, lang)
    if "basis" in targets:
        shown["basis"] = targets["basis"]
    target_sheet = sheet(phrase("targets", lang), shown, lang, "targets.csv", blank="—")
    target_sheet.table = target_sheet.table.drop(columns=[column_label("unit", lang, "targets.csv")])
    report.sections.append(Section(phrase("targets", lang), readings.targets(targets, lang, solved),
                                   tables=[target_sheet], id="targets"))
    if solved:
        report.sections.append(Section(phrase("key_projects", lang), readings.key_projects(projects, lang),
                                       tables=[sheet(phrase("key_projects", lang), projects, lang)], id="projects"))
    return report


def shade_history(figure, replan_from: int | None, first_year: int | None, lang: str) -> None:
    """A re-planned run: the years before ``replan_from`` (history, fixed at actuals.csv) shaded."""
    if replan_from is None or first_year is None or replan_from <= first_year:
        return
    figure.add_vrect(x0=first_year - 0.5, x1=replan_from - 0.5, fillcolor="#999999", opacity=0.12, line_width=0,
                     annotation_text=phrase("history", lang), annotation_position="top left")


def targeted_pollutants(emissions: pd.DataFrame) -> list[str]:
    return [p for p in POLLUTANTS if emissions.loc[emissions["pollutant"] == p, "target_kind"].notna().any()]


def emission_section(report: Report, emissions: pd.DataFrame, targets: pd.DataFrame, lang: str,
                     solved: bool) -> Section:
    """Emissions against BAU and targets; without a solution (infeasible) only BAU and the targets."""
    section = Section(phrase("emissions", lang), id="emissions")
    for pollutant in targeted_pollutants(emissions) or ["co2"]:
        rows = emissions[emissions["pollutant"] == pollutant].sort_values("year")
        years = [int(y) for y in rows["year"]]
        bau, planned = rows["bau_t"].tolist(), rows["emissions_t"].tolist()
        limits = rows[rows["emission_limit_t"].notna()]
        markers = [{"x": int(r.year), "y": float(r.emission_limit_t), "legend": phrase("target_marker", lang),
                    "label": f"{phrase('target_marker', lang)} {int(r.year)}"} for r in limits.itertuples()]
        series = [{"label": phrase("bau", lang), "x": years, "y": bau, "dash": True, "colour": BAU_COLOUR}]
        if solved:
            series.append({"label": phrase("planned", lang), "x": years, "y": planned,
                           "colour": pollutant_colour(pollutant)})
        title = f"{pollutant_label(pollutant, lang)} — {phrase('emissions_t', lang)}"
        figure = line_figure(title, phrase("year", lang), phrase("emissions_t", lang), series, lang, markers)
        section.charts.append(Chart(f"chart-emissions-{pollutant}", figure, {
            "year": years, "bau_t": bau, "emissions_t": planned if solved else None,
            "emission_limit_t": {str(m["x"]): m["y"] for m in markers}}))
        limit_by_year = {m["x"]: m["y"] for m in markers}
        block = pd.DataFrame({phrase("year", lang): years, phrase("bau", lang): bau})
        if solved:
            block[phrase("planned", lang)] = planned
        block[phrase("target_marker", lang)] = [limit_by_year.get(y, np.nan) for y in years]
        report.excel_charts.append(ExcelChart(
            title, block, "line", phrase("year", lang), phrase("emissions_t", lang),
            marker_columns=(phrase("target_marker", lang),),
            colours={phrase("bau", lang): BAU_COLOUR, phrase("planned", lang): pollutant_colour(pollutant),
                     phrase("target_marker", lang): TARGET_COLOUR}))
    co2 = emissions[emissions["pollutant"] == "co2"].sort_values("year")
    years = [int(y) for y in co2["year"]]
    intensity = co2["intensity_t_per_yi_yuan"].tolist()
    bau_intensity = (co2["bau_t"] / co2["gdp_yi_yuan"]).tolist()
    limits = co2[co2["emission_limit_t"].notna()]
    markers = [{"x": int(r.year), "y": float(r.emission_limit_t / r.gdp_yi_yuan),
                "legend": phrase("target_marker", lang), "label": f"{phrase('target_marker', lang)} {int(r.year)}"}
               for r in limits.itertuples()]
    series = [{"label": phrase("bau", lang), "x": years, "y": bau_intensity, "dash": True, "colour": BAU_COLOUR}]
    if solved:
        series.append({"label": phrase("planned", lang), "x": years, "y": intensity, "colour": pollutant_colour("co2")})
    figure = line_figure(phrase("intensity_chart", lang), phrase("year", lang), phrase("intensity_axis", lang),
                         series, lang, markers)
    section.charts.append(Chart("chart-intensity", figure,
                                {"year": years, "intensity_t_per_yi_yuan": intensity if solved else None}))
    section.reading = readings.emissions(emissions, targets, lang, solved)
    return section


def investment_section(report: Report, costs: pd.DataFrame, summary: dict, lang: str) -> Section:
    years = sorted(int(y) for y in costs["year"].unique()) if len(costs) else []
    pivot = costs.pivot_table(index="year", columns="sector", values="capex_wan_yuan", aggfunc="sum",
                              fill_value=0.0) if len(costs) else pd.DataFrame()
    stacks = [{"label": sector_label(s, lang), "values": [float(pivot.loc[y, s]) for y in years],
               "colour": sector_colour(s)} for s in pivot.columns]
    figure = stacked_bar_figure(phrase("investment_chart", lang), phrase("year", lang), phrase("investment_axis", lang),
                                years, stacks, lang)
    chart = Chart("chart-investment", figure, {"year": years, "capex_wan_yuan_by_sector": {
        s: [float(pivot.loc[y, s]) for y in years] for s in pivot.columns}})
    if years:
        block = pd.DataFrame({phrase("year", lang): years,
                              **{stack["label"]: stack["values"] for stack in stacks}})
        report.excel_charts.append(ExcelChart(phrase("investment_chart", lang), block, "stacked",
                                              phrase("year", lang), phrase("investment_axis", lang),
                                              colours={stack["label"]: stack["colour"] for stack in stacks}))
    return Section(phrase("investment_chart", lang), readings.investment(costs, summary, lang), [chart],
                   id="investment")


def mac_section(report: Report, catalogue: pd.DataFrame, lang: str) -> Section:
    mac = catalogue[catalogue["co2_yuan_per_t"].notna()].sort_values(["co2_yuan_per_t", "measure"], kind="stable")
    bars = [{"measure": r.measure, "label": r.name, "sector": r.sector, "sector_label": sector_label(r.sector, lang),
             "height": float(r.co2_yuan_per_t), "width": float(r.co2_potential_t_per_yr)} for r in mac.itertuples()]
    figure = mac_figure(phrase("mac_chart", lang), phrase("mac_x", lang), phrase("mac_y", lang), bars, lang,
                        phrase("mac_clipped", lang))
    chart = Chart("chart-mac", figure, {"measure": mac["measure"].tolist(),
                                        "co2_yuan_per_t": [b["height"] for b in bars],
                                        "co2_potential_t_per_yr": [b["width"] for b in bars]})
    if bars:
        # A step line: each measure's cost held across its width of cumulative potential.
        xs, ys, left = [], [], 0.0
        for bar in bars:
            xs += [left, left + bar["width"]]
            ys += [bar["height"], bar["height"]]
            left += bar["width"]
        block = pd.DataFrame({phrase("mac_x", lang): xs, phrase("mac_y", lang): ys})
        report.excel_charts.append(ExcelChart(phrase("mac_chart", lang), block, "step", phrase("mac_x", lang),
                                              phrase("mac_y", lang), colours={phrase("mac_y", lang): PLAN_COLOUR}))
    return Section(phrase("mac_chart", lang), readings.mac(bars, lang), [chart], id="mac")


def labelled_codes(co_control: pd.DataFrame, lang: str, area_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Scope and quadrant codes of co_control.csv in the report's language; areas by name (areas.csv)."""
    table = co_control.copy()
    table["scope"] = table["scope"].map(lambda v: phrase(f"scope_{v}", lang))
    table["quadrant"] = table["quadrant"].map(lambda v: phrase(f"quadrant_{v}", lang))
    if "area" in table.columns:
        table["area"] = table["area"].astype(object).map(lambda v: (area_names or {}).get(v, v)).astype(object)
        blank = table["area"].isna() | (table["area"].astype(str) == "")
        table.loc[blank & (table["scope"] == phrase("scope_area", lang)), "area"] = phrase("city_wide", lang)
    return table


def coordinate_section(catalogue: pd.DataFrame, lang: str, co_control: pd.DataFrame | None = None,
                       report: Report | None = None, area_names: dict[str, str] | None = None) -> Section:
    """协同控制效应坐标系 of the catalogue and, beside it, the run's co-control indicators (七(二)
    协同度评价): the portfolio's cross-elasticity per pollutant and target year."""
    air = catalogue[[f"{p}_potential_t_per_yr" for p in AIR_POLLUTANTS]].sum(axis=1)
    points = [{"label": name, "x": float(x), "y": float(y), "sector": sector, "sector_label": sector_label(sector, lang)}
              for name, x, y, sector in zip(catalogue["name"], catalogue["co2_potential_t_per_yr"], air,
                                            catalogue["sector"])]
    figure = quadrant_figure(phrase("coord_chart", lang), phrase("coord_x", lang), phrase("coord_y", lang), points,
                             phrase("quadrants", lang), lang)
    chart = Chart("chart-cocontrol", figure, {"measure": catalogue["measure"].tolist(),
                                              "co2_potential_t_per_yr": [p["x"] for p in points],
                                              "air_pollutant_potential_t_per_yr": [p["y"] for p in points]})
    section = Section(phrase("coord_chart", lang), readings.quadrants(points, lang), [chart], id="cocontrol")
    if co_control is None or co_control.empty:
        return section
    portfolio = co_control[(co_control["scope"] == "portfolio") & (co_control["abated_t"].abs() > 1e-9)]
    if portfolio.empty:
        section.reading += " " + readings.co_control(portfolio, co_control, lang)
        return section
    years = sorted(int(y) for y in portfolio["year"].unique())
    pollutants = list(dict.fromkeys(portfolio["pollutant"]))
    groups = []
    for k, year in enumerate(years):
        here = portfolio[portfolio["year"] == year].set_index("pollutant")
        groups.append({"label": str(year), "colour": run_colour(k),
                       "values": [float(here.loc[p, "elasticity"]) if p in here.index else None for p in pollutants]})
    figure = grouped_bar_figure(phrase("elasticity_chart", lang), phrase("pollutant_axis", lang),
                                phrase("elasticity_axis", lang), [pollutant_label(p, lang) for p in pollutants],
                                groups, lang)
    if report is not None:
        block = pd.DataFrame({phrase("pollutant_axis", lang): [pollutant_label(p, lang) for p in pollutants],
                              **{g["label"]: g["values"] for g in groups}})
        report.excel_charts.append(ExcelChart(phrase("elasticity_chart", lang), block, "column",
                                              phrase("pollutant_axis", lang), phrase("elasticity_axis", lang),
                                              colours={g["label"]: g["colour"] for g in groups}))
    section.charts.append(Chart("chart-elasticity", figure, {
        str(year): {p: g["values"][j] for j, p in enumerate(pollutants)} for year, g in zip(years, groups)}))
    shown = co_control[co_control["scope"] != "measure"].drop(columns=["measure", "name"])
    if not shown["area"].notna().any() or not shown["area"].dropna().astype(str).str.len().gt(0).any():
        shown = shown.drop(columns=["area"])
    section.tables.append(sheet(phrase("co_control", lang), labelled_codes(shown, lang, area_names), lang,
                                "co_control.csv"))
    section.reading += " " + readings.co_control(portfolio, co_control, lang)
    return section


def pools_section(pools: pd.DataFrame, targets: pd.DataFrame, lang: str, report: Report | None = None) -> Section:
    """Applicability pools: the share of each stock's capacity the measures take, by year (pools count
    in their own units, Mt of clinker beside vehicles, so one axis in pool units would flatten all but
    the largest); hover gives the units used and the capacity."""
    series = []
    for k, (pool, rows) in enumerate(pools.groupby("pool", sort=False)):
        years = [int(y) for y in rows["year"]]
        share = [float(u) / float(c) if c else np.nan for u, c in zip(rows["used"], rows["capacity"])]
        unit = str(rows["unit"].iloc[0]) if "unit" in rows.columns and pd.notna(rows["unit"].iloc[0]) else ""
        series.append({"label": pool, "x": years, "y": share, "colour": run_colour(k), "unit": unit,
                       "used": rows["used"].tolist(), "capacity": rows["capacity"].tolist()})
    figure = go.Figure()
    for s in series:
        figure.add_trace(go.Scatter(
            x=s["x"], y=s["y"], name=s["label"], mode="lines+markers", line={"color": s["colour"], "width": 2.5},
            marker={"size": 5}, customdata=[[u, c] for u, c in zip(s["used"], s["capacity"])],
            hovertemplate=("%{x}: %{y:.1%} (%{customdata[0]:,.2f} / %{customdata[1]:,.2f} " + s["unit"]
                           + ")<extra>" + s["label"] + "</extra>")))
    figure.add_hline(y=1.0, line_dash="dash", line_color=BAU_COLOUR, annotation_text=phrase("capacity", lang),
                     annotation_position="top left")
    figure.update_layout(base_layout(phrase("pools_chart", lang), phrase("year", lang), phrase("pools_axis", lang),
                                     lang, xaxis={"tickformat": "d", "dtick": 1},
                                     yaxis={"tickformat": ".0%", "range": [0, 1.1]}))
    chart = Chart("chart-pools", figure, {pool: {"used": rows["used"].tolist(), "capacity": rows["capacity"].tolist()}
                                          for pool, rows in pools.groupby("pool", sort=False)})
    if report is not None and series:
        years = sorted({x for s in series for x in s["x"]})
        block = pd.DataFrame({phrase("year", lang): years})
        for s in series:
            by_year = dict(zip(s["x"], s["y"]))
            block[s["label"]] = [by_year.get(y, np.nan) for y in years]
        report.excel_charts.append(ExcelChart(phrase("pools_chart", lang), block, "line", phrase("year", lang),
                                              phrase("pools_axis", lang),
                                              colours={s["label"]: s["colour"] for s in series}, percent=True))
    return Section(phrase("pools", lang), readings.pools(pools, lang), [chart], id="pools")


def areas_section(areas: pd.DataFrame, targets: pd.DataFrame, lang: str, report: Report | None = None) -> Section:
    """By district: investment by year and area, abatement and the area targets."""
    names = {str(a): (str(n) if str(a) not in ("", "nan") else phrase("city_wide", lang))
             for a, n in zip(areas["area"].astype(object).fillna(""), areas["name"])}
    keys = list(dict.fromkeys(areas["area"].astype(object).fillna("").astype(str)))
    years = sorted(int(y) for y in areas["year"].unique())
    frame = areas.assign(area=areas["area"].astype(object).fillna("").astype(str))
    stacks = [{"label": names[a], "values": [float(frame[(frame.area == a) & (frame.year == y)]["capex_wan_yuan"].sum())
                                             for y in years], "colour": run_colour(k)} for k, a in enumerate(keys)]
    figure = stacked_bar_figure(phrase("areas_chart", lang), phrase("year", lang), phrase("investment_axis", lang),
                                years, stacks, lang)
    chart = Chart("chart-areas", figure, {s["label"]: s["values"] for s in stacks})
    if report is not None and years:
        block = pd.DataFrame({phrase("year", lang): years, **{s["label"]: s["values"] for s in stacks}})
        report.excel_charts.append(ExcelChart(phrase("areas_chart", lang), block, "stacked", phrase("year", lang),
                                              phrase("investment_axis", lang),
                                              colours={s["label"]: s["colour"] for s in stacks}))
    tables = []
    if "area" in targets.columns:
        local = targets[targets["area"].astype(object).fillna("").astype(str) != ""]
        if len(local):
            tables.append(sheet(phrase("area_targets", lang), local[["year", "area", "kind", "subject", "value", "unit",
                                                                      "required", "achieved", "met"]], lang,
                                "targets.csv"))
    return Section(phrase("areas", lang), readings.areas(frame, names, targets, lang), [chart], tables, id="areas")

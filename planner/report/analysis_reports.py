"""Reports of the ensemble analyses: uncertainty (P(met) per target, cost distribution, robust
core), robust plan (premium, P(met) of both plans), alternatives (cost against distance, measures
in each), sensitivity (tornado). Each reads only its folder's own files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from planner.report.charts import base_layout, grouped_bar_figure, number_format
from planner.report.colours import BAU_COLOUR, PLAN_COLOUR, SHORTFALL_COLOUR
from planner.report.content import Chart, ExcelChart, Report, Section, Sheet, read_csv, sheet
from planner.report.labels import column_label, parameter_label, phrase, target_id_label


def _pct(value: float) -> str:
    return "—" if value is None or pd.isna(value) else f"{100 * value:.0f}%"


def _t(value: float) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:,.0f}"


def _raw(name: str, table: pd.DataFrame, lang: str = "en", file: str | None = None) -> Sheet:
    """A result table with headers from the column table where declared (else the column ids),
    true/false in the report's language, fractions as percentages, numbers as numbers."""
    return sheet(name, table, lang, file)


def named_targets(targets: pd.DataFrame, lang: str, names: dict | None) -> Sheet:
    """The uncertainty targets table: each target in words beside its id, the target value of an
    intensity or peak row as a percentage (it is a fraction there, tonnes elsewhere)."""
    table = targets.copy()
    table.insert(1, "target_label", [target_id_label(t, lang, names) for t in table["target"]])
    shown = sheet(phrase("targets", lang), table, lang, "uncertainty/targets.csv")
    if "value" in table.columns and "kind" in table.columns:
        shown.percent[column_label("value", lang, "uncertainty/targets.csv")] = \
            table["kind"].isin(["intensity_reduction", "non_increasing"]).tolist()
    return shown


def uncertainty_report(folder: Path, summary: dict, lang: str) -> Report:
    zh = lang == "zh"
    names = summary.get("names") or {}
    targets = read_csv(folder, "targets.csv")
    target_sheet = named_targets(targets, lang, names)
    measures = read_csv(folder, "measures.csv")
    samples = read_csv(folder, "samples.csv")
    report = Report(title=f"{phrase('uncertainty', lang)} — {summary.get('model')}",
                    sheets=[target_sheet, _raw(phrase("measures_word", lang), measures, lang, "uncertainty/measures.csv"),
                            _raw(phrase("samples_word", lang), samples, lang)])
    labels = [target_id_label(t, lang, names) for t in targets["target"]]
    # Horizontal bars: the targets' names (long in Chinese) sit on the axis without running into
    # each other or into the legend.
    figure = grouped_bar_figure(phrase("p_met_chart", lang), phrase("p_met_axis", lang), "", labels, [
        {"label": phrase("fixed_plan", lang), "values": targets["p_met_fixed_plan"].tolist(), "colour": PLAN_COLOUR},
        {"label": phrase("reoptimised", lang), "values": targets["p_met_reoptimised"].tolist(),
         "colour": BAU_COLOUR}], lang, horizontal=True)
    figure.update_layout(xaxis={"range": [0, 1.05], "tickformat": ".0%"}, yaxis={"autorange": "reversed"},
                         height=max(380, 60 * len(labels) + 160))
    p_met = Chart("chart-p-met", figure, {"target": labels, "p_met_fixed_plan": targets["p_met_fixed_plan"].tolist(),
                                          "p_met_reoptimised": targets["p_met_reoptimised"].tolist()})
    costs = samples["cost_reoptimised_wan_yuan"].dropna().tolist()
    fixed = samples["cost_fixed_plan_wan_yuan"].dropna().tolist()
    histogram = go.Figure()
    histogram.add_trace(go.Histogram(x=costs, name=phrase("reoptimised", lang), marker={"color": BAU_COLOUR},
                                     opacity=0.75, nbinsx=20))
    histogram.add_trace(go.Histogram(x=fixed, name=phrase("fixed_plan", lang), marker={"color": PLAN_COLOUR},
                                     opacity=0.75, nbinsx=20))
    histogram.update_layout(base_layout(phrase("cost_distribution", lang), phrase("cost_axis", lang),
                                    phrase("sample_count", lang), lang, barmode="overlay",
                                    xaxis={"tickformat": number_format(lang)}, yaxis={"tickformat": "d"}))
    cost = Chart("chart-cost-distribution", histogram, {"cost_reoptimised_wan_yuan": costs,
                                                        "cost_fixed_plan_wan_yuan": fixed})
    weakest = targets.sort_values("p_met_fixed_plan").iloc[0] if len(targets) else None
    core = measures[measures["robust_core"].astype(str) == "True"] if "robust_core" in measures else measures.iloc[0:0]
    n = summary.get("samples_done", len(samples))
    if zh:
        reading = (f"{n}个抽样中,固定中心方案全部达标的概率为 {_pct(summary.get('p_all_met_fixed_plan'))},"
                   f"每次重新优化后为 {_pct(summary.get('p_all_met_reoptimised'))}。")
        if weakest is not None:
            reading += (f"最脆弱的目标是 {target_id_label(weakest.target, lang, names)}"
                        f"(固定方案达标概率 {_pct(weakest.p_met_fixed_plan)}),"
                        "应为其留出余量或准备后备措施。")
        reading += (f"成本中位数 {_t(float(np.median(costs)) if costs else None)} 万元,"
                    f"第10–90百分位 {_t(np.percentile(costs, 10) if costs else None)}–"
                    f"{_t(np.percentile(costs, 90) if costs else None)} 万元。"
                    f"{len(core)}项措施在大多数抽样中入选(稳健核心),可优先实施。")
    else:
        reading = (f"Over {n} samples the fixed central plan meets every target with probability "
                   f"{_pct(summary.get('p_all_met_fixed_plan'))}, a plan re-optimised per sample with "
                   f"{_pct(summary.get('p_all_met_reoptimised'))}. ")
        if weakest is not None:
            reading += (f"The weakest target is {target_id_label(weakest.target, lang, names)} (met by the fixed plan in "
                        f"{_pct(weakest.p_met_fixed_plan)}): give it a margin or a fallback measure. ")
        reading += (f"The median cost is {_t(float(np.median(costs)) if costs else None)} 万元, the 10th-90th "
                    f"percentiles {_t(np.percentile(costs, 10) if costs else None)}-"
                    f"{_t(np.percentile(costs, 90) if costs else None)} 万元. {len(core)} measures are chosen in "
                    "most samples (the robust core): they can start first.")
    report.key_figures = [(phrase("p_all_fixed", lang), _pct(summary.get("p_all_met_fixed_plan"))),
                          (phrase("p_all_reopt", lang), _pct(summary.get("p_all_met_reoptimised"))),
                          (phrase("robust_core", lang), str(len(core)))]
    report.sections.append(Section(phrase("uncertainty", lang), reading, [p_met, cost],
                                   [target_sheet,
                                    _raw(phrase("robust_core", lang), core, lang, "uncertainty/measures.csv")], id="uncertainty"))
    block = pd.DataFrame({phrase("target_word", lang): labels,
                          phrase("fixed_plan", lang): targets["p_met_fixed_plan"].tolist(),
                          phrase("reoptimised", lang): targets["p_met_reoptimised"].tolist()})
    report.excel_charts.append(ExcelChart(phrase("p_met_chart", lang), block, "column", "", phrase("p_met_axis", lang),
                                          colours={phrase("fixed_plan", lang): PLAN_COLOUR,
                                                   phrase("reoptimised", lang): BAU_COLOUR}, percent=True))
    if costs or fixed:
        report.excel_charts.append(ExcelChart(phrase("cost_distribution", lang), cost_bins(costs, fixed, lang),
                                              "column", phrase("cost_axis", lang), phrase("sample_count", lang),
                                              colours={phrase("reoptimised", lang): BAU_COLOUR,
                                                       phrase("fixed_plan", lang): PLAN_COLOUR}))
    return report


def cost_bins(costs: list[float], fixed: list[float], lang: str, bins: int = 10) -> pd.DataFrame:
    """The cost histogram as cells: one row per cost band (equal widths over both plans' costs),
    the number of samples of each plan whose cost falls in it."""
    both = np.asarray(costs + fixed, dtype=float)
    edges = np.histogram_bin_edges(both, bins=bins if np.ptp(both) > 0 else 1)
    return pd.DataFrame({phrase("cost_band", lang): [f"{lo:,.0f}–{hi:,.0f}" for lo, hi in zip(edges[:-1], edges[1:])],
                         phrase("reoptimised", lang): np.histogram(costs, bins=edges)[0].astype(int).tolist(),
                         phrase("fixed_plan", lang): np.histogram(fixed, bins=edges)[0].astype(int).tolist()})


def robust_report(folder: Path, summary: dict, lang: str) -> Report:
    zh = lang == "zh"
    table = read_csv(folder, "robust.csv")
    row = table.iloc[0]
    report = Report(title=f"{phrase('robust', lang)} — {summary.get('model')}", sheets=[_raw(phrase("robust", lang), table, lang, "robust.csv")])
    p_met = phrase("p_met_axis", lang)
    figure = grouped_bar_figure(phrase("robust_chart", lang), "", p_met, [phrase("robust_plan", lang),
                                                                         phrase("central_plan", lang)],
                                [{"label": p_met, "values": [float(row.p_met_robust), float(row.p_met_central)],
                                  "colour": PLAN_COLOUR}], lang)
    figure.update_layout(yaxis={"range": [0, 1.05], "tickformat": ".0%"})
    chart = Chart("chart-robust", figure, {"p_met_robust": float(row.p_met_robust),
                                           "p_met_central": float(row.p_met_central)})
    added = sorted(set(summary.get("measures_robust", [])) - set(summary.get("measures_central", [])))
    # The robust plan's run folder (plan/) names its measures.
    if (folder / "plan" / "plan.csv").is_file():
        plan = read_csv(folder / "plan", "plan.csv")
        names = dict(zip(plan["measure"].astype(str), plan["name"].astype(str))) if "name" in plan else {}
        added = [names.get(m, m) for m in added]
    if zh:
        reading = (f"稳健方案在全部 {int(row.samples)} 个抽样下同时达标,成本 {_t(row.cost_robust_wan_yuan)} 万元,"
                   f"比中心方案多 {_t(row.premium_wan_yuan)} 万元({row.premium_pct:.1f}%)。在 {int(row.check_samples)} "
                   f"个新抽样中,稳健方案达标概率 {_pct(row.p_met_robust)},中心方案 {_pct(row.p_met_central)}。"
                   + (f"稳健方案另增措施:{'、'.join(added)}。" if added else ""))
    else:
        reading = (f"The robust plan meets the targets in all {int(row.samples)} samples at "
                   f"{_t(row.cost_robust_wan_yuan)} 万元, a premium of {_t(row.premium_wan_yuan)} 万元 "
                   f"({row.premium_pct:.1f}%) over the central plan. On {int(row.check_samples)} fresh samples it "
                   f"meets them with probability {_pct(row.p_met_robust)}, the central plan with "
                   f"{_pct(row.p_met_central)}." + (f" It adds: {', '.join(added)}." if added else ""))
    report.key_figures = [(phrase("premium", lang), f"{_t(row.premium_wan_yuan)} 万元")]
    block = pd.DataFrame({phrase("plan_word", lang): [phrase("robust_plan", lang), phrase("central_plan", lang)],
                          p_met: [float(row.p_met_robust), float(row.p_met_central)]})
    report.excel_charts.append(ExcelChart(phrase("robust_chart", lang), block, "column", "", p_met,
                                          colours={p_met: PLAN_COLOUR}, percent=True))
    report.sections.append(Section(phrase("robust", lang), reading, [chart], [_raw(phrase("robust", lang), table, lang, "robust.csv")],
                                   id="robust"))
    return report


def alternatives_report(folder: Path, summary: dict, lang: str) -> Report:
    zh = lang == "zh"
    table = read_csv(folder, "summary.csv")
    measures = read_csv(folder, "measures.csv")
    report = Report(title=f"{phrase('alternatives', lang)} — {summary.get('model')}",
                    sheets=[_raw(phrase("alternatives", lang), table, lang, "alternatives/summary.csv"), _raw(phrase("measures_word", lang), measures, lang, "alternatives/measures.csv")])
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=table["distance_to_optimum"].tolist(), y=table["cost_wan_yuan"].tolist(),
                                mode="markers+text", text=table["alternative"].tolist(), textposition="top center",
                                marker={"size": 11, "color": PLAN_COLOUR}, name=phrase("alternatives", lang),
                                customdata=table["measures_used"].tolist(),
                                hovertemplate="%{text}: %{y:,.0f} 万元, d = %{x:.2f}, %{customdata}<extra></extra>"))
    figure.update_layout(base_layout(phrase("alternatives_chart", lang), phrase("distance_axis", lang),
                                 phrase("cost_axis", lang), lang, xaxis={"tickformat": ".2f"}))
    chart = Chart("chart-alternatives", figure, {"alternative": table["alternative"].tolist(),
                                                 "cost_wan_yuan": table["cost_wan_yuan"].tolist(),
                                                 "distance_to_optimum": table["distance_to_optimum"].tolist()})
    block = pd.DataFrame({phrase("distance_axis", lang): table["distance_to_optimum"].tolist(),
                          phrase("cost_axis", lang): table["cost_wan_yuan"].tolist(),
                          phrase("alternatives", lang): table["alternative"].astype(str).tolist()})
    report.excel_charts.append(ExcelChart(phrase("alternatives_chart", lang), block, "points",
                                          phrase("distance_axis", lang), phrase("cost_axis", lang),
                                          colours={phrase("cost_axis", lang): PLAN_COLOUR},
                                          label_column=phrase("alternatives", lang)))
    must = measures[measures["must_have"].astype(str) == "True"]
    far = table.sort_values("distance_to_optimum").iloc[-1]
    if zh:
        reading = (f"在最优成本上浮 {100 * summary.get('slack', 0):.0f}% 以内找到 {len(table)} 个方案,彼此尽量不同;"
                   f"差异最大的 {far.alternative} 距最优 {far.distance_to_optimum:.2f},成本 {_t(far.cost_wan_yuan)} 万元。"
                   f"{len(must)}项措施在每个方案中都出现(必选),其余措施可以按实施条件互相替代。")
    else:
        reading = (f"{len(table)} plans within {100 * summary.get('slack', 0):.0f}% of the least cost, as different "
                   f"as possible; the farthest, {far.alternative}, lies {far.distance_to_optimum:.2f} from the optimum "
                   f"at {_t(far.cost_wan_yuan)} 万元. {len(must)} measures appear in every plan (must-haves); the "
                   "others can stand in for one another as conditions allow.")
    report.sections.append(Section(phrase("alternatives", lang), reading, [chart],
                                   [_raw(phrase("alternatives", lang), table.drop(columns=["measures"]), lang, "alternatives/summary.csv"),
                                    _raw(phrase("measures_word", lang), measures, lang, "alternatives/measures.csv")], id="alternatives"))
    return report


def named_tornado(tornado: pd.DataFrame, lang: str, names: dict | None) -> pd.DataFrame:
    """tornado.csv for the report: a readable ``label`` beside the ``parameter`` id, missed targets
    in words."""
    table = tornado.copy()
    table.insert(1, "label", [parameter_label(p, lang, names) for p in table["parameter"]])
    sep = "; " if lang == "en" else "；"
    for column in ("targets_missed_low", "targets_missed_high"):
        if column in table.columns:
            table[column] = [sep.join(target_id_label(t, lang, names) for t in str(v).split(";") if t)
                             if isinstance(v, str) else v for v in table[column]]
    return table


def sensitivity_report(folder: Path, summary: dict, lang: str) -> Report:
    zh = lang == "zh"
    names = summary.get("names") or {}
    raw = read_csv(folder, "tornado.csv").sort_values("swing_wan_yuan", ascending=False, kind="stable")
    tornado = named_tornado(raw, lang, names)
    inclusion = read_csv(folder, "inclusion_cost.csv")
    inclusion.insert(1, "name", [(names.get("measures") or {}).get(m, m) for m in inclusion["measure"]])
    report = Report(title=f"{phrase('sensitivity', lang)} — {summary.get('model')}",
                    sheets=[_raw(phrase("tornado", lang), tornado, lang, "tornado.csv"),
                            _raw(phrase("inclusion", lang), inclusion, lang, "inclusion_cost.csv")])
    optimum = float(summary.get("optimum_wan_yuan") or 0.0)
    top = tornado.head(15).iloc[::-1]
    figure = go.Figure()
    figure.add_trace(go.Bar(y=top["label"].tolist(), x=(top["objective_low"] - optimum).tolist(), orientation="h",
                            name=phrase("low_case", lang), marker={"color": PLAN_COLOUR},
                            hovertemplate="%{y}: %{x:,.0f} 万元<extra></extra>"))
    figure.add_trace(go.Bar(y=top["label"].tolist(), x=(top["objective_high"] - optimum).tolist(),
                            orientation="h", name=phrase("high_case", lang), marker={"color": SHORTFALL_COLOUR},
                            hovertemplate="%{y}: %{x:,.0f} 万元<extra></extra>"))
    figure.update_layout(base_layout(phrase("tornado_chart", lang), phrase("change_of_cost", lang), "", lang,
                                 barmode="overlay", height=max(380, 26 * len(top) + 120),
                                 yaxis={"type": "category", "tickformat": None},
                                 xaxis={"tickformat": number_format(lang)}))
    chart = Chart("chart-tornado", figure, {"parameter": top["parameter"].tolist(), "label": top["label"].tolist(),
                                            "objective_low": top["objective_low"].tolist(),
                                            "objective_high": top["objective_high"].tolist()})
    if len(top):
        shown = top.iloc[::-1]  # largest swing first; the chart's reversed axis draws it on top
        block = pd.DataFrame({phrase("parameter_word", lang): shown["label"].tolist(),
                              phrase("low_case", lang): (shown["objective_low"] - optimum).tolist(),
                              phrase("high_case", lang): (shown["objective_high"] - optimum).tolist()})
        report.excel_charts.append(ExcelChart(phrase("tornado_chart", lang), block, "bar", "",
                                              phrase("change_of_cost", lang),
                                              colours={phrase("low_case", lang): PLAN_COLOUR,
                                                       phrase("high_case", lang): SHORTFALL_COLOUR}))
    first = tornado.iloc[0] if len(tornado) else None
    changes = int(tornado["portfolio_changes"].astype(str).eq("True").sum()) if len(tornado) else 0
    # A figure whose low or high case cannot meet every target is solved with elastic targets: its
    # cost then includes the penalties of the missed targets, not only the plan's cost.
    missed = 0 if first is None else sum(
        1 for side in ("low", "high") if str(first.get(f"status_{side}")) == "elastic")
    if zh:
        reading = (f"逐一将 {summary.get('parameters', len(tornado))} 个参数上下浮动 {100 * summary.get('range', 0):.0f}%:"
                   + (f"影响最大的是 {first.label},总成本变动 {_t(first.swing_wan_yuan)} 万元"
                      + (",其变动使部分目标无法达成(成本含未达标罚项)" if missed else "") + ";"
                      if first is not None else "")
                   + f"{changes}个参数的变动会改变入选措施,其余只改变成本。"
                   "成本对这些参数最敏感,应优先核实其取值。")
    else:
        reading = (f"Each of {summary.get('parameters', len(tornado))} figures moved {100 * summary.get('range', 0):.0f}% "
                   "down and up in turn: " + (f"{first.label} moves the cost most, by {_t(first.swing_wan_yuan)} 万元"
                                              + (" (some targets can then not be met: the cost includes their "
                                                 "penalties)" if missed else "") + "; "
                                              if first is not None else "")
                   + f"{changes} of them change the portfolio, the rest only its cost. Check those figures first.")
    report.sections.append(Section(phrase("sensitivity", lang), reading, [chart],
                                   [_raw(phrase("tornado", lang), tornado, lang, "tornado.csv"),
                                    _raw(phrase("inclusion", lang), inclusion, lang, "inclusion_cost.csv")],
                                   id="sensitivity"))
    return report

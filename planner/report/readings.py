"""One paragraph per report section, in Chinese or English, made from the section's own numbers:
what the chart shows and what it means for the plan. Nothing here is canned: each sentence is
chosen and filled from the tables."""

from __future__ import annotations

import math

import pandas as pd

from planner.report.labels import pollutant_label, sector_label


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _t(value: float) -> str:
    return f"{value:,.0f}"


def emissions(emissions: pd.DataFrame, targets: pd.DataFrame, lang: str, solved: bool) -> str:
    zh = lang == "zh"
    limits = targets[targets["kind"] != "deployment"]
    if not solved:
        count = len(limits)
        return (f"本次求解没有可行方案,图中只画出基准情景(BAU)排放和{count}个排放目标(黑色菱形);"
                "需要按上方诊断调整预算或目标后重新求解。" if zh else
                f"This run has no feasible plan, so the charts show only the BAU emissions and the {count} "
                "emission targets (black diamonds); change the budget or targets as the diagnosis above says "
                "and solve again.")
    sentences = []
    for row in limits.sort_values(["year", "subject"]).itertuples():
        here = emissions[(emissions["year"] == row.year) & (emissions["pollutant"] == row.subject)]
        if here.empty:
            continue
        e = here.iloc[0]
        cut = 1 - e.emissions_t / e.bau_t if e.bau_t else 0.0
        name = pollutant_label(row.subject, lang)
        slack = row.achieved - row.required
        if zh:
            state = ("恰好达到目标(目标约束起作用)" if abs(slack) <= 1e-6 * max(1.0, abs(row.required)) else
                     f"比目标多减 {_t(slack)} 吨" if slack > 0 else f"距目标尚差 {_t(-slack)} 吨")
            sentences.append(f"{row.year}年{name}排放 {_t(e.emissions_t)} 吨,比基准情景低 {_pct(cut)},{state}")
        else:
            state = ("exactly at its target (the target binds)" if abs(slack) <= 1e-6 * max(1.0, abs(row.required))
                     else f"{_t(slack)} t better than its target" if slack > 0 else f"{_t(-slack)} t short of it")
            sentences.append(f"in {row.year} {name} emissions are {_t(e.emissions_t)} t, {_pct(cut)} below BAU, "
                             f"{state}")
    if not sentences:
        return "本次运行没有排放目标。" if zh else "This run has no emission targets."
    binding = sum(1 for s in sentences if ("起作用" in s or "binds" in s))
    if zh:
        tail = (f"{binding}个目标恰好达到,说明它们决定了方案的成本;其余目标由这些措施顺带完成。" if binding
                else "所有目标都有余量,方案成本由部署目标或预算决定。")
        return "规划情景(实线)与基准情景(虚线)和目标(菱形)对比:" + ";".join(sentences) + "。" + tail
    tail = (f" {binding} target(s) are met exactly, so they set the plan's cost; the others are met on the way."
            if binding else " Every target is met with room to spare: deployment targets or budgets set the cost.")
    return "The plan (solid) against BAU (dashed) and the targets (diamonds): " + "; ".join(sentences) + "." + tail


def investment(costs: pd.DataFrame, summary: dict, lang: str) -> str:
    zh = lang == "zh"
    total = float(costs["capex_wan_yuan"].sum()) if len(costs) else 0.0
    if total <= 0:
        return "方案没有新增投资。" if zh else "The plan invests nothing."
    by_year = costs.groupby("year")["capex_wan_yuan"].sum()
    by_sector = costs.groupby("sector")["capex_wan_yuan"].sum().sort_values(ascending=False)
    peak_year, peak = int(by_year.idxmax()), float(by_year.max())
    top, share = str(by_sector.index[0]), float(by_sector.iloc[0]) / total
    budgets = summary.get("budget_wan_yuan_by_year", {})
    full = [int(y) for y, v in by_year.items()
            if budgets.get(str(int(y))) is not None and v >= budgets[str(int(y))] * (1 - 1e-6)]
    if zh:
        text = (f"规划期总投资 {_t(total)} 万元,{peak_year}年最多({_t(peak)} 万元);"
                f"{sector_label(top, lang)}领域占 {_pct(share)}。")
        text += (f"{len(full)}个年份用满了年度预算({', '.join(map(str, full))}),预算是这些年份的约束。" if full
                 else "各年投资都低于预算,预算没有约束方案。")
        return text
    text = (f"The plan invests {_t(total)} 万元 over the horizon, most in {peak_year} ({_t(peak)} 万元); "
            f"{top} takes {_pct(share)}. ")
    text += (f"{len(full)} year(s) use the whole yearly budget ({', '.join(map(str, full))}): there the budget binds."
             if full else "Every year stays under its budget: the budget does not bind.")
    return text


def mac(bars: list[dict], lang: str) -> str:
    zh = lang == "zh"
    if not bars:
        return "没有措施减少二氧化碳。" if zh else "No measure cuts CO2."
    total = sum(b["width"] for b in bars)
    saving = [b for b in bars if b["height"] < 0]
    saving_t = sum(b["width"] for b in saving)
    median = sorted(b["height"] for b in bars)[len(bars) // 2]
    dearest = max(bars, key=lambda b: b["height"])
    if zh:
        return (f"{len(bars)}项措施可减少二氧化碳,年减排潜力合计 {_t(total)} 吨;其中{len(saving)}项成本为负"
                f"(节约的运行费用超过年化投资),潜力 {_t(saving_t)} 吨/年,占 {_pct(saving_t / total if total else 0)}。"
                f"单位成本中位数 {_t(median)} 元/吨,最高为{dearest['label']}({_t(dearest['height'])} 元/吨)。"
                "曲线左侧的措施应优先实施;超出纵轴的柱以三角标出其数值。")
    return (f"{len(bars)} measures cut CO2, {_t(total)} t/yr of potential in all; {len(saving)} of them cost less "
            f"than nothing (operating savings exceed the annualised investment), {_t(saving_t)} t/yr or "
            f"{_pct(saving_t / total if total else 0)}. The median cost is {_t(median)} 元/t, the dearest "
            f"{dearest['label']} at {_t(dearest['height'])} 元/t. Measures on the left come first; bars above "
            "the axis are marked with a triangle and their value.")


def quadrants(points: list[dict], lang: str) -> str:
    zh = lang == "zh"
    counts = [0, 0, 0, 0]
    for p in points:
        if p["x"] > 0 and p["y"] > 0:
            counts[0] += 1
        elif p["x"] <= 0 < p["y"]:
            counts[1] += 1
        elif p["x"] < 0 and p["y"] < 0:
            counts[2] += 1
        elif p["x"] > 0 >= p["y"]:
            counts[3] += 1
    if zh:
        return (f"{len(points)}项措施中,{counts[0]}项同时减少二氧化碳和大气污染物(第I象限,协同减排),"
                f"{counts[3]}项只减碳(第IV象限或横轴上),{counts[1]}项只减污或减污增碳(第II象限或纵轴上),"
                f"{counts[2]}项两者皆增。第I象限措施越多,减污与降碳的目标越能相互促进。")
    return (f"Of {len(points)} measures, {counts[0]} cut both CO2 and air pollutants (quadrant I, co-benefit), "
            f"{counts[3]} cut carbon only (quadrant IV or the x axis), {counts[1]} cut pollutants only or add CO2 "
            f"(quadrant II or the y axis), {counts[2]} add both. The more measures in quadrant I, the more the "
            "pollution and carbon targets help each other.")


def targets(targets: pd.DataFrame, lang: str, solved: bool) -> str:
    zh = lang == "zh"
    if not len(targets):
        return "没有目标。" if zh else "There are no targets."
    met = int(targets["met"].astype(str).eq("True").sum())
    priced = targets[targets["shadow_price_yuan_per_t"].fillna(0).abs() > 0.005]
    if not solved:
        return (f"{len(targets)}个目标在现有条件下无法同时达成,见上方诊断。" if zh else
                f"The {len(targets)} targets cannot all be met as things stand: see the diagnosis above.")
    if zh:
        text = f"{len(targets)}个目标中{met}个达成。"
        if len(priced):
            top = priced.sort_values("shadow_price_yuan_per_t", ascending=False).iloc[0]
            text += (f"影子价格表示目标再收紧一吨所增加的成本:{top.year}年{pollutant_label(top.subject, lang)}目标最高,"
                     f"{top.shadow_price_yuan_per_t:,.0f} 元/吨。影子价格为零的目标没有约束方案。")
        return text
    text = f"{met} of {len(targets)} targets are met. "
    if len(priced):
        top = priced.sort_values("shadow_price_yuan_per_t", ascending=False).iloc[0]
        text += (f"A shadow price is what one more tonne of the target would cost: highest for the {top.year} "
                 f"{pollutant_label(top.subject, lang)} target, {top.shadow_price_yuan_per_t:,.0f} 元/t. Targets "
                 "with a zero price do not constrain the plan.")
    return text


def key_projects(projects: pd.DataFrame, lang: str) -> str:
    zh = lang == "zh"
    if projects.empty:
        return "没有入选措施。" if zh else "No measure is chosen."
    total = float(projects["capex_wan_yuan"].sum())
    top = projects.head(3)
    share = float(top["capex_wan_yuan"].sum()) / total if total else 0.0
    names = ("、" if zh else ", ").join(str(n) for n in top["name"])
    if zh:
        return (f"{len(projects)}项措施入选,投资最多的三项({names})占总投资 {_pct(share)};"
                "表中列出各项的方案条款和牵头部门,可直接作为重点工程清单。")
    return (f"{len(projects)} measures are chosen; the three largest investments ({names}) take {_pct(share)} of the "
            "total. The table gives each one's plan section and lead department: it is the key-project list.")


def sweep(table: pd.DataFrame, lang: str) -> str:
    zh = lang == "zh"
    if table.empty:
        return ""
    met = table[table["targets_missed"].fillna(math.inf) == 0]
    lo, hi = float(table["budget_wan_yuan"].min()), float(table["budget_wan_yuan"].max())
    # Where the number of missed targets stops falling as the budget grows, budget is not what is
    # missing there: the elastic price of those rows is below the cost of meeting them, or the
    # catalogue cannot reach them.
    missed = table["targets_missed"].fillna(0).astype(int).tolist()
    budgets = table["budget_wan_yuan"].tolist()
    flat_from = len(missed) - 1
    while flat_from > 0 and missed[flat_from - 1] == missed[-1]:
        flat_from -= 1
    flat = not len(met) and flat_from < len(missed) - 1
    if zh:
        text = f"在 {_t(lo)}–{_t(hi)} 万元/年的 {len(table)} 个预算点上求解。"
        if len(met):
            text += (f"年度预算达到 {_t(float(met['budget_wan_yuan'].min()))} 万元时全部目标可以达成,"
                     f"此时成本 {_t(float(met['cost_wan_yuan'].iloc[0]))} 万元;更多预算不再降低缺口。")
        elif flat:
            text += (f"所有预算点都有目标缺口;从 {_t(float(budgets[flat_from]))} 万元/年起仍有 {missed[-1]} 个目标未达成,"
                     "且不随预算增加而减少:缺的不是预算,而是这些目标的罚价低于达标成本或措施潜力不足(见各缺口列)。")
        else:
            text += "所有预算点都有目标缺口:需要更多预算或更多措施。"
        return text
    text = f"Solved at {len(table)} budgets from {_t(lo)} to {_t(hi)} 万元 a year. "
    if len(met):
        text += (f"From {_t(float(met['budget_wan_yuan'].min()))} 万元 a year every target is met, at a cost of "
                 f"{_t(float(met['cost_wan_yuan'].iloc[0]))} 万元; more budget no longer closes a gap.")
    elif flat:
        text += (f"Every budget leaves a shortfall; from {_t(float(budgets[flat_from]))} 万元 a year on, "
                 f"{missed[-1]} target(s) stay missed whatever the budget: budget is not what they lack, but their "
                 "price cap is below the cost of meeting them or the measures cannot reach them (see the "
                 "shortfall columns).")
    else:
        text += "Every budget leaves a shortfall: more budget or more measures are needed."
    return text


def comparison(objectives: dict[str, float | None], statuses: dict[str, str], lang: str) -> str:
    zh = lang == "zh"
    solved = {k: v for k, v in objectives.items() if v is not None}
    failed = [k for k in objectives if k not in solved]
    if not solved:
        return "所比较的方案都没有可行解。" if zh else "None of the compared runs has a feasible plan."
    cheapest = min(solved, key=solved.get)
    dearest = max(solved, key=solved.get)
    if zh:
        text = (f"比较{len(objectives)}个方案:{cheapest}的总成本现值最低({_t(solved[cheapest])} 万元),"
                f"{dearest}最高({_t(solved[dearest])} 万元)。")
        if failed:
            text += f"{'、'.join(failed)}没有可行解,表中其数值留空。"
        return text
    text = (f"{len(objectives)} runs compared: {cheapest} has the lowest present value of cost "
            f"({_t(solved[cheapest])} 万元), {dearest} the highest ({_t(solved[dearest])} 万元).")
    if failed:
        text += f" {', '.join(failed)} has no feasible plan; its cells are blank."
    return text


def no_regret(core: pd.DataFrame, points: int, lang: str) -> str:
    zh = lang == "zh"
    if core.empty:
        return (f"没有措施在全部 {points} 个预算点都入选。" if zh else
                f"No measure is chosen at all {points} budgets.")
    names = ("、" if zh else ", ").join(str(n) for n in core["name"].head(5))
    more = (f"等{len(core)}项" if zh else f" and {len(core) - 5} more") if len(core) > 5 else ""
    return (f"{len(core)}项措施在全部 {points} 个预算点都入选({names}{more}):无论预算多少都值得实施,可先行启动。"
            if zh else
            f"{len(core)} measures are chosen at all {points} budgets ({names}{more}): worth doing whatever the "
            "budget, so they can start first.")


def co_control(portfolio: pd.DataFrame, table: pd.DataFrame, lang: str) -> str:
    """协同度评价: the portfolio's Els per pollutant in the last target year and the co-benefit share."""
    zh = lang == "zh"
    if portfolio.empty:
        return "组合没有减少CO2以外的污染物。" if zh else "The portfolio cuts no pollutant besides CO2."
    year = int(portfolio["year"].max())
    here = portfolio[portfolio["year"] == year]
    parts = []
    for r in here.itertuples():
        share = "" if pd.isna(r.co_benefit_share) else (
            f",其中 {_pct(r.co_benefit_share)} 来自协同减排措施" if zh else
            f", {_pct(r.co_benefit_share)} of it from co-benefit measures")
        els = "—" if pd.isna(r.elasticity) else f"{r.elasticity:.2f}"
        parts.append(f"{pollutant_label(r.pollutant, lang)} Els = {els}{share}")
    measures = table[(table["scope"] == "measure") & (table["year"] == year)]
    trade = sorted(set(measures.loc[measures["quadrant"] == "trade_off", "name"]))
    if zh:
        text = (f"{year}年组合的协同控制弹性系数(污染物减排比例与CO2减排比例之比,大于1表示减污幅度大于降碳幅度):"
                + ";".join(parts) + "。")
        text += (f"此消彼长的措施:{'、'.join(trade)},需配套治理。" if trade else "没有此消彼长的措施。")
        return text
    text = (f"In {year} the portfolio's cross-elasticity with CO2 (relative pollutant cut over relative CO2 cut; "
            "above 1 means pollution falls faster than carbon): " + "; ".join(parts) + ". ")
    text += (f"Trade-off measures: {', '.join(trade)}; they need matching controls." if trade
             else "No measure trades one off against the other.")
    return text


def pools(table: pd.DataFrame, lang: str) -> str:
    zh = lang == "zh"
    parts = []
    for pool, rows in table.groupby("pool", sort=False):
        full = rows[rows["binding"].astype(str) == "True"]
        share = float((rows["used"] / rows["capacity"].where(rows["capacity"] > 0)).max())
        price = float(rows["shadow_price_yuan_per_unit"].fillna(0).max()) if "shadow_price_yuan_per_unit" in rows else 0
        unit = str(rows["unit"].iloc[0]) if "unit" in rows and pd.notna(rows["unit"].iloc[0]) else ""
        per = f"元/({unit})" if "/" in unit else f"元/{unit}" if unit else ("元/单位" if zh else "元/unit")
        if zh:
            parts.append(f"{pool} 最高使用 {_pct(share if share == share else 0)}"
                         + (f",{len(full)}个年份用满" if len(full) else "")
                         + (f"(影子价格最高 {price:,.0f} {per})" if len(full) and price > 0.5 else ""))
        else:
            parts.append(f"{pool} is used up to {_pct(share if share == share else 0)}"
                         + (f", full in {len(full)} year(s)" if len(full) else "")
                         + (f" (shadow price up to {price:,.0f} {per})" if len(full) and price > 0.5 else ""))
    if zh:
        return ("各存量池已用占容量的比例(虚线为容量 100%):" + ";".join(parts)
                + "。用满的池限制了作用于同一存量的措施,扩大其容量才能进一步减排。")
    return ("Each pool's use as a share of its capacity (dashed: 100 %): " + "; ".join(parts)
            + ". A full pool limits the measures that act on that stock: only more capacity lets them cut more.")


def areas(frame: pd.DataFrame, names: dict, targets: pd.DataFrame, lang: str) -> str:
    zh = lang == "zh"
    total = frame.groupby("area")["capex_wan_yuan"].sum().sort_values(ascending=False)
    all_capex = float(total.sum())
    if all_capex <= 0:
        return "各区域没有投资。" if zh else "No area invests."
    top = total.index[0]
    last = int(frame["year"].max())
    co2 = frame[frame["year"] == last].set_index("area")["co2_abated_t"] if "co2_abated_t" in frame else None
    local = targets[targets.get("area", pd.Series(dtype=object)).astype(object).fillna("").astype(str) != ""] \
        if "area" in targets.columns else targets.iloc[0:0]
    met = int(local["met"].astype(str).eq("True").sum()) if len(local) else 0
    if zh:
        text = (f"{len(total)}个区域(含全市性措施)共投资 {all_capex:,.0f} 万元,{names[top]}最多,占 "
                f"{_pct(float(total.iloc[0]) / all_capex)}。")
        if co2 is not None:
            text += f"{last}年{names[co2.idxmax()]}的二氧化碳减排量最大({co2.max():,.0f} 吨)。"
        if len(local):
            text += f"区域目标{len(local)}个,达成{met}个。"
        return text
    text = (f"{len(total)} areas (city-wide measures included) invest {all_capex:,.0f} 万元; {names[top]} the most, "
            f"{_pct(float(total.iloc[0]) / all_capex)}. ")
    if co2 is not None:
        text += f"In {last} the most CO2 is abated by {names[co2.idxmax()]} ({co2.max():,.0f} t). "
    if len(local):
        text += f"{met} of {len(local)} area targets are met."
    return text


def indicators(table: pd.DataFrame, lang: str) -> str:
    zh = lang == "zh"
    parts = []
    for indicator, rows in table.groupby("indicator", sort=False):
        last = rows.sort_values("year").iloc[-1]
        change = last.get("intensity_change_vs_base")
        name = last["name"]
        if zh:
            parts.append(f"{name}:{int(last.year)}年 {last.level:,.0f} {last.unit},较基准减少 {last.abated:,.0f} {last.unit}"
                         + ("" if pd.isna(change) else f",强度较基年变化 {_pct(change)}"))
        else:
            parts.append(f"{name}: {last.level:,.0f} {last.unit} in {int(last.year)}, {last.abated:,.0f} {last.unit} below BAU"
                         + ("" if pd.isna(change) else f", intensity {_pct(change)} against the base year"))
    return ("其他指标:" + ";".join(parts) + "。") if zh else ("Other indicators: " + "; ".join(parts) + ".")


def replan(plan: pd.DataFrame, replan_from: int, lang: str) -> str:
    """A re-planned run: what was built before ``replan_from`` (history) against what is planned."""
    zh = lang == "zh"
    history = plan[plan["year"] < replan_from]
    ahead = plan[plan["year"] >= replan_from]
    built, planned = float(history["capex_wan_yuan"].sum()), float(ahead["capex_wan_yuan"].sum())
    if zh:
        return (f"本方案从{replan_from}年起重新规划:此前年份(灰色底纹)为已实施的历史,投资 {_t(built)} 万元;"
                f"{replan_from}年起新规划投资 {_t(planned)} 万元。")
    return (f"This plan is re-planned from {replan_from}: the years before (shaded) are history as built, "
            f"{_t(built)} 万元 invested; from {replan_from} on the plan invests {_t(planned)} 万元.")

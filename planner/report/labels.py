"""Report labels in Chinese and English, keyed by result column or phrase."""

from __future__ import annotations

from planner.io import columns
from planner.io.schema import POLLUTANT_LABELS_EN, POLLUTANT_LABELS_ZH

SECTORS_ZH = {
    "energy": "能源", "industry": "工业", "transport": "交通", "buildings": "建筑", "agriculture": "农业",
    "ecology": "生态", "water": "水", "waste": "固废",
}

TARGET_KINDS_ZH = {
    "intensity_reduction": "强度下降", "reduction": "重点工程减排量", "cap": "排放总量上限", "deployment": "部署目标",
    "non_increasing": "达峰(不高于上年)",
}
TARGET_KINDS_EN = {
    "intensity_reduction": "intensity reduction", "reduction": "reduction", "cap": "cap", "deployment": "deployment",
    "non_increasing": "peak (not above the year before)",
}

PHRASES = {
    "report_title": ("减污降碳协同增效措施组合规划报告", "Pollution-and-carbon co-control portfolio report"),
    "summary": ("摘要", "Summary"),
    "annual_plan": ("年度计划", "Annual plan"),
    "emissions": ("排放与目标", "Emissions and targets"),
    "targets": ("目标达成", "Targets"),
    "cost_by_sector": ("分年分领域投资与运行成本", "Cost by year and sector"),
    "catalogue": ("措施目录及来源", "Measure catalogue and sources"),
    "key_projects": ("重点工程清单", "Key projects"),
    "yearly_tasks": ("年度任务分解", "Yearly tasks"),
    "sweep": ("预算情景扫描", "Budget sweep"),
    "comparison": ("方案比较", "Comparison"),
    "item": ("项目", "Item"),
    "value": ("数值", "Value"),
    "year": ("年份", "Year"),
    "status": ("求解状态", "Status"),
    "objective": ("目标函数(总成本现值,万元)", "Objective (present value of cost, 万元)"),
    "cost": ("成本(不含罚项,万元)", "Cost excl. penalties (万元)"),
    "capex_total": ("总投资(万元)", "Total investment (万元)"),
    "opex_total": ("总运行成本(万元)", "Total operating cost (万元)"),
    "targets_met": ("全部目标达成", "All targets met"),
    "measures_chosen": ("入选措施数", "Measures chosen"),
    "model": ("模型", "Model"),
    "scenario": ("情景", "Scenario"),
    "solver": ("求解器", "Solver"),
    "shadow_from": ("影子价格来源", "Shadow prices from"),
    "bau": ("基准情景(BAU)", "BAU"),
    "planned": ("规划情景", "Plan"),
    "target_marker": ("目标", "Target"),
    "emissions_t": ("排放量(吨)", "Emissions (t)"),
    "intensity_chart": ("二氧化碳排放强度(吨/亿元)", "CO2 intensity (t per 亿元 GDP)"),
    "intensity_axis": ("吨/亿元", "t per 亿元"),
    "investment_chart": ("分年投资(按领域,万元)", "Investment by year and sector (万元)"),
    "investment_axis": ("万元", "万元"),
    "mac_chart": ("二氧化碳边际减排成本曲线", "CO2 marginal abatement cost curve"),
    "mac_x": ("减排潜力(吨CO2/年)", "Abatement potential (t CO2/yr)"),
    "mac_y": ("成本(元/吨CO2)", "Cost (元 per t CO2)"),
    "coord_chart": ("协同控制效应坐标系", "Co-control coordinate system"),
    "coord_x": ("CO2减排潜力(吨/年,对数)", "CO2 abatement potential (t/yr, log)"),
    "coord_y": ("大气污染物减排潜力(吨/年,对数)", "Air-pollutant abatement potential (t/yr, log)"),
    "quadrants": (("I 协同减排", "II 减污增碳", "III 增污增碳", "IV 降碳增污"),
                  ("I both cut", "II pollutant cut, CO2 up", "III both up", "IV CO2 cut, pollutant up")),
    "sweep_cost_chart": ("预算与成本", "Cost against budget"),
    "sweep_shortfall_chart": ("预算与未达标目标数", "Targets missed against budget"),
    "budget_axis": ("年度预算(万元)", "Yearly budget (万元)"),
    "cost_axis": ("万元", "万元"),
    "shortfall_axis": ("缺口(吨)", "Shortfall (t)"),
    "missed_axis": ("未达标目标数", "Targets missed"),
    "no_limit": ("不限", "no limit"),
    "horizon": ("规划期", "Horizon"),
    "base_year": ("基年", "base year"),
    "discount_rate": ("贴现率", "Discount rate"),
    "budget_yearly": ("年度预算(万元)", "Yearly budget (万元)"),
    "budget_total": ("总预算(万元)", "Total budget (万元)"),
    "diag_why": ("不可行的原因", "Why the plan is infeasible"),
    "diag_closest": ("现有预算下最接近的方案仍有缺口", "With the budgets as they are, the closest plan falls short on"),
    "diag_conflict": ("相互冲突的约束(不可约集合,放宽其中任一即可)",
                      "These conflict (an irreducible set; relax any one of them)"),
    "diag_fixes": ("如何解决", "What would fix it"),
    "diag_notes": ("说明", "Notes"),
    "metric_col": ("指标", "Metric"),
    "unit_col": ("单位", "Unit"),
    "run": ("方案", "Run"),
    "change": ("变化", "Change"),
    "change_added": ("新增", "added"),
    "change_dropped": ("删除", "dropped"),
    "measure_changes": ("措施增减", "Measure changes"),
    "mac_clipped": ("超出纵轴(标注为实际值)", "Above the axis (value shown)"),
    "no_regret": ("无悔措施", "No-regret measures"),
    "no_regret_count": ("无悔措施数(各预算点均入选)", "No-regret measures (chosen at every budget)"),
    "comparison_cost_chart": ("各方案成本与投资", "Cost and investment by run"),
    "comparison_capex_chart": ("各方案分年投资(虚线为预算)", "Investment by year and run (dashed: budget)"),
    "budget_word": ("预算", "budget"),
    "charts_sheet": ("图表", "Charts"),
    "co_control": ("协同度评价", "Co-control indicators"),
    "elasticity_chart": ("协同控制弹性系数(组合)", "Cross-elasticity with CO2 (portfolio)"),
    "elasticity_axis": ("Els", "Els"),
    "pollutant_axis": ("污染物", "Pollutant"),
    "scope_measure": ("措施", "measure"),
    "scope_portfolio": ("组合", "portfolio"),
    "scope_area": ("区域", "area"),
    "quadrant_co_benefit": ("协同减排", "co-benefit"),
    "quadrant_carbon_only": ("仅降碳", "carbon only"),
    "quadrant_pollutant_only": ("仅减污", "pollutant only"),
    "quadrant_trade_off": ("此消彼长", "trade-off"),
    "quadrant_none": ("无", "none"),
    "city_wide": ("全市(不分区措施)", "city-wide measures"),
    "uncertainty": ("不确定性分析", "Uncertainty"),
    "measures_word": ("措施", "Measures"),
    "samples_word": ("抽样", "Samples"),
    "p_met_chart": ("各目标达标概率", "Probability each target is met"),
    "fixed_plan": ("固定中心方案", "Fixed central plan"),
    "reoptimised": ("逐样本重新优化", "Re-optimised per sample"),
    "cost_distribution": ("成本分布(万元)", "Cost distribution (万元)"),
    "sample_count": ("抽样数", "Samples"),
    "p_all_fixed": ("全部达标概率(固定方案)", "P(all met), fixed plan"),
    "p_all_reopt": ("全部达标概率(重新优化)", "P(all met), re-optimised"),
    "robust_core": ("稳健核心措施", "Robust core"),
    "robust": ("稳健方案", "Robust plan"),
    "robust_chart": ("新抽样下的达标概率", "P(met) on fresh samples"),
    "robust_plan": ("稳健方案", "Robust plan"),
    "central_plan": ("中心方案", "Central plan"),
    "premium": ("稳健溢价", "Robustness premium"),
    "p_met_axis": ("达标概率", "P(met)"),
    "alternatives": ("近优备选方案", "Near-optimal alternatives"),
    "alternatives_chart": ("备选方案:成本与差异", "Alternatives: cost against distance"),
    "distance_axis": ("与最优方案的距离", "Distance to the optimum"),
    "sensitivity": ("敏感性分析", "Sensitivity"),
    "tornado": ("龙卷风图数据", "Tornado"),
    "inclusion": ("未入选措施的入选成本", "Cost to include unchosen measures"),
    "low_case": ("参数下调", "Figure lowered"),
    "high_case": ("参数上调", "Figure raised"),
    "tornado_chart": ("总成本对各参数的敏感性(龙卷风图)", "Tornado: cost change per figure"),
    "change_of_cost": ("总成本变化(万元)", "Change of cost (万元)"),
    "pools": ("存量池使用", "Pool use"),
    "pools_chart": ("存量池:使用占容量比例", "Pools: use as a share of capacity"),
    "areas": ("分区域", "By area"),
    "areas_chart": ("各区域投资(万元)", "Investment by area (万元)"),
    "indicators": ("其他指标", "Indicators"),
    "used": ("已用", "used"),
    "capacity": ("容量", "capacity"),
    "pools_axis": ("已用/容量", "used / capacity"),
    "area_targets": ("区域目标", "Area targets"),
    "history": ("历史(已实施)", "history (built)"),
    "target_word": ("目标", "Target"),
    "cost_band": ("成本区间(万元)", "Cost band (万元)"),
    "plan_word": ("方案", "Plan"),
    "parameter_word": ("参数", "Figure"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "generated_by": ("由 planner 生成", "Generated by planner"),
    "chart_note": ("图中数值与结果文件 CSV 一致;鼠标悬停可查看数值,点击图例可隐藏或显示系列,拖动可放大,双击复原。",
                   "Figures equal the run's CSV files; hover for values, click a legend entry to hide or show it, "
                   "drag to zoom, double-click to reset."),
}



def phrase(key: str, lang: str):
    zh, en = PHRASES[key]
    return zh if lang == "zh" else en


def column_label(column: str, lang: str, file: str | None = None) -> str:
    """Header text for a result column, with its unit, from the one column table (planner/io/columns.py)."""
    return columns.label(column, lang, file)


def pollutant_label(pollutant: str, lang: str) -> str:
    return POLLUTANT_LABELS_ZH[pollutant] if lang == "zh" else POLLUTANT_LABELS_EN[pollutant]


def sector_label(sector: str, lang: str) -> str:
    return SECTORS_ZH.get(sector, sector) if lang == "zh" else sector


# Every run status (planner.solve.status.RunStatus; report does not import solve, so
# tests/test_report_labels.py checks that each member has both labels).
STATUS_LABELS = {
    "optimal": ("最优", "optimal"),
    "infeasible": ("不可行", "infeasible"),
    "unbounded": ("无界", "unbounded"),
    "time_limit": ("达到时间上限(非最优)", "time limit reached (not proven optimal)"),
    "limit_reached": ("达到求解器工作上限(非最优)", "solver work limit reached (not proven optimal)"),
    "memory_limit": ("求解器内存不足", "solver ran out of memory"),
    "interrupted": ("求解被中断", "solve interrupted"),
    "error": ("出错", "solver error"),
}
STATUS_ZH = {code: zh for code, (zh, _) in STATUS_LABELS.items()}
STATUS_EN = {code: en for code, (_, en) in STATUS_LABELS.items()}
# A sample or sensitivity re-solve whose targets could not all be met, solved with elastic targets.
SAMPLE_STATUS_LABELS = {**STATUS_LABELS, "elastic": ("目标有缺口", "targets missed")}


def status_label(status: str | None, lang: str) -> str:
    """A solve status for a report: in Chinese with the code kept, e.g. 最优 (optimal); in English
    in words (the code itself where the words are the code)."""
    status = status or ""
    if status not in SAMPLE_STATUS_LABELS:
        return status
    zh, en = SAMPLE_STATUS_LABELS[status]
    if lang == "zh":
        return f"{zh} ({status})"
    return en if en == status else f"{en} ({status})"


# Text codes in result columns, shown in words in the report's language (result CSVs keep the codes).
STATUS_COLUMNS = ("status", "status_low", "status_high")
VALUE_LABELS_ZH = {
    "kind": TARGET_KINDS_ZH,
    "target_kind": TARGET_KINDS_ZH,
    "subject": POLLUTANT_LABELS_ZH,
    "pollutant": POLLUTANT_LABELS_ZH,
    "sector": SECTORS_ZH,
    "shortfall_unit": {"t": "吨", "units": "单位"},
    **{c: {code: status_label(code, "zh") for code in SAMPLE_STATUS_LABELS} for c in STATUS_COLUMNS},
}
VALUE_LABELS_EN = {
    "kind": TARGET_KINDS_EN,
    "target_kind": TARGET_KINDS_EN,
    "subject": POLLUTANT_LABELS_EN,
    "pollutant": POLLUTANT_LABELS_EN,
    **{c: {code: status_label(code, "en") for code in SAMPLE_STATUS_LABELS} for c in STATUS_COLUMNS},
}


def value_labels(lang: str) -> dict[str, dict[str, str]]:
    return VALUE_LABELS_ZH if lang == "zh" else VALUE_LABELS_EN


# comparison.csv metric names (English codes, as compare.py writes them) in the report's language.
METRICS_ZH = {
    "status": "求解状态", "objective": "目标函数(总成本现值)", "cost (excl. penalties)": "成本(不含罚项)",
    "total capex": "总投资", "targets met": "达标目标数", "measures chosen": "入选措施数",
    "budget total": "总预算",
}
METRICS_EN = {"objective": "Objective (present value of cost)", "cost (excl. penalties)": "Cost excl. penalties",
              "total capex": "Total investment", "targets met": "Targets met", "measures chosen": "Measures chosen",
              "budget total": "Total budget", "status": "Status"}


def metric_label(metric: str, lang: str) -> str:
    """A comparison.csv metric (``capex 2025``, ``NOx abated 2025``) in the report's language."""
    table = METRICS_ZH if lang == "zh" else METRICS_EN
    if metric in table:
        return table[metric]
    head, _, year = metric.rpartition(" ")
    if year.isdigit():
        for code, zh, en in (("capex", "年投资", "Investment"), ("budget", "年预算", "Budget")):
            if head == code:
                return f"{year}{zh}" if lang == "zh" else f"{en} {year}"
        for p, name in POLLUTANT_LABELS_EN.items():
            for what, zh, en in (("abated", "减排量", "abated"), ("emissions", "排放量", "emissions")):
                if head == f"{name} {what}":
                    return f"{year}年{POLLUTANT_LABELS_ZH[p]}{zh}" if lang == "zh" else f"{name} {en} {year}"
    return metric


UNITS_EN_ZH = {"万元": "万元", "t": "吨", "count": "个", "": ""}


def unit_label(unit: str, lang: str) -> str:
    return UNITS_EN_ZH.get(unit, unit) if lang == "zh" else unit


SHADOW_FROM_ZH = {"LP duals": "线性规划对偶值",
                  "duals of the LP with the integer choices fixed (MIP run)": "固定整数决策后线性规划的对偶值(混合整数模型)"}


def shadow_from_label(text: str | None, lang: str) -> str:
    text = text or ""
    return SHADOW_FROM_ZH.get(text, text) if lang == "zh" else text


def yes_no(value, lang: str):
    """True/False (or their text) as 是/否 or yes/no; other values unchanged."""
    if value is True or value == "True" or (type(value).__name__ == "bool_" and bool(value)):
        return "是" if lang == "zh" else "yes"
    if value is False or value == "False" or (type(value).__name__ == "bool_" and not bool(value)):
        return "否" if lang == "zh" else "no"
    return value


# Figures varied by `planner sensitivity` (tornado.csv ``parameter``): the kind of figure before the
# colon, in the report's language; the measure (or pollutant, indicator) after it by name.
PARAMETER_KINDS = {
    "capex": ("投资", "capex"), "opex": ("运行成本", "opex"), "abatement": ("减排量", "abatement"),
}
PARAMETER_FIXED = {
    "discount_rate": ("贴现率", "discount rate"), "growth:gdp": ("GDP增速", "GDP growth"),
    "price:electricity": ("电价", "electricity price"), "price:gas": ("天然气价格", "gas price"),
}


def subject_label(subject: str, lang: str, names: dict | None = None) -> str:
    """A pollutant by its name, an indicator by its indicators.csv name, anything else as it is."""
    if subject in POLLUTANT_LABELS_EN:
        return pollutant_label(subject, lang)
    return ((names or {}).get("indicators") or {}).get(subject, subject)


def parameter_label(parameter: str, lang: str, names: dict | None = None) -> str:
    """A tornado.csv parameter id as a reader's label: ``capex:rooftop_pv`` -> 投资：屋顶光伏 /
    capex: 屋顶光伏 (the measure's name from the folder's summary.json ``names``); the id itself
    when it is of no known shape."""
    zh = lang == "zh"
    if parameter in PARAMETER_FIXED:
        return PARAMETER_FIXED[parameter][0 if zh else 1]
    kind, _, rest = parameter.partition(":")
    if kind in PARAMETER_KINDS and rest:
        name = ((names or {}).get("measures") or {}).get(rest, rest)
        return f"{PARAMETER_KINDS[kind][0]}：{name}" if zh else f"{PARAMETER_KINDS[kind][1]}: {name}"
    if kind == "growth" and rest.startswith("bau:"):
        subject = subject_label(rest.removeprefix("bau:"), lang, names)
        return f"基准情景增速：{subject}" if zh else f"BAU growth: {subject}"
    if kind == "growth" and rest.startswith("baseline:"):
        column = rest.removeprefix("baseline:")
        label = columns.label(column, lang, "baseline.csv")
        return f"基准数据增速：{label}" if zh else f"baseline growth: {label}"
    return parameter


def target_id_label(target: str, lang: str, names: dict | None = None) -> str:
    """An ensemble target id (``<subject>_<kind>_<year>``, uncertainty and sensitivity files) in words:
    ``co2_intensity_reduction_2025`` -> 2025年二氧化碳强度下降 / CO2 intensity reduction 2025."""
    head, _, year = target.rpartition("_")
    for kind in sorted(TARGET_KINDS_EN, key=len, reverse=True):
        if head.endswith(f"_{kind}") and year.isdigit():
            subject = subject_label(head[: -len(kind) - 1], lang, names)
            if lang == "zh":
                return f"{year}年{subject}{TARGET_KINDS_ZH[kind]}"
            return f"{subject} {TARGET_KINDS_EN[kind]} {year}"
    return target

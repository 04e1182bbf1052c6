"""Every input and output column in one table: file, id, type, unit, default, zh/en label, description.

Inputs: type, unit, default and description are those of planner/io/schema.py (which the readers
validate against); this table adds their labels. Outputs: declared here in full. Report headers
(planner/report/labels.py), the workbook's cell comments and docs/outputs.md come from this
table; tests/test_columns.py checks that every column a run, sweep or comparison writes is here
and that docs/outputs.md is the table's own rendering (``python -m planner.io.columns``).

Names with ``{p}`` stand for one column per pollutant; ``<year>``, ``<subject>`` for columns a
file gets per target year or target subject, ``<target>`` per target (subject_kind_year) and
``<row>`` per uncertainty.csv row (applies_to:quantity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planner.io.schema import FILES, POLLUTANT_LABELS_EN, POLLUTANT_LABELS_ZH, POLLUTANTS


@dataclass(frozen=True)
class ColumnInfo:
    file: str
    name: str
    kind: str  # id, text, number, integer, bool, tags
    unit: str
    label_zh: str
    label_en: str
    description: str
    default: object = None
    direction: str = "output"

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


# ---- labels of input columns (their type, unit, default, description are in schema.py) ------------
INPUT_LABELS: dict[str, tuple[str, str]] = {
    "id": ("措施代码", "Measure id"),
    "name": ("名称", "Name"),
    "sector": ("领域", "Sector"),
    "unit": ("单位", "Unit"),
    "capex_wan_yuan": ("单位投资(万元/单位)", "Investment (万元 per unit)"),
    "opex_wan_yuan_per_yr": ("单位运行成本(万元/单位·年)", "Operating cost (万元 per unit-yr)"),
    "lifetime_yr": ("寿命(年)", "Lifetime (yr)"),
    "potential": ("潜力(单位)", "Potential (units)"),
    "max_add_per_yr": ("年新增上限(单位/年)", "Most added per year (units)"),
    "first_year": ("最早实施年份", "First year"),
    "integer": ("整数决策", "Whole units"),
    "{p}_t_per_yr": ("{zh}单位减排量(吨/单位·年)", "{en} abated per unit (t/yr)"),
    "electricity_mwh_per_yr": ("节电量(兆瓦时/单位·年)", "Electricity saved (MWh per unit-yr)"),
    "gas_km3_per_yr": ("节气量(千立方米/单位·年)", "Gas saved (1000 m3 per unit-yr)"),
    "pool": ("适用存量池", "Pool"),
    "pool_use": ("占用存量(池单位/单位)", "Pool use (pool units per unit)"),
    "area": ("区域", "Area"),
    "group": ("互斥组", "Exclusive group"),
    "tags": ("标签", "Tags"),
    "plan_ref": ("方案条款", "Plan section"),
    "lead": ("牵头部门", "Lead department"),
    "source": ("数据来源", "Source"),
    "year": ("年份", "Year"),
    "gdp_yi_yuan": ("GDP(亿元)", "GDP (亿元)"),
    "{p}_t": ("{zh}基准排放(吨/年)", "BAU {en} (t/yr)"),
    "pollutant": ("污染物", "Pollutant"),
    "kind": ("目标类型", "Kind"),
    "value": ("目标值", "Value"),
    "basis": ("依据", "Basis (plan section or assumption)"),
    "price_cap_yuan_per_t": ("价格上限(元/吨)", "Price cap (元/t)"),
    "tag": ("标签", "Tag"),
    "min_units": ("最少在用单位", "Least active units"),
    "price_cap_yuan_per_unit": ("价格上限(元/单位)", "Price cap (元/unit)"),
    "measure": ("措施代码", "Measure id"),
    "capacity": ("容量(池单位/年)", "Capacity (pool units per yr)"),
    "indicator": ("指标代码", "Indicator id"),
    "denominator": ("强度分母", "Intensity denominator"),
    "units_added": ("实际新增(单位)", "Units added"),
    "quantity": ("量", "Quantity"),
}

# ---- output columns ---------------------------------------------------------------------------------
_RUN = ("plan.csv", "emissions.csv", "targets.csv", "cost_effectiveness.csv")
_O = [
    # file, name, kind, unit, zh, en, description
    ("plan.csv", "measure", "id", "", "措施代码", "Measure id", "measure id of measures.csv"),
    ("plan.csv", "name", "text", "", "措施名称", "Measure", "display name"),
    ("plan.csv", "sector", "text", "", "领域", "Sector", "sector"),
    ("plan.csv", "unit", "text", "", "单位", "Unit", "unit of adoption"),
    ("plan.csv", "year", "integer", "year", "年份", "Year", "model year"),
    ("plan.csv", "added", "number", "units", "新增(单位)", "Added (units)", "units added in the year"),
    ("plan.csv", "active", "number", "units", "在用(单位)", "Active (units)", "units active in the year"),
    ("plan.csv", "capex_wan_yuan", "number", "万元", "投资(万元)", "Investment (万元)",
     "investment in the year: units added x capex per unit"),
    ("plan.csv", "opex_wan_yuan", "number", "万元", "运行成本(万元)", "Operating cost (万元)",
     "operating cost in the year: active units x opex per unit"),
    ("plan.csv", "annualised_cost_wan_yuan", "number", "万元", "年化成本(万元)", "Annualised cost (万元)",
     "equivalent annual cost of the active units"),
    ("plan.csv", "{p}_abated_t", "number", "t", "{zh}减排量(吨)", "{en} abated (t)", "tonnes abated in the year"),
    ("plan.csv", "area", "id", "", "区域", "Area", "the measure's area; blank = city-wide"),
    ("plan.csv", "history", "bool", "", "历史(已建)", "History (built)",
     "year before replan_from: units added are the actuals, not a choice"),
    ("plan.csv", "energy_value_wan_yuan", "number", "万元", "节能收益(万元)", "Energy value (万元)",
     "active units x 0.1 (electricity price x MWh + gas price x km3)"),
    ("plan.csv", "opex_net_of_energy_value_wan_yuan", "number", "万元", "扣除节能收益的运行成本(万元)",
     "Opex net of energy value (万元)", "opex_wan_yuan minus energy_value_wan_yuan"),
    ("plan.csv", "<subject>_abated", "number", "indicator unit", "<subject>减少量", "<subject> reduced",
     "reduction of an indicator of indicators.csv, in its unit"),
    ("emissions.csv", "year", "integer", "year", "年份", "Year", "model year"),
    ("emissions.csv", "pollutant", "text", "", "污染物", "Pollutant", "pollutant code"),
    ("emissions.csv", "bau_t", "number", "t", "基准排放(吨)", "BAU (t)", "business-as-usual emissions"),
    ("emissions.csv", "abated_t", "number", "t", "减排量(吨)", "Abated (t)", "tonnes abated by the plan"),
    ("emissions.csv", "emissions_t", "number", "t", "排放量(吨)", "Emissions (t)", "BAU minus abated"),
    ("emissions.csv", "gdp_yi_yuan", "number", "亿元", "GDP(亿元)", "GDP (亿元)", "GDP of the year"),
    ("emissions.csv", "intensity_t_per_yi_yuan", "number", "t/亿元", "排放强度(吨/亿元)", "Intensity (t per 亿元)",
     "emissions per GDP"),
    ("emissions.csv", "intensity_change_vs_base", "number", "fraction", "强度较基年变化",
     "Intensity change vs base year", "intensity against the base year's, minus 1 (-0.18 = 18 % lower)"),
    ("emissions.csv", "target_kind", "text", "", "目标类型", "Target kind", "kinds of the targets binding there"),
    ("emissions.csv", "target_value", "text", "", "目标值", "Target value", "values of those targets"),
    ("emissions.csv", "emission_limit_t", "number", "t", "排放上限(吨)", "Emission limit (t)",
     "tightest emission limit of those targets"),
    ("emissions.csv", "shortfall_t", "number", "t", "目标缺口(吨)", "Shortfall (t)",
     "most tonnes by which one of them is missed"),
    ("emissions.csv", "met", "bool", "", "是否达标", "Met", "all those targets met"),
    ("targets.csv", "year", "integer", "year", "年份", "Year", "the year the target binds"),
    ("targets.csv", "kind", "text", "", "目标类型", "Kind", "target kind, or deployment"),
    ("targets.csv", "subject", "text", "", "对象", "Subject", "pollutant, indicator or tag"),
    ("targets.csv", "area", "id", "", "区域", "Area", "area the target counts; blank = city"),
    ("targets.csv", "value", "number", "fraction or t", "目标值", "Value", "the target's value as given"),
    ("targets.csv", "unit", "text", "", "单位", "Unit", "unit of value"),
    ("targets.csv", "quantity_unit", "text", "", "数量单位", "Quantity unit", "unit of required and achieved"),
    ("targets.csv", "required", "number", "t or units", "要求(吨或单位)", "Required (t or units)",
     "abatement or units the target requires"),
    ("targets.csv", "achieved", "number", "t or units", "达到(吨或单位)", "Achieved (t or units)",
     "abatement or units the plan reaches"),
    ("targets.csv", "emission_limit_t", "number", "t", "排放上限(吨)", "Emission limit (t)", "BAU minus required"),
    ("targets.csv", "emissions_t", "number", "t", "排放量(吨)", "Emissions (t)", "BAU minus achieved"),
    ("targets.csv", "shortfall", "number", "t or units", "缺口", "Shortfall", "required minus achieved, >= 0"),
    ("targets.csv", "met", "bool", "", "是否达标", "Met", "shortfall within solver tolerance"),
    ("targets.csv", "enforced", "bool", "", "是否强制", "Enforced", "the row is a constraint of this run"),
    ("targets.csv", "shadow_price_yuan_per_t", "number", "元/t", "影子价格(元/吨)", "Shadow price (元/t)",
     "cost of requiring one more tonne"),
    ("targets.csv", "shadow_price_yuan_per_unit", "number", "元/unit", "影子价格(元/单位)", "Shadow price (元/unit)",
     "cost of requiring one more unit (deployment)"),
    ("targets.csv", "shadow_price_wan_yuan_per_point", "number", "万元/point", "影子价格(万元/强度百分点)",
     "Shadow price (万元 per intensity point)", "cost of one more percentage point of intensity cut"),
    ("targets.csv", "shadow_price_basis", "text", "", "影子价格依据", "Shadow price basis",
     "lp_dual, fixed_integer_lp, step_resolve, price_cap or none (README: Shadow prices)"),
    ("targets.csv", "shadow_price_note", "text", "", "影子价格说明", "Shadow price note",
     "the step of a step_resolve, or why there is no price (basis none)"),
    ("targets.csv", "basis", "text", "", "依据", "Basis (plan section or assumption)", "copied from the input"),
    ("targets.csv", "price_cap_yuan", "number", "元 per t or unit", "价格上限(元)", "Price cap (元)",
     "elastic mode: the price of one unit of shortfall"),
    ("targets.csv", "price_cap_source", "text", "", "价格上限来源", "Price cap from", "where the cap comes from"),
    ("cost_effectiveness.csv", "measure", "id", "", "措施代码", "Measure id", "measure id"),
    ("cost_effectiveness.csv", "name", "text", "", "措施名称", "Measure", "display name"),
    ("cost_effectiveness.csv", "sector", "text", "", "领域", "Sector", "sector"),
    ("cost_effectiveness.csv", "unit", "text", "", "单位", "Unit", "unit of adoption"),
    ("cost_effectiveness.csv", "figures_year", "integer", "year", "数据年份", "Figures of year",
     "the year whose figures (measure_years.csv) the row uses: start_year for every measure, then one row "
     "per later year whose figures change"),
    ("cost_effectiveness.csv", "capex_wan_yuan", "number", "万元 per unit", "单位投资(万元/单位)",
     "Investment (万元 per unit)", "investment per unit"),
    ("cost_effectiveness.csv", "opex_wan_yuan_per_yr", "number", "万元 per unit-yr", "单位运行成本(万元/年)",
     "Opex (万元 per unit-yr)", "operating cost per active unit per year"),
    ("cost_effectiveness.csv", "energy_value_wan_yuan_per_yr", "number", "万元 per unit-yr", "节能收益(万元/年)",
     "Energy value (万元 per unit-yr)", "value of the energy saved at [prices]"),
    ("cost_effectiveness.csv", "lifetime_yr", "integer", "yr", "寿命(年)", "Lifetime (yr)", "years active"),
    ("cost_effectiveness.csv", "potential", "number", "units", "潜力(单位)", "Potential (units)", "most active units"),
    ("cost_effectiveness.csv", "annualised_cost_wan_yuan_per_unit_yr", "number", "万元 per unit-yr",
     "单位年化成本(万元/年)", "Annualised cost (万元 per unit-yr)", "capex x CRF + opex - energy value"),
    ("cost_effectiveness.csv", "{p}_t_per_yr", "number", "t/yr per unit", "{zh}单位减排量(吨/年)",
     "{en} abated per unit (t/yr)", "abatement per active unit"),
    ("cost_effectiveness.csv", "{p}_yuan_per_t", "number", "元/t", "{zh}单位减排成本(元/吨)", "{en} cost (元/t)",
     "annualised cost / abatement; blank where the measure does not cut it"),
    ("cost_effectiveness.csv", "{p}_potential_t_per_yr", "number", "t/yr", "{zh}减排潜力(吨/年)",
     "{en} potential (t/yr)", "potential x abatement per unit"),
    ("cost_effectiveness.csv", "tags", "tags", "", "标签", "Tags", "the measure's tags, separated by ;"),
    ("cost_effectiveness.csv", "plan_ref", "text", "", "方案条款", "Plan section", "plan section"),
    ("cost_effectiveness.csv", "lead", "text", "", "牵头部门", "Lead department", "lead department"),
    ("cost_effectiveness.csv", "source", "text", "", "数据来源", "Source", "citation"),
    ("unchosen.csv", "measure", "id", "", "措施代码", "Measure id", "a measure with no units added"),
    ("unchosen.csv", "name", "text", "", "措施名称", "Measure", "display name"),
    ("unchosen.csv", "sector", "text", "", "领域", "Sector", "sector"),
    ("unchosen.csv", "unit", "text", "", "单位", "Unit", "unit of adoption"),
    ("unchosen.csv", "first_year_addable", "integer", "year", "最早可实施年份", "First year addable",
     "the first model year a unit can be added (first year, history, bounds)"),
    ("unchosen.csv", "smallest_unit", "number", "units", "最小单位", "Smallest unit",
     "units forced in: 1 for a whole-unit measure, else 1 % of the potential"),
    ("unchosen.csv", "{p}_yuan_per_t", "number", "元/t", "{zh}单位减排成本(元/吨)", "{en} cost (元/t)",
     "levelised cost per tonne, as in cost_effectiveness.csv"),
    ("unchosen.csv", "reduced_cost_wan_yuan_per_unit", "number", "万元/unit", "检验数(万元/单位)",
     "Reduced cost (万元 per unit)", "reduced cost of its first addable year's column in the LP (or fixed LP)"),
    ("unchosen.csv", "reduced_cost_basis", "text", "", "检验数依据", "Reduced cost basis",
     "lp_dual or fixed_integer_lp"),
    ("unchosen.csv", "cost_to_include_wan_yuan", "number", "万元", "纳入成本(万元)", "Cost to include (万元)",
     "objective increase with the smallest unit forced in its first addable year (re-solve, >= 0)"),
    ("unchosen.csv", "note", "text", "", "说明", "Note", "why there is no cost to include"),
    ("pools.csv", "pool", "id", "", "存量池", "Pool", "pool id"),
    ("pools.csv", "year", "integer", "year", "年份", "Year", "model year"),
    ("pools.csv", "used", "number", "pool units", "已用", "Used", "pool units taken by active measures"),
    ("pools.csv", "capacity", "number", "pool units", "容量", "Capacity", "pool capacity"),
    ("pools.csv", "unit", "text", "", "单位", "Unit", "unit of the stock"),
    ("pools.csv", "binding", "bool", "", "是否用满", "Full", "used reaches capacity"),
    ("pools.csv", "shadow_price_yuan_per_unit", "number", "元/pool unit", "影子价格(元/单位)",
     "Shadow price (元/unit)", "value of one more pool unit"),
    ("indicators.csv", "indicator", "id", "", "指标代码", "Indicator id", "indicator id"),
    ("indicators.csv", "name", "text", "", "指标名称", "Indicator", "display name"),
    ("indicators.csv", "year", "integer", "year", "年份", "Year", "model year"),
    ("indicators.csv", "bau", "number", "indicator unit", "基准值", "BAU", "business-as-usual level"),
    ("indicators.csv", "abated", "number", "indicator unit", "减少量", "Reduced", "reduction by the plan"),
    ("indicators.csv", "level", "number", "indicator unit", "规划值", "Level", "BAU minus reduced"),
    ("indicators.csv", "unit", "text", "", "单位", "Unit", "unit of the indicator"),
    ("indicators.csv", "denominator", "text", "", "强度分母", "Denominator", "intensity denominator"),
    ("indicators.csv", "intensity", "number", "unit per denominator", "强度", "Intensity", "level / denominator"),
    ("indicators.csv", "intensity_change_vs_base", "number", "fraction", "强度较基年变化",
     "Intensity change vs base year", "intensity against the base year's, minus 1"),
    ("areas.csv", "area", "id", "", "区域", "Area", "area id; blank = city-wide measures"),
    ("areas.csv", "name", "text", "", "区域名称", "Area name", "display name"),
    ("areas.csv", "year", "integer", "year", "年份", "Year", "model year"),
    ("areas.csv", "capex_wan_yuan", "number", "万元", "投资(万元)", "Investment (万元)", "investment in the area"),
    ("areas.csv", "opex_wan_yuan", "number", "万元", "运行成本(万元)", "Operating cost (万元)", "operating cost"),
    ("areas.csv", "budget_wan_yuan", "number", "万元", "区域预算(万元)", "Area budget (万元)", "[budget.areas]"),
    ("areas.csv", "{p}_abated_t", "number", "t", "{zh}减排量(吨)", "{en} abated (t)", "tonnes abated in the area"),
    ("areas.csv", "<subject>_abated", "number", "indicator unit", "<subject>减少量", "<subject> reduced",
     "reduction of an indicator in the area, in its unit"),
    ("replan_changes.csv", "run", "text", "", "方案", "Run", "the re-plan's label"),
    ("replan_changes.csv", "replan_from", "integer", "year", "滚动修编起始年", "Re-planned from", "its replan_from"),
    ("replan_changes.csv", "measure", "id", "", "措施代码", "Measure id", "measure id"),
    ("replan_changes.csv", "year", "integer", "year", "年份", "Year", "a year from replan_from on"),
    ("replan_changes.csv", "added_reference", "number", "units", "原方案新增(单位)", "Added, adopted plan",
     "units added in the reference (adopted) plan"),
    ("replan_changes.csv", "added_replan", "number", "units", "修编新增(单位)", "Added, re-plan", "units added in the re-plan"),
    ("replan_changes.csv", "difference", "number", "units", "差值(单位)", "Difference (units)", "re-plan minus adopted"),
    ("replan_changes.csv", "change", "text", "", "变化", "Change", "added, dropped, more or fewer"),
    ("sweep.csv", "parameter", "text", "", "扫描参数", "Parameter", "--parameter sweeps: the swept figure"),
    ("sweep.csv", "value", "number", "the parameter's unit", "参数取值", "Value",
     "--parameter sweeps: its value at the point"),
    ("co_control.csv", "year", "integer", "year", "年份", "Year", "target year"),
    ("co_control.csv", "scope", "text", "", "范围", "Scope", "measure, portfolio or area"),
    ("co_control.csv", "measure", "id", "", "措施代码", "Measure id", "measure id (measure rows)"),
    ("co_control.csv", "name", "text", "", "措施名称", "Measure", "display name (measure rows)"),
    ("co_control.csv", "area", "id", "", "区域", "Area", "area (area rows, and measure rows where areas exist)"),
    ("co_control.csv", "pollutant", "text", "", "污染物", "Pollutant", "the pollutant set against CO2"),
    ("co_control.csv", "co2_abated_t", "number", "t", "二氧化碳减排量(吨)", "CO2 abated (t)", "A_co2 in the year"),
    ("co_control.csv", "abated_t", "number", "t", "污染物减排量(吨)", "Pollutant abated (t)", "A_p in the year"),
    ("co_control.csv", "co2_cut_share", "number", "fraction", "二氧化碳减排比例", "CO2 cut (share of BAU)",
     "A_co2 / BAU_co2"),
    ("co_control.csv", "cut_share", "number", "fraction", "污染物减排比例", "Pollutant cut (share of BAU)",
     "A_p / BAU_p"),
    ("co_control.csv", "elasticity", "number", "", "协同控制弹性系数", "Cross-elasticity Els",
     "Els_p = (A_p/BAU_p) / (A_co2/BAU_co2); blank when A_co2 = 0"),
    ("co_control.csv", "quadrant", "text", "", "象限", "Quadrant",
     "co_benefit, carbon_only, pollutant_only or trade_off (协同控制效应坐标系)"),
    ("co_control.csv", "co_benefit_share", "number", "fraction", "协同措施贡献占比", "Share from co-benefit measures",
     "portfolio and area rows: share of A_p from measures that cut both CO2 and p"),
    ("uncertainty/targets.csv", "target", "text", "", "目标", "Target", "target id: subject_kind_year"),
    ("uncertainty/targets.csv", "required_central_t", "number", "t", "中心情景要求(吨)", "Required, central (t)",
     "abatement the target requires at the central figures"),
    ("uncertainty/targets.csv", "margin_central_t", "number", "t", "中心方案余量(吨)", "Margin, central plan (t)",
     "achieved minus required by the central plan"),
    ("uncertainty/targets.csv", "binding_central", "bool", "", "中心方案恰好达标", "Binding, central plan",
     "the central plan meets it exactly"),
    ("uncertainty/targets.csv", "p_met_fixed_plan", "number", "fraction", "达标概率(固定方案)", "P(met), fixed plan",
     "share of samples in which the central plan meets it"),
    ("uncertainty/targets.csv", "p_met_reoptimised", "number", "fraction", "达标概率(重新优化)",
     "P(met), re-optimised", "share of samples in which the re-optimised plan meets it"),
    ("uncertainty/targets.csv", "year", "integer", "year", "目标年份", "Year", "target year"),
    ("uncertainty/targets.csv", "pollutant", "text", "", "污染物或指标", "Pollutant or indicator", "the target's subject"),
    ("uncertainty/targets.csv", "kind", "text", "", "目标类型", "Kind", "reduction, cap, intensity_reduction, ..."),
    ("uncertainty/targets.csv", "value", "number", "per kind", "目标值", "Value", "the target's value (targets.csv)"),
    ("uncertainty/targets.csv", "shortfall_fixed_p50", "number", "t", "缺口P50(固定方案)", "Shortfall P50, fixed plan",
     "median over samples of the central plan's shortfall, in the target's unit (shortfall_unit)"),
    ("uncertainty/targets.csv", "shortfall_fixed_p90", "number", "t", "缺口P90(固定方案)", "Shortfall P90, fixed plan",
     "90th percentile of the central plan's shortfall"),
    ("uncertainty/targets.csv", "shortfall_fixed_p95", "number", "t", "缺口P95(固定方案)", "Shortfall P95, fixed plan",
     "95th percentile of the central plan's shortfall"),
    ("uncertainty/targets.csv", "shortfall_reoptimised_p50", "number", "t", "缺口P50(重新优化)",
     "Shortfall P50, re-optimised", "median of the re-optimised plan's shortfall (0 where the strict re-solve is feasible)"),
    ("uncertainty/targets.csv", "shortfall_reoptimised_p90", "number", "t", "缺口P90(重新优化)",
     "Shortfall P90, re-optimised", "90th percentile of the re-optimised plan's shortfall"),
    ("uncertainty/targets.csv", "shortfall_reoptimised_p95", "number", "t", "缺口P95(重新优化)",
     "Shortfall P95, re-optimised", "95th percentile of the re-optimised plan's shortfall"),
    ("uncertainty/targets.csv", "shortfall_unit", "text", "", "缺口单位", "Shortfall unit", "unit of the shortfall columns"),
    ("uncertainty/samples.csv", "sample", "integer", "", "样本序号", "Sample", "sample index i (draws depend on seed and i)"),
    ("uncertainty/samples.csv", "status", "text", "", "求解状态", "Status",
     "optimal, elastic (strict infeasible, targets missed), time_limit or error"),
    ("uncertainty/samples.csv", "cost_reoptimised_wan_yuan", "number", "万元", "重新优化成本(万元)",
     "Cost, re-optimised (万元)", "the re-optimised plan's cost at the sample's figures (penalties excluded)"),
    ("uncertainty/samples.csv", "cost_fixed_plan_wan_yuan", "number", "万元", "固定方案成本(万元)",
     "Cost, fixed plan (万元)", "the central plan's cost at the sample's figures"),
    ("uncertainty/samples.csv", "all_met_fixed_plan", "bool", "", "全部达标(固定方案)", "All met, fixed plan",
     "the central plan meets every target"),
    ("uncertainty/samples.csv", "all_met_reoptimised", "bool", "", "全部达标(重新优化)", "All met, re-optimised",
     "the re-optimised plan meets every target"),
    ("uncertainty/samples.csv", "met_fixed:<target>", "bool", "", "<target> 达标(固定方案)",
     "<target> met, fixed plan", "one column per target (subject_kind_year)"),
    ("uncertainty/samples.csv", "shortfall_fixed_t:<target>", "number", "t", "<target> 缺口(固定方案)",
     "<target> shortfall, fixed plan", "one column per target, in the target's unit"),
    ("uncertainty/samples.csv", "met_reoptimised:<target>", "bool", "", "<target> 达标(重新优化)",
     "<target> met, re-optimised", "one column per target"),
    ("uncertainty/samples.csv", "shortfall_reoptimised_t:<target>", "number", "t", "<target> 缺口(重新优化)",
     "<target> shortfall, re-optimised", "one column per target (0 where the strict re-solve is feasible)"),
    ("uncertainty/samples.csv", "deployment_shortfall_units", "number", "units", "部署缺口(单位)",
     "Deployment shortfall (units)", "units of deployment minimums missed by the re-optimised plan"),
    ("uncertainty/samples.csv", "measures_used", "text", "", "入选措施", "Measures used",
     "';'-separated ids of the measures the re-optimised plan uses"),
    ("uncertainty/samples.csv", "clipped_draws", "integer", "count", "截断抽样数", "Clipped draws",
     "negative multipliers set to 0 in this sample"),
    ("uncertainty/samples.csv", "x:<row>", "number", "multiplier", "<row> 乘数", "<row> multiplier",
     "one column per uncertainty.csv row, named applies_to:quantity: the sample's multiplier"),
    ("uncertainty/measures.csv", "measure", "id", "", "措施代码", "Measure id", "measure id"),
    ("uncertainty/measures.csv", "name", "text", "", "措施名称", "Measure", "display name"),
    ("uncertainty/measures.csv", "unit", "text", "", "单位", "Unit", "the measure's unit"),
    ("uncertainty/measures.csv", "central_units", "number", "units", "中心方案规模(单位)", "Central plan (units)",
     "units of the central plan"),
    ("uncertainty/measures.csv", "share_chosen", "number", "fraction", "入选比例", "Share chosen",
     "share of samples whose re-optimised plan uses it"),
    ("uncertainty/measures.csv", "units_p10", "number", "units", "规模P10", "Units P10", "10th percentile"),
    ("uncertainty/measures.csv", "units_p50", "number", "units", "规模P50", "Units P50", "median"),
    ("uncertainty/measures.csv", "units_p90", "number", "units", "规模P90", "Units P90", "90th percentile"),
    ("uncertainty/measures.csv", "robust_core", "bool", "", "稳健核心", "Robust core", "chosen in most samples"),
    ("robust.csv", "samples", "integer", "count", "样本数", "Samples", "samples whose target rows the plan meets"),
    ("robust.csv", "cost_robust_wan_yuan", "number", "万元", "稳健方案成本(万元)", "Robust plan cost (万元)",
     "cost of the robust plan at the central figures"),
    ("robust.csv", "cost_central_wan_yuan", "number", "万元", "中心方案成本(万元)", "Central plan cost (万元)",
     "least cost at the central figures"),
    ("robust.csv", "premium_wan_yuan", "number", "万元", "稳健溢价(万元)", "Premium (万元)", "robust minus central"),
    ("robust.csv", "premium_pct", "number", "%", "稳健溢价(%)", "Premium (%)", "premium / |central cost| x 100"),
    ("robust.csv", "check_samples", "integer", "count", "检验样本数", "Check samples",
     "fresh samples on which both plans are checked"),
    ("robust.csv", "check_seed", "integer", "", "检验样本种子", "Check seed", "their seed (the samples' seed + 1)"),
    ("robust.csv", "p_met_robust", "number", "fraction", "达标概率(稳健方案)", "P(met), robust plan",
     "on fresh samples"),
    ("robust.csv", "p_met_central", "number", "fraction", "达标概率(中心方案)", "P(met), central plan",
     "on fresh samples"),
    ("alternatives/summary.csv", "alternative", "text", "", "方案", "Alternative", "alternative id"),
    ("alternatives/summary.csv", "cost_wan_yuan", "number", "万元", "成本(万元)", "Cost (万元)", "its cost"),
    ("alternatives/summary.csv", "increase_wan_yuan", "number", "万元", "成本增加(万元)", "Increase (万元)",
     "cost above the optimum"),
    ("alternatives/summary.csv", "increase_pct", "number", "%", "成本增加(%)", "Increase (%)", "cost above the optimum"),
    ("alternatives/summary.csv", "measures_used", "integer", "count", "措施数", "Measures used", "measures it uses"),
    ("alternatives/summary.csv", "measures", "text", "", "入选措施", "Measures", "';'-separated ids of the measures it uses"),
    ("alternatives/summary.csv", "distance_to_optimum", "number", "", "与最优方案的距离", "Distance to the optimum",
     "how different it is from the optimum"),
    ("alternatives/measures.csv", "measure", "id", "", "措施代码", "Measure id", "measure id"),
    ("alternatives/measures.csv", "name", "text", "", "措施名称", "Measure", "display name"),
    ("alternatives/measures.csv", "alternatives", "integer", "count", "出现次数", "In alternatives",
     "alternatives that use it"),
    ("alternatives/measures.csv", "share", "number", "fraction", "出现比例", "Share", "share of alternatives"),
    ("alternatives/measures.csv", "must_have", "bool", "", "必选", "Must-have", "in every alternative"),
    ("tornado.csv", "parameter", "text", "", "参数", "Figure", "the figure varied"),
    ("tornado.csv", "central_value", "number", "", "中心值", "Central value", "its value in the data"),
    ("tornado.csv", "factor_low", "number", "", "下调系数", "Low factor", "multiplier of the low case"),
    ("tornado.csv", "factor_high", "number", "", "上调系数", "High factor", "multiplier of the high case"),
    ("tornado.csv", "objective_low", "number", "万元", "下调时成本(万元)", "Cost, low case (万元)", "objective"),
    ("tornado.csv", "objective_high", "number", "万元", "上调时成本(万元)", "Cost, high case (万元)", "objective"),
    ("tornado.csv", "swing_wan_yuan", "number", "万元", "成本摆幅(万元)", "Swing (万元)", "high minus low, absolute"),
    ("tornado.csv", "portfolio_changes", "bool", "", "入选措施改变", "Portfolio changes", "the chosen measures differ"),
    ("tornado.csv", "status_low", "text", "", "下调时求解状态", "Status, low case",
     "optimal, or elastic where the strict re-solve is infeasible"),
    ("tornado.csv", "status_high", "text", "", "上调时求解状态", "Status, high case",
     "optimal, or elastic where the strict re-solve is infeasible"),
    ("tornado.csv", "targets_missed_low", "text", "", "下调时未达标目标", "Targets missed, low case",
     "targets the elastic re-solve misses, ';'-separated (blank: none)"),
    ("tornado.csv", "targets_missed_high", "text", "", "上调时未达标目标", "Targets missed, high case",
     "targets the elastic re-solve misses, ';'-separated (blank: none)"),
    ("inclusion_cost.csv", "measure", "id", "", "措施代码", "Measure id", "an unchosen measure"),
    ("inclusion_cost.csv", "inclusion_cost_wan_yuan", "number", "万元", "入选成本(万元)", "Cost to include (万元)",
     "cost increase if one unit of the measure were required"),
    ("sweep.csv", "budget_wan_yuan", "number", "万元/yr", "年度预算(万元)", "Yearly budget (万元)", "the point's budget"),
    ("sweep.csv", "status", "text", "", "求解状态", "Status", "solver status"),
    ("sweep.csv", "objective", "number", "万元", "目标函数(万元)", "Objective (万元)", "cost plus penalty"),
    ("sweep.csv", "cost_wan_yuan", "number", "万元", "成本(万元)", "Cost (万元)", "objective less penalty"),
    ("sweep.csv", "total_capex_wan_yuan", "number", "万元", "总投资(万元)", "Total investment (万元)", "sum of capex"),
    ("sweep.csv", "{p}_abated_t_<year>", "number", "t", "{zh}<year>年减排量(吨)", "{en} abated <year> (t)",
     "abatement in each target year"),
    ("sweep.csv", "shortfall_<subject>_<year>", "number", "t or units", "<subject> <year>年缺口",
     "Shortfall <subject> <year>", "shortfall of each target row"),
    ("sweep.csv", "targets_missed", "integer", "count", "未达标目标数", "Targets missed", "rows with a shortfall"),
    ("sweep.csv", "targets_met", "bool", "", "全部达标", "All targets met", "no row missed"),
    ("sweep.csv", "measures_chosen", "integer", "count", "入选措施数", "Measures chosen", "measures with units added"),
    ("sweep.csv", "solve_s", "number", "s", "求解时间(秒)", "Solve time (s)", "HiGHS time"),
    ("sweep.csv", "run_folder", "text", "", "结果目录", "Run folder", "the point's run folder"),
    ("no_regret.csv", "measure", "id", "", "措施代码", "Measure id", "chosen at every budget"),
    ("no_regret.csv", "name", "text", "", "措施名称", "Measure", "display name"),
    ("comparison.csv", "metric", "text", "", "指标", "Metric", "what the row compares"),
    ("comparison.csv", "unit", "text", "", "单位", "Unit", "unit of the row"),
    ("comparison.csv", "<run>", "number", "per row", "<run>", "<run>", "one column per run"),
    ("measure_changes.csv", "run", "text", "", "方案", "Run", "run label"),
    ("measure_changes.csv", "change", "text", "", "变化", "Change", "added or dropped against the reference"),
    ("measure_changes.csv", "measure", "id", "", "措施代码", "Measure id", "measure id"),
    ("measure_changes.csv", "name", "text", "", "措施名称", "Measure", "the measure's name"),
    # columns the report derives from the result files
    ("report", "units_added", "number", "units", "新增数量(单位)", "Units added", "units added over the horizon"),
    ("report", "first_year_added", "integer", "year", "首次实施年份", "First year", "first year with units added"),
    ("report", "shadow_price", "text", "", "影子价格", "Shadow price", "shadow price with its unit"),
    ("report", "label", "text", "", "参数名称", "Figure (name)", "a tornado.csv parameter by the name of what it varies"),
    ("report", "target_label", "text", "", "目标名称", "Target (in words)", "an ensemble target id in words"),
    ("report", "opex_wan_yuan", "number", "万元", "运行成本(万元)", "Operating cost (万元)", "operating cost"),
]


def _expand(name: str, zh: str, en: str, description: str):
    if "{p}" not in name:
        yield name, zh, en, description
        return
    for p in POLLUTANTS:
        yield (name.replace("{p}", p), zh.replace("{zh}", POLLUTANT_LABELS_ZH[p]),
               en.replace("{en}", POLLUTANT_LABELS_EN[p]), description)


def _build() -> list[ColumnInfo]:
    table: list[ColumnInfo] = []
    labels = {}
    for key, (zh, en) in INPUT_LABELS.items():
        for name, z, e, _ in _expand(key, zh, en, ""):
            labels[name] = (z, e)
    for file, columns in FILES.items():
        for column in columns:
            zh, en = labels.get(column.name, (column.name, column.name))
            table.append(ColumnInfo(file, column.name, column.kind, column.unit, zh, en, column.description,
                                    column.default, "input"))
    for file, name, kind, unit, zh, en, description in _O:
        for n, z, e, d in _expand(name, zh, en, description):
            table.append(ColumnInfo(file, n, kind, unit, z, e, d))
    return table


COLUMNS: tuple[ColumnInfo, ...] = tuple(_build())
_BY_FILE = {(c.file, c.name): c for c in COLUMNS if c.direction == "output"}
_INPUTS = {(c.file, c.name): c for c in COLUMNS if c.direction == "input"}
_OUTPUT_FIRST = {}
for _c in COLUMNS:
    if _c.direction == "output":
        _OUTPUT_FIRST.setdefault(_c.name, _c)
_PATTERNS = [(re.compile("^" + re.escape(c.name).replace("<year>", r"(?P<year>\d{4})")
                         .replace("<subject>", r"(?P<subject>.+)").replace("<run>", r"(?P<run>.+)")
                         .replace("<target>", r"(?P<target>.+)").replace("<row>", r"(?P<row>.+)") + "$"), c)
             for c in COLUMNS if "<" in c.name]


def input_column(file: str, name: str) -> ColumnInfo | None:
    """The declaration of input column ``name`` of ``file`` (measures.csv, baseline.csv, ...)."""
    return _INPUTS.get((file, name))


def column(file: str | None, name: str) -> ColumnInfo | None:
    """The declaration of result column ``name`` in ``file`` (or, without a file, its first output
    declaration)."""
    if file is not None and (file, name) in _BY_FILE:
        return _BY_FILE[(file, name)]
    if file is None and name in _OUTPUT_FIRST:
        return _OUTPUT_FIRST[name]
    for pattern, info in _PATTERNS:
        if (file is None or info.file == file) and info.file != "comparison.csv":
            match = pattern.match(name)
            if match:
                return _fill(info, match.groupdict())
    return None


def _fill(info: ColumnInfo, parts: dict) -> ColumnInfo:
    def sub(text: str) -> str:
        for key, value in parts.items():
            text = text.replace(f"<{key}>", value)
        return text
    return ColumnInfo(info.file, sub(info.name), info.kind, info.unit, sub(info.label_zh), sub(info.label_en),
                      info.description, info.default, info.direction)


def label(name: str, lang: str, file: str | None = None) -> str:
    """A column's header in the report's language; the id itself when it is not declared."""
    info = column(file, name)
    if info is None and file is not None:
        info = column(None, name)
    return info.label(lang) if info else name


def outputs_markdown() -> str:
    """docs/outputs.md: one table per result file, rendered from the declarations above."""
    lines = ["# Output columns", "",
             "Generated from planner/io/columns.py by `python -m planner.io.columns > docs/outputs.md`; "
             "tests/test_columns.py fails when they differ. `{p}` columns exist once per pollutant "
             f"({', '.join(POLLUTANTS)}); `<year>`, `<subject>`, `<target>`, `<row>` and `<run>` stand for "
             "target years, target subjects, targets (subject_kind_year), uncertainty.csv rows "
             "(applies_to:quantity) and run labels. Numbers are written with at most 10 significant digits, "
             "and values within 1e-9 of zero as 0 (solver round-off; planner.io.writer.tidy_floats).", ""]
    files = list(dict.fromkeys(c.file for c in COLUMNS if c.direction == "output"))
    for file in files:
        lines += [f"## `{file}`" if file != "report" else "## Columns the report derives", "",
                  "| column | type | unit | 中文 | English | description |", "|---|---|---|---|---|---|"]
        seen = set()
        for file_, name, kind, unit, zh, en, description in _O:
            if file_ != file or name in seen:
                continue
            seen.add(name)
            lines.append(f"| `{name}` | {kind} | {unit} | {zh} | {en} | {description} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(outputs_markdown(), end="")

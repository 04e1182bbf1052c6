"""Every input column, declared once: type, unit, default and meaning (docs/inputs.md is checked against it)."""

from __future__ import annotations

from dataclasses import dataclass

POLLUTANTS: tuple[str, ...] = ("co2", "nox", "so2", "vocs", "pm", "cod", "nh3n")

POLLUTANT_LABELS_ZH = {
    "co2": "二氧化碳",
    "nox": "氮氧化物",
    "so2": "二氧化硫",
    "vocs": "挥发性有机物",
    "pm": "颗粒物",
    "cod": "化学需氧量",
    "nh3n": "氨氮",
}
POLLUTANT_LABELS_EN = {
    "co2": "CO2",
    "nox": "NOx",
    "so2": "SO2",
    "vocs": "VOCs",
    "pm": "PM",
    "cod": "COD",
    "nh3n": "NH3-N",
}

TARGET_KINDS: tuple[str, ...] = ("intensity_reduction", "reduction", "cap", "non_increasing")
# Target kinds whose row compares with a baseline (BAU or GDP): with an area they need that area's baseline rows.
BASELINE_KINDS: tuple[str, ...] = ("intensity_reduction", "cap", "non_increasing")
# An indicator id may not end like a column of another meaning (v2 contract, indicators.csv).
RESERVED_SUFFIXES: tuple[str, ...] = ("_t", "_per_yr", "_wan_yuan", "_yi_yuan")
# 1 MWh x 1 元/kWh = 1,000 元 = 0.1 万元 (the same for km3 x 元/m3): energy value per active unit-yr.
WAN_YUAN_PER_MWH_AT_ONE_YUAN_PER_KWH = 0.1

SECTORS_SUGGESTED = (
    "energy", "industry", "transport", "buildings", "agriculture", "ecology", "water", "waste",
)


@dataclass(frozen=True)
class Column:
    """One column of an input file.

    ``kind`` is one of: ``id`` (text matching ``[a-z0-9_]+``), ``text``, ``number``, ``integer``,
    ``bool``, ``tags``. ``minimum`` with ``strict`` gives the lower bound (``> minimum`` when strict).
    """

    name: str
    kind: str
    required: bool
    unit: str
    description: str
    default: object = None
    minimum: float | None = None
    strict: bool = False
    example: str = ""

    def rule(self) -> str:
        """The column's accepted values, in words, for messages and docs."""
        words = {
            "id": "text of lower-case letters, digits and _",
            "text": "text",
            "number": "a number",
            "integer": "a whole number",
            "bool": "true or false",
            "tags": "labels separated by ;",
        }[self.kind]
        if self.minimum is not None:
            minimum = int(self.minimum) if float(self.minimum).is_integer() else self.minimum
            words += f" {'>' if self.strict else '>='} {minimum}"
        return words


def _abatement_columns() -> list[Column]:
    return [
        Column(
            f"{p}_t_per_yr", "number", False, "t/yr per unit",
            f"{POLLUTANT_LABELS_EN[p]} abated per active unit per year; negative = the measure adds it",
            default=0.0, example="510",
        )
        for p in POLLUTANTS
    ]


MEASURE_COLUMNS: tuple[Column, ...] = (
    Column("id", "id", True, "", "stable identifier, unique", example="rooftop_pv"),
    Column("name", "text", True, "", "display name (Chinese expected)", example="屋顶分布式光伏"),
    Column("sector", "text", True, "", "sector, e.g. energy, industry, transport", example="energy"),
    Column("unit", "text", True, "", "unit of adoption", example="MW"),
    Column("capex_wan_yuan", "number", True, "万元 per unit", "investment per unit adopted",
           minimum=0, example="350"),
    Column("opex_wan_yuan_per_yr", "number", True, "万元 per unit per yr",
           "operating cost per active unit per year; negative = net saving", example="5"),
    Column("lifetime_yr", "integer", True, "yr", "years a unit stays active, counting the year it is added",
           minimum=1, example="25"),
    Column("potential", "number", True, "units", "most units that can be active in any year",
           minimum=0, strict=True, example="800"),
    Column("max_add_per_yr", "number", False, "units per yr", "most units added in one year; blank = no limit",
           minimum=0, strict=True, example="150"),
    Column("first_year", "integer", False, "year", "earliest year a unit can be added; blank = start_year",
           example="2022"),
    Column("integer", "bool", False, "", "units are added in whole numbers (lumpy projects)",
           default=False, example="false"),
    *_abatement_columns(),
    Column("electricity_mwh_per_yr", "number", False, "MWh/yr per unit",
           "electricity saved or generated per active unit per year (negative = consumed); valued at "
           "[prices] electricity_yuan_per_kwh", default=0.0, example="1100"),
    Column("gas_km3_per_yr", "number", False, "1000 m3/yr per unit",
           "natural gas saved per active unit per year (negative = consumed); valued at [prices] gas_yuan_per_m3",
           default=0.0, example="0"),
    Column("pool", "id", False, "", "applicability pool (pools.csv) whose stock the measure acts on; blank = none",
           default="", example="cement_clinker"),
    Column("pool_use", "number", False, "pool units per unit", "pool units taken by one active unit; blank = 1",
           default=1.0, minimum=0, strict=True, example="1"),
    Column("area", "id", False, "", "district or park the measure belongs to; blank = city-wide",
           default="", example="qingzhen"),
    Column("group", "text", False, "", "mutually exclusive alternatives: at most one measure of a group is adopted",
           default="", example="al_retrofit"),
    Column("tags", "tags", False, "", "labels used by deployment targets, separated by ;",
           default=(), example="nonfossil_mw"),
    Column("plan_ref", "text", False, "", "plan section, e.g. 四(一)3", default=""),
    Column("lead", "text", False, "", "lead department named by the plan", default=""),
    Column("source", "text", False, "", "citation for the figures", default=""),
)

BASELINE_COLUMNS: tuple[Column, ...] = (
    Column("year", "integer", True, "year", "calendar year", example="2020"),
    Column("gdp_yi_yuan", "number", True, "亿元 (constant base-year prices)", "GDP",
           minimum=0, strict=True, example="4311.65"),
    *(
        Column(f"{p}_t", "number", True, "t/yr", f"business-as-usual {POLLUTANT_LABELS_EN[p]} emissions",
               minimum=0, example="30000000")
        for p in POLLUTANTS
    ),
)

TARGET_COLUMNS: tuple[Column, ...] = (
    Column("year", "integer", True, "year", "the year the target binds", example="2025"),
    Column("pollutant", "text", True, "", "one of " + ", ".join(POLLUTANTS), example="co2"),
    Column("kind", "text", True, "", "one of " + ", ".join(TARGET_KINDS), example="intensity_reduction"),
    Column("value", "number", True, "fraction or t",
           "intensity_reduction: fraction (0.18 = -18 %); reduction: t abated; cap: t emitted; "
           "non_increasing: yearly growth allowed (0 = flat)", example="0.18"),
    Column("area", "id", False, "", "area whose measures (and baseline) the target counts; blank = the whole city",
           default="", example="qingzhen"),
    Column("basis", "text", False, "", "where the figure comes from: the plan's section (e.g. 二(三)), or "
           "'assumption: ...' where the plan gives no number", default="", example="二(三)"),
    Column("price_cap_yuan_per_t", "number", False, "元/t", "elastic mode: the most a planner would pay per "
           "tonne of this target; a shortfall costs this price; blank = the spec's cap or the derived default",
           minimum=0, strict=True, example="200000"),
)

DEPLOYMENT_COLUMNS: tuple[Column, ...] = (
    Column("year", "integer", True, "year", "the year the target binds", example="2025"),
    Column("tag", "text", True, "", "a tag carried by measures in measures.csv", example="nonfossil_mw"),
    Column("min_units", "number", True, "units of the tagged measures",
           "active units of all measures carrying the tag in that year, at least", minimum=0, example="400"),
    Column("area", "id", False, "", "area whose measures the row counts; blank = the whole city",
           default="", example="guian"),
    Column("basis", "text", False, "", "where the figure comes from: the plan's section (e.g. 二(三)), or "
           "'assumption: ...' where the plan gives no number", default="", example="二(三)"),
    Column("price_cap_yuan_per_unit", "number", False, "元/unit", "elastic mode: the most a planner would pay "
           "per unit of this row; a shortfall costs this price; blank = the spec's cap or the derived default",
           minimum=0, strict=True, example="50000"),
)

BASELINE_COLUMNS = (*BASELINE_COLUMNS, Column(
    "area", "id", False, "", "blank = the city's totals; an area id = that area's GDP and BAU (nothing is summed)",
    default="", example="qingzhen"))

MEASURE_YEAR_COLUMNS: tuple[Column, ...] = (
    Column("measure", "id", True, "", "a measure id of measures.csv", example="rooftop_pv"),
    Column("year", "integer", True, "year", "the model year the figures apply to", example="2025"),
    Column("capex_wan_yuan", "number", False, "万元 per unit", "investment per unit added in this year; blank = "
           "the measure's own", minimum=0, example="300"),
    Column("opex_wan_yuan_per_yr", "number", False, "万元 per unit per yr",
           "operating cost per unit active in this year; blank = the measure's own", example="4"),
    *(Column(c.name, "number", False, c.unit, c.description + " in this year; blank = the measure's own",
             example=c.example) for c in _abatement_columns()),
)

POOL_COLUMNS: tuple[Column, ...] = (
    Column("pool", "id", True, "", "pool id, used in the pool column of measures.csv", example="cement_clinker"),
    Column("unit", "text", True, "", "unit of the stock", example="kt clinker/yr"),
    Column("capacity", "number", True, "pool units", "most pool units the measures may take in a year",
           minimum=0, example="5000"),
    Column("year", "integer", False, "year", "the year this capacity applies to; blank = every model year "
           "(a row with a year overrides the blank row)", example="2025"),
)

INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("indicator", "id", True, "", "indicator id: not a pollutant, not ending in _t, _per_yr, _wan_yuan or "
           "_yi_yuan; baseline.csv gets a column of this name, measures.csv one named <indicator>_per_yr",
           example="energy_tce"),
    Column("name", "text", True, "", "display name (Chinese expected)", example="能源消费量"),
    Column("unit", "text", True, "", "unit of the indicator", example="tce"),
    Column("denominator", "text", False, "", "a baseline.csv column (> 0 in every year) used instead of "
           "gdp_yi_yuan by intensity targets on this indicator; blank = gdp_yi_yuan", default="",
           example="industry_va_yi_yuan"),
)

AREA_COLUMNS: tuple[Column, ...] = (
    Column("area", "id", True, "", "area id used in the area columns", example="qingzhen"),
    Column("name", "text", True, "", "display name (Chinese expected)", example="清镇市"),
)

ACTUAL_COLUMNS: tuple[Column, ...] = (
    Column("measure", "id", True, "", "a measure id of measures.csv", example="rooftop_pv"),
    Column("year", "integer", True, "year", "a year before [model] replan_from", example="2022"),
    Column("units_added", "number", True, "units", "units really added that year (whole numbers for integer "
           "measures)", minimum=0, example="120"),
)

FILES: dict[str, tuple[Column, ...]] = {
    "measures.csv": MEASURE_COLUMNS,
    "baseline.csv": BASELINE_COLUMNS,
    "targets.csv": TARGET_COLUMNS,
    "deployment.csv": DEPLOYMENT_COLUMNS,
    "measure_years.csv": MEASURE_YEAR_COLUMNS,
    "pools.csv": POOL_COLUMNS,
    "indicators.csv": INDICATOR_COLUMNS,
    "areas.csv": AREA_COLUMNS,
    "actuals.csv": ACTUAL_COLUMNS,
}
OPTIONAL_FILES = frozenset({"deployment.csv", "measure_years.csv", "pools.csv", "indicators.csv", "areas.csv",
                            "actuals.csv"})
# Read before the others: its ids add columns to measures.csv, baseline.csv and measure_years.csv.
EXTENSION_FILES = ("measure_years.csv", "pools.csv", "indicators.csv", "areas.csv", "actuals.csv")


def indicator_columns(indicators: list[tuple[str, str, str]]) -> dict[str, tuple[Column, ...]]:
    """Columns that declared indicators add: (id, unit, denominator) -> extra columns per file."""
    measures, baseline, years = [], [], []
    for indicator, unit, denominator in indicators:
        rate = Column(f"{indicator}_per_yr", "number", False, f"{unit}/yr per unit",
                      f"{indicator} reduced per active unit per year; negative = raised", default=0.0)
        measures.append(rate)
        years.append(rate)
        baseline.append(Column(indicator, "number", False, unit, f"business-as-usual {indicator}", minimum=0))
        if denominator and denominator != "gdp_yi_yuan":
            baseline.append(Column(denominator, "number", False, "", f"denominator of {indicator} intensity",
                                   minimum=0, strict=True))
    return {"measures.csv": tuple(measures), "baseline.csv": tuple(baseline), "measure_years.csv": tuple(years)}

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

TARGET_KINDS: tuple[str, ...] = ("intensity_reduction", "reduction", "cap")

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
           "intensity_reduction: fraction (0.18 = -18 %); reduction: t abated; cap: t emitted", example="0.18"),
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
    Column("basis", "text", False, "", "where the figure comes from: the plan's section (e.g. 二(三)), or "
           "'assumption: ...' where the plan gives no number", default="", example="二(三)"),
    Column("price_cap_yuan_per_unit", "number", False, "元/unit", "elastic mode: the most a planner would pay "
           "per unit of this row; a shortfall costs this price; blank = the spec's cap or the derived default",
           minimum=0, strict=True, example="50000"),
)

FILES: dict[str, tuple[Column, ...]] = {
    "measures.csv": MEASURE_COLUMNS,
    "baseline.csv": BASELINE_COLUMNS,
    "targets.csv": TARGET_COLUMNS,
    "deployment.csv": DEPLOYMENT_COLUMNS,
}
OPTIONAL_FILES = frozenset({"deployment.csv"})

"""One colour per sector and one per pollutant, used by every chart of every report in both languages.

The maps are keyed by the code (``energy``, ``nox``), never by the label or the position in a
chart, so a sector has the same colour in the investment bars, the MAC curve and the coordinate
chart, in Chinese and in English. A sector not in the suggested list gets a colour from its name
(stable from run to run), drawn from a second palette.
"""

from __future__ import annotations

import zlib

SECTOR_COLOURS = {
    "energy": "#1f77b4",
    "industry": "#d62728",
    "transport": "#ff7f0e",
    "buildings": "#9467bd",
    "agriculture": "#8c564b",
    "ecology": "#2ca02c",
    "water": "#17becf",
    "waste": "#7f7f7f",
}
_OTHER_SECTORS = ("#bcbd22", "#e377c2", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd")

POLLUTANT_COLOURS = {
    "co2": "#444444",
    "nox": "#e6550d",
    "so2": "#fdae6b",
    "vocs": "#756bb1",
    "pm": "#8c6d31",
    "cod": "#3182bd",
    "nh3n": "#31a354",
}

BAU_COLOUR = "#7f7f7f"
PLAN_COLOUR = "#1f77b4"
TARGET_COLOUR = "#000000"
SHORTFALL_COLOUR = "#d62728"
# Runs of a comparison, in the order the comparison lists them.
RUN_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def sector_colour(sector: str) -> str:
    if sector in SECTOR_COLOURS:
        return SECTOR_COLOURS[sector]
    return _OTHER_SECTORS[zlib.crc32(sector.encode("utf-8")) % len(_OTHER_SECTORS)]


def pollutant_colour(pollutant: str) -> str:
    return POLLUTANT_COLOURS.get(pollutant, "#444444")


def run_colour(position: int) -> str:
    return RUN_COLOURS[position % len(RUN_COLOURS)]

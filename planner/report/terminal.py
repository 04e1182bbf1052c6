"""Plain-text tables for the terminal, aligned correctly for Chinese (double-width) characters."""

from __future__ import annotations

import math
import unicodedata

import pandas as pd

from planner.io.schema import POLLUTANT_LABELS_EN


def text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - text_width(text))
    return gap + text if right else text + gap


def format_table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    """Columns separated by two spaces; numeric columns (indexes in ``right``) right-aligned."""
    right = right or set()
    widths = [max([text_width(h)] + [text_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(h, widths[i], i in right) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_pad(cell, widths[i], i in right) for i, cell in enumerate(row)).rstrip())
    return "\n".join(lines)


def number(value: float, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and math.isinf(value):
        return "no limit"
    return f"{value:,.{digits}f}"


def by_year_table(by_year: pd.DataFrame, emissions: pd.DataFrame, pollutants: list[str]) -> str:
    """One line per year: investment against budget, active measures, abatement of the target pollutants.

    A re-planning run (``history`` column) shows the history years and the planned years apart."""
    pollutants = [p for p in pollutants if p in POLLUTANT_LABELS_EN]
    if "history" in by_year and by_year["history"].any():
        history, plan = by_year[by_year["history"]], by_year[~by_year["history"]]
        parts = [f"history 已建 (actuals, {int(history['year'].min())}-{int(history['year'].max())}):",
                 by_year_table(history.drop(columns="history"), emissions, pollutants)]
        if len(plan):
            parts += [f"\nplan 规划 (re-planned from {int(plan['year'].min())}):",
                      by_year_table(plan.drop(columns="history"), emissions, pollutants)]
        return "\n".join(parts)
    headers = ["年份 year", "投资 capex 万元", "预算 budget 万元", "在用措施 measures"]
    headers += [f"{POLLUTANT_LABELS_EN[p]} 减排 abated t" for p in pollutants]
    if "co2" in pollutants:
        headers.append("CO2强度 vs base")
    rows = []
    for _, row in by_year.iterrows():
        cells = [str(int(row["year"])), number(row["capex_wan_yuan"]), number(row["budget_wan_yuan"]),
                 str(int(row["measures_active"]))]
        cells += [number(row[f"{p}_abated_t"]) for p in pollutants]
        if "co2" in pollutants:
            change = emissions[(emissions["year"] == row["year"]) & (emissions["pollutant"] == "co2")]
            cells.append(f"{100 * change['intensity_change_vs_base'].iloc[0]:+.1f} %")
        rows.append(cells)
    return format_table(headers, rows, right=set(range(1, len(headers))))


def _basis_word(basis: object) -> str:
    """'plan' for a target the plan states, else the first word of the basis (assumption, derived)."""
    text = str(basis).strip() if isinstance(basis, str) else ""
    if not text:
        return ""
    head = text.split(":", 1)[0].strip()
    return head if head in ("assumption", "derived") else "plan 规划"


def targets_table(targets: pd.DataFrame) -> str:
    """One line per target and deployment row; an elastic run adds the price cap in use and its source."""
    headers = ["目标 target", "年份 year", "要求 required", "达到 achieved", "达标 met", "依据 basis"]
    elastic = "price_cap_yuan" in targets and targets["price_cap_yuan"].notna().any()
    if elastic:
        headers += ["价格上限 price cap 元", "上限来源 cap from"]
    rows = []
    for _, row in targets.iterrows():
        subject = POLLUTANT_LABELS_EN.get(row["subject"], row["subject"])
        quantity = row.get("quantity_unit", "t") if isinstance(row.get("quantity_unit", "t"), str) else "t"
        if row["kind"] == "intensity_reduction":
            label = f"{subject} intensity -{100 * row['value']:g} %"
            unit = f"{quantity} abated"
        elif row["kind"] == "deployment":
            label = f"deployment {subject}"
            unit = "units"
        elif row["kind"] == "non_increasing":
            label = f"{subject} peak +{100 * row['value']:g} %/yr"
            unit = f"{quantity} allowed"
        else:
            label = f"{subject} {row['kind']} {row['value']:,.0f} {quantity}"
            unit = f"{quantity} abated"
        area = row.get("area")
        if isinstance(area, str) and area:
            label += f" ({area})"
        met = "yes 达标" if row["met"] else "NO 未达标"
        if "enforced" in row and not row["enforced"]:
            met += " (history 历史, not enforced)"
        cells = [label, str(int(row["year"])), f"{number(row['required'], 1)} {unit}",
                 number(row["achieved"], 1), met, _basis_word(row.get("basis"))]
        if elastic:
            quantity = row.get("quantity_unit")
            per = ("/unit" if row["kind"] == "deployment" else
                   f"/{quantity}" if isinstance(quantity, str) and quantity else "/t")
            cells += [f"{number(row['price_cap_yuan'])}{per}", str(row["price_cap_source"])]
        rows.append(cells)
    return format_table(headers, rows, right={2, 3, 6} if elastic else {2, 3})

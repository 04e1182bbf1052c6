"""An infeasible run's diagnosis (summary.json ``diagnosis``) as report text in Chinese or English.

The record is built from numbers plus a few fixed English phrases (analysis/diagnose.py); the
Chinese text is made from the numbers and from those phrases' known patterns, so a zh report
carries no English sentence. A phrase of an unknown shape is shown as it is.
"""

from __future__ import annotations

import functools
import re

from planner.io.schema import POLLUTANT_LABELS_EN, POLLUTANT_LABELS_ZH

_ZH_BY_EN = {en: POLLUTANT_LABELS_ZH[p] for p, en in POLLUTANT_LABELS_EN.items()}
_POLLUTANT = "|".join(re.escape(name) for name in sorted(_ZH_BY_EN, key=len, reverse=True))

# A target's name ends "in <area>" when it is an area's own target (diagnose.target_name).
_AREA = r"(?: in (.+?))?"


def _where(area: str | None) -> str:
    return f"{area}" if area else ""


_TARGET_PATTERNS = [
    (re.compile(rf"^(\S+) intensity -([\d.,]+) %{_AREA} in (\d{{4}}) \((\S+) line (\d+)\)$"),
     lambda m, n: f"{m[4]}年{_where(m[3])}{n(m[1])}强度下降{m[2]}% ({m[5]} 第{m[6]}行)"),
    (re.compile(rf"^(\S+) reduction >= ([\d.,]+) (\S+){_AREA} in (\d{{4}}) \((\S+) line (\d+)\)$"),
     lambda m, n: f"{m[5]}年{_where(m[4])}{n(m[1])}重点工程减排量不低于{m[2]}{_unit(m[3], 'zh')} ({m[6]} 第{m[7]}行)"),
    (re.compile(rf"^(\S+) cap <= ([\d.,]+) (\S+){_AREA} in (\d{{4}}) \((\S+) line (\d+)\)$"),
     lambda m, n: f"{m[5]}年{_where(m[4])}{n(m[1])}排放总量不超过{m[2]}{_unit(m[3], 'zh')} ({m[6]} 第{m[7]}行)"),
    (re.compile(rf"^(\S+) peak \(at most \+([\d.,]+) % on (\d{{4}})\){_AREA} in (\d{{4}}) \((\S+) line (\d+)\)$"),
     lambda m, n: f"{m[5]}年{_where(m[4])}{n(m[1])}达峰(较{m[3]}年增长不超过{m[2]}%) ({m[6]} 第{m[7]}行)"),
    (re.compile(r"^deployment (\S+) >= ([\d.,]+) in (\d{4}) \((\S+) line (\d+)\)$"),
     lambda m, n: f"{m[3]}年部署目标 {m[1]} 不少于{m[2]}单位 ({m[4]} 第{m[5]}行)"),
    (re.compile(r"^budget (\d{4}): ([\d.,]+) 万元$"), lambda m, n: f"{m[1]}年预算: {m[2]} 万元"),
    (re.compile(r"^total budget: ([\d.,]+) 万元$"), lambda m, n: f"总预算: {m[1]} 万元"),
    # The limit is "<units> <unit>/yr": 年新增上限 already says "a year".
    (re.compile(r"^ramp limit of (.+) \((\S+)\): (.+?)(?:/yr)?$"), lambda m, n: f"{m[1]} ({m[2]}) 年新增上限: {m[3]}"),
    (re.compile(r"^first year of (.+) \((\S+)\): (\d{4})$"), lambda m, n: f"{m[1]} ({m[2]}) 最早实施年份: {m[3]}"),
    (re.compile(r"^exclusive group (\S+)$"), lambda m, n: f"互斥措施组 {m[1]}"),
    (re.compile(r"^potential of (.+) \((\S+)\): (.+)$"), lambda m, n: f"{m[1]} ({m[2]}) 潜力上限: {m[3]}"),
]


def constraint_name(text: str, lang: str, names: dict[str, str] | None = None) -> str:
    """A target or limit as the diagnosis names it, in the report's language. ``names``: indicator
    id -> name (indicators.csv), so an indicator target reads by its name; pollutants by theirs."""
    if lang != "zh":
        return text

    def subject(code: str) -> str:
        return _ZH_BY_EN.get(code) or (names or {}).get(code, code)

    for pattern, build in _TARGET_PATTERNS:
        match = pattern.match(text)
        if match:
            return build(match, subject)
    return text


def _unit(unit: str, lang: str) -> str:
    if lang != "zh":
        return unit
    if unit.endswith(" abated") and unit not in ("t abated",):
        return f"{unit.removesuffix(' abated')}减排量"
    return {"t abated": "吨减排量", "units": "单位", "t": "吨"}.get(unit, unit)


def diagnosis_lines(record: dict, lang: str, names: dict[str, str] | None = None) -> dict[str, list[str]]:
    """The diagnosis as headed lists of lines: why, closest plan, conflict, fixes. ``names``: indicator
    id -> name, for the Chinese target names."""
    zh = lang == "zh"
    named = functools.partial(constraint_name, names=names)

    why: list[str] = []
    for item in record.get("unreachable_targets") or []:
        name = named(item["target"], lang)
        why.append(f"{name}: 需要 {item['required']:,.1f} {_unit(item['unit'], lang)},但无论预算多少,"
                   f"{item['year']}年其措施最多只能达到 {item['max_reachable']:,.1f}(受潜力、年新增上限、首年和寿命限制)"
                   if zh else
                   f"{name} needs {item['required']:,.1f} {item['unit']}, but its measures can reach at most "
                   f"{item['max_reachable']:,.1f} in {item['year']} whatever the budget")
    for item in record.get("budget_bound_targets") or []:
        name = named(item["target"], lang)
        why.append(f"{name}: 到{item['year']}年至少需要投资 {item['min_capex_wan_yuan']:,.0f} 万元,"
                   f"而{item['years']}年的预算只有 {item['budget_wan_yuan']:,.0f} 万元"
                   if zh else
                   f"{name} needs at least {item['min_capex_wan_yuan']:,.0f} 万元 of investment by {item['year']}, "
                   f"but the budgets of {item['years']} allow {item['budget_wan_yuan']:,.0f} 万元")
    closest = [
        (f"{named(item['target'], lang)}: 达到 {item['achieved']:,.1f} / {item['required']:,.1f} "
         f"{_unit(item['unit'], lang)},缺口 {item['shortfall']:,.1f}" if zh else
         f"{item['target']}: reaches {item['achieved']:,.1f} of {item['required']:,.1f} {item['unit']} "
         f"(short by {item['shortfall']:,.1f})")
        for item in record.get("least_shortfalls") or []]
    conflict = [named(text, lang) for text in record.get("conflict") or []]
    if zh:
        fixes: list[str] = [f"将 {named(item['target'], lang)} 至少放宽 {item['missing']:,.1f} "
                            f"{_unit(item['unit'], lang)},或增加能达到它的措施(更大潜力、更快新增、更早实施)"
                            for item in record.get("unreachable_targets") or []]
        extra = record.get("extra_budget_wan_yuan_by_year")
        if extra:
            years = ", ".join(f"{y}: +{v:,.0f}" for y, v in sorted(extra.items()))
            fixes.append(f"提高各年预算(万元)— {years} — 即可达成全部目标")
        elif extra is not None and not record.get("unreachable_targets"):
            fixes.append("仅增加预算无济于事:需放宽上列目标")
        for item in record.get("least_shortfalls") or []:
            fixes.append(f"或在现有预算下,将 {named(item['target'], lang)} 放宽 "
                         f"{item['shortfall']:,.1f} {_unit(item['unit'], lang)}")
    else:
        fixes = list(record.get("fixes") or [])
    notes = [] if zh else list(record.get("notes") or [])
    return {"why": why, "closest": closest, "conflict": conflict, "fixes": fixes, "notes": notes}

"""Explain an infeasible plan in the planner's terms: which targets cannot be met, by how much, and the fix.

Four views, cheapest first:
1. screening: each target against the most its eligible measures could reach in its year
   (potential, ramp, first year and lifetime permitting), and against the least investment
   that could reach it with the budgets of the years up to it;
2. the least shortfall: the same model re-solved with elastic targets;
3. the budget that would do: targets strict, every yearly budget allowed to overrun at a price;
4. the conflict: an irreducible infeasible subset (IIS) of the LP relaxation, named by target,
   budget year and measure limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from planner.io.inputs import PlanningData
from planner.model.build import PlanningModel, area_measures, build_model, required_abatement_t, tagged_measures
from planner.model.options import BuildOptions
from planner.model.reach import max_active_units, target_reach
from planner.io.schema import POLLUTANT_LABELS_EN, POLLUTANTS
from planner.solve.session import SolverSession

# Above this many rows an IIS is skipped: HiGHS's IIS search grows fast with model size (23 s at
# 1,000 measures x 30 years in the project's performance notes) and the elastic views already say
# what to change.
IIS_MAX_ROWS = 20_000
# Price of one 万元 of budget overrun in the diagnosis model: high enough that money is added only
# where the targets need it.
OVERRUN_PENALTY_WAN_YUAN = 1_000.0
# Shortfalls and overruns below this are solver noise.
REPORT_TOL = 1e-6


@dataclass
class Diagnosis:
    unreachable: list[dict] = field(default_factory=list)
    budget_bound: list[dict] = field(default_factory=list)
    shortfalls: list[dict] = field(default_factory=list)
    extra_budget_wan_yuan: dict[int, float] | None = None  # yearly budgets raised, total as it is
    extra_total_budget_wan_yuan: float | None = None  # total budget raised, yearly budgets as they are
    extra_both_wan_yuan: dict | None = None  # both raised, when neither alone does: {"by_year": ..., "total": ...}
    total_budget_wan_yuan: float | None = None
    conflict: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)

    def to_record(self) -> dict:
        return {
            "unreachable_targets": self.unreachable,
            "budget_bound_targets": self.budget_bound,
            "least_shortfalls": self.shortfalls,
            "extra_budget_wan_yuan_by_year": (None if self.extra_budget_wan_yuan is None else
                                              {str(y): v for y, v in self.extra_budget_wan_yuan.items()}),
            "extra_total_budget_wan_yuan": self.extra_total_budget_wan_yuan,
            "extra_budget_both": self.extra_both_wan_yuan,
            "conflict": self.conflict,
            "notes": self.notes,
            "fixes": self.fixes,
        }

    def explain(self) -> str:
        lines = ["Why the plan is infeasible:"]
        lines.extend(f"  - {line}" for line in screening_lines(self.unreachable, self.budget_bound))
        if self.shortfalls:
            lines.append("  With the budgets as they are, the closest plan falls short on:")
            for item in self.shortfalls:
                lines.append(f"    {item['target']}: reaches {item['achieved']:,.1f} of {item['required']:,.1f} "
                             f"{item['unit']} (short by {item['shortfall']:,.1f})")
        if self.conflict:
            lines.append("  These conflict (an irreducible set; relax any one of them):")
            lines.extend(f"    {name}" for name in self.conflict)
        lines.extend(f"  Note: {note}" for note in self.notes)
        if self.fixes:
            lines.append("What would fix it:")
            lines.extend(f"  - {fix}" for fix in self.fixes)
        return "\n".join(lines)


def screening_lines(unreachable: list[dict], budget_bound: list[dict]) -> list[str]:
    """The findings of ``screen`` as sentences, one per target (callers add indent or bullet)."""
    lines = []
    for item in unreachable:
        if item.get("peak"):
            lines.append(f"{item['target']} cannot hold: BAU grows so that abatement must rise by "
                         f"{item['required']:,.1f} {item['unit'].replace(' abated', '')} from {item['year'] - 1} to "
                         f"{item['year']}, but its measures can add at most {item['max_reachable']:,.1f} in that year "
                         "(the units that ramp, first year and potential let be added in it"
                         + (f"; held down by pool {', '.join(item['limited_by_pools'])}, too small"
                            if item.get("limited_by_pools") else "") + f"), short by {item['missing']:,.1f}.")
            continue
        lines.append(f"{item['target']} needs {item['required']:,.1f} {item['unit']}, but its measures "
                     f"can reach at most {item['max_reachable']:,.1f} in {item['year']} whatever the budget "
                     f"(potential, ramp, first year and lifetime permitting"
                     + (f"; held down by pool {', '.join(item['limited_by_pools'])}, too small"
                        if item.get("limited_by_pools") else "") + ").")
    for item in budget_bound:
        lines.append(f"{item['target']} needs at least {item['min_capex_wan_yuan']:,.0f} 万元 of investment "
                     f"by {item['year']}, but {item.get('budgets', 'the budgets')} of {item['years']} allow "
                     f"{item['budget_wan_yuan']:,.0f} 万元.")
    return lines


def target_name(data: PlanningData, k: int) -> str:
    target = data.targets[k]
    label = POLLUTANT_LABELS_EN.get(target.pollutant, target.pollutant)
    unit = data.extensions.unit(target.pollutant)
    if target.kind == "intensity_reduction":
        what = f"{label} intensity -{100 * target.value:g} %"
    elif target.kind == "reduction":
        what = f"{label} reduction >= {target.value:,.0f} {unit}"
    elif target.kind == "non_increasing":
        what = f"{label} peak (at most +{100 * target.value:g} % on {target.year - 1})"
    else:
        what = f"{label} cap <= {target.value:,.0f} {unit}"
    if target.area:
        what += f" in {data.extensions.area_names.get(target.area, target.area)}"
    return f"{what} in {target.year} ({target.file} line {target.line})"


def abated_unit(data: PlanningData, k: int) -> str:
    """What target k counts: tonnes for a pollutant, the indicator's own unit (tce) for an indicator."""
    subject = data.targets[k].pollutant
    return "t abated" if subject in POLLUTANTS else f"{data.extensions.unit(subject)} abated"


def deployment_name(data: PlanningData, k: int) -> str:
    row = data.deployment[k]
    where = f"deployment.csv line {row.line}" if row.line else "scenario force_measures"
    return f"deployment {row.tag} >= {row.min_units:,.0f} in {row.year} ({where})"


def _best_of_groups(data: PlanningData, contribution: np.ndarray) -> float:
    """Sum of contributions where, in each exclusive group, only the largest member counts."""
    total, best = 0.0, {}
    for i, group in enumerate(data.measures.group):
        if group:
            best[group] = max(best.get(group, 0.0), contribution[i])
        else:
            total += contribution[i]
    return total + sum(best.values())


def screen(data: PlanningData) -> tuple[list[dict], list[dict]]:
    """Targets out of reach whatever the budget, and targets out of reach of the budgets up to their year."""
    measures, spec = data.measures, data.spec
    ext = data.extensions
    unreachable, budget_bound = [], []
    replan = spec.replan_from if spec.replan_from is not None else spec.start_year
    for k, target in enumerate(data.targets):
        if target.year < replan:
            continue  # history: reported, not enforced
        t = target.year - spec.start_year
        required = required_abatement_t(target, data)
        reach, rate, capped = target_reach(data, k)
        most = _best_of_groups(data, reach)
        name = target_name(data, k)
        unit = abated_unit(data, k)
        if required > most + REPORT_TOL * max(1.0, abs(required)):
            unreachable.append({"target": name, "year": target.year, "required": required, "unit": unit,
                                "max_reachable": most, "missing": required - most,
                                **({"limited_by_pools": capped} if capped else {}),
                                **({"peak": True} if target.kind == "non_increasing" else {})})
            continue
        if target.kind == "non_increasing":
            continue
        minimum = _min_capex(ext.capex_wan_yuan[:, t], rate, reach, required)
        years = [y for y in spec.planned_years if y <= target.year]
        if not years:
            continue
        budget = sum(spec.budget_wan_yuan_by_year[y] for y in years)
        budget = min(budget, spec.budget_total_wan_yuan)
        which, area = "the budgets", ""
        if target.area and target.area in spec.budget_areas_wan_yuan:
            area_budget = spec.budget_areas_wan_yuan[target.area] * len(years)
            if area_budget < budget:
                budget, which = area_budget, f"the area budgets of {target.area}"
                area = target.area
        if minimum > budget * (1 + 1e-9):
            budget_bound.append({"target": name, "year": target.year, "min_capex_wan_yuan": minimum,
                                 "budget_wan_yuan": budget, "years": f"{years[0]}-{years[-1]}",
                                 "budgets": which, **({"area": area, "n_years": len(years)} if area else {})})
    for k, row in enumerate(data.deployment):
        if row.year < replan:
            continue
        tagged = tagged_measures(data, row)
        reach = np.zeros(len(measures))
        reach[tagged] = max_active_units(data, row.year)[tagged]
        most = _best_of_groups(data, reach)
        if row.min_units > most + REPORT_TOL * max(1.0, row.min_units):
            unreachable.append({"target": deployment_name(data, k), "year": row.year, "required": row.min_units,
                                "unit": "units", "max_reachable": most, "missing": row.min_units - most})
    return unreachable, budget_bound


def _min_capex(capex: np.ndarray, rate: np.ndarray, reach: np.ndarray, required: float) -> float:
    """Least investment that abates ``required`` t (fractional knapsack: cheapest capex per tonne first)."""
    if required <= 0:
        return 0.0
    useful = rate > 0
    order = np.argsort(np.where(useful, capex / np.where(useful, rate, 1), np.inf), kind="stable")
    spent, left = 0.0, required
    for i in order:
        if not useful[i] or left <= 0:
            break
        take = min(reach[i], left)
        spent += take / rate[i] * capex[i]
        left -= take
    return spent if left <= 0 else math.inf


def diagnose(data: PlanningData, session: SolverSession,
             screening: tuple[list[dict], list[dict]] | None = None) -> Diagnosis:
    """All four views of an infeasible strict run, and the fixes they point to (``screening``: the
    result of ``screen(data)`` when the caller already has it). The re-solves share the session's
    deadline (the run's one time limit); a view that finds no time left is skipped with a note."""
    diagnosis = Diagnosis()
    diagnosis.unreachable, diagnosis.budget_bound = screening if screening is not None else screen(data)
    spec = data.spec
    options = BuildOptions.from_spec(spec, elastic=True)

    elastic = build_model(data, options, defer_pyomo=True)
    solution = SolverSession(elastic, spec.solver, session.deadline).solve()
    if solution.units_active is not None:
        _least_shortfalls(data, elastic, solution, diagnosis)
    else:
        diagnosis.notes.append(f"the elastic re-solve ended '{solution.status}'")

    _budget_views(data, session, diagnosis)

    if session.compiled.n_rows <= IIS_MAX_ROWS:
        members = session.irreducible_conflict(session.time_left_s())
        if members is None:
            diagnosis.notes.append("the LP relaxation is feasible: only the whole-unit (integer) and "
                                   "exclusive-group choices make the targets unreachable" if session.is_mip
                                   else "no irreducible conflict was found within the time limit")
        else:
            diagnosis.conflict = conflict_names(session.planning, members)
    else:
        diagnosis.notes.append(f"no conflict set computed: the model has {session.compiled.n_rows:,} rows "
                               f"(limit {IIS_MAX_ROWS:,})")
    diagnosis.fixes = _fixes(diagnosis)
    return diagnosis


def _budget_views(data: PlanningData, session: SolverSession, diagnosis: Diagnosis) -> None:
    """The budget that would do, one budget at a time: the targets strict, the yearly budgets allowed
    to overrun at a price (total budget as it is), then the total budget alone (yearly budgets as they
    are), then both when neither alone does. One model with both overruns u_t, u_total; a view fixes
    the other's at 0."""
    spec = data.spec
    overrun = build_model(data, BuildOptions(budget_overrun_penalty_wan_yuan=OVERRUN_PENALTY_WAN_YUAN),
                          defer_pyomo=True)
    views = SolverSession(overrun, spec.solver, session.deadline)
    compiled = views.compiled
    yearly = np.arange(compiled.n_cols)[compiled.column_slice("budget_overrun_wan_yuan")]
    total = np.arange(compiled.n_cols)[compiled.column_slice("budget_total_overrun_wan_yuan")]

    def extra_by_year(solution) -> dict[int, float]:
        return {t: float(v) for t, v in zip(overrun.years, solution.budget_overrun_wan_yuan) if v > REPORT_TOL}

    def solve(yearly_open: bool, total_open: bool):
        views.set_column_upper(yearly, np.inf if yearly_open else 0.0)
        if len(total):
            views.set_column_upper(total, np.inf if total_open else 0.0)
        solution = views.solve()
        return solution if solution.budget_overrun_wan_yuan is not None else None

    yearly_view = solve(True, False)
    if yearly_view is not None:
        diagnosis.extra_budget_wan_yuan = extra_by_year(yearly_view)
    if not len(total):
        return
    diagnosis.total_budget_wan_yuan = spec.budget_total_wan_yuan
    total_view = solve(False, True)
    if total_view is not None:
        diagnosis.extra_total_budget_wan_yuan = max(0.0, float(total_view.budget_total_overrun_wan_yuan))
    if yearly_view is None and total_view is None:
        both = solve(True, True)
        if both is not None:
            diagnosis.extra_both_wan_yuan = {"by_year": {str(t): v for t, v in extra_by_year(both).items()},
                                             "total": max(0.0, float(both.budget_total_overrun_wan_yuan))}


def _least_shortfalls(data, planning, solution, diagnosis: Diagnosis) -> None:
    for k in range(len(data.targets)):
        short = float(solution.target_shortfall_t[k])
        if short > REPORT_TOL * max(1.0, abs(planning.required_abatement_t[k])):
            required = planning.required_abatement_t[k]
            diagnosis.shortfalls.append({"target": target_name(data, k), "year": data.targets[k].year,
                                         "required": required, "achieved": required - short,
                                         "shortfall": short, "unit": abated_unit(data, k)})
    for k, row in enumerate(data.deployment):
        short = float(solution.deployment_shortfall_units[k])
        if short > REPORT_TOL * max(1.0, row.min_units):
            diagnosis.shortfalls.append({"target": deployment_name(data, k), "year": row.year,
                                         "required": row.min_units, "achieved": row.min_units - short,
                                         "shortfall": short, "unit": "units"})


def _potential_name(measures, i: int) -> str:
    return f"potential of {measures.names[i]} ({measures.ids[i]}): {measures.potential[i]:,g} {measures.units[i]}"


def conflict_names(planning: PlanningModel, members: list[tuple[str, object, str]]) -> list[str]:
    """IIS members in the planner's words."""
    data = planning.data
    measures, spec = data.measures, data.spec
    names: list[str] = []
    for component, key, bound in members:
        if component == "target_row":
            names.append(target_name(data, key))
        elif component == "deployment_row":
            names.append(deployment_name(data, key))
        elif component == "budget_limit":
            names.append(f"budget {key}: {spec.budget_wan_yuan_by_year[key]:,.0f} 万元")
        elif component == "budget_total_limit":
            names.append(f"total budget: {spec.budget_total_wan_yuan:,.0f} 万元")
        elif component == "units_added" and bound != "lower":
            i, year = key
            if year < measures.first_year[i]:
                names.append(f"first year of {measures.names[i]} ({measures.ids[i]}): {measures.first_year[i]}")
            elif measures.max_add_per_yr[i] < measures.potential[i]:
                names.append(f"ramp limit of {measures.names[i]} ({measures.ids[i]}): "
                             f"{measures.max_add_per_yr[i]:,g} {measures.units[i]}/yr")
            else:
                names.append(_potential_name(measures, i))
        elif component == "potential_limit":
            names.append(_potential_name(measures, planning.potential_rows[key][0]))
        elif component == "exclusive_group_link":
            names.append(f"exclusive group {measures.group[planning.group_link_rows[key][0]]}")
        elif component == "exclusive_group_limit":
            names.append(f"exclusive group {key}")
        elif component == "pool_limit":
            pool_id, year = planning.pool_rows[key]
            pool = data.extensions.pools[pool_id]
            names.append(f"pool {pool_id} in {year}: {pool.capacity_by_year[year]:,g} {pool.unit}")
        elif component == "area_budget_limit":
            area, year = planning.area_budget_rows[key]
            names.append(f"area budget of {area} in {year}: {spec.budget_areas_wan_yuan[area]:,.0f} 万元")
    return list(dict.fromkeys(names))


def _fixes(diagnosis: Diagnosis) -> list[str]:
    fixes = []
    for item in diagnosis.unreachable:
        if item.get("peak"):
            fixes.append(f"allow more growth in {item['target']} (about {item['missing']:,.1f} "
                         f"{item['unit'].replace(' abated', '')} more in {item['year']}), move the peak year later, "
                         "or add measures that can be built in that year (faster ramp, earlier first year)")
            continue
        if item.get("limited_by_pools"):
            fixes.append(f"relax {item['target']} by at least {item['missing']:,.1f} {item['unit']}, or raise the "
                         f"capacity of pool {', '.join(item['limited_by_pools'])} in pools.csv for {item['year']}, "
                         "or add measures outside the pool")
            continue
        fixes.append(f"relax {item['target']} by at least {item['missing']:,.1f} {item['unit']}, or add measures "
                     "that can reach it (more potential, faster ramp, earlier first year)")
    for item in diagnosis.budget_bound:
        if item.get("area"):
            short = item["min_capex_wan_yuan"] - item["budget_wan_yuan"]
            fixes.append(f"raise the area budget of {item['area']} ([budget.areas] in the model spec) by at least "
                         f"{short / item['n_years']:,.0f} 万元 a year (from {item['budget_wan_yuan'] / item['n_years']:,.0f}"
                         f" to {item['min_capex_wan_yuan'] / item['n_years']:,.0f}; {short:,.0f} 万元 more over "
                         f"{item['years']}), or relax {item['target']}")
    budget_helps = False
    if diagnosis.extra_budget_wan_yuan:
        years = ", ".join(f"{y}: +{v:,.0f}" for y, v in sorted(diagnosis.extra_budget_wan_yuan.items()))
        fixes.append(f"raise the yearly budgets (万元) — {years} — and every target can be met")
        budget_helps = True
    total = diagnosis.total_budget_wan_yuan
    if diagnosis.extra_total_budget_wan_yuan and diagnosis.extra_total_budget_wan_yuan > REPORT_TOL:
        extra = diagnosis.extra_total_budget_wan_yuan
        fixes.append(f"{'or ' if budget_helps else ''}raise the total budget by {extra:,.0f} 万元 "
                     f"(from {total:,.0f} to {total + extra:,.0f} 万元, the yearly budgets as they are) "
                     "and every target can be met")
        budget_helps = True
    if diagnosis.extra_both_wan_yuan:
        both = diagnosis.extra_both_wan_yuan
        years = ", ".join(f"{y}: +{v:,.0f}" for y, v in sorted(both["by_year"].items())) or "none"
        fixes.append(f"neither budget alone is enough: raise the yearly budgets (万元) — {years} — and the total "
                     f"budget by {both['total']:,.0f} 万元 together, and every target can be met")
        budget_helps = True
    budget_tried = diagnosis.extra_budget_wan_yuan is not None or diagnosis.extra_total_budget_wan_yuan is not None
    if not budget_helps and not diagnosis.unreachable and budget_tried:
        fixes.append("more budget alone does not help: relax the targets listed above")
    for item in diagnosis.shortfalls:
        fixes.append(f"or, at the present budgets, relax {item['target']} by {item['shortfall']:,.1f} {item['unit']}")
    return fixes

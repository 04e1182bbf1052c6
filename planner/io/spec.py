"""Read and check a model spec (TOML under models/): horizon, budget, solver settings, data folder."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import InputError, Problem
from planner.io.schema import POLLUTANTS

# Longest horizon accepted: a planning model over more years than this is almost surely a typo.
MAX_HORIZON_YR = 100


@dataclass(frozen=True)
class SolverSettings:
    time_limit_s: float = 60.0
    mip_gap: float = 1e-4
    mip_heuristics: str = "light"  # light | full (see MIP_HEURISTICS)


# "light" switches off HiGHS's large-neighbourhood MIP heuristics (RINS, RENS, root reduced cost,
# zero-integer rounding, shifting). Measured with HiGHS 1.16: the default Guiyang model solves in
# 0.05 s instead of 0.22 s (same optimum; the heuristics spent 0.13 s in 17 sub-MIPs), and the
# 1,000- and 10,000-measure benchmark MIPs take the same time either way. "full" = HiGHS defaults,
# for catalogues with many lumpy projects where finding a first plan is the hard part.
MIP_HEURISTICS = ("light", "full")


@dataclass(frozen=True)
class ModelSpec:
    """A checked model spec. ``budget_wan_yuan_by_year`` holds the investment limit of every model
    year (``math.inf`` = no limit)."""

    path: Path
    name: str
    inputs_dir: Path
    base_year: int
    start_year: int
    end_year: int
    discount_rate: float
    budget_wan_yuan_by_year: dict[int, float]
    budget_total_wan_yuan: float = math.inf
    scenario: str | None = None
    scenario_description: str = ""
    targets_scale: float = 1.0
    deployment_scale: float = 1.0
    targets_file: Path | None = None
    actuals_file: Path | None = None  # scenario actuals_file: instead of the data folder's actuals.csv
    baseline_file: Path | None = None  # scenario baseline_file: instead of the data folder's baseline.csv
    replan_from: int | None = None  # years before it are history (actuals.csv); None = plan from start_year
    electricity_yuan_per_kwh: float = 0.0  # [prices]: value of electricity saved or generated
    gas_yuan_per_m3: float = 0.0
    budget_areas_wan_yuan: dict[str, float] = field(default_factory=dict)  # [budget.areas]: per model year
    exclude_measures: tuple[str, ...] = ()
    force_measures: dict[str, float] = field(default_factory=dict)
    target_mode: str = "strict"
    # Elastic price caps, 元 per t (by pollutant) and 元 per unit (by deployment tag); the spec-wide
    # caps come from the old [targets] penalty_wan_yuan_per_* keys (万元 converted to 元), None = absent.
    price_cap_yuan_per_t: dict[str, float] = field(default_factory=dict)
    price_cap_yuan_per_unit: dict[str, float] = field(default_factory=dict)
    spec_price_cap_yuan_per_t: float | None = None
    spec_price_cap_yuan_per_unit: float | None = None
    end_effects: str = "annuity"
    solver: SolverSettings = field(default_factory=SolverSettings)
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    def with_budget(self, annual_wan_yuan: float) -> "ModelSpec":
        """The same spec with one investment limit for every year (``--budget``)."""
        from dataclasses import replace

        return replace(self, budget_wan_yuan_by_year={y: float(annual_wan_yuan) for y in self.years})

    def with_replan_from(self, year: int) -> "ModelSpec":
        """The same spec re-planned from ``year`` (``--replan-from``); raises InputError outside the horizon."""
        from dataclasses import replace

        if not self.start_year < year <= self.end_year:
            raise InputError([Problem(str(self.path), f"--replan-from {year} must satisfy start_year < Y <= end_year "
                                                      f"({self.start_year} < Y <= {self.end_year})")])
        return replace(self, replan_from=int(year))

    @property
    def planned_years(self) -> list[int]:
        """The years the model decides: all model years, or those from replan_from on."""
        first = self.replan_from if self.replan_from is not None else self.start_year
        return [year for year in self.years if year >= first]

    @property
    def has_prices(self) -> bool:
        return self.electricity_yuan_per_kwh != 0 or self.gas_yuan_per_m3 != 0


TARGET_MODES = ("strict", "elastic")
END_EFFECTS = ("annuity", "full_capex")
YUAN_PER_WAN_YUAN = 1e4


def _yuan(wan_yuan: float | None) -> float | None:
    return None if wan_yuan is None else float(wan_yuan) * YUAN_PER_WAN_YUAN


def _price_caps(table: dict | None, key: str, label: str, problems: list[Problem],
                valid: tuple[str, ...] | None = None) -> dict[str, float]:
    """A [targets] price-cap table (name = 元 > 0), checked; ``valid`` limits the names."""
    caps: dict[str, float] = {}
    for name, value in (table or {}).items():
        if valid is not None and name not in valid:
            problems.append(Problem(label, f"[targets] {key} names {name!r}; use one of {', '.join(valid)}"))
        elif not _check_value("number", value) or value <= 0:
            problems.append(Problem(label, f"[targets] {key} {name} must be a number > 0, 元 (got {value!r})"))
        else:
            caps[str(name)] = float(value)
    return caps

# key -> (kind, required, default, meaning); kinds: str, int, number, table
SPEC_KEYS: dict[str, dict[str, tuple[str, bool, object, str]]] = {
    "model": {
        "name": ("str", True, None, "name of the model; results go to results/<name>/"),
        "inputs": ("str", True, None, "data folder, relative to the spec file"),
        "base_year": ("int", True, None, "year the intensity targets compare against"),
        "start_year": ("int", True, None, "first model year"),
        "end_year": ("int", True, None, "last model year"),
        "discount_rate": ("number", False, 0.05, "real discount rate per year, e.g. 0.05"),
        "replan_from": ("int", False, None, "re-plan from this year: earlier years are history from actuals.csv "
                                            "(start_year < Y <= end_year)"),
        "end_effects": ("str", False, "annuity", "annuity: only the annuities inside the horizon are charged; "
                                                 "full_capex: every unit pays all its annuities"),
    },
    "budget": {
        "annual_wan_yuan": ("number", False, None, "investment allowed in each year, 万元; absent = no limit"),
        "by_year": ("table", False, None, "investment allowed in named years, 万元, e.g. {2021 = 200000}"),
        "total_wan_yuan": ("number", False, None, "investment allowed over the whole horizon, 万元"),
        "areas": ("table", False, None, "investment allowed in each year per area, 万元, e.g. {qingzhen = 50000}"),
    },
    "prices": {
        "electricity_yuan_per_kwh": ("number", False, 0.0, "value of electricity saved or generated, 元/kWh"),
        "gas_yuan_per_m3": ("number", False, 0.0, "value of natural gas saved, 元/m3"),
    },
    "targets": {
        "mode": ("str", False, "strict", "strict: every target must be met; elastic: targets may fall short at a penalty"),
        "price_cap_yuan_per_t": ("table", False, None, "elastic mode: price cap per tonne of shortfall by "
                                                       "pollutant, 元/t, e.g. { nox = 200000 }"),
        "price_cap_yuan_per_unit": ("table", False, None, "elastic mode: price cap per unit of deployment "
                                                          "shortfall by tag, 元/unit, e.g. { ev_taxi = 50000 }"),
        "penalty_wan_yuan_per_t": ("number", False, None,
                                   "elastic mode, older key: one price cap for every target row, 万元/t"),
        "penalty_wan_yuan_per_unit": ("number", False, None,
                                      "elastic mode, older key: one price cap for every deployment row, 万元/unit"),
    },
    "solver": {
        "time_limit_s": ("number", False, 60.0, "solver time limit, seconds"),
        "mip_gap": ("number", False, 1e-4, "relative MIP optimality gap"),
        "mip_heuristics": ("str", False, "light", "light: HiGHS's large-neighbourhood MIP heuristics off "
                                                 "(faster on planner models); full: HiGHS defaults"),
    },
}


def _check_value(kind: str, value: object) -> bool:
    if kind == "str":
        return isinstance(value, str) and value.strip() != ""
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if kind == "table":
        return isinstance(value, dict)
    raise ValueError(kind)


def load_spec(path: str | Path, scenario: str | None = None) -> ModelSpec:
    """Read a model spec, with a named scenario applied; raise one InputError listing every problem."""
    path = Path(path)
    label = str(path)
    if not path.is_file():
        raise InputError([Problem(label, "model spec not found; give the path of a .toml file, "
                                         "or run `planner init DIR` to get an editable copy of the default model")])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(label, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8")]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(label, f"is not valid TOML: {exc}; see https://toml.io for the syntax")]) from None
    return spec_from_dict(raw, path, scenario)


def spec_from_dict(raw: dict, path: Path, scenario: str | None = None) -> ModelSpec:
    """Check a parsed spec, apply the scenario, and resolve defaults and paths."""
    from planner.io.scenarios import apply_scenario

    label = str(path)
    problems: list[Problem] = []
    values: dict[str, dict[str, object]] = {}
    changes: dict = {}
    if scenario is not None:
        raw, changes = apply_scenario(raw, scenario, label, problems)
        if problems:
            raise InputError(problems)

    for table in raw:
        if table not in SPEC_KEYS and table != "scenarios":
            problems.append(Problem(label, f"unknown table [{table}]; valid tables are "
                                           + ", ".join(f"[{t}]" for t in [*SPEC_KEYS, "scenarios.NAME"])))
    for table, keys in SPEC_KEYS.items():
        given = raw.get(table, {})
        if not isinstance(given, dict):
            problems.append(Problem(label, f"{table} must be a table [{table}]"))
            given = {}
        for key in given:
            if key not in keys:
                problems.append(Problem(label, f"unknown key {key!r} in [{table}]; valid keys are "
                                               + ", ".join(keys)))
        values[table] = {}
        for key, (kind, required, default, meaning) in keys.items():
            if key not in given:
                if required:
                    problems.append(Problem(label, f"missing [{table}] {key} ({meaning})"))
                values[table][key] = default
                continue
            value = given[key]
            if not _check_value(kind, value):
                wanted = {"str": "text", "int": "a whole number", "number": "a finite number",
                          "table": "a table"}[kind]
                problems.append(Problem(label, f"[{table}] {key} must be {wanted} (got {value!r}): {meaning}"))
                value = default
            values[table][key] = value
    if problems:
        raise InputError(problems)

    model, budget, solver = values["model"], values["budget"], values["solver"]
    targets = values["targets"]
    if targets["mode"] not in TARGET_MODES:
        problems.append(Problem(label, f"[targets] mode must be one of {', '.join(TARGET_MODES)} "
                                       f"(got {targets['mode']!r})"))
    for key in ("penalty_wan_yuan_per_t", "penalty_wan_yuan_per_unit"):
        if targets[key] is not None and targets[key] <= 0:
            problems.append(Problem(label, f"[targets] {key} must be > 0 (got {targets[key]})"))
    caps_by_pollutant = _price_caps(targets["price_cap_yuan_per_t"], "price_cap_yuan_per_t", label, problems,
                                    POLLUTANTS)
    caps_by_tag = _price_caps(targets["price_cap_yuan_per_unit"], "price_cap_yuan_per_unit", label, problems)
    if model["end_effects"] not in END_EFFECTS:
        problems.append(Problem(label, f"[model] end_effects must be one of {', '.join(END_EFFECTS)} "
                                       f"(got {model['end_effects']!r})"))
    base, start, end = model["base_year"], model["start_year"], model["end_year"]
    if not base <= start <= end:
        problems.append(Problem(label, f"years must satisfy base_year <= start_year <= end_year "
                                       f"(got {base}, {start}, {end})"))
    elif end - start + 1 > MAX_HORIZON_YR:
        problems.append(Problem(label, f"horizon of {end - start + 1} years is longer than {MAX_HORIZON_YR}; "
                                       "check start_year and end_year"))
    rate = model["discount_rate"]
    if not 0 <= rate < 1:
        problems.append(Problem(label, f"[model] discount_rate must be in [0, 1) (got {rate}), e.g. 0.05"))
    for key in ("annual_wan_yuan", "total_wan_yuan"):
        if budget[key] is not None and budget[key] < 0:
            problems.append(Problem(label, f"[budget] {key} must be >= 0 (got {budget[key]})"))
    if solver["time_limit_s"] <= 0:
        problems.append(Problem(label, f"[solver] time_limit_s must be > 0 (got {solver['time_limit_s']})"))
    if not 0 <= solver["mip_gap"] < 1:
        problems.append(Problem(label, f"[solver] mip_gap must be in [0, 1) (got {solver['mip_gap']})"))
    if solver["mip_heuristics"] not in MIP_HEURISTICS:
        problems.append(Problem(label, f"[solver] mip_heuristics must be one of {', '.join(MIP_HEURISTICS)} "
                                       f"(got {solver['mip_heuristics']!r})"))
    if problems:
        raise InputError(problems)

    annual = math.inf if budget["annual_wan_yuan"] is None else float(budget["annual_wan_yuan"])
    by_year = {year: annual for year in range(start, end + 1)}
    for key, value in (budget["by_year"] or {}).items():
        try:
            year = int(key)
        except ValueError:
            year = None
        if year is None or year not in by_year:
            problems.append(Problem(label, f"[budget] by_year key {key!r} is not a model year "
                                           f"({start}..{end})"))
        elif not _check_value("number", value) or value < 0:
            problems.append(Problem(label, f"[budget] by_year {key} must be a number >= 0 (got {value!r})"))
        else:
            by_year[year] = float(value)
    replan_from = model["replan_from"]
    if replan_from is not None and not start < replan_from <= end:
        problems.append(Problem(label, f"[model] replan_from = {replan_from} must satisfy start_year < replan_from "
                                       f"<= end_year ({start} < Y <= {end}); remove it to plan from start_year"))
    prices = values["prices"]
    for key, value in prices.items():
        if value < 0:
            problems.append(Problem(label, f"[prices] {key} must be >= 0 (got {value})"))
    budget_areas: dict[str, float] = {}
    for key, value in (budget["areas"] or {}).items():
        if not _check_value("number", value) or value < 0:
            problems.append(Problem(label, f"[budget.areas] {key} must be a number >= 0 of 万元 per year "
                                           f"(got {value!r})"))
        else:
            budget_areas[str(key)] = float(value)
    if problems:
        raise InputError(problems)

    total = budget["total_wan_yuan"]
    return ModelSpec(
        path=path,
        name=str(model["name"]),
        inputs_dir=(path.parent / str(model["inputs"])).resolve(),
        base_year=base,
        start_year=start,
        end_year=end,
        discount_rate=float(rate),
        budget_wan_yuan_by_year=by_year,
        budget_total_wan_yuan=math.inf if total is None else float(total),
        scenario=scenario,
        scenario_description=changes.get("description", ""),
        targets_scale=changes.get("targets_scale", 1.0),
        deployment_scale=changes.get("deployment_scale", 1.0),
        targets_file=(path.parent / changes["targets_file"]).resolve() if "targets_file" in changes else None,
        actuals_file=(path.parent / changes["actuals_file"]).resolve() if "actuals_file" in changes else None,
        baseline_file=(path.parent / changes["baseline_file"]).resolve() if "baseline_file" in changes else None,
        replan_from=replan_from,
        electricity_yuan_per_kwh=float(prices["electricity_yuan_per_kwh"]),
        gas_yuan_per_m3=float(prices["gas_yuan_per_m3"]),
        budget_areas_wan_yuan=budget_areas,
        exclude_measures=changes.get("exclude_measures", ()),
        force_measures=changes.get("force_measures", {}),
        target_mode=str(targets["mode"]),
        price_cap_yuan_per_t=caps_by_pollutant,
        price_cap_yuan_per_unit=caps_by_tag,
        spec_price_cap_yuan_per_t=_yuan(targets["penalty_wan_yuan_per_t"]),
        spec_price_cap_yuan_per_unit=_yuan(targets["penalty_wan_yuan_per_unit"]),
        end_effects=str(model["end_effects"]),
        solver=SolverSettings(float(solver["time_limit_s"]), float(solver["mip_gap"]), str(solver["mip_heuristics"])),
        raw=raw,
    )

"""Seeded synthetic data sets for the planning model (/work/shared/planning-model.md).

    python bench/generate.py N_MEASURES OUT_DIR [--seed S] [--years 10] [--lp-only]

Writes OUT_DIR/model.toml and OUT_DIR/inputs/{measures,baseline,targets,deployment}.csv. The
same (N, seed, years, lp_only) gives byte-identical files (numpy default_rng(seed), fixed
formats, no timestamps).

Every constraint kind is present: lifetimes shorter than the horizon (units expire), ramp
limits (max_add_per_yr), first years after the start year, integer measures, exclusive groups,
intensity / reduction / cap targets on several pollutants in several years, deployment targets
on tags whose measures share one unit, negative opex and negative abatement (co-control
trade-offs), and a yearly budget. Blank optional cells are used too (ramp, first_year, integer,
abatement, group, tags).

Feasible by construction: a random plan that respects every limit (potential, ramp, first
year, integrality, at most one measure per group) is drawn from the values exactly as written
to the CSV files; targets ask for 70-90 % of the abatement / units that plan reaches in their
year (rounded in the lenient direction) and the budget is 1.1-1.3 x the plan's largest yearly
capex, so the plan itself satisfies every row. The optimum is cheaper and back-loaded, so the
budget usually binds in the target years.

With lp_only=True (--lp-only) there are no integer measures and no groups (a pure LP).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

POLLUTANTS = ("co2", "nox", "so2", "vocs", "pm", "cod", "nh3n")

# sector, unit, Chinese name, capex lo/hi (万元 per unit), opex lo/hi (万元 per unit-yr), lifetime lo/hi,
# potential lo/hi (units), lumpy (can be integer), tags, lead, abatement per unit-yr {pollutant: (lo, hi)}
ARCHETYPES = [
    ("energy", "MW", "分布式光伏", (350, 500), (5, 10), (20, 25), (5, 80), False, "nonfossil_power;solar", "市能源局",
     {"co2": (800, 1200)}),
    ("energy", "MW", "分散式风电", (600, 800), (15, 25), (18, 22), (10, 60), False, "nonfossil_power", "市能源局",
     {"co2": (1800, 2300)}),
    ("energy", "t/h", "燃煤锅炉煤改气", (20, 40), (5, 15), (12, 15), (10, 80), True, "", "市生态环境局",
     {"co2": (300, 500), "so2": (2, 5), "nox": (1, 3), "pm": (0.5, 1.5)}),
    ("energy", "t/h", "燃煤锅炉煤改电", (30, 50), (10, 20), (12, 15), (10, 80), True, "", "市生态环境局",
     {"co2": (400, 700), "so2": (3, 6), "nox": (1, 3), "pm": (0.5, 1.5)}),
    ("energy", "t/h", "生物质锅炉替代", (25, 45), (4, 10), (8, 12), (10, 60), True, "", "市生态环境局",
     {"co2": (400, 600), "so2": (1, 3), "nox": (-0.6, -0.2), "pm": (-0.3, -0.1)}),
    ("industry", "kt clinker/yr", "水泥超低排放改造", (5, 10), (1, 2), (10, 15), (200, 2000), True, "", "市工信局",
     {"nox": (0.3, 0.6), "pm": (0.05, 0.1), "so2": (0.05, 0.1), "co2": (-5, -2)}),
    ("industry", "套", "VOCs深度治理", (50, 150), (10, 30), (5, 8), (2, 20), True, "", "市生态环境局",
     {"vocs": (5, 20)}),
    ("industry", "MW", "湿法脱硫改造", (10, 20), (1, 2), (8, 12), (50, 600), False, "", "市生态环境局",
     {"so2": (3, 6), "co2": (-3, -1)}),
    ("industry", "MW", "余热余压回收", (500, 800), (-100, -50), (10, 15), (2, 30), False, "", "市工信局",
     {"co2": (3000, 5000), "so2": (0.5, 1.5)}),
    ("transport", "vehicle", "新能源公交车", (50, 80), (-3, -1), (8, 8), (50, 800), False, "nev", "市交通局",
     {"co2": (40, 60), "nox": (0.1, 0.2), "pm": (0.003, 0.006)}),
    ("transport", "vehicle", "纯电动出租车", (12, 18), (-2, -0.5), (6, 6), (100, 3000), False, "nev", "市交通局",
     {"co2": (15, 25), "nox": (0.01, 0.03), "vocs": (0.01, 0.02)}),
    ("buildings", "万m2", "既有建筑节能改造", (200, 400), (-20, -5), (15, 20), (5, 100), False, "green_building",
     "市住建局", {"co2": (300, 600)}),
    ("buildings", "千盏", "公共照明LED改造", (30, 60), (-10, -5), (5, 7), (5, 50), False, "", "市城管局",
     {"co2": (100, 200)}),
    ("agriculture", "万头", "畜禽粪污资源化利用", (100, 300), (10, 20), (8, 12), (2, 40), True, "", "市农业农村局",
     {"cod": (50, 100), "nh3n": (5, 10), "co2": (100, 300)}),
    ("agriculture", "万亩", "测土配方施肥", (5, 15), (2, 5), (3, 5), (10, 200), False, "", "市农业农村局",
     {"nh3n": (2, 5), "cod": (5, 10), "co2": (10, 30)}),
    ("ecology", "万亩", "造林绿化", (500, 1500), (20, 50), (30, 30), (1, 30), False, "", "市林业局",
     {"co2": (5000, 10000)}),
    ("water", "万t/d", "污水处理厂提标改造", (3000, 6000), (300, 600), (20, 20), (1, 10), True, "", "市水务局",
     {"cod": (500, 1500), "nh3n": (50, 150), "co2": (-500, -200)}),
    ("water", "km", "雨污分流管网", (300, 800), (5, 10), (30, 30), (10, 200), False, "", "市水务局",
     {"cod": (10, 30), "nh3n": (1, 3)}),
    ("waste", "t/d", "生活垃圾焚烧发电", (40, 60), (5, 10), (25, 25), (100, 1500), True, "", "市城管局",
     {"co2": (150, 250), "cod": (0.5, 1), "nox": (-0.05, -0.02)}),
    ("waste", "套", "填埋气回收利用", (200, 500), (20, 50), (10, 10), (1, 10), True, "", "市城管局",
     {"co2": (5000, 10000), "vocs": (0.5, 1)}),
]
DEPLOYMENT_TAGS = ("nonfossil_power", "nev", "green_building")  # one unit each: MW, vehicle, 万m2
# pollutant: list of (year position, kind); year positions resolved against the horizon
TARGET_PLAN = {
    "co2": [("mid", "intensity_reduction"), ("end", "intensity_reduction"), ("q3", "reduction")],
    "nox": [("mid", "reduction"), ("end", "cap")],
    "so2": [("mid", "cap"), ("end", "cap")],
    "vocs": [("mid", "reduction"), ("end", "reduction")],
    "pm": [("mid", "intensity_reduction"), ("end", "cap")],
    "cod": [("mid", "reduction"), ("end", "reduction")],
    "nh3n": [("mid", "cap"), ("end", "reduction")],
}
# BAU growth per year and plan abatement share of BAU
BAU_GROWTH = {"co2": 0.02, "nox": -0.01, "so2": -0.02, "vocs": 0.01, "pm": -0.015, "cod": 0.005, "nh3n": 0.0}


def _fmt(values: np.ndarray, fmt: str) -> np.ndarray:
    s = np.char.mod(fmt, values)
    return np.where(np.char.startswith(s, "-") & (s.astype(float) == 0), np.char.lstrip(s, "-"), s)


def _floor(x: float, decimals: int) -> float:
    return math.floor(x * 10 ** decimals) / 10 ** decimals


def _ceil(x: float, decimals: int) -> float:
    return math.ceil(x * 10 ** decimals) / 10 ** decimals


def _write_csv(path: Path, header: list[str], columns: list[np.ndarray]) -> None:
    n = len(columns[0]) if columns else 0
    lines = [",".join(header)]
    if n:
        cols = [np.asarray(c, dtype=str) for c in columns]
        joined = cols[0]
        for c in cols[1:]:
            joined = np.char.add(np.char.add(joined, ","), c)
        lines.extend(joined.tolist())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate(n_measures: int, out_dir: str | Path, seed: int = 0, n_years: int = 10,
             lp_only: bool = False) -> Path:
    """Write a synthetic instance; return the path of its model TOML."""
    if n_measures < 1 or n_years < 1:
        raise ValueError("need at least one measure and one year")
    out_dir = Path(out_dir)
    inputs = out_dir / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    N, nT = int(n_measures), int(n_years)
    base_year, start = 2020, 2021
    end = start + nT - 1
    years = np.arange(start, end + 1)
    nA = len(ARCHETYPES)

    # ---------------------------------------------------------------- measures
    arch = rng.integers(0, nA, N)
    arch[: min(N, nA)] = np.arange(min(N, nA))  # every archetype present when N >= 20
    col = lambda i: np.array([a[i] for a in ARCHETYPES], dtype=object)  # noqa: E731
    lohi = lambda i: np.array([a[i] for a in ARCHETYPES], dtype=float)  # noqa: E731
    sector, unit, cname, lumpy, tags_a, lead_a = col(0), col(1), col(2), col(7).astype(bool), col(8), col(9)
    capex_r, opex_r, life_r, pot_r = lohi(3), lohi(4), lohi(5), lohi(6)

    u = lambda r: rng.uniform(r[arch, 0], r[arch, 1])  # noqa: E731
    capex = _fmt(u(capex_r), "%.2f")
    opex = _fmt(u(opex_r), "%.2f")
    life = rng.integers(life_r[arch, 0].astype(int), life_r[arch, 1].astype(int) + 1)
    pot_raw = u(pot_r)
    abat = np.zeros((N, len(POLLUTANTS)))
    for j, p in enumerate(POLLUTANTS):
        lo = np.array([a[10].get(p, (0, 0))[0] for a in ARCHETYPES], float)
        hi = np.array([a[10].get(p, (0, 0))[1] for a in ARCHETYPES], float)
        abat[:, j] = rng.uniform(lo[arch], hi[arch])
    abat_s = np.stack([_fmt(abat[:, j], "%.4f") for j in range(len(POLLUTANTS))], axis=1)
    abat_blank = abat_s.astype(float) == 0

    # integer measures: a small share of the lumpy ones (capped so the MIP stays quick at scale)
    n_int = 0 if lp_only else min(int(round(0.05 * N)), 20)
    lumpy_idx = np.flatnonzero(lumpy[arch])
    int_pick = rng.permutation(lumpy_idx)[:n_int]
    is_int = np.zeros(N, bool)
    is_int[int_pick] = True
    pot_int = rng.integers(1, 6, N).astype(float)
    potential = np.where(is_int, _fmt(pot_int, "%.0f"), _fmt(pot_raw, "%.2f"))
    # ramp: 60 % of measures; integer ones 1-2 units
    has_ramp = rng.random(N) < 0.6
    ramp_frac = rng.uniform(0.15, 0.5, N)
    ramp_int = rng.integers(1, 3, N).astype(float)
    ramp_cont = np.maximum(potential.astype(float) * ramp_frac, 0.01)
    ramp_s = np.where(is_int, _fmt(ramp_int, "%.0f"), _fmt(ramp_cont, "%.2f"))
    ramp_s = np.where(has_ramp, ramp_s, "")
    # first year: 30 % later than the start (up to 4 years), 10 % written as the start year, rest blank
    fy_draw = rng.random(N)
    fy_late = start + rng.integers(1, max(2, min(5, nT)), N)
    fy_late = np.minimum(fy_late, end)
    first_year = np.where(fy_draw < 0.3, fy_late, start)
    first_year_s = np.where(fy_draw < 0.3, fy_late.astype(str), np.where(fy_draw < 0.4, str(start), ""))
    # integer column: true / false / blank
    int_s = np.where(is_int, "true", np.where(rng.random(N) < 0.5, "false", ""))

    # exclusive groups: 2-3 measures of one archetype each
    group = np.full(N, "", dtype=object)
    n_groups = 0 if lp_only else min(max(3, N // 50), 10)
    order = rng.permutation(N)
    pools = {a: [int(i) for i in order if arch[i] == a] for a in range(nA)} if n_groups else {}
    made = 0
    for g in range(n_groups):
        a = int(arch[order[g % N]])
        size = int(rng.integers(2, 4))
        if len(pools[a]) < size:
            continue
        members = [pools[a].pop() for _ in range(size)]
        group[members] = f"g{made + 1:03d}"
        made += 1
    in_group = group != ""

    # parse back exactly what is written
    capex_v, opex_v = capex.astype(float), opex.astype(float)
    pot_v = potential.astype(float)
    ramp_v = np.where(has_ramp, np.where(is_int, ramp_int, np.char.mod("%.2f", ramp_cont).astype(float)), np.inf)
    abat_v = abat_s.astype(float)

    # ---------------------------------------------------------------- a feasible plan
    adopt = rng.random(N) < 0.75
    # at most one member of each group may be adopted
    if made:
        g_ids = np.unique(group[in_group])
        keep_member = {}
        for gname in g_ids:
            members = np.flatnonzero(group == gname)
            keep_member[gname] = members[int(rng.integers(0, len(members)))]
        chosen = np.zeros(N, bool)
        chosen[list(keep_member.values())] = True
        adopt &= ~in_group | chosen
    intensity = rng.uniform(0.2, 0.7, N)
    fy_idx = first_year - start
    x = np.zeros((N, nT))
    for t in range(nT):
        lag = t - np.arange(t)  # lags of earlier years
        alive = lag[None, :] < life[:, None] if t else np.zeros((N, 0), bool)
        active_prev = (x[:, :t] * alive).sum(axis=1)
        cap = np.minimum(ramp_v, np.maximum(pot_v - active_prev, 0.0))
        cap[(t < fy_idx) | ~adopt] = 0.0
        draw = rng.random(N)
        cont = cap * draw * intensity
        integ = np.floor(draw * (np.floor(cap + 1e-9) + 1))
        x[:, t] = np.where(is_int, np.minimum(integ, np.floor(cap + 1e-9)), cont)
    active = np.zeros((N, nT))
    for t in range(nT):
        for tau in range(t + 1):
            active[:, t] += np.where(t - tau < life, x[:, tau], 0.0)
    plan_abat = abat_v.T @ active  # pollutants x years
    plan_capex = capex_v @ x  # per year
    tag_sets = [set(s.split(";")) if s else set() for s in tags_a[arch]]
    mid = min(nT - 1, max(0, nT // 2 - 1))
    q3 = min(nT - 1, max(0, (3 * nT) // 4 - 1))
    pos = {"mid": mid, "end": nT - 1, "q3": q3}

    # ---------------------------------------------------------------- baseline
    gdp0 = rng.uniform(4000, 6000)
    gdp_growth = rng.uniform(0.045, 0.065)
    k = np.arange(nT + 1)
    gdp = np.round(gdp0 * (1 + gdp_growth) ** k * (1 + rng.uniform(-0.005, 0.005, nT + 1)), 1)
    bau = np.zeros((len(POLLUTANTS), nT + 1))
    for j, p in enumerate(POLLUTANTS):
        share = rng.uniform(0.08, 0.2)
        scale = max(np.abs(plan_abat[j]).max(), 1.0) / share
        bau[j] = np.round(scale * (1 + BAU_GROWTH[p]) ** k * (1 + rng.uniform(-0.01, 0.01, nT + 1)), 0)
    bau = np.maximum(bau, 1.0)

    # ---------------------------------------------------------------- targets
    t_rows = []
    for j, p in enumerate(POLLUTANTS):
        seen = set()
        for where, kind in TARGET_PLAN[p]:
            t = pos[where]
            if (t, kind) in seen:
                continue
            seen.add((t, kind))
            reached = plan_abat[j, t]
            if reached <= 0:
                continue
            f = rng.uniform(0.7, 0.9)
            req = f * reached
            bau_t = bau[j, t + 1]
            if kind == "reduction":
                value = f"{_floor(req, 2):.2f}"
            elif kind == "cap":
                value = f"{_ceil(bau_t - req, 2):.2f}"
            else:
                v = 1.0 - (bau_t - req) * gdp[0] / (bau[j, 0] * gdp[t + 1])
                value = f"{_floor(v, 6):.6f}"
            t_rows.append((int(years[t]), p, kind, value))
    t_rows.sort()

    # ---------------------------------------------------------------- deployment
    d_rows = []
    arch_tags = np.array([";" + s + ";" for s in tags_a[arch]], dtype=object)
    for tag in DEPLOYMENT_TAGS:
        mask = np.array([f";{tag};" in s for s in arch_tags], bool)
        for t in sorted({mid, nT - 1}):
            units = active[mask, t].sum()
            if units <= 0:
                continue
            f = rng.uniform(0.7, 0.9)
            d_rows.append((int(years[t]), tag, f"{_floor(f * units, 2):.2f}"))
    d_rows.sort()

    # ---------------------------------------------------------------- budget
    budget = math.ceil(rng.uniform(1.1, 1.3) * max(plan_capex.max(), 1.0))

    # ---------------------------------------------------------------- write
    ids = np.char.add("m", np.char.zfill(np.arange(1, N + 1).astype(str), 5))
    names = np.char.add(np.char.add(cname[arch].astype(str), "-"), np.char.zfill(np.arange(1, N + 1).astype(str), 5))
    numerals = np.array(["一", "二", "三", "四", "五", "六"])
    plan_ref = np.char.add(np.char.add(np.char.add(numerals[rng.integers(0, 6, N)], "("),
                                       np.char.add(numerals[rng.integers(0, 6, N)], ")")),
                           rng.integers(1, 10, N).astype(str))
    abat_cols = [np.where(abat_blank[:, j], "", abat_s[:, j]) for j in range(len(POLLUTANTS))]
    header = ["id", "name", "sector", "unit", "capex_wan_yuan", "opex_wan_yuan_per_yr", "lifetime_yr", "potential",
              "max_add_per_yr", "first_year", "integer", *[f"{p}_t_per_yr" for p in POLLUTANTS], "group", "tags",
              "plan_ref", "lead", "source"]
    _write_csv(inputs / "measures.csv", header, [
        ids, names, sector[arch].astype(str), unit[arch].astype(str), capex, opex, life.astype(str), potential,
        ramp_s, first_year_s, int_s, *abat_cols, group.astype(str), tags_a[arch].astype(str), plan_ref,
        lead_a[arch].astype(str), np.full(N, f"synthetic seed {seed}")])
    all_years = np.arange(base_year, end + 1)
    _write_csv(inputs / "baseline.csv", ["year", "gdp_yi_yuan", *[f"{p}_t" for p in POLLUTANTS]],
               [all_years.astype(str), _fmt(gdp, "%.1f"), *[_fmt(bau[j], "%.0f") for j in range(len(POLLUTANTS))]])
    _write_csv(inputs / "targets.csv", ["year", "pollutant", "kind", "value"],
               [np.array([str(r[i]) for r in t_rows]) for i in range(4)] if t_rows else [])
    _write_csv(inputs / "deployment.csv", ["year", "tag", "min_units"],
               [np.array([str(r[i]) for r in d_rows]) for i in range(3)] if d_rows else [])
    name = f"synthetic_{N}" + ("_lp" if lp_only else "")
    spec = out_dir / "model.toml"
    spec.write_text(
        f'# Synthetic instance: bench/generate.py {N} --seed {seed} --years {nT}{" --lp-only" if lp_only else ""}\n'
        "[model]\n"
        f'name = "{name}"\n'
        'inputs = "inputs"\n'
        f"base_year = {base_year}\n"
        f"start_year = {start}\n"
        f"end_year = {end}\n"
        "discount_rate = 0.05\n"
        "\n[budget]\n"
        f"annual_wan_yuan = {budget}\n"
        "\n[solver]\n"
        "time_limit_s = 600\n"
        "mip_gap = 1e-4\n", encoding="utf-8")
    return spec


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a seeded synthetic planning instance.")
    parser.add_argument("n_measures", type=int)
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--lp-only", action="store_true", help="no integer measures and no groups")
    args = parser.parse_args(argv)
    print(generate(args.n_measures, args.out_dir, seed=args.seed, n_years=args.years, lp_only=args.lp_only))


if __name__ == "__main__":
    main()

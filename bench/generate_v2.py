"""Add the v2 extensions to an instance written by bench/generate.py, seeded: figures by year,
energy value, pools, indicators, a peak target, areas with budgets and targets, and re-planning.

    python bench/generate_v2.py SPEC.toml --seed 3 [--features measure_years,prices,pools,...]

Every requirement is set loosely against what the catalogue can reach (a share of the most it
could abate), so most instances stay feasible; the checks compare the planner with
bench/reference.py on whatever status both find.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

FEATURES = ("measure_years", "prices", "pools", "indicators", "non_increasing", "areas", "replan")


def _blank(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype("string").fillna("").str.strip() if column in frame else pd.Series([""] * len(frame))


def add_v2(spec: Path, seed: int = 0, features: tuple[str, ...] = FEATURES) -> Path:
    """Rewrite the instance of ``spec`` in place with the chosen extensions; returns ``spec``."""
    spec = Path(spec)
    inputs = spec.parent / "inputs"
    rng = np.random.default_rng(1000 + seed)
    measures = pd.read_csv(inputs / "measures.csv", dtype=str, keep_default_na=False)
    baseline = pd.read_csv(inputs / "baseline.csv", dtype=str, keep_default_na=False)
    targets = pd.read_csv(inputs / "targets.csv", dtype=str, keep_default_na=False)
    text = spec.read_text(encoding="utf-8")
    start = int(text.split("start_year = ")[1].split()[0])
    end = int(text.split("end_year = ")[1].split()[0])
    years = list(range(start, end + 1))
    n = len(measures)
    potential = measures["potential"].astype(float).to_numpy()
    co2 = pd.to_numeric(measures["co2_t_per_yr"].replace("", "0")).to_numpy()
    budget = float(text.split("annual_wan_yuan = ")[1].split()[0]) if "annual_wan_yuan = " in text else 1e6
    extra: list[str] = []
    targets_rows = targets.to_dict("records")
    for row in targets_rows:
        row.setdefault("area", "")

    if "measure_years" in features:
        rows = []
        for i in rng.choice(n, size=max(1, n // 3), replace=False):
            for year in rng.choice(years, size=min(2, len(years)), replace=False):
                rows.append({"measure": measures["id"][i], "year": int(year),
                             "capex_wan_yuan": f"{float(measures['capex_wan_yuan'][i]) * rng.uniform(0.6, 1.0):.3f}",
                             "co2_t_per_yr": f"{co2[i] * rng.uniform(0.8, 1.1):.3f}" if co2[i] else ""})
        pd.DataFrame(rows).to_csv(inputs / "measure_years.csv", index=False)

    if "prices" in features:
        energy = measures["sector"].isin(["energy", "buildings", "industry"]).to_numpy()
        measures["electricity_mwh_per_yr"] = [f"{rng.uniform(0, 2) * float(c):.2f}" if e else ""
                                              for e, c in zip(energy, measures["capex_wan_yuan"])]
        extra.append("[prices]\nelectricity_yuan_per_kwh = 0.45\ngas_yuan_per_m3 = 2.5\n")

    if "pools" in features:
        pool = np.where(rng.random(n) < 0.4, rng.choice(["pool_a", "pool_b"], n), "")
        use = rng.uniform(0.5, 2.0, n)
        measures["pool"] = pool
        measures["pool_use"] = [f"{u:.3f}" if p else "" for p, u in zip(pool, use)]
        rows = []
        for name in ("pool_a", "pool_b"):
            members = pool == name
            most = float((potential[members] * use[members]).sum())
            rows.append({"pool": name, "unit": "kt", "capacity": f"{0.35 * most + 1:.3f}", "year": ""})
            rows.append({"pool": name, "unit": "kt", "capacity": f"{0.45 * most + 1:.3f}", "year": end})
        pd.DataFrame(rows).to_csv(inputs / "pools.csv", index=False)

    if "indicators" in features:
        pd.DataFrame([{"indicator": "energy_tce", "name": "能源消费量", "unit": "tce",
                       "denominator": "industry_va_yi_yuan"}]).to_csv(inputs / "indicators.csv", index=False)
        rate = np.where(rng.random(n) < 0.5, rng.uniform(1, 50, n), 0.0)
        measures["energy_tce_per_yr"] = [f"{r:.3f}" if r else "" for r in rate]
        most = float((rate * potential).sum())
        gdp = baseline["gdp_yi_yuan"].astype(float).to_numpy()
        baseline["energy_tce"] = [f"{10 * most * (1 + 0.02 * k):.1f}" for k in range(len(baseline))]
        baseline["industry_va_yi_yuan"] = [f"{0.4 * g:.2f}" for g in gdp]
        targets_rows.append({"year": end, "pollutant": "energy_tce", "kind": "intensity_reduction", "value": "0.02",
                             "area": ""})
        targets_rows.append({"year": end, "pollutant": "energy_tce", "kind": "reduction",
                             "value": f"{0.3 * most:.2f}", "area": ""})

    if "non_increasing" in features:
        bau = baseline["co2_t"].astype(float).to_numpy()
        growth = float(np.max(bau[1:] / bau[:-1]) - 1)
        targets_rows.append({"year": years[len(years) // 2], "pollutant": "co2", "kind": "non_increasing",
                             "value": f"{0.3 * growth:.4f}", "area": ""})

    if "areas" in features:
        area = np.where(rng.random(n) < 0.6, rng.choice(["qz", "ky"], n), "")
        measures["area"] = area
        pd.DataFrame([{"area": "qz", "name": "清镇"}, {"area": "ky", "name": "开阳"}]).to_csv(
            inputs / "areas.csv", index=False)
        extra.append(f"[budget.areas]\nqz = {0.5 * budget:.1f}\n")
        qz = area == "qz"
        most = float((np.clip(co2, 0, None)[qz] * potential[qz]).sum())
        targets_rows.append({"year": end, "pollutant": "co2", "kind": "reduction", "value": f"{0.3 * most:.2f}",
                             "area": "qz"})
        # an area cap needs the area's baseline rows
        area_rows = baseline.copy()
        city_co2 = area_rows["co2_t"].astype(float)
        area_rows["co2_t"] = [f"{0.3 * c:.1f}" for c in city_co2]
        area_rows["gdp_yi_yuan"] = [f"{0.2 * float(g):.2f}" for g in area_rows["gdp_yi_yuan"]]
        area_rows["area"] = "ky"
        baseline["area"] = ""
        baseline = pd.concat([baseline, area_rows], ignore_index=True)
        ky = area == "ky"
        reach = float((np.clip(co2, 0, None)[ky] * potential[ky]).sum())
        cap = 0.3 * city_co2.iloc[-1] - 0.2 * reach
        targets_rows.append({"year": end, "pollutant": "co2", "kind": "cap", "value": f"{cap:.1f}", "area": "ky"})

    if "replan" in features and len(years) >= 3:
        replan = years[len(years) // 2]
        rows = []
        integer = measures["integer"].str.lower().isin(["true", "1", "yes"]).to_numpy() if "integer" in measures \
            else np.zeros(n, bool)
        grouped = _blank(measures, "group") != ""
        pooled = _blank(measures, "pool") != ""
        for i in rng.choice(n, size=max(1, n // 4), replace=False):
            if grouped[i] or pooled[i]:
                continue  # keeps actuals within groups and pools without checking them here
            year = int(rng.choice(years[: years.index(replan)]))
            units = potential[i] * rng.uniform(0.05, 0.2)
            rows.append({"measure": measures["id"][i], "year": year,
                         "units_added": f"{np.floor(units) if integer[i] else units:.3f}"})
        pd.DataFrame(rows, columns=["measure", "year", "units_added"]).to_csv(inputs / "actuals.csv", index=False)
        text = text.replace("discount_rate", f"replan_from = {replan}\ndiscount_rate", 1)

    measures.to_csv(inputs / "measures.csv", index=False)
    baseline.to_csv(inputs / "baseline.csv", index=False)
    pd.DataFrame(targets_rows, columns=["year", "pollutant", "kind", "value", "area"]).to_csv(
        inputs / "targets.csv", index=False)
    if extra:
        text = text.replace("[solver]", "".join(extra) + "\n[solver]", 1)
    spec.write_text(text, encoding="utf-8")
    return spec


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Add the v2 extensions to a generated instance.")
    parser.add_argument("spec")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--features", default=",".join(FEATURES))
    args = parser.parse_args(argv)
    add_v2(Path(args.spec), args.seed, tuple(f for f in args.features.split(",") if f))
    return 0


if __name__ == "__main__":
    sys.exit(main())

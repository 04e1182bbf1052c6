"""The benchmark instances with the v2 extensions (figures by year, energy value, pools, indicators,
a peak, areas with budgets, re-planning): planner end to end against bench/reference.py, in one run.

    python bench/v2_bench.py [--scales 100,1000] [--repeats 1] [--features measure_years,pools,areas]

Same timing as bench/run_bench.py (separate processes, median wall time, ratio planner / reference);
it prints one line per scale and the objectives of both, which must agree.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.generate_v2 import FEATURES, add_v2  # noqa: E402
from bench.run_bench import median, planner_run, reference_run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="100,1000")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--features", default=",".join(FEATURES))
    args = parser.parse_args()
    features = tuple(f for f in args.features.split(",") if f)
    work = Path(tempfile.mkdtemp(prefix="planner-v2-bench-"))
    for n in (int(s) for s in args.scales.split(",")):
        spec = add_v2(generate(n, work / f"n{n}", seed=args.seed, n_years=10), args.seed, features)
        walls, ref_walls = [], []
        for _ in range(args.repeats):
            wall, _, summary = planner_run(spec, work / f"out{n}")
            walls.append(wall)
            ref_wall, _, result = reference_run(spec)
            ref_walls.append(ref_wall)
        print(f"{n} measures x 10 years, {','.join(features)}: planner {median(walls):.2f} s "
              f"({summary['status']}, {summary['objective']}), reference {median(ref_walls):.2f} s "
              f"({result['status']}, {result['objective']}), ratio {median(walls) / median(ref_walls):.2f}",
              flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

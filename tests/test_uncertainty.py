"""Monte Carlo: uncertainty.csv validation, P(met) known in closed form, identical files across engines, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_csv, write_dataset
from planner.cli import main
from planner.errors import InputError
from planner.io.inputs import load_data
from planner.io.spec import load_spec
from planner.io.uncertainty_file import load_uncertainty
from planner.model.sampler import draw_sample, multiplier
from planner.pipeline.uncertainty import uncertainty

HEADER = ["applies_to", "quantity", "distribution", "low", "mode", "high", "group", "reason"]


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args), obj={})


def one_measure_case(folder: Path, rows: list[dict], potential: float = 10) -> Path:
    """One measure m0 (100 t CO2/yr per unit, capex 10, 10-yr life) and a binding 500 t reduction in 2023."""
    spec = write_dataset(folder, [{"id": "m0", "co2_t_per_yr": 100, "potential": potential}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 500}])
    write_csv(folder / "inputs" / "uncertainty.csv", rows, header=HEADER)
    return spec


def test_closed_form_p_met_single_uncertain_abatement(tmp_path):
    """Hand working. The central plan buys exactly 5 units (500 t / 100 t per unit): the target binds.

    With the abatement multiplied by k ~ U(0.9, 1.3), the fixed plan abates 500 k t, so it meets
    the target iff k >= 1: P(met) = (1.3 - 1) / (1.3 - 0.9) = 0.75. Its shortfall is 500 (1 - k)
    when k < 1, so the shortfall's 90th percentile s solves P(short > s) = P(k < 1 - s/500) =
    (0.1 - s/500) / 0.4 = 0.1, s = 30 t; the 95th: (0.1 - s/500)/0.4 = 0.05, s = 40 t.
    Re-optimised, the plan buys 5/k units (at most 5.56 <= potential 10): always met, P = 1, and
    its cost is the central cost / k (cost is linear in units, the abatement per unit scales by k).
    """
    spec = one_measure_case(tmp_path, [{"applies_to": "m0", "quantity": "co2", "distribution": "uniform",
                                         "low": 0.9, "high": 1.3, "reason": "test"}])
    outcome = uncertainty(spec, samples=400, seed=3)
    samples, targets = outcome.samples, outcome.targets
    k = samples["x:m0:co2"].to_numpy()
    assert ((k >= 0.9) & (k <= 1.3)).all()
    label = "co2_reduction_2023"
    # Per sample, exactly: met iff k >= 1, shortfall 500 (1 - k)^+, re-optimised cost = central / k.
    assert (samples[f"met_fixed:{label}"].to_numpy() == (k >= 1 - 1e-9)).all()
    np.testing.assert_allclose(samples[f"shortfall_fixed_t:{label}"], np.maximum(0, 500 * (1 - k)), atol=1e-6)
    central = outcome.central.objective_wan_yuan
    np.testing.assert_allclose(samples["cost_reoptimised_wan_yuan"], central / k, rtol=1e-6)
    row = targets.iloc[0]
    assert bool(row.binding_central)
    # 400 samples: the standard error of a share of 0.75 is 0.022; 3 standard errors allowed.
    assert row.p_met_fixed_plan == pytest.approx(0.75, abs=0.065)
    assert row.p_met_reoptimised == 1.0
    assert row.shortfall_fixed_p90 == pytest.approx(30, abs=8)
    assert row.shortfall_fixed_p95 == pytest.approx(40, abs=8)
    assert outcome.summary["complete"] is True


def test_draws_depend_only_on_seed_and_index(tmp_path):
    spec = one_measure_case(tmp_path, [
        {"applies_to": "m0", "quantity": "co2", "distribution": "triangular", "low": 0.5, "mode": 0.7, "high": 1.5},
        {"applies_to": "m0", "quantity": "capex", "distribution": "lognormal", "low": 0.8, "high": 1.25, "group": "g"},
        {"applies_to": "m0", "quantity": "opex", "distribution": "normal", "low": 0.8, "high": 1.2, "group": "g"},
    ])
    data = load_data(load_spec(spec))
    unc = load_uncertainty(data)
    a = draw_sample(unc, 7, 123).multipliers
    b = draw_sample(unc, 7, 123).multipliers
    assert (a == b).all()
    assert not (draw_sample(unc, 8, 123).multipliers == a).all()
    # Grouped rows share one quantile: lognormal and normal with the same u.
    z = np.log(a[1] / np.sqrt(0.8 * 1.25)) / (np.log(1.25 / 0.8) / 3.289707253902945)
    assert a[2] == pytest.approx(1.0 + z * 0.4 / 3.289707253902945)


def test_multiplier_percentiles():
    """normal and lognormal: low and high are the 5th and 95th percentiles; triangular mode and ends."""
    from planner.io.uncertainty_file import UncertainRow

    def row(dist, low, high, mode=float("nan")):
        return UncertainRow(2, "x", "capex", dist, low, mode, high, "", "")

    assert multiplier(row("normal", 0.8, 1.2), 0.05) == pytest.approx(0.8, abs=1e-6)
    assert multiplier(row("normal", 0.8, 1.2), 0.95) == pytest.approx(1.2, abs=1e-6)
    assert multiplier(row("lognormal", 0.5, 2.0), 0.5) == pytest.approx(1.0)
    assert multiplier(row("lognormal", 0.5, 2.0), 0.95) == pytest.approx(2.0, rel=1e-6)
    tri = row("triangular", 0.5, 1.5, 0.75)
    assert multiplier(tri, 0.0) == 0.5 and multiplier(tri, 1.0) == 1.5
    assert multiplier(tri, 0.25) == pytest.approx(0.75)  # P(X < mode) = (c-a)/(b-a) = 0.25
    assert multiplier(row("uniform", 0.9, 1.3), 0.75) == pytest.approx(1.2)


def test_specificity_measure_over_tag_over_sector_over_star(tmp_path):
    spec = write_dataset(tmp_path, [
        {"id": "pv", "sector": "energy", "tags": "solar", "co2_t_per_yr": 1},
        {"id": "pv2", "sector": "energy", "tags": "solar", "co2_t_per_yr": 1},
        {"id": "boiler", "sector": "energy", "co2_t_per_yr": 1},
        {"id": "bus", "sector": "transport", "co2_t_per_yr": 1},
    ], targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 1}])
    write_csv(tmp_path / "inputs" / "uncertainty.csv", [
        {"applies_to": "*", "quantity": "capex", "distribution": "uniform", "low": 1, "high": 2},
        {"applies_to": "sector:energy", "quantity": "capex", "distribution": "uniform", "low": 1, "high": 2},
        {"applies_to": "tag:solar", "quantity": "capex", "distribution": "uniform", "low": 1, "high": 2},
        {"applies_to": "pv", "quantity": "capex", "distribution": "uniform", "low": 1, "high": 2},
    ], header=HEADER)
    unc = load_uncertainty(load_data(load_spec(spec)))
    assert list(unc.measure_rows["capex"]) == [3, 2, 1, 0]  # pv: id; pv2: tag; boiler: sector; bus: *
    assert list(unc.measure_rows["opex"]) == [-1, -1, -1, -1]


BAD_ROWS = [
    ({"applies_to": "m0", "quantity": "capex", "distribution": "uniform", "low": -0.5, "high": 1.2},
     "line 2, low: must be a number >= 0"),
    ({"applies_to": "m0", "quantity": "capex", "distribution": "uniform", "low": 1.3, "high": 1.2},
     "line 2, low: low 1.3 is above high 1.2; swap them"),
    ({"applies_to": "m0", "quantity": "capex", "distribution": "triangular", "low": 0.8, "mode": 1.5, "high": 1.2},
     "line 2, mode: mode 1.5 lies outside low..high"),
    ({"applies_to": "m9", "quantity": "capex", "distribution": "uniform", "low": 0.8, "high": 1.2},
     "line 2, applies_to: unknown measure id 'm9'"),
    ({"applies_to": "tag:nope", "quantity": "capex", "distribution": "uniform", "low": 0.8, "high": 1.2},
     "unknown tag 'nope'"),
    ({"applies_to": "sector:space", "quantity": "capex", "distribution": "uniform", "low": 0.8, "high": 1.2},
     "unknown sector 'space'"),
    ({"applies_to": "bau:ozone", "quantity": "growth", "distribution": "uniform", "low": 0.8, "high": 1.2},
     "unknown series 'bau:ozone'"),
    ({"applies_to": "baseline:nope", "quantity": "growth", "distribution": "uniform", "low": 0.8, "high": 1.2},
     "unknown baseline column 'baseline:nope'"),
    ({"applies_to": "price:electricity", "quantity": "value", "distribution": "uniform", "low": 0.8, "high": 1.2},
     "unknown price 'price:electricity'"),
    ({"applies_to": "gdp", "quantity": "capex", "distribution": "uniform", "low": 0.8, "high": 1.2},
     "line 2, quantity: quantity 'capex' does not apply to 'gdp'; use one of growth"),
    ({"applies_to": "m0", "quantity": "capex", "distribution": "beta", "low": 0.8, "high": 1.2},
     "line 2, distribution: unknown distribution 'beta'"),
]


@pytest.mark.parametrize("row,message", BAD_ROWS)
def test_bad_uncertainty_rows_exit_3_and_write_nothing(tmp_path, row, message):
    spec = one_measure_case(tmp_path, [row])
    out = tmp_path / "out"
    result = run_cli("uncertainty", str(spec), "--samples", "5", "--out", str(out))
    assert result.exit_code == 3, result.output
    assert "uncertainty.csv has 1 problem" in result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_same_specificity_twice_is_an_error(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "a", "tags": "t1;t2", "co2_t_per_yr": 1}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 1}])
    write_csv(tmp_path / "inputs" / "uncertainty.csv", [
        {"applies_to": "tag:t1", "quantity": "capex", "distribution": "uniform", "low": 1, "high": 2},
        {"applies_to": "tag:t2", "quantity": "capex", "distribution": "uniform", "low": 1, "high": 2},
    ], header=HEADER)
    with pytest.raises(InputError, match=r"line 3, applies_to: a capex is already given by line 2 \(tag:t1\)"):
        load_uncertainty(load_data(load_spec(spec)))


@pytest.mark.parametrize("args,message", [
    (["--samples", "0"], "--samples 0"),
    (["--jobs", "0"], "--jobs 0"),
    (["--scheduler", "http://x"], "--scheduler 'http://x'"),
])
def test_bad_options_exit_2(tmp_path, args, message):
    spec = one_measure_case(tmp_path, [{"applies_to": "m0", "quantity": "co2", "distribution": "uniform",
                                         "low": 0.9, "high": 1.1}])
    out = tmp_path / "out"
    result = run_cli("uncertainty", str(spec), "--out", str(out), *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()


def test_missing_file_exit_3(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "m0", "co2_t_per_yr": 1}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 1}])
    result = run_cli("uncertainty", str(spec), "--samples", "3", "--out", str(tmp_path / "o"))
    assert result.exit_code == 3
    assert "uncertainty.csv" in result.output and "file not found" in result.output


def _multi_case(folder: Path) -> Path:
    """Three measures, an integer one, two targets, correlated rows and an uncertain BAU."""
    spec = write_dataset(folder, [
        {"id": "pv", "co2_t_per_yr": 100, "nox_t_per_yr": 0.1, "potential": 8, "max_add_per_yr": 3},
        {"id": "rail", "capex_wan_yuan": 5, "opex_wan_yuan_per_yr": 2, "co2_t_per_yr": 100, "nox_t_per_yr": 2,
         "potential": 20},
        {"id": "scr", "capex_wan_yuan": 40, "opex_wan_yuan_per_yr": 3, "nox_t_per_yr": 30, "integer": "true"},
    ], targets=[{"year": 2023, "pollutant": "co2", "kind": "cap", "value": 9000},
                {"year": 2022, "pollutant": "nox", "kind": "reduction", "value": 40}],
        baseline=[{"year": y, "gdp_yi_yuan": 100 + y - 2020, **{f"{p}_t": 10000 + 200 * (y - 2020) for p in
                   ("co2", "nox", "so2", "vocs", "pm", "cod", "nh3n")}} for y in range(2020, 2024)],
        budget=100, discount_rate=0.05)
    write_csv(folder / "inputs" / "uncertainty.csv", [
        {"applies_to": "*", "quantity": "capex", "distribution": "triangular", "low": 0.7, "mode": 1, "high": 1.5},
        {"applies_to": "pv", "quantity": "co2", "distribution": "normal", "low": 0.8, "high": 1.2, "group": "g"},
        {"applies_to": "rail", "quantity": "co2", "distribution": "normal", "low": 0.6, "high": 1.3, "group": "g"},
        {"applies_to": "scr", "quantity": "nox", "distribution": "uniform", "low": 0.7, "high": 1.2},
        {"applies_to": "bau:co2", "quantity": "growth", "distribution": "lognormal", "low": 0.8, "high": 1.25},
    ], header=HEADER)
    return spec


def test_identical_files_for_jobs_1_2_and_dask_local(tmp_path):
    spec = _multi_case(tmp_path / "case")
    outs = {}
    for name, args in {"serial": ["--jobs", "1"], "jobs2": ["--jobs", "2"],
                       "dask": ["--scheduler", "local", "--jobs", "2"]}.items():
        out = tmp_path / name
        result = subprocess.run([sys.executable, "-m", "planner", "uncertainty", str(spec), "--samples", "120",
                                 "--seed", "5", "--out", str(out), *args], capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stderr + result.stdout
        outs[name] = out
    for file in ("samples.csv", "targets.csv", "measures.csv"):
        reference = (outs["serial"] / file).read_bytes()
        assert (outs["jobs2"] / file).read_bytes() == reference, file
        assert (outs["dask"] / file).read_bytes() == reference, file
    summary = json.loads((outs["jobs2"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["workers"] == 2 and summary["engine"] == "processes" and summary["complete"]
    assert json.loads((outs["dask"] / "summary.json").read_text(encoding="utf-8"))["engine"] == "dask-local"
    samples = pd.read_csv(outs["serial"] / "samples.csv", encoding="utf-8-sig")
    assert len(samples) == 120 and list(samples["sample"]) == list(range(120))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_writes_finished_samples_and_exits_130(tmp_path, jobs):
    """Serial: every finished sample is kept (a prefix). Worker processes: every finished chunk."""
    spec = _multi_case(tmp_path / "case")
    out = tmp_path / "out"
    env = dict(os.environ, PLANNER_PROGRESS_EVERY_S="0")
    process = subprocess.Popen([sys.executable, "-m", "planner", "uncertainty", str(spec), "--samples", "200000",
                                "--jobs", jobs, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    deadline = time.time() + 120
    while time.time() < deadline:
        line = process.stderr.readline()
        if "samples," in line and not line.startswith("uncertainty: 0/"):
            break
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    assert process.returncode == 130
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is False
    samples = pd.read_csv(out / "samples.csv", encoding="utf-8-sig")
    assert 0 < len(samples) == summary["samples_done"] < 200000
    indices = list(samples["sample"])
    assert indices == sorted(set(indices))
    if jobs == "1":
        assert indices == list(range(len(samples)))
    else:
        # The spawned process returns whole chunks of 250 samples, this process its own one by one.
        assert samples.status.isin(["optimal", "elastic"]).all()


def test_default_data_set_uncertainty_file_is_valid_and_reasoned():
    from planner.io.paths import shipped_spec

    data = load_data(load_spec(shipped_spec()))
    unc = load_uncertainty(data)
    assert all(row.reason for row in unc.rows), "every range in the default uncertainty.csv states its reason"
    assert "bau:co2" in unc.series_rows and "gdp" in unc.series_rows


def test_uncertainty_columns_are_documented():
    from planner.io.uncertainty_file import UNCERTAINTY_COLUMNS

    text = (Path(__file__).resolve().parents[1] / "docs" / "inputs.md").read_text(encoding="utf-8")
    assert "`uncertainty.csv`" in text
    for column in UNCERTAINTY_COLUMNS:
        assert f"`{column.name}`" in text, column.name


def test_lost_worker_process_is_replaced_and_results_are_the_same(tmp_path):
    """Kill one worker process (SIGKILL) while the ensemble runs: its chunk runs again in a new pool and
    samples.csv equals the serial run's byte for byte. Each sample waits 20 ms in the workers
    (PLANNER_TEST_SAMPLE_DELAY_S), so on a fast machine the workers still have work when one is killed."""
    spec = _multi_case(tmp_path / "case")
    env = dict(os.environ, PLANNER_PROGRESS_EVERY_S="0", PLANNER_TEST_SAMPLE_DELAY_S="0.02")
    args = [sys.executable, "-m", "planner", "uncertainty", str(spec), "--samples", "300", "--seed", "2"]
    process = subprocess.Popen([*args, "--jobs", "2", "--out", str(tmp_path / "par")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    killed = None
    seen = []
    deadline = time.time() + 120
    while time.time() < deadline and killed is None and process.poll() is None:
        children = subprocess.run(["ps", "-ww", "-o", "pid=,args=", "--ppid", str(process.pid)], capture_output=True,
                                  text=True).stdout.splitlines()
        workers = [int(line.split()[0]) for line in children if "spawn_main" in line]
        seen.append(children)
        if len(workers) == 1:  # --jobs 2: this process and one spawned worker process
            time.sleep(1.0)  # let them start their chunks
            os.kill(workers[0], signal.SIGKILL)
            killed = workers[0]
        time.sleep(0.2)
    stdout, stderr = process.communicate(timeout=300)
    assert killed is not None, f"no worker process seen: {seen[-3:]}"
    assert process.returncode == 0
    serial = subprocess.run([*args, "--out", str(tmp_path / "ser")], capture_output=True, text=True, timeout=300)
    assert serial.returncode == 0, serial.stderr
    for file in ("samples.csv", "targets.csv", "measures.csv"):
        assert (tmp_path / "par" / file).read_bytes() == (tmp_path / "ser" / file).read_bytes(), file
    summary = json.loads((tmp_path / "par" / "summary.json").read_text(encoding="utf-8"))
    assert summary["retried_chunks"] >= 1 and summary["complete"]


def test_terminal_prints_p_met_robust_core_and_no_margin(tmp_path):
    """The one-measure case: the central plan binds (5 units for 500 t), so the terminal gives each
    target's P(met) as written in targets.csv, the robust core (m0: every re-optimised plan uses it) and
    says the least-cost plan has no margin."""
    spec = one_measure_case(tmp_path, [{"applies_to": "m0", "quantity": "co2", "distribution": "uniform",
                                         "low": 0.9, "high": 1.3}])
    out = tmp_path / "out"
    result = run_cli("uncertainty", str(spec), "--samples", "60", "--out", str(out))
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out / "targets.csv", encoding="utf-8-sig").iloc[0]
    assert "P(met) fixed plan" in result.output and "P(met) re-optimised" in result.output
    assert f"{100 * row.p_met_fixed_plan:.1f} %" in result.output and "100.0 %" in result.output
    assert "robust core (chosen in >= 90 % of re-optimised samples): m0" in result.output
    assert "co2_reduction_2023: the central plan meets it with no margin" in result.output
    assert "least-cost plan buys exactly what the target asks" in result.output


def test_progress_bar_on_a_terminal_and_plain_lines_otherwise():
    import io

    from planner.report.progress import progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    plain, terminal = io.StringIO(), Terminal()
    with progress(4, "uncertainty", stream=plain) as tick:
        for done in range(1, 5):
            tick(done)
    lines = plain.getvalue().splitlines()
    assert lines and lines[-1].startswith("uncertainty: 4/4 samples, ") and "/s, " in lines[-1] and "ETA" in lines[-1]
    with progress(4, "uncertainty", stream=terminal) as tick:
        for done in range(1, 5):
            tick(done)
    text = terminal.getvalue()
    assert "4/4" in text and "sample/s" in text and "\r" in text  # a tqdm bar redrawn in place


def test_process_engine_hands_out_and_splits_chunks_with_the_same_results(tmp_path):
    """3 workers (this process and 2 spawned), chunks of 5 samples: every sample is solved once, by
    whichever process, with the serial engine's result; this process's last chunk is split when the
    others run out of work."""
    from planner.pipeline.ensemble import EnsembleWorker, run_processes, run_serial
    from planner.pipeline.uncertainty import prepare

    spec = _multi_case(tmp_path / "case")
    payload = prepare(spec, None, None, 7)
    worker = EnsembleWorker(payload)
    indices = list(range(60))
    serial = run_serial(worker, indices, lambda done: None)
    ticks = []
    parallel = run_processes(payload, indices, 3, ticks.append, min_chunk=5, worker=worker)
    assert parallel.complete and sorted(parallel.results) == indices
    assert parallel.workers == 3 and ticks[-1] == 60 and ticks == sorted(ticks)
    for i in indices:
        a, b = serial.results[i], parallel.results[i]
        assert (a.status, a.cost_reoptimised_wan_yuan) == (b.status, b.cost_reoptimised_wan_yuan), i
        np.testing.assert_array_equal(a.shortfall_fixed_t, b.shortfall_fixed_t)


def test_ensemble_tables_write_solver_round_off_as_zero():
    """A robust plan equal to the central one has a premium of round-off size (-2.5e-14 % measured on
    the bench's timing file, 2026-12-02): robust.csv and the other ensemble tables write it as 0,
    as every result CSV does, while a real figure keeps its digits."""
    import pandas as pd

    from planner.pipeline.uncertainty import fixed_csv_bytes

    text = fixed_csv_bytes(pd.DataFrame({"premium_pct": [-2.5069443285760288e-14, -0.0, 1.5e-6]})).decode("utf-8-sig")
    assert text.splitlines() == ["premium_pct", "0", "0", "1.5e-06"]

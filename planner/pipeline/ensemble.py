"""Solve many samples of one model: a worker that builds once and re-solves, and the engines that run workers.

A worker receives the data (``EnsemblePayload``: validated data, uncertainty rows, seed, solver
settings), never a built model; it builds the elastic model once, loads it into HiGHS with
``threads = 1``, solves the central case, and then for every sample changes costs, coefficients
and bounds in HiGHS (``planner.solve.edits.ModelEditor``) and re-solves. Engines:

- ``serial``: in this process, one sample at a time (Ctrl-C keeps every finished sample);
- ``processes``: ``jobs`` workers, this process and ``jobs - 1`` spawned ones (whose start-up
  overlaps this process's first samples), chunks of at least ``MIN_CHUNK`` samples; a chunk whose
  process dies is run again in a new pool;
- ``dask``: a ``dask.distributed`` cluster (a LocalCluster, or an existing scheduler address);
  Dask re-runs the chunks of a lost worker elsewhere.

Results do not depend on the engine: sample i's draws depend only on (seed, i) and every solve
starts from the same solver state.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import pickle
import signal
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from planner.errors import PlannerError
from planner.io.inputs import PlanningData
from planner.io.spec import SolverSettings
from planner.io.uncertainty_file import UncertaintySpec
from planner.model.build import build_model
from planner.model.options import BuildOptions
from planner.model.price_caps import YUAN_PER_WAN_YUAN
from planner.model.sampler import SampleFigures, draw_sample, sample_figures
from planner.solve.edits import ModelEditor, use_one_thread
from planner.solve.session import SolverSession

# Each worker gets chunks of at least this many samples (fewer only when there are fewer samples) ...
MIN_CHUNK = 50
# ... and at most this many, so that Ctrl-C or a lost worker costs little finished work.
MAX_CHUNK = 250
# A target counts as met within this tolerance (as planner.analysis.tables.MET_REL_TOL).
MET_REL_TOL = 1e-6
# Dask settings of the workers of --scheduler local (see run_dask).
LOCAL_WORKER_CONFIG = {"distributed.admin.tick.interval": "1000ms", "distributed.worker.profile.enabled": False,
                       "distributed.admin.system-monitor.interval": "5000ms"}
# A chunk whose worker process died is tried this many more times.
CHUNK_RETRIES = 2


class CentralInfeasible(PlannerError):
    exit_code = 4


@dataclass(frozen=True)
class EnsemblePayload:
    """What a worker needs to build and solve: data, not a model."""

    data: PlanningData
    uncertainty: UncertaintySpec
    seed: int
    settings: SolverSettings

    def token(self) -> str:
        return hashlib.sha256(pickle.dumps((sorted(self.data.input_sha256.items()), self.data.spec.scenario,
                                            self.uncertainty.sha256, self.seed, self.settings))).hexdigest()[:16]


@dataclass
class SampleResult:
    """One sample: its multipliers, the central plan evaluated (a), and the re-optimised plan (b)."""

    index: int
    multipliers: np.ndarray
    clipped: int
    status: str  # optimal | elastic | time_limit | error
    cost_reoptimised_wan_yuan: float
    cost_fixed_plan_wan_yuan: float
    shortfall_fixed_t: np.ndarray  # per target
    shortfall_reoptimised_t: np.ndarray  # per target (0 where the strict problem was feasible)
    deployment_shortfall_units: float
    units_added_total: np.ndarray  # per measure, over the horizon; NaN without a solution
    solve_s: float

    def met_fixed(self, required: np.ndarray) -> np.ndarray:
        return self.shortfall_fixed_t <= MET_REL_TOL * np.maximum(1.0, np.abs(required))

    def met_reoptimised(self, required: np.ndarray) -> np.ndarray:
        if self.status not in ("optimal", "elastic", "time_limit") or not np.isfinite(self.cost_reoptimised_wan_yuan):
            return np.zeros(len(required), dtype=bool)
        return self.shortfall_reoptimised_t <= MET_REL_TOL * np.maximum(1.0, np.abs(required))


@dataclass
class Central:
    objective_wan_yuan: float
    units_added: np.ndarray  # (measures, years)
    units_active: np.ndarray
    x: np.ndarray  # every column's value
    required_abatement_t: np.ndarray
    achieved_abatement_t: np.ndarray


class EnsembleWorker:
    """The model built once (elastic, run strict by bounds), its HiGHS session and the central plan."""

    def __init__(self, payload: EnsemblePayload):
        tic = time.perf_counter()
        self.payload = payload
        data = payload.data
        spec = data.spec
        self.planning = build_model(data, BuildOptions.from_spec(spec, elastic=True), defer_pyomo=True)
        self.session = SolverSession(self.planning, payload.settings)
        use_one_thread(self.session)
        self.editor = ModelEditor(self.session)
        self.caps = self.planning.price_caps  # elastic price caps, 元 per t (targets) and per unit (deployment)
        self.time_limit_s = float(payload.settings.time_limit_s)
        self.editor.strict(True)
        self.editor.restart(self.time_limit_s)
        solution = self.session.solve()
        if solution.status != "optimal":
            raise CentralInfeasible(
                f"the central model is {solution.status}: the analysis needs a plan that meets every target with the "
                "central figures. Run `planner run` on it for a diagnosis")
        self.editor.remember_basis()
        self.central_solution = solution
        x = self.solution_x()
        self.central_figures = sample_figures(data, payload.uncertainty, None)
        self.central = Central(solution.objective_wan_yuan, solution.units_added, solution.units_active, x,
                               self.central_figures.required_abatement_t, self.abatement(self.central_figures, x))
        self.setup_s = time.perf_counter() - tic

    def solution_x(self) -> np.ndarray:
        """Every column's value in HiGHS's current solution."""
        return np.asarray(self.session.highs.getSolution().col_value, dtype=float)

    def abatement(self, figures: SampleFigures, x: np.ndarray) -> np.ndarray:
        """A_k = sum_{m,tau} e'_{m,s_k,t_k} x_{m,tau} of a plan under the sample's figures, per target row."""
        return self.editor.target_activity(figures, x)

    def shortfall(self, figures: SampleFigures, x: np.ndarray) -> np.ndarray:
        """max(0, R'_k - A_k) per target (rows that are not enforced count 0)."""
        lower = self.editor.target_lower(figures)
        short = lower - self.abatement(figures, x)
        return np.where(np.isfinite(lower), np.maximum(0.0, short), 0.0)

    def plan_cost(self, figures: SampleFigures, x: np.ndarray) -> float:
        """c' . x + offset: the objective of a fixed plan at the figures (no shortfall in a strict plan)."""
        editor = self.editor
        return float(editor.x_cost(figures) @ x[editor.x_columns] + self.session.compiled.offset)

    def figures(self, index: int) -> tuple[SampleFigures, "object"]:
        draw = draw_sample(self.payload.uncertainty, self.payload.seed, index)
        return sample_figures(self.payload.data, self.payload.uncertainty, draw), draw

    def solve_figures(self, figures: SampleFigures):
        """Re-solve strict with these figures; elastic when strict is infeasible. (status, solution)."""
        editor = self.editor
        editor.apply(figures)
        editor.restart(self.time_limit_s)
        solution = self.session.solve()
        status = solution.status
        if status in ("infeasible", "unbounded"):
            editor.strict(False)
            editor.restart(self.time_limit_s)
            solution = self.session.solve()
            editor.strict(True)
            status = "elastic" if solution.status == "optimal" else solution.status
        return status, solution

    def run_sample(self, index: int) -> SampleResult:
        tic = time.perf_counter()
        figures, draw = self.figures(index)
        central = self.central
        shortfall_fixed = self.shortfall(figures, central.x)
        status, solution = self.solve_figures(figures)
        n_targets = len(figures.required_abatement_t)
        if solution.units_added is not None:
            target_short = (solution.target_shortfall_t if solution.target_shortfall_t is not None
                            else np.zeros(n_targets))
            deploy = (solution.deployment_shortfall_units if solution.deployment_shortfall_units is not None
                      else np.zeros(len(self.caps.deployment_yuan_per_unit)))
            deploy_short = float(deploy.sum())
            # cost = objective - sum_k cap_k s_k (caps in 元, objective in 万元), as in planner run's summary.
            penalty = (float(self.caps.target_yuan_per_t @ target_short)
                       + float(self.caps.deployment_yuan_per_unit @ deploy)) / YUAN_PER_WAN_YUAN
            cost = float(solution.objective_wan_yuan) - penalty
            units = solution.units_added.sum(axis=1)
        else:
            status = "error" if status not in ("time_limit",) else status
            target_short = np.full(n_targets, np.nan)
            deploy_short, cost = math.nan, math.nan
            units = np.full(len(self.payload.data.measures), np.nan)
        return SampleResult(index, draw.multipliers, draw.clipped, status, cost,
                            self.plan_cost(figures, central.x), shortfall_fixed,
                            np.asarray(target_short, dtype=float), deploy_short, units, time.perf_counter() - tic)

    def run_chunk(self, indices: list[int]) -> list[SampleResult]:
        results = []
        for i in indices:
            results.append(self.run_sample(i))
            if _TEST_SAMPLE_DELAY_S:
                time.sleep(_TEST_SAMPLE_DELAY_S)
        return results


# --- engines -------------------------------------------------------------------------------------

_WORKERS: dict[str, EnsembleWorker] = {}
# Tests only: seconds to wait after each sample, so a worker can be killed while it still has work.
_TEST_SAMPLE_DELAY_S = float(os.environ.get("PLANNER_TEST_SAMPLE_DELAY_S", "0") or 0)


def worker_for(payload: EnsemblePayload) -> EnsembleWorker:
    """This process's worker for the payload, built on first use (Dask workers keep it between tasks)."""
    token = payload.token()
    if token not in _WORKERS:
        _WORKERS.clear()
        _WORKERS[token] = EnsembleWorker(payload)
    return _WORKERS[token]


def _init_process(payload: EnsemblePayload) -> None:
    # Ctrl-C reaches the whole process group; the parent decides what to do (it stops the workers).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_for(payload)


def _process_chunk(payload: EnsemblePayload, indices: list[int]) -> list[SampleResult]:
    return worker_for(payload).run_chunk(indices)


def chunks(indices: list[int], workers: int, min_chunk: int = MIN_CHUNK) -> list[list[int]]:
    """Consecutive chunks of ``min_chunk`` to MAX_CHUNK samples, about four per worker."""
    if not indices:
        return []
    size = max(min_chunk, min(MAX_CHUNK, math.ceil(len(indices) / max(1, 4 * workers))))
    return [indices[i:i + size] for i in range(0, len(indices), size)]


@dataclass
class EnsembleRun:
    results: dict[int, SampleResult] = field(default_factory=dict)
    complete: bool = True
    engine: str = "serial"
    workers: int = 1
    chunk_size: int = 0
    startup_s: float = 0.0
    retried_chunks: int = 0


Tick = Callable[[int], None]


def run_serial(worker: EnsembleWorker, indices: list[int], tick: Tick) -> EnsembleRun:
    out = EnsembleRun(engine="serial", workers=1, chunk_size=len(indices))
    try:
        for i in indices:
            out.results[i] = worker.run_sample(i)
            tick(len(out.results))
    except KeyboardInterrupt:
        out.complete = False
    return out


def _stop_processes(pool: ProcessPoolExecutor) -> None:
    """End a pool's worker processes now (they ignore SIGINT)."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def run_processes(payload: EnsemblePayload, indices: list[int], jobs: int, tick: Tick,
                  min_chunk: int = MIN_CHUNK, worker: EnsembleWorker | None = None) -> EnsembleRun:
    """``jobs`` workers: this process (its ``worker``, already built) and ``jobs - 1`` spawned processes.

    This process solves samples itself while the others start, import and build (about 1.5 s each,
    measured), so their start-up overlaps useful work instead of delaying it. Chunks go to the
    spawned processes two at a time each; this process takes the last pending chunk and solves it one
    sample at a time, collecting finished chunks between samples; when nothing is left to hand out, an
    idle process gets the back half of this process's chunk (if both halves keep ``min_chunk``
    samples). A chunk whose process died runs again in a new pool (CHUNK_RETRIES times at most)."""
    if worker is None:
        worker = worker_for(payload)
    parts = chunks(indices, jobs, min_chunk)
    out = EnsembleRun(engine="processes", workers=jobs, chunk_size=len(parts[0]) if parts else 0)
    pending: deque[list[int]] = deque(parts)
    context = multiprocessing.get_context("spawn")  # a forked child inherits HiGHS's threads unusable
    children = jobs - 1
    pool: ProcessPoolExecutor | None = None
    in_flight: dict = {}
    own: list[int] = []
    attempts = 0

    def new_pool() -> ProcessPoolExecutor:
        tic = time.perf_counter()
        made = ProcessPoolExecutor(max_workers=children, mp_context=context, initializer=_init_process,
                                   initargs=(payload,))
        out.startup_s += time.perf_counter() - tic
        return made

    def collect(timeout: float | None) -> None:
        nonlocal pool, attempts
        if not in_flight:
            return
        done, _ = wait(list(in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        lost = []
        for future in done:
            part = in_flight.pop(future)
            try:
                for result in future.result():
                    out.results[result.index] = result
            except BrokenProcessPool:
                lost.append(part)
                continue
            tick(len(out.results))
        if lost:
            # Every chunk of a broken pool fails: run them all again in a new pool.
            lost += list(in_flight.values())
            in_flight.clear()
            attempts += 1
            out.retried_chunks += len(lost)
            if attempts > CHUNK_RETRIES:
                raise PlannerError(f"worker processes died {attempts} times on samples {lost[0][0]}..; "
                                                   "see the system log (memory?)")
            pool.shutdown(wait=False, cancel_futures=True)
            pool = new_pool()
            pending.extendleft(reversed(sorted(lost)))

    try:
        if children and len(pending) > 1:
            pool = new_pool()
        else:
            out.workers = 1  # one chunk: not worth starting a process
        while pending or in_flight or own:
            while pool is not None and len(in_flight) < children:
                if pending and (len(pending) > 1 or own):
                    part = pending.popleft()
                elif not pending and len(own) >= 2 * min_chunk:
                    # Nothing left to hand out: the idle process takes the back half of this one's chunk.
                    half = len(own) // 2
                    part, own = own[half:], own[:half]
                else:
                    break
                in_flight[pool.submit(_process_chunk, payload, part)] = part
            if not own and pending:
                own = list(pending.pop())
            if own:
                i = own.pop(0)
                out.results[i] = worker.run_sample(i)
                if _TEST_SAMPLE_DELAY_S:
                    time.sleep(_TEST_SAMPLE_DELAY_S)
                tick(len(out.results))
                collect(0)
            else:
                collect(None)
    except KeyboardInterrupt:
        out.complete = False
        if pool is not None:
            _stop_processes(pool)
        return out
    if pool is not None:
        pool.shutdown(wait=True)
    return out


def run_dask(payload: EnsemblePayload, indices: list[int], scheduler: str, jobs: int, tick: Tick,
             min_chunk: int = MIN_CHUNK) -> EnsembleRun:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise PlannerError("--scheduler needs Dask: pip install 'planner[dask]'") from None
    tic = time.perf_counter()
    cluster = None
    if scheduler == "local":
        # The workers' event loops wake less often: the blocked-loop check every 1 s instead of 20 ms, the
        # statistical profiler off, system metrics every 5 s (these feed only the dashboard, which is off).
        # Each wake-up takes the GIL from the thread that runs the samples: measured on 600 samples of
        # the default model, 22.3-24.7 s instead of 23.5-25.3 s. A cluster of --scheduler tcp://... keeps
        # its own settings.
        import dask

        with dask.config.set(LOCAL_WORKER_CONFIG):
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=40)
        client = Client(cluster)
        workers = jobs
    else:
        try:
            client = Client(scheduler, timeout=30)
        except (OSError, TimeoutError) as exc:
            raise PlannerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        workers = max(1, len(client.scheduler_info().get("workers", {})))
    startup = time.perf_counter() - tic
    parts = chunks(indices, workers, min_chunk)
    out = EnsembleRun(engine="dask-local" if cluster is not None else f"dask {scheduler}", workers=workers,
                      chunk_size=len(parts[0]) if parts else 0, startup_s=startup)
    try:
        shared = client.scatter(payload, broadcast=True)
        futures = client.map(_process_chunk, [shared] * len(parts), parts, pure=False)
        for future in as_completed(futures):
            for result in future.result():
                out.results[result.index] = result
            tick(len(out.results))
    except KeyboardInterrupt:
        out.complete = False
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return out

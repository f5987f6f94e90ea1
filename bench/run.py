"""Run the benchmark: start the server, measure every client, write results.md and results.png.

    python bench/run.py            # everything; bench/run.sh prepares bench/.venv and calls this
    python bench/run.py --smoke    # ours and the floors, N=20, one round, one pull of each
                                   # path; for CI, in .venv

Each measurement is a fresh worker process (bench/worker.py) pinned to CPU 0, while the server
(bench/server.py) runs pinned to CPU 1, so neither steals the other's core. Rounds are
interleaved — every client once, then again — so that a slow minute on a shared machine lands
on all clients alike, and ratios are taken within a round before the median across rounds.

Each round also runs the per-call rows' cancel storm and, in the first rounds, the "pull 32
quotes" row (bench/pulls.py): every client takes a book of 32 open orders to a confirmed flat
book by each path it offers, on the server with a 5 ms round trip. A peer's path that fails is
reported with its code and message; a path of ours that fails fails the run.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from clients import API_KEY, CLIENTS, SECRET, AsyncClient, SyncClient
from pulls import PULL_SIZE, PULLERS, AsyncPuller
from report import ImportTime, Pull, Run, Storm, write_plot, write_report

BENCH: Final = Path(__file__).resolve().parent
IN_FLIGHT: Final = (1, 32, 128)
STORM_SIZE: Final = 32  # cancels issued at once
STORMS: Final = 20  # timed storms per measurement
STORM_DELAY_MS: Final = 5.0  # the storm server's simulated round trip
WORKER_SECONDS: Final = 90.0  # one measurement never runs longer
SERVER_SECONDS: Final = 3600.0  # nor does a forgotten server
IMPORT_REPEATS: Final = 15
PULLS: Final = 3  # timed pulls of each path per measurement (bench/pulls.py)
# The pull row runs in the first rounds only: each round of it costs ~20 s of worker start-ups
# and 5 ms round trips, and make bench stays near 15 minutes.
PULL_ROUNDS: Final = 3


@dataclass(frozen=True)
class ImportCase:
    label: str
    statement: str
    group: str
    distribution: str


IMPORTS: Final = (
    ImportCase("httpx", "import httpx", "floor", "httpx"),
    ImportCase(
        "binance_coinm_futures",
        "import binance_coinm_futures",
        "ours",
        "binance-coinm-futures",
    ),
    ImportCase(
        "ours, as the quick start imports it",
        "import binance_coinm_futures.api.trade.cancel_order, binance_coinm_futures",
        "ours",
        "binance-coinm-futures",
    ),
    ImportCase("aiohttp", "import aiohttp", "floor", "aiohttp"),
    ImportCase("python-binance", "from binance import Client", "peer", "python-binance"),
    ImportCase(
        "binance-futures-connector",
        "from binance.cm_futures import CMFutures",
        "peer",
        "binance-futures-connector",
    ),
    ImportCase("ccxt", "import ccxt", "peer", "ccxt"),
    ImportCase("ccxt.async_support", "import ccxt.async_support", "peer", "ccxt"),
    ImportCase(
        "official SDK",
        "from binance_sdk_derivatives_trading_coin_futures import DerivativesTradingCoinFutures",
        "peer",
        "binance-sdk-derivatives-trading-coin-futures",
    ),
)
ISOLATED: Final = frozenset({"binance-futures-connector"})


def isolated_dir(distribution: str) -> Path:
    """Where run.sh installs a distribution that must not share site-packages (see run.sh)."""
    return Path(sys.prefix) / "isolated" / distribution


def environment(distribution: str) -> dict[str, str]:
    env = dict(os.environ)
    # Bytecode caches as an installed package has them; without, imports compile every time.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if distribution in ISOLATED:
        env["PYTHONPATH"] = str(isolated_dir(distribution))
    return env


@contextmanager
def bench_server(cpu: int | None, delay_ms: float = 0.0) -> Iterator[str]:
    command = [sys.executable, str(BENCH / "server.py"), "--api-key", API_KEY, "--secret", SECRET]
    command += ["--max-seconds", str(SERVER_SECONDS), "--delay-ms", str(delay_ms)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline().strip()
        if not line.startswith("BENCH_SERVER_URL="):
            raise RuntimeError(f"the bench server did not start: {line!r}")
        yield line.removeprefix("BENCH_SERVER_URL=")
    finally:
        server.terminate()
        server.wait(timeout=10)


def measure(name: str, url: str, calls: int, in_flight: int, cpu: int | None) -> dict[str, Any]:
    client = CLIENTS[name]
    command = [sys.executable, str(BENCH / "worker.py"), name, "--url", url]
    command += ["--calls", str(calls), "--in-flight", str(in_flight)]
    command += ["--max-seconds", str(WORKER_SECONDS)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    env = environment(client.distribution if client.isolated else "")
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=WORKER_SECONDS + 60
        )
    except subprocess.TimeoutExpired:
        return _crashed(name, in_flight, "the worker did not finish in time")
    if done.returncode != 0 or not done.stdout.strip():
        return _crashed(name, in_flight, done.stderr.strip().splitlines()[-1:] or ["no output"])
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure_storm(name: str, url: str, size: int, storms: int, cpu: int | None) -> Storm:
    command = [sys.executable, str(BENCH / "worker.py"), name, "--url", url]
    command += ["--storm", str(size), "--storms", str(storms)]
    command += ["--max-seconds", str(WORKER_SECONDS)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    client = CLIENTS[name]
    env = environment(client.distribution if client.isolated else "")
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=WORKER_SECONDS + 60
        )
    except subprocess.TimeoutExpired:
        return Storm(client=name, group=client.group, size=size, crashed="did not finish in time")
    if done.returncode != 0 or not done.stdout.strip():
        why = " ".join(done.stderr.strip().splitlines()[-1:]) or "no output"
        return Storm(client=name, group=client.group, size=size, crashed=why)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result.pop("kind", None)
    return Storm(group=client.group, **result)


def measure_pull(name: str, url: str, size: int, pulls: int, cpu: int | None) -> list[Pull]:
    """One worker's pulls of ``size`` open orders: one Pull per path the client offers."""
    command = [sys.executable, str(BENCH / "worker.py"), name, "--url", url]
    command += ["--pull", str(size), "--pulls", str(pulls)]
    command += ["--max-seconds", str(WORKER_SECONDS)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    puller = PULLERS[name]
    asynchronous = isinstance(puller, AsyncPuller)
    env = environment(puller.distribution if puller.isolated else "")
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=WORKER_SECONDS + 60
        )
    except subprocess.TimeoutExpired:
        why = "did not finish in time"
        return [Pull(name, puller.group, "", asynchronous, crashed=why)]
    if done.returncode != 0 or not done.stdout.strip():
        why = " ".join(done.stderr.strip().splitlines()[-1:]) or "no output"
        return [Pull(name, puller.group, "", asynchronous, crashed=why)]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        Pull(name, puller.group, path, asynchronous, size=result["size"], **fields)
        for path, fields in result["paths"].items()
    ]


def _crashed(name: str, in_flight: int, why: str | list[str]) -> dict[str, Any]:
    reason = why if isinstance(why, str) else " ".join(why)
    return {"client": name, "in_flight": in_flight, "calls": 0, "crashed": reason}


def import_times(cases: Sequence[ImportCase], cpu: int | None) -> list[ImportTime]:
    """Median seconds each import statement takes in a fresh interpreter.

    The repeats go round the cases, so a busy moment on the machine hits all of them alike.
    """
    pin = f"import os; os.sched_setaffinity(0, {{{cpu}}}); " if cpu is not None else ""
    samples: dict[str, list[float]] = {c.label: [] for c in cases}
    for attempt in range(IMPORT_REPEATS + 1):
        for case in cases:
            script = f"{pin}import time; t = time.perf_counter(); {case.statement}; "
            script += "print(time.perf_counter() - t)"
            done = subprocess.run(
                [sys.executable, "-c", script],
                capture_output=True,
                text=True,
                env=environment(case.distribution),
                check=True,
                timeout=120,
            )
            if attempt:  # the first round writes the bytecode caches
                samples[case.label].append(float(done.stdout))
    return [ImportTime(c.label, c.group, statistics.median(samples[c.label])) for c in cases]


def commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, cwd=BENCH.parent, check=False
        )
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{head} with uncommitted changes" if git("status", "--porcelain") else head


def installed(distribution: str) -> bool:
    try:
        importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def configurations(names: Sequence[str]) -> list[tuple[str, int]]:
    runs = []
    for name in names:
        levels = (0,) if isinstance(CLIENTS[name], SyncClient) else IN_FLIGHT
        runs += [(name, level) for level in levels]
    return runs


def versions(distributions: set[str]) -> dict[str, str]:
    script = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for d in sys.argv[1:]:\n"
        "    try: out[d] = m.version(d)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    found: dict[str, str] = {}
    for distribution in sorted(distributions):
        done = subprocess.run(
            [sys.executable, "-c", script, distribution],
            capture_output=True,
            text=True,
            env=environment(distribution),
            check=True,
        )
        found.update(json.loads(done.stdout))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="ours and the floors, N=20, CI")
    parser.add_argument("--calls", type=int, help="calls per measurement (N)")
    parser.add_argument("--rounds", type=int, help="interleaved repetitions")
    parser.add_argument("--out", type=Path, help="where results.md and results.png go")
    args = parser.parse_args()
    calls = args.calls or (20 if args.smoke else 1000)
    rounds = args.rounds or (1 if args.smoke else 5)
    out = args.out or (Path(tempfile.mkdtemp(prefix="bench-smoke-")) if args.smoke else BENCH)
    groups = {"ours", "floor"} if args.smoke else {"ours", "floor", "peer"}
    # Smoke measures what the main .venv has and names what it has not (peers live in
    # bench/.venv only). A full
    # run measures everything, so a peer that will not run shows up as a failure.
    wanted = [n for n, c in CLIENTS.items() if c.group in groups]
    names = [n for n in wanted if not args.smoke or installed(CLIENTS[n].distribution)]
    skipped = sorted(set(wanted) - set(names))
    cases = [c for c in IMPORTS if c.group in groups]
    cases = [c for c in cases if not args.smoke or installed(c.distribution)]
    two_cpus = len(os.sched_getaffinity(0)) >= 2
    client_cpu, server_cpu = (0, 1) if two_cpus else (None, None)

    started = time.monotonic()
    runs: list[Run] = []
    storms: list[Storm] = []
    storm_size = min(STORM_SIZE, calls)  # smoke: a storm of N
    storm_count = 1 if args.smoke else STORMS
    stormers = [n for n in names if isinstance(CLIENTS[n], AsyncClient)]
    pull_count = 1 if args.smoke else PULLS
    pullers = [
        n
        for n, p in PULLERS.items()
        if p.group in groups and (not args.smoke or installed(p.distribution))
    ]
    skipped += sorted(
        f"{n} (pull)" for n, p in PULLERS.items() if p.group in groups and n not in pullers
    )
    pulls: list[Pull] = []
    with bench_server(server_cpu) as url, bench_server(server_cpu, STORM_DELAY_MS) as slow_url:
        plan = configurations(names)
        for round_index in range(rounds):
            # Rotate the order too, so no client always follows the same neighbour.
            shift = round_index * len(plan) // max(rounds, 1)
            for name, in_flight in plan[shift:] + plan[:shift]:
                result = measure(name, url, calls, in_flight, client_cpu)
                runs.append(Run(round=round_index, **_run_fields(result)))
                print(_progress(runs[-1]), file=sys.stderr, flush=True)
            shift = round_index * len(stormers) // max(rounds, 1)
            for name in stormers[shift:] + stormers[:shift]:
                storm = measure_storm(name, slow_url, storm_size, storm_count, client_cpu)
                storms.append(replace(storm, round=round_index))
                print(_storm_progress(storms[-1]), file=sys.stderr, flush=True)
            pull_rounds = min(rounds, PULL_ROUNDS)
            shift = round_index * len(pullers) // pull_rounds
            pulled = pullers[shift:] + pullers[:shift] if round_index < pull_rounds else []
            for name in pulled:
                for pull in measure_pull(name, slow_url, PULL_SIZE, pull_count, client_cpu):
                    pulls.append(replace(pull, round=round_index))
                    print(_pull_progress(pulls[-1]), file=sys.stderr, flush=True)
        profile = _profile(url, max(calls, 200), client_cpu)
    imports = import_times(cases, client_cpu)
    distributions = {c.distribution for c in CLIENTS.values()}
    distributions |= {"httpx", "httpcore", "aiohttp", "yarl"}
    meta = {
        "calls": calls,
        "rounds": rounds,
        "smoke": args.smoke,
        "seconds": time.monotonic() - started,
        "pinned": two_cpus,
        "skipped": skipped,
        "versions": versions(distributions),
        "commit": commit(),
        "import_repeats": IMPORT_REPEATS,
        "rate_limited_calls": max(c.max_calls or 0 for c in CLIENTS.values()),
        "storm_delay_ms": STORM_DELAY_MS,
        "pulls": pull_count,
        "pull_rounds": min(rounds, PULL_ROUNDS),
    }
    out.mkdir(parents=True, exist_ok=True)
    report = write_report(out / "results.md", runs, storms, imports, profile, meta, pulls)
    if not args.smoke or _has_matplotlib():
        write_plot(out / "results.png", runs, storms, imports, pulls)
    print(report if args.smoke else f"wrote {out / 'results.md'} and {out / 'results.png'}")
    broken = [r for r in runs if r.group in {"ours", "floor"} and not r.verified]
    for run in broken:
        print(f"FAILED: {run.client} ({run.in_flight} in flight): {run.problem}", file=sys.stderr)
    broken_storms = [s for s in storms if s.group in {"ours", "floor"} and not s.verified]
    for storm in broken_storms:
        print(f"FAILED: {storm.client} (storm): {storm.problem}", file=sys.stderr)
    broken_pulls = [p for p in pulls if p.group in {"ours", "floor"} and not p.verified]
    for pull in broken_pulls:
        print(f"FAILED: {pull.client} (pull, {pull.path}): {pull.problem}", file=sys.stderr)
    return 1 if broken or broken_storms or broken_pulls else 0


def _run_fields(result: dict[str, Any]) -> dict[str, Any]:
    client = CLIENTS[result["client"]]
    return {**result, "group": client.group}


def _progress(run: Run) -> str:
    level = f"{run.in_flight:>2} in flight" if run.in_flight else "sync       "
    status = "ok" if run.verified else f"PROBLEM: {run.problem}"
    return (
        f"round {run.round + 1} {run.client:<38} {level} {run.cpu_us_per_call:8.0f} µs CPU/call "
        f"{run.calls_per_s:7.0f} calls/s  {status}"
    )


def _storm_progress(storm: Storm) -> str:
    status = "ok" if storm.verified else f"PROBLEM: {storm.problem}"
    return (
        f"round {storm.round + 1} {storm.client:<38} storm of {storm.size} "
        f"{storm.wall_ms_median:8.1f} ms to the last answer  {status}"
    )


def _pull_progress(pull: Pull) -> str:
    status = "ok" if pull.verified else f"PROBLEM: {pull.problem}"
    return (
        f"round {pull.round + 1} {pull.client:<38} pull {pull.size}, {pull.path:<12} "
        f"{pull.wall_ms_median:8.1f} ms to a confirmed flat book  {status}"
    )


def _profile(url: str, calls: int, cpu: int | None) -> dict[str, list[dict[str, Any]]]:
    command = [sys.executable, str(BENCH / "profile_sync.py"), "--url", url]
    command += ["--calls", str(calls)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    profile: dict[str, list[dict[str, Any]]] = json.loads(done.stdout)
    return profile


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())

"""results.md and results.png from the measurements of one run of bench/run.py."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pulls import PATH_TITLES as PULL_TITLES
from pulls import PATHS as PULL_PATHS

FLOOR_SYNC: Final = "httpx + hmac by hand"
PLAIN_SYNC: Final = "httpx + hmac, client.delete(url)"
FLOOR_ASYNC: Final = "aiohttp + hmac by hand"
HTTPX_ON_OUR_BACKEND: Final = "httpx async + hmac by hand, on our aiohttp backend"
OURS_SYNC: Final = "ours"
OURS_ASYNC: Final = (
    "ours async, asyncio backend (default)",
    "ours async, aiohttp backend",
    "ours async, httpx backend",
)
IMPORT_OURS: Final = "binance_coinm_futures"
IMPORT_QUICK_START: Final = "ours, as the quick start imports it"
IMPORT_FLOOR: Final = "httpx"
TARGET_SYNC_VS_FLOOR: Final = 1.0
TARGET_IMPORT_VS_HTTPX: Final = 1.3
BUSY_LEVEL: Final = 32
BUSY_LEVELS: Final = (32, 128)


@dataclass(frozen=True)
class Run:
    """One worker's measurement of one client at one concurrency in one round."""

    round: int
    client: str
    group: str
    in_flight: int  # 0: the sync API
    calls: int
    failures: int = 0
    first_failure: str = ""
    server_accepted: int = 0
    cpu_us_per_call: float = 0.0
    calls_per_s: float = 0.0
    latency_median_us: float = 0.0
    latency_p90_us: float = 0.0
    crashed: str = ""

    @property
    def verified(self) -> bool:
        """Every call answered as asked, and the server verified exactly that many cancels."""
        return (
            not self.crashed
            and self.calls > 0
            and self.failures == 0
            and self.server_accepted == self.calls
        )

    @property
    def problem(self) -> str:
        if self.crashed:
            return f"crashed: {self.crashed}"
        if self.failures:
            return f"{self.failures} of {self.calls} calls failed, first: {self.first_failure}"
        if self.server_accepted != self.calls:
            return f"the server verified {self.server_accepted} of {self.calls} calls"
        return ""


@dataclass(frozen=True)
class Storm:
    """One worker's cancel storms: `storms` times, `size` cancels at once, timed to the last."""

    client: str
    group: str
    size: int
    round: int = 0
    storms: int = 0
    calls: int = 0
    failures: int = 0
    first_failure: str = ""
    server_accepted: int = 0
    cpu_us_per_call: float = 0.0
    wall_ms_median: float = 0.0
    wall_ms_p90: float = 0.0
    crashed: str = ""

    @property
    def verified(self) -> bool:
        return (
            not self.crashed
            and self.calls > 0
            and self.failures == 0
            and self.server_accepted == self.calls
        )

    @property
    def problem(self) -> str:
        if self.crashed:
            return f"crashed: {self.crashed}"
        if self.failures:
            return f"{self.failures} of {self.calls} calls failed, first: {self.first_failure}"
        if self.server_accepted != self.calls:
            return f"the server verified {self.server_accepted} of {self.calls} calls"
        return ""


@dataclass(frozen=True)
class Pull:
    """One worker's pulls by one path: `pulls` times, `size` open orders to a confirmed flat
    book (bench/pulls.py says what "confirmed" means), timed from the first request to the
    confirmation."""

    client: str
    group: str
    path: str
    asynchronous: bool = False
    size: int = 0
    round: int = 0
    pulls: int = 0
    failures: int = 0
    first_failure: str = ""
    wall_ms_median: float = 0.0
    wall_ms_p90: float = 0.0
    cpu_ms_median: float = 0.0
    requests_median: float = 0.0
    crashed: str = ""

    @property
    def verified(self) -> bool:
        return not self.crashed and self.pulls > 0 and self.failures == 0

    @property
    def problem(self) -> str:
        if self.crashed:
            return f"crashed: {self.crashed}"
        if self.failures:
            return f"{self.failures} of {self.pulls} pulls failed, first: {self.first_failure}"
        if not self.pulls:
            return "no pull was made"
        return ""


@dataclass(frozen=True)
class ImportTime:
    label: str
    group: str
    seconds: float


Key = tuple[str, int]
Goal = tuple[str, Callable[[float], bool]]  # as written in the table, and its test


def _by_key(runs: Iterable[Run]) -> dict[Key, list[Run]]:
    grouped: dict[Key, list[Run]] = defaultdict(list)
    for run in runs:
        grouped[run.client, run.in_flight].append(run)
    return grouped


def _median(runs: Sequence[Run], metric: Callable[[Run], float]) -> float:
    values = [metric(r) for r in runs if not r.crashed]
    return statistics.median(values) if values else float("nan")


def _ratios(runs: Sequence[Run], top: Key, bottom: Key) -> list[float]:
    """top's CPU/call ÷ bottom's, one ratio per round in which both were measured."""
    per_round: dict[int, dict[Key, float]] = defaultdict(dict)
    for run in runs:
        if not run.crashed and run.calls:
            per_round[run.round][run.client, run.in_flight] = run.cpu_us_per_call
    return [r[top] / r[bottom] for r in per_round.values() if top in r and bottom in r]


def _ratio(runs: Sequence[Run], top: Key, bottom: Key) -> float:
    ratios = _ratios(runs, top, bottom)
    return statistics.median(ratios) if ratios else float("nan")


def _fmt(value: float, digits: int = 0) -> str:
    return "—" if value != value else f"{value:,.{digits}f}"  # NaN: not measured


def _check(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _machine() -> list[str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return [
        f"- Machine: {os.cpu_count()} CPUs (`nproc`), {model}, {platform.system()} "
        f"{platform.release()}",
        f"- Python: {platform.python_version()} ({platform.python_implementation()})",
    ]


def _storm_ratios(storms: Sequence[Storm], top: str, bottom: str) -> list[float]:
    """top's median storm time ÷ bottom's, one ratio per round in which both were measured."""
    per_round: dict[int, dict[str, float]] = defaultdict(dict)
    for storm in storms:
        if storm.verified:
            per_round[storm.round][storm.client] = storm.wall_ms_median
    return [r[top] / r[bottom] for r in per_round.values() if top in r and bottom in r]


def _targets(
    runs: Sequence[Run],
    storms: Sequence[Storm],
    imports: Sequence[ImportTime],
    pulls: Sequence[Pull] = (),
) -> list[str]:
    grouped = _by_key(runs)
    lines = [
        "CPU per call, ours ÷ the other: the median over rounds (the rounds' range).",
        "",
        "| target | measured | goal | met |",
        "| --- | ---: | ---: | :---: |",
    ]

    def row(
        name: str, top: Key, bottom: Key, goal: Goal | None, ratios: list[float] | None = None
    ) -> None:
        ratios = _ratios(runs, top, bottom) if ratios is None else ratios
        if not ratios:
            return
        value = statistics.median(ratios)
        spread = f" ({min(ratios):.2f} to {max(ratios):.2f})" if len(ratios) > 1 else ""
        wanted, ok = goal or ("for reference", None)
        met = _check(ok(value)) if ok else ""
        lines.append(f"| {name} | {value:.2f}{spread} | {wanted} | {met} |")

    ours = (OURS_SYNC, 0)
    near_floor = (f"≤ {TARGET_SYNC_VS_FLOOR}", _at_most(TARGET_SYNC_VS_FLOOR))
    below = ("< 1", _below(1))
    row(f"sync, ours ÷ {FLOOR_SYNC}", ours, (FLOOR_SYNC, 0), near_floor)
    row(f"sync, ours ÷ {PLAIN_SYNC}", ours, (PLAIN_SYNC, 0), None)
    peers = sorted(k for k, these in grouped.items() if these[0].group == "peer")
    for client, level in peers:
        if level == 0:
            row(f"sync, ours ÷ {client}", ours, (client, 0), below)
    for busy in BUSY_LEVELS:
        for mine in OURS_ASYNC:
            for client, level in peers:
                if level == busy:
                    name = f"{level} in flight, {mine} ÷ {client}"
                    row(name, (mine, level), (client, level), below)
    for busy in (1, *BUSY_LEVELS):
        # Where the async gap comes from: our layers over httpx, httpx over aiohttp.
        row(
            f"{busy} in flight, {OURS_ASYNC[1]} ÷ {HTTPX_ON_OUR_BACKEND}",
            (OURS_ASYNC[1], busy),
            (HTTPX_ON_OUR_BACKEND, busy),
            None,
        )
        row(
            f"{busy} in flight, {HTTPX_ON_OUR_BACKEND} ÷ {FLOOR_ASYNC}",
            (HTTPX_ON_OUR_BACKEND, busy),
            (FLOOR_ASYNC, busy),
            None,
        )
    storm_peers = sorted({s.client for s in storms if s.group == "peer"})
    for client in storm_peers:
        name = f"storm of 32, time to the last answer, {OURS_ASYNC[0]} ÷ {client}"
        ratios = _storm_ratios(storms, OURS_ASYNC[0], client)
        row(name, ("", 0), ("", 0), ("≤ 1", _at_most(1.0)), ratios)
    for path in _pull_paths(pulls):
        for client, asynchronous in sorted(_pull_peers(pulls, path)):
            mine = OURS_ASYNC[0] if asynchronous else OURS_SYNC
            name = f"pull 32, {path}, time to a confirmed flat book, {mine} ÷ {client}"
            row(name, ("", 0), ("", 0), None, _pull_ratios(pulls, path, mine, client))
    seconds = {i.label: i.seconds for i in imports}
    if IMPORT_OURS in seconds and IMPORT_FLOOR in seconds:
        ratio = seconds[IMPORT_OURS] / seconds[IMPORT_FLOOR]
        met = _check(ratio <= TARGET_IMPORT_VS_HTTPX)
        lines.append(
            f"| import {IMPORT_OURS} ÷ import httpx | {ratio:.2f} "
            f"| ≤ {TARGET_IMPORT_VS_HTTPX} | {met} |"
        )
    return lines + _quick_start_row(imports)


def _pull_paths(pulls: Sequence[Pull]) -> list[str]:
    """The paths measured, in bench/pulls.py's order."""
    seen = {p.path for p in pulls if p.path}
    return [path for path in PULL_PATHS if path in seen] + sorted(seen - set(PULL_PATHS))


def _pull_peers(pulls: Sequence[Pull], path: str) -> set[tuple[str, bool]]:
    """(peer, whether it is async) for each peer measured on ``path``."""
    return {(p.client, p.asynchronous) for p in pulls if p.group == "peer" and p.path == path}


def _pull_ratios(pulls: Sequence[Pull], path: str, top: str, bottom: str) -> list[float]:
    """top's median pull time ÷ bottom's on ``path``, one ratio per round where both were
    confirmed in every pull (a failed path has no time to compare)."""
    per_round: dict[int, dict[str, float]] = defaultdict(dict)
    for pull in pulls:
        if pull.path == path and pull.verified:
            per_round[pull.round][pull.client] = pull.wall_ms_median
    return [r[top] / r[bottom] for r in per_round.values() if top in r and bottom in r]


def _at_most(limit: float) -> Callable[[float], bool]:
    return lambda value: value <= limit


def _below(limit: float) -> Callable[[float], bool]:
    return lambda value: value < limit


def _sync_table(runs: Sequence[Run]) -> list[str]:
    grouped = _by_key(runs)
    lines = [
        f"| client | CPU µs/call | ÷ {FLOOR_SYNC} | ours ÷ it | median latency µs | "
        "p90 latency µs | calls | all verified |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    order = sorted((k for k in grouped if k[1] == 0), key=lambda k: _median(grouped[k], _cpu))
    for key in order:
        these = grouped[key]
        lines.append(
            f"| {key[0]} | {_fmt(_median(these, _cpu))} "
            f"| {_fmt(_ratio(runs, key, (FLOOR_SYNC, 0)), 2)} "
            f"| {_fmt(_ratio(runs, (OURS_SYNC, 0), key), 2)} "
            f"| {_fmt(_median(these, lambda r: r.latency_median_us))} "
            f"| {_fmt(_median(these, lambda r: r.latency_p90_us))} "
            f"| {sum(r.calls for r in these):,} | {_check(all(r.verified for r in these))} |"
        )
    return lines


def _async_table(runs: Sequence[Run]) -> list[str]:
    grouped = _by_key(runs)
    levels = sorted({k[1] for k in grouped if k[1]})
    clients = sorted({k[0] for k in grouped if k[1]}, key=lambda c: (_group_rank(grouped, c), c))
    head = " | ".join(f"{n} in flight: CPU µs/call · calls/s" for n in levels)
    floors = " | ".join(f"÷ {FLOOR_ASYNC} at {n}" for n in BUSY_LEVELS)
    lines = [
        f"| client | {head} | {floors} | all verified |",
        "| --- | " + "---: | " * (len(levels) + len(BUSY_LEVELS)) + ":---: |",
    ]
    for client in clients:
        cells = []
        for level in levels:
            these = grouped.get((client, level), [])
            cpu = _median(these, _cpu) if these else float("nan")
            rate = _median(these, lambda r: r.calls_per_s) if these else float("nan")
            cells.append(f"{_fmt(cpu)} · {_fmt(rate)}")
        ratios = " | ".join(
            _fmt(_ratio(runs, (client, n), (FLOOR_ASYNC, n)), 2) for n in BUSY_LEVELS
        )
        verified = all(r.verified for level in levels for r in grouped.get((client, level), []))
        lines.append(f"| {client} | {' | '.join(cells)} | {ratios} | {_check(verified)} |")
    return lines


def _storm_table(storms: Sequence[Storm], delay_ms: float) -> list[str]:
    if not storms:
        return []
    size = storms[0].size
    by_client: dict[str, list[Storm]] = defaultdict(list)
    for storm in storms:
        by_client[storm.client].append(storm)
    rank = {"ours": 0, "floor": 1, "peer": 2}

    def median(these: Sequence[Storm], metric: Callable[[Storm], float]) -> float:
        values = [metric(s) for s in these if not s.crashed and s.calls]
        return statistics.median(values) if values else float("nan")

    def wall(storm: Storm) -> float:
        return storm.wall_ms_median

    lines = [
        f"{size} cancels issued at once against a server that answers each {delay_ms:g} ms after "
        "it arrived (a simulated round trip), timed from the first cancel issued to the last "
        "answer; the median storm of each measurement, then the median over rounds. One untimed "
        "storm first opens the connections a warm client has. Sync clients are not stormed: "
        "they issue one cancel at a time.",
        "",
        f"| client | ms to the last answer (median) | p90 | ÷ {delay_ms:g} ms round trip "
        "| CPU µs/call | calls | all verified |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    order = sorted(by_client, key=lambda c: (rank.get(by_client[c][0].group, 3), c))
    for client in order:
        these = by_client[client]
        ms = median(these, wall)
        lines.append(
            f"| {client} | {_fmt(ms, 1)} | {_fmt(median(these, lambda s: s.wall_ms_p90), 1)} "
            f"| {_fmt(ms / delay_ms, 2)} | {_fmt(median(these, lambda s: s.cpu_us_per_call))} "
            f"| {sum(s.calls for s in these):,} | {_check(all(s.verified for s in these))} |"
        )
    return lines


def _pull_table(pulls: Sequence[Pull], delay_ms: float, count: int, rounds: int) -> list[str]:
    if not pulls:
        return []
    paths = _pull_paths(pulls)
    size = next((p.size for p in pulls if p.size), 32)
    by_key: dict[tuple[str, str], list[Pull]] = defaultdict(list)
    groups: dict[str, str] = {}
    asynchronous: dict[str, bool] = {}
    crashes: dict[str, str] = {}
    for pull in pulls:
        groups[pull.client] = pull.group
        asynchronous[pull.client] = pull.asynchronous
        if pull.crashed:
            crashes.setdefault(pull.client, pull.crashed)
        else:
            by_key[pull.client, pull.path].append(pull)
    rank = {"ours": 0, "floor": 1, "peer": 2}
    clients = sorted(groups, key=lambda c: (rank.get(groups[c], 3), asynchronous[c], c))
    titles = " | ".join(PULL_TITLES.get(path, path) for path in paths)
    lines = [
        f"A symbol holds {size} open orders (re-seeded before each pull); each client takes the "
        "book to a *confirmed* flat book by each path it offers, against a server that answers "
        f"each request {delay_ms:g} ms after it arrived. Confirmed: for single cancels and "
        "batches, every id answered as that order with status CANCELED; for cancel-all, its "
        "success answer and then an empty open-orders list. Sync clients send one request at "
        "a time; async clients send the single cancels all at once and the 4 batches at once. "
        "After every pull the server is asked what it still holds, so a confirmation it denies "
        f"is a failure too. Each cell: the median pull ({count} timed per measurement, after "
        f"one untimed pull per path), then the median over {rounds} round(s), and the requests "
        "the server "
        "counted per pull. A path that failed shows its first failure (details below the table); "
        "— : the client has no such path.",
        "",
        f"| client | {titles} | all confirmed |",
        "| --- |" + " ---: |" * len(paths) + " :---: |",
    ]
    failures: list[str] = []
    for client in clients:
        cells = []
        verified = client not in crashes
        for path in paths:
            these = by_key.get((client, path), [])
            if client in crashes:
                cells.append("crashed")
                continue
            if not these:
                cells.append("—")
                continue
            if all(p.verified for p in these):
                ms = statistics.median(p.wall_ms_median for p in these)
                requests = statistics.median(p.requests_median for p in these)
                cells.append(f"{ms:,.1f} ms · {requests:g} req")
                continue
            verified = False
            failed = next(p for p in these if not p.verified)
            cells.append(f"**failed**: {_first_reason(failed)}")
            failures.append(f"- {client}, {PULL_TITLES.get(path, path)}: {failed.problem}")
        lines.append(f"| {client} | {' | '.join(cells)} | {_check(verified)} |")
    failures += [f"- {client}: crashed: {why}" for client, why in crashes.items()]
    if failures:
        lines += ["", "Pull failures, as the client reported them:", "", *failures]
    return lines


def _first_reason(pull: Pull) -> str:
    """The short form of a failed path's first failure, for a table cell."""
    reason = pull.first_failure or pull.problem
    return reason.replace("|", "\\|")[:90]


def _group_rank(grouped: dict[Key, list[Run]], client: str) -> int:
    group = next(runs[0].group for key, runs in grouped.items() if key[0] == client)
    return {"ours": 0, "floor": 1, "peer": 2}.get(group, 3)


def _cpu(run: Run) -> float:
    return run.cpu_us_per_call


def _quick_start_row(imports: Sequence[ImportTime]) -> list[str]:
    seconds = {i.label: i.seconds for i in imports}
    if IMPORT_QUICK_START not in seconds or IMPORT_FLOOR not in seconds:
        return []
    ratio = seconds[IMPORT_QUICK_START] / seconds[IMPORT_FLOOR]
    met = _check(ratio <= TARGET_IMPORT_VS_HTTPX)
    return [
        f"| import {IMPORT_QUICK_START} ÷ import httpx | {ratio:.2f} "
        f"| ≤ {TARGET_IMPORT_VS_HTTPX} | {met} |"
    ]


def _imports_table(imports: Sequence[ImportTime]) -> list[str]:
    httpx = next((i.seconds for i in imports if i.label == IMPORT_FLOOR), float("nan"))
    lines = ["| import | median ms | ÷ import httpx |", "| --- | ---: | ---: |"]
    for item in sorted(imports, key=lambda i: i.seconds):
        lines.append(
            f"| `{item.label}` | {_fmt(item.seconds * 1000, 1)} | {_fmt(item.seconds / httpx, 2)} |"
        )
    return lines


def _profile_tables(profile: Sequence[dict[str, Any]]) -> list[str]:
    if not profile:
        return []
    names = [p["client"] for p in profile]
    layers = sorted({layer for p in profile for layer in p["layers_us_per_call"]})
    lines = [
        "| layer | " + " | ".join(f"{n} µs/call" for n in names) + " |",
        "| --- |" + " ---: |" * len(names),
    ]
    for layer in sorted(layers, key=lambda la: -profile[0]["layers_us_per_call"].get(la, 0.0)):
        cells = " | ".join(_fmt(p["layers_us_per_call"].get(layer, 0.0)) for p in profile)
        lines.append(f"| {layer} | {cells} |")
    totals = " | ".join(f"**{_fmt(p['total_us_per_call'])}**" for p in profile)
    lines += [f"| total under the profiler | {totals} |", ""]
    lines += [
        f"Top functions of `{names[0]}` by own time:",
        "",
        "| function | layer | µs/call |",
        "| --- | --- | ---: |",
    ]
    for entry in profile[0]["top"]:
        function = entry["function"].replace("|", "\\|")
        lines.append(f"| `{function}` | {entry['layer']} | {_fmt(entry['us_per_call'])} |")
    return lines


def _problems(runs: Sequence[Run]) -> list[str]:
    seen: dict[Key, str] = {}
    for run in runs:
        if not run.verified and (run.client, run.in_flight) not in seen:
            seen[run.client, run.in_flight] = run.problem
    if not seen:
        return ["None: every call of every client was answered 200 after the server verified it."]
    return [f"- {client} ({level or 'sync'}): {why}" for (client, level), why in seen.items()]


def write_report(
    path: Path,
    runs: Sequence[Run],
    storms: Sequence[Storm],
    imports: Sequence[ImportTime],
    profile: dict[str, list[dict[str, Any]]],
    meta: dict[str, Any],
    pulls: Sequence[Pull] = (),
) -> str:
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    pinned = (
        "client pinned to CPU 0, server to CPU 1" if meta["pinned"] else "no CPU pinning (1 CPU)"
    )
    lines = [
        "# Benchmark: signed Cancel Order (`DELETE /dapi/v1/order`, HMAC-SHA256)",
        "",
        f"Written by `{'make bench-smoke' if meta['smoke'] else 'make bench'}` "
        f"(bench/run.py) on {today}; do not edit by hand.",
        "",
        *_machine(),
        f"- N = {meta['calls']:,} calls per client and concurrency after warm-up, "
        f"{meta['rounds']} interleaved round(s); figures are medians over rounds, ratios are "
        f"taken within a round. The run took {meta['seconds'] / 60:.1f} min.",
        f"- Server: bench/server.py (verifies every signature, keep-alive, loopback) in its own "
        f"process; {pinned}. CPU is the client process's `time.process_time()`.",
        f"- Code measured: {meta['commit']}.",
    ]
    if any(r.client.startswith("ccxt") for r in runs):
        lines.append(
            "- ccxt with its rate limiter on sleeps ~50 ms per call, so it makes at most "
            f"{meta['rate_limited_calls']} calls; its CPU/call is comparable, its calls/s is "
            "the limiter's."
        )
    if meta["skipped"]:
        lines.append(f"- Not installed here, so not measured: {', '.join(meta['skipped'])}.")
    lines += ["", "## Targets", "", *_targets(runs, storms, imports, pulls)]
    lines += ["", "## Sync API: CPU and latency per call", "", *_sync_table(runs)]
    lines += ["", "## Async API", "", *_async_table(runs)]
    if storms:
        lines += ["", "## Cancel storm", "", *_storm_table(storms, meta["storm_delay_ms"])]
    if pulls:
        table = _pull_table(
            pulls, meta["storm_delay_ms"], meta.get("pulls", 0), meta.get("pull_rounds", 1)
        )
        lines += ["", "## Pull 32 quotes: time to a confirmed flat book", "", *table]
    lines += [
        "",
        f"## Import time (fresh interpreter, median of {meta['import_repeats']}, interleaved)",
        "",
        *_imports_table(imports),
    ]
    for mode, title in (("sync", "a sync call's"), ("async", "an async call's (32 in flight)")):
        if profile.get(mode):
            lines += [
                "",
                f"## Where {title} CPU goes (cProfile, CPU clock)",
                "",
                "The profiler inflates every figure several times; compare the columns.",
                "",
                *_profile_tables(profile[mode]),
            ]
    others = [f"- storm, {s.client}: {s.problem}" for s in storms if not s.verified]
    failed_pulls: dict[tuple[str, str], str] = {}
    for pull in pulls:
        if not pull.verified:
            failed_pulls.setdefault((pull.client, pull.path), pull.problem)
    others += [f"- pull, {client}, {path}: {why}" for (client, path), why in failed_pulls.items()]
    problems = _problems(runs)
    if others and problems[0].startswith("None"):
        problems = [
            "Every call of the per-call rows was answered 200 after the server verified it."
        ]
    lines += ["", "## Failures", "", *problems, *others]
    versions = meta["versions"]
    lines += ["", "## Versions", "", "| package | version |", "| --- | --- |"]
    lines += [f"| {name} | {versions[name]} |" for name in sorted(versions)]
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return text


_COLOURS: Final = {"ours": "tab:blue", "floor": "tab:gray", "peer": "tab:orange"}


def write_plot(
    path: Path,
    runs: Sequence[Run],
    storms: Sequence[Storm],
    imports: Sequence[ImportTime],
    pulls: Sequence[Pull] = (),
) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    grouped = _by_key(runs)
    figure, axes = plt.subplots(4, 2, figsize=(15, 20))
    (sync_ax, import_ax), (rate_ax, cpu_ax), (storm_ax, spare_ax), pull_axes = axes
    spare_ax.axis("off")

    sync = sorted((k for k in grouped if k[1] == 0), key=lambda k: -_median(grouped[k], _cpu))
    sync_ax.barh(
        [k[0] for k in sync],
        [_median(grouped[k], _cpu) for k in sync],
        color=[_COLOURS[grouped[k][0].group] for k in sync],
    )
    sync_ax.set_title("Sync: client CPU per signed cancel (lower is better)")
    sync_ax.set_xlabel("CPU µs per call")

    ordered = sorted(imports, key=lambda i: -i.seconds)
    import_ax.barh(
        [i.label for i in ordered],
        [i.seconds * 1000 for i in ordered],
        color=[_COLOURS[i.group] for i in ordered],
    )
    import_ax.set_title("Import time, fresh interpreter (lower is better)")
    import_ax.set_xlabel("ms")

    for client in sorted({k[0] for k in grouped if k[1]}):
        keys = sorted(k for k in grouped if k[0] == client and k[1])
        group = grouped[keys[0]][0].group
        style = {"ours": "-", "floor": "--", "peer": ":"}[group]
        levels = [k[1] for k in keys]
        for axis, metric in ((rate_ax, lambda r: r.calls_per_s), (cpu_ax, _cpu)):
            values = [_median(grouped[k], metric) for k in keys]
            axis.plot(levels, values, style, marker="o", label=client, linewidth=2)
    for axis, title, label in (
        (rate_ax, "Async: throughput (higher is better)", "calls/s"),
        (cpu_ax, "Async: client CPU per call (lower is better)", "CPU µs per call"),
    ):
        axis.set_title(title)
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")
        levels = sorted({k[1] for k in grouped if k[1]})
        axis.set_xticks(levels, [str(level) for level in levels])
        axis.set_xlabel("calls in flight")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
    walls: dict[str, list[float]] = defaultdict(list)
    groups: dict[str, str] = {}
    for storm in storms:
        if storm.verified:
            walls[storm.client].append(storm.wall_ms_median)
            groups[storm.client] = storm.group
    stormed = sorted(walls, key=lambda c: -statistics.median(walls[c]))
    storm_ax.barh(
        stormed,
        [statistics.median(walls[c]) for c in stormed],
        color=[_COLOURS[groups[c]] for c in stormed],
    )
    storm_ax.set_title("Cancel storm: 32 at once, 5 ms round trip, ms to the last answer")
    storm_ax.set_xscale("log")  # a rate-limited client takes seconds, the rest milliseconds
    storm_ax.set_xlabel("ms (lower is better)")
    storm_ax.grid(True, which="both", axis="x", alpha=0.3)
    _plot_pulls(pull_axes, pulls)
    handles, labels = cpu_ax.get_legend_handles_labels()
    spare_ax.legend(handles, labels, loc="center", fontsize="small")
    figure.suptitle("Signed COIN-M Cancel Order against one local keep-alive server")
    figure.tight_layout(h_pad=3)
    figure.savefig(path, dpi=100)
    plt.close(figure)


_PATH_COLOURS: Final = ("tab:red", "tab:green", "tab:blue", "tab:purple")


def _plot_pulls(axes: Any, pulls: Sequence[Pull]) -> None:
    """Sync clients left, async right: one bar per path confirmed, a cross where it failed."""
    paths = _pull_paths(pulls)
    for axis, asynchronous in zip(axes, (False, True), strict=True):
        walls: dict[tuple[str, str], list[float]] = defaultdict(list)
        failed: set[tuple[str, str]] = set()
        for pull in pulls:
            if pull.asynchronous != asynchronous:
                continue
            if pull.verified:
                walls[pull.client, pull.path].append(pull.wall_ms_median)
            elif pull.path:
                failed.add((pull.client, pull.path))
        clients = sorted({c for c, _ in walls} | {c for c, _ in failed}, reverse=True)
        height = 0.8 / max(len(paths), 1)
        for index, path in enumerate(paths):
            offsets = [row + (index - len(paths) / 2 + 0.5) * height for row in range(len(clients))]
            values = [
                statistics.median(walls[c, path]) if (c, path) in walls else 0.0 for c in clients
            ]
            axis.barh(
                offsets,
                values,
                height=height,
                color=_PATH_COLOURS[index % len(_PATH_COLOURS)],
                label=PULL_TITLES.get(path, path),
            )
            for offset, client in zip(offsets, clients, strict=True):
                if (client, path) in failed:
                    axis.plot([1.2], [offset], "x", color="black")
        axis.set_yticks(range(len(clients)), clients)
        axis.set_xscale("log")
        axis.set_xlabel("ms to a confirmed flat book (lower is better; x: the path failed)")
        kind = "async" if asynchronous else "sync"
        axis.set_title(f"Pull 32 quotes, {kind}: 5 ms round trip")
        axis.grid(True, which="both", axis="x", alpha=0.3)
        axis.set_xlim(left=1)
        axis.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)

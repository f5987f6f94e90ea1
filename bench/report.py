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

FLOOR_SYNC: Final = "httpx + hmac by hand"
PLAIN_SYNC: Final = "httpx + hmac, client.delete(url)"
FLOOR_ASYNC: Final = "aiohttp + hmac by hand"
OURS_SYNC: Final = "ours"
OURS_ASYNC: Final = ("ours async, httpx transport", "ours async, httpx-aiohttp transport")
IMPORT_OURS: Final = "binance_coinm_futures, signing_hook"
IMPORT_FLOOR: Final = "httpx"
TARGET_SYNC_VS_FLOOR: Final = 1.08
TARGET_IMPORT_VS_HTTPX: Final = 1.3
BUSY_LEVEL: Final = 32


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


def _targets(runs: Sequence[Run], imports: Sequence[ImportTime]) -> list[str]:
    grouped = _by_key(runs)
    lines = [
        "CPU per call, ours ÷ the other: the median over rounds (the rounds' range).",
        "",
        "| target | measured | goal | met |",
        "| --- | ---: | ---: | :---: |",
    ]

    def row(name: str, top: Key, bottom: Key, goal: Goal | None) -> None:
        ratios = _ratios(runs, top, bottom)
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
    for mine in OURS_ASYNC:
        for client, level in peers:
            if level == BUSY_LEVEL:
                name = f"{level} in flight, {mine} ÷ {client}"
                row(name, (mine, level), (client, level), below)
    seconds = {i.label: i.seconds for i in imports}
    if IMPORT_OURS in seconds and IMPORT_FLOOR in seconds:
        ratio = seconds[IMPORT_OURS] / seconds[IMPORT_FLOOR]
        met = _check(ratio <= TARGET_IMPORT_VS_HTTPX)
        lines.append(
            f"| import {IMPORT_OURS} ÷ import httpx | {ratio:.2f} "
            f"| ≤ {TARGET_IMPORT_VS_HTTPX} | {met} |"
        )
    return lines


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
    lines = [
        f"| client | {head} | ÷ {FLOOR_ASYNC} at {BUSY_LEVEL} | all verified |",
        "| --- | " + "---: | " * len(levels) + "---: | :---: |",
    ]
    for client in clients:
        cells = []
        for level in levels:
            these = grouped.get((client, level), [])
            cpu = _median(these, _cpu) if these else float("nan")
            rate = _median(these, lambda r: r.calls_per_s) if these else float("nan")
            cells.append(f"{_fmt(cpu)} · {_fmt(rate)}")
        ratio = _ratio(runs, (client, BUSY_LEVEL), (FLOOR_ASYNC, BUSY_LEVEL))
        verified = all(r.verified for level in levels for r in grouped.get((client, level), []))
        lines.append(f"| {client} | {' | '.join(cells)} | {_fmt(ratio, 2)} | {_check(verified)} |")
    return lines


def _group_rank(grouped: dict[Key, list[Run]], client: str) -> int:
    group = next(runs[0].group for key, runs in grouped.items() if key[0] == client)
    return {"ours": 0, "floor": 1, "peer": 2}.get(group, 3)


def _cpu(run: Run) -> float:
    return run.cpu_us_per_call


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
    imports: Sequence[ImportTime],
    profile: Sequence[dict[str, Any]],
    meta: dict[str, Any],
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
    lines += ["", "## Targets", "", *_targets(runs, imports)]
    lines += ["", "## Sync API: CPU and latency per call", "", *_sync_table(runs)]
    lines += ["", "## Async API", "", *_async_table(runs)]
    lines += [
        "",
        f"## Import time (fresh interpreter, median of {meta['import_repeats']}, interleaved)",
        "",
        *_imports_table(imports),
    ]
    if profile:
        lines += [
            "",
            "## Where a sync call's CPU goes (cProfile, CPU clock)",
            "",
            "The profiler inflates every figure several times; compare the columns.",
            "",
            *_profile_tables(profile),
        ]
    lines += ["", "## Failures", "", *_problems(runs)]
    versions = meta["versions"]
    lines += ["", "## Versions", "", "| package | version |", "| --- | --- |"]
    lines += [f"| {name} | {versions[name]} |" for name in sorted(versions)]
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return text


_COLOURS: Final = {"ours": "tab:blue", "floor": "tab:gray", "peer": "tab:orange"}


def write_plot(path: Path, runs: Sequence[Run], imports: Sequence[ImportTime]) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    grouped = _by_key(runs)
    figure, ((sync_ax, import_ax), (rate_ax, cpu_ax)) = plt.subplots(2, 2, figsize=(15, 10))

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
    handles, labels = cpu_ax.get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=4, fontsize="small")
    figure.suptitle("Signed COIN-M Cancel Order against one local keep-alive server")
    figure.tight_layout(rect=(0, 0.06, 1, 1))  # room for the legend below the plots
    figure.savefig(path, dpi=100)
    plt.close(figure)

"""Measure one client in a fresh interpreter and print one JSON line.

    python bench/worker.py CLIENT --url URL --calls N [--in-flight K] [--cpu C]
    python bench/worker.py CLIENT --url URL --storm 32 --storms R [--cpu C]
    python bench/worker.py CLIENT --url URL --pull 32 --pulls R [--cpu C]

A storm issues `--storm` cancels at once and waits for the last answer; it is timed R times
(wall clock), after one untimed storm that opens the connections a warm client would have.

A pull (bench/pulls.py) seeds the server's book with `--pull` open orders, then times one of
the client's paths to a confirmed flat book; the paths take turns, R timed pulls each, after
one untimed pull of each.

A fresh process per measurement keeps peers from sharing imports, pools or garbage, and lets
``time.process_time()`` charge this process alone: the server runs in another one. Warm-up
calls (which also fill the connection pool) are made before the clock starts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from clients import CLIENTS, SYMBOL, AsyncCancel, AsyncClient, SyncCancel, SyncClient
from pulls import PATHS, PULLERS, AsyncPull, AsyncPuller, SyncPull, describe


@dataclass
class Tally:
    """What the measured calls did: failures are counted and the first one kept, never hidden."""

    latencies_ns: list[int] = field(default_factory=list)
    failures: int = 0
    first_failure: str = ""

    def fail(self, reason: str) -> None:
        self.failures += 1
        if not self.first_failure:
            self.first_failure = reason[:300]


@dataclass
class Measurement:
    client: str
    in_flight: int  # 0: the sync API
    calls: int
    failures: int
    first_failure: str
    server_accepted: int  # cancels the server verified and answered 200 during the run
    cpu_us_per_call: float
    calls_per_s: float
    latency_median_us: float
    latency_p90_us: float


def server_accepted(url: str) -> int:
    # The URL is always the bench server's own http:// address on loopback.
    with urllib.request.urlopen(f"{url}/bench/stats", timeout=5) as response:  # noqa: S310
        return int(json.load(response).get("accepted", 0))


def _check(order_id: int, answered: int, tally: Tally) -> None:
    if answered != order_id:
        tally.fail(f"asked to cancel {order_id}, the answer was about {answered}")


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _run_sync(cancel: SyncCancel, order_ids: range, deadline: float, tally: Tally) -> int:
    done = 0
    for order_id in order_ids:
        started = time.perf_counter_ns()
        try:
            _check(order_id, cancel(order_id), tally)
        except Exception as error:
            tally.fail(_describe(error))
        tally.latencies_ns.append(time.perf_counter_ns() - started)
        done += 1
        if time.monotonic() > deadline:
            break
    return done


async def _run_async(
    cancel: AsyncCancel, order_ids: range, in_flight: int, deadline: float, tally: Tally
) -> int:
    pending: Iterator[int] = iter(order_ids)  # shared by the lanes: each id is sent once

    async def lane() -> int:
        done = 0
        for order_id in pending:
            started = time.perf_counter_ns()
            try:
                _check(order_id, await cancel(order_id), tally)
            except Exception as error:
                tally.fail(_describe(error))
            tally.latencies_ns.append(time.perf_counter_ns() - started)
            done += 1
            if time.monotonic() > deadline:
                break
        return done

    return sum(await asyncio.gather(*(lane() for _ in range(in_flight))))


def _measurement(
    name: str, in_flight: int, done: int, cpu_s: float, wall_s: float, accepted: int, tally: Tally
) -> Measurement:
    latencies_us = [ns / 1000 for ns in tally.latencies_ns] or [0.0]
    return Measurement(
        client=name,
        in_flight=in_flight,
        calls=done,
        failures=tally.failures,
        first_failure=tally.first_failure,
        server_accepted=accepted,
        cpu_us_per_call=cpu_s * 1e6 / max(done, 1),
        calls_per_s=done / wall_s if wall_s else 0.0,
        latency_median_us=statistics.median(latencies_us),
        latency_p90_us=statistics.quantiles(latencies_us, n=10)[8]
        if len(latencies_us) > 1
        else latencies_us[0],
    )


def measure_sync(client: SyncClient, url: str, calls: int, warmup: int, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    with client.open(url) as cancel:
        _run_sync(cancel, range(1, warmup + 1), deadline, Tally())
        before = server_accepted(url)
        tally = Tally()
        cpu, wall = time.process_time(), time.perf_counter()
        done = _run_sync(cancel, range(warmup + 1, warmup + calls + 1), deadline, tally)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        accepted = server_accepted(url) - before
    return json.dumps(asdict(_measurement(client.name, 0, done, cpu, wall, accepted, tally)))


async def measure_async(
    client: AsyncClient, url: str, calls: int, warmup: int, in_flight: int, seconds: float
) -> str:
    deadline = time.monotonic() + seconds
    async with client.open(url) as cancel:
        await _run_async(cancel, range(1, warmup + 1), in_flight, deadline, Tally())
        before = server_accepted(url)
        tally = Tally()
        cpu, wall = time.process_time(), time.perf_counter()
        ids = range(warmup + 1, warmup + calls + 1)
        done = await _run_async(cancel, ids, in_flight, deadline, tally)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        accepted = server_accepted(url) - before
    result = _measurement(client.name, in_flight, done, cpu, wall, accepted, tally)
    return json.dumps(asdict(result))


@dataclass
class StormMeasurement:
    client: str
    size: int  # cancels issued at once
    storms: int
    calls: int
    failures: int
    first_failure: str
    server_accepted: int
    cpu_us_per_call: float
    wall_ms_median: float  # from the first cancel issued to the last answer
    wall_ms_p90: float
    kind: str = "storm"


async def measure_storm(
    client: AsyncClient, url: str, size: int, storms: int, seconds: float
) -> str:
    deadline = time.monotonic() + seconds
    async with client.open(url) as cancel:
        tally = Tally()

        async def one(order_id: int) -> None:
            try:
                _check(order_id, await cancel(order_id), tally)
            except Exception as error:
                tally.fail(_describe(error))

        await asyncio.gather(*(one(i) for i in range(1, size + 1)))
        tally = Tally()
        before = server_accepted(url)
        walls: list[float] = []
        cpu = time.process_time()
        for storm in range(1, storms + 1):
            first = storm * size + 1
            started = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(first, first + size)))
            walls.append((time.perf_counter() - started) * 1000)
            if time.monotonic() > deadline:
                break
        cpu = time.process_time() - cpu
        accepted = server_accepted(url) - before
    calls = len(walls) * size
    result = StormMeasurement(
        client=client.name,
        size=size,
        storms=len(walls),
        calls=calls,
        failures=tally.failures,
        first_failure=tally.first_failure,
        server_accepted=accepted,
        cpu_us_per_call=cpu * 1e6 / max(calls, 1),
        wall_ms_median=statistics.median(walls),
        wall_ms_p90=statistics.quantiles(walls, n=10)[8] if len(walls) > 1 else walls[0],
    )
    return json.dumps(asdict(result))


@dataclass
class PullTally:
    """One path's timed pulls: failures are counted and the first one kept, never hidden."""

    walls_ms: list[float] = field(default_factory=list)
    cpus_ms: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    failures: int = 0
    first_failure: str = ""

    def add(self, wall_ms: float, cpu_ms: float, requests: int, failure: str) -> None:
        self.walls_ms.append(wall_ms)
        self.cpus_ms.append(cpu_ms)
        self.requests.append(requests)
        if failure:
            self.failures += 1
            self.first_failure = self.first_failure or failure[:300]

    def result(self) -> dict[str, object]:
        walls = self.walls_ms or [0.0]
        return {
            "pulls": len(self.walls_ms),
            "failures": self.failures,
            "first_failure": self.first_failure,
            "wall_ms_median": statistics.median(walls),
            "wall_ms_p90": statistics.quantiles(walls, n=10)[8] if len(walls) > 1 else walls[0],
            "cpu_ms_median": statistics.median(self.cpus_ms or [0.0]),
            "requests_median": statistics.median(self.requests or [0]),
        }


def _control(url: str, path: str, method: str = "GET") -> dict[str, object]:
    # The URL is always the bench server's own http:// address on loopback.
    request = urllib.request.Request(f"{url}{path}", method=method)  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        answer: dict[str, object] = json.load(response)
        return answer


def _seed(url: str, size: int) -> tuple[list[int], int]:
    """A fresh book of ``size`` open orders; their ids and the signed requests so far."""
    ids = _control(url, f"/bench/seed?symbol={SYMBOL}&count={size}", "POST")["ids"]
    assert isinstance(ids, list)
    return [int(i) for i in ids], _signed_so_far(url)


def _signed_so_far(url: str) -> int:
    signed = _control(url, "/bench/stats").get("signed", 0)
    assert isinstance(signed, int)
    return signed


def _still_open(url: str) -> int:
    count = _control(url, f"/bench/book?symbol={SYMBOL}")["open"]
    assert isinstance(count, int)
    return count


def _judge(url: str, failure: str) -> str:
    """The pull's failure; a client that confirmed a flat book the server denies fails too."""
    left = _still_open(url)
    if not failure and left:
        return f"the client confirmed a flat book, but the server still holds {left} open orders"
    return failure


def measure_pulls_sync(
    paths: dict[str, SyncPull], url: str, size: int, pulls: int, deadline: float
) -> dict[str, PullTally]:
    tallies = {path: PullTally() for path in paths}
    for attempt in range(pulls + 1):  # the first round is the untimed warm-up
        for path, pull in paths.items():
            ids, signed = _seed(url, size)
            failure = ""
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                pull(ids)
            except Exception as error:
                failure = describe(error)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            failure = _judge(url, failure)
            if attempt:
                tallies[path].add(wall * 1000, cpu * 1000, _signed_so_far(url) - signed, failure)
        if time.monotonic() > deadline:
            break
    return tallies


async def measure_pulls_async(
    paths: dict[str, AsyncPull], url: str, size: int, pulls: int, deadline: float
) -> dict[str, PullTally]:
    tallies = {path: PullTally() for path in paths}
    for attempt in range(pulls + 1):
        for path, pull in paths.items():
            ids, signed = _seed(url, size)
            failure = ""
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                await pull(ids)
            except Exception as error:
                failure = describe(error)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            failure = _judge(url, failure)
            if attempt:
                tallies[path].add(wall * 1000, cpu * 1000, _signed_so_far(url) - signed, failure)
        if time.monotonic() > deadline:
            break
    return tallies


def measure_pulls(name: str, url: str, size: int, pulls: int, seconds: float) -> str:
    puller = PULLERS[name]
    deadline = time.monotonic() + seconds
    if isinstance(puller, AsyncPuller):

        async def run() -> dict[str, PullTally]:
            async with puller.open(url) as paths:
                return await measure_pulls_async(dict(paths), url, size, pulls, deadline)

        tallies = asyncio.run(run())
    else:
        with puller.open(url) as sync_paths:
            tallies = measure_pulls_sync(dict(sync_paths), url, size, pulls, deadline)
    results = {path: tallies[path].result() for path in PATHS if path in tallies}
    return json.dumps({"kind": "pull", "client": name, "size": size, "paths": results})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("client", choices=sorted(CLIENTS.keys() | PULLERS.keys()))
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, default=0)
    parser.add_argument("--in-flight", type=int, default=1)
    parser.add_argument("--cpu", type=int, help="pin this process to one CPU")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--storm", type=int, help="cancels issued at once, per storm")
    parser.add_argument("--storms", type=int, default=20, help="timed storms")
    parser.add_argument("--pull", type=int, help="open orders to take to a confirmed flat book")
    parser.add_argument("--pulls", type=int, default=5, help="timed pulls per path")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    if args.pull:
        print(measure_pulls(args.client, args.url, args.pull, args.pulls, args.max_seconds))
        return
    client = CLIENTS[args.client]
    if args.storm:
        assert isinstance(client, AsyncClient), "a storm needs an async client"
        storms = min(args.storms, (client.max_calls or args.storms * args.storm) // args.storm)
        line = measure_storm(client, args.url, args.storm, max(storms, 1), args.max_seconds)
        print(asyncio.run(line))
        return
    calls = min(args.calls, client.max_calls or args.calls)
    warmup = max(calls // 10, 2 * args.in_flight, 5)
    if isinstance(client, SyncClient):
        print(measure_sync(client, args.url, calls, warmup, args.max_seconds))
    else:
        line = measure_async(client, args.url, calls, warmup, args.in_flight, args.max_seconds)
        print(asyncio.run(line))


if __name__ == "__main__":
    main()

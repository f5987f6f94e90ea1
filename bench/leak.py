"""The bounded leak run: every backend under sustained load, then back to its baseline.

    python bench/leak.py                 # make leak: the full run (a few minutes)
    python bench/leak.py --scale 0.01    # the same shape, 1% of the calls

Against bench/server.py (its own process), for each async backend connect() offers: 50,000
async cancels at 32 in flight on one client; for the sync client: 16 threads of sync cancels
on one client; and a client opened, used once and closed 1,000 times, sync and async (on the
default async backend). After each phase the client is closed and the process's open file
descriptors and TCP connections to the server must be back to the baseline taken before it,
and its memory (tracemalloc's traced total, in a warm process) must have grown by less than
1 KB per 1,000 calls. Prints one line per
phase and exits non-zero when a bound is broken. Never part of `make test`: it is a load run,
and its figures go to bench/results.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clients import API_KEY, SECRET, SYMBOL
from run import bench_server

from binance_coinm_futures import BinanceError, connect
from binance_coinm_futures.api.trade import cancel_order

#: Calls that raised (an overloaded machine can push a call past its recvWindow or deadline):
#: counted and reported, since a leak run is about what is left behind, not about latency.
FAILED: list[str] = []
ASYNC_CALLS: Final = 50_000
IN_FLIGHT: Final = 32
THREADS: Final = 16
SYNC_CALLS: Final = 32_000  # over the 16 threads
OPEN_CLOSE: Final = 1_000
MAX_GROWTH_PER_1000: Final = 1024  # bytes
WARM_UP: Final = 500


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def connections_to(port: int) -> int:
    """This process's TCP connections to ``port`` (any state but LISTEN), from /proc."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if remote_port == port and fields[9] in inodes:
                    count += 1
    return count


def traced() -> int:
    """The memory the process holds, without what CPython merely caches.

    CPython 3.11's attribute lookup cache keeps a reference to each name it was last asked
    for in each of its 4,096 slots. A C function that looks a method up by a name it builds
    fresh per call (`re.finditer` asks a new scanner for "search", and httpx's URL parser calls
    it for every part of every URL) leaves one such string behind per slot it lands in, some
    1 to 3 KB over the first few thousand clients opened, then nothing: a cache filling up rather
    than a leak. `sys._clear_type_cache()` empties that cache, as CPython's own reference-leak
    runs do before they count, so only what our code (or a library) keeps is measured.
    """
    gc.collect()
    # The same cache is emptied by sys._clear_internal_caches() from 3.13 on, where
    # _clear_type_cache is deprecated.
    getattr(sys, "_clear_internal_caches", sys._clear_type_cache)()
    return tracemalloc.get_traced_memory()[0]


class Phase:
    def __init__(self, name: str, port: int, calls: int) -> None:
        self.name, self.port, self.calls = name, port, calls

    def __enter__(self) -> Phase:
        self.fds, self.conns, self.memory = open_fds(), connections_to(self.port), traced()
        return self

    def report(self) -> bool:
        fds, conns, memory = open_fds(), connections_to(self.port), traced()
        growth = (memory - self.memory) * 1000 / max(self.calls, 1)
        failed = f"; {len(FAILED)} raised ({', '.join(sorted(set(FAILED)))})" if FAILED else ""
        FAILED.clear()
        ok = fds <= self.fds and conns <= self.conns and growth < MAX_GROWTH_PER_1000
        print(
            f"{self.name}: {self.calls:,} calls; fds {self.fds} -> {fds}; connections "
            f"{self.conns} -> {conns}; memory {memory - self.memory:+,} B "
            f"({growth:+.1f} B per 1,000 calls){failed} {'ok' if ok else 'FAILED'}",
            flush=True,
        )
        return ok

    def __exit__(self, *exc: object) -> None:
        pass


async def async_phase(url: str, backend: str, calls: int) -> None:
    client = connect(API_KEY, SECRET, base_url=url, async_backend=backend)  # type: ignore[arg-type]
    async with client:
        queue = iter(range(1, calls + 1))

        async def worker() -> None:
            for order_id in queue:
                try:
                    await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=order_id)
                except BinanceError as error:
                    FAILED.append(type(error).__name__)

        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))


def sync_phase(url: str, calls: int) -> None:
    with connect(API_KEY, SECRET, base_url=url) as client:
        lock = threading.Lock()
        queue = iter(range(1, calls + 1))

        def worker() -> None:
            while True:
                with lock:
                    order_id = next(queue, None)
                if order_id is None:
                    return
                try:
                    cancel_order.sync(client=client, symbol=SYMBOL, order_id=order_id)
                except BinanceError as error:
                    FAILED.append(type(error).__name__)

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def open_close_phase(url: str, times: int) -> None:
    for order_id in range(1, times + 1):
        with connect(API_KEY, SECRET, base_url=url) as client:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=order_id)


async def async_open_close_phase(url: str, times: int) -> None:
    for order_id in range(1, times + 1):
        async with connect(API_KEY, SECRET, base_url=url) as client:
            await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=order_id)


def measured(name: str, port: int, calls: int, run: Callable[[int], None]) -> bool:
    run(min(WARM_UP, calls))  # warm: imports, caches, first allocations of every kind
    FAILED.clear()
    with Phase(name, port, calls) as phase:
        run(calls)
    return phase.report()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the calls")
    parser.add_argument(
        "--phases",
        default="asyncio,aiohttp,httpx,sync,open-close,async-open-close",
        help="which phases",
    )
    args = parser.parse_args()
    scale, phases = args.scale, set(args.phases.split(","))
    tracemalloc.start()
    ok = True
    with bench_server(None) as url:
        port = int(url.rsplit(":", 1)[1])
        for backend in sorted({"aiohttp", "httpx", "asyncio"} & phases):
            ok &= measured(
                f"async, {backend} backend, {IN_FLIGHT} in flight",
                port,
                int(ASYNC_CALLS * scale),
                lambda n, b=backend: asyncio.run(async_phase(url, b, n)),  # type: ignore[misc]
            )
        if "sync" in phases:
            ok &= measured(
                f"sync, {THREADS} threads",
                port,
                int(SYNC_CALLS * scale),
                lambda n: sync_phase(url, n),
            )
        if "open-close" in phases:
            ok &= measured(
                "connect() opened, used once and closed",
                port,
                max(int(OPEN_CLOSE * scale), 10),
                lambda n: open_close_phase(url, n),
            )
        if "async-open-close" in phases:
            ok &= measured(
                "async connect() opened, used once and closed (default backend)",
                port,
                max(int(OPEN_CLOSE * scale), 10),
                lambda n: asyncio.run(async_open_close_phase(url, n)),
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Where a cancel spends its CPU: ours next to the httpx floor, by layer, under cProfile.

    python bench/profile_sync.py --url URL --calls N [--cpu C]   # prints one JSON document

Sync: ours next to httpx + hmac by hand. Async at 32 in flight: ours on the aiohttp backend
next to httpx + hmac by hand on that same backend, so the difference is what our layers
(template, auth flow, fault boundary) add.

The profiler's clock is ``time.process_time``, so time blocked in ``recv`` waiting for the
server is not charged to anyone. Absolute figures are inflated by the profiler; the split
between layers, and the difference to the floor, are what to read.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import time
from typing import Any, Final

from clients import CLIENTS, HTTPX_ON_OUR_BACKEND, OURS_ON_AIOHTTP, AsyncClient, SyncClient

PROFILED: Final = ("ours", "httpx + hmac by hand")
PROFILED_ASYNC: Final = (OURS_ON_AIOHTTP, HTTPX_ON_OUR_BACKEND)
IN_FLIGHT: Final = 32
# First match wins: a frame's file decides its layer.
LAYERS: Final = (
    ("generated client", "/binance_coinm_futures/"),
    ("runtime", "/_runtime/"),
    ("httpx", "/httpx/"),
    ("httpcore", "/httpcore/"),
    ("h11", "/h11/"),
    ("aiohttp, yarl, multidict", "/aiohttp/"),
    ("aiohttp, yarl, multidict", "/yarl/"),
    ("aiohttp, yarl, multidict", "/multidict/"),
    ("asyncio", "/asyncio/"),
    ("attrs", "/attr/"),
    ("json", "/json/"),
    ("hmac, hashlib", "/hmac.py"),
    ("urllib.parse", "/urllib/parse.py"),
    ("logging", "/logging/"),
)
TOP: Final = 15


def _layer(filename: str, function: str) -> str:
    for name, marker in LAYERS:
        if marker in filename:
            return name
    if filename == "~":  # C functions: name them by what they are
        if "socket" in function or "select" in function or "poll" in function:
            return "socket I/O (C)"
        return "builtins (C)"
    return "other Python"


def profile(client: SyncClient, url: str, calls: int) -> dict[str, Any]:
    profiler = cProfile.Profile(time.process_time)
    with client.open(url) as cancel:
        for order_id in range(1, calls // 5 + 1):  # warm-up, as the measured runs do
            cancel(order_id)
        profiler.enable()
        for order_id in range(1, calls + 1):
            cancel(order_id)
        profiler.disable()
    return _summary(client.name, profiler, calls)


async def profile_async(client: AsyncClient, url: str, calls: int) -> dict[str, Any]:
    profiler = cProfile.Profile(time.process_time)
    async with client.open(url) as cancel:

        async def lanes(order_ids: range) -> None:
            pending = iter(order_ids)  # shared: each id is sent once

            async def lane() -> None:
                for order_id in pending:
                    await cancel(order_id)

            await asyncio.gather(*(lane() for _ in range(IN_FLIGHT)))

        await lanes(range(1, calls // 5 + 1))
        profiler.enable()
        await lanes(range(calls, 2 * calls))
        profiler.disable()
    return _summary(f"{client.name}, {IN_FLIGHT} in flight", profiler, calls)


def _summary(name: str, profiler: cProfile.Profile, calls: int) -> dict[str, Any]:
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    layers: dict[str, float] = {}
    functions = []
    for (filename, line, function), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        layer = _layer(filename, function)
        layers[layer] = layers.get(layer, 0.0) + tottime
        where = f"{function} ({_short(filename)}:{line})" if filename != "~" else function
        functions.append((tottime, where, layer))
    functions.sort(reverse=True)
    per_call = 1e6 / calls
    return {
        "client": name,
        "calls": calls,
        "total_us_per_call": sum(layers.values()) * per_call,
        "layers_us_per_call": {k: v * per_call for k, v in sorted(layers.items())},
        "top": [
            {"function": where, "layer": layer, "us_per_call": tottime * per_call}
            for tottime, where, layer in functions[:TOP]
        ],
    }


def _short(filename: str) -> str:
    parts = filename.split("/")
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    return "/".join(parts[-2:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--cpu", type=int)
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    results: dict[str, list[dict[str, Any]]] = {"sync": [], "async": []}
    for name in PROFILED:
        client = CLIENTS[name]
        assert isinstance(client, SyncClient)
        results["sync"].append(profile(client, args.url, args.calls))
    for name in PROFILED_ASYNC:
        client = CLIENTS[name]
        assert isinstance(client, AsyncClient)
        results["async"].append(asyncio.run(profile_async(client, args.url, args.calls)))
    print(json.dumps(results))


if __name__ == "__main__":
    main()

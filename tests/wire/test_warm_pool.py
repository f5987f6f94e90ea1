"""A burst of cancels finds the connections the previous burst opened.

A desk pulls its quotes in bursts: 32 cancels at once, then quiet, then again. On the asyncio
(default) and aiohttp backends connect()'s pool keeps as many idle connections as it may open
(up to their idle expiry), so the second burst opens none; with httpx's default of 20 kept,
every burst past 20 paid a new connection each time (a TCP handshake, or TLS), about a quarter
of a storm's CPU per call in `make bench`. httpx's own transports (sync, and
async_backend="httpx") keep httpx's 20, because httpcore's pool costs more per request the
more connections it holds (signing_hook/_backends.py has the figures).
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from binance_coinm_futures import connect
from binance_coinm_futures.api.trade import cancel_order
from tests.wire.scripted import (
    API_KEY,
    MODES,
    SECRET,
    RawServer,
    mode_args,
    raw_server_running,
    reply,
)
from tests.wire.test_success_rule import answer

BURST = 32  # more than httpx's default of 20 kept-alive connections
HTTPCORE_KEPT = 20
#: New connections the second burst may open, by mode.
MAY_OPEN = {"sync": BURST - HTTPCORE_KEPT, "async-httpx": BURST - HTTPCORE_KEPT}
SYMBOL = "BTCUSD_PERP"


def answer_after_a_while(number: int, head: bytes, connection: socket.socket) -> bool:
    """The cancel answer for the order in the request, late enough that the burst's cancels
    are all in flight at once (so the burst needs BURST connections)."""
    found = re.search(rb"orderId=(\d+)", head)
    assert found is not None
    time.sleep(0.2)
    connection.sendall(reply(200, answer(orderId=int(found[1])), close=False))
    return True


def bursts(server: RawServer, mode: str) -> list[int]:
    """The server's connection count after each of two bursts on one client."""
    client = connect(
        api_key=API_KEY, secret=SECRET, base_url=server.url, timeout=5, **mode_args(mode)
    )
    counts: list[int] = []

    def one(order_id: int) -> int:
        return cancel_order.sync(client=client, symbol=SYMBOL, order_id=order_id).order_id

    async def one_async(order_id: int) -> int:
        order = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=order_id)
        return order.order_id

    if mode == "sync":
        with client, ThreadPoolExecutor(BURST) as threads:
            for first in (1, 1 + BURST):
                ids = list(range(first, first + BURST))
                assert list(threads.map(one, ids)) == ids
                counts.append(server.connections)
        return counts

    async def run() -> None:
        async with client:
            for first in (1, 1 + BURST):
                ids = list(range(first, first + BURST))
                assert await asyncio.gather(*map(one_async, ids)) == ids
                counts.append(server.connections)

    asyncio.run(run())
    return counts


@pytest.mark.parametrize("mode", MODES)
def test_a_second_burst_finds_the_kept_connections(mode: str) -> None:
    with raw_server_running(answer_after_a_while) as server:
        first, second = bursts(server, mode)
    assert first == BURST, "the burst's cancels were all in flight at once"
    assert second - first == MAY_OPEN.get(mode, 0), "new connections for the second burst"

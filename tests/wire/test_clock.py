"""A local clock 30 s off the exchange's: the first cancel re-signs once, later ones need none."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from binance_coinm_futures import TimestampRejected, connect
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.testing import LocalExchange, Order
from tests.wire.conftest import KEY_KINDS, credentials

SYMBOL = "BTCUSD_PERP"
TIME_PATH = "/dapi/v1/time"


def seed(exchange: LocalExchange, *order_ids: int) -> None:
    for order_id in order_ids:
        exchange.add_order(Order(order_id=order_id, client_order_id=f"c-{order_id}", symbol=SYMBOL))


def paths(exchange: LocalExchange) -> list[str]:
    return [request.path for request in exchange.requests]


@pytest.mark.parametrize("kind", KEY_KINDS)
@pytest.mark.parametrize("offset_ms", [30_000, -30_000])
def test_sync_cancel_recovers_with_one_resign(
    exchange: LocalExchange, kind: str, offset_ms: int
) -> None:
    exchange.clock_offset_ms = offset_ms
    seed(exchange, 1, 2)
    with connect(base_url=exchange.url, **credentials(kind)) as client:
        assert cancel_order.sync(client=client, symbol=SYMBOL, order_id=1).order_id == 1
        assert paths(exchange) == ["/dapi/v1/order", TIME_PATH, "/dapi/v1/order"]
        assert cancel_order.sync(client=client, symbol=SYMBOL, order_id=2).order_id == 2
    assert paths(exchange)[3:] == ["/dapi/v1/order"]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KEY_KINDS)
@pytest.mark.parametrize("offset_ms", [30_000, -30_000])
async def test_async_cancel_recovers_with_one_resign(
    exchange: LocalExchange, kind: str, offset_ms: int, backend_args: dict[str, Any]
) -> None:
    exchange.clock_offset_ms = offset_ms
    seed(exchange, 1, 2)
    client = connect(base_url=exchange.url, **credentials(kind), **backend_args)
    async with client:
        await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)
        await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=2)
    assert paths(exchange) == ["/dapi/v1/order", TIME_PATH, "/dapi/v1/order", "/dapi/v1/order"]


def test_sync_clock_at_connect_avoids_any_rejection(exchange: LocalExchange) -> None:
    exchange.clock_offset_ms = -30_000
    seed(exchange, 1)
    with connect(base_url=exchange.url, sync_clock=True, **credentials("hmac")) as client:
        cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert paths(exchange) == [TIME_PATH, "/dapi/v1/order"]


def test_threads_sharing_one_client(exchange: LocalExchange) -> None:
    exchange.clock_offset_ms = 30_000
    seed(exchange, *range(1, 17))
    errors: list[BaseException] = []
    with connect(base_url=exchange.url, **credentials("hmac")) as client:

        def cancel(order_id: int) -> None:
            try:
                cancel_order.sync(client=client, symbol=SYMBOL, order_id=order_id)
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=cancel, args=(i,)) for i in range(1, 17)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert exchange.open_orders == [] or all(o.order_id > 16 for o in exchange.open_orders)
    # Each call re-signs at most once; only calls that raced the first correction fetch the time.
    assert paths(exchange).count(TIME_PATH) <= paths(exchange).count("/dapi/v1/order") - 16


@pytest.mark.anyio
async def test_tasks_sharing_one_client(
    exchange: LocalExchange, backend_args: dict[str, Any]
) -> None:
    exchange.clock_offset_ms = -30_000
    seed(exchange, *range(1, 17))
    client = connect(base_url=exchange.url, **credentials("ed25519"), **backend_args)
    async with client:
        orders = await asyncio.gather(
            *(cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=i) for i in range(1, 17))
        )
    assert sorted(order.order_id for order in orders) == list(range(1, 17))
    deletes = paths(exchange).count("/dapi/v1/order")
    assert 16 < deletes <= 32


def test_still_rejected_after_one_resign_raises(exchange: LocalExchange) -> None:
    seed(exchange, 1)
    calls = 0

    def clock_that_jumps_back() -> int:
        # Right for the first signature and the time fetch, then a minute behind.
        nonlocal calls
        calls += 1
        now = time.time_ns() // 1_000_000
        return now - 60_000 if calls <= 3 else now - 120_000

    with connect(
        base_url=exchange.url,
        clock=clock_that_jumps_back,
        **credentials("hmac"),
    ) as client:
        with pytest.raises(TimestampRejected) as raised:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert raised.value.code == -1021
    assert paths(exchange) == ["/dapi/v1/order", TIME_PATH, "/dapi/v1/order"]

"""cancel_and_confirm over a real socket to the local exchange, sync and async.

Each test asserts the exact requests (method and path) the exchange received, so the number
of requests a case costs is part of what is tested.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from typing import Any

import anyio
import pytest

import binance_coinm_futures
from binance_coinm_futures import (
    ExecutionStatusUnknown,
    InvalidParameter,
    OrderState,
    UnknownOrder,
    cancel_and_confirm,
    cancel_and_confirm_async,
    connect,
)
from binance_coinm_futures.testing import Fault, LocalExchange, Order
from tests.conftest import ROOT
from tests.wire.conftest import credentials, seen
from tests.wire.scripted import mode_args

SYMBOL = "BTCUSD_PERP"
ORDER_ID = 880_001
CLIENT_ID = "confirm:desk/1"
CANCEL = ("DELETE", "/dapi/v1/order")
QUERY = ("GET", "/dapi/v1/order")
ALGO_QUERY = ("GET", "/dapi/v1/algoOrder")
"""After a regular id's -2013: does the algo service hold a conditional order by that id?"""
NOT_IN_EITHER = "It is not open, and the algo service holds no conditional order by that id"
MODES = ["sync", "async"]
FAST = {"backoff": 0.01}
"""Waits of 10 ms, doubling: the wire tests are about which requests go out, not when."""


def confirm(
    mode: str, exchange: LocalExchange, timeout: float = 5.0, **arguments: Any
) -> OrderState:
    """cancel_and_confirm (or its async form) through a fresh client of the exchange.

    ``mode`` is "sync", "async" (the default backend) or one of scripted.MODES.
    """
    backend = {} if mode in ("sync", "async") else mode_args(mode)
    client = connect(base_url=exchange.url, timeout=timeout, **credentials("hmac"), **backend)
    arguments = {"symbol": SYMBOL, **FAST, **arguments}
    if mode == "sync":
        with client:
            return cancel_and_confirm(client=client, **arguments)

    async def run() -> OrderState:
        async with client:
            return await cancel_and_confirm_async(client=client, **arguments)

    return anyio.run(run)


@pytest.fixture
def order(exchange: LocalExchange) -> Order:
    placed = Order(ORDER_ID, CLIENT_ID, SYMBOL)
    exchange.add_order(placed)
    return placed


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("by", ["order_id", "orig_client_order_id"])
def test_plain_cancel_costs_exactly_one_request(
    exchange: LocalExchange, order: Order, mode: str, by: str
) -> None:
    target = {"order_id": ORDER_ID} if by == "order_id" else {"orig_client_order_id": CLIENT_ID}
    state = confirm(mode, exchange, **target)
    assert seen(exchange) == [CANCEL]
    assert (state.order_id, state.client_order_id, state.status) == (
        ORDER_ID,
        CLIENT_ID,
        "CANCELED",
    )
    assert (state.source, state.requests_sent) == ("cancel", 1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "fault",
    [Fault.UNKNOWN_ERROR_503, Fault.TIMEOUT_1007, Fault.MESSAGE_BUS_1006, Fault.MALFORMED_JSON],
)
def test_cancel_done_but_answered_unknown_is_confirmed_by_a_query(
    exchange: LocalExchange, order: Order, mode: str, fault: Fault
) -> None:
    exchange.inject(fault)
    state = confirm(mode, exchange, order_id=ORDER_ID)
    assert seen(exchange) == [CANCEL, QUERY]
    assert (state.status, state.source, state.requests_sent) == ("CANCELED", "query", 2)
    assert state.executed_qty == "0"


@pytest.mark.parametrize("mode", MODES)
def test_cancel_done_but_stalled_past_the_read_timeout(
    exchange: LocalExchange, order: Order, mode: str
) -> None:
    exchange.slow_seconds = 1.0
    exchange.inject(Fault.SLOW)
    state = confirm(mode, exchange, timeout=0.3, order_id=ORDER_ID)
    assert seen(exchange) == [CANCEL, QUERY]
    assert (state.status, state.source) == ("CANCELED", "query")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "fault",
    [Fault.UNKNOWN_ERROR_503_NOT_EXECUTED, Fault.BAD_GATEWAY_HTML, Fault.CONNECTION_RESET],
)
def test_still_open_after_an_unknown_cancel_is_cancelled_again(
    exchange: LocalExchange, order: Order, mode: str, fault: Fault
) -> None:
    exchange.inject(fault)
    state = confirm(mode, exchange, order_id=ORDER_ID)
    assert seen(exchange) == [CANCEL, QUERY, CANCEL]
    assert (state.status, state.source, state.requests_sent) == ("CANCELED", "cancel", 3)


@pytest.mark.parametrize("mode", MODES)
def test_already_cancelled_order_returns_canceled(
    exchange: LocalExchange, order: Order, mode: str
) -> None:
    first = confirm(mode, exchange, order_id=ORDER_ID)
    second = confirm(mode, exchange, order_id=ORDER_ID)
    # The second cancel meets -2011; the query says what became of the order.
    assert seen(exchange) == [CANCEL, CANCEL, QUERY]
    assert (first.status, first.source) == ("CANCELED", "cancel")
    assert (second.status, second.source) == ("CANCELED", "query")


@pytest.mark.parametrize("mode", MODES)
def test_already_filled_order_returns_filled(exchange: LocalExchange, mode: str) -> None:
    exchange.add_order(Order(ORDER_ID, CLIENT_ID, SYMBOL, status="FILLED", executed_qty="1"))
    state = confirm(mode, exchange, orig_client_order_id=CLIENT_ID)
    assert seen(exchange) == [CANCEL, QUERY]
    assert (state.status, state.executed_qty, state.source) == ("FILLED", "1", "query")


@pytest.mark.parametrize("mode", MODES)
def test_order_that_never_existed_raises_unknown_order(exchange: LocalExchange, mode: str) -> None:
    with pytest.raises(UnknownOrder) as raised:
        confirm(mode, exchange, order_id=ORDER_ID + 1)
    assert seen(exchange) == [CANCEL, QUERY, ALGO_QUERY]
    assert (raised.value.status, raised.value.code) == (400, -2013)
    # "Not found" is all Binance said: the message leaves "created long ago" open too.
    assert f"Binance no longer finds {SYMBOL} order {ORDER_ID + 1}" in raised.value.msg
    assert (
        "it never existed as a regular order, or it was created more than 3 days"
        in raised.value.msg
    )
    assert "this very call" not in raised.value.msg
    assert NOT_IN_EITHER in raised.value.msg


# Binance's COIN-M "Query Order (USER_DATA)" page
# (developers.binance.com/docs/derivatives/coin-margined-futures/trade/Query-Order, read
# 2026-11-24; binance-live-2026.md, "Reconciling an unknown outcome"): a CANCELED / EXPIRED
# order without fills is no longer found once its creation time + 3 days < now; -2013.
FOUR_DAYS_MS = 4 * 24 * 60 * 60 * 1000


@pytest.mark.parametrize("mode", MODES)
def test_old_order_cancelled_by_this_call_whose_answer_was_lost(
    exchange: LocalExchange, mode: str
) -> None:
    exchange.add_order(
        Order(ORDER_ID, CLIENT_ID, SYMBOL), created_ms=exchange.server_time_ms() - FOUR_DAYS_MS
    )
    exchange.inject(Fault.UNKNOWN_ERROR_503)  # the cancel is done; its answer says "unknown"
    with pytest.raises(UnknownOrder) as raised:
        confirm(mode, exchange, order_id=ORDER_ID)
    assert seen(exchange) == [CANCEL, QUERY, ALGO_QUERY]
    cancelled = exchange.order(ORDER_ID)
    assert cancelled is not None
    assert cancelled.status == "CANCELED"
    assert ORDER_ID not in [held.order_id for held in exchange.open_orders]
    assert (raised.value.status, raised.value.code) == (400, -2013)
    assert "possibly cancelled by this very call, whose answer was lost" in raised.value.msg
    assert (
        "it never existed as a regular order, or it was created more than 3 days"
        in raised.value.msg
    )
    assert NOT_IN_EITHER in raised.value.msg


@pytest.mark.parametrize("mode", MODES)
def test_old_order_found_open_then_cancelled_with_its_answer_lost(
    exchange: LocalExchange, mode: str
) -> None:
    exchange.add_order(
        Order(ORDER_ID, CLIENT_ID, SYMBOL), created_ms=exchange.server_time_ms() - FOUR_DAYS_MS
    )
    exchange.inject(Fault.UNKNOWN_ERROR_503_NOT_EXECUTED)  # not done: the query finds it NEW
    exchange.inject(Fault.UNKNOWN_ERROR_503)  # the second cancel is done, its answer lost
    with pytest.raises(UnknownOrder) as raised:
        confirm(mode, exchange, order_id=ORDER_ID)
    assert seen(exchange) == [CANCEL, QUERY, CANCEL, QUERY, ALGO_QUERY]
    assert ORDER_ID not in [held.order_id for held in exchange.open_orders]
    assert raised.value.code == -2013
    # The first query saw the order, so "never existed" is no longer among the possibilities.
    assert "a query of this call found it open" in raised.value.msg
    assert "never existed" not in raised.value.msg
    assert "possibly cancelled by this very call" in raised.value.msg


@pytest.mark.parametrize("mode", MODES)
def test_old_order_cancelled_before_answers_minus_2011_then_not_found(
    exchange: LocalExchange, mode: str
) -> None:
    exchange.add_order(
        Order(ORDER_ID, CLIENT_ID, SYMBOL, status="CANCELED"),
        created_ms=exchange.server_time_ms() - FOUR_DAYS_MS,
    )
    with pytest.raises(UnknownOrder) as raised:
        confirm(mode, exchange, orig_client_order_id=CLIENT_ID)
    assert seen(exchange) == [CANCEL, QUERY, ALGO_QUERY]
    assert raised.value.code == -2013
    assert f"{SYMBOL} order {CLIENT_ID!r}" in raised.value.msg
    assert (
        "it never existed as a regular order, or it was created more than 3 days"
        in raised.value.msg
    )
    assert "this very call" not in raised.value.msg


@pytest.mark.parametrize("mode", MODES)
def test_queries_that_keep_failing_never_exceed_the_bound(
    exchange: LocalExchange, order: Order, mode: str
) -> None:
    exchange.inject(Fault.UNKNOWN_ERROR_503)
    exchange.inject(Fault.SERVICE_UNAVAILABLE_503, times=50, method="GET")
    with pytest.raises(ExecutionStatusUnknown, match="bound of 4 requests") as raised:
        confirm(mode, exchange, order_id=ORDER_ID, max_requests=4)
    assert seen(exchange) == [CANCEL, QUERY, QUERY, QUERY]
    assert "query: ServiceUnavailable" in str(raised.value)


@pytest.mark.parametrize("mode", MODES)
def test_each_query_is_freshly_signed(exchange: LocalExchange, order: Order, mode: str) -> None:
    exchange.inject(Fault.TIMEOUT_1007)
    exchange.inject(Fault.MESSAGE_BUS_1006, method="GET")
    state = confirm(mode, exchange, order_id=ORDER_ID)
    assert seen(exchange) == [CANCEL, QUERY, QUERY]
    queries = [request.raw_target for request in exchange.requests[1:]]
    assert queries[0] != queries[1]  # a new timestamp and signature, not a replay
    assert all(b"&signature=" in target for target in queries)
    assert state.status == "CANCELED"


def run_readme_example(
    heading: str, exchange: LocalExchange, monkeypatch: pytest.MonkeyPatch
) -> str:
    """Run the first Python block under ``heading`` in README.md against ``exchange``; its output.

    The README's placeholder credentials must be registered on the exchange as they are.
    """
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index(heading) :]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None
    monkeypatch.setattr(
        binance_coinm_futures,
        "connect",
        functools.partial(binance_coinm_futures.connect, base_url=exchange.url),
    )
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(block.group(1), "README.md", "exec"), {})  # noqa: S102
    return output.getvalue()


def test_readme_example_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalExchange(api_keys={"...": "..."}) as exchange:
        exchange.add_order(Order(4612097861, "readme-1", SYMBOL))
        exchange.inject(Fault.UNKNOWN_ERROR_503)
        output = run_readme_example("## When the outcome is unknown", exchange, monkeypatch)
        assert seen(exchange) == [CANCEL, QUERY]
    assert output.split() == ["CANCELED", "0", "query"]


@pytest.mark.parametrize("mode", MODES)
def test_queries_ride_out_maintenance_and_resets(
    exchange: LocalExchange, order: Order, mode: str
) -> None:
    exchange.inject(Fault.UNKNOWN_ERROR_503)
    for fault in (Fault.MAINTENANCE_NO_CODE, Fault.CONNECTION_RESET, Fault.MAINTENANCE_1016):
        exchange.inject(fault, method="GET")
    state = confirm(mode, exchange, order_id=ORDER_ID)
    assert seen(exchange) == [CANCEL, QUERY, QUERY, QUERY, QUERY]
    assert (state.status, state.source, state.requests_sent) == ("CANCELED", "query", 5)


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_first_cancel_is_raised_without_a_query(
    exchange: LocalExchange, mode: str
) -> None:
    with pytest.raises(InvalidParameter) as raised:
        confirm(mode, exchange, symbol="NOPEUSD_PERP", order_id=ORDER_ID)
    assert seen(exchange) == [CANCEL]
    assert raised.value.code == -1121


@pytest.mark.parametrize("mode", MODES)
def test_a_timestamp_resync_inside_one_call_is_not_a_call_of_its_own(
    exchange: LocalExchange, order: Order, mode: str
) -> None:
    # The exchange clock runs 30 s ahead: the first cancel meets -1021, and the signing hook
    # reads the server time and re-signs once, inside the one cancel call.
    exchange.clock_offset_ms = 30_000
    state = confirm(mode, exchange, order_id=ORDER_ID)
    assert seen(exchange) == [CANCEL, ("GET", "/dapi/v1/time"), CANCEL]
    assert (state.status, state.source, state.requests_sent) == ("CANCELED", "cancel", 1)

"""The local exchange's algo service: its controls, listing, windows and refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from binance_coinm_futures import (
    ExecutionStatusUnknown,
    InvalidParameter,
    RateLimited,
    UnknownOrder,
    connect,
)
from binance_coinm_futures.api.trade import (
    cancel_algo_order,
    cancel_order,
    current_all_algo_open_orders,
    query_algo_order,
)
from binance_coinm_futures.client import AuthenticatedClient
from binance_coinm_futures.testing import DEMO_API_KEY, DEMO_SECRET, Fault, LocalExchange

SYMBOL = "BTCUSD_PERP"
DAY_MS = 24 * 60 * 60 * 1000


@pytest.fixture
def exchange() -> Iterator[LocalExchange]:
    with LocalExchange(orders=[]) as running:
        yield running


@pytest.fixture
def client(exchange: LocalExchange) -> Iterator[AuthenticatedClient]:
    with connect(DEMO_API_KEY, DEMO_SECRET, base_url=exchange.url) as connected:
        yield connected


def test_open_algo_orders_by_symbol_and_in_all(
    exchange: LocalExchange, client: AuthenticatedClient
) -> None:
    btc = exchange.add_algo_order(SYMBOL)
    eth = exchange.add_algo_order("ETHUSD_PERP", order_type="TAKE_PROFIT", price="3000")
    cancelled = exchange.add_algo_order(SYMBOL, algo_status="CANCELED")
    assert [o.algo_id for o in current_all_algo_open_orders.sync(client=client, symbol=SYMBOL)] == [
        btc.algo_id
    ]
    every = current_all_algo_open_orders.sync(client=client)
    assert [o.algo_id for o in every] == [btc.algo_id, eth.algo_id]
    assert cancelled.algo_id not in [o.algo_id for o in exchange.open_algo_orders]
    with pytest.raises(InvalidParameter) as raised:
        current_all_algo_open_orders.sync(client=client, symbol="NOPEUSD_PERP")
    assert raised.value.code == -1121


def test_a_triggered_stop_is_found_for_90_days_then_not(
    exchange: LocalExchange, client: AuthenticatedClient
) -> None:
    now = exchange.server_time_ms()
    recent = exchange.add_algo_order(SYMBOL, algo_status="FINISHED", created_ms=now - 89 * DAY_MS)
    old = exchange.add_algo_order(SYMBOL, algo_status="FINISHED", created_ms=now - 91 * DAY_MS)
    assert query_algo_order.sync(client=client, algo_id=recent.algo_id).algo_status == "FINISHED"
    with pytest.raises(UnknownOrder) as raised:
        query_algo_order.sync(client=client, algo_id=old.algo_id)
    assert raised.value.code == -2013


def test_a_triggered_limit_stop_finishes_when_its_order_leaves_the_book(
    exchange: LocalExchange, client: AuthenticatedClient
) -> None:
    stop = exchange.add_algo_order(SYMBOL, order_type="TAKE_PROFIT", price="40000")
    placed = exchange.trigger_algo_order(stop.algo_id)
    answer = query_algo_order.sync(client=client, algo_id=stop.algo_id)
    assert (answer.algo_status, answer.actual_order_id) == ("TRIGGERED", str(placed.order_id))
    assert (placed.type, placed.orig_type, placed.status) == ("LIMIT", "TAKE_PROFIT", "NEW")
    with pytest.raises(UnknownOrder):  # no longer armed: its cancel is refused
        cancel_algo_order.sync(client=client, algo_id=stop.algo_id)
    with pytest.raises(ValueError, match="is not armed"):
        exchange.trigger_algo_order(stop.algo_id)
    cancel_order.sync(client=client, symbol=SYMBOL, order_id=placed.order_id)
    assert query_algo_order.sync(client=client, algo_id=stop.algo_id).algo_status == "FINISHED"


def test_faults_are_per_path(exchange: LocalExchange, client: AuthenticatedClient) -> None:
    stop = exchange.add_algo_order(SYMBOL)
    exchange.inject(Fault.RATE_LIMITED, path="/dapi/v1/algoOrder", method="GET")
    exchange.inject(Fault.MESSAGE_BUS_1006, path="/dapi/v1/algoOrder")
    with pytest.raises(RateLimited):
        query_algo_order.sync(client=client, algo_id=stop.algo_id)
    with pytest.raises(ExecutionStatusUnknown):  # done, its answer replaced
        cancel_algo_order.sync(client=client, algo_id=stop.algo_id)
    held = exchange.algo_order(stop.algo_id)
    assert held is not None
    assert held.algo_status == "CANCELED"


@pytest.mark.parametrize(
    ("path", "method", "complaint"),
    [
        ("/dapi/v1/nothing", "GET", "path must be one of /dapi/v1/order"),
        ("/dapi/v1/openAlgoOrders", "DELETE", "method must be one of GET, got 'DELETE'"),
    ],
)
def test_inject_refuses_an_unknown_path_or_method(
    exchange: LocalExchange, path: str, method: str, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        exchange.inject(Fault.SLOW, method=method, path=path)


def test_a_running_exchanges_fault_command_reaches_the_algo_paths() -> None:
    # Issue 19: a running exchange queues faults on any path; the algo service's paths
    # (issue 17) are paths too.
    from binance_coinm_futures.testing._control import run_command

    with LocalExchange() as exchange:
        stop = exchange.add_algo_order(SYMBOL, order_type="STOP_MARKET")
        assert run_command(exchange, "fault rate_limited DELETE /dapi/v1/algoOrder") == (
            "ok: rate_limited x1 queued for DELETE /dapi/v1/algoOrder"
        )
        assert run_command(exchange, "fault slow GET /dapi/v1/nowhere").startswith(
            "error: path must be one of /dapi/v1/order"
        )
        with (
            connect(api_key=DEMO_API_KEY, secret=DEMO_SECRET, base_url=exchange.url) as client,
            pytest.raises(RateLimited),
        ):
            cancel_algo_order.sync(client=client, algo_id=stop.algo_id)
        assert exchange.open_algo_orders == [stop]

"""A status openapi.yaml does not document, over a real socket, sync and on every async backend.

openapi.yaml says what each documented status means (``x-binance-statuses``): for a regular
order NEW, PARTIALLY_FILLED, FILLED, CANCELED and EXPIRED (binance-live-2026.md, the 2026-06
COIN-M Cancel Order change), for an algo order NEW, TRIGGERING, TRIGGERED, FINISHED, CANCELED,
REJECTED and EXPIRED (Binance's USDⓈ-M page "Event: Algo Order Update", unverified for
COIN-M). Any other status is no proof that the order is off the book: cancel_and_confirm
queries again, and names the status when its bound runs out. The open-order listings hold
open orders only (``x-binance-item-statuses``): a listed item in another status is not the
documented answer, so flatten_book never concludes from it that the book is flat.

The local exchange's UNKNOWN_ENUM fault answers with a status no Binance page documents.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from binance_coinm_futures import (
    ExecutionStatusUnknown,
    FlatBook,
    connect,
    flatten_book,
    flatten_book_async,
)
from binance_coinm_futures.api.trade import current_all_algo_open_orders, current_all_open_orders
from binance_coinm_futures.testing import Fault, LocalExchange, Order
from tests.wire.conftest import credentials, direct, seen
from tests.wire.scripted import MODES, mode_args
from tests.wire.test_confirm import confirm

SYMBOL = "BTCUSD_PERP"
ORDER_ID = 880_101
ORDER = "/dapi/v1/order"
ALGO = "/dapi/v1/algoOrder"
OPEN_ALGO = "/dapi/v1/openAlgoOrders"
OPEN = "/dapi/v1/openOrders"
#: The local exchange's UNKNOWN_ENUM statuses (local_exchange/_faults.py).
UNKNOWN_STATUS = "EXPIRED_IN_MATCH_2027"
UNKNOWN_ALGO_STATUS = "PAUSED_2027"


def flatten(mode: str, exchange: LocalExchange, **bounds: Any) -> FlatBook:
    client = connect(base_url=exchange.url, timeout=5.0, **credentials("hmac"), **mode_args(mode))
    arguments = {"symbol": SYMBOL, "backoff": 0.01, **bounds}
    if mode == "sync":
        with client:
            return flatten_book(client=client, **arguments)

    async def run() -> FlatBook:
        async with client:
            return await flatten_book_async(client=client, **arguments)

    return anyio.run(run)


# -- cancel_and_confirm: an undocumented status is queried again --------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_an_undocumented_order_status_is_queried_again_until_a_documented_one(
    exchange: LocalExchange, mode: str
) -> None:
    exchange.add_order(Order(ORDER_ID, "desk:1", SYMBOL))
    exchange.inject(Fault.UNKNOWN_ERROR_503)  # the cancel is done, its answer lost
    exchange.inject(Fault.UNKNOWN_ENUM, 2, method="GET")
    state = confirm(mode, exchange, order_id=ORDER_ID)
    assert seen(exchange) == [("DELETE", ORDER)] + [("GET", ORDER)] * 3
    assert (state.status, state.source, state.requests_sent) == ("CANCELED", "query", 4)


@pytest.mark.parametrize("mode", MODES)
def test_an_undocumented_order_status_until_the_bound_is_status_unknown_naming_it(
    exchange: LocalExchange, mode: str
) -> None:
    exchange.add_order(Order(ORDER_ID, "desk:1", SYMBOL))
    exchange.inject(Fault.UNKNOWN_ERROR_503)
    exchange.inject(Fault.UNKNOWN_ENUM, 5, method="GET")
    with pytest.raises(ExecutionStatusUnknown) as raised:
        confirm(mode, exchange, order_id=ORDER_ID, max_requests=3)
    assert seen(exchange) == [("DELETE", ORDER), ("GET", ORDER), ("GET", ORDER)]
    message = str(raised.value)
    assert f"status {UNKNOWN_STATUS!r}, which openapi.yaml does not document" in message
    assert "no proof that the order is off the book" in message


@pytest.mark.parametrize("mode", MODES)
def test_an_undocumented_algo_status_is_queried_again_until_a_documented_one(
    exchange: LocalExchange, mode: str
) -> None:
    stop = exchange.add_algo_order(SYMBOL, order_type="STOP_MARKET")
    exchange.inject(Fault.UNKNOWN_ERROR_503, path=ALGO)
    exchange.inject(Fault.UNKNOWN_ENUM, 2, method="GET", path=ALGO)
    state = confirm(mode, exchange, algo_id=stop.algo_id)
    assert seen(exchange) == [("DELETE", ALGO)] + [("GET", ALGO)] * 3
    assert (state.service, state.algo_status, state.requests_sent) == ("algo", "CANCELED", 4)


@pytest.mark.parametrize("mode", MODES)
def test_an_undocumented_algo_status_until_the_bound_is_status_unknown_naming_it(
    exchange: LocalExchange, mode: str
) -> None:
    stop = exchange.add_algo_order(SYMBOL, order_type="STOP_MARKET")
    exchange.inject(Fault.UNKNOWN_ERROR_503_NOT_EXECUTED, path=ALGO)  # still armed
    exchange.inject(Fault.UNKNOWN_ENUM, 5, method="GET", path=ALGO)
    with pytest.raises(ExecutionStatusUnknown) as raised:
        confirm(mode, exchange, algo_id=stop.algo_id, max_requests=3)
    assert seen(exchange) == [("DELETE", ALGO), ("GET", ALGO), ("GET", ALGO)]
    assert f"status {UNKNOWN_ALGO_STATUS!r}, which openapi.yaml does not document" in str(
        raised.value
    )
    held = exchange.algo_order(stop.algo_id)
    assert held is not None
    assert held.algo_status == "NEW"  # it was never called done: it is still armed


# -- the open-order listings hold open orders only ---------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("path", "endpoint", "problem"),
    [
        (OPEN_ALGO, current_all_algo_open_orders, f"'algoStatus' {UNKNOWN_ALGO_STATUS!r}"),
        (OPEN, current_all_open_orders, f"'status' {UNKNOWN_STATUS!r}"),
    ],
)
def test_a_listed_item_that_is_not_open_is_not_the_documented_listing(
    exchange: LocalExchange, mode: str, path: str, endpoint: Any, problem: str
) -> None:
    exchange.add_order(Order(ORDER_ID, "desk:1", SYMBOL))
    exchange.add_algo_order(SYMBOL)
    exchange.inject(Fault.UNKNOWN_ENUM, method="GET", path=path)
    with pytest.raises(ExecutionStatusUnknown) as raised:
        direct(mode, exchange, endpoint, symbol=SYMBOL)
    assert f"item 0: {problem}, not the documented" in str(raised.value)
    # Once the items are open again, the same listing is a success.
    listed = direct(mode, exchange, endpoint, symbol=SYMBOL)
    assert listed
    assert {getattr(item, "algo_status", getattr(item, "status", None)) for item in listed} <= {
        "NEW",
        "TRIGGERING",
    }


@pytest.mark.parametrize("mode", MODES)
def test_a_flat_book_is_not_concluded_from_a_listing_with_an_item_not_open(
    exchange: LocalExchange, mode: str
) -> None:
    """Each listing of the algo service shows an item in an undocumented status: flatten_book
    lists again within its bound, and then says it could not confirm a flat book."""
    exchange.add_algo_order(SYMBOL)
    exchange.inject(Fault.UNKNOWN_ENUM, 20, method="GET", path=OPEN_ALGO)
    with pytest.raises(ExecutionStatusUnknown) as raised:
        flatten(mode, exchange, max_requests=6)
    message = str(raised.value)
    assert message.startswith(f"could not confirm a flat book for {SYMBOL}")
    assert f"'algoStatus' {UNKNOWN_ALGO_STATUS!r}, not the documented 'NEW' or 'TRIGGERING'" in (
        message
    )
    assert "what the lists could not show" in message


@pytest.mark.parametrize("mode", MODES)
def test_a_flat_book_lists_again_past_one_listing_with_an_item_not_open(
    exchange: LocalExchange, mode: str
) -> None:
    stop = exchange.add_algo_order(SYMBOL)
    exchange.inject(Fault.UNKNOWN_ENUM, method="GET", path=OPEN_ALGO)
    book = flatten(mode, exchange)
    assert [order.algo_id for order in book.algo_open_before] == [stop.algo_id]
    assert (book.open_after, book.algo_open_after) == ((), ())
    # The first algo listing was not the documented answer, so it was asked again.
    listings = [path for method, path in seen(exchange) if path == OPEN_ALGO]
    assert len(listings) >= 3

"""Bulk cancels over a real socket, sync and on every async backend: the batch, cancel_many and
flatten_book against the local exchange (which verifies every signature by Binance's rules),
and a batch answer's odd items from a scripted server."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import unquote

import anyio
import pytest

from binance_coinm_futures import (
    BinanceError,
    ExecutionStatusUnknown,
    FlatBook,
    InvalidRequest,
    UnknownOrder,
    cancel_batch,
    cancel_batch_async,
    cancel_many,
    cancel_many_async,
    connect,
    flatten_book,
    flatten_book_async,
)
from binance_coinm_futures.api.trade import cancel_multiple_orders
from binance_coinm_futures.client import AuthenticatedClient
from binance_coinm_futures.models import CancelOrderResponse
from binance_coinm_futures.testing import Fault, LocalExchange, Order
from tests.wire.conftest import KEY_KINDS, credentials, seen
from tests.wire.scripted import MODES, call, mode_args, reply, scripted_server

SYMBOL = "BTCUSD_PERP"
BATCH = ("DELETE", "/dapi/v1/batchOrders")
CANCEL_ALL = ("DELETE", "/dapi/v1/allOpenOrders")
CANCEL_ALL_ALGO = ("DELETE", "/dapi/v1/algoOpenOrders")
LIST = ("GET", "/dapi/v1/openOrders")
LIST_ALGO = ("GET", "/dapi/v1/openAlgoOrders")
TRICKY_IDS = ["desk:7/quote-01", "btc.ladder_03", "ETH/hedge:2", "A.b_c-9:/"]

T = TypeVar("T")


def through(
    mode: str,
    url: str,
    sync: Callable[[AuthenticatedClient], T],
    asynchronous: Callable[[AuthenticatedClient], Awaitable[T]],
    kind: str = "hmac",
) -> T:
    """Run the sync or the async form through a fresh client in ``mode``."""
    client = connect(base_url=url, timeout=5.0, **credentials(kind), **mode_args(mode))
    if mode == "sync":
        with client:
            return sync(client)

    async def run() -> T:
        async with client:
            return await asynchronous(client)

    return anyio.run(run)


def batch(mode: str, url: str, kind: str = "hmac", **arguments: Any) -> list[Any]:
    arguments = {"symbol": SYMBOL, **arguments}
    return through(
        mode,
        url,
        lambda c: cancel_batch(client=c, **arguments),
        lambda c: cancel_batch_async(client=c, **arguments),
        kind,
    )


def add_orders(exchange: LocalExchange, ids: range, symbol: str = SYMBOL) -> None:
    for order_id in ids:
        exchange.add_order(Order(order_id, f"q-{order_id}", symbol))


# -- the batch --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_mixed_batch_gives_one_typed_result_per_id_in_order(
    mode: str, exchange: LocalExchange
) -> None:
    add_orders(exchange, range(700, 703))
    results = batch(mode, exchange.url, order_ids=[702, 999_999, 700, 701])

    assert [type(r).__name__ for r in results] == [
        "CancelOrderResponse",
        "UnknownOrder",
        "CancelOrderResponse",
        "CancelOrderResponse",
    ]
    assert [r.order_id for r in results if isinstance(r, CancelOrderResponse)] == [702, 700, 701]
    unknown = results[1]
    assert isinstance(unknown, UnknownOrder)
    assert (unknown.code, unknown.msg, unknown.status) == (-2011, "Unknown order sent.", None)
    assert seen(exchange) == [BATCH]
    assert all(exchange.order(i).status == "CANCELED" for i in range(700, 703))  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", KEY_KINDS)
@pytest.mark.parametrize("mode", MODES)
def test_tricky_client_ids_are_signed_over_the_bytes_sent(
    mode: str, kind: str, exchange: LocalExchange
) -> None:
    for number, client_id in enumerate(TRICKY_IDS):
        exchange.add_order(Order(810 + number, client_id, SYMBOL))
    results = batch(mode, exchange.url, kind, orig_client_order_ids=TRICKY_IDS)

    assert [r.client_order_id for r in results if isinstance(r, CancelOrderResponse)] == TRICKY_IDS
    target = exchange.requests[-1].target
    sent = target.partition("origClientOrderIdList=")[2].partition("&")[0]
    # Compact JSON, percent-encoded: quotes, brackets, commas, ':' and '/' all encoded.
    assert sent == (
        "%5B%22desk%3A7%2Fquote-01%22%2C%22btc.ladder_03%22%2C%22ETH%2Fhedge%3A2%22%2C"
        "%22A.b_c-9%3A%2F%22%5D"
    )
    assert json.loads(unquote(sent)) == TRICKY_IDS


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("count", [1, 10])
def test_one_and_ten_ids_are_one_request(mode: str, count: int, exchange: LocalExchange) -> None:
    add_orders(exchange, range(900, 900 + count))
    results = batch(mode, exchange.url, order_ids=list(range(900, 900 + count)))

    assert [r.order_id for r in results if isinstance(r, CancelOrderResponse)] == list(
        range(900, 900 + count)
    )
    assert seen(exchange) == [BATCH]
    sent = exchange.requests[0].target.partition("orderIdList=")[2].partition("&")[0]
    assert unquote(sent) == json.dumps(list(range(900, 900 + count)), separators=(",", ":"))


BAD_BATCHES: dict[str, tuple[dict[str, Any], str]] = {
    "no ids": ({"order_ids": []}, "at least 1"),
    "eleven ids": ({"order_ids": list(range(1, 12))}, "at most 10"),
    "both lists": (
        {"order_ids": [1], "orig_client_order_ids": ["a"]},
        "pass exactly one of order_ids or orig_client_order_ids, got order_ids and orig_client",
    ),
    "neither list": ({}, "pass exactly one of order_ids or orig_client_order_ids, got neither"),
    "a quote in an id": ({"orig_client_order_ids": ['desk"7']}, "does not match"),
    "a negative id": ({"order_ids": [-5]}, "between 1 and"),
    "a string for an id": ({"order_ids": ["7"]}, "must be an integer"),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", sorted(BAD_BATCHES))
def test_bad_batches_are_refused_with_nothing_sent(
    mode: str, case: str, exchange: LocalExchange
) -> None:
    arguments, words = BAD_BATCHES[case]
    with pytest.raises(InvalidRequest, match=words):
        batch(mode, exchange.url, **arguments)
    assert exchange.requests == []


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"order_id_list": list(range(1, 12))}, "order_id_list must hold at most 10 ids, got 11"),
        ({"order_id_list": []}, "order_id_list must hold at least 1 ids, got 0"),
        (
            {"order_id_list": [1], "orig_client_order_id_list": ["a"]},
            "pass exactly one of order_id_list or orig_client_order_id_list, got order_id_list "
            "and orig_client_order_id_list",
        ),
        ({}, "pass exactly one of order_id_list or orig_client_order_id_list, got neither"),
    ],
)
def test_the_generated_function_refuses_bad_lists_before_sending(
    exchange: LocalExchange, arguments: dict[str, Any], words: str
) -> None:
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        with pytest.raises(InvalidRequest, match=words):
            cancel_multiple_orders.sync(client=client, symbol=SYMBOL, **arguments)
    assert exchange.requests == []


def order_item(order_id: int, client_id: str, **changes: Any) -> dict[str, Any]:
    item = Order(order_id, client_id, SYMBOL).cancel_response(status="CANCELED", update_time=1)
    return {**item, **changes}


@pytest.mark.parametrize("mode", MODES)
def test_a_cancelled_an_unknown_and_a_malformed_item_are_each_typed(mode: str) -> None:
    body = json.dumps(
        [
            order_item(1, "a"),
            {"code": -2011, "msg": "Unknown order sent."},
            {"orderId": 3, "symbol": SYMBOL},  # neither an order nor an error
            order_item(999, "d"),  # another order's answer
            order_item(5, "e", status=None),  # a field of the wrong type
            {"code": -1006, "msg": "An unexpected response was received from the message bus."},
        ]
    ).encode()
    with scripted_server([reply(200, body)]) as server:
        results = batch(mode, server.url, order_ids=[1, 2, 3, 4, 5, 6])

    first, second, third, fourth, fifth, sixth = results
    assert isinstance(first, CancelOrderResponse)
    assert first.order_id == 1
    assert type(second) is UnknownOrder
    assert second.code == -2011
    for index, item in ((2, third), (3, fourth), (4, fifth)):
        assert type(item) is ExecutionStatusUnknown
        assert f"item {index} of the batch answer" in item.msg
    assert "orderId 999 where orderIdList" in fourth.msg
    assert type(sixth) is ExecutionStatusUnknown
    assert sixth.code == -1006


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "body",
    [b"[]", b'{"code": 200}', b"[1, 2]", b"[null, null]"],
    ids=["too-few-items", "an-object", "numbers", "nulls"],
)
def test_a_batch_answer_without_one_object_per_id_is_unknown_as_a_whole(
    mode: str, body: bytes
) -> None:
    with scripted_server([reply(200, body)]) as server:
        with pytest.raises(ExecutionStatusUnknown, match="not the documented success"):
            batch(mode, server.url, order_ids=[1, 2])


@pytest.mark.parametrize("mode", MODES)
def test_a_failure_of_the_whole_batch_is_raised(mode: str, exchange: LocalExchange) -> None:
    exchange.inject(Fault.UNKNOWN_ERROR_503, path="/dapi/v1/batchOrders")
    with pytest.raises(ExecutionStatusUnknown) as raised:
        batch(mode, exchange.url, order_ids=[4612097861])
    assert raised.value.status == 503


# -- any number of ids ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_cancel_many_sends_batches_of_ten_with_results_in_input_order(
    mode: str, exchange: LocalExchange
) -> None:
    add_orders(exchange, range(1000, 1023))
    ids = [*range(1022, 999, -1), 5_000_000]  # 23 open ones, reversed, then one unknown
    arguments: dict[str, Any] = {"symbol": SYMBOL, "order_ids": ids}
    results = through(
        mode,
        exchange.url,
        lambda c: cancel_many(client=c, **arguments),
        lambda c: cancel_many_async(client=c, **arguments),
    )

    assert len(results) == 24
    assert [r.order_id for r in results[:23] if isinstance(r, CancelOrderResponse)] == ids[:23]
    assert type(results[23]) is UnknownOrder
    assert seen(exchange) == [BATCH] * 3
    sizes = sorted(
        len(json.loads(unquote(r.target.split("orderIdList=")[1].split("&")[0])))
        for r in exchange.requests
    )
    assert sizes == [4, 10, 10]


@pytest.mark.parametrize("mode", MODES)
def test_cancel_many_gives_a_failed_batch_its_error_and_keeps_the_others(
    mode: str, exchange: LocalExchange
) -> None:
    add_orders(exchange, range(1100, 1115))
    exchange.inject(Fault.SERVICE_UNAVAILABLE_503, path="/dapi/v1/batchOrders")
    arguments: dict[str, Any] = {"symbol": SYMBOL, "order_ids": list(range(1100, 1115))}
    results = through(
        mode,
        exchange.url,
        lambda c: cancel_many(client=c, **arguments),
        lambda c: cancel_many_async(client=c, **arguments),
    )

    failed = [r for r in results if isinstance(r, BinanceError)]
    done = [r for r in results if isinstance(r, CancelOrderResponse)]
    # Which batch met the fault depends on arrival order in async; the counts do not.
    assert sorted([len(failed), len(done)]) == [5, 10]
    assert {type(r).__name__ for r in failed} == {"ServiceUnavailable"}


def test_cancel_many_checks_every_id_before_sending(exchange: LocalExchange) -> None:
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        with pytest.raises(
            InvalidRequest, match=r"orig_client_order_id_list .bad id. does not match"
        ):
            cancel_many(
                client=client,
                symbol=SYMBOL,
                orig_client_order_ids=[*(f"ok-{i}" for i in range(10)), "bad id"],
            )
        with pytest.raises(InvalidRequest, match="at least one id"):
            cancel_many(client=client, symbol=SYMBOL, order_ids=[])
    assert exchange.requests == []


# -- a flat book ------------------------------------------------------------------------------


def flatten(mode: str, exchange: LocalExchange, **arguments: Any) -> FlatBook:
    arguments = {"symbol": SYMBOL, "backoff": 0.01, **arguments}
    return through(
        mode,
        exchange.url,
        lambda c: flatten_book(client=c, **arguments),
        lambda c: flatten_book_async(client=c, **arguments),
    )


ROUND = [CANCEL_ALL, CANCEL_ALL_ALGO, LIST, LIST_ALGO]


@pytest.mark.parametrize("mode", MODES)
def test_flatten_book_cancels_in_both_services_and_confirms(
    mode: str, exchange: LocalExchange
) -> None:
    exchange.add_algo_order(SYMBOL, algo_id=51, client_algo_id="stop:loss/1")
    exchange.add_algo_order("ETHUSD_PERP", algo_id=52, client_algo_id="eth-stop")
    book = flatten(mode, exchange)

    assert sorted(o.order_id for o in book.open_before) == [4612097861, 4612097862, 4612097863]
    assert [o.algo_id for o in book.algo_open_before] == [51]
    assert (book.open_after, book.algo_open_after) == ((), ())
    assert seen(exchange) == [LIST, LIST_ALGO, *ROUND]
    assert book.requests_sent == 6
    assert [o.symbol for o in exchange.open_orders] == ["ETHUSD_PERP", "ETHUSD_PERP"]
    assert len(exchange.open_algo_orders) == 1  # ETH's


@pytest.mark.parametrize("mode", MODES)
def test_an_order_that_reappears_after_the_cancel_all_is_cancelled_again(
    mode: str, exchange: LocalExchange
) -> None:
    exchange.after("DELETE", "/dapi/v1/allOpenOrders", lambda: add_orders(exchange, range(77, 78)))
    book = flatten(mode, exchange)

    assert seen(exchange) == [LIST, LIST_ALGO, *ROUND, *ROUND]
    assert exchange.order(77).status == "CANCELED"  # type: ignore[union-attr]
    assert 77 not in [o.order_id for o in book.open_before]
    assert book.open_after == ()


@pytest.mark.parametrize("mode", MODES)
def test_flatten_book_names_the_survivors_when_the_bound_runs_out(
    mode: str, exchange: LocalExchange
) -> None:
    for _ in range(5):  # an order keeps coming back
        exchange.after(
            "DELETE", "/dapi/v1/allOpenOrders", lambda: add_orders(exchange, range(88, 89))
        )
    with pytest.raises(ExecutionStatusUnknown) as raised:
        flatten(mode, exchange, max_requests=10)

    assert "the bound of 10 requests is reached" in raised.value.msg
    assert "Still open: order 88 (q-88)" in raised.value.msg
    assert len(exchange.requests) == 10


@pytest.mark.parametrize("mode", MODES)
def test_flatten_book_waits_out_an_unknown_outcome_and_raises_other_errors(
    mode: str, exchange: LocalExchange
) -> None:
    exchange.inject(Fault.UNKNOWN_ERROR_503, path="/dapi/v1/allOpenOrders")
    book = flatten(mode, exchange)
    assert book.open_after == ()
    assert seen(exchange) == [LIST, LIST_ALGO, CANCEL_ALL, *ROUND]

    exchange.inject(Fault.FIREWALL, method="GET", path="/dapi/v1/openOrders")
    with pytest.raises(BinanceError, match="HTTP 403"):
        flatten(mode, exchange)


# -- success codes from the spec --------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("body", "success"),
    [
        (b'{"code": 200, "msg": "The operation of cancel all open order is done."}', True),
        (b'{"code": 200}', True),
        (b'{"code": "200", "msg": "done"}', False),  # the algo cancel's string form
        (b'{"code": 201, "msg": "done"}', False),
        (b'{"msg": "The operation of cancel all open order is done."}', False),
    ],
)
def test_a_cancel_all_succeeds_only_with_the_code_its_spec_documents(
    mode: str, body: bytes, success: bool
) -> None:
    from binance_coinm_futures.api.trade import cancel_all_open_orders

    with scripted_server([reply(200, body)]) as server:
        if success:
            answer = call(cancel_all_open_orders, server.url, mode, {"symbol": SYMBOL})
            assert int(answer.code) == 200
        else:
            with pytest.raises(ExecutionStatusUnknown, match="not the documented success"):
                call(cancel_all_open_orders, server.url, mode, {"symbol": SYMBOL})

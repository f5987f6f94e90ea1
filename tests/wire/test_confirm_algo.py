"""Conditional orders (the algo service) over a real socket to the local exchange.

cancel_and_confirm with algo_id= / client_algo_id=, the algo endpoints themselves, and a
regular id that names a conditional order. Every test runs sync and on every async backend,
and asserts the exact requests the exchange received.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from binance_coinm_futures import (
    ExecutionStatusUnknown,
    InvalidRequest,
    UnknownOrder,
)
from binance_coinm_futures.api.trade import (
    cancel_algo_order,
    cancel_order,
    current_all_algo_open_orders,
    query_algo_order,
    query_order,
)
from binance_coinm_futures.testing import AlgoOrder, Fault, LocalExchange
from tests.wire.conftest import direct, seen
from tests.wire.scripted import MODES, call, reply, scripted_server
from tests.wire.test_confirm import confirm, run_readme_example

SYMBOL = "BTCUSD_PERP"
STOP_ID = "desk7:stop-loss/1"
ALGO = "/dapi/v1/algoOrder"
ALGO_CANCEL = ("DELETE", ALGO)
ALGO_QUERY = ("GET", ALGO)
CANCEL = ("DELETE", "/dapi/v1/order")
QUERY = ("GET", "/dapi/v1/order")
FOUR_DAYS_MS = 4 * 24 * 60 * 60 * 1000


@pytest.fixture
def stop(exchange: LocalExchange) -> AlgoOrder:
    """A stop-loss, armed: a STOP_MARKET that sells when the price falls to its trigger."""
    return exchange.add_algo_order(SYMBOL, client_algo_id=STOP_ID, order_type="STOP_MARKET")


# -- the algo endpoints ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_algo_cancel_answers_code_200_with_the_ids(
    exchange: LocalExchange, stop: AlgoOrder, mode: str
) -> None:
    answer = direct(mode, exchange, cancel_algo_order, algo_id=stop.algo_id)
    assert (answer.algo_id, answer.client_algo_id, answer.code) == (stop.algo_id, STOP_ID, "200")
    assert seen(exchange) == [ALGO_CANCEL]
    held = exchange.algo_order(stop.algo_id)
    assert held is not None
    assert held.algo_status == "CANCELED"


@pytest.mark.parametrize("mode", MODES)
def test_algo_query_and_the_open_algo_orders(
    exchange: LocalExchange, stop: AlgoOrder, mode: str
) -> None:
    answer = direct(mode, exchange, query_algo_order, client_algo_id=STOP_ID)
    assert (answer.algo_id, answer.symbol, answer.algo_status) == (stop.algo_id, SYMBOL, "NEW")
    assert (answer.order_type, answer.actual_order_id) == ("STOP_MARKET", "")
    listed = direct(mode, exchange, current_all_algo_open_orders, symbol=SYMBOL)
    assert [order.algo_id for order in listed] == [stop.algo_id]
    assert seen(exchange) == [ALGO_QUERY, ("GET", "/dapi/v1/openAlgoOrders")]


@pytest.mark.parametrize("mode", MODES)
def test_algo_ids_have_their_own_sequence_and_regular_endpoints_do_not_see_them(
    exchange: LocalExchange, stop: AlgoOrder, mode: str
) -> None:
    second = exchange.add_algo_order(SYMBOL)
    assert second.algo_id == stop.algo_id + 1
    assert exchange.order(stop.algo_id) is None
    for endpoint, code in ((cancel_order, -2011), (query_order, -2013)):
        with pytest.raises(UnknownOrder) as raised:
            direct(
                mode,
                exchange,
                endpoint,
                symbol=SYMBOL,
                orig_client_order_id=STOP_ID,
            )
        assert raised.value.code == code
    assert seen(exchange) == [CANCEL, QUERY]


# -- cancel_and_confirm by algo id -------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("by", ["algo_id", "client_algo_id"])
def test_algo_cancel_and_confirm_costs_one_request(
    exchange: LocalExchange, stop: AlgoOrder, mode: str, by: str
) -> None:
    target = {"algo_id": stop.algo_id} if by == "algo_id" else {"client_algo_id": STOP_ID}
    state = confirm(mode, exchange, **target)
    assert seen(exchange) == [ALGO_CANCEL]
    assert (state.service, state.source, state.status, state.algo_status) == (
        "algo",
        "cancel",
        "CANCELED",
        "CANCELED",
    )
    assert (state.algo_id, state.client_algo_id, state.actual_order_id) == (
        stop.algo_id,
        STOP_ID,
        None,
    )
    assert state.requests_sent == 1
    assert exchange.open_algo_orders == []


@pytest.mark.parametrize("mode", MODES)
def test_lost_algo_cancel_answer_is_resolved_by_a_query(
    exchange: LocalExchange, stop: AlgoOrder, mode: str
) -> None:
    # The cancel is done, and its answer replaced by 503 "Unknown error, ...".
    exchange.inject(Fault.UNKNOWN_ERROR_503, path=ALGO)
    state = confirm(mode, exchange, algo_id=stop.algo_id)
    assert seen(exchange) == [ALGO_CANCEL, ALGO_QUERY]
    assert (state.service, state.source, state.algo_status) == ("algo", "query", "CANCELED")
    assert state.requests_sent == 2


@pytest.mark.parametrize("mode", MODES)
def test_lost_algo_cancel_that_did_nothing_is_cancelled_again(
    exchange: LocalExchange, stop: AlgoOrder, mode: str
) -> None:
    exchange.inject(Fault.UNKNOWN_ERROR_503_NOT_EXECUTED, path=ALGO)
    state = confirm(mode, exchange, client_algo_id=STOP_ID)
    assert seen(exchange) == [ALGO_CANCEL, ALGO_QUERY, ALGO_CANCEL]
    assert (state.source, state.algo_status) == ("cancel", "CANCELED")


@pytest.mark.parametrize("mode", MODES)
def test_triggered_stop_names_its_order_and_leaves_it_alone_by_default(
    exchange: LocalExchange, mode: str
) -> None:
    stop_limit = exchange.add_algo_order(SYMBOL, order_type="STOP", price="34000")
    placed = exchange.trigger_algo_order(stop_limit.algo_id)
    state = confirm(mode, exchange, algo_id=stop_limit.algo_id)
    assert seen(exchange) == [ALGO_CANCEL, ALGO_QUERY]
    assert (state.algo_status, state.actual_order_id) == ("TRIGGERED", placed.order_id)
    assert state.triggered_order is None
    still = exchange.order(placed.order_id)
    assert still is not None
    assert still.status == "NEW"  # the stop fired: its limit order is on the book


@pytest.mark.parametrize("mode", MODES)
def test_triggered_stop_followed_to_its_order_which_is_cancelled(
    exchange: LocalExchange, mode: str
) -> None:
    stop_limit = exchange.add_algo_order(SYMBOL, order_type="STOP", price="34000")
    placed = exchange.trigger_algo_order(stop_limit.algo_id)
    state = confirm(mode, exchange, algo_id=stop_limit.algo_id, follow_triggered=True)
    assert seen(exchange) == [ALGO_CANCEL, ALGO_QUERY, CANCEL]
    assert (state.service, state.algo_status, state.actual_order_id) == (
        "algo",
        "TRIGGERED",
        placed.order_id,
    )
    assert state.triggered_order is not None
    assert (state.triggered_order.service, state.triggered_order.order_id) == (
        "order",
        placed.order_id,
    )
    assert state.triggered_order.status == "CANCELED"
    assert state.requests_sent == 3
    cancelled = exchange.order(placed.order_id)
    assert cancelled is not None
    assert cancelled.status == "CANCELED"


@pytest.mark.parametrize("mode", MODES)
def test_market_stop_that_fired_is_finished_and_its_fill_confirmed(
    exchange: LocalExchange, stop: AlgoOrder, mode: str
) -> None:
    placed = exchange.trigger_algo_order(stop.algo_id)
    state = confirm(mode, exchange, client_algo_id=STOP_ID, follow_triggered=True)
    assert seen(exchange) == [ALGO_CANCEL, ALGO_QUERY, CANCEL, QUERY]
    assert (state.algo_status, state.actual_order_id) == ("FINISHED", placed.order_id)
    assert state.triggered_order is not None
    assert (state.triggered_order.status, state.triggered_order.executed_qty) == ("FILLED", "1")


@pytest.mark.parametrize("mode", MODES)
def test_a_stop_being_triggered_is_never_called_done(exchange: LocalExchange, mode: str) -> None:
    # TRIGGERING: its order is being placed; it cannot be cancelled and is still armed.
    triggering = exchange.add_algo_order(SYMBOL, algo_status="TRIGGERING")
    with pytest.raises(ExecutionStatusUnknown) as raised:
        confirm(mode, exchange, algo_id=triggering.algo_id, max_requests=4)
    assert seen(exchange) == [ALGO_CANCEL, ALGO_QUERY, ALGO_QUERY, ALGO_QUERY]
    assert "algo query: TRIGGERING" in str(raised.value)


@pytest.mark.parametrize("mode", MODES)
def test_old_cancelled_algo_order_is_no_longer_found(exchange: LocalExchange, mode: str) -> None:
    # Query Algo Order's windows are Query Order's (USDⓈ-M's Query Algo Order page).
    old = exchange.add_algo_order(
        SYMBOL, algo_status="CANCELED", created_ms=exchange.server_time_ms() - FOUR_DAYS_MS
    )
    with pytest.raises(UnknownOrder) as raised:
        confirm(mode, exchange, algo_id=old.algo_id)
    assert seen(exchange) == [ALGO_CANCEL, ALGO_QUERY]
    assert raised.value.code == -2013
    assert f"Binance no longer finds {SYMBOL} algo order {old.algo_id}" in raised.value.msg
    assert raised.value.msg.endswith("It can no longer trigger.")


# -- a regular id that is really a conditional order -------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_regular_client_id_of_a_live_stop_is_never_called_not_open(
    exchange: LocalExchange, stop: AlgoOrder, mode: str
) -> None:
    with pytest.raises(UnknownOrder) as raised:
        confirm(mode, exchange, orig_client_order_id=STOP_ID)
    assert seen(exchange) == [CANCEL, QUERY, ALGO_QUERY]
    message = raised.value.msg
    assert raised.value.code == -2013
    assert "It is not open" not in message
    assert "the algo service holds a conditional order by that id" in message
    assert f"algoId {stop.algo_id}, algoStatus NEW), which is open: it can still trigger" in (
        message
    )
    assert "live in the algo service since 2026-06-30" in message
    assert f"client_algo_id={STOP_ID!r}" in message
    held = exchange.algo_order(stop.algo_id)
    assert held is not None
    assert held.algo_status == "NEW"  # named by the wrong kind of id: left as it is


@pytest.mark.parametrize("mode", MODES)
def test_regular_order_id_of_a_stop_names_the_algo_service(
    exchange: LocalExchange, stop: AlgoOrder, mode: str
) -> None:
    with pytest.raises(UnknownOrder) as raised:
        confirm(mode, exchange, order_id=stop.algo_id)
    assert seen(exchange) == [CANCEL, QUERY, ALGO_QUERY]
    assert f"algo_id={stop.algo_id}" in raised.value.msg
    assert "which is open" in raised.value.msg


@pytest.mark.parametrize("mode", MODES)
def test_regular_id_of_a_fired_stop_names_the_order_it_left_on_the_book(
    exchange: LocalExchange, mode: str
) -> None:
    # A TRIGGERED stop-limit is no longer armed, but the regular order it placed can still
    # trade: the message must not call it "not open", and says how to cancel that order.
    stop = exchange.add_algo_order(SYMBOL, client_algo_id="fired-1", order_type="STOP")
    placed = exchange.trigger_algo_order(stop.algo_id)
    with pytest.raises(UnknownOrder) as raised:
        confirm(mode, exchange, orig_client_order_id="fired-1")
    message = raised.value.msg
    assert "not open" not in message.split("No regular order by that id is open")[1]
    fired = f"fired and placed regular order {placed.order_id}, which may still be open"
    assert fired in message
    assert "cancel_and_confirm(..., client_algo_id='fired-1', follow_triggered=True)" in message


@pytest.mark.parametrize("mode", MODES)
def test_regular_id_when_the_algo_service_cannot_be_asked(
    exchange: LocalExchange, stop: AlgoOrder, mode: str
) -> None:
    # One request left after the -2011 and the -2013: the algo service is not asked, and the
    # message does not claim the order is not open.
    with pytest.raises(UnknownOrder) as raised:
        confirm(mode, exchange, orig_client_order_id=STOP_ID, max_requests=2)
    assert seen(exchange) == [CANCEL, QUERY]
    assert "It is not open" not in raised.value.msg
    assert "the algo service was not asked" in raised.value.msg


# -- answers that are not the documented success -----------------------------------------------


ANSWER_FOR_ANOTHER_ALGO_ID = {
    "algoId": 2146761,
    "clientAlgoId": "6B2I9XVcJpCjqPAJ4YoFX7",
    "code": "200",
    "msg": "success",
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("request_ids", "body", "problem"),
    [
        ({"algo_id": 2146760}, ANSWER_FOR_ANOTHER_ALGO_ID, "algoId 2146761 where algoId"),
        (
            {"client_algo_id": "other-stop"},
            {**ANSWER_FOR_ANOTHER_ALGO_ID, "algoId": 2146760},
            "clientAlgoId '6B2I9XVcJpCjqPAJ4YoFX7' where clientAlgoId",
        ),
        ({"algo_id": 2146761}, {**ANSWER_FOR_ANOTHER_ALGO_ID, "code": 200}, "'code' of type"),
        ({"algo_id": 2146761}, {**ANSWER_FOR_ANOTHER_ALGO_ID, "code": "0"}, "'code' '0'"),
        ({"algo_id": 2146761}, {"algoId": 2146761, "clientAlgoId": "x"}, "no 'code'"),
    ],
    ids=["other-algo-id", "other-client-algo-id", "integer-code", "other-code", "no-code"],
)
def test_an_algo_cancel_answer_that_is_not_this_success_is_unknown(
    mode: str, request_ids: dict[str, Any], body: dict[str, Any], problem: str
) -> None:
    with scripted_server([reply(200, json.dumps(body).encode())]) as server:
        with pytest.raises(ExecutionStatusUnknown) as raised:
            call(cancel_algo_order, server.url, mode, request_ids)
    assert problem in str(raised.value)
    assert server.paths == [ALGO]


@pytest.mark.parametrize("mode", MODES)
def test_an_algo_query_answer_for_another_order_is_not_its_state(mode: str) -> None:
    answer = {"algoId": 2146761, "clientAlgoId": "a", "symbol": SYMBOL, "algoStatus": "CANCELED"}
    with scripted_server([reply(200, json.dumps(answer).encode())]) as server:
        with pytest.raises(ExecutionStatusUnknown):
            call(query_algo_order, server.url, mode, {"algo_id": 2146760})


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            b'[{"algoId": 1, "clientAlgoId": "a", "symbol": "BTCUSD_PERP"}]',
            "item 0: no 'algoStatus'",
        ),
        (b'{"algoId": 1}', "a JSON object, not an array"),
        (b'[{"algoId": "1", "clientAlgoId": "a", "symbol": "X", "algoStatus": "NEW"}]', "item 0"),
    ],
    ids=["item-without-status", "object", "string-algo-id"],
)
def test_a_listing_with_an_item_that_is_not_an_algo_order_is_unknown(
    mode: str, body: bytes, problem: str
) -> None:
    with scripted_server([reply(200, body)]) as server:
        with pytest.raises(ExecutionStatusUnknown) as raised:
            call(current_all_algo_open_orders, server.url, mode, {"symbol": SYMBOL})
    assert problem in str(raised.value)


# -- bad input: refused, nothing sent ----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("arguments", "error", "problem"),
    [
        (
            {},
            ValueError,
            "exactly one of order_id or orig_client_order_id or algo_id or client_algo_id, got "
            "neither; nothing was sent",
        ),
        ({"order_id": 1, "algo_id": 2}, ValueError, "got order_id and algo_id"),
        ({"algo_id": 1, "client_algo_id": "a"}, ValueError, "got algo_id and client_algo_id"),
        ({"client_algo_id": "x" * 37}, InvalidRequest, "client_algo_id must be at most 36"),
        ({"client_algo_id": "stop loss"}, InvalidRequest, "client_algo_id 'stop loss' does not"),
        ({"algo_id": 0}, InvalidRequest, "algo_id must be between 1 and"),
        ({"algo_id": "2146760"}, TypeError, "algo_id must be int, got str"),
        # The algo endpoints take no symbol, but the result names one: checked as for an
        # order, never sent unchecked nor reported back as given.
        ({"algo_id": 1, "symbol": 123}, TypeError, "symbol must be str, got int"),
        ({"client_algo_id": "a", "symbol": ""}, InvalidRequest, "symbol must not be empty"),
        ({"algo_id": 1, "follow_triggered": "yes"}, ValueError, "follow_triggered must be"),
    ],
)
def test_bad_input_is_refused_with_nothing_sent(
    exchange: LocalExchange,
    mode: str,
    arguments: dict[str, Any],
    error: type[Exception],
    problem: str,
) -> None:
    with pytest.raises(error, match=problem):
        confirm(mode, exchange, **arguments)
    assert exchange.requests == []


def test_readme_stop_loss_example_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalExchange(api_keys={"...": "..."}) as exchange:
        exchange.add_algo_order(SYMBOL, client_algo_id="desk7-stop-1")
        heading = "## Stop-loss and take-profit orders"
        output = run_readme_example(heading, exchange, monkeypatch)
        assert seen(exchange) == [ALGO_CANCEL]
    assert output.split() == ["algo", "CANCELED", "None"]

"""cancel_and_confirm's decision procedure, driven directly with scripted answers and a fake clock.

No socket: the generator is sent what each cancel or query "answered", and every call and wait
it asks for is recorded. tests/wire/test_confirm.py runs the same procedure over the wire.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from binance_coinm_futures import (
    ApiKeyRejected,
    BinanceError,
    ExecutionStatusUnknown,
    InvalidParameter,
    InvalidSignature,
    IpBanned,
    NothingSent,
    OrderState,
    RateLimited,
    ServiceUnavailable,
    UnknownOrder,
    cancel_and_confirm,
    connect,
)
from binance_coinm_futures._runtime._confirm import (
    DONE,
    _Answer,
    _decide,
    _Limits,
    _Target,
    _Wait,
)
from binance_coinm_futures._runtime._spec import statuses
from binance_coinm_futures.models import CancelOrderResponse, QueryOrderResponse

SYMBOL = "BTCUSD_PERP"
ORDER_ID = 4612097861
CLIENT_ID = "desk-7"
TARGET = _Target(SYMBOL, ORDER_ID, None, None)


def cancelled() -> CancelOrderResponse:
    return CancelOrderResponse.from_dict(
        {
            "orderId": ORDER_ID,
            "symbol": SYMBOL,
            "status": "CANCELED",
            "clientOrderId": CLIENT_ID,
            "executedQty": "0",
        }
    )


def queried(status: str, executed: str = "0") -> QueryOrderResponse:
    return QueryOrderResponse.from_dict(
        {
            "orderId": ORDER_ID,
            "symbol": SYMBOL,
            "status": status,
            "clientOrderId": CLIENT_ID,
            "executedQty": executed,
            "avgPrice": "0",
            "cumBase": "0",
        }
    )


def unknown() -> ExecutionStatusUnknown:
    return ExecutionStatusUnknown("Unknown error", status=503, code=-1000)


def unknown_order() -> UnknownOrder:
    return UnknownOrder("Unknown order sent.", status=400, code=-2011)


def does_not_exist() -> UnknownOrder:
    return UnknownOrder("Order does not exist.", status=400, code=-2013)


@dataclass
class Run:
    """What the procedure asked for, in order: calls (by name) and waits (in seconds)."""

    steps: list[str | float] = field(default_factory=list)
    clock: float = 1000.0

    @property
    def calls(self) -> list[str]:
        return [step for step in self.steps if isinstance(step, str)]

    @property
    def waited(self) -> float:
        return sum(step for step in self.steps if isinstance(step, float))


def drive(
    answers: Iterable[_Answer],
    run: Run | None = None,
    *,
    max_requests: int = 8,
    deadline: float = 30.0,
    backoff: float = 0.25,
) -> OrderState:
    """Run the procedure to its end; each call is answered by the next scripted answer."""
    run = run if run is not None else Run()
    script = iter(answers)
    machine = _decide(TARGET, _Limits(max_requests, deadline, backoff), lambda: run.clock)
    try:
        action = next(machine)
        while True:
            if isinstance(action, _Wait):
                run.steps.append(action.seconds)
                run.clock += action.seconds
                action = machine.send(None)
            else:
                run.steps.append(action.call)
                answer = next(script, None)
                assert answer is not None, f"the script ran out at {run.steps}"
                action = machine.send(answer)
    except StopIteration as finished:
        state: OrderState = finished.value
        return state


# -- what the brief promises -------------------------------------------------------------------


def test_documented_success_returns_at_once() -> None:
    run = Run()
    state = drive([cancelled()], run)
    assert run.steps == ["cancel"]
    assert state == OrderState(
        order_id=ORDER_ID,
        client_order_id=CLIENT_ID,
        symbol=SYMBOL,
        status="CANCELED",
        executed_qty="0",
        source="cancel",
        requests_sent=1,
    )


def test_cancel_answer_without_executed_qty_says_none() -> None:
    answer = CancelOrderResponse.from_dict(
        {"orderId": ORDER_ID, "symbol": SYMBOL, "status": "CANCELED", "clientOrderId": "x"}
    )
    assert drive([answer]).executed_qty is None


def test_unknown_outcome_waits_then_queries() -> None:
    run = Run()
    state = drive([unknown(), queried("CANCELED")], run)
    assert run.steps == ["cancel", 0.25, "query"]
    assert (state.status, state.source, state.requests_sent) == ("CANCELED", "query", 2)


def test_minus_2011_queries_at_once_and_reports_what_the_query_says() -> None:
    run = Run()
    state = drive([unknown_order(), queried("FILLED", executed="3")], run)
    assert run.steps == ["cancel", "query"]
    assert (state.status, state.executed_qty, state.source) == ("FILLED", "3", "query")


@pytest.mark.parametrize("status", ["NEW", "PARTIALLY_FILLED"])
def test_still_open_after_an_unknown_cancel_is_cancelled_again(status: str) -> None:
    run = Run()
    state = drive([unknown(), queried(status), cancelled()], run)
    assert run.steps == ["cancel", 0.25, "query", "cancel"]
    assert (state.status, state.source, state.requests_sent) == ("CANCELED", "cancel", 3)


def test_a_second_cancel_answering_minus_2011_is_resolved_by_a_query() -> None:
    run = Run()
    state = drive([unknown(), queried("NEW"), unknown_order(), queried("CANCELED")], run)
    assert run.calls == ["cancel", "query", "cancel", "query"]
    assert (state.status, state.source) == ("CANCELED", "query")


def test_minus_2013_after_minus_2011_keeps_code_and_status_and_never_claims_absence() -> None:
    missing = does_not_exist()
    run = Run()
    with pytest.raises(UnknownOrder) as raised:
        # The last -2013 is the algo service's: no conditional order by that id either.
        drive([unknown_order(), missing, does_not_exist()], run)
    assert run.calls == ["cancel", "query", "query"]
    assert (raised.value.status, raised.value.code) == (400, -2013)
    assert raised.value.__cause__ is missing
    assert raised.value.msg == (
        f"Binance no longer finds {SYMBOL} order {ORDER_ID} (-2013 'Order does not exist.'): "
        "it never existed as a regular order, or it was created more than 3 days ago (90 days "
        "if it had fills) and is no longer open. It is not open, and the algo service holds no "
        "conditional order by that id either. Conditional orders (STOP, STOP_MARKET, "
        "TAKE_PROFIT, TAKE_PROFIT_MARKET or TRAILING_STOP_MARKET) live in the algo service "
        "since 2026-06-30, which Cancel Order and Query Order do not see (-2011, -2013); they "
        "are cancelled by algo id."
    )


@pytest.mark.parametrize(
    "answers",
    [
        [unknown(), does_not_exist(), does_not_exist()],
        [unknown(), unknown(), does_not_exist(), does_not_exist()],
        [unknown_order(), queried("NEW"), unknown(), does_not_exist(), does_not_exist()],
    ],
    ids=["lost-cancel", "lost-cancel-then-lost-query", "minus-2011-open-then-lost-cancel"],
)
def test_minus_2013_after_a_lost_cancel_says_this_call_may_have_cancelled_it(
    answers: list[_Answer],
) -> None:
    # Query Order stops finding an unfilled CANCELED order created more than 3 days ago: one
    # this call just cancelled is "not found" too (COIN-M Query Order page, read 2026-11-24).
    with pytest.raises(UnknownOrder) as raised:
        drive(answers)
    assert raised.value.code == -2013
    assert "possibly cancelled by this very call, whose answer was lost" in raised.value.msg
    assert "It is not open, and the algo service holds no conditional order" in raised.value.msg


def test_minus_2013_after_the_order_was_seen_open_drops_never_existed() -> None:
    lost: list[_Answer] = [unknown(), queried("PARTIALLY_FILLED", "1"), unknown()]
    with pytest.raises(UnknownOrder) as raised:
        drive([*lost, does_not_exist(), does_not_exist()])
    assert "a query of this call found it open" in raised.value.msg
    assert "never existed" not in raised.value.msg
    assert "possibly cancelled by this very call" in raised.value.msg


def test_minus_2011_on_a_query_is_raised_unchanged() -> None:
    # Only -2013 is retold; any other rejection of a query is not the procedure's to explain.
    strange = unknown_order()
    with pytest.raises(UnknownOrder) as raised:
        drive([unknown(), strange])
    assert raised.value is strange


def test_minus_2011_alone_never_counts_as_cancelled() -> None:
    # Every query fails: the -2011 is never turned into a CANCELED that nobody saw.
    with pytest.raises(ExecutionStatusUnknown, match="bound of 4 requests"):
        drive([unknown_order(), unknown(), unknown(), unknown()], max_requests=4)


@pytest.mark.parametrize(
    "error",
    [
        InvalidSignature("bad", status=400, code=-1022),
        ApiKeyRejected("no", status=401, code=-2015),
        InvalidParameter("Invalid symbol.", status=400, code=-1121),
        NothingSent("refused"),
        ServiceUnavailable("Service Unavailable.", status=503, code=-1000),
        RateLimited("slow down", status=429, code=-1003, retry_after=7),
    ],
    ids=lambda error: type(error).__name__,
)
def test_any_other_failure_of_the_first_cancel_is_raised_unchanged(error: BinanceError) -> None:
    run = Run()
    with pytest.raises(BinanceError) as raised:
        drive([error], run)
    assert raised.value is error
    assert run.steps == ["cancel"]


def test_an_unexpected_failure_of_a_query_is_raised_unchanged() -> None:
    error = InvalidSignature("bad", status=400, code=-1022)
    with pytest.raises(InvalidSignature) as raised:
        drive([unknown(), error])
    assert raised.value is error


@pytest.mark.parametrize(
    "failure",
    [unknown(), NothingSent("refused"), ServiceUnavailable("Service Unavailable.", status=503)],
    ids=lambda error: type(error).__name__,
)
def test_failed_queries_are_retried_with_doubling_backoff(failure: BinanceError) -> None:
    run = Run()
    state = drive([unknown(), failure, failure, failure, queried("CANCELED")], run)
    assert run.steps == ["cancel", 0.25, "query", 0.5, "query", 1.0, "query", 2.0, "query"]
    assert state.requests_sent == 5


def test_backoff_is_capped() -> None:
    run = Run()
    drive([unknown()] * 7 + [queried("CANCELED")], run, backoff=1.0, deadline=60.0)
    waits = [step for step in run.steps if isinstance(step, float)]
    assert waits == [1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0]


def test_retry_after_is_respected() -> None:
    run = Run()
    limited = RateLimited("slow down", status=429, code=-1003, retry_after=7)
    drive([unknown(), limited, queried("CANCELED")], run)
    assert run.steps == ["cancel", 0.25, "query", 7.0, "query"]


def test_a_ban_longer_than_the_deadline_is_not_waited_out() -> None:
    run = Run()
    banned = IpBanned("banned", status=418, code=-1003, retry_after=120)
    with pytest.raises(ExecutionStatusUnknown, match="after the deadline") as raised:
        drive([unknown(), banned], run, deadline=30.0)
    assert run.steps == ["cancel", 0.25, "query"]
    assert "IpBanned" in str(raised.value)


def test_a_failed_second_cancel_that_did_nothing_leads_to_a_query() -> None:
    run = Run()
    refused = ServiceUnavailable("Service Unavailable.", status=503)
    state = drive([unknown(), queried("NEW"), refused, queried("CANCELED")], run)
    assert run.steps == ["cancel", 0.25, "query", "cancel", 0.5, "query"]
    assert state.status == "CANCELED"


def test_the_message_says_what_was_tried() -> None:
    with pytest.raises(ExecutionStatusUnknown) as raised:
        drive([unknown(), queried("NEW"), unknown()], max_requests=3)
    message = str(raised.value)
    assert f"{SYMBOL} order {ORDER_ID}" in message
    assert "after 3 requests" in message
    assert "cancel: ExecutionStatusUnknown" in message
    assert "query: NEW" in message
    assert "Query the order" in message


def test_one_request_allowed_means_no_query() -> None:
    run = Run()
    with pytest.raises(ExecutionStatusUnknown, match="bound of 1 requests"):
        drive([unknown()], run, max_requests=1)
    assert run.steps == ["cancel"]


def test_no_wait_runs_past_the_deadline() -> None:
    run = Run()
    with pytest.raises(ExecutionStatusUnknown, match="after the deadline"):
        drive([unknown()] * 8, run, backoff=1.0, deadline=2.5)
    # 1 s wait fits; the next 2 s would end past 2.5 s, so it is not taken.
    assert run.steps == ["cancel", 1.0, "query"]


@pytest.mark.parametrize("status", ["PAUSED_2027", "PENDING_CANCEL", "new", ""])
def test_an_undocumented_status_is_no_proof_and_is_queried_again(status: str) -> None:
    """openapi.yaml documents NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, REJECTED and
    EXPIRED_IN_MATCH; any other status says nothing about whether the order is off the book."""
    run = Run()
    state = drive([unknown(), queried(status), queried(status), queried("CANCELED")], run)
    assert run.calls == ["cancel", "query", "query", "query"]
    assert run.waited > 0.25  # each query again after a wait
    assert (state.status, state.source, state.requests_sent) == ("CANCELED", "query", 4)


def test_an_undocumented_status_until_the_bound_is_status_unknown_naming_it() -> None:
    run = Run()
    with pytest.raises(ExecutionStatusUnknown) as raised:
        drive([unknown_order()] + [queried("PAUSED_2027")] * 8, run, max_requests=4)
    assert run.calls == ["cancel", "query", "query", "query"]
    message = str(raised.value)
    assert "the bound of 4 requests is reached" in message
    assert "status 'PAUSED_2027', which openapi.yaml does not document" in message
    assert "no proof that the order is off the book" in message


def test_a_documented_status_after_an_undocumented_one_is_not_named() -> None:
    with pytest.raises(ExecutionStatusUnknown) as raised:
        drive([unknown_order(), queried("PAUSED"), queried("NEW"), unknown()], max_requests=4)
    assert "does not document" not in str(raised.value)


# -- the bound, whatever the exchange answers --------------------------------------------------

OUTCOMES: list[Any] = [
    cancelled,
    unknown,
    unknown_order,
    does_not_exist,
    lambda: NothingSent("refused"),
    lambda: ServiceUnavailable("Service Unavailable.", status=503),
    lambda: RateLimited("slow", status=429, code=-1003, retry_after=3),
    lambda: IpBanned("banned", status=418, code=-1003, retry_after=120),
    lambda: queried("NEW"),
    lambda: queried("PARTIALLY_FILLED"),
    lambda: queried("CANCELED"),
    lambda: queried("FILLED"),
    lambda: queried("PAUSED_2027"),
]


@settings(max_examples=300, deadline=None)
@given(
    picks=st.lists(st.integers(0, len(OUTCOMES) - 1), min_size=40, max_size=40),
    max_requests=st.integers(1, 10),
    deadline=st.floats(0.5, 60.0),
    backoff=st.floats(0.0, 2.0),
)
def test_bounds_hold_and_every_result_rests_on_an_answer(
    picks: list[int], max_requests: int, deadline: float, backoff: float
) -> None:
    run = Run()
    answers: list[_Answer] = []

    def answer_for(pick: int) -> _Answer:
        answer: _Answer = OUTCOMES[pick]()
        answers.append(answer)
        return answer

    try:
        state = drive(
            (answer_for(pick) for pick in picks),
            run,
            max_requests=max_requests,
            deadline=deadline,
            backoff=backoff,
        )
    except BinanceError:
        state = None
    assert len(run.calls) <= max_requests
    assert run.waited < deadline
    if state is not None:
        last = answers[-1]
        assert last is not None
        assert isinstance(last, CancelOrderResponse | QueryOrderResponse)
        assert state.status == last.status
        assert state.requests_sent == len(run.calls)
        assert state.source == run.calls[-1]
        if state.source == "query":
            assert state.status in statuses("QueryOrderResponse").of(DONE)


# -- bad arguments: refused before anything is sent --------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (
            {},
            "exactly one of order_id or orig_client_order_id or algo_id or client_algo_id, "
            "got neither",
        ),
        ({"order_id": 1, "orig_client_order_id": "a"}, "got order_id and orig_client_order_id"),
        ({"order_id": 1, "max_requests": 0}, "max_requests must be at least 1"),
        ({"order_id": 1, "max_requests": True}, "max_requests must be an integer"),
        ({"order_id": 1, "deadline": 0}, "deadline must be a positive"),
        ({"order_id": 1, "backoff": -1}, "backoff must be zero or more"),
    ],
)
def test_bad_arguments_are_refused_before_sending(arguments: dict[str, Any], problem: str) -> None:
    # Port 9 on loopback: nothing listens, so anything sent would fail loudly.
    client = connect("unit-test-api-key", "unit-test-secret", base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match=problem):
        cancel_and_confirm(client=client, symbol=SYMBOL, **arguments)


def test_a_large_bound_does_not_overflow_the_backoff() -> None:
    run = Run()
    with pytest.raises(ExecutionStatusUnknown, match="bound of 2000 requests"):
        drive([unknown()] * 2000, run, max_requests=2000, deadline=1e9, backoff=1.0)
    assert max(step for step in run.steps if isinstance(step, float)) == 4.0


def test_a_negative_retry_after_is_no_wait() -> None:
    run = Run()
    limited = RateLimited("slow down", status=429, code=-1003, retry_after=-5)
    drive([unknown(), limited, queried("CANCELED")], run)
    assert run.steps == ["cancel", 0.25, "query", "query"]

"""cancel_and_confirm's procedure for conditional orders (the algo service), driven directly.

No socket: each call the procedure asks for is answered from a script, the algo calls with
algo answers and the calls for a triggered stop's regular order with regular answers.
tests/wire/test_confirm_algo.py runs the same procedure over the wire.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from binance_coinm_futures import (
    BinanceError,
    ExecutionStatusUnknown,
    IpBanned,
    NothingSent,
    OrderState,
    RateLimited,
    ServiceUnavailable,
    UnknownOrder,
)
from binance_coinm_futures._runtime._confirm import (
    DONE,
    FIRED,
    _Answer,
    _decide,
    _Limits,
    _Send,
    _Target,
    _Wait,
)
from binance_coinm_futures._runtime._spec import statuses
from binance_coinm_futures.models import (
    AlgoOrder,
    CancelAlgoOrderResponse,
    CancelOrderResponse,
    QueryOrderResponse,
)

SYMBOL = "BTCUSD_PERP"
ALGO_ID = 2146760
CLIENT_ALGO_ID = "desk7-stop"
ACTUAL_ORDER_ID = 9000000001
STOP = _Target(SYMBOL, None, None, None, algo_id=ALGO_ID)


def algo_cancelled() -> CancelAlgoOrderResponse:
    return CancelAlgoOrderResponse.from_dict(
        {"algoId": ALGO_ID, "clientAlgoId": CLIENT_ALGO_ID, "code": "200", "msg": "success"}
    )


def algo_queried(status: str, actual: str = "") -> AlgoOrder:
    return AlgoOrder.from_dict(
        {
            "algoId": ALGO_ID,
            "clientAlgoId": CLIENT_ALGO_ID,
            "symbol": SYMBOL,
            "algoStatus": status,
            "actualOrderId": actual,
        }
    )


def fired(status: str = "TRIGGERED") -> AlgoOrder:
    return algo_queried(status, str(ACTUAL_ORDER_ID))


def cancelled() -> CancelOrderResponse:
    return CancelOrderResponse.from_dict(
        {
            "orderId": ACTUAL_ORDER_ID,
            "symbol": SYMBOL,
            "status": "CANCELED",
            "clientOrderId": "placed-by-stop",
        }
    )


def queried(status: str, executed: str = "0") -> QueryOrderResponse:
    return QueryOrderResponse.from_dict(
        {
            "orderId": ACTUAL_ORDER_ID,
            "symbol": SYMBOL,
            "status": status,
            "clientOrderId": "placed-by-stop",
            "executedQty": executed,
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
    """What the procedure asked for: (service, call) pairs and waits, in order."""

    steps: list[tuple[str, str] | float] = field(default_factory=list)
    answers: list[_Answer] = field(default_factory=list)
    clock: float = 1000.0

    @property
    def calls(self) -> list[tuple[str, str]]:
        return [step for step in self.steps if isinstance(step, tuple)]

    @property
    def waited(self) -> float:
        return sum(step for step in self.steps if isinstance(step, float))


def drive(
    answer: Callable[[_Send], _Answer],
    run: Run | None = None,
    *,
    follow_triggered: bool = False,
    max_requests: int = 8,
    deadline: float = 30.0,
    backoff: float = 0.25,
) -> OrderState:
    """Run the procedure for STOP to its end; ``answer`` answers each call."""
    run = run if run is not None else Run()
    limits = _Limits(max_requests, deadline, backoff)
    machine = _decide(STOP, limits, lambda: run.clock, follow_triggered=follow_triggered)
    try:
        action = next(machine)
        while True:
            if isinstance(action, _Wait):
                run.steps.append(action.seconds)
                run.clock += action.seconds
                action = machine.send(None)
            else:
                run.steps.append(("algo" if action.target.is_algo else "order", action.call))
                outcome = answer(action)
                run.answers.append(outcome)
                action = machine.send(outcome)
    except StopIteration as finished:
        state: OrderState = finished.value
        return state


def scripted(*answers: _Answer) -> Callable[[_Send], _Answer]:
    script = iter(answers)

    def answer(send: _Send) -> _Answer:
        outcome = next(script, None)
        assert outcome is not None, f"the script ran out at {send.call}"
        return outcome

    return answer


def test_a_done_algo_cancel_returns_at_once() -> None:
    run = Run()
    state = drive(scripted(algo_cancelled()), run)
    assert run.calls == [("algo", "cancel")]
    assert (state.service, state.source, state.status, state.algo_status) == (
        "algo",
        "cancel",
        "CANCELED",
        "CANCELED",
    )
    assert (state.order_id, state.algo_id, state.client_algo_id) == (
        ALGO_ID,
        ALGO_ID,
        CLIENT_ALGO_ID,
    )


@pytest.mark.parametrize("status", ["CANCELED", "EXPIRED", "REJECTED"])
def test_a_done_algo_order_is_reported_from_the_query(status: str) -> None:
    state = drive(scripted(unknown_order(), algo_queried(status)))
    assert (state.source, state.algo_status, state.actual_order_id) == ("query", status, None)


@pytest.mark.parametrize("status", ["PAUSED", "CANCELLED", "new", ""])
def test_an_undocumented_algo_status_is_queried_again_never_called_done(status: str) -> None:
    """openapi.yaml documents NEW, TRIGGERING, TRIGGERED, FINISHED, CANCELED, REJECTED and
    EXPIRED; any other algoStatus says nothing about whether the stop can still trigger."""
    run = Run()
    answers = scripted(unknown_order(), algo_queried(status), algo_queried("CANCELED"))
    state = drive(answers, run, backoff=0.5)
    assert run.steps == [("algo", "cancel"), ("algo", "query"), 0.5, ("algo", "query")]
    assert (state.source, state.algo_status) == ("query", "CANCELED")


def test_an_undocumented_algo_status_until_the_bound_is_status_unknown_naming_it() -> None:
    run = Run()
    with pytest.raises(ExecutionStatusUnknown) as raised:
        drive(
            lambda send: unknown_order() if send.call == "cancel" else algo_queried("PAUSED"),
            run,
            max_requests=3,
        )
    assert run.calls == [("algo", "cancel"), ("algo", "query"), ("algo", "query")]
    assert "status 'PAUSED', which openapi.yaml does not document" in str(raised.value)


def test_new_after_a_lost_cancel_is_cancelled_again() -> None:
    run = Run()
    drive(scripted(unknown(), algo_queried("NEW"), algo_cancelled()), run, backoff=0.5)
    assert run.steps == [("algo", "cancel"), 0.5, ("algo", "query"), ("algo", "cancel")]


def test_triggering_is_queried_again_after_a_wait_never_called_done() -> None:
    run = Run()
    state = drive(scripted(unknown_order(), algo_queried("TRIGGERING"), fired()), run, backoff=0.5)
    assert run.steps == [("algo", "cancel"), ("algo", "query"), 0.5, ("algo", "query")]
    assert (state.algo_status, state.actual_order_id) == ("TRIGGERED", ACTUAL_ORDER_ID)


def test_a_fired_stop_names_its_order_and_is_not_followed_by_default() -> None:
    run = Run()
    state = drive(scripted(unknown_order(), fired("FINISHED")), run)
    assert run.calls == [("algo", "cancel"), ("algo", "query")]
    assert (state.algo_status, state.actual_order_id, state.triggered_order) == (
        "FINISHED",
        ACTUAL_ORDER_ID,
        None,
    )


def test_follow_triggered_cancels_the_order_the_stop_placed() -> None:
    run = Run()
    state = drive(scripted(unknown_order(), fired(), cancelled()), run, follow_triggered=True)
    assert run.calls == [("algo", "cancel"), ("algo", "query"), ("order", "cancel")]
    assert state.triggered_order is not None
    assert (state.triggered_order.order_id, state.triggered_order.status) == (
        ACTUAL_ORDER_ID,
        "CANCELED",
    )
    assert state.requests_sent == 3


def test_a_followed_order_whose_first_cancel_did_nothing_is_queried() -> None:
    # Raising NothingSent here would hide that the stop fired and its order may be live.
    run = Run()
    state = drive(
        scripted(
            unknown_order(),
            fired(),
            NothingSent("refused"),
            queried("NEW"),
            cancelled(),
        ),
        run,
        follow_triggered=True,
        backoff=0.5,
    )
    assert run.calls[2:] == [("order", "cancel"), ("order", "query"), ("order", "cancel")]
    assert state.triggered_order is not None
    assert state.triggered_order.status == "CANCELED"


def test_follow_triggered_shares_the_bound() -> None:
    run = Run()
    with pytest.raises(ExecutionStatusUnknown) as raised:
        drive(
            scripted(unknown_order(), fired(), unknown()),
            run,
            follow_triggered=True,
            max_requests=3,
        )
    assert len(run.calls) == 3
    assert f"order {ACTUAL_ORDER_ID} (placed by algo order {ALGO_ID})" in str(raised.value)


def test_a_fired_stop_without_an_order_id_is_returned_as_it_is() -> None:
    state = drive(scripted(unknown_order(), algo_queried("TRIGGERED", "")))
    assert (state.algo_status, state.actual_order_id) == ("TRIGGERED", None)


def test_a_fired_stop_to_follow_is_queried_until_it_names_its_order() -> None:
    run = Run()
    state = drive(
        scripted(unknown_order(), algo_queried("TRIGGERED", ""), fired(), cancelled()),
        run,
        follow_triggered=True,
        backoff=0.5,
    )
    assert run.steps == [
        ("algo", "cancel"),
        ("algo", "query"),
        0.5,
        ("algo", "query"),
        ("order", "cancel"),
    ]
    assert state.triggered_order is not None
    assert state.triggered_order.status == "CANCELED"


def test_an_algo_order_not_found_can_no_longer_trigger() -> None:
    run = Run()
    with pytest.raises(UnknownOrder) as raised:
        drive(scripted(unknown_order(), does_not_exist()), run)
    assert run.calls == [("algo", "cancel"), ("algo", "query")]  # no further lookup
    assert raised.value.msg.startswith(f"Binance no longer finds {SYMBOL} algo order {ALGO_ID}")
    assert "it never existed as an algo order" in raised.value.msg
    assert raised.value.msg.endswith("It can no longer trigger.")


# -- the bound, whatever the exchange answers --------------------------------------------------

FAILURES: list[Callable[[], _Answer]] = [
    unknown,
    unknown_order,
    does_not_exist,
    lambda: NothingSent("refused"),
    lambda: ServiceUnavailable("Service Unavailable.", status=503),
    lambda: RateLimited("slow", status=429, code=-1003, retry_after=3),
    lambda: IpBanned("banned", status=418, code=-1003, retry_after=120),
]
#: What each kind of call may be answered with: its own documented success, or a failure.
OUTCOMES: dict[tuple[bool, str], list[Callable[[], _Answer]]] = {
    (True, "cancel"): [algo_cancelled, *FAILURES],
    (True, "query"): [
        *FAILURES,
        *(
            (lambda status=status: algo_queried(status))
            for status in ("NEW", "TRIGGERING", "CANCELED", "EXPIRED", "REJECTED")
        ),
        fired,
        lambda: fired("FINISHED"),
        lambda: algo_queried("TRIGGERED", ""),
        lambda: algo_queried("SOMETHING_NEW_2027"),
    ],
    (False, "cancel"): [cancelled, *FAILURES],
    (False, "query"): [
        *FAILURES,
        lambda: queried("NEW"),
        lambda: queried("PARTIALLY_FILLED"),
        lambda: queried("CANCELED"),
        lambda: queried("FILLED", "1"),
        lambda: queried("SOMETHING_NEW_2027"),
    ],
}


@settings(max_examples=300, deadline=None)
@given(
    picks=st.lists(st.integers(0, 1000), min_size=40, max_size=40),
    follow_triggered=st.booleans(),
    max_requests=st.integers(1, 10),
    deadline=st.floats(0.5, 60.0),
    backoff=st.floats(0.0, 2.0),
)
def test_bounds_hold_and_an_armed_stop_is_never_reported_done(
    picks: list[int],
    follow_triggered: bool,
    max_requests: int,
    deadline: float,
    backoff: float,
) -> None:
    script = iter(picks)

    def answer(send: _Send) -> _Answer:
        outcomes = OUTCOMES[send.target.is_algo, send.call]
        return outcomes[next(script) % len(outcomes)]()

    run = Run()
    try:
        state: OrderState | None = drive(
            answer,
            run,
            follow_triggered=follow_triggered,
            max_requests=max_requests,
            deadline=deadline,
            backoff=backoff,
        )
    except BinanceError:
        state = None
    assert len(run.calls) <= max_requests
    assert run.waited < deadline
    if state is None:
        return
    assert state.service == "algo"
    assert state.requests_sent == len(run.calls)
    algo_answers = [a for a, c in zip(run.answers, run.calls, strict=True) if c[0] == "algo"]
    last_algo = algo_answers[-1]
    # Every result rests on the algo service's own last answer, never on an error.
    assert not isinstance(last_algo, BinanceError)
    if isinstance(last_algo, CancelAlgoOrderResponse):
        assert (state.source, state.algo_status) == ("cancel", "CANCELED")
    else:
        assert isinstance(last_algo, AlgoOrder)
        assert state.source == "query"
        assert state.algo_status == last_algo.algo_status
        # An armed stop, or one in a status openapi.yaml does not document, is never "done".
        assert state.algo_status in {"TRIGGERED", "FINISHED", "CANCELED", "EXPIRED", "REJECTED"}
    followed = state.triggered_order
    if follow_triggered and state.algo_status in statuses("AlgoOrder").of(FIRED):
        # Followed, so never returned before its answer named the order it placed.
        assert state.actual_order_id == ACTUAL_ORDER_ID
        assert followed is not None
        assert followed.service == "order"
        if followed.source == "query":
            assert followed.status in statuses("QueryOrderResponse").of(DONE)
    else:
        assert followed is None


def test_bad_arguments_name_the_ids() -> None:
    with pytest.raises(ValueError, match="got order_id and client_algo_id"):
        _Target(SYMBOL, 1, None, None, client_algo_id="a")


def test_an_answer_that_is_no_algo_order_after_a_regular_not_found_is_said_so() -> None:
    # The algo lookup after a regular id's -2013 answered something unexpected.
    target = _Target(SYMBOL, None, "desk-7", None)
    machine = _decide(target, _Limits(8, 30.0, 0.0), lambda: 0.0)
    sends: list[Any] = [next(machine)]
    for outcome in (unknown_order(), does_not_exist()):
        sends.append(machine.send(outcome))
    assert [(s.call, s.target.is_algo) for s in sends] == [
        ("cancel", False),
        ("query", False),
        ("query", True),
    ]
    assert sends[-1].target.client_algo_id == "desk-7"
    with pytest.raises(UnknownOrder) as raised:
        machine.send(ServiceUnavailable("Service Unavailable.", status=503))
    assert "the algo service could not say (ServiceUnavailable" in raised.value.msg
    assert "It is not open" not in raised.value.msg


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("NEW", "which is open: it can still trigger"),
        ("CANCELED", "which is not open"),
        ("PAUSED", "which is in a status openapi.yaml does not document: it may still trigger"),
    ],
)
def test_what_the_algo_service_holds_for_a_regular_id_is_told_by_its_status(
    status: str, said: str
) -> None:
    """A regular id the order book does not find, held by the algo service: an undocumented
    algoStatus is never called "not open"."""
    target = _Target(SYMBOL, None, "desk-7", None)
    machine = _decide(target, _Limits(8, 30.0, 0.0), lambda: 0.0)
    next(machine)
    for outcome in (unknown_order(), does_not_exist()):
        machine.send(outcome)
    with pytest.raises(UnknownOrder) as raised:
        machine.send(algo_queried(status))
    assert f"algoStatus {status}), {said}" in raised.value.msg

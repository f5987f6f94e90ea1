"""cancel_and_confirm(): a cancel that finds out where the order is when its answer cannot say.

A caller of the generated cancel and query functions, never part of the auth flow: every
request it makes is an ordinary, freshly signed call through the client. It covers both places
an order can be since the 2026-06-30 COIN-M / USDⓈ-M integration: the order book (``orderId``,
``origClientOrderId``: Cancel Order and Query Order) and the algo service, where conditional
orders (STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET) live
(``algoId``, ``clientAlgoId``: Cancel Algo Order and Query Algo Order).

The decision procedure is written once, as a generator (``_decide``) that yields what to do
next and is sent what happened; a sync and an async runner drive it. Its states, for either
service::

          ┌────────┐  documented success ─────────────────────────────► return (from cancel)
  start ─►│ CANCEL │  -2011 ───────────────────────────┐
          └────────┘  status unknown ── wait ──────────┤
              ▲       any other error ── raised as is  │
              │                                        ▼
              │  still open (see below)           ┌────────┐  done or fired (see below)
              └───────────────────────────────────│ QUERY  │──────────► return (from query)
                                                  └────────┘
                     status unknown, nothing sent,   │  ▲    -2013 ──► raise UnknownOrder
                     503 "Service Unavailable.",     │  │      ("not found": not open)
                     429 / 418, TRIGGERING, a status │  │    any other error ──► raised as is
                     openapi.yaml does not document: │  │
                     wait, query again ──────────────┘──┘

What each status means is read from openapi.yaml (``x-binance-statuses`` of the query's
answer schema), never from a list here. "Still open" is NEW or PARTIALLY_FILLED for a regular
order and NEW for an algo order; an algo order that is TRIGGERING (its condition met, its
order being placed) is queried again after a wait. An algo order that is TRIGGERED or FINISHED
has fired: the result names the regular order it placed (``actual_order_id``), and with
``follow_triggered=True`` that order is cancelled and confirmed by the same procedure, within
the same bounds. A status openapi.yaml does not document is no proof that the order is off
the book: it is queried again after a wait, and when the bounds run out first,
``ExecutionStatusUnknown`` names the status seen.

A re-cancel that fails with "nothing sent", 503 "Service Unavailable." or 429/418 goes back to
QUERY after a wait too. Every request counts against ``max_requests``; no request starts after
``deadline``; when either runs out before a definite state is seen, ``ExecutionStatusUnknown``
says what was tried. A -2011 alone never counts as "cancelled": only a query can say what
became of the order. A query's -2013 is "not found", not "never existed": a query stops
finding a CANCELED / EXPIRED order without fills once it was created more than 3 days ago,
even one this very call just cancelled (see ``_not_found``). When a regular id is not found,
one more query asks the algo service for the same id, so that a live stop named by a regular
id is never reported as not open.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypeVar

import attrs

from binance_coinm_futures.client import AuthenticatedClient

from ._errors import (
    BinanceError,
    ExecutionStatusUnknown,
    NothingSent,
    RateLimited,
    ServiceUnavailable,
    UnknownOrder,
)
from ._spec import Statuses, check_one_id, operation_rules, path_of, statuses

if TYPE_CHECKING:
    from binance_coinm_futures.models import (
        AlgoOrder,
        CancelAlgoOrderResponse,
        CancelOrderResponse,
        QueryOrderResponse,
    )

logger: Final = logging.getLogger("binance_coinm_futures")

#: The kinds of ``x-binance-statuses`` (openapi.yaml) this procedure acts on: "open" is
#: cancelled again, "placing" (an algo order's TRIGGERING) queried again after a wait, "fired"
#: (a regular order exists) may be followed, "done" is returned.
OPEN: Final = "open"
PLACING: Final = "placing"
FIRED: Final = "fired"
DONE: Final = "done"
#: Conditional order types, which live in the algo service since 2026-06-30.
CONDITIONAL_TYPES: Final = (
    "STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET or TRAILING_STOP_MARKET"
)

DEFAULT_MAX_REQUESTS: Final = 8
DEFAULT_DEADLINE: Final = 30.0
DEFAULT_BACKOFF: Final = 0.25
_MAX_WAIT: Final = 4.0

#: Failures after which the order's state is still to be found, by a query after a wait.
_TRY_AGAIN: Final = (ExecutionStatusUnknown, NothingSent, ServiceUnavailable, RateLimited)


@attrs.frozen
class OrderState:
    """Where the order is, as the exchange last said it.

    ``source`` is "cancel" when the cancel's own answer said so, "query" when a query did.
    ``executed_qty`` is None when a cancel answer left it out (Binance no longer promises it
    there) and for an algo order; a Query Order always carries it. ``requests_sent`` counts
    the cancel and query calls made, never more than the ``max_requests`` given.

    ``service`` says which service answered: "order" (the order book: Cancel Order, Query
    Order) or "algo" (conditional orders: Cancel Algo Order, Query Algo Order). For an algo
    order ``algo_id``, ``client_algo_id`` and ``algo_status`` are set, and ``order_id``,
    ``client_order_id`` and ``status`` repeat them (an algo id is not an order id: the
    regular endpoints do not know it). ``actual_order_id`` is the regular order a TRIGGERED
    or FINISHED algo order placed; ``triggered_order`` is that order's state when
    ``follow_triggered=True`` had it cancelled and confirmed too.
    """

    order_id: int
    client_order_id: str
    symbol: str
    status: str
    executed_qty: str | None
    source: Literal["cancel", "query"]
    requests_sent: int
    service: Literal["order", "algo"] = "order"
    algo_id: int | None = None
    client_algo_id: str | None = None
    algo_status: str | None = None
    actual_order_id: int | None = None
    triggered_order: OrderState | None = None


# Private helpers are plain classes: each attrs or enum class costs every importer of
# signing_hook time at import.
_Call: TypeAlias = Literal["cancel", "query"]
_Answer: TypeAlias = (
    "CancelOrderResponse | QueryOrderResponse | CancelAlgoOrderResponse | AlgoOrder"
    " | BinanceError | None"
)


class _Wait:
    """Sleep this many seconds, then go on."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class _Send:
    """Make this call (a cancel or a query) for this target."""

    __slots__ = ("call", "target")

    def __init__(self, call: _Call, target: _Target) -> None:
        self.call = call
        self.target = target


_Action: TypeAlias = "_Send | _Wait"


class _Limits:
    """The request bound, checked before anything is sent."""

    __slots__ = ("backoff", "deadline", "max_requests")

    def __init__(self, max_requests: int, deadline: float, backoff: float) -> None:
        if isinstance(max_requests, bool) or not isinstance(max_requests, int):
            raise ValueError(f"max_requests must be an integer, got {max_requests!r}")
        if max_requests < 1:
            raise ValueError(f"max_requests must be at least 1, got {max_requests}")
        if not deadline > 0:
            raise ValueError(f"deadline must be a positive number of seconds, got {deadline}")
        if not backoff >= 0:
            raise ValueError(f"backoff must be zero or more seconds, got {backoff}")
        self.max_requests = max_requests
        self.deadline = float(deadline)
        self.backoff = float(backoff)


_ID_ARGUMENTS: Final = ("order_id", "orig_client_order_id", "algo_id", "client_algo_id")


class _Target:
    """The order, as the caller named it; every cancel and query names it the same way.

    Exactly one id: ``order_id`` or ``orig_client_order_id`` name a regular order,
    ``algo_id`` or ``client_algo_id`` a conditional order in the algo service.
    ``placed_by`` is the algo id of the conditional order that placed this regular order.
    """

    __slots__ = (
        "algo_id",
        "client_algo_id",
        "order_id",
        "orig_client_order_id",
        "placed_by",
        "recv_window",
        "symbol",
    )

    def __init__(
        self,
        symbol: str,
        order_id: int | None,
        orig_client_order_id: str | None,
        recv_window: int | None,
        algo_id: int | None = None,
        client_algo_id: str | None = None,
        placed_by: int | None = None,
    ) -> None:
        ids = (order_id, orig_client_order_id, algo_id, client_algo_id)
        check_one_id(
            {name: value is not None for name, value in zip(_ID_ARGUMENTS, ids, strict=True)}
        )
        self.symbol = symbol
        self.order_id = order_id
        self.orig_client_order_id = orig_client_order_id
        self.algo_id = algo_id
        self.client_algo_id = client_algo_id
        self.recv_window = recv_window
        self.placed_by = placed_by

    @property
    def is_algo(self) -> bool:
        return self.algo_id is not None or self.client_algo_id is not None

    @property
    def statuses(self) -> Statuses:
        """What each status of its service's query answer means, as openapi.yaml says."""
        return statuses("AlgoOrder" if self.is_algo else "QueryOrderResponse")

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of the generated cancel and query functions of its service."""
        from binance_coinm_futures.types import UNSET

        def given(value: object) -> object:
            return UNSET if value is None else value

        if self.is_algo:
            return {
                "algo_id": given(self.algo_id),
                "client_algo_id": given(self.client_algo_id),
                "recv_window": given(self.recv_window),
            }
        return {
            "symbol": self.symbol,
            "order_id": given(self.order_id),
            "orig_client_order_id": given(self.orig_client_order_id),
            "recv_window": given(self.recv_window),
        }

    def algo_lookup(self) -> _Target | None:
        """The same id asked of the algo service, for a regular id the order book lacks."""
        if self.is_algo or self.placed_by is not None:
            return None
        return _Target(
            self.symbol,
            None,
            None,
            self.recv_window,
            algo_id=self.order_id,
            client_algo_id=self.orig_client_order_id,
        )

    def follow(self, state: OrderState) -> _Target | None:
        """The regular order a fired algo order placed, as a target of its own."""
        if state.actual_order_id is None or state.algo_status not in self.statuses.of(FIRED):
            return None
        return _Target(
            state.symbol,
            state.actual_order_id,
            None,
            self.recv_window,
            placed_by=state.algo_id,
        )

    def describe(self) -> str:
        if self.algo_id is not None:
            return f"{self.symbol} algo order {self.algo_id}"
        if self.client_algo_id is not None:
            return f"{self.symbol} algo order {self.client_algo_id!r}"
        if self.order_id is None:
            return f"{self.symbol} order {self.orig_client_order_id!r}"
        if self.placed_by is not None:
            return f"{self.symbol} order {self.order_id} (placed by algo order {self.placed_by})"
        return f"{self.symbol} order {self.order_id}"


def _status(answer: Any) -> str:
    """The status a cancel or query answer reports: ``algoStatus`` for an algo order."""
    status = getattr(answer, "algo_status", None)
    return str(answer.status if status is None else status)


def _order_id(value: object) -> int | None:
    """``actualOrderId`` as an order id: a string in USDⓈ-M's answer ("" before a trigger)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _state(answer: Any, target: _Target, source: _Call, sent: int) -> OrderState:
    """The OrderState of a documented success of ``target``'s cancel or query."""
    if not target.is_algo:
        executed = answer.executed_qty
        return OrderState(
            order_id=answer.order_id,
            client_order_id=answer.client_order_id,
            symbol=answer.symbol,
            status=answer.status,
            executed_qty=executed if isinstance(executed, str) else None,
            source=source,
            requests_sent=sent,
        )
    # An algo cancel's success answer carries the ids only: the order is CANCELED.
    status = _status(answer) if source == "query" else "CANCELED"
    return OrderState(
        order_id=answer.algo_id,
        client_order_id=answer.client_algo_id,
        symbol=answer.symbol if source == "query" else target.symbol,
        status=status,
        executed_qty=None,
        source=source,
        requests_sent=sent,
        service="algo",
        algo_id=answer.algo_id,
        client_algo_id=answer.client_algo_id,
        algo_status=status,
        actual_order_id=_order_id(getattr(answer, "actual_order_id", None)),
    )


def _summary(call: _Call, target: _Target, answer: _Answer) -> str:
    name = f"algo {call}" if target.is_algo else call
    if isinstance(answer, BinanceError):
        return f"{name}: {type(answer).__name__} ({answer})"
    if answer is None:
        return f"{name}: no answer"
    if target.is_algo and call == "cancel":
        return f"{name}: done"
    return f"{name}: {_status(answer)}"


class _Budget:
    """What one cancel_and_confirm may still spend, shared by every target it settles."""

    __slots__ = ("deadline", "history", "limits", "now", "sent")

    def __init__(self, limits: _Limits, now: Callable[[], float]) -> None:
        self.limits = limits
        self.now = now
        self.deadline = now() + limits.deadline
        self.history: list[str] = []
        self.sent = 0

    def record(self, call: _Call, target: _Target, answer: _Answer) -> None:
        self.sent += 1
        self.history.append(_summary(call, target, answer))
        logger.debug("cancel_and_confirm %s: %s", target.describe(), self.history[-1])

    def refusal(self, call: _Call, wait: float) -> str | None:
        """Why the next call may not start (after ``wait`` seconds); None when it may."""
        if self.sent >= self.limits.max_requests:
            return f"the bound of {self.limits.max_requests} requests is reached"
        if self.now() + wait >= self.deadline:
            return f"the next {call} would start after the deadline"
        return None

    def out_of_bounds(
        self, target: _Target, reason: str, undocumented: str | None = None
    ) -> ExecutionStatusUnknown:
        tried = "; ".join(self.history)
        seen = (
            f" The last query answered status {undocumented!r}, which openapi.yaml does not "
            "document: it is no proof that the order is off the book."
            if undocumented is not None
            else ""
        )
        return ExecutionStatusUnknown(
            f"could not confirm the cancel of {target.describe()}: {reason}, after "
            f"{self.sent} requests ({tried}).{seen} Query the order before acting."
        )


def _decide(
    target: _Target,
    limits: _Limits,
    now: Callable[[], float],
    *,
    follow_triggered: bool = False,
) -> Generator[_Action, _Answer, OrderState]:
    """The one decision procedure: yields a call or a wait, is sent the call's outcome.

    Returns the order's state, or raises: the first cancel's own error when it is neither
    "status unknown" nor -2011, UnknownOrder when a query answers -2013 (`_not_found`), an
    unexpected error unchanged, or ExecutionStatusUnknown when the bounds run out first.
    With ``follow_triggered``, a fired algo order's regular order is settled next, within the
    same bounds, and its state returned as ``triggered_order``.
    """
    budget = _Budget(limits, now)
    state = yield from _settle(target, budget, needs_actual_order=follow_triggered)
    placed = target.follow(state) if follow_triggered else None
    if placed is None:
        return state
    followed = yield from _settle(placed, budget)
    return attrs.evolve(state, triggered_order=followed, requests_sent=budget.sent)


def _settle(
    target: _Target, budget: _Budget, *, needs_actual_order: bool = False
) -> Generator[_Action, _Answer, OrderState]:
    """The procedure for one order: cancel, query while the outcome is unknown, re-cancel.

    ``needs_actual_order``: a fired algo order whose answer does not name its regular order
    yet is queried again after a wait, as the order is to be followed.
    """
    sent = 0  # this target's calls
    retries = 0
    # What this call itself knows of the order, for the message of a -2013.
    cancel_lost = False  # a cancel of this call may have been done, its answer lost
    found_open = False  # a query of this call saw the order open: it did exist
    undocumented: str | None = None  # the last query's status, if openapi.yaml lacks it
    call: _Call = "cancel"
    wait = 0.0
    meaning = target.statuses
    cancel_again, settled = meaning.of(OPEN), meaning.of(FIRED) | meaning.of(DONE)

    while True:
        if budget.sent:
            reason = budget.refusal(call, wait)
            if reason is not None:
                raise budget.out_of_bounds(target, reason, undocumented)
            if wait:
                yield _Wait(wait)
        answer = yield _Send(call, target)
        sent += 1
        budget.record(call, target, answer)
        wait = 0.0

        if answer is None:
            raise TypeError(f"no outcome was sent for the {call}")  # a runner bug
        if call == "cancel":
            if not isinstance(answer, BinanceError):
                return _state(answer, target, "cancel", budget.sent)
            if isinstance(answer, UnknownOrder):
                # -2011: no open order by that id. Filled, cancelled or never there: ask.
                call = "query"
                continue
            cancel_lost = cancel_lost or isinstance(answer, ExecutionStatusUnknown)
            # A repeat cancel, or the first cancel of a triggered stop's order, which must not
            # end the call while the order may be on the book: find out by a query.
            if isinstance(answer, ExecutionStatusUnknown) or (
                (sent > 1 or target.placed_by is not None) and isinstance(answer, _TRY_AGAIN)
            ):
                call = "query"
                wait = _backoff(budget.limits, retries, answer)
                retries += 1
                continue
        else:
            if not isinstance(answer, BinanceError):
                status = _status(answer)
                undocumented = None if status in meaning.known else status
                if status in cancel_again:
                    found_open = True
                    call = "cancel"
                    continue
                if status in meaning.of(PLACING) or (  # TRIGGERING: its order is being placed
                    needs_actual_order
                    and status in meaning.of(FIRED)
                    and _order_id(getattr(answer, "actual_order_id", None)) is None
                ):
                    found_open = True
                    wait = _backoff(budget.limits, retries, answer)
                    retries += 1
                    continue
                if status not in settled:
                    # Undocumented: no proof the order is off the book. Ask again later.
                    wait = _backoff(budget.limits, retries, answer)
                    retries += 1
                    continue
                return _state(answer, target, "query", budget.sent)
            if isinstance(answer, _TRY_AGAIN):
                wait = _backoff(budget.limits, retries, answer)
                retries += 1
                continue
            if isinstance(answer, UnknownOrder) and answer.code == -2013:
                lookup = target.algo_lookup()
                elsewhere: _Answer = None
                if lookup is not None and budget.refusal("query", 0.0) is None:
                    elsewhere = yield _Send("query", lookup)
                    budget.record("query", lookup, elsewhere)
                raise _not_found(
                    target,
                    answer,
                    cancel_lost=cancel_lost,
                    found_open=found_open,
                    algo_lookup=lookup,
                    elsewhere=elsewhere,
                ) from answer
        raise answer


def _not_found(
    target: _Target,
    answer: UnknownOrder,
    *,
    cancel_lost: bool,
    found_open: bool,
    algo_lookup: _Target | None = None,
    elsewhere: _Answer = None,
) -> UnknownOrder:
    """A query's -2013, told with what this call knows: the order is not open.

    A query only follows a cancel that answered -2011 (no open order by that id) or whose
    outcome was unknown, so the order is not open. Binance's "not found" is not "never
    existed": a query stops finding a CANCELED / EXPIRED order without fills once it was
    created more than 3 days ago (any order after 90), so an old order cancelled by this very
    call, whose answer was lost, is not found either. The one case "not open" cannot rule out:
    an order open for more than 90 days whose lost cancel was not done, as no query finds
    any order that old.

    For a regular id the message adds where conditional orders are since 2026-06-30, and what
    the algo service said of the same id (``elsewhere``, the answer to ``algo_lookup``): a
    conditional order named by a regular id is never called "not open".
    """
    kind = "an algo order" if target.is_algo else "a regular order"
    if found_open:
        origin = "a query of this call found it open, so it was created more than 3 days ago"
    else:
        origin = f"it never existed as {kind}, or it was created more than 3 days ago"
    origin += " (90 days if it had fills) and is no longer open"
    if cancel_lost:
        origin += ", possibly cancelled by this very call, whose answer was lost"
    message = f"Binance no longer finds {target.describe()} (-2013 {answer.msg!r}): {origin}."
    if algo_lookup is not None:
        message += " " + _algo_service_note(algo_lookup, elsewhere)
    elif target.is_algo:
        message += " It can no longer trigger."
    else:
        message += " It is not open."
    return UnknownOrder(message, status=answer.status, code=answer.code, usage=answer.usage)


def _algo_service_note(lookup: _Target, elsewhere: _Answer) -> str:
    """What the algo service said of a regular id the order book does not find."""
    from binance_coinm_futures.models import AlgoOrder

    by = (
        f"algo_id={lookup.algo_id}"
        if lookup.algo_id is not None
        else (f"client_algo_id={lookup.client_algo_id!r}")
    )
    where = (
        f"Conditional orders ({CONDITIONAL_TYPES}) live in the algo service since 2026-06-30, "
        "which Cancel Order and Query Order do not see (-2011, -2013); they are cancelled by "
        "algo id"
    )
    if isinstance(elsewhere, AlgoOrder):
        status = elsewhere.algo_status
        meaning = lookup.statuses
        call = f"cancel_and_confirm(..., {by})"
        if status in meaning.of(OPEN) | meaning.of(PLACING):
            state = "open: it can still trigger"
        elif status in meaning.of(FIRED):
            # The stop is no longer armed, but the regular order it placed can still trade.
            placed = _order_id(getattr(elsewhere, "actual_order_id", None))
            state = (
                f"no longer armed: it fired and placed regular order {placed}, which may still "
                "be open"
                if placed is not None
                else "no longer armed: it fired and placed a regular order, which may still be open"
            )
            call = f"cancel_and_confirm(..., {by}, follow_triggered=True)"
        elif status in meaning.of(DONE):
            state = "not open"
        else:
            state = "in a status openapi.yaml does not document: it may still trigger"
        return (
            f"No regular order by that id is open, but the algo service holds a conditional "
            f"order by that id ({elsewhere.symbol}, algoId {elsewhere.algo_id}, algoStatus "
            f"{status}), which is {state}. {where}: {call}."
        )
    if isinstance(elsewhere, UnknownOrder) and elsewhere.code == -2013:
        return (
            "It is not open, and the algo service holds no conditional order by that id "
            f"either. {where}."
        )
    if elsewhere is None:
        said = "was not asked (the bounds ran out)"
    elif isinstance(elsewhere, BinanceError):
        said = f"could not say ({type(elsewhere).__name__}: {elsewhere})"
    else:
        said = "gave an answer that is not an algo order"
    return (
        f"No regular order by that id is open; the algo service {said}. {where}: if it is a "
        f"conditional order, cancel_and_confirm(..., {by})."
    )


def _backoff(limits: _Limits, retries: int, answer: _Answer) -> float:
    if isinstance(answer, RateLimited) and answer.retry_after is not None:
        return max(0.0, answer.retry_after)
    # The exponent is capped before it is used: 2**retries of a large bound overflows a float.
    return min(limits.backoff * float(2 ** min(retries, 16)), _MAX_WAIT)


def _endpoint(send: _Send) -> Any:
    """The generated module of the call: imported here, as importing signing_hook should not
    cost every model's import."""
    from binance_coinm_futures.api.trade import (
        cancel_algo_order,
        cancel_order,
        query_algo_order,
        query_order,
    )

    if send.target.is_algo:
        return cancel_algo_order if send.call == "cancel" else query_algo_order
    return cancel_order if send.call == "cancel" else query_order


def _call_sync(client: AuthenticatedClient, send: _Send) -> _Answer:
    try:
        answer: _Answer = _endpoint(send).sync(client=client, **send.target.arguments())
    except BinanceError as error:
        return error
    return answer


async def _call_async(client: AuthenticatedClient, send: _Send) -> _Answer:
    try:
        answer: _Answer = await _endpoint(send).asyncio(client=client, **send.target.arguments())
    except BinanceError as error:
        return error
    return answer


def _machine(
    symbol: str,
    ids: tuple[int | None, str | None, int | None, str | None],
    recv_window: int | None,
    bounds: tuple[int, float, float],
    follow_triggered: bool,
) -> Generator[_Action, _Answer, OrderState]:
    """The procedure for one cancel_and_confirm call, with its arguments checked."""
    if not isinstance(follow_triggered, bool):
        raise ValueError(f"follow_triggered must be True or False, got {follow_triggered!r}")
    # An algo call sends no symbol, yet the result names it: check it as Cancel Order would.
    if not isinstance(symbol, str):
        raise TypeError(f"symbol must be str, got {type(symbol).__name__}")
    operation_rules()["DELETE", path_of("cancelOrder")].parameters["symbol"].check(symbol)
    order_id, orig_client_order_id, algo_id, client_algo_id = ids
    target = _Target(symbol, order_id, orig_client_order_id, recv_window, algo_id, client_algo_id)
    return _decide(target, _Limits(*bounds), time.monotonic, follow_triggered=follow_triggered)


def cancel_and_confirm(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_id: int | None = None,
    orig_client_order_id: str | None = None,
    algo_id: int | None = None,
    client_algo_id: str | None = None,
    follow_triggered: bool = False,
    recv_window: int | None = None,
    max_requests: int = DEFAULT_MAX_REQUESTS,
    deadline: float = DEFAULT_DEADLINE,
    backoff: float = DEFAULT_BACKOFF,
) -> OrderState:
    """Cancel an order and return where it ended up, querying it when the cancel cannot say.

    A documented success of the cancel is returned at once: one request. When the cancel's
    outcome is unknown (``ExecutionStatusUnknown``) or it answers -2011 (``UnknownOrder``),
    the order is queried (a freshly signed request each time) until it is in a definite state;
    while it is still open it is cancelled again. Queries that fail with "status unknown",
    "nothing sent", 503 "Service Unavailable." or 429/418 are retried after ``backoff``
    seconds, doubled each time up to 4 s, or after the answer's ``Retry-After``.

    A regular order (``order_id`` / ``orig_client_order_id``) goes through Cancel Order and
    Query Order; it is open while NEW or PARTIALLY_FILLED. A conditional order (STOP,
    STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET), which Binance keeps
    in the algo service since 2026-06-30, is named by ``algo_id`` / ``client_algo_id`` and
    goes through Cancel Algo Order and Query Algo Order: NEW is cancelled again, TRIGGERING
    is queried again after a wait, CANCELED, EXPIRED and REJECTED are done, and TRIGGERED or
    FINISHED mean it fired: ``actual_order_id`` names the regular order it placed. With
    ``follow_triggered=True`` that order is then cancelled and confirmed too (its state in
    ``triggered_order``), so that "cancel this stop" means "this stop can no longer trade".
    These meanings are openapi.yaml's (``x-binance-statuses``). A status it does not document
    is no proof that the order is off the book: the order is queried again after a wait, and
    if the bounds run out first, ``ExecutionStatusUnknown`` names that status.

    Request bound: at most ``max_requests`` cancel and query calls in all, the first cancel
    and a followed order's calls included, and none started more than ``deadline`` seconds
    after this function began, so it returns within ``deadline`` plus one call's own limit
    (the client's largest timeout part). Inside one call the signing hook may add a
    server-time fetch and one re-signed resend after a -1021: at most three times
    ``max_requests`` HTTP requests in all.

    Args:
        client: a client from ``connect()``.
        symbol: e.g. "BTCUSD_PERP".
        order_id: the exchange's order id; or
        orig_client_order_id: the client order id; or
        algo_id: the algo service's id of a conditional order; or
        client_algo_id: its client algo id. Pass exactly one of the four.
        follow_triggered: for a conditional order that fired, cancel and confirm the regular
            order it placed too.
        recv_window: sent with every cancel and query; None sends the client's default.
        max_requests: the most cancel and query calls to make (at least 1).
        deadline: seconds after which no further call is started.
        backoff: the first wait, in seconds, before a query after an unknown outcome.

    Returns:
        The order's state, from the cancel's answer or from a query; ``service`` says which
        service answered.

    Raises:
        UnknownOrder: a query answered -2013 ("not found"), ``code`` -2013: the order is
            not open. Binance no longer finds an order that never existed, a CANCELED or
            EXPIRED one without fills created more than 3 days ago, or any order created
            more than 90 days ago; so an old order cancelled by this very call, whose answer
            was lost, is not found either. The message says which of these remain possible.
            For a regular id, one more query asks the algo service for the same id, and the
            message says what it holds: a conditional order is cancelled by algo id.
        ExecutionStatusUnknown: the bounds ran out before the order's state was known; the
            message lists every call and its outcome, and names a status openapi.yaml does
            not document if the last query answered one.
        BinanceError: any other failure of the first cancel (for example ``NothingSent`` or
            ``ServiceUnavailable``: nothing was done; ``InvalidRequest`` for an id that breaks
            openapi.yaml's rules, such as a ``client_algo_id`` over 36 characters: nothing
            was sent) or an unexpected one later, unchanged.
        ValueError: no id or more than one, or bounds that make no sense; nothing is sent.
    """
    machine = _machine(
        symbol,
        (order_id, orig_client_order_id, algo_id, client_algo_id),
        recv_window,
        (max_requests, deadline, backoff),
        follow_triggered,
    )
    return drive(machine, lambda action: _call_sync(client, action))


async def cancel_and_confirm_async(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_id: int | None = None,
    orig_client_order_id: str | None = None,
    algo_id: int | None = None,
    client_algo_id: str | None = None,
    follow_triggered: bool = False,
    recv_window: int | None = None,
    max_requests: int = DEFAULT_MAX_REQUESTS,
    deadline: float = DEFAULT_DEADLINE,
    backoff: float = DEFAULT_BACKOFF,
) -> OrderState:
    """The async form of `cancel_and_confirm`: the same decisions, bounds and errors."""
    machine = _machine(
        symbol,
        (order_id, orig_client_order_id, algo_id, client_algo_id),
        recv_window,
        (max_requests, deadline, backoff),
        follow_triggered,
    )
    return await drive_async(machine, lambda action: _call_async(client, action))


_Result = TypeVar("_Result")


def drive(
    machine: Generator[Any, Any, _Result],
    perform: Callable[[Any], object],
    sleep: Callable[[float], object] = time.sleep,
) -> _Result:
    """Run a decision procedure that yields waits and steps: ``sleep`` for its waits,
    ``perform`` its steps, send the outcomes back; its return value is the result. (The bulk
    helpers and the dead-man's switch use it.)"""
    try:
        action = next(machine)
        while True:
            if isinstance(action, _Wait):
                sleep(action.seconds)
                action = machine.send(None)
            else:
                action = machine.send(perform(action))
    except StopIteration as finished:
        result: _Result = finished.value
        return result


async def drive_async(
    machine: Generator[Any, Any, _Result], perform: Callable[[Any], Awaitable[object]]
) -> _Result:
    """The async form of `drive`: the waits are anyio sleeps, the steps awaited."""
    import anyio  # deferred: only async callers need it, and httpx already depends on it

    try:
        action = next(machine)
        while True:
            if isinstance(action, _Wait):
                await anyio.sleep(action.seconds)
                action = machine.send(None)
            else:
                action = machine.send(await perform(action))
    except StopIteration as finished:
        result: _Result = finished.value
        return result

"""cancel_and_confirm(): a cancel that finds out where the order is when its answer cannot say.

A caller of the generated ``cancel_order`` and ``query_order`` functions, never part of the
auth flow: every request it makes is an ordinary, freshly signed call through the client.

The decision procedure is written once, as a generator (``_decide``) that yields what to do
next and is sent what happened; a sync and an async runner drive it. Its states::

          ┌────────┐  documented success ─────────────────────────────► return (from cancel)
  start ─►│ CANCEL │  -2011 ───────────────────────────┐
          └────────┘  status unknown ── wait ──────────┤
              ▲       any other error ── raised as is  │
              │                                        ▼
              │  NEW, PARTIALLY_FILLED            ┌────────┐  any other status
              └───────────────────────────────────│ QUERY  │──────────► return (from query)
                                                  └────────┘
                     status unknown, nothing sent,   │  ▲    -2013 ──► raise UnknownOrder
                     503 "Service Unavailable.",     │  │      ("not found": not open)
                     429 / 418: wait, query again ───┘──┘    any other error ──► raised as is

A re-cancel that fails with "nothing sent", 503 "Service Unavailable." or 429/418 goes back to
QUERY after a wait too. Every request counts against ``max_requests``; no request starts after
``deadline``; when either runs out before a state other than NEW / PARTIALLY_FILLED is seen,
``ExecutionStatusUnknown`` says what was tried. A -2011 alone never counts as "cancelled":
only a query can say what became of the order. A query's -2013 is "not found", not "never
existed": Query Order stops finding a CANCELED / EXPIRED order without fills once it was
created more than 3 days ago, even one this very call just cancelled (see ``_not_found``).
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
from ._spec import check_one_id

if TYPE_CHECKING:
    from binance_coinm_futures.models import CancelOrderResponse, QueryOrderResponse

logger: Final = logging.getLogger("binance_coinm_futures")

#: Statuses of an order that is still on the book: a cancel is still to be done.
OPEN_STATUSES: Final = frozenset({"NEW", "PARTIALLY_FILLED"})

DEFAULT_MAX_REQUESTS: Final = 8
DEFAULT_DEADLINE: Final = 30.0
DEFAULT_BACKOFF: Final = 0.25
_MAX_WAIT: Final = 4.0

#: Failures after which the order's state is still to be found, by a query after a wait.
TRY_AGAIN: Final = (ExecutionStatusUnknown, NothingSent, ServiceUnavailable, RateLimited)


@attrs.frozen
class OrderState:
    """Where the order is, as the exchange last said it.

    ``source`` is "cancel" when the cancel's own answer said so, "query" when a Query Order
    did. ``executed_qty`` is None only when a cancel answer left it out (Binance no longer
    promises it there); a query always carries it. ``requests_sent`` counts the cancel and
    query calls made, never more than the ``max_requests`` given.
    """

    order_id: int
    client_order_id: str
    symbol: str
    status: str
    executed_qty: str | None
    source: Literal["cancel", "query"]
    requests_sent: int


# Private helpers are plain classes: each attrs or enum class costs every importer of
# signing_hook time at import.
_Call: TypeAlias = Literal["cancel", "query"]


class Wait:
    """Sleep this many seconds, then go on."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


_Action: TypeAlias = "_Call | Wait"
_Answer: TypeAlias = "CancelOrderResponse | QueryOrderResponse | BinanceError | None"


class Limits:
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


class _Target:
    """The order, as the caller named it; every cancel and query names it the same way."""

    __slots__ = ("order_id", "orig_client_order_id", "recv_window", "symbol")

    def __init__(
        self,
        symbol: str,
        order_id: int | None,
        orig_client_order_id: str | None,
        recv_window: int | None,
    ) -> None:
        check_one_id(
            {
                "order_id": order_id is not None,
                "orig_client_order_id": orig_client_order_id is not None,
            }
        )
        self.symbol = symbol
        self.order_id = order_id
        self.orig_client_order_id = orig_client_order_id
        self.recv_window = recv_window

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of the generated cancel_order and query_order functions."""
        from binance_coinm_futures.types import UNSET

        return {
            "symbol": self.symbol,
            "order_id": UNSET if self.order_id is None else self.order_id,
            "orig_client_order_id": UNSET
            if self.orig_client_order_id is None
            else self.orig_client_order_id,
            "recv_window": UNSET if self.recv_window is None else self.recv_window,
        }

    def describe(self) -> str:
        if self.order_id is None:
            return f"{self.symbol} order {self.orig_client_order_id!r}"
        return f"{self.symbol} order {self.order_id}"


def _state(
    answer: CancelOrderResponse | QueryOrderResponse, source: Literal["cancel", "query"], sent: int
) -> OrderState:
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


def _summary(call: _Call, answer: _Answer) -> str:
    if isinstance(answer, BinanceError):
        return f"{call}: {type(answer).__name__} ({answer})"
    if answer is None:
        return f"{call}: no answer"
    return f"{call}: {answer.status}"


def _decide(
    target: _Target, limits: Limits, now: Callable[[], float]
) -> Generator[_Action, _Answer, OrderState]:
    """The one decision procedure: yields a call or a wait, is sent the call's outcome.

    Returns the order's state, or raises: the first cancel's own error when it is neither
    "status unknown" nor -2011, UnknownOrder when a query answers -2013 (`_not_found`), an
    unexpected error unchanged, or ExecutionStatusUnknown when the bounds run out first.
    """
    deadline = now() + limits.deadline
    history: list[str] = []
    sent = 0
    retries = 0
    # What this call itself knows of the order, for the message of a -2013.
    cancel_lost = False  # a cancel of this call may have been done, its answer lost
    found_open = False  # a query of this call saw the order open: it did exist
    call: _Call = "cancel"
    wait = 0.0

    def out_of_bounds(reason: str) -> ExecutionStatusUnknown:
        tried = "; ".join(history)
        return ExecutionStatusUnknown(
            f"could not confirm the cancel of {target.describe()}: {reason}, after {sent} "
            f"requests ({tried}). Query the order before acting."
        )

    while True:
        if sent:
            if sent >= limits.max_requests:
                raise out_of_bounds(f"the bound of {limits.max_requests} requests is reached")
            if now() + wait >= deadline:
                raise out_of_bounds(f"the next {call} would start after the deadline")
            if wait:
                yield Wait(wait)
        answer = yield call
        sent += 1
        history.append(_summary(call, answer))
        logger.debug("cancel_and_confirm %s: %s", target.describe(), history[-1])
        wait = 0.0

        if answer is None:
            raise TypeError(f"no outcome was sent for the {call}")  # a runner bug
        if call == "cancel":
            if not isinstance(answer, BinanceError):
                return _state(answer, "cancel", sent)
            if isinstance(answer, UnknownOrder):
                # -2011: no open order by that id. Filled, cancelled or never there: ask.
                call = "query"
                continue
            cancel_lost = cancel_lost or isinstance(answer, ExecutionStatusUnknown)
            if isinstance(answer, ExecutionStatusUnknown) or (
                sent > 1 and isinstance(answer, TRY_AGAIN)
            ):
                call = "query"
                wait = backoff_after(limits, retries, answer)
                retries += 1
                continue
        else:
            if not isinstance(answer, BinanceError):
                if answer.status in OPEN_STATUSES:
                    found_open = True
                    call = "cancel"
                    continue
                return _state(answer, "query", sent)
            if isinstance(answer, TRY_AGAIN):
                wait = backoff_after(limits, retries, answer)
                retries += 1
                continue
            if isinstance(answer, UnknownOrder) and answer.code == -2013:
                raise _not_found(
                    target, answer, cancel_lost=cancel_lost, found_open=found_open
                ) from answer
        raise answer


def _not_found(
    target: _Target, answer: UnknownOrder, *, cancel_lost: bool, found_open: bool
) -> UnknownOrder:
    """A query's -2013, told with what this call knows: the order is not open.

    A query only follows a cancel that answered -2011 (no open order by that id) or whose
    outcome was unknown, so the order is not open. Binance's "not found" is not "never
    existed": Query Order stops finding a CANCELED / EXPIRED order without fills once it was
    created more than 3 days ago (any order after 90), so an old order cancelled by this very
    call, whose answer was lost, is not found either. The one case "not open" cannot rule out:
    an order open for more than 90 days whose lost cancel was not done, as Query Order no
    longer finds any order that old.
    """
    if found_open:
        origin = "a query of this call found it open, so it was created more than 3 days ago"
    else:
        origin = "it never existed, or it was created more than 3 days ago"
    origin += " (90 days if it had fills) and is no longer open"
    if cancel_lost:
        origin += ", possibly cancelled by this very call, whose answer was lost"
    return UnknownOrder(
        f"Binance no longer finds {target.describe()} (-2013 {answer.msg!r}): {origin}. "
        "It is not open.",
        status=answer.status,
        code=answer.code,
        usage=answer.usage,
    )


def backoff_after(limits: Limits, retries: int, answer: _Answer) -> float:
    if isinstance(answer, RateLimited) and answer.retry_after is not None:
        return max(0.0, answer.retry_after)
    # The exponent is capped before it is used: 2**retries of a large bound overflows a float.
    return min(limits.backoff * float(2 ** min(retries, 16)), _MAX_WAIT)


def _call_sync(client: AuthenticatedClient, target: _Target, call: _Call) -> _Answer:
    # Imported here: importing signing_hook should not cost every model's import.
    from binance_coinm_futures.api.trade import cancel_order, query_order

    try:
        if call == "cancel":
            return cancel_order.sync(client=client, **target.arguments())
        return query_order.sync(client=client, **target.arguments())
    except BinanceError as error:
        return error


async def _call_async(client: AuthenticatedClient, target: _Target, call: _Call) -> _Answer:
    from binance_coinm_futures.api.trade import cancel_order, query_order

    try:
        if call == "cancel":
            return await cancel_order.asyncio(client=client, **target.arguments())
        return await query_order.asyncio(client=client, **target.arguments())
    except BinanceError as error:
        return error


def cancel_and_confirm(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_id: int | None = None,
    orig_client_order_id: str | None = None,
    recv_window: int | None = None,
    max_requests: int = DEFAULT_MAX_REQUESTS,
    deadline: float = DEFAULT_DEADLINE,
    backoff: float = DEFAULT_BACKOFF,
) -> OrderState:
    """Cancel an order and return where it ended up, querying it when the cancel cannot say.

    A documented success of the cancel is returned at once: one request. When the cancel's
    outcome is unknown (``ExecutionStatusUnknown``) or it answers -2011 (``UnknownOrder``),
    the order is queried (``GET /dapi/v1/order``, a freshly signed request each time) until it
    is in a state other than NEW / PARTIALLY_FILLED; while it is still open it is cancelled
    again. Queries that fail with "status unknown", "nothing sent", 503 "Service Unavailable."
    or 429/418 are retried after ``backoff`` seconds, doubled each time up to 4 s, or after
    the answer's ``Retry-After``.

    Request bound: at most ``max_requests`` cancel and query calls in all, the first cancel
    included, and none started more than ``deadline`` seconds after this function began, so it
    returns within ``deadline`` plus one call's own limit (the client's largest timeout part).
    Inside one call the signing hook may add a server-time fetch and one re-signed resend
    after a -1021: at most three times ``max_requests`` HTTP requests in all.

    Args:
        client: a client from ``connect()``.
        symbol: e.g. "BTCUSD_PERP".
        order_id: the exchange's order id; or
        orig_client_order_id: the client order id. Pass exactly one of the two.
        recv_window: sent with every cancel and query; None sends the client's default.
        max_requests: the most cancel and query calls to make (at least 1).
        deadline: seconds after which no further call is started.
        backoff: the first wait, in seconds, before a query after an unknown outcome.

    Returns:
        The order's state, from the cancel's answer or from a query.

    Raises:
        UnknownOrder: a query answered -2013 ("not found"), ``code`` -2013: the order is
            not open. Binance no longer finds an order that never existed, a CANCELED or
            EXPIRED one without fills created more than 3 days ago, or any order created
            more than 90 days ago; so an old order cancelled by this very call, whose answer
            was lost, is not found either. The message says which of these remain possible.
        ExecutionStatusUnknown: the bounds ran out before the order's state was known; the
            message lists every call and its outcome.
        BinanceError: any other failure of the first cancel (for example ``NothingSent`` or
            ``ServiceUnavailable``: nothing was done) or an unexpected one later, unchanged.
        ValueError: neither or both ids, or bounds that make no sense; nothing is sent.
    """
    target = _Target(symbol, order_id, orig_client_order_id, recv_window)
    machine = _decide(target, Limits(max_requests, deadline, backoff), time.monotonic)
    return drive(machine, lambda call: _call_sync(client, target, call))


async def cancel_and_confirm_async(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_id: int | None = None,
    orig_client_order_id: str | None = None,
    recv_window: int | None = None,
    max_requests: int = DEFAULT_MAX_REQUESTS,
    deadline: float = DEFAULT_DEADLINE,
    backoff: float = DEFAULT_BACKOFF,
) -> OrderState:
    """The async form of `cancel_and_confirm`: the same decisions, bounds and errors."""
    target = _Target(symbol, order_id, orig_client_order_id, recv_window)
    machine = _decide(target, Limits(max_requests, deadline, backoff), time.monotonic)
    return await drive_async(machine, lambda call: _call_async(client, target, call))


_Result = TypeVar("_Result")


def drive(
    machine: Generator[Any, Any, _Result],
    perform: Callable[[Any], object],
    sleep: Callable[[float], object] = time.sleep,
) -> _Result:
    """Run a decision procedure: ``sleep`` for its waits, ``perform`` its steps, send the
    outcomes back; its return value is the result."""
    try:
        action = next(machine)
        while True:
            if isinstance(action, Wait):
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
            if isinstance(action, Wait):
                await anyio.sleep(action.seconds)
                action = machine.send(None)
            else:
                action = machine.send(await perform(action))
    except StopIteration as finished:
        result: _Result = finished.value
        return result

"""Taking risk off in bulk: a typed batch cancel, a cancel of any number of ids, a flat book.

Callers of the generated functions (``cancel_multiple_orders``, ``cancel_all_open_orders``,
``cancel_all_algo_open_orders``, ``current_all_open_orders``,
``current_all_algo_open_orders``), never part of the auth flow: every request is an ordinary,
freshly signed call through the client, checked by the one success rule.

``flatten_book`` is one decision procedure, written once as a generator that yields what to do
next and is sent what happened; a sync and an async runner drive it (as ``_confirm`` does)::

    LIST both ──► CANCEL ALL (regular, then algo) ──► LIST both ──► both empty: return
                        ▲                                 │
                        └──── something still open ───────┘   (a wait after a failure)

The bound is ``cancel_and_confirm``'s: at most ``max_requests`` calls, none started after
``deadline``; when it runs out with orders still open (or unknown), ``ExecutionStatusUnknown``
names the survivors.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import attrs

from binance_coinm_futures.client import AuthenticatedClient

from ._confirm import _TRY_AGAIN as TRY_AGAIN
from ._confirm import DEFAULT_BACKOFF, DEFAULT_DEADLINE, drive, drive_async
from ._confirm import _backoff as backoff_after
from ._confirm import _Limits as Limits
from ._confirm import _Wait as Wait
from ._errors import BinanceError, ExecutionStatusUnknown, InvalidRequest, error_for_code
from ._outcome import answer_json
from ._spec import OperationRules, check_one_id, operation_rules, path_of

if TYPE_CHECKING:
    import httpx

    from binance_coinm_futures.models import AlgoOrder, CancelOrderResponse, QueryOrderResponse

logger: Final = logging.getLogger("binance_coinm_futures")

DEFAULT_FLATTEN_REQUESTS: Final = 12
_BATCH: Final = "cancelMultipleOrders"
_COMPACT: Final = (",", ":")

BatchResult: TypeAlias = "CancelOrderResponse | BinanceError"
"""One id's outcome in a batch: the cancelled order, or an error value (``UnknownOrder`` for
-2011, ``ExecutionStatusUnknown`` when the item says nothing definite)."""


# -- one batch --------------------------------------------------------------------------------


class _Batch:
    """One Cancel Multiple Orders request, checked against openapi.yaml before it is sent."""

    __slots__ = ("ids", "list_name", "params", "recv_window", "symbol")

    def __init__(
        self,
        symbol: str,
        order_ids: Sequence[int] | None,
        orig_client_order_ids: Sequence[str] | None,
        recv_window: int | None,
    ) -> None:
        self.symbol = symbol
        self.ids = _one_list(order_ids, orig_client_order_ids)
        self.list_name = "orderIdList" if order_ids is not None else "origClientOrderIdList"
        self.recv_window = recv_window
        self.params = {"symbol": symbol, self.list_name: json.dumps(self.ids, separators=_COMPACT)}
        _rules().check(self.params.items())

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of the generated cancel_multiple_orders functions."""
        from binance_coinm_futures.types import UNSET

        key = "order_id_list" if self.list_name == "orderIdList" else "orig_client_order_id_list"
        return {
            "symbol": self.symbol,
            key: self.ids,
            "recv_window": UNSET if self.recv_window is None else self.recv_window,
        }

    def request(self, http: httpx.Client | httpx.AsyncClient) -> dict[str, Any]:
        """The generated function's request: its method, and its URL joined to ``http``'s base.

        The batch is sent as ``sync_detailed`` sends it, but the httpx response is kept: the
        generated ``Response`` keeps the body's bytes only, not the one parse of them that the
        per-item results must read.
        """
        from binance_coinm_futures.api.trade import cancel_multiple_orders

        kwargs: dict[str, Any] = cancel_multiple_orders._prepared(http, **self.arguments())
        return kwargs

    def results(self, client: AuthenticatedClient, response: httpx.Response) -> list[BatchResult]:
        """One result per id, in request order, from a batch answer the success rule passed.

        Items and models come from the one parse of the answer (``answer_json``), the value
        the success rule judged; the answer is never parsed a second time.
        """
        from binance_coinm_futures.api.trade import cancel_multiple_orders
        from binance_coinm_futures.models import CancelOrderResponse

        rule = _rules().success
        if rule is None:  # pragma: no cover - openapi.yaml documents the batch's success
            raise LookupError("openapi.yaml documents no success answer for the batch")
        parsed = cancel_multiple_orders._parse_response(client=client, response=response)
        items = answer_json(response)
        assert isinstance(items, list)  # the success rule checked it
        results: list[BatchResult] = []
        for index, (item, model) in enumerate(zip(items, parsed, strict=True)):
            problem = rule.item_violation(item, index, self.params)
            if problem is None and isinstance(model, CancelOrderResponse):
                results.append(model)
            elif _is_binance_error(item):
                results.append(error_for_code(item["code"], item["msg"]))
            else:
                results.append(
                    ExecutionStatusUnknown(
                        f"{self.symbol} order {self.ids[index]!r}: item {index} of the batch "
                        f"answer is neither its cancelled order nor an error ({problem}); "
                        "query the order"
                    )
                )
        return results


def _one_list(
    order_ids: Sequence[int] | None, orig_client_order_ids: Sequence[str] | None
) -> list[Any]:
    """The one id list the caller gave, refused (nothing sent) unless exactly one was."""
    check_one_id(
        {
            "order_ids": order_ids is not None,
            "orig_client_order_ids": orig_client_order_ids is not None,
        }
    )
    ids = order_ids if order_ids is not None else orig_client_order_ids
    if isinstance(ids, str | bytes):
        raise InvalidRequest("pass a list of ids, not one string", parameter="order_ids")
    return list(ids or ())


def _rules() -> OperationRules:
    return operation_rules()[("DELETE", path_of(_BATCH))]


def _is_binance_error(item: object) -> bool:
    return (
        isinstance(item, dict)
        and type(item.get("code")) is int
        and item["code"] < 0
        and isinstance(item.get("msg"), str)
    )


def cancel_batch(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_ids: Sequence[int] | None = None,
    orig_client_order_ids: Sequence[str] | None = None,
    recv_window: int | None = None,
) -> list[BatchResult]:
    """Cancel 1 to 10 orders of ``symbol`` in one request; one typed result per id, in order.

    Each result is the cancelled order (checked by the success rule against that id and the
    symbol), or an error value classified by the same table as a raised error
    (``UnknownOrder`` for -2011), or ``ExecutionStatusUnknown`` for an item that is neither:
    query that order. A failure of the whole call (status, transport, deadline) is raised as
    for any call.

    Raises:
        InvalidRequest: neither or both id lists, 0 or more than 10 ids, a malformed id;
            nothing is sent.
        BinanceError: the whole call failed, as for ``cancel_order``.
    """
    batch = _Batch(symbol, order_ids, orig_client_order_ids, recv_window)
    http = client.get_httpx_client()
    return batch.results(client, http.request(**batch.request(http)))


async def cancel_batch_async(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_ids: Sequence[int] | None = None,
    orig_client_order_ids: Sequence[str] | None = None,
    recv_window: int | None = None,
) -> list[BatchResult]:
    """The async form of `cancel_batch`: the same results and errors."""
    batch = _Batch(symbol, order_ids, orig_client_order_ids, recv_window)
    http = client.get_async_httpx_client()
    return batch.results(client, await http.request(**batch.request(http)))


# -- any number of ids ------------------------------------------------------------------------


def _chunks(
    symbol: str,
    order_ids: Sequence[int] | None,
    orig_client_order_ids: Sequence[str] | None,
    recv_window: int | None,
) -> list[_Batch]:
    """The batches of at most the spec's ``maxItems`` ids, every one checked before any is sent."""
    ids = _one_list(order_ids, orig_client_order_ids)
    if not ids:
        raise InvalidRequest("pass at least one id", parameter="order_ids")
    name = "orderIdList" if order_ids is not None else "origClientOrderIdList"
    size = _rules().parameters[name].max_items or len(ids)
    batches = []
    for start in range(0, len(ids), size):
        part = ids[start : start + size]
        batches.append(
            _Batch(
                symbol,
                part if order_ids is not None else None,
                part if order_ids is None else None,
                recv_window,
            )
        )
    return batches


def cancel_many(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_ids: Sequence[int] | None = None,
    orig_client_order_ids: Sequence[str] | None = None,
    recv_window: int | None = None,
) -> list[BatchResult]:
    """Cancel any number of orders of ``symbol`` in batches of 10; one result per id, in order.

    Results are those of `cancel_batch`. A batch whose whole call fails gives each of its ids
    that error as its result (e.g. ``ExecutionStatusUnknown``: query those orders), so the
    other batches' results are never lost. Every id is checked before the first batch is sent.
    """
    results: list[BatchResult] = []
    for batch in _chunks(symbol, order_ids, orig_client_order_ids, recv_window):
        try:
            results.extend(
                cancel_batch(
                    client=client,
                    symbol=symbol,
                    recv_window=recv_window,
                    **_ids_argument(batch),
                )
            )
        except BinanceError as failed:
            results.extend([failed] * len(batch.ids))
    return results


async def cancel_many_async(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_ids: Sequence[int] | None = None,
    orig_client_order_ids: Sequence[str] | None = None,
    recv_window: int | None = None,
) -> list[BatchResult]:
    """The async form of `cancel_many`: the batches are sent concurrently, results in order."""
    import anyio

    batches = _chunks(symbol, order_ids, orig_client_order_ids, recv_window)
    outcomes: list[list[BatchResult]] = [[] for _ in batches]

    async def send(index: int, batch: _Batch) -> None:
        try:
            outcomes[index] = await cancel_batch_async(
                client=client, symbol=symbol, recv_window=recv_window, **_ids_argument(batch)
            )
        except BinanceError as failed:
            outcomes[index] = [failed] * len(batch.ids)

    async with anyio.create_task_group() as group:
        for index, batch in enumerate(batches):
            group.start_soon(send, index, batch)
    return [result for outcome in outcomes for result in outcome]


def _ids_argument(batch: _Batch) -> dict[str, Any]:
    key = "order_ids" if batch.list_name == "orderIdList" else "orig_client_order_ids"
    return {key: batch.ids}


# -- a flat book ------------------------------------------------------------------------------


@attrs.frozen
class FlatBook:
    """A symbol's book before and after `flatten_book`: ``open_after`` and
    ``algo_open_after`` are empty when it returns (it raises otherwise)."""

    symbol: str
    open_before: tuple[QueryOrderResponse, ...]
    algo_open_before: tuple[AlgoOrder, ...]
    open_after: tuple[QueryOrderResponse, ...]
    algo_open_after: tuple[AlgoOrder, ...]
    requests_sent: int


_Step: TypeAlias = Literal["cancel_all", "cancel_all_algo", "list", "list_algo"]


def _flatten(
    symbol: str, limits: Limits, now: Callable[[], float]
) -> Generator[_Step | Wait, object, FlatBook]:
    """The one procedure: yields a step or a wait, is sent the step's answer or error."""
    deadline = now() + limits.deadline
    sent = 0
    retries = 0
    history: list[str] = []
    before: dict[str, list[Any] | None] = {"list": None, "list_algo": None}
    latest: dict[str, list[Any] | None] = {"list": None, "list_algo": None}
    # Before anything is cancelled, the book is listed; then cancel both, list both, repeat.
    plan: list[_Step] = ["list", "list_algo"]
    cancelled_once = False

    def out_of_bounds(reason: str) -> ExecutionStatusUnknown:
        return ExecutionStatusUnknown(
            f"could not confirm a flat book for {symbol}: {reason} after {sent} requests "
            f"({'; '.join(history)}). Still open: {survivors()}."
        )

    def survivors() -> str:
        regular = latest["list"] if latest["list"] is not None else before["list"]
        algo = latest["list_algo"] if latest["list_algo"] is not None else before["list_algo"]
        named = [f"order {o.order_id} ({o.client_order_id})" for o in regular or ()]
        named += [f"algo order {o.algo_id} ({o.client_algo_id})" for o in algo or ()]
        if regular is None or algo is None:
            named.append("what the lists could not show")
        return ", ".join(named) or "none seen, but the last listing failed"

    while True:
        if not plan:
            if cancelled_once and latest["list"] == [] and latest["list_algo"] == []:
                return FlatBook(
                    symbol=symbol,
                    open_before=tuple(before["list"] or ()),
                    algo_open_before=tuple(before["list_algo"] or ()),
                    open_after=(),
                    algo_open_after=(),
                    requests_sent=sent,
                )
            plan = ["cancel_all", "cancel_all_algo", "list", "list_algo"]
        step = plan.pop(0)
        if sent >= limits.max_requests:
            raise out_of_bounds(f"the bound of {limits.max_requests} requests is reached")
        if now() >= deadline:
            raise out_of_bounds(f"the next {step} would start after the deadline")
        answer = yield step
        sent += 1
        history.append(f"{step}: {_summary(answer)}")
        logger.debug("flatten_book %s: %s", symbol, history[-1])
        if isinstance(answer, BinanceError):
            if not isinstance(answer, TRY_AGAIN):
                raise answer
            wait = backoff_after(limits, retries, answer)
            retries += 1
            if now() + wait >= deadline:
                raise out_of_bounds(f"the wait after {step} would end after the deadline")
            yield Wait(wait)
            # A failed listing is listed again; a failed cancel is retried in the next round.
            if step.startswith("list"):
                latest[step] = None
                plan.insert(0, step)
            else:
                plan = []
            continue
        if step in ("cancel_all", "cancel_all_algo"):
            cancelled_once = True
            latest = {"list": None, "list_algo": None}
            continue
        assert isinstance(answer, list)  # the listing's success rule checked it
        latest[step] = answer
        if before[step] is None:
            before[step] = answer


def _summary(answer: object) -> str:
    if isinstance(answer, BinanceError):
        return f"{type(answer).__name__} ({answer})"
    if isinstance(answer, list):
        return f"{len(answer)} open"
    return "done"


def _step_module(step: _Step) -> Any:
    """The generated module of one step."""
    from binance_coinm_futures.api.trade import (
        cancel_all_algo_open_orders,
        cancel_all_open_orders,
        current_all_algo_open_orders,
        current_all_open_orders,
    )

    return {
        "cancel_all": cancel_all_open_orders,
        "cancel_all_algo": cancel_all_algo_open_orders,
        "list": current_all_open_orders,
        "list_algo": current_all_algo_open_orders,
    }[step]


def _step_arguments(symbol: str, recv_window: int | None) -> dict[str, Any]:
    from binance_coinm_futures.types import UNSET

    return {"symbol": symbol, "recv_window": UNSET if recv_window is None else recv_window}


def _perform(
    client: AuthenticatedClient, symbol: str, step: _Step, recv_window: int | None
) -> object:
    try:
        answer: object = _step_module(step).sync(
            client=client, **_step_arguments(symbol, recv_window)
        )
    except BinanceError as error:
        return error
    return answer


async def _perform_async(
    client: AuthenticatedClient, symbol: str, step: _Step, recv_window: int | None
) -> object:
    try:
        answer: object = await _step_module(step).asyncio(
            client=client, **_step_arguments(symbol, recv_window)
        )
    except BinanceError as error:
        return error
    return answer


def flatten_book(
    *,
    client: AuthenticatedClient,
    symbol: str,
    recv_window: int | None = None,
    max_requests: int = DEFAULT_FLATTEN_REQUESTS,
    deadline: float = DEFAULT_DEADLINE,
    backoff: float = DEFAULT_BACKOFF,
) -> FlatBook:
    """Take ``symbol``'s book to empty in both services and confirm it by listing.

    Lists the open regular and conditional (algo) orders, cancels all of both, lists both
    again, and cancels again while anything is still open (an order placed meanwhile, or one
    the cancel-all missed). Failures Binance documents as "try again" or "unknown" (status
    unknown, nothing sent, 503 "Service Unavailable.", 429/418) are waited out (``backoff``
    doubled up to 4 s, or ``Retry-After``); any other error is raised as it is.

    The bound is `cancel_and_confirm`'s: at most ``max_requests`` calls in all (the listings
    included), none started more than ``deadline`` seconds after the start.

    Returns:
        What was open before and what is open after (nothing).

    Raises:
        ExecutionStatusUnknown: the bound ran out before both lists came back empty; the
            message names the survivors and every call made.
        BinanceError: any other failure, unchanged.
        ValueError: bounds that make no sense; nothing is sent.
    """
    machine = _flatten(symbol, Limits(max_requests, deadline, backoff), time.monotonic)
    return drive(machine, lambda step: _perform(client, symbol, step, recv_window))


async def flatten_book_async(
    *,
    client: AuthenticatedClient,
    symbol: str,
    recv_window: int | None = None,
    max_requests: int = DEFAULT_FLATTEN_REQUESTS,
    deadline: float = DEFAULT_DEADLINE,
    backoff: float = DEFAULT_BACKOFF,
) -> FlatBook:
    """The async form of `flatten_book`: the same steps, bound and errors."""
    machine = _flatten(symbol, Limits(max_requests, deadline, backoff), time.monotonic)
    return await drive_async(
        machine, lambda step: _perform_async(client, symbol, step, recv_window)
    )

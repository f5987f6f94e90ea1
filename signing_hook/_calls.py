"""The call hook: one ``CallRecord`` per call, for logs, metrics and traces, holding no secret.

``connect(on_call=...)`` hands the hook a record after every call of the client (a cancel, a
query, the server-time fetch of ``sync_clock``), whatever its outcome. A record is built from
what the caller asked (the operation and its ids, read before signing) and what came of it
(the answer's status and rate-limit usage, or the exception raised). It never holds the
request, its URL, its headers, the signature or the API key: httpx's own ``event_hooks``,
which see the signed request, are refused by ``connect()`` for that reason.

A hook that raises is logged and ignored: a failing metrics exporter must never turn a done
cancel into an exception.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Final, TypeAlias
from urllib.parse import parse_qsl

import attrs
import httpx

from ._errors import BinanceError
from ._usage import RateLimitUsage

logger: Final = logging.getLogger("binance_coinm_futures")

#: The request extension that carries a call's running count of requests. The auth flow's
#: server-time request copies the extensions of the request it serves, so it counts too.
_TALLY: Final = "binance_coinm_futures.call_tally"
_SUCCESS: Final = "success"


@attrs.frozen
class CallRecord:
    """What one call did. Nothing in it is secret; every field is safe to log or export.

    Attributes:
        operation: the operationId in openapi.yaml, e.g. ``"cancelOrder"``, ``"queryOrder"``.
        method: the HTTP method, e.g. ``"DELETE"``.
        path: the path, e.g. ``"/dapi/v1/order"`` (never the query: it holds the signature).
        symbol: the ``symbol`` the call named, if any.
        order_id: the ``order_id`` the call named, if any.
        orig_client_order_id: the ``orig_client_order_id`` the call named, if any.
        outcome: ``"success"``, or the class name of the exception the call raised, e.g.
            ``"UnknownOrder"``, ``"ExecutionStatusUnknown"``, ``"CancelledError"``, or
            ``"TypeError"`` for an argument of the wrong type (then no symbol or id is set:
            the arguments were not read).
        code: Binance's error code (e.g. -2011), None on success or when there was none.
        status: the HTTP status of the last answer, None when no answer came.
        latency: seconds from the call's start to its end, resends and waits included.
        requests_sent: HTTP requests the call sent: 1, or more with a server-time fetch and the
            re-signed resend after -1021; 0 when the call was refused before sending.
        usage: the rate-limit usage the last answer reported, if any.
        algo_id: the ``algo_id`` a call of the algo service (conditional orders) named, if any.
        client_algo_id: the ``client_algo_id`` it named, if any.
    """

    operation: str
    method: str
    path: str
    symbol: str | None
    order_id: int | None
    orig_client_order_id: str | None
    outcome: str
    code: int | None
    status: int | None
    latency: float
    requests_sent: int
    usage: RateLimitUsage | None
    algo_id: int | None = None
    client_algo_id: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome == _SUCCESS


CallHook: TypeAlias = Callable[[CallRecord], object]


class _Tally:
    __slots__ = ("sent",)

    def __init__(self) -> None:
        self.sent = 0


def count_request(request: httpx.Request) -> None:
    """httpx request hook (sync): one more request sent for the call ``request`` belongs to."""
    tally = request.extensions.get(_TALLY)
    if tally is not None:
        tally.sent += 1


async def count_request_async(request: httpx.Request) -> None:
    """The same, for the async client (httpx awaits its hooks)."""
    count_request(request)


def counting_hooks(*, asynchronous: bool) -> dict[str, list[object]]:
    """The ``event_hooks`` that count a call's requests, for one of the two httpx clients."""
    return {"request": [count_request_async if asynchronous else count_request]}


@functools.cache
def _operations() -> Mapping[tuple[str, str], str]:
    from ._spec import load_spec

    return {
        (method.upper(), path): str(operation.get("operationId", ""))
        for path, item in load_spec()["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
    }


def _integer(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def report_refusal(hook: CallHook, method: str, url: str, refusal: BaseException) -> None:
    """Hand ``hook`` the record of a call refused before its request was built: a generated
    function's ``TypeError`` (an argument of the wrong type), with 0 requests sent, as for a
    call refused with ``InvalidRequest``. Its arguments were not read, so the record names the
    operation but no symbol or id."""
    Call(hook, httpx.Request(method, url)).__exit__(type(refusal), refusal, None)


class Call:
    """One call being watched: started by the client's ``send``, reported when it ends."""

    __slots__ = ("_hook", "_params", "_request", "_started", "_tally", "response")

    def __init__(self, hook: CallHook, request: httpx.Request) -> None:
        self._hook = hook
        self._request = request
        # Read before the auth flow runs: the query is still the caller's, unsigned.
        self._params = dict(parse_qsl(request.url.query.decode("ascii", "replace")))
        self._tally = _Tally()
        request.extensions[_TALLY] = self._tally
        self.response: httpx.Response | None = None
        self._started = time.perf_counter()

    def __enter__(self) -> Call:
        return self

    def __exit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        record = self._record(error)
        try:
            self._hook(record)
        except Exception:
            logger.exception("the on_call hook raised for %s; the call's outcome stands", record)

    def _record(self, error: BaseException | None) -> CallRecord:
        latency = time.perf_counter() - self._started
        request, params = self._request, self._params
        status = code = usage = None
        if error is not None:
            outcome = type(error).__name__
            if isinstance(error, BinanceError):
                status, code, usage = error.status, error.code, error.usage
        else:
            outcome = _SUCCESS
            if self.response is not None:
                status = self.response.status_code
                usage = RateLimitUsage.from_headers(self.response.headers)
        path = request.url.path
        return CallRecord(
            operation=_operations().get((request.method, path), ""),
            method=request.method,
            path=path,
            symbol=params.get("symbol"),
            order_id=_integer(params.get("orderId")),
            orig_client_order_id=params.get("origClientOrderId"),
            outcome=outcome,
            code=code,
            status=status,
            latency=latency,
            requests_sent=self._tally.sent,
            usage=usage,
            algo_id=_integer(params.get("algoId")),
            client_algo_id=params.get("clientAlgoId"),
        )

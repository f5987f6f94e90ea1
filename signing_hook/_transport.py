"""One transport object for both httpx clients: the one place where faults meet the error tree.

The distinction that matters for a cancel is whether the request may have reached the
exchange. A connection that could not be opened means it did not (``NothingSent``, retried
once by httpx's own connection retry); anything that fails after the request went out means
nobody knows (``ExecutionStatusUnknown``).

The backends that move the bytes (httpx's own transports, or one given) raise httpx's
exceptions; they are mapped here, and only here. So is ``InternalsMoved``, a backend's guard
finding that a library internal it relies on has moved: raised while the backend is built,
nothing was sent and it reaches the caller as it is; raised once the backend has the request,
the cancel may have been done, and the caller gets ``ExecutionStatusUnknown`` (its cause the
``InternalsMoved``). Every backend gets this rule without code of its own. This is also where
every call is bounded:
finite timeouts, one deadline for the whole call (a time fetch and resend after -1021
included), a cap on the answer's size, and no compressed answers.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Final

import httpx

from . import _backends
from ._call import DEADLINE, KEEPS_DEADLINE, InternalsMoved
from ._errors import (
    TIMESTAMP_REJECTED,
    BinanceError,
    ExecutionStatusUnknown,
    InvalidRequest,
    NothingSent,
    TimestampRejected,
    redact,
    request_secrets,
)

#: Failures before a connection existed: the request never left this process.
_NOT_SENT: Final = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    # h11 refuses to write a malformed request line or header before anything is sent.
    httpx.LocalProtocolError,
)
#: Failures once the request was (or may have been) written.
_MAYBE_SENT: Final = (httpx.RequestError,)

#: Marks the server-time request the auth flow sends after a -1021: if it fails, the cancel
#: was still only refused, so the caller learns TimestampRejected, not "status unknown".
AFTER_TIMESTAMP_REJECTION: Final = "binance_coinm_futures.after_timestamp_rejection"
#: Binance's answers are a few hundred bytes; a web firewall page a few KiB.
MAX_ANSWER_BYTES: Final = 1 << 20
_TIMEOUT_PARTS: Final = ("connect", "read", "write", "pool")
_SECONDS: Final = (int, float)


class _Unreadable(Exception):
    """The answer arrived (so the request was sent) but cannot be used."""


def _mapped(request: httpx.Request, detail: str, *, sent: bool) -> BinanceError:
    """The error-tree exception for a failure of the transport.

    It names only the method and path (the query holds the signature).
    """
    message = f"{request.method} {request.url.path}: {detail}"
    if request.extensions.get(AFTER_TIMESTAMP_REJECTION):
        return TimestampRejected(
            f"-1021, and the server time could not be fetched to re-sign ({message})",
            status=400,
            code=TIMESTAMP_REJECTED,
        )
    return ExecutionStatusUnknown(message) if sent else NothingSent(message)


def _failure(request: httpx.Request, error: Exception) -> BinanceError:
    # A LocalProtocolError's text is left out: h11 quotes the refused header value, which may
    # be the API key. Other httpx messages name no URL, but are redacted all the same.
    if isinstance(error, _Unreadable):
        detail = str(error)
    elif isinstance(error, httpx.LocalProtocolError):
        detail = type(error).__name__
    else:
        detail = redact(f"{type(error).__name__}: {error}", request_secrets(request))
    return _mapped(request, detail, sent=not isinstance(error, _NOT_SENT))


def _moved_after_sending(request: httpx.Request, moved: InternalsMoved) -> BinanceError:
    """``ExecutionStatusUnknown`` for a guard that found a library internal moved once the
    backend had the request: whether the exchange acted is unknown. (On the server-time fetch
    after a -1021, the cancel was only refused: ``TimestampRejected``, as for any failure.)"""
    # Nothing that holds the signed request (an httpx error being handled when the guard ran)
    # stays reachable from the chain: the InternalsMoved is the cause, and the end of it.
    moved.__context__ = None
    error = _mapped(request, f"a library this client relies on changed ({moved})", sent=True)
    if isinstance(error, ExecutionStatusUnknown):
        error = ExecutionStatusUnknown(
            f"{request.method} {request.url.path}: the request may have been sent, but a "
            f"library this client relies on changed under it ({moved}). Install a release of "
            "httpx, httpcore and aiohttp that binance_coinm_futures supports, or a "
            "binance_coinm_futures release that supports yours"
        )
    error.__cause__ = moved
    return error


def _bound(request: httpx.Request) -> float:
    """Refuse an unlimited timeout, start or continue the call's deadline, and fit every
    timeout of this request into what is left of it. Returns the deadline."""
    timeouts = request.extensions.get("timeout") or {}
    values = [timeouts.get(part) for part in _TIMEOUT_PARTS]
    finite = [v for v in values if isinstance(v, _SECONDS) and 0 < v < math.inf]
    if len(finite) < len(values):
        raise InvalidRequest(
            f"every timeout must be set to a positive, finite number of seconds, got {timeouts!r}: "
            "unlimited waits hang a cancel; nothing was sent"
        )
    now = time.monotonic()
    deadline: float = request.extensions.setdefault(DEADLINE, now + max(finite))
    left = deadline - now
    if left <= 0:
        raise _mapped(request, "the call's deadline passed before this request", sent=False)
    request.extensions["timeout"] = {part: min(timeouts[part], left) for part in _TIMEOUT_PARTS}
    # Binance's answers are small: a compressed one would only risk a decompression bomb.
    request.headers["Accept-Encoding"] = "identity"
    return deadline


def _expected_length(response: httpx.Response) -> int | None:
    """The body's length as announced; refuses an encoded answer before any byte is read.

    Repeated headers count as one, their values joined (as ``Headers.get`` joins them): two
    lengths are no length, and an encoding listed beside ``identity`` is still an encoding.
    """
    encodings: list[bytes] = []
    lengths: list[bytes] = []
    for name, value in response.headers.raw:  # one pass, no decoding of every header
        lowered = name.lower()
        if lowered == b"content-encoding":
            encodings.append(value)
        elif lowered == b"content-length":
            lengths.append(value)
    encoding = b", ".join(encodings).strip().lower()
    if encoding not in (b"", b"identity"):
        named = encoding.decode("latin-1")
        raise _Unreadable(f"the answer is {named}-encoded, which was not asked for")
    length = b", ".join(lengths).strip()
    return int(length) if length.isdigit() else None


class _Cap:
    """Checks the answer's body chunk by chunk as the backend streams it: cut off past the
    size cap, or past the deadline while more is still due.

    The boundary reads the answer through this into bytes, which the backend's own Response
    takes as read (``_as_read``): each answer is one Response, read once.
    """

    def __init__(self, deadline: float, length: int | None) -> None:
        self._deadline, self._length, self._received = deadline, length, 0

    def check(self, chunk: bytes) -> bytes:
        self._received += len(chunk)
        if self._received > MAX_ANSWER_BYTES:
            raise _Unreadable(f"the answer is longer than {MAX_ANSWER_BYTES} bytes")
        short = self._length is None or self._received < self._length
        if short and time.monotonic() > self._deadline:
            raise _Unreadable("the call's deadline passed while the answer was arriving")
        return chunk


def _event_loop() -> object | None:
    """The running asyncio loop; None under another async library (trio: anyio serves it)."""
    import asyncio  # here: already loaded when asyncio runs, and costs a sync-only import

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _exchange(
    backend: httpx.AsyncBaseTransport, request: httpx.Request, deadline: float
) -> httpx.Response:
    response = await backend.handle_async_request(request)
    stream = response.stream
    assert isinstance(stream, httpx.AsyncByteStream)
    try:
        cap = _Cap(deadline, _expected_length(response))
        body = b"".join([cap.check(chunk) async for chunk in stream])
    finally:
        # An interrupted read closes the connection (never back to the pool half-read), so
        # no late answer can reach the next call; a complete one hands it back.
        await stream.aclose()
    _as_read(response, body)
    return response


def _takes_read_body() -> bool:
    """Whether httpx's Response keeps a read body in ``_content`` (httpx 0.28 does), so that
    a body read here can be handed to it as read. Checked once, on a probe; if a release keeps
    it elsewhere, the body is read through httpx's public ``read()`` instead (tests/unit/
    test_read_body.py fails loudly first, so the slower path is never taken unknowingly)."""
    probe = httpx.Response(200, stream=httpx.ByteStream(b"{}"))
    probe._content = b"[]"
    try:
        return probe.content == b"[]" and probe.read() == b"[]" and probe.json() == []
    except httpx.ResponseNotRead:
        return False


_TAKES_READ_BODY: Final = _takes_read_body()


def _as_read(response: httpx.Response, body: bytes) -> None:
    """``response`` with ``body`` as its content, read and closed, as ``read()`` leaves it.

    ``read()`` would pass the bytes already in hand through httpx's chain of decoders,
    chunkers and context managers, a measured tenth of an async cancel's CPU. The answer is
    never decoded (``_bound`` asks for identity and ``_expected_length`` refuses anything
    else), so the bytes are the content as they are.
    """
    response.stream = httpx.ByteStream(body)
    if _TAKES_READ_BODY:
        response._content = body
        response.is_stream_consumed = True
        response.is_closed = True
    else:
        response.read()


class BinanceTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The fault boundary of the sync and the async httpx client, around the backends it is
    handed (``_backends``: connect() picks them).

    Each backend is built on first use, once, under a lock: a TLS context costs milliseconds
    and a sync-only user never needs the async backend (nor the reverse). The backends only
    move bytes and raise httpx's exceptions; they import nothing from here.
    """

    def __init__(
        self,
        *,
        sync_backend: Callable[[], httpx.BaseTransport] | None = None,
        async_backend: Callable[[], httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        """``sync_backend`` and ``async_backend`` build the backends (``_backends``); None
        stands for httpx's own transports."""
        self._new_sync = sync_backend or _backends.sync_backend()
        self._new_async = async_backend or _backends.async_backend()
        self._sync: httpx.BaseTransport | None = None
        self._async: httpx.AsyncBaseTransport | None = None
        self._async_loop: object | None = None
        self._lock = threading.Lock()

    def _sync_transport(self) -> httpx.BaseTransport:
        if self._sync is None:
            with self._lock:
                if self._sync is None:
                    self._sync = self._new_sync()
        return self._sync

    def _async_transport(self, request: httpx.Request) -> httpx.AsyncBaseTransport:
        loop = _event_loop()
        if loop is self._async_loop and self._async is not None:
            return self._async  # the common case, settled: no lock
        with self._lock:
            if self._async is None:
                self._async = self._new_async()
            if self._async_loop is None:
                self._async_loop = loop
        if loop is not self._async_loop:
            # Pooled connections belong to the loop that opened them; on another they fail
            # only after the request went out.
            raise InvalidRequest(
                f"{request.method} {request.url.path}: this client was first used on another "
                "event loop; nothing was sent. Use one client per event loop (asyncio.run)"
            )
        return self._async

    # The body is read here, inside the mapping, because a failure while reading it (a reset,
    # a stall past the read timeout) comes after the request was sent. Each error is raised
    # outside its except block so that no httpx exception, which holds the signed request,
    # stays reachable through __context__.
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = _bound(request)
        backend = self._sync_transport()  # built before the send: InternalsMoved as it is
        failure: BinanceError | None = None
        try:
            response = backend.handle_request(request)
            stream = response.stream
            assert isinstance(stream, httpx.SyncByteStream)
            try:
                cap = _Cap(deadline, _expected_length(response))
                body = b"".join([cap.check(chunk) for chunk in stream])
            finally:
                # The backend's guards run here (a stray byte: the connection is not pooled).
                stream.close()
            _as_read(response, body)
        except (*_MAYBE_SENT, _Unreadable) as error:
            failure = _failure(request, error)
        except InternalsMoved as moved:
            failure = _moved_after_sending(request, moved)
        if failure is not None:
            raise failure
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        deadline = _bound(request)
        backend = self._async_transport(request)
        failure: BinanceError | None = None
        try:
            # The whole exchange, the answer's head included, ends by the call's deadline:
            # the backend's own waits where it keeps the deadline (_call.KEEPS_DEADLINE),
            # else asyncio's own timeout on asyncio, anyio's cancel scope elsewhere.
            if getattr(backend, KEEPS_DEADLINE, False) is True:
                response = await _exchange(backend, request, deadline)
            elif self._async_loop is not None:
                import asyncio

                async with asyncio.timeout(deadline - time.monotonic()):
                    response = await _exchange(backend, request, deadline)
            else:
                import anyio  # here: asyncio and sync-only users never pay for it

                with anyio.fail_after(deadline - time.monotonic()):
                    response = await _exchange(backend, request, deadline)
        except (*_MAYBE_SENT, _Unreadable) as error:
            failure = _failure(request, error)
        except TimeoutError:
            failure = _mapped(request, "the call's deadline passed before the answer", sent=True)
        except InternalsMoved as moved:
            failure = _moved_after_sending(request, moved)
        if failure is not None:
            raise failure
        return response

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()

    def __enter__(self) -> BinanceTransport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> BinanceTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()

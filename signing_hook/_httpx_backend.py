"""The httpx backend: httpx's own transports, with the guards the fault boundary needs of them.

Two things httpx does not offer publicly. Each guard reaches one private path through
httpcore, walked by ``_internal``, which raises ``InternalsMoved`` naming the attribute when a
release of httpx or httpcore moves it: the guard fails loudly, never quietly stops guarding
(tests/unit/test_backend_guards.py walks each path on a real connection).

- **The call's deadline on every socket wait.** httpx bounds each read and write, not the
  call: an answer's head trickled one byte at a time would hold a sync call for as long as
  the peer likes. Every socket the sync pool opens is wrapped so that each wait is cut to
  what is left of the call's deadline (the request's ``_call.DEADLINE``), and a wait that
  would start after it fails as a timeout. The async path is bounded by a cancel scope in
  the boundary instead.
- **A connection the peer overfilled is never reused.** httpcore keeps bytes that arrived
  after an answer in h11's buffer, and would read them as the answer to the next request on
  that connection; closing the answer closes such a connection instead of pooling it.

The deadline guard runs when the backend is built, before anything is sent, so a moved
internal there reaches the caller as ``InternalsMoved``; the overfull guard runs when the
answer is closed, after the send, where the boundary makes it ``ExecutionStatusUnknown``.

This module imports nothing from the boundary: connect() hands the boundary a backend.
"""

from __future__ import annotations

import contextvars
import ssl
import time
import typing
from collections.abc import AsyncIterator, Iterator
from typing import Any, Final

import httpcore
import httpx

from ._call import CONNECT_RETRIES, DEADLINE
from ._call import InternalsMoved as InternalsMoved  # its home in 2.0.0, kept importable

#: When the current sync call must be over (``time.monotonic()``); None outside a call. Set
#: around each socket wait of a request and of its answer's body.
CALL_DEADLINE: Final[contextvars.ContextVar[float | None]] = contextvars.ContextVar(
    "binance_coinm_futures.call_deadline", default=None
)


def _internal(owner: object, name: str) -> Any:
    try:
        return getattr(owner, name)
    except AttributeError:
        raise InternalsMoved(
            f"httpx {httpx.__version__} / httpcore {httpcore.__version__}: "
            f"{type(owner).__module__}.{type(owner).__qualname__} has no {name!r}, which "
            "binance_coinm_futures' httpx backend guards; use an httpx/httpcore release it "
            "supports"
        ) from None


def _within_deadline(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` cut to what is left of the call; ``expired`` once nothing is left."""
    deadline = CALL_DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the call's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _within_deadline(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _within_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, limit))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        limit = _within_deadline(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, limit, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        limit = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, limit, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _bounded(transport: httpx.HTTPTransport) -> httpx.HTTPTransport:
    """``transport`` with every socket its pool opens bounded by the call's deadline."""
    pool = _internal(transport, "_pool")
    network = _internal(pool, "_network_backend")
    if not isinstance(network, httpcore.NetworkBackend):
        raise InternalsMoved(
            f"httpcore {httpcore.__version__}: the pool's _network_backend is a "
            f"{type(network).__name__}, not an httpcore.NetworkBackend"
        )
    pool._network_backend = _DeadlineBackend(network)
    return transport


def overfull_connection(stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> Any:
    """The connection an answer's body ``stream`` (as httpx's transports return it) came on,
    when the peer sent bytes beyond the answer; else None.

    httpcore keeps such bytes in h11's buffer across requests, so on a reused connection they
    would be read as the answer to the next request: a stray -2011 would answer a cancel that
    in fact succeeded. httpx offers no public view of them, so this walks httpx's and
    httpcore's stream objects; ``InternalsMoved`` if a release has moved one.
    """
    pooled = _internal(stream, "_httpcore_stream")  # httpcore's pool stream
    connection = _internal(_internal(pooled, "_stream"), "_connection")  # HTTP/1.1 connection
    trailing = _internal(connection, "_h11_state").trailing_data  # h11's public attribute
    return connection if trailing[0] else None


class _GuardedBody(httpx.SyncByteStream):
    def __init__(self, stream: httpx.SyncByteStream, deadline: float | None) -> None:
        self._stream = stream
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._stream)
        while True:
            within = CALL_DEADLINE.set(self._deadline)
            try:
                chunk = next(chunks, None)
            finally:
                CALL_DEADLINE.reset(within)
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        try:
            overfull = overfull_connection(self._stream)
            if overfull is not None:
                overfull.close()  # closed before release: the pool drops it, never reuses it
        finally:
            self._stream.close()


class _AsyncGuardedBody(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            overfull = overfull_connection(self._stream)
            if overfull is not None:
                await overfull.aclose()
        finally:
            await self._stream.aclose()


class SyncHttpxBackend(httpx.BaseTransport):
    """httpx's sync transport: every socket wait within the call's deadline, and no reuse of
    a connection holding stray bytes."""

    def __init__(
        self, *, verify: ssl.SSLContext | bool, limits: httpx.Limits, proxy: httpx.URL | None
    ) -> None:
        self._transport = _bounded(
            httpx.HTTPTransport(verify=verify, limits=limits, proxy=proxy, retries=CONNECT_RETRIES)
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline: float | None = request.extensions.get(DEADLINE)
        within = CALL_DEADLINE.set(deadline)
        try:
            response = self._transport.handle_request(request)
        finally:
            CALL_DEADLINE.reset(within)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _GuardedBody(response.stream, deadline)
        return response

    def close(self) -> None:
        self._transport.close()


class AsyncHttpxBackend(httpx.AsyncBaseTransport):
    """httpx's async transport (bounded by the boundary's cancel scope), with no reuse of a
    connection holding stray bytes."""

    def __init__(
        self, *, verify: ssl.SSLContext | bool, limits: httpx.Limits, proxy: httpx.URL | None
    ) -> None:
        self._transport = httpx.AsyncHTTPTransport(
            verify=verify, limits=limits, proxy=proxy, retries=CONNECT_RETRIES
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._transport.handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _AsyncGuardedBody(response.stream)
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()

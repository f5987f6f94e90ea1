"""The httpx backend: httpx's own transports, with what the fault boundary needs of them.

Two things httpx does not offer publicly, each reached through one guarded private attribute
and pinned by the wire tests:

- **The call's deadline on every socket wait.** httpx bounds each read and write, not the
  call: an answer's head trickled one byte at a time would hold a sync call for as long as
  the peer likes. Every socket the sync pool opens is wrapped so that each wait is cut to
  what is left of the call's deadline (``_transport.CALL_DEADLINE``, set by the boundary
  around each request), and a wait that would start after it fails as a timeout. The async path is
  bounded by a cancel scope in the boundary instead.
- **A connection the peer overfilled is never reused.** httpcore keeps bytes that arrived
  after an answer in h11's buffer, and would read them as the answer to the next request on
  that connection.
"""

from __future__ import annotations

import ssl
import time
import typing
from typing import Any

import httpcore
import httpx

from ._transport import CALL_DEADLINE, CONNECT_RETRIES


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


def sync_transport(
    *, verify: ssl.SSLContext | bool, limits: httpx.Limits, proxy: httpx.URL | None
) -> httpx.HTTPTransport:
    """httpx's sync transport, its sockets bounded by the call's deadline."""
    transport = httpx.HTTPTransport(
        verify=verify, limits=limits, proxy=proxy, retries=CONNECT_RETRIES
    )
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if not isinstance(backend, httpcore.NetworkBackend):
        # Refuse rather than run with calls that a trickling peer could hold for ever.
        raise RuntimeError(
            f"httpx {httpx.__version__} / httpcore {httpcore.__version__} no longer expose the "
            "connection pool's network backend that signing_hook bounds"
        )
    pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    return transport


def async_transport(
    *, verify: ssl.SSLContext | bool, limits: httpx.Limits, proxy: httpx.URL | None
) -> httpx.AsyncHTTPTransport:
    """httpx's async transport (bounded by the boundary's cancel scope)."""
    return httpx.AsyncHTTPTransport(
        verify=verify, limits=limits, proxy=proxy, retries=CONNECT_RETRIES
    )


def overfull_connection(response: httpx.Response) -> Any:
    """The connection the answer came on, when the peer sent bytes beyond the answer; else None.

    httpcore keeps such bytes in h11's buffer across requests, so on a reused connection they
    would be read as the answer to the next request: a stray -2011 would answer a cancel that
    in fact succeeded. httpx offers no public view of them, so this looks through httpx's and
    httpcore's stream objects; where those differ it finds nothing (tests/wire pins the
    effect for both of httpx's transports).
    """
    stream = getattr(getattr(response.stream, "_httpcore_stream", None), "_stream", None)
    connection = getattr(stream, "_connection", None)
    state = getattr(connection, "_h11_state", None)
    trailing = getattr(state, "trailing_data", (b"", False))
    return connection if trailing[0] else None

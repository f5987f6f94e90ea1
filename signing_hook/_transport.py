"""One transport object for both httpx clients, mapping transport faults onto the error tree.

The distinction that matters for a cancel is whether the request may have reached the
exchange. A connection that could not be opened means it did not (``NothingSent``, retried
once by httpx's own connection retry); anything that fails after the request went out means
nobody knows (``ExecutionStatusUnknown``).
"""

from __future__ import annotations

import ssl
from types import TracebackType
from typing import Final, Literal

import httpx

from signing_hook._errors import (
    BinanceError,
    ExecutionStatusUnknown,
    NothingSent,
    TimestampRejected,
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
_MAYBE_SENT: Final = (httpx.TransportError,)

#: Marks the server-time request the auth flow sends after a -1021: if it fails, the cancel
#: was still only refused, so the caller learns TimestampRejected, not "status unknown".
AFTER_TIMESTAMP_REJECTION: Final = "signing_hook.after_timestamp_rejection"

#: httpcore's built-in retry covers exactly the safe case: establishing the connection.
CONNECT_RETRIES: Final = 1


def _mapped(request: httpx.Request, error: Exception) -> BinanceError:
    """The error-tree exception for a transport failure.

    It names only the method and path (the query holds the signature). A LocalProtocolError's
    text is left out: h11 quotes the refused header value, which may be the API key.
    """
    detail = type(error).__name__
    if not isinstance(error, httpx.LocalProtocolError):
        detail += f": {error}"
    message = f"{request.method} {request.url.path}: {detail}"
    if request.extensions.get(AFTER_TIMESTAMP_REJECTION):
        return TimestampRejected(
            f"-1021, and the server time could not be fetched to re-sign ({message})",
            status=400,
            code=-1021,
        )
    if isinstance(error, _NOT_SENT):
        return NothingSent(message)
    return ExecutionStatusUnknown(message)


class BinanceTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps httpx's transports (or any given ones) for sync and async clients at once."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
        sync_transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        async_backend: Literal["aiohttp", "httpx"] = "httpx",
    ) -> None:
        self._verify = verify
        self._async_backend = async_backend
        self._limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._sync = sync_transport
        self._async = async_transport

    def _sync_transport(self) -> httpx.BaseTransport:
        # Built on first use: a TLS context costs milliseconds and a sync-only user never
        # needs the async transport (nor the reverse).
        if self._sync is None:
            self._sync = httpx.HTTPTransport(
                verify=self._verify, limits=self._limits, retries=CONNECT_RETRIES
            )
        return self._sync

    def _async_transport(self) -> httpx.AsyncBaseTransport:
        if self._async is None and self._async_backend == "aiohttp":
            # Imported here: aiohttp costs every sync-only user's startup otherwise.
            from signing_hook._aiohttp_backend import AiohttpTransport

            self._async = AiohttpTransport(verify=self._verify, limits=self._limits, proxy=None)
        if self._async is None:
            self._async = httpx.AsyncHTTPTransport(
                verify=self._verify, limits=self._limits, retries=CONNECT_RETRIES
            )
        return self._async

    # The body is read here, inside the mapping, because a failure while reading it (a reset,
    # a stall past the read timeout) comes after the request was sent. Each error is raised
    # outside its except block so that no httpx exception, which holds the signed request,
    # stays reachable through __context__.
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        failure: BinanceError | None = None
        try:
            response = self._sync_transport().handle_request(request)
            try:
                response.read()
            except BaseException:
                response.close()
                raise
        except _MAYBE_SENT as error:
            failure = _mapped(request, error)
        if failure is not None:
            raise failure
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        failure: BinanceError | None = None
        try:
            response = await self._async_transport().handle_async_request(request)
            try:
                await response.aread()
            except BaseException:
                await response.aclose()
                raise
        except _MAYBE_SENT as error:
            failure = _mapped(request, error)
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

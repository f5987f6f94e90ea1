"""One transport object for both httpx clients, mapping transport faults onto the error tree.

The distinction that matters for a cancel is whether the request may have reached the
exchange. A connection that could not be opened means it did not (``NothingSent``, retried
once by httpx's own connection retry); anything that fails after the request went out means
nobody knows (``ExecutionStatusUnknown``).
"""

from __future__ import annotations

import ssl
from types import TracebackType
from typing import Final

import httpx

from signing_hook._errors import ExecutionStatusUnknown, NothingSent

#: Failures before a connection existed: the request never left this process.
_NOT_SENT: Final = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)
#: Failures once the request was (or may have been) written.
_MAYBE_SENT: Final = (httpx.TransportError,)

#: httpcore's built-in retry covers exactly the safe case: establishing the connection.
CONNECT_RETRIES: Final = 1


def _describe(request: httpx.Request, error: Exception) -> str:
    # The URL's query holds the signature: name only the method and path.
    return f"{request.method} {request.url.path}: {type(error).__name__}: {error}"


class BinanceTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps httpx's transports (or any given ones) for sync and async clients at once."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
        sync_transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._verify = verify
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
        if self._async is None:
            self._async = httpx.AsyncHTTPTransport(
                verify=self._verify, limits=self._limits, retries=CONNECT_RETRIES
            )
        return self._async

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._sync_transport().handle_request(request)
        except _NOT_SENT as error:
            raise NothingSent(_describe(request, error)) from None
        except _MAYBE_SENT as error:
            raise ExecutionStatusUnknown(_describe(request, error)) from None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._async_transport().handle_async_request(request)
        except _NOT_SENT as error:
            raise NothingSent(_describe(request, error)) from None
        except _MAYBE_SENT as error:
            raise ExecutionStatusUnknown(_describe(request, error)) from None

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

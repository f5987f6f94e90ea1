"""The async backend for proxies (and on request): an httpx transport moving bytes with aiohttp.

httpx's own async transport spends milliseconds per call once a few dozen requests are in
flight; aiohttp's connection pool and C parser do not. This module only moves bytes: the fault
boundary (``BinanceTransport``) reads the body, caps it and maps faults onto the error tree.
Like every backend it raises httpx's exception types, and which one tells the boundary
whether the request could have left this process:

    before any byte was written    ConnectError, ConnectTimeout, ProxyError
    after (or maybe after)         ReadError, ReadTimeout, WriteError, RemoteProtocolError

What it keeps exact:

- the URL: it reaches aiohttp as already encoded (``yarl.URL(..., encoded=True)``), so the
  query on the wire is the signed query, byte for byte; aiohttp would otherwise re-quote it
  (``%3A`` becomes ``:``) and the exchange would see a different string than was signed;
- the headers: the request's own, and aiohttp adds none of its defaults (User-Agent, Accept,
  Accept-Encoding). The one header aiohttp always writes is ``Content-Length: 0`` on a DELETE
  without a body, which states what the absence of the header states;
- the body: raw, never decompressed, so the boundary's size cap counts the bytes received;
- TLS: the same context httpx builds for the same ``verify`` (certifi's CAs by default);
- one send: aiohttp's resend of a DELETE after a reset is switched off (`_never_resend`);
- timeouts: connect and pool from the request's timeouts, read per socket read. aiohttp has no
  write timeout, and its read timer starts only once the request is written, so the whole
  exchange is also bounded by connect + pool + write + read: a write that stalls ends as a
  ReadTimeout, an "after" failure, as a WriteTimeout would. (The connect timeout, which is
  shorter, always ends the connecting phase first, so that phase stays "before".)

aiohttp is imported by this module only, and this module only on the first async request, so
sync-only users never pay for it.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from typing import Any, Final

import aiohttp
import httpx
from yarl import URL

# The same one retry of a failed connection attempt (nothing was sent) as httpx's transports.
from ._call import CONNECT_RETRIES, InternalsMoved

#: How many pooled connections to look through when the pool has no limit.
_POOL_WHEN_UNLIMITED: Final = 100

#: aiohttp's default headers, which a request sent through httpx already has or left out.
_NO_AUTO_HEADERS: Final = ("Accept", "Accept-Encoding", "User-Agent")

_HTTP_VERSIONS: Final[dict[aiohttp.HttpVersion | None, bytes]] = {
    aiohttp.HttpVersion10: b"HTTP/1.0",
    aiohttp.HttpVersion11: b"HTTP/1.1",
}


def _describe(error: BaseException) -> str:
    """The error's text without anything that could carry the signed URL.

    aiohttp puts the full request URL into the text of its response and URL errors; the
    query holds the signature, so only their own message (or nothing) is kept.
    """
    if isinstance(error, aiohttp.ClientResponseError):
        return f"{type(error).__name__}: {error.message}"
    if isinstance(error, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return type(error).__name__
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _httpx_error(error: Exception, request: httpx.Request) -> httpx.TransportError:
    """httpx's exception for an aiohttp failure, chosen by when it can happen.

    The order matters: aiohttp's classes nest (a certificate error is a connector error, a
    connector error is an OSError, a proxy refusal is a response error).
    """
    message = _describe(error)
    kind: type[httpx.TransportError]
    if isinstance(error, aiohttp.ClientProxyConnectionError | aiohttp.ClientHttpProxyError):
        kind = httpx.ProxyError  # the proxy was not reached or refused the tunnel
    elif isinstance(error, aiohttp.ClientConnectorError | aiohttp.ServerFingerprintMismatch):
        kind = httpx.ConnectError  # no connection (refused, DNS, TLS handshake, certificate)
    elif isinstance(error, aiohttp.ConnectionTimeoutError):
        kind = httpx.ConnectTimeout  # no connection within connect + pool
    elif isinstance(error, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        kind = httpx.UnsupportedProtocol  # refused before a connection was looked for
    elif isinstance(error, TimeoutError):
        kind = httpx.ReadTimeout  # aiohttp's socket read timeout, after the request went out
    elif isinstance(error, aiohttp.ClientConnectionResetError):
        kind = httpx.WriteError  # the connection closed while the request was written
    elif isinstance(error, aiohttp.ServerDisconnectedError | aiohttp.ClientResponseError):
        kind = httpx.RemoteProtocolError  # no answer, or one that is not HTTP
    else:
        # ClientOSError (a reset), ClientPayloadError (a cut body) and anything aiohttp may add:
        # none of them can show the request was not sent.
        kind = httpx.ReadError
    return kind(message, request=request)


def _never_resend(session: aiohttp.ClientSession) -> None:
    """Switch off aiohttp's resend of "idempotent" requests after a reset or a disconnect.

    aiohttp counts DELETE as idempotent and sends it again, once, when the connection fails
    after the request was written; for a cancel that is a second order action nobody asked
    for, and it hides the "status unknown" answer. aiohttp has no public switch for it: the
    attribute below is the one its own test client sets. If a release renames it, this
    refuses to run rather than resend cancels (tests/wire/test_backends.py pins the effect).
    It runs when a session is opened: under the boundary, when the backend is built on the
    first request, before anything is sent.
    """
    if getattr(session, "_retry_connection", None) is not True:
        raise InternalsMoved(
            f"aiohttp {aiohttp.__version__} no longer has the resend switch this client turns "
            'off; use connect(async_backend="httpx") until binance_coinm_futures supports it'
        )
    session._retry_connection = False


class _CleanConnector(aiohttp.TCPConnector):
    """A connector that never hands out a pooled connection holding bytes nobody asked for.

    aiohttp reuses a kept-alive connection while it is connected; if the peer wrote after its
    answer (a stray -2011, another order's answer), aiohttp has already parsed those bytes and
    would give them to the next request as its answer. Such a connection says so through
    ``should_close``; it is closed here and another one is taken or opened.
    """

    async def connect(
        self, req: aiohttp.ClientRequest, traces: list[Any], timeout: aiohttp.ClientTimeout
    ) -> aiohttp.connector.Connection:
        # Each pass closes one pooled connection, so the pool runs out of dirty ones and a new
        # connection is opened. Only a peer that writes before it is asked could exhaust the
        # passes; its answer is then judged like any other (the success rule, the error tree).
        for _ in range((self.limit or _POOL_WHEN_UNLIMITED) + 1):
            connection = await super().connect(req, traces, timeout)
            protocol = connection.protocol
            if protocol is None or not protocol.should_close:
                break
            connection.close()
        return connection


class _Body(httpx.AsyncByteStream):
    """The answer's body as received (never decompressed); closing it frees the connection."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._response.content.iter_any().__aiter__()
        while True:
            failure: httpx.TransportError | None = None
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except (aiohttp.ClientError, TimeoutError) as error:
                failure = _httpx_error(error, self._request)
            if failure is not None:
                raise failure  # outside the except: aiohttp's error stays out of the chain
            yield chunk

    async def aclose(self) -> None:
        # A fully read answer gives its connection back to the pool; a partly read one closes
        # it (aiohttp decides from the parser's state).
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx async transport on one aiohttp session, built in the loop that first uses it."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
        proxy: httpx.URL | None = None,
    ) -> None:
        self._verify = verify
        self._limits = limits or httpx.Limits()
        self._proxy = None if proxy is None else URL(str(proxy), encoded=True)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # built outside a loop: the session opens on the first request
        # Built in its loop (the boundary builds it on the first request): the session, and its
        # guard on aiohttp's internals, before anything is sent.
        self._open_session()

    def _open_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop:
            # A session belongs to one event loop; a client reused under a new asyncio.run()
            # gets a new one (the old loop's connections died with it).
            connector = _CleanConnector(
                ssl=httpx.create_ssl_context(verify=self._verify),
                limit=self._limits.max_connections or 0,
                keepalive_timeout=self._limits.keepalive_expiry,
            )
            session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                skip_auto_headers=_NO_AUTO_HEADERS,
                cookie_jar=aiohttp.DummyCookieJar(),  # httpx's client keeps the cookies
                trust_env=False,  # the proxy is the one given, as for httpx's transport
                timeout=aiohttp.ClientTimeout(total=None),
            )
            try:
                _never_resend(session)
            except InternalsMoved:
                session.detach()  # closed: its connector never opened a connection
                raise
            self._session, self._loop = session, loop
        return self._session

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        given: dict[str, float | None] = request.extensions.get("timeout", {})
        key = (given.get("connect"), given.get("read"), given.get("write"), given.get("pool"))
        found = self._timeouts.get(key)
        if found is None:
            connect, read, _write, pool = key
            found = aiohttp.ClientTimeout(
                total=None if None in key else sum(v for v in key if v is not None),
                # aiohttp's `connect` covers waiting for a pooled connection and opening one.
                connect=None if connect is None or pool is None else connect + pool,
                sock_connect=connect,
                sock_read=read,
            )
            self._timeouts[key] = found
        return found

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._open_session()
        body = await request.aread()
        url = URL(str(request.url), encoded=True)
        timeout = self._timeout(request)
        for attempt in range(CONNECT_RETRIES + 1):
            failure: httpx.TransportError | None = None
            try:
                response = await session.request(
                    request.method,
                    url,
                    headers=request.headers.multi_items(),
                    data=body or None,
                    allow_redirects=False,
                    timeout=timeout,
                    proxy=self._proxy,
                )
            except (aiohttp.ClientError, TimeoutError) as error:
                retry = isinstance(error, aiohttp.ClientConnectorError) and not isinstance(
                    error, aiohttp.ClientSSLError | aiohttp.ClientProxyConnectionError
                )
                if retry and attempt < CONNECT_RETRIES:
                    continue
                failure = _httpx_error(error, request)
            if failure is not None:
                raise failure  # outside the except: aiohttp's error stays out of the chain
            return httpx.Response(
                response.status,
                headers=response.raw_headers,
                stream=_Body(response, request),
                extensions={
                    "http_version": _HTTP_VERSIONS.get(response.version, b"HTTP/1.1"),
                    "reason_phrase": (response.reason or "").encode("ascii", "replace"),
                },
            )
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

"""Which backend moves a client's bytes: connect() picks one here and hands the boundary
(``BinanceTransport``) a factory for it.

A factory, not a transport: the boundary builds each backend on its first request, so a
sync-only user never imports aiohttp or builds an async TLS context (nor the reverse).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Final, Literal, TypeAlias

import httpx

AsyncBackendName: TypeAlias = Literal["aiohttp", "httpx", "asyncio"]
ASYNC_BACKENDS: Final[tuple[AsyncBackendName, ...]] = ("aiohttp", "httpx", "asyncio")
#: What the asyncio backend leaves to aiohttp's.
_NOT_ON_ASYNCIO: Final = (
    "the asyncio backend does not support proxies, and a proxy is set (proxy=, or the "
    "environment's HTTPS_PROXY, HTTP_PROXY or ALL_PROXY unless httpx_args={'trust_env': "
    'False}): use async_backend="aiohttp", which the default picks with a proxy; nothing '
    "was sent"
)

#: The pool connect() gives a client on the asyncio or aiohttp backend: every connection it
#: may open is kept when idle (until the 5 s idle expiry), so a burst of cancels finds the
#: connections the last burst opened. With httpx's default of 20 kept, each burst past 20 paid
#: a new connection per extra cancel: in `make bench`'s storm of 32 on the asyncio backend that
#: was about a quarter of our CPU per call (tests/wire/test_warm_pool.py).
DEFAULT_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=100)
#: httpx's own transports (the sync client, async_backend="httpx") keep httpx's default of 20:
#: httpcore's pool does work per request that grows with the connections it holds, and keeping
#: 100 measured 1.7x its CPU per call at 32 in flight and 2.4x at 128 (bench/worker.py, 2026-12-05).
HTTPCORE_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=20)

Tls: TypeAlias = ssl.SSLContext | bool


def sync_backend(
    *, verify: Tls = True, limits: httpx.Limits = HTTPCORE_LIMITS, proxy: httpx.URL | None = None
) -> Callable[[], httpx.BaseTransport]:
    """httpx's sync transport, with its guards (``_httpx_backend``)."""

    def build() -> httpx.BaseTransport:
        from ._httpx_backend import SyncHttpxBackend  # httpcore costs every startup

        return SyncHttpxBackend(verify=verify, limits=limits, proxy=proxy)

    return build


def default_async_backend(proxy: httpx.URL | None) -> AsyncBackendName:
    """The asyncio backend; aiohttp's when a proxy is set, which the asyncio backend leaves
    to it."""
    return "asyncio" if proxy is None else "aiohttp"


def async_backend(
    name: AsyncBackendName = "httpx",
    *,
    verify: Tls = True,
    limits: httpx.Limits | None = None,
    proxy: httpx.URL | None = None,
) -> Callable[[], httpx.AsyncBaseTransport]:
    """The async backend called ``name``: aiohttp's, httpx's own, or the asyncio one.
    ``limits`` None: the backend's own default (``DEFAULT_LIMITS`` or ``HTTPCORE_LIMITS``)."""
    if name not in ASYNC_BACKENDS:
        raise ValueError(
            f"async_backend must be {' or '.join(map(repr, ASYNC_BACKENDS))}, got {name!r}"
        )
    if name == "asyncio" and proxy is not None:
        raise ValueError(_NOT_ON_ASYNCIO)

    def build() -> httpx.AsyncBaseTransport:
        if name == "asyncio":
            from ._asyncio_backend import AsyncioBackend  # httptools: only when chosen

            return AsyncioBackend(verify=verify, limits=limits or DEFAULT_LIMITS)
        if name == "aiohttp":
            from ._aiohttp_backend import AiohttpTransport  # aiohttp: only when chosen

            return AiohttpTransport(verify=verify, limits=limits or DEFAULT_LIMITS, proxy=proxy)
        from ._httpx_backend import AsyncHttpxBackend

        return AsyncHttpxBackend(verify=verify, limits=limits or HTTPCORE_LIMITS, proxy=proxy)

    return build

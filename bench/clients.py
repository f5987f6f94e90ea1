"""Every client the benchmark measures, each reduced to "cancel order N, return the id answered".

A client is opened once per worker process (its connection pool warms up during the warm-up
calls) and then called N times. Each peer is imported inside its own opener, so a worker pays
for, and needs, only the library it measures. Returning the order id the exchange echoed
makes every call parse the response, as a real caller would.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import urlsplit

API_KEY: Final = "bench-api-key"
SECRET: Final = "bench-secret"
SYMBOL: Final = "BTCUSD_PERP"
CCXT_SYMBOL: Final = "BTC/USD:BTC"
ORDER_PATH: Final = "/dapi/v1/order"
#: What connect() gives an async user who picks nothing: asyncio's transports and httptools.
OURS_DEFAULT_ASYNC: Final = "ours async, asyncio backend (default)"
#: connect(async_backend="aiohttp"): what connect() picks when a proxy is set.
OURS_ON_AIOHTTP: Final = "ours async, aiohttp backend"
HTTPX_ON_OUR_BACKEND: Final = "httpx async + hmac by hand, on our aiohttp backend"

SyncCancel = Callable[[int], int]
AsyncCancel = Callable[[int], Awaitable[int]]
Group = Literal["ours", "floor", "peer"]


@dataclass(frozen=True)
class SyncClient:
    name: str
    group: Group
    distribution: str  # whose version results.md reports
    open: Callable[[str], AbstractContextManager[SyncCancel]]
    # ccxt's own rate limiter sleeps 50 ms per call: a full N would take minutes of sleep.
    max_calls: int | None = None
    # Installed outside site-packages (run.sh says why); put on PYTHONPATH for this client.
    isolated: bool = False


@dataclass(frozen=True)
class AsyncClient:
    name: str
    group: Group
    distribution: str
    open: Callable[[str], AbstractAsyncContextManager[AsyncCancel]]
    max_calls: int | None = None
    isolated: bool = False


def _signed_query(order_id: int) -> bytes:
    """What a careful hand-written client sends: the parameters, timestamp, then signature."""
    query = b"symbol=%s&orderId=%d&timestamp=%d" % (
        SYMBOL.encode(),
        order_id,
        time.time_ns() // 1_000_000,
    )
    signature = hmac.new(SECRET.encode(), query, hashlib.sha256).hexdigest().encode()
    return query + b"&signature=" + signature


# --- ours -----------------------------------------------------------------------------------


@contextmanager
def ours_sync(url: str) -> Iterator[SyncCancel]:
    from binance_coinm_futures import connect
    from binance_coinm_futures.api.trade import cancel_order

    client = connect(api_key=API_KEY, secret=SECRET, base_url=url)

    def cancel(order_id: int) -> int:
        return cancel_order.sync(client=client, symbol=SYMBOL, order_id=order_id).order_id

    with client:
        yield cancel


@contextmanager
def ours_without_generated(url: str) -> Iterator[SyncCancel]:
    """connect()'s httpx client called directly: what signing_hook costs without generated code."""
    from binance_coinm_futures import connect

    http = connect(api_key=API_KEY, secret=SECRET, base_url=url).get_httpx_client()

    def cancel(order_id: int) -> int:
        params: dict[str, str | int] = {"symbol": SYMBOL, "orderId": order_id}
        return int(http.delete(ORDER_PATH, params=params).json()["orderId"])

    with http:
        yield cancel


def _ours_async(**backend: Any) -> Callable[[str], AsyncIterator[AsyncCancel]]:
    """connect() as a user calls it; `backend` is empty for the default backend."""

    async def open_client(url: str) -> AsyncIterator[AsyncCancel]:
        from binance_coinm_futures import connect
        from binance_coinm_futures.api.trade import cancel_order

        client = connect(api_key=API_KEY, secret=SECRET, base_url=url, **backend)

        async def cancel(order_id: int) -> int:
            order = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=order_id)
            return order.order_id

        async with client:
            yield cancel

    return open_client


# --- floors: the same signed request by hand ------------------------------------------------


# The floor is the cheapest way found to send the signed request through httpx: the query goes
# in as bytes (URL.copy_with) and the request is sent as built, without the client's default
# headers. What most people would write, client.delete() with the URL as text, is measured too:
# httpx then merges and re-validates the whole URL, character by character.


@contextmanager
def httpx_by_hand(url: str) -> Iterator[SyncCancel]:
    import httpx

    endpoint = httpx.URL(url + ORDER_PATH)
    headers = {"X-MBX-APIKEY": API_KEY}

    def cancel(order_id: int) -> int:
        signed = endpoint.copy_with(query=_signed_query(order_id))
        response = http.send(httpx.Request("DELETE", signed, headers=headers))
        response.raise_for_status()
        return int(response.json()["orderId"])

    with httpx.Client() as http:
        yield cancel


@contextmanager
def httpx_delete_by_hand(url: str) -> Iterator[SyncCancel]:
    import httpx

    def cancel(order_id: int) -> int:
        response = http.delete(f"{ORDER_PATH}?{_signed_query(order_id).decode()}")
        response.raise_for_status()
        return int(response.json()["orderId"])

    with httpx.Client(base_url=url, headers={"X-MBX-APIKEY": API_KEY}) as http:
        yield cancel


@asynccontextmanager
async def httpx_async_by_hand(url: str) -> AsyncIterator[AsyncCancel]:
    import httpx

    endpoint = httpx.URL(url + ORDER_PATH)
    headers = {"X-MBX-APIKEY": API_KEY}

    async def cancel(order_id: int) -> int:
        signed = endpoint.copy_with(query=_signed_query(order_id))
        response = await http.send(httpx.Request("DELETE", signed, headers=headers))
        response.raise_for_status()
        return int(response.json()["orderId"])

    async with httpx.AsyncClient() as http:
        yield cancel


@asynccontextmanager
async def httpx_async_on_our_backend(url: str) -> AsyncIterator[AsyncCancel]:
    """The httpx floor on the aiohttp backend ours uses: what ours adds over httpx itself."""
    import httpx

    from binance_coinm_futures._runtime._aiohttp_backend import AiohttpTransport

    endpoint = httpx.URL(url + ORDER_PATH)
    headers = {"X-MBX-APIKEY": API_KEY}

    async def cancel(order_id: int) -> int:
        signed = endpoint.copy_with(query=_signed_query(order_id))
        response = await http.send(httpx.Request("DELETE", signed, headers=headers))
        response.raise_for_status()
        return int(response.json()["orderId"])

    async with httpx.AsyncClient(transport=AiohttpTransport()) as http:
        yield cancel


@asynccontextmanager
async def aiohttp_by_hand(url: str) -> AsyncIterator[AsyncCancel]:
    import aiohttp
    import yarl

    async def cancel(order_id: int) -> int:
        # encoded=True: the signed bytes are sent as they are, never re-quoted.
        query = _signed_query(order_id).decode()
        target = yarl.URL(f"{url}{ORDER_PATH}?{query}", encoded=True)
        async with session.delete(target) as response:
            response.raise_for_status()
            return int((await response.json())["orderId"])

    async with aiohttp.ClientSession(headers={"X-MBX-APIKEY": API_KEY}) as session:
        yield cancel


# --- peers ----------------------------------------------------------------------------------


@contextmanager
def python_binance(url: str) -> Iterator[SyncCancel]:
    from binance import Client

    client = Client(API_KEY, SECRET, ping=False)  # ping=False: it would ping the spot API
    client.FUTURES_COIN_URL = f"{url}/dapi"

    def cancel(order_id: int) -> int:
        return int(client.futures_coin_cancel_order(symbol=SYMBOL, orderId=order_id)["orderId"])

    try:
        yield cancel
    finally:
        client.close_connection()


@asynccontextmanager
async def python_binance_async(url: str) -> AsyncIterator[AsyncCancel]:
    from binance import AsyncClient

    client = AsyncClient(API_KEY, SECRET)
    client.FUTURES_COIN_URL = f"{url}/dapi"

    async def cancel(order_id: int) -> int:
        order = await client.futures_coin_cancel_order(symbol=SYMBOL, orderId=order_id)
        return int(order["orderId"])

    try:
        yield cancel
    finally:
        await client.close_connection()


@contextmanager
def futures_connector(url: str) -> Iterator[SyncCancel]:
    from binance.cm_futures import CMFutures

    client = CMFutures(key=API_KEY, secret=SECRET, base_url=url)

    def cancel(order_id: int) -> int:
        return int(client.cancel_order(symbol=SYMBOL, orderId=order_id)["orderId"])

    try:
        yield cancel
    finally:
        client.session.close()


@contextmanager
def official_sdk(url: str) -> Iterator[SyncCancel]:
    from binance_common.configuration import ConfigurationRestAPI
    from binance_sdk_derivatives_trading_coin_futures import DerivativesTradingCoinFutures

    config = ConfigurationRestAPI(api_key=API_KEY, api_secret=SECRET, base_path=url)
    api = DerivativesTradingCoinFutures(config_rest_api=config).rest_api

    def cancel(order_id: int) -> int:
        answered = api.cancel_order(symbol=SYMBOL, order_id=order_id).data().order_id
        return -1 if answered is None else answered

    yield cancel


def _ccxt_config(rate_limit: bool) -> dict[str, Any]:
    # fetchCurrencies off: load_markets() would also read the spot wallet's currency list,
    # which has nothing to do with a COIN-M cancel (and the bench server does not serve it).
    return {
        "apiKey": API_KEY,
        "secret": SECRET,
        "enableRateLimit": rate_limit,
        "options": {"fetchCurrencies": False},
    }


def _point_ccxt_at(url: str, exchange: Any) -> None:
    # ccxt keeps one base URL per API family; send every family to the bench server.
    api = exchange.urls["api"]
    for family, address in list(api.items()):
        if isinstance(address, str):
            api[family] = url + urlsplit(address).path


def _ccxt_sync(rate_limit: bool) -> Callable[[str], Iterator[SyncCancel]]:
    def open_client(url: str) -> Iterator[SyncCancel]:
        import ccxt

        exchange = ccxt.binancecoinm(_ccxt_config(rate_limit))
        _point_ccxt_at(url, exchange)
        exchange.load_markets()  # once, from the server's exchangeInfo, as a user would

        def cancel(order_id: int) -> int:
            return int(exchange.cancel_order(str(order_id), CCXT_SYMBOL)["id"])

        yield cancel

    return open_client


def _ccxt_async(rate_limit: bool) -> Callable[[str], AsyncIterator[AsyncCancel]]:
    async def open_client(url: str) -> AsyncIterator[AsyncCancel]:
        import ccxt.async_support

        exchange = ccxt.async_support.binancecoinm(_ccxt_config(rate_limit))
        _point_ccxt_at(url, exchange)
        try:
            await exchange.load_markets()

            async def cancel(order_id: int) -> int:
                return int((await exchange.cancel_order(str(order_id), CCXT_SYMBOL))["id"])

            yield cancel
        finally:
            await exchange.close()

    return open_client


_RATE_LIMITED_CALLS: Final = 100  # 5 s of ccxt's 50 ms spacing

CLIENTS: Final[dict[str, SyncClient | AsyncClient]] = {
    c.name: c
    for c in (
        SyncClient("ours", "ours", "binance-coinm-futures", ours_sync),
        SyncClient(
            "ours: signing_hook only", "ours", "binance-coinm-futures", ours_without_generated
        ),
        SyncClient("httpx + hmac by hand", "floor", "httpx", httpx_by_hand),
        SyncClient("httpx + hmac, client.delete(url)", "floor", "httpx", httpx_delete_by_hand),
        SyncClient("python-binance", "peer", "python-binance", python_binance),
        SyncClient(
            "binance-futures-connector",
            "peer",
            "binance-futures-connector",
            futures_connector,
            isolated=True,
        ),
        SyncClient("ccxt", "peer", "ccxt", contextmanager(_ccxt_sync(rate_limit=False))),
        SyncClient(
            "ccxt, rate limiter on",
            "peer",
            "ccxt",
            contextmanager(_ccxt_sync(rate_limit=True)),
            max_calls=_RATE_LIMITED_CALLS,
        ),
        SyncClient(
            "official SDK", "peer", "binance-sdk-derivatives-trading-coin-futures", official_sdk
        ),
        AsyncClient(
            OURS_DEFAULT_ASYNC, "ours", "binance-coinm-futures", asynccontextmanager(_ours_async())
        ),
        AsyncClient(
            OURS_ON_AIOHTTP,
            "ours",
            "binance-coinm-futures",
            asynccontextmanager(_ours_async(async_backend="aiohttp")),
        ),
        AsyncClient(
            "ours async, httpx backend",
            "ours",
            "binance-coinm-futures",
            asynccontextmanager(_ours_async(async_backend="httpx")),
        ),
        AsyncClient("httpx async + hmac by hand", "floor", "httpx", httpx_async_by_hand),
        AsyncClient(HTTPX_ON_OUR_BACKEND, "floor", "httpx", httpx_async_on_our_backend),
        AsyncClient("aiohttp + hmac by hand", "floor", "aiohttp", aiohttp_by_hand),
        AsyncClient("python-binance async", "peer", "python-binance", python_binance_async),
        AsyncClient(
            "ccxt async", "peer", "ccxt", asynccontextmanager(_ccxt_async(rate_limit=False))
        ),
        AsyncClient(
            "ccxt async, rate limiter on",
            "peer",
            "ccxt",
            asynccontextmanager(_ccxt_async(rate_limit=True)),
            max_calls=_RATE_LIMITED_CALLS,
        ),
    )
}

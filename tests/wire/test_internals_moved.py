"""A backend's guard finds a library internal moved: before the send, the caller gets
``InternalsMoved`` and nothing reached the exchange; after it, the cancel may have been done,
so the caller gets ``ExecutionStatusUnknown`` with the ``InternalsMoved`` as its cause.

The rule lives in the boundary (``_transport``), once for every backend: the first tests give
the boundary backends of their own that raise at each point; the others make a real guard's
internal disappear (monkeypatch) and cancel through connect() against the local exchange.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiohttp
import anyio
import httpx
import pytest
from httpx._transports import default as httpx_default

from binance_coinm_futures import ExecutionStatusUnknown, connect
from binance_coinm_futures._runtime._call import InternalsMoved
from binance_coinm_futures._runtime._transport import BinanceTransport
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.testing import LocalExchange, Order
from tests.wire.conftest import credentials
from tests.wire.scripted import mode_args

SYMBOL = "BTCUSD_PERP"
ORDER_ID = 880_201
CANCEL = ("DELETE", "/dapi/v1/order")
URL = "http://127.0.0.1:9/dapi/v1/order?symbol=BTCUSD_PERP&orderId=1&signature=abc"
MOVED = "httpcore 9.9: HTTP11Connection has no '_h11_state'"


def moved() -> InternalsMoved:
    return InternalsMoved(MOVED)


# -- the boundary's rule, for any backend --------------------------------------------------------


class _Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, fail_on_close: bool) -> None:
        self.fail_on_close = fail_on_close

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"serverTime": 1}'

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"serverTime": 1}'

    def close(self) -> None:
        if self.fail_on_close:
            raise moved()

    async def aclose(self) -> None:
        self.close()


class _Backend(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A backend whose guard fails where ``where`` says: "built", "sending" or "closing"."""

    def __init__(self, where: str) -> None:
        if where == "built":
            raise moved()
        self.where = where
        self.requests = 0

    def _answer(self) -> httpx.Response:
        self.requests += 1
        if self.where == "sending":
            raise moved()
        return httpx.Response(200, stream=_Body(fail_on_close=self.where == "closing"))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer()


def exchange_once(where: str, asynchronous: bool) -> httpx.Response:
    def backend() -> _Backend:
        return _Backend(where)

    transport = BinanceTransport(sync_backend=backend, async_backend=backend)
    if not asynchronous:
        with httpx.Client(transport=transport, timeout=5.0) as client:
            return client.delete(URL)

    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, timeout=5.0) as client:
            return await client.delete(URL)

    return anyio.run(run)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_moved_while_the_backend_is_built_nothing_was_sent(asynchronous: bool) -> None:
    with pytest.raises(InternalsMoved, match="'_h11_state'"):
        exchange_once("built", asynchronous)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("where", ["sending", "closing"])
def test_moved_once_the_backend_has_the_request_is_status_unknown(
    where: str, asynchronous: bool
) -> None:
    with pytest.raises(ExecutionStatusUnknown) as raised:
        exchange_once(where, asynchronous)
    error = raised.value
    assert isinstance(error.__cause__, InternalsMoved)
    assert error.__context__ is None or error.__suppress_context__
    assert error.__cause__.__context__ is None
    message = str(error)
    assert message.startswith("DELETE /dapi/v1/order: the request may have been sent")
    assert "a library this client relies on changed under it" in message
    assert MOVED in message
    assert "the order may or may not be cancelled: query the order" in message
    assert "Install a release of httpx, httpcore and aiohttp" in message
    assert "signature" not in message
    assert "abc" not in message


# -- the real guards, through connect() ----------------------------------------------------------


def cancel(mode: str, exchange: LocalExchange) -> Any:
    client = connect(base_url=exchange.url, timeout=5.0, **credentials("hmac"), **mode_args(mode))
    if mode == "sync":
        with client:
            return cancel_order.sync(client=client, symbol=SYMBOL, order_id=ORDER_ID)

    async def run() -> Any:
        async with client:
            return await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=ORDER_ID)

    return anyio.run(run)


@pytest.fixture
def order(exchange: LocalExchange) -> Order:
    placed = Order(ORDER_ID, "moved:1", SYMBOL)
    exchange.add_order(placed)
    return placed


def test_the_sync_deadline_guard_moved_is_internals_moved_and_nothing_is_sent(
    exchange: LocalExchange, order: Order, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Moved(httpx.HTTPTransport):  # a release of httpx that keeps its pool elsewhere
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.__dict__["_relocated"] = self.__dict__.pop("_pool")

    monkeypatch.setattr(httpx, "HTTPTransport", Moved)
    with pytest.raises(InternalsMoved, match="'_pool'"):
        cancel("sync", exchange)
    assert exchange.requests == []
    held = exchange.order(ORDER_ID)
    assert held is not None
    assert held.status == "NEW"


def test_the_aiohttp_resend_guard_moved_is_internals_moved_and_nothing_is_sent(
    exchange: LocalExchange, order: Order, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: Callable[..., None] = aiohttp.ClientSession.__init__

    def without_the_switch(self: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> None:
        opened(self, *args, **kwargs)
        del self._retry_connection  # a release of aiohttp that renamed its resend switch

    monkeypatch.setattr(aiohttp.ClientSession, "__init__", without_the_switch)
    with pytest.raises(InternalsMoved, match="resend switch"):
        cancel("async-aiohttp", exchange)
    assert exchange.requests == []
    held = exchange.order(ORDER_ID)
    assert held is not None
    assert held.status == "NEW"


class _RenamedStream(httpx.SyncByteStream):
    """httpx's ResponseStream as a release that renamed its ``_httpcore_stream`` would be."""

    def __init__(self, httpcore_stream: Any) -> None:
        self._core_stream = httpcore_stream

    def __iter__(self) -> Iterator[bytes]:
        with httpx_default.map_httpcore_exceptions():
            yield from self._core_stream

    def close(self) -> None:
        self._core_stream.close()


class _AsyncRenamedStream(httpx.AsyncByteStream):
    def __init__(self, httpcore_stream: Any) -> None:
        self._core_stream = httpcore_stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with httpx_default.map_httpcore_exceptions():
            async for part in self._core_stream:
                yield part

    async def aclose(self) -> None:
        await self._core_stream.aclose()


@pytest.mark.parametrize("mode", ["sync", "async-httpx"])
def test_the_overfull_guard_moved_after_the_send_is_status_unknown(
    exchange: LocalExchange, order: Order, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """The guard runs as the answer is closed: the cancel was done, and the caller is not told
    "not done" (InternalsMoved alone would read as a refusal)."""
    monkeypatch.setattr(httpx_default, "ResponseStream", _RenamedStream)
    monkeypatch.setattr(httpx_default, "AsyncResponseStream", _AsyncRenamedStream)
    with pytest.raises(ExecutionStatusUnknown) as raised:
        cancel(mode, exchange)
    assert isinstance(raised.value.__cause__, InternalsMoved)
    assert "'_httpcore_stream'" in str(raised.value)
    assert "the order may or may not be cancelled: query the order" in str(raised.value)
    assert "Install a release of httpx, httpcore and aiohttp" in str(raised.value)
    assert [(request.method, request.path) for request in exchange.requests] == [CANCEL]
    held = exchange.order(ORDER_ID)
    assert held is not None
    assert held.status == "CANCELED"  # it did happen: "unknown" was the honest answer


@pytest.mark.parametrize("mode", ["sync", "async-aiohttp", "async-httpx"])
def test_with_every_internal_in_place_the_cancel_is_done(
    exchange: LocalExchange, order: Order, mode: str
) -> None:
    assert cancel(mode, exchange).status == "CANCELED"

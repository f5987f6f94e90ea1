"""The "pull 32 quotes" row: each client takes a symbol's book of 32 open orders to a confirmed
flat book, by every path it offers.

The paths (``PATHS``):

- ``singles``: 32 Cancel Orders (one after another in sync, all at once in async);
- ``batches``: 4 Cancel Multiple Orders of 8 ids each (at most 10 per batch);
- ``cancel_all``: one Cancel All Open Orders, then Current All Open Orders;
- ``flatten_book``: ours only, the helper that does the last one in both services (it lists
  both services before and after the cancel-alls: 6 requests).

The rule for "confirmed", the same for ours and every peer: the client ends knowing the book is
empty. For ``singles`` and ``batches`` every id must be answered as that order, cancelled
(``orderId`` the id asked for, ``status`` CANCELED); for ``cancel_all`` the cancel-all must be
answered as a success and the listing after it must be empty. Anything else raises, and the
measurement reports it as a failure with its code and message. The worker then asks the server
how many orders it still holds, so that a client that says "confirmed" while orders are still
open is reported too.

A path opener yields ``{path: pull}``; ``pull(ids)`` returns when the flat book is confirmed.
Each peer is imported inside its own opener, as in clients.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from dataclasses import dataclass
from typing import Any, Final

from clients import (
    API_KEY,
    CCXT_SYMBOL,
    OURS_DEFAULT_ASYNC,
    SECRET,
    SYMBOL,
    Group,
    _ccxt_config,
    _point_ccxt_at,
)

PULL_SIZE: Final = 32
BATCH_SIZE: Final = 8
PATHS: Final = ("singles", "batches", "cancel_all", "flatten_book")
PATH_TITLES: Final = {
    "singles": f"{PULL_SIZE} single cancels",
    "batches": f"{PULL_SIZE // BATCH_SIZE} batches of {BATCH_SIZE}",
    "cancel_all": "cancel-all + open-orders list",
    "flatten_book": "flatten_book (both services, listed before and after: 6 requests)",
}

SyncPull = Callable[[Sequence[int]], None]
AsyncPull = Callable[[Sequence[int]], Awaitable[None]]


class NotConfirmed(Exception):
    """The client's answers do not say the book is flat."""


@dataclass(frozen=True)
class SyncPuller:
    name: str
    group: Group
    distribution: str
    open: Callable[[str], AbstractContextManager[Mapping[str, SyncPull]]]
    isolated: bool = False


@dataclass(frozen=True)
class AsyncPuller:
    name: str
    group: Group
    distribution: str
    open: Callable[[str], AbstractAsyncContextManager[Mapping[str, AsyncPull]]]
    isolated: bool = False


def describe(error: BaseException) -> str:
    """The error's class, Binance code and message where the library keeps them apart."""
    code = next(
        (
            value
            for name in ("error_code", "code", "status_code")
            if isinstance(value := getattr(error, name, None), int) and value < 0
        ),
        None,
    )
    message = next(
        (
            value
            for name in ("error_message", "message", "msg")
            if isinstance(value := getattr(error, name, None), str) and value
        ),
        None,
    )
    if code is not None and message is not None:
        return f"{type(error).__name__}: {code} {message}"
    return f"{type(error).__name__}: {error}"


def chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[start : start + BATCH_SIZE]) for start in range(0, len(ids), BATCH_SIZE)]


def confirm_cancelled(asked: int, answered_id: object, status: object) -> None:
    if str(answered_id) != str(asked) or str(status).upper() != "CANCELED":
        raise NotConfirmed(
            f"order {asked} was answered as order {answered_id!r} with status {status!r}"
        )


def confirm_items(asked: Sequence[int], answer: object, id_key: str, status_key: str) -> None:
    """A batch answer (a list of dicts) that cancels each id asked, in order."""
    if not isinstance(answer, list) or len(answer) != len(asked):
        raise NotConfirmed(f"a batch of {len(asked)} ids was answered with {answer!r:.200}")
    for order_id, item in zip(asked, answer, strict=True):
        if not isinstance(item, dict):
            raise NotConfirmed(f"order {order_id}: the batch item is {item!r:.200}")
        if "code" in item and "msg" in item and id_key not in item:
            raise NotConfirmed(f"order {order_id}: {item['code']} {item['msg']}")
        confirm_cancelled(order_id, item.get(id_key), item.get(status_key))


def confirm_empty(listing: object) -> None:
    if not isinstance(listing, list | tuple):
        raise NotConfirmed(f"the open-order listing is {listing!r:.200}, not a list")
    if listing:
        raise NotConfirmed(f"{len(listing)} orders are still listed open")


# --- ours -----------------------------------------------------------------------------------


@contextmanager
def ours_sync(url: str) -> Iterator[Mapping[str, SyncPull]]:
    from binance_coinm_futures import BinanceError, cancel_batch, connect, flatten_book
    from binance_coinm_futures.api.trade import (
        cancel_all_open_orders,
        cancel_order,
        current_all_open_orders,
    )

    client = connect(api_key=API_KEY, secret=SECRET, base_url=url)

    def singles(ids: Sequence[int]) -> None:
        for order_id in ids:
            order = cancel_order.sync(client=client, symbol=SYMBOL, order_id=order_id)
            confirm_cancelled(order_id, order.order_id, order.status)

    def batches(ids: Sequence[int]) -> None:
        for chunk in chunks(ids):
            results = cancel_batch(client=client, symbol=SYMBOL, order_ids=chunk)
            for order_id, result in zip(chunk, results, strict=True):
                if isinstance(result, BinanceError):
                    raise NotConfirmed(f"order {order_id}: {describe(result)}")
                confirm_cancelled(order_id, result.order_id, result.status)

    def cancel_all(ids: Sequence[int]) -> None:
        cancel_all_open_orders.sync(client=client, symbol=SYMBOL)
        confirm_empty(current_all_open_orders.sync(client=client, symbol=SYMBOL))

    def flatten(ids: Sequence[int]) -> None:
        book = flatten_book(client=client, symbol=SYMBOL)
        confirm_empty(book.open_after + book.algo_open_after)

    with client:
        yield {
            "singles": singles,
            "batches": batches,
            "cancel_all": cancel_all,
            "flatten_book": flatten,
        }


def _ours_async(**backend: Any) -> Callable[[str], AsyncIterator[Mapping[str, AsyncPull]]]:
    """connect() as a user calls it; `backend` is empty for the default backend."""

    async def open_client(url: str) -> AsyncIterator[Mapping[str, AsyncPull]]:
        from binance_coinm_futures import (
            BinanceError,
            cancel_batch_async,
            connect,
            flatten_book_async,
        )
        from binance_coinm_futures.api.trade import (
            cancel_all_open_orders,
            cancel_order,
            current_all_open_orders,
        )

        client = connect(api_key=API_KEY, secret=SECRET, base_url=url, **backend)

        async def one(order_id: int) -> None:
            order = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=order_id)
            confirm_cancelled(order_id, order.order_id, order.status)

        async def singles(ids: Sequence[int]) -> None:
            await asyncio.gather(*(one(order_id) for order_id in ids))

        async def batch(chunk: list[int]) -> None:
            results = await cancel_batch_async(client=client, symbol=SYMBOL, order_ids=chunk)
            for order_id, result in zip(chunk, results, strict=True):
                if isinstance(result, BinanceError):
                    raise NotConfirmed(f"order {order_id}: {describe(result)}")
                confirm_cancelled(order_id, result.order_id, result.status)

        async def batches(ids: Sequence[int]) -> None:
            await asyncio.gather(*(batch(chunk) for chunk in chunks(ids)))

        async def cancel_all(ids: Sequence[int]) -> None:
            await cancel_all_open_orders.asyncio(client=client, symbol=SYMBOL)
            confirm_empty(await current_all_open_orders.asyncio(client=client, symbol=SYMBOL))

        async def flatten(ids: Sequence[int]) -> None:
            book = await flatten_book_async(client=client, symbol=SYMBOL)
            confirm_empty(book.open_after + book.algo_open_after)

        async with client:
            yield {
                "singles": singles,
                "batches": batches,
                "cancel_all": cancel_all,
                "flatten_book": flatten,
            }

    return open_client


# --- peers ----------------------------------------------------------------------------------


@contextmanager
def python_binance(url: str) -> Iterator[Mapping[str, SyncPull]]:
    from binance import Client

    client = Client(API_KEY, SECRET, ping=False)
    client.FUTURES_COIN_URL = f"{url}/dapi"

    def singles(ids: Sequence[int]) -> None:
        for order_id in ids:
            order = client.futures_coin_cancel_order(symbol=SYMBOL, orderId=order_id)
            confirm_cancelled(order_id, order.get("orderId"), order.get("status"))

    def batches(ids: Sequence[int]) -> None:
        for chunk in chunks(ids):
            # `orderidlist`: the name python-binance's own code turns into JSON (Binance
            # documents orderIdList, which it sends as a Python repr).
            answer = client.futures_coin_cancel_orders(symbol=SYMBOL, orderidlist=chunk)
            confirm_items(chunk, answer, "orderId", "status")

    def cancel_all(ids: Sequence[int]) -> None:
        client.futures_coin_cancel_all_open_orders(symbol=SYMBOL)
        confirm_empty(client.futures_coin_get_open_orders(symbol=SYMBOL))

    try:
        yield {"singles": singles, "batches": batches, "cancel_all": cancel_all}
    finally:
        client.close_connection()


@asynccontextmanager
async def python_binance_async(url: str) -> AsyncIterator[Mapping[str, AsyncPull]]:
    from binance import AsyncClient

    client = AsyncClient(API_KEY, SECRET)
    client.FUTURES_COIN_URL = f"{url}/dapi"

    async def one(order_id: int) -> None:
        order = await client.futures_coin_cancel_order(symbol=SYMBOL, orderId=order_id)
        confirm_cancelled(order_id, order.get("orderId"), order.get("status"))

    async def singles(ids: Sequence[int]) -> None:
        await asyncio.gather(*(one(order_id) for order_id in ids))

    async def batch(chunk: list[int]) -> None:
        answer = await client.futures_coin_cancel_orders(symbol=SYMBOL, orderidlist=chunk)
        confirm_items(chunk, answer, "orderId", "status")

    async def batches(ids: Sequence[int]) -> None:
        await asyncio.gather(*(batch(chunk) for chunk in chunks(ids)))

    async def cancel_all(ids: Sequence[int]) -> None:
        await client.futures_coin_cancel_all_open_orders(symbol=SYMBOL)
        confirm_empty(await client.futures_coin_get_open_orders(symbol=SYMBOL))

    try:
        yield {"singles": singles, "batches": batches, "cancel_all": cancel_all}
    finally:
        await client.close_connection()


@contextmanager
def futures_connector(url: str) -> Iterator[Mapping[str, SyncPull]]:
    from binance.cm_futures import CMFutures

    client = CMFutures(key=API_KEY, secret=SECRET, base_url=url)

    def singles(ids: Sequence[int]) -> None:
        for order_id in ids:
            order = client.cancel_order(symbol=SYMBOL, orderId=order_id)
            confirm_cancelled(order_id, order.get("orderId"), order.get("status"))

    def batches(ids: Sequence[int]) -> None:
        for chunk in chunks(ids):
            answer = client.cancel_batch_order(
                symbol=SYMBOL, orderIdList=chunk, origClientOrderIdList=None
            )
            confirm_items(chunk, answer, "orderId", "status")

    def cancel_all(ids: Sequence[int]) -> None:
        client.cancel_open_orders(symbol=SYMBOL)
        confirm_empty(client.get_orders(symbol=SYMBOL))

    try:
        yield {"singles": singles, "batches": batches, "cancel_all": cancel_all}
    finally:
        client.session.close()


@contextmanager
def official_sdk(url: str) -> Iterator[Mapping[str, SyncPull]]:
    from binance_common.configuration import ConfigurationRestAPI
    from binance_sdk_derivatives_trading_coin_futures import DerivativesTradingCoinFutures

    config = ConfigurationRestAPI(api_key=API_KEY, api_secret=SECRET, base_path=url)
    api = DerivativesTradingCoinFutures(config_rest_api=config).rest_api

    def singles(ids: Sequence[int]) -> None:
        for order_id in ids:
            order = api.cancel_order(symbol=SYMBOL, order_id=order_id).data()
            confirm_cancelled(order_id, order.order_id, order.status)

    def batches(ids: Sequence[int]) -> None:
        for chunk in chunks(ids):
            answer = api.cancel_multiple_orders(symbol=SYMBOL, order_id_list=chunk).data()
            items = [_sdk_item(item) for item in answer]
            confirm_items(chunk, items, "orderId", "status")

    def cancel_all(ids: Sequence[int]) -> None:
        api.cancel_all_open_orders(symbol=SYMBOL).data()
        confirm_empty(list(api.current_all_open_orders(symbol=SYMBOL).data()))

    yield {"singles": singles, "batches": batches, "cancel_all": cancel_all}


def _sdk_item(item: Any) -> object:
    """A batch item of the official SDK: a pydantic model (or its oneOf wrapper), as a dict."""
    inner = getattr(item, "actual_instance", item)
    dump = getattr(inner, "model_dump", None)
    return dump(by_alias=True) if dump is not None else inner


def _ccxt_sync(url: str) -> Iterator[Mapping[str, SyncPull]]:
    import ccxt

    exchange = ccxt.binancecoinm(_ccxt_config(rate_limit=False))
    _point_ccxt_at(url, exchange)
    exchange.load_markets()

    def singles(ids: Sequence[int]) -> None:
        for order_id in ids:
            order = exchange.cancel_order(str(order_id), CCXT_SYMBOL)
            confirm_cancelled(order_id, order.get("id"), order.get("status"))

    def batches(ids: Sequence[int]) -> None:
        for chunk in chunks(ids):
            answer = exchange.cancel_orders([str(i) for i in chunk], CCXT_SYMBOL)
            confirm_items(chunk, answer, "id", "status")

    def cancel_all(ids: Sequence[int]) -> None:
        exchange.cancel_all_orders(CCXT_SYMBOL)
        confirm_empty(exchange.fetch_open_orders(CCXT_SYMBOL))

    yield {"singles": singles, "batches": batches, "cancel_all": cancel_all}


async def _ccxt_async(url: str) -> AsyncIterator[Mapping[str, AsyncPull]]:
    import ccxt.async_support

    exchange = ccxt.async_support.binancecoinm(_ccxt_config(rate_limit=False))
    _point_ccxt_at(url, exchange)
    try:
        await exchange.load_markets()

        async def one(order_id: int) -> None:
            order = await exchange.cancel_order(str(order_id), CCXT_SYMBOL)
            confirm_cancelled(order_id, order.get("id"), order.get("status"))

        async def singles(ids: Sequence[int]) -> None:
            await asyncio.gather(*(one(order_id) for order_id in ids))

        async def batch(chunk: list[int]) -> None:
            answer = await exchange.cancel_orders([str(i) for i in chunk], CCXT_SYMBOL)
            confirm_items(chunk, answer, "id", "status")

        async def batches(ids: Sequence[int]) -> None:
            await asyncio.gather(*(batch(chunk) for chunk in chunks(ids)))

        async def cancel_all(ids: Sequence[int]) -> None:
            await exchange.cancel_all_orders(CCXT_SYMBOL)
            confirm_empty(await exchange.fetch_open_orders(CCXT_SYMBOL))

        yield {"singles": singles, "batches": batches, "cancel_all": cancel_all}
    finally:
        await exchange.close()


# Named as in clients.CLIENTS, so results.md puts each row beside the same client's others.
# ccxt with its rate limiter on is left out: its ~50 ms sleep per request would be measured.
PULLERS: Final[dict[str, SyncPuller | AsyncPuller]] = {
    p.name: p
    for p in (
        SyncPuller("ours", "ours", "binance-coinm-futures", ours_sync),
        AsyncPuller(
            OURS_DEFAULT_ASYNC, "ours", "binance-coinm-futures", asynccontextmanager(_ours_async())
        ),
        AsyncPuller(
            "ours async, httpx backend",
            "ours",
            "binance-coinm-futures",
            asynccontextmanager(_ours_async(async_backend="httpx")),
        ),
        SyncPuller("python-binance", "peer", "python-binance", python_binance),
        AsyncPuller("python-binance async", "peer", "python-binance", python_binance_async),
        SyncPuller(
            "binance-futures-connector",
            "peer",
            "binance-futures-connector",
            futures_connector,
            isolated=True,
        ),
        SyncPuller("ccxt", "peer", "ccxt", contextmanager(_ccxt_sync)),
        AsyncPuller("ccxt async", "peer", "ccxt", asynccontextmanager(_ccxt_async)),
        SyncPuller(
            "official SDK", "peer", "binance-sdk-derivatives-trading-coin-futures", official_sdk
        ),
    )
}

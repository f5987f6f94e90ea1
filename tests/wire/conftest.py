"""A real local exchange on loopback, with one API key of each kind."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from binance_coinm_futures import connect
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.models import CancelOrderResponse
from binance_coinm_futures.testing import LocalExchange, Order
from tests.wire.scripted import mode_args, raw_server, scripted

__all__ = ["raw_server", "scripted"]  # the scripted-server fixture, for every wire test module

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HMAC_KEY = "wire-hmac-api-key-000001"
HMAC_SECRET = "wire-hmac-secret"
RSA_KEY = "wire-rsa-api-key-000002"
ED25519_KEY = "wire-ed25519-api-key-03"

KEY_KINDS = ["hmac", "rsa", "ed25519"]
SYMBOL = "BTCUSD_PERP"


def credentials(kind: str) -> dict[str, Any]:
    """connect() keyword arguments for one key kind."""
    if kind == "hmac":
        return {"api_key": HMAC_KEY, "secret": HMAC_SECRET}
    if kind == "rsa":
        return {"api_key": RSA_KEY, "private_key": FIXTURES / "test-rsa-private.pem"}
    return {"api_key": ED25519_KEY, "private_key": FIXTURES / "test-ed25519-private.pem"}


def seen(exchange: LocalExchange) -> list[tuple[str, str]]:
    """(method, path) of every request the exchange received, in order."""
    return [(request.method, request.path) for request in exchange.requests]


def direct(mode: str, exchange: LocalExchange, endpoint: Any, **request: Any) -> Any:
    """One call of a generated endpoint against the exchange, in ``mode`` (scripted.MODES)."""
    client = connect(base_url=exchange.url, timeout=5.0, **credentials("hmac"), **mode_args(mode))
    if mode == "sync":
        with client:
            return endpoint.sync(client=client, **request)

    async def run() -> Any:
        async with client:
            return await endpoint.asyncio(client=client, **request)

    return anyio.run(run)


def seed(
    exchange: LocalExchange,
    order_id: int,
    client_order_id: str | None = None,
    symbol: str = "BTCUSD_PERP",
) -> None:
    """Add an open order (client order id ``cid-<order_id>`` unless given)."""
    client_order_id = f"cid-{order_id}" if client_order_id is None else client_order_id
    exchange.add_order(Order(order_id=order_id, client_order_id=client_order_id, symbol=symbol))


@pytest.fixture
def exchange() -> Iterator[LocalExchange]:
    with LocalExchange(
        api_keys={
            HMAC_KEY: HMAC_SECRET,
            RSA_KEY: (FIXTURES / "test-rsa-public.pem").read_bytes(),
            ED25519_KEY: (FIXTURES / "test-ed25519-public.pem").read_bytes(),
        }
    ) as running:
        yield running


def cancel_seeded(
    exchange: LocalExchange, mode: str, order_id: int, *, seed: bool = True, **options: Any
) -> CancelOrderResponse:
    """Seed order ``order_id`` (unless ``seed`` is False) and cancel it with an HMAC key on a
    fresh client, sync or async (one of ``scripted.MODES``); ``options`` go to connect()."""
    if seed:
        exchange.add_order(Order(order_id=order_id, client_order_id=f"o-{order_id}", symbol=SYMBOL))
    client = connect(base_url=exchange.url, **credentials("hmac"), **mode_args(mode), **options)
    if mode == "sync":
        with client:
            return cancel_order.sync(client=client, symbol=SYMBOL, order_id=order_id)

    async def run() -> CancelOrderResponse:
        async with client:
            return await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=order_id)

    return asyncio.run(run())

"""Each answer is parsed once: the success rule, the failure rule and the generated model all
read the one JSON value the runtime keeps on the response (``_outcome.answer_json``)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from binance_coinm_futures import (
    UnknownOrder,
    cancel_batch,
    cancel_batch_async,
    connect,
)
from binance_coinm_futures._runtime import _outcome
from binance_coinm_futures.testing import LocalExchange, Order
from tests.wire.conftest import cancel_seeded, credentials
from tests.wire.scripted import MODES, mode_args

SYMBOL = "BTCUSD_PERP"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every body the runtime parses; httpx's own Response.json() must never be reached."""
    seen: list[bytes] = []
    load_json = _outcome.load_json

    def counted(body: bytes) -> object:
        seen.append(body)
        return load_json(body)

    def refused(self: httpx.Response, **kwargs: Any) -> Any:
        raise AssertionError("the answer was parsed a second time by Response.json()")

    monkeypatch.setattr(_outcome, "load_json", counted)
    monkeypatch.setattr(httpx.Response, "json", refused)
    return seen


@pytest.mark.parametrize("mode", MODES)
def test_a_success_is_parsed_once(exchange: LocalExchange, mode: str, parses: list[bytes]) -> None:
    order = cancel_seeded(exchange, mode, 901)
    assert (order.order_id, order.status) == (901, "CANCELED")
    assert len(parses) == 1
    assert b'"orderId":901' in parses[0].replace(b" ", b"")


@pytest.mark.parametrize("mode", MODES)
def test_an_error_is_parsed_once(exchange: LocalExchange, mode: str, parses: list[bytes]) -> None:
    with pytest.raises(UnknownOrder) as raised:
        cancel_seeded(exchange, mode, 902, seed=False)
    assert raised.value.code == -2011
    assert len(parses) == 1


@pytest.fixture
def answer_parses(monkeypatch: pytest.MonkeyPatch) -> list[bytes | str]:
    """Every parse of an answer that names orders, by whichever module: json.loads itself is
    counted, so a module holding its own reference to the parsing function is counted too."""
    seen: list[bytes | str] = []
    loads = json.loads

    def counted(text: bytes | str, **kwargs: Any) -> Any:
        names_orders = "orderId" in text if isinstance(text, str) else b"orderId" in text
        if names_orders:
            seen.append(text)
        return loads(text, **kwargs)

    monkeypatch.setattr(json, "loads", counted)
    return seen


@pytest.mark.parametrize("mode", MODES)
def test_a_batch_answer_is_parsed_once(
    exchange: LocalExchange, mode: str, answer_parses: list[bytes | str]
) -> None:
    """The batch's per-item results read the same parse as the success rule and the models."""
    for order_id in (911, 912):
        exchange.add_order(Order(order_id, f"o-{order_id}", SYMBOL))
    results = _cancel_batch(exchange.url, mode, [911, 999, 912])
    assert [type(r).__name__ for r in results] == [
        "CancelOrderResponse",
        "UnknownOrder",
        "CancelOrderResponse",
    ]
    assert len(answer_parses) == 1


def _cancel_batch(url: str, mode: str, order_ids: list[int]) -> list[object]:
    client = connect(base_url=url, **credentials("hmac"), **mode_args(mode))
    if mode == "sync":
        with client:
            return list(cancel_batch(client=client, symbol=SYMBOL, order_ids=order_ids))

    async def run() -> list[object]:
        async with client:
            return list(await cancel_batch_async(client=client, symbol=SYMBOL, order_ids=order_ids))

    return asyncio.run(run())

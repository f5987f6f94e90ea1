"""Each answer is parsed once: the success rule, the failure rule and the generated model all
read the one JSON value the runtime keeps on the response (``_outcome.answer_json``)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from binance_coinm_futures import UnknownOrder, connect
from binance_coinm_futures._runtime import _outcome
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.testing import LocalExchange, Order
from tests.wire.conftest import credentials
from tests.wire.scripted import MODES, mode_args

SYMBOL = "BTCUSD_PERP"


def _cancel(exchange: LocalExchange, mode: str, order_id: int) -> Any:
    client = connect(base_url=exchange.url, **credentials("hmac"), **mode_args(mode))
    if mode == "sync":
        with client:
            return cancel_order.sync(client=client, symbol=SYMBOL, order_id=order_id)

    async def run() -> Any:
        async with client:
            return await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=order_id)

    return asyncio.run(run())


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
    exchange.add_order(Order(order_id=901, client_order_id="once-901", symbol=SYMBOL))
    order = _cancel(exchange, mode, 901)
    assert (order.order_id, order.status) == (901, "CANCELED")
    assert len(parses) == 1
    assert b'"orderId":901' in parses[0].replace(b" ", b"")


@pytest.mark.parametrize("mode", MODES)
def test_an_error_is_parsed_once(exchange: LocalExchange, mode: str, parses: list[bytes]) -> None:
    with pytest.raises(UnknownOrder) as raised:
        _cancel(exchange, mode, 902)
    assert raised.value.code == -2011
    assert len(parses) == 1

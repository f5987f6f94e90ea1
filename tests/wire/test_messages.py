"""Messages say what to do next: the unknown outcomes, -1022, -2014/-2015, -1121 (naming the
symbol), and an async client left open."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import pytest

from binance_coinm_futures import (
    ApiKeyRejected,
    ExecutionStatusUnknown,
    InvalidParameter,
    InvalidSignature,
    connect,
)
from binance_coinm_futures._runtime._errors import error_for_response
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.testing import Fault, LocalExchange
from tests.wire.conftest import HMAC_KEY, credentials, seed

SYMBOL = "BTCUSD_PERP"
QUERY_THE_ORDER = "query the order"


@pytest.mark.parametrize(
    "fault",
    [
        Fault.UNKNOWN_ERROR_503,
        Fault.MESSAGE_BUS_1006,
        Fault.TIMEOUT_1007,
        Fault.CONNECTION_RESET,
        Fault.MALFORMED_JSON,
        Fault.BAD_GATEWAY_HTML,
    ],
)
def test_every_unknown_outcome_ends_with_what_to_do(exchange: LocalExchange, fault: Fault) -> None:
    seed(exchange, 801)
    exchange.inject(fault)
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        with pytest.raises(ExecutionStatusUnknown) as raised:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=801)
    text = str(raised.value)
    assert QUERY_THE_ORDER in text.lower()
    # The advice closes the message, whatever came before it.
    assert (
        text.lower()
        .rstrip(". )")
        .endswith(("or let cancel_and_confirm find out", "query the order"))
    ), text


def test_the_advice_is_given_once() -> None:
    error = ExecutionStatusUnknown("could not confirm ...: Query the order before acting.")
    assert str(error).lower().count(QUERY_THE_ORDER) == 1
    mapped = error_for_response(502, {}, b'{"code": -1006, "msg": "An unexpected response"}')
    assert isinstance(mapped, ExecutionStatusUnknown)
    assert mapped.msg == "An unexpected response"  # Binance's words stay as they are
    assert str(mapped).endswith("or let cancel_and_confirm find out")


def test_invalid_symbol_names_the_symbol_and_the_fix(exchange: LocalExchange) -> None:
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        with pytest.raises(InvalidParameter) as raised:
            cancel_order.sync(client=client, symbol="BTCUSD_PERPX", order_id=1)
    assert (raised.value.code, raised.value.msg, raised.value.symbol) == (
        -1121,
        "Invalid symbol.",
        "BTCUSD_PERPX",
    )
    assert "the symbol sent was 'BTCUSD_PERPX'; check the symbol" in str(raised.value)


@pytest.mark.anyio
async def test_invalid_symbol_names_the_symbol_async(
    exchange: LocalExchange, backend_args: dict[str, Any]
) -> None:
    async with connect(base_url=exchange.url, **credentials("hmac"), **backend_args) as client:
        with pytest.raises(InvalidParameter) as raised:
            await cancel_order.asyncio(client=client, symbol="ETHUSD_PERPX", order_id=1)
    assert "the symbol sent was 'ETHUSD_PERPX'" in str(raised.value)


def test_a_wrong_secret_says_what_to_check(exchange: LocalExchange) -> None:
    with connect(api_key=HMAC_KEY, secret="not-the-secret", base_url=exchange.url) as client:
        with pytest.raises(InvalidSignature) as raised:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert raised.value.code == -1022
    assert "check that secret= / private_key= belongs to this API key" in str(raised.value)
    assert "not-the-secret" not in str(raised.value)


def test_an_unknown_api_key_says_what_to_check(exchange: LocalExchange) -> None:
    with connect(api_key="unknown-key", secret="s", base_url=exchange.url) as client:
        with pytest.raises(ApiKeyRejected) as raised:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert raised.value.code == -2015
    assert "the key has Futures trading enabled" in str(raised.value)
    assert "IP is on the key's whitelist" in str(raised.value)


def test_a_malformed_api_key_answer_says_what_to_check() -> None:
    error = error_for_response(401, {}, b'{"code": -2014, "msg": "API-key format invalid."}')
    assert isinstance(error, ApiKeyRejected)
    assert str(error).endswith("a stray space or newline")


def test_an_unclosed_async_client_says_how_to_close_it(
    exchange: LocalExchange, caplog: pytest.LogCaptureFixture
) -> None:
    seed(exchange, 802)

    async def forget_to_close() -> None:
        client = connect(base_url=exchange.url, **credentials("hmac"), async_backend="httpx")
        await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=802)

    with caplog.at_level(logging.WARNING, logger="binance_coinm_futures"):
        asyncio.run(forget_to_close())
        gc.collect()
    assert "was not closed: use `async with connect(...) as client:`" in caplog.text


def test_a_closed_async_client_is_quiet(
    exchange: LocalExchange, caplog: pytest.LogCaptureFixture
) -> None:
    seed(exchange, 803)

    async def close_it() -> None:
        async with connect(base_url=exchange.url, **credentials("hmac")) as client:
            await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=803)

    with caplog.at_level(logging.WARNING, logger="binance_coinm_futures"):
        asyncio.run(close_it())
        gc.collect()
    assert "was not closed" not in caplog.text

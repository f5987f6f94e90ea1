"""Cancels over a real socket to the local exchange, every key kind, sync and async."""

from __future__ import annotations

from typing import Any

import pytest

from binance_coinm_futures import (
    InvalidRequest,
    UnknownOrder,
    __version__,
    cancel_and_confirm,
    connect,
    rate_limit_usage,
)
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.testing import LocalExchange
from tests.wire.conftest import KEY_KINDS, credentials, seed

SYMBOL = "BTCUSD_PERP"


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_sync_cancel_by_each_id(exchange: LocalExchange, kind: str) -> None:
    seed(exchange, 101, "plain-101")
    seed(exchange, 102, "desk:7/quote-102")
    with connect(base_url=exchange.url, **credentials(kind)) as client:
        by_id = cancel_order.sync(client=client, symbol=SYMBOL, order_id=101)
        by_client_id = cancel_order.sync(
            client=client, symbol=SYMBOL, orig_client_order_id="desk:7/quote-102"
        )
    assert (by_id.order_id, by_id.status) == (101, "CANCELED")
    assert (by_client_id.order_id, by_client_id.client_order_id) == (102, "desk:7/quote-102")
    assert b"origClientOrderId=desk%3A7%2Fquote-102" in exchange.requests[-1].raw_target


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KEY_KINDS)
async def test_async_cancel_by_each_id(
    exchange: LocalExchange, kind: str, backend_args: dict[str, Any]
) -> None:
    seed(exchange, 201, "plain-201")
    seed(exchange, 202, "a/b:c.d_e-202")
    client = connect(base_url=exchange.url, **credentials(kind), **backend_args)
    async with client:
        by_id = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=201)
        by_client_id = await cancel_order.asyncio(
            client=client, symbol=SYMBOL, orig_client_order_id="a/b:c.d_e-202"
        )
    assert by_id.order_id == 201
    assert by_client_id.order_id == 202
    # The bytes signed are the bytes sent: the id arrives percent-encoded, as it was signed.
    assert b"origClientOrderId=a%2Fb%3Ac.d_e-202" in exchange.requests[-1].raw_target


def test_both_ids_are_refused_as_in_cancel_and_confirm(exchange: LocalExchange) -> None:
    # Binance would cancel 301 by orderId and ignore "cid-302": one id per call, everywhere.
    seed(exchange, 301, "cid-301")
    seed(exchange, 302, "cid-302")
    sent_before = len(exchange.requests)
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        for call in (cancel_order.sync, cancel_and_confirm):
            with pytest.raises(
                InvalidRequest, match="exactly one of order_id or orig_client"
            ) as raised:
                call(client=client, symbol=SYMBOL, order_id=301, orig_client_order_id="cid-302")
            assert raised.value.parameter == "order_id"
    assert len(exchange.requests) == sent_before
    assert {o.order_id for o in exchange.open_orders} >= {301, 302}


def test_second_cancel_raises_unknown_order(exchange: LocalExchange) -> None:
    seed(exchange, 401, "cid-401")
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        cancel_order.sync(client=client, symbol=SYMBOL, order_id=401)
        with pytest.raises(UnknownOrder) as raised:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=401)
    assert (raised.value.status, raised.value.code) == (400, -2011)
    assert raised.value.msg == "Unknown order sent."
    assert raised.value.usage is not None
    assert raised.value.usage.used_weight["1m"] >= 2


def test_detailed_call_exposes_usage(exchange: LocalExchange) -> None:
    seed(exchange, 501, "cid-501")
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        detailed = cancel_order.sync_detailed(client=client, symbol=SYMBOL, order_id=501)
    assert detailed.parsed is not None
    assert detailed.parsed.order_id == 501
    usage = rate_limit_usage(detailed.headers)
    assert usage is not None
    assert usage.used_weight["1m"] >= 1
    assert "1m" in usage.order_count


@pytest.mark.parametrize(
    "kwargs",
    [
        {"symbol": SYMBOL},
        {"symbol": "", "order_id": 1},
        {"symbol": SYMBOL, "order_id": 1, "recv_window": 0},
        {"symbol": SYMBOL, "order_id": 1, "recv_window": 60001},
        {"symbol": SYMBOL, "orig_client_order_id": "x" * 37},
        {"symbol": SYMBOL, "orig_client_order_id": "not allowed!"},
    ],
)
def test_bad_input_sends_nothing(exchange: LocalExchange, kwargs: dict[str, Any]) -> None:
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        with pytest.raises(InvalidRequest):
            cancel_order.sync(client=client, **kwargs)
    assert exchange.requests == []


def test_recv_window_bounds_checked_at_connect(exchange: LocalExchange) -> None:
    for bad in (0, 60001, -5):
        with pytest.raises(InvalidRequest, match="recv_window must be"):
            connect(base_url=exchange.url, recv_window=bad, **credentials("hmac"))


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_wrong_key_gets_invalid_signature(exchange: LocalExchange, kind: str) -> None:
    from binance_coinm_futures import InvalidSignature

    wrong = dict(credentials(kind))
    if kind == "hmac":
        wrong["secret"] = "not-the-secret"
    else:
        other = "ed25519" if kind == "rsa" else "rsa"
        wrong["private_key"] = credentials(other)["private_key"]
    seed(exchange, 601, "cid-601")
    with connect(base_url=exchange.url, **wrong) as client:
        with pytest.raises(InvalidSignature) as raised:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=601)
    assert raised.value.code == -1022


@pytest.mark.anyio
async def test_user_agent_names_this_package_and_httpx(
    exchange: LocalExchange, backend_args: dict[str, Any]
) -> None:
    import httpx

    expected = f"binance-coinm-futures/{__version__} python-httpx/{httpx.__version__}"
    seed(exchange, 601, "cid-601")
    seed(exchange, 602, "cid-602")
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        cancel_order.sync(client=client, symbol=SYMBOL, order_id=601)
        sync_agents = exchange.requests[-1].headers.raw
    async with connect(base_url=exchange.url, **credentials("hmac"), **backend_args) as client:
        await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=602)
        async_agents = exchange.requests[-1].headers.raw
    for sent in (sync_agents, async_agents):
        assert [value for name, value in sent if name.lower() == "user-agent"] == [expected]


@pytest.mark.parametrize(
    ("arguments", "error_type", "named"),
    [
        ({"symbol": 123, "order_id": 1}, TypeError, "symbol must be str, got int"),
        ({"symbol": b"BTCUSD_PERP", "order_id": 1}, TypeError, "symbol must be str, got bytes"),
        ({"symbol": ["BTCUSD_PERP"], "order_id": 1}, TypeError, "symbol must be str, got list"),
        ({"symbol": SYMBOL, "orig_client_order_id": 7}, TypeError, "orig_client_order_id must be"),
        ({"symbol": SYMBOL, "order_id": "abc"}, TypeError, "order_id must be int, got str"),
        ({"symbol": SYMBOL, "order_id": 1.5}, TypeError, "order_id must be int, got float"),
        ({"symbol": SYMBOL, "order_id": 1, "recv_window": "5s"}, TypeError, "recv_window"),
        # A number in a str would be sent as it is, though it is the wrong type, as 123 for a
        # symbol would: refused the same way.
        ({"symbol": SYMBOL, "order_id": "4612097861"}, TypeError, "order_id must be int, got str"),
        ({"symbol": SYMBOL, "order_id": True}, TypeError, "order_id must be int, got bool"),
        ({"symbol": SYMBOL, "order_id": 1, "recv_window": "5000"}, TypeError, "recv_window"),
    ],
)
def test_a_wrong_type_names_the_argument_and_sends_nothing(
    exchange: LocalExchange, arguments: dict[str, Any], error_type: type[Exception], named: str
) -> None:
    sent_before = len(exchange.requests)
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        with pytest.raises(error_type, match=named):
            cancel_order.sync(client=client, **arguments)
    assert len(exchange.requests) == sent_before

"""Every row of the README's error table, produced over a real socket, and no secret leaking.

Each case injects a fault into the local exchange (or makes the transport fail for real) and
checks the exception type, what it carries, and whether the order was cancelled — the fact a
trading desk acts on.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from binance_coinm_futures import (
    ApiKeyRejected,
    BinanceError,
    ExecutionStatusUnknown,
    FirewallRejected,
    InvalidParameter,
    IpBanned,
    NothingSent,
    RateLimited,
    ServiceUnavailable,
    UnknownOrder,
    connect,
)
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.testing import Fault, LocalExchange, Order
from tests.wire.conftest import FIXTURES, HMAC_KEY, HMAC_SECRET, credentials

SYMBOL = "BTCUSD_PERP"
ORDER_ID = 777


@dataclass(frozen=True)
class Case:
    fault: Fault
    error: type[BinanceError]
    status: int | None
    code: int | None
    cancelled: bool


CASES = [
    Case(Fault.RATE_LIMITED, RateLimited, 429, -1003, cancelled=False),
    Case(Fault.IP_BANNED, IpBanned, 418, -1003, cancelled=False),
    Case(Fault.FIREWALL, FirewallRejected, 403, None, cancelled=False),
    Case(Fault.SERVICE_UNAVAILABLE_503, ServiceUnavailable, 503, -1000, cancelled=False),
    # Binance: a 5XX is "execution status unknown" unless it is a documented failure.
    Case(Fault.BAD_GATEWAY_HTML, ExecutionStatusUnknown, 502, None, cancelled=False),
    Case(Fault.UNKNOWN_ERROR_503, ExecutionStatusUnknown, 503, -1000, cancelled=True),
    Case(Fault.MESSAGE_BUS_1006, ExecutionStatusUnknown, 503, -1006, cancelled=True),
    Case(Fault.TIMEOUT_1007, ExecutionStatusUnknown, 503, -1007, cancelled=True),
    Case(Fault.CONNECTION_RESET, ExecutionStatusUnknown, None, None, cancelled=False),
    Case(Fault.SLOW, ExecutionStatusUnknown, None, None, cancelled=True),
    Case(Fault.MALFORMED_JSON, ExecutionStatusUnknown, 200, None, cancelled=True),
]


def seeded(exchange: LocalExchange) -> LocalExchange:
    exchange.add_order(Order(order_id=ORDER_ID, client_order_id="err-777", symbol=SYMBOL))
    exchange.slow_seconds = 1.0
    return exchange


def cancel(exchange: LocalExchange, kind: str = "hmac", **overrides: object) -> None:
    args: dict[str, Any] = {
        **credentials(kind),
        "base_url": exchange.url,
        "timeout": 0.5,
        **overrides,
    }
    with connect(**args) as client:
        cancel_order.sync(client=client, symbol=SYMBOL, order_id=ORDER_ID)


def cancel_async(exchange: LocalExchange, kind: str = "hmac", **overrides: object) -> None:
    """`cancel` through the async client, in a loop of its own (the backend's session too)."""

    async def run() -> None:
        args: dict[str, Any] = {
            **credentials(kind),
            "base_url": exchange.url,
            "timeout": 0.5,
            **overrides,
        }
        async with connect(**args) as client:
            await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=ORDER_ID)

    asyncio.run(run())


def still_open(exchange: LocalExchange) -> bool:
    return any(order.order_id == ORDER_ID for order in exchange.open_orders)


def check_fault(exchange: LocalExchange, case: Case, send: Callable[[LocalExchange], None]) -> None:
    seeded(exchange).inject(case.fault)
    with pytest.raises(case.error) as raised:
        send(exchange)
    error = raised.value
    assert (error.status, error.code) == (case.status, case.code)
    assert error.msg
    assert still_open(exchange) is not case.cancelled
    assert len(exchange.requests) == 1, "a cancel is never resent after an unknown outcome"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.fault.name)
def test_fault_becomes_typed_error(exchange: LocalExchange, case: Case) -> None:
    check_fault(exchange, case, cancel)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.fault.name)
def test_async_fault_becomes_typed_error(
    exchange: LocalExchange, case: Case, backend_args: dict[str, Any]
) -> None:
    check_fault(exchange, case, lambda running: cancel_async(running, **backend_args))


def test_rate_limit_details(exchange: LocalExchange) -> None:
    seeded(exchange).inject(Fault.RATE_LIMITED)
    with pytest.raises(RateLimited) as limited:
        cancel(exchange)
    assert limited.value.retry_after == 7
    assert limited.value.usage is not None
    exchange.inject(Fault.IP_BANNED)
    with pytest.raises(IpBanned) as banned:
        cancel(exchange)
    assert banned.value.retry_after == 120
    assert banned.value.banned_until is not None
    assert str(banned.value.banned_until) in banned.value.msg


def test_html_error_page_becomes_short_excerpt(exchange: LocalExchange) -> None:
    seeded(exchange).inject(Fault.BAD_GATEWAY_HTML)
    with pytest.raises(ExecutionStatusUnknown) as raised:
        cancel(exchange)
    assert raised.value.code is None
    assert len(raised.value.msg) <= 201
    assert "<" in raised.value.msg


def test_unknown_enum_values_still_parse(exchange: LocalExchange) -> None:
    seeded(exchange).inject(Fault.UNKNOWN_ENUM)
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        order = cancel_order.sync(client=client, symbol=SYMBOL, order_id=ORDER_ID)
    assert order.order_id == ORDER_ID
    assert order.status not in ("CANCELED", "NEW", "FILLED")


def test_unknown_api_key_and_bad_parameter(exchange: LocalExchange) -> None:
    seeded(exchange)
    with pytest.raises(ApiKeyRejected) as raised:
        cancel(exchange, api_key="nobody-knows-this-key")
    assert (raised.value.status, raised.value.code) == (401, -2015)
    with pytest.raises(UnknownOrder):
        with connect(base_url=exchange.url, **credentials("hmac")) as client:
            cancel_order.sync(client=client, symbol="ETHUSD_PERP", order_id=ORDER_ID)


def test_exchange_side_parameter_error_is_typed(exchange: LocalExchange) -> None:
    # recvWindow is validated client-side; sent raw past the client it is -1131 on the exchange.
    import httpx

    from binance_coinm_futures import BinanceAuth, HmacSigner

    auth = BinanceAuth(HMAC_KEY, HmacSigner(HMAC_SECRET))
    transport_client = httpx.Client(base_url=exchange.url, auth=auth)
    with transport_client, pytest.raises(InvalidParameter) as raised:
        transport_client.delete(
            "/dapi/v1/order", params={"symbol": SYMBOL, "orderId": 1, "recvWindow": 70000}
        )
    assert raised.value.code == -1131


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_connection_refused_is_nothing_sent() -> None:
    with connect(base_url=f"http://127.0.0.1:{free_port()}", **credentials("hmac")) as client:
        with pytest.raises(NothingSent) as raised:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert raised.value.status is None
    assert "/dapi/v1/order" in raised.value.msg


@pytest.mark.anyio
async def test_async_faults_map_the_same_way(
    exchange: LocalExchange, backend_args: dict[str, Any]
) -> None:
    seeded(exchange).inject(Fault.CONNECTION_RESET)
    client = connect(base_url=exchange.url, timeout=0.5, **credentials("hmac"), **backend_args)
    async with client:
        with pytest.raises(ExecutionStatusUnknown):
            await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=ORDER_ID)
        exchange.inject(Fault.SLOW)
        with pytest.raises(ExecutionStatusUnknown):
            await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=ORDER_ID)
    refused = connect(
        base_url=f"http://127.0.0.1:{free_port()}", **credentials("hmac"), **backend_args
    )
    async with refused:
        with pytest.raises(NothingSent):
            await cancel_order.asyncio(client=refused, symbol=SYMBOL, order_id=1)


def holds_httpx_objects(error: BaseException) -> bool:
    """Whether the exception, or any in its chain, keeps an httpx request, response or error:
    those hold the signed URL and the API key header."""
    chain: BaseException | None = error
    while chain is not None:
        if isinstance(chain, httpx.HTTPError):
            return True
        if any(isinstance(v, httpx.Request | httpx.Response) for v in vars(chain).values()):
            return True
        chain = chain.__cause__ or chain.__context__
    return False


def secrets_of(exchange: LocalExchange) -> list[str]:
    """Every string that must never be seen: secret, private key lines, signatures sent."""
    found = [HMAC_SECRET, HMAC_KEY]
    for name in ("test-rsa-private.pem", "test-ed25519-private.pem"):
        found += [
            line for line in (FIXTURES / name).read_text().splitlines() if "-----" not in line
        ]
    for request in exchange.requests:
        signature = request.raw_target.rpartition(b"&signature=")[2]
        if signature:
            found.append(signature.decode())
    return found


def check_nothing_leaks(
    exchange: LocalExchange,
    caplog: pytest.LogCaptureFixture,
    send: Callable[..., None],
) -> None:
    """Drive every fault with every key kind through `send` (a `cancel` or `cancel_async`)."""
    seen: list[str] = []
    caplog.set_level(logging.DEBUG)
    for kind in ("hmac", "rsa", "ed25519"):
        for case in CASES:
            seeded(exchange).inject(case.fault)
            seen.append(repr(connect(base_url=exchange.url, **credentials(kind))))
            with pytest.raises(BinanceError) as raised:
                send(exchange, kind=kind)
            error = raised.value
            assert not holds_httpx_objects(error), repr(error)
            seen.extend([str(error), repr(error), *traceback.format_exception(error)])
    with pytest.raises(NothingSent) as refused:
        send(exchange, base_url=f"http://127.0.0.1:{free_port()}")
    assert not holds_httpx_objects(refused.value)
    seen.extend(traceback.format_exception(refused.value))
    seen.extend(record.getMessage() for record in caplog.records)
    seen.extend(repr(record.__dict__) for record in caplog.records)
    text = "\n".join(seen)
    assert any("signature" in r.getMessage() for r in caplog.records), "httpx logged no URLs"
    assert "/dapi/v1/order" in text
    leaked = [secret for secret in secrets_of(exchange) if secret in text]
    assert leaked == []


def test_no_secret_in_any_log_message_repr_or_traceback(
    exchange: LocalExchange, caplog: pytest.LogCaptureFixture
) -> None:
    check_nothing_leaks(exchange, caplog, cancel)


def test_no_secret_leaks_from_the_async_backends(
    exchange: LocalExchange, caplog: pytest.LogCaptureFixture, backend_args: dict[str, Any]
) -> None:
    check_nothing_leaks(
        exchange, caplog, lambda running, **args: cancel_async(running, **backend_args, **args)
    )

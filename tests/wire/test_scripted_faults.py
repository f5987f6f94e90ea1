"""Faults the local exchange cannot stage, from a scripted server on loopback.

Each connection reads one request and answers with the next scripted reply: raw bytes, so a
reply can stop mid-body or hang after its headers, or a function that writes to the socket
itself (to trickle an answer, or to echo the request back). Other suites reuse
``scripted_server``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from binance_coinm_futures import (
    BinanceError,
    ExecutionStatusUnknown,
    RateLimited,
    TimestampRejected,
    connect,
)
from binance_coinm_futures.api.trade import cancel_order
from tests.wire.scripted import (
    API_KEY,
    HANG,
    SECRET,
    SYMBOL,
    TIMESTAMP_REJECTED,
    ScriptedServer,
    error,
    reply,
)


def cancel(server: ScriptedServer, backend_args: dict[str, Any] | None = None) -> None:
    """One cancel, sync, or async on the backend `backend_args` selects."""
    # The server closes each connection after its reply, so every request opens a new one.
    arguments: dict[str, Any] = {
        "api_key": API_KEY,
        "secret": SECRET,
        "base_url": server.url,
        "timeout": 0.5,
    }
    if backend_args is None:
        with connect(**arguments) as client:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
        return

    async def run() -> None:
        async with connect(**arguments, **backend_args) as client:
            await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)

    asyncio.run(run())


# Each scenario runs sync, and async on each backend (`backend_args`).
UNREADABLE = pytest.mark.parametrize(
    "scripted",
    [
        [HANG],
        [b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"orderId": 1'],
        [reply(200, b"")],
        [reply(200, b"{}")],
        [reply(200, b'{"orderId": 1} trailing')],
        [reply(204, b"")],
    ],
    indirect=True,
    ids=["stall-mid-body", "closed-mid-body", "empty", "empty-object", "not-json", "204"],
)
TIME_RATE_LIMITED = pytest.mark.parametrize(
    "scripted",
    [[TIMESTAMP_REJECTED, error(429, -1003, "Too many requests.")]],
    indirect=True,
)
TIME_UNREADABLE = pytest.mark.parametrize(
    "scripted",
    [[TIMESTAMP_REJECTED, reply(200, b"not json")], [TIMESTAMP_REJECTED, HANG]],
    indirect=True,
    ids=["unreadable-time", "time-fetch-times-out"],
)


def check_unreadable_is_unknown(
    scripted: ScriptedServer, backend_args: dict[str, Any] | None
) -> None:
    with pytest.raises(ExecutionStatusUnknown) as raised:
        cancel(scripted, backend_args)
    error = raised.value
    assert error.__context__ is None
    assert error.__cause__ is None
    assert not any(isinstance(v, httpx.Request | httpx.Response) for v in vars(error).values())
    assert SECRET not in str(error)
    assert API_KEY not in str(error)


def check_time_rate_limited(scripted: ScriptedServer, backend_args: dict[str, Any] | None) -> None:
    with pytest.raises(RateLimited):
        cancel(scripted, backend_args)
    assert scripted.paths == ["/dapi/v1/order", "/dapi/v1/time"]


def check_time_unreadable(scripted: ScriptedServer, backend_args: dict[str, Any] | None) -> None:
    with pytest.raises(TimestampRejected) as raised:
        cancel(scripted, backend_args)
    assert isinstance(raised.value, BinanceError)
    assert scripted.paths == ["/dapi/v1/order", "/dapi/v1/time"]


@UNREADABLE
def test_unreadable_answer_after_sending_is_unknown(scripted: ScriptedServer) -> None:
    check_unreadable_is_unknown(scripted, None)


@UNREADABLE
def test_async_unreadable_answer_after_sending_is_unknown(
    scripted: ScriptedServer, backend_args: dict[str, Any]
) -> None:
    check_unreadable_is_unknown(scripted, backend_args)


@TIME_RATE_LIMITED
def test_rate_limited_time_fetch_is_raised_not_resent(scripted: ScriptedServer) -> None:
    check_time_rate_limited(scripted, None)


@TIME_RATE_LIMITED
def test_async_rate_limited_time_fetch_is_raised_not_resent(
    scripted: ScriptedServer, backend_args: dict[str, Any]
) -> None:
    check_time_rate_limited(scripted, backend_args)


@TIME_UNREADABLE
def test_unreadable_server_time_is_not_a_blind_resend(scripted: ScriptedServer) -> None:
    check_time_unreadable(scripted, None)


@TIME_UNREADABLE
def test_async_unreadable_server_time_is_not_a_blind_resend(
    scripted: ScriptedServer, backend_args: dict[str, Any]
) -> None:
    check_time_unreadable(scripted, backend_args)

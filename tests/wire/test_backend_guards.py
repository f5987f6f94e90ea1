"""Each backend's guards on its library's internals reach what they rely on, on a real
connection, and fail loudly (``InternalsMoved`` naming the attribute, or a refusal to run)
when a release moves it: a guard never quietly stops guarding."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp.client_proto import ResponseHandler

from binance_coinm_futures._runtime import _aiohttp_backend
from binance_coinm_futures._runtime._call import InternalsMoved
from binance_coinm_futures._runtime._httpx_backend import (
    AsyncHttpxBackend,
    SyncHttpxBackend,
    overfull_connection,
)
from tests.wire.scripted import raw_server_running, reply

ANSWER = reply(200, b'{"serverTime": 1}', close=False)
STRAY = reply(400, b'{"code":-2011,"msg":"Unknown order sent."}', close=False)
OPTIONS: Any = {"verify": False, "limits": httpx.Limits(), "proxy": None}


def answering(extra: bytes) -> Any:
    def script(number: int, head: bytes, connection: socket.socket) -> bool:
        connection.sendall(ANSWER + extra)
        return True

    return script


@pytest.mark.parametrize(("extra", "overfull"), [(b"", False), (STRAY, True)])
def test_sync_overfull_guard_reaches_h11s_buffer(extra: bytes, overfull: bool) -> None:
    with raw_server_running(answering(extra)) as server, httpx.HTTPTransport() as transport:
        response = transport.handle_request(httpx.Request("GET", server.url + "/dapi/v1/time"))
        assert response.read() == b'{"serverTime": 1}'
        connection = overfull_connection(response.stream)
        response.close()
    assert (connection is not None) is overfull
    if overfull:
        assert type(connection).__name__ == "HTTP11Connection"


@pytest.mark.parametrize(("extra", "overfull"), [(b"", False), (STRAY, True)])
def test_async_overfull_guard_reaches_h11s_buffer(extra: bytes, overfull: bool) -> None:
    async def run(url: str) -> Any:
        async with httpx.AsyncHTTPTransport() as transport:
            request = httpx.Request("GET", url + "/dapi/v1/time")
            response = await transport.handle_async_request(request)
            assert await response.aread() == b'{"serverTime": 1}'
            connection = overfull_connection(response.stream)
            await response.aclose()
            return connection

    with raw_server_running(answering(extra)) as server:
        connection = asyncio.run(run(server.url))
    assert (connection is not None) is overfull
    if overfull:
        assert type(connection).__name__ == "AsyncHTTP11Connection"


def test_overfull_guard_fails_loudly_when_httpx_moves_its_stream() -> None:
    with pytest.raises(InternalsMoved, match="'_httpcore_stream'"):
        overfull_connection(httpx.ByteStream(b"{}"))


def test_the_sync_backend_bounds_every_socket_of_its_pool() -> None:
    backend = SyncHttpxBackend(**OPTIONS)
    network = backend._transport._pool._network_backend
    assert type(network).__name__ == "_DeadlineBackend"
    backend.close()


def test_the_sync_backend_refuses_to_run_when_the_pool_moves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Moved(httpx.HTTPTransport):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.__dict__["_relocated"] = self.__dict__.pop("_pool")

    monkeypatch.setattr(httpx, "HTTPTransport", Moved)
    with pytest.raises(InternalsMoved, match="'_pool'"):
        SyncHttpxBackend(**OPTIONS)


@pytest.mark.parametrize("extra", [b"", STRAY])
def test_the_httpx_backends_drop_an_overfull_connection(extra: bytes) -> None:
    """The guard, wired into each backend's answer, leaves the pool without the overfilled
    connection (and keeps a clean one)."""
    with raw_server_running(answering(extra)) as server:
        sync = SyncHttpxBackend(**OPTIONS)
        for _ in range(2):
            response = sync.handle_request(httpx.Request("GET", server.url + "/t"))
            response.read()
            response.close()
        sync.close()

        async def twice() -> None:
            backend = AsyncHttpxBackend(**OPTIONS)
            for _ in range(2):
                url = server.url + "/t"
                response = await backend.handle_async_request(httpx.Request("GET", url))
                await response.aread()
                await response.aclose()
            await backend.aclose()

        asyncio.run(twice())
    # Two calls per backend: one connection each when clean, a new one per call when not.
    assert server.connections == (4 if extra else 2)


def test_aiohttp_resend_switch_is_reached_and_turned_off() -> None:
    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            _aiohttp_backend._never_resend(session)
            assert session._retry_connection is False

    asyncio.run(run())


def test_aiohttp_backend_refuses_to_run_when_the_resend_switch_moves() -> None:
    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            del session._retry_connection
            _aiohttp_backend._never_resend(session)

    with pytest.raises(InternalsMoved, match="resend switch"):
        asyncio.run(run())


def test_aiohttp_still_says_when_a_pooled_connection_must_close() -> None:
    # _CleanConnector reads ResponseHandler.should_close to keep stray bytes out of the pool.
    assert isinstance(ResponseHandler.__dict__.get("should_close"), property)

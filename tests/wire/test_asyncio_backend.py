"""The asyncio backend alone, on the bytes a raw loopback server sends and receives: what the
suites parametrised over every backend cannot show (its framing, its pool's limits and expiry,
when it may replace a pooled connection, its flow control). Driven without the boundary."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

import httpx
import pytest

from binance_coinm_futures import NothingSent, connect
from binance_coinm_futures._runtime._asyncio_backend import _HIGH_WATER, AsyncioBackend, _Pool
from binance_coinm_futures._runtime._call import DEADLINE
from binance_coinm_futures._runtime._transport import BinanceTransport
from binance_coinm_futures.api.trade import cancel_order
from tests.wire.scripted import (
    API_KEY,
    SECRET,
    SYMBOL,
    RawServer,
    raw_server_running,
    reply,
    scripted_server,
)
from tests.wire.test_fault_matrix import ORDER

TIMEOUTS: Final = {"connect": 1.0, "read": 1.0, "write": 1.0, "pool": 1.0}
BODY: Final = b'{"orderId": 1, "status": "CANCELED"}'
KEEP: Final = reply(200, BODY, close=False)


def request(url: str, method: str = "DELETE", **extra: Any) -> httpx.Request:
    timeouts = {**TIMEOUTS, **extra.pop("timeouts", {})}
    return httpx.Request(
        method, url + "/dapi/v1/order?orderId=1", extensions={"timeout": timeouts}, **extra
    )


async def exchange(backend: AsyncioBackend, sent: httpx.Request) -> tuple[httpx.Response, bytes]:
    response = await backend.handle_async_request(sent)
    try:
        return response, b"".join([chunk async for chunk in response.aiter_raw()])
    finally:
        await response.aclose()


def run(
    script: Callable[[int, bytes, socket.socket], bool],
    body: Callable[[RawServer, AsyncioBackend], Awaitable[Any]],
    **backend: Any,
) -> tuple[RawServer, Any]:
    async def main(server: RawServer) -> Any:
        transport = AsyncioBackend(verify=False, **backend)
        try:
            return await body(server, transport)
        finally:
            await transport.aclose()

    with raw_server_running(script) as server:
        result = asyncio.run(main(server))
    return server, result


def answering(*answers: bytes, keep: bool = True) -> Callable[[int, bytes, socket.socket], bool]:
    def script(number: int, head: bytes, connection: socket.socket) -> bool:
        connection.sendall(answers[min(number, len(answers)) - 1])
        return keep

    return script


# -- framing --------------------------------------------------------------------------------

CHUNKED: Final = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b'7\r\n{"order\r\n1d\r\nId": 1, "status": "CANCELED"}\r\n0\r\n\r\n'
)
UNTIL_CLOSE: Final = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + BODY
INTERIM: Final = b"HTTP/1.1 100 Continue\r\n\r\n" + KEEP


@pytest.mark.parametrize(
    ("answer", "reused"),
    [(KEEP, True), (CHUNKED, True), (UNTIL_CLOSE, False), (INTERIM, True)],
    ids=["content-length", "chunked", "until-close", "interim-100"],
)
def test_each_framing_gives_the_whole_body(answer: bytes, reused: bool) -> None:
    async def twice(server: RawServer, backend: AsyncioBackend) -> list[tuple[int, bytes]]:
        results = []
        for _ in range(2):
            response, body = await exchange(backend, request(server.url))
            results.append((response.status_code, body))
        return results

    server, results = run(answering(answer, keep=reused), twice)
    assert results == [(200, BODY)] * 2
    assert server.connections == (1 if reused else 2)


def test_a_head_request_ends_with_the_answers_head() -> None:
    """The answer to a HEAD states the length of a body it does not send."""

    async def twice(server: RawServer, backend: AsyncioBackend) -> list[tuple[int, bytes]]:
        results = []
        for _ in range(2):
            response, body = await exchange(backend, request(server.url, "HEAD"))
            results.append((response.status_code, body))
        return results

    head_only = KEEP.removesuffix(BODY)
    server, results = run(answering(head_only), twice)
    assert results == [(200, b"")] * 2
    assert (server.connections, len(server.requests)) == (2, 2)


def test_sends_the_target_headers_and_body_as_given() -> None:
    received: list[bytes] = []

    def record(connection: socket.socket, whole: bytes) -> None:
        received.append(whole)  # head and body: the backend writes them at once
        connection.sendall(KEEP)

    async def once(url: str) -> tuple[httpx.Request, bytes]:
        sent = httpx.Request(
            "POST",
            url + "/dapi/v1/order?symbol=A%3A7%2Fq&signature=0a",
            headers={"X-MBX-APIKEY": "key", "User-Agent": "ours/1"},
            content=b"symbol=BTCUSD_PERP",
            extensions={"timeout": TIMEOUTS},
        )
        backend = AsyncioBackend(verify=False)
        try:
            return sent, (await exchange(backend, sent))[1]
        finally:
            await backend.aclose()

    with scripted_server([record]) as server:
        sent, body = asyncio.run(once(server.url))
    head, _, content = received[0].partition(b"\r\n\r\n")
    line, *headers = head.split(b"\r\n")
    assert line == b"POST /dapi/v1/order?symbol=A%3A7%2Fq&signature=0a HTTP/1.1"
    assert sorted(headers) == sorted(b"%s: %s" % pair for pair in sent.headers.raw)
    assert (content, body) == (b"symbol=BTCUSD_PERP", BODY)


@pytest.mark.parametrize("value", ["key\r\nX-Injected: 1", "key\n", "nul\x00"])
def test_a_header_that_cannot_be_written_is_refused_before_sending(value: str) -> None:
    async def once(server: RawServer, backend: AsyncioBackend) -> None:
        sent = request(server.url)
        sent.headers["X-MBX-APIKEY"] = value
        with pytest.raises(httpx.LocalProtocolError) as refused:
            await backend.handle_async_request(sent)
        assert "key" not in str(refused.value)
        assert "nul" not in str(refused.value)

    server, _ = run(answering(KEEP), once)
    assert (server.connections, server.requests) == (0, [])


def test_an_answer_that_is_not_http_is_a_protocol_error_after_sending() -> None:
    async def once(server: RawServer, backend: AsyncioBackend) -> None:
        with pytest.raises(httpx.RemoteProtocolError):
            await exchange(backend, request(server.url))

    server, _ = run(answering(b"SSH-2.0-OpenSSH_9.6\r\n", keep=False), once)
    assert len(server.requests) == 1


def test_silence_is_a_read_timeout() -> None:
    def silent(number: int, head: bytes, connection: socket.socket) -> bool:
        connection.recv(1)
        return False

    async def once(server: RawServer, backend: AsyncioBackend) -> float:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            await exchange(backend, request(server.url, timeouts={"read": 0.2}))
        return time.monotonic() - started

    _, waited = run(silent, once)
    assert 0.15 < waited < 2.0


# -- the pool -------------------------------------------------------------------------------


def slow(number: int, head: bytes, connection: socket.socket) -> bool:
    time.sleep(0.1)
    connection.sendall(KEEP)
    return True


def test_at_most_max_connections_are_open_and_max_keepalive_stay() -> None:
    async def many(server: RawServer, backend: AsyncioBackend) -> int:
        calls = [exchange(backend, request(server.url)) for _ in range(6)]
        answers = await asyncio.gather(*calls)
        assert [body for _, body in answers] == [BODY] * 6
        assert backend._pool is not None
        return backend._pool._idle_count

    limits = httpx.Limits(max_connections=2, max_keepalive_connections=1)
    server, idle = run(slow, many, limits=limits)
    assert (server.connections, len(server.requests), idle) == (2, 6, 1)


def test_waiting_for_a_connection_ends_with_a_pool_timeout() -> None:
    def hold(number: int, head: bytes, connection: socket.socket) -> bool:
        time.sleep(0.5)
        connection.sendall(KEEP)
        return True

    async def crowded(server: RawServer, backend: AsyncioBackend) -> None:
        first = asyncio.ensure_future(exchange(backend, request(server.url)))
        await asyncio.sleep(0.05)
        with pytest.raises(httpx.PoolTimeout):
            await exchange(backend, request(server.url, timeouts={"pool": 0.1}))
        assert (await first)[1] == BODY

    server, _ = run(hold, crowded, limits=httpx.Limits(max_connections=1))
    assert len(server.requests) == 1


def test_a_deadline_that_ends_the_wait_for_a_connection_is_nothing_sent() -> None:
    """The backend ends its pool wait by the call's deadline (it keeps the deadline, so the
    boundary sets no timer of its own): a call whose deadline passes while the pool's one
    connection is busy wrote nothing, and the caller is told so (NothingSent), not that the
    outcome is unknown."""

    def hold(number: int, head: bytes, connection: socket.socket) -> bool:
        time.sleep(0.8)
        connection.sendall(KEEP)
        return True

    async def crowded(server: RawServer, backend: AsyncioBackend) -> None:
        boundary = BinanceTransport(async_backend=lambda: backend)
        url = server.url + "/dapi/v1/order?orderId="
        async with httpx.AsyncClient(transport=boundary, timeout=0.2) as client:
            first = asyncio.ensure_future(client.delete(url + "1", timeout=3.0))
            await asyncio.sleep(0.05)
            started = time.monotonic()
            with pytest.raises(NothingSent, match="PoolTimeout"):
                await client.delete(url + "2")
            assert time.monotonic() - started < 0.6
            assert (await first).status_code == 200

    server, _ = run(hold, crowded, limits=httpx.Limits(max_connections=1))
    assert len(server.requests) == 1


def test_a_waiter_resumed_after_the_deadline_takes_no_connection() -> None:
    """A pool waiter woken in time but resumed only after its call's deadline (the loop was
    busy) writes nothing: PoolTimeout (nothing sent), and the room goes to the next waiter."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        pool = _Pool(httpx.Limits(max_connections=1))
        key = (b"http", "127.0.0.1", 9)
        assert await pool.acquire(key, loop, 5.0, None) is None  # the one room, taken
        late = asyncio.ensure_future(pool.acquire(key, loop, 5.0, loop.time() + 0.1))
        patient = asyncio.ensure_future(pool.acquire(key, loop, 5.0, None))
        await asyncio.sleep(0.02)
        pool.opening_failed()  # the room is free again: the first waiter is woken,
        time.sleep(0.15)  # but the loop stays busy past that waiter's deadline
        with pytest.raises(httpx.PoolTimeout, match="deadline"):
            await late
        assert await asyncio.wait_for(patient, 1.0) is None  # the room, handed on

    asyncio.run(main())


def test_a_connect_ended_by_the_deadline_is_not_tried_again() -> None:
    """A connect the call's deadline ended is not retried: a second attempt could only start
    after the deadline (and a name lookup it starts cannot be stopped)."""
    attempts: list[float] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()

        async def hang(*args: Any, **kwargs: Any) -> Any:
            attempts.append(loop.time())
            await asyncio.sleep(10)

        loop.create_connection = hang  # type: ignore[method-assign]
        backend = AsyncioBackend()
        try:
            sent = request("http://127.0.0.1:9", timeouts={"connect": 5.0})
            sent.extensions[DEADLINE] = time.monotonic() + 0.2
            with pytest.raises(httpx.ConnectTimeout, match="by the call's deadline"):
                await backend.handle_async_request(sent)
        finally:
            await backend.aclose()

    asyncio.run(main())
    assert len(attempts) == 1


class _LoopOnItsOwnClock(asyncio.SelectorEventLoop):
    def time(self) -> float:
        return super().time() + 1000.0


@pytest.mark.parametrize("answer", [KEEP, None], ids=["answered", "silent"])
def test_the_deadline_holds_on_a_loop_with_its_own_clock(answer: bytes | None) -> None:
    """DEADLINE is on time.monotonic()'s clock; a loop may keep another (here 1,000 s ahead):
    an answer within the deadline is taken, and a silent server is cut off by it."""

    def script(number: int, head: bytes, connection: socket.socket) -> bool:
        if answer is None:
            time.sleep(2.0)
            return False
        connection.sendall(answer)
        return True

    async def main(url: str) -> float:
        backend = AsyncioBackend()
        try:
            sent = request(url, timeouts={"read": 5.0})
            sent.extensions[DEADLINE] = time.monotonic() + 0.4
            started = time.monotonic()
            if answer is None:
                with pytest.raises(TimeoutError):
                    await exchange(backend, sent)
            else:
                assert (await exchange(backend, sent))[1] == BODY
            return time.monotonic() - started
        finally:
            await backend.aclose()

    with raw_server_running(script) as server:
        with asyncio.Runner(loop_factory=_LoopOnItsOwnClock) as runner:
            took = runner.run(main(server.url))
    if answer is None:
        assert took < 1.5  # by the 0.4 s deadline, not the 5 s read timeout


@pytest.mark.parametrize(("pause", "connections"), [(0.0, 1), (0.3, 2)])
def test_an_idle_connection_expires(pause: float, connections: int) -> None:
    async def twice(server: RawServer, backend: AsyncioBackend) -> None:
        for _ in range(2):
            assert (await exchange(backend, request(server.url)))[1] == BODY
            await asyncio.sleep(pause)

    server, _ = run(answering(KEEP), twice, limits=httpx.Limits(keepalive_expiry=0.1))
    assert (server.connections, len(server.requests)) == (connections, 2)


def test_a_connection_closed_while_idle_is_replaced_before_anything_is_written() -> None:
    """The peer closes a kept-alive connection after its answer (as a server's idle timer
    does): the next request goes out once, on a new connection."""

    def answer_then_close(number: int, head: bytes, connection: socket.socket) -> bool:
        connection.sendall(KEEP)
        return False  # closed (FIN) right after the answer, no Connection: close

    async def twice(server: RawServer, backend: AsyncioBackend) -> None:
        for _ in range(2):
            assert (await exchange(backend, request(server.url)))[1] == BODY
            await asyncio.sleep(0.1)

    server, _ = run(answer_then_close, twice)
    assert (server.connections, len(server.requests)) == (2, 2)


def test_a_close_not_yet_seen_by_the_loop_is_seen_before_writing() -> None:
    """The FIN has arrived but the event loop has not run since: the pooled connection is
    checked on the socket itself and replaced, still before any byte of the request."""

    def answer_then_close(number: int, head: bytes, connection: socket.socket) -> bool:
        connection.sendall(KEEP)
        return False

    async def twice(server: RawServer, backend: AsyncioBackend) -> None:
        assert (await exchange(backend, request(server.url)))[1] == BODY
        time.sleep(0.1)  # blocks the loop: connection_lost has not run yet
        assert (await exchange(backend, request(server.url)))[1] == BODY

    server, _ = run(answer_then_close, twice)
    assert (server.connections, len(server.requests)) == (2, 2)


def test_reading_pauses_while_the_answer_waits_unread() -> None:
    big = reply(200, b" " * (8 << 20), close=False)

    async def unread(server: RawServer, backend: AsyncioBackend) -> int:
        response = await backend.handle_async_request(request(server.url))
        await asyncio.sleep(0.3)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        connection = response.stream._connection  # type: ignore[attr-defined]
        held: int = connection.buffered
        await response.aclose()
        return held

    _, held = run(answering(big, keep=False), unread)
    # One socket read (asyncio reads up to 256 KiB) may land after the pause.
    assert 0 < held <= _HIGH_WATER + 256 * 1024


def test_outside_asyncio_it_refuses_before_sending() -> None:
    """Driven by another event loop (here: by hand, as trio would), nothing is looked up or
    sent, and the refusal names the backend that serves other loops."""
    backend = AsyncioBackend(verify=False)
    step = backend.handle_async_request(request("http://127.0.0.1:1"))
    with pytest.raises(httpx.UnsupportedProtocol, match='async_backend="httpx"'):
        step.send(None)
    assert backend._pool is None


def test_connect_moves_async_bytes_on_it_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(variable, raising=False)

    async def once(url: str) -> str:
        async with connect(api_key=API_KEY, secret=SECRET, base_url=url, timeout=2) as client:
            order = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)
            assert order.order_id == 1
            boundary = client.get_async_httpx_client()._transport
            assert isinstance(boundary, BinanceTransport)
            return type(boundary._async).__name__

    with scripted_server([reply(200, ORDER)]) as server:
        assert asyncio.run(once(server.url)) == "AsyncioBackend"

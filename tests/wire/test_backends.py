"""What every async backend must do, checked on the bytes a raw loopback server receives.

The fault boundary decides "nothing sent" versus "status unknown" from the backend's exception
type, so these tests stage each moment of failure for real: no listener, a reset after the
request was read (on a fresh and on a reused connection), an answer that never comes. They
also pin what the aiohttp backend sends and returns: the signed target and the request's
headers byte for byte, a compressed body left compressed, the target through a proxy.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import yaml

from binance_coinm_futures import ExecutionStatusUnknown, NothingSent, connect
from binance_coinm_futures._runtime._aiohttp_backend import AiohttpTransport
from binance_coinm_futures._runtime._asyncio_backend import AsyncioBackend
from binance_coinm_futures._runtime._call import DEADLINE, KEEPS_DEADLINE
from binance_coinm_futures.api.trade import cancel_order
from tests.conftest import ROOT
from tests.wire.scripted import RawServer

SYMBOL = "BTCUSD_PERP"
API_KEY = "backend-api-key-0000001"
SECRET = "backend-secret"


def _success_answer() -> bytes:
    """openapi.yaml's example of a cancel's answer, about order 1 (what the first cancel asks)."""
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    ok = spec["paths"]["/dapi/v1/order"]["delete"]["responses"]["200"]
    example = dict(ok["content"]["application/json"]["examples"]["current"]["value"])
    return json.dumps({**example, "orderId": 1, "symbol": SYMBOL}).encode()


OK = _success_answer()


def answer(body: bytes, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in headers)
    return b"HTTP/1.1 200 OK\r\n%sContent-Length: %d\r\n\r\n%s" % (head.encode(), len(body), body)


def reset(connection: socket.socket) -> None:
    """Close with a TCP reset (RST) instead of an orderly FIN."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def cancel_twice(url: str, backend_args: dict[str, Any]) -> list[BaseException | None]:
    """Two cancels on one client (the second may reuse the first's connection); their errors."""
    outcomes: list[BaseException | None] = []
    async with connect(
        api_key=API_KEY, secret=SECRET, base_url=url, timeout=0.5, **backend_args
    ) as client:
        for order_id in (1, 2):
            try:
                await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=order_id)
            except (NothingSent, ExecutionStatusUnknown) as error:
                outcomes.append(error)
            else:
                outcomes.append(None)
    return outcomes


# -- before or after sending: the classification the boundary relies on ------------------------


@pytest.mark.anyio
async def test_refused_connection_is_nothing_sent(backend_args: dict[str, Any]) -> None:
    outcomes = await cancel_twice(f"http://127.0.0.1:{free_port()}", backend_args)
    assert [type(error) for error in outcomes] == [NothingSent, NothingSent]


def reset_every_request(number: int, head: bytes, connection: socket.socket) -> bool:
    reset(connection)
    return False


def answer_then_reset(number: int, head: bytes, connection: socket.socket) -> bool:
    if number == 1:
        connection.sendall(answer(OK))  # keep-alive: the client may send the next one here
        return True
    reset(connection)
    return False


def never_answer(number: int, head: bytes, connection: socket.socket) -> bool:
    connection.recv(1)  # until the client gives up and closes
    return False


@pytest.mark.anyio
@pytest.mark.parametrize("raw_server", [reset_every_request], indirect=True, ids=["reset"])
async def test_reset_after_the_request_is_unknown_and_never_resent(
    raw_server: RawServer, backend_args: dict[str, Any]
) -> None:
    outcomes = await cancel_twice(raw_server.url, backend_args)
    assert [type(error) for error in outcomes] == [ExecutionStatusUnknown] * 2
    # aiohttp resends a DELETE once after a reset unless told not to: two cancels, two requests.
    assert len(raw_server.requests) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("raw_server", [answer_then_reset], indirect=True, ids=["reused"])
async def test_reset_on_a_reused_connection_is_unknown_and_never_resent(
    raw_server: RawServer, backend_args: dict[str, Any]
) -> None:
    outcomes = await cancel_twice(raw_server.url, backend_args)
    assert outcomes[0] is None
    assert isinstance(outcomes[1], ExecutionStatusUnknown)
    assert len(raw_server.requests) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("raw_server", [never_answer], indirect=True, ids=["silent"])
async def test_read_timeout_is_unknown(raw_server: RawServer, backend_args: dict[str, Any]) -> None:
    outcomes = await cancel_twice(raw_server.url, backend_args)
    assert [type(error) for error in outcomes] == [ExecutionStatusUnknown] * 2
    # The read timeout and the call's deadline (its largest timeout part) end together here.
    assert all("Timeout" in str(error) or "deadline" in str(error) for error in outcomes)
    assert len(raw_server.requests) == 2


# -- the aiohttp backend alone: the bytes it sends and returns ---------------------------------

#: A target as the auth flow builds it: every reserved character percent-encoded, as signed.
SIGNED_TARGET = (
    b"/dapi/v1/order?symbol=BTCUSD_PERP&origClientOrderId=desk%3A7%2Fq.1_a-b%20%2B%26"
    b"&timestamp=1&signature=0a1b"
)


def answer_gzip(number: int, head: bytes, connection: socket.socket) -> bool:
    connection.sendall(answer(gzip.compress(OK), "Content-Encoding: gzip"))
    return True


def send_through_backend(request: httpx.Request, **backend: Any) -> tuple[httpx.Response, bytes]:
    async def run() -> tuple[httpx.Response, bytes]:
        transport = AiohttpTransport(**backend)
        try:
            response = await transport.handle_async_request(request)
            body = b"".join([chunk async for chunk in response.aiter_raw()])
            await response.aclose()
        finally:
            await transport.aclose()
        return response, body

    return asyncio.run(run())


@pytest.mark.parametrize("raw_server", [answer_gzip], indirect=True, ids=["gzip"])
def test_sends_the_signed_target_and_headers_unchanged(raw_server: RawServer) -> None:
    request = httpx.Request(
        "DELETE",
        httpx.URL(raw_server.url + SIGNED_TARGET.decode()),
        headers={"X-MBX-APIKEY": API_KEY, "Accept-Encoding": "gzip", "User-Agent": "ours/1"},
        extensions={"timeout": {"connect": 1.0, "read": 1.0, "write": 1.0, "pool": 1.0}},
    )
    response, body = send_through_backend(request)
    request_line, *header_lines = raw_server.requests[0].split(b"\r\n")
    assert request_line == b"DELETE " + SIGNED_TARGET + b" HTTP/1.1"
    sent = sorted(line.lower() for line in header_lines)
    expected = [b"%s: %s" % (k.lower(), v) for k, v in request.headers.raw]
    # aiohttp always states the empty body of a DELETE; it adds nothing else.
    assert sent == sorted([*expected, b"content-length: 0"])
    assert body == gzip.compress(OK), "the body is passed on as received, never decompressed"
    assert response.headers["content-encoding"] == "gzip"


def answer_as_proxy(number: int, head: bytes, connection: socket.socket) -> bool:
    connection.sendall(answer(OK))
    return True


@pytest.mark.parametrize("raw_server", [answer_as_proxy], indirect=True, ids=["proxy"])
def test_proxy_gets_the_signed_target_unchanged(raw_server: RawServer) -> None:
    destination = "http://exchange.invalid:8080"
    request = httpx.Request(
        "DELETE",
        httpx.URL(destination + SIGNED_TARGET.decode()),
        headers={"X-MBX-APIKEY": API_KEY},
        extensions={"timeout": {"connect": 1.0, "read": 1.0, "write": 1.0, "pool": 1.0}},
    )
    response, body = send_through_backend(request, proxy=httpx.URL(raw_server.url))
    request_line = raw_server.requests[0].split(b"\r\n")[0]
    assert request_line == b"DELETE " + destination.encode() + SIGNED_TARGET + b" HTTP/1.1"
    assert (response.status_code, body) == (200, OK)


def test_proxy_refusing_connections_is_nothing_sent() -> None:
    request = httpx.Request(
        "DELETE",
        httpx.URL("http://exchange.invalid:8080" + SIGNED_TARGET.decode()),
        extensions={"timeout": {"connect": 1.0, "read": 1.0, "write": 1.0, "pool": 1.0}},
    )
    with pytest.raises(httpx.ProxyError):
        send_through_backend(request, proxy=httpx.URL(f"http://127.0.0.1:{free_port()}"))


# -- choosing the backend -------------------------------------------------------------------


def test_unknown_backend_is_refused_at_connect() -> None:
    with pytest.raises(ValueError, match="async_backend must be 'aiohttp' or 'httpx'"):
        connect(api_key=API_KEY, secret=SECRET, async_backend="curl")  # type: ignore[arg-type]


class CountingTransport(httpx.AsyncBaseTransport):
    """httpx's own async transport, counting the requests it is given."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize("raw_server", [answer_as_proxy], indirect=True, ids=["keep-alive"])
async def test_a_given_async_transport_overrides_the_backend(raw_server: RawServer) -> None:
    given = CountingTransport()
    async with connect(
        api_key=API_KEY, secret=SECRET, base_url=raw_server.url, async_transport=given
    ) as client:
        order = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)
    assert (order.order_id, given.requests) == (1, 1)


def dripping(opening: bytes, drip: bytes) -> Callable[[int, bytes, socket.socket], bool]:
    """An answer that sends ``opening``, then ``drip`` every 0.1 s for 10 s: every read is
    quick, the answer never ends."""

    def answer(number: int, head: bytes, connection: socket.socket) -> bool:
        connection.sendall(opening)
        with contextlib.suppress(OSError):
            for _ in range(100):
                connection.sendall(drip)
                time.sleep(0.1)
        return False

    return answer


#: Headers, then one body byte at a time.
trickle = dripping(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", b" ")
#: A status line, then one header byte at a time: the head never ends.
trickle_head = dripping(b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a")


@pytest.mark.anyio
@pytest.mark.parametrize("raw_server", [trickle], indirect=True, ids=["trickle"])
async def test_aiohttp_backend_bounds_the_whole_exchange(raw_server: RawServer) -> None:
    """aiohttp has no write timeout; connect + pool + write + read bound the exchange instead.

    Driven without the fault boundary, whose own deadline would end the call first.
    """
    started = time.monotonic()
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=0.3) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.delete(f"{raw_server.url}/dapi/v1/order?orderId=1")
    assert time.monotonic() - started < 3.0
    assert len(raw_server.requests) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("raw_server", [trickle, trickle_head], indirect=True, ids=["body", "head"])
async def test_asyncio_backend_keeps_the_call_deadline(raw_server: RawServer) -> None:
    """The asyncio backend says it ends every wait by the call's deadline (KEEPS_DEADLINE), so
    the boundary sets no timeout of its own around it: driven here without the boundary, a
    trickled answer (each read quick, the read timeout never reached) is still cut off at the
    deadline, as a TimeoutError."""
    backend = AsyncioBackend()
    assert getattr(backend, KEEPS_DEADLINE) is True
    started = time.monotonic()
    async with httpx.AsyncClient(transport=backend, timeout=30.0) as client:
        request = client.build_request(
            "DELETE",
            f"{raw_server.url}/dapi/v1/order?orderId=1",
            extensions={DEADLINE: started + 0.4},
        )
        with pytest.raises(TimeoutError, match="deadline"):
            await client.send(request)  # which reads the body too
    assert time.monotonic() - started < 3.0
    assert len(raw_server.requests) == 1


def silent(number: int, head: bytes, connection: socket.socket) -> bool:
    """No answer for 2 s, then a close."""
    time.sleep(2.0)
    return False


@pytest.mark.anyio
@pytest.mark.parametrize("raw_server", [silent], indirect=True, ids=["silent"])
async def test_asyncio_backend_read_timeout_before_the_deadline(raw_server: RawServer) -> None:
    """With the deadline far off, silence past the read timeout is still a ReadTimeout."""
    started = time.monotonic()
    async with httpx.AsyncClient(transport=AsyncioBackend(), timeout=0.3) as client:
        request = client.build_request(
            "DELETE",
            f"{raw_server.url}/dapi/v1/order?orderId=1",
            extensions={DEADLINE: started + 60.0},
        )
        with pytest.raises(httpx.ReadTimeout):
            await client.send(request)
    assert time.monotonic() - started < 1.5

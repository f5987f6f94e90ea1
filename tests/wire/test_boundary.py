"""The bounds and refusals of the fault boundary that one row of the fault matrix cannot show.

A deadline for the whole call, no advertised compression, closed clients and foreign event
loops, unlimited timeouts reached through the generated client, interruptions, threads, and
proxies (through a small forwarding proxy on loopback).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import selectors
import signal
import socket
import socketserver
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import unquote

import httpx
import pytest

import binance_coinm_futures._runtime._transport
from binance_coinm_futures import (
    ExecutionStatusUnknown,
    InvalidParameter,
    InvalidRequest,
    NothingSent,
    TimestampRejected,
    connect,
)
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.client import AuthenticatedClient
from binance_coinm_futures.testing._spec import cancel_example
from tests.wire.conftest import FIXTURES
from tests.wire.scripted import (
    API_KEY,
    SECRET,
    SYMBOL,
    TIMESTAMP_REJECTED,
    error,
    raw_server_running,
    reply,
    scripted_server,
)
from tests.wire.test_fault_matrix import GZIP, ORDER, httpx_objects, trickle, trickle_head

OK: Final = reply(200, ORDER)
#: Generous against the 12 s a trickled answer takes, well under it: the call must be cut
#: off near its 0.5 s deadline, not when the answer ends.
CUT_OFF_WITHIN: Final = 4.0
TRICKLES: Final = {"body": trickle, "head": trickle_head}


def client_for(url: str, **extra: Any) -> AuthenticatedClient:
    return connect(api_key=API_KEY, secret=SECRET, base_url=url, timeout=0.5, **extra)


@pytest.mark.parametrize("trickled", list(TRICKLES.values()), ids=list(TRICKLES))
@pytest.mark.parametrize(
    ("before", "expected"),
    [([], ExecutionStatusUnknown), ([TIMESTAMP_REJECTED], TimestampRejected)],
    ids=["cancel", "time-fetch-after-1021"],
)
def test_one_deadline_bounds_the_whole_call(
    before: list[Any], expected: type, trickled: Any
) -> None:
    with scripted_server([*before, trickled]) as server, client_for(server.url) as client:
        started = time.monotonic()
        with pytest.raises(expected):
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
        assert time.monotonic() - started < CUT_OFF_WITHIN


@pytest.mark.anyio
@pytest.mark.parametrize("trickled", list(TRICKLES.values()), ids=list(TRICKLES))
async def test_one_deadline_bounds_the_whole_async_call(
    backend_args: dict[str, Any], trickled: Any
) -> None:
    with scripted_server([TIMESTAMP_REJECTED, trickled]) as server:
        async with client_for(server.url, **backend_args) as client:
            started = time.monotonic()
            with pytest.raises(TimestampRejected):
                await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)
            assert time.monotonic() - started < CUT_OFF_WITHIN
    assert server.paths == ["/dapi/v1/order", "/dapi/v1/time"]


def test_no_resend_once_the_deadline_has_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deadline runs out while the server time is fetched after a -1021: the re-signed
    cancel is not sent, and the cancel was only ever refused, so nothing happened."""

    class Clock:
        shift = 0.0

        def monotonic(self) -> float:
            return time.monotonic() + self.shift

    clock = Clock()

    def server_time_then_late(connection: socket.socket, request: bytes) -> None:
        clock.shift = 60.0  # from now on, the client's call is a minute old
        connection.sendall(reply(200, b'{"serverTime": %d}' % (time.time() * 1000)))

    monkeypatch.setattr(binance_coinm_futures._runtime._transport, "time", clock)
    with scripted_server([TIMESTAMP_REJECTED, server_time_then_late, OK]) as server:
        with client_for(server.url) as client, pytest.raises(NothingSent, match="deadline"):
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert server.paths == ["/dapi/v1/order", "/dapi/v1/time"]


def test_an_rsa_signature_echoed_decoded_is_hidden() -> None:
    """An RSA signature is base64, percent-encoded on the wire; a server may quote it decoded."""

    def decoded_echo(connection: socket.socket, request: bytes) -> None:
        query = unquote(request.split(b" ")[1].partition(b"?")[2].decode())
        connection.sendall(error(400, -1100, f"Illegal characters found in query {query}"))

    with scripted_server([decoded_echo]) as server:
        with connect(
            api_key=API_KEY,
            private_key=FIXTURES / "test-rsa-private.pem",
            base_url=server.url,
            timeout=0.5,
        ) as client:
            with pytest.raises(InvalidParameter) as raised:
                cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    signature = server.requests[0].split(b" ")[1].decode().rpartition("signature=")[2]
    assert "%" in signature  # the test means something only if encoding changes the text
    for text in (str(raised.value), repr(raised.value)):
        assert unquote(signature) not in text
        assert signature not in text
        assert "<hidden>" in text


def test_no_compression_is_advertised() -> None:
    with scripted_server([OK]) as server, client_for(server.url) as client:
        cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert b"\r\naccept-encoding: identity" in server.requests[0].lower()


def test_a_compressed_answer_is_refused_unread() -> None:
    with scripted_server([reply(200, b"\x1f\x8b" + b"x" * 100, GZIP)]) as server:
        with client_for(server.url) as client, pytest.raises(ExecutionStatusUnknown) as raised:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert "gzip-encoded" in str(raised.value)


@pytest.mark.parametrize("status", [202, 299])
def test_other_2xx_through_detailed_is_unknown(status: int) -> None:
    with scripted_server([reply(status, ORDER)]) as server, client_for(server.url) as client:
        with pytest.raises(ExecutionStatusUnknown) as raised:
            cancel_order.sync_detailed(client=client, symbol=SYMBOL, order_id=1)
    assert raised.value.status == status


def test_unlimited_timeout_through_the_generated_client_is_refused_before_sending() -> None:
    with scripted_server([OK]) as server, client_for(server.url) as client:
        with pytest.raises(InvalidRequest, match="every timeout must be set"):
            cancel_order.sync(
                client=client.with_timeout(httpx.Timeout(None)), symbol=SYMBOL, order_id=1
            )
    assert server.requests == []


def test_closed_client_is_refused_before_sending() -> None:
    with scripted_server([OK]) as server:
        with client_for(server.url) as client:
            pass
        with pytest.raises(InvalidRequest, match="closed; nothing was sent"):
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert server.requests == []


def test_closed_async_client_is_refused_before_sending(backend_args: dict[str, Any]) -> None:
    async def main() -> None:
        async with client_for(server.url, **backend_args) as client:
            pass
        await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)

    with scripted_server([OK]) as server, pytest.raises(InvalidRequest, match="closed"):
        asyncio.run(main())
    assert server.requests == []


def test_a_second_event_loop_is_refused_before_sending(backend_args: dict[str, Any]) -> None:
    with scripted_server([reply(200, ORDER).replace(b"Connection: close\r\n", b""), OK]) as server:
        client = client_for(server.url, **backend_args)
        asyncio.run(cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1))
        with pytest.raises(InvalidRequest, match="another event loop; nothing was sent"):
            asyncio.run(cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1))
    assert len(server.requests) == 1


def late_first_answer(number: int, head: bytes, connection: socket.socket) -> bool:
    """Answers the first request late, on a connection kept open, and the others at once.

    If an interrupted call left its connection in the pool, the next call would be written on
    it and read the first call's late answer (orderId 1) as its own.
    """
    order_id = int(head.split(b"orderId=")[1].split(b"&")[0])
    body = json.dumps({**cancel_example(), "orderId": order_id, "symbol": SYMBOL}).encode()
    status_and_headers = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
    if number == 1:
        connection.sendall(status_and_headers)
        time.sleep(0.5)  # the caller gives up meanwhile
        connection.sendall(body)
    else:
        connection.sendall(status_and_headers + body)
    return True


def test_interrupted_call_leaves_no_late_answer_for_the_next(
    backend_args: dict[str, Any],
) -> None:
    async def main(url: str) -> int:
        async with connect(
            api_key=API_KEY, secret=SECRET, base_url=url, timeout=5, **backend_args
        ) as client:
            # The interruption is the caller's: it propagates as it is, the outcome unknown.
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(
                    cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1), 0.2
                )
            await asyncio.sleep(0.5)  # the late answer has arrived by now
            order = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=2)
            return order.order_id

    with raw_server_running(late_first_answer) as server:
        assert asyncio.run(main(server.url)) == 2
    assert server.connections == 2


def test_keyboard_interrupt_leaves_no_late_answer_for_the_next() -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with raw_server_running(late_first_answer) as server:
            with connect(api_key=API_KEY, secret=SECRET, base_url=server.url, timeout=5) as client:
                signal.setitimer(signal.ITIMER_REAL, 0.2)
                # Propagates as it is: the caller stopped the call, the outcome is unknown.
                with pytest.raises(KeyboardInterrupt):
                    cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
                time.sleep(0.5)  # the late answer has arrived by now
                assert cancel_order.sync(client=client, symbol=SYMBOL, order_id=2).order_id == 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert server.connections == 2


def test_threads_sharing_a_client_build_one_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[httpx.HTTPTransport] = []

    class Counted(httpx.HTTPTransport):
        def __init__(self, **kwargs: Any) -> None:
            time.sleep(0.05)  # widens the window in which racing threads could each build one
            built.append(self)
            super().__init__(**kwargs)

    monkeypatch.setattr(httpx, "HTTPTransport", Counted)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []
    # An earlier test's client left to the garbage collector (one used on two event loops is
    # never closed) must not warn inside this test's window.
    gc.collect()
    with scripted_server([OK] * 8) as server:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with client_for(server.url) as client:

                def cancel() -> None:
                    barrier.wait()
                    try:
                        cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
                    except BaseException as error:
                        errors.append(error)

                threads = [threading.Thread(target=cancel) for _ in range(8)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=30)
            gc.collect()
    assert errors == []
    assert len(built) == 1
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert len(server.requests) == 8


# --- proxies -------------------------------------------------------------------------------


class ForwardingProxy(socketserver.ThreadingTCPServer):
    """A plain-HTTP forwarding proxy on loopback: records each absolute-form request line,
    forwards it in origin form and relays the answer until the server closes."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.seen: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _Forward)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Forward(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        assert isinstance(self.server, ForwardingProxy)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            head += chunk
        line, _, rest = head.partition(b"\r\n")
        method, target, version = line.split(b" ")
        self.server.seen.append(line)
        if method == b"CONNECT":  # a tunnel for https: bytes both ways, TLS end to end
            host, _, port = target.decode().rpartition(":")
            with socket.create_connection((host, int(port)), timeout=10) as upstream:
                self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                _relay(self.request, upstream)
            return
        url = httpx.URL(target.decode())
        with socket.create_connection((url.host, url.port or 80), timeout=10) as upstream:
            upstream.sendall(b"%s %s %s\r\n%s" % (method, url.raw_path, version, rest))
            while chunk := upstream.recv(65536):
                self.request.sendall(chunk)


def _relay(one: socket.socket, other: socket.socket) -> None:
    with selectors.DefaultSelector() as selector:
        selector.register(one, selectors.EVENT_READ, other)
        selector.register(other, selectors.EVENT_READ, one)
        while True:
            for key, _ in selector.select(timeout=10):
                source = key.fileobj
                assert isinstance(source, socket.socket)
                try:
                    data = source.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
                except OSError:
                    return


@contextlib.contextmanager
def forwarding_proxy() -> Iterator[ForwardingProxy]:
    proxy = ForwardingProxy()
    thread = threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=10)


def test_proxy_argument_goes_through_our_transport() -> None:
    with forwarding_proxy() as proxy, scripted_server([OK, reply(200, b"x", GZIP)]) as server:
        with client_for(server.url, proxy=proxy.url) as client:
            assert cancel_order.sync(client=client, symbol=SYMBOL, order_id=1).order_id == 1
            with pytest.raises(ExecutionStatusUnknown) as raised:
                cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert [line.split(b" ")[1].startswith(server.url.encode()) for line in proxy.seen] == [
        True,
        True,
    ]
    assert len(server.requests) == 2
    assert httpx_objects(raised.value) == []


@pytest.mark.anyio
async def test_async_proxy_goes_through_our_transport(backend_args: dict[str, Any]) -> None:
    with forwarding_proxy() as proxy, scripted_server([OK]) as server:
        if backend_args["async_backend"] == "asyncio":
            # Proxies are left to aiohttp's backend: asking for the asyncio one is refused.
            with pytest.raises(ValueError, match="asyncio backend does not support proxies"):
                client_for(server.url, proxy=proxy.url, **backend_args)
            assert (proxy.seen, server.requests) == ([], [])
            return
        async with client_for(server.url, proxy=proxy.url, **backend_args) as client:
            order = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)
    assert order.order_id == 1
    assert len(proxy.seen) == 1


@pytest.mark.anyio
async def test_async_proxy_with_the_default_backend_goes_through_aiohttp() -> None:
    with forwarding_proxy() as proxy, scripted_server([OK]) as server:
        async with client_for(server.url, proxy=proxy.url) as client:
            order = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)
            boundary = client.get_async_httpx_client()._transport
            assert isinstance(boundary, binance_coinm_futures._runtime._transport.BinanceTransport)
            backend = type(boundary._async).__name__
    assert (order.order_id, backend, len(proxy.seen)) == (1, "AiohttpTransport", 1)


def test_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with forwarding_proxy() as proxy, scripted_server([OK]) as server:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with client_for(server.url) as client:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert len(proxy.seen) == 1


@pytest.mark.parametrize(
    ("variables", "extra"),
    [({"NO_PROXY": "127.0.0.1"}, {}), ({}, {"httpx_args": {"trust_env": False}})],
    ids=["no-proxy", "trust-env-false"],
)
def test_environment_proxy_can_be_bypassed(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], extra: dict[str, Any]
) -> None:
    with forwarding_proxy() as proxy, scripted_server([OK]) as server:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        with client_for(server.url, **extra) as client:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert proxy.seen == []
    assert len(server.requests) == 1


def test_unreachable_proxy_is_nothing_sent() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{unused.getsockname()[1]}"
    with scripted_server([OK]) as server, client_for(server.url, proxy=dead) as client:
        with pytest.raises(NothingSent):
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert server.requests == []

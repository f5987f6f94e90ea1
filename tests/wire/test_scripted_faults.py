"""Faults the local exchange cannot stage, from a scripted server on loopback.

Each connection reads one request and answers with the next scripted reply: raw bytes, so a
reply can stop mid-body or hang after its headers, or a function that writes to the socket
itself (to trickle an answer, or to echo the request back). Other suites reuse
``scripted_server``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

import httpx
import pytest

from binance_coinm_futures.api.trade import cancel_order
from signing_hook import (
    BinanceError,
    ExecutionStatusUnknown,
    RateLimited,
    TimestampRejected,
    connect,
)

SYMBOL = "BTCUSD_PERP"
API_KEY = "scripted-api-key-000001"
SECRET = "scripted-secret"

#: A scripted reply: bytes to send, or a function given the connection and the request head.
Reply = bytes | Callable[[socket.socket, bytes], None]


def hang(connection: socket.socket, request: bytes) -> None:
    """A reply that is never finished: headers promise 500 bytes, one follows."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 500\r\n\r\n{")
    connection.recv(1)  # until the client gives up and closes


HANG: Final = hang


def reply(status: int, body: bytes, extra: str = "") -> bytes:
    # Connection: close, so the client never reuses a socket this server is about to close.
    head = f"HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Type: application/json\r\n{extra}"
    return head.encode() + b"Content-Length: %d\r\n\r\n" % len(body) + body


def error(status: int, code: int, msg: str) -> bytes:
    return reply(status, json.dumps({"code": code, "msg": msg}).encode())


TIMESTAMP_REJECTED = error(400, -1021, "Timestamp for this request is outside of the recvWindow.")


@dataclass
class ScriptedServer:
    replies: Sequence[Reply]
    #: The head (request line and headers) of every request received, in order.
    requests: list[bytes] = field(default_factory=list)
    url: str = ""
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def paths(self) -> list[str]:
        return [r.split(b" ")[1].partition(b"?")[0].decode() for r in self.requests]

    def serve(self, listener: socket.socket) -> None:
        for answer in self.replies:
            connection = self._accept(listener)
            if connection is None:
                return
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    request += chunk
                if not request:
                    continue
                self.requests.append(request.partition(b"\r\n\r\n")[0])
                with contextlib.suppress(OSError):  # the client may have given up already
                    if callable(answer):
                        answer(connection, request)
                    else:
                        connection.sendall(answer)

    def _accept(self, listener: socket.socket) -> socket.socket | None:
        while not self.stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return None
            connection.settimeout(10)
            return connection
        return None


@contextlib.contextmanager
def scripted_server(replies: Sequence[Reply]) -> Iterator[ScriptedServer]:
    """A server on loopback answering one connection after another with ``replies``."""
    server = ScriptedServer(list(replies))
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.05)
        server.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        thread = threading.Thread(target=server.serve, args=(listener,), daemon=True)
        thread.start()
        try:
            yield server
        finally:
            server.stop.set()
            thread.join(timeout=10)


@pytest.fixture
def scripted(request: pytest.FixtureRequest) -> Iterator[ScriptedServer]:
    with scripted_server(request.param) as server:
        yield server


def cancel(server: ScriptedServer) -> None:
    # The server closes each connection after its reply, so every request opens a new one.
    with connect(api_key=API_KEY, secret=SECRET, base_url=server.url, timeout=0.5) as client:
        cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)


@pytest.mark.parametrize(
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
def test_unreadable_answer_after_sending_is_unknown(scripted: ScriptedServer) -> None:
    with pytest.raises(ExecutionStatusUnknown) as raised:
        cancel(scripted)
    error = raised.value
    assert error.__context__ is None
    assert error.__cause__ is None
    assert not any(isinstance(v, httpx.Request | httpx.Response) for v in vars(error).values())
    assert SECRET not in str(error)
    assert API_KEY not in str(error)


@pytest.mark.parametrize(
    "scripted",
    [[TIMESTAMP_REJECTED, error(429, -1003, "Too many requests.")]],
    indirect=True,
)
def test_rate_limited_time_fetch_is_raised_not_resent(scripted: ScriptedServer) -> None:
    with pytest.raises(RateLimited):
        cancel(scripted)
    assert scripted.paths == ["/dapi/v1/order", "/dapi/v1/time"]


@pytest.mark.parametrize(
    "scripted",
    [[TIMESTAMP_REJECTED, reply(200, b"not json")], [TIMESTAMP_REJECTED, HANG]],
    indirect=True,
    ids=["unreadable-time", "time-fetch-times-out"],
)
def test_unreadable_server_time_is_not_a_blind_resend(scripted: ScriptedServer) -> None:
    with pytest.raises(TimestampRejected) as raised:
        cancel(scripted)
    assert isinstance(raised.value, BinanceError)
    assert scripted.paths == ["/dapi/v1/order", "/dapi/v1/time"]

"""Scripted HTTP servers on loopback, for faults the local exchange cannot stage.

``scripted_server`` reads one request per connection and answers with the next scripted reply:
raw bytes, so a reply can stop mid-body or hang after its headers, or a function that writes to
the socket itself (to trickle an answer, or to echo the request back). ``RawServer`` keeps
connections open and runs a script per request (``raw_server``), for what a peer may leave on
a reused connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pytest

from binance_coinm_futures import connect
from binance_coinm_futures.api.trade import cancel_order, query_order
from binance_coinm_futures.client import AuthenticatedClient
from binance_coinm_futures.models import CancelOrderResponse, QueryOrderResponse
from tests.conftest import BACKENDS

SYMBOL = "BTCUSD_PERP"
#: How a test's call goes out: sync (httpx's transport), or async on each backend we ship.
MODES: Final = ["sync", *(f"async-{name}" for name in sorted(BACKENDS))]


def mode_args(mode: str) -> dict[str, Any]:
    """connect() keyword arguments for one of MODES."""
    return {} if mode == "sync" else dict(BACKENDS[mode.removeprefix("async-")])


#: A scripted reply: bytes to send, or a function given the connection and the request head.
Reply = bytes | Callable[[socket.socket, bytes], None]


def hang(connection: socket.socket, request: bytes) -> None:
    """A reply that is never finished: headers promise 500 bytes, one follows."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 500\r\n\r\n{")
    connection.recv(1)  # until the client gives up and closes


HANG: Final = hang


def reply(status: int, body: bytes, extra: str = "", *, close: bool = True) -> bytes:
    # Connection: close, so the client never reuses a socket this server is about to close.
    if close:
        extra = "Connection: close\r\n" + extra
    head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}"
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


API_KEY = "scripted-api-key-000001"
SECRET = "scripted-secret"


def call(endpoint: Any, url: str, mode: str, request: dict[str, Any]) -> Any:
    """One call of a generated endpoint through connect(), sync or async, on a fresh client."""
    return call_with(endpoint.sync, endpoint.asyncio, url, mode, request)


def call_with(
    sync: Callable[..., Any],
    asynchronous: Callable[..., Any],
    url: str,
    mode: str,
    request: dict[str, Any],
) -> Any:
    """One call of a function taking ``client=`` (a generated endpoint's sync/asyncio pair, or
    a helper's), sync or async, on a fresh client."""
    client = connect(api_key=API_KEY, secret=SECRET, base_url=url, timeout=2, **mode_args(mode))
    if mode == "sync":
        with client:
            return sync(client=client, **request)

    async def run(client: AuthenticatedClient) -> Any:
        async with client:
            return await asynchronous(client=client, **request)

    return asyncio.run(run(client))


def query(url: str, mode: str, request: dict[str, Any]) -> QueryOrderResponse:
    """One Query Order through connect(), sync or async, on a fresh client (one request)."""
    answer: QueryOrderResponse = call(query_order, url, mode, request)
    return answer


def cancel(url: str, mode: str, request: dict[str, Any]) -> CancelOrderResponse:
    """One cancel through connect(), sync or async, on a fresh client (one request)."""
    answer: CancelOrderResponse = call(cancel_order, url, mode, request)
    return answer


#: A kept-alive connection's script: given the request's number (from 1), its head and the
#: connection, it answers; it returns True to keep the connection for the next request.
RawScript = Callable[[int, bytes, socket.socket], bool]


@dataclass
class RawServer:
    """Keeps connections open and runs ``script`` for every request; records every head."""

    script: RawScript
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0
    url: str = ""

    @property
    def targets(self) -> list[str]:
        return [head.split(b" ")[1].decode() for head in self.requests]

    def serve(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._converse, args=(connection,), daemon=True).start()

    def _converse(self, connection: socket.socket) -> None:
        buffered = b""
        with contextlib.suppress(OSError), connection:  # the client may close or reset it
            while True:
                while b"\r\n\r\n" not in buffered:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    buffered += chunk
                head, _, buffered = buffered.partition(b"\r\n\r\n")
                self.requests.append(head)
                if not self.script(len(self.requests), head, connection):
                    return


@contextlib.contextmanager
def raw_server_running(script: RawScript) -> Iterator[RawServer]:
    """A RawServer on a free loopback port until the block ends."""
    server = RawServer(script)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        server.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        threading.Thread(target=server.serve, args=(listener,), daemon=True).start()
        yield server


@pytest.fixture
def raw_server(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    """A RawServer running the script given as the test's parameter (indirect)."""
    with raw_server_running(request.param) as server:
        yield server

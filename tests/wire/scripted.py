"""A scripted HTTP server on loopback: each connection gets the next scripted reply.

Replies are raw bytes, so a reply can stop mid-body or hang after its headers. Every reply
closes its connection, so each request the client sends opens a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from binance_coinm_futures import AuthenticatedClient
from binance_coinm_futures.api.trade import cancel_order, query_order
from binance_coinm_futures.models import CancelOrderResponse, QueryOrderResponse
from signing_hook import connect

HANG = b"HANG"  # a reply that is never finished: headers promise 500 bytes, none follow


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
    replies: list[bytes]
    paths: list[str] = field(default_factory=list)
    url: str = ""

    def serve(self, listener: socket.socket) -> None:
        for answer in self.replies:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    request += chunk
                self.paths.append(request.split(b" ")[1].partition(b"?")[0].decode())
                if answer == HANG:
                    connection.sendall(
                        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 500\r\n\r\n{"
                    )
                    connection.recv(1)  # until the client gives up and closes
                else:
                    connection.sendall(answer)


@contextlib.contextmanager
def running(replies: list[bytes]) -> Iterator[ScriptedServer]:
    """Serve ``replies`` from a thread on a free loopback port until the block ends."""
    server = ScriptedServer(list(replies))
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(10)
        server.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        thread = threading.Thread(target=server.serve, args=(listener,), daemon=True)
        thread.start()
        yield server
    thread.join(timeout=10)


@pytest.fixture
def scripted(request: pytest.FixtureRequest) -> Iterator[ScriptedServer]:
    """A scripted server with the replies given as the test's parameter (indirect)."""
    with running(request.param) as server:
        yield server


API_KEY = "scripted-api-key-000001"
SECRET = "scripted-secret"


def query(url: str, mode: str, request: dict[str, Any]) -> QueryOrderResponse:
    """One Query Order through connect(), sync or async, on a fresh client (one request)."""
    client = connect(api_key=API_KEY, secret=SECRET, base_url=url, timeout=2)
    if mode == "sync":
        with client:
            return query_order.sync(client=client, **request)

    async def run(client: AuthenticatedClient) -> QueryOrderResponse:
        async with client:
            return await query_order.asyncio(client=client, **request)

    return asyncio.run(run(client))


def cancel(url: str, mode: str, request: dict[str, Any]) -> CancelOrderResponse:
    """One cancel through connect(), sync or async, on a fresh client (one request)."""
    client = connect(api_key=API_KEY, secret=SECRET, base_url=url, timeout=2)
    if mode == "sync":
        with client:
            return cancel_order.sync(client=client, **request)

    async def run(client: AuthenticatedClient) -> CancelOrderResponse:
        async with client:
            return await cancel_order.asyncio(client=client, **request)

    return asyncio.run(run(client))


@dataclass
class KeepAliveServer:
    """Keeps connections open and answers each request by ``answer(target)``.

    After the first answer on the first connection it writes ``stray`` too: bytes a
    misbehaving peer leaves on a kept-alive connection, which must never become the answer to
    the next request.
    """

    answer: Callable[[str], bytes]
    stray: bytes
    targets: list[str] = field(default_factory=list)
    url: str = ""

    def serve(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._converse, args=(connection,), daemon=True).start()

    def _converse(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError), connection:  # the client may close or reset it
            pending = b""
            while True:
                while b"\r\n\r\n" not in pending:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    pending += chunk
                head, _, pending = pending.partition(b"\r\n\r\n")
                target = head.split(b" ")[1].decode()
                self.targets.append(target)
                first = len(self.targets) == 1
                connection.sendall(self.answer(target) + (self.stray if first else b""))


@contextlib.contextmanager
def keep_alive(answer: Callable[[str], bytes], stray: bytes) -> Iterator[KeepAliveServer]:
    server = KeepAliveServer(answer, stray)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        server.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        threading.Thread(target=server.serve, args=(listener,), daemon=True).start()
        yield server

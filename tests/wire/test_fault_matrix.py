"""Every fault we can stage, at every stage it can hit, sync and async: one table.

The stages are the three requests the client makes on its own account: the cancel, the time
fetch after a -1021, and the time fetch of ``connect(sync_clock=True)``. Every cell checks
what the README promises: only ``BinanceError`` subclasses are raised, of the class the fault
stands for at that stage; nothing reachable from the exception is an httpx object (which would
hold the signed URL and the API key); no secret appears in its text; and the server saw
exactly the requests it should have (no blind resend).

Adding a fault is adding one row to ``FAULTS``: the cancel's outcome is given, the two other
stages follow from it (see ``Fault.expected``).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote

import httpx
import pytest

from binance_coinm_futures import (
    BinanceAPIError,
    BinanceError,
    ClockSyncFailed,
    ExecutionStatusUnknown,
    FirewallRejected,
    InvalidParameter,
    RequestRejected,
    TimestampRejected,
    connect,
)
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.testing._spec import cancel_example
from tests.wire.scripted import (
    API_KEY,
    HANG,
    SECRET,
    SYMBOL,
    TIMESTAMP_REJECTED,
    Reply,
    ScriptedServer,
    error,
    reply,
    scripted_server,
)

TIMEOUT: Final = 0.5
ORDER: Final = json.dumps({**cancel_example(), "orderId": 1, "symbol": SYMBOL}).encode()
GZIP: Final = "Content-Encoding: gzip\r\n"


def trickle(connection: socket.socket, request: bytes) -> None:
    """A 200 whose 40-byte body arrives one byte every 0.3 s: each wait is short, the whole
    is 12 s."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 40\r\n\r\n")
    for _ in range(40):
        time.sleep(0.3)
        connection.sendall(b" ")


def trickle_head(connection: socket.socket, request: bytes) -> None:
    """An answer whose head arrives one byte every 0.3 s: each wait is short, the whole is 12 s
    (h11 would wait for up to 64 KiB of head)."""
    connection.sendall(b"HTTP/1.1 200 OK\r\n")
    for _ in range(40):
        time.sleep(0.3)
        connection.sendall(b"X")


def closed_mid_body(connection: socket.socket, request: bytes) -> None:
    connection.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"orderId": 1')


def no_answer(connection: socket.socket, request: bytes) -> None:
    """The connection is closed as soon as the request has arrived."""


def api_key_sent(request: bytes) -> bytes:
    for line in request.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"x-mbx-apikey":
            return value.strip()
    return b"(none)"


def firewall_echo(connection: socket.socket, request: bytes) -> None:
    """A web firewall page quoting the request back, key first, as some do."""
    line = request.partition(b"\r\n")[0]
    page = b"<html>Blocked. Key %s, request %s</html>" % (api_key_sent(request), line)
    connection.sendall(reply(403, page).replace(b"application/json", b"text/html"))


def parameter_echo(connection: socket.socket, request: bytes) -> None:
    """A -1100 whose message quotes the query and the key (Binance quotes parameters)."""
    query = request.split(b" ")[1].partition(b"?")[2].decode()
    key = api_key_sent(request).decode()
    msg = f"Illegal characters found in a parameter. Query: {query}; key {key}"
    connection.sendall(error(400, -1100, msg))


@dataclass(frozen=True)
class Fault:
    id: str
    reply: Reply
    #: What the fault raises when it is the answer to the cancel.
    cancel: type[BinanceError]

    def expected(self, stage: str) -> type[BinanceError]:
        """An answer that refuses (4XX) is raised as it is at any stage. Otherwise the time
        fetch after -1021 leaves the cancel refused for its timestamp, and a failed sync_clock
        is ClockSyncFailed unless the exchange answered with an error status."""
        if stage == "cancel" or issubclass(self.cancel, RequestRejected):
            return self.cancel
        if stage == "time-fetch":
            return TimestampRejected
        return self.cancel if issubclass(self.cancel, BinanceAPIError) else ClockSyncFailed


UNKNOWN: Final = ExecutionStatusUnknown
FAULTS: Final = [
    Fault("stall-mid-body", HANG, UNKNOWN),
    Fault("closed-mid-body", closed_mid_body, UNKNOWN),
    Fault("no-answer", no_answer, UNKNOWN),
    Fault("trickle-past-deadline", trickle, UNKNOWN),
    Fault("head-trickle-past-deadline", trickle_head, UNKNOWN),
    Fault("corrupt-gzip-200", reply(200, b"not gzip", GZIP), UNKNOWN),
    Fault("corrupt-gzip-400", reply(400, b"not gzip", GZIP), UNKNOWN),
    Fault("corrupt-gzip-503", reply(503, b"not gzip", GZIP), UNKNOWN),
    # A complete order padded with whitespace (still valid JSON): 16 KiB on the wire, 16 MiB
    # decoded; and 2 MiB as it is, over the size cap.
    Fault("gzip-bomb", reply(200, gzip.compress(ORDER + b" " * (16 << 20)), GZIP), UNKNOWN),
    Fault("over-size-cap", reply(200, ORDER + b" " * (2 << 20)), UNKNOWN),
    Fault("deep-json-200", reply(200, b"[" * 200_000), UNKNOWN),
    Fault("deep-json-400", reply(400, b"[" * 200_000), RequestRejected),
    Fault("deep-json-503", reply(503, b"[" * 200_000), UNKNOWN),
    Fault("not-json-200", reply(200, b'{"orderId": 1} trailing'), UNKNOWN),
    Fault("accepted-202", reply(202, ORDER), UNKNOWN),
    Fault("odd-2xx-299", reply(299, ORDER), UNKNOWN),
    Fault("redirect-301", reply(301, b"", "Location: http://127.0.0.1:9/\r\n"), UNKNOWN),
    Fault("redirect-307", reply(307, ORDER, "Location: /dapi/v1/order\r\n"), UNKNOWN),
    Fault("1006-at-503", error(503, -1006, "Service Unavailable."), UNKNOWN),
    Fault("1007-at-400", error(400, -1007, "Timeout waiting for response."), UNKNOWN),
    Fault("server-time-1e400", reply(200, b'{"serverTime": 1e400}'), UNKNOWN),
    Fault("server-time-true", reply(200, b'{"serverTime": true}'), UNKNOWN),
    Fault("server-time-10e30", reply(200, b'{"serverTime": %d}' % 10**30), UNKNOWN),
    Fault("server-time-text", reply(200, b'{"serverTime": "1732450000000"}'), UNKNOWN),
    Fault("server-time-list", reply(200, b"[1732450000000]"), UNKNOWN),
    Fault("empty-object", reply(200, b"{}"), UNKNOWN),
    Fault("firewall-page-echoes-request", firewall_echo, FirewallRejected),
    Fault("1100-quotes-query", parameter_echo, InvalidParameter),
]
#: Each stage: the replies before the fault, and the paths the server must have seen.
STAGES: Final = {
    "cancel": ([], ["/dapi/v1/order"]),
    "time-fetch": ([TIMESTAMP_REJECTED], ["/dapi/v1/order", "/dapi/v1/time"]),
    "sync-clock": ([], ["/dapi/v1/time"]),
}
HTTPX_MODULES: Final = {"httpx", "httpcore", "h11", "h2", "anyio", "ssl"}


def reachable(root: object) -> Iterator[object]:
    """Everything reachable from an exception: attributes, args, causes, contexts, items."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        value = stack.pop()
        if id(value) in seen or isinstance(value, str | bytes | int | float | type(None)):
            continue
        seen.add(id(value))
        yield value
        if isinstance(value, BaseException):
            stack += [*value.args, value.__cause__, value.__context__]
        if isinstance(value, dict):
            stack += [*value.keys(), *value.values()]
        elif isinstance(value, list | tuple | set | frozenset):
            stack += list(value)
        stack += list(getattr(value, "__dict__", {}).values())


def httpx_objects(error: BaseException) -> list[object]:
    """Whatever reachable from ``error`` belongs to httpx or the libraries below it."""
    return [v for v in reachable(error) if type(v).__module__.partition(".")[0] in HTTPX_MODULES]


def secrets_seen(server: ScriptedServer) -> list[str]:
    """The key, the secret and every signature the server received."""
    found = [API_KEY, SECRET]
    for head in server.requests:
        target = head.split(b" ")[1].decode()
        if "signature=" in target:
            signature = target.rpartition("signature=")[2]
            found += [signature, unquote(signature)]
    return found


def run(stage: str, mode: str, server: ScriptedServer, backend_args: dict[str, Any]) -> None:
    args: dict[str, Any] = {
        "api_key": API_KEY,
        "secret": SECRET,
        "base_url": server.url,
        "timeout": TIMEOUT,
        "sync_clock": stage == "sync-clock",
    }
    if mode == "sync":
        with connect(**args) as client:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
        return

    async def main() -> None:
        async with connect(**backend_args, **args) as client:
            await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)

    asyncio.run(main())


CELLS: Final = [
    pytest.param(fault, stage, id=f"{fault.id}-{stage}") for fault in FAULTS for stage in STAGES
]


@pytest.mark.parametrize(("fault", "stage"), CELLS)
def test_sync(fault: Fault, stage: str) -> None:
    check(fault, stage, "sync", {})


@pytest.mark.parametrize(("fault", "stage"), CELLS)
def test_async(fault: Fault, stage: str, backend_args: dict[str, Any]) -> None:
    check(fault, stage, "async", backend_args)


def check(fault: Fault, stage: str, mode: str, backend_args: dict[str, Any]) -> None:
    before, paths = STAGES[stage]
    with scripted_server([*before, fault.reply]) as server:
        with pytest.raises(BinanceError) as raised:
            run(stage, mode, server, backend_args)
    error = raised.value
    assert type(error) is fault.expected(stage), repr(error)
    foreign = [v for v in reachable(error) if type(v).__module__.partition(".")[0] in HTTPX_MODULES]
    assert foreign == []
    for secret in secrets_seen(server):
        assert secret not in str(error)
        assert secret not in repr(error)
    assert server.paths == paths


def test_the_walk_finds_httpx_objects_however_deep() -> None:
    """The matrix's own check can fail: an httpx object two links down is found."""
    request = httpx.Request("DELETE", "http://127.0.0.1/dapi/v1/order?signature=00")
    inner = ExecutionStatusUnknown("inner")
    inner.__context__ = httpx.ReadError("reset", request=request)
    outer = BinanceError("outer")
    outer.__cause__ = inner
    found = httpx_objects(outer)
    assert any(isinstance(v, httpx.ReadError) for v in found)
    assert any(isinstance(v, httpx.Request) for v in found)
    assert any(isinstance(v, httpx.URL) for v in found)

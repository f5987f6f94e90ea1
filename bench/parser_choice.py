"""Which HTTP/1.1 parser the asyncio backend uses: httptools (llhttp) or h11, side by side.

    python bench/parser_choice.py [--calls 20000] [--rounds 5]

Two prototypes of the backend's hot path, identical but for the parser: an ``asyncio.Protocol``
per kept-alive connection writes a signed cancel and parses the answer (status, headers, a
Content-Length body), 32 in flight, against bench/server.py in its own process. Each round
runs both, alternating which goes first; the figure is this process's CPU per call, and the
result is the ratio h11 ÷ httptools per round (one machine, one run: never a timed test).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

import h11
import httptools

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clients import API_KEY, ORDER_PATH, _signed_query
from run import bench_server

IN_FLIGHT: Final = 32


class _Base(asyncio.Protocol):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def finish(self, status: int, body: bytes) -> None:
        assert self.waiter is not None
        self.waiter.set_result((status, body))

    async def call(self, head: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = self.loop.create_future()
        self.transport.write(head)
        return await self.waiter


class WithHttptools(_Base):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.parser = httptools.HttpResponseParser(self)
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_begin(self) -> None:
        self.headers, self.body = [], []

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.finish(self.parser.get_status_code(), b"".join(self.body))


class WithH11(_Base):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.connection = h11.Connection(h11.CLIENT)
        self.status = 0
        self.body: list[bytes] = []

    async def call(self, head: bytes) -> tuple[int, bytes]:
        # h11 tracks both directions: the request goes through it, as a backend's would.
        if self.connection.our_state is h11.DONE:
            self.connection.start_next_cycle()
        method, target, _ = head.split(b" ", 2)
        lines = head.split(b"\r\n")[1:-2]
        headers = [(name, value) for name, _, value in (line.partition(b": ") for line in lines)]
        data = self.connection.send(h11.Request(method=method, target=target, headers=headers))
        data += self.connection.send(h11.EndOfMessage())
        assert self.transport is not None
        self.waiter = self.loop.create_future()
        self.transport.write(data)
        return await self.waiter

    def data_received(self, data: bytes) -> None:
        self.connection.receive_data(data)
        while True:
            event = self.connection.next_event()
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return
            if isinstance(event, h11.Response):
                self.status, self.body = event.status_code, []
            elif isinstance(event, h11.Data):
                self.body.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self.finish(self.status, b"".join(self.body))


async def cpu_per_call(
    kind: Callable[[asyncio.AbstractEventLoop], _Base], url: str, calls: int
) -> float:
    loop = asyncio.get_running_loop()
    host, port = url.removeprefix("http://").split(":")
    connections = []
    for _ in range(IN_FLIGHT):
        protocol = kind(loop)
        await loop.create_connection(lambda p=protocol: p, host, int(port))  # type: ignore[misc]
        connections.append(protocol)
    numbers = iter(range(calls))
    authority = f"{host}:{port}".encode()

    async def worker(protocol: _Base) -> None:
        for order_id in numbers:
            target = b"%s?%s" % (ORDER_PATH.encode(), _signed_query(order_id + 1))
            head = (
                b"DELETE %s HTTP/1.1\r\nHost: %s\r\nX-MBX-APIKEY: %s\r\n"
                b"Accept-Encoding: identity\r\n\r\n" % (target, authority, API_KEY.encode())
            )
            status, body = await protocol.call(head)
            assert status == 200, body

    started = time.process_time()
    await asyncio.gather(*(worker(p) for p in connections))
    spent = time.process_time() - started
    for protocol in connections:
        assert protocol.transport is not None
        protocol.transport.close()
    return spent / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ratios = []
    with bench_server(None) as url:
        asyncio.run(cpu_per_call(WithHttptools, url, 1000))  # warm both, and the server
        asyncio.run(cpu_per_call(WithH11, url, 1000))
        for number in range(args.rounds):
            order = [WithHttptools, WithH11] if number % 2 == 0 else [WithH11, WithHttptools]
            spent = {
                kind.__name__: asyncio.run(cpu_per_call(kind, url, args.calls)) for kind in order
            }
            ratios.append(spent["WithH11"] / spent["WithHttptools"])
            print(
                f"round {number + 1}: httptools {spent['WithHttptools']:.1f} µs/call, "
                f"h11 {spent['WithH11']:.1f} µs/call, h11 ÷ httptools {ratios[-1]:.2f}",
                flush=True,
            )
    print(f"median h11 ÷ httptools over {args.rounds} rounds: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()

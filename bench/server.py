"""A lean keep-alive HTTP/1.1 server that checks Binance HMAC signatures, for the benchmark.

Every client is measured against this one server, run in its own process so its CPU is not
charged to the client. Its HTTP layer is deliberately small and fast (raw asyncio protocol, no
framework) so that it is never the bottleneck: what differs between rows of results.md is the
client.

What it checks and how it answers are the local exchange's (binance_coinm_futures.testing),
written from Binance's rules and never from our signer: ``X-MBX-APIKEY`` must name the key;
``signature`` must be the last parameter of totalParams (query string then body, the exact
bytes received) and its HMAC-SHA256 (-1022 otherwise); ``timestamp`` must lie within
``recvWindow``; the parameters are read and refused as the local exchange reads them (a batch
list that is not a JSON list is -1130, as Binance answers it).

It holds an order book for the "pull 32 quotes" row: ``POST /bench/seed?symbol=S&count=N``
empties the symbol's book and places N new open orders (their ids, from 10**12 up, are
answered), and Cancel Order, Cancel Multiple Orders, Cancel All Open Orders and Current All
Open Orders act on that book as Binance does (a second cancel of an order is -2011).
``GET /bench/book?symbol=S`` tells how many of its orders are still open. A cancel of an id
below 10**12 (the per-call rows, which cancel ids 1, 2, 3...) succeeds on any id, with no book.
``GET /bench/stats`` returns the accept/reject counts so each run can prove its calls were
verified here.

    python bench/server.py --api-key K --secret S   # prints BENCH_SERVER_URL=http://...

``--delay-ms D`` answers each request D ms after it arrived, as a distant exchange would (a
simulated round trip, without blocking the other connections): the cancel-storm server. The
/bench/ control paths are always answered at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl

import yaml

from binance_coinm_futures.testing import Order
from binance_coinm_futures.testing._rules import (
    Rejection,
    check_batch,
    check_cancel,
    check_optional_symbol,
    check_symbol,
    parse_form,
)
from binance_coinm_futures.testing._signatures import HmacVerifier, split_signed
from binance_coinm_futures.testing._spec import cancel_all_answer

_HEAD_END: Final = b"\r\n\r\n"
_MAX_HEAD: Final = 64 * 1024
_REASONS: Final = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
_TIME_PATHS: Final = frozenset({b"/dapi/v1/time", b"/fapi/v1/time", b"/api/v3/time"})
# python-binance pings its spot API when a client is created.
_PING_PATHS: Final = frozenset({b"/dapi/v1/ping", b"/fapi/v1/ping", b"/api/v3/ping"})
_SPEC: Final = Path(__file__).resolve().parent.parent / "openapi.yaml"
BOOK_IDS: Final = 10**12
"""Seeded orders' ids count from here; a cancel of a lower id succeeds with no book."""
_JSON: Final = json.JSONEncoder(separators=(",", ":"))


def _order_example() -> dict[str, object]:
    """Today's cancel answer as openapi.yaml shows it: every field a real answer has."""
    with _SPEC.open("rb") as handle:
        spec = yaml.safe_load(handle)
    ok = spec["paths"]["/dapi/v1/order"]["delete"]["responses"]["200"]
    return dict(ok["content"]["application/json"]["examples"]["current"]["value"])


_ORDER_EXAMPLE: Final = _order_example()

# Just enough of exchangeInfo for ccxt's load_markets() to know BTCUSD_PERP.
_EXCHANGE_INFO: Final = {
    "timezone": "UTC",
    "serverTime": 0,
    "rateLimits": [],
    "exchangeFilters": [],
    "symbols": [
        {
            "symbol": "BTCUSD_PERP",
            "pair": "BTCUSD",
            "contractType": "PERPETUAL",
            "deliveryDate": 4133404800000,
            "onboardDate": 1597042800000,
            "contractStatus": "TRADING",
            "contractSize": 100,
            "marginAsset": "BTC",
            "maintMarginPercent": "2.5000",
            "requiredMarginPercent": "5.0000",
            "baseAsset": "BTC",
            "quoteAsset": "USD",
            "pricePrecision": 1,
            "quantityPrecision": 0,
            "baseAssetPrecision": 8,
            "quotePrecision": 8,
            "equalQtyPrecision": 4,
            "triggerProtect": "0.0500",
            "underlyingType": "COIN",
            "underlyingSubType": [],
            "filters": [
                {
                    "filterType": "PRICE_FILTER",
                    "minPrice": "1000",
                    "maxPrice": "4520958",
                    "tickSize": "0.1",
                },
                {"filterType": "LOT_SIZE", "stepSize": "1", "maxQty": "1000000", "minQty": "1"},
            ],
            "orderTypes": ["LIMIT", "MARKET"],
            "timeInForce": ["GTC", "IOC", "FOK", "GTX"],
            "liquidationFee": "0.010000",
            "marketTakeBound": "0.05",
        }
    ],
}


Answer = tuple[int, bytes]
Params = dict[str, str]


class BenchExchange:
    """The account (one API key and its HMAC secret), its order book, and what was accepted
    and rejected."""

    def __init__(self, api_key: str, secret: str) -> None:
        self.api_key = api_key.encode()
        self._verifier = HmacVerifier(secret)
        self.counts: Counter[str] = Counter()
        self._book: dict[int, tuple[Order, int]] = {}  # open orders: (order, created ms)
        self._next_id = BOOK_IDS
        self.routes: dict[tuple[bytes, bytes], Callable[[Params, int], Answer]] = {
            (b"DELETE", b"/dapi/v1/order"): self._cancel,
            (b"DELETE", b"/dapi/v1/batchOrders"): self._batch,
            (b"DELETE", b"/dapi/v1/allOpenOrders"): self._cancel_all,
            (b"GET", b"/dapi/v1/openOrders"): self._open_orders,
            # No conditional orders are ever held here: the algo service is always empty.
            (b"DELETE", b"/dapi/v1/algoOpenOrders"): self._cancel_all_algo,
            (b"GET", b"/dapi/v1/openAlgoOrders"): self._open_algo_orders,
        }

    def signed(
        self,
        route: Callable[[Params, int], Answer],
        headers: dict[bytes, bytes],
        query: bytes,
        body: bytes,
    ) -> Answer:
        """Key, then signature over the exact bytes, then the route's own checks."""
        self.counts["signed"] += 1
        if headers.get(b"x-mbx-apikey") != self.api_key:
            return self._reject(401, -2015, "Invalid API-key, IP, or permissions for action.")
        signed = split_signed(query + body)
        if signed is None or not self._verifier.verify(*signed):
            return self._reject(400, -1022, "Signature for this request is not valid.")
        params: Params = {}
        parse_form(query, params)
        parse_form(body, params)
        try:
            status, payload = route(params, time.time_ns() // 1_000_000)
        except Rejection as rejection:
            return self._reject(rejection.status, rejection.code, rejection.msg)
        self.counts["accepted"] += 1
        return status, payload

    def _reject(self, status: int, code: int, msg: str) -> Answer:
        self.counts[f"rejected {code}"] += 1
        return status, _JSON.encode({"code": code, "msg": msg}).encode()

    # -- the order book ---------------------------------------------------------------------

    def seed(self, symbol: str, count: int) -> list[int]:
        """Empty ``symbol``'s book, then place ``count`` new open orders; their ids."""
        self._take(symbol)
        now = time.time_ns() // 1_000_000
        ids = list(range(self._next_id, self._next_id + count))
        self._next_id += count
        for order_id in ids:
            self._book[order_id] = (Order(order_id, f"quote-{order_id}", symbol), now)
        return ids

    def open_count(self, symbol: str) -> int:
        return sum(1 for order, _ in self._book.values() if order.symbol == symbol)

    def _take(self, symbol: str) -> list[Order]:
        taken = [order for order, _ in self._book.values() if order.symbol == symbol]
        for order in taken:
            del self._book[order.order_id]
        return taken

    def _cancel_one(self, symbol: str, order_id: int, now: int) -> dict[str, object] | None:
        held = self._book.get(order_id)
        if held is None or held[0].symbol != symbol:
            return None
        del self._book[order_id]
        return held[0].cancel_response(status="CANCELED", update_time=now)

    # -- the routes -------------------------------------------------------------------------

    def _cancel(self, params: Params, now: int) -> Answer:
        cancel = check_cancel(params, now)
        if cancel.order_id is None or cancel.order_id < BOOK_IDS:
            return 200, _order(
                cancel.symbol, cancel.order_id or 1, cancel.client_order_id or "bench"
            )
        answer = self._cancel_one(cancel.symbol, cancel.order_id, now)
        if answer is None:
            raise Rejection(400, -2011, "Unknown order sent.")
        return 200, _JSON.encode(answer).encode()

    def _batch(self, params: Params, now: int) -> Answer:
        batch = check_batch(params, now)
        if batch.order_ids is None:
            raise Rejection(400, -1102, "The bench server's book is cancelled by orderIdList.")
        unknown = {"code": -2011, "msg": "Unknown order sent."}
        items = [self._cancel_one(batch.symbol, i, now) or unknown for i in batch.order_ids]
        return 200, _JSON.encode(items).encode()

    def _cancel_all(self, params: Params, now: int) -> Answer:
        self._take(check_symbol(params, now).symbol or "")
        return 200, _JSON.encode(cancel_all_answer()).encode()

    def _open_orders(self, params: Params, now: int) -> Answer:
        symbol = check_optional_symbol(params, now).symbol
        listed = [
            order.query_response(created_ms=created)
            for order, created in self._book.values()
            if symbol in (None, order.symbol)
        ]
        return 200, _JSON.encode(listed).encode()

    def _cancel_all_algo(self, params: Params, now: int) -> Answer:
        check_symbol(params, now)
        return 200, _JSON.encode(cancel_all_answer()).encode()

    def _open_algo_orders(self, params: Params, now: int) -> Answer:
        check_optional_symbol(params, now)
        return 200, b"[]"


def _order(symbol: str, order_id: int, client_order_id: str) -> bytes:
    now = time.time_ns() // 1_000_000
    fields = {"symbol": symbol, "orderId": order_id, "clientOrderId": client_order_id}
    answer = {**_ORDER_EXAMPLE, **fields, "time": now, "updateTime": now}
    return json.dumps(answer, separators=(",", ":")).encode()


class Connection(asyncio.Protocol):
    """One keep-alive connection: parse pipelined requests from a buffer, answer each in turn."""

    def __init__(self, exchange: BenchExchange, delay_s: float = 0.0) -> None:
        self._exchange = exchange
        self._delay_s = delay_s
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._transport is not None and self._handle_one():
            pass

    def _handle_one(self) -> bool:
        assert self._transport is not None
        end = self._buffer.find(_HEAD_END)
        if end < 0:
            if len(self._buffer) > _MAX_HEAD:
                self._transport.close()
            return False
        lines = self._buffer[:end].split(b"\r\n")
        headers: dict[bytes, bytes] = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get(b"content-length", b"0"))
        if len(self._buffer) < end + 4 + length:
            return False
        body = self._buffer[end + 4 : end + 4 + length]
        self._buffer = self._buffer[end + 4 + length :]
        method, target, _version = lines[0].split(b" ", 2)
        path, _, query = target.partition(b"?")
        status, payload = self._route(method, path, query, headers, body)
        close = headers.get(b"connection", b"").lower() == b"close"
        answer = (
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            b"X-MBX-USED-WEIGHT-1M: 1\r\nX-MBX-ORDER-COUNT-1M: 1\r\n%s\r\n%s"
            % (
                status,
                _REASONS[status].encode(),
                len(payload),
                b"Connection: close\r\n" if close else b"",
                payload,
            )
        )
        if self._delay_s and not path.startswith(b"/bench/"):
            # Answers on one connection leave in the order their requests came (same delay).
            asyncio.get_running_loop().call_later(
                self._delay_s, self._send, self._transport, answer, close
            )
            if close:
                self._transport = None
            return True
        self._send(self._transport, answer, close)
        if close:
            self._transport = None
        return True

    @staticmethod
    def _send(transport: asyncio.Transport, answer: bytes, close: bool) -> None:
        if transport.is_closing():
            return
        transport.write(answer)
        if close:
            transport.close()

    def _route(
        self, method: bytes, path: bytes, query: bytes, headers: dict[bytes, bytes], body: bytes
    ) -> tuple[int, bytes]:
        exchange = self._exchange
        route = exchange.routes.get((method, path))
        if route is not None:
            return exchange.signed(route, headers, query, body)
        if path.startswith(b"/bench/"):
            return self._control(method, path, query)
        if method == b"GET":
            if path in _TIME_PATHS:
                return 200, b'{"serverTime":%d}' % (time.time_ns() // 1_000_000)
            if path in _PING_PATHS:
                return 200, b"{}"
            if path == b"/dapi/v1/exchangeInfo":
                return 200, json.dumps(_EXCHANGE_INFO).encode()
        exchange.counts["not_found"] += 1
        print(f"404 {method.decode()} {path.decode()}", file=sys.stderr, flush=True)
        return 404, b'{"code":-1000,"msg":"not served by the bench server"}'

    def _control(self, method: bytes, path: bytes, query: bytes) -> tuple[int, bytes]:
        """The benchmark's own requests: never signed, never counted, never delayed."""
        exchange = self._exchange
        args = dict(parse_qsl(query.decode("ascii", "replace")))
        if method == b"GET" and path == b"/bench/stats":
            return 200, json.dumps(exchange.counts).encode()
        if method == b"POST" and path == b"/bench/seed":
            ids = exchange.seed(args["symbol"], int(args["count"]))
            return 200, json.dumps({"ids": ids}).encode()
        if method == b"GET" and path == b"/bench/book":
            return 200, json.dumps({"open": exchange.open_count(args["symbol"])}).encode()
        return 404, b'{"code":-1000,"msg":"no such control path"}'

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None


async def serve(api_key: str, secret: str, port: int, max_seconds: float, delay_ms: float) -> None:
    exchange = BenchExchange(api_key, secret)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Connection(exchange, delay_ms / 1000),
        "127.0.0.1",
        port,
        backlog=256,
        reuse_address=True,
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"BENCH_SERVER_URL=http://127.0.0.1:{bound}", flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        # Bounded: a forgotten server stops by itself.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    parser.add_argument("--cpu", type=int, help="pin the server to this CPU")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="simulated round trip")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    asyncio.run(serve(args.api_key, args.secret, args.port, args.max_seconds, args.delay_ms))


if __name__ == "__main__":
    main()

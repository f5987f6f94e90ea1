"""A lean keep-alive HTTP/1.1 server that checks Binance HMAC signatures, for the benchmark.

Every client is measured against this one server, run in its own process so its CPU is not
charged to the client. It is deliberately small and fast (raw asyncio protocol, no framework)
so that it is never the bottleneck: what differs between rows of results.md is the client.

The checks follow Binance's rules, not our signer: ``X-MBX-APIKEY`` must name the key;
``signature`` is the hex HMAC-SHA256 of totalParams (query string then body, as received,
without the signature parameter); ``timestamp`` must lie within ``recvWindow``. Cancels of any
order succeed ("no order book"). ``GET /bench/stats`` returns the accept/reject counts so each
run can prove its calls were verified here.

    python bench/server.py --api-key K --secret S   # prints BENCH_SERVER_URL=http://...

``--delay-ms D`` answers each request D ms after it arrived, as a distant exchange would (a
simulated round trip, without blocking the other connections): the cancel-storm server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl

import yaml

_HEAD_END: Final = b"\r\n\r\n"
_MAX_HEAD: Final = 64 * 1024
_REASONS: Final = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
_ORDER_PATH: Final = b"/dapi/v1/order"
_TIME_PATHS: Final = frozenset({b"/dapi/v1/time", b"/fapi/v1/time", b"/api/v3/time"})
# python-binance pings its spot API when a client is created.
_PING_PATHS: Final = frozenset({b"/dapi/v1/ping", b"/fapi/v1/ping", b"/api/v3/ping"})
_DEFAULT_RECV_WINDOW_MS: Final = 5000
_SPEC: Final = Path(__file__).resolve().parent.parent / "openapi.yaml"


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


class Verifier:
    """The account: one API key and its HMAC secret, plus what was accepted and rejected."""

    def __init__(self, api_key: str, secret: str) -> None:
        self.api_key = api_key.encode()
        self._secret = secret.encode()
        self.counts: Counter[str] = Counter()

    def cancel(self, headers: dict[bytes, bytes], query: bytes, body: bytes) -> tuple[int, bytes]:
        if headers.get(b"x-mbx-apikey") != self.api_key:
            return self._reject("bad_api_key", 401, -2015, "Invalid API-key, IP, or permissions.")
        payload = _without_signature(query, body)
        if payload is None:
            return self._reject("bad_signature", 400, -1022, "Signature is missing or not last.")
        signed, signature = payload
        expected = hmac.new(self._secret, signed, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(expected, signature.lower()):
            return self._reject("bad_signature", 400, -1022, "Signature is not valid.")
        params = dict(parse_qsl(signed.decode("ascii", "replace"), keep_blank_values=True))
        if not _timestamp_ok(params):
            return self._reject("bad_timestamp", 400, -1021, "Timestamp outside recvWindow.")
        symbol = params.get("symbol")
        order_id = params.get("orderId")
        client_id = params.get("origClientOrderId")
        if not symbol or not (order_id or client_id):
            return self._reject("bad_params", 400, -1102, "symbol and an order id are required.")
        self.counts["accepted"] += 1
        return 200, _order(symbol, int(order_id) if order_id else 1, client_id or "bench")

    def _reject(self, reason: str, status: int, code: int, msg: str) -> tuple[int, bytes]:
        self.counts[reason] += 1
        return status, json.dumps({"code": code, "msg": msg}).encode()


def _without_signature(query: bytes, body: bytes) -> tuple[bytes, bytes] | None:
    """(totalParams without the signature, the signature), the signature last in its part."""
    for index, part in enumerate((query, body)):
        head, found, signature = part.rpartition(b"signature=")
        if not found:
            continue
        if (head and not head.endswith(b"&")) or b"&" in signature:
            return None
        stripped = head[:-1]
        return (stripped + body if index == 0 else query + stripped), signature
    return None


def _timestamp_ok(params: dict[str, str]) -> bool:
    try:
        stamp = int(params["timestamp"])
        window = int(params.get("recvWindow", _DEFAULT_RECV_WINDOW_MS))
    except (KeyError, ValueError):
        return False
    now = time.time_ns() // 1_000_000
    return stamp - 1000 <= now <= stamp + window


def _order(symbol: str, order_id: int, client_order_id: str) -> bytes:
    now = time.time_ns() // 1_000_000
    fields = {"symbol": symbol, "orderId": order_id, "clientOrderId": client_order_id}
    answer = {**_ORDER_EXAMPLE, **fields, "time": now, "updateTime": now}
    return json.dumps(answer, separators=(",", ":")).encode()


class Connection(asyncio.Protocol):
    """One keep-alive connection: parse pipelined requests from a buffer, answer each in turn."""

    def __init__(self, verifier: Verifier, delay_s: float = 0.0) -> None:
        self._verifier = verifier
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
        if self._delay_s and path != b"/bench/stats":
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
        if method == b"DELETE" and path == _ORDER_PATH:
            return self._verifier.cancel(headers, query, body)
        if method == b"GET":
            if path in _TIME_PATHS:
                return 200, b'{"serverTime":%d}' % (time.time_ns() // 1_000_000)
            if path in _PING_PATHS:
                return 200, b"{}"
            if path == b"/dapi/v1/exchangeInfo":
                return 200, json.dumps(_EXCHANGE_INFO).encode()
            if path == b"/bench/stats":
                return 200, json.dumps(self._verifier.counts).encode()
        self._verifier.counts["not_found"] += 1
        print(f"404 {method.decode()} {path.decode()}", file=sys.stderr, flush=True)
        return 404, b'{"code":-1000,"msg":"not served by the bench server"}'

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None


async def serve(api_key: str, secret: str, port: int, max_seconds: float, delay_ms: float) -> None:
    verifier = Verifier(api_key, secret)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Connection(verifier, delay_ms / 1000),
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

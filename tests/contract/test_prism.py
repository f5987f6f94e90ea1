"""The generated client and the local exchange, talking THROUGH Prism's validation proxy.

Prism (`prism proxy openapi.yaml <exchange> --errors`) checks every request and every answer
against openapi.yaml. A violation comes back as Prism's own answer — a problem+json body, or
an ``sl-violations`` header for the milder ones — which the exchange never sends. A response
hook on the client turns either into a `PrismViolation` carrying Prism's message, so a
contract break fails the test that caused it, and a test that passes saw zero violations.

What Prism makes of this spec:

* It reads the three security schemes, the header and the two apiKey-in-query ones, as one
  requirement: a request without timestamp and signature gets Prism's 401.
* It accepts the 403 and 502 text/html pages and Retry-After as documented.
* It compiles `pattern` with JavaScript's Unicode flag and, when one does not compile (an
  identity escape such as ``\\:``, as Binance writes its id pattern), drops the whole query's
  validation without a word. openapi.yaml therefore writes every pattern without redundant
  escapes; `test_spec_patterns_compile_in_unicode_mode` keeps it so, and
  `test_prism_validates_the_query` shows validation is on.
* It caps int64 at 2**53 - 1, JavaScript's safe integers, so the order ids here stay below.
* The transport faults (a reset, a truncated body, a late answer) are not HTTP answers the
  spec documents; Prism turns them into its own 500, as `test_truncated_json_is_caught` shows.
  tests/wire covers them.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from binance_coinm_futures import (
    ApiKeyRejected,
    BinanceAuth,
    BinanceError,
    ExecutionStatusUnknown,
    FirewallRejected,
    HmacSigner,
    InvalidSignature,
    IpBanned,
    RateLimited,
    ServiceUnavailable,
    UnknownOrder,
    cancel_and_confirm,
    cancel_batch,
    connect,
    flatten_book,
)
from binance_coinm_futures.api.trade import auto_cancel_all_open_orders, cancel_order, query_order
from binance_coinm_futures.testing import Fault, LocalExchange, Order
from tests.conftest import BACKENDS
from tests.contract.conftest import LOOPBACK, NODE_BIN, SPEC, free_port, stop, wait_for_port
from tests.wire.conftest import HMAC_KEY, HMAC_SECRET, KEY_KINDS, credentials

PRISM = NODE_BIN / "prism"
PRISM_START_TIMEOUT = 30.0
SYMBOL = "BTCUSD_PERP"


class PrismViolation(AssertionError):
    """Prism found the traffic breaking openapi.yaml; the message is Prism's own."""


# -- the proxy --------------------------------------------------------------------------------


@contextmanager
def prism_proxy(spec: Path, upstream: str, log: Path) -> Iterator[str]:
    """Run `prism proxy` in front of `upstream` on a loopback port; yield its base URL."""
    port = free_port()
    command = [str(PRISM), "proxy", str(spec), upstream, "--errors"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--host", LOOPBACK, "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log, PRISM_START_TIMEOUT)
        yield f"http://{LOOPBACK}:{port}"
    finally:
        stop(process)


@pytest.fixture(scope="module")
def prism(exchange: LocalExchange, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("prism-log") / "prism.log"
    with prism_proxy(SPEC, exchange.url, log) as url:
        yield url


def fail_on_violation(response: httpx.Response) -> None:
    """Response hook: raise Prism's own report of a violation as the test's failure."""
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    violations = response.headers.get("sl-violations")
    if violations:
        raise PrismViolation(f"{where}: {violations}")
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        response.read()
        raise PrismViolation(f"{where}: {response.text}")


HOOKS: Mapping[str, list[Callable[[httpx.Response], None]]] = {"response": [fail_on_violation]}


async def fail_on_violation_async(response: httpx.Response) -> None:
    """The same hook for the async client (the boundary has already read the body)."""
    fail_on_violation(response)


ASYNC_HOOKS: Mapping[str, list[Callable[[httpx.Response], Awaitable[None]]]] = {
    "response": [fail_on_violation_async]
}


def through(prism: str, kind: str = "hmac", **overrides: Any) -> Any:
    """The generated client, via connect(), pointed at Prism with the violation hook.

    connect() refuses httpx's event_hooks (they see the signed request); a test that needs
    Prism's response headers sets them on the httpx clients connect() made.
    """
    client = connect(**{**credentials(kind), "base_url": prism, **overrides})
    client.get_httpx_client().event_hooks = dict(HOOKS)
    client.get_async_httpx_client().event_hooks = dict(ASYNC_HOOKS)
    return client


def seed(exchange: LocalExchange, order_id: int, client_order_id: str) -> None:
    exchange.add_order(Order(order_id=order_id, client_order_id=client_order_id, symbol=SYMBOL))


# -- conforming traffic: zero violations -------------------------------------------------------


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_cancel_by_each_id(prism: str, exchange: LocalExchange, kind: str) -> None:
    base = 10_000 + 10 * KEY_KINDS.index(kind)
    seed(exchange, base + 1, f"prism-{kind}-1")
    seed(exchange, base + 2, f"desk:7/prism-{kind}.2")
    # sync_clock sends the time endpoint through Prism too; the hooked client fetches it again,
    # so Prism's verdict on that answer is checked.
    with through(prism, kind, sync_clock=True) as client:
        client.get_httpx_client().get("/dapi/v1/time")
        by_id = cancel_order.sync(client=client, symbol=SYMBOL, order_id=base + 1)
        by_client_id = cancel_order.sync(
            client=client, symbol=SYMBOL, orig_client_order_id=f"desk:7/prism-{kind}.2"
        )
    assert (by_id.order_id, by_id.status) == (base + 1, "CANCELED")
    assert (by_client_id.order_id, by_client_id.client_order_id) == (
        base + 2,
        f"desk:7/prism-{kind}.2",
    )
    # Prism re-encodes the query it forwards; the signature still held, so the bytes agree.
    assert b"origClientOrderId=desk%3A7%2Fprism-" in exchange.requests[-1].raw_target


@pytest.mark.anyio
async def test_async_cancel_by_each_id(
    prism: str, exchange: LocalExchange, backend_args: dict[str, Any]
) -> None:
    base = 10_050 + 10 * sorted(BACKENDS).index(backend_args["async_backend"])
    seed(exchange, base + 1, f"prism-async-{base}")
    seed(exchange, base + 2, f"desk:7/prism-async.{base}")
    client = through(prism, **backend_args)
    async with client:
        by_id = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=base + 1)
        by_client_id = await cancel_order.asyncio(
            client=client, symbol=SYMBOL, orig_client_order_id=f"desk:7/prism-async.{base}"
        )
    assert (by_id.order_id, by_id.status) == (base + 1, "CANCELED")
    assert by_client_id.client_order_id == f"desk:7/prism-async.{base}"


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_a_mixed_batch_and_a_flat_book_conform(
    prism: str, exchange: LocalExchange, kind: str
) -> None:
    base = 10_600 + 10 * KEY_KINDS.index(kind)
    seed(exchange, base + 1, f"desk:7/batch-{kind}.1")
    seed(exchange, base + 2, f"batch-{kind}-2")
    exchange.add_algo_order(SYMBOL, algo_id=base + 3, client_algo_id=f"stop:{kind}/3")
    with through(prism, kind) as client:
        results = cancel_batch(
            client=client,
            symbol=SYMBOL,
            orig_client_order_ids=[f"desk:7/batch-{kind}.1", "never-placed", f"batch-{kind}-2"],
        )
        book = flatten_book(client=client, symbol=SYMBOL, backoff=0.01)
        countdown = auto_cancel_all_open_orders.sync(client=client, symbol=SYMBOL, countdown_time=0)
    assert [type(r).__name__ for r in results] == [
        "CancelOrderResponse",
        "UnknownOrder",
        "CancelOrderResponse",
    ]
    assert base + 3 in [o.algo_id for o in book.algo_open_before]
    assert (book.open_after, book.algo_open_after) == ((), ())
    assert countdown.countdown_time == "0"


def test_new_enum_values_still_conform(prism: str, exchange: LocalExchange) -> None:
    seed(exchange, 10_101, "prism-enum")
    exchange.inject(Fault.UNKNOWN_ENUM)
    with through(prism) as client:
        order = cancel_order.sync(client=client, symbol=SYMBOL, order_id=10_101)
    assert (order.status, order.type_) == ("EXPIRED_IN_MATCH_2027", "NEW_ORDER_TYPE")


def test_clock_recovery_after_1021(prism: str, exchange: LocalExchange) -> None:
    seed(exchange, 10_201, "prism-clock")
    exchange.clock_offset_ms = 30_000
    try:
        with through(prism) as client:
            order = cancel_order.sync(client=client, symbol=SYMBOL, order_id=10_201)
    finally:
        exchange.clock_offset_ms = 0
    assert order.order_id == 10_201
    assert [r.path for r in exchange.requests[-3:]] == [
        "/dapi/v1/order",
        "/dapi/v1/time",
        "/dapi/v1/order",
    ]


@pytest.mark.parametrize(
    ("fault", "seen", "status"),
    [
        (Fault.UNKNOWN_ERROR_503, ["DELETE", "GET"], "CANCELED"),
        (Fault.UNKNOWN_ERROR_503_NOT_EXECUTED, ["DELETE", "GET", "DELETE"], "CANCELED"),
    ],
)
def test_cancel_and_confirm_conforms(
    prism: str, exchange: LocalExchange, fault: Fault, seen: list[str], status: str
) -> None:
    order_id = 10_401 + list(Fault).index(fault)
    seed(exchange, order_id, f"prism-confirm-{order_id}")
    exchange.inject(fault)
    before = len(exchange.requests)
    with through(prism) as client:
        state = cancel_and_confirm(client=client, symbol=SYMBOL, order_id=order_id, backoff=0.01)
    assert [request.method for request in exchange.requests[before:]] == seen
    assert state.status == status


def test_query_answers_conform(prism: str, exchange: LocalExchange) -> None:
    seed(exchange, 10_501, "prism-query")
    exchange.add_order(Order(10_502, "prism-filled", SYMBOL, status="FILLED", executed_qty="1"))
    with through(prism) as client:
        open_order = query_order.sync(client=client, symbol=SYMBOL, order_id=10_501)
        filled = query_order.sync(client=client, symbol=SYMBOL, orig_client_order_id="prism-filled")
        with pytest.raises(UnknownOrder) as raised:
            query_order.sync(client=client, symbol=SYMBOL, order_id=10_599)
    assert (open_order.status, filled.status, filled.executed_qty) == ("NEW", "FILLED", "1")
    assert raised.value.code == -2013


@dataclass(frozen=True)
class ErrorCase:
    name: str
    error: type[BinanceError]
    status: int
    code: int | None
    fault: Fault | None = None
    client: Mapping[str, Any] | None = None


ERROR_CASES = [
    ErrorCase("unknown order", UnknownOrder, 400, -2011),
    ErrorCase("unknown key", ApiKeyRejected, 401, -2015, client={"api_key": "no-such-key"}),
    ErrorCase("wrong secret", InvalidSignature, 400, -1022, client={"secret": "wrong"}),
    ErrorCase("rate limited", RateLimited, 429, -1003, Fault.RATE_LIMITED),
    ErrorCase("ip banned", IpBanned, 418, -1003, Fault.IP_BANNED),
    ErrorCase("firewall html", FirewallRejected, 403, None, Fault.FIREWALL),
    ErrorCase("503 json", ServiceUnavailable, 503, -1000, Fault.SERVICE_UNAVAILABLE_503),
    ErrorCase("502 html", ExecutionStatusUnknown, 502, None, Fault.BAD_GATEWAY_HTML),
    ErrorCase("503 unknown", ExecutionStatusUnknown, 503, -1000, Fault.UNKNOWN_ERROR_503),
    ErrorCase("-1006", ExecutionStatusUnknown, 503, -1006, Fault.MESSAGE_BUS_1006),
    ErrorCase("-1007", ExecutionStatusUnknown, 503, -1007, Fault.TIMEOUT_1007),
]


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda case: case.name)
def test_documented_error_answers_conform(
    prism: str, exchange: LocalExchange, case: ErrorCase
) -> None:
    if case.fault is not None:
        exchange.inject(case.fault)
    with through(prism, **(case.client or {})) as client:
        with pytest.raises(case.error) as raised:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=404_404)
    assert (raised.value.status, raised.value.code) == (case.status, case.code)


# -- the checks are live: a violation fails with Prism's message ----------------------------


def spec_patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from spec_patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from spec_patterns(item)


def test_spec_patterns_compile_in_unicode_mode() -> None:
    patterns = list(spec_patterns(yaml.safe_load(SPEC.read_text(encoding="utf-8"))))
    assert patterns
    for pattern in patterns:
        assert compiles_in_unicode_mode(pattern), pattern
    # The check is live: Binance's own spelling of the id pattern does not compile.
    assert not compiles_in_unicode_mode(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")


def compiles_in_unicode_mode(pattern: str) -> bool:
    node = subprocess.run(
        ["node", "-e", "new RegExp(process.argv[1], 'u')", pattern],
        capture_output=True,
        check=False,
    )
    return node.returncode == 0


def test_prism_validates_the_query(prism: str, exchange: LocalExchange) -> None:
    # BinanceAuth alone signs without checking the spec, so the bad id reaches Prism.
    before = len(exchange.requests)
    with httpx.Client(
        base_url=prism, auth=BinanceAuth(HMAC_KEY, HmacSigner(HMAC_SECRET)), event_hooks=HOOKS
    ) as client:
        # Prism names query parameters in lower case.
        with pytest.raises(PrismViolation, match=r"(?i)origClientOrderId") as raised:
            client.delete(
                "/dapi/v1/order", params={"symbol": SYMBOL, "origClientOrderId": "x" * 37}
            )
    assert "must NOT have more than 36 characters" in str(raised.value)
    assert len(exchange.requests) == before, "Prism forwarded a request it found invalid"


def test_prism_checks_the_security_schemes(prism: str) -> None:
    # timestamp and signature are apiKey schemes in the query: a request without them is
    # refused by Prism itself, so it does read them.
    with httpx.Client(base_url=prism, event_hooks=HOOKS) as client:
        with pytest.raises(PrismViolation, match="security"):
            client.delete(
                "/dapi/v1/order",
                params={"symbol": SYMBOL, "orderId": 1},
                headers={"X-MBX-APIKEY": HMAC_KEY},
            )


def test_prism_validates_the_response(tmp_path: Path) -> None:
    with answering({"orderId": "4612097861", "symbol": SYMBOL}) as upstream:
        with prism_proxy(SPEC, upstream, tmp_path / "prism.log") as url:
            with through(url) as client:
                with pytest.raises(PrismViolation, match="orderId") as raised:
                    cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert "must have required property" in str(raised.value)


def test_truncated_json_is_caught(prism: str, exchange: LocalExchange) -> None:
    seed(exchange, 10_301, "prism-truncated")
    exchange.inject(Fault.MALFORMED_JSON)
    with through(prism) as client:
        with pytest.raises(PrismViolation, match="invalid json response body"):
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=10_301)


@contextmanager
def answering(payload: Mapping[str, Any]) -> Iterator[str]:
    """A loopback upstream that answers every request 200 with `payload`, whatever it asks."""
    body = json.dumps(payload).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_DELETE(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

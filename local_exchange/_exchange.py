"""LocalExchange: Binance's Cancel Order and Query Order, and the algo service's conditional
orders, served on loopback for tests."""

from __future__ import annotations

import collections
import dataclasses
import json
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import TracebackType
from typing import Any, TypeVar

from ._algo import (
    MARKET_TYPES,
    AlgoBook,
    AlgoOrder,
    check_algo_request,
    check_open_algo_orders,
    still_queryable,
)
from ._faults import UNKNOWN_ALGO_STATUS, UNKNOWN_STATUS, Fault
from ._http import HttpServer, ReceivedRequest, Response
from ._orders import Order, demo_orders
from ._rules import (
    CancelRequest,
    CountdownRequest,
    Rejection,
    check_batch,
    check_cancel,
    check_countdown,
    check_optional_symbol,
    check_symbol,
    found_by_query,
    parse_form,
)
from ._signatures import ApiKeyMaterial, Verifier, split_signed, verifier_for
from ._spec import (
    ALGO_OPEN_PATH,
    ALGO_ORDER_PATH,
    ALL_OPEN_PATH,
    BATCH_PATH,
    COUNTDOWN_PATH,
    CURRENT_SHAPE,
    OPEN_ALGO_ORDERS_PATH,
    OPEN_ORDERS_PATH,
    ORDER_PATH,
    TIME_PATH,
    cancel_all_answer,
    cancel_examples,
)

DEMO_API_KEY = "demo-api-key"
"""Test-only credentials of the CLI and of a LocalExchange built without api_keys."""
DEMO_SECRET = "demo-secret"  # noqa: S105 - a published test-only secret

_Header = tuple[str, str]
_Checked = TypeVar("_Checked")
_ANY_ORDER_IDS = 1_000_000_000
_ORDER_METHODS = ("DELETE", "GET")
_FAULT_PATHS = {
    ORDER_PATH: _ORDER_METHODS,
    ALGO_ORDER_PATH: _ORDER_METHODS,
    OPEN_ALGO_ORDERS_PATH: ("GET",),
    BATCH_PATH: ("DELETE",),
    ALL_OPEN_PATH: ("DELETE",),
    ALGO_OPEN_PATH: ("DELETE",),
    OPEN_ORDERS_PATH: ("GET",),
    COUNTDOWN_PATH: ("POST",),
}
"""The paths `inject` can fail, with their methods."""


def check_fault_target(method: str, path: str) -> None:
    """ValueError unless `inject` can fail `method` `path` requests."""
    methods = _FAULT_PATHS.get(path)
    if methods is None:
        raise ValueError(f"path must be one of {', '.join(_FAULT_PATHS)}, got {path!r}")
    if method not in methods:
        raise ValueError(f"method must be one of {', '.join(methods)}, got {method!r}")


_LONGEST_TIMER_S = 10**9
_TRIGGERED_ORDER_IDS = 9_000_000_001
"""Regular orders placed by a triggered algo order count from here."""

COIN_M_SYMBOLS = frozenset(
    {
        *(
            f"{base}USD_PERP"
            for base in (
                "BTC",
                "ETH",
                "BNB",
                "SOL",
                "XRP",
                "ADA",
                "DOGE",
                "LINK",
                "LTC",
                "DOT",
                "BCH",
                "AVAX",
                "ATOM",
                "ETC",
                "FIL",
                "TRX",
                "UNI",
                "XLM",
                "NEAR",
                "APT",
                "SUI",
                "OP",
            )
        ),
        # The quarterly contracts listed on 2026-11-24: December 2026 and March 2027.
        *(f"{base}USD_{expiry}" for base in ("BTC", "ETH") for expiry in ("261225", "270326")),
    }
)
"""The COIN-M symbols a LocalExchange lists by default; any other symbol answers -1121."""


_JSON = json.JSONEncoder(separators=(",", ":"))


def _json_response(status: int, payload: Mapping[str, Any], headers: list[_Header]) -> Response:
    return Response(status, _JSON.encode(payload).encode(), headers=headers)


def _error(status: int, code: int, msg: str, headers: list[_Header]) -> Response:
    return _json_response(status, {"code": code, "msg": msg}, headers)


def _html(status: int, title: str, text: str) -> Response:
    page = (
        f"<!DOCTYPE html><html><head><title>{status} {title}</title></head>"
        f"<body><h1>{status} {title}</h1><p>{text}</p></body></html>"
    )
    return Response(status, page.encode(), content_type="text/html; charset=utf-8")


class LocalExchange:
    """A real HTTP/1.1 server on loopback that answers like Binance's Cancel and Query Order.

    `api_keys` maps an API key to an HMAC secret (str) or a PEM public key (bytes, RSA or
    Ed25519). Without it the demo key `DEMO_API_KEY` / `DEMO_SECRET` is accepted.
    `orders=None` seeds `demo_orders()`. The exchange clock is the local clock plus
    `clock_offset_ms`, which may be changed while running. With `any_order` every
    well-formed cancel succeeds on a synthesized order and nothing is removed.
    `record_requests=False` keeps `requests` empty, for long benchmark runs.

    It answers in Binance's shape of today (`answer_shape="current"`: no avgPrice, cumBase
    or time; priceMatch and selfTradePreventionMode); `answer_shape="pre-2026-06"` gives the
    answer of the endpoint page from before the 2026-06 integration. It lists the symbols of
    `COIN_M_SYMBOLS`, those in `symbols`, and those of every order added; a cancel for any
    other symbol answers -1121 "Invalid symbol." as Binance does.

    GET /dapi/v1/order (Query Order) answers any order it holds, whatever its status: a
    cancel leaves the order there as CANCELED, and orders seeded with status FILLED answer
    FILLED (their cancel answers -2011). As on Binance, an order is no longer found (-2013
    "Order does not exist.") once it is CANCELED or EXPIRED with no fill and older than
    3 days, or older than 90 days, counted on the exchange clock from its creation time
    (`add_order(created_ms=...)`, by default the exchange clock when it was added).

    Conditional orders live in its algo service, as on Binance since the 2026-06-30 COIN-M /
    USDⓈ-M integration (shapes from USDⓈ-M's pages): `add_algo_order` holds one with an algo id
    of its own sequence, DELETE and GET /dapi/v1/algoOrder cancel and query it, GET
    /dapi/v1/openAlgoOrders lists the armed ones, `trigger_algo_order` fires one, and the
    regular endpoints answer -2011 / -2013 for it. The same query windows apply.
    """

    def __init__(
        self,
        api_keys: Mapping[str, ApiKeyMaterial] | None = None,
        orders: Iterable[Order] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        clock_offset_ms: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        any_order: bool = False,
        *,
        record_requests: bool = True,
        answer_shape: str = CURRENT_SHAPE,
        symbols: Iterable[str] = (),
    ) -> None:
        if answer_shape not in cancel_examples():
            shapes = ", ".join(sorted(cancel_examples()))
            raise ValueError(f"answer_shape must be one of {shapes}, got {answer_shape!r}")
        self.answer_shape = answer_shape
        self._symbols = set(COIN_M_SYMBOLS).union(symbols)
        keys = {DEMO_API_KEY: DEMO_SECRET} if api_keys is None else api_keys
        self._verifiers: dict[str, Verifier] = {
            key: verifier_for(material) for key, material in keys.items()
        }
        self.clock_offset_ms = clock_offset_ms
        self.slow_seconds: float = 3.0
        """How late a `Fault.SLOW` answer comes."""
        self.any_order = any_order
        self._record_requests = record_requests
        self._host = host
        self._scheme = "https" if ssl_context is not None else "http"
        self._lock = threading.Lock()
        self._orders: dict[int, Order] = {}
        self._created: dict[int, int] = {}
        self._by_client_id: dict[tuple[str, str], int] = {}
        self._requests: list[ReceivedRequest] = []
        self._faults: dict[tuple[str, str], collections.deque[Fault]] = {
            (method, path): collections.deque()
            for path, methods in _FAULT_PATHS.items()
            for method in methods
        }
        self._algo = AlgoBook()
        self._next_triggered_order_id = _TRIGGERED_ORDER_IDS
        self._handlers: dict[
            tuple[str, str], Callable[[ReceivedRequest, int, list[_Header]], Response]
        ] = {
            ("DELETE", ORDER_PATH): self._cancel,
            ("GET", ORDER_PATH): self._query,
            ("DELETE", ALGO_ORDER_PATH): self._algo_cancel,
            ("GET", ALGO_ORDER_PATH): self._algo_query,
            ("GET", OPEN_ALGO_ORDERS_PATH): self._open_algo_orders,
            ("DELETE", BATCH_PATH): self._batch,
            ("DELETE", ALL_OPEN_PATH): self._cancel_all,
            ("DELETE", ALGO_OPEN_PATH): self._cancel_all_algo,
            ("GET", OPEN_ORDERS_PATH): self._open_orders,
            ("POST", COUNTDOWN_PATH): self._countdown,
        }
        self._after: dict[tuple[str, str], collections.deque[Callable[[], None]]] = (
            collections.defaultdict(collections.deque)
        )
        self._countdowns: dict[str, tuple[int, threading.Timer]] = {}
        self.countdown_cancellations: list[tuple[str, tuple[int, ...]]] = []
        """(symbol, ids) each time a countdown ran out and cancelled the symbol's open orders."""
        self._weights: dict[str, tuple[int, int]] = {}
        self._order_counts: dict[str, tuple[int, int]] = {}
        self._any_order_template: dict[str, Any] | None = None
        for order in demo_orders() if orders is None else orders:
            self.add_order(order)
        self._server = HttpServer(self._handle, host=host, port=port, ssl_context=ssl_context)

    # -- control, from the test's thread --------------------------------------------------------

    def start(self) -> LocalExchange:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        with self._lock:
            timers = [timer for _, timer in self._countdowns.values()]
            self._countdowns.clear()
        for timer in timers:
            timer.cancel()

    def __enter__(self) -> LocalExchange:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, e.g. "http://127.0.0.1:54321"."""
        if not self._server.port:
            raise RuntimeError("the exchange is not running: call start() or use `with`")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{self._scheme}://{host}:{self._server.port}"

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Every request received so far, in arrival order (the live list)."""
        return self._requests

    @property
    def open_orders(self) -> list[Order]:
        """The orders a cancel can still take (NEW or PARTIALLY_FILLED)."""
        with self._lock:
            return [order for order in self._orders.values() if order.is_open]

    def order(self, order_id: int) -> Order | None:
        """The order with this id as the exchange holds it now, whatever its status."""
        with self._lock:
            return self._orders.get(order_id)

    def add_order(self, order: Order, *, created_ms: int | None = None) -> None:
        """Hold `order`, created at `created_ms` on the exchange clock (default: now)."""
        created = self.server_time_ms() if created_ms is None else created_ms
        with self._lock:
            replaced = self._orders.get(order.order_id)
            if replaced is not None:
                self._by_client_id.pop((replaced.symbol, replaced.client_order_id), None)
            self._orders[order.order_id] = order
            self._created[order.order_id] = created
            self._by_client_id[(order.symbol, order.client_order_id)] = order.order_id
            self._symbols.add(order.symbol)

    @property
    def symbols(self) -> frozenset[str]:
        """The symbols this exchange lists."""
        with self._lock:
            return frozenset(self._symbols)

    def inject(
        self, fault: Fault, times: int = 1, *, method: str = "DELETE", path: str = ORDER_PATH
    ) -> None:
        """Answer the next `times` `method` `path` requests with `fault`.

        `path` is /dapi/v1/order (the default), /dapi/v1/algoOrder or /dapi/v1/openAlgoOrders;
        `method` is "DELETE" (cancels) or "GET" (queries). Each method of each path has its
        own queue, and faults injected by successive calls are met in the order they were
        injected.
        """
        if times < 0:
            raise ValueError("times must not be negative")
        check_fault_target(method, path)
        with self._lock:
            self._faults[method, path].extend([fault] * times)

    def clear_faults(self) -> None:
        """Forget every fault still queued, on every endpoint."""
        with self._lock:
            for queue in self._faults.values():
                queue.clear()

    def after(self, method: str, path: str, action: Callable[[], None]) -> None:
        """Run `action` once, right after the next `method` `path` request is handled.

        For example, an order that appears between a cancel-all and the listing after it:
        ``exchange.after("DELETE", "/dapi/v1/allOpenOrders", lambda: exchange.add_order(o))``.
        """
        methods = _FAULT_PATHS.get(path)
        if methods is None:
            raise ValueError(f"path must be one of {', '.join(_FAULT_PATHS)}, got {path!r}")
        if method not in methods:
            raise ValueError(f"method must be one of {', '.join(methods)}, got {method!r}")
        with self._lock:
            self._after[method, path].append(action)

    @property
    def countdowns(self) -> dict[str, int]:
        """Each armed countdown: symbol -> when it runs out, in ms on the exchange clock."""
        with self._lock:
            return {symbol: ends for symbol, (ends, _) in self._countdowns.items()}

    # -- the algo service (conditional orders) ------------------------------------------------

    def add_algo_order(
        self,
        symbol: str,
        *,
        algo_id: int | None = None,
        client_algo_id: str | None = None,
        created_ms: int | None = None,
        **fields: Any,
    ) -> AlgoOrder:
        """Hold a conditional order in the algo service; the order as held, with its ids.

        Algo ids have their own sequence (`algo_id=None` takes the next one); a regular
        endpoint never finds an algo order, as on Binance since the 2026-06-30 integration
        (Cancel Order -2011, Query Order -2013). `fields` are `AlgoOrder`'s, e.g.
        `order_type="TAKE_PROFIT"`, `side="BUY"`, `algo_status="TRIGGERING"`. `created_ms`
        (exchange clock, default now) is where Query Algo Order's windows count from.
        """
        created = self.server_time_ms() if created_ms is None else created_ms
        order = self._algo.add(
            symbol, created_ms=created, algo_id=algo_id, client_algo_id=client_algo_id, **fields
        )
        with self._lock:
            self._symbols.add(symbol)
        return order

    def algo_order(self, algo_id: int) -> AlgoOrder | None:
        """The algo order with this id as the exchange holds it now, whatever its status."""
        return self._algo.get(algo_id)

    @property
    def open_algo_orders(self) -> list[AlgoOrder]:
        """The algo orders that can still trigger (NEW or TRIGGERING)."""
        return [order for order, _ in self._algo.armed(None)]

    def trigger_algo_order(self, algo_id: int) -> Order:
        """Trigger an armed algo order: it places a regular order, which is returned.

        A limit type (STOP, TAKE_PROFIT) leaves an open order on the book and the algo order
        TRIGGERED; a market type (STOP_MARKET, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET) fills
        at once, so its order is FILLED and the algo order FINISHED. Either way
        `actualOrderId` names the regular order.
        """
        algo = self._algo.get(algo_id)
        if algo is None or not algo.is_armed:
            raise ValueError(f"algo order {algo_id} is not armed (NEW or TRIGGERING)")
        now = self.server_time_ms()
        market = algo.order_type in MARKET_TYPES
        with self._lock:
            order_id = self._next_triggered_order_id
            self._next_triggered_order_id += 1
        placed = Order(
            order_id,
            f"algo-{algo_id}-{order_id}",
            algo.symbol,
            side=algo.side,
            position_side=algo.position_side,
            price=algo.price,
            orig_qty=algo.quantity,
            executed_qty=algo.quantity if market else "0",
            type="MARKET" if market else "LIMIT",
            orig_type=algo.order_type,
            stop_price=algo.trigger_price,
            status="FILLED" if market else "NEW",
            update_time=now,
        )
        self.add_order(placed, created_ms=now)
        self._algo.update(
            algo_id,
            algo_status="FINISHED" if market else "TRIGGERED",
            actual_order_id=order_id,
            update_time=now,
            trigger_time=now,
        )
        return placed

    def server_time_ms(self) -> int:
        """The exchange clock, as GET /dapi/v1/time reports it."""
        return int(time.time() * 1000) + self.clock_offset_ms

    # -- requests, on the server's event loop ---------------------------------------------------

    def _handle(self, request: ReceivedRequest, client: str) -> Response:
        now = self.server_time_ms()
        with self._lock:
            if self._record_requests:
                self._requests.append(request)
            weight = _count_in_minute(self._weights, client, now)
        headers = [("X-MBX-USED-WEIGHT-1M", str(weight))]
        path = request.path
        methods = _FAULT_PATHS.get(path)
        if methods is not None:
            if request.method in methods:
                return self._order_request(request, now, headers)
            return _method_not_allowed(", ".join(methods), headers)
        if path == TIME_PATH:
            if request.method in ("GET", "HEAD"):
                return _json_response(200, {"serverTime": now}, headers)
            return _method_not_allowed("GET", headers)
        return _error(404, -1000, f"Not found: {path}", headers)

    def _order_request(
        self, request: ReceivedRequest, now: int, headers: list[_Header]
    ) -> Response:
        with self._lock:
            faults = self._faults[request.method, request.path]
            fault = faults.popleft() if faults else None
        if fault is not None and not fault.performs_cancel:
            return self._refusal(fault, now, headers)
        handler = self._handlers[request.method, request.path]
        try:
            response = handler(request, now, headers)
        except Exception:  # malformed input must never become a 5xx
            response = _error(
                400, -1000, "An unknown error occurred while processing the request.", headers
            )
        with self._lock:
            actions = self._after[request.method, request.path]
            action = actions.popleft() if actions else None
        if action is not None:
            action()
        if fault is None:
            return response
        return self._after_handling(fault, response)

    def _algo_cancel(self, request: ReceivedRequest, now: int, headers: list[_Header]) -> Response:
        checked = self._checked_by(check_algo_request, request, now, headers, counts_as_order=True)
        if isinstance(checked, Response):
            return checked
        cancel, headers = checked
        order = self._algo.cancel(cancel, now)
        if order is None:  # not held, or no longer armed (USDⓈ-M's answer; unverified on COIN-M)
            return _error(400, -2011, "Unknown order sent.", headers)
        return _json_response(200, order.cancel_response(), headers)

    def _algo_query(self, request: ReceivedRequest, now: int, headers: list[_Header]) -> Response:
        checked = self._checked_by(check_algo_request, request, now, headers, counts_as_order=False)
        if isinstance(checked, Response):
            return checked
        query, headers = checked
        found = self._algo.find(query)
        if found is None or not still_queryable(found[0], found[1], now):
            return _error(400, -2013, "Order does not exist.", headers)
        order, created = found
        return _json_response(
            200, self._finished_if_done(order).response(created_ms=created), headers
        )

    def _open_algo_orders(
        self, request: ReceivedRequest, now: int, headers: list[_Header]
    ) -> Response:
        checked = self._checked_by(
            check_open_algo_orders, request, now, headers, counts_as_order=False
        )
        if isinstance(checked, Response):
            return checked
        symbol, headers = checked
        with self._lock:
            listed = symbol is None or symbol in self._symbols
        if not listed:
            return _error(400, -1121, "Invalid symbol.", headers)
        answer = [order.response(created_ms=created) for order, created in self._algo.armed(symbol)]
        return Response(200, _JSON.encode(answer).encode(), headers=headers)

    def _symbol_checked(
        self,
        check: Callable[[dict[str, str], int], _Checked],
        request: ReceivedRequest,
        now: int,
        headers: list[_Header],
        *,
        counts_as_order: bool,
    ) -> tuple[_Checked, list[_Header]] | Response:
        """`_checked_by`, then the symbol the request names (if any) must be listed (-1121)."""
        result = self._checked_by(check, request, now, headers, counts_as_order=counts_as_order)
        if isinstance(result, Response):
            return result
        symbol = getattr(result[0], "symbol", None)
        with self._lock:
            listed = symbol is None or symbol in self._symbols
        if not listed:
            return _error(400, -1121, "Invalid symbol.", result[1])
        return result

    def _batch(self, request: ReceivedRequest, now: int, headers: list[_Header]) -> Response:
        """One item per id, in request order: the cancelled order or Binance's error object."""
        checked = self._symbol_checked(check_batch, request, now, headers, counts_as_order=True)
        if isinstance(checked, Response):
            return checked
        batch, headers = checked
        if batch.order_ids is not None:
            cancels = [CancelRequest(batch.symbol, i, None) for i in batch.order_ids]
        else:
            cancels = [CancelRequest(batch.symbol, None, c) for c in batch.client_order_ids or ()]
        items: list[Mapping[str, Any]] = []
        for cancel in cancels:
            if self.any_order and cancel.order_id != 0:
                items.append(self._any_order_response(cancel, now))
                continue
            order = self._take_order(cancel, now)
            if order is None:
                items.append({"code": -2011, "msg": "Unknown order sent."})
            else:
                items.append(
                    order.cancel_response(
                        status="CANCELED", update_time=now, shape=self.answer_shape
                    )
                )
        return Response(200, _JSON.encode(items).encode(), headers=headers)

    def _cancel_all(self, request: ReceivedRequest, now: int, headers: list[_Header]) -> Response:
        checked = self._symbol_checked(check_symbol, request, now, headers, counts_as_order=True)
        if isinstance(checked, Response):
            return checked
        self._cancel_symbol(checked[0].symbol or "", now)
        return _json_response(200, cancel_all_answer(), checked[1])

    def _cancel_symbol(self, symbol: str, now: int) -> tuple[int, ...]:
        with self._lock:
            taken = [o for o in self._orders.values() if o.symbol == symbol and o.is_open]
            for order in taken:
                self._orders[order.order_id] = dataclasses.replace(
                    order, status="CANCELED", update_time=now
                )
        return tuple(order.order_id for order in taken)

    def _cancel_all_algo(
        self, request: ReceivedRequest, now: int, headers: list[_Header]
    ) -> Response:
        """Every NEW algo order of the symbol is cancelled (a TRIGGERING one is being placed)."""
        checked = self._symbol_checked(check_symbol, request, now, headers, counts_as_order=True)
        if isinstance(checked, Response):
            return checked
        for order, _ in self._algo.armed(checked[0].symbol):
            if order.algo_status == "NEW":
                self._algo.update(order.algo_id, algo_status="CANCELED", update_time=now)
        return _json_response(200, cancel_all_answer(), checked[1])

    def _open_orders(self, request: ReceivedRequest, now: int, headers: list[_Header]) -> Response:
        checked = self._symbol_checked(
            check_optional_symbol, request, now, headers, counts_as_order=False
        )
        if isinstance(checked, Response):
            return checked
        symbol = checked[0].symbol
        with self._lock:
            listed = [
                order.query_response(created_ms=self._created[order.order_id])
                for order in self._orders.values()
                if order.is_open and symbol in (None, order.symbol)
            ]
        return Response(200, _JSON.encode(listed).encode(), headers=checked[1])

    def _countdown(self, request: ReceivedRequest, now: int, headers: list[_Header]) -> Response:
        """Arm (or restart) the symbol's countdown, or stop it with 0: a real timer."""
        checked = self._symbol_checked(
            check_countdown, request, now, headers, counts_as_order=False
        )
        if isinstance(checked, Response):
            return checked
        countdown: CountdownRequest = checked[0]
        timer = None
        if countdown.countdown_ms > 0:
            # Capped so that a countdown of centuries stays a valid wait for the platform.
            seconds = min(countdown.countdown_ms / 1000, _LONGEST_TIMER_S)
            timer = threading.Timer(seconds, self._countdown_ran_out, (countdown.symbol,))
            timer.daemon = True
        with self._lock:
            replaced = self._countdowns.pop(countdown.symbol, None)
            if timer is not None:
                self._countdowns[countdown.symbol] = (now + countdown.countdown_ms, timer)
        if replaced is not None:
            replaced[1].cancel()
        if timer is not None:
            timer.start()
        answer = {"symbol": countdown.symbol, "countdownTime": str(countdown.countdown_ms)}
        return _json_response(200, answer, checked[1])

    def _countdown_ran_out(self, symbol: str) -> None:
        with self._lock:
            armed = self._countdowns.get(symbol)
            if armed is None or armed[1] is not threading.current_thread():
                return  # restarted or stopped meanwhile
            del self._countdowns[symbol]
        cancelled = self._cancel_symbol(symbol, self.server_time_ms())
        with self._lock:
            self.countdown_cancellations.append((symbol, cancelled))

    def _finished_if_done(self, algo: AlgoOrder) -> AlgoOrder:
        """A TRIGGERED algo order becomes FINISHED once the order it placed is off the book."""
        if algo.algo_status != "TRIGGERED" or algo.actual_order_id is None:
            return algo
        placed = self.order(algo.actual_order_id)
        if placed is None or placed.is_open:
            return algo
        return self._algo.update(algo.algo_id, algo_status="FINISHED")

    def _cancel(self, request: ReceivedRequest, now: int, headers: list[_Header]) -> Response:
        checked = self._checked(request, now, headers, counts_as_order=True)
        if isinstance(checked, Response):
            return checked
        cancel, headers = checked

        if self.any_order and cancel.order_id != 0:  # no order has id 0, even in this mode
            return _json_response(200, self._any_order_response(cancel, now), headers)
        order = self._take_order(cancel, now)
        if order is None:
            return _error(400, -2011, "Unknown order sent.", headers)
        answer = order.cancel_response(status="CANCELED", update_time=now, shape=self.answer_shape)
        return _json_response(200, answer, headers)

    def _query(self, request: ReceivedRequest, now: int, headers: list[_Header]) -> Response:
        checked = self._checked(request, now, headers, counts_as_order=False)
        if isinstance(checked, Response):
            return checked
        query, headers = checked
        with self._lock:
            order = self._find(query)
            created = self._created[order.order_id] if order is not None else 0
        if order is None or not _still_queryable(order, created, now):
            return _error(400, -2013, "Order does not exist.", headers)
        return _json_response(200, order.query_response(created_ms=created), headers)

    def _checked(
        self, request: ReceivedRequest, now: int, headers: list[_Header], *, counts_as_order: bool
    ) -> tuple[CancelRequest, list[_Header]] | Response:
        """The request's order parameters once key, signature, timing and symbol pass."""
        return self._symbol_checked(
            check_cancel, request, now, headers, counts_as_order=counts_as_order
        )

    def _checked_by(
        self,
        check: Callable[[dict[str, str], int], _Checked],
        request: ReceivedRequest,
        now: int,
        headers: list[_Header],
        *,
        counts_as_order: bool,
    ) -> tuple[_Checked, list[_Header]] | Response:
        """What `check` makes of the request's parameters once its key and signature pass."""
        signed = self._signed_params(request, now, headers, counts_as_order=counts_as_order)
        if isinstance(signed, Response):
            return signed
        params, headers = signed
        try:
            return check(params, now), headers
        except Rejection as rejection:
            return _error(rejection.status, rejection.code, rejection.msg, headers)

    def _signed_params(
        self, request: ReceivedRequest, now: int, headers: list[_Header], *, counts_as_order: bool
    ) -> tuple[dict[str, str], list[_Header]] | Response:
        """The request's decoded parameters once its API key and signature pass."""
        api_key = request.headers.get("X-MBX-APIKEY", "")
        if not api_key:
            return _error(401, -2014, "API-key format invalid.", headers)
        verifier = self._verifiers.get(api_key)
        if verifier is None:
            return _error(401, -2015, "Invalid API-key, IP, or permissions for action.", headers)
        if counts_as_order:
            with self._lock:
                order_count = _count_in_minute(self._order_counts, api_key, now)
            headers = [*headers, ("X-MBX-ORDER-COUNT-1M", str(order_count))]

        query = request.raw_target.partition(b"?")[2]
        signed = split_signed(query + request.body)
        if signed is None or not verifier.verify(*signed):
            return _error(400, -1022, "Signature for this request is not valid.", headers)

        params: dict[str, str] = {}
        parse_form(query, params)
        parse_form(request.body, params)
        return params, headers

    def _find(self, request: CancelRequest) -> Order | None:
        """The order a request names (orderId first), whatever its status. Hold the lock."""
        if request.order_id is not None:
            order_id: int | None = request.order_id
        else:
            order_id = self._by_client_id.get((request.symbol, request.client_order_id or ""))
        order = self._orders.get(order_id) if order_id is not None else None
        if order is None or order.symbol != request.symbol:
            return None
        return order

    def _take_order(self, cancel: CancelRequest, now: int) -> Order | None:
        """Cancel the open order `cancel` names; None when there is no such open order."""
        with self._lock:
            order = self._find(cancel)
            if order is None or not order.is_open:
                return None
            self._orders[order.order_id] = dataclasses.replace(
                order, status="CANCELED", update_time=now
            )
            return order

    def _any_order_response(self, cancel: CancelRequest, now: int) -> dict[str, Any]:
        if self._any_order_template is None:
            template = Order(0, "", "BTCUSD_PERP")
            self._any_order_template = template.cancel_response(
                status="CANCELED", update_time=0, shape=self.answer_shape
            )
        order_id = cancel.order_id
        if order_id is None:
            order_id = _ANY_ORDER_IDS + zlib.crc32((cancel.client_order_id or "").encode())
        response = dict(self._any_order_template)
        response["orderId"] = order_id
        response["symbol"] = cancel.symbol
        response["pair"] = cancel.symbol.partition("_")[0]
        response["clientOrderId"] = cancel.client_order_id or f"any-{order_id}"
        response["updateTime"] = now
        return response

    def _refusal(self, fault: Fault, now: int, headers: list[_Header]) -> Response:
        """The answer of a fault that stops the request before it is handled."""
        if fault is Fault.RATE_LIMITED:
            return _error(
                429,
                -1003,
                "Too many requests; current limit is 2400 requests per minute. Please use the "
                "websocket for live updates to avoid polling the API.",
                [*headers, ("Retry-After", "7")],
            )
        if fault is Fault.IP_BANNED:
            return _error(
                418,
                -1003,
                f"Way too many requests; IP banned until {now + 120_000}. Please use the "
                "websocket for live updates to avoid bans.",
                [*headers, ("Retry-After", "120")],
            )
        if fault is Fault.FIREWALL:
            return _html(403, "Forbidden", "Request blocked by the web application firewall.")
        if fault is Fault.SERVICE_UNAVAILABLE_503:
            return _error(503, -1000, "Service Unavailable.", headers)
        if fault is Fault.BAD_GATEWAY_HTML:
            return _html(502, "Bad Gateway", "The upstream server is not answering.")
        if fault is Fault.CONNECTION_RESET:
            return Response(0, reset=True)
        if fault is Fault.UNKNOWN_ERROR_503_NOT_EXECUTED:
            return _error(
                503, -1000, "Unknown error, please check your request or try again later.", headers
            )
        if fault is Fault.INTERNAL_ERROR_500:
            return _error(
                500,
                -1001,
                "Internal error; unable to process your request. Please try again.",
                headers,
            )
        if fault is Fault.REQUEST_UNKNOWN_500:
            return _error(500, -1000, "Request occur unknown error.", headers)
        if fault is Fault.SERVICE_SHUT_DOWN_1016:
            return _error(503, -1016, "This service is no longer available.", headers)
        if fault is Fault.MAINTENANCE_1016:
            return _error(503, -1016, "Service is under maintenance.", headers)
        if fault is Fault.INVALID_ACCOUNT_1109:
            return _error(400, -1109, "Invalid account.", headers)
        if fault is Fault.MAINTENANCE_NO_CODE:
            return _json_response(
                503,
                {"239999": "The system is under maintenance, please try again later."},
                headers,
            )
        raise AssertionError(f"{fault} is handled before it answers")

    def _after_handling(self, fault: Fault, response: Response) -> Response:
        """The answer of a fault that comes after the request was handled."""
        if fault is Fault.UNKNOWN_ERROR_503:
            return _error(
                503,
                -1000,
                "Unknown error, please check your request or try again later.",
                response.headers,
            )
        if fault is Fault.MESSAGE_BUS_1006:
            return _error(
                503,
                -1006,
                "An unexpected response was received from the message bus. "
                "Execution status unknown.",
                response.headers,
            )
        if fault is Fault.TIMEOUT_1007:
            return _error(
                503,
                -1007,
                "Timeout waiting for response from backend server. "
                "Send status unknown; execution status unknown.",
                response.headers,
            )
        if fault is Fault.SLOW:
            response.delay = self.slow_seconds
            return response
        if fault is Fault.MALFORMED_JSON:
            response.status = 200
            response.body = response.body[: len(response.body) // 2]
            return response
        if fault is Fault.UNKNOWN_ENUM:
            if response.status == 200:
                payload = json.loads(response.body)
                for item in payload if isinstance(payload, list) else [payload]:
                    if "algoStatus" in item:  # an algo order, queried or listed
                        item["algoStatus"] = UNKNOWN_ALGO_STATUS
                    else:
                        item["status"] = UNKNOWN_STATUS
                        item["type"] = "NEW_ORDER_TYPE"
                response.body = _JSON.encode(payload).encode()
            return response
        raise AssertionError(f"{fault} answers before the request is handled")


def _still_queryable(order: Order, created_ms: int, now_ms: int) -> bool:
    """Whether Query Order still finds `order`, by Binance's documented windows."""
    unfilled = Decimal(order.executed_qty) == 0
    done_unfilled = order.status in ("CANCELED", "EXPIRED") and unfilled
    return found_by_query(created_ms, now_ms, done_unfilled=done_unfilled)


def _method_not_allowed(allowed: str, headers: list[_Header]) -> Response:
    return _error(405, -1000, f"Method not allowed; use {allowed}.", [*headers, ("Allow", allowed)])


def _count_in_minute(counters: dict[str, tuple[int, int]], key: str, now_ms: int) -> int:
    """Count one more event for `key` in the current minute; the new count. Hold the lock."""
    minute = now_ms // 60_000
    last_minute, count = counters.get(key, (minute, 0))
    count = count + 1 if last_minute == minute else 1
    counters[key] = (minute, count)
    return count

"""Steering a running exchange from its standard input, and the text forms of orders and faults.

``python -m binance_coinm_futures.testing`` reads one command per line from stdin (a terminal,
or the pipe of the process that started it) and answers each with one line on stdout, ``ok:
...`` or ``error: ...``. Nothing listens on the network for these commands, so only the
process that owns the exchange's stdin can steer it::

    order ID,CLIENT_ORDER_ID,SYMBOL[,FIELD=VALUE...]   add an open order
    fault NAME[=TIMES] [DELETE|GET] [PATH]             queue a fault (GET: a query; PATH
                                                       /dapi/v1/algoOrder, ...; default
                                                       /dapi/v1/order)
    orders                                             the open orders' ids
    log [N]                                            the last N requests (default 20)
    help                                               this list

The same text forms are the ``--order`` and ``--fault`` flags, each read by one parser:
``--fault "unknown_enum=2 GET /dapi/v1/algoOrder"`` queues what the ``fault`` command would.
"""

from __future__ import annotations

import argparse
import re
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any, Final, TextIO

from ._algo import ALGO_STATUSES, AlgoOrder
from ._exchange import LocalExchange, check_fault_target
from ._faults import Fault
from ._orders import Order
from ._spec import ORDER_PATH, client_order_id_regex

COMMANDS: Final = (
    "order ID,CLIENT_ORDER_ID,SYMBOL[,FIELD=VALUE...] | "
    "fault NAME[=TIMES] [DELETE|GET] [PATH] | orders | log [N] | help"
)
#: How many requests the command line's exchange keeps for `log`; older ones are dropped.
LOG_LIMIT: Final = 1000
_BOOLEANS: Final = {"true": True, "false": False}
_DECIMAL: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_SIGNATURE: Final = re.compile(r"(signature=)[^&]*")
_HIDDEN: Final = r"\1<hidden>"
_IDENTITY: Final = ("order_id", "client_order_id", "symbol")


def fault_names() -> list[str]:
    return [fault.name.lower() for fault in Fault]


@dataclass(frozen=True)
class QueuedFault:
    """A fault to queue: what `LocalExchange.inject` is called with."""

    fault: Fault
    times: int
    method: str = "DELETE"
    path: str = ORDER_PATH

    def inject(self, exchange: LocalExchange) -> None:
        exchange.inject(self.fault, self.times, method=self.method, path=self.path)

    @property
    def target(self) -> str:
        """The requests it answers: "GET", or "GET /dapi/v1/algoOrder" off the default path."""
        return self.method if self.path == ORDER_PATH else f"{self.method} {self.path}"

    def __str__(self) -> str:
        cancels = (self.method, self.path) == ("DELETE", ORDER_PATH)
        return f"{self.fault.name.lower()} x{self.times}" + (
            "" if cancels else f" for {self.target}"
        )


def parse_fault(value: str) -> QueuedFault:
    """NAME[=TIMES] [METHOD] [PATH], the form of the ``fault`` command and of ``--fault``: a
    fault by its name or value in any case, how many times (1 or more), and the requests it
    answers (default DELETE /dapi/v1/order: cancels)."""
    words = value.split()
    spec, method, path = [*words, "", ""][:3] if 1 <= len(words) <= 3 else ("", "", "")
    name, _, times = spec.partition("=")
    fault = next((f for f in Fault if name.lower() in (f.name.lower(), str(f.value))), None)
    if fault is None or (times and not times.isdigit()):
        raise argparse.ArgumentTypeError(
            f"--fault takes NAME[=TIMES] [DELETE|GET|POST] [PATH] with NAME one of "
            f"{', '.join(fault_names())}, got {value!r}"
        )
    if times and int(times) < 1:
        raise argparse.ArgumentTypeError(f"--fault {spec}: TIMES must be 1 or more")
    queued = QueuedFault(fault, int(times or 1), method.upper() or "DELETE", path or ORDER_PATH)
    try:
        check_fault_target(queued.method, queued.path)
    except ValueError as wrong:
        raise argparse.ArgumentTypeError(str(wrong)) from None
    return queued


def _decimal_fields(example: Any) -> frozenset[str]:
    """The fields of a dataclass that hold a decimal number as text (price, quantities): those
    whose default, read from the spec's examples, is one."""
    return frozenset(
        f.name
        for f in fields(example)
        if isinstance(getattr(example, f.name), str)
        and _DECIMAL.fullmatch(getattr(example, f.name))
    )


def parse_order(value: str) -> Order:
    """ORDER_ID,CLIENT_ORDER_ID,SYMBOL[,FIELD=VALUE...] as an Order; fields by Order's names."""
    parts = value.split(",")
    order_id, client_order_id, symbol, *rest = parts if len(parts) >= 3 else ["", "", ""]
    if not order_id.isdigit() or not client_order_id or not symbol:
        raise argparse.ArgumentTypeError(
            f"--order takes ORDER_ID,CLIENT_ORDER_ID,SYMBOL[,FIELD=VALUE...], got {value!r}"
        )
    settable = {f.name for f in fields(Order)} - set(_IDENTITY)
    decimals = _decimal_fields(Order(0, "x", "BTCUSD_PERP"))
    extra = _assignments(f"--order {order_id}", Order, rest, settable, decimals)
    return Order(int(order_id), client_order_id, symbol, **extra)


def parse_algo_order(value: str) -> dict[str, Any]:
    """SYMBOL[,FIELD=VALUE...] as add_algo_order's arguments; fields by AlgoOrder's names."""
    symbol, *rest = value.split(",")
    if not symbol or "=" in symbol:
        raise argparse.ArgumentTypeError(
            f"--algo-order takes SYMBOL[,FIELD=VALUE...], got {value!r}"
        )
    settable = {f.name for f in fields(AlgoOrder)} - {"symbol"}
    decimals = _decimal_fields(AlgoOrder(0, "x", "BTCUSD_PERP"))
    extra = _assignments("--algo-order", AlgoOrder, rest, settable, decimals)
    problem = _algo_field_problem(extra)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"--algo-order: {problem}")
    return {"symbol": symbol, **extra}


def _algo_field_problem(extra: dict[str, Any]) -> str | None:
    """Why an algo order's fields are not ones Binance could hold; None when they are."""
    algo_id = extra.get("algo_id")
    if algo_id is not None and algo_id < 1:
        return f"algo_id={algo_id} must be 1 or more"
    client_algo_id = extra.get("client_algo_id")
    if client_algo_id is not None and not client_order_id_regex().fullmatch(client_algo_id):
        return f"client_algo_id={client_algo_id!r} does not match {client_order_id_regex().pattern}"
    status = extra.get("algo_status")
    if status is not None and status not in ALGO_STATUSES:
        return f"algo_status={status!r} is not one of {', '.join(sorted(ALGO_STATUSES))}"
    return None


def duplicate_algo(arguments: dict[str, Any], book: Iterable[AlgoOrder]) -> str | None:
    """Why an algo order with ``arguments`` cannot join ``book`` (its id or client id is taken)."""
    for held in book:
        if arguments.get("algo_id") == held.algo_id:
            return f"algo id {held.algo_id} is already held ({held.client_algo_id!r})"
        if arguments.get("client_algo_id") == held.client_algo_id:
            return (
                f"client algo id {held.client_algo_id!r} is already held "
                f"(algo order {held.algo_id})"
            )
    return None


def _assignments(
    flag: str, kind: type, assignments: list[str], settable: set[str], decimals: frozenset[str]
) -> dict[str, Any]:
    """FIELD=VALUE assignments as keyword arguments of ``kind``, each converted to its type."""
    types = typing.get_type_hints(kind)
    extra: dict[str, Any] = {}
    for assignment in assignments:
        name, _, text = assignment.partition("=")
        if name not in settable:
            raise argparse.ArgumentTypeError(
                f"{flag.split()[0]}: unknown field {name!r}; one of {', '.join(sorted(settable))}"
            )
        if name in extra:
            raise argparse.ArgumentTypeError(f"{flag}: {name} is given twice")
        wanted = types[name]
        if wanted is bool and text.lower() in _BOOLEANS:
            extra[name] = _BOOLEANS[text.lower()]
        elif wanted in (int, int | None) and text.lstrip("-").isdigit():
            extra[name] = int(text)
        elif wanted in (str, str | None) and (name not in decimals or _DECIMAL.fullmatch(text)):
            extra[name] = text
        else:
            expected = "decimal number" if name in decimals else getattr(wanted, "__name__", wanted)
            raise argparse.ArgumentTypeError(
                f"{flag.split()[0]}: {name}={text!r} is not a {expected}"
            )
    return extra


def duplicate(order: Order, book: Iterable[Order]) -> str | None:
    """Why ``order`` cannot join ``book`` (its id, or its client id on its symbol, is taken)."""
    for held in book:
        if held.order_id == order.order_id:
            return f"order id {order.order_id} is already held ({held.client_order_id!r})"
        if (held.symbol, held.client_order_id) == (order.symbol, order.client_order_id):
            return (
                f"client order id {order.client_order_id!r} is already held on {order.symbol} "
                f"(order {held.order_id})"
            )
    return None


def request_log(exchange: LocalExchange, count: int) -> list[str]:
    """The last ``count`` requests, one line each, signatures hidden."""
    recent = exchange.requests[-count:] if count > 0 else []
    return [f"{r.method} {_SIGNATURE.sub(_HIDDEN, r.target)}" for r in recent]


def trim_log(exchange: LocalExchange) -> None:
    """Keep the request log of a long-running exchange to its last LOG_LIMIT entries."""
    excess = len(exchange.requests) - LOG_LIMIT
    if excess > 0:
        del exchange.requests[:excess]


def _known_ids(exchange: LocalExchange) -> list[int]:
    return [order.order_id for order in exchange.open_orders]


def run_command(exchange: LocalExchange, line: str) -> str:
    """Carry out one command line; the one-line answer."""
    word, _, rest = line.strip().partition(" ")
    rest = rest.strip()
    try:
        if word == "order":
            order = parse_order(rest)
            taken = duplicate(order, exchange.open_orders)
            if taken is None and exchange.order(order.order_id) is not None:
                taken = f"order id {order.order_id} is already held"
            if taken:
                return f"error: {taken}"
            exchange.add_order(order)
            return f"ok: order {order.order_id} ({order.client_order_id}) on {order.symbol}"
        if word == "fault":
            queued = parse_fault(rest)
            queued.inject(exchange)
            return f"ok: {queued.fault.name.lower()} x{queued.times} queued for {queued.target}"
        if word == "orders":
            return "ok: open orders " + (" ".join(map(str, _known_ids(exchange))) or "(none)")
        if word == "log":
            count = int(rest or 20)
            lines = request_log(exchange, count)
            return "ok: " + (" | ".join(lines) if lines else "no requests yet")
        if word == "help" or not word:
            return f"ok: {COMMANDS}"
    except (argparse.ArgumentTypeError, ValueError) as error:
        return f"error: {error}"
    return f"error: unknown command {word!r}; commands: {COMMANDS}"


def serve_commands(exchange: LocalExchange, lines: TextIO, answer: Callable[[str], None]) -> None:
    """Answer each line of ``lines`` until it ends (the owner closed stdin)."""
    for line in lines:
        answer(run_command(exchange, line))

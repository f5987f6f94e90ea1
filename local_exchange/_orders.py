"""Open orders as the exchange holds them, and the demo book it starts with."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from ._spec import CURRENT_SHAPE, cancel_example, cancel_examples, query_example

_T = TypeVar("_T")
_TRAILING_ONLY = ("activatePrice", "priceRate")
"""Sent only for TRAILING_STOP_MARKET orders, so only when an order has them."""


@functools.cache
def _all_examples() -> dict[str, Any]:
    """Every field any of the spec's 200 examples shows, with its example value."""
    merged: dict[str, Any] = {}
    for example in cancel_examples().values():
        merged.update(example)
    return merged


def _from_example(wire_name: str, kind: type[_T]) -> _T:
    """A dataclass default read from the spec's 200 examples when an Order is first built."""

    def factory() -> _T:
        value = _all_examples()[wire_name]
        if type(value) is not kind:
            raise TypeError(f"openapi.yaml example {wire_name}={value!r} is not a {kind.__name__}")
        return value

    default: _T = field(default_factory=factory)
    return default


@dataclass(frozen=True, slots=True)
class Order:
    """An open order. Fields left out default to the 200 examples of openapi.yaml.

    `pair` left empty is derived from the symbol (`BTCUSD_PERP` → `BTCUSD`). A cancel
    answers with the fields of the exchange's answer shape, `status` "CANCELED" and
    `updateTime` the exchange clock; `activate_price` and `price_rate` are sent only when set
    (Binance sends them only for TRAILING_STOP_MARKET orders).

    `status` is where the order stands: NEW and PARTIALLY_FILLED orders are open (a cancel
    takes them); FILLED, CANCELED and EXPIRED ones are only found by Query Order, whose
    answer carries every field of the spec's Query Order example.
    """

    order_id: int
    client_order_id: str
    symbol: str
    pair: str = ""
    price: str = _from_example("price", str)
    avg_price: str = _from_example("avgPrice", str)
    orig_qty: str = _from_example("origQty", str)
    executed_qty: str = _from_example("executedQty", str)
    cum_qty: str = _from_example("cumQty", str)
    cum_base: str = _from_example("cumBase", str)
    time_in_force: str = _from_example("timeInForce", str)
    type: str = _from_example("type", str)
    reduce_only: bool = _from_example("reduceOnly", bool)
    close_position: bool = _from_example("closePosition", bool)
    side: str = _from_example("side", str)
    position_side: str = _from_example("positionSide", str)
    stop_price: str = _from_example("stopPrice", str)
    working_type: str = _from_example("workingType", str)
    price_protect: bool = _from_example("priceProtect", bool)
    orig_type: str = _from_example("origType", str)
    price_match: str = _from_example("priceMatch", str)
    self_trade_prevention_mode: str = _from_example("selfTradePreventionMode", str)
    time: int = _from_example("time", int)
    update_time: int = _from_example("updateTime", int)
    activate_price: str | None = None
    price_rate: str | None = None
    status: str = "NEW"

    def __post_init__(self) -> None:
        if not self.pair:
            object.__setattr__(self, "pair", self.symbol.partition("_")[0])

    def cancel_response(
        self, *, status: str, update_time: int, shape: str = CURRENT_SHAPE
    ) -> dict[str, Any]:
        """The JSON object a cancel of this order answers with in `shape`, in the spec's order."""
        values = {wire: getattr(self, attribute) for wire, attribute in _wire_names()}
        values["status"] = status
        values["updateTime"] = update_time
        answer = {wire: values[wire] for wire in cancel_example(shape)}
        answer.update({wire: values[wire] for wire in _TRAILING_ONLY if values[wire] is not None})
        return answer

    @property
    def is_open(self) -> bool:
        """Whether the order is still on the book, so that a cancel can take it."""
        return self.status in OPEN_STATUSES

    def query_response(self, *, created_ms: int) -> dict[str, Any]:
        """The JSON object Query Order answers for this order, keys in the spec's order.

        `time` is `created_ms`, the creation time the exchange's query window counts from.
        """
        values = {wire: getattr(self, attribute) for wire, attribute in _wire_names()}
        values["time"] = created_ms
        answer = {wire: values[wire] for wire in query_example()}
        answer.update({wire: values[wire] for wire in _TRAILING_ONLY if values[wire] is not None})
        return answer


OPEN_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED"})
"""The statuses of an order on the book."""


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word.capitalize() for word in rest)


@functools.cache
def _wire_names() -> tuple[tuple[str, str], ...]:
    return tuple((_camel(f.name), f.name) for f in fields(Order))


def demo_orders() -> list[Order]:
    """The book a LocalExchange starts with when no orders are given.

    Includes the spec example's order (4612097861 / "7BOSEMlb00bMIuOZzWKxn2") and a client
    order id that needs percent-encoding on the wire ("desk:7/quote-01").
    """
    example = cancel_example()
    return [
        Order(example["orderId"], example["clientOrderId"], example["symbol"]),
        Order(4612097862, "desk:7/quote-01", "BTCUSD_PERP", side="SELL", price="38500"),
        Order(4612097863, "btc.ladder_03", "BTCUSD_PERP", price="36000", orig_qty="5"),
        Order(4612097864, "eth-grid-01", "ETHUSD_PERP", price="2500", orig_qty="10"),
        Order(4612097865, "ETH/hedge:2", "ETHUSD_PERP", side="SELL", price="2900", orig_qty="3"),
    ]

"""The algo service: conditional orders (STOP, TAKE_PROFIT, ...) apart from the order book.

Since the 2026-06-30 COIN-M / USDⓈ-M integration Binance keeps conditional orders in a
separate service with its own ids (``algoId``, ``clientAlgoId``) and endpoints
(``/dapi/v1/algoOrder``, ``/dapi/v1/openAlgoOrders``); the regular endpoints do not see them.
The shapes follow USDⓈ-M's pages, as COIN-M's do not document them yet.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Any

from ._rules import Rejection, check_client_id, check_timing, found_by_query, optional_long
from ._spec import algo_cancel_example, algo_query_example

ARMED_STATUSES = frozenset({"NEW", "TRIGGERING"})
"""An algo order with one of these statuses can still trigger: it is open."""
ALGO_STATUSES = ARMED_STATUSES | {"TRIGGERED", "FINISHED", "CANCELED", "REJECTED", "EXPIRED"}
"""Every algoStatus Binance documents (USDⓈ-M's "Event: Algo Order Update")."""
MARKET_TYPES = frozenset({"STOP_MARKET", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"})
"""Conditional types whose triggered order is a market order, filled at once."""
FIRST_ALGO_ID = 2_146_760
"""Algo ids count from here (the example of Binance's page), apart from order ids."""


def _example(wire_name: str) -> Any:
    return algo_query_example()[wire_name]


@dataclass(frozen=True, slots=True)
class AlgoOrder:
    """A conditional order in the algo service. Fields left out default to the spec's example.

    `algo_status` is NEW until it is cancelled or triggered (`LocalExchange.trigger_algo_order`);
    `actual_order_id` then names the regular order it placed.
    """

    algo_id: int
    client_algo_id: str
    symbol: str
    order_type: str = dataclasses.field(default_factory=lambda: str(_example("orderType")))
    side: str = dataclasses.field(default_factory=lambda: str(_example("side")))
    position_side: str = dataclasses.field(default_factory=lambda: str(_example("positionSide")))
    time_in_force: str = dataclasses.field(default_factory=lambda: str(_example("timeInForce")))
    quantity: str = dataclasses.field(default_factory=lambda: str(_example("quantity")))
    trigger_price: str = dataclasses.field(default_factory=lambda: str(_example("triggerPrice")))
    price: str = dataclasses.field(default_factory=lambda: str(_example("price")))
    working_type: str = dataclasses.field(default_factory=lambda: str(_example("workingType")))
    reduce_only: bool = dataclasses.field(default_factory=lambda: bool(_example("reduceOnly")))
    algo_status: str = "NEW"
    actual_order_id: int | None = None
    update_time: int = 0
    trigger_time: int = 0

    @property
    def is_armed(self) -> bool:
        return self.algo_status in ARMED_STATUSES

    def response(self, *, created_ms: int) -> dict[str, Any]:
        """The JSON object Query Algo Order answers for it, keys in the spec example's order."""
        values = dict(algo_query_example())
        values.update(
            algoId=self.algo_id,
            clientAlgoId=self.client_algo_id,
            orderType=self.order_type,
            symbol=self.symbol,
            side=self.side,
            positionSide=self.position_side,
            timeInForce=self.time_in_force,
            quantity=self.quantity,
            algoStatus=self.algo_status,
            # A string, "" before it triggers, as USDⓈ-M's page and the official SDK show it.
            actualOrderId="" if self.actual_order_id is None else str(self.actual_order_id),
            triggerPrice=self.trigger_price,
            price=self.price,
            workingType=self.working_type,
            reduceOnly=self.reduce_only,
            createTime=created_ms,
            updateTime=self.update_time or created_ms,
            triggerTime=self.trigger_time,
        )
        return values

    def cancel_response(self) -> dict[str, Any]:
        """The answer of a done cancel: the ids, and the example's code "200" and msg."""
        answer = dict(algo_cancel_example())
        answer.update(algoId=self.algo_id, clientAlgoId=self.client_algo_id)
        return answer


@dataclass(frozen=True, slots=True)
class AlgoRequest:
    """The algo order a cancel or query names: algoId first, as with orderId."""

    algo_id: int | None
    client_algo_id: str | None


def check_algo_request(params: dict[str, str], server_time: int) -> AlgoRequest:
    """Binance's checks for DELETE and GET /dapi/v1/algoOrder; Rejection on the first failure.

    The id rules are those of a client order id (USDⓈ-M's rule; unverified for COIN-M).
    """
    check_timing(params, server_time)
    algo_id = optional_long(params, "algoId")
    if params.get("clientAlgoId") == "":
        raise Rejection(
            400,
            -1102,
            "Mandatory parameter 'clientAlgoId' was not sent, was empty/null, or malformed.",
        )
    client_algo_id = params.get("clientAlgoId")
    if algo_id is None and client_algo_id is None:
        raise Rejection(
            400,
            -1102,
            "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!",
        )
    if client_algo_id is not None:
        check_client_id("clientAlgoId", client_algo_id)
    return AlgoRequest(algo_id, client_algo_id)


def check_open_algo_orders(params: dict[str, str], server_time: int) -> str | None:
    """Binance's checks for GET /dapi/v1/openAlgoOrders; the symbol, None for every symbol."""
    check_timing(params, server_time)
    if "symbol" in params and not params["symbol"]:
        raise Rejection(
            400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."
        )
    return params.get("symbol")


class AlgoBook:
    """The algo orders an exchange holds, with their creation times. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: dict[int, AlgoOrder] = {}
        self._created: dict[int, int] = {}
        self._by_client_id: dict[str, int] = {}
        self._next_id = FIRST_ALGO_ID

    def add(
        self,
        symbol: str,
        *,
        created_ms: int,
        algo_id: int | None = None,
        client_algo_id: str | None = None,
        **fields: Any,
    ) -> AlgoOrder:
        with self._lock:
            if algo_id is None:
                algo_id = self._next_id
            self._next_id = max(self._next_id, algo_id + 1)
            order = AlgoOrder(algo_id, client_algo_id or f"algo-{algo_id}", symbol, **fields)
            replaced = self._orders.get(algo_id)
            if replaced is not None:
                self._by_client_id.pop(replaced.client_algo_id, None)
            self._orders[algo_id] = order
            self._created[algo_id] = created_ms
            self._by_client_id[order.client_algo_id] = algo_id
            return order

    def get(self, algo_id: int) -> AlgoOrder | None:
        with self._lock:
            return self._orders.get(algo_id)

    def find(self, request: AlgoRequest) -> tuple[AlgoOrder, int] | None:
        """The order a request names (algoId first) and its creation time, whatever its status."""
        with self._lock:
            algo_id = request.algo_id
            if algo_id is None:
                algo_id = self._by_client_id.get(request.client_algo_id or "")
            order = self._orders.get(algo_id) if algo_id is not None else None
            return None if order is None else (order, self._created[order.algo_id])

    def update(self, algo_id: int, **changes: Any) -> AlgoOrder:
        with self._lock:
            order = dataclasses.replace(self._orders[algo_id], **changes)
            self._orders[algo_id] = order
            return order

    def cancel(self, request: AlgoRequest, now: int) -> AlgoOrder | None:
        """Cancel the NEW order `request` names; None when there is none.

        A TRIGGERING order is already being placed in the order book: its cancel answers -2011
        here, and only a later query says whether it triggered.
        """
        with self._lock:
            algo_id = request.algo_id
            if algo_id is None:
                algo_id = self._by_client_id.get(request.client_algo_id or "")
            order = self._orders.get(algo_id) if algo_id is not None else None
            if order is None or order.algo_status != "NEW":
                return None
            self._orders[order.algo_id] = dataclasses.replace(
                order, algo_status="CANCELED", update_time=now
            )
            return order

    def armed(self, symbol: str | None) -> list[tuple[AlgoOrder, int]]:
        """The armed orders (of `symbol`, or all) with their creation times, by algo id."""
        with self._lock:
            return [
                (order, self._created[algo_id])
                for algo_id, order in sorted(self._orders.items())
                if order.is_armed and symbol in (None, order.symbol)
            ]


def still_queryable(order: AlgoOrder, created_ms: int, now_ms: int) -> bool:
    """Whether Query Algo Order still finds `order`: Query Order's 3-day and 90-day windows.

    An algo order that was cancelled or expired never traded, so the 3-day window applies.
    """
    done_unfilled = order.algo_status in ("CANCELED", "EXPIRED")
    return found_by_query(created_ms, now_ms, done_unfilled=done_unfilled)

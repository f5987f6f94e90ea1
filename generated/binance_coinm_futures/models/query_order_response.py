from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="QueryOrderResponse")


@_attrs_define
class QueryOrderResponse:
    """The order's current state as Query Order reports it. Unlike the cancel answer, this read endpoint still carries the
    fill data (`avgPrice`, `executedQty`, `cumBase`). Required are the fields that identify the order and say where it
    is: `orderId`, `symbol` and `clientOrderId` (checked against the request, see `x-binance-echo`), `status`, and
    `executedQty` (how much of it filled). The rest is optional, as in the cancel answer, so that a field Binance stops
    sending never turns a definite state into an unknown one. Enum-like fields are plain strings so that a value Binance
    adds later still parses.

        Attributes:
            order_id (int): Unique identifier for the order.
            symbol (str): Trading symbol.
            status (str): Order status: NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, REJECTED or EXPIRED_IN_MATCH (an
                open string: values Binance adds later parse too).
            client_order_id (str): Client-generated order ID.
            executed_qty (str): Quantity of the order that has been executed.
            pair (str | Unset): Trading pair.
            price (str | Unset): Order price.
            avg_price (str | Unset): Average filled price.
            orig_qty (str | Unset): Original order quantity.
            cum_base (str | Unset): Cumulative filled quantity in the base asset.
            time_in_force (str | Unset): Time in force for the order (e.g. GTC).
            type_ (str | Unset): Order type (e.g., LIMIT, MARKET).
            reduce_only (bool | Unset): Indicates if the order was set to reduce position only.
            close_position (bool | Unset): Indicates if the order was set to close position.
            side (str | Unset): Order side (BUY or SELL).
            position_side (str | Unset): Position side (LONG, SHORT, or BOTH).
            stop_price (str | Unset): Stop price for stop orders.
            working_type (str | Unset): Working type of the order price (e.g. CONTRACT_PRICE).
            price_protect (bool | Unset): Price protection indicator.
            orig_type (str | Unset): Original order type.
            price_match (str | Unset): Price match mode (e.g. NONE, OPPONENT, QUEUE).
            self_trade_prevention_mode (str | Unset): Self-trade prevention mode (e.g. NONE, EXPIRE_TAKER).
            activate_price (str | Unset): Activation price; only for TRAILING_STOP_MARKET orders.
            price_rate (str | Unset): Callback rate; only for TRAILING_STOP_MARKET orders.
            time (int | Unset): Order creation time.
            update_time (int | Unset): Last update time of the order.
    """

    order_id: int
    symbol: str
    status: str
    client_order_id: str
    executed_qty: str
    pair: str | Unset = UNSET
    price: str | Unset = UNSET
    avg_price: str | Unset = UNSET
    orig_qty: str | Unset = UNSET
    cum_base: str | Unset = UNSET
    time_in_force: str | Unset = UNSET
    type_: str | Unset = UNSET
    reduce_only: bool | Unset = UNSET
    close_position: bool | Unset = UNSET
    side: str | Unset = UNSET
    position_side: str | Unset = UNSET
    stop_price: str | Unset = UNSET
    working_type: str | Unset = UNSET
    price_protect: bool | Unset = UNSET
    orig_type: str | Unset = UNSET
    price_match: str | Unset = UNSET
    self_trade_prevention_mode: str | Unset = UNSET
    activate_price: str | Unset = UNSET
    price_rate: str | Unset = UNSET
    time: int | Unset = UNSET
    update_time: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        symbol = self.symbol

        status = self.status

        client_order_id = self.client_order_id

        executed_qty = self.executed_qty

        pair = self.pair

        price = self.price

        avg_price = self.avg_price

        orig_qty = self.orig_qty

        cum_base = self.cum_base

        time_in_force = self.time_in_force

        type_ = self.type_

        reduce_only = self.reduce_only

        close_position = self.close_position

        side = self.side

        position_side = self.position_side

        stop_price = self.stop_price

        working_type = self.working_type

        price_protect = self.price_protect

        orig_type = self.orig_type

        price_match = self.price_match

        self_trade_prevention_mode = self.self_trade_prevention_mode

        activate_price = self.activate_price

        price_rate = self.price_rate

        time = self.time

        update_time = self.update_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "orderId": order_id,
                "symbol": symbol,
                "status": status,
                "clientOrderId": client_order_id,
                "executedQty": executed_qty,
            }
        )
        if pair is not UNSET:
            field_dict["pair"] = pair
        if price is not UNSET:
            field_dict["price"] = price
        if avg_price is not UNSET:
            field_dict["avgPrice"] = avg_price
        if orig_qty is not UNSET:
            field_dict["origQty"] = orig_qty
        if cum_base is not UNSET:
            field_dict["cumBase"] = cum_base
        if time_in_force is not UNSET:
            field_dict["timeInForce"] = time_in_force
        if type_ is not UNSET:
            field_dict["type"] = type_
        if reduce_only is not UNSET:
            field_dict["reduceOnly"] = reduce_only
        if close_position is not UNSET:
            field_dict["closePosition"] = close_position
        if side is not UNSET:
            field_dict["side"] = side
        if position_side is not UNSET:
            field_dict["positionSide"] = position_side
        if stop_price is not UNSET:
            field_dict["stopPrice"] = stop_price
        if working_type is not UNSET:
            field_dict["workingType"] = working_type
        if price_protect is not UNSET:
            field_dict["priceProtect"] = price_protect
        if orig_type is not UNSET:
            field_dict["origType"] = orig_type
        if price_match is not UNSET:
            field_dict["priceMatch"] = price_match
        if self_trade_prevention_mode is not UNSET:
            field_dict["selfTradePreventionMode"] = self_trade_prevention_mode
        if activate_price is not UNSET:
            field_dict["activatePrice"] = activate_price
        if price_rate is not UNSET:
            field_dict["priceRate"] = price_rate
        if time is not UNSET:
            field_dict["time"] = time
        if update_time is not UNSET:
            field_dict["updateTime"] = update_time

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        order_id = d.pop("orderId")

        symbol = d.pop("symbol")

        status = d.pop("status")

        client_order_id = d.pop("clientOrderId")

        executed_qty = d.pop("executedQty")

        pair = d.pop("pair", UNSET)

        price = d.pop("price", UNSET)

        avg_price = d.pop("avgPrice", UNSET)

        orig_qty = d.pop("origQty", UNSET)

        cum_base = d.pop("cumBase", UNSET)

        time_in_force = d.pop("timeInForce", UNSET)

        type_ = d.pop("type", UNSET)

        reduce_only = d.pop("reduceOnly", UNSET)

        close_position = d.pop("closePosition", UNSET)

        side = d.pop("side", UNSET)

        position_side = d.pop("positionSide", UNSET)

        stop_price = d.pop("stopPrice", UNSET)

        working_type = d.pop("workingType", UNSET)

        price_protect = d.pop("priceProtect", UNSET)

        orig_type = d.pop("origType", UNSET)

        price_match = d.pop("priceMatch", UNSET)

        self_trade_prevention_mode = d.pop("selfTradePreventionMode", UNSET)

        activate_price = d.pop("activatePrice", UNSET)

        price_rate = d.pop("priceRate", UNSET)

        time = d.pop("time", UNSET)

        update_time = d.pop("updateTime", UNSET)

        query_order_response = cls(
            order_id=order_id,
            symbol=symbol,
            status=status,
            client_order_id=client_order_id,
            executed_qty=executed_qty,
            pair=pair,
            price=price,
            avg_price=avg_price,
            orig_qty=orig_qty,
            cum_base=cum_base,
            time_in_force=time_in_force,
            type_=type_,
            reduce_only=reduce_only,
            close_position=close_position,
            side=side,
            position_side=position_side,
            stop_price=stop_price,
            working_type=working_type,
            price_protect=price_protect,
            orig_type=orig_type,
            price_match=price_match,
            self_trade_prevention_mode=self_trade_prevention_mode,
            activate_price=activate_price,
            price_rate=price_rate,
            time=time,
            update_time=update_time,
        )

        query_order_response.additional_properties = d
        return query_order_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

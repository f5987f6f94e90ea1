from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CancelOrderResponse")


@_attrs_define
class CancelOrderResponse:
    """The state of the cancelled order. Enum-like fields are plain strings so that a value Binance adds later still
    parses.

        Attributes:
            order_id (int): Unique identifier for the order.
            symbol (str): Trading symbol.
            pair (str): Trading pair.
            status (str): Order status. Possible values include: CANCELED.
            client_order_id (str): Client-generated order ID.
            price (str): Order price.
            avg_price (str): Average filled price.
            orig_qty (str): Original order quantity.
            executed_qty (str): Quantity of the order that has been executed.
            cum_qty (str): Cumulative filled quantity.
            cum_base (str): Cumulative quote quantity.
            time_in_force (str): Time in force for the order (e.g. GTC).
            type_ (str): Order type (e.g., LIMIT, MARKET).
            reduce_only (bool): Indicates if the order was set to reduce position only.
            close_position (bool): Indicates if the order was set to close position.
            side (str): Order side (BUY or SELL).
            position_side (str): Position side (LONG, SHORT, or BOTH).
            stop_price (str): Stop price for stop orders.
            working_type (str): Working type of the order price (e.g. CONTRACT_PRICE).
            price_protect (bool): Price protection indicator.
            orig_type (str): Original order type.
            time (int): Order creation time.
            update_time (int): Last update time of the order.
    """

    order_id: int
    symbol: str
    pair: str
    status: str
    client_order_id: str
    price: str
    avg_price: str
    orig_qty: str
    executed_qty: str
    cum_qty: str
    cum_base: str
    time_in_force: str
    type_: str
    reduce_only: bool
    close_position: bool
    side: str
    position_side: str
    stop_price: str
    working_type: str
    price_protect: bool
    orig_type: str
    time: int
    update_time: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        symbol = self.symbol

        pair = self.pair

        status = self.status

        client_order_id = self.client_order_id

        price = self.price

        avg_price = self.avg_price

        orig_qty = self.orig_qty

        executed_qty = self.executed_qty

        cum_qty = self.cum_qty

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

        time = self.time

        update_time = self.update_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "orderId": order_id,
                "symbol": symbol,
                "pair": pair,
                "status": status,
                "clientOrderId": client_order_id,
                "price": price,
                "avgPrice": avg_price,
                "origQty": orig_qty,
                "executedQty": executed_qty,
                "cumQty": cum_qty,
                "cumBase": cum_base,
                "timeInForce": time_in_force,
                "type": type_,
                "reduceOnly": reduce_only,
                "closePosition": close_position,
                "side": side,
                "positionSide": position_side,
                "stopPrice": stop_price,
                "workingType": working_type,
                "priceProtect": price_protect,
                "origType": orig_type,
                "time": time,
                "updateTime": update_time,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        order_id = d.pop("orderId")

        symbol = d.pop("symbol")

        pair = d.pop("pair")

        status = d.pop("status")

        client_order_id = d.pop("clientOrderId")

        price = d.pop("price")

        avg_price = d.pop("avgPrice")

        orig_qty = d.pop("origQty")

        executed_qty = d.pop("executedQty")

        cum_qty = d.pop("cumQty")

        cum_base = d.pop("cumBase")

        time_in_force = d.pop("timeInForce")

        type_ = d.pop("type")

        reduce_only = d.pop("reduceOnly")

        close_position = d.pop("closePosition")

        side = d.pop("side")

        position_side = d.pop("positionSide")

        stop_price = d.pop("stopPrice")

        working_type = d.pop("workingType")

        price_protect = d.pop("priceProtect")

        orig_type = d.pop("origType")

        time = d.pop("time")

        update_time = d.pop("updateTime")

        cancel_order_response = cls(
            order_id=order_id,
            symbol=symbol,
            pair=pair,
            status=status,
            client_order_id=client_order_id,
            price=price,
            avg_price=avg_price,
            orig_qty=orig_qty,
            executed_qty=executed_qty,
            cum_qty=cum_qty,
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
            time=time,
            update_time=update_time,
        )

        cancel_order_response.additional_properties = d
        return cancel_order_response

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AlgoOrder")


@_attrs_define
class AlgoOrder:
    """A conditional order as the algo service reports it. Required are the fields that identify it and say where it is:
    `algoId` and `clientAlgoId` (checked against the request, see `x-binance-echo`), `symbol` and `algoStatus`. Every
    other field is optional and enum-like fields are plain strings, so that a field Binance adds, drops or extends never
    turns a definite state into an unknown one. Shape from USDⓈ-M's Query Algo Order page and the official USDⓈ-M SDK;
    unverified for COIN-M.

        Attributes:
            algo_id (int): The algo order's id.
            client_algo_id (str): The algo order's client id.
            symbol (str): Trading symbol.
            algo_status (str): NEW, TRIGGERING, TRIGGERED, FINISHED, CANCELED, REJECTED or EXPIRED (an open string: values
                Binance adds later parse too).
            algo_type (str | Unset): CONDITIONAL.
            order_type (str | Unset): STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET or TRAILING_STOP_MARKET (an open
                string).
            side (str | Unset): Order side (BUY or SELL).
            position_side (str | Unset): Position side (LONG, SHORT, or BOTH).
            time_in_force (str | Unset): Time in force of the order it places (e.g. GTC).
            quantity (str | Unset): Order quantity.
            actual_order_id (int | str | Unset): The regular order the algo order placed when it triggered; "" before. A
                string in USDⓈ-M's page and the official SDK; an integer is accepted too, as COIN-M's form is unverified.
            actual_price (str | Unset): Price of the regular order it placed.
            actual_type (str | Unset): Type of the regular order it placed.
            actual_qty (str | Unset): Quantity of the regular order it placed.
            trigger_price (str | Unset): The price that triggers it.
            price (str | Unset): Limit price of the order it places (0 for a market stop).
            working_type (str | Unset): Which price triggers it (MARK_PRICE or CONTRACT_PRICE).
            price_match (str | Unset): Price match mode (an open string).
            self_trade_prevention_mode (str | Unset): Self-trade prevention mode (an open string).
            close_position (bool | Unset): Whether it closes the whole position.
            price_protect (bool | Unset): Price protection indicator.
            reduce_only (bool | Unset): Whether the order it places only reduces the position.
            create_time (int | Unset): Creation time; the query windows count from it.
            update_time (int | Unset): Last update time.
            trigger_time (int | Unset): When it triggered; 0 before.
            good_till_date (int | Unset): Expiry of a GTD order; 0 otherwise.
    """

    algo_id: int
    client_algo_id: str
    symbol: str
    algo_status: str
    algo_type: str | Unset = UNSET
    order_type: str | Unset = UNSET
    side: str | Unset = UNSET
    position_side: str | Unset = UNSET
    time_in_force: str | Unset = UNSET
    quantity: str | Unset = UNSET
    actual_order_id: int | str | Unset = UNSET
    actual_price: str | Unset = UNSET
    actual_type: str | Unset = UNSET
    actual_qty: str | Unset = UNSET
    trigger_price: str | Unset = UNSET
    price: str | Unset = UNSET
    working_type: str | Unset = UNSET
    price_match: str | Unset = UNSET
    self_trade_prevention_mode: str | Unset = UNSET
    close_position: bool | Unset = UNSET
    price_protect: bool | Unset = UNSET
    reduce_only: bool | Unset = UNSET
    create_time: int | Unset = UNSET
    update_time: int | Unset = UNSET
    trigger_time: int | Unset = UNSET
    good_till_date: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        algo_id = self.algo_id

        client_algo_id = self.client_algo_id

        symbol = self.symbol

        algo_status = self.algo_status

        algo_type = self.algo_type

        order_type = self.order_type

        side = self.side

        position_side = self.position_side

        time_in_force = self.time_in_force

        quantity = self.quantity

        actual_order_id: int | str | Unset
        if isinstance(self.actual_order_id, Unset):
            actual_order_id = UNSET
        else:
            actual_order_id = self.actual_order_id

        actual_price = self.actual_price

        actual_type = self.actual_type

        actual_qty = self.actual_qty

        trigger_price = self.trigger_price

        price = self.price

        working_type = self.working_type

        price_match = self.price_match

        self_trade_prevention_mode = self.self_trade_prevention_mode

        close_position = self.close_position

        price_protect = self.price_protect

        reduce_only = self.reduce_only

        create_time = self.create_time

        update_time = self.update_time

        trigger_time = self.trigger_time

        good_till_date = self.good_till_date

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "algoId": algo_id,
                "clientAlgoId": client_algo_id,
                "symbol": symbol,
                "algoStatus": algo_status,
            }
        )
        if algo_type is not UNSET:
            field_dict["algoType"] = algo_type
        if order_type is not UNSET:
            field_dict["orderType"] = order_type
        if side is not UNSET:
            field_dict["side"] = side
        if position_side is not UNSET:
            field_dict["positionSide"] = position_side
        if time_in_force is not UNSET:
            field_dict["timeInForce"] = time_in_force
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if actual_order_id is not UNSET:
            field_dict["actualOrderId"] = actual_order_id
        if actual_price is not UNSET:
            field_dict["actualPrice"] = actual_price
        if actual_type is not UNSET:
            field_dict["actualType"] = actual_type
        if actual_qty is not UNSET:
            field_dict["actualQty"] = actual_qty
        if trigger_price is not UNSET:
            field_dict["triggerPrice"] = trigger_price
        if price is not UNSET:
            field_dict["price"] = price
        if working_type is not UNSET:
            field_dict["workingType"] = working_type
        if price_match is not UNSET:
            field_dict["priceMatch"] = price_match
        if self_trade_prevention_mode is not UNSET:
            field_dict["selfTradePreventionMode"] = self_trade_prevention_mode
        if close_position is not UNSET:
            field_dict["closePosition"] = close_position
        if price_protect is not UNSET:
            field_dict["priceProtect"] = price_protect
        if reduce_only is not UNSET:
            field_dict["reduceOnly"] = reduce_only
        if create_time is not UNSET:
            field_dict["createTime"] = create_time
        if update_time is not UNSET:
            field_dict["updateTime"] = update_time
        if trigger_time is not UNSET:
            field_dict["triggerTime"] = trigger_time
        if good_till_date is not UNSET:
            field_dict["goodTillDate"] = good_till_date

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        algo_id = d.pop("algoId")

        client_algo_id = d.pop("clientAlgoId")

        symbol = d.pop("symbol")

        algo_status = d.pop("algoStatus")

        algo_type = d.pop("algoType", UNSET)

        order_type = d.pop("orderType", UNSET)

        side = d.pop("side", UNSET)

        position_side = d.pop("positionSide", UNSET)

        time_in_force = d.pop("timeInForce", UNSET)

        quantity = d.pop("quantity", UNSET)

        def _parse_actual_order_id(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        actual_order_id = _parse_actual_order_id(d.pop("actualOrderId", UNSET))

        actual_price = d.pop("actualPrice", UNSET)

        actual_type = d.pop("actualType", UNSET)

        actual_qty = d.pop("actualQty", UNSET)

        trigger_price = d.pop("triggerPrice", UNSET)

        price = d.pop("price", UNSET)

        working_type = d.pop("workingType", UNSET)

        price_match = d.pop("priceMatch", UNSET)

        self_trade_prevention_mode = d.pop("selfTradePreventionMode", UNSET)

        close_position = d.pop("closePosition", UNSET)

        price_protect = d.pop("priceProtect", UNSET)

        reduce_only = d.pop("reduceOnly", UNSET)

        create_time = d.pop("createTime", UNSET)

        update_time = d.pop("updateTime", UNSET)

        trigger_time = d.pop("triggerTime", UNSET)

        good_till_date = d.pop("goodTillDate", UNSET)

        algo_order = cls(
            algo_id=algo_id,
            client_algo_id=client_algo_id,
            symbol=symbol,
            algo_status=algo_status,
            algo_type=algo_type,
            order_type=order_type,
            side=side,
            position_side=position_side,
            time_in_force=time_in_force,
            quantity=quantity,
            actual_order_id=actual_order_id,
            actual_price=actual_price,
            actual_type=actual_type,
            actual_qty=actual_qty,
            trigger_price=trigger_price,
            price=price,
            working_type=working_type,
            price_match=price_match,
            self_trade_prevention_mode=self_trade_prevention_mode,
            close_position=close_position,
            price_protect=price_protect,
            reduce_only=reduce_only,
            create_time=create_time,
            update_time=update_time,
            trigger_time=trigger_time,
            good_till_date=good_till_date,
        )

        algo_order.additional_properties = d
        return algo_order

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

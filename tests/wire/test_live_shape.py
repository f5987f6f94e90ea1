"""Against the local exchange in today's answer shape and in the pre-2026-06 one.

The live shape is Binance's since the COIN-M / USDⓈ-M integration (notice published
2026-06-10, effective 2026-06-30): no avgPrice or cumBase, priceMatch and
selfTradePreventionMode added. The client returns the order from both, sync and async, by
either id, and types the live errors.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from binance_coinm_futures import (
    AccountRejected,
    BinanceError,
    ExchangeMaintenance,
    InvalidParameter,
    ServiceUnavailable,
    connect,
)
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.models import CancelOrderResponse
from binance_coinm_futures.testing import (
    CURRENT_SHAPE,
    PRE_2026_06_SHAPE,
    Fault,
    LocalExchange,
    Order,
)
from binance_coinm_futures.types import Unset
from tests.wire.conftest import HMAC_KEY, HMAC_SECRET
from tests.wire.scripted import MODES, mode_args

BY_ORDER_ID = {"symbol": "BTCUSD_PERP", "order_id": 701}
BY_CLIENT_ID = {"symbol": "BTCUSD_PERP", "orig_client_order_id": "desk:7/live-701"}


def cancel(exchange: LocalExchange, mode: str, request: dict[str, Any]) -> CancelOrderResponse:
    client = connect(api_key=HMAC_KEY, secret=HMAC_SECRET, base_url=exchange.url, **mode_args(mode))
    if mode == "sync":
        with client:
            return cancel_order.sync(client=client, **request)

    async def run() -> CancelOrderResponse:
        async with client:
            return await cancel_order.asyncio(client=client, **request)

    return asyncio.run(run())


def exchange_in(shape: str) -> LocalExchange:
    exchange = LocalExchange(api_keys={HMAC_KEY: HMAC_SECRET}, answer_shape=shape)
    exchange.add_order(Order(701, "desk:7/live-701", "BTCUSD_PERP", price_match="QUEUE_5"))
    return exchange


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("request_args", [BY_ORDER_ID, BY_CLIENT_ID], ids=["orderId", "clientId"])
def test_todays_answer_is_returned_with_its_new_fields(
    mode: str, request_args: dict[str, Any]
) -> None:
    with exchange_in(CURRENT_SHAPE) as exchange:
        order = cancel(exchange, mode, request_args)
    assert (order.order_id, order.status) == (701, "CANCELED")
    assert (order.price_match, order.self_trade_prevention_mode) == ("QUEUE_5", "NONE")
    assert isinstance(order.avg_price, Unset)
    assert isinstance(order.cum_base, Unset)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("request_args", [BY_ORDER_ID, BY_CLIENT_ID], ids=["orderId", "clientId"])
def test_the_old_answer_still_works(mode: str, request_args: dict[str, Any]) -> None:
    with exchange_in(PRE_2026_06_SHAPE) as exchange:
        order = cancel(exchange, mode, request_args)
    assert (order.order_id, order.avg_price, order.cum_base) == (701, "0", "0")
    assert isinstance(order.time, int)
    assert isinstance(order.price_match, Unset)


LIVE_ERRORS = [
    (None, InvalidParameter, -1121),
    (Fault.SERVICE_SHUT_DOWN_1016, ExchangeMaintenance, -1016),
    (Fault.MAINTENANCE_1016, ExchangeMaintenance, -1016),
    (Fault.INVALID_ACCOUNT_1109, AccountRejected, -1109),
    (Fault.MAINTENANCE_NO_CODE, ExchangeMaintenance, None),
    (Fault.INTERNAL_ERROR_500, ServiceUnavailable, -1001),
    (Fault.REQUEST_UNKNOWN_500, ServiceUnavailable, -1000),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("fault", "error_type", "code"), LIVE_ERRORS)
def test_live_errors_are_typed_and_nothing_is_cancelled(
    mode: str, fault: Fault | None, error_type: type[BinanceError], code: int | None
) -> None:
    with exchange_in(CURRENT_SHAPE) as exchange:
        request = BY_ORDER_ID if fault else {**BY_ORDER_ID, "symbol": "BTCUSD_PREP"}
        if fault is not None:
            exchange.inject(fault)
        with pytest.raises(BinanceError) as raised:
            cancel(exchange, mode, request)
        assert 701 in {order.order_id for order in exchange.open_orders}
    assert type(raised.value) is error_type
    assert raised.value.code == code
    if fault is Fault.MAINTENANCE_NO_CODE:
        assert raised.value.msg == "The system is under maintenance, please try again later."

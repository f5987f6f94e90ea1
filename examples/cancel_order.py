"""Cancel one order by orderId and one by origClientOrderId, then cancel the first again.

The second cancel answers -2011; cancel_and_confirm then finds out, by Query Order, that the
order is CANCELED. Then a stop-loss: named by a regular id it is not in the order book (the
message says where it is), and cancelled and confirmed by its client algo id it is CANCELED.

Reads BINANCE_BASE_URL, BINANCE_API_KEY and BINANCE_SECRET from the environment, and
BINANCE_STOP_CLIENT_ALGO_ID (the stop-loss; skipped when unset). `make demo` runs it against a
local exchange; pointed at the testnet it cancels real testnet orders.
"""

from __future__ import annotations

import asyncio
import os

from binance_coinm_futures import UnknownOrder, cancel_and_confirm, connect
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.client import AuthenticatedClient
from binance_coinm_futures.models import CancelOrderResponse

SYMBOL = "BTCUSD_PERP"
ORDER_ID = 4612097861
# ':' and '/' are allowed in client order ids and must be percent-encoded on the wire.
CLIENT_ORDER_ID = "desk:7/quote-01"


def show(label: str, order: CancelOrderResponse) -> None:
    print(
        f"{label}: orderId={order.order_id} clientOrderId={order.client_order_id} "
        f"status={order.status} origQty={order.orig_qty} price={order.price}"
    )


async def cancel_by_client_id_async(base_url: str | None, api_key: str, secret: str) -> None:
    client = connect(api_key=api_key, secret=secret, base_url=base_url)
    async with client:
        order = await cancel_order.asyncio(
            client=client, symbol=SYMBOL, orig_client_order_id=CLIENT_ORDER_ID
        )
    show("cancelled by origClientOrderId (async)", order)


def main() -> None:
    base_url = os.environ.get("BINANCE_BASE_URL")
    api_key = os.environ["BINANCE_API_KEY"]
    secret = os.environ["BINANCE_SECRET"]

    with connect(api_key=api_key, secret=secret, base_url=base_url) as client:
        show(
            "cancelled by orderId",
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=ORDER_ID),
        )
    asyncio.run(cancel_by_client_id_async(base_url, api_key, secret))

    with connect(api_key=api_key, secret=secret, base_url=base_url) as client:
        try:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=ORDER_ID)
        except UnknownOrder as error:
            print(f"second cancel of {ORDER_ID} refused: {type(error).__name__}: {error}")
        else:
            raise SystemExit("the second cancel of the same order should have been refused")
        state = cancel_and_confirm(client=client, symbol=SYMBOL, order_id=ORDER_ID)
        print(
            f"cancel_and_confirm of {ORDER_ID}: status={state.status} "
            f"executedQty={state.executed_qty} (from the {state.source}, "
            f"{state.requests_sent} requests)"
        )
        stop_loss = os.environ.get("BINANCE_STOP_CLIENT_ALGO_ID")
        if stop_loss:
            cancel_stop_loss(client, stop_loss)


def cancel_stop_loss(client: AuthenticatedClient, client_algo_id: str) -> None:
    """Cancel a stop-loss and confirm it can no longer trade."""
    try:
        cancel_and_confirm(client=client, symbol=SYMBOL, orig_client_order_id=client_algo_id)
    except UnknownOrder as error:
        print(f"cancel_and_confirm by a regular id: {error}")
    state = cancel_and_confirm(
        client=client, symbol=SYMBOL, client_algo_id=client_algo_id, follow_triggered=True
    )
    print(
        f"cancel_and_confirm of stop-loss {client_algo_id!r}: service={state.service} "
        f"algoId={state.algo_id} algoStatus={state.algo_status} "
        f"actualOrderId={state.actual_order_id} (from the {state.source}, "
        f"{state.requests_sent} requests)"
    )


if __name__ == "__main__":
    main()

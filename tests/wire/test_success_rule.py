"""A 2XX is a success only as the documented answer to the request that was sent.

Everything else is ExecutionStatusUnknown, because the exchange may have acted: served over a
real socket, sync and async, for each way an answer can fail the rule (the runtime's
``_outcome``).
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from binance_coinm_futures import ExecutionStatusUnknown, connect
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.client import AuthenticatedClient
from binance_coinm_futures.models import CancelOrderResponse
from tests.wire.scripted import (
    API_KEY,
    MODES,
    SECRET,
    RawScript,
    cancel,
    mode_args,
    raw_server_running,
    reply,
    scripted_server,
)

ORDER_ID = 4612097861
CLIENT_ID = "desk:7/quote-01"
BY_ORDER_ID = {"symbol": "BTCUSD_PERP", "order_id": ORDER_ID}
BY_CLIENT_ID = {"symbol": "BTCUSD_PERP", "orig_client_order_id": CLIENT_ID}


def answer(**changes: Any) -> bytes:
    """Today's cancel answer for ORDER_ID / CLIENT_ID, with fields changed or (None) removed."""
    body: dict[str, Any] = {
        "orderId": ORDER_ID,
        "symbol": "BTCUSD_PERP",
        "pair": "BTCUSD",
        "status": "CANCELED",
        "clientOrderId": CLIENT_ID,
        "price": "37000",
        "origQty": "1",
        "executedQty": "0",
        "priceMatch": "NONE",
        "selfTradePreventionMode": "NONE",
        "updateTime": 1645606370874,
    }
    for name, value in changes.items():
        if value is REMOVE:
            del body[name]
        else:
            body[name] = value
    return json.dumps(body).encode()


REMOVE = object()

NOT_A_SUCCESS = {
    "another-order-id": (BY_ORDER_ID, 200, answer(orderId=ORDER_ID + 1), "orderId"),
    "another-symbol": (BY_ORDER_ID, 200, answer(symbol="ETHUSD_PERP"), "symbol"),
    "another-client-id": (BY_CLIENT_ID, 200, answer(clientOrderId="other"), "clientOrderId"),
    "string-order-id": (BY_ORDER_ID, 200, answer(orderId=str(ORDER_ID)), "orderId"),
    "float-order-id": (BY_ORDER_ID, 200, answer(orderId=float(ORDER_ID)), "orderId"),
    "bool-order-id": (BY_ORDER_ID, 200, answer(orderId=True), "orderId"),
    "null-order-id": (BY_ORDER_ID, 200, answer(orderId=None), "orderId"),
    # Binance's LONG is int64: a larger integer is no order time the exchange could send.
    "time-past-int64": (BY_ORDER_ID, 200, answer(updateTime=2**63), "updateTime"),
    "null-symbol": (BY_ORDER_ID, 200, answer(symbol=None), "symbol"),
    "null-status": (BY_ORDER_ID, 200, answer(status=None), "status"),
    "no-client-order-id": (BY_ORDER_ID, 200, answer(clientOrderId=REMOVE), "clientOrderId"),
    "no-status": (BY_ORDER_ID, 200, answer(status=REMOVE), "status"),
    "optional-of-wrong-type": (BY_ORDER_ID, 200, answer(price=37000), "price"),
    "optional-null": (BY_ORDER_ID, 200, answer(avgPrice=None), "avgPrice"),
    "array": (BY_ORDER_ID, 200, b"[1, 2]", "list"),
    "json-string": (BY_ORDER_ID, 200, b'"CANCELED"', "str"),
    "status-202": (BY_ORDER_ID, 202, answer(), "202"),
    "status-299": (BY_ORDER_ID, 299, answer(), "299"),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("request_args", "status", "body", "named"),
    list(NOT_A_SUCCESS.values()),
    ids=list(NOT_A_SUCCESS),
)
def test_answer_that_is_not_the_documented_success_is_unknown(
    request_args: dict[str, Any], status: int, body: bytes, named: str, mode: str
) -> None:
    with scripted_server([reply(status, body)]) as server:
        with pytest.raises(ExecutionStatusUnknown) as raised:
            cancel(server.url, mode, request_args)
    assert raised.value.status == status
    assert named in raised.value.msg
    assert server.paths == ["/dapi/v1/order"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("request_args", "body"),
    [
        (BY_ORDER_ID, answer()),
        (BY_CLIENT_ID, answer()),
        # Fields Binance adds later are kept, not refused.
        (BY_ORDER_ID, answer(newField={"nested": 1})),
        # Fields Binance stopped sending, or sends only for some orders, may be absent.
        (BY_ORDER_ID, answer(pair=REMOVE, price=REMOVE, updateTime=REMOVE, priceMatch=REMOVE)),
    ],
    ids=["by-order-id", "by-client-id", "new-field", "fields-gone"],
)
def test_documented_answer_to_the_request_is_a_success(
    request_args: dict[str, Any], body: bytes, mode: str
) -> None:
    with scripted_server([reply(200, body)]) as server:
        order = cancel(server.url, mode, request_args)
    assert (order.order_id, order.status) == (ORDER_ID, "CANCELED")
    payload = json.loads(body)
    assert order.additional_properties == (
        {"newField": {"nested": 1}} if "newField" in payload else {}
    )


def answer_then_stray(stray: bytes, stray_after: float) -> RawScript:
    """Answers each cancel for its own order; after the first answer, writes ``stray`` too,
    in the same write or ``stray_after`` seconds later."""

    def script(number: int, head: bytes, connection: socket.socket) -> bool:
        target = head.split(b" ")[1].decode()
        order_id = int(parse_qs(urlsplit(target).query)["orderId"][0])
        own = reply(200, answer(orderId=order_id), close=False)
        if number == 1 and stray_after:
            connection.sendall(own)
            time.sleep(stray_after)
            connection.sendall(stray)
        else:
            connection.sendall(own + (stray if number == 1 else b""))
        return True

    return script


STRAYS = {
    "none": b"",
    "success-for-another-order": reply(200, answer(orderId=999), close=False),
    "unknown-order": reply(400, b'{"code":-2011,"msg":"Unknown order sent."}', close=False),
}


#: When the stray bytes come: in the same write as the answer, or a moment later, after the
#: connection went back to the pool (the next cancel waits for them).
STRAY_AFTER = {"same-write": 0.0, "later": 0.05}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stray_after", list(STRAY_AFTER.values()), ids=list(STRAY_AFTER))
@pytest.mark.parametrize("stray", list(STRAYS.values()), ids=list(STRAYS))
def test_stray_bytes_on_a_kept_alive_connection_never_answer_the_next_cancel(
    stray: bytes, stray_after: float, mode: str
) -> None:
    second = ORDER_ID + 1
    pause = stray_after * 4
    with raw_server_running(answer_then_stray(stray, stray_after)) as server:
        client = connect(
            api_key=API_KEY, secret=SECRET, base_url=server.url, timeout=2, **mode_args(mode)
        )
        outcome: CancelOrderResponse | ExecutionStatusUnknown
        try:
            if mode == "sync":
                with client:
                    cancel_order.sync(client=client, symbol="BTCUSD_PERP", order_id=ORDER_ID)
                    time.sleep(pause)
                    outcome = cancel_order.sync(
                        client=client, symbol="BTCUSD_PERP", order_id=second
                    )
            else:
                outcome = asyncio.run(cancel_twice_async(client, second, pause))
        except ExecutionStatusUnknown as unknown:
            outcome = unknown
    if isinstance(outcome, CancelOrderResponse):
        assert outcome.order_id == second
    assert str(second) in server.targets[-1]
    # A clean connection is reused; one the peer overfilled is dropped, never reused.
    assert server.connections == (2 if stray else 1)


async def cancel_twice_async(
    client: AuthenticatedClient, second: int, pause: float
) -> CancelOrderResponse:
    async with client:
        await cancel_order.asyncio(client=client, symbol="BTCUSD_PERP", order_id=ORDER_ID)
        await asyncio.sleep(pause)
        return await cancel_order.asyncio(client=client, symbol="BTCUSD_PERP", order_id=second)

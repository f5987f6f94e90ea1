"""The local exchange's Query Order (GET /dapi/v1/order), over raw HTTP, signed by this suite.

Binance's behaviour pinned here is from its COIN-M "Query Order (USER_DATA)" page
(developers.binance.com/docs/derivatives/coin-margined-futures/trade/Query-Order, read
2026-11-24): a CANCELED or EXPIRED order with no filled trade is not found once
created + 3 days < now, and no order once created + 90 days < now; the answer is then -2013
"Order does not exist." (as the team's reference notes binance-live-2026.md also record,
under "Reconciling an unknown outcome").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from binance_coinm_futures.testing import Fault, LocalExchange, Order
from tests.local_exchange.test_local_exchange import (
    EXAMPLE_CLIENT_ID,
    EXAMPLE_ORDER_ID,
    HMAC,
    HMAC_KEY,
    HMAC_SECRET,
    SPEC_PATH,
    assert_error,
    cancel_params,
    delete,
    now_ms,
    open_ids,
)

DAY_MS = 24 * 60 * 60 * 1000
FILLED_ID = 7001
OLD_ID = 7002


@pytest.fixture
def exchange() -> Iterator[LocalExchange]:
    with LocalExchange(api_keys={HMAC_KEY: HMAC_SECRET}) as running:
        running.slow_seconds = 0.3
        yield running


@pytest.fixture
def client(exchange: LocalExchange) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=exchange.url, timeout=5) as http:
        yield http


def get(client: httpx.Client, query: str, api_key: str | None = HMAC_KEY) -> httpx.Response:
    headers = {"X-MBX-APIKEY": api_key} if api_key is not None else {}
    return client.get(f"/dapi/v1/order?{query}", headers=headers)


def query_example() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    example: dict[str, Any] = spec["paths"]["/dapi/v1/order"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["example"]
    return example


def test_open_order_answers_new_with_every_field_of_the_spec_example(
    exchange: LocalExchange, client: httpx.Client
) -> None:
    response = get(client, HMAC.query(cancel_params()))
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == list(query_example())
    assert (body["orderId"], body["clientOrderId"], body["status"]) == (
        EXAMPLE_ORDER_ID,
        EXAMPLE_CLIENT_ID,
        "NEW",
    )
    assert "X-MBX-ORDER-COUNT-1M" not in response.headers  # a query places no order
    assert EXAMPLE_ORDER_ID in open_ids(exchange)


def test_cancelled_order_is_remembered_and_answers_canceled(
    exchange: LocalExchange, client: httpx.Client
) -> None:
    assert delete(client, HMAC.query(cancel_params())).status_code == 200
    by_client_id = cancel_params(origClientOrderId=EXAMPLE_CLIENT_ID)
    del by_client_id["orderId"]
    body = get(client, HMAC.query(by_client_id)).json()
    assert (body["orderId"], body["status"]) == (EXAMPLE_ORDER_ID, "CANCELED")
    order = exchange.order(EXAMPLE_ORDER_ID)
    assert order is not None
    assert order.status == "CANCELED"
    assert EXAMPLE_ORDER_ID not in open_ids(exchange)
    # A second cancel finds no open order.
    assert_error(delete(client, HMAC.query(cancel_params())), 400, -2011, "Unknown order sent.")


def test_filled_order_answers_filled_and_cannot_be_cancelled(
    exchange: LocalExchange, client: httpx.Client
) -> None:
    exchange.add_order(
        Order(FILLED_ID, "filled-1", "BTCUSD_PERP", status="FILLED", executed_qty="1")
    )
    assert_error(delete(client, HMAC.query(cancel_params(orderId=FILLED_ID))), 400, -2011)
    body = get(client, HMAC.query(cancel_params(orderId=FILLED_ID))).json()
    assert (body["status"], body["executedQty"]) == ("FILLED", "1")


def test_order_that_never_existed(client: httpx.Client) -> None:
    response = get(client, HMAC.query(cancel_params(orderId=999_999)))
    assert_error(response, 400, -2013, "Order does not exist.")


def test_unlisted_symbol_is_invalid(client: httpx.Client) -> None:
    response = get(client, HMAC.query(cancel_params(symbol="NOPEUSD_PERP")))
    assert_error(response, 400, -1121, "Invalid symbol.")


def test_order_of_another_symbol_does_not_exist(client: httpx.Client) -> None:
    response = get(client, HMAC.query(cancel_params(symbol="ETHUSD_PERP")))
    assert_error(response, 400, -2013)


@pytest.mark.parametrize(
    ("status", "executed", "age_days", "found"),
    [
        ("CANCELED", "0", 2.9, True),
        ("CANCELED", "0", 3.1, False),
        ("EXPIRED", "0", 3.1, False),
        ("CANCELED", "0.5", 3.1, True),  # a fill keeps it queryable
        ("FILLED", "1", 89, True),
        ("FILLED", "1", 91, False),
        ("NEW", "0", 91, False),
    ],
)
def test_query_window(
    exchange: LocalExchange,
    client: httpx.Client,
    status: str,
    executed: str,
    age_days: float,
    found: bool,
) -> None:
    created = exchange.server_time_ms() - int(age_days * DAY_MS)
    order = Order(OLD_ID, "aged-1", "BTCUSD_PERP", status=status, executed_qty=executed)
    exchange.add_order(order, created_ms=created)
    response = get(client, HMAC.query(cancel_params(orderId=OLD_ID)))
    if found:
        assert response.status_code == 200, response.text
        assert (response.json()["status"], response.json()["time"]) == (status, created)
    else:
        assert_error(response, 400, -2013, "Order does not exist.")


def test_query_checks_key_signature_and_timestamp(client: httpx.Client) -> None:
    assert_error(get(client, HMAC.query(cancel_params()), api_key=None), 401, -2014)
    assert_error(get(client, HMAC.query(cancel_params()), api_key="nobody"), 401, -2015)
    tampered = HMAC.query(cancel_params()).replace("orderId=", "orderId=1")
    assert_error(get(client, tampered), 400, -1022)
    stale = HMAC.query(cancel_params(timestamp=now_ms() - 60_000))
    assert_error(get(client, stale), 400, -1021)


def test_faults_meet_queries_from_their_own_queue(
    exchange: LocalExchange, client: httpx.Client
) -> None:
    exchange.inject(Fault.SERVICE_UNAVAILABLE_503, method="GET")
    assert delete(client, HMAC.query(cancel_params())).status_code == 200  # cancels unaffected
    assert_error(get(client, HMAC.query(cancel_params())), 503, -1000, "Service Unavailable.")
    assert get(client, HMAC.query(cancel_params())).json()["status"] == "CANCELED"


def test_a_handled_fault_answers_after_the_query_is_done(
    exchange: LocalExchange, client: httpx.Client
) -> None:
    exchange.inject(Fault.TIMEOUT_1007, method="GET")
    assert_error(get(client, HMAC.query(cancel_params())), 503, -1007)


def test_inject_names_a_method_it_knows(exchange: LocalExchange) -> None:
    with pytest.raises(ValueError, match="DELETE, GET"):
        exchange.inject(Fault.SLOW, method="PUT")


@pytest.mark.parametrize(
    ("fault", "cancelled"),
    [
        (Fault.UNKNOWN_ERROR_503, True),
        (Fault.TIMEOUT_1007, True),
        (Fault.UNKNOWN_ERROR_503_NOT_EXECUTED, False),
    ],
)
def test_unknown_outcome_faults_and_what_the_query_then_says(
    exchange: LocalExchange, client: httpx.Client, fault: Fault, cancelled: bool
) -> None:
    exchange.inject(fault)
    assert delete(client, HMAC.query(cancel_params())).status_code == 503
    status = get(client, HMAC.query(cancel_params())).json()["status"]
    assert status == ("CANCELED" if cancelled else "NEW")

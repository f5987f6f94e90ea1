"""Query Order (GET /dapi/v1/order) in openapi.yaml, and the signing hook checking it from there.

Facts pinned here come from Binance's COIN-M "Query Order (USER_DATA)" page
(developers.binance.com/docs/derivatives/coin-margined-futures/trade/Query-Order, as read on
2026-11-24): GET /dapi/v1/order, weight 1, parameters symbol (mandatory), orderId,
origClientOrderId, recvWindow, timestamp, "either orderId or origClientOrderId must be sent",
and a response example carrying avgPrice, executedQty and cumBase.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
import yaml

from binance_coinm_futures import BinanceAuth, ExecutionStatusUnknown, HmacSigner, InvalidRequest
from binance_coinm_futures._runtime._spec import operation_rules
from binance_coinm_futures.api.trade import query_order
from tests.conftest import ROOT

SPEC: Mapping[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
PATH_ITEM = SPEC["paths"]["/dapi/v1/order"]
QUERY = PATH_ITEM["get"]
CANCEL = PATH_ITEM["delete"]
SCHEMA = SPEC["components"]["schemas"]["QueryOrderResponse"]
BASE = "https://dapi.binance.com"
API_KEY = "test-api-key-0123456789"
SECRET = "test-secret"


def resolved(node: Mapping[str, Any]) -> Mapping[str, Any]:
    reference = node.get("$ref")
    if reference is None:
        return node
    target: Any = SPEC
    for part in reference.removeprefix("#/").split("/"):
        target = target[part]
    return dict(target)


def parameters(operation: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {p["name"]: p for p in map(resolved, operation["parameters"])}


def test_operation_facts() -> None:
    assert QUERY["operationId"] == "queryOrder"
    assert QUERY["tags"] == ["trade"]
    assert QUERY["x-binance-weight"] == 1
    assert QUERY["x-binance-required-one-of"] == ["orderId", "origClientOrderId"]
    assert QUERY["security"] == CANCEL["security"]
    assert QUERY["x-binance-echo"] == {
        "symbol": "symbol",
        "orderId": "orderId",
        "origClientOrderId": "clientOrderId",
    }
    assert "3 days" in QUERY["description"]
    assert "90 days" in QUERY["description"]


def test_parameters_are_the_cancels() -> None:
    query = parameters(QUERY)
    assert list(query) == ["symbol", "orderId", "origClientOrderId", "recvWindow"]
    assert query == parameters(CANCEL)
    assert query["symbol"]["required"] is True
    assert not any(query[name]["required"] for name in ("orderId", "origClientOrderId"))


def test_error_responses_are_the_cancels() -> None:
    errors = {status: answer for status, answer in QUERY["responses"].items() if status != "200"}
    assert errors == {s: a for s, a in CANCEL["responses"].items() if s != "200"}


def test_answer_requires_identity_status_and_executed_quantity_only() -> None:
    assert set(SCHEMA["required"]) == {
        "orderId",
        "symbol",
        "status",
        "clientOrderId",
        "executedQty",
    }
    # The fill data the cancel answer lost in 2026-06 is still documented here.
    assert {"avgPrice", "cumBase"} <= set(SCHEMA["properties"])
    for name, field in SCHEMA["properties"].items():
        assert "enum" not in field, f"{name}: an enum would reject new values"
    example = QUERY["responses"]["200"]["content"]["application/json"]["example"]
    assert set(SCHEMA["required"]) <= set(example)
    assert set(example) <= set(SCHEMA["properties"])


def test_generated_function_sends_get_on_the_order_path() -> None:
    kwargs = query_order._get_kwargs(symbol="BTCUSD_PERP", orig_client_order_id="desk:7/q")
    request = httpx.Client(base_url=BASE).build_request(kwargs["method"], kwargs["url"])
    assert request.method == "GET"
    expected = b"/dapi/v1/order?symbol=BTCUSD_PERP&origClientOrderId=desk%3A7%2Fq"
    assert request.url.raw_path == expected


def test_hook_reads_the_query_rules_from_the_spec() -> None:
    rules = operation_rules()
    query, cancel = rules["GET", "/dapi/v1/order"], rules["DELETE", "/dapi/v1/order"]
    assert query.signed
    assert query.parameters == cancel.parameters
    assert query.required_one_of == ("orderId", "origClientOrderId")
    assert query.success is not None
    assert query.success.required == frozenset(SCHEMA["required"])
    assert query.success.echo == QUERY["x-binance-echo"]
    assert query.success.one_of == ("orderId", "origClientOrderId")


def make_auth() -> BinanceAuth:
    return BinanceAuth(API_KEY, HmacSigner(SECRET), rules=operation_rules())


def query_request(**arguments: Any) -> httpx.Request:
    kwargs = query_order._get_kwargs(**arguments)
    return httpx.Client(base_url=BASE).build_request(kwargs["method"], kwargs["url"])


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        ({"symbol": "BTCUSD_PERP"}, "order_id"),
        ({"symbol": "", "order_id": 1}, "symbol"),
        ({"symbol": "BTCUSD_PERP", "order_id": 0}, "order_id"),
        ({"symbol": "BTCUSD_PERP", "orig_client_order_id": "x" * 37}, "orig_client_order_id"),
        ({"symbol": "BTCUSD_PERP", "orig_client_order_id": "no spaces"}, "orig_client_order_id"),
        ({"symbol": "BTCUSD_PERP", "order_id": 1, "recv_window": 60_001}, "recv_window"),
    ],
)
def test_bad_query_is_refused_before_anything_is_sent(
    arguments: dict[str, Any], parameter: str
) -> None:
    request = query_request(**arguments)
    with pytest.raises(InvalidRequest) as raised:
        next(make_auth().sync_auth_flow(request))
    assert raised.value.parameter == parameter
    assert b"signature=" not in request.url.query


def test_query_is_signed_over_what_is_sent() -> None:
    request = next(make_auth().sync_auth_flow(query_request(symbol="BTCUSD_PERP", order_id=7)))
    signed, _, signature = request.url.query.rpartition(b"&signature=")
    assert signed.startswith(b"symbol=BTCUSD_PERP&orderId=7&timestamp=")
    expected = hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert signature.decode() == expected
    assert request.headers["X-MBX-APIKEY"] == API_KEY


def answer_to(request: httpx.Request, payload: Mapping[str, Any]) -> None:
    """Send ``payload`` as the 200 answer to the signed ``request``; raise what the hook raises."""
    flow = make_auth().sync_auth_flow(request)
    signed = next(flow)
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(200, content=json.dumps(payload).encode(), request=signed))


def test_query_answer_missing_a_required_field_is_status_unknown() -> None:
    example = dict(QUERY["responses"]["200"]["content"]["application/json"]["example"])
    answer_to(query_request(symbol="BTCUSD_PERP", order_id=example["orderId"]), example)
    del example["executedQty"]
    with pytest.raises(ExecutionStatusUnknown, match="executedQty"):
        answer_to(query_request(symbol="BTCUSD_PERP", order_id=example["orderId"]), example)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"symbol": "BTCUSD_PERP", "order_id": 1}, "orderId"),
        ({"symbol": "ETHUSD_PERP", "order_id": 4612097861}, "symbol"),
        ({"symbol": "BTCUSD_PERP", "orig_client_order_id": "someone-else"}, "clientOrderId"),
    ],
)
def test_query_answer_for_another_order_is_status_unknown(
    arguments: dict[str, Any], field: str
) -> None:
    example = dict(QUERY["responses"]["200"]["content"]["application/json"]["example"])
    with pytest.raises(ExecutionStatusUnknown, match=field):
        answer_to(query_request(**arguments), example)

"""openapi.yaml against the reference page: every parameter, field, type and the example."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from binance_coinm_futures._runtime._outcome import load_json
from binance_coinm_futures._runtime._spec import operation_rules
from tests.conftest import REFERENCE_PAGE, ROOT

SPEC: Mapping[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
OPERATION = SPEC["paths"]["/dapi/v1/order"]["delete"]
RESPONSE_SCHEMA = SPEC["components"]["schemas"]["CancelOrderResponse"]
TYPES = {
    "STRING": {"type": "string"},
    "LONG": {"type": "integer", "format": "int64"},
    "BOOLEAN": {"type": "boolean"},
}


def reference_table(heading: str) -> list[list[str]]:
    """The rows of the first markdown table after ``heading`` on the reference page."""
    text = REFERENCE_PAGE.read_text()
    section = text[text.index(heading) :]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if not set(cells[0]) <= {"-", " "}:
                rows.append(cells)
        elif rows:
            break
    return rows[1:]  # without the header row


def reference_example() -> Any:
    text = REFERENCE_PAGE.read_text()
    block = re.search(r"## Response\s+```\w*\n(.*?)```", text, re.S)
    assert block is not None
    return json.loads(block.group(1))


def test_spec_is_valid_openapi() -> None:
    validate(dict(SPEC))


def test_every_reference_parameter_is_in_the_spec() -> None:
    shared = SPEC["components"]["parameters"]
    resolved = [
        shared[p["$ref"].rpartition("/")[2]] if "$ref" in p else p for p in OPERATION["parameters"]
    ]
    params = {p["name"]: p for p in resolved}
    schemes = SPEC["components"]["securitySchemes"]
    in_security = {s["name"] for s in schemes.values()}
    rows = reference_table("**Query Parameters:**")
    assert len(rows) == 6
    for name, kind, required, _description in rows:
        if name in ("timestamp", "signature"):
            assert name in in_security, f"{name} must be described as a security scheme"
            continue
        assert name in params, name
        assert params[name]["required"] == (required == "YES"), name
        for key, value in TYPES[kind].items():
            assert params[name]["schema"][key] == value, name


def test_security_schemes_are_required_together() -> None:
    assert OPERATION["security"] == [{"ApiKey": [], "Timestamp": [], "Signature": []}]


#: The answer's fields since Binance's 2026-06 COIN-M / USDⓈ-M integration (notice published
#: 2026-06-10, effective 2026-06-30; shared/reference/binance-live-2026.md): Binance's current
#: Cancel Order example adds these; activatePrice and priceRate only for trailing stops.
LIVE_FIELDS = {"priceMatch", "selfTradePreventionMode", "activatePrice", "priceRate"}
IDENTITY_FIELDS = {"orderId", "symbol", "status", "clientOrderId"}


def test_every_response_field_with_type_and_description() -> None:
    rows = reference_table("## Response Fields")
    assert len(rows) == 23
    properties = RESPONSE_SCHEMA["properties"]
    assert set(properties) == {row[0] for row in rows} | LIVE_FIELDS
    for name in LIVE_FIELDS:
        assert properties[name]["type"] == "string", name
        assert "enum" not in properties[name], name
    for name, kind, description in rows:
        for key, value in TYPES[kind].items():
            assert properties[name][key] == value, name
        assert "enum" not in properties[name], f"{name}: an enum would reject new values"
        assert description.rstrip(".").lower() in properties[name]["description"].lower(), name


def test_only_the_identity_fields_are_required() -> None:
    assert set(RESPONSE_SCHEMA["required"]) == IDENTITY_FIELDS
    for gone in ("avgPrice", "cumBase", "time"):
        assert "2026-06" in RESPONSE_SCHEMA["properties"][gone]["description"], gone


def test_answers_are_matched_to_the_request_by_echoed_fields() -> None:
    echo = OPERATION["x-binance-echo"]
    assert echo == {"symbol": "symbol", "orderId": "orderId", "origClientOrderId": "clientOrderId"}
    assert set(echo.values()) <= set(RESPONSE_SCHEMA["required"])


def test_examples_are_the_reference_example_and_todays_shape() -> None:
    examples = OPERATION["responses"]["200"]["content"]["application/json"]["examples"]
    legacy = reference_example()
    assert examples["pre-2026-06"]["value"] == legacy
    current = examples["current"]["value"]
    gone = {"avgPrice", "cumBase", "time"}
    assert {k: v for k, v in legacy.items() if k not in gone} == {
        k: v for k, v in current.items() if k in legacy
    }
    assert (current["priceMatch"], current["selfTradePreventionMode"]) == ("NONE", "NONE")
    assert not gone & current.keys()


@pytest.mark.parametrize("note", ["Either", "precedence"])
def test_either_id_rule_is_stated(note: str) -> None:
    assert note in OPERATION["description"]
    assert OPERATION["x-binance-required-one-of"] == ["orderId", "origClientOrderId"]


def test_servers() -> None:
    urls = [server["url"] for server in SPEC["servers"]]
    assert urls == ["https://dapi.binance.com", "https://testnet.binancefuture.com"]


def test_an_enum_in_the_success_schema_is_part_of_the_success_rule() -> None:
    # An operation whose success answer carries a code (Binance's cancel-all answers
    # {"code": 200, "msg": ...}) states the code in its schema's enum; the rule is read from the
    # spec, so no code is special-cased in Python.
    from binance_coinm_futures._runtime._outcome import load_json
    from binance_coinm_futures._runtime._spec import rules_from_spec

    spec = {
        "paths": {
            "/x": {
                "delete": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["code"],
                                        "properties": {
                                            "code": {"type": "integer", "enum": [200]},
                                            "msg": {"type": "string"},
                                        },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    rule = rules_from_spec(spec)[("DELETE", "/x")].success
    assert rule is not None
    assert rule.violation(200, load_json(b'{"code": 200, "msg": "done"}'), {}) is None
    assert rule.violation(200, load_json(b'{"code": 201, "msg": "done"}'), {}) == (
        "'code' 201, not the documented 200"
    )
    assert (
        rule.violation(200, load_json(b'{"code": "200"}'), {})
        == "'code' of type string, not integer"
    )


def test_the_algo_cancels_success_code_is_read_from_the_spec() -> None:
    rules = operation_rules()
    cancel = rules["DELETE", "/dapi/v1/algoOrder"]
    assert cancel.signed
    assert cancel.required_one_of == ("algoId", "clientAlgoId")
    assert cancel.success is not None
    assert cancel.success.field_values == {"code": ("200",)}
    assert cancel.success.echo == {"algoId": "algoId", "clientAlgoId": "clientAlgoId"}
    listing = rules["GET", "/dapi/v1/openAlgoOrders"].success
    assert listing is not None
    assert listing.is_list
    assert {"algoId", "algoStatus"} <= listing.required


def test_argument_names_follow_the_generators_rule() -> None:
    # Messages name the Python argument; the generator decides what it is called.
    from openapi_python_client.strings import snake_case  # the dev tool, never the runtime

    from binance_coinm_futures._runtime._spec import argument_name, operation_rules

    wire_names = {name for rules in operation_rules().values() for name in rules.parameters}
    assert {"orderId", "origClientOrderId", "recvWindow", "symbol"} <= wire_names
    for name in wire_names:
        assert argument_name(name) == snake_case(name), name


def test_a_listing_by_symbol_is_checked_against_that_symbol() -> None:
    # openAlgoOrders?symbol=X lists the open algo orders of X: an answer that holds another
    # symbol's order does not answer the request, so it is not a success.
    listing = operation_rules()["GET", "/dapi/v1/openAlgoOrders"].success
    assert listing is not None
    item = {"algoId": 7, "clientAlgoId": "a", "symbol": "ETHUSD_PERP", "algoStatus": "NEW"}
    body = load_json(json.dumps([item]).encode())  # the answer's JSON value, parsed once
    assert listing.violation(200, body, {"symbol": "ETHUSD_PERP"}) is None
    assert listing.violation(200, body, {}) is None  # no symbol sent: every symbol's orders
    assert listing.violation(200, body, {"symbol": "BTCUSD_PERP"}) == (
        "item 0: symbol 'ETHUSD_PERP' where symbol 'BTCUSD_PERP' was sent"
    )


def test_what_each_status_means_is_written_once_in_the_spec() -> None:
    """``x-binance-statuses`` pins the documented statuses and their meanings.

    Regular orders: NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED (binance-live-2026.md,
    from the 2026-06 COIN-M Cancel Order change), and REJECTED, EXPIRED_IN_MATCH (the order
    status lists of Binance's derivatives pages: USDⓈ-M "Common Definition", Portfolio Margin
    "Event: Futures Order update", read 2026-12-04). Algo orders: Binance's USDⓈ-M page "Event:
    Algo Order Update" (developers.binance.com/docs/derivatives/usds-margined-futures/
    user-data-streams/Event-Algo-Order-Update, read 2026-12-04; unverified for COIN-M): NEW
    (not yet triggered), TRIGGERING (forwarded to the matching engine), TRIGGERED (placed in
    it), FINISHED (that order filled or cancelled), CANCELED, REJECTED, EXPIRED.
    """
    from binance_coinm_futures._runtime._spec import statuses

    regular = statuses("QueryOrderResponse")
    assert regular.field == "status"
    assert regular.kinds == {
        "open": {"NEW", "PARTIALLY_FILLED"},
        "done": {"FILLED", "CANCELED", "EXPIRED", "REJECTED", "EXPIRED_IN_MATCH"},
    }
    algo = statuses("AlgoOrder")
    assert algo.field == "algoStatus"
    assert algo.kinds == {
        "open": {"NEW"},
        "placing": {"TRIGGERING"},
        "fired": {"TRIGGERED", "FINISHED"},
        "done": {"CANCELED", "REJECTED", "EXPIRED"},
    }


@pytest.mark.parametrize(
    ("path", "field", "allowed"),
    [
        ("/dapi/v1/openOrders", "status", ("NEW", "PARTIALLY_FILLED")),
        ("/dapi/v1/openAlgoOrders", "algoStatus", ("NEW", "TRIGGERING")),
    ],
)
def test_the_open_order_listings_hold_open_orders_only(
    path: str, field: str, allowed: tuple[str, ...]
) -> None:
    rule = operation_rules()["GET", path].success
    assert rule is not None
    assert rule.is_list
    assert rule.field_values[field] == allowed
    item = {"algoId": 1, "clientAlgoId": "a", "symbol": "BTCUSD_PERP", "algoStatus": "NEW"}
    if field == "status":
        item = {
            "orderId": 1,
            "clientOrderId": "a",
            "symbol": "BTCUSD_PERP",
            "status": "NEW",
            "executedQty": "0",
        }
    assert rule.violation(200, [item], {"symbol": "BTCUSD_PERP"}) is None
    done = {**item, field: "CANCELED"}
    assert rule.violation(200, [item, done], {"symbol": "BTCUSD_PERP"}) == (
        f"item 1: {field!r} 'CANCELED', not the documented "
        + " or ".join(repr(value) for value in allowed)
    )

"""The endpoint facts the exchange takes from openapi.yaml (shipped at the package root).

The spec is parsed lazily, once, the first time a fact is needed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ORDER_PATH = "/dapi/v1/order"
TIME_PATH = "/dapi/v1/time"
BATCH_PATH = "/dapi/v1/batchOrders"
ALL_OPEN_PATH = "/dapi/v1/allOpenOrders"
ALGO_OPEN_PATH = "/dapi/v1/algoOpenOrders"
OPEN_ORDERS_PATH = "/dapi/v1/openOrders"
COUNTDOWN_PATH = "/dapi/v1/countdownCancelAll"


@functools.cache
def _spec() -> Mapping[str, Any]:
    # The spec shipped at the package's root: the same file the client reads, never its code.
    text = (Path(__file__).parent.parent / "openapi.yaml").read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec: Mapping[str, Any] = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    return spec


def _cancel_operation() -> Mapping[str, Any]:
    operation: Mapping[str, Any] = _spec()["paths"][ORDER_PATH]["delete"]
    return operation


def _resolved(node: Mapping[str, Any]) -> Mapping[str, Any]:
    """`node`, or what its local `$ref` ("#/components/...") points at."""
    reference = node.get("$ref")
    if reference is None:
        return node
    target: Mapping[str, Any] = _spec()
    for part in str(reference).removeprefix("#/").split("/"):
        target = target[part]
    return target


def _parameter_schema(name: str) -> Mapping[str, Any]:
    for parameter in map(_resolved, _cancel_operation()["parameters"]):
        if parameter["name"] == name:
            schema: Mapping[str, Any] = parameter["schema"]
            return schema
    raise LookupError(f"openapi.yaml has no parameter {name!r} for DELETE {ORDER_PATH}")


CURRENT_SHAPE = "current"
"""Binance's cancel answer since the 2026-06 COIN-M / USDⓈ-M integration: the default."""
PRE_2026_06_SHAPE = "pre-2026-06"
"""The cancel answer before that integration, with avgPrice, cumBase and time."""


@functools.cache
def cancel_examples() -> Mapping[str, Mapping[str, Any]]:
    """The named 200 examples of DELETE /dapi/v1/order (one per answer shape), wire names."""
    content = _cancel_operation()["responses"]["200"]["content"]["application/json"]
    return {name: example["value"] for name, example in content["examples"].items()}


def cancel_example(shape: str = CURRENT_SHAPE) -> Mapping[str, Any]:
    """The 200 example of DELETE /dapi/v1/order in one answer shape, field names as on the wire."""
    return cancel_examples()[shape]


def _example(path: str, method: str) -> Mapping[str, Any]:
    """The one 200 example of an operation, field names as on the wire."""
    operation = _spec()["paths"][path][method]
    example: Mapping[str, Any] = operation["responses"]["200"]["content"]["application/json"][
        "example"
    ]
    return example


@functools.cache
def query_example() -> Mapping[str, Any]:
    """The 200 example of GET /dapi/v1/order (Query Order), field names as on the wire."""
    return _example(ORDER_PATH, "get")


@functools.cache
def recv_window_max() -> int:
    maximum: int = _parameter_schema("recvWindow")["maximum"]
    return maximum


@functools.cache
def client_order_id_max_length() -> int:
    max_length: int = _parameter_schema("origClientOrderId")["maxLength"]
    return max_length


@functools.cache
def client_order_id_pattern() -> str:
    pattern: str = _parameter_schema("origClientOrderId")["pattern"]
    return pattern


@functools.cache
def client_order_id_regex() -> re.Pattern[str]:
    # Used with fullmatch, so a trailing newline cannot slip past the pattern's `$`.
    return re.compile(client_order_id_pattern())


@functools.cache
def batch_max_ids() -> int:
    """The most ids one Cancel Multiple Orders takes (the list's maxItems)."""
    parameter = _resolved({"$ref": "#/components/parameters/OrderIdList"})
    maximum: int = parameter["content"]["application/json"]["schema"]["maxItems"]
    return maximum


@functools.cache
def cancel_all_answer() -> Mapping[str, Any]:
    """The 200 example of DELETE /dapi/v1/allOpenOrders: `{"code": 200, "msg": ...}`."""
    operation = _spec()["paths"][ALL_OPEN_PATH]["delete"]
    example: Mapping[str, Any] = operation["responses"]["200"]["content"]["application/json"][
        "example"
    ]
    return example


ALGO_ORDER_PATH = "/dapi/v1/algoOrder"
OPEN_ALGO_ORDERS_PATH = "/dapi/v1/openAlgoOrders"


@functools.cache
def algo_query_example() -> Mapping[str, Any]:
    """The 200 example of GET /dapi/v1/algoOrder (Query Algo Order), wire names."""
    return _example(ALGO_ORDER_PATH, "get")


@functools.cache
def algo_cancel_example() -> Mapping[str, Any]:
    """The 200 example of DELETE /dapi/v1/algoOrder (Cancel Algo Order), wire names."""
    return _example(ALGO_ORDER_PATH, "delete")

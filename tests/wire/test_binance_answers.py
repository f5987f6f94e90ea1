"""Every answer Binance has published, replayed through ``connect()``, sync and async.

The answers live in tests/fixtures/binance-answers/, one file each with its source and date.
Each is served over a real loopback socket with every HTTP status it lists, and the client must
return the documented model or raise the documented exception.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import binance_coinm_futures
from binance_coinm_futures import BinanceError, cancel_batch, cancel_batch_async
from binance_coinm_futures.api.trade import (
    auto_cancel_all_open_orders,
    cancel_algo_order,
    cancel_all_algo_open_orders,
    cancel_all_open_orders,
    current_all_algo_open_orders,
    current_all_open_orders,
    query_algo_order,
)
from binance_coinm_futures.types import Unset
from tests.conftest import REFERENCE_PAGE
from tests.wire.scripted import MODES, call, call_with, cancel, query, reply, scripted_server

ANSWERS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "binance-answers"
ANSWERS: dict[str, dict[str, Any]] = {
    path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted(ANSWERS_DIR.glob("*.yaml"))
}
OPERATIONS: dict[str, tuple[Callable[[str, str, dict[str, Any]], object], str]] = {
    "cancel_order": (cancel, "/dapi/v1/order"),
    "query_order": (query, "/dapi/v1/order"),
    "cancel_algo_order": (functools.partial(call, cancel_algo_order), "/dapi/v1/algoOrder"),
    "query_algo_order": (functools.partial(call, query_algo_order), "/dapi/v1/algoOrder"),
    "current_all_algo_open_orders": (
        functools.partial(call, current_all_algo_open_orders),
        "/dapi/v1/openAlgoOrders",
    ),
    "cancel_batch": (
        functools.partial(call_with, cancel_batch, cancel_batch_async),
        "/dapi/v1/batchOrders",
    ),
    "cancel_all_open_orders": (
        functools.partial(call, cancel_all_open_orders),
        "/dapi/v1/allOpenOrders",
    ),
    "cancel_all_algo_open_orders": (
        functools.partial(call, cancel_all_algo_open_orders),
        "/dapi/v1/algoOpenOrders",
    ),
    "current_all_open_orders": (
        functools.partial(call, current_all_open_orders),
        "/dapi/v1/openOrders",
    ),
    "auto_cancel_all_open_orders": (
        functools.partial(call, auto_cancel_all_open_orders),
        "/dapi/v1/countdownCancelAll",
    ),
}
"""A file's ``operation`` (default cancel_order): the function its answer answers (a generated
endpoint or the typed batch helper), and the path it calls."""
CASES = [
    pytest.param(name, status, id=f"{name}-{status}")
    for name, answer in ANSWERS.items()
    for status in answer["statuses"]
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "status"), CASES)
def test_client_reads_every_published_answer(name: str, status: int, mode: str) -> None:
    answer = ANSWERS[name]
    expect = answer["expect"]
    body = answer["body"].encode()
    operation, path = OPERATIONS[answer.get("operation", "cancel_order")]
    with scripted_server([reply(status, body)]) as server:
        if "results" in expect:
            results = operation(server.url, mode, answer["request"])
            assert isinstance(results, list)
            assert [type(result).__name__ for result in results] == expect["results"]
        elif "returns" in expect:
            returned = operation(server.url, mode, answer["request"])
            if isinstance(returned, list):  # a listing: its length, then its first item
                assert len(returned) == expect["items"]
                returned = returned[0]
            order = returned
            assert type(order).__name__ == expect["returns"]
            for attribute, value in expect["attributes"].items():
                assert getattr(order, attribute) == value, attribute
            for attribute in expect["unset"]:
                assert isinstance(getattr(order, attribute), Unset), attribute
        else:
            error_type = getattr(binance_coinm_futures, expect["raises"])
            with pytest.raises(BinanceError) as raised:
                operation(server.url, mode, answer["request"])
            assert type(raised.value) is error_type, raised.value
            assert (raised.value.status, raised.value.code) == (status, expect["code"])
            assert binance_words(body) in raised.value.msg
    assert server.paths == [path]


def binance_words(body: bytes) -> str:
    """The message a JSON error answer carries: ``msg``, or the text of a code-less object."""
    try:
        payload = json.loads(body)
    except ValueError:
        return ""
    return str(payload["msg"]) if "msg" in payload else " ".join(payload.values())


def test_every_answer_cites_binance() -> None:
    assert len(ANSWERS) >= 10
    for name, answer in ANSWERS.items():
        assert answer["url"].startswith("https://developers.binance.com/docs/"), name
        assert answer["source"].strip(), name
        assert str(answer["published"]).strip(), name


def test_the_endpoint_pages_example_is_in_the_corpus_unchanged() -> None:
    page = REFERENCE_PAGE.read_text(encoding="utf-8")
    example = page.split("## Response\n```javascript\n", 1)[1].split("```", 1)[0]
    assert json.loads(ANSWERS["cancel-pre-2026-06"]["body"]) == json.loads(example)

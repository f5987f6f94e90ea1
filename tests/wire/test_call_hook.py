"""connect(on_call=...): one CallRecord per call, holding no secret; event_hooks is refused."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from binance_coinm_futures import (
    CallRecord,
    InvalidRequest,
    NothingSent,
    UnknownOrder,
    cancel_and_confirm,
    connect,
)
from binance_coinm_futures.api.trade import cancel_algo_order, cancel_order, query_order
from binance_coinm_futures.testing import Fault, LocalExchange
from tests.wire.conftest import HMAC_KEY, HMAC_SECRET, credentials, seed

SYMBOL = "BTCUSD_PERP"


def assert_no_secret(record: CallRecord, exchange: LocalExchange) -> None:
    signatures = [
        r.target.partition("signature=")[2] for r in exchange.requests if "signature=" in r.target
    ]
    shown = f"{record!r} {record}"
    for secret in (HMAC_KEY, HMAC_SECRET, *filter(None, signatures)):
        assert secret not in shown


def test_a_cancel_gives_one_record_with_its_facts(exchange: LocalExchange) -> None:
    seed(exchange, 701, "cid-701")
    records: list[CallRecord] = []
    with connect(base_url=exchange.url, on_call=records.append, **credentials("hmac")) as client:
        cancel_order.sync(client=client, symbol=SYMBOL, order_id=701)
    (record,) = records
    assert (record.operation, record.method, record.path) == (
        "cancelOrder",
        "DELETE",
        "/dapi/v1/order",
    )
    assert (record.symbol, record.order_id, record.orig_client_order_id) == (SYMBOL, 701, None)
    assert (record.outcome, record.succeeded, record.code, record.status) == (
        "success",
        True,
        None,
        200,
    )
    assert record.requests_sent == 1
    assert record.latency > 0
    assert record.usage is not None
    assert record.usage.used_weight["1m"] >= 1
    assert_no_secret(record, exchange)


def test_an_error_is_recorded_with_its_class_and_code(exchange: LocalExchange) -> None:
    records: list[CallRecord] = []
    with connect(base_url=exchange.url, on_call=records.append, **credentials("hmac")) as client:
        with pytest.raises(UnknownOrder):
            query_order.sync(client=client, symbol=SYMBOL, orig_client_order_id="never-there")
    (record,) = records
    assert record.operation == "queryOrder"
    assert record.orig_client_order_id == "never-there"
    assert (record.outcome, record.succeeded, record.code, record.status) == (
        "UnknownOrder",
        False,
        -2013,
        400,
    )
    assert record.usage is not None
    assert_no_secret(record, exchange)


def test_a_resend_after_1021_counts_every_request(exchange: LocalExchange) -> None:
    seed(exchange, 702, "cid-702")
    exchange.clock_offset_ms = 120_000  # the local clock is two minutes behind the exchange
    records: list[CallRecord] = []
    with connect(base_url=exchange.url, on_call=records.append, **credentials("hmac")) as client:
        cancel_order.sync(client=client, symbol=SYMBOL, order_id=702)
    (record,) = records
    # The rejected cancel, the server-time fetch and the re-signed cancel.
    assert (record.outcome, record.requests_sent) == ("success", 3)
    assert [r.path for r in exchange.requests[-3:]] == [
        "/dapi/v1/order",
        "/dapi/v1/time",
        "/dapi/v1/order",
    ]


def test_a_call_refused_before_sending_sends_nothing(exchange: LocalExchange) -> None:
    records: list[CallRecord] = []
    with connect(base_url=exchange.url, on_call=records.append, **credentials("hmac")) as client:
        with pytest.raises(InvalidRequest):
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=0, orig_client_order_id="a")
    (record,) = records
    assert (record.outcome, record.requests_sent, record.status) == ("InvalidRequest", 0, None)


def test_a_wrong_argument_type_is_recorded_like_any_refusal(exchange: LocalExchange) -> None:
    """A generated function's TypeError (raised before a request exists) gives a record too,
    as an InvalidRequest refusal does: 0 requests sent, the error's class."""
    records: list[CallRecord] = []
    with connect(base_url=exchange.url, on_call=records.append, **credentials("hmac")) as client:
        with pytest.raises(TypeError, match="order_id must be int, got str"):
            cancel_order.sync(client=client, symbol=SYMBOL, order_id="4612097861")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="symbol must be str, got int"):
            query_order.sync_detailed(client=client, symbol=1, order_id=1)  # type: ignore[arg-type]
    assert [
        (r.operation, r.method, r.path, r.outcome, r.requests_sent, r.status, r.code)
        for r in records
    ] == [
        ("cancelOrder", "DELETE", "/dapi/v1/order", "TypeError", 0, None, None),
        ("queryOrder", "GET", "/dapi/v1/order", "TypeError", 0, None, None),
    ]
    assert (records[0].symbol, records[0].order_id) == (None, None)
    assert exchange.requests == []


@pytest.mark.anyio
async def test_a_wrong_argument_type_is_recorded_on_each_backend(
    exchange: LocalExchange, backend_args: dict[str, Any]
) -> None:
    records: list[CallRecord] = []
    async with connect(
        base_url=exchange.url, on_call=records.append, **credentials("hmac"), **backend_args
    ) as client:
        with pytest.raises(TypeError, match="algo_id must be int, got bool"):
            await cancel_algo_order.asyncio(client=client, algo_id=True)
        with pytest.raises(TypeError, match="symbol must be str"):
            await cancel_order.asyncio_detailed(client=client, symbol=None, order_id=1)  # type: ignore[arg-type]
    assert [(r.operation, r.outcome, r.requests_sent) for r in records] == [
        ("cancelAlgoOrder", "TypeError", 0),
        ("cancelOrder", "TypeError", 0),
    ]
    assert exchange.requests == []


def test_a_wrong_argument_type_without_on_call_is_still_a_type_error(
    exchange: LocalExchange,
) -> None:
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        with pytest.raises(TypeError, match="order_id must be int"):
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1.5)  # type: ignore[arg-type]
    assert exchange.requests == []


def test_nothing_sent_is_recorded() -> None:
    records: list[CallRecord] = []
    # Port 9 on loopback: nothing listens.
    with connect("k", "s", base_url="http://127.0.0.1:9", on_call=records.append) as client:
        with pytest.raises(NothingSent):
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    (record,) = records
    assert (record.outcome, record.status, record.code) == ("NothingSent", None, None)
    assert record.requests_sent >= 1


@pytest.mark.anyio
async def test_async_calls_are_recorded_on_each_backend(
    exchange: LocalExchange, backend_args: dict[str, Any]
) -> None:
    seed(exchange, 703, "cid-703")
    records: list[CallRecord] = []
    async with connect(
        base_url=exchange.url, on_call=records.append, **credentials("ed25519"), **backend_args
    ) as client:
        await cancel_order.asyncio(client=client, symbol=SYMBOL, orig_client_order_id="cid-703")
        with pytest.raises(UnknownOrder):
            await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=703)
    assert [(r.outcome, r.code, r.status, r.requests_sent) for r in records] == [
        ("success", None, 200, 1),
        ("UnknownOrder", -2011, 400, 1),
    ]
    assert records[0].orig_client_order_id == "cid-703"


def test_cancel_and_confirm_reports_each_call_it_makes(exchange: LocalExchange) -> None:
    seed(exchange, 704, "cid-704")
    records: list[CallRecord] = []
    with connect(base_url=exchange.url, on_call=records.append, **credentials("hmac")) as client:
        cancel_order.sync(client=client, symbol=SYMBOL, order_id=704)
        state = cancel_and_confirm(client=client, symbol=SYMBOL, order_id=704)
    assert state.status == "CANCELED"
    assert [(r.operation, r.outcome) for r in records] == [
        ("cancelOrder", "success"),
        ("cancelOrder", "UnknownOrder"),
        ("queryOrder", "success"),
    ]


def test_a_hook_that_raises_never_changes_the_outcome(
    exchange: LocalExchange, caplog: pytest.LogCaptureFixture
) -> None:
    seed(exchange, 705, "cid-705")

    def broken(record: CallRecord) -> None:
        raise RuntimeError("exporter down")

    with connect(base_url=exchange.url, on_call=broken, **credentials("hmac")) as client:
        with caplog.at_level(logging.ERROR, logger="binance_coinm_futures"):
            order = cancel_order.sync(client=client, symbol=SYMBOL, order_id=705)
    assert order.status == "CANCELED"
    assert "the on_call hook raised" in caplog.text
    assert "exporter down" in caplog.text
    assert HMAC_SECRET not in caplog.text
    assert HMAC_KEY not in caplog.text


def test_event_hooks_are_refused_pointing_at_on_call() -> None:
    with pytest.raises(ValueError, match=r"'event_hooks' \(since 2.0\).*on_call") as raised:
        connect("k", "s", httpx_args={"event_hooks": {"request": []}})
    assert "signature" in str(raised.value)


def test_on_call_must_be_callable() -> None:
    with pytest.raises(TypeError, match="on_call must be callable, got str"):
        connect("k", "s", on_call="print")  # type: ignore[arg-type]


def test_a_stop_cancelled_and_confirmed_is_recorded_by_algo_id(exchange: LocalExchange) -> None:
    stop = exchange.add_algo_order(SYMBOL, client_algo_id="stop-hook-1")
    exchange.inject(Fault.UNKNOWN_ERROR_503, path="/dapi/v1/algoOrder")  # done, answer lost
    records: list[CallRecord] = []
    with connect(base_url=exchange.url, on_call=records.append, **credentials("hmac")) as client:
        cancel_and_confirm(client=client, symbol=SYMBOL, algo_id=stop.algo_id, backoff=0.01)
    assert [(r.operation, r.outcome) for r in records] == [
        ("cancelAlgoOrder", "ExecutionStatusUnknown"),
        ("queryAlgoOrder", "success"),
    ]
    for record in records:
        assert (record.algo_id, record.client_algo_id, record.order_id) == (
            stop.algo_id,
            None,
            None,
        )
        assert record.path == "/dapi/v1/algoOrder"
        assert_no_secret(record, exchange)

"""connect()'s clients send a generated function's plain call without httpx's merging and
cookie work, and fall back to httpx's own machinery whenever a feature needs it."""

from __future__ import annotations

import gc
import logging
import weakref
from typing import Any

import httpx
import pytest

from binance_coinm_futures import connect
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.testing import LocalExchange, Order
from tests.wire.conftest import SYMBOL, cancel_seeded, credentials
from tests.wire.scripted import MODES


@pytest.mark.parametrize("mode", MODES)
def test_a_plain_call_skips_httpxs_request_building_and_cookie_jar(
    exchange: LocalExchange, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("httpx's own request path was taken")

    for owner in (httpx.Client, httpx.AsyncClient):
        monkeypatch.setattr(owner, "build_request", refused)
    monkeypatch.setattr(httpx.Cookies, "extract_cookies", refused)
    order = cancel_seeded(exchange, mode, 911)
    assert (order.order_id, order.status) == (911, "CANCELED")


@pytest.mark.parametrize("mode", MODES)
def test_on_call_takes_httpxs_own_path(
    exchange: LocalExchange, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """on_call counts requests with httpx's event hooks, so its calls go through httpx."""
    built: list[str] = []
    for owner in (httpx.Client, httpx.AsyncClient):
        original = owner.build_request

        def counted(self: Any, method: str, url: Any, *a: Any, _o: Any = original, **k: Any) -> Any:
            built.append(method.upper())
            return _o(self, method, url, *a, **k)

        monkeypatch.setattr(owner, "build_request", counted)
    records: list[Any] = []
    order = cancel_seeded(exchange, mode, 912, on_call=records.append)
    assert order.order_id == 912
    assert built == ["DELETE"]
    assert len(records) == 1


@pytest.mark.parametrize("mode", MODES)
def test_the_lean_path_logs_as_httpx_does_with_the_signature_hidden(
    exchange: LocalExchange, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="httpx"):
        cancel_seeded(exchange, mode, 913)
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert len(lines) == 1
    assert lines[0].startswith("HTTP Request: DELETE ")
    assert '"HTTP/1.1 200 OK"' in lines[0]
    sent = exchange.requests[-1].raw_target.decode()
    signature = sent.rpartition("signature=")[2]
    assert len(signature) == 64
    assert signature not in lines[0]
    assert "signature=%3Chidden%3E" in lines[0]


def test_a_used_client_is_freed_without_the_garbage_collector(exchange: LocalExchange) -> None:
    """No reference cycle keeps a client alive: one never closed (a bug in the caller's code)
    is still freed, and warned about, as soon as the last reference goes."""
    exchange.add_order(Order(order_id=914, client_order_id="o-914", symbol=SYMBOL))
    gc.disable()
    try:
        client = connect(base_url=exchange.url, **credentials("hmac"))
        with client:
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=914)
        freed = weakref.ref(client.get_httpx_client())
        del client
        assert freed() is None
    finally:
        gc.enable()

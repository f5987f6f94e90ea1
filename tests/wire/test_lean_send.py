"""connect()'s clients send a generated function's plain call without httpx's merging and
cookie work, and fall back to httpx's own machinery whenever a feature needs it."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from binance_coinm_futures.testing import LocalExchange
from tests.wire.conftest import cancel_seeded
from tests.wire.scripted import MODES

SYMBOL = "BTCUSD_PERP"


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
def test_event_hooks_take_httpxs_own_path(exchange: LocalExchange, mode: str) -> None:
    seen: list[int] = []

    def on_response(response: httpx.Response) -> None:
        seen.append(response.status_code)

    async def on_response_async(response: httpx.Response) -> None:
        seen.append(response.status_code)

    hook = on_response if mode == "sync" else on_response_async
    order = cancel_seeded(exchange, mode, 912, httpx_args={"event_hooks": {"response": [hook]}})
    assert order.order_id == 912
    assert seen == [200]


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

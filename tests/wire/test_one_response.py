"""One httpx.Response per answer: the backend builds it, and the boundary reads the body into
that same object (capped, within the deadline) rather than building a second one around it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from binance_coinm_futures import ExecutionStatusUnknown, UnknownOrder
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.testing import LocalExchange
from binance_coinm_futures.testing._spec import cancel_example
from tests.wire.conftest import cancel_seeded
from tests.wire.scripted import MODES, SYMBOL, call_with, scripted_server


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The status of every httpx.Response constructed while the test runs."""
    seen: list[int] = []
    init = httpx.Response.__init__

    def counted(self: httpx.Response, status_code: int, *args: Any, **kwargs: Any) -> None:
        seen.append(status_code)
        init(self, status_code, *args, **kwargs)

    monkeypatch.setattr(httpx.Response, "__init__", counted)
    return seen


@pytest.mark.parametrize("mode", MODES)
def test_a_success_builds_one_response(
    exchange: LocalExchange, mode: str, built: list[int]
) -> None:
    order = cancel_seeded(exchange, mode, 911)
    assert (order.order_id, order.status) == (911, "CANCELED")
    assert built == [200]


@pytest.mark.parametrize("mode", MODES)
def test_an_error_builds_one_response(exchange: LocalExchange, mode: str, built: list[int]) -> None:
    with pytest.raises(UnknownOrder):
        cancel_seeded(exchange, mode, 912, seed=False)
    assert built == [400]


def chunked(status: int, body: bytes, pieces: int = 3) -> bytes:
    """An answer without Content-Length, its body sent in ``pieces`` chunks."""
    size = -(-len(body) // pieces)
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nConnection: close\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n"
    return head.encode() + b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


ORDER = json.dumps({**cancel_example(), "orderId": 1, "symbol": SYMBOL}).encode()
CANCEL = {"symbol": SYMBOL, "order_id": 1}


@pytest.mark.parametrize("mode", MODES)
def test_a_chunked_answer_is_read_whole_into_the_one_response(mode: str, built: list[int]) -> None:
    with scripted_server([chunked(200, ORDER)]) as server:
        answer = call_with(
            cancel_order.sync_detailed, cancel_order.asyncio_detailed, server.url, mode, CANCEL
        )
    assert answer.content == ORDER
    assert answer.parsed is not None
    assert answer.parsed.order_id == 1
    # The headers are the ones received: no Content-Length made up for the read body.
    assert answer.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in answer.headers
    assert built == [200]


@pytest.mark.parametrize("mode", MODES)
def test_a_chunked_answer_over_the_cap_is_unknown(mode: str) -> None:
    # No length is announced: the cap is met while the chunks arrive.
    with scripted_server([chunked(200, ORDER + b" " * (2 << 20), pieces=64)]) as server:
        with pytest.raises(ExecutionStatusUnknown, match="longer than 1048576 bytes"):
            call_with(cancel_order.sync, cancel_order.asyncio, server.url, mode, CANCEL)

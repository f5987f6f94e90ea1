"""One httpx.Response per answer: the backend builds it, and the boundary reads the body into
that same object (capped, within the deadline) rather than building a second one around it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from binance_coinm_futures import UnknownOrder
from binance_coinm_futures.testing import LocalExchange
from tests.wire.conftest import cancel_seeded
from tests.wire.scripted import MODES


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

"""Each answer is parsed once: the success rule, the failure rule and the generated model all
read the one JSON value the runtime keeps on the response (``_outcome.answer_json``)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from binance_coinm_futures import UnknownOrder
from binance_coinm_futures._runtime import _outcome
from binance_coinm_futures.testing import LocalExchange
from tests.wire.conftest import cancel_seeded
from tests.wire.scripted import MODES

SYMBOL = "BTCUSD_PERP"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every body the runtime parses; httpx's own Response.json() must never be reached."""
    seen: list[bytes] = []
    load_json = _outcome.load_json

    def counted(body: bytes) -> object:
        seen.append(body)
        return load_json(body)

    def refused(self: httpx.Response, **kwargs: Any) -> Any:
        raise AssertionError("the answer was parsed a second time by Response.json()")

    monkeypatch.setattr(_outcome, "load_json", counted)
    monkeypatch.setattr(httpx.Response, "json", refused)
    return seen


@pytest.mark.parametrize("mode", MODES)
def test_a_success_is_parsed_once(exchange: LocalExchange, mode: str, parses: list[bytes]) -> None:
    order = cancel_seeded(exchange, mode, 901)
    assert (order.order_id, order.status) == (901, "CANCELED")
    assert len(parses) == 1
    assert b'"orderId":901' in parses[0].replace(b" ", b"")


@pytest.mark.parametrize("mode", MODES)
def test_an_error_is_parsed_once(exchange: LocalExchange, mode: str, parses: list[bytes]) -> None:
    with pytest.raises(UnknownOrder) as raised:
        cancel_seeded(exchange, mode, 902, seed=False)
    assert raised.value.code == -2011
    assert len(parses) == 1

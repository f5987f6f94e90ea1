"""The learned clock offset: only a plausible server time is ever learned."""

from __future__ import annotations

import pytest

from binance_coinm_futures import ServerClock
from binance_coinm_futures._runtime._clock import MAX_OFFSET_MS, server_time_of
from binance_coinm_futures._runtime._outcome import load_json

NOW = 1_732_450_000_000


@pytest.mark.parametrize(
    "server_ms",
    [True, 1e400, float(NOW), 10**30, -(10**30), NOW + MAX_OFFSET_MS + 1, "1732450000000"],
)
def test_implausible_server_time_is_refused_and_nothing_learned(server_ms: object) -> None:
    clock = ServerClock(lambda: NOW)
    with pytest.raises(ValueError, match="server time"):
        clock.observe(server_ms, NOW, NOW)  # type: ignore[arg-type]
    assert (clock.offset_ms, clock.version) == (0, 0)
    assert clock.now_ms() == (NOW, 0)


def test_plausible_server_time_is_learned() -> None:
    clock = ServerClock(lambda: NOW)
    clock.observe(NOW + 30_000, NOW - 10, NOW + 10)
    assert clock.now_ms() == (NOW + 30_000, 1)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"serverTime": 1732450000000}', NOW),
        (b'{"serverTime": 1e400}', None),
        (b'{"serverTime": true}', None),
        (b'{"serverTime": "1732450000000"}', None),
        (b"[1732450000000]", None),
        (b"{}", None),
        (b"not json", None),
        (b"[" * 200_000, None),
    ],
)
def test_server_time_of(body: bytes, expected: int | None) -> None:
    assert server_time_of(load_json(body)) == expected

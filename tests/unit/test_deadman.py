"""The dead-man's switch's schedule (`_Heart`) on a frozen clock: when it beats, how it backs
off, and when it declares the protection lapsed."""

from __future__ import annotations

import pytest

from binance_coinm_futures import IpBanned, RateLimited, ServiceUnavailable
from binance_coinm_futures._runtime._deadman import _Heart

SYMBOLS = ("BTCUSD_PERP", "ETHUSD_PERP")


def armed(countdown: float = 120.0, heartbeat: float = 30.0) -> _Heart:
    heart = _Heart(SYMBOLS, countdown, heartbeat)
    heart.armed(100.0)
    return heart


def test_it_beats_every_interval_from_the_last_good_beat() -> None:
    heart = armed()
    assert heart.countdown_ms == 120_000
    assert heart.wait(100.0) == 30.0
    assert not heart.round_due(129.9)
    assert heart.round_due(130.0)
    heart.round_started(130.0)
    for symbol in SYMBOLS:
        assert heart.beaten(symbol, 130.0, None, 130.1)
    assert heart.wait(130.1) == pytest.approx(29.9)
    assert heart.newly_lapsed(249.9) is None


@pytest.mark.parametrize(
    ("error", "next_round"),
    [
        (RateLimited("slow down", status=429, code=-1003, retry_after=45.0), 175.0),
        (IpBanned("banned", status=418, code=-1003, retry_after=300.0), 430.0),
        (RateLimited("slow down", status=429, code=-1003), 160.0),
    ],
)
def test_a_rate_limit_stops_the_round_and_waits_retry_after(
    error: RateLimited, next_round: float
) -> None:
    heart = armed()
    heart.round_started(130.0)
    assert not heart.beaten(SYMBOLS[0], 130.0, error, 130.0)  # the round stops here
    assert heart.next_round == next_round
    assert heart.last_error is error


def test_other_failures_are_retried_sooner_doubling_up_to_the_interval() -> None:
    heart = armed(heartbeat=5.0)
    failure = ServiceUnavailable("Service Unavailable.", status=503, code=-1000)
    waits = []
    for now in (105.0, 110.0, 115.0, 120.0, 125.0):
        heart.round_started(now)
        assert heart.beaten(SYMBOLS[0], now, failure, now)
        waits.append(heart.next_round - now)
    assert waits == [1.0, 2.0, 4.0, 5.0, 5.0]
    heart.round_started(130.0)
    heart.beaten(SYMBOLS[0], 130.0, None, 130.0)
    heart.round_succeeded()
    assert heart.retry == 1.0


def test_the_lapse_is_declared_when_the_countdown_may_have_run_out() -> None:
    heart = armed(countdown=10.0, heartbeat=3.0)
    heart.round_started(103.0)
    heart.beaten(SYMBOLS[0], 103.0, None, 103.0)  # ETH's beat never succeeds again
    # It wakes for the lapse even when the next round is later.
    heart.next_round = 200.0
    assert heart.wait(104.0) == pytest.approx(6.0)
    assert heart.newly_lapsed(109.99) is None
    lapse = heart.newly_lapsed(110.0)
    assert lapse is not None
    assert lapse.symbols == ("ETHUSD_PERP",)
    assert heart.newly_lapsed(111.0) is None  # told once
    assert heart.lapsed is lapse
    assert heart.wait(111.0) == pytest.approx(89.0)


def test_a_beat_sent_before_an_older_one_answered_never_moves_the_mark_back() -> None:
    heart = armed()
    heart.beaten(SYMBOLS[0], 150.0, None, 150.1)
    heart.beaten(SYMBOLS[0], 140.0, None, 150.2)
    assert heart.last_ok[SYMBOLS[0]] == 150.0

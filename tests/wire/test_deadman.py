"""The dead-man's switch over a real socket, sync and on every async backend, and the local
exchange's countdown timer: a real timer that cancels a symbol's open orders when nobody
beats."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import anyio
import pytest

from binance_coinm_futures import (
    InvalidRequest,
    ProtectionLapsed,
    connect,
    dead_mans_switch,
    dead_mans_switch_async,
)
from binance_coinm_futures.api.trade import auto_cancel_all_open_orders
from binance_coinm_futures.testing import Fault, LocalExchange, Order
from tests.wire.conftest import HMAC_KEY, HMAC_SECRET, credentials
from tests.wire.scripted import MODES, mode_args

SYMBOL = "BTCUSD_PERP"
COUNTDOWN_PATH = "/dapi/v1/countdownCancelAll"


def countdowns_sent(exchange: LocalExchange) -> list[tuple[str, str]]:
    """(symbol, countdownTime) of every countdown request, in order."""
    sent = []
    for request in exchange.requests:
        if request.path == COUNTDOWN_PATH:
            query = parse_qs(request.target.partition("?")[2])
            sent.append((query["symbol"][0], query["countdownTime"][0]))
    return sent


def run_switch(
    mode: str, exchange: LocalExchange, body: Callable[[Any], None], **arguments: Any
) -> Any:
    """Enter the switch in ``mode``, run ``body(switch)`` inside (it may sleep), return it."""
    client = connect(base_url=exchange.url, timeout=5.0, **credentials("hmac"), **mode_args(mode))
    if mode == "sync":
        with client, dead_mans_switch(client=client, **arguments) as switch:
            body(switch)
        return switch

    async def run() -> Any:
        async with client:
            async with dead_mans_switch_async(client=client, **arguments) as switch:
                await anyio.to_thread.run_sync(body, switch)  # the loop stays free to beat
            return switch

    return anyio.run(run)


@pytest.mark.parametrize("mode", MODES)
def test_the_switch_arms_beats_and_disarms_on_a_clean_exit(
    mode: str, exchange: LocalExchange
) -> None:
    armed_during: list[dict[str, int]] = []

    def body(switch: Any) -> None:
        time.sleep(0.75)
        armed_during.append(exchange.countdowns)
        switch.check()

    switch = run_switch(
        mode, exchange, body, symbols=[SYMBOL, "ETHUSD_PERP"], countdown=2.0, heartbeat=0.25
    )

    sent = countdowns_sent(exchange)
    assert sent[:2] == [(SYMBOL, "2000"), ("ETHUSD_PERP", "2000")]
    assert sent[-2:] == [(SYMBOL, "0"), ("ETHUSD_PERP", "0")]
    beats = sent[2:-2]
    assert len(beats) >= 4  # about 0.75 / 0.25 rounds of two
    assert set(beats) == {(SYMBOL, "2000"), ("ETHUSD_PERP", "2000")}
    assert set(armed_during[0]) == {SYMBOL, "ETHUSD_PERP"}
    assert exchange.countdowns == {}
    assert switch.lapsed is None
    assert "disarmed" in repr(switch)
    assert len(exchange.open_orders) == 5  # nothing was cancelled


@pytest.mark.parametrize("mode", MODES)
def test_an_exit_by_an_exception_leaves_the_countdown_armed(
    mode: str, exchange: LocalExchange
) -> None:
    def body(switch: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_switch(mode, exchange, body, symbols=SYMBOL, countdown=30.0, heartbeat=10.0)
    assert countdowns_sent(exchange) == [(SYMBOL, "30000")]
    assert set(exchange.countdowns) == {SYMBOL}


@pytest.mark.parametrize("mode", MODES)
def test_failing_heartbeats_are_reported_in_time_and_the_exchange_cancels(
    mode: str, exchange: LocalExchange, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    lapses: list[tuple[float, ProtectionLapsed]] = []
    started = time.monotonic()

    def body(switch: Any) -> None:
        # From now on every heartbeat fails; the arm already went through.
        exchange.inject(Fault.SERVICE_UNAVAILABLE_503, 100, method="POST", path=COUNTDOWN_PATH)
        deadline = time.monotonic() + 3.0
        while switch.lapsed is None and time.monotonic() < deadline:
            time.sleep(0.02)
        with pytest.raises(ProtectionLapsed):
            switch.check()
        # The lapse is told when the countdown *may* have run out, counted from when the arm
        # was sent; the exchange's runs from when it arrived, a little later.
        time.sleep(0.3)
        exchange.clear_faults()

    with pytest.raises(ProtectionLapsed) as raised:
        run_switch(
            mode,
            exchange,
            body,
            symbols=SYMBOL,
            countdown=1.0,
            heartbeat=0.5,
            on_lapse=lambda lapse: lapses.append((time.monotonic(), lapse)),
        )

    assert len(lapses) == 1
    learned_at, lapse = lapses[0]
    # The countdown ran from the arm (sent just after `started`): the lapse is told at its
    # end, never a heartbeat interval later.
    assert 1.0 <= learned_at - started < 1.0 + 0.5
    assert lapse.symbols == (SYMBOL,)
    assert type(lapse.last_error).__name__ == "ServiceUnavailable"
    assert raised.value is lapse
    # The exchange's own timer did run out: the symbol's orders are gone, ETH's are not.
    assert [symbol for symbol, _ in exchange.countdown_cancellations] == [SYMBOL]
    assert {o.symbol for o in exchange.open_orders} == {"ETHUSD_PERP"}
    text = caplog.text + repr(lapse) + str(lapse)
    assert HMAC_SECRET not in text
    assert HMAC_KEY not in text
    signatures = [r.target.rpartition("signature=")[2] for r in exchange.requests]
    assert signatures
    assert not [signature for signature in signatures if signature in text]


def test_the_exchange_timer_cancels_when_nobody_beats(exchange: LocalExchange) -> None:
    exchange.add_order(Order(31, "solo", "SOLUSD_PERP"))
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        answer = auto_cancel_all_open_orders.sync(
            client=client, symbol="SOLUSD_PERP", countdown_time=300
        )
        assert (answer.symbol, answer.countdown_time) == ("SOLUSD_PERP", "300")
        assert exchange.order(31).status == "NEW"  # type: ignore[union-attr]
        time.sleep(0.6)
    assert exchange.order(31).status == "CANCELED"  # type: ignore[union-attr]
    assert exchange.countdown_cancellations == [("SOLUSD_PERP", (31,))]
    assert exchange.countdowns == {}


def test_a_heartbeat_restarts_and_zero_stops_the_exchange_timer(exchange: LocalExchange) -> None:
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        for _ in range(4):  # beats every 0.2 s keep a 0.4 s countdown from running out
            auto_cancel_all_open_orders.sync(client=client, symbol=SYMBOL, countdown_time=400)
            time.sleep(0.2)
        auto_cancel_all_open_orders.sync(client=client, symbol=SYMBOL, countdown_time=0)
        time.sleep(0.6)
    assert exchange.countdown_cancellations == []
    assert len(exchange.open_orders) == 5


BAD_SWITCHES: dict[str, tuple[dict[str, Any], str]] = {
    "a negative countdown": ({"countdown": -1.0}, "countdown must be a positive"),
    "a zero countdown": ({"countdown": 0}, "countdown must be a positive"),
    "a heartbeat at the countdown": (
        {"countdown": 30.0, "heartbeat": 30.0},
        "heartbeat must be a positive number of seconds below countdown",
    ),
    "a heartbeat above the countdown": (
        {"countdown": 10.0, "heartbeat": 60.0},
        "below countdown",
    ),
    "no symbol": ({"symbols": []}, "symbols must name at least one"),
    "an empty symbol": ({"symbols": [""]}, "symbols must name at least one"),
}


@pytest.mark.parametrize("case", sorted(BAD_SWITCHES))
def test_bad_switches_are_refused_with_nothing_sent(case: str, exchange: LocalExchange) -> None:
    arguments, words = BAD_SWITCHES[case]
    arguments = {"symbols": SYMBOL, **arguments}
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        with pytest.raises(InvalidRequest, match=words):
            dead_mans_switch(client=client, **arguments)
        with pytest.raises(InvalidRequest, match=words):
            dead_mans_switch_async(client=client, **arguments)
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        with pytest.raises(InvalidRequest, match="countdown_time must be between 0"):
            auto_cancel_all_open_orders.sync(client=client, symbol=SYMBOL, countdown_time=-1)
    assert exchange.requests == []


def test_a_failed_arm_is_raised_and_nothing_is_left_armed(exchange: LocalExchange) -> None:
    # The first symbol arms, the second is refused: the first is disarmed again.
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        with pytest.raises(Exception, match="Invalid symbol"):
            with dead_mans_switch(client=client, symbols=[SYMBOL, "NOPE_PERP"]):
                pytest.fail("the block must not run")
    assert countdowns_sent(exchange) == [(SYMBOL, "120000"), ("NOPE_PERP", "120000"), (SYMBOL, "0")]
    assert exchange.countdowns == {}


def test_the_switch_repr_shows_its_defaults_and_no_client(exchange: LocalExchange) -> None:
    with connect(base_url=exchange.url, **credentials("hmac")) as client:
        switch = dead_mans_switch(client=client, symbols=SYMBOL)
        text = repr(switch)
    assert text == (
        "DeadMansSwitch(symbols=('BTCUSD_PERP',), countdown=120, heartbeat=30, state='new')"
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_failing_on_lapse_callback_does_not_stop_the_heartbeat(
    mode: str, exchange: LocalExchange
) -> None:
    def explode(lapse: ProtectionLapsed) -> None:
        raise RuntimeError("the callback broke")

    def body(switch: Any) -> None:
        exchange.inject(Fault.SERVICE_UNAVAILABLE_503, 6, method="POST", path=COUNTDOWN_PATH)
        deadline = time.monotonic() + 3.0
        while switch.lapsed is None and time.monotonic() < deadline:
            time.sleep(0.02)
        beats = len(countdowns_sent(exchange))
        exchange.clear_faults()
        time.sleep(0.6)  # the heartbeat goes on after the callback raised
        assert len(countdowns_sent(exchange)) > beats

    with pytest.raises(ProtectionLapsed):
        run_switch(
            mode, exchange, body, symbols=SYMBOL, countdown=0.5, heartbeat=0.2, on_lapse=explode
        )

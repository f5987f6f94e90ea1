"""A dead-man's switch: Binance cancels a symbol's open orders unless we keep saying we live.

A caller of the generated ``auto_cancel_all_open_orders`` (``POST /dapi/v1/countdownCancelAll``),
never part of the auth flow. On entry it arms the countdown of every symbol (a failure is
raised there, with nothing left armed); a background thread (sync) or task (async) restarts
the countdowns every ``heartbeat`` seconds; a clean exit stops them (``countdownTime=0``).

How the user learns that the protection lapsed: when no heartbeat of a symbol has succeeded
for ``countdown`` seconds, counted from when the last good one was *sent* (the exchange cannot
have started its countdown earlier), the countdown may have run out and Binance may have
cancelled that symbol's open orders. At that moment — the heartbeat loop wakes for it, so
never later than one interval after the last beat that could have been seen — the switch

1. calls ``on_lapse(error)`` from its thread or task, if given;
2. makes ``check()`` raise that ``ProtectionLapsed`` (call it before acting on the book);
3. raises it when the ``with`` block ends without an exception of its own.

It keeps beating after a lapse (the countdown is re-armed as soon as a beat succeeds), but the
lapse stays reported. A 429 or 418 stops the round and the next beat waits ``Retry-After``;
other failures are retried sooner (1 s, doubling, never later than the interval). An exit
by an exception stops the heartbeat and leaves the countdowns armed: Binance then cancels the
orders when they run out, which is what the switch is for.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable, Generator, Sequence
from types import TracebackType
from typing import Any, Final, TypeAlias

from binance_coinm_futures.client import AuthenticatedClient

from ._confirm import _Wait as Wait
from ._confirm import drive, drive_async
from ._errors import BinanceError, InvalidRequest, ProtectionLapsed, RateLimited

logger: Final = logging.getLogger("binance_coinm_futures")

DEFAULT_COUNTDOWN: Final = 120.0
"""Seconds, Binance's own example (countdownTime 120000)."""
DEFAULT_HEARTBEAT: Final = 30.0
"""Seconds between heartbeats, Binance's own example."""
_FIRST_RETRY: Final = 1.0

LapseCallback = Callable[[ProtectionLapsed], None]


class _Heart:
    """When to beat, and whether the protection lapsed: the sync and async switches share it."""

    def __init__(self, symbols: str | Sequence[str], countdown: float, heartbeat: float) -> None:
        names = (symbols,) if isinstance(symbols, str) else tuple(symbols)
        if not names or not all(isinstance(s, str) and s for s in names):
            raise InvalidRequest(
                "symbols must name at least one symbol, none empty", parameter="symbols"
            )
        if not _positive(countdown) or round(countdown * 1000) < 1:
            raise InvalidRequest(
                f"countdown must be a positive number of seconds, got {countdown!r}",
                parameter="countdown",
            )
        if not _positive(heartbeat) or not heartbeat < countdown:
            raise InvalidRequest(
                f"heartbeat must be a positive number of seconds below countdown ({countdown}), "
                f"got {heartbeat!r}",
                parameter="heartbeat",
            )
        self.symbols = names
        self.countdown = float(countdown)
        self.heartbeat = float(heartbeat)
        self.countdown_ms = round(countdown * 1000)
        self.last_ok: dict[str, float] = {}
        self.next_round = 0.0
        self.retry = _FIRST_RETRY
        self.last_error: BinanceError | None = None
        self.lapsed: ProtectionLapsed | None = None

    def armed(self, started: float) -> None:
        self.last_ok = dict.fromkeys(self.symbols, started)
        self.next_round = started + self.heartbeat

    def wait(self, now: float) -> float:
        """Seconds until the next round of beats, or until the protection may lapse."""
        wake = self.next_round
        if self.lapsed is None:
            wake = min(wake, min(self.last_ok.values()) + self.countdown)
        return max(0.0, wake - now)

    def round_due(self, now: float) -> bool:
        return now >= self.next_round

    def beaten(self, symbol: str, sent_at: float, error: BinanceError | None, now: float) -> bool:
        """Record one beat; whether the round may go on to the next symbol."""
        if error is None:
            self.last_ok[symbol] = max(self.last_ok[symbol], sent_at)
            self.next_round = max(self.next_round, sent_at + self.heartbeat)
            return True
        self.last_error = error
        logger.warning(
            "dead-man's switch: the heartbeat of %s failed: %s (%s)",
            symbol,
            type(error).__name__,
            error,
        )
        if isinstance(error, RateLimited):
            self.next_round = now + (
                error.retry_after if error.retry_after is not None else self.heartbeat
            )
            return False
        self.next_round = now + min(self.retry, self.heartbeat)
        self.retry *= 2
        return True

    def round_started(self, now: float) -> None:
        # Pushed back by beaten(); this keeps a round from repeating at once when all fail.
        self.next_round = now + self.heartbeat

    def round_succeeded(self) -> None:
        self.retry = _FIRST_RETRY

    def newly_lapsed(self, now: float) -> ProtectionLapsed | None:
        if self.lapsed is not None:
            return None
        late = tuple(s for s in self.symbols if now >= self.last_ok[s] + self.countdown)
        if not late:
            return None
        cause = self.last_error
        self.lapsed = ProtectionLapsed(
            f"no heartbeat of {', '.join(late)} succeeded for {self.countdown:g} s (the "
            "countdown): Binance may have cancelled their open orders"
            + (f"; the last failure: {type(cause).__name__} ({cause})" if cause else ""),
            symbols=late,
            last_error=cause,
        )
        logger.error("dead-man's switch: %s", self.lapsed)
        return self.lapsed

    def describe(self, kind: str, state: str) -> str:
        return (
            f"{kind}(symbols={self.symbols!r}, countdown={self.countdown:g}, "
            f"heartbeat={self.heartbeat:g}, state={state!r})"
        )


def _positive(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


_Beat: TypeAlias = tuple[str, int]
"""One countdown request: the symbol and its countdownTime in ms (0 disarms)."""


def _beating(
    heart: _Heart,
) -> Generator[Wait | _Beat | ProtectionLapsed, BinanceError | None, None]:
    """The heartbeat loop, once for both switches: yields a wait, a beat (and is sent its
    failure or None), or a lapse to tell (and is sent None)."""
    while True:
        yield Wait(heart.wait(time.monotonic()))
        if heart.round_due(time.monotonic()):
            heart.round_started(time.monotonic())
            ok = True
            for symbol in heart.symbols:
                sent_at = time.monotonic()
                error = yield (symbol, heart.countdown_ms)
                ok = ok and error is None
                if not heart.beaten(symbol, sent_at, error, time.monotonic()):
                    break
            if ok:
                heart.round_succeeded()
        lapse = heart.newly_lapsed(time.monotonic())
        if lapse is not None:
            yield lapse


def _arming(heart: _Heart) -> Generator[_Beat, BinanceError | None, BinanceError | None]:
    """Arm each symbol in turn; on a failure, disarm the ones armed and return the failure."""
    armed: list[str] = []
    for symbol in heart.symbols:
        failed = yield (symbol, heart.countdown_ms)
        if failed is not None:
            yield from _disarming(armed)
            return failed
        armed.append(symbol)
    return None


def _disarming(
    symbols: Sequence[str],
) -> Generator[_Beat, BinanceError | None, BinanceError | None]:
    """Stop each symbol's countdown, every one tried; the first failure, if any."""
    first: BinanceError | None = None
    for symbol in symbols:
        failed = yield (symbol, 0)
        if failed is not None:
            logger.warning("dead-man's switch: could not disarm %s: %s", symbol, failed)
            first = first or failed
    return first


class _Stopped(Exception):
    """The sync switch's block ended: its heartbeat thread stops."""


class _Switch:
    """What the sync and the async switch share: the schedule, the lapse, the repr."""

    def __init__(
        self,
        client: AuthenticatedClient,
        symbols: str | Sequence[str],
        countdown: float,
        heartbeat: float,
        on_lapse: LapseCallback | None,
    ) -> None:
        self._heart = _Heart(symbols, countdown, heartbeat)
        self._client = client
        self._on_lapse = on_lapse
        self._state = "new"

    def __repr__(self) -> str:
        return self._heart.describe(type(self).__name__, self._state)

    @property
    def lapsed(self) -> ProtectionLapsed | None:
        """The lapse, once the protection may have run out; None while it holds."""
        return self._heart.lapsed

    def check(self) -> None:
        """Raise ``ProtectionLapsed`` if the protection may have run out."""
        if self._heart.lapsed is not None:
            raise self._heart.lapsed

    def _arguments(self, beat: _Beat) -> dict[str, Any]:
        return {"client": self._client, "symbol": beat[0], "countdown_time": beat[1]}

    def _tell(self, lapse: ProtectionLapsed) -> None:
        if self._on_lapse is None:
            return
        try:
            self._on_lapse(lapse)
        except Exception:
            # The callback's failure must not stop the heartbeat it reports on.
            logger.exception("dead-man's switch: on_lapse raised; the heartbeat goes on")

    def _armed(self, started: float) -> None:
        self._heart.armed(started)
        self._state = "beating"

    def _exited(self, clean: bool) -> bool:
        """Whether to disarm: only on a clean exit."""
        self._state = "disarmed" if clean else "stopped, left armed"
        return clean


class DeadMansSwitch(_Switch):
    """The sync switch: ``with dead_mans_switch(client=..., symbols=...) as switch:``."""

    _thread: threading.Thread | None = None

    def _beat(self, action: _Beat | ProtectionLapsed) -> BinanceError | None:
        from binance_coinm_futures.api.trade import auto_cancel_all_open_orders

        if isinstance(action, ProtectionLapsed):
            self._tell(action)
            return None
        try:
            auto_cancel_all_open_orders.sync(**self._arguments(action))
        except BinanceError as failed:
            return failed
        return None

    def __enter__(self) -> DeadMansSwitch:
        started = time.monotonic()
        failed = drive(_arming(self._heart), self._beat)
        if failed is not None:
            raise failed
        self._armed(started)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="binance-dead-mans-switch", daemon=True
        )
        self._thread.start()
        return self

    def _run(self) -> None:
        def sleep(seconds: float) -> None:
            if self._stop.wait(seconds):
                raise _Stopped

        with contextlib.suppress(_Stopped):
            drive(_beating(self._heart), self._beat, sleep)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        if self._exited(exc_type is None):
            failed = drive(_disarming(self._heart.symbols), self._beat)
            if failed is not None:
                raise failed
            self.check()


class AsyncDeadMansSwitch(_Switch):
    """The async switch: ``async with dead_mans_switch_async(client=..., symbols=...)``."""

    _group: Any = None

    async def _beat(self, action: _Beat | ProtectionLapsed) -> BinanceError | None:
        from binance_coinm_futures.api.trade import auto_cancel_all_open_orders

        if isinstance(action, ProtectionLapsed):
            self._tell(action)
            return None
        try:
            await auto_cancel_all_open_orders.asyncio(**self._arguments(action))
        except BinanceError as failed:
            return failed
        return None

    async def __aenter__(self) -> AsyncDeadMansSwitch:
        import anyio

        started = time.monotonic()
        failed = await drive_async(_arming(self._heart), self._beat)
        if failed is not None:
            raise failed
        self._armed(started)
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        self._group.start_soon(drive_async, _beating(self._heart), self._beat)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._group is not None:
            self._group.cancel_scope.cancel()
            await self._group.__aexit__(None, None, None)
        if self._exited(exc_type is None):
            failed = await drive_async(_disarming(self._heart.symbols), self._beat)
            if failed is not None:
                raise failed
            self.check()


def dead_mans_switch(
    *,
    client: AuthenticatedClient,
    symbols: str | Sequence[str],
    countdown: float = DEFAULT_COUNTDOWN,
    heartbeat: float = DEFAULT_HEARTBEAT,
    on_lapse: LapseCallback | None = None,
) -> DeadMansSwitch:
    """A context manager that keeps Binance's countdown cancel armed while its block runs.

    Args:
        client: a client from ``connect()``; its thread-safe pool serves the heartbeat thread.
        symbols: one symbol or several; each has its own countdown at Binance.
        countdown: seconds until Binance cancels the symbol's open orders without a heartbeat
            (sent as ``countdownTime`` in ms). Default 120, as in Binance's example.
        heartbeat: seconds between heartbeats, below ``countdown`` (default 30: leave room for
            a failed beat or two, and for Binance checking its timers every ~10 ms).
        on_lapse: called from the heartbeat thread with ``ProtectionLapsed`` the moment the
            countdown may have run out.

    Raises:
        InvalidRequest: no symbol, a countdown that is not positive, a heartbeat not below the
            countdown; nothing is sent.
        BinanceError: arming failed on entry (nothing is left armed), or disarming on a clean
            exit failed (the countdown is then still running: retry or let it cancel).
        ProtectionLapsed: on a clean exit, if the protection lapsed during the block.
    """
    return DeadMansSwitch(client, symbols, countdown, heartbeat, on_lapse)


def dead_mans_switch_async(
    *,
    client: AuthenticatedClient,
    symbols: str | Sequence[str],
    countdown: float = DEFAULT_COUNTDOWN,
    heartbeat: float = DEFAULT_HEARTBEAT,
    on_lapse: LapseCallback | None = None,
) -> AsyncDeadMansSwitch:
    """The async form of `dead_mans_switch` (``async with``): a task instead of a thread."""
    return AsyncDeadMansSwitch(client, symbols, countdown, heartbeat, on_lapse)

"""The signer's view of the exchange's clock: the local clock plus a learned offset."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Final

Clock = Callable[[], int]
"""Milliseconds since the epoch. Injectable so tests can freeze time."""


#: The largest clock offset ever learned. Clocks kept by NTP differ by milliseconds; an answer
#: that implies a host clock off by more than a day is far likelier wrong than the clock.
MAX_OFFSET_MS: Final = 86_400_000


def server_time_of(payload: object) -> int | None:
    """``serverTime`` from the time endpoint's answer (its JSON value, ``answer_json``), or None
    unless it is a JSON integer."""
    if not isinstance(payload, dict):
        return None
    value = payload.get("serverTime")
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    # Imported here: the models load with the endpoint functions, not with the runtime.
    from binance_coinm_futures.models.server_time import ServerTime

    return ServerTime.from_dict(payload).server_time


def system_clock() -> int:
    """The local wall clock in milliseconds."""
    return time.time_ns() // 1_000_000


class ServerClock:
    """Local clock + offset to the exchange's clock, shared by every call on one client.

    Reads take no lock (reading one tuple attribute is atomic); updates do, so concurrent
    corrections from several threads or tasks never interleave. ``version`` counts updates,
    letting a call that was rejected for its timestamp see that another call has already
    corrected the offset, and re-sign without fetching the time again.
    """

    __slots__ = ("_clock", "_lock", "_state")

    def __init__(self, clock: Clock = system_clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._state = (0, 0)  # (offset in ms, version)

    @property
    def offset_ms(self) -> int:
        return self._state[0]

    @property
    def version(self) -> int:
        return self._state[1]

    def local_ms(self) -> int:
        return self._clock()

    def now_ms(self) -> tuple[int, int]:
        """(the exchange's time as we estimate it, the offset version it was computed with)."""
        offset, version = self._state
        return self._clock() + offset, version

    def observe(self, server_ms: int, sent_at_ms: int, received_at_ms: int) -> None:
        """Learn the offset from a server time read between two local readings.

        Raises ValueError, learning nothing, unless ``server_ms`` is an integer within
        ``MAX_OFFSET_MS`` of the local clock.
        """
        if isinstance(server_ms, bool) or not isinstance(server_ms, int):
            raise ValueError(f"the server time must be an integer, got {type(server_ms).__name__}")
        offset = server_ms - (sent_at_ms + received_at_ms) // 2
        if abs(offset) > MAX_OFFSET_MS:
            raise ValueError(
                f"the server time is {offset} ms off the local clock, more than the "
                f"{MAX_OFFSET_MS} ms this client corrects: check the host clock"
            )
        with self._lock:
            self._state = (offset, self._state[1] + 1)

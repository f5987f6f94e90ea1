"""The signer's view of the exchange's clock: the local clock plus a learned offset."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Clock = Callable[[], int]
"""Milliseconds since the epoch. Injectable so tests can freeze time."""


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
        """Learn the offset from a server time read between two local readings."""
        midpoint = (sent_at_ms + received_at_ms) // 2
        with self._lock:
            self._state = (server_ms - midpoint, self._state[1] + 1)

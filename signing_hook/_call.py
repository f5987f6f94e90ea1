"""What the layers of one call share, so that none of them imports another for it.

The boundary (``_transport``) sets the call's deadline on its first request; the backends
read it there and open connections with the one connect retry. A backend's guard that finds a
library internal moved raises ``InternalsMoved``, which the boundary maps. Neither imports the
other.
"""

from __future__ import annotations

from typing import Final

#: When the whole call must be over (``time.monotonic()``), a request extension set by the
#: boundary on the call's first request. The auth flow's time fetch copies its extensions and
#: its resend is the same request, so the one deadline covers them too.
DEADLINE: Final = "binance_coinm_futures.deadline"

#: The attribute an async backend sets to True when every wait it makes ends by the request's
#: ``DEADLINE``: a wait for a connection with PoolTimeout or ConnectTimeout (nothing was sent),
#: a wait for the answer with TimeoutError. The boundary then sets no timeout of its own
#: around the exchange; around any other backend it does. ``DEADLINE`` is a time on
#: ``time.monotonic()``'s clock: a backend that waits on another clock converts it.
KEEPS_DEADLINE: Final = "keeps_deadline"

#: Retries of a connection that could not be opened (nothing was sent): the safe case, and
#: the only one. httpx's transports and the aiohttp backend do the same.
CONNECT_RETRIES: Final = 1


class InternalsMoved(RuntimeError):
    """A library release moved the private attribute a backend's guard relies on.

    Raised rather than running unguarded: without the guard, a trickling peer could hold a
    call for ever, a stray answer could answer the next cancel, or a cancel could be sent
    twice. The boundary (``_transport``) decides what the caller sees, once for every backend:
    raised while the backend is built, before anything was sent, it reaches the caller as it
    is; raised once the backend was handed the request (while sending it, or reading or closing
    its answer), the cancel may have been done, so the caller gets ``ExecutionStatusUnknown``
    with this error as its ``__cause__``. A guard that can run before the send belongs in its
    backend's construction, which the boundary does on the first request.
    """

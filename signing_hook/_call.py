"""What the layers of one call share, so that none of them imports another for it.

The boundary (``_transport``) sets the call's deadline on its first request; the backends
read it there and open connections with the one connect retry. Neither imports the other.
"""

from __future__ import annotations

from typing import Final

#: When the whole call must be over (``time.monotonic()``), a request extension set by the
#: boundary on the call's first request. The auth flow's time fetch copies its extensions and
#: its resend is the same request, so the one deadline covers them too.
DEADLINE: Final = "binance_coinm_futures.deadline"

#: Retries of a connection that could not be opened (nothing was sent): the safe case, and
#: the only one. httpx's transports and the aiohttp backend do the same.
CONNECT_RETRIES: Final = 1

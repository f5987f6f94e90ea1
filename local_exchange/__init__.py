"""A local stand-in for Binance COIN-M Futures' Cancel Order and Query Order, for tests.

A real HTTP/1.1 keep-alive server on loopback that checks API keys, signatures (HMAC,
RSA, Ed25519), timestamps and parameters by Binance's rules, holds a small order book,
and can be told to fail the way Binance fails. Test-only: the SDK never imports it.

    from local_exchange import LocalExchange, Fault

    with LocalExchange(api_keys={"my-key": "my-secret"}) as exchange:
        exchange.url              # "http://127.0.0.1:PORT"
        exchange.inject(Fault.RATE_LIMITED)
        ...                       # point a client at exchange.url
        exchange.requests[-1]     # what arrived, byte for byte

From a shell: ``python -m local_exchange --help``.
"""

from ._exchange import COIN_M_SYMBOLS, DEMO_API_KEY, DEMO_SECRET, LocalExchange
from ._faults import Fault
from ._http import Headers, ReceivedRequest
from ._orders import Order, demo_orders
from ._spec import CURRENT_SHAPE, PRE_2026_06_SHAPE

__all__ = [
    "COIN_M_SYMBOLS",
    "CURRENT_SHAPE",
    "DEMO_API_KEY",
    "DEMO_SECRET",
    "PRE_2026_06_SHAPE",
    "Fault",
    "Headers",
    "LocalExchange",
    "Order",
    "ReceivedRequest",
    "demo_orders",
]

"""A local stand-in for Binance COIN-M Futures' Cancel Order and Query Order, for tests.

A real HTTP/1.1 keep-alive server on loopback that checks API keys, signatures (HMAC,
RSA, Ed25519), timestamps and parameters by Binance's rules, holds a small order book,
and can be told to fail the way Binance fails. Test-only: the SDK never imports it.

    from binance_coinm_futures.testing import LocalExchange, Fault

    with LocalExchange(api_keys={"my-key": "my-secret"}) as exchange:
        exchange.url              # "http://127.0.0.1:PORT"
        exchange.inject(Fault.RATE_LIMITED)
        ...                       # point a client at exchange.url
        exchange.requests[-1]     # what arrived, byte for byte

From a shell: ``python -m binance_coinm_futures.testing --help``.

It needs the ``testing`` extra (``pip install 'binance-coinm-futures[testing]'``). Importing
the package never does: its names load on first use, so that the pytest plugin this
distribution registers stays harmless where the extra is not installed, and a missing extra
is reported by name instead of as a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._algo import AlgoOrder
    from ._exchange import COIN_M_SYMBOLS, DEMO_API_KEY, DEMO_SECRET, LocalExchange
    from ._faults import Fault
    from ._http import Headers, ReceivedRequest
    from ._keys import HmacCredentials, LocalExchangeKeys, PrivateKeyCredentials, make_keys
    from ._orders import Order, demo_orders
    from ._spec import CURRENT_SHAPE, PRE_2026_06_SHAPE

__all__ = [
    "COIN_M_SYMBOLS",
    "CURRENT_SHAPE",
    "DEMO_API_KEY",
    "DEMO_SECRET",
    "PRE_2026_06_SHAPE",
    "AlgoOrder",
    "Fault",
    "Headers",
    "HmacCredentials",
    "LocalExchange",
    "LocalExchangeKeys",
    "Order",
    "PrivateKeyCredentials",
    "ReceivedRequest",
    "demo_orders",
    "make_keys",
]

_HOME = {
    "AlgoOrder": "._algo",
    "COIN_M_SYMBOLS": "._exchange",
    "CURRENT_SHAPE": "._spec",
    "PRE_2026_06_SHAPE": "._spec",
    "DEMO_API_KEY": "._exchange",
    "DEMO_SECRET": "._exchange",
    "LocalExchange": "._exchange",
    "Fault": "._faults",
    "Headers": "._http",
    "ReceivedRequest": "._http",
    "HmacCredentials": "._keys",
    "LocalExchangeKeys": "._keys",
    "PrivateKeyCredentials": "._keys",
    "make_keys": "._keys",
    "Order": "._orders",
    "demo_orders": "._orders",
}
_TESTING_EXTRA = frozenset({"cryptography", "pytest", "yaml"})
_MISSING_EXTRA = (
    "binance_coinm_futures.testing needs the 'testing' extra, which installs {module}: "
    "pip install 'binance-coinm-futures[testing]'"
)


def _load(module: str) -> object:
    """Import one of this package's modules, naming the extra when a dependency is missing."""
    try:
        return importlib.import_module(module, __name__)
    except ModuleNotFoundError as missing:
        top = (missing.name or "").partition(".")[0]
        if top not in _TESTING_EXTRA:
            raise
        raise ModuleNotFoundError(_MISSING_EXTRA.format(module=top), name=top) from None


if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        home = _HOME.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_load(home), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})

"""pytest fixtures for testing your own cancel logic against a local exchange.

Installing the ``testing`` extra is all it takes: the distribution registers this module
with pytest (the ``pytest11`` entry point), so no ``conftest.py`` line is needed. Then, in a
test::

    from binance_coinm_futures.api.trade import cancel_order
    from binance_coinm_futures.testing import LocalExchange, LocalExchangeKeys
    from binance_coinm_futures import connect

    def test_my_cancel(local_exchange: LocalExchange, local_exchange_keys: LocalExchangeKeys):
        with connect(base_url=local_exchange.url, **local_exchange_keys.hmac) as client:
            order = cancel_order.sync(client=client, symbol="BTCUSD_PERP", order_id=4612097861)
        assert order.status == "CANCELED"

``local_exchange`` is a fresh exchange per test, on a free loopback port, seeded with
``demo_orders()`` and knowing one API key of each kind; ``local_exchange_keys`` holds the
``connect()`` arguments for each (``.hmac``, ``.rsa``, ``.ed25519``). Inject faults with
``local_exchange.inject(Fault.RATE_LIMITED)``. Keys are made fresh for each test session.

pytest loads this module wherever the distribution is installed, with or without the extra,
so it imports nothing of the extra until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from ._keys import HmacCredentials, LocalExchangeKeys, PrivateKeyCredentials, make_keys

if TYPE_CHECKING:
    from ._exchange import LocalExchange

__all__ = [
    "HmacCredentials",
    "LocalExchangeKeys",
    "PrivateKeyCredentials",
    "local_exchange",
    "local_exchange_keys",
    "make_keys",
]


@pytest.fixture(scope="session")
def local_exchange_keys() -> LocalExchangeKeys:
    """One test key of each kind, made once per session."""
    return make_keys()


@pytest.fixture
def local_exchange(local_exchange_keys: LocalExchangeKeys) -> Iterator[LocalExchange]:
    """A running local exchange with the demo orders, stopped after the test."""
    from . import LocalExchange

    with LocalExchange(api_keys=local_exchange_keys.public) as exchange:
        yield exchange

"""pytest fixtures for testing your own cancel logic against a local exchange.

Install the ``testing`` extra and enable the plugin in your ``conftest.py``::

    pytest_plugins = ["local_exchange.pytest_plugin"]

Then, in a test::

    from binance_coinm_futures.api.trade import cancel_order
    from signing_hook import connect

    def test_my_cancel(local_exchange, local_exchange_keys):
        client = connect(base_url=local_exchange.url, **local_exchange_keys.hmac)
        order = cancel_order.sync(client=client, symbol="BTCUSD_PERP", order_id=4612097861)
        assert order.status == "CANCELED"

``local_exchange`` is a fresh exchange per test, on a free loopback port, seeded with
``demo_orders()`` and knowing one API key of each kind; ``local_exchange_keys`` holds the
``connect()`` arguments for each (``.hmac``, ``.rsa``, ``.ed25519``). Inject faults with
``local_exchange.inject(Fault.RATE_LIMITED)``. Keys are made fresh for each test session.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from ._exchange import LocalExchange


@dataclass(frozen=True)
class LocalExchangeKeys:
    """``connect()`` keyword arguments for one test key of each kind, and the public halves."""

    hmac: dict[str, Any]
    rsa: dict[str, Any]
    ed25519: dict[str, Any]
    public: dict[str, str | bytes] = field(repr=False)

    def __repr__(self) -> str:
        return "LocalExchangeKeys(hmac=..., rsa=..., ed25519=...)"


def make_keys() -> LocalExchangeKeys:
    """Fresh throwaway keys: an HMAC secret, an RSA-2048 and an Ed25519 key pair."""
    import secrets

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    def pems(private: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> tuple[bytes, bytes]:
        return (
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        )

    rsa_private, rsa_public = pems(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    ed_private, ed_public = pems(ed25519.Ed25519PrivateKey.generate())
    secret = secrets.token_hex(32)
    return LocalExchangeKeys(
        hmac={"api_key": "local-hmac-key", "secret": secret},
        rsa={"api_key": "local-rsa-key", "private_key": rsa_private},
        ed25519={"api_key": "local-ed25519-key", "private_key": ed_private},
        public={
            "local-hmac-key": secret,
            "local-rsa-key": rsa_public,
            "local-ed25519-key": ed_public,
        },
    )


@pytest.fixture(scope="session")
def local_exchange_keys() -> LocalExchangeKeys:
    """One test key of each kind, made once per session."""
    return make_keys()


@pytest.fixture
def local_exchange(local_exchange_keys: LocalExchangeKeys) -> Iterator[LocalExchange]:
    """A running local exchange with the demo orders, stopped after the test."""
    with LocalExchange(api_keys=local_exchange_keys.public) as exchange:
        yield exchange

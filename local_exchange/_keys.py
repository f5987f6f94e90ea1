"""Throwaway test keys of each kind, as `connect()` arguments and as the exchange's key table."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TypedDict


class HmacCredentials(TypedDict):
    """``connect(**credentials)`` arguments for an HMAC key."""

    api_key: str
    secret: str


class PrivateKeyCredentials(TypedDict):
    """``connect(**credentials)`` arguments for an RSA or Ed25519 key (PEM, unencrypted)."""

    api_key: str
    private_key: bytes


@dataclass(frozen=True)
class LocalExchangeKeys:
    """One test key of each kind: ``connect()`` arguments, and the exchange's public halves.

    ``LocalExchange(api_keys=keys.public)`` knows all three.
    """

    hmac: HmacCredentials
    rsa: PrivateKeyCredentials
    ed25519: PrivateKeyCredentials
    public: dict[str, str | bytes] = field(repr=False)

    def __repr__(self) -> str:
        return "LocalExchangeKeys(hmac=..., rsa=..., ed25519=...)"


def make_keys() -> LocalExchangeKeys:
    """Fresh throwaway keys: an HMAC secret, an RSA-2048 and an Ed25519 key pair."""
    from . import _load

    _load("cryptography")  # without the testing extra: an error that names it
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

"""Signers: the three kinds of Binance API key, each turning totalParams into a query value.

A signer sees only the exact bytes that go on the wire and returns the ``signature`` value
ready to append to the query string: lowercase hex for HMAC, percent-encoded base64 for RSA
and Ed25519. Secrets and keys are held privately and never shown by a repr.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey


class Signer(Protocol):
    """Anything that signs totalParams for Binance."""

    def sign(self, payload: bytes) -> str:
        """The ``signature`` query value for ``payload``, already percent-encoded."""
        ...


class HmacSigner:
    """HMAC-SHA256 with the API secret, hex-encoded."""

    __slots__ = ("_keyed",)

    def __init__(self, secret: str | bytes) -> None:
        if not isinstance(secret, str | bytes):
            # Never bytes(12345): that is 12,345 zero bytes, a key nobody meant.
            raise TypeError(f"secret must be str or bytes, got {type(secret).__name__}")
        key = secret.encode() if isinstance(secret, str) else secret
        if not key:
            raise ValueError("secret must not be empty")
        # Keying HMAC once and copying it per request skips the key schedule on the hot path.
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def sign(self, payload: bytes) -> str:
        mac = self._keyed.copy()
        mac.update(payload)
        return mac.hexdigest()

    def __repr__(self) -> str:
        return "HmacSigner(secret=<hidden>)"

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("signers hold secrets and cannot be pickled")


class _Base64Signer:
    """Shared encoding of the asymmetric signers: base64, then percent-encoded."""

    __slots__ = ()

    def _raw_sign(self, payload: bytes) -> bytes:
        raise NotImplementedError

    def sign(self, payload: bytes) -> str:
        return quote(base64.b64encode(self._raw_sign(payload)), safe="")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(private_key=<hidden>)"

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("signers hold secrets and cannot be pickled")


class RsaSigner(_Base64Signer):
    """RSASSA-PKCS1-v1_5 with SHA-256 (deterministic)."""

    __slots__ = ("_key",)

    def __init__(self, key: RSAPrivateKey) -> None:
        self._key = key

    def _raw_sign(self, payload: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return self._key.sign(payload, padding.PKCS1v15(), hashes.SHA256())


class Ed25519Signer(_Base64Signer):
    """Plain Ed25519 (deterministic)."""

    __slots__ = ("_key",)

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    def _raw_sign(self, payload: bytes) -> bytes:
        return self._key.sign(payload)


def _pem_bytes(private_key: bytes | str | os.PathLike[str]) -> bytes:
    """The PEM text of ``private_key``. No message here quotes the value: a secret passed by
    mistake (an HMAC secret, a PEM body without its header) must not reach an exception."""
    if isinstance(private_key, bytes):
        return private_key
    if isinstance(private_key, str) and "-----BEGIN" in private_key:
        return private_key.encode()
    if not isinstance(private_key, str | os.PathLike):
        raise TypeError(
            f"private_key must be PEM bytes, PEM text or a path, got {type(private_key).__name__}"
        )
    try:
        with open(private_key, "rb") as handle:
            return handle.read()
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "unreadable"
    # Raised outside the handler: the open() error quotes the value as its filename, and would
    # stay reachable as __context__ even after ``from None``.
    raise ValueError(
        f"private_key is neither PEM text (no '-----BEGIN' line) nor a readable file "
        f"({reason}); an HMAC secret goes in secret=, a PEM key needs its header lines"
    )


def signer_from_private_key(
    private_key: bytes | str | os.PathLike[str],
    passphrase: bytes | str | None = None,
) -> RsaSigner | Ed25519Signer:
    """A signer for a PEM private key (bytes, text or a path); the key type is read from the key.

    Needs the ``cryptography`` package: ``pip install 'binance-coinm-futures[keys]'``.
    """
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
    except ImportError:
        raise ImportError(
            "RSA and Ed25519 keys need the 'cryptography' package: "
            "pip install 'binance-coinm-futures[keys]'"
        ) from None
    if passphrase is not None and not isinstance(passphrase, str | bytes):
        raise TypeError(
            f"private_key_passphrase must be str or bytes, got {type(passphrase).__name__}"
        )
    password = passphrase.encode() if isinstance(passphrase, str) else passphrase
    pem = _pem_bytes(private_key)
    try:
        key = load_pem_private_key(pem, password=password)
    except (TypeError, ValueError) as error:
        # cryptography's message names the problem (wrong passphrase, not PEM); it never
        # contains the key material itself.
        raise ValueError(f"cannot load the private key: {error}") from None
    if isinstance(key, RSAPrivateKey):
        return RsaSigner(key)
    if isinstance(key, Ed25519PrivateKey):
        return Ed25519Signer(key)
    raise ValueError(f"unsupported private key type {type(key).__name__}: use RSA or Ed25519")

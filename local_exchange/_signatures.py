"""Signature checks written from Binance's rules, independently of the SDK's signer.

`totalParams` is the query string exactly as received followed by the body exactly as
received. `signature` must be its last parameter; what precedes `&signature=` is the signed
payload. HMAC signatures are hex (case-insensitive); RSA (PKCS#1 v1.5, SHA-256) and Ed25519
signatures are base64, percent-encoded on the wire.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from typing import Protocol
from urllib.parse import unquote_to_bytes

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

ApiKeyMaterial = str | bytes | RSAPublicKey | Ed25519PublicKey
"""An HMAC secret (str), a PEM public key (bytes), or a loaded RSA/Ed25519 public key."""

_SIGNATURE = b"signature="


class Verifier(Protocol):
    def verify(self, payload: bytes, signature: bytes) -> bool:
        """`signature` is the parameter's value as sent, still percent-encoded."""
        ...


def split_signed(total_params: bytes) -> tuple[bytes, bytes] | None:
    """(payload, signature value as sent), or None when signature is missing or not last."""
    payload, separator, last = total_params.rpartition(b"&")
    if not last.startswith(_SIGNATURE):
        return None
    if not separator:
        payload = b""
    return payload, last[len(_SIGNATURE) :]


def _form_decode(value: bytes) -> bytes:
    return unquote_to_bytes(value.replace(b"+", b" "))


class HmacVerifier:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def verify(self, payload: bytes, signature: bytes) -> bool:
        expected = hmac.new(self._secret, payload, hashlib.sha256).hexdigest().encode()
        return hmac.compare_digest(expected, _form_decode(signature).lower())


def _base64_signature(signature: bytes) -> bytes | None:
    try:
        return base64.b64decode(_form_decode(signature), validate=True)
    except (binascii.Error, ValueError):
        return None


class PublicKeyVerifier:
    """RSA (PKCS#1 v1.5, SHA-256) or Ed25519: a base64 signature checked with the public key."""

    def __init__(self, check: Callable[[bytes, bytes], None]) -> None:
        self._check = check  # raises InvalidSignature; arguments: (signature, payload)

    def verify(self, payload: bytes, signature: bytes) -> bool:
        raw = _base64_signature(signature)
        if raw is None:
            return False
        try:
            self._check(raw, payload)
        except InvalidSignature:
            return False
        return True


def verifier_for(material: ApiKeyMaterial) -> Verifier:
    """The verifier for one API key; the key type is detected from the material."""
    if isinstance(material, str):
        return HmacVerifier(material)
    key = serialization.load_pem_public_key(material) if isinstance(material, bytes) else material
    if isinstance(key, RSAPublicKey):
        rsa_key = key
        return PublicKeyVerifier(
            lambda raw, payload: rsa_key.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
        )
    if isinstance(key, Ed25519PublicKey):
        return PublicKeyVerifier(key.verify)
    raise ValueError(f"unsupported API key type {type(key).__name__}: use HMAC, RSA or Ed25519")

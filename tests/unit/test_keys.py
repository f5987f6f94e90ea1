"""RSA and Ed25519 signing with a frozen clock.

The fixture keys are test-only keys made with `openssl genpkey`; the expected signatures were
computed with openssl (`openssl dgst -sha256 -sign` for RSA PKCS#1 v1.5, `openssl pkeyutl
-sign -rawin` for Ed25519) over the payload below — both schemes are deterministic.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from binance_coinm_futures import (
    BinanceAuth,
    Ed25519Signer,
    RsaSigner,
    ServerClock,
    connect,
    signer_from_private_key,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAYLOAD = b"symbol=BTCUSD_PERP&orderId=4612097861&timestamp=1645606370874"
RSA_SIGNATURE = (
    "kIUOGz0KfBd9w0bgJIoKYqxTMKPdFv40+/h4fpM2kcuOJVxF3H6RZY/1MaT5AohKHyT0GxFbNU4QzppKXE1+3tp5"
    "wrli8EXF0y0NhswZ3raaSbHSlTypF836SI8JFZNXHCIdtO7I2HXahzlZVuGzS+GFGtYCbRqSHx5s5B4hyHFvATQw"
    "3RIs85N5XAO0X89Q9cjetlJvSIDo0Fw3opELG1OLx9kryyl1VxiyfN97wgMoGmmLTDLSj7QfVVoN9ULATeyiYy+V"
    "cn3+eYCvMCuNotl4YvPARST+UUIE2Z8O8OQ9iUFYKHn6RvDg9a8V/6C1Haef6Am284AM6XSf/pOcPw=="
)
ED25519_SIGNATURE = (
    "bdvVKa2Pox3ydotaS8U2pEzdv7GHIMo1Zeh0q7oIWRYcuGOZutSstQqpqPVmqzeKyRNZulZm0A703gtbKVUEDQ=="
)
PASSPHRASE = "correct-horse"


@pytest.mark.parametrize(
    ("filename", "signer_type", "expected"),
    [
        ("test-rsa-private.pem", RsaSigner, RSA_SIGNATURE),
        ("test-ed25519-private.pem", Ed25519Signer, ED25519_SIGNATURE),
    ],
)
def test_known_signatures_percent_encoded(filename: str, signer_type: type, expected: str) -> None:
    path = FIXTURES / filename
    for source in (path, str(path), path.read_bytes(), path.read_text()):
        signer = signer_from_private_key(source)
        assert isinstance(signer, signer_type)
        assert signer.sign(PAYLOAD) == quote(expected, safe="")


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("test-rsa-private-encrypted.pem", RSA_SIGNATURE),
        ("test-ed25519-private-encrypted.pem", ED25519_SIGNATURE),
    ],
)
def test_passphrase_protected_keys(filename: str, expected: str) -> None:
    path = FIXTURES / filename
    signer = signer_from_private_key(path, PASSPHRASE)
    assert signer.sign(PAYLOAD) == quote(expected, safe="")
    with pytest.raises(ValueError, match="cannot load the private key"):
        signer_from_private_key(path, "wrong")
    with pytest.raises(ValueError, match="cannot load the private key"):
        signer_from_private_key(path)


def test_flow_with_rsa_key_puts_encoded_base64_last() -> None:
    signer = signer_from_private_key(FIXTURES / "test-rsa-private.pem")
    auth = BinanceAuth("rsa-key", signer, clock=ServerClock(lambda: 1_645_606_370_874))
    request = httpx.Request(
        "DELETE",
        "https://dapi.binance.com/dapi/v1/order",
        params={"symbol": "BTCUSD_PERP", "orderId": 4612097861},
    )
    sent = next(auth.sync_auth_flow(request))
    assert sent.url.raw_path.endswith(b"&signature=" + quote(RSA_SIGNATURE, safe="").encode())


def test_not_a_key() -> None:
    with pytest.raises(ValueError, match="cannot load the private key"):
        signer_from_private_key(
            b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"
        )


def test_connect_needs_exactly_one_kind_of_key() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        connect(api_key="k")
    with pytest.raises(ValueError, match="exactly one"):
        connect(api_key="k", secret="s", private_key=FIXTURES / "test-rsa-private.pem")
    # A passphrase protects a private key; beside an HMAC secret it would be ignored silently.
    with pytest.raises(ValueError, match="private_key_passphrase goes with private_key="):
        connect(api_key="k", secret="s", private_key_passphrase=PASSPHRASE)


def test_reprs_hide_private_keys() -> None:
    for name in ("test-rsa-private.pem", "test-ed25519-private.pem"):
        text = (FIXTURES / name).read_text()
        body = text.splitlines()[1]
        assert body not in repr(signer_from_private_key(text))


def test_hmac_needs_no_cryptography_package() -> None:
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['cryptography'] = None\n"
        "import binance_coinm_futures\n"
        "binance_coinm_futures.connect(api_key='k', secret='s')\n"
        "print(binance_coinm_futures.HmacSigner('s').sign(b'x'))\n"
        "try:\n"
        "    binance_coinm_futures.connect(\n"
        "        api_key='k', private_key=b'-----BEGIN PRIVATE KEY-----'\n"
        "    )\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    lines = result.stdout.splitlines()
    assert len(lines[0]) == 64
    assert "binance-coinm-futures[keys]" in lines[1]
    assert "cryptography" not in result.stderr


@pytest.mark.parametrize("as_path", [False, True], ids=["text", "path"])
def test_a_secret_passed_as_private_key_is_not_kept_in_the_exception_chain(
    as_path: bool,
) -> None:
    # `raise ... from None` hides the open() error in a traceback, but keeps it as
    # __context__, whose str and filename quote the whole secret: error reporters and any
    # code that walks the chain would still see it.
    secret = "q8Zr1XbUy0pW2vKd7TnE4sLc9HgAf3MjQo6RiYtP5wVxNz0BeCu"
    with pytest.raises(ValueError, match="neither PEM text") as caught:
        connect(api_key="k" * 64, private_key=Path(secret) if as_path else secret)
    chain: list[BaseException] = []
    error: BaseException | None = caught.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    for link in chain:
        assert secret not in f"{link} {link!r} {link.args} {getattr(link, 'filename', '')}"

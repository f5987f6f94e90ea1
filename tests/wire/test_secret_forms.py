"""No secret in any exception, repr or log record, for every way a key can be passed.

Each form is tried end to end: connect(), and where connect() accepts the key, a cancel the
local exchange refuses (the key does not match what it knows, so -1022 or -2015). Whatever is
raised, its str, repr and formatted traceback, the client's repr and every log record at DEBUG
are searched for the secret and for any 12-character piece of it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from binance_coinm_futures import BinanceError, connect
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.testing import LocalExchange
from tests.wire.conftest import FIXTURES, HMAC_KEY

HMAC_SECRET_TEXT = "q8Zr1XbUy0pW2vKd7TnE4sLc9HgAf3MjQo6RiYtP5wVxNz0BeCu"
PASSPHRASE = "correct-horse"
ED25519_PEM = (FIXTURES / "test-ed25519-private.pem").read_text()
RSA_ENCRYPTED_PEM = (FIXTURES / "test-rsa-private-encrypted.pem").read_text()


def pem_body(pem: str) -> str:
    """A PEM key without its header and footer lines: base64 only, as pasted from a vault."""
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


def pieces(secret: str) -> list[str]:
    """The secret and every 12-character run of it: a partial leak is a leak too."""
    return [secret] + [secret[i : i + 12] for i in range(0, max(1, len(secret) - 11), 4)]


def raised_text(error: BaseException) -> str:
    return "\n".join(
        [str(error), repr(error), "".join(traceback.format_exception(error)), *map(str, error.args)]
    )


# Each form: what to pass to connect() beside api_key, and the secret that must never show.
FORMS: dict[str, tuple[dict[str, Any], str]] = {
    "hmac-text": ({"secret": HMAC_SECRET_TEXT}, HMAC_SECRET_TEXT),
    "hmac-bytes": ({"secret": HMAC_SECRET_TEXT.encode()}, HMAC_SECRET_TEXT),
    "hmac-text-with-newline": ({"secret": HMAC_SECRET_TEXT + "\n"}, HMAC_SECRET_TEXT),
    "hmac-secret-as-private-key": ({"private_key": HMAC_SECRET_TEXT}, HMAC_SECRET_TEXT),
    "hmac-secret-bytes-as-private-key": (
        {"private_key": HMAC_SECRET_TEXT.encode()},
        HMAC_SECRET_TEXT,
    ),
    "pem-text": ({"private_key": ED25519_PEM}, pem_body(ED25519_PEM)),
    "pem-bytes": ({"private_key": ED25519_PEM.encode()}, pem_body(ED25519_PEM)),
    "pem-path": ({"private_key": FIXTURES / "test-ed25519-private.pem"}, pem_body(ED25519_PEM)),
    "pem-path-text": (
        {"private_key": str(FIXTURES / "test-ed25519-private.pem")},
        pem_body(ED25519_PEM),
    ),
    "pem-body-without-header-text": (
        {"private_key": pem_body(ED25519_PEM)},
        pem_body(ED25519_PEM),
    ),
    "pem-body-without-header-bytes": (
        {"private_key": pem_body(ED25519_PEM).encode()},
        pem_body(ED25519_PEM),
    ),
    "encrypted-pem-wrong-passphrase": (
        {"private_key": RSA_ENCRYPTED_PEM, "private_key_passphrase": "wrong-" + PASSPHRASE},
        PASSPHRASE,
    ),
    "encrypted-pem-no-passphrase": (
        {"private_key": RSA_ENCRYPTED_PEM},
        pem_body(RSA_ENCRYPTED_PEM),
    ),
    "encrypted-pem-right-passphrase": (
        {"private_key": RSA_ENCRYPTED_PEM, "private_key_passphrase": PASSPHRASE},
        PASSPHRASE,
    ),
    "secret-int": ({"secret": 1234567890123456789}, "1234567890123456789"),
    "secret-float": ({"secret": 12345.678901234}, "12345.678901234"),
    "private-key-int": ({"private_key": 1234567890123456789}, "1234567890123456789"),
    "passphrase-int": (
        {"private_key": RSA_ENCRYPTED_PEM, "private_key_passphrase": 9876543210987654},
        "9876543210987654",
    ),
}


def attempt(exchange: LocalExchange, arguments: dict[str, Any]) -> tuple[BaseException, str]:
    """Connect and cancel; the exception that ends it and the client's repr, if one was made."""
    shown = ""
    try:
        with connect(api_key=HMAC_KEY, base_url=exchange.url, **arguments) as client:
            shown = repr(client) + repr(client.get_httpx_client()._auth)
            cancel_order.sync(client=client, symbol="BTCUSD_PERP", order_id=4612097861)
    except (BinanceError, ValueError, TypeError) as error:
        return error, shown
    raise AssertionError("a key the exchange does not know was accepted")


@pytest.mark.parametrize("form", list(FORMS))
def test_no_form_of_a_key_reaches_an_error_a_repr_or_a_log(
    form: str, exchange: LocalExchange, caplog: pytest.LogCaptureFixture
) -> None:
    arguments, secret = FORMS[form]
    with caplog.at_level(logging.DEBUG):
        error, shown = attempt(exchange, arguments)
    text = "\n".join([raised_text(error), shown, caplog.text])
    for piece in pieces(secret):
        assert piece not in text, (form, piece)


REFUSALS: dict[str, tuple[dict[str, Any], type[Exception], str]] = {
    "secret-int": ({"secret": 12345}, TypeError, "secret must be str or bytes, got int"),
    "private-key-int": (
        {"private_key": 12345},
        TypeError,
        "private_key must be PEM bytes, PEM text or a path, got int",
    ),
    "passphrase-int": (
        {"private_key": RSA_ENCRYPTED_PEM, "private_key_passphrase": 12345},
        TypeError,
        "private_key_passphrase must be str or bytes, got int",
    ),
    "api-key-int": ({"api_key": 12345, "secret": "s"}, TypeError, "api_key must be str, got int"),
    "hmac-secret-as-private-key": (
        {"private_key": HMAC_SECRET_TEXT},
        ValueError,
        "an HMAC secret goes in secret=",
    ),
    "pem-body-without-header": (
        {"private_key": pem_body(ED25519_PEM)},
        ValueError,
        "a PEM key needs its header lines",
    ),
    "wrong-passphrase": (
        {"private_key": RSA_ENCRYPTED_PEM, "private_key_passphrase": "wrong"},
        ValueError,
        "cannot load the private key",
    ),
}


@pytest.mark.parametrize("form", list(REFUSALS))
def test_a_key_in_the_wrong_form_is_refused_naming_the_argument(form: str) -> None:
    arguments, error_type, message = REFUSALS[form]
    arguments = {"api_key": "k", **arguments}
    # Port 9 on loopback: nothing listens, so anything sent would fail differently.
    with pytest.raises(error_type, match=message) as raised:
        connect(base_url="http://127.0.0.1:9", **arguments)
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__ or raised.value.__context__ is None


def test_a_missing_key_file_is_refused_without_its_name(tmp_path: Path) -> None:
    # A path may be a secret passed in the wrong argument: it is never quoted.
    missing = tmp_path / "no-such-key.pem"
    with pytest.raises(ValueError, match="No such file or directory") as raised:
        connect(api_key="k", private_key=missing, base_url="http://127.0.0.1:9")
    assert "no-such-key" not in raised_text(raised.value)


def test_every_form_is_tried() -> None:
    kinds: list[Callable[[str], bool]] = [
        lambda name: name.startswith("hmac-text"),
        lambda name: "bytes" in name,
        lambda name: "path" in name,
        lambda name: "as-private-key" in name,
        lambda name: "without-header" in name,
        lambda name: "wrong-passphrase" in name,
        lambda name: name.endswith("-int"),
    ]
    for kind in kinds:
        assert any(kind(name) for name in FORMS)

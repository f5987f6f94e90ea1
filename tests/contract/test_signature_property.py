"""Property: whatever the parameters, the local exchange accepts every signature BinanceAuth makes.

Symbols and client order ids are drawn from all of Unicode plus every character URLs reserve,
up to and past the spec's maximum length; orderId from the whole int64 range; recvWindow from
its range in openapi.yaml. They go through `BinanceAuth` alone — no spec validation, invalid
ids are the point — over a real socket to the exchange, whose verifier was written from
Binance's rules and not from our signer. Any answer but -1022 means the signature held: the
exchange checks it before any parameter. The exchange must not answer 5xx either.

`SIGNATURE_FUZZ_PROFILE` picks the hypothesis profile: `quick` (the default, in `make test`)
or `fuzz` (`make fuzz`). The counts of accepted and rejected signatures per key kind are
printed at the end of the run.
"""

from __future__ import annotations

import asyncio
import collections
import os
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from binance_coinm_futures import (
    ApiKeyRejected,
    BinanceAuth,
    BinanceError,
    ExecutionStatusUnknown,
    HmacSigner,
    InvalidSignature,
    ServiceUnavailable,
    Signer,
    signer_from_private_key,
)
from binance_coinm_futures._runtime._backends import async_backend
from binance_coinm_futures._runtime._transport import BinanceTransport
from binance_coinm_futures.testing import LocalExchange
from tests.contract.conftest import SPEC, SignatureOutcomes
from tests.wire.conftest import KEY_KINDS, credentials

PROFILE_VARIABLE = "SIGNATURE_FUZZ_PROFILE"
_COMMON: Mapping[str, Any] = {
    "deadline": None,  # a request over a socket, and RSA signing, vary in time
    "suppress_health_check": [HealthCheck.too_slow],
}
settings.register_profile("signature-quick", max_examples=50, **_COMMON)
settings.register_profile("signature-fuzz", max_examples=5_000, **_COMMON)
PROFILE = settings.get_profile(f"signature-{os.environ.get(PROFILE_VARIABLE, 'quick')}")


def _parameter_schemas() -> dict[str, Mapping[str, Any]]:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    parameters = spec["paths"]["/dapi/v1/order"]["delete"]["parameters"]
    shared = spec["components"]["parameters"]
    resolved = [shared[p["$ref"].rpartition("/")[2]] if "$ref" in p else p for p in parameters]
    return {p["name"]: p["schema"] for p in resolved}


SCHEMAS = _parameter_schemas()
CLIENT_ID_MAX = int(SCHEMAS["origClientOrderId"]["maxLength"])
RECV_WINDOW = st.integers(SCHEMAS["recvWindow"]["minimum"], SCHEMAS["recvWindow"]["maximum"])
INT64 = st.integers(-(2**63), 2**63 - 1)

# RFC 3986's reserved characters, '%', what must always be escaped in a query, and the
# characters Binance allows in a client order id.
URL_SPECIAL = ":/?#[]@!$&'()*+,;=%" + ' "<>\\^`{|}~' + "\t\r\n\x00"
URL_TEXT_ALPHABET = URL_SPECIAL + "AZaz09._-"
UNICODE = st.characters(codec="utf-8")
SYMBOL_MAX = 64
"""No limit is documented for symbol; real ones are a dozen characters."""


def texts(limit: int, overshoot: int = 0) -> st.SearchStrategy[str]:
    """Unicode text, URL-special text and both mixed, up to `limit + overshoot` characters.

    Two draws in five are exactly `limit` characters long: the boundary is where limits and
    encodings go wrong. (The mix is made per string, not per character:
    a per-character one_of makes each example several times slower.)
    """
    longest = limit + overshoot
    half = longest // 2
    return st.one_of(
        st.text(UNICODE, max_size=longest),
        st.text(URL_TEXT_ALPHABET, max_size=longest),
        st.builds(
            str.__add__,
            st.text(UNICODE, max_size=half),
            st.text(URL_TEXT_ALPHABET, max_size=longest - half),
        ),
        st.text(UNICODE, min_size=limit, max_size=limit),
        st.text(URL_TEXT_ALPHABET, min_size=limit, max_size=limit),
    )


CANCEL_PARAMS = st.fixed_dictionaries(
    {"symbol": texts(SYMBOL_MAX)},
    optional={
        "orderId": INT64,
        "origClientOrderId": texts(CLIENT_ID_MAX, overshoot=4),
        "recvWindow": RECV_WINDOW,
    },
)


def signer_for(kind: str) -> tuple[str, Signer]:
    key = credentials(kind)
    if kind == "hmac":
        return key["api_key"], HmacSigner(key["secret"])
    return key["api_key"], signer_from_private_key(key["private_key"])


def send(delete: Callable[[dict[str, Any]], object], params: Mapping[str, Any]) -> tuple[str, str]:
    """('accepted' or 'rejected', the answer): what the exchange made of the signature."""
    try:
        delete(dict(params))
    except InvalidSignature:
        return "rejected", "-1022"
    except (ServiceUnavailable, ExecutionStatusUnknown) as error:
        pytest.fail(f"the exchange failed on fuzzed input {params!r}: {error!r}")
    except ApiKeyRejected as error:
        pytest.fail(f"the test's own key was refused: {error!r}")
    except BinanceError as error:
        # Any other refusal comes after the signature was verified.
        return "accepted", str(error.code)
    return "accepted", "200"


def check_every_signature(
    kind: str, signature_outcomes: SignatureOutcomes, delete: Callable[[dict[str, Any]], object]
) -> None:
    """Run the property through `delete`, one signed DELETE /dapi/v1/order per example."""
    counts = signature_outcomes.setdefault(kind, collections.Counter())
    sent_before = sum(counts.values())

    @PROFILE
    @given(params=CANCEL_PARAMS)
    @example(params={"symbol": URL_SPECIAL, "origClientOrderId": ":/" * (CLIENT_ID_MAX // 2)})
    @example(params={"symbol": "BTCUSD_PERP", "orderId": 2**63 - 1, "recvWindow": 60_000})
    @example(params={"symbol": "BTCUSD_PERP", "orderId": -(2**63), "recvWindow": 1})
    @example(params={"symbol": "BTCUSD_PERP", "origClientOrderId": "a:b/c.d_e-f"})
    def signature_holds(params: Mapping[str, Any]) -> None:
        outcome, answer = send(delete, params)
        counts[outcome] += 1
        counts[answer] += 1
        assert outcome == "accepted", f"-1022 for {params!r}"

    signature_holds()
    assert sum(counts.values()) - sent_before >= PROFILE.max_examples


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_every_signature_is_accepted(
    kind: str, exchange: LocalExchange, signature_outcomes: SignatureOutcomes
) -> None:
    api_key, signer = signer_for(kind)
    with httpx.Client(base_url=exchange.url, auth=BinanceAuth(api_key, signer)) as client:
        check_every_signature(
            kind, signature_outcomes, lambda params: client.delete("/dapi/v1/order", params=params)
        )


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_every_signature_is_accepted_async(
    kind: str,
    exchange: LocalExchange,
    signature_outcomes: SignatureOutcomes,
    backend_args: dict[str, Any],
) -> None:
    """The same property through the async client, on each backend connect() can select."""
    api_key, signer = signer_for(kind)
    client = httpx.AsyncClient(
        base_url=exchange.url,
        auth=BinanceAuth(api_key, signer),
        transport=BinanceTransport(async_backend=async_backend(backend_args["async_backend"])),
    )
    # One loop for every example: the backend's connections belong to the loop that made them.
    with asyncio.Runner() as loop:
        try:
            check_every_signature(
                kind,
                signature_outcomes,
                lambda params: loop.run(client.delete("/dapi/v1/order", params=params)),
            )
        finally:
            loop.run(client.aclose())

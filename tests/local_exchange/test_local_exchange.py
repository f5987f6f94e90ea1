"""The local exchange, driven over real sockets with httpx and this file's own signing.

Nothing here imports the SDK or its signer: the exchange and these tests are checked against
Binance's documented rules, so a bug shared with the SDK cannot cancel itself out.
"""

from __future__ import annotations

import base64
import concurrent.futures
import errno
import hashlib
import hmac
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
import trustme
import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

import binance_coinm_futures.testing as testing_kit
from binance_coinm_futures.testing import (
    CURRENT_SHAPE,
    PRE_2026_06_SHAPE,
    Fault,
    LocalExchange,
    Order,
    demo_orders,
)

SPEC_PATH = Path(__file__).parents[2] / "openapi.yaml"

# Binance's documented HMAC example: the secret and the payload as printed in its API docs.
# The signatures below were computed here with hashlib, not copied from any page.
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
DOC_TIMESTAMP = 1499827319559
DOC_QUERY = (
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
    f"&recvWindow=5000&timestamp={DOC_TIMESTAMP}"
)
DOC_QUERY_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
# The same order split between query string and body: totalParams joins them with no "&".
DOC_SPLIT_QUERY = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
DOC_SPLIT_BODY = f"quantity=1&price=0.1&recvWindow=5000&timestamp={DOC_TIMESTAMP}"
DOC_SPLIT_SIGNATURE = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"

HMAC_KEY, HMAC_SECRET = "hmac-key", "hmac-secret-for-tests"
RSA_KEY, ED_KEY = "rsa-key", "ed-key"
EXAMPLE_ORDER_ID = 4612097861
EXAMPLE_CLIENT_ID = "7BOSEMlb00bMIuOZzWKxn2"
ENCODED_CLIENT_ID = "desk:7/quote-01"
BOTH_IDS_EMPTY = "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


# -- this file's own signing, from Binance's rules ------------------------------------------------


def now_ms() -> int:
    return int(time.time() * 1000)


def hmac_hex(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def encode(params: dict[str, str | int]) -> str:
    """Form-encode as clients send it: every reserved character, ':' and '/' too, escaped."""
    return urlencode(params, quote_via=quote)


@dataclass(frozen=True)
class Signer:
    api_key: str
    sign: Callable[[str], str]
    """Signature over the payload, as it goes on the wire (already percent-encoded)."""

    def query(self, params: dict[str, str | int]) -> str:
        payload = encode(params)
        return f"{payload}&signature={self.sign(payload)}"


@dataclass(frozen=True)
class Keys:
    rsa_private: rsa.RSAPrivateKey
    ed_private: ed25519.Ed25519PrivateKey

    def api_keys(self) -> dict[str, str | bytes]:
        return {
            HMAC_KEY: HMAC_SECRET,
            RSA_KEY: _public_pem(self.rsa_private.public_key()),
            ED_KEY: _public_pem(self.ed_private.public_key()),
        }

    def rsa(self) -> Signer:
        def sign(payload: str) -> str:
            raw = self.rsa_private.sign(payload.encode(), padding.PKCS1v15(), hashes.SHA256())
            return quote(base64.b64encode(raw).decode(), safe="")

        return Signer(RSA_KEY, sign)

    def ed25519(self) -> Signer:
        def sign(payload: str) -> str:
            return quote(base64.b64encode(self.ed_private.sign(payload.encode())).decode(), safe="")

        return Signer(ED_KEY, sign)


def _public_pem(key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


HMAC = Signer(HMAC_KEY, lambda payload: hmac_hex(HMAC_SECRET, payload))


def cancel_params(**extra: str | int) -> dict[str, str | int]:
    params: dict[str, str | int] = {"symbol": "BTCUSD_PERP", "orderId": EXAMPLE_ORDER_ID}
    params.update(extra)
    params.setdefault("timestamp", now_ms())
    return params


def delete(
    client: httpx.Client,
    query: str,
    api_key: str | None = HMAC_KEY,
    body: str = "",
    timeout: float = 5,
) -> httpx.Response:
    headers = dict(FORM) if body else {}
    if api_key is not None:
        headers["X-MBX-APIKEY"] = api_key
    return client.request(
        "DELETE", f"/dapi/v1/order?{query}", headers=headers, content=body, timeout=timeout
    )


def assert_error(response: httpx.Response, status: int, code: int, msg: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    payload = response.json()
    assert payload["code"] == code
    if msg is not None:
        assert payload["msg"] == msg


def open_ids(exchange: LocalExchange) -> set[int]:
    return {order.order_id for order in exchange.open_orders}


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ed25519.Ed25519PrivateKey.generate(),
    )


@pytest.fixture
def exchange(keys: Keys) -> Iterator[LocalExchange]:
    with LocalExchange(api_keys=keys.api_keys()) as running:
        running.slow_seconds = 0.3
        yield running


@pytest.fixture
def client(exchange: LocalExchange) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=exchange.url, timeout=5) as http:
        yield http


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


# -- public surface ---------------------------------------------------------------------------


def test_exported_members() -> None:
    assert testing_kit.__all__ == [
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


@pytest.mark.parametrize("shape", [CURRENT_SHAPE, PRE_2026_06_SHAPE])
def test_demo_orders_include_the_spec_example_and_an_id_needing_encoding(
    spec: dict[str, Any], shape: str
) -> None:
    example = spec["paths"]["/dapi/v1/order"]["delete"]["responses"]["200"]["content"][
        "application/json"
    ]["examples"][shape]["value"]
    orders = {order.order_id: order for order in demo_orders()}
    first = orders[EXAMPLE_ORDER_ID]
    assert first.client_order_id == EXAMPLE_CLIENT_ID
    answer = first.cancel_response(
        status="CANCELED", update_time=example["updateTime"], shape=shape
    )
    assert answer == example
    assert list(answer) == list(example)
    assert {order.symbol for order in orders.values()} == {"BTCUSD_PERP", "ETHUSD_PERP"}
    assert ENCODED_CLIENT_ID in {order.client_order_id for order in orders.values()}
    assert quote(ENCODED_CLIENT_ID, safe="") != ENCODED_CLIENT_ID


def test_order_pair_is_derived_from_its_symbol() -> None:
    assert Order(1, "a", "ETHUSD_PERP").pair == "ETHUSD"
    assert Order(1, "a", "BTCUSD_240628", pair="BTCUSD").pair == "BTCUSD"


# -- signing ----------------------------------------------------------------------------------


@pytest.fixture
def doc_exchange() -> Iterator[httpx.Client]:
    """An exchange whose clock stands just after the documented example's timestamp."""
    offset = DOC_TIMESTAMP + 100 - now_ms()
    with (
        LocalExchange(api_keys={"doc-key": DOC_SECRET}, clock_offset_ms=offset) as running,
        httpx.Client(base_url=running.url, headers={"X-MBX-APIKEY": "doc-key"}) as http,
    ):
        yield http


def test_documented_hmac_vector_is_what_this_file_computes() -> None:
    assert hmac_hex(DOC_SECRET, DOC_QUERY) == DOC_QUERY_SIGNATURE
    assert hmac_hex(DOC_SECRET, DOC_SPLIT_QUERY + DOC_SPLIT_BODY) == DOC_SPLIT_SIGNATURE


@pytest.mark.parametrize("signature", [DOC_QUERY_SIGNATURE, DOC_QUERY_SIGNATURE.upper()])
def test_documented_hmac_vector_is_accepted(doc_exchange: httpx.Client, signature: str) -> None:
    # The signature and timing pass; the order itself lacks an order id.
    response = doc_exchange.delete(f"/dapi/v1/order?{DOC_QUERY}&signature={signature}")
    assert_error(response, 400, -1102, BOTH_IDS_EMPTY)


def test_documented_hmac_vector_split_between_query_and_body(doc_exchange: httpx.Client) -> None:
    body = f"{DOC_SPLIT_BODY}&signature={DOC_SPLIT_SIGNATURE}"
    response = doc_exchange.request(
        "DELETE", f"/dapi/v1/order?{DOC_SPLIT_QUERY}", content=body, headers=FORM
    )
    assert_error(response, 400, -1102, BOTH_IDS_EMPTY)


def test_split_request_signed_with_an_added_separator_is_refused(
    doc_exchange: httpx.Client,
) -> None:
    signature = hmac_hex(DOC_SECRET, f"{DOC_SPLIT_QUERY}&{DOC_SPLIT_BODY}")
    response = doc_exchange.request(
        "DELETE",
        f"/dapi/v1/order?{DOC_SPLIT_QUERY}",
        content=f"{DOC_SPLIT_BODY}&signature={signature}",
        headers=FORM,
    )
    assert_error(response, 400, -1022, "Signature for this request is not valid.")


def test_tampered_hmac_is_refused(doc_exchange: httpx.Client) -> None:
    flipped = ("0" if DOC_QUERY_SIGNATURE[0] != "0" else "1") + DOC_QUERY_SIGNATURE[1:]
    response = doc_exchange.delete(f"/dapi/v1/order?{DOC_QUERY}&signature={flipped}")
    assert_error(response, 400, -1022, "Signature for this request is not valid.")


@pytest.mark.parametrize("signer_name", ["hmac", "rsa", "ed25519"])
def test_each_key_type_cancels(
    exchange: LocalExchange, client: httpx.Client, keys: Keys, signer_name: str
) -> None:
    signer = {"hmac": HMAC, "rsa": keys.rsa(), "ed25519": keys.ed25519()}[signer_name]
    response = delete(client, signer.query(cancel_params()), api_key=signer.api_key)
    assert response.status_code == 200, response.text
    assert response.json()["orderId"] == EXAMPLE_ORDER_ID
    assert EXAMPLE_ORDER_ID not in open_ids(exchange)


def test_asymmetric_signature_from_another_key_is_refused(client: httpx.Client) -> None:
    stranger = Keys(
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ed25519.Ed25519PrivateKey.generate(),
    )
    for signer in (stranger.rsa(), stranger.ed25519()):
        response = delete(client, signer.query(cancel_params()), api_key=signer.api_key)
        assert_error(response, 400, -1022)


def test_asymmetric_signature_that_is_not_base64_is_refused(client: httpx.Client) -> None:
    payload = encode(cancel_params())
    response = delete(client, f"{payload}&signature=%%%not-base64", api_key=ED_KEY)
    assert_error(response, 400, -1022)


def test_client_order_id_needing_percent_encoding(
    exchange: LocalExchange, client: httpx.Client
) -> None:
    params = cancel_params(origClientOrderId=ENCODED_CLIENT_ID)
    del params["orderId"]
    query = HMAC.query(params)
    assert "desk%3A7%2Fquote-01" in query
    response = delete(client, query)
    assert response.status_code == 200, response.text
    assert response.json()["clientOrderId"] == ENCODED_CLIENT_ID
    assert exchange.requests[-1].query == query


def test_signing_unencoded_values_while_sending_encoded_is_refused(client: httpx.Client) -> None:
    params = cancel_params(origClientOrderId=ENCODED_CLIENT_ID)
    del params["orderId"]
    unencoded = "&".join(f"{name}={value}" for name, value in params.items())
    query = f"{encode(params)}&signature={hmac_hex(HMAC_SECRET, unencoded)}"
    assert_error(delete(client, query), 400, -1022)


def test_signature_not_last_is_refused(client: httpx.Client) -> None:
    payload = encode(cancel_params())
    query = f"{payload}&signature={hmac_hex(HMAC_SECRET, payload)}&recvWindow=5000"
    assert_error(delete(client, query), 400, -1022, "Signature for this request is not valid.")


def test_signature_in_query_while_body_carries_parameters_is_refused(
    client: httpx.Client,
) -> None:
    payload = encode(cancel_params())
    signature = hmac_hex(HMAC_SECRET, payload + "recvWindow=5000")
    response = delete(client, f"{payload}&signature={signature}", body="recvWindow=5000")
    assert_error(response, 400, -1022)


def test_missing_signature_is_refused(client: httpx.Client) -> None:
    assert_error(delete(client, encode(cancel_params())), 400, -1022)


def test_parameters_in_body_only(exchange: LocalExchange, client: httpx.Client) -> None:
    body = HMAC.query(cancel_params())
    response = client.request(
        "DELETE", "/dapi/v1/order", content=body, headers={**FORM, "X-MBX-APIKEY": HMAC_KEY}
    )
    assert response.status_code == 200, response.text
    assert exchange.requests[-1].body == body.encode()


def test_query_wins_over_body(exchange: LocalExchange, client: httpx.Client) -> None:
    query = encode(cancel_params())
    body_payload = "symbol=ETHUSD_PERP"
    signature = hmac_hex(HMAC_SECRET, query + body_payload)
    response = delete(client, query, body=f"{body_payload}&signature={signature}")
    assert response.status_code == 200, response.text
    assert response.json()["symbol"] == "BTCUSD_PERP"


# -- API keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_key", "code", "msg"),
    [
        (None, -2014, "API-key format invalid."),
        ("", -2014, "API-key format invalid."),
        ("nobody", -2015, "Invalid API-key, IP, or permissions for action."),
    ],
)
def test_api_key_is_checked_first(
    client: httpx.Client, api_key: str | None, code: int, msg: str
) -> None:
    assert_error(delete(client, HMAC.query(cancel_params()), api_key=api_key), 401, code, msg)


def test_key_of_another_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported API key type"):
        LocalExchange(api_keys={"k": _ec_public_pem()})


def _ec_public_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


# -- timing -----------------------------------------------------------------------------------


def test_server_time_follows_the_clock_offset(
    exchange: LocalExchange, client: httpx.Client
) -> None:
    exchange.clock_offset_ms = 3_600_000
    response = client.get("/dapi/v1/time")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "X-MBX-USED-WEIGHT-1M" in response.headers
    assert abs(response.json()["serverTime"] - (now_ms() + 3_600_000)) < 2_000


@pytest.mark.parametrize(
    ("offset_ms", "recv_window", "expected"),
    [
        (0, None, 200),
        (30_000, None, "Timestamp for this request is outside of the recvWindow."),
        (30_000, 60_000, 200),
        (-30_000, None, "Timestamp for this request was 1000ms ahead of the server's time."),
        (-30_000, 60_000, "Timestamp for this request was 1000ms ahead of the server's time."),
    ],
)
def test_timestamp_against_a_skewed_exchange_clock(
    exchange: LocalExchange,
    client: httpx.Client,
    offset_ms: int,
    recv_window: int | None,
    expected: int | str,
) -> None:
    exchange.clock_offset_ms = offset_ms
    params = cancel_params()
    if recv_window is not None:
        params["recvWindow"] = recv_window
    response = delete(client, HMAC.query(params))
    if expected == 200:
        assert response.status_code == 200, response.text
    else:
        assert_error(response, 400, -1021, str(expected))


def test_recv_window_above_the_maximum(client: httpx.Client) -> None:
    response = delete(client, HMAC.query(cancel_params(recvWindow=60_001)))
    assert_error(response, 400, -1131, "recvWindow must be less than 60000")


def test_recv_window_defaults_to_5000(exchange: LocalExchange, client: httpx.Client) -> None:
    exchange.clock_offset_ms = 4_000
    assert delete(client, HMAC.query(cancel_params())).status_code == 200
    exchange.clock_offset_ms = 6_000
    assert_error(delete(client, HMAC.query(cancel_params(orderId=4612097862))), 400, -1021)


# -- parameters -------------------------------------------------------------------------------

_MANDATORY = "Mandatory parameter '{}' was not sent, was empty/null, or malformed."
_PATTERN = r"^[.A-Z:/a-z0-9_-]{1,36}$"


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        (
            {"symbol": "BTCUSD_PERP", "orderId": 1, "timestamp": ""},
            -1102,
            _MANDATORY.format("timestamp"),
        ),
        ({"orderId": 1, "timestamp": "now"}, -1100, None),
        ({"orderId": EXAMPLE_ORDER_ID}, -1102, _MANDATORY.format("symbol")),
        ({"symbol": "", "orderId": EXAMPLE_ORDER_ID}, -1102, _MANDATORY.format("symbol")),
        ({"symbol": "BTCUSD_PERP"}, -1102, BOTH_IDS_EMPTY),
        ({"symbol": "BTCUSD_PERP", "orderId": "", "origClientOrderId": ""}, -1102, BOTH_IDS_EMPTY),
        (
            {"symbol": "BTCUSD_PERP", "origClientOrderId": "a" * 37},
            -4015,
            "Client order id length should not be more than 36 chars",
        ),
        (
            {"symbol": "BTCUSD_PERP", "origClientOrderId": "has space"},
            -1100,
            f"Illegal characters found in parameter 'origClientOrderId'; legal range is "
            f"'{_PATTERN}'.",
        ),
        ({"symbol": "BTCUSD_PERP", "origClientOrderId": "caf\u00e9"}, -1100, None),
        ({"symbol": "BTCUSD_PERP", "orderId": "12x"}, -1100, None),
        ({"symbol": "BTCUSD_PERP", "orderId": "-5"}, -1100, None),
        ({"symbol": "BTCUSD_PERP", "orderId": 1, "recvWindow": "1e3"}, -1100, None),
    ],
)
def test_parameter_rules(
    client: httpx.Client, params: dict[str, str | int], code: int, msg: str | None
) -> None:
    params = dict(params)
    params.setdefault("timestamp", now_ms())
    assert_error(delete(client, HMAC.query(params)), 400, code, msg)


def test_missing_timestamp(client: httpx.Client) -> None:
    payload = encode({"symbol": "BTCUSD_PERP", "orderId": EXAMPLE_ORDER_ID})
    query = f"{payload}&signature={hmac_hex(HMAC_SECRET, payload)}"
    assert_error(delete(client, query), 400, -1102, _MANDATORY.format("timestamp"))


def test_malformed_percent_encoding_is_a_400(client: httpx.Client) -> None:
    payload = f"symbol=BTCUSD_PERP&origClientOrderId=%ZZ%FF%&timestamp={now_ms()}"
    response = delete(client, f"{payload}&signature={hmac_hex(HMAC_SECRET, payload)}")
    assert_error(response, 400, -1100)


# -- the order book ---------------------------------------------------------------------------


def test_cancel_answers_the_full_order(
    exchange: LocalExchange, client: httpx.Client, spec: dict[str, Any]
) -> None:
    exchange.clock_offset_ms = 1_234
    before = exchange.server_time_ms()
    response = delete(client, HMAC.query(cancel_params()))
    after = exchange.server_time_ms()
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    examples = spec["paths"]["/dapi/v1/order"]["delete"]["responses"]["200"]["content"][
        "application/json"
    ]["examples"]
    assert list(body) == list(examples["current"]["value"])
    assert body["status"] == "CANCELED"
    assert before <= body["updateTime"] <= after
    assert int(response.headers["X-MBX-ORDER-COUNT-1M"]) >= 1


def test_default_answer_is_todays_shape(client: httpx.Client) -> None:
    # Binance's 2026-06 COIN-M / USDⓈ-M integration notice (published 2026-06-10, effective
    # 2026-06-30): avgPrice and cumBase are gone; priceMatch and selfTradePreventionMode are in.
    body = delete(client, HMAC.query(cancel_params())).json()
    assert not {"avgPrice", "cumBase", "time"} & body.keys()
    assert (body["priceMatch"], body["selfTradePreventionMode"]) == ("NONE", "NONE")


def test_pre_migration_shape_is_an_option(spec: dict[str, Any]) -> None:
    with LocalExchange(api_keys={HMAC_KEY: HMAC_SECRET}, answer_shape=PRE_2026_06_SHAPE) as ex:
        with httpx.Client(base_url=ex.url) as http:
            body = delete(http, HMAC.query(cancel_params())).json()
    assert len(body) == 23
    assert {"avgPrice": "0", "cumBase": "0"}.items() <= body.items()
    assert "priceMatch" not in body


def test_unknown_answer_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="answer_shape must be one of current, pre-2026-06"):
        LocalExchange(answer_shape="2019")


def test_trailing_stop_answers_carry_activate_price_and_price_rate(
    exchange: LocalExchange, client: httpx.Client
) -> None:
    exchange.add_order(
        Order(
            77,
            "trail-1",
            "BTCUSD_PERP",
            type="TRAILING_STOP_MARKET",
            activate_price="9020",
            price_rate="0.3",
        )
    )
    body = delete(client, HMAC.query(cancel_params(orderId="77"))).json()
    assert (body["activatePrice"], body["priceRate"]) == ("9020", "0.3")
    plain = delete(client, HMAC.query(cancel_params())).json()
    assert not {"activatePrice", "priceRate"} & plain.keys()


def test_unlisted_symbol_answers_invalid_symbol(client: httpx.Client) -> None:
    # Binance's live COIN-M API answers -1121 "Invalid symbol." for an unknown symbol.
    response = delete(client, HMAC.query(cancel_params(symbol="BTCUSD_PREP")))
    assert_error(response, 400, -1121, "Invalid symbol.")


def test_symbols_are_listed_by_default_by_constructor_and_by_orders() -> None:
    with LocalExchange(api_keys={HMAC_KEY: HMAC_SECRET}, symbols=["NEWUSD_PERP"]) as exchange:
        exchange.add_order(Order(5, "x", "OTHERUSD_PERP"))
        assert {"BTCUSD_PERP", "ETHUSD_261225", "NEWUSD_PERP", "OTHERUSD_PERP"} <= exchange.symbols
        with httpx.Client(base_url=exchange.url) as http:
            unknown_order = delete(http, HMAC.query(cancel_params(symbol="NEWUSD_PERP")))
    assert_error(unknown_order, 400, -2011, "Unknown order sent.")


def test_second_cancel_is_unknown(exchange: LocalExchange, client: httpx.Client) -> None:
    assert delete(client, HMAC.query(cancel_params())).status_code == 200
    response = delete(client, HMAC.query(cancel_params()))
    assert_error(response, 400, -2011, "Unknown order sent.")


def test_order_id_takes_precedence(exchange: LocalExchange, client: httpx.Client) -> None:
    params = cancel_params(
        symbol="ETHUSD_PERP", orderId=4612097864, origClientOrderId="ETH/hedge:2"
    )
    response = delete(client, HMAC.query(params))
    assert response.status_code == 200, response.text
    assert response.json()["orderId"] == 4612097864
    assert 4612097864 not in open_ids(exchange)
    assert 4612097865 in open_ids(exchange)


def test_unknown_order_id_wins_over_a_known_client_id(client: httpx.Client) -> None:
    params = cancel_params(orderId=999, origClientOrderId=EXAMPLE_CLIENT_ID)
    assert_error(delete(client, HMAC.query(params)), 400, -2011)


def test_order_matches_only_with_its_symbol(exchange: LocalExchange, client: httpx.Client) -> None:
    params = cancel_params(symbol="ETHUSD_PERP")
    assert_error(delete(client, HMAC.query(params)), 400, -2011)
    params = cancel_params(symbol="ETHUSD_PERP", origClientOrderId=EXAMPLE_CLIENT_ID)
    del params["orderId"]
    assert_error(delete(client, HMAC.query(params)), 400, -2011)
    assert EXAMPLE_ORDER_ID in open_ids(exchange)


def test_added_order_can_be_cancelled(exchange: LocalExchange, client: httpx.Client) -> None:
    exchange.add_order(Order(77, "mine-1", "ETHUSD_PERP", side="SELL", price="3100"))
    params = cancel_params(symbol="ETHUSD_PERP", origClientOrderId="mine-1")
    del params["orderId"]
    response = delete(client, HMAC.query(params))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["orderId"], body["pair"], body["side"], body["price"]) == (
        77,
        "ETHUSD",
        "SELL",
        "3100",
    )


def test_empty_book() -> None:
    with LocalExchange(api_keys={HMAC_KEY: HMAC_SECRET}, orders=[]) as running:
        assert running.open_orders == []
        with httpx.Client(base_url=running.url) as http:
            assert_error(delete(http, HMAC.query(cancel_params())), 400, -2011)


def test_any_order_mode_cancels_anything_and_keeps_the_book() -> None:
    with (
        LocalExchange(api_keys={HMAC_KEY: HMAC_SECRET}, any_order=True) as running,
        httpx.Client(base_url=running.url) as http,
    ):
        before = running.open_orders
        for _ in range(2):
            response = delete(http, HMAC.query(cancel_params(symbol="ETHUSD_PERP", orderId=5)))
            assert response.status_code == 200
            body = response.json()
            assert (body["orderId"], body["symbol"], body["pair"]) == (5, "ETHUSD_PERP", "ETHUSD")
            assert body["status"] == "CANCELED"
        params = cancel_params(origClientOrderId="any:client/1")
        del params["orderId"]
        body = delete(http, HMAC.query(params)).json()
        assert body["clientOrderId"] == "any:client/1"
        assert isinstance(body["orderId"], int)
        assert_error(delete(http, HMAC.query(cancel_params(timestamp=1))), 400, -1021)
        assert running.open_orders == before


# -- HTTP behaviour ---------------------------------------------------------------------------


def test_requests_are_recorded_as_sent(exchange: LocalExchange, client: httpx.Client) -> None:
    query = HMAC.query(cancel_params())
    delete(client, query)
    recorded = exchange.requests[-1]
    assert recorded.method == "DELETE"
    assert recorded.target == f"/dapi/v1/order?{query}"
    assert recorded.raw_target == f"/dapi/v1/order?{query}".encode()
    assert recorded.path == "/dapi/v1/order"
    assert recorded.headers["x-mbx-apikey"] == HMAC_KEY
    assert recorded.headers["X-MBX-APIKEY"] == HMAC_KEY
    assert recorded.body == b""


def test_weight_counts_every_request(client: httpx.Client) -> None:
    weights = [int(client.get("/dapi/v1/time").headers["X-MBX-USED-WEIGHT-1M"]) for _ in range(3)]
    assert weights[1:] == [weights[0] + 1, weights[0] + 2]
    response = delete(client, HMAC.query(cancel_params()), api_key=None)
    assert int(response.headers["X-MBX-USED-WEIGHT-1M"]) == weights[0] + 3


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("POST", "/dapi/v1/order", 405), ("POST", "/dapi/v1/time", 405)],
)
def test_other_paths_and_methods(client: httpx.Client, method: str, path: str, status: int) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert isinstance(response.json()["code"], int)


def test_keep_alive_reuses_one_connection(exchange: LocalExchange) -> None:
    host, port = exchange.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        request = b"GET /dapi/v1/time HTTP/1.1\r\nHost: x\r\n\r\n"
        sock.sendall(request * 3)  # pipelined
        received = b""
        while received.count(b"serverTime") < 3:
            chunk = sock.recv(65536)
            assert chunk
            received += chunk
        assert received.count(b"HTTP/1.1 200 OK") == 3


def _raw_exchange(exchange: LocalExchange, data: bytes) -> bytes:
    host, port = exchange.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


@pytest.mark.parametrize(
    "data",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET /dapi/v1/time HTTP/2.0\r\n\r\n",
        b"GET relative HTTP/1.1\r\n\r\n",
        b"DELETE /dapi/v1/order HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        b"DELETE /dapi/v1/order HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n",
        b"DELETE /dapi/v1/order HTTP/1.1\r\nBad Header\r\n\r\n",
        b"DELETE /dapi/v1/order HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /dapi/v1/time HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n",
    ],
)
def test_malformed_http_is_a_4xx_and_closes(exchange: LocalExchange, data: bytes) -> None:
    received = _raw_exchange(exchange, data)
    status = int(received.split(b" ", 2)[1])
    assert 400 <= status < 500


def test_chunked_body_and_expect_continue(exchange: LocalExchange) -> None:
    body = HMAC.query(cancel_params()).encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    received = _raw_exchange(
        exchange,
        b"DELETE /dapi/v1/order HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: hmac-key\r\n"
        b"Expect: 100-continue\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + chunked,
    )
    assert received.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    assert exchange.requests[-1].body == body


def test_http_1_0_closes_after_the_answer(exchange: LocalExchange) -> None:
    received = _raw_exchange(exchange, b"GET /dapi/v1/time HTTP/1.0\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Connection: close" in received


def test_32_concurrent_keep_alive_clients() -> None:
    connections = 32
    all_connected = threading.Barrier(connections, timeout=10)
    tls = ssl.create_default_context()  # shared: building one per client is slow

    def worker(url: str) -> list[int]:
        with httpx.Client(base_url=url, verify=tls) as http:
            statuses = [http.get("/dapi/v1/time").status_code]
            all_connected.wait()  # every connection is open at once from here on
            statuses += [
                delete(http, HMAC.query(cancel_params(orderId=n + 1))).status_code
                for n in range(10)
            ]
            return statuses

    with (
        LocalExchange(api_keys={HMAC_KEY: HMAC_SECRET}, any_order=True) as running,
        concurrent.futures.ThreadPoolExecutor(max_workers=connections) as pool,
    ):
        results = list(pool.map(worker, [running.url] * connections))
        assert [status for statuses in results for status in statuses] == [200] * 11 * connections
        assert len(running.requests) == 11 * connections


def test_requests_can_go_unrecorded() -> None:
    with (
        LocalExchange(api_keys={HMAC_KEY: HMAC_SECRET}, record_requests=False) as running,
        httpx.Client(base_url=running.url) as http,
    ):
        assert delete(http, HMAC.query(cancel_params())).status_code == 200
        assert running.requests == []


def test_a_taken_port_fails_at_start(exchange: LocalExchange) -> None:
    port = int(exchange.url.rsplit(":", 1)[1])
    with pytest.raises(OSError, match=r"(?i)address already in use") as raised:
        LocalExchange(port=port).start()
    assert raised.value.errno == errno.EADDRINUSE


def test_stop_closes_open_connections(keys: Keys) -> None:
    running = LocalExchange(api_keys=keys.api_keys()).start()
    with httpx.Client(base_url=running.url) as http:
        assert http.get("/dapi/v1/time").status_code == 200
        running.stop()
        with pytest.raises(httpx.TransportError):
            http.get("/dapi/v1/time")


def test_https_with_a_trusted_ca(keys: Keys) -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    with LocalExchange(api_keys=keys.api_keys(), ssl_context=server_context) as running:
        assert running.url.startswith("https://127.0.0.1:")
        with httpx.Client(base_url=running.url, verify=client_context) as http:
            response = delete(http, keys.ed25519().query(cancel_params()), api_key=ED_KEY)
            assert response.status_code == 200, response.text
            running.inject(Fault.CONNECTION_RESET)
            with pytest.raises(httpx.TransportError):
                delete(http, HMAC.query(cancel_params(orderId=4612097862)))
        with httpx.Client(base_url=running.url) as untrusting, pytest.raises(httpx.ConnectError):
            untrusting.get("/dapi/v1/time")


# -- faults -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    status: int
    code: int | None = None
    msg: str | None = None
    retry_after: str | None = None
    html: bool = False
    cancelled: bool = False


FAULTS: dict[Fault, Expected] = {
    Fault.RATE_LIMITED: Expected(
        429,
        -1003,
        "Too many requests; current limit is 2400 requests per minute. Please use the "
        "websocket for live updates to avoid polling the API.",
        retry_after="7",
    ),
    Fault.IP_BANNED: Expected(418, -1003, retry_after="120"),
    Fault.FIREWALL: Expected(403, html=True),
    Fault.SERVICE_UNAVAILABLE_503: Expected(503, -1000, "Service Unavailable."),
    Fault.BAD_GATEWAY_HTML: Expected(502, html=True),
    Fault.UNKNOWN_ERROR_503: Expected(
        503, -1000, "Unknown error, please check your request or try again later.", cancelled=True
    ),
    Fault.UNKNOWN_ERROR_503_NOT_EXECUTED: Expected(
        503, -1000, "Unknown error, please check your request or try again later."
    ),
    Fault.MESSAGE_BUS_1006: Expected(
        503,
        -1006,
        "An unexpected response was received from the message bus. Execution status unknown.",
        cancelled=True,
    ),
    Fault.TIMEOUT_1007: Expected(
        503,
        -1007,
        "Timeout waiting for response from backend server. "
        "Send status unknown; execution status unknown.",
        cancelled=True,
    ),
    Fault.INTERNAL_ERROR_500: Expected(
        500, -1001, "Internal error; unable to process your request. Please try again."
    ),
    Fault.REQUEST_UNKNOWN_500: Expected(500, -1000, "Request occur unknown error."),
    Fault.SERVICE_SHUT_DOWN_1016: Expected(503, -1016, "This service is no longer available."),
    Fault.MAINTENANCE_1016: Expected(503, -1016, "Service is under maintenance."),
    Fault.INVALID_ACCOUNT_1109: Expected(400, -1109, "Invalid account."),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_answers(exchange: LocalExchange, client: httpx.Client, fault: Fault) -> None:
    expected = FAULTS[fault]
    exchange.inject(fault)
    response = delete(client, HMAC.query(cancel_params()))
    assert response.status_code == expected.status
    assert response.headers.get("Retry-After") == expected.retry_after
    if expected.html:
        assert response.headers["content-type"].startswith("text/html")
        assert response.text.lstrip().startswith("<!DOCTYPE html>")
    else:
        assert response.headers["content-type"] == "application/json"
        assert response.json()["code"] == expected.code
        if expected.msg is not None:
            assert response.json()["msg"] == expected.msg
    assert (EXAMPLE_ORDER_ID not in open_ids(exchange)) is expected.cancelled
    assert fault.performs_cancel is expected.cancelled
    # the fault is used up: the next request is handled normally
    follow_up = delete(client, HMAC.query(cancel_params()))
    assert follow_up.status_code == (400 if expected.cancelled else 200)


def test_ip_ban_names_the_end_of_the_ban(exchange: LocalExchange, client: httpx.Client) -> None:
    exchange.inject(Fault.IP_BANNED)
    start = exchange.server_time_ms()
    msg = delete(client, HMAC.query(cancel_params())).json()["msg"]
    prefix, _, rest = msg.partition("IP banned until ")
    assert prefix == "Way too many requests; "
    until, _, suffix = rest.partition(". ")
    assert suffix == "Please use the websocket for live updates to avoid bans."
    assert start + 120_000 <= int(until) <= exchange.server_time_ms() + 120_000


def test_fault_times_and_order(exchange: LocalExchange, client: httpx.Client) -> None:
    exchange.inject(Fault.RATE_LIMITED, times=2)
    exchange.inject(Fault.FIREWALL)
    assert client.get("/dapi/v1/time").status_code == 200  # faults only meet cancels
    statuses = [delete(client, HMAC.query(cancel_params())).status_code for _ in range(4)]
    assert statuses == [429, 429, 403, 200]


def test_connection_reset(exchange: LocalExchange, client: httpx.Client) -> None:
    exchange.inject(Fault.CONNECTION_RESET)
    with pytest.raises(httpx.ReadError):
        delete(client, HMAC.query(cancel_params()))
    assert EXAMPLE_ORDER_ID in open_ids(exchange)
    assert exchange.requests[-1].method == "DELETE"
    assert delete(client, HMAC.query(cancel_params())).status_code == 200


def test_slow_answer_times_the_client_out(exchange: LocalExchange, client: httpx.Client) -> None:
    exchange.inject(Fault.SLOW)
    with pytest.raises(httpx.ReadTimeout):
        delete(client, HMAC.query(cancel_params()), timeout=0.1)
    assert EXAMPLE_ORDER_ID not in open_ids(exchange)


def test_slow_answer_arrives_late(exchange: LocalExchange, client: httpx.Client) -> None:
    exchange.inject(Fault.SLOW)
    started = time.monotonic()
    response = delete(client, HMAC.query(cancel_params()))
    assert time.monotonic() - started >= exchange.slow_seconds
    assert response.status_code == 200


def test_stop_does_not_wait_for_a_slow_answer(
    exchange: LocalExchange, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    exchange.slow_seconds = 30
    exchange.inject(Fault.SLOW)
    with pytest.raises(httpx.ReadTimeout):
        delete(client, HMAC.query(cancel_params()), timeout=0.1)
    started = time.monotonic()
    exchange.stop()
    assert time.monotonic() - started < 2
    assert [record for record in caplog.records if record.name == "asyncio"] == []


def test_malformed_json(exchange: LocalExchange, client: httpx.Client) -> None:
    exchange.inject(Fault.MALFORMED_JSON)
    response = delete(client, HMAC.query(cancel_params()))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert EXAMPLE_ORDER_ID not in open_ids(exchange)


def test_unknown_enum_values(exchange: LocalExchange, client: httpx.Client) -> None:
    exchange.inject(Fault.UNKNOWN_ENUM)
    response = delete(client, HMAC.query(cancel_params()))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["type"]) == ("EXPIRED_IN_MATCH_2027", "NEW_ORDER_TYPE")
    assert body["orderId"] == EXAMPLE_ORDER_ID
    assert EXAMPLE_ORDER_ID not in open_ids(exchange)


def test_maintenance_answer_without_code(exchange: LocalExchange, client: httpx.Client) -> None:
    exchange.inject(Fault.MAINTENANCE_NO_CODE)
    response = delete(client, HMAC.query(cancel_params()))
    assert response.status_code == 503
    assert response.json() == {"239999": "The system is under maintenance, please try again later."}
    assert EXAMPLE_ORDER_ID in open_ids(exchange)


def test_every_fault_is_tested() -> None:
    named_tests = {
        Fault.MAINTENANCE_NO_CODE,
        Fault.CONNECTION_RESET,
        Fault.SLOW,
        Fault.MALFORMED_JSON,
        Fault.UNKNOWN_ENUM,
    }
    assert set(FAULTS) | named_tests == set(Fault)


@pytest.mark.parametrize(("order_id", "code"), [("0", -2011), (str(2**63), -1100)])
def test_order_ids_outside_long_range_are_refused_even_in_any_order_mode(
    order_id: str, code: int
) -> None:
    with LocalExchange(api_keys={HMAC_KEY: HMAC_SECRET}, any_order=True) as exchange:
        with httpx.Client(base_url=exchange.url) as client:
            response = delete(client, HMAC.query(cancel_params(orderId=order_id)))
    assert response.status_code == 400
    assert response.json()["code"] == code


# -- Cancel Multiple Orders: how the list parameter is read -------------------------------------


def batch_delete(client: httpx.Client, query: str) -> httpx.Response:
    return client.request(
        "DELETE", f"/dapi/v1/batchOrders?{query}", headers={"X-MBX-APIKEY": HMAC_KEY}
    )


def signed_raw(payload: str) -> str:
    """``payload`` exactly as given (already encoded), then its HMAC signature."""
    return f"{payload}&signature={hmac_hex(HMAC_SECRET, payload)}"


def test_a_batch_list_named_in_lower_case_is_read(
    exchange: LocalExchange, client: httpx.Client
) -> None:
    """ccxt sends `orderidlist`; Binance answers it (ccxt PR 22890)."""
    exchange.add_order(Order(8101, "q-8101", "BTCUSD_PERP"))
    payload = f"symbol=BTCUSD_PERP&orderidlist=%5B8101%5D&timestamp={now_ms()}"
    answer = batch_delete(client, signed_raw(payload))
    assert answer.status_code == 200, answer.text
    assert [item["orderId"] for item in answer.json()] == [8101]
    assert 8101 not in open_ids(exchange)


@pytest.mark.parametrize(
    "list_text",
    ["orderIdList=8102&orderIdList=8103", "orderIdList=8102", "orderIdList=%5B8102%2C"],
)
def test_a_batch_list_that_is_not_a_json_list_is_minus_1130(
    exchange: LocalExchange, client: httpx.Client, list_text: str
) -> None:
    """A key repeated per id, as binance-futures-connector 4.2 sends it (PR 255), is -1130."""
    exchange.add_order(Order(8102, "q-8102", "BTCUSD_PERP"))
    payload = f"symbol=BTCUSD_PERP&{list_text}&timestamp={now_ms()}"
    answer = batch_delete(client, signed_raw(payload))
    assert_error(answer, 400, -1130, "Data sent for parameter 'orderidlist' is not valid.")
    assert 8102 in open_ids(exchange)

"""The auth flow driven directly, with a frozen clock: what it puts on the wire.

Expected signatures are computed here with the standard library from Binance's rules (or were
computed with `openssl dgst -sha256 -hmac`), never with signing_hook's own signer.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl, unquote_to_bytes

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from binance_coinm_futures import BinanceAuth, HmacSigner, InvalidRequest, ServerClock
from binance_coinm_futures._runtime._spec import operation_rules

# Binance's documented HMAC example key and payloads; the signatures were computed with
# `printf '%s' PAYLOAD | openssl dgst -sha256 -hmac SECRET` (one Binance page prints a
# different value for the first payload, which is not its HMAC).
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
DOC_QUERY = (
    b"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
    b"&recvWindow=5000&timestamp=1499827319559"
)
DOC_QUERY_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
DOC_MIXED_QUERY = b"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
DOC_MIXED_BODY = b"quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
DOC_MIXED_SIGNATURE = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"

FROZEN_MS = 1_645_606_370_874
API_KEY = "test-api-key-0123456789"
SECRET = "test-secret"
ORDER_URL = "https://dapi.binance.com/dapi/v1/order"


def reference_hmac(secret: str, total_params: bytes) -> str:
    return hmac.new(secret.encode(), total_params, hashlib.sha256).hexdigest()


def make_auth(*, recv_window: int | None = None, offset_ms: int = 0) -> BinanceAuth:
    clock = ServerClock(lambda: FROZEN_MS)
    if offset_ms:
        clock.observe(FROZEN_MS + offset_ms, FROZEN_MS, FROZEN_MS)
    return BinanceAuth(
        API_KEY,
        HmacSigner(SECRET),
        clock=clock,
        recv_window=recv_window,
        rules=operation_rules(),
    )


def first_request(auth: BinanceAuth, request: httpx.Request) -> httpx.Request:
    return next(auth.sync_auth_flow(request))


def split_signature(request: httpx.Request) -> tuple[bytes, str]:
    """(totalParams as sent before the signature, the signature value) from the raw wire path."""
    query = request.url.raw_path.partition(b"?")[2]
    signed, marker, signature = query.rpartition(b"&signature=")
    assert marker, "signature must be present"
    assert b"&" not in signature, "signature must be the last parameter"
    return signed, signature.decode()


def test_documented_hmac_vectors() -> None:
    assert HmacSigner(DOC_SECRET).sign(DOC_QUERY) == DOC_QUERY_SIGNATURE
    assert HmacSigner(DOC_SECRET).sign(DOC_MIXED_QUERY + DOC_MIXED_BODY) == DOC_MIXED_SIGNATURE


def test_flow_sets_key_timestamp_and_signature_last() -> None:
    request = httpx.Request(
        "DELETE", ORDER_URL, params={"symbol": "BTCUSD_PERP", "orderId": 4612097861}
    )
    sent = first_request(make_auth(), request)
    assert sent.headers["X-MBX-APIKEY"] == API_KEY
    signed, signature = split_signature(sent)
    assert signed == b"symbol=BTCUSD_PERP&orderId=4612097861&timestamp=%d" % FROZEN_MS
    assert signature == reference_hmac(SECRET, signed)


@pytest.mark.parametrize(
    ("client_order_id", "encoded"),
    [
        ("desk:7/quote-01", b"desk%3A7%2Fquote-01"),
        ("a.b_c-D:E/F", b"a.b_c-D%3AE%2FF"),
    ],
)
def test_percent_encoded_values_are_signed_as_sent(client_order_id: str, encoded: bytes) -> None:
    request = httpx.Request(
        "DELETE",
        ORDER_URL,
        params={"symbol": "BTCUSD_PERP", "origClientOrderId": client_order_id},
    )
    sent = first_request(make_auth(), request)
    signed, signature = split_signature(sent)
    assert b"origClientOrderId=" + encoded in signed
    assert signature == reference_hmac(SECRET, signed)


def test_unvalidated_flow_signs_every_reserved_character_as_sent() -> None:
    # Without spec rules the signer must still sign exactly what is sent, whatever it is.
    value = "a b+c/d:e=f&g?h#i%j@k é🙂"
    auth = BinanceAuth(API_KEY, HmacSigner(SECRET), clock=ServerClock(lambda: FROZEN_MS))
    request = httpx.Request("DELETE", ORDER_URL, params={"symbol": value, "orderId": 1})
    signed, signature = split_signature(first_request(auth, request))
    assert signature == reference_hmac(SECRET, signed)
    decoded = unquote_to_bytes(signed.split(b"&")[0].partition(b"=")[2].replace(b"+", b" "))
    assert decoded == value.encode()


def test_body_is_part_of_total_params() -> None:
    auth = BinanceAuth(API_KEY, HmacSigner(SECRET), clock=ServerClock(lambda: FROZEN_MS))
    request = httpx.Request("POST", ORDER_URL + "?symbol=X", content=b"quantity=1")
    sent = first_request(auth, request)
    signed, signature = split_signature(sent)
    assert signature == reference_hmac(SECRET, signed + b"quantity=1")


def test_clock_offset_moves_the_timestamp() -> None:
    request = httpx.Request("DELETE", ORDER_URL, params={"symbol": "X", "orderId": 1})
    signed, _ = split_signature(first_request(make_auth(offset_ms=-30_000), request))
    assert signed.endswith(b"&timestamp=%d" % (FROZEN_MS - 30_000))


def test_client_recv_window_is_a_default_not_an_override() -> None:
    auth = make_auth(recv_window=2500)
    plain = httpx.Request("DELETE", ORDER_URL, params={"symbol": "X", "orderId": 1})
    assert b"&recvWindow=2500&timestamp=" in split_signature(first_request(auth, plain))[0]
    own = httpx.Request(
        "DELETE", ORDER_URL, params={"symbol": "X", "orderId": 1, "recvWindow": 7000}
    )
    signed = split_signature(first_request(auth, own))[0]
    assert b"recvWindow=7000" in signed
    assert b"recvWindow=2500" not in signed


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"symbol": "BTCUSD_PERP"}, "order_id"),
        ({"symbol": "", "orderId": 1}, "symbol"),
        ({"orderId": 1}, "symbol"),
        ({"symbol": "X", "orderId": 1, "origClientOrderId": "a"}, "order_id"),
        ({"symbol": "X", "orderId": 1, "recvWindow": 0}, "recv_window"),
        ({"symbol": "X", "orderId": 1, "recvWindow": 60001}, "recv_window"),
        ({"symbol": "X", "origClientOrderId": "x" * 37}, "orig_client_order_id"),
        ({"symbol": "X", "origClientOrderId": "has space"}, "orig_client_order_id"),
        ({"symbol": "X", "origClientOrderId": ""}, "orig_client_order_id"),
        ({"symbol": "X", "orderId": "12a"}, "order_id"),
        ({"symbol": "X", "orderId": 2**63}, "order_id"),
    ],
)
def test_bad_input_is_refused_before_anything_is_yielded(
    params: dict[str, object], parameter: str
) -> None:
    request = httpx.Request("DELETE", ORDER_URL, params=params)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest) as raised:
        first_request(make_auth(), request)
    assert raised.value.parameter == parameter
    assert parameter in str(raised.value)
    assert "signature" not in request.url.query.decode()


def test_limits_in_errors_come_from_the_spec() -> None:
    rule = operation_rules()["DELETE", "/dapi/v1/order"].parameters["recvWindow"]
    request = httpx.Request(
        "DELETE", ORDER_URL, params={"symbol": "X", "orderId": 1, "recvWindow": 10**6}
    )
    with pytest.raises(InvalidRequest, match=f"between {rule.minimum} and {rule.maximum}"):
        first_request(make_auth(), request)


def test_reprs_hide_secrets() -> None:
    auth = make_auth()
    assert SECRET not in repr(auth)
    assert API_KEY not in repr(auth)
    assert SECRET not in repr(HmacSigner(SECRET))


@pytest.mark.parametrize(
    "url",
    [
        "https://dapi.binance.com/dapi/v1/order?symbol=BTCUSD_PERP&orderId=1",
        "http://127.0.0.1:8080/prefix/dapi/v1/order?origClientOrderId=desk%3A7%2Fq+x",
        "https://[::1]:4010/dapi/v1/order",
    ],
)
def test_fast_query_replacement_equals_httpx_copy_with(url: str) -> None:
    from binance_coinm_futures._runtime._auth import _PARSE_RESULT, replace_query, replace_target

    # The fast path is taken: if httpx's parsed form ever changes, this fails loudly before
    # the slower copy_with path is taken unknowingly.
    assert _PARSE_RESULT is type(httpx.URL(url)._uri_reference)
    query = b"symbol=X&timestamp=1645606370874&signature=abc%2B%2F%3D"
    cases = [
        (replace_query(httpx.URL(url), query), httpx.URL(url).copy_with(query=query)),
        (
            replace_target(httpx.URL(url), "/dapi/v1/allOpenOrders", None),
            httpx.URL(url).copy_with(path="/dapi/v1/allOpenOrders", query=None),
        ),
    ]
    for fast, slow in cases:
        assert fast == slow
        assert (fast.raw_path, fast.host, fast.port, str(fast), fast.query) == (
            slow.raw_path,
            slow.host,
            slow.port,
            str(slow),
            slow.query,
        )


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"symbol": "X", "origClientOrderId": "abc\n"}, "orig_client_order_id"),
        ({"symbol": "X", "orderId": "1_000"}, "order_id"),
        ({"symbol": "X", "orderId": " 12"}, "order_id"),
        ({"symbol": "X", "orderId": "١٢"}, "order_id"),
    ],
)
def test_forms_python_accepts_but_the_exchange_does_not(
    params: dict[str, str], parameter: str
) -> None:
    request = httpx.Request("DELETE", ORDER_URL, params=params)
    with pytest.raises(InvalidRequest) as raised:
        first_request(make_auth(), request)
    assert raised.value.parameter == parameter


@pytest.mark.parametrize(
    "api_key", ["", "key with space", "trailing-space ", "tab\tkey", "nul\x00"]
)
def test_malformed_api_key_is_refused_without_quoting_it(api_key: str) -> None:
    with pytest.raises(ValueError, match="api_key") as raised:
        BinanceAuth(api_key, HmacSigner(SECRET))
    assert api_key.strip() == "" or api_key not in str(raised.value)


@given(
    query=st.lists(
        st.sampled_from(
            ["symbol", "orderId", "x", "", "=", "&", "%3A", "%zz", "+", "a b", "é", "1"]
        ),
        max_size=12,
    ).map("".join)
)
def test_query_pairs_are_parse_qsls(query: str) -> None:
    from binance_coinm_futures._runtime._auth import query_pairs

    assert query_pairs(query) == parse_qsl(query, keep_blank_values=True)

"""The lean path builds a request's URL from the base URL's parsed form instead of parsing the
text again: it must give exactly the URL httpx's own parse gives, or leave the text to httpx.
It keeps the headers httpx would give a request, built once per set of client headers: they
must be exactly httpx's own."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from binance_coinm_futures import connect

BASES = ("https://dapi.binance.com", "http://127.0.0.1:8080", "https://[::1]:4010")
# Characters a generated function's URL may hold, and some it never holds.
TARGET_CHARS = st.sampled_from([*"abzAZ09_.~-+=&*%/?#:@!$'(),;[] \"\\é", "%2F", "%7e", "%zz"])


def lean_clients(base: str) -> list[httpx.Client | httpx.AsyncClient]:
    client = connect(api_key="k" * 16, secret="s" * 16, base_url=base)
    return [client.get_httpx_client(), client.get_async_httpx_client()]


def same_url(lean: httpx.URL | str, text: str) -> None:
    parsed = httpx.URL(text)
    built = httpx.URL(lean)
    assert built == parsed
    assert (built.raw_path, built.path, built.query, built.host, built.port, str(built)) == (
        parsed.raw_path,
        parsed.path,
        parsed.query,
        parsed.host,
        parsed.port,
        str(parsed),
    )


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize(
    "target",
    [
        "dapi/v1/order?symbol=BTCUSD_PERP&orderId=1",
        "dapi/v1/order?symbol=BTCUSD_PERP&origClientOrderId=desk%3A7%2Fquote-01",
        "dapi/v1/batchOrders?symbol=X&orderIdList=%5B1%2C2%5D",
        "dapi/v1/order",
        "dapi/v1/order?",
        "dapi/v1/time",
    ],
)
def test_generated_urls_skip_the_parse_and_equal_it(base: str, target: str) -> None:
    for http in lean_clients(base):
        text = str(http.base_url).rstrip("/") + "/" + target
        lean = http._lean_url(text)  # type: ignore[union-attr]
        assert isinstance(lean, httpx.URL), "a generated function's URL takes the lean form"
        same_url(lean, text)


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize(
    "target",
    [
        "dapi/../v1/order?symbol=X",  # dot segments: httpx normalises them
        "dapi/./order",
        "dapi/v1/order?symbol=a b",  # a space: httpx encodes it
        "dapi/v1/order?x=%zz",  # not a percent-escape
        "dapi/v1/order?x=1#frag",
        "dapi/v1/order?symbol=é",
    ],
)
def test_other_urls_are_left_to_httpx(base: str, target: str) -> None:
    for http in lean_clients(base):
        text = str(http.base_url).rstrip("/") + "/" + target
        assert http._lean_url(text) == text  # type: ignore[union-attr]


@given(target=st.lists(TARGET_CHARS, max_size=40).map("".join))
def test_any_target_gives_httpx_s_own_url(target: str) -> None:
    for base in BASES:
        http = lean_clients(base)[0]
        text = str(http.base_url).rstrip("/") + "/dapi/" + target
        try:
            httpx.URL(text)
        except httpx.InvalidURL:
            continue
        same_url(http._lean_url(text), text)  # type: ignore[union-attr]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("method", ["DELETE", "GET", "POST", "PUT", "delete", "post"])
@pytest.mark.parametrize(
    "extra",
    [
        [],
        [(b"Host", b"proxy.example")],
        [(b"Content-Length", b"0")],
        [(b"X-Desk", "café".encode())],  # not ASCII: the encoding is httpx's guess too
        [(b"x-mbx-apikey", b"k" * 64), (b"Accept", b"application/json")],
    ],
)
def test_lean_headers_are_httpxs_own(
    base: str, method: str, extra: list[tuple[bytes, bytes]]
) -> None:
    for http in lean_clients(base):
        http.headers.update(extra)
        url = str(http.base_url).rstrip("/") + "/dapi/v1/order?symbol=X"
        own = httpx.Request(method, url, headers=http.headers)
        for _ in range(2):  # built, then taken from what was kept
            lean = http._lean_headers(method, http.headers)  # type: ignore[union-attr]
            assert lean.raw == own.headers.raw
            assert lean.multi_items() == own.headers.multi_items()


def test_lean_headers_follow_a_change_of_the_clients_headers() -> None:
    http = lean_clients(BASES[0])[0]
    before = http._lean_headers("DELETE", http.headers)  # type: ignore[union-attr]
    http.headers["X-Desk"] = "7"
    after = http._lean_headers("DELETE", http.headers)  # type: ignore[union-attr]
    assert "X-Desk" not in before
    assert after["X-Desk"] == "7"
    del http.headers["X-Desk"]
    assert "X-Desk" not in http._lean_headers("DELETE", http.headers)  # type: ignore[union-attr]

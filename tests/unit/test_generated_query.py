"""The endpoint template encodes the query itself; it must be byte for byte what httpx makes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from binance_coinm_futures.api.trade.cancel_order import _get_kwargs
from binance_coinm_futures.types import joined_url, query_string

BASE = "https://dapi.binance.com"


@pytest.mark.parametrize(
    "arguments",
    [
        {"symbol": "BTCUSD_PERP", "order_id": 4612097861},
        {"symbol": "BTCUSD_PERP", "orig_client_order_id": "desk:7/quote-01", "recv_window": 5000},
        {"symbol": "a b+c/d:e=f&g?h#i%j@k~*é🙂", "order_id": 2**63 - 1},
        {"symbol": "X", "order_id": 1, "orig_client_order_id": ".A-Z_z:9/"},
    ],
)
def test_template_query_equals_httpx_params_encoding(arguments: dict[str, Any]) -> None:
    kwargs = _get_kwargs(**arguments)
    ours = httpx.Client(base_url=BASE).build_request(kwargs["method"], kwargs["url"])
    names = {"order_id": "orderId", "orig_client_order_id": "origClientOrderId"}
    params = {
        names.get(k, "recvWindow" if k == "recv_window" else k): v for k, v in arguments.items()
    }
    theirs = httpx.Client(base_url=BASE).build_request("DELETE", "/dapi/v1/order", params=params)
    assert ours.url.raw_path == theirs.url.raw_path


@pytest.mark.parametrize(
    "base_url",
    [BASE, BASE + "/", "http://127.0.0.1:8080", "https://example.test/prefix", "http://h/p/q/"],
)
@pytest.mark.parametrize("client_class", [httpx.Client, httpx.AsyncClient])
def test_joined_url_is_the_one_httpx_would_merge(
    base_url: str, client_class: type[httpx.Client] | type[httpx.AsyncClient]
) -> None:
    """The endpoint joins the URL itself (one parse instead of two); the result is httpx's."""
    url = _get_kwargs(symbol="BTCUSD_PERP", orig_client_order_id="desk:7/quote-01")["url"]
    http = client_class(base_url=base_url)
    assert httpx.URL(joined_url(http.base_url, url)) == http.build_request("DELETE", url).url


def test_joined_url_follows_the_base_url_from_call_to_call() -> None:
    """The base URL's text is kept for the last base URL joined: two clients taking turns, and
    a client whose base URL is replaced, each get their own."""
    one, two = httpx.Client(base_url=BASE), httpx.Client(base_url="http://127.0.0.1:9/p")
    for _ in range(2):
        assert joined_url(one.base_url, "/x?a=1") == BASE + "/x?a=1"
        assert joined_url(two.base_url, "/x?a=1") == "http://127.0.0.1:9/p/x?a=1"
    one.base_url = "http://127.0.0.1:8/"
    assert joined_url(one.base_url, "/x") == "http://127.0.0.1:8/x"


@given(
    params=st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.one_of(st.text(max_size=40), st.integers(min_value=-(2**70), max_value=2**70)),
        max_size=6,
    )
)
def test_query_string_is_urlencode(params: dict[str, str | int]) -> None:
    assert query_string(params) == urlencode(params)

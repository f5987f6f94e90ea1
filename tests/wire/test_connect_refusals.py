"""connect() refuses what it cannot honour, before anything is sent, naming the problem."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from binance_coinm_futures import connect
from tests.wire.scripted import API_KEY, SECRET, scripted_server

LOCAL = "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"base_url": "http://dapi.binance.com"}, "API key in clear"),
        ({"base_url": "http://testnet.binancefuture.com"}, "API key in clear"),
        ({"base_url": "http://dapi.binance.com."}, "API key in clear"),
        ({"base_url": f"{LOCAL}/?x=1"}, "no query or fragment"),
        ({"base_url": f"{LOCAL}?x=1"}, "no query or fragment"),
        ({"base_url": f"{LOCAL}#top"}, "no query or fragment"),
        ({"base_url": "ftp://127.0.0.1"}, "http:// or https://"),
        ({"base_url": "ws://127.0.0.1"}, "http:// or https://"),
        ({"base_url": LOCAL, "testnet": True}, "testnet=True or base_url=, not both"),
        ({"timeout": 0}, "positive, finite"),
        ({"timeout": -1}, "positive, finite"),
        ({"timeout": math.inf}, "positive, finite"),
        ({"timeout": math.nan}, "positive, finite"),
        ({"timeout": None}, "timeout must be seconds"),
        ({"timeout": httpx.Timeout(5.0, connect=0)}, "positive, finite"),
        ({"httpx_args": {"proxy": LOCAL}}, "httpx_args may not set 'proxy'"),
        ({"httpx_args": {"mounts": {}}}, "httpx_args may not set 'mounts'"),
        ({"httpx_args": {"headers": {"A": "b"}}}, "httpx_args may not set 'headers'"),
        ({"httpx_args": {"timeout": 3}}, "httpx_args may not set 'timeout'"),
        ({"httpx_args": {"verify": False}}, "httpx_args may not set 'verify'"),
        ({"httpx_args": {"follow_redirects": True}}, "httpx_args may not set 'follow_redirects'"),
        ({"httpx_args": {"base_url": LOCAL}}, "httpx_args may not set 'base_url'"),
        ({"httpx_args": {"cookies": {}}}, "httpx_args may not set 'cookies'"),
        ({"httpx_args": {"limits": httpx.Limits()}}, "httpx_args may not set 'limits'"),
        ({"httpx_args": {"no_such_argument": 1}}, "httpx_args may not set 'no_such_argument'"),
        ({"secret": SECRET + "\n"}, "secret has leading or trailing whitespace"),
        ({"secret": " " + SECRET}, "secret has leading or trailing whitespace"),
        ({"secret": (SECRET + "\r\n").encode()}, "secret has leading or trailing whitespace"),
        ({"proxy": "ftp://127.0.0.1:3128"}, "proxy must be"),
        ({"proxy": "socks5://127.0.0.1:1080"}, "proxy must be"),
    ],
    ids=lambda value: str(value) if isinstance(value, str) else None,
)
def test_refused_before_sending(arguments: dict[str, Any], problem: str) -> None:
    with scripted_server([]) as server:
        args: dict[str, Any] = {
            "api_key": API_KEY,
            "secret": SECRET,
            "base_url": server.url,
            **arguments,
        }
        if arguments.get("testnet"):
            args["base_url"] = arguments["base_url"]
        with pytest.raises(ValueError, match=problem) as raised:
            connect(**args)
    assert server.requests == []
    assert SECRET not in str(raised.value)


def test_https_and_loopback_http_are_accepted() -> None:
    connect(api_key=API_KEY, secret=SECRET, base_url="https://dapi.binance.com/")
    connect(api_key=API_KEY, secret=SECRET, base_url=LOCAL)
    connect(api_key=API_KEY, secret=SECRET, httpx_args={"params": {}, "trust_env": False})

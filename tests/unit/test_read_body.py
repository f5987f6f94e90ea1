"""The boundary hands a body it has read to httpx's Response as read (``_as_read``), through
the one attribute where httpx 0.28 keeps it. These tests fail loudly if a release moves it:
the boundary would still work (it falls back to ``read()``), but slower, and nobody would know.
"""

from __future__ import annotations

import httpx
import pytest

from binance_coinm_futures._runtime import _transport

BODY = b'{"orderId":1,"status":"CANCELED"}'


def test_the_pinned_httpx_keeps_a_read_body_where_the_boundary_puts_it() -> None:
    assert _transport._TAKES_READ_BODY, (
        "httpx's Response no longer keeps its body in _content: the boundary reads every "
        "answer through httpx's slower read(); update _transport._as_read"
    )


@pytest.mark.parametrize("takes_read_body", [True, False])
def test_a_body_handed_over_reads_as_httpx_would_read_it(
    monkeypatch: pytest.MonkeyPatch, takes_read_body: bool
) -> None:
    monkeypatch.setattr(_transport, "_TAKES_READ_BODY", takes_read_body)
    # As a backend builds it: the body still to be streamed (here, bytes never to be read).
    handed = httpx.Response(
        200, headers={"Content-Type": "application/json"}, stream=httpx.ByteStream(b"unread")
    )
    _transport._as_read(handed, BODY)
    read = httpx.Response(200, headers={"Content-Type": "application/json"}, content=BODY)

    assert handed.content == read.content == BODY
    assert handed.read() == BODY
    assert handed.json() == read.json()
    assert handed.text == read.text
    assert (handed.is_stream_consumed, handed.is_closed) == (True, True)
    assert list(handed.iter_bytes()) == [BODY]
    # No header is made up for it (the answer's own headers are what the caller sees).
    assert "Content-Length" not in handed.headers

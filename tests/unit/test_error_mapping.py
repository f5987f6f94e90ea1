"""Status and code to exception: what each answer tells a desk about its order."""

from __future__ import annotations

import email.utils
import json
import time

import pytest

from binance_coinm_futures import (
    ExecutionStatusUnknown,
    InvalidParameter,
    IpBanned,
    RateLimited,
    RequestRejected,
    ServiceUnavailable,
    UnknownOrder,
)
from binance_coinm_futures._runtime._errors import error_for_response


def body(code: int, msg: str) -> bytes:
    return json.dumps({"code": code, "msg": msg}).encode()


@pytest.mark.parametrize(
    ("status", "payload", "expected"),
    [
        (503, body(-1000, "Service Unavailable."), ServiceUnavailable),
        (
            503,
            body(-1000, "Unknown error, please check your request or try again later."),
            ExecutionStatusUnknown,
        ),
        (
            500,
            body(-1000, "An unknown error occurred while processing the request."),
            ExecutionStatusUnknown,
        ),
        (504, b"<html><body>504 Gateway Time-out</body></html>", ExecutionStatusUnknown),
        (502, b"", ExecutionStatusUnknown),
        (408, b"", ExecutionStatusUnknown),
        (
            400,
            body(-1006, "An unexpected response was received from the message bus."),
            ExecutionStatusUnknown,
        ),
        (
            400,
            body(-1007, "Timeout waiting for response from backend server."),
            ExecutionStatusUnknown,
        ),
        (400, body(-2011, "Unknown order sent."), UnknownOrder),
        (400, body(-1131, "recvWindow must be less than 60000"), InvalidParameter),
        (400, body(-9999, "something new"), RequestRejected),
    ],
)
def test_mapping(status: int, payload: bytes, expected: type) -> None:
    error = error_for_response(status, {}, payload)
    assert type(error) is expected
    assert error.status == status


@pytest.mark.parametrize(
    ("status", "payload"),
    [
        # -1006 and -1007 mean "status unknown" whatever the status and message say.
        (503, body(-1006, "Service Unavailable.")),
        (503, body(-1007, "Service Unavailable.")),
        (429, body(-1006, "An unexpected response was received from the message bus.")),
        # Informational and redirect answers are never followed: nothing says what happened.
        (100, b""),
        (301, b"<html>Moved</html>"),
        (302, b""),
        (307, body(-1000, "redirect")),
        (308, b""),
        # A success status other than the documented 200.
        (202, b""),
        # Binance's failure words from a gateway or CDN, not in Binance's {code, msg}: the
        # request may have been passed on before the gateway gave up.
        (502, b'{"message":"Service Unavailable"}'),
        (503, b"Service Unavailable."),
        (500, b"<html><body>Internal error; unable to process your request. Please try again."),
        # Maintenance words in a body that is not Binance's code-less form.
        (504, b'{"message":"Gateway timeout during maintenance"}'),
    ],
)
def test_answers_that_leave_the_outcome_unknown(status: int, payload: bytes) -> None:
    assert type(error_for_response(status, {}, payload)) is ExecutionStatusUnknown


def test_deeply_nested_json_is_an_excerpt_not_a_recursion_error() -> None:
    error = error_for_response(400, {}, b"[" * 200_000)
    assert type(error) is RequestRejected
    assert error.code is None
    assert len(error.msg) <= 201


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("7", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-1", None),
        ("inf", None),
        ("nan", None),
        ("1e400", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # a date in the past: no wait
    ],
)
def test_retry_after(header: str, expected: float | None) -> None:
    error = error_for_response(429, {"retry-after": header}, body(-1003, "Too many requests."))
    assert isinstance(error, RateLimited)
    assert error.retry_after == expected


def test_retry_after_as_an_http_date_in_the_future() -> None:
    later = email.utils.formatdate(time.time() + 120, usegmt=True)
    error = error_for_response(429, {"retry-after": later}, body(-1003, "Too many requests."))
    assert isinstance(error, RateLimited)
    assert error.retry_after is not None
    assert 100 < error.retry_after <= 120


@pytest.mark.parametrize(
    ("stated", "epoch_ms"),
    [
        ("1732450000000", 1732450000000),  # Binance writes milliseconds
        ("1732450000", 1732450000000),  # seconds are told apart and converted
        ("1" + "0" * 25, None),  # absurd
    ],
)
def test_banned_until_is_epoch_ms(stated: str, epoch_ms: int | None) -> None:
    msg = f"Way too many requests; IP banned until {stated}. Please use the websocket."
    error = error_for_response(418, {}, body(-1003, msg))
    assert isinstance(error, IpBanned)
    assert error.banned_until == epoch_ms


SIGNATURE = "9f" * 32
API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"


@pytest.mark.parametrize(
    "payload",
    [
        body(-1100, f"Illegal characters in 'symbol'; query symbol=X&signature={SIGNATURE}"),
        body(-2015, f"Invalid API-key {API_KEY}, IP, or permissions for action."),
        f"<html>Request blocked. {API_KEY} DELETE /dapi/v1/order?signature={SIGNATURE}".encode(),
    ],
    ids=["-1100-quotes-query", "-2015-quotes-key", "firewall-page"],
)
def test_echoed_secrets_are_hidden(payload: bytes) -> None:
    error = error_for_response(400, {}, payload, secrets=(API_KEY, SIGNATURE))
    for text in (str(error), repr(error), error.msg):
        assert SIGNATURE not in text
        assert API_KEY not in text
        assert "<hidden>" in text


@pytest.mark.parametrize("padding", [0, 1, 790, 799, 800, 5000])
def test_no_part_of_a_secret_survives_wherever_the_body_cuts(padding: int) -> None:
    payload = b" " * padding + SIGNATURE.encode() + b" " + API_KEY.encode()
    error = error_for_response(400, {}, payload, secrets=(API_KEY, SIGNATURE))
    for text in (str(error), repr(error)):
        assert SIGNATURE[:8] not in text
        assert API_KEY[:8] not in text

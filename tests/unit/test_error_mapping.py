"""Status and code to exception: what each answer tells a desk about its order."""

from __future__ import annotations

import json

import pytest

from signing_hook import (
    ExecutionStatusUnknown,
    InvalidParameter,
    RequestRejected,
    ServiceUnavailable,
    UnknownOrder,
)
from signing_hook._errors import error_for_response


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

"""Binance's parameter rules for a cancel or a query, with its error codes and messages.

Cancel Order and Query Order take the same parameters and are checked the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from ._spec import (
    batch_max_ids,
    client_order_id_max_length,
    client_order_id_pattern,
    client_order_id_regex,
)
from ._spec import recv_window_max as _recv_window_max

DEFAULT_RECV_WINDOW = 5000
_FUTURE_TOLERANCE_MS = 1000
_DIGITS = "^[0-9]{1,20}$"
_DIGITS_RE = re.compile(_DIGITS)
_LONG_MAX = 2**63 - 1  # Binance's LONG is a signed 64-bit integer
_DAY_MS = 24 * 60 * 60 * 1000
QUERY_WINDOW_UNFILLED_MS = 3 * _DAY_MS
"""Query Order stops finding a CANCELED or EXPIRED order with no fill this long after creation."""
QUERY_WINDOW_MS = 90 * _DAY_MS
"""Query Order stops finding any order this long after its creation."""


class Rejection(Exception):
    """A refusal the exchange answers with `{"code": code, "msg": msg}`."""

    def __init__(self, status: int, code: int, msg: str) -> None:
        super().__init__(f"{status} {code} {msg}")
        self.status = status
        self.code = code
        self.msg = msg


def _bad_request(code: int, msg: str) -> Rejection:
    return Rejection(400, code, msg)


def _mandatory(name: str) -> Rejection:
    return _bad_request(
        -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def _illegal(name: str, legal_range: str) -> Rejection:
    return _bad_request(
        -1100, f"Illegal characters found in parameter '{name}'; legal range is '{legal_range}'."
    )


def parse_form(raw: bytes, into: dict[str, str]) -> None:
    """Add the parameters of a form-urlencoded string; a name already present keeps its value."""
    if not raw:
        return
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        into.setdefault(_decode(name), _decode(value))


def _decode(raw: bytes) -> str:
    if b"%" not in raw and b"+" not in raw:
        return raw.decode("utf-8", "replace")
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")


def optional_long(params: dict[str, str], name: str) -> int | None:
    """An optional LONG parameter's value; None when it is not sent, -1102 when sent empty."""
    if params.get(name) == "":
        raise _mandatory(name)
    return long_parameter(params, name)


def long_parameter(params: dict[str, str], name: str) -> int | None:
    """A LONG parameter's value; None when it is not sent (or empty)."""
    text = params.get(name, "")
    if not text:
        return None
    if not _DIGITS_RE.fullmatch(text) or int(text) > _LONG_MAX:
        raise _illegal(name, _DIGITS)
    return int(text)


@dataclass(frozen=True, slots=True)
class CancelRequest:
    symbol: str
    order_id: int | None
    client_order_id: str | None


def check_cancel(params: dict[str, str], server_time: int) -> CancelRequest:
    """Apply Binance's checks, in Binance's order; raise Rejection on the first failure.

    The same for a query: Query Order takes the cancel's parameters.
    """
    check_timing(params, server_time)
    symbol = params.get("symbol", "")
    if not symbol:
        raise _mandatory("symbol")
    order_id = long_parameter(params, "orderId")
    client_order_id = params.get("origClientOrderId") or None
    if order_id is None and client_order_id is None:
        raise _bad_request(
            -1102, "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!"
        )
    if client_order_id is not None:
        check_client_id("origClientOrderId", client_order_id)
    return CancelRequest(symbol, order_id, client_order_id)


def check_client_id(name: str, value: str) -> None:
    """A client id's length (-4015) and characters (-1100), by the spec's rule."""
    max_length = client_order_id_max_length()
    if len(value) > max_length:
        raise _bad_request(
            -4015, f"Client order id length should not be more than {max_length} chars"
        )
    if not client_order_id_regex().fullmatch(value):
        raise _illegal(name, client_order_id_pattern())


def check_timing(params: dict[str, str], server_time: int) -> None:
    """The checks every signed request meets first: timestamp and recvWindow, in Binance's order."""
    timestamp = long_parameter(params, "timestamp")
    if timestamp is None:
        raise _mandatory("timestamp")
    recv_window = optional_long(params, "recvWindow")
    if recv_window is None:
        recv_window = DEFAULT_RECV_WINDOW
    limit = _recv_window_max()
    if recv_window > limit:
        raise _bad_request(-1131, f"recvWindow must be less than {limit}")
    if recv_window < 1:  # openapi.yaml's minimum; 0 would make every request a race
        raise _bad_request(-1131, "recvWindow must be greater than 0.")
    if timestamp >= server_time + _FUTURE_TOLERANCE_MS:
        raise _bad_request(
            -1021, "Timestamp for this request was 1000ms ahead of the server's time."
        )
    if server_time - timestamp > recv_window:
        raise _bad_request(-1021, "Timestamp for this request is outside of the recvWindow.")


def found_by_query(created_ms: int, now_ms: int, *, done_unfilled: bool) -> bool:
    """Whether a query still finds an order, by Binance's documented windows.

    `done_unfilled`: the order is CANCELED or EXPIRED without a fill.
    """
    age = now_ms - created_ms
    if age > QUERY_WINDOW_MS:
        return False
    return not (done_unfilled and age > QUERY_WINDOW_UNFILLED_MS)


def _symbol(params: dict[str, str]) -> str:
    symbol = params.get("symbol", "")
    if not symbol:
        raise _mandatory("symbol")
    return symbol


@dataclass(frozen=True, slots=True)
class SymbolRequest:
    """A request that names a symbol and nothing else of its own (None: every symbol)."""

    symbol: str | None


def check_symbol(params: dict[str, str], server_time: int) -> SymbolRequest:
    """Cancel All Open Orders (either service): timing, then a mandatory symbol."""
    check_timing(params, server_time)
    return SymbolRequest(_symbol(params))


def check_optional_symbol(params: dict[str, str], server_time: int) -> SymbolRequest:
    """The open-order lists: timing; the symbol is optional."""
    check_timing(params, server_time)
    if "symbol" in params:
        return SymbolRequest(_symbol(params))  # sent empty: refused, as the spec's minLength
    return SymbolRequest(None)


@dataclass(frozen=True, slots=True)
class BatchRequest:
    symbol: str
    order_ids: tuple[int, ...] | None
    client_order_ids: tuple[str, ...] | None


def _list_value(params: dict[str, str], name: str) -> str:
    """A batch list's text, its name matched in any case, as Binance matches it: ccxt sends
    ``orderidlist`` and is answered 200 (ccxt PR 22890), and Binance's refusals name the
    parameter in lower case ("Data sent for parameter 'orderidlist' is not valid.")."""
    text = params.get(name)
    if text is not None:
        return text
    wanted = name.lower()
    return next((value for key, value in params.items() if key.lower() == wanted), "")


def _not_valid(name: str) -> Rejection:
    return _bad_request(-1130, f"Data sent for parameter '{name.lower()}' is not valid.")


def _id_list(params: dict[str, str], name: str, kind: type) -> list[object] | None:
    """The JSON list of one batch parameter, as Binance reads it: compact JSON, decoded.

    Anything else is -1130, as Binance answers a key repeated per id
    (``orderIdList=1&orderIdList=2``: binance-futures-connector issue 15 and PR 255).
    """
    text = _list_value(params, name)
    if not text:
        return None
    try:
        ids = json.loads(text)
    except ValueError:
        raise _not_valid(name) from None
    if not isinstance(ids, list) or not ids or not all(type(i) is kind for i in ids):
        raise _not_valid(name)
    if len(ids) > batch_max_ids():
        raise _bad_request(-1102, f"Param '{name}' holds more than {batch_max_ids()} ids.")
    return ids


def check_batch(params: dict[str, str], server_time: int) -> BatchRequest:
    """Cancel Multiple Orders: timing, symbol, exactly one of the two id lists.

    Binance documents "at least one, never both"; the codes of its refusals for both lists and
    for more than 10 ids are not documented, and -1102 is this exchange's choice.
    """
    check_timing(params, server_time)
    symbol = _symbol(params)
    order_ids = _id_list(params, "orderIdList", int)
    client_ids = _id_list(params, "origClientOrderIdList", str)
    if order_ids is None and client_ids is None:
        raise _bad_request(
            -1102,
            "Param 'orderIdList' or 'origClientOrderIdList' must be sent, but both were "
            "empty/null!",
        )
    if order_ids is not None and client_ids is not None:
        raise _bad_request(
            -1102, "Only one of 'orderIdList' or 'origClientOrderIdList' may be sent."
        )
    if order_ids is not None:
        for order_id in order_ids:
            if not 0 <= int(str(order_id)) <= _LONG_MAX:
                raise _illegal("orderIdList", _DIGITS)
        return BatchRequest(symbol, tuple(int(str(i)) for i in order_ids), None)
    assert client_ids is not None
    for client_id in client_ids:
        check_client_id("origClientOrderIdList", str(client_id))
    return BatchRequest(symbol, None, tuple(str(i) for i in client_ids))


@dataclass(frozen=True, slots=True)
class CountdownRequest:
    symbol: str
    countdown_ms: int


def check_countdown(params: dict[str, str], server_time: int) -> CountdownRequest:
    """Auto-Cancel All Open Orders: timing, symbol, a mandatory countdownTime (0 stops)."""
    check_timing(params, server_time)
    symbol = _symbol(params)
    countdown = long_parameter(params, "countdownTime")
    if countdown is None:
        raise _mandatory("countdownTime")
    return CountdownRequest(symbol, countdown)

"""Every failure of a call raises one of these; none is returned.

The tree, and what a trading desk does with each branch::

    BinanceError                        base of everything raised here
    ├── InvalidRequest (ValueError)     refused before sending: nothing was sent; fix the call
    ├── NothingSent                     no connection could be opened, nothing sent: safe to retry
    ├── ClockSyncFailed                 connect(sync_clock=True) read no plausible server time
    ├── ExecutionStatusUnknown          sent, outcome unknown (a 5XX Binance does not document as
    │                                   a failure, 408, -1006, -1007, 1XX, 3XX, a timeout, reset,
    │                                   over-size or encoded answer after sending, a 2XX that is
    │                                   not the documented answer to this request): query the
    │                                   order, never resend blindly
    ├── ProtectionLapsed                a dead-man's switch missed its heartbeats long enough
    │                                   that its countdown may have run out: Binance may have
    │                                   cancelled the symbols' open orders
    └── BinanceAPIError                 the exchange answered with an error
        ├── RequestRejected             a 4XX: the exchange did nothing
        │   ├── TimestampRejected       -1021, still after the automatic re-sign: check the clock
        │   ├── InvalidSignature        -1022: wrong secret / private key
        │   ├── ApiKeyRejected          -2014, -2015: key format, permissions or IP whitelist
        │   ├── AccountRejected         -1109: the account was refused (also seen in maintenance)
        │   ├── UnknownOrder            -2011, -2013: not open: filled, cancelled, never existed
        │   ├── InvalidParameter        -1100, -1102, -1121, -1131, -4015: fix the call
        │   ├── FirewallRejected        403 from the web application firewall
        │   └── RateLimited             429: wait `retry_after` seconds
        │       └── IpBanned            418: banned until `banned_until`
        └── ServiceUnavailable          a 5XX Binance documents as a failure ("Service
            │                           Unavailable.", "Internal error; unable to process your
            │                           request...", "Request occur unknown error."): nothing
            │                           happened; retry later
            └── ExchangeMaintenance     -1016, or a maintenance answer without a code: retry
                                        after the maintenance window

Every exception carries ``status`` (HTTP status or None), ``code`` (Binance's code or None),
``msg`` and ``usage`` (the rate-limit usage reported with the response, if any). None of them
holds the request, its URL or its headers, and text quoted from an answer has the request's
signature and API key hidden: they never reach a message, a repr or a traceback.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote

import httpx

from ._outcome import UNPARSED, load_json
from ._usage import RateLimitUsage

if TYPE_CHECKING:
    from binance_coinm_futures.models.error import Error

_EXCERPT_CHARS: Final = 200
_BAN_UNTIL = re.compile(r"banned until (\d{1,20})")
#: Epoch values below this are seconds, above it milliseconds (10^11 s is the year 5138,
#: 10^11 ms is 1973): Binance states ban ends in ms, a proxy or a future change may not.
_SECONDS_BELOW: Final = 10**11
_LATEST_PLAUSIBLE_MS: Final = 10**14
HIDDEN: Final = "<hidden>"


class BinanceError(Exception):
    """Base class of every exception this package raises."""

    def __init__(
        self,
        msg: str,
        *,
        status: int | None = None,
        code: int | None = None,
        usage: RateLimitUsage | None = None,
    ) -> None:
        self.msg = msg
        self.status = status
        self.code = code
        self.usage = usage
        super().__init__(msg)

    def __str__(self) -> str:
        parts = []
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code is not None:
            parts.append(f"code {self.code}")
        prefix = ", ".join(parts)
        text = f"{prefix}: {self.msg}" if prefix else self.msg
        step = self.next_step()
        return f"{text.rstrip()} -- {step}" if step else text

    def next_step(self) -> str | None:
        """What to do about it, where Binance's words say only what happened; else None."""
        return _NEXT_STEP.get(self.code) if self.code is not None else None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, msg={self.msg!r})"
        )


class InvalidRequest(BinanceError, ValueError):
    """The call breaks a constraint of openapi.yaml; it was refused before anything was sent."""

    def __init__(self, msg: str, *, parameter: str | None = None) -> None:
        self.parameter = parameter
        super().__init__(msg)


class NothingSent(BinanceError):
    """No connection to the exchange could be opened, even after the one automatic retry.

    Nothing reached the exchange, so resending the same cancel is safe.
    """


class ExecutionStatusUnknown(BinanceError):
    """The request was sent but its outcome is unknown: the order may or may not be cancelled.

    Binance documents every 5XX as "execution status UNKNOWN" except the failures it names, so
    this is raised for any 5XX but 503 "Service Unavailable.", for 408 (timeout waiting for the
    backend), codes -1006 and -1007, a timeout or a reset after the request was sent, and a
    success answer whose body cannot be read. Query the order before acting; resending a
    cancel blindly can turn a success into -2011. Every message ends with that next step.
    """

    def next_step(self) -> str | None:
        if _ALREADY_ADVISED in self.msg.lower():
            return None
        return _QUERY_THE_ORDER


class ClockSyncFailed(BinanceError):
    """``connect(sync_clock=True)`` could not learn the exchange's time; no order was sent."""


class ProtectionLapsed(BinanceError):
    """A dead-man's switch could not beat for as long as its countdown: the countdown may have
    run out, and Binance may have cancelled every open order of its symbols. ``symbols`` names
    them; ``last_error`` is the failure of the last heartbeat.
    """

    def __init__(
        self, msg: str, *, symbols: tuple[str, ...], last_error: BinanceError | None
    ) -> None:
        self.symbols = symbols
        self.last_error = last_error
        super().__init__(msg)


class BinanceAPIError(BinanceError):
    """The exchange answered with an error status."""


class RequestRejected(BinanceAPIError):
    """A 4XX answer: the exchange refused the request and did nothing."""


class TimestampRejected(RequestRejected):
    """-1021: the timestamp fell outside recvWindow even after re-syncing the clock once."""


class InvalidSignature(RequestRejected):
    """-1022: the signature did not verify: the secret or private key does not match the key."""


class ApiKeyRejected(RequestRejected):
    """-2014 / -2015: the API key is malformed, unknown, lacks permission or IP whitelisting."""


class AccountRejected(RequestRejected):
    """-1109 "Invalid account.": the exchange refused the account; nothing happened.

    Binance's live COIN-M API has also answered it during maintenance windows.
    """


class UnknownOrder(RequestRejected):
    """-2011 / -2013: no such open order: already filled, already cancelled or never existed.

    -2013 is Query Order's "not found": Binance stops finding a cancelled or expired order
    without fills 3 days after its creation (any order after 90 days).

    Since 2026-06-30 the regular endpoints answer these for every conditional order (STOP,
    TAKE_PROFIT, ...) too: those live in the algo service and are cancelled by algo id.
    """


class InvalidParameter(RequestRejected):
    """-1100, -1102, -1121, -1131, -4015: a parameter was missing, malformed or out of range.

    ``symbol`` is the symbol the refused request named, when the client knows it (-1121).
    """

    symbol: str | None = None

    def next_step(self) -> str | None:
        if self.code == _INVALID_SYMBOL and self.symbol is not None:
            return f"the symbol sent was {self.symbol!r}; {_NEXT_STEP[_INVALID_SYMBOL]}"
        return super().next_step()


class FirewallRejected(RequestRejected):
    """403: the exchange's web application firewall rejected the request."""


class RateLimited(RequestRejected):
    """429: the request rate limit was broken. Wait ``retry_after`` seconds (None if not sent)."""

    def __init__(
        self,
        msg: str,
        *,
        status: int | None = None,
        code: int | None = None,
        usage: RateLimitUsage | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(msg, status=status, code=code, usage=usage)


class IpBanned(RateLimited):
    """418: the IP is banned for sending after 429s. ``banned_until`` is epoch ms, if stated."""

    def __init__(
        self,
        msg: str,
        *,
        status: int | None = None,
        code: int | None = None,
        usage: RateLimitUsage | None = None,
        retry_after: float | None = None,
        banned_until: int | None = None,
    ) -> None:
        self.banned_until = banned_until
        super().__init__(msg, status=status, code=code, usage=usage, retry_after=retry_after)


class ServiceUnavailable(BinanceAPIError):
    """A 5XX that Binance documents as a failure: nothing happened, retry later.

    Binance's COIN-M general information names three: "Service Unavailable." (failed),
    "Internal error; unable to process your request. Please try again." (failed, may be
    resent) and "Request occur unknown error." (retry later).
    """


class ExchangeMaintenance(ServiceUnavailable):
    """The exchange is in a maintenance window: nothing happened; retry after it.

    -1016 ("This service is no longer available.", "Service is under maintenance."), or a
    JSON answer without Binance's ``code`` whose words say maintenance, such as
    ``{"239999": "The system is under maintenance, please try again later."}``; ``msg`` keeps
    Binance's words and ``code`` is None for those.
    """


#: "Timestamp for this request is outside of the recvWindow": the one code the auth flow
#: answers by learning the server's time and re-signing.
TIMESTAMP_REJECTED: Final = -1021
_INVALID_SYMBOL: Final = -1121
_QUERY_THE_ORDER: Final = (
    "the order may or may not be cancelled: query the order (query_order; query_algo_order "
    "for a conditional order) before acting, "
    "or let cancel_and_confirm find out"
)
_ALREADY_ADVISED: Final = "query the order"
#: The next step for the answers whose words say only what happened.
_NEXT_STEP: Final[Mapping[int, str]] = {
    -1022: (
        "check that secret= / private_key= belongs to this API key (an RSA or Ed25519 key is "
        "registered with its own API key) and that nothing between you and Binance rewrites "
        "the query after signing"
    ),
    -2014: "check api_key= for a typo, a missing character or a stray space or newline",
    -2015: (
        "check that api_key= is right, that the key has Futures trading enabled, and that "
        "this machine's IP is on the key's whitelist"
    ),
    _INVALID_SYMBOL: (
        "check the symbol: COIN-M symbols look like BTCUSD_PERP or BTCUSD_260327 "
        "(GET /dapi/v1/exchangeInfo lists them)"
    ),
}

_BY_CODE: Final[Mapping[int, type[BinanceAPIError]]] = {
    TIMESTAMP_REJECTED: TimestampRejected,
    -1022: InvalidSignature,
    -2014: ApiKeyRejected,
    -2015: ApiKeyRejected,
    -2011: UnknownOrder,
    -2013: UnknownOrder,
    -1100: InvalidParameter,
    -1102: InvalidParameter,
    -1121: InvalidParameter,
    -1131: InvalidParameter,
    -4015: InvalidParameter,
    -1109: AccountRejected,
    -1016: ExchangeMaintenance,
}
_STATUS_UNKNOWN_CODES: Final = frozenset({-1006, -1007})
#: Codes that say what happened whatever the HTTP status they come with.
_AT_ANY_STATUS: Final = frozenset({-1016, -1109})
#: The 5XX messages Binance's COIN-M general information documents as failures (nothing was
#: done); every other 5XX leaves the execution status unknown. Compared without case, spaces
#: or the final full stop.
_FAILED_5XX_MESSAGES: Final = frozenset(
    {
        "service unavailable",
        "internal error; unable to process your request. please try again",
        "request occur unknown error",
    }
)
_MAINTENANCE_WORDS: Final = "maintenance"


def _normalized(message: str) -> str:
    return " ".join(message.lower().split()).rstrip(".")


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (a signature, an API key) replaced by ``<hidden>``.

    Servers echo requests back (a firewall page, a -1100 quoting the query), so every text
    taken from an answer or a transport failure goes through here before it reaches a message.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, HIDDEN)
    return text


#: The request extension where the auth flow records what it put on the request that no
#: message may quote: (API key, signature as sent). It is the auth flow that knows the header
#: and parameter names (openapi.yaml's securitySchemes), so nothing here restates them.
SECRETS: Final = "binance_coinm_futures.secrets"


def request_secrets(request: httpx.Request) -> tuple[str, ...]:
    """What no message may quote: the request's API key and signature, as sent and decoded."""
    recorded: tuple[str, ...] = request.extensions.get(SECRETS, ())
    return tuple(dict.fromkeys(s for secret in recorded for s in (secret, unquote(secret)) if s))


def _excerpt(body: bytes, secrets: Iterable[str] = ()) -> str:
    # The whole body is redacted before it is cut or its spaces folded, so that no cut can
    # split a secret and leave part of it. (Answers are capped at 1 MiB by the transport.)
    text = " ".join(redact(body.decode("utf-8", "replace"), secrets).split())
    if len(text) > _EXCERPT_CHARS:
        text = text[:_EXCERPT_CHARS] + "…"
    return text or "(empty body)"


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait: RFC 9110 allows a number of seconds or an HTTP-date."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _banned_until(msg: str) -> int | None:
    """The end of an IP ban as epoch ms; Binance writes ms, a value in seconds is converted."""
    match = _BAN_UNTIL.search(msg)
    if match is None:
        return None
    value = int(match.group(1))
    if value < _SECONDS_BELOW:
        value *= 1000
    return value if value < _LATEST_PLAUSIBLE_MS else None


def error_code(payload: object) -> int | None:
    """The code of Binance's ``{"code", "msg"}`` error answer (its JSON value), else None."""
    error = _error_model(payload)
    return None if error is None else error.code


def _error_model(payload: object) -> Error | None:
    """openapi.yaml's ``Error`` (the generated model) when the JSON value is one, else None."""
    if not isinstance(payload, dict):
        return None
    code, msg = payload.get("code"), payload.get("msg")
    if not (isinstance(code, int) and not isinstance(code, bool) and isinstance(msg, str)):
        return None
    # Imported here: the models load with the endpoint functions, not with the runtime.
    from binance_coinm_futures.models.error import Error

    return Error.from_dict(payload)


def _read_error(
    body: bytes, secrets: tuple[str, ...], payload: object
) -> tuple[int | None, str, bool]:
    """(code, message, whether the message is Binance's words from a JSON answer).

    Binance's code-less form, a JSON object whose keys are numbers and whose values are text
    (the maintenance answer ``{"239999": "The system is under maintenance, please try again
    later."}``), keeps those words as its message; any other body that is not
    ``{"code", "msg"}`` (a gateway's ``{"message": ...}``, an HTML page) gives an excerpt.
    ``payload`` is the body's JSON value, as parsed once (``_outcome.answer_json``).
    """
    error = _error_model(payload)
    if error is not None:
        return error.code, redact(error.msg, secrets), True
    if isinstance(payload, dict):
        words = [value for value in payload.values() if isinstance(value, str) and value]
        if words and len(words) == len(payload) and all(key.isdigit() for key in payload):
            return None, _excerpt(" ".join(words).encode(), secrets), True
    return None, _excerpt(body, secrets), False


def _json(body: bytes, payload: object) -> object:
    return load_json(body) if payload is UNPARSED else payload


def definite_error(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Iterable[str] = (),
    *,
    payload: object = UNPARSED,
) -> BinanceError | None:
    """The error an answer stands for when Binance's words say what happened at any status.

    -1016, -1109 and the code-less maintenance answer mean "nothing was done" whatever status
    they come with, a 2XX included (Binance documents their bodies, not their status). None
    for any other answer.
    """
    code, msg, from_binance = _read_error(body, tuple(secrets), _json(body, payload))
    return _at_any_status(status, code, msg, from_binance, RateLimitUsage.from_headers(headers))


def _at_any_status(
    status: int, code: int | None, msg: str, from_binance: bool, usage: RateLimitUsage | None
) -> BinanceError | None:
    if code in _AT_ANY_STATUS:
        return _BY_CODE[code](msg, status=status, code=code, usage=usage)
    if code is None and from_binance and _MAINTENANCE_WORDS in msg.lower():
        return ExchangeMaintenance(msg, status=status, code=code, usage=usage)
    return None


def error_for_code(code: int, msg: str) -> BinanceError:
    """The error Binance's ``{code, msg}`` stands for without an HTTP status: an item of a batch
    answer. The same table as a raised error (-2011 is ``UnknownOrder``, -1006 and -1007
    ``ExecutionStatusUnknown``), returned, not raised."""
    if code in _STATUS_UNKNOWN_CODES:
        return ExecutionStatusUnknown(msg, code=code)
    return _BY_CODE.get(code, RequestRejected)(msg, code=code)


def error_for_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Iterable[str] = (),
    *,
    payload: object = UNPARSED,
) -> BinanceError:
    """The exception that an error answer from the exchange stands for.

    ``secrets`` (the request's signature and API key) are hidden wherever the answer quotes them.
    ``payload`` is the body's JSON value when it was already parsed (``_outcome.answer_json``).
    """
    code, msg, from_binance = _read_error(body, tuple(secrets), _json(body, payload))
    usage = RateLimitUsage.from_headers(headers)
    # -1006 and -1007 first: even a 503 "Service Unavailable." with them is "status unknown".
    if code in _STATUS_UNKNOWN_CODES:
        return ExecutionStatusUnknown(msg, status=status, code=code, usage=usage)
    definite = _at_any_status(status, code, msg, from_binance, usage)
    if definite is not None:
        return definite
    # Only Binance's own {code, msg} answer says "failed": a gateway or CDN page with the same
    # words may come after the request was passed on.
    if status >= 500 and code is not None and _normalized(msg) in _FAILED_5XX_MESSAGES:
        return ServiceUnavailable(msg, status=status, code=code, usage=usage)
    # A 1XX, 2XX or 3XX that reaches here is not a documented answer (a redirect is never
    # followed): nothing says what the exchange did.
    if status >= 500 or status == 408 or status < 400:
        return ExecutionStatusUnknown(msg, status=status, code=code, usage=usage)
    if status == 418:
        return IpBanned(
            msg,
            status=status,
            code=code,
            usage=usage,
            retry_after=_retry_after(headers),
            banned_until=_banned_until(msg),
        )
    if status == 429:
        return RateLimited(
            msg, status=status, code=code, usage=usage, retry_after=_retry_after(headers)
        )
    error_type: type[BinanceAPIError]
    if status == 403:
        error_type = FirewallRejected
    elif code is not None:
        error_type = _BY_CODE.get(code, RequestRejected)
    else:
        error_type = RequestRejected
    return error_type(msg, status=status, code=code, usage=usage)

"""The signing hook: one ``httpx.Auth`` flow that serves the sync and the async client alike.

For every request it (1) checks the query against openapi.yaml and refuses a bad one before
anything is sent, (2) sets ``X-MBX-APIKEY``, appends ``timestamp`` and then ``signature`` over
exactly the bytes that go on the wire, (3) on -1021 learns the server's clock from the time
endpoint — yielded from the flow, as digest auth does — and re-signs and resends once, and
(4) turns any error answer into a typed exception. The flow performs no I/O of its own.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Generator, Mapping
from typing import Final
from urllib.parse import parse_qsl

import httpx

from ._clock import ServerClock, server_time_of
from ._errors import (
    SECRETS,
    TIMESTAMP_REJECTED,
    ExecutionStatusUnknown,
    RequestRejected,
    definite_error,
    error_code,
    error_for_response,
    request_secrets,
)
from ._outcome import answer_json
from ._signers import Signer
from ._spec import OperationRules, SecurityNames, path_of, security_names
from ._transport import AFTER_TIMESTAMP_REJECTION
from ._usage import RateLimitUsage

logger: Final = logging.getLogger("binance_coinm_futures")

_API_KEY_FORM: Final = re.compile(r"[\x21-\x7e]+")


class BinanceAuth(httpx.Auth):
    """Signs Binance requests; install it through ``httpx_args={"auth": ...}`` (see connect())."""

    requires_response_body = True

    def __init__(
        self,
        api_key: str,
        signer: Signer,
        *,
        clock: ServerClock | None = None,
        recv_window: int | None = None,
        rules: Mapping[tuple[str, str], OperationRules] | None = None,
        time_path: str | None = None,
        names: SecurityNames | None = None,
    ) -> None:
        if not _API_KEY_FORM.fullmatch(api_key):
            # Checked here so that no lower layer ever quotes a malformed key in an error.
            raise ValueError("api_key must be non-empty printable ASCII without spaces")
        self._api_key = api_key
        self._signer = signer
        self.clock: ServerClock = clock or ServerClock()
        self._recv_window = b"recvWindow=%d" % recv_window if recv_window is not None else b""
        self._rules = rules or {}
        self._time_path = time_path or path_of("getServerTime")
        names = names or security_names()
        self._key_header = names.api_key_header
        self._timestamp = names.timestamp.encode("ascii")
        self._signature = names.signature.encode("ascii")

    def __repr__(self) -> str:
        return f"BinanceAuth(api_key={mask(self._api_key)!r}, signer={self._signer!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        rules = self._rules.get((request.method, request.url.path))
        params: dict[str, str] = {}
        if rules is not None:
            pairs = query_pairs(request.url.query.decode("ascii"))
            rules.check(pairs)
            params = dict(pairs)
            if not rules.signed:
                response = yield request
                _raise_for_status(request, response, rules, params)
                return
        unsigned = self._with_defaults(request.url.query)
        request.headers[self._key_header] = self._api_key
        version = self._sign(request, unsigned)
        started = time.perf_counter()
        response = yield request

        if response.status_code == 400 and _is_timestamp_rejection(response):
            if self.clock.version == version:  # nobody has corrected the clock meanwhile
                learned = yield from self._learn_server_time(request)
                if not learned:
                    # Without the server's time a re-sign would be a blind resend.
                    _raise_for_status(request, response, rules, params)
            self._sign(request, unsigned)
            logger.debug("re-signing %s %s after -1021", request.method, request.url.path)
            response = yield request

        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d in %.1f ms",
                request.method,
                request.url.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        _raise_for_status(request, response, rules, params)

    def _with_defaults(self, query: bytes) -> bytes:
        if self._recv_window and not (query.startswith(b"recvWindow=") or b"&recvWindow=" in query):
            return query + b"&" + self._recv_window if query else self._recv_window
        return query

    def _sign(self, request: httpx.Request, unsigned: bytes) -> int:
        now, version = self.clock.now_ms()
        stamp = b"%s=%d" % (self._timestamp, now)
        stamped = b"%s&%s" % (unsigned, stamp) if unsigned else stamp
        # totalParams: the query string followed by the body, exactly as sent.
        signature = self._signer.sign(stamped + request.content if request.content else stamped)
        request.url = replace_query(
            request.url, b"%s&%s=%s" % (stamped, self._signature, signature.encode("ascii"))
        )
        request.extensions[SECRETS] = (self._api_key, signature)
        return version

    def _learn_server_time(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, bool]:
        """Fetch the exchange's time (a public request, unsigned) and correct the offset.

        A refusal (429, 418, any 4XX) is raised as it is: the cancel was refused with -1021
        and nothing happened to the order. Returns False for any other answer that gives no
        plausible integer time (5XX, 3XX, unreadable, a clock a day off); a transport fault
        is raised by the transport as TimestampRejected.
        """
        time_request = httpx.Request(
            "GET",
            request.url.copy_with(path=self._time_path, query=None),
            # The cancel's own timeouts (a request made here gets none from the client), and a
            # mark telling the transport that a failure here leaves the order untouched.
            extensions={**request.extensions, AFTER_TIMESTAMP_REJECTION: True},
        )
        sent_at = self.clock.local_ms()
        time_response = yield time_request
        received_at = self.clock.local_ms()
        if time_response.status_code != 200:
            error = error_for_response(
                time_response.status_code,
                time_response.headers,
                time_response.content,
                payload=answer_json(time_response),
            )
            if isinstance(error, RequestRejected):  # 429, 418: the caller must back off
                raise error
        server_ms = server_time_of(answer_json(time_response))
        try:
            if time_response.status_code != 200 or server_ms is None:
                raise ValueError("no integer serverTime in the answer")
            self.clock.observe(server_ms, sent_at, received_at)
        except ValueError as unusable:
            logger.warning(
                "could not use the server time (HTTP %d): %s", time_response.status_code, unusable
            )
            return False
        logger.info("clock offset to the exchange is now %d ms", self.clock.offset_ms)
        return True


def _is_timestamp_rejection(response: httpx.Response) -> bool:
    # The byte test spares parsing the answers that cannot be a -1021.
    return b"-1021" in response.content and error_code(answer_json(response)) == TIMESTAMP_REJECTED


def _raise_for_status(
    request: httpx.Request,
    response: httpx.Response,
    rules: OperationRules | None,
    params: Mapping[str, str],
) -> None:
    """Return for a success (``_outcome`` decides what one is); raise otherwise (``_errors``
    decides which failure). Both read the one parse of the answer (``answer_json``)."""
    status = response.status_code
    success = rules.success if rules is not None and rules.signed else None
    if success is not None and 200 <= status < 300:
        payload = answer_json(response)
        problem = success.violation(status, payload, params)
        if problem is not None:
            secrets = request_secrets(request)
            definite = definite_error(
                status, response.headers, response.content, secrets, payload=payload
            )
            if definite is not None:  # e.g. a maintenance answer, whatever its status
                raise definite
            raise ExecutionStatusUnknown(
                f"{request.method} {request.url.path} answered with {problem}: not the "
                "documented success answer to this request, and the request may have taken "
                "effect; query the order",
                status=status,
                usage=RateLimitUsage.from_headers(response.headers),
            )
        return
    if status == 200:  # an operation without a documented success rule (the server time)
        return
    raise error_for_response(
        status,
        response.headers,
        response.content,
        request_secrets(request),
        payload=answer_json(response),
    )


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The query's name-value pairs, decoded, as ``parse_qsl(query, keep_blank_values=True)``
    gives them; a query with nothing to decode (no ``%``, no ``+``: most cancels) is only
    split (tests/unit/test_signing.py pins that both give the same pairs)."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    return [
        (name, value)
        for name, _, value in (part.partition("=") for part in query.split("&") if part)
    ]


def replace_query(url: httpx.URL, query: bytes) -> httpx.URL:
    """``url`` with ``query`` as its query string.

    ``URL.copy_with`` re-parses and re-validates every component character by character, which
    measured as the largest cost this hook adds to a request. The query given here is httpx's
    own already-encoded query plus digits and an encoded signature — nothing that validation
    could refuse — so the parsed form is updated directly (``replace_target``).
    """
    return replace_target(url, None, query.decode("ascii"))


def _parse_result_type() -> type[tuple[object, ...]] | None:
    """httpx's parsed-URL tuple type, if it has the fields ``replace_target`` rebuilds in the
    order it rebuilds them (httpx 0.28's ``ParseResult``); None sends it to ``copy_with``."""
    reference = getattr(httpx.URL("http://h/"), "_uri_reference", None)
    fields = getattr(reference, "_fields", None)
    order = ("scheme", "userinfo", "host", "port", "path", "query", "fragment")
    return type(reference) if isinstance(reference, tuple) and fields == order else None


_PARSE_RESULT: Final = _parse_result_type()


def replace_target(url: httpx.URL, path: str | None, query: str | None) -> httpx.URL:
    """``url`` with ``path`` (None: kept) and ``query`` (None: none), updated in its parsed form.

    Only for a path and query already in the form httpx would parse them into (percent-encoded,
    no dot segments): nothing is validated here. If httpx's internals ever differ, it falls back
    to ``copy_with``; tests/unit/test_signing.py pins that both give the same URL.
    """
    reference = getattr(url, "_uri_reference", None)
    if _PARSE_RESULT is not None and type(reference) is _PARSE_RESULT:
        scheme, userinfo, host, port, kept_path, _, fragment = reference
        replaced = httpx.URL.__new__(httpx.URL)
        # tuple.__new__ with the fields in order: a third of what the namedtuple's _replace costs.
        replaced._uri_reference = tuple.__new__(
            _PARSE_RESULT,
            (scheme, userinfo, host, port, kept_path if path is None else path, query, fragment),
        )
        return replaced
    encoded = None if query is None else query.encode("ascii")
    if path is None:
        return url.copy_with(query=encoded)
    return url.copy_with(path=path, query=encoded)


def mask(api_key: str) -> str:
    """The API key as it may appear in logs and reprs: its last four characters at most."""
    return "***" + api_key[-4:] if len(api_key) > 12 else "***"

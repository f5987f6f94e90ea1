"""connect()'s two httpx clients, with a lean path for the calls the generated functions make.

httpx's ``Client.request`` merges the URL into the base URL and parses it again, merges
headers, cookies and query parameters, and after the answer runs it through urllib's cookie
machinery: a measured third of a signed cancel's CPU, none of it needed for a call that sets
none of those. The exchange sets no cookies, so there is nothing for a jar to keep.

The lean path is taken only for a call that uses none of httpx's per-request features (no
params, body, headers, cookies, auth, timeout, redirects or extensions of its own) on a
client without event hooks (connect(on_call=) installs some), default params or cookies. It
builds the one ``httpx.Request``, drives the same auth flow (``BinanceAuth``) and hands each
request to the same fault boundary (``BinanceTransport``) as httpx would, and logs as httpx
does. Every other call goes through httpx's own machinery, unchanged.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Generator
from datetime import timedelta
from typing import Any, Final, TypeAlias

import httpx

from ._auth import replace_target
from ._errors import InvalidRequest

CLOSED: Final = "this client is closed; nothing was sent. connect() a new one"
_httpx_logger: Final = logging.getLogger("httpx")
_DEFAULT: Final = httpx.USE_CLIENT_DEFAULT
_Flow: TypeAlias = Generator[httpx.Request, httpx.Response, None]
_NO_BODY: Final = httpx.ByteStream(b"")
#: The methods for which httpx states an empty body as ``Content-Length: 0``.
_STATES_LENGTH: Final = frozenset({"POST", "PUT", "PATCH"})
#: Sets of headers kept per client (a few: the client's, per method kind).
_HEADER_SETS: Final = 8
#: A path and query that httpx would parse into themselves: segments that are not dot
#: segments, unreserved characters, and valid percent-escapes (the generated functions
#: percent-encode every value). A URL of this form skips httpx's character-by-character parse.
_PARSED_FORM: Final = re.compile(
    r"((?:/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)+)"
    r"(?:\?((?:[A-Za-z0-9_.~+=&*-]|%[0-9A-Fa-f]{2})*))?"
)


def _log(request: httpx.Request, response: httpx.Response) -> None:
    if _httpx_logger.isEnabledFor(logging.INFO):  # the same line httpx logs (and redacts)
        _httpx_logger.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )


class _Lean:
    """What both clients need to tell and take the lean path."""

    def _set_lean(
        self, client: httpx.Client | httpx.AsyncClient, auth: httpx.Auth, **kwargs: Any
    ) -> None:
        # ``client`` is this object; it is not kept in an attribute, which would make a
        # reference cycle and leave an unclosed client to the garbage collector.
        self._lean_auth = auth
        self._lean_base = str(client.base_url).rstrip("/") + "/"
        self._lean_base_url = client.base_url
        # The base URL's own path ("/" or a prefix) is part of every target under it.
        self._lean_origin = len(self._lean_base) - len(client.base_url.raw_path.rstrip(b"/")) - 1
        self._lean_encoding = kwargs.get("default_encoding", "utf-8")
        self._lean_header_sets: dict[tuple[object, ...], httpx.Headers] = {}

    def _client(self) -> httpx.Client | httpx.AsyncClient:
        assert isinstance(self, httpx.Client | httpx.AsyncClient)
        return self

    def _plain(self, url: object, kwargs: dict[str, Any]) -> bool:
        """Whether a call can take the lean path: nothing set but the method and an absolute
        URL under the base URL (as the generated functions call)."""
        client = self._client()
        return (
            type(url) is str
            and url.startswith(self._lean_base)
            and all(value is None or value is _DEFAULT for value in kwargs.values())
            and not client.follow_redirects
            and not client.params
            and not client.cookies
            and not any(client.event_hooks.values())
        )

    def _lean_start(self, method: str, url: object) -> tuple[_Flow, httpx.Request | None]:
        """The auth flow of a new request to ``url``, and the first request it sends."""
        client = self._client()
        if client.is_closed:
            raise InvalidRequest(CLOSED)
        assert isinstance(url, str)
        # A request with no body, given as an empty stream: httpx then adds no header of its
        # own (``_lean_headers`` holds the ones it would add) and reads nothing.
        request = httpx.Request(
            method,
            self._lean_url(url),
            headers=self._lean_headers(method, client.headers),
            stream=_NO_BODY,
            extensions={"timeout": client.timeout.as_dict()},
        )
        request.read()
        # The auth flow does no I/O (see _auth): one generator serves both clients. It is
        # driven as it is, without httpx's sync_auth_flow around it, whose one job is to read
        # the request (done above) and each answer (the boundary hands on every answer read).
        flow = self._lean_auth.auth_flow(request)
        return flow, next(flow)

    def _lean_headers(self, method: str, headers: httpx.Headers) -> httpx.Headers:
        """The headers httpx gives a request without a body to a URL under the base URL: the
        client's, after a Host (and a Content-Length of 0 for the methods that state one),
        unless the client's already hold them.

        httpx builds and normalises them afresh for every request; they change only when the
        client's headers do, so they are built once per set of client headers and method kind,
        and each request takes a copy (tests/unit/test_lean_url.py pins that they equal
        httpx's own).
        """
        raw = headers.raw
        key = (method.upper() in _STATES_LENGTH, *raw)
        known = self._lean_header_sets.get(key)
        if known is None:
            names = {name.lower() for name, _ in raw}
            auto: list[tuple[bytes, bytes]] = []
            if b"host" not in names:
                auto.append((b"Host", self._lean_base_url.netloc))
            if key[0] and not names & {b"content-length", b"transfer-encoding"}:
                auto.append((b"Content-Length", b"0"))
            known = httpx.Headers(auto + raw)
            if len(self._lean_header_sets) >= _HEADER_SETS:
                self._lean_header_sets.clear()  # headers changed per call: keep none for long
            self._lean_header_sets[key] = known
        return known

    def _lean_url(self, url: str) -> httpx.URL | str:
        """``url`` (under the base URL) as httpx would parse it; as given when in doubt."""
        target = _PARSED_FORM.fullmatch(url, self._lean_origin)
        if target is None:
            return url
        return replace_target(self._lean_base_url, target[1], target[2])

    def _lean_next(
        self, flow: _Flow, request: httpx.Request, response: httpx.Response, started: float
    ) -> httpx.Request | None:
        """Hand the flow the answer; the next request it sends, or None when it is done."""
        response.request = request
        response.elapsed = timedelta(seconds=time.perf_counter() - started)
        response.default_encoding = self._lean_encoding
        _log(request, response)
        try:
            return flow.send(response)
        except StopIteration:
            return None


class LeanClient(_Lean, httpx.Client):
    """httpx.Client whose plain calls skip the merging and cookie work (see the module)."""

    def __init__(self, *, auth: httpx.Auth, transport: httpx.BaseTransport, **kwargs: Any) -> None:
        super().__init__(auth=auth, transport=transport, **kwargs)
        self._lean_transport = transport
        self._set_lean(self, auth, **kwargs)

    def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        if not self._plain(url, kwargs):
            return super().request(method, url, **kwargs)
        flow, next_request = self._lean_start(method, url)
        try:
            while next_request is not None:
                request, started = next_request, time.perf_counter()
                response = self._lean_transport.handle_request(request)
                next_request = self._lean_next(flow, request, response, started)
            return response
        finally:
            flow.close()


class LeanAsyncClient(_Lean, httpx.AsyncClient):
    """httpx.AsyncClient whose plain calls skip the merging and cookie work (see the module)."""

    def __init__(
        self, *, auth: httpx.Auth, transport: httpx.AsyncBaseTransport, **kwargs: Any
    ) -> None:
        super().__init__(auth=auth, transport=transport, **kwargs)
        self._lean_transport = transport
        self._set_lean(self, auth, **kwargs)

    async def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        if not self._plain(url, kwargs):
            return await super().request(method, url, **kwargs)
        flow, next_request = self._lean_start(method, url)
        try:
            while next_request is not None:
                request, started = next_request, time.perf_counter()
                response = await self._lean_transport.handle_async_request(request)
                next_request = self._lean_next(flow, request, response, started)
            return response
        finally:
            flow.close()

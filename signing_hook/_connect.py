"""connect(): the generated client, with the signing hook and the fault-mapping transport."""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import ssl
import urllib.request
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import parse_qsl

import httpx

from binance_coinm_futures.client import AuthenticatedClient

from ._auth import BinanceAuth
from ._backends import AsyncBackendName, default_async_backend, sync_backend
from ._backends import async_backend as async_backend_named
from ._calls import Call, CallHook, counting_hooks, report_refusal
from ._clients import CLOSED, LeanAsyncClient, LeanClient
from ._clock import Clock, ServerClock, server_time_of, system_clock
from ._errors import (
    BinanceAPIError,
    BinanceError,
    ClockSyncFailed,
    InvalidParameter,
    InvalidRequest,
)
from ._outcome import answer_json
from ._signers import HmacSigner, Signer, signer_from_private_key
from ._spec import operation_rules, path_of, security_names, server_url, server_urls
from ._transport import BinanceTransport
from ._version import __version__

#: Ours first, then httpx's, as a browser lists its engine: a server log (or Binance support)
#: sees which client and which release sent a request.
USER_AGENT: Final = f"binance-coinm-futures/{__version__} python-httpx/{httpx.__version__}"

#: Never unlimited: a cancel that hangs is worse than one that fails.
DEFAULT_TIMEOUT: Final = httpx.Timeout(10.0, connect=3.0)

_SIGNATURE_IN_QUERY: Final = re.compile(rb"signature=[^&]*")
_INVALID_SYMBOL: Final = -1121
logger: Final = logging.getLogger("binance_coinm_futures")
#: The httpx.Client arguments that neither clash with connect()'s own nor bypass its transport.
_HTTPX_ARGS: Final = frozenset({"params", "max_redirects", "default_encoding", "trust_env"})
#: Refused with their own reason: httpx's hooks see the signed request and the API key.
_EVENT_HOOKS_REFUSED: Final = (
    "httpx_args may not set 'event_hooks' (since 2.0): httpx's hooks see the signed request, "
    "its signature and the X-MBX-APIKEY header. Use connect(on_call=...), which is handed a "
    "CallRecord per call (operation, ids, outcome, status, latency, requests sent, rate-limit "
    "usage) that holds no secret"
)


class _RedactSignature(logging.Filter):
    """httpx logs every request URL at INFO; the signature in it is replaced before output."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(_redact(a) for a in record.args)
        return True


def _redact(value: object) -> object:
    if isinstance(value, httpx.URL) and b"signature=" in value.query:
        return value.copy_with(query=_SIGNATURE_IN_QUERY.sub(b"signature=<hidden>", value.query))
    return value


_httpx_logger = logging.getLogger("httpx")
if not any(isinstance(f, _RedactSignature) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(_RedactSignature())


def _signer(
    secret: str | bytes | None,
    private_key: bytes | str | os.PathLike[str] | None,
    private_key_passphrase: bytes | str | None,
) -> Signer:
    if (secret is None) == (private_key is None):
        raise ValueError("pass exactly one of secret= (HMAC keys) or private_key= (RSA, Ed25519)")
    if secret is not None:
        if private_key_passphrase is not None:
            raise ValueError(
                "private_key_passphrase goes with private_key= (an encrypted PEM key); an HMAC "
                "secret= has none"
            )
        return HmacSigner(_checked_secret(secret))
    assert private_key is not None
    return signer_from_private_key(private_key, private_key_passphrase)


def _given(transport: httpx.AsyncBaseTransport) -> Callable[[], httpx.AsyncBaseTransport]:
    return lambda: transport


class _Client(LeanClient):
    def __init__(self, *, on_call: CallHook | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_call = on_call

    def call_refused(self, method: str, url: str, refusal: BaseException) -> None:
        """A generated function refused the call before building its request (TypeError)."""
        if self._on_call is not None:
            report_refusal(self._on_call, method, url, refusal)

    def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        try:
            return super().request(method, url, **kwargs)  # the lean path, or httpx's (send)
        except InvalidParameter as error:
            _name_the_symbol(error, url)
            raise

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        if self.is_closed:
            raise InvalidRequest(CLOSED)
        try:
            if self._on_call is None:
                return super().send(request, **kwargs)
            with Call(self._on_call, request) as call:
                call.response = super().send(request, **kwargs)
                return call.response
        except InvalidParameter as error:
            _name_the_symbol(error, request.url)
            raise


class _AsyncClient(LeanAsyncClient):
    def __init__(self, *, on_call: CallHook | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_call = on_call
        self._used = False

    def call_refused(self, method: str, url: str, refusal: BaseException) -> None:
        """A generated function refused the call before building its request (TypeError)."""
        if self._on_call is not None:
            report_refusal(self._on_call, method, url, refusal)

    async def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        self._used = True
        try:
            return await super().request(method, url, **kwargs)  # lean, or httpx's (send)
        except InvalidParameter as error:
            _name_the_symbol(error, url)
            raise

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        if self.is_closed:
            raise InvalidRequest(CLOSED)
        self._used = True
        try:
            if self._on_call is None:
                return await super().send(request, **kwargs)
            with Call(self._on_call, request) as call:
                call.response = await super().send(request, **kwargs)
                return call.response
        except InvalidParameter as error:
            _name_the_symbol(error, request.url)
            raise

    def __del__(self) -> None:
        # aiohttp's own warning about an unclosed session names its internals, not the fix.
        if getattr(self, "_used", False) and not self.is_closed:
            logger.warning(
                "an async binance_coinm_futures client was not closed: use `async with "
                "connect(...) as client:` or `await client.get_async_httpx_client().aclose()` "
                "when done (one client per event loop)"
            )


def _name_the_symbol(error: InvalidParameter, url: httpx.URL | str) -> None:
    """-1121 "Invalid symbol." says which symbol: the one this request sent."""
    if error.code == _INVALID_SYMBOL:
        for name, value in parse_qsl(httpx.URL(url).query.decode("ascii", "replace")):
            if name == "symbol":
                error.symbol = value


def _checked_secret(secret: str | bytes) -> str | bytes:
    if not isinstance(secret, str | bytes):
        raise TypeError(f"secret must be str or bytes, got {type(secret).__name__}")
    if secret != secret.strip():
        # Never quoted: the message names the problem, not the value.
        raise ValueError("secret has leading or trailing whitespace (a newline from a file?)")
    return secret


def _checked_timeout(timeout: httpx.Timeout | float) -> httpx.Timeout:
    if timeout is None or isinstance(timeout, bool):
        raise ValueError(f"timeout must be seconds or an httpx.Timeout, got {timeout!r}")
    limits = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    for part in (limits.connect, limits.read, limits.write, limits.pool):
        if not isinstance(part, int | float) or not 0 < part < math.inf:
            raise ValueError(
                "every timeout must be set to a positive, finite number of seconds, "
                f"got {limits!r}: unlimited waits hang a cancel"
            )
    return limits


@functools.cache
def _server_hosts() -> frozenset[str]:
    """The hosts of openapi.yaml's servers (read once: every connect() asks)."""
    return frozenset(httpx.URL(u).host for u in server_urls())


@functools.cache
def _binance_domains() -> frozenset[str]:
    return frozenset(".".join(host.split(".")[-2:]) for host in _server_hosts())


def _checked_url(base_url: str | None, testnet: bool) -> tuple[str, httpx.URL]:
    """The base URL, as given and parsed (once: the checks below and connect() share it)."""
    if base_url is not None and testnet:
        raise ValueError("pass testnet=True or base_url=, not both")
    url = base_url or server_url("Testnet" if testnet else "Production")
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https"):
        raise ValueError(f"base_url must be http:// or https://, got {url!r}")
    host = parsed.host.rstrip(".")
    if parsed.scheme == "http" and any(
        host == domain or host.endswith("." + domain) for domain in _binance_domains()
    ):
        raise ValueError(f"base_url {url!r} would send the API key in clear: use https://")
    if parsed.query or parsed.fragment or "?" in url or "#" in url:
        raise ValueError(f"base_url must have no query or fragment, got {url!r}")
    if parsed.path not in ("", "/"):
        # The spec's paths are absolute: under a prefix, validation and the time endpoint
        # would silently miss.
        raise ValueError(f"base_url must have no path, got {url!r}")
    return url, parsed


def _proxy(proxy: str | httpx.URL | None, target: httpx.URL, trust_env: bool) -> httpx.URL | None:
    """The proxy to send through: the one given, else the environment's, as httpx reads it
    (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY; NO_PROXY), unless httpx_args sets trust_env=False."""
    if proxy is None and trust_env:
        found = urllib.request.getproxies()
        # NO_PROXY is matched only when some proxy is set (proxy_bypass scans the environment
        # again); with NO_PROXY alone there is no proxy to bypass.
        if found and not urllib.request.proxy_bypass(target.host):
            proxy = found.get(target.scheme) or found.get("all")
    if proxy is None:
        return None
    parsed = httpx.URL(proxy)
    if parsed.scheme not in ("http", "https"):
        raise ValueError(f"proxy must be an http:// or https:// URL, got {parsed.scheme!r}")
    return parsed


def _tls(
    verify: ssl.SSLContext | str | os.PathLike[str] | bool, url: str, parsed: httpx.URL
) -> ssl.SSLContext | bool:
    host = parsed.host.rstrip(".")
    if verify is False and host in _server_hosts():
        raise ValueError(f"TLS verification cannot be switched off for {url}")
    if isinstance(verify, str | os.PathLike):
        return ssl.create_default_context(cafile=os.fspath(verify))
    return verify


def connect(
    api_key: str,
    secret: str | bytes | None = None,
    *,
    private_key: bytes | str | os.PathLike[str] | None = None,
    private_key_passphrase: bytes | str | None = None,
    base_url: str | None = None,
    testnet: bool = False,
    recv_window: int | None = None,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    verify: ssl.SSLContext | str | os.PathLike[str] | bool = True,
    sync_clock: bool = False,
    clock: Clock = system_clock,
    async_backend: AsyncBackendName | None = None,
    async_transport: httpx.AsyncBaseTransport | None = None,
    proxy: str | httpx.URL | None = None,
    on_call: CallHook | None = None,
    httpx_args: dict[str, Any] | None = None,
) -> AuthenticatedClient:
    """The generated client, signing every request with this key.

    Args:
        api_key: the API key, sent as ``X-MBX-APIKEY``.
        secret: the secret of an HMAC key.
        private_key: a PEM private key of an RSA or Ed25519 key (bytes, text or a path);
            needs the ``keys`` extra. The key type is read from the key.
        private_key_passphrase: the passphrase of an encrypted private key.
        base_url: where to send requests; defaults to production (``testnet=True``: the
            testnet). Pass a local exchange's URL in tests.
        recv_window: the recvWindow sent with every signed call that does not set its own;
            None sends none (the exchange assumes 5000 ms).
        timeout: seconds, or an ``httpx.Timeout``: every part positive and finite. Each wait
            is bounded by it, and the whole call (with a time fetch and resend after -1021)
            by its largest part.
        verify: TLS verification: True (certifi's CAs), a CA bundle path, or an
            ``ssl.SSLContext``. Cannot be switched off for the hosts named in openapi.yaml.
        sync_clock: fetch the server time once now and correct the clock offset. Without it
            the offset is learned on the first -1021 answer, which is resent once.
        clock: local milliseconds since the epoch; injectable for tests.
        async_backend: what moves the async client's bytes: ``"asyncio"`` (HTTP/1.1 on
            asyncio's own transports, parsed by httptools: the least CPU per call),
            ``"aiohttp"`` or ``"httpx"`` (httpx's own transport). All of them send the signed
            bytes unchanged and fail the same way. None (the default) picks ``"asyncio"``, or
            ``"aiohttp"`` when a proxy is used: the asyncio backend does not do proxies, and
            naming it together with a proxy is a ValueError (nothing is sent). The sync
            client always uses httpx's transport.
        async_transport: an httpx async transport to use instead of any backend. It must
            send the URL's bytes unchanged: httpx-aiohttp 0.2.0 does not (aiohttp re-quotes the
            query, turning ``%3A`` into ``:``), so a signed id containing ``:`` or ``/`` is
            refused with -1022 through it.
        proxy: an http:// or https:// proxy URL. None uses the environment's
            (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``, honouring ``NO_PROXY``) unless
            ``httpx_args={"trust_env": False}``. Requests still go through this package's
            transport, so every guarantee holds.
        on_call: called with a ``CallRecord`` after every call, whatever its outcome: the
            operation, symbol and ids, the outcome (success, or the exception's class and
            Binance code), HTTP status, latency, requests sent and rate-limit usage. It holds
            no secret. A hook that raises is logged and ignored.
        httpx_args: further arguments for both httpx clients: only ``params``,
            ``max_redirects``, ``default_encoding`` and ``trust_env``; the others clash with
            connect()'s own or would bypass its transport. ``event_hooks`` is refused: use
            ``on_call``.
    """
    if not isinstance(api_key, str):
        raise TypeError(f"api_key must be str, got {type(api_key).__name__}")
    limits = _checked_timeout(timeout)
    extra = dict(httpx_args or {})
    if "event_hooks" in extra:
        raise ValueError(_EVENT_HOOKS_REFUSED)
    if on_call is not None and not callable(on_call):
        raise TypeError(f"on_call must be callable, got {type(on_call).__name__}")
    refused = sorted(set(extra) - _HTTPX_ARGS)
    if refused:
        raise ValueError(
            f"httpx_args may not set {', '.join(map(repr, refused))}: connect() sets its own or "
            f"they would bypass its transport; allowed: {', '.join(sorted(_HTTPX_ARGS))}"
        )
    url, parsed = _checked_url(base_url, testnet)
    via = _proxy(proxy, parsed, bool(extra.get("trust_env", True)))
    rules = operation_rules()
    if recv_window is not None:
        if isinstance(recv_window, bool) or not isinstance(recv_window, int):
            raise InvalidRequest("recv_window must be an integer", parameter="recv_window")
        rules["DELETE", path_of("cancelOrder")].parameters["recvWindow"].check(str(recv_window))
    tls = _tls(verify, url, parsed)
    # Checked here, before anything else is built: a wrong name fails the call to connect().
    moves_async = async_backend_named(
        default_async_backend(via) if async_backend is None else async_backend,
        verify=tls,
        proxy=via,
    )
    names = security_names()
    auth = BinanceAuth(
        api_key,
        _signer(secret, private_key, private_key_passphrase),
        clock=ServerClock(clock),
        recv_window=recv_window,
        rules=rules,
        time_path=path_of("getServerTime"),
        names=names,
    )

    def build(async_transport: httpx.AsyncBaseTransport | None) -> AuthenticatedClient:
        # The same auth flow and transport for both httpx clients and for the clients the
        # generated with_timeout() and with_headers() make from this one.
        httpx_args = {
            **extra,
            "auth": auth,
            "transport": BinanceTransport(
                sync_backend=sync_backend(verify=tls, proxy=via),
                async_backend=moves_async if async_transport is None else _given(async_transport),
            ),
        }
        client = AuthenticatedClient(
            base_url=url,
            token="",  # the key is set per request by the auth flow, so no repr ever shows it
            prefix="",
            auth_header_name=names.api_key_header,
            timeout=limits,
            verify_ssl=tls,
            raise_on_unexpected_status=True,
            httpx_args=httpx_args,
        )
        # Both httpx clients are made here, once: the generated client would make them lazily,
        # once per racing thread.
        # The base URL as _checked_url parsed it: httpx takes an httpx.URL without parsing again.
        common = {
            "base_url": parsed,
            "timeout": limits,
            "headers": {"User-Agent": USER_AGENT},
            **httpx_args,
        }
        if on_call is None:
            sync, asynchronous = _Client(**common), _AsyncClient(**common)
        else:
            sync = _Client(
                on_call=on_call, event_hooks=counting_hooks(asynchronous=False), **common
            )
            asynchronous = _AsyncClient(
                on_call=on_call, event_hooks=counting_hooks(asynchronous=True), **common
            )
        return client.set_httpx_client(sync).set_async_httpx_client(asynchronous)

    if sync_clock:
        # A short-lived client of its own, so the returned one is still unopened and can be
        # used as a context manager.
        failure: BinanceError | None = None
        with build(None) as probe:
            sent_at = auth.clock.local_ms()
            try:
                answer = probe.get_httpx_client().get(path_of("getServerTime"))
                server_ms = server_time_of(answer_json(answer))
                if server_ms is None:
                    raise ValueError("the answer holds no integer serverTime")
                auth.clock.observe(server_ms, sent_at, auth.clock.local_ms())
            except BinanceAPIError:
                raise  # the exchange answered with an error (429, 418, …): as it is
            except (BinanceError, ValueError) as error:
                failure = ClockSyncFailed(f"sync_clock: the server time is unusable: {error}")
        if failure is not None:
            raise failure
    return build(async_transport)

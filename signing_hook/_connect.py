"""connect(): the generated client, with the signing hook and the fault-mapping transport."""

from __future__ import annotations

import logging
import os
import re
import ssl
from typing import Any, Final, Literal

import httpx

from binance_coinm_futures import AuthenticatedClient
from signing_hook._auth import BinanceAuth
from signing_hook._clock import Clock, ServerClock, system_clock
from signing_hook._errors import InvalidRequest
from signing_hook._signers import HmacSigner, Signer, signer_from_private_key
from signing_hook._spec import operation_rules, path_of, server_url, server_urls
from signing_hook._transport import BinanceTransport

#: Never unlimited: a cancel that hangs is worse than one that fails.
DEFAULT_TIMEOUT: Final = httpx.Timeout(10.0, connect=3.0)

_SIGNATURE_IN_QUERY: Final = re.compile(rb"signature=[^&]*")


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
        return HmacSigner(secret)
    assert private_key is not None
    return signer_from_private_key(private_key, private_key_passphrase)


def _tls(verify: ssl.SSLContext | str | os.PathLike[str] | bool, url: str) -> ssl.SSLContext | bool:
    host = httpx.URL(url).host.rstrip(".")
    if verify is False and host in {httpx.URL(u).host for u in server_urls()}:
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
    async_backend: Literal["aiohttp", "httpx"] = "aiohttp",
    async_transport: httpx.AsyncBaseTransport | None = None,
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
        timeout: seconds, or an ``httpx.Timeout``. Never unlimited.
        verify: TLS verification: True (certifi's CAs), a CA bundle path, or an
            ``ssl.SSLContext``. Cannot be switched off for the hosts named in openapi.yaml.
        sync_clock: fetch the server time once now and correct the clock offset. Without it
            the offset is learned on the first -1021 answer, which is resent once.
        clock: local milliseconds since the epoch; injectable for tests.
        async_backend: what moves the async client's bytes: ``"aiohttp"`` (the default; fast
            with many requests in flight) or ``"httpx"`` (httpx's own transport). Both send
            the signed bytes unchanged and fail the same way. The sync client always uses
            httpx's transport.
        async_transport: an httpx async transport to use instead of either backend. It must
            send the URL's bytes unchanged: httpx-aiohttp 0.2.0 does not (aiohttp re-quotes the
            query, turning ``%3A`` into ``:``), so a signed id containing ``:`` or ``/`` is
            refused with -1022 through it.
        httpx_args: further arguments for both httpx clients (not ``auth`` or ``transport``).
    """
    limits = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    if None in (limits.connect, limits.read, limits.write, limits.pool):
        raise ValueError(
            f"every timeout must be set, got {limits!r}: unlimited waits hang a cancel"
        )
    rules = operation_rules()
    if recv_window is not None:
        if isinstance(recv_window, bool) or not isinstance(recv_window, int):
            raise InvalidRequest("recvWindow must be an integer", parameter="recvWindow")
        rules["DELETE", path_of("cancelOrder")].parameters["recvWindow"].check(str(recv_window))
    url = base_url or server_url("Testnet" if testnet else "Production")
    if httpx.URL(url).path not in ("", "/"):
        # The spec's paths are absolute: under a prefix, validation and the time endpoint
        # would silently miss.
        raise ValueError(f"base_url must have no path, got {url!r}")
    if async_backend not in ("aiohttp", "httpx"):
        raise ValueError(f"async_backend must be 'aiohttp' or 'httpx', got {async_backend!r}")
    tls = _tls(verify, url)
    extra = dict(httpx_args or {})
    for reserved in ("auth", "transport"):
        if reserved in extra:
            raise ValueError(f"httpx_args may not set {reserved!r}: connect() installs its own")
    auth = BinanceAuth(
        api_key,
        _signer(secret, private_key, private_key_passphrase),
        clock=ServerClock(clock),
        recv_window=recv_window,
        rules=rules,
        time_path=path_of("getServerTime"),
    )

    def build(async_transport: httpx.AsyncBaseTransport | None) -> AuthenticatedClient:
        return AuthenticatedClient(
            base_url=url,
            token="",  # the key is set per request by the auth flow, so no repr ever shows it
            prefix="",
            auth_header_name="X-MBX-APIKEY",
            timeout=limits,
            verify_ssl=tls,
            raise_on_unexpected_status=True,
            httpx_args={
                **extra,
                "auth": auth,
                "transport": BinanceTransport(
                    verify=tls, async_transport=async_transport, async_backend=async_backend
                ),
            },
        )

    if sync_clock:
        # Imported here: only this option needs the time endpoint at connect, and importing
        # it costs every user's startup.
        from binance_coinm_futures.api.market import get_server_time

        # A short-lived client of its own, so the returned one is still unopened and can be
        # used as a context manager.
        with build(None) as probe:
            sent_at = auth.clock.local_ms()
            server = get_server_time.sync(client=probe)
            auth.clock.observe(server.server_time, sent_at, auth.clock.local_ms())
    return build(async_transport)

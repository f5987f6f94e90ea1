"""HTTPS with a throwaway CA: verification is on by default, and a custom CA can be trusted."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from binance_coinm_futures import NothingSent, connect
from binance_coinm_futures.api.trade import cancel_order
from binance_coinm_futures.testing import LocalExchange, Order
from tests.wire.conftest import HMAC_KEY, HMAC_SECRET
from tests.wire.test_boundary import forwarding_proxy

SYMBOL = "BTCUSD_PERP"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_exchange(ca: trustme.CA) -> Iterator[LocalExchange]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    with LocalExchange(api_keys={HMAC_KEY: HMAC_SECRET}, ssl_context=context) as running:
        running.add_order(Order(order_id=1, client_order_id="tls-1", symbol=SYMBOL))
        yield running


def test_untrusted_certificate_is_refused_by_default(tls_exchange: LocalExchange) -> None:
    assert tls_exchange.url.startswith("https://")
    with connect(api_key=HMAC_KEY, secret=HMAC_SECRET, base_url=tls_exchange.url) as client:
        with pytest.raises(NothingSent, match="CERTIFICATE_VERIFY_FAILED"):
            cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
    assert tls_exchange.requests == []


def test_custom_ca_bundle_path(tls_exchange: LocalExchange, ca: trustme.CA, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with connect(
        api_key=HMAC_KEY, secret=HMAC_SECRET, base_url=tls_exchange.url, verify=str(bundle)
    ) as client:
        assert cancel_order.sync(client=client, symbol=SYMBOL, order_id=1).order_id == 1


def test_https_through_a_proxy_keeps_verification(
    tls_exchange: LocalExchange, ca: trustme.CA, tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    args: dict[str, Any] = {
        "api_key": HMAC_KEY,
        "secret": HMAC_SECRET,
        "base_url": tls_exchange.url,
    }
    with forwarding_proxy() as proxy:
        with connect(**args, proxy=proxy.url) as client:
            with pytest.raises(NothingSent, match="CERTIFICATE_VERIFY_FAILED"):
                cancel_order.sync(client=client, symbol=SYMBOL, order_id=1)
        with connect(**args, proxy=proxy.url, verify=str(bundle)) as client:
            assert cancel_order.sync(client=client, symbol=SYMBOL, order_id=1).order_id == 1
    authority = tls_exchange.url.removeprefix("https://").encode()
    assert proxy.seen == [b"CONNECT %s HTTP/1.1" % authority] * 2
    assert len(tls_exchange.requests) == 1


@pytest.mark.anyio
async def test_custom_ssl_context_async(
    tls_exchange: LocalExchange, ca: trustme.CA, backend_args: dict[str, Any]
) -> None:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    client = connect(
        api_key=HMAC_KEY,
        secret=HMAC_SECRET,
        base_url=tls_exchange.url,
        verify=context,
        **backend_args,
    )
    async with client:
        order = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)
    assert order.order_id == 1


@pytest.mark.anyio
async def test_untrusted_certificate_is_refused_by_default_async(
    tls_exchange: LocalExchange, backend_args: dict[str, Any]
) -> None:
    client = connect(
        api_key=HMAC_KEY, secret=HMAC_SECRET, base_url=tls_exchange.url, **backend_args
    )
    async with client:
        with pytest.raises(NothingSent, match="CERTIFICATE_VERIFY_FAILED"):
            await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)
    assert tls_exchange.requests == []


@pytest.mark.anyio
async def test_custom_ca_bundle_path_async(
    tls_exchange: LocalExchange, ca: trustme.CA, tmp_path: Path, backend_args: dict[str, Any]
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    client = connect(
        api_key=HMAC_KEY,
        secret=HMAC_SECRET,
        base_url=tls_exchange.url,
        verify=str(bundle),
        **backend_args,
    )
    async with client:
        order = await cancel_order.asyncio(client=client, symbol=SYMBOL, order_id=1)
    assert order.order_id == 1


@pytest.mark.parametrize("url", ["https://dapi.binance.com", "https://testnet.binancefuture.com"])
def test_verification_cannot_be_switched_off_for_binance(url: str) -> None:
    with pytest.raises(ValueError, match="cannot be switched off"):
        connect(api_key=HMAC_KEY, secret=HMAC_SECRET, base_url=url, verify=False)


def test_trailing_dot_host_is_still_binance() -> None:
    with pytest.raises(ValueError, match="cannot be switched off"):
        connect(
            api_key=HMAC_KEY,
            secret=HMAC_SECRET,
            base_url="https://dapi.binance.com.",
            verify=False,
        )


@pytest.mark.parametrize(
    "timeout", [httpx.Timeout(None), httpx.Timeout(5.0, read=None), httpx.Timeout(5.0, pool=None)]
)
def test_unlimited_timeouts_are_refused(timeout: httpx.Timeout) -> None:
    with pytest.raises(ValueError, match="every timeout must be set"):
        connect(api_key=HMAC_KEY, secret=HMAC_SECRET, timeout=timeout)


def test_base_url_with_a_path_is_refused() -> None:
    with pytest.raises(ValueError, match="no path"):
        connect(api_key=HMAC_KEY, secret=HMAC_SECRET, base_url="http://127.0.0.1:1/proxy")

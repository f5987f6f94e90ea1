"""The public surface is explicit and pinned: a change here is a versioning decision."""

from __future__ import annotations

import inspect
import re

import pytest

import binance_coinm_futures
from tests.conftest import ROOT

PUBLIC = [
    "DEFAULT_TIMEOUT",
    "AccountRejected",
    "ApiKeyRejected",
    "AsyncDeadMansSwitch",
    "BinanceAPIError",
    "BinanceAuth",
    "BinanceError",
    "BinanceTransport",
    "CallRecord",
    "Clock",
    "ClockSyncFailed",
    "DeadMansSwitch",
    "Ed25519Signer",
    "ExchangeMaintenance",
    "ExecutionStatusUnknown",
    "FirewallRejected",
    "FlatBook",
    "HmacSigner",
    "InvalidParameter",
    "InvalidRequest",
    "InvalidSignature",
    "IpBanned",
    "NothingSent",
    "OrderState",
    "ProtectionLapsed",
    "RateLimitUsage",
    "RateLimited",
    "RequestRejected",
    "RsaSigner",
    "ServerClock",
    "ServiceUnavailable",
    "Signer",
    "TimestampRejected",
    "UnknownOrder",
    "__version__",
    "cancel_and_confirm",
    "cancel_and_confirm_async",
    "cancel_batch",
    "cancel_batch_async",
    "cancel_many",
    "cancel_many_async",
    "connect",
    "dead_mans_switch",
    "dead_mans_switch_async",
    "flatten_book",
    "flatten_book_async",
    "rate_limit_usage",
    "signer_from_private_key",
    "system_clock",
]


def test_all_is_pinned_and_sorted() -> None:
    assert binance_coinm_futures.__all__ == PUBLIC
    for name in PUBLIC:
        assert hasattr(binance_coinm_futures, name), name
    assert set(dir(binance_coinm_futures)) >= set(PUBLIC)


def test_every_public_name_has_one_home() -> None:
    from binance_coinm_futures import _runtime

    assert sorted(_runtime._HOME) == sorted(PUBLIC)


def test_an_unknown_name_is_an_attribute_error_naming_the_root() -> None:
    with pytest.raises(AttributeError, match=r"module 'binance_coinm_futures' has no attribute"):
        binance_coinm_futures.Connect  # noqa: B018 - misspelt on purpose


def test_public_classes_and_functions_live_in_private_modules() -> None:
    for name in PUBLIC:
        value = getattr(binance_coinm_futures, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__module__.startswith("binance_coinm_futures._runtime._"), (
                name,
                value.__module__,
            )


def test_exception_tree_has_one_root() -> None:
    errors = [
        getattr(binance_coinm_futures, name)
        for name in PUBLIC
        if isinstance(getattr(binance_coinm_futures, name), type)
        and issubclass(getattr(binance_coinm_futures, name), Exception)
    ]
    assert len(errors) == 19
    assert all(issubclass(error, binance_coinm_futures.BinanceError) for error in errors)


def test_changelog_top_entry_is_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    released = re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert released, "CHANGELOG.md has no released entry"
    assert released[0] == binance_coinm_futures.__version__

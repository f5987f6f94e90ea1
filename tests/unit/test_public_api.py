"""The public surface is explicit and pinned: a change here is a versioning decision."""

from __future__ import annotations

import inspect
import re

import signing_hook
from tests.conftest import ROOT

PUBLIC = [
    "DEFAULT_TIMEOUT",
    "AccountRejected",
    "ApiKeyRejected",
    "BinanceAPIError",
    "BinanceAuth",
    "BinanceError",
    "BinanceTransport",
    "Clock",
    "ClockSyncFailed",
    "Ed25519Signer",
    "ExchangeMaintenance",
    "ExecutionStatusUnknown",
    "FirewallRejected",
    "HmacSigner",
    "InvalidParameter",
    "InvalidRequest",
    "InvalidSignature",
    "IpBanned",
    "NothingSent",
    "OrderState",
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
    "connect",
    "rate_limit_usage",
    "signer_from_private_key",
    "system_clock",
]


def test_all_is_pinned_and_sorted() -> None:
    assert signing_hook.__all__ == PUBLIC
    for name in PUBLIC:
        assert hasattr(signing_hook, name), name


def test_public_classes_and_functions_live_in_private_modules() -> None:
    for name in PUBLIC:
        value = getattr(signing_hook, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__module__.startswith("signing_hook._"), (name, value.__module__)


def test_exception_tree_has_one_root() -> None:
    errors = [
        getattr(signing_hook, name)
        for name in PUBLIC
        if isinstance(getattr(signing_hook, name), type)
        and issubclass(getattr(signing_hook, name), Exception)
    ]
    assert len(errors) == 18
    assert all(issubclass(error, signing_hook.BinanceError) for error in errors)


def test_changelog_top_entry_is_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    released = re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert released, "CHANGELOG.md has no released entry"
    assert released[0] == signing_hook.__version__

"""The hand-written runtime: signing, clock, errors, the fault boundary, connect() and helpers.

In the repository this is the folder ``signing_hook/``; the package maps it to
``binance_coinm_futures._runtime``, and the root package re-exports the names below, so that
users import everything from ``binance_coinm_futures``. The endpoint functions themselves are
generated (``binance_coinm_futures.api``); this runtime installs itself into their client
through ``httpx_args`` and never changes generated code.

Every public name loads on first use: an import of the package pays only for what it touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._auth import BinanceAuth
    from ._bulk import (
        FlatBook,
        cancel_batch,
        cancel_batch_async,
        cancel_many,
        cancel_many_async,
        flatten_book,
        flatten_book_async,
    )
    from ._calls import CallRecord
    from ._clock import Clock, ServerClock, system_clock
    from ._confirm import OrderState, cancel_and_confirm, cancel_and_confirm_async
    from ._connect import DEFAULT_TIMEOUT, connect
    from ._deadman import (
        AsyncDeadMansSwitch,
        DeadMansSwitch,
        dead_mans_switch,
        dead_mans_switch_async,
    )
    from ._errors import (
        AccountRejected,
        ApiKeyRejected,
        BinanceAPIError,
        BinanceError,
        ClockSyncFailed,
        ExchangeMaintenance,
        ExecutionStatusUnknown,
        FirewallRejected,
        InvalidParameter,
        InvalidRequest,
        InvalidSignature,
        IpBanned,
        NothingSent,
        ProtectionLapsed,
        RateLimited,
        RequestRejected,
        ServiceUnavailable,
        TimestampRejected,
        UnknownOrder,
    )
    from ._signers import (
        Ed25519Signer,
        HmacSigner,
        RsaSigner,
        Signer,
        signer_from_private_key,
    )
    from ._transport import BinanceTransport
    from ._usage import RateLimitUsage, rate_limit_usage
    from ._version import __version__

#: Each public name and the private module that defines it.
_HOME: dict[str, str] = {
    "DEFAULT_TIMEOUT": "._connect",
    "AccountRejected": "._errors",
    "ApiKeyRejected": "._errors",
    "AsyncDeadMansSwitch": "._deadman",
    "BinanceAPIError": "._errors",
    "BinanceAuth": "._auth",
    "BinanceError": "._errors",
    "BinanceTransport": "._transport",
    "CallRecord": "._calls",
    "Clock": "._clock",
    "ClockSyncFailed": "._errors",
    "DeadMansSwitch": "._deadman",
    "Ed25519Signer": "._signers",
    "ExchangeMaintenance": "._errors",
    "ExecutionStatusUnknown": "._errors",
    "FirewallRejected": "._errors",
    "FlatBook": "._bulk",
    "HmacSigner": "._signers",
    "InvalidParameter": "._errors",
    "InvalidRequest": "._errors",
    "InvalidSignature": "._errors",
    "IpBanned": "._errors",
    "NothingSent": "._errors",
    "OrderState": "._confirm",
    "ProtectionLapsed": "._errors",
    "RateLimitUsage": "._usage",
    "RateLimited": "._errors",
    "RequestRejected": "._errors",
    "RsaSigner": "._signers",
    "ServerClock": "._clock",
    "ServiceUnavailable": "._errors",
    "Signer": "._signers",
    "TimestampRejected": "._errors",
    "UnknownOrder": "._errors",
    "__version__": "._version",
    "cancel_and_confirm": "._confirm",
    "cancel_and_confirm_async": "._confirm",
    "cancel_batch": "._bulk",
    "cancel_batch_async": "._bulk",
    "cancel_many": "._bulk",
    "cancel_many_async": "._bulk",
    "connect": "._connect",
    "dead_mans_switch": "._deadman",
    "dead_mans_switch_async": "._deadman",
    "flatten_book": "._bulk",
    "flatten_book_async": "._bulk",
    "rate_limit_usage": "._usage",
    "signer_from_private_key": "._signers",
    "system_clock": "._clock",
}

__all__ = [
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


def public(name: str, package: str) -> object:
    """The public object called ``name``, imported from its module on first use."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home, __name__), name)

"""Hand-written runtime of binance-coinm-futures: signing, clock, errors and connect().

The endpoint functions themselves are generated, in ``binance_coinm_futures``; this package
installs itself into their client through ``httpx_args`` and never changes generated code.
"""

from typing import TYPE_CHECKING

from signing_hook._auth import BinanceAuth
from signing_hook._clock import Clock, ServerClock, system_clock
from signing_hook._connect import DEFAULT_TIMEOUT, connect
from signing_hook._errors import (
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
    RateLimited,
    RequestRejected,
    ServiceUnavailable,
    TimestampRejected,
    UnknownOrder,
)
from signing_hook._signers import (
    Ed25519Signer,
    HmacSigner,
    RsaSigner,
    Signer,
    signer_from_private_key,
)
from signing_hook._transport import BinanceTransport
from signing_hook._usage import RateLimitUsage, rate_limit_usage
from signing_hook._version import __version__

__all__ = [
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

if TYPE_CHECKING:
    from signing_hook._confirm import OrderState, cancel_and_confirm, cancel_and_confirm_async
else:
    _CONFIRM = frozenset({"OrderState", "cancel_and_confirm", "cancel_and_confirm_async"})

    def __getattr__(name: str) -> object:
        # cancel_and_confirm loads on first use: every `import signing_hook` would pay for it.
        if name not in _CONFIRM:
            raise AttributeError(f"module 'signing_hook' has no attribute {name!r}")
        from signing_hook import _confirm

        value = getattr(_confirm, name)
        globals()[name] = value
        return value

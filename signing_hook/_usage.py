"""Rate-limit usage, as the exchange reports it in response headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

_WEIGHT_PREFIX: Final = "x-mbx-used-weight-"
_ORDER_COUNT_PREFIX: Final = "x-mbx-order-count-"


@attrs.frozen
class RateLimitUsage:
    """Usage per interval, keyed by Binance's interval suffix in lower case (``"1m"``, ``"10s"``).

    ``used_weight`` comes from ``X-MBX-USED-WEIGHT-*`` (this IP's request weight);
    ``order_count`` from ``X-MBX-ORDER-COUNT-*`` (this account's orders).
    """

    used_weight: Mapping[str, int] = attrs.field(factory=dict)
    order_count: Mapping[str, int] = attrs.field(factory=dict)

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimitUsage | None:
        """The usage the headers report, or None when they report none."""
        weight: dict[str, int] = {}
        orders: dict[str, int] = {}
        for name, value in headers.items():
            lowered = name.lower()
            if lowered.startswith(_WEIGHT_PREFIX):
                target, interval = weight, lowered[len(_WEIGHT_PREFIX) :]
            elif lowered.startswith(_ORDER_COUNT_PREFIX):
                target, interval = orders, lowered[len(_ORDER_COUNT_PREFIX) :]
            else:
                continue
            try:
                target[interval] = int(value)
            except ValueError:
                continue
        if not weight and not orders:
            return None
        return cls(used_weight=weight, order_count=orders)


def rate_limit_usage(headers: Mapping[str, str]) -> RateLimitUsage | None:
    """The rate-limit usage of a response, e.g. ``rate_limit_usage(detailed.headers)``."""
    return RateLimitUsage.from_headers(headers)

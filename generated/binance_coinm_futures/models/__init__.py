"""Contains all the data models used in inputs/outputs.

Each model is imported on first use, so that an endpoint module pays only for the models it
returns.
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .algo_order import AlgoOrder
    from .batch_item_unknown import BatchItemUnknown
    from .cancel_algo_order_response import CancelAlgoOrderResponse
    from .cancel_algo_order_response_code import CancelAlgoOrderResponseCode
    from .cancel_all_response import CancelAllResponse
    from .cancel_all_response_code import CancelAllResponseCode
    from .cancel_order_response import CancelOrderResponse
    from .countdown_response import CountdownResponse
    from .error import Error
    from .query_order_response import QueryOrderResponse
    from .server_time import ServerTime

#: Each model and the module that defines it.
_HOME: dict[str, str] = {
    "AlgoOrder": ".algo_order",
    "BatchItemUnknown": ".batch_item_unknown",
    "CancelAlgoOrderResponse": ".cancel_algo_order_response",
    "CancelAlgoOrderResponseCode": ".cancel_algo_order_response_code",
    "CancelAllResponse": ".cancel_all_response",
    "CancelAllResponseCode": ".cancel_all_response_code",
    "CancelOrderResponse": ".cancel_order_response",
    "CountdownResponse": ".countdown_response",
    "Error": ".error",
    "QueryOrderResponse": ".query_order_response",
    "ServerTime": ".server_time",
}

__all__ = (
    "AlgoOrder",
    "BatchItemUnknown",
    "CancelAlgoOrderResponse",
    "CancelAlgoOrderResponseCode",
    "CancelAllResponse",
    "CancelAllResponseCode",
    "CancelOrderResponse",
    "CountdownResponse",
    "Error",
    "QueryOrderResponse",
    "ServerTime",
)


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home, __name__), name)
        globals()[name] = value
        return value
    # A model's module, as `models.algo_order` was reachable when the package imported them all
    # (importing a submodule sets it on the package).
    if "." + name in _HOME.values():
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

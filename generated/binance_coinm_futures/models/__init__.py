"""Contains all the data models used in inputs/outputs"""

from .algo_order import AlgoOrder
from .cancel_algo_order_response import CancelAlgoOrderResponse
from .cancel_algo_order_response_code import CancelAlgoOrderResponseCode
from .cancel_order_response import CancelOrderResponse
from .error import Error
from .query_order_response import QueryOrderResponse
from .server_time import ServerTime

__all__ = (
    "AlgoOrder",
    "CancelAlgoOrderResponse",
    "CancelAlgoOrderResponseCode",
    "CancelOrderResponse",
    "Error",
    "QueryOrderResponse",
    "ServerTime",
)

"""Contains all the data models used in inputs/outputs"""

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

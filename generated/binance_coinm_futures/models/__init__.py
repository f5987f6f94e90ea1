"""Contains all the data models used in inputs/outputs"""

from .cancel_order_response import CancelOrderResponse
from .error import Error
from .query_order_response import QueryOrderResponse
from .server_time import ServerTime

__all__ = (
    "CancelOrderResponse",
    "Error",
    "QueryOrderResponse",
    "ServerTime",
)

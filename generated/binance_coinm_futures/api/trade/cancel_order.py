from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cancel_order_response import CancelOrderResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    symbol: str,
    order_id: int | Unset = UNSET,
    orig_client_order_id: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["symbol"] = symbol

    params["orderId"] = order_id

    params["origClientOrderId"] = orig_client_order_id

    params["recvWindow"] = recv_window

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/dapi/v1/order" + "?" + urlencode(params),
    }
    return _kwargs


def _joined(http: httpx.Client | httpx.AsyncClient, url: str) -> str:
    """``url`` joined to the httpx client's base URL, as httpx would join it.

    httpx merges a relative URL into its base URL with a second full parse of the result; a
    URL that is already absolute is parsed once.
    """
    return str(http.base_url).rstrip("/") + "/" + url.lstrip("/")


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CancelOrderResponse:
    if response.status_code == 200:
        response_200 = CancelOrderResponse.from_dict(response.json())

        return response_200

    raise errors.UnexpectedStatus(response.status_code, response.content)


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CancelOrderResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_id: int | Unset = UNSET,
    orig_client_order_id: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> Response[CancelOrderResponse]:
    """Cancel an active order.

     Cancel an active order for COIN-M Futures. Weight: 1.

    Either `orderId` or `origClientOrderId` must be sent; when both are
    sent, `orderId` takes precedence. The returned data represents the
    state of the cancelled order.

    Signed endpoint (USER_DATA): the `X-MBX-APIKEY` header, a `timestamp`
    and a `signature` computed over the exact query string that is sent
    (signature last) are all required.

    Args:
        symbol (str):
        order_id (int | Unset):
        orig_client_order_id (str | Unset):
        recv_window (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server answers anything but 200. With the
            signing hook installed, its typed Binance errors are raised first.
        httpx.HTTPError: If the transport fails.

    Returns:
        Response[CancelOrderResponse]: the status, headers, raw body and parsed model.
    """

    kwargs = _get_kwargs(
        symbol=symbol,
        order_id=order_id,
        orig_client_order_id=orig_client_order_id,
        recv_window=recv_window,
    )

    http = client.get_httpx_client()
    kwargs["url"] = _joined(http, kwargs["url"])
    response = http.request(**kwargs)

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_id: int | Unset = UNSET,
    orig_client_order_id: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> CancelOrderResponse:
    """Cancel an active order.

     Cancel an active order for COIN-M Futures. Weight: 1.

    Either `orderId` or `origClientOrderId` must be sent; when both are
    sent, `orderId` takes precedence. The returned data represents the
    state of the cancelled order.

    Signed endpoint (USER_DATA): the `X-MBX-APIKEY` header, a `timestamp`
    and a `signature` computed over the exact query string that is sent
    (signature last) are all required.

    Args:
        symbol (str):
        order_id (int | Unset):
        orig_client_order_id (str | Unset):
        recv_window (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server answers anything but 200. With the
            signing hook installed, its typed Binance errors are raised first.
        httpx.HTTPError: If the transport fails.

    Returns:
        CancelOrderResponse
    """

    kwargs = _get_kwargs(
        symbol=symbol,
        order_id=order_id,
        orig_client_order_id=orig_client_order_id,
        recv_window=recv_window,
    )

    http = client.get_httpx_client()
    kwargs["url"] = _joined(http, kwargs["url"])
    response = http.request(**kwargs)

    return _parse_response(client=client, response=response)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_id: int | Unset = UNSET,
    orig_client_order_id: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> Response[CancelOrderResponse]:
    """Cancel an active order.

     Cancel an active order for COIN-M Futures. Weight: 1.

    Either `orderId` or `origClientOrderId` must be sent; when both are
    sent, `orderId` takes precedence. The returned data represents the
    state of the cancelled order.

    Signed endpoint (USER_DATA): the `X-MBX-APIKEY` header, a `timestamp`
    and a `signature` computed over the exact query string that is sent
    (signature last) are all required.

    Args:
        symbol (str):
        order_id (int | Unset):
        orig_client_order_id (str | Unset):
        recv_window (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server answers anything but 200. With the
            signing hook installed, its typed Binance errors are raised first.
        httpx.HTTPError: If the transport fails.

    Returns:
        Response[CancelOrderResponse]: the status, headers, raw body and parsed model.
    """

    kwargs = _get_kwargs(
        symbol=symbol,
        order_id=order_id,
        orig_client_order_id=orig_client_order_id,
        recv_window=recv_window,
    )

    http = client.get_async_httpx_client()
    kwargs["url"] = _joined(http, kwargs["url"])
    response = await http.request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    symbol: str,
    order_id: int | Unset = UNSET,
    orig_client_order_id: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> CancelOrderResponse:
    """Cancel an active order.

     Cancel an active order for COIN-M Futures. Weight: 1.

    Either `orderId` or `origClientOrderId` must be sent; when both are
    sent, `orderId` takes precedence. The returned data represents the
    state of the cancelled order.

    Signed endpoint (USER_DATA): the `X-MBX-APIKEY` header, a `timestamp`
    and a `signature` computed over the exact query string that is sent
    (signature last) are all required.

    Args:
        symbol (str):
        order_id (int | Unset):
        orig_client_order_id (str | Unset):
        recv_window (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server answers anything but 200. With the
            signing hook installed, its typed Binance errors are raised first.
        httpx.HTTPError: If the transport fails.

    Returns:
        CancelOrderResponse
    """

    kwargs = _get_kwargs(
        symbol=symbol,
        order_id=order_id,
        orig_client_order_id=orig_client_order_id,
        recv_window=recv_window,
    )

    http = client.get_async_httpx_client()
    kwargs["url"] = _joined(http, kwargs["url"])
    response = await http.request(**kwargs)

    return _parse_response(client=client, response=response)

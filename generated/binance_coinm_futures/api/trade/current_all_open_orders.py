"""GET /dapi/v1/openOrders: The open regular orders.

`sync()` and `asyncio()` return the parsed answer; `sync_detailed()` and `asyncio_detailed()`
also return its status and headers. Call them with a client from `binance_coinm_futures.connect()`.
"""

from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.query_order_response import QueryOrderResponse
from ...types import UNSET, Response, Unset, joined_url, json_of, query_string


def _get_kwargs(
    *,
    symbol: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> dict[str, Any]:
    if not isinstance(symbol, str | Unset):
        raise TypeError(f"symbol must be str, got {type(symbol).__name__}")
    if isinstance(recv_window, bool) or not isinstance(recv_window, int | Unset | None):
        raise TypeError(f"recv_window must be int, got {type(recv_window).__name__}")

    params: dict[str, Any] = {}

    params["symbol"] = symbol

    params["recvWindow"] = recv_window

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/dapi/v1/openOrders" + "?" + query_string(params),
    }
    return _kwargs


def _refused(http: httpx.Client | httpx.AsyncClient, refusal: TypeError) -> None:
    """Tell connect()'s client of a call refused before its request was built (an argument of
    the wrong type), so that its on_call hook gets a record of it, as of every refused call."""
    report = getattr(http, "call_refused", None)
    if report is not None:
        report("GET", joined_url(http.base_url, "/dapi/v1/openOrders"), refusal)


def _prepared(
    http: httpx.Client | httpx.AsyncClient,
    *,
    symbol: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> dict[str, Any]:
    """The keyword arguments of ``http.request`` for this call, its URL joined to the base URL;
    a call refused for an argument's type is reported to the client (``_refused``) first."""
    try:
        kwargs = _get_kwargs(
            symbol=symbol,
            recv_window=recv_window,
        )
    except TypeError as refusal:
        _refused(http, refusal)
        raise
    kwargs["url"] = joined_url(http.base_url, kwargs["url"])
    return kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> list[QueryOrderResponse]:
    if response.status_code == 200:
        response_200 = []
        _response_200 = json_of(response)
        for response_200_item_data in _response_200:
            response_200_item = QueryOrderResponse.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

    raise errors.UnexpectedStatus(response.status_code, response.content)


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[list[QueryOrderResponse]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    symbol: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> Response[list[QueryOrderResponse]]:
    """The open regular orders.

    Every open regular order, of one symbol or of all. Weight: 1 with `symbol`, 40
    without. Conditional orders are listed by `currentAllAlgoOpenOrders`.

    Signed endpoint (USER_DATA): the `X-MBX-APIKEY` header, a `timestamp` and a
    `signature` computed over the exact query string that is sent (signature last) are
    all required.

    Args:
        symbol (str | Unset): Trading symbol, e.g. BTCUSD_PERP; every symbol when not sent.
        recv_window (int | Unset): Milliseconds after `timestamp` the request stays valid; the
            exchange assumes 5000 when it is not sent and refuses more than 60000 (-1131).

    Raises:
        binance_coinm_futures.InvalidRequest: An argument breaks a rule of openapi.yaml (also a
            ValueError). Nothing was sent: fix the call.
        binance_coinm_futures.NothingSent: No connection could be opened. Nothing reached the
            exchange: safe to retry.
        binance_coinm_futures.ExecutionStatusUnknown: Sent, but the outcome is unknown (a 5XX
            Binance does not document as a failure, 408, -1006, -1007, a timeout or
            reset after sending, a 2XX that is not the documented answer to this
            request). Find out (e.g. query the order) before acting.
        binance_coinm_futures.BinanceAPIError: The exchange answered with an error status
            (openapi.yaml documents 400, 401, 403, 418, 429, 5XX).
            Its subclass names the cause: RequestRejected (a 4XX, nothing happened)
            with TimestampRejected, InvalidSignature, ApiKeyRejected, AccountRejected,
            UnknownOrder, InvalidParameter, FirewallRejected, RateLimited and IpBanned;
            and ServiceUnavailable (a 5XX Binance documents as a failure, nothing
            happened) with ExchangeMaintenance (a maintenance window).
        errors.UnexpectedStatus: Only with a client not made by connect(): any
            status but 200.

    Returns:
        Response[list[QueryOrderResponse]]: the status, headers, raw body and parsed model.
    """

    http = client.get_httpx_client()
    kwargs = _prepared(
        http,
        symbol=symbol,
        recv_window=recv_window,
    )
    response = http.request(**kwargs)

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    symbol: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> list[QueryOrderResponse]:
    """The open regular orders.

    Every open regular order, of one symbol or of all. Weight: 1 with `symbol`, 40
    without. Conditional orders are listed by `currentAllAlgoOpenOrders`.

    Signed endpoint (USER_DATA): the `X-MBX-APIKEY` header, a `timestamp` and a
    `signature` computed over the exact query string that is sent (signature last) are
    all required.

    Args:
        symbol (str | Unset): Trading symbol, e.g. BTCUSD_PERP; every symbol when not sent.
        recv_window (int | Unset): Milliseconds after `timestamp` the request stays valid; the
            exchange assumes 5000 when it is not sent and refuses more than 60000 (-1131).

    Raises:
        binance_coinm_futures.InvalidRequest: An argument breaks a rule of openapi.yaml (also a
            ValueError). Nothing was sent: fix the call.
        binance_coinm_futures.NothingSent: No connection could be opened. Nothing reached the
            exchange: safe to retry.
        binance_coinm_futures.ExecutionStatusUnknown: Sent, but the outcome is unknown (a 5XX
            Binance does not document as a failure, 408, -1006, -1007, a timeout or
            reset after sending, a 2XX that is not the documented answer to this
            request). Find out (e.g. query the order) before acting.
        binance_coinm_futures.BinanceAPIError: The exchange answered with an error status
            (openapi.yaml documents 400, 401, 403, 418, 429, 5XX).
            Its subclass names the cause: RequestRejected (a 4XX, nothing happened)
            with TimestampRejected, InvalidSignature, ApiKeyRejected, AccountRejected,
            UnknownOrder, InvalidParameter, FirewallRejected, RateLimited and IpBanned;
            and ServiceUnavailable (a 5XX Binance documents as a failure, nothing
            happened) with ExchangeMaintenance (a maintenance window).
        errors.UnexpectedStatus: Only with a client not made by connect(): any
            status but 200.

    Returns:
        list[QueryOrderResponse]
    """

    http = client.get_httpx_client()
    kwargs = _prepared(
        http,
        symbol=symbol,
        recv_window=recv_window,
    )
    response = http.request(**kwargs)

    return _parse_response(client=client, response=response)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    symbol: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> Response[list[QueryOrderResponse]]:
    """The open regular orders.

    Every open regular order, of one symbol or of all. Weight: 1 with `symbol`, 40
    without. Conditional orders are listed by `currentAllAlgoOpenOrders`.

    Signed endpoint (USER_DATA): the `X-MBX-APIKEY` header, a `timestamp` and a
    `signature` computed over the exact query string that is sent (signature last) are
    all required.

    Args:
        symbol (str | Unset): Trading symbol, e.g. BTCUSD_PERP; every symbol when not sent.
        recv_window (int | Unset): Milliseconds after `timestamp` the request stays valid; the
            exchange assumes 5000 when it is not sent and refuses more than 60000 (-1131).

    Raises:
        binance_coinm_futures.InvalidRequest: An argument breaks a rule of openapi.yaml (also a
            ValueError). Nothing was sent: fix the call.
        binance_coinm_futures.NothingSent: No connection could be opened. Nothing reached the
            exchange: safe to retry.
        binance_coinm_futures.ExecutionStatusUnknown: Sent, but the outcome is unknown (a 5XX
            Binance does not document as a failure, 408, -1006, -1007, a timeout or
            reset after sending, a 2XX that is not the documented answer to this
            request). Find out (e.g. query the order) before acting.
        binance_coinm_futures.BinanceAPIError: The exchange answered with an error status
            (openapi.yaml documents 400, 401, 403, 418, 429, 5XX).
            Its subclass names the cause: RequestRejected (a 4XX, nothing happened)
            with TimestampRejected, InvalidSignature, ApiKeyRejected, AccountRejected,
            UnknownOrder, InvalidParameter, FirewallRejected, RateLimited and IpBanned;
            and ServiceUnavailable (a 5XX Binance documents as a failure, nothing
            happened) with ExchangeMaintenance (a maintenance window).
        errors.UnexpectedStatus: Only with a client not made by connect(): any
            status but 200.

    Returns:
        Response[list[QueryOrderResponse]]: the status, headers, raw body and parsed model.
    """

    http = client.get_async_httpx_client()
    kwargs = _prepared(
        http,
        symbol=symbol,
        recv_window=recv_window,
    )
    response = await http.request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    symbol: str | Unset = UNSET,
    recv_window: int | Unset = UNSET,
) -> list[QueryOrderResponse]:
    """The open regular orders.

    Every open regular order, of one symbol or of all. Weight: 1 with `symbol`, 40
    without. Conditional orders are listed by `currentAllAlgoOpenOrders`.

    Signed endpoint (USER_DATA): the `X-MBX-APIKEY` header, a `timestamp` and a
    `signature` computed over the exact query string that is sent (signature last) are
    all required.

    Args:
        symbol (str | Unset): Trading symbol, e.g. BTCUSD_PERP; every symbol when not sent.
        recv_window (int | Unset): Milliseconds after `timestamp` the request stays valid; the
            exchange assumes 5000 when it is not sent and refuses more than 60000 (-1131).

    Raises:
        binance_coinm_futures.InvalidRequest: An argument breaks a rule of openapi.yaml (also a
            ValueError). Nothing was sent: fix the call.
        binance_coinm_futures.NothingSent: No connection could be opened. Nothing reached the
            exchange: safe to retry.
        binance_coinm_futures.ExecutionStatusUnknown: Sent, but the outcome is unknown (a 5XX
            Binance does not document as a failure, 408, -1006, -1007, a timeout or
            reset after sending, a 2XX that is not the documented answer to this
            request). Find out (e.g. query the order) before acting.
        binance_coinm_futures.BinanceAPIError: The exchange answered with an error status
            (openapi.yaml documents 400, 401, 403, 418, 429, 5XX).
            Its subclass names the cause: RequestRejected (a 4XX, nothing happened)
            with TimestampRejected, InvalidSignature, ApiKeyRejected, AccountRejected,
            UnknownOrder, InvalidParameter, FirewallRejected, RateLimited and IpBanned;
            and ServiceUnavailable (a 5XX Binance documents as a failure, nothing
            happened) with ExchangeMaintenance (a maintenance window).
        errors.UnexpectedStatus: Only with a client not made by connect(): any
            status but 200.

    Returns:
        list[QueryOrderResponse]
    """

    http = client.get_async_httpx_client()
    kwargs = _prepared(
        http,
        symbol=symbol,
        recv_window=recv_window,
    )
    response = await http.request(**kwargs)

    return _parse_response(client=client, response=response)

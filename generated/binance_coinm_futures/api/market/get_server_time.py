"""GET /dapi/v1/time: Current server time.

`sync()` and `asyncio()` return the parsed answer; `sync_detailed()` and `asyncio_detailed()`
also return its status and headers. Call them with a client from `binance_coinm_futures.connect()`.
"""

from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.server_time import ServerTime
from ...types import Response, joined_url, json_of


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/dapi/v1/time",
    }
    return _kwargs


def _refused(http: httpx.Client | httpx.AsyncClient, refusal: TypeError) -> None:
    """Tell connect()'s client of a call refused before its request was built (an argument of
    the wrong type), so that its on_call hook gets a record of it, as of every refused call."""
    report = getattr(http, "call_refused", None)
    if report is not None:
        report("GET", joined_url(http.base_url, "/dapi/v1/time"), refusal)


def _prepared(
    http: httpx.Client | httpx.AsyncClient,
) -> dict[str, Any]:
    """The keyword arguments of ``http.request`` for this call, its URL joined to the base URL;
    a call refused for an argument's type is reported to the client (``_refused``) first."""
    try:
        kwargs = _get_kwargs()
    except TypeError as refusal:
        _refused(http, refusal)
        raise
    kwargs["url"] = joined_url(http.base_url, kwargs["url"])
    return kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ServerTime:
    if response.status_code == 200:
        response_200 = ServerTime.from_dict(json_of(response))

        return response_200

    raise errors.UnexpectedStatus(response.status_code, response.content)


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ServerTime]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[ServerTime]:
    """Current server time.

    The exchange's clock in milliseconds since the epoch. Public and unsigned; a signed client uses it
    to correct its clock offset.

    Raises:
        binance_coinm_futures.NothingSent: No connection could be opened. Nothing reached the
            exchange: safe to retry.
        binance_coinm_futures.ExecutionStatusUnknown: Sent, but the outcome is unknown (a 5XX
            Binance does not document as a failure, 408, -1006, -1007, a timeout or
            reset after sending, a 2XX that is not the documented answer to this
            request). Find out (e.g. query the order) before acting.
        binance_coinm_futures.BinanceAPIError: The exchange answered with an error status
            (openapi.yaml documents 418, 429, 5XX).
            Its subclass names the cause: RequestRejected (a 4XX, nothing happened)
            with TimestampRejected, InvalidSignature, ApiKeyRejected, AccountRejected,
            UnknownOrder, InvalidParameter, FirewallRejected, RateLimited and IpBanned;
            and ServiceUnavailable (a 5XX Binance documents as a failure, nothing
            happened) with ExchangeMaintenance (a maintenance window).
        errors.UnexpectedStatus: Only with a client not made by connect(): any
            status but 200.

    Returns:
        Response[ServerTime]: the status, headers, raw body and parsed model.
    """

    http = client.get_httpx_client()
    kwargs = _prepared(
        http,
    )
    response = http.request(**kwargs)

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> ServerTime:
    """Current server time.

    The exchange's clock in milliseconds since the epoch. Public and unsigned; a signed client uses it
    to correct its clock offset.

    Raises:
        binance_coinm_futures.NothingSent: No connection could be opened. Nothing reached the
            exchange: safe to retry.
        binance_coinm_futures.ExecutionStatusUnknown: Sent, but the outcome is unknown (a 5XX
            Binance does not document as a failure, 408, -1006, -1007, a timeout or
            reset after sending, a 2XX that is not the documented answer to this
            request). Find out (e.g. query the order) before acting.
        binance_coinm_futures.BinanceAPIError: The exchange answered with an error status
            (openapi.yaml documents 418, 429, 5XX).
            Its subclass names the cause: RequestRejected (a 4XX, nothing happened)
            with TimestampRejected, InvalidSignature, ApiKeyRejected, AccountRejected,
            UnknownOrder, InvalidParameter, FirewallRejected, RateLimited and IpBanned;
            and ServiceUnavailable (a 5XX Binance documents as a failure, nothing
            happened) with ExchangeMaintenance (a maintenance window).
        errors.UnexpectedStatus: Only with a client not made by connect(): any
            status but 200.

    Returns:
        ServerTime
    """

    http = client.get_httpx_client()
    kwargs = _prepared(
        http,
    )
    response = http.request(**kwargs)

    return _parse_response(client=client, response=response)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[ServerTime]:
    """Current server time.

    The exchange's clock in milliseconds since the epoch. Public and unsigned; a signed client uses it
    to correct its clock offset.

    Raises:
        binance_coinm_futures.NothingSent: No connection could be opened. Nothing reached the
            exchange: safe to retry.
        binance_coinm_futures.ExecutionStatusUnknown: Sent, but the outcome is unknown (a 5XX
            Binance does not document as a failure, 408, -1006, -1007, a timeout or
            reset after sending, a 2XX that is not the documented answer to this
            request). Find out (e.g. query the order) before acting.
        binance_coinm_futures.BinanceAPIError: The exchange answered with an error status
            (openapi.yaml documents 418, 429, 5XX).
            Its subclass names the cause: RequestRejected (a 4XX, nothing happened)
            with TimestampRejected, InvalidSignature, ApiKeyRejected, AccountRejected,
            UnknownOrder, InvalidParameter, FirewallRejected, RateLimited and IpBanned;
            and ServiceUnavailable (a 5XX Binance documents as a failure, nothing
            happened) with ExchangeMaintenance (a maintenance window).
        errors.UnexpectedStatus: Only with a client not made by connect(): any
            status but 200.

    Returns:
        Response[ServerTime]: the status, headers, raw body and parsed model.
    """

    http = client.get_async_httpx_client()
    kwargs = _prepared(
        http,
    )
    response = await http.request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> ServerTime:
    """Current server time.

    The exchange's clock in milliseconds since the epoch. Public and unsigned; a signed client uses it
    to correct its clock offset.

    Raises:
        binance_coinm_futures.NothingSent: No connection could be opened. Nothing reached the
            exchange: safe to retry.
        binance_coinm_futures.ExecutionStatusUnknown: Sent, but the outcome is unknown (a 5XX
            Binance does not document as a failure, 408, -1006, -1007, a timeout or
            reset after sending, a 2XX that is not the documented answer to this
            request). Find out (e.g. query the order) before acting.
        binance_coinm_futures.BinanceAPIError: The exchange answered with an error status
            (openapi.yaml documents 418, 429, 5XX).
            Its subclass names the cause: RequestRejected (a 4XX, nothing happened)
            with TimestampRejected, InvalidSignature, ApiKeyRejected, AccountRejected,
            UnknownOrder, InvalidParameter, FirewallRejected, RateLimited and IpBanned;
            and ServiceUnavailable (a 5XX Binance documents as a failure, nothing
            happened) with ExchangeMaintenance (a maintenance window).
        errors.UnexpectedStatus: Only with a client not made by connect(): any
            status but 200.

    Returns:
        ServerTime
    """

    http = client.get_async_httpx_client()
    kwargs = _prepared(
        http,
    )
    response = await http.request(**kwargs)

    return _parse_response(client=client, response=response)

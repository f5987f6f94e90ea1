"""POST /dapi/v1/countdownCancelAll: Arm, restart or stop a symbol's dead-man's switch.

`sync()` and `asyncio()` return the parsed answer; `sync_detailed()` and `asyncio_detailed()`
also return its status and headers. Call them with a client from `binance_coinm_futures.connect()`.
"""

from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.countdown_response import CountdownResponse
from ...types import UNSET, Response, Unset, joined_url, json_of, query_string


def _get_kwargs(
    *,
    symbol: str,
    countdown_time: int,
    recv_window: int | Unset = UNSET,
) -> dict[str, Any]:
    if not isinstance(symbol, str):
        raise TypeError(f"symbol must be str, got {type(symbol).__name__}")
    if isinstance(countdown_time, bool) or not isinstance(countdown_time, int):
        raise TypeError(
            f"countdown_time must be int, got {type(countdown_time).__name__}"
        )
    if isinstance(recv_window, bool) or not isinstance(recv_window, int | Unset | None):
        raise TypeError(f"recv_window must be int, got {type(recv_window).__name__}")

    params: dict[str, Any] = {}

    params["symbol"] = symbol

    params["countdownTime"] = countdown_time

    params["recvWindow"] = recv_window

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/dapi/v1/countdownCancelAll" + "?" + query_string(params),
    }
    return _kwargs


def _refused(http: httpx.Client | httpx.AsyncClient, refusal: TypeError) -> None:
    """Tell connect()'s client of a call refused before its request was built (an argument of
    the wrong type), so that its on_call hook gets a record of it, as of every refused call."""
    report = getattr(http, "call_refused", None)
    if report is not None:
        report(
            "POST", joined_url(http.base_url, "/dapi/v1/countdownCancelAll"), refusal
        )


def _prepared(
    http: httpx.Client | httpx.AsyncClient,
    *,
    symbol: str,
    countdown_time: int,
    recv_window: int | Unset = UNSET,
) -> dict[str, Any]:
    """The keyword arguments of ``http.request`` for this call, its URL joined to the base URL;
    a call refused for an argument's type is reported to the client (``_refused``) first."""
    try:
        kwargs = _get_kwargs(
            symbol=symbol,
            countdown_time=countdown_time,
            recv_window=recv_window,
        )
    except TypeError as refusal:
        _refused(http, refusal)
        raise
    kwargs["url"] = joined_url(http.base_url, kwargs["url"])
    return kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CountdownResponse:
    if response.status_code == 200:
        response_200 = CountdownResponse.from_dict(json_of(response))

        return response_200

    raise errors.UnexpectedStatus(response.status_code, response.content)


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CountdownResponse]:
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
    countdown_time: int,
    recv_window: int | Unset = UNSET,
) -> Response[CountdownResponse]:
    """Arm, restart or stop a symbol's dead-man's switch.

    Cancel all open orders of the symbol when the countdown runs out, unless this is
    called again first. Weight: 10.

    Each call restarts the countdown (a heartbeat); `countdownTime` 0 stops it. The
    exchange checks its timers about every 10 ms, so leave room: Binance's example sends a
    heartbeat every 30 s with a countdown of 120000 ms. `binance_coinm_futures.dead_mans_switch`
    keeps the heartbeat for you.

    Signed endpoint (TRADE): the `X-MBX-APIKEY` header, a `timestamp` and a `signature`
    computed over the exact query string that is sent (signature last) are all required.

    Args:
        symbol (str): Trading symbol, e.g. BTCUSD_PERP.
        countdown_time (int): Milliseconds until every open order of the symbol is cancelled (1000
            for one second); 0 stops the countdown.
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
        Response[CountdownResponse]: the status, headers, raw body and parsed model.
    """

    http = client.get_httpx_client()
    kwargs = _prepared(
        http,
        symbol=symbol,
        countdown_time=countdown_time,
        recv_window=recv_window,
    )
    response = http.request(**kwargs)

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    symbol: str,
    countdown_time: int,
    recv_window: int | Unset = UNSET,
) -> CountdownResponse:
    """Arm, restart or stop a symbol's dead-man's switch.

    Cancel all open orders of the symbol when the countdown runs out, unless this is
    called again first. Weight: 10.

    Each call restarts the countdown (a heartbeat); `countdownTime` 0 stops it. The
    exchange checks its timers about every 10 ms, so leave room: Binance's example sends a
    heartbeat every 30 s with a countdown of 120000 ms. `binance_coinm_futures.dead_mans_switch`
    keeps the heartbeat for you.

    Signed endpoint (TRADE): the `X-MBX-APIKEY` header, a `timestamp` and a `signature`
    computed over the exact query string that is sent (signature last) are all required.

    Args:
        symbol (str): Trading symbol, e.g. BTCUSD_PERP.
        countdown_time (int): Milliseconds until every open order of the symbol is cancelled (1000
            for one second); 0 stops the countdown.
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
        CountdownResponse
    """

    http = client.get_httpx_client()
    kwargs = _prepared(
        http,
        symbol=symbol,
        countdown_time=countdown_time,
        recv_window=recv_window,
    )
    response = http.request(**kwargs)

    return _parse_response(client=client, response=response)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    symbol: str,
    countdown_time: int,
    recv_window: int | Unset = UNSET,
) -> Response[CountdownResponse]:
    """Arm, restart or stop a symbol's dead-man's switch.

    Cancel all open orders of the symbol when the countdown runs out, unless this is
    called again first. Weight: 10.

    Each call restarts the countdown (a heartbeat); `countdownTime` 0 stops it. The
    exchange checks its timers about every 10 ms, so leave room: Binance's example sends a
    heartbeat every 30 s with a countdown of 120000 ms. `binance_coinm_futures.dead_mans_switch`
    keeps the heartbeat for you.

    Signed endpoint (TRADE): the `X-MBX-APIKEY` header, a `timestamp` and a `signature`
    computed over the exact query string that is sent (signature last) are all required.

    Args:
        symbol (str): Trading symbol, e.g. BTCUSD_PERP.
        countdown_time (int): Milliseconds until every open order of the symbol is cancelled (1000
            for one second); 0 stops the countdown.
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
        Response[CountdownResponse]: the status, headers, raw body and parsed model.
    """

    http = client.get_async_httpx_client()
    kwargs = _prepared(
        http,
        symbol=symbol,
        countdown_time=countdown_time,
        recv_window=recv_window,
    )
    response = await http.request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    symbol: str,
    countdown_time: int,
    recv_window: int | Unset = UNSET,
) -> CountdownResponse:
    """Arm, restart or stop a symbol's dead-man's switch.

    Cancel all open orders of the symbol when the countdown runs out, unless this is
    called again first. Weight: 10.

    Each call restarts the countdown (a heartbeat); `countdownTime` 0 stops it. The
    exchange checks its timers about every 10 ms, so leave room: Binance's example sends a
    heartbeat every 30 s with a countdown of 120000 ms. `binance_coinm_futures.dead_mans_switch`
    keeps the heartbeat for you.

    Signed endpoint (TRADE): the `X-MBX-APIKEY` header, a `timestamp` and a `signature`
    computed over the exact query string that is sent (signature last) are all required.

    Args:
        symbol (str): Trading symbol, e.g. BTCUSD_PERP.
        countdown_time (int): Milliseconds until every open order of the symbol is cancelled (1000
            for one second); 0 stops the countdown.
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
        CountdownResponse
    """

    http = client.get_async_httpx_client()
    kwargs = _prepared(
        http,
        symbol=symbol,
        countdown_time=countdown_time,
        recv_window=recv_window,
    )
    response = await http.request(**kwargs)

    return _parse_response(client=client, response=response)

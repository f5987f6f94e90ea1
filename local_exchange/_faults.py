"""Failures the exchange can be told to produce, each over the real socket."""

from __future__ import annotations

import enum

#: The statuses the UNKNOWN_ENUM fault answers with: values no Binance page documents.
UNKNOWN_STATUS = "EXPIRED_IN_MATCH_2027"
UNKNOWN_ALGO_STATUS = "PAUSED_2027"


class Fault(enum.Enum):
    """What `LocalExchange.inject` makes the next /dapi/v1/order requests meet.

    Cancels (DELETE) and queries (GET) each have their own queue; "cancelled" below reads
    "answered normally, then the answer replaced" for a query.

        ==============================  ==========================================  ===============
        fault                           the client sees                             cancel done
        ==============================  ==========================================  ===============
        RATE_LIMITED                    429, Retry-After 7, -1003                   no
        IP_BANNED                       418, Retry-After 120, -1003 "banned until"  no
        FIREWALL                        403, a text/html page                       no
        SERVICE_UNAVAILABLE_503         503, -1000 "Service Unavailable."           no
        BAD_GATEWAY_HTML                502, a text/html page                       no
        CONNECTION_RESET                the request is read, then a TCP reset       no
        UNKNOWN_ERROR_503               503, -1000 "Unknown error, ..."             yes, if valid
        UNKNOWN_ERROR_503_NOT_EXECUTED  the same 503, but nothing was done          no
        MESSAGE_BUS_1006                503, -1006 (execution status unknown)       yes, if valid
        TIMEOUT_1007                    503, -1007 (execution status unknown)       yes, if valid
        SLOW                            the normal answer, `slow_seconds` late      yes, if valid
        MALFORMED_JSON                  200, application/json, a truncated body     yes, if valid
        UNKNOWN_ENUM                    200 with status/type or algoStatus values   yes
                                        not yet known (each item of a listing)
        INTERNAL_ERROR_500              500, -1001 "Internal error; unable to ..."  no
        REQUEST_UNKNOWN_500             500, -1000 "Request occur unknown error."   no
        SERVICE_SHUT_DOWN_1016          503, -1016 "This service is no longer ..."  no
        MAINTENANCE_1016                503, -1016 "Service is under maintenance."  no
        INVALID_ACCOUNT_1109            400, -1109 "Invalid account."               no
        MAINTENANCE_NO_CODE             503, {"239999": "The system is under ..."}  no
        ==============================  ==========================================  ===============

    The last four are the maintenance-window answers Binance's live COIN-M API has sent since
    the 2026-06 COIN-M / USDⓈ-M integration; the last has no `code` or `msg` key at all.

    "Yes, if valid": the request is handled normally (a valid cancel cancels the order)
    before the fault replaces the answer, as when the exchange acted but the reply was lost.
    UNKNOWN_ERROR_503_NOT_EXECUTED gives the same answer as UNKNOWN_ERROR_503 when the
    exchange did not act: the client cannot tell the two apart, only a query can.
    """

    RATE_LIMITED = "rate_limited"
    IP_BANNED = "ip_banned"
    FIREWALL = "firewall"
    SERVICE_UNAVAILABLE_503 = "service_unavailable_503"
    BAD_GATEWAY_HTML = "bad_gateway_html"
    CONNECTION_RESET = "connection_reset"
    UNKNOWN_ERROR_503 = "unknown_error_503"
    UNKNOWN_ERROR_503_NOT_EXECUTED = "unknown_error_503_not_executed"
    MESSAGE_BUS_1006 = "message_bus_1006"
    TIMEOUT_1007 = "timeout_1007"
    SLOW = "slow"
    MALFORMED_JSON = "malformed_json"
    UNKNOWN_ENUM = "unknown_enum"
    INTERNAL_ERROR_500 = "internal_error_500"
    REQUEST_UNKNOWN_500 = "request_unknown_500"
    SERVICE_SHUT_DOWN_1016 = "service_shut_down_1016"
    MAINTENANCE_1016 = "maintenance_1016"
    INVALID_ACCOUNT_1109 = "invalid_account_1109"
    MAINTENANCE_NO_CODE = "maintenance_no_code"

    @property
    def performs_cancel(self) -> bool:
        """Whether the request is handled (a valid cancel carried out) despite the fault."""
        return self in _HANDLED_DESPITE_FAULT


_HANDLED_DESPITE_FAULT = frozenset(
    {
        Fault.UNKNOWN_ERROR_503,
        Fault.MESSAGE_BUS_1006,
        Fault.TIMEOUT_1007,
        Fault.SLOW,
        Fault.MALFORMED_JSON,
        Fault.UNKNOWN_ENUM,
    }
)

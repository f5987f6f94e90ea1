"""Schemathesis generates requests from openapi.yaml, valid and invalid, against the exchange.

Every request is signed by signing_hook's own `BinanceAuth` (driven through its first step,
as the unit tests drive it), so the exchange gets past the signature and the generated
parameters meet its rules. The checks: the exchange never answers 5xx, every answer conforms
to the spec (status, content type, headers, body), invalid input is refused, and no signature
is ever refused (-1022) — whatever the generated parameters hold.

The built-in positive_data_acceptance check is replaced by one that knows the refusals no
schema can state: neither id sent (the spec's ``x-binance-required-one-of``), a symbol the
exchange does not list (-1121), an order that is not open (-2011, on a cancel) or not found
(-2013, on a query), and a recvWindow shorter than the round trip (-1021). A schema-valid
request refused for any other reason still fails.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any, Protocol

import httpx
import schemathesis
from schemathesis import Case as GenericCase
from schemathesis import CheckContext, GenerationMode, Response
from schemathesis.checks import CheckFunction

from binance_coinm_futures import BinanceAuth, HmacSigner
from binance_coinm_futures.testing import LocalExchange
from tests.contract.conftest import SPEC
from tests.wire.conftest import HMAC_KEY, HMAC_SECRET

Case = GenericCase[Any]

MAX_EXAMPLES = 100
"""Per operation and phase; the whole module stays within a few seconds."""

schema = schemathesis.openapi.from_path(SPEC)
# The signature must cover the final query, so BinanceAuth adds the security parameters
# after generation; generated ones would be signed over and then sent twice.
schema.config.generation.update(max_examples=MAX_EXAMPLES, with_security_parameters=False)
schema.config.checks.update(excluded_check_names=["positive_data_acceptance"])


class PreparedRequest(Protocol):
    """What `requests` hands an auth callable (its PreparedRequest), as far as signing needs."""

    method: str | None
    url: str | None
    headers: MutableMapping[str, str]
    body: bytes | str | None


class SignWithBinanceAuth:
    """A `requests` auth callable that lets signing_hook's BinanceAuth sign the final URL."""

    def __init__(self, auth: BinanceAuth) -> None:
        self._auth = auth

    def __call__(self, prepared: PreparedRequest) -> PreparedRequest:
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        request = httpx.Request(
            prepared.method or "GET",
            prepared.url or "",
            headers=dict(prepared.headers),
            content=body or b"",
        )
        signed = next(self._auth.sync_auth_flow(request))
        prepared.url = str(signed.url)
        prepared.headers["X-MBX-APIKEY"] = signed.headers["X-MBX-APIKEY"]
        return prepared


def binance_code(response: Response) -> int | None:
    try:
        payload = json.loads(response.content)
    except ValueError:
        return None
    code = payload.get("code") if isinstance(payload, dict) else None
    return code if isinstance(code, int) else None


def signature_accepted(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    if binance_code(response) == -1022:
        raise AssertionError("the exchange refused signing_hook's signature (-1022)")
    return None


def valid_data_refused_only_for_what_no_schema_holds(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return None
    if 200 <= response.status_code < 300:
        return None
    code = binance_code(response)
    query = case.query or {}
    neither_id = "orderId" not in query and "origClientOrderId" not in query
    no_schema_holds = (-2011, -2013, -1021, -1121)
    if response.status_code == 400 and (code in no_schema_holds or (code == -1102 and neither_id)):
        return None
    raise AssertionError(
        f"schema-valid request refused with {response.status_code}, code {code}: "
        f"{response.content[:200]!r}"
    )


CHECKS: list[CheckFunction] = [signature_accepted, valid_data_refused_only_for_what_no_schema_holds]


@schema.parametrize()
def test_exchange_conforms_to_the_spec(case: Case, exchange: LocalExchange) -> None:
    auth: Any = SignWithBinanceAuth(BinanceAuth(HMAC_KEY, HmacSigner(HMAC_SECRET)))
    case.call_and_validate(base_url=exchange.url, auth=auth, additional_checks=CHECKS)

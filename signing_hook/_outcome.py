"""What a success is: the one rule a signed call's 2XX answer must pass to be returned.

Each answer is parsed once, here (``answer_json``): the JSON value is kept on the response,
where the failure rule (``_errors``), the clock and the generated model
(``binance_coinm_futures.types.json_of``) all take it from.

A 2XX answer is a success only when all of these hold:

1. its status is the success status openapi.yaml documents (200);
2. its body is a JSON object;
3. (for a listing, whose schema is an array: every item is such an object, and obeys 4)
   every field the answer's schema requires is present, not null, and of its documented type,
   and every other field the schema names that is present is of its documented type too; a
   field whose schema has an ``enum`` holds one of its values (this is how an operation whose
   success answer carries a code, such as ``{"code": 200, "msg": ...}``, says which code is a
   success: in openapi.yaml, never in Python);
4. it answers the request that was sent: for each request parameter in the operation's
   ``x-binance-echo`` that was sent, the answer's field equals it. Of the parameters in
   ``x-binance-required-one-of`` only the first one sent is compared, because the exchange
   uses that one (``orderId`` takes precedence over ``origClientOrderId``).

A batch (an array whose items are ``anyOf`` the success object and others, such as Cancel
Multiple Orders) passes as a whole when it is an array of objects, one per id sent; each item
is then judged by ``item_violation``, against the id sent at the same place in the list.

Anything else raises ``ExecutionStatusUnknown``: the exchange may have acted, and the answer
cannot say how. An optional field of the wrong type (null included) counts as "anything
else": a typed attribute that would lie about its type is never returned, and the answer is
not the documented one. A field the schema does not name is accepted and kept in the model's
``additional_properties``, since Binance adds fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, cast

import attrs
import httpx

from binance_coinm_futures.types import PARSED_JSON

INT64: Final = (-(2**63), 2**63 - 1)
"""The range of Binance's LONG (int64), for parameters and answer fields alike."""


#: JSON Schema type → the Python types of the decoded JSON values that have it (compared with
#: ``type(value) in``, so ``bool`` is not an integer here, although Python makes it one). An
#: integer must also lie in ``INT64``.
_PYTHON_TYPES: Final[Mapping[str, tuple[type, ...]]] = {
    "integer": (int,),
    "string": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
}


def _has_type(value: object, types: tuple[type, ...] | None, integer: bool) -> bool:
    """Whether ``value`` is one of ``types`` (None: any), within int64 for an ``integer``."""
    if types is None:
        return True
    if type(value) not in types:
        return False
    return not integer or INT64[0] <= cast(int, value) <= INT64[1]


def load_json(body: bytes) -> object:
    """The JSON value of ``body``; None if it is not JSON or is nested too deep to parse.

    (``[`` repeated 200,000 times is a RecursionError inside the parser, never the caller's.)
    """
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


UNPARSED: Final = object()
"""Stands for "the body was not parsed yet" where None means "the body is not JSON"."""


def answer_json(response: httpx.Response) -> object:
    """The JSON value of the answer's body (None if it is not JSON), parsed on first use only.

    The value is kept in the response's extensions, so every later reader of this answer
    (the failure rule, the generated model) takes the same value without parsing again.
    """
    extensions = response.extensions
    if PARSED_JSON in extensions:
        return extensions[PARSED_JSON]
    payload = extensions[PARSED_JSON] = load_json(response.content)
    return payload


@attrs.frozen
class SuccessRule:
    """openapi.yaml's description of one operation's success answer."""

    status: int
    required: frozenset[str]
    field_types: Mapping[str, str]
    """Field name → JSON Schema type, for every field the schema names."""
    field_values: Mapping[str, tuple[object, ...]] = attrs.field(factory=dict)
    """Field name → the values its schema's ``enum`` allows, for the fields that have one."""
    echo: Mapping[str, str] = attrs.field(factory=dict)
    """Request parameter → the answer field that must equal it."""
    one_of: tuple[str, ...] = ()
    """The either-id parameters, in precedence order: only the first one sent is compared."""
    is_list: bool = False
    """The answer is a JSON array of such objects (a listing); each item obeys the rule."""
    per_item: bool = False
    """A batch: the array has one item per id sent, and each item is judged on its own by
    ``item_violation`` (an item may be an error); the answer as a whole only needs its shape."""
    _checks: Mapping[str, tuple[tuple[type, ...] | None, bool, tuple[object, ...] | None]] = (
        attrs.field(init=False, repr=False, eq=False)
    )
    """Field name → (its Python types or None for any, whether it is an integer, its enum or
    None): the two tables above, joined once here because every answer's every field is
    looked up in them."""

    def __attrs_post_init__(self) -> None:
        checks = {
            name: (_PYTHON_TYPES.get(kind), kind == "integer", self.field_values.get(name))
            for name, kind in self.field_types.items()
        }
        for name, allowed in self.field_values.items():
            checks.setdefault(name, (None, False, allowed))
        object.__setattr__(self, "_checks", checks)

    def violation(self, status: int, payload: object, params: Mapping[str, str]) -> str | None:
        """None when the answer is a success for ``params``; otherwise what is wrong with it.

        ``payload`` is the answer's JSON value (``answer_json``; None if the body is not JSON),
        ``params`` the request's decoded query parameters. The text names fields and order
        ids, never a header or the signature.
        """
        if status != self.status:
            return f"status {status}, not the documented {self.status}"
        if payload is None:
            return "a body that is not JSON"
        if self.is_list:
            if not isinstance(payload, list):
                return f"a JSON {_json_type(payload)}, not an array"
            if self.per_item:
                return self._batch_violation(payload, params)
            for index, item in enumerate(payload):
                problem = self._object_violation(item) or self._mismatch(item, params)
                if problem is not None:
                    return f"item {index}: {problem}"
            return None
        problem = self._object_violation(payload)
        if problem is not None or not isinstance(payload, dict):
            return problem
        return self._mismatch(payload, params)

    def _batch_violation(self, payload: list[object], params: Mapping[str, str]) -> str | None:
        sent = next((_json_list(params[name]) for name in self.one_of if name in params), None)
        if sent is not None and len(payload) != len(sent):
            return f"{len(payload)} items for {len(sent)} ids"
        for index, item in enumerate(payload):
            if not isinstance(item, dict):
                return f"item {index}: a JSON {_json_type(item)}, not an object"
        return None

    def item_violation(self, item: object, index: int, params: Mapping[str, str]) -> str | None:
        """None when item ``index`` of a batch answer is the success answer for the id sent at
        ``index`` (list parameters such as ``orderIdList`` are echoed item by item); otherwise
        what is wrong with it."""
        problem = self._object_violation(item)
        if problem is not None or not isinstance(item, dict):
            return problem
        sent = {}
        for name, value in params.items():
            listed = _json_list(value) if name in self.one_of else None
            if listed is None:
                sent[name] = value
            elif index < len(listed):
                sent[name] = str(listed[index])
        return self._mismatch(item, sent)

    def _object_violation(self, payload: object) -> str | None:
        """What is wrong with one answer object's fields, whatever the request was."""
        if not isinstance(payload, dict):
            return f"a JSON {type(payload).__name__}, not an object"
        if not self.required <= payload.keys():
            return f"no {sorted(self.required - payload.keys())[0]!r}"
        checks = self._checks
        for name, value in payload.items():
            check = checks.get(name)
            if check is None:
                continue
            types, integer, allowed = check
            # _has_type, written out: this runs for every field of every answer.
            if types is not None and (
                type(value) not in types or (integer and not INT64[0] <= value <= INT64[1])
            ):
                return f"{name!r} of type {_json_type(value)}, not {self.field_types[name]}"
            if allowed is not None and value not in allowed:
                return f"{name!r} {value!r}, not the documented {' or '.join(map(repr, allowed))}"
        return None

    def _mismatch(self, payload: Mapping[str, Any], params: Mapping[str, str]) -> str | None:
        compared_one_of = next((name for name in self.one_of if name in params), None)
        for parameter, field in self.echo.items():
            if parameter not in params or (
                parameter in self.one_of and parameter != compared_one_of
            ):
                continue
            sent, answered = params[parameter], payload.get(field)
            expected: object = int(sent) if self.field_types.get(field) == "integer" else sent
            if answered != expected:
                return f"{field} {answered!r} where {parameter} {sent!r} was sent"
        return None


def _json_list(value: str) -> list[object] | None:
    decoded = load_json(value.encode()) if value.startswith("[") else None
    return decoded if isinstance(decoded, list) else None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    for kind in ("boolean", "integer", "number", "string", "array", "object"):
        if _has_type(value, _PYTHON_TYPES[kind], kind == "integer"):
            return kind
    return "integer"  # an integer outside int64

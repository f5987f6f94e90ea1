"""Facts the runtime needs, read from openapi.yaml — the only place they are written.

The spec ships at the root of the package, beside the generated code (in the repository,
``generated/binance_coinm_futures/openapi.yaml`` is a link to the top-level file, made by
generator-config.yaml). It is parsed once, on the first ``connect()``, never at import.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from ._errors import InvalidRequest
from ._outcome import INT64, SuccessRule, load_json

SPEC_PATH: Final = Path(__file__).parent.parent / "openapi.yaml"
_ONE_OF_KEY: Final = "x-binance-required-one-of"
_ECHO_KEY: Final = "x-binance-echo"
_STATUSES_KEY: Final = "x-binance-statuses"
_ITEM_STATUSES_KEY: Final = "x-binance-item-statuses"
_JSON: Final = "application/json"
_DECIMAL: Final = re.compile(r"-?[0-9]+")
_WORD_START: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def argument_name(wire_name: str) -> str:
    """The Python argument a wire parameter is passed as: ``recvWindow`` is ``recv_window``.

    The generator's snake_case rule for this spec's names (a test checks every parameter of
    openapi.yaml against the generator itself); messages name what the caller wrote.
    """
    return _WORD_START.sub("_", wire_name).lower()


@attrs.frozen
class ParameterRule:
    """The schema constraints of one query parameter."""

    name: str
    required: bool
    is_integer: bool
    argument: str = attrs.field(
        default=attrs.Factory(lambda rule: argument_name(rule.name), takes_self=True)
    )
    """The Python argument name, which every message and ``InvalidRequest.parameter`` use."""
    min_length: int | None = None
    max_length: int | None = None
    pattern: re.Pattern[str] | None = None
    minimum: int | None = None
    maximum: int | None = None
    items: ParameterRule | None = None
    """For a list sent as JSON (``content: application/json``): the rule of each item."""
    min_items: int | None = None
    max_items: int | None = None

    def check(self, value: str) -> None:
        """Raise InvalidRequest, naming the parameter, when ``value`` breaks the schema."""
        if self.items is not None:
            self._check_list(value, self.items)
            return
        if self.is_integer:
            self._check_integer(value)
            return
        if self.min_length is not None and len(value) < self.min_length:
            if not value:
                raise InvalidRequest(f"{self.argument} must not be empty", parameter=self.argument)
            raise InvalidRequest(
                f"{self.argument} must be at least {self.min_length} characters, got {len(value)}",
                parameter=self.argument,
            )
        if self.max_length is not None and len(value) > self.max_length:
            raise InvalidRequest(
                f"{self.argument} must be at most {self.max_length} characters, got {len(value)}",
                parameter=self.argument,
            )
        if self.pattern is not None and self.pattern.fullmatch(value) is None:
            raise InvalidRequest(
                f"{self.argument} {value!r} does not match {self.pattern.pattern}",
                parameter=self.argument,
            )

    def _check_list(self, value: str, items: ParameterRule) -> None:
        decoded = load_json(value.encode())
        if not isinstance(decoded, list):
            raise InvalidRequest(f"{self.argument} must be a JSON list", parameter=self.argument)
        if self.min_items is not None and len(decoded) < self.min_items:
            raise InvalidRequest(
                f"{self.argument} must hold at least {self.min_items} ids, got {len(decoded)}",
                parameter=self.argument,
            )
        if self.max_items is not None and len(decoded) > self.max_items:
            raise InvalidRequest(
                f"{self.argument} must hold at most {self.max_items} ids, got {len(decoded)}",
                parameter=self.argument,
            )
        for index, item in enumerate(decoded):
            if type(item) is not (int if items.is_integer else str):
                kind = "an integer" if items.is_integer else "a string"
                raise InvalidRequest(
                    f"{self.argument}[{index}] must be {kind}, got {item!r}",
                    parameter=self.argument,
                )
            try:
                items.check(str(item))
            except InvalidRequest as broken:
                raise InvalidRequest(str(broken), parameter=self.argument) from None

    def _check_integer(self, value: str) -> None:
        # Python's int() also takes "1_000", " 12" and non-ASCII digits; the exchange does not.
        if _DECIMAL.fullmatch(value) is None:
            raise InvalidRequest(
                f"{self.argument} must be an integer, got {value!r}", parameter=self.argument
            )
        number = int(value)
        low = self.minimum if self.minimum is not None else INT64[0]
        high = self.maximum if self.maximum is not None else INT64[1]
        if not low <= number <= high:
            raise InvalidRequest(
                f"{self.argument} must be between {low} and {high}, got {number}",
                parameter=self.argument,
            )


@attrs.frozen
class OperationRules:
    """What openapi.yaml says about one operation that a request must obey before it is sent."""

    method: str
    path: str
    signed: bool
    parameters: Mapping[str, ParameterRule]
    required_one_of: tuple[str, ...] = ()
    success: SuccessRule | None = None
    """What the operation's success answer must be (see ``_outcome``); None if undocumented."""

    def check(self, params: Iterable[tuple[str, str]]) -> None:
        """Raise InvalidRequest for the first broken constraint among decoded query pairs."""
        seen = set()
        for name, value in params:
            rule = self.parameters.get(name)
            if rule is not None:
                rule.check(value)
            seen.add(name)
        for name, rule in self.parameters.items():
            if rule.required and name not in seen:
                raise InvalidRequest(f"{rule.argument} is required", parameter=rule.argument)
        if self.required_one_of:
            check_one_id({name: name in seen for name in self.required_one_of})


def check_one_id(given: Mapping[str, bool]) -> None:
    """The one rule for the ids that name an order, in every function: exactly one of them.

    ``given`` maps each id's wire or argument name to whether the call passed it. Binance
    accepts both ``orderId`` and ``origClientOrderId`` and silently uses ``orderId``; a call
    whose two ids name different orders would then act on an order the caller may not mean,
    so the client refuses it, as it refuses a call with neither.
    """
    if sum(given.values()) == 1:
        return
    arguments = [argument_name(name) for name in given]
    passed = [argument_name(name) for name, present in given.items() if present]
    raise InvalidRequest(
        f"pass exactly one of {' or '.join(arguments)}, got "
        f"{' and '.join(passed) if passed else 'neither'}; nothing was sent",
        parameter=arguments[0],
    )


def _parameter_rule(parameter: Mapping[str, Any]) -> ParameterRule:
    name, required = parameter["name"], bool(parameter.get("required", False))
    content = parameter.get("content", {})
    if _JSON in content:  # a list sent as JSON, e.g. orderIdList=[1,2]
        schema = content[_JSON]["schema"]
        return ParameterRule(
            name=name,
            required=required,
            is_integer=False,
            items=_schema_rule(name, False, schema.get("items", {})),
            min_items=schema.get("minItems"),
            max_items=schema.get("maxItems"),
        )
    return _schema_rule(name, required, parameter.get("schema", {}))


def _schema_rule(name: str, required: bool, schema: Mapping[str, Any]) -> ParameterRule:
    pattern = schema.get("pattern")
    return ParameterRule(
        name=name,
        required=required,
        is_integer=schema.get("type") == "integer",
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        pattern=re.compile(pattern) if pattern else None,
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
    )


def _resolved(spec: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """``node``, or what its local ``$ref`` ("#/components/...") points at."""
    reference = node.get("$ref")
    if reference is None:
        return node
    if not isinstance(reference, str) or not reference.startswith("#/"):
        raise LookupError(f"openapi.yaml: only local references are supported, got {reference!r}")
    target: Mapping[str, Any] = spec
    for part in reference[2:].split("/"):
        target = target[part]
    return target


def _success_rule(spec: Mapping[str, Any], operation: Mapping[str, Any]) -> SuccessRule | None:
    """The rule of the operation's one documented 2XX answer with a JSON object schema."""
    for status, response in operation.get("responses", {}).items():
        if not (str(status).isdigit() and 200 <= int(status) < 300):
            continue
        schema = _resolved(
            spec, response.get("content", {}).get("application/json", {}).get("schema", {})
        )
        is_list = schema.get("type") == "array"
        listed = tuple(schema.get(_ITEM_STATUSES_KEY, ())) if is_list else ()
        if is_list:
            schema = _resolved(spec, schema.get("items", {}))
        # A batch: each item is its own outcome, the first alternative being the success.
        per_item = is_list and "anyOf" in schema
        if per_item:
            schema = _resolved(spec, schema["anyOf"][0])
        properties = schema.get("properties", {})
        field_values = {
            name: tuple(field["enum"]) for name, field in properties.items() if "enum" in field
        }
        if listed:  # a listing of items in some states only, e.g. the open algo orders
            name, meanings = _status_field(schema)
            field_values[name] = tuple(value for kind in listed for value in meanings[kind])
        return SuccessRule(
            status=int(status),
            required=frozenset(schema.get("required", ())),
            field_types={name: str(field.get("type", "")) for name, field in properties.items()},
            field_values=field_values,
            echo=dict(operation.get(_ECHO_KEY, {})),
            one_of=tuple(operation.get(_ONE_OF_KEY, ())),
            is_list=is_list,
            per_item=per_item,
        )
    return None


def _status_field(schema: Mapping[str, Any]) -> tuple[str, Mapping[str, list[str]]]:
    """The field of ``schema`` whose ``x-binance-statuses`` says what each status means."""
    for name, field in schema.get("properties", {}).items():
        if _STATUSES_KEY in field:
            return str(name), field[_STATUSES_KEY]
    raise LookupError(f"openapi.yaml: no field of this schema has {_STATUSES_KEY}")


@attrs.frozen
class Statuses:
    """What each documented status of an answer means (``x-binance-statuses``), by kind:
    e.g. "open" (a cancel is still to be done), "placing", "fired", "done". A status of no
    kind is undocumented: it proves nothing about where the order is."""

    field: str
    kinds: Mapping[str, frozenset[str]]

    def of(self, kind: str) -> frozenset[str]:
        return self.kinds.get(kind, frozenset())

    @property
    def known(self) -> frozenset[str]:
        return frozenset().union(*self.kinds.values())


@functools.cache
def statuses(schema_name: str) -> Statuses:
    """The statuses openapi.yaml documents for the answer schema ``schema_name`` (e.g.
    "QueryOrderResponse", "AlgoOrder"), and what each one means."""
    name, meanings = _status_field(load_spec()["components"]["schemas"][schema_name])
    return Statuses(
        field=name, kinds={kind: frozenset(values) for kind, values in meanings.items()}
    )


def rules_from_spec(spec: Mapping[str, Any]) -> dict[tuple[str, str], OperationRules]:
    """Every operation's rules, keyed by (METHOD, path)."""
    global_security = spec.get("security", [])
    rules = {}
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = [_resolved(spec, p) for p in operation.get("parameters", [])]
            query = [p for p in parameters if p.get("in") == "query"]
            key = (method.upper(), path)
            rules[key] = OperationRules(
                method=method.upper(),
                path=path,
                signed=bool(operation.get("security", global_security)),
                parameters={p["name"]: _parameter_rule(p) for p in query},
                required_one_of=tuple(operation.get(_ONE_OF_KEY, ())),
                success=_success_rule(spec, operation),
            )
    return rules


@functools.cache
def load_spec() -> Mapping[str, Any]:
    """openapi.yaml as shipped with this package, parsed once."""
    import yaml  # deferred: only connect() needs it, and importing it costs

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open("rb") as handle:
        spec: Mapping[str, Any] = yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader
    return spec


@attrs.frozen
class SecurityNames:
    """Where a signed request carries its key, timestamp and signature (securitySchemes)."""

    api_key_header: str
    timestamp: str
    signature: str


@functools.cache
def security_names() -> SecurityNames:
    """The names openapi.yaml's securitySchemes give the API key header and the query's
    timestamp and signature parameters."""
    schemes = load_spec()["components"]["securitySchemes"]
    return SecurityNames(
        api_key_header=str(schemes["ApiKey"]["name"]),
        timestamp=str(schemes["Timestamp"]["name"]),
        signature=str(schemes["Signature"]["name"]),
    )


@functools.cache
def operation_rules() -> Mapping[tuple[str, str], OperationRules]:
    """The rules of every operation in the shipped openapi.yaml."""
    return rules_from_spec(load_spec())


def server_url(description: str) -> str:
    """The URL of the spec's server whose description starts with ``description``."""
    for server in load_spec()["servers"]:
        if str(server.get("description", "")).startswith(description):
            return str(server["url"])
    raise LookupError(f"openapi.yaml names no server described as {description!r}")


def server_urls() -> list[str]:
    """The URL of every server openapi.yaml names."""
    return [str(server["url"]) for server in load_spec()["servers"]]


def path_of(operation_id: str) -> str:
    """The path of the operation with this operationId."""
    for path, item in load_spec()["paths"].items():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return str(path)
    raise LookupError(f"openapi.yaml has no operation {operation_id!r}")

"""What `help()` shows a user of the generated functions: the spec's own words and real errors.

Every operation in openapi.yaml is checked, so an endpoint added later is held to the same.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import Any

import pytest
import yaml

import binance_coinm_futures
from binance_coinm_futures.types import UNSET
from tests.conftest import ROOT

SPEC: Mapping[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
FUNCTIONS = ("sync", "sync_detailed", "asyncio", "asyncio_detailed")


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def operations() -> Iterator[tuple[str, Mapping[str, Any]]]:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def endpoint_module(operation: Mapping[str, Any]) -> ModuleType:
    tag = operation["tags"][0]
    return importlib.import_module(
        f"binance_coinm_futures.api.{tag}.{snake(operation['operationId'])}"
    )


def parameters(operation: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The operation's parameters, each ``$ref`` to components/parameters resolved."""
    shared = SPEC.get("components", {}).get("parameters", {})
    return [
        shared[p["$ref"].rpartition("/")[2]] if "$ref" in p else p
        for p in operation.get("parameters", [])
    ]


def one_line(text: str) -> str:
    return " ".join(text.split())


OPERATIONS = dict(operations())


@pytest.fixture(params=sorted(OPERATIONS))
def operation(request: pytest.FixtureRequest) -> Mapping[str, Any]:
    found: Mapping[str, Any] = OPERATIONS[request.param]
    return found


def documented_functions(module: ModuleType) -> Iterator[Callable[..., Any]]:
    for name in FUNCTIONS:
        function: Callable[..., Any] = getattr(module, name)
        yield function


def test_each_argument_carries_the_spec_description(operation: Mapping[str, Any]) -> None:
    module = endpoint_module(operation)
    for function in documented_functions(module):
        doc = one_line(inspect.getdoc(function) or "")
        for parameter in parameters(operation):
            written_once = one_line(parameter["description"])
            assert f"{snake(parameter['name'])} (" in doc
            assert written_once in doc, (
                f"{function.__module__}.{function.__qualname__} lacks {parameter['name']}'s "
                "description: alias it into the parameter's schema (CONTRIBUTING.md, Changing "
                "the spec), then make generate"
            )


def test_raises_names_what_a_connect_user_gets(operation: Mapping[str, Any]) -> None:
    expected = {"NothingSent", "ExecutionStatusUnknown", "BinanceAPIError"}
    if operation.get("parameters"):
        expected.add("InvalidRequest")
    api_error_classes = {
        name
        for name in binance_coinm_futures.__all__
        if inspect.isclass(getattr(binance_coinm_futures, name))
        and issubclass(getattr(binance_coinm_futures, name), binance_coinm_futures.BinanceAPIError)
        and name != "BinanceAPIError"
    }
    for function in documented_functions(endpoint_module(operation)):
        doc = inspect.getdoc(function) or ""
        raises = doc.split("Raises:", 1)[1].split("Returns:", 1)[0]
        named = set(re.findall(r"binance_coinm_futures\.(\w+):", raises))
        assert named == expected, function.__qualname__
        for name in api_error_classes:
            assert re.search(rf"\b{name}\b", raises), (function.__qualname__, name)
        # A class renamed or removed from the package must not linger in the docstring.
        camel_case_words = set(re.findall(r"\b[A-Z][a-z]+[A-Z]\w*\b", raises))
        assert camel_case_words - {"ValueError", "UnexpectedStatus"} <= set(
            binance_coinm_futures.__all__
        )
        assert "httpx.HTTPError" not in raises


def test_defaults_read_well(operation: Mapping[str, Any]) -> None:
    assert repr(UNSET) == "UNSET"
    for function in documented_functions(endpoint_module(operation)):
        signature = str(inspect.signature(function))
        assert " at 0x" not in signature
        for parameter in parameters(operation):
            if not parameter.get("required", False):
                assert f"{snake(parameter['name'])}: " in signature
                assert re.search(rf"{snake(parameter['name'])}: [^,]+ = UNSET", signature)


def test_generated_modules_have_docstrings(operation: Mapping[str, Any]) -> None:
    module = endpoint_module(operation)
    doc = module.__doc__ or ""
    method_and_path = next(key for key, value in OPERATIONS.items() if value is operation)
    assert doc.startswith(f"{method_and_path}: {operation['summary']}")

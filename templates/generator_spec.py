"""openapi.yaml as the generator reads it: JSON-serialised query parameters given a schema.

OpenAPI says a query parameter travels as JSON with ``content: application/json`` (Binance's
batch lists: ``orderIdList=[1,2]``, percent-encoded). openapi-python-client reads only a
parameter's ``schema`` and skips one with ``content``, so before generating, each such
parameter gets its content's schema as ``schema``. The endpoint template sends every list
query parameter as compact JSON, which is right only because every list parameter comes from
here: a ``schema`` of type array on a query parameter (form style, ``a=1&a=2``) is refused,
since the template would send it as JSON.

Usage: python templates/generator_spec.py openapi.yaml OUT.yaml
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

_JSON = "application/json"


def _parameters(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from spec.get("components", {}).get("parameters", {}).values()
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict):
                yield from (p for p in operation.get("parameters", []) if "$ref" not in p)


def generator_view(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with each JSON query parameter's content schema moved to ``schema``."""
    for parameter in _parameters(spec):
        if parameter.get("in") != "query":
            continue
        content = parameter.get("content")
        if content is not None:
            if list(content) != [_JSON]:
                raise SystemExit(f"query parameter {parameter['name']}: only {_JSON} content")
            parameter["schema"] = content.pop(_JSON)["schema"]
            del parameter["content"]
        elif parameter.get("schema", {}).get("type") == "array":
            raise SystemExit(
                f"query parameter {parameter['name']}: a list must be declared with content "
                f"{_JSON} (the template sends every list as JSON)"
            )
    return spec


def main(source: str, target: str) -> None:
    spec = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    Path(target).write_text(
        yaml.safe_dump(generator_view(spec), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )


if __name__ == "__main__":
    main(*sys.argv[1:])

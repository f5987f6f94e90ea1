"""templates/generator_spec.py: the generator's view of openapi.yaml's JSON query parameters."""

from __future__ import annotations

import importlib.util
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT


def generator_spec() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generator_spec", ROOT / "templates" / "generator_spec.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_json_list_parameters_get_their_content_schema() -> None:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    view = generator_spec().generator_view(spec)
    parameters = view["components"]["parameters"]
    for name in ("OrderIdList", "OrigClientOrderIdList"):
        assert "content" not in parameters[name]
        assert parameters[name]["schema"]["type"] == "array"
        assert parameters[name]["schema"]["maxItems"] == 10
    assert parameters["OrderId"]["schema"]["type"] == "integer"  # untouched


@pytest.mark.parametrize(
    ("parameter", "words"),
    [
        ({"name": "ids", "in": "query", "schema": {"type": "array"}}, "must be declared with"),
        (
            {"name": "ids", "in": "query", "content": {"text/plain": {"schema": {}}}},
            "only application/json",
        ),
    ],
)
def test_a_list_the_template_would_misencode_is_refused(
    parameter: dict[str, Any], words: str
) -> None:
    spec = {"paths": {"/x": {"get": {"parameters": [parameter], "responses": {}}}}}
    with pytest.raises(SystemExit, match=words):
        generator_spec().generator_view(spec)

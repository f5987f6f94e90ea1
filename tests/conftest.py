"""Shared fixtures: frozen clocks and key material made fresh for each test session."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_PAGE = Path(__file__).with_name("fixtures") / "cancel-order-coin-m-futures.md"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


#: connect() keyword arguments selecting each async backend; async suites run once per entry.
BACKENDS: Final[dict[str, dict[str, Any]]] = {"httpx": {}}


@pytest.fixture(params=sorted(BACKENDS))
def backend_args(request: pytest.FixtureRequest) -> dict[str, Any]:
    """connect() keyword arguments that select an async backend."""
    return dict(BACKENDS[request.param])

"""Shared fixtures: frozen clocks, key material made fresh for each test session, and the
async backends every async wire and contract test runs on."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_PAGE = Path(__file__).with_name("fixtures") / "cancel-order-coin-m-futures.md"

#: connect() keyword arguments per async backend we ship (sync always uses httpx's transport).
BACKENDS: Final[dict[str, dict[str, Any]]] = {
    "aiohttp": {"async_backend": "aiohttp"},
    "httpx": {"async_backend": "httpx"},
    "asyncio": {"async_backend": "asyncio"},
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=sorted(BACKENDS))
def backend_args(request: pytest.FixtureRequest) -> dict[str, Any]:
    """connect() keyword arguments that select an async backend."""
    return dict(BACKENDS[request.param])

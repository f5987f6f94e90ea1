"""Shared fixtures: frozen clocks and key material made fresh for each test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_PAGE = Path(__file__).with_name("fixtures") / "cancel-order-coin-m-futures.md"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"

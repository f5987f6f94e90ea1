"""Sync-only users pay nothing for the async backend: aiohttp is imported on first async use."""

from __future__ import annotations

import subprocess
import sys

import pytest

BACKEND = "binance_coinm_futures._runtime._aiohttp_backend"
QUICK_START = "import binance_coinm_futures.api.trade.cancel_order, binance_coinm_futures"


def imported_after(script: str) -> set[str]:
    """Which of aiohttp, yarl and the backend module a fresh interpreter has after `script`."""
    probe = (
        f"{script}\nimport sys\n"
        f"print(' '.join(m for m in ('aiohttp', 'yarl', {BACKEND!r}) if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return set(done.stdout.split())


@pytest.mark.parametrize(
    "script",
    [
        QUICK_START,
        f"{QUICK_START}\nbinance_coinm_futures.connect(api_key='k', secret='s')",
    ],
    ids=["quick-start-imports", "connect"],
)
def test_sync_use_never_imports_aiohttp(script: str) -> None:
    assert imported_after(script) == set()


def test_the_backend_module_does_import_it() -> None:
    # The probe above can see an import: this one is expected to find all three.
    assert imported_after("import binance_coinm_futures._runtime._aiohttp_backend") == {
        "aiohttp",
        "yarl",
        "binance_coinm_futures._runtime._aiohttp_backend",
    }

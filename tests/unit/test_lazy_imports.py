"""Sync-only users pay nothing for the async backends: aiohttp and httptools are imported on
first async use of the backend that needs them."""

from __future__ import annotations

import subprocess
import sys

import pytest

BACKEND = "binance_coinm_futures._runtime._aiohttp_backend"
ASYNCIO_BACKEND = "binance_coinm_futures._runtime._asyncio_backend"
WATCHED = ("aiohttp", "yarl", BACKEND, "httptools", ASYNCIO_BACKEND)
QUICK_START = "import binance_coinm_futures.api.trade.cancel_order, binance_coinm_futures"


def imported_after(script: str) -> set[str]:
    """Which of the backends' libraries and modules a fresh interpreter has after `script`."""
    probe = f"{script}\nimport sys\nprint(' '.join(m for m in {WATCHED!r} if m in sys.modules))"
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


def test_the_backend_modules_do_import_them() -> None:
    # The probe above can see an import: these are expected to find what each module needs.
    assert imported_after(f"import {BACKEND}") == {"aiohttp", "yarl", BACKEND}
    assert imported_after(f"import {ASYNCIO_BACKEND}") == {"httptools", ASYNCIO_BACKEND}

"""An import pays only for what it uses: sync-only users never load the async backends (aiohttp
and httptools are imported on first async use of the backend that needs them), and an endpoint
module loads only the models it returns.

Pinned by what a fresh interpreter has in ``sys.modules``, never by timing an import."""

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


def modules_after(script: str, prefixes: tuple[str, ...]) -> set[str]:
    """The modules under ``prefixes`` a fresh interpreter has loaded after ``script``."""
    probe = (
        f"{script}\nimport sys\n"
        f"print(' '.join(m for m in sys.modules if m.startswith({prefixes!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return set(done.stdout.split())


def test_the_quick_start_imports_load_only_the_model_they_return() -> None:
    models = "binance_coinm_futures.models"
    assert modules_after(QUICK_START, (f"{models}.",)) == {f"{models}.cancel_order_response"}


def test_the_quick_start_imports_load_nothing_of_the_runtime_behind_the_root() -> None:
    # The root re-exports the runtime's names on first use; importing it loads none of them.
    runtime = "binance_coinm_futures._runtime"
    assert modules_after(QUICK_START, (runtime, "aiohttp", "httptools", "anyio")) == {runtime}


def test_an_endpoint_module_loads_its_own_models_only() -> None:
    loaded = modules_after(
        "import binance_coinm_futures.api.trade.cancel_multiple_orders",
        ("binance_coinm_futures.models.",),
    )
    assert loaded == {
        "binance_coinm_futures.models.batch_item_unknown",
        "binance_coinm_futures.models.cancel_order_response",
        "binance_coinm_futures.models.error",
    }


def test_every_model_is_still_reachable_from_the_models_package() -> None:
    # Both ways the package offered its models when it imported them all: by name, and by
    # module; and a name it does not have is an AttributeError naming the package.
    from binance_coinm_futures import models

    for name in models.__all__:
        model = getattr(models, name)
        assert model.__name__ == name
        assert getattr(models, model.__module__.rsplit(".", 1)[1]).__dict__[name] is model
    assert set(dir(models)) >= set(models.__all__)
    with pytest.raises(AttributeError, match=r"module 'binance_coinm_futures.models' has no"):
        models.NoSuchModel  # noqa: B018

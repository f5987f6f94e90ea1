"""Another team's tests, written only with what the README documents, run by pytest itself.

Their project keeps its tests in a subfolder with its own conftest.py, where pytest refuses a
``pytest_plugins`` line: the plugin must arrive through the installed distribution alone. It
also has packages of its own called ``local_exchange`` and ``signing_hook``, the generic names
1.0.0 installed at the top level: with 1.0.0 their pytest aborted before collecting
("Error while loading plugin pytest11 ... No module named 'local_exchange.pytest_plugin'").
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

THEIR_CONFTEST = '"""Their own fixtures would go here; nothing about the local exchange."""\n'
THEIR_TEST = textwrap.dedent(
    """
    import pytest
    from binance_coinm_futures.api.trade import cancel_order
    from binance_coinm_futures.testing import Fault, LocalExchange, LocalExchangeKeys
    from binance_coinm_futures import RateLimited, connect

    @pytest.mark.parametrize("kind", ["hmac", "rsa", "ed25519"])
    def test_cancel_with_each_key(
        local_exchange: LocalExchange, local_exchange_keys: LocalExchangeKeys, kind: str
    ) -> None:
        with connect(base_url=local_exchange.url, **getattr(local_exchange_keys, kind)) as c:
            order = cancel_order.sync(client=c, symbol="BTCUSD_PERP", order_id=4612097861)
        assert order.status == "CANCELED"

    def test_our_backoff(
        local_exchange: LocalExchange, local_exchange_keys: LocalExchangeKeys
    ) -> None:
        local_exchange.inject(Fault.RATE_LIMITED)
        with connect(base_url=local_exchange.url, **local_exchange_keys.hmac) as c:
            with pytest.raises(RateLimited) as limited:
                cancel_order.sync(client=c, symbol="BTCUSD_PERP", order_id=4612097861)
        assert limited.value.retry_after == 7

    def test_their_own_packages_are_theirs() -> None:
        import local_exchange, signing_hook

        assert local_exchange.OWNER == signing_hook.OWNER == "their_project"
    """
)
THEIR_PASSES = "5 passed"


def write_their_project(root: Path, conftest: str = THEIR_CONFTEST) -> Path:
    """Their repository: a tests/ package with a conftest.py and one test module."""
    tests = root / "their_project" / "tests"
    tests.mkdir(parents=True)
    (tests / "__init__.py").write_text("")
    (tests / "conftest.py").write_text(conftest)
    (tests / "test_theirs.py").write_text(THEIR_TEST)
    for name in ("local_exchange", "signing_hook"):
        (root / "their_project" / name).mkdir()
        (root / "their_project" / name / "__init__.py").write_text('OWNER = "their_project"\n')
    return tests.parent


def run_their_tests(python: Path | str, project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "conftest",
    [THEIR_CONFTEST, 'pytest_plugins = ["binance_coinm_futures.testing.pytest_plugin"]\n'],
    ids=["no-line", "rootdir-line"],
)
def test_fixture_plugin_in_a_foreign_project(tmp_path: Path, conftest: str) -> None:
    project = write_their_project(tmp_path, conftest)
    if "pytest_plugins" in conftest:
        # 0.1.0's README put the line in a conftest.py at the root, where pytest allows it.
        (project / "tests" / "conftest.py").rename(project / "conftest.py")
    result = run_their_tests(sys.executable, project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert THEIR_PASSES in result.stdout

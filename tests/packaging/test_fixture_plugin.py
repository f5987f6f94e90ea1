"""Another team's test, written only with what the README documents, run by pytest itself."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

THEIR_CONFTEST = 'pytest_plugins = ["local_exchange.pytest_plugin"]\n'
THEIR_TEST = textwrap.dedent(
    """
    import pytest
    from binance_coinm_futures.api.trade import cancel_order
    from local_exchange import Fault
    from signing_hook import RateLimited, connect

    @pytest.mark.parametrize("kind", ["hmac", "rsa", "ed25519"])
    def test_cancel_with_each_key(local_exchange, local_exchange_keys, kind):
        with connect(base_url=local_exchange.url, **getattr(local_exchange_keys, kind)) as c:
            order = cancel_order.sync(client=c, symbol="BTCUSD_PERP", order_id=4612097861)
        assert order.status == "CANCELED"

    def test_our_backoff(local_exchange, local_exchange_keys):
        local_exchange.inject(Fault.RATE_LIMITED)
        with connect(base_url=local_exchange.url, **local_exchange_keys.hmac) as c:
            with pytest.raises(RateLimited) as limited:
                cancel_order.sync(client=c, symbol="BTCUSD_PERP", order_id=4612097861)
        assert limited.value.retry_after == 7
    """
)


def test_fixture_plugin_in_a_foreign_project(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(THEIR_CONFTEST)
    (tmp_path / "test_theirs.py").write_text(THEIR_TEST)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout

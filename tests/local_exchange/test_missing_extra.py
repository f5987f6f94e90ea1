"""Without the ``testing`` extra: importing is harmless, using it names the extra to install.

cryptography is hidden from a child interpreter (``sys.modules[name] = None`` makes every
import of it fail as if it were not installed).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

INSTALL_HINT = "pip install 'binance-coinm-futures[testing]'"
HIDE_CRYPTOGRAPHY = "import sys; sys.modules['cryptography'] = None\n"


def without_cryptography(code: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HIDE_CRYPTOGRAPHY + textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_importing_needs_no_extra() -> None:
    result = without_cryptography(
        """
        import binance_coinm_futures.testing, binance_coinm_futures.testing.pytest_plugin
        from binance_coinm_futures.testing import Fault, Order, LocalExchangeKeys
        print(Fault.RATE_LIMITED.name, Order.__name__, LocalExchangeKeys.__name__)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RATE_LIMITED", "Order", "LocalExchangeKeys"]


@pytest.mark.parametrize(
    "use",
    [
        "from binance_coinm_futures.testing import LocalExchange",
        "import binance_coinm_futures.testing as kit; kit.DEMO_SECRET",
        "from binance_coinm_futures.testing import make_keys; make_keys()",
        "import runpy; runpy.run_module('binance_coinm_futures.testing', run_name='__main__')",
    ],
)
def test_using_it_names_the_extra(use: str) -> None:
    result = without_cryptography(use)
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        "ModuleNotFoundError: binance_coinm_futures.testing needs the 'testing' extra, which "
        f"installs cryptography: {INSTALL_HINT}"
    )


def test_unknown_names_stay_attribute_errors() -> None:
    import binance_coinm_futures.testing as kit

    with pytest.raises(
        AttributeError,
        match=r"module 'binance_coinm_futures\.testing' has no attribute 'LocalExchnage'",
    ):
        getattr(kit, "LocalExchnage")  # noqa: B009 - the name is misspelt on purpose


def test_the_plugin_never_breaks_a_test_run_without_the_extra(tmp_path: Path) -> None:
    (tmp_path / "test_theirs.py").write_text(
        textwrap.dedent(
            """
            def test_unrelated():
                assert True

            def test_uses_the_exchange(local_exchange):
                pass
            """
        )
    )
    result = without_cryptography(
        f"""
        import pytest
        sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", {str(tmp_path)!r}]))
        """,
        cwd=tmp_path,
    )
    assert "1 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert INSTALL_HINT in result.stdout

"""The built wheel, installed into a fresh virtual environment with no repository on the path,
runs the README quick start against the local exchange it ships."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import signing_hook
from tests.conftest import ROOT

QUICK_START_RUNNER = """
import functools, re, sys
import signing_hook, binance_coinm_futures
from local_exchange import LocalExchange, Order

assert "site-packages" in binance_coinm_futures.__file__, binance_coinm_futures.__file__
assert "site-packages" in signing_hook.__file__, signing_hook.__file__
readme = open(sys.argv[1]).read()
quick_start = re.findall(r"```python\\n(.*?)```", readme, re.S)[0]
with LocalExchange(api_keys={"...": "..."}) as exchange:
    exchange.add_order(Order(order_id=4612097861, client_order_id="w-1", symbol="BTCUSD_PERP"))
    signing_hook.connect = functools.partial(signing_hook.connect, base_url=exchange.url)
    exec(quick_start, {})
print("version", signing_hook.__version__)
"""


def run(*command: str | Path, cwd: Path) -> str:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=out)
    return out


def test_wheel_contents_and_metadata(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    output = run(sys.executable, "-m", "check_wheel_contents", wheel, cwd=ROOT)
    assert "OK" in output
    assert sdist.name == wheel.name.split("-py3")[0] + ".tar.gz"


def test_wheel_installs_and_quick_start_runs(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", f"{wheel}[testing]", cwd=tmp_path)
    script = tmp_path / "quick_start.py"
    script.write_text(QUICK_START_RUNNER)
    output = run(python, script, ROOT / "README.md", cwd=tmp_path)
    assert output.split() == ["CANCELED", "1", "version", signing_hook.__version__]

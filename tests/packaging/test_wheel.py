"""The built wheel, installed into a fresh virtual environment with no repository on the path,
on every CPython from 3.11 to 3.14 found here: the README quick start runs against the local
exchange it ships, and another team's tests use the pytest plugin with only the extra."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

import binance_coinm_futures
from tests.conftest import ROOT
from tests.packaging.conftest import (
    SUPPORTED_MINORS,
    classifiers,
    clean_venv,
    find_cpython,
    run,
)
from tests.packaging.test_fixture_plugin import THEIR_PASSES, run_their_tests, write_their_project

QUICK_START_RUNNER = """
import functools, re, sys
import binance_coinm_futures
from binance_coinm_futures.testing import LocalExchange, Order

assert "site-packages" in binance_coinm_futures.__file__, binance_coinm_futures.__file__
readme = open(sys.argv[1]).read()
quick_start = re.findall(r"```python\\n(.*?)```", readme, re.S)[0]
with LocalExchange(api_keys={"...": "..."}) as exchange:
    exchange.add_order(Order(order_id=4612097861, client_order_id="w-1", symbol="BTCUSD_PERP"))
    binance_coinm_futures.connect = functools.partial(
        binance_coinm_futures.connect, base_url=exchange.url
    )
    exec(quick_start, {})
print("version", binance_coinm_futures.__version__)
"""


def test_wheel_contents_and_metadata(dist: Path, wheel: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    output = run(sys.executable, "-m", "check_wheel_contents", wheel, cwd=ROOT)
    assert "OK" in output
    assert sdist.name == wheel.name.split("-py3")[0] + ".tar.gz"
    metadata = classifiers(wheel)
    assert "Typing :: Typed" in metadata
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
        plugin_entry = archive.read(entry_points).decode()
        (record,) = [name for name in names if name.endswith(".dist-info/RECORD")]
        recorded = archive.read(record).decode().splitlines()
    # One import root: every installed file but the metadata lives under binance_coinm_futures/.
    top_level = {line.split("/", 1)[0] for line in recorded if ".dist-info/" not in line}
    assert top_level == {"binance_coinm_futures"}
    for package in ("binance_coinm_futures", "binance_coinm_futures/testing"):
        assert f"{package}/py.typed" in names
    plugin = "binance_coinm_futures.testing.pytest_plugin"
    assert f"[pytest11]\n{plugin} = {plugin}" in plugin_entry
    assert any(line.startswith("Programming Language :: Python :: 3.") for line in metadata)


def test_long_description_links_and_project_urls(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(name).decode()
    headers, _, description = metadata.partition("\n\n")
    urls = dict(re.findall(r"^Project-URL: ([^,]+), (\S+)$", headers, re.M))
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert urls["Repository"] == spec["info"]["contact"]["url"]
    assert {"Homepage", "Documentation", "Changelog", "Issues"} <= set(urls)
    # A package index shows the README alone: every link in it must be absolute.
    targets = re.findall(r"\]\(([^)\s]+)\)", description)
    assert targets, "the long description has no links to check"
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#"))]
    assert relative == []
    assert f"{urls['Repository']}/blob/main/bench/results.md" in targets
    # Development tools are a dependency group, never a published extra.
    assert "Provides-Extra: dev" not in headers
    requirements = re.findall(r"^Requires-Dist: ([^;]*)", headers, re.M)
    assert requirements
    assert not [r for r in requirements if "==" in r]


@pytest.mark.parametrize("minor", SUPPORTED_MINORS, ids=[f"3.{m}" for m in SUPPORTED_MINORS])
def test_wheel_on_each_cpython(wheel: Path, tmp_path: Path, minor: int) -> None:
    python = find_cpython(minor)
    if python is None:
        pytest.skip(f"CPython 3.{minor} is absent here: not tested, so not counted as passing")
    environment = clean_venv(python, tmp_path / "venv", f"{wheel}[testing]")
    script = tmp_path / "quick_start.py"
    script.write_text(QUICK_START_RUNNER)
    output = run(environment, script, ROOT / "README.md", cwd=tmp_path)
    assert output.split() == ["CANCELED", "1", "version", binance_coinm_futures.__version__]

    their_tests = run_their_tests(environment, write_their_project(tmp_path))
    assert their_tests.returncode == 0, their_tests.stdout + their_tests.stderr
    assert THEIR_PASSES in their_tests.stdout

    # It works here, so the package must say so: the classifiers list every version that passed.
    assert f"Programming Language :: Python :: 3.{minor}" in classifiers(wheel)

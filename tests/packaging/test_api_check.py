"""`make api-check` compares the public API with the report committed in api-report/.

The baseline travels with the repository: a clone without any tag still fails on a break.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import ROOT


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=60
    ).stdout


def make(target: str, clone: Path) -> subprocess.CompletedProcess[str]:
    # The clone borrows this checkout's virtual environment. Its pyproject.toml is dated back so
    # that make sees the environment as up to date and does not reinstall it from the clone.
    os.utime(clone / "pyproject.toml", (0, 0))
    return subprocess.run(
        ["make", "-s", target, f"VENV={ROOT / '.venv'}"],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_removing_a_public_name_breaks_api_check_without_any_tag(tmp_path: Path) -> None:
    clone = tmp_path / "repo"
    git("clone", "--quiet", "--no-tags", str(ROOT), str(clone), cwd=tmp_path)
    assert git("tag", "--list", cwd=clone) == ""

    unchanged = make("api-check", clone)
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    assert "the public API matches the committed report" in unchanged.stdout

    init = clone / "signing_hook" / "__init__.py"
    text = init.read_text()
    init.write_text(
        text.replace("        UnknownOrder,\n", "").replace('    "UnknownOrder",\n', "")
    )
    broken = make("api-check", clone)
    assert broken.returncode != 0
    assert "_runtime.UnknownOrder" in broken.stdout, broken.stdout + broken.stderr
    assert "make api-update" in broken.stdout

    # A break made on purpose is recorded, and the report then matches again.
    assert make("api-update", clone).returncode == 0
    report = json.loads((clone / "api-report" / "binance_coinm_futures.json").read_text())
    assert "UnknownOrder" not in report["members"]["_runtime"]["exports"]
    recorded = make("api-check", clone)
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr


def test_the_committed_report_is_current() -> None:
    # A compatible change (a new name) passes api-check but must still be recorded, so that
    # the next break is measured from it.
    result = subprocess.run(
        [ROOT / ".venv" / "bin" / "python", ROOT / "api-report" / "api_report.py", "check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the public API matches the committed report" in result.stdout, result.stdout

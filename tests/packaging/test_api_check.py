"""`make api-check` fails when a public name disappears after a release tag."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import ROOT


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def api_check(clone: Path) -> subprocess.CompletedProcess[str]:
    # The clone borrows this checkout's virtual environment. Its pyproject.toml is dated back so
    # that make sees the environment as up to date and does not reinstall it from the clone.
    os.utime(clone / "pyproject.toml", (0, 0))
    return subprocess.run(
        ["make", "-s", "api-check", f"VENV={ROOT / '.venv'}", "API_BASE=v99.0.0"],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_removing_a_public_name_breaks_api_check(tmp_path: Path) -> None:
    clone = tmp_path / "repo"
    git("clone", "--quiet", str(ROOT), str(clone), cwd=tmp_path)
    git("-c", "user.name=t", "-c", "user.email=t@t", "tag", "v99.0.0", cwd=clone)

    unchanged = api_check(clone)
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    assert "no breaking change since v99.0.0" in unchanged.stdout

    init = clone / "signing_hook" / "__init__.py"
    text = init.read_text()
    init.write_text(text.replace("    UnknownOrder,\n", "").replace('    "UnknownOrder",\n', ""))
    broken = api_check(clone)
    assert broken.returncode != 0
    assert "UnknownOrder" in broken.stdout + broken.stderr

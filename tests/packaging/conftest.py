"""What the packaging tests share: one built wheel per session, clean venvs, interpreters."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

SUPPORTED_MINORS = (11, 12, 13, 14)
"""CPython 3.11 to 3.14: each one found on the machine gets the wheel test."""


def run(*command: str | Path, cwd: Path, timeout: float = 600) -> str:
    """Run a command outside this checkout's import path; fail with its output."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, built once for every packaging test."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=out)
    return out


@pytest.fixture(scope="session")
def wheel(dist: Path) -> Path:
    (found,) = dist.glob("*.whl")
    return found


def clean_venv(python: Path, where: Path, *requirements: str) -> Path:
    """A virtual environment without pip, filled by this environment's pip; its python."""
    run(python, "-m", "venv", "--without-pip", where, cwd=where.parent)
    venv_python = where / "bin" / "python"
    run(
        sys.executable, "-m", "pip", "--python", venv_python, "install", "--quiet",
        *requirements, cwd=where.parent,
    )  # fmt: skip
    return venv_python


def _candidates(minor: int) -> list[Path]:
    name = f"python3.{minor}"
    found = [Path(sys.executable)] if sys.version_info[:2] == (3, minor) else []
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path))
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found += sorted(pyenv.glob(f"3.{minor}.*/bin/{name}"), reverse=True)
    found += [Path("/usr/local/bin") / name, Path("/usr/bin") / name]
    return found


_IDENTIFY = "import platform, sys; print(platform.python_implementation(), *sys.version_info[:2])"


def find_cpython(minor: int) -> Path | None:
    """An interpreter that really is CPython 3.<minor> (a pyenv shim may only pretend), or None."""
    for candidate in _candidates(minor):
        if not candidate.is_file():
            continue
        try:
            answer = subprocess.run(
                [candidate, "-c", _IDENTIFY],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout.split()
        except OSError:
            continue
        if answer == ["CPython", "3", str(minor)]:
            return candidate
    return None


def classifiers(wheel: Path) -> list[str]:
    """The wheel's trove classifiers, from its METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        text = archive.read(metadata).decode()
    return re.findall(r"^Classifier: (.+)$", text, re.M)

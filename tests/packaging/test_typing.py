"""The adopting team's type checkers, on the installed wheel alone.

A clean virtual environment holds the wheel (with the ``testing`` and ``keys`` extras) and
mypy; pyright is the one package.json pins. Both run in strict mode over two user files:
correct code, on which both report nothing, and typical mistakes, each of which both must
report. `pyright --verifytypes` measures how completely each public package is typed; the
README states the scores it measured.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.packaging.conftest import clean_venv

PYRIGHT = ROOT / "node_modules" / ".bin" / "pyright"
PUBLIC_PACKAGES = ("binance_coinm_futures", "binance_coinm_futures.testing")
MISTAKE = "# mistake"

CORRECT = textwrap.dedent(
    '''
    """A desk's cancel code, written against the documented surface only."""

    from __future__ import annotations

    from binance_coinm_futures.api.trade import cancel_order
    from binance_coinm_futures.models import CancelOrderResponse
    from binance_coinm_futures.types import Response
    from binance_coinm_futures.testing import Fault, LocalExchange, LocalExchangeKeys, Order
    from binance_coinm_futures import (
        BinanceAPIError,
        ExecutionStatusUnknown,
        InvalidRequest,
        NothingSent,
        RateLimited,
        RateLimitUsage,
        UnknownOrder,
        connect,
        rate_limit_usage,
    )


    def cancel(api_key: str, secret: str, order_id: int) -> str:
        with connect(api_key=api_key, secret=secret, recv_window=5000) as client:
            try:
                order = cancel_order.sync(client=client, symbol="BTCUSD_PERP", order_id=order_id)
            except UnknownOrder as error:
                return f"already gone ({error.code})"
            except RateLimited as error:
                return f"wait {error.retry_after} s"
            except ExecutionStatusUnknown:
                return "query the order"
            except (InvalidRequest, NothingSent, BinanceAPIError) as error:
                return error.msg
        identity: tuple[int, str, str] = (order.order_id, order.client_order_id, order.symbol)
        return f"{identity}: {order.status}"


    async def cancel_by_client_id(api_key: str, private_key: bytes) -> int | None:
        async with connect(api_key=api_key, private_key=private_key) as client:
            answer: Response[CancelOrderResponse] = await cancel_order.asyncio_detailed(
                client=client, symbol="BTCUSD_PERP", orig_client_order_id="desk:7/quote-01"
            )
        usage: RateLimitUsage | None = rate_limit_usage(answer.headers)
        print(usage)
        return answer.parsed.order_id if answer.parsed is not None else None


    def test_cancel_after_a_slow_answer(
        local_exchange: LocalExchange, local_exchange_keys: LocalExchangeKeys
    ) -> None:
        local_exchange.add_order(Order(order_id=7, client_order_id="mine-7", symbol="BTCUSD_PERP"))
        local_exchange.inject(Fault.SLOW)
        with connect(base_url=local_exchange.url, **local_exchange_keys.ed25519) as client:
            order = cancel_order.sync(client=client, symbol="BTCUSD_PERP", order_id=7)
        assert order.client_order_id == "mine-7"
    '''
)

MISTAKES = textwrap.dedent(
    f"""
    from binance_coinm_futures.api.trade import cancel_order
    from binance_coinm_futures.testing import LocalExchangeKeys
    from binance_coinm_futures import connect


    def cancel(keys: LocalExchangeKeys) -> str:
        with connect(base_url="http://127.0.0.1:8100", **keys.hmac) as c:
            order = cancel_order.sync(client=c, symbol="BTCUSD_PERP", order_id="123")  {MISTAKE}
            cancel_order.sync(client=c, symbol="BTCUSD_PERP", orderId=4612097861)  {MISTAKE}
            cancel_order.sync(client=c, order_id=4612097861)  {MISTAKE}
        print(keys.hmac["secrett"])  {MISTAKE}
        connect(api_key="k", secrett="s")  {MISTAKE}
        return order.statuss  {MISTAKE}
    """
)


@pytest.fixture(scope="module")
def user_environment(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The team's venv: the wheel with its extras, and this project's pinned mypy."""
    root = tmp_path_factory.mktemp("team")
    mypy = f"mypy=={importlib.metadata.version('mypy')}"
    return clean_venv(Path(sys.executable), root / "venv", f"{wheel}[testing,keys]", mypy)


@pytest.fixture(scope="module")
def user_project(user_environment: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("project")
    (project / "correct.py").write_text(CORRECT)
    (project / "mistakes.py").write_text(MISTAKES)
    (project / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "strict"}))
    return project


def mypy_errors(python: Path, project: Path, name: str) -> dict[int, list[str]]:
    result = subprocess.run(
        [python, "-m", "mypy", "--strict", "--no-incremental", "--show-error-codes", name],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    errors: dict[int, list[str]] = {}
    pattern = rf"^{re.escape(name)}:(\d+): error: (.*)$"
    for line, message in re.findall(pattern, result.stdout, re.M):
        errors.setdefault(int(line), []).append(message)
    return errors


def pyright(python: Path, cwd: Path, *arguments: str) -> dict[str, Any]:
    assert PYRIGHT.exists(), "pyright is missing: run `npm ci` (make test does)"
    # --verifytypes finds the package through the active environment, not --pythonpath.
    venv = python.parent.parent
    env = {**os.environ, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [PYRIGHT, "--pythonpath", python, "--outputjson", *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def pyright_errors(python: Path, project: Path, name: str) -> dict[int, list[str]]:
    errors: dict[int, list[str]] = {}
    for diagnostic in pyright(python, project, name)["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            line = diagnostic["range"]["start"]["line"] + 1
            errors.setdefault(line, []).append(diagnostic["message"])
    return errors


def mistake_lines() -> set[int]:
    return {number for number, line in enumerate(MISTAKES.splitlines(), 1) if MISTAKE in line}


def test_correct_user_code_passes_both_strict_checkers(
    user_environment: Path, user_project: Path
) -> None:
    assert mypy_errors(user_environment, user_project, "correct.py") == {}
    assert pyright_errors(user_environment, user_project, "correct.py") == {}


def test_both_strict_checkers_catch_each_typical_mistake(
    user_environment: Path, user_project: Path
) -> None:
    by_mypy = mypy_errors(user_environment, user_project, "mistakes.py")
    by_pyright = pyright_errors(user_environment, user_project, "mistakes.py")
    assert set(by_mypy) == mistake_lines(), by_mypy
    assert set(by_pyright) == mistake_lines(), by_pyright


def completeness(user_environment: Path, package: str, cwd: Path) -> float:
    report = pyright(user_environment, cwd, "--verifytypes", package, "--ignoreexternal")
    score: float = report["typeCompleteness"]["completenessScore"]
    return score


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_public_packages_are_completely_typed_and_the_readme_says_so(
    user_environment: Path, user_project: Path, package: str
) -> None:
    score = completeness(user_environment, package, user_project)
    readme = (ROOT / "README.md").read_text()
    readme_row = re.search(rf"^\| `{package}` \| ([\d.]+)% \|", readme, re.M)
    assert readme_row is not None, f"the README's type-completeness table has no {package} row"
    assert float(readme_row.group(1)) == round(score * 100, 1)
    assert score == 1.0

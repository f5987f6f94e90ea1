"""The README's quick start, run as written; only the destination is the local exchange."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import logging
import re
import textwrap
from collections.abc import Iterator

import pytest

import binance_coinm_futures
from binance_coinm_futures.testing import LocalExchange, Order
from tests.conftest import ROOT


def python_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", readme, re.S)


@contextlib.contextmanager
def readme_exchange(
    monkeypatch: pytest.MonkeyPatch, client_order_id: str
) -> Iterator[LocalExchange]:
    """A local exchange that knows the README's placeholder key ("...", "...") and holds the
    README's order; `binance_coinm_futures.connect` sends there."""
    with LocalExchange(api_keys={"...": "..."}) as exchange:
        exchange.add_order(
            Order(order_id=4612097861, client_order_id=client_order_id, symbol="BTCUSD_PERP")
        )
        monkeypatch.setattr(
            binance_coinm_futures,
            "connect",
            functools.partial(binance_coinm_futures.connect, base_url=exchange.url),
        )
        yield exchange


def test_quick_start_sync_and_async(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_start, async_line = python_blocks()[:2]
    # The README's placeholder credentials are registered on the local exchange as they are.
    with readme_exchange(monkeypatch, "q-1") as exchange:
        output = io.StringIO()
        namespace: dict[str, object] = {}
        with contextlib.redirect_stdout(output):
            exec(compile(quick_start, "README.md", "exec"), namespace)  # noqa: S102
        assert output.getvalue().split() == ["CANCELED", "1"]

        exchange.add_order(Order(order_id=4612097861, client_order_id="q-2", symbol="BTCUSD_PERP"))
        wrapped = "async def run():\n" + textwrap.indent(async_line, "    ") + "    return order\n"
        exec(compile(wrapped, "README.md", "exec"), namespace)  # noqa: S102
        order = asyncio.run(namespace["run"]())  # type: ignore[operator]
        assert order.order_id == 4612097861


def test_the_on_call_logging_example(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (example,) = [block for block in python_blocks() if "def log_call" in block]
    with readme_exchange(monkeypatch, "q-3"):
        namespace: dict[str, object] = {}
        exec(compile(example, "README.md", "exec"), namespace)  # noqa: S102
        from binance_coinm_futures.api.trade import cancel_order

        with caplog.at_level(logging.INFO, logger="desk.binance"), namespace["client"] as client:  # type: ignore[attr-defined]
            cancel_order.sync(client=client, symbol="BTCUSD_PERP", order_id=4612097861)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "desk.binance"]
    assert line.startswith(
        "cancelOrder BTCUSD_PERP order=4612097861 -> success (code None, HTTP 200)"
    )
    assert ", 1 requests, weight 1" in line


def examples_with_output() -> list[tuple[str, str]]:
    """Each README example followed by "Prints:" and the text it prints."""
    readme = (ROOT / "README.md").read_text()
    example = r"```python\n((?:(?!```).)*)```\n\nPrints:\n\n```text\n(.*?)```"
    return re.findall(example, readme, re.S)


def test_there_are_examples_with_output() -> None:
    assert len(examples_with_output()) >= 3


@pytest.mark.parametrize("index", range(3))
def test_each_example_prints_what_the_readme_says(index: int) -> None:
    code, printed = examples_with_output()[index]
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, "README.md", "exec"), {})  # noqa: S102
    assert output.getvalue() == printed

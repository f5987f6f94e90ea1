"""The README's quick start, run as written; only the destination is the local exchange."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import re
import textwrap

import pytest

import binance_coinm_futures
from binance_coinm_futures.testing import LocalExchange, Order
from tests.conftest import ROOT


def python_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", readme, re.S)


def test_quick_start_sync_and_async(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_start, async_line = python_blocks()[:2]
    # The README's placeholder credentials are registered on the local exchange as they are.
    with LocalExchange(api_keys={"...": "..."}) as exchange:
        exchange.add_order(Order(order_id=4612097861, client_order_id="q-1", symbol="BTCUSD_PERP"))
        monkeypatch.setattr(
            binance_coinm_futures,
            "connect",
            functools.partial(binance_coinm_futures.connect, base_url=exchange.url),
        )
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

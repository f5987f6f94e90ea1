"""`python -m local_exchange`, run as a child process the way the demo and benchmarks run it."""

from __future__ import annotations

import hashlib
import hmac
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest

REPO = Path(__file__).parents[2]


@contextmanager
def exchange_process(
    *args: str, stdin: int | IO[bytes] = subprocess.PIPE
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "local_exchange", *args],
        cwd=REPO,
        stdin=stdin,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        name, _, url = process.stdout.readline().strip().partition("=")
        assert name == "LOCAL_EXCHANGE_URL"
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(5)
        if process.stdin is not None:
            process.stdin.close()
        if process.stdout is not None:
            process.stdout.close()


def signed_cancel(url: str, api_key: str, secret: str, order_id: int) -> httpx.Response:
    payload = f"symbol=BTCUSD_PERP&orderId={order_id}&timestamp={int(time.time() * 1000)}"
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return httpx.delete(
        f"{url}/dapi/v1/order?{payload}&signature={signature}",
        headers={"X-MBX-APIKEY": api_key},
    )


def test_demo_credentials_and_exit_when_stdin_closes() -> None:
    with exchange_process() as (process, url):
        assert url.startswith("http://127.0.0.1:")
        response = signed_cancel(url, "demo-api-key", "demo-secret", 4612097861)
        assert response.status_code == 200, response.text
        assert process.stdin is not None
        process.stdin.close()
        assert process.wait(5) == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_exits_on_signal(signum: int) -> None:
    with exchange_process() as (process, url):
        assert httpx.get(f"{url}/dapi/v1/time").status_code == 200
        process.send_signal(signum)
        assert process.wait(5) == 0


def test_options_reach_the_exchange() -> None:
    with exchange_process(
        "--api-key", "k", "--secret", "s", "--any-order", "--clock-offset-ms", "-3600000"
    ) as (_, url):
        server_time = httpx.get(f"{url}/dapi/v1/time").json()["serverTime"]
        assert abs(server_time - (time.time() * 1000 - 3_600_000)) < 2_000
        # the request's timestamp is an hour ahead of this exchange
        assert signed_cancel(url, "k", "s", 12345).json()["code"] == -1021
    with exchange_process("--api-key", "k", "--secret", "s", "--any-order") as (_, url):
        assert signed_cancel(url, "k", "s", 12345).json()["orderId"] == 12345
        assert signed_cancel(url, "demo-api-key", "demo-secret", 1).json()["code"] == -2015


def test_stdin_from_dev_null_keeps_serving() -> None:
    # A background job's stdin is /dev/null: its end-of-file means nothing.
    with exchange_process(stdin=subprocess.DEVNULL) as (process, url):
        time.sleep(0.3)
        assert process.poll() is None
        assert httpx.get(f"{url}/dapi/v1/time").status_code == 200
        process.terminate()
        assert process.wait(5) == 0

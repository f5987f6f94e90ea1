"""Contract tests: tools nobody here wrote (Prism, schemathesis, hypothesis) against our code.

Each module gets one local exchange with the wire tests' three keys, on loopback, kept for
the whole module: the tools' set-up (a Node process, a schema load) is what costs time, not
the requests.
"""

from __future__ import annotations

import collections
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from binance_coinm_futures.testing import LocalExchange
from tests.conftest import ROOT
from tests.wire.conftest import ED25519_KEY, FIXTURES, HMAC_KEY, HMAC_SECRET, RSA_KEY

SPEC = ROOT / "openapi.yaml"
NODE_BIN = ROOT / "node_modules" / ".bin"
LOOPBACK = "127.0.0.1"

SignatureOutcomes = dict[str, collections.Counter[str]]
"""Per key kind: how many signatures the exchange accepted and rejected, and its answers
("200" or Binance's error code) to them."""
SIGNATURE_OUTCOMES = pytest.StashKey[SignatureOutcomes]()


def exchange_keys() -> dict[str, str | bytes]:
    return {
        HMAC_KEY: HMAC_SECRET,
        RSA_KEY: (FIXTURES / "test-rsa-public.pem").read_bytes(),
        ED25519_KEY: (FIXTURES / "test-ed25519-public.pem").read_bytes(),
    }


@pytest.fixture(scope="module")
def exchange() -> Iterator[LocalExchange]:
    # No demo book: every test seeds the orders it cancels, so modules never depend on order.
    with LocalExchange(api_keys=exchange_keys(), orders=[]) as running:
        yield running


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it; a child process binds it next)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Return once `process` accepts connections on `port`; fail with its log otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode} before listening:\n{tail(log)}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"not listening on port {port} after {timeout} s:\n{tail(log)}")
            time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def tail(log: Path, lines: int = 40) -> str:
    if not log.exists():
        return "(no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def signature_outcomes(pytestconfig: pytest.Config) -> SignatureOutcomes:
    return pytestconfig.stash.setdefault(SIGNATURE_OUTCOMES, {})


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # Printed even when the run passes: `make fuzz` reports what it measured.
    outcomes = terminalreporter.config.stash.get(SIGNATURE_OUTCOMES, None)
    if not outcomes:
        return
    terminalreporter.section("signatures sent to the local exchange")
    for kind, counts in outcomes.items():
        answers = ", ".join(
            f"{answer}: {count}"
            for answer, count in sorted(counts.items())
            if answer not in ("accepted", "rejected")
        )
        terminalreporter.write_line(
            f"{kind:8} {counts['accepted']:6} accepted {counts['rejected']:6} rejected  ({answers})"
        )

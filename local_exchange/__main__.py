"""Run a LocalExchange until SIGTERM/SIGINT, or until stdin closes when stdin is a pipe.

Prints one line, ``LOCAL_EXCHANGE_URL=http://127.0.0.1:PORT``, once it is listening.
The default credentials (demo-api-key / demo-secret) are for tests only.
"""

from __future__ import annotations

import argparse
import os
import signal
import stat
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from ._exchange import DEMO_API_KEY, DEMO_SECRET, LocalExchange


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m local_exchange",
        description="A local Binance COIN-M Futures Cancel Order endpoint, for tests.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--api-key", default=DEMO_API_KEY, help="test-only (default: %(default)s)")
    parser.add_argument("--secret", default=DEMO_SECRET, help="its HMAC secret (test-only)")
    parser.add_argument(
        "--any-order", action="store_true", help="every well-formed cancel succeeds (benchmarks)"
    )
    parser.add_argument("--clock-offset-ms", type=int, default=0, help="skew the exchange clock")
    return parser.parse_args(argv)


def _stdin_tells_parent_death() -> bool:
    """A pipe or socket on stdin closes when the parent dies; /dev/null or a file says nothing."""
    try:
        mode = os.fstat(0).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or os.isatty(0)


def _wait_for_stdin_to_close(done: threading.Event) -> None:
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    done.set()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    exchange = LocalExchange(
        api_keys={args.api_key: args.secret},
        host=args.host,
        port=args.port,
        clock_offset_ms=args.clock_offset_ms,
        any_order=args.any_order,
        record_requests=False,  # nobody can read them, and a long benchmark would pile them up
    )
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if _stdin_tells_parent_death():
        threading.Thread(target=_wait_for_stdin_to_close, args=(done,), daemon=True).start()
    with exchange:
        print(f"LOCAL_EXCHANGE_URL={exchange.url}", flush=True)
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run a command against a fresh local exchange, then stop the exchange.

    python examples/with_local_exchange.py -- python examples/cancel_order.py

The command gets BINANCE_BASE_URL, BINANCE_API_KEY and BINANCE_SECRET (test-only values), and
BINANCE_STOP_CLIENT_ALGO_ID: the client algo id of a stop-loss the exchange holds in its algo
service.
"""

from __future__ import annotations

import os
import subprocess
import sys

from binance_coinm_futures.testing import LocalExchange

DEMO_API_KEY = "demo-api-key"
DEMO_SECRET = "demo-secret"  # a local, test-only credential
STOP_LOSS_CLIENT_ALGO_ID = "demo-stop-loss-1"


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        raise SystemExit(__doc__)
    with LocalExchange(api_keys={DEMO_API_KEY: DEMO_SECRET}) as exchange:
        print(f"local exchange listening on {exchange.url}", flush=True)
        exchange.add_algo_order(
            "BTCUSD_PERP",
            client_algo_id=STOP_LOSS_CLIENT_ALGO_ID,
            order_type="STOP_MARKET",
            side="SELL",
            trigger_price="35000",
        )
        env = {
            **os.environ,
            "BINANCE_BASE_URL": exchange.url,
            "BINANCE_API_KEY": DEMO_API_KEY,
            "BINANCE_SECRET": DEMO_SECRET,
            "BINANCE_STOP_CLIENT_ALGO_ID": STOP_LOSS_CLIENT_ALGO_ID,
        }
        result = subprocess.run(command, env=env, check=False)  # noqa: S603 - the caller's own command
    print("local exchange stopped", flush=True)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

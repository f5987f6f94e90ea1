"""Run a LocalExchange until SIGTERM/SIGINT, or until stdin closes when stdin is a pipe.

Once it listens, it prints one line of shell assignments on stdout, for example
``LOCAL_EXCHANGE_URL=http://127.0.0.1:8100 LOCAL_EXCHANGE_API_KEY=demo-api-key
LOCAL_EXCHANGE_SECRET=demo-secret`` (on one line).

The secret is printed only when it is the published, test-only demo secret. Keys registered
with ``--hmac-key``, ``--rsa-key`` and ``--ed25519-key`` are listed by API key alone, in
``LOCAL_EXCHANGE_MORE_KEYS``. A summary for people (orders, queued faults) goes to stderr.
``python -m binance_coinm_futures.testing --help`` lists every flag.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import stat
import sys
import threading
import typing
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from types import FrameType
from typing import Any

# Through the package, so that a missing testing extra is named.
from . import DEMO_API_KEY, DEMO_SECRET, LocalExchange
from ._algo import AlgoOrder
from ._faults import Fault
from ._orders import Order
from ._spec import CURRENT_SHAPE, cancel_examples

_BOOLEANS = {"true": True, "false": False}


def _key_and_value(flag: str, what: str) -> typing.Callable[[str], tuple[str, str]]:
    def split(value: str) -> tuple[str, str]:
        api_key, separator, rest = value.partition("=")
        if not separator or not api_key or not rest:
            raise argparse.ArgumentTypeError(f"{flag} takes API_KEY={what}, got {value!r}")
        return api_key, rest

    return split


def _order(value: str) -> Order:
    """ORDER_ID,CLIENT_ORDER_ID,SYMBOL[,FIELD=VALUE...] as an Order; fields by Order's names."""
    parts = value.split(",")
    order_id, client_order_id, symbol, *rest = parts if len(parts) >= 3 else ["", "", ""]
    if not order_id.isdigit() or not client_order_id or not symbol:
        raise argparse.ArgumentTypeError(
            f"--order takes ORDER_ID,CLIENT_ORDER_ID,SYMBOL[,FIELD=VALUE...], got {value!r}"
        )
    fixed = {"order_id", "client_order_id", "symbol"}
    extra = _fields("--order", Order, rest, {f.name for f in fields(Order)} - fixed)
    return Order(int(order_id), client_order_id, symbol, **extra)


def _algo_order(value: str) -> dict[str, Any]:
    """SYMBOL[,FIELD=VALUE...] as add_algo_order's arguments; fields by AlgoOrder's names."""
    symbol, *rest = value.split(",")
    if not symbol or "=" in symbol:
        raise argparse.ArgumentTypeError(
            f"--algo-order takes SYMBOL[,FIELD=VALUE...], got {value!r}"
        )
    settable = {f.name for f in fields(AlgoOrder)} - {"symbol"}
    return {"symbol": symbol, **_fields("--algo-order", AlgoOrder, rest, settable)}


def _fields(flag: str, kind: type, assignments: list[str], settable: set[str]) -> dict[str, Any]:
    """FIELD=VALUE assignments as keyword arguments of `kind`, each converted to its type."""
    types = typing.get_type_hints(kind)
    extra: dict[str, Any] = {}
    for assignment in assignments:
        name, _, text = assignment.partition("=")
        if name not in settable:
            raise argparse.ArgumentTypeError(
                f"{flag}: unknown field {name!r}; one of {', '.join(sorted(settable))}"
            )
        wanted = types[name]
        if wanted is bool and text.lower() in _BOOLEANS:
            extra[name] = _BOOLEANS[text.lower()]
        elif wanted in (int, int | None) and text.lstrip("-").isdigit():
            extra[name] = int(text)
        elif wanted in (str, str | None):
            extra[name] = text
        else:
            expected = getattr(wanted, "__name__", str(wanted))
            raise argparse.ArgumentTypeError(f"{flag}: {name}={text!r} is not a {expected}")
    return extra


def _fault(value: str) -> tuple[Fault, int]:
    name, _, times = value.partition("=")
    fault = next((f for f in Fault if name.lower() in (f.name.lower(), str(f.value))), None)
    if fault is None or (times and not times.isdigit()):
        raise argparse.ArgumentTypeError(
            f"--fault takes NAME[=TIMES] with NAME one of {', '.join(_fault_names())}, "
            f"got {value!r}"
        )
    return fault, int(times or 1)


def _fault_names() -> list[str]:
    return [fault.name.lower() for fault in Fault]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m binance_coinm_futures.testing",
        description="A local Binance COIN-M Futures Cancel Order endpoint, for tests. "
        "It knows the demo key unless --api-key/--secret replace it.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--clock-offset-ms", type=int, default=0, help="skew the exchange clock")

    keys = parser.add_argument_group("API keys (--hmac-key, --rsa-key, --ed25519-key repeat)")
    keys.add_argument("--api-key", default=DEMO_API_KEY, help="test-only (default: %(default)s)")
    keys.add_argument("--secret", default=DEMO_SECRET, help="its HMAC secret (test-only)")
    keys.add_argument(
        "--hmac-key",
        action="append",
        default=[],
        type=_key_and_value("--hmac-key", "SECRET"),
        metavar="API_KEY=SECRET",
    )
    for kind in ("rsa", "ed25519"):
        keys.add_argument(
            f"--{kind}-key",
            action="append",
            default=[],
            type=_key_and_value(f"--{kind}-key", "PUBLIC_KEY.pem"),
            metavar="API_KEY=PUBLIC_KEY.pem",
            help=f"an {'RSA' if kind == 'rsa' else 'Ed25519'} public key in PEM",
        )

    book = parser.add_argument_group("orders")
    book.add_argument(
        "--order",
        action="append",
        default=[],
        type=_order,
        metavar="ORDER_ID,CLIENT_ORDER_ID,SYMBOL[,FIELD=VALUE...]",
        help="add an open order (repeat); more fields by Order's attribute names, "
        "e.g. 4612097870,my-order-1,BTCUSD_PERP,side=SELL,price=38500",
    )
    book.add_argument(
        "--algo-order",
        action="append",
        default=[],
        type=_algo_order,
        metavar="SYMBOL[,FIELD=VALUE...]",
        help="add a conditional order to the algo service (repeat); fields by AlgoOrder's "
        "attribute names, e.g. BTCUSD_PERP,client_algo_id=my-stop-1,order_type=STOP_MARKET",
    )
    book.add_argument("--no-demo-orders", action="store_true", help="start without the demo orders")
    book.add_argument(
        "--any-order", action="store_true", help="every well-formed cancel succeeds (benchmarks)"
    )
    book.add_argument(
        "--symbol",
        action="append",
        default=[],
        metavar="SYMBOL",
        help="list one more symbol (repeat); unlisted symbols answer -1121 Invalid symbol.",
    )
    book.add_argument(
        "--answer-shape",
        choices=sorted(cancel_examples()),
        default=CURRENT_SHAPE,
        help="the cancel answer's shape: today's (default) or the one before the 2026-06 "
        "COIN-M / USDⓈ-M integration",
    )

    faults = parser.add_argument_group("faults")
    faults.add_argument(
        "--fault",
        action="append",
        default=[],
        type=_fault,
        metavar="NAME[=TIMES]",
        help="answer the next TIMES (default 1) cancels with this fault, in the order given "
        f"(repeat); NAME is one of: {', '.join(_fault_names())}",
    )
    return parser


def _public_keys(
    parser: argparse.ArgumentParser, flag: str, entries: list[tuple[str, str]]
) -> dict[str, bytes]:
    """The PEM of each --rsa-key / --ed25519-key, checked to be a public key of that kind."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    kind = RSAPublicKey if flag == "--rsa-key" else Ed25519PublicKey
    found: dict[str, bytes] = {}
    for api_key, path in entries:
        try:
            pem = Path(path).read_bytes()
            key = serialization.load_pem_public_key(pem)
        except (OSError, ValueError) as error:
            parser.error(f"{flag} {api_key}={path}: not a readable PEM public key ({error})")
        if not isinstance(key, kind):
            parser.error(f"{flag} {api_key}={path}: this is not an {flag[2:-4]} public key")
        found[api_key] = pem
    return found


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
    parser = _parser()
    args = parser.parse_args(argv)
    api_keys: dict[str, str | bytes] = {args.api_key: args.secret}
    api_keys.update(dict(args.hmac_key))
    api_keys.update(_public_keys(parser, "--rsa-key", args.rsa_key))
    api_keys.update(_public_keys(parser, "--ed25519-key", args.ed25519_key))
    exchange = LocalExchange(
        api_keys=api_keys,
        orders=[] if args.no_demo_orders else None,
        host=args.host,
        port=args.port,
        clock_offset_ms=args.clock_offset_ms,
        any_order=args.any_order,
        answer_shape=args.answer_shape,
        symbols=args.symbol,
        record_requests=False,  # nobody can read them, and a long benchmark would pile them up
    )
    for order in args.order:
        exchange.add_order(order)
    for algo_order in args.algo_order:
        exchange.add_algo_order(**algo_order)
    for fault, times in args.fault:
        exchange.inject(fault, times)

    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if _stdin_tells_parent_death():
        threading.Thread(target=_wait_for_stdin_to_close, args=(done,), daemon=True).start()
    with exchange:
        startup = {"LOCAL_EXCHANGE_URL": exchange.url, "LOCAL_EXCHANGE_API_KEY": args.api_key}
        if (args.api_key, args.secret) == (DEMO_API_KEY, DEMO_SECRET):
            startup["LOCAL_EXCHANGE_SECRET"] = DEMO_SECRET
        more_keys = [key for key in api_keys if key != args.api_key]
        if more_keys:
            startup["LOCAL_EXCHANGE_MORE_KEYS"] = ",".join(more_keys)
        print(
            " ".join(f"{name}={shlex.quote(value)}" for name, value in startup.items()), flush=True
        )
        queued = ", ".join(f"{fault.name.lower()} x{times}" for fault, times in args.fault)
        print(
            f"local exchange: {len(exchange.open_orders)} open orders, "
            f"{len(exchange.open_algo_orders)} open algo orders; "
            f"faults queued: {queued or 'none'}. Stop with Ctrl-C.",
            file=sys.stderr,
            flush=True,
        )
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

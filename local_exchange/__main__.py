"""Run a LocalExchange until SIGTERM/SIGINT, or until stdin closes when stdin is a pipe.

Once it listens, it prints one line of shell assignments on stdout, for example
``LOCAL_EXCHANGE_URL=http://127.0.0.1:8100 LOCAL_EXCHANGE_API_KEY=demo-api-key
LOCAL_EXCHANGE_SECRET=demo-secret`` (on one line).

The secret is printed only when it is the published, test-only demo secret. Keys registered
with ``--hmac-key``, ``--rsa-key`` and ``--ed25519-key`` are listed by API key alone, in
``LOCAL_EXCHANGE_MORE_KEYS``. A summary for people (the open orders' ids, queued faults) goes
to stderr. The secret of ``--api-key`` is best passed in the ``LOCAL_EXCHANGE_SECRET``
environment variable, which ``ps`` does not show. While it runs, commands on stdin add orders,
queue faults and read the request log (see ``_control``). Nonsense (a fault queued 0 times, a
price that is no number, an order id given twice, a busy port) is refused with one line.
``python -m binance_coinm_futures.testing --help`` lists every flag.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import stat
import sys
import threading
import typing
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

# Through the package, so that a missing testing extra is named.
from . import DEMO_API_KEY, DEMO_SECRET, LocalExchange
from ._algo import AlgoOrder
from ._control import (
    COMMANDS,
    duplicate,
    duplicate_algo,
    fault_names,
    parse_algo_order,
    parse_fault,
    parse_order,
    serve_commands,
    trim_log,
)
from ._orders import Order, demo_orders
from ._spec import CURRENT_SHAPE, cancel_examples

#: Where the secret of --api-key is read from: an environment variable is not shown by `ps`.
_FROM_ENVIRONMENT = "env:"
SECRET_VARIABLE = "LOCAL_EXCHANGE_SECRET"  # noqa: S105 - a variable name, not a secret


def _key_and_value(flag: str, what: str) -> typing.Callable[[str], tuple[str, str]]:
    def split(value: str) -> tuple[str, str]:
        api_key, separator, rest = value.partition("=")
        if not separator or not api_key or not rest:
            raise argparse.ArgumentTypeError(f"{flag} takes API_KEY={what}, got {value!r}")
        return api_key, rest

    return split


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> typing.NoReturn:
        # One line, not the usage block: the problem is what a person needs to see.
        self.exit(2, f"{self.prog}: {message} (--help lists the flags)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m binance_coinm_futures.testing",
        description="A local Binance COIN-M Futures Cancel Order endpoint, for tests. "
        "It knows the demo key unless --api-key/--secret replace it.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--clock-offset-ms", type=int, default=0, help="skew the exchange clock")

    keys = parser.add_argument_group("API keys (--hmac-key, --rsa-key, --ed25519-key repeat)")
    keys.add_argument("--api-key", default=DEMO_API_KEY, help="test-only (default: %(default)s)")
    keys.add_argument(
        "--secret",
        help=f"its HMAC secret; visible in `ps`, so prefer the {SECRET_VARIABLE} environment "
        "variable (default: the demo secret)",
    )
    keys.add_argument(
        "--hmac-key",
        action="append",
        default=[],
        type=_key_and_value("--hmac-key", "SECRET"),
        metavar="API_KEY=SECRET",
        help="another HMAC key (repeat); API_KEY=env:NAME reads the secret from the "
        "environment variable NAME, which `ps` does not show",
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
        type=parse_order,
        metavar="ORDER_ID,CLIENT_ORDER_ID,SYMBOL[,FIELD=VALUE...]",
        help="add an open order (repeat); more fields by Order's attribute names, "
        "e.g. 4612097870,my-order-1,BTCUSD_PERP,side=SELL,price=38500",
    )
    book.add_argument(
        "--algo-order",
        action="append",
        default=[],
        type=parse_algo_order,
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
        type=parse_fault,
        metavar="'NAME[=TIMES] [METHOD] [PATH]'",
        help="answer the next TIMES (default 1) METHOD PATH requests (default: cancels, DELETE "
        "/dapi/v1/order) with this fault, in the order given (repeat), as the stdin command "
        f"`fault` does, e.g. 'unknown_enum=2 GET /dapi/v1/algoOrder'; NAME is one of: "
        f"{', '.join(fault_names())}",
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


def _secret(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    from_environment = os.environ.get(SECRET_VARIABLE)
    if args.secret is not None and from_environment is not None:
        parser.error(f"--secret and {SECRET_VARIABLE} are both set: pass the secret once")
    secret = args.secret if args.secret is not None else from_environment
    if secret is None:
        if args.api_key != DEMO_API_KEY:
            parser.error(f"--api-key {args.api_key} needs its secret: set {SECRET_VARIABLE}")
        return DEMO_SECRET
    if not secret:
        parser.error(f"the secret of --api-key {args.api_key} is empty")
    return secret


def _hmac_secrets(
    parser: argparse.ArgumentParser, entries: list[tuple[str, str]]
) -> dict[str, str | bytes]:
    """Each --hmac-key's secret: as given, or from the variable named by ``env:NAME``."""
    found: dict[str, str | bytes] = {}
    for api_key, secret in entries:
        variable = secret.removeprefix(_FROM_ENVIRONMENT)
        if variable != secret:
            value = os.environ.get(variable)
            if not value:
                parser.error(f"--hmac-key {api_key}=env:{variable}: {variable} is not set")
            secret = value
        found[api_key] = secret
    return found


def _book(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[Order]:
    """The starting book: the demo orders unless refused, then each --order, none twice."""
    demo: list[Order] = [] if args.no_demo_orders else demo_orders()
    book = list(demo)
    for order in args.order:
        taken = duplicate(order, book)
        if taken is not None:
            hint = " (a demo order; --no-demo-orders drops them)" if duplicate(order, demo) else ""
            parser.error(f"--order {order.order_id}: {taken}{hint}")
        book.append(order)
    return book


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    secret = _secret(parser, args)
    api_keys: dict[str, str | bytes] = {args.api_key: secret}
    api_keys.update(_hmac_secrets(parser, args.hmac_key))
    api_keys.update(_public_keys(parser, "--rsa-key", args.rsa_key))
    api_keys.update(_public_keys(parser, "--ed25519-key", args.ed25519_key))
    book = _book(parser, args)
    exchange = LocalExchange(
        api_keys=api_keys,
        orders=book,
        host=args.host,
        port=args.port,
        clock_offset_ms=args.clock_offset_ms,
        any_order=args.any_order,
        answer_shape=args.answer_shape,
        symbols=args.symbol,
        # The `log` command reads the last requests; a benchmark (--any-order) keeps none.
        record_requests=not args.any_order,
    )
    added: list[AlgoOrder] = []
    for algo_order in args.algo_order:
        taken = duplicate_algo(algo_order, added)
        if taken is not None:
            parser.error(f"--algo-order: {taken}")
        added.append(exchange.add_algo_order(**algo_order))
    for queued in args.fault:
        queued.inject(exchange)

    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        exchange.start()
    except OSError as error:
        print(
            f"{parser.prog}: cannot listen on {args.host}:{args.port}: "
            f"{error.strerror or error} (another process has the port? --port 0 picks a free one)",
            file=sys.stderr,
        )
        return 1
    try:
        startup = {"LOCAL_EXCHANGE_URL": exchange.url, "LOCAL_EXCHANGE_API_KEY": args.api_key}
        if (args.api_key, secret) == (DEMO_API_KEY, DEMO_SECRET):
            startup["LOCAL_EXCHANGE_SECRET"] = DEMO_SECRET
        more_keys = [key for key in api_keys if key != args.api_key]
        if more_keys:
            startup["LOCAL_EXCHANGE_MORE_KEYS"] = ",".join(more_keys)
        print(
            " ".join(f"{name}={shlex.quote(value)}" for name, value in startup.items()), flush=True
        )
        queued = ", ".join(map(str, args.fault))
        ids = " ".join(str(order.order_id) for order in exchange.open_orders)
        algo_ids = " ".join(str(order.algo_id) for order in exchange.open_algo_orders)
        print(
            f"local exchange: {len(exchange.open_orders)} open orders ({ids or 'none'}), "
            f"{len(exchange.open_algo_orders)} open algo orders ({algo_ids or 'none'}); "
            f"faults queued: {queued or 'none'}. Commands on stdin: {COMMANDS}. "
            "Stop with Ctrl-C.",
            file=sys.stderr,
            flush=True,
        )
        if _stdin_tells_parent_death():
            threading.Thread(
                target=_steer_until_stdin_closes, args=(exchange, done), daemon=True
            ).start()
        while not done.wait(0.5):
            trim_log(exchange)
    finally:
        exchange.stop()
    return 0


def _steer_until_stdin_closes(exchange: LocalExchange, done: threading.Event) -> None:
    """Answer commands from stdin; its end (the owner closed it or died) stops the exchange."""
    with contextlib.suppress(OSError, ValueError):  # stdin gone: the same as closed
        serve_commands(exchange, sys.stdin, lambda answer: print(answer, flush=True))
    done.set()


if __name__ == "__main__":
    sys.exit(main())

"""`python -m binance_coinm_futures.testing`, run as a child process the way the demo and
benchmarks run it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from binance_coinm_futures import connect
from binance_coinm_futures.api.trade import cancel_algo_order, cancel_order, query_algo_order
from binance_coinm_futures.testing import Fault

REPO = Path(__file__).parents[2]
FIXTURES = REPO / "tests" / "fixtures"


def startup_line(line: str) -> dict[str, str]:
    """The shell assignments the CLI prints once it listens, read as a shell would."""
    words = shlex.split(line)
    assert words, "the exchange printed nothing"
    return dict(word.split("=", 1) for word in words)


@dataclass
class Running:
    process: subprocess.Popen[str]
    startup: dict[str, str]
    summary: str

    @property
    def url(self) -> str:
        return self.startup["LOCAL_EXCHANGE_URL"]


@contextmanager
def exchange_process(*args: str, stdin: int | IO[bytes] = subprocess.PIPE) -> Iterator[Running]:
    process = subprocess.Popen(
        [sys.executable, "-m", "binance_coinm_futures.testing", *args],
        cwd=REPO,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stderr is not None
        startup = startup_line(process.stdout.readline())
        yield Running(process, startup, process.stderr.readline())
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(5)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def refused(*args: str) -> str:
    """Run the CLI with flags it must refuse; its usage error."""
    result = subprocess.run(
        [sys.executable, "-m", "binance_coinm_futures.testing", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    return result.stderr


def signed_cancel(
    url: str, api_key: str, secret: str, order_id: int, symbol: str = "BTCUSD_PERP"
) -> httpx.Response:
    payload = f"symbol={symbol}&orderId={order_id}&timestamp={int(time.time() * 1000)}"
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return httpx.delete(
        f"{url}/dapi/v1/order?{payload}&signature={signature}",
        headers={"X-MBX-APIKEY": api_key},
    )


def test_demo_credentials_and_exit_when_stdin_closes() -> None:
    with exchange_process() as running:
        assert running.url.startswith("http://127.0.0.1:")
        assert running.startup["LOCAL_EXCHANGE_API_KEY"] == "demo-api-key"
        assert running.startup["LOCAL_EXCHANGE_SECRET"] == "demo-secret"
        response = signed_cancel(
            running.url,
            running.startup["LOCAL_EXCHANGE_API_KEY"],
            running.startup["LOCAL_EXCHANGE_SECRET"],
            4612097861,
        )
        assert response.status_code == 200, response.text
        assert running.process.stdin is not None
        running.process.stdin.close()
        assert running.process.wait(5) == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_exits_on_signal(signum: int) -> None:
    with exchange_process() as running:
        assert httpx.get(f"{running.url}/dapi/v1/time").status_code == 200
        running.process.send_signal(signum)
        assert running.process.wait(5) == 0


def test_options_reach_the_exchange() -> None:
    with exchange_process(
        "--api-key", "k", "--secret", "s", "--any-order", "--clock-offset-ms", "-3600000"
    ) as running:
        url = running.url
        server_time = httpx.get(f"{url}/dapi/v1/time").json()["serverTime"]
        assert abs(server_time - (time.time() * 1000 - 3_600_000)) < 2_000
        # the request's timestamp is an hour ahead of this exchange
        assert signed_cancel(url, "k", "s", 12345).json()["code"] == -1021
    with exchange_process("--api-key", "k", "--secret", "s", "--any-order") as running:
        url = running.url
        assert signed_cancel(url, "k", "s", 12345).json()["orderId"] == 12345
        assert signed_cancel(url, "demo-api-key", "demo-secret", 1).json()["code"] == -2015


def test_stdin_from_dev_null_keeps_serving() -> None:
    # A background job's stdin is /dev/null: its end-of-file means nothing.
    with exchange_process(stdin=subprocess.DEVNULL) as running:
        time.sleep(0.3)
        assert running.process.poll() is None
        assert httpx.get(f"{running.url}/dapi/v1/time").status_code == 200
        running.process.terminate()
        assert running.process.wait(5) == 0


def test_a_chosen_secret_is_never_printed() -> None:
    with exchange_process("--api-key", "team-key", "--secret", "team-secret-7f3a") as running:
        assert running.startup["LOCAL_EXCHANGE_API_KEY"] == "team-key"
        assert "LOCAL_EXCHANGE_SECRET" not in running.startup
        assert "team-secret-7f3a" not in " ".join(running.startup.values()) + running.summary
        assert signed_cancel(running.url, "team-key", "team-secret-7f3a", 4612097861).is_success


def asymmetric_cancel(url: str, api_key: str, private_pem: Path, order_id: int) -> httpx.Response:
    """Signed with cryptography directly, as Binance's rules say: base64, percent-encoded."""
    private = serialization.load_pem_private_key(private_pem.read_bytes(), password=None)
    payload = f"symbol=BTCUSD_PERP&orderId={order_id}&timestamp={int(time.time() * 1000)}"
    if isinstance(private, rsa.RSAPrivateKey):
        raw = private.sign(payload.encode(), padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(private, ed25519.Ed25519PrivateKey)
        raw = private.sign(payload.encode())
    signature = quote(base64.b64encode(raw).decode(), safe="")
    return httpx.delete(
        f"{url}/dapi/v1/order?{payload}&signature={signature}", headers={"X-MBX-APIKEY": api_key}
    )


def test_keys_of_each_kind_from_flags() -> None:
    with exchange_process(
        "--hmac-key",
        "desk-hmac=desk-secret",
        "--rsa-key",
        f"desk-rsa={FIXTURES / 'test-rsa-public.pem'}",
        "--ed25519-key",
        f"desk-ed25519={FIXTURES / 'test-ed25519-public.pem'}",
    ) as running:
        assert running.startup["LOCAL_EXCHANGE_MORE_KEYS"] == "desk-hmac,desk-rsa,desk-ed25519"
        assert "desk-secret" not in " ".join(running.startup.values()) + running.summary
        assert signed_cancel(running.url, "desk-hmac", "desk-secret", 4612097861).is_success
        rsa_private = FIXTURES / "test-rsa-private.pem"
        ed_private = FIXTURES / "test-ed25519-private.pem"
        assert asymmetric_cancel(running.url, "desk-rsa", rsa_private, 4612097862).is_success
        assert asymmetric_cancel(running.url, "desk-ed25519", ed_private, 4612097863).is_success
        # each key verifies with its own kind only
        assert asymmetric_cancel(running.url, "desk-rsa", ed_private, 4612097864).json() == {
            "code": -1022,
            "msg": "Signature for this request is not valid.",
        }


def test_orders_and_faults_from_flags() -> None:
    with exchange_process(
        "--no-demo-orders",
        "--order",
        "77,team:order/1,BTCUSD_PERP,side=SELL,price=38500,reduce_only=true",
        "--fault",
        "rate_limited=2",
        "--fault",
        "SERVICE_UNAVAILABLE_503",
    ) as running:
        assert "1 open orders" in running.summary
        assert "rate_limited x2, service_unavailable_503 x1" in running.summary
        url = running.url
        statuses = [
            signed_cancel(url, "demo-api-key", "demo-secret", 77).status_code for _ in "abc"
        ]
        assert statuses == [429, 429, 503]
        order = signed_cancel(url, "demo-api-key", "demo-secret", 77).json()
        assert (order["orderId"], order["clientOrderId"], order["status"]) == (
            77,
            "team:order/1",
            "CANCELED",
        )
        assert (order["side"], order["price"], order["reduceOnly"]) == ("SELL", "38500", True)
        assert signed_cancel(url, "demo-api-key", "demo-secret", 4612097861).json()["code"] == -2011


def test_a_fault_flag_reaches_any_path_and_method_as_the_fault_command_does() -> None:
    """--fault reads the stdin command's form (one parser): NAME[=TIMES] [METHOD] [PATH]."""
    from binance_coinm_futures import RateLimited, ServiceUnavailable, connect
    from binance_coinm_futures.api.trade import cancel_algo_order, query_order

    with exchange_process(
        "--algo-order",
        "BTCUSD_PERP,client_algo_id=stop-1,order_type=STOP_MARKET",
        "--fault",
        "rate_limited=2 GET",
        "--fault",
        "service_unavailable_503 delete /dapi/v1/algoOrder",
    ) as running:
        assert (
            "faults queued: rate_limited x2 for GET, "
            "service_unavailable_503 x1 for DELETE /dapi/v1/algoOrder." in running.summary
        )
        with connect(api_key="demo-api-key", secret="demo-secret", base_url=running.url) as client:
            for _ in range(2):
                with pytest.raises(RateLimited):
                    query_order.sync(client=client, symbol="BTCUSD_PERP", order_id=4612097861)
            # The cancel path had no fault queued: the queries' faults were theirs alone.
            assert signed_cancel(running.url, "demo-api-key", "demo-secret", 4612097861).json()[
                "status"
            ] == ("CANCELED")
            with pytest.raises(ServiceUnavailable):
                cancel_algo_order.sync(client=client, client_algo_id="stop-1")
            done = cancel_algo_order.sync(client=client, client_algo_id="stop-1")
            assert (done.client_algo_id, done.code) == ("stop-1", "200")


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("slow PUT", "method must be one of DELETE, GET, got 'PUT'"),
        ("slow GET /dapi/v1/nowhere", "path must be one of /dapi/v1/order"),
        ("slow DELETE /dapi/v1/openAlgoOrders", "method must be one of GET, got 'DELETE'"),
        ("slow GET /dapi/v1/order more", "--fault takes NAME[=TIMES] [DELETE|GET|POST] [PATH]"),
    ],
)
def test_a_fault_flag_for_a_path_or_method_that_cannot_fail_is_refused(
    value: str, complaint: str
) -> None:
    assert complaint in refused("--fault", value)


def test_the_fault_flag_and_command_share_one_parser() -> None:
    from binance_coinm_futures.testing import LocalExchange
    from binance_coinm_futures.testing._control import QueuedFault, parse_fault, run_command
    from binance_coinm_futures.testing._faults import Fault

    text = "UNKNOWN_ENUM=3 get /dapi/v1/openAlgoOrders"
    assert parse_fault(text) == QueuedFault(Fault.UNKNOWN_ENUM, 3, "GET", "/dapi/v1/openAlgoOrders")
    assert parse_fault("slow") == QueuedFault(Fault.SLOW, 1, "DELETE", "/dapi/v1/order")
    with LocalExchange() as exchange:
        assert run_command(exchange, f"fault {text}") == (
            "ok: unknown_enum x3 queued for GET /dapi/v1/openAlgoOrders"
        )
        assert run_command(exchange, "fault slow GET /dapi/v1/order") == (
            "ok: slow x1 queued for GET"
        )


def test_every_fault_is_offered() -> None:
    usage = subprocess.run(
        [sys.executable, "-m", "binance_coinm_futures.testing", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    for fault in Fault:
        assert fault.name.lower() in usage


def test_algo_orders_from_flags() -> None:
    with exchange_process(
        "--algo-order",
        "BTCUSD_PERP,client_algo_id=desk:stop/1,order_type=STOP_MARKET,trigger_price=35000",
        "--algo-order",
        "ETHUSD_PERP,algo_id=70,reduce_only=false",
    ) as running:
        # Each algo id is listed, as the order ids are: one given by the sequence is found
        # only this way.
        assert "2 open algo orders (70 2146760)" in running.summary
        with connect(api_key="demo-api-key", secret="demo-secret", base_url=running.url) as client:
            stop = query_algo_order.sync(client=client, client_algo_id="desk:stop/1")
            other = query_algo_order.sync(client=client, algo_id=70)
            cancelled = cancel_algo_order.sync(client=client, algo_id=stop.algo_id)
    assert (stop.symbol, stop.order_type, stop.trigger_price, stop.algo_status) == (
        "BTCUSD_PERP",
        "STOP_MARKET",
        "35000",
        "NEW",
    )
    assert (other.symbol, other.reduce_only) == ("ETHUSD_PERP", False)
    assert (cancelled.algo_id, cancelled.client_algo_id) == (stop.algo_id, "desk:stop/1")


@pytest.mark.parametrize(
    ("flags", "complaint"),
    [
        (["--order", "77,only-two"], "--order takes ORDER_ID,CLIENT_ORDER_ID,SYMBOL"),
        (["--order", "77,x,BTCUSD_PERP,colour=red"], "unknown field 'colour'"),
        (["--order", "77,x,BTCUSD_PERP,reduce_only=maybe"], "reduce_only='maybe' is not a bool"),
        (["--algo-order", "algo_id=5"], "--algo-order takes SYMBOL[,FIELD=VALUE...]"),
        (["--algo-order", "BTCUSD_PERP,colour=red"], "--algo-order: unknown field 'colour'"),
        (["--algo-order", "BTCUSD_PERP,algo_id=five"], "algo_id='five' is not a"),
        (
            ["--fault", "meteor"],
            "--fault takes NAME[=TIMES] [DELETE|GET|POST] [PATH] with NAME one of rate_limited",
        ),
        (["--fault", "slow=twice"], "--fault takes NAME[=TIMES]"),
        (["--hmac-key", "no-secret"], "--hmac-key takes API_KEY=SECRET"),
        (
            ["--rsa-key", "k=/nonexistent/key.pem"],
            "--rsa-key k=/nonexistent/key.pem: not a readable",
        ),
        (
            ["--rsa-key", f"k={FIXTURES / 'test-ed25519-public.pem'}"],
            "this is not an rsa public key",
        ),
        (
            ["--ed25519-key", f"k={FIXTURES / 'test-rsa-private.pem'}"],
            "not a readable PEM public key",
        ),
        (["--fault", "rate_limited=0"], "--fault rate_limited=0: TIMES must be 1 or more"),
        (["--order", "77,x,BTCUSD_PERP,price=abc"], "price='abc' is not a decimal number"),
        (["--order", "77,x,BTCUSD_PERP,orig_qty=1e3"], "orig_qty='1e3' is not a decimal number"),
        (["--order", "77,x,BTCUSD_PERP,side=SELL,side=BUY"], "side is given twice"),
        (
            ["--order", "77,a,BTCUSD_PERP", "--order", "77,b,ETHUSD_PERP"],
            "--order 77: order id 77 is already held ('a')",
        ),
        (
            ["--order", "78,a,BTCUSD_PERP", "--order", "79,a,BTCUSD_PERP"],
            "client order id 'a' is already held on BTCUSD_PERP (order 78)",
        ),
        (
            ["--order", "4612097861,mine,BTCUSD_PERP"],
            "order id 4612097861 is already held ('7BOSEMlb00bMIuOZzWKxn2') (a demo order; "
            "--no-demo-orders drops them)",
        ),
        (
            ["--api-key", "team-key"],
            "--api-key team-key needs its secret: set LOCAL_EXCHANGE_SECRET",
        ),
        # An algo order given twice would silently replace the first, as --order's once did.
        (
            ["--algo-order", "BTCUSD_PERP,algo_id=5", "--algo-order", "ETHUSD_PERP,algo_id=5"],
            "--algo-order: algo id 5 is already held ('algo-5')",
        ),
        (
            [
                "--algo-order",
                "BTCUSD_PERP,client_algo_id=stop-1",
                "--algo-order",
                "BTCUSD_PERP,client_algo_id=stop-1",
            ],
            "--algo-order: client algo id 'stop-1' is already held (algo order 2146760)",
        ),
        (["--algo-order", "BTCUSD_PERP,algo_id=0"], "--algo-order: algo_id=0 must be 1 or more"),
        (
            ["--algo-order", "BTCUSD_PERP,client_algo_id=stop 1"],
            "--algo-order: client_algo_id='stop 1' does not match",
        ),
        (
            ["--algo-order", "BTCUSD_PERP,algo_status=BOGUS"],
            "--algo-order: algo_status='BOGUS' is not one of CANCELED, EXPIRED, FINISHED, NEW,",
        ),
    ],
)
def test_bad_flags_are_refused_by_name(flags: list[str], complaint: str) -> None:
    message = refused(*flags)
    assert complaint in message
    assert message.count("\n") == 1, message  # one line: no usage block, no traceback


def test_user_code_runs_against_the_cli() -> None:
    """The README's outside-pytest section: our client, the printed credentials, a PEM key."""
    with exchange_process("--rsa-key", f"desk-rsa={FIXTURES / 'test-rsa-public.pem'}") as running:
        startup = running.startup
        with connect(
            api_key=startup["LOCAL_EXCHANGE_API_KEY"],
            secret=startup["LOCAL_EXCHANGE_SECRET"],
            base_url=startup["LOCAL_EXCHANGE_URL"],
        ) as client:
            order = cancel_order.sync(client=client, symbol="BTCUSD_PERP", order_id=4612097861)
        assert (order.order_id, order.status) == (4612097861, "CANCELED")

        async def by_rsa_key() -> str:
            async with connect(
                api_key="desk-rsa",
                private_key=FIXTURES / "test-rsa-private.pem",
                base_url=running.url,
            ) as client:
                order = await cancel_order.asyncio(
                    client=client, symbol="BTCUSD_PERP", orig_client_order_id="desk:7/quote-01"
                )
            return order.client_order_id

        assert asyncio.run(by_rsa_key()) == "desk:7/quote-01"


def test_answer_shape_and_symbols_from_flags() -> None:
    with exchange_process(
        "--answer-shape",
        "pre-2026-06",
        "--symbol",
        "NEWUSD_PERP",
        "--order",
        "78,new-1,NEWUSD_PERP",
    ) as running:
        old_shape = signed_cancel(running.url, "demo-api-key", "demo-secret", 4612097861).json()
        assert {"avgPrice", "cumBase", "time"} <= old_shape.keys()
        new = signed_cancel(running.url, "demo-api-key", "demo-secret", 78, "NEWUSD_PERP")
        assert new.json()["orderId"] == 78
        unlisted = signed_cancel(running.url, "demo-api-key", "demo-secret", 78, "OTHERUSD_PERP")
        assert unlisted.json()["code"] == -1121
    assert "--answer-shape: invalid choice: '2019'" in refused("--answer-shape", "2019")


def test_both_secrets_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_EXCHANGE_SECRET", "from-env")
    assert "--secret and LOCAL_EXCHANGE_SECRET are both set" in refused("--secret", "s")


def test_the_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_EXCHANGE_SECRET", "team-secret-from-env")
    with exchange_process("--api-key", "team-key") as running:
        assert "team-secret-from-env" not in str(running.process.args)  # not in `ps`
        assert "LOCAL_EXCHANGE_SECRET" not in running.startup
        response = signed_cancel(running.url, "team-key", "team-secret-from-env", 4612097861)
        assert response.is_success, response.text


def test_more_hmac_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESK_SECRET", "desk-secret-from-env")
    with exchange_process("--hmac-key", "desk=env:DESK_SECRET") as running:
        assert "desk-secret-from-env" not in str(running.process.args)
        assert running.startup["LOCAL_EXCHANGE_MORE_KEYS"] == "desk"
        response = signed_cancel(running.url, "desk", "desk-secret-from-env", 4612097861)
        assert response.is_success, response.text
    monkeypatch.delenv("DESK_SECRET")
    assert "--hmac-key desk=env:DESK_SECRET: DESK_SECRET is not set" in refused(
        "--hmac-key", "desk=env:DESK_SECRET"
    )


def test_a_busy_port_is_one_line_without_a_traceback() -> None:
    with exchange_process() as running:
        port = running.url.rsplit(":", 1)[1]
        result = subprocess.run(
            [sys.executable, "-m", "binance_coinm_futures.testing", "--port", port],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_the_demo_order_ids_are_listed_at_start() -> None:
    with exchange_process() as running:
        for order_id in range(4612097861, 4612097866):
            assert str(order_id) in running.summary


def test_a_running_exchange_is_steered_from_stdin() -> None:
    with exchange_process("--no-demo-orders") as running:
        stdin, stdout = running.process.stdin, running.process.stdout
        assert stdin is not None
        assert stdout is not None

        def command(line: str) -> str:
            assert stdin is not None
            assert stdout is not None
            stdin.write(line + "\n")
            stdin.flush()
            return stdout.readline().strip()

        assert command("order 90,steer-1,BTCUSD_PERP,price=100") == (
            "ok: order 90 (steer-1) on BTCUSD_PERP"
        )
        assert (
            command("order 90,again,BTCUSD_PERP")
            == "error: order id 90 is already held ('steer-1')"
        )
        assert command("order 91,x,BTCUSD_PERP,price=abc").startswith("error: --order: price=")
        assert command("orders") == "ok: open orders 90"
        # A fault on Query Order (GET), then one on the cancel.
        assert command("fault rate_limited GET") == "ok: rate_limited x1 queued for GET"
        assert command("fault service_unavailable_503=1") == (
            "ok: service_unavailable_503 x1 queued for DELETE"
        )
        assert command("fault meteor").startswith("error: --fault takes NAME[=TIMES]")
        assert command("fault slow=0") == "error: --fault slow=0: TIMES must be 1 or more"
        assert command("fault slow PUT").startswith("error: method must be one of")
        assert command("launch rockets").startswith("error: unknown command 'launch'")

        with connect(api_key="demo-api-key", secret="demo-secret", base_url=running.url) as client:
            from binance_coinm_futures import RateLimited, ServiceUnavailable
            from binance_coinm_futures.api.trade import query_order

            with pytest.raises(RateLimited):
                query_order.sync(client=client, symbol="BTCUSD_PERP", order_id=90)
            with pytest.raises(ServiceUnavailable):
                cancel_order.sync(client=client, symbol="BTCUSD_PERP", order_id=90)
            order = cancel_order.sync(client=client, symbol="BTCUSD_PERP", order_id=90)
        assert (order.client_order_id, order.price) == ("steer-1", "100")

        log = command("log 3")
        assert log.startswith("ok: GET /dapi/v1/order?symbol=BTCUSD_PERP&orderId=90&timestamp=")
        assert log.count("DELETE /dapi/v1/order?") == 2
        assert "signature=<hidden>" in log
        assert command("orders") == "ok: open orders (none)"

"""The asyncio backend: HTTP/1.1 on asyncio's own transports, answers parsed by httptools.

The two other async backends spend most of an async cancel's transport time in their own
layers (httpcore's pool and h11, or aiohttp's session, connector and request objects); this
one writes the request's bytes with ``transport.write`` and feeds what arrives to llhttp
(through httptools), with a small keep-alive pool of its own. It only moves bytes: the fault
boundary (``BinanceTransport``) reads the body, caps its size, sets the call's deadline and
maps faults onto the error tree. Like every backend it raises httpx's exception types, and
which one tells the boundary whether the request could have left this process:

    before any byte was written    ConnectError, ConnectTimeout, PoolTimeout,
                                   LocalProtocolError (a header h11 would refuse too)
    after (or maybe after)         ReadError, ReadTimeout, RemoteProtocolError

What it keeps exact, as the other backends do:

- the request: its method, the URL's target as signed (``raw_path``, byte for byte) and its
  own headers (httpx's Request already holds Host and, for a body, Content-Length); nothing
  is added but a Content-Length where httpx would stream a body chunked;
- the answer: raw, never decompressed, handed on as it arrives; reading pauses once 64 KiB
  wait unread, so the boundary's size cap bounds the memory an answer can take here too;
- TLS: the same context httpx builds for the same ``verify`` (certifi's CAs by default);
- one send: a request is written once. A pooled connection is taken only while it is open
  and has received nothing since its last answer; one the peer has closed (or written to)
  while idle is dropped before anything is written on it, and another is taken or opened.
  Once a byte is written, any failure is an "after" failure, never a resend;
- no stray bytes: a connection that received anything beyond its answer (a second answer,
  a stray -2011) is closed, never pooled;
- timeouts: connect (TCP and TLS), pool (waiting for a free connection), read (silence
  between received bytes). The write is a buffered ``transport.write``: a request of a few
  hundred bytes never waits on it;
- the call's deadline (``DEADLINE``, set by the boundary): every wait here ends by it, so the
  backend ``keeps_deadline`` and the boundary adds no timeout of its own around it (one
  timer per wait instead of two). A pool or connect wait it ends is a PoolTimeout or a
  ConnectTimeout (nothing was sent); a wait for the answer it ends is a TimeoutError, which
  the boundary reports as the deadline passing after the request went out.

Why httptools and not h11: the same prototype of this hot path on each, side by side at 32 in
flight, spent 2.7 times the CPU per call on h11 (bench/parser_choice.py).

What it does not do: proxies (connect() gives those to the aiohttp backend, see
``_backends``), and event loops other than asyncio's (a request from one is refused before
anything is sent; httpx's backend serves trio). It relies on no library internals: httptools'
and asyncio's public API only, so it has no guard to keep.
"""

from __future__ import annotations

import asyncio
import collections
import re
import select
import ssl
import time
from collections.abc import AsyncIterator, Callable
from typing import Final

import httptools
import httpx

from ._call import CONNECT_RETRIES, DEADLINE

#: Unread answer bytes after which reading pauses until the boundary takes them.
_HIGH_WATER: Final = 64 * 1024
_TOKEN: Final = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FORBIDDEN_IN_VALUE: Final = re.compile(rb"[\x00\r\n]")
_FRAMING: Final = (b"content-length", b"transfer-encoding")
_Key = tuple[bytes, str, int]
#: Header lines kept per backend once checked (a client sends the same dozen on every request:
#: the parts that change, timestamp and signature, are in the target).
_KEPT_LINES: Final = 64


def _request_head(
    request: httpx.Request, body: bytes, checked: dict[tuple[bytes, bytes], bytes]
) -> bytes:
    """The request's head as it goes on the wire; LocalProtocolError (nothing sent) if a
    header or the target could not be written as HTTP/1.1. Its text names no value: a value
    may be the API key. ``checked`` holds header lines already found good (not framing)."""
    target = request.url.raw_path
    if _FORBIDDEN_IN_VALUE.search(target) or b" " in target:
        raise httpx.LocalProtocolError("the request target holds a space or a line break")
    lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), target)]
    framed = False
    for pair in request.headers.raw:
        line = checked.get(pair)
        if line is None:
            name, value = pair
            if _TOKEN.fullmatch(name) is None or _FORBIDDEN_IN_VALUE.search(value):
                raise httpx.LocalProtocolError(f"header {name[:64]!r} cannot be sent as HTTP/1.1")
            if name.lower() in _FRAMING:
                framed = True
                continue
            line = b"%s: %s" % pair
            if len(checked) >= _KEPT_LINES:
                checked.clear()  # values that change per request: keep none for long
            checked[pair] = line
        lines.append(line)
    if body or framed:
        # httpx states a streamed body as chunked; it is read whole here, so its length is
        # known and stated instead.
        lines.append(b"Content-Length: %d" % len(body))
    lines.append(b"\r\n")
    return b"\r\n".join(lines)


_HTTP_VERSIONS: Final = {"1.1": b"HTTP/1.1", "1.0": b"HTTP/1.0"}


def _http_version(version: str) -> bytes:
    """The answer's ``http_version`` extension, as httpx's transports give it."""
    return _HTTP_VERSIONS.get(version) or b"HTTP/" + version.encode("ascii")


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: one request at a time, the answer parsed as it arrives."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        #: Polls the socket for bytes the loop has not delivered yet (``quiet``).
        self._probe: select.poll | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        #: Bytes arrived while no request was waiting, or beyond an answer: never reuse.
        self.dirty = False
        self.idle_since = 0.0
        self._busy = False
        self._paused = False
        #: The request in flight is a HEAD: its answer has a head only, whatever it states.
        self._head_only = False
        self._reset_answer()

    def _reset_answer(self) -> None:
        self.begun = False
        self.status = 0
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.head_done = False
        self.complete = False
        #: Both sides keep the connection open after this answer (llhttp's verdict, read at
        #: the answer's end: it forgets it once the next message may begin).
        self.keep_alive = False
        self.until_close = False
        self.chunks: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.failure: httpx.TransportError | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.last_data = 0.0

    def itself(self) -> _Connection:
        """The protocol factory ``loop.create_connection`` asks for: this connection."""
        return self

    # -- asyncio.Protocol ----------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # Made once per connection: ``quiet`` asks it before every reuse.
            self._probe = select.poll()  # poll, not select: no limit on the descriptor's number
            self._probe.register(sock.fileno(), select.POLLIN)

    def data_received(self, data: bytes) -> None:
        if not self._busy or self.complete:
            self.dirty = True  # nobody asked: a stray answer, or bytes beyond the last one
            self.close()
            return
        self.last_data = self.loop.time()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(httpx.RemoteProtocolError("the server switched protocols"))
        except httptools.HttpParserError as error:
            if self.complete:
                self.dirty = True
                self.close()
            else:
                self._fail(httpx.RemoteProtocolError(f"the answer is not HTTP/1.1: {error}"))

    def eof_received(self) -> bool:
        return False  # the transport closes itself; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self._busy or self.complete:
            return
        if exc is not None:
            self._fail(httpx.ReadError(f"{type(exc).__name__}: {exc}".rstrip(": ")))
        elif self.head_done and self.until_close:
            self._message_complete()  # no length stated: the body ends with the connection
        elif self.begun:
            self._fail(httpx.RemoteProtocolError("the server closed the connection mid-answer"))
        else:
            self._fail(httpx.RemoteProtocolError("the server closed the connection unanswered"))

    # -- httptools callbacks ---------------------------------------------------------------
    def on_message_begin(self) -> None:
        if self.complete or self.begun:
            raise httptools.HttpParserError("a second answer")  # stray: caught above
        self.begun = True

    def on_status(self, status: bytes) -> None:
        self.reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.head_done = True
        framing = {name.lower() for name, _ in self.headers}
        self.until_close = not framing.intersection(_FRAMING) and self.status >= 200
        if self._head_only and self.status >= 200:
            # llhttp cannot be told the request was a HEAD and would wait for the stated
            # body: the answer ends here, and the connection is not reused.
            self._message_complete()
            return
        self._wake()

    def on_body(self, body: bytes) -> None:
        if self.complete:
            self.dirty = True  # a body after a HEAD's answer: not this request's
            return
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if 100 <= self.status < 200:
            # An interim answer (100 Continue): the final one follows on this connection.
            self._reset_answer_keep_waiter()
            return
        self.keep_alive = self.parser.should_keep_alive()
        self._message_complete()

    # -- the request's side ---------------------------------------------------------------
    def _reset_answer_keep_waiter(self) -> None:
        waiter = self.waiter
        self._reset_answer()
        self.waiter = waiter
        self.last_data = self.loop.time()

    def _message_complete(self) -> None:
        self.complete = True
        self._wake()

    def _fail(self, failure: httpx.TransportError) -> None:
        if self.failure is None:
            self.failure = failure
        self.close()
        self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def usable(self) -> bool:
        return (
            not (self.closed or self.dirty)
            and self.transport is not None
            and not self.transport.is_closing()
        )

    def quiet(self) -> bool:
        """Whether the socket has nothing waiting to be read: no close and no byte the event
        loop has not yet delivered. Checked just before a pooled connection is written to, so
        a connection the peer closed while idle is replaced, provably before any byte left."""
        # Asked only of a connection still open (``usable``), so the descriptor is its own.
        return self._probe is not None and not self._probe.poll(0)

    def send(self, head: bytes, body: bytes, *, head_only: bool = False) -> None:
        assert self.transport is not None
        self._busy = True
        self._head_only = head_only
        self._reset_answer()
        self.transport.write(head + body if body else head)

    async def wait(
        self, read_timeout: float | None, ready: Callable[[], bool], deadline: float | None
    ) -> None:
        """Until ``ready()``; ReadTimeout after ``read_timeout`` seconds without a byte,
        TimeoutError once the call's ``deadline`` (on the loop's clock) has passed.

        One timer, for whichever of the two ends first.
        """
        started = self.loop.time()
        self.last_data = max(self.last_data, started)
        while not ready():
            if self.failure is not None:
                raise self.failure
            self.waiter = self.loop.create_future()
            wake_at = deadline
            if read_timeout is not None and (
                wake_at is None or self.last_data + read_timeout < wake_at
            ):
                wake_at = self.last_data + read_timeout
            timer = None if wake_at is None else self.loop.call_at(wake_at, self._wake)
            try:
                await self.waiter
            finally:
                self.waiter = None
                if timer is not None:
                    timer.cancel()
            if ready() or self.failure is not None:
                continue
            now = self.loop.time()
            if deadline is not None and now >= deadline:
                raise TimeoutError("the call's deadline passed while waiting for the answer")
            if read_timeout is not None and now >= self.last_data + read_timeout:
                raise httpx.ReadTimeout(f"no answer byte for {read_timeout:g} s")
        if self.failure is not None and not self.complete:
            raise self.failure

    def take(self) -> bytes:
        chunk = b"".join(self.chunks) if len(self.chunks) != 1 else self.chunks[0]
        self.chunks.clear()
        self.buffered = 0
        if self._paused and self.transport is not None and not self.closed:
            self._paused = False
            self.transport.resume_reading()
        return chunk

    def reusable(self) -> bool:
        """Whether the answer is complete, nothing followed it and both sides keep it open."""
        return self.complete and self.keep_alive and self.usable()

    def done(self) -> None:
        self._busy = False
        self.idle_since = self.loop.time()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class _Body(httpx.AsyncByteStream):
    """The answer's body as it arrives (never decompressed); closing it frees the connection:
    back to the pool when complete and clean, closed otherwise."""

    def __init__(
        self,
        pool: _Pool,
        key: _Key,
        connection: _Connection,
        read_timeout: float | None,
        deadline: float | None,
    ) -> None:
        self._pool = pool
        self._key = key
        self._connection = connection
        self._read_timeout = read_timeout
        self._deadline = deadline
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        while True:
            if connection.chunks:
                yield connection.take()
                continue
            if connection.complete:
                return
            await connection.wait(self._read_timeout, self._more, self._deadline)

    def _more(self) -> bool:
        return bool(self._connection.chunks) or self._connection.complete

    async def aclose(self) -> None:
        if not self._released:
            self._released = True
            self._pool.release(self._key, self._connection)


class _Pool:
    """Connections per origin: at most ``max_connections`` open, at most
    ``max_keepalive_connections`` idle, none idle longer than ``keepalive_expiry``."""

    def __init__(self, limits: httpx.Limits) -> None:
        self._max_open = limits.max_connections
        self._max_idle = limits.max_keepalive_connections
        self._expiry = limits.keepalive_expiry
        self._idle: dict[_Key, collections.deque[_Connection]] = {}
        self._idle_count = 0
        self._open = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    def _expire(self, now: float) -> None:
        if self._expiry is None:
            return
        for queue in self._idle.values():
            while queue and (now - queue[0].idle_since >= self._expiry or queue[0].closed):
                self._drop(queue.popleft())

    def _drop(self, connection: _Connection) -> None:
        connection.close()
        self._idle_count -= 1
        self._open -= 1
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def idle(self, key: _Key, now: float) -> _Connection | None:
        """The most recently used idle connection that is provably unused since its last
        answer: open, nothing received. Others found on the way are closed."""
        self._expire(now)
        queue = self._idle.get(key)
        while queue:
            connection = queue.pop()
            self._idle_count -= 1
            if connection.usable() and connection.quiet():
                return connection
            connection.close()
            self._open -= 1
            self._wake_one()
        return None

    async def acquire(
        self,
        key: _Key,
        loop: asyncio.AbstractEventLoop,
        timeout: float | None,
        call_deadline: float | None,
    ) -> _Connection | None:
        """A pooled connection for ``key`` (see ``idle``), else None with room counted for a
        new one; PoolTimeout if neither comes within ``timeout`` or by ``call_deadline``."""
        deadline = _earliest(None if timeout is None else loop.time() + timeout, call_deadline)
        while True:
            connection = self.idle(key, loop.time())
            if connection is not None:
                return connection
            if self._max_open is None or self._open < self._max_open:
                self._open += 1
                return None
            if self._idle_count:
                self._close_oldest_idle()  # another origin's: this one needs the room
                continue
            if deadline is not None and loop.time() >= deadline:
                raise httpx.PoolTimeout("no connection of the pool became free in time")
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            timer = None if deadline is None else loop.call_at(deadline, _time_out, waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake_one()  # woken, then cancelled: the room goes to the next one
                raise
            finally:
                if timer is not None:
                    timer.cancel()
            if call_deadline is not None and loop.time() >= call_deadline:
                # Woken, but resumed only after the deadline (a busy loop): nothing is written
                # so late, and the room goes to the next one.
                self._wake_one()
                raise httpx.PoolTimeout(
                    "the call's deadline passed while it waited for a connection"
                )

    def _close_oldest_idle(self) -> None:
        oldest = min(
            (queue for queue in self._idle.values() if queue), key=lambda q: q[0].idle_since
        )
        self._drop(oldest.popleft())

    def opening_failed(self) -> None:
        self._open -= 1
        self._wake_one()

    def release(self, key: _Key, connection: _Connection) -> None:
        connection.done()
        while self._waiters and self._waiters[0].done():
            self._waiters.popleft()
        if connection.reusable() and (self._waiters or self._max_idle != 0):
            # Over the keep-alive limit only while someone waits: the one woken takes it.
            full = self._max_idle is not None and self._idle_count >= self._max_idle
            if full and not self._waiters:
                self._close_oldest_idle()
            self._idle.setdefault(key, collections.deque()).append(connection)
            self._idle_count += 1
            self._wake_one()
            return
        connection.close()
        self._open -= 1
        self._wake_one()

    def close_all(self) -> None:
        for queue in self._idle.values():
            while queue:
                self._drop(queue.popleft())
        self._idle.clear()


def _earliest(one: float | None, other: float | None) -> float | None:
    """The earlier of two instants; None stands for never."""
    if one is None:
        return other
    return one if other is None or one < other else other


def _time_out(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(httpx.PoolTimeout("no connection of the pool became free in time"))


def _timeouts(request: httpx.Request) -> tuple[float | None, float | None, float | None]:
    given: dict[str, float | None] = request.extensions.get("timeout", {})
    return given.get("connect"), given.get("read"), given.get("pool")


class AsyncioBackend(httpx.AsyncBaseTransport):
    """An httpx async transport on asyncio's transports and httptools' parser (see the
    module), bound to the event loop that first uses it."""

    #: Every wait ends by the request's ``DEADLINE`` (see ``_call.KEEPS_DEADLINE``).
    keeps_deadline: Final = True

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
    ) -> None:
        self._verify = verify
        self._limits = limits or httpx.Limits()
        self._tls: ssl.SSLContext | None = None
        self._pool: _Pool | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        #: Header lines found good (``_request_head``); they hold the API key, so they live
        #: and die with this backend, never in a module-wide table.
        self._checked: dict[tuple[bytes, bytes], bytes] = {}

    def _pool_of(self, loop: asyncio.AbstractEventLoop) -> _Pool:
        if self._pool is None or self._loop is not loop:
            # Connections belong to one event loop: a client reused under a new asyncio.run()
            # starts a new pool (the old loop's connections died with it).
            self._pool, self._loop = _Pool(self._limits), loop
        return self._pool

    async def _open(
        self,
        key: _Key,
        loop: asyncio.AbstractEventLoop,
        connect_timeout: float | None,
        deadline: float | None,
    ) -> _Connection:
        scheme, host, port = key
        tls: ssl.SSLContext | None = None
        if scheme == b"https":
            if self._tls is None:
                self._tls = httpx.create_ssl_context(verify=self._verify)
            tls = self._tls
        failure: httpx.TransportError | None = None
        for _ in range(CONNECT_RETRIES + 1):
            connection = _Connection(loop)
            refused_certificate = False
            try:
                ends = None if connect_timeout is None else loop.time() + connect_timeout
                async with asyncio.timeout_at(_earliest(ends, deadline)):
                    await loop.create_connection(
                        connection.itself,
                        host,
                        port,
                        ssl=tls,
                        server_hostname=host if tls is not None else None,
                    )
                return connection
            except TimeoutError:
                within = "by the call's deadline"
                if ends is not None and (deadline is None or ends < deadline):
                    within = f"within {connect_timeout:g} s"
                failure = httpx.ConnectTimeout(f"no connection {within}")
            except OSError as error:  # refused, unreachable, a certificate, an unknown name
                failure = httpx.ConnectError(f"{type(error).__name__}: {error}")
                refused_certificate = isinstance(error, ssl.SSLError)
            connection.close()
            # No second attempt for a refused certificate (it would be refused again), nor
            # after the call's deadline (it could only start late, its name lookup unstoppable).
            if refused_certificate or (deadline is not None and loop.time() >= deadline):
                break
        assert failure is not None
        raise failure  # outside the except: the OSError stays out of the chain

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            raise httpx.UnsupportedProtocol(
                'the asyncio backend runs on asyncio only: use async_backend="httpx" elsewhere'
            )
        pool = self._pool_of(loop)
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"the asyncio backend speaks http(s), not {url.scheme}")
        key: _Key = (url.raw_scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        body = await request.aread()
        head = _request_head(request, body, self._checked)  # refused here: nothing was sent
        connect_timeout, read_timeout, pool_timeout = _timeouts(request)
        deadline: float | None = request.extensions.get(DEADLINE)
        if deadline is not None:
            # DEADLINE is on time.monotonic()'s clock, every wait here on the loop's: the same
            # clock on asyncio's own loops, but a loop may keep its own time.
            deadline += loop.time() - time.monotonic()

        connection = await pool.acquire(key, loop, pool_timeout, deadline)
        if connection is None:
            try:
                connection = await self._open(key, loop, connect_timeout, deadline)
            except BaseException:
                pool.opening_failed()
                raise
        try:
            connection.send(head, body, head_only=request.method == "HEAD")
            await connection.wait(read_timeout, lambda: connection.head_done, deadline)
        except BaseException:
            # Written, or maybe written: the connection is never reused, the request never
            # sent again (the error says "after").
            connection.close()
            pool.release(key, connection)
            raise
        return httpx.Response(
            connection.status,
            headers=connection.headers,
            stream=_Body(pool, key, connection, read_timeout, deadline),
            extensions={
                "http_version": _http_version(connection.parser.get_http_version()),
                "reason_phrase": connection.reason,
            },
        )

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None and self._loop is asyncio.get_running_loop():
            pool.close_all()
            await asyncio.sleep(0)  # one turn of the loop: the closed sockets are released

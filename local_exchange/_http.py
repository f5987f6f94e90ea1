"""A small HTTP/1.1 keep-alive server on asyncio, running in a daemon thread.

It only frames requests and responses; what to answer is the handler's business. The
handler runs on the server's event loop and must not block.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TypeVar, overload

_MAX_HEAD = 64 * 1024
_MAX_BODY = 1024 * 1024
_LINGER_ZERO = struct.pack("ii", 1, 0)
_T = TypeVar("_T")
_REASONS = {status.value: status.phrase for status in HTTPStatus}


class Headers(Mapping[str, str]):
    """Request headers as received: case-insensitive lookup, iteration in arrival order.

    A repeated header reads as its values joined with ", "; `raw` keeps every line.
    """

    __slots__ = ("_by_name", "raw")

    def __init__(self, raw: list[tuple[str, str]]) -> None:
        self.raw: tuple[tuple[str, str], ...] = tuple(raw)
        by_name: dict[str, str] = {}
        for name, value in raw:
            key = name.lower()
            by_name[key] = f"{by_name[key]}, {value}" if key in by_name else value
        self._by_name = by_name

    def __getitem__(self, name: str) -> str:
        return self._by_name[name.lower()]

    @overload
    def get(self, name: str, /) -> str | None: ...
    @overload
    def get(self, name: str, /, default: str | _T) -> str | _T: ...
    def get(self, name: str, /, default: object = None) -> object:
        # Mapping.get would go through __getitem__ and a KeyError; this is per request.
        return self._by_name.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"Headers({list(self.raw)!r})"


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """One request as it arrived on the socket."""

    method: str
    target: str
    """The request target exactly as sent (path and raw query), decoded as latin-1."""
    headers: Headers
    body: bytes

    @property
    def raw_target(self) -> bytes:
        return self.target.encode("latin-1")

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        """The raw query string, still percent-encoded, without the "?"."""
        return self.target.partition("?")[2]


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0
    """Seconds to wait before answering; other connections are served meanwhile."""
    reset: bool = False
    """Answer nothing: close the connection with a TCP reset."""


Handler = Callable[[ReceivedRequest, str], Response]
"""Called with the request and the client's IP address."""


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _framing_error(status: int) -> Response:
    return Response(
        status,
        b'{"code":-1000,"msg":"An unknown error occurred while processing the request."}',
    )


def _parse_head(head: bytes) -> tuple[str, str, str, list[tuple[str, str]]]:
    lines = head.lstrip(b"\r\n").decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        raise _BadRequest(400, "malformed request line")
    method, target, version = parts
    if not method.isalpha() or not method.isupper():
        raise _BadRequest(400, "malformed method")
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise _BadRequest(400, "unsupported HTTP version")
    if target.startswith(("http://", "https://")):
        # absolute-form, as a forward proxy sends it
        slash = target.find("/", target.find("//") + 2)
        target = target[slash:] if slash >= 0 else "/"
    if not target.startswith("/"):
        raise _BadRequest(400, "malformed request target")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or " " in name:
            raise _BadRequest(400, "malformed header line")
        headers.append((name, value.strip(" \t")))
    return method, target, version, headers


class HttpServer:
    def __init__(
        self,
        handler: Handler,
        *,
        host: str,
        port: int,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self._handler = handler
        self._host = host
        self._port = port
        self._ssl_context = ssl_context
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    # -- lifecycle, called from the owner's thread --------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        self._ready.clear()
        self._startup_error = None
        self._thread = threading.Thread(target=self._run, name="local-exchange", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            self._thread.join()
            self._thread = None
            raise self._startup_error

    def stop(self) -> None:
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stopping.set)
        thread.join()
        self._thread = None

    # -- the server's thread ------------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # handed to start()
            if not self._ready.is_set():
                self._startup_error = error
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_quiet_about_dropped_clients)
        self._loop = loop
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(
            self._serve_connection,
            sock=await _listening_socket(self._host, self._port),
            ssl=self._ssl_context,
            limit=_MAX_HEAD,
            backlog=256,
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stopping.wait()
        server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await server.wait_closed()

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._writers.add(writer)
        peer = writer.get_extra_info("peername")
        client = str(peer[0]) if peer else ""
        try:
            while await self._serve_one(reader, writer, client):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        except asyncio.CancelledError:
            # stop() while a request waits (Fault.SLOW): end quietly, this task is top-level
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _serve_one(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, client: str
    ) -> bool:
        """Serve one request; True when the connection stays open for another."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        except asyncio.LimitOverrunError:
            await self._refuse_framing(reader, writer, 431)
            return False
        try:
            method, target, version, raw_headers = _parse_head(head)
            headers = Headers(raw_headers)
            body = await self._read_body(reader, writer, headers)
        except _BadRequest as error:
            await self._refuse_framing(reader, writer, error.status)
            return False
        except asyncio.LimitOverrunError:
            await self._refuse_framing(reader, writer, 400)
            return False
        connection = headers.get("connection", "").lower()
        if version == "HTTP/1.1":
            keep_alive = "close" not in connection
        else:
            keep_alive = "keep-alive" in connection
        request = ReceivedRequest(method, target, headers, body)
        try:
            response = self._handler(request, client)
        except Exception:  # malformed input must never become a 5xx
            response = _framing_error(400)
        if response.reset:
            _reset(writer)
            return False
        if response.delay > 0:
            await asyncio.sleep(response.delay)
        await self._send(writer, response, keep_alive=keep_alive, head_only=method == "HEAD")
        return keep_alive

    async def _read_body(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: Headers
    ) -> bytes:
        transfer_encoding = headers.get("transfer-encoding", "").lower()
        length_text = headers.get("content-length")
        if not transfer_encoding and length_text is None:
            return b""
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if transfer_encoding:
            if transfer_encoding != "chunked" or length_text is not None:
                raise _BadRequest(400, "unsupported transfer encoding")
            return await _read_chunked(reader)
        if not length_text or not length_text.isdigit() or not length_text.isascii():
            raise _BadRequest(400, "malformed Content-Length")
        length = int(length_text)
        if length > _MAX_BODY:
            raise _BadRequest(413, "body too large")
        return await reader.readexactly(length)

    async def _refuse_framing(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, status: int
    ) -> None:
        """Answer a request that cannot be framed, then close without losing the answer.

        Closing a socket with unread input sends a reset, which may destroy the answer
        before the client reads it; so half-close and drain the input for a moment first.
        """
        await self._send(writer, _framing_error(status), keep_alive=False, head_only=False)
        if writer.can_write_eof():
            writer.write_eof()
        with contextlib.suppress(TimeoutError, ConnectionError, ssl.SSLError):
            async with asyncio.timeout(0.5):
                while await reader.read(65536):
                    pass

    @staticmethod
    async def _send(
        writer: asyncio.StreamWriter, response: Response, *, keep_alive: bool, head_only: bool
    ) -> None:
        lines = [
            f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
        ]
        lines.extend(f"{name}: {value}" for name, value in response.headers)
        if not keep_alive:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        writer.write(head if head_only else head + response.body)
        await writer.drain()


async def _listening_socket(host: str, port: int) -> socket.socket:
    """One socket on the host's first address, so that port 0 means one port, not one each."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size_line = (await reader.readuntil(b"\r\n"))[:-2].split(b";")[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise _BadRequest(400, "malformed chunk size") from None
        if size < 0 or total + size > _MAX_BODY:
            raise _BadRequest(413, "body too large")
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
            return b"".join(chunks)
        chunk = await reader.readexactly(size + 2)
        if not chunk.endswith(b"\r\n"):
            raise _BadRequest(400, "malformed chunk")
        chunks.append(chunk[:-2])
        total += size


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_ZERO)
    writer.transport.abort()


def _quiet_about_dropped_clients(
    loop: asyncio.AbstractEventLoop, context: dict[str, object]
) -> None:
    # Clients that vanish mid-handshake or mid-request are normal for a test server.
    if isinstance(context.get("exception"), ConnectionError | ssl.SSLError | TimeoutError):
        return
    loop.default_exception_handler(context)

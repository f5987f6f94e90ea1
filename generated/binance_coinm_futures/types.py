"""Types the generated functions and models share: the `UNSET` marker, `Response` and `File`."""

import re
from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Final, Generic, Literal, TypeVar
from urllib.parse import quote_plus

from attrs import define

if TYPE_CHECKING:
    import httpx


class Unset:
    """The type of `UNSET`: an optional argument or field that is not sent or was not received."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Unset = Unset()
"""The default of every optional argument: the parameter is left out of the request."""

FileContent = IO[bytes] | bytes | str
"""What an upload may hold, as `httpx.Client(files=)` takes it."""
FileTypes = (
    tuple[str | None, FileContent, str | None]
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
"""(file name, content, content type) or the same with headers."""
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """A file to upload in a multipart/form-data body."""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """The tuple httpx takes for one multipart/form-data file."""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """An endpoint's answer: its status, raw body, headers and the parsed model."""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


PARSED_JSON: Final = "binance_coinm_futures.parsed_json"
"""The response extension that holds the answer's JSON value once something has parsed it."""


def json_of(response: "httpx.Response") -> Any:
    """The answer's JSON value: as already parsed (by connect()'s signing hook), else parsed now."""
    extensions = response.extensions
    if PARSED_JSON in extensions:
        return extensions[PARSED_JSON]
    return response.json()


#: What urllib's ``quote_plus`` leaves as it is (its always-safe characters).
_UNESCAPED: Final = re.compile(r"[A-Za-z0-9_.~-]*")


def query_string(params: Mapping[str, Any]) -> str:
    """``urllib.parse.urlencode(params)``, byte for byte, for the str and int values the endpoint
    functions send; a value with nothing to escape (a symbol, an id, a number) is taken as it
    is rather than passed through four layers of urllib's quoting."""
    parts = []
    for name, value in params.items():
        text = value if type(value) is str else str(value)
        if _UNESCAPED.fullmatch(text) is None:
            text = quote_plus(text, safe="")
        parts.append(
            name + "=" + text
            if _UNESCAPED.fullmatch(name)
            else quote_plus(name, safe="") + "=" + text
        )
    return "&".join(parts)


#: The last base URL joined and its text: an ``httpx.URL`` never changes, and a client's base URL
#: is one object from call to call, so its text is built once rather than on every call.
_last_base: "tuple[httpx.URL | None, str]" = (None, "")


def joined_url(base_url: "httpx.URL", url: str) -> str:
    """``url`` joined to an httpx client's ``base_url``, as httpx would join it.

    httpx merges a relative URL into its base URL with a second full parse of the result; a
    URL that is already absolute is parsed once.
    """
    global _last_base
    last = _last_base  # one read: another thread may replace it meanwhile
    if last[0] is base_url:
        base = last[1]
    else:
        base = str(base_url).rstrip("/") + "/"
        _last_base = (base_url, base)
    return base + url.lstrip("/")


__all__ = [
    "UNSET",
    "File",
    "FileTypes",
    "PARSED_JSON",
    "RequestFiles",
    "Response",
    "Unset",
    "joined_url",
    "json_of",
    "query_string",
]

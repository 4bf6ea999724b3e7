"""Numerai's dataset files over HTTP: their URLs, what the server says of them, whole downloads and
byte ranges, through the unauthenticated client (timeouts and bounded retries).

A dataset URL is presigned (its query string is a credential): it is hidden from every output the
moment it is known. Numerai is asked what a file is now with a GET of its first byte
(`Range: bytes=0-0`), which works on presigned URLs (a HEAD is not what they were signed for) and
says at once whether the server serves ranges: 206 with `Content-Range: bytes 0-0/<size>`, or 200
and the whole file's `Content-Length` from one that does not (the body is never read then).
"""

from __future__ import annotations

import io
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

from ..files import temporary_sibling
from ..progress import Progress
from ..settings import Settings
from . import queries
from .client import NumeraiClient
from .errors import ApiError, GraphQLFailed
from .signed_urls import hide_signed_url
from .transport import TRANSIENT_ERRORS, Transient, describe, transient

CHUNK = 1 << 20
# Range requests of one prefetch in flight at once (a row group's column chunks are far apart).
PARALLEL_RANGES = 8
CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


def public_api(settings: Settings) -> NumeraiClient:
    """An unauthenticated client: enough for listing and downloading datasets."""
    return NumeraiClient(None, settings)


def quick_api(settings: Settings) -> NumeraiClient:
    """One attempt per call, no retries: for best-effort look-ups that must not hold `validate` up offline."""
    return public_api(settings.model_copy(update={"retry_attempts": 1}))


def published_files(settings: Settings) -> list[str]:
    """Every dataset file Numerai publishes now (`v5.2/train.parquet`, ...): numerapi's list_datasets."""
    return list(quick_api(settings).numerapi.list_datasets())


class RangesRefused(ApiError):
    """The server answered a range request with the whole file (or another range): read it whole."""


@dataclass(frozen=True)
class RemoteFile:
    """What the server says of a dataset file now. `ranges`: it answered a range request with 206."""

    size: int | None
    etag: str | None = None
    last_modified: str | None = None
    ranges: bool = False

    def record(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if key != "ranges"}

    def same_as(self, record: dict[str, Any] | None) -> bool:
        """Whether a file recorded as `record` is this one: the ETag when both have one, else the size
        (numerapi's own rule) and Last-Modified when both have it."""
        if not record or self.size is None or record.get("size") != self.size:
            return False
        if self.etag and record.get("etag"):
            return bool(self.etag == record["etag"])
        if self.last_modified and record.get("last_modified"):
            return bool(self.last_modified == record["last_modified"])
        return True


def dataset_url(api: NumeraiClient, filename: str) -> str:
    """The (presigned) URL of `<version>/<file>` now; hidden from every output from here on."""
    variables = {"filename": filename, "round": None, "tournament": queries.CLASSIC_TOURNAMENT}
    url = api.transport.query_field(queries.DATASET, variables, str, authorization=False)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise GraphQLFailed(f"dataset: Numerai's answer for {filename} is not a URL")
    hide_signed_url(url)
    return url


def remote_file(response: requests.Response) -> RemoteFile:
    headers = response.headers
    size = None
    if response.status_code == 206:
        match = CONTENT_RANGE.match(headers.get("Content-Range", ""))
        size = int(match.group(3)) if match and match.group(3) != "*" else None
    elif headers.get("Content-Length", "").isdigit():
        size = int(headers["Content-Length"])
    return RemoteFile(size, headers.get("ETag"), headers.get("Last-Modified"), response.status_code == 206)


def get(api: NumeraiClient, url: str, what: str, headers: dict[str, Any] | None = None) -> requests.Response:
    """A streamed GET, retried within the client's bounds on transient faults; a 4xx is an ApiError."""
    response = api.transport.get(url, what, headers)
    if response.status_code >= 400:
        response.close()
        raise ApiError(f"{what}: HTTP {response.status_code} ==> re-run later; if it persists, the "
                       "file may no longer be published")
    return response


def probe(api: NumeraiClient, url: str, what: str) -> RemoteFile:
    """Size, ETag and Last-Modified of the file now, and whether the server serves ranges."""
    response = get(api, url, what, {"Range": "bytes=0-0"})
    response.close()  # a server that ignores Range started the whole file: never read it
    return remote_file(response)


def download_file(api: NumeraiClient, url: str, path: Path, what: str) -> RemoteFile:
    """The whole file into `path` through a temporary file renamed into place: never a half file."""

    def attempt() -> RemoteFile:
        response = get(api, url, what)
        temporary = temporary_sibling(path)
        try:
            written = 0
            size = response.headers.get("Content-Length", "")
            with (response, temporary.open("wb") as stream,
                  Progress(f"data: {what}", int(size) if size.isdigit() else None, "B") as progress):
                for chunk in response.iter_content(CHUNK):
                    stream.write(chunk)
                    written += len(chunk)
                    progress.update(len(chunk))
            found = remote_file(response)
            if found.size is not None and written != found.size:
                raise Transient(f"the download ended after {written} of {found.size} bytes")
            os.replace(temporary, path)
            return RemoteFile(written, found.etag, found.last_modified, found.ranges)
        except TRANSIENT_ERRORS as error:
            raise transient(error) from None
        finally:
            temporary.unlink(missing_ok=True)

    return api.transport.retrying(what, attempt)


class RangeReader(io.RawIOBase):
    """A read-only file over HTTP range requests, for pyarrow to read a parquet footer and column
    chunks from. `prefetch(spans)` fetches byte spans ahead (merged when close), so that reading a
    row group's columns costs a few requests; other reads fetch just what they ask for. Counts the
    bytes and requests it transferred. A server that answers a range with anything but that range
    raises RangesRefused (read the file whole then)."""

    def __init__(self, api: NumeraiClient, url: str, size: int, what: str):
        super().__init__()
        self.api, self.url, self.size, self.what = api, url, size, what
        self.position = 0
        self.blocks: list[tuple[int, bytes]] = []
        self.transferred = 0
        self.requests = 0
        self.counting = threading.Lock()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def fetch(self, start: int, stop: int) -> bytes:
        """Bytes [start, stop) of the file in one range request."""
        response = get(self.api, self.url, self.what, {"Range": f"bytes={start}-{stop - 1}"})
        with response:
            match = CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if response.status_code != 206 or not match or int(match.group(1)) != start:
                raise RangesRefused(f"{self.what}: the server does not serve byte ranges "
                                    f"(HTTP {response.status_code})")
            try:
                content: bytes = response.content
            except TRANSIENT_ERRORS as error:
                raise ApiError(f"{self.what}: {describe(error)} ==> re-run later") from None
        with self.counting:
            self.requests += 1
            self.transferred += len(content)
        if len(content) != stop - start:
            raise ApiError(f"{self.what}: asked for {stop - start} bytes at {start}, got {len(content)}")
        return content

    def prefetch(self, spans: list[tuple[int, int]], gap: int = 1 << 16) -> None:
        """Fetch the (start, stop) `spans`, merging those less than `gap` bytes apart, a few requests
        at a time; drops what was fetched before."""
        self.blocks = []
        merged: list[list[int]] = []
        for start, stop in sorted(spans):
            if merged and start - merged[-1][1] <= gap:
                merged[-1][1] = max(merged[-1][1], stop)
            else:
                merged.append([start, stop])
        if len(merged) <= 1:
            self.blocks = [(start, self.fetch(start, min(stop, self.size))) for start, stop in merged]
            return
        with ThreadPoolExecutor(min(PARALLEL_RANGES, len(merged))) as pool:
            contents = list(pool.map(lambda span: self.fetch(span[0], min(span[1], self.size)), merged))
        self.blocks = [(start, content) for (start, _stop), content in zip(merged, contents, strict=True)]

    def readinto(self, buffer: Any) -> int:
        stop = min(self.size, self.position + len(buffer))
        if stop <= self.position:
            return 0
        content = next((block[self.position - begin: stop - begin] for begin, block in self.blocks
                        if begin <= self.position and stop <= begin + len(block)), None)
        if content is None:
            content = self.fetch(self.position, stop)
        buffer[: len(content)] = content
        self.position += len(content)
        return len(content)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self.position
        buffer = bytearray(max(0, min(size, self.size - self.position)))
        count = self.readinto(memoryview(buffer))
        return bytes(buffer[:count])

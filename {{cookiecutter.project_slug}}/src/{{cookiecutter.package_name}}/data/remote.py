"""Only the columns a model needs of Numerai's large parquet files, read remotely by byte ranges.

A build of a small feature set needs a few dozen of the ~2,400 feature columns of train.parquet and
validation.parquet: reading the file's footer, then only those columns' chunks row group by row
group (HTTP range requests, through numerai.datasets.RangeReader), transfers a small share of the
file. What was read is cached as a parquet file of its own (`<version>/columns/<file>-<key>.parquet`,
the same rows, row groups, index and int8 columns as the source), with a record beside it of the
source it came from (size, ETag) and its columns; it is reused by any read of a subset of its
columns while the source is unchanged on Numerai, and replaced when the source changes.

The whole file is downloaded instead (and then serves every column set) when it is cached and
current already, when the columns wanted are most of the file, or when the server does not serve
byte ranges (a 200 with the whole body to a range request, or no 206 to the probe).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from ..errors import WorkFailed
from ..files import write_atomic
from ..logs import get_logger, scrub
from ..numerai.client import NumeraiClient
from ..numerai.datasets import RangeReader, RangesRefused, RemoteFile, probe
from ..settings import Settings
from .download import Remote, cached, ensure_file, ensure_files, offline_note, read_record
from .files import WHOLE_FILE_SHARE, version_dir
from .parquet_writer import parquet_writer

log = get_logger(__name__)

PROJECTIONS = "columns"  # the folder of projected files in a version's folder
# Column chunks closer than this are fetched in one request (fewer requests, a few KB more).
MERGE_GAP = 1 << 16


@dataclass(frozen=True)
class Transfer:
    """What a projected read transferred: bytes (footer and column chunks), the file's size, requests."""

    path: Path
    transferred: int
    file_size: int
    requests: int
    seconds: float

    @property
    def fraction(self) -> float:
        return self.transferred / self.file_size if self.file_size else 0.0


class DatasetFiles:
    """The files of a dataset version a build reads: `files / name` is the projected file made for
    `name` when there is one, else `name` in the version's folder (so code written for a folder of
    whole files reads projections unchanged)."""

    def __init__(self, folder: Path, paths: dict[str, Path] | None = None):
        self.folder, self.paths = Path(folder), dict(paths or {})

    def __truediv__(self, name: str) -> Path:
        return self.paths.get(name) or self.folder / name

    def __fspath__(self) -> str:
        return str(self.folder)

    def __repr__(self) -> str:
        return f"DatasetFiles({self.folder}, {sorted(self.paths)})"


def column_key(columns: list[str]) -> str:
    return hashlib.sha256(json.dumps(sorted(set(columns))).encode()).hexdigest()[:12]


def projection_path(folder: Path, name: str, columns: list[str]) -> Path:
    return folder / PROJECTIONS / f"{Path(name).stem}-{column_key(columns)}.parquet"


def projection_record(path: Path) -> Path:
    return path.with_suffix(".json")


def projections_of(folder: Path, name: str) -> list[tuple[Path, dict[str, Any]]]:
    """The projected files of `name` in the cache, with their records (source and columns)."""
    found = []
    for path in sorted((folder / PROJECTIONS).glob(f"{Path(name).stem}-*.parquet")):
        try:
            record = json.loads(projection_record(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and isinstance(record.get("columns"), list):
            found.append((path, record))
    return found


def covering(folder: Path, name: str, columns: list[str], current: RemoteFile | None) -> Path | None:
    """A projected file with every column of `columns`, made from the current source (any source
    when `current` is None: offline)."""
    for path, record in projections_of(folder, name):
        if set(columns) <= set(record["columns"]) and (current is None or current.same_as(record.get("source"))):
            return path
    return None


def drop_projections(folder: Path, name: str, keep: RemoteFile | None = None) -> None:
    """Remove the projected files of `name` (those of another source than `keep`, when given)."""
    for path, record in projections_of(folder, name):
        if keep is None or not keep.same_as(record.get("source")):
            path.unlink(missing_ok=True)
            projection_record(path).unlink(missing_ok=True)


def chunk_span(column: Any) -> tuple[int, int]:
    """(start, stop) bytes of a column chunk: its dictionary page (if any) and data pages."""
    starts = [column.data_page_offset]
    if column.has_dictionary_page and column.dictionary_page_offset:
        starts.append(column.dictionary_page_offset)
    start = min(starts)
    return start, start + column.total_compressed_size


def index_columns(parquet: pq.ParquetFile) -> list[str]:
    """The stored pandas index columns (`id`), which a read with pandas metadata brings along."""
    metadata = parquet.schema_arrow.pandas_metadata or {}
    return [name for name in metadata.get("index_columns", []) if isinstance(name, str)]


def wanted_spans(parquet: pq.ParquetFile, columns: set[str], group: int) -> list[tuple[int, int]]:
    row_group = parquet.metadata.row_group(group)
    return [chunk_span(row_group.column(position)) for position in range(row_group.num_columns)
            if row_group.column(position).path_in_schema in columns]


def project(reader: RangeReader, columns: list[str], destination: Path) -> tuple[int, int]:
    """Write `columns` (and the index) of the remote file to `destination`, a row group at a time,
    keeping its row groups, schema types and pandas metadata. Returns (bytes of the columns' chunks,
    the file's size); writes nothing when the columns are more than WHOLE_FILE_SHARE of the file."""
    parquet = pq.ParquetFile(reader)
    names = set(parquet.schema_arrow.names)
    missing = [name for name in columns if name not in names]
    if missing:
        raise WorkFailed(f"{reader.what} has no column(s) {', '.join(missing[:5])}"
                         f"{' ...' if len(missing) > 5 else ''} ==> check the spec's data.feature_set and "
                         f"data.target against the version's features.json")
    wanted = set(columns) | set(index_columns(parquet))
    groups = range(parquet.metadata.num_row_groups)
    needed = sum(stop - start for group in groups for start, stop in wanted_spans(parquet, wanted, group))
    if needed > WHOLE_FILE_SHARE * reader.size:
        return needed, reader.size
    ordered = [name for name in parquet.schema_arrow.names if name in set(columns)]
    # A file without row groups: its schema alone.
    with parquet_writer(destination, empty_schema=parquet.schema_arrow) as write:
        for group in groups:
            reader.prefetch(wanted_spans(parquet, wanted, group), MERGE_GAP)
            write(parquet.read_row_group(group, columns=ordered, use_pandas_metadata=True))
        reader.prefetch([])
    return needed, reader.size


def read_remote_columns(url: str, columns: list[str], destination: Path, *, api: NumeraiClient,
                        remote: RemoteFile | None = None, what: str = "dataset file") -> Transfer | None:
    """Read `columns` of the parquet file at `url` into `destination` by range requests.

    Returns what was transferred, or None when reading columns does not pay (they are most of the
    file: download it whole instead). Raises RangesRefused when the server does not serve ranges.
    The benchmark measures the transferred share with this (`Transfer.fraction`), e.g. against the
    test stand-in serving a full-size file at `<stand-in url>/files/<version>/<file>`."""
    started = time.monotonic()
    remote = remote or probe(api, url, what)
    if not remote.ranges or not remote.size:
        raise RangesRefused(f"{what}: the server does not serve byte ranges")
    destination.parent.mkdir(parents=True, exist_ok=True)
    reader = RangeReader(api, url, remote.size, what)
    needed, size = project(reader, columns, destination)
    if needed > WHOLE_FILE_SHARE * size:
        return None
    return Transfer(destination, reader.transferred, size, reader.requests, time.monotonic() - started)


def ensure_columns(cache: Path, version: str, name: str, columns: list[str], *, settings: Settings,
                   quick: bool = False) -> Path:
    """A local parquet file holding `columns` (and the index) of every row of `<version>/<name>`, as
    Numerai has the file now: the whole file when it is cached and current, else a projection
    cached earlier or read now by range requests; the whole file is downloaded when ranges are
    refused or do not pay."""
    folder = version_dir(cache, version)
    numerai = Remote(version, settings, quick)
    remote = numerai.remote_name(name)
    whole = folder / name
    try:
        url, current = numerai.state(name)
    except WorkFailed as error:
        found = whole if cached(whole) else covering(folder, name, columns, None)
        if found is None:
            raise WorkFailed(scrub(f"could not read {remote}: {error}")) from None
        offline_note(remote, error)
        return found
    if cached(whole) and current.same_as(read_record(whole)):
        log.info("data: %s (cached, current)", remote)
        return whole
    drop_projections(folder, name, keep=current)
    found = covering(folder, name, columns, current)
    if found is not None:
        log.info("data: %s, %d columns (cached, current)", remote, len(columns))
        return found
    if current.ranges and current.size:
        destination = projection_path(folder, name, columns)
        try:
            transfer = read_remote_columns(url, columns, destination, api=numerai.api, remote=current, what=remote)
        except RangesRefused as refused:
            log.info("data: %s: %s; downloading the whole file", remote, refused)
        else:
            if transfer is not None:
                write_atomic(projection_record(destination),
                             json.dumps({"source": current.record(), "columns": sorted(set(columns))}) + "\n")
                log.info("data: %s, %d columns: read %.1f MB of %.1f MB (%.1f%%) in %d requests", remote,
                         len(columns), transfer.transferred / 1e6, transfer.file_size / 1e6,
                         100 * transfer.fraction, transfer.requests)
                return destination
            log.info("data: %s: the columns wanted are most of the file; downloading it whole", remote)
    else:
        log.info("data: %s: the server does not serve byte ranges; downloading the whole file", remote)
    path = ensure_file(numerai, folder, name)
    drop_projections(folder, name)
    return path


def dataset_files(cache: Path, version: str, names: list[str], columns: dict[str, list[str]], *,
                  settings: Settings) -> DatasetFiles:
    """The files `names` of `version`, current with Numerai: those in `columns` ({file: columns}) as
    projections of just those columns where that pays, the others whole."""
    whole = [name for name in names if name not in columns]
    ensure_files(cache, version, whole, settings=settings)
    paths = {name: ensure_columns(cache, version, name, wanted, settings=settings) for name, wanted in columns.items()
             if name in names}
    return DatasetFiles(version_dir(cache, version), paths)

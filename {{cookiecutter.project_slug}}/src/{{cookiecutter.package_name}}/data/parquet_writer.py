"""Writing a parquet file a row group at a time, so that it appears only when complete."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..files import temporary_sibling


@contextmanager
def parquet_writer(path: Path, empty_schema: pa.Schema | None = None) -> Iterator[Callable[[pa.Table], None]]:
    """A `write(table)` that appends each table to `path` as one row group (the first table's schema is the
    file's). It writes a temporary file beside `path` and renames it into place when the block ends without
    an error, so a reader never sees half a file. Nothing written: `path` holds `empty_schema` alone."""
    temporary = temporary_sibling(path)
    writer = None

    def write(table: pa.Table) -> None:
        nonlocal writer
        if writer is None:
            writer = pq.ParquetWriter(temporary, table.schema)
        writer.write_table(table, row_group_size=max(1, table.num_rows))

    try:
        yield write
        if writer is None:
            if empty_schema is None:
                raise ValueError(f"{path}: nothing was written and no schema was given for an empty file")
            writer = pq.ParquetWriter(temporary, empty_schema)
        writer.close()
        writer = None
        temporary.replace(path)
    finally:
        if writer is not None:
            writer.close()
        temporary.unlink(missing_ok=True)

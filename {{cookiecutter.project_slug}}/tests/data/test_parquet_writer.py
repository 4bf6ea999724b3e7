"""A parquet file written a row group at a time appears whole or not at all."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from {{ cookiecutter.package_name }}.data.parquet_writer import parquet_writer


def test_each_table_is_a_row_group_and_the_file_appears_only_at_the_end(tmp_path):
    path = tmp_path / "out.parquet"
    with parquet_writer(path) as write:
        write(pa.table({"x": [1, 2, 3]}))
        assert not path.exists(), "a reader must never see half a file"
        write(pa.table({"x": [4, 5]}))
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_row_groups == 2 and parquet.read().column("x").to_pylist() == [1, 2, 3, 4, 5]
    assert list(tmp_path.iterdir()) == [path], "no temporary file is left beside it"


def test_an_error_leaves_neither_the_file_nor_a_temporary_one(tmp_path):
    path = tmp_path / "out.parquet"
    with pytest.raises(RuntimeError), parquet_writer(path) as write:
        write(pa.table({"x": [1]}))
        raise RuntimeError("the source broke off")
    assert list(tmp_path.iterdir()) == []


def test_nothing_written_is_the_schema_alone(tmp_path):
    path = tmp_path / "out.parquet"
    schema = pa.schema([("id", pa.string()), ("feature", pa.int8())])
    with parquet_writer(path, empty_schema=schema):
        pass
    assert pq.read_schema(path).names == ["id", "feature"] and pq.read_table(path).num_rows == 0

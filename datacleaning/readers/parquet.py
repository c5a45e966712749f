"""Parquet: one unit per run of row groups; every column but the text, id and source goes to meta."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from datacleaning import storage
from datacleaning.document import Document, Quarantined
from datacleaning.errors import RecordError
from datacleaning.execution import FileUnit
from datacleaning.readers.records import ReaderOptions, record_to_document

_BATCH_ROWS = 1024


def read_parquet(unit: FileUnit, options: ReaderOptions, progress: Callable[[int], None]) -> Iterator[Document | Quarantined]:
    with storage.open_arrow(unit.path) as source:
        parquet = pq.ParquetFile(source)
        name = unit.name
        row_groups = list(range(unit.start, unit.end if unit.end is not None else parquet.num_row_groups))
        if not row_groups:
            return
        total_rows = sum(parquet.metadata.row_group(rg).num_rows for rg in row_groups)
        first_row = sum(parquet.metadata.row_group(rg).num_rows for rg in range(unit.start))
        row = first_row
        reported = 0
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, row_groups=row_groups):
            for i, record in enumerate(_rows(batch)):
                if isinstance(record, Exception):
                    raw = batch.slice(i, 1).to_string(preview_cols=batch.num_columns).encode()[:65536]
                    yield Quarantined(unit.path, row, raw, f"row {row}: {type(record).__name__}: {record}")
                else:
                    try:
                        yield record_to_document(record, options, f"{name}:{row}", name)
                    except RecordError as e:
                        yield Quarantined(unit.path, row, repr(record).encode()[:65536], f"row {row}: {e}")
                row += 1
            done = unit.size * (row - first_row) // max(total_rows, 1)
            progress(done - reported)
            reported = done


def _rows(batch: pa.RecordBatch) -> list[dict | Exception]:
    """The batch's rows as dicts. One value Python cannot hold (a timestamp past year 9999) fails
    the conversion of its whole batch; then the rows are converted one by one, and a row that fails
    is its exception, to be quarantined alone."""
    try:
        return batch.to_pylist()
    except Exception:
        return [_row(batch, i) for i in range(batch.num_rows)]


def _row(batch: pa.RecordBatch, i: int) -> dict | Exception:
    try:
        return batch.slice(i, 1).to_pylist()[0]
    except Exception as e:
        return e

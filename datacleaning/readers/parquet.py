"""Parquet: one unit per run of row groups; every column but the text, id and source goes to meta."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from datacleaning import storage
from datacleaning.document import QUARANTINE_HEAD_BYTES, Document, Quarantined
from datacleaning.errors import RecordError
from datacleaning.execution import FileUnit
from datacleaning.readers.records import ReaderOptions, record_to_document

_BATCH_ROWS = 1024


def read_parquet(unit: FileUnit, options: ReaderOptions, progress: Callable[[int], None]) -> Iterator[Document | Quarantined]:
    """The unit's rows, a row group at a time: a row group that does not decode (a corrupt page)
    is one quarantine record naming its rows, and the row groups beside it are read."""
    with storage.open_arrow(unit.path) as source:
        parquet = pq.ParquetFile(source)
        row_groups = list(range(unit.start, unit.end if unit.end is not None else parquet.num_row_groups))
        sizes = [parquet.metadata.row_group(rg).num_rows for rg in range(parquet.num_row_groups)]
        total_rows = sum(sizes[rg] for rg in row_groups)
        row = sum(sizes[:unit.start])
        reported = 0
        for rg in row_groups:
            first = row
            try:
                for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, row_groups=[rg]):
                    for i, record in enumerate(_rows(batch)):
                        yield _row_document(unit, options, batch, i, record, row)
                        row += 1
            except (OSError, pa.ArrowException) as e:
                yield Quarantined(unit.path, row, b"", f"row group {rg} (rows {first}-{first + sizes[rg] - 1}) "
                                                       f"does not decode from row {row} on: {e}")
                row = first + sizes[rg]
            done = unit.size * (row - sum(sizes[:unit.start])) // max(total_rows, 1)
            progress(done - reported)
            reported = done


def _row_document(unit: FileUnit, options: ReaderOptions, batch: pa.RecordBatch, i: int,
                  record: dict | Exception, row: int) -> Document | Quarantined:
    if isinstance(record, Exception):
        return Quarantined(unit.path, row, _raw(batch, i), f"row {row}: {type(record).__name__}: {record}")
    try:
        return record_to_document(record, options, f"{unit.name}:{row}", unit.name)
    except RecordError as e:
        return Quarantined(unit.path, row, _raw(batch, i), f"row {row}: {e}")


def _raw(batch: pa.RecordBatch, i: int) -> bytes:
    """Row ``i`` as the quarantine keeps it: every column, converted again (the reader takes fields
    out of the row's dict as it makes the document), or as pyarrow prints it where a value has no
    Python form (pyarrow's print cuts long values short)."""
    row = _row(batch, i)
    text = batch.slice(i, 1).to_string(preview_cols=batch.num_columns) if isinstance(row, Exception) else repr(row)
    return text.encode()[:QUARANTINE_HEAD_BYTES]


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

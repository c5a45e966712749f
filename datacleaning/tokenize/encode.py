"""The encode step's work unit: a unit of input shard in, its documents' tokens out as one
``.bin``/``.idx`` pair of its own (``parts/<unit>``), written atomically before the unit's
completion record, with token counts per source."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datacleaning.execution import FileUnit, UnitContext
from datacleaning.shard_input import read_unit_batches
from datacleaning.shards import atomic_file
from datacleaning.tokenize.indexed import bin_path, idx_path, write_index
from datacleaning.tokenize.tokenizer import Tokenizer, open_tokenizer

SOURCE_COLUMN = "source"
LANG_COLUMN = "lang"


def ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The positions ``starts[0] .. starts[0] + sizes[0] - 1``, then those of the next range, ...
    as one array."""
    ends = np.cumsum(sizes)
    return np.arange(ends[-1] if len(ends) else 0) + np.repeat(starts - (ends - sizes), sizes)


def pack_documents(encoded: list[np.ndarray], dtype: np.dtype, bos_id: int | None,
                   eos_id: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The documents' tokens one after another, each with its BOS and EOS, and each one's size."""
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    sizes = lengths + (bos_id is not None) + (eos_id is not None)
    packed = np.empty(int(sizes.sum()), dtype)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    if bos_id is not None:
        packed[starts] = bos_id
    if eos_id is not None:
        packed[ends - 1] = eos_id
    if lengths.sum():
        packed[ranges(starts + (bos_id is not None), lengths)] = np.concatenate(encoded)
    return packed, sizes


@dataclass
class EncodeStep:
    """Encodes a unit's documents with the tokenizer at ``tokenizer_path`` into ``parts/<unit>.bin/.idx``."""

    tokenizer_path: Path
    parts_dir: Path
    columns: list[str]  # text, and source and lang when the input has them
    dtype: np.dtype
    bos_id: int | None
    eos_id: int | None
    # Loaded in the worker, on its first unit.
    _tokenizer: Tokenizer | None = field(default=None, repr=False)

    def part_prefix(self, unit: FileUnit) -> Path:
        return self.parts_dir / unit.id

    def __call__(self, unit: FileUnit, context: UnitContext) -> dict:
        if self._tokenizer is None:
            # The stage's parallelism is its worker processes (run.workers, all cores by default):
            # a tokenizer.json's encoder on its Rust thread pool too (a thread per core in every
            # worker) would only oversubscribe the cores, and even alone it gained little (1.08x on
            # 2 threads where 2 workers gave 1.66x, bench/tokenize_throughput.py). So each worker
            # encodes on one thread, as with SentencePiece. The library reads this at every call;
            # this process is the stage's own worker, so the setting changes nobody else's.
            os.environ["TOKENIZERS_PARALLELISM"] = "false"
            self._tokenizer = open_tokenizer(self.tokenizer_path)
        tokenizer = self._tokenizer
        unk_id = tokenizer.unk_id
        prefix = self.part_prefix(unit)
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        sizes: list[np.ndarray] = []
        counts = {"documents": 0, "tokens": 0, "text_bytes": 0, "characters": 0, "unknown_tokens": 0}
        sources: dict[str, dict[str, int]] = {}
        languages: dict[str, dict[str, int]] = {}
        with atomic_file(bin_path(prefix)) as out:
            for batch in read_unit_batches(unit, self.columns):
                context.check_stop()
                text = batch.column("text")
                packed, doc_sizes = pack_documents(tokenizer.encode(text), self.dtype, self.bos_id, self.eos_id)
                out.write(packed.data)
                sizes.append(doc_sizes)
                filled = pc.fill_null(text, "")
                text_bytes = pc.binary_length(filled).to_numpy(zero_copy_only=False).astype(np.int64)
                characters = pc.utf8_length(filled).to_numpy(zero_copy_only=False).astype(np.int64)
                counts["documents"] += len(doc_sizes)
                counts["tokens"] += len(packed)
                counts["text_bytes"] += int(text_bytes.sum())
                counts["characters"] += int(characters.sum())
                if unk_id is not None:
                    # The tokenizer's unknown token, in documents (BOS or EOS ids chosen equal to it aside).
                    marks = (self.bos_id == unk_id) + (self.eos_id == unk_id)
                    counts["unknown_tokens"] += int(np.count_nonzero(packed == unk_id)) - marks * len(doc_sizes)
                for column, table in ((SOURCE_COLUMN, sources), (LANG_COLUMN, languages)):
                    self._count_by(batch, column, unit, doc_sizes, text_bytes, characters, table)
                context.progress(unit.size // max(unit.end - unit.start, 1))
        all_sizes = np.concatenate([np.zeros(0, np.int64), *sizes])
        with atomic_file(idx_path(prefix)) as out:
            write_index(out, all_sizes, self.dtype)
        return {**counts, "sources": sources, "languages": languages}

    @staticmethod
    def _count_by(batch: pa.RecordBatch, column: str, unit: FileUnit, doc_sizes: np.ndarray, text_bytes: np.ndarray,
                  characters: np.ndarray, table: dict[str, dict[str, int]]) -> None:
        """Documents, tokens, text bytes and characters per value of ``column`` (source or lang;
        the shard's name for shards without a source column, "" without a lang column)."""
        if column not in batch.schema.names:
            names, which = [unit.name if column == SOURCE_COLUMN else ""], np.zeros(len(doc_sizes), np.int64)
        else:
            encoded = pc.fill_null(batch.column(column), "").dictionary_encode()
            names, which = encoded.dictionary.to_pylist(), encoded.indices.to_numpy(zero_copy_only=False)
        documents = np.bincount(which, minlength=len(names))
        tokens = np.bincount(which, weights=doc_sizes, minlength=len(names))
        nbytes = np.bincount(which, weights=text_bytes, minlength=len(names))
        nchars = np.bincount(which, weights=characters, minlength=len(names))
        for i, name in enumerate(names):
            if documents[i]:
                counts = table.setdefault(name, {"documents": 0, "tokens": 0, "text_bytes": 0, "characters": 0})
                counts["documents"] += int(documents[i])
                counts["tokens"] += int(tokens[i])
                counts["text_bytes"] += int(nbytes[i])
                counts["characters"] += int(nchars[i])

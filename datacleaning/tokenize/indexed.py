"""Token bins in the Megatron-LM indexed-dataset layout (``MMapIndexedDataset``, "MMIDIDX"), which
Megatron-LM, NeMo and GPT-NeoX read as they are, and the memory-mapped reader of this project.

``PREFIX.bin`` holds every document's tokens one after another, little-endian, of the index's
dtype. ``PREFIX.idx``, all little-endian::

    9 bytes     magic b"MMIDIDX\\x00\\x00"
    u64         version, 1
    u8          dtype code (Megatron's: 4 = int32, 8 = uint16, ...)
    u64         sequence count N
    u64         document index length D + 1
    i32 x N     size of each sequence, in tokens
    i64 x N     byte offset of each sequence in .bin
    i64 x D+1   document index: the first sequence of each document, then N

A document written here is one sequence, so the document index is 0, 1, ..., N. The format has
no uint32 code: token ids of a vocabulary past uint16 are written as int32, which every
SentencePiece id fits (ids are below 2^31), and every tokenizer.json's in use (Llama-3's
vocabulary is 128,256, Qwen's 151,665, Gemma's 256,000).
"""
from __future__ import annotations

import os
import struct
from typing import BinaryIO

import numpy as np

from datacleaning import storage
from datacleaning.errors import TokenBinsError
from datacleaning.storage import StoragePath

MAGIC = b"MMIDIDX\x00\x00"
VERSION = 1
HEADER = struct.Struct("<9sQBQQ")
# Megatron-LM's DType codes of the integer types (6 and 7 are floats, never token ids).
DTYPE_CODES = {np.dtype(np.uint8): 1, np.dtype(np.int8): 2, np.dtype(np.int16): 3, np.dtype(np.int32): 4,
               np.dtype(np.int64): 5, np.dtype(np.uint16): 8}
CODE_DTYPES = {code: dtype for dtype, code in DTYPE_CODES.items()}
SIZE_DTYPE, POINTER_DTYPE = np.dtype("<i4"), np.dtype("<i8")
# Pointers and document indices are written this many entries at a time (bounded memory).
_CHUNK = 1 << 20


def bin_path(prefix: str | os.PathLike) -> StoragePath:
    return storage.as_path(f"{prefix}.bin")


def idx_path(prefix: str | os.PathLike) -> StoragePath:
    return storage.as_path(f"{prefix}.idx")


def token_dtype(vocab_size: int) -> np.dtype:
    """uint16 when every id of the vocabulary fits in it, else int32."""
    return np.dtype(np.uint16) if vocab_size <= 1 << 16 else np.dtype(np.int32)


def write_index(f: BinaryIO, sizes: np.ndarray, dtype: np.dtype) -> None:
    """Write the .idx of documents of ``sizes`` tokens each, stored one after another in the .bin,
    one sequence per document."""
    dtype = np.dtype(dtype)
    count = len(sizes)
    f.write(HEADER.pack(MAGIC, VERSION, DTYPE_CODES[dtype], count, count + 1))
    f.write(np.ascontiguousarray(sizes, dtype=SIZE_DTYPE).data)
    offset = 0
    for start in range(0, count, _CHUNK):
        chunk = sizes[start:start + _CHUNK].astype(np.int64) * dtype.itemsize
        ends = np.cumsum(chunk) + offset
        f.write((ends - chunk).astype(POINTER_DTYPE).data)
        offset = int(ends[-1])
    for start in range(0, count + 1, _CHUNK):
        f.write(np.arange(start, min(start + _CHUNK, count + 1), dtype=POINTER_DTYPE).data)


class TokenBins:
    """A ``.bin``/``.idx`` pair, memory-mapped: a document's tokens by index, or a fixed-length
    window of the whole token stream by index. Reads any Megatron indexed dataset of integer
    tokens, not only those this project writes; a pair whose .bin is not the size its .idx
    describes, or holds a document that lies outside it, is a TokenBinsError.

    >>> bins = TokenBins("out/tokenize/tokens")
    >>> len(bins), bins.num_tokens, bins.dtype
    >>> bins.document(3)                 # its tokens, EOS included
    >>> bins.window(10, 2049, stride=2048)   # training sample 10: 2048 inputs and their next-token labels
    """

    def __init__(self, prefix: str | os.PathLike):
        prefix = str(prefix).removesuffix(".bin").removesuffix(".idx")
        self.prefix = prefix
        with open(idx_path(prefix), "rb") as f:
            header = f.read(HEADER.size)
        if len(header) < HEADER.size:
            raise TokenBinsError(f"{idx_path(prefix)}: too short for an MMIDIDX index")
        magic, version, code, sequences, index_length = HEADER.unpack(header)
        if magic != MAGIC or version != VERSION:
            raise TokenBinsError(f"{idx_path(prefix)}: not an MMIDIDX version 1 index")
        if code not in CODE_DTYPES:
            raise TokenBinsError(f"{idx_path(prefix)}: dtype code {code} is not an integer token type")
        self.dtype = CODE_DTYPES[code]
        index = np.memmap(idx_path(prefix), dtype=np.uint8, mode="r")
        described = HEADER.size + sequences * (SIZE_DTYPE.itemsize + POINTER_DTYPE.itemsize) \
            + index_length * POINTER_DTYPE.itemsize
        if index.size < described:  # more is allowed: Megatron's multimodal indexes add a field
            raise TokenBinsError(f"{idx_path(prefix)}: {index.size:,} bytes where its header describes "
                                 f"{described:,}: the index was cut short")
        self.sizes = np.frombuffer(index, SIZE_DTYPE, sequences, HEADER.size)
        self.pointers = np.frombuffer(index, POINTER_DTYPE, sequences, HEADER.size + self.sizes.nbytes)
        self.document_index = np.frombuffer(index, POINTER_DTYPE, index_length,
                                            HEADER.size + self.sizes.nbytes + self.pointers.nbytes)
        data = bin_path(prefix)
        self._check_data(data.stat().st_size)
        empty = data.stat().st_size == 0  # mmap refuses an empty file
        self.tokens = np.zeros(0, self.dtype) if empty else np.memmap(data, dtype=self.dtype, mode="r")

    def _check_data(self, data_bytes: int) -> None:
        """The .bin must be the size its index describes, and every document must lie inside it:
        a .bin cut short, or one of another index, would give documents the wrong tokens. Read a
        chunk of the index at a time (a training job opens the bins in every process); also sets
        ``stored_in_order``: whether the documents lie one after another in index order."""
        itemsize = self.dtype.itemsize
        described, lowest, furthest, self.stored_in_order = 0, 0, 0, True
        for start in range(0, len(self.sizes), _CHUNK):
            sizes = self.sizes[start:start + _CHUNK].astype(np.int64) * itemsize
            pointers = self.pointers[start:start + _CHUNK]
            ends = pointers + sizes
            lowest, furthest = min(lowest, int(pointers.min())), max(furthest, int(ends.max()))
            if self.stored_in_order:
                self.stored_in_order = bool(np.array_equal(pointers, np.cumsum(sizes) - sizes + described))
            described += int(sizes.sum())
        if data_bytes != described or lowest < 0 or furthest > data_bytes:
            raise TokenBinsError(f"{bin_path(self.prefix)}: {data_bytes:,} bytes where its index "
                                 f"{idx_path(self.prefix)} describes {described:,} bytes of {self.dtype} tokens: "
                                 f"the two files do not belong together, or one was cut short")
        if len(self.document_index) and (int(self.document_index[0]) != 0
                                         or int(self.document_index[-1]) != len(self.sizes)):
            raise TokenBinsError(f"{idx_path(self.prefix)}: its document index does not run from the first "
                                 f"sequence to the last")

    def __len__(self) -> int:
        return len(self.document_index) - 1

    @property
    def num_tokens(self) -> int:
        return len(self.tokens)

    def document(self, index: int) -> np.ndarray:
        """The tokens of document ``index`` (all its sequences), a read-only view of the file."""
        if not -len(self) <= index < len(self):
            raise IndexError(f"no document {index}: these bins hold none" if not len(self) else
                             f"no document {index}: these bins hold {len(self):,}, numbered 0 to {len(self) - 1:,} "
                             f"(or -1 back to -{len(self):,} from the end)")
        index %= len(self)
        first, end = int(self.document_index[index]), int(self.document_index[index + 1])
        if first == end:
            return self.tokens[:0]
        start = int(self.pointers[first]) // self.dtype.itemsize
        return self.tokens[start:start + int(self.sizes[first:end].sum())]

    __getitem__ = document

    def num_windows(self, length: int, stride: int | None = None) -> int:
        """How many windows of ``length`` tokens, ``stride`` apart (default: ``length``), fit."""
        stride = stride or length
        return 0 if self.num_tokens < length else (self.num_tokens - length) // stride + 1

    def window(self, index: int, length: int, stride: int | None = None) -> np.ndarray:
        """Tokens ``[index * stride, index * stride + length)`` of the whole stream, documents one
        after another (stride defaults to ``length``). For next-token training ask for
        ``length = seq_len + 1, stride = seq_len``, as Megatron's GPTDataset does."""
        stride = stride or length
        if not 0 <= index < self.num_windows(length, stride):
            raise IndexError(f"window {index} of {self.num_windows(length, stride)} ({length} tokens, stride {stride})")
        return self.tokens[index * stride:index * stride + length]

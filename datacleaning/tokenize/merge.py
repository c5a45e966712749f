"""Merging token bins: many ``.bin``/``.idx`` pairs (the encode step's per-unit parts, or the
outputs of several runs) into one, in order or in a seeded random order of documents.

Memory: 4 bytes per document (the merged sizes); with a shuffle, or parts whose documents are not
stored in index order, about 30 (the order, the sizes in both orders and their running sum) and
one chunk of tokens at a time."""
from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from datacleaning.errors import TokenBinsError
from datacleaning.shards import atomic_file
from datacleaning.tokenize.encode import ranges
from datacleaning.tokenize.indexed import TokenBins, bin_path, idx_path, write_index
from datacleaning.tokenize.tokenizer import folder_tokenizer

# Tokens gathered per write when shuffling.
_SHUFFLE_CHUNK_TOKENS = 1 << 24
_COPY_BYTES = 16 << 20


def _open_parts(prefixes: list[Path]) -> list[TokenBins]:
    parts = [TokenBins(p) for p in prefixes]
    for part in parts:
        if part.dtype != parts[0].dtype:
            raise TokenBinsError(f"{part.prefix} holds {part.dtype} tokens, {parts[0].prefix} {parts[0].dtype}: "
                             f"bins of one model have one dtype")
        if len(part.sizes) != len(part):
            raise TokenBinsError(f"{part.prefix}: documents of several sequences cannot be merged here")
    return parts


def bins_tokenizer(folders: list[Path]) -> Path | None:
    """The tokenizer file that the bins in ``folders`` were encoded with (a folder's
    tokenizer.json, else its tokenizer.model), None when no folder holds one. Bins of two different
    tokenizers are a TokenBinsError: the same id means a different piece in each, so merged they
    would decode to nonsense."""
    by_digest: dict[str, tuple[Path, Path]] = {}
    for folder in folders:
        found = folder_tokenizer(folder)
        if found is not None:
            by_digest.setdefault(hashlib.sha256(found.read_bytes()).hexdigest(), (folder, found))
    if len(by_digest) > 1:
        (first, first_file), (other, other_file) = list(by_digest.values())[:2]
        raise TokenBinsError(f"{first} and {other} were encoded with different tokenizers ({first_file} and "
                             f"{other_file} differ): the same token id means a different piece in each; "
                             f"encode them with one model to merge them")
    return next(iter(by_digest.values()), (None, None))[1]


def merge_bins(prefixes: list[str | os.PathLike], output: str | os.PathLike, *, shuffle_seed: int | None = None,
               check_stop: Callable[[], None] = lambda: None) -> dict:
    """Write the documents of the bins at ``prefixes`` to ``output.bin``/``output.idx``: in order,
    or in the order of a random permutation drawn with ``shuffle_seed``. Each file is written
    under a temporary name and renamed when complete, so a merge stopped midway leaves nothing
    that looks finished and can simply be run again."""
    parts = _open_parts([Path(p) for p in prefixes])
    if not parts:
        raise TokenBinsError("nothing to merge")
    dtype = parts[0].dtype
    sizes = np.concatenate([np.zeros(0, np.int32), *(p.sizes for p in parts)])
    with atomic_file(bin_path(output)) as out:
        if shuffle_seed is None and all(part.stored_in_order for part in parts):
            for part in parts:
                check_stop()
                with open(bin_path(part.prefix), "rb") as source:
                    shutil.copyfileobj(source, out, _COPY_BYTES)
        else:  # a shuffle, or bins whose documents are not stored in the order of their index
            order = (np.arange(len(sizes)) if shuffle_seed is None
                     else np.random.default_rng(shuffle_seed).permutation(len(sizes)))
            _write_documents(parts, order, out, check_stop)
            sizes = sizes[order]
    with atomic_file(idx_path(output)) as out:
        write_index(out, sizes, dtype)
    return {"documents": len(sizes), "tokens": int(sizes.sum(dtype=np.int64))}


def _write_documents(parts: list[TokenBins], order: np.ndarray, out, check_stop: Callable[[], None]) -> None:
    """Write the documents in ``order`` (numbers over all parts), a chunk of tokens at a time."""
    first_doc = np.cumsum([0] + [len(p) for p in parts])
    itemsize = parts[0].dtype.itemsize
    ordered_sizes = np.concatenate([p.sizes for p in parts])[order].astype(np.int64)
    ends = np.cumsum(ordered_sizes)
    cuts = np.searchsorted(ends, np.arange(_SHUFFLE_CHUNK_TOKENS, int(ends[-1]) if len(ends) else 0,
                                           _SHUFFLE_CHUNK_TOKENS), side="right")
    for low, high in zip([0, *cuts], [*cuts, len(order)]):
        check_stop()
        docs, sizes = order[low:high], ordered_sizes[low:high]
        chunk = np.empty(int(sizes.sum()), parts[0].dtype)
        chunk_starts = np.cumsum(sizes) - sizes
        owner = np.searchsorted(first_doc, docs, side="right") - 1
        for number in np.unique(owner):
            part = parts[number]
            mine = owner == number
            starts = part.pointers[docs[mine] - first_doc[number]] // itemsize
            chunk[ranges(chunk_starts[mine], sizes[mine])] = part.tokens[ranges(starts, sizes[mine])]
        out.write(chunk.data)

"""MinHash signatures and LSH band keys for a batch of documents.

The signature engine is rensa's R-MinHash (Rust): given one flat buffer of 64-bit shingle hashes
and row offsets, it computes every document's signature in one call, about ten times faster than
the best numpy formulation (a (shingles × permutations) multiply-shift matrix and a segmented
minimum). Value k of a signature is the minimum over the document's shingles of a 32-bit
universal hash (a_k·x + b_k) >> 32, so two documents agree on it with probability equal to their
Jaccard similarity.

rensa parallelizes with rayon threads. One rensa thread per process is forced here, before rensa
is first used: the stage's worker processes are forked and already use every core, and a rayon
pool started in a parent process is dead in a forked child, which then hangs.
"""
from __future__ import annotations

import os

os.environ["RAYON_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import rensa  # noqa: E402

from datacleaning.dedup.hashing import fmix64  # noqa: E402
from datacleaning.dedup.lsh import BandParams  # noqa: E402

ALGORITHM = f"rensa-{getattr(rensa.RMinHash, 'ALGORITHM_VERSION', 'unknown')}"
_ROW_BASE = np.uint64(0xA0761D6478BD642F)
_BAND_KEY = np.uint64(0xE7037ED1A0B428DB)


def signatures(hashes: np.ndarray, offsets: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """(documents, num_perm) uint32 signatures; every document must have at least one shingle."""
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        np.ascontiguousarray(hashes, dtype=np.uint64), offsets.astype(np.uint64), num_perm, seed)
    return np.array(matrix.to_rows(), dtype=np.uint32).reshape(len(offsets) - 1, num_perm)


def band_keys(signature: np.ndarray, params: BandParams) -> np.ndarray:
    """(documents, bands) uint64 keys: two documents share key j exactly when their signatures
    agree on all rows of band j (up to 64-bit hash collisions, which verification catches). The
    band number is mixed in, so keys of different bands never meet in one bucket."""
    used = signature[:, :params.bands * params.rows].astype(np.uint64)
    used = used.reshape(len(signature), params.bands, params.rows)
    keys = np.zeros(used.shape[:2], dtype=np.uint64)
    for r in range(params.rows):
        keys *= _ROW_BASE
        keys += used[:, :, r]
    keys += np.arange(params.bands, dtype=np.uint64) * _BAND_KEY
    return fmix64(keys)

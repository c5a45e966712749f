"""Hash primitives on numpy arrays: a 64-bit mixer, hashes of array segments, and the 128-bit
exact-text hash.

Every function is deterministic across processes and machines (no Python ``hash()``, whose
strings are salted per process), so work units hashed by different workers agree.
"""
from __future__ import annotations

import hashlib

import numpy as np

# Odd 64-bit constants (from splitmix64 and MurmurHash3); arithmetic on uint64 arrays wraps mod 2^64.
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
VALUE_KEY = np.uint64(0x9E3779B97F4A7C15)
POSITION_KEY = np.uint64(0xBF58476D1CE4E5B9)
LENGTH_KEY = np.uint64(0x94D049BB133111EB)
_S33 = np.uint64(33)


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer, element-wise: a bijection that spreads every input bit
    over the whole output. Returns a new array."""
    h = values.astype(np.uint64, copy=True)
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    return h


def segment_hashes(values: np.ndarray, segment_starts: np.ndarray) -> np.ndarray:
    """One 64-bit hash per segment of ``values``; segment i runs from ``segment_starts[i]`` to the
    next start (the last to the end). Starts must be increasing and segments non-empty.

    Each element is mixed together with its position inside its segment and the mixed values
    are summed per segment, so the hash depends on the order of the elements, and the segment
    length is mixed in last: equal sequences hash equal wherever they sit in the array.
    """
    n = len(values)
    lengths = np.diff(segment_starts, append=n)
    position = np.arange(n, dtype=np.uint64) - np.repeat(segment_starts.astype(np.uint64), lengths)
    mixed = fmix64(values.astype(np.uint64) * VALUE_KEY + position * POSITION_KEY)
    sums = np.add.reduceat(mixed, segment_starts) if n else np.zeros(0, np.uint64)
    return fmix64(sums + lengths.astype(np.uint64) * LENGTH_KEY)


def exact_hashes(code_points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The 128-bit BLAKE2b hash of each document's code points [start, end), as an (n, 2) uint64
    array (high, low words). A cryptographic hash, because two different documents that collide
    would silently lose one of them."""
    data = memoryview(code_points.astype("<u4", copy=False).tobytes())
    digests = b"".join(hashlib.blake2b(data[4 * s:4 * e], digest_size=16).digest()
                       for s, e in zip(starts.tolist(), ends.tolist()))
    return np.frombuffer(digests, dtype=">u8").reshape(-1, 2).astype(np.uint64)

"""Cross-document line dedup: lines (or paragraphs) that occur in many documents are site
boilerplate (menus, footers, share buttons, copyright notices) and are removed.

A line is the text between newlines; a paragraph a run of non-blank lines. Each is hashed on its
normalized content (the same normalization as every other dedup comparison, so a footer that
differs only in spacing or punctuation still counts as one), and lines shorter than ``min_chars``
normalized characters are never counted or removed. Counting is per document: a line repeated
within one document counts once. Removing a line removes its newline too.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from datacleaning.dedup.hashing import segment_hashes
from datacleaning.dedup.normalize import NEWLINE, SPACE, TextBatch


@dataclass
class Segments:
    """Countable lines or paragraphs of a batch: code point span [start, end) (end before the
    newline), document index and content hash, in text order."""

    starts: np.ndarray
    ends: np.ndarray
    doc: np.ndarray
    hashes: np.ndarray


def find_segments(batch: TextBatch, table: np.ndarray, unit: str, min_chars: int) -> Segments:
    cps = batch.code_points
    newlines = np.flatnonzero(cps == NEWLINE)
    starts = np.union1d(batch.starts, newlines + 1)
    starts = starts[starts < len(cps)]
    doc = np.searchsorted(batch.ends, starts, side="right")
    line_end = np.append(newlines, len(cps))[np.searchsorted(newlines, starts)]
    ends = np.minimum(line_end, batch.ends[doc])

    mapped = table[cps]
    is_content = mapped != SPACE
    before = np.zeros(len(cps) + 1, dtype=np.int64)
    np.cumsum(is_content, out=before[1:])
    filled = before[ends] > before[starts]
    if unit == "paragraph":
        opens = filled & np.concatenate([[True], ~filled[:-1] | (doc[1:] != doc[:-1])])
        paragraph = (np.cumsum(opens) - 1)[filled]
        paragraph_ends = np.zeros(int(opens.sum()), dtype=np.int64)
        np.maximum.at(paragraph_ends, paragraph, ends[filled])
        starts, ends, doc = starts[opens], paragraph_ends, doc[opens]
    else:
        starts, ends, doc = starts[filled], ends[filled], doc[filled]
    # Every content code point lies in exactly one filled segment, so the segments tile the
    # content array and each one's hash covers exactly its own content.
    content_starts = before[starts]
    hashes = segment_hashes(mapped[is_content], content_starts)
    countable = (before[ends] - content_starts) >= min_chars
    return Segments(starts[countable], ends[countable], doc[countable], hashes[countable])


def distinct_per_document(segments: Segments) -> tuple[np.ndarray, np.ndarray]:
    """(hash, document) pairs with each hash once per document."""
    order = np.lexsort((segments.hashes, segments.doc))
    hashes, doc = segments.hashes[order], segments.doc[order]
    first = np.ones(len(hashes), dtype=bool)
    first[1:] = (hashes[1:] != hashes[:-1]) | (doc[1:] != doc[:-1])
    return hashes[first], doc[first]


def is_boilerplate(segments: Segments, boilerplate: np.ndarray) -> np.ndarray:
    """Which segments' hashes are in the sorted array ``boilerplate``."""
    if not len(boilerplate):
        return np.zeros(len(segments.hashes), dtype=bool)
    at = np.minimum(np.searchsorted(boilerplate, segments.hashes), len(boilerplate) - 1)
    return boilerplate[at] == segments.hashes


def removed_spans(batch: TextBatch, segments: Segments,
                  remove: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code point spans [start, end) to cut for the removed segments, each with the newline that
    follows it inside its document, and their document indexes."""
    starts, ends, doc = segments.starts[remove], segments.ends[remove], segments.doc[remove]
    ends = np.where(ends < batch.ends[doc], ends + 1, ends)
    return starts, ends, doc


def without_spans(batch: TextBatch, starts: np.ndarray, ends: np.ndarray) -> TextBatch:
    """The batch with the code point spans cut out (spans are disjoint)."""
    if not len(starts):
        return batch
    cut = np.zeros(len(batch.code_points) + 1, dtype=np.int64)
    np.add.at(cut, starts, 1)
    np.add.at(cut, ends, -1)
    keep = np.cumsum(cut[:-1]) == 0
    kept_before = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept_before[1:])
    return TextBatch(batch.code_points[keep], kept_before[batch.starts], kept_before[batch.ends])


def cut_text(text: str, starts: list[int], ends: list[int]) -> str:
    """``text`` without the [start, end) spans (sorted, disjoint, offsets into ``text``)."""
    pieces, position = [], 0
    for start, end in zip(starts, ends):
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    return "".join(pieces)

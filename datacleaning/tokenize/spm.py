"""SentencePiece models: loading one, and training one from a folder of shards on a sample of its
documents drawn in one pass with memory bounded by the sample's size."""
from __future__ import annotations

import io
import os
import re
import select
import signal
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sentencepiece as spm

from datacleaning.config import TokenizeTrainConfig
from datacleaning.errors import ConfigError
from datacleaning.execution import FileUnit
from datacleaning.execution.local import die_with
from datacleaning.shard_input import ShardInputError, read_unit_batches
from datacleaning.shards import write_atomic

# The trainer skips lines longer than its max_sentence_length (in bytes); longer lines are cut
# into pieces of this many characters (at most 4 bytes each in UTF-8) instead of being lost.
MAX_LINE_CHARS = 4096
# Ids of the special pieces of a trained model, as LLaMA's: no padding piece.
UNK_ID, BOS_ID, EOS_ID = 0, 1, 2


def load_model(path: str | os.PathLike) -> spm.SentencePieceProcessor:
    """A SentencePiece model from its .model file; ConfigError if it is not one."""
    processor = spm.SentencePieceProcessor()
    try:
        processor.LoadFromFile(os.fspath(path))
    except (OSError, RuntimeError) as e:
        raise ConfigError(f"cannot load SentencePiece model {path}: {e}") from None
    return processor


def encode_texts(processor: spm.SentencePieceProcessor, texts: pa.Array | pa.ChunkedArray) -> list[np.ndarray]:
    """Each text's token ids (a null text has none), on the calling thread. The UTF-8 bytes go
    straight from Arrow to the encoder: no Python str is built only to be encoded again."""
    data = pc.fill_null(texts, "").cast(pa.binary()).to_pylist()
    return processor.encode(data, num_threads=1, return_type="numpy")


class ByteBudgetSample:
    """A uniform random sample of documents whose text adds up to at most ``budget`` UTF-8 bytes,
    drawn in one pass: each document gets a random key, and the sample is the documents of
    smallest keys that fit in the budget. Documents whose key is past those already holding the
    whole budget are dropped on arrival, so the texts held stay under twice the budget (three
    times while they are cut back to it)."""

    def __init__(self, budget: int, seed: int):
        self.budget = budget
        self._rng = np.random.default_rng(seed)
        self._threshold = 1.0
        self._keys: list[np.ndarray] = []
        self._texts: list[pa.Array] = []
        self._sizes: list[np.ndarray] = []
        self._held = 0
        self.seen_docs = 0
        self.seen_bytes = 0

    def add(self, texts: pa.Array) -> None:
        keys = self._rng.random(len(texts))
        sizes = pc.binary_length(texts).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        self.seen_docs += len(texts)
        self.seen_bytes += int(sizes.sum())
        chosen = keys < self._threshold
        if not chosen.any():
            return
        self._keys.append(keys[chosen])
        self._texts.append(texts.filter(pa.array(chosen)))
        self._sizes.append(sizes[chosen])
        self._held += int(self._sizes[-1].sum())
        if self._held > 2 * self.budget:
            self._shrink()

    def _shrink(self) -> None:
        keys, sizes = np.concatenate(self._keys), np.concatenate(self._sizes)
        by_key = np.argsort(keys, kind="stable")
        fits = int(np.searchsorted(np.cumsum(sizes[by_key]), self.budget, side="right"))
        if fits < len(keys):
            self._threshold = float(keys[by_key[fits]])
        # Kept in arrival order, so the sample keeps the input's order; taken from each held
        # array in turn, so the texts held are never copied whole at once.
        kept = np.sort(by_key[:fits])
        starts = np.cumsum([0] + [len(t) for t in self._texts])
        bounds = np.searchsorted(kept, starts)
        self._texts = [texts.take(pa.array(kept[lo:hi] - start))
                       for texts, lo, hi, start in zip(self._texts, bounds[:-1], bounds[1:], starts) if hi > lo]
        self._keys, self._sizes = [keys[kept]], [sizes[kept]]
        self._held = int(self._sizes[0].sum())

    def texts(self) -> pa.Array:
        """The sample, in the order the documents came."""
        if not self._keys:
            return pa.array([], pa.string())
        self._shrink()
        return pa.concat_arrays(self._texts) if self._texts else pa.array([], pa.string())


def _strings(texts: pa.Array, rows: int = 4096) -> Iterable[str | None]:
    """The array's strings, a slice at a time rather than all as Python objects at once."""
    for start in range(0, len(texts), rows):
        yield from texts.slice(start, rows).to_pylist()


def training_lines(texts: Iterable[str | None]) -> Iterable[str]:
    """The trainer reads one sentence a line: a document's lines, long ones cut."""
    for text in texts:
        for line in (text or "").split("\n"):
            for start in range(0, max(len(line), 1), MAX_LINE_CHARS):
                yield line[start:start + MAX_LINE_CHARS]


# How SentencePiece says that the vocabulary cannot hold a piece for every character it must keep.
_REQUIRED_CHARS = re.compile(r"smaller than required_chars\. \d+ vs (\d+)")


def train_model(units: list[FileUnit], train: TokenizeTrainConfig, destination: Path, threads: int,
                check_stop: Callable[[], None] = lambda: None) -> dict:
    """Train a SentencePiece model on a sample of the documents of ``units`` and write it to
    ``destination`` (atomically); return what was sampled and trained."""
    sample = ByteBudgetSample(train.sample_bytes, train.seed)
    for unit in units:
        for batch in read_unit_batches(unit, ["text"]):
            check_stop()
            sample.add(batch.column("text"))
    texts = sample.texts()
    drawn = {"input_docs": sample.seen_docs, "input_bytes": sample.seen_bytes, "sample_docs": len(texts),
             "sample_bytes": int(pc.sum(pc.binary_length(texts)).as_py() or 0)}
    if not drawn["sample_bytes"]:
        raise ShardInputError("the input holds no text to train a tokenizer on")
    options = dict(
        model_type=train.model_type, vocab_size=train.vocab_size, character_coverage=train.character_coverage,
        byte_fallback=train.byte_fallback, normalization_rule_name=train.normalization,
        split_digits=train.split_digits,
        # Whitespace as written: runs of spaces (indentation, tables) are pieces of their own and
        # decoding gives them back.
        remove_extra_whitespaces=False, allow_whitespace_only_pieces=True,
        # vocab_size is an upper bound: a small corpus trains a smaller model instead of failing.
        hard_vocab_limit=False,
        # The sample is already drawn: the trainer takes all of it, in order.
        input_sentence_size=0, shuffle_input_sentence=False, max_sentence_length=4 * MAX_LINE_CHARS,
        unk_id=UNK_ID, bos_id=BOS_ID, eos_id=EOS_ID, pad_id=-1,
        num_threads=threads, minloglevel=2)
    try:
        model = _train_in_child(texts, options, check_stop)
    except RuntimeError as e:
        needed = _REQUIRED_CHARS.search(str(e))
        if needed is None:
            raise
        # SentencePiece names its own flags; say it in this command's.
        raise ConfigError(f"tokenize.train.vocab_size {train.vocab_size:,} (--vocab-size) is below the "
                         f"{int(needed.group(1)):,} pieces the sample's characters need at character_coverage "
                         f"{train.character_coverage} (--character-coverage): raise the one or lower the other"
                         ) from None
    write_atomic(destination, _without_thread_count(model))
    return {**drawn, "vocab_size": load_model(destination).vocab_size()}


# Where SentencePiece's model proto (sentencepiece_model.proto) keeps the trainer's thread count:
# ModelProto.trainer_spec (field 2), TrainerSpec.num_threads (field 16).
_TRAINER_SPEC, _NUM_THREADS = 2, 16
_LENGTH_DELIMITED = 2


def _without_thread_count(model: bytes) -> bytes:
    """The model with the trainer's thread count left out: SentencePiece records it in the model,
    so two trainings of the same sample would otherwise differ in their bytes (and their sha256)
    when run on different numbers of workers, while every piece and score is the same. Edited in
    the protobuf wire format itself: the generated protobuf module sentencepiece ships is tied to
    one major version of the protobuf runtime."""
    out = bytearray()
    for number, wire, start, key_end, value_start, end in _protobuf_fields(model):
        if number == _TRAINER_SPEC and wire == _LENGTH_DELIMITED:
            spec = model[value_start:end]
            kept = b"".join(spec[field_start:field_end]
                            for n, _, field_start, _, _, field_end in _protobuf_fields(spec) if n != _NUM_THREADS)
            out += model[start:key_end] + _varint(len(kept)) + kept
        else:
            out += model[start:end]
    return bytes(out)


def _protobuf_fields(data: bytes) -> Iterator[tuple[int, int, int, int, int, int]]:
    """Each field of a serialized protobuf message: (number, wire type, where it starts, where its
    key ends, where its value starts, where it ends)."""
    pos = 0
    while pos < len(data):
        start = pos
        key, pos = _read_varint(data, pos)
        key_end = value_start = pos
        wire = key & 7
        if wire == 0:
            _, pos = _read_varint(data, pos)
        elif wire == 1:
            pos += 8
        elif wire == _LENGTH_DELIMITED:
            length, value_start = _read_varint(data, pos)
            pos = value_start + length
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"protobuf wire type {wire} at byte {start}: not a SentencePiece model")
        if pos > len(data):
            raise ValueError(f"protobuf field at byte {start} runs past the end: not a SentencePiece model")
        yield key >> 3, wire, start, key_end, value_start, pos


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("protobuf varint runs past the end: not a SentencePiece model")
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if byte < 0x80:
            return value, pos
        shift += 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _train_in_child(texts: pa.Array, options: dict, check_stop: Callable[[], None]) -> bytes:
    """The trained model's bytes. SentencePiece trains for minutes in C++ without coming back to
    Python, so it runs in a child process of its own, which a stop kills at once."""
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        # Whatever happens here, the child ends here: it must never return into its parent's code.
        try:
            die_with(parent)
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                try:
                    model = io.BytesIO()
                    # Sentences from memory and the model to memory: the model then records no file
                    # paths, so the same sample trains the same bytes wherever it runs.
                    spm.SentencePieceTrainer.train(sentence_iterator=iter(training_lines(_strings(texts))),
                                                   model_writer=model, **options)
                    out.write(b"+" + model.getvalue())
                except BaseException as e:  # the parent raises it
                    out.write(b"!" + f"{type(e).__name__}: {e}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    answer = bytearray()
    try:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            while True:
                check_stop()
                if select.select([pipe], [], [], 0.2)[0]:
                    chunk = pipe.read(1 << 20)
                    if not chunk:
                        break
                    answer += chunk
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.waitpid(pid, 0)
    if answer[:1] != b"+":
        raise RuntimeError("SentencePiece training failed: "
                           + (answer[1:].decode(errors="replace") or "the trainer process died"))
    return bytes(answer[1:])

"""What the tokenize stage encodes with: a SentencePiece ``.model`` (LLaMA-2's, Baichuan's, one
trained here) or a Hugging Face ``tokenizers`` ``tokenizer.json`` (Llama-3's, Qwen's), behind one
interface: encode a batch of texts to id arrays, decode ids, the vocabulary size, the BOS, EOS and
unknown ids when the tokenizer has them, a digest of its file and what the stats say about it.

Which of the two a file is, is decided by its content, not its name: a ``tokenizer.json`` is a
JSON object, a ``.model`` a SentencePiece protobuf."""
from __future__ import annotations

import hashlib
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import tokenizers

from datacleaning.errors import ConfigError
from datacleaning.tokenize.spm import encode_texts, load_model

SPM_FILE = "tokenizer.model"
HF_FILE = "tokenizer.json"
# The names a tokenizer has in a folder (a Hugging Face repository, a tokenize output), in the
# order they are looked for: where a repository has both, they encode alike, and tokenizer.json is
# what transformers' fast tokenizers load.
FOLDER_FILES = (HF_FILE, SPM_FILE)
# A tokenizer.json does not say which of its special tokens begins or ends a document: these are
# the names the common ones give them (LLaMA-2/Mistral, Llama-3, GPT-2/Qwen, Gemma), looked for
# in this order among its special tokens. A tokenizer with none of them needs tokenize.bos_id or
# tokenize.eos_id.
BOS_NAMES = ("<s>", "<|begin_of_text|>", "<bos>")
EOS_NAMES = ("</s>", "<|end_of_text|>", "<|endoftext|>", "<eos>")


class Tokenizer(ABC):
    """A tokenizer file, loaded."""

    # The file's name in a tokenize output folder, whatever it was called where it came from.
    file_name: str
    path: Path
    # Every id is below it (the ids of a tokenizer.json may have gaps).
    vocab_size: int
    bos_id: int | None
    eos_id: int | None
    # None: the tokenizer has no unknown token (a byte-level BPE, as Llama-3's and Qwen's, encodes any text).
    unk_id: int | None

    @abstractmethod
    def encode(self, texts: pa.Array | pa.ChunkedArray) -> list[np.ndarray]:
        """Each text's token ids (a null text has none), with no BOS or EOS: the stage puts those.
        SentencePiece encodes on the calling thread; a tokenizer.json on the library's thread pool
        unless TOKENIZERS_PARALLELISM=false (which the encode step sets in its workers)."""

    @abstractmethod
    def decode(self, ids: Sequence[int]) -> str:
        """The text of ``ids``."""

    @abstractmethod
    def _details(self) -> dict:
        """What the stats report about this kind of tokenizer beyond the ids."""

    def describe(self) -> dict:
        """What the stats report about the tokenizer."""
        return {"vocab_size": self.vocab_size, "unk_id": self.unk_id, "bos_id": self.bos_id, "eos_id": self.eos_id,
                **self._details()}

    def sha256(self) -> str:
        """The digest of the file, which the stage's fingerprint holds."""
        with open(self.path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()


class SentencePieceTokenizer(Tokenizer):
    file_name = SPM_FILE

    def __init__(self, path: Path):
        self.path = path
        self._processor = load_model(path)
        self.vocab_size = self._processor.vocab_size()
        # SentencePiece says -1 for a special piece the model does not have.
        self.bos_id, self.eos_id, self.unk_id = (None if i < 0 else i for i in (
            self._processor.bos_id(), self._processor.eos_id(), self._processor.unk_id()))

    def encode(self, texts: pa.Array | pa.ChunkedArray) -> list[np.ndarray]:
        return encode_texts(self._processor, texts)

    def decode(self, ids: Sequence[int]) -> str:
        return self._processor.decode(list(ids))

    def _details(self) -> dict:
        return {"byte_fallback": any(self._processor.is_byte(i) for i in range(self.vocab_size))}


class HuggingFaceTokenizer(Tokenizer):
    file_name = HF_FILE

    def __init__(self, path: Path):
        self.path = path
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            self._tokenizer = tokenizers.Tokenizer.from_str(text)
        except Exception as e:  # the library raises a bare Exception for a file it cannot read
            raise ConfigError(f"{path} is not a Hugging Face tokenizer.json: {e}") from None
        # A special token's text inside a document ("<|endoftext|>" quoted in a page about
        # tokenizers) is encoded as the text it is, as SentencePiece does: the only special ids in
        # the bins are the BOS and EOS the stage puts around each document.
        self._tokenizer.encode_special_tokens = True
        model = json.loads(text)["model"]
        self.model_type, self.byte_fallback = model.get("type"), bool(model.get("byte_fallback"))
        self.vocab_size = max(self._tokenizer.get_vocab(with_added_tokens=True).values(), default=-1) + 1
        special = {token.content: i for i, token in self._tokenizer.get_added_tokens_decoder().items()
                   if token.special}
        self.bos_id = next((special[name] for name in BOS_NAMES if name in special), None)
        self.eos_id = next((special[name] for name in EOS_NAMES if name in special), None)
        # BPE, WordPiece and WordLevel name their unknown token; Unigram gives its id.
        unk_token = model.get("unk_token")
        self.unk_id = self._tokenizer.token_to_id(unk_token) if unk_token else model.get("unk_id")

    def encode(self, texts: pa.Array | pa.ChunkedArray) -> list[np.ndarray]:
        # encode_batch_fast is encode_batch without the tokens' offsets in the text, which the bins
        # do not need (about 15% faster, bench/tokenize_throughput.py). The library's own BOS/EOS
        # template stays out (add_special_tokens=False): the stage puts them, one way for both kinds
        # of tokenizer. Its Rust threads: see the encode step.
        encodings = self._tokenizer.encode_batch_fast(pc.fill_null(texts, "").to_pylist(), add_special_tokens=False)
        return [np.array(encoding.ids, np.int64) for encoding in encodings]

    def decode(self, ids: Sequence[int]) -> str:
        return self._tokenizer.decode(list(ids), skip_special_tokens=False)

    def _details(self) -> dict:
        return {"type": self.model_type, "byte_fallback": self.byte_fallback}


def folder_tokenizer(folder: Path) -> Path | None:
    """A folder's tokenizer.json, else its tokenizer.model; None when it holds neither."""
    return next((folder / name for name in FOLDER_FILES if (folder / name).is_file()), None)


def tokenizer_file(path: str | os.PathLike) -> Path:
    """The tokenizer file ``path`` names: the file itself, or a folder's tokenizer.json, else its
    tokenizer.model."""
    path = Path(path)
    if path.is_dir():
        found = folder_tokenizer(path)
        if found is None:
            raise ConfigError(f"the folder {path} holds no {' or '.join(FOLDER_FILES)}")
        return found
    if not path.is_file():
        raise ConfigError(f"no such file {path}")
    return path


def open_tokenizer(path: str | os.PathLike) -> Tokenizer:
    """The tokenizer at ``path`` (a file, or a folder holding one): a tokenizer.json when the file
    is a JSON object, else a SentencePiece model; ConfigError when it is neither."""
    path = tokenizer_file(path)
    with open(path, "rb") as f:
        start = f.read(64).lstrip()
    if start.startswith(b"{"):
        return HuggingFaceTokenizer(path)
    try:
        return SentencePieceTokenizer(path)
    except ConfigError as e:
        raise ConfigError(f"neither a Hugging Face tokenizer.json nor a SentencePiece .model: {e}") from None

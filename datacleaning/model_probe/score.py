"""Per-document perplexity under a TransNormerLLM.

Each document's tokens are predicted from a start token (BOS) and the tokens before them:
``nll`` is the sum of −log p over its tokens (nats), ``n_tokens`` their count and ``ppl`` =
exp(nll / n_tokens) (NaN for an empty document); ``main_nll`` the sum over the tokens a mask
names (the pieces of the document's own script, ``main_script.py``). Documents are sorted by length and grouped into
batches of at most ``token_budget`` positions, right-padded (causal attention needs no padding
mask). A document longer than ``chunk_tokens`` is fed in chunks that carry every layer's attention
state and LRPE's absolute positions, which gives the same result as one pass.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from datacleaning.model_probe.loader import SHIPPED_TINY, load_model
from datacleaning.model_probe.model import TransNormerLM


@dataclass(frozen=True)
class DocScore:
    nll: float
    n_tokens: int
    main_nll: float = 0.0

    @property
    def ppl(self) -> float:
        return math.exp(self.nll / self.n_tokens) if self.n_tokens else math.nan


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """``device`` if given, else the GPU when there is one, else the CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def pick_dtype(device: torch.device) -> torch.dtype:
    """bf16 where the hardware computes it, fp32 otherwise: on a GPU that has it (the released
    models are bf16; fp16 can overflow the undecayed top layers), and on a CPU with AVX512-BF16 or
    AMX, where the tiny model scores 2.4 times as many tokens a second, every document's NLL per
    token within 0.006 nats of fp32's and the same ROC AUCs (bench/probe_quality.py). A CPU
    without them has no bf16 instructions of its own, and keeps fp32."""
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
    if device.type == "cpu" and _cpu_computes_bf16():
        return torch.bfloat16
    return torch.float32


def _cpu_computes_bf16() -> bool:
    # torch tells the CPU's instruction sets only through private helpers; a torch without them
    # gets fp32.
    return any(getattr(torch.cpu, name, lambda: False)() for name in ("_is_avx512_bf16_supported",
                                                                        "_is_amx_tile_supported"))


def load_scorer(folder=SHIPPED_TINY, *, device: str | torch.device | None = None,
                dtype: torch.dtype | None = None, **options) -> Scorer:
    """A :class:`Scorer` for the model in ``folder`` (default: the shipped tiny model) on ``device``
    (default: :func:`pick_device`) in ``dtype`` (default: :func:`pick_dtype`)."""
    device = pick_device(device)
    return Scorer(load_model(folder, device=device, dtype=dtype or pick_dtype(device)), **options)


class Scorer:
    def __init__(self, model: TransNormerLM, *, token_budget: int = 16384, chunk_tokens: int = 2048):
        if token_budget < 1 or chunk_tokens < 1:
            raise ValueError("token_budget and chunk_tokens must be positive")
        self.model = model.eval()
        self.token_budget = token_budget
        self.chunk_tokens = chunk_tokens
        self.device = next(model.parameters()).device

    def score(self, docs: Sequence[Sequence[int] | np.ndarray],
              check_stop: Callable[[], None] = lambda: None,
              main: Sequence[np.ndarray] | None = None,
              scored: Callable[[int], None] = lambda tokens: None) -> list[DocScore]:
        """One :class:`DocScore` per document of token ids (without BOS), in input order.
        ``check_stop`` is called before each batch and each chunk of one, so a stop takes effect
        within one chunk; ``scored`` after each batch, with its tokens.
        ``main``: per document, a boolean per token, the tokens ``main_nll`` sums (none given:
        ``main_nll`` is 0)."""
        vocab = self.model.config.vocab_size
        docs = [np.asarray(doc, dtype=np.int64).reshape(-1) for doc in docs]
        if main is not None:
            main = [np.asarray(mask, dtype=bool).reshape(-1) for mask in main]
        for i, doc in enumerate(docs):
            if doc.size and (doc.min() < 0 or doc.max() >= vocab):
                raise ValueError(f"document {i} has token ids outside 0..{vocab - 1}")
        if main is not None and (len(main) != len(docs) or any(m.size != d.size for m, d in zip(main, docs))):
            raise ValueError("main needs one boolean per token of each document")
        scores = [DocScore(0.0, 0)] * len(docs)
        order = sorted((i for i, doc in enumerate(docs) if doc.size), key=lambda i: -docs[i].size)
        start = 0
        while start < len(order):
            check_stop()
            width = min(docs[order[start]].size, self.chunk_tokens)
            batch = order[start:start + max(1, self.token_budget // width)]
            start += len(batch)
            masks = [main[i] for i in batch] if main is not None else None
            for i, (nll, main_nll) in zip(batch, self._score_batch([docs[i] for i in batch], masks, check_stop)):
                scores[i] = DocScore(nll, int(docs[i].size), main_nll)
            scored(sum(int(docs[i].size) for i in batch))
        return scores

    @torch.inference_mode()
    def _score_batch(self, docs: list[np.ndarray], main: list[np.ndarray] | None,
                     check_stop: Callable[[], None]) -> list[tuple[float, float]]:
        """Summed NLL of documents sorted longest first, so the rows still running at any chunk are a
        prefix of the batch, and summed over the tokens of ``main``. ``check_stop`` is called
        before each chunk: one document of a million tokens is a batch of minutes on a CPU."""
        cfg = self.model.config
        filler = cfg.pad_token_id if cfg.pad_token_id is not None else cfg.eos_token_id
        longest = docs[0].size
        ids = np.full((len(docs), longest), filler, dtype=np.int64)
        targets = np.full((len(docs), longest), -1, dtype=np.int64)
        for row, doc in enumerate(docs):
            ids[row, 0] = cfg.bos_token_id
            ids[row, 1:doc.size] = doc[:-1]
            targets[row, :doc.size] = doc
        in_main = np.zeros((len(docs), longest), dtype=bool)
        if main is not None:
            for row, mask in enumerate(main):
                in_main[row, :mask.size] = mask
        ids = torch.from_numpy(ids).to(self.device)
        targets = torch.from_numpy(targets).to(self.device)
        in_main = torch.from_numpy(in_main).to(self.device)
        lengths = [doc.size for doc in docs]
        totals = torch.zeros(len(docs), dtype=torch.float64, device=self.device)
        main_totals = torch.zeros(len(docs), dtype=torch.float64, device=self.device)
        states = None
        for offset in range(0, longest, self.chunk_tokens):
            check_stop()
            rows = sum(1 for n in lengths if n > offset)
            end = min(offset + self.chunk_tokens, lengths[0])
            if states is not None:
                states = [s[:rows] for s in states]
            nll, states = self.model.token_nll(ids[:rows, offset:end], targets[:rows, offset:end], states, offset)
            nll = nll.double()
            totals[:rows] += nll.sum(dim=1)
            main_totals[:rows] += (nll * in_main[:rows, offset:end]).sum(dim=1)
        return list(zip(totals.tolist(), main_totals.tolist()))

"""The Python API: clean an iterable of documents in-process, run the clean stage over files,
deduplicate its output, score it with the model probe and tokenize it into token bins."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from datacleaning import storage
from datacleaning.cleaning.rejudge import run_rejudge
from datacleaning.cleaning.rule_chain import BATCH_DOCS, DocumentBatch, RuleChain, Verdict
from datacleaning.cleaning.stage import CleanStage
from datacleaning.config import Config, load_config
from datacleaning.dedup.stage import STAGE as DEDUP
from datacleaning.document import Document
from datacleaning.errors import RecordError
from datacleaning.execution import StageResult
from datacleaning.export import DEFAULT_COLUMNS, ExportSettings, run_export
from datacleaning.readers.records import ReaderOptions, record_to_document
from datacleaning.rules.base import Rule
from datacleaning.rules.registry import KINDS, build_rules, check_language_keys
from datacleaning.stages import run_stage
from datacleaning.tokenize import train_tokenizer
from datacleaning.tokenize.stage import STAGE as TOKENIZE


@dataclass
class Cleaned:
    """A document after cleaning and the verdict on it (None when kept)."""

    document: Document
    verdict: Verdict | None

    @property
    def kept(self) -> bool:
        return self.verdict is None


class Pipeline:
    """The cleaning pipeline a config describes, usable from Python.

    >>> pipe = Pipeline.from_config("configs/example.toml")
    >>> [c.kept for c in pipe.clean(["你好", "A long enough English sentence ..."])]

    Rule lists given here replace the config's sections of the same name, so rules can also be
    built in code: ``Pipeline(filters=[Length(min_chars=20), MyRule(threshold=0.5)])``.
    """

    def __init__(self, config: Config | None = None, *, normalizers: list[Rule] | None = None,
                 edits: list[Rule] | None = None, filters: list[Rule] | None = None):
        self.config = config or Config()
        rules = build_rules(self.config.clean, self.config.base_dir)
        for section, given in (("normalizers", normalizers), ("edits", edits), ("filters", filters)):
            if given is not None:
                for i, rule in enumerate(given):
                    if not isinstance(rule, KINDS[section]):
                        raise TypeError(f"{section}: {rule!r} is not a {KINDS[section].__name__} (the rules of "
                                        f"normalizers, edits and filters subclass Normalizer, Editor and Filter)")
                    if self.config.clean.language_id.identifier == "cld2":
                        check_language_keys(rule, f"{section}[{i}]")
                    rule.prepare(self.config.base_dir)
                rules[section] = list(given)
        self.cleaning = RuleChain.from_rules(rules, self.config.clean)
        self._rules_in_code = any(given is not None for given in (normalizers, edits, filters))

    @classmethod
    def from_config(cls, path: str | os.PathLike, **kwargs) -> Pipeline:
        return cls(load_config(path), **kwargs)

    def clean(self, documents: Iterable[str | dict | Document], *, batch_size: int = BATCH_DOCS) -> Iterator[Cleaned]:
        """Clean documents (strings, dicts shaped like input records, or Documents), yielding each
        in order. They are cleaned ``batch_size`` at a time (fewer where their text reaches 1 MiB),
        as the clean stage does: ``batch_size=1`` yields each document before the next is read,
        for a caller that sends its next document only after the result. A rule that fails raises
        RuleFailure, and the other documents of its batch are not yielded."""
        options = ReaderOptions.of(self.config.input)
        batch = DocumentBatch(batch_size)
        try:
            for i, item in enumerate(documents):
                if batch.add(_document(i, item, options)):
                    yield from self._clean(batch.take())
        except Exception:
            # The documents read before a record refused, or before the iterable itself raised,
            # come out first, as when each was cleaned as soon as it was read.
            yield from self._clean(batch.take())
            raise
        yield from self._clean(batch.take())

    def _clean(self, documents: list[Document]) -> Iterator[Cleaned]:
        for doc, verdict in zip(documents, self.cleaning.process_many(documents)):
            yield Cleaned(doc, verdict)

    def run(self, inputs: list[str | os.PathLike], output: str | os.PathLike, *, workers: int | None = None) -> StageResult:
        """Run the clean stage over files into ``output`` with a process pool (resumable); inputs
        and output are local paths or URLs (opened with the config's ``[storage]`` options)."""
        config = _stage_config(self.config, workers)
        # Rules built in code decide the output beside the config, so the run's fingerprint holds
        # them; rules the config names are the config's, the same run the command line makes.
        return run_stage(CleanStage(self.cleaning if self._rules_in_code else None), config, inputs, output)


def _document(i: int, item: str | dict | Document, options: ReaderOptions) -> Document:
    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(str(i), item, source="python")
    if isinstance(item, dict):
        try:
            return record_to_document(dict(item), options, str(i), "python")
        except RecordError as e:
            raise ValueError(f"document {i}: {e}") from None
    raise TypeError(f"document {i}: expected str, dict or Document, got {type(item).__name__}")


def _stage_config(config: Config | str | os.PathLike | None, workers: int | None) -> Config:
    """A Config, a config file's or the defaults, with ``workers`` when given; its ``[storage]``
    options become those this process opens URLs with."""
    if not isinstance(config, Config):
        config = load_config(config)
    if workers is not None:
        config = config.model_copy(update={"run": config.run.model_copy(update={"workers": workers})})
    storage.configure(config.storage.options)
    return config


def rejudge(clean_dir: str | os.PathLike, output: str | os.PathLike, config: Config | str | os.PathLike) -> dict:
    """Judge a finished clean output (made with ``clean.score_all = true``) again with the
    filters of ``config`` (a Config or a config file), from the values they stored, into
    ``output``; returns its stats. Only thresholds may differ (see ``Filter.thresholds``).

    >>> stats = rejudge("out/clean", "out/clean_strict", "strict.toml")
    >>> stats["rejudged"]["kept_to_rejected"]
    """
    return run_rejudge(_stage_config(config, None), clean_dir, output)


def dedup(input_dir: str | os.PathLike, output: str | os.PathLike, config: Config | str | os.PathLike | None = None,
          *, workers: int | None = None) -> StageResult:
    """Run the dedup stage over a folder of Arrow shards (a clean run's ``kept/``) into ``output``,
    with the ``[dedup]`` settings of ``config`` (a Config or a config file; defaults otherwise).
    Resumable like the command line: the same call after an interruption finishes the run.

    >>> result = dedup("out/clean/kept", "out/dedup", "configs/example.toml", workers=4)
    >>> result.stats["near_duplicates"]
    """
    return run_stage(DEDUP, _stage_config(config, workers), input_dir, output)


def probe(input_dir: str | os.PathLike, output: str | os.PathLike, config: Config | str | os.PathLike | None = None,
          *, model: str | os.PathLike | None = None, device: str | None = None,
          workers: int | None = None) -> StageResult:
    """Run the probe stage over a folder of Arrow shards (a dedup or clean run's ``kept/``) into
    ``output``: every document with its ``nll``, ``n_tokens`` and ``ppl`` under the TransNormerLLM
    in ``model`` (a Hugging Face folder; default ``probe.model``, else the shipped tiny model), on
    ``device`` (``auto``, ``cuda`` or ``cpu``). Resumable like the command line.

    >>> result = probe("out/dedup/kept", "out/probe", "configs/example.toml")
    >>> result.stats["languages"]["zh"]["ppl_quantiles"]
    """
    config = _stage_config(config, workers)
    update = {"model": os.fspath(Path(model).resolve())} if model is not None else {}
    if device is not None:
        update["device"] = device
    config = config.model_copy(update={"probe": config.probe.model_validate({**config.probe.model_dump(), **update})})
    return run_stage("probe", config, input_dir, output)


def tokenize(input_dir: str | os.PathLike, output: str | os.PathLike,
             config: Config | str | os.PathLike | None = None, *, model: str | os.PathLike | None = None,
             workers: int | None = None) -> StageResult:
    """Run the tokenize stage over a folder of Arrow shards (a clean or dedup run's ``kept/``) into
    ``output/tokens.bin`` + ``output/tokens.idx``, with the ``[tokenize]`` settings of ``config``:
    with ``model`` (a SentencePiece .model, a Hugging Face tokenizer.json or a folder holding one)
    or ``tokenize.model``, else a SentencePiece model trained on the input. Resumable like the
    command line.

    >>> result = tokenize("out/dedup/kept", "out/tokenize", model="tokenizer.model", workers=4)
    >>> result.stats["tokens"], result.stats["sources"]
    >>> TokenBins("out/tokenize/tokens").document(0)
    """
    config = _stage_config(config, workers)
    if model is not None:
        config = config.model_copy(update={"tokenize": config.tokenize.model_copy(
            update={"model": os.fspath(Path(model).resolve())})})
    return run_stage(TOKENIZE, config, input_dir, output)


def train_spm(input_dir: str | os.PathLike, model: str | os.PathLike,
              config: Config | str | os.PathLike | None = None, *, workers: int | None = None) -> dict:
    """Train a SentencePiece model on a sample of the shards in ``input_dir`` as
    ``[tokenize.train]`` of ``config`` says, and write it to ``model``; returns what was sampled."""
    return train_tokenizer(_stage_config(config, workers), input_dir, storage.local_path(model, "model"))


def export(input_dir: str | os.PathLike, output: str | os.PathLike, *, format: str = "jsonl",
           compression: str = "zstd", columns: Iterable[str] = DEFAULT_COLUMNS, workers: int = 1) -> StageResult:
    """Write the shards in ``input_dir`` (a stage's ``kept/``) as JSON lines or parquet files in
    ``output``, one per work unit; resumable like the command line.

    >>> export("out/dedup/kept", "out/jsonl")
    >>> datasets.load_dataset("json", data_files="out/jsonl/*.jsonl.zst", split="train")
    """
    return run_export(input_dir, output, ExportSettings(format, compression, tuple(columns)), workers=workers,
                      progress=False)


def report(output: str | os.PathLike, to: str | os.PathLike | None = None) -> str:
    """Write the HTML report of the finished output folder ``output`` (a run's or one stage's) to
    ``to`` (default ``output/report.html``); returns where it went.

    >>> report("out")    # out/report.html: funnel, rules, signals, duplicates, tokens, samples
    """
    from datacleaning.report import write_report
    return str(write_report(output, to))

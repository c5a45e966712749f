"""Tokenize-stage throughput, side by side with plain SentencePiece and with datatrove's
DocumentTokenizer on one corpus and one model, and with a Hugging Face tokenizer.json side by side
with plain ``Tokenizer.encode_batch``.

    python bench/build_corpus.py --dev-data ../shared/data/dev --size-mb 40 --mix mixed --files 8 --out bench/out/corpus_mixed40
    python bench/tokenize_throughput.py --corpus bench/out/corpus_mixed40 --repeat 3

The SentencePiece model: a BPE model with the stage's default training options (64,000 pieces,
byte fallback, split digits, identity normalization), trained by ``datacleaning tokenize
train-spm`` on a 10 MB sample of the corpus (``--sample-bytes``), once, cached in
bench/out/tokenize/. Input: the corpus' documents as Arrow shards in the clean stage's kept
schema (bench/_common.kept_shards; not timed). Configurations, each in a fresh Python process:

- ``ours``: the tokenize stage end to end (``run_stage("tokenize", ...)`` with the model given: planning,
  reading the shards, encoding, writing the per-unit bins, merging them into tokens.bin/.idx),
  with 1 and 2 workers.
- ``sp.encode``: ``SentencePieceProcessor.encode(batch)`` over the same texts, already in memory
  as a list of Python strings (read before the clock starts), 1,024 documents a call, one
  thread: the encoder alone, nothing read or written. Returns lists of Python ints, its default.
- ``sp.encode, numpy``: the same with ``return_type="numpy"`` (arrays, not Python ints), what the
  stage itself calls (with the UTF-8 bytes taken straight from Arrow).
- ``datatrove``: its JsonlReader over the corpus' jsonl parts into DocumentTokenizer (EOS after
  every document, no shuffle), in one process with ``TOKENIZERS_PARALLELISM=false`` so the Rust
  encoder uses one thread, writing its .ds token file and index. The tokenizer is the same model
  converted to a Hugging Face ``tokenizers`` BPE (``hf_tokenizer``): the vocabulary, every merge
  that makes a piece from two pieces (ranked by the piece's score, as transformers' LLaMA
  converter does), byte fallback, and SentencePiece's normalization (a "▁" prefix, spaces as
  "▁") with no pre-tokenizer. Its output is compared token for token with ours.
- ``ours, tokenizer.json``: the same stage with a Hugging Face ``tokenizers`` tokenizer.json given
  instead, 1 and 2 workers. The tokenizer.json: a byte-level BPE built as Qwen2's is (NFC, its
  pre-tokenizer regex, byte-level alphabet, ``<|endoftext|>`` as EOS) with 64,000 ids, trained
  with the ``tokenizers`` library on the same sample of the corpus as the SentencePiece model
  (``--sample-bytes``), once, cached in bench/out/tokenize/; or the file ``--tokenizer-json``
  names (Qwen2.5's or Llama-3's own, where they can be downloaded).
- ``hf.encode_batch``: that tokenizer's ``encode_batch(texts, add_special_tokens=False)`` over the
  same texts in memory, 1,024 a call, with special tokens encoded as text as the stage does, on one
  thread (``TOKENIZERS_PARALLELISM=false``, as the stage's workers run it): the encoder alone.
  Its ids, with an EOS after each document, are compared with the stage's tokens.bin.
- ``hf.encode_batch_fast``: the same with ``encode_batch_fast`` (no offsets), what the stage calls.
- ``hf.encode_batch_fast, all threads``: the same on the library's Rust thread pool over every
  core, what one process gets from the library's own parallelism (the stage gets it from its
  workers).

MB are decimal megabytes of UTF-8 document text (the same for every row); "per CPU second"
divides them by the CPU seconds of the process and its workers (every thread of "all threads"),
over the run, reading and writing included, not interpreter start-up or imports; MB/s is per
wall second. With ``--repeat N`` (default 3) the rounds are interleaved, medians are reported and
every ratio is paired per round (its median; the JSON holds the range).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from _common import (BENCH_OUT, MB, PART_GLOB, corpus_or_exit, cpu_seconds, kept_shards, measure_in_child,
                     package_version, paired, read_manifest, write_measurement)

OURS, PLAIN, PLAIN_NUMPY, DATATROVE = "ours", "sp.encode", "sp.encode, numpy", "datatrove"
OURS_HF, HF_BATCH, HF_BATCH_FAST = "ours, tokenizer.json", "hf.encode_batch", "hf.encode_batch_fast"
HF_BATCH_THREADS = "hf.encode_batch_fast, all threads"
HF_NAMES = (OURS_HF, HF_BATCH, HF_BATCH_FAST, HF_BATCH_THREADS)
PLAIN_BATCH = 1024
TARGET_VS_PLAIN = 0.85
MODEL_DIR = BENCH_OUT / "tokenize"
EOS_PIECE = "</s>"
HF_EOS = "<|endoftext|>"
HF_VOCAB = 64000
# Qwen2's pre-tokenizer (its tokenizer.json): contractions, letter runs with one leading non-letter,
# digits one by one, punctuation runs, newlines, whitespace.
QWEN2_PATTERN = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
                 r"""|\s*[\r\n]+|\s+(?!\S)|\s+""")


def hf_tokenizer(model_path: Path):
    """The SentencePiece BPE model as a Hugging Face ``tokenizers`` Tokenizer that encodes the same
    ids: its vocabulary, a merge for every split of a piece into two pieces (ranked by the merged
    piece's score), byte fallback, and the normalizer of a model trained with identity
    normalization (dummy prefix, spaces as "▁"). Control, unknown and byte pieces get no merges."""
    import sentencepiece as spm
    from tokenizers import Tokenizer, models, normalizers

    processor = spm.SentencePieceProcessor(model_file=str(model_path))
    size = processor.vocab_size()
    vocab = {processor.id_to_piece(i): i for i in range(size)}
    merges = []
    for i in range(size):
        if processor.is_control(i) or processor.is_unknown(i) or processor.is_byte(i) or processor.is_unused(i):
            continue
        piece = processor.id_to_piece(i)
        splits = [(piece[:k], piece[k:]) for k in range(1, len(piece)) if piece[:k] in vocab and piece[k:] in vocab]
        splits.sort(key=lambda pair: (vocab[pair[0]], vocab[pair[1]]))
        merges.extend((left, right, processor.get_score(i)) for left, right in splits)
    merges.sort(key=lambda merge: -merge[2])
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[(left, right) for left, right, _ in merges],
                                     unk_token=processor.id_to_piece(processor.unk_id()), byte_fallback=True,
                                     fuse_unk=True))
    tokenizer.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    return tokenizer


def train_tokenizer_json(shards: Path, sample_bytes: int, destination: Path) -> None:
    """A byte-level BPE tokenizer.json built as Qwen2's is, trained on the stage's own sample of
    the shards (the SentencePiece model's sample: same budget, same seed)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    from datacleaning.config import TokenizeTrainConfig
    from datacleaning.shards import iter_batches
    from datacleaning.tokenize.spm import ByteBudgetSample

    sample = ByteBudgetSample(sample_bytes, TokenizeTrainConfig().seed)
    for batch in iter_batches(shards, ["text"]):
        sample.add(batch.column("text"))
    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=HF_VOCAB, special_tokens=[HF_EOS], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(sample.texts().to_pylist(), trainer)
    tokenizer.save(str(destination))


# --- measurement, in a fresh child process ----------------------------------------------------------

def measure_ours(spec: dict) -> dict:
    from datacleaning.config import load_config
    from datacleaning.stages import run_stage

    config = load_config(None, [(["run", "workers"], spec["workers"]), (["run", "progress"], False),
                                (["tokenize", "model"], spec["model"])])
    out = Path(spec["scratch"])
    shutil.rmtree(out, ignore_errors=True)
    started, cpu_before = time.perf_counter(), cpu_seconds()
    result = run_stage("tokenize", config, spec["shards"], out)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    if not result.ok:
        raise SystemExit(f"tokenize run did not complete: {result.stats['failed_units']}")
    stats = result.stats
    measured = {"wall_seconds": wall, "cpu_seconds": cpu, "docs": stats["documents"], "text_bytes": stats["text_bytes"],
                "tokens": stats["tokens"], "step_seconds": stats["step_seconds"], "dtype": stats["dtype"]}
    if spec.get("keep"):
        shutil.copyfile(out / "tokens.bin", spec["keep"])
    shutil.rmtree(out)
    return measured


def measure_plain(spec: dict) -> dict:
    import sentencepiece as spm

    from datacleaning.shards import iter_batches

    texts = [t for batch in iter_batches(spec["shards"], ["text"]) for t in batch.column("text").to_pylist()]
    processor = spm.SentencePieceProcessor(model_file=spec["model"])
    numpy = spec["name"] == PLAIN_NUMPY
    tokens = 0
    started, cpu_before = time.perf_counter(), cpu_seconds()
    for start in range(0, len(texts), PLAIN_BATCH):
        if numpy:
            encoded = processor.encode(texts[start:start + PLAIN_BATCH], num_threads=1, return_type="numpy")
        else:
            encoded = processor.encode(texts[start:start + PLAIN_BATCH], num_threads=1)
        tokens += sum(map(len, encoded))
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    return {"wall_seconds": wall, "cpu_seconds": cpu, "docs": len(texts), "text_bytes": sum(len(t.encode()) for t in texts),
            # As in the bins: one EOS after every document.
            "tokens": tokens + len(texts)}


def measure_hf(spec: dict) -> dict:
    # Read by the library at every call: one thread, or its pool over every core.
    os.environ["TOKENIZERS_PARALLELISM"] = "true" if spec["name"] == HF_BATCH_THREADS else "false"
    from tokenizers import Tokenizer

    from datacleaning.shards import iter_batches
    from datacleaning.tokenize import open_tokenizer

    texts = [t for batch in iter_batches(spec["shards"], ["text"]) for t in batch.column("text").to_pylist()]
    tokenizer = Tokenizer.from_file(spec["model"])
    tokenizer.encode_special_tokens = True  # as the stage encodes
    encode_batch = tokenizer.encode_batch if spec["name"] == HF_BATCH else tokenizer.encode_batch_fast
    eos = open_tokenizer(spec["model"]).eos_id  # the stage's EOS
    tokens = 0
    started, cpu_before = time.perf_counter(), cpu_seconds()
    for start in range(0, len(texts), PLAIN_BATCH):
        encoded = encode_batch(texts[start:start + PLAIN_BATCH], add_special_tokens=False)
        tokens += sum(len(e.ids) for e in encoded)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    if spec.get("keep"):
        # Once more, off the clock: the ids as the bins hold them, an EOS after every document.
        with open(spec["keep"], "wb") as out:
            for start in range(0, len(texts), PLAIN_BATCH):
                encoded = encode_batch(texts[start:start + PLAIN_BATCH], add_special_tokens=False)
                out.write(np.concatenate([np.array([*e.ids, eos], np.int64) for e in encoded]).tobytes())
    return {"wall_seconds": wall, "cpu_seconds": cpu, "docs": len(texts), "text_bytes": sum(len(t.encode()) for t in texts),
            "tokens": tokens + len(texts)}


def measure_datatrove(spec: dict) -> dict:
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.tokens import DocumentTokenizer
    from datatrove.utils.logging import logger

    logger.disable("datatrove")
    out = Path(spec["scratch"])
    shutil.rmtree(out, ignore_errors=True)
    docs = text_bytes = 0

    def documents():
        nonlocal docs, text_bytes
        for doc in JsonlReader(spec["corpus"], glob_pattern=PART_GLOB, recursive=False)():
            docs += 1
            text_bytes += len(doc.text.encode())
            yield doc

    started, cpu_before = time.perf_counter(), cpu_seconds()
    DocumentTokenizer(output_folder=str(out), tokenizer_name_or_path=spec["hf_tokenizer"], eos_token=EOS_PIECE,
                      shuffle_documents=False, save_final_metadata=False).run(documents())
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    (tokens_file,) = [p for p in out.iterdir() if p.suffix == ".ds"]
    measured = {"wall_seconds": wall, "cpu_seconds": cpu, "docs": docs, "text_bytes": text_bytes,
                "tokens": tokens_file.stat().st_size // 2}
    if spec.get("keep"):
        shutil.copyfile(tokens_file, spec["keep"])
    shutil.rmtree(out)
    return measured


def measure(spec: dict) -> dict:
    if spec["name"] in (OURS, OURS_HF):
        return measure_ours(spec)
    if spec["name"] == DATATROVE:
        return measure_datatrove(spec)
    if spec["name"] in (HF_BATCH, HF_BATCH_FAST, HF_BATCH_THREADS):
        return measure_hf(spec)
    return measure_plain(spec)


# --- orchestration, in the parent process -----------------------------------------------------------

def bench_model(shards: Path, corpus: Path, sample_bytes: int) -> Path:
    """The stage's default training on a sample of the corpus, with the command line; cached."""
    model = MODEL_DIR / f"{corpus.name}-bpe64k-{sample_bytes}.model"
    if not model.exists():
        MODEL_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "datacleaning.cli", "tokenize", "train-spm", str(shards), "--output",
                        str(model), "--sample-bytes", str(sample_bytes), "--no-progress"], check=True)
    return model


def summarize(label: str, workers: int, runs: list[dict]) -> dict:
    wall = statistics.median(r["wall_seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    typical = min(runs, key=lambda r: abs(r["wall_seconds"] - wall))
    text_mb = typical["text_bytes"] / MB
    return {"label": label, "workers": workers, "docs": typical["docs"], "text_mb": text_mb,
            "tokens": typical["tokens"], "wall_seconds": wall, "cpu_seconds": cpu, "mb_per_s": text_mb / wall,
            "mb_per_cpu_s": text_mb / cpu, "typical": typical, "runs": runs}


def per_cpu_second(a: dict, b: dict) -> float:
    """Text MB per CPU second of ``a`` ÷ that of ``b``, paired per round (the median)."""
    return paired([r["cpu_seconds"] for r in b["runs"]], [r["cpu_seconds"] for r in a["runs"]])["median"]


def per_wall_second(a: dict, b: dict) -> float:
    """Text MB per wall second of ``a`` ÷ that of ``b``, paired per round (the median)."""
    return paired([r["wall_seconds"] for r in b["runs"]], [r["wall_seconds"] for r in a["runs"]])["median"]


def markdown(rows: list[dict], baseline: dict) -> str:
    lines = [f"| configuration | workers | wall s | CPU s | MB/s (wall) | MB per CPU s | ÷ {baseline['label']} per CPU s "
             f"| tokens |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['workers']} | {r['wall_seconds']:.2f} | {r['cpu_seconds']:.2f} | "
                     f"{r['mb_per_s']:.2f} | {r['mb_per_cpu_s']:.2f} | {per_cpu_second(r, baseline):.2f} | "
                     f"{r['tokens']:,} |")
    return "\n".join(lines)


def bench_tokenizer_json(shards: Path, corpus: Path, sample_bytes: int) -> Path:
    """The benchmark's tokenizer.json (see train_tokenizer_json); cached."""
    path = MODEL_DIR / f"{corpus.name}-qwen2-bytebpe64k-{sample_bytes}.json"
    if not path.exists():
        MODEL_DIR.mkdir(parents=True, exist_ok=True)
        train_tokenizer_json(shards, sample_bytes, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_OUT / "corpus_mixed40",
                        help="corpus folder made by build_corpus.py (default: bench/out/corpus_mixed40)")
    parser.add_argument("--sample-bytes", type=int, default=10_000_000,
                        help="text the benchmark's models are trained on (default: 10 MB)")
    parser.add_argument("--tokenizer-json", type=Path,
                        help="a tokenizer.json to measure (Qwen2.5's, Llama-3's) instead of the one trained here")
    parser.add_argument("--repeat", type=int, default=3,
                        help="interleaved rounds of every configuration; medians count, ratios paired (default 3)")
    parser.add_argument("--skip-datatrove", action="store_true", help="do not run the datatrove comparison")
    parser.add_argument("--json-out", type=Path, help="report file (default: bench/out/tokenize_<corpus>.json)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child mode: one measurement
    args = parser.parse_args(argv)
    if args.measure:
        write_measurement(args.measure, measure)
        return 0
    corpus, parts = corpus_or_exit(args.corpus, "tokenize_throughput")
    if not args.skip_datatrove and find_spec("datatrove") is None:
        sys.exit("tokenize_throughput: datatrove not installed; run `pip install -e '.[bench]'` or pass "
                 "--skip-datatrove")

    manifest = read_manifest(corpus)
    shards = kept_shards(corpus)
    model = bench_model(shards, corpus, args.sample_bytes)
    tokenizer_json = (args.tokenizer_json.resolve() if args.tokenizer_json
                      else bench_tokenizer_json(shards, corpus, args.sample_bytes))
    corpus_line = (f"Corpus {corpus.name}: {manifest.get('mix', '?')}, {manifest.get('docs', 0):,} docs; models "
                   f"{model.name} (SentencePiece BPE, byte fallback) and {tokenizer_json.name} (tokenizer.json); "
                   f"{os.cpu_count()} cores; {args.repeat} interleaved rounds.")
    print(corpus_line, flush=True)
    configurations = [(OURS, 1), (OURS, 2), (PLAIN, 1), (PLAIN_NUMPY, 1),
                      (OURS_HF, 1), (OURS_HF, 2), (HF_BATCH, 1), (HF_BATCH_FAST, 1),
                      (HF_BATCH_THREADS, os.cpu_count())]
    models = {name: tokenizer_json if name in HF_NAMES else model for name, _ in configurations}
    BENCH_OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=BENCH_OUT) as scratch:
        scratch = Path(scratch)
        common = {"shards": str(shards), "corpus": str(corpus)}
        if not args.skip_datatrove:
            datatrove_tokenizer = scratch / "tokenizer.json"
            hf_tokenizer(model).save(str(datatrove_tokenizer))
            common["hf_tokenizer"] = str(datatrove_tokenizer)
            configurations.append((DATATROVE, 1))
            models[DATATROVE] = model
        runs: dict[tuple[str, int], list[dict]] = {key: [] for key in configurations}
        kept = {OURS: scratch / "ours.bin", DATATROVE: scratch / "datatrove.ds", OURS_HF: scratch / "ours_hf.bin",
                HF_BATCH: scratch / "encode_batch.ids"}
        for round_ in range(args.repeat):
            for name, workers in configurations:
                spec = {**common, "name": name, "workers": workers, "model": str(models[name])}
                if round_ == 0 and workers == 1 and name in kept:
                    spec["keep"] = str(kept[name])
                measured = measure_in_child(__file__, spec, scratch)
                runs[(name, workers)].append(measured)
                print(f"  run {round_ + 1}/{args.repeat}  {name:<28} workers {workers}: "
                      f"{measured['wall_seconds']:7.2f} s wall {measured['cpu_seconds']:7.2f} CPU s "
                      f"{measured['text_bytes'] / MB / measured['cpu_seconds']:7.2f} MB per CPU s",
                      flush=True)
        same_tokens = (kept[DATATROVE].read_bytes() == kept[OURS].read_bytes()) if not args.skip_datatrove else None
        ours_hf_dtype = runs[(OURS_HF, 1)][0]["dtype"]
        same_hf_tokens = np.array_equal(np.fromfile(kept[OURS_HF], ours_hf_dtype),
                                        np.fromfile(kept[HF_BATCH], np.int64))

    rows = {(name, workers): summarize(name, workers, r) for (name, workers), r in runs.items()}
    ours1, ours2 = rows[(OURS, 1)], rows[(OURS, 2)]
    plain = rows[(PLAIN, 1)]
    ours_hf1, ours_hf2 = rows[(OURS_HF, 1)], rows[(OURS_HF, 2)]
    hf_batch, hf_fast = rows[(HF_BATCH, 1)], rows[(HF_BATCH_FAST, 1)]
    hf_threads = rows[(HF_BATCH_THREADS, os.cpu_count())]
    spm_rows = [row for (name, _), row in rows.items() if name in (OURS, PLAIN, PLAIN_NUMPY, DATATROVE)]
    hf_rows = [row for (name, _), row in rows.items() if name in HF_NAMES]
    lines = [corpus_line, "", "SentencePiece .model:", "", markdown(spm_rows, plain), ""]
    ratio = per_cpu_second(ours1, plain)
    lines.append(f"ours (1 worker, end to end) ÷ sp.encode per CPU second: {ratio:.2f} "
                 f"(target >= {TARGET_VS_PLAIN}: {'met' if ratio >= TARGET_VS_PLAIN else 'NOT met'}); "
                 f"2 workers ÷ 1 (wall): {per_wall_second(ours2, ours1):.2f}x")
    datatrove = rows.get((DATATROVE, 1))
    if datatrove:
        lines.append(f"ours ÷ datatrove per CPU second (1 worker each): "
                     f"{per_cpu_second(ours1, datatrove):.2f}x; datatrove's token file "
                     f"{'equals' if same_tokens else 'DIFFERS FROM'} our tokens.bin byte for byte")
    lines.append(f"Where our time goes (1 worker, {ours1['wall_seconds']:.2f} s wall, median run): "
                 + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in ours1["typical"]["step_seconds"].items()))
    lines += ["", "Hugging Face tokenizer.json:", "", markdown(hf_rows, hf_batch), ""]
    lines.append(f"ours, tokenizer.json (1 worker, end to end) ÷ hf.encode_batch (1 thread) per CPU second: "
                 f"{per_cpu_second(ours_hf1, hf_batch):.2f}, ÷ hf.encode_batch_fast "
                 f"(the stage's call): {per_cpu_second(ours_hf1, hf_fast):.2f}; "
                 f"2 workers ÷ 1 (wall): "
                 f"{per_wall_second(ours_hf2, ours_hf1):.2f}x; ours with 2 workers ÷ encode_batch on "
                 f"{os.cpu_count()} threads (wall): {per_wall_second(ours_hf2, hf_threads):.2f}x; our tokens.bin "
                 f"{'equals' if same_hf_tokens else 'DIFFERS FROM'} encode_batch's ids (an EOS after each document)")
    lines.append(f"Where our time goes (tokenizer.json, 1 worker, {ours_hf1['wall_seconds']:.2f} s wall, median run): "
                 + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in ours_hf1["typical"]["step_seconds"].items()))
    report = "\n".join(lines)
    print()
    print(report)

    json_out = args.json_out or BENCH_OUT / f"tokenize_{corpus.name}.json"
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps({
        "corpus": {"path": corpus.name, "manifest": manifest}, "model": model.name,
        "tokenizer_json": tokenizer_json.name,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "versions": {m: package_version(m) for m in ("datacleaning", "sentencepiece", "tokenizers", "datatrove", "numpy",
                                              "pyarrow")},
        "results": list(rows.values()), "datatrove_tokens_equal_ours": same_tokens,
        "encode_batch_tokens_equal_ours": same_hf_tokens, "markdown": report,
    }, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

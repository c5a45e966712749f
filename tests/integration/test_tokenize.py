"""The tokenize stage end to end on real shards with real worker processes: every document
decodes back to its normalized text, the dtype follows the vocabulary, EOS and BOS sit where
they should, the reader returns documents and training windows, a shuffle is a seeded
permutation, the counters add up, and the command line, the example run and the Python API work."""
from __future__ import annotations

import json
import shutil
import unicodedata

import numpy as np
import pyarrow as pa
import pytest
import sentencepiece as spm

import datacleaning as dc
from datacleaning.config import load_config
from datacleaning.errors import ConfigError
from datacleaning.stages import run_stage
from datacleaning.tokenize import TokenBins, format_tokenize_summary, merge_bins
from datacleaning.errors import TokenBinsError
from datacleaning.tokenize.indexed import DTYPE_CODES, HEADER, MAGIC, VERSION, token_dtype
from datacleaning.tokenize.spm import ByteBudgetSample, training_lines
from helpers import EXAMPLE_CONFIG, cli, kept_fixture_shards, read_rows, write_kept_shard
from tokenize_helpers import HARD_TEXT, normalized_text, tokenize_config


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("input")
    docs = kept_fixture_shards(folder)
    return folder, docs


@pytest.fixture(scope="module")
def tokenized(corpus, spm_model, tmp_path_factory):
    output = tmp_path_factory.mktemp("tokenize")
    result = run_stage("tokenize", tokenize_config(model=str(spm_model)), corpus[0], output)
    assert result.ok, result.stats
    return output


def test_every_document_decodes_back_to_its_text(corpus, tokenized):
    _, docs = corpus
    processor = spm.SentencePieceProcessor(model_file=str(tokenized / "tokenizer.model"))
    bins = TokenBins(tokenized / "tokens")
    assert len(bins) == len(docs)
    for i, doc in enumerate(docs):
        tokens = bins.document(i)
        assert tokens[-1] == processor.eos_id() and processor.eos_id() not in tokens[:-1]
        decoded = processor.decode(tokens[:-1].tolist())
        # The trained model normalizes nothing (identity rule, whitespace kept): the normalized
        # text is the text itself, so the round trip is exact.
        assert normalized_text(processor, doc["text"]) == doc["text"]
        assert decoded == doc["text"], doc["id"]


def test_whitespace_digits_and_characters_without_a_piece_round_trip(spm_model, tmp_path):
    write_kept_shard(tmp_path / "in", "hard", [{"id": "hard", "text": HARD_TEXT, "lang": "zh"},
                                                {"id": "empty", "text": "", "lang": "und"}])
    result = run_stage("tokenize", tokenize_config(model=str(spm_model)), tmp_path / "in", tmp_path / "out")
    processor = spm.SentencePieceProcessor(model_file=str(spm_model))
    bins = TokenBins(tmp_path / "out" / "tokens")
    assert processor.decode(bins.document(0).tolist()) == HARD_TEXT
    assert bins.document(1).tolist() == [processor.eos_id()]
    assert result.stats["unknown_tokens"] == 0
    pieces = processor.encode(HARD_TEXT, out_type=str)
    assert "<0xF0>" in pieces, "the emoji has no piece of its own: its UTF-8 bytes stand for it"
    assert [p for p in pieces if p in "0123456789"] == list("2024"), "digits are split"


def test_a_normalizing_model_decodes_to_the_normalized_text(corpus, tmp_path):
    """A model trained with NFKC: decoding gives the NFKC form of the text (fullwidth letters and
    digits folded), exactly what SentencePiece's normalizer makes of it."""
    folder, docs = corpus
    config = tokenize_config(train__normalization="nfkc", train__vocab_size=3000)
    result = run_stage("tokenize", config, folder, tmp_path / "out")
    assert result.ok, result.stats
    processor = spm.SentencePieceProcessor(model_file=str(tmp_path / "out" / "tokenizer.model"))
    bins = TokenBins(tmp_path / "out" / "tokens")
    changed = 0
    for i, doc in enumerate(docs):
        expected = normalized_text(processor, doc["text"])
        assert processor.decode(bins.document(i)[:-1].tolist()) == expected, doc["id"]
        assert expected == unicodedata.normalize("NFKC", doc["text"]), doc["id"]
        changed += expected != doc["text"]
    assert changed >= 5, "the fixture has fullwidth forms that NFKC folds"


def test_dtype_follows_the_largest_id(corpus, spm_model, tmp_path):
    assert token_dtype(65536) == np.uint16 and token_dtype(65537) == np.int32
    folder, docs = corpus
    small = run_stage("tokenize", tokenize_config(model=str(spm_model)), folder, tmp_path / "small")
    # An EOS id past uint16 (a special token of the training model's own) needs int32.
    large = run_stage("tokenize", tokenize_config(model=str(spm_model), eos_id=70000), folder, tmp_path / "large")
    assert (small.stats["dtype"], large.stats["dtype"]) == ("uint16", "int32")
    a, b = TokenBins(tmp_path / "small" / "tokens"), TokenBins(tmp_path / "large" / "tokens")
    assert b.dtype == np.int32 and b.document(0)[-1] == 70000
    assert np.array_equal(a.tokens[a.tokens != 2], b.tokens[b.tokens != 70000])
    forced = run_stage("tokenize", tokenize_config(model=str(spm_model), dtype="int32"), folder, tmp_path / "forced")
    assert forced.stats["dtype"] == "int32"
    assert np.array_equal(TokenBins(tmp_path / "forced" / "tokens").tokens, a.tokens)
    with pytest.raises(ConfigError, match="uint16 cannot hold id 70000"):
        run_stage("tokenize", tokenize_config(model=str(spm_model), eos_id=70000, dtype="uint16"), folder,
                  tmp_path / "refused")


def test_bos_and_eos_are_put_as_configured(corpus, spm_model, tmp_path):
    folder, docs = corpus
    processor = spm.SentencePieceProcessor(model_file=str(spm_model))
    expected = [processor.encode(doc["text"]) for doc in docs]
    for name, options, wrap in [("both", {"bos": True}, lambda ids: [1, *ids, 2]),
                                ("none", {"eos": False}, lambda ids: ids),
                                ("custom", {"bos": True, "bos_id": 7, "eos_id": 9}, lambda ids: [7, *ids, 9])]:
        result = run_stage("tokenize", tokenize_config(model=str(spm_model), **options), folder, tmp_path / name)
        bins = TokenBins(tmp_path / name / "tokens")
        assert [bins.document(i).tolist() for i in range(len(bins))] == [wrap(ids) for ids in expected], name
        assert result.stats["tokens"] == bins.num_tokens == sum(len(wrap(ids)) for ids in expected)


def test_reader_returns_documents_and_training_windows(tokenized):
    bins = TokenBins(tokenized / "tokens")
    stream = np.concatenate([bins.document(i) for i in range(len(bins))])
    assert np.array_equal(stream, bins.tokens) and bins.num_tokens == len(stream)
    assert np.array_equal(bins[-1], bins.document(len(bins) - 1))
    assert bins.num_windows(1000) == len(stream) // 1000
    assert np.array_equal(bins.window(3, 1000), stream[3000:4000])
    # Megatron's GPTDataset shape: seq_len + 1 tokens, seq_len apart, so labels are inputs shifted by one.
    windows = [bins.window(i, 2049, stride=2048) for i in range(bins.num_windows(2049, stride=2048))]
    assert all(len(w) == 2049 for w in windows) and (len(stream) - 1) // 2048 == len(windows)
    assert all(np.array_equal(a[-1:], b[:1]) for a, b in zip(windows, windows[1:]))
    with pytest.raises(IndexError):
        bins.window(bins.num_windows(1000), 1000)
    with pytest.raises(IndexError):
        bins.document(len(bins))
    assert not bins.tokens.flags.writeable


def test_shuffle_is_a_permutation_decided_by_the_seed(corpus, spm_model, tokenized, tmp_path):
    folder, docs = corpus
    in_order = TokenBins(tokenized / "tokens")
    runs = {}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        result = run_stage("tokenize", tokenize_config(model=str(spm_model), shuffle=True, seed=seed), folder,
                           tmp_path / name)
        assert result.stats["output"]["shuffle_seed"] == seed
        runs[name] = TokenBins(tmp_path / name / "tokens")
    assert (tmp_path / "a" / "tokens.bin").read_bytes() == (tmp_path / "b" / "tokens.bin").read_bytes()
    assert (tmp_path / "a" / "tokens.idx").read_bytes() == (tmp_path / "b" / "tokens.idx").read_bytes()
    original = [tuple(in_order.document(i).tolist()) for i in range(len(in_order))]
    for bins in (runs["a"], runs["c"]):
        shuffled = [tuple(bins.document(i).tolist()) for i in range(len(bins))]
        assert sorted(shuffled) == sorted(original) and shuffled != original
    assert [runs["a"].document(i).tolist() for i in range(10)] != [runs["c"].document(i).tolist() for i in range(10)]


def test_stats_count_tokens_per_source_per_language_and_in_total(corpus, spm_model, tokenized):
    _, docs = corpus
    stats = json.loads((tokenized / "stats.json").read_text())
    processor = spm.SentencePieceProcessor(model_file=str(spm_model))
    expected: dict[str, dict[str, int]] = {}
    by_language: dict[str, dict[str, int]] = {}
    for doc in docs:
        for table, key in ((expected, doc["source"]), (by_language, doc["lang"])):
            counts = table.setdefault(key, {"documents": 0, "tokens": 0, "text_bytes": 0, "characters": 0})
            counts["documents"] += 1
            counts["tokens"] += len(processor.encode(doc["text"])) + 1
            counts["text_bytes"] += len(doc["text"].encode())
            counts["characters"] += len(doc["text"])
    assert stats["sources"] == expected
    assert stats["languages"] == by_language and {"zh", "en"} <= set(by_language)
    assert stats["characters"] == sum(c["characters"] for c in expected.values()) < stats["text_bytes"]
    assert stats["status"] == "complete" and stats["dtype"] == "uint16" and stats["eos_id"] == 2
    assert stats["documents"] == len(docs) == sum(c["documents"] for c in expected.values())
    assert stats["tokens"] == TokenBins(tokenized / "tokens").num_tokens == sum(c["tokens"] for c in expected.values())
    assert stats["unknown_tokens"] == 0 and stats["model"]["vocab_size"] == processor.vocab_size()
    assert stats["model"]["source"] == str(spm_model)
    assert not (tokenized / "parts").exists()
    summary = format_tokenize_summary(stats)
    assert f"{stats['tokens']:,}" in summary and "EOS (id 2) after every document" in summary


def test_unmerged_parts_are_bins_that_merge_into_the_output(corpus, spm_model, tokenized, tmp_path):
    folder, _ = corpus
    result = run_stage("tokenize", tokenize_config(model=str(spm_model), merge=False), folder, tmp_path / "out")
    parts = sorted((tmp_path / "out" / "parts").glob("*.idx"))
    assert len(parts) == result.stats["units"] > 5 and not (tmp_path / "out" / "tokens.bin").exists()
    inspected = cli("tokenize", "inspect", str(tmp_path / "out"))
    assert inspected.returncode == 2 and "holds its bins unmerged" in inspected.stderr
    merged = merge_bins([p.with_suffix("") for p in parts], tmp_path / "merged")
    assert merged["documents"] == result.stats["documents"]
    assert (tmp_path / "merged.bin").read_bytes() == (tokenized / "tokens.bin").read_bytes()
    assert (tmp_path / "merged.idx").read_bytes() == (tokenized / "tokens.idx").read_bytes()


def test_training_samples_within_its_byte_budget(corpus, tmp_path):
    folder, docs = corpus
    texts = pa.array([d["text"] for d in docs] * 20)
    total = sum(len(t.encode()) for t in texts.to_pylist())
    sample = ByteBudgetSample(total // 10, seed=1)
    for start in range(0, len(texts), 64):
        sample.add(texts.slice(start, 64))
    drawn = sample.texts()
    drawn_bytes = sum(len(t.encode()) for t in drawn.to_pylist())
    assert total // 20 < drawn_bytes <= total // 10
    assert (sample.seen_docs, sample.seen_bytes) == (len(texts), total)
    again = ByteBudgetSample(total // 10, seed=1)
    again.add(texts)
    assert again.texts().equals(drawn), "one seed, one sample, however the input is batched"
    assert list(training_lines(["a\nb", "x" * 5000])) == ["a", "b", "x" * 4096, "x" * 904]

    model = tmp_path / "small.model"
    trained = dc.train_spm(folder, model, load_config(None, [(["tokenize", "train", "vocab_size"], 3000),
                                                              (["tokenize", "train", "sample_bytes"], 30000)]))
    assert trained["sample_bytes"] <= 30000 < trained["input_bytes"] and trained["sample_docs"] < len(docs)
    assert spm.SentencePieceProcessor(model_file=str(model)).vocab_size() == trained["vocab_size"] <= 3000


def test_command_line_encode_inspect_and_train(corpus, spm_model, tmp_path):
    folder, docs = corpus
    model = tmp_path / "cli.model"
    trained = cli("tokenize", "train-spm", str(folder), "--output", str(model), "--vocab-size", "3000",
                  "--model-type", "unigram", "--workers", "2")
    assert trained.returncode == 0, trained.stderr
    assert "unigram" in trained.stdout and model.exists()
    encoded = cli("tokenize", "encode", str(folder), "--output", str(tmp_path / "out"), "--model", str(model),
                  "--workers", "2", "--no-progress", "--bos", "--shuffle-seed", "3")
    assert encoded.returncode == 0, encoded.stderr
    assert "BOS (id 1) before and EOS (id 2) after every document" in encoded.stdout
    assert "shuffled with seed 3" in encoded.stdout
    bins = TokenBins(tmp_path / "out" / "tokens")
    shown = cli("tokenize", "inspect", str(tmp_path / "out"), "--doc", "4")
    assert shown.returncode == 0, shown.stderr
    processor = spm.SentencePieceProcessor(model_file=str(model))
    text = processor.decode(bins.document(4).tolist())
    assert text in {d["text"] for d in docs}
    assert f"{len(docs):,} documents" in shown.stdout and text in shown.stdout
    beyond = cli("tokenize", "inspect", str(tmp_path / "out"), "--doc", str(len(docs)))
    assert beyond.returncode == 2 and f"numbered 0 to {len(docs) - 1:,}" in beyond.stderr, beyond.stderr

    missing = cli("tokenize", "encode", str(folder), "--output", str(tmp_path / "x"), "--model", str(tmp_path / "no"))
    assert missing.returncode == 2 and "tokenize.model: no such file" in missing.stderr
    gone = cli("tokenize", "encode", str(tmp_path / "nothing"), "--output", str(tmp_path / "y"))
    assert gone.returncode == 2 and f"{tmp_path / 'nothing'} does not exist" in gone.stderr
    (tmp_path / "empty").mkdir()
    empty = cli("tokenize", "encode", str(tmp_path / "empty"), "--output", str(tmp_path / "y"))
    assert empty.returncode == 2 and "no .arrow shards" in empty.stderr
    not_bins = cli("tokenize", "inspect", str(model))
    assert not_bins.returncode == 2
    too_small = cli("tokenize", "train-spm", str(folder), "--output", str(tmp_path / "small.model"),
                    "--vocab-size", "300")
    assert too_small.returncode == 2 and "--vocab-size) is below the" in too_small.stderr


def test_command_line_merge_keeps_the_tokenizer_and_refuses_two(corpus, spm_model, tokenized, tmp_path):
    from datacleaning.model_probe.loader import SHIPPED_TINY
    _, docs = corpus
    # The docs' example, PREFIX in folders that do not exist yet; the model is copied beside it.
    shutil.copytree(tokenized, tmp_path / "copy")
    merged = cli("tokenize", "merge", str(tokenized), str(tmp_path / "copy" / "tokens"), "--output",
                 str(tmp_path / "out" / "all" / "tokens"))
    assert merged.returncode == 0, merged.stderr
    assert (tmp_path / "out" / "all" / "tokenizer.model").read_bytes() == spm_model.read_bytes()
    shown = cli("tokenize", "inspect", str(tmp_path / "out" / "all"), "--doc", str(len(docs)))
    assert shown.returncode == 0, shown.stderr
    assert f"{2 * len(docs):,} documents" in shown.stdout and docs[0]["text"][:20] in shown.stdout

    write_kept_shard(tmp_path / "few", "few", docs[:3])
    other = run_stage("tokenize", tokenize_config(model=str(SHIPPED_TINY / "tokenizer.model")), tmp_path / "few",
                      tmp_path / "other")
    assert other.ok, other.stats
    refused = cli("tokenize", "merge", str(tokenized), str(tmp_path / "other"), "--output", str(tmp_path / "mixed"))
    assert refused.returncode == 2 and "different tokenizers" in refused.stderr
    assert not (tmp_path / "mixed.bin").exists()
    # Bins decoded with a model of fewer pieces than their ids need: said, not a traceback.
    wrong = cli("tokenize", "inspect", str(tmp_path / "other"), "--model", str(spm_model), "--doc", "0")
    assert wrong.returncode == 2 and "encoded with another one" in wrong.stderr and "Traceback" not in wrong.stderr


def test_merge_refuses_bins_named_twice_an_encode_runs_own_bins_and_documents_marked_otherwise(
        corpus, spm_model, tokenized, tmp_path):
    """Each silently made bins that are not what they say: every document twice, an encode run's
    folder whose stats.json describes other bins, documents that end without the separator."""
    before = (tokenized / "tokens.bin").read_bytes()
    twice = cli("tokenize", "merge", str(tokenized), str(tokenized / "tokens.idx"), "--output", str(tmp_path / "m"))
    assert twice.returncode == 2 and "are the same bins" in twice.stderr, twice.stderr
    shutil.copytree(tokenized, tmp_path / "copy")
    over = cli("tokenize", "merge", str(tokenized), str(tmp_path / "copy"), "--output", str(tmp_path / "copy" / "tokens"))
    assert over.returncode == 2 and "are the bins of the run in" in over.stderr, over.stderr
    assert (tmp_path / "copy" / "tokens.bin").read_bytes() == before
    folder, _ = corpus
    with_bos = run_stage("tokenize", tokenize_config(model=str(spm_model), bos=True, eos=False), folder,
                         tmp_path / "bos")
    assert with_bos.ok, with_bos.stats
    mixed = cli("tokenize", "merge", str(tokenized), str(tmp_path / "bos"), "--output", str(tmp_path / "mixed"))
    assert mixed.returncode == 2 and "marks its documents with (BOS, EOS) ids" in mixed.stderr, mixed.stderr
    assert not (tmp_path / "mixed.bin").exists()
    parts = run_stage("tokenize", tokenize_config(model=str(spm_model), bos=True, eos=False, merge=False), folder,
                      tmp_path / "parts")  # named part by part, as the unmerged run's folder says to
    assert parts.ok, parts.stats
    named = [str(p) for p in sorted((tmp_path / "parts" / "parts").glob("*.idx"))]
    mixed = cli("tokenize", "merge", str(tokenized), *named, "--output", str(tmp_path / "mixed"))
    assert mixed.returncode == 2 and "marks its documents with (BOS, EOS) ids" in mixed.stderr, mixed.stderr


def test_a_resumed_output_folder_refuses_another_model(corpus, spm_model, tokenized, tmp_path):
    folder, _ = corpus
    other = tmp_path / "other.model"
    # The same model with a protobuf field it does not know (number 100, varint 1) appended: a
    # valid model in other bytes.
    other.write_bytes(spm_model.read_bytes() + b"\xa0\x06\x01")
    with pytest.raises(ConfigError, match="different configuration"):
        run_stage("tokenize", tokenize_config(model=str(other)), folder, tokenized)


@pytest.mark.slow
def test_the_example_run_scores_then_tokenizes_the_dedup_output(tmp_path):
    result = cli("run", "--config", str(EXAMPLE_CONFIG), "--output", str(tmp_path / "out"), "--workers", "2",
                 "--no-progress")
    assert result.returncode == 0, result.stderr
    dedup = json.loads((tmp_path / "out" / "dedup" / "stats.json").read_text())
    probe = json.loads((tmp_path / "out" / "probe" / "stats.json").read_text())
    tokenize = json.loads((tmp_path / "out" / "tokenize" / "stats.json").read_text())
    assert probe["input_docs"] == dedup["kept_docs"]
    assert tokenize["documents"] == probe["kept_docs"] == len(TokenBins(tmp_path / "out" / "tokenize" / "tokens"))
    assert tokenize["model"]["source"] == "trained" and tokenize["unknown_tokens"] == 0
    processor = spm.SentencePieceProcessor(model_file=str(tmp_path / "out" / "tokenize" / "tokenizer.model"))
    bins = TokenBins(tmp_path / "out" / "tokenize" / "tokens")
    kept = read_rows(tmp_path / "out" / "probe" / "kept")
    assert all(r["ppl"] > 1 and r["ppl_bucket"] in (0, 1, 2) for r in kept)
    assert [processor.decode(bins.document(i).tolist()) for i in range(len(bins))] == [r["text"] for r in kept]
    assert "probe: complete" in result.stdout and "tokenize: complete" in result.stdout


def test_run_reads_the_kept_shards_of_the_stage_before_tokenize():
    config = load_config(EXAMPLE_CONFIG)
    assert config.run.input_stage("tokenize") == "probe"
    skipping = load_config(EXAMPLE_CONFIG, [(["run", "stages"], ["clean", "tokenize"])])
    assert skipping.run.input_stage("tokenize") == "clean"
    alone = load_config(EXAMPLE_CONFIG, [(["run", "stages"], ["tokenize"])])
    assert alone.run.input_stage("tokenize") == "probe"
    with pytest.raises(ConfigError, match="pipeline order"):
        load_config(EXAMPLE_CONFIG, [(["run", "stages"], ["tokenize", "dedup"])])
    with pytest.raises(ConfigError, match="run.stages: List should have at least 1 item"):
        load_config(EXAMPLE_CONFIG, [(["run", "stages"], [])])  # a run of nothing is a mistake
    defaults = load_config(None).run.stages
    assert "tokenize" not in defaults and defaults[-1] == "probe"


def test_python_api(corpus, spm_model, tokenized, tmp_path):
    result = dc.tokenize(corpus[0], tmp_path / "out", model=spm_model, workers=1)
    assert result.ok and result.stats["documents"] == len(corpus[1])
    assert (tmp_path / "out" / "tokens.bin").read_bytes() == (tokenized / "tokens.bin").read_bytes()
    assert np.array_equal(dc.TokenBins(tmp_path / "out" / "tokens").document(0), TokenBins(tokenized / "tokens")[0])


def test_bins_and_an_index_that_do_not_belong_together_are_refused(corpus, tokenized, tmp_path):
    full = (tokenized / "tokens.bin").read_bytes()
    index = (tokenized / "tokens.idx").read_bytes()
    cut = tmp_path / "cut"
    cut.mkdir()
    (cut / "tokens.bin").write_bytes(full[:len(full) // 2])
    (cut / "tokens.idx").write_bytes(index)
    with pytest.raises(TokenBinsError, match="do not belong together, or one was cut short"):
        TokenBins(cut / "tokens")
    inspected = cli("tokenize", "inspect", str(cut))
    assert inspected.returncode == 2 and "cut short" in inspected.stderr and "Traceback" not in inspected.stderr
    merged = cli("tokenize", "merge", str(cut), str(tokenized), "--output", str(tmp_path / "merged" / "tokens"))
    assert merged.returncode == 2 and str(cut / "tokens.bin") in merged.stderr
    assert not (tmp_path / "merged" / "tokens.bin").exists()

    (cut / "tokens.bin").write_bytes(full + full[:2])  # one token more than the index holds
    with pytest.raises(TokenBinsError, match="do not belong together"):
        TokenBins(cut / "tokens")
    (cut / "tokens.bin").write_bytes(full)
    (cut / "tokens.idx").write_bytes(index[:-8])
    with pytest.raises(TokenBinsError, match="index was cut short"):
        TokenBins(cut / "tokens")


def test_merge_reads_documents_stored_out_of_index_order(tmp_path):
    # Documents [1, 2] and [3, 4, 5], the second stored first: a valid Megatron dataset whose .bin
    # cannot be copied as it is.
    (tmp_path / "part.bin").write_bytes(np.array([3, 4, 5, 1, 2], np.uint16).tobytes())
    sizes, pointers = np.array([2, 3], np.int32), np.array([6, 0], np.int64)
    with open(tmp_path / "part.idx", "wb") as f:
        f.write(HEADER.pack(MAGIC, VERSION, DTYPE_CODES[np.dtype(np.uint16)], 2, 3))
        f.write(sizes.tobytes() + pointers.tobytes() + np.arange(3, dtype=np.int64).tobytes())
    assert [TokenBins(tmp_path / "part").document(i).tolist() for i in (0, 1)] == [[1, 2], [3, 4, 5]]
    merge_bins([tmp_path / "part", tmp_path / "part"], tmp_path / "merged")
    merged = TokenBins(tmp_path / "merged")
    assert [merged.document(i).tolist() for i in range(4)] == [[1, 2], [3, 4, 5], [1, 2], [3, 4, 5]]


def test_merge_refuses_a_folder_holding_another_tokenizer(corpus, spm_model, tokenized, tmp_path):
    from datacleaning.model_probe.loader import SHIPPED_TINY
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "tokenizer.model").write_bytes((SHIPPED_TINY / "tokenizer.model").read_bytes())
    refused = cli("tokenize", "merge", str(tokenized), "--output", str(tmp_path / "out" / "tokens"))
    assert refused.returncode == 2 and "another tokenizer than the one these bins" in refused.stderr
    assert not (tmp_path / "out" / "tokens.bin").exists()


def test_a_trained_tokenizer_is_the_same_file_on_any_number_of_workers(corpus, tmp_path):
    folder, _ = corpus
    models = []
    for workers in (1, 2):
        config = load_config(None, [(["tokenize", "train", "vocab_size"], 3000), (["run", "workers"], workers),
                                    (["run", "progress"], False)])
        result = run_stage("tokenize", config, folder, tmp_path / f"w{workers}")
        assert result.ok, result.stats
        models.append((tmp_path / f"w{workers}" / "tokenizer.model").read_bytes())
        training = result.stats["model"]["training"]
        # The settings as configured beside the threads used and the sample drawn.
        assert training["vocab_size"] == 3000 and training["threads"] == workers
        assert training["sample_bytes"] == config.tokenize.train.sample_bytes > training["sample"]["sample_bytes"]
    assert models[0] == models[1]
    # Resumed on two workers, the run that trained on one: the threads it trained on stay recorded.
    manifest = json.loads((tmp_path / "w1" / "manifest.json").read_text())
    (tmp_path / "w1" / "manifest.json").write_text(json.dumps({**manifest, "complete": False}))
    resumed = run_stage("tokenize", config, folder, tmp_path / "w1")
    assert resumed.ok and resumed.stats["model"]["training"]["threads"] == 1

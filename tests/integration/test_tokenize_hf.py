"""The tokenize stage with a Hugging Face ``tokenizers`` tokenizer.json, end to end on real shards
with real worker processes: tiny byte-level BPE tokenizers trained here on the fixture documents
(named as Qwen's and Llama-3's name their special tokens) encode every document to the ids the
library gives and decode back to its text; EOS and BOS come from the special tokens or the config
(and a tokenizer naming none asks for the config); a vocabulary past uint16 writes int32 bins; a
folder holding tokenizer.json works, from the command line too; a file that is no tokenizer is
refused clearly; and another tokenizer file is another fingerprint."""
from __future__ import annotations

import json

import numpy as np
import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from datacleaning.config import load_config
from datacleaning.errors import ConfigError
from datacleaning.stages import run_stage
from datacleaning.tokenize import TokenBins, format_tokenize_summary, open_tokenizer
from helpers import cli, fixture_records, kept_fixture_shards, write_kept_shard


def _config(model, **tokenize):
    overrides = [(["run", "workers"], 2), (["run", "progress"], False), (["tokenize", "unit_bytes"], 4000),
                 (["tokenize", "model"], str(model))]
    overrides += [(["tokenize", key], value) for key, value in tokenize.items()]
    return load_config(None, overrides)


def train_bpe(path, special_tokens: list[str], vocab_size: int = 1000, filler_tokens: int = 0):
    """A byte-level BPE tokenizer.json, as Llama-3's and Qwen's are, trained on the fixture
    documents, with ``special_tokens`` first (ids 0, 1, ...) and, past the trained vocabulary,
    ``filler_tokens`` added tokens (as Llama-3 reserves hundreds)."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=special_tokens, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator([r["text"] for r in fixture_records()], trainer)
    tokenizer.add_tokens([f"<|reserved_{i}|>" for i in range(filler_tokens)])
    path.parent.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(path))
    return Tokenizer.from_file(str(path))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("input")
    return folder, kept_fixture_shards(folder)


@pytest.fixture(scope="module")
def qwen_like(tmp_path_factory):
    """A tokenizer.json whose one special token is Qwen's and GPT-2's <|endoftext|>."""
    path = tmp_path_factory.mktemp("qwen_like") / "tokenizer.json"
    train_bpe(path, ["<|endoftext|>"])
    return path


@pytest.fixture(scope="module")
def tokenized(corpus, qwen_like, tmp_path_factory):
    output = tmp_path_factory.mktemp("tokenize")
    result = run_stage("tokenize", _config(qwen_like), corpus[0], output)
    assert result.ok, result.stats
    return output


def test_every_document_encodes_as_the_library_does_and_decodes_back(corpus, qwen_like, tokenized):
    _, docs = corpus
    library = Tokenizer.from_file(str(qwen_like))
    eos = library.token_to_id("<|endoftext|>")
    bins = TokenBins(tokenized / "tokens")
    assert len(bins) == len(docs) and bins.dtype == np.uint16
    for i, doc in enumerate(docs):
        tokens = bins.document(i).tolist()
        assert tokens[-1] == eos and eos not in tokens[:-1]
        assert tokens[:-1] == library.encode(doc["text"], add_special_tokens=False).ids, doc["id"]
        # Byte-level BPE normalizes nothing: decoding gives the text back exactly.
        assert library.decode(tokens[:-1]) == doc["text"], doc["id"]
    assert (tokenized / "tokenizer.json").read_bytes() == qwen_like.read_bytes()
    assert not (tokenized / "tokenizer.model").exists()


def test_stats_describe_the_tokenizer_json_and_count_characters(corpus, qwen_like, tokenized):
    _, docs = corpus
    stats = json.loads((tokenized / "stats.json").read_text())
    model = stats["model"]
    assert model["file"] == "tokenizer.json" and model["source"] == str(qwen_like)
    assert (model["type"], model["vocab_size"], model["unk_id"], model["bos_id"], model["eos_id"]) == \
        ("BPE", 1000, None, None, 0)
    assert stats["eos_id"] == 0 and stats["bos_id"] is None and stats["unknown_tokens"] == 0
    assert stats["characters"] == sum(len(d["text"]) for d in docs)
    assert stats["text_bytes"] == sum(len(d["text"].encode()) for d in docs)
    for source, counts in stats["sources"].items():
        mine = [d for d in docs if d["source"] == source]
        assert (counts["documents"], counts["characters"]) == (len(mine), sum(len(d["text"]) for d in mine))
    summary = format_tokenize_summary(stats)
    assert "tokenizer.json: from" in summary and "(BPE), vocabulary 1,000" in summary
    assert "EOS (id 0) after every document" in summary


def test_a_special_tokens_text_inside_a_document_is_text(qwen_like, tmp_path):
    """A page quoting "<|endoftext|>" keeps it as the text it is: the only EOS in the bins is the
    one the stage puts after each document."""
    text = "GPT-2 separates documents with <|endoftext|> between them. 文档之间用<|endoftext|>分隔。"
    write_kept_shard(tmp_path / "in", "quote", [{"id": "quote", "text": text, "lang": "en"}])
    assert run_stage("tokenize", _config(qwen_like), tmp_path / "in", tmp_path / "out").ok
    tokens = TokenBins(tmp_path / "out" / "tokens").document(0).tolist()
    assert tokens.count(0) == 1 and tokens[-1] == 0
    assert Tokenizer.from_file(str(qwen_like)).decode(tokens[:-1]) == text


def test_a_folder_holding_tokenizer_json_with_bos_and_eos_from_the_command_line(corpus, tmp_path):
    """Llama-3 names its BOS and EOS <|begin_of_text|> and <|end_of_text|>; the folder is what a
    Hugging Face repository looks like."""
    folder, docs = corpus
    repository = tmp_path / "llama_like"
    library = train_bpe(repository / "tokenizer.json", ["<|begin_of_text|>", "<|end_of_text|>"])
    (repository / "config.json").write_text('{"model_type": "llama"}')
    encoded = cli("tokenize", "encode", str(folder), "--output", str(tmp_path / "out"), "--model", str(repository),
                  "--bos", "--workers", "2", "--no-progress")
    assert encoded.returncode == 0, encoded.stderr
    assert "BOS (id 0) before and EOS (id 1) after every document" in encoded.stdout
    bins = TokenBins(tmp_path / "out" / "tokens")
    for i, doc in enumerate(docs):
        assert bins.document(i).tolist() == [0, *library.encode(doc["text"], add_special_tokens=False).ids, 1]
    shown = cli("tokenize", "inspect", str(tmp_path / "out"), "--doc", "3")
    assert shown.returncode == 0, shown.stderr
    assert f"<|begin_of_text|>{docs[3]['text']}<|end_of_text|>" in shown.stdout


def test_a_tokenizer_naming_no_eos_needs_eos_id(corpus, tmp_path):
    folder, docs = corpus
    model = tmp_path / "bert_like" / "tokenizer.json"
    library = train_bpe(model, ["[CLS]", "[SEP]"])
    with pytest.raises(ConfigError, match=r"tokenize\.eos: .* has no EOS token .*<\|endoftext\|>.*set "
                                          r"tokenize\.eos_id"):
        run_stage("tokenize", _config(model), folder, tmp_path / "refused")
    with pytest.raises(ConfigError, match=r"tokenize\.bos: .* has no BOS token"):
        run_stage("tokenize", _config(model, bos=True, eos_id=1), folder, tmp_path / "refused")
    assert not (tmp_path / "refused").exists(), "refused before anything is written"
    result = run_stage("tokenize", _config(model, eos_id=1), folder, tmp_path / "out")
    assert result.ok and result.stats["eos_id"] == 1
    bins = TokenBins(tmp_path / "out" / "tokens")
    assert bins.document(5).tolist() == library.encode(docs[5]["text"], add_special_tokens=False).ids + [1]


def test_a_vocabulary_past_uint16_writes_int32_bins(corpus, tmp_path):
    """Qwen's and Llama-3's ids go past 65,535; here 66,000 added tokens put the EOS at 67,000."""
    folder, docs = corpus
    model = tmp_path / "large" / "tokenizer.json"
    library = train_bpe(model, [], filler_tokens=66000)
    library.add_special_tokens(["<|end_of_text|>"])
    library.save(str(model))
    eos = library.token_to_id("<|end_of_text|>")
    assert eos == 67000 == open_tokenizer(model).vocab_size - 1
    result = run_stage("tokenize", _config(model), folder, tmp_path / "out")
    assert result.ok and result.stats["dtype"] == "int32" and result.stats["eos_id"] == eos
    bins = TokenBins(tmp_path / "out" / "tokens")
    assert bins.dtype == np.int32
    assert [library.decode(bins.document(i)[:-1].tolist()) for i in range(len(bins))] == [d["text"] for d in docs]
    assert all(bins.document(i)[-1] == eos for i in range(len(bins)))
    with pytest.raises(ConfigError, match="uint16 cannot hold id 67000"):
        run_stage("tokenize", _config(model, dtype="uint16"), folder, tmp_path / "refused")


def test_a_file_that_is_no_tokenizer_is_refused_clearly(corpus, qwen_like, tmp_path):
    folder, _ = corpus
    text = tmp_path / "notes.txt"
    text.write_text("not a tokenizer\n")
    config_json = tmp_path / "config.json"
    config_json.write_text('{"model_type": "qwen2"}')
    empty = tmp_path / "empty"
    empty.mkdir()
    for path, message in [(text, "neither a Hugging Face tokenizer.json nor a SentencePiece .model"),
                          (config_json, "config.json is not a Hugging Face tokenizer.json"),
                          (empty, "holds no tokenizer.json or tokenizer.model"),
                          (tmp_path / "missing.json", "no such file")]:
        with pytest.raises(ConfigError, match=f"tokenize.model: .*{message}"):
            run_stage("tokenize", _config(path), folder, tmp_path / "out")
    refused = cli("tokenize", "encode", str(folder), "--output", str(tmp_path / "out"), "--model", str(text))
    assert refused.returncode == 2 and "neither a Hugging Face tokenizer.json" in refused.stderr
    assert not (tmp_path / "out").exists()


def test_another_tokenizer_file_is_another_fingerprint(corpus, qwen_like, tokenized, tmp_path):
    folder, _ = corpus
    again = run_stage("tokenize", _config(qwen_like), folder, tokenized)
    assert again.ok and again.outcome.skipped_units == again.outcome.total_units, "the finished run is kept"
    # The same folder form of the same file is the same run.
    assert run_stage("tokenize", _config(qwen_like.parent), folder, tokenized).outcome.skipped_units > 0
    other = tmp_path / "tokenizer.json"
    train_bpe(other, ["<|endoftext|>"], vocab_size=900)
    with pytest.raises(ConfigError, match="different configuration"):
        run_stage("tokenize", _config(other), folder, tokenized)
    assert run_stage("tokenize", _config(other), folder, tmp_path / "other").ok
    fingerprints = [json.loads((out / "manifest.json").read_text())["fingerprint"] for out in (tokenized,
                                                                                              tmp_path / "other")]
    assert fingerprints[0] != fingerprints[1]

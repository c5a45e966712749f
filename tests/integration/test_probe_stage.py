"""The probe stage over real shards with the shipped tiny model, run through the command line in
worker processes: every document comes out once with its scores, the scores equal a one-pass
computation written here from the model's logits (the main-script score over the pieces this file
picks by their characters), buckets and thresholds follow stats.json, and a killed run resumes to
the same output."""
from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest
import torch

import datacleaning
from datacleaning.model_probe import SHIPPED_TINY, load_model, load_tokenizer, pick_dtype
from datacleaning.script_chars import simplified_form
from helpers import cli, done_records, fixture_records, kill_group_when, read_rows, write_kept_shard

# Short documents keep the CPU scoring of every run here to a few seconds.
CHARS = 300
OPTIONS = ["--workers", "2", "--no-progress", "--set", "probe.unit_bytes=4000"]


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kept")
    docs = [{"id": r["id"], "text": r["text"][:CHARS], "lang": r["lang"], "source": r["source"]}
            for r in fixture_records()]
    half = len(docs) // 2
    write_kept_shard(folder, "a", docs[:half], batch_rows=8)
    write_kept_shard(folder, "b", docs[half:], batch_rows=8)
    return folder


def _score_args(kept, output, *extra):
    return ["probe", "score", str(kept), "--output", str(output), "--device", "cpu", *OPTIONS, *extra]


@pytest.fixture(scope="module")
def scored(kept, tmp_path_factory):
    """A run with buckets at the median and a threshold for English only."""
    output = tmp_path_factory.mktemp("scored")
    result = cli(*_score_args(kept, output, "--set", "probe.buckets=[0.5]", "--set", "probe.max_ppl={en=300}"))
    assert result.returncode == 0, result.stderr
    assert "probe: complete" in result.stdout
    return output


def _one_pass_token_nll(model, ids: list[int]) -> np.ndarray:
    """−log p(token | BOS and the tokens before it) of each token, from one forward pass over the
    whole document, in float64."""
    with torch.inference_mode():
        logits, _ = model(torch.tensor([[model.config.bos_token_id, *ids[:-1]]]))
    log_probs = torch.log_softmax(logits[0].double(), dim=-1)
    return -log_probs[torch.arange(len(ids)), torch.tensor(ids)].numpy()


def _one_pass_nll(model, ids: list[int]) -> float:
    return float(_one_pass_token_nll(model, ids).sum())


# The characters of each language's own script, for the main-script score.
OWN_SCRIPT = {"zh": re.compile(r"[\u4e00-\u9fff]"), "en": re.compile(r"[A-Za-z]")}


def _one_pass_main_nll_per_char(model, tokenizer, text: str, lang: str) -> float:
    """The NLL of the pieces holding a character of the language's script, per character of those
    pieces (the word-start mark a space)."""
    ids = tokenizer.encode(text)
    pieces = [tokenizer.id_to_piece(i).replace("\u2581", " ") for i in ids]
    own = np.array([bool(OWN_SCRIPT[lang].search(p)) for p in pieces])
    return float(_one_pass_token_nll(model, ids)[own].sum()) / sum(len(p) for p, o in zip(pieces, own) if o)


def test_every_document_comes_out_once_with_its_columns_and_scores(kept, scored):
    inputs = {row["id"]: row for row in read_rows(kept)}
    kept_rows, rejected_rows = read_rows(scored / "kept"), read_rows(scored / "rejected")
    out = {row["id"]: row for row in kept_rows + rejected_rows}
    assert len(out) == len(kept_rows) + len(rejected_rows) == len(inputs)
    tokenizer = load_tokenizer(SHIPPED_TINY)
    per_unread = math.log(tokenizer.get_piece_size())
    for doc_id, row in out.items():
        for column, value in inputs[doc_id].items():
            assert row[column] == value, (doc_id, column)
        assert row["n_tokens"] > 0
        assert row["ppl"] == pytest.approx(math.exp(row["nll"] / row["n_tokens"]), rel=1e-12)
        # A character the tokenizer has no piece of its own for counts log(vocabulary size); the
        # model reads Traditional characters as Simplified (probe.fold_script).
        unread = sum(1 for char in tokenizer.normalize(simplified_form(row["text"]))
                     if char != "\u2581" and tokenizer.piece_to_id(char) == tokenizer.unk_id())
        assert row["nll_per_char"] == pytest.approx((row["nll"] + unread * per_unread) / len(row["text"]), rel=1e-12)

    # The dtype the stage's "auto" picks on this CPU: bf16 where the CPU computes it.
    model = load_model(SHIPPED_TINY, dtype=pick_dtype(torch.device("cpu")))
    for doc_id in sorted(out)[::9]:
        row = out[doc_id]
        ids = tokenizer.encode(row["text"])
        assert row["n_tokens"] == len(ids)
        assert row["nll"] == pytest.approx(_one_pass_nll(model, ids), rel=1e-4)
        assert row["main_nll_per_char"] == pytest.approx(
            _one_pass_main_nll_per_char(model, tokenizer, row["text"], row["lang"]), rel=1e-4)
    # "$3,000,000." is English without a letter: no main-script score, and not in the quantiles.
    assert out["fortunes-miscellaneous-00001"]["main_nll_per_char"] is None

    stats = json.loads((scored / "stats.json").read_text())
    assert stats["input_docs"] == stats["kept_docs"] + stats["rejected_docs"] == len(inputs)
    assert stats["tokens"] == sum(row["n_tokens"] for row in out.values())
    assert stats["device"] == "cpu"
    # The precision used, not the setting ("auto").
    assert stats["dtype"] == str(pick_dtype(torch.device("cpu"))).removeprefix("torch.")
    for lang, report in stats["languages"].items():
        for score in ("nll_per_char", "main_nll_per_char"):
            values = [row[score] for row in out.values() if row["lang"] == lang and row[score] is not None]
            assert report[f"{score}_quantiles"]["0.5"] == pytest.approx(float(np.median(values)), rel=1e-3)


def test_buckets_and_thresholds_follow_the_cut_points_in_stats(scored):
    stats = json.loads((scored / "stats.json").read_text())
    rows = read_rows(scored / "kept") + read_rows(scored / "rejected")
    for lang in ("zh", "en"):
        ppl = np.array([r["ppl"] for r in rows if r["lang"] == lang])
        cut = stats["buckets"]["cuts"][lang][0]
        assert cut == pytest.approx(float(np.median(ppl)), rel=1e-5)
        for row in (r for r in rows if r["lang"] == lang):
            assert row["ppl_bucket"] == int(row["ppl"] > cut)
        assert 0.4 < float(np.mean(ppl > cut)) < 0.6

    for row in read_rows(scored / "rejected"):
        assert row["lang"] == "en" and row["ppl"] > 300
        assert row["rejected_by"] == "probe.max_ppl"
        assert float(row["reject_value"]) == pytest.approx(row["ppl"], rel=1e-5)
    english = [r for r in read_rows(scored / "kept") if r["lang"] == "en"]
    assert all(r["ppl"] <= 300 for r in english)
    assert stats["rejected_docs"] == len(read_rows(scored / "rejected")) > 0, "300 should reject some English"
    for lang in ("zh", "en"):
        counted = {}
        for outcome in ("kept", "rejected"):  # both, a zero where nothing was (Chinese: no limit)
            texts = [r["text"] for r in read_rows(scored / outcome) if r["lang"] == lang]
            counted.update({f"{outcome}_docs": len(texts), f"{outcome}_chars": sum(map(len, texts))})
        assert stats["by_language"][lang] == counted, lang


def test_a_document_on_a_cut_point_is_below_it_as_the_stored_scores_say(tmp_path):
    """Three documents of one language: the median cut is the middle one's perplexity exactly, and
    that document is in bucket 0, as `ppl > cut` on the stored columns says (the cuts were taken
    over float32 copies, so the middle one fell on either side by rounding)."""
    docs = [{"id": r["id"], "text": r["text"][:CHARS], "lang": "en", "source": r["source"]}
            for r in fixture_records() if r["lang"] == "en"][:3]
    write_kept_shard(tmp_path / "kept", "a", docs)
    result = cli(*_score_args(tmp_path / "kept", tmp_path / "out", "--set", "probe.buckets=[0.5]"))
    assert result.returncode == 0, result.stderr
    [cut] = json.loads((tmp_path / "out" / "stats.json").read_text())["buckets"]["cuts"]["en"]
    rows = read_rows(tmp_path / "out" / "kept")
    assert sorted(r["ppl"] for r in rows)[1] == cut
    assert [r["ppl_bucket"] for r in rows] == [int(r["ppl"] > cut) for r in rows]


def test_a_limit_on_nll_per_character_rejects_above_it_per_language(kept, scored, tmp_path):
    # The Chinese median of the first run: about half the Chinese documents go, no English one.
    chinese = [r for r in read_rows(scored / "kept") + read_rows(scored / "rejected") if r["lang"] == "zh"]
    limit = float(np.median([r["nll_per_char"] for r in chinese]))
    output = tmp_path / "out"
    result = cli(*_score_args(kept, output, "--set", f"probe.max_nll_per_char={{zh={limit!r}}}"))
    assert result.returncode == 0, result.stderr
    rejected, kept_rows = read_rows(output / "rejected"), read_rows(output / "kept")
    assert rejected and all(r["lang"] == "zh" and r["nll_per_char"] > limit for r in rejected)
    assert all(r["rejected_by"] == "probe.max_nll_per_char" for r in rejected)
    assert all(float(r["reject_value"]) == pytest.approx(r["nll_per_char"], rel=1e-5) for r in rejected)
    assert all(r["nll_per_char"] <= limit for r in kept_rows if r["lang"] == "zh")
    assert 0.4 < len(rejected) / len(chinese) < 0.6


def test_buckets_can_cut_nll_per_character_instead_of_perplexity(kept, tmp_path):
    output = tmp_path / "out"
    result = cli(*_score_args(kept, output, "--set", "probe.buckets=[0.3, 0.6]", "--set", "probe.bucket_by=nll_per_char"))
    assert result.returncode == 0, result.stderr
    stats = json.loads((output / "stats.json").read_text())
    assert stats["buckets"]["by"] == "nll_per_char"
    rows = read_rows(output / "kept")
    assert "ppl_bucket" not in rows[0]
    for lang in ("zh", "en"):
        per_char = np.array([r["nll_per_char"] for r in rows if r["lang"] == lang])
        cuts = stats["buckets"]["cuts"][lang]
        assert cuts == pytest.approx(np.quantile(per_char, [0.3, 0.6]).tolist(), rel=1e-5)
        for row in (r for r in rows if r["lang"] == lang):
            assert row["nll_per_char_bucket"] == int(row["nll_per_char"] > cuts[0]) + int(row["nll_per_char"] > cuts[1])


def test_a_limit_and_buckets_on_the_main_script_score(kept, scored, tmp_path):
    chinese = [r for r in read_rows(scored / "kept") + read_rows(scored / "rejected") if r["lang"] == "zh"]
    limit = float(np.median([r["main_nll_per_char"] for r in chinese]))
    output = tmp_path / "out"
    result = cli(*_score_args(kept, output, "--set", f"probe.max_main_nll_per_char={{zh={limit!r}}}",
                              "--set", "probe.buckets=[0.5]", "--set", "probe.bucket_by=main_nll_per_char"))
    assert result.returncode == 0, result.stderr
    rejected, kept_rows = read_rows(output / "rejected"), read_rows(output / "kept")
    assert rejected and all(r["lang"] == "zh" and r["main_nll_per_char"] > limit for r in rejected)
    assert all(r["rejected_by"] == "probe.max_main_nll_per_char" for r in rejected)
    assert all(float(r["reject_value"]) == pytest.approx(r["main_nll_per_char"], rel=1e-5) for r in rejected)
    assert 0.4 < len(rejected) / len(chinese) < 0.6
    stats = json.loads((output / "stats.json").read_text())
    for lang in ("zh", "en"):
        rows = [r for r in kept_rows + rejected if r["lang"] == lang and r["main_nll_per_char"] is not None]
        cut = stats["buckets"]["cuts"][lang][0]
        assert cut == pytest.approx(float(np.median([r["main_nll_per_char"] for r in rows])), rel=1e-5)
        assert all(r["main_nll_per_char_bucket"] == int(r["main_nll_per_char"] > cut) for r in rows)
    assert all(r["main_nll_per_char_bucket"] is None for r in kept_rows if r["main_nll_per_char"] is None)


def test_traditional_text_scores_as_the_same_text_in_simplified(tmp_path):
    """The shipped model learned Simplified text: a page converted to Traditional (OpenCC s2t, as
    Taiwanese mirrors are) is read folded back, one character for one, and scores as the page;
    with ``probe.fold_script`` off it scores as unlikely for its script."""
    import opencc

    convert = opencc.OpenCC("s2t").convert
    chinese = [r for r in fixture_records() if r["lang"] == "zh"][:6]
    docs = [{"id": f'{r["id"]}{suffix}', "text": text[:CHARS], "lang": "zh", "source": r["source"]}
            for r in chinese for suffix, text in (("", r["text"]), ("-hant", convert(r["text"])))]
    assert all(a["text"] != b["text"] for a, b in zip(docs[::2], docs[1::2]))
    write_kept_shard(tmp_path / "kept", "a", docs)
    per_char = {}
    for fold in ("true", "false"):
        result = cli(*_score_args(tmp_path / "kept", tmp_path / fold, "--set", f"probe.fold_script={fold}"))
        assert result.returncode == 0, result.stderr
        per_char[fold] = {r["id"]: r["nll_per_char"] for r in read_rows(tmp_path / fold / "kept")}
    unfolded_cost = []
    for doc in docs[::2]:
        written, converted = doc["id"], doc["id"] + "-hant"
        assert per_char["true"][converted] == pytest.approx(per_char["true"][written], abs=0.05)
        assert per_char["false"][written] == per_char["true"][written]
        unfolded_cost.append(per_char["false"][converted] - per_char["false"][written])
    assert min(unfolded_cost) > 0.2 and np.mean(unfolded_cost) > 0.5, unfolded_cost


def test_a_model_whose_training_record_is_not_json_is_a_config_error(kept, tmp_path):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(SHIPPED_TINY, model)
    (model / "training.json").write_text('{"fold_script": tru', encoding="utf-8")
    result = cli(*_score_args(kept, tmp_path / "out", "--model", str(model)))
    assert result.returncode == 2 and "training.json is not readable JSON" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    missing = cli(*_score_args(kept, tmp_path / "out", "--model", str(tmp_path / "nosuch")))
    assert missing.returncode == 2 and f"{tmp_path / 'nosuch'} does not exist" in missing.stderr, missing.stderr


def test_documents_without_tokens_are_kept_with_a_null_perplexity(tmp_path):
    write_kept_shard(tmp_path / "kept", "a", [{"id": "empty", "text": "", "lang": "en"},
                                              {"id": "word", "text": "Debian", "lang": "en"},
                                              {"id": "french", "text": "Le conseil a voté mardi.", "lang": "fr"}])
    output = tmp_path / "out"
    result = cli(*_score_args(tmp_path / "kept", output, "--set", "probe.max_ppl={'*'=2}",
                              "--set", "probe.buckets=[0.5]"))
    assert result.returncode == 0, result.stderr
    kept_rows = {r["id"]: r for r in read_rows(output / "kept")}
    assert kept_rows["empty"]["n_tokens"] == 0 and kept_rows["empty"]["ppl"] is None
    assert kept_rows["empty"]["nll_per_char"] is None
    assert kept_rows["empty"]["ppl_bucket"] is None
    # A language without a script of its own in main_script.SCRIPTS has no main-script score.
    assert kept_rows["empty"]["main_nll_per_char"] is None
    rejected = {r["id"]: r for r in read_rows(output / "rejected")}
    assert sorted(rejected) == ["french", "word"]
    assert rejected["french"]["main_nll_per_char"] is None and rejected["french"]["nll_per_char"] > 0


def test_characters_the_tokenizer_cannot_read_do_not_make_text_score_clean(tmp_path):
    """A run of emoji is one <unk> piece of small NLL: 500 of them after three characters scored
    0.05 nats per character, the cleanest text of a run. Each now counts log(vocabulary size)."""
    review = "这家店的菜很好吃，服务也不错，下次还会再来。环境干净，价格也合理，推荐给大家。"
    write_kept_shard(tmp_path / "kept", "a", [{"id": "emoji", "text": "太好了" + "😀" * 500, "lang": "zh"},
                                              {"id": "review", "text": review, "lang": "zh"},
                                              {"id": "review+emoji", "text": review + "😀" * 11, "lang": "zh"}])
    output = tmp_path / "out"
    assert cli(*_score_args(tmp_path / "kept", output)).returncode == 0
    rows = {r["id"]: r for r in read_rows(output / "kept")}
    per_unread = math.log(load_tokenizer().get_piece_size())
    assert rows["emoji"]["nll_per_char"] == pytest.approx(
        (rows["emoji"]["nll"] + 500 * per_unread) / 503)
    assert rows["emoji"]["nll_per_char"] > rows["review"]["nll_per_char"]
    assert rows["review+emoji"]["nll_per_char"] > rows["review"]["nll_per_char"]
    assert rows["review"]["nll_per_char"] == pytest.approx(rows["review"]["nll"] / len(review))


def test_a_model_that_gives_no_finite_score_fails_its_units(kept, tmp_path):
    """Weights damaged in the middle load (their shapes are right) and score every document NaN,
    which passed every limit: the run was complete, every document kept."""
    import shutil

    from safetensors.torch import load_file, save_file
    model = tmp_path / "model"
    shutil.copytree(SHIPPED_TINY, model)
    weights = load_file(model / "model.safetensors")
    name = next(n for n, w in weights.items() if w.dim() == 2 and "embed" not in n)
    weights[name] = torch.full_like(weights[name], float("nan"))
    save_file(weights, model / "model.safetensors", metadata={"format": "pt"})
    done = cli(*_score_args(kept, tmp_path / "out", "--model", str(model), "--set", "probe.max_ppl={'*'=100}"))
    assert done.returncode != 0
    assert "the model gives no finite score" in done.stdout + done.stderr
    assert json.loads((tmp_path / "out" / "stats.json").read_text())["status"] == "failed"


def test_weights_changed_under_a_run_are_a_different_model(kept, tmp_path):
    """A model's files were named by their names and sizes: weights scaled in place kept both, and
    a resumed run mixed the scores of two models."""
    import shutil

    from safetensors.torch import load_file, save_file
    model = tmp_path / "model"
    shutil.copytree(SHIPPED_TINY, model)
    output = tmp_path / "out"
    assert cli(*_score_args(kept, output, "--model", str(model))).returncode == 0
    weights = load_file(model / "model.safetensors")
    save_file({n: (w * 1.05).contiguous() for n, w in weights.items()}, model / "model.safetensors",
              metadata={"format": "pt"})
    assert (model / "model.safetensors").stat().st_size == (SHIPPED_TINY / "model.safetensors").stat().st_size
    again = cli(*_score_args(kept, output, "--model", str(model)))
    assert again.returncode == 2 and "different configuration" in again.stderr, again.stderr


def test_a_rejected_folder_probed_gives_shards_of_one_verdict(tmp_path):
    """Probing a clean run's rejected/ (its rows carry rejected_by and reject_value) wrote rejected
    shards with both columns twice, which nothing could read."""
    clean = tmp_path / "clean"
    texts = [r["text"][:CHARS] for r in fixture_records()[:40]] + ["太短"] * 5
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n"
                              for i, t in enumerate(texts)), encoding="utf-8")
    assert cli("clean", str(source), "--output", str(clean), "--no-progress").returncode == 0
    unjudged = tmp_path / "unjudged"
    assert cli(*_score_args(clean / "rejected", unjudged)).returncode == 0
    median = float(np.median([r["ppl"] for r in read_rows(unjudged / "kept") if r["ppl"] is not None]))
    output = tmp_path / "out"
    done = cli(*_score_args(clean / "rejected", output, "--set", f"probe.max_ppl={{'*'={median}}}"))
    assert done.returncode == 0, done.stderr
    rejected = datacleaning.read_table(output / "rejected")
    assert rejected.schema.names.count("rejected_by") == 1 and rejected.num_rows > 0
    assert set(rejected.column("rejected_by").to_pylist()) == {"probe.max_ppl"}
    assert set(datacleaning.read_table(output / "kept").column("rejected_by").to_pylist()) - {None}, \
        "the kept rows keep the clean stage's verdict"


def test_progress_moves_while_one_record_batch_of_long_documents_is_scored(tmp_path):
    """The bar moved once per record batch: minutes without a tick on a batch of long documents."""
    from datacleaning.execution import UnitContext
    from datacleaning.model_probe.stage import ScoreStep
    from datacleaning.shard_input import plan_scan_units
    text = "".join(r["text"] for r in fixture_records() if r["lang"] == "zh")[:3000]
    write_kept_shard(tmp_path / "kept", "a", [{"id": f"d{i}", "text": text, "lang": "zh"} for i in range(6)])
    [unit] = plan_scan_units(tmp_path / "kept", 1 << 30)
    reports = []
    step = ScoreStep(SHIPPED_TINY, tmp_path / "scores", "cpu", "float32", token_budget=2048, chunk_tokens=1024,
                     fold_script=True)
    step(unit, UnitContext(unit, reports.append))
    assert len(reports) >= 3 and sum(reports) == unit.size, reports  # a tick per two documents


@pytest.mark.slow
def test_a_killed_run_resumes_to_the_same_output(kept, tmp_path):
    reference = tmp_path / "reference"
    assert cli(*_score_args(kept, reference)).returncode == 0
    total = done_records(reference)
    assert total >= 10, "the input should span several units for the kills to land mid-run"
    output = tmp_path / "killed"
    for done_at_least in (1, total // 2, total - 2):
        proc = subprocess.Popen([sys.executable, "-m", "datacleaning.cli", *_score_args(kept, output)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        kill_group_when(proc, output, done_at_least)
    assert done_records(output) < total, "the last kill should land before the run finished"
    result = cli(*_score_args(kept, output))
    assert result.returncode == 0, result.stderr
    assert datacleaning.read_table(output / "kept").equals(datacleaning.read_table(reference / "kept"))
    assert not (output / ".work").exists()


def test_the_output_is_a_valid_input_of_another_probe_run(scored, tmp_path):
    """A second probe over probe output replaces the score columns instead of adding a second set."""
    output = tmp_path / "again"
    assert cli(*_score_args(scored / "kept", output)).returncode == 0
    first = datacleaning.read_table(scored / "kept")
    second = datacleaning.read_table(output / "kept")
    assert [n for n in second.schema.names if n != "ppl_bucket"] == [n for n in first.schema.names
                                                                       if n != "ppl_bucket"]
    assert second.column("nll").equals(first.column("nll"))
    assert second.schema.field("n_tokens").type == pa.int32()


def test_bad_settings_are_config_errors(kept, tmp_path):
    for setting in ("probe.buckets=[0.6, 0.3]", "probe.buckets=[1.5]", "probe.max_ppl={en=0.5}",
                    "probe.max_nll_per_char={zh=0}", "probe.max_main_nll_per_char={zh=-1}"):
        result = cli(*_score_args(kept, tmp_path / "bad", "--set", setting))
        assert result.returncode == 2, setting
        assert "config error" in result.stderr
    result = cli(*_score_args(kept, tmp_path / "nomodel", "--model", str(tmp_path)))
    assert result.returncode == 2 and "config.json" in result.stderr


def test_probe_train_refuses_a_model_shape_before_reading_text(kept, tmp_path):
    result = cli("probe", "train", str(kept), "--output", str(tmp_path / "model"), "--heads", "3", "--tokenizer",
                 str(SHIPPED_TINY / "tokenizer.model"), "--no-progress")
    assert result.returncode == 2, result.stderr
    assert "config error: probe.train" in result.stderr and "not a multiple of n_heads 3" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "model").exists()


def test_a_model_refused_at_start_leaves_the_output_free_for_the_mended_one(kept, tmp_path):
    """The model is checked before the output folder is claimed: once the user mends it, the
    same command runs (it was refused as "a different configuration", the folder claimed)."""
    import shutil
    model = tmp_path / "model"
    shutil.copytree(SHIPPED_TINY, model)
    weights = (model / "model.safetensors").read_bytes()
    (model / "model.safetensors").write_bytes(weights[:100_000])
    broken = cli(*_score_args(kept, tmp_path / "out", "--model", str(model)))
    assert broken.returncode == 2 and "model.safetensors is not a readable safetensors file" in broken.stderr, \
        broken.stderr
    assert "Traceback" not in broken.stderr and not (tmp_path / "out" / "manifest.json").exists()
    (model / "model.safetensors").write_bytes(weights)
    mended = cli(*_score_args(kept, tmp_path / "out", "--model", str(model)))
    assert mended.returncode == 0, mended.stderr


@pytest.mark.slow
def test_probe_train_writes_a_model_folder_that_probe_score_loads(spm_model, kept, tmp_path):
    model_dir = tmp_path / "model"
    result = cli("probe", "train", str(kept), "--output", str(model_dir), "--tokenizer", str(spm_model),
                 "--device", "cpu", "--steps", "40", "--d-model", "32", "--layers", "2", "--heads", "2",
                 "--batch-tokens", "2048", "--set", "probe.train.glu_dim=64", "--set", "probe.train.seq_len=128",
                 "--set", "probe.train.warmup_steps=4", "--set", "probe.train.hold_out=0.1", "--no-progress")
    assert result.returncode == 0, result.stderr
    record = json.loads((model_dir / "training.json").read_text())
    assert record["held_out_documents"] == len(fixture_records()) // 10
    assert record["final_loss"] < record["first_loss"] - 1
    assert record["held_out_loss"] < record["first_loss"]
    assert (model_dir / "tokenizer.model").read_bytes() == spm_model.read_bytes()
    config = json.loads((model_dir / "config.json").read_text())
    assert (config["decoder_embed_dim"], config["decoder_layers"], config["decoder_attention_heads"]) == (32, 2, 2)

    output = tmp_path / "scored"
    result = cli(*_score_args(kept, output, "--model", str(model_dir)))
    assert result.returncode == 0, result.stderr
    rows = read_rows(output / "kept")
    assert len(rows) == len(fixture_records())
    held_out_ppl = math.exp(record["held_out_loss"])
    # The held-out documents are among these, so their typical perplexity is of the same order.
    assert 0.2 * held_out_ppl < float(np.median([r["ppl"] for r in rows])) < 5 * held_out_ppl
    # It learned text with Traditional characters read as Simplified: scoring it otherwise is refused.
    assert record["fold_script"] is True
    result = cli(*_score_args(kept, tmp_path / "unfolded", "--model", str(model_dir), "--set", "probe.fold_script=false"))
    assert result.returncode == 2 and "learned text read with fold_script = true" in result.stderr


def test_the_python_api_gives_the_command_lines_scores(scored, tmp_path):
    first = read_rows(scored / "kept")[:6]
    write_kept_shard(tmp_path / "kept", "a", [{k: r[k] for k in ("id", "text", "lang", "source")} for r in first])
    result = datacleaning.probe(tmp_path / "kept", tmp_path / "out", device="cpu", workers=1)
    assert result.ok
    got = {r["id"]: r for r in read_rows(tmp_path / "out" / "kept")}
    for row in first:
        assert got[row["id"]]["nll"] == pytest.approx(row["nll"], rel=1e-9)
        assert "ppl_bucket" not in got[row["id"]]

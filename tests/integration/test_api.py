"""The Python API: clean documents in-process, run the stage on files, and add a user rule that a
config can name and validate like a built-in."""
from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass

import pytest

import datacleaning as dc
from datacleaning.config import load_config
from helpers import EXAMPLE_CONFIG, fixture_records, read_rows

WIKI_ZH = next(r for r in fixture_records() if r["id"].startswith("cmrc-") and len(r["text"]) > 200)


@dc.register("max_digit_ratio")
@dataclass
class MaxDigitRatio(dc.Filter):
    """Rejects documents that are mostly digits (a user rule, defined the way a user would)."""

    max_ratio: float = 0.5

    def score(self, doc):
        return round(sum(c.isdigit() for c in doc.text) / max(len(doc.text), 1), 3)

    def keep(self, value):
        return value <= self.max_ratio


def test_clean_in_process_with_the_example_config():
    pipe = dc.Pipeline.from_config(EXAMPLE_CONFIG)
    line = "A line that runs on long enough to pass the length filter."
    results = list(pipe.clean([WIKI_ZH, "太短了", {"content": line.replace("A ", "A\u200b ") + "\r\n"}]))
    wiki, short, english = results
    assert wiki.kept and wiki.document.lang == "zh"
    assert wiki.document.text == WIKI_ZH["text"]
    han = len(re.findall("[\u4e00-\u9fff]", WIKI_ZH["text"]))
    assert wiki.document.scores["length"] == {"chars": len(WIKI_ZH["text"]), "original_chars": len(WIKI_ZH["text"]),
                                              "han_chars": han, "original_han_chars": han}
    assert not short.kept and short.verdict.rejected_by == "length"
    assert english.document.text == line
    assert english.document.edits == {"remove_invisible": 1, "normalize_newlines": 2}


def test_user_rule_passed_as_an_instance():
    pipe = dc.Pipeline(filters=[MaxDigitRatio(max_ratio=0.7)])
    kept, rejected = pipe.clean(["电话 12345678901 请回拨", "20240101 20240102 20240103"])
    assert kept.kept and kept.document.scores["max_digit_ratio"] == round(11 / 18, 3)
    assert rejected.verdict.rejected_by == "max_digit_ratio" and rejected.verdict.value == round(24 / 26, 3)


def test_user_rule_named_in_a_config_through_a_plugin_file(tmp_path):
    (tmp_path / "my_rules.py").write_text(textwrap.dedent('''
        from dataclasses import dataclass
        import datacleaning as dc

        @dc.register("no_exclamations")
        @dataclass
        class NoExclamations(dc.Filter):
            max_count: int = 2
            def score(self, doc):
                return doc.text.count("!") + doc.text.count("！")
            def keep(self, value):
                return value <= self.max_count
    '''))
    config = tmp_path / "config.toml"
    config.write_text('[clean]\nplugins = ["my_rules.py"]\n\n[[clean.filters]]\nname = "no_exclamations"\nmax_count = 1\n')
    pipe = dc.Pipeline.from_config(config)
    calm, loud = pipe.clean(["今天天气不错。", "快来抢购！！！限时优惠！"])
    assert calm.kept
    assert loud.verdict.rejected_by == "no_exclamations" and loud.verdict.value == 4

    config.write_text('[clean]\nplugins = ["my_rules.py"]\n\n[[clean.filters]]\nname = "no_exclamations"\nmax_count = "1"\n')
    with pytest.raises(dc.ConfigError, match=r"clean\.filters\[0\]\.max_count"):
        dc.Pipeline.from_config(config)
    config.write_text('[clean]\nplugins = ["my_rules.py"]\n\n[[clean.filters]]\nname = "no_exclamations"\nmax_cuont = 1\n')
    with pytest.raises(dc.ConfigError, match=r"clean\.filters\[0\]\.max_cuont"):
        dc.Pipeline.from_config(config)


def test_register_refuses_what_a_config_could_not_validate():
    with pytest.raises(TypeError, match="dataclass"):
        @dc.register("not_a_dataclass")
        class NotADataclass(dc.Filter):
            pass
    with pytest.raises(TypeError, match="subclass"):
        dc.register("plain_function")(lambda doc: True)


def test_run_on_files_with_worker_processes(tmp_path):
    corpus = tmp_path / "in.jsonl"
    records = fixture_records()
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    pipe = dc.Pipeline(load_config(EXAMPLE_CONFIG, [(["run", "progress"], False)]))
    result = pipe.run([corpus], tmp_path / "out", workers=2)
    assert result.ok
    kept = read_rows(tmp_path / "out" / "kept")
    rejected = read_rows(tmp_path / "out" / "rejected")
    assert len(kept) + len(rejected) == len(records) == result.stats["input_docs"]
    by_id = {r["id"]: r for r in records}
    for row in kept:
        assert json.loads(row["meta"]) == {k: v for k, v in by_id[row["id"]].items() if k not in ("id", "text", "source")}
    for row in rejected:
        assert row["text"] == by_id[row["id"]]["text"], "rejected documents keep their original text"

"""The Python API: clean documents in-process, run the stage on files, and add a user rule that a
config can name and validate like a built-in."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from dataclasses import dataclass

import pytest

import datacleaning as dc
from datacleaning.config import load_config
from helpers import DIGIT_SHARE_PLUGIN, EXAMPLE_CONFIG, FIXTURES, cli, fixture_records, read_rows

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


def test_a_rule_value_past_64_bits_is_stored_exactly(tmp_path):
    """A user's filter that keeps a 96-bit checksum as its value: the stage's JSON writer (orjson)
    cannot write an integer past 64 bits, and every unit holding a document failed."""
    (tmp_path / "checksum_rules.py").write_text(textwrap.dedent('''
        import hashlib
        from dataclasses import dataclass
        import datacleaning as dc

        @dc.register("checksum_96")
        @dataclass
        class Checksum96(dc.Filter):
            def score(self, doc):
                return int.from_bytes(hashlib.sha256(doc.text.encode()).digest()[:12], "big")
            def keep(self, value):
                return True
    '''), encoding="utf-8")
    texts = ["一段足够长的中文文本，用来检查一个很大的整数是否被完整保存。" * 3, "Another document, long enough to be kept by rules."]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n"
                              for i, t in enumerate(texts)), encoding="utf-8")
    done = cli("clean", str(source), "--output", str(tmp_path / "out"), "--no-progress", "--plugin",
               str(tmp_path / "checksum_rules.py"), "--set", 'clean.filters=[{name = "checksum_96"}]')
    assert done.returncode == 0, done.stderr
    import hashlib
    rows = read_rows(tmp_path / "out" / "kept")
    assert len(rows) == 2
    for row in rows:
        expected = int.from_bytes(hashlib.sha256(row["text"].encode()).digest()[:12], "big")
        assert expected >= 2 ** 64 and json.loads(row["scores"])["checksum_96"] == expected


def test_a_rule_that_raises_names_itself_and_the_document_and_its_unit_is_redone_once_mended(tmp_path):
    """A bug in a user's rule is not bad input: the unit holding the document it trips on fails
    (the others complete), the message names rule and document, and the same run again, once the
    rule is mended, does that unit alone."""
    (tmp_path / "my_rules.py").write_text(textwrap.dedent('''
        from dataclasses import dataclass
        import datacleaning as dc

        @dc.register("picky_length")
        @dataclass
        class PickyLength(dc.Filter):
            trips_on: str = "boom"
            def score(self, doc):
                if self.trips_on and self.trips_on in doc.text:
                    raise ValueError("cannot measure this one")
                return len(doc.text)
            def keep(self, value):
                return True
    '''))
    config = tmp_path / "config.toml"
    config.write_text('[clean]\nplugins = ["my_rules.py"]\n\n[[clean.filters]]\nname = "picky_length"\n')
    records = fixture_records()[:10]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                             encoding="utf-8")
    tripping = dict(records[0], id="trips", text=records[0]["text"] + " boom")
    (tmp_path / "in" / "b.jsonl").write_text(json.dumps(tripping, ensure_ascii=False) + "\n", encoding="utf-8")

    with pytest.raises(dc.RuleFailure, match=r"rule 'picky_length' failed on document 'trips'.*ValueError"):
        list(dc.Pipeline.from_config(config).clean([tripping]))
    settings = [(["run", "progress"], False)]
    result = dc.Pipeline(load_config(config, settings)).run([tmp_path / "in"], tmp_path / "out", workers=2)
    assert not result.ok
    [error] = result.stats["failed_units"].values()
    assert "rule 'picky_length' failed on document 'trips': ValueError: cannot measure this one" in error
    assert {r["id"] for r in read_rows(tmp_path / "out" / "kept")} == {r["id"] for r in records}
    # A later stage run on what the failed run kept goes ahead, saying that it is part of the input.
    partial = cli("dedup", str(tmp_path / "out" / "kept"), "--output", str(tmp_path / "dedup"), "--workers", "1",
                  "--no-progress")
    assert partial.returncode == 0, partial.stderr
    assert "is the output of a clean run that has not completed (failed)" in partial.stderr

    plugin = tmp_path / "my_rules.py"
    plugin.write_text(plugin.read_text().replace('trips_on: str = "boom"', 'trips_on: str = ""'))
    again = cli("clean", str(tmp_path / "in"), "--output", str(tmp_path / "out"), "--config", str(config),
                "--no-progress")
    assert again.returncode == 0, again.stderr
    assert "skipped_units=1 pending_units=1" in again.stderr
    assert json.loads((tmp_path / "out" / "stats.json").read_text())["input_docs"] == len(records) + 1


def test_two_plugin_files_of_one_name_in_two_folders_are_two_modules(tmp_path):
    for team, mark in (("team_a", "!"), ("team_b", "?")):
        (tmp_path / team).mkdir()
        (tmp_path / team / "rules.py").write_text(textwrap.dedent(f'''
            from dataclasses import dataclass
            import datacleaning as dc

            @dc.register("no_{team}_marks")
            @dataclass
            class NoMarks(dc.Filter):
                def score(self, doc):
                    return doc.text.count("{mark}")
                def keep(self, value):
                    return value == 0
        '''))
        (tmp_path / team / "config.toml").write_text(
            f'[clean]\nplugins = ["rules.py"]\n\n[[clean.filters]]\nname = "no_{team}_marks"\n')
    for team, text in (("team_a", "Really!"), ("team_b", "Really?")):
        [result] = dc.Pipeline.from_config(tmp_path / team / "config.toml").clean([text])
        assert result.verdict.rejected_by == f"no_{team}_marks"


def test_a_plugin_module_not_on_pythons_path_is_refused_saying_how_to_name_its_file(tmp_path):
    """`datacleaning` (the console script) does not import from the working folder, as
    `python -m datacleaning` does: a module named there is not found, and the refusal says so."""
    (tmp_path / "my_rules.py").write_text(DIGIT_SHARE_PLUGIN, encoding="utf-8")
    (tmp_path / "job.toml").write_text('extends = "mixed_web"\n[clean]\nplugins = ["my_rules"]\n', encoding="utf-8")
    script = Path(sys.executable).with_name("datacleaning")
    result = subprocess.run([str(script), "clean", str(FIXTURES / "mixed_docs.jsonl"), "--config", "job.toml",
                             "--output", "out", "--no-progress"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2 and "cannot import 'my_rules'" in result.stderr, result.stderr
    assert "name its file, my_rules.py, to import it from the config's folder" in result.stderr
    (tmp_path / "job.toml").write_text('extends = "mixed_web"\n[clean]\nplugins = ["my_rules.py"]\n', encoding="utf-8")
    assert cli("clean", str(FIXTURES / "mixed_docs.jsonl"), "--config", str(tmp_path / "job.toml"), "--output",
               str(tmp_path / "out"), "--no-progress").returncode == 0


@pytest.mark.parametrize("source, said", [
    ("import datacleaning as dc\ndef f((x): pass\n", "SyntaxError"),
    ("import a_module_nobody_installed\n", "line 1: ModuleNotFoundError"),
    ("from dataclasses import dataclass\nimport datacleaning as dc\n@dc.register('mine')\n@dataclass\n"
     "class Mine:\n    a: int = 1\n", "must subclass Normalizer, Editor or Filter"),
    ("from dataclasses import dataclass\nimport datacleaning as dc\n@dc.register('length')\n@dataclass\n"
     "class Mine(dc.Filter):\n    def score(self, doc):\n        return 0\n    def keep(self, value):\n"
     "        return True\n", "rule name 'length' is already registered by datacleaning.rules.filters.length.Length"),
    # The same class name as the built-in's too: once taken for the built-in registered again.
    ("from dataclasses import dataclass\nimport datacleaning as dc\n@dc.register('length')\n@dataclass\n"
     "class Length(dc.Filter):\n    def score(self, doc):\n        return 0\n    def keep(self, value):\n"
     "        return False\n", "rule name 'length' is already registered by datacleaning.rules.filters.length.Length"),
], ids=["syntax", "missing dependency", "not a rule", "a built-in's name", "a built-in's name and class name"])
def test_a_plugin_that_cannot_be_imported_is_a_config_error(tmp_path, source, said):
    (tmp_path / "broken.py").write_text(source)
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "a", "text": fixture_records()[0]["text"]}) + "\n")
    result = cli("clean", str(tmp_path / "in.jsonl"), "--output", str(tmp_path / "out"), "--plugin",
                 str(tmp_path / "broken.py"), "--no-progress")
    assert result.returncode == 2 and "clean.plugins: cannot import" in result.stderr and said in result.stderr
    assert "Traceback" not in result.stderr


def test_a_plugin_imported_by_its_module_name_and_named_by_its_file_is_one_rule(tmp_path):
    """A script imports its rules module, then loads a config that names the same file as a
    plugin: the file runs twice, under two module names, and its rules are the same rules."""
    (tmp_path / "digit_rules.py").write_text(DIGIT_SHARE_PLUGIN, encoding="utf-8")
    (tmp_path / "config.toml").write_text('[clean]\nplugins = ["digit_rules.py"]\n\n'
                                          '[[clean.filters]]\nname = "digit_share"\n')
    script = (f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
              "from digit_rules import DigitShare\n"
              "import datacleaning as dc\n"
              f"pipe = dc.Pipeline.from_config({str(tmp_path / 'config.toml')!r})\n"
              "[result] = pipe.clean(['Order 20240101 shipped on 20240102.'])\n"
              "print(result.verdict.rejected_by)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "digit_share"


def test_register_refuses_what_a_config_could_not_validate():
    with pytest.raises(TypeError, match="dataclass"):
        @dc.register("not_a_dataclass")
        class NotADataclass(dc.Filter):
            pass
    with pytest.raises(TypeError, match="subclass"):
        dc.register("plain_function")(lambda doc: True)


@pytest.mark.parametrize("declared, said", [
    ({"thresholds": frozenset({"max_ratoi"})}, r"thresholds names \['max_ratoi'\], not parameters"),
    ({"thresholds": frozenset({"max_ratio"}), "threshold_fields": {"max_ratio": "valeu"}},
     "threshold_fields pairs 'max_ratio' with 'valeu', not one of its signals"),
    ({"threshold_fields": {"max_ratio": "value"}}, "threshold_fields pairs 'max_ratio', not one of its thresholds"),
    ({"language_keyed": frozenset({"limits"})}, r"language_keyed names \['limits'\], not parameters"),
    ({"signals": {"value": "float32"}}, r"signals of unknown type float32 \(known: int64, float64, bool\)"),
], ids=["threshold", "signal", "threshold of a field", "language keyed", "signal type"])
def test_register_refuses_a_filter_whose_declarations_name_nothing_it_has(declared, said):
    """A misspelt name would make a rejudge refuse the real parameter and the report draw nothing."""
    @dataclass
    class Misdeclared(dc.Filter):
        signals = {"value": "float64"}
        max_ratio: float = 0.5

        def score(self, doc):
            return 0.0

        def keep(self, value):
            return value <= self.max_ratio

    for key, value in declared.items():
        setattr(Misdeclared, key, value)
    with pytest.raises(TypeError, match=f"rule 'misdeclared': {said}"):
        dc.register("misdeclared")(Misdeclared)


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


def test_rules_built_in_code_are_part_of_the_run_they_make(tmp_path):
    """The same output folder, rules built in code with other settings: refused, as the command
    line refuses a changed config, not the first run's output returned as complete; the same rules
    again resume it."""
    from datacleaning.rules.filters.length import Length

    corpus = tmp_path / "in.jsonl"
    records = fixture_records()
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    quiet = load_config(None, [(["run", "progress"], False)])
    first = dc.Pipeline(quiet, filters=[Length(min_chars=15)]).run([corpus], tmp_path / "out", workers=1)
    assert first.ok and first.stats["kept_docs"] > 0
    with pytest.raises(dc.ConfigError, match="different configuration"):
        dc.Pipeline(quiet, filters=[Length(min_chars=100_000)]).run([corpus], tmp_path / "out", workers=1)
    again = dc.Pipeline(quiet, filters=[Length(min_chars=15)]).run([corpus], tmp_path / "out", workers=1)
    assert again.ok and again.stats["kept_docs"] == first.stats["kept_docs"]


def test_a_rule_built_in_code_without_a_registered_name_is_named_by_its_class(tmp_path):
    """Not by an empty reason and an empty key in the counts."""
    @dataclass
    class Unnamed(dc.Filter):
        def score(self, doc):
            return 0

        def keep(self, value):
            return False

    corpus = tmp_path / "in.jsonl"
    corpus.write_text(json.dumps({"id": "a", "text": "Any text at all."}) + "\n")
    pipe = dc.Pipeline(load_config(None, [(["run", "progress"], False)]), filters=[Unnamed()])
    assert next(pipe.clean(["Any text at all."])).verdict.rejected_by == "Unnamed"
    result = pipe.run([corpus], tmp_path / "out", workers=1)
    assert [r["rejected_by"] for r in read_rows(tmp_path / "out" / "rejected")] == ["Unnamed"]
    assert "Unnamed" in result.stats["rules"] and "" not in result.stats["rules"]
    with pytest.raises(TypeError, match="filters: .* is not a Filter"):
        dc.Pipeline(filters=[lambda doc: True])
    from datacleaning.rules.edits.pii import RemoveUrls
    with pytest.raises(TypeError, match="filters: .*RemoveUrls.* is not a Filter"):
        dc.Pipeline(filters=[RemoveUrls()])


@pytest.mark.parametrize("returned", [None, 42, b"bytes"])
def test_an_edit_rule_that_returns_no_text_names_itself_and_the_document(returned):
    @dataclass
    class Broken(dc.Editor):
        def apply(self, text):
            return returned

    with pytest.raises(dc.RuleFailure, match=rf"rule 'Broken' failed on document '0': TypeError: apply returned "
                                             rf"{type(returned).__name__}, not the text"):
        list(dc.Pipeline(edits=[Broken()]).clean(["Some text to edit."]))


@pytest.mark.parametrize("signals, measured, said", [
    ({"value": "float64"}, "not a number", "signal 'value' is declared float64 and score() gave str 'not a number'"),
    ({"value": "int64"}, 336.67, "signal 'value' is declared int64 and score() gave the fraction 336.67"),
    ({"a": "float64", "b": "float64"}, [0.1, 0.2], "score() gave list [0.1, 0.2]; its signals (a, b) are fields"),
    ({"flag": "bool"}, {"flag": "yes"}, "signal 'flag' is declared bool and score() gave str 'yes'"),
    ({"count": "int64"}, {"count": 2 ** 70}, "signal 'count' is declared int64 and score() gave int 1180591620717411303424"),
], ids=["text for a number", "a fraction for an integer", "a list for fields", "text for a bool", "past int64"])
def test_a_filter_whose_score_is_not_what_it_declares_fails_its_unit_naming_itself_and_the_document(
        tmp_path, signals, measured, said):
    """Stored as declared, these would be truncated, null or an Arrow error naming nothing."""
    @dataclass
    class Declares(dc.Filter):
        def score(self, doc):
            return measured

        def keep(self, value):
            return True

    Declares.signals = signals
    corpus = tmp_path / "in.jsonl"
    corpus.write_text(json.dumps({"id": "doc-7", "text": "Any text at all."}) + "\n")
    pipe = dc.Pipeline(load_config(None, [(["run", "progress"], False)]), filters=[Declares()])
    result = pipe.run([corpus], tmp_path / "out", workers=1)
    [error] = result.stats["failed_units"].values()
    assert "rule 'Declares' failed on document 'doc-7'" in error and said in error, error


def test_numpy_numbers_are_stored_as_the_numbers_they_are(tmp_path):
    import numpy as np

    @dataclass
    class Measures(dc.Filter):
        signals = {"share": "float64", "count": "int64", "flag": "bool"}

        def score(self, doc):
            return None if doc.id == "unmeasured" else {"share": np.float32(0.5), "count": np.float64(3.0),
                                                         "flag": np.bool_(True)}

        def keep(self, value):
            return True

    corpus = tmp_path / "in.jsonl"
    corpus.write_text(json.dumps({"id": "a", "text": "Any text at all."}) + "\n"
                      + json.dumps({"id": "unmeasured", "text": "Any other text."}) + "\n")
    pipe = dc.Pipeline(load_config(None, [(["run", "progress"], False)]), filters=[Measures()])
    assert pipe.run([corpus], tmp_path / "out", workers=1).ok
    row, unmeasured = read_rows(tmp_path / "out" / "kept")
    assert row["signals"]["Measures"] == {"share": 0.5, "count": 3, "flag": True}
    assert json.loads(row["scores"])["Measures"] == {"share": 0.5, "count": 3, "flag": True}
    assert unmeasured["signals"]["Measures"] is None  # score() gave None: not measured

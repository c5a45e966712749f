"""A user's rule that measures, judges or prepares in a way the pipeline cannot carry through
(a value its scores JSON would read back as something else, a keep() that says neither yes nor
no, a prepare() whose dependency is missing) is named with the document it failed on, never
passed over with changed verdicts nor left as a traceback of the whole run. Real runs: worker
processes, Arrow shards, the command line in a subprocess."""
from __future__ import annotations

import collections
import datetime
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import datacleaning as dc
from datacleaning.cleaning.rejudge import run_rejudge
from datacleaning.config import load_config
from helpers import cli, fixture_records, read_rows

QUIET = [(["run", "progress"], False)]


def _corpus(path: Path) -> Path:
    """The fixture documents, and a few short questions so that a filter on question marks rejects."""
    questions = [{"id": f"q{n}", "text": "Why? " * n + "Nobody could say for certain what had happened there."}
                 for n in range(1, 7)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in fixture_records() + questions),
                    encoding="utf-8")
    return path


def _one_document(tmp_path: Path) -> Path:
    corpus = tmp_path / "in.jsonl"
    corpus.write_text(json.dumps({"id": "doc-7", "text": "Any text at all, with 3 digits: 1 and 2."}) + "\n")
    return corpus


def _failure_of_the_only_unit(result) -> str:
    assert not result.ok
    [error] = result.stats["failed_units"].values()
    return error


NUMPY_MARKS = textwrap.dedent('''
    from dataclasses import dataclass
    import numpy as np
    import datacleaning as dc

    @dc.register("numpy_question_marks")
    @dataclass
    class NumpyQuestionMarks(dc.Filter):
        thresholds = frozenset({"max_marks"})
        max_marks: int = 3

        def score(self, doc):
            return np.int64(doc.text.count("?"))

        def keep(self, value):
            return value <= self.max_marks

    @dc.register("numpy_digit_share")
    @dataclass
    class NumpyDigitShare(dc.Filter):
        thresholds = frozenset({"max_share"})
        max_share: float = 0.2

        def score(self, doc):
            digits = np.array([c.isdigit() for c in doc.text])
            return {"share": np.float32(digits.mean()), "any": np.bool_(digits.any()), "span": (0, len(doc.text))}

        def keep(self, value):
            return not value["any"] or value["share"] <= self.max_share
''')


def test_numpy_values_of_a_filter_declaring_no_signals_are_stored_as_numbers_and_rejudged_alike(tmp_path):
    """Stored as the text '0', a rejudge with the run's own config compared text with a number and
    ended in a traceback."""
    (tmp_path / "rules.py").write_text(NUMPY_MARKS, encoding="utf-8")
    (tmp_path / "run.toml").write_text('extends = "mixed_web"\n[clean]\nplugins = ["rules.py"]\nscore_all = true\n'
                                       '[[clean.add_filters]]\nname = "numpy_question_marks"\n'
                                       '[[clean.add_filters]]\nname = "numpy_digit_share"\n', encoding="utf-8")
    corpus = _corpus(tmp_path / "in.jsonl")
    done = cli("clean", str(corpus), "--config", str(tmp_path / "run.toml"), "--output", str(tmp_path / "first"),
               "--workers", "2", "--no-progress")
    assert done.returncode == 0, done.stderr
    kept, rejected = read_rows(tmp_path / "first" / "kept"), read_rows(tmp_path / "first" / "rejected")
    measured = [json.loads(row["scores"]) for row in kept + rejected if "numpy_question_marks" in row["scores"]]
    assert measured and all(type(s["numpy_question_marks"]) is int for s in measured)
    shares = [s["numpy_digit_share"] for s in measured]
    assert all(type(s["share"]) is float and type(s["any"]) is bool and type(s["span"]) is list for s in shares)
    assert {row["rejected_by"] for row in rejected} >= {"numpy_question_marks"}

    again = cli("rejudge", str(tmp_path / "first"), "--config", str(tmp_path / "run.toml"),
                "--output", str(tmp_path / "again"), "--no-progress")
    assert again.returncode == 0, again.stderr
    assert sorted(r["id"] for r in read_rows(tmp_path / "again" / "kept")) == sorted(r["id"] for r in kept)
    assert sorted((r["id"], r["rejected_by"]) for r in read_rows(tmp_path / "again" / "rejected")) == \
        sorted((r["id"], r["rejected_by"]) for r in rejected)


class Opaque:
    """An object of the user's own, which JSON could only hold as its repr."""


@pytest.mark.parametrize("measured, kind", [
    ({"1", "2"}, "set"),
    ({"digits": frozenset({"1"}), "count": 1}, "frozenset"),
    (Opaque(), "Opaque"),
    (datetime.date(2024, 3, 1), "datetime.date"),
    ({1: "one"}, "Dict key must be str"),
    (collections.Counter("112"), "Counter"),
    ([np.arange(3)], "numpy.ndarray"),
], ids=["set", "set in a dict", "object", "date", "integer key", "Counter", "numpy array"])
def test_a_value_the_scores_json_cannot_read_back_fails_its_unit_naming_filter_document_and_type(
        tmp_path, measured, kind):
    """Stored as its repr (a set, an object with its address) or its text (a date), it came back
    to a rejudge as a string its keep() judged otherwise, silently; a key that is not a string
    failed the unit with orjson's words alone."""
    @dataclass
    class Measures(dc.Filter):
        def score(self, doc):
            return measured

        def keep(self, value):
            return True

    pipe = dc.Pipeline(load_config(None, QUIET), filters=[Measures()])
    error = _failure_of_the_only_unit(pipe.run([_one_document(tmp_path)], tmp_path / "out", workers=1))
    assert "rule 'Measures' failed on document 'doc-7': TypeError: measured " in error, error
    assert "cannot store and read back" in error and kind in error, error


@pytest.mark.parametrize("returned", [None, "no", 1, np.float64(0.0)], ids=["None", "text", "int", "numpy float"])
def test_a_keep_that_returns_no_bool_fails_its_unit_naming_itself_and_the_document(tmp_path, returned):
    """A keep() without its return gave None and rejected every document with the run a success;
    one returning "no" kept every one."""
    @dataclass
    class Undecided(dc.Filter):
        def score(self, doc):
            return len(doc.text)

        def keep(self, value):
            return returned

    pipe = dc.Pipeline(load_config(None, QUIET), filters=[Undecided()])
    error = _failure_of_the_only_unit(pipe.run([_one_document(tmp_path)], tmp_path / "out", workers=1))
    assert f"rule 'Undecided' failed on document 'doc-7': TypeError: keep returned {type(returned).__name__}, " \
           f"not bool" in error, error


def test_a_keep_that_raises_on_the_stored_values_stops_the_rejudge_naming_itself(tmp_path):
    """A threshold a rejudge sets can make keep() raise where the clean run's did not: it raised
    as it was, naming neither the rule nor the document."""
    (tmp_path / "rules.py").write_text(textwrap.dedent('''
        from dataclasses import dataclass
        import datacleaning as dc

        @dc.register("marks_per_allowed")
        @dataclass
        class MarksPerAllowed(dc.Filter):
            thresholds = frozenset({"allowed"})
            allowed: int = 3

            def score(self, doc):
                return doc.text.count("?")

            def keep(self, value):
                return value / self.allowed <= 1
    '''), encoding="utf-8")
    config = tmp_path / "run.toml"
    config.write_text('[clean]\nplugins = ["rules.py"]\nscore_all = true\n'
                      '[[clean.filters]]\nname = "marks_per_allowed"\n', encoding="utf-8")
    workers = [(["run", "workers"], 2), *QUIET]
    dc.Pipeline(load_config(config, workers)).run([_corpus(tmp_path / "in.jsonl")], tmp_path / "first", workers=2)
    none_allowed = load_config(config, [*workers, (["clean", "filters"],
                                                   [{"name": "marks_per_allowed", "allowed": 0}])])
    first_id = read_rows(tmp_path / "first" / "kept")[0]["id"]
    with pytest.raises(dc.RuleFailure, match=rf"rule 'marks_per_allowed' failed on document '{first_id}': "
                                             r"ZeroDivisionError"):
        run_rejudge(none_allowed, tmp_path / "first", tmp_path / "again")
    (tmp_path / "none_allowed.toml").write_text('extends = "run.toml"\n[clean.rule_settings.marks_per_allowed]\n'
                                                'allowed = 0\n', encoding="utf-8")
    done = cli("rejudge", str(tmp_path / "first"), "--output", str(tmp_path / "again_cli"), "--config",
               str(tmp_path / "none_allowed.toml"), "--no-progress")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "rule 'marks_per_allowed' failed on document" in done.stderr and "mend the rule" in done.stderr


def test_a_prepare_that_raises_is_a_config_error_naming_the_rule_and_the_exception(tmp_path):
    """A plugin's missing optional dependency, imported in prepare(), gave a traceback and exit 1,
    where the same import at the plugin's top is a one-line config error."""
    (tmp_path / "rules.py").write_text(textwrap.dedent('''
        from dataclasses import dataclass
        import datacleaning as dc

        @dc.register("needs_a_model")
        @dataclass
        class NeedsAModel(dc.Filter):
            def prepare(self, base_dir):
                import a_language_model_nobody_installed

            def score(self, doc):
                return 0

            def keep(self, value):
                return True
    '''), encoding="utf-8")
    (tmp_path / "run.toml").write_text(
        '[clean]\nplugins = ["rules.py"]\n[[clean.filters]]\nname = "needs_a_model"\n', encoding="utf-8")
    done = cli("clean", str(_one_document(tmp_path)), "--config", str(tmp_path / "run.toml"),
               "--output", str(tmp_path / "out"), "--no-progress")
    assert done.returncode == 2, done.stderr
    assert "config error: clean.filters[0] (needs_a_model): prepare failed: line 9: ModuleNotFoundError: " \
           "No module named 'a_language_model_nobody_installed'" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_the_rules_listing_gives_the_languages_a_rule_declares_by_default(tmp_path):
    """A ``languages`` field made by a default_factory leaves no class attribute: the listing said
    every language."""
    (tmp_path / "rules.py").write_text(textwrap.dedent('''
        from dataclasses import dataclass, field
        import datacleaning as dc

        @dc.register("chinese_only_length")
        @dataclass
        class ChineseOnlyLength(dc.Filter):
            languages: list[str] = field(default_factory=lambda: ["zh", "ja"])
            max_chars: int = 10 ** 6

            def score(self, doc):
                return len(doc.text)

            def keep(self, value):
                return value <= self.max_chars
    '''), encoding="utf-8")
    done = cli("rules", "--plugin", str(tmp_path / "rules.py"))
    assert done.returncode == 0, done.stderr
    assert "chinese_only_length  [filter; languages: ja,zh]" in done.stdout
    assert "\nlength  [filter; languages: all]" in done.stdout

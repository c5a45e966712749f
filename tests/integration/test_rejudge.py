"""Rejudging a clean output from its stored scores gives what a clean run with the new thresholds
gives, and refuses what stored scores cannot answer. Real clean runs (worker processes, Arrow
shards) over the test fixtures."""
from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

import datacleaning.rules.library  # noqa: F401  (registers the rules)
from datacleaning.cleaning.rejudge import run_rejudge
from datacleaning.cleaning.rule_chain import BUILTIN_CHECKS
from datacleaning.config import load_config
from datacleaning.document import Document
from datacleaning.errors import ConfigError
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import build_rule, registered_rules
from datacleaning.stages import run_stage
from helpers import DIGIT_SHARE_PLUGIN, FIXTURES, cli, fixture_records, read_rows

PAGES = [FIXTURES / "rules" / "function_words" / "en_tag_listing.txt",
         FIXTURES / "rules" / "function_words" / "en_download_listing.txt",
         *sorted((FIXTURES / "rules" / "web_quality").glob("*.txt")),
         *sorted((FIXTURES / "blacklists").glob("*_page.txt"))]


@pytest.fixture
def corpus(tmp_path) -> Path:
    """95 whole documents of the fixture corpus and 19 pages (listings, spam, prose, manuals)."""
    path = tmp_path / "input" / "docs.jsonl"
    path.parent.mkdir()
    records = fixture_records() + [{"id": page.stem, "text": page.read_text(encoding="utf-8")} for page in PAGES]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def scoring_config(tmp_path: Path, filters: list[dict] | None = None, score_all: bool = True):
    base = tmp_path / "scoring.toml"
    base.write_text(f'extends = "mixed_web"\n[clean]\nscore_all = {str(score_all).lower()}\n', encoding="utf-8")
    overrides = [(["run", "workers"], 2), (["run", "progress"], False)]
    if filters is not None:
        overrides.append((["clean", "filters"], filters))
    return load_config(base, overrides)


def with_params(filters: list[dict], **changes: dict) -> list[dict]:
    """The profile's filter tables with some parameters changed, by filter name."""
    changed = copy.deepcopy(filters)
    for table in changed:
        table.update(changes.get(table["name"], {}))
    return changed


def run_clean_into(config, corpus: Path, output: Path) -> Path:
    run_stage("clean", config, [str(corpus)], output)
    return output


def outcome(output: Path) -> tuple[dict, dict, dict]:
    """Kept {id: text}, rejected {id: rejected_by}, rejected {id: text}."""
    kept = {r["id"]: r["text"] for r in read_rows(output / "kept")}
    rejected_rows = read_rows(output / "rejected")
    return kept, {r["id"]: r["rejected_by"] for r in rejected_rows}, {r["id"]: r["text"] for r in rejected_rows}


@pytest.mark.parametrize("changes", [
    # stricter: longer documents, more function words, blacklist at lower density
    {"length": {"min_chars": 400}, "function_words": {"en_listing_fraction": 0.40, "en_max_title_case": 0.2},
     "blacklist": {"min_hits_per_1k": {"default": 0.5}, "min_terms": {"default": 1}}},
    # looser: short texts and listings and spam kept
    {"length": {"min_chars": 10, "min_original_chars": 10}, "function_words": {"en_min_fraction": 0.0,
                                                                                 "en_listing_fraction": 0.0},
     "blacklist": {"min_hits": {"default": 1000}}, "short_lines": {"max_share": 1.0}},
], ids=["stricter", "looser"])
def test_a_rejudge_equals_a_clean_run_with_the_new_thresholds(tmp_path, corpus, changes):
    first = scoring_config(tmp_path)
    source = run_clean_into(first, corpus, tmp_path / "first")
    new = scoring_config(tmp_path, with_params(first.clean.filters, **changes))
    fresh = run_clean_into(new, corpus, tmp_path / "fresh")
    stats = run_rejudge(new, source, tmp_path / "rejudged")

    kept, rejected_by, rejected_text = outcome(tmp_path / "rejudged")
    fresh_kept, fresh_rejected_by, fresh_rejected_text = outcome(fresh)
    first_kept, first_rejected_by, _ = outcome(source)
    assert kept == fresh_kept
    assert rejected_by == fresh_rejected_by
    moved_in = set(kept) & set(first_rejected_by)
    moved_out = set(rejected_by) & set(first_kept)
    assert moved_in or moved_out, "the new thresholds changed nothing: the test proves nothing"
    # Rejected documents keep the text as read, except those the first run kept and stored cleaned.
    for doc_id, text in rejected_text.items():
        assert text == (first_kept[doc_id] if doc_id in moved_out else fresh_rejected_text[doc_id])
    assert sum(stats["rejudged"]["kept_to_rejected"].values()) == len(moved_out)
    assert sum(stats["rejudged"]["rejected_to_kept"].values()) == len(moved_in)
    assert stats["input_docs"] == stats["kept_docs"] + stats["rejected_docs"] + stats["quarantined_docs"]
    assert (stats["kept_docs"], stats["rejected_docs"]) == (len(kept), len(rejected_by))
    # What a report reads, as the fresh run has it: the counts by source and language, the
    # signals' histograms and the same documents drawn to read.
    fresh_stats = json.loads((fresh / "stats.json").read_text(encoding="utf-8"))
    for key in ("by_source", "by_language", "signals", "input_chars", "review_samples"):
        assert stats[key] == fresh_stats[key], key

    def drawn(output: Path) -> list[tuple[str, str]]:
        lines = (output / "review_samples.jsonl").read_text(encoding="utf-8").splitlines()
        return [(sample["category"], sample["id"]) for sample in map(json.loads, lines)]

    assert drawn(tmp_path / "rejudged") == drawn(fresh)

    def acted(rules: dict) -> dict:
        return {label: (c["kind"], c["rejected"], c["edited"], c["chars_removed"]) for label, c in rules.items()}

    # Every rule's counts, the normalizers', edits' and built-in checks' as in the clean run.
    assert acted(stats["rules"]) == acted(fresh_stats["rules"])
    assert {c["kind"] for c in stats["rules"].values()} >= {"normalizer", "editor", "builtin", "filter"}


def test_the_typed_signals_follow_the_new_filters(tmp_path, corpus):
    first = scoring_config(tmp_path)
    source = run_clean_into(first, corpus, tmp_path / "first")
    only_length = [table for table in first.clean.filters if table["name"] == "length"]
    run_rejudge(scoring_config(tmp_path, only_length), source, tmp_path / "rejudged")
    rows = read_rows(tmp_path / "rejudged" / "kept") + read_rows(tmp_path / "rejudged" / "rejected")
    assert {key for row in rows for key in (row["signals"] or {})} == {"length"}
    # A document the pipeline's own checks reject (empty, or emptied by the edits, or in a language
    # the run does not keep, screened out or not) meets no filter.
    languages = set(first.clean.languages)
    measured = [row for row in rows if row.get("rejected_by") not in BUILTIN_CHECKS and row["lang"] in languages]
    assert measured and all(row["signals"]["length"]["chars"] > 0 for row in measured)


def test_a_finished_rejudge_is_not_redone_and_another_config_is_refused(tmp_path, corpus):
    first = scoring_config(tmp_path)
    source = run_clean_into(first, corpus, tmp_path / "first")
    stricter = scoring_config(tmp_path, with_params(first.clean.filters, length={"min_chars": 400}))
    stats = run_rejudge(stricter, source, tmp_path / "rejudged")
    shards = {p: p.stat().st_mtime_ns for p in (tmp_path / "rejudged").rglob("*.arrow")}
    assert run_rejudge(stricter, source, tmp_path / "rejudged")["kept_docs"] == stats["kept_docs"]
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "rejudged").rglob("*.arrow")} == shards
    with pytest.raises(ConfigError, match="different configuration"):
        run_rejudge(first, source, tmp_path / "rejudged")
    # Its rows moved from kept to rejected hold cleaned text: the clean output is what to rejudge.
    with pytest.raises(ConfigError, match=f"a rejudge output; rejudge the clean output it was made from \\({source}"):
        run_rejudge(first, tmp_path / "rejudged", tmp_path / "again")


@pytest.mark.parametrize("change, message", [
    (lambda filters: with_params(filters, short_lines={"zh_short_chars": 3}), "short_lines.zh_short_chars changes"),
    (lambda filters: with_params(filters, blacklist={"lists": ["en_porn"]}), "blacklist.lists changes"),
    (lambda filters: filters + [{"name": "gopher_quality"}], "gopher_quality was not measured"),
])
def test_what_stored_scores_cannot_answer_is_refused(tmp_path, corpus, change, message):
    first = scoring_config(tmp_path)
    source = run_clean_into(first, corpus, tmp_path / "first")
    with pytest.raises(ConfigError, match=message):
        run_rejudge(scoring_config(tmp_path, change(first.clean.filters)), source, tmp_path / "rejudged")
    assert not (tmp_path / "rejudged").exists()


def test_other_edits_or_a_run_without_score_all_are_refused(tmp_path, corpus):
    partial = run_clean_into(scoring_config(tmp_path, score_all=False), corpus, tmp_path / "partial")
    with pytest.raises(ConfigError, match="score_all"):
        run_rejudge(scoring_config(tmp_path), partial, tmp_path / "rejudged")
    source = run_clean_into(scoring_config(tmp_path), corpus, tmp_path / "first")
    other_edits = scoring_config(tmp_path).model_copy(deep=True)
    other_edits.clean.edits = other_edits.clean.edits[1:]
    with pytest.raises(ConfigError, match=r"clean.edits\[0\] differs"):
        run_rejudge(other_edits, source, tmp_path / "rejudged")


def test_quarantined_records_keep_their_place_in_the_tables_by_source_and_language(tmp_path, corpus):
    """The clean stage counts a record it quarantines under its file's source and "unidentified";
    a rejudge copies the quarantine, and its tables must still add up to what was read."""
    (corpus.parent / "broken.jsonl").write_text('{bad 1\n{"id": 1, "text": 5}\n', encoding="utf-8")
    source = run_clean_into(scoring_config(tmp_path), corpus.parent, tmp_path / "first")
    run_rejudge(scoring_config(tmp_path, filters=[{"name": "length", "min_chars": 400}]), source,
                tmp_path / "rejudged")
    first, again = (json.loads((folder / "stats.json").read_text()) for folder in (source, tmp_path / "rejudged"))
    assert again["quarantined_docs"] == first["quarantined_docs"] == 2
    assert again["quarantined_by"] == first["quarantined_by"] and sum(first["quarantined_by"].values()) == 2
    broken = next(key for key in first["by_source"] if key.endswith("broken.jsonl"))
    assert again["by_source"][broken] == first["by_source"][broken] == {"input_docs": 2, "quarantined_docs": 2}
    for table in ("by_source", "by_language"):
        assert sum(entry["input_docs"] for entry in again[table].values()) == again["input_docs"]


def test_the_command_line_rejudges_and_says_what_changed(tmp_path, corpus):
    source = run_clean_into(scoring_config(tmp_path), corpus, tmp_path / "first")
    done = cli("rejudge", str(source), "--output", str(tmp_path / "rejudged"), "--no-progress",
               "--set", 'clean.filters=[{name = "length", min_chars = 400}]')
    assert done.returncode == 0, done.stderr
    assert "now rejected" in done.stdout and "length" in done.stdout
    refused = cli("rejudge", str(tmp_path / "rejudged" / "kept"), "--output", str(tmp_path / "again"))
    assert refused.returncode == 2 and "not a clean output folder" in refused.stderr


# --- Filter.thresholds ------------------------------------------------------------------------------

def _perturbed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value * 3 + 1
    if isinstance(value, dict):
        return {"default": 1}
    raise AssertionError(f"no perturbation for {value!r}")


def _texts() -> list[tuple[str, str]]:
    docs = [(r["text"], "zh" if any("\u4e00" <= c <= "\u9fff" for c in r["text"][:200]) else "en")
            for r in fixture_records()]
    pages = [(p.read_text(encoding="utf-8"), "zh" if p.name.startswith("zh_") else "en") for p in PAGES]
    return docs + pages


# Parameters a filter cannot do without (no default would mean anything).
REQUIRED = {"meta_count": {"field": "liked_count"}}


# The package's filters: not those other test modules register when imported (the order differs by run).
@pytest.mark.parametrize("name", sorted(n for n, cls in registered_rules().items()
                                        if issubclass(cls, Filter) and cls.__module__.startswith("datacleaning.")))
def test_threshold_parameters_never_change_what_a_filter_measures(name):
    rule_class = registered_rules()[name]
    fields = {f.name for f in dataclasses.fields(rule_class)}
    assert rule_class.thresholds <= fields, rule_class.thresholds - fields
    default = build_rule("filters", 0, {"name": name, **REQUIRED.get(name, {})})
    changed = build_rule("filters", 0, {"name": name, **REQUIRED.get(name, {}), **{
        key: _perturbed(getattr(default, key)) for key in rule_class.thresholds}})
    for rule in (default, changed):
        rule.prepare(Path("."))
    for text, lang in _texts():
        doc = Document("t", text, lang=lang)
        if default.applies_to(lang):
            assert default.score(doc) == changed.score(Document("t", text, lang=lang)), (name, text[:60])


def test_a_run_of_rules_built_in_code_records_them_and_is_rejudged_by_them(tmp_path, corpus):
    """The Python API's rules replace the config's: the run records the rules that ran, so a
    rejudge with the config's filters, which measured nothing, is refused, and one with the
    rules that ran, a threshold changed, gives what a clean run with it gives."""
    import datacleaning as dc
    from datacleaning.rules.filters.function_words import FunctionWords
    from datacleaning.rules.filters.length import Length

    config = scoring_config(tmp_path)
    ran = [Length(min_chars=200), FunctionWords()]
    dc.Pipeline(config, filters=ran).run([str(corpus)], tmp_path / "first", workers=2)
    stats = json.loads((tmp_path / "first" / "stats.json").read_text())
    assert stats["rules_in_code"] is True
    assert [table["name"] for table in stats["clean"]["filters"]] == ["length", "function_words"]
    assert stats["clean"]["filters"][0]["min_chars"] == 200
    with pytest.raises(ConfigError, match="was not measured"):
        run_rejudge(scoring_config(tmp_path), tmp_path / "first", tmp_path / "rejudged")
    stricter = [{"name": "length", "min_chars": 400}, {"name": "function_words"}]
    run_rejudge(scoring_config(tmp_path, stricter), tmp_path / "first", tmp_path / "rejudged")
    run_clean_into(scoring_config(tmp_path, stricter), corpus, tmp_path / "clean")
    assert outcome(tmp_path / "rejudged")[:2] == outcome(tmp_path / "clean")[:2]


def test_a_plugin_named_by_another_path_to_the_same_file_is_the_same_rule(tmp_path, corpus):
    """Rules are compared as built: the plugin that defines them may be named from another
    folder, relatively or absolutely."""
    plugin = tmp_path / "rules" / "digits.py"
    plugin.parent.mkdir()
    plugin.write_text(DIGIT_SHARE_PLUGIN, encoding="utf-8")
    first = tmp_path / "a" / "first.toml"
    first.parent.mkdir()
    first.write_text('extends = "mixed_web"\n[clean]\nscore_all = true\nplugins = ["../rules/digits.py"]\n'
                     '[[clean.add_filters]]\nname = "digit_share"\n', encoding="utf-8")
    overrides = [(["run", "workers"], 2), (["run", "progress"], False)]
    run_clean_into(load_config(first, overrides), corpus, tmp_path / "first")
    again = tmp_path / "b" / "c" / "stricter.toml"
    again.parent.mkdir(parents=True)
    again.write_text(f'extends = "mixed_web"\n[clean]\nplugins = ["{plugin.as_posix()}"]\n'
                     '[[clean.add_filters]]\nname = "digit_share"\nmax_share = 0.01\n', encoding="utf-8")
    stats = run_rejudge(load_config(again, overrides), tmp_path / "first", tmp_path / "rejudged")
    assert stats["rejected_by"].get("digit_share", 0) > 0


def test_a_run_of_an_unregistered_rule_names_it_and_a_rejudge_says_why_it_cannot_rebuild_it(tmp_path, corpus):
    import datacleaning as dc

    @dataclasses.dataclass
    class ShortDocs(Filter):
        signals = {"value": "int64"}
        thresholds = frozenset({"min_chars"})
        min_chars: int = 5

        def score(self, doc: Document):
            return len(doc.text)

        def keep(self, value):
            return value >= self.min_chars

    dc.Pipeline(scoring_config(tmp_path), filters=[ShortDocs()]).run([str(corpus)], tmp_path / "first", workers=2)
    stats = json.loads((tmp_path / "first" / "stats.json").read_text())
    assert stats["clean"]["filters"] == [{"name": "ShortDocs", "min_chars": 5}]
    with pytest.raises(ConfigError, match="cannot be built now .*unknown rule 'ShortDocs'.*registered by name"):
        run_rejudge(scoring_config(tmp_path), tmp_path / "first", tmp_path / "rejudged")


# A user's rule (named apart from the other tests' copy, registered in this process too), and
# the same rule a version later: a second check, with its own field and threshold.
DIGITS_V1 = DIGIT_SHARE_PLUGIN.replace('"digit_share"', '"digit_checks"')
DIGITS_V2 = DIGITS_V1.replace('''    signals = {"share": "float64"}
    thresholds = frozenset({"max_share"})
    threshold_fields = {"max_share": "share"}
    max_share: float = 0.0625
''', '''    signals = {"share": "float64", "runs": "int64"}
    thresholds = frozenset({"max_share", "max_runs"})
    threshold_fields = {"max_share": "share", "max_runs": "runs"}
    max_share: float = 0.0625
    max_runs: int = 1000
''').replace('''        return {"share": sum(c.isdigit() for c in doc.text) / max(len(doc.text), 1)}''',
             '''        return {"share": sum(c.isdigit() for c in doc.text) / max(len(doc.text), 1),
                "runs": len(__import__("re").findall(r"[0-9]+", doc.text))}''').replace(
    '''        return value["share"] <= self.max_share''',
    '''        return value["share"] <= self.max_share and value.get("runs", 0) <= self.max_runs''')


def test_a_threshold_on_a_field_the_stored_scores_never_hold_is_refused_or_reported(tmp_path, corpus):
    """Scores stored before a filter gained a check hold none of its field: a rejudge that sets
    that check's threshold is refused, naming the field; one that leaves it at its default goes
    on and records that the threshold judged nothing."""
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "digits.py").write_text(DIGITS_V1, encoding="utf-8")
    done = cli("clean", str(corpus), "--output", str(tmp_path / "first"), "--no-progress", "--profile", "none",
               "--plugin", str(tmp_path / "v1" / "digits.py"), "--set", "clean.score_all=true",
               "--set", 'clean.filters=[{name = "digit_checks"}]')
    assert done.returncode == 0, done.stderr
    assert "max_runs" in DIGITS_V2 and "runs" in DIGITS_V2.split("def keep")[1]
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "digits.py").write_text(DIGITS_V2, encoding="utf-8")
    config = tmp_path / "v2" / "stricter.toml"
    config.write_text('[clean]\nplugins = ["digits.py"]\n[[clean.filters]]\nname = "digit_checks"\nmax_runs = 3\n',
                      encoding="utf-8")
    with pytest.raises(ConfigError, match="digit_checks.max_runs compares runs, which no document of the run that "
                                          "made the scores holds"):
        run_rejudge(load_config(config), tmp_path / "first", tmp_path / "rejudged")
    config.write_text('[clean]\nplugins = ["digits.py"]\n[[clean.filters]]\nname = "digit_checks"\n'
                      'max_share = 0.01\n', encoding="utf-8")
    stats = run_rejudge(load_config(config), tmp_path / "first", tmp_path / "rejudged")
    assert stats["rejudged"]["thresholds_without_values"] == {"digit_checks.max_runs": "runs"}
    assert stats["rejected_by"]["digit_checks"] > 0


def _unjudged(source: Path, rule) -> dict[str, str]:
    """thresholds_without_values for one filter, against the run's own: these runs measured with
    their filter's defaults, as its class now builds it."""
    from datacleaning.cleaning.rejudge import thresholds_without_values
    from datacleaning.cleaning.rule_chain import RuleChain
    chain = RuleChain(filters=[rule])
    return thresholds_without_values(source, chain, {label: type(built)() for label, built in chain.filters})


def test_a_per_language_threshold_on_a_field_never_stored_is_refused(tmp_path, corpus):
    """A threshold whose default is made by a factory (a mapping by language) is compared with
    that default, so setting it is refused like any other."""
    import datacleaning as dc

    def by_lang(with_runs: bool):
        @dataclasses.dataclass
        class ByLang(Filter):
            signals = {"share": "float64", **({"runs": "int64"} if with_runs else {})}
            thresholds = frozenset({"max_runs"})
            threshold_fields = {"max_runs": "runs"} if with_runs else {}
            max_runs: dict = dataclasses.field(default_factory=dict)

            def score(self, doc: Document):
                value = {"share": sum(c.isdigit() for c in doc.text) / max(len(doc.text), 1)}
                return {**value, "runs": doc.text.count("1")} if with_runs else value

            def keep(self, value):
                return True
        return ByLang

    dc.Pipeline(scoring_config(tmp_path), filters=[by_lang(False)()]).run([str(corpus)], tmp_path / "first", workers=1)
    later = by_lang(True)
    assert _unjudged(tmp_path / "first", later()) == {"ByLang.max_runs": "runs"}
    with pytest.raises(ConfigError, match="ByLang.max_runs compares runs"):
        _unjudged(tmp_path / "first", later(max_runs={"en": 3}))


def test_fields_of_one_language_count_as_stored_however_many_documents_of_the_other_come_first(tmp_path):
    """function_words measures title_case on English documents only: 2,100 Chinese ones ahead of
    the English in the shards do not make its English thresholds look unmeasured."""
    records = fixture_records()
    chinese = [r for r in records if r.get("lang") == "zh"]
    english = [r for r in records if r.get("lang") == "en"]
    assert chinese and len(english) >= 5
    path = tmp_path / "input" / "docs.jsonl"
    path.parent.mkdir()
    ordered = [{**chinese[i % len(chinese)], "id": f"zh-{i}"} for i in range(2100)] + english
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ordered), encoding="utf-8")
    config = scoring_config(tmp_path, [{"name": "function_words"}])
    config = config.model_copy(update={"run": config.run.model_copy(update={"workers": 1})})
    run_clean_into(config, path, tmp_path / "first")
    stricter = scoring_config(tmp_path, [{"name": "function_words", "en_max_title_case": 0.0}])
    stats = run_rejudge(stricter, tmp_path / "first", tmp_path / "rejudged")
    assert not any(key.startswith("function_words.en") for key in stats["rejudged"]["thresholds_without_values"])
    assert stats["rejected_by"].get("function_words:listing", 0) > 0


def test_a_threshold_the_run_set_and_left_unmeasured_rejudges_with_the_same_value(tmp_path):
    """lm_ratio measures no text under 200 characters, so a corpus of short Chinese texts holds
    no junk_log_ratio; the profile sets its limit (unlike the class, which sets none). The same
    limit again judges nothing, as it judged nothing in the run: a rejudge, not a refusal. Another
    limit asks for what the scores cannot give: refused."""
    chinese = [r for r in fixture_records() if r.get("lang") == "zh"]
    path = tmp_path / "input" / "short.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps({**r, "text": r["text"][:150]}, ensure_ascii=False) + "\n" for r in chinese),
                    encoding="utf-8")
    lm_ratio = [{"name": "lm_ratio", "languages": ["zh"], "max_junk_log_ratio": {"zh": 0.2275}}]
    run_clean_into(scoring_config(tmp_path, lm_ratio), path, tmp_path / "first")
    stats = run_rejudge(scoring_config(tmp_path, lm_ratio), tmp_path / "first", tmp_path / "same")
    assert stats["rejudged"]["thresholds_without_values"] == {"lm_ratio.max_junk_log_ratio": "junk_log_ratio"}
    with pytest.raises(ConfigError, match="lm_ratio.max_junk_log_ratio compares junk_log_ratio, which no document"):
        run_rejudge(scoring_config(tmp_path, with_params(lm_ratio, lm_ratio={"max_junk_log_ratio": {"zh": 0.1}})),
                    tmp_path / "first", tmp_path / "other")


def test_the_report_of_a_rejudge_says_what_moved_and_shows_every_rule(tmp_path, corpus):
    import datacleaning as dc
    first = scoring_config(tmp_path)
    source = run_clean_into(first, corpus, tmp_path / "first")
    stricter = scoring_config(tmp_path, with_params(first.clean.filters, length={"min_chars": 400}))
    stats = run_rejudge(stricter, source, tmp_path / "rejudged")
    moved = sum(stats["rejudged"]["kept_to_rejected"].values())
    assert moved > 0
    page = Path(dc.report(tmp_path / "rejudged")).read_text(encoding="utf-8")
    assert f"{moved:,} documents kept there are rejected here (length {moved:,})" in page and str(source) in page
    edited = [label for label, c in stats["rules"].items() if c["kind"] == "editor" and c["edited"]]
    assert edited and all(f"<td>{label}</td>" in page for label in edited)
    assert "which it stored cleaned" in page


def test_a_folder_of_another_stage_or_an_unfinished_run_is_refused_saying_which(tmp_path, corpus):
    first = scoring_config(tmp_path)
    source = run_clean_into(first, corpus, tmp_path / "first")
    run_stage("dedup", first, source / "kept", tmp_path / "dedup")
    with pytest.raises(ConfigError, match="a dedup output, not a clean one"):
        run_rejudge(first, tmp_path / "dedup", tmp_path / "rejudged")
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    (source / "manifest.json").write_text(json.dumps({**manifest, "complete": False}), encoding="utf-8")
    with pytest.raises(ConfigError, match="a clean run that has not finished"):
        run_rejudge(first, source, tmp_path / "rejudged")


def test_an_unfinished_rejudge_another_version_began_is_redone_whole(tmp_path, corpus):
    """A rejudge is one unit, redone whole when unfinished: one that another version of the code
    began (its manifest names other code) is redone, not refused as a resumed stage would be."""
    first = scoring_config(tmp_path)
    source = run_clean_into(first, corpus, tmp_path / "first")
    output = tmp_path / "rejudged"
    expected = run_rejudge(first, source, output)
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    unfinished = {**{k: v for k, v in manifest.items() if k != "complete"}, "code": "0.0.1+another"}
    (output / "manifest.json").write_text(json.dumps(unfinished), encoding="utf-8")
    redone = run_rejudge(first, source, output)
    assert redone["rejudged"] == expected["rejudged"]
    assert json.loads((output / "manifest.json").read_text(encoding="utf-8"))["code"] == manifest["code"]


def test_a_rejudge_says_it_does_not_use_ray(tmp_path, corpus):
    first = scoring_config(tmp_path)
    source = run_clean_into(first, corpus, tmp_path / "first")
    done = cli("rejudge", str(source), "--output", str(tmp_path / "rejudged"), "--executor", "ray",
               "--ray-address", "10.255.255.1:6379", "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "executor_not_used" in done.stderr and "executor=ray" in done.stderr


def _runs_filter(declares_runs: bool, only_english: bool):
    """A filter measuring the share of digits and, for English documents only or for all, the
    runs of digits; declaring ``runs`` as a typed signal and a threshold field or not."""
    @dataclasses.dataclass
    class DigitRuns(Filter):
        signals = {"share": "float64", **({"runs": "int64"} if declares_runs else {})}
        thresholds = frozenset({"max_share", "max_runs"} if declares_runs else {"max_share"})
        threshold_fields = {"max_share": "share", **({"max_runs": "runs"} if declares_runs else {})}
        max_share: float = 0.03
        max_runs: int = 1000

        def score(self, doc: Document):
            value = {"share": sum(c.isdigit() for c in doc.text) / max(len(doc.text), 1)}
            if doc.lang == "en" or not only_english:
                value["runs"] = len(__import__("re").findall(r"[0-9]+", doc.text))
            return value

        def keep(self, value):
            return value["share"] <= self.max_share and value.get("runs", 0) <= getattr(self, "max_runs", 1000)
    return DigitRuns


def test_a_field_stored_for_no_document_is_found_missing_beside_documents_no_filter_measured(tmp_path):
    """Arrow stores the fields of a filter's null value (a document it never measured: empty,
    in another language) as zeros; they are not values the documents hold."""
    import datacleaning as dc
    chinese = [r for r in fixture_records() if r.get("lang") == "zh"]
    path = tmp_path / "input" / "docs.jsonl"
    path.parent.mkdir()
    rows = [*chinese[:20], {"id": "blank", "text": "   \n  "}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    english_runs = _runs_filter(declares_runs=True, only_english=True)
    dc.Pipeline(scoring_config(tmp_path), filters=[english_runs()]).run([str(path)], tmp_path / "first", workers=1)
    rejected = read_rows(tmp_path / "first" / "rejected")
    assert {"empty", "DigitRuns"} <= {r["rejected_by"] for r in rejected}, "measured and unmeasured rows together"
    with pytest.raises(ConfigError, match="DigitRuns.max_runs compares runs, which no document"):
        _unjudged(tmp_path / "first", english_runs(max_runs=3))


def test_a_field_a_filter_stored_only_in_the_scores_json_counts_as_stored(tmp_path, corpus):
    """A filter that returned a field without declaring it as a typed signal, declaring it since:
    the run stored it in the scores JSON, and a rejudge judges it from there."""
    import datacleaning as dc
    dc.Pipeline(scoring_config(tmp_path), filters=[_runs_filter(False, False)()]).run(
        [str(corpus)], tmp_path / "first", workers=1)
    later = _runs_filter(declares_runs=True, only_english=False)
    assert _unjudged(tmp_path / "first", later(max_runs=3)) == {}


def test_the_summary_lists_the_filters_and_the_built_in_checks_that_rejected(tmp_path, corpus):
    from datacleaning.cleaning.rejudge import format_rejudge_summary
    first = scoring_config(tmp_path)
    source = run_clean_into(first, corpus, tmp_path / "first")
    stats = run_rejudge(first, source, tmp_path / "rejudged")
    summary = format_rejudge_summary(stats)
    listed = {line.split()[0] for line in summary.splitlines()[4:] if line.endswith("rejected") or "rejected  (" in line}
    filters = {label for label, c in stats["rules"].items() if c["kind"] == "filter"}
    builtins = {label for label, c in stats["rules"].items() if c["kind"] == "builtin" and c["rejected"]}
    assert builtins and listed == filters | builtins


def test_a_filter_that_stored_no_typed_signals_is_checked_in_its_scores(tmp_path, corpus):
    """The run's filter declared no signals at all (its values only in the scores JSON); its
    version now compares a field no document holds: refused, not taken in silence."""
    import datacleaning as dc

    @dataclasses.dataclass
    class DigitRuns(Filter):
        max_share: float = 0.03

        def score(self, doc: Document):
            return {"share": sum(c.isdigit() for c in doc.text) / max(len(doc.text), 1)}

        def keep(self, value):
            return value["share"] <= self.max_share

    dc.Pipeline(scoring_config(tmp_path), filters=[DigitRuns()]).run([str(corpus)], tmp_path / "first", workers=1)
    later = _runs_filter(declares_runs=True, only_english=False)
    with pytest.raises(ConfigError, match="DigitRuns.max_runs compares runs, which no document"):
        _unjudged(tmp_path / "first", later(max_runs=3))
    assert _unjudged(tmp_path / "first", later()) == {"DigitRuns.max_runs": "runs"}

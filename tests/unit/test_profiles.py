"""Bundled rule profiles and config layering with ``extends``."""
from __future__ import annotations

import pytest

import datacleaning as dc
from datacleaning.config import load_config, profile_names
from helpers import EXAMPLE_CONFIG


@pytest.mark.parametrize("name", ["mixed_web", "zh_web", "en_web", "zh_book"])
def test_every_bundled_profile_builds(name):
    assert name in profile_names()
    config = load_config(None, profile=name)
    assert config.clean.filters and config.clean.normalizers
    assert config.profile == name, "named as asked, not as the profile it extends"
    dc.Pipeline(config)


def test_extends_merges_tables_and_replaces_lists(tmp_path):
    base = load_config(None, profile="mixed_web")
    (tmp_path / "mine.toml").write_text(
        'extends = "zh_web"\n[input]\npaths = ["dumps"]\n[clean]\nmax_input_chars = 1000\n'
        '[[clean.filters]]\nname = "length"\nmin_chars = 10\n', encoding="utf-8")
    config = load_config(tmp_path / "mine.toml")
    assert config.clean.languages == ["zh"], "zh_web's own key survives"
    assert config.clean.max_input_chars == 1000, "a table key set on top wins"
    assert config.clean.normalizers == base.clean.normalizers, "lists not set on top come from the base"
    assert config.clean.filters == [{"name": "length", "min_chars": 10}], "a list set on top replaces the base's"
    assert config.resolve(config.input.paths[0]) == str(tmp_path / "dumps")


def test_a_rule_list_replacing_a_profiles_says_so_and_add_lists_keep_the_profiles_rules(tmp_path, caplog):
    """`[[clean.filters]]` on top of a profile replaces its filters (the case above), which a
    user who meant to add one does not see in the output: the load warns, naming the way to add."""
    base = load_config(None, profile="mixed_web")
    (tmp_path / "replace.toml").write_text('extends = "mixed_web"\n[[clean.filters]]\nname = "length"\n')
    with caplog.at_level("WARNING", logger="datacleaning.config"):
        load_config(tmp_path / "replace.toml")
    assert f"replaces the {len(base.clean.filters)} of mixed_web" in caplog.text and "clean.add_filters" in caplog.text
    caplog.clear()
    (tmp_path / "add.toml").write_text(
        'extends = "mixed_web"\n[[clean.add_filters]]\nname = "reference_perplexity"\nlanguages = ["en"]\n'
        '[[clean.add_edits]]\nname = "remove_emails"\n[clean.rule_settings.length]\nmin_chars = 10\n')
    with caplog.at_level("WARNING", logger="datacleaning.config"):
        config = load_config(tmp_path / "add.toml")
    assert not caplog.text
    assert config.clean.filters[:-1] == [dict(r, min_chars=10) if r["name"] == "length" else r
                                         for r in base.clean.filters]
    assert config.clean.filters[-1] == {"name": "reference_perplexity", "languages": ["en"]}
    assert config.clean.edits == [*base.clean.edits, {"name": "remove_emails"}]
    assert load_config(None, profile="zh_book") and not caplog.text, "profiles build on each other unwarned"
    assert dc.Pipeline(config).cleaning.filters[-1][0] == "reference_perplexity"


def test_rule_settings_change_one_rule_of_a_profile_and_leave_the_rest(tmp_path):
    base = load_config(None, profile="mixed_web")
    (tmp_path / "mine.toml").write_text(
        'extends = "mixed_web"\n[clean.rule_settings.length]\nmin_chars = 10\nmin_original_chars = 10\n'
        '[clean.rule_settings.blacklist]\nzh_min_terms = {gambling = 2}\n', encoding="utf-8")
    config = load_config(tmp_path / "mine.toml")
    changed = {rule["name"]: rule for rule in config.clean.filters}
    assert changed["length"]["min_chars"] == 10
    assert changed["blacklist"]["zh_min_terms"]["gambling"] == 2
    assert changed["blacklist"]["zh_min_terms"]["porn"] == {r["name"]: r for r in base.clean.filters}[
        "blacklist"]["zh_min_terms"]["porn"], "a table in a setting merges key by key"
    untouched = [r for r in config.clean.filters if r["name"] not in ("length", "blacklist")]
    assert untouched == [r for r in base.clean.filters if r["name"] not in ("length", "blacklist")]
    assert config.clean.edits == base.clean.edits

    review = "这家店的面很好吃，下次还来。"  # 14 characters: under the profile's 50, over 10
    [as_profile] = dc.Pipeline(base).clean([review])
    [as_changed] = dc.Pipeline(config).clean([review])
    assert as_profile.verdict.rejected_by == "length" and as_changed.kept
    # The same from the command line, onto the profile.
    flag = load_config(None, [(["clean", "rule_settings", "length", "min_chars"], 10),
                              (["clean", "rule_settings", "length", "min_original_chars"], 10)], profile="mixed_web")
    [as_flagged] = dc.Pipeline(flag).clean([review])
    assert as_flagged.kept


def test_a_set_key_with_an_index_points_at_rule_settings():
    from datacleaning.config import parse_override
    with pytest.raises(dc.ConfigError, match="clean.rule_settings.RULE.PARAMETER"):
        parse_override("clean.filters[0].min_chars=5")
    assert parse_override("clean.rule_settings.length.min_chars=5") == (
        ["clean", "rule_settings", "length", "min_chars"], 5)


def test_a_set_value_opening_an_array_or_a_table_must_be_toml():
    """A broken array is said to be one, not read as the string the key then refuses; a value
    that is not TOML and opens neither stays a string (a path, a name)."""
    from datacleaning.config import parse_override
    for broken in ("clean.filters=[{name=", "input.text_fields=[\"text\"", "clean.rule_settings={length"):
        with pytest.raises(dc.ConfigError, match="the value is not a TOML array or table"):
            parse_override(broken)
    assert parse_override('input.text_fields=["text", "body"]') == (["input", "text_fields"], ["text", "body"])
    assert parse_override("output.dir=out/run 2") == (["output", "dir"], "out/run 2")
    # A text that opens with a bracket is given quoted, as the message says.
    with pytest.raises(dc.ConfigError, match=r"""quote it: input.paths='"\[ab\]\*.jsonl"'"""):
        parse_override("input.paths=[ab]*.jsonl")
    assert parse_override('input.paths="[ab]*.jsonl"') == (["input", "paths"], "[ab]*.jsonl")


def test_rule_settings_errors_name_the_rule(tmp_path):
    with pytest.raises(dc.ConfigError, match="no rule named 'lenght'"):
        load_config(None, [(["clean", "rule_settings", "lenght", "min_chars"], 10)], profile="mixed_web")
    with pytest.raises(dc.ConfigError, match="name is not a setting"):
        load_config(None, [(["clean", "rule_settings", "length", "name"], "han_ratio")], profile="mixed_web")
    # The key named is the one the user wrote, not the rule table it was merged into.
    with pytest.raises(dc.ConfigError, match=r"rule_settings\.length\.min_char: not a parameter of rule 'length' "
                                             r"\(its parameters: min_chars,"):
        load_config(None, [(["clean", "rule_settings", "length", "min_char"], 10)], profile="mixed_web")


def test_extends_errors_name_the_problem(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(dc.ConfigError, match="extends itself"):
        load_config(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('extends = "zh_webb"\n', encoding="utf-8")
    with pytest.raises(dc.ConfigError, match="zh_webb.*neither a bundled profile"):
        load_config(tmp_path / "c.toml")


def test_a_profile_given_beside_a_config_that_extends_another_is_refused(tmp_path):
    (tmp_path / "job.toml").write_text('extends = "zh_web"\n', encoding="utf-8")
    with pytest.raises(dc.ConfigError, match="extends 'zh_web' and the command line names the profile 'en_web'"):
        load_config(tmp_path / "job.toml", profile="en_web")
    assert load_config(tmp_path / "job.toml", profile="zh_web").profile == "zh_web"
    assert load_config(tmp_path / "job.toml").profile == "zh_web"


def test_paths_on_the_command_line_are_from_the_working_directory(tmp_path, monkeypatch):
    """--profile FILE, --plugin FILE.py and --work-dir as the shell sees them, whatever folder the
    --config file is in (its own paths stay relative to it)."""
    import argparse

    from datacleaning.command_line import add_config_options, config_from_args
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "job.toml").write_text('[input]\npaths = ["dumps"]\n', encoding="utf-8")
    (tmp_path / "mine.toml").write_text('extends = "mixed_web"\n', encoding="utf-8")
    (tmp_path / "rules.py").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    parser = argparse.ArgumentParser()
    add_config_options(parser)
    args = parser.parse_args(["--config", "conf/job.toml", "--profile", "mine.toml", "--plugin", "rules.py",
                              "--plugin", "some_module", "--work-dir", "scratch"])
    config = config_from_args(args)
    assert config.profile == "mixed_web" and config.clean.filters
    assert config.clean.plugins == [str(tmp_path / "rules.py"), "some_module"]
    assert config.resolve(config.run.work_dir) == str(tmp_path / "scratch")
    assert config.resolve(config.input.paths[0]) == str(tmp_path / "conf" / "dumps")


@pytest.mark.parametrize("code", ["EN", "cn", "zh-CN", "english"])
def test_a_language_no_document_gets_is_refused(code):
    """A code the identifier never gives would reject every document as `language`."""
    with pytest.raises(dc.ConfigError, match=f"languages: '{code}' not a language the cld2 identifier gives"):
        load_config(None, [(["clean", "languages"], [code])], profile="mixed_web")
    assert load_config(None, [(["clean", "languages"], ["en", "zh-Hant", "he", "und"])]).clean.languages


@pytest.mark.parametrize("language", ["zhh", "EN", "zh-Hant"])
def test_a_threshold_for_a_language_no_document_gets_is_refused(language):
    """A misspelt language's threshold would never apply, silently; nor would one for a script,
    since a document's language is zh in either script."""
    setting = ["clean", "rule_settings", "quality_classifier", "min_score"]
    said = rf"min_score: '{language}' not a language the cld2 identifier gives a document"
    with pytest.raises(dc.ConfigError, match=said):
        dc.Pipeline(load_config(None, [(setting + [language], 0.9)], profile="mixed_web"))
    measure_all = (["clean", "rule_settings", "quality_classifier", "languages"], [])   # mixed_web measures English
    assert dc.Pipeline(load_config(None, [(setting + ["fr"], 0.9), measure_all], profile="mixed_web"))
    from datacleaning.reference_lm.filter import ReferencePerplexityFilter
    with pytest.raises(dc.ConfigError, match=said.replace("min_score", "max_nll_per_char")):
        dc.Pipeline(filters=[ReferencePerplexityFilter(max_nll_per_char={language: 3.0})])


def test_language_keeps_only_the_chosen_languages():
    pipe = dc.Pipeline(load_config(None, profile="zh_web"))
    english = "The harbour will be dredged this autumn so that larger ships can berth at the new quay."
    chinese = "城东街道社区图书馆自十月起试行夜间开放，每天延长至晚上十点，读者日均超过三百人次，居民普遍表示欢迎。"
    en_result, zh_result = pipe.clean([english, chinese])
    assert en_result.verdict.rejected_by == "language" and en_result.verdict.value == "en"
    assert zh_result.kept


def test_english_and_mixed_profiles_reject_a_french_article_and_say_how_sure():
    french = ("Le conseil municipal a voté hier soir la rénovation de la piscine couverte, fermée depuis deux "
              "ans ; les travaux commenceront au printemps et dureront environ dix-huit mois.")
    for profile in ("en_web", "mixed_web"):
        [result] = dc.Pipeline(load_config(None, profile=profile)).clean([french])
        assert result.verdict.rejected_by == "language" and result.verdict.value == "fr"
        assert result.document.scores["language"]["confidence"] > 0.9


def test_the_example_config_uses_the_mixed_profile():
    assert load_config(EXAMPLE_CONFIG).clean.filters == load_config(None, profile="mixed_web").clean.filters

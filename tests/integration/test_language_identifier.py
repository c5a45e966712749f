"""The language identifier is the config's choice: a plugin registers one, ``clean.language_id``
names it, and real worker processes route every document by it."""
from __future__ import annotations

import json
import textwrap

from helpers import cli, fixture_records, read_rows

PLUGIN = textwrap.dedent('''
    import datacleaning as dc
    from datacleaning.cleaning.language import identify_language


    @dc.register_language_identifier("record_lang")
    def record_lang(text, doc):
        lang = doc.meta_string("lid")
        return dc.LanguageGuess(lang, 1.0) if lang else identify_language(text)
''')


def _inputs(tmp_path) -> tuple[str, dict[str, str]]:
    """The fixture documents, every third one labelled Japanese by its record's ``lid`` field; the labels
    by id."""
    folder = tmp_path / "in"
    folder.mkdir()
    records, labels = [], {}
    for i, record in enumerate(fixture_records()):
        if i % 3 == 0:
            record = dict(record, lid="ja")
            labels[record["id"]] = "ja"
        records.append(record)
    (folder / "docs.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                       encoding="utf-8")
    return str(folder), labels


def _clean(tmp_path, inputs: str, name: str, *settings: str):
    plugin = tmp_path / "lang_plugin.py"
    plugin.write_text(PLUGIN, encoding="utf-8")
    sets = [arg for setting in (f'clean.plugins=["{plugin}"]', *settings) for arg in ("--set", setting)]
    return cli("clean", inputs, "--output", str(tmp_path / name), "--profile", "none", "--workers", "2",
               "--no-progress", *sets)


def test_documents_are_routed_by_the_configured_identifier(tmp_path):
    inputs, labels = _inputs(tmp_path)
    default = _clean(tmp_path, inputs, "default")
    assert default.returncode == 0, default.stderr
    by_cld2 = {row["id"]: row["lang"] for row in read_rows(tmp_path / "default" / "kept")}
    assert not any(by_cld2[doc_id] == "ja" for doc_id in labels)  # the texts are Chinese and English

    run = _clean(tmp_path, inputs, "by_record", 'clean.language_id.identifier="record_lang"')
    assert run.returncode == 0, run.stderr
    rows = read_rows(tmp_path / "by_record" / "kept")
    assert len(rows) == len(by_cld2)
    for row in rows:
        assert row["lang"] == labels.get(row["id"], by_cld2[row["id"]]), row["id"]
        assert json.loads(row["scores"])["language"]["lang"] == row["lang"]


def test_languages_keep_by_the_configured_identifier(tmp_path):
    inputs, labels = _inputs(tmp_path)
    run = _clean(tmp_path, inputs, "out", 'clean.language_id.identifier="record_lang"', 'clean.languages=["ja"]')
    assert run.returncode == 0, run.stderr
    assert {row["id"] for row in read_rows(tmp_path / "out" / "kept")} == set(labels)
    rejected = read_rows(tmp_path / "out" / "rejected")
    assert rejected and {row["rejected_by"] for row in rejected} == {"language"}


def test_an_unknown_identifier_is_a_config_error_naming_the_known_ones(tmp_path):
    inputs, _ = _inputs(tmp_path)
    run = _clean(tmp_path, inputs, "out", 'clean.language_id.identifier="fasttext"')
    assert run.returncode != 0
    assert "clean.language_id.identifier: unknown identifier 'fasttext'" in run.stderr
    assert "cld2" in run.stderr and "record_lang" in run.stderr
    assert not (tmp_path / "out" / "kept").exists()

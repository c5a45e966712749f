"""The run report: the counters it reads (checked against the shards), the rows and histograms it
draws from them, the page it writes (escaped, self-contained), and the page opened in a real
headless Chromium."""
from __future__ import annotations

import dataclasses
import html
import json
import re
import subprocess
import sys
from collections import Counter

import pyarrow.compute as pc
import pytest

from browser import MISSING, open_page
from datacleaning.config import load_config
from datacleaning.report import write_report
from datacleaning.report.runs import read_run
from datacleaning.report.tables import (
    breakdown_rows, filter_thresholds, funnel_rows, histogram, probe_panels, source_rule_matrix)
from datacleaning.rules.base import Filter
from datacleaning.rules.registry import registered_rules
from datacleaning.shards import read_table
from helpers import (DIGIT_SHARE_PLUGIN, EXAMPLE_CONFIG, FIXTURES, REPO_ROOT, cli, fixture_records, write_jsonl,
                     write_kept_shard)

# --- histograms -------------------------------------------------------------------------------------


def test_small_integers_get_one_bar_each():
    h = histogram({"0": 40, "1": 7, "3": 2})
    assert [(b["lo"], b["hi"], b["docs"]) for b in h.bins] == [(-0.5, 0.5, 40), (0.5, 1.5, 7), (2.5, 3.5, 2)]
    assert not h.log and h.documents == 49


def test_values_over_two_decades_get_bins_of_equal_ratio_and_their_zeros_apart():
    counts = {"0": 5, "12": 3, "1.3e+02": 4, "4.4e+03": 1, "9.9e+04": 2}
    h = histogram(counts, bins=10)
    assert h.log and h.zeros == 5 and h.documents == 15
    assert sum(b["docs"] for b in h.bins) == 10
    ratios = {round(b["hi"] / b["lo"], 6) for b in h.bins}
    assert len(ratios) == 1, ratios
    assert h.bins[0]["lo"] == pytest.approx(12) and h.bins[-1]["hi"] == pytest.approx(9.9e4)


def test_fractions_get_bins_of_equal_width():
    h = histogram({"0.12": 3, "0.5": 1, "0.97": 6, "-0.2": 1}, bins=4)
    assert not h.log and sum(b["docs"] for b in h.bins) == 11
    widths = {round(b["hi"] - b["lo"], 9) for b in h.bins}
    assert widths == {round(1.17 / 4, 9)}
    assert h.bins[-1]["docs"] == 6


def test_one_value_and_no_value():
    assert [b["docs"] for b in histogram({"0.02": 9}).bins] == [9]
    assert histogram({}).bins == []


def test_bins_span_the_thresholds_drawn_with_them():
    """A run's mojibake ratios, 0 but two, under its limit 0.02: bins cut over the values alone
    were 1e-5 wide on an axis the limit stretches to 0.02 (no bar to be seen), and values all 0
    were one bar from -0.5 to 0.5 around the limit."""
    h = histogram({"0": 5237, "0.0004": 2}, [0.02], bins=40)
    assert [(b["lo"], b["docs"]) for b in h.bins] == [(0, 5239)]
    assert h.bins[0]["hi"] == pytest.approx(0.02 / 40)
    h = histogram({"0": 30}, [0.02], bins=40)
    assert [(b["lo"], b["docs"]) for b in h.bins] == [(0, 30)] and h.bins[0]["hi"] == pytest.approx(0.0005)
    assert histogram({"0": 40, "1": 7, "3": 2}, [2]).bins == histogram({"0": 40, "1": 7, "3": 2}).bins
    # A limit set to inf (probe.max_ppl = {zh = inf}) bounds nothing: the bins span the values.
    assert histogram({"0.12": 3, "0.97": 6}, [float("inf")], bins=4).bins == histogram({"0.12": 3, "0.97": 6}, bins=4).bins


# --- thresholds -------------------------------------------------------------------------------------

# The package's filters: not those other test modules register when imported (the order differs by run).
FILTERS = sorted(name for name, cls in registered_rules().items()
                 if issubclass(cls, Filter) and cls.__module__.startswith("datacleaning."))


@pytest.mark.parametrize("name", FILTERS)
def test_threshold_fields_pair_a_threshold_with_a_stored_signal(name):
    cls = registered_rules()[name]
    assert set(cls.threshold_fields) <= cls.thresholds, set(cls.threshold_fields) - cls.thresholds
    assert set(cls.threshold_fields.values()) <= set(cls.signals) | ({"value"} if not cls.signals else set())
    params = {f.name for f in dataclasses.fields(cls)}
    assert set(cls.threshold_fields) <= params


def test_thresholds_come_from_the_runs_config_by_language(clean_run):
    run = clean_run([FIXTURES / "mixed_docs.jsonl"], config=EXAMPLE_CONFIG)
    found = filter_thresholds(run.stats)
    config = load_config(EXAMPLE_CONFIG)
    specs = {spec["name"]: spec for spec in config.clean.model_dump()["filters"]}
    assert {"name": "min_chars", "value": specs["length"]["min_chars"], "lang": None} in found["length.chars"]
    by_language = specs["quality_classifier"]["min_score"]
    assert sorted((t["lang"], t["value"]) for t in found["quality_classifier.score"]
                  if t["name"] == "min_score") == sorted(by_language.items())
    # A zh_ threshold is drawn on Chinese documents only.
    zh_only = [t for t in found["sentence_marks.han_per_mark"] if t["name"] == "zh_max_han_per_mark"]
    assert zh_only and all(t["lang"] == "zh" for t in zh_only)
    # Every threshold is drawn on a signal of one of the run's filters.
    for name in found:
        label, field = name.split(".")
        assert field in registered_rules()[label.split("#")[0]].signals, name
    # An output of a version that did not record them: worked out from its config alike.
    assert filter_thresholds({k: v for k, v in run.stats.items() if k != "thresholds"}) == found


def test_the_report_command_draws_a_plugin_filters_thresholds_without_importing_it(tmp_path):
    """The report is drawn in a process that never imported the plugin: the run recorded its
    filters' thresholds."""
    (tmp_path / "digits.py").write_text(DIGIT_SHARE_PLUGIN, encoding="utf-8")
    out = tmp_path / "out"
    done = cli("clean", str(FIXTURES / "mixed_docs.jsonl"), "--output", str(out), "--no-progress",
               "--plugin", str(tmp_path / "digits.py"), "--set", 'clean.add_filters=[{name = "digit_share"}]')
    assert done.returncode == 0, done.stderr
    recorded = json.loads((out / "stats.json").read_text(encoding="utf-8"))["thresholds"]
    assert recorded["digit_share.share"] == [{"name": "max_share", "value": 0.0625, "lang": None}]
    done = cli("report", str(out), "--to", str(tmp_path / "report.html"))
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "digit_share.share" in page and "max_share" in page and "0.0625" in page


def test_a_clean_run_whose_every_unit_failed_is_named_failed(tmp_path):
    """A rule that raises on every document fails every unit: the run's stats hold no rule's
    counts, only its config and failures; the report names the stage and its status."""
    (tmp_path / "raises.py").write_text(DIGIT_SHARE_PLUGIN.replace(
        "return value[\"share\"] <= self.max_share", "raise RuntimeError(\"a bug in the rule\")"), encoding="utf-8")
    out = tmp_path / "out"
    done = cli("clean", str(FIXTURES / "mixed_docs.jsonl"), "--output", str(out), "--no-progress",
               "--plugin", str(tmp_path / "raises.py"), "--set", 'clean.add_filters=[{name = "digit_share"}]')
    assert done.returncode == 1 and "a bug in the rule" in done.stderr
    assert json.loads((out / "stats.json").read_text(encoding="utf-8"))["status"] == "failed"
    done = cli("report", str(out), "--to", str(tmp_path / "report.html"))
    assert done.returncode == 0, done.stderr
    text = re.sub(r"<[^>]+>", " ", (tmp_path / "report.html").read_text(encoding="utf-8"))
    assert re.search(r"clean\s+failed", text)


# --- counters the report reads, against the shards ---------------------------------------------------


def test_edits_by_language_add_up_to_each_rules_count(clean_run):
    run = clean_run([FIXTURES / "mixed_docs.jsonl"], config=EXAMPLE_CONFIG, overrides=[(["input", "chunk_bytes"], 1 << 15)])
    edited = Counter()
    for counts in run.stats["by_language"].values():
        edited.update(counts.get("edited_by", {}))
    assert edited, "the example profile edits some fixture documents"
    for label, n in edited.items():
        assert run.stats["rules"][label]["edited"] == n, label
    # By source the same; the report's table of every source holds them all.
    names, rows = source_rule_matrix(run.stats, "edited_by", limit=10_000)
    assert set(names) == set(edited)
    for label in names:
        assert sum(row.get(label, 0) for row in rows) == edited[label], label


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    """``datacleaning run`` of the bundled example config (clean, dedup, probe, tokenize) on its data."""
    output = tmp_path_factory.mktemp("example") / "out"
    done = subprocess.run([sys.executable, "-m", "datacleaning.cli", "run", "--config", str(EXAMPLE_CONFIG),
                           "--output", str(output), "--workers", "2", "--no-progress"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return output, done.stdout


@pytest.mark.slow
def test_run_ends_with_a_report(example_run):
    output, stdout = example_run
    assert f"report: {output / 'report.html'}" in stdout
    page = (output / "report.html").read_text(encoding="utf-8")
    for section in ("Stages", "Funnel", "Rules", "Signals", "Quality scores", "Duplicates", "Tokens",
                    "Review samples"):
        assert f"<h2>{section}</h2>" in page, section
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", page), "the page fetches nothing"


@pytest.mark.slow
def test_stage_counters_by_language_agree_with_the_shards(example_run):
    output, _ = example_run
    for stage, dropped in (("dedup", "removed"), ("probe", "rejected")):
        stats = json.loads((output / stage / "stats.json").read_text())
        kept = read_table(output / stage / "kept", columns=["text", "lang"])
        for lang, counts in stats["by_language"].items():
            rows = kept.filter(pc.equal(kept.column("lang"), lang))
            assert counts.get("kept_docs", 0) == rows.num_rows, (stage, lang)
            assert counts.get("kept_chars", 0) == pc.sum(pc.utf8_length(rows.column("text"))).as_py(), (stage, lang)
        assert sum(c.get(f"{dropped}_docs", 0) for c in stats["by_language"].values()) == \
            stats[f"{dropped}_docs"], stage
    probe = json.loads((output / "probe" / "stats.json").read_text())
    for lang, scores in probe["languages"].items():
        assert sum(scores["ppl_histogram"].values()) == scores["documents"], lang


@pytest.mark.slow
def test_funnel_rows_follow_the_documents_through_the_stages(example_run):
    output, _ = example_run
    run = read_run(output)
    rows = funnel_rows(run)
    docs = Counter()
    for row in rows:
        docs[row["step"]] += row["docs"]
    assert docs["read"] == run.stats["clean"]["input_docs"]  # the quarantined records among them
    assert docs["clean"] == run.stats["clean"]["kept_docs"]
    assert docs["dedup"] == run.stats["dedup"]["kept_docs"]
    assert docs["probe"] == run.stats["probe"]["kept_docs"]
    assert docs["tokenize"] == run.stats["tokenize"]["documents"]
    by_source, others = breakdown_rows(run, "by_source", limit=5)
    assert len(by_source) == 6 and others == len(run.stats["clean"]["by_source"]) - 5
    assert sum(r["read_docs"] for r in by_source) == docs["read"]
    assert sum(r["tokens"] for r in by_source) == run.stats["tokenize"]["tokens"]


def test_samples_are_escaped_and_long_texts_folded(clean_run, tmp_path):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    long_text = "这是一个很长的中文段落，用来检查报告是否把长文本折叠起来。" * 60
    source = write_jsonl(tmp_path / "in" / "docs.jsonl", [hostile, long_text])
    run = clean_run([source], config=EXAMPLE_CONFIG)
    page = write_report(run.output).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert 'alert("x")</script>' not in page and "<img src=x" not in page
    assert "the other " in page, "a text longer than the shown part is folded"


def _chart_specs(page: str) -> dict:
    return json.loads(page.split("const specs = ", 1)[1].split(";\nfor (const", 1)[0])


HOSTILE_SOURCE = "<!--<script></script>"


def _run_with_a_hostile_and_a_long_source(clean_run, tmp_path, spm_model):
    """A run's folder, cleaned and tokenized: the tokens chart names the sources."""
    long_source = "https://example.com/" + "a" * 250
    records = [{"id": f"d{i}", "text": r["text"], "source": (HOSTILE_SOURCE, long_source, "src")[i % 3]}
               for i, r in enumerate(fixture_records()[:30])]
    path = tmp_path / "in" / "docs.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    run = clean_run([path], config=EXAMPLE_CONFIG, name="run/clean")
    done = cli("tokenize", "encode", str(run.output / "kept"), "--output", str(tmp_path / "run" / "tokenize"),
               "--model", str(spm_model), "--workers", "1", "--no-progress")
    assert done.returncode == 0, done.stderr
    return tmp_path / "run"


def test_a_source_name_cannot_end_the_charts_script(clean_run, tmp_path, spm_model):
    """A source named "<!--<script>" once opened a comment in the script that holds the charts'
    specifications, and no chart was drawn."""
    page = write_report(_run_with_a_hostile_and_a_long_source(clean_run, tmp_path, spm_model)).read_text("utf-8")
    script = page.split("const specs = ", 1)[1].split("</script>", 1)[0]
    assert "<" not in script.split(";\nfor (const", 1)[0]
    assert HOSTILE_SOURCE in json.dumps(_chart_specs(page), ensure_ascii=False)


def test_one_language_has_one_colour_on_every_chart(clean_run):
    """Each chart once coloured its languages in the order it met them: zh green in the funnel,
    orange among the edits."""
    run = clean_run([FIXTURES / "mixed_docs.jsonl"], config=EXAMPLE_CONFIG)
    specs = _chart_specs(write_report(run.output).read_text(encoding="utf-8"))
    domains = []
    for spec in specs.values():
        for chart in [spec, *spec.get("hconcat", [])]:
            colour = chart.get("encoding", {}).get("color")
            if colour and colour.get("field") == "lang":
                domains.append(colour["scale"]["domain"])
    assert len(domains) >= 4, "the funnel's two charts and the rejections and edits by rule"
    languages = sorted(set(run.stats["by_language"]))
    assert all(domain == languages for domain in domains), domains


@pytest.mark.browser
@pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
def test_hostile_and_long_source_names_leave_the_page_readable(clean_run, tmp_path, spm_model):
    pytest.importorskip("selenium", reason="selenium is not installed (pip install 'datacleaning[test]')")
    run = _run_with_a_hostile_and_a_long_source(clean_run, tmp_path, spm_model)
    rendered = open_page(write_report(run), tmp_path / "report.png")
    assert rendered.charts >= 3 and rendered.drawn == rendered.charts, rendered
    assert rendered.scrolling_tables == 0, "a 270-character source name widened the tables past the page"


def test_quarantined_records_count_under_their_file_and_the_breakdown_adds_up(clean_run, tmp_path):
    """Records the clean stage quarantines were in its input_docs but in no source or language:
    a file of broken records was missing from the report, and its tables summed to less than
    the stage read."""
    write_jsonl(tmp_path / "in" / "good.jsonl", [r["text"] for r in fixture_records()[:10]])
    (tmp_path / "in" / "broken.jsonl").write_text('{bad 1\n{bad 2\n{"id": 1, "text": 5}\n', encoding="utf-8")
    run = clean_run([tmp_path / "in"])
    stats = run.stats
    assert stats["quarantined_docs"] == 3 and len(run.quarantine) == 3
    assert stats["by_source"]["in/broken.jsonl"] == {"input_docs": 3, "quarantined_docs": 3}
    assert stats["by_language"]["unidentified"]["quarantined_docs"] == 3
    for table in ("by_source", "by_language"):
        assert sum(entry["input_docs"] for entry in stats[table].values()) == stats["input_docs"]
        rows, _ = breakdown_rows(read_run(run.output), table, limit=30)
        assert sum(row["read_docs"] for row in rows) == stats["input_docs"]
        assert sum(row["quarantined_docs"] for row in rows) == 3
    page = write_report(run.output).read_text(encoding="utf-8")
    assert "<th>quarantined</th>" in page
    # Why, by kind of fault: the two broken lines under one kind, the number in a text field another.
    assert "Quarantined, by kind of fault" in page
    assert sorted(stats["quarantined_by"].values()) == [1, 2]
    assert all(html.escape(kind) in page for kind in stats["quarantined_by"])


def test_report_to_a_folder_or_into_a_missing_one(clean_run, tmp_path):
    run = clean_run([write_jsonl(tmp_path / "in" / "docs.jsonl", ["一段足够长的中文文本，用来生成报告。" * 20])])
    (tmp_path / "pages").mkdir()
    assert cli("report", str(run.output), "--to", str(tmp_path / "pages")).returncode == 0
    assert (tmp_path / "pages" / "report.html").exists()
    done = cli("report", str(run.output), "--to", str(tmp_path / "new" / "deeper" / "run.html"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "new" / "deeper" / "run.html").exists()
    # A folder not there yet: a name that does not end in .html, with its slash or without.
    assert cli("report", str(run.output), "--to", str(tmp_path / "fresh") + "/").returncode == 0
    assert (tmp_path / "fresh" / "report.html").is_file()
    assert cli("report", str(run.output), "--to", str(tmp_path / "reports")).returncode == 0
    assert (tmp_path / "reports" / "report.html").is_file()
    (tmp_path / "rep.txt").write_text("notes\n", encoding="utf-8")  # a file not named .html: no folder to write into
    refused = cli("report", str(run.output), "--to", str(tmp_path / "rep.txt"))
    assert refused.returncode == 2 and "is a file, not a folder" in refused.stderr and "resume" not in refused.stderr


def test_dc_report_can_be_called_again_in_one_process(clean_run, tmp_path):
    """Loading the report package at the first call once took the name dc.report from the
    function: the second call raised "'module' object is not callable". A fresh interpreter, as a
    user's script has, since this test module has loaded the package already."""
    run = clean_run([write_jsonl(tmp_path / "in" / "docs.jsonl", ["一段足够长的中文文本，用来生成报告。" * 20])])
    script = ("import sys, datacleaning as dc\n"
              "first = dc.report(sys.argv[1])\n"
              "second = dc.report(sys.argv[1], sys.argv[1] + '/again.html')\n"
              "print(first, second)\n")
    done = subprocess.run([sys.executable, "-c", script, str(run.output)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (run.output / "report.html").exists() and (run.output / "again.html").exists()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
def test_the_report_renders_in_headless_chromium(example_run, tmp_path):
    pytest.importorskip("selenium", reason="selenium is not installed (pip install 'datacleaning[test]')")
    output, _ = example_run
    rendered = open_page(output / "report.html", tmp_path / "report.png")
    assert rendered.charts >= 8 and rendered.drawn == rendered.charts, rendered
    problems = [entry for entry in rendered.console if entry["level"] in ("SEVERE", "WARNING")]
    assert not problems, problems
    assert (tmp_path / "report.png").stat().st_size > 20_000


def test_report_command_on_a_folder_without_stats_says_so(tmp_path):
    done = subprocess.run([sys.executable, "-m", "datacleaning.cli", "report", str(tmp_path)],
                          capture_output=True, text=True, cwd=REPO_ROOT)
    assert done.returncode == 2 and "holds no finished stage" in done.stderr


def test_a_damaged_stats_file_is_named_and_damaged_samples_are_left_out(clean_run, tmp_path):
    run = clean_run([write_jsonl(tmp_path / "in" / "docs.jsonl", [r["text"] for r in fixture_records()[:20]])])
    samples = run.output / "review_samples.jsonl"
    kept_samples = len(samples.read_text(encoding="utf-8").splitlines())
    with open(samples, "a", encoding="utf-8") as f:
        f.write("{cut off\n[1, 2]\n")
    assert len(read_run(run.output).samples) == kept_samples
    report = cli("report", str(run.output))
    assert report.returncode == 0 and "2 lines are not review samples" in report.stderr
    (run.output / "stats.json").write_text("{", encoding="utf-8")
    report = cli("report", str(run.output))
    assert report.returncode == 2 and "stats.json is not a stage's stats" in report.stderr
    assert "Traceback" not in report.stderr


def test_probe_runs_get_a_report_with_the_marks_on_the_score_they_cut(tmp_path):
    """A probe run without buckets (the default) is reported, and cuts and limits are drawn on
    the score they were set on: here the buckets cut NLL per character, a limit holds the own
    script's NLL of Chinese, and perplexity carries neither."""
    docs = [{"id": r["id"], "text": r["text"][:300], "lang": r["lang"]} for r in fixture_records()[::3]]
    write_kept_shard(tmp_path / "kept", "a", docs)
    plain, cut = tmp_path / "plain", tmp_path / "cut"
    for output, extra in ((plain, []), (cut, ["--set", "probe.buckets=[0.5]", "--set", "probe.bucket_by=nll_per_char",
                                              "--set", "probe.max_main_nll_per_char={zh=9.5}"])):
        done = cli("probe", "score", str(tmp_path / "kept"), "--output", str(output), "--device", "cpu",
                   "--no-progress", *extra)
        assert done.returncode == 0, done.stderr
        assert "probe perplexity" in write_report(output).read_text(encoding="utf-8")

    stats = json.loads((plain / "stats.json").read_text())
    assert stats["buckets"] is None
    assert [(title, marks) for title, _, marks in probe_panels(stats, "zh")] == [("probe perplexity", [])]
    stats = json.loads((cut / "stats.json").read_text())
    zh = {title: marks for title, _, marks in probe_panels(stats, "zh")}
    assert zh["probe perplexity"] == []
    assert zh["probe NLL per character"] == [{"name": "nll_per_char_bucket cut 1",
                                              "value": stats["buckets"]["cuts"]["zh"][0], "lang": "zh"}]
    assert zh["probe NLL per character of its own script"] == [
        {"name": "probe.max_main_nll_per_char", "value": 9.5, "lang": "zh"}]
    assert "probe NLL per character of its own script" not in {title for title, _, _ in probe_panels(stats, "en")}

"""What the command line refuses before a run writes anything, with a message that names the
problem: an output folder holding another run's input or lying inside the input, a config file
that is wrong as written, settings that would make a run useless, a model the workers could not
load; and what it does when told nothing (the default profile)."""
from __future__ import annotations

import json
import pickle
import re
import shutil
from pathlib import Path

import pytest

import datacleaning
from datacleaning.manifest import code_version
from datacleaning.model_probe.loader import SHIPPED_TINY
from helpers import cli, kept_fixture_shards, read_rows, write_repeated_corpus


def _corpus(tmp_path, name="corpus", copies=1):
    folder = tmp_path / name
    write_repeated_corpus(folder, copies=copies)
    return folder


def _files(folder):
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*")}


def test_another_input_into_a_finished_output_folder_is_refused_before_anything_is_written(tmp_path):
    first, second = _corpus(tmp_path, "first"), _corpus(tmp_path, "second", copies=2)
    output = tmp_path / "out"
    assert cli("clean", str(first), "--output", str(output), "--no-progress").returncode == 0
    before = _files(output)
    again = cli("clean", str(second), "--output", str(output), "--no-progress")
    assert again.returncode == 2
    assert "different configuration or input" in again.stderr and "what differs: files" in again.stderr
    assert _files(output) == before
    # A setting: the message names its section.
    other = cli("clean", str(first), "--output", str(output), "--no-progress", "--set", "clean.score_all=true")
    assert other.returncode == 2 and "what differs: clean" in other.stderr, other.stderr


def test_an_input_file_changed_since_the_run_started_is_refused(tmp_path):
    corpus = _corpus(tmp_path)
    output = tmp_path / "out"
    assert cli("clean", str(corpus), "--output", str(output), "--no-progress").returncode == 0
    part = corpus / "part-0.jsonl"
    part.write_text(part.read_text(encoding="utf-8").replace("。", "，", 1), encoding="utf-8")
    again = cli("clean", str(corpus), "--output", str(output), "--no-progress")
    assert again.returncode == 2 and "different configuration or input" in again.stderr
    assert f"what differs: files (changed: {part})" in again.stderr, again.stderr
    # A file added and one gone are named as such.
    (corpus / "part-0.jsonl").rename(corpus / "renamed.jsonl")
    again = cli("clean", str(corpus), "--output", str(output), "--no-progress")
    assert f"files (added: {corpus / 'renamed.jsonl'}; gone: {part})" in again.stderr, again.stderr


def test_an_unfinished_run_of_another_version_is_not_resumed_and_a_finished_one_is_kept_with_a_warning(tmp_path):
    """Another version of the package (a copy with one file changed, imported first) cleans a
    corpus; this version reruns the same command. The finished run is left as it is, with a
    warning; the same run unfinished (its manifest not marked complete, as a killed run leaves
    it) is refused, since resuming would judge its units by two versions; the version that began
    it resumes it."""
    other = tmp_path / "other"
    shutil.copytree(Path(datacleaning.__file__).parent, other / "datacleaning",
                    ignore=shutil.ignore_patterns("__pycache__"))
    with open(other / "datacleaning" / "__init__.py", "a", encoding="utf-8") as f:
        f.write("# another version\n")
    as_other = {"PYTHONPATH": str(other)}
    corpus, output = _corpus(tmp_path), tmp_path / "out"
    command = ("clean", str(corpus), "--output", str(output), "--no-progress")
    assert cli(*command, env=as_other, cwd=tmp_path).returncode == 0
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["complete"] and manifest["code"] != code_version()
    before = _files(output)

    finished = cli(*command, cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert "completed_by_other_code" in finished.stderr and manifest["code"] in finished.stderr
    assert _files(output) == before

    (output / "manifest.json").write_text(json.dumps({k: v for k, v in manifest.items() if k != "complete"}))
    unfinished = _files(output)
    refused = cli(*command, cwd=tmp_path)
    assert refused.returncode == 2
    assert "another version of datacleaning" in refused.stderr and manifest["code"] in refused.stderr
    assert _files(output) == unfinished
    assert cli(*command, env=as_other, cwd=tmp_path).returncode == 0
    assert json.loads((output / "manifest.json").read_text())["complete"]


def test_a_run_into_a_folder_of_someone_elses_files_is_refused_and_writes_nothing(tmp_path):
    """`run` writes a folder per stage and report.html into its output: a folder holding other
    files, or a report.html beside no stage's folder, is not a run's to resume, as `clean` refuses
    a folder of files without a manifest; a file given as the output folder is refused by both."""
    corpus = _corpus(tmp_path)
    for name, content in (("notes.txt", "my notes"), ("report.html", "<p>my report</p>")):
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        (folder / name).write_text(content)
        refused = cli("run", str(corpus), "--output", str(folder), "--no-progress")
        assert refused.returncode == 2, refused.stderr
        assert f"holds files that no run wrote ({name})" in refused.stderr
        assert [p.name for p in folder.iterdir()] == [name] and (folder / name).read_text() == content
    a_file = tmp_path / "a_file"
    a_file.write_text("mine")
    for command in ("run", "clean"):
        refused = cli(command, str(corpus), "--output", str(a_file), "--no-progress")
        assert refused.returncode == 2 and f"{a_file} is a file, not a folder" in refused.stderr, refused.stderr
    assert a_file.read_text() == "mine"


def test_a_run_folder_left_with_its_report_or_a_half_written_file_is_still_a_runs(tmp_path):
    """Deleting a run's stage folders to redo them leaves its report.html, and a run killed while
    it wrote a file leaves a .tmp- file: the folder stays the run's to write into again."""
    corpus, output = _corpus(tmp_path), tmp_path / "out"
    command = ("run", str(corpus), "--output", str(output), "--no-progress", "--set", 'run.stages=["clean"]')
    assert cli(*command).returncode == 0
    shutil.rmtree(output / "clean")
    (output / ".tmp-report.html").write_text("<!DOCTYPE html>")
    again = cli(*command)
    assert again.returncode == 0, again.stderr
    assert (output / "clean" / "manifest.json").exists()


def test_a_stage_run_again_after_it_completed_says_it_redid_nothing(tmp_path):
    corpus, output = _corpus(tmp_path), tmp_path / "out"
    first = cli("clean", str(corpus), "--output", str(output), "--no-progress")
    assert first.returncode == 0 and "already complete" not in first.stdout
    again = cli("clean", str(corpus), "--output", str(output), "--no-progress")
    assert again.returncode == 0
    assert f"clean: {output} holds this run, already complete: nothing was redone" in again.stdout
    exported = tmp_path / "exported"
    for time in ("first", "again"):
        export = cli("export", str(output / "kept"), "--output", str(exported), "--no-progress")
        assert export.returncode == 0 and ("already complete" in export.stdout) == (time == "again"), export.stdout


def test_a_missing_input_folder_is_named_as_missing(tmp_path):
    missing = tmp_path / "nowhere"
    for command in (("dedup", str(missing), "--output", str(tmp_path / "d")), ("report", str(missing))):
        refused = cli(*command)
        assert refused.returncode == 2 and f"{missing} does not exist" in refused.stderr, refused.stderr


def test_clean_reads_the_configs_input_paths_when_no_input_is_named(tmp_path):
    corpus = _corpus(tmp_path)
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "job.toml"
    config.write_text('extends = "mixed_web"\n[input]\npaths = ["../corpus"]\n', encoding="utf-8")  # from its folder
    done = cli("clean", "--config", str(config), "--output", str(tmp_path / "out"), "--no-progress")
    assert done.returncode == 0, done.stderr
    named = cli("clean", str(corpus), "--config", str(config), "--output", str(tmp_path / "named"), "--no-progress")
    assert named.returncode == 0, named.stderr
    assert len(read_rows(tmp_path / "out" / "kept")) == len(read_rows(tmp_path / "named" / "kept")) > 0
    refused = cli("clean", "--output", str(tmp_path / "none"), "--no-progress")
    assert refused.returncode == 2 and "no input given: name the dumps to clean" in refused.stderr, refused.stderr
    ignored = cli("run", str(tmp_path / "out" / "kept"), "--output", str(tmp_path / "run"), "--set",
                  'run.stages=["dedup"]')  # an INPUT no stage of the run reads was passed over in silence
    assert ignored.returncode == 2 and "run.stages (dedup) has none" in ignored.stderr, ignored.stderr


def test_a_run_refused_at_a_later_stage_reports_the_stages_that_ran_again(tmp_path):
    """Clean redone with another limit, dedup then refused for its changed input: the report must
    show the clean that ran, not the one before it."""
    corpus = _corpus(tmp_path)
    stages = ["--set", 'run.stages=["clean", "dedup"]', "--no-progress"]
    first = cli("run", str(corpus), "--output", str(tmp_path / "out"), *stages)
    assert first.returncode == 0, first.stderr
    shutil.rmtree(tmp_path / "out" / "clean")
    again = cli("run", str(corpus), "--output", str(tmp_path / "out"), *stages,
                "--set", "clean.rule_settings.length.min_chars=400")
    assert again.returncode == 2 and "dedup" in again.stderr, again.stderr
    stats = json.loads((tmp_path / "out" / "clean" / "stats.json").read_text(encoding="utf-8"))
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (tmp_path / "out" / "report.html").read_text(encoding="utf-8")))
    assert "report:" in again.stdout
    assert f"clean complete {stats['input_docs']:,} {stats['kept_docs']:,} " in shown


def test_files_told_apart_by_their_folders_are_part_of_what_a_resume_must_match(tmp_path):
    """Files of one name given from two folders are named by their folders (their documents'
    source and default ids), and those names are part of the run's fingerprint, so that a run
    begun when they were named otherwise (an earlier version) is not resumed with both; a run of
    files of names of their own has the fingerprint it had, and resumes as before."""
    for day in ("d1", "d2"):
        _corpus(tmp_path / day, "data")
    first, second = (tmp_path / day / "data" / "part-0.jsonl" for day in ("d1", "d2"))
    assert cli("clean", str(first), str(second), "--output", str(tmp_path / "both"), "--no-progress").returncode == 0
    parts = json.loads((tmp_path / "both" / "manifest.json").read_text())["parts"]
    assert "names" in parts
    assert cli("clean", str(first), "--output", str(tmp_path / "one"), "--no-progress").returncode == 0
    assert "names" not in json.loads((tmp_path / "one" / "manifest.json").read_text())["parts"]


def test_an_output_folder_inside_or_equal_to_the_input_is_refused(tmp_path):
    corpus = _corpus(tmp_path)
    for output in (corpus / "out", corpus):
        result = cli("clean", str(corpus), "--output", str(output), "--no-progress")
        assert result.returncode == 2, result.stderr
        assert "overlap" in result.stderr
    assert not (corpus / "out").exists()
    kept = tmp_path / "kept"
    kept_fixture_shards(kept)
    dedup = cli("dedup", str(kept), "--output", str(kept / "dedup"), "--no-progress")
    assert dedup.returncode == 2 and "overlap" in dedup.stderr


def test_a_bad_value_in_the_config_file_is_refused_even_when_a_flag_overrides_it(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('extends = "mixed_web"\n[run]\nworkers = "two"\n', encoding="utf-8")
    result = cli("clean", str(_corpus(tmp_path)), "--output", str(tmp_path / "out"), "--config", str(config),
                 "--workers", "2", "--no-progress")
    assert result.returncode == 2
    assert "config.toml: run.workers" in result.stderr


def test_a_tiny_chunk_size_and_no_text_field_are_refused(tmp_path):
    corpus = _corpus(tmp_path)
    tiny = cli("clean", str(corpus), "--output", str(tmp_path / "a"), "--chunk-bytes", "1", "--no-progress")
    assert tiny.returncode == 2 and "input.chunk_bytes" in tiny.stderr
    none = cli("clean", str(corpus), "--output", str(tmp_path / "b"), "--set", "input.text_fields=[]", "--no-progress")
    assert none.returncode == 2 and "input.text_fields" in none.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_without_a_config_the_default_profile_judges_and_is_named(tmp_path):
    corpus = _corpus(tmp_path)
    result = cli("clean", str(corpus), "--output", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "profile=mixed_web" in result.stderr
    assert "profile mixed_web" in result.stdout
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert stats["profile"] == "mixed_web"
    assert stats["rejected_docs"] > 0, "the default profile should reject something of real web text"


def test_a_pipeline_without_rules_must_be_asked_for(tmp_path):
    corpus = _corpus(tmp_path)
    config = tmp_path / "only_paths.toml"
    config.write_text(f'[input]\npaths = ["{corpus}"]\n', encoding="utf-8")
    refused = cli("clean", str(corpus), "--output", str(tmp_path / "a"), "--config", str(config), "--no-progress")
    assert refused.returncode == 2 and "--profile none" in refused.stderr
    asked = cli("clean", str(corpus), "--output", str(tmp_path / "b"), "--profile", "none", "--no-progress")
    assert asked.returncode == 0, asked.stderr
    stats = json.loads((tmp_path / "b" / "stats.json").read_text())
    assert stats["profile"] == "none"
    assert stats["kept_docs"] == len(read_rows(tmp_path / "b" / "kept")) > stats["rejected_docs"]


class _RunsCode:
    def __reduce__(self):
        return (shutil.rmtree, ("/nonexistent-folder-of-this-test",))


def test_a_model_the_workers_could_not_load_stops_the_probe_before_any_unit(tmp_path):
    kept = tmp_path / "kept"
    kept_fixture_shards(kept)
    model = tmp_path / "model"
    shutil.copytree(SHIPPED_TINY, model)
    (model / "model.safetensors").unlink()
    with open(model / "pytorch_model.bin", "wb") as f:
        pickle.dump({"model.embed_tokens.weight": _RunsCode()}, f, protocol=2)
    result = cli("probe", "score", str(kept), "--output", str(tmp_path / "probe"), "--model", str(model),
                 "--workers", "2", "--no-progress")
    assert result.returncode == 2, result.stderr
    assert "pytorch_model.bin is a pickle that holds more than tensors" in result.stderr
    assert "rmtree" in result.stderr, "the message should say what the pickle holds"
    assert not (tmp_path / "probe" / ".units").exists(), "no unit should have started"

    (model / "pytorch_model.bin").unlink()
    missing = cli("probe", "score", str(kept), "--output", str(tmp_path / "probe2"), "--model", str(model),
                  "--no-progress")
    assert missing.returncode == 2 and "holds none of model.safetensors" in missing.stderr



def test_an_output_folder_holding_files_of_something_else_is_refused(tmp_path):
    """A stray shard in kept/ would be read as the run's own (the stats saying one count, the
    folder holding another); a folder with files but no manifest is not an output to resume."""
    corpus = _corpus(tmp_path)
    (tmp_path / "out" / "kept").mkdir(parents=True)
    (tmp_path / "out" / "kept" / "old.arrow").write_bytes(b"junk\n")
    result = cli("clean", str(corpus), "--output", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 2 and "holds files but no manifest.json" in result.stderr
    assert "Traceback" not in result.stderr
    (tmp_path / "empty").mkdir()  # an empty folder made beforehand is fine
    assert cli("clean", str(corpus), "--output", str(tmp_path / "empty"), "--no-progress").returncode == 0


def test_an_output_a_recursive_glob_of_the_input_reaches_is_refused(tmp_path):
    """data/**/*.jsonl would find the run's own review_samples.jsonl under data/out next time
    (and the rerun that resumes it would be refused), so data/out is refused at once; a glob
    whose wildcards are in the file name alone cannot reach into it."""
    corpus = _corpus(tmp_path, "data")
    recursive = cli("clean", str(corpus / "**" / "*.jsonl"), "--output", str(corpus / "out"), "--no-progress")
    assert recursive.returncode == 2 and "overlap" in recursive.stderr
    flat = cli("clean", str(corpus / "*.jsonl"), "--output", str(corpus / "out"), "--no-progress")
    assert flat.returncode == 0, flat.stderr


def test_a_glob_of_folders_is_refused_only_an_output_its_folders_can_match(tmp_path):
    """shard_*/*.jsonl can never read from out/, which its folder part does not match (it used to
    be refused for lying below the glob's fixed part); */*.jsonl could, and is."""
    for shard in ("shard_a", "shard_b"):
        _corpus(tmp_path, shard)
    pattern = str(tmp_path / "shard_*" / "*.jsonl")
    matched = cli("clean", pattern, "--output", str(tmp_path / "out"), "--no-progress")
    assert matched.returncode == 0, matched.stderr
    assert cli("clean", pattern, "--output", str(tmp_path / "out"), "--no-progress").returncode == 0
    anything = cli("clean", str(tmp_path / "*" / "*.jsonl"), "--output", str(tmp_path / "out2"), "--no-progress")
    assert anything.returncode == 2 and "overlap" in anything.stderr
    # A glob that matches a folder reads all of it: an output inside that folder is refused.
    folders = cli("clean", str(tmp_path / "shard_*"), "--output", str(tmp_path / "shard_a" / "out"), "--no-progress")
    assert folders.returncode == 2 and "overlap" in folders.stderr


def test_a_second_run_into_an_output_folder_another_run_holds_is_refused(tmp_path):
    """Two jobs started from different folders (each with its own pid file) into one output: the
    one that comes second is refused, where it used to delete the shards the first committed.
    Here the first is this test holding the folder as a run does."""
    from datacleaning.manifest import exclusive_output

    corpus = _corpus(tmp_path)
    output = tmp_path / "out"
    with exclusive_output(output):
        second = cli("clean", str(corpus), "--output", str(output), "--no-progress")
        assert second.returncode == 2
        assert "is being written by another run right now" in second.stderr
        assert not list(output.iterdir())
    assert cli("clean", str(corpus), "--output", str(output), "--no-progress").returncode == 0


@pytest.mark.parametrize("command", [["export", "KEPT"], ["rejudge", "CLEAN"]])
def test_export_and_rejudge_are_refused_an_output_folder_another_run_holds(tmp_path, command):
    """They run outside the stages' runner, and took no hold of their output: a second one into
    the same folder deleted the files the first was writing."""
    from datacleaning.manifest import exclusive_output

    clean = tmp_path / "clean"
    assert cli("clean", str(_corpus(tmp_path)), "--output", str(clean), "--no-progress", "--set",
               "clean.score_all=true").returncode == 0
    args = [{"KEPT": str(clean / "kept"), "CLEAN": str(clean)}.get(a, a) for a in command]
    output = tmp_path / "out"
    with exclusive_output(output):
        second = cli(*args, "--output", str(output), "--no-progress")
        assert second.returncode == 2, second.stderr
        assert "is being written by another run right now" in second.stderr
        assert not list(output.iterdir())
    done = cli(*args, "--output", str(output), "--no-progress")
    assert done.returncode == 0, done.stderr


def test_a_second_run_is_refused_before_it_reports_on_or_writes_into_the_run_folder(tmp_path):
    """A second `run` into a run folder another run is writing (its clean stage long complete, a
    later stage under way) was refused only at the stage the first one held: it printed the
    finished stages' summaries as if it had run them, and wrote report.html into the folder the
    first run was writing. It is refused at once."""
    from datacleaning.manifest import exclusive_output

    corpus = _corpus(tmp_path)
    output = tmp_path / "out"
    stages = ["--set", 'run.stages=["clean", "dedup"]', "--no-progress"]
    assert cli("run", str(corpus), "--output", str(output), *stages).returncode == 0
    (output / "report.html").unlink()
    with exclusive_output(output), exclusive_output(output / "dedup"):  # as a run does, in its dedup stage
        second = cli("run", str(corpus), "--output", str(output), *stages)
        assert second.returncode == 2
        assert "is being written by another run right now" in second.stderr
        assert "already complete" not in second.stdout
        assert not (output / "report.html").exists()

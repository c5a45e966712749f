"""A full disk: every write that fails ends the run with one line naming the file and the operating
system's reason (no traceback), exit 1, and the same command resumes once there is space again.

The disk is a real one: a small tmpfs mounted for the test, which needs root (CI runs as root);
elsewhere the test is skipped, saying so."""
from __future__ import annotations

import os
import subprocess

import pytest

from helpers import EXAMPLE_CONFIG, cli, outcome_sets, write_repeated_corpus

# Whole stages in processes of their own (runs, kills, resumes, Ray, S3): `pytest -m "not slow"` leaves these out.
pytestmark = pytest.mark.slow

PAGE = 4096


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill up (needs root): {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def _fill(disk, leave_bytes: int):
    """A file that takes all the free space of ``disk`` but ``leave_bytes``."""
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    filler = disk / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * max(free - leave_bytes, 0))
    return filler


def _clean(corpus, output):
    return cli("clean", str(corpus), "--output", str(output), "--config", str(EXAMPLE_CONFIG), "--workers", "2",
               "--chunk-bytes", "40000", "--no-progress")


def _one_clear_line(stderr: str, file_name: str) -> None:
    assert "Traceback" not in stderr, stderr
    [line] = [line for line in stderr.splitlines() if line.startswith("datacleaning: ")]
    assert file_name in line and "No space left on device" in line, line


def test_a_full_disk_ends_the_run_with_one_clear_line_and_the_run_resumes_when_space_is_freed(tmp_path, small_disk):
    corpus = tmp_path / "corpus"
    write_repeated_corpus(corpus, copies=2)
    reference = _clean(corpus, tmp_path / "reference")
    assert reference.returncode == 0, reference.stderr
    output = small_disk / "out"

    # Full before anything is written: the manifest cannot be written.
    filler = _fill(small_disk, leave_bytes=0)
    first = _clean(corpus, output)
    assert first.returncode == 1
    _one_clear_line(first.stderr, "manifest.json")

    # One page left: the manifest fits, every unit fails to write its shards, then stats.json fails.
    filler.unlink()
    filler = _fill(small_disk, leave_bytes=PAGE)
    second = _clean(corpus, output)
    assert second.returncode == 1
    _one_clear_line(second.stderr, "stats.json")

    filler.unlink()
    third = _clean(corpus, output)
    assert third.returncode == 0, third.stderr
    assert outcome_sets(output) == outcome_sets(tmp_path / "reference")

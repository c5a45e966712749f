"""The tests' fixtures and hooks: run the real clean stage in process, find the development corpus,
train a small SentencePiece model once, keep torch on one thread, and mark what reads the corpus or
needs a GPU. The plain helpers they use are in helpers.py."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import datacleaning
from datacleaning.config import load_config
from datacleaning.stages import run_stage
from helpers import REPO_ROOT, CleanRun, kept_fixture_shards, read_rows


@pytest.fixture
def clean_run(tmp_path):
    """``clean_run(inputs, workers=2, config=None, overrides=[...], name="out") -> CleanRun``.

    Runs the clean stage for real (worker processes included) into ``tmp_path / name``.
    """

    def run(inputs, *, workers: int = 2, config: str | os.PathLike | None = None,
            overrides: list = (), name: str = "out") -> CleanRun:
        cfg = load_config(config, [(["run", "workers"], workers), (["run", "progress"], False), *overrides])
        output = tmp_path / name
        run_stage("clean", cfg, [str(p) for p in inputs], output)
        stats = json.loads((output / "stats.json").read_text(encoding="utf-8"))
        return CleanRun(output, stats, read_rows(output / "kept"), read_rows(output / "rejected"),
                        read_rows(output / "quarantine"))

    return run


@pytest.fixture
def dev_data() -> Path:
    """The read-only development corpus: $DATACLEANING_DEV_DATA, else ../shared/data/dev beside the
    repository; the test is skipped when neither exists."""
    configured = os.environ.get("DATACLEANING_DEV_DATA")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data" / "dev"
    if not path.is_dir():
        pytest.skip(f"development corpus not found at {path} (set DATACLEANING_DEV_DATA to its folder)")
    return path


@pytest.fixture(scope="session")
def spm_model(tmp_path_factory) -> Path:
    """A small SentencePiece model (BPE, 3,000 pieces, the default training options otherwise)
    trained once per test session on the fixture documents by the project's own trainer."""
    folder = tmp_path_factory.mktemp("spm")
    kept_fixture_shards(folder / "kept")
    model = folder / "fixture.model"
    datacleaning.train_spm(folder / "kept", model, load_config(None, [(["tokenize", "train", "vocab_size"], 3000)]),
                           workers=1)
    return model


@pytest.fixture
def one_torch_thread():
    """torch on one thread for the test: small shapes gain nothing from more, and the machine is
    shared with the worker processes of other tests."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def pytest_collection_modifyitems(config, items):
    """A test that reads the development corpus is marked ``corpus``; one marked ``gpu`` is skipped
    where torch sees no CUDA device (torch is imported only when such a test was collected)."""
    for item in items:
        if "dev_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.corpus)
    gpu_tests = [item for item in items if "gpu" in item.keywords]
    if gpu_tests:
        import torch
        if not torch.cuda.is_available():
            for item in gpu_tests:
                item.add_marker(pytest.mark.skip(reason="needs a GPU"))

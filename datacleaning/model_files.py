"""Reading the model files the learned rules ship and users train: numpy ``.npz`` archives."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import numpy as np

Model = TypeVar("Model")


def read_npz(path: str | os.PathLike, build: Callable[[Mapping[str, np.ndarray]], Model],
             error: type[ValueError], kind: str) -> Model:
    """``build`` applied to the arrays of the ``.npz`` file at ``path``. A file that is not such an
    archive, or lacks what ``build`` reads, raises ``error`` ("PATH: not a KIND (why)"); a missing
    file raises FileNotFoundError."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return build(data)
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise error(f"{path}: not a {kind} ({e})") from e


def rule_model_path(base_dir: Path, model: str, shipped: Path) -> Path:
    """The model file a rule's ``model`` setting names, relative to the config's folder
    ``base_dir``; empty, the one ``shipped`` in the package."""
    return (base_dir / model).resolve() if model else shipped

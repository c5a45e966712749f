"""Load a locally downloaded Hugging Face TransNormerLLM folder, and save a model in the same layout.

A folder holds ``config.json``, the weights as ``model.safetensors``, ``pytorch_model.bin``, or
either of them sharded with its ``*.index.json``, and usually ``tokenizer.model`` (SentencePiece).
``pytorch_model.bin`` is a pickle, so it is read with ``torch.load(weights_only=True)``, which refuses
anything but tensors and plain containers.
"""
from __future__ import annotations

import json
import os
import pickle
import shutil
import zipfile
from pathlib import Path

import sentencepiece as spm
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from datacleaning.model_probe.config import ModelConfig
from datacleaning.model_probe.model import TransNormerLM
from datacleaning.tokenize.spm import load_model as load_spm

SHIPPED_TINY = Path(__file__).resolve().parent / "tiny"
TOKENIZER_FILE = "tokenizer.model"

# In the order they are looked for; an index names the shards that hold each weight.
_WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json",
                 "pytorch_model.bin", "pytorch_model.bin.index.json")
# The lm_head is tied to the embedding: a checkpoint may carry a copy, which the tie overrides.
_TIED_HEAD = "lm_head.weight"


class CheckpointError(ValueError):
    """A checkpoint folder that does not hold the model its config.json describes."""


def load_model(folder: str | os.PathLike = SHIPPED_TINY, *, device: str | torch.device = "cpu",
               dtype: torch.dtype = torch.float32) -> TransNormerLM:
    """The model of a Hugging Face TransNormerLLM folder (default: the tiny model shipped with the
    package), in eval mode on ``device`` with floating weights in ``dtype``."""
    folder = Path(folder)
    config = ModelConfig.load(_config_path(folder))
    with torch.device("meta"):
        model = TransNormerLM(config)
    weights = _map_names(read_weights(folder))
    _check_weights(folder, config, model, weights)
    model.load_state_dict({name: weights[name] for name in model.state_dict()}, assign=True)
    return model.to(device).cast(dtype).eval()


def _config_path(folder: str | os.PathLike) -> Path:
    """A model folder's config.json; CheckpointError where there is none."""
    folder = Path(folder)
    if not folder.exists():
        raise CheckpointError(f"{folder} does not exist")
    if not (folder / "config.json").is_file():
        raise CheckpointError(f"{folder} has no config.json")
    return folder / "config.json"


def check_folder(folder: str | os.PathLike) -> None:
    """Raise what :func:`load_model` and :func:`load_tokenizer` would raise for ``folder``, without
    reading the weights' data or running the model: a stage checks its model once this way before
    any worker loads it."""
    folder = Path(folder)
    config_path = _config_path(folder)
    try:
        config = ModelConfig.load(config_path)
    except (ValueError, TypeError, KeyError) as e:
        raise CheckpointError(f"{config_path}: {e}") from None
    with torch.device("meta"):
        model = TransNormerLM(config)
    _check_weights(folder, config, model, _map_names(read_weights(folder, shapes_only=True)))
    pieces = load_tokenizer(folder).vocab_size()
    if pieces > config.vocab_size:
        raise CheckpointError(f"{folder / TOKENIZER_FILE} has {pieces:,} pieces and the model's vocabulary "
                              f"{config.vocab_size:,} ids (config.json vocab_size): not the model's tokenizer")


def read_weights(folder: str | os.PathLike, *, shapes_only: bool = False) -> dict[str, torch.Tensor]:
    """Every tensor of the folder's weight file(s), by checkpoint name, on the CPU (on the meta
    device, data unread, with ``shapes_only``)."""
    folder = Path(folder)
    name = next((f for f in _WEIGHT_FILES if (folder / f).is_file()), None)
    if name is None:
        raise CheckpointError(f"{folder} holds none of {', '.join(_WEIGHT_FILES)}")
    if name.endswith(".index.json"):
        with open(folder / name, encoding="utf-8") as f:
            weight_map = json.load(f).get("weight_map")
        if not isinstance(weight_map, dict):
            raise CheckpointError(f"{folder / name} has no weight_map")
        shards = sorted(set(weight_map.values()))
        loaded = {}
        for shard in shards:
            path = (folder / shard).resolve()
            if path.parent != folder.resolve() or not path.is_file():
                raise CheckpointError(f"{folder / name} names shard {shard!r}, which is not a file in {folder}")
            loaded.update(_read_file(path, shapes_only=shapes_only))
        missing = sorted(set(weight_map) - set(loaded))
        if missing:
            raise CheckpointError(f"{folder / name} maps {_names(missing)} to shards that do not hold them")
        return loaded
    return _read_file(folder / name, shapes_only=shapes_only)


def _read_file(path: Path, *, shapes_only: bool = False) -> dict[str, torch.Tensor]:
    """The tensors of one weight file; with ``shapes_only``, tensors on the meta device, without
    reading the weights' data."""
    if path.suffix == ".safetensors":
        try:
            if not shapes_only:
                return load_file(path, device="cpu")
            with safe_open(path, "pt") as f:
                return {name: torch.empty(f.get_slice(name).get_shape(), device="meta") for name in f.keys()}
        except SafetensorError as e:
            raise CheckpointError(f"{path} is not a readable safetensors file (cut short or damaged?): {e}") from None
    try:
        # Memory-mapped, a zip-format checkpoint is read only where it is used.
        state = torch.load(path, map_location="cpu", weights_only=True, mmap=zipfile.is_zipfile(path))
    except (EOFError, RuntimeError, zipfile.BadZipFile) as e:
        raise CheckpointError(f"{path} cannot be read as a PyTorch checkpoint (cut short or damaged?): {e}") from None
    except pickle.UnpicklingError as e:
        if "truncated" in str(e) or "ran out of input" in str(e).lower():
            raise CheckpointError(f"{path} is cut short: {e}") from None
        reason = str(e).partition("WeightsUnpickler error:")[2].split("Check the documentation")[0]
        raise CheckpointError(f"{path} is a pickle that holds more than tensors, which is not loaded "
                              f"(torch.load(weights_only=True): {' '.join(reason.split()) or e})") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path} is not a state dict of tensors")
    return {name: t.to("meta") for name, t in state.items()} if shapes_only else state


def _map_names(weights: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Checkpoint names to ours: a bare ``TransnormerModel`` (no ``model.`` prefix) is accepted too."""
    if any(name.startswith("model.") for name in weights):
        return weights
    return {name if name == _TIED_HEAD else f"model.{name}": tensor for name, tensor in weights.items()}


def _check_weights(folder: Path, config: ModelConfig, model: TransNormerLM, weights: dict) -> None:
    expected = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    expected_head = expected["model.embed_tokens.weight"]
    problems = []
    missing = sorted(set(expected) - set(weights))
    if missing:
        problems.append(f"missing {_names(missing)}")
    unexpected = sorted(set(weights) - set(expected) - {_TIED_HEAD})
    if unexpected:
        problems.append(f"unexpected {_names(unexpected)}")
    shapes = dict(expected, **{_TIED_HEAD: expected_head})
    wrong = [f"{name} is {tuple(weights[name].shape)}, expected {shape}"
             for name, shape in shapes.items() if name in weights and tuple(weights[name].shape) != shape]
    if wrong:
        problems.append("wrong shape: " + _names(wrong, "; "))
    if problems:
        sizes = (f"d_model={config.d_model}, n_layers={config.n_layers}, n_heads={config.n_heads}, "
                 f"glu_dim={config.glu_dim}, vocab_size={config.vocab_size}, lrpe_layers={list(config.lrpe_layers)}")
        raise CheckpointError(f"{folder}: the weights do not match config.json ({sizes}): " + " | ".join(problems))


def _names(names: list[str], sep: str = ", ") -> str:
    shown = sep.join(names[:5])
    return shown + (f" (and {len(names) - 5} more)" if len(names) > 5 else "")


def save_model(model: TransNormerLM, folder: str | os.PathLike, *, dtype: torch.dtype = torch.float16,
               tokenizer: str | os.PathLike | None = None) -> None:
    """Write ``config.json`` and ``model.safetensors`` (the tied lm_head is not stored, as upstream),
    and copy ``tokenizer`` to ``tokenizer.model`` when given."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # LRPE θ stays fp32 (see TransNormerLM.cast); it is a few hundred numbers.
    tensors = {name: t.detach().to("cpu", torch.float32 if name.endswith("lrpe.theta") else dtype).contiguous()
               for name, t in model.state_dict().items()}
    save_file(tensors, folder / "model.safetensors", metadata={"format": "pt"})
    hf = model.config.to_hf()
    hf["torch_dtype"] = str(dtype).removeprefix("torch.")
    (folder / "config.json").write_text(json.dumps(hf, indent=2) + "\n", encoding="utf-8")
    if tokenizer is not None:
        shutil.copyfile(tokenizer, folder / TOKENIZER_FILE)


def load_tokenizer(folder: str | os.PathLike = SHIPPED_TINY) -> spm.SentencePieceProcessor:
    path = Path(folder) / TOKENIZER_FILE
    if not path.is_file():
        raise CheckpointError(f"{folder} has no {TOKENIZER_FILE}")
    return load_spm(path)

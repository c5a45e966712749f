"""TransNormerLLM model, loader, scorer and trainer: invariants that a wrong implementation breaks."""
import io
import json
import math
import os
import random
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

if not torch.cuda.is_available():
    # The Triton kernel runs in the interpreter on CPU tensors (see test_probe_lightning.py).
    os.environ.setdefault("TRITON_INTERPRET", "1")

from datacleaning.model_probe import model as model_module  # noqa: E402
from datacleaning.model_probe.config import SIZE_385M, ModelConfig  # noqa: E402
from datacleaning.model_probe.loader import (SHIPPED_TINY, CheckpointError, check_folder, load_model,  # noqa: E402
                                             load_tokenizer, save_model)
from datacleaning.model_probe.model import TransNormerLM, alibi_slopes, decay_rates  # noqa: E402
from datacleaning.model_probe.score import Scorer  # noqa: E402
from datacleaning.model_probe.train import TrainConfig, document_pieces, train_model  # noqa: E402
from helpers import FIXTURES  # noqa: E402

# Small, but with everything the real one has: LRPE in layer 0, several heads, scaled embedding.
SMALL = ModelConfig(d_model=32, n_layers=3, n_heads=4, glu_dim=48, vocab_size=61)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def make_model(config=SMALL, seed=0) -> TransNormerLM:
    torch.manual_seed(seed)
    model = TransNormerLM(config).eval()
    with torch.no_grad():  # θ away from its start, so a loader that ignored it would be caught
        for module in model.modules():
            if isinstance(module, model_module.Lrpe):
                module.theta.mul_(1 + torch.rand_like(module.theta))
    return model


def random_docs(n_docs, low, high, vocab=SMALL.vocab_size, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(3, vocab, size=int(rng.integers(low, high))) for _ in range(n_docs)]


def nll_of(model, ids):
    ids = torch.as_tensor(ids)[None]
    with torch.no_grad():
        return model.token_nll(ids[:, :-1], ids[:, 1:])[0][0]


# --- decay ----------------------------------------------------------------------------------------

def test_decay_follows_the_alibi_formula():
    # 385M: 8 heads, 24 layers. Head 2 of layer 5: m = 2^(-8·3/8) = 1/8, s = m·(1 − 5/23 + 1e−5).
    s = decay_rates(8, 5, 24)
    assert s.dtype == torch.float32
    assert s[2].item() == pytest.approx(0.125 * (1 - 5 / 23 + 1e-5), rel=1e-6)
    assert decay_rates(8, 0, 24)[0].item() == pytest.approx(0.5 * (1 + 1e-5), rel=1e-6)  # fastest head, first layer
    assert decay_rates(8, 23, 24)[7].item() == pytest.approx(2.0 ** -8 * 1e-5, rel=1e-5)  # top layer: ~no decay
    # Not a power of two: the 4 slopes of 4 heads, then every other slope of 8 heads.
    assert alibi_slopes(6) == pytest.approx([2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8, 2 ** -1, 2 ** -3])


# --- model invariants -------------------------------------------------------------------------------

def transcribed_log_probs(model, ids) -> torch.Tensor:
    """The model written out from the equations, one head at a time, in fp64 with quadratic
    attention, from the state dict alone: log p(next token) at every position."""
    cfg = model.config
    w = {name: t.double() for name, t in model.state_dict().items()}
    heads, dh = cfg.n_heads, cfg.head_dim
    t = torch.arange(len(ids), dtype=torch.float64)
    gap = t[:, None] - t[None, :]

    def srms(x):
        return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)

    x = w["model.embed_tokens.weight"][torch.as_tensor(ids)] * math.sqrt(cfg.d_model)
    for layer in range(cfg.n_layers):
        p = f"model.layers.{layer}."
        q, k, v, u = (srms(x) @ w[p + "token_mixer.qkvu_proj.weight"].T).chunk(4, dim=-1)
        outs = []
        for h in range(heads):
            cols = slice(h * dh, (h + 1) * dh)
            qh, kh = torch.nn.functional.silu(q[:, cols]), torch.nn.functional.silu(k[:, cols])
            if layer in cfg.lrpe_layers:
                angle = w[p + "token_mixer.lrpe.theta"][h, 0] * t[:, None]
                qh = torch.cat([qh * torch.cos(angle), qh * torch.sin(angle)], dim=-1)
                kh = torch.cat([kh * torch.cos(angle), kh * torch.sin(angle)], dim=-1)
            s = 2 ** (-8 * (h + 1) / heads) * (1 - layer / (cfg.n_layers - 1) + 1e-5)
            outs.append((qh @ kh.T * torch.where(gap >= 0, torch.exp(-s * gap), 0.0)) @ v[:, cols])
        x = x + (u * srms(torch.cat(outs, dim=-1))) @ w[p + "token_mixer.out_proj.weight"].T
        h_in = srms(x)
        glu = (h_in @ w[p + "channel_mixer.l1.weight"].T) * (h_in @ w[p + "channel_mixer.l2.weight"].T)
        x = x + glu @ w[p + "channel_mixer.l3.weight"].T
    return (srms(x) @ w["model.embed_tokens.weight"].T).log_softmax(dim=-1)


def test_model_matches_a_transcription_of_the_equations():
    model = make_model()
    ids = random_docs(1, 90, 91, seed=13)[0]
    want = -transcribed_log_probs(model, ids[:-1]).gather(1, torch.as_tensor(ids[1:])[:, None])[:, 0]
    torch.testing.assert_close(nll_of(model, ids).double(), want, rtol=1e-4, atol=1e-4)


def test_causal_a_later_token_changes_only_later_predictions():
    model = make_model()
    ids = random_docs(1, 200, 201)[0]
    changed = ids.copy()
    changed[150] = (changed[150] + 7) % SMALL.vocab_size
    before, after = nll_of(model, ids), nll_of(model, changed)
    # nll[t] predicts ids[t+1] from ids[..t]: the change is the target of nll[149] and an input from
    # nll[150] on; nothing before sees it.
    torch.testing.assert_close(before[:149], after[:149], rtol=0, atol=1e-6)
    assert (before[149:] - after[149:]).abs().min() > 0


def test_right_padding_in_a_batch_does_not_change_a_document():
    model = make_model()
    long, short = random_docs(2, 90, 91, seed=1)[0], random_docs(1, 40, 41, seed=2)[0]
    alone = nll_of(model, short)
    ids = torch.full((2, 90), 5)
    targets = torch.full((2, 90), -1)
    ids[0], targets[0, :89] = torch.as_tensor(long), torch.as_tensor(long[1:])
    ids[1, :40], targets[1, :39] = torch.as_tensor(short), torch.as_tensor(short[1:])
    with torch.no_grad():
        batched, _ = model.token_nll(ids, targets)
    torch.testing.assert_close(batched[1, :39], alone, rtol=1e-5, atol=1e-5)
    assert torch.all(batched[1, 39:] == 0)  # padded targets contribute nothing


def test_chunked_nll_with_carried_state_equals_one_pass():
    model = make_model()
    ids = torch.as_tensor(random_docs(1, 301, 302, seed=3)[0])[None]
    inputs, targets = ids[:, :-1], ids[:, 1:]
    with torch.no_grad():
        whole, whole_states = model.token_nll(inputs, targets)
        states, pieces = None, []
        for start, end in [(0, 130), (130, 131), (131, 300)]:
            nll, states = model.token_nll(inputs[:, start:end], targets[:, start:end], states, offset=start)
            pieces.append(nll)
        # The same chunk at the wrong LRPE offset gives another answer: positions are absolute.
        wrong, _ = model.token_nll(inputs[:, 131:], targets[:, 131:], [s.clone() for s in states], offset=0)
    torch.testing.assert_close(torch.cat(pieces, dim=1), whole, rtol=1e-5, atol=1e-5)
    for a, b in zip(states, whole_states):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)
    assert not torch.allclose(wrong, whole[:, 131:], atol=1e-3)


def test_token_nll_in_slices_equals_cross_entropy_of_full_logits(monkeypatch):
    model = make_model()
    ids = torch.as_tensor(np.stack(random_docs(3, 50, 51, seed=4)))
    with torch.no_grad():
        logits, _ = model(ids[:, :-1])
        want = torch.nn.functional.cross_entropy(logits.transpose(1, 2), ids[:, 1:], reduction="none")
        for limit in ("LOGIT_ELEMENTS", "CPU_LOGIT_ELEMENTS"):  # slices of 7 positions on either device
            monkeypatch.setattr(model_module, limit, 7 * SMALL.vocab_size)
        got, _ = model.token_nll(ids[:, :-1], ids[:, 1:])
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_model_with_triton_kernel_matches_pytorch_reference():
    """The kernel inside the model: strided q/k/v views, layer 0's doubled q/k width, carried state."""
    model = make_model()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device)
    ids = torch.as_tensor(np.stack(random_docs(2, 70, 71, seed=5)), device=device)
    results = {}
    with torch.no_grad():
        for backend in ("torch", "triton"):
            model.backend = backend
            first, states = model.token_nll(ids[:, :40], ids[:, 1:41])
            second, _ = model.token_nll(ids[:, 40:-1], ids[:, 41:], states, offset=40)
            results[backend] = torch.cat([first, second], dim=1)
    torch.testing.assert_close(results["triton"], results["torch"], rtol=1e-4, atol=1e-4)


# --- scorer -----------------------------------------------------------------------------------------

def test_scorer_batches_chunks_and_orders_like_one_document_at_a_time():
    model = make_model()
    docs = random_docs(7, 1, 120, seed=6) + [np.array([], dtype=np.int64)]
    masks = [np.random.default_rng(i).random(len(doc)) < 0.4 for i, doc in enumerate(docs)]
    one_by_one = []
    for doc in docs[:-1]:
        ids = torch.as_tensor(np.concatenate([[SMALL.bos_token_id], doc]))
        one_by_one.append(nll_of(model, ids).double())
    scores = Scorer(model, token_budget=150, chunk_tokens=32).score(docs, main=masks)
    for score, want, doc, mask in zip(scores, one_by_one, docs, masks):
        assert score.n_tokens == len(doc)
        assert score.nll == pytest.approx(want.sum().item(), rel=1e-5)
        assert score.ppl == pytest.approx(math.exp(want.sum().item() / len(doc)), rel=1e-5)
        assert score.main_nll == pytest.approx(want[torch.from_numpy(mask)].sum().item(), rel=1e-5)
    assert scores[-1].n_tokens == 0 and math.isnan(scores[-1].ppl) and scores[-1].main_nll == 0
    assert all(s.main_nll == 0 for s in Scorer(model, chunk_tokens=32).score(docs))


def test_scorer_refuses_a_main_mask_that_does_not_fit_the_tokens():
    with pytest.raises(ValueError, match="one boolean per token"):
        Scorer(make_model()).score([[3, 4], [5]], main=[np.array([True, False]), np.array([True, True])])


def test_scorer_refuses_ids_outside_the_vocabulary():
    with pytest.raises(ValueError, match="outside 0..60"):
        Scorer(make_model()).score([[3, 4], [5, SMALL.vocab_size]])


# --- loader -----------------------------------------------------------------------------------------

def hf_state_dict(model):
    """What a released checkpoint holds: our names plus the tied lm_head copy."""
    state = {name: t.clone() for name, t in model.state_dict().items()}
    state["lm_head.weight"] = state["model.embed_tokens.weight"].clone()
    return state


def write_hf_folder(folder: Path, model, layout: str) -> Path:
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(model.config.to_hf()), encoding="utf-8")
    state = hf_state_dict(model)
    if layout == "bin":
        torch.save(state, folder / "pytorch_model.bin")
    elif layout == "sharded-bin":
        names = sorted(state)
        shards = {"pytorch_model-00001-of-00002.bin": names[::2], "pytorch_model-00002-of-00002.bin": names[1::2]}
        for shard, shard_names in shards.items():
            torch.save({n: state[n] for n in shard_names}, folder / shard)
        index = {"metadata": {}, "weight_map": {n: s for s, ns in shards.items() for n in ns}}
        (folder / "pytorch_model.bin.index.json").write_text(json.dumps(index), encoding="utf-8")
    else:
        save_file(state, folder / "model.safetensors")
    return folder


# Not the defaults: a loader that ignored these keys would build another model.
VARIANT = replace(SMALL, no_scale_embedding=True, linear_act_fun="1+elu", lrpe_layers=(0, 2))


@pytest.mark.parametrize("layout", ["bin", "sharded-bin", "safetensors"])
def test_loader_reads_hf_folders(tmp_path, layout):
    model = make_model(VARIANT, seed=7)
    folder = write_hf_folder(tmp_path / layout, model, layout)
    loaded = load_model(folder)
    assert loaded.config == VARIANT
    assert loaded.model.layers[2].token_mixer.lrpe is not None and loaded.model.layers[1].token_mixer.lrpe is None
    ids = random_docs(1, 60, 61, seed=8)[0]
    torch.testing.assert_close(nll_of(loaded, ids), nll_of(model, ids), rtol=0, atol=0)


def test_save_model_round_trip_and_hf_key_names(tmp_path):
    model = make_model(seed=9)
    save_model(model, tmp_path / "out", dtype=torch.float32)
    hf = json.loads((tmp_path / "out" / "config.json").read_text(encoding="utf-8"))
    sizes = (hf["decoder_embed_dim"], hf["decoder_layers"], hf["decoder_attention_heads"], hf["glu_dim"])
    assert sizes == (32, 3, 4, 48)
    assert hf["linear_use_lrpe_list"] == [1, 0, 0] and hf["linear_act_fun"] == "swish"
    ids = random_docs(1, 60, 61, seed=10)[0]
    torch.testing.assert_close(nll_of(load_model(tmp_path / "out"), ids), nll_of(model, ids), rtol=0, atol=0)


def test_385m_config_round_trips_through_config_json(tmp_path):
    SIZE_385M.save(tmp_path / "config.json")
    assert ModelConfig.load(tmp_path / "config.json") == SIZE_385M
    cfg = SIZE_385M
    assert (cfg.head_dim, cfg.pad_token_id, cfg.bos_token_id, cfg.eos_token_id) == (128, 0, 1, 2)


@pytest.mark.slow
def test_the_385m_model_in_the_released_layout_loads_and_scores_a_batch_on_cpu(tmp_path):
    """The real shapes end to end: the 385M config with random weights, written as the released
    checkpoint is (config.json, one pytorch_model.bin with the tied lm_head copy), loaded by our
    loader and scored by the Scorer in a ragged batch, as the original model scores it."""
    model = make_model(SIZE_385M, seed=11)
    folder = write_hf_folder(tmp_path / "transnormerllm-385m", model, "bin")
    loaded = load_model(folder)
    assert loaded.config == SIZE_385M
    assert sum(p.numel() for p in loaded.parameters()) == sum(p.numel() for p in model.parameters()) > 380e6
    docs = random_docs(3, 5, 40, vocab=SIZE_385M.vocab_size, seed=12)
    got = [s.nll for s in Scorer(loaded, chunk_tokens=16).score(docs)]
    want = [s.nll for s in Scorer(model, chunk_tokens=64).score(docs)]
    assert all(math.isfinite(x) for x in got)
    assert got == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize("damage, message", [
    (lambda s: s.pop("model.layers.1.channel_mixer.l2.weight"), "missing model.layers.1.channel_mixer.l2.weight"),
    (lambda s: s.pop("model.layers.0.token_mixer.lrpe.theta"), "missing model.layers.0.token_mixer.lrpe.theta"),
    (lambda s: s.__setitem__("model.layers.2.token_mixer.qkvu_proj.weight", torch.zeros(100, 32)),
     r"model.layers.2.token_mixer.qkvu_proj.weight is \(100, 32\), expected \(128, 32\)"),
    (lambda s: s.__setitem__("lm_head.weight", torch.zeros(60, 32)), r"lm_head.weight is \(60, 32\)"),
    (lambda s: s.__setitem__("model.layers.0.token_norm.weight", torch.ones(32)),
     "unexpected model.layers.0.token_norm.weight"),
])
def test_loader_names_the_bad_weight(tmp_path, damage, message):
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(SMALL.to_hf()), encoding="utf-8")
    state = hf_state_dict(make_model())
    damage(state)
    torch.save(state, folder / "pytorch_model.bin")
    with pytest.raises(CheckpointError, match=message):
        load_model(folder)


def test_loader_refuses_a_pickle_that_is_not_just_tensors(tmp_path):
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(SMALL.to_hf()), encoding="utf-8")
    torch.save({"model.embed_tokens.weight": torch.zeros(1), "hook": random.Random}, folder / "pytorch_model.bin")
    with pytest.raises(CheckpointError, match="pickle that holds more than tensors.*random.Random"):
        load_model(folder)


@pytest.mark.parametrize("weights", ["model.safetensors", "pytorch_model.bin"])
@pytest.mark.parametrize("keep", [0, 100])
def test_a_weight_file_cut_short_is_named_as_such(tmp_path, weights, keep):
    folder = tmp_path / "ckpt"
    shutil.copytree(SHIPPED_TINY, folder)
    data = (folder / "model.safetensors").read_bytes()
    if weights == "pytorch_model.bin":
        (folder / "model.safetensors").unlink()
        buffer = io.BytesIO()
        torch.save(load_file(SHIPPED_TINY / "model.safetensors"), buffer)
        data = buffer.getvalue()
    (folder / weights).write_bytes(data[:keep])
    with pytest.raises(CheckpointError, match=f"{weights}.*(cut short|damaged)"):
        check_folder(folder)


def test_a_tokenizer_with_more_pieces_than_the_model_has_ids_is_refused_up_front(tmp_path):
    folder = tmp_path / "ckpt"
    shutil.copytree(SHIPPED_TINY, folder)
    hf = json.loads((folder / "config.json").read_text())
    hf["vocab_size"] = 1000
    (folder / "config.json").write_text(json.dumps(hf))
    state = load_file(SHIPPED_TINY / "model.safetensors")
    save_file({name: t[:1000].contiguous() if t.shape[0] == 20000 else t for name, t in state.items()},
              folder / "model.safetensors")
    with pytest.raises(CheckpointError, match=r"20,000 pieces and the model's vocabulary 1,000 ids"):
        check_folder(folder)


def test_loader_says_what_is_missing_from_a_folder(tmp_path):
    with pytest.raises(CheckpointError, match="no config.json"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps(SMALL.to_hf()), encoding="utf-8")
    with pytest.raises(CheckpointError, match="holds none of model.safetensors"):
        load_model(tmp_path)


# --- trainer ----------------------------------------------------------------------------------------

def test_document_pieces_never_mix_documents():
    docs = [np.arange(10, 17), np.arange(30, 33)]
    pieces = document_pieces(docs, seq_len=4, bos=1)
    assert [(list(i), list(t)) for i, t in pieces] == [
        ([1, 10, 11, 12], [10, 11, 12, 13]),
        ([13, 14, 15], [14, 15, 16]),
        ([1, 30, 31], [30, 31, 32]),
    ]


def test_training_is_reproducible_and_learns():
    # Documents that count upwards: the next token is predictable once the model has seen one.
    rng = np.random.default_rng(11)
    docs = [(np.arange(int(rng.integers(20, 60))) + int(rng.integers(0, 50))) % 58 + 3 for _ in range(64)]
    train = TrainConfig(steps=40, batch_tokens=512, seq_len=32, lr=1e-2, warmup_steps=5, seed=3)
    model_a, result_a = train_model(docs, SMALL, train, device="cpu")
    _, result_b = train_model(docs, SMALL, train, device="cpu")
    assert result_a.losses == result_b.losses
    assert result_a.losses[0] > math.log(SMALL.vocab_size) - 0.5
    assert result_a.final_loss < 0.5 * result_a.losses[0]
    assert not model_a.training


# --- the model shipped in the package ---------------------------------------------------------------

def test_shipped_tiny_model_prefers_clean_text_to_shuffled_characters():
    model = load_model(SHIPPED_TINY)
    sp = load_tokenizer(SHIPPED_TINY)
    assert sum(p.numel() for p in model.parameters()) * 2 < 8e6
    with open(FIXTURES / "mixed_docs.jsonl", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    texts = [t for t in texts if len(t) > 300][:6]
    rng = random.Random(12)
    shuffled = ["".join(rng.sample(t, len(t))) for t in texts]
    scores = Scorer(model).score([sp.encode(t) for t in texts + shuffled])
    clean, noise = scores[:len(texts)], scores[len(texts):]
    assert all(math.isfinite(s.ppl) and 1 < s.ppl < model.config.vocab_size for s in scores)
    for c, n in zip(clean, noise):
        assert c.ppl < n.ppl
    assert sum(s.nll for s in clean) / sum(s.n_tokens for s in clean) < 6.0  # nats/token, < log(20000)=9.9


def test_shipped_tiny_model_in_bf16_scores_real_text_as_fp32_does():
    # probe.dtype = "auto" scores in bf16 on CPUs that compute it: the documents' NLL per token must
    # stay where fp32 puts them, and their order with it.
    sp = load_tokenizer(SHIPPED_TINY)
    with open(FIXTURES / "mixed_docs.jsonl", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f][:40]
    docs = [sp.encode(t) for t in texts]
    per_token = {dtype: np.array([s.nll / s.n_tokens for s in
                                  Scorer(load_model(SHIPPED_TINY, dtype=dtype)).score(docs)])
                 for dtype in (torch.float32, torch.bfloat16)}
    assert np.abs(per_token[torch.bfloat16] - per_token[torch.float32]).max() < 0.02
    assert np.corrcoef(per_token[torch.float32], per_token[torch.bfloat16])[0, 1] > 0.999

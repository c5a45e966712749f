"""Typed configuration: a TOML file, validated at start-up, every key overridable from the CLI.

Paths in a config file are relative to the file's folder, so a config works from any working
directory. Nothing in a config is ever evaluated: rules are named, and user rules come from the
modules listed in ``clean.plugins``.
"""
from __future__ import annotations

import hashlib
import importlib
import logging
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from datacleaning.errors import ConfigError
from datacleaning.stages import STAGE_ORDER
from datacleaning.storage import StoragePath, as_path, is_url

_STRICT = ConfigDict(extra="forbid", strict=True)
# A stage's intermediate files inside its output folder, when run.work_dir is not set.
WORK_DIR = ".work"
# What `run` runs unless run.stages says otherwise. tokenize is not among them: which tokenizer
# the bins are for is the user's decision (their model's tokenizer.model, or one trained here).
STAGES = ("clean", "dedup", "probe")
# The rules `datacleaning clean` and `run` apply when given neither a config nor a profile.
DEFAULT_PROFILE = "mixed_web"
# The profile that names no rules: a clean stage without rules must be asked for by this name.
NO_RULES_PROFILE = "none"
# Below this a work unit costs more to schedule and record than to read: a 1-byte setting cut
# 0.3 MB into 323,143 units.
MIN_CHUNK_BYTES = 4096


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class InputConfig(BaseModel):
    model_config = _STRICT
    paths: list[str] = Field(default_factory=list, description="input files, folders or glob patterns")
    text_fields: list[pydantic.constr(min_length=1)] = Field(
        default_factory=lambda: ["text", "content", "raw_content"], min_length=1,
        description="fields tried in order for the document text")
    id_field: str = Field("id", description="field holding the document id (a stable one is made if absent)")
    source_field: str = Field("source", description="field naming the document's source (default: file name)")
    chunk_bytes: int = Field(32 << 20, ge=MIN_CHUNK_BYTES,
                             description="target size of a work unit of uncompressed jsonl")
    html_extractor: Literal["resiliparse", "trafilatura", "full_page"] = Field(
        "resiliparse", description="how HTML (WARC responses, .html files, input.html_field) becomes text: "
                                   "Resiliparse's main content; trafilatura's (pip install "
                                   "'datacleaning[trafilatura]'; Resiliparse's on pages laid out in tables and where "
                                   "trafilatura finds little; higher F1 "
                                   "on articles and forums, under a third of the speed); "
                                   "or all the page's text")
    html_field: str = Field("", description="field holding a record's raw HTML, turned into its text like an "
                                            "HTML file (the text fields are not read for such a record)")
    text_parts: list[str] = Field(
        default_factory=list,
        description="compose the text of these field paths instead, in order, joined by a blank line: "
                    "[\"title\", \"content\"]; a.b for a field of an object, a[].b for that field of every item "
                    "of a list (MNBVC's 段落[].内容), a[].b,c for several in turn; a list gives a line an item, "
                    "an object (an infobox) a \"key: value\" line a field; an HTML page is a record with fields "
                    "title and text")
    meta_fields: list[str] = Field(default_factory=list,
                                   description="fields kept in meta (empty: every field not used for the text, "
                                               "the id or the source)")

    @pydantic.field_validator("text_parts")
    @classmethod
    def _paths_have_names(cls, paths: list[str]) -> list[str]:
        for path in paths:
            if any(not key for step in path.split(".") for key in step.removesuffix("[]").split(",")):
                raise ValueError(f"field path {path!r} has an empty step")
        return paths

    @pydantic.field_validator("html_extractor")
    @classmethod
    def _extractor_installed(cls, name: str) -> str:
        if name == "trafilatura":
            try:  # imported, not just looked for: an install missing one of its own imports fails here
                importlib.import_module("trafilatura")
            except ImportError as e:
                raise ValueError(f"trafilatura cannot be imported ({e}): pip install 'datacleaning[trafilatura]'") from None
        return name


class OutputConfig(BaseModel):
    model_config = _STRICT
    dir: str = Field("output", description="output folder of `datacleaning run` (one sub-folder per stage)")
    max_shard_bytes: int = Field(256 << 20, gt=0, description="start a new shard past this many bytes")


class StorageConfig(BaseModel):
    """How URLs (s3://, gs://, ...) are opened: fsspec options per protocol, on top of fsspec's own
    environment configuration (FSSPEC_S3_ENDPOINT_URL, ...). Credentials come from the environment
    (AWS_ACCESS_KEY_ID, a profile, an instance role), not from here."""

    model_config = _STRICT
    options: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="fsspec options keyed by protocol, e.g. {s3 = {endpoint_url = \"http://127.0.0.1:9000\"}} "
                    "for MinIO, {s3 = {anon = true}} for a public bucket, "
                    "{s3 = {client_kwargs = {region_name = \"eu-west-1\"}}}")

    @pydantic.field_validator("options")
    @classmethod
    def _no_credentials(cls, options: dict) -> dict:
        # A config file is shared, committed and copied beside outputs; a secret in it leaks.
        found = [key for key in _keys(options) if _SECRET_KEY.search(key.rpartition(".")[2])]
        if found:
            raise ValueError(f"{', '.join(found)}: credentials are not taken from a config or the command line; "
                             f"give them in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a "
                             f"profile, an instance role)")
        return options


# The option names fsspec's filesystems take secrets under (s3fs key/secret, adlfs account_key, ...).
_SECRET_KEY = re.compile(r"^(key|secret|password|passwd)$|secret|access_key|session_token|account_key|sas_token|"
                         r"connection_string", re.IGNORECASE)


def _keys(table: dict, prefix: str = "") -> list[str]:
    """Every key of a nested table, dotted."""
    return [name for key, value in table.items() for name in
            ([f"{prefix}{key}"] + (_keys(value, f"{prefix}{key}.") if isinstance(value, dict) else []))]


class RunConfig(BaseModel):
    model_config = _STRICT
    workers: int = Field(default_factory=default_workers, gt=0, description="worker processes")
    stages: list[Literal[STAGE_ORDER]] = Field(
        default_factory=lambda: list(STAGES), min_length=1,
        description="stages `run` runs, in pipeline order; each after clean reads the kept shards of the "
                    "stage before it in this list (if first, those an earlier run left from the stage before it "
                    "in the pipeline)")
    progress: bool = Field(True, description="show a progress bar")
    executor: Literal["local", "ray"] = Field("local", description="where work units run: local worker processes, "
                                                                   "or Ray tasks (pip install 'datacleaning[ray]')")
    ray_address: str = Field("", description="the Ray cluster to join (ray://host:10001, host:6379 or auto); "
                                             "empty: start a local Ray instance of run.workers CPUs")
    work_dir: str = Field("", description="folder for the stages' intermediate files (dedup's sorted runs, probe's "
                                          "scores, tokenize's parts), a local path, or a shared filesystem when "
                                          "several nodes run a stage; needed when the output is a URL; empty: "
                                          "inside each stage's output folder")

    @pydantic.field_validator("stages")
    @classmethod
    def _in_pipeline_order(cls, stages: list[str]) -> list[str]:
        if stages != sorted(set(stages), key=STAGE_ORDER.index):
            raise ValueError(f"name each stage once, in pipeline order ({', '.join(STAGE_ORDER)})")
        return stages

    def input_stage(self, stage: str) -> str:
        """The stage whose kept shards ``stage`` reads: the one before it in ``stages``, or when it
        is first there, the one before it in the pipeline (what an earlier run left)."""
        position = self.stages.index(stage)
        return self.stages[position - 1] if position else STAGE_ORDER[STAGE_ORDER.index(stage) - 1]


class ReviewSamplesConfig(BaseModel):
    """How many documents the clean stage sets aside for a person to read (review_samples.jsonl)."""

    model_config = _STRICT
    kept: int = Field(100, ge=0, description="kept documents")
    per_rule: int = Field(20, ge=0, description="rejected documents of every rule that rejected any")
    seed: int = Field(0, ge=0, description="which documents: another seed, another sample")
    max_chars: int = Field(5000, gt=0, description="characters of each text kept in the sample")


class LanguageIdConfig(BaseModel):
    """How the clean stage tells a document's language, which decides the rules it meets."""

    model_config = _STRICT
    identifier: str = Field("cld2", min_length=1,
                            description="cld2: the script guess for Chinese, Japanese and Korean, CLD2 for the "
                                        "rest; or the name a plugin registered with "
                                        "datacleaning.register_language_identifier")


# The clean stage's rule lists, in the order a document meets them.
RULE_SECTIONS = ("normalizers", "edits", "filters")


class CleanConfig(BaseModel):
    model_config = _STRICT
    max_input_chars: int = Field(2_000_000, gt=0,
                                 description="reject longer documents before any rule runs (bounds worker memory)")
    plugins: list[str] = Field(default_factory=list,
                               description="modules or .py files to import for user rules and language identifiers")
    languages: list[str] = Field(default_factory=list,
                                 description="keep only documents in these languages: ISO 639-1 codes (zh, en, "
                                             "fr, ...), zh-Hans or zh-Hant for one Chinese script, other (a "
                                             "script CLD2 does not know), und (no letters); empty keeps every "
                                             "language")
    language_id: LanguageIdConfig = Field(default_factory=LanguageIdConfig)
    score_all: bool = Field(False, description="measure every filter on every document that reaches the filters, "
                                               "not only up to the first that rejects it, so that the stored scores "
                                               "can be judged again with other thresholds (slower: no early exit; "
                                               "the verdict is the same)")
    review_samples: ReviewSamplesConfig = Field(default_factory=ReviewSamplesConfig)
    normalizers: list[dict[str, Any]] = Field(default_factory=list)
    edits: list[dict[str, Any]] = Field(default_factory=list)
    filters: list[dict[str, Any]] = Field(default_factory=list)
    add_normalizers: list[dict[str, Any]] = Field(default_factory=list,
                                                  description="rules run after the normalizers (a profile's, kept)")
    add_edits: list[dict[str, Any]] = Field(default_factory=list,
                                            description="rules run after the edits (a profile's, kept)")
    add_filters: list[dict[str, Any]] = Field(default_factory=list,
                                              description="rules run after the filters (a profile's, kept): "
                                                          "[[clean.add_filters]] name = \"reference_perplexity\"")
    rule_settings: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="parameters merged into the rules of that name in normalizers, edits and "
                                          "filters (tables key by key), so that a config can change one rule of a "
                                          "profile without listing the others: [clean.rule_settings."
                                          "quality_classifier] min_score = {en = 0.5}")

    @pydantic.model_validator(mode="after")
    def _languages_are_codes_the_identifier_gives(self) -> CleanConfig:
        # A code no document ever gets would reject the whole corpus as `language`. A plugin's
        # identifier may give other codes: its own are not checked here.
        if self.language_id.identifier == "cld2" and self.languages:
            from datacleaning.cleaning.language import cld2_codes
            unknown = [code for code in self.languages if code not in cld2_codes()]
            if unknown:
                raise ValueError(f"languages: {', '.join(map(repr, unknown))} not a language the cld2 identifier "
                                 f"gives (ISO 639-1 in lower case: zh, en, fr; zh-Hans or zh-Hant; other; und)")
        return self

    @pydantic.model_validator(mode="after")
    def _apply_added_rules_then_rule_settings(self) -> CleanConfig:
        # Added rules join their list once: a config validated again (its dump) has them in it.
        for section in RULE_SECTIONS:
            added = getattr(self, f"add_{section}")
            if added:
                setattr(self, section, [*getattr(self, section), *added])
                setattr(self, f"add_{section}", [])
        from datacleaning.rules.registry import rule_parameters
        for name, settings in self.rule_settings.items():
            if "name" in settings:
                raise ValueError(f"rule_settings.{name}: a rule's name is not a setting")
            # A plugin's rule is not registered yet: its build names the setting.
            known = rule_parameters(name)
            unknown = sorted(set(settings) - set(known)) if known is not None else []
            if unknown:
                raise ValueError(f"rule_settings.{name}.{unknown[0]}: not a parameter of rule {name!r} (its "
                                 f"parameters: {', '.join(known)})")
            found = False
            for rules in (self.normalizers, self.edits, self.filters):
                for i, rule in enumerate(rules):
                    if rule.get("name") == name:
                        rules[i] = deep_merge(rule, settings)
                        found = True
            if not found:
                raise ValueError(f"rule_settings: no rule named {name!r} in normalizers, edits or filters")
        return self


class DedupNormalizeConfig(BaseModel):
    """How text is normalized before exact hashing, shingling and line counting. Width and
    compatibility forms (fullwidth letters, ideographic space) are always folded."""

    model_config = _STRICT
    ignore_case: bool = Field(True, description="fold upper case to lower case")
    ignore_whitespace: bool = Field(True, description="exact hash: drop all whitespace (shingles never include it)")
    ignore_punctuation: bool = Field(True, description="treat punctuation and symbols (Unicode P*, S*) as whitespace")
    ignore_digits: bool = Field(False, description="treat every decimal digit as 0")
    ignore_script: bool = Field(True, description="fold Traditional Chinese characters to Simplified, one for one "
                                                  "(臺→台, 們→们): a page and its script conversion are copies")


class DedupExactConfig(BaseModel):
    model_config = _STRICT
    enabled: bool = Field(True, description="remove documents whose normalized text equals an earlier one's")
    index: list[str] = Field(default_factory=list,
                             description="exact_index folders saved by earlier runs; their documents count as earlier")
    save_index: bool = Field(False, description="write OUTPUT/exact_index for later runs to dedup against")


class DedupMinhashConfig(BaseModel):
    model_config = _STRICT
    enabled: bool = Field(True, description="remove near duplicates found by MinHash LSH")
    threshold: float = Field(0.8, gt=0, lt=1, description="Jaccard similarity of shingle sets that makes a duplicate")
    num_perm: int = Field(128, gt=0, le=1024, description="MinHash permutations per document")
    bands: int = Field(0, ge=0, description="LSH bands; 0 = choose bands and rows from the threshold")
    rows: int = Field(0, ge=0, description="MinHash values per band; 0 = choose from the threshold")
    false_negative_weight: float = Field(0.95, gt=0, lt=1,
                                         description="band/row search: weight of missed pairs against false "
                                                     "candidates (which verification removes)")
    char_ngram: int = Field(5, gt=0, le=32, description="shingle size in characters, for a document a fifth Han, "
                                                        "kana or Hangul or more, whatever its label, and for "
                                                        "char_languages")
    word_ngram: int = Field(5, gt=0, le=32, description="shingle size in words for every other document")
    char_languages: list[str] = Field(default_factory=list,
                                      description="languages (the lang column) shingled by characters whatever "
                                                  "their text: another script written without spaces (th, lo, km, "
                                                  "my)")
    verify: bool = Field(True, description="keep only candidate pairs whose exact shingle Jaccard reaches threshold")
    seed: int = Field(42, ge=0, description="seed of the MinHash permutations")

    @pydantic.model_validator(mode="after")
    def _bands_fit_permutations(self) -> DedupMinhashConfig:
        if (self.bands == 0) != (self.rows == 0):
            raise ValueError("set both bands and rows, or neither (to choose them from the threshold)")
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}")
        return self


class DedupLinesConfig(BaseModel):
    model_config = _STRICT
    enabled: bool = Field(False, description="remove lines (or paragraphs) found in more than max_docs documents")
    unit: Literal["line", "paragraph"] = Field("line", description="what is counted and removed")
    max_docs: int = Field(20, gt=0, description="a line in more documents than this is boilerplate")
    min_chars: int = Field(5, gt=0, description="shorter lines (normalized) are never removed")


class DedupConfig(BaseModel):
    model_config = _STRICT
    memory_mb: int = Field(1024, gt=0, description="memory for the sort-and-group steps, all workers together")
    unit_bytes: int = Field(64 << 20, gt=0, description="target size of a work unit of input shard")
    normalize: DedupNormalizeConfig = Field(default_factory=DedupNormalizeConfig)
    exact: DedupExactConfig = Field(default_factory=DedupExactConfig)
    minhash: DedupMinhashConfig = Field(default_factory=DedupMinhashConfig)
    lines: DedupLinesConfig = Field(default_factory=DedupLinesConfig)


class TokenizeTrainConfig(BaseModel):
    """How the tokenize stage trains a SentencePiece model when tokenize.model names none. The
    defaults follow LLaMA's tokenizer: BPE, byte fallback (no unknown tokens), digits split, no
    normalization, whitespace kept, so decoding gives back the text exactly."""

    model_config = _STRICT
    model_type: Literal["bpe", "unigram"] = Field("bpe", description="SentencePiece algorithm")
    vocab_size: int = Field(64000, ge=300, lt=1 << 31,
                            description="pieces in the model (at most this many: a small corpus may support fewer)")
    character_coverage: float = Field(0.9995, gt=0, le=1,
                                      description="share of the sample's characters that get pieces of their own; "
                                                  "the rarest rest become UTF-8 bytes (0.9995 for Chinese)")
    byte_fallback: bool = Field(True, description="encode characters without a piece as their UTF-8 bytes, not unknown")
    normalization: Literal["identity", "nfkc", "nmt_nfkc", "nfkc_cf", "nmt_nfkc_cf"] = Field(
        "identity", description="SentencePiece normalization rule applied before encoding; identity keeps the text "
                                "as cleaned, so decoding returns it exactly")
    split_digits: bool = Field(True, description="every digit a token of its own")
    sample_bytes: int = Field(100_000_000, gt=0,
                              description="UTF-8 bytes of text sampled from the input to train on; bounds the "
                                          "trainer's memory (several times this)")
    seed: int = Field(0, ge=0, description="seed of the document sample")
    threads: int = Field(0, ge=0, description="trainer threads; 0 = run.workers")


class TokenizeConfig(BaseModel):
    model_config = _STRICT
    model: str = Field("", description="an existing tokenizer: a SentencePiece .model (yours, LLaMA's or "
                                       "Baichuan's tokenizer.model) or a Hugging Face tokenizer.json (Llama-3's, "
                                       "Qwen's), or a folder holding one; empty: train a SentencePiece model from "
                                       "the input as [tokenize.train] says")
    train: TokenizeTrainConfig = Field(default_factory=TokenizeTrainConfig)
    eos: bool = Field(True, description="append an EOS id after every document")
    eos_id: int | None = Field(None, ge=0, description="the id appended by eos (default: the tokenizer's EOS; "
                                                       "needed for a tokenizer.json naming none)")
    bos: bool = Field(False, description="put a BOS id before every document")
    bos_id: int | None = Field(None, ge=0, description="the id put by bos (default: the tokenizer's BOS; "
                                                       "needed for a tokenizer.json naming none)")
    dtype: Literal["auto", "uint16", "int32"] = Field(
        "auto", description="token type in the .bin: auto = uint16 when every id fits, else int32")
    merge: bool = Field(True, description="merge the per-unit bins into one tokens.bin/.idx pair")
    shuffle: bool = Field(False, description="shuffle the order of the documents when merging")
    seed: int = Field(0, ge=0, description="seed of the shuffle")
    unit_bytes: int = Field(64 << 20, gt=0, description="target size of a work unit of input shard")

    @pydantic.model_validator(mode="after")
    def _shuffle_needs_merge(self) -> TokenizeConfig:
        if self.shuffle and not self.merge:
            raise ValueError("shuffle reorders documents while merging: set merge = true")
        return self


class ProbeTrainConfig(BaseModel):
    """How ``datacleaning probe train`` trains a TransNormerLLM from scratch: the model's sizes
    (the defaults are the shipped tiny model's) and the optimizer's schedule."""

    model_config = _STRICT
    d_model: int = Field(128, gt=0, description="embedding width")
    n_layers: int = Field(4, ge=2, description="decoder layers")
    n_heads: int = Field(4, gt=0, description="attention heads (d_model must be a multiple)")
    glu_dim: int = Field(352, gt=0, description="width of the SGLU channel mixer")
    steps: int = Field(1000, gt=0, description="optimizer steps")
    batch_tokens: int = Field(8192, gt=0, description="positions per step (rows of similar length, padded)")
    seq_len: int = Field(512, gt=0, description="longest piece of a document in one row")
    lr: float = Field(3e-3, gt=0, description="peak learning rate (AdamW, linear warm-up, cosine decay)")
    warmup_steps: int = Field(100, ge=0, description="steps of linear warm-up")
    seed: int = Field(0, ge=0, description="seed of the initialization and the batch order")
    hold_out: float = Field(0.02, ge=0, lt=1, description="share of documents held out to measure the loss")
    max_docs: int = Field(0, ge=0, description="documents read from the input at most; 0 = all")


class ProbeConfig(BaseModel):
    """The probe stage: each document's perplexity under a TransNormerLLM, kept beside it as
    nll, n_tokens, ppl, nll_per_char and main_nll_per_char columns, optionally bucketed (on one of
    the last three) or thresholded per language."""

    model_config = _STRICT
    model: str = Field("", description="a Hugging Face TransNormerLLM folder (config.json, weights, tokenizer.model); "
                                       "empty: the tiny model shipped in the package")
    device: Literal["auto", "cuda", "cpu"] = Field("auto", description="auto = the GPU when there is one")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="weights and activations: auto = bf16 where the hardware computes it (a GPU that "
                            "has it, a CPU with AVX512-BF16 or AMX), else fp32")
    token_budget: int = Field(16384, gt=0, description="positions in one scoring batch (rows × longest row)")
    chunk_tokens: int = Field(2048, gt=0, description="a longer document is scored in chunks of this many tokens "
                                                      "that carry the attention state")
    max_ppl: dict[str, float] = Field(default_factory=dict,
                                      description="reject a document whose ppl is above the value for its lang "
                                                  "(key \"*\": every other language); empty: reject nothing")
    max_nll_per_char: dict[str, float] = Field(
        default_factory=dict, description="reject a document whose nll_per_char is above the value for its lang "
                                          "(key \"*\": every other language); empty: reject nothing")
    max_main_nll_per_char: dict[str, float] = Field(
        default_factory=dict, description="the same on main_nll_per_char: NLL per character of the pieces in the "
                                          "document's own script (Han for zh, Latin for en), what it quotes "
                                          "in other scripts left out")
    buckets: list[float] = Field(default_factory=list,
                                 description="quantiles per language of bucket_by that cut documents into "
                                             "<bucket_by>_bucket 0 (lowest), 1, ...; empty: no bucket column")
    bucket_by: Literal["ppl", "nll_per_char", "main_nll_per_char"] = Field(
        "ppl", description="the score the buckets cut: ppl (per token), nll_per_char (per character, which "
                           "does not reward text that splits into many short tokens) or main_nll_per_char "
                           "(per character of the document's own script)")
    fold_script: bool = Field(
        True, description="read Traditional Chinese characters as their Simplified forms, one for one, when "
                          "scoring and in `probe train`: the shipped model learned Simplified text only, so "
                          "Traditional pages would score as unlikely for their script; false for a model "
                          "that learned Traditional text as written")
    unit_bytes: int = Field(16 << 20, gt=0, description="target size of a work unit of input shard")
    train: ProbeTrainConfig = Field(default_factory=ProbeTrainConfig)

    @pydantic.field_validator("buckets")
    @classmethod
    def _increasing_quantiles(cls, buckets: list[float]) -> list[float]:
        if any(not 0 < q < 1 for q in buckets) or buckets != sorted(set(buckets)):
            raise ValueError("give increasing quantiles strictly between 0 and 1, such as [0.3, 0.6]")
        return buckets

    @pydantic.field_validator("max_ppl", "max_nll_per_char", "max_main_nll_per_char")
    @classmethod
    def _reachable_limits(cls, limits: dict[str, float], info: pydantic.ValidationInfo) -> dict[str, float]:
        # Perplexity is at least 1 and NLL at least 0: a limit at or below would reject everything.
        floor = 1 if info.field_name == "max_ppl" else 0
        if any(value <= floor for value in limits.values()):
            raise ValueError(f"a limit must be above {floor}")
        return limits


class Config(BaseModel):
    model_config = _STRICT
    input: InputConfig = Field(default_factory=InputConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    run: RunConfig = Field(default_factory=RunConfig)
    clean: CleanConfig = Field(default_factory=CleanConfig)
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    probe: ProbeConfig = Field(default_factory=ProbeConfig)
    tokenize: TokenizeConfig = Field(default_factory=TokenizeConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True,
                           description="folder that relative paths in this config resolve from")
    profile: str = Field("", exclude=True, description="the bundled rule profile this config extends, directly "
                                                       "or through other files; empty: none")

    def resolve(self, path: str) -> str:
        """A path of this config from its folder; an absolute path or a URL as it is."""
        if is_url(path):
            return path
        local = os.fspath(as_path(path))  # a file:// URL names a local path
        return local if os.path.isabs(local) else os.path.normpath(os.path.join(self.base_dir, local))

    def work_folder(self, stage: str, output: StoragePath) -> Path:
        """Where ``stage`` keeps its intermediate files while it writes ``output``: a folder of its
        own under ``run.work_dir`` when that is set (named after the stage and the output, so
        runs may share it), else ``OUTPUT/.work``, which a URL output cannot be."""
        if self.run.work_dir:
            work_dir = as_path(self.resolve(self.run.work_dir))
            if not isinstance(work_dir, Path):
                raise ConfigError(f"run.work_dir: {self.run.work_dir} is a URL; intermediate files are memory-mapped "
                                  f"and read at offsets, so give a local or shared-filesystem folder")
            named = str(output.resolve()) if isinstance(output, Path) else str(output)
            return work_dir / f"{stage}-{hashlib.sha256(named.encode()).hexdigest()[:12]}"
        if not isinstance(output, Path):
            raise ConfigError(f"run.work_dir: the {stage} stage writes to {output}, a URL, and needs a local or "
                              f"shared-filesystem folder for its intermediate files: give one (--work-dir DIR)")
        return output / WORK_DIR


def _format_error(e: pydantic.ValidationError) -> str:
    first = e.errors()[0]
    key = ".".join(str(p) for p in first["loc"])
    return f"{key}: {first['msg']}"


def parse_override(assignment: str) -> tuple[list[str], Any]:
    """``a.b=value``, the value read as TOML (so ``3`` is an int, ``[1, 2]`` a list) or else a string."""
    key, sep, value = assignment.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {assignment!r}: expected KEY=VALUE")
    if "[" in key:
        raise ConfigError(f"--set {assignment!r}: keys are dotted names, without indexes; one parameter of a "
                          f"profile's rule is clean.rule_settings.RULE.PARAMETER=VALUE")
    try:
        parsed = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError as e:
        # A value opening an array or a table was meant as one: say where it is not TOML rather
        # than take it for a string the key then refuses.
        if value.lstrip().startswith(("[", "{")):
            raise ConfigError(f"--set {assignment!r}: the value is not a TOML array or table ({e}); to give it as "
                              f"text, quote it: {key.strip()}='\"{value}\"'") from None
        parsed = value
    return key.strip().split("."), parsed


def apply_overrides(data: dict, overrides: list[tuple[list[str], Any]]) -> dict:
    for path, value in overrides:
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"{'.'.join(path)}: {part!r} is not a table")
        node[path[-1]] = value
    return data


PROFILES_DIR = Path(__file__).parent / "profiles"


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None


def _profile_path(name: str, base_dir: Path) -> Path:
    """A bundled profile by name (``zh_web``) or a TOML file relative to ``base_dir``."""
    bundled = PROFILES_DIR / f"{name}.toml"
    if bundled.exists():
        return bundled
    path = Path(name) if os.path.isabs(name) else base_dir / name
    if not path.exists():
        raise ConfigError(f"extends: {name!r} is neither a bundled profile ({', '.join(profile_names())}) nor a file")
    return path


def deep_merge(base: dict, top: dict) -> dict:
    """Tables merge key by key; any other value (lists of rules included) in ``top`` replaces the base's."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _with_bases(data: dict, base_dir: Path, chain: tuple[Path, ...] = ()) -> tuple[dict, str]:
    """Resolve ``extends``: the named profile or file is read first and this layer merged on top.
    Returns the merged layers and the name of the bundled profile nearest the top ("" if none)."""
    parent = data.pop("extends", None)
    if parent is None:
        return data, ""
    if not isinstance(parent, str):
        raise ConfigError("extends: expected the name of a profile or a path to a TOML file")
    path = _profile_path(parent, base_dir).resolve()
    if path in chain:
        raise ConfigError(f"extends: {path} extends itself")
    base, profile = _with_bases(_read_toml(path), path.parent, (*chain, path))
    # A profile builds on another deliberately; a user's config that lists rules may mean to add them.
    for section in RULE_SECTIONS if base_dir.resolve() != PROFILES_DIR.resolve() else ():
        replaced, given = base.get("clean", {}).get(section), data.get("clean", {}).get(section)
        if replaced and given is not None:
            logging.getLogger("datacleaning.config").warning(
                "clean.%s of this config (%d rules) replaces the %d of %s; to keep those and add rules, give them "
                "as clean.add_%s", section, len(given), len(replaced), parent, section)
    bundled = path.parent == PROFILES_DIR.resolve()
    # The bundled profile nearest the config names it: en_web, which extends mixed_web, is en_web.
    return deep_merge(base, data), path.stem if bundled else profile


def _validate(data: dict, base_dir: Path, profile: str, where: str = "") -> Config:
    if "base_dir" in data or "profile" in data:
        raise ConfigError(f"{where}base_dir, profile: not config keys (relative paths resolve from the config "
                          f"file's folder; a profile is named by extends)")
    try:
        return Config.model_validate({**data, "base_dir": base_dir, "profile": profile})
    except pydantic.ValidationError as e:
        raise ConfigError(where + _format_error(e)) from None


def load_config(path: str | os.PathLike | None = None, overrides: list[tuple[list[str], Any]] = (),
                profile: str | None = None) -> Config:
    """Read and validate a config file (or the defaults), with overrides applied on top.

    A config may start from another with ``extends = "zh_web"`` (a bundled profile) or
    ``extends = "base.toml"``; ``profile`` does the same from the command line. Relative paths in
    every layer resolve from the folder of the config file given here.
    """
    data: dict = {}
    base_dir = Path.cwd()
    if path is not None:
        path = Path(path)
        data = _read_toml(path)
        base_dir = path.resolve().parent
    if profile is not None:
        if data.get("extends", profile) != profile:
            raise ConfigError(f"{path} extends {data['extends']!r} and the command line names the profile "
                              f"{profile!r}: give one (the config can extend the profile)")
        data["extends"] = profile
    data, bundled = _with_bases(data, base_dir)
    if overrides:
        # The file as written must be valid too: a flag that overrides a bad value would hide it.
        where = f"{path}: " if path is not None else ""
        _check_rule_tables(_validate(data, base_dir, bundled, where).clean, where)
    return _validate(apply_overrides(data, list(overrides)), base_dir, bundled)


def _check_rule_tables(clean: CleanConfig, where: str) -> None:
    """The parameters of the rules a config names as written, for the rules registered now (a
    plugin's are checked where the run imports it): a flag that replaces a whole list of rules
    would otherwise hide a bad value in the file, which the run never builds."""
    from datacleaning.rules.registry import KINDS, build_rule, registered_rules

    known = registered_rules()
    for section in KINDS:
        for i, table in enumerate(getattr(clean, section)):
            if isinstance(table, dict) and table.get("name") in known:
                try:
                    build_rule(section, i, table)
                except ConfigError as e:
                    raise ConfigError(f"{where}{e}") from None

"""datacleaning: a pretraining-data cleaning pipeline for Chinese and English text.

    import datacleaning as dc

    pipe = dc.Pipeline.from_config("configs/example.toml")
    for cleaned in pipe.clean(["一段中文文本……", {"text": "Some English text."}]):
        print(cleaned.kept, cleaned.verdict)

    @dc.register("no_shouting")
    @dataclass
    class NoShouting(dc.Filter):
        max_upper_ratio: float = 0.5
        def score(self, doc): ...
        def keep(self, value): ...

    dc.rejudge("out/clean", "out/strict", "strict.toml")              # new thresholds on stored scores
    dc.dedup("out/clean/kept", "out/dedup", "configs/example.toml")   # exact + MinHash near-dup removal
    dc.probe("out/dedup/kept", "out/probe")                              # perplexity under a small TransNormerLLM
    dc.tokenize("out/probe/kept", "out/tokenize", model="tokenizer.model")   # Megatron .bin/.idx token bins
    dc.TokenBins("out/tokenize/tokens").document(0)                     # a document's tokens, memory-mapped
    dc.export("out/probe/kept", "out/jsonl")                             # sharded .jsonl.zst for other tools
    dc.report("out")                                                     # out/report.html, to read
"""
# The report subpackage is loaded before the function of its name is bound here: loaded later (at
# the first dc.report()), it would take the name, and the next dc.report() would call a module.
from datacleaning import report as _report_package  # noqa: F401
from datacleaning.api import Cleaned, Pipeline, dedup, export, probe, rejudge, report, tokenize, train_spm
from datacleaning.cleaning.language import LanguageGuess, register_language_identifier
from datacleaning.config import Config, load_config
from datacleaning.document import Document
from datacleaning.errors import ConfigError, RuleFailure
from datacleaning.rules import Editor, Filter, Normalizer, Rule, register, registered_rules
from datacleaning.shards import iter_batches, read_table
from datacleaning.tokenize.indexed import TokenBins

__all__ = [
    "Cleaned", "Config", "ConfigError", "Document", "Editor", "Filter", "LanguageGuess", "Normalizer", "Pipeline", "Rule",
    "RuleFailure",
    "TokenBins", "dedup", "export", "iter_batches", "load_config", "probe", "read_table", "register",
    "register_language_identifier", "registered_rules", "rejudge", "report", "tokenize", "train_spm",
]
__version__ = "0.1.0"

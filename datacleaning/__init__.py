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

    dc.dedup("out/clean/kept", "out/dedup", "configs/example.toml")   # exact + MinHash near-dup removal
"""
from datacleaning.api import Cleaned, Pipeline, dedup
from datacleaning.config import Config, load_config
from datacleaning.document import Document
from datacleaning.rules import ConfigError, Editor, Filter, Normalizer, Rule, register, registered_rules
from datacleaning.shards import iter_batches, read_table

__all__ = [
    "Cleaned", "Config", "ConfigError", "Document", "Editor", "Filter", "Normalizer", "Pipeline", "Rule",
    "dedup", "iter_batches", "load_config", "read_table", "register", "registered_rules",
]
__version__ = "0.1.0"

"""The clean stage: raw dumps → normalize → edit → filter → kept / rejected / quarantine shards."""
from datacleaning.cleaning.rule_chain import RuleChain, Verdict
from datacleaning.cleaning.stage import CleanStage, build_rule_chain

__all__ = ["CleanStage", "RuleChain", "Verdict", "build_rule_chain"]

"""The clean stage: raw dumps → normalize → edit → filter → kept / rejected / quarantine shards."""
from datacleaning.cleaning.pipeline import CleaningPipeline, Verdict
from datacleaning.cleaning.stage import CleanStage, build_pipeline

__all__ = ["CleanStage", "CleaningPipeline", "Verdict", "build_pipeline"]

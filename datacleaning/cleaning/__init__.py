"""The clean stage: raw dumps → normalize → edit → filter → kept / rejected / quarantine shards."""
from datacleaning.cleaning.pipeline import CleaningPipeline, Verdict
from datacleaning.cleaning.stage import build_pipeline, run_clean

__all__ = ["CleaningPipeline", "Verdict", "build_pipeline", "run_clean"]

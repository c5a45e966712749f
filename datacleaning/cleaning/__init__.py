"""The clean stage: raw dumps → normalize → edit → filter → kept / rejected / quarantine shards."""
from datacleaning.cleaning.pipeline import CleaningPipeline, Verdict
from datacleaning.cleaning.stage import CleanResult, build_pipeline, run_clean

__all__ = ["CleanResult", "CleaningPipeline", "Verdict", "build_pipeline", "run_clean"]

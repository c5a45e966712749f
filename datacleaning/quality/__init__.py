"""A learned quality classifier: hashed character n-grams and a linear model, the way DCLM and
FineWeb-Edu filter with fastText, trained by ``datacleaning quality train`` on text a user calls
good and text a user calls bad, and judged in the clean stage by the ``quality_classifier`` filter.

    from datacleaning.quality import load_classifier
    classifier = load_classifier()             # the model shipped in the package
    classifier.score("...")                    # the probability that the text is good

TRAINING.md in this folder says how the shipped model was trained and what it measures.
"""
from datacleaning.quality.auc import roc_auc
from datacleaning.quality.features import FeatureSettings, hashed_ngrams
from datacleaning.quality.model import SHIPPED_CLASSIFIER, QualityClassifier, load_classifier
from datacleaning.quality.train import TrainSettings, train_classifier, train_from_paths

__all__ = ["SHIPPED_CLASSIFIER", "FeatureSettings", "QualityClassifier", "TrainSettings", "hashed_ngrams",
           "load_classifier", "roc_auc", "train_classifier", "train_from_paths"]

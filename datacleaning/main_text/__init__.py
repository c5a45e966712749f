"""Main text and boilerplate, line by line: a learned classifier gives each line of a page the
probability that it is the page's main text, from the line's own features, its neighbours and,
for HTML, its markup; the ``remove_boilerplate_by_classifier`` edit rule drops the lines below a
limit.

    from datacleaning.main_text import load_line_classifier
    load_line_classifier().probabilities(["Home", "News", "The council voted on Monday to ..."])

TRAINING.md in this folder says how the shipped model was trained and what it measures.
"""
from datacleaning.main_text.html import RenderedPage, render_page
from datacleaning.main_text.model import SHIPPED_LINE_CLASSIFIER, LineClassifier, load_line_classifier
from datacleaning.main_text.train import LabelledPage, LineTrainSettings, train_line_classifier

__all__ = ["SHIPPED_LINE_CLASSIFIER", "LabelledPage", "LineClassifier", "LineTrainSettings", "RenderedPage",
           "load_line_classifier", "render_page", "train_line_classifier"]

"""What a filter's keep() gives the rule chain, on a document as it is cleaned and on the values
stored for one (a rejudge): a bool, Python's or numpy's, or a RuleFailure naming the filter and
the document."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from datacleaning.cleaning.rule_chain import RuleChain
from datacleaning.document import Document
from datacleaning.errors import RuleFailure
from datacleaning.rules.base import Filter

TEXT = "A plain English sentence that runs long enough for the language to be guessed with confidence."


@dataclass
class Answers(Filter):
    """keep() gives ``answer`` for a value at most ``limit`` and False above it; fails on text."""

    answer: Any = True
    limit: int = 1000

    def score(self, doc):
        return len(doc.text)

    def keep(self, value):
        return self.answer if value <= self.limit else False


@pytest.mark.parametrize("answer, kept", [(True, True), (False, False), (np.True_, True), (np.False_, False)])
def test_a_python_or_numpy_bool_is_a_verdict(answer, kept):
    chain = RuleChain(filters=[Answers(answer)])
    assert (chain.process(Document("d1", TEXT)) is None) is kept
    assert (chain.judge({"Answers": len(TEXT)}, "en", "", "d0") is None) is kept


@pytest.mark.parametrize("answer", [None, "no", 1, 0.0])
def test_a_keep_that_returns_no_bool_names_the_filter_and_the_document(answer):
    chain = RuleChain(filters=[Answers(answer)])
    said = rf"rule 'Answers' failed on document 'd1': TypeError: keep returned {type(answer).__name__}, not bool"
    with pytest.raises(RuleFailure, match=said):
        chain.process(Document("d1", TEXT))
    with pytest.raises(RuleFailure, match=said):
        chain.judge({"Answers": len(TEXT)}, "en", "", "d1")


def test_a_keep_that_raises_on_a_stored_value_names_the_filter_and_the_document():
    """A stored value of another type than score() gave (text where it measured a number)."""
    chain = RuleChain(filters=[Answers()])
    with pytest.raises(RuleFailure, match=r"rule 'Answers' failed on document 'd9': TypeError: '<=' not supported"):
        chain.judge({"Answers": "97"}, "en", "", "d9")
    assert chain.judge({"Answers": 2000}, "en", "", "d9").rejected_by == "Answers"

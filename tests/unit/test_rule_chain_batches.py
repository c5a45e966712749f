"""The rule chain cleans a batch of documents as it cleans each alone: the same texts, verdicts,
scores and edits, the normalizers and editors given the batch's texts together, and a rule that
fails on one text of a batch named with that document."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

import datacleaning as dc
from datacleaning.cleaning.rule_chain import BATCH_DOCS, DocumentBatch, RuleChain
from datacleaning.document import Document
from datacleaning.errors import RuleFailure

REPO = Path(__file__).resolve().parents[2]


def documents() -> list[Document]:
    """Real text of every kind the profile judges: Chinese and English web pages with their menus
    (examples/), clean prose, poems and fortunes (tests/fixtures), and an empty and a blank one."""
    records = [json.loads(line) for name in ("examples/data/en_web_cc_dolma_testdata.jsonl",
                                             "examples/data/zh_web_authored.jsonl", "tests/fixtures/mixed_docs.jsonl")
               for line in (REPO / name).read_text(encoding="utf-8").splitlines()]
    docs = [Document(str(r.get("id", i)), r["text"], source=r.get("source", "")) for i, r in enumerate(records)]
    return docs[:40] + [Document("empty", ""), Document("blank", " \n ")] + docs[40:]


def outcome(doc: Document, verdict) -> tuple:
    return doc.id, doc.text, doc.lang, verdict and (verdict.rejected_by, verdict.value), doc.scores, doc.edits


@pytest.mark.parametrize("score_all", [False, True])
def test_a_batch_is_cleaned_as_each_of_its_documents_alone(score_all):
    config = dc.load_config(None, [(["clean", "score_all"], score_all)], profile="mixed_web")
    pipe = dc.Pipeline(config)
    alone = [outcome(doc, pipe.cleaning.process(doc)) for doc in documents()]
    batch = documents()
    together = [outcome(doc, verdict) for doc, verdict in zip(batch, pipe.cleaning.process_many(batch))]
    assert together == alone
    assert any(edits.get("remove_boilerplate_by_classifier") for *_, edits in alone)  # the classifier cut menus
    assert len({verdict and verdict[0] for _, _, _, verdict, _, _ in alone}) > 3  # kept, and rejected by several rules


@dataclass
class Uppercase(dc.Editor):
    """Upper-cases each text; remembers how many texts each call was given."""

    def __post_init__(self):
        self.calls: list[int] = []

    def apply_many(self, texts):
        self.calls.append(len(texts))
        return super().apply_many(texts)

    def apply(self, text):
        if "fail here" in text:
            raise ValueError("cannot edit this one")
        return text.upper()


def test_an_editor_gets_the_texts_of_a_batch_in_one_call_per_language():
    rule = Uppercase()
    chain = RuleChain(edits=[rule])
    docs = [Document(f"en{i}", f"An English sentence, number {i}, long enough to be recognised.") for i in range(5)]
    docs += [Document(f"zh{i}", f"这是第{i}个中文句子，它足够长，可以识别出语言。") for i in range(3)]
    assert chain.process_many(docs) == [None] * 8
    assert sorted(rule.calls) == [3, 5]
    assert [doc.text for doc in docs[:5]] == [f"AN ENGLISH SENTENCE, NUMBER {i}, LONG ENOUGH TO BE RECOGNISED."
                                              for i in range(5)]
    assert docs[0].edits == {"Uppercase": 0}


def test_a_rewriter_failing_on_one_text_of_a_batch_names_that_document():
    chain = RuleChain(edits=[Uppercase()])
    docs = [Document(f"d{i}", f"An English sentence, number {i}, long enough to be recognised.") for i in range(4)]
    docs[2].text += " fail here"
    with pytest.raises(RuleFailure, match="rule 'Uppercase' failed on document 'd2': ValueError: cannot edit this one"):
        chain.process_many(docs)


@dataclass
class DropsOne(dc.Editor):
    def apply_many(self, texts):
        return texts[1:]


def test_an_apply_many_giving_a_text_too_few_names_itself():
    docs = [Document(f"d{i}", f"An English sentence, number {i}, long enough to be recognised.") for i in range(3)]
    with pytest.raises(RuleFailure, match=r"rule 'DropsOne' failed on document 'd0': TypeError: apply_many returned "
                                          r"list of 2 for 3 texts"):
        RuleChain(edits=[DropsOne()]).process_many(docs)


def test_pipeline_clean_yields_the_documents_before_a_refused_one():
    pipe = dc.Pipeline(edits=[Uppercase()])
    cleaned = []
    with pytest.raises(TypeError, match="document 2: expected str, dict or Document, got int"):
        for c in pipe.clean(["First text of the batch.", "Second text of the batch.", 3, "never reached"]):
            cleaned.append(c.document.text)
    assert cleaned == ["FIRST TEXT OF THE BATCH.", "SECOND TEXT OF THE BATCH."]


def test_a_batch_is_full_at_its_count_of_documents_or_of_characters():
    batch = DocumentBatch()
    assert not any(batch.add(Document(str(i), "x")) for i in range(BATCH_DOCS - 1))
    assert batch.add(Document("last", "x"))
    assert len(batch.take()) == BATCH_DOCS and batch.take() == []
    assert batch.add(Document("long", "x" * (1 << 20)))


@dataclass
class UppercaseInPlace(dc.Editor):
    """Rewrites the list it is given and returns it."""

    def apply_many(self, texts):
        for k, text in enumerate(texts):
            texts[k] = text.upper()
        return texts


def test_an_apply_many_rewriting_its_list_in_place_still_edits():
    docs = [Document(f"d{i}", f"An English sentence, number {i}, long enough to be recognised.") for i in range(3)]
    RuleChain(edits=[UppercaseInPlace()]).process_many(docs)
    assert [doc.text for doc in docs] == [f"AN ENGLISH SENTENCE, NUMBER {i}, LONG ENOUGH TO BE RECOGNISED."
                                          for i in range(3)]
    assert docs[0].edits == {"UppercaseInPlace": 0}


def test_a_batch_of_pages_one_with_a_lone_surrogate_one_with_traditional_characters():
    # Alone, neither page raised; together the classifier folds their lines to Simplified in one
    # text, which holds a Traditional character and the surrogate (a Python str may hold one).
    page = (REPO / "tests/fixtures/rules/boilerplate/en_cc_blog_page.txt").read_text("utf-8")
    editor = dc.Pipeline(dc.load_config(None, profile="mixed_web")).cleaning._edits[1].rule
    assert editor.name == "remove_boilerplate_by_classifier"
    chain = RuleChain(edits=[editor])
    texts = [page.replace("Menu", "Me\ud800nu"), page.replace("Blog", "Blog (部落格 in Taiwan: 臺灣)", 1)]
    alone = [Document("a", texts[0]), Document("b", texts[1])]
    for doc in alone:
        chain.process(doc)
    together = [Document("a", texts[0]), Document("b", texts[1])]
    chain.process_many(together)
    assert [doc.text for doc in together] == [doc.text for doc in alone]


def test_pipeline_clean_yields_the_documents_read_before_its_input_raised():
    def records():
        yield "First text of the batch."
        yield "Second text of the batch."
        raise OSError("the input's connection was reset")

    cleaned = []
    with pytest.raises(OSError, match="connection was reset"):
        for c in dc.Pipeline(edits=[Uppercase()]).clean(records()):
            cleaned.append(c.document.text)
    assert cleaned == ["FIRST TEXT OF THE BATCH.", "SECOND TEXT OF THE BATCH."]


@dataclass
class TagsMany(dc.Editor):
    """Defines apply_many alone."""

    def apply_many(self, texts):
        if any("fail here" in text for text in texts):
            raise ValueError("cannot tag this one")
        return [text + " [tagged]" for text in texts]


def test_a_rule_defining_apply_many_alone_that_fails_is_named_with_its_own_error():
    docs = [Document(f"d{i}", f"An English sentence, number {i}, long enough to be recognised.") for i in range(4)]
    docs[2].text += " fail here"
    with pytest.raises(RuleFailure, match="rule 'TagsMany' failed on document 'd2': ValueError: cannot tag this one"):
        RuleChain(edits=[TagsMany()]).process_many(docs)


def test_pipeline_clean_with_batches_of_one_yields_each_document_before_reading_the_next():
    read = []

    def records():
        for i in range(3):
            read.append(i)
            yield f"Text number {i} of the stream."

    stream = dc.Pipeline(edits=[Uppercase()]).clean(records(), batch_size=1)
    assert next(stream).document.text == "TEXT NUMBER 0 OF THE STREAM." and read == [0]
    assert next(stream).document.text == "TEXT NUMBER 1 OF THE STREAM." and read == [0, 1]
    with pytest.raises(ValueError, match="a batch of 0 documents"):
        list(dc.Pipeline().clean(["text"], batch_size=0))

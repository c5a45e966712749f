"""The line classifier (datacleaning/main_text): the shipped model on real pages rendered to text
(what it keeps, what it drops, what it must leave exactly as it is), HTML rendered to lines with
their link shares and tags, training on labelled lines, the model file, and, when the development
corpus is at hand, its line F1 on Turku's held-out documents."""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import helpers
from datacleaning.main_text import LabelledPage, LineTrainSettings, load_line_classifier, render_page, train_line_classifier
from datacleaning.main_text.editor import keep_running_sentences
from datacleaning.main_text.features import FEATURES, FeatureHasher, PageLayout, _list_structure
from datacleaning.main_text.model import LineClassifier, read_line_classifier
from datacleaning.rules.registry import build_rule
from datacleaning.sparse_logistic import AdamSettings

FIXTURES = helpers.FIXTURES / "rules" / "boilerplate"
REAL = {d["id"]: d["text"] for d in map(json.loads, (FIXTURES / "real_texts.jsonl").read_text("utf-8").splitlines())}
ZH_PAGE = (FIXTURES / "zh_news_page.txt").read_text("utf-8").rstrip("\n")
ZH_CLEAN = (FIXTURES / "zh_news_page.clean.txt").read_text("utf-8").rstrip("\n")
EN_PAGE = (FIXTURES / "en_cc_blog_page.txt").read_text("utf-8").rstrip("\n")
LIST_PAGE = (FIXTURES / "zh_list_article_page.txt").read_text("utf-8").rstrip("\n")
# Menu, footer and related-post lines of the English page, read off the fixture by hand.
EN_FURNITURE = ["Skip to content", "Menu", "Who We Are", "What We Do", "Blog", "Support Us", "Search",
                "Donate", "Related posts", "Celebrating the Public Domain in the Capital of Europe",
                "Getty Museum releases 88K+ images of artworks with CC0", "Contact", "Newsletter", "Privacy",
                "Policies", "Terms", "Contact Us", "Twitter", "Mastodon", "Facebook", "LinkedIn",
                "Subscribe to our Newsletter"]


def editor(**params):
    """The rule as the clean stage builds it, with mixed_web's limit unless given another."""
    built = build_rule("edits", 0, {"name": "remove_boilerplate_by_classifier", "min_probability": 0.15, **params})
    built.prepare(FIXTURES)
    return built


def test_chinese_page_keeps_its_article_and_loses_most_of_its_furniture():
    out = editor().apply(ZH_PAGE).split("\n")
    clean = ZH_CLEAN.split("\n")
    body = [line for line in clean if len(line) >= 30]  # the article's paragraphs, by the hand-cleaned page
    assert body and all(line in out for line in body)
    furniture = [line for line in ZH_PAGE.split("\n") if line.strip() and line not in clean]
    assert sum(line not in out for line in furniture) > len(furniture) / 2


def test_english_page_keeps_its_long_sentences_and_loses_most_of_its_menus():
    out = editor().apply(EN_PAGE).split("\n")
    long_lines = [line for line in EN_PAGE.split("\n") if len(line) >= 100 and line.endswith(".")]
    assert long_lines and all(line in out for line in long_lines)
    assert sum(line not in out for line in EN_FURNITURE) > len(EN_FURNITURE) / 2


@pytest.mark.parametrize("doc_id", sorted(REAL))
def test_poems_manuals_and_encyclopedia_pass_intact(doc_id):
    assert editor().apply(REAL[doc_id]) == REAL[doc_id]



def test_a_line_of_brackets_alone_goes_or_stays_with_the_line_above_it():
    out = editor().apply(EN_PAGE).split("\n")
    dropped = next(line for line in EN_FURNITURE if line in EN_PAGE.split("\n") and line not in out)
    kept = next(line for line in EN_PAGE.split("\n") if len(line) >= 100 and line in out)
    page = EN_PAGE.replace(f"\n{dropped}\n", f"\n{dropped}\n}};\n", 1).replace(kept, f"{kept}\n}}", 1)
    out = editor().apply(page).split("\n")
    assert out[out.index(kept) + 1] == "}"
    assert "};" not in out


def test_a_link_that_a_kept_sentence_runs_through_stays():
    # Text extracted from HTML often breaks a paragraph at its links ("... to creating a fairer and
    # more balanced" / "international copyright system" / "in the public interest."); the
    # classifier, reading the link's words alone, takes them for a menu item.
    sentence = next(line for line in EN_PAGE.split("\n") if line.startswith("We look forward to participating"))
    before, after = sentence.split(" international copyright system ")
    page = EN_PAGE.replace(sentence, f"{before}\ninternational copyright system\n{after}")
    out = editor().apply(page).split("\n")
    assert [before, "international copyright system", after] == out[out.index(before):out.index(before) + 3]


def test_furniture_after_a_heading_is_not_taken_for_a_sentence_running_on():
    # A heading ends no sentence either, but what follows it opens a sentence of its own.
    kept = np.array([True, False, True])
    lines = ["Test different numbers of topics", "Advertisement", "There is no right number of topics."]
    assert not keep_running_sentences(kept, lines)[1]
    assert keep_running_sentences(kept, ["the tools that support it are", "MALLET", "and tomotopy."])[1]


def test_an_article_that_lists_its_items_field_by_field_keeps_the_list():
    # Twelve venues, each a numbered line and short fields (成人票原价：60元, 咨询电话：...): runs of short
    # lines, as menus are, but counting up and repeating their labels. The model before list items
    # and field labels were features kept 17 of these 44 lines.
    lines = LIST_PAGE.split("\n")
    items = [line for line in lines if line[:1].isdigit() or line.startswith(("成人票", "儿童票", "学生票", "老人票", "咨询电话"))]
    out = editor().apply(LIST_PAGE).split("\n")
    assert sum(line in out for line in items) >= 0.8 * len(items)
    furniture = lines[:9] + lines[lines.index("责任编辑：王明") + 1:]
    assert sum(line not in out for line in furniture) > len(furniture) / 2


def list_structure(*pages):
    return _list_structure([line for page in pages for line in page], PageLayout([len(page) for page in pages]))


def test_list_items_count_up_and_field_labels_repeat():
    numbered, fields = list_structure(["1、青松湖湿地公园", "成人票原价：60元", "2、城南植物园", "成人票原价：40元",
                                       "3. 另一种编号", "成人票原价：30元", "咨询电话：0000-5550101", "2024年5月19日"])
    assert numbered.tolist() == [2, 0, 2, 0, 1, 0, 0, 0]  # "3." has no "2." or "4." beside it
    assert fields.tolist() == [0, 2, 0, 2, 0, 2, 1, 0]
    # Links and comment times repeat on a page too, but are no field of an item.
    _, fields = list_structure(["http://a.example/1", "http://a.example/2", "http://a.example/3",
                                "10-18 21:30 说得好", "10-18 21:31 说得好", "10-18 21:32 说得好"])
    assert fields.tolist() == [0] * 6


def test_list_items_and_field_labels_count_on_their_own_page_of_a_batch():
    numbered, fields = list_structure(["1、青松湖湿地公园", "成人票原价：60元"], ["2、城南植物园", "成人票原价：40元"],
                                      ["成人票原价：30元", "3、另一座公园"])
    assert numbered.tolist() == [1, 0, 1, 0, 0, 1]
    assert fields.tolist() == [0, 1, 0, 1, 1, 0]


def test_a_model_trained_on_the_first_features_reads_its_lines_with_them():
    lines = [line for line in LIST_PAGE.split("\n") if line]
    assert FeatureHasher(12, features=1).page(lines).placed.shape[1] == FeatureHasher(12).page(lines).placed.shape[1] - 4
    weights = np.zeros(1 << 12)
    assert LineClassifier(weights, 0.0, weights, 0.0, 12)._hasher.features == 1  # no "features" in its record
    assert LineClassifier(weights, 0.0, weights, 0.0, 12, record={"features": FEATURES})._hasher.features == FEATURES
    with pytest.raises(ValueError, match=f"trained on version {FEATURES + 1} of the line features"):
        LineClassifier(weights, 0.0, weights, 0.0, 12, record={"features": FEATURES + 1})  # a newer datacleaning's


def test_short_documents_are_left_alone():
    menu = "Home\nAbout us\nContact\nPrivacy"
    assert editor().apply(menu) == menu  # under min_chars
    assert editor(min_chars=0, min_lines=5).apply(menu) == menu
    assert editor(min_chars=0).apply(menu) != menu
    quotation = ("There are two ways of disliking art.   One is to dislike it.  The other is\n"
                 "to like it rationally.\n\t\t-- Oscar Wilde")  # a BSD fortune
    assert editor().apply(quotation) == quotation


def test_a_lone_surrogate_is_read_as_a_character_of_no_kind():
    page = EN_PAGE.replace("Menu", "Me\ud800nu")  # a Python str can hold one; JSON readers refuse it
    assert len(editor().apply(page).split("\n")) < len(page.split("\n"))


def test_probabilities_are_one_per_line_and_menus_score_below_prose():
    classifier = load_line_classifier()
    lines = [line.strip() for line in ZH_PAGE.split("\n") if line.strip()]
    p = classifier.probabilities(lines)
    assert p.shape == (len(lines),) and ((p >= 0) & (p <= 1)).all()
    by_line = dict(zip(lines, p))
    assert by_line["晨星网首页"] < 0.5 < by_line[next(line for line in ZH_CLEAN.split("\n") if len(line) >= 60)]
    assert classifier.probabilities([]).shape == (0,)


PAGE = """<html><head><title>Library hours</title></head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/about">About</a></nav>
<h1>The library opens at night</h1>
<p>From October the city library stays open until ten, and <a href="/stats">three hundred readers</a> come every evening.</p>
<ul><li><a href="/a">Another story</a></li><li>Plain item</li></ul>
<p>Fish &amp; chips</p>
</body></html>"""


def test_html_pages_render_to_lines_with_link_shares_and_tags():
    page = render_page(PAGE)
    rows = dict(zip(page.lines, zip(page.link_shares, page.tags)))
    assert rows["Home | News | About"][0] == pytest.approx(13 / 15)  # all but the two separators
    assert rows["The library opens at night"] == (0.0, "h")
    prose = next(line for line in page.lines if line.startswith("From October"))
    assert 0 < rows[prose][0] < 0.5 and rows[prose][1] == "p"
    assert any(share == 1.0 and tag == "li" for line, (share, tag) in rows.items() if "Another story" in line)
    assert "Fish & chips" in page.lines  # entities decoded
    assert page.text == "\n".join(page.lines)


def test_pages_scored_together_score_as_each_alone():
    classifier = load_line_classifier()
    pages = [[line.strip() for line in page.split("\n") if line.strip()] for page in (ZH_PAGE, EN_PAGE, LIST_PAGE)]
    together = classifier.page_probabilities([pages[0], [], pages[1], pages[2]])
    assert together[1].shape == (0,)
    for page, p in zip(pages, [together[0], *together[2:]]):
        np.testing.assert_allclose(p, classifier.probabilities(page), rtol=0, atol=1e-12)
    html = [render_page(PAGE), render_page(PAGE.replace("<p>Fish &amp; chips</p>", ""))]
    together = classifier.page_probabilities([h.lines for h in html], [h.link_shares for h in html],
                                             [h.tags for h in html])
    for page, p in zip(html, together):
        np.testing.assert_allclose(p, classifier.probabilities(page.lines, page.link_shares, page.tags), rtol=0,
                                   atol=1e-12)


def test_an_editor_given_a_batch_rewrites_each_text_as_alone():
    texts = [EN_PAGE, "Home\nAbout us", ZH_PAGE, LIST_PAGE, EN_PAGE]
    rule = editor()
    assert rule.apply_many(texts) == [rule.apply(text) for text in texts]


def test_training_learns_labelled_lines_and_the_file_keeps_what_it_learned(tmp_path):
    clean = set(ZH_CLEAN.split("\n"))
    lines = [line.strip() for line in ZH_PAGE.split("\n") if line.strip()]
    labels = [int(line in clean) for line in lines]
    en_lines = [line.strip() for line in EN_PAGE.split("\n") if line.strip()]
    en_labels = [int(line not in EN_FURNITURE) for line in en_lines]
    pages = [LabelledPage(lines, labels, "zh"), LabelledPage(en_lines, en_labels, "en")] * 3
    settings = LineTrainSettings(bits=12, adam=AdamSettings(epochs=20, batch_size=64, lr=0.05, l2=1e-6))
    classifier = train_line_classifier(pages, settings)
    p = classifier.probabilities(lines)
    y = np.array(labels)
    assert p[y == 1].mean() > p[y == 0].mean() + 0.3
    assert classifier.record["lines"] == 3 * (len(lines) + len(en_lines))
    classifier.save(tmp_path / "lines.npz")
    again = read_line_classifier(tmp_path / "lines.npz")
    assert np.abs(again.probabilities(lines) - p).max() < 1e-2  # weights stored as float16
    assert again.record == classifier.record


def test_bad_training_input_is_refused():
    with pytest.raises(ValueError, match="2 lines and 1 labels"):
        LabelledPage(["a", "b"], [1], "g")
    with pytest.raises(ValueError, match="no labelled lines"):
        train_line_classifier([LabelledPage([], [], "g")])


DEV = os.environ.get("DATACLEANING_DEV_DATA")


@pytest.mark.skipif(not DEV, reason="set DATACLEANING_DEV_DATA to the development corpus to run this check")
def test_turku_held_out_lines_reach_the_target_f1():
    """Issue target: line F1 >= 0.85 on the Turku labels (the upstream test split, which the
    shipped model never saw), with mixed_web's limit."""
    rule = editor()
    true_kept = kept = main = 0
    with open(Path(DEV) / "en" / "en_web_line_labelled_turku.jsonl", encoding="utf-8") as f:
        for record in map(json.loads, f):
            if record["upstream_split"] != "test":
                continue
            survived = Counter(rule.apply("\n".join(record["lines"])).split("\n"))
            for line, label in zip(record["lines"], record["line_labels"]):
                is_kept = survived[line] > 0  # a repeated line: as often as the output holds it
                survived[line] -= is_kept
                kept += is_kept
                main += label
                true_kept += is_kept and label == 1
    precision, recall = true_kept / kept, true_kept / main
    assert 2 * precision * recall / (precision + recall) >= 0.85


def test_a_page_scores_the_same_whatever_pages_come_before_it_in_a_batch():
    # Link shares whose window mean is exactly an edge (0.1) alone: summed after another page's,
    # a rounding put it above the edge and moved the line's feature.
    classifier = load_line_classifier()
    menu = (["Home", "News"], [0.1, 0.1], ["li", "li"])
    prose = (["The council voted on Monday to approve the new budget for the coming year."], [0.1], ["p"])
    together = classifier.page_probabilities([menu[0], prose[0]], [menu[1], prose[1]], [menu[2], prose[2]])
    assert np.array_equal(together[1], classifier.probabilities(*prose))
    # The second stage's window means of first-stage probabilities, likewise.
    hasher = FeatureHasher(12)
    before, page = np.array([0.5, 0.9, 0.3, 0.3]), np.array([0.1, 0.1])
    alone = hasher.context(page, PageLayout([len(page)]))
    assert np.array_equal(hasher.context(np.concatenate([before, page]), PageLayout([len(before), len(page)]))[len(before):],
                          alone)

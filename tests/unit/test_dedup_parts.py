"""The dedup stage's parts checked against plain-Python references written here: normalization
and exact hashes, shingles and their Jaccard similarity, MinHash agreement, the LSH band search,
connected components, line boilerplate, and the key-range partitions of sorted runs."""
from __future__ import annotations

import random

import numpy as np
import pytest

from datacleaning.config import DedupConfig, DedupNormalizeConfig
from datacleaning.dedup.components import both_directions, component_minimum, large_star, small_star
from datacleaning.dedup.lines import cut_text
from datacleaning.dedup.lsh import optimal_bands
from datacleaning.dedup.minhash import signatures
from datacleaning.dedup.normalize import TextBatch
from datacleaning.dedup.runs import KEY_RECORD, KEY_SPACE, PAIR_RECORD, balanced_bounds, load_range, range_bounds, \
    save_run
from datacleaning.dedup.steps import jaccard
from datacleaning.dedup.text import DedupText
from helpers import fixture_records, reference_jaccard, reference_shingles

RECORDS = fixture_records()


def substitute(text: str, rate: float, rng: random.Random) -> str:
    """Replace about ``rate`` of the characters (Chinese) or words (English) with others of the text."""
    if any("\u4e00" <= c <= "\u9fff" for c in text):
        chars = list(text)
        return "".join(rng.choice(chars) if rng.random() < rate else c for c in chars)
    words = text.split(" ")
    return " ".join(rng.choice(words) if rng.random() < rate else w for w in words)


def edited_pairs(seed: int = 7) -> list[tuple[str, str, str]]:
    """(language, text, edited text) over the fixture documents at several edit rates, plus
    short texts written for this test."""
    rng = random.Random(seed)
    pairs = []
    for record in RECORDS:
        for rate in (0.0, 0.02, 0.1, 0.3):
            pairs.append((record["lang"], record["text"], substitute(record["text"], rate, rng)))
    pairs += [("zh", "外卖送得很快，味道不错。", "外卖送得很快,味道不错!"), ("zh", "好评", "好评！！"),
              ("zh", "味道不错", "味道很好"), ("en", "Thank you.", "thank   you"), ("en", "Great service", "Great food"),
              ("zh", "。。。", "！！！")]
    return pairs


def _our_shingles(texts: list[str], langs: list[str]):
    """(values, offsets): each text's shingle hashes, repeats included."""
    shingles = DedupText(DedupConfig()).shingles(TextBatch.from_texts(texts), langs)
    return shingles.hashes, shingles.offsets


def test_shingle_jaccard_equals_a_plain_python_reference():
    pairs = edited_pairs()
    texts = [t for _, a, b in pairs for t in (a, b)]
    langs = [lang for lang, _, _ in pairs for _ in range(2)]
    values, offsets = _our_shingles(texts, langs)
    sizes = [len(np.unique(values[start:end])) for start, end in zip(offsets[:-1], offsets[1:])]
    for k, (lang, a, b) in enumerate(pairs):
        ref_a, ref_b = reference_shingles(a), reference_shingles(b)
        assert (sizes[2 * k], sizes[2 * k + 1]) == (len(ref_a), len(ref_b)), (a[:40], b[:40])
        if ref_a and ref_b:
            ours = jaccard(values, offsets, np.array([2 * k]), np.array([2 * k + 1]))[0]
            assert ours == pytest.approx(reference_jaccard(ref_a, ref_b), abs=1e-12), (a[:40], b[:40])


def test_a_chinese_text_is_shingled_by_characters_whatever_its_label():
    """Two copies of one page labelled apart (one routed to English for the Latin in it, or
    labelled by another pipeline) must be shingled alike, or they are never near duplicates."""
    wiki = next(r["text"] for r in RECORDS if r["source"].startswith("github:ymcui/cmrc2018"))
    values, offsets = _our_shingles([wiki, wiki], ["zh", "en"])
    assert len(values) > 100
    assert sorted(values[offsets[0]:offsets[1]]) == sorted(values[offsets[1]:offsets[2]])
    english = "A plain English sentence of words, and then some more of them."
    values, offsets = _our_shingles([english], ["en"])
    assert len(values) == len(english.split()) - 4, "English stays shingled by words"


def test_a_bilingual_page_is_shingled_alike_under_either_label():
    """A Wikipedia paragraph before an English manual section: about a fifth Han, which the language
    guess labels Chinese or English as a few characters come and go. Shingled by its label, such a
    page and its copy were never near duplicates (a user found 0.99-similar copies kept)."""
    wiki = next(r["text"] for r in RECORDS if r["source"].startswith("github:ymcui/cmrc2018"))
    manual = next(r["text"] for r in RECORDS if r["source"].startswith("debian:debian-reference-en"))
    han = sum("\u4e00" <= c <= "\u9fff" for c in wiki)
    page = wiki + "\n" + manual[:3 * han]
    values, offsets = _our_shingles([page, page], ["zh", "en"])
    assert sorted(values[offsets[0]:offsets[1]]) == sorted(values[offsets[1]:offsets[2]])
    assert len(np.unique(values[offsets[0]:offsets[1]])) == len(reference_shingles(page))


def test_short_documents_get_one_shingle_of_all_their_tokens():
    values, offsets = _our_shingles(["好评", "好评！！", "味道不错", "Great service", "。。。"], ["zh", "zh", "zh", "en", "zh"])
    assert np.diff(offsets).tolist() == [1, 1, 1, 1, 0]
    assert values[0] == values[1]  # punctuation ignored: the same single shingle
    assert values[0] != values[2]


@pytest.mark.parametrize(("options", "a", "b", "equal"), [
    ({}, "Hello, World!", "hello   world", True),
    ({"ignore_case": False}, "Hello, World!", "hello   world", False),
    ({"ignore_punctuation": False}, "Hello, World!", "Hello World", False),
    ({"ignore_whitespace": False}, "Hello World", "Hello  World", False),
    ({"ignore_whitespace": False}, "Hello World", "Hello\tWorld", True),
    ({}, "订单号 12345，已发货。", "订单号 67890，已发货。", False),
    ({"ignore_digits": True}, "订单号 12345，已发货。", "订单号 67890，已发货。", True),
    ({}, "ＡＢＣ１２３　全角", "abc123 全角", True),
    ({}, "今天天气很好", "今天天气很好吗", False),
    # A page and its script conversion (OpenCC t2s, the crawl's mirrors) say the same.
    ({}, "我們說臺灣的國語，這裡的資料", "我们说台湾的国语，这里的资料", True),
    ({"ignore_script": False}, "我們說臺灣的國語，這裡的資料", "我们说台湾的国语，这里的资料", False),
    # Taiwan's and Hong Kong's conversions (s2tw, s2hk) write 著 瞭 覆 衞, which t2s keeps.
    ({}, "看著回覆才瞭解保衞的意思", "看着回复才了解保卫的意思", True),
    # A variation selector draws the heart as an emoji; the review says the same.
    ({}, "好吃❤️", "好吃", True),
    ({"ignore_punctuation": False}, "好吃❤\ufe0f", "好吃❤", True),
])
def test_exact_hash_follows_the_normalization_options(options, a, b, equal):
    text = DedupText(DedupConfig(normalize=DedupNormalizeConfig(**options)))
    hashes, has_content = text.exact(TextBatch.from_texts([a, b]))
    assert has_content.all()
    assert (hashes[0] == hashes[1]).all() == equal


def test_documents_without_content_have_no_exact_key():
    hashes, has_content = DedupText(DedupConfig()).exact(TextBatch.from_texts(["", " \n ", "!!!", "ok"]))
    assert has_content.tolist() == [False, False, False, True]
    assert len(hashes) == 1


def test_minhash_agreement_estimates_jaccard():
    pairs = [p for p in edited_pairs(seed=11) if p[1] and p[2]]
    texts = [t for _, a, b in pairs for t in (a, b)]
    langs = [lang for lang, _, _ in pairs for _ in range(2)]
    shingles = DedupText(DedupConfig()).shingles(TextBatch.from_texts(texts), langs)
    signed = np.flatnonzero(shingles.counts > 0)
    assert len(signed) == len(texts) - 2  # the punctuation-only pair has no content
    sig = signatures(shingles.hashes, np.append(shingles.offsets[signed], shingles.offsets[-1]), 128, 42)
    row = {doc: k for k, doc in enumerate(signed.tolist())}
    errors = []
    for k, (lang, a, b) in enumerate(pairs):
        if 2 * k not in row:
            continue
        truth = reference_jaccard(reference_shingles(a), reference_shingles(b))
        agreement = float((sig[row[2 * k]] == sig[row[2 * k + 1]]).mean())
        errors.append(agreement - truth)
        assert abs(agreement - truth) < 0.2, (truth, agreement)
    assert abs(np.mean(errors)) < 0.02
    assert np.std(errors) < 0.05  # about sqrt(J(1-J)/128)


def test_band_search_matches_datasketch():
    lsh = pytest.importorskip("datasketch.lsh")
    for threshold in (0.5, 0.7, 0.8, 0.9):
        for num_perm in (32, 128, 256):
            for fn_weight in (0.5, 0.9, 0.95):
                ours = optimal_bands(threshold, num_perm, fn_weight)
                assert (ours.bands, ours.rows) == lsh._optimal_param(threshold, num_perm, 1 - fn_weight, fn_weight)


def union_find_roots(n: int, a: np.ndarray, b: np.ndarray):
    """The reference the clustering is checked against: a plain union-find over the edges
    (a, b) of n nodes, each component's root its smallest node; returns ``find``."""
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist()):
        parent[max(find(x), find(y))] = min(find(x), find(y))
    return find


def test_components_are_those_of_a_plain_union_find():
    rng = np.random.default_rng(3)
    for _ in range(100):
        n = int(rng.integers(2, 80))
        a, b = rng.integers(0, n, 60), rng.integers(0, n, 60)
        find = union_find_roots(n, a, b)
        nodes, smallest = component_minimum(a, b)
        assert nodes.tolist() == sorted(set(a.tolist()) | set(b.tolist()))
        assert smallest.tolist() == [find(x) for x in nodes.tolist()]
    chain = rng.permutation(5000)
    nodes, smallest = component_minimum(chain[:-1], chain[1:])
    assert (smallest == 0).all()


def _star_rounds_by_range(pairs: np.ndarray, nodes: int, ranges: int) -> tuple[dict, dict, int]:
    """Large-star and small-star rounds as the clustering steps run them: each range of nodes
    alone, on the edges keyed in it. Returns ({leaf: centre}, {centre: members}, rounds)."""
    bounds = np.linspace(0, nodes, ranges + 1).astype(np.uint64)

    def by_range(edges):
        return [edges[(edges["a"] >= lo) & (edges["a"] < hi)] for lo, hi in zip(bounds[:-1], bounds[1:])]

    edges, rounds = both_directions(pairs), 0
    while True:
        rounds += 1
        results = [large_star(part) for part in by_range(edges)]
        out = np.concatenate([r[0] for r in results])
        if sum(r[2] for r in results) == 0:
            centers = np.concatenate([r[1] for r in results])
            return (dict(zip(out["a"].tolist(), out["b"].tolist())),
                    dict(zip(centers["doc"].tolist(), centers["members"].tolist())), rounds)
        edges = np.concatenate([small_star(part) for part in by_range(out)])


def test_star_rounds_over_ranges_find_the_components_of_a_plain_union_find():
    rng = np.random.default_rng(11)
    longest = 0
    for trial in range(150):
        n = int(rng.integers(2, 300))
        if trial % 10 == 0:
            order = rng.permutation(n)
            a, b = order[:-1], order[1:]
        else:
            edges = int(rng.integers(1, 400))
            a, b = rng.integers(0, n, edges), rng.integers(0, n, edges)
            a, b = a[a != b], b[a != b]
        find = union_find_roots(n, a, b)
        pairs = np.empty(len(a), PAIR_RECORD)
        pairs["a"], pairs["b"] = a, b
        leaves, centres, rounds = _star_rounds_by_range(pairs, n, int(rng.integers(1, 6)))
        expected = {x: find(x) for x in set(a.tolist()) | set(b.tolist()) if find(x) != x}
        assert leaves == expected
        sizes = {}
        for root in expected.values():
            sizes[root] = sizes.get(root, 0) + 1
        assert centres == sizes
        longest = max(longest, rounds)
    assert longest >= 4, "the permuted chains should take several rounds"


def test_boilerplate_lines_are_found_on_normalized_content_and_cut():
    footer = "Copyright 2024 Example Media. All rights reserved."
    docs = [f"Story one.\n{footer}\nMore text.", "Story two\n  COPYRIGHT 2024 example media — all rights reserved \n",
            "Story three has no footer.\nShort\n"]
    config = DedupConfig()
    text = DedupText(config)
    batch = TextBatch.from_texts(docs)
    segments = text.segments(batch)
    per_doc = {d: [] for d in range(3)}
    for doc, start, end, h in zip(segments.doc.tolist(), segments.starts.tolist(), segments.ends.tolist(),
                                  segments.hashes.tolist()):
        per_doc[doc].append((docs[doc][start - int(batch.starts[doc]):end - int(batch.starts[doc])], h))
    # "Short" (5 characters) is countable, "Story one" etc. too; both footers hash alike.
    assert [line for line, _ in per_doc[0]] == ["Story one.", footer, "More text."]
    assert per_doc[0][1][1] == per_doc[1][1][1]
    text.boilerplate = np.array([per_doc[0][1][1]], dtype=np.uint64)
    starts, ends, doc = text.boilerplate_spans(batch)
    assert doc.tolist() == [0, 1]
    cut = [cut_text(docs[d], [s - int(batch.starts[d])], [e - int(batch.starts[d])])
           for d, s, e in zip(doc.tolist(), starts.tolist(), ends.tolist())]
    assert cut == ["Story one.\nMore text.", "Story two\n"]


def test_paragraphs_are_runs_of_non_blank_lines():
    config = DedupConfig.model_validate({"lines": {"unit": "paragraph"}})
    text = DedupText(config)
    doc = "First para line one\nline two\n\n\nSecond para\n"
    segments = text.segments(TextBatch.from_texts([doc]))
    assert [doc[s:e] for s, e in zip(segments.starts.tolist(), segments.ends.tolist())] == [
        "First para line one\nline two", "Second para"]


def test_key_ranges_split_sorted_runs_into_disjoint_complete_parts(tmp_path):
    rng = np.random.default_rng(5)
    paths, everything = [], []
    for unit in range(4):
        records = np.empty(500, KEY_RECORD)
        records["key"] = rng.integers(0, 2**64 - 1, 500, dtype=np.uint64)
        records["key"][:50] = records["key"][0]  # a run of equal keys stays in one part
        records["doc"] = np.arange(500) + unit * 1000
        paths.append(tmp_path / f"{unit}.npy")
        save_run(paths[-1], records, "key")
        everything.append(records)
    parts = 7
    loaded = [load_range(paths, "key", *range_bounds(KEY_SPACE, parts, p), KEY_RECORD) for p in range(parts)]
    assert sum(len(part) for part in loaded) == 2000
    together = np.sort(np.concatenate(loaded), order=["doc"])
    assert (together == np.sort(np.concatenate(everything), order=["doc"])).all()
    for part in loaded:
        equal = part["key"] == everything[0]["key"][0]
        assert not equal.any() or equal.sum() == 50


def test_balanced_ranges_split_skewed_runs_evenly(tmp_path):
    rng = np.random.default_rng(9)
    paths = []
    for unit in range(3):
        records = np.zeros(3000, PAIR_RECORD)
        # Most first documents are among the earliest 2% of a million: equal-width ranges would
        # put nearly everything in the first one.
        records["a"] = np.where(rng.random(3000) < 0.9, rng.integers(0, 20_000, 3000), rng.integers(0, 10**6, 3000))
        paths.append(tmp_path / f"{unit}.npy")
        save_run(paths[-1], records, "a")
    bounds = balanced_bounds(paths, "a", 10**6, 6)
    assert bounds[0][0] == 0 and bounds[-1][1] == 10**6
    assert all(high == low for (_, high), (low, _) in zip(bounds, bounds[1:]))
    sizes = [len(load_range(paths, "a", low, high, PAIR_RECORD)) for low, high in bounds]
    assert sum(sizes) == 9000 and max(sizes) - min(sizes) <= 30  # ties at a bound move a few records


@pytest.mark.parametrize("standard", ["s2t", "s2tw", "s2hk"])
def test_a_page_and_its_conversion_to_traditional_are_exact_duplicates(standard):
    """Every Chinese fixture text against its OpenCC conversion, as crawls mirror pages."""
    import opencc

    convert = opencc.OpenCC(standard).convert
    texts = [r["text"] for r in fixture_records() if r.get("lang") == "zh"]
    assert texts
    dedup_text = DedupText(DedupConfig())
    for text in texts:
        hashes, _ = dedup_text.exact(TextBatch.from_texts([text, convert(text)]))
        assert (hashes[0] == hashes[1]).all(), (standard, text[:40])

"""Accuracy of the dedup stage's duplicate detection against true Jaccard similarity.

    python bench/dedup_accuracy.py --dev-data ../shared/data/dev

For each language (zh, en), an evaluation corpus is built from the development data:

- ``--originals`` documents drawn evenly from the language's sources (at least ``--min-tokens``
  tokens), each with two edited copies. An edit is one of: token insertions, deletions or
  substitutions at a rate drawn from EDIT_RATES (tokens are characters for Chinese, words for
  English; inserted and substituted tokens come from the corpus' own vocabulary), a shuffle of
  the lines (of the sentences when there are fewer than three lines), or added boilerplate
  (site headers and footers making up BOILERPLATE_SHARES of the result).
- up to ``--natural`` further documents of each source (all of a smaller one), as they are, with
  whatever exact and near duplicates the data holds (template reviews, fortunes copied from
  Debian Reference).

The stage runs on that corpus with its default settings (written as Arrow shards in the clean
stage's kept schema). Ground truth is computed independently of the stage's code: shingles are
rebuilt in plain Python from the documented rules (per-character Unicode normalization, then
character 5-grams for Chinese (and any text at least half Han, kana or Hangul) and word 5-grams
for English, a document with fewer than 5 tokens
being one shingle), and every pair with Jaccard >= the threshold is found exactly by an
all-pairs similarity join (prefix filtering, then exact set intersection).

A pair counts as detected when both documents end up in the same cluster (the kept document and
everything removed with it as its duplicate), and as true when its Jaccard similarity is at
least the threshold. Precision, recall and F1 are reported per language over

- the labelled pairs: each original with each of its edited copies (whatever their similarity)
  and every pair of unedited documents with Jaccard >= 0.5 (the natural duplicates and the near
  misses around them);
- every pair of documents: stricter, since two edited copies of one original that are each
  similar enough to it but not to each other share its cluster and count as a false detection;

with the lowest true Jaccard of any two documents in one cluster, and recall by similarity band
and by the origin of the pair.
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import orjson

from _common import BENCH_OUT, add_dev_data_option, dev_data_or_exit

from datacleaning.cleaning.stage import KEPT_SCHEMA
from datacleaning.config import load_config
from datacleaning.script_chars import traditional_to_simplified
from datacleaning.shards import ShardWriter, read_table
from datacleaning.stages import run_stage

LANGUAGES = ("zh", "en")
NGRAM = 5
EDIT_RATES = (0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2)
BOILERPLATE_SHARES = (0.05, 0.1, 0.2, 0.35)
EDIT_KINDS = ("insert", "delete", "substitute", "shuffle", "boilerplate")
BOILERPLATE = {
    "zh": ["首页 | 新闻 | 体育 | 娱乐 | 财经 | 科技 | 汽车 | 房产",
           "版权所有 © 2003-2024 某某网络科技有限公司 京ICP备12345678号-1",
           "分享到：微信 微博 QQ空间 豆瓣",
           "上一篇：返回列表 下一篇：没有了",
           "免责声明：本文仅代表作者观点，与本站无关。",
           "关注我们的公众号，获取更多精彩内容",
           "责任编辑：王小明 校对：李华",
           "相关阅读 热门推荐 猜你喜欢"],
    "en": ["Home | News | Sports | Entertainment | Business | Technology",
           "Copyright 2024 Example Media Group. All rights reserved.",
           "Share this article on Twitter, Facebook and LinkedIn",
           "Subscribe to our newsletter for the latest updates",
           "Privacy Policy | Terms of Service | Contact Us | Advertise",
           "Previous article Next article Back to top",
           "This article was originally published on our partner site.",
           "Related stories you might have missed"],
}
SIMILARITY_BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.85), (0.85, 0.9), (0.9, 0.95), (0.95, 1.0), (1.0, 1.01))


# Han (its marks, Extension A, the unified and compatibility blocks, planes 2 and 3), kana and
# Hangul syllables: the scripts a document is shingled by characters for when it is half of them.
SPACELESS_SCRIPT = re.compile("[\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                              "\U00020000-\U0003ffff\u3040-\u30ff\uac00-\ud7af]")


# --- ground truth, independent of datacleaning.dedup ---------------------------------------------

def _normal_char(char: str) -> str:
    """The documented normalization of one character (defaults: case, whitespace, punctuation
    and script ignored, digits kept): NFKC when it yields one character, Traditional Chinese to
    Simplified (the published table of datacleaning.script_chars), then space for whitespace,
    control, format, punctuation, symbols and variation selectors, else lower case."""
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) == 1:
        char = folded
    char = traditional_to_simplified().get(char, char)
    category = unicodedata.category(char)
    if (char.isspace() or category in ("Zs", "Zl", "Zp", "Cc", "Cf") or category[0] in "PS"
            or "\ufe00" <= char <= "\ufe0f"):
        return " "
    lower = char.lower()
    return lower if len(lower) == 1 else char


def shingle_set(text: str, cache: dict) -> frozenset:
    normal = "".join(cache.setdefault(c, _normal_char(c)) for c in text)
    content = [c for c in normal if c != " "]
    cjk = sum(1 for c in content if SPACELESS_SCRIPT.match(c))
    tokens = content if cjk and 5 * cjk >= len(content) else normal.split()  # a fifth CJK, whatever the label
    if not tokens:
        return frozenset()
    if len(tokens) < NGRAM:
        return frozenset([tuple(tokens)])
    return frozenset(tuple(tokens[i:i + NGRAM]) for i in range(len(tokens) - NGRAM + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def similar_pairs(sets: list[frozenset], threshold: float) -> dict[tuple[int, int], float]:
    """Every pair (i < j) with Jaccard >= threshold, exactly: a pair that similar must share one
    of the rarest |A| - ceil(threshold·|A|) + 1 shingles of A (prefix filtering)."""
    frequency = Counter(s for shingles in sets for s in shingles)
    index: dict = defaultdict(list)
    found = {}
    for i, shingles in enumerate(sets):
        if not shingles:
            continue
        ordered = sorted(shingles, key=lambda s: (frequency[s], s))
        prefix = len(ordered) - math.ceil(threshold * len(ordered) - 1e-9) + 1
        candidates = set()
        for s in ordered[:prefix]:
            candidates.update(index[s])
            index[s].append(i)
        for j in candidates:
            other = sets[j]
            if min(len(other), len(shingles)) >= threshold * max(len(other), len(shingles)):
                similarity = jaccard(shingles, other)
                if similarity >= threshold:
                    found[(j, i)] = similarity
    return found


# --- the evaluation corpus -------------------------------------------------------------------------

def tokenize_for_edit(text: str, lang: str) -> list[str]:
    return list(text) if lang == "zh" else text.split(" ")


def join_tokens(tokens: list[str], lang: str) -> str:
    return "".join(tokens) if lang == "zh" else " ".join(tokens)


def edit(text: str, lang: str, kind: str, rng: random.Random, vocabulary: list[str]) -> tuple[str, str]:
    """An edited copy of ``text`` and a label naming the edit."""
    if kind in ("insert", "delete", "substitute"):
        rate = rng.choice(EDIT_RATES)
        out = []
        for token in tokenize_for_edit(text, lang):
            roll = rng.random() < rate
            if kind == "delete" and roll:
                continue
            out.append(rng.choice(vocabulary) if kind == "substitute" and roll else token)
            if kind == "insert" and roll:
                out.append(rng.choice(vocabulary))
        return join_tokens(out, lang), f"{kind} {rate:.1%}"
    if kind == "shuffle":
        lines = text.split("\n")
        if sum(1 for line in lines if line.strip()) >= 3:
            rng.shuffle(lines)
            return "\n".join(lines), "shuffle lines"
        sentences = re.split(r"(?<=[。！？!?.])\s*", text) if lang == "zh" else re.split(r"(?<=[.!?])\s+", text)
        rng.shuffle(sentences)
        return ("" if lang == "zh" else " ").join(sentences), "shuffle sentences"
    share = rng.choice(BOILERPLATE_SHARES)
    header, footer = [], []
    added = 0
    while added < share * len(text) / (1 - share):
        line = rng.choice(BOILERPLATE[lang])
        (header if rng.random() < 0.5 else footer).append(line)
        added += len(line)
    return "\n".join([*header, text, *footer]), f"boilerplate {share:.0%}"


def load_language(dev_data: Path, lang: str) -> dict[str, list[dict]]:
    sources = {}
    for path in sorted((dev_data / lang).glob("*.jsonl")):
        with open(path, "rb") as f:
            sources[path.stem] = [orjson.loads(line) for line in f if line.strip()]
    return sources


def build_corpus(dev_data: Path, lang: str, originals: int, natural: int, min_tokens: int,
                 rng: random.Random) -> list[dict]:
    sources = load_language(dev_data, lang)
    vocabulary = [t for docs in sources.values() for d in docs[:200] for t in tokenize_for_edit(d["text"], lang)
                  if t.strip()]
    docs, used = [], set()
    per_source = -(-originals // len(sources))
    for name, records in sources.items():
        eligible = [r for r in records if len(tokenize_for_edit(r["text"], lang)) >= min_tokens]
        for record in rng.sample(eligible, min(per_source, len(eligible))):
            used.add(record["id"])
            docs.append({"id": record["id"], "text": record["text"], "source": name, "edit": "original"})
            for copy, kind in enumerate(rng.sample(EDIT_KINDS, 2)):
                text, label = edit(record["text"], lang, kind, rng, vocabulary)
                docs.append({"id": f"{record['id']}#edit{copy}", "text": text, "source": name, "edit": label})
    for name, records in sources.items():
        pool = [r for r in records if r["id"] not in used]
        for record in rng.sample(pool, min(natural, len(pool))):
            docs.append({"id": record["id"], "text": record["text"], "source": name, "edit": "natural"})
    rng.shuffle(docs)
    return docs


def write_shards(docs: list[dict], lang: str, folder: Path) -> None:
    writer = ShardWriter(folder, "eval", KEPT_SCHEMA, max_shard_bytes=4 << 20, batch_rows=512)
    for d in docs:
        writer.add({"id": d["id"], "text": d["text"], "source": d["source"], "lang": lang, "meta": "{}",
                    "edits": "{}", "scores": "{}"}, len(d["text"]))
    writer.commit()


# --- evaluation ------------------------------------------------------------------------------------

def evaluate(docs: list[dict], lang: str, workers: int, threshold: float, scratch: Path) -> dict:
    write_shards(docs, lang, scratch / "input")
    config = load_config(None, [(["run", "workers"], workers), (["run", "progress"], False),
                                (["dedup", "minhash", "threshold"], threshold)])
    result = run_stage("dedup", config, scratch / "input", scratch / "output")
    if not result.ok:
        raise SystemExit(f"dedup run failed: {result.stats['failed_units']}")
    removed = read_table(scratch / "output" / "removed", ["id", "kept_id"]).to_pydict()
    cluster_of = {d["id"]: d["id"] for d in docs}
    cluster_of.update(zip(removed["id"], removed["kept_id"]))

    cache: dict = {}
    sets = [shingle_set(d["text"], cache) for d in docs]
    evaluated = [i for i, s in enumerate(sets) if s]

    def same_cluster(i: int, j: int) -> bool:
        return cluster_of[docs[i]["id"]] == cluster_of[docs[j]["id"]]

    # The labelled pairs: each original with each of its edited copies, whatever their
    # similarity, and every pair of unedited documents (originals and natural ones) with Jaccard
    # >= 0.5 (found exactly by the join): the natural duplicates and the near misses around them.
    position = {d["id"]: i for i, d in enumerate(docs)}
    labelled: dict[tuple[int, int], tuple[float, str]] = {}
    for i, d in enumerate(docs):
        if "#edit" in d["id"] and sets[i]:
            j = position[d["id"].split("#edit")[0]]
            labelled[(min(i, j), max(i, j))] = (jaccard(sets[i], sets[j]), d["edit"].split()[0])
    for (i, j), similarity in similar_pairs(sets, 0.5).items():
        if "#edit" not in docs[i]["id"] and "#edit" not in docs[j]["id"]:
            labelled[(i, j)] = (similarity, "natural")
    labelled_scores = _scores({pair: (s, same_cluster(*pair)) for pair, (s, _) in labelled.items()}, threshold)

    # Stricter: every pair of documents that share a cluster counts as detected, so two edited
    # copies of one original, each similar to it but less so to each other, count against precision.
    members = defaultdict(list)
    for i in evaluated:
        members[cluster_of[docs[i]["id"]]].append(i)
    clustered = {(i, j): jaccard(sets[i], sets[j])
                 for group in members.values() for i, j in itertools.combinations(sorted(group), 2)}
    truth = similar_pairs(sets, threshold)
    every_pair = {pair: (s, True) for pair, s in clustered.items()}
    every_pair.update({pair: (s, pair in clustered) for pair, s in truth.items()})
    every_pair_scores = _scores(every_pair, threshold)

    by_band = []
    for low, high in SIMILARITY_BANDS:
        in_band = [pair for pair, (s, _) in labelled.items() if low <= s < high]
        by_band.append({"jaccard": f"[{low:.2f}, {min(high, 1.0):.2f}{')' if high <= 1 else ']'}",
                        "pairs": len(in_band), "detected": sum(1 for pair in in_band if same_cluster(*pair))})
    by_kind = defaultdict(lambda: {"pairs": 0, "true": 0, "detected": 0, "true_detected": 0})
    for pair, (similarity, kind) in labelled.items():
        row = by_kind[kind]
        row["pairs"] += 1
        row["true"] += similarity >= threshold
        row["detected"] += same_cluster(*pair)
        row["true_detected"] += similarity >= threshold and same_cluster(*pair)
    return {
        "language": lang,
        "docs": len(docs),
        "docs_without_shingles": len(docs) - len(evaluated),
        "labelled_pairs": labelled_scores,
        "every_pair_in_a_cluster": every_pair_scores,
        "f1": labelled_scores["f1"],
        "min_jaccard_in_a_cluster": min(clustered.values(), default=None),
        "pairs_in_a_cluster_below_0.5": sum(1 for s in clustered.values() if s < 0.5),
        "recall_by_similarity": by_band,
        "by_kind": dict(by_kind),
        "stage": {k: result.stats[k] for k in ("exact_duplicates", "near_duplicates", "clusters")}
                 | {"minhash": result.stats["minhash"]},
    }


def _scores(pairs: dict[tuple[int, int], tuple[float, bool]], threshold: float) -> dict:
    """Precision, recall and F1 of detection (the bool) against similarity >= threshold."""
    true_positive = sum(1 for s, found in pairs.values() if found and s >= threshold)
    detected = sum(1 for _, found in pairs.values() if found)
    true = sum(1 for s, _ in pairs.values() if s >= threshold)
    precision = true_positive / detected if detected else 1.0
    recall = true_positive / true if true else 1.0
    return {"pairs": len(pairs), "true": true, "detected": detected, "true_positives": true_positive,
            "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0}


def report(results: list[dict], threshold: float) -> str:
    lines = [f"Duplicate-pair detection at Jaccard threshold {threshold} (detected = the two documents end up "
             f"in one cluster):", "",
             "| language | docs | pairs | true pairs | detected | precision | recall | F1 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, key in (("labelled pairs", "labelled_pairs"), ("every pair in a cluster", "every_pair_in_a_cluster")):
        for r in results:
            m = r[key]
            lines.append(f"| {r['language']}, {name} | {r['docs']:,} | {m['pairs']:,} | {m['true']:,} | "
                         f"{m['detected']:,} | {m['precision']:.4f} | {m['recall']:.4f} | {m['f1']:.4f} |")
    lines += ["", "Lowest true Jaccard of two documents in one cluster: "
              + ", ".join(f"{r['language']} {r['min_jaccard_in_a_cluster']:.3f} "
                          f"({r['pairs_in_a_cluster_below_0.5']} pairs below 0.5)" for r in results),
              "", "Labelled pairs by true Jaccard (detected / pairs):", "",
              "| Jaccard | " + " | ".join(r["language"] for r in results) + " |",
              "|---|" + "---:|" * len(results)]
    for k, band in enumerate(results[0]["recall_by_similarity"]):
        cells = [f"{r['recall_by_similarity'][k]['detected']:,} / {r['recall_by_similarity'][k]['pairs']:,}"
                 for r in results]
        lines.append(f"| {band['jaccard']} | " + " | ".join(cells) + " |")
    lines += ["", "Labelled pairs by origin (edit of the copy, or natural; true = Jaccard >= threshold):", "",
              "| language | pairs from | pairs | true | detected | true and detected |",
              "|---|---|---:|---:|---:|---:|"]
    for r in results:
        for kind, row in sorted(r["by_kind"].items()):
            lines.append(f"| {r['language']} | {kind} | {row['pairs']:,} | {row['true']:,} | {row['detected']:,} | "
                         f"{row['true_detected']:,} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--originals", type=int, default=1000, help="documents per language given edited copies")
    parser.add_argument("--natural", type=int, default=6000, help="further documents per source, as they are")
    parser.add_argument("--min-tokens", type=int, default=10, help="shortest original, in tokens")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json-out", type=Path, default=BENCH_OUT / "dedup_accuracy.json")
    args = parser.parse_args(argv)
    dev = dev_data_or_exit(args.dev_data, "dedup_accuracy", needs=LANGUAGES)

    results = []
    for lang in LANGUAGES:
        rng = random.Random(f"{args.seed}-{lang}")
        docs = build_corpus(dev, lang, args.originals, args.natural, args.min_tokens, rng)
        with tempfile.TemporaryDirectory(prefix="dedup-accuracy-") as scratch:
            results.append(evaluate(docs, lang, args.workers, args.threshold, Path(scratch)))
        scores = results[-1]["labelled_pairs"]
        print(f"{lang}: precision {scores['precision']:.4f} recall {scores['recall']:.4f} F1 {scores['f1']:.4f}",
              flush=True)
    table = report(results, args.threshold)
    print()
    print(table)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "results": results,
                                         "markdown": table}, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How much of a page's main text each extractor and line rule keeps, and how much else it lets in.

    python bench/main_content.py --dev-data ../shared/data/dev

The gold sets of the development corpus pair raw HTML with the main text people extracted:
``magic_html`` (articles and forum threads in Chinese, English and other languages), ``cleaneval``
(CleanEval 2007, English), ``readability`` (Mozilla Readability's test pages, whose gold is
Readability's own output). Only the half of their pages that ``held_out`` names is measured: the
line classifier (datacleaning/main_text) is trained on the other half.

1. HTML extraction: every extractor turns every page into text, in this process, one page at a
   time; the text is compared with the gold as bags of units, each Han, kana or Hangul character
   one unit and every other run of letters and digits one (a bag of Latin letters would credit a
   menu with the article's letters): precision is the share of the extracted units that are in
   the gold, recall the share of the gold's units extracted, F1 their harmonic mean, each
   averaged over the pages of a set (an empty extraction scores 0). Pages with an empty gold are
   left out. Speed is pages per second of one core. The line classifier's rows keep the lines it
   gives 0.5 or more.
2. Lines: Turku's held-out documents (a human main-text/noise label per line) and the gold pages
   rendered as plain text (each line labelled by ``label_lines``), through ``mixed_web``'s edit
   rules with and without the line classifier: precision, recall and F1 of the lines kept.
3. Articles rejected whole: the share of gold pages ``mixed_web`` rejects, as page text and as
   main content, with the rules that rejected them.
4. The cost on clean text: the share of characters of each clean reference source that the line
   classifier's rule removes at each limit (``reference_losses``), which sets the profile's limit.

Prints one Markdown table per measure and writes everything to bench/out/main_content/main_content.json.
"""
from __future__ import annotations

import argparse
import difflib
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

from _common import BENCH_OUT, add_dev_data_option, dev_data_or_exit, surviving_lines

from resiliparse.extract.html2text import extract_plain_text

from datacleaning.main_text import LabelledPage, load_line_classifier, render_page
from datacleaning.readers.page import page_text

UNIT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")
# CleanEval's gold marks paragraphs, headings and list items and starts with the page's URL.
CLEANEVAL_MARKUP = re.compile(r"^URL:.*$|<[phl]>", re.MULTILINE)
MIN_PAGES = 5


def units(text: str) -> Counter:
    return Counter(UNIT.findall(text.lower()))


def overlap_scores(extracted: str, gold: str) -> tuple[float, float, float]:
    got, want = units(extracted), units(gold)
    common = sum((got & want).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def gold_text(record: dict, gold_set: str) -> str:
    gold = record["gold"] or ""
    if gold_set == "cleaneval":
        return CLEANEVAL_MARKUP.sub("", gold)
    if gold_set == "readability":
        return extract_plain_text(gold, main_content=False)
    return gold


def held_out(page_id: str) -> bool:
    """Half of the gold pages, by a hash of their id: the line classifier is trained on the other
    half (bench/main_text_train.py) and measured on this one."""
    return int(hashlib.md5(page_id.encode()).hexdigest(), 16) % 2 == 1


def label_lines(lines: list[str], gold: str) -> list[int]:
    """1 for each line that is main text by the gold, else 0: the page's units and the gold's are
    aligned (difflib's longest matching blocks), and a line is main text when at least half of its
    units fall in a matched block of three units or more, or it matches whole (a one-word
    heading). Rendering and gold differ in white space, quotes and line breaks; units do not."""
    page_units, owner = [], []
    for i, line in enumerate(lines):
        found = UNIT.findall(line.lower())
        page_units += found
        owner += [i] * len(found)
    gold_units = UNIT.findall(gold.lower())
    matched = [0] * len(lines)
    sizes = [len(UNIT.findall(line.lower())) for line in lines]
    for a, _, size in difflib.SequenceMatcher(None, page_units, gold_units, autojunk=False).get_matching_blocks():
        if size >= 3 or (size and size == sizes[owner[a]] and owner[a + size - 1] == owner[a]):
            for k in range(a, a + size):
                matched[owner[k]] += 1
    return [int(n > 0 and m / n >= 0.5) for m, n in zip(matched, sizes)]


def gold_pages(dev: Path) -> list[dict]:
    """Every page with a gold text: ``id``, ``set`` and ``group`` (the set, kind and language it
    is reported under), ``html``, ``gold``."""
    files = {"magic_html": "magic_html_benchmark.jsonl.gz", "cleaneval": "en_cleaneval.jsonl.gz",
             "readability": "web_readability_testpages.jsonl.gz"}
    pages = []
    for gold_set, name in files.items():
        with gzip.open(dev / "boilerplate" / name, "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                gold = gold_text(record, gold_set)
                if not units(gold):
                    continue
                lang = record.get("lang") if record.get("lang") in ("zh", "en") else "other"
                group = f"{gold_set} {record['kind']} {lang}" if gold_set == "magic_html" else f"{gold_set} {lang}"
                pages.append({"id": record["id"], "set": gold_set, "group": group, "html": record["html"],
                              "gold": gold})
    return pages


def resiliparse_main(html: str) -> str:
    return extract_plain_text(html, main_content=True)


def resiliparse_all(html: str) -> str:
    return extract_plain_text(html, main_content=False)


def trafilatura_default(html: str) -> str:
    import trafilatura
    return trafilatura.extract(html) or ""


def trafilatura_precision(html: str) -> str:
    import trafilatura
    return trafilatura.extract(html, favor_precision=True) or ""


def trafilatura_fast(html: str) -> str:
    import trafilatura
    return trafilatura.extract(html, fast=True) or ""


def trafilatura_recall(html: str) -> str:
    import trafilatura
    return trafilatura.extract(html, favor_recall=True) or ""


def readability_lxml(html: str) -> str:
    import logging

    from readability import Document
    logging.getLogger("readability.readability").setLevel(logging.CRITICAL)  # its failures count as empty
    return extract_plain_text(Document(html).summary(html_partial=True), main_content=False)


def reader_resiliparse_then_edits(html: str) -> str:
    """The reader's ``resiliparse`` extractor (Resiliparse's main content, the page's whole text
    where that holds no word), then the edit rules of ``mixed_web`` (navigation, boilerplate
    lines, related-article lists, repeated lines, ...): the text a page becomes in our pipeline
    before any filter judges it."""
    return next(iter(_edits_only().clean([page_text(html, "resiliparse")[0]]))).document.text


def reader_trafilatura(html: str) -> str:
    """The reader's ``trafilatura`` extractor (``input.html_extractor``): trafilatura without
    tables, Resiliparse's main content where trafilatura finds too little."""
    return page_text(html, "trafilatura")[0]


def reader_trafilatura_then_edits(html: str) -> str:
    """The reader's ``trafilatura`` extractor, then the edit rules of ``mixed_web``."""
    return next(iter(_edits_only().clean([reader_trafilatura(html)]))).document.text


@cache
def _edits_only():
    import datacleaning as dc
    return dc.Pipeline(dc.load_config(None, profile="mixed_web"), filters=[])


def classified_lines(page, min_probability: float = 0.5) -> str:
    probabilities = load_line_classifier().probabilities(page.lines, page.link_shares, page.tags)
    return "\n".join(line for line, p in zip(page.lines, probabilities) if p >= min_probability)


def line_classifier_on_page(html: str) -> str:
    """The line classifier on every line of the page, with its link shares and tags."""
    return classified_lines(render_page(html))


def line_classifier_on_main_content(html: str) -> str:
    """The line classifier on the lines Resiliparse's main-content heuristics keep."""
    return classified_lines(render_page(html, main_content=True))


def datatrove_trafilatura(html: str) -> str:
    """datatrove's extractor step as its pipelines run it (``Trafilatura()``, its defaults:
    favour_precision, no comments, deduplication)."""
    return _datatrove_step().extract(html) or ""


@cache
def _datatrove_step():
    from datatrove.pipeline.extractors import Trafilatura
    return Trafilatura()


EXTRACTORS: dict[str, Callable[[str], str]] = {
    "resiliparse main_content": resiliparse_main,
    "resiliparse all text": resiliparse_all,
    "reader's resiliparse + mixed_web edits": reader_resiliparse_then_edits,
    "reader's trafilatura": reader_trafilatura,
    "reader's trafilatura + mixed_web edits": reader_trafilatura_then_edits,
    "trafilatura": trafilatura_default,
    "trafilatura favor_precision": trafilatura_precision,
    "trafilatura favor_recall": trafilatura_recall,
    "trafilatura fast": trafilatura_fast,
    "readability-lxml": readability_lxml,
    "line classifier on the page": line_classifier_on_page,
    "line classifier on resiliparse main_content": line_classifier_on_main_content,
    "datatrove Trafilatura": datatrove_trafilatura,
}


def measure(name: str, extract: Callable[[str], str], pages: list[dict]) -> dict:
    scores: dict[str, list[tuple[float, float, float]]] = {}
    failures = 0
    start = time.process_time()
    for page in pages:
        try:
            text = extract(page["html"])
        except Exception:  # a page an extractor cannot read counts as nothing extracted
            text, failures = "", failures + 1
        scores.setdefault(page["group"], []).append(overlap_scores(text, page["gold"]))
    seconds = time.process_time() - start
    groups = {}
    for group, rows in sorted(scores.items()):
        groups[group] = {"pages": len(rows), **{key: round(sum(r[i] for r in rows) / len(rows), 3)
                                                 for i, key in enumerate(("precision", "recall", "f1"))}}
    print(f"{name}: {len(pages) / seconds:.1f} pages/s", file=sys.stderr)
    return {"groups": groups, "pages_per_second": round(len(pages) / seconds, 1), "failures": failures}


def turku_pages(dev: Path, splits: set[str]) -> list[LabelledPage]:
    """The Turku documents of the upstream ``splits``, their non-blank lines with their labels."""
    pages = []
    with open(dev / "en" / "en_web_line_labelled_turku.jsonl", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record["upstream_split"] in splits:
                kept = [(text.strip(), y) for text, y in zip(record["lines"], record["line_labels"]) if text.strip()]
                pages.append(LabelledPage([t for t, _ in kept], [int(y) for _, y in kept], "turku"))
    return pages


def text_lines(html: str) -> list[str]:
    """A page as plain text (all of it, as a crawl's extracted text holds it), non-blank lines."""
    return [line.strip() for line in extract_plain_text(html).split("\n") if line.strip()]


def line_sets(dev: Path, pages: list[dict]) -> dict[str, list[tuple[list[str], list[int]]]]:
    """Held-out pages as (lines, labels): Turku's test split with its human labels, and each gold
    set's held-out pages rendered as plain text, labelled by the gold."""
    sets: dict[str, list] = {"turku test": [(p.lines, p.labels) for p in turku_pages(dev, {"test"})]}
    for page in pages:
        lines = text_lines(page["html"])
        sets.setdefault(page["group"].replace("magic_html", "magic_html text"), []).append(
            (lines, label_lines(lines, page["gold"])))
    return sets


def kept_by_edits(profile_edits) -> Callable[[list[str]], list[bool]]:
    import datacleaning as dc
    pipeline = dc.Pipeline(dc.load_config(None, profile="mixed_web"), edits=profile_edits, filters=[])

    def kept(lines: list[str]) -> list[bool]:
        return surviving_lines(lines, next(iter(pipeline.clean(["\n".join(lines)]))).document.text)
    return kept


def profile_edits() -> list:
    """mixed_web's edit rules, built as the clean stage builds them."""
    import datacleaning as dc
    from datacleaning.rules.registry import build_rules
    config = dc.load_config(None, profile="mixed_web")
    return build_rules(config.clean, config.base_dir)["edits"]


def line_methods() -> dict[str, Callable[[list[str]], list[bool]]]:
    from datacleaning.rules.registry import build_rule
    edits = profile_edits()
    # The word-list menu rule the classifier replaced, where it stood: after remove_related_lists.
    navigation = build_rule("edits", 0, {"name": "remove_navigation"})
    navigation.prepare(Path.cwd())
    lists_only = []
    for rule in edits:
        if rule.name != "remove_boilerplate_by_classifier":
            lists_only.append(rule)
        if rule.name == "remove_related_lists":
            lists_only.append(navigation)
    return {"keep every line": lambda lines: [True] * len(lines),
            "mixed_web edits, remove_navigation for the classifier": kept_by_edits(lists_only),
            "mixed_web edits": kept_by_edits(edits)}


def measure_lines(sets: dict[str, list[tuple[list[str], list[int]]]]) -> dict[str, dict]:
    results = {}
    for name, kept_of in line_methods().items():
        results[name] = {}
        for set_name, pages in sets.items():
            true_kept = kept = main = 0
            for lines, labels in pages:
                for is_kept, label in zip(kept_of(lines) if lines else [], labels):
                    kept += is_kept
                    main += label
                    true_kept += bool(is_kept and label)
            precision, recall = true_kept / max(kept, 1), true_kept / max(main, 1)
            results[name][set_name] = {"pages": len(pages), "precision": round(precision, 3),
                                       "recall": round(recall, 3),
                                       "f1": round(2 * precision * recall / (precision + recall), 3)
                                       if precision + recall else 0.0}
    return results


def print_line_table(results: dict[str, dict]) -> None:
    first = next(iter(results.values()))
    sets = [s for s, v in first.items() if v["pages"] >= MIN_PAGES]
    print("\nLines kept as main text, held-out pages: F1 (precision / recall).\n")
    print("| method | " + " | ".join(f"{s} ({first[s]['pages']})" for s in sets) + " |")
    print("|---|" + "---|" * len(sets))
    for name, result in results.items():
        print(f"| {name} | " + " | ".join(f"**{result[s]['f1']:.3f}** ({result[s]['precision']:.2f} / "
                                          f"{result[s]['recall']:.2f})" for s in sets) + " |")


def rejected_whole(pages: list[dict]) -> dict[str, dict]:
    """Per set, the share of gold pages that ``mixed_web`` rejects whole (every rule, filters
    included), given as the full page's text and as the reader's ``resiliparse`` text (what our
    readers make of an HTML page by default), with the rules that rejected them: an article must
    not be rejected for the page around it."""
    import datacleaning as dc
    pipeline = dc.Pipeline(dc.load_config(None, profile="mixed_web"))
    out: dict[str, dict] = {}
    def main_content(html: str) -> str:
        return page_text(html, "resiliparse")[0]

    for rendering, render in (("page text", resiliparse_all), ("main content", main_content)):
        for page, cleaned in zip(pages, pipeline.clean([render(p["html"]) for p in pages])):
            row = out.setdefault(f"{page['group']}, {rendering}", {"pages": 0, "rejected": 0, "by": Counter()})
            row["pages"] += 1
            if not cleaned.kept:
                row["rejected"] += 1
                row["by"][cleaned.verdict.rejected_by] += 1
    return {name: {**row, "by": dict(row["by"].most_common())} for name, row in sorted(out.items())}


def print_rejected_table(rejected: dict[str, dict]) -> None:
    print("\nGold pages mixed_web rejects whole (held-out pages; an empty gold page excluded).\n")
    print("| set, text | pages | rejected | by |")
    print("|---|---:|---:|---|")
    for name, row in rejected.items():
        if row["pages"] >= MIN_PAGES:
            by = ", ".join(f"{rule} {n}" for rule, n in row["by"].items())
            print(f"| {name} | {row['pages']} | {100 * row['rejected'] / row['pages']:.1f}% | {by} |")


LIMITS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.5)
PROFILE_RULE = "mixed_web"


def reference_losses(dev: Path) -> dict[str, dict[str, float]]:
    """Per clean reference source (every odd position, which the line classifier never saw), the
    share of characters the classifier's rule would remove at each limit in ``LIMITS``, line by
    line, and as ``mixed_web`` sets the rule (its limit, lines outside the page's main blocks
    too): the cost of a limit on text that is all main text."""
    classifier = load_line_classifier()
    rule = next(edit for edit in profile_edits() if edit.name == "remove_boilerplate_by_classifier")
    out = {}
    for source in sorted(dev.glob("*/*_clean_*.jsonl")):
        with open(source, encoding="utf-8") as f:
            odd = [json.loads(line)["text"] for i, line in enumerate(f) if i % 2 == 1]
        total, removed = 0, dict.fromkeys([*LIMITS, PROFILE_RULE], 0)
        for text in odd:
            lines = [line.strip() for line in text.split("\n") if line.strip()]
            sizes = [len(line) for line in lines]
            total += sum(sizes)
            if len(lines) < 3:  # the rule leaves such documents alone
                continue
            p = classifier.probabilities(lines)
            for limit in LIMITS:
                removed[limit] += sum(n for n, q in zip(sizes, p) if q < limit)
            removed[PROFILE_RULE] += sum(n for n, kept in zip(sizes, surviving_lines(lines, rule.apply(text)))
                                         if not kept)
        out[source.stem] = {str(limit): round(100 * count / max(total, 1), 1) for limit, count in removed.items()}
    return out


def print_reference_table(losses: dict[str, dict[str, float]]) -> None:
    print("\nClean reference sources: % of characters the line classifier's rule removes, line by line at "
          "each limit, and as mixed_web sets it (limit 0.15, main blocks).\n")
    columns = [str(limit) for limit in LIMITS] + [PROFILE_RULE]
    print("| source | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for source, row in losses.items():
        print(f"| {source} | " + " | ".join(f"{row[column]}%" for column in columns) + " |")


def print_tables(results: dict[str, dict]) -> None:
    groups = [g for g, v in next(iter(results.values()))["groups"].items() if v["pages"] >= MIN_PAGES]
    print("F1 (precision / recall) of the units extracted, mean over the pages of each set.\n")
    print("| extractor | " + " | ".join(f"{g} ({results[next(iter(results))]['groups'][g]['pages']})"
                                         for g in groups) + " | pages/s |")
    print("|---|" + "---|" * len(groups) + "---:|")
    for name, result in results.items():
        cells = [f"**{v['f1']:.3f}** ({v['precision']:.2f} / {v['recall']:.2f})"
                 for v in (result["groups"][g] for g in groups)]
        print(f"| {name} | " + " | ".join(cells) + f" | {result['pages_per_second']:.0f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--extractor", action="append", choices=sorted(EXTRACTORS),
                        help="measure only these (repeatable; default: all)")
    parser.add_argument("--skip-html", action="store_true", help="measure only the line rules")
    parser.add_argument("--out", type=Path, default=BENCH_OUT / "main_content" / "main_content.json")
    args = parser.parse_args()
    dev = dev_data_or_exit(args.dev_data, "main_content", needs=("boilerplate",))
    pages = [page for page in gold_pages(dev) if held_out(page["id"])]
    results = {}
    for name in [] if args.skip_html else args.extractor or EXTRACTORS:
        try:
            EXTRACTORS[name]("<html><body><p>A page.</p></body></html>")
        except ImportError as e:
            # readability-lxml is not in the bench extras: pip 23's resolver fails on it beside
            # trafilatura (both ask for lxml's html_clean extra). Install it to measure it.
            print(f"{name}: skipped, {e}", file=sys.stderr)
            continue
        results[name] = measure(name, EXTRACTORS[name], pages)
    if results:
        print_tables(results)
    lines = measure_lines(line_sets(dev, pages))
    print_line_table(lines)
    rejected = rejected_whole(pages)
    print_rejected_table(rejected)
    losses = reference_losses(dev)
    print_reference_table(losses)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"html": results, "lines": lines, "rejected_whole": rejected, "reference_losses": losses}, indent=2,
                                   ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

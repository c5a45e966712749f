"""Which encoding detector gives plain-text files back their text, on real Chinese, English and
Japanese text written in the encodings such files come in, and how fast.

    pip install --target "$CANDIDATES" faust-cchardet   # candidates the venv lacks, in a folder of your choice
    PYTHONPATH="$CANDIDATES" python bench/encoding_detect.py --dev-data ../shared/data/dev

The sample (seeded, built from the dev data each run): for every encoding, up to
``--per-encoding`` documents drawn evenly from its sources, each written to bytes twice, whole and
as its head (the longest run of whole characters from the start that fits ``--head-bytes``
bytes, a BOM included: short files are the hard case).

- Chinese (Simplified: laws, Wikipedia, HPLT web excerpts, user reviews) as UTF-8, UTF-8 with a
  BOM, GBK, GB18030 and UTF-16 LE/BE with and without a BOM. The GB18030 documents are ones GBK
  cannot write (emoji, rare characters: four-byte sequences); otherwise the bytes would be GBK's.
- Chinese (Traditional: HPLT's Traditional excerpts as they are, and the Simplified sources turned
  Traditional with OpenCC ``s2tw``) as Big5.
- English (prose, web excerpts, Wikipedia, Debian Reference, fortunes) as UTF-8 (mostly ASCII), and
  as cp1252 and latin-1: documents with a non-ASCII character in their head, so that every item
  tests the detector, and without C1 controls (in this data those are mojibake).
- Japanese (magic-html and Readability gold texts with kana): their lines that both codecs can
  write, in runs of about ``JAPANESE_CHUNK_CHARS`` characters, as Shift_JIS and EUC-JP.

A document is taken only if the encoding writes all of it (strict), it has no NUL and does not
start with U+FEFF. Candidates:

- ``resiliparse``: ``detect_encoding(data)`` as datacleaning/readers/page.py calls it (uchardet,
  names remapped the WHATWG way, UTF-8 when it finds nothing);
- ``resiliparse raw``: the same with ``html5_compatible=False`` (uchardet's own names, None when
  it finds nothing);
- ``charset-normalizer``: ``from_bytes(data).best().encoding``;
- ``chardet``: ``detect(data, prefer_superset=True)`` (chardet 7; the superset names are what its
  documentation advises when the answer is used to decode);
- ``chardet web``: the same restricted to ``encoding_era=EncodingEra.MODERN_WEB`` (UTF-8/16/32,
  the Windows code pages, GB18030, Big5-HKSCS, Shift_JIS/CP932, EUC-JP, EUC-KR, KOI8: no DOS, Mac,
  ISO-8859 or EBCDIC code pages, which English text with a few accents otherwise gets taken for);
- ``cchardet``: ``detect(data)`` from faust-cchardet.

A candidate that does not import is left out, and said so.

Scores are about the text, not the name: an answer counts as exact when the bytes decode with it
(strict) to the original text, a leading U+FEFF (a BOM) set aside; so GBK read as GB18030 is
right, and so is latin-1 read as cp1252 when no byte falls in 0x80-0x9F. Besides exact, the share
silently wrong: the bytes decoded without an error to some other text (mojibake, which nothing
downstream would catch); the rest raised an error or got no answer (the reader would quarantine
those files).

Three ways of using a detector are scored:

- detector alone: its answer on every item;
- reader path, what a text reader would do: a BOM names the codec (UTF-8, UTF-16 LE/BE); else
  strict UTF-8, taken unless the text holds NUL (then it is UTF-16 or binary); only when those fail
  is the detector asked. Reported for the encodings where the detector gets asked, with the share
  that reached it;
- the same with a cp1252 fallback: when the detector's answer does not decode (or there is none),
  strict cp1252, what Resiliparse's ``bytes_to_str`` falls back to. It turns files the reader
  would quarantine into text, right or wrong.

Speed: each candidate runs over the same items side by side in one process, ``--repeat`` rounds in
rotating order, the best round per candidate and encoding kept; MB/s per core is decimal megabytes
÷ CPU seconds of this process (robust to other work on the machine). Strict UTF-8 decoding of the
same bytes is timed beside them: the reader path's first step.

Prints Markdown tables: the sample, exactness per encoding and size for each way and its macro
means, speed, and the wrong answers given.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import opencc

from _common import MB, add_dev_data_option, dev_data_or_exit

JAPANESE_CHUNK_CHARS = 500
KANA = re.compile(r"[\u3040-\u30ff]")
# U+0080-U+009F: controls no English text holds; in this dev data they are mojibake (ABC rural).
C1_CONTROLS = re.compile(r"[\x80-\x9f]")
SIZES = ("whole", "head")
# The BOMs the reader path honours (no sample is in UTF-32, whose LE BOM begins with UTF-16 LE's).
BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


@dataclass(frozen=True)
class Encoding:
    name: str
    codec: str
    sources: tuple[str, ...]
    bom: bytes = b""
    # The documents GBK cannot write: GB18030's own four-byte sequences.
    beyond_gbk: bool = False
    # cp1252/latin-1 items whose heads are ASCII would test nothing.
    non_ascii_head: bool = False

    def write(self, text: str) -> bytes:
        return self.bom + text.encode(self.codec)


ZH_SIMPLIFIED = ("law", "wiki", "hplt_hans", "reviews")
ZH_TRADITIONAL = ("law_s2tw", "wiki_s2tw", "hplt_hant", "reviews_s2tw")
ENGLISH = ("gum", "nltk", "hplt_en", "hplt_en_labelled", "turku", "wikitext2", "cc", "debian", "fortunes")
ENCODINGS = (
    Encoding("utf-8 (zh)", "utf-8", ZH_SIMPLIFIED),
    Encoding("utf-8 + BOM (zh)", "utf-8", ZH_SIMPLIFIED, bom=b"\xef\xbb\xbf"),
    Encoding("gbk", "gbk", ZH_SIMPLIFIED),
    Encoding("gb18030 (4-byte chars)", "gb18030", ZH_SIMPLIFIED, beyond_gbk=True),
    Encoding("big5", "big5", ZH_TRADITIONAL),
    Encoding("utf-16-le + BOM", "utf-16-le", ZH_SIMPLIFIED, bom=b"\xff\xfe"),
    Encoding("utf-16-be + BOM", "utf-16-be", ZH_SIMPLIFIED, bom=b"\xfe\xff"),
    Encoding("utf-16-le", "utf-16-le", ZH_SIMPLIFIED),
    Encoding("utf-16-be", "utf-16-be", ZH_SIMPLIFIED),
    Encoding("utf-8 (en)", "utf-8", ENGLISH),
    Encoding("cp1252 (en)", "cp1252", ENGLISH, non_ascii_head=True),
    Encoding("latin-1 (en)", "latin-1", ENGLISH, non_ascii_head=True),
    Encoding("shift_jis", "shift_jis", ("japanese",)),
    Encoding("euc-jp", "euc-jp", ("japanese",)),
)


@dataclass
class Item:
    source: str
    text: str
    data: bytes


@dataclass
class Sample:
    encoding: Encoding
    items: dict[str, list[Item]] = field(default_factory=lambda: {size: [] for size in SIZES})


def read_records(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def read_texts(path: Path, keep: Callable[[dict], bool] = lambda record: True) -> list[str]:
    return [record["text"] for record in read_records(path) if keep(record)]


class HtmlText(HTMLParser):
    """The text nodes of an HTML fragment, one per line (Readability's gold is HTML)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.lines.append(" ".join(data.split()))


def japanese_chunks(dev: Path) -> list[str]:
    """The lines of the dev data's Japanese gold texts that Shift_JIS and EUC-JP can both write
    (their emoji cannot), in runs of about JAPANESE_CHUNK_CHARS characters: there are only nine
    such texts, too few as whole documents."""
    texts = [record["gold"] for record in read_records(dev / "boilerplate/magic_html_benchmark.jsonl.gz")
             if record["lang_detail"] == "ja"]
    for record in read_records(dev / "boilerplate/web_readability_testpages.jsonl.gz"):
        parser = HtmlText()
        parser.feed(record["gold"])
        text = "\n".join(parser.lines)
        if len(KANA.findall(text)) >= 0.1 * len(text):
            texts.append(text)
    chunks = []
    for text in texts:
        run: list[str] = []
        for line in text.split("\n"):
            if line.strip() and all(writes(line, codec) for codec in ("shift_jis", "euc-jp")):
                run.append(line)
            if sum(map(len, run)) >= JAPANESE_CHUNK_CHARS:
                chunks.append("\n".join(run))
                run = []
        if run:
            chunks.append("\n".join(run))
    return chunks


def load_sources(dev: Path) -> dict[str, Callable[[], list[str]]]:
    """Each source's texts, read when first asked for. The ``_s2tw`` sources are turned
    Traditional one document at a time as they are drawn (converting every law would take long)."""
    hplt_zh = dev / "zh/zh_web_hplt_unlabelled.jsonl"
    paths = {"law": dev / "zh/zh_clean_law_lawrefbook.jsonl", "wiki": dev / "zh/zh_clean_wiki_cmrc2018.jsonl",
             "reviews": dev / "zh/zh_ugc_reviews_chinesenlpcorpus.jsonl",
             "gum": dev / "en/en_clean_prose_gum.jsonl", "nltk": dev / "en/en_clean_prose_nltk.jsonl",
             "hplt_en": dev / "en/en_web_hplt_unlabelled.jsonl",
             "hplt_en_labelled": dev / "en/en_web_quality_labelled_hplt.jsonl",
             "turku": dev / "en/en_web_line_labelled_turku.jsonl",
             "wikitext2": dev / "en/en_clean_wiki_wikitext2.jsonl",
             "cc": dev / "en/en_web_cc_dolma_testdata.jsonl",
             "debian": dev / "en/en_clean_tech_debian_reference.jsonl",
             "fortunes": dev / "en/en_misc_fortunes.jsonl"}
    cache: dict[str, list[str]] = {}

    def cached(name: str, read: Callable[[], list[str]]) -> Callable[[], list[str]]:
        def texts() -> list[str]:
            if name not in cache:
                cache[name] = read()
            return cache[name]
        return texts

    sources = {name: cached(name, lambda path=path: read_texts(path)) for name, path in paths.items()}
    sources["hplt_hans"] = cached("hplt_hans", lambda: read_texts(hplt_zh, lambda r: "zho_Hans" in r["id"]))
    sources["hplt_hant"] = cached("hplt_hant", lambda: read_texts(hplt_zh, lambda r: "zho_Hant" in r["id"]))
    sources["japanese"] = cached("japanese", lambda: japanese_chunks(dev))
    for name in ("law", "wiki", "reviews"):
        sources[f"{name}_s2tw"] = sources[name]
    return sources


def writes(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def head(text: str, encoding: Encoding, limit: int) -> str:
    """The longest prefix of whole characters whose bytes (BOM included) fit ``limit``."""
    low, high = 0, min(len(text), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if len(encoding.write(text[:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def admits(encoding: Encoding, text: str) -> bool:
    if not text.strip() or text.startswith("\ufeff") or "\x00" in text or not writes(text, encoding.codec):
        return False
    if encoding.beyond_gbk and writes(text, "gbk"):
        return False
    return not (encoding.non_ascii_head and C1_CONTROLS.search(text))


def draw(encoding: Encoding, sources: dict, per_encoding: int, head_bytes: int, seed: int,
         to_traditional: opencc.OpenCC) -> Sample:
    """Up to ``per_encoding`` documents, an even share from each source (a source short of
    documents the encoding can write gives fewer), in a seeded order of each source."""
    sample = Sample(encoding)
    share = per_encoding // len(encoding.sources)
    for source in encoding.sources:
        texts = sources[source]()
        order = list(range(len(texts)))
        random.Random(f"{seed}/{encoding.name}/{source}").shuffle(order)
        taken = 0
        for index in order:
            if taken == share:
                break
            text = to_traditional.convert(texts[index]) if source.endswith("_s2tw") else texts[index]
            if not admits(encoding, text):
                continue
            head_text = head(text, encoding, head_bytes)
            if encoding.non_ascii_head and head_text.isascii():
                continue
            sample.items["whole"].append(Item(source, text, encoding.write(text)))
            sample.items["head"].append(Item(source, head_text, encoding.write(head_text)))
            taken += 1
    return sample


def candidates() -> tuple[dict[str, Callable[[bytes], str | None]], list[str]]:
    """The detectors that import, each as bytes -> encoding name or None; and those that did not."""
    detectors: dict[str, Callable[[bytes], str | None]] = {}
    missing = []
    from resiliparse.parse.encoding import detect_encoding
    detectors["resiliparse"] = detect_encoding
    detectors["resiliparse raw"] = lambda data: detect_encoding(data, html5_compatible=False)
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        missing.append("charset-normalizer")
    else:
        def charset_normalizer(data: bytes) -> str | None:
            best = from_bytes(data).best()
            return best.encoding if best else None
        detectors["charset-normalizer"] = charset_normalizer
    try:
        import chardet
    except ImportError:
        missing.append("chardet")
    else:
        from chardet.enums import EncodingEra
        detectors["chardet"] = lambda data: chardet.detect(data, prefer_superset=True)["encoding"]
        detectors["chardet web"] = lambda data: chardet.detect(data, prefer_superset=True,
                                                               encoding_era=EncodingEra.MODERN_WEB)["encoding"]
    try:
        import cchardet
    except ImportError:
        missing.append("cchardet (faust-cchardet)")
    else:
        detectors["cchardet"] = lambda data: cchardet.detect(data)["encoding"]
    return detectors, missing


def decode(data: bytes, label: str | None) -> str | None:
    """The text the bytes hold read as ``label`` (strict; a leading BOM is not text), or None
    when there is no answer, no such codec or the bytes do not decode."""
    if not label:
        return None
    try:
        return data.decode(label).removeprefix("\ufeff")
    except (LookupError, UnicodeDecodeError):
        return None


def reader_prefix(data: bytes) -> str | None:
    """The reader path before any detector: the text a BOM or strict UTF-8 gives, None when the
    detector has to be asked."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return decode(data[len(bom):], codec)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def utf8_strict(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass


@dataclass
class Outcome:
    exact: int = 0
    wrong: int = 0
    total: int = 0

    def add(self, decoded: str | None, text: str) -> None:
        self.total += 1
        self.exact += decoded == text
        self.wrong += decoded is not None and decoded != text

    def cell(self) -> str:
        return f"{100 * self.exact / self.total:.1f} ({100 * self.wrong / self.total:.1f})" if self.total else "-"


def measure(sample: Sample, detectors: dict, repeat: int) -> dict:
    """For each size: every detector's answers, its best CPU seconds over the items, and the
    best CPU seconds of strict UTF-8 decoding."""
    by_size = {}
    timed = {**detectors, "utf-8 strict": utf8_strict}
    for size, items in sample.items.items():
        datas = [item.data for item in items]
        answers: dict[str, list] = {}
        seconds = {name: float("inf") for name in timed}
        names = list(timed)
        for round_ in range(repeat):
            for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                run = timed[name]
                start = time.process_time()
                answers[name] = [run(data) for data in datas]
                seconds[name] = min(seconds[name], time.process_time() - start)
        by_size[size] = {"answers": answers, "seconds": seconds, "bytes": sum(map(len, datas))}
    return by_size


def score(samples: list[Sample], measured: list[dict], detectors: dict) -> dict:
    """Per encoding and size: the outcome of each detector alone and on the reader path, the
    share of items that reach the detector on that path, and the wrong answers given."""
    rows = {}
    for sample, by_size in zip(samples, measured):
        for size in SIZES:
            items = sample.items[size]
            answers = by_size[size]["answers"]
            prefixes = [reader_prefix(item.data) for item in items]
            row = {"n": len(items), "reached": sum(p is None for p in prefixes), "alone": {}, "path": {},
                   "fallback": {}, "wrong_labels": {}}
            for name in detectors:
                alone, path, fallback, wrong_labels = Outcome(), Outcome(), Outcome(), Counter()
                for item, label, prefix in zip(items, answers[name], prefixes):
                    decoded = decode(item.data, label)
                    alone.add(decoded, item.text)
                    on_path = decoded if prefix is None else prefix
                    path.add(on_path, item.text)
                    fallback.add(decode(item.data, "cp1252") if prefix is None and decoded is None else on_path,
                                 item.text)
                    if decoded != item.text:
                        wrong_labels[str(label)] += 1
                row["alone"][name], row["path"][name], row["fallback"][name] = alone, path, fallback
                row["wrong_labels"][name] = wrong_labels
            rows[(sample.encoding, size)] = row
    return rows


def bomless_utf16(encoding: Encoding) -> bool:
    return encoding.codec.startswith("utf-16") and not encoding.bom


# (what the mean is over, which way of using the detector, which rows it takes)
MACRO_MEANS = (
    ("detector alone, every encoding", "alone", lambda encoding, row: True),
    ("reader path, where the detector gets asked", "path", lambda encoding, row: row["reached"] > 0),
    ("the same without BOM-less UTF-16", "path",
     lambda encoding, row: row["reached"] > 0 and not bomless_utf16(encoding)),
    ("reader path + cp1252 fallback, where the detector gets asked", "fallback",
     lambda encoding, row: row["reached"] > 0),
    ("the same without BOM-less UTF-16", "fallback",
     lambda encoding, row: row["reached"] > 0 and not bomless_utf16(encoding)),
)


def print_accuracy_table(heading: str, rows: dict, way: str, names: list[str], size_label: dict,
                         reached: bool = False) -> None:
    """One table of how each detector did, an encoding and size a row; past the detector alone,
    only the encodings whose items reach the detector on the reader's path."""
    print(heading)
    print("| encoding | size | items | " + ("reached | " if reached else "") + " | ".join(names) + " |")
    print("|---|---|---:|" + ("---:|" if reached else "") + "---:|" * len(names))
    for (encoding, size), row in rows.items():
        if way != "alone" and not row["reached"]:
            continue
        share = f"{100 * row['reached'] / row['n']:.0f} | " if reached else ""
        print(f"| {encoding.name} | {size_label[size]} | {row['n']} | {share}"
              + " | ".join(row[way][name].cell() for name in names) + " |")


def print_tables(samples: list[Sample], measured: list[dict], rows: dict, detectors: dict, missing: list[str],
                 head_bytes: int) -> None:
    names = list(detectors)
    if missing:
        print(f"Not measured (not importable): {', '.join(missing)}.\n")
    size_label = {"whole": "whole", "head": f"head {head_bytes} B"}
    print("Sample: documents per encoding, by source; whole and head are the same documents.\n")
    print("| encoding | documents | MB whole | sources |")
    print("|---|---:|---:|---|")
    for sample in samples:
        whole = sample.items["whole"]
        by_source = Counter(item.source for item in whole)
        print(f"| {sample.encoding.name} | {len(whole)} | {sum(len(item.data) for item in whole) / MB:.2f} | "
              + ", ".join(f"{source} {count}" for source, count in by_source.items()) + " |")
    print()
    print_accuracy_table("Detector alone: % decoded exactly (% silently wrong: decoded without error to other "
                         "text).\n", rows, "alone", names, size_label)
    print_accuracy_table("\nReader path (BOM, else strict UTF-8 without NUL, else the detector): % decoded exactly "
                         "(% silently wrong), for the encodings where the detector gets asked; `reached`: % of "
                         "items that reach the detector (the others were read as UTF-8).\n",
                         rows, "path", names, size_label, reached=True)
    print_accuracy_table("\nReader path with a cp1252 fallback (strict cp1252 when the detector's answer does not "
                         "decode): % decoded exactly (% silently wrong).\n", rows, "fallback", names, size_label)
    print("\nMacro means (every encoding weighs the same): % decoded exactly (% silently wrong).\n")
    print("| size | over | " + " | ".join(names) + " |")
    print("|---|---|" + "---:|" * len(names))
    for size in SIZES:
        for label, way, keep in MACRO_MEANS:
            chosen = [row for (encoding, s), row in rows.items() if s == size and row["n"] and keep(encoding, row)]
            cells = []
            for name in names:
                exact = sum(r[way][name].exact / r["n"] for r in chosen) / len(chosen)
                wrong = sum(r[way][name].wrong / r["n"] for r in chosen) / len(chosen)
                cells.append(f"{100 * exact:.1f} ({100 * wrong:.1f})")
            print(f"| {size_label[size]} | {label} | " + " | ".join(cells) + " |")
    timed = names + ["utf-8 strict"]
    print("\nSpeed: MB/s per core (decimal MB ÷ CPU seconds, best round); heads also in thousands of files/s.\n")
    print("| size | inputs | MB | " + " | ".join(timed) + " |")
    print("|---|---|---:|" + "---:|" * len(timed))
    for size in SIZES:
        for label, keep in (("all", lambda enc: True), ("not UTF-8", lambda enc: enc.codec != "utf-8")):
            chosen = [(sample, m[size]) for sample, m in zip(samples, measured) if keep(sample.encoding)]
            total_bytes = sum(m["bytes"] for _, m in chosen)
            files = sum(len(sample.items[size]) for sample, _ in chosen)
            cells = []
            for name in timed:
                seconds = sum(m["seconds"][name] for _, m in chosen)
                cell = f"{total_bytes / MB / seconds:,.1f}"
                if size == "head":
                    cell += f" ({files / seconds / 1000:,.1f}k)"
                cells.append(cell)
            print(f"| {size_label[size]} | {label} | {total_bytes / MB:.1f} | " + " | ".join(cells) + " |")
    print("\nWrong answers (the names given where the bytes did not decode to the text; `None`: no answer).\n")
    print("| encoding | size | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for (encoding, size), row in rows.items():
        if any(row["wrong_labels"][name] for name in names):
            cells = [", ".join(f"{label} ×{count}" for label, count in row["wrong_labels"][name].most_common(3))
                     for name in names]
            print(f"| {encoding.name} | {size_label[size]} | " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--per-encoding", type=int, default=200, help="documents per encoding, at most")
    parser.add_argument("--head-bytes", type=int, default=200, help="size of the short items")
    parser.add_argument("--repeat", type=int, default=3, help="timing rounds; the best is kept")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    dev = dev_data_or_exit(args.dev_data, "encoding_detect")
    sources = load_sources(dev)
    to_traditional = opencc.OpenCC("s2tw")
    samples = [draw(encoding, sources, args.per_encoding, args.head_bytes, args.seed, to_traditional)
               for encoding in ENCODINGS]
    detectors, missing = candidates()
    measured = [measure(sample, detectors, args.repeat) for sample in samples]
    rows = score(samples, measured, detectors)
    print_tables(samples, measured, rows, detectors, missing, args.head_bytes)
    return 0


if __name__ == "__main__":
    sys.exit(main())

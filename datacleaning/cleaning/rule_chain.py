"""The per-document path: normalize → guess language → edit → filter, with counters per rule."""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from time import perf_counter
from typing import TYPE_CHECKING, Any

import numpy as np

from datacleaning.document import Document
from datacleaning.errors import RuleFailure
from datacleaning.rules.base import Filter, Rule
from datacleaning.cleaning.language import LanguageIdentifier, identify_by_script_then_cld2, language_identifier

if TYPE_CHECKING:
    from datacleaning.config import CleanConfig

EMPTY = "empty"
TOO_LONG = "max_input_chars"
LANGUAGE = "language"
EMPTY_AFTER_CLEANING = "empty_after_cleaning"
BUILTIN_CHECKS = (EMPTY, TOO_LONG, LANGUAGE, EMPTY_AFTER_CLEANING)
# The time of the one scan for the characters of every rule that declares them (Rule.trigger_chars).
TRIGGER_SCAN = "trigger_scan"


@dataclass(slots=True)
class Verdict:
    """Why a document was rejected: the rule's label and the value it measured."""

    rejected_by: str
    value: Any


# Documents cleaned together: enough that a rule scoring a batch at once (the line classifier)
# pays numpy's cost per call once for many short pages, few enough to stay small in memory.
BATCH_DOCS = 64
BATCH_CHARS = 1 << 20


class DocumentBatch:
    """Documents gathered to be cleaned together (:meth:`RuleChain.process_many`): full at
    ``max_docs`` documents or ``BATCH_CHARS`` characters."""

    __slots__ = ("documents", "chars", "max_docs")

    def __init__(self, max_docs: int = BATCH_DOCS):
        if max_docs < 1:
            raise ValueError(f"a batch of {max_docs} documents")
        self.documents: list[Document] = []
        self.chars = 0
        self.max_docs = max_docs

    def add(self, doc: Document) -> bool:
        """Add ``doc``; whether the batch is now full."""
        self.documents.append(doc)
        self.chars += len(doc.text)
        return len(self.documents) >= self.max_docs or self.chars >= BATCH_CHARS

    def take(self) -> list[Document]:
        """The documents gathered, leaving the batch empty."""
        documents, self.documents, self.chars = self.documents, [], 0
        return documents


class _Counter:
    __slots__ = ("kind", "rejected", "edited", "chars_removed", "seconds", "checks")

    def __init__(self, kind: str):
        self.kind = kind
        self.rejected = self.edited = self.chars_removed = 0
        self.seconds = 0.0
        self.checks: dict[str, int] = {}

    def as_dict(self) -> dict:
        counts = {"kind": self.kind, "rejected": self.rejected, "edited": self.edited,
                  "chars_removed": self.chars_removed, "seconds": round(self.seconds, 6)}
        if self.checks:
            counts["checks"] = dict(self.checks)
        return counts


def step_labels(names: list[str], taken: set[str]) -> list[str]:
    """The labels of rules named ``names`` (in stats, reasons and score columns): a rule named twice
    in one config gets ``name#2`` for its second use. ``taken``: the labels given before them."""
    labels = []
    for name in names:
        label, n = name, 1
        while label in taken:
            n += 1
            label = f"{name}#{n}"
        taken.add(label)
        labels.append(label)
    return labels


class _Step:
    """A rule with its label, its counter and what it applies to, looked up once, not per document."""

    __slots__ = ("rule", "label", "counter", "languages", "sources", "names_checks")

    def __init__(self, rule: Rule, label: str):
        self.rule = rule
        self.label = label
        self.counter = _Counter(rule.kind)
        self.languages = rule.languages
        self.sources = tuple(getattr(rule, "sources", ()))
        self.names_checks = isinstance(rule, Filter) and rule.names_checks()

    def keeps(self, value: Any, doc_id: str) -> bool:
        """The filter's ``keep`` on ``value``; a RuleFailure naming it and the document where keep
        raises or returns no bool (a keep without a return, None, would reject every document; one
        returning text would keep every one)."""
        try:
            kept = self.rule.keep(value)
        except Exception as e:
            raise RuleFailure(self.label, doc_id, e) from e
        if type(kept) is not bool and type(kept) is not np.bool_:
            raise RuleFailure(self.label, doc_id, TypeError(f"keep returned {type(kept).__name__}, not bool "
                                                            f"({kept!r:.80})"))
        return kept

    def reject(self, value: Any, doc_id: str) -> Verdict:
        """Count a rejection by this filter; the verdict names the check that failed, if it says (a
        failed_check that raises is a RuleFailure, as keep's)."""
        counter = self.counter
        counter.rejected += 1
        try:
            check = self.rule.failed_check(value) if self.names_checks else ""
        except Exception as e:
            raise RuleFailure(self.label, doc_id, e) from e
        if not check:
            return Verdict(self.label, value)
        counter.checks[check] = counter.checks.get(check, 0) + 1
        return Verdict(f"{self.label}:{check}", value)


def _steps(rules, taken: set[str]) -> list[_Step]:
    rules = list(rules)
    # A rule built in code without @register is named by its class in verdicts and counts.
    names = [rule.name or type(rule).__name__ for rule in rules]
    return [_Step(rule, label) for rule, label in zip(rules, step_labels(names, taken))]


def _parameters(rule: Rule) -> dict:
    """A rule's parameters (its dataclass fields), in a form whose JSON is the same from one
    process to the next: sets sorted, objects other than plain values named by their type."""
    if is_dataclass(rule):
        values = {f.name: getattr(rule, f.name) for f in fields(rule) if f.init}
    else:
        values = {k: v for k, v in vars(rule).items() if not k.startswith("_")}
    return {name: _plain(value) for name, value in sorted(values.items())}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda item: str(item[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


class _Rewrites:
    """The normalizers or editors that apply to one language, each with whether the shared scan
    for declared characters decides if it runs; the scan is None when fewer than two rules
    declare characters (nothing to share)."""

    __slots__ = ("steps", "scan")

    def __init__(self, steps: list[_Step]):
        chars = [step.rule.trigger_chars() for step in steps]
        shared = sum(1 for c in chars if c) > 1
        self.scan = re.compile(f"[{''.join(chars)}]") if shared else None
        self.steps = [(step, shared and bool(c)) for step, c in zip(steps, chars)]


class RuleChain:
    """Runs built rules on documents, one by one or a batch at a time.

    Normalizers see every document (the language is identified after them, on normalized text, and
    kept in the scores with its confidence; with ``languages`` set, documents in others are rejected
    right there);
    editors and filters run only on documents in their languages. The first filter that says no
    rejects the document; the scores measured up to then stay on it, or with ``score_all`` every
    filter's score, so that stored scores can be judged again with other thresholds. Filters that
    can judge the text as read (``Filter.screen``) are asked first, so what they reject is never
    rewritten: those for every language before the normalizers, the others right after the
    language guess. With ``score_all`` a document they reject goes on through every rule to be
    measured, and their verdict stands.
    """

    def __init__(self, normalizers: list[Rule] = (), edits: list[Rule] = (), filters: list[Rule] = (), *,
                 max_input_chars: int = 2_000_000, languages: list[str] = (), score_all: bool = False,
                 identify_language: LanguageIdentifier = identify_by_script_then_cld2):
        taken = {*BUILTIN_CHECKS, TRIGGER_SCAN}
        self.max_input_chars = max_input_chars
        self.languages = frozenset(languages)
        self.score_all = score_all
        self.identify_language = identify_language
        self._builtin = {name: _Counter("builtin") for name in (*BUILTIN_CHECKS, TRIGGER_SCAN)}
        self._normalizers = _steps(normalizers, taken)
        self._edits = _steps(edits, taken)
        self._filters = _steps(filters, taken)
        self._screens = [step for step in self._filters if step.rule.screens() and not step.languages]
        self._by_language: dict[str, tuple[_Rewrites, _Rewrites, list[_Step], list[_Step]]] = {}

    @classmethod
    def from_rules(cls, rules: dict[str, list[Rule]], clean: CleanConfig) -> RuleChain:
        return cls(rules["normalizers"], rules["edits"], rules["filters"], max_input_chars=clean.max_input_chars,
                   languages=clean.languages, score_all=clean.score_all,
                   identify_language=language_identifier(clean.language_id.identifier))

    @property
    def filters(self) -> list[tuple[str, Rule]]:
        """Every filter with its label, in order."""
        return [(step.label, step.rule) for step in self._filters]

    def settings(self) -> list[list]:
        """Every rule as [label, class, parameters], what a rule chain built in code (the Python
        API's) puts in its run's fingerprint, as a config's rule tables do for one built from it."""
        return [[step.label, f"{type(step.rule).__module__}.{type(step.rule).__qualname__}", _parameters(step.rule)]
                for group in (self._normalizers, self._edits, self._filters) for step in group]

    def tables(self) -> dict[str, list[dict]]:
        """The rules as a config's ``normalizers``, ``edits`` and ``filters`` tables would name them
        (``{"name": ..., <parameters>}``): what a run of rules built in code records as its rules."""
        return {section: [{"name": step.rule.name or type(step.rule).__name__, **_parameters(step.rule)}
                          for step in group]
                for section, group in (("normalizers", self._normalizers), ("edits", self._edits),
                                       ("filters", self._filters))}

    def thresholds(self, languages: set[str]) -> dict[str, list[dict]]:
        """Per signal (``label.field``), the thresholds its filter compares it with, for the
        ``languages`` a run judged: what a run records for its report, which then needs no rule
        class (a plugin's) to draw them."""
        return threshold_marks([(step.label, type(step.rule), _parameters(step.rule)) for step in self._filters],
                               languages)

    def _reject_builtin(self, name: str, value: Any) -> Verdict:
        self._builtin[name].rejected += 1
        return Verdict(name, value)

    def _steps_for(self, lang: str) -> tuple[_Rewrites, _Rewrites, list[_Step], list[_Step]]:
        """The normalizers, editors and filters that apply to ``lang``, and the screening filters
        made for ``lang`` alone, worked out once per language."""
        steps = self._by_language.get(lang)
        if steps is None:
            normalizers, edits, filters = (
                [step for step in group if not step.languages or lang in step.languages]
                for group in (self._normalizers, self._edits, self._filters))
            screens = [step for step in filters if step.rule.screens() and step.languages]
            steps = self._by_language[lang] = (_Rewrites(normalizers), _Rewrites(edits), filters, screens)
        return steps

    def _screen(self, doc: Document, screens: list[_Step]) -> Verdict | None:
        source = doc.source
        clock = perf_counter()
        for step in screens:
            if step.sources and not source.startswith(step.sources):
                continue
            try:
                value = step.rule.screen(doc)
            except Exception as e:
                raise RuleFailure(step.label, doc.id, e) from e
            now = perf_counter()
            step.counter.seconds += now - clock
            clock = now
            if value is not None:
                # With score_all the scores hold what score() measures, which later judgments
                # compare with the thresholds; the screen's value stays in the verdict.
                if not self.score_all:
                    doc.scores[step.label] = value
                return step.reject(value, doc.id)
        return None

    def _rewrite(self, docs: list[Document], texts: list[str], going: list[int],
                 rewrites_for: Callable[[str], _Rewrites]) -> None:
        """Rewrite ``texts[i]`` for each ``i`` in ``going`` by the normalizers or editors that
        ``rewrites_for`` gives for its document's language, each rule given the texts of one
        language together."""
        by_language: dict[str, list[int]] = {}
        for i in going:
            by_language.setdefault(docs[i].lang, []).append(i)
        for lang, batch in by_language.items():
            self._rewrite_batch(docs, texts, batch, rewrites_for(lang))

    def _rewrite_batch(self, docs: list[Document], texts: list[str], batch: list[int], rewrites: _Rewrites) -> None:
        scan = rewrites.scan
        # Per document: its text has none of the declared characters; None: not scanned since it changed.
        quiet: dict[int, bool | None] = dict.fromkeys(batch)
        for step, triggered in rewrites.steps:
            clock = perf_counter()
            chosen = batch if not step.sources else [i for i in batch if docs[i].source.startswith(step.sources)]
            if triggered:
                for i in chosen:
                    if quiet[i] is None:
                        quiet[i] = scan.search(texts[i]) is None
                chosen = [i for i in chosen if not quiet[i]]
                now = perf_counter()
                self._builtin[TRIGGER_SCAN].seconds += now - clock
                clock = now
            if not chosen:
                continue
            before = [texts[i] for i in chosen]
            outs = self._apply(step, before, [docs[i] for i in chosen])
            counter = step.counter
            counter.seconds += perf_counter() - clock
            for i, text, out in zip(chosen, before, outs):
                if out is not text and out != text:
                    if type(out) is not str:
                        raise RuleFailure(step.label, docs[i].id, TypeError(
                            f"apply returned {type(out).__name__}, not the text (str)"))
                    removed = len(text) - len(out)
                    counter.edited += 1
                    counter.chars_removed += removed
                    edits = docs[i].edits
                    edits[step.label] = edits.get(step.label, 0) + removed
                    texts[i] = out
                    quiet[i] = None

    @staticmethod
    def _apply(step: _Step, texts: list[str], docs: list[Document]) -> list[str]:
        try:
            # A copy: a rule that rewrites the list it is given in place would otherwise rewrite
            # ``texts`` too, and every text would read as unchanged.
            outs = step.rule.apply_many(list(texts))
        except Exception as e:
            if len(texts) > 1:
                for doc, text in zip(docs, texts):  # the document it fails on, to name
                    try:
                        # apply_many, not apply: a rule may define apply_many alone.
                        step.rule.apply_many([text])
                    except Exception as alone:
                        raise RuleFailure(step.label, doc.id, alone) from alone
            raise RuleFailure(step.label, docs[0].id, e) from e
        if type(outs) is not list or len(outs) != len(texts):
            raise RuleFailure(step.label, docs[0].id, TypeError(
                f"apply_many returned {type(outs).__name__} of {len(outs) if hasattr(outs, '__len__') else '?'} "
                f"for {len(texts)} texts, not a list of one text each"))
        return outs

    def process(self, doc: Document) -> Verdict | None:
        """Clean ``doc`` in place; return None to keep it, or the Verdict that rejects it."""
        return self.process_many([doc])[0]

    def process_many(self, docs: list[Document]) -> list[Verdict | None]:
        """Clean each of ``docs`` in place as :meth:`process` does, the normalizers and editors
        given the texts of the batch together: their verdicts, in order."""
        verdicts: list[Verdict | None] = [None] * len(docs)
        screened: list[Verdict | None] = [None] * len(docs)
        texts: list[str] = [doc.text for doc in docs]
        going = []
        for i, doc in enumerate(docs):
            text = texts[i]
            if not text or text.isspace():
                verdicts[i] = self._reject_builtin(EMPTY, len(text))
            elif len(text) > self.max_input_chars:
                verdicts[i] = self._reject_builtin(TOO_LONG, len(text))
            else:
                # A screening filter's verdict stands with score_all too (the same verdict either
                # way); score_all only goes on to measure the rest.
                screened[i] = self._screen(doc, self._screens) if self._screens else None
                if screened[i] is not None and not self.score_all:
                    verdicts[i] = screened[i]
                else:
                    going.append(i)
        self._rewrite(docs, texts, going, lambda lang: self._steps_for(lang)[0])
        identified = []
        for i in going:
            doc, text = docs[i], texts[i]
            try:
                guess = self.identify_language(text, doc)
            except Exception as e:
                raise RuleFailure(LANGUAGE, doc.id, e) from e
            doc.lang = guess.lang
            doc.scores[LANGUAGE] = {"lang": guess.lang, "confidence": guess.confidence, "script": guess.script}
            if self.languages and guess.lang not in self.languages and \
                    f"{guess.lang}-{guess.script}" not in self.languages:
                doc.text = text
                verdicts[i] = screened[i] or self._reject_builtin(LANGUAGE, doc.lang)
                continue
            screens = self._steps_for(doc.lang)[3]
            if screens and screened[i] is None:
                screened[i] = self._screen(doc, screens)
                if screened[i] is not None and not self.score_all:
                    doc.text = text
                    verdicts[i] = screened[i]
                    continue
            identified.append(i)
        self._rewrite(docs, texts, identified, lambda lang: self._steps_for(lang)[1])
        for i in identified:
            docs[i].text = texts[i]
            verdicts[i] = self._filter(docs[i], screened[i])
        return verdicts

    def _filter(self, doc: Document, screened: Verdict | None) -> Verdict | None:
        text = doc.text
        if not text or text.isspace():
            return screened or self._reject_builtin(EMPTY_AFTER_CLEANING, 0)
        source, scores = doc.source, doc.scores
        verdict = screened
        clock = perf_counter()
        for step in self._steps_for(doc.lang)[2]:
            if step.sources and not source.startswith(step.sources):
                continue
            rule = step.rule
            try:
                value = rule.score(doc)
                if rule.signals:
                    value = typed_signals(rule.signals, value)
            except Exception as e:
                raise RuleFailure(step.label, doc.id, e) from e
            keep = step.keeps(value, doc.id)
            now = perf_counter()
            step.counter.seconds += now - clock
            clock = now
            scores[step.label] = value
            if not keep and verdict is None:
                verdict = step.reject(value, doc.id)
                if not self.score_all:
                    return verdict
        return verdict

    def judge(self, scores: dict, lang: str, source: str, doc_id: str) -> Verdict | None:
        """The filters' verdict on values measured before (the ``scores`` of a run with
        ``score_all``), counted as ``process`` counts: the first filter, in this chain's order,
        that does not keep its stored value rejects. A filter ``process`` would pass over for this
        language or source is passed over. A filter that fails to judge is a RuleFailure naming
        it and the document ``doc_id``, as in ``process``."""
        for step in self._steps_for(lang)[2]:
            if step.sources and not source.startswith(step.sources):
                continue
            value = scores.get(step.label)
            if value is not None and not step.keeps(value, doc_id):
                return step.reject(value, doc_id)
        return None

    def take_counters(self) -> dict[str, dict]:
        """Counters since the last call, by rule label (built-in checks first); then reset."""
        out = {}
        for name, counter in self._builtin.items():
            out[name] = counter.as_dict()
            self._builtin[name] = _Counter("builtin")
        for group in (self._normalizers, self._edits, self._filters):
            for step in group:
                out[step.label] = step.counter.as_dict()
                step.counter = _Counter(step.rule.kind)
        return out


# A threshold whose name starts so holds for that language alone.
LANGUAGE_PREFIXES = ("zh_", "en_")


def languages_judged(stats: dict) -> set[str]:
    """The languages a clean or rejudge run's stats saw or kept."""
    return set(stats.get("by_language", {})) | set(stats.get("clean", {}).get("languages") or [])


def threshold_marks(filters: list[tuple[str, type, dict]], languages: set[str]) -> dict[str, list[dict]]:
    """Per signal (``label.field``), ``{"name", "value", "lang"}`` of each threshold that filters
    (label, class, parameters) compare it with (``Filter.threshold_fields``), where the threshold
    is a number or a mapping of numbers by language (``lang`` None: every language)."""
    found: dict[str, list[dict]] = {}
    for label, cls, parameters in filters:
        for name, signal_field in getattr(cls, "threshold_fields", {}).items():
            lang = next((p[:2] for p in LANGUAGE_PREFIXES if name.startswith(p)), None)
            for lang_value, value in _threshold_values(parameters.get(name), lang, languages):
                found.setdefault(f"{label}.{signal_field}", []).append({"name": name, "value": value, "lang": lang_value})
    return found


def _threshold_values(value, lang: str | None, languages: set[str]) -> list[tuple[str | None, float]]:
    """A threshold's numbers and the language each holds for: a number holds for ``lang``; a
    mapping by language gives its ``default`` for every language and each language's own number
    for that language (a mapping by anything else, a blacklist's categories, only its default)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [(lang, float(value))]
    if isinstance(value, dict):
        return [(None if key == "default" else key, float(v)) for key, v in value.items()
                if (key == "default" or key in languages) and isinstance(v, (int, float)) and not isinstance(v, bool)]
    return []


_INT64_RANGE = range(-(1 << 63), 1 << 63)


def typed_signals(signals: dict[str, str], value: Any) -> Any:
    """A filter's measured ``value`` as its ``signals`` declare it: numpy numbers made Python's,
    whole floats made integers where an int64 is declared, a bare number the field ``value``,
    None (not measured) as it is; TypeError for a value the typed column would store as something
    else or not at all (a fraction or a number past int64 for an int64, a list for named fields,
    text)."""
    if value is None:
        return None
    fields_of = value if isinstance(value, dict) else {"value": value}
    if not isinstance(value, dict) and "value" not in signals:
        raise TypeError(f"score() gave {type(value).__name__} {value!r}; its signals "
                        f"({', '.join(signals)}) are fields of a dict")
    converted = None
    for name, kind in signals.items():
        x = fields_of.get(name)
        kind_of_x = type(x)
        if x is None or kind_of_x is float and kind == "float64" or kind_of_x is bool and kind == "bool" or \
                kind_of_x is int and (kind == "float64" or kind == "int64" and x in _INT64_RANGE):
            continue
        plain = x.item() if isinstance(x, np.generic) else x
        if kind == "int64" and type(plain) is float and plain.is_integer():
            plain = int(plain)
        if kind == "bool":
            fits = type(plain) is bool
        elif kind == "float64":
            fits = type(plain) in (int, float)
        else:
            fits = type(plain) is int and plain in _INT64_RANGE
        if not fits:
            said = "the fraction" if kind == "int64" and type(plain) is float else f"{type(x).__name__}"
            raise TypeError(f"signal {name!r} is declared {kind} and score() gave {said} {x!r}")
        converted = converted or dict(fields_of)
        converted[name] = plain
    if converted is None:
        return value
    return converted if isinstance(value, dict) else converted["value"]

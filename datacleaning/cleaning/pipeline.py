"""The per-document path: normalize → guess language → edit → filter, with counters per rule."""
from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter
from typing import Any

from datacleaning.document import Document
from datacleaning.rules.base import Rule
from datacleaning.rules.language import guess_language

EMPTY = "empty"
TOO_LONG = "max_input_chars"
EMPTY_AFTER_CLEANING = "empty_after_cleaning"


@dataclass(slots=True)
class Verdict:
    """Why a document was rejected: the rule's label and the value it measured."""

    rejected_by: str
    value: Any


class _Counter:
    __slots__ = ("kind", "rejected", "edited", "chars_removed", "seconds")

    def __init__(self, kind: str):
        self.kind = kind
        self.rejected = self.edited = self.chars_removed = 0
        self.seconds = 0.0

    def as_dict(self) -> dict:
        return {"kind": self.kind, "rejected": self.rejected, "edited": self.edited,
                "chars_removed": self.chars_removed, "seconds": round(self.seconds, 6)}


def _labels(rules: list[Rule], taken: set[str]) -> list[str]:
    """A rule named twice in one config gets ``name#2`` for its second use."""
    labels = []
    for rule in rules:
        label, n = rule.name, 1
        while label in taken:
            n += 1
            label = f"{rule.name}#{n}"
        taken.add(label)
        labels.append(label)
    return labels


class CleaningPipeline:
    """Runs built rules on one document at a time.

    Normalizers see every document (the language is guessed after them, on normalized text);
    editors and filters run only on documents in their languages. The first filter that says no
    rejects the document; the scores measured up to then stay on it.
    """

    def __init__(self, normalizers: list[Rule] = (), edits: list[Rule] = (), filters: list[Rule] = (), *,
                 max_input_chars: int = 2_000_000):
        taken = {EMPTY, TOO_LONG, EMPTY_AFTER_CLEANING}
        self.max_input_chars = max_input_chars
        self._builtin = {name: _Counter("builtin") for name in (EMPTY, TOO_LONG, EMPTY_AFTER_CLEANING)}
        self._normalizers = [(r, label, _Counter(r.kind)) for r, label in zip(normalizers, _labels(list(normalizers), taken))]
        self._edits = [(r, label, _Counter(r.kind)) for r, label in zip(edits, _labels(list(edits), taken))]
        self._filters = [(r, label, _Counter(r.kind)) for r, label in zip(filters, _labels(list(filters), taken))]

    @classmethod
    def from_rules(cls, rules: dict[str, list[Rule]], max_input_chars: int) -> CleaningPipeline:
        return cls(rules["normalizers"], rules["edits"], rules["filters"], max_input_chars=max_input_chars)

    @property
    def rule_labels(self) -> list[str]:
        return [label for group in (self._normalizers, self._edits, self._filters) for _, label, _ in group]

    def _reject_builtin(self, name: str, value: Any) -> Verdict:
        self._builtin[name].rejected += 1
        return Verdict(name, value)

    def _rewrite(self, doc: Document, text: str, steps) -> str:
        lang = doc.lang
        for rule, label, counter in steps:
            if rule.languages and lang not in rule.languages:
                continue
            started = perf_counter()
            out = rule.apply(text)
            counter.seconds += perf_counter() - started
            if out != text:
                removed = len(text) - len(out)
                counter.edited += 1
                counter.chars_removed += removed
                doc.edits[label] = doc.edits.get(label, 0) + removed
                text = out
        return text

    def process(self, doc: Document) -> Verdict | None:
        """Clean ``doc`` in place; return None to keep it, or the Verdict that rejects it."""
        text = doc.text
        if not text or text.isspace():
            return self._reject_builtin(EMPTY, len(text))
        if len(text) > self.max_input_chars:
            return self._reject_builtin(TOO_LONG, len(text))
        text = self._rewrite(doc, text, self._normalizers)
        doc.lang = guess_language(text)
        text = self._rewrite(doc, text, self._edits)
        doc.text = text
        if not text or text.isspace():
            return self._reject_builtin(EMPTY_AFTER_CLEANING, 0)
        lang = doc.lang
        for rule, label, counter in self._filters:
            if rule.languages and lang not in rule.languages:
                continue
            started = perf_counter()
            value = rule.score(doc)
            keep = rule.keep(value)
            counter.seconds += perf_counter() - started
            doc.scores[label] = value
            if not keep:
                counter.rejected += 1
                return Verdict(label, value)
        return None

    def take_counters(self) -> dict[str, dict]:
        """Counters since the last call, by rule label (built-in checks first); then reset."""
        out = {}
        for name, counter in self._builtin.items():
            out[name] = counter.as_dict()
            self._builtin[name] = _Counter("builtin")
        for group in (self._normalizers, self._edits, self._filters):
            for i, (rule, label, counter) in enumerate(group):
                out[label] = counter.as_dict()
                group[i] = (rule, label, _Counter(rule.kind))
        return out

"""The three kinds of rule the cleaning stage runs, and how their parameters are declared.

A rule is a dataclass: its fields are its parameters, with types and defaults, and the config
validates against them. Subclass one of the kinds and decorate with
:func:`datacleaning.rules.registry.register` to make a rule nameable from a config.

- :class:`Normalizer` and :class:`Editor` rewrite text: ``apply(text) -> text``. Normalizers run
  first and fix encodings and character forms; editors remove unwanted parts (boilerplate, PII).
  The pipeline hands them a batch of documents' texts at a time through ``apply_many``, which
  applies ``apply`` to each; a rule that gains by seeing many texts at once (a model that scores
  them together) overrides it.
- :class:`Filter` judges a whole document in two steps, as data-juicer does: ``score(doc)``
  measures a value (kept beside the document in its ``scores`` so a threshold can change without
  recomputing), ``keep(value)`` compares it with the thresholds. A filter that can also judge
  the text as read overrides ``screen(doc)``: the pipeline asks it before any rewriting, so a
  document it rejects there costs no normalizer or edit rule.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from datacleaning.document import Document

ALL_LANGUAGES: frozenset[str] = frozenset()


class Rule:
    """Common ground of every rule. ``languages`` empty means the rule applies to every language.

    A rule with a ``sources`` parameter (a list of prefixes) applies only to documents whose
    ``source`` starts with one of them: how a config gives one site its own phrase list.
    """

    name: ClassVar[str] = ""
    kind: ClassVar[str] = ""
    languages: ClassVar[frozenset[str]] = ALL_LANGUAGES

    def trigger_chars(self) -> str:
        """For a rule that rewrites text: the characters (the body of an ``re`` character class)
        without one of which it leaves a text unchanged, or "" if there are none such. The
        pipeline scans a text once for the characters of all its rules and skips every rule
        whose characters are absent: one scan instead of one per rule."""
        return ""

    def prepare(self, base_dir: Path) -> None:
        """Load resources (word lists, dictionaries) once per process; paths resolve from
        ``base_dir``, the folder of the config that named the rule."""

    def applies_to(self, lang: str) -> bool:
        return not self.languages or lang in self.languages


class Rewriter(Rule):
    """A rule that rewrites text: a normalizer or an editor."""

    def apply(self, text: str) -> str:
        raise NotImplementedError

    def apply_many(self, texts: list[str]) -> list[str]:
        """Each text as ``apply`` rewrites it, in order."""
        return [self.apply(text) for text in texts]


class Normalizer(Rewriter):
    kind = "normalizer"


class Editor(Rewriter):
    kind = "editor"


class Filter(Rule):
    """``signals`` names the fields of the value ``score`` measures and their Arrow types
    (``int64``, ``float64``, ``bool``; a bare number is the field ``value``):
    the clean stage stores them as a typed struct in the shards' ``signals`` column, which pyarrow,
    polars and duckdb can threshold as it is. A value's other parts stay in the ``scores`` JSON.
    ``keep`` and ``failed_check`` must judge a value read back from that JSON as well as the one
    ``score`` returned (lists for tuples, numpy numbers as Python's); a value that JSON would read
    back as something else (a set, an object, a date, a key that is not a string) fails the
    document. ``keep`` returns a bool (Python's or numpy's): anything else fails the document."""

    kind = "filter"
    signals: ClassVar[dict[str, str]] = {}
    # The parameters that only judge a measured value (read by keep/failed_check, never by score):
    # ``datacleaning rejudge`` may change these on stored scores; any other parameter changes what
    # is measured, so a rejudge that changes it is refused.
    thresholds: ClassVar[frozenset[str]] = frozenset()
    # The thresholds compared with one stored signal field, threshold → field: the run report draws
    # each on that field's histogram. A ``zh_`` or ``en_`` threshold applies to that language only.
    threshold_fields: ClassVar[dict[str, str]] = {}
    # The parameters that are mappings by language (``min_score = {zh = 0.24}``): a key no document
    # gets is refused when the rules are built, as clean.languages refuses one.
    language_keyed: ClassVar[frozenset[str]] = frozenset()

    def score(self, doc: Document) -> Any:
        raise NotImplementedError

    def keep(self, value: Any) -> bool:
        """Whether a document that measured ``value`` is kept. A filter of several checks defines
        :meth:`failed_check` instead and keeps what fails none of them."""
        return not self.failed_check(value)

    def failed_check(self, value: Any) -> str:
        """For a filter of several checks: the name of the first check ``value`` fails, "" if it
        fails none. A rejection then names it (``gopher_quality:stop_words``) and the rule's
        counters count it."""
        raise NotImplementedError

    @classmethod
    def names_checks(cls) -> bool:
        """Whether this filter says which of its checks failed (overrides :meth:`failed_check`)."""
        return cls.failed_check is not Filter.failed_check

    def screen(self, doc: Document) -> Any:
        """The value to reject ``doc`` with, judged on ``doc.original_text`` alone, or None to
        leave the judgement to ``score`` and ``keep`` after cleaning. Asked before the language
        is guessed, so only of filters that apply to every language."""
        return None

    @classmethod
    def screens(cls) -> bool:
        """Whether this filter overrides :meth:`screen`."""
        return cls.screen is not Filter.screen

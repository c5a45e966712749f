"""Word lists and the matcher that finds their terms in a document.

The lists are plain-text files in ``data/`` (one term a line, ``#`` comments, category, source and
licence in the header), made from the upstream lists by :mod:`datacleaning.blacklists.build_lists`.
:class:`~datacleaning.blacklists.matcher.TermMatcher` finds every term of every list in one pass;
:mod:`datacleaning.blacklists.rule` turns its hits into a keep/reject decision.
"""
from datacleaning.blacklists.matcher import DomainMatcher, TermMatcher, WordList, resolve_blacklist

__all__ = ["DomainMatcher", "TermMatcher", "WordList", "resolve_blacklist"]

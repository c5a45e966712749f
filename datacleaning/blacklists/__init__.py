"""Word lists and the matcher that finds their terms in a document.

The lists are plain-text files in ``data/`` (one term a line, ``#`` comments, source and licence
in the header). :class:`~datacleaning.blacklists.matcher.TermMatcher` finds every term of every
list in one pass; :mod:`datacleaning.blacklists.rule` turns its hits into a keep/reject decision.
"""
from datacleaning.blacklists.matcher import TermMatcher, resolve_blacklist

__all__ = ["TermMatcher", "resolve_blacklist"]

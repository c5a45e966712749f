"""The rule library: normalizers, edit rules and filters, and the registry that names them.

Built-in rules live in the modules listed in :mod:`datacleaning.rules.library`; a user's own rule
is a dataclass subclass of :class:`Normalizer`, :class:`Editor` or :class:`Filter` decorated with
:func:`register`.
"""
from datacleaning.errors import ConfigError
from datacleaning.rules.base import Editor, Filter, Normalizer, Rule
from datacleaning.rules.registry import build_rule, register, registered_rules

__all__ = ["ConfigError", "Editor", "Filter", "Normalizer", "Rule", "build_rule", "register", "registered_rules"]

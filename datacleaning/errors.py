"""Every error the package raises on purpose, in one module that imports nothing of ours, so that
any layer can raise or catch one without importing the layer that usually raises it."""
from __future__ import annotations


class ConfigError(ValueError):
    """A config that cannot run; the message names the offending key."""


class InputError(OSError):
    """An input a command cannot read as what it must be (a folder that cannot be listed, a
    stage's damaged stats.json): the command stops before it starts rather than silently leaving
    out what the input holds."""


class RecordError(ValueError):
    """A record that parsed but cannot become a document."""


class WriteError(OSError):
    """An output file that could not be written (a full disk, a lost mount, no permission); its
    message names the file and the operating system's reason."""


class TokenBinsError(ValueError):
    """A .bin/.idx pair that cannot be read or merged as it is."""


class RuleFailure(RuntimeError):
    """A rule that raised on a document: a bug in the rule, not bad input, so the work unit fails
    (and is redone by the next run, once the rule is mended); the message names the rule and the
    document, whose text the unit's input holds at the id's offset."""

    def __init__(self, rule: str, doc_id: str, error: Exception):
        super().__init__(f"rule {rule!r} failed on document {doc_id!r}: {type(error).__name__}: {error}")

"""Importing this module registers every built-in rule."""
from datacleaning.blacklists import rule as _blacklist  # noqa: F401
from datacleaning.rules import filters as _filters  # noqa: F401
from datacleaning.rules import normalizers as _normalizers  # noqa: F401

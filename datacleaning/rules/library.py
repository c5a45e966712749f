"""Importing this module registers every built-in rule."""
from datacleaning.blacklists import rule as _blacklist  # noqa: F401
from datacleaning.rules import boilerplate as _boilerplate  # noqa: F401
from datacleaning.rules import chinese_script as _chinese_script  # noqa: F401
from datacleaning.rules import filters as _filters  # noqa: F401
from datacleaning.rules import function_words as _function_words  # noqa: F401
from datacleaning.rules import garbled as _garbled  # noqa: F401
from datacleaning.rules import homoglyphs as _homoglyphs  # noqa: F401
from datacleaning.rules import layout as _layout  # noqa: F401
from datacleaning.rules import markup as _markup  # noqa: F401
from datacleaning.rules import pii as _pii  # noqa: F401
from datacleaning.rules import punctuation as _punctuation  # noqa: F401
from datacleaning.rules import repetition as _repetition  # noqa: F401
from datacleaning.rules import unicode as _unicode  # noqa: F401
from datacleaning.rules import web_quality as _web_quality  # noqa: F401
from datacleaning.rules import whitespace as _whitespace  # noqa: F401
from datacleaning.rules import zh_quality as _zh_quality  # noqa: F401
from datacleaning.rules import zh_spam as _zh_spam  # noqa: F401

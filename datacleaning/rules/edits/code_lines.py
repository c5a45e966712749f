"""Stray JavaScript lines a page left in its text."""
from __future__ import annotations

import re
from dataclasses import dataclass

from datacleaning.charclasses import (CJK_SYMBOLS, FULL_WIDTH_ASCII, HAN_COMPAT, HAN_EXT_A, HANGUL_SYLLABLES, KANA,
                                      UNIFIED_HAN)
from datacleaning.rules.base import Editor
from datacleaning.rules.registry import register
from datacleaning.script_chars import simplified_form

_IDENT = r"[A-Za-z_$][\w$]*"
# What only page script does: browser globals, var declarations, IIFEs, jQuery, trackers. A run
# of code lines is page script only if one of its lines starts like this; C, SQL or maths in a
# man page or a fortune has the same braces and semicolons but none of these.
_JS_ANCHOR = rf"""
      var[ \t]+{_IDENT}[ \t]*=(?!=)[^\n]*[;,{{][ \t]*
    | [!(+~;]?[ \t]*\([ \t]*(?:async[ \t]+)?function\b[^\n]*
    | (?:document|window|navigator|localStorage|sessionStorage|top\.location)\.{_IDENT}[^\n]*
    | (?:\$|jQuery)[ \t]*\([^\n]*[;{{][ \t]*
    | (?:_hmt|_gaq|dataLayer|gtag|adsbygoogle|googletag|_czc)\b[^\n]*[;{{][ \t]*
"""
# Other statement shapes, taken only next to an anchor: the body and closing of a snippet.
_JS_CONTINUATION = rf"""
      (?:let|const)[ \t]+{_IDENT}[ \t]*=(?!=)[^\n]*[;,{{][ \t]*
    | (?:async[ \t]+)?function\b[ \t]*[\w$]*[ \t]*\([^()\n]*\)[ \t]*\{{[^\n]*
    | \}}[}});,( \t]*
    | {_IDENT}(?:\.{_IDENT}|\[[^\]\n]*\])+[ \t]*(?:[+\-*/|]?=(?!=)|\()[^\n]*[;{{][ \t]*
    | {_IDENT}[ \t]*\([^\n]*\)[ \t]*;[ \t]*
    | (?:if|for|while)[ \t]*\([^\n]*\)[ \t]*\{{[^\n]*
    | try[ \t]*\{{[^\n]*
"""
# Possessive leading blanks: the shapes have optional blanks of their own, and letting the two
# trade characters back and forth would make a long run of spaces quadratic.
_JS_ANCHOR_LINE = re.compile(rf"^[ \t]*+(?:{_JS_ANCHOR})$", re.M | re.X)
_JS_LINE = re.compile(rf"[ \t]*+(?:{_JS_ANCHOR}|{_JS_CONTINUATION})", re.X)
_STRING_LITERAL = re.compile(r""""[^"\n]*"|'[^'\n]*'""")
_CJK = re.compile(f"[{KANA}{HAN_EXT_A}{UNIFIED_HAN}{HANGUL_SYLLABLES}{HAN_COMPAT}{FULL_WIDTH_ASCII}{CJK_SYMBOLS}]")
# Prose that talks about programming: its code examples are content, not page leftovers.
_PROGRAMMING_TALK = re.compile(
    r"(?<![A-Za-z])(?:javascript|ecmascript|typescript|jquery|node\.?js|js|html|css|dom|ajax|json|script|"
    r"scripts|api|sdk|programming|developer|source code|code snippet)(?![A-Za-z])"
    r"|前端|脚本|函数|变量|编程|源码|源代码|代码示例|示例代码|开发者", re.I)
# The mark of a code line in any C-like or shell language: the lines between JS-shaped ones in a
# script file look like this; the lines of a prose page do not.
_CODE_PUNCTUATION = re.compile(r"^\s*(?://|/\*|\*|#)|[;{}]\s*$")
# A line of code in a C-like, shell, SQL, Python or Perl listing: it ends a statement or opens a
# block (; { }), goes on to the next line (\\ or an open parenthesis), opens with a brace, a
# closing bracket or a // or /* comment, assigns (x = 1, -e KEY=value), or opens with an SQL
# clause in capitals, a function or an import. Not "*" or "#" or an opening bracket at the start,
# nor lower-case keywords alone: menus are written "* Home", "# Sections", "[Home]", "Print",
# "Select language".
_CODE_LINE = re.compile(
    r"[;{}\\(]\s*$|^\s*(?:[{}\])]|//|/\*)|[\w\]\)]\s*[-+*/|&.]?=(?![=>])\s*\S"
    r"|^\s*(?:SELECT|FROM|WHERE|WITH|INSERT|UPDATE|DELETE|JOIN|GROUP BY|ORDER BY|UNION)\b"
    r"|^\s*(?:def|sub|function)\s+[\w:.]+\s*[({]|^\s*(?:from\s+[\w.]+\s+)?import\s+[\w.]+")


def looks_like_code(line: str) -> bool:
    """Whether a line reads as a line of code (``_CODE_LINE``) with no CJK outside its string
    literals, read with those literals emptied: a Chinese sentence quoting a keyword is prose, and
    what a string holds (a URL's KEY=value, a message) says nothing of the line."""
    bare = _STRING_LITERAL.sub('""', line)
    return _CODE_LINE.search(bare) is not None and _CJK.search(bare) is None


# A shell or Python prompt (also user@host:~$) at a line's start: that line is a command, and a
# document with one is technical whatever its topic.
SHELL_PROMPT = r"[ \t\xa0]*(?:[$#%][ \t]+\S|>>>[ \t]|[\w.-]+@[\w.-]+:\S*[$#][ \t])"
_PROMPT_LINE = re.compile("^" + SHELL_PROMPT, re.M)


def _is_script_line(line: str) -> bool:
    """A JS-shaped line with no CJK outside its string literals (a Chinese sentence that quotes a
    keyword is prose)."""
    return _JS_LINE.fullmatch(line) is not None and _CJK.search(_STRING_LITERAL.sub("", line)) is None


def _script_runs(lines: list[str]) -> list[bool]:
    """Which lines belong to a run of consecutive script lines that holds an anchor line."""
    is_script = [_is_script_line(line) for line in lines]
    drop = [False] * len(lines)
    start = 0
    while start < len(lines):
        if not is_script[start]:
            start += 1
            continue
        end = start
        while end < len(lines) and is_script[end]:
            end += 1
        if any(_JS_ANCHOR_LINE.fullmatch(lines[i]) for i in range(start, end)):
            drop[start:end] = [True] * (end - start)
        start = end
    return drop


@register("remove_js_lines")
@dataclass
class RemoveJsLines(Editor):
    """Lines of page script left in the text of a prose page: ``var _hmt = _hmt || [];``,
    ``document.write(…)``, ``(function(){…})();`` one-liners, ``window.x = …``, ``$(…)``, and the
    other lines of such a snippet down to its ``})();``.

    A run of consecutive JavaScript-shaped lines goes when one of them is unmistakably page script
    (a browser global, ``var``, an IIFE, jQuery, a tracker such as ``_hmt``/``gtag``) and none has
    CJK outside its string literals. C, SQL or shell code has braces and semicolons too but none of
    those, so it stays. Even page script is kept when the document is technical: it has a
    shell/Python prompt line, its other lines talk about programming (JavaScript, HTML, script,
    API, 脚本, 函数, 代码示例…), or more than ``max_code_fraction`` of its other non-blank lines
    look like code as well (end in ``;`` ``{`` ``}`` or open a comment): then the document *is*
    code, and judging it is a filter's job.
    """

    max_code_fraction: float = 0.2

    def apply(self, text: str) -> str:
        if _JS_ANCHOR_LINE.search(text) is None or _PROMPT_LINE.search(text):
            return text
        lines = text.split("\n")
        drop = _script_runs(lines)
        if not any(drop):
            return text
        rest = [line for line, dropped in zip(lines, drop) if not dropped and line.strip()]
        n_code = sum(1 for line in rest if _CODE_PUNCTUATION.search(line))
        if not rest or n_code > self.max_code_fraction * len(rest):
            return text
        if _PROGRAMMING_TALK.search(simplified_form("\n".join(rest))):  # 腳本 and 函數 too
            return text
        return "\n".join(_without_lines(lines, drop))


def _without_lines(lines: list[str], drop: list[bool]) -> list[str]:
    """``lines`` less the dropped ones, without the doubled, leading or trailing blank lines that
    taking a block out of a paragraph gap would leave."""
    kept: list[str] = []
    after_drop = False
    for line, dropped in zip(lines, drop):
        if dropped:
            after_drop = True
            continue
        if after_drop and not line.strip() and (not kept or not kept[-1].strip()):
            continue
        kept.append(line)
        after_drop = False
    if after_drop:
        while kept and not kept[-1].strip():
            kept.pop()
    return kept

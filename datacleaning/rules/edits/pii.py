"""Edit rules for links, contacts and personal data: URLs, Markdown images, e-mail addresses,
@mentions, WeChat/QQ IDs, and PRC ID, phone, bank-card and unified social credit numbers.

Every rule finds spans and hands them to :func:`rewrite`, which either puts a placeholder in
their place or cuts them out so that the text around reads as if they had never been there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from datacleaning.charclasses import CJK_SYMBOLS, HALF_AND_FULL_WIDTH, HAN_COMPAT, HAN_EXT_A, UNIFIED_HAN
from datacleaning.rules.base import Editor
from datacleaning.rules.edits.code_lines import SHELL_PROMPT, looks_like_code
from datacleaning.rules.registry import register
from datacleaning.script_chars import simplified_form
from datacleaning.urls import url_parts

Mode = Literal["remove", "placeholder"]
Span = tuple[int, int, str]  # start, end, placeholder

# --- cutting spans out ------------------------------------------------------------------------

_CJK_RANGES = CJK_SYMBOLS + HAN_EXT_A + UNIFIED_HAN + HAN_COMPAT + HALF_AND_FULL_WIDTH
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")
_CJK_OR_CLOSING = re.compile(f"[{_CJK_RANGES}" + r""".,;:!?)\]}'"”’]""")
_WORD_CHAR = re.compile(r"[A-Za-z0-9]")
_BLANKS = re.compile(r"[ \t]*")
# Brackets a removed span takes along when it is all they hold: "详见（https://x）" should not
# leave "详见（）". A placeholder keeps round brackets ("(<URL>)" reads well) but not angle ones.
_BRACKETS_REMOVED = {"(": ")", "（": "）", "[": "]", "【": "】", "<": ">", "《": "》", "「": "」"}
_BRACKETS_REPLACED = {"<": ">"}


def _widen_to_brackets(text: str, start: int, end: int, pairs: dict[str, str]) -> tuple[int, int]:
    if start > 0 and end < len(text) and pairs.get(text[start - 1]) == text[end]:
        return start - 1, end + 1
    return start, end


def _cut_range(text: str, start: int, end: int) -> tuple[int, int]:
    """The range to delete so that removing ``text[start:end]`` leaves tidy text: a span that was
    its whole line takes the line with it; otherwise one space stays between two words, none next
    to CJK (Chinese puts no space between words) or before punctuation, and the indentation of
    the line is kept."""
    left = start
    while left > 0 and text[left - 1] in " \t":
        left -= 1
    right = _BLANKS.match(text, end).end()
    at_line_start = left == 0 or text[left - 1] == "\n"
    at_line_end = right == len(text) or text[right] == "\n"
    if at_line_start and at_line_end:
        return (left, right + 1) if right < len(text) else (max(left - 1, 0), right)
    if at_line_end:
        return left, right
    if at_line_start:
        return start, right
    if left < start and right > end:
        between_cjk = _CJK_CHAR.match(text, left - 1) or _CJK_CHAR.match(text, right)
        return (left, right) if between_cjk else (start, right)
    if left < start:
        return (left, end) if _CJK_OR_CLOSING.match(text, right) else (start, end)
    if right > end and not _WORD_CHAR.match(text, start - 1):
        return start, right
    return start, end


def rewrite(text: str, spans: list[Span], mode: Mode) -> str:
    """``text`` with each span replaced by its placeholder, or removed (``mode="remove"``).

    Spans may come in any order; one that overlaps an earlier-starting span is ignored. In remove
    mode spans separated only by spaces or tabs are removed as one.
    """
    if not spans:
        return text
    spans = sorted(spans, key=lambda s: s[0])
    accepted: list[Span] = []
    for span in spans:
        if accepted and span[0] < accepted[-1][1]:
            continue
        if mode == "remove" and accepted and not text[accepted[-1][1]:span[0]].strip(" \t"):
            accepted[-1] = (accepted[-1][0], span[1], "")
            continue
        accepted.append(span)
    pieces, pos = [], 0
    for start, end, placeholder in accepted:
        if mode == "placeholder":
            start, end = _widen_to_brackets(text, start, end, _BRACKETS_REPLACED)
            pieces += [text[pos:start], placeholder]
        else:
            start, end = _cut_range(text, *_widen_to_brackets(text, start, end, _BRACKETS_REMOVED))
            pieces.append(text[pos:max(start, pos)])
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def matches_near(text: str, hint: re.Pattern, pattern: re.Pattern, max_prefix: int):
    """The non-overlapping matches of ``pattern`` that start at most ``max_prefix`` characters
    before a match of ``hint``, left to right.

    Every pattern here opens with a lookbehind or an optional prefix, so the regex engine gets no
    literal to skip ahead with and tries it at every position of every document. A hint of plain
    literals ("://", "微信", five digits) is found at memory speed; the pattern is then tried only
    where it can start.
    """
    pos = 0
    for h in hint.finditer(text):
        if h.start() < pos:
            continue
        for start in range(max(pos, h.start() - max_prefix), h.start() + 1):
            m = pattern.match(text, start)
            if m is not None:
                yield m
                pos = m.end()
                break


# --- addresses that are code ----------------------------------------------------------------

# A URL or user@host that a command takes as its argument is part of the command: removing it
# from "$ curl -s https://…" or "ssh foo@host.example.org" breaks the technical text around it.
_PROMPT = re.compile(SHELL_PROMPT)
_COMMAND = re.compile(r"(?:curl|wget|git|ssh|scp|sftp|rsync|ftp|telnet|lynx|w3m|sensible-browser|xdg-open|pip|pip3|"
                      r"npm|apt|apt-get|deb|deb-src|docker|svn|hg|dget|dput|mosh)[ \t]")
# What may stand right before a command's name: a blank, a shell separator or a quote; in Chinese
# text also a Han character or an opening quote or bracket ("运行git clone", “git clone”,
# 「wget …」), where the command's arguments up to the address must then be ASCII: "使用git 管理代码，
# 请访问 https://…" names a tool in a sentence and gives it no address.
_BEFORE_COMMAND = " \t\xa0\n;|&(`\"'"
_BEFORE_COMMAND_IN_CHINESE = re.compile(f"[“‘「『【（《{HAN_EXT_A}{UNIFIED_HAN}]")
_LINE_WINDOW = 200


def is_command_argument(text: str, start: int) -> bool:
    """Whether the line up to ``start`` is a prompt or a command that takes an address."""
    window_start = max(0, start - _LINE_WINDOW)
    line_start = text.rfind("\n", window_start, start) + 1 or window_start
    if _PROMPT.match(text, line_start) is not None:
        return True
    return any(m.start() == 0 or text[m.start() - 1] in _BEFORE_COMMAND
               or _BEFORE_COMMAND_IN_CHINESE.match(text, m.start() - 1) is not None and text[m.end():start].isascii()
               for m in _COMMAND.finditer(text, line_start, start))


# --- URLs and Markdown images -----------------------------------------------------------------

# RFC 2606 and RFC 6761 reserve these for documentation: nobody's address, and the examples of a
# manual (git config user.email you@example.com) read better with them.
_RESERVED_DOMAIN = re.compile(r"(?:^|\.)(?:example\.(?:com|net|org)|[^.]+\.(?:example|test|invalid|localhost))$", re.I)
# Hosts that are this machine or a container's view of it: the address a manual tells its reader
# to open (http://localhost:631/ for CUPS), no site's.
_LOCAL_HOST = re.compile(r"localhost|127\.\d+\.\d+\.\d+|[a-z0-9.-]+\.internal")
_HOST_NAME = re.compile(r"[a-z0-9.-]+")


# What stands before the quote of a string a program gives an address in: an assignment, a call's
# parenthesis, a list's comma or bracket ($html = get(", HOME_URL=", [", "). Prose puts a word
# there ("He said ").
_CODE_STRING_OPENERS = "=(,["
_TAG_OPENING = re.compile(r"<[A-Za-z!/]")


def _in_code_string(text: str, start: int, line_is_code: dict[int, bool]) -> bool:
    """Whether the URL at ``start`` opens a string literal of a line of code: a program's address
    ($html = get("http://www.perl.com/");, HOME_URL="https://fedoraproject.org/"), which the
    program needs. A line of markup is no program (<a href="…">). ``line_is_code`` keeps each
    line's verdict by where it starts, so a line of many addresses is read once."""
    if start == 0 or text[start - 1] not in "\"'":
        return False
    line_start = text.rfind("\n", 0, start) + 1
    before = start - 2
    while before >= line_start and text[before] in " \t":
        before -= 1
    if before < line_start or text[before] not in _CODE_STRING_OPENERS:
        return False
    if line_start not in line_is_code:
        line_end = text.find("\n", start)
        line = text[line_start:line_end if line_end >= 0 else len(text)]
        line_is_code[line_start] = _TAG_OPENING.search(line) is None and looks_like_code(_URL.sub("", line))
    return line_is_code[line_start]


def _documentation_url(url: str) -> bool:
    """A URL at a reserved documentation domain or at this machine: an example of a manual or of
    code (=HYPERLINK("http://www.example.org"), fetch("http://localhost:8080/")), nobody's page."""
    parts = url_parts(url)
    if parts is None or "@" in parts.netloc:  # a user part can carry any name: http://www.casino.cn@example.com
        return False
    host = parts.hostname
    return (host is not None and _HOST_NAME.fullmatch(host) is not None
            and (_RESERVED_DOMAIN.search(host) is not None or _LOCAL_HOST.fullmatch(host) is not None))


# ASCII only: a URL written into Chinese text ends at the first CJK character or full-width mark.
# No brackets: "[http://]hostname[:port]" in a usage line is not a URL.
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]"
# A hard-wrapped technical document may break a line right after "https://".
_URL = re.compile(rf"(?<![A-Za-z0-9@.\-])(?:(?:https?|ftp)://(?:[ \t]*\n[ \t\xa0]*)?|www\.)(?=[A-Za-z0-9\-])"
                  rf"{_URL_CHARS}+", re.I)
_URL_HINT = re.compile(r"://|www\.|WWW\.")
_SCHEME_LENGTH = 5  # "https" before "://"


_TLDS = "com|net|org|edu|gov|cn|hk|tw|info|biz|top|xyz|vip|club|site|online|wang|ltd"
_BARE_DOMAIN = re.compile(
    rf"(?<![A-Za-z0-9@.\-/_])(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{{0,61}}[A-Za-z0-9])?\.)+"
    rf"(?:{_TLDS})"
    rf"(?:\.cn)?(?![A-Za-z0-9\-@]|\.[A-Za-z0-9])(?:/{_URL_CHARS}*)?")
_BARE_DOMAIN_HINT = re.compile(rf"\.(?:{_TLDS})")
_SENTENCE_END = ".,;:!?'\"*"
# A Markdown link whose target is a URL: removing the URL should leave the link text.
_MARKDOWN_LINK = re.compile(r"(?<!!)(\[)[^\[\]\n]{1,300}(\]\(\s*((?:https?|ftp)://|www\.)[^()\s]*\s*\))", re.I)


def _url_end(text: str, start: int, end: int) -> int:
    """Where a URL really ends: sentence punctuation after it and a closing bracket it did not
    open ("(see https://x/a)." ) belong to the text around it."""
    opened, closed = text.count("(", start, end), text.count(")", start, end)
    while end > start:
        last = text[end - 1]
        if last in _SENTENCE_END:
            end -= 1
        elif last == ")" and opened < closed:
            end -= 1
            closed -= 1
        else:
            break
    return end


@register("remove_urls")
@dataclass
class RemoveUrls(Editor):
    """Web addresses: ``http(s)://`` and ``ftp://`` URLs and ``www.`` hosts, and with
    ``bare_domains`` also host names with a common TLD (``example.com/a``, ``gov.cn``; off by
    default because English prose names companies that way, Amazon.com). Placeholder: ``<URL>``.

    A URL ends at whitespace, at the first CJK character or full-width mark ("详见https://x.cn/a
    。谢谢" keeps "。谢谢"), before sentence punctuation that follows it and before a closing
    bracket it did not open; a hard-wrapped "https://⏎ host/path" is one URL. In remove mode a
    Markdown link ``[text](url)`` keeps its text, a URL alone in brackets takes them along, and a
    URL alone on its line takes the line. Leaves alone: URLs given to a command on a prompt or
    command line (``$ curl -s https://…``, ``deb https://deb.debian.org/debian stable main``,
    ``git clone https://…``), URLs opening a string literal of a line of code
    (``$html = get("http://www.perl.com/");``), URLs at the reserved documentation domains (example.com/.net/.org,
    *.example, *.test, *.invalid) or at this machine (localhost, 127.0.0.1, host.docker.internal),
    ``[http://]hostname[:port]`` usage syntax, file names (setup.py, index.html), version strings.
    """

    mode: Mode = "remove"
    bare_domains: bool = False

    def apply(self, text: str) -> str:
        spans = [(m.start(), _url_end(text, m.start(), m.end()), "<URL>")
                 for m in matches_near(text, _URL_HINT, _URL, _SCHEME_LENGTH)]
        if self.bare_domains and _BARE_DOMAIN_HINT.search(text):
            spans += [(m.start(), _url_end(text, m.start(), m.end()), "<URL>") for m in _BARE_DOMAIN.finditer(text)]
        line_is_code: dict[int, bool] = {}
        spans = [span for span in spans
                 if not is_command_argument(text, span[0]) and not _documentation_url(text[span[0]:span[1]])
                 and not _in_code_string(text, span[0], line_is_code)]
        if not spans:
            return text
        if self.mode == "remove" and "](" in text:
            removed = {start for start, _, _ in spans}
            for link in _MARKDOWN_LINK.finditer(text):
                if link.start(3) in removed:
                    spans += [(*link.span(1), ""), (*link.span(2), "")]
        return rewrite(text, spans, self.mode)


_MARKDOWN_IMAGE = re.compile(r"!\[([^\[\]\n]{0,300})\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\s*\)")


@register("remove_markdown_images")
@dataclass
class RemoveMarkdownImages(Editor):
    """Markdown images ``![alt](target "title")``, whatever the target (URL, relative path or
    empty ``()`` left by URL removal). With ``keep_alt`` a non-empty alt text stays in its place.
    Leaves alone Markdown links ``[text](url)`` (see ``remove_urls``) and a lone ``!`` or ``[…]``."""

    keep_alt: bool = False

    def apply(self, text: str) -> str:
        if "![" not in text:
            return text
        if self.keep_alt:
            text = _MARKDOWN_IMAGE.sub(lambda m: m.group(1) or m.group(), text)
        return rewrite(text, [(m.start(), m.end(), "") for m in _MARKDOWN_IMAGE.finditer(text)], "remove")


# --- e-mail addresses -------------------------------------------------------------------------

# The local part may not start inside a longer run of its characters (one start per run keeps
# the scan linear); "[at]", "(at)" and the full-width ＠ are how Chinese pages dodge harvesters.
# Not followed by ":path": git@github.com:user/repo.git and scp targets are addresses of hosts.
# A leading "@" makes it a fediverse handle (@user@mastodon.social), removed whole.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])@?[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}(?:@|＠|[ \t]?(?:\[at\]|\(at\))[ \t]?)"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})"
    r"(?![A-Za-z0-9\-@]|\.[A-Za-z0-9]|:[^\s])")
_AT_SIGN = re.compile(r"@|＠|\[at\]|\(at\)")
_DOMAIN_RUN = re.compile(r"[ \t]?[A-Za-z0-9.\-]*")
_MAX_LOCAL_PART = 66  # 64 characters, a leading "@" of a handle and a space before "[at]"


def _find_emails(text: str):
    """The pattern tried only in a window around each at-sign: from the longest local part before
    it to just past the domain after it."""
    pos = 0
    for at in _AT_SIGN.finditer(text):
        if at.start() < pos:
            continue
        domain_end = _DOMAIN_RUN.match(text, at.end()).end()
        if domain_end == at.end():
            continue
        m = _EMAIL.search(text, max(pos, at.start() - _MAX_LOCAL_PART), domain_end + 2)
        if m is not None:
            yield m
            pos = m.end()


# systemd's template units read like addresses (user@1005.service, getty@tty1.service); their
# suffixes are no top-level domain.
_SYSTEMD_UNIT = re.compile(r"\.(?:service|socket|target|timer|mount|automount|path|slice|scope|device|swap)$")


@register("remove_emails")
@dataclass
class RemoveEmails(Editor):
    """E-mail addresses, also written ``name＠host``, ``name[at]host.com`` or ``name(at)host.com``,
    with the angle brackets around them (``<bug-coreutils@gnu.org>``), and fediverse handles
    ``@user@mastodon.social``. Placeholder: ``<EMAIL>``.

    Leaves alone what has an @ but is no one's mailbox: ``@decorators``, ``user@host:~$`` prompts,
    ``git@github.com:repo`` remotes (followed by ``:path``), ``ssh``/``scp``/``rsync``/``git``
    arguments (``ssh foo@host.example.org``: a login on a host, part of the command), addresses at
    the reserved documentation domains (example.com/.net/.org, *.example, *.test, *.invalid),
    ``pkg@1.2.3``, systemd template units (``user@1005.service``)."""

    mode: Mode = "remove"

    def apply(self, text: str) -> str:
        spans = [(m.start(), m.end(), "<EMAIL>") for m in _find_emails(text)
                 if not _RESERVED_DOMAIN.search(m.group(1)) and not _SYSTEMD_UNIT.search(m.group(1))
                 and not is_command_argument(text, m.start())]
        return rewrite(text, spans, self.mode)


# --- @mentions --------------------------------------------------------------------------------

# An ASCII name runs to the first character that is not a letter, digit, "_" or "-" (so "@days的"
# is the ASCII word "days", as Chinese text writes no space after it); a name that starts with a
# Chinese character runs to a space or punctuation. Not after a letter, digit or ASCII bracket or
# quote (an e-mail address, "(@args)", "'@F=split'"), not followed by "(" (a decorator call),
# "=" (an assignment), "." + word (a domain), "/" (an npm scope) or "::" (a Perl package).
# "//" before it is Weibo's repost chain; a colon after it counts unless code follows (host:port).
_MENTION_END = r"(?![(/@＠]|\.\w|[ \t]*=|::)"
_MENTION = re.compile(r"(?:(?<![A-Za-z0-9:/])//|(?<![A-Za-z0-9._%+\-@＠$&*#^/\\(\[{'\"`=,]))"
                      rf"([@＠](?:[A-Za-z0-9_][A-Za-z0-9_\-]{{0,29}}(?![A-Za-z0-9_\-])"
                      rf"|[^\W\d_A-Za-z][\w\-·]{{0,29}}(?![\w\-·])){_MENTION_END})(?:：|:(?![!-~]))?")
_HAN = re.compile(f"[{HAN_EXT_A}{UNIFIED_HAN}]")
_AT_OR_FULLWIDTH_AT = re.compile(r"[@＠]")
_CHAIN_PREFIX = 2  # the "//" of a repost chain


# What ends a sentence before a mention that opens the next one ("说得好。@张三 你看").
_SENTENCE_CLOSE = "。！？!?…；;"


def _is_mention(text: str, m: re.Match) -> bool:
    """A name with Chinese characters, or any name marked as one (``_marked``). An ASCII-only
    @word without such a mark is as likely code (Perl @ISA, Texinfo @include, dig @server,
    make's @command) as a user name."""
    return bool(_HAN.search(m.group(1))) or _marked(text, m)


def _marked(text: str, m: re.Match) -> bool:
    """A mention marked as one: in a "//@" chain, after "回复", or with a colon after it."""
    return m.group().startswith("//") or m.group()[-1] in ":：" or text.endswith("回复", 0, m.start())


@register("remove_mentions")
@dataclass
class RemoveMentions(Editor):
    """Social-media @mentions in Chinese text: ``@人民日报``, ``@张三 你好``, Weibo repost chains
    ``//@李四:转发`` and ``//@user_01:``, ``回复@abc:``. Placeholder ``<USER>`` takes the place of
    the ``@name`` only.

    A name without Chinese characters counts only with a mark of a mention (``//@``, ``回复@``,
    a colon after it): a bare ASCII @word is as often code. Chinese only: in English text an @ is
    at least as often code (decorators, annotations, CSS at-rules, npm scopes) as a user name.
    Leaves alone e-mail addresses, ``@decorator``/``@Override`` lines, ``@register("x")``,
    Perl arrays (``@ISA = …``, ``(@args)``), ``@types/node``, doc-comment tags."""

    languages = frozenset({"zh"})
    mode: Mode = "remove"

    def apply(self, text: str) -> str:
        mentions = [m for m in matches_near(text, _AT_OR_FULLWIDTH_AT, _MENTION, _CHAIN_PREFIX) if _is_mention(text, m)]
        spans = []
        for run in _runs(text, mentions):
            if _addresses(text, run):
                spans += [(*(m.span() if self.mode == "remove" else m.span(1)), "<USER>") for m in run]
            else:  # a name the sentence speaks of: only its "@" goes
                spans += [(m.start(1), m.start(1) + 1, "") for m in run]
        return rewrite(text, spans, self.mode)


def _runs(text: str, mentions: list[re.Match]) -> list[list[re.Match]]:
    """The mentions in runs of those separated by nothing but spaces ("@张三 @李四")."""
    runs: list[list[re.Match]] = []
    for m in mentions:
        if runs and not text[runs[-1][-1].end():m.start()].strip(" \t"):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _addresses(text: str, run: list[re.Match]) -> bool:
    """True for mentions that address or tag someone: marked as such (a repost chain, "回复@",
    a colon after), opening a line or a sentence, or closing a line ("转给 @张三 @李四"). A name
    inside a sentence ("我和@李四一起去的北京") is a word of it, and unspaced Chinese does not show
    where the name ends: taking it to the next punctuation would take the sentence with it."""
    if any(_marked(text, m) for m in run):
        return True
    before = run[0].start()
    while before and text[before - 1] in " \t":
        before -= 1
    after = run[-1].end()
    while after < len(text) and text[after] in " \t":
        after += 1
    return not before or text[before - 1] in "\n" + _SENTENCE_CLOSE or after == len(text) or text[after] == "\n"


# --- WeChat and QQ IDs ------------------------------------------------------------------------

# WeChat IDs are 6–20 letters, digits, "_" or "-" starting with a letter; a phone or QQ number
# also serves as one. A label ("微信号：", "VX:", "加V") must come right before it.
_WECHAT_ID = r"(?P<id>[A-Za-z][-_A-Za-z0-9]{5,19}|\+?\d{5,13})(?![-_A-Za-z0-9])"
_WECHAT_LABEL = r"(?:微信|薇信|威信|V信|v信|VX|Vx|vX|vx|WX|Wx|wx|weixin|WeiXin|WeChat|wechat|Wechat)"
# "+" right after a letter or digit joins a key combination (Ctrl+V pastes), not "add me on".
_ADD = r"(?:加|(?<![A-Za-z0-9])[+＋➕])"
# Each run of blanks stands between two other things: two runs side by side (blank* then an
# optional word then blank*) would share a long run of blanks in every way, in cubic time.
_WECHAT = re.compile(
    rf"(?:(?:{_ADD}[ \t]?)?{_WECHAT_LABEL}[ \t]*(?:(?:号|ID|id)[ \t]*)?[:：][ \t]*"
    rf"|{_ADD}(?:[ \t]?{_WECHAT_LABEL}|[Vv])[ \t]*(?:号[ \t]*)?(?:[:：][ \t]*)?"
    rf"|微信号[ \t]+){_WECHAT_ID}")
_QQ = re.compile(r"(?:[加+＋➕][ \t]?)?(?:QQ|qq|Qq|扣扣)[ \t]*(?:(?:号码|号|群)[ \t]*)?(?:[:：][ \t]*)?"
                 r"(?P<id>[1-9]\d{4,11})(?!\d)")
# Every match holds one of these literals within its first three characters ("加 V", "＋wx").
_WECHAT_HINT = re.compile(r"微信|薇信|威信|V信|v信|VX|Vx|vX|vx|WX|Wx|wx|weixin|WeiXin|WeChat|wechat|Wechat|"
                          r"加V|加v|\+V|\+v|＋V|＋v|➕V|➕v")
_QQ_HINT = re.compile(r"QQ|qq|Qq|扣扣")
_MAX_LABEL_PREFIX = 2  # "加 " before the label


@register("remove_wechat_ids")
@dataclass
class RemoveWechatIds(Editor):
    """WeChat IDs given as contacts: ``微信号：abc_123``, ``微信: wxid2024``, ``VX：abc123``,
    ``加V abc12345``, ``+wx: …``; with ``include_qq`` also ``QQ：12345678`` and ``QQ群：…``. In
    remove mode the label and any "加"/"+" before it go too; placeholder mode keeps the label and
    puts ``<WECHAT>`` or ``<QQ>`` in the ID's place.

    A label must come right before the ID, with a colon unless it is "加…"/"微信号 …": "微信支付",
    "微信 Android 版", "QQ音乐", "威信" (prestige) in a sentence stay. Chinese only."""

    languages = frozenset({"zh"})
    mode: Mode = "remove"
    include_qq: bool = True

    def apply(self, text: str) -> str:
        labelled = simplified_form(text)  # 微信號 as 微信号; one for one, so the spans are the text's
        found = [(m, "<WECHAT>") for m in matches_near(labelled, _WECHAT_HINT, _WECHAT, _MAX_LABEL_PREFIX)]
        if self.include_qq:
            found += [(m, "<QQ>") for m in matches_near(labelled, _QQ_HINT, _QQ, _MAX_LABEL_PREFIX)]
        if not found:
            return text
        group = 0 if self.mode == "remove" else "id"
        return rewrite(text, [(*m.span(group), placeholder) for m, placeholder in found], self.mode)


# --- PRC ID, phone, bank-card and credit-code numbers -----------------------------------------

# GB 11643-1999: 6-digit region, 8-digit birth date, 3-digit sequence, check character.
_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_ID_CHECK = "10X98765432"
_PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
              "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
              "83"}
_THIS_YEAR = date.today().year


def is_prc_id(code: str) -> bool:
    """An 18-character resident ID number with a known province, a real birth date from 1900 to
    this year and a valid GB 11643 check character."""
    if len(code) != 18 or not code[:17].isdigit() or code[:2] not in _PROVINCES:
        return False
    try:
        born = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= _THIS_YEAR:
        return False
    total = sum(int(d) * w for d, w in zip(code, _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == code[17].upper()


# GB 32100-2015: registration authority, category, 6-digit region, 9-character organisation
# code, check character, over an alphabet without I, O, S, V, Z.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = [3 ** i % 31 for i in range(17)]
_USCC_SHAPE = re.compile(r"[1-9ANY][1-9]\d{6}[0-9A-HJ-NPQRTUWXY]{9}[0-9A-HJ-NPQRTUWXY]")


def is_uscc(code: str) -> bool:
    """An 18-character unified social credit code of the GB 32100 shape with a valid check
    character."""
    if _USCC_SHAPE.fullmatch(code) is None:
        return False
    total = sum(_USCC_VALUE[c] * w for c, w in zip(code, _USCC_WEIGHTS))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


# Issuer prefixes of cards in use in China: Visa 4, Mastercard 51–55 and 2221–2720, Amex 34/37,
# JCB 35, UnionPay 62 and the older 60 and 9558 debit ranges, Discover 65.
_CARD_PREFIX = re.compile(r"4|5[1-5]|2(?:2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|3[457]|6[025]|9558")


def is_bank_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) is not None and luhn_ok(digits)


# A bare run of digits is a card or an all-digit credit code only when the words before it say so;
# order and tracking numbers are runs of digits too, and one in ten passes the Luhn check.
_CARD_CONTEXT = re.compile(r"卡|账号|帐号|账户|帐户|收款|转账|汇款|开户|card|account", re.I)
_USCC_CONTEXT = re.compile(r"信用代码|税号|纳税人识别号|credit code", re.I)
_CONTEXT_CHARS = 16

# Alternatives in order of precedence: the phone shapes are tried before the long runs so that
# "8613812345678" is a mobile with its country code, not a 13-digit card candidate.
_NUMBER = re.compile(r"""(?<![0-9A-Za-z.+\-_/\\])(?:
      (?P<mobile>(?:(?:\+|00)?86[ \-]?|\(\+?86\)[ \-]?)?1[3-9]\d(?P<msep>[ \-]?)\d{4}(?P=msep)\d{4})
    | (?P<landline>(?:\(0(?:10|2\d|[3-9]\d\d)\)|（0(?:10|2\d|[3-9]\d\d)）)[ \-]?[2-9]\d{6,7}
                  |0(?:10|2\d|[3-9]\d\d)[ \-][2-9]\d{6,7})(?:-\d{1,5})?
    | (?P<service>[48]00(?P<ssep>[ \-]?)\d{3}(?P=ssep)\d{4})
    | (?P<grouped>\d{4}(?P<gsep>[ \-])\d{4}(?:(?P=gsep)\d{4}){1,2}(?:(?P=gsep)\d{1,3})?)
    | (?P<long>\d{17}[Xx]|[0-9A-Z]{13,19})
)(?![0-9A-Za-z]|[.,]\d)""", re.X)
# Every number above holds five digits in a row or a digit, a separator and four digits, within
# its first few characters.
_NUMBER_HINT = re.compile(r"\d\d\d\d\d|\d[ \-]\d\d\d\d")
_MAX_PREFIX = 10  # "(+86) " or "（0755）" before the hinted digits
# Words before a phone-shaped number that make it an order, serial or model number.
_NOT_A_PHONE = re.compile(r"订单|单号|编号|货号|运单|流水号|序列号|批号|型号|条码|No\.?|ISBN", re.I)


@register("redact_pii")
@dataclass
class RedactPii(Editor):
    """Personal numbers in Chinese text, each kind switched on or off: resident ID numbers
    (``ids``: 18 characters, real birth date, GB 11643 check character) → ``<ID>``; mobile numbers
    (``mobiles``: 1[3-9] + 9 digits, optional +86/86, ``-`` or space between 3-4-4) and landlines
    (``landlines``: 0xx-xxxxxxxx, (0xx)xxxxxxxx, optional extension) → ``<PHONE>``; 400/800 service
    lines (``service_numbers``, off by default: they belong to businesses) → ``<PHONE>``; bank cards
    (``bank_cards``: 13–19 digits with a card-issuer prefix passing Luhn, grouped by 4, or a bare run
    with 卡号/账号/card… just before) → ``<BANKCARD>``; unified social credit codes
    (``credit_codes``: GB 32100 check character, and 信用代码/税号 just before if all digits) →
    ``<USCC>``.

    No number is taken from inside a longer run of digits or letters, after a "." or "/" or
    before a decimal part, so dates (20230204), prices (¥1380.00), version strings (1.3.7), IP
    addresses, ISBNs, timestamps and order numbers stay. IP addresses are not redacted: in this
    corpus they are almost all in technical text (192.168.0.1, 127.0.0.1), where they are content.
    """

    languages = frozenset({"zh"})
    mode: Mode = "placeholder"
    ids: bool = True
    mobiles: bool = True
    landlines: bool = True
    service_numbers: bool = False
    bank_cards: bool = True
    credit_codes: bool = True

    def apply(self, text: str) -> str:
        spans = []
        # The labels around a number (账户, 订单编号) are written in Simplified; one for one, so the
        # spans are the text's.
        for m in matches_near(simplified_form(text), _NUMBER_HINT, _NUMBER, _MAX_PREFIX):
            placeholder = self._placeholder(m)
            if placeholder:
                spans.append((m.start(), m.end(), placeholder))
        return rewrite(text, spans, self.mode)

    def _placeholder(self, m: re.Match) -> str:
        for kind, wanted in (("mobile", self.mobiles), ("landline", self.landlines), ("service", self.service_numbers)):
            if m.group(kind):
                return "<PHONE>" if wanted and not self._context(m, _NOT_A_PHONE) else ""
        if m.group("grouped"):
            digits = m.group("grouped").replace(" ", "").replace("-", "")
            return "<BANKCARD>" if self.bank_cards and is_bank_card(digits) else ""
        return self._long_code(m)

    def _long_code(self, m: re.Match) -> str:
        code = m.group("long")
        if len(code) == 18:
            if self.ids and is_prc_id(code):
                return "<ID>"
            if self.credit_codes and is_uscc(code) and (not code.isdigit() or self._context(m, _USCC_CONTEXT)):
                return "<USCC>"
        if self.bank_cards and code.isdigit() and is_bank_card(code) and self._context(m, _CARD_CONTEXT):
            return "<BANKCARD>"
        return ""

    @staticmethod
    def _context(m: re.Match, words: re.Pattern) -> bool:
        return words.search(m.string, max(0, m.start() - _CONTEXT_CHARS), m.start()) is not None

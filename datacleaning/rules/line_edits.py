"""Removing whole lines from a text without leaving doubled or dangling blank lines behind."""
from __future__ import annotations

from collections.abc import Collection


def drop_lines(lines: list[str], dropped: Collection[int]) -> str:
    """``lines`` joined with ``\\n``, less the lines whose indexes are in ``dropped``.

    A blank line goes with the removed lines when the nearest non-blank lines on both sides of it
    are removed (or are the start or end of the text): it stood inside what was removed. A blank
    line touching a kept line stays, so a paragraph break survives, but only once where the
    removal would otherwise bring two blank lines together, and not at the start or end of the text
    when what stood beyond it was removed. Blank lines elsewhere are untouched.
    """
    next_is_dropped = [False] * len(lines)
    following_dropped = True
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            following_dropped = i in dropped
        else:
            next_is_dropped[i] = following_dropped
    out: list[str] = []
    previous_dropped = True
    dropped_since_kept = kept_any = False
    for i, line in enumerate(lines):
        if i in dropped:
            previous_dropped = dropped_since_kept = True
        elif line.strip():
            if dropped_since_kept and not kept_any:
                out.clear()  # blank lines left in front of the first kept line
            out.append(line)
            previous_dropped = dropped_since_kept = False
            kept_any = True
        elif not (previous_dropped and next_is_dropped[i]) and not (
                dropped_since_kept and out and not out[-1].strip()):
            out.append(line)
    if dropped_since_kept:
        while out and not out[-1].strip():
            out.pop()
    return "\n".join(out)

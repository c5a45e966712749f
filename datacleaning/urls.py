"""A URL's parts and host, as the rules and the URL blacklist read them."""
from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

# A URL hard-wrapped right after its scheme ("https://⏎    host/path"), as technical text breaks it.
_WRAP = re.compile(r"://\s+")


def url_parts(url: str) -> SplitResult | None:
    """``url`` split into its parts (with or without its scheme; one wrapped after its scheme read
    joined), or None where it is not a URL."""
    url = _WRAP.sub("://", url.strip())
    try:
        return urlsplit(url if "//" in url else f"//{url}")
    except ValueError:
        return None


def url_host(url: str) -> str | None:
    """The lower-cased host of ``url``, or None where it names none or is not a URL."""
    parts = url_parts(url)
    return parts.hostname if parts is not None else None

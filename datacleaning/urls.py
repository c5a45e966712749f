"""The host a URL names, as the rules and the URL blacklist read it."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# A URL hard-wrapped right after its scheme ("https://⏎    host/path"), as technical text breaks it.
_WRAP = re.compile(r"://\s+")


def url_host(url: str) -> str | None:
    """The lower-cased host of ``url`` (with or without its scheme; one wrapped after its scheme
    read joined), or None where it names none or is not a URL."""
    url = _WRAP.sub("://", url.strip())
    try:
        return urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None

"""The host a URL names, as the rules and the URL blacklist read it."""
from __future__ import annotations

from urllib.parse import urlsplit


def url_host(url: str) -> str | None:
    """The lower-cased host of ``url`` (with or without its scheme; a URL wrapped over lines is
    read joined), or None where it names none or is not a URL."""
    url = "".join(url.split())
    try:
        return urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None

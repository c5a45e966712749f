"""The unit of data every stage passes around."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from datacleaning.text_views import TextViews


class Document:
    """One document on its way through the cleaning stage.

    ``text`` changes as normalizers and edit rules run; ``original_text`` keeps what was read so a
    rejected document can be written out exactly as it came in. ``meta`` is the JSON text of the
    input record's other fields, carried through untouched. ``id_made``: the input record had no
    value in its id field, so the reader made the id (the stage counts them: a misnamed
    ``input.id_field`` shows).
    """

    __slots__ = ("id", "text", "original_text", "source", "lang", "meta", "edits", "scores", "_views",
                 "_meta_fields", "id_made")

    def __init__(self, id: str, text: str, source: str = "", lang: str = "", meta: str = "{}"):
        self.id = id
        self.text = text
        self.original_text = text
        self.source = source
        self.lang = lang
        self.meta = meta
        self.edits: dict[str, int] = {}
        self.scores: dict[str, Any] = {}
        self._views: TextViews | None = None
        self._meta_fields: dict | None = None
        self.id_made = False

    @property
    def views(self) -> TextViews:
        """Derived views of the current text, computed on first use and shared by every filter.

        Filters run after every edit, so the text no longer changes once this is read.
        """
        if self._views is None:
            self._views = TextViews(self.text)
        return self._views

    def meta_value(self, name: str) -> Any:
        """The input record's field ``name`` (kept in ``meta``), None when it has none."""
        # Most records lack the field: look for its key before parsing the JSON, which is parsed
        # once for all the filters that ask (the blacklist reads the title and the URL).
        if not name or orjson.dumps(name).decode() not in self.meta:
            return None
        if self._meta_fields is None:
            self._meta_fields = orjson.loads(self.meta)
        return self._meta_fields.get(name)

    def meta_string(self, name: str) -> str | None:
        """The input record's field ``name`` when it is a string, else None."""
        found = self.meta_value(name)
        return found if isinstance(found, str) else None

    def __repr__(self) -> str:
        preview = self.text[:40].replace("\n", "\\n")
        return f"Document(id={self.id!r}, lang={self.lang!r}, text={preview!r}...)"


# How much of a whole file that cannot be read its quarantine record keeps.
QUARANTINE_HEAD_BYTES = 65536


@dataclass(slots=True)
class Quarantined:
    """Input that could not be read as a document, with the reason. ``raw`` holds the failing
    record byte for byte; for a whole file that cannot be read, its first QUARANTINE_HEAD_BYTES
    (the file itself stays where it is)."""

    file: str
    offset: int
    raw: bytes
    error: str

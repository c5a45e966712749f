"""Structured logging: one line per event, ``key=value`` fields after the event name."""
from __future__ import annotations

import logging
import sys

_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure(level: int = logging.INFO) -> None:
    root = logging.getLogger("datacleaning")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT, datefmt="%Y-%m-%dT%H:%M:%S"))
        root.addHandler(handler)
    root.setLevel(level)


def _quote(value) -> str:
    text = str(value)
    return repr(text) if (" " in text or "=" in text or not text) else text


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields) -> None:
    logger.log(level, " ".join([event, *(f"{k}={_quote(v)}" for k, v in fields.items())]))

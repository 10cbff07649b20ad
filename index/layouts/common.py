"""What the layout parsers share: the line cleaning (index/markup.py) and the metadata copied into passages."""

from __future__ import annotations

import re

from ..markup import clean_line

__all__ = ["clean_line", "document_meta", "wrapped"]

_LIST_ITEM = re.compile(r"^(?:[-*+•▪◦‣–—·>]|\(?\d{1,3}[.)]|\(?[a-z]\))\s")
WRAPPED_LINE_CHARS = 45  # mean length of a passage's lines for them to be a paragraph wrapped at the page width
_LINE_END = re.compile(r"[.!?:;][\"'“”»«)]*$")


def document_meta(document) -> dict:
    """Per-passage metadata every parser copies from the document's manifest."""
    meta = document.meta
    found = {
        "doc_short_title": meta.short_title or meta.title,
        "city": meta.city,
        "date": meta.date,
        "doc_kind": meta.kind,
    }
    if meta.number is not None:
        found["number"] = meta.number  # "Protokoll Nr. 61": a question may name the meeting by it
    return found


def wrapped(items) -> bool:
    """Whether a passage's items are mostly lines broken inside a sentence (a PDF paragraph wrapped at the page
    width), not lines that each say something (list items, board lines)."""
    if len(items) < 2:
        return False
    broken = sum(1 for item in items[:-1] if not _LIST_ITEM.match(item.text) and not _LINE_END.search(item.text))
    # Short lines that end without a stop are a list of cards or names ("DSL nächste Stufe 3"), not prose.
    long_lines = sum(len(item.text) for item in items) >= WRAPPED_LINE_CHARS * len(items)
    return broken * 2 >= len(items) - 1 and long_lines

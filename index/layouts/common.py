"""What the layout parsers share: the line cleaning (index/markup.py) and the metadata copied into passages."""

from __future__ import annotations

from ..markup import clean_line

__all__ = ["clean_line", "document_meta"]


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

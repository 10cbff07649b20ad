"""Turning a document into passages: one module per known layout, a generic fallback."""

from __future__ import annotations

from ..documents import Document
from ..passage import Passage
from . import generic, photo_protocol, tables

# Tried in this order when the manifest names no kind; generic always accepts.
LAYOUTS = {
    photo_protocol.KIND: photo_protocol,
    tables.KIND: tables,
    generic.KIND: generic,
}


def parse_document(document: Document) -> list[Passage]:
    """Passages of one document, by the layout its manifest names or the first that recognises it."""
    layout = LAYOUTS.get(document.meta.kind or "")
    if layout is None:
        layout = next(module for module in LAYOUTS.values() if module.detect(document))
    passages = layout.parse(document)
    return generic.split_long(passages)

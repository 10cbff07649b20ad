"""Turning a document into passages: one module per known layout, a generic fallback."""

from __future__ import annotations

from typing import NamedTuple

from ..documents import Document
from ..passage import Passage
from . import generic, photo_protocol, tables


class KindName(NamedTuple):
    """A board kind in German words."""

    plural: str  # what the index summary counts, e.g. "Themenkarten"
    place: str = "Ort"  # what a passage's place is on such a board, for a filter choice ("Schalke – Stadtteil")


# Every board kind the parsers write (index.passage.BOARD_KINDS), in the order the index summary lists them.
KIND_NAMES = {
    "title": KindName("Titelseiten"),
    "goals": KindName("Zielsetzung"),
    "programme": KindName("Programm"),
    "district": KindName("Austausch-Tafeln (Stadtteile)", place="Stadtteil"),
    "topic_card": KindName("Themenkarten"),
    "topic_result": KindName("Ergebnistafeln der Themen"),
    "table_row": KindName("Tabellenzeilen (Herausforderungen)", place="Workshop"),
    "section": KindName("Abschnitte (allgemein)"),
}


def kind_name(kind: str) -> KindName:
    """The German names of a board kind; an unknown kind is named by itself."""
    return KIND_NAMES.get(kind) or KindName(kind)

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

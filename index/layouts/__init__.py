"""Turning a document into passages: one module per known layout, a generic fallback."""

from __future__ import annotations

from ..documents import Document
from ..passage import Passage
from . import generic, minutes, photo_protocol, tables

# Tried in this order when the manifest names no kind; generic always accepts.
LAYOUTS = {
    photo_protocol.KIND: photo_protocol,
    tables.KIND: tables,
    minutes.KIND: minutes,
    generic.KIND: generic,
}
# What each layout is called where the index says which one a file got.
LAYOUT_NAMES = {
    photo_protocol.KIND: "Fotoprotokoll",
    tables.KIND: "Workshop-Tabellen",
    minutes.KIND: minutes.NAME,
    generic.KIND: "allgemein",
}


def choose_layout(document: Document):
    """The layout module for a document and why, in a short German phrase: the manifest's kind, else the first
    layout that recognises the document."""
    layout = LAYOUTS.get(document.meta.kind or "")
    if layout is not None:
        return layout, f"laut Manifest (kind „{document.meta.kind}“)"
    layout = next(module for module in LAYOUTS.values() if module.detect(document))
    describe = getattr(layout, "describe", None)
    return layout, describe(document) if describe else "erkannt"


def parse_document(document: Document) -> list[Passage]:
    """Passages of one document, by the layout its manifest names or the first that recognises it."""
    return parse_with_layout(document)[0]


def parse_with_layout(document: Document) -> tuple[list[Passage], str, str]:
    """Passages of one document, the layout's kind and why it was chosen.

    Long passages are split; a passage whose text another passage of the document already has (a signature
    block, a repeated notice) is indexed once; a passage without words (page numbers, marks) not at all.
    """
    layout, reason = choose_layout(document)
    passages = generic.split_long(layout.parse(document))
    if document.pages:
        for passage in passages:
            if "page" in passage.meta:
                cite_pages(passage, document.pages)
    return without_repeats(passages), layout.KIND, reason


def cite_pages(passage: Passage, pages: list[int]) -> None:
    """The pages a passage's lines stand on (a part of a split passage may stand on one page of two)."""
    numbers = sorted({pages[item.line - 1] for item in passage.items if 1 <= item.line <= len(pages)})
    if not numbers:
        return
    passage.meta["page"] = numbers[0]
    if numbers[-1] != numbers[0]:
        passage.meta["page_end"] = numbers[-1]
    else:
        passage.meta.pop("page_end", None)


def without_repeats(passages: list[Passage]) -> list[Passage]:
    """The passages without a second copy of the same text and without those that hold no word.

    A field left empty on a board quotes its printed prompt, the same on every board: it stands for that board
    and stays.
    """
    seen: set[str] = set()
    kept = []
    for passage in passages:
        if passage.meta.get("empty"):
            kept.append(passage)
            continue
        text = " ".join(passage.text.casefold().split())
        if sum(char.isalpha() for char in text) < 2 or text in seen:
            continue
        seen.add(text)
        kept.append(passage)
    return kept

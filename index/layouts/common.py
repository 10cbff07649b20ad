"""Cleaning shared by the layout parsers: layout noise out, wording untouched."""

from __future__ import annotations

import re

_MARKUP = re.compile(r"</?(p|br|span|div|b|i|strong|em)\s*/?>", re.IGNORECASE)
_LATEX_ARROWS = {r"\Rightarrow": "⇒", r"\rightarrow": "→", r"\Leftarrow": "⇐", r"\leftarrow": "←"}
_SUPERSCRIPT = re.compile(r"\^\{([^{}]*)\}")
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_line(line: str) -> str:
    """One source line without markup, transcription artefacts and surplus white space.

    The words stay exactly as written (OCR errors included): citations must match the source.
    """
    line = _MARKUP.sub(" ", line)
    for latex, arrow in _LATEX_ARROWS.items():
        line = line.replace(latex, arrow)
    line = _SUPERSCRIPT.sub(r"\1", line)
    return _SPACES.sub(" ", line).strip()


def is_blank(line: str) -> bool:
    return not clean_line(line)


def document_meta(document) -> dict:
    """Per-passage metadata every parser copies from the document's manifest."""
    meta = document.meta
    return {
        "doc_short_title": meta.short_title or meta.title,
        "city": meta.city,
        "date": meta.date,
        "doc_kind": meta.kind,
    }

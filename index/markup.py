"""The transcription's markup, removed in one place: by the layout parsers (the indexed text), the source view
(the shown lines), the check whether a source still holds a passage's text, and the evaluation's matching.

The protocols were transcribed from photographs; the transcription left HTML tags (`<p>` around table cell
paragraphs, `<br>` …), LaTeX arrows (`\\Rightarrow`), superscripts (`^{vorhandene}`) and Markdown bold
(`**Teilhabe**`). The words stay exactly as written (OCR errors included): citations must match the source.
"""

from __future__ import annotations

import re

_TAG_NAMES = "p|br|span|div|b|i|strong|em"
# An opening, closing or empty tag of the names above, with or without attributes: <p>, </p>, <br/>, <p class="x">.
TAG = re.compile(rf"</?(?:{_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
# The paragraph tags alone: a table cell holds one paragraph between each pair.
PARAGRAPH_TAG = re.compile(r"</?p(?:\s[^<>]*)?/?>", re.IGNORECASE)
_LATEX_ARROWS = {r"\Rightarrow": "⇒", r"\rightarrow": "→", r"\Leftarrow": "⇐", r"\leftarrow": "←"}
_SUPERSCRIPT = re.compile(r"\^\{([^{}]*)\}")
# Bold of Markdown around words ("**„Teilhabe gestalten …“**"): its stars are no part of what was written.
# (only around words: not "x**2 + y**2", not "Preis**: 5 € und Rabatt**: 3", not "***")
_BOLD = re.compile(r"(?<![\w*])\*\*(?=[^\s*])(.+?)(?<=[^\s*])\*\*(?![\w*])")
_SPACES = re.compile(r"[ \t\u00a0]+")


def strip_markup(text: str) -> str:
    """The text with its markup taken out and white space (tabs too) left as it is.

    A tag becomes a space (it may stand between two words), a LaTeX arrow the arrow it draws, a superscript
    or bold words their text.
    """
    text = TAG.sub(" ", _BOLD.sub(r"\1", text))
    for latex, arrow in _LATEX_ARROWS.items():
        text = text.replace(latex, arrow)
    return _SUPERSCRIPT.sub(r"\1", text)


def clean_line(line: str) -> str:
    """One source line without markup and without surplus white space (tabs become spaces): the indexed text."""
    return _SPACES.sub(" ", strip_markup(line)).strip()


def clean_cells(line: str) -> list[str]:
    """The cells of a tab-separated line (one cell for a line without tabs), each cleaned like a line."""
    return [clean_line(cell) for cell in line.split("\t")]

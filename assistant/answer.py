"""Composing the answer: verbatim items from the cited passages, grouped by board, with markers."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from index.lexical import GermanAnalyzer
from .retrieve import Hit
from .understand import Query

MAX_ITEMS_PER_PASSAGE = 8
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~])")
_ESCAPED = re.compile(r"\\([\\`*_\[\]~])")
_BULLET_PREFIX = re.compile(r"^\s*(?:[-–•*]\s+)")


@dataclass
class Answer:
    """German Markdown text with citation markers [1], [2] … and the cited passages in marker order."""

    text: str
    passages: list[Hit]
    query: Query | None = None
    abstained: bool = False
    notes: list[str] = field(default_factory=list)

    def plain_text(self) -> str:
        """The text for a terminal: Markdown escapes and HTML entities undone."""
        return html.unescape(_ESCAPED.sub(r"\1", self.text))

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "abstained": self.abstained,
            "notes": self.notes,
            "passages": [dict(hit.to_dict(), marker=n) for n, hit in enumerate(self.passages, start=1)],
            "query": self.query.describe() if self.query else None,
        }


def escape_markdown(text: str) -> str:
    """Corpus text as literal Markdown: no HTML, links, images or emphasis can come from a document."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def abstention(documents: list[str]) -> Answer:
    listing = "; ".join(documents) if documents else "keine Dokumente"
    text = (
        "Dazu habe ich in den Protokollen nichts gefunden, deshalb zitiere ich nichts.\n\n"
        f"Durchsucht: {escape_markdown(listing)}."
    )
    return Answer(text=text, passages=[], abstained=True)


def compose(query: Query, hits: list[Hit], missing: list[tuple[str, str]], analyzer: GermanAnalyzer) -> Answer:
    """The answer text for the cited hits: one framing line, then per board the quoted items.

    Markers are numbered in reading order (boards in the order of their best passage), and
    `Answer.passages` follows the markers.
    """
    notes = [f"Für {place} gibt es im Protokoll keinen Abschnitt „{section}“." for place, section in missing]
    query_terms = set(analyzer.analyze_query(query.text))
    groups: dict[tuple[str, str], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit.source, hit.passage.board), []).append(hit)
    ordered = [hit for group in groups.values() for hit in group]
    lines = [escape_markdown(note) for note in notes]
    lines.append(framing(query, ordered, answered_as_asked=not missing))
    marker = 0
    for (_, board), group in groups.items():
        first = group[0].passage
        document = first.meta.get("doc_short_title") or first.doc_title
        lines.append("")
        lines.append(f"**{escape_markdown(board)}** – {escape_markdown(document)}")
        for hit in group:
            marker += 1
            passage = hit.passage
            if passage.section and passage.section != board:
                lines.append(f"*{escape_markdown(passage.section)}* [{marker}]")
            # A gathered section is shown whole: the question asked for all of it.
            for item in select_items(passage, query_terms, analyzer, whole=hit.gathered):
                lines.append(f"- {item} [{marker}]")
    return Answer(text="\n".join(lines), passages=ordered, query=query, notes=notes)


def framing(query: Query, hits: list[Hit], answered_as_asked: bool = True) -> str:
    """The one line of the answer's own words: what was found, where."""
    boards = {(hit.source, hit.passage.board) for hit in hits}
    documents = sorted({hit.passage.meta.get("doc_short_title") or hit.passage.doc_title for hit in hits})
    where = "1 Tafel/Abschnitt" if len(boards) == 1 else f"{len(boards)} Tafeln/Abschnitten"
    found = f"{len(hits)} Stelle{'n' if len(hits) != 1 else ''} auf {where} in {', '.join(documents)}"
    if not answered_as_asked:
        return escape_markdown(f"Ähnliche Stellen: {found}.")
    about = ""
    if query.sections:
        names = sorted(query.sections, key=query.sections.get, reverse=True)
        about += " zu " + " / ".join(f"„{name}“" for name in names)
    if query.places:
        about += " für " + ", ".join(place.name for place in query.places)
    return escape_markdown(f"Gefunden{about}: {found}.")


def select_items(passage, query_terms: set[str], analyzer: GermanAnalyzer, whole: bool = False) -> list[str]:
    """The items to quote, lines broken by the transcription joined again: all of a short passage
    (or of one asked for whole); of a long one those sharing the most words with the question."""
    items = list(passage.items)
    chosen = items
    if len(items) > MAX_ITEMS_PER_PASSAGE and not whole:
        overlap = [len(query_terms & set(analyzer.analyze(item.text))) for item in items]
        keep = {0}  # the first item names the row or board (e.g. the challenge of a table row)
        for index in sorted(range(len(items)), key=lambda i: -overlap[i]):
            if len(keep) >= MAX_ITEMS_PER_PASSAGE - 1:
                break
            keep.add(index)
        chosen = [item for index, item in enumerate(items) if index in keep]
    bullets: list[tuple[str, int]] = []  # (text, line of its last part)
    for item in chosen:
        text = _BULLET_PREFIX.sub("", item.text)
        label = f"{item.label}: " if item.label else ""
        previous = bullets[-1] if bullets else None
        if previous and not label and previous[1] == item.line - 1 and _continues(previous[0], item.text):
            joined = previous[0][:-1] + text if _hyphen_break(previous[0], text) else f"{previous[0]} {text}"
            bullets[-1] = (joined, item.line)
        else:
            bullets.append((label + text, item.line))
    quoted = [escape_markdown(text) for text, _ in bullets]
    if len(chosen) < len(items):
        quoted.append(f"… ({len(items) - len(chosen)} weitere Zeilen in der Quelle)")
    return quoted


def _continues(previous: str, line: str) -> bool:
    """Whether a line carries on the one before (a word or phrase wrapped on the photo), not a new item."""
    if not line or line[0] in "-–•*↳→>" or line[:1].isdigit():
        return False
    return line[0].islower() or line[0] in ")]" or previous.endswith(("-", ",", "(", "/", "+"))


def _hyphen_break(previous: str, line: str) -> bool:
    return previous.endswith("-") and len(previous) > 1 and previous[-2].isalpha() and line[:1].islower()

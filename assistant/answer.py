"""Composing the answer: verbatim items from the cited passages, grouped by board, with markers."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .lexical import GermanAnalyzer
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
    """The answer text for the cited hits: one framing line, then per board the quoted items."""
    notes = [f"Für {place} gibt es im Protokoll keinen Abschnitt „{section}“." for place, section in missing]
    query_terms = set(analyzer.analyze_query(query.text))
    lines = [framing(query, hits)]
    lines += [escape_markdown(note) for note in notes]
    groups: dict[tuple[str, str], list[int]] = {}
    for marker, hit in enumerate(hits, start=1):
        groups.setdefault((hit.source, hit.passage.board), []).append(marker)
    for (_, board), markers in groups.items():
        first = hits[markers[0] - 1].passage
        document = first.meta.get("doc_short_title") or first.doc_title
        lines.append("")
        lines.append(f"**{escape_markdown(board)}** – {escape_markdown(document)}")
        for marker in markers:
            passage = hits[marker - 1].passage
            if passage.section and passage.section != board:
                lines.append(f"*{escape_markdown(passage.section)}* [{marker}]")
            for item in select_items(passage, query_terms, analyzer):
                lines.append(f"- {item} [{marker}]")
    return Answer(text="\n".join(lines), passages=hits, query=query, notes=notes)


def framing(query: Query, hits: list[Hit]) -> str:
    """The one line of the answer's own words: what was found, where."""
    boards = {(hit.source, hit.passage.board) for hit in hits}
    documents = sorted({hit.passage.meta.get("doc_short_title") or hit.passage.doc_title for hit in hits})
    asked = []
    if query.sections:
        asked.append(" / ".join(f"„{name}“" for name in sorted(query.sections, key=query.sections.get, reverse=True)))
    if query.places:
        asked.append("in " + ", ".join(place.name for place in query.places))
    about = (" zu " + " ".join(asked)) if asked else ""
    where = "1 Tafel/Abschnitt" if len(boards) == 1 else f"{len(boards)} Tafeln/Abschnitten"
    return escape_markdown(f"Gefunden{about}: {len(hits)} Stelle(n) auf {where} in {', '.join(documents)}.")


def select_items(passage, query_terms: set[str], analyzer: GermanAnalyzer) -> list[str]:
    """The items to quote: all of a short passage; of a long one those sharing the most words with the question."""
    items = list(passage.items)
    chosen = items
    if len(items) > MAX_ITEMS_PER_PASSAGE:
        overlap = [len(query_terms & set(analyzer.analyze(item.text))) for item in items]
        keep = {0}  # the first item names the row or board (e.g. the challenge of a table row)
        for index in sorted(range(len(items)), key=lambda i: -overlap[i]):
            if len(keep) >= MAX_ITEMS_PER_PASSAGE - 1:
                break
            keep.add(index)
        chosen = [item for index, item in enumerate(items) if index in keep]
    quoted = []
    for item in chosen:
        text = _BULLET_PREFIX.sub("", item.text)
        label = f"{item.label}: " if item.label else ""
        quoted.append(escape_markdown(label + text))
    if len(chosen) < len(items):
        quoted.append(f"… ({len(items) - len(chosen)} weitere Zeilen in der Quelle)")
    return quoted

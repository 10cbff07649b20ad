"""A where-answer as a table: each place with what the protocols say there and the markers of its sources, and the
places without a finding marked "nicht erwähnt"; as Markdown for the chat and as CSV for a download."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from assistant import Answer
from assistant.answer import escape_markdown, place_of, titled, topic_titles
from assistant.citation import line_span

MAX_FINDING_CHARS = 160
BULLET = re.compile(r"^[-–•*]\s+")  # a board's bullet is no part of the finding
HEADERS = {
    "de": ("Ort", "Fundstelle", "Quellen", "nicht erwähnt"),
    "en": ("Place", "Finding", "Sources", "not mentioned"),
    "tr": ("Yer", "Bulgu", "Kaynaklar", "bahsedilmiyor"),
}


@dataclass
class PlaceRow:
    place: str
    findings: list[str] = field(default_factory=list)  # the answering lines, verbatim
    markers: list[int] = field(default_factory=list)  # the answer's markers citing them

    @property
    def mentioned(self) -> bool:
        return bool(self.markers)


def headers(answer: Answer) -> tuple[str, str, str, str]:
    language = answer.query.language if answer.query is not None else "de"
    return HEADERS.get(language, HEADERS["de"])


def place_rows(answer: Answer) -> list[PlaceRow]:
    """The rows of a where-answer (places in the order the answer names them, then those without a finding);
    empty for any other answer (also for a list of the places there are: its lead names each already)."""
    if answer.only_similar or answer.mode == "places" or answer.query is None or answer.query.intent != "where":
        return []
    rows: dict[str, PlaceRow] = {}
    for marker, hit in enumerate(answer.passages, start=1):
        place = place_of(hit.passage)  # as the lead names it: a district, workshop, topic ("Thema 2") or board
        row = rows.setdefault(place, PlaceRow(place))
        row.markers.append(marker)
        answering = [item for item in hit.passage.items if item.line in set(hit.highlights)] or hit.passage.items[:1]
        for item in answering:
            text = BULLET.sub("", " ".join(item.text.split()))
            if text and text not in row.findings:
                row.findings.append(text)
    titles = topic_titles(answer.passages)
    for row in rows.values():
        row.place = titled(row.place, titles)  # "Thema 5 („…“)", as the lead names it
    for place in answer.not_mentioned:
        rows.setdefault(place, PlaceRow(place))
    return list(rows.values()) if len(rows) > 1 else []


def finding_text(row: PlaceRow, limit: int = MAX_FINDING_CHARS) -> str:
    text = " / ".join(row.findings)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def lead_apart(answer: Answer) -> str:
    """The answer text with its lead (the first line, which answers directly) as a paragraph of its own, apart from
    the count of findings that follows it."""
    text = answer.text
    if answer.lead and text.startswith(answer.lead + "\n") and not text[len(answer.lead) + 1:].startswith("\n"):
        return answer.lead + "\n\n" + text[len(answer.lead) + 1:]
    return text


def under_the_lead(text: str, table: str) -> str:
    """A where-answer (text with its lead apart) with the places at a glance right under the lead, the quotes
    below; any other answer as it is (table "")."""
    if not table:
        return text
    lead, _, rest = text.partition("\n\n")
    return "\n\n".join(part for part in (lead, table, rest) if part)


def places_markdown(answer: Answer, index: int | None) -> str:
    """The table as Markdown: corpus text escaped, markers as links to their sources (as in the answer text; plain
    markers for a file, index None)."""
    rows = place_rows(answer)
    if not rows:
        return ""
    place, finding, sources, missing = headers(answer)
    out = [f"| {place} | {finding} | {sources} |", "|---|---|---|"]
    for row in rows:
        name = escape_markdown(row.place).replace("|", "\\|")  # a "|" in a board's name would end the cell
        if not row.mentioned:
            # (no source: an empty cell, which a phone's one-line rows leave out, "Heßler: nicht erwähnt")
            out.append(f"| {name} | *{missing}* |  |")
            continue
        markers = ", ".join(f"[\\[{n}\\]](#quelle-{index}-{n})" if index is not None else f"\\[{n}\\]"
                            for n in row.markers)
        cell = escape_markdown(finding_text(row)).replace("|", "\\|")
        out.append(f"| {name} | {cell} | {markers} |")
    return "\n".join(out)


def places_csv(answer: Answer) -> str:
    """The table as CSV (semicolons, as spreadsheet programs in German expect), every finding in full."""
    rows = place_rows(answer)
    place, finding, sources, missing = headers(answer)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow([place, finding, sources])
    for row in rows:
        # Each source named in full: the file is read without the answer beside it.
        writer.writerow([row.place, " / ".join(row.findings) if row.mentioned else missing,
                         "; ".join(f"[{n}] {answer.passages[n - 1].citation}, {line_span(answer.passages[n - 1].lines)}"
                                   for n in row.markers)])
    return buffer.getvalue()

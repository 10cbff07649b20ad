"""Passages: the unit that is embedded, retrieved and cited."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import orjson


class KindName(NamedTuple):
    """A board kind in German words."""

    plural: str  # what the index summary counts, e.g. "Themenkarten"
    place: str = "Ort"  # what a passage's place is on such a board, for a filter choice ("Schalke – Stadtteil")
    unit: str = "Abschnitt"  # what one board of the kind is, for the source view ("Tafel", "Tagesordnungspunkt")
    units: str = "Abschnitte"  # … more than one, as the reader counts them ("3 Tafeln")


# Board kinds written by the parsers, with their German names, in the order the index summary lists them; the
# assistant and app read them.
KIND_NAMES = {
    "title": KindName("Titelseiten", unit="Seite", units="Seiten"),  # title page of a protocol
    "goals": KindName("Zielsetzung", unit="Seite", units="Seiten"),  # Zielsetzung page
    "programme": KindName("Programm", unit="Seite", units="Seiten"),  # Programm page
    # exchange board of one district
    "district": KindName("Austausch-Tafeln (Stadtteile)", place="Stadtteil", unit="Tafel", units="Tafeln"),
    "topic_card": KindName("Themenkarten", unit="Tafel", units="Tafeln"),  # Themensammlung card
    # result board of one topic (seven prompts)
    "topic_result": KindName("Ergebnistafeln der Themen", unit="Tafel", units="Tafeln"),
    # a workshop table's row
    "table_row": KindName("Tabellenzeilen (Herausforderungen)", place="Workshop", unit="Tabellenzeile",
                          units="Tabellenzeilen"),
    "section": KindName("Abschnitte (allgemein)"),  # anything parsed by the generic path
    # a part of an agenda item of minutes (layouts/minutes.py)
    "agenda_item": KindName("Tagesordnungspunkte", unit="Tagesordnungspunkt", units="Tagesordnungspunkte"),
}
BOARD_KINDS = tuple(KIND_NAMES)


def in_kind_order(kinds) -> list[str]:
    """Board kinds in the order of BOARD_KINDS, a kind without names after them (by name)."""
    rank = {kind: number for number, kind in enumerate(BOARD_KINDS)}
    return sorted(set(kinds), key=lambda kind: (rank.get(kind, len(rank)), kind))


def kind_name(kind: str) -> KindName:
    """The German names of a board kind; an unknown kind is named by itself."""
    return KIND_NAMES.get(kind) or KindName(kind)


# slots: a large corpus holds hundreds of thousands of these; a __dict__ each would double their memory.
@dataclass(frozen=True, slots=True)
class Item:
    """One verbatim unit of a passage (a board line, a table cell paragraph) and where it stands."""

    text: str
    line: int  # 1-based line in the document's text
    label: str | None = None  # column name for table cells


@dataclass(slots=True)
class Passage:
    """A board section, table row or text section with everything its citation needs."""

    source: str  # path relative to the corpus folder, with forward slashes
    doc_title: str
    board_kind: str
    board: str  # readable board name, e.g. "Austausch · Schalke · Tafel 2 von 4"
    section: str | None  # prompt or heading, e.g. "Handlungsbedarfe"
    items: list[Item]
    place: str | None = None  # district or workshop
    topic: str | None = None  # topic title of a topic card or result board
    topic_no: int | None = None
    meta: dict = field(default_factory=dict)  # city, date, board number, initiator, page …
    id: str = ""

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError(f"Passage ohne Text in {self.source} ({self.board})")
        if not self.id:
            self.id = passage_id(self.source, self.lines, self.board, self.section)

    @property
    def lines(self) -> tuple[int, int]:
        """First and last source line (1-based, inclusive)."""
        numbers = [item.line for item in self.items]
        return min(numbers), max(numbers)

    @property
    def text(self) -> str:
        return "\n".join(item.text for item in self.items)

    @property
    def short_title(self) -> str:
        """The document's short title (from its manifest), else its title."""
        return self.meta.get("doc_short_title") or self.doc_title

    @property
    def citation(self) -> str:
        """Readable reference: document · board · section, and the page of a PDF ("S. 27")."""
        parts = [self.short_title, self.board]
        if self.section and self.section != self.board:
            parts.append(self.section)
        if self.page_label:
            parts.append(self.page_label)
        return " · ".join(parts)

    @property
    def page_label(self) -> str | None:
        """ "S. 27" or "S. 26–27" for a passage of a PDF, None for other documents."""
        page, end = self.meta.get("page"), self.meta.get("page_end")
        if not isinstance(page, int):
            return None
        return f"S. {page}–{end}" if isinstance(end, int) and end != page else f"S. {page}"

    def context(self) -> str:
        """The context that is embedded and matched together with the text."""
        if self.meta.get("item_label"):
            return self._minutes_context()
        parts = [self.short_title]
        if self.meta.get("city"):
            parts.append(self.meta["city"])
        if self.place:
            parts.append(self.place)
        if self.topic:
            parts.append(f"Thema: {self.topic}")
        if self.meta.get("parent"):
            parts.append(self.meta["parent"])  # the heading above the passage's own (generic Markdown)
        if self.section:
            parts.append(self.section)
        else:
            parts.append(self.board)  # "Zielsetzung", "Programm", "Workshop 2 – Wohnen · Herausforderung 1"
        if self.meta.get("prompt") and self.meta["prompt"] != self.section:
            parts.append(self.meta["prompt"])
        return " | ".join(parts)

    def _minutes_context(self) -> str:
        """Minutes: document (with its date), the agenda item with its number and title (under its parent
        item), the procedural part, the speaker, and that a vote is in the text."""
        meta = self.meta
        parts = [self.short_title]
        if meta.get("city"):
            parts.append(meta["city"])
        if meta.get("parent"):
            parts.append(meta["parent"])
        title = condensed_title(meta.get("item_title") or "")
        parts.append(f"{meta['item_label']}: {title}" if title else meta["item_label"])
        if self.section:
            parts.append(self.section)
        if meta.get("speaker"):
            parts.append(f"Wortmeldung {meta['speaker']}")
        if meta.get("votes") and not re.search(r"abstimm|beschluss|wahl", self.section or "", re.IGNORECASE):
            parts.append("Abstimmung")
        return " | ".join(parts)

    def labelled_text(self) -> str:
        """Items with their column labels, for embedding and display of table rows."""
        return "\n".join(f"{item.label}: {item.text}" if item.label else item.text for item in self.items)

    def to_json(self) -> str:
        data = asdict(self)
        data["items"] = [[item.text, item.line, item.label] for item in self.items]
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> Passage:
        data = orjson.loads(line)  # twice as fast as json: a large index reads hundreds of thousands at start-up
        data["items"] = [Item(text, number, label) for text, number, label in data["items"]]
        return cls(**data)


def condensed_title(title: str, limit: int = 140) -> str:
    """A long agenda item title shortened for the context: its kind and its quoted name ("Antrag gemäss § 52 …
    „Freiwilligenarbeit sichtbarer machen und fördern“") instead of every signatory; a short one as it is."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    quoted = re.search(r"[\"„“«»]([^\"„“”«»]{8,})[\"“”«»]", title)
    head = title.split(" von ")[0] if " von " in title[:100] else " ".join(title.split()[:8])
    if quoted:
        return f"{head} „{quoted.group(1).strip()}“"
    return title[:limit].rsplit(" ", 1)[0] + " …"


def passage_id(source: str, lines: tuple[int, int], board: str, section: str | None) -> str:
    """Stable id from where the passage stands, so re-parsing an unchanged file keeps ids."""
    key = f"{source}\x1f{lines[0]}-{lines[1]}\x1f{board}\x1f{section or ''}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

"""Tab-separated workshop tables: one passage per row, continuation rows merged into their row."""

from __future__ import annotations

import re
from collections import Counter

from ..documents import Document
from ..markup import PARAGRAPH_TAG, clean_line
from ..passage import Item, Passage
from .common import document_meta

KIND = "workshop-tabellen"

GROUP_HEADING = re.compile(r"^(?P<label>.*?\d+)\s*[-–:]\s*(?P<name>.+)$")
MAX_HEADER_CELL = 60


def detect(document: Document) -> bool:
    """A table layout has a tab-separated header row and at least two rows under it."""
    header = header_row(document)
    if header is None:
        return False
    rows = sum(1 for line in document.lines if "\t" in line and line != header)
    return rows >= 2


def header_row(document: Document) -> str | None:
    """The table header: the most repeated tab line whose cells are all short labels (or the first such line)."""
    candidates = Counter(
        line.strip("\r")
        for line in document.lines
        if line.count("\t") >= 1 and is_label_row(cells_of(line))
    )
    if not candidates:
        return None
    return candidates.most_common(1)[0][0]


def is_label_row(cells: list[str]) -> bool:
    texts = [clean_line(cell) for cell in cells]
    return len(texts) >= 2 and all(0 < len(text) <= MAX_HEADER_CELL for text in texts) and not any(
        text.endswith(".") for text in texts
    )


def cells_of(line: str) -> list[str]:
    return line.split("\t")


def cell_paragraphs(cell: str) -> list[str]:
    """The paragraphs of one cell: the pieces between its <p>/</p> tags, or the whole cell; markup removed.

    Splitting at the tags (rather than collecting <p>…</p> pairs) keeps text outside the elements
    and an unclosed last <p>, which a cell cut at a page break can have.
    """
    return [text for text in (clean_line(piece) for piece in PARAGRAPH_TAG.split(cell)) if text]


def parse(document: Document) -> list[Passage]:
    header = header_row(document)
    base = document_meta(document)
    if header is None:
        return []
    columns = [clean_line(cell) for cell in cells_of(header)]
    passages: list[Passage] = []
    before_first_table: list[Item] = []
    seen_header = False
    group: dict | None = None
    row: list[Item] | None = None
    row_count: Counter = Counter()
    pending_heading: list[int] = []

    def close_row() -> None:
        nonlocal row
        if row:
            key = group["label"] if group else ""
            row_count[key] += 1
            if group and row_count[key] == 1 and group.get("line"):
                # The group's heading line ("Workshop 2 - Wohnen") heads its first row: it is what a question for
                # the workshops finds, and it would otherwise be in no passage.
                row = [Item(group["heading"], group["line"]), *row]
            passages.append(row_passage(document, base, group, row_count[key], row))
        row = None

    for number, line in enumerate(document.lines, start=1):
        if line == header:
            # A repeated header starts a new page; a heading just before it names the group.
            seen_header = True
            if pending_heading:
                close_row()
                group = group_of(clean_line(document.line(pending_heading[-1])), pending_heading[-1])
                pending_heading = []
            continue
        if "\t" not in line:
            text = clean_line(line)
            if text:
                if not seen_header:
                    before_first_table.append(Item(text, number))
                pending_heading.append(number)
            continue
        # Text lines with table rows after them were a note, not the heading of the next page's group.
        pending_heading = []
        cells = cells_of(line)
        first = clean_line(cells[0])
        if first or row is None:
            close_row()
            row = []
        for column, cell in enumerate(cells):
            label = columns[column] if column < len(columns) else f"Spalte {column + 1}"
            row.extend(Item(text, number, label) for text in cell_paragraphs(cell))
        if not row:
            row = None
    close_row()

    # Lines before the first table are the title page, but for the last one: the first group's heading.
    intro = before_first_table[:-1] if group and before_first_table else before_first_table
    if intro:
        passages.insert(0, Passage(document.source, document.meta.title, "title", "Titelseite", None, intro, meta=base))
    return passages


def group_of(text: str, line: int | None = None) -> dict:
    """ "Workshop 2 - Wohnen" → label "Workshop 2", name "Wohnen" (line: where the heading stands)."""
    match = GROUP_HEADING.match(text)
    if match:
        return {"label": match.group("label").strip(), "name": match.group("name").strip(), "heading": text,
                "line": line}
    return {"label": text, "name": text, "heading": text, "line": line}


def row_passage(document: Document, base: dict, group: dict | None, number: int, items: list[Item]) -> Passage:
    first_column = next((item.label for item in items if item.label), None) or "Zeile"
    if group:
        board = f"{group['label']} – {group['name']} · {first_column} {number}"
    else:
        board = f"{first_column} {number}"
    meta = dict(base)
    meta.update(row_no=number, group=group["heading"] if group else None)
    return Passage(
        source=document.source,
        doc_title=document.meta.title,
        board_kind="table_row",
        board=board,
        section=None,
        items=items,
        place=group["name"] if group else None,
        meta=meta,
    )


def describe(document: Document) -> str:
    """Why the document was read as workshop tables, in one short German phrase."""
    header = header_row(document)
    if header is None:
        return "keine Tabelle"
    rows = sum(1 for line in document.lines if "\t" in line and line != header)
    return f"Tabellenkopf mit {len(cells_of(header))} Spalten, {rows} Tabellenzeilen"

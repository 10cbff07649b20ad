"""What a document says about itself: title, date, number, place; from its front matter, its PDF metadata, its
first heading and its first lines. A manifest (<file>.meta.json) still wins for every field it states."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

MONTHS = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3, "mrz": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "dezember": 12, "dez": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_PATTERNS = (
    re.compile(rf"\b(?P<day>\d{{1,2}})\.\s*(?P<month>{_MONTH})\.?\s+(?P<year>\d{{4}})\b", re.IGNORECASE),
    re.compile(r"\b(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})\b"),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
)
# Lines whose date is the meeting's: "Protokoll Nr. 61 vom 16. August 2023", "am 22. Februar 2025".
DATE_CUE = re.compile(r"\b(vom|am|den|datum|sitzung|versammlung|protokoll|niederschrift)\b", re.IGNORECASE)
NUMBER = re.compile(r"\b(?:Protokoll|Sitzung|Niederschrift|Sitzungsprotokoll)\s+Nr\.?\s*(\d{1,4})\b"
                    r"|\b(\d{1,4})\.\s+(?:(?:ordentliche|öffentliche|außerordentliche)\s+)?Sitzung\b", re.IGNORECASE)
# "Gütersloh, 22. Februar 2025": the place and day of the signature.
_PLACE = r"(?P<place>[A-ZÄÖÜ][\w.\-]+(?:[ -](?:am|an der|im|in der|bei|ob der)[ -][\w.\- ]+)?)"
FRONT_MATTER_KEYS = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
# Front matter fields that say when and where the meeting was, which the text itself may not: their lines stay
# text to index, and the generic layout keeps them with the facts that open the text (participants, moderation),
# as one head passage. The rest is blanked: the title and date are the document's own (describe); indexed, a
# description sums up the text that follows and outranks the sections that say more (measured on the Markdown
# minutes of docs/benchmarks.md); layout, image and tags are furniture.
FRONT_MATTER_TEXT = frozenset({"location", "place", "venue", "ort", "adresse", "address",
                               "event", "time", "zeit", "uhrzeit", "beginn"})
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
FIRST_LINES = 40  # where the meeting's date and number are looked for
TITLE_MAX_CHARS = 160
TITLE_LINE_MAX = 90
# PDF metadata titles that name no document: producers' defaults and file names.
_PLACEHOLDER_TITLE = re.compile(
    r"^(microsoft (word|powerpoint) - |untitled|unbenannt|ohne titel|dokument\s*\d*$|document\s*\d*$|"
    r"präsentation\s*\d*$|titel$|title$)|\.(docx?|odt|pdf|rtf|pptx?|indd|tmp|txt)$",
    re.IGNORECASE,
)


@dataclass
class Described:
    """What the document states; origin says where each field came from, in German words."""

    title: str | None = None
    date: str | None = None  # ISO, "2023-08-16"
    city: str | None = None
    number: int | None = None
    origin: dict[str, str] = field(default_factory=dict)


def iso_date(match: re.Match) -> str | None:
    """The ISO date of a DATE_PATTERNS match, None for an impossible one (31.02.)."""
    month = match.group("month")
    month_number = MONTHS.get(month.casefold().rstrip(".")) if not month.isdigit() else int(month)
    year = int(match.group("year"))
    if year < 100:
        year += 2000
    try:
        return date(year, month_number, int(match.group("day"))).isoformat()
    except (TypeError, ValueError):
        return None


def dates_in(text: str) -> list[tuple[int, str]]:
    """(position, ISO date) of every date written in the text."""
    found = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            value = iso_date(match)
            if value:
                found.append((match.start(), value))
    return sorted(found)


def german_date(value: str | None) -> str | None:
    """ "2023-08-16" → "16.08.2023"."""
    try:
        return date.fromisoformat(value).strftime("%d.%m.%Y") if value else None
    except ValueError:
        return None


def split_front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """The fields of a Markdown front matter (--- key: value ---) and how many lines it takes; ({}, 0) without."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:60], start=2):
        if line.strip() in ("---", "..."):
            return (fields, number) if fields else ({}, 0)
        match = FRONT_MATTER_KEYS.match(line)
        if match:
            fields[match.group(1).casefold()] = match.group(2).strip().strip("\"'").strip()
        elif line.strip() and not line.startswith((" ", "\t", "-")):
            return {}, 0  # not key: value; a rule above text, not front matter
    return {}, 0


def front_matter_blanked(lines: list[str], length: int) -> list[str]:
    """The lines with the front matter's first `length` lines blanked, except its text fields (FRONT_MATTER_TEXT),
    which keep their place so that line numbers stay the file's."""
    def is_text(line: str) -> bool:
        match = FRONT_MATTER_KEYS.match(line)
        return bool(match and match.group(1).casefold() in FRONT_MATTER_TEXT and match.group(2).strip())

    return [line if number >= length or is_text(line) else "" for number, line in enumerate(lines)]


def sensible_pdf_title(title: object, stem: str) -> str | None:
    """The PDF's own title when it names the document (not "Microsoft Word - x.docx", not the file name)."""
    if not isinstance(title, str):
        return None
    title = " ".join(title.split())
    if not (4 <= len(title) <= TITLE_MAX_CHARS) or sum(char.isalpha() for char in title) < 4:
        return None
    if _PLACEHOLDER_TITLE.search(title) or _folded(title) == _folded(stem):
        return None
    return title


def _folded(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def describe(lines: list[str], *, suffix: str, stem: str, front: dict[str, str] | None = None,
             pdf_title: object = None, letterhead: list[str] | None = None,
             furniture: list[str] | None = None) -> Described:
    """Title, date, number and place as the document states them (None where it does not)."""
    found = Described()
    front = front or {}
    if front.get("title"):
        found.title, found.origin["title"] = front["title"], "Front Matter"
    elif title := sensible_pdf_title(pdf_title, stem):
        found.title, found.origin["title"] = title, "PDF-Metadaten"
    elif letterhead and (title := _joined_title(letterhead)):
        found.title, found.origin["title"] = title, "Briefkopf"
    elif title := first_heading(lines, suffix):
        found.title, found.origin["title"] = title, "erste Überschrift"

    for key in ("date", "datum", "event", "event_date"):
        if front.get(key) and (values := dates_in(front[key])):
            found.date, found.origin["date"] = values[0][1], "Front Matter"
            break
    head = [line for line in lines if line.strip()][:FIRST_LINES]
    if found.date is None:
        found.date = _meeting_date([*(letterhead or []), *head, *(furniture or [])])
        if found.date:
            found.origin["date"] = "Kopf des Dokuments"
    for text in [*(letterhead or []), *head, *(furniture or [])]:
        if match := NUMBER.search(text):
            found.number = int(match.group(1) or match.group(2))
            break
    for key in ("city", "stadt", "gemeinde", "ort"):
        if front.get(key):
            found.city, found.origin["city"] = front[key], "Front Matter"
            break
    else:
        found.city = _signature_place(lines)
        if found.city:
            found.origin["city"] = "Ort und Datum der Unterschrift"
    return found


def short_title(title: str, iso: str | None) -> str:
    """The title with the meeting's date ("Grossratsprotokoll vom 16.08.2023"), unless it names that day."""
    german = german_date(iso)
    if not german or any(value == iso for _, value in dates_in(title)):
        return title
    return f"{title} vom {german}"


def _meeting_date(lines: list[str]) -> str | None:
    """The first date in a line that says whose date it is ("vom", "am", "Sitzung"), else the first date."""
    first = None
    for line in lines:
        found = dates_in(line)
        if not found:
            continue
        if DATE_CUE.search(line):
            return found[0][1]
        first = first or found[0][1]
    return first


def _signature_place(lines: list[str]) -> str | None:
    """The place of a line "Gütersloh, 22. Februar 2025" (place and date alone on a line), if there is one."""
    for line in lines:
        text = " ".join(line.split())
        match = re.match(rf"^{_PLACE},\s*(?:den\s+)?(?P<rest>.+)$", text)
        if match and len(text) <= 60:
            rest = match.group("rest")
            found = dates_in(rest)
            if found and found[0][0] == 0:
                return match.group("place")
    return None


def first_heading(lines: list[str], suffix: str) -> str | None:
    """The first Markdown heading; in a text without one, the first short lines before a blank line."""
    filled = [(number, line.strip()) for number, line in enumerate(lines) if line.strip()][:FIRST_LINES]
    for _, line in filled:
        match = HEADING.match(line)
        if match and (text := match.group(1).strip("*_ ").strip()):
            return text
    if not filled:
        return None
    block = []
    previous = None
    for number, line in filled:
        if previous is not None and number != previous + 1:
            break  # a blank line ends the title block
        block.append(line)
        previous = number
        if len(block) == 3:
            break
    return _joined_title(block)


def _joined_title(block: list[str]) -> str | None:
    """Short lines joined as one title; None when the first line is prose, a list item or a date."""
    parts: list[str] = []
    for line in block:
        text = " ".join(line.split()).strip("*_# ")
        if (
            not text
            or len(text) > TITLE_LINE_MAX
            or text.endswith((".", ":", ";", ",")) and not text.endswith(("e.V.", "e. V."))
            or re.match(r"^([-*•▪◦+]|\d{1,2}[.)]\s)", text)
            or (dates_in(text) and len(text) <= 25)  # a date line, not a title
            or sum(char.isalpha() for char in text) < 3
        ):
            break
        # A title goes on over a line break after a small word ("Protokoll der ordentlichen" / "Mitglieder…")
        # or into a lower-case word; a capitalised line after a complete one is the text's start.
        if parts and not (parts[-1].split()[-1][:1].islower() or text[:1].islower()):
            break
        parts.append(text)
    title = " ".join(parts)
    return title if title and len(title) <= TITLE_MAX_CHARS else None

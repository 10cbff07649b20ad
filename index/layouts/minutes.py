"""Minutes of meetings (Protokoll, Niederschrift, Sitzungsprotokoll, Mitgliederversammlung): numbered agenda items
with their procedural parts, speakers' turns and votes.

Recognised by structure, not by name: agenda item headings ("6. Antrag gemäss § 52 …", "7.2 Wahl des Vorstands",
"TOP 3", "Traktandum 4", "## 2. Haushalt") that follow one another in order ("3" → "3.1" → "3.2" → "4") with
text under them. The agenda list at the top numbers the same items without text between them, and a date at a
line start ("1. August-Feier") is no heading: the chain of headings with the most text under them is taken.

Each agenda item is a board ("Traktandum 6", "TOP 3.1"); its procedural parts ("Eintreten", "Diskussion",
"Beschlussfassung", "Wahl" …) and, in text without blank lines, short headings over their own lines, are its
sections. A speaker's turn ("Hasler, FDP: …") is a passage of its own (long ones are split later, each part with
the speaker in its context); other paragraphs are gathered up to a passage's size, a vote tally never apart from
the line it follows. Passages with a vote or a decision are marked (meta "votes", "decision").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..documents import Document
from ..markup import clean_line
from ..passage import Item, Passage
from ..titles import MONTHS, dates_in
from .common import document_meta, wrapped
from .generic import _heading_like

KIND = "sitzungsprotokoll"
NAME = "Sitzungsprotokoll"

# Non-speaker paragraphs are gathered into one passage up to this size (split_long cuts at MAX_CHARS later).
HEAD_BOARD = "Protokollkopf"  # the board of what stands before the first agenda item (date, place, attendance)
GATHER_CHARS = 800
MIN_ITEMS = 3  # agenda item headings a document needs to be read as minutes
MIN_FILLED = 3  # … with text under them
SUBSTANCE_CHARS = 60  # text between two headings that makes the first one an item with content (in the chain)
FILLED_CHARS = 20  # text under a heading that counts it as an item with text (one sentence: "Genehmigt.")
LOW = 0.15  # what a heading without text under it counts in the chain (an agenda list entry)
TITLE_MAX_LINES = 5
# A sentence of some words ("Die Vorsitzende dankt allen, die mitgeholfen haben."): text under a heading, not a
# line its title runs on to.
_SENTENCE = re.compile(r"^[A-ZÄÖÜ]\S*(?:\s+\S+){5,}[.!?]$")
TITLE_MAX_CHARS = 400
LONG_LINE = 0.72  # of the text's width: a heading line this long may go on on the next line
DENSE_LONG_LINE = 0.9  # … in text without blank lines, where the next line may as well be the item's first

_WORD_ITEM = re.compile(
    r"^(?P<word>TOP|Top|Tagesordnungspunkt|Traktandum|Trakt\.)\s*(?:Nr\.?\s*)?"
    r"(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?(?=\s|$|[:.)\-–—])\s*[:.)\-–—]?\s*(?P<title>.*)$"
)
_NUM_ITEM = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})(?P<mark>[.)]?)\s+(?P<title>\S.*)$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?$")
_TOC = re.compile(r"(\bSeite\s+(\d+|-+)\s*$|\.{4,}\s*\d+\s*$)")
_TIME = re.compile(r"^\d{1,2}[:.]\d{2}\s*(Uhr\b|h\b)")
_BULLET = re.compile(r"^(?:[-*+•▪◦‣–—·>]|\(?\d{1,3}\)|\(?[a-z]\))\s")
_SUB_BULLET = re.compile(r"^[◦‣▫]\s|^\s{2,}[-*+•]\s")
# Words a heading may have in lower case; any other (a verb: "übernimmt") makes a line a sentence.
_SMALL_WORDS = set(
    "der die das des dem den ein eine einer eines einem und oder sowie von vom zu zur zum für im in am an auf aus "
    "bei mit nach über unter vor als wie bis gegen ohne um durch zwischen e.v. e.v".split()
)
_SENTENCE_END = re.compile(r"[.!?:…][\"'“”»«)]*$")

# Procedural parts of an agenda item, as a line of their own (a parenthesis may follow, over two lines).
SUBPART = re.compile(
    r"^(?P<name>Eintreten(?:sdebatte)?|Detailberatung|Diskussion|Beratung|Aussprache|Beschlussfassung|"
    r"Beschluss(?:vorschlag|empfehlung)?|Beschlüsse|Abstimmung(?:en)?|Schlussabstimmung|Wahl(?:en|gang)?|"
    r"Redaktionslesung|Beantwortung|Antrag|Anträge|Sachverhalt|Sachstand|Bericht|Ergebnis|Vorlage|"
    r"Erläuterung(?:en)?|Stellungnahme|Begründung|Anfrage(?:n)?|Mitteilung(?:en)?|Kenntnisnahme|Vortrag|"
    r"Zusammenfassung|Fragen|Rückfragen|Verschiedenes|Tagesordnung|Traktandenliste|Agenda|Anwesenheit|"
    r"Anwesend|Entschuldigt)\s*:?\s*(?P<rest>\(.*)?$"
)
_ROLE = (r"(?:[A-ZÄÖÜ][\wäöüß]*(?:präsident|präsidentin|rat|rätin|meister|meisterin|vorsitzende|vorsitzender|"
         r"sprecher|sprecherin|direktor|direktorin|sekretär|sekretärin|leiter|leiterin|führer|führerin)|"
         r"Präsident|Präsidentin|Vorsitzende|Vorsitzender|Bürgermeister|Bürgermeisterin|Herr|Frau|Dr\.|Prof\.|"
         r"Abg\.|Ratsherr|Ratsfrau|Stadtverordneter|Stadtverordnete)")
_NAME = r"[A-ZÄÖÜ][\wäöüß'’\-.]+"
SPEAKER = re.compile(
    rf"^(?P<who>(?:(?P<role>{_ROLE})(?:\s+(?:von\s+|van\s+|de\s+)?{_NAME}){{0,3}}"
    rf"|{_NAME}(?:\s+(?:von\s+|van\s+|de\s+)?{_NAME}){{0,3}})"
    r"(?P<party>,\s*[^:,\n]{1,30}|\s+\([^()\n]{1,30}\))?)\s*:\s+(?=\S)"
)
# Vote tallies and decisions.
TALLY = re.compile(
    r"\bmit\s+\d+\s*:\s*\d+\s+Stimmen(?:\s+bei\s+\d+\s+Enthaltung(?:en)?)?"
    r"|^\W*\d+\s+(?:Ja-|Nein-)?Stimmen?\s*(?::|für|dafür|dagegen)[^\n]{0,60}"
    r"|\b\d+\s+(?:Ja|Nein|Gegen)-?Stimmen?\b"
    r"|\b(?:Ja|Nein|Enthaltung(?:en)?|dafür|dagegen)\s*[:=]\s*\d+\b"
    r"|\b\d+\s+Enthaltung(?:en)?\b"
    r"|\b(?:einstimmig|einhellig|mehrheitlich|ohne Gegenstimmen?)\b",
    re.IGNORECASE | re.MULTILINE,
)
DECISION = re.compile(
    r"\b(?:wird|werden|wurde|wurden|ist|sind)\b[^.]{0,80}?\b(?:angenommen|abgelehnt|genehmigt|beschlossen|"
    r"gewählt|entlastet|erheblich erklärt|zugestimmt|verabschiedet|bestätigt|vertagt)\b"
    r"|\bbeschlie(?:ss|ß)t\b|\bBeschluss\s*:|\bstimmt\b[^.]{0,60}\bzu\b|\bnahmen? die Wahl an\b",
    re.IGNORECASE,
)


@dataclass
class Heading:
    """An agenda item heading: its number, title and the lines the title takes."""

    line: int  # first line (1-based)
    number: tuple[int, ...]
    title: str
    lines: list[int]  # all lines of the heading
    word: str | None = None  # "TOP", "Traktandum" when written
    markdown: bool = False
    toc: bool = False  # an agenda (table of contents) entry: "… Seite 13"

    @property
    def end(self) -> int:
        return self.lines[-1]

    @property
    def label_number(self) -> str:
        return ".".join(str(n) for n in self.number)


@dataclass
class Paragraph:
    lines: list[int]
    speaker: str | None = None
    attach: bool = False  # a tally or sub-bullet that stays with what comes before it


@dataclass
class Section:
    name: str | None
    lines: list[int] = field(default_factory=list)  # the section heading's lines (part of the passage text)
    body: list[int] = field(default_factory=list)


class _Text:
    """The document's cleaned lines with what the parsing asks of them."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.texts = [clean_line(line) for line in document.lines]
        filled = sorted(len(text) for text in self.texts if text)
        self.width = filled[int(len(filled) * 0.9)] if filled else 0
        self.pages = document.pages
        blank_inside = sum(
            1 for n in range(2, len(self.texts))
            if not self.texts[n - 1] and self.texts[n - 2] and self.texts[n] and self.page(n) == self.page(n + 1)
        )
        # Text without blank lines between its paragraphs (many PDFs): short lines over their text are headings.
        self.dense = blank_inside < 0.03 * max(1, len(filled))

    def text(self, number: int) -> str:
        return self.texts[number - 1] if 1 <= number <= len(self.texts) else ""

    def page(self, number: int) -> int | None:
        return self.pages[number - 1] if self.pages and 1 <= number <= len(self.pages) else None

    def __len__(self) -> int:
        return len(self.texts)


def candidate(text: str) -> tuple[tuple[int, ...], str, str | None, bool] | None:
    """(number, title, word, markdown) when the line reads like an agenda item heading."""
    markdown = False
    match = _MD_HEADING.match(text)
    if match:
        markdown = True
        text = match.group(2).strip("*_ ").strip()
    text = text.strip("*_ ").strip() if text.startswith("**") else text
    word_match = _WORD_ITEM.match(text)
    if word_match:
        number = tuple(int(part) for part in word_match.group("num").split("."))
        return number, word_match.group("title").strip(" :–-"), word_match.group("word"), markdown
    match = _NUM_ITEM.match(text)
    if not match:
        return None
    number_text, title = match.group("num"), match.group("title").strip()
    if not (match.group("mark") or "." in number_text or markdown):
        return None  # "6 Personen" is no heading; "6.", "6)", "6.2" and "## 6" are
    number = tuple(int(part) for part in number_text.split("."))
    if any(part > 40 for part in number[1:]) or number[0] == 0 and len(number) == 1 and not markdown:
        return None
    first = title.split()[0].strip(".,:;-").split("-")[0].casefold()
    if first in MONTHS or first in ("uhr", "h") or not (title[0].isupper() or title[0] in "\"„“«»'§("):
        return None  # "1. August-Feier", "29. Juni 2022", "11.40 Uhr", "3. bis 5."
    return number, title, None, markdown


def detect(document: Document) -> bool:
    """Minutes have at least three agenda item headings in order, most of them with text under them."""
    return analyse(document) is not None


def describe(document: Document) -> str:
    """Why the document was read as minutes, in one short German phrase."""
    found = analyse(document)
    if found is None:
        return "keine nummerierten Tagesordnungspunkte"
    headings, label = found
    top = sorted({heading.number[0] for heading in headings})
    subs = sum(1 for heading in headings if len(heading.number) > 1)
    text = f"{len(top)} nummerierte Tagesordnungspunkte ({label} {top[0]}–{top[-1]}"
    text += f", {subs} Unterpunkte)" if subs else ")"
    return text


def analyse(document: Document) -> tuple[list[Heading], str] | None:
    """The agenda item headings of the document and the word to label them with, or None for no minutes."""
    text = _Text(document)
    headings = _chain(text)
    if len(headings) < MIN_ITEMS or len({heading.number[0] for heading in headings}) < 2:
        return None
    filled = sum(1 for index, heading in enumerate(headings) if _substance(text, heading, _next_line(
        headings, index, len(text)), FILLED_CHARS))
    # Headings written as "TOP 3", "Traktandum 4" or "## 2." say what they are: two with text are enough.
    marked = sum(1 for heading in headings if heading.word or heading.markdown) * 2 > len(headings)
    if filled < (2 if marked else MIN_FILLED):
        return None
    return headings, _label_word(text, headings)


def _next_line(headings: list[Heading], index: int, length: int) -> int:
    return headings[index + 1].line if index + 1 < len(headings) else length + 1


def _label_word(text: _Text, headings: list[Heading]) -> str:
    """ "Traktandum" where the document speaks of Traktanden, else "TOP"."""
    words = [heading.word for heading in headings if heading.word]
    if words:
        word = max(set(words), key=words.count)
        return "Traktandum" if word.startswith("Trakt") else "TOP"
    sample = " ".join(text.texts[:400])
    return "Traktandum" if re.search(r"\bTraktand", sample) else "TOP"


def _candidates(text: _Text) -> list[Heading]:
    found = []
    # Where the author marks headings with "#", a numbered line without is a list item ("1. Kino").
    marked = any(_MD_HEADING.match(line) for line in text.texts)
    for number in range(1, len(text) + 1):
        line = text.text(number)
        if not line:
            continue
        parsed = candidate(line)
        if parsed is None:
            continue
        numbers, title, word, markdown = parsed
        if marked and not (markdown or word):
            continue
        lines = [number] if markdown else _title_lines(text, number)
        full = " ".join([title, *(text.text(n) for n in lines[1:])]).strip()
        found.append(Heading(number, numbers, full, lines, word, markdown, bool(_TOC.search(full))))
    return found


def _structural(text: _Text, number: int) -> bool:
    line = text.text(number)
    return bool(
        candidate(line) or _BULLET.match(line) or SUBPART.match(line) or SPEAKER.match(line)
        or _MD_HEADING.match(line) or TALLY.search(line) and len(line) < 60
    )


def _title_lines(text: _Text, number: int) -> list[int]:
    """The lines of a heading: its own and those its title runs on to (a title wrapped over lines)."""
    lines = [number]
    # A heading followed by a few lines and a blank line (not a page break): all of them are its title.
    block = []
    following = number + 1
    while following <= len(text) and text.text(following) and len(block) < TITLE_MAX_LINES:
        block.append(following)
        following += 1
    closed = (
        following <= len(text) and not text.text(following) and len(block) < TITLE_MAX_LINES
        and text.page(following) == text.page(number) and not text.dense
    )
    for following in block:
        line = text.text(following)
        previous = text.text(lines[-1])
        # "… der letzten Sitzung und der" / "Tagesordnung": a title cut after a small word goes on, whatever
        # the next line looks like
        cut = (previous.endswith((",", "-", "–", "(", " von", " und", " der", " des", " vom", " zur", " zum"))
               or _unbalanced(" ".join(text.text(n) for n in lines)))
        if candidate(line) or not cut and (_structural(text, following) or SPEAKER.match(line)
                                           or _SENTENCE.match(line)):
            break
        open_title = (
            cut or len(previous) >= (DENSE_LONG_LINE if text.dense else LONG_LINE) * text.width
            or line[:1] in "(\"„“" or line[:1].islower()
        )
        if not (closed or open_title):
            break
        lines.append(following)
        if sum(len(text.text(n)) for n in lines) > TITLE_MAX_CHARS:
            return [number]
    return lines


def _unbalanced(text: str) -> bool:
    return text.count("(") > text.count(")") or text.count('"') % 2 == 1 or text.count("„") > text.count("“")


def _filled_near(text: _Text, number: int, step: int) -> int | None:
    """The nearest non-empty line before (step -1) or after (step 1) a line, None at the text's edge."""
    number += step
    while 1 <= number <= len(text):
        if text.text(number):
            return number
        number += step
    return None


def _substance(text: _Text, heading: Heading, until: int, enough: int = SUBSTANCE_CHARS) -> bool:
    """Whether text stands under a heading before the next one; other numbered lines (a list) do not count."""
    chars = sum(len(line) for n in range(heading.end + 1, until) if (line := text.text(n)) and not candidate(line))
    return chars >= enough


def _successor(before: tuple[int, ...], after: tuple[int, ...]) -> float | None:
    """How well `after` follows `before` as the next heading (1 in order, less for a skipped number)."""
    if after == (*before, 1):
        return 1.0
    for depth in range(len(before)):
        if after[:depth] == before[:depth] and len(after) == depth + 1:
            step = after[depth] - before[depth]
            if step == 1:
                return 1.0
            if step == 2:
                return 0.5
    return None


def _quality(heading: Heading, text: _Text, neighbours: dict[int, tuple[int, ...]]) -> float:
    """What a heading counts in the chain: a written TOP/Traktandum or a Markdown heading more, an entry of a
    list (the agenda at the top: next to other numbered lines that are not its parts) or of a table of
    contents ("… Seite 13") little."""
    value = 1.0
    if heading.word or heading.markdown:
        value += 0.5
    before = _filled_near(text, heading.line, -1)
    after = _filled_near(text, heading.end, 1)
    listed = (
        after in neighbours and neighbours[after][: len(heading.number)] != heading.number
        or before in neighbours and heading.number[: len(neighbours[before])] != neighbours[before]
    )
    if heading.toc or listed and not heading.markdown:
        value = 0.1
    if not text.text(heading.line - 1) or (text.page(heading.line - 1) != text.page(heading.line)):
        value += 0.2
    return value


def _chain(text: _Text) -> list[Heading]:
    """The order of headings with the most text under them (dynamic programming over the candidates)."""
    found = _candidates(text)
    if not found:
        return []
    count = len(found)
    end = len(text) + 1
    neighbours = {heading.line: heading.number for heading in found}
    quality = [_quality(heading, text, neighbours) for heading in found]

    def value(i: int, until: int, child: bool) -> float:
        # (a heading that says what it is, "TOP 5" or "## 5.", counts in full over a short item: "Keine Wortmeldungen")
        marked = found[i].word or found[i].markdown
        return quality[i] * (1.0 if child or marked or _substance(text, found[i], until) else LOW)

    best = [0.0] * count
    back: list[int | None] = [None] * count
    for j, heading in enumerate(found):
        start = -0.6 * max(0, heading.number[0] - 1) - 0.3 * (len(heading.number) - 1)
        best[j], back[j] = start, None
        for i in range(j):
            if found[i].end >= heading.line:
                continue
            step = _successor(found[i].number, heading.number)
            if step is None:
                continue
            child = heading.number == (*found[i].number, 1)
            score = best[i] + step * value(i, heading.line, child)
            if score > best[j]:
                best[j], back[j] = score, i
    finals = [best[j] + value(j, end, False) for j in range(count)]
    last = max(range(count), key=lambda j: finals[j])
    chain = []
    at: int | None = last
    while at is not None:
        chain.append(found[at])
        at = back[at]
    return chain[::-1]


def parse(document: Document) -> list[Passage]:
    found = analyse(document)
    if found is None:
        return []
    headings, word = found
    text = _Text(document)
    base = document_meta(document)
    titles: dict[tuple[int, ...], str] = {}
    passages: list[Passage] = []
    first = headings[0].line if headings else len(text) + 1
    # Agenda entries of items the minutes do not treat ("9. Interpellation …" when the meeting ended after 8):
    # their entry is all there is about them, so it is a passage of its own under the item's number.
    treated = {heading.number[0] for heading in headings}
    untreated = [entry for entry in _candidates(text)
                 if entry.line < first and len(entry.number) == 1 and entry.number[0] not in treated]
    untreated = list({entry.number: entry for entry in reversed(untreated)}.values())[::-1]  # first entry each
    skipped = {n for entry in untreated for n in entry.lines}
    head_lines = [n for n in range(1, first) if n not in skipped]
    if any(text.text(n) for n in head_lines):
        passages += _item_passages(text, document, base, HEAD_BOARD, None, [], head_lines, {})
    for entry in untreated:
        label = f"{word} {entry.label_number}"
        meta = {"item": entry.label_number, "item_label": label, "item_title": _TOC.sub("", entry.title).strip(),
                "heading_line": entry.line}
        passage = _passage(text, document, base, label, "Tagesordnung", entry.lines, meta, None, [])
        if passage:
            passages.append(passage)
    for index, heading in enumerate(headings):
        until = _next_line(headings, index, len(text))
        titles[heading.number] = heading.title
        label = f"{word} {heading.label_number}"
        parents = [f"{word} {'.'.join(map(str, heading.number[:depth]))}: {titles[heading.number[:depth]]}"
                   for depth in range(1, len(heading.number)) if heading.number[:depth] in titles]
        item = {
            "item": heading.label_number,
            "item_label": label,
            "item_title": heading.title,
            "heading_line": heading.line,
        }
        if parents:
            item["parent"] = " › ".join(parents)
        body = list(range(heading.end + 1, until))
        following = headings[index + 1] if index + 1 < len(headings) else None
        if following and following.number[:-1] == heading.number and not any(text.text(n) for n in body):
            continue  # "6. Entlastungen" right above "6.1": the title is in its parts' context, no passage alone
        passages += _item_passages(text, document, base, label, heading, heading.lines, body, item)
    return sorted(passages, key=lambda passage: passage.lines)


def _item_passages(text: _Text, document: Document, base: dict, board: str, heading: Heading | None,
                   heading_lines: list[int], body: list[int], item: dict) -> list[Passage]:
    sections = _sections(text, body)
    if heading_lines:
        sections[0].lines = heading_lines + sections[0].lines
    passages = []
    for section in sections:
        for group in _groups(text, section):
            lines = [n for n in (section.lines if group is None else []) if text.text(n)]
            numbers = lines + [n for paragraph in group or [] for n in paragraph.lines]
            speaker = next((p.speaker for p in group or [] if p.speaker), None)
            passage = _passage(text, document, base, board, section.name, sorted(set(numbers)), item, speaker,
                               heading_lines if heading is not None else [])
            if passage:
                passages.append(passage)
    return passages


def _passage(text: _Text, document: Document, base: dict, board: str, section: str | None, numbers: list[int],
             item: dict, speaker: str | None, heading_lines: list[int]) -> Passage | None:
    items = []
    for number in numbers:
        line = text.text(number)
        if not line:
            continue
        match = _MD_HEADING.match(line)
        if match:
            line = match.group(2).strip("*_ ").strip() or line
        items.append(Item(line, number))
    if not items:
        return None
    meta = dict(base)
    meta.update(item)
    pages = sorted({text.page(item_.line) for item_ in items if text.page(item_.line) is not None})
    if pages:
        meta["page"] = pages[0]
        if pages[-1] != pages[0]:
            meta["page_end"] = pages[-1]
    if speaker:
        meta["speaker"] = speaker
    if text.pages is not None and wrapped(items):
        meta["wrapped"] = True  # a PDF's lines: pieces of paragraphs, not units of their own
    joined = "\n".join(item_.text for item_ in items)
    votes = [" ".join(match.group(0).split()).lstrip("-*+•▪◦‣–—· ") for match in TALLY.finditer(joined)]
    if speaker:
        # A speech tells of votes and decisions ("bittet einstimmig", "wurde gewählt"); only a count is one.
        votes = [vote for vote in votes if any(char.isdigit() for char in vote)]
    if votes:
        meta["votes"] = votes
    procedural = bool(section and re.match(r"(Beschl|Abstimm|Wahl|Schlussabst|Entlastung)", section))
    if votes and procedural or not speaker and (DECISION.search(joined) or any(
            char.isdigit() for vote in votes for char in vote)):
        meta["decision"] = True
    return Passage(
        source=document.source,
        doc_title=document.meta.title,
        board_kind="agenda_item",
        board=board,
        section=section,
        items=items,
        meta=meta,
    )


def _sections(text: _Text, body: list[int]) -> list[Section]:
    """The item's procedural parts (and short headings in dense text), each with its lines."""
    sections = [Section(None)]
    skip: set[int] = set()
    for position, number in enumerate(body):
        if number in skip:
            continue
        line = text.text(number)
        if not line:
            sections[-1].body.append(number)
            continue
        name, used = _section_heading(text, body, position)
        if name:
            skip.update(used)
            sections.append(Section(name, lines=used))
            continue
        sections[-1].body.append(number)
    return [section for section in sections if section.name or any(text.text(n) for n in section.body)] or [
        Section(None)]


def _section_heading(text: _Text, body: list[int], position: int) -> tuple[str | None, list[int]]:
    number = body[position]
    line = text.text(number)
    match = _MD_HEADING.match(line)
    if match:
        return match.group(2).strip("*_ ").strip(), [number]
    match = SUBPART.match(line)
    if match:
        used = [number]
        rest = match.group("rest") or ""
        # "Redaktionslesung (Fassung der … Kommission" / "siehe Anhang zum Protokoll)"
        following = position + 1
        while rest.count("(") > rest.count(")") and following < len(body) and len(used) < 3:
            rest += " " + text.text(body[following])
            used.append(body[following])
            following += 1
        return match.group("name"), used
    if text.dense and _minor_heading(text, body, position):
        return line, [number]
    return None, []


def _minor_heading(text: _Text, body: list[int], position: int) -> bool:
    """In text without blank lines: a short capitalised line between complete text and its own text."""
    number = body[position]
    line = text.text(number)
    if (
        not _heading_like(line) or len(line) >= 0.8 * text.width or ": " in line or _TIME.match(line)
        or _BULLET.match(line) or candidate(line) or SPEAKER.match(line) or TALLY.search(line) or dates_in(line)
        or any(word[:1].islower() and word.casefold() not in _SMALL_WORDS for word in re.findall(r"[\w.\-]+", line))
    ):
        return False  # a sentence without its full stop ("Ralf übernimmt die Wahlleitung"), a list item, a date
    previous = next((text.text(n) for n in reversed(body[:position]) if text.text(n)), "")
    following = next((text.text(n) for n in body[position + 1:] if text.text(n)), "")
    if not following or candidate(following) or following[:1].islower():
        return False
    if previous and not (_SENTENCE_END.search(previous) or _BULLET.match(previous) or TALLY.search(previous)
                         or len(previous) < 0.7 * text.width and not previous[-1:].isalpha()):
        return False
    return bool(_BULLET.match(following) or _SENTENCE_END.search(following) or len(following) > len(line))


def _paragraphs(text: _Text, numbers: list[int]) -> list[Paragraph]:
    """Paragraphs of a section: split at blank lines (a page break only when a sentence ends there), at list
    items, at speakers and, in dense text, at a sentence end short of the line width."""
    paragraphs: list[Paragraph] = []
    current: list[int] = []
    blank_run: list[int] = []

    def close() -> None:
        if current:
            paragraphs.append(_paragraph(text, list(current)))
            current.clear()

    for number in numbers:
        line = text.text(number)
        if not line:
            blank_run.append(number)
            continue
        if blank_run and current:
            # A page break right after the page's last line, with no space before or after it, goes on with
            # the paragraph (the cleaned text has one blank line between pages); any other blank line ends it.
            page_break = len(blank_run) == 1 and text.page(blank_run[0] - 1) != text.page(number)
            if not page_break:
                close()
        blank_run = []
        ended = bool(_SENTENCE_END.search(text.text(current[-1]))) if current else True
        if current and (candidate(line) and ended or _BULLET.match(line) or SPEAKER.match(line) and ended
                        or TALLY.search(line) and ended and not TALLY.search(text.text(current[-1]))):
            close()
        current.append(number)
        if text.dense and _SENTENCE_END.search(line) and len(line) < 0.8 * text.width and not _BULLET.match(line):
            close()
    close()
    return paragraphs


def _paragraph(text: _Text, lines: list[int]) -> Paragraph:
    first = text.text(lines[0])
    match = SPEAKER.match(first)
    speaker = None
    if match and (match.group("role") or match.group("party")):
        speaker = match.group("who").strip()
    attach = bool(_SUB_BULLET.match(text.document.line(lines[0])) or _SUB_BULLET.match(first)
                  or TALLY.search(first) and len(first) < 120)
    return Paragraph(lines, speaker, attach)


def _groups(text: _Text, section: Section) -> list[list[Paragraph] | None]:
    """The section's passages as lists of paragraphs: a speaker's turn alone, other paragraphs gathered up to
    GATHER_CHARS, a tally or sub-bullet with what comes before it. The section's heading lines go with the first
    group (None stands for a section with nothing under its heading)."""
    paragraphs = _paragraphs(text, section.body)
    if not paragraphs:
        return [None] if section.lines else []
    groups: list[list[Paragraph]] = []
    size = 0
    for paragraph in paragraphs:
        length = sum(len(text.text(n)) + 1 for n in paragraph.lines)
        current = groups[-1] if groups else None
        if current is not None and paragraph.attach and not paragraph.speaker:
            current.append(paragraph)
            size += length
            continue
        if (
            current is None or paragraph.speaker or current[0].speaker
            or size + length > GATHER_CHARS
        ):
            groups.append([paragraph])
            size = length
        else:
            current.append(paragraph)
            size += length
    # the section's heading lines belong to its first passage
    if section.lines:
        groups[0] = [Paragraph(section.lines), *groups[0]]
    return groups

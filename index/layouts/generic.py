"""Generic layout for any document: sections from headings, one passage per paragraph, long ones split."""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, replace

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ..documents import Document
from ..markup import clean_line
from ..passage import Item, Passage
from .common import document_meta, wrapped

KIND = "generic"

# multilingual-e5-small reads at most 512 tokens. Its XLM-R vocabulary spends about one token per
# 3.5-4 German characters, so 1000 characters are ~250-300 tokens: room for the "passage: " prefix
# and the context line, and still short enough that one passage carries one thought.
MAX_CHARS = 1000
# Enough to repeat a short sentence at a part boundary without doubling much text.
OVERLAP_CHARS = 150
# Line breaks first, then sentence ends, then clause marks; spaces and characters only as a last resort.
SEPARATORS = ["\n", ". ", "? ", "! ", "; ", ", ", " ", ""]

HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 12
# One-line paragraphs up to this length (bullets, keywords) may share a passage with such neighbours …
SHORT_PARAGRAPH = 100
MERGE_LIMIT = 400  # … while the merged text stays under this
SHORT_SENTENCE = 50  # a one-line sentence longer than this is prose and stands alone
# A lone short line becomes a heading before a paragraph of several lines or of this many characters (or twice
# its own length).
HEADING_BEFORE_CHARS = 80
# PDF blocks (no blank lines): relative to the block's longest line, a heading stops short of this share and is
# followed by a full line; a line ending a sentence short of a full line ends its paragraph.
PDF_HEADING_WIDTH = 0.6
PDF_FULL_WIDTH = 0.8
CARD_CHARS = 40  # a line this short ending in a count closes a card even on a page of short lines
# A PDF whose pages after the first (at least this many) open with a heading-like line, most of them (this share),
# has page titles.
TITLED_PAGES_MIN = 3
TITLED_PAGES_SHARE = 0.6
SPLIT_SLACK = 1.15  # even parts may grow by this much so the splitter can reach a sentence end

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?$")
_RULE = re.compile(r"^([-*_=~#])(?:\s*\1){2,}$")  # ---, ***, ===, ## ## ##: layout, not words
_BULLET = re.compile(r"^(?:[-*+•–—·>|]|\(?\d{1,3}\)|\(?[a-z]\))\s")
_NUMBERING = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[A-Z]\.|[IVX]{1,5}\.)\s+")
_SENTENCE_END = re.compile(r"[.!?:;,…]$")
# A line of nothing but links (a list item too), perhaps after a short label of words ("[Vortrag.pdf](/assets/…)",
# "- Bildquelle: [my-e-car](https://…)", "<https://…>"): at a document's end, its attachments.
_LINK_LINE = re.compile(r"^(?:[-*+•]\s+)?(?:[^\W\d_][^\W\d_ -]{0,30}:\s*)?"
                        r"(?:(?:!?\[[^\]]*\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|<https?://[^>\s]+>)[\s,;|]*)+$")
ATTACHMENTS = "Anhänge"
_COUNT_END = re.compile(r"(?:^|\s)\d{1,3}$")
_PARAGRAPH_END = re.compile(r"[.!?:][\"'“”»«)]*$")
# "Moderation: Julia Langner", "location: Rathaus": a short field of a list of facts, like a bullet.
_FIELD = re.compile(r"^[^\W\d_][\w/ -]{0,24}:\s+\S")


@dataclass
class _Heading:
    text: str
    line: int
    level: int = 1  # Markdown's number of "#"; guessed and underlined headings count as level 1


@dataclass
class _Paragraph:
    lines: list[tuple[int, str]]  # (1-based line number, cleaned text)

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)


def detect(document: Document) -> bool:
    return True


def parse(document: Document) -> list[Passage]:
    """One passage per paragraph (short neighbours merged), each in the section of its heading; a Markdown
    heading under another one keeps that one in the passage's context (meta "parent")."""
    tokens = _tokens(document)
    headed = any(isinstance(token, _Heading) for token in tokens)  # text before the first heading introduces
    base_meta = document_meta(document)
    passages: list[Passage] = []
    section: str | None = None
    parent: str | None = None
    open_headings: list[_Heading] = []  # the headings the current one stands under, outermost first
    group: list[_Paragraph] = []

    def emit() -> None:
        if not group:
            return
        items = [Item(text, number) for paragraph in group for number, text in paragraph.lines]
        meta = dict(base_meta)
        if parent:
            meta["parent"] = parent
        if section == ATTACHMENTS and all(_LINK_LINE.match(item.text) for item in items):
            meta["attachments"] = True  # names files, says nothing itself
        first = items[0].line
        if document.pages and first <= len(document.pages):
            meta["page"] = document.pages[first - 1]
            if wrapped(items):
                meta["wrapped"] = True  # a PDF's lines: pieces of paragraphs, not units of their own
        passages.append(
            Passage(
                source=document.source,
                doc_title=document.meta.title,
                board_kind="section",
                board=section or ("Einleitung" if headed else f"Abschnitt {len(passages) + 1}"),
                section=section,
                items=items,
                meta=meta,
            )
        )
        group.clear()

    for token in tokens:
        if isinstance(token, _Heading):
            emit()
            section = token.text
            while open_headings and open_headings[-1].level >= token.level:
                open_headings.pop()
            # "Vortrag › Wie funktioniert Car Sharing": the headings above this one, but for the document's title
            above = [heading.text for heading in open_headings if heading.text != document.meta.title]
            parent = " › ".join(above) or None
            open_headings.append(token)
        elif group and _can_merge(group, token, document.pages):
            group.append(token)
        else:
            emit()
            group.append(token)
    emit()
    return passages


def split_long(
    passages: list[Passage], max_chars: int = MAX_CHARS, overlap_chars: int = OVERLAP_CHARS
) -> list[Passage]:
    """Passages longer than max_chars split into parts at line breaks or sentence ends; others as they are."""
    result: list[Passage] = []
    for passage in passages:
        if len(passage.text) <= max_chars:
            result.append(passage)
        else:
            result.extend(_split(passage, max_chars, overlap_chars))
    return result


def _tokens(document: Document) -> list[_Heading | _Paragraph]:
    """Headings and paragraphs in document order."""
    suffix = document.source.rsplit(".", 1)[-1].lower()
    tokens: list[_Heading | _Paragraph] = []
    current: list[tuple[int, str]] = []

    titles = _page_titles(document) if suffix == "pdf" else set()

    def flush() -> None:
        if not current:
            return
        if suffix == "docx":
            # read_docx gives one line per Word paragraph, without blank lines between them
            tokens.extend(_Paragraph([line]) for line in current)
        elif suffix == "pdf":
            tokens.extend(_Paragraph(list(lines)) for lines in _pdf_paragraphs(current, titles))
        else:
            tokens.append(_Paragraph(list(current)))
        current.clear()

    for number, raw in enumerate(document.lines, start=1):
        line = clean_line(raw)
        if not line:
            flush()
            continue
        match = _MD_HEADING.match(line)
        if match and (title := _heading_text(match.group(2))):
            flush()
            tokens.append(_Heading(title, number, len(match.group(1))))
            continue
        if _RULE.match(line):
            # Setext heading: one heading-like line underlined with === or ---
            if line[0] in "=-" and len(current) == 1 and _heading_like(current[0][1]) and suffix != "docx":
                tokens.append(_Heading(_heading_text(current[0][1]), current[0][0]))
                current.clear()
            else:
                flush()
            continue
        current.append((number, line))
    flush()

    # Guessing headings from short lines only where the author marked none and Word gave no styles.
    if suffix != "docx" and not any(isinstance(token, _Heading) for token in tokens):
        tokens = _promote_headings(tokens, document)
    if suffix not in ("pdf", "docx"):
        tokens = _attachments_apart(tokens)
    # A page's title heads the page, whatever comes before or after it (a card's count, a short card).
    return [_Heading(_heading_text(token.lines[0][1]), token.lines[0][0])
            if isinstance(token, _Paragraph) and len(token.lines) == 1 and token.lines[0][0] in titles else token
            for token in tokens]


def _attachments_apart(tokens: list[_Heading | _Paragraph]) -> list[_Heading | _Paragraph]:
    """The paragraphs of links closing a text with headings (Markdown, plain text) under a heading of their own
    (ATTACHMENTS): the slides and image credits after the last section are not what that section says
    ("Winterdienst am Dorfplatz", a blank line, "[Car_Sharing_Stadtmobil.pdf](…)"). Links run on within the last
    paragraph stay in it."""
    start = len(tokens)
    while start > 0 and isinstance(tokens[start - 1], _Paragraph) and all(
            _LINK_LINE.match(text) for _, text in tokens[start - 1].lines):
        start -= 1
    if start == len(tokens) or not any(isinstance(token, _Heading) for token in tokens[:start]):
        return tokens
    return [*tokens[:start], _Heading(ATTACHMENTS, tokens[start].lines[0][0]), *tokens[start:]]


def _promote_headings(tokens: list, document: Document) -> list[_Heading | _Paragraph]:
    """A lone short line before a longer paragraph becomes a heading; prose and list items never do."""
    result: list[_Heading | _Paragraph] = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        previous = result[-1] if result else None
        if (
            len(token.lines) == 1
            and isinstance(following, _Paragraph)
            and "\t" not in document.line(token.lines[0][0])
            and _heading_like(text := token.lines[0][1])
            and not (document.pages and _COUNT_END.search(text))  # a PDF's card with its count
            and (len(following.lines) >= 2 or len(following.text) >= max(2 * len(text), HEADING_BEFORE_CHARS))
            # a run of short lines is a list, and its last line no heading
            and not (isinstance(previous, _Paragraph) and _list_like(previous))
        ):
            result.append(_Heading(_heading_text(text), token.lines[0][0]))
        else:
            result.append(token)
    return result


def _list_like(paragraph: _Paragraph) -> bool:
    return (
        len(paragraph.lines) == 1
        and len(paragraph.text) <= HEADING_MAX_CHARS
        and not _SENTENCE_END.search(paragraph.text)
    )


def _heading_like(text: str) -> bool:
    """Short, unpunctuated, capitalised, no list item: could be a heading (the caller checks the context)."""
    if len(text) > HEADING_MAX_CHARS or len(text.split()) > HEADING_MAX_WORDS:
        return False
    if _SENTENCE_END.search(text.rstrip("*_ ")) or _BULLET.match(text):
        return False
    core = _NUMBERING.sub("", text.strip("*_ "))
    letters = [char for char in core if char.isalpha()]
    return len(letters) >= 3 and letters[0].isupper()


def _heading_text(text: str) -> str:
    return text.strip().strip("*_").strip().removesuffix(":").strip()


def _page_titles(document: Document) -> set[int]:
    """The lines that open a page of a PDF whose pages have titles: most pages (at least TITLED_PAGES_MIN) open with
    a line that could be a heading (a deck of pin-board cards or slides), not with running text carried over from
    the page before. Not the first page's: that is the document's title. Empty for any other document."""
    if not document.pages:
        return set()
    openers: list[tuple[int, str]] = []
    page = None
    for number, raw in enumerate(document.lines, start=1):
        line = clean_line(raw)
        if line and document.pages[number - 1] != page:
            page = document.pages[number - 1]
            openers.append((number, line))
    titles = {number for number, line in openers[1:] if _heading_like(line) and not _COUNT_END.search(line)}
    if len(openers) - 1 < TITLED_PAGES_MIN or len(titles) < TITLED_PAGES_SHARE * (len(openers) - 1):
        return set()
    return titles


def _pdf_paragraphs(lines: list[tuple[int, str]], titles: set[int] = frozenset()) -> list[list[tuple[int, str]]]:
    """Paragraphs of a PDF text block (a page), which pypdf gives without blank lines between them.

    A paragraph ends at a line that ends a sentence and stops well short of the block's width; a short
    unpunctuated line before a full one stands alone (a heading, promoted later if it looks like one), and so does
    a page's title (titles: _page_titles).
    """
    if len(lines) < 3:
        return [lines]
    width = max(len(text) for _, text in lines)
    paragraphs: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for index, (number, text) in enumerate(lines):
        following = lines[index + 1][1] if index + 1 < len(lines) else None
        if (
            not current
            and following is not None
            and (number in titles
                 or (len(text) < PDF_HEADING_WIDTH * width and len(following) >= PDF_FULL_WIDTH * width))
            and _heading_like(text)
            and not _COUNT_END.search(text)  # a card with its count, not a heading
        ):
            paragraphs.append([(number, text)])
            continue
        current.append((number, text))
        # A short line ending in a count closes a pin-board card ("DSL nächste Stufe 3", or "7" alone).
        counted = _COUNT_END.search(text) and len(text) < max(PDF_HEADING_WIDTH * width, CARD_CHARS)
        if following is not None and counted:
            paragraphs.append(current)
            current = []
            continue
        if following is not None and _PARAGRAPH_END.search(text) and len(text) < PDF_FULL_WIDTH * width:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _can_merge(group: list[_Paragraph], paragraph: _Paragraph, pages: list[int] | None) -> bool:
    """One-line bullets share a passage, and a paragraph ending in a colon keeps what it introduces ("Ergebnis
    der Abstimmung:" and its list); other prose paragraphs stand alone, so citations keep their line spans."""
    if pages and pages[group[0].lines[0][0] - 1] != pages[paragraph.lines[0][0] - 1]:
        return False  # a passage cites one page
    merged = sum(len(member.text) + 1 for member in group) + len(paragraph.text)
    if group[-1].lines[-1][1].endswith(":") and len(group) == 1:
        return merged < MAX_CHARS
    if not all(_short(member) for member in (*group, paragraph)):
        return False
    return merged < MERGE_LIMIT


def _short(paragraph: _Paragraph) -> bool:
    """Short bullets, a keyword line or a very short line; a sentence of some length counts as prose."""
    if any(len(text) > SHORT_PARAGRAPH for _, text in paragraph.lines):
        return False
    if all(_BULLET.match(text) or (len(text) <= SHORT_SENTENCE and _FIELD.match(text)) for _, text in paragraph.lines):
        return True
    text = paragraph.lines[0][1]
    return len(paragraph.lines) == 1 and (len(text) <= SHORT_SENTENCE or not _PARAGRAPH_END.search(text))


def _split(passage: Passage, max_chars: int, overlap_chars: int) -> list[Passage]:
    text = passage.text
    # Even parts: 1100 characters become two of ~650, not 1000 and a stub of 100; the slack lets
    # the splitter reach a sentence end.
    parts_needed = math.ceil(len(text) / max_chars)
    even = (len(text) + (parts_needed - 1) * overlap_chars) / parts_needed
    chunk_size = max(1, min(max_chars, math.ceil(even * SPLIT_SLACK)))
    overlap = max(0, min(overlap_chars, chunk_size // 4))
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=overlap,
        separators=SEPARATORS,
        keep_separator="end",  # a sentence's full stop stays with the sentence
        strip_whitespace=True,
    )
    starts = []
    offset = 0
    for item in passage.items:
        starts.append(offset)
        offset += len(item.text) + 1  # the "\n" that Passage.text puts between items

    parts: list[list[Item]] = []
    previous_start, previous_end = -1, 0
    for chunk in splitter.split_text(text):
        # Chunks come in order and overlap by at most `overlap` characters, which bounds the search.
        start = text.find(chunk, max(previous_start + 1, previous_end - overlap - 1))
        if start < 0:
            start = text.find(chunk, previous_start + 1)
        if start < 0:
            continue
        end = start + len(chunk)
        previous_start, previous_end = start, end
        items = []
        for item, item_start in zip(passage.items, starts, strict=True):
            low, high = max(start, item_start), min(end, item_start + len(item.text))
            piece = item.text[low - item_start : high - item_start].strip() if low < high else ""
            if piece:
                items.append(Item(piece, item.line, item.label))
        if items:
            parts.append(items)
    if len(parts) < 2:
        return [passage]
    return [
        replace(
            passage,
            items=items,
            meta={**passage.meta, "part": number, "parts": len(parts)},
            id=_part_id(passage, number, len(parts)),
        )
        for number, items in enumerate(parts, start=1)
    ]


def _part_id(passage: Passage, number: int, total: int) -> str:
    """Parts of one line share source, lines, board and section, so the part number makes them unique."""
    return hashlib.sha1(f"{passage.id}\x1fpart {number}/{total}".encode()).hexdigest()[:16]


def describe(document: Document) -> str:
    """What the generic layout found, in one short German phrase (it takes every document)."""
    headings = sum(1 for token in _tokens(document) if isinstance(token, _Heading))
    if headings:
        return f"keine besondere Struktur erkannt; {headings} Überschriften als Abschnitte"
    return "keine besondere Struktur erkannt; Absätze ohne Überschriften"

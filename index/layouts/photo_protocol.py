"""Photo protocols of pin boards: district exchange boards, topic cards and topic result boards."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ..documents import Document
from ..markup import clean_line
from ..passage import Item, Passage
from .common import document_meta

KIND = "fotoprotokoll"

# The printed prompts of the board templates (layout, not content): pattern → short section name.
DISTRICT_PROMPTS = (
    (re.compile(r"was läuft gut", re.I), "Was läuft gut"),
    (re.compile(r"handlungsbedarf", re.I), "Handlungsbedarfe"),
    (re.compile(r"worauf kommt es", re.I), "Worauf kommt es an"),
)
TOPIC_PROMPTS = (
    (re.compile(r"was ist die herausforderung", re.I), "Herausforderung"),
    (re.compile(r"rundum-blick", re.I), "Betroffene"),
    (re.compile(r"von der zukunft her gedacht", re.I), "Ergebnis"),
    (re.compile(r"erste lösungsideen", re.I), "Lösungsideen"),
    (re.compile(r"empfehlungen für nächste schritte", re.I), "Empfehlungen"),
    (re.compile(r"verantwortung übernehmen", re.I), "Verantwortung"),
    (re.compile(r"teilnehmende der arbeitsgruppe", re.I), "Teilnehmende"),
)
# Printed lines that continue a prompt ("Was soll im Prinzip das Ergebnis sein (Realitäts-Check!)").
PROMPT_CONTINUATION = re.compile(r"^(was soll im prinzip das ergebnis sein|\(realitäts-check!?\))", re.I)
TOPIC_TITLE = re.compile(r"^thema\b[:\s]*", re.I)
CARD_NUMBER = re.compile(r"^\d{1,2}$")
INITIATOR = re.compile(r"^initiator\*?in(nen)?\b[:\s]*", re.I)
PLACE_LIST = re.compile(r"\b(?:stadtteilen|stadtteile|ortsteilen|quartieren)\b\s*:?\s*(.*)$", re.I)
# Board numbers, single letters and pictogram labels ("360°") that the transcription kept.
BARE_LABEL = re.compile(r"^thema:?$", re.I)
NOISE = re.compile(r"^(\d{1,3}°?|[A-Za-zÄÖÜäöü]|[?!•])$")
PLACE_MATCH_CUTOFF = 75
# The running header: the most frequent line of at least HEADER_MIN_CHARS letters, printed at least
# HEADER_MIN_REPEATS times; a header line may carry HEADER_EXTRA_WORDS more words (a stray board number).
HEADER_MIN_CHARS = 15
HEADER_MIN_REPEATS = 3
HEADER_EXTRA_WORDS = 3
MIN_PROMPTS = 4  # board prompts a document must use to be read as a photo protocol


@dataclass
class Block:
    """A run of non-blank lines and how many blank lines stand before and after it."""

    lines: list[int]  # 1-based line numbers
    blank_before: int
    blank_after: int = 0


@dataclass
class Segment:
    """The lines between two running headers: one photographed page or board."""

    lines: list[int] = field(default_factory=list)


def detect(document: Document) -> bool:
    """A photo protocol repeats a running header and uses the district or topic board prompts."""
    text = "\n".join(document.lines[:5000])
    prompts = sum(1 for pattern, _ in DISTRICT_PROMPTS + TOPIC_PROMPTS if pattern.search(text))
    return running_header(document) is not None and prompts >= MIN_PROMPTS


def parse(document: Document) -> list[Passage]:
    """All passages of a photo protocol, in document order."""
    places = known_places(document)
    header = running_header(document)
    segments = split_segments(document, header)
    base = document_meta(document)
    parser = _Parser(document, places, base)
    for number, segment in enumerate(segments):
        parser.segment(segment, first=number == 0)
    parser.finish()
    return parser.passages


def running_header(document: Document) -> str | None:
    """The line printed at the top of every board: the most frequent long line."""
    counts: dict[str, int] = {}
    for line in document.lines:
        key = header_key(line)
        if len(key) >= HEADER_MIN_CHARS:
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        return None
    key, count = max(counts.items(), key=lambda pair: pair[1])
    return key if count >= HEADER_MIN_REPEATS else None


def header_key(line: str) -> str:
    return " ".join(re.findall(r"[^\W\d_]+", line.casefold()))


def is_header(line: str, header: str) -> bool:
    """A header line contains all header words with at most three extra (e.g. a stray board number)."""
    words = header_key(line).split()
    header_words = header.split()
    if not words or words[0] != header_words[0]:
        return False
    return set(header_words) <= set(words) and len(words) - len(header_words) <= HEADER_EXTRA_WORDS


def split_segments(document: Document, header: str | None) -> list[Segment]:
    segments = [Segment()]
    for number, line in enumerate(document.lines, start=1):
        if header and is_header(line, header):
            segments.append(Segment())
        else:
            segments[-1].lines.append(number)
    return segments


def known_places(document: Document) -> list[str]:
    """District names as the protocol lists them ("mit den Stadtteilen A, B und C"), plus the manifest's."""
    places = [str(place) for place in document.meta.extra.get("places", [])]
    lines = document.lines
    for index, line in enumerate(lines):
        match = PLACE_LIST.search(line)
        if not match:
            continue
        text = match.group(1)
        following = index + 1
        while following < len(lines) and lines[following].strip():
            text += " " + lines[following].strip()
            following += 1
        for name in re.split(r",|\bund\b|\bsowie\b", text):
            name = name.strip(" .;:")
            if name and name not in places:
                places.append(name)
        break
    return places


def match_place(text: str, places: list[str]) -> str | None:
    """The known place an (OCR-garbled) board label names, or None rather than a guess."""
    if not text or not places:
        return None
    folded = {place.casefold(): place for place in places}
    if text.casefold() in folded:
        return folded[text.casefold()]
    best = process.extractOne(text.casefold(), list(folded), scorer=fuzz.ratio, score_cutoff=PLACE_MATCH_CUTOFF)
    return folded[best[0]] if best else None


def join_wrapped(parts: list[str]) -> str:
    """Join label lines, undoing hyphenation at line ends ("Schalke-" + "Nord")."""
    text = ""
    for part in parts:
        if text.endswith("-") and part[:1].islower():
            text = text[:-1] + part  # a word broken at the line end
        elif text.endswith("-"):
            text += part  # a compound name ("Schalke-" / "Nord")
        else:
            text = f"{text} {part}".strip()
    return text


def blocks_of(document: Document, numbers: list[int]) -> list[Block]:
    blocks: list[Block] = []
    blank = 0
    for number in numbers:
        if clean_line(document.line(number)):
            if blocks and blank == 0 and blocks[-1].lines[-1] == number - 1:
                blocks[-1].lines.append(number)
            else:
                if blocks:
                    blocks[-1].blank_after = blank
                blocks.append(Block([number], blank_before=blank))
            blank = 0
        else:
            blank += 1
    if blocks:
        blocks[-1].blank_after = blank if numbers and numbers[-1] < len(document.lines) else 99
    return blocks


def strip_dividers(blocks: list[Block]) -> list[Block]:
    """Drop section divider pages ("Themensammlung", "Anhang") that trail a board between blank runs."""
    while blocks and blocks[-1].blank_before >= 3 and blocks[-1].blank_after >= 3 and len(blocks[-1].lines) <= 2:
        blocks = blocks[:-1]
    return blocks


def prompt_of(text: str, prompts) -> str | None:
    for pattern, name in prompts:
        if pattern.search(text):
            return name
    return None


class _Parser:
    """Walks the segments and collects passages; district boards are numbered per place at the end."""

    def __init__(self, document: Document, places: list[str], base: dict):
        self.document = document
        self.places = places
        self.base = base
        self.passages: list[Passage] = []
        self.cards: list[dict] = []  # topic cards: number, title, initiator, passage
        self.results: list[dict] = []  # topic result boards: title, passages
        self.district_boards: list[list[Passage]] = []

    def text(self, number: int) -> str:
        return clean_line(self.document.line(number))

    def passage(self, kind: str, board: str, section: str | None, numbers: list[int], **fields) -> Passage | None:
        items = [Item(self.text(n), n) for n in numbers if self.text(n) and not NOISE.match(self.text(n))]
        items = [item for item in items if not BARE_LABEL.match(item.text)]
        if not items:
            return None
        meta = dict(self.base)
        meta.update(fields.pop("meta", {}))
        passage = Passage(
            source=self.document.source,
            doc_title=self.document.meta.title,
            board_kind=kind,
            board=board,
            section=section,
            items=items,
            meta=meta,
            **fields,
        )
        self.passages.append(passage)
        return passage

    def segment(self, segment: Segment, first: bool) -> None:
        blocks = strip_dividers(blocks_of(self.document, segment.lines))
        numbers = [n for block in blocks for n in block.lines]
        if not numbers:
            return
        texts = [self.text(n) for n in numbers]
        topic_prompts = sum(1 for t in texts if prompt_of(t, TOPIC_PROMPTS))
        if first:
            self.passage("title", "Titelseite", None, numbers)
        elif sum(1 for t in texts if prompt_of(t, DISTRICT_PROMPTS)) >= 2 and not any(
            TOPIC_TITLE.match(t) and ":" in t for t in texts
        ):
            self.district_board(numbers)
        elif self.card_starts(numbers) and topic_prompts < 3:
            # Before the "Thema:" test: a card page whose first card reads "1 / Thema: …" is no result board.
            self.topic_cards(numbers)
        elif any(TOPIC_TITLE.match(t) and ":" in t for t in texts[:3]) or topic_prompts >= 3:
            self.topic_result(numbers)
        else:
            heading = texts[0]
            kind = {"zielsetzung": "goals", "programm": "programme"}.get(heading.casefold(), "section")
            rest = numbers[1:] or numbers
            # The page's heading is its section too: questions for the goals or the programme name it.
            self.passage(kind, heading, heading, rest, meta={"heading_line": numbers[0]})

    def sections(self, numbers: list[int], prompts) -> tuple[list[int], list[tuple[str, int, list[int]]]]:
        """Lines before the first prompt, then (section, line of its prompt, content lines) per prompt."""
        before: list[int] = []
        sections: list[tuple[str, int, list[int]]] = []
        for number in numbers:
            text = self.text(number)
            name = prompt_of(text, prompts)
            if name:
                sections.append((name, number, []))
            elif sections and not sections[-1][2] and PROMPT_CONTINUATION.match(text):
                continue
            elif sections:
                sections[-1][2].append(number)
            else:
                before.append(number)
        return before, sections

    def field(self, kind: str, section: str, prompt_line: int, content: list[int], **fields) -> Passage | None:
        """The passage of one prompt's field; a field left empty on the board is a passage too, quoting its
        prompt and marked empty, so that a question for it is answered with "nothing was written here"."""
        meta = {"prompt": self.text(prompt_line), **fields.pop("meta", {})}
        passage = self.passage(kind, "", section, content, meta=meta, **fields)
        if passage is None:
            passage = self.passage(kind, "", section, [prompt_line], meta={**meta, "empty": True}, **fields)
        return passage

    def district_board(self, numbers: list[int]) -> None:
        before, sections = self.sections(numbers, DISTRICT_PROMPTS)
        # The first line names the exchange ("Austausch zu …"); what follows before the prompts is the place.
        label_lines = [self.text(n) for n in before[1:] if not NOISE.match(self.text(n))]
        label = join_wrapped(label_lines)
        place = match_place(label, self.places)
        board_passages = []
        for section, prompt_line, content in sections:
            passage = self.field(
                "district",
                section,
                prompt_line,
                content,
                place=place,
                meta={"board_label": label or None, "board_title": self.text(before[0])}
                if before
                else {"board_label": None},
            )
            if passage:
                board_passages.append(passage)
        if board_passages:
            self.district_boards.append(board_passages)

    def card_starts(self, numbers: list[int]) -> list[int]:
        """Positions of card numbers: a lone number followed within three lines by a "Thema" line."""
        texts = [self.text(n) for n in numbers]
        starts = []
        for position, text in enumerate(texts):
            if CARD_NUMBER.match(text):
                following = [t for t in texts[position + 1 : position + 4] if t]
                if any(TOPIC_TITLE.match(t) for t in following):
                    starts.append(position)
        return starts

    def topic_cards(self, numbers: list[int]) -> None:
        starts = self.card_starts(numbers)
        for index, start in enumerate(starts):
            end = starts[index + 1] if index + 1 < len(starts) else len(numbers)
            card = numbers[start + 1 : end]
            number = int(self.text(numbers[start]))
            title_lines, _ = self.title_after_label(card)
            initiator = next((INITIATOR.sub("", self.text(n)) for n in card if INITIATOR.match(self.text(n))), None)
            title = join_wrapped(title_lines) or f"Thema {number}"
            lines = [n for n in card if not re.fullmatch(r"thema", self.text(n), re.I)]
            passage = self.passage(
                "topic_card",
                f"Themensammlung · Karte {number}",
                "Themenkarte",
                lines,
                topic=title,
                topic_no=number,
                meta={"initiator": initiator},
            )
            if passage:
                self.cards.append({"number": number, "title": title, "initiator": initiator, "passage": passage})

    def title_after_label(self, numbers: list[int]) -> tuple[list[str], list[int]]:
        """The title written after a "Thema" label: its own line's rest and the lines up to a gap."""
        title: list[str] = []
        used: list[int] = []
        started = False
        for n in numbers:
            text = self.text(n)
            if not started:
                if TOPIC_TITLE.match(text):
                    started = True
                    used.append(n)
                    if TOPIC_TITLE.sub("", text):
                        title.append(TOPIC_TITLE.sub("", text))
                continue
            gap = bool(title) and used[-1] != n - 1
            if INITIATOR.match(text) or gap or prompt_of(text, TOPIC_PROMPTS):
                break
            if text and not NOISE.match(text):
                title.append(text)
                used.append(n)
        return title, used

    def topic_result(self, numbers: list[int]) -> None:
        before, sections = self.sections(numbers, TOPIC_PROMPTS)
        title_lines, _ = self.title_after_label(before)
        title = re.sub(r"\s+(\d{1,2}|[A-Z])$", "", join_wrapped(title_lines))  # a trailing board mark is noise
        passages = []
        head = self.passage("topic_result", "", "Titel", before, topic=title)
        if head:
            passages.append(head)
        for section, prompt_line, content in sections:
            passage = self.field("topic_result", section, prompt_line, content, topic=title)
            if passage:
                passages.append(passage)
        if passages:
            self.results.append({"title": title, "passages": passages})

    def finish(self) -> None:
        """Name district boards "Tafel i von n" per place and link result boards to their cards."""
        totals: dict[str | None, int] = {}
        for board in self.district_boards:
            totals[board[0].place] = totals.get(board[0].place, 0) + 1
        seen: dict[str | None, int] = {}
        for board in self.district_boards:
            place = board[0].place
            seen[place] = seen.get(place, 0) + 1
            name = f"Austausch · {place or 'ohne Stadtteilangabe'} · Tafel {seen[place]} von {totals[place]}"
            for passage in board:
                passage.board = name
                passage.meta.update(board_no=seen[place], board_count=totals[place])
                passage.id = ""
                passage.__post_init__()
        pairs = align_cards(self.cards, self.results)
        for result_index, result in enumerate(self.results):
            card = self.cards[pairs[result_index]] if result_index in pairs else None
            for passage in result["passages"]:
                if card:
                    passage.topic_no = card["number"]
                    passage.board = f"Thema {card['number']}: {result['title']}"
                    passage.meta.update(
                        card_title=card["title"], initiator=card["initiator"], card_id=card["passage"].id
                    )
                else:
                    passage.board = f"Thema: {result['title']}"
                passage.id = ""
                passage.__post_init__()
        for card_index, card in enumerate(self.cards):
            linked = [r for r, c in pairs.items() if c == card_index]
            if linked:
                card["passage"].meta["result_title"] = self.results[linked[0]]["title"]
            card["passage"].board = f"Themensammlung · Thema {card['number']}: {card['title']}"


def align_cards(cards: list[dict], results: list[dict]) -> dict[int, int]:
    """Pair result boards with cards in order (monotonic alignment), guided by title similarity.

    The boards follow the cards' order but their titles are reworded ("Kinder helfen Kinder" for
    "Kinder begegnen sich und helfen sich"), so order carries most of the weight.
    """
    n, m = len(results), len(cards)
    if not n or not m:
        return {}

    def similarity(r: int, c: int) -> float:
        card_text = cards[c]["passage"].text
        return fuzz.token_set_ratio(results[r]["title"].casefold(), card_text.casefold()) / 100

    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for r in range(1, n + 1):
        for c in range(1, m + 1):
            score[r][c] = max(score[r - 1][c], score[r][c - 1], score[r - 1][c - 1] + 1.0 + similarity(r - 1, c - 1))
    pairs: dict[int, int] = {}
    r, c = n, m
    while r and c:
        if score[r][c] == score[r - 1][c]:
            r -= 1
        elif score[r][c] == score[r][c - 1]:
            c -= 1
        else:
            pairs[r - 1] = c - 1
            r, c = r - 1, c - 1
    return pairs


def describe(document: Document) -> str:
    """Why the document was read as a photo protocol, in one short German phrase."""
    text = "\n".join(document.lines[:5000])
    prompts = sum(1 for pattern, _ in DISTRICT_PROMPTS + TOPIC_PROMPTS if pattern.search(text))
    return f"wiederkehrender Tafelkopf und {prompts} vorgedruckte Tafelfragen"

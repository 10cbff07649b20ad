"""On the real corpus: every passage's line span points at exactly its text, and the promised structure is there."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from index.documents import corpus_files, read_document
from index.layouts import parse_document, photo_protocol, tables
from index.layouts.common import clean_line

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# Marks the transcription kept that the parser drops as layout: board numbers, single letters,
# pictogram labels ("360°", "?") and a bare "Thema" label on a card.
BARE_MARK = re.compile(r"^(\d{1,3}°?|[A-Za-zÄÖÜäöü]|[?!•]|Thema:?)$", re.IGNORECASE)


def parsed_corpus() -> list[tuple]:
    return [
        (document, parse_document(document))
        for document in map(lambda p: read_document(p, CORPUS), corpus_files(CORPUS))
    ]


PARSED = parsed_corpus()
BY_KIND = {document.meta.kind: (document, passages) for document, passages in PARSED}


def is_layout(document, number: int) -> bool:
    """A line that belongs to the page, not to any passage: table header, running header, printed prompt, mark."""
    raw = document.line(number)
    if document.meta.kind == tables.KIND:
        return raw == tables.header_row(document)
    text = clean_line(raw)
    header = photo_protocol.running_header(document)
    prompts = photo_protocol.DISTRICT_PROMPTS + photo_protocol.TOPIC_PROMPTS
    return bool(
        (header and photo_protocol.is_header(raw, header))
        or photo_protocol.prompt_of(text, prompts)
        or photo_protocol.PROMPT_CONTINUATION.match(text)
        or BARE_MARK.match(text)
    )


def title_page_places(document) -> list[str]:
    """The districts as the title page lists them: "mit den Stadtteilen A, B, … und G", maybe over two lines."""
    start = next(n for n, line in enumerate(document.lines) if "mit den Stadtteilen" in line)
    text = ""
    for line in document.lines[start:]:
        if not line.strip():
            break
        text += " " + line
    text = text.split("mit den Stadtteilen", 1)[1]
    return [name.strip() for name in re.split(r",| und ", text) if name.strip()]


def test_corpus_has_both_layouts():
    assert sorted(BY_KIND) == [photo_protocol.KIND, tables.KIND]
    assert all(passages for _, passages in PARSED)


@pytest.mark.parametrize("index", range(len(PARSED)), ids=[document.source for document, _ in PARSED])
def test_every_span_points_at_exactly_its_text(index):
    document, passages = PARSED[index]
    for passage in passages:
        first, last = passage.lines
        item_lines = {item.line for item in passage.items}
        assert first in item_lines and last in item_lines, passage.citation
        for item in passage.items:
            assert first <= item.line <= last
            assert item.text, passage.citation
            source = clean_line(document.line(item.line))  # <p>/</p> markup removed
            if passage.board_kind == "table_row" or "part" in passage.meta:
                assert item.text in source, (passage.citation, item)
            else:
                assert item.text == source, (passage.citation, item)
        for number in range(first, last + 1):
            if number in item_lines or not clean_line(document.line(number)):
                continue
            assert is_layout(document, number), (passage.citation, number, document.line(number))


def test_passage_ids_are_unique_and_no_markup_is_left():
    passages = [passage for _, document_passages in PARSED for passage in document_passages]
    assert len({passage.id for passage in passages}) == len(passages)
    for passage in passages:
        assert "<p>" not in passage.text and "</p>" not in passage.text, passage.citation


def test_every_district_of_the_title_page_has_all_three_prompts():
    document, passages = BY_KIND[photo_protocol.KIND]
    places = title_page_places(document)
    assert len(places) == 7
    assert photo_protocol.known_places(document) == places
    sections = defaultdict(set)
    for passage in passages:
        if passage.board_kind == "district":
            sections[passage.place].add(passage.section)
    for place in places:
        assert sections[place] == {"Was läuft gut", "Handlungsbedarfe", "Worauf kommt es an"}, place
    assert set(sections) - set(places) == {None}  # the unnamed boards, not guessed


def test_schalke_has_four_boards_and_ocr_labels_map_to_districts():
    _, passages = BY_KIND[photo_protocol.KIND]
    district = [p for p in passages if p.board_kind == "district"]
    schalke = sorted({p.board for p in district if p.place == "Schalke"})
    assert schalke == [f"Austausch · Schalke · Tafel {n} von 4" for n in range(1, 5)]
    labels = {p.meta["board_label"]: p.place for p in district}
    assert labels["Hiltstadt"] == "Altstadt"
    assert labels["Bulmke-Hülken"] == "Bulmke-Hüllen"
    assert labels["Schalke-Nord"] == "Schalke-Nord"  # written "Schalke-" / "Nord"


def test_thirteen_topic_cards_and_result_boards_are_linked():
    _, passages = BY_KIND[photo_protocol.KIND]
    cards = {p.topic_no: p for p in passages if p.board_kind == "topic_card"}
    assert sorted(cards) == list(range(1, 14))
    assert len([p for p in passages if p.board_kind == "topic_card"]) == 13
    assert all(card.meta["initiator"] for card in cards.values())

    boards = defaultdict(list)
    for passage in passages:
        if passage.board_kind == "topic_result":
            boards[passage.board].append(passage)
    assert len(boards) == 13
    numbers = []
    for board, board_passages in boards.items():
        (number,) = {p.topic_no for p in board_passages}
        numbers.append(number)
        card = cards[number]
        assert board.startswith(f"Thema {number}: ")
        for passage in board_passages:
            assert passage.meta["initiator"] == card.meta["initiator"]
            assert passage.meta["card_id"] == card.id
        assert card.meta["result_title"] == board_passages[0].topic
    assert numbers == list(range(1, 14))


def test_minden_rows_come_from_exactly_four_workshops():
    document, passages = BY_KIND[tables.KIND]
    rows = [p for p in passages if p.board_kind == "table_row"]
    workshops = {p.meta["group"] for p in rows}
    assert len(workshops) == 4
    headings = [clean_line(line) for line in document.lines if re.match(r"Workshop \d+ - ", line)]
    assert sorted(workshops) == sorted(headings)
    assert {p.place for p in rows} == {heading.split(" - ", 1)[1] for heading in headings}
    assert all(p.board.startswith(p.meta["group"].replace(" - ", " – ")) for p in rows)
    assert [p.board_kind for p in passages].count("title") == 1

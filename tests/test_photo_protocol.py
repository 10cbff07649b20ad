"""The photo-protocol layout: running header, district boards, topic cards and their result boards."""

from __future__ import annotations

import pytest

from index.layouts import parse_document, photo_protocol
from index.layouts.common import clean_line

HEADER = "Stadtteilforum „Miteinander im Flussbezirk“"
EXCHANGE = "Austausch zu Entwicklungen im Stadtbezirk"
GOOD = "Was läuft gut bei uns im Stadtbezirk..."
NEEDS = "Wo sehen wir Handlungsbedarfe..."
FOCUS = "Worauf kommt es bei der weiteren Integrationsarbeit besonders an..."
TOPIC_PROMPTS = [
    "Kurz: Was ist die Herausforderung / das Problem",
    "Rundum-Blick: Wer ist davon betroffen",
    "Von der Zukunft her gedacht:\nWas soll im Prinzip das Ergebnis sein\n(Realitäts-Check!)",
    "Spontan: Erste Lösungsideen",
    "Konkret: Empfehlungen für nächste Schritte",
    "Abschließend: Wer sollte die (Prozess-)Verantwortung übernehmen („Wer hat den Hut auf...“)",
    "Teilnehmende der Arbeitsgruppe (für Nachfragen)",
]
TOPIC_SECTIONS = [
    "Herausforderung",
    "Betroffene",
    "Ergebnis",
    "Lösungsideen",
    "Empfehlungen",
    "Verantwortung",
    "Teilnehmende",
]


def district_board(label: list[str], good: list[str], needs: list[str], focus: list[str]) -> list[str]:
    """One exchange board as photographed: header, board title, district label, three prompts."""
    lines = [HEADER, "", EXCHANGE, ""]
    if label:
        lines += [*label, ""]
    for prompt, items in ((GOOD, good), (NEEDS, needs), (FOCUS, focus)):
        lines += [prompt, "", *items, ""]
    return lines


def result_board(title: list[str], answers: list[list[str]]) -> list[str]:
    lines = [HEADER, "", *title, ""]
    for prompt, items in zip(TOPIC_PROMPTS, answers, strict=True):
        lines += [*prompt.split("\n"), "", *items, ""]
    return lines


PROTOCOL_LINES = [
    "Fotoprotokoll",
    "Stadtteilforum Flussbezirk",
    "",
    "mit den Stadtteilen Nordviertel, Südheim-Ost und Altmarkt",
    "",
    HEADER,
    "",
    "Programm",
    "",
    "18:00 Begrüßung",
    "18:15 Austausch in kleinen Runden",
    "",
    *district_board(
        ["Nordviertel"], ["- Bücherschrank am Kiosk", "- Nachbarschaftscafé"], ["- zu wenig Spielplätze"], ["- Geduld"]
    ),
    # OCR-garbled name; the last prompt got no cards
    *district_board(
        ["Nordfiertel"], ["- Sportverein offen für alle"], ["- Busverbindung am Abend", "↳ nach 20 Uhr"], []
    ),
    *district_board(
        ["Südheim-", "Ost"], ["- Stadtteilfest"], ["- Treffpunkt für Jugendliche"], ["- Sprache im Alltag"]
    ),
    *district_board(["Alt-", "markt"], ["- Wochenmarkt"], ["- Sauberkeit"], ["- Begegnung"]),
    *district_board([], ["- viele Ehrenamtliche"], ["- Räume für Vereine"], ["- Vertrauen"]),
    *district_board(["Gruppe Blau"], ["- Hausaufgabenhilfe"], ["- Kita-Plätze"], ["- Zeit"]),
    # a divider page between blank runs
    "",
    "",
    "Themensammlung",
    "",
    "",
    "",
    HEADER,
    "",
    "Themensammlung",
    "",
    # card 1 has "Thema: …" on one line (a page starting so was once taken for a result board),
    # card 2 "Thema" above a two-line title, card 3 "Thema …" without a colon
    "1",
    "",
    "Thema: Spielplatz am Fluss",
    "",
    "Initiator*in Frau Beispiel",
    "Interessent*innen",
    "",
    "2",
    "",
    "Thema",
    "Sprachcafé für Eltern",
    "und Großeltern",
    "",
    "Initiator*in Elternverein Nord e.V.",
    "Interessent*innen",
    "",
    "3",
    "",
    "Thema Müll im Park",
    "",
    "Initiator*in K. Muster",
    "Interessent*innen",
    "",
    # result boards in card order, titles reworded; "2" is a board number written next to the title
    *result_board(
        ["Thema: Neuer Spielplatz am Fluss"],
        [
            ["Spielgeräte sind kaputt"],
            ["Familien mit kleinen Kindern"],
            ["Ein sicherer Spielplatz"],
            ["- Patenschaft für den Spielplatz"],
            ["Ortstermin mit dem Grünflächenamt"],
            ["Frau Beispiel"],
            ["A. Eins, B. Zwei"],
        ],
    ),
    *result_board(
        ["Thema: Generationen lernen", "miteinander Deutsch 2"],
        [
            ["Eltern trauen sich nicht"],
            ["Eltern", "Großeltern"],
            ["Ein Treffpunkt jede Woche"],
            ["Raum in der Bücherei"],
            ["Flyer in fünf Sprachen"],
            ["Elternverein Nord e.V."],
            ["C. Drei"],
        ],
    ),
    *result_board(
        ["Thema: Sauberer Park"],
        [
            ["Müll nach dem Wochenende"],
            ["alle"],
            ["Ein sauberer Park"],
            ["Müllpaten"],
            ["Aktionstag im Mai"],
            ["K. Muster"],
            [],
        ],
    ),
]
PROTOCOL = "\n".join(PROTOCOL_LINES) + "\n"

PROSE = (
    "Protokoll der Sitzung vom 3. März\n\n"
    "Die Teilnehmenden sprachen darüber, was im Stadtteil gut läuft und wo Handlungsbedarf besteht.\n"
    "Worauf kommt es an? Auf Geduld, sagte Frau Beispiel.\n"
)


def line_of(text: str) -> int:
    """1-based line of a line that occurs exactly once in the protocol."""
    numbers = [n for n, line in enumerate(PROTOCOL_LINES, start=1) if line == text]
    assert len(numbers) == 1, (text, numbers)
    return numbers[0]


@pytest.fixture
def document(make_document):
    return make_document("forum.txt", PROTOCOL)


@pytest.fixture
def passages(document):
    return photo_protocol.parse(document)


def summary(passages, kind: str) -> list[tuple]:
    return [(p.board, p.section, p.place, p.lines, p.text) for p in passages if p.board_kind == kind]


def test_line_helper_matches_the_document(document):
    assert document.line(line_of("Nordviertel")) == "Nordviertel" == PROTOCOL_LINES[16]
    assert len(document.lines) == len(PROTOCOL_LINES)


def test_detect(make_document, document):
    assert photo_protocol.detect(document)
    assert not photo_protocol.detect(make_document("notiz.txt", PROSE))
    assert not photo_protocol.detect(make_document("leer.txt", ""))


def test_running_header_and_places_come_from_the_document(document):
    assert photo_protocol.running_header(document) == "stadtteilforum miteinander im flussbezirk"
    assert photo_protocol.known_places(document) == ["Nordviertel", "Südheim-Ost", "Altmarkt"]


def test_title_and_programme_pages(passages):
    assert summary(passages, "title") == [
        (
            "Titelseite",
            None,
            None,
            (1, 4),
            "Fotoprotokoll\nStadtteilforum Flussbezirk\nmit den Stadtteilen Nordviertel, Südheim-Ost und Altmarkt",
        ),
    ]
    assert summary(passages, "programme") == [
        # the page's heading is its section as well: "Welche Programmpunkte …" asks for it
        ("Programm", "Programm", None, (10, 11), "18:00 Begrüßung\n18:15 Austausch in kleinen Runden"),
    ]


def on_line(board: str, section: str, place: str | None, text: str) -> tuple:
    """A one-item district passage as `summary` shows it."""
    return (board, section, place, (line_of(text), line_of(text)), text)


def test_an_empty_field_is_a_passage_marked_empty(passages):
    empty = [p for p in passages if p.meta.get("empty")]
    assert [(p.board, p.section, p.text) for p in empty] == [
        ("Austausch · Nordviertel · Tafel 2 von 2", "Worauf kommt es an",
         "Worauf kommt es bei der weiteren Integrationsarbeit besonders an..."),
        ("Thema 3: Sauberer Park", "Teilnehmende", "Teilnehmende der Arbeitsgruppe (für Nachfragen)"),
    ]
    assert all(p.meta["prompt"] == p.text for p in empty)
    assert not any(p.meta.get("empty") for p in passages if p not in empty)


def test_district_boards_sections_places_and_spans(passages):
    nord1, nord2 = "Austausch · Nordviertel · Tafel 1 von 2", "Austausch · Nordviertel · Tafel 2 von 2"
    sued, alt = "Austausch · Südheim-Ost · Tafel 1 von 1", "Austausch · Altmarkt · Tafel 1 von 1"
    none1, none2 = (
        "Austausch · ohne Stadtteilangabe · Tafel 1 von 2",
        "Austausch · ohne Stadtteilangabe · Tafel 2 von 2",
    )
    good, needs, focus = "Was läuft gut", "Handlungsbedarfe", "Worauf kommt es an"
    assert summary(passages, "district") == [
        (nord1, good, "Nordviertel", (21, 22), "- Bücherschrank am Kiosk\n- Nachbarschaftscafé"),
        (nord1, needs, "Nordviertel", (26, 26), "- zu wenig Spielplätze"),
        (nord1, focus, "Nordviertel", (30, 30), "- Geduld"),
        # "Nordfiertel" is the same district
        (nord2, good, "Nordviertel", (40, 40), "- Sportverein offen für alle"),
        (nord2, needs, "Nordviertel", (44, 45), "- Busverbindung am Abend\n↳ nach 20 Uhr"),
        # its "Worauf kommt es an" was left empty: the passage quotes the prompt and says so
        (nord2, focus, "Nordviertel", (47, 47), "Worauf kommt es bei der weiteren Integrationsarbeit besonders an..."),
        on_line(sued, good, "Südheim-Ost", "- Stadtteilfest"),
        on_line(sued, needs, "Südheim-Ost", "- Treffpunkt für Jugendliche"),
        on_line(sued, focus, "Südheim-Ost", "- Sprache im Alltag"),
        on_line(alt, good, "Altmarkt", "- Wochenmarkt"),
        on_line(alt, needs, "Altmarkt", "- Sauberkeit"),
        on_line(alt, focus, "Altmarkt", "- Begegnung"),
        # no district line, and a label that names no known district: both stay unnamed
        on_line(none1, good, None, "- viele Ehrenamtliche"),
        on_line(none1, needs, None, "- Räume für Vereine"),
        on_line(none1, focus, None, "- Vertrauen"),
        on_line(none2, good, None, "- Hausaufgabenhilfe"),
        on_line(none2, needs, None, "- Kita-Plätze"),
        on_line(none2, focus, None, "- Zeit"),
    ]


def test_board_labels_are_kept_as_written(passages):
    labels = []
    for passage in passages:
        if passage.board_kind == "district" and passage.section == "Was läuft gut":
            labels.append(
                (passage.meta["board_label"], passage.place, passage.meta["board_no"], passage.meta["board_count"])
            )
    assert labels == [
        ("Nordviertel", "Nordviertel", 1, 2),
        ("Nordfiertel", "Nordviertel", 2, 2),  # fuzzy match of the OCR error
        ("Südheim-Ost", "Südheim-Ost", 1, 1),  # "Südheim-" / "Ost": a compound broken at the hyphen
        ("Altmarkt", "Altmarkt", 1, 1),  # "Alt-" / "markt": a word broken at the line end
        (None, None, 1, 2),
        ("Gruppe Blau", None, 2, 2),  # not guessed
    ]
    first = next(p for p in passages if p.board_kind == "district")
    assert first.meta["prompt"] == GOOD and first.meta["board_title"] == EXCHANGE


def test_prompts_running_headers_and_dividers_are_no_text(passages):
    # (an empty field's passage quotes its prompt: that is its text)
    texts = {item.text for passage in passages if not passage.meta.get("empty") for item in passage.items}
    layout = {HEADER, EXCHANGE, GOOD, NEEDS, FOCUS, "Themensammlung", "Thema", "1", "2", "3"}
    layout |= {line for prompt in TOPIC_PROMPTS for line in prompt.split("\n")}
    assert not texts & layout


def test_topic_cards(passages):
    cards = [p for p in passages if p.board_kind == "topic_card"]
    got = [
        (p.board, p.section, p.topic_no, p.topic, p.meta["initiator"], p.meta["result_title"], p.lines, p.text)
        for p in cards
    ]
    assert got == [
        (
            "Themensammlung · Thema 1: Spielplatz am Fluss",
            "Themenkarte",
            1,
            "Spielplatz am Fluss",
            "Frau Beispiel",
            "Neuer Spielplatz am Fluss",
            (line_of("Thema: Spielplatz am Fluss"), line_of("Initiator*in Frau Beispiel") + 1),
            "Thema: Spielplatz am Fluss\nInitiator*in Frau Beispiel\nInteressent*innen",
        ),
        (
            "Themensammlung · Thema 2: Sprachcafé für Eltern und Großeltern",
            "Themenkarte",
            2,
            "Sprachcafé für Eltern und Großeltern",
            "Elternverein Nord e.V.",
            "Generationen lernen miteinander Deutsch",
            (line_of("Sprachcafé für Eltern"), line_of("Initiator*in Elternverein Nord e.V.") + 1),
            "Sprachcafé für Eltern\nund Großeltern\nInitiator*in Elternverein Nord e.V.\nInteressent*innen",
        ),
        (
            "Themensammlung · Thema 3: Müll im Park",
            "Themenkarte",
            3,
            "Müll im Park",
            "K. Muster",
            "Sauberer Park",
            (line_of("Thema Müll im Park"), line_of("Initiator*in K. Muster") + 1),
            "Thema Müll im Park\nInitiator*in K. Muster\nInteressent*innen",
        ),
    ]


def test_result_boards_are_linked_to_their_cards_by_order(passages):
    results = [p for p in passages if p.board_kind == "topic_result"]
    boards: dict[str, list] = {}
    for passage in results:
        boards.setdefault(passage.board, []).append(passage)
    assert list(boards) == [
        "Thema 1: Neuer Spielplatz am Fluss",
        "Thema 2: Generationen lernen miteinander Deutsch",  # the board number "2" is not part of the title
        "Thema 3: Sauberer Park",
    ]
    expected = [
        (1, "Neuer Spielplatz am Fluss", "Frau Beispiel", "Spielplatz am Fluss"),
        (
            2,
            "Generationen lernen miteinander Deutsch",
            "Elternverein Nord e.V.",
            "Sprachcafé für Eltern und Großeltern",
        ),
        (3, "Sauberer Park", "K. Muster", "Müll im Park"),
    ]
    for board, (number, topic, initiator, card_title) in zip(boards.values(), expected, strict=True):
        assert {(p.topic_no, p.topic, p.meta["initiator"], p.meta["card_title"]) for p in board} == {
            (number, topic, initiator, card_title)
        }
    card_ids = [p.id for p in passages if p.board_kind == "topic_card"]
    assert [board[0].meta["card_id"] for board in boards.values()] == card_ids

    first, second, third = boards.values()
    assert [p.section for p in first] == ["Titel", *TOPIC_SECTIONS]
    assert [(p.section, p.lines, p.text) for p in first] == [
        ("Titel", (line_of("Thema: Neuer Spielplatz am Fluss"),) * 2, "Thema: Neuer Spielplatz am Fluss"),
        ("Herausforderung", (line_of("Spielgeräte sind kaputt"),) * 2, "Spielgeräte sind kaputt"),
        ("Betroffene", (line_of("Familien mit kleinen Kindern"),) * 2, "Familien mit kleinen Kindern"),
        ("Ergebnis", (line_of("Ein sicherer Spielplatz"),) * 2, "Ein sicherer Spielplatz"),
        ("Lösungsideen", (line_of("- Patenschaft für den Spielplatz"),) * 2, "- Patenschaft für den Spielplatz"),
        ("Empfehlungen", (line_of("Ortstermin mit dem Grünflächenamt"),) * 2, "Ortstermin mit dem Grünflächenamt"),
        ("Verantwortung", (line_of("Frau Beispiel"),) * 2, "Frau Beispiel"),
        ("Teilnehmende", (line_of("A. Eins, B. Zwei"),) * 2, "A. Eins, B. Zwei"),
    ]
    # the title over two lines is one passage; the printed prompt lines are not in the Ergebnis
    assert (second[0].lines, second[0].text) == (
        (line_of("Thema: Generationen lernen"), line_of("miteinander Deutsch 2")),
        "Thema: Generationen lernen\nmiteinander Deutsch 2",
    )
    assert [(p.section, p.text) for p in second[2:4]] == [
        ("Betroffene", "Eltern\nGroßeltern"),
        ("Ergebnis", "Ein Treffpunkt jede Woche"),
    ]
    # nobody wrote on "Teilnehmende" of the third board: its passage says the field is empty
    assert [p.section for p in third] == ["Titel", *TOPIC_SECTIONS]
    assert [p.section for p in third if p.meta.get("empty")] == ["Teilnehmende"]
    assert first[6].meta["prompt"] == TOPIC_PROMPTS[5]


def test_items_are_the_cleaned_source_lines(document, passages):
    for passage in passages:
        assert passage.items
        for item in passage.items:
            assert item.text == clean_line(document.line(item.line))
    assert len({p.id for p in passages}) == len(passages)


def test_crlf_and_lf_give_the_same_passages(make_document, passages):
    crlf = photo_protocol.parse(make_document("forum-crlf.txt", PROTOCOL, newline="\r\n"))

    def key(p):
        return (
            p.board_kind,
            p.board,
            p.section,
            p.place,
            p.topic,
            p.topic_no,
            p.lines,
            [(i.text, i.line) for i in p.items],
        )

    assert [key(p) for p in crlf] == [key(p) for p in passages]
    assert all("\r" not in p.text for p in crlf)


def test_empty_file_gives_no_passages(make_document):
    empty = make_document("leer.txt", "", manifest={"title": "Leer", "kind": photo_protocol.KIND})
    assert photo_protocol.parse(empty) == []
    assert parse_document(empty) == []


def test_parse_document_picks_the_layout_by_detection(make_document, passages):
    document = make_document("forum2.txt", PROTOCOL)
    assert document.meta.kind is None
    parsed = parse_document(document)
    assert [(p.board_kind, p.board, p.section, p.lines) for p in parsed] == [
        (p.board_kind, p.board, p.section, p.lines) for p in passages
    ]
    by_kind = {kind: sum(p.board_kind == kind for p in parsed) for kind in ("district", "topic_card", "topic_result")}
    assert by_kind == {"district": 18, "topic_card": 3, "topic_result": 24}  # two fields left empty

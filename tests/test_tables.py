"""The workshop-table layout: header rows, continuation rows, <p> cells, workshops and the title page."""

from __future__ import annotations

from index.layouts import parse_document, tables

HEADER = "Herausforderung\tZiel\tZielgruppe\tAngebot/ Maßnahme"
COLUMNS = ("Herausforderung", "Ziel", "Zielgruppe", "Angebot/ Maßnahme")
H, Z, G, A = COLUMNS

# Line numbers on the right.
TABLES = "\n".join(
    [
        "Ergebnisse der Stadtteilwerkstatt",  # 1
        "",  # 2
        "Stadt Beispielhausen",  # 3
        "",  # 4
        "Workshop 1 - Schule",  # 5
        "",  # 6
        HEADER,  # 7
        "Es fehlen Ganztagsplätze.\tJedes Kind hat einen Platz.\tFamilien\tAnregung 1: Ausbau der OGS",  # 8
        "\t\t\tAnregung 2: Ferienbetreuung",  # 9  continuation before the page break
        "",  # 10
        "",  # 11
        HEADER,  # 12 repeated on the next page
        "\t\t\t<p>Anregung 3: Elterncafé</p><p>Anregung 4: Lesepaten</p>",  # 13 continuation after the header
        "<p>Schulwege sind unsicher.</p>\t<p>Alle Kinder gehen sicher zur Schule.</p>\t<p>Kinder</p>\t"
        "<p>Anregung 1: Schülerlotsen</p>",  # 14
        "",  # 15
        "Workshop 2 - Wohnen",  # 16
        "",  # 17
        HEADER,  # 18
        "Es fehlen kleine Wohnungen.\tMehr kleine Wohnungen.\tAlleinstehende\tAnregung 1: Umbau",  # 19
        "\t\t\t<p>Anregung 2: Tauschbörse</p> (Hinweis der Moderation)",  # 20 text outside <p>
        "Stand der Diskussion: offen",  # 21 a note between rows, not a heading
        "Mieten steigen.\tMieten bleiben bezahlbar.\talle\tAnregung 1: Mietspiegel",  # 22
        "",  # 23
        HEADER,  # 24
        "\t\t\tAnregung 2: Beratung bei Mieterhöhungen",  # 25 continuation of row 22
    ]
)

PROSE = (
    "Protokoll der Sitzung vom 3. März\n\n"
    "Die Teilnehmenden sprachen über den Spielplatz, die Buslinie und das Stadtteilfest.\n"
    "Frau Beispiel berichtete, dass die Anmeldung für das Fest bereits begonnen hat.\n"
)


def rows(passages):
    return [
        (p.board, p.lines, [(i.line, i.label, i.text) for i in p.items])
        for p in passages
        if p.board_kind == "table_row"
    ]


def test_detect_tables_but_not_prose(make_document):
    assert tables.detect(make_document("ikon.txt", TABLES))
    assert tables.header_row(make_document("ikon2.txt", TABLES)) == HEADER
    assert not tables.detect(make_document("notiz.txt", PROSE))
    assert not tables.detect(make_document("leer.txt", ""))


def test_rows_merge_continuations_across_page_breaks_and_keep_line_numbers(make_document):
    passages = tables.parse(make_document("ikon.txt", TABLES))
    assert rows(passages) == [
        (
            "Workshop 1 – Schule · Herausforderung 1",
            (5, 13),
            [
                (5, None, "Workshop 1 - Schule"),  # the group's heading heads its first row
                (8, H, "Es fehlen Ganztagsplätze."),
                (8, Z, "Jedes Kind hat einen Platz."),
                (8, G, "Familien"),
                (8, A, "Anregung 1: Ausbau der OGS"),
                (9, A, "Anregung 2: Ferienbetreuung"),
                # after the repeated header; two <p> paragraphs in one cell are two items
                (13, A, "Anregung 3: Elterncafé"),
                (13, A, "Anregung 4: Lesepaten"),
            ],
        ),
        (
            "Workshop 1 – Schule · Herausforderung 2",
            (14, 14),
            [
                (14, H, "Schulwege sind unsicher."),
                (14, Z, "Alle Kinder gehen sicher zur Schule."),
                (14, G, "Kinder"),
                (14, A, "Anregung 1: Schülerlotsen"),
            ],
        ),
        (
            "Workshop 2 – Wohnen · Herausforderung 1",
            (16, 20),
            [
                (16, None, "Workshop 2 - Wohnen"),
                (19, H, "Es fehlen kleine Wohnungen."),
                (19, Z, "Mehr kleine Wohnungen."),
                (19, G, "Alleinstehende"),
                (19, A, "Anregung 1: Umbau"),
                (20, A, "Anregung 2: Tauschbörse"),
                (20, A, "(Hinweis der Moderation)"),  # text outside the <p> element is kept
            ],
        ),
        (
            "Workshop 2 – Wohnen · Herausforderung 2",
            (22, 25),
            [
                (22, H, "Mieten steigen."),
                (22, Z, "Mieten bleiben bezahlbar."),
                (22, G, "alle"),
                (22, A, "Anregung 1: Mietspiegel"),
                (25, A, "Anregung 2: Beratung bei Mieterhöhungen"),
            ],
        ),
    ]


def test_workshops_give_place_group_and_row_numbers(make_document):
    passages = [p for p in tables.parse(make_document("ikon.txt", TABLES)) if p.board_kind == "table_row"]
    assert [(p.place, p.meta["group"], p.meta["row_no"]) for p in passages] == [
        ("Schule", "Workshop 1 - Schule", 1),
        ("Schule", "Workshop 1 - Schule", 2),
        ("Wohnen", "Workshop 2 - Wohnen", 1),
        # the note on line 21 did not become the group of the page after it
        ("Wohnen", "Workshop 2 - Wohnen", 2),
    ]
    assert all(p.section is None for p in passages)
    assert passages[2].labelled_text().splitlines()[:2] == ["Workshop 2 - Wohnen",
                                                            "Herausforderung: Es fehlen kleine Wohnungen."]


def test_no_markup_and_no_header_in_any_passage(make_document):
    passages = tables.parse(make_document("ikon.txt", TABLES))
    for passage in passages:
        assert "<p>" not in passage.text and "</p>" not in passage.text
        assert not any(item.text in COLUMNS for item in passage.items)
    covered = {item.line for passage in passages for item in passage.items}
    assert not covered & {7, 12, 18, 24}  # header rows are layout
    # A workshop's heading is the first line of its first row only (a question for the workshops finds it there).
    assert [[item.line for item in passage.items if item.line in (5, 16)] for passage in passages
            if passage.board_kind == "table_row"] == [[5], [], [16], []]


def test_title_lines_before_the_first_table_form_a_title_passage(make_document):
    passages = tables.parse(
        make_document("ikon.txt", TABLES, manifest={"title": "Werkstatt", "city": "Beispielhausen"})
    )
    title = passages[0]
    assert (title.board_kind, title.board, title.lines) == ("title", "Titelseite", (1, 3))
    assert [(i.line, i.text) for i in title.items] == [
        (1, "Ergebnisse der Stadtteilwerkstatt"),
        (3, "Stadt Beispielhausen"),
    ]
    assert title.doc_title == "Werkstatt" and title.meta["city"] == "Beispielhausen"
    assert sum(p.board_kind == "title" for p in passages) == 1


def test_parse_document_recognises_the_layout_without_a_manifest(make_document):
    document = make_document("ikon.txt", TABLES)
    assert document.meta.kind is None
    parsed = parse_document(document)
    assert [(p.id, p.board, p.lines) for p in parsed] == [(p.id, p.board, p.lines) for p in tables.parse(document)]
    assert len({p.id for p in parsed}) == len(parsed)

"""The minutes layout: numbered agenda items, their procedural parts, speakers' turns, votes and decisions."""

from __future__ import annotations

import pytest

from index.documents import read_document
from index.layouts import choose_layout, generic, minutes, parse_document, parse_with_layout
from index.layouts.common import clean_line
from index.store import unit_items
from tests.support import write_file

# A municipal council's minutes as plain text: agenda list first, then the items with their parts.
COUNCIL = """\
Niederschrift über die öffentliche Sitzung des Gemeinderats Talheim
Sitzung Nr. 14 vom 12. März 2024

Tagesordnung
1. Eröffnung und Begrüßung
2. Haushalt 2024
3. Bauanträge
3.1 Neubau Kindergarten Lindenweg
3.2 Umbau Feuerwehrhaus
4. Friedhofsgebühren (vertagt)

1. Eröffnung und Begrüßung

Bürgermeisterin Keller: Ich eröffne die Sitzung und stelle die ordnungsgemäße Ladung fest. Der Gemeinderat
ist beschlussfähig.

2. Haushalt 2024

Sachverhalt

Die Kämmerei legt den Entwurf des Haushalts 2024 vor. Die Gewerbesteuer bleibt unverändert, die Grundsteuer
steigt leicht.

Diskussion

Meier, SPD: Wir tragen den Haushalt mit, weil die Sanierung der Grundschule endlich finanziert ist. Der
Finanzausschuss hat ihn einstimmig empfohlen, und die Kreditaufnahme wurde schon 2023 genehmigt.

Huber, CDU: Die neuen Schulden sind zu hoch; wir lehnen den Entwurf ab.

Beschluss

Der Haushalt 2024 wird mit 11:4 Stimmen bei 1 Enthaltung angenommen.

3. Bauanträge

3.1 Neubau Kindergarten Lindenweg

Der Bauantrag für einen Kindergarten mit vier Gruppen am Lindenweg liegt vor. Der Bauausschuss empfiehlt die
Zustimmung.

Abstimmung

Dem Bauantrag wird einstimmig zugestimmt.

3.2 Umbau Feuerwehrhaus

Die Fahrzeughalle des Feuerwehrhauses wird erweitert. Die Kosten betragen 480.000 Euro.

Talheim, 12. März 2024
"""

# An association's general meeting in Markdown, with TOP headings and vote bullets.
ASSEMBLY = """\
# Protokoll der Mitgliederversammlung des Gartenvereins Sonnenhang e.V.

Datum: 8. Juni 2024, Vereinsheim

## TOP 1: Begrüßung

Die Vorsitzende begrüßt 23 Mitglieder und stellt die Beschlussfähigkeit fest.

## TOP 2: Kassenbericht

Der Kassenwart berichtet über Einnahmen von 4.210 Euro und Ausgaben von 3.980 Euro im Jahr 2023.

### Entlastung

- 20 Stimmen: Ja
- 1 Stimme: Nein
- 2 Stimmen: Enthaltung

Der Vorstand ist entlastet.

## TOP 3: Wahl der Kassenprüfer

Zur Wahl stellen sich Frau Roth und Herr Wolf.

- Frau Roth
  - 21 Stimmen: Ja
  - 2 Stimmen: Enthaltung
- Herr Wolf
  - 19 Stimmen: Ja
  - 4 Stimmen: Enthaltung

Beide nehmen die Wahl an.
"""


def read(tmp_path, name: str, text: str):
    path = write_file(tmp_path / name, text)
    return read_document(path, tmp_path)


@pytest.fixture
def council(tmp_path):
    document = read(tmp_path, "gemeinderat.txt", COUNCIL)
    return document, parse_document(document)


def test_numbered_items_are_found_in_order_and_not_the_agenda_list(tmp_path):
    document = read(tmp_path, "gemeinderat.txt", COUNCIL)
    layout, reason = choose_layout(document)
    assert layout is minutes
    headings, word = minutes.analyse(document)
    assert [heading.number for heading in headings] == [(1,), (2,), (3,), (3, 1), (3, 2)]
    # the body's headings, not the agenda list's lines of the same numbers
    lines = COUNCIL.splitlines()
    body = lines.index("") + 1 + lines[lines.index("") + 1:].index("")  # the blank line after the agenda list
    expected = [lines.index(title, body) + 1 for title in (
        "1. Eröffnung und Begrüßung", "2. Haushalt 2024", "3. Bauanträge", "3.1 Neubau Kindergarten Lindenweg",
        "3.2 Umbau Feuerwehrhaus")]
    assert [heading.line for heading in headings] == expected
    assert word == "TOP" and "Tagesordnungspunkte" in reason


def test_item_is_the_board_and_procedural_parts_are_sections(council):
    _, passages = council
    by_part = {(p.board, p.section) for p in passages}
    assert ("TOP 2", "Sachverhalt") in by_part
    assert ("TOP 2", "Diskussion") in by_part
    assert ("TOP 2", "Beschluss") in by_part
    assert ("TOP 3.1", "Abstimmung") in by_part
    assert all(p.board_kind == "agenda_item" for p in passages)
    # the agenda list and the title stay in the head of the minutes
    head = [p for p in passages if p.board == "Protokollkopf"]
    assert head and any("Haushalt 2024" in p.text for p in head)


def test_context_names_document_date_item_number_and_title(council):
    _, passages = council
    [decision] = [p for p in passages if "11:4 Stimmen" in p.text]
    context = decision.context()
    assert "vom 12.03.2024" in context
    assert "TOP 2: Haushalt 2024" in context
    assert "Beschluss" in context
    assert decision.citation.endswith("· TOP 2 · Beschluss")
    sub = next(p for p in passages if p.board == "TOP 3.1")
    assert "TOP 3: Bauanträge" in sub.context() and "TOP 3.1: Neubau Kindergarten Lindenweg" in sub.context()


def test_votes_and_decisions_are_marked_and_stay_with_their_motion(council):
    _, passages = council
    [decision] = [p for p in passages if "11:4 Stimmen" in p.text]
    assert decision.meta["decision"] is True
    assert decision.meta["votes"] == ["mit 11:4 Stimmen bei 1 Enthaltung"]
    [unanimous] = [p for p in passages if "einstimmig" in p.text and not p.meta.get("speaker")]
    assert unanimous.meta["decision"] is True and unanimous.board == "TOP 3.1"
    assert not any(p.meta.get("decision") for p in passages if p.section == "Sachverhalt")
    # a speech that tells of a vote or a decision is neither
    assert not any(p.meta.get("decision") or p.meta.get("votes") for p in passages if p.meta.get("speaker"))


def test_each_speakers_turn_is_a_passage_with_the_speaker_in_its_context(council):
    _, passages = council
    turns = {p.meta["speaker"]: p for p in passages if p.meta.get("speaker")}
    assert set(turns) == {"Bürgermeisterin Keller", "Meier, SPD", "Huber, CDU"}
    assert "Sanierung der Grundschule" in turns["Meier, SPD"].text
    assert "Schulden" not in turns["Meier, SPD"].text
    assert "Wortmeldung Huber, CDU" in turns["Huber, CDU"].context()


def test_a_long_turn_is_split_and_every_part_names_the_speaker(tmp_path):
    speech = " ".join(f"Der {n}. Punkt meiner Rede betrifft die Finanzierung der Ortsmitte." for n in range(1, 60))
    text = COUNCIL.replace("Meier, SPD: Wir tragen", f"Meier, SPD: {speech} Wir tragen")
    passages = parse_document(read(tmp_path, "lang.txt", text))
    parts = [p for p in passages if p.meta.get("speaker") == "Meier, SPD"]
    assert len(parts) >= 3
    assert all("Wortmeldung Meier, SPD" in p.context() for p in parts)


def test_spans_point_at_their_lines(council):
    document, passages = council
    for passage in passages:
        for item in passage.items:
            assert item.text in clean_line(document.line(item.line)), (passage.citation, item)


def test_markdown_minutes_with_top_headings_and_vote_bullets(tmp_path):
    document = read(tmp_path, "mv.md", ASSEMBLY)
    passages, kind, reason = parse_with_layout(document)
    assert kind == minutes.KIND
    assert document.meta.title == "Protokoll der Mitgliederversammlung des Gartenvereins Sonnenhang e.V."
    assert document.meta.date == "2024-06-08"
    [relief] = [p for p in passages if p.section == "Entlastung"]
    assert relief.board == "TOP 2"
    assert "20 Stimmen: Ja" in relief.text and "Der Vorstand ist entlastet." in relief.text
    assert relief.meta["decision"] is True and len(relief.meta["votes"]) == 3
    election = [p for p in passages if p.board == "TOP 3"]
    # a candidate's tally stays with the candidate
    assert any("Frau Roth" in p.text and "21 Stimmen: Ja" in p.text for p in election)
    assert any("Herr Wolf" in p.text and "19 Stimmen: Ja" in p.text for p in election)
    assert "TOP 3: Wahl der Kassenprüfer" in election[0].context()


@pytest.mark.parametrize("line", [
    "1. August-Feier. Der Megatrend der Individualisierung zeigt sich hier.",
    "29. Juni 2022 wurde der Antrag eingereicht.",
    "11.40 Uhr Wiesli verlässt die Sitzung",
    "6 Personen nahmen teil",
    "3. bis 5. Klasse",
])
def test_dates_times_and_counts_are_no_agenda_items(line):
    assert minutes.candidate(line) is None


@pytest.mark.parametrize("line, number, title", [
    ("TOP 3: Haushalt", (3,), "Haushalt"),
    ("Traktandum 4 Wahlen", (4,), "Wahlen"),
    ("7.2 Wahl des Vorstands", (7, 2), "Wahl des Vorstands"),
    ("3.2. Meilensteine 2024", (3, 2), "Meilensteine 2024"),
    ("## 5. Verschiedenes", (5,), "Verschiedenes"),
])
def test_agenda_item_headings_of_every_kind(line, number, title):
    found = minutes.candidate(line)
    assert found is not None and found[0] == number and found[1] == title


def test_a_numbered_list_under_marked_headings_is_no_minutes(tmp_path):
    text = ("# Bürgerrunde\n\n### Agenda\n\n1. Begrüßung\n2. Themen\n3. Abschluss\n\n### Themen\n\n"
            "Es wurden viele Themen gesammelt und an die Pinnwand geheftet, danach wurde abgestimmt.\n\n"
            "1. Kino\n2. Nachbarschaftshilfe\n3. Fahrradweg\n")
    document = read(tmp_path, "runde.md", text)
    assert choose_layout(document)[0] is generic


def test_protocol_of_another_shape_still_parses(tmp_path):
    """Written last, not tuned on: a works council's minutes with "Tagesordnungspunkt" headings, roman-free
    numbering, a wrapped title and results as "Ja: 5, Nein: 2"."""
    text = """\
Sitzungsprotokoll des Betriebsrats der Stadtwerke Nordhafen
Datum: 03.09.2024

Tagesordnungspunkt 1 – Genehmigung des Protokolls der letzten Sitzung vom 06.08.2024 und der
Tagesordnung

Das Protokoll wird ohne Änderungen genehmigt.

Tagesordnungspunkt 2 – Mobiles Arbeiten

Die Geschäftsleitung schlägt zwei Tage mobiles Arbeiten pro Woche vor. Der Betriebsrat fordert drei Tage und
eine Regelung für die Erstattung der Stromkosten.

Ergebnis: Ja: 5, Nein: 2, Enthaltungen: 0. Der Vorschlag des Betriebsrats wird angenommen.

Tagesordnungspunkt 3 – Verschiedenes

Die nächste Sitzung findet am 1. Oktober statt.
"""
    document = read(tmp_path, "betriebsrat.txt", text)
    passages, kind, _ = parse_with_layout(document)
    assert kind == minutes.KIND
    assert document.meta.date == "2024-09-03"
    boards = [p.board for p in passages]
    assert {"TOP 1", "TOP 2", "TOP 3"} <= set(boards)
    first = next(p for p in passages if p.board == "TOP 1")
    assert first.meta["item_title"].endswith("und der Tagesordnung")  # the title wrapped over two lines
    [vote] = [p for p in passages if "Ja: 5" in p.text]
    assert vote.board == "TOP 2" and vote.meta.get("decision") and vote.meta["votes"]


def test_pdf_minutes_keep_pages_and_have_no_line_vectors_for_wrapped_prose(tmp_path):
    from tests.test_pdf_clean import minutes_pdf

    path = minutes_pdf(tmp_path / "rat.pdf")
    document = read_document(path, tmp_path)
    passages, kind, _ = parse_with_layout(document)
    assert kind == minutes.KIND
    assert all(isinstance(p.meta.get("page"), int) for p in passages)
    assert any(p.citation.endswith(f"S. {p.meta['page']}") for p in passages)
    speeches = [p for p in passages if p.meta.get("speaker")]
    assert speeches and all(p.meta.get("wrapped") and unit_items(p) == [] for p in speeches)


def test_an_untreated_agenda_entry_is_its_own_passage_and_an_empty_parent_none(council):
    _, passages = council
    [entry] = [p for p in passages if p.board == "TOP 4"]
    assert entry.section == "Tagesordnung" and entry.text == "4. Friedhofsgebühren (vertagt)"
    assert "TOP 4: Friedhofsgebühren (vertagt)" in entry.context()
    # "3. Bauanträge" stands right above "3.1": its title lives in its parts' context, not in a passage alone
    assert not [p for p in passages if p.board == "TOP 3"]
    assert [p.lines for p in passages] == sorted(p.lines for p in passages)


def test_a_sentence_right_under_a_heading_is_its_text_not_its_title(tmp_path):
    # headings followed at once by one line of text and a blank line: the line is what was said, not the rest of
    # a title wrapped over two lines (which would leave the item without a passage of its own)
    text = (
        "Protokoll der Mitgliederversammlung des Fördervereins Talheim vom 8. März 2025\n\n"
        "TOP 1 Begrüßung\nDie Vorsitzende begrüßte die Anwesenden und stellte die Tagesordnung ohne Änderungen vor.\n\n"
        "TOP 2 Berichte\nDie Vorsitzende dankt allen, die im letzten Jahr beim Spielplatzfest mitgeholfen haben.\n\n"
        # short items under headings that say what they are are items all the same
        "TOP 3 Kasse\nDer Kassenstand beträgt 1.250 Euro am Jahresende.\n\n"
        "TOP 4 Verschiedenes\nKeine Wortmeldungen.\n"
    )
    path = write_file(tmp_path / "versammlung.txt", text)
    passages, kind, _ = parse_with_layout(read_document(path, tmp_path))
    assert kind == minutes.KIND
    items = {p.meta.get("item"): p for p in passages if p.meta.get("item")}
    assert sorted(items) == ["1", "2", "3", "4"]
    assert items["4"].text.endswith("Keine Wortmeldungen.") and "Wortmeldungen" not in items["3"].text
    assert items["3"].meta["item_title"] == "Kasse"
    assert items["2"].meta["item_title"] == "Berichte"
    assert "mitgeholfen haben." in items["2"].text

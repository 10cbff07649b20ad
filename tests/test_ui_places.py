"""The places table of a where-answer: every place with its finding and markers, the others "nicht erwähnt"."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from assistant.answer import Answer
from assistant.retrieve import Hit
from index import Item, Passage
from ui.places import place_rows, places_csv, places_markdown


def board(place, items, section="Handlungsbedarfe"):
    return Passage(source="werkstatt.txt", doc_title="Werkstatt", board_kind="district", board=f"Austausch · {place}",
                   section=section, items=[Item(text, line) for text, line in items], place=place)


def where_answer(language="de"):
    north = board("Nordstadt", [("- Spielplätze <b>fehlen</b>", 3), ("- Bänke | Tische", 4)])
    south = board("Südstadt", [("- Spielplätze", 9)])
    south_more = board("Südstadt", [("- Spielplätze am Rand", 12)], section="Worauf kommt es an")
    return Answer(text="Genannt wird es für Nordstadt [1], Südstadt [2–3]; nicht erwähnt in: Weststadt.",
                  passages=[Hit(north, 1.0, highlights=(3, 4)), Hit(south, 0.9, highlights=(9,)),
                            Hit(south_more, 0.8, highlights=(12,))],
                  query=SimpleNamespace(intent="where", language=language), not_mentioned=["Weststadt"])


def test_rows_group_markers_by_place_and_list_the_places_without_a_finding():
    rows = place_rows(where_answer())
    assert [(r.place, r.markers, r.findings) for r in rows] == [
        ("Nordstadt", [1], ["Spielplätze <b>fehlen</b>", "Bänke | Tische"]),
        ("Südstadt", [2, 3], ["Spielplätze", "Spielplätze am Rand"]),
        ("Weststadt", [], []),
    ]
    other = where_answer()
    other.query = SimpleNamespace(intent=None, language="de")
    assert place_rows(other) == []  # only a where-question has a table
    listing = where_answer()
    listing.mode = "places"
    assert place_rows(listing) == []  # a list of the places there are names each in its lead already


def test_markdown_table_escapes_the_corpus_and_links_the_markers():
    table = places_markdown(where_answer(), 2)
    lines = table.splitlines()
    assert lines[0] == "| Ort | Fundstelle | Quellen |"
    assert lines[2] == ("| Nordstadt | Spielplätze &lt;b>fehlen&lt;/b> / Bänke \\| Tische | "
                        "[\\[1\\]](#quelle-2-1) |")
    assert lines[3].endswith("| [\\[2\\]](#quelle-2-2), [\\[3\\]](#quelle-2-3) |")
    assert lines[4] == "| Weststadt | *nicht erwähnt* |  |"
    assert places_markdown(where_answer("en"), 0).splitlines()[0] == "| Place | Finding | Sources |"


def test_csv_has_every_place_and_its_full_finding():
    rows = list(csv.reader(io.StringIO(places_csv(where_answer())), delimiter=";"))
    # each source named in full (document, board, section, lines): the file is read without the answer
    assert rows == [["Ort", "Fundstelle", "Quellen"],
                    ["Nordstadt", "Spielplätze <b>fehlen</b> / Bänke | Tische",
                     "[1] Werkstatt · Austausch · Nordstadt · Handlungsbedarfe, Zeilen 3–4"],
                    ["Südstadt", "Spielplätze / Spielplätze am Rand",
                     "[2] Werkstatt · Austausch · Südstadt · Handlungsbedarfe, Zeile 9; "
                     "[3] Werkstatt · Austausch · Südstadt · Worauf kommt es an, Zeile 12"],
                    ["Weststadt", "nicht erwähnt", ""]]


def test_a_file_gets_the_table_with_plain_markers():
    lines = places_markdown(where_answer(), None).splitlines()
    assert lines[2].endswith("| \\[1\\] |") and lines[3].endswith("| \\[2\\], \\[3\\] |")


def test_a_topic_is_named_by_its_number_and_title_as_the_lead_names_it():
    card = Passage(source="werkstatt.txt", doc_title="Werkstatt", board_kind="topic_card", board="Thema 5",
                   section="Herausforderung", items=[Item("- zu wenig Kurse", 7)], topic_no=5,
                   topic="Sprachkurse für alle Altersgruppen und Herkünfte in der Stadt")
    answer = where_answer()
    answer.passages = [*answer.passages, Hit(card, 0.7, highlights=(7,))]
    assert [row.place for row in place_rows(answer)] == [
        "Nordstadt", "Südstadt", "Thema 5 („Sprachkurse für alle Altersgruppen und …“)", "Weststadt"]

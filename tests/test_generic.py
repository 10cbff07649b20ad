"""The generic layout: headings, paragraphs, exact line spans, and splitting of long passages."""

from __future__ import annotations

import re
from pathlib import Path

from support import write_file

from assistant import Assistant
from index.documents import read_document
from index.layouts import generic
from index.layouts.common import clean_line


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def parse_file(tmp_path: Path, name: str, text: str):
    document = read_document(write(tmp_path, name, text), tmp_path)
    return document, generic.parse(document)


def assert_verbatim(document, passages) -> None:
    """Every item is its source line as cleaned, or (for split parts) a piece of it."""
    for passage in passages:
        for item in passage.items:
            source = clean_line(document.line(item.line))
            if "part" in passage.meta:
                assert item.text in source
            else:
                assert item.text == source


MARKDOWN = """\
# Bildung

Die Teilnehmenden wünschen sich mehr Sprachförderung in Kitas.
Besonders Eltern sollen früher informiert werden.

Ein zweiter Absatz über Schulsozialarbeit an Grundschulen, der länger ist als eine Aufzählung.

## Wohnen
Bezahlbarer Wohnraum fehlt in Schalke und Bismarck, sagen viele Teilnehmende im Austausch.

- Leerstände erfassen
- Vermieter ansprechen

- Wohnungsbörse aufbauen
"""


def test_markdown_headings_give_sections_and_exact_spans(tmp_path):
    document, passages = parse_file(tmp_path, "workshop.md", MARKDOWN)
    got = [(p.board, p.section, p.lines) for p in passages]
    assert got == [
        ("Bildung", "Bildung", (3, 4)),
        ("Bildung", "Bildung", (6, 6)),
        ("Wohnen", "Wohnen", (9, 9)),
        # short bullets separated by a blank line share one passage
        ("Wohnen", "Wohnen", (11, 14)),
    ]
    assert passages[0].text == (
        "Die Teilnehmenden wünschen sich mehr Sprachförderung in Kitas.\n"
        "Besonders Eltern sollen früher informiert werden."
    )
    assert [item.line for item in passages[3].items] == [11, 12, 14]
    # the first heading names the document (not the file name); a heading under it keeps no parent of that name
    assert all(p.board_kind == "section" and p.doc_title == "Bildung" for p in passages)
    assert passages[0].meta == {"doc_short_title": "Bildung", "city": None, "date": None, "doc_kind": None}
    assert "parent" not in passages[2].meta
    assert len({p.id for p in passages}) == len(passages)
    assert_verbatim(document, passages)


PLAIN = """\
Die Sitzung wurde um 17 Uhr eröffnet. Frau Meier begrüßte die Anwesenden.

Im ersten Teil stellte die Verwaltung den Stand des Integrationskonzepts vor.
Danach gab es Fragen aus dem Publikum.

Im zweiten Teil arbeiteten die Gruppen an Tischen zu Bildung, Wohnen und Arbeit.
"""


def test_plain_paragraphs_one_passage_each_without_headings(tmp_path):
    document, passages = parse_file(tmp_path, "sitzung.txt", PLAIN)
    assert [(p.board, p.section, p.lines) for p in passages] == [
        ("Abschnitt 1", None, (1, 1)),
        ("Abschnitt 2", None, (3, 4)),
        ("Abschnitt 3", None, (6, 6)),
    ]
    assert_verbatim(document, passages)


def test_plain_text_heading_only_for_a_short_line_before_a_longer_paragraph(tmp_path):
    text = (
        "Ergebnisse der Gruppenarbeit\n"
        "\n"
        "Die Gruppe Bildung fordert mehr Schulsozialarbeit und eine bessere Ausstattung der Kitas.\n"
        "Zudem sollen Elterncafés in allen Stadtteilen entstehen.\n"
        "\n"
        "Das war ein kurzer Satz.\n"
        "\n"
        "Die Gruppe Wohnen sieht Handlungsbedarf bei der Vermittlung von Wohnungen an Geflüchtete.\n"
    )
    document, passages = parse_file(tmp_path, "ergebnisse.txt", text)
    assert [(p.section, p.lines) for p in passages] == [
        ("Ergebnisse der Gruppenarbeit", (3, 4)),
        # a sentence is never a heading, even when it is short and alone
        ("Ergebnisse der Gruppenarbeit", (6, 6)),
        ("Ergebnisse der Gruppenarbeit", (8, 8)),
    ]
    assert_verbatim(document, passages)


def test_list_of_short_lines_is_not_taken_for_headings(tmp_path):
    text = (
        "Ankommen\n\nBegrüßung\n\nVortrag\n\n"
        "Die Diskussion dauerte bis zum Ende des Abends und war lebhaft.\nAlle blieben.\n"
    )
    document, passages = parse_file(tmp_path, "programm.txt", text)
    assert [(p.section, p.lines) for p in passages] == [(None, (1, 5)), (None, (7, 8))]
    assert_verbatim(document, passages)


def test_a_paragraph_ending_in_a_colon_keeps_what_it_introduces(tmp_path):
    text = (
        "## Abstimmung\n\n"
        "Nach Diskussion wurde abgestimmt. Jeder Teilnehmer hatte fünf Stimmen für seine wichtigsten Themen.\n\n"
        "Ergebnis der Abstimmung in der Reihenfolge der Stimmen:\n\n"
        "1. Kino\n2. Nachbarschaftshilfe\n3. Fahrradweg\n\n"
        "Die Arbeitsgruppen treffen sich im Mai. Alle Bürger sind herzlich eingeladen, sich zu beteiligen.\n"
    )
    document, passages = parse_file(tmp_path, "runde.md", text)
    # the result's list is cited with the line that says what it is; prose before and after stands alone
    assert [p.lines for p in passages] == [(3, 3), (5, 9), (11, 11)]
    assert passages[1].text.startswith("Ergebnis der Abstimmung") and passages[1].text.endswith("3. Fahrradweg")
    assert_verbatim(document, passages)


def test_short_fields_share_a_passage_like_bullets(tmp_path):
    text = "Teilnehmer: ca. 20 Bürger\nModeration: Julia Langner\n\n* Dauer: 19 - 21 Uhr\n\n## Agenda\n\n1. Begrüßung\n"
    document, passages = parse_file(tmp_path, "runde.md", text)
    # the meeting's facts are one passage, not three to compete with each other
    assert [(p.board, p.lines) for p in passages] == [("Einleitung", (1, 4)), ("Agenda", (8, 8))]
    # a sentence ending in a colon is no field
    _, prose = parse_file(tmp_path, "prosa.txt", "Ergebnis: Der Antrag wurde nach langer Diskussion abgelehnt.\n\n"
                          "Die Sitzung endete um zehn Uhr abends nach einem langen Abend.\n")
    assert [p.lines for p in prose] == [(1, 1), (3, 3)]


def test_markup_is_cleaned_but_words_kept(tmp_path):
    text = "<p>Anregung 1:   Kampagne\tfür neue Wohnformen</p>\n"
    document, passages = parse_file(tmp_path, "tabelle.txt", text)
    assert [item.text for item in passages[0].items] == ["Anregung 1: Kampagne für neue Wohnformen"]


SENTENCES = [
    f"In der Gruppe {n} wurde lange darüber gesprochen, wie Begegnung im Quartier gefördert werden kann, "
    f"und welche Räume dafür in Frage kommen."
    for n in range(1, 26)
]
LONG_LINE = " ".join(SENTENCES)


def test_long_single_line_is_split_at_sentence_ends(tmp_path):
    assert 2800 < len(LONG_LINE) < 3600
    document, passages = parse_file(tmp_path, "lang.txt", f"Kurzer Absatz.\n\n{LONG_LINE}\n")
    assert [p.lines for p in passages] == [(1, 1), (3, 3)]
    parent = passages[1]
    parts = generic.split_long(passages)
    assert parts[0] is passages[0]  # short passages stay the same object
    split = parts[1:]
    assert len(split) >= 3
    source = clean_line(document.line(3))
    covered = set()
    for number, part in enumerate(split, start=1):
        assert len(part.text) <= generic.MAX_CHARS
        assert [item.line for item in part.items] == [3]
        start = source.find(part.text)
        assert start >= 0
        covered.update(range(start, start + len(part.text)))
        # boundaries at sentence ends: each part is whole sentences
        assert part.text.startswith("In der Gruppe ")
        assert part.text.endswith("in Frage kommen.")
        for field in ("source", "doc_title", "board_kind", "board", "section", "place", "topic", "topic_no"):
            assert getattr(part, field) == getattr(parent, field)
        assert part.meta == {**parent.meta, "part": number, "parts": len(split)}
    assert covered == set(range(len(source)))  # nothing lost between parts
    assert len({part.id for part in split} | {parent.id}) == len(split) + 1
    assert_verbatim(document, split)


def test_long_multiline_passage_splits_at_line_breaks():
    from index.passage import Item, Passage

    lines = [f"Anregung {n}: Ein Beispieltext über Maßnahmen im Stadtteil Nummer {n}." for n in range(1, 40)]
    passage = Passage(
        source="x.txt",
        doc_title="X",
        board_kind="table_row",
        board="Workshop 1",
        section=None,
        items=[Item(text, 10 + n, "Angebot") for n, text in enumerate(lines)],
        place="Minden",
    )
    parts = generic.split_long([passage], max_chars=500, overlap_chars=0)
    assert len(parts) >= 5
    seen = [item for part in parts for item in part.items]
    # whole lines, each exactly once, in order, with line numbers and labels kept
    assert [(item.text, item.line) for item in seen] == [(item.text, item.line) for item in passage.items]
    assert all(item.label == "Angebot" for item in seen)
    assert all(part.place == "Minden" and part.board_kind == "table_row" for part in parts)


def test_line_without_any_separator_is_still_split(tmp_path):
    document, passages = parse_file(tmp_path, "url.txt", "https://example.org/" + "a" * 2500 + "\n")
    parts = generic.split_long(passages)
    assert len(parts) >= 3
    assert all(part.items[0].line == 1 and part.text in document.line(1) for part in parts)


def test_empty_and_blank_documents_give_no_passages(tmp_path):
    assert parse_file(tmp_path, "leer.txt", "")[1] == []
    assert parse_file(tmp_path, "blank.md", "\n  \n\t\n\n")[1] == []
    assert generic.split_long([]) == []


def test_odd_text_does_not_raise(tmp_path):
    text = "\x07\x1b[31m Farbe\n#\n# \n######\n=====\n" + "ä" * 5000 + "\nx\x0cy\n---\n"
    document, passages = parse_file(tmp_path, "odd.md", text)
    parts = generic.split_long(passages)
    assert parts
    assert_verbatim(document, parts)


def test_detect_accepts_everything(tmp_path):
    document = read_document(write(tmp_path, "a.txt", "x\n"), tmp_path)
    assert generic.detect(document) is True
    assert generic.KIND == "generic"


def test_setext_heading(tmp_path):
    text = "Zielsetzung\n===========\nAktivitäten in den Quartieren bündeln und Erfahrungen austauschen.\n"
    _, passages = parse_file(tmp_path, "ziel.md", text)
    assert [(p.section, p.lines) for p in passages] == [("Zielsetzung", (3, 3))]
    assert not re.search(r"=", passages[0].text)


def test_pdf_cards_with_counts_are_passages_of_their_own_and_no_headings():
    from index.documents import Document, DocumentMeta

    lines = ["Große Themen", "Alt werden im Ort, wo", "bekomme ich Hilfe?", "4", "Litfaßsäule  1",
             "Dorfladen  1", "DSL nächste Stufe  3", "Allee als", "Dorfeinfahrt", "1"]
    document = Document("karten.pdf", lines, DocumentMeta(title="Themensammlung"), pages=[1] * len(lines))
    passages = generic.parse(document)
    assert {p.section for p in passages} == {"Große Themen"}  # "Litfaßsäule 1" is a card, not a heading
    texts = [p.text for p in passages]
    assert "Alt werden im Ort, wo\nbekomme ich Hilfe?\n4" in texts  # a card ends at its count
    assert any("DSL nächste Stufe 3" in text and "Allee" not in text for text in texts)


def test_a_pdf_whose_pages_have_titles_heads_each_page_with_its_title():
    # A deck of pin-board pages: each page opens with its title (after the first, which is the document's), even
    # where the page before ends in a card's count and the first card is short ("Bürgerrunde" over
    # "regelmäßige Treffen").
    from index.documents import Document, DocumentMeta

    pages = [
        ["Am 23.04.2015 priorisierte Themen", "Kino  9", "Nachbarschaftshilfe  9", "Kultur  5"],
        ["", "Veranstaltungen & Kultur", "Kultur / Musik", "Erweiterung des kulturellen", "Lebens", "5",
         "Bücherecke  4"],
        ["", "Bürgerrunde", "regelmäßige Treffen", "Wunsch nach allgemeiner", "Vernetzung", "1"],
        ["", "Ermittlung Hilfsbedarf", "Unterstützung / Hilfebedürfnis", "feststellen und melden", "2"],
    ]
    lines = [line for page in pages for line in page]
    numbers = [number for number, page in enumerate(pages, start=1) for _ in page]
    document = Document("themen.pdf", lines, DocumentMeta(title="Themensammlung"), pages=numbers)
    passages = generic.parse(document)
    by_section = {}
    for passage in passages:
        by_section.setdefault(passage.section, []).append(passage.text)
    assert list(by_section)[1:] == ["Veranstaltungen & Kultur", "Bürgerrunde", "Ermittlung Hilfsbedarf"]
    assert any("regelmäßige Treffen" in text for text in by_section["Bürgerrunde"])
    assert any("Kino 9" in text for text in by_section[list(by_section)[0]])  # the first page: no title of its own


def test_running_text_carried_over_to_the_next_page_is_no_title():
    # a report whose pages mostly open mid-sentence: a page that happens to open with a short capitalised line
    # ("Spielplatz und Dorfladen", the sentence goes on) has no title
    from index.documents import Document, DocumentMeta

    pages = [
        ["Die Gemeinde hat im vergangenen Jahr viel erneuert, vor allem", "den"],
        ["", "Spielplatz und Dorfladen", "im Ortskern.", "Die Anwohner hatten es gefordert, und"],
        ["", "der Winterdienst wurde", "neu geregelt."],
        ["", "mit einem zweiten", "Fahrzeug."],
    ]
    lines = [line for page in pages for line in page]
    numbers = [number for number, page in enumerate(pages, start=1) for _ in page]
    document = Document("bericht.pdf", lines, DocumentMeta(title="Bericht"), pages=numbers)
    assert "Spielplatz und Dorfladen" not in {passage.section for passage in generic.parse(document)}


def test_links_closing_a_markdown_document_are_its_attachments_not_its_last_sections_words(tmp_path):
    text = ("## Car Sharing\n\n* Die Buchung geht online oder per App.\n\n## Winterdienst\n\n"
            "Der Dorfplatz muss im Winter geräumt werden.\n\n\n"
            "[Car_Sharing_Stadtmobil.pdf](/assets/pdfs/Car_Sharing_Stadtmobil.pdf)\n"
            "- [Folien_E-Mobilität.pdf](/assets/pdfs/Folien.pdf)\n\nBildquelle: [my-e-car](https://example.org/start)\n")
    document, passages = parse_file(tmp_path, "runde.md", text)
    assert_verbatim(document, passages)
    by_section = {passage.section: passage for passage in passages}
    assert [item.text for item in by_section["Winterdienst"].items] == ["Der Dorfplatz muss im Winter geräumt werden."]
    attached = [passage for passage in passages if passage.section == generic.ATTACHMENTS]
    assert [item.line for passage in attached for item in passage.items] == [10, 11, 13]
    assert all(passage.meta["attachments"] for passage in attached)
    # a link within the text, or a document that ends with prose after its links, keeps them where they stand
    _, passages = parse_file(tmp_path, "mitte.md", "## Verkehr\n\nSiehe [Plan](plan.pdf).\n\n[a.pdf](a.pdf)\n\n"
                                                   "Anmeldung bis 3.5.: [Formular](f.pdf)\n")
    assert all(not passage.meta.get("attachments") for passage in passages)
    assert {passage.section for passage in passages} == {"Verkehr"}


def test_a_documents_attached_files_do_not_outrank_what_it_says(tmp_path_factory):
    base = tmp_path_factory.mktemp("attached")
    write_file(base / "corpus" / "runde.md",
               "## Vortrag\n\n* Der Zugang zum Auto erfolgt per Chipkarte.\n* Die Buchung geht online oder per App."
               "\n\n## Winterdienst\n\nDer Dorfplatz muss im Winter geräumt werden.\n\n"
               "[Car_Sharing_Stadtmobil_Buchung.pdf](/assets/pdfs/Car_Sharing_Stadtmobil_Buchung.pdf)\n")
    assistant = Assistant.load(corpus_dir=base / "corpus", index_dir=base / "index")
    answer = assistant.ask("Wie geht die Buchung beim Car Sharing von Stadtmobil?")
    assert answer.passages[0].passage.section == "Vortrag", answer.text
    assert "Chipkarte" not in answer.lead or "Buchung" in answer.lead
    # asked for by its name, the list is found
    assert assistant.ask("Welche Anhänge hat das Protokoll?").passages[0].passage.meta.get("attachments")

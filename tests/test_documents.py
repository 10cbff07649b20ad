"""Reading corpus files (TXT, MD, PDF, DOCX, manifests) into numbered lines and generic passages."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from fpdf import FPDF

from index.documents import CorpusError, corpus_files, read_document
from index.layouts import generic
from index.layouts.common import clean_line

PAGE_1 = [
    "Die Teilnehmenden wünschen sich mehr Begegnungsorte im Quartier. Besonders ältere Menschen und "
    "Familien brauchen Räume, in denen sie sich ohne Verzehrzwang treffen können.",
    "Außerdem wurde über Sprachförderung gesprochen. Kurse für Mütter sollen mit Kinderbetreuung "
    "angeboten werden, damit Frauen überhaupt teilnehmen können.",
]
PAGE_2 = (
    "Auf der zweiten Seite geht es um Straßenfeste: Die Nachbarschaft möchte jährlich ein großes Fest feiern."
)


def make_pdf(path: Path, title: str | None = None) -> None:
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.multi_cell(0, 8, "Ergebnisse der Arbeitsgruppe")
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    for paragraph in PAGE_1:
        pdf.multi_cell(0, 6, paragraph)
        pdf.ln(4)
    pdf.add_page()
    pdf.multi_cell(0, 6, PAGE_2)
    pdf.output(str(path))


def test_pdf_lines_pages_and_passages(tmp_path):
    make_pdf(tmp_path / "protokoll.pdf")
    document = read_document(tmp_path / "protokoll.pdf", tmp_path)
    assert document.pages is not None and len(document.pages) == len(document.lines)
    text = "\n".join(document.lines)
    assert "Außerdem wurde über Sprachförderung" in text  # umlauts and ß survive
    first_of_page_2 = document.pages.index(2)
    assert document.lines[first_of_page_2] == ""  # a blank line separates the pages
    assert document.lines[first_of_page_2 + 1].startswith("Auf der zweiten Seite")

    passages = generic.parse(document)
    assert [p.section for p in passages] == ["Ergebnisse der Arbeitsgruppe"] * 3
    assert [p.meta["page"] for p in passages] == [1, 1, 2]
    # wrapped lines of one paragraph form one passage; each PDF paragraph is its own passage
    assert [" ".join(item.text for item in p.items) for p in passages] == [*PAGE_1, PAGE_2]
    assert passages[2].lines[0] == first_of_page_2 + 2
    assert passages[2].citation.endswith(" · S. 2")  # a PDF's passage is cited with its page
    for passage in passages:
        assert all(document.pages[item.line - 1] == passage.meta["page"] for item in passage.items)
        assert all(item.text == clean_line(document.line(item.line)) for item in passage.items)


def make_docx(path: Path) -> None:
    document = docx.Document()
    document.add_heading("Bildung und Sprache", level=1)
    document.add_paragraph(
        "Die Kitas brauchen mehr Fachkräfte mit Sprachkenntnissen, besonders in Schalke und Bismarck."
    )
    document.add_paragraph(
        "Eltern sollen früher über Angebote informiert werden, etwa durch mehrsprachige Briefe."
    )
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Herausforderung"
    table.cell(0, 1).text = "Maßnahme"
    table.cell(1, 0).text = "Zu wenig Kitaplätze"
    table.cell(1, 1).text = "Brückenprojekte ausbauen"
    german_heading = document.styles.add_style("Überschrift 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Wohnen", style=german_heading)
    document.add_paragraph(
        "Bezahlbarer Wohnraum ist in allen Stadtteilen knapp, vor allem für große Familien."
    )
    document.save(str(path))


def test_docx_headings_paragraphs_and_table(tmp_path):
    make_docx(tmp_path / "workshop.docx")
    document = read_document(tmp_path / "workshop.docx", tmp_path)
    assert "# Bildung und Sprache" in document.lines
    assert "## Wohnen" in document.lines
    assert "Herausforderung\tMaßnahme" in document.lines

    passages = generic.parse(document)
    got = [(p.board, p.section, p.text) for p in passages]
    assert got == [
        (
            "Bildung und Sprache",
            "Bildung und Sprache",
            "Die Kitas brauchen mehr Fachkräfte mit Sprachkenntnissen, besonders in Schalke und Bismarck.",
        ),
        (
            "Bildung und Sprache",
            "Bildung und Sprache",
            "Eltern sollen früher über Angebote informiert werden, etwa durch mehrsprachige Briefe.",
        ),
        (
            "Bildung und Sprache",
            "Bildung und Sprache",
            "Herausforderung Maßnahme\nZu wenig Kitaplätze Brückenprojekte ausbauen",
        ),
        (
            "Wohnen",
            "Wohnen",
            "Bezahlbarer Wohnraum ist in allen Stadtteilen knapp, vor allem für große Familien.",
        ),
    ]
    for passage in passages:
        assert "page" not in passage.meta
        assert all(item.text == clean_line(document.line(item.line)) for item in passage.items)


def test_crlf_and_cr_give_the_same_line_numbers_as_lf(tmp_path):
    text = "Titel\n\nErster Absatz mit Text.\nZweite Zeile.\n\nDritter Absatz.\n"
    (tmp_path / "lf.txt").write_bytes(text.encode())
    (tmp_path / "crlf.txt").write_bytes(text.replace("\n", "\r\n").encode())
    (tmp_path / "cr.txt").write_bytes(text.replace("\n", "\r").encode())
    documents = [read_document(tmp_path / name, tmp_path) for name in ("lf.txt", "crlf.txt", "cr.txt")]
    assert documents[0].lines == documents[1].lines == documents[2].lines
    assert len(documents[0].lines) == 6
    spans = [[(p.section, p.lines, p.text) for p in generic.parse(document)] for document in documents]
    assert spans[0] == spans[1] == spans[2]
    assert spans[0] == [
        ("Titel", (3, 4), "Erster Absatz mit Text.\nZweite Zeile."),
        ("Titel", (6, 6), "Dritter Absatz."),
    ]


def test_utf8_bom_is_dropped(tmp_path):
    (tmp_path / "bom.txt").write_bytes("\ufeffÜberblick\n".encode())
    assert read_document(tmp_path / "bom.txt", tmp_path).lines == ["Überblick"]


def test_latin1_file_is_refused_with_advice(tmp_path):
    (tmp_path / "alt.txt").write_bytes("Straßenfest für Familien".encode("latin-1"))
    with pytest.raises(CorpusError) as error:
        read_document(tmp_path / "alt.txt", tmp_path)
    message = str(error.value)
    assert "alt.txt" in message
    assert "UTF-8" in message and "Speichern Sie die Datei" in message


def test_binary_file_named_txt_is_refused(tmp_path):
    (tmp_path / "bild.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(CorpusError, match="bild.txt"):
        read_document(tmp_path / "bild.txt", tmp_path)


@pytest.mark.parametrize("name", ["kaputt.pdf", "kaputt.docx"])
def test_broken_pdf_and_docx_are_refused(tmp_path, name):
    (tmp_path / name).write_bytes(b"this is not what the name says\n" * 20)
    with pytest.raises(CorpusError, match=name):
        read_document(tmp_path / name, tmp_path)


def test_empty_file_gives_no_passages(tmp_path):
    (tmp_path / "leer.md").write_bytes(b"")
    document = read_document(tmp_path / "leer.md", tmp_path)
    assert document.lines == []
    assert generic.parse(document) == []


def test_manifest_sets_title_and_city(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "konferenz_2019.txt"
    path.write_text("Ein Absatz über die Konferenz in der Altstadt.\n", encoding="utf-8")
    manifest = {
        "title": "Integrationskonferenz Mitte",
        "city": "Gelsenkirchen",
        "date": "2019-02-13",
        "room": "A",
    }
    (tmp_path / "sub" / "konferenz_2019.txt.meta.json").write_text(json.dumps(manifest), encoding="utf-8")
    document = read_document(path, tmp_path)
    assert document.source == "sub/konferenz_2019.txt"
    assert document.meta.title == "Integrationskonferenz Mitte"
    assert document.meta.city == "Gelsenkirchen"
    assert document.meta.extra == {"room": "A"}
    [passage] = generic.parse(document)
    assert passage.source == "sub/konferenz_2019.txt"
    assert passage.doc_title == "Integrationskonferenz Mitte"
    assert passage.meta["city"] == "Gelsenkirchen" and passage.meta["date"] == "2019-02-13"


def test_title_falls_back_to_file_name(tmp_path):
    path = tmp_path / "workshop_phase-1.txt"
    path.write_text("Text.\n", encoding="utf-8")
    assert read_document(path, tmp_path).meta.title == "workshop phase 1"


FRONT_MATTER = """\
---
title: Bürgerrunde Mai 2016
categories: [ Bürgerrunde ]
event: 2016-05-12 19:30:00
location: Ratssaal
description: "Dorfladen und seine Finanzierung"
---

### Dorfladen

Der Dorfladen soll als Genossenschaft weitergeführt werden.

#### Finanzierung

Die Genossenschaft sammelt Anteile zu 100 Euro.
"""


def test_front_matter_gives_title_and_date_and_only_its_time_and_place_are_indexed(tmp_path):
    path = tmp_path / "2016-05-12-runde.md"
    path.write_text(FRONT_MATTER, encoding="utf-8")
    document = read_document(path, tmp_path)
    assert document.meta.title == "Bürgerrunde Mai 2016"
    assert document.meta.date == "2016-05-12"
    assert document.meta.short_title == "Bürgerrunde Mai 2016 vom 12.05.2016"
    assert document.meta.origin == {"title": "Front Matter", "date": "Front Matter"}
    # the front matter's lines stay (blank but for when and where the meeting was), so every other line keeps its
    # number; "Um wie viel Uhr begann …?" is answered by the event's line
    assert len(document.lines) == len(FRONT_MATTER.splitlines())
    assert document.lines[:7] == ["", "", "", "event: 2016-05-12 19:30:00", "location: Ratssaal", "", ""]
    passages = generic.parse(document)
    assert not any(word in p.text for p in passages for word in ("categories", "description", "title:"))
    assert [p.lines for p in passages if "location: Ratssaal" in p.text] == [(4, 5)]
    finance = next(p for p in passages if p.section == "Finanzierung")
    assert finance.meta["parent"] == "Dorfladen"
    assert finance.context() == "Bürgerrunde Mai 2016 vom 12.05.2016 | Dorfladen | Finanzierung"
    line = FRONT_MATTER.splitlines().index("Die Genossenschaft sammelt Anteile zu 100 Euro.") + 1
    assert finance.lines == (line, line)


def test_manifest_wins_over_what_the_document_says(tmp_path):
    path = tmp_path / "runde.md"
    path.write_text(FRONT_MATTER, encoding="utf-8")
    (tmp_path / "runde.md.meta.json").write_text(json.dumps({"title": "Runde im Mai", "city": "Heuweiler"}),
                                                  encoding="utf-8")
    meta = read_document(path, tmp_path).meta
    assert meta.title == "Runde im Mai" and meta.city == "Heuweiler" and meta.short_title is None
    assert meta.date == "2016-05-12"  # the manifest states no date: the document's
    assert meta.origin == {"title": "Manifest", "city": "Manifest", "date": "Front Matter"}


def test_first_heading_is_the_title_not_the_file_name(tmp_path):
    path = tmp_path / "20240312.txt"
    path.write_text("Niederschrift der Sitzung des\nGemeinderats Talheim\n\nSitzung Nr. 14 am 12. März 2024\n\n"
                    "Der Gemeinderat tagte öffentlich.\n", encoding="utf-8")
    meta = read_document(path, tmp_path).meta
    assert meta.title == "Niederschrift der Sitzung des Gemeinderats Talheim"
    assert meta.date == "2024-03-12" and meta.number == 14


def test_pdf_metadata_title_when_it_names_the_document(tmp_path):
    for title, expected in (("Gemeinderatsprotokoll", "Gemeinderatsprotokoll"),
                            ("Microsoft Word - sitzung.docx", "Ergebnisse der Arbeitsgruppe"),
                            ("protokoll", "Ergebnisse der Arbeitsgruppe")):
        make_pdf(tmp_path / "protokoll.pdf", title=title)
        assert read_document(tmp_path / "protokoll.pdf", tmp_path).meta.title == expected, title


@pytest.mark.parametrize("content", ['{"title": "x",', "[1, 2]", b"\xff\xfe{}"])
def test_broken_manifest_is_refused_naming_it(tmp_path, content):
    path = tmp_path / "protokoll.txt"
    path.write_text("Text.\n", encoding="utf-8")
    manifest = tmp_path / "protokoll.txt.meta.json"
    if isinstance(content, bytes):
        manifest.write_bytes(content)
    else:
        manifest.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"protokoll\.txt\.meta\.json"):
        read_document(path, tmp_path)


def test_corpus_files_skips_hidden_files_and_manifests(tmp_path):
    for name in (
        "b.txt",
        "a.md",
        "c.PDF",
        "d.docx",
        "a.md.meta.json",
        ".hidden.txt",
        "notes.odt",
        "sub/e.txt",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "f.txt").write_text("x", encoding="utf-8")
    (tmp_path / "folder.txt").mkdir()  # a folder with a document's suffix is no document
    found = [path.relative_to(tmp_path).as_posix() for path in corpus_files(tmp_path)]
    assert found == ["a.md", "b.txt", "c.PDF", "d.docx", "sub/e.txt"]


def test_corpus_files_missing_folder(tmp_path):
    with pytest.raises(CorpusError, match="gibt es nicht"):
        corpus_files(tmp_path / "nirgends")
    (tmp_path / "datei.txt").write_text("x", encoding="utf-8")
    with pytest.raises(CorpusError, match="ist kein Ordner"):
        corpus_files(tmp_path / "datei.txt")

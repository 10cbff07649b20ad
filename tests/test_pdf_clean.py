"""PDFs cleaned before splitting: letterhead, running header with page numbers and footers out, words broken at
line ends joined, soft hyphens; the cleaned lines are what citations and the source view point at."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from index.documents import read_document
from index.layouts import parse_document
from index.layouts.common import clean_line
from index.pdf_clean import clean_pages

LETTERHEAD = ["Protokoll der Sitzung des", "Ortschaftsrats Birkenau"]
FOOTER = ["Ortsverwaltung Birkenau, Lindenstraße 4, 69488 Birkenau", "Konto DE12 3456 7890 1234 5678 90"]

# The body as it is set on the pages: wrapped lines, some ending in a hyphen. Every page gets the letterhead,
# "Sitzung vom 12. März 2024 / Seite N" and the footer.
PAGES = [
    [
        "Anwesend: 9 Mitglieder des Ortschaftsrats, Ortsvorsteherin Lang.",
        "",
        "1. Radweg nach Oberdorf",
        "",
        "Ortsvorsteherin Lang, FW: Die Verwaltung hat die Planung für den Rad- und",
        "Fußweg nach Oberdorf vorgelegt. Die Gemein-",
        "de übernimmt ein Drittel der Kosten, den Rest trägt der Landkreis. Die Bau-",
        "arbeiten sollen im Frühjahr beginnen und bis zum Herbst dauern, sofern die För-",
    ],
    [
        "dermittel rechtzeitig bewilligt werden.",
        "",
        "Beschlussfassung",
        "",
        "Der Planung wird mit 8:1 Stimmen zugestimmt.",
        "",
        "2. Spielplatz am Bach",
        "",
        "Berger, SPD: Die Schaukel am Bach ist seit dem Winter defekt; Eltern bitten um",
        "eine rasche Reparatur und um eine Bank im Schatten der Alimenten-",
        "Bevorschussung zum Trotz.",
    ],
    [
        "Beschlussfassung",
        "",
        "Die Reparatur wird einstimmig beschlossen.",
        "",
        "3. Verschiedenes",
        "",
        "Die nächste Sitzung findet nach den Sommerferien im Rathaus statt. Eingeladen",
        "werden auch die Vereine des Ortes.",
    ],
]


def _page(pdf: FPDF, number: int, body: list[str]) -> None:
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    for line in LETTERHEAD:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Sitzung vom 12. März 2024 / Seite {number}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", size=11)
    for line in body:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-30)
    pdf.set_font("Helvetica", size=8)
    for line in FOOTER:
        pdf.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")


def minutes_pdf(path: Path) -> Path:
    """A three-page council minutes PDF with letterhead, running header with page numbers and a footer."""
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for number, body in enumerate(PAGES, start=1):
        _page(pdf, number, body)
    pdf.output(str(path))
    return path


def test_letterhead_header_with_page_number_and_footer_are_removed(tmp_path):
    document = read_document(minutes_pdf(tmp_path / "rat.pdf"), tmp_path)
    text = "\n".join(document.lines)
    for line in [*LETTERHEAD, *FOOTER]:
        assert line not in text
    assert "Seite" not in text and "Sitzung vom 12. März 2024" not in text
    assert "Die Verwaltung hat die Planung" in text
    # the page of every line is kept, pages are separated by one blank line
    assert len(document.pages) == len(document.lines)
    first_of_page_2 = document.pages.index(2)
    assert document.lines[first_of_page_2] == ""


def test_broken_words_are_joined_and_real_hyphens_kept(tmp_path):
    document = read_document(minutes_pdf(tmp_path / "rat.pdf"), tmp_path)
    lines = [clean_line(line) for line in document.lines]
    assert "Fußweg nach Oberdorf vorgelegt. Die Gemeinde" in lines
    assert "übernimmt ein Drittel der Kosten, den Rest trägt der Landkreis. Die Bauarbeiten" in lines
    assert any(line.endswith("Rad- und") for line in lines)  # "Rad- und Fußweg" keeps its hyphen
    # over a page break: "För-" / "dermittel" joined on page 1, and the rest stays on page 2
    joined = next(n for n, line in enumerate(lines) if line.endswith("sofern die Fördermittel"))
    assert document.pages[joined] == 1
    assert "rechtzeitig bewilligt werden." in lines
    # a capital after the hyphen is a compound that keeps it
    assert any("Alimenten-Bevorschussung" in line for line in lines)
    assert not any(line.endswith(("Gemein-", "Bau-", "För-")) for line in lines)


def test_title_date_and_no_boilerplate_passage(tmp_path):
    document = read_document(minutes_pdf(tmp_path / "rat.pdf"), tmp_path)
    assert document.meta.title == "Protokoll der Sitzung des Ortschaftsrats Birkenau"  # the letterhead
    assert document.meta.date == "2024-03-12"  # from the running header taken out
    assert document.meta.short_title == "Protokoll der Sitzung des Ortschaftsrats Birkenau vom 12.03.2024"
    assert document.meta.origin == {"title": "Briefkopf", "date": "Kopf des Dokuments"}
    passages = parse_document(document)
    texts = [passage.text for passage in passages]
    assert not any(line in text for text in texts for line in [*LETTERHEAD, *FOOTER])
    assert len(set(texts)) == len(texts)
    for passage in passages:
        for item in passage.items:  # every cited line is a line of the cleaned text, as the source view shows it
            assert item.text in clean_line(document.line(item.line))
            assert document.pages[item.line - 1] in range(passage.meta["page"], passage.meta.get(
                "page_end", passage.meta["page"]) + 1)


def test_page_numbers_must_follow_the_page_and_counts_are_kept():
    pages = [[f"Thema {n}", f"Karte {n}: ein Vorschlag zum Ort", str(count)]
             for n, count in enumerate([2, 7, 2, 1, 2], start=1)]
    cleaned = clean_pages(pages)
    # a vote count at the bottom of most pages is no page number: it does not follow the page
    assert [line for line in cleaned.lines if line.isdigit()] == ["2", "7", "2", "1", "2"]
    numbered = clean_pages([[f"Thema {n}", f"Eintrag {n * 3}", f"- {n} -"] for n in range(1, 6)])
    assert not any(line.startswith("- ") for line in numbered.lines)
    assert [line for line in numbered.lines if line.startswith("Eintrag")] == [f"Eintrag {n * 3}" for n in range(1, 6)]


def test_soft_hyphens():
    cleaned = clean_pages([["Die Gemein\u00adde plant ein Bürger\u00adCafé", "\u00ad Konzertreihen", "Verkehrs\u00ad",
                            "beruhigung im Ort"]])
    assert cleaned.lines == ["Die Gemeinde plant ein Bürger-Café", "- Konzertreihen", "Verkehrsberuhigung",
                             "im Ort"]


def test_two_page_pdf_keeps_its_lines():
    # too few pages to tell furniture from text
    cleaned = clean_pages([["Kopf", "Erster Absatz."], ["Kopf", "Zweiter Absatz."]])
    assert cleaned.lines == ["Kopf", "Erster Absatz.", "", "Kopf", "Zweiter Absatz."]
    assert cleaned.removed == 0

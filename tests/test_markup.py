"""The transcription's markup, removed by one rule (index/markup.py) for the parsers, the source view, the check
whether a source still holds a passage, and the evaluation."""

from __future__ import annotations

import pytest

from assistant.evaluate import contains, normalize
from index.layouts import common, tables
from index.markup import clean_cells, clean_line, strip_markup
from ui import sources


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("<p>Wohnraum fehlt</p>", "Wohnraum fehlt"),
        ("Kita<br>Plätze", "Kita Plätze"),  # a tag between two words keeps them apart
        ("<P CLASS='x'>Text</P> <br/> <span>mehr</span>", "Text mehr"),
        ("EMPOWERMENT \\Rightarrow aktive Gestaltung", "EMPOWERMENT ⇒ aktive Gestaltung"),
        ("Schritte \\rightarrow Lösungen \\leftarrow \\Leftarrow", "Schritte → Lösungen ← ⇐"),
        ("- Infrastruktur / ^{Verbindung} Bus + Bahn", "- Infrastruktur / Verbindung Bus + Bahn"),
        ("  a\t\tb\u00a0 c  ", "a b c"),
        ("Mitte **„Teilhabe gestalten“** und **Gemeinschaft**", "Mitte „Teilhabe gestalten“ und Gemeinschaft"),
        ("**<br>Teilhabe** und (**fett**)", "Teilhabe und (fett)"),
        # Not markup: left as written.
        ("Kinder <6 Jahre> und Bürger*innen ~ 20 %", "Kinder <6 Jahre> und Bürger*innen ~ 20 %"),
        ("<img src=x> <script>", "<img src=x> <script>"),
        ("x^2 und {Klammern}", "x^2 und {Klammern}"),
        ("* Punkt mit 2 ** 3 und *kursiv*", "* Punkt mit 2 ** 3 und *kursiv*"),
        ("x**2 + y**2 und Preis**: 5 € und Rabatt**: 3", "x**2 + y**2 und Preis**: 5 € und Rabatt**: 3"),
        ("***Achtung***", "***Achtung***"),
    ],
)
def test_clean_line(raw, clean):
    assert clean_line(raw) == clean


def test_strip_markup_keeps_white_space_and_cells():
    assert strip_markup("<p>a</p>\t<p>b</p>") == " a \t b "
    assert clean_cells("<p>a</p>\t<p>b \\Rightarrow c</p>\t") == ["a", "b ⇒ c", ""]
    assert clean_cells("ohne Tabulator") == ["ohne Tabulator"]


def test_table_cells_split_at_paragraph_tags_only():
    assert tables.cell_paragraphs("<p>Erstens</p> <p>Zweitens <b>fett</b></p>") == ["Erstens", "Zweitens fett"]
    assert tables.cell_paragraphs('<p class="x">Mit Attribut</p><p>Ohne Ende') == ["Mit Attribut", "Ohne Ende"]


def test_every_caller_uses_the_one_rule():
    assert common.clean_line is clean_line and tables.clean_line is clean_line
    line = "<p>Mehr \\Rightarrow Wohnungen</p>\t<p>^{neu}</p>"
    assert sources.shown_line(line) == "Mehr ⇒ Wohnungen\tneu"
    assert normalize(line) == "mehr ⇒ wohnungen neu"
    assert contains("Mehr ⇒ Wohnungen", "mehr \\Rightarrow <b>Wohnungen</b>")


def test_the_source_view_keeps_a_sub_items_indentation():
    assert sources.shown_line(" - ↳ Transparenz") == " - ↳ Transparenz"


def test_a_snippet_matches_whichever_way_its_umlauts_are_written():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Die Bürgerrunde beschließt")
    assert contains(decomposed, "Bürgerrunde beschließt")
    assert contains("Die Bürgerrunde beschließt", unicodedata.normalize("NFD", "Bürgerrunde"))

"""Markdown export of a conversation and the links that ask a question."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from assistant.answer import Answer
from assistant.retrieve import Hit
from index import Item, Passage
from ui.export import citation_line, conversation_markdown, german_date, question_link


def hostile_answer() -> Answer:
    passage = Passage(
        source="werkstatt.txt",
        doc_title="Werkstatt",
        board_kind="section",
        board="Handlungsbedarfe",
        section="Handlungsbedarfe",
        items=[Item("Spielplätze <img src=x onerror=alert(1)>", 4), Item("[Link](javascript:alert(1))", 5)],
        meta={"doc_short_title": "Werkstatt *kurz*", "city": "Minden", "date": None},
    )
    many = Passage(
        source="werkstatt.txt",
        doc_title="Werkstatt",
        board_kind="section",
        board="Lange Tafel",
        section=None,
        items=[Item(f"Punkt {n}", 10 + n) for n in range(20)],
        meta={"doc_short_title": "Werkstatt", "city": "Minden", "date": "2020-05-04"},
    )
    text = "Gefunden: 2 Stellen.\n- Spielplätze &lt;img&gt; [1]"
    return Answer(text=text, passages=[Hit(passage, 1.0), Hit(many, 0.8)])


def test_german_date():
    assert german_date("2019-02-13") == "13.02.2019"
    assert german_date("Frühjahr 2019") == "Frühjahr 2019"
    assert german_date(None) is None


def test_citation_line_names_document_board_city_date_file_and_lines():
    passage = hostile_answer().passages[1]
    line = citation_line(2, passage)
    assert line.startswith("\\[2\\] Werkstatt · Lange Tafel")
    assert "Minden, 04.05.2020, Datei werkstatt.txt, Zeilen 10–29" in line


def test_export_has_questions_answers_and_quoted_sources():
    answer = hostile_answer()
    text = conversation_markdown([("Was fehlt <b>hier</b>?", answer), ("Und dort?", answer)],
                                 exported_at=datetime(2026, 3, 4, 5, 6), base_url="http://127.0.0.1:7860/")
    assert text.startswith("# Unterhaltung mit dem Protokoll-Assistenten")
    assert "Exportiert am 04.03.2026 um 05:06 Uhr" in text
    assert "## Frage 1: Was fehlt &lt;b>hier&lt;/b>?" in text
    assert "## Frage 2: Und dort?" in text
    assert "<http://127.0.0.1:7860/?q=Und%20dort%3F>" in text
    assert "**Quellen**" in text
    assert "\\[1\\] Werkstatt \\*kurz\\* · Handlungsbedarfe" in text
    # Corpus text is quoted as literal text: no HTML and no link can come from a document.
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)>" in text
    assert "\\[Link\\](javascript:alert(1))" in text
    assert "> 4: Spielplätze" in text
    assert "… (8 weitere Zeilen)" in text


def test_export_names_the_filters_each_answer_was_given_under():
    answer = hostile_answer()
    text = conversation_markdown([("Was fehlt?", answer, "Ort: Nordstadt – Stadtteil, Minden; Abschnitt: *Bedarfe*"),
                                  ("Und ohne Eingrenzung?", answer, ""), ("Und so?", answer)])
    first, second, third = text.split("## Frage ")[1:]
    assert "\n*Eingegrenzt auf: Ort: Nordstadt – Stadtteil, Minden; Abschnitt: \\*Bedarfe\\**\n" in first
    assert "Eingegrenzt" not in second and "Eingegrenzt" not in third
    assert first.index("Eingegrenzt") < first.index("Gefunden: 2 Stellen")  # the note comes before the answer


def test_export_leaves_arrows_and_ampersands_as_written():
    # A protocol's "->" and "&" read as written in the file, not as HTML entities; markup still cannot start.
    passage = Passage(source="w.txt", doc_title="Werkstatt", board_kind="section", board="Tafel", section=None,
                      items=[Item("Kinder & Jugend -> mehr Angebote, 3 < 5", 2), Item("> kein Zitat", 3)],
                      meta={"date": None})
    text = conversation_markdown([("Was steht da?", Answer(text="- Kinder & Jugend -> mehr [1]",
                                                           passages=[Hit(passage, 1.0)]))])
    assert "> 2: Kinder & Jugend -> mehr Angebote, 3 < 5" in text
    assert "> 3: &gt; kein Zitat" in text  # would open a quote inside the quote


def test_empty_conversation_says_so():
    assert "leer" in conversation_markdown([])


def test_question_link_encodes_the_question_and_drops_an_old_query():
    link = question_link("http://example.org/app/?q=alt#x", "Was läuft gut in Schalke? & mehr")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == ("http", "example.org", "/app/", "")
    assert parse_qs(parts.query) == {"q": ["Was läuft gut in Schalke? & mehr"]}
    assert question_link("http://h:1", "x") == "http://h:1/?q=x"


def test_question_link_carries_the_restriction_and_reads_it_back():
    link = question_link("http://h/app/", ["Was fehlt?", "Und sonst?"],
                         {"places": ["Schalke", "Workshop 2 - Wohnen"], "sections": ["Handlungsbedarfe"]})
    query = urlsplit(link).query
    assert parse_qs(query) == {"q": ["Was fehlt?", "Und sonst?"], "ort": ["Schalke", "Workshop 2 - Wohnen"],
                               "abschnitt": ["Handlungsbedarfe"]}
    from starlette.datastructures import QueryParams

    from ui.export import link_filters
    assert link_filters(QueryParams(query)) == {"documents": [], "places": ["Schalke", "Workshop 2 - Wohnen"],
                                                "sections": ["Handlungsbedarfe"]}
    assert link_filters(QueryParams("q=x")) is None
    assert link_filters(QueryParams("q=x&ort=&ort=%20")) is None  # blank values are no restriction
    assert link_filters(QueryParams("q=x&ort=Schalke&ort=Schalke"))["places"] == ["Schalke"]
    assert question_link("http://h/", "x", {}) == "http://h/?q=x"


def test_a_where_answer_is_exported_as_the_chat_shows_it():
    from test_ui_places import where_answer

    answer = where_answer()
    answer.text = f"{answer.text}\nGefunden: 3 Stellen auf 3 Tafeln.\n\n**Nordstadt**\n- Spielplätze fehlen [1]"
    answer.lead = "Genannt wird es für Nordstadt [1], Südstadt [2–3]; nicht erwähnt in: Weststadt."
    text = conversation_markdown([("Wo fehlen Spielplätze?", answer)])
    # the lead a paragraph of its own, the table of places under it, then the rest
    lead_at, table_at, found_at = (text.index(answer.lead), text.index("| Ort | Fundstelle | Quellen |"),
                                   text.index("Gefunden: 3 Stellen"))
    assert lead_at < table_at < found_at
    assert f"{answer.lead}\n\n| Ort |" in text and "| Weststadt | *nicht erwähnt* |  |" in text
    assert "(#quelle-" not in text  # no links into a chat the file does not have

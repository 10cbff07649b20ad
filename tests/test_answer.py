"""Answer composition on the tiny corpus: framing line, verbatim items with markers, escaping, abstention."""

from __future__ import annotations

import html
import random
import re

import pytest
from markdown_it import MarkdownIt
from test_understand import (
    EMPHASIS,
    FOCUS,
    MUEHLENFELD_NEEDS,
    NEEDS,
    PROTOCOL_TITLE,
    TABLE_TITLE,
    XSS_IMG,
    XSS_LINK,
    load_tiny,
)

from assistant.answer import bullets as joined_items
from assistant.answer import escape_markdown, select_items
from index import Item, Passage
from index.lexical import GermanAnalyzer

MARKER = re.compile(r"\[(\d+)\]")
BULLET = re.compile(r"^- (?P<item>.*) \[(?P<marker>\d+)\]$")
# What corpus text must never turn into when an answer is rendered (Gradio renders Markdown with HTML).
FORBIDDEN_HTML = re.compile(r"<(a|img|script|iframe|strong|em|code|del|s)\b", re.I)


def render(markdown: str) -> str:
    """HTML as a Markdown renderer with raw HTML enabled (the unsafe case) makes it."""
    return MarkdownIt("commonmark", {"html": True}).enable("strikethrough").render(markdown)


def unescape(text: str) -> str:
    """Markdown escapes, bold and HTML entities undone: the characters a reader sees."""
    text = re.sub(r"^\*\*(.*)\*\*$", r"\1", text)  # an answering line is set in bold
    return html.unescape(re.sub(r"\\([\\`*_\[\]~])", r"\1", text))


def framing_line(answer) -> str:
    return next(line for line in answer.text.splitlines() if line.startswith(("Gefunden", "Ähnliche Stellen")))


def bullets(answer) -> list[tuple[str, int]]:
    found = []
    for line in answer.text.splitlines():
        match = BULLET.match(line)
        if match:
            found.append((match["item"], int(match["marker"])))
    return found


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_tiny(tmp_path_factory)


# --- structure ------------------------------------------------------------------------------------
def test_answer_opens_with_a_lead_and_one_framing_line(tiny):
    answer = tiny.ask("Welche Handlungsbedarfe gibt es im Lindenhof?")
    lead, first, second = answer.text.splitlines()[:3]
    assert lead == answer.lead == "Für Lindenhof steht „Handlungsbedarfe“ auf 3 Tafeln [1–3]."
    assert first.startswith("Gefunden")
    assert "Handlungsbedarfe" in first and "Lindenhof" in first
    assert "3 Stellen" in first and "3 Tafeln" in first and PROTOCOL_TITLE in first
    assert second == ""


def test_framing_counts_passages_and_boards(tiny):
    for question in ("Wer hat beim Thema Lesepaten den Hut auf?", "Welche Handlungsbedarfe gibt es im Lindenhof?"):
        answer = tiny.ask(question)
        boards = {(hit.source, hit.passage.board) for hit in answer.passages}
        counts = [int(number) for number in re.findall(r"\d+", framing_line(answer))][:2]
        assert counts == [len(answer.passages), len(boards)], question


def test_framing_for_a_place_without_a_section_reads_as_german(tiny):
    first = framing_line(tiny.ask("Was fehlt im Mühlenfeld?"))
    assert "Mühlenfeld" in first
    assert " zu in " not in first  # not "Gefunden zu in Mühlenfeld"


def test_every_item_carries_the_marker_of_its_passage(tiny):
    answer = tiny.ask("Welche Handlungsbedarfe gibt es im Lindenhof?")
    assert [hit.passage.board for hit in answer.passages] == [
        "Austausch · Lindenhof · Tafel 1 von 3",
        "Austausch · Lindenhof · Tafel 2 von 3",
        "Austausch · Lindenhof · Tafel 3 von 3",
    ]
    assert bullets(answer) == [
        ("zu wenig Spielplätze", 1),
        ("Busverbindung am Abend", 1),
        ("Schwimmkurse für Kinder fehlen", 2),
        ("Treffpunkt für Jugendliche", 3),
    ]
    # one group per board, its name in bold, the section under it with the marker
    for marker, hit in enumerate(answer.passages, start=1):
        assert f"**{hit.passage.board}** – {PROTOCOL_TITLE}" in answer.text
        assert f"*{NEEDS}* [{marker}]" in answer.text


def test_markers_follow_the_order_of_the_cited_passages(tiny):
    # The reader meets [1], [2], [3] … in this order, and marker n stands for ans.passages[n - 1].
    for question in ("Wer hat beim Thema Lesepaten den Hut auf?", "Was schlägt der Workshop Wohnen vor?"):
        answer = tiny.ask(question)
        markers = [int(m) for m in MARKER.findall(answer.text)]
        assert answer.passages
        first_seen = list(dict.fromkeys(markers))
        assert first_seen == list(range(1, len(answer.passages) + 1)), question


def test_quoted_items_are_verbatim_lines_of_the_cited_passage(tiny):
    for question in ("Was schlägt der Workshop Wohnen vor?", "Welche Lösungsideen gab es zum Thema Schwimmen?"):
        answer = tiny.ask(question)
        for item, marker in bullets(answer):
            passage = answer.passages[marker - 1].passage
            sources = {i.text.removeprefix("- ") for i in passage.items}
            sources |= {f"{i.label}: {i.text}" for i in passage.items if i.label}
            assert unescape(item) in sources, (question, item)


def test_table_rows_are_quoted_with_their_column_names(tiny):
    answer = tiny.ask("Was wird gegen steigende Mieten vorgeschlagen?")
    assert answer.passages[0].passage.board == "Workshop 2 – Wohnen · Herausforderung 2"
    items = [unescape(item) for item, marker in bullets(answer) if marker == 1]
    assert items == [
        "Herausforderung: Mieten steigen stark.",
        "Ziel: Mieten bleiben bezahlbar.",
        "Zielgruppe: alle",
        "Angebot/ Maßnahme: Anregung 1: Mietspiegel veröffentlichen",
        "Angebot/ Maßnahme: Anregung 2: Beratung bei Mieterhöhungen",  # the continuation row
    ]
    assert f"– {TABLE_TITLE}" in answer.text


def test_long_passage_is_shortened_to_the_items_the_question_is_about(tiny):
    answer = tiny.ask("Gibt es im Mühlenfeld Probleme mit dem Radweg?")
    cited = next(n for n, hit in enumerate(answer.passages, 1) if hit.passage.section == NEEDS)
    lines = [item for item, marker in bullets(answer) if marker == cited]
    # the last of ten, but the one asked about: shown first and in bold, then the board's first item
    assert lines[0] == "**Radweg zum Bahnhof fehlt**"
    assert lines[1] == "Müll an den Containern"
    assert answer.passages[cited - 1].highlights == (line_of_item(answer.passages[cited - 1], "Radweg zum Bahnhof"),)
    assert len(lines) < len(MUEHLENFELD_NEEDS)
    # what is left out is said under the list, as a note without a marker (it quotes nothing)
    text_lines = answer.text.splitlines()
    note = f"*… ({len(MUEHLENFELD_NEEDS) - len(lines)} weitere Zeilen in der Quelle)*"
    assert note in text_lines
    assert text_lines[text_lines.index(note) - 1] == ""  # a paragraph of its own, not part of the bullet above


def line_of_item(hit, start: str) -> int:
    return next(item.line for item in hit.passage.items if item.text.lstrip("- ").startswith(start))


def test_an_empty_field_is_cited_and_said_to_be_empty(tiny):
    answer = tiny.ask("Worauf kommt es in Berg-Ost an?")
    first = answer.passages[0]
    assert first.passage.meta.get("empty") and first.passage.place == "Berg-Ost" and first.passage.section == FOCUS
    assert first.highlights == (first.lines[0],)  # the prompt of the empty field
    prompt = "„Worauf kommt es bei der weiteren Integrationsarbeit besonders an...“"
    assert f"{prompt} (auf der Tafel leer) [1]" in answer.text
    # no other district's "Worauf kommt es an" is passed off as Berg-Ost's
    boards = [hit.passage for hit in answer.passages if hit.passage.board_kind == "district"]
    assert boards and all(passage.place == "Berg-Ost" for passage in boards)


# --- escaping -------------------------------------------------------------------------------------
def test_corpus_markup_is_shown_as_text_not_rendered(tiny):
    answer = tiny.ask("Was läuft gut im Kanalviertel?")
    assert answer.passages[0].passage.place == "Kanalviertel"
    text = answer.text
    for raw in (XSS_IMG, XSS_LINK, "<img", "**fett**", "_kursiv_", "`code`"):
        assert raw not in text
    rendered = render(text)
    # the only bold is the answer's own board heading, the only emphasis its section line
    assert re.findall(r"<strong>(.*?)</strong>", rendered) == ["Austausch · Kanalviertel · Tafel 1 von 1"]
    assert re.findall(r"<em>(.*?)</em>", rendered) == ["Was läuft gut"]
    assert not re.search(r"<(a|img|script|code)\b", rendered)
    # and a reader sees the characters as the protocol has them, without the transcription's bold markup
    # (index/markup.py)
    shown = EMPHASIS.replace("**fett**", "fett")
    visible = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    for raw in (XSS_IMG, XSS_LINK, shown):
        assert raw in visible
    # the terminal form undoes the escapes
    assert XSS_IMG in answer.plain_text() and shown in answer.plain_text()


@pytest.mark.parametrize(
    "text",
    [
        XSS_IMG,
        XSS_LINK,
        "<script>alert(1)</script>",
        "![bild](http://example.org/x.png)",
        "<http://example.org>",
        "~~weg~~ und *schräg* und __fett__",
        "&lt;img&gt; &amp; &#60;b&#62;",
        "<1@evil.de> <+49@x.de> <.x@y.de>",  # e-mail autolinks
        "3 < 5 und A -> B",
        "a\\*b\\_c",
    ],
)
def test_escape_markdown_keeps_the_text_and_renders_no_markup(text):
    rendered = render(f"- {escape_markdown(text)} [1]")
    assert not FORBIDDEN_HTML.search(rendered)
    visible = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
    assert visible == f"{text} [1]"


def test_escape_markdown_never_lets_markup_through():
    # Random strings of Markdown and HTML punctuation, the same every run.
    rng = random.Random(20190213)
    alphabet = "ab <>[]()!*_~`&#;:/\\=\"'x1\n"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        rendered = render(f"- {escape_markdown(text)} [1]")
        assert not FORBIDDEN_HTML.search(rendered), (text, rendered)


# --- abstention -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "Wie backe ich einen Käsekuchen?",
        "Wie wird das Wetter morgen in Flussstadt?",
        "Wo kann ich Karten für das Konzert im Lindenhof kaufen?",
    ],
)
def test_unrelated_question_cites_nothing(tiny, question):
    answer = tiny.ask(question)
    assert answer.abstained
    assert answer.passages == []
    assert not MARKER.search(answer.text)
    assert "nichts gefunden" in answer.text
    # it says what was searched
    assert PROTOCOL_TITLE in answer.text and TABLE_TITLE in answer.text


def test_a_hyphen_before_a_conjunction_is_kept_when_lines_are_joined():
    from assistant.answer import bullets
    from index.passage import Item

    items = [Item("- Rad-", 1), Item("und Fußwege sanieren", 2), Item("- Sprach-", 3), Item("kurse anbieten", 4)]
    assert [text for text, _, _ in bullets(items, set())] == ["Rad- und Fußwege sanieren", "Sprachkurse anbieten"]


def test_a_line_with_a_label_of_its_own_is_no_wrapped_line():
    from index.passage import Item

    fields = [Item("location: Ratssaal", 4), Item("address: Hauptstraße 5", 5)]
    for prose in (False, True):
        assert [text for text, _, _ in joined_items(fields, set(), prose=prose)] == [
            "location: Ratssaal", "address: Hauptstraße 5"]
    # (a lower-case line carrying on a phrase is still joined)
    assert [text for text, _, _ in joined_items([Item("Spielplatz mit", 1), Item("schattigen Bänken", 2)], set())] == [
        "Spielplatz mit schattigen Bänken"]


def test_the_wrapped_lines_of_minutes_are_quoted_as_they_run():
    # A PDF's paragraph: its lines are fragments of sentences, so they are joined and kept in their order (the
    # answering one in bold, not moved first).
    speech = Passage(source="rat.pdf", doc_title="Protokoll", board_kind="agenda_item", board="Traktandum 8",
                     section="Diskussion", meta={"wrapped": True},
                     items=[Item("Daniel Eugster, FDP: Ich spreche als", 10), Item("Mitmotionär der Fraktion.", 11),
                            Item("Wir fordern 1,5 Mio. Franken", 12), Item("mehr für den Sportfonds.", 13)])
    quoted = select_items(speech, set(), GermanAnalyzer(), highlights=(12, 13))
    assert quoted == ["Daniel Eugster, FDP: Ich spreche als Mitmotionär der Fraktion.",
                      "**Wir fordern 1,5 Mio. Franken mehr für den Sportfonds.**"]
    assert joined_items(speech.items[2:], {12, 13}, prose=True) == [
        ("Wir fordern 1,5 Mio. Franken mehr für den Sportfonds.", 13, True)]


def test_a_line_repeating_the_heading_is_neither_quoted_nor_marked():
    # the sub-heading an agenda item's part starts with is its label; the decision is what answers
    from assistant.evidence import beyond_the_heading, heading_lines

    passage = Passage(source="rat.pdf", doc_title="Protokoll", board_kind="agenda_item", board="Traktandum 6",
                      section="Beschlussfassung",
                      items=[Item("Beschlussfassung", 10), Item("Der Antrag wird mit 59:55 Stimmen angenommen.", 11)])
    assert heading_lines(passage) == {10}
    assert beyond_the_heading(passage, (10,)) == (11,)
    assert beyond_the_heading(passage, (10, 11)) == (11,)
    quoted = select_items(passage, set(), GermanAnalyzer(), highlights=(11,))
    assert quoted == ["Der Antrag wird mit 59:55 Stimmen angenommen."]
    # a passage that is only its heading still shows it
    alone = Passage(source="rat.pdf", doc_title="Protokoll", board_kind="agenda_item", board="Traktandum 7",
                    section="Diskussion", items=[Item("Diskussion:", 20)])
    assert select_items(alone, set(), GermanAnalyzer()) == ["Diskussion:"]


def test_a_quote_standing_in_quotation_marks_gets_no_second_pair():
    from assistant.answer import quote

    assert quote("„beginnend in Schule“") == "„beginnend in Schule“"
    assert quote("mehr Grün") == "„mehr Grün“"
    assert quote("„Teilhabe“ gestalten") == "„„Teilhabe“ gestalten“"  # only a quote of its own as a whole
    assert quote("„a“ und „b“") == "„„a“ und „b““"  # two quotations are no one


def test_lines_opening_with_an_article_are_items_of_their_own_unless_the_line_before_needs_more():
    listed = [Item("Viele Grün + Spielflächen", 1), Item("die Familienzentren", 2), Item("der Martinszug", 3)]
    assert [text for text, _, _ in joined_items(listed, set())] == [
        "Viele Grün + Spielflächen", "die Familienzentren", "der Martinszug"]
    wrapped = [Item("Kinderbetreuung für", 1), Item("die Familien", 2), Item("Freie Lastenräder", 3),
               Item("des ADFC ausleihen", 4)]
    assert [text for text, _, _ in joined_items(wrapped, set())] == [
        "Kinderbetreuung für die Familien", "Freie Lastenräder des ADFC ausleihen"]
    # "der" after a line without an article is a genitive
    genitive = [Item("Sanierung", 1), Item("der Turnhalle", 2)]
    assert [text for text, _, _ in joined_items(genitive, set())] == ["Sanierung der Turnhalle"]


def test_the_cells_of_a_table_row_the_question_names_answer_first():
    from assistant.answer import columns_named
    row = [Item("Ältere Geflüchtete brauchen mehr Zeit.", 7, "Herausforderung"),
           Item("Sie finden Arbeit.", 7, "Ziel"), Item("ältere Geflüchtete", 7, "Zielgruppe"),
           Item("Anregung 1: Mentoring", 7, "Angebot/ Maßnahme")]
    # the first column names the row ("die Herausforderung zu …"); the one asked for besides it answers
    assert columns_named(tuple(row), "Welche Zielgruppe hat die Herausforderung zu älteren Geflüchteten?") == {
        "Zielgruppe"}
    assert columns_named(tuple(row), "Was ist das Ziel?") == {"Ziel"}  # not the "Zielgruppe"
    assert columns_named(tuple(row), "Welche Maßnahmen gibt es?") == {"Angebot/ Maßnahme"}
    assert columns_named(tuple(row), "Was ist die Herausforderung?") == {"Herausforderung"}
    assert columns_named(tuple(row), "Was steht dort?") == frozenset()
    joined = joined_items(row, {7}, question="Wer ist die Zielgruppe?")
    assert [text for text, _, answering in joined if answering] == ["Zielgruppe: ältere Geflüchtete"]
    # two columns asked for, the first before the other: both
    assert columns_named(tuple(row), "Welche Herausforderungen und Ziele gibt es?") == {"Herausforderung", "Ziel"}
    # a row continued below holds no Zielgruppe: its marked line's cells answer as marked
    continued = [*row, Item("Anregung 2: Sprachkurse", 8, "Angebot/ Maßnahme")]
    joined = joined_items(continued, {8}, question="Wer ist die Zielgruppe?")
    assert [text for text, _, answering in joined if answering] == ["Angebot/ Maßnahme: Anregung 2: Sprachkurse"]


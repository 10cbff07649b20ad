"""The Gradio app: rendering helpers on tiny inputs, and the launched app driven through gradio_client."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import socket
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from support import free_port, real_index_dir

import app
from assistant import MAX_QUESTION_CHARS, Assistant, Filters, clean_question
from assistant.answer import Answer
from assistant.retrieve import Hit
from index import Item, Passage
from index.settings import PROJECT_ROOT
from ui import feedback, handlers, layout, render, sources
from ui.feedback import read_feedback
from ui.state import Conversation, Turn

CORPUS = PROJECT_ROOT / "corpus"
GELSENKIRCHEN = "gelsenkirchen-integrationskonferenz-mitte-2019.txt"
MINDEN = "minden-ikon-workshopphase-1.txt"


def text_of(message: dict) -> str:
    """A chat message's text, whether Gradio sends it as a string or as a list of parts."""
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content


# ---------------------------------------------------------------------------------------------------------------
# Tiny hand-made protocol for the rendering helpers

HOSTILE_LINES = [
    "Werkstatt Quartier",  # 1
    "",  # 2
    "Handlungsbedarfe",  # 3
    "- Spielplätze <img src=x onerror=alert(1)>",  # 4
    "- <script>alert('x')</script> sichere Wege",  # 5
    "",  # 6
    "Was läuft gut",  # 7
    "- Nachbarschaft & Feste",  # 8
    "Herausforderung\tZiel",  # 9
    "<p>Wohnraum fehlt</p>\t<p>Mehr Wohnungen</p>",  # 10
]


def passage(items, board="Tafel 1", section="Handlungsbedarfe", kind="section", place=None, source="werkstatt.txt"):
    return Passage(source=source, doc_title="Werkstatt <b>Quartier</b>", board_kind=kind, board=board,
                   section=section, items=[Item(text, line) for text, line in items], place=place,
                   meta={"doc_short_title": "Werkstatt", "city": "Minden", "date": "2020-05-04"})


@pytest.fixture
def tiny(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "werkstatt.txt").write_text("\n".join(HOSTILE_LINES) + "\n", encoding="utf-8")
    needs = passage([(HOSTILE_LINES[3], 4), (HOSTILE_LINES[4], 5)], place="Nordstadt")
    good = passage([(HOSTILE_LINES[7], 8)], section="Was läuft gut", place="Nordstadt")
    row = passage([("Wohnraum fehlt", 10)], board="Wohnen · Herausforderung 1", section=None, kind="table_row",
                  place="Wohnen")
    return SimpleNamespace(protocols=sources.Protocols([row, good, needs], corpus), corpus=corpus,
                           needs=needs, good=good, row=row)


def test_source_shows_whole_board_with_cited_lines_marked_and_escaped(tiny):
    rendered = sources.render_source(tiny.protocols, tiny.needs, 1)
    assert "<img" not in rendered and "<script" not in rendered and "<b>" not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered
    assert "&lt;script&gt;" in rendered
    assert "Werkstatt &lt;b&gt;Quartier&lt;/b&gt;" in rendered  # document title
    for label, value in [("Stadt", "Minden"), ("Datum", "04.05.2020"), ("Unterabschnitt", "Handlungsbedarfe"),
                         ("Abschnitt", "Tafel 1"), ("Zeilen", "Zeilen 4–5 (markiert)")]:
        assert f"<dt>{label}</dt><dd>{value}" in rendered
    assert "Quelle [1]" in rendered
    # The whole board: the header line above and the other section of the board, unmarked.
    assert '<th scope="row" class="pa-no">1</th><td>Werkstatt Quartier</td>' in rendered
    assert '<th scope="row" class="pa-no">8</th><td>- Nachbarschaft &amp; Feste</td>' in rendered
    # Without highlights every cited line is marked faintly, and the legend says only that.
    assert ('<tr class="pa-hit pa-cited"><th scope="row" class="pa-no">4</th><td><mark class="pa-cited">'
            "- Spielplätze") in rendered
    assert rendered.count('<mark class="pa-cited">') == 3  # two lines and the legend
    assert "pa-answer" not in rendered
    assert '<p class="pa-legend"><mark class="pa-cited">markiert</mark>: der zitierte Abschnitt</p>' in rendered


def row_of(rendered: str, number: int) -> str:
    """The table row of source line number (from <tr to </tr>)."""
    head = f'<th scope="row" class="pa-no">{number}</th>'
    end = rendered.index(head)
    start = rendered.rindex("<tr", 0, end)
    return rendered[start:rendered.index("</tr>", end) + 5]


def test_answering_lines_are_marked_strongly_and_the_rest_of_the_cited_passage_faintly(tiny):
    rendered = sources.render_source(tiny.protocols, tiny.needs, 1, highlights=(5,))
    answering = row_of(rendered, 5)
    assert answering.startswith('<tr class="pa-hit pa-answer">')
    assert ('<mark class="pa-answer"><strong>- &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; sichere Wege'
            "</strong></mark>") in answering
    cited = row_of(rendered, 4)
    assert cited.startswith('<tr class="pa-hit pa-cited">')
    assert '<mark class="pa-cited">- Spielplätze &lt;img src=x onerror=alert(1)&gt;</mark>' in cited
    assert "pa-answer" not in cited
    for outside in (1, 3, 7, 8):  # the header, the prompt and the board's other section: not cited
        row = row_of(rendered, outside)
        assert row.startswith("<tr><th") and "<mark" not in row, row
    assert "<img" not in rendered and "<script" not in rendered and "<b>" not in rendered
    assert ('<p class="pa-legend"><mark class="pa-answer"><strong>hervorgehoben</strong></mark>: die Zeilen, die die '
            'Frage beantworten; <mark class="pa-cited">schwach markiert</mark>: der übrige zitierte Abschnitt</p>'
            ) in rendered
    # An answer "nein" cites what comes closest: the legend does not claim that it answers.
    similar = sources.render_source(tiny.protocols, tiny.needs, 1, highlights=(5,), similar=True)
    assert "die Zeilen, die der Frage am nächsten kommen (sie beantworten sie nicht)" in similar
    assert "die Frage beantworten;" not in similar and row_of(similar, 5) == answering
    # Highlights outside the passage's lines are not its own: ignored.
    stray = sources.render_source(tiny.protocols, tiny.needs, 1, highlights=(1, 8))
    assert "pa-answer" not in stray and '<tr><th scope="row" class="pa-no">8</th>' in stray


def test_an_item_broken_over_lines_answers_with_all_its_lines(tmp_path):
    lines = ["Tafel", "Handlungsbedarfe", "- Müllproblematik (Geplant Aktion", "angewendet)", "- Wenig Parkplätze",
             "- Kita-Plätze"]
    (tmp_path / "werkstatt.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    needs = passage([(lines[2], 3), (lines[3], 4), (lines[4], 5), (lines[5], 6)])
    protocols = sources.Protocols([needs], tmp_path)
    assert sources.item_groups(needs) == [{3, 4}, {5}, {6}]
    rendered = sources.render_source(protocols, needs, 1, highlights=(3,))
    # The answer quotes "Müllproblematik (Geplant Aktion angewendet)" in bold: both of its lines are strong.
    assert [n for n in range(3, 7) if row_of(rendered, n).startswith('<tr class="pa-hit pa-answer">')] == [3, 4]
    assert row_of(rendered, 5).startswith('<tr class="pa-hit pa-cited">')


def test_a_passage_answering_as_a_whole_has_only_strong_lines(tiny):
    rendered = sources.render_source(tiny.protocols, tiny.needs, 1, highlights=(4, 5))
    assert rendered.count('<tr class="pa-hit pa-answer">') == 2 and "pa-cited" not in rendered
    assert "schwach markiert" not in rendered and "hervorgehoben" in rendered


def test_answering_lines_in_the_indexed_text_when_the_file_changed(tiny):
    (tiny.corpus / "werkstatt.txt").write_text("ganz\nanderer\nText\n", encoding="utf-8")
    rendered = sources.render_source(sources.Protocols([tiny.needs], tiny.corpus), tiny.needs, 1, highlights=[4])
    assert "seit dem Indexieren geändert" in rendered
    assert ('<li class="pa-hit pa-answer"><span class="pa-no">4</span><span><mark class="pa-answer"><strong>'
            "- Spielplätze &lt;img src=x onerror=alert(1)&gt;</strong></mark>") in rendered
    assert ('<li class="pa-hit pa-cited"><span class="pa-no">5</span><span><mark class="pa-cited">- &lt;script'
            in rendered)


def test_an_empty_field_shows_its_prompt_and_that_nothing_was_written(tmp_path):
    lines = ["Tafel <i>Nord</i>", "Was läuft gut...", "- Feste", "Worauf kommt es an <img src=x>...", "", ""]
    (tmp_path / "werkstatt.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    good = passage([("- Feste", 3)], section="Was läuft gut")
    empty = Passage(source="werkstatt.txt", doc_title="Werkstatt", board_kind="district", board="Tafel 1",
                    section="Worauf kommt es an", items=[Item("Worauf kommt es an <img src=x>...", 4)],
                    meta={"empty": True})
    protocols = sources.Protocols([good, empty], tmp_path)
    rendered = sources.render_source(protocols, empty, 2, highlights=(4,))
    assert "Zeile 4 (vorgedruckte Frage eines leeren Feldes)" in rendered
    assert ("Dieses Feld ist auf der Tafel leer: unter der vorgedruckten Frage „Worauf kommt es an "
            "&lt;img src=x&gt;...“ wurde nichts geschrieben.") in rendered
    prompt = row_of(rendered, 4)
    assert prompt.startswith('<tr class="pa-hit pa-answer">') and "&lt;img src=x&gt;" in prompt
    after = rendered[rendered.index(prompt) + len(prompt):]
    assert after.startswith('<tr class="pa-empty">') and "auf der Tafel wurde hier nichts geschrieben" in after
    assert "<img" not in rendered and "<i>" not in rendered
    # The indexed text (file changed) says it too.
    (tmp_path / "werkstatt.txt").write_text("anders\n", encoding="utf-8")
    fallback = sources.render_source(sources.Protocols([good, empty], tmp_path), empty, 2, highlights=(4,))
    assert fallback.count("auf der Tafel wurde hier nichts geschrieben") == 1
    assert "<img" not in fallback


def test_table_row_source_keeps_cells_without_paragraph_markup(tiny):
    rendered = sources.render_source(tiny.protocols, tiny.row)
    assert "<td>Herausforderung</td><td>Ziel</td>" in rendered
    assert ('<td><mark class="pa-cited">Wohnraum fehlt</mark></td><td><mark class="pa-cited">Mehr Wohnungen</mark>'
            "</td>") in rendered
    strong = sources.render_source(tiny.protocols, tiny.row, highlights=(10,))
    assert ('<td><mark class="pa-answer"><strong>Wohnraum fehlt</strong></mark></td><td><mark class="pa-answer">'
            "<strong>Mehr Wohnungen</strong></mark></td>") in strong
    assert "&lt;p&gt;" not in rendered
    assert "Tabellenzeile im Protokoll" in rendered and "<dt>Tabellenzeile</dt>" in rendered


def test_source_with_latex_arrows_and_superscripts_is_current_and_shown_as_quoted(tmp_path):
    # Lines as the transcription left them; the parsers quote them cleaned ("⇒", "Verbindung").
    lines = ["Tafel", "EMPOWERMENT \\Rightarrow aktive Gestaltung", "- Infrastruktur / ^{Verbindung} Bus + Bahn",
             "<p>Wohnraum fehlt</p> <p>Mehr Wohnungen</p>"]
    (tmp_path / "werkstatt.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    quoted = [("EMPOWERMENT ⇒ aktive Gestaltung", 2), ("- Infrastruktur / Verbindung Bus + Bahn", 3)]
    for items in (quoted, quoted[:1], quoted[1:], [("Wohnraum fehlt", 4), ("Mehr Wohnungen", 4)]):
        assert sources.source_is_current(passage(items), lines), items
    assert not sources.source_is_current(passage([("EMPOWERMENT ⇒ passive Gestaltung", 2)]), lines)
    rendered = sources.render_source(sources.Protocols([passage(quoted)], tmp_path), passage(quoted), 1)
    assert "seit dem Indexieren geändert" not in rendered
    assert '<mark class="pa-cited">EMPOWERMENT ⇒ aktive Gestaltung</mark>' in rendered
    assert '<mark class="pa-cited">- Infrastruktur / Verbindung Bus + Bahn</mark>' in rendered


def test_source_of_an_edited_file_falls_back_to_the_indexed_text(tiny):
    (tiny.corpus / "werkstatt.txt").write_text("ganz\nanderer\nText\n", encoding="utf-8")
    rendered = sources.render_source(sources.Protocols([tiny.needs], tiny.corpus), tiny.needs, 1)
    assert "seit dem Indexieren geändert" in rendered
    assert '<mark class="pa-cited">- Spielplätze &lt;img src=x onerror=alert(1)&gt;</mark>' in rendered


def test_reader_groups_filters_searches_and_escapes(tiny):
    everything = sources.render_reader(tiny.protocols)
    assert "1 Tabellenzeile und 1 Abschnitt mit 3 Stellen" in everything
    assert "<h3>Werkstatt (Minden, 04.05.2020)</h3>" in everything
    assert "<img" not in everything and "<script" not in everything
    assert "<details open>" in everything  # few boards: shown open
    only_good = sources.render_reader(tiny.protocols, Filters(sections={"Was läuft gut"}))
    assert "Nachbarschaft" in only_good and "Spielplätze" not in only_good
    found = sources.render_reader(tiny.protocols, None, "SPIELPLÄTZE")
    assert "<mark>Spielplätze</mark> &lt;img" in found
    assert "Nachbarschaft" not in found
    assert "Keine Stelle passt" in sources.render_reader(tiny.protocols, None, "Raumschiff")


def test_the_app_names_boards_and_places_as_the_corpus_has_them(tmp_path):
    # minutes: agenda items and cities, no walls, districts or workshops
    item = Passage(source="rat.txt", doc_title="Gemeinderat", board_kind="agenda_item", board="Traktandum 2",
                   section="Beschlussfassung", items=[Item("Der Kredit wird bewilligt.", 7)],
                   meta={"city": "Talheim"})
    minutes = sources.Protocols([item], tmp_path)
    assert minutes.unit_names() == "Tagesordnungspunkt" and minutes.place_kinds() == ["Stadt"]
    assert "1 Tagesordnungspunkt mit 1 Stelle." in sources.render_reader(minutes)
    shown = sources.render_source(minutes, item)
    assert "<dt>Tagesordnungspunkt</dt><dd>Traktandum 2" in shown and "Tafel" not in shown
    # a section of a text is named once, not as "Abschnitt" and "Abschnitt" again
    text = Passage(source="rat.txt", doc_title="Runde", board_kind="section", board="Abschluss", section="Abschluss",
                   items=[Item("Ende um 22 Uhr.", 7)])
    assert sources.render_source(sources.Protocols([text], tmp_path), text).count("<dt>Abschnitt</dt>") == 1
    # photo protocols and workshop tables: walls and rows, districts and workshops
    walls = sources.Protocols([passage([("Kita", 3)], kind="district", place="Nordstadt"),
                               passage([("Wohnraum", 9)], kind="table_row", place="Wohnen")], tmp_path)
    assert walls.unit_names() == "Tafel bzw. Tabellenzeile"
    assert walls.place_kinds() == ["Stadt", "Stadtteil", "Workshop"]


def test_filter_choices_come_from_the_passages(tiny):
    assert tiny.protocols.documents() == [("Werkstatt (Minden, 04.05.2020)", "werkstatt.txt")]
    # what a title says already is not repeated after it
    dated = Passage(source="runde.md", doc_title="Bürgerrunde vom 23.04.2015", board_kind="section", board="Agenda",
                    section=None, items=[Item("Begrüßung", 5)], meta={"date": "2015-04-23", "city": "Heuweiler"})
    assert sources.Protocols([dated], tiny.protocols.corpus_dir).documents() == [
        ("Bürgerrunde vom 23.04.2015 (Heuweiler)", "runde.md")]
    # Cities first, then places in protocol order.
    assert tiny.protocols.places() == [
        ("Minden (ganzes Protokoll)", "Minden"),
        ("Nordstadt – Ort, Minden", "Nordstadt"),
        ("Wohnen – Workshop, Minden", "Wohnen"),
    ]
    assert ("Was läuft gut", "Was läuft gut") in tiny.protocols.sections()


def test_highlight_escapes_around_the_marks():
    assert sources.highlight("a<b> KITA kita", "kita") == "a&lt;b&gt; <mark>KITA</mark> <mark>kita</mark>"
    assert sources.highlight("x & y", "") == "x &amp; y"


def test_chat_messages_escape_the_question_and_link_the_markers_to_their_sources(tiny):
    answer = Answer(text="Gefunden [1] und [2–3], nicht \\[4\\]", passages=[Hit(tiny.needs, 1.0, highlights=(5,)),
                                                                          Hit(tiny.good, 0.5), Hit(tiny.row, 0.4)])
    conversation = Conversation([Turn("Erst?", answer), Turn("<img src=x onerror=alert(1)> *fett*?", answer, {},
                                                             "Ort: Nordstadt")])
    first, first_bot, user, bot = render.chat_messages(conversation)
    assert user == {"role": "user", "content": "&lt;img src=x onerror=alert(1)> \\*fett\\*?"}
    assert bot["role"] == "assistant"
    assert bot["content"].startswith("*Eingegrenzt auf: Ort: Nordstadt*")
    # Each marker links to its source in its own answer (turn 1 here); a run links each of its sources; the title
    # previews the answering line, its markup as entities (never live HTML or Markdown).
    assert ('[\\[1\\]](#quelle-1-1 "Zeile 5: - &lt;script&gt;alert(\'x\')&lt;/script&gt; sichere Wege")'
            in bot["content"])
    assert ('und [\\[2\\]](#quelle-1-2 "Zeile 8: - Nachbarschaft &amp; Feste") [\\[3\\]](#quelle-1-3 '
            in bot["content"])
    assert "](#quelle-0-1 " in first_bot["content"]
    assert "nicht \\[4\\]" in bot["content"]  # an escaped bracket from a protocol is no marker
    # The sources are listed beside the chat, not repeated in the message.
    assert "Quellen" not in bot["content"] and "Zeilen 4–5" not in bot["content"]


def test_the_lead_is_a_paragraph_of_its_own(tiny):
    lead = "Genannt wird es für Nordstadt [1]."
    answer = Answer(text=f"{lead}\nGefunden: 1 Stelle.\n\n- Spielplätze [1]", passages=[Hit(tiny.needs, 1.0)])
    answer.lead = lead
    assert render.lead_apart(answer) == f"{lead}\n\nGefunden: 1 Stelle.\n\n- Spielplätze [1]"
    bot = render.chat_messages(Conversation([Turn("Wo?", answer)]))[1]["content"]
    assert bot.startswith("Genannt wird es für Nordstadt [\\[1\\]](#quelle-0-1 ")
    assert "\").\n\nGefunden: 1 Stelle." in bot
    alone = Answer(text="Dazu steht nichts in den Protokollen.", passages=[])
    alone.lead = alone.text
    assert render.lead_apart(alone) == alone.text
    assert render.lead_apart(Answer(text="a\nb", passages=[])) == "a\nb"  # no lead known: as it is


def test_question_limit_is_checked_on_the_server_by_the_assistants_rule():
    assert handlers.clean_question is clean_question  # one rule for the app, the API and the command line
    with pytest.raises(ValueError, match="zu lang"):
        handlers.clean_question("x" * (MAX_QUESTION_CHARS + 1))
    with pytest.raises(ValueError, match="zu lang .50000 Zeichen"):
        handlers.clean_question("x" * 50_000)
    assert handlers.clean_question("  Was   läuft gut? ") == "Was läuft gut?"


def test_feedback_reason_limit_is_the_feedback_rule():
    assert layout.MAX_REASON_CHARS is feedback.MAX_REASON_CHARS


def test_page_url_prefers_the_page_over_the_api_host():
    assert handlers.page_url({"Referer": "http://h:1/app/?q=alt"}) == "http://h:1/app/"
    assert handlers.page_url({"origin": "https://h"}) == "https://h/"
    assert handlers.page_url({"host": "127.0.0.1:9"}) == "http://127.0.0.1:9/"
    assert handlers.page_url({"referer": "javascript:alert(1)"}) == ""
    assert handlers.page_url(None) == ""


def test_server_settings_from_environment():
    assert app.ServerSettings.from_env({}) == app.ServerSettings()
    assert app.ServerSettings().host == "127.0.0.1" and app.ServerSettings().auth is None
    settings = app.ServerSettings.from_env({"PROTOKOLL_HOST": "0.0.0.0", "PROTOKOLL_PORT": "8000",
                                            "PROTOKOLL_USER": "amt", "PROTOKOLL_PASSWORD": "geheim"})
    assert (settings.host, settings.port, settings.auth) == ("0.0.0.0", 8000, ("amt", "geheim"))
    with pytest.raises(ValueError, match="beide"):
        _ = app.ServerSettings.from_env({"PROTOKOLL_USER": "amt"}).auth
    with pytest.raises(ValueError, match="PROTOKOLL_PORT"):
        app.ServerSettings.from_env({"PROTOKOLL_PORT": "achtzig"})


def test_main_refuses_half_configured_login_before_loading(monkeypatch, capsys):
    monkeypatch.setenv("PROTOKOLL_USER", "amt")
    monkeypatch.delenv("PROTOKOLL_PASSWORD", raising=False)
    monkeypatch.setattr(Assistant, "load", lambda *a, **k: pytest.fail("index must not be loaded"))
    assert app.main(["--port", "7999"]) == 2
    assert "PROTOKOLL_PASSWORD" in capsys.readouterr().err


def test_analytics_are_off():
    import os

    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


# ---------------------------------------------------------------------------------------------------------------
# The real protocols in a launched app


@pytest.fixture(scope="module")
def real_assistant(tmp_path_factory):
    # Shared with the browser tests through the session's base temp folder: the index is built once.
    return Assistant.load(corpus_dir=CORPUS, index_dir=real_index_dir(tmp_path_factory.getbasetemp()))


@pytest.fixture(scope="module")
def served(real_assistant, tmp_path_factory):
    feedback = tmp_path_factory.mktemp("feedback")
    demo = app.build_app(real_assistant, feedback_dir=feedback)
    _, url, _ = app.launch(demo, app.ServerSettings(port=free_port()), prevent_thread_lock=True, quiet=True)
    yield SimpleNamespace(url=url, demo=demo, feedback=feedback)
    demo.close()


def test_the_feedback_icons_are_served_from_their_folder_not_from_the_cache_it_empties(served):
    # Copied into Gradio's cache, the icons were deleted by delete_cache after an hour (or by another app on the
    # machine stopping): broken images on "Hilfreich" / "Nicht hilfreich".
    config = httpx.get(f"{served.url.rstrip('/')}/config", timeout=30).json()
    icons = [component["props"]["icon"] for component in config["components"]
             if component.get("type") == "button" and component.get("props", {}).get("icon")]
    assert len(icons) == 2
    for icon in icons:
        assert Path(icon["path"]).parent == Path(app.__file__).parent / "ui" / "icons", icon["path"]
        response = httpx.get(icon["url"], timeout=30)
        assert response.status_code == 200 and b"<svg" in response.content


@pytest.fixture
def client(served):
    return Client(served.url, verbose=False)  # a new client is a new browser session: its own conversation


def chat(client: Client, question: str, documents=(), places=(), sections=()):
    """One turn through the UI's chat endpoint; returns the outputs by name."""
    result = client.predict(question, list(documents), list(places), list(sections), api_name="/chat")
    question_box, messages, citations, source, link, status = result
    return SimpleNamespace(question_box=question_box, messages=messages, citations=citations, source=source,
                           link=link, status=status)


@pytest.mark.e2e
def test_dev_question_gets_answer_with_citations(client):
    turn = chat(client, "Welche Handlungsbedarfe werden in der Altstadt genannt?")
    assert turn.question_box == ""
    [user, bot] = turn.messages
    answer = text_of(bot)
    for snippet in ("Spracherwerbsförderung", "Quartiersbüro", "subjektives Sicherheitsgefühl"):
        assert snippet in answer
    assert "**Quellen**" not in answer and "Altstadt" in answer
    assert "](#quelle-0-1 " in answer  # the markers open their sources
    choices = turn.citations["choices"]
    assert choices and choices[0][0].startswith("[1] Austausch · Altstadt · Tafel")
    assert choices[0][0].endswith("· Handlungsbedarfe")
    assert turn.citations["value"] == "1"
    # The first citation is open: its whole board, cited lines marked, with title, city, date and lines.
    assert "Quelle [1]" in turn.source and "- geringe Teilhabechancen</strong></mark>" in turn.source
    assert "<dt>Stadt</dt><dd>Gelsenkirchen</dd>" in turn.source and "13.02.2019" in turn.source
    assert "Handlungsbedarfe" in turn.source and "Zeilen" in turn.source


def strong_lines(source: str) -> list[str]:
    """The text of the source lines a source view marks as answering (not the legend's sample)."""
    rows = re.findall(r'<tr class="pa-hit pa-answer">(.*?)</tr>', source)
    return [html.unescape(re.sub(r"<[^>]+>", "", row.split("</th>", 1)[1])) for row in rows]


@pytest.mark.e2e
def test_where_question_shows_the_answering_lines_strongly(client):
    turn = chat(client, "Wo fehlen Kita-Plätze?")
    choices = turn.citations["choices"]
    assert len(choices) >= 3
    for marker in range(1, len(choices) + 1):
        source = turn.source if marker == 1 else client.predict(str(marker), api_name="/show_source")
        assert f"Quelle [{marker}]" in source
        strong = strong_lines(source)
        # Only the lines naming the matter are strong (one board writes it "Kita-Plätze").
        assert strong and all("KiTA-Plätze" in line or "Kitaplätze" in line or "Kita-Plätze" in line
                              for line in strong), (marker, strong)
        if marker == 1:
            assert any("KiTA-Plätze" in line or "Kitaplätze" in line for line in strong), strong
        # The rest of the board section is cited, marked faintly.
        assert '<tr class="pa-hit pa-cited">' in source and "schwach markiert" in source


@pytest.mark.e2e
def test_opening_another_citation_shows_its_board(client):
    turn = chat(client, "Welche Handlungsbedarfe gibt es in Schalke?")
    assert len(turn.citations["choices"]) == 4
    second = client.predict("2", api_name="/show_source")
    assert "Quelle [2]" in second and "Schalke · Tafel 2 von 4" in second
    assert "- mehr Grünflächen</strong></mark>" in second  # a section asked for whole: every line answers
    with pytest.raises(AppError):  # only the answer's own markers can be opened
        client.predict("9", api_name="/show_source")


@pytest.mark.e2e
def test_follow_up_in_the_same_conversation(client):
    chat(client, "Welche Handlungsbedarfe gibt es in der Altstadt?")
    turn = chat(client, "Und in Feldmark?")
    assert [message["role"] for message in turn.messages] == ["user", "assistant"] * 2
    answer = text_of(turn.messages[-1])
    assert "Müllproblematik" in answer and "Integrationskurse" in answer
    assert all("Feldmark" in label for label, _ in turn.citations["choices"])
    # A new conversation forgets the old one: the same follow-up now has nothing to refer to.
    cleared = client.predict(api_name="/new_conversation")
    assert cleared[1] == []
    alone = chat(client, "Und in Feldmark?")
    assert len(alone.messages) == 2


@pytest.mark.e2e
def test_over_long_question_gets_the_german_message(client):
    too_long = "Was läuft gut in Schalke? " * 60
    with pytest.raises(AppError, match=r"Die Frage ist zu lang \(1559 Zeichen\).*höchstens 1000 Zeichen"):
        chat(client, too_long)
    with pytest.raises(AppError, match="Die Frage ist zu lang"):
        client.predict(too_long, api_name="/ask")
    with pytest.raises(AppError, match="Bitte geben Sie eine Frage ein"):
        chat(client, "   ")


@pytest.mark.e2e
def test_off_topic_question_cites_nothing(client):
    turn = chat(client, "Wann fährt der nächste Bus nach Dortmund?")
    assert turn.citations["choices"] == []
    assert "zitiert keine Quelle" in turn.source


@pytest.mark.e2e
def test_filters_restrict_retrieval(client):
    minden = client.predict("Was wird für die Integration vorgeschlagen?", None, None, ["Minden"], None,
                            api_name="/ask")
    assert minden["passages"] and {p["source"] for p in minden["passages"]} == {MINDEN}
    assert minden["restriction"] == "Ort: Minden (ganzes Protokoll)"
    schalke = chat(client, "Was läuft gut?", places=["Schalke"])
    assert schalke.citations["choices"] and all("Schalke" in label for label, _ in schalke.citations["choices"])
    assert "Eingegrenzt auf: Ort: Schalke" in text_of(schalke.messages[-1])
    # The download says so too, under the question it applied to.
    exported = Path(client.predict(api_name="/export")["value"]).read_text(encoding="utf-8")
    assert "## Frage 1: Was läuft gut?\n\n<" in exported
    assert "\n*Eingegrenzt auf: Ort: Schalke – Stadtteil, Gelsenkirchen*\n" in exported
    with pytest.raises(AppError, match="Unbekannte Auswahl"):
        client.predict("Was läuft gut?", None, None, ["Atlantis"], None, api_name="/ask")


@pytest.mark.e2e
def test_ask_api_answers_follow_ups_from_history(client):
    result = client.predict("Und in Feldmark?", ["Welche Handlungsbedarfe gibt es in der Altstadt?"],
                            api_name="/ask")
    assert not result["abstained"]
    assert any("Müllproblematik" in p["text"] for p in result["passages"])
    assert result["citations"][0].startswith("[1] Integrationskonferenz Gelsenkirchen-Mitte")


@pytest.mark.e2e
def test_feedback_is_appended_with_question_answer_passages_vote_and_reason(client, served):
    with pytest.raises(AppError, match="noch keine Antwort"):
        client.predict("", api_name="/feedback_up")
    before = len(read_feedback(served.feedback))
    turn = chat(client, "Wer hat beim Thema Klimaschutz den Hut auf?")
    status, reason_box = client.predict("Genau das habe ich gesucht", api_name="/feedback_up")
    assert "Danke" in status and "„hilfreich“" in status and reason_box == ""
    client.predict("", api_name="/feedback_down")
    records = read_feedback(served.feedback)[before:]
    assert [r["vote"] for r in records] == ["up", "down"]
    assert [r["reason"] for r in records] == ["Genau das habe ich gesucht", ""]
    first = records[0]
    assert first["question"] == "Wer hat beim Thema Klimaschutz den Hut auf?"
    assert first["answer"] and first["time"]
    assert len(first["passages"]) == len(turn.citations["choices"])
    assert {"citation", "source", "lines"} <= set(first["passages"][0])
    lines = (served.feedback / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line) for line in lines)


@pytest.mark.e2e
def test_export_and_share_link(client, served):
    turn = chat(client, "Was läuft gut in Bismarck?")
    assert parse_qs(urlsplit(turn.link).query) == {"q": ["Was läuft gut in Bismarck?"]}
    assert turn.link.startswith(served.url)
    exported = Path(client.predict(api_name="/export")["value"]).read_text(encoding="utf-8")
    assert exported.startswith("# Unterhaltung mit dem Protokoll-Assistenten")
    assert "## Frage 1: Was läuft gut in Bismarck?" in exported
    assert "**Quellen**" in exported and "Austausch · Bismarck · Tafel 1 von 2" in exported
    assert "?q=Was%20l%C3%A4uft%20gut%20in%20Bismarck%3F" in exported


@pytest.mark.e2e
def test_where_answer_has_a_places_table_downloadable_as_csv(client):
    turn = chat(client, "Wo fehlen Kita-Plätze?")
    answer = text_of(turn.messages[-1])
    assert "| Ort | Fundstelle | Quellen |" in answer and "| Altstadt | *nicht erwähnt* |  |" in answer
    assert answer.index("| Ort |") < answer.index("Gefunden:")  # the table right under the lead
    path = client.predict(api_name="/places_csv")["value"]
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Ort", "Fundstelle", "Quellen"]
    assert ["Altstadt", "nicht erwähnt", ""] in rows and ["Heßler", "nicht erwähnt", ""] in rows
    found = {row[0]: row for row in rows[1:] if row[2]}
    assert {"Bismarck", "Schalke"} <= set(found) and "KiTA-Plätze" in found["Bismarck"][1]
    chat(client, "Was läuft gut in Bismarck?")
    with pytest.raises(AppError, match="keine Orte-Tabelle"):
        client.predict(api_name="/places_csv")


@pytest.mark.e2e
def test_labels_around_an_english_or_turkish_answer_follow_its_language(client):
    english = chat(client, "Which districts lack daycare places?")
    assert english.citations["label"] == "Sources of the answer"
    assert "| Place | Finding | Sources |" in text_of(english.messages[-1])
    turkish = chat(client, "Schalke'de neler iyi gidiyor?")
    assert turkish.citations["label"] == "Yanıtın kaynakları"
    german = chat(client, "Was läuft gut in Bismarck?")
    assert german.citations["label"] == "Quellen der Antwort"


@pytest.mark.e2e
def test_answers_offer_next_questions_that_the_corpus_answers(client):
    turn = chat(client, "Welche Handlungsbedarfe gibt es in Schalke?")
    options = [option["value"] for option in turn.messages[-1].get("options") or []]
    assert 2 <= len(options) <= 4 and "Handlungsbedarfe in Altstadt?" in options, options
    follow = chat(client, options[0])
    assert follow.citations["choices"] and "Altstadt" in follow.citations["choices"][0][0]


@pytest.mark.e2e
def test_reader_endpoint_filters_and_searches(client):
    page = client.predict([GELSENKIRCHEN], ["Schalke"], ["Handlungsbedarfe"], "", api_name="/read")
    assert "4 Tafeln mit 4 Stellen" in page
    found = client.predict([], [], [], "Kita", api_name="/read")
    assert "<mark>Kita</mark>" in found


@pytest.mark.e2e
def test_whole_board_span_covers_every_section_and_the_header(real_assistant):
    protocols = sources.Protocols(real_assistant.store.passages, CORPUS)
    needs = next(p for p in protocols.passages if p.board == "Austausch · Schalke · Tafel 1 von 4"
                 and p.section == "Handlungsbedarfe")
    first, last = protocols.board_span(needs)
    board = protocols.board(needs)
    assert {p.section for p in board} == {"Was läuft gut", "Handlungsbedarfe", "Worauf kommt es an"}
    assert first < min(p.lines[0] for p in board) and last == max(p.lines[1] for p in board)
    lines = protocols.lines(GELSENKIRCHEN)
    assert "Schalke" in "\n".join(lines[first - 1:min(p.lines[0] for p in board)])


@pytest.mark.e2e
def test_hardened_server(served):
    assert served.url.startswith("http://127.0.0.1:")
    assert served.demo.server_name == "127.0.0.1"
    assert served.demo.analytics_enabled is False
    assert served.demo._queue.max_size == app.ServerSettings().queue_size
    # Waiting users hear of their place once a second, not whenever any answer starts (32 messages each).
    assert served.demo._queue.live_updates is False
    assert served.demo.enable_monitoring is False
    for path in ("monitoring", "monitoring/summary", "gradio_api/monitoring"):
        response = httpx.get(served.url + path)
        assert response.status_code in (403, 404) and "Monitoring URL" not in response.text


@pytest.mark.e2e
def test_login_from_environment_settings(real_assistant, tmp_path):
    demo = app.build_app(real_assistant, feedback_dir=tmp_path)
    settings = app.ServerSettings(port=free_port(), user="amt", password="geheim")
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        assert httpx.get(url + "config").status_code == 401
        with pytest.raises(Exception):  # noqa: B017 - the client raises different errors across versions
            Client(url, verbose=False)
        logged_in = Client(url, auth=("amt", "geheim"), verbose=False)
        result = logged_in.predict("Was läuft gut in Heßler?", api_name="/ask")
        assert result["passages"]
    finally:
        demo.close()


@pytest.mark.e2e
def test_main_serves_on_localhost_and_returns_zero(real_assistant, monkeypatch, capsys):
    port = free_port()
    monkeypatch.setattr(Assistant, "load", classmethod(lambda cls, *a, **k: real_assistant))
    monkeypatch.delenv("PROTOKOLL_HOST", raising=False)
    seen = {}

    def serve_once(demo):
        seen["status"] = httpx.get(f"http://127.0.0.1:{port}/").status_code
        seen["host"] = demo.server_name
        demo.close()

    monkeypatch.setattr(app.gr.Blocks, "block_thread", serve_once)
    assert app.main(["--port", str(port)]) == 0
    assert seen == {"status": 200, "host": "127.0.0.1"}
    assert f"http://127.0.0.1:{port}/" in capsys.readouterr().out
    # A port that is taken is a German error, not a traceback.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert app.main(["--port", str(taken.getsockname()[1])]) == 2
    assert "kann nicht auf 127.0.0.1" in capsys.readouterr().err


def test_the_intro_names_the_documents_as_one_list():
    from ui.layout import intro_text

    three = intro_text([("IKON Minden, Workshopphase 1", "a"), ("B", "b"), ("C", "c")])
    assert "steht: „IKON Minden, Workshopphase 1“, „B“ und „C“. Jede Antwort" in three
    assert "steht: „A“. Jede" in intro_text([("A", "a")])
    assert "keine Protokolle" in intro_text([])

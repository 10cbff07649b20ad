"""The app's handlers as plain functions: no Gradio, a stand-in assistant over a tiny hand-made protocol."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant import QuestionError
from assistant.answer import Answer
from assistant.retrieve import Hit
from index import Item, Passage
from index.settings import PROJECT_ROOT
from ui.feedback import read_feedback
from ui.handlers import Handlers, UserMessage
from ui.state import Conversation

LINES = ["Tafel Nordstadt", "Handlungsbedarfe", "- Spielplätze", "- sichere Wege", "Was läuft gut", "- Feste"]


def passage(section, items, place="Nordstadt"):
    return Passage(source="werkstatt.txt", doc_title="Werkstatt", board_kind="district", board="Tafel 1",
                   section=section, items=[Item(text, line) for text, line in items], place=place,
                   meta={"city": "Minden", "date": "2020-05-04"})


class StandIn:
    """What the handlers use of an assistant: its passages, corpus folder, settings and ask."""

    def __init__(self, corpus: Path, feedback: Path) -> None:
        self.needs = passage("Handlungsbedarfe", [("- Spielplätze", 3), ("- sichere Wege", 4)])
        self.good = passage("Was läuft gut", [("- Feste", 6)])
        self.store = SimpleNamespace(passages=[self.needs, self.good])
        self.corpus_dir = corpus
        self.settings = SimpleNamespace(feedback_dir=feedback)
        self.asked = []

    def ask(self, question, history=None, filters=None):
        self.asked.append((question, list(history or []), filters))
        if "Rakete" in question:
            raise QuestionError("Diese Frage kann ich nicht verwenden.")
        if "Absturz" in question:
            raise RuntimeError("kaputt")
        return Answer(text="Für Nordstadt steht „Handlungsbedarfe“ [1].\n\n- Spielplätze [1]",
                      passages=[Hit(self.needs, 1.0, highlights=(3,)), Hit(self.good, 0.5)],
                      lead="Für Nordstadt steht „Handlungsbedarfe“ [1].",
                      query=SimpleNamespace(followup=bool(history) and question.startswith("Und"), intent=None,
                                            language="de"))


@pytest.fixture
def handlers(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "werkstatt.txt").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return Handlers(StandIn(corpus, tmp_path / "feedback"))


def test_handlers_import_without_gradio():
    code = "import sys, ui.handlers, ui.state, ui.render; print('gradio' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_chat_returns_updates_by_component_name_and_keeps_the_conversation(handlers):
    first = handlers.chat("Was fehlt in Nordstadt?", [], [], [], None, "http://h/")
    assert set(first) == {"question", "chatbot", "conversation", "citations", "source", "link", "status"}
    assert first["question"] == "" and first["status"] == ""
    conversation = first["conversation"]
    assert conversation.questions == ["Was fehlt in Nordstadt?"] and conversation.current == 0
    assert first["citations"]["value"] == "1" and first["citations"]["label"] == "Quellen der Antwort"
    assert [label for label, _ in first["citations"]["choices"]] == ["[1] Tafel 1 · Handlungsbedarfe",
                                                                    "[2] Tafel 1 · Was läuft gut"]
    assert "Quelle [1]" in first["source"] and '<tr class="pa-hit pa-answer">' in first["source"]
    assert [m["role"] for m in first["chatbot"]] == ["user", "assistant"]
    second = handlers.chat("Und sonst?", [], ["Nordstadt"], [], conversation, "")
    [(_, history, _)] = [ask for ask in handlers.assistant.asked if ask[0] == "Und sonst?"]
    assert history == ["Was fehlt in Nordstadt?"]  # the history goes along
    assert second["conversation"].current == 1 and second["link"] == ""
    assert "Eingegrenzt auf: Ort: Nordstadt" in second["chatbot"][-1]["content"]
    assert handlers.show_source("2", conversation)["source"].count("Quelle [2]") == 1
    with pytest.raises(UserMessage, match="keine Quelle"):
        handlers.show_source("7", conversation)
    back = handlers.select_turn(0, conversation)
    assert back["conversation"].current == 0 and "Antwort 1" in back["status"]


def test_the_link_follows_the_selected_answer(handlers):
    conversation = handlers.chat("Was fehlt in Nordstadt?", [], [], [], None, "http://host/")["conversation"]
    second = handlers.chat("Wie ist das Wetter?", [], [], [], conversation, "http://host/")
    assert "q=Wie%20ist" in second["link"]
    first = handlers.select_turn(0, conversation, "http://host/")
    assert first["link"] == "http://host/?q=Was%20fehlt%20in%20Nordstadt%3F"
    assert "q=Wie%20ist" in handlers.select_turn(3, conversation, "http://host/")["link"]
    by_marker = handlers.open_marker("0-1", conversation, "http://host/")
    assert by_marker["link"] == first["link"]


def test_problems_are_german_messages(handlers):
    with pytest.raises(UserMessage, match="Bitte geben Sie eine Frage ein"):
        handlers.chat("   ", [], [], [], None)
    with pytest.raises(UserMessage, match="Unbekannte Auswahl für Ort: Atlantis"):
        handlers.chat("Was fehlt?", [], ["Atlantis"], [], None)
    with pytest.raises(UserMessage, match="nicht verwenden") as caught:
        handlers.chat("Eine Rakete?", [], [], [], None)
    assert caught.value.title == "Bitte Frage prüfen"
    with pytest.raises(UserMessage, match="internen Fehlers") as caught:
        handlers.chat("Absturz?", [], [], [], None)
    assert caught.value.title == "Fehler"
    with pytest.raises(UserMessage, match="noch keine Antwort"):
        handlers.export(Conversation())


def test_export_is_written_only_when_asked_for(handlers):
    conversation = handlers.chat("Was fehlt in Nordstadt?", [], [], [], None, "http://h/")["conversation"]
    assert list(handlers.exports.path.glob("*/*.md")) == []  # an answer writes no file
    path = Path(handlers.export(conversation, "http://h/")["download"])
    text = path.read_text(encoding="utf-8")
    assert "## Frage 1: Was fehlt in Nordstadt?" in text and "?q=Was%20fehlt%20in%20Nordstadt%3F" in text
    assert path.parent.parent == handlers.exports.path


def test_feedback_is_appended_for_the_selected_answer(handlers):
    conversation = handlers.chat("Was fehlt in Nordstadt?", [], [], [], None)["conversation"]
    handlers.chat("Und sonst?", [], [], [], conversation)
    handlers.select_turn(0, conversation)
    result = handlers.feedback("down", "zu knapp", conversation)
    assert result["reason"] == "" and "Antwort 1" in result["status"]
    [record] = read_feedback(handlers.feedback_dir)
    assert (record["question"], record["vote"], record["reason"]) == ("Was fehlt in Nordstadt?", "down", "zu knapp")
    assert json.dumps(record)
    with pytest.raises(UserMessage, match="zu lang"):
        handlers.feedback("up", "x" * 3000, conversation)


def test_a_shared_link_carries_the_questions_its_answer_follows_up_on(handlers):
    conversation = handlers.chat("Was fehlt in Nordstadt?", [], [], [], None, "http://h/app/")["conversation"]
    standalone = handlers.chat("Was läuft gut?", [], [], [], conversation, "http://h/app/")
    assert standalone["link"] == "http://h/app/?q=Was%20l%C3%A4uft%20gut%3F"
    follow_up = handlers.chat("Und sonst?", [], [], [], conversation, "http://h/app/")
    assert follow_up["link"] == "http://h/app/?q=Was%20l%C3%A4uft%20gut%3F&q=Und%20sonst%3F"
    # Opening it asks the questions in their order, as one conversation.
    handlers.assistant.asked.clear()
    opened = handlers.open_link(["Was läuft gut?", "Und sonst?"], [], [], [], None, "http://h/app/")
    assert [(q, h) for q, h, _ in handlers.assistant.asked] == [("Was läuft gut?", []),
                                                               ("Und sonst?", ["Was läuft gut?"])]
    assert opened["conversation"].questions == ["Was läuft gut?", "Und sonst?"]
    assert opened["link"] == follow_up["link"]
    # The exported conversation's link for the follow-up asks what it follows up on too.
    exported = Path(handlers.export(opened["conversation"], "http://h/app/")["download"]).read_text(encoding="utf-8")
    assert "<http://h/app/?q=Was%20l%C3%A4uft%20gut%3F&q=Und%20sonst%3F>" in exported
    restricted = handlers.chat("Was läuft gut?", [], ["Nordstadt"], [], None, "http://h/app/")
    assert restricted["link"] == "http://h/app/?q=Was%20l%C3%A4uft%20gut%3F&ort=Nordstadt"
    kept, note = handlers.link_restriction({"documents": [], "places": ["Nordstadt", "Atlantis"], "sections": []})
    assert kept["places"] == ["Nordstadt"] and "„Atlantis“ aus dem Link gibt es" in note
    assert handlers.link_restriction({"documents": [], "places": ["Nordstadt"], "sections": []})[1] == ""
    assert handlers.open_link([], [], [], [], None) == {}
    with pytest.raises(UserMessage, match="höchstens 10 Fragen"):
        handlers.open_link(["Was fehlt?"] * 11, [], [], [], None)


@pytest.mark.e2e
def test_nothing_found_under_filters_says_why_and_how_to_search_without(tmp_path_factory):
    from support import real_index_dir

    from assistant import Assistant

    assistant = Assistant.load(corpus_dir=PROJECT_ROOT / "corpus",
                               index_dir=real_index_dir(tmp_path_factory.getbasetemp()))
    real = Handlers(assistant, tmp_path_factory.mktemp("feedback"))
    first = real.chat("Was läuft gut in Schalke?", [], ["Schalke"], [], None)
    assert "außerhalb der Eingrenzung" not in first["chatbot"][-1]["content"]
    followup = real.chat("Und in Bismarck?", [], ["Schalke"], [], first["conversation"])
    message = followup["chatbot"][-1]["content"]
    assert followup["conversation"].turns[-1].answer.passages == []  # not Schalke's boards for Bismarck
    assert "„Bismarck“ liegt außerhalb der Eingrenzung" in message
    assert "Ohne Eingrenzung suchen" in message

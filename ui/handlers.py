"""What the app does on each event, as plain functions over plain values: testable without Gradio.

Each handler returns a dict keyed by the name of the component it updates ("chatbot", "source" …); the layout
maps names to components. A choice list is {"choices": […], "value": …}, a download {"value": path or None}.
Expected problems (a question too long, an unknown filter) raise UserMessage with a German text.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from assistant import Answer, Assistant, Filters, QuestionError, clean_question

from .export import citation_line, question_link
from .exports import ExportFolder
from .feedback import MAX_REASON_CHARS, append_feedback, feedback_record
from .render import NO_SOURCE, SOURCE_PLACEHOLDER, chat_messages, citation_choices
from .sources import Protocols, render_reader, render_source
from .state import MAX_TURNS, Conversation, Turn

log = logging.getLogger("protokoll.app")

FILTER_NAMES = {"documents": "Dokument", "places": "Ort", "sections": "Abschnitt"}
MAX_HISTORY = 50  # earlier questions an API call may send


class UserMessage(Exception):
    """A German message for the user (expected, so no traceback in the server log)."""

    def __init__(self, message: str, title: str = "Hinweis") -> None:
        super().__init__(message)
        self.title = title


def page_url(headers: Mapping[str, str] | None) -> str:
    """The address of the app page a request came from, without query (for share links); "" when unknown."""
    if not headers:
        return ""
    headers = {key.lower(): value for key, value in dict(headers).items()}
    referer = headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        if parts.scheme in ("http", "https") and parts.netloc:
            return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
    if headers.get("origin", "").startswith(("http://", "https://")):
        return headers["origin"].rstrip("/") + "/"
    if headers.get("host"):
        return f"http://{headers['host']}/"
    return ""


class Handlers:
    """The app's events over one assistant: its protocols for the source view, a feedback folder, exports."""

    def __init__(self, assistant: Assistant, feedback_dir: str | Path | None = None) -> None:
        self.assistant = assistant
        self.protocols = Protocols(assistant.store.passages, assistant.corpus_dir)
        self.feedback_dir = Path(feedback_dir) if feedback_dir else assistant.settings.feedback_dir
        self.exports = ExportFolder()
        self.choices = {"documents": self.protocols.documents(), "places": self.protocols.places(),
                        "sections": self.protocols.sections()}
        self.labels = {key: {value: label for label, value in choices} for key, choices in self.choices.items()}

    # -- checks ---------------------------------------------------------------------------------------------------

    def make_filters(self, documents, places, sections) -> tuple[Filters | None, dict, str]:
        """Filters from the dropdowns (or API lists), checked against what the protocols contain."""
        chosen = {"documents": documents, "places": places, "sections": sections}
        clean: dict[str, list[str]] = {}
        for key, values in chosen.items():
            if values is None or values == "":
                values = []
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
                raise UserMessage(f"Die Auswahl „{FILTER_NAMES[key]}“ muss eine Liste von Texten sein.")
            unknown = [value for value in values if value not in self.labels[key]]
            if unknown:
                raise UserMessage(f"Unbekannte Auswahl für {FILTER_NAMES[key]}: "
                                  f"{', '.join(v[:60] for v in unknown[:3])}.")
            clean[key] = values
        if not any(clean.values()):
            return None, {}, ""
        description = "; ".join(
            f"{FILTER_NAMES[key]}: {', '.join(self.labels[key][value] for value in values)}"
            for key, values in clean.items() if values
        )
        filters = Filters(set(clean["documents"]), set(clean["places"]), set(clean["sections"]))
        return filters, {key: values for key, values in clean.items() if values}, description

    def answer_question(self, question, documents, places, sections,
                        history: list[str]) -> tuple[str, Answer, dict, str]:
        try:
            text = clean_question(question)  # refuses huge inputs before any per-character work
        except ValueError as error:
            raise UserMessage(str(error), title="Bitte Frage prüfen") from None
        filters, chosen, description = self.make_filters(documents, places, sections)
        try:
            answer = self.assistant.ask(text, history=history, filters=filters)
        except QuestionError as error:  # anything else is an internal error: logged, not shown as a hint
            raise UserMessage(str(error), title="Bitte Frage prüfen") from None
        except Exception:
            log.exception("Beim Beantworten einer Frage ist ein Fehler aufgetreten")
            raise UserMessage("Die Frage konnte wegen eines internen Fehlers nicht beantwortet werden. "
                              "Bitte versuchen Sie es noch einmal.", title="Fehler") from None
        return text, answer, chosen, description

    def source_for(self, turn: Turn | None, marker: str | None = "1") -> str:
        if turn is None:
            return SOURCE_PLACEHOLDER
        if not turn.answer.passages:
            return NO_SOURCE
        try:
            number = int(marker or 1)
        except (TypeError, ValueError):
            number = 1
        if not 1 <= number <= len(turn.answer.passages):
            raise UserMessage(f"Die Antwort hat keine Quelle [{marker}].")
        hit = turn.answer.passages[number - 1]
        return render_source(self.protocols, hit.passage, number, highlights=hit.highlights,
                             similar=turn.answer.verdict == "nein")

    # -- events ---------------------------------------------------------------------------------------------------

    def chat(self, question, documents, places, sections, conversation: Conversation | None,
             base_url: str = "") -> dict:
        conversation = conversation or Conversation()
        if len(conversation.turns) >= MAX_TURNS:
            raise UserMessage("Die Unterhaltung ist sehr lang geworden. Bitte beginnen Sie eine neue Unterhaltung.")
        text, answer, chosen, description = self.answer_question(question, documents, places, sections,
                                                                 conversation.questions)
        conversation.turns.append(Turn(text, answer, chosen, description))
        conversation.current = len(conversation.turns) - 1
        turn = conversation.turns[-1]
        return {
            "question": "",
            "chatbot": chat_messages(conversation),
            "conversation": conversation,
            "citations": citation_choices(turn),
            "source": self.source_for(turn),
            "link": question_link(base_url, text) if base_url else "",
            "download": {"value": self.exports.write(conversation, base_url), "interactive": True},
            "status": "",
        }

    def show_source(self, marker, conversation: Conversation | None) -> dict:
        if conversation is None or conversation.current is None:
            return {"source": SOURCE_PLACEHOLDER}
        return {"source": self.source_for(conversation.turn(), marker)}

    def select_turn(self, index, conversation: Conversation | None) -> dict:
        """A click on a message of the chat: its answer's sources are shown and feedback rates it."""
        if conversation is None or not isinstance(index, int) or not conversation.turns:
            return {}
        conversation.current = min(index // 2, len(conversation.turns) - 1)
        turn = conversation.turn()
        note = f"Ausgewählt: Antwort {conversation.current + 1} – Quellen und Bewertung beziehen sich darauf."
        return {"conversation": conversation, "citations": citation_choices(turn), "source": self.source_for(turn),
                "status": note}

    def feedback(self, vote: str, reason, conversation: Conversation | None) -> dict:
        if conversation is None or conversation.current is None:
            raise UserMessage("Es gibt noch keine Antwort, die Sie bewerten können.")
        if reason is not None and not isinstance(reason, str):
            raise UserMessage("Die Begründung muss ein Text sein.")
        if reason and len(reason) > MAX_REASON_CHARS:
            raise UserMessage(f"Die Begründung ist zu lang (höchstens {MAX_REASON_CHARS} Zeichen).")
        index = conversation.current
        turn = conversation.turns[index]
        record = feedback_record(turn.question, turn.answer, vote, reason or "",
                                 history=conversation.questions[:index], filters=turn.filters)
        try:
            append_feedback(self.feedback_dir, record)
        except OSError:
            log.exception("Rückmeldung konnte nicht in %s gespeichert werden", self.feedback_dir)
            raise UserMessage("Die Rückmeldung konnte nicht gespeichert werden.", title="Fehler") from None
        symbol = "👍" if vote == "up" else "👎"
        return {"status": f"Danke! Ihre Bewertung {symbol} zu Antwort {index + 1} wurde gespeichert.", "reason": ""}

    def new_conversation(self) -> dict:
        return {"question": "", "chatbot": [], "conversation": Conversation(), "citations": citation_choices(None),
                "source": SOURCE_PLACEHOLDER, "link": "", "download": {"value": None, "interactive": False},
                "status": ""}

    def read(self, documents, places, sections, search) -> str:
        if search is not None and not isinstance(search, str):
            raise UserMessage("Der Suchbegriff muss ein Text sein.")
        filters, _, _ = self.make_filters(documents, places, sections)
        return render_reader(self.protocols, filters, search or "")

    def ask(self, question, history=None, documents=None, places=None, sections=None) -> dict:
        """The JSON API: an answer with its citations and the restriction in effect."""
        if history is not None and (not isinstance(history, list) or len(history) > MAX_HISTORY):
            raise UserMessage(f"history muss eine Liste früherer Fragen sein (höchstens {MAX_HISTORY}).")
        text, answer, _, description = self.answer_question(question, documents, places, sections, history or [])
        result = answer.to_dict()
        result["question"] = text
        result["restriction"] = description
        result["citations"] = [citation_line(n, hit).replace("\\", "") for n, hit in
                               enumerate(answer.passages, start=1)]
        return result

"""What the app does on each event, as plain functions over plain values: testable without Gradio.

Each handler returns a dict keyed by the name of the component it updates ("chatbot", "source" …); the layout
maps names to components. A choice list is {"choices": […], "value": …}.
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
from .places import place_rows, places_csv
from .render import NO_SOURCE, SOURCE_PLACEHOLDER, chat_messages, citation_choices
from .sources import Protocols, render_reader, render_source
from .state import MAX_TURNS, Conversation, Turn
from .suggest import Suggestions

log = logging.getLogger("protokoll.app")

FILTER_NAMES = {"documents": "Dokument", "places": "Ort", "sections": "Abschnitt"}
MAX_HISTORY = 50  # earlier questions an API call may send
MAX_SHARED_QUESTIONS = 10  # a shared link asks at most so many questions


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


class Generation:
    """An assistant over one index generation with what the app derives from it (source view, filter choices,
    next questions). Replaced as a whole when the corpus changes; an answer keeps the one it started with."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.protocols = Protocols(assistant.store.passages, assistant.corpus_dir)
        self.suggestions = Suggestions.of(assistant)
        self.choices = {"documents": self.protocols.documents(), "places": self.protocols.places(),
                        "sections": self.protocols.sections()}
        self.labels = {key: {value: label for label, value in choices} for key, choices in self.choices.items()}


class Handlers:
    """The app's events over one assistant: its protocols for the source view, a feedback folder, exports."""

    def __init__(self, assistant: Assistant, feedback_dir: str | Path | None = None) -> None:
        self.generation = Generation(assistant)
        self.feedback_dir = Path(feedback_dir) if feedback_dir else assistant.settings.feedback_dir
        self.exports = ExportFolder()

    def switch(self, assistant: Assistant) -> None:
        """Serve every session from a new assistant (a new index generation) from now on."""
        self.generation = Generation(assistant)  # one assignment: a reader sees the old or the new one whole

    @property
    def assistant(self) -> Assistant:
        return self.generation.assistant

    @property
    def protocols(self) -> Protocols:
        return self.generation.protocols

    @property
    def choices(self) -> dict:
        return self.generation.choices

    def filter_choices(self) -> dict:
        """The filters' choices from the index now served (after a protocol was added or removed, a page built
        before shows them so)."""
        return {f"filter_{key}": choices for key, choices in self.generation.choices.items()}

    # -- checks ---------------------------------------------------------------------------------------------------

    def make_filters(self, documents, places, sections,
                     generation: Generation | None = None) -> tuple[Filters | None, dict, str]:
        """Filters from the dropdowns (or API lists), checked against what the protocols contain."""
        labels = (generation or self.generation).labels
        chosen = {"documents": documents, "places": places, "sections": sections}
        clean: dict[str, list[str]] = {}
        for key, values in chosen.items():
            if values is None or values == "":
                values = []
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
                raise UserMessage(f"Die Auswahl „{FILTER_NAMES[key]}“ muss eine Liste von Texten sein.")
            unknown = [value for value in values if value not in labels[key]]
            if unknown:
                raise UserMessage(f"Unbekannte Auswahl für {FILTER_NAMES[key]}: "
                                  f"{', '.join(v[:60] for v in unknown[:3])}.")
            clean[key] = values
        if not any(clean.values()):
            return None, {}, ""
        description = "; ".join(
            f"{FILTER_NAMES[key]}: {', '.join(labels[key][value] for value in values)}"
            for key, values in clean.items() if values
        )
        filters = Filters(set(clean["documents"]), set(clean["places"]), set(clean["sections"]))
        return filters, {key: values for key, values in clean.items() if values}, description

    def answer_question(self, question, documents, places, sections, history: list[str],
                        generation: Generation | None = None) -> tuple[str, Answer, Filters, dict, str]:
        generation = generation or self.generation
        try:
            text = clean_question(question)  # refuses huge inputs before any per-character work
        except ValueError as error:
            raise UserMessage(str(error), title="Bitte Frage prüfen") from None
        filters, chosen, description = self.make_filters(documents, places, sections, generation)
        try:
            answer = generation.assistant.ask(text, history=history, filters=filters)
        except QuestionError as error:  # anything else is an internal error: logged, not shown as a hint
            raise UserMessage(str(error), title="Bitte Frage prüfen") from None
        except Exception:
            log.exception("Beim Beantworten einer Frage ist ein Fehler aufgetreten")
            raise UserMessage("Die Frage konnte wegen eines internen Fehlers nicht beantwortet werden. "
                              "Bitte versuchen Sie es noch einmal.", title="Fehler") from None
        return text, answer, filters, chosen, description

    def source_for(self, turn: Turn | None, marker: str | None = "1", generation: Generation | None = None) -> str:
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
        return render_source((generation or self.generation).protocols, hit.passage, number, highlights=hit.highlights,
                             similar=turn.answer.only_similar)

    # -- events ---------------------------------------------------------------------------------------------------

    def chat(self, question, documents, places, sections, conversation: Conversation | None,
             base_url: str = "") -> dict:
        conversation = conversation or Conversation()
        if len(conversation.turns) >= MAX_TURNS:
            raise UserMessage("Die Unterhaltung ist sehr lang geworden. Bitte beginnen Sie eine neue Unterhaltung.")
        generation = self.generation  # the whole answer comes from the generation it started on
        text, answer, filters, chosen, description = self.answer_question(question, documents, places, sections,
                                                                          conversation.questions, generation)
        suggestions = generation.suggestions.for_answer(answer, [*conversation.questions, text], filters=filters)
        conversation.turns.append(Turn(text, answer, chosen, description, suggestions))
        conversation.current = len(conversation.turns) - 1
        turn = conversation.turns[-1]
        return {
            "question": "",
            "chatbot": chat_messages(conversation),
            "conversation": conversation,
            "citations": citation_choices(turn),
            "source": self.source_for(turn, "1", generation),
            "link": self.link_to(conversation, base_url),
            "status": "",
        }

    def link_restriction(self, restriction: dict[str, list[str]]) -> tuple[dict[str, list[str]], str]:
        """A shared link's restriction without the values the protocols do not have (a place removed since, a typo
        in the address), and a German note naming those: the link's question is asked all the same."""
        labels = self.generation.labels
        kept = {key: [value for value in values if value in labels[key]] for key, values in restriction.items()}
        unknown = [f"„{value[:60]}“" for key, values in restriction.items() for value in values
                   if value not in labels[key]]
        note = (f"Die Eingrenzung {', '.join(unknown[:3])} aus dem Link gibt es in den Protokollen nicht; die Frage "
                "wurde ohne sie gestellt.") if unknown else ""
        return kept, note

    def open_link(self, questions: list[str], documents, places, sections, conversation: Conversation | None,
                  base_url: str = "") -> dict:
        """A shared link: its questions asked in their order, as one conversation (the last answer shown)."""
        questions = [question for question in questions if isinstance(question, str) and question.strip()]
        if not questions:
            return {}
        if len(questions) > MAX_SHARED_QUESTIONS:
            raise UserMessage(f"Ein Link kann höchstens {MAX_SHARED_QUESTIONS} Fragen enthalten.")
        result = {}
        for question in questions:
            result = self.chat(question, documents, places, sections, conversation, base_url)
            conversation = result["conversation"]
        return result

    def export(self, conversation: Conversation | None, base_url: str = "") -> dict:
        """The conversation as a Markdown file, written when asked for (not with every answer)."""
        if conversation is None or not conversation.turns:
            raise UserMessage("Es gibt noch keine Antwort, die Sie herunterladen können.")
        return {"download": self.exports.write(conversation, base_url)}

    def places_table(self, conversation: Conversation | None) -> dict:
        """The places table of the selected answer as a CSV file."""
        turn = conversation.turn() if conversation is not None else None
        if turn is None:
            raise UserMessage("Es gibt noch keine Antwort, die Sie herunterladen können.")
        if not place_rows(turn.answer):
            raise UserMessage("Die ausgewählte Antwort hat keine Orte-Tabelle (nur Wo-Fragen haben eine).")
        return {"download": self.exports.write_text(places_csv(turn.answer), "Orte", "csv")}

    def show_source(self, marker, conversation: Conversation | None) -> dict:
        if conversation is None or conversation.current is None:
            return {"source": SOURCE_PLACEHOLDER}
        return {"source": self.source_for(conversation.turn(), marker)}

    @staticmethod
    def link_to(conversation: Conversation, base_url: str) -> str:
        """The link that asks the selected answer's question again, under its restriction."""
        turn = conversation.turn()
        return question_link(base_url, conversation.asked_for(), turn.filters) if base_url and turn else ""

    def open_marker(self, marker, conversation: Conversation | None, base_url: str = "") -> dict:
        """A marker clicked in an answer ("2-3": answer 3's source [3]): that answer is selected (its sources
        listed, feedback rates it) and the source is shown."""
        try:
            index, number = (int(part) for part in str(marker).split("-"))
        except (TypeError, ValueError):
            raise UserMessage("Diese Quelle gibt es nicht.") from None
        turn = conversation.turn(index) if conversation is not None else None
        if turn is None or not 1 <= number <= len(turn.answer.passages):
            raise UserMessage("Diese Quelle gibt es nicht.")
        conversation.current = index
        citations = citation_choices(turn)
        citations["value"] = str(number)
        return {"conversation": conversation, "citations": citations, "source": self.source_for(turn, str(number)),
                "status": f"Ausgewählt: Antwort {index + 1}, Quelle [{number}].",
                "link": self.link_to(conversation, base_url)}

    def select_turn(self, index, conversation: Conversation | None, base_url: str = "") -> dict:
        """A click on a message of the chat: its answer's sources are shown and feedback rates it."""
        if conversation is None or not isinstance(index, int) or not conversation.turns:
            return {}
        conversation.current = min(index // 2, len(conversation.turns) - 1)
        turn = conversation.turn()
        note = f"Ausgewählt: Antwort {conversation.current + 1} – Quellen und Bewertung beziehen sich darauf."
        return {"conversation": conversation, "citations": citation_choices(turn), "source": self.source_for(turn),
                "status": note, "link": self.link_to(conversation, base_url)}

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
        verdict = "hilfreich" if vote == "up" else "nicht hilfreich"
        return {"status": f"Danke! Ihre Bewertung „{verdict}“ zu Antwort {index + 1} wurde gespeichert.",
                "reason": ""}

    def new_conversation(self) -> dict:
        return {"question": "", "chatbot": [], "conversation": Conversation(), "citations": citation_choices(None),
                "source": SOURCE_PLACEHOLDER, "link": "", "status": "", "download": None}

    def read(self, documents, places, sections, search) -> str:
        if search is not None and not isinstance(search, str):
            raise UserMessage("Der Suchbegriff muss ein Text sein.")
        filters, _, _ = self.make_filters(documents, places, sections)
        return render_reader(self.protocols, filters, search or "")

    def ask(self, question, history=None, documents=None, places=None, sections=None) -> dict:
        """The JSON API: an answer with its citations and the restriction in effect."""
        if history is not None and (not isinstance(history, list) or len(history) > MAX_HISTORY):
            raise UserMessage(f"history muss eine Liste früherer Fragen sein (höchstens {MAX_HISTORY}).")
        text, answer, _, _, description = self.answer_question(question, documents, places, sections,
                                                               history or [])
        result = answer.to_dict()
        result["question"] = text
        result["restriction"] = description
        result["citations"] = [citation_line(n, hit).replace("\\", "") for n, hit in
                               enumerate(answer.passages, start=1)]
        return result

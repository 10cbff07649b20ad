"""The Gradio app: a German chat over the protocols with openable citations, a reader, feedback and export."""

from __future__ import annotations

import argparse
import atexit
import html
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# Before gradio is imported: it reads this once, and nothing may be reported home.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402

from assistant import MAX_QUESTION_CHARS, Answer, Assistant, Filters, QuestionError, clean_question  # noqa: E402
from assistant.answer import escape_markdown  # noqa: E402
from assistant.export import (  # noqa: E402
    citation_line,
    conversation_markdown,
    line_span,
    question_link,
    restriction_note,
)
from assistant.feedback import MAX_REASON_CHARS, append_feedback, feedback_record  # noqa: E402
from assistant.sources import (  # noqa: E402
    MAX_SEARCH_CHARS,
    Protocols,
    render_reader,
    render_source,
)
from index import CorpusError  # noqa: E402
from index.documents import os_error_reason, unusable_path_message  # noqa: E402

log = logging.getLogger("protokoll.app")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
EXPORT_MAX_AGE_SECONDS = 3600
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_TURNS = 100  # per conversation; a session's state stays bounded

EXAMPLES_STAFF = [
    "Welche Handlungsbedarfe gibt es in Schalke?",
    "Wer hat beim Thema Klimaschutz den Hut auf?",
    "Was schlägt der Workshop Wohnen gegen Segregation vor?",
]
EXAMPLES_CITIZENS = [
    "Wo gibt es Probleme mit Müll?",
    "Wo fehlen Kita-Plätze?",
    "Was läuft gut in Bismarck?",
]


CSS = """
.pa-source h3 { margin: 0.2em 0 0.4em; }
.pa-kicker { margin: 0; font-size: 0.85em; opacity: 0.75; }
.pa-meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 0.8em; margin: 0 0 0.8em; }
.pa-meta dt { font-weight: 600; }
.pa-meta dd { margin: 0; }
.pa-note { font-size: 0.9em; opacity: 0.85; }
table.pa-lines { border-collapse: collapse; width: 100%; font-size: 0.92em; }
.pa-caption { font-size: 0.85em; opacity: 0.8; margin: 0 0 0.3em; }
.pa-scroll { max-height: 45vh; overflow: auto; border: 1px solid rgba(128, 128, 128, 0.3); border-radius: 6px; }
table.pa-lines td, table.pa-lines th { vertical-align: top; padding: 0.1em 0.4em; white-space: pre-wrap;
  overflow-wrap: anywhere; text-align: left; border-bottom: 1px solid rgba(128, 128, 128, 0.15); }
table.pa-lines th.pa-no, .pa-items .pa-no { font-weight: normal; opacity: 0.6; font-variant-numeric: tabular-nums;
  text-align: right; white-space: nowrap; user-select: none; }
mark { background: #fde68a; color: #1f2937; padding: 0 0.1em; border-radius: 2px; }
/* Two kinds of marking, told apart by more than colour: the lines that answer are bold with a dark bar at the
   left, the rest of the cited passage is a pale underlay in normal weight. */
mark.pa-answer { background: #fcd34d; color: #111827; }
mark.pa-answer strong { font-weight: 700; }
mark.pa-cited { background: #fef3c7; color: #374151; }
tr.pa-answer { background: rgba(252, 211, 77, 0.28); }
tr.pa-answer > th.pa-no { box-shadow: inset 4px 0 0 #b45309; opacity: 1; font-weight: 700; }
tr.pa-cited { background: rgba(254, 243, 199, 0.3); }
tr.pa-cited > th.pa-no { box-shadow: inset 2px 0 0 rgba(180, 83, 9, 0.45); }
.pa-items li.pa-answer { box-shadow: inset 4px 0 0 #b45309; }
.pa-items li.pa-cited { box-shadow: inset 2px 0 0 rgba(180, 83, 9, 0.45); }
tr.pa-empty td, .pa-items li.pa-empty { font-style: italic; opacity: 0.85; }
.pa-legend { font-size: 0.85em; margin: 0 0 0.4em; line-height: 1.6; }
.pa-legend mark { padding: 0 0.25em; }
.pa-legend mark.pa-answer { box-shadow: inset 3px 0 0 #b45309; padding-left: 0.45em; }
/* A where-answer may cite many boards: their list scrolls, so the source view stays close below it. */
#quellen div.wrap:has(> label) { max-height: min(32vh, 20em); overflow-y: auto; }
.pa-doc h3 { margin: 1em 0 0.3em; }
.pa-doc details { border: 1px solid rgba(128, 128, 128, 0.3); border-radius: 6px; margin: 0.3em 0;
  padding: 0.3em 0.6em; }
.pa-doc summary { cursor: pointer; font-weight: 600; }
.pa-doc summary span { font-weight: normal; opacity: 0.7; font-size: 0.9em; }
.pa-doc h4 { margin: 0.6em 0 0.2em; }
.pa-items { list-style: none; padding-left: 0; margin: 0; }
.pa-items li { display: grid; grid-template-columns: 3.2em 1fr; gap: 0.5em; white-space: pre-wrap; }
.pa-summary { font-weight: 600; }
"""

# System fonts: nothing to download, and the same look on an offline machine.
THEME = gr.themes.Default(
    font=["system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Liberation Sans", "sans-serif"],
    font_mono=["ui-monospace", "Consolas", "DejaVu Sans Mono", "monospace"],
)


# ---------------------------------------------------------------------------------------------------------------
# Settings of the server (environment variables with the project's prefix)


@dataclass
class ServerSettings:
    """Where and how the app listens: host, port, optional login, queue limits."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    user: str | None = None
    password: str | None = None
    concurrency: int = 1  # answers at a time; a 2-core machine embeds one question at a time best
    # Waiting events; more are refused with a message instead of piling up. 32 users asking at once must fit
    # with room to spare (a browser's page load is an event too): an answer takes ~0.1-0.3 s, so the last of 64
    # waits seconds, not minutes (benchmarks/load.py).
    queue_size: int = 64

    @classmethod
    def from_env(cls, environ: dict | None = None) -> ServerSettings:
        env = os.environ if environ is None else environ
        return cls(
            host=env.get("PROTOKOLL_HOST") or DEFAULT_HOST,
            port=_int_setting(env, "PROTOKOLL_PORT", DEFAULT_PORT),
            user=env.get("PROTOKOLL_USER") or None,
            password=env.get("PROTOKOLL_PASSWORD") or None,
            concurrency=_int_setting(env, "PROTOKOLL_CONCURRENCY", 1),
            queue_size=_int_setting(env, "PROTOKOLL_QUEUE_SIZE", cls.queue_size),
        )

    @property
    def auth(self) -> tuple[str, str] | None:
        if bool(self.user) != bool(self.password):
            raise ValueError("Für die Anmeldung müssen PROTOKOLL_USER und PROTOKOLL_PASSWORD beide gesetzt sein.")
        return (self.user, self.password) if self.user else None


def _int_setting(env, name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} ist keine ganze Zahl.") from None
    if number < 1:
        raise ValueError(f"{name} muss größer als 0 sein.")
    return number


SOURCE_PLACEHOLDER = (
    '<div class="pa-source"><p class="pa-note">Hier erscheint die Quelle einer Antwort: die ganze Tafel '
    "bzw. Tabellenzeile mit Dokument, Stadt, Datum, Abschnitt und Zeilennummern; hervorgehoben sind die Zeilen, "
    "die die Frage beantworten, schwach markiert der übrige zitierte Abschnitt. Wählen Sie dazu oben eine Quelle "
    "aus.</p></div>"
)
NO_SOURCE = ('<div class="pa-source"><p class="pa-note">Diese Antwort zitiert keine Quelle: in den Protokollen '
             "steht dazu nichts Passendes.</p></div>")
# The chat shows a new answer from its start (the question, then the lead that answers it), not its end: Gradio's
# autoscroll is off and this puts the newest question at the top of the chat, and in the window when the page is
# scrolled past it (a phone, after typing); without a question it keeps Gradio's behaviour (the end).
SHOW_NEWEST_QUESTION = """() => {
  setTimeout(() => {
    const chat = document.querySelector('#chat');
    if (!chat) return;
    const box = chat.querySelector('.bubble-wrap') || [...chat.querySelectorAll('div')].find(
      (e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight);
    if (!box) return;
    const questions = box.querySelectorAll('.user-row');
    const last = questions[questions.length - 1];
    if (!last) { box.scrollTop = box.scrollHeight; return; }
    box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    last.scrollIntoView({block: 'nearest'});  // a phone shows the chat above the question box: up to the answer
  }, 50);
}"""
SCROLL_TO_MARK = """() => {
  setTimeout(() => {
    const box = document.querySelector('#quelle .pa-scroll');
    const hit = box && (box.querySelector('tr.pa-answer') || box.querySelector('tr.pa-hit'));
    if (hit) box.scrollTop = Math.max(0, hit.offsetTop - 2 * hit.offsetHeight);
  }, 100);
}"""


# ---------------------------------------------------------------------------------------------------------------
# The conversation a browser session holds


@dataclass
class Turn:
    """One question with its answer and the restriction that was in effect."""

    question: str
    answer: Answer
    filters: dict = field(default_factory=dict)  # {"documents": [...], "places": [...], "sections": [...]}
    restriction: str = ""  # the same in German words, shown with the answer


@dataclass
class Conversation:
    turns: list[Turn] = field(default_factory=list)
    current: int | None = None  # the turn whose sources are shown and which feedback rates

    @property
    def questions(self) -> list[str]:
        return [turn.question for turn in self.turns]


def answer_markdown(turn: Turn) -> str:
    """The chat message of an answer: restriction note, answer text, and its numbered sources."""
    parts = []
    if turn.restriction:
        parts += [restriction_note(turn.restriction), ""]
    parts.append(lead_apart(turn.answer))
    if turn.answer.passages:
        parts += ["", "**Quellen** (zum Nachlesen unter „Quellen der Antwort“ auswählen):"]
        parts += [f"- \\[{marker}\\] {escape_markdown(hit.citation)}, {line_span(hit.lines)}"
                  for marker, hit in enumerate(turn.answer.passages, start=1)]
    return "\n".join(parts)


def lead_apart(answer: Answer) -> str:
    """The answer text with its lead (the first line, which answers directly) as a paragraph of its own, apart from
    the count of findings that follows it."""
    text = answer.text
    if answer.lead and text.startswith(answer.lead + "\n") and not text[len(answer.lead) + 1:].startswith("\n"):
        return answer.lead + "\n\n" + text[len(answer.lead) + 1:]
    return text


def citation_label(hit, answer: Answer) -> str:
    """A citation for the list of sources: board and section, the document only when the answer cites several."""
    documents = {other.source for other in answer.passages}
    if len(documents) > 1:
        return hit.citation
    passage = hit.passage
    return " · ".join([passage.board] + ([passage.section] if passage.section and passage.section != passage.board
                                         else []))


def chat_messages(conversation: Conversation) -> list[dict]:
    messages = []
    for turn in conversation.turns:
        messages.append({"role": "user", "content": escape_markdown(turn.question)})
        messages.append({"role": "assistant", "content": answer_markdown(turn)})
    return messages


def page_url(request: gr.Request | None) -> str:
    """The address of the app page the request came from, without query (for share links); "" when unknown."""
    if request is None:
        return ""
    try:
        headers = {key.lower(): value for key, value in dict(request.headers).items()}
    except Exception:  # a request without headers (e.g. a direct function call)
        return ""
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


# ---------------------------------------------------------------------------------------------------------------
# The app


def build_app(assistant: Assistant, feedback_dir: str | Path | None = None) -> gr.Blocks:
    """The Blocks app over an assistant, whose corpus the source view reads; feedback goes to feedback_dir
    (default: the feedback folder of the assistant's settings)."""
    protocols = Protocols(assistant.store.passages, assistant.corpus_dir)
    feedback_dir = Path(feedback_dir) if feedback_dir else assistant.settings.feedback_dir
    export_dir = Path(tempfile.mkdtemp(prefix="protokoll-export-"))
    atexit.register(shutil.rmtree, export_dir, ignore_errors=True)
    document_choices, place_choices, section_choices = protocols.documents(), protocols.places(), protocols.sections()
    labels = {
        "documents": {value: label for label, value in document_choices},
        "places": {value: label for label, value in place_choices},
        "sections": {value: label for label, value in section_choices},
    }

    def make_filters(documents, places, sections) -> tuple[Filters | None, dict, str]:
        """Filters from the dropdowns (or API lists), checked against what the protocols contain."""
        chosen = {"documents": documents, "places": places, "sections": sections}
        names = {"documents": "Dokument", "places": "Ort", "sections": "Abschnitt"}
        clean: dict[str, list[str]] = {}
        for key, values in chosen.items():
            if values is None or values == "":
                values = []
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
                raise user_error(f"Die Auswahl „{names[key]}“ muss eine Liste von Texten sein.")
            unknown = [value for value in values if value not in labels[key]]
            if unknown:
                raise user_error(f"Unbekannte Auswahl für {names[key]}: {', '.join(v[:60] for v in unknown[:3])}.")
            clean[key] = values
        if not any(clean.values()):
            return None, {}, ""
        description = "; ".join(
            f"{names[key]}: {', '.join(labels[key][value] for value in values)}"
            for key, values in clean.items() if values
        )
        filters = Filters(set(clean["documents"]), set(clean["places"]), set(clean["sections"]))
        return filters, {key: values for key, values in clean.items() if values}, description

    def answer_question(question, documents, places, sections, history: list[str]) -> tuple[str, Answer, dict, str]:
        try:
            text = clean_question(question)  # refuses huge inputs before any per-character work
        except ValueError as error:
            raise user_error(str(error), title="Bitte Frage prüfen") from None
        filters, chosen, description = make_filters(documents, places, sections)
        try:
            answer = assistant.ask(text, history=history, filters=filters)
        except QuestionError as error:  # anything else is an internal error: logged, not shown as a hint
            raise user_error(str(error), title="Bitte Frage prüfen") from None
        except Exception:
            log.exception("Beim Beantworten einer Frage ist ein Fehler aufgetreten")
            raise user_error("Die Frage konnte wegen eines internen Fehlers nicht beantwortet werden. "
                             "Bitte versuchen Sie es noch einmal.", title="Fehler") from None
        return text, answer, chosen, description

    def citation_choices(turn: Turn | None):
        if turn is None:
            return gr.Radio(choices=[], value=None)
        choices = [(f"[{n}] {citation_label(hit, turn.answer)}", str(n))
                   for n, hit in enumerate(turn.answer.passages, start=1)]
        return gr.Radio(choices=choices, value="1" if choices else None)

    def source_for(turn: Turn | None, marker: str | None = "1") -> str:
        if turn is None:
            return SOURCE_PLACEHOLDER
        if not turn.answer.passages:
            return NO_SOURCE
        try:
            number = int(marker or 1)
        except (TypeError, ValueError):
            number = 1
        if not 1 <= number <= len(turn.answer.passages):
            raise user_error(f"Die Antwort hat keine Quelle [{marker}].")
        hit = turn.answer.passages[number - 1]
        return render_source(protocols, hit.passage, number, highlights=hit.highlights,
                             similar=turn.answer.verdict == "nein")

    def export_file(conversation: Conversation, base_url: str) -> str:
        """The conversation written to a fresh Markdown file for the download button."""
        _remove_old_exports(export_dir)
        folder = export_dir / uuid.uuid4().hex
        folder.mkdir()
        path = folder / f"Protokoll-Assistent-{datetime.now():%Y-%m-%d-%H%M}.md"
        turns = [(turn.question, turn.answer, turn.restriction) for turn in conversation.turns]
        path.write_text(conversation_markdown(turns, base_url=base_url or None), encoding="utf-8")
        return str(path)

    # -- event handlers -------------------------------------------------------------------------------------------

    def chat(question, documents, places, sections, conversation: Conversation, request: gr.Request):
        conversation = conversation or Conversation()
        if len(conversation.turns) >= MAX_TURNS:
            raise user_error("Die Unterhaltung ist sehr lang geworden. Bitte beginnen Sie eine neue Unterhaltung.")
        text, answer, chosen, description = answer_question(question, documents, places, sections,
                                                            conversation.questions)
        conversation.turns.append(Turn(text, answer, chosen, description))
        conversation.current = len(conversation.turns) - 1
        turn = conversation.turns[-1]
        base = page_url(request)
        return (
            "",
            chat_messages(conversation),
            conversation,
            citation_choices(turn),
            source_for(turn),
            question_link(base, text) if base else "",
            gr.DownloadButton(value=export_file(conversation, base), interactive=True),
            "",
        )

    def show_source(marker, conversation: Conversation) -> str:
        if conversation is None or conversation.current is None:
            return SOURCE_PLACEHOLDER
        return source_for(conversation.turns[conversation.current], marker)

    def select_turn(conversation: Conversation, event: gr.SelectData):
        index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        if conversation is None or not isinstance(index, int) or not conversation.turns:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        conversation.current = min(index // 2, len(conversation.turns) - 1)
        turn = conversation.turns[conversation.current]
        note = f"Ausgewählt: Antwort {conversation.current + 1} – Quellen und Bewertung beziehen sich darauf."
        return conversation, citation_choices(turn), source_for(turn), note

    def give_feedback(vote: str, reason, conversation: Conversation):
        if conversation is None or conversation.current is None:
            raise user_error("Es gibt noch keine Antwort, die Sie bewerten können.", title="Hinweis")
        if reason is not None and not isinstance(reason, str):
            raise user_error("Die Begründung muss ein Text sein.")
        if reason and len(reason) > MAX_REASON_CHARS:
            raise user_error(f"Die Begründung ist zu lang (höchstens {MAX_REASON_CHARS} Zeichen).")
        index = conversation.current
        turn = conversation.turns[index]
        record = feedback_record(turn.question, turn.answer, vote, reason or "",
                                 history=conversation.questions[:index], filters=turn.filters)
        try:
            append_feedback(feedback_dir, record)
        except OSError:
            log.exception("Rückmeldung konnte nicht in %s gespeichert werden", feedback_dir)
            raise user_error("Die Rückmeldung konnte nicht gespeichert werden.", title="Fehler") from None
        symbol = "👍" if vote == "up" else "👎"
        return f"Danke! Ihre Bewertung {symbol} zu Antwort {index + 1} wurde gespeichert.", ""

    def feedback_up(reason, conversation: Conversation):
        return give_feedback("up", reason, conversation)

    def feedback_down(reason, conversation: Conversation):
        return give_feedback("down", reason, conversation)

    def new_conversation():
        return (
            "",
            [],
            Conversation(),
            citation_choices(None),
            SOURCE_PLACEHOLDER,
            "",
            gr.DownloadButton(value=None, interactive=False),
            "",
        )

    def on_load(documents, places, sections, conversation: Conversation, request: gr.Request):
        """?q=… in the address asks that question as soon as the page has loaded."""
        question = dict(request.query_params).get("q") if request else None
        if not question:
            return tuple(gr.skip() for _ in chat_outputs)
        return chat(question, documents, places, sections, conversation, request)

    def read(documents, places, sections, search) -> str:
        if search is not None and not isinstance(search, str):
            raise user_error("Der Suchbegriff muss ein Text sein.")
        filters, _, _ = make_filters(documents, places, sections)
        return render_reader(protocols, filters, search or "")

    def ask(
        question: str,
        history: list[str] | None = None,
        documents: list[str] | None = None,
        places: list[str] | None = None,
        sections: list[str] | None = None,
    ) -> dict:
        """Answer a question (with earlier questions of the conversation and optional restrictions).

        Returns the answer as JSON: text (Markdown with markers [1] …), abstained, passages with citation,
        source file, lines and text, and the restriction in effect.
        """
        if history is not None and (not isinstance(history, list) or len(history) > 50):
            raise user_error("history muss eine Liste früherer Fragen sein (höchstens 50).")
        text, answer, chosen, description = answer_question(question, documents, places, sections, history or [])
        result = answer.to_dict()
        result["question"] = text
        result["restriction"] = description
        result["citations"] = [citation_line(n, hit).replace("\\", "") for n, hit in
                               enumerate(answer.passages, start=1)]
        return result

    # -- layout ---------------------------------------------------------------------------------------------------

    documents_text = " und ".join(label for label, _ in document_choices) or "keine Protokolle"
    with gr.Blocks(title="Protokoll-Assistent", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        conversation = gr.State(Conversation())
        gr.Markdown(
            "# Protokoll-Assistent\n"
            f"Fragen Sie in eigenen Worten nach den Ergebnissen der Workshop-Protokolle: "
            f"{escape_markdown(documents_text)}. Jede Antwort besteht aus Auszügen der Protokolle und nennt "
            "ihre Quellen zum Nachlesen.",
            elem_id="intro",
        )
        with gr.Accordion("Suche eingrenzen: Dokument, Stadtteil/Workshop, Abschnitt", open=False):
            with gr.Row():
                documents = gr.Dropdown(document_choices, value=[], multiselect=True, label="Dokument",
                                        elem_id="filter-dokument")
                places = gr.Dropdown(place_choices, value=[], multiselect=True, label="Stadt, Stadtteil oder Workshop",
                                     elem_id="filter-ort")
                sections = gr.Dropdown(section_choices, value=[], multiselect=True, label="Abschnitt",
                                       elem_id="filter-abschnitt")
            gr.Markdown("Die Eingrenzung gilt für den Chat und für die Ansicht „Protokolle lesen“.")
        filter_inputs = [documents, places, sections]

        with gr.Tabs():
            with gr.Tab("Fragen", id="fragen"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            label="Unterhaltung",
                            elem_id="chat",
                            height=520,
                            placeholder="**Stellen Sie eine Frage zu den Protokollen.** Folgefragen wie "
                                        "„Und in Bismarck?“ beziehen sich auf die Unterhaltung.",
                            buttons=["copy", "copy_all"],  # no "share": it would post to an external site
                            feedback_options=None,  # rated below, with an optional reason
                            sanitize_html=True,
                            allow_tags=False,
                            latex_delimiters=[],
                            layout="bubble",
                            autoscroll=False,  # SHOW_NEWEST_QUESTION scrolls to the start of a new answer
                        )
                        question = gr.Textbox(
                            label="Ihre Frage",
                            placeholder="z. B. Welche Handlungsbedarfe gibt es in Schalke?",
                            max_length=MAX_QUESTION_CHARS,
                            submit_btn="Fragen",
                            elem_id="frage",
                            autofocus=True,
                        )
                        gr.Markdown("**Beispiele für die Verwaltung**")
                        with gr.Row():
                            staff_buttons = [gr.Button(text, size="sm") for text in EXAMPLES_STAFF]
                        gr.Markdown("**Beispiele für Bürgerinnen und Bürger**")
                        with gr.Row():
                            citizen_buttons = [gr.Button(text, size="sm") for text in EXAMPLES_CITIZENS]
                        with gr.Row():
                            new_button = gr.Button("Neue Unterhaltung", variant="secondary", size="md", elem_id="neu")
                            download = gr.DownloadButton("Unterhaltung als Markdown herunterladen", value=None,
                                                         interactive=False, size="md", elem_id="export")
                        with gr.Group():
                            with gr.Row(equal_height=True):
                                reason = gr.Textbox(label="War die ausgewählte Antwort hilfreich? Begründung "
                                                    "(optional)", max_length=MAX_REASON_CHARS, scale=3,
                                                    elem_id="begruendung")
                                up_button = gr.Button("👍 Hilfreich", scale=1, size="md", elem_id="daumen-hoch")
                                down_button = gr.Button("👎 Nicht hilfreich", scale=1, size="md",
                                                        elem_id="daumen-runter")
                        feedback_status = gr.Markdown("", label="Rückmeldung", elem_id="rueckmeldung")
                        share = gr.Textbox(label="Link zu dieser Frage (zum Teilen)", interactive=False,
                                           buttons=["copy"], elem_id="link")
                    with gr.Column(scale=2):
                        citations = gr.Radio([], label="Quellen der Antwort", elem_id="quellen")
                        source = gr.HTML(SOURCE_PLACEHOLDER, label="Quelle", elem_id="quelle", js_on_load=None)
            with gr.Tab("Protokolle lesen", id="lesen"):
                gr.Markdown("Alle Protokolle nach Dokument → Tafel bzw. Tabellenzeile → Abschnitt. "
                            "Die Eingrenzung oben und die Textsuche wirken zusammen.")
                with gr.Row():
                    search = gr.Textbox(label="Im Text suchen", placeholder="z. B. Kita", scale=4,
                                        max_length=MAX_SEARCH_CHARS, elem_id="suche")
                    search_button = gr.Button("Suchen", scale=1)
                reader = gr.HTML(render_reader(protocols), label="Protokolle", elem_id="leser", js_on_load=None)

        # -- events -------------------------------------------------------------------------------------------
        chat_inputs = [question, *filter_inputs, conversation]
        chat_outputs = [question, chatbot, conversation, citations, source, share, download, feedback_status]
        assistant_events = dict(concurrency_id="assistant", concurrency_limit="default")
        question.submit(chat, chat_inputs, chat_outputs, api_name="chat", **assistant_events)
        for button, text in zip(staff_buttons + citizen_buttons, EXAMPLES_STAFF + EXAMPLES_CITIZENS, strict=True):
            button.click(_with_question(chat, text), chat_inputs[1:], chat_outputs, api_visibility="private",
                         **assistant_events)
        new_button.click(new_conversation, None, chat_outputs, api_name="new_conversation")
        # Scroll the source panel (not the page) to the first answering (else cited) line whenever a source is
        # shown.
        source.change(None, None, None, js=SCROLL_TO_MARK)
        chatbot.change(None, None, None, js=SHOW_NEWEST_QUESTION)
        citations.input(show_source, [citations, conversation], source, api_name="show_source")
        chatbot.select(select_turn, [conversation], [conversation, citations, source, feedback_status],
                       api_visibility="private")
        up_button.click(feedback_up, [reason, conversation], [feedback_status, reason], api_name="feedback_up")
        down_button.click(feedback_down, [reason, conversation], [feedback_status, reason], api_name="feedback_down")
        reader_inputs = [*filter_inputs, search]
        search.submit(read, reader_inputs, reader, api_name="read")
        search_button.click(read, reader_inputs, reader, api_visibility="private")
        for dropdown in filter_inputs:
            dropdown.change(read, reader_inputs, reader, api_visibility="private")
        demo.load(on_load, [*filter_inputs, conversation], chat_outputs, api_visibility="private",
                  **assistant_events)
        gr.api(ask, api_name="ask", **assistant_events)
    return demo


def user_error(message: str, title: str = "Hinweis") -> gr.Error:
    """A German message for the user; expected, so no traceback in the server log.

    Gradio renders an error message as HTML, and messages may quote user input: escaped.
    """
    return gr.Error(html.escape(message, quote=False), title=title, print_exception=False)


def _with_question(chat: Callable, text: str) -> Callable:
    """The chat handler with a fixed question, for the example buttons."""

    def handler(documents, places, sections, conversation, request: gr.Request):
        return chat(text, documents, places, sections, conversation, request)

    return handler


def _remove_old_exports(folder: Path) -> None:
    limit = time.time() - EXPORT_MAX_AGE_SECONDS
    for path in folder.glob("*/*.md"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                path.parent.rmdir()
        except OSError:
            pass


def launch(demo: gr.Blocks, settings: ServerSettings | None = None, **overrides):
    """Start the server with the hardened defaults; overrides go to Blocks.launch (tests: prevent_thread_lock)."""
    settings = settings or ServerSettings.from_env()
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size, api_open=False)
    options = dict(
        server_name=settings.host,
        server_port=settings.port,
        auth=settings.auth,
        auth_message="Bitte melden Sie sich mit den Zugangsdaten Ihrer Verwaltung an.",
        enable_monitoring=False,
        run_history=False,
        footer_links=["api"],
        show_error=False,
        share=False,
        ssr_mode=False,
        mcp_server=False,
        max_file_size=0,  # the app takes no uploads: refuse any file sent to /gradio_api/upload
        css=CSS,
        theme=THEME,
    )
    options.update(overrides)
    return demo.launch(**options)


def main(argv: list[str] | None = None) -> int:
    """Load the assistant (building the index if needed) and serve the app until interrupted."""
    parser = argparse.ArgumentParser(prog="app.py", description="Protokoll-Assistent: die Chat-Oberfläche starten")
    parser.add_argument("--port", type=int, default=None, help=f"Port (Standard {DEFAULT_PORT} oder PROTOKOLL_PORT)")
    parser.add_argument("--host", default=None,
                        help=f"Adresse (Standard {DEFAULT_HOST} oder PROTOKOLL_HOST; 0.0.0.0 macht die App im Netz "
                             "erreichbar)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    for noisy in ("faiss", "faiss.loader", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = ServerSettings.from_env()
        if args.port is not None:
            settings.port = args.port
        if args.host:
            settings.host = args.host
        settings.auth  # noqa: B018 - fail before the slow index load when the login is half configured
        log.info("Index wird geladen (beim ersten Start wird er gebaut, das dauert etwas) …")
        assistant = Assistant.load()
    except (CorpusError, ValueError) as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # index folder not writable, disk full, a path that is a file …
        print(f"Fehler: {unusable_path_message(error)}", file=sys.stderr)
        return 2
    if settings.host not in LOCAL_HOSTS and not settings.auth:
        log.warning("Die App ist unter %s ohne Anmeldung erreichbar; setzen Sie PROTOKOLL_USER und "
                    "PROTOKOLL_PASSWORD, wenn das nicht gewollt ist.", settings.host)
    demo = build_app(assistant)
    try:
        _, url, _ = launch(demo, settings, prevent_thread_lock=True, quiet=True)
    except OSError as error:  # port taken, address not available …
        print(f"Fehler: Der Server kann nicht auf {settings.host}:{settings.port} starten ({os_error_reason(error)}).",
              file=sys.stderr)
        return 2
    print(f"Protokoll-Assistent läuft auf {url} (beenden mit Strg+C)", flush=True)
    demo.block_thread()
    return 0


if __name__ == "__main__":
    sys.exit(main())

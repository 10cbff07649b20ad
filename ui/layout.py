"""The page (Gradio Blocks) and its wiring: which event calls which handler with which components."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from assistant import Assistant
from assistant.answer import escape_markdown, listing

from .export import link_filters
from .feedback import MAX_REASON_CHARS
from .handlers import Handlers, UserMessage, page_url
from .render import SOURCE_PLACEHOLDER
from .scripts import SCROLL_TO_MARK, SHOW_NEWEST_QUESTION, START_DOWNLOAD
from .sources import MAX_SEARCH_CHARS, render_reader
from .staff import MAX_UPLOAD_BYTES, Staff
from .state import Conversation
from .suggest import examples_for, followup_example

FILTER_NAMES = ("filter_documents", "filter_places", "filter_sections")
ICONS = Path(__file__).with_name("icons")  # drawn as SVG: no emoji font needed


def intro_text(document_choices: list[tuple[str, str]]) -> str:
    """The page's heading and what it searches (the documents served)."""
    # „A“, „B“ und „C“: each title in quotes (titles have commas)
    documents = listing([f"„{label}“" for label, _ in document_choices], None) or "keine Protokolle"
    return ("# Protokoll-Assistent\n"
            f"Fragen Sie in eigenen Worten nach dem, was in den Protokollen steht: "
            f"{escape_markdown(documents)}. Jede Antwort besteht aus Auszügen der Protokolle und nennt "
            "ihre Quellen zum Nachlesen.")


def user_error(message: str, title: str = "Hinweis") -> gr.Error:
    """A German message for the user; expected, so no traceback in the server log.

    Gradio renders an error message as HTML, and messages may quote user input: escaped.
    """
    return gr.Error(html.escape(message, quote=False), title=title, print_exception=False)


def user_of(request: gr.Request | None) -> str:
    return str(getattr(request, "username", "") or "")


def headers_of(request: gr.Request | None) -> dict:
    try:
        return dict(request.headers) if request is not None else {}
    except Exception:  # a request without headers (e.g. a direct function call)
        return {}


class Wiring:
    """Component names → components, and handler results (dicts by name) → Gradio updates."""

    def __init__(self) -> None:
        self.components: dict[str, gr.components.Component] = {}

    def add(self, name: str, component):
        self.components[name] = component
        return component

    def __getitem__(self, name: str):
        return self.components[name]

    def outputs(self, *names: str) -> list:
        return [self.components[name] for name in names]

    def updates(self, result: dict) -> dict:
        out = {}
        for name, value in result.items():
            component = self.components[name]
            if name == "citations":
                value = gr.update(choices=value["choices"], value=value["value"], label=value["label"])
            elif name == "staff_documents":
                value = gr.Dropdown(choices=value, value=None)
            elif name in FILTER_NAMES:  # new choices: what was chosen may be gone
                value = gr.update(choices=value, value=[])
            elif name == "download":
                value = gr.File(value=value, visible=value is not None)
            out[component] = value
        return out

    def handler(self, function: Callable[..., dict]) -> Callable[..., dict]:
        """A handler whose UserMessage becomes a Gradio error and whose dict is keyed by component."""

        def call(*args):
            try:
                return self.updates(function(*args))
            except UserMessage as message:
                raise user_error(str(message), message.title) from None

        return call


def build_app(assistant: Assistant, feedback_dir=None, staff: bool = False, staff_log=None) -> gr.Blocks:
    """The Blocks app over an assistant, whose corpus the source view reads; feedback goes to feedback_dir
    (default: the feedback folder of the assistant's settings). staff: a tab to add and remove protocols (only
    for an app behind a login); its changes are logged to staff_log (default: the data folder)."""
    handlers = Handlers(assistant, feedback_dir)
    built_on = handlers.generation  # the filters' choices below are this generation's
    examples_staff, examples_citizens = examples_for(assistant)
    followup = followup_example(assistant, examples_staff[0])  # how a conversation goes on, in this corpus' terms
    corpus_staff = Staff(handlers, staff_log) if staff else None
    ui = Wiring()
    chat_names = ("question", "chatbot", "conversation", "citations", "source", "link", "status")

    def chat(question, documents, places, sections, conversation: Conversation, request: gr.Request):
        return ui.handler(handlers.chat)(question, documents, places, sections, conversation,
                                         page_url(headers_of(request)))

    def example(sample, documents, places, sections, conversation: Conversation, request: gr.Request):
        text = sample[0] if isinstance(sample, (list, tuple)) and sample else sample
        return chat(text, documents, places, sections, conversation, request)

    def suggestion(documents, places, sections, conversation: Conversation, event: gr.SelectData,
                   request: gr.Request):
        return chat(event.value, documents, places, sections, conversation, request)

    def show_source(marker, conversation: Conversation):
        return ui.handler(handlers.show_source)(marker, conversation)[ui["source"]]

    def select_turn(conversation: Conversation, event: gr.SelectData, request: gr.Request):
        index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        result = ui.handler(handlers.select_turn)(index, conversation, page_url(headers_of(request)))
        return result or {ui[name]: gr.skip() for name in ("conversation", "citations", "source", "status", "link")}

    def open_marker(marker, conversation: Conversation, request: gr.Request):
        return ui.handler(handlers.open_marker)(marker, conversation, page_url(headers_of(request)))

    def feedback_up(reason, conversation: Conversation):
        return ui.handler(handlers.feedback)("up", reason, conversation)

    def feedback_down(reason, conversation: Conversation):
        return ui.handler(handlers.feedback)("down", reason, conversation)

    def export(conversation: Conversation, request: gr.Request):
        return ui.handler(handlers.export)(conversation, page_url(headers_of(request)))

    def places_table(conversation: Conversation):
        return ui.handler(handlers.places_table)(conversation)

    def new_conversation():
        return ui.handler(handlers.new_conversation)()

    def clear_conversation():
        """The chat's bin: a new conversation, but a question typed and not sent yet stays."""
        updates = ui.handler(handlers.new_conversation)()
        updates.pop(ui["question"], None)
        return updates

    def on_load(documents, places, sections, conversation: Conversation, request: gr.Request):
        """?q=…(&q=…) in the address asks those questions, as one conversation, once the page has loaded."""
        params = request.query_params if request else {}
        questions = params.getlist("q") if hasattr(params, "getlist") else [params.get("q")]
        # A link's restriction (&ort=…) is the one its answer was given under: asked with it, and shown.
        restriction = link_filters(params) if hasattr(params, "getlist") else None
        note = ""
        if restriction:
            restriction, note = handlers.link_restriction(restriction)
            documents, places, sections = restriction["documents"], restriction["places"], restriction["sections"]
        result = ui.handler(handlers.open_link)(questions, documents, places, sections, conversation,
                                                page_url(headers_of(request)))
        answered = bool(result)
        if not answered:
            result = {ui[name]: gr.skip() for name in chat_names}
        changed = handlers.generation is not built_on  # protocols were added or removed since the page was built
        now = corpus_now() if changed else {}
        if changed:
            result.update(ui.updates(now))
        if answered and restriction:  # shown, in the open panel, so that one sees what the answer was limited to
            for name, key in zip(FILTER_NAMES, ("documents", "places", "sections"), strict=True):
                choices = {"choices": now[name]} if changed else {}
                result[ui[name]] = gr.update(value=restriction[key], **choices)
            result[ui["filter_box"]] = gr.update(open=True)
        if answered and note:
            result[ui["status"]] = note
        return result

    def corpus_now() -> dict:
        """What the page says about the corpus, as the app serves it now."""
        now = {**handlers.filter_choices(), "intro": intro_text(handlers.choices["documents"])}
        if corpus_staff is not None:
            now["staff_documents"] = corpus_staff.documents()
        return now

    def read(documents, places, sections, search) -> str:
        return ui.handler(lambda *args: {"reader": handlers.read(*args)})(documents, places, sections,
                                                                          search)[ui["reader"]]

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
        try:
            return handlers.ask(question, history, documents, places, sections)
        except UserMessage as message:
            raise user_error(str(message), message.title) from None

    document_choices = handlers.choices["documents"]
    # The icons are served from their folder, not copied into Gradio's cache: delete_cache removes what it copied
    # after an hour (and a second app on the machine removes the same copy when it stops), leaving broken images.
    gr.set_static_paths([ICONS])
    with gr.Blocks(title="Protokoll-Assistent", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        conversation = ui.add("conversation", gr.State(Conversation()))
        ui.add("intro", gr.Markdown(intro_text(document_choices), elem_id="intro"))
        # (the places named as this corpus has them: "Stadt, Stadtteil oder Workshop", for minutes "Stadt")
        place_kinds = handlers.protocols.place_kinds()
        place_label = " oder ".join(filter(None, [", ".join(place_kinds[:-1]), place_kinds[-1]]))
        with ui.add("filter_box", gr.Accordion(f"Suche eingrenzen: Dokument, {'/'.join(place_kinds)}, Abschnitt",
                                               open=False)):
            with gr.Row():
                documents = gr.Dropdown(document_choices, value=[], multiselect=True, label="Dokument",
                                        elem_id="filter-dokument")
                places = gr.Dropdown(handlers.choices["places"], value=[], multiselect=True,
                                     label=place_label, elem_id="filter-ort")
                sections = gr.Dropdown(handlers.choices["sections"], value=[], multiselect=True, label="Abschnitt",
                                       elem_id="filter-abschnitt")
            gr.Markdown("Die Eingrenzung gilt für den Chat und für die Ansicht „Protokolle lesen“.")
        filter_inputs = [documents, places, sections]
        for name, dropdown in zip(FILTER_NAMES, filter_inputs, strict=True):
            ui.add(name, dropdown)

        with gr.Tabs():
            with gr.Tab("Fragen", id="fragen"):
                # Chat and question, then the sources: on a phone the columns stack, and the source comes right
                # under the answer; examples, export, feedback and the link come after both.
                with gr.Row(equal_height=False, elem_id="antwort-und-quelle"):
                    with gr.Column(scale=3, min_width=320):
                        chatbot = ui.add("chatbot", gr.Chatbot(
                            label="Unterhaltung",
                            elem_id="chat",
                            height=520,
                            placeholder="**Stellen Sie eine Frage zu den Protokollen.** Folgefragen wie "
                                        f"„{escape_markdown(followup)}“ beziehen sich auf die Unterhaltung.",
                            buttons=["copy", "copy_all"],  # no "share": it would post to an external site
                            feedback_options=None,  # rated below, with an optional reason
                            sanitize_html=True,
                            allow_tags=False,
                            latex_delimiters=[],
                            layout="bubble",
                            autoscroll=False,  # SHOW_NEWEST_QUESTION scrolls to the start of a new answer
                        ))
                        question = ui.add("question", gr.Textbox(
                            label="Ihre Frage",
                            placeholder=f"z. B. {examples_staff[0]}",  # one this corpus answers
                            # No max_length: the browser would cut a longer paste without a word. ui/app.js
                            # says how much too long it is while typing, the answer refuses it, nothing is lost.
                            submit_btn="Fragen",
                            elem_id="frage",  # focused on a wide screen only (ui/app.js)
                        ))
                    with gr.Column(scale=2, min_width=320, elem_id="quellen-spalte"):
                        citations = ui.add("citations", gr.Radio([], label="Quellen der Antwort", elem_id="quellen"))
                        source = ui.add("source", gr.HTML(SOURCE_PLACEHOLDER, label="Quelle", elem_id="quelle",
                                                          js_on_load=None))
                        # What a click on a marker in the chat sends (ui/app.js): "answer-marker".
                        marker = gr.Textbox(visible="hidden", elem_id="marke")
                        marker_button = gr.Button(visible="hidden", elem_id="marke-oeffnen")
                # One block per list of examples (not a button each): every block is work for each new session.
                staff_examples = gr.Dataset(components=[question], samples=[[text] for text in examples_staff],
                                            label="Beispiele für die Verwaltung", elem_id="beispiele-verwaltung")
                citizen_examples = gr.Dataset(components=[question], samples=[[text] for text in examples_citizens],
                                              label="Beispiele für Bürgerinnen und Bürger",
                                              elem_id="beispiele-buerger")
                with gr.Row():
                    new_button = gr.Button("Neue Unterhaltung", variant="secondary", size="md", elem_id="neu")
                    export_button = gr.Button("Unterhaltung als Markdown herunterladen", size="md", elem_id="export")
                    places_button = gr.Button("Orte-Tabelle als CSV herunterladen", size="md", elem_id="orte-csv")
                ui.add("download", gr.File(label="Download", visible=False, interactive=False,
                                           elem_id="export-datei"))
                with gr.Group():
                    with gr.Row(equal_height=True):
                        reason = ui.add("reason", gr.Textbox(
                            label="War die ausgewählte Antwort hilfreich? Begründung (optional)",
                            max_length=MAX_REASON_CHARS, scale=3, elem_id="begruendung"))
                        up_button = gr.Button("Hilfreich", icon=str(ICONS / "daumen-hoch.svg"), scale=1, size="md",
                                              elem_id="daumen-hoch")
                        down_button = gr.Button("Nicht hilfreich", icon=str(ICONS / "daumen-runter.svg"), scale=1,
                                                size="md", elem_id="daumen-runter")
                ui.add("status", gr.Markdown("", label="Rückmeldung", elem_id="rueckmeldung"))
                ui.add("link", gr.Textbox(label="Link zu dieser Antwort (zum Teilen)", interactive=False,
                                          buttons=["copy"], elem_id="link"))
            with gr.Tab("Protokolle lesen", id="lesen"):
                gr.Markdown(f"Alle Protokolle nach Dokument → {handlers.protocols.unit_names()} → Abschnitt. "
                            "Die Eingrenzung oben und die Textsuche wirken zusammen.")
                with gr.Row():
                    search = gr.Textbox(label="Im Text suchen", placeholder="z. B. Kita", scale=4,
                                        max_length=MAX_SEARCH_CHARS, elem_id="suche")
                    search_button = gr.Button("Suchen", scale=1)
                reader = ui.add("reader", gr.HTML(render_reader(handlers.protocols), label="Protokolle",
                                                  elem_id="leser", js_on_load=None))

            if corpus_staff is not None:
                with gr.Tab("Verwaltung", id="verwaltung"):
                    gr.Markdown("Protokolle hinzufügen oder entfernen. Die App sucht danach sofort im neuen Stand; "
                                f"Dateien bis {MAX_UPLOAD_BYTES // 2**20} MB, Angaben zum Dokument optional.")
                    # The type is checked by the handler (in German), not by Gradio's file_types (in English).
                    upload = gr.File(label="Protokoll (.txt, .md, .pdf, .docx)", type="filepath",
                                     elem_id="hochladen")
                    with gr.Row():
                        fields = [gr.Textbox(label="Titel", elem_id="feld-titel"),
                                  gr.Textbox(label="Kurztitel", elem_id="feld-kurztitel"),
                                  gr.Textbox(label="Stadt", elem_id="feld-stadt"),
                                  gr.Textbox(label="Datum (JJJJ-MM-TT)", elem_id="feld-datum"),
                                  gr.Dropdown(["", "fotoprotokoll", "workshop-tabellen", "generic"], value="",
                                              label="Art", elem_id="feld-art")]
                    add_button = gr.Button("Hinzufügen und indexieren", variant="primary", elem_id="hinzufuegen")
                    with gr.Row():
                        ui.add("staff_documents", gr.Dropdown(corpus_staff.documents(), value=None,
                                                              label="Dokument", elem_id="dokumente"))
                        remove_button = gr.Button("Entfernen", variant="stop", elem_id="entfernen")
                    ui.add("staff_status", gr.Markdown("", elem_id="verwaltung-status"))

        # -- events -------------------------------------------------------------------------------------------
        chat_inputs = [question, *filter_inputs, conversation]
        chat_outputs = ui.outputs(*chat_names)
        assistant_events = dict(concurrency_id="assistant", concurrency_limit="default")
        question.submit(chat, chat_inputs, chat_outputs, api_name="chat", **assistant_events)
        for examples in (staff_examples, citizen_examples):
            examples.click(example, [examples, *chat_inputs[1:]], chat_outputs, api_visibility="private",
                           **assistant_events)
        chatbot.option_select(suggestion, chat_inputs[1:], chat_outputs, api_visibility="private", **assistant_events)
        new_button.click(new_conversation, None, [*chat_outputs, ui["download"]], api_name="new_conversation")
        # The chat's own bin clears more than what is shown: a question after it starts afresh, not as a follow-up.
        chatbot.clear(clear_conversation, None, [output for output in [*chat_outputs, ui["download"]]
                                                  if output is not question], api_visibility="private")
        export_button.click(export, [conversation], ui["download"], api_name="export").success(None, js=START_DOWNLOAD)
        places_button.click(places_table, [conversation], ui["download"], api_name="places_csv").success(
            None, js=START_DOWNLOAD)
        # Scroll the source panel (not the page) to the first answering (else cited) line whenever a source is
        # shown.
        source.change(None, None, None, js=SCROLL_TO_MARK)
        chatbot.change(None, None, None, js=SHOW_NEWEST_QUESTION)
        marker_button.click(open_marker, [marker, conversation],
                            ui.outputs("conversation", "citations", "source", "status", "link"), api_name="open_marker",
                            js="(marker, conversation) => [window.paMarker || marker, conversation]")
        citations.input(show_source, [citations, conversation], source, api_name="show_source")
        chatbot.select(select_turn, [conversation], ui.outputs("conversation", "citations", "source", "status", "link"),
                       api_visibility="private")
        feedback_outputs = ui.outputs("status", "reason")
        up_button.click(feedback_up, [reason, conversation], feedback_outputs, api_name="feedback_up")
        down_button.click(feedback_down, [reason, conversation], feedback_outputs, api_name="feedback_down")
        reader_inputs = [*filter_inputs, search]
        search.submit(read, reader_inputs, reader, api_name="read")
        search_button.click(read, reader_inputs, reader, api_visibility="private")
        for dropdown in filter_inputs:
            dropdown.change(read, reader_inputs, reader, api_visibility="private")
        corpus_outputs = ui.outputs(*FILTER_NAMES, "intro", *(["staff_documents"] if corpus_staff else []))
        demo.load(on_load, [*filter_inputs, conversation], [*chat_outputs, *corpus_outputs, ui["filter_box"]],
                  api_visibility="private", **assistant_events)
        gr.api(ask, api_name="ask", **assistant_events)
        if corpus_staff is not None:
            staff_outputs = [ui["staff_status"], *corpus_outputs]

            def add_document(path, title, short_title, city, day, kind, request: gr.Request,
                             progress=gr.Progress()):  # noqa: B008 - how Gradio asks for progress
                values = dict(zip(("title", "short_title", "city", "date", "kind"),
                                  (title, short_title, city, day, kind), strict=True))
                return ui.handler(lambda *args: {**corpus_staff.upload(*args), **corpus_now()})(
                    path, Path(path).name if path else "", user_of(request), values,
                    lambda share, text: progress(share, desc=text))

            def remove_document(name, request: gr.Request, progress=gr.Progress()):  # noqa: B008 - how Gradio asks for progress
                return ui.handler(lambda *args: {**corpus_staff.remove(*args), **corpus_now()})(
                    name, user_of(request), lambda share, text: progress(share, desc=text))

            add_button.click(add_document, [upload, *fields], staff_outputs, api_name="add_document",
                             concurrency_id="staff", concurrency_limit=1)
            remove_button.click(remove_document, [ui["staff_documents"]], staff_outputs, api_name="remove_document",
                                concurrency_id="staff", concurrency_limit=1)
    return demo

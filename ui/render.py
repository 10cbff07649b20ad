"""The chat's Markdown: an answer with its lead apart and its restriction, the labels of its sources."""

from __future__ import annotations

import re

from assistant import Answer
from assistant.answer import escape_markdown, listing
from assistant.citation import line_span

from .export import restriction_note
from .places import lead_apart, places_markdown, under_the_lead
from .state import Conversation, Turn

SOURCE_PLACEHOLDER = (
    '<div class="pa-source"><p class="pa-note">Hier erscheint die Quelle einer Antwort: die Stelle im Protokoll '
    "(Tafel, Tabellenzeile oder Abschnitt) mit Dokument, Stadt, Datum und Zeilennummern; hervorgehoben sind die "
    "Zeilen, die die Frage beantworten, schwach markiert der übrige zitierte Text. Wählen Sie dazu oben eine "
    "Quelle aus.</p></div>"
)
NO_SOURCE = ('<div class="pa-source"><p class="pa-note">Diese Antwort zitiert keine Quelle: in den Protokollen '
             "steht dazu nichts Passendes.</p></div>")


# A marker of the answer text: "[3]" or a run "[3–5]"; brackets from the protocols are escaped ("\\[").
MARKER = re.compile(r"(?<!\\)\[(\d+)(?:–(\d+))?\](?!\()")
MAX_PREVIEW_CHARS = 200


def answer_markdown(turn: Turn, index: int = 0) -> str:
    """The chat message of an answer: restriction note and the answer text, its markers links that open their
    source (the sources are listed beside the chat, not again in the message)."""
    parts = []
    if turn.restriction:
        parts += [restriction_note(turn.restriction), ""]
    text = marker_links(lead_apart(turn.answer), turn.answer, index)
    parts.append(under_the_lead(text, places_markdown(turn.answer, index)))
    if turn.restriction and not turn.answer.passages:
        parts += ["", restricted_hint(turn)]
    return "\n".join(parts)


def restricted_hint(turn: Turn) -> str:
    """Why an answer under filters may have found nothing: a place the question names lies outside them, or the
    filters themselves; and how to search without them."""
    query = turn.answer.query
    chosen = set(turn.filters.get("places") or ())
    outside = [place.name for place in (query.places if query else []) if chosen and place.name not in chosen]
    named = listing([f"„{name}“" for name in outside], None)  # the app's own words are German
    reason = f"{named} {'liegt' if len(outside) == 1 else 'liegen'} außerhalb der Eingrenzung. " if outside else ""
    return escape_markdown(f"{reason}Ohne Eingrenzung suchen: unter „Suche eingrenzen“ die Auswahl leeren.")


def marker_links(text: str, answer: Answer, index: int) -> str:
    """Each marker [n] as a link to source n of answer number index, its title the quoted line; a run [n–m] as one
    such link for each of its sources ("[3] [4] [5]"), so that every source is one click away."""
    count = len(answer.passages)
    titles: dict[int, str] = {}  # a source cited several times is previewed once

    def one(number: int) -> str:
        if number not in titles:
            titles[number] = preview(answer.passages[number - 1])
        return f'[\\[{number}\\]](#quelle-{index}-{number} "{titles[number]}")'

    def link(match: re.Match) -> str:
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if not 1 <= first <= last <= count:
            return match.group(0)
        return " ".join(one(number) for number in range(first, last + 1))

    return MARKER.sub(link, text)


def preview(hit) -> str:
    """The lines of a cited passage that answer (else its first lines), as a link title: one line, no quotes that
    would end it, Markdown and HTML characters as entities (shown as the characters they are)."""
    highlighted = set(hit.highlights)
    items = [item for item in hit.passage.items if item.line in highlighted] or hit.passage.items[:2]
    text = " / ".join(" ".join((f"{item.label}: {item.text}" if item.label else item.text).split())
                      for item in items)
    if len(text) > MAX_PREVIEW_CHARS:
        text = text[:MAX_PREVIEW_CHARS - 1] + "…"
    lines = (min(item.line for item in items), max(item.line for item in items)) if items else hit.lines
    text = f"{line_span(lines)}: {text}" if text else line_span(lines)
    return text.translate(PREVIEW_ENTITIES)


PREVIEW_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\\": "&#92;", "[": "&#91;",
                                  "]": "&#93;", "*": "&#42;", "_": "&#95;", "`": "&#96;"})


def citation_label(hit, answer: Answer) -> str:
    """A citation for the list of sources: board and section, the document only when the answer cites several."""
    documents = {other.source for other in answer.passages}
    if len(documents) > 1:
        return hit.citation
    passage = hit.passage
    return " · ".join([passage.board] + ([passage.section] if passage.section and passage.section != passage.board
                                         else []))


# The app's words around an answer follow the question's language, as the answer's own words do.
SOURCES_LABEL = {"de": "Quellen der Antwort", "en": "Sources of the answer", "tr": "Yanıtın kaynakları"}


def language_of(answer: Answer) -> str:
    language = answer.query.language if answer.query is not None else "de"
    return language if language in SOURCES_LABEL else "de"


def citation_choices(turn: Turn | None) -> dict:
    """The list of an answer's sources: choices (label, marker), the one selected, and its heading."""
    if turn is None:
        return {"choices": [], "value": None, "label": SOURCES_LABEL["de"]}
    choices = [(f"[{n}] {citation_label(hit, turn.answer)}", str(n))
               for n, hit in enumerate(turn.answer.passages, start=1)]
    return {"choices": choices, "value": "1" if choices else None, "label": SOURCES_LABEL[language_of(turn.answer)]}


def chat_messages(conversation: Conversation) -> list[dict]:
    messages = []
    for index, turn in enumerate(conversation.turns):
        messages.append({"role": "user", "content": escape_markdown(turn.question)})
        message = {"role": "assistant", "content": answer_markdown(turn, index)}
        if turn.suggestions:  # shown as buttons under the answer; a click asks the question
            message["options"] = [{"value": question, "label": question} for question in turn.suggestions]
        messages.append(message)
    return messages

"""The chat's Markdown: an answer with its lead apart and its restriction, the labels of its sources."""

from __future__ import annotations

from assistant import Answer
from assistant.answer import escape_markdown
from assistant.citation import line_span

from .export import restriction_note
from .state import Conversation, Turn

SOURCE_PLACEHOLDER = (
    '<div class="pa-source"><p class="pa-note">Hier erscheint die Quelle einer Antwort: die ganze Tafel '
    "bzw. Tabellenzeile mit Dokument, Stadt, Datum, Abschnitt und Zeilennummern; hervorgehoben sind die Zeilen, "
    "die die Frage beantworten, schwach markiert der übrige zitierte Abschnitt. Wählen Sie dazu oben eine Quelle "
    "aus.</p></div>"
)
NO_SOURCE = ('<div class="pa-source"><p class="pa-note">Diese Antwort zitiert keine Quelle: in den Protokollen '
             "steht dazu nichts Passendes.</p></div>")


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


def citation_choices(turn: Turn | None) -> dict:
    """The list of an answer's sources: choices (label, marker) and the one selected."""
    if turn is None:
        return {"choices": [], "value": None}
    choices = [(f"[{n}] {citation_label(hit, turn.answer)}", str(n))
               for n, hit in enumerate(turn.answer.passages, start=1)]
    return {"choices": choices, "value": "1" if choices else None}


def chat_messages(conversation: Conversation) -> list[dict]:
    messages = []
    for turn in conversation.turns:
        messages.append({"role": "user", "content": escape_markdown(turn.question)})
        messages.append({"role": "assistant", "content": answer_markdown(turn)})
    return messages

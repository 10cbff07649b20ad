"""Sharing: a conversation as Markdown with its citations, and links that open the app and ask a question."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote, urlsplit, urlunsplit

from assistant.answer import Answer, escape_markdown
from assistant.citation import line_span
from assistant.retrieve import Hit

from .places import lead_apart, places_markdown, under_the_lead

MAX_QUOTED_LINES = 12  # per cited passage in the export; the full board is one click away in the app


def german_date(value: str | None) -> str | None:
    """ISO date ("2019-02-13") as German date ("13.02.2019"); other text unchanged, None stays None."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").strftime("%d.%m.%Y")
    except ValueError:
        return value


def citation_line(marker: int, hit: Hit) -> str:
    """One Markdown line naming a cited passage: marker, document · board · section, city, date, file, lines."""
    meta = hit.passage.meta
    where = [part for part in (meta.get("city"), german_date(meta.get("date"))) if part]
    details = ", ".join([*where, f"Datei {hit.source}", line_span(hit.lines)])
    return f"\\[{marker}\\] {escape_markdown(hit.citation)} ({escape_markdown(details)})"


# How a link names the restriction an answer was given under (a turn's filters), one parameter per value.
LINK_FILTERS = {"documents": "dokument", "places": "ort", "sections": "abschnitt"}


def question_link(base_url: str, question: str | Sequence[str], filters: dict | None = None) -> str:
    """A link that opens the app at base_url and asks the question (?q=…), or the questions of a conversation in
    their order (?q=…&q=…), under the same restriction (filters: {"places": [...], …} as a turn keeps them,
    &ort=…), replacing any query of base_url."""
    questions = [question] if isinstance(question, str) else list(question)
    scheme, netloc, path, _, _ = urlsplit(base_url)
    parts = [("q", text) for text in questions]
    parts += [(LINK_FILTERS[key], value) for key in LINK_FILTERS for value in (filters or {}).get(key, [])]
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in parts)
    return urlunsplit((scheme, netloc, path or "/", query, ""))


def link_filters(params) -> dict[str, list[str]] | None:
    """The restriction a link names (LINK_FILTERS), as the dropdowns' values; None when it names none."""
    # (blank values are dropped, repeated ones kept once)
    found = {key: list(dict.fromkeys(value.strip() for value in params.getlist(name) if value.strip()))
             for key, name in LINK_FILTERS.items()}
    return found if any(found.values()) else None


def conversation_markdown(
    turns: Sequence[tuple],
    *,
    exported_at: datetime | None = None,
    base_url: str | None = None,
) -> str:
    """The conversation as a Markdown document: each question, its answer and the quoted cited passages.

    Args:
        turns: (question, answer), optionally followed by restriction, filters and asked, per question, oldest
            first; restriction is a German description of the filters in effect for that question ("Ort:
            Schalke"), shown with its answer as in the chat; filters the same as its link names them; asked the
            questions its link asks (a follow-up's with those it follows up on).
        exported_at: time stamp shown in the header (default: now).
        base_url: when given, each question gets a link that asks it again in the app.
    Returns:
        Markdown text; corpus and user text is escaped, so it renders as the literal text it is.
    """
    moment = exported_at or datetime.now()
    out = [
        "# Unterhaltung mit dem Protokoll-Assistenten",
        "",
        f"Exportiert am {moment.strftime('%d.%m.%Y um %H:%M')} Uhr. "
        "Die Antworten bestehen aus wörtlichen Auszügen der Protokolle; die Nummern \\[1\\], \\[2\\] … "
        "verweisen auf die Quellen unter jeder Antwort.",
    ]
    if not turns:
        out += ["", "*(Die Unterhaltung ist leer.)*"]
    for number, (question, answer, *rest) in enumerate(turns, start=1):
        restriction = rest[0] if rest else ""
        filters = rest[1] if len(rest) > 1 else None
        asked = rest[2] if len(rest) > 2 else question  # a follow-up's link asks the questions it follows up on
        out += ["", f"## Frage {number}: {escape_markdown(question)}", ""]
        if base_url:
            out += [f"<{question_link(base_url, asked, filters)}>", ""]
        if restriction:
            out += [restriction_note(restriction), ""]
        out.append(answer_markdown(answer))
        if answer.passages:
            out += ["", "**Quellen**", ""]
            for marker, hit in enumerate(answer.passages, start=1):
                out.append(f"- {citation_line(marker, hit)}")
                out += quoted_items(hit)
    return "\n".join(out).rstrip() + "\n"


def answer_markdown(answer: Answer) -> str:
    """The answer as the chat shows it: the lead a paragraph of its own, a where-answer's table of places under
    it, then the quotes (markers plain, the sources listed below)."""
    return under_the_lead(lead_apart(answer), places_markdown(answer, None))


def restriction_note(restriction: str) -> str:
    """The Markdown line that says which filters an answer was given under (chat and export)."""
    return f"*Eingegrenzt auf: {escape_markdown(restriction)}*"


def quoted_items(hit: Hit) -> list[str]:
    """The cited passage's lines as an indented Markdown quote below its citation."""
    quoted = []
    for item in hit.passage.items[:MAX_QUOTED_LINES]:
        label = f"{item.label}: " if item.label else ""
        quoted.append(f"  > {item.line}: {escape_markdown(label + item.text)}  ")
    hidden = len(hit.passage.items) - MAX_QUOTED_LINES
    if hidden > 0:
        quoted.append(f"  > … ({hidden} weitere Zeilen)")
    return quoted

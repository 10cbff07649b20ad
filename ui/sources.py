"""Reading the protocols' sources: documents → boards → sections, and a board as escaped HTML with the
answering lines marked strongly and the rest of the cited passage faintly (the source view and the reader of the
app)."""

from __future__ import annotations

import functools
import html
import logging
import re
from collections import Counter
from pathlib import Path

from assistant.answer import bullets, listing
from assistant.citation import line_span
from assistant.retrieve import Filters
from index import CorpusError, Passage
from index.documents import read_document
from index.markup import clean_cells, clean_line
from index.passage import in_kind_order, kind_name

from .export import german_date

log = logging.getLogger(__name__)

BOARD_LEAD_LINES = 8  # header lines (running title, place, first prompt) shown above a board's first item
MAX_BOARD_LINES = 300  # a generic section can be long; beyond this the source view shows the passage ± context
MAX_SEARCH_CHARS = 200



class Protocols:
    """The indexed passages arranged by document and board, and the documents' lines for the source view."""

    def __init__(self, passages: list[Passage], corpus_dir: Path) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.passages = sorted(passages, key=lambda p: (p.source, p.lines))
        self.by_source: dict[str, list[Passage]] = {}
        self.boards: dict[tuple[str, str], list[Passage]] = {}
        for passage in self.passages:
            self.by_source.setdefault(passage.source, []).append(passage)
            self.boards.setdefault((passage.source, passage.board), []).append(passage)
        self._lines: dict[str, list[str] | None] = {}
        self._spans: dict[tuple, tuple[int, int]] = {}

    def lines(self, source: str) -> list[str] | None:
        """The document's lines (line n is lines[n-1]); None when the file cannot be read any more."""
        if source not in self._lines:
            try:
                self._lines[source] = read_document(self.corpus_dir / source, self.corpus_dir).lines
            except (CorpusError, OSError, ValueError) as error:
                log.warning("Quellansicht von %s ohne die Datei: %s", source, error)
                self._lines[source] = None
        return self._lines[source]

    def board(self, passage: Passage) -> list[Passage]:
        return self.boards.get((passage.source, passage.board), [passage])

    def board_span(self, passage: Passage) -> tuple[int, int]:
        """First and last line of the whole board (or table row) the passage belongs to, with its header lines."""
        key = (passage.source, passage.board, passage.lines)
        if key not in self._spans:  # asked for with every answer shown; the passages do not change
            self._spans[key] = self._board_span(passage)
        return self._spans[key]

    def _board_span(self, passage: Passage) -> tuple[int, int]:
        members = self.board(passage)
        first = min(p.lines[0] for p in members)
        headings = [p.meta.get("heading_line") for p in members if isinstance(p.meta.get("heading_line"), int)]
        first = min([first, *headings])
        last = max(p.lines[1] for p in members)
        previous_end = max((p.lines[1] for p in self.by_source.get(passage.source, []) if p.lines[1] < first),
                           default=0)
        first = max(previous_end + 1, first - BOARD_LEAD_LINES, 1)
        if last - first > MAX_BOARD_LINES:
            first, last = max(1, passage.lines[0] - 20), passage.lines[1] + 20
        return first, last

    def documents(self) -> list[tuple[str, str]]:
        """(label, source) per document, for a filter."""
        choices = []
        for source, passages in self.by_source.items():
            meta = passages[0].meta
            title = passages[0].short_title
            # (what the title says already is not said again: "Bürgerrunde vom 23.04.2015", not "… (23.04.2015)")
            where = ", ".join(part for part in (meta.get("city"), german_date(meta.get("date")))
                              if part and part not in title)
            choices.append((f"{title} ({where})" if where else title, source))
        return choices

    def places(self) -> list[tuple[str, str]]:
        """(label, value) per city, district and workshop, for a filter; the value is what Filters matches."""
        cities = sorted({p.meta["city"] for p in self.passages if p.meta.get("city")})
        choices = [(f"{city} (ganzes Protokoll)", city) for city in cities]
        seen = set(cities)
        for passage in self.passages:
            if passage.place and passage.place not in seen:
                seen.add(passage.place)
                kind = kind_name(passage.board_kind).place
                city = passage.meta.get("city")
                choices.append((f"{passage.place} – {kind}{', ' + city if city else ''}", passage.place))
        return choices

    def unit_names(self) -> str:
        """What the corpus' boards are, in the order of BOARD_KINDS ("Seite bzw. Tafel bzw. Tabellenzeile")."""
        names = dict.fromkeys(kind_name(kind).unit for kind in in_kind_order(p.board_kind for p in self.passages))
        return " bzw. ".join(names) or "Abschnitt"

    def place_kinds(self) -> list[str]:
        """What the corpus' places are ("Stadt", "Stadtteil", "Workshop"), for the place filter's label."""
        kinds = ["Stadt"] if any(p.meta.get("city") for p in self.passages) else []
        for passage in self.passages:
            kind = kind_name(passage.board_kind).place if passage.place else None
            if kind and kind not in kinds:
                kinds.append(kind)
        return kinds or ["Ort"]

    def sections(self) -> list[tuple[str, str]]:
        names: list[str] = []
        for passage in self.passages:
            if passage.section and passage.section not in names:
                names.append(passage.section)
        return [(name, name) for name in names]


def source_is_current(passage: Passage, lines: list[str] | None) -> bool:
    """Whether the document still holds the passage's text at its lines (it may have been edited since indexing)."""
    if lines is None:
        return False
    found = 0
    for item in passage.items:
        if 1 <= item.line <= len(lines):
            # Compared as the parsers saw them: the item's text is a cleaned line (or a cleaned cell of one).
            found += " ".join(item.text.split()) in clean_line(lines[item.line - 1])
    return found * 2 >= len(passage.items)


# ---------------------------------------------------------------------------------------------------------------
# Rendering: every corpus-derived string is escaped before it becomes HTML or Markdown


def esc(text) -> str:
    return html.escape(str(text), quote=True)


LEGEND_ANSWER = "hervorgehoben"
LEGEND_ANSWER_TEXT = "die Zeilen, die die Frage beantworten"
# A "nein" answer cites what comes closest: its strong lines do not answer the question.
LEGEND_SIMILAR_TEXT = "die Zeilen, die der Frage am nächsten kommen (sie beantworten sie nicht)"
LEGEND_CITED = "schwach markiert"
LEGEND_CITED_TEXT = "der übrige zitierte Abschnitt"
LEGEND_CITED_ONLY = "markiert"
LEGEND_CITED_ONLY_TEXT = "der zitierte Abschnitt"
EMPTY_FIELD_ROW = "(leer – auf der Tafel wurde hier nichts geschrieben)"


def render_source(protocols: Protocols, passage: Passage, marker: int | None = None,
                  highlights: tuple[int, ...] | list[int] = (), similar: bool = False) -> str:
    """The source panel: document title, city, date, board, section, lines, and the whole board with its lines
    numbered; the lines that answer the question (highlights, corpus lines within the passage) are marked strongly
    (class pa-answer, bold with a bar), the rest of the cited passage faintly (class pa-cited), with a legend.
    A passage standing for a field left empty on the board shows its printed prompt and says that nothing was
    written there. similar: the highlights only come closest to the question (an answer "nein", or one saying the
    protocols do not give what was asked), the legend says so.
    """
    meta = passage.meta
    empty = bool(meta.get("empty"))
    cited, answer = marked_lines(passage, highlights)
    rows = [
        ("Dokument", passage.doc_title),
        ("Stadt", meta.get("city") or "nicht angegeben"),
        ("Datum", german_date(meta.get("date")) or "nicht angegeben"),
        (kind_name(passage.board_kind).unit, passage.board),
    ]
    if passage.section != passage.board:  # (a text's section is its own unit: named once)
        rows.append(("Unterabschnitt" if kind_name(passage.board_kind).unit == "Abschnitt" else "Abschnitt",
                     passage.section or "–"))
    if passage.place:
        rows.append(("Stadtteil / Workshop", passage.place))
    if passage.topic:
        rows.append(("Thema", passage.topic))
    what = "vorgedruckte Frage eines leeren Feldes" if empty else "markiert"
    rows.append(("Zeilen", f"{line_span(passage.lines)} ({what}), Datei {passage.source}"))
    kicker = f"Quelle [{marker}]" if marker is not None else "Quelle"
    out = [
        '<div class="pa-source">',
        f'<p class="pa-kicker">{esc(kicker)}</p>',
        f"<h3>{esc(passage.citation)}</h3>",
        '<dl class="pa-meta">',
        *(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in rows),
        "</dl>",
    ]
    if empty:
        prompt = " ".join(item.text for item in passage.items) or passage.section or ""
        out.append(f'<p class="pa-note pa-empty-note">Dieses Feld ist auf der Tafel leer: unter der vorgedruckten '
                   f"Frage „{esc(prompt)}“ wurde nichts geschrieben.</p>")
    out.append(legend(cited, answer, similar))
    lines = protocols.lines(passage.source)
    if source_is_current(passage, lines):
        out.append(render_board_lines(protocols, passage, lines, answer=answer))
    else:
        out.append('<p class="pa-note">Die Datei hat sich seit dem Indexieren geändert oder fehlt; '
                   "gezeigt wird der indexierte Text.</p>")
        out.append(render_board_items(protocols.board(passage), highlight_lines=cited, answer_lines=answer,
                                      empty_passage=passage if empty else None))
    out.append("</div>")
    return "\n".join(out)


def _item_lines(passage: Passage) -> set[int]:
    return {item.line for item in passage.items}


def marked_lines(passage: Passage, highlights=()) -> tuple[set[int], set[int]]:
    """The cited lines (the passage's items) and, among the lines of the passage, those that answer: an item the
    transcription broke over lines answers with all its lines, as the answer quotes it joined and in bold."""
    first, last = passage.lines
    answer = {line for line in highlights or () if isinstance(line, int) and first <= line <= last}
    for lines in item_groups(passage):
        if answer & lines:
            answer |= lines
    return _item_lines(passage) | answer, answer


def item_groups(passage: Passage) -> list[set[int]]:
    """The lines of each item as the answer quotes it: lines broken by the transcription joined (answer.bullets)."""
    groups: list[tuple[list, set[int]]] = []
    for item in sorted(passage.items, key=lambda item: item.line):
        if groups and len(bullets([*groups[-1][0], item], set())) == 1:
            groups[-1][0].append(item)
            groups[-1][1].add(item.line)
        else:
            groups.append(([item], {item.line}))
    return [lines for _, lines in groups]


def legend(cited: set[int], answer: set[int], similar: bool = False) -> str:
    """One line saying what the two kinds of marking mean, each shown in its own style; only the kinds shown."""
    parts = []
    if answer:
        parts.append(f'<mark class="pa-answer"><strong>{esc(LEGEND_ANSWER)}</strong></mark>: '
                     f"{esc(LEGEND_SIMILAR_TEXT if similar else LEGEND_ANSWER_TEXT)}")
    if cited - answer:
        name, text = (LEGEND_CITED, LEGEND_CITED_TEXT) if answer else (LEGEND_CITED_ONLY, LEGEND_CITED_ONLY_TEXT)
        parts.append(f'<mark class="pa-cited">{esc(name)}</mark>: {esc(text)}')
    return f'<p class="pa-legend">{"; ".join(parts)}</p>' if parts else ""


def render_board_lines(protocols: Protocols, passage: Passage, lines: list[str],
                       answer: set[int] = frozenset()) -> str:
    """The board's source lines as a numbered table; table rows keep their cells; the answering lines are marked
    strongly, the other cited lines faintly; an empty field gets a row saying so below its prompt."""
    first, last = protocols.board_span(passage)
    last = min(last, len(lines))
    cited = _item_lines(passage) | set(answer)
    empty_after = passage.items[-1].line if passage.meta.get("empty") and passage.items else None
    numbered = [(n, shown_line(lines[n - 1])) for n in range(first, last + 1)]
    while numbered and not numbered[0][1].strip():
        numbered.pop(0)
    while numbered and not numbered[-1][1].strip():
        numbered.pop()
    columns = max([1] + [len(text.split("\t")) for _, text in numbered])
    rows = []
    previous_blank = False
    for number, text in numbered:
        blank = not text.strip()
        if blank and previous_blank:
            continue  # one empty row stands for a run of empty lines
        previous_blank = blank
        mark = "answer" if number in answer else "cited" if number in cited else None
        rows.append(render_line(number, text, mark, columns))
        if number == empty_after:
            span = f' colspan="{columns}"' if columns > 1 else ""
            rows.append(f'<tr class="pa-empty"><th scope="row" class="pa-no"></th>'
                        f"<td{span}>{esc(EMPTY_FIELD_ROW)}</td></tr>")
    shown = line_span((numbered[0][0], numbered[-1][0])) if numbered else "keine Zeilen"
    caption = f"{kind_name(passage.board_kind).unit} im Protokoll ({shown})."
    return (f'<p class="pa-caption">{esc(caption)}</p><div class="pa-scroll"><table class="pa-lines"><tbody>'
            + "".join(rows) + "</tbody></table></div>")


@functools.lru_cache(maxsize=8192)  # the same lines are shown again and again
def shown_line(line: str) -> str:
    """A source line as the source view shows it: markup out as in the indexed text (a cited line reads like its
    quote), table cells still apart (tabs), the indentation of a sub-item kept."""
    indent = len(line) - len(line.lstrip(" "))
    return " " * indent + "\t".join(clean_cells(line))


def marked(shown: str, mark: str | None) -> str:
    """Escaped text wrapped in its marking: strong (answering) or faint (cited), or as it is."""
    if mark == "answer":
        return f'<mark class="pa-answer"><strong>{shown}</strong></mark>'
    if mark == "cited":
        return f'<mark class="pa-cited">{shown}</mark>'
    return shown


def render_line(number: int, text: str, mark: str | None, columns: int) -> str:
    """One numbered source line; mark is "answer", "cited" or None (a cited row also has class pa-hit)."""
    def cell(value: str) -> str:
        shown = esc(value)
        return marked(shown, mark) if value.strip() else shown

    if "\t" in text:
        cells = text.split("\t")
        cells += [""] * (columns - len(cells))
        body = "".join(f"<td>{cell(value)}</td>" for value in cells)
    else:
        span = f' colspan="{columns}"' if columns > 1 else ""
        body = f"<td{span}>{cell(text)}</td>"
    row_class = f' class="pa-hit pa-{mark}"' if mark else ""
    return f'<tr{row_class}><th scope="row" class="pa-no">{number}</th>{body}</tr>'


def render_board_items(passages: list[Passage], highlight_lines: set[int] = frozenset(),
                       term: str = "", answer_lines: set[int] = frozenset(),
                       empty_passage: Passage | None = None) -> str:
    """A board's sections with their numbered items (the indexed text): the search term marked, or the cited lines
    (highlight_lines) faintly and the answering ones among them (answer_lines) strongly."""
    out = []
    for passage in passages:
        if passage.section and passage.section != passage.board:
            out.append(f"<h4>{esc(passage.section)}</h4>")
        out.append('<ul class="pa-items">')
        for item in passage.items:
            text = f"{item.label}: {item.text}" if item.label else item.text
            shown = highlight(text, term) if term else esc(text)
            mark = "answer" if item.line in answer_lines else "cited" if item.line in highlight_lines else None
            item_class = f' class="pa-hit pa-{mark}"' if mark else ""
            out.append(f'<li{item_class}><span class="pa-no">{item.line}</span><span>{marked(shown, mark)}</span></li>')
        if empty_passage is not None and (passage.source, passage.lines, passage.section) == (
                empty_passage.source, empty_passage.lines, empty_passage.section):
            out.append(f'<li class="pa-empty"><span class="pa-no"></span><span>{esc(EMPTY_FIELD_ROW)}</span></li>')
        out.append("</ul>")
    return "\n".join(out)


def highlight(text: str, term: str) -> str:
    """Escaped text with every case-insensitive occurrence of term wrapped in <mark>."""
    if not term:
        return esc(text)
    pieces = re.split(f"({re.escape(term)})", text, flags=re.IGNORECASE)
    return "".join(f"<mark>{esc(piece)}</mark>" if i % 2 else esc(piece) for i, piece in enumerate(pieces))


def passage_matches(passage: Passage, term: str) -> bool:
    folded = term.casefold()
    texts = [passage.board, passage.section or "", passage.topic or ""]
    texts += [f"{item.label or ''} {item.text}" for item in passage.items]
    return any(folded in text.casefold() for text in texts)


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def render_reader(protocols: Protocols, filters: Filters | None = None, search: str = "") -> str:
    """The reader: matching boards grouped by document, each a collapsible list of its sections and lines."""
    term = " ".join(str(search or "").split())[:MAX_SEARCH_CHARS]
    chosen = [p for p in protocols.passages if (filters is None or filters.allows(p))
              and (not term or passage_matches(p, term))]
    if not chosen:
        return ('<div class="pa-reader"><p class="pa-summary">Keine Stelle passt zu dieser Auswahl.</p>'
                "<p>Entfernen Sie Einschränkungen oder ändern Sie den Suchbegriff.</p></div>")
    boards: dict[tuple[str, str], list[Passage]] = {}
    for passage in chosen:
        boards.setdefault((passage.source, passage.board), []).append(passage)
    # (counted as this corpus' boards are: "57 Tafeln und 5 Tabellenzeilen", "8 Tagesordnungspunkte"; title pages,
    # goals and programme are all "Seiten")
    per_kind = Counter(passages[0].board_kind for passages in boards.values())
    per_unit: Counter = Counter()
    for kind in in_kind_order(per_kind):
        per_unit[(kind_name(kind).unit, kind_name(kind).units)] += per_kind[kind]
    counted = [plural(count, one, many) for (one, many), count in per_unit.items()]
    summary = f"{listing(counted, None)} mit {plural(len(chosen), 'Stelle', 'Stellen')}"
    if term:
        summary += f", die „{term}“ enthalten"
    opened = bool(term) or len(boards) <= 3
    out = ['<div class="pa-reader">', f'<p class="pa-summary">{esc(summary)}.</p>']
    titles = dict((source, label) for label, source in protocols.documents())
    current_source = None
    for (source, board), passages in boards.items():
        if source != current_source:
            if current_source is not None:
                out.append("</section>")
            out.append(f'<section class="pa-doc"><h3>{esc(titles.get(source, source))}</h3>')
            current_source = source
        first = min(p.lines[0] for p in passages)
        last = max(p.lines[1] for p in passages)
        details = f"{line_span((first, last))}, {plural(len(passages), 'Abschnitt', 'Abschnitte')}"
        out.append(f"<details{' open' if opened else ''}><summary>{esc(board)} <span>– {esc(details)}</span>"
                   "</summary>")
        out.append(render_board_items(passages, term=term))
        out.append("</details>")
    out.append("</section></div>")
    return "\n".join(out)

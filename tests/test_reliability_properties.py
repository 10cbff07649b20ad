"""Property-based tests (hypothesis): any text into the parsers and the question understanding, no exception
out, and the parsers' line spans always valid (every item points at the source line it was taken from).

Documents are drawn from protocol-like lines (the layouts' own markers, real corpus lines, markup, arrows,
tabs) mixed with arbitrary Unicode, so the generated texts reach the structured code paths, not only the
generic fallback.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assistant import MAX_QUESTION_CHARS, clean_question, normalize_history
from assistant.answer import Answer, escape_markdown
from assistant.understand import Vocabulary, understand
from index.documents import CorpusError, Document, DocumentMeta, corpus_files, decode_text, read_document, split_lines
from index.layouts import generic, parse_document, photo_protocol, tables
from index.layouts.common import clean_line
from index.lexical import GermanAnalyzer, LexicalIndex
from index.passage import Passage
from index.settings import PROJECT_ROOT
from index.store import embedding_text, embedding_units
from ui.export import question_link
from ui.sources import highlight

CORPUS = PROJECT_ROOT / "corpus"
REAL_DOCUMENTS = [read_document(path, CORPUS) for path in corpus_files(CORPUS)]
REAL_LINES = sorted({line for document in REAL_DOCUMENTS for line in document.lines})
REAL_PASSAGES = [passage for document in REAL_DOCUMENTS for passage in parse_document(document)]

MARKERS = [
    "Integrationskonferenz „Teilhabe gestalten und Gemeinschaft stärken“",
    "Austausch zu Entwicklungen im Stadtbezirk", "Schalke", "Bulmke-Hüllen", "mit den Stadtteilen A, B und C",
    *(name for _, name in photo_protocol.DISTRICT_PROMPTS + photo_protocol.TOPIC_PROMPTS),
    "Was läuft gut in unserem Stadtteil?", "Wo sehen wir Handlungsbedarfe?", "Worauf kommt es besonders an?",
    "Kurz: Was ist die Herausforderung / das Problem", "Rundum-Blick: Wer ist davon betroffen",
    "Abschließend: Wer sollte die (Prozess-)Verantwortung übernehmen („Wer hat den Hut auf...“)",
    "Themensammlung", "1", "12", "Thema", "Thema:", "Thema: Begegnung schaffen", "Initiator*in: Frau K.",
    "Bearbeitung der Themen", "Was soll im Prinzip das Ergebnis sein", "(Realitäts-Check!)", "Zielsetzung", "Programm",
    "Herausforderung\tZiel\tZielgruppe\tAngebot/Maßnahme", "\t<p>Anregung 1: mehr Kurse</p>\t\t",
    "Bildung\t<p>Kitas stärken</p>\tEltern\t<p>Anregung 2: x</p>", "Workshop 2 - Wohnen", "Workshop 3: Teilhabe",
    "# Überschrift", "## Unterpunkt", "---", "- Punkt", "• Punkt", "1. erster", "a) klein", "→ Pfeil", "↳ weiter",
    "=> Folge", "\\Rightarrow Latex", "m^{2}", "<p>", "</p>", "<br>", "", " ", "\t", "\u00a0", "?", "360°", "x",
    "😀 Emoji", "ما هي", "\u202eRTL\u202c", "\u200b", "Ende.",
]
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)
LINE = st.one_of(
    st.sampled_from(MARKERS),
    st.sampled_from(REAL_LINES),
    ANY_TEXT,
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(MARKERS), ANY_TEXT),
    st.builds(lambda cells: "\t".join(cells), st.lists(st.one_of(ANY_TEXT, st.sampled_from(MARKERS)), max_size=5)),
)
NEWLINE = st.sampled_from(["\n", "\r\n", "\r"])
KINDS = [None, photo_protocol.KIND, tables.KIND, generic.KIND]
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated_real_lines(draw) -> tuple[list[str], str | None]:
    """A stretch of a real protocol (up to all of it) with lines inserted, deleted and replaced: the parsers'
    structured paths (boards, prompts, cards, table rows) under transcription noise."""
    source = draw(st.sampled_from(REAL_DOCUMENTS))
    start = draw(st.one_of(st.just(0), st.integers(0, len(source.lines) - 1)))
    length = draw(st.one_of(st.sampled_from([60, 200, 100_000]), st.integers(1, 400)))
    lines = list(source.lines[start:start + length])
    for _ in range(draw(st.integers(0, 12))):
        position = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert" or not lines:
            lines.insert(position, draw(LINE))
        elif action == "delete":
            del lines[min(position, len(lines) - 1)]
        else:
            lines[min(position, len(lines) - 1)] = draw(LINE)
    return lines, source.meta.kind


@st.composite
def documents(draw) -> Document:
    if draw(st.booleans()):
        lines, kind = draw(mutated_real_lines())
        kind = draw(st.sampled_from([kind, None, kind]))
    else:
        lines, kind = draw(st.lists(LINE, max_size=60)), draw(st.sampled_from(KINDS))
    text = draw(NEWLINE).join(lines)
    meta = DocumentMeta(title=draw(st.one_of(st.just("Protokoll"), ANY_TEXT.filter(str.strip))),
                        kind=kind, city=draw(st.sampled_from([None, "Minden"])))
    return Document(source="werkstatt/protokoll.txt", lines=split_lines(text), meta=meta)


def assert_valid_spans(document: Document, passages: list[Passage]) -> None:
    for passage in passages:
        assert passage.items, passage
        first, last = passage.lines
        assert 1 <= first <= last <= len(document.lines), (passage.citation, passage.lines, len(document.lines))
        assert passage.source == document.source and passage.id
        for item in passage.items:
            assert isinstance(item.line, int) and 1 <= item.line <= len(document.lines)
            assert item.text.strip(), passage.citation
            source = clean_line(document.line(item.line))
            if passage.board_kind == "table_row" or "part" in passage.meta:
                assert " ".join(item.text.split()) in " ".join(source.split()), (item, source)
            else:
                assert item.text == source, (item, source)
        # What the store embeds can be built for every passage, and it survives the JSONL round trip.
        assert embedding_text(passage)
        embedding_units(passage)
        assert Passage.from_json(passage.to_json()) == passage


# --- parsers -------------------------------------------------------------------------------------------------

@PROPERTY
@given(st.text(max_size=300), NEWLINE)
def test_split_lines_numbers_lines_like_an_editor(text, newline):
    written = text.replace("\n", newline)
    lines = split_lines(written)
    assert all("\n" not in line and "\r" not in line for line in lines)
    # (of the text as written: a "\r" before a "\n" made "\r\n" is a line end of its own, "\r\r\n" two lines)
    normalized = written.replace("\r\n", "\n").replace("\r", "\n")
    assert "\n".join(lines) == normalized.removesuffix("\n")


@PROPERTY
@given(st.binary(max_size=400))
def test_decode_text_gives_text_or_a_corpus_error_naming_the_file(data):
    try:
        text = decode_text(data, "ordner/datei.txt")
    except CorpusError as error:
        assert str(error).startswith("ordner/datei.txt: ")
    else:
        assert isinstance(text, str) and not text.startswith("\ufeff")


@PROPERTY
@given(documents())
def test_any_document_parses_with_valid_line_spans(document):
    passages = parse_document(document)
    assert_valid_spans(document, passages)
    for kind in sorted({passage.board_kind for passage in passages}):
        event(f"board kind {kind}")


@PROPERTY
@given(documents(), st.sampled_from([photo_protocol, tables, generic]))
def test_every_layout_accepts_any_document(document, layout):
    """Each layout parser on its own (as a manifest's `kind` forces it), also on text that is not its layout."""
    passages = generic.split_long(layout.parse(document))
    assert_valid_spans(document, passages)
    assert isinstance(layout.detect(document), bool)


@PROPERTY
@given(st.lists(LINE, max_size=40), st.sampled_from([".txt", ".md"]))
def test_files_read_from_disk_parse_with_valid_spans(tmp_path_factory, lines, suffix):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / f"protokoll{suffix}"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        document = read_document(path, folder)
    except CorpusError as error:  # a NUL byte: binary
        assert str(error).startswith(f"protokoll{suffix}: Das ist keine Textdatei (Binärdaten)")
        return
    assert_valid_spans(document, parse_document(document))


# --- questions -----------------------------------------------------------------------------------------------

QUESTION_TEXT = st.one_of(
    ANY_TEXT,
    st.text(max_size=60),  # surrogates included
    st.builds(lambda a, b, c: f"{a} {b} {c}", ANY_TEXT, st.sampled_from(MARKERS), st.sampled_from(REAL_LINES)),
    st.sampled_from(["Und in Bismarck?", "Und dort?", "and there?", "Was läuft gut?", "Wer hat den Hut auf?",
                     "Thema 7", "Workshop Wohnen", "Minden", "Gelsenkirchen", "Schalke-Nord Schalke"]),
)


@pytest.fixture(scope="module")
def vocabulary():
    return Vocabulary(REAL_PASSAGES, LexicalIndex.build([embedding_text(p) for p in REAL_PASSAGES]))


@PROPERTY
@given(QUESTION_TEXT)
def test_clean_question_gives_a_usable_question_or_a_german_value_error(question):
    try:
        cleaned = clean_question(question)
    except ValueError as error:
        assert re.search(r"Frage|Text|Wörter", str(error)), error
        return
    assert cleaned == cleaned.strip() and 0 < len(cleaned) <= MAX_QUESTION_CHARS
    assert any(ch.isalnum() for ch in cleaned)
    assert not re.search(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]", cleaned)
    assert clean_question(cleaned) == cleaned  # idempotent


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | ANY_TEXT
    | st.sampled_from(["Und in Bismarck?", "", "???", "Was läuft gut in Schalke?"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(
        ["role", "content", "text", "type", "metadata"]), children | st.sampled_from(["user", "assistant", "bot"]),
        max_size=4),
    max_leaves=12,
)


@PROPERTY
@given(JSONISH)
def test_normalize_history_accepts_or_refuses_any_json_in_german(history):
    try:
        questions = normalize_history(history)
    except ValueError as error:
        assert re.search(r"Gesprächsverlauf", str(error)), error
        return
    assert all(isinstance(q, str) and clean_question(q) == q for q in questions)


@PROPERTY
@given(QUESTION_TEXT, st.lists(QUESTION_TEXT, max_size=3))
def test_understanding_any_question_in_any_conversation(vocabulary, question, history):
    try:
        cleaned = clean_question(question)
    except ValueError:
        return
    turns = normalize_history(history)
    query = understand(cleaned, vocabulary, turns)
    assert isinstance(query.text, str) and query.text.strip()
    known = {(place.name, place.kind) for place in vocabulary.places}
    assert all((place.name, place.kind) in known for place in query.places)
    assert all(0 < weight <= 1 for weight in query.sections.values()), query.sections
    assert all(weight > 0 for weight in query.topics.values())
    assert query.describe()  # what the JSON answer carries


@PROPERTY
@given(QUESTION_TEXT)
def test_german_analyzer_on_any_text(text):
    analyzer = GermanAnalyzer()
    for tokens in (analyzer.analyze(text), analyzer.analyze_query(text)):
        assert all(isinstance(token, str) and token for token in tokens)


# --- rendering -----------------------------------------------------------------------------------------------

@PROPERTY
@given(st.text(max_size=200))
def test_escaped_markdown_has_no_markup_and_reads_back_as_the_text(text):
    escaped = escape_markdown(text)
    # no tag, comment or autolink can open, no quote can start; "<" and ">" elsewhere stay as written
    assert not re.search(r"<[A-Za-z/!?]", escaped) and not re.match(r"\s*>", escaped)
    assert not re.search(r"(?<!\\)[\[\]*_`~]", escaped.replace("\\\\", ""))
    assert Answer(text=escaped, passages=[]).plain_text() == text


@PROPERTY
@given(st.text(max_size=200), st.text(max_size=20))
def test_highlight_is_escaped_html_with_only_mark_tags(text, term):
    rendered = highlight(text, term)
    assert "<" not in rendered.replace("<mark>", "").replace("</mark>", "")
    assert html.unescape(rendered.replace("<mark>", "").replace("</mark>", "")) == text


@PROPERTY
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200))
def test_share_link_carries_the_question_exactly(question):
    link = question_link("http://127.0.0.1:7860/app/?q=alt#x", question)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == ("http", "127.0.0.1:7860", "/app/", "")
    assert parse_qs(parts.query, keep_blank_values=True, strict_parsing=False).get("q", [""])[0] == question

"""Understanding questions: places, sections and topics learned from a tiny corpus, and follow-ups.

The tiny corpus defined here (a photo protocol and a workshop table, written as files and indexed
with the real default embedder) is shared by test_retrieve.py and test_answer.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.evidence import with_the_value
from assistant.understand import (
    Vocabulary,
    asked_value,
    asks_a_decision,
    board_number,
    intent_of,
    language_of,
    place_kind_of,
    speaker_party,
    speakers_of,
)
from index import Item, Passage
from index.lexical import LexicalIndex

# --- the tiny corpus ------------------------------------------------------------------------------
HEADER = "Stadtteilforum „Miteinander im Flussbezirk“"
EXCHANGE = "Austausch zu Entwicklungen im Stadtbezirk"
DISTRICT_PROMPTS = (
    "Was läuft gut bei uns im Stadtbezirk...",
    "Wo sehen wir Handlungsbedarfe...",
    "Worauf kommt es bei der weiteren Integrationsarbeit besonders an...",
)
TOPIC_PROMPTS = (
    "Kurz: Was ist die Herausforderung / das Problem",
    "Rundum-Blick: Wer ist davon betroffen",
    "Von der Zukunft her gedacht:",
    "Spontan: Erste Lösungsideen",
    "Konkret: Empfehlungen für nächste Schritte",
    "Abschließend: Wer sollte die (Prozess-)Verantwortung übernehmen („Wer hat den Hut auf...“)",
    "Teilnehmende der Arbeitsgruppe (für Nachfragen)",
)
GOOD, NEEDS, FOCUS = "Was läuft gut", "Handlungsbedarfe", "Worauf kommt es an"

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_LINK = "[klick](javascript:alert(1))"
EMPHASIS = "**fett** und _kursiv_ und `code`"

# Ten needs on one board: more than an answer quotes of one passage.
MUEHLENFELD_NEEDS = [
    "- Müll an den Containern",
    "- Bänke am Spielplatz",
    "- Beleuchtung im Park",
    "- Sprechstunde im Rathaus",
    "- Hundewiese",
    "- Parkplätze am Markt",
    "- Öffnungszeiten der Bücherei",
    "- Ampel an der Schule",
    "- Sprachkurse am Abend",
    "- Radweg zum Bahnhof fehlt",
]


def district_board(label: list[str], good: list[str], needs: list[str], focus: list[str]) -> list[str]:
    lines = [HEADER, "", EXCHANGE, "", *label, ""]
    for prompt, items in zip(DISTRICT_PROMPTS, (good, needs, focus), strict=True):
        lines += [prompt, "", *items, ""]
    return lines


def topic_card(number: int, title: str, initiator: str) -> list[str]:
    return [str(number), "", f"Thema: {title}", "", f"Initiator*in {initiator}", "Interessent*innen", ""]


def result_board(title: str, answers: list[list[str]]) -> list[str]:
    lines = [HEADER, "", f"Thema: {title}", ""]
    for prompt, items in zip(TOPIC_PROMPTS, answers, strict=True):
        lines += [prompt, "", *items, ""]
    return lines


PROTOCOL_LINES = [
    "Fotoprotokoll",
    "Stadtteilforum Flussbezirk",
    "",
    "mit den Stadtteilen Lindenhof, Berg-Ost, Kanalviertel und Mühlenfeld",
    "",
    HEADER,
    "",
    "Programm",
    "",
    "18:00 Begrüßung durch Bürgermeisterin Petra Sonnenschein",
    "18:15 Austausch in kleinen Runden",
    "",
    # Lindenhof has three boards; the second is labelled with an OCR error, the third broken at a hyphen.
    *district_board(
        ["Lindenhof"],
        ["- Bücherschrank am Kiosk", "- Nachbarschaftscafé"],
        ["- zu wenig Spielplätze", "- Busverbindung am Abend"],
        ["- Geduld und Zuhören"],
    ),
    *district_board(
        ["Lindenhoff"], ["- Sportverein offen für alle"], ["- Schwimmkurse für Kinder fehlen"], ["- Vertrauen aufbauen"]
    ),
    *district_board(
        ["Linden-", "hof"], ["- Stadtteilfest im Sommer"], ["- Treffpunkt für Jugendliche"], ["- Sprache im Alltag"]
    ),
    # Nobody wrote on the last prompt of Berg-Ost: it has no "Worauf kommt es an".
    *district_board(["Berg-", "Ost"], ["- Wochenmarkt am Samstag"], ["- Sauberkeit am Bahnhof"], []),
    # Corpus text that must not become HTML, links or emphasis in an answer.
    *district_board(
        ["Kanalviertel"],
        ["- Hausaufgabenhilfe im Jugendhaus", f"- {XSS_IMG}", f"- {XSS_LINK}", f"- {EMPHASIS}"],
        ["- Kita-Plätze fehlen"],
        ["- Begegnung auf Augenhöhe"],
    ),
    *district_board(["Mühlenfeld"], ["- Gemeinschaftsgarten an der Mühle"], MUEHLENFELD_NEEDS, ["- Zeit füreinander"]),
    HEADER,
    "",
    "Themensammlung",
    "",
    *topic_card(1, "Schwimmen lernen", "Frau Delfin"),
    *topic_card(2, "Lesepaten", "Herr Buchholz"),
    *result_board(
        "Schwimmkurse für alle Kinder",
        [
            ["Viele Kinder können nicht schwimmen"],
            ["Grundschulkinder und ihre Eltern"],
            ["Jedes Kind schwimmt am Ende der Grundschule"],
            ["- Kurse im Hallenbad am Wochenende"],
            ["Gespräch mit dem Sportamt"],
            ["Sportamt und Schwimmverein"],
            ["A. Eins, B. Zwei"],
        ],
    ),
    *result_board(
        "Lesepaten für Erstklässler",
        [
            ["Kinder lesen zu wenig"],
            ["Erstklässler und ihre Familien"],
            ["Alle Kinder lesen gern"],
            ["- Vorlesestunden mit Senioren aus dem Seniorenbeirat"],
            ["Aufruf in der Zeitung"],
            ["Stadtbibliothek"],
            ["C. Drei"],
        ],
    ),
]

TABLE_HEADER = "Herausforderung\tZiel\tZielgruppe\tAngebot/ Maßnahme"
TABLE_LINES = [
    "Ergebnisse der Stadtwerkstatt",
    "",
    "Stadt Beispielhausen",
    "",
    "Workshop 1 - Schule",
    "",
    TABLE_HEADER,
    "Es fehlen Ganztagsplätze.\tJedes Kind hat einen Platz.\tFamilien\tAnregung 1: Ausbau der Offenen Ganztagsschule",
    "\t\t\tAnregung 2: Ferienbetreuung in den Sommerferien",
    "<p>Schulwege sind unsicher.</p>\t<p>Alle Kinder gehen sicher zur Schule.</p>\t<p>Kinder</p>\t"
    "<p>Anregung 1: Schülerlotsen an der Hauptstraße</p>",
    "",
    "Workshop 2 - Wohnen",
    "",
    TABLE_HEADER,
    "Es fehlen kleine Wohnungen.\tMehr kleine Wohnungen.\tAlleinstehende\tAnregung 1: Umbau leerer Büros zu Wohnungen",
    "Mieten steigen stark.\tMieten bleiben bezahlbar.\talle\tAnregung 1: Mietspiegel veröffentlichen",
    "\t\t\tAnregung 2: Beratung bei Mieterhöhungen",
]

PROTOCOL = "stadtteilforum.txt"
TABLE = "werkstatt.txt"
PROTOCOL_TITLE = "Stadtteilforum Flussbezirk"
TABLE_TITLE = "Stadtwerkstatt Beispielhausen"
DISTRICTS = {"Lindenhof", "Berg-Ost", "Kanalviertel", "Mühlenfeld"}


def write_tiny_corpus(folder: Path) -> Path:
    """The photo protocol and the table with their manifests, as staff would drop them into corpus/."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        PROTOCOL: "\n".join(PROTOCOL_LINES) + "\n",
        f"{PROTOCOL}.meta.json": json.dumps(
            {
                "title": "Fotoprotokoll Stadtteilforum Flussbezirk",
                "short_title": PROTOCOL_TITLE,
                "city": "Flussstadt",
                "date": "2024-03-05",
                "kind": "fotoprotokoll",
            },
            ensure_ascii=False,
        ),
        TABLE: "\n".join(TABLE_LINES) + "\n",
        f"{TABLE}.meta.json": json.dumps(
            {"title": "Ergebnisse der Stadtwerkstatt", "short_title": TABLE_TITLE, "city": "Beispielhausen",
             "kind": "workshop-tabellen"},
            ensure_ascii=False,
        ),
    }
    for name, text in files.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return folder


def load_tiny(tmp_path_factory) -> Assistant:
    """The assistant over the tiny corpus; indexed once per test session, in a temporary folder."""
    base = tmp_path_factory.getbasetemp() / "tiny"
    corpus = write_tiny_corpus(base / "corpus")
    return Assistant.load(corpus_dir=corpus, index_dir=base / "index")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Assistant:
    return load_tiny(tmp_path_factory)


def names(query) -> list[tuple[str, str]]:
    return [(place.name, place.kind) for place in query.places]


def best_section(query) -> str | None:
    return max(query.sections, key=query.sections.get) if query.sections else None


# --- what the vocabulary learned ------------------------------------------------------------------
def test_places_come_from_the_corpus(tiny):
    places = {(place.name, place.kind) for place in tiny.retriever.vocabulary.places}
    assert places == {
        ("Lindenhof", "district"),
        ("Berg-Ost", "district"),
        ("Kanalviertel", "district"),
        ("Mühlenfeld", "district"),
        ("Schule", "group"),
        ("Wohnen", "group"),
        ("Flussstadt", "city"),
        ("Beispielhausen", "city"),
    }
    # OCR variants of a board label are not places of their own
    assert not any("Lindenhoff" in place.name for place in tiny.retriever.vocabulary.places)


def test_sections_come_from_the_corpus(tiny):
    sections = set(tiny.retriever.vocabulary.section_cues)
    assert {GOOD, NEEDS, FOCUS} <= sections
    topic_sections = {"Herausforderung", "Betroffene", "Lösungsideen", "Empfehlungen", "Verantwortung", "Teilnehmende"}
    assert topic_sections <= sections


# --- places ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, place",
    [
        ("Was läuft gut in Lindenhof?", "Lindenhof"),
        ("was läuft gut im lindenhof", "Lindenhof"),  # lower case
        ("WAS LÄUFT GUT IM LINDENHOF", "Lindenhof"),  # upper case
        ("Was läuft gut im Lindenhoff?", "Lindenhof"),  # typo: doubled letter
        ("Was läuft gut im Lindnhof?", "Lindenhof"),  # typo: missing letter
        ("Was fehlt im Kanalvirtel?", "Kanalviertel"),
        ("Was fehlt im Muhlenfeld?", "Mühlenfeld"),  # umlaut typed without dots
        ("Was fehlt im Muehlenfeld?", "Mühlenfeld"),  # umlaut typed as ue
        ("Handlungsbedarf in Berg-Ost", "Berg-Ost"),
        ("Handlungsbedarf in berg-ost", "Berg-Ost"),
        ("Handlungsbedarf in Berg Ost", "Berg-Ost"),  # space instead of hyphen
        ("Handlungsbedarf in Berg–Ost", "Berg-Ost"),  # en dash instead of hyphen
    ],
)
def test_district_named_exactly_or_with_typos(tiny, question, place):
    query = tiny.understand(question)
    assert names(query) == [(place, "district")]


def test_district_written_as_one_word_without_hyphen(tiny):
    # "Bergost" for "Berg-Ost", as people type "Schalkenord" for "Schalke-Nord".
    assert names(tiny.understand("Welche Handlungsbedarfe gibt es in Bergost?")) == [("Berg-Ost", "district")]


def test_workshops_and_cities_are_places_too(tiny):
    assert names(tiny.understand("Was schlägt der Workshop Wohnen vor?")) == [("Wohnen", "group")]
    assert names(tiny.understand("Was wird in Beispielhausen gegen hohe Mieten getan?")) == [
        ("Beispielhausen", "city")
    ]


def test_two_places_in_one_question(tiny):
    query = tiny.understand("Was läuft gut in Lindenhof und im Mühlenfeld?")
    assert {name for name, _ in names(query)} == {"Lindenhof", "Mühlenfeld"}


@pytest.mark.parametrize(
    "question",
    [
        "Wo fehlen Spielplätze für Kinder?",
        "Wie alt ist der Lindenbaum an der Mühle?",
        "Gibt es im Kanal Fische?",
        "Was wächst auf dem Feld hinter dem Hof?",
        "Welcher Berg ist am höchsten?",
        "Wer kümmert sich um die Parkplätze am Markt?",
    ],
)
def test_no_place_guessed_from_ordinary_words(tiny, question):
    assert names(tiny.understand(question)) == []


# --- sections -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, section",
    [
        # the printed prompts' own words
        ("Wo sehen wir Handlungsbedarfe im Mühlenfeld?", NEEDS),
        ("Worauf kommt es im Lindenhof besonders an?", FOCUS),
        ("Was läuft gut bei uns im Kanalviertel?", GOOD),
        ("Wer hat beim Thema Schwimmen den Hut auf?", "Verantwortung"),
        ("Welche ersten Lösungsideen gab es zum Thema Lesepaten?", "Lösungsideen"),
        ("Wer ist vom Thema Lesepaten betroffen?", "Betroffene"),
        # everyday phrasing
        ("Was funktioniert im Lindenhof gut?", GOOD),
        ("Wo besteht im Mühlenfeld Handlungsbedarf?", NEEDS),
        ("Wer ist für die Lesepaten verantwortlich?", "Verantwortung"),
        ("Was wurde beim Schwimmen als nächster Schritt empfohlen?", "Empfehlungen"),
        ("Wer war in der Arbeitsgruppe Lesepaten?", "Teilnehmende"),
        ("Wer hat an der Arbeitsgruppe Lesepaten teilgenommen?", "Teilnehmende"),
    ],
)
def test_section_named_by_prompt_words_or_everyday_phrasing(tiny, question, section):
    assert best_section(tiny.understand(question)) == section


@pytest.mark.parametrize(
    "question",
    [
        "Was ist den Leuten im Lindenhof wichtig?",
        "Was ist am Bahnhof in Berg-Ost los?",
    ],
)
def test_question_words_alone_name_no_prompt(tiny, question):
    # "Was ist …" also begins the printed prompt "Was ist die Herausforderung"; that alone names nothing.
    assert "Herausforderung" not in tiny.understand(question).sections


def test_no_section_in_a_question_about_content(tiny):
    assert tiny.understand("Wo gibt es Schülerlotsen?").sections == {}


# --- topics ---------------------------------------------------------------------------------------
def test_topic_named_by_its_card_or_board_title(tiny):
    assert set(tiny.understand("Welche Lösungsideen gab es zum Thema Schwimmen?").topics) == {(PROTOCOL, 1)}
    assert set(tiny.understand("Wer ist für die Lesepaten verantwortlich?").topics) == {(PROTOCOL, 2)}


def test_question_without_topic_names_none(tiny):
    assert tiny.understand("Welche Handlungsbedarfe gibt es im Lindenhof?").topics == {}


# --- conversation ---------------------------------------------------------------------------------
def test_und_in_x_keeps_the_section_and_swaps_the_place(tiny):
    query = tiny.understand("Und in Mühlenfeld?", history=["Was läuft gut in Lindenhof?"])
    assert query.followup
    assert names(query) == [("Mühlenfeld", "district")]
    assert best_section(query) == GOOD
    assert "Mühlenfeld" in query.text and "Lindenhof" not in query.text


@pytest.mark.parametrize("question", ["Gibt es für so etwas schon ein Vorbild?", "Gibt es sowas auch woanders?",
                                      "Hat so ein Angebot schon mal jemand ausprobiert?"])
def test_so_etwas_points_back_to_what_was_asked_before(tiny, question):
    from assistant.understand import written_in_words

    assert not written_in_words("asdf qwer das es")  # (German words are no other language's)
    # the kind of thing asked about before: its topic is inherited
    query = tiny.understand(question, history=["Wer ist für die Lesepaten verantwortlich?"])
    assert query.followup and "topics" in query.inherited, query
    assert not tiny.understand("Gibt es sonst etwas Neues?", history=["Wer ist für die Lesepaten verantwortlich?"]
                               ).followup
    # (nor where it says what it means: "so etwas wie ein Sprachcafé")
    assert not tiny.understand("Gibt es so etwas wie ein Sprachcafé?",
                               history=["Wer ist für die Lesepaten verantwortlich?"]).followup


def test_und_im_x_with_article(tiny):
    query = tiny.understand("Und im Kanalviertel?", history=["Welche Handlungsbedarfe gibt es in Berg-Ost?"])
    assert names(query) == [("Kanalviertel", "district")]
    assert best_section(query) == NEEDS


def test_und_was_ist_mit_x_keeps_the_section(tiny):
    history = ["Welche Handlungsbedarfe gibt es in Berg-Ost?"]
    query = tiny.understand("Und was ist mit dem Kanalviertel?", history=history)
    assert names(query) == [("Kanalviertel", "district")]
    assert best_section(query) == NEEDS


def test_follow_up_with_a_new_section_keeps_the_place(tiny):
    query = tiny.understand("Und welche Handlungsbedarfe gibt es dort?", history=["Was läuft gut in Lindenhof?"])
    assert names(query) == [("Lindenhof", "district")]
    assert best_section(query) == NEEDS


def test_follow_up_keeps_the_topic(tiny):
    query = tiny.understand(
        "Welche Lösungsideen gab es dazu?", history=["Welche Herausforderung gibt es beim Thema Schwimmen?"]
    )
    assert query.followup
    assert set(query.topics) == {(PROTOCOL, 1)}
    assert best_section(query) == "Lösungsideen"


@pytest.mark.parametrize("question", ["Und wie viel Geld bräuchte man dafür?", "Wer hat darüber gesprochen?"])
def test_follow_up_pointing_back_carries_the_earlier_questions_words(tiny, question):
    # No numbered topic is named: the words of the earlier question are what "dafür" / "darüber" stand for.
    query = tiny.understand(question, history=["Was braucht das Freibad im Sommer?"])
    assert query.followup
    assert "Freibad" in query.text and query.text.startswith(question)


def test_follow_up_chain_resolves_through_every_turn(tiny):
    history = ["Welche Handlungsbedarfe gibt es in Berg-Ost?", "Und in Lindenhof?"]
    query = tiny.understand("Und im Mühlenfeld?", history=history)
    assert names(query) == [("Mühlenfeld", "district")]
    assert best_section(query) == NEEDS


def test_gradio_history_uses_user_turns_only(tiny):
    history = [
        {"role": "user", "content": "Was läuft gut in Lindenhof?"},
        {"role": "assistant", "content": "Gefunden zu „Handlungsbedarfe“ in Mühlenfeld: 1 Stelle(n)"},
    ]
    query = tiny.understand("Und im Kanalviertel?", history=history)
    assert names(query) == [("Kanalviertel", "district")]
    assert best_section(query) == GOOD


@pytest.mark.parametrize(
    "question",
    [
        "Welche Vorschläge gibt es gegen steigende Mieten?",
        "Was kostet ein Brot beim Bäcker?",
    ],
)
def test_new_complete_question_starts_afresh(tiny, question):
    query = tiny.understand(question, history=["Was läuft gut in Lindenhof?"])
    assert not query.followup
    assert query.places == [] and query.sections == {} and query.inherited == []
    assert query.text == question


def test_new_short_question_naming_a_place_keeps_its_own_words(tiny):
    # Six words, a place and a subject of its own: not "Was läuft gut in Beispielhausen?".
    question = "Wie findet man in Beispielhausen Wohnungen?"
    query = tiny.understand(question, history=["Was läuft gut in Lindenhof?"])
    assert names(query) == [("Beispielhausen", "city")]
    assert GOOD not in query.sections
    assert "Wohnungen" in query.text


def test_first_question_has_nothing_to_inherit(tiny):
    query = tiny.understand("Und in Mühlenfeld?")
    assert names(query) == [("Mühlenfeld", "district")]
    assert query.sections == {} and query.inherited == []


# --- what the embedder sees -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, about",
    [
        ("Was läuft gut in Lindenhof?", "Was läuft gut?"),
        ("Welche Handlungsbedarfe werden im Kanalviertel genannt?", "Welche Handlungsbedarfe werden genannt?"),
        ("Worauf kommt es in Berg Ost bei der Arbeit an?", "Worauf kommt es bei der Arbeit an?"),
        ("Handlungsbedarf Mühlenfeld", "Handlungsbedarf"),
        ("Wo fehlen Spielplätze für Kinder?", "Wo fehlen Spielplätze für Kinder?"),  # no place: as asked
        ("Lindenhof?", "Lindenhof?"),  # nothing but the name: the name is what it is about
    ],
)
def test_about_is_the_question_without_place_names_and_their_lead_words(tiny, question, about):
    assert tiny.understand(question).about == about


def test_follow_up_about_drops_the_inherited_place_too(tiny):
    query = tiny.understand("Und im Mühlenfeld?", ["Was läuft gut in Lindenhof?"])
    assert query.followup and "Mühlenfeld" in query.text
    assert "Mühlenfeld" not in query.about and "Lindenhof" not in query.about


def heading_passages() -> list:
    """Minutes whose headings stand once, and a procedural part that recurs under every item."""
    def passage(board: str, section: str, line: int) -> Passage:
        return Passage(source="runde.md", doc_title="Bürgerrunde", board_kind="section", board=board,
                       section=section, items=[Item(f"Text zu {section}", line)])

    return [passage("Förderantrag Textilwerkstatt", "Förderantrag Textilwerkstatt", 1),
            passage("Winterdienst am Dorfplatz", "Winterdienst am Dorfplatz", 2),
            passage("Große Themen", "Große Themen", 3),
            passage("TOP 1", "Beschlussfassung", 4), passage("TOP 2", "Beschlussfassung", 5)]


@pytest.mark.parametrize("question, section", [
    ("Was wurde zum Winterdienst am Dorfplatz gesagt?", "Winterdienst am Dorfplatz"),
    ("Wie steht es um den Förderantrag für die Textilwerkstatt?", "Förderantrag Textilwerkstatt"),
    ("Was wurde beschlossen?", "Beschlussfassung"),  # a recurring part, asked for in other words
])
def test_a_heading_that_stands_once_is_named_by_most_of_its_words(question, section):
    assert set(Vocabulary(heading_passages()).find_sections(question)) == {section}


@pytest.mark.parametrize("question", [
    "Welche Forderungen gab es?",  # starts like "Förderantrag"
    "Wer sitzt im Grossen Rat?",  # starts like "Große Themen"
    "Wer räumt im Winter den Schnee?",  # one word of a heading is not the heading
    "Was gibt es am Dorfplatz?",
])
def test_a_heading_is_not_named_by_a_word_that_merely_starts_alike_or_by_one_of_its_words(question):
    assert Vocabulary(heading_passages()).find_sections(question) == {}


def procedure_vocabulary() -> Vocabulary:
    """Minutes whose items have the parts "Beschluss" and "Beschlussfassung", with the corpus' own words."""
    texts = {"Beschluss": "Der Haushalt wird mit 11:4 Stimmen angenommen.",
             "Beschlussfassung": "Dem Antrag wird einstimmig zugestimmt.",
             "Diskussion": "Der Rat ist beschlussfähig. Das Programm und die Programmpunkte werden besprochen."}
    passages = [Passage(source="rat.txt", doc_title="Niederschrift", board_kind="agenda_item", board=f"TOP {n}",
                        section=section, items=[Item(text, n)])
                for n, (section, text) in enumerate([*texts.items(), *texts.items()], start=1)]
    return Vocabulary(passages, LexicalIndex.build([f"{p.section}\n{p.items[0].text}" for p in passages]))


@pytest.mark.parametrize("question, sections", [
    ("War der Rat beschlussfähig?", set()),  # a word made of "Beschluss" is neither part
    ("Ist die Versammlung beschlussfähig gewesen?", set()),
    ("Welche Beschlüsse wurden gefasst?", {"Beschluss"}),
    ("Wie lautet der Beschluss zum Haushalt?", {"Beschluss"}),
])
def test_a_section_is_not_named_by_another_word_made_of_its_name(question, sections):
    assert set(procedure_vocabulary().find_sections(question)) == sections


@pytest.mark.parametrize("question, sections", [
    ("Was kam dabei heraus?", set()),  # "heraus" is only the first part of "Herausforderung"
    ("Was ist die größte Herausforderung?", {"Herausforderung"}),
    ("Wer wurde begrüßt?", {"Begrüßung"}),  # the same word with another ending
])
def test_the_first_part_of_a_section_name_does_not_name_it(question, sections):
    passages = [Passage(source="k.txt", doc_title="Konferenz", board_kind="section", board=f"Tafel {n}",
                        section=section, meta={"prompt": prompt}, items=[Item(f"Eintrag {n}", n)])
                for n, (section, prompt) in enumerate([("Herausforderung", "Was ist das Problem"),
                                                       ("Begrüßung", ""), ("Ergebnis", "")] * 3, start=1)]
    vocabulary = Vocabulary(passages, LexicalIndex.build([f"{p.section}\n{p.items[0].text}" for p in passages]))
    assert set(vocabulary.find_sections(question)) == sections


@pytest.mark.parametrize("question, intent", [
    ("In welchen Stadtteilen fehlen Kita-Plätze?", "where"),
    ("Wo wird Müll erwähnt?", "where"),
    ("In which districts is housing an issue?", "where"),
    ("In welcher Form fand der Austausch statt?", None),  # asks how, not where
    ("In welcher Höhe wurde der Kredit bewilligt?", None),
    ("In which way did they vote?", None),
    # Where a meeting took place, or which place says the most: one fact, not every place that mentions it.
    ("Wo fand die Mitgliederversammlung statt?", None),
    ("Where and when did the association hold its general meeting?", None),
    ("Which topic got the most dots?", None),
    ("Welches Thema bekam die meisten Punkte?", None),
    ("Welche Themen nennen den Dorfladen?", "where"),
    # Where to go for a service, not which places mention it.
    ("Where can I register my car?", None),
    ("Wo kann ich mein Auto ummelden?", None),
    ("wo kann mein kind nach der schule hin", None),
    ("Where can we learn German?", None),
    ("Wo können Leute hinkommen, die beim Helferkreis mitmachen wollen?", None),  # people of a kind
    ("Where can parents get advice?", None),
    ("Wo sollen mehr Kitas entstehen?", "where"),
    ("Where is housing an issue?", "where"),
    ("Where do we need more Kitas?", "where"),
    # Naming the kind of place, it asks which places, whatever the verb.
    ("In welchen Stadtteilen finden Begegnungen statt?", "where"),
    ("In welchen Stadtteilen kann man Deutsch lernen?", "where"),
    # (not after other prepositions: "Für welche Themen wurde abgestimmt?" asks which topics were voted on)
    ("Für welche Themen wurde abgestimmt?", None),
])
def test_in_welcher_asks_where_only_before_a_place(question, intent):
    assert intent_of(question) == intent


@pytest.mark.parametrize("question, intent", [
    ("Beschweren sich die Leute aus Schalke-Nord über Müll?", "yesno"),
    ("Klagen die Teilnehmenden in Heßler über zu wenige Parkplätze?", "yesno"),
    ("Wurde das Budget in Schalke genehmigt?", "yesno"),
    ("Kommt das Thema Müll in Bismarck vor?", "yesno"),
    # (a question for whether a place says something; without one it often wants what is said)
    ("Wünschen sich die Leute mehr Begegnungsorte?", None),
    ("Wissen die Leute in Schalke, wo es Sprachkurse gibt?", None),  # (the question it holds)
    # a noun first is followed by a genitive or a preposition, not by a subject
    ("Lösungen in Schalke?", None),
    ("Probleme der Altstadt?", None),
    ("Handlungsbedarfe Bulmke-Hüllen", None),
    ("Wie geht es weiter?", None),
    # two alternatives to choose from ask which
    ("Fehlen eher große oder eher kleine Wohnungen?", None),
    ("Braucht Schalke eher Kitas oder Grünflächen?", None),
    ("Gibt es Probleme mit Müll oder Dreck?", "yesno"),
    ("Ist Car Sharing auf dem Dorf eher schwieriger oder nicht?", "yesno"),
    ("Reichen die Kitaplätze in Schalke?", None),  # (whether they suffice: no "Ja" for "zu wenig Kitaplätze")
])
def test_a_german_question_opening_with_its_verb_asks_yes_or_no(question, intent):
    at_a_place = any(place in question for place in ("Schalke", "Heßler", "Bismarck"))
    assert intent_of(question, at_a_place) == intent


@pytest.mark.parametrize("question, number", [
    ("Was steht auf der zweiten Altstadt-Tafel?", 2),
    ("Welche Handlungsbedarfe nennt die erste Tafel in Bismarck?", 1),
    ("Was steht auf Tafel 3 von Schalke?", 3),
    ("What does the second board of Schalke say?", 2),
    ("Was steht auf den Tafeln in Schalke?", None),
    ("Wer war die zweite Rednerin?", None),
])
def test_a_board_is_named_by_its_number(question, number):
    assert board_number(question) == number


@pytest.mark.parametrize("question, value", [
    ("Wann beginnt die Sitzung?", "time"),  # a beginning or end: a time, the hour where one is given
    ("Um wie viel Uhr ist Schluss?", "clock"),
    ("What time does it start?", "clock"),
    ("Wann fand die Sitzung statt?", "time"),
    ("Was kostet der Eintritt?", "amount"),
    ("How much is the fee?", "amount"),
    ("Wie viele Mitglieder waren anwesend?", "count"),
    ("Wieviele Stimmen bekam der Antrag?", "count"),
    ("Wie lautet die Telefonnummer des Vereins?", "contact"),
    ("Welche Handlungsbedarfe gibt es in Schalke?", None),
    ("Wer hat die Teilnehmenden am Anfang begrüßt?", None),  # a beginning, but the question asks who
    ("Wann war die Konferenz zu Ende?", "time"),
    ("When did the conference start?", "time"),
    ("Wann findet der Workshop Smartphone aber sicher statt?", "time"),  # "Smartphone" asks for no phone number
    ("What is her phone number?", "contact"),
    ("Welche E-Mail-Adresse hat der Helferkreis?", "contact"),
    ("Wie lautet die E-Mail des Vereins?", "contact"),
    # (e-mail as one of several means spoken of is no address asked for)
    ("Welche Rolle spielen Internet, E-Mail, Apps und soziale Medien in den Vorschlägen?", None),
    ("In welchem Jahr lief das Projekt zum ersten Mal?", "time"),  # a year, too
    ("Seit welchem Jahr gibt es den Verein?", "time"),
    ("In what year was the fund set up?", "time"),
    ("Wie lautet die E-Mail, unter der man das Büro erreicht?", "contact"),  # a comma after it opens a clause
])
def test_the_kind_of_value_a_question_asks_for(question, value):
    assert asked_value(question) == value


def test_the_marked_lines_narrow_to_those_holding_the_value_asked_for():
    passage = Passage(source="p.txt", doc_title="Programm", board_kind="programme", board="Programm", section=None,
                      items=[Item("Begrüßung durch die Bürgermeisterin", 1), Item("18:00 Begrüßung", 2),
                             Item("Austausch in Gruppen", 3), Item("21:00 Abschluss", 4)])
    # Marked by the words the question shares with them: only those with a time stay.
    assert with_the_value(passage, (1, 2), None, "time") == (2,)
    # None of the marked lines holds a time: the line with one closest in meaning.
    assert with_the_value(passage, (3,), np.array([0.1, 0.2, 0.9, 0.5]), "time") == (4,)
    # No line holds one: the marked lines as they were.
    assert with_the_value(passage, (3,), np.array([0.1, 0.2, 0.9, 0.5]), "contact") == (3,)


@pytest.mark.parametrize("question, decision", [
    ("Welche Beschlüsse gab es zum Schulhaus?", True),
    ("Wie viele Stimmen bekam der Antrag?", True),
    ("Wer hat dem Antrag zugestimmt?", True),
    ("Stimmen die Zahlen im Kassenbericht?", False),  # the verb, not the votes
    ("Wer soll das bestimmen?", False),
    ("Worüber wurde am Ende abgestimmt?", True),
    ("Worauf muss das Vorhaben abgestimmt sein?", False),  # coordinated with, not voted on
    ("Sind die Kursangebote aufeinander abgestimmt?", False),
    ("Worüber soll am Ende abgestimmt werden?", True),  # "über": a vote
])
def test_a_question_about_a_decision_or_vote(question, decision):
    assert asks_a_decision(question) is decision


@pytest.mark.parametrize("question, language", [
    ("What is going well in Bulmke-Hüllen?", "en"),  # a place's umlauts do not make it German
    ("Which working groups were formed at the April 2015 citizens' round in Heuweiler?", "en"),
    ("Who was elected to the board of Makerspace Gütersloh?", "en"),
    ("Was sind die Handlungsbedarfe in Schalke?", "de"),
    ("Gibt es in Minden ein Team für das Projekt?", "de"),  # English loanwords in German
    ("Wo ist das Problem mit dem Service in der City?", "de"),
    ("Schalke'de hangi sorunlar var?", "tr"),
])
def test_the_language_of_a_question_is_told_by_its_common_words(question, language):
    assert language_of(question) == language


@pytest.mark.parametrize("question, kind", [
    ("In welchen Stadtteilen werden Ehrenamtliche erwähnt?", "district"),
    ("In welchen Minden-Workshops wird das Programm genannt?", "group"),
    ("In which of the districts is it mentioned?", "district"),
    ("Welche Themen sprechen Kitas an?", "topic"),
    ("Wo ist Segregation ein Thema?", None),  # the idiom: where it is discussed
    ("Wo wird das Thema Müll genannt?", None),
    ("Where are playgrounds a topic?", None),
    ("In which of the four districts is it mentioned?", "district"),
    ("Und wo in den anderen Stadtteilen?", "district"),
    ("Wo fehlen in welchen Stadtteilen Kitas?", "district"),
])
def test_the_kind_of_place_a_where_question_asks_for(question, kind):
    assert place_kind_of(question) == kind


@pytest.mark.parametrize("question, speakers", [
    ("Was fordern die Teilnehmenden in Schalke?", ["Teilnehmenden"]),
    ("Wo wünschen sich die Betroffenen mehr Grün?", ["Betroffenen"]),
    ("Und was sagen eigentlich die Verantwortlichen dazu?", ["Verantwortlichen"]),
    ("Was haben die Mitglieder beschlossen?", ["Mitglieder"]),
    ("Wer sind die Teilnehmenden?", []),  # asks for them
    ("Was sind die Teilnehmenden?", []),
    ("Welche Teilnehmenden waren da?", []),
    ("Was sagen die Empfehlungen?", []),  # a field that says something, no people
    ("Was steht bei den Teilnehmenden?", []),
    ("Wer hat die Betroffenen unterstützt?", ["Betroffenen"]),  # after "wer": the people the verb acts on
    ("Wer sind die Betroffenen?", []),
])
def test_people_as_the_subject_of_a_question(question, speakers):
    assert speakers_of(question) == speakers


@pytest.mark.parametrize("question, kind", [
    ("Welcher Partei gehört Iwan Wüst an?", "party"),
    ("Zu welcher Fraktion gehört sie?", "party"),
    ("Which party does she belong to?", "party"),
    ("Wie stellt sich die SP-Fraktion zur Motion?", None),  # what a party's group says, not which party
    ("Wie viele Parteien sitzen im Rat?", "count"),
])
def test_a_question_for_a_party(question, kind):
    assert asked_value(question) == kind


@pytest.mark.parametrize("question", ["Welche Partizipationsmöglichkeiten gibt es für Jugendliche?",
                                      "Which participants attended the conference?",
                                      "What particular problems exist in Schalke?"])
def test_words_that_only_begin_like_party_ask_for_no_party(question):
    assert asked_value(question) != "party"


def test_a_party_is_written_after_a_name_not_a_date():
    from assistant.evidence import VALUES

    assert not VALUES["party"].search("Grobe Termin-Ideen: Anfang Mai, Mitte Juni und Ende Juli")
    assert not VALUES["party"].search("Ausflug ins Grüne")
    assert VALUES["party"].search("Brunner, Mitte: Ich danke") and VALUES["party"].search("Wüst, EDU: Ich")


def test_a_time_label_needs_its_value():
    from assistant.evidence import fact_lines

    head = Passage(source="p.txt", doc_title="Programm", board_kind="section", board="Programm", section=None,
                   items=[Item("Zeit für erste Gespräche", 3), Item("Zeit: 17:00 bis 20:30 Uhr", 4)])
    assert fact_lines(head, "Wann begann die Konferenz?") == (4,)


def test_a_programmes_entries_answer_how_long_and_who_gave_them_but_minutes_noting_an_hour_do_not():
    from assistant.evidence import fact_lines

    programme = Passage(source="p.txt", doc_title="Konferenz", board_kind="section", board="Programm", section=None,
                        items=[Item("17:00 Ankommen", 3), Item("Zeit für erste Gespräche", 4),
                               Item("17:30 Begrüßung", 5), Item("Erika Muster, Bürgermeisterin", 6),
                               Item("18:00 Gesprächsgruppen", 7), Item("20:30 Abschlussrunde", 8),
                               Item("Moderation:", 9), Item("Max Beispiel, Büro Beispiel", 10)])
    # how long: its first and last hour, not every entry between them
    assert fact_lines(programme, "Wie lange ging die Konferenz?") == (3, 8)
    # who gave the welcome stands on the line below its entry; who moderated below a label standing alone
    assert fact_lines(programme, "Wer hat bei der Konferenz die Begrüßung gemacht?") == (5, 6)
    assert fact_lines(programme, "Wer hat die Konferenz moderiert?") == (9, 10)
    assert fact_lines(programme, "Von wem wurde die Begrüßung gehalten?") == (5, 6)
    # (an amount is no hour of a programme: "3.50 EUR Gebühr")
    fees = Passage(source="p.txt", doc_title="Konferenz", board_kind="section", board="Programm", section=None,
                   items=[Item("17:00 Ankommen", 3), Item("3.50 EUR Gebühr", 4), Item("20:30 Abschlussrunde", 5)])
    assert fact_lines(fees, "Wie lange ging die Konferenz?") == (3, 5)
    minutes = Passage(source="m.pdf", doc_title="Versammlung", board_kind="agenda_item", board="TOP 3", section=None,
                      items=[Item("11:55 Uhr: Felix verlässt die Versammlung.", 1),
                             Item("Die Versammlung wurde um 16:18 Uhr geschlossen.", 2)])
    assert fact_lines(minutes, "Wie lange hat die Versammlung gedauert?") == (2,)


@pytest.mark.parametrize("question, kind", [
    ("Wo fand die Bürgerrunde im April 2015 statt?", "venue"),
    ("Wo wurde die Mitgliederversammlung abgehalten?", "venue"),
    ("An welchem Ort tagte der Grosse Rat?", "venue"),
    ("In welchem Raum tagte der Gemeinderat?", "venue"),
    ("Where will the meeting be held?", "venue"),
    ("Toplantı nerede yapılacak?", "venue"),
    ("Wo soll statt des Parkplatzes ein Spielplatz entstehen?", None),  # "statt des": instead of
    ("Wann und wo findet der Flohmarkt statt?", "time"),
])
def test_a_question_for_where_a_meeting_was_held(question, kind):
    assert asked_value(question) == kind


def test_the_words_asking_for_a_venue_leave_what_the_question_is_about():
    from assistant.understand import ASKED_VALUE
    content = "Wann und wo findet der Flohmarkt statt?"
    for _, asking in ASKED_VALUE:
        content = asking.sub(" ", content)
    assert "Flohmarkt" in content


@pytest.mark.parametrize("line, venue", [
    ("Ort Rathaus Frauenfeld", True), ("Ort: Mehrzweckhalle", True), ("im Klimabüro, Schulstraße 5,", True),
    ("im Sitzungsraum 2", True), ("per Videokonferenz", True),
    ("Ort zum Kennenlernen (3 Personen): Sprachcafé", False), ("Wohnraum fehlt", False), ("Zeitraum 2024", False),
    ("Radweg 2025 fertig", False), ("Am Spielplatz fehlen Schattenplätze", False),
])
def test_a_line_naming_a_venue(line, venue):
    from assistant.evidence import VALUES
    assert bool(VALUES["venue"].search(line)) is venue


@pytest.mark.parametrize("line, when", [
    ("Der Termin für die Bürgerversammlung ist jedoch noch unklar.", True),
    ("Der Termin wird noch bekanntgegeben.", True),
    ("Terminvereinbarung: offene Fragen klären", False),
    ("Die Termine sind offenbar gut besucht", False),
])
def test_a_line_saying_a_date_is_not_fixed_answers_when(line, when):
    from assistant.evidence import VALUES
    assert bool(VALUES["time"].search(line)) is when


def test_a_chair_and_a_minute_taker_are_read_from_a_sentence_but_not_any_leitung():
    from assistant.evidence import fact_lines
    passage = Passage(source="mv.pdf", doc_title="Mitgliederversammlung", board_kind="agenda_item", board="TOP 2",
                      section=None, items=[Item("◦ Sarah übernahm die Versammlungsleitung.", 1),
                                           Item("• Ralf übernimmt die Wahlleitung.", 2),
                                           Item("Die Wasserleitung wurde übernommen.", 3),
                                           Item("• Mit Einverständnis übernahm Michael die Protokollführung.", 4)],
                      meta={})
    assert fact_lines(passage, "Wer hat die Versammlung geleitet?") == (1,)
    assert fact_lines(passage, "Wer führte das Protokoll?") == (4,)


@pytest.mark.parametrize("heading, listing", [
    ("AG Mobil: Status Orangener Punkt, Bericht SAMBA Workshop, Geschwindigkeitsanzeige, Bürgerbus", True),
    ("Kosten 1,5 Mio, 2,3 Mio", False),
    ("Thema 5: Kinder helfen Kinder", False),
])
def test_a_heading_listing_several_matters(heading, listing):
    from assistant.evidence import lists_matters
    assert lists_matters(heading) is listing


@pytest.mark.parametrize("speaker, party", [
    ("Feuerle, GRÜNE", "GRÜNE"),
    ("Sabina Peter Köstli, Die Mitte/EVP", "Die Mitte/EVP"),
    ("Hasler (FDP)", "FDP"),
    ("Meier (SP, ZH)", "SP"),
    ("Regierungsrätin Knill", None),
])
def test_the_party_of_a_speakers_turn(speaker, party):
    passage = Passage(source="rat.pdf", doc_title="Protokoll", board_kind="section", board="Traktandum 1",
                      section="Diskussion", items=[Item("Text", 1)], meta={"speaker": speaker})
    assert speaker_party(passage) == party

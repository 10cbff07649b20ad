"""Questions that name a meeting by its date or number find that meeting's protocol."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from support import write_file

from assistant import Assistant
from assistant.meetings import Meetings
from assistant.retrieve import RankingWeights
from index import Item, Passage

# Two citizens' rounds on the same subjects, told apart only by their dates.
ROUNDS = {
    "runde-maerz.md": ("2021-03-11", "Bürgerrunde Talheim, Protokoll Nr. 7", [
        "# Bürgerrunde Talheim", "", "## Dorfladen", "",
        "Der Dorfladen soll als Genossenschaft weitergeführt werden. Der Umbau beginnt im Juni 2022.", "",
        "## Spielplatz", "", "Am Spielplatz fehlen Schattenplätze und eine Bank.",
    ]),
    "runde-oktober.md": ("2021-10-21", "Bürgerrunde Talheim, Protokoll Nr. 8", [
        "# Bürgerrunde Talheim", "", "## Dorfladen", "",
        "Für den Dorfladen wurde ein Vorstand mit drei Personen gewählt.", "",
        "## Spielplatz", "", "Die neue Schaukel am Spielplatz wurde im Sommer aufgebaut.",
    ]),
}


def assistant_over(tmp_path_factory, name: str, files: dict[str, str]) -> Assistant:
    """The assistant over a corpus of these files, indexed in a temporary folder."""
    base = tmp_path_factory.mktemp(name)
    for file_name, text in files.items():
        write_file(base / "corpus" / file_name, text)
    return Assistant.load(corpus_dir=base / "corpus", index_dir=base / "index")


def passage(source: str, when: str | None, title: str = "Protokoll") -> Passage:
    return Passage(source=source, doc_title=title, board_kind="section", board="Abschnitt 1", section=None,
                   items=[Item("Text", 1)], meta={"date": when})


@pytest.fixture(scope="module")
def meetings() -> Meetings:
    return Meetings([passage("a.md", "2015-04-23"), passage("b.md", "2015-09-24", "Protokoll Nr. 61"),
                     passage("c.md", "2019-02-21"), passage("d.md", None)])


@pytest.mark.parametrize("question, sources", [
    ("Was wurde in der Bürgerrunde am 24. September 2015 besprochen?", {"b.md"}),
    ("Was stand im Protokoll vom 23.04.2015?", {"a.md"}),
    ("Protokoll vom 21.2.19", {"c.md"}),
    ("What was said on September 24, 2015?", {"b.md"}),
    ("Was war 2015 Thema?", {"a.md", "b.md"}),
    ("Was wurde im Februar 2019 beschlossen?", {"c.md"}),
    ("Was steht im Protokoll Nr. 61?", {"b.md"}),
])
def test_a_date_or_number_names_the_meetings_of_that_day_month_or_year(meetings, question, sources):
    named, spans = meetings.named(question)
    assert named == sources
    assert spans


def test_a_where_question_naming_a_kind_of_meeting_lists_only_that_meetings_places(tmp_path_factory):
    rounds = assistant_over(tmp_path_factory, "where-meeting", {
        "gemeinderat-2024-05-05.txt": MINUTES,
        "runde.md": "# Bürgerrunde Talheim\n\n## Agenda\n\n1. Schulhaus und Pausenhof\n2. Dorfladen\n\n"
                    "## Schulhaus\n\nDer Pausenhof am Schulhaus soll grüner werden.\n"})
    answer = rounds.ask("In welchen Tagesordnungspunkten der Bürgerrunde ging es um das Schulhaus?")
    assert answer.passages and {hit.source for hit in answer.passages} == {"runde.md"}, answer.text


def test_minutes_without_districts_still_tell_a_district_they_never_name(council):
    answer = council.ask("Was wurde für den Stadtteil Talheim-Nord beschlossen?")
    assert answer.passages == [] and [name for name, _ in answer.query.unknown_places] == ["Talheim-Nord"]
    assert answer.text == "„Talheim-Nord“ kommt in den Protokollen nicht als Ort vor."  # (no list of none)
    # … but no other word is taken for a place it lacks: "in Buer" may be a town it never needed to name
    assert not council.understand("Was wurde in Talheim zum Schulhaus beschlossen?").unknown_places


@pytest.mark.parametrize("question", ["In welchen Traktanden ging es um das Schulhaus?",
                                      "Unter welchen Tagesordnungspunkten ging es um das Schulhaus?"])
def test_a_where_question_over_agenda_items_lists_the_items_naming_it(council, question):
    # "Traktanden" is the kind of place asked for, not the matter (nor the "Tagesordnung")
    answer = council.ask(question)
    assert answer.mode == "where" and {hit.passage.meta.get("item") for hit in answer.passages} == {"3"}, answer.text


@pytest.mark.parametrize("question", [
    "Was wurde am 1. Mai 2015 besprochen?",  # no meeting that day
    "Was kostet das Projekt 2030?",
    "Wann ist im Mai das Fest?",  # a month alone names nothing by a short word
    "Treffen um 17.30 Uhr",
    "Was steht in Traktandum 6.2?",
])
def test_no_meeting_named_without_a_matching_date(meetings, question):
    assert meetings.named(question)[0] == frozenset()


def assistant_over_protocols(tmp_path_factory, name: str, protocols: dict[str, tuple[str, str, list[str]]]):
    """The assistant over protocols given as file name → (date, title, lines), each with its manifest."""
    files = {}
    for file_name, (when, title, lines) in protocols.items():
        files[file_name] = "\n".join(lines) + "\n"
        files[f"{file_name}.meta.json"] = json.dumps({"title": title, "date": when})
    return assistant_over(tmp_path_factory, name, files)


@pytest.fixture(scope="module")
def rounds(tmp_path_factory) -> Assistant:
    return assistant_over_protocols(tmp_path_factory, "rounds", ROUNDS)


@pytest.mark.parametrize("question, source, line", [
    ("Was wurde in der Bürgerrunde am 21. Oktober 2021 zum Dorfladen gesagt?", "runde-oktober.md", "Vorstand"),
    ("Was wurde in der Bürgerrunde vom 11.03.2021 zum Dorfladen gesagt?", "runde-maerz.md", "Genossenschaft"),
    ("Dorfladen im Protokoll Nr. 8", "runde-oktober.md", "Vorstand"),
])
def test_a_question_naming_a_meeting_is_answered_from_its_protocol(rounds, question, source, line):
    answer = rounds.ask(question)
    assert answer.passages, answer.text
    assert {hit.source for hit in answer.passages} == {source}
    assert line in answer.text


@pytest.mark.parametrize("question, date", [
    ("Was hat die Bürgerrunde im Mai 2022 besprochen?", "Mai 2022"),
    ("What was discussed at the citizens' round on 3 March 2020?", "3 March 2020"),
    ("Was stand im Protokoll vom 12.10.2021 zum Dorfladen?", "12.10.2021"),
])
def test_a_meeting_on_a_date_no_protocol_has_is_said_to_be_missing(rounds, question, date):
    answer = rounds.ask(question)
    assert answer.abstained and answer.passages == []
    assert answer.query.unknown_dates == [date]
    assert f"„{date}“" in answer.lead
    assert "Bürgerrunde Talheim, Protokoll Nr. 7 (11.03.2021)" in answer.text
    assert "Bürgerrunde Talheim, Protokoll Nr. 8 (21.10.2021)" in answer.text


@pytest.mark.parametrize("question", [
    "Was wurde in der Bürgerrunde zum Juni 2022 gesagt?",  # no meeting then, but the protocols speak of it
    "Wo fehlt im Mai 2022 noch Schatten?",  # a date, but no meeting asked about
    "Was hat die Bürgerrunde 2022 besprochen?",  # a year alone says too little
])
def test_a_date_the_protocols_speak_of_or_a_question_not_about_a_meeting_is_not_refused_for_it(rounds, question):
    assert rounds.understand(question).unknown_dates == []


def test_a_follow_up_stays_at_the_meeting_named_before(rounds):
    answer = rounds.ask("Und was war mit dem Spielplatz?", history=["Was wurde am 11.03.2021 zum Dorfladen gesagt?"])
    assert answer.passages
    assert answer.passages[0].source == "runde-maerz.md"
    assert "Schattenplätze" in answer.text


def item_passage(source: str, item: str, label: str) -> Passage:
    return Passage(source=source, doc_title="Protokoll", board_kind="agenda_item", board=label, section=None,
                   items=[Item("Text", 1)], meta={"item": item, "item_label": label})


@pytest.fixture(scope="module")
def agenda() -> Meetings:
    return Meetings([item_passage("rat.pdf", "2", "Traktandum 2"), item_passage("rat.pdf", "6", "Traktandum 6"),
                     item_passage("verein.pdf", "2", "TOP 2"), item_passage("verein.pdf", "6", "TOP 6"),
                     item_passage("verein.pdf", "6.1", "TOP 6.1"), item_passage("verein.pdf", "6.2", "TOP 6.2"),
                     item_passage("verein.pdf", "9", "TOP 9")])


@pytest.mark.parametrize("question, items", [
    ("Was wurde unter Traktandum 6 beschlossen?", {("rat.pdf", "6")}),
    ("Worum ging es in den Traktanden 2?", {("rat.pdf", "2")}),
    ("Was wurde unter TOP 6 beschlossen?", {("verein.pdf", "6"), ("verein.pdf", "6.1"), ("verein.pdf", "6.2")}),
    ("Ergebnis von TOP 6.2", {("verein.pdf", "6.2")}),
    ("Was war Tagesordnungspunkt 9?", {("verein.pdf", "9")}),  # no document calls them so: the number tells
    ("Traktandum 9", set()),  # the parliament has no ninth item; the association's TOP 9 is not it
    ("Was wurde unter TOP 12 besprochen?", set()),
    ("Was kostet das Top-Angebot?", set()),
])
def test_an_agenda_item_is_named_by_its_number_and_the_word_its_minutes_use(agenda, question, items):
    assert agenda.named_items(question)[0] == items


MINUTES = """\
Protokoll der Sitzung des Gemeinderates Talheim vom 5. Mai 2024
Ort: Gemeindesaal Talheim
Beginn: 19:30 Uhr, Ende: 21:15 Uhr

Traktandum 1: Wahl des Stimmbüros
Gewählt werden Frau Brunner und Herr Weber.

Traktandum 2: Budget 2025
Eintreten
Der Gemeindepräsident erläutert das Budget. Die Steuern bleiben gleich.
Beschlussfassung
Das Budget 2025 wird mit 30:5 Stimmen genehmigt.

Traktandum 3: Sanierung des Schulhauses
Diskussion
Müller, SP: Die Fenster im Schulhaus sind undicht, die Heizung ist veraltet.
Beschlussfassung
Der Kredit von 2 Millionen Franken für das Schulhaus wird mit 28:7 Stimmen bewilligt.
"""


@pytest.fixture(scope="module")
def council(tmp_path_factory) -> Assistant:
    return assistant_over(tmp_path_factory, "council", {"gemeinderat-2024-05-05.txt": MINUTES})


@pytest.mark.parametrize("question, line", [
    ("Was wurde unter Traktandum 3 beschlossen?", "Kredit von 2 Millionen Franken"),
    ("Worum ging es bei Traktandum 1?", "Frau Brunner"),
    ("Was wurde zu Tagesordnungspunkt 2 entschieden?", "mit 30:5 Stimmen"),
])
def test_a_question_naming_an_agenda_item_is_answered_from_that_item_only(council, question, line):
    answer = council.ask(question)
    assert answer.passages, answer.text
    number = council.understand(question).items
    assert {(hit.source, str(hit.passage.meta.get("item"))) for hit in answer.passages} <= number
    assert line in answer.text


@pytest.mark.parametrize("question", [
    "Was wurde zur Sanierung des Schulhauses entschieden?",
    "Wie ist die Abstimmung über die Sanierung des Schulhauses ausgegangen?",
    "Ist die Sanierung des Schulhauses durchgekommen?",
    "Kam die Sanierung des Schulhauses mit klarer Mehrheit durch?",
    "What did the council decide on the renovation of the school building?",
])
def test_a_question_about_a_decision_gets_the_decision_first_not_the_debate(council, question):
    answer = council.ask(question)
    assert answer.passages, answer.text
    assert "mit 28:7 Stimmen bewilligt" in answer.passages[0].text


def test_a_yes_or_no_question_about_a_decision_quotes_it_without_a_yes_of_its_own(tmp_path_factory):
    # the decision says whether it passed: no "Ja –" before "… wird abgelehnt"
    rejected = assistant_over(tmp_path_factory, "rejected", {"gemeinderat-2024-05-05.txt": MINUTES.replace(
        "wird mit 28:7 Stimmen bewilligt", "wird mit 7:28 Stimmen abgelehnt")})
    answer = rejected.ask("Ist die Sanierung des Schulhauses durchgekommen?")
    assert "mit 7:28 Stimmen abgelehnt" in answer.passages[0].text
    assert "abgelehnt" in answer.lead and not answer.lead.startswith("Ja")
    assert answer.verdict is None  # nor does the answer say "ja" where the lead does not


@pytest.mark.parametrize("question", ["Wann begann die Sitzung des Gemeinderates?",
                                      "Wo hat der Gemeinderat getagt?"])
def test_a_fact_of_the_meeting_itself_is_answered_from_the_head_of_its_minutes(council, question):
    answer = council.ask(question)
    assert answer.query.meeting_fact == {"gemeinderat-2024-05-05.txt"}  # "Gemeinderat" names the "Gemeinderates"
    assert answer.passages and "Gemeindesaal Talheim" in answer.passages[0].text, answer.text


def test_a_question_for_the_hour_quotes_the_clock_time_not_the_date(council):
    assert "„Beginn: 19:30 Uhr, Ende: 21:15 Uhr“" in council.ask("Wann begann die Sitzung des Gemeinderates?").lead


# Minutes whose head gives its facts as labelled lines without colons, beside a citizens' round that is no "Sitzung".
LABELLED_HEAD = """\
Gemeinderat Talheim
Protokoll Nr. 12 vom 3. Juni 2024
Vorsitz Erika Brandt, Gemeindepräsidentin
Protokoll Jonas Keller, Gemeindeschreiber
Ort Mehrzweckhalle Talheim
Zeit 19.00 Uhr bis 21.40 Uhr

Traktandum 1: Wasserversorgung
Diskussion
Roth, FDP: Die Leitung zum Reservoir muss erneuert werden. Bis zum Ende der Sitzung lag kein Angebot vor.
Beschlussfassung
Der Kredit für die Leitung wird mit 21:3 Stimmen bewilligt.

Traktandum 2: Schulweg
Eltern wünschen eine Ampel an der Hauptstrasse. Der Rat lässt die Kosten prüfen.

Traktandum 3: Verschiedenes
Die nächste Sitzung findet am 1. Juli statt.
"""
ROUND_OF_THE_VILLAGE = """\
---
title: Bürgerrunde Talheim
date: 2024-05-02
---

# Bürgerrunde Talheim

## Moderation

Die Runde leitete Paul Frey vom Quartierverein.

## Spielplatz

Am Spielplatz fehlen Schattenplätze.

## Neubürger

Die Neubürger wünschen sich einen Stammtisch.
"""


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> Assistant:
    return assistant_over(tmp_path_factory, "labelled", {"gemeinderat-2024-06-03.txt": LABELLED_HEAD,
                                                         "buergerrunde-2024-05-02.md": ROUND_OF_THE_VILLAGE})


@pytest.mark.parametrize("question, line", [
    ("Wer hat die Sitzung geleitet?", "Vorsitz Erika Brandt, Gemeindepräsidentin"),
    ("Who chaired the session?", "Vorsitz Erika Brandt, Gemeindepräsidentin"),
    ("Wo fand die Sitzung statt?", "Ort Mehrzweckhalle Talheim"),
    ("Wann begann die Sitzung?", "Zeit 19.00 Uhr bis 21.40 Uhr"),
])
def test_a_kind_of_meeting_named_in_general_is_answered_from_the_labelled_head_of_minutes(labelled, question, line):
    # "die Sitzung" names no title, but the minutes call themselves one (the citizens' round does not): the line of
    # their head with that label answers, not a debate that speaks of "the end of the session"
    answer = labelled.ask(question)
    assert answer.query.meeting_fact == {"gemeinderat-2024-06-03.txt"}
    assert f"„{line}“ [1]" in answer.lead, answer.lead
    assert [item.text for item in answer.passages[0].passage.items
            if item.line in answer.passages[0].highlights] == [line]


def test_the_next_meeting_is_not_the_one_the_minutes_record(labelled):
    answer = labelled.ask("Wann ist die nächste Sitzung?")
    assert not answer.query.meeting_fact
    assert "„Die nächste Sitzung findet am 1. Juli statt.“ [1]" in answer.lead


# A citizens' round listing its agenda under a heading of its own (its parts are not numbered items), beside an
# association whose minutes have numbered items, a pin-board card named like the round, and a round that speaks of
# the association's annual meeting.
AGENDA_ROUND = """\
---
title: Bürgerrunde Talheim April 2024
date: 2024-04-18
---

event: 2024-04-18 19:30:00
location: Rathaus Talheim

## Agenda

1. Begrüßung
2. Bericht des Arbeitskreises Dorfladen
3. Spielplatz am Bach
4. Verschiedenes

## Dorfladen

Der Arbeitskreis berichtet, dass der Dorfladen im Herbst öffnet. Zu Gast war Eva Roth, Vorsitzende der
Genossenschaft Dorfladen Talheim.

## Verschiedenes

Die Mitgliederversammlung des Fördervereins findet am 16.5. statt.
"""
CARDS = """\
# Themensammlung der Bürgerrunde Talheim

## Bürgerrunde

Regelmäßige Treffen der Bürgerrunde im Sommer

## Dorfladen

Einkaufen im Dorf ohne Auto
"""


@pytest.fixture(scope="module")
def agenda_round(tmp_path_factory) -> Assistant:
    return assistant_over(tmp_path_factory, "agenda-round", {
        "buergerrunde-2024-04-18.md": AGENDA_ROUND, "themensammlung-talheim.md": CARDS,
        "mitgliederversammlung-2025-03-08.md": GOALS})


@pytest.mark.parametrize("question", [
    "Was war der zweite Tagesordnungspunkt der Bürgerrunde am 18. April 2024?",
    "Was war TOP 2 der Bürgerrunde vom 18.04.2024?",
    "What was the second item on the agenda of the Bürgerrunde on April 18, 2024?",
])
def test_an_agenda_entry_named_by_its_place_is_the_entry_of_the_agenda_as_listed(agenda_round, question):
    answer = agenda_round.ask(question)
    first = answer.passages[0]
    assert first.passage.section == "Agenda", answer.text
    assert [item.text for item in first.passage.items if item.line in first.highlights] == [
        "2. Bericht des Arbeitskreises Dorfladen"]
    assert "„2. Bericht des Arbeitskreises Dorfladen“ [1]" in answer.lead, answer.lead


@pytest.mark.parametrize("question", ["Worum ging es bei Punkt 4 der Tagesordnung der Bürgerrunde am 18. April 2024?",
                                      "Was kam beim vierten Tagesordnungspunkt der Bürgerrunde vom 18.04.2024 heraus?"])
def test_an_agenda_entry_by_its_place_brings_the_part_headed_with_its_title(agenda_round, question):
    # "4. Verschiedenes" of the agenda as listed is what the part "## Verschiedenes" records
    answer = agenda_round.ask(question)
    sections = [hit.passage.section for hit in answer.passages]
    assert sections[0] == "Agenda" and "Verschiedenes" in sections, answer.text
    # (an entry whose title heads no part brings none: "2. Bericht des Arbeitskreises Dorfladen")
    assert agenda_round.understand("Was war Punkt 2 der Tagesordnung der Bürgerrunde am 18.04.2024?").sections == {}


def test_an_agenda_entry_is_headed_by_its_title_with_its_details_or_most_of_its_words(tmp_path_factory):
    # the heading repeats the entry with its parentheses, or names most of its words in a shorter form
    round_text = ("---\ntitle: Bürgerrunde Talheim Juni 2024\ndate: 2024-06-20\n---\n\n## Agenda\n\n"
                  "1. Begrüßung\n2. Spielplatz am Bach (Bericht der Elterninitiative)\n"
                  "3. Mobilität: Stand Bürgerbus, Bericht Radweg, Gespräch mit dem Landratsamt\n4. Verschiedenes\n\n"
                  "## Spielplatz am Bach (Bericht der Elterninitiative)\n\nDie Schaukel wird im Juli repariert.\n\n"
                  "## AG Verkehr: Stand Bürgerbus, Bericht Radweg, Gespräch Landratsamt\n\n"
                  "Der Bürgerbus fährt ab Herbst zweimal die Woche.\n")
    talheim = assistant_over(tmp_path_factory, "entries", {"buergerrunde-2024-06-20.md": round_text})
    for number, line in (("zweiten", "Die Schaukel wird im Juli repariert."),
                         ("dritten", "Der Bürgerbus fährt ab Herbst zweimal die Woche.")):
        answer = talheim.ask(f"Was wurde zum {number} Tagesordnungspunkt der Bürgerrunde vom 20.06.2024 gesagt?")
        assert any(line in hit.passage.text for hit in answer.passages), answer.text


def test_an_agenda_entry_by_its_place_in_a_follow_up_is_of_the_meeting_asked_about_before(agenda_round):
    # (the association's minutes have a TOP 2 too)
    answer = agenda_round.ask("Was war der zweite Tagesordnungspunkt?",
                              history=["Wann war die Bürgerrunde am 18. April 2024?"])
    assert answer.passages[0].passage.section == "Agenda", answer.text
    assert "„2. Bericht des Arbeitskreises Dorfladen“ [1]" in answer.lead, answer.lead


def test_an_agenda_entry_by_its_place_in_minutes_with_items_is_that_item(agenda_round):
    # the association's minutes number their items: its second is TOP 2, wherever its agenda is not listed
    answer = agenda_round.ask("Worum ging es beim zweiten TOP der Mitgliederversammlung?")
    assert answer.query.items == {("mitgliederversammlung-2025-03-08.md", "2")}
    assert answer.passages and all(hit.passage.meta.get("item") == "2" for hit in answer.passages), answer.text


def test_at_which_evening_asks_when_and_a_card_named_like_the_meeting_is_no_section_asked_for(agenda_round):
    answer = agenda_round.ask("An welchem Abend und um welche Uhrzeit war die Vorsitzende der Genossenschaft bei der "
                              "Bürgerrunde zu Gast?")
    assert answer.query.intent is None and not answer.query.sections, answer.query
    assert answer.passages[0].source == "buergerrunde-2024-04-18.md", answer.text
    assert "19:30" in answer.text


@pytest.mark.parametrize("question", ["Wann begann laut Protokoll die Bürgerrunde?",
                                      "Wann begann die Versammlung der Bürgerrunde?"])
def test_a_word_for_any_protocol_or_part_of_a_title_names_no_other_meeting(agenda_round, question):
    # ("Protokoll" and "Versammlung" are in the association's title too; only whole, own words of titles tell two
    # meetings apart)
    answer = agenda_round.ask(question)
    assert answer.query.meeting_fact == {"buergerrunde-2024-04-18.md"}, answer.query
    assert "19:30" in answer.lead, answer.text


def test_an_agenda_entry_by_its_place_of_a_meeting_named_by_its_kind(tmp_path_factory):
    # the council's minutes have a fifth item too
    club = GOALS + "\n## TOP 4 Kasse\n\nDie Kasse wurde geprüft.\n\n## TOP 5 Wahlen\n\nAnna wurde wiedergewählt.\n"
    both = assistant_over(tmp_path_factory, "by-kind", {"mitgliederversammlung-2025-03-08.md": club,
                                                        "gemeinderat-2024-06-09.txt": DEBATED_MOTION})
    answer = both.ask("Worum ging es im fünften Tagesordnungspunkt der Mitgliederversammlung?")
    assert answer.query.items == {("mitgliederversammlung-2025-03-08.md", "5")}
    assert answer.passages[0].source == "mitgliederversammlung-2025-03-08.md", answer.text


def test_a_fact_of_the_meeting_named_like_a_card_is_the_meetings(tmp_path_factory):
    # two rounds (no file word names one of them) and the deck with its card "Bürgerrunde"
    autumn = AGENDA_ROUND.replace("April 2024", "September 2024").replace("2024-04-18", "2024-09-12").replace(
        "19:30", "20:00")
    rounds = assistant_over(tmp_path_factory, "two-rounds", {
        "buergerrunde-2024-04-18.md": AGENDA_ROUND, "buergerrunde-2024-09-12.md": autumn,
        "themensammlung-talheim.md": CARDS})
    answer = rounds.ask("Wann begann die Bürgerrunde?")
    assert not answer.query.sections and answer.query.meeting_fact, answer.query
    assert "19:30" in answer.lead or "20:00" in answer.lead, answer.text


def test_a_card_named_like_the_meeting_is_still_the_section_of_what_is_said_about_it(agenda_round):
    # (not at the meeting, but about it: the card "Bürgerrunde" of the deck)
    vocabulary = agenda_round.retriever.vocabulary
    assert "Bürgerrunde" in vocabulary.find_sections("Was steht auf den Karten zur Bürgerrunde?")
    assert "Bürgerrunde" not in vocabulary.find_sections("Wer war bei der Bürgerrunde zu Gast?")


def test_a_meeting_named_by_words_of_different_documents_is_one_a_record_speaks_of(agenda_round):
    # "die Mitgliederversammlung der Bürgerrunde" is neither the association's minutes nor the round itself
    answer = agenda_round.ask("Wann ist die Mitgliederversammlung des Fördervereins der Bürgerrunde?")
    assert not answer.query.meeting_fact
    assert "„Die Mitgliederversammlung des Fördervereins findet am 16.5. statt.“ [1]" in answer.lead, answer.text


VILLAGE_ROUND = """\
---
title: Bürgerrunde Talheim Februar 2019
date: 2019-02-21
---

# Bürgerrunde Talheim

## Neubürger in Talheim

Der Helferkreis für Neubürger in Talheim trifft sich jeden Monat im Rathaus Talheim.

## Flohmarkt

Der Flohmarkt wird dieses Jahr ausfallen. Im nächsten Jahr gibt es wieder einen.

## Dorfladen

Der Dorfladen in Talheim soll eine Genossenschaft werden.
"""


def test_a_yes_no_question_about_what_a_heading_names_quotes_that_section(tmp_path_factory):
    village = assistant_over(tmp_path_factory, "village", {"runde-2019.md": VILLAGE_ROUND})
    answer = village.ask("Gibt es in Talheim einen Flohmarkt?")
    assert answer.passages and answer.passages[0].passage.section == "Flohmarkt", answer.text
    assert "„Der Flohmarkt wird dieses Jahr ausfallen." in answer.lead


def test_a_follow_up_stays_at_the_agenda_item(council):
    answer = council.ask("Wer hat dazu gesprochen?", history=["Was wurde unter Traktandum 3 beschlossen?"])
    assert answer.passages
    assert {str(hit.passage.meta.get("item")) for hit in answer.passages} == {"3"}


@pytest.mark.parametrize("question", ["Was wurde in der Bürgerrunde am 21. Oktober 2021 besprochen?",
                                      "Worum ging es am 21.10.2021?"])
def test_a_question_for_a_meeting_as_a_whole_gets_its_protocol_from_the_beginning(rounds, question):
    answer = rounds.ask(question)
    assert answer.passages and {hit.source for hit in answer.passages} == {"runde-oktober.md"}
    lines = [hit.lines for hit in answer.passages]
    assert lines == sorted(lines)  # in the order of the protocol
    assert "Vorstand" in answer.text and "Schaukel" in answer.text  # both of its subjects


AGM = """\
# Protokoll der Mitgliederversammlung des Vereins Sonnenhof

## Begrüßung

Die Vorsitzende begrüßt alle Anwesenden. Das Hoffest wird auch von Gästen gern besucht.

## Bericht

Die Sitzung war gut besucht: 40 Leute kamen.
Der Garten des Sonnenhof wurde neu angelegt.
"""


@pytest.fixture(scope="module")
def agm(tmp_path_factory) -> Assistant:
    return assistant_over(tmp_path_factory, "agm", {"mv.md": AGM})


def test_a_yes_no_question_is_about_its_matter_not_the_meeting_its_title_names(agm):
    # "Mitgliederversammlung" and "Sonnenhof" name the meeting (they are its title); "besucht" is what is asked.
    answer = agm.ask("War die Mitgliederversammlung des Sonnenhof gut besucht?")
    assert answer.verdict == "ja"
    assert "gut besucht" in answer.lead
    # Minutes are no board on a wall: the lead says the protocol says so
    assert answer.lead.startswith("Ja – im Protokoll steht:")


# --- a document named by its file name -------------------------------------------------------------------
def test_a_word_only_one_file_name_has_names_that_document():
    passages = [passage("Themensammlung_vom_23_04_2015.pdf", "2015-04-23", "Am 23.04.2015 priorisierte Themen"),
                passage("2015-04-23-buergerrunde.md", "2015-04-23", "Bürgerrunde April 2015"),
                passage("2015-09-24-buergerrunde.md", "2015-09-24", "Bürgerrunde September 2015"),
                passage("Protokoll Mitgliederversammlung.pdf", "2025-02-22", "Protokoll der Versammlung")]
    meetings = Meetings(passages)
    named = meetings.named("Wie viele Punkte bekam der Bürgerbus in der Themensammlung?")
    assert named == (frozenset({"Themensammlung_vom_23_04_2015.pdf"}), [(44, 58)])
    assert meetings.named("themensamlung dorfladen punkte")[0] == {"Themensammlung_vom_23_04_2015.pdf"}  # a typo
    # Not a word of several file names, nor one for a protocol as such, nor one its title has already.
    assert meetings.named("Was sagt die Bürgerrunde?")[0] == frozenset()
    assert meetings.named("Was steht im Protokoll?")[0] == frozenset()
    assert "mitgliederversammlung" in meetings.file_words
    assert "versammlung" not in meetings.file_words and "priorisierte" not in meetings.file_words


def test_a_question_naming_a_file_is_answered_from_that_document(tmp_path_factory):
    files = {"themensammlung.md": "# Karten\n\n- Bürgerbus 3 Punkte\n- Dorfladen 1 Punkt\n",
             "bericht.md": "# Bericht\n\n- Der Bürgerbus fährt bald öfter.\n- Der Dorfladen sucht Helfer.\n"}
    assistant = assistant_over(tmp_path_factory, "files", files)
    answer = assistant.ask("Wie viele Punkte bekam der Bürgerbus in der Themensammlung?")
    assert {hit.source for hit in answer.passages} == {"themensammlung.md"}


# --- the lines that decide ----------------------------------------------------------------------------------
ELECTION = """\
Protokoll der Mitgliederversammlung des Vereins Sonnenhof vom 22.02.2025

TOP 1 Begrüßung
Die Vorsitzende begrüßt alle Anwesenden.

TOP 2 Wahl des Vorstands
Ralf übernimmt die Wahlleitung und erklärt das Verfahren für den Vorstand.
- 9 Stimmen: Ja
- 1 Stimme: Enthaltung
Anna, Ben und Carla nahmen die Wahl an.
Der neue Vorstand dankt für das Vertrauen.

TOP 3 Kassenbericht
Die Kasse wurde geprüft und ist in Ordnung.

TOP 4 Verschiedenes
Das Hoffest findet im Juni statt.
"""


@pytest.mark.parametrize("question, line", [
    ("Wer wurde in den Vorstand gewählt?", "Anna, Ben und Carla nahmen die Wahl an."),
    ("Mit wie vielen Stimmen wurde der Vorstand gewählt?", "- 9 Stimmen: Ja"),
])
def test_a_question_about_a_decision_marks_the_lines_that_decide(tmp_path_factory, question, line):
    # Not the lines that only name the matter ("Wahlleitung … für den Vorstand", "Der neue Vorstand dankt").
    assistant = assistant_over(tmp_path_factory, "election", {"mv-2025.txt": ELECTION})
    answer = assistant.ask(question)
    first = answer.passages[0]
    marked = [item.text for item in first.passage.items if item.line in first.highlights]
    assert marked and marked[0] == line, marked
    assert not any("Vorstand" in text for text in marked)
    assert line.lstrip("- ") in answer.lead


def test_a_follow_up_asking_for_a_tally_is_answered_for_what_the_earlier_question_asked_about(tmp_path_factory):
    # "gewählt" is no word of the item; the earlier question's "Kassenprüfer" and "Wahl" are
    minutes = ELECTION.replace("TOP 3 Kassenbericht\nDie Kasse wurde geprüft und ist in Ordnung.\n",
                               "TOP 3 Wahl einer Kassenprüferin\nAls Kassenprüferin stellte sich Dora K. zur Wahl.\n"
                               "- 8 Stimmen: Dora K.\n- 2 Stimmen: Enthaltung\n"
                               "Kassenbericht: Endbestand zum 31.12.2024: 4.125,17 €\n- davon Rücklagen: 1.000 €\n")
    assistant = assistant_over(tmp_path_factory, "auditor", {"mv-2025.txt": minutes})
    answer = assistant.ask("Und mit wie vielen Stimmen wurde sie gewählt?",
                           ["Wer hat sich als Kassenprüferin zur Wahl gestellt?"])
    assert not answer.abstained and "8 Stimmen: Dora K." in answer.lead, answer.text
    # (but a follow-up naming what a line speaks of is about that line, not a value of the earlier question's)
    reserves = assistant.ask("Wie viel davon sind Rücklagen?", ["Wie hoch war der Endbestand 2024?"])
    assert "Endbestand" not in reserves.lead, reserves.lead


def test_a_meeting_named_by_its_date_is_not_read_as_another_documents_heading(tmp_path_factory):
    # "Bürgerrunde" is the meeting of the round's minutes and a heading of the card deck: the question naming the
    # round by its date asks about the round, not the cards' "Bürgerrunde" section
    files = {
        "runde.md": "## Dorfladen\n\nFür den Dorfladen wurde ein Vorstand gewählt.\n\n## Spielplatz\n\n"
                    "Die Schaukel wurde aufgebaut.\n",
        "runde.md.meta.json": json.dumps({"title": "Bürgerrunde Talheim", "date": "2021-10-21"}),
        "karten.md": "## Bürgerrunde\n\nregelmäßige Treffen im Gemeindehaus\n\n## Verkehr\n\nTempo 30 im Ortskern\n",
        "karten.md.meta.json": json.dumps({"title": "Themensammlung", "date": "2021-05-01"}),
    }
    assistant = assistant_over(tmp_path_factory, "headed", files)
    question = "Was wurde in der Bürgerrunde am 21. Oktober 2021 besprochen?"
    assert "Bürgerrunde" not in assistant.understand(question).sections
    assert {hit.source for hit in assistant.ask(question).passages} == {"runde.md"}
    # without a date, the heading is named as before
    assert "Bürgerrunde" in assistant.understand("Was steht unter Bürgerrunde?").sections


@pytest.mark.parametrize("question", ["Welcher Partei gehört Müller an?", "Which party does Müller belong to?"])
def test_a_speakers_party_is_read_from_their_turn(council, question):
    # minutes write the party after the speaker's name at each turn
    answer = council.ask(question)
    assert answer.lead.endswith("„Müller, SP: Die Fenster im Schulhaus sind undicht, die Heizung ist veraltet.“ [1].")


@pytest.mark.parametrize("question", ["Welcher Partei gehört er an?", "Which party is he in?"])
def test_a_follow_up_saying_he_or_she_is_about_the_person_named_before(council, question):
    history = ["Was hat Müller in der Sitzung gesagt?"]
    assert council.understand(question, history=history).followup
    answer = council.ask(question, history=history)
    assert answer.lead.endswith("„Müller, SP: Die Fenster im Schulhaus sind undicht, die Heizung ist veraltet.“ [1].")


def test_the_polite_you_points_at_nobody_named_before(council):
    history = ["Was hat Müller in der Sitzung gesagt?"]
    assert not council.understand("Können Sie mir sagen, was die Gemeinde zur Schule plant?", history=history).followup


def test_a_party_the_minutes_do_not_give_is_not_answered_with_another_speakers(council):
    # Frau Brunner is elected, no party is written with her name: the SP of another speaker is no answer
    answer = council.ask("Welcher Partei gehört Frau Brunner an?")
    assert answer.abstained and answer.lead.startswith("Eine Partei dazu nennen die Protokolle nicht.")
    assert "SP" not in answer.lead


def test_a_value_counts_only_in_a_line_about_what_is_asked(labelled, council):
    # the hours of the session in the head are no opening hours of the hall it met in …
    hours = labelled.ask("Zu welchen Uhrzeiten ist die Mehrzweckhalle geöffnet?")
    assert hours.abstained and hours.lead.startswith("Eine Uhrzeit dazu nennen die Protokolle nicht."), hours.lead
    # … while the session's own time is a fact of the meeting, and a credit for the school an amount about it
    assert "„Zeit 19.00 Uhr bis 21.40 Uhr“" in labelled.ask("Um wie viel Uhr begann die Sitzung?").lead
    credit = council.ask("Wie hoch ist der Kredit für das Schulhaus?")
    assert not credit.abstained and "2 Millionen Franken" in credit.lead



def test_what_review_found_about_meetings_parties_and_headings(labelled):
    # "die nächste ordentliche Sitzung" is another meeting, with a word between
    assert not labelled.understand("Wann ist die nächste ordentliche Sitzung?").meeting_fact
    # a compound of a kind of meeting ("Jugendrat", "Bauphase") is no meeting of the protocols
    assert not labelled.understand("Wann tagt der Jugendrat?").meeting_fact
    assert not labelled.understand("Wann beginnt die Bauphase?").meeting_fact
    # a speaker is named by the surname before the comma
    assert "„Roth, FDP: Die Leitung zum Reservoir" in labelled.ask("Welcher Partei gehört Erika Roth an?").lead
    # a heading is what a question names, even as its subject ("die Neubürger")
    assert "Neubürger" in labelled.understand("Was wünschen sich die Neubürger?").sections


VILLAGE_MOBILITY = """\
---
title: Bürgerrunde März 2020
date: 2020-03-05
---

# Bürgerrunde

## AG Mobil: Bericht Workshop, Geschwindigkeitsanzeige, Bürgerbus

Anna Keller berichtet vom Workshop am 7.2.20 in Talheim.

Die Geschwindigkeitsanzeige steht wieder am Ortseingang von Talheim.

Für einen Bürgerbus fehlen noch Fahrer.

## Dorfladen

Geöffnet montags bis samstags ab 8:00 Uhr.

## Helferkreis

Der Helferkreis trifft sich montags von 17:00 bis 18:30 Uhr im Rathaus Talheim.

## Dorffest

Das Dorffest soll wieder stattfinden. Der Termin steht noch nicht fest.
"""


def test_a_value_is_not_taken_from_a_line_that_only_names_the_village_or_under_a_heading_listing_matters(
        tmp_path_factory):
    village = assistant_over(tmp_path_factory, "mobility", {"buergerrunde-2020-03-05.md": VILLAGE_MOBILITY})
    # the workshop's date is under a heading that also lists the bus, and its line names only the village the
    # protocol is about: no time of the bus
    bus = village.ask("Wann fährt der Bürgerbus in Talheim?")
    assert bus.abstained and bus.lead.startswith("Einen Zeitpunkt dazu nennen die Protokolle nicht."), bus.lead
    # a line that speaks of the matter itself, or a heading of one matter, still gives its value
    helpers = village.ask("Wann trifft sich der Helferkreis in Talheim?")
    assert not helpers.abstained and "17:00 bis 18:30 Uhr" in helpers.lead, helpers.lead
    shop = village.ask("Wann öffnet der Dorfladen in Talheim?")
    assert not shop.abstained and "ab 8:00 Uhr" in shop.lead, shop.lead
    # a line saying the date is not fixed yet answers "wann" as well
    fair = village.ask("Wann ist das Dorffest?")
    assert not fair.abstained and "Der Termin steht noch nicht fest." in fair.lead, fair.lead


def test_a_heading_listing_matters_counts_when_the_question_names_several_of_them(tmp_path_factory):
    poll = assistant_over(tmp_path_factory, "poll", {"buergerrunde-2020-06-04.md": (
        "---\ntitle: Bürgerrunde Juni 2020\ndate: 2020-06-04\n---\n\n# Bürgerrunde\n\n"
        "## Umfrage: Carsharing, Bürgerbus, Mitfahrbank\n\n- 6 Stimmen: Ja, ich mache mit.\n- 3 Stimmen: Nein.\n\n"
        "## Dorfladen\n\nDer Dorfladen sucht noch Helfer für den Samstag.\n")})
    # the poll's heading is what the question asks about, though its lines do not repeat it
    joined = poll.ask("Wie viele Leute wollen bei Carsharing, Bürgerbus und Mitfahrbank mitmachen?")
    assert not joined.abstained and "6 Stimmen: Ja, ich mache mit." in joined.lead, joined.lead
    # one of the listed matters alone is not what the lines below the heading count
    alone = poll.ask("Wie viele Leute wollen beim Bürgerbus mitmachen?")
    assert alone.abstained and alone.lead.startswith("Eine Anzahl dazu nennen die Protokolle nicht."), alone.lead


def test_where_a_meeting_was_held_is_answered_with_a_venue_or_said_to_be_missing(labelled):
    # the minutes' head names the hall; the citizens' round names none, so it is not answered with a line of it
    for question in ("In welchem Raum tagte der Gemeinderat?", "Where was the session held?"):
        answer = labelled.ask(question)
        assert not answer.abstained and "„Ort Mehrzweckhalle Talheim“ [1]" in answer.lead, (question, answer.lead)
    round_ = labelled.ask("In welchem Gebäude fand die Bürgerrunde Talheim statt?")
    assert round_.query.meeting_fact == {"buergerrunde-2024-05-02.md"}
    assert round_.abstained
    assert round_.lead.startswith("Einen Ort (Gebäude, Raum, Adresse) dazu nennen die Protokolle nicht."), round_.lead
    # where something other than a meeting takes place asks no venue: a section naming it answers
    assert not labelled.ask("Wo findet der Stammtisch der Neubürger statt?").abstained


def test_a_long_word_of_a_title_misspelled_still_names_that_meeting(labelled):
    # "gemeinderrat" is "Gemeinderat" of the title, one letter off: the meeting's head answers its time
    answer = labelled.ask("gemeinderrat beginn uhrzeit")
    assert answer.query.meeting_fact == {"gemeinderat-2024-06-03.txt"}
    assert "„Zeit 19.00 Uhr bis 21.40 Uhr“ [1]" in answer.lead, answer.lead
    # a short word or one less alike names nothing
    assert not labelled.understand("gemeindehaus beginn uhrzeit").meeting_fact



@pytest.fixture(scope="module")
def parliament(tmp_path_factory) -> Assistant:
    # minutes titled by a compound whose first part is the body that meets ("Grossrat|s|protokoll")
    head = LABELLED_HEAD.replace("Gemeinderat Talheim", "Grosser Rat").replace("Der Rat lässt", "Der Grosse Rat lässt")
    return assistant_over(tmp_path_factory, "parliament", {
        "grossrat-2024-06-03.txt": head, "grossrat-2024-06-03.txt.meta.json": json.dumps(
            {"title": "Grossratsprotokoll", "date": "2024-06-03"}),
        "buergerrunde-2024-05-02.md": ROUND_OF_THE_VILLAGE})


@pytest.mark.parametrize("question, line", [
    ("Wann tagte der Grosse Rat?", "Zeit 19.00 Uhr bis 21.40 Uhr"),
    ("Wo hat der Grosse Rat getagt?", "Ort Mehrzweckhalle Talheim"),
    ("Wer leitete die Sitzung des Grossen Rates?", "Vorsitz Erika Brandt, Gemeindepräsidentin"),
    ("Wann war die Grossratssitzung?", "Zeit 19.00 Uhr bis 21.40 Uhr"),
])
def test_the_body_that_meets_names_the_minutes_its_title_compounds(parliament, question, line):
    # "der Grosse Rat" is no word of the title, but the first part of "Grossratsprotokoll"
    answer = parliament.ask(question)
    assert answer.query.meeting_fact == {"grossrat-2024-06-03.txt"}, question
    assert f"„{line}“ [1]" in answer.lead, answer.lead


@pytest.mark.parametrize("question", ["Welchen Rat gab Paul Frey?", "Wann ist die nächste Sitzung des Grossen Rates?",
                                      # the body, not a meeting of it: what was said in it
                                      "Wo im Grossen Rat wurde über den Dorfladen gesprochen?"])
def test_a_council_in_general_or_its_next_meeting_names_no_minutes(parliament, question):
    assert not parliament.understand(question).meeting_fact


ASSOCIATION = """\
Protokoll der Mitgliederversammlung des Kleingartenvereins Talheim e.V.
Es versammelten sich am 3. März 2024 um 15:00 Uhr im Vereinsheim 21 Mitglieder.

TOP 1 Begrüßung
Die Vorsitzende begrüßte die Anwesenden und stellte die Tagesordnung vor.

TOP 2 Formalitäten
• Es wurde Petra Lang zur Versammlungsleitung vorgeschlagen.
◦ Petra Lang übernahm die Versammlungsleitung.
• Mit Einverständnis übernahm Jonas Weber die Protokollführung.

TOP 3 Kassenbericht
Der Kassenstand beträgt 1.234 Euro. Die Kasse wurde geprüft.

TOP 4 Gartenfest
Das Gartenfest findet im Juni statt. Helfer melden sich beim Vorstand.
"""


def test_who_led_a_meeting_or_took_its_minutes_is_read_where_the_minutes_say_it(tmp_path_factory):
    # the association's minutes name no chair in their head: the item where someone took it over answers
    association = assistant_over(tmp_path_factory, "association", {"mv-2024-03-03.txt": ASSOCIATION})
    chair = association.ask("Wer leitete die Mitgliederversammlung?")
    assert chair.query.meeting_fact and "„Petra Lang übernahm die Versammlungsleitung.“ [1]" in chair.lead, chair.lead
    minutes = association.ask("Wer führte bei der Mitgliederversammlung das Protokoll?")
    assert minutes.query.meeting_fact == {"mv-2024-03-03.txt"}
    assert "„Mit Einverständnis übernahm Jonas Weber die Protokollführung.“ [1]" in minutes.lead, minutes.lead


def test_where_a_meeting_was_comes_from_its_front_matter_and_is_quoted_alone(tmp_path_factory):
    text = ("---\ntitle: Bürgerrunde Juli 2017\nevent: 2017-07-06 19:30:00\nlocation: Schulungsraum, Rathaus\n"
            "image: runde.png\n---\n\n* Teilnehmer: ca. 12 Bürger\n* Moderation: Eva Roth\n\n### Dorfladen\n\n"
            "Der Dorfladen sucht weitere Genossen.\n")
    assistant = assistant_over(tmp_path_factory, "venue", {"runde.md": text})
    answer = assistant.ask("Wo fand die Bürgerrunde im Juli 2017 statt?")
    assert answer.passages and answer.passages[0].highlights == (4,)
    lead = answer.text.split("\n")[0]
    assert "„location: Schulungsraum, Rathaus“ [1]" in lead and "event" not in lead and "image" not in answer.text


def test_a_meeting_named_by_what_was_said_there_answers_when_and_where_it_met(tmp_path_factory):
    def meeting(title: str, event: str, place: str, heading: str, line: str) -> str:
        return (f"---\ntitle: {title}\nevent: {event}\nlocation: {place}\n---\n\n* Moderation: Eva Roth\n\n"
                f"### {heading}\n\n{line}\n")
    rounds = assistant_over(tmp_path_factory, "met", {
        "juli.md": meeting("Bürgerrunde Juli 2017", "2017-07-06 19:30:00", "Schulungsraum, Rathaus", "Vortrag",
                           "Ein Referent von Stadtmobil erklärt, wie Car Sharing im Dorf funktioniert."),
        "mai.md": meeting("Bürgerrunde Mai 2018", "2018-05-03 19:30:00", "Gasthaus Rebstock", "Dorfladen",
                          "Der Dorfladen sucht weitere Genossen. Mit dem Ortsbaumeister traf man sich am Laden."),
    })
    where = rounds.ask("Wo im Rathaus traf man sich für den Abend mit dem Referenten von Stadtmobil?")
    assert where.query.meeting_fact == {"juli.md"} and where.passages[0].source == "juli.md"
    assert "„location: Schulungsraum, Rathaus“ [1]" in where.text.split("\n")[0]
    when = rounds.ask("Wann fand die Bürgerrunde mit dem Dorfladen statt?")
    assert when.query.meeting_fact == {"mai.md"} and when.passages[0].source == "mai.md"
    assert "„event: 2018-05-03 19:30:00“ [1]" in when.text.split("\n")[0]  # the day it took place
    # what was said there, asked when it takes place, is not the meeting ("Wann findet der Vortrag statt?" is asked
    # of the talk, and where the minutes name no time for it, so said)
    assert not rounds.understand("Wann findet die Exkursion zum Dorfladen statt?").meeting_fact
    # nor is the next meeting of its kind, one that will take place, or an appointment the minutes speak of
    for question in ("Wann findet die nächste Bürgerrunde mit dem Dorfladen statt?",
                     "Wann findet die Bürgerrunde mit dem Dorfladen statt?",
                     "Wann traf man sich mit dem Ortsbaumeister?"):
        assert not rounds.understand(question).meeting_fact, question


def test_how_to_register_is_answered_from_the_line_that_says_so(tmp_path_factory):
    text = ("# Bürgerrunde Talheim\n\n## Handykurs\n\nDer Handykurs für Senioren beginnt im Mai im Rathaus.\n\n"
            "Die Plätze sind begrenzt, eine Anmeldung bei Frau Roth ist notwendig.\n\n## Spielplatz\n\n"
            "Am Spielplatz fehlt eine Bank.\n")
    assistant = assistant_over(tmp_path_factory, "register", {"runde.md": text})
    answer = assistant.ask("Wie melde ich mich für den Handykurs an?")
    assert not answer.abstained and "Anmeldung bei Frau Roth" in answer.lead
    assert assistant.ask("Wie beantrage ich einen Platz am Spielplatz?").abstained



@pytest.fixture(scope="module")
def headed_round(tmp_path_factory) -> Assistant:
    # A round's Markdown notes open with its facts as bullets; a card deck of the same day has a "Bürgerrunde" card.
    files = {
        "runde.md": "---\ntitle: Bürgerrunde Oktober\nevent: 2021-10-21 19:30:00\n---\n\n"
                    "* Teilnehmer: ca. 25 Talheimer\n* Moderation: Eva Roth\n* Dauer: 19:30 - ca. 21:45\n\n"
                    "### Dorfladen\n\nFür den Dorfladen wurde ein Vorstand mit drei Personen gewählt.\n\n"
                    "### Spielplatz\n\nDie Schaukel wurde im Sommer aufgebaut; es kamen 40 Kinder zum Fest.\n",
        "karten.md": "## Bürgerrunde\n\nregelmäßige Treffen im Gemeindehaus\n\n## Verkehr\n\nTempo 30 im Ortskern\n",
        "karten.md.meta.json": json.dumps({"title": "Themenkarten der Bürgerrunde", "date": "2021-10-21"}),
    }
    return assistant_over(tmp_path_factory, "headed_round", files)


@pytest.mark.parametrize("question, lines", [
    ("Wie viele Leute waren am 21.10.2021 da und wie lange ging das Treffen?",
     ["Teilnehmer: ca. 25 Talheimer", "Dauer: 19:30 - ca. 21:45"]),
    ("Von wann bis wann ging die Bürgerrunde am 21.10.2021?", ["Dauer: 19:30 - ca. 21:45"]),
    ("How many people attended the round on 21 October 2021?", ["Teilnehmer: ca. 25 Talheimer"]),
])
def test_how_many_came_and_how_long_a_meeting_lasted_are_read_from_its_labelled_lines(headed_round, question, lines):
    answer = headed_round.ask(question)
    assert not answer.abstained and answer.mode == "ranked", answer.text
    first = answer.passages[0]
    assert first.source == "runde.md"
    marked = [item.text.lstrip("* ") for item in first.passage.items if item.line in first.highlights]
    assert marked == lines
    assert all(line in answer.lead for line in lines)  # not the 40 children of the summer fête, nor the cards


def test_a_heading_named_by_the_name_it_quotes_is_that_section_not_the_meeting(tmp_path_factory):
    files = {
        "runde.md": "---\ntitle: Bürgerrunde Mai\n---\n\n### Dorfladen\n\nDer Dorfladen sucht Helfer.\n\n"
                    '### Workshop der Volkshochschule "Handy sicher nutzen" für Seniorinnen und Senioren im '
                    'Rathaussaal am 3.5.2021\n\n'
                    "Der Workshop findet am 3.5. im Rathaus statt, eine Anmeldung ist notwendig.\n",
        "verein.md": "---\ntitle: Protokoll der Mitgliederversammlung\n---\n\n"
                     "* Beginn: 19:00 Uhr\n* Ende: 21:30 Uhr\n\n### TOP 1 Bericht\n\n"
                     "Der Vorstand berichtet über den Workshop zur Satzung.\n",
    }
    assistant = assistant_over(tmp_path_factory, "quoted", files)
    for question in ("Wann ist der Workshop Handy sicher nutzen?", 'Findet der Workshop "Handy sicher nutzen" statt?'):
        query = assistant.understand(question)
        assert not query.meeting_fact and any("Handy sicher nutzen" in name for name in query.sections)
        answer = assistant.ask(question)
        assert answer.passages[0].source == "runde.md", answer.text
        assert "3.5." in answer.lead
    # a word of the name alone does not name the heading
    assert not assistant.understand("Wann ist der Workshop für das Handy?").sections


MOTION = """\
Protokoll der Sitzung des Gemeinderates Talheim vom 9. Juni 2024

Traktandum 3: Wahl des Stimmbüros
Gewählt werden Frau Brunner und Herr Weber.

Traktandum 4: Motion zur Kinderbetreuung
Diskussion
Weber, FDP: Ich bitte Sie, die Forderungen 1 und 2 der Motion nicht erheblich zu erklären; meine Fraktion
wird bei Forderung 4 mit einer Gegenstimme rechnen, das heisst, sie ist gespalten.
Müller, SP: Die Kinderbetreuung braucht alle Forderungen der Motion.
Beschlussfassung
Forderung 1 wird mit 20:12 Stimmen bei 1 Enthaltung nicht erheblich erklärt.
Forderung 2 wird mit 25:8 Stimmen erheblich erklärt.
Forderung 3 wird mit 32:1 Stimmen erheblich erklärt.
Forderung 4 wird mit 30:3 Stimmen erheblich erklärt.

Traktandum 5: Verschiedenes
Der nächste Dorfputz findet im Herbst statt.
"""


@pytest.mark.parametrize("question", ["Wie viele Gegenstimmen gab es bei Forderung 3 der Motion?",
                                      "Mit wie vielen Stimmen wurde Forderung 3 erheblich erklärt?"])
def test_a_numbered_demand_is_answered_with_its_own_vote(tmp_path_factory, question):
    assistant = assistant_over(tmp_path_factory, "motion", {"gemeinderat-2024-06-09.txt": MOTION})
    answer = assistant.ask(question)
    first = answer.passages[0]
    assert first.passage.section == "Beschlussfassung", answer.text
    assert [item.text for item in first.passage.items if item.line in first.highlights] == [
        "Forderung 3 wird mit 32:1 Stimmen erheblich erklärt."]
    assert "„Forderung 3 wird mit 32:1 Stimmen erheblich erklärt.“ [1]" in answer.lead


def test_what_review_found_about_votes_numbers_and_how_long(headed_round):
    from assistant.__init__ import NAMED_PLACE
    from assistant.evidence import numbered_references

    assert not headed_round.understand("Was ist im Konzept enthalten?").decision  # "to contain", no vote
    assert headed_round.understand("Wie viele haben sich enthalten?").decision
    assert numbered_references("Waren 20 Leute da?") == []  # the question's first word is no name
    assert numbered_references("Wie wurde über TOP 3 abgestimmt?") == []  # an agenda item is read elsewhere
    assert [p.pattern for p in numbered_references("Was gilt für Ziffer 4?")] == [r"\bZiffer\s+4(?!\d)(?!\.\d)"]
    assert NAMED_PLACE.findall("Was war in Heuweiler 2015 mit dem Bus?") == ["Heuweiler"]
    assert NAMED_PLACE.findall("Wie viele stimmten bei Forderung 3 zu?") == []
    # how long something else lasted is no fact of the meeting
    assert not headed_round.understand("Wie lange war die Straße laut der Bürgerrunde am 21.10.2021 gesperrt?"
                                       ).meeting_fact


REPORTS = {
    "runde-mai.md": ("2022-05-12", "Bürgerrunde Talheim, Protokoll Nr. 9", [
        "# Bürgerrunde Talheim", "", "## Jugendtreff", "",
        "Mara Steinbach berichtet vom Jugendtreff im alten Feuerwehrhaus.", "",
        "Der Treff ist dienstags und freitags geöffnet und wird von rund zwanzig Jugendlichen besucht.", "",
        "Gesucht werden weitere Ehrenamtliche, die einen Abend im Monat übernehmen; außerdem fehlt ein Kicker.", "",
        "## Friedhof", "", "Die Hecke am Friedhof wird im Herbst geschnitten.", "",
        "## Feuerwehr", "", "Die Feuerwehr stellt ihr neues Löschfahrzeug beim Dorffest vor.",
    ]),
}


def test_a_line_announcing_a_report_is_cited_with_the_report_that_follows(tmp_path_factory):
    reports = assistant_over_protocols(tmp_path_factory, "reports", REPORTS)
    answer = reports.ask("Was wünscht sich Mara Steinbach für den Jugendtreff?")
    cited = [hit.passage.text for hit in answer.passages]
    assert cited[0] == "Mara Steinbach berichtet vom Jugendtreff im alten Feuerwehrhaus."
    assert any("Gesucht werden weitere Ehrenamtliche" in text for text in cited[:3])
    assert not any("Hecke" in text for text in cited)


VOTES = """\
Protokoll der Gemeindeversammlung Talheim vom 12. März 2024

Ort: Mehrzweckhalle Talheim
Beginn: 19:30 Uhr

Traktandum 1: Motion von Anna Keller "Mehr Bäume im Dorf"
Diskussion
Keller, GLP: Die Hauptstrasse braucht Schatten, im Sommer wird es dort sehr heiss.
Beschlussfassung
Die Motion wird mit 41:17 Stimmen bei 2 Enthaltungen erheblich erklärt.

Traktandum 2: Entlastung des Vorstands
• 33 Stimmen: Ja
• 4 Stimmen: Nein
• 3 Stimmen: Enthaltung
Der Vorstand ist damit entlastet.

Traktandum 3: Neueingänge
Motion von Paul Meier "Sichere Schulwege" mit 12 Mitunterzeichnenden.
Die Motion wird an der nächsten Versammlung behandelt.

Traktandum 4: Wahl der Rechnungsprüfer
• Anna Roth
◦ 30 Stimmen: Ja
◦ 2 Stimmen: Enthaltung
• Bernd Vogt
◦ 25 Stimmen: Ja
◦ 7 Stimmen: Enthaltung
Anna Roth und Bernd Vogt nehmen die Wahl an.
"""


@pytest.fixture(scope="module")
def votes(tmp_path_factory) -> Assistant:
    return assistant_over(tmp_path_factory, "votes", {"gemeindeversammlung-2024-03-12.txt": VOTES})


@pytest.mark.parametrize("question, tally", [
    ("Mit welchem Ergebnis wurde über die Motion „Mehr Bäume im Dorf“ abgestimmt?", "mit 41:17 Stimmen"),
    ("Mit wie vielen Stimmen wurde der Vorstand entlastet?", "33 Stimmen: Ja"),
    ("Mit welchem Ergebnis wurde Bernd Vogt gewählt?", "„25 Stimmen: Ja“ [1]; „7 Stimmen: Enthaltung“"),  # his own
    ("mit wie vielen stimmen wurde der vorsstand entlasstet", "33 Stimmen: Ja"),  # misspelt
])
def test_a_vote_asked_for_is_answered_with_its_tally_under_what_was_voted_on(votes, question, tally):
    answer = votes.ask(question)
    assert not answer.abstained and tally in answer.lead, answer.text


def test_a_vote_on_a_motion_that_was_only_submitted_is_not_answered_with_another_motions_tally(votes):
    answer = votes.ask("Mit welchem Ergebnis wurde über die Motion „Sichere Schulwege“ abgestimmt?")
    assert answer.mode == "lacking"
    assert answer.lead.startswith("Ein Abstimmungsergebnis dazu nennen die Protokolle nicht")
    assert "41:17" not in answer.lead


def test_what_came_of_a_discussion_is_no_vote_asked_for(votes):
    from assistant.understand import asked_value
    assert asked_value("Mit welchem Ergebnis wurde über die Hauptstrasse diskutiert?") is None
    assert asked_value("Mit welchem Ergebnis wurde über die Motion abgestimmt?") == "vote"
    answer = votes.ask("Mit welchem Ergebnis wurde über die Bäume an der Hauptstrasse diskutiert?")
    assert answer.mode != "lacking" and answer.passages


# A speech wrapped over the lines of a PDF page, long enough to be split into two passages: what it says of
# "Forderung 1" begins at the end of the first and goes on in the second.
SPEECH = (
    "Huber, GRÜNE: Ich danke dem Gemeinderat für die Antwort auf unsere Motion zum Schutz der alten Bäume an der "
    "Seestrasse. Viele Bürgerinnen und Bürger haben uns geschrieben, weil sie sich um die Linden sorgen, die seit "
    "über hundert Jahren das Ortsbild prägen. Die Verwaltung schlägt vor, jeden Baum einzeln zu prüfen und nur "
    "kranke Bäume zu fällen. Das begrüssen wir ausdrücklich, denn es zeigt, dass der Gemeinderat die Sorgen ernst "
    "nimmt und nicht einfach den bequemsten Weg wählt. Auch die Kosten für die Pflege sind im Budget bereits "
    "vorgesehen, was wir ebenfalls sehr begrüssen. Ich möchte aber klarstellen, worum es uns mit Forderung 1 der "
    "Motion eigentlich ging: Wir wollten nie, dass jeder Baum um jeden Preis stehen bleibt, sondern dass vor jeder "
    "Fällung ein unabhängiges Gutachten eingeholt und der Bevölkerung öffentlich vorgestellt wird, damit alle "
    "verstehen, warum ein Baum gefällt werden muss. Dazu gehört auch, dass für jeden gefällten Baum in der Nähe "
    "zwei junge Bäume gepflanzt werden, deren Pflege die Gemeinde für zehn Jahre übernimmt. Die Fraktion der "
    "GRÜNEN unterstützt deshalb den Antrag des Gemeinderates, die Motion teilweise erheblich zu erklären, und "
    "bittet Sie, dem Antrag zu folgen. Besten Dank."
)


def test_an_answer_running_on_into_the_next_part_of_a_text_cites_that_part_too(tmp_path_factory):
    import textwrap

    from fpdf import FPDF

    base = tmp_path_factory.mktemp("speech")
    lines = ["Protokoll der Sitzung des Gemeinderats Lindau vom 3. Mai 2024", "",
             "1. Motion zum Schutz der Bäume an der Seestrasse", "", "Diskussion", "", *textwrap.wrap(SPEECH, 85),
             "", "Beschlussfassung", "", "Die Motion wird mit 12:3 Stimmen teilweise erheblich erklärt."]
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    (base / "corpus").mkdir()
    pdf.output(str(base / "corpus" / "gemeinderat.pdf"))
    assistant = Assistant.load(corpus_dir=base / "corpus", index_dir=base / "index")
    assert len(assistant.store.passages) == 2  # the speech is split; the line about Forderung 1 ends the first

    answer = assistant.ask("Worum ging es Huber mit Forderung 1 der Motion eigentlich?")
    first, *rest = answer.passages
    assert "Forderung 1" in first.text and "Gutachten" not in first.text
    assert rest and "unabhängiges Gutachten" in rest[0].text  # what was said of it, in the part that goes on
    assert rest[0].passage.lines[0] <= first.passage.lines[1] + 1 and rest[0].highlights


# The agenda as read out at the start of an association's meeting, inside its first item.
AGENDA_READ_OUT = """\
Protokoll der Mitgliederversammlung des Fördervereins Talheim vom 8. März 2025

TOP 1 Begrüßung

Die Vorsitzende Anna begrüßte die Anwesenden und stellte die Tagesordnung vor:
1. Begrüßung (Anna)
2. Berichte
2.1 Bericht der Kasse (Jonas)
2.2 Bericht zum Spielplatzfest (Lena)
3. Wahlen

TOP 2 Berichte

Die Vorsitzende dankt allen, die im vergangenen Jahr mitgeholfen haben.

TOP 2.1 Bericht der Kasse

Der Kassenstand beträgt 1.250 Euro am Jahresende.

TOP 2.2 Bericht zum Spielplatzfest

Das Spielplatzfest im Juni brachte 400 Euro für neue Spielgeräte ein.

TOP 3 Wahlen

Anna wird einstimmig als Vorsitzende wiedergewählt.
"""


def test_what_the_agenda_lists_under_an_item_is_answered_from_the_agenda_read_out(tmp_path_factory, council):
    club = assistant_over(tmp_path_factory, "agm", {"mitgliederversammlung-2025-03-08.txt": AGENDA_READ_OUT})
    listed = club.ask("Wer sollte laut Tagesordnung unter TOP 2.2 berichten?")
    first = listed.passages[0]
    assert first.passage.meta.get("item") == "1"  # the agenda as read out, in the first item
    assert [item.text for item in first.passage.items if item.line in first.highlights] == [
        "2.2 Bericht zum Spielplatzfest (Lena)"]
    assert any(hit.passage.meta.get("item") == "2.2" for hit in listed.passages)  # and the item's own minutes
    # without the agenda named, the item's minutes alone answer
    reported = club.ask("Was wurde unter TOP 2.2 berichtet?")
    assert {hit.passage.meta.get("item") for hit in reported.passages} == {"2.2"}
    # the entry of that very number, not one of the same first digit
    elections = club.ask("Was stand laut Tagesordnung unter TOP 3?")
    listing = elections.passages[0]
    assert [item.text for item in listing.passage.items if item.line in listing.highlights] == ["3. Wahlen"]
    # the entry named by what it is about, without its number
    named = club.ask("Wer sollte laut Tagesordnung über das Spielplatzfest berichten?")
    listing = named.passages[0]
    assert listing.passage.meta.get("item") == "1"
    assert [item.text for item in listing.passage.items if item.line in listing.highlights] == [
        "2.2 Bericht zum Spielplatzfest (Lena)"]
    # minutes whose agenda is listed nowhere: the item's own minutes, not a tally or another item's numbered lines
    budget = council.ask("Was stand laut Tagesordnung unter Traktandum 2?")
    assert budget.passages and budget.passages[0].passage.meta.get("item") == "2"


def test_a_section_of_a_dated_meeting_is_an_agenda_items_when_the_question_names_one(council):
    # "am 5. Mai 2024 zu Traktandum 3": that item's decision, not every decision of the meeting in order
    answer = council.ask("Was wurde am 5. Mai 2024 zu Traktandum 3 beschlossen?")
    assert "2 Millionen Franken" in answer.lead and "30:5" not in answer.lead


def round_with_files(date: str, title: str, files: list[str]) -> str:
    links = "\n".join(f"[{name}](/assets/pdfs/{name})" for name in files)
    return (f"---\ntitle: {title}\ndate: {date}\n---\n\n## Dorfladen\n\nDer Dorfladen soll als Genossenschaft "
            f"weitergeführt werden.\n\n## Mobilität\n\nDer Bürgerbus fährt ab Juni zweimal pro Woche.\n\n{links}\n")


def test_the_files_attached_to_a_protocol_named_by_its_date_are_its_attachments(tmp_path_factory):
    rounds = assistant_over(tmp_path_factory, "attached", {
        "runde-mai.md": round_with_files("2016-05-12", "Bürgerrunde Mai 2016", ["Dorfladen_Konzept.pdf",
                                                                                "Fahrplan_Buergerbus.pdf"]),
        "runde-juli.md": round_with_files("2016-07-14", "Bürgerrunde Juli 2016", ["Umfrage_Ergebnisse.pdf"]),
    })
    answer = rounds.ask("Welche Unterlagen sind dem Protokoll vom 12.05.2016 angehängt?")
    assert answer.passages and all(hit.source == "runde-mai.md" for hit in answer.passages)
    assert answer.passages[0].passage.section == "Anhänge"
    lead = answer.lead.replace("\\", "")  # (as Markdown, with its marks escaped)
    assert "Dorfladen_Konzept.pdf" in lead and "Fahrplan_Buergerbus.pdf" in lead
    assert "Für  steht" not in answer.lead  # a meeting's section is no place's
    # a question about what was said still gets what was said, not the list of files; an "Anlage" is a facility
    shop = rounds.ask("Was wurde in der Bürgerrunde vom 12.05.2016 zum Dorfladen gesagt?")
    assert shop.passages[0].passage.section == "Dorfladen"
    facility = rounds.ask("Was wurde am 12.05.2016 zur Anlage einer Haltestelle für den Bürgerbus gesagt?")
    assert facility.passages and facility.passages[0].passage.section != "Anhänge"


def test_a_follow_up_with_a_matter_of_its_own_drops_a_section_only_guessed_for_the_earlier_question(
        council, monkeypatch):
    vocabulary = council.retriever.vocabulary
    guessed = {"Beschlussfassung": 0.5}
    # (the guess from meaning, for the earlier question only; which questions the embedder reads so varies)
    monkeypatch.setattr(vocabulary, "sections_by_meaning",
                        lambda query: dict(guessed) if "Gemeindepräsident" in query.text else {})
    earlier = "Was hat der Gemeindepräsident zum Budget gesagt?"
    assert council.understand(earlier).sections == guessed
    follow_up = council.understand("Und was sagte Müller zur Heizung im Schulhaus?", history=[earlier])
    assert follow_up.sections == {} and "sections" not in follow_up.inherited
    # a section the earlier question named in words stays: the same question about another matter
    worded = council.understand("Und was ist mit dem Schulhaus?", history=["Was steht unter Beschlussfassung?"])
    assert "Beschlussfassung" in worded.sections


# An association's minutes that give the hour the meeting opened and closed only in sentences, far apart.
OPENED_AND_CLOSED = """\
Protokoll der Mitgliederversammlung des Kleingartenvereins Sonnenhang vom 3. März 2025

TOP 1 Begrüßung

Der Vorsitzende eröffnete die Versammlung um 18:05 Uhr und begrüßte 23 Mitglieder.

TOP 2 Bericht des Vorstands

Der Vorstand berichtet über die neue Wasserleitung, die Pachtverträge und das Sommerfest.
Die Wasserleitung wurde im Herbst verlegt; die Kosten lagen unter dem Voranschlag.

TOP 3 Gemeinschaftsarbeit

Jedes Mitglied leistet im Jahr sechs Stunden Gemeinschaftsarbeit am Vereinsheim und an den Wegen.

""" + "".join(f"""TOP {number} Antrag {number - 3} an die Mitgliederversammlung

Die Mitgliederversammlung des Kleingartenvereins berät den Antrag {number - 3} zu {topic} und stimmt ihm zu.

""" for number, topic in enumerate(["Hecken", "Kompost", "Parkplätze", "Wasseruhren", "Vereinsfest", "Bienen",
                                    "Spielplatz", "Werkzeugschuppen", "Regentonnen"], start=4)) + """\
TOP 13 Verschiedenes

Keine Wortmeldungen.
Die Versammlung wurde um 20:40 Uhr geschlossen.
"""


@pytest.mark.parametrize("question", ["Wie lange dauerte die Mitgliederversammlung des Kleingartenvereins?",
                                      "Wann endete die Mitgliederversammlung des Kleingartenvereins?"])
def test_when_a_meeting_ended_is_found_in_the_sentence_closing_it(tmp_path_factory, question):
    club = assistant_over(tmp_path_factory, "garden", {"kleingartenverein-2025-03-03.txt": OPENED_AND_CLOSED})
    answer = club.ask(question)
    marked = [item.text for hit in answer.passages[:3] for item in hit.passage.items if item.line in hit.highlights]
    assert "Die Versammlung wurde um 20:40 Uhr geschlossen." in marked, answer.text
    if "lange" in question:  # … and how long: the hour it opened too
        assert any("18:05 Uhr" in line for line in marked), answer.text


@pytest.mark.parametrize("question", ["Was wurde unter Verschiedenes besprochen?",
                                      "Gab es beim Punkt Verschiedenes Wortmeldungen?",
                                      "Welche Themen kamen unter Verschiedenes?"])  # (no list of topics asked)
def test_an_agenda_item_named_by_its_title_is_that_item(tmp_path_factory, question):
    club = assistant_over(tmp_path_factory, "garden", {"kleingartenverein-2025-03-03.txt": OPENED_AND_CLOSED})
    assert club.understand(question).items == {("kleingartenverein-2025-03-03.txt", "13")}
    answer = club.ask(question)
    assert answer.passages and answer.passages[0].passage.meta.get("item") == "13", answer.text


def test_who_opened_a_meeting_is_answered_by_the_sentence_opening_it(tmp_path_factory):
    club = assistant_over(tmp_path_factory, "garden", {"kleingartenverein-2025-03-03.txt": OPENED_AND_CLOSED})
    answer = club.ask("Wer hat die Mitgliederversammlung des Kleingartenvereins eröffnet?")
    first = answer.passages[0]
    opening = "Der Vorsitzende eröffnete die Versammlung um 18:05 Uhr und begrüßte 23 Mitglieder."
    assert opening in [item.text for item in first.passage.items if item.line in first.highlights], answer.text
    assert opening in answer.lead


def test_when_a_meeting_was_opened_is_answered_by_the_hour(tmp_path_factory):
    # (its welcome line names no hour: asked when, the programme's or the sentence's time answers)
    club = assistant_over(tmp_path_factory, "welcome", {"kleingartenverein-2025-03-03.txt": OPENED_AND_CLOSED.replace(
        "TOP 1 Begrüßung\n", "TOP 1 Begrüßung\n\nDie Vorsitzende Frau Lenz begrüßt alle Anwesenden.\n")})
    answer = club.ask("Wann wurde die Mitgliederversammlung des Kleingartenvereins eröffnet?")
    assert "18:05" in answer.lead.split("[1]")[0], answer.text


# A motion whose debate uses the question's words far more than its decision does.
DEBATED_MOTION = """\
Protokoll der Sitzung des Gemeinderates Talheim vom 9. Juni 2024

Traktandum 4: Protokoll der letzten Sitzung
Das Protokoll der Sitzung vom 5. Mai 2024 wird genehmigt.

Traktandum 5: Motion „Sichere Schulwege“
Diskussion
Keller, SP: Die Forderungen der Schulweg-Motion sind klar: Die Forderung 1 verlangt Tempo 30, die Forderung 2
Lotsendienste, die Forderung 3 neue Zebrastreifen. Wir unterstützen alle Forderungen der Motion.
Meier, FDP: Die Forderungen der Schulweg-Motion gehen uns zu weit, vor allem die Forderung 1 und die Forderung 3.
Die Kosten der Forderungen sind nicht beziffert.
Huber, SVP: Bei den Forderungen der Motion sind wir gespalten; die Forderung 2 findet unsere Zustimmung.
Meier, FDP: Ich reiche heute zudem die Motion "Anpassung Ruhetagsgesetz" ein.
Beschlussfassung
Forderung 1 wird mit 18:17 Stimmen erheblich erklärt.
Forderung 2 wird mit 33:2 Stimmen erheblich erklärt.
Forderung 3 wird mit 16:19 Stimmen nicht erheblich erklärt.

Traktandum 6: Verschiedenes
Keine Wortmeldungen.
"""


def test_the_decision_comes_before_a_debate_sharing_more_of_the_questions_words(tmp_path_factory):
    council = assistant_over(tmp_path_factory, "debated", {"gemeinderat-2024-06-09.txt": DEBATED_MOTION})
    answer = council.ask("Welche Forderungen der Schulweg-Motion kamen am knappsten durch?")
    assert answer.passages and answer.passages[0].passage.section == "Beschlussfassung", answer.text
    assert "18:17 Stimmen" in answer.lead
    # a motion only announced in the item's debate is not decided by the item's tallies
    announced = council.ask("Ist das Ruhetagsgesetz durchgekommen?")
    assert "Stimmen" not in announced.lead, announced.text


# An association voting on several goals under one agenda item, each under a heading of its own.
GOALS = """\
# Protokoll der Mitgliederversammlung des Fördervereins Talheim vom 8. März 2025

## TOP 1 Begrüßung

Die Vorsitzende Anna begrüßte die Anwesenden.

## TOP 2 Ziele für 2025

Zu jedem vorgeschlagenen Ziel wurde einzeln abgestimmt.

### Spielplatzfest

- 12 Stimmen: Ja
- 3 Stimmen: Nein
- 1 Stimme: Enthaltung

### Kuchenbasar

- 4 Stimmen: Ja
- 10 Stimmen: Nein
- 2 Stimmen: Enthaltung

### Laternenumzug

- 9 Stimmen: Ja
- 6 Stimmen: Nein
- 1 Stimme: Enthaltung

## TOP 3 Verschiedenes

Für den Kuchenbasar im Herbst werden noch Helfer gesucht.
"""


@pytest.mark.parametrize("question, tally", [
    ("Gab es eine Mehrheit für den Kuchenbasar?", "„4 Stimmen: Ja“"),
    ("Ist der Laternenumzug durchgekommen?", "„9 Stimmen: Ja“"),
    ("Mit wie vielen Stimmen wurde das Spielplatzfest unterstützt?", "„12 Stimmen: Ja“"),
])
def test_a_vote_on_one_of_several_goals_is_answered_with_that_goals_tally(tmp_path_factory, question, tally):
    # the goal is named only by the heading over its tally; the other goals' tallies are of the same item
    club = assistant_over(tmp_path_factory, "goals", {"mitgliederversammlung-2025-03-08.md": GOALS})
    answer = club.ask(question)
    assert tally in answer.lead and not answer.lead.startswith(("Ja", "Nein")), answer.text


# A council's motion whose debate names funding ("fördern") and a motion ("Antrag") apart, never a "Förderantrag".
FUNDED_MOTION = """\
Protokoll der Sitzung des Gemeinderates Talheim vom 12. Mai 2025

Traktandum 4: Antrag der Fraktion Grün zur Förderung der Vereine
Diskussion
Anna Berg, Grüne: Wir wollen die Vereine fördern, darum stellen wir diesen Antrag.
Peter Roth, FDP: Wir lehnen den Antrag ab, die Kasse ist leer.
Beschlussfassung
Der Antrag wird mit 18:15 Stimmen bei 2 Enthaltungen angenommen.
"""


def test_a_yes_no_question_about_a_compound_is_answered_by_its_whole_word_not_its_parts_apart(tmp_path_factory):
    # the club's tally under the heading "Förderantrag …" decides it, not the council's motion on "Förderung"
    both = assistant_over(tmp_path_factory, "funded", {
        "mitgliederversammlung-2025-03-08.md": GOALS.replace("### Laternenumzug", "### Förderantrag Spielgeräte"),
        "gemeinderat-2025-05-12.txt": FUNDED_MOTION})
    answer = both.ask("Ist der Förderantrag durchgekommen?")
    assert "9 Stimmen: Ja" in answer.lead and "18:15" not in answer.lead, answer.text
    assert all(hit.source.startswith("mitglieder") for hit in answer.passages), answer.text


def test_a_compound_cut_short_is_written_out_unless_the_protocols_write_it_so(tmp_path_factory):
    council = assistant_over(tmp_path_factory, "short", {"gemeinderat-2025-05-12.txt": FUNDED_MOTION.replace(
        "Traktandum 4: Antrag der Fraktion Grün zur Förderung der Vereine",
        "Traktandum 4: Motion zur Sport- und Kulturförderung\nDie Sportförderung ist zu knapp. Es fehlen\n"
        "Beratungsstellen und Sprach + Integrationskurse.")})
    vocabulary = council.retriever.vocabulary
    assert vocabulary.completed("Wo gibt es Beratungs- oder Anlaufstellen?") == \
        "Wo gibt es Beratungsstellen oder Anlaufstellen?"
    # (and one sharing its first part with the word before: "Sportberatung und -förderung")
    assert vocabulary.completed("Was gibt es zur Sportberatung und -förderung?") == \
        "Was gibt es zur Sportberatung und Sportförderung?"
    for as_written in ("Wie stimmte der Rat zur Sport- und Kulturförderung?",
                       "Was fehlt bei den Sprach- und Integrationskursen?",
                       "Gibt es Kinder- und Jugendarbeit?"):  # (no "Kinderarbeit" in the protocols)
        assert vocabulary.completed(as_written) == as_written


# An association's minutes: the head states when the meeting began, the last item when it closed, and an item
# speaks of a summer party not yet dated.
CLUB_MINUTES = """\
# Protokoll der Mitgliederversammlung des Fördervereins Talheim vom 8. März 2025

Es versammelten sich heute, am 8. März 2025 um 19:00 Uhr im Gemeindehaus, 14 Mitglieder.

## TOP 1 Begrüßung

Die Vorsitzende Anna begrüßte die Anwesenden.

## TOP 2 Sommerfest

Das Sommerfest soll wieder im Pfarrgarten stattfinden. Anna kümmert sich um die Getränke.

## TOP 3 Verschiedenes

Die Versammlung wurde um 21:05 Uhr geschlossen.
"""


@pytest.fixture(scope="module")
def club(tmp_path_factory) -> Assistant:
    return assistant_over(tmp_path_factory, "club", {"mitgliederversammlung-2025-03-08.md": CLUB_MINUTES})


def test_a_date_asked_of_something_the_minutes_speak_of_is_not_the_meetings_date(club):
    # the summer party is named only in an item: when it is, the minutes do not say (not the meeting's own date)
    answer = club.ask("An welchem Tag findet das Sommerfest des Fördervereins statt?")
    assert not answer.query.meeting_fact
    assert answer.abstained and answer.mode == "lacking", answer.text
    # the meeting's own date is a fact of it
    meeting = club.ask("An welchem Tag fand die Mitgliederversammlung des Fördervereins statt?")
    assert meeting.query.meeting_fact and "8. März 2025 um 19:00 Uhr" in meeting.lead, meeting.text


def test_when_the_meeting_ended_leads_with_its_closing_line_wherever_the_ranking_put_it(club):
    answer = club.ask("Wann endete die Versammlung des Fördervereins?")
    assert "„Die Versammlung wurde um 21:05 Uhr geschlossen.“ [1]" in answer.lead, answer.text


# A budget debate naming sums for other things than the office asked about, and hours that are no money.
BUDGET_DEBATE = """\
Protokoll der Sitzung des Grossen Rates Talheim vom 3. Juni 2025

Traktandum 5: Freiwilligenarbeit im Kanton
Diskussion
Anna Berg, Grüne: Die Fachstelle für Freiwilligenarbeit leistet seit Jahren gute Arbeit im Kanton.
Peter Roth, FDP: Der Kanton zahlt jedes Jahr knapp 500'000 Franken an die Gemeinden für ihre Vereine.
Eva Keller, SP: Freiwillige leisten im Kanton jedes Jahr 20'000 bis 25'000 Stunden.
Anna Berg, Grüne: Der Regierungsrat hat die Beantwortung im Kanton ein Jahr lang liegen lassen.
""" + "".join(
    # (the other items of the session, each speaking of the canton and the year: words of many passages)
    f"\nTraktandum {number}: {topic}\nDiskussion\nPeter Roth, FDP: Der Kanton prüft {topic} noch in diesem Jahr.\n"
    for number, topic in enumerate(["Strassenbau", "Schulhaus Nord", "Spitalplanung", "Waldpflege", "Hochwasserschutz",
                                    "Musikschule", "Busverkehr", "Steuergesetz", "Energieplanung", "Bibliothek",
                                    "Friedhof", "Feuerwehr"], start=6))


@pytest.mark.parametrize("question", [
    "Wie viel Geld bekommt die Fachstelle für Freiwilligenarbeit im nächsten Jahr vom Kanton?",
    "Wie viel kostet die Freiwilligenarbeit den Kanton pro Jahr?",
])
def test_a_sum_for_something_else_or_a_number_of_hours_is_no_sum_asked_for(tmp_path_factory, question):
    # (the sum paid to the municipalities shares only "Jahr" and "Kanton" with the question, words of many lines;
    # 20'000 hours are no money)
    council = assistant_over(tmp_path_factory, "budget", {"grosser-rat-2025-06-03.txt": BUDGET_DEBATE})
    answer = council.ask(question)
    assert answer.mode == "lacking" and answer.abstained, answer.text


@pytest.mark.parametrize("question", ["Wer ist die Protokollantin der Sitzung des Gemeinderates?",
                                      "Wo ist der Tagungsort des Gemeinderates?"])
def test_a_role_or_place_the_head_of_minutes_labels_is_no_unknown_role(tmp_path_factory, question):
    council = assistant_over(tmp_path_factory, "headed", {"gemeinderat-2024-05-05.txt": MINUTES.replace(
        "Ort: Gemeindesaal Talheim\n", "Ort: Gemeindesaal Talheim\nProtokoll: Eva Roth\n")})
    answer = council.ask(question)
    assert not answer.abstained and any(name in answer.text for name in ("Eva Roth", "Gemeindesaal")), answer.text


def test_a_heading_of_one_text_names_its_matter_but_does_not_narrow_a_where_question_to_it(tmp_path_factory):
    club = assistant_over(tmp_path_factory, "goals", {"mitgliederversammlung-2025-03-08.md": GOALS})
    answer = club.ask("Wo ist vom Kuchenbasar die Rede?")
    texts = [hit.passage.text for hit in answer.passages]
    assert any("10 Stimmen: Nein" in text for text in texts)  # under the heading "Kuchenbasar"
    assert any("Helfer gesucht" in text for text in texts), answer.text  # and where a line names it


def test_a_word_for_an_agenda_item_names_no_field_it_begins_with(tmp_path_factory):
    # "Unter welchem Tagesordnungspunkt …?" asks for the item, not for the field all three minutes call
    # "Tagesordnung" (which the question's meaning comes close to)
    head = "Beginn: 19:30 Uhr, Ende: 21:15 Uhr\n"
    minutes = MINUTES.replace(head, f"{head}\nTagesordnung\n1. Wahl des Stimmbüros\n2. Budget 2025\n"
                                    "3. Sanierung des Schulhauses\n")
    council = assistant_over(tmp_path_factory, "agenda-word", {
        f"gemeinderat-2024-05-{day:02}.txt": minutes.replace("5. Mai 2024", f"{day}. Mai 2024") for day in (5, 12, 19)})
    for question in ("Unter welchem Tagesordnungspunkt ging es um die undichten Fenster?",
                     "In welchem Tagesordnungspunkt ging es um Steuern?"):
        assert council.understand(question).sections == {}, question
        assert council.ask(question).passages[0].passage.section != "Tagesordnung", question


def test_a_question_about_the_next_meeting_is_not_answered_with_this_ones_facts(tmp_path_factory):
    council = assistant_over(tmp_path_factory, "next-meeting", {"gemeinderat-2024-05-05.txt": MINUTES + (
        "\nTraktandum 4: Verschiedenes\nDie nächste Sitzung findet am 2. Juni 2024 im Feuerwehrhaus statt.\n")})
    assert council.understand("Wann tagte der Gemeinderat?").meeting_fact  # this meeting: its head answers
    for question in ("Wann und wo tagt der Gemeinderat das nächste Mal?", "Wann ist die nächste Sitzung?"):
        assert not council.understand(question).meeting_fact, question
        answer = council.ask(question)
        assert "2. Juni 2024" in answer.lead, answer.text


@pytest.mark.parametrize("question", ["Und wann ist die nächste?", "And when is the next one?"])
def test_the_next_one_left_unsaid_is_another_meeting(question):
    from assistant.understand import names_another_meeting
    assert names_another_meeting(question)
    assert not names_another_meeting("And when did it end?")


def test_who_kept_the_minutes_of_some_items_is_answered_from_the_head(tmp_path_factory):
    # the items named are what was minuted, not where to look: the head of the minutes says who kept them
    head = "Beginn: 19:30 Uhr, Ende: 21:15 Uhr\n"
    council = assistant_over(tmp_path_factory, "minutes-kept", {
        "gemeinderat-2024-05-05.txt": MINUTES.replace(
            head, f"{head}Protokoll: Anna Keller (Traktanden 1 und 2), Ben Roth (Traktandum 3)\n"),
        # (another record numbering its items too is not the one asked about)
        "verein.md": "# Mitgliederversammlung Turnverein\n\nTagesordnung:\n1. Begrüßung\n2. Bericht\n3. Kasse\n\n"
                     "## TOP 3 Kasse\n\nDer Kassenbericht wird vorgestellt.\n"})
    answer = council.ask("Wer hat die Traktanden 1 und 2 protokolliert?")
    assert "Anna Keller" in answer.lead, answer.text
    answer = council.ask("Wer hat Traktandum 3 protokolliert?")
    assert answer.passages[0].source == "gemeinderat-2024-05-05.txt" and "Protokoll:" in answer.lead, answer.text
    assert council.understand("Was wurde unter Traktandum 3 beschlossen?").items  # an item asked about is still one


def test_a_quoted_name_the_record_speaks_of_beyond_its_first_page_is_what_it_is_about(tmp_path_factory):
    # the round is named after its talk: asked who spoke at the talk, the talk's passage answers
    rounds = assistant_over(tmp_path_factory, "quoted-talk", {
        "runde.md": "---\ntitle: Bürgerrunde „Mobilität im Dorf“\ndate: 2024-03-14\n---\n\n"
                    "## Begrüßung\n\nDie Sprecherin begrüßt 25 Gäste im Rathaus.\n\n"
                    "## Vortrag\n\n„Mobilität im Dorf“: Jana Berger von der Stadtmobil stellt das Carsharing vor.\n"})
    answer = rounds.ask("Wer sprach bei „Mobilität im Dorf“?")
    assert "Jana Berger" in answer.lead, answer.text


def test_asked_when_a_meeting_met_the_head_gives_its_day_with_its_hours(council):
    # "Protokoll … vom 5. Mai 2024" names the day, "Beginn: 19:30 Uhr" the hour: when it met is both
    answer = council.ask("Wann tagte der Gemeinderat?")
    assert "5. Mai 2024" in answer.lead and "19:30" in answer.lead, answer.text


def test_the_day_of_a_date_written_the_iso_way_counts_nobody(agenda_round):
    # the round's head has only "event: 2024-04-18 19:30:00": the "04" or "18" there is no number of participants
    answer = agenda_round.ask("Wie viele Leute waren bei der Bürgerrunde am 18. April 2024?")
    assert answer.lead.startswith("Eine Anzahl dazu nennen die Protokolle nicht."), answer.lead


def council_minutes(session: str, fire_station: str, cemetery: str) -> str:
    """A council's minutes with four numbered items, the bodies of the second and third as given."""
    return ("Niederschrift über die öffentliche Sitzung des Gemeinderats Talheim\n"
            f"{session}\n\n"
            "Tagesordnung\n1. Eröffnung\n2. Neubau Feuerwehrhaus\n3. Friedhofsgebühren\n4. Verschiedenes\n\n"
            "1. Eröffnung\n\nBürgermeisterin Keller: Ich eröffne die Sitzung.\n\n"
            f"2. Neubau Feuerwehrhaus\n\n{fire_station}\n\n3. Friedhofsgebühren\n\n{cemetery}\n\n"
            "4. Verschiedenes\n\nDas Sommerfest ist am 5. Juli.\n")


def test_a_quote_from_a_later_part_of_a_speech_says_who_spoke(tmp_path_factory):
    # a long turn is split into passages; only the first opens with "Meier, SPD:", so the lead names the speaker
    filler = " ".join(f"Der {n}. Punkt meiner Rede betrifft die Finanzierung der Ortsmitte." for n in range(1, 40))
    minutes = council_minutes(
        "Sitzung Nr. 15 vom 12. Mai 2025",
        f"Diskussion\n\nMeier, SPD: {filler} Die Löschfahrzeuge sind über dreißig Jahre alt und müssen ersetzt "
        "werden.\n\nHuber, CDU: Wir stimmen dem Neubau zu.\n\nBeschluss\n\nDer Neubau wird mit 11:2 Stimmen "
        "beschlossen.",
        "Beschluss\n\nDie Gebühren bleiben unverändert; einstimmig.")
    council = assistant_over(tmp_path_factory, "speech", {"gemeinderat-2025-05-12.txt": minutes})
    answer = council.ask("Wer sagte, dass die Löschfahrzeuge ersetzt werden müssen?")
    first = answer.passages[0].passage
    assert first.meta.get("speaker") == "Meier, SPD" and not first.text.startswith("Meier"), first.text
    assert "(Meier, SPD)" in answer.lead and "Löschfahrzeuge" in answer.lead, answer.lead
    # and the turn's opening, with the name, is cited too: the name can be checked in the source
    opening = next((hit for hit in answer.passages if "Meier, SPD:" in hit.passage.text), None)
    assert opening is not None, answer.text
    assert [item.text[:11] for item in opening.passage.items if item.line in opening.highlights] == ["Meier, SPD:"]


def test_a_count_is_no_file_reference_nor_a_tally_unless_votes_are_counted(tmp_path_factory):
    # "(21/BS 14/233)" files the report; "mit 12:1 Stimmen" counts votes, not the fire brigade's members
    minutes = council_minutes(
        "Sitzung Nr. 16 vom 9. Juni 2025",
        "Beschluss\n\nDer Jahresbericht der Feuerwehr (21/BS 14/233) wird mit 12:1 Stimmen genehmigt.",
        "Beschluss\n\nDie Gebühren bleiben unverändert.")
    council = assistant_over(tmp_path_factory, "counts", {"gemeinderat-2025-06-09.txt": minutes})
    members = council.ask("Wie viele Mitglieder hat die Feuerwehr?")
    assert members.mode == "lacking", members.text
    votes = council.ask("Wie viele Stimmen bekam der Jahresbericht der Feuerwehr?")
    assert votes.mode != "lacking" and "12:1 Stimmen" in votes.lead, votes.text


CASH_REPORT = """\
# Protokoll der Mitgliederversammlung des Fördervereins Talheim e.V. vom 8. März 2025

## TOP 1 Begrüßung

Die Einladung an alle Mitglieder ging gemäß § 8 der Satzung mindestens vier Wochen vorher hinaus. Die Mitglieder
begrüßten die Gäste aus dem Partnerverein Talheim-Nord.

## TOP 2 Bericht des Vorstands

Der Vorstand berichtet über das Sommerfest und den neuen Internetauftritt. Die Mitglieder danken dem Vorstand.

## TOP 3 Kassenbericht

- Einnahmen 2024: 1.250 €
- Ausgaben 2024: 980 €
- Mitglieder zum 08.03.2025: 42
"""


def test_a_count_is_given_where_a_line_states_it_not_by_weeks_or_a_paragraph(tmp_path_factory):
    # "vier Wochen" and "§ 8" count no members; the cash report's line states how many there are, though the
    # ranking puts the items that speak of the members first
    association = assistant_over(tmp_path_factory, "association", {"mv-2025-03-08.md": CASH_REPORT})
    answer = association.ask("Wie viele Mitglieder hat der Förderverein?")
    assert "Mitglieder zum 08.03.2025: 42" in answer.lead and "TOP 3" in answer.passages[0].citation, answer.text
    # (a question counting weeks is answered by them)
    weeks = association.ask("Wie viele Wochen vorher ging die Einladung an die Mitglieder hinaus?")
    assert "vier Wochen" in weeks.lead, weeks.text


def test_examples_of_what_the_answer_may_be_are_not_what_a_where_question_asks_about(tmp_path_factory):
    # "(Rathaus, Schulungsraum o.ä.)" lists possible answers, not matters whose every mention is wanted
    round_text = ("---\ntitle: Bürgerrunde Talheim Mai 2024\ndate: 2024-05-16\n---\n\n"
                  "event: 2024-05-16 19:30:00\nlocation: Schulungsraum, Rathaus\n\n"
                  "## Helferkreis\n\nDer Helferkreis trifft sich montags um 17 Uhr im Pfarrheim.\n\n"
                  "## Ausstellung\n\nDie Bilder der Malgruppe hängen bis Juni im Rathaus.\n\n"
                  "## Schule\n\nDer Schulungsraum der Grundschule wird renoviert.\n")
    village = assistant_over(tmp_path_factory, "examples", {"buergerrunde-2024-05-16.md": round_text})
    answer = village.ask("Wo trifft sich der Helferkreis (Rathaus, Schulungsraum o.ä.)?")
    assert answer.passages and all("Helferkreis" in hit.passage.text for hit in answer.passages), answer.text


def test_a_few_words_asking_for_a_value_are_a_follow_up_on_what_was_asked_before(tmp_path_factory):
    # "Mit wie vielen Stimmen?" names no matter: its "Stimmen" is the value's unit, the decision is the earlier one
    minutes = council_minutes(
        "Sitzung Nr. 16 vom 16. Juni 2025",
        "Beschluss\n\nDer Neubau des Feuerwehrhauses wird mit 11:2 Stimmen beschlossen.",
        "Beschluss\n\nDie Erhöhung der Friedhofsgebühren wird mit 5:9 Stimmen abgelehnt.")
    council = assistant_over(tmp_path_factory, "elliptic", {"gemeinderat-2025-06-16.txt": minutes})
    answer = council.ask("Mit wie vielen Stimmen?", ["Wie hat der Rat über die Friedhofsgebühren entschieden?"])
    assert answer.query.followup and "5:9 Stimmen" in answer.lead, answer.lead
    # (what a count counts is what it asks about: "Wie viele Gebühren?" names a matter of its own)
    assert "Gebühren" in council.understand("Wie viele Gebühren?", ["Wer hat das Sommerfest geplant?"]).content


def test_a_house_number_counts_nobody(tmp_path_factory):
    # the head's lines as a PDF wraps them: the street's "5" is no number of members, the "12" before "Mitglieder" is
    minutes = ("# Protokoll der Mitgliederversammlung des Fördervereins Talheim vom 8. März 2025\n\n"
               "Es versammelten sich heute, am 8. März 2025 um 19:00 Uhr im Vereinsheim, Schulstraße 5,\n"
               "74388 Talheim 12\nMitglieder zur ordentlichen Mitgliederversammlung des Fördervereins Talheim.\n\n"
               "Die Versammlung beginnt um 19:00 Uhr im Vereinsheim, Schulstraße 5.\n\n"
               "## TOP 1 Begrüßung\n\nDie Vorsitzende begrüßt die Anwesenden.\n\n"
               "## TOP 2 Kassenbericht\n\nDie Kasse ist in Ordnung.\n")
    club = assistant_over(tmp_path_factory, "house-number", {"mv-2025-03-08.md": minutes})
    answer = club.ask("Wie viele Mitglieder hat der Förderverein?")
    assert "Schulstraße 5" not in answer.lead and "Talheim 12" in answer.lead, answer.lead


def test_a_question_word_alone_asks_the_earlier_question_with_it(tmp_path_factory):
    # "Und wann?" after "Wo trifft sich der Helferkreis?" is "Wann trifft sich der Helferkreis?"
    village = assistant_over(tmp_path_factory, "bare", {"buergerrunde-2020-03-05.md": VILLAGE_MOBILITY})
    for bare in ("Und wann?", "Wann genau?"):
        answer = village.ask(bare, ["Wo trifft sich der Helferkreis?"])
        assert not answer.abstained and "17:00 bis 18:30 Uhr" in answer.lead, answer.lead
    # (a question word after an earlier question opening with another kind of word is no such question, nor one
    # standing for a part of the sentence, nor the same one again)
    assert village.understand("Wo?", ["Welche Themen gab es?"]).question == "Wo?"
    assert village.understand("Wann?", ["Wer leitet den Helferkreis?"]).question == "Wann?"
    assert village.understand("Wann genau?", ["Wann trifft sich der Helferkreis?"]).question == "Wann genau?"


# A citizens' round with the prices of a car-sharing offer.
CAR_SHARING_ROUND = ("---\ntitle: Bürgerrunde Sept 2015\ndate: 2015-09-24\n---\n\n"
                     "## Vortrag\n\nHerr Lübke stellt das Car Sharing von Stadtmobil vor. "
                     "Stadtmobil betreibt 200 Autos.\n\n"
                     "## Wie funktioniert Car Sharing mit konventionellen PKW\n\n* Buchung per Telefon oder Internet\n"
                     "* Preise: Monatsgebühr 5€, Stundengebühr 1,50€ und Kilometergebühr 0,22€\n\n"
                     "## Dorfladen\n\nDer Dorfladen sucht Helfer. Der Kaffee kostet dort 1,20€.\n")


def test_an_english_question_for_a_price_keeps_what_it_asks_the_price_of(tmp_path_factory):
    # "What does … cost": only "What does" asks for the amount; "car sharing" between is what the price is of
    village = assistant_over(tmp_path_factory, "price", {"buergerrunde-2015-09-24.md": CAR_SHARING_ROUND})
    answer = village.ask("What does car sharing with conventional cars cost per month?")
    assert not answer.abstained and "Monatsgebühr 5€" in answer.lead, answer.lead


def test_a_unit_alone_asks_the_earlier_question_per_that_unit(tmp_path_factory):
    village = assistant_over(tmp_path_factory, "per-unit", {"buergerrunde-2015-09-24.md": CAR_SHARING_ROUND})
    per_km = village.ask("Pro Kilometer?", ["Was kostet das Car Sharing im Monat?"])
    assert not per_km.abstained and "Kilometergebühr 0,22€" in per_km.lead, per_km.lead


GARDEN_CLUB = """\
Protokoll der Mitgliederversammlung des Gartenvereins Lindenhof vom 8. März 2025
Ort: Vereinsheim Lindenhof

TOP 1 Begrüßung
Die Vorsitzende begrüßt 23 Mitglieder.

TOP 2 Wahl des Vorstands
Jonas übernimmt die Wahlleitung für die Vorstandswahl.
Gewählt werden Anna Keller als Vorsitzende und Bernd Vogt als Kassierer.

TOP 3 Antrag Gemeinschaftsbeet
Diskussion
Frau Huber berichtet, die GRÜNE-Fraktion im Gemeinderat unterstütze das Beet.
Die Mitglieder stimmen dem Gemeinschaftsbeet mit 20:3 Stimmen zu.
"""


@pytest.fixture(scope="module")
def garden_club(tmp_path_factory) -> Assistant:
    return assistant_over(tmp_path_factory, "garden_club", {"gartenverein-2025-03-08.txt": GARDEN_CLUB})


def test_a_follow_up_naming_something_with_diese_asks_about_the_one_asked_before(garden_club):
    history = ["Wen hat die Versammlung in den Vorstand gewählt?"]
    assert garden_club.understand("Wer leitete diese Wahl?", history=history).followup
    answer = garden_club.ask("Wer leitete diese Wahl?", history=history)
    assert not answer.abstained and "Jonas übernimmt die Wahlleitung" in answer.lead, answer.text
    # "dieses Jahr" is the present, not what was asked about before
    assert not garden_club.understand("Welche Beete legt der Verein dieses Jahr an?", history=history).followup


def test_a_partys_group_in_a_line_names_the_party(garden_club):
    # "die GRÜNE-Fraktion" names the party: no "Eine Partei dazu nennen die Protokolle nicht"
    answer = garden_club.ask("Welche Fraktion im Gemeinderat unterstützt das Gemeinschaftsbeet?")
    assert answer.mode != "lacking" and "GRÜNE-Fraktion" in answer.lead, answer.text


def long_debate() -> str:
    """Minutes of one item debated at length: every speaker names the fund, the tally only "die Motion"."""
    speakers = ["Keller, SVP", "Frei, SP", "Moser, FDP", "Graf, GLP", "Huber, EDU", "Roth, GRÜNE", "Meier, Die Mitte",
                "Wyss, SVP", "Baumann, SP", "Suter, FDP", "Brunner, GLP", "Kunz, EDU"]
    lines = ["Protokoll der Sitzung des Grossen Rates vom 9. Oktober 2024", "",
             "Traktandum 1: Begrüssung", "Der Präsident begrüsst die Anwesenden.", "",
             "Traktandum 2: Protokoll der letzten Sitzung", "Das Protokoll wird genehmigt.", "",
             "Traktandum 3: Motion betreffend mehr Mittel für den Kulturfonds", "Diskussion"]
    for number, speaker in enumerate(speakers, start=1):
        lines += [f"{speaker}: Der Kulturfonds braucht mehr Geld, sagt meine Fraktion zum {number}. Mal; der "
                  "Kulturfonds trägt die Museen und die Theater, und ohne mehr Geld im Kulturfonds geht es nicht.", ""]
        if speaker.endswith("GRÜNE"):  # (one party says it in other words; the others name it as well)
            lines[-2] = f"{speaker}: Wir finden, der Topf für Museen und Bühnen ist gut gefüllt."
        else:
            lines[-2] = lines[-2].replace("es nicht.", "es nicht, auch wenn die Grünen anders reden.")
    lines += ["Beschlussfassung", "Die Motion wird mit 62:45 Stimmen bei 9 Enthaltungen erheblich erklärt.", "",
              "Traktandum 4: Wahl eines Ersatzmitglieds", "Gewählt wird Frau Lenz mit 101 Stimmen."]
    return "\n".join(lines) + "\n"


def test_how_a_vote_turned_out_quotes_the_items_decision_below_a_long_debate(tmp_path_factory):
    # twelve speeches name the fund more often than the tally does: the item's decision still answers, first
    council = assistant_over(tmp_path_factory, "debate", {"grosser-rat-2024-10-09.txt": long_debate()})
    answer = council.ask("Wie ist die Abstimmung über mehr Geld für den Kulturfonds ausgegangen?")
    assert "„Die Motion wird mit 62:45 Stimmen bei 9 Enthaltungen erheblich erklärt.“ [1]" in answer.lead, answer.text


def test_a_party_named_asks_for_its_speakers_turns(tmp_path_factory):
    council = assistant_over(tmp_path_factory, "parties", {"grosser-rat-2024-10-09.txt": long_debate()})
    # the party asked about speaks of the fund in other words than the rest, who name it too: its turn still comes
    # first, and only for the boost
    question = "Wie äussern sich die Grünen zum Kulturfonds?"
    answer = council.ask(question)
    assert answer.passages[0].passage.meta["speaker"] == "Roth, GRÜNE", answer.text
    council.retriever.weights = replace(council.retriever.weights, party_boost=0.0)
    try:
        assert council.ask(question).passages[0].passage.meta["speaker"] != "Roth, GRÜNE"
    finally:
        council.retriever.weights = RankingWeights()
    assert council.understand("Was sagt die EDU-Fraktion?").parties == {"EDU"}
    # a word written small, or a party's name that is not written in capitals in the minutes, names none
    assert not council.understand("Gibt es grüne Ideen für den Kulturfonds?").parties
    assert not council.understand("Was wurde in der Mitte der Sitzung beschlossen?").parties


# Pin-board cards as a PDF gives them, a board to a page: a card's text over a few lines, the dots it got alone on
# the line below.
CARD_BOARDS = [["Verkehr", "5.5.2023", "Sicherer Schulweg", "für die Kinder", "an der Hauptstraße", "6",
                "Bürgerbus", "3", "Radweg nach", "Oberdorf ausbauen", "2"],
               ["Freizeit", "5.5.2023", "Spielplatz am", "Dorfplatz erneuern", "4", "Treffpunkt für", "Jugendliche",
                "1"]]


def test_a_cards_dots_on_the_line_below_its_text_answer_how_many_points_it_got(tmp_path_factory):
    from fpdf import FPDF

    base = tmp_path_factory.mktemp("cards")
    pdf = FPDF()
    for board in CARD_BOARDS:
        pdf.add_page()
        for line in board:
            pdf.set_font("Helvetica", "B" if line == board[0] else "", 18 if line == board[0] else 12)
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    (base / "corpus").mkdir()
    pdf.output(str(base / "corpus" / "themensammlung.pdf"))
    assistant = Assistant.load(corpus_dir=base / "corpus", index_dir=base / "index")
    answer = assistant.ask("Wie viele Punkte bekam der Wunsch nach einem sicheren Schulweg an der Hauptstraße?")
    assert not answer.abstained, answer.text
    # the card's text with its dots, quoted as it runs, and its lines marked with the count
    assert "„Sicherer Schulweg für die Kinder an der Hauptstraße 6“" in answer.lead, answer.lead
    first = answer.passages[0]
    marked = [item.text for item in first.passage.items if item.line in first.highlights]
    assert marked == ["Sicherer Schulweg", "für die Kinder", "an der Hauptstraße", "6"], marked
    # a card whose count stands on its own line is no count of the next card
    answer = assistant.ask("Wie viele Punkte bekam der Treffpunkt für Jugendliche?")
    assert "„Treffpunkt für Jugendliche 1“" in answer.lead, answer.text


def test_a_speaker_named_by_surname_asks_for_their_turns_in_any_language(tmp_path_factory):
    council = assistant_over(tmp_path_factory, "speakers", {"grosser-rat-2024-10-09.txt": long_debate()})
    # Roth speaks of the fund in other words than the rest, who name it: the turn still comes first, and only for
    # the boost (in Italian, too: the surname is the one word the question shares with the minutes)
    for question in ("Was meint Roth zum Kulturfonds?", "Secondo Roth, il fondo per la cultura ha abbastanza soldi?"):
        answer = council.ask(question)
        assert answer.query.speakers == {"Roth, GRÜNE"}
        assert answer.passages[0].passage.meta["speaker"] == "Roth, GRÜNE", answer.text
    council.retriever.weights = replace(council.retriever.weights, speaker_boost=0.0)
    try:
        answer = council.ask("Secondo Roth, il fondo per la cultura ha abbastanza soldi?")
        assert answer.passages[0].passage.meta["speaker"] != "Roth, GRÜNE"
    finally:
        council.retriever.weights = RankingWeights()
    # a surname written small, or no speaker's, names none
    assert not council.understand("Was steht im Protokoll zum roth markierten Antrag?").speakers
    assert council.understand("Wie begründet Kellers Votum den Antrag?").speakers == {"Keller, SVP"}


TALLIES = """\
Protokoll der Sitzung des Gemeinderates Talheim vom 4. März 2024

Traktandum 1: Kredit für die Sanierung des Schulhauses
Diskussion
Keller, SVP: Das Schulhaus muss saniert werden, der Kredit ist nötig.
Beschlussfassung
Der Kredit wird mit 80:20 Stimmen bewilligt.

Traktandum 2: Motion betreffend Tempo 30 im Dorfkern und Kulturförderung
Diskussion
Roth, GRÜNE: Tempo 30 macht den Dorfkern sicherer.
Beschlussfassung
Die Motion wird mit 51:49 Stimmen erheblich erklärt.

Traktandum 3: Jahresrechnung 2023
Beschlussfassung
Die Jahresrechnung wird mit 100:0 Stimmen genehmigt.

Traktandum 4: Motion betreffend den Radweg
Beschlussfassung
Forderung 1 wird mit 60:40 Stimmen erheblich erklärt.
Forderung 2 wird mit 75:25 Stimmen erheblich erklärt.

Traktandum 5: Umfrage zum Dorffest
• 40 Stimmen: a) Ja, im Juni
• 39 Stimmen: b) Ja, im September
• 21 Stimmen: c) Nein
"""


@pytest.mark.parametrize(("question", "tally"), [
    ("Welche Abstimmung ging am knappsten aus?", "mit 51:49 Stimmen"),
    ("Which motion of the Talheim council had the closest vote?", "mit 51:49 Stimmen"),
    ("Welcher Beschluss fiel am deutlichsten aus?", "mit 100:0 Stimmen"),
    # (of the votes on what it names, by the word as written: "Kulturförderung" names no "Forderung")
    ("Welche Forderung wurde am knappsten angenommen?", "mit 60:40 Stimmen"),
])
def test_the_closest_or_clearest_vote_is_found_among_all_tallies(tmp_path_factory, question, tally):
    # every tally of the meeting compared, not the one whose debate shares the question's words; a poll of options
    # ("a) Ja, im Juni") is no vote of yes against no
    council = assistant_over(tmp_path_factory, "tallies", {"gemeinderat-2024-03-04.txt": TALLIES})
    answer = council.ask(question)
    first = answer.passages[0]
    assert tally in answer.lead, answer.text
    assert [item.text for item in first.passage.items if item.line in first.highlights] == [
        next(item.text for item in first.passage.items if tally in item.text)]


def test_a_surname_that_is_also_a_word_of_documents_without_turns_names_no_speaker(tmp_path_factory):
    # "Keller" is a speaker of the council and the cellar of the citizens' round: no speaker's turns are boosted
    council = assistant_over(tmp_path_factory, "keller", {
        "grosser-rat-2024-10-09.txt": long_debate(),
        "buergerrunde-2024-05-02.md": "# Bürgerrunde Talheim\n\n## Rathaus\n\nDer Keller des Rathauses wird "
                                      "renoviert und steht danach den Vereinen offen.\n"})
    assert not council.understand("Was wird aus dem Keller des Rathauses?").speakers
    assert council.understand("Was meint Roth zum Kulturfonds?").speakers == {"Roth, GRÜNE"}

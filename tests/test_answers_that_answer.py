"""Answers that answer, on the real protocols with the real embedder: every place that mentions something and
the places that do not, yes and no, unknown places, the very lines, empty fields, sections asked for in other
words and languages, the lead sentence, and relevance both ways (questions of our own, none from a question set)."""

from __future__ import annotations

import re

import pytest
from support import real_index_dir

from assistant import Assistant, Filters
from assistant.answer import framing, place_of
from assistant.evaluate import contains, right_without_citation
from assistant.evidence import matters_of
from assistant.retrieve import Hit
from assistant.understand import Query
from index.passage import Item, Passage
from index.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Assistant:
    return Assistant.load(corpus_dir=PROJECT_ROOT / "corpus", index_dir=real_index_dir(tmp_path_factory.getbasetemp()))


def highlighted(hit) -> list[str]:
    return [item.text for item in hit.passage.items if item.line in hit.highlights]


# --- every place that mentions it ------------------------------------------------------------------
def test_where_cites_every_place_that_mentions_it_and_names_the_others(real):
    answer = real.ask("Wo fehlen Kita-Plätze?")
    places = [place_of(hit.passage) for hit in answer.passages]
    assert set(places) == {"Bismarck", "Bulmke-Hüllen", "Schalke", "Schalke-Nord"}
    assert places.count("Schalke") == 3  # three of Schalke's four boards, not the best five passages overall
    assert answer.not_mentioned == ["Altstadt", "Feldmark", "Heßler"]
    assert answer.lead == ("Genannt wird es für Bismarck [1], Bulmke-Hüllen [2], Schalke [3–5] und Schalke-Nord [6]; "
                           "nicht erwähnt in: Altstadt, Feldmark und Heßler.")
    for hit in answer.passages:
        lines = highlighted(hit)
        assert lines and all("kita" in line.casefold() for line in lines), hit.citation
        shown = [line for line in answer.text.splitlines() if line.endswith(f"[{answer.passages.index(hit) + 1}]")]
        assert any(line.lstrip("- ") in " ".join(shown) for line in lines)  # never hidden behind "weitere Zeilen"
    cited = sum(hit.lines[1] - hit.lines[0] + 1 for hit in answer.passages)
    assert sum(len(hit.highlights) for hit in answer.passages) <= cited / 2  # a specific question marks few lines


def test_which_boards_is_a_where_question(real):
    # "Auf welchen Tafeln …" asks where, as "Wo …" does: every board that mentions it, and the others named
    boards = real.ask("Auf welchen Tafeln wird von Kita-Plätzen gesprochen?")
    where = real.ask("Wo fehlen Kita-Plätze?")
    assert boards.mode == "where" and boards.lead == where.lead
    assert [hit.passage.id for hit in boards.passages] == [hit.passage.id for hit in where.passages]


def test_alternatives_with_an_adjective_are_each_looked_for(real):
    # "… oder systematisches Quartiersmanagement": the noun after the adjective is the alternative
    answer = real.ask("In welchen Stadtteilen geht es um ein Quartiersbüro oder systematisches Quartiersmanagement?")
    assert answer.mode == "where"
    assert {place_of(hit.passage) for hit in answer.passages} == {"Altstadt", "Schalke-Nord"}


def test_a_verb_listed_beside_a_noun_is_an_alternative_and_the_places_of_the_text_frame_the_question(real):
    # "Leute zu motivieren oder über Motivation": the boards saying "Kinder motivieren" or "„Bürgergruppen“ zu
    # motivieren" answer as well as "Motivationsarbeit"
    answer = real.ask("Wo steht etwas dazu, Leute zu motivieren oder über Motivation?")
    assert answer.mode == "where", answer.text
    texts = " ".join(hit.passage.text for hit in answer.passages)
    assert "Motivationsarbeit" in texts and "„Bürgergruppen“ zu motivieren" in texts, answer.text
    # a verb alone still names nothing asked about where a noun does ("Gibt es" is no matter)
    assert matters_of(real.understand("Wo wird gefordert, mehr Sprachkurse anzubieten?"),
                      real.retriever)[0].words == ["Sprachkurse"]
    # … nor a participle after the alternatives ("angeboten" would be any "Angebot")
    offered = real.ask("Wo werden Sprachkurse oder Kinderbetreuung angeboten?")
    assert len(offered.passages) <= 8 and "Bismarck" not in {place_of(hit.passage) for hit in offered.passages}
    # "An welchen Stellen …" asks where; "Stellen" is not what it is about, but it is where jobs are asked for
    first = matters_of(real.understand("An welchen Stellen geht es um Menschen aus Rumänien?"), real.retriever)[0]
    assert first.words != ["Stellen"], first.words
    jobs = matters_of(real.understand("Wo werden Stellen für Migranten geschaffen?"), real.retriever)
    assert "Stellen" in [word for matter in jobs for word in matter.words]


def test_examples_of_a_kind_and_a_compound_sharing_its_first_part_are_each_looked_for(real):
    # "(Räume, Büro, -management o.ä.)": examples listed before "o.ä." are alternatives, and "-management" is the
    # "Quartiersmanagement" of the word before it
    answer = real.ask("In welchen Stadtteilen will man jemanden vor Ort (Quartiersbüro, -management o.ä.)?")
    assert answer.mode == "where"
    assert {place_of(hit.passage) for hit in answer.passages} == {"Altstadt", "Schalke-Nord"}


def test_compounds_of_one_part_joined_by_und_are_alternatives(real):
    # "Begegnungsorte und -zentren" is written out; a board naming either answers where
    answer = real.ask("Wo werden Begegnungsorte und -zentren gewünscht?")
    places = {place_of(hit.passage) for hit in answer.passages}
    assert answer.mode == "where" and "Schalke-Nord" in places and len(places) >= 3, answer.text


def test_alternatives_sharing_their_first_part_ask_for_anything_it_names(real):
    # "IFÖ-Schulplätze oder IFÖ-Klassen": Heßler's board only says „IFO“, Bulmke-Hüllen's second field
    # "Beschulung von IFÖ in Regelschulen"
    answer = real.ask("Wo tauchen IFÖ-Schulplätze oder IFÖ-Klassen auf den Stadtteiltafeln auf?")
    assert answer.mode == "where"
    assert {place_of(hit.passage) for hit in answer.passages} == {"Bulmke-Hüllen", "Heßler", "Schalke-Nord"}
    assert any("Regelschulen" in hit.passage.text for hit in answer.passages)
    # alternatives with different first parts stay each what they are
    answer = real.ask("In welchen Stadtteilen geht es um ein Quartiersbüro oder systematisches Quartiersmanagement?")
    assert {place_of(hit.passage) for hit in answer.passages} == {"Altstadt", "Schalke-Nord"}


def test_a_surname_the_stemmer_makes_the_same_word_does_not_mention_the_matter(real):
    # Snowball stems "Müller" and "Müll" alike: "Katharina Müller" and "JAGMAR MÜLLER" say nothing about rubbish
    answer = real.ask("Auf welchen Tafeln ist Müll ein Problem?")
    lines = [item.text for hit in answer.passages for item in hit.passage.items if item.line in hit.highlights]
    assert any("Müll" in line for line in lines)
    assert not any("Müller" in line.title() for line in lines)
    assert "Thema 2" not in {place_of(hit.passage) for hit in answer.passages}
    # the name itself is still found by its name
    assert any("Katharina Müller" in hit.passage.text for hit in real.ask("Was übernimmt Katharina Müller?").passages)


def test_a_word_the_corpus_lacks_is_not_found_in_words_sharing_only_its_first_letters(real):
    # "Bundesamt" is no form of "bündeln" ("Ressourcen bündeln"); "begrüßt" is one of "Begrüßung"
    answer = real.ask("Wo wird das Bundesamt erwähnt?")
    assert not any("bündeln" in hit.passage.text for hit in answer.passages if answer.mode == "where")
    greeted = real.ask("Wer hat die Teilnehmenden begrüßt?")
    assert greeted.passages and any("Begrüßung" in hit.passage.text for hit in greeted.passages[:1])


def test_a_word_of_a_fields_prompt_does_not_narrow_a_where_question_to_that_field(real):
    # "für die Integrationsarbeit" is what the staff is for, not the field "Worauf kommt es bei der weiteren
    # Integrationsarbeit besonders an": Schalke-Nord asks for "qualifiziertes Personal" under "Handlungsbedarfe"
    answer = real.ask("In welchen Stadtteilen wird Personal für die Integrationsarbeit gefordert?")
    assert answer.mode == "where"
    assert {place_of(hit.passage) for hit in answer.passages} >= {"Schalke", "Schalke-Nord"}
    assert "Handlungsbedarfe" in {hit.passage.section for hit in answer.passages}


@pytest.mark.parametrize("question, intent", [
    ("Wo liegt bei der Mediation im Stadtteil eigentlich die Schwierigkeit?", None),  # what, not where
    ("Wo liegt beim Sprachkurs der Knackpunkt?", None),
    ("Wo liegen die Probleme in den Stadtteilen?", "where"),
])
def test_an_idiom_with_wo_asks_what_not_where(real, question, intent):
    assert real.understand(question).intent == intent


def test_a_filler_word_alone_names_no_topic(real):
    # "gern" is in topic 12's title ("Ich möchte gern Kontakte …") and nowhere else, but names nothing
    question = "wir würden gern mit christen und juden ins gespräch kommen, gibt es dazu ideen?"
    assert not real.understand(question).topics
    answer = real.ask(question)
    assert answer.passages and "Juden, Christen, Muslime" in answer.passages[0].passage.text
    # a topic's noun alone, or its verb beside its noun, still names it
    assert real.understand("Was wurde zu Kontakten zwischen Migrant*innen und Angehörigen gesagt?").topics
    assert real.understand("Was kam beim Thema Kinder helfen Kinder heraus?").topics


def test_what_a_review_found_in_where_and_yes_no_answers(real):
    # alternatives sharing a common word as their first part are each what they are, not anything "Stadtteil"
    forum = real.ask("Wo werden Stadtteil-Konferenzen oder Stadtteil-Forum erwähnt?")
    assert {place_of(hit.passage) for hit in forum.passages} == {"Thema 1"}, forum.text
    # "gut" of the field's name narrows to it, though short
    good = real.ask("In welchen Stadtteilen ist die Nachbarschaft gut?")
    assert good.passages and {hit.passage.section for hit in good.passages} == {"Was läuft gut"}
    # "in den Stadtteilen" is where the matter is, not the kind of place asked for: the workshops saying so count
    segregation = real.ask("Wo geht es um Segregation in den Stadtteilen?")
    assert {place_of(hit.passage) for hit in segregation.passages} >= {"Heßler", "Workshop 1 - Bildung"}
    # a typo inside a word is still the word
    assert real.ask("Gibt es in Schalke Schrottimobilien?").verdict == "ja"
    # a capitalised adjective before a noun is no first name ("Gemischte Wohnkonzepte")
    assert real.ask("Wo werden Wohnkonzepte genannt?").mode == "where"


@pytest.mark.parametrize("question, place", [
    ("Was wird für die Bärenheide als Handlungsbedarf gesehen?", "Bärenheide"),
    ("Was läuft gut für die Kuhlenmark?", "Kuhlenmark"),
    ("Was wird im Hollerstadt gebraucht?", "Hollerstadt"),
])
def test_a_quarter_named_with_a_preposition_and_article_is_an_unknown_place(real, question, place):
    answer = real.ask(question)
    assert [name for name, _ in answer.query.unknown_places] == [place] and not answer.passages


@pytest.mark.parametrize("question, place", [
    ("Welche Handlungsbedarfe wurden für den Stadtbezirk Gelsenkirchen-Süd gesammelt?", "Gelsenkirchen-Süd"),
    ("What do the Minden workshops suggest for the Nordstadt?", "Nordstadt"),  # an English article before it
    ("Was sagt das Mindener Protokoll zum Stadtteil Dankersen?", "Dankersen"),  # a single name after the word
    ("Welche Maßnahmen sind für den Mindener Stadtteil Bärenkämpen vorgesehen?", "Bärenkämpen"),  # the city's adjective
    ("Was braucht der Gelsenkirchener Stadtteil Buer?", "Buer"),  # (with it, after any article)
    ("Ich wohne in Ückendorf, was läuft da gut?", "Ückendorf"),  # where one lives now is asked about
    # (so is a place one visited, or names like the city's own places; not one's past abroad)
    ("Ich war letzte Woche in Hassel: was fehlt dort?", "Hassel"),
    ("Wir waren in Beckhausen, gibt es dort Handlungsbedarfe?", "Beckhausen"),
    ("Horst'tan gelen aileler için neler yapılıyor?", "Horst"),
])
def test_a_district_named_after_its_kind_or_an_english_article_is_an_unknown_place(real, question, place):
    # (the known city in "Gelsenkirchen-Süd" does not make the district known)
    answer = real.ask(question)
    assert [name for name, _ in answer.query.unknown_places] == [place] and not answer.passages
    # (nor is a part of the name another unknown place: "Ückendorf" of "Ückendorf-Süd")
    assert [name for name, _ in real.understand("Was fehlt im Stadtteil Ückendorf-Süd?").unknown_places] == [
        "Ückendorf-Süd"]


@pytest.mark.parametrize("question", [
    "Was läuft gut im Stadtteil Schalke-Nord?", "Was sagt der Stadtbezirk Gelsenkirchen-Mitte?",  # names it uses
    "Was läuft im Gelsenkirchener Stadtteil Schalke gut?",
    "Welche Probleme gibt es im Bezirk Mitte?", "Was läuft gut im Stadtteil Heßler?",  # a word or place it has
    # what a yes-or-no question asks for in a district is no district
    "Braucht der Stadtteil Kümmerer?", "Gibt es im Quartier Dolmetscher?",
    # a determiner as spoken, and where the one asking comes from, are no places asked about
    "in unserm wohnblock in minden gibts nen gemeinschaftsraum, den keiner pflegt. ist das ein problem im workshop?",
    "ich bin 58 und aus syrien geflüchtet. findet man in minden in meinem alter noch arbeit?",
    "Wir kommen aus Aleppo: gibt es in Minden Sprachkurse?",
    # where the one asking lived or worked before, and a Turkish "those who come from"
    "Ich habe in Damaskus als Lehrerin gearbeitet, aber hier wird mein Abschluss nicht anerkannt. Gibt es Ideen?",
    "Ich war in Kabul Krankenpfleger und finde in Minden keine Arbeit. Was wird vorgeschlagen?",
    "Suriye'den gelen aileler için Minden'de hangi dil kursları öneriliyor?",
    "Was fehlt im Stadtteil Bulmke-Hülken?", "Was fehlt im Stadtteil Hüllen-Bulmke?",  # a district misspelt
])
def test_a_district_the_protocols_name_a_determiner_or_ones_origin_is_no_unknown_place(real, question):
    answer = real.ask(question)
    assert not answer.query.unknown_places and answer.passages, answer.text


@pytest.mark.parametrize(("question", "name"), [("Welche Handlungsbedarfe wurden für Hassel gesammelt?", "Hassel"),
                                              ("Welche Probleme gibt es für Rentner?", "Rentner")])
def test_a_field_asked_for_a_name_the_protocols_never_use_says_the_answer_is_general(real, question, name):
    # The field is answered for every topic, not silently as if for the one asked about (a place or a group): said
    # first, before any quote
    answer = real.ask(question)
    assert answer.query.unheard == (name,) and answer.passages, answer.text
    assert answer.text.startswith(f"„{name}“ kommt in den Protokollen nicht vor"), answer.text
    assert answer.lead.startswith(f"„{name}“ kommt in den Protokollen nicht vor"), answer.lead


@pytest.mark.parametrize("question", ["Welche Handlungsbedarfe gibt es für Familien?",  # a word of the boards
                                      "Welche Probleme gibt es für Flüchtlingsfamilien?",  # its last part is one
                                      "Was fehlt den Bewohnern für Schalke?",  # a place the protocols know
                                      "Welche Unterstützung ist für Azubis geplant?"])  # no field asked for
def test_a_name_after_fuer_that_the_protocols_use_or_without_a_field_is_not_said_to_be_missing(real, question):
    answer = real.ask(question)
    assert not answer.query.unheard and "nicht vor:" not in answer.text, answer.text


@pytest.mark.parametrize("question", ["Klagt man in Bismarck über einen Mangel an Kita-Plätzen?",
                                      "Gibt es in Bismarck einen Bedarf an Arbeitsplätzen?"])
def test_a_yes_or_no_question_about_a_lack_of_something_asks_about_the_thing(real, question):
    # "ein Mangel an Kita-Plätzen": the board's "keine / bzw. zu wenig KiTA-Plätze" says so, though not "Mangel"
    answer = real.ask(question)
    assert answer.verdict == "ja" and answer.passages[0].passage.place == "Bismarck", answer.text


def test_a_yes_or_no_question_naming_a_field_the_thing_is_not_under_says_where_it_is(real):
    # Schalke's "Schrottimmobilien" is a need, not something that goes well: "no", and the field it is under
    answer = real.ask("Gibt es in Schalke Schrottimmobilien bei dem, was gut läuft?")
    assert answer.verdict == "nein" and answer.mode == "elsewhere", answer.text
    assert "„Was läuft gut“" in answer.lead and "„Handlungsbedarfe“" in answer.lead, answer.lead
    assert "Schrottimmobilien" in answer.lead and answer.passages[0].passage.place == "Schalke"
    assert not answer.only_similar  # (the line quoted is the thing asked about, under another field)
    # (asked under the field it is under: yes)
    assert real.ask("Werden in Schalke Schrottimmobilien als Handlungsbedarf genannt?").verdict == "ja"


def test_a_yes_or_no_question_is_not_narrowed_to_a_field_guessed_by_meaning(real):
    # a field guessed wrong would turn a yes into a no ("Ist da etwas?" looks on every field of the place); a
    # question for what keeps the guess
    assert real.understand("Gibt es in Bulmke-Hüllen einen Ort, an dem man sich im Quartier trifft?").sections == {}
    assert real.understand("Was klappt in Bulmke-Hüllen schon?").sections == {"Was läuft gut": 0.5}


@pytest.mark.parametrize("question", ["Was wird für die Hansestadt Minden vorgeschlagen?",  # what Minden is
                                      "Gibt es Zahlen zum Benchmark?", "Was fehlt im Wohnviertel?"])
def test_a_word_like_a_quarters_name_is_no_unknown_place(real, question):
    assert not real.understand(question).unknown_places


def test_a_follow_up_pointing_back_at_a_topic_asks_for_a_district_within_it(real):
    # "darum" is the working group's topic; "in der Altstadt" what is asked of it ("Für die Altstadt: M. Mail …"),
    # not the Altstadt's exchange boards
    history = ["Was hat die Arbeitsgruppe zu Treffpunkten und Begegnungsorten empfohlen?"]
    query = real.understand("Und wer kümmert sich darum in der Altstadt?", history)
    assert not query.places and query.topics
    answer = real.ask("Und wer kümmert sich darum in der Altstadt?", history=history)
    assert any("Für die Altstadt" in hit.passage.text for hit in answer.passages[:5]), answer.text
    # a follow-up naming a district without pointing back asks about the district
    assert [place.name for place in real.understand("Und in der Altstadt?", history).places] == ["Altstadt"]


def test_a_field_named_only_as_one_of_two_alternatives_does_not_narrow_a_where_question(real):
    # "ob gut oder schlecht": every field, not only "Was läuft gut"
    answer = real.ask("Wo wird Vernetzung genannt, ob gut oder schlecht?")
    assert not answer.query.sections
    assert {hit.passage.section for hit in answer.passages} >= {"Was läuft gut", "Handlungsbedarfe"}
    assert real.understand("Was läuft gut in Schalke?").sections == {"Was läuft gut": 1.0}
    # the other alternative a noun or a word like "nicht": the section named stays
    assert "Handlungsbedarfe" in real.understand("Welche Handlungsbedarfe oder Wünsche gibt es in Bismarck?").sections


@pytest.mark.parametrize("question, section", [
    ("In welchen Stadtteilen läuft die Vernetzung gut?", "Was läuft gut"),
    ("Wo wird Vernetzung als Handlungsbedarf genannt?", "Handlungsbedarfe"),
])
def test_where_under_a_field_the_question_names_counts_only_that_field(real, question, section):
    answer = real.ask(question)
    assert answer.mode == "where" and answer.passages
    assert {hit.passage.section for hit in answer.passages} == {section}
    everywhere = real.ask("In welchen Stadtteilen wird Vernetzung genannt?")
    assert {hit.passage.section for hit in everywhere.passages} >= {"Was läuft gut", "Handlungsbedarfe"}
    # a district naming it only under another field is among those that do not mention it under this one
    found = {place_of(hit.passage) for hit in answer.passages}
    assert {place_of(hit.passage) for hit in everywhere.passages} - found <= set(answer.not_mentioned)
    assert found.isdisjoint(answer.not_mentioned)


def test_a_board_without_a_district_is_named_as_such_not_as_a_place(real):
    answer = real.ask("Wo wird Klimaschutz genannt?")
    board = next(n for n, hit in enumerate(answer.passages, start=1) if place_of(hit.passage) == "ohne Stadtteilangabe")
    assert f"eine Tafel ohne Stadtteilangabe [{board}]" in answer.lead
    assert "für ohne" not in answer.lead


def test_which_districts_are_answered_with_districts(real):
    # "In welchen Stadtteilen": the board no district is written on is no district beside those that are …
    districts = real.ask("In welchen Stadtteilen ist Integration im Sport ein Thema?")
    assert districts.passages and all(hit.passage.place for hit in districts.passages)
    # … while "Wo …?" names it too
    anywhere = real.ask("Wo wird Integration im Sport genannt?")
    assert any(place_of(hit.passage) == "ohne Stadtteilangabe" for hit in anywhere.passages)


def test_mentions_beyond_what_an_answer_shows_are_counted_with_their_places(real, monkeypatch):
    import assistant
    everything = real.ask("Wo geht es um Sprache?")
    monkeypatch.setattr(assistant, "MAX_MENTIONS", 5)
    answer = real.ask("Wo geht es um Sprache?")
    assert answer.passages == everything.passages[:5] and answer.not_shown == len(everything.passages) - 5
    unseen = {place_of(hit.passage) for hit in everything.passages[5:]} - {place_of(hit.passage)
                                                                           for hit in answer.passages}
    note = next(line for line in answer.text.splitlines() if line.startswith("Weitere "))
    assert note.startswith(f"Weitere {answer.not_shown} Stellen sind hier nicht gezeigt (auch in: ")
    assert unseen and all(place in note for place in unseen)
    assert answer.not_mentioned == everything.not_mentioned  # worked out from all of them
    places = real.ask("Welche Stadtteile wurden besprochen?")
    assert len(places.passages) == 5 and places.not_shown == 2
    assert places.lead.endswith("Heßler [5], Schalke und Schalke-Nord.")  # a list names every place
    monkeypatch.setattr(assistant, "MAX_MENTIONS", 6)
    one_more = real.ask("Welche Stadtteile wurden besprochen?")
    assert "Eine weitere Stelle ist hier nicht gezeigt (auch in: Schalke-Nord)" in one_more.text


def test_where_asks_for_a_kind_of_place(real):
    districts = real.ask("In welchen Stadtteilen ist Müll ein Thema?")
    assert {hit.passage.board_kind for hit in districts.passages} == {"district"}
    assert "Bismarck" in {hit.passage.place for hit in districts.passages}  # "Mülltrennung / Vermüllung"
    workshops = real.ask("In welchen Workshops geht es um Wohnraum?")
    assert workshops.passages and {hit.passage.board_kind for hit in workshops.passages} == {"table_row"}


@pytest.mark.parametrize("question, start", [
    ("Welche Workshops gab es in Minden?", "Workshops im Protokoll: "),
    ("Which workshops were there?", "The workshops in the protocols: "),
    ("Minden'de hangi çalıştaylar vardı?", "Protokollerdeki çalıştaylar: "),
])
def test_which_workshops_there_were_lists_each_by_its_heading(real, question, start):
    answer = real.ask(question)
    headings = ["Workshop 1 - Bildung", "Workshop 2 - Wohnen", "Workshop 3 - Zusammenleben und Teilhabe",
                "Workshop 4 - Arbeitsmarktintegration"]
    assert [highlighted(hit) for hit in answer.passages] == [[heading] for heading in headings]
    assert answer.lead.startswith(start) and all(f"{heading} [{n}]" in answer.lead
                                                 for n, heading in enumerate(headings, start=1))


def test_which_districts_there_were_lists_every_district_once(real):
    answer = real.ask("Welche Stadtteile wurden besprochen?")
    districts = ["Altstadt", "Bismarck", "Bulmke-Hüllen", "Feldmark", "Heßler", "Schalke", "Schalke-Nord"]
    assert [hit.passage.place for hit in answer.passages] == districts
    assert answer.lead == ("Stadtteile im Protokoll: " + ", ".join(f"{d} [{n}]" for n, d in
                                                                  enumerate(districts[:-1], start=1))
                           + " und Schalke-Nord [7].")


@pytest.mark.parametrize("question, lead", [
    ("Welche Workshops gab es in Gelsenkirchen?",
     "In „Integrationskonferenz Gelsenkirchen-Mitte“ gibt es keine Workshops."),
    ("Which districts were there in Minden?", "There are no districts in „IKON Minden, Workshopphase 1“."),
])
def test_a_kind_of_place_a_protocol_does_not_have_is_said_to_be_missing(real, question, lead):
    answer = real.ask(question)
    assert answer.lead == lead and not answer.passages  # not passages that happen to share a word
    assert "Schalke" in answer.text or "Wohnen" in answer.text  # and the places it does have


def test_no_places_of_a_kind_within_the_filters_names_only_what_was_looked_in(real):
    from assistant import Filters
    gelsenkirchen = {"gelsenkirchen-integrationskonferenz-mitte-2019.txt"}
    answer = real.ask("Welche Workshops gab es?", filters=Filters(gelsenkirchen, set(), set()))
    assert answer.lead == "In „Integrationskonferenz Gelsenkirchen-Mitte“ gibt es keine Workshops."
    assert "Wohnen" not in answer.text  # Minden's workshops were not looked in
    outside = real.ask("Welche Workshops gab es in Minden?", filters=Filters(gelsenkirchen, set(), set()))
    assert outside.abstained and "Durchsucht: Integrationskonferenz Gelsenkirchen-Mitte" in outside.text


@pytest.mark.parametrize("question", ["In welchen Stadtteilen fehlen Kitas?", "Which districts lack daycare places?",
                                      "Hangi semtlerde çöp sorunu var?"])
def test_a_kind_of_place_with_a_matter_is_no_list_of_all_places(real, question):
    answer = real.ask(question)
    assert answer.passages and not answer.lead.startswith(("Stadtteile im", "The districts", "Protokollerdeki"))


@pytest.mark.parametrize("question, line", [
    ("Wann war die Konferenz zu Ende?", "20:30 Abschlussrunde"),
    ("Welche Firma hat die Konferenz moderiert?", "Moderation: Axel Jürgens, PETERS & HELBIG GmbH"),
    ("Um wie viel Uhr begann die Integrationskonferenz?", "17:00 Ankommen"),
])
def test_a_fact_of_the_conference_is_answered_from_its_own_pages_not_a_topic_that_names_conferences(real, question,
                                                                                                     line):
    answer = real.ask(question)
    assert answer.query.topics == {}
    assert answer.passages[0].passage.board == "Programm" and line in answer.passages[0].text


@pytest.mark.parametrize("question, lead", [
    ("Um wie viel Uhr begann die Integrationskonferenz?", "Im Protokoll steht unter „Programm“: „17:00 Ankommen“ [1]."),
    ("Wann war die Konferenz zu Ende?", "Im Protokoll steht unter „Programm“: „20:30 Abschlussrunde“ [1]."),
    ("When did the conference start?", "The minutes say under „Programm“: „17:00 Ankommen“ [1]."),
    ("When did the conference end?", "The minutes say under „Programm“: „20:30 Abschlussrunde“ [1]."),
    ("Wann endet die Konferenz?", "Im Protokoll steht unter „Programm“: „20:30 Abschlussrunde“ [1]."),
    ("What time was the welcome?", "The minutes say under „Programm“: „17:30 Begrüßung“ [1]."),
    # short, and so near everyday questions to the embedder: a programme line naming it with its hour answers
    ("Wann war die Begrüßung?", "Im Protokoll steht unter „Programm“: „17:30 Begrüßung“ [1]."),
    ("Um wie viel Uhr war die Abschlussrunde?", "Im Protokoll steht unter „Programm“: „20:30 Abschlussrunde“ [1]."),
    ("Konferans ne zaman başladı?", "Protokolde „Programm“ altında şu yazıyor: „17:00 Ankommen“ [1]."),
    ("Wie viele Einrichtungen gehören in Schalke zum Bildungsverbund?",
     "Auf der Tafel „Austausch · Schalke · Tafel 1 von 4“ steht: „Bildungsverbund ca. 50 Einrichtungen mit "
     "Kooperationsvertrag“ [1]."),
])
def test_a_question_for_a_time_or_a_number_quotes_the_line_that_holds_one(real, question, lead):
    assert real.ask(question).lead == lead


@pytest.mark.parametrize("earlier, question, line", [
    ("Was ist beim Thema Kinder helfen Kinder das Ergebnis?", "Wer hat in der Gruppe mitgearbeitet?", "Fr. Mansour"),
    ("Was wurde zum Thema Religion respektieren erarbeitet?", "Wer war in dieser Arbeitsgruppe?", "Dr. Aljarrabi"),
])
def test_a_short_follow_up_asking_for_a_field_stays_at_the_topic(real, earlier, question, line):
    answer = real.ask(question, history=[earlier])
    topic = real.understand(earlier).topics
    assert answer.query.followup and answer.query.topics == topic
    first = answer.passages[0].passage
    assert (first.source, first.topic_no) in topic and first.section == "Teilnehmende" and line in first.text


def test_a_topic_question_cites_the_fields_that_answer_not_the_field_repeating_its_title(real):
    answer = real.ask("Was hat die Arbeitsgruppe zum Thema Offene Kinder- und Jugendarbeit erarbeitet?")
    sections = {hit.passage.section for hit in answer.passages if hit.passage.topic_no == 8}
    assert {"Herausforderung", "Betroffene", "Ergebnis", "Lösungsideen", "Empfehlungen", "Verantwortung"} <= sections
    assert "Titel" not in sections
    # Asked for by its name, the title field is cited.
    assert real.ask("Wie lautet der Titel von Thema 5?").passages[0].passage.section == "Titel"


def test_an_agenda_item_saying_only_its_title_is_still_cited():
    from assistant import only_its_heading
    from index import Item, Passage

    adjourned = Passage(source="rat.txt", doc_title="Protokoll", board_kind="agenda_item",
                        board="4. Friedhofsgebühren (vertagt)", section=None,
                        items=[Item("4. Friedhofsgebühren (vertagt)", 12)], meta={"item": "4"})
    title = Passage(source="k.txt", doc_title="Protokoll", board_kind="topic_result", board="Thema 5: Kinder helfen",
                    section="Titel", items=[Item("Thema: Kinder helfen", 3)], topic="Kinder helfen", topic_no=5)
    assert not only_its_heading(adjourned) and only_its_heading(title)


@pytest.mark.parametrize("question", ["Welche Ziele gibt es für mehr Teilhabe?",
                                      "Wo gibt es im Bezirk zu wenig Kitas?"])
def test_a_word_of_a_title_that_names_no_meeting_asks_for_no_fact_of_the_meeting(real, question):
    # "Teilhabe" is the conference's motto, "Bezirk" the end of "Stadtbezirk": neither is the conference.
    answer = real.ask(question)
    assert answer.query.meeting_fact == frozenset()
    assert answer.passages and answer.passages[0].passage.board_kind not in ("title", "programme", "goals")


def test_a_short_question_with_a_matter_of_its_own_is_a_new_question(real):
    answer = real.ask("Welche Lösungsideen gibt es für Kitas?",
                      history=["Was ist beim Thema Sprachkurse mit Praxis das Problem?"])
    assert not answer.query.followup and answer.query.topics == {}


def test_the_heading_of_a_workshop_is_not_quoted_as_its_answer(real):
    answer = real.ask("Was sind die Herausforderungen im Workshop Bildung?")
    assert answer.passages and "„Workshop 1 - Bildung“" not in answer.lead
    assert "Kinder und Jugendliche müssen im (schulischen) Bildungsbereich" in answer.lead


def test_which_districts_there_were_in_turkish(real):
    assert real.ask("Hangi semtler vardı?").lead.startswith("Protokollerdeki semtler: Altstadt [1]")


def test_a_topic_named_by_a_compound_of_the_title_word_stays_that_topic(real):
    answer = real.ask("Was wurde zur Stadtteil-Konferenz erarbeitet?")
    assert answer.passages and all(hit.passage.topic_no == 1 for hit in answer.passages[:3])


@pytest.mark.parametrize("question, start", [
    ("Where can I register my car in Gelsenkirchen?", "I found nothing on this in the protocols"),
    ("Wo kann ich in Gelsenkirchen mein Auto ummelden?", "Dazu habe ich in den Protokollen nichts gefunden"),
    ("Oturma izni için nereye başvurmalıyım?", "Protokollerde bununla ilgili bir şey bulamadım"),
])
def test_a_service_question_is_refused_in_its_own_language(real, question, start):
    answer = real.ask(question)
    assert answer.abstained and answer.passages == [] and answer.text.startswith(start)
    assert "Integrationskonferenz Gelsenkirchen-Mitte" in answer.text  # what was searched


@pytest.mark.parametrize("question, lead", [
    ("Wie beantrage ich einen Kita-Platz in Gelsenkirchen?",
     "Einen Weg zur Anmeldung oder zum Antrag dazu nennen die Protokolle nicht."),
    ("Wie hoch sind die Müllgebühren in Minden?", "Einen Betrag dazu nennen die Protokolle nicht."),
])
def test_how_to_apply_or_what_a_fee_is_needs_a_line_that_says_so(real, question, lead):
    # the boards speak of Kita-Plätze and Mülltrennung, not of how to get a place or what the bins cost
    answer = real.ask(question)
    assert answer.abstained and answer.lead.startswith(lead)


def test_unknown_place_is_said_to_be_unknown_never_replaced(real):
    for question, name in (("Was läuft gut in Buer?", "Buer"), ("What is going well in Horst?", "Horst"),
                           ("Wie sieht es in Hassel mit Müll aus?", "Hassel")):
        answer = real.ask(question)
        assert answer.passages == [] and answer.query.unknown_places[0][0] == name
        assert f"„{name}“" in answer.lead
        assert "Schalke" in answer.text and "Bismarck" in answer.text  # the places the protocols do know
    assert real.ask("Was läuft gut in Buer?").lead == "„Buer“ kommt in den Protokollen nicht als Ort vor."
    assert real.ask("What is going well in Horst?").lead == "„Horst“ is not a place the protocols know."
    # a word of the protocols after "in" is no place ("in Schulen"), and a known place is found as before
    assert not real.understand("Was wird in Schulen angeboten?").unknown_places
    assert real.ask("Was läuft gut in Feldmark?").passages


@pytest.mark.parametrize("question, name", [
    ("Was klappt in der Neustadt schon gut?", "Neustadt"),  # a quarter named with its article
    ("Was läuft gut in Neustadt?", "Neustadt"),  # "neu" and "Stadt" are words of the protocols, "Neustadt" is not
    ("Welche Probleme gibt es in der Südstadt?", "Südstadt"),
    ("Gibt es Vorschläge speziell für Häverstädt?", "Häverstädt"),  # a place by its ending, whatever stands before
    # begins like a word of the protocols ("schaffen", "Stadtteil") but is no form of it
    ("Was fehlt in Schaffrath?", "Schaffrath"),
    ("Welche Handlungsbedarfe gibt es in Stadtwald?", "Stadtwald"),
])
def test_a_quarter_the_protocols_do_not_know_is_unknown_even_where_its_parts_are_words(real, question, name):
    answer = real.ask(question)
    assert answer.passages == [] and answer.query.unknown_places[0][0] == name


def test_a_known_quarter_or_a_noun_with_its_article_is_no_unknown_place(real):
    for question in ("Was gibt es in der Altstadt?", "Was läuft gut in der Feldmark?", "Was tut die Stadt?",
                     "Gibt es im Altenheim Angebote?", "Wie ist es in der Stadt?"):
        assert not real.understand(question).unknown_places, question


def test_a_follow_up_asks_more_of_what_the_earlier_question_was_about(real):
    # "die" stands for the workshop asked about: its rows on sport, not every proposal made in Minden
    answer = real.ask("Und was schlagen die vor?", history=["Was sagt der Workshop in Minden zum Sport?"])
    assert "Sport" in answer.passages[0].text
    # a spoken "drum" points back at the earlier topic: its board answers
    answer = real.ask("Wer kümmert sich drum?", history=["Worum geht es beim Thema Kinder helfen Kinder?"])
    assert answer.query.followup
    topics = {hit.passage.topic_no for hit in answer.passages if hit.passage.topic_no is not None}
    assert topics == {5} and any(hit.passage.topic == "Kinder helfen Kinder" for hit in answer.passages)
    # one naming a matter of its own asks the same about it, not about the earlier one's
    answer = real.ask("Und was ist mit dem Müll?", history=["Welche Probleme gibt es in Schalke mit Parkplätzen?"])
    assert "Parkpl" not in answer.query.text and "Müll" in answer.passages[0].text


def test_a_question_about_a_workshop_is_answered_from_its_rows_only(real):
    answer = real.ask("Was wurde zum Wohnen vorgeschlagen?")
    workshops = {hit.passage.place for hit in answer.passages if hit.passage.board_kind == "table_row"}
    assert workshops == {"Wohnen"}
    # A table row is no board on a wall: the lead says where in the protocol it stands, and in which protocol,
    # since the answer cites both
    assert len({hit.source for hit in answer.passages}) == 2
    assert answer.lead.startswith("In „IKON Minden, Workshopphase 1“ steht unter „Workshop 2 – Wohnen")
    # named as a workshop, it is that workshop's rows only
    answer = real.ask("Was wurde im Workshop Wohnen vorgeschlagen?")
    assert {hit.source for hit in answer.passages} == {"minden-ikon-workshopphase-1.txt"}
    assert {hit.passage.place for hit in answer.passages if hit.passage.board_kind == "table_row"} == {"Wohnen"}
    assert answer.lead.startswith("Im Protokoll steht unter „Workshop 2 – Wohnen")


def test_a_column_of_the_workshop_table_is_no_missing_field(real):
    answer = real.ask("Was ist die Herausforderung im Workshop Bildung?")
    assert "keinen Abschnitt" not in answer.text  # the rows' "Herausforderung" column is the field asked for
    assert answer.passages[0].passage.place == "Bildung"


def test_a_follow_up_about_another_matter_leaves_out_every_earlier_one(real):
    history = ["Was wird zum Müll gesagt?", "Und wer kümmert sich darum?"]
    assert "Müll" not in real.understand("Und was war mit dem Spielplatz?", history).text
    # an article before an adjective is no word pointing back: the earlier matter is left out here too
    assert "Müll" not in real.understand("Und was ist mit den älteren Menschen?", history[:1]).text
    # a pronoun keeps it ("Welche Maßnahmen schlagen die vor?")
    assert "Sport" in real.understand("Und welche Maßnahmen schlagen die vor?",
                                      ["Was sagt der Workshop in Minden zum Sport?"]).text


def test_groups_are_the_kind_the_protocols_call_so_and_chained_alternatives_all_count(real):
    # Gelsenkirchen's topic boards print "Teilnehmende der Arbeitsgruppe"; Minden's workshops never say so
    answer = real.ask("In welchen Arbeitsgruppen wird gefordert, neue oder alternative Räume bzw. Begegnungszentren "
                      "zu schaffen?")
    assert answer.mode == "where" and answer.query.place_kind == "topic"
    # "Räume" and "Begegnungszentren" both: the boards naming either
    assert {hit.passage.topic_no for hit in answer.passages} >= {6, 9, 10}
    assert real.understand("In welchen Workshops geht es um Ehrenamt?").place_kind == "group"
    # "Bei welchen Gruppen …" asks where too, and a "Gruppe" is what the protocols call an "Arbeitsgruppe"
    groups = real.ask("Bei welchen Gruppen soll sich die Stadt die Verantwortung mit anderen teilen?")
    assert groups.mode == "where" and groups.query.place_kind == "topic"
    assert {hit.passage.section for hit in groups.passages} == {"Verantwortung"}, groups.text


def test_a_follow_up_naming_the_earlier_matter_by_its_last_part_or_a_pronoun_keeps_it(real):
    # "die Förderung" is the "Sprachförderung" asked about before, not a matter of its own
    query = real.understand("Und wer bezahlt die Förderung?", ["Was wird zur Sprachförderung gesagt?"])
    assert query.followup and "Sprachförderung" in query.text
    # a short question naming nothing but a pronoun is about the earlier matter, however it opens
    for question in ("Lässt sich das irgendwie ändern?", "Wer kümmert sich um die?"):
        query = real.understand(question, ["Was wird zum Müll gesagt?"])
        assert query.followup and "Müll" in query.text, question
    # one naming a matter of its own after the pronoun-like article is a question of its own
    assert not real.understand("Was machen die Vereine?", ["Was wird zum Müll gesagt?"]).followup
    # so is a short one naming it again by its last part, without "und" (not one naming a thing of its own)
    assert real.understand("Wer bezahlt die Förderung?", ["Was wird zur Sprachförderung gesagt?"]).followup
    assert not real.understand("Wer organisiert das Fest?", ["Was wird zur Sprachförderung gesagt?"]).followup


def test_a_field_the_workshop_lacks_is_said_to_be_missing_not_taken_from_other_boards(real):
    # Minden's workshop rows have no "Verantwortung": said so first, then what the Wohnen rows do say; never the
    # responsible people of Gelsenkirchen's topics as if they were Wohnen's
    answer = real.ask("Und wer ist dafür verantwortlich?", history=["Was wurde im Workshop Wohnen vorgeschlagen?"])
    assert answer.lead == "Für Wohnen gibt es im Protokoll keinen Abschnitt „Verantwortung“."
    assert answer.passages and {hit.passage.place for hit in answer.passages} == {"Wohnen"}


def test_a_topic_named_with_the_word_of_a_workshop_is_not_said_to_lack_the_field_it_has(real):
    # "Bildung" is also Minden's workshop, which has no "Verantwortung"; Thema 7 ("Bildung | IFÖ | Übergänge") has
    answer = real.ask("Wer hat beim Thema Bildung, IFÖ und Übergänge den Hut auf?")
    assert "keinen Abschnitt" not in answer.text, answer.text
    assert answer.passages[0].passage.section == "Verantwortung" and "U. Hardering" in answer.lead, answer.text
    # the workshop named as one still lacks it
    workshop = real.ask("Wer ist im Workshop Bildung verantwortlich?")
    assert workshop.lead == "Für Bildung gibt es im Protokoll keinen Abschnitt „Verantwortung“.", workshop.text


def test_whether_that_is_a_problem_asks_it_of_the_thing_asked_about_before(real):
    # "das" is the Jugendtreff of the earlier question: the boards are silent on it, not on "Problem"
    silent = real.ask("Ist das dort ein Problem?", ["Gibt es in Schalke-Nord einen Jugendtreff?"])
    assert silent.verdict == "nein" and silent.only_similar, silent.text
    # and where the place's boards name it, "Ja" with the line, not "not under „Herausforderung“", a field named
    # by its prompt only ("Was ist die Herausforderung / das Problem")
    named = real.ask("Ist das dort ein Problem?", ["Gibt es in Schalke Schrottimmobilien?"])
    assert named.lead == "Ja – für Schalke steht auf der Tafel: „Schrottimmobilien“ [1].", named.text


def test_a_field_found_by_its_prompt_alone_is_no_banner_of_a_missing_section(real):
    # "Probleme" is a word of the topics' prompt "Was ist die Herausforderung / das Problem"; the user never named
    # "Herausforderung", and Schalke's boards have their own field for it
    answer = real.ask("Welche davon sind in Schalke?", ["Wo gibt es Probleme mit Schrottimmobilien oder Leerstand?"])
    assert answer.passages and "keinen Abschnitt" not in answer.text, answer.text
    # ("Welche davon sind in Schalke?" asks whether Schalke's boards name what the where-question asked about)
    assert answer.lead == "Ja – für Schalke steht auf der Tafel: „Schrottimmobilien“ [1].", answer.text
    again = real.ask("Ist das dort ein Problem?", ["Gibt es in Schalke-Nord einen Jugendtreff?"])
    assert "Herausforderung" not in again.lead, again.text
    # a field named by its name still is ("Und wer ist dafür verantwortlich?" after a workshop), see above


def test_unknown_place_is_offered_only_names_spelled_like_it(real):
    # "Hassel" is spelled like "Heßler"; "Buer" like no place ("Bildung", a workshop, shares two letters)
    assert dict(real.understand("Wie sieht es in Hassel mit Müll aus?").unknown_places) == {"Hassel": ["Heßler"]}
    buer = real.ask("Was läuft gut in Buer?")
    assert dict(buer.query.unknown_places) == {"Buer": []}
    assert "Am ähnlichsten" not in buer.text and "Bildung" in buer.text  # listed among all places, not offered
    # the places listed by kind, a workshop's name with "und" as one name
    assert "Stadtteile Altstadt, Bismarck" in buer.text and "Workshops Arbeitsmarktintegration" in buer.text
    assert "„Zusammenleben und Teilhabe“" in buer.text
    # A place "in Minden": Minden's workshops are listed, not Gelsenkirchen's districts
    minden = real.ask("Was wurde für Rodenbeck in Minden vorgeschlagen?")
    assert minden.query.unknown_places and "Wohnen" in minden.text and "Schalke" not in minden.text


def test_a_named_districts_own_boards_are_not_pushed_out_by_a_page_that_names_it(real):
    # A title page naming the district scores just above the cut, the district's third board just below it: the
    # district's boards are what the question asks about, so all of them are cited, and before the title page.
    query = real.understand("Was wird über Feldmark gesagt?")
    own = [p for p in real.store.passages if p.place == "Feldmark"]
    title = next(p for p in real.store.passages if p.place is None and "Feldmark" in p.text)
    assert len(own) >= 3
    hits = [Hit(own[0], 1.0), Hit(own[1], 0.9), Hit(title, 0.61), Hit(own[2], 0.55)]
    cited = real.cite(hits, query)
    assert [hit.passage for hit in cited] == [*own[:3], title]
    # a passage of no named place still needs to come close to the best one
    assert Hit(title, 0.55) not in real.cite([Hit(own[0], 1.0), Hit(title, 0.55)], query)


def test_a_named_districts_boards_come_before_a_topic_board_that_shares_a_word(real):
    # "Treffpunkte" is also in a topic's title: its seven boards do not crowd out Bulmke-Hüllen's own
    answer = real.ask("Welche Einrichtungen und Treffpunkte gibt es in Bulmke-Hüllen?")
    own = {(p.board, p.section) for p in real.store.passages if p.place == "Bulmke-Hüllen"}
    cited = [(hit.passage.board, hit.passage.section) for hit in answer.passages]
    assert len(own) >= 5 and own <= set(cited)
    assert cited[:len(own)] == [pair for pair in cited if pair in own]  # first


def test_a_table_row_split_for_its_length_is_cited_with_all_its_parts(real):
    # The challenge of a workshop row in its first part, its suggestions in the second: one unit
    parts = [p for p in real.store.passages if p.board_kind == "table_row" and p.meta.get("parts", 1) > 1]
    first = next(p for p in parts if p.meta["part"] == 1)
    second = next(p for p in parts if p.meta["part"] == 2 and (p.source, p.board, p.section)
                  == (first.source, first.board, first.section))
    other = next(p for p in real.store.passages if p.board_kind == "table_row" and p.board != first.board)
    position = {id(p): n for n, p in enumerate(real.store.passages)}
    hits = [Hit(first, 1.0, position=position[id(first)]), Hit(other, 0.9, position=position[id(other)]),
            Hit(second, 0.3, position=position[id(second)])]
    cited = real.cite(hits, real.understand("Was wird zur Arbeit vorgeschlagen?"))
    assert [hit.passage for hit in cited] == [first, second, other]
    # a part never pushes out a passage the ranking found close
    others = [p for p in real.store.passages if p.board_kind == "table_row" and p.board != first.board][:7]
    full = [hits[0], *(Hit(p, 0.9, position=position[id(p)]) for p in others), hits[2]]
    assert [hit.passage for hit in real.cite(full, real.understand("Was wird zur Arbeit vorgeschlagen?"))] \
        == [first, *others]
    # a passage of another row that scores as low is not cited
    third = next(p for p in real.store.passages if p.board_kind == "table_row" and p.board not in (first.board,
                                                                                                 other.board))
    low = [*hits[:2], Hit(third, 0.3, position=position[id(third)])]
    assert [hit.passage for hit in real.cite(low, real.understand("Was wird zur Arbeit vorgeschlagen?"))] \
        == [first, other]


def test_a_compound_cut_short_asks_for_its_whole_word_too(real):
    # "Kita- oder Sportplätze" asks where Kita-Plätze or Sportplätze are missing, not for "Kita" alone
    answer = real.ask("In welchen Stadtteilen fehlen Kita- oder Sportplätze?")
    places = {hit.passage.place for hit in answer.passages}
    assert {"Altstadt", "Bismarck"} <= places, answer.text  # "mehr Sportplätze", "zu wenig KiTA-Plätze"


def test_a_follow_up_naming_the_topic_by_its_article_alone_inherits_it(real):
    # "das Thema", "die Karte": the topic asked about before, though the question is long and has no "dazu"
    answer = real.ask("Wer hatte das Thema ursprünglich auf die Karte geschrieben?",
                      history=["Was empfiehlt die Arbeitsgruppe zu Klimaschutz und Müllentsorgung?"])
    assert "topics" in answer.query.inherited
    assert {hit.passage.topic_no for hit in answer.passages} == {11}, answer.text
    assert any(hit.passage.section == "Themenkarte" for hit in answer.passages)


def test_a_follow_up_naming_its_topic_is_no_question_about_the_earlier_place(real):
    # "das Thema Kitaplätze" names what it asks about: every district that mentions them, not the Altstadt alone
    answer = real.ask("Welche Stadtteile sprechen das Thema Kitaplätze an?", history=["Was läuft in der Altstadt gut?"])
    assert not answer.query.local_places and answer.mode == "where", answer.text
    assert {"Bismarck", "Schalke"} <= {hit.passage.place for hit in answer.passages}


def test_a_yes_no_question_listing_alternatives_is_yes_for_any_of_them(real):
    answer = real.ask("Gibt es Beratungs- oder Anlaufstellen in Schalke?")
    assert answer.verdict == "ja" and "„viele Anlaufstellen“ [1]" in answer.lead, answer.lead


def test_a_person_named_with_a_title_beside_a_district_is_no_unknown_place(real):
    answer = real.ask("Hat Herr Lindenberg in Schalke etwas dazu gesagt?")
    assert not answer.query.unknown_places and answer.passages, answer.text


@pytest.mark.parametrize("question", ["An welchem Tag fand die Integrationskonferenz statt?",
                                      "An welchem Tag war die Konferenz in Gelsenkirchen?"])
def test_the_day_of_a_meeting_is_its_date_not_an_hour_of_its_programme(real, question):
    answer = real.ask(question)
    assert "„13. Februar 2019“ [1]" in answer.lead, answer.text


def test_when_a_part_of_the_programme_took_place_is_its_hour(real):
    assert real.ask("Wann fand die Abschlussrunde statt?").lead == "Im Protokoll steht unter „Programm“: „20:30 " \
        "Abschlussrunde“ [1]."


def test_the_field_asked_for_of_the_board_a_question_describes_comes_first_even_empty(real):
    # the board is found by its "Lösungsideen"; the question asks for its "Verantwortung", which is empty
    answer = real.ask("Wer übernimmt bei der Gruppe, die ein Modellprojekt Pilot und Stiftungen vorschlägt, die "
                      "Verantwortung?")
    first = answer.passages[0].passage
    assert (first.topic_no, first.section) == (13, "Verantwortung") and first.meta.get("empty"), answer.text
    assert answer.lead.startswith("Das Feld „Verantwortung“ auf der Tafel „Thema 13"), answer.lead
    # described before a colon by what its lines say, though the question as a whole ranks another board first
    described = real.ask("Die Gruppe, die Fehlverhalten und Clans aufgeschrieben hat: Wer soll die Verantwortung "
                         "übernehmen?")
    first = described.passages[0].passage
    assert (first.topic_no, first.section) == (2, "Verantwortung"), described.text


def test_a_group_described_in_a_clause_after_it_is_that_topic(real):
    # no title word of topic 2 ("Mediation"): its board lists "Fehlverhalten / Straftaten / Clans"
    answer = real.ask("Was hat die Gruppe erarbeitet, die Konflikte und Straftaten im Viertel durch Vermittlung "
                      "angehen wollte?")
    assert {hit.passage.topic_no for hit in answer.passages[:3]} == {2}, answer.text
    # a group is a topic's or workshop's, not a district board that shares the words
    assert answer.query.topics == {("gelsenkirchen-integrationskonferenz-mitte-2019.txt", 2): 1.0}
    # a district's board described so too: its field asked for first
    board = real.ask("Die Tafel, auf der die Zusammenarbeit mit der Polizei gelobt wird: Welche Handlungsbedarfe "
                     "stehen dort?")
    first = board.passages[0].passage
    assert (first.board, first.section) == ("Austausch · ohne Stadtteilangabe · Tafel 2 von 2", "Handlungsbedarfe")
    # words before a colon describe no board unless they describe a group or board ("Thema Müll: …", "Bismarck: …")
    topic = real.ask("Thema Müll: Welche Ideen gibt es?")
    assert topic.passages[0].passage.topic_no == 11, topic.text
    assert real.ask("Bismarck: Welche Handlungsbedarfe gibt es?").lead.startswith(
        "Für Bismarck steht „Handlungsbedarfe“ auf 2 Tafeln [1–2]")
    # an hour's colon is no colon after a description; the field asked for of the board described comes first
    steps = real.ask("Welche nächsten Schritte empfiehlt die Gruppe, die Schule von 8 bis 13:30 für alle wollte?")
    first = steps.passages[0].passage
    assert (first.topic_no, first.section) == (7, "Empfehlungen"), steps.text


def test_a_follow_up_for_the_card_asked_about_before_puts_that_card_first(real):
    # the topic's board ranks above its card in the topic collection; the card was asked for, so it comes first
    answer = real.ask("Und wie lautete der Vorschlag auf ihrer Karte genau?",
                      history=["Wer hat das Thema Begegnungsorte und Treffpunkte in die Themensammlung eingebracht?"])
    first = answer.passages[0].passage
    assert (first.topic_no, first.section) == (6, "Themenkarte"), answer.text


def test_a_follow_up_asking_whether_it_is_the_same_keeps_what_was_asked_and_is_no_yes_or_no(real):
    answer = real.ask("Ist das dieselbe Person, die das Thema in der Themensammlung eingebracht hat?",
                      history=["Wer soll beim Thema Klimaschutz, Umweltschutz, Müllentsorgung die Verantwortung "
                               "übernehmen?"])
    assert answer.query.intent is None and answer.verdict is None  # two lines to compare, not a "Ja" for a word
    cited = [(hit.passage.topic_no, hit.passage.section) for hit in answer.passages]
    assert cited[0] == (11, "Verantwortung") and (11, "Themenkarte") in cited, answer.text
    # one naming a matter of its own is asked yes or no about it
    own = real.ask("Ist das dieselbe Gruppe, die auch Kindergärten als Begegnungsort nennt?",
                   history=["Wer hat die Begegnungsbörse vorgeschlagen?"])
    assert own.verdict == "ja" and "Kindergärten als gem. Begegnungsort" in own.lead, own.text


def test_a_board_named_by_its_number_comes_first_also_in_a_follow_up(real):
    answer = real.ask("Was steht auf der zweiten Schalke-Tafel unter Was läuft gut?")
    assert answer.passages[0].passage.board == "Austausch · Schalke · Tafel 2 von 4", answer.text
    follow_up = real.ask("Und was steht auf derselben Tafel unter Handlungsbedarfe?",
                         history=["Was steht auf der dritten Schalke-Tafel unter Was läuft gut?"])
    assert follow_up.passages[0].passage.board == "Austausch · Schalke · Tafel 3 von 4", follow_up.text
    assert follow_up.passages[0].passage.section == "Handlungsbedarfe"


def test_a_where_question_finds_the_singular_the_stemmer_cuts_otherwise(real):
    # Snowball makes "Sprachkurse" sprachkurs but "Sprachkurs" sprachkur: Bulmke-Hüllen's "Sprachkurs + …" lines
    answer = real.ask("In welchen Stadtteilen ist von Sprachkursen die Rede?")
    assert answer.mode == "where", answer.text
    assert "Bulmke-Hüllen" in {place_of(hit.passage) for hit in answer.passages}, answer.text
    assert "Bulmke-Hüllen" not in answer.not_mentioned


# --- yes or no ---------------------------------------------------------------------------------------------
def test_yes_quotes_the_line_that_answers(real):
    answer = real.ask("Gibt es in Bismarck zu wenig Kitas?")
    assert answer.verdict == "ja"
    assert answer.lead == "Ja – für Bismarck steht auf der Tafel: „keine / bzw. zu wenig KiTA-Plätze“ [1]."
    assert highlighted(answer.passages[0]) == ["- keine / bzw. zu wenig KiTA-Plätze"]


def test_whether_something_exists_is_no_yes_for_a_line_saying_it_is_lacking_or_proposed(real):
    # "Ja – … keine / bzw. zu wenig KiTA-Plätze" would read "there are Kitas"; the line itself answers
    kitas = real.ask("Gibt es in Bismarck Kitas?")
    assert kitas.verdict is None
    assert kitas.lead == ("Für Bismarck steht auf der Tafel unter „Handlungsbedarfe“: „keine / bzw. zu wenig "
                          "KiTA-Plätze“ [1]."), kitas.text
    green = real.ask("Gibt es in Schalke Grünflächen?")
    assert green.verdict is None and "„mehr Grünflächen“ [1]." in green.lead, green.text
    # nor for a table's cell of what is wanted ("Ziel: Es gibt genügend Unterstützung (Spracherwerb, …)")
    courses = real.ask("Gibt es in Minden Sprachkurse?")
    assert courses.verdict is None and courses.lead.startswith("Im Protokoll steht unter „Workshop"), courses.text
    # a proposal ("Hier könnte die Einrichtung einer entsprechenden Fachstelle nützlich sein") is quoted, no "Ja";
    # of the two suggestions written on one line of the source, the one naming it
    proposed = real.ask("Gibt es in Minden eine Fachstelle für Integration?")
    assert proposed.verdict is None and proposed.passages, proposed.text
    assert proposed.lead.startswith("Im Protokoll steht unter „Workshop 3"), proposed.lead
    assert "Fachstelle nützlich sein.“ [1]." in proposed.lead and "Willkommenskultur" not in proposed.lead
    # whether it is a problem or a need, such a line answers "Ja"; and a line saying it is there, whether it exists
    for question in ("Ist der Mangel an Kitas in Bismarck ein Problem?", "Gibt es zu wenige Kitaplätze in Bismarck?",
                     "Braucht Bismarck mehr Kitas?", "Is there a shortage of Kita places in Bismarck?"):
        assert real.ask(question).verdict == "ja", question
    # whether it is proposed, a proposal answers "Ja"
    proposal = real.ask("Soll es in Minden Prüfungen in der Muttersprache geben?")
    assert proposal.verdict == "ja" and "Muttersprache" in proposal.lead, proposal.text
    # ("Trotz vorhandener Begegnungsstätten … wenig wahrgenommen" says they are there)
    assert real.ask("Gibt es Begegnungsstätten?").verdict == "ja"
    police = real.ask("Gibt es in Feldmark eine Polizeiwache?")
    assert police.lead == "Ja – für Feldmark steht auf der Tafel: „Polizeiwache“ [1].", police.text


def test_whether_something_exists_where_the_boards_are_silent_is_no_no(real):
    # "Nein" would read "there is none"; the boards only say nothing of it. Whether it is a problem: "Nein".
    silent = real.ask("Gibt es in Schalke-Nord einen Jugendtreff?")
    assert silent.verdict is None and silent.only_similar, silent.text
    assert silent.lead.startswith("Auf den Tafeln steht für Schalke-Nord nichts wörtlich dazu."), silent.lead
    assert right_without_citation({"expected": "nein"}, silent)  # the evaluation counts it as its "no"
    assert real.ask("Ist Müll in Heßler ein Problem?").verdict == "nein"


def test_whether_something_suffices_is_answered_by_the_line_without_yes_or_no(real):
    # "Ja – … zu wenig KiTA-Plätze" would read as "there are enough"; the line itself answers
    answer = real.ask("gibts in bismarck genug kitas")
    assert answer.verdict is None
    assert answer.lead == "Für Bismarck steht auf der Tafel: „keine / bzw. zu wenig KiTA-Plätze“ [1]."
    assert highlighted(answer.passages[0]) == ["- keine / bzw. zu wenig KiTA-Plätze"]
    # nothing said of it is no "Nein" either (that would read "not enough"), and what comes closest follows
    nothing = real.ask("Gibt es in Heßler ausreichend Kitaplätze?")
    assert nothing.verdict is None and nothing.only_similar, nothing.text
    assert nothing.lead.startswith("Auf den Tafeln steht für Heßler nichts wörtlich dazu."), nothing.lead
    assert right_without_citation({"expected": "nein"}, nothing)  # the evaluation counts it as its "no"


def test_a_follow_up_swapping_the_place_asks_the_yes_or_no_question_again(real):
    history = ["Gibt es genug Kitaplätze in Schalke?"]
    bismarck = real.ask("Und in Bismarck?", history)
    assert bismarck.lead == "Für Bismarck steht auf der Tafel: „keine / bzw. zu wenig KiTA-Plätze“ [1].", bismarck.text
    feldmark = real.ask("Und in Feldmark?", history)
    assert feldmark.lead.startswith("Auf den Tafeln steht für Feldmark nichts wörtlich dazu."), feldmark.text
    hessler = real.ask("Und wie ist es in Heßler?", ["Gibt es in Schalke Schrottimmobilien?"])
    assert hessler.verdict is None and hessler.only_similar, hessler.text
    assert hessler.lead.startswith("Auf den Tafeln steht für Heßler nichts wörtlich dazu."), hessler.text
    # after a where-question, whether that place speaks of it
    where = ["Wo wird über Kriminalität geklagt?"]
    assert real.ask("Und in Heßler?", where).verdict == "nein"
    schalke = real.ask("und in schalke?", where)
    assert schalke.verdict == "ja" and "Kriminalität" in schalke.lead, schalke.text
    # a question of its own after one whether there are enough is no question whether there are enough
    own = real.ask("Gibt es dort auch Schrottimmobilien?", history)
    assert own.verdict == "ja" and own.lead.startswith("Ja – für Schalke"), own.text


def test_a_word_the_protocols_never_use_before_mit_frames_what_it_asks_about(real):
    # "Ärger" is no word of the protocols: the question is about the Kriminalität they do name
    answer = real.ask("Gibt es in Schalke Ärger mit Kriminalität?")
    assert answer.verdict == "ja"
    assert answer.lead == "Ja – für Schalke steht auf der Tafel: „Abbau von Kriminalität“ [1]."
    assert real.ask("Gibt es in Heßler Ärger mit Kriminalität?").verdict == "nein"


@pytest.mark.parametrize("question, verdict", [
    ("Klagen die Teilnehmenden aus Heßler über Müll?", "nein"),
    ("Beschweren sich die Leute in Heßler über Müll auf den Straßen?", "nein"),
    ("Wünschen sich die Leute in Bismarck mehr Kita-Plätze?", "ja"),
])
def test_a_question_opening_with_any_verb_is_answered_yes_or_no(real, question, verdict):
    # (and "die Teilnehmenden" who complain are the subject, not the field "Teilnehmende" of the topic boards)
    answer = real.ask(question)
    assert answer.verdict == verdict, answer.text
    assert "Teilnehmende" not in answer.text.split("\n")[0]


@pytest.mark.parametrize("question, verdict", [
    ("Wurden in Bulmke-Hüllen Schrottimmobilien als Problem genannt?", "nein"),
    ("Wurde in Schalke über Schrottimmobilien gesprochen?", "ja"),
])
def test_a_passive_question_about_a_place_is_answered_yes_or_no(real, question, verdict):
    assert real.ask(question).verdict == verdict


def test_a_question_whether_it_is_known_who_asks_who_not_yes_or_no(real):
    # not "Ja" for the line naming the topic's title: whoever the board names for it, or its empty field
    answer = real.ask("Ist bei den Sprach- und Alphabetisierungskursen festgelegt, wer das Thema weitertreibt?")
    assert answer.query.intent is None and answer.verdict is None, answer.text
    assert not answer.lead.startswith("Ja")
    # whether it is known when stays yes or no: the line answers, whatever way it writes the date
    assert real.ask("Ist festgelegt, wann die Integrationskurse im Quartierszentrum Feldmark beginnen?").verdict == "ja"


def test_no_when_the_named_place_does_not_mention_it(real):
    answer = real.ask("Gibt es in Heßler Probleme mit Müll?")
    assert answer.verdict == "nein"
    assert answer.lead == "Nein – dazu steht für Heßler nichts wörtlich auf den Tafeln. Ähnliche Stellen:"
    # what comes closest follows, from Heßler's boards only, to check for oneself
    assert answer.passages and {hit.passage.place for hit in answer.passages if hit.passage.board_kind == "district"} \
        == {"Heßler"}


@pytest.mark.parametrize("question", ["Gibt es in Heßler Probleme mit Müll?",
                                      "Welche Probleme mit Müll gibt es in Heßler?"])
def test_what_only_comes_closest_is_not_set_in_bold_like_an_answer(real, question):
    answer = real.ask(question)
    assert answer.only_similar and answer.passages
    assert any(hit.highlights for hit in answer.passages)  # the closest lines still come first …
    quoted = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert quoted and not any("**" in line for line in quoted)  # … but are not marked as answering
    # an answer proper marks its answering lines
    assert any(line.startswith("- **") for line in real.ask("Gibt es in Bismarck Probleme mit Müll?").text.splitlines())


# --- the very lines ----------------------------------------------------------------------------------------
def test_the_line_asked_about_is_shown_first_and_never_hidden(real):
    answer = real.ask("Gibt es in Bismarck Probleme mit Müll?")
    assert answer.verdict == "ja"
    lines = answer.text.splitlines()
    assert any("Mülltrennung / Vermüllung" in line and line.startswith("- **") for line in lines)
    assert "Mülltrennung / Vermüllung" in answer.lead


def test_a_whole_section_asked_for_is_highlighted_whole(real):
    answer = real.ask("Welche Handlungsbedarfe gibt es in Schalke?")
    assert len(answer.passages) == 4 and all(hit.gathered for hit in answer.passages)
    for hit in answer.passages:
        assert set(hit.highlights) == {item.line for item in hit.passage.items}


# --- a section in other words, and in other languages ------------------------------------------------------
def test_a_section_in_other_words_gathers_all_boards_of_the_place(real):
    answer = real.ask("Was sind die Bedarfe in Schalke?")
    found = [(hit.passage.place, hit.passage.section) for hit in answer.passages]
    assert found == [("Schalke", "Handlungsbedarfe")] * 4
    assert answer.lead == "Für Schalke steht „Handlungsbedarfe“ auf 4 Tafeln [1–4]."


def test_follow_ups_keep_the_section_across_languages(real):
    first = real.ask("What is going well in Schalke?")
    assert {hit.passage.section for hit in first.passages} == {"Was läuft gut"}
    answer = real.ask("And in Bismarck?", history=["What is going well in Schalke?"])
    assert {(hit.passage.place, hit.passage.section) for hit in answer.passages} == {("Bismarck", "Was läuft gut")}
    assert answer.lead.startswith("For Bismarck, „Was läuft gut“ is on 2 boards")
    turkish = real.ask("Bismarck'ta neler iyi gidiyor?")
    assert turkish.lead.startswith("Bismarck için „Was läuft gut“")
    assert any(contains(hit.text, "gute Trägerlandschaft") for hit in turkish.passages)


def test_a_follow_up_asking_for_another_section_in_other_words_leaves_the_earlier_one(real):
    history = ["Was läuft gut in Schalke?"]
    query = real.understand("Peki sorunlar neler?", history)  # "And what are the problems?"
    # Schalke's boards have no field for problems by that name: neither that one nor "Was läuft gut" is kept …
    assert query.followup and query.sections == {} and [place.name for place in query.places] == ["Schalke"]
    answer = real.ask("Peki sorunlar neler?", history)
    # … and the place's needs come first, with no note on a missing field.
    assert answer.passages[0].passage.place == "Schalke"
    assert answer.passages[0].passage.section == "Handlungsbedarfe"
    assert "keinen Abschnitt" not in answer.text
    # A follow-up that asks for no other section keeps the earlier one.
    assert real.understand("Und in Bismarck?", history).sections == {"Was läuft gut": 1.0}
    # After the switch, the next place asked about is asked about alone (Schalke leaves the question's words).
    chain = real.understand("Und in Bismarck?", [*history, "Peki sorunlar neler?"])
    assert [place.name for place in chain.places] == ["Bismarck"] and "Schalke" not in chain.text
    assert not re.search(r"(?:^|\s)[?!.,;:]", chain.text)  # no stray marks left behind


@pytest.mark.parametrize("question", ["Gibt es dazu mehr?", "Und wie ist es in Heßler?",
                                      "Und was sagen die in Bismarck?", "Und wie ist das in Schalke-Nord?"])
def test_a_follow_up_without_words_of_its_own_keeps_the_earlier_section(real, question):
    # (the embedder alone would read some section into these few words)
    query = real.understand(question, ["Welche Handlungsbedarfe gibt es in Bismarck?"])
    assert query.sections == {"Handlungsbedarfe": 1.0}
    answer = real.ask(question, ["Welche Handlungsbedarfe gibt es in Bismarck?"])
    assert {hit.passage.section for hit in answer.passages} == {"Handlungsbedarfe"}


@pytest.mark.parametrize("question", ["und was fehlt?", "What needs to be done there?"])
def test_a_follow_up_asking_something_of_its_own_is_not_held_to_the_earlier_section(real, question):
    # No field is named in these words, but they are not "Was läuft gut" asked again: the place's boards answer,
    # ranked by what the follow-up asks
    history = ["Was läuft gut in Schalke?"]
    query = real.understand(question, history)
    assert query.sections == {} and [place.name for place in query.places] == ["Schalke"]
    answer = real.ask(question, history)
    assert {hit.passage.place for hit in answer.passages} == {"Schalke"}
    assert "Handlungsbedarfe" in {hit.passage.section for hit in answer.passages}
    sections = [hit.passage.section for hit in answer.passages]
    others = [section for section in sections if section != "Was läuft gut"]
    assert sections[:len(others)] == others  # the section it moved away from comes last
    # one that points back at what was asked keeps it ("darum": the matter of the earlier question), and so does
    # one naming a matter of its own (the same question about it)
    assert real.understand("Und wer kümmert sich darum?", history).sections == {"Was läuft gut": 1.0}
    assert real.understand("Und was ist mit dem Spielplatz?", history).sections == {"Was läuft gut": 1.0}
    assert real.understand("Und wie sieht es mit Kitas aus?", history).sections == {"Was läuft gut": 1.0}


def test_a_follow_up_asking_the_earlier_section_in_other_words_keeps_it(real):
    # "was fehlt" comes closest to the Handlungsbedarfe asked before: not a move away from them to "Was läuft gut"
    history = ["Welche Handlungsbedarfe gibt es in Schalke?", "Und in Bismarck?"]
    query = real.understand("Und was fehlt dort?", history)
    assert query.sections == {"Handlungsbedarfe": 1.0} and not query.left_sections
    answer = real.ask("Und was fehlt dort?", history)
    assert {(hit.passage.place, hit.passage.section) for hit in answer.passages} == {("Bismarck", "Handlungsbedarfe")}


def test_a_follow_up_naming_a_field_with_words_besides_gets_the_places_field(real):
    # the earlier question, carried along, took the follow-up's meaning away from the corpus: it was refused
    answer = real.ask("Und worauf kommt es dort in Zukunft an?",
                      ["Was läuft laut den Teilnehmenden in Heßler gut?"])
    assert not answer.abstained
    assert {(hit.passage.place, hit.passage.section) for hit in answer.passages} == {("Heßler", "Worauf kommt es an")}


def test_a_follow_up_in_english_switches_the_section_it_names_in_other_words(real):
    query = real.understand("What works well there?", ["Welche Handlungsbedarfe gibt es in Bismarck?"])
    assert set(query.sections) == {"Was läuft gut"} and [place.name for place in query.places] == ["Bismarck"]


def test_a_german_follow_up_is_answered_in_german_after_a_turkish_question(real):
    history = ["Was läuft gut in Schalke?", "Peki sorunlar neler?"]
    assert real.understand("Peki sorunlar neler?", history[:1]).language == "tr"
    answer = real.ask("Gibt es dazu mehr?", history)
    assert answer.query.language == "de" and "panosunda" not in answer.text
    # too short to tell: the conversation's language
    assert real.understand("Peki Bulmke-Hüllen'de?", history).language == "tr"
    assert real.understand("And in Bismarck?", ["What is going well in Schalke?"]).language == "en"


# --- empty fields --------------------------------------------------------------------------------------------
def test_an_empty_field_is_said_to_be_empty_and_cited(real):
    answer = real.ask("Welche Empfehlungen hat die Gruppe Mediation im Stadtteil?")
    first = answer.passages[0]
    assert first.passage.meta.get("empty") and first.passage.section == "Empfehlungen"
    assert answer.lead.startswith("Das Feld „Empfehlungen“ auf der Tafel „Thema 2: MEDIATION im Stadtteil")
    assert answer.lead.endswith("ist leer: dort steht nichts [1].")
    # nobody's responsibility is passed off as the topic's: the other fields are labelled by their section
    responsible = real.ask("Wer hat beim Thema Sprach- und Alphabetisierungskurse den Hut auf?")
    assert responsible.passages[0].passage.meta.get("empty")
    assert "ist leer" in responsible.lead


def test_an_empty_field_is_cited_with_the_title_of_its_board(real):
    # which card says nothing is checked in the source: its title, marked, right after the empty field
    for question, title in [
        ("Welche Empfehlungen hat die Gruppe Mediation im Stadtteil?", "Thema: MEDIATION im Stadtteil"),
        ("Wer hat beim Thema Sprach- und Alphabetisierungskurse den Hut auf?", "Thema: Sprach + Alphabetisierung"),
    ]:
        answer = real.ask(question)
        empty, heading = answer.passages[:2]
        assert empty.passage.meta.get("empty") and heading.passage.board == empty.passage.board, answer.text
        assert any(line.startswith(title) for line in highlighted(heading)), answer.text
    # a field that holds something is not followed by its board's title
    filled = real.ask("Welche Empfehlungen hat die Gruppe zum Klimaschutz?")
    assert not filled.passages[0].passage.meta.get("empty") and filled.passages[1].passage.section != "Titel"


def test_a_yes_no_question_about_an_empty_field_is_answered_by_the_field(real):
    # not "Ja" for a line of another field that shares a word with the question
    answer = real.ask("Hat die Gruppe zur Mediation im Stadtteil auch Empfehlungen notiert, etwa zu Mediatoren?")
    first = answer.passages[0]
    assert first.passage.meta.get("empty") and first.passage.section == "Empfehlungen"
    assert answer.lead.startswith("Das Feld „Empfehlungen“") and not answer.lead.startswith("Ja")
    # also asked "or not", and with a name that is a workshop too: the field, and no place said to lack it
    either = real.ask("Gibt es beim Thema Mediation Empfehlungen oder nicht?")
    assert either.lead.startswith("Das Feld „Empfehlungen“") and either.passages[0].passage.meta.get("empty")
    workshop_too = real.ask("Hat die Gruppe Bildung IFÖ Übergänge Teilnehmende eingetragen?")
    assert workshop_too.lead.startswith("Das Feld „Teilnehmende“") and "keinen Abschnitt" not in workshop_too.text
    # a field that holds something still answers "yes" with its own line
    filled = real.ask("Gibt es beim Thema Klimaschutz Empfehlungen?")
    assert filled.lead.startswith("Ja") and filled.passages[0].passage.section == "Empfehlungen"
    assert not filled.passages[0].passage.meta.get("empty")


def test_the_boards_without_a_district_can_be_asked_for(real):
    fields = real.ask("Welche Handlungsbedarfe stehen auf der Tafel ohne Stadtteilnamen?")
    assert [(hit.passage.place, hit.passage.section) for hit in fields.passages] == [(None, "Handlungsbedarfe")] * 2
    assert "ohne Stadtteilangabe" in fields.passages[0].citation
    whole = real.ask("Was steht auf der Tafel ohne Stadtteilangabe?")
    assert len(whole.passages) == 6 and all(hit.passage.place is None for hit in whole.passages)
    assert {hit.passage.section for hit in whole.passages} == {"Was läuft gut", "Handlungsbedarfe",
                                                               "Worauf kommt es an"}
    # named by the district it is not given
    for question in ("Welche Handlungsbedarfe stehen auf der Tafel, die keinem Stadtteil zugeordnet ist?",
                     "Which needs are on the boards not assigned to any district?"):
        assert {hit.passage.place for hit in real.ask(question).passages} == {None}, question


def test_the_word_board_points_at_no_board_in_particular(real):
    # "auf den Tafeln" is every board: the answer is what names the matter, not the board without a district
    answer = real.ask("Was steht auf den Tafeln zu Vernetzung?")
    first = answer.passages[0]
    assert "vernetz" in " ".join(item.text for item in first.passage.items if item.line in first.highlights).casefold()


def test_a_question_its_names_answer_whole_needs_no_embedding(real, monkeypatch):
    real.ask("Wo fehlen Kita-Plätze?")  # (the relevance probes are embedded once, on the first question)
    embedded = []
    original = real.store.embedder.embed_queries
    monkeypatch.setattr(real.store.embedder, "embed_queries", lambda texts: embedded.append(texts) or original(texts))
    real.retriever.embed.cache_clear()
    answer = real.ask("Welche Handlungsbedarfe gibt es in Schalke?")
    assert embedded == []
    assert [hit.passage.place for hit in answer.passages] == ["Schalke"] * 4
    assert all(hit.gathered for hit in answer.passages)
    assert answer.lead.startswith("Für Schalke steht „Handlungsbedarfe“ auf 4 Tafeln")
    # a word of its own beyond the place and the section's label and prompt: its meaning counts
    real.ask("Welche Handlungsbedarfe gibt es in Schalke zum Müll?")
    assert embedded


# --- relevance both ways, banners ----------------------------------------------------------------------------
@pytest.mark.parametrize("question", ["Öffnungszeiten Bürgerbüro Minden", "Wer ist der Oberbürgermeister?",
                                      "Wie beantrage ich einen neuen Reisepass?"])
def test_everyday_municipal_services_are_refused(real, question):
    answer = real.ask(question)
    assert answer.abstained and answer.passages == []


def test_a_word_sharing_only_a_syllable_with_a_fields_name_does_not_name_it(real):
    # "Veranstaltung" and "Verantwortung" share "veran" only; "Themenvorschläge" names the "Themenkarte"
    assert "Verantwortung" not in real.understand("Wie heißt die Veranstaltung mit vollem Titel?").sections
    assert "Gefunden zu „Verantwortung“" not in real.ask("Wie heißt die Veranstaltung mit vollem Titel?").text
    assert "Themenkarte" in real.understand("Welche Themenvorschläge gab es?").sections


def test_the_people_who_say_something_are_not_the_field_of_their_name(real):
    # "die Teilnehmenden" who demand something are not the topic boards' field "Teilnehmende": no banner saying
    # Schalke has no such field, Schalke's boards answer
    demand = real.ask("Was fordern die Teilnehmenden in Schalke?")
    assert "Teilnehmende" not in demand.query.sections and "keinen Abschnitt" not in demand.text
    assert demand.passages and all(hit.passage.place == "Schalke" for hit in demand.passages[:4])
    # … while a question for them asks for that field
    asked = real.ask("Wer sind die Teilnehmenden der Gruppe Mediation?")
    assert asked.passages[0].passage.section == "Teilnehmende"


@pytest.mark.parametrize("question", ["Wer hat die Teilnehmenden eingeladen?",
                                      "Wie wurden die Teilnehmenden informiert?"])
def test_an_empty_field_is_cited_only_for_a_question_asking_for_that_field(real, question):
    # the empty "Teilnehmende" fields hold only their prompt, a word of the question: nothing to cite for it
    answer = real.ask(question)
    assert "Teilnehmende" not in answer.query.sections
    assert answer.passages and not any(hit.passage.meta.get("empty") for hit in answer.passages)
    # asked for, an empty field is still cited and said to be empty
    empty = real.ask("Wer waren die Teilnehmenden bei Thema 7?")
    assert empty.passages[0].passage.meta.get("empty") and "ist leer" in empty.lead, empty.lead


def test_the_lead_quotes_the_cell_with_the_value_asked_for(real):
    # a table row's line holds several cells (Ziel, Zielgruppe, Angebot): the lead quotes the one with the amount
    answer = real.ask("Wie teuer ist der Mietführerschein?")
    assert "kostenlos (im Gegensatz zum „Mietführerschein“)" in answer.lead
    assert "Zielgruppe" not in answer.lead


@pytest.mark.parametrize("question, lead", [
    ("Wann holt die Stadt in Schalke den Sperrmüll ab?", "Einen Zeitpunkt dazu nennen die Protokolle nicht."),
    ("Wie teuer ist ein Kita-Platz in Gelsenkirchen?", "Einen Betrag dazu nennen die Protokolle nicht."),
    ("Unter welcher Anschrift erreicht man den Runden Tisch in der Feldmark?",
     "Eine Anschrift dazu nennen die Protokolle nicht."),
    ("What is the phone number of Michael Niehaus?",
     "The protocols give no phone number or e-mail address for this."),
])
def test_a_value_the_protocols_do_not_give_is_not_answered_but_what_comes_closest_is_shown(real, question, lead):
    answer = real.ask(question)
    assert answer.abstained and answer.lead.startswith(lead) and answer.passages  # to check for oneself
    assert "Gefunden" not in answer.text and "Found" not in answer.text


def test_the_similar_passages_of_a_value_not_given_are_those_naming_what_it_is_about(real):
    answer = real.ask("Wann holt die Stadt in Schalke den Sperrmüll ab?")
    first = answer.passages[0]
    assert answer.abstained and first.passage.place == "Schalke"
    assert [item.text for item in first.passage.items if item.line in first.highlights] == [
        "- Müll auf den Straßen (Sperrmüll)"]


def test_a_value_the_protocols_give_is_answered(real):
    answer = real.ask("Um wie viel Uhr war die Begrüßung?")
    assert not answer.abstained and "17:30 Begrüßung" in answer.lead
    began = real.ask("Und wann begann sie?", history=["Wann war die Konferenz zu Ende?"])  # the meeting, still
    assert not began.abstained and "17:00 Ankommen" in began.lead


@pytest.mark.parametrize("question", [
    "Gibt es eine Telefonkette in Schalke?",  # a yes-or-no question, and no phone number asked for
    "Wer trägt die Kosten für die Sprachkurse?",  # asks who
    "Wann wurde über Kitas gesprochen?",  # the protocol's date answers it
])
def test_a_question_naming_a_value_word_without_asking_for_the_value_is_not_refused_for_it(real, question):
    answer = real.ask(question)
    assert answer.passages and answer.mode != "lacking"


def test_a_time_of_day_is_no_count():
    from assistant.evidence import VALUES
    assert not VALUES["count"].search("17:00 Ankommen") and not VALUES["count"].search("13. Februar 2019")
    assert VALUES["count"].search("mit 59:55 Stimmen") and VALUES["count"].search("ca. 50 Einrichtungen")


def test_the_number_of_an_entry_is_no_count():
    from assistant.evidence import VALUES
    assert not VALUES["count"].search("Angebot/ Maßnahme: Anregung 1: Menschen mit Fluchthintergrund schulen")
    assert VALUES["count"].search("Mitglieder zum 22.02.2025: 30") and VALUES["count"].search("◦ 9 Stimmen: Ja")


def test_a_reference_or_a_number_in_a_name_is_no_count():
    from assistant.evidence import VALUES
    for text in ("(20/BS 55/507)", "gemäß § 8 der Satzung", "Protokoll Nr. 61", "A.-J. Oelbein-32", "siehe S. 12"):
        assert not VALUES["count"].search(text), text
    assert VALUES["count"].search("Anwesend 119 Mitglieder") and VALUES["count"].search("(11 von 30 Mitgliedern)")


@pytest.mark.parametrize("question", [
    # The Minden rows number their proposals ("Anregung 1: … Menschen mit Fluchthintergrund …"); no line counts people.
    "Wie viele Menschen mit Migrationshintergrund leben im Stadtbezirk Mitte?",
    # (nor does another workshop's row that speaks of "Fachleute" and "zwei Kulturen" count those of Wohnen)
    "Wie viele Leute saßen im Mindener Workshop Wohnen?",
    # (nor does a name with a number on the board headed "MEDIATION" count mediators)
    "Wie viele Mediatoren will man im Stadtteil einsetzen?",
    # (nor do "2 Stadtteil-Konferenzen" count districts, nor is "Workshop 1" a number of workshops)
    "Wie viele Stadtteile gehören zum Stadtbezirk Mitte?", "Wie viele Workshops gab es in Minden?",
])
def test_a_count_the_protocols_do_not_give_is_said_to_be_missing(real, question):
    answer = real.ask(question)
    assert answer.abstained and answer.mode == "lacking", answer.text


def test_a_request_for_all_boards_of_a_place_is_answered(real):
    answer = real.ask("Zeig mir alle Tafeln zu Schalke")
    assert not answer.abstained and {hit.passage.place for hit in answer.passages} == {"Schalke"}


@pytest.mark.parametrize("question", ["Welche Probleme gibt es beim Thema Mediation?", "Was kann ich tun?"])
def test_banners_name_only_sections_the_question_names(real, question):
    answer = real.ask(question)
    framing = next((line for line in answer.text.splitlines() if line.startswith("Gefunden")), "")
    for section in ("Herausforderung", "Teilnehmende"):
        assert f"„{section}“" not in framing


def test_a_banner_names_a_section_only_where_something_was_found_in_it(real):
    # "die Teilnehmenden" names the section "Teilnehmende", but the wish for more green stands on other boards.
    answer = real.ask("Wo wünschen sich die Teilnehmenden mehr Grün?")
    assert answer.passages and all(hit.passage.section != "Teilnehmende" for hit in answer.passages)
    assert "„Teilnehmende“" not in answer.text


def test_a_section_the_place_lacks_is_announced_only_when_named(real):
    # "Probleme" is in the printed prompt of the topics' "Herausforderung", which no district board has: the
    # question about Schalke is answered from Schalke's boards, without a note about a missing section.
    problems = real.ask("Welche Probleme gibt es in Schalke?")
    assert "Herausforderung" not in problems.text.split("**")[0]
    assert problems.passages[0].passage.place == "Schalke"  # its boards first, then related ones
    # Named by its own name, a section Schalke's boards lack is said to be missing.
    ideas = real.ask("Welche Lösungsideen gibt es in Schalke?")
    assert "Für Schalke gibt es im Protokoll keinen Abschnitt „Lösungsideen“." in ideas.text


@pytest.mark.parametrize("history, question, section", [
    (["Welche Probleme gibt es beim Thema Mediation?"], "What solutions were proposed?", "Lösungsideen"),
    (["Schalke'de neler iyi gidiyor?"], "Peki Bismarck'ta?", "Was läuft gut"),
])
def test_a_short_follow_up_in_another_language_keeps_the_conversation(real, history, question, section):
    query = real.understand(question, history)
    assert query.followup and section in query.sections
    answer = real.ask(question, history)
    first = real.understand(history[0])
    if first.topics:
        assert {(hit.source, hit.passage.topic_no) for hit in answer.passages} <= set(first.topics)
    else:
        assert {hit.passage.place for hit in answer.passages} == {"Bismarck"}
    assert answer.passages[0].passage.section == section


# --- after review ---------------------------------------------------------------------------------------------
def test_a_where_question_about_named_places_names_no_others_as_silent(real):
    answer = real.ask("Wo in Schalke wird Kita genannt?")
    assert {hit.passage.place for hit in answer.passages} == {"Schalke"} and answer.not_mentioned == []


def test_an_empty_field_is_no_mention(real):
    # the empty "Empfehlungen" field of topic 2 prints "Empfehlungen für nächste Schritte": nobody wrote that
    from assistant.evidence import matters_of, mentions

    query = real.understand("Wo werden nächste Schritte empfohlen?")
    found = [hit for matter in matters_of(query, real.retriever) for hit in mentions(query, real.retriever, matter)]
    assert not any(hit.passage.meta.get("empty") for hit in found)


@pytest.mark.parametrize("question", ["Was wird in Bezug auf Schulen vorgeschlagen?", "Was fehlt aus Sicht der Eltern?",
                                      "Gibt es Probleme im Altenheim?",
                                      "Was läuft gut in Schalke nach Ansicht der Leute?",
                                      "Was wird in Zusammenarbeit mit Vereinen geplant?",
                                      "Was passiert in Absprache mit der Stadt?"])
def test_phrases_and_nouns_are_no_unknown_places(real, question):
    assert real.understand(question).unknown_places == []


def test_internal_errors_are_no_question_errors():
    from assistant import QuestionError, clean_question

    with pytest.raises(QuestionError):
        clean_question("???")
    assert issubclass(QuestionError, ValueError)  # callers that catch ValueError keep working


def test_a_compounds_first_part_alone_does_not_make_a_where_question_answered(real):
    from assistant.evidence import Matter

    assert Matter([frozenset({"kita", "platz"})], words=["Kita-Plätze"]).has_its_head()
    assert Matter([frozenset({"familienzentr"})], words=["Familienzentren"]).has_its_head()
    assert not Matter([frozenset({"anwohn"})], words=["Anwohnerparkausweis"]).has_its_head()
    # far from the corpus as a whole, and only "Anwohner" of it is in the protocols: nothing is cited
    answer = real.ask("Wo bekomme ich einen Anwohnerparkausweis?")
    assert answer.abstained and answer.passages == []
    # a where-question whose word the protocols have is answered with every mention as before
    assert real.ask("Wo werden Familienzentren erwähnt?").passages


@pytest.mark.parametrize("question, start", [
    ("Was läuft gut in Schalke?", "Gefunden zu „Was läuft gut“ für Schalke: 4 Stellen auf 4 Tafeln/Abschnitten in "),
    ("What is going well in Schalke?", "Found for Schalke: 4 passages on 4 boards/sections in "),
    ("Schalke'de neler iyi gidiyor?", "Bulunan (Schalke için): „Integrationskonferenz Gelsenkirchen-Mitte“ içinde 4 "),
])
def test_the_line_after_the_lead_speaks_the_questions_language_too(real, question, start):
    lines = real.ask(question).text.splitlines()
    assert any(line.startswith(start) for line in lines), lines[:4]


def test_the_documents_found_in_are_named_in_quotes():
    # a title taken from a document's first line reads as a title, not as part of the sentence
    hits = [Hit(Passage(source=f"{n}.md", doc_title=title, board_kind="section", board="Agenda", section=None,
                        items=[Item("Punkt", 1)]), 1.0)
            for n, title in enumerate(["Am 23.04.2015 priorisierte Themen", "Bürgerrunde Feb 2019"])]
    line = framing(Query(question="Welche Themen gab es?", text="Welche Themen gab es?"), hits)
    assert line.endswith("in „Am 23.04.2015 priorisierte Themen“ und „Bürgerrunde Feb 2019“.")
    # sections of a text are no "Tafeln" (those are the bundled protocols' boards)
    assert "2 Stellen auf 2 Abschnitten in" in line and "Tafel" not in line


def test_a_word_framing_the_question_asks_for_no_field_whose_prompt_uses_it(real):
    # "Teilnehmende der Arbeitsgruppe (für Nachfragen)" is that field's prompt; the question asks what the group did
    sections = real.retriever.vocabulary.find_sections
    assert "Teilnehmende" not in sections("Was hat die Arbeitsgruppe zum Thema Mediation erarbeitet?")
    assert "Teilnehmende" in sections("Wer waren die Teilnehmenden beim Thema Mediation?")



def test_the_note_on_lines_left_out_follows_the_question_language(real):
    english = real.ask("When did the conference end?").text
    assert "more lines in the source)*" in english and "weitere Zeile" not in english
    assert "weitere Zeilen in der Quelle)*" in real.ask("Wann war die Konferenz zu Ende?").text


def test_where_something_is_a_topic_asks_every_place_not_the_topic_boards(real):
    # "ein Thema" further on is the idiom, not "in which topics"
    answer = real.ask("Wo ist Kinderbetreuung ein Thema?")
    assert answer.mode == "where" and answer.query.place_kind is None
    assert {place_of(hit.passage) for hit in answer.passages} >= {"Altstadt", "Bulmke-Hüllen"}
    assert "nicht erwähnt in:" in answer.lead


# --- a place that does not name what is asked ----------------------------------------------------------------
def test_a_place_whose_boards_do_not_name_the_matter_is_said_to_be_silent(real):
    answer = real.ask("Welche Probleme mit Müll gibt es in Heßler?")  # Bismarck's board names Müll, Heßler's not
    assert answer.mode == "absent" and not answer.abstained and answer.verdict is None
    assert answer.lead == "Für Heßler steht zu „Müll“ nichts wörtlich auf den Tafeln. Ähnliche Stellen:"
    assert "Gefunden" not in answer.text
    assert any(place_of(hit.passage) == "Heßler" for hit in answer.passages)  # what comes closest, to check
    # where the place does name it, its line is the answer
    bismarck = real.ask("Welche Probleme mit Müll gibt es in Bismarck?")
    assert bismarck.mode == "ranked" and "Mülltrennung / Vermüllung" in bismarck.lead
    # in the question's language
    english = real.ask("What is said about Kita places in Heßler?")
    assert english.lead.startswith("For Heßler the boards say nothing about „Kita“ in those words.")


def test_a_place_filter_whose_boards_do_not_name_the_matter_is_said_to_be_silent(real):
    answer = real.ask("Wo fehlen Kita-Plätze?", filters=Filters(places={"Heßler"}))
    assert answer.mode == "absent" and answer.lead.startswith("Für Heßler steht zu „Kita-Plätze“ nichts wörtlich")


@pytest.mark.parametrize("question, filters", [
    ("Was ist in Heßler wichtig für die Integrationsarbeit?", None),  # no noun other districts' boards share
    ("Gib mir eine Übersicht über alles, was zu Heßler gesagt wurde.", None),
    ("Was sagen die in Bismarck zu Kitas?", None),  # Bismarck names them
    ("Was sagen die Bürger in Heßler zu Spielplätzen?", None),  # not the less specific noun ("Bürger")
    ("Was sagt Bulmke-Hüllen zum KiTa-Ausbau?", None),  # its board says "Kitaplätze": a part of the compound
    ("Welche Themen sprechen Müll an?", Filters(places={"Schalke"})),  # Schalke's own board says it
    ("Welche Probleme mit Müll gibt es in Schalke?", Filters(sections={"Was läuft gut"})),  # not in that section
])
def test_silence_is_not_claimed_for_words_that_name_no_matter_of_other_places(real, question, filters):
    assert real.ask(question, filters=filters).mode != "absent"


def test_a_workshop_title_that_answers_a_where_question_is_quoted(real):
    # the title line repeats the workshop's heading, but it is what names the matter: shown, in bold
    answer = real.ask("In welchen Workshops wird Teilhabe genannt?")
    assert answer.mode == "where"
    assert "**Workshop 3 - Zusammenleben und Teilhabe**" in answer.text


def test_a_question_typed_in_lower_case_is_about_the_nouns_the_protocols_write(real):
    # "kitas" is what "wo fehlen kitas" is about (the protocols write "Kita"), not the verb "fehlen"
    assert real.retriever.written_as_noun("kita") and not real.retriever.written_as_noun("fehlen")
    lower = real.ask("wo fehlen kitas")
    written = real.ask("Wo fehlen Kitas?")
    assert lower.mode == written.mode == "where"
    assert {hit.passage.place for hit in lower.passages} == {hit.passage.place for hit in written.passages}
    assert lower.not_mentioned == written.not_mentioned


@pytest.mark.parametrize("question, place, line", [
    # "dort" is the district asked about before; "Bildung", a Minden workshop's name, is what is asked about there
    ("Und was wird dort bei der Bildung gefordert?", "Feldmark", "Öffnung der Bildung"),
    # the workshop named as such is the workshop
    ("Und was fordert der Workshop Bildung?", "Bildung", None),
])
def test_there_in_a_follow_up_is_the_place_before_and_a_workshops_name_then_its_matter(real, question, place, line):
    answer = real.ask(question, history=["Welche Stärken hat die Feldmark?"])
    assert answer.passages[0].passage.place == place, answer.text
    if line:
        assert f"„{line}“ [1]" in answer.lead
        assert "stärken" not in answer.lead  # the earlier question's matter is not asked again


def test_the_word_for_the_document_itself_is_not_what_a_question_is_about(real):
    answer = real.ask("Ist das Mindener Dokument schon das fertige Integrationskonzept?")
    assert answer.passages[0].passage.board == "Titelseite", answer.text
    assert "Integrationskonzepts" in answer.lead


def test_a_yes_no_question_about_a_word_the_protocols_never_use_is_a_no(real):
    answer = real.ask("Gibt es in Schalke Probleme mit Graffiti?")
    lead = "Nein – dazu steht für Schalke nichts wörtlich auf den Tafeln."
    assert answer.verdict == "nein" and answer.lead.startswith(lead), answer.lead
    assert answer.passages and answer.only_similar  # what comes closest, to check for oneself


@pytest.mark.parametrize("question, lead", [
    ("Gibt es im Workshop Wohnen Vorschläge speziell für Häverstädt?",
     "Nein – „Häverstädt“ kommt in den Protokollen nicht als Ort vor."),
    ("Welche Anregungen hat der Workshop Bildung für Todtenhausen?",
     "„Todtenhausen“ kommt in den Protokollen nicht als Ort vor."),
])
def test_a_place_named_beside_a_known_workshop_is_still_said_to_be_unknown(real, question, lead):
    # (not silently answered with the workshop's proposals for the whole city)
    answer = real.ask(question)
    assert answer.lead == lead and not answer.passages, answer.text
    assert answer.verdict == ("nein" if question.startswith("Gibt") else None)


def test_a_misspelled_word_of_the_protocols_is_no_unknown_word(real):
    answer = real.ask("Gibt es in Bismarck Problme mit Müll?")
    assert answer.verdict == "ja", answer.lead


def test_a_yes_no_question_is_answered_for_its_most_specific_word_not_a_more_general_one(real):
    # Bismarck's boards speak of "inklusive Angebote", not of seniors: no "yes" for the offers
    # (whether there are such offers: the boards are silent, which is no "Nein")
    answer = real.ask("Gibt es in Bismarck Angebote für Senioren im Stadtteil?")
    assert answer.verdict != "ja" and answer.only_similar, answer.lead
    assert answer.lead.startswith("Auf den Tafeln steht für Bismarck nichts wörtlich dazu."), answer.lead
    assert real.ask("Gibt es in Bismarck inklusive Angebote?").verdict == "ja"


def test_a_yes_no_question_about_a_noun_the_protocols_lack_gets_no_yes_for_a_word_sharing_its_first_letters(real):
    # "Älterwerden" is no "Alternative", and the "Quartier" beside it is not what is asked about
    answer = real.ask("Gibt es Ideen zum Älterwerden im Quartier?")
    assert answer.verdict != "ja", answer.lead
    assert "Alternative" not in answer.lead
    assert real.ask("Gab es auf den Tafeln etwas zur Barrierefreiheit im Stadtteil?").verdict == "ja"


def test_words_that_frame_a_yes_no_question_are_no_unknown_matter(real):
    # "Hinweise" is no word of the protocols, but what is asked about is Schalke's Kitas
    assert real.ask("Gibt es Hinweise zu Kitas in Schalke?").verdict == "ja"


def test_a_field_guessed_from_the_meaning_is_not_said_to_be_missing_for_a_workshop(real):
    # "gefordert" comes close to the district boards' "Worauf kommt es an", which a workshop's table does not have
    # (and a workshop named as one is that workshop: its rows answer, not other boards sharing the earlier words)
    for question in ("Und was wurde im Workshop Bildung gefordert?",
                     "Und was wurde dort im Workshop Bildung gefordert?"):
        answer = real.ask(question, history=["Was wurde in Minden zur Integration gesagt?"])
        assert not answer.notes and "keinen Abschnitt" not in answer.text
        assert answer.passages[0].passage.place == "Bildung", answer.text
    # a field the question names is still said to be missing
    assert "keinen Abschnitt „Was läuft gut“" in real.ask("Was läuft gut im Workshop Wohnen?").text


def test_an_address_is_a_street_with_its_number_or_a_postcode_not_any_place():
    from assistant.evidence import VALUES
    from assistant.understand import asked_value
    assert asked_value("Welche Adresse hat das Stadtteilbüro?") == "address"
    assert asked_value("What is the address of the youth centre?") == "address"
    assert asked_value("Wie lautet die E-Mail-Adresse von Frau Berg?") == "contact"
    assert asked_value("How should the council address the noise?") is None
    assert asked_value("Wie ist die Web-Adresse der Bürgerrunde?") is None
    assert asked_value("Unter welcher Adresse ist die Website erreichbar?") is None
    assert VALUES["address"].search("im Klimabüro, Schulstraße 5, 33330 Gütersloh")
    assert VALUES["address"].search("Anschrift: Rathaus Talheim")
    assert not VALUES["address"].search("Quartierszentrum") and not VALUES["address"].search("am Marktplatz")


def test_what_a_count_question_is_about_is_neither_the_workshop_it_names_nor_a_part_of_a_verb(real):
    # "teilgenommen" is not about a "Stadtteil", and "beim Workshop Wohnen" not about every workshop's heading
    question = "Wie viele Leute sind beim Workshop Wohnen gewesen, die teilgenommen haben?"
    about = real.speaks_of(real.understand(question))
    assert not about("Workshop 2 – Wohnen Segregation in den vier sozio-ökonomisch schwächsten Stadtteilen")
    assert about("Es haben 12 Leute teilgenommen")
    # a noun's short parts still count: "Sprachkurse" are about "Kurse"
    assert real.speaks_of(real.understand("Wann beginnen die Sprachkurse?"))("Neue Kurse ab 5. Mai")


@pytest.mark.parametrize("question", ["Was plant man in mindn für die Ausbildung?",
                                      "Was sagen die Leute aus Mnden über Wohnungen?",
                                      "wie siehts aus mit wohnungen in mindenn"])
def test_a_misspelt_city_after_in_is_that_city(real, question):
    assert [place.name for place in real.understand(question).places] == ["Minden"]
    answer = real.ask(question)
    assert not answer.abstained and {hit.passage.source for hit in answer.passages} == {
        "minden-ikon-workshopphase-1.txt"}


def test_a_where_question_listing_alternatives_gathers_the_places_of_each(real):
    # "Polizeiwache" is on Feldmark's board, "Abbau von Kriminalität" on Schalke's
    answer = real.ask("In welchen Stadtteilen werden Polizei oder Kriminalität erwähnt?")
    assert answer.mode == "where"
    assert {hit.passage.place for hit in answer.passages} == {"Feldmark", "Schalke"}
    assert set(answer.not_mentioned) == {"Altstadt", "Bismarck", "Bulmke-Hüllen", "Heßler", "Schalke-Nord"}
    lines = {line for hit in answer.passages for line in highlighted(hit)}
    assert lines == {"Polizeiwache", "- Abbau von Kriminalität"}


def test_a_section_pointed_at_by_a_word_of_its_prompt_comes_with_what_the_place_says_of_the_matter(real):
    # "für die Integrationsarbeit" points at "Worauf kommt es (bei der weiteren Integrationsarbeit) an"; the
    # Immobilien asked about are on Bismarck's Handlungsbedarfe
    answer = real.ask("Was ist in Bismarck für die Integrationsarbeit wichtig, gerade bei Immobilien?")
    sections = [hit.passage.section for hit in answer.passages]
    assert sections[0] == "Worauf kommt es an" and "Handlungsbedarfe" in sections
    assert {hit.passage.place for hit in answer.passages} == {"Bismarck"}
    assert "- Leerstehende Immobilien" in [line for hit in answer.passages for line in highlighted(hit)]
    # named by its label, the section alone answers
    labelled = real.ask("Worauf kommt es in Bismarck an, gerade bei Immobilien?")
    assert {hit.passage.section for hit in labelled.passages} == {"Worauf kommt es an"}


def test_a_quoted_name_does_not_narrow_a_question_for_a_time_to_itself(real):
    # the time of the greeting is on the programme line "17:30 Begrüßung", the name on the line below it
    answer = real.ask("Um wie viel Uhr war die Begrüßung durch „Annette Berg“?")
    assert "17:30 Begrüßung" in answer.lead, answer.lead


def test_a_section_named_in_other_words_of_its_label_brings_no_other_sections(real):
    # "klappt gut" is "Was läuft gut" in other words: not the Handlungsbedarfe that name Kitas too
    answer = real.ask("Was klappt in Schalke gut bei Kitas?")
    assert {hit.passage.section for hit in answer.passages} == {"Was läuft gut"}


def test_the_verb_of_a_section_named_by_a_question_does_not_name_it_alone(real):
    # "Kommt … vor?" shares only its verb with "Worauf kommt es an": the question asks whether the market is named
    vocabulary = real.retriever.vocabulary
    assert vocabulary.find_sections("Kommt der Feierabendmarkt in der Altstadt im Protokoll vor?") == {}
    assert set(vocabulary.find_sections("Worauf kommt es in Schalke an?")) == {"Worauf kommt es an"}
    assert set(vocabulary.find_sections("Was läuft in Schalke gut?")) == {"Was läuft gut"}
    answer = real.ask("Kommt der Feierabendmarkt in der Altstadt im Protokoll vor?")
    assert "Worauf kommt es an" not in answer.text.split("\n\n")[0]
    assert highlighted(answer.passages[0]) == ["- Feiersabendmarkt"]


def test_a_question_for_a_time_names_no_field_by_meaning(real):
    # "laufen" is no "Worauf kommt es an": a question for a time asks for a value any field may hold, and the board
    # that names the courses comes first
    question = "Ab wann sollen die Integrationskurse im Quartierszentrum in der Feldmark laufen?"
    assert real.understand(question).sections == {}
    answer = real.ask(question)
    assert answer.passages[0].passage.section == "Handlungsbedarfe", answer.text


def test_a_quoted_title_finds_the_day_its_title_page_states(real):
    # the title page states the day under the title: asked when, the title is what finds it
    answer = real.ask("Wann fand die Konferenz „Teilhabe gestalten und Gemeinschaft stärken“ statt?")
    assert "13. Februar 2019" in answer.lead, answer.text


def test_a_date_on_a_board_answers_only_for_what_its_line_names(real):
    # "ab dem 4.03)" is a line of a note about the centre's courses, not about a clean-up campaign
    answer = real.ask("Wann ist die Müllaktion in Feldmark geplant?")
    assert answer.abstained and "4.03" not in answer.lead, answer.text


def test_who_gave_the_welcome_is_answered_from_the_programme(real):
    # "die Konferenz" is the meeting (not the topic card on "Stadtteil-Konferenzen"); its programme names the welcome
    answer = real.ask("Wer hat bei der Konferenz die Gäste begrüßt?")
    assert answer.passages[0].passage.board == "Programm" and "17:30 Begrüßung" in answer.lead, answer.text


def test_an_ordinal_before_a_span_of_time_names_no_section(real):
    # "Spontan: Erste Lösungsideen" is named by "die ersten Ideen/Vorschläge", not by "die erste halbe Stunde"
    vocabulary = real.retriever.vocabulary
    assert "Lösungsideen" not in vocabulary.find_sections("Was passierte in der ersten Stunde?")
    assert "Lösungsideen" not in vocabulary.find_sections("Was gab es in der ersten halben Stunde?")
    assert "Lösungsideen" in vocabulary.find_sections("Was sagen die ersten Ideen zur Mediation?")
    assert "Lösungsideen" in vocabulary.find_sections("Welche ersten Vorschläge gab es zur Mediation?")


def test_a_meeting_fact_asked_by_the_name_of_its_page_is_answered_by_that_whole_page(real):
    # The quoted motto heads the title page, and the Minden workshop on "Teilhabe" shares it; the goals asked for
    # are the "Zielsetzung" page, all three of its lines.
    answer = real.ask("Was waren die Ziele der Integrationskonferenz „Teilhabe gestalten und Gemeinschaft stärken“?")
    first = answer.passages[0]
    assert first.passage.board == "Zielsetzung", answer.text
    marked = " ".join(item.text for item in first.passage.items if item.line in first.highlights)
    for goal in ("Aktivitäten in den Quartieren bündeln", "effektiver Informations- und Erfahrungsaustausch",
                 "einen Beitrag zum gesamtstädtischen Integrationskonzept leisten"):
        assert goal in marked, (goal, marked)


def test_a_page_is_named_by_a_noun_of_the_question_but_not_by_the_meeting_itself():
    from assistant import headed_with_a_word_of

    def page(name: str) -> Passage:
        return Passage(source="k.txt", doc_title="Konferenz", board_kind="page", board=name, section=name,
                       items=[Item("x", 1)])

    assert headed_with_a_word_of(page("Zielsetzung"), "Welche Ziele hatte die Konferenz?")
    assert headed_with_a_word_of(page("Programm"), "Welche Programmpunkte gab es?")
    # (the meeting's own name heads no page of it: "das Protokoll" is not its "Protokollkopf")
    assert not headed_with_a_word_of(page("Protokollkopf"), "Wer hat das Protokoll der Sitzung geführt?")
    assert not headed_with_a_word_of(page("Konferenzablauf"), "Wann begann die Konferenz?")


def test_in_which_contexts_something_is_named_asks_where_it_is_named(real):
    # "Zusammenhang" frames the question like "Stelle"; the Minden row that says "In diesem Zusammenhang" is not it
    answer = real.ask("In welchen Zusammenhängen wird die Caritas genannt?")
    assert answer.mode == "where" and answer.passages, answer.text
    assert all("Caritas" in hit.passage.text for hit in answer.passages), answer.text
    assert {hit.source for hit in answer.passages} == {"gelsenkirchen-integrationskonferenz-mitte-2019.txt",
                                                       "minden-ikon-workshopphase-1.txt"}
    # (in one context, what is said of it: the line naming it first)
    assert "Caritas" in real.ask("In welchem Zusammenhang wird die Caritas genannt?").passages[0].passage.text


def test_a_citys_adjective_names_the_city_and_protokoll_names_no_one_meeting(real):
    # "das Mindener Protokoll" is Minden's, not the Gelsenkirchen "Fotoprotokoll" whose title ends in "protokoll"
    query = real.understand("Was steht im Mindener Protokoll zu Kitas?")
    assert [(place.name, place.kind) for place in query.places] == [("Minden", "city")]
    assert [place.name for place in real.understand("Was sagt das Gelsenkirchener Protokoll zu Kitas?").places] == [
        "Gelsenkirchen"]


def test_a_word_the_question_quotes_is_what_a_where_question_asks_for(real):
    # "siehe" is no noun, but quoted: the rows of the Minden protocol that refer elsewhere with it, not its nouns
    answer = real.ask("Wo verweist das Mindener Protokoll mit „siehe“ auf andere Stellen?")
    assert answer.mode == "where" and len(answer.passages) >= 4, answer.text
    assert all(hit.source == "minden-ikon-workshopphase-1.txt" for hit in answer.passages)
    for hit in answer.passages:
        marked = " ".join(item.text for item in hit.passage.items if item.line in hit.highlights)
        assert "siehe" in marked.casefold(), (hit.passage.board, marked)


def test_a_year_asked_for_is_answered_by_the_date_and_a_citys_protocol_is_that_citys(real):
    # "In welchem Jahr" asks for a time: the title page's date, not the topic card "2x pro Jahr"
    assert "13. Februar 2019" in real.ask("In welchem Jahr fand die Integrationskonferenz statt?").lead
    # the goals of "the Mindener Protokoll" are Minden's rows, not Gelsenkirchen's "Zielsetzung"
    answer = real.ask("Welche Ziele nennt das Mindener Protokoll?")
    assert answer.passages[0].source == "minden-ikon-workshopphase-1.txt", answer.text


def test_a_programme_says_who_gave_its_entries_and_how_long_the_conference_went(real):
    assert "Annette Berg" in real.ask("Wer hat bei der Konferenz die Begrüßung gemacht?").lead
    # (also where the question names no meeting: the entry is one of a programme's, asked with nothing beyond it)
    assert "Annette Berg" in real.ask("Wer hat die Begrüßung gemacht?").lead
    assert not real.understand("Wer hat die Begrüßung der neuen Nachbarn organisiert?").meeting_fact
    assert "Axel Jürgens" in real.ask("Wer hat die Konferenz moderiert?").lead
    lead = real.ask("Wie lange ging die Konferenz?").lead
    assert "17:00 Ankommen" in lead and "20:30 Abschlussrunde" in lead, lead


def test_the_column_of_a_table_row_asked_for_leads_the_answer(real):
    lead = real.ask("Welche Zielgruppe hat die Herausforderung zu den älteren Geflüchteten?").lead
    assert "„Zielgruppe: ältere Geflüchtete“" in lead and "Herausforderung:" not in lead, lead
    assert "„Ziel: " in real.ask("Was ist das Ziel bei der Segregation in Minden?").lead


def test_a_verb_close_to_a_workshops_name_names_no_workshop(real):
    answer = real.ask("Ich wohne in Schalke-Nord, gibt es da was für Kinder?")
    assert [place.name for place in answer.query.places] == ["Schalke-Nord"], answer.text
    # (a workshop's name misspelt small right after "workshop" is still named as one)
    named = real.understand("Was sagt der workshop wohnn zu Leerständen?")
    assert [place.name for place in named.places] == ["Wohnen"], named.places


@pytest.mark.parametrize("followup", ["Gibt es das Problem noch in einem anderen Stadtteil?",
                                      "In welchen anderen Stadtteilen wird das noch genannt?", "Und wo noch?",
                                      "Und wo sonst?", "Gibt es das auch in anderen Stadtteilen von Gelsenkirchen?"])
def test_where_else_asks_where_the_earlier_matter_is_named(real, followup):
    answer = real.ask(followup, history=["Wird in Bismarck über zu wenige Parkplätze geklagt?"])
    places = {place_of(hit.passage) for hit in answer.passages}
    assert answer.mode == "where" and {"Bismarck", "Feldmark"} <= places, answer.text
    assert "Schalke" in answer.not_mentioned


def test_where_else_is_asked_of_the_earlier_question_read_again_and_in_its_language(real):
    # the earlier question's "Probleme" is a field word there, not a second matter: Müll is named in four districts
    answer = real.ask("Gibt es das Problem noch in einem anderen Stadtteil?",
                      history=["Welche Probleme gibt es mit Müll in Bulmke-Hüllen?"])
    assert {"Bismarck", "Bulmke-Hüllen", "Feldmark", "Schalke"} <= {place_of(hit.passage) for hit in answer.passages}
    assert "Bulmke-Hüllen" not in answer.not_mentioned, answer.lead
    assert real.ask("Where else?", history=["Where are Kita places missing in Schalke?"]).lead.startswith(
        "It is mentioned for")


def test_other_places_with_a_matter_of_their_own_are_a_question_of_their_own(real):
    earlier = ["Wird in Bismarck über zu wenige Parkplätze geklagt?"]
    answer = real.ask("In welchen anderen Stadtteilen gibt es Schrottimmobilien?", history=earlier)
    assert {place_of(hit.passage) for hit in answer.passages} == {"Bismarck", "Schalke"}, answer.text
    answer = real.ask("Und in welchen anderen Stadtteilen fehlen Kita-Plätze?",
                      history=["Fehlen in Bismarck Kita-Plätze?"])
    places = {place_of(hit.passage) for hit in answer.passages}
    assert {"Bismarck", "Bulmke-Hüllen", "Schalke", "Schalke-Nord"} <= places, answer.text
    # "andere Themen" is no where-question about the earlier matter
    assert real.understand("Welche anderen Themen wurden besprochen?", history=earlier).intent != "where"


def test_the_conference_a_question_is_at_is_no_topic_card_naming_conferences(real):
    # "auf der Konferenz" is the meeting, not the card „Stadtteil Konferenz 2x pro Jahr“
    answer = real.ask("Kommt auf der Konferenz eine App vor, mit der man Verschmutzungen melden kann?")
    assert not answer.query.topics
    assert "GE-meldet" in [item.text for item in answer.passages[0].passage.items], answer.text


def test_a_citys_name_with_an_unknown_quarter_is_an_unknown_place(real):
    answer = real.ask("Welche Handlungsbedarfe wurden auf der Konferenz für Gelsenkirchen-Horst festgehalten?")
    assert [name for name, _ in answer.query.unknown_places] == ["Gelsenkirchen-Horst"] and not answer.passages
    # (the city's name with a district it has is that district)
    named = real.understand("Was sind die Handlungsbedarfe in Gelsenkirchen-Schalke?")
    assert "Schalke" in [place.name for place in named.places] and not named.unknown_places
    # (nor is the city's name with a word of a district's name: "Gelsenkirchen-Bulmke")
    answer = real.ask("Was fehlt in Gelsenkirchen-Bulmke?")
    assert not answer.query.unknown_places and place_of(answer.passages[0].passage) == "Bulmke-Hüllen", answer.text


def test_a_where_question_finds_the_adjective_made_of_its_noun(real):
    # Bismarck's board says "Sprachliche Barrieren": it speaks of Sprache
    answer = real.ask("Wo ist Sprache ein Problem?")
    assert "Bismarck [" in answer.lead and "Bismarck" not in answer.not_mentioned, answer.lead


def test_a_where_answer_names_a_topic_by_its_number_and_title(real):
    # "Thema 5" alone tells a reader nothing; the title its group worked it out under does
    lead = real.ask("In welchen Themen geht es um Kinder?").lead
    assert "Thema 5 („Kinder helfen Kinder“) [" in lead, lead
    assert "Thema 8 („Offene Kinder- und Jugendarbeit“) [" in lead, lead
    # a long title is cut to its first words
    from assistant.answer import short_title
    assert short_title("Klimaschutz, Umweltschutz, Müllentsorgung Kinder motivieren – Nicht reden tun!") == (
        "Klimaschutz, Umweltschutz, Müllentsorgung Kinder motivieren …")


def test_the_kind_of_group_topics_were_worked_in_is_no_matter_of_a_listing(real):
    # "in den Gesprächsgruppen" says where the topics were worked on: the topics are listed, not the programme's
    # "In kleinen Gesprächsgruppen"
    answer = real.ask("Welche Themen wurden in den Gesprächsgruppen bearbeitet?")
    assert answer.mode == "places" and answer.lead.startswith("Themen im Protokoll:"), answer.lead


def test_a_field_is_found_by_meaning_by_the_closest_way_it_is_named(real):
    # its prompt alone ("Wer ist davon betroffen", "Wo sehen wir Handlungsbedarfe") reads closer to everyday words
    # than its name and prompt run together
    assert set(real.understand("Wen betrifft das?").sections) == {"Betroffene"}
    answer = real.ask("Was brauchen die Leute in Bulmke-Hüllen?")
    assert {hit.passage.section for hit in answer.passages} == {"Handlungsbedarfe"}, answer.text
    from assistant.retrieve import bare_prompt
    assert bare_prompt("Abschließend: Wer sollte die (Prozess-)Verantwortung übernehmen („Wer hat den Hut auf...“)"
                       ) == "Wer sollte die Verantwortung übernehmen"


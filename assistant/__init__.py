"""The assistant: understand a question in its conversation, retrieve, answer with citations."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from index import Settings, load_index
from index.passage import Passage

from .answer import (
    Answer,
    abstention,
    compose,
    no_answer,
    no_places_answer,
    place_of,
    unknown_meeting_answer,
    unknown_place_answer,
)
from .evidence import (
    ASKING_NOUNS,
    CLOSING_LINE,
    MAX_MENTIONS,
    VALUE_PASSAGES,
    VALUES,
    Matter,
    counted_noun,
    either_of,
    fact_labels,
    fact_lines,
    heading_lines,
    highlight,
    holding_the_value,
    is_programme_entry,
    kind_of,
    lines_naming,
    matters_of,
    mentions,
    misspelt,
    most_specific_mentions,
    states_the_count,
    unknown_noun,
    unknown_role,
    unmentioned_matter,
    vote_margins,
)
from .meetings import AGENDA_ENTRIES, AGENDA_NUMBER, AGENDA_WORDS, OVERVIEW_WORDS
from .retrieve import Filters, Hit, Ranking, Retriever, decides
from .understand import (
    ASKED_VALUE,
    DOCUMENT_WORDS,
    ENGLISH_WORDS,
    FRAME_WORDS,
    MEETING_FACT,
    MEETING_NOUNS,
    QUOTED,
    TIME_NOUN,
    TURKISH_WORDS,
    WORD,
    Query,
    asked_end,
    asked_value,
    fold,
    german_meeting_nouns,
    other_meetings,
    place_kind,
    understand,
    uses_section_name,
    words,
    written_in_words,
)

__all__ = ["Answer", "Assistant", "Filters", "Hit", "MAX_QUESTION_CHARS", "Query", "QuestionError", "clean_question"]


class QuestionError(ValueError):
    """A question or conversation that cannot be used as given; the message (German) says what to change."""

MAX_QUESTION_CHARS = 1000
MAX_HISTORY_TURNS = 10
MAX_CITED = 8
# A short part of a word other than a noun says little of what a question is about: "teilgenommen" is not about
# every "Stadtteil" (see spoken_of_terms).
SPOKEN_OF_PART_CHARS = 5
CITE_RELATIVE = 0.6  # cite further passages only while they score this close to the best
# … and the boards of a district the question names while they score this close (a title page that names the
# district does not push its own boards out).
CITE_RELATIVE_OWN = 0.5
FACTS_ELSEWHERE = 2  # passages of a meeting cited for stating a fact of it, beyond its best ranked own pages
DISTRICT_WINDOW = 200  # how far down the ranking a named district's boards are looked for first
DECISION_WINDOW = 100  # how far down the ranking the decision of the item answering best is looked for
# Which vote a question asks for: the closest or the clearest (German, English).
VOTE_EXTREMES = {
    "closest": re.compile(r"\bknappst\w*|\bclosest\b|\bnarrowest\b|\btightest\b", re.IGNORECASE),
    "clearest": re.compile(r"\bdeutlichst\w*|\bklarst\w*|\bclearest\b|\bwidest\b|\bgrößte[nr]?\s+mehrheit\b"
                           r"|\blargest\s+majority\b", re.IGNORECASE),
}
ASKS_A_VOTE = re.compile(r"\b(?:vote[sd]?|voting|ballot|decision|abstimmung\w*|beschl\w*|oylama\w*)\b", re.IGNORECASE)
# Words for a vote itself, folded: they name no matter among the votes ("Welche Abstimmung …").
VOTE_WORDS = re.compile(r"abstimmung\w*|stimme[n]?|entscheidung\w*|beschluss\w*|votum|voten|vote[sd]?"
                        r"|decision\w*|ergebnis\w*|mehrheit\w*")
PARTS_WINDOW = 30  # how far down the ranking the other parts of a cited table row are looked for
# The nouns for the kind of value asked for, not for what it is about.
VALUE_NOUNS = re.compile(r"\b(?:geld(?:betrag|summe)?|betrag|summe|kosten|anzahl|money|amount)\b", re.IGNORECASE)
# A word of the question on more than this share of the passages (and this many) names nothing a line is about.
COMMON_WORD_SHARE = 0.15
COMMON_WORD_PASSAGES = 10
# How alike (rapidfuzz ratio) a word the corpus lacks must be to one of its words to speak of it, misspelt.
MISSPELT_LIKENESS = 90
COMMON_SHARE = 0.05  # a place named on more than this share of the passages does not tell what a line is about
# "in Heuweiler" (no article: a name; "bei Forderung 3" is a numbered thing)
NAMED_PLACE = re.compile(r"\b(?i:in|von|aus|bei)\s+([A-ZÄÖÜ][\w-]+)(?![\w-])(?!\s+\d{1,3}\b)")
# Relevance: multilingual-e5 puts any two German texts at cosine ~0.8, so an absolute threshold does
# not separate questions about the protocols from others. What does: whether what the question is about
# (place names taken out) comes closer to some passage than to everyday off-topic questions
# (data/off_topic.txt). Calibrated on tests/data/questions.jsonl (positives and negatives of our own).
RELEVANCE_MARGIN = -0.018
OFF_TOPIC_FILE = Path(__file__).parent / "data" / "off_topic.txt"
# That margin holds for corpora like the bundled protocols. A corpus of another kind (a parliament's minutes speak
# of everything) comes closer to any question: other everyday questions (data/off_topic_probes.txt, never the
# reference ones) show how much closer, and the margin needed rises by as much (it never falls).
PROBES_FILE = Path(__file__).parent / "data" / "off_topic_probes.txt"
# The probes' mean margin on the bundled protocols (measured -0.0300; the half-thousandth keeps another machine's
# float arithmetic from moving their threshold).
PROBES_REFERENCE_MARGIN = -0.0295


class Assistant:
    """Search and conversational answers over a corpus folder and its on-disk index."""

    def __init__(self, retriever: Retriever, settings: Settings | None = None) -> None:
        self.retriever = retriever
        self.store = retriever.store
        self.settings = settings or Settings()  # where its corpus (the sources to show) and data live

    @functools.cached_property
    def _off_topic(self) -> np.ndarray:
        """The everyday off-topic questions' vectors, made on the first relevance check (not at start-up: ~1 s)."""
        return self.retriever.store.embedder.embed_passages(off_topic_questions())

    @functools.cached_property
    def relevance_shift(self) -> float:
        """How much closer everyday questions come to this corpus than to the bundled protocols (≥ 0), worked
        out on the first relevance check from the probe questions."""
        margins = self.probe_margins()
        return max(0.0, float(np.mean(margins)) - PROBES_REFERENCE_MARGIN) if margins else 0.0

    def probe_margins(self) -> list[float]:
        """The relevance margin of each probe question on this corpus."""
        texts = [probe.rstrip("?？ ") for probe in questions_in(PROBES_FILE)]  # as Retriever.dense_text has them
        if not texts or not self.store.passages:
            return []
        vectors = self.store.embedder.embed_queries(texts)  # as a question's, in one batch
        return [self.margin(self.retriever.closest(vector), vector) for vector in vectors]

    @property
    def corpus_dir(self) -> Path:
        return self.settings.corpus_dir

    @classmethod
    def load(
        cls,
        corpus_dir: str | Path | None = None,
        index_dir: str | Path | None = None,
        embedder: str | None = None,
        settings: Settings | None = None,
    ) -> Assistant:
        """The assistant for a corpus (default: the configured one, else the bundled corpus/), building or refreshing
        the index as needed; the folders and embedder given override the settings."""
        settings = (settings or Settings()).override(corpus_dir=corpus_dir, index_dir=index_dir, embedder=embedder)
        store = load_index(settings.corpus_dir, settings.index_dir, settings.embedder)
        return cls(Retriever(store), settings)

    @functools.cached_property
    def documents(self) -> list[str]:
        """Titles of the indexed documents (an assistant's index never changes under it)."""
        return titles_of(self.store.passages)

    def searched(self, filters: Filters | None = None) -> list[str]:
        """Titles of the documents a question under these filters searches: those with a passage they let through."""
        if not filters or not (filters.sources or filters.places or filters.sections):
            return self.documents
        return titles_of(passage for passage in self.store.passages if filters.allows(passage))

    def understand(self, question: str, history=None) -> Query:
        question = clean_question(question)
        query = understand(question, self.retriever.vocabulary, normalize_history(history))
        if query.meeting_fact and self.asks_about_something_within(query):
            query = replace(query, meeting_fact=frozenset())
        elif not (query.topics or query.local_places or query.documents or query.worded_sections) and (
                described := self.described_board(query)) is not None and described.passage.topic_no is not None:
            # "Was hat die Gruppe erarbeitet, die Konflikte … durch Vermittlung angehen wollte?": that topic (a field
            # of it asked for in words comes first by asked_part_of)
            query = replace(query, topics={(described.source, described.passage.topic_no): 1.0})
        if not query.meeting_fact and (meeting := self.meeting_met_for(query)):
            # "Wo im Rathaus traf man sich für den Abend mit dem Referenten von Stadtmobil?": when or where that
            # meeting was, a fact of its own pages (the words naming it are no section or topic asked for)
            query = replace(query, meeting_fact=frozenset({meeting}), sections={}, topics={}, intent=None)
        if not query.meeting_fact and not query.followup and not (
                query.topics or query.local_places or query.documents or query.items or query.sections) and (
                stating := self.programmes_stating(query)):
            # "Wer hat die Begrüßung gemacht?": an entry of a meeting's programme, though the question names no
            # meeting ("17:30 Begrüßung" / "Annette Berg, …")
            query = replace(query, meeting_fact=stating)
        return query

    def programmes_stating(self, query: Query) -> frozenset[str]:
        """The documents whose own pages hold a programme entry that gives the fact the question asks for, where
        the question names nothing beyond the entry ("Wer hat die Begrüßung der neuen Nachbarn organisiert?" asks
        about neighbours)."""
        question = query.question
        if not fact_labels(question):
            return frozenset()
        # (its nouns, as German writes them, whether the protocols use them or not)
        asked = {fold(word) for word in WORD.findall(question)[1:] if word[:1].isupper()} - FRAME_WORDS
        stating = set()
        for position in self.head_positions:
            passage = self.store.passages[position]
            lines = fact_lines(passage, question)
            entries = [item.text for item in passage.items if item.line in lines and is_programme_entry(item.text)]
            if any(asked <= {fold(word) for word in WORD.findall(entry)} for entry in entries):
                stating.add(passage.source)
        return frozenset(stating)

    @functools.cached_property
    def head_positions(self) -> list[int]:
        """The positions of the documents' own pages (title page, programme, goals, the head of minutes)."""
        return [position for position in range(len(self.store.passages)) if self.retriever.is_head(position)]

    def meeting_met_for(self, query: Query) -> str | None:
        """The document of the meeting a question asks when or where it met, naming it by what was said there
        rather than by its title or date ("Wann fand die Bürgerrunde mit dem Vortrag über Car Sharing statt?"): the
        one whose passages its other words match best. None for a question of another kind, or naming a place, an
        item or a meeting by its date."""
        if query.followup or query.documents or query.items or query.local_places or len(self.documents) < 2:
            return None
        question = query.question
        asks = WHEN_OR_WHERE_WE_MET.search(question)
        if not asks:
            return None
        vocabulary = self.retriever.vocabulary
        # (met without a subject, "traf man sich", or the meeting its subject: "fand die Bürgerrunde … statt")
        subject = next((word for word in WORD.findall(question[asks.start():])[1:] if word[:1].isupper()), None)
        # (not "die nächste Integrationskonferenz": another meeting than the protocol's)
        naming = vocabulary.naming_the_meeting(subject) if subject and fold(subject) not in other_meetings(question) \
            else {}
        if not (asks.group("impersonal") or naming):
            return None
        within = set().union(*naming.values()) if naming else {passage.source for passage in self.store.passages}
        rest = " ".join(word for word in WORD.findall(question) if fold(word) not in set(naming) | FRAME_WORDS
                        and not MEETING_FACT.fullmatch(word))
        scores = self.retriever.lexical.scores(rest)
        order = [position for position in np.argsort(-scores) if scores[position] > 0
                 and self.store.passages[position].source in within]
        if not order:
            return None
        meeting = self.store.passages[order[0]].source
        # (met without a subject, with someone or something the minutes speak of only in an item, is an appointment
        # they speak of, not the meeting: "Wann traf man sich mit dem Ortsbaumeister vor Ort?")
        if not naming and self.asks_about_something_within(replace(query, meeting_fact=frozenset({meeting}))):
            return None
        return meeting

    def asks_about_something_within(self, query: Query) -> bool:
        """Whether a question for a meeting's fact names a thing its minutes speak of only beyond their own pages
        ("Wann findet die Fahrrad-Exkursion des Makerspace statt?"): it asks when that is, not when the meeting was.
        (A noun, and not one for the meeting, the fact itself or what is asked: "das Treffen", "das Ende der
        Versammlung", "an welchem Tag", "in welcher Rolle".)"""
        # (one present at the meeting is asked about when the meeting was: "Wann war die Vorsitzende der Genossenschaft
        # bei der Bürgerrunde zu Gast?")
        named = self.retriever.vocabulary.naming_the_meeting(query.question)
        tokens = WORD.findall(query.question)
        if any(fold(word) in named and AT_THE_MEETING.fullmatch(" ".join(tokens[max(0, i - 2):i]))
               for i, word in enumerate(tokens)):
            return False
        thing = next((matter for matter in matters_of(query, self.retriever) if matter.words and (
            word := matter.words[0])[:1].isupper() and fold(word) not in ASKING_NOUNS
            and not german_meeting_nouns(fold(word))[0].endswith(MEETING_NOUNS)  # "das Treffen" is the meeting
            and not MEETING_FACT.fullmatch(word) and asked_value(word) is None and not TIME_NOUN.fullmatch(word)),
            None)
        if thing is None:
            return False
        within = self.retriever._allowed(Filters(sources=set(query.meeting_fact)))
        naming = self.retriever.mentions(thing.candidates, thing.named_by, within)
        return bool(naming) and not any(self.retriever.is_head(position) for position in naming)

    def search(self, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """Plain ranked retrieval: the k best passages, no conversation and no abstention.

        Best first, except that a question for a section of a named district puts all of that
        district's boards for the section first, in protocol order.
        """
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise QuestionError("k muss eine positive ganze Zahl sein.")
        query = understand(clean_question(question), self.retriever.vocabulary)
        return self.retriever.rank(query, filters).hits[:k]

    def ask(self, question: str, history=None, filters: Filters | None = None) -> Answer:
        """An answer built only from retrieved passages, each item with its citation marker; [] when nothing fits.

        A question naming a place the protocols do not know is told so. One asking where (or whether) something is
        said gathers every passage that mentions it, and names the places that do not.
        """
        query = self.understand(question, history)
        if query.unknown_places:
            return unknown_place_answer(query, self.places_within(query.city_sources))
        if query.unknown_dates:
            return unknown_meeting_answer(query, self.meeting_dates)
        beyond = self.asks_beyond_names(query)
        # "Was läuft gut in Schalke?": the places and the section it names answer it whole (gathered), so its
        # meaning is not needed to rank, nor to tell that the protocols speak of it.
        by_names = bool(query.local_places and query.sections) and not query.topics and \
            not self.asks_beyond_names(query, sections_too=True)
        ranking = self.retriever.rank(query, filters, by_meaning=not by_names)
        if by_names and ranking.hits and ranking.hits[0].gathered:
            beyond = False
        elif by_names:
            ranking = self.retriever.rank(query, filters)  # nothing gathered after all
        # (the words asked, now or in the question a follow-up carries on: not the section names carried along)
        asked_words = " ".join([query.question, *normalize_history(history)[-1:]])
        if ranking.missing:
            # A field is said to be missing only where the question named it, not by a word of its printed prompt
            # ("Probleme" of the topics' "Was ist die Herausforderung / das Problem": Schalke's "Handlungsbedarfe"
            # answer it), and not where a topic it names has it ("Wer hat beim Thema Bildung, IFÖ und Übergänge den
            # Hut auf?": that the workshop "Bildung", named by the same word, lacks it is not the answer).
            of_the_topics = {passage.section for passage in self.store.passages
                             if (passage.source, passage.topic_no) in query.topics} if query.topics else set()
            ranking.missing = [(place, section) for place, section in ranking.missing
                               if section not in of_the_topics and uses_section_name(asked_words, section)]
        lacking = {place for place, _ in ranking.missing}
        lacks_the_field = bool(lacking) and lacking >= set(query.local_places) and not query.topics
        if lacks_the_field:
            # "Und wer ist dafür verantwortlich?" about a workshop whose rows have no such field: said so (the
            # missing note) over the place's own passages, not other boards' fields of that name.
            missing = ranking.missing
            ranking = self.retriever.rank(replace(query, sections={}), filters)
            ranking.missing = missing
        if ranking.hits and unknown_role(query, self.retriever):
            # "Wer ist die Integrationsbeauftragte der Stadt Minden?": the protocols never name the role, so they do
            # not say who holds it, whatever else they say of integration in Minden
            return abstention(self.searched(filters), limits=filters_named(filters), query=query)
        relevant = bool(ranking.hits) and self.is_relevant(query, ranking, beyond)
        if not relevant and query.entries and ranking.hits:
            # "Was war der zweite Tagesordnungspunkt?": the agenda of the meeting lists it, however short the question
            relevant = self.agenda_listing(query, ranking, []) is not None
        # (a yes-or-no or where-question asks whether or where, not for the value itself)
        value = asked_value(query.question) if query.intent is None else None
        if not relevant and ranking.hits and value not in (None, "vote"):
            # "Wann war die Begrüßung?": short, and so near everyday questions to the embedder, but one of the best
            # passages has a line with such a value that names all it asks about ("17:30 Begrüßung")
            about = self.speaks_of(query, every=True)
            relevant = about is not None and holding_the_value(
                list(itertools.islice(ranking.hits, VALUE_PASSAGES)), value, query.question, about) is not None
        analyzer = self.retriever.lexical.analyzer
        matters = matters_of(query, self.retriever)
        # (not within the agenda items it names: "Welche Themen kamen unter Sonstiges?")
        lists_places = query.intent == "where" and query.place_kind and not query.local_places and not query.items
        if lists_places and not names_a_matter(query, analyzer):
            # "Welche Workshops gab es in Minden?": each district, workshop or topic of that kind, by its first
            # passage (a workshop's first row opens with its heading).
            listed = self.first_of_each_place(query, filters)
            if listed:
                return compose(query, listed[:MAX_MENTIONS], [], analyzer, mode="places", hidden=listed[MAX_MENTIONS:])
            # None of that kind where it looked ("Welche Workshops gab es in Gelsenkirchen?"): said so, not some
            # passages that happen to share a word.
            looked_in = {p.source: p for p in self.store.passages
                         if (not query.city_sources or p.source in query.city_sources)
                         and (not filters or filters.allows(p))}
            if not looked_in:  # the filters leave nothing of the documents it names
                return abstention(self.searched(filters), limits=filters_named(filters), query=query)
            return no_places_answer(query, titles_of(looked_in.values()), self.places_within(set(looked_in)),
                                    limits=filters_named(filters))
        if query.intent == "yesno" and relevant and unknown_noun(query, self.retriever):
            # "Gibt es im Workshop Wohnen Vorschläge speziell für Häverstädt?": the protocols never use the word, so
            # "no", and what comes closest, to check for oneself (not a "yes" for the proposals they do hold).
            return self.no_with_the_closest(query, ranking, matters)
        if query.intent in ("where", "yesno") and (either := either_of(query, matters, self.retriever)):
            matters = [either, *matters]  # where (or whether) any of the alternatives it lists is named
        # "Hat die Mediationsgruppe auch Empfehlungen aufgeschrieben?": the field asked about answers, and when it is
        # empty, that is the answer (not a "yes" for a line of another field).
        asks_an_empty_field = (query.intent == "yesno" and bool(query.sections) and bool(ranking.hits)
                               and ranking.hits[0].passage.section in query.sections
                               and bool(ranking.hits[0].passage.meta.get("empty")))
        if asks_an_empty_field:
            ranking.missing = []  # (the field is there, empty: no place is said to lack it)
        if query.intent in ("where", "yesno") and matters and not asks_an_empty_field:
            # The most specific word the protocols use within what the question names.
            # (a yes-or-no question is about its most specific word: "Gab es etwas zum Älterwerden im Dorf?" is not
            # answered "yes" for a line about the Dorfeinfahrt)
            # (and by its whole word first where the protocols use it: "Ist der Förderantrag durchgekommen?" is not
            # about a line naming "Antrag" and "fördern" apart)
            asked = [matter for matter in (matters[0].as_written(), matters[0]) if matter] \
                if query.intent == "yesno" else matters
            within = self.within_the_meeting(query, filters)
            matter, found = most_specific_mentions(query, self.retriever, asked, within)
            # A where-question gets every mention even where the question as a whole comes out far from the
            # corpus, but not for a compound's first part alone ("Wo bekomme ich einen Anwohnerparkausweis?").
            if found and (relevant or (query.intent == "where" and matter.has_its_head())):
                if query.intent == "yesno":
                    # The passages that answer best first: in the order of the ranking.
                    found.sort(key=lambda hit: ranking.hits.rank_of(hit.position))
                    # (a field named by its name: "Problem" is a word of the topics' prompt, not "Herausforderung")
                    fields = {field for field in set(query.sections) & query.worded_sections
                              if uses_section_name(asked_words, field)}
                    in_the_field = [hit for hit in found if hit.passage.section in fields]
                    if fields and not in_the_field and all(hit.passage.section for hit in found):
                        # "Sehen die Leute in Schalke Schrottimmobilien als etwas, das gut läuft?": not under the
                        # field it names, but under another of the place's fields: "no", and where it does stand
                        return compose(query, found[:MAX_CITED], [], analyzer, mode="elsewhere")
                    found = in_the_field or found
                    if query.decision:
                        # "Ist die Sanierung des Schulhauses durchgekommen?": the decision of the item that names it
                        # answers, though its own lines do not name it ("Der Kredit … wird mit 28:7 Stimmen bewilligt")
                        deciding = self.decisions_of(found, ranking, matter)
                        # (a tally naming it is marked for what it counts, not for the heading naming it)
                        found = highlight([*deciding, *found], query, self.retriever, matter)
                    return compose(query, found[:MAX_CITED], [], analyzer, mode="yes")
                return compose(query, found[:MAX_MENTIONS], [], analyzer, mode="where",
                               not_mentioned=self.not_mentioned(query, found, filters), hidden=found[MAX_MENTIONS:])
            if query.intent == "yesno" and query.local_places and relevant:
                # Not in those words on the place's boards: "no", and what comes closest, to check for oneself.
                return self.no_with_the_closest(query, ranking, matters)
        if relevant and query.documents and not beyond and not (query.items or query.entries or query.sections
                                                                or query.topics or query.local_places
                                                                or query.meeting_fact):
            # "Was wurde in der Bürgerrunde am 24. September 2015 besprochen?": an overview of that meeting, its
            # protocol from the beginning (head, agenda, first items).
            meeting = [hit for hit in ranking.hits if hit.source in query.documents]
            cited = sorted(meeting, key=lambda hit: (hit.source, hit.lines))[:MAX_CITED]
            return compose(query, cited, [], analyzer)
        looked_in = query.local_places or sorted(filters.places if filters else [])
        # (not under a document or section filter: what a place's other sections say is not looked at then)
        narrowed = bool(filters and (filters.sources or filters.sections))
        if (relevant and beyond and looked_in and matters and query.intent != "yesno" and not lacks_the_field
                and not (query.items or query.meeting_fact or narrowed)):
            # "Welche Probleme mit Müll gibt es in Heßler?": Heßler's boards do not name it (others do). Said so,
            # and what comes closest follows as similar passages, not as the answer.
            word = unmentioned_matter(query, self.retriever, matters, filters)
            similar = highlight(self.cite(ranking.hits, query), query, self.retriever, matters[0]) if word else []
            if similar:
                return compose(query, similar, [], analyzer, mode="absent", absent=(looked_in, word))
        cited = self.cite(ranking.hits, query, places_only=not beyond or lacks_the_field) if relevant else []
        # "Welche Abstimmung ging am knappsten aus?": of every tally there, the one of the fewest votes apart
        extreme = self.extreme_vote(query, matters, filters) if relevant else None
        if extreme is not None:
            cited = put_first(extreme, cited)
        if not cited:
            return abstention(self.searched(filters), limits=filters_named(filters), query=query)
        if extreme is None and query.decision and not query.as_listed:
            # "Welche Forderungen kamen am knappsten durch?": the decision that the best ranked passages lead up to,
            # first, though the debate shares more of the question's words
            matter = matters[0] if matters else None
            # (looked for further down than what is cited: a long debate's passages share the question's words, its
            # tally names only "die Motion")
            deciding = next((hit for hit in itertools.islice(ranking.hits, DECISION_WINDOW)
                             if self.decides_on(hit, cited[0], matter, best=True)), None)
            if deciding is not None:
                cited = put_first(deciding, cited)
        listing = self.agenda_listing(query, ranking, matters) if query.as_listed else None
        if listing is not None:
            cited = put_first(listing[0], cited)
            if query.entries and query.documents:
                # (and right after it, the parts headed with the entries' titles: what was said under them)
                headed = self.retriever.vocabulary.meetings.sections_of_entries(query.entries, query.documents)
                parts = [hit for hit in ranking.hits if hit.source in query.documents
                         and hit.passage.section in headed][:MAX_CITED - 1]
                taken = {hit.position for hit in parts}
                cited = [cited[0], *parts, *(hit for hit in cited[1:] if hit.position not in taken)][:MAX_CITED]
        described = self.described_board(query)
        if (asked := self.asked_part_of(described or cited[0], query, any_board=described is not None)) is not None:
            cited = put_first(asked, cited)
        cited = highlight(cited, query, self.retriever, matters[0] if matters else None)
        if extreme is not None:
            # (its tally answers, wherever the steps above left it)
            cited = [replace(hit, highlights=extreme.highlights) if hit.position == extreme.position else hit
                     for hit in cited]
        if listing is not None:
            cited[0] = replace(cited[0], highlights=listing[1])  # the entries asked for answer
        cited = self.with_the_continuation(cited, query, matters[0] if matters else None)
        cited = self.with_the_boards_head(cited)
        if ASKS_WHO.search(query.question):
            cited = self.with_the_speakers_name(cited)
        if (cited[0].gathered and matters and set(query.sections) <= query.worded_sections
                and not self.names_a_section_by_its_label(query)):
            cited = self.with_other_mentions(query, cited, matters[0], filters)
        if query.left_sections:
            # "und was fehlt?" after "Was läuft gut in Schalke?": not "Was läuft gut" first. (Only the printed
            # fields of boards and tables say what was asked; the parts of an agenda item, "Beschlussfassung", are
            # one item's procedure, and a follow-up on it may well be answered there.)
            cited.sort(key=lambda hit: hit.passage.section in query.left_sections
                       and hit.passage.board_kind in FIELD_BOARDS)
        if query.meeting_fact:
            # A fact of a meeting: its own pages (title page, programme, goals, the head of minutes) first, also
            # where an item that speaks of "the next Sitzung" scores higher; those with a line that answers before
            # those without (the agenda pages of minutes are pages of their head too).
            def own_page(hit: Hit) -> bool:
                # (or a page of the meeting that states the fact: "Sarah übernahm die Versammlungsleitung" in TOP 2)
                return hit.source in query.meeting_fact and (self.retriever.is_head(hit.position)
                                                              or bool(fact_lines(hit.passage, query.question)))

            best = ranking.hits[0].score
            taken = {hit.position for hit in cited}
            pages = [hit for hit in ranking.hits[:MAX_CITED] if own_page(hit) and hit.score >= CITE_RELATIVE_OWN * best
                     and hit.position not in taken]
            taken |= {hit.position for hit in pages}
            # (and a line stating it wherever the ranking put it: "Die Versammlung wurde um 16:18 Uhr geschlossen.")
            of_the_meeting = [(position, passage) for position, passage in enumerate(self.store.passages)
                              if passage.source in query.meeting_fact]
            stated = [Hit(passage, 0.0, position=position) for position, passage in of_the_meeting
                      if position not in taken and fact_lines(passage, query.question)][:FACTS_ELSEWHERE]
            # (and its page headed with the word the question asks for, wherever the ranking put it: "Welche Ziele
            # verfolgte die Konferenz „…“?" is the "Zielsetzung", though the motto it quotes heads the title page)
            # (of the city it names, where it names one: "die Ziele des Mindener Protokolls" are not Gelsenkirchen's)
            def in_the_city(source: str) -> bool:
                return not query.city_sources or source in query.city_sources

            headed = [Hit(passage, 0.0, position=position) for position, passage in of_the_meeting
                      if in_the_city(passage.source) and position not in taken
                      and self.retriever.is_head(position) and headed_with_a_word_of(passage, query.question)]
            taken |= {hit.position for hit in headed}
            stated = [hit for hit in stated if hit.position not in taken]
            cited += highlight(pages + stated, query, self.retriever, matters[0] if matters else None) + headed
            named_page = {hit.position for hit in cited if headed_with_a_word_of(hit.passage, query.question)
                          and self.retriever.is_head(hit.position) and in_the_city(hit.source)}
            # (such a page answers as a whole: every goal of the "Zielsetzung", not the one sharing most words)
            cited = [replace(hit, gathered=True, highlights=whole_page(hit.passage)) if hit.position in named_page
                     else hit for hit in cited]
            # (when it ended: the line saying so first, before the head's hour of the beginning)
            # (also where the ranking had cited it already)
            ended = {hit.position for hit in cited if hit.source in query.meeting_fact and any(
                CLOSING_LINE.search(item.text) for item in hit.passage.items)} \
                if asked_end(query.question) == "last" else set()
            cited.sort(key=lambda hit: (hit.position not in ended, not own_page(hit), hit.position not in named_page,
                                        not hit.highlights))
            del cited[MAX_CITED:]
        if value == "venue" and not query.meeting_fact:
            value = None  # where courses or meetings of a group take place: a district or a board says so too
        if value:
            # "Welcher Partei gehört Iwan Wüst an?": minutes name a speaker's party with each of their turns
            # ("Wüst, EDU:"), wherever the ranking put them, rather than another speaker's party
            speaking = self.turn_of_the_speaker(query, filters) if value == "party" else None
            if speaking is not None:
                cited = put_first(speaking, cited)
            # (a meeting's own pages answer a fact of it in their own words: "17:00 Ankommen")
            about = None if query.meeting_fact else self.speaks_of(query, quoted_only=value == "vote",
                                                                    rare_only=value == "amount")
            holding = speaking or holding_the_value(cited, value, query.question, about)
            if holding is None and about is not None and query.about != query.content and not any(
                    about(item.text) for hit in cited for item in hit.passage.items):
                # A follow-up may name nothing the cited lines say ("Und mit wie vielen Stimmen wurde er gewählt?"
                # after the candidates for the Kassenprüfung): then what the earlier question asked about counts.
                # (not where a line names what it asks about without the value: "davon Rücklagen: 1.000 €" holds
                # no count, and the Endbestand before it is not the answer)
                holding = holding_the_value(cited, value, query.question, self.speaks_of(
                    query, quoted_only=value == "vote", rare_only=value == "amount", inherited=True))
            if holding is None and value == "count":
                holding = self.stated_count(query, cited, ranking, matters[0] if matters else None)
                if holding is not None:
                    cited = put_first(holding, cited)
            if holding is None:
                # "Wann wird in Schalke der Sperrmüll abgeholt?": the boards speak of Sperrmüll but name no time, so
                # the question is not answered; the passages follow as similar ones, to check for oneself: those
                # that name what it is about, where any do, the best first.
                _, naming = most_specific_mentions(query, self.retriever, matters, filters)
                naming.sort(key=lambda hit: ranking.hits.rank_of(hit.position))
                return compose(query, naming[:MAX_CITED] or cited, [], analyzer, mode="lacking", value=value)
            cited.remove(holding)
            cited.insert(0, holding)  # the lead quotes the line with the value
        return compose(query, cited, ranking.missing, analyzer)

    def stated_count(self, query: Query, cited: list[Hit], ranking: Ranking, matter) -> Hit | None:
        """For a count none of the cited lines gives, the best ranked passage of their documents with a line that
        names the thing counted and gives its number, wherever the ranking put it ("Wie viele Mitglieder zählte der
        Verein?": the cash report's "Mitglieder zum 22.02.2025: 30"); None: there is none."""
        counted = counted_noun(query.question)
        if counted is None:
            return None
        sources = {hit.source for hit in cited}
        places = set(query.local_places)
        found = next((hit for hit in itertools.islice(ranking.hits, COUNT_SEARCH) if hit.source in sources
                      and (not places or hit.passage.place in places)
                      and any(states_the_count(item.text, counted) for item in hit.passage.items)), None)
        return highlight([found], query, self.retriever, matter)[0] if found is not None else None

    def within_the_meeting(self, query: Query, filters: Filters | None) -> Filters | None:
        """The filters narrowed to the meetings a where-question names by their kind ("In welchen
        Tagesordnungspunkten der Bürgerrunde …": the citizens' rounds, not the parliament's items)."""
        if query.intent != "where" or query.documents:
            return filters
        named = self.meetings_named(query.question)
        if not named:
            return filters
        sources = set(frozenset.intersection(*map(frozenset, named.values())) or set().union(*named.values()))
        if filters and filters.sources:
            sources &= filters.sources
        return replace(filters, sources=sources) if filters else Filters(sources=sources)

    @functools.cached_property
    def board_members(self) -> dict[tuple[str, str], list[int]]:
        """The positions of each board's passages (its fields), by document and board."""
        members: dict[tuple[str, str], list[int]] = {}
        for position, passage in enumerate(self.store.passages):
            members.setdefault((passage.source, passage.board), []).append(position)
        return members

    @functools.cached_property
    def _group_boards(self) -> np.ndarray:
        """Which passages are a group's: a topic's board or card, or a workshop's row (not a district's board)."""
        return np.array([passage.topic_no is not None or (bool(passage.place) and passage.board_kind != "district")
                         for passage in self.store.passages], dtype=bool)

    def described_board(self, query: Query) -> Hit | None:
        """The passage a question describes in a clause after the group or board it asks about (up to a colon or
        dash), by the words it names ("Die Arbeitsgruppe, die Clans und Straftaten als Problem benannt hat: Welche
        nächsten Schritte hat sie empfohlen?", "Was hat die Gruppe erarbeitet, die Konflikte und Straftaten im
        Viertel angehen wollte?": the board listing "Fehlverhalten / Straftaten / Clans"), the best by those words
        alone; None without such a description."""
        if query.followup:
            return None
        # (a group or board with a clause describing it; not any words before a colon: "Thema Müll: Welche Ideen …")
        clause = DESCRIBED_GROUP.search(query.question)
        if clause is None:
            return None
        described = clause.group(1)
        scores = self.retriever.lexical.scores(described)
        if GROUP_NOUN.search(query.question[:clause.start(1)]):
            # (a group is a topic's or a workshop's, not a district's board: "die Gruppe, die …")
            scores = np.where(self._group_boards, scores, 0.0)
        position = int(np.argmax(scores)) if len(scores) else 0
        return Hit(self.store.passages[position], 0.0, position=position) if len(scores) and scores[position] > 0 \
            else None

    def asked_part_of(self, best: Hit, query: Query, any_board: bool = False) -> Hit | None:
        """The field of the topic board answering best (any_board: of the board the question describes) that the
        question asks for in its own words, when that passage is another field of that board ("Die Gruppe, die
        Stiftungen … ins Spiel gebracht hat: Wer soll da den Prozess übernehmen?": its Verantwortung, even empty, not
        the Lösungsideen naming the foundations)."""
        passage = best.passage
        asked = set(query.sections) & query.worded_sections
        passages = self.store.passages
        if query.topics and "sections" in query.inherited and "topics" in query.inherited and query.sections:
            # "Und wie lautete der Vorschlag auf ihrer Karte genau?" after a question for the card of a topic: that
            # card, where the ranking put the topic's board first
            if passage.section in query.sections:
                return None
            return next((Hit(other, best.score, position=position) for position, other in enumerate(passages)
                         if (other.source, other.topic_no) in query.topics and other.section in query.sections), None)
        # (any board when the question describes it: "Die Tafel, auf der die Zusammenarbeit mit der Polizei gelobt
        # wird: Welche Handlungsbedarfe …?")
        if (passage.topic_no is None and not any_board) or not asked or passage.section in asked or query.topics:
            return None
        field = next((Hit(passages[position], best.score, position=position)
                      for position in self.board_members[(passage.source, passage.board)]
                      if passages[position].section in asked), None)
        if field is None:
            return None
        # (asked for by a whole word of the field's name or printed prompt: "übernehmen" of "Wer sollte die
        # Verantwortung übernehmen", not "herausgearbeitet" for "Herausforderung")
        vocabulary = self.retriever.vocabulary
        label = f"{field.passage.section} {field.passage.meta.get('prompt') or ''}"
        shared = set(vocabulary.stems(query.question)) & set(vocabulary.stems(label))
        return field if any(not vocabulary._stopwords.is_stopword(stem) for stem in shared) else None

    def agenda_listing(self, query: Query, ranking: Ranking,
                       matters: list[Matter]) -> tuple[Hit, tuple[int, ...]] | None:
        """The best ranked passage that lists a meeting's agenda with the entries asked for, and their lines: those
        of the item numbers the question names ("2.2 Bericht zum Spielplatzfest (Lena)"), else those naming what it
        is about ("◦ Carrera Bahn (Leon & Tim)"). A page of the head of the minutes or a part of their first item
        (the agenda read out), listing at least AGENDA_ENTRIES items, of the meeting named if any. None: there is
        none."""
        numbers = {number for _, number in query.items} | query.entries
        # (what the entry is about, not the agenda the question names)
        about = [matter for matter in matters if not AGENDA_WORDS.search(" ".join(matter.words))]
        if not numbers and not about:
            return None
        sources = {source for source, _ in query.items} or None
        if query.documents:
            # (the meeting of the date it names, not another one's item of that number)
            sources = (sources & query.documents) if sources is not None else set(query.documents)
        firsts = self.first_items
        for hit in ranking.hits:
            passage = hit.passage
            # (or a part of its own headed so: "## Agenda" of a citizens' round)
            if (sources is not None and hit.source not in sources) or not (
                    self.retriever.is_head(hit.position) or str(passage.meta.get("item")) == firsts.get(hit.source)
                    or AGENDA_WORDS.search(passage.section or "")):
                continue
            listed = {match.group(1).rstrip(".") for item in passage.items if (match := AGENDA_NUMBER.match(item.text))}
            if len(listed) < AGENDA_ENTRIES:
                continue
            lines = entries_of(passage, numbers) if numbers else most_named(hit.position, about, self.retriever)
            if lines:
                return hit, lines
        return None

    def decisions_of(self, hits: list[Hit], ranking: Ranking, matter: Matter | None) -> list[Hit]:
        """The passages that decide or count the votes on what the hits are about, best ranked first; those among
        the hits themselves are not repeated."""
        taken = {hit.position for hit in hits}
        return [hit for hit in ranking.hits if hit.position not in taken and any(
            self.decides_on(hit, of, matter) for of in hits)][:MAX_CITED]

    def meetings_named(self, question: str) -> dict[str, set[str]]:
        """The question's words naming meetings by their titles, each with those documents; not a word for any
        protocol: "im Mindener Protokoll" is not the one whose title says "Fotoprotokoll"."""
        return {word: sources for word, sources in self.retriever.vocabulary.naming_the_meeting(question).items()
                if word not in DOCUMENT_WORDS}

    def extreme_vote(self, query: Query, matters: list[Matter], filters: Filters | None) -> Hit | None:
        """For a question which vote was the closest or the clearest ("am knappsten", "am deutlichsten"), the passage
        with that tally among the votes of the meetings it names (of what it names beyond votes and meetings: "Welche
        Forderung …", "Welches Jahresziel …"), its tally marked; None: it asks no such thing, or no vote is there."""
        extreme = next((which for which, asking in VOTE_EXTREMES.items() if asking.search(query.question)), None)
        if extreme is None or not (query.decision or ASKS_A_VOTE.search(query.question)):
            return None
        analyzer = self.retriever.lexical.analyzer
        meetings = set(query.documents) or set().union(*self.meetings_named(query.question).values())
        # (what it names beyond the vote and the meeting: the tally's passage, its item or its heading names it)
        named = [matter for matter in matters if not any(VOTE_WORDS.fullmatch(fold(word)) for word in matter.words)
                 and not any(fold(word).endswith(MEETING_NOUNS) for word in matter.words)]
        best: tuple[int, int, tuple[int, ...]] | None = None
        # (only the passages with a word for votes, from the lexical index: not every passage read at each question)
        voting = np.flatnonzero(self.retriever.lexical.containing(analyzer.analyze("Stimmen Stimme")))
        for position in voting:
            passage = self.store.passages[position]
            if (meetings and passage.source not in meetings) or (filters and not filters.allows(passage)):
                continue
            margins = vote_margins(passage)
            if not margins:
                continue
            heading = " ".join([passage.board, passage.section or "", passage.meta.get("item_title") or ""])
            by_line = {item.line: index for index, item in enumerate(passage.items)}
            for margin, lines in margins:
                if named:
                    # (the tally's own lines, the line above them or the headings name every matter, by a word
                    # beginning with it as written: "Forderung" is no "Kulturförderung")
                    first = by_line[lines[0]]
                    around = passage.items[max(0, first - 1):first + len(lines)]
                    said = [word.casefold() for word in WORD.findall(" ".join([heading, *(i.text for i in around)]))]
                    if not all(any(word.startswith(stem) for word in said for stem in written_stems(matter))
                               for matter in named):
                        continue
                key = margin if extreme == "closest" else -margin
                if best is None or key < best[0]:
                    best = (key, position, lines)
        if best is None:
            return None
        return Hit(self.store.passages[best[1]], 0.0, position=best[1], highlights=best[2])

    def decides_on(self, decision: Hit, hit: Hit, matter: Matter | None, best: bool = False) -> bool:
        """Whether a passage decides or counts the votes on what another passage of its agenda item is about: a
        decision of that item naming the matter (an item voting on several goals, "TOP 10: Battle Bots", "Carrera
        Bahn", has a tally for each), or, where the item's title names it (or the hit answers best), the item's only
        decision or one of the same part."""
        passage = decision.passage
        item = passage.meta.get("item")
        if not decides(passage) or item is None or (
                decision.source, item) != (hit.source, hit.passage.meta.get("item")):
            return False
        if matter is None:
            return passage.section == hit.passage.section
        if lines_naming(decision.position, matter, self.retriever) or (
                passage.section and matter.named_by(passage.section, self.retriever.heading_terms(passage.section))):
            return True  # "### Kuchenbasar" over its tally
        # (the item's only decision, when the item is about it: "Traktandum 3: Sanierung des Schulhauses" is decided by
        # "Der Kredit … für das Schulhaus wird … bewilligt"; not a submission listed at its end, "Anpassung
        # Ruhetagsgesetz", by the motion it decided)
        title = str(passage.meta.get("item_title") or "")
        # (best: the hit is the passage answering best, so its item is what the question is about)
        about_the_item = best or (bool(title) and matter.named_by(title, self.retriever.heading_terms(title)))
        return about_the_item and (self.decisions_per_item[(decision.source, item)] == 1
                                   or passage.section == hit.passage.section)

    @functools.cached_property
    def decisions_per_item(self) -> Counter:
        """How many passages of each agenda item decide or count votes."""
        return Counter((passage.source, passage.meta.get("item")) for passage in self.store.passages
                       if decides(passage))

    @functools.cached_property
    def first_items(self) -> dict[str, str]:
        """Each document's first agenda item number, for the minutes that have any."""
        firsts: dict[str, str] = {}
        for source, number in self.retriever.vocabulary.meetings.items:  # (in the order of the passages)
            firsts.setdefault(source, number)
        return firsts

    def with_the_continuation(self, cited: list[Hit], query: Query, matter) -> list[Hit]:
        """The cited passages, each whose answering lines run to its end in the middle of a sentence followed by the
        passage that goes on (a speech split into parts: "Uns war bewusst, dass" … "dies nicht möglich ist"), up
        to MAX_CITED."""
        passages = self.store.passages
        taken = {hit.position for hit in cited}
        result, added = [], 0
        for rank, hit in enumerate(cited):
            result.append(hit)
            following = hit.position + 1
            # (the best few may push out the last cited; the others only fill free places)
            if not hit.highlights or following >= len(passages) or following in taken or (
                    rank >= CONTINUED_FIRST and len(cited) + added >= MAX_CITED):
                continue
            passage, after = hit.passage, passages[following]
            last = passage.items[-1]
            # (the wrapped lines of a text; a board's or table's lines are items of their own, ending as they do)
            goes_on = (passage.meta.get("wrapped") and after.source == passage.source and after.board == passage.board
                       and after.section == passage.section and after.lines[0] <= passage.lines[1] + 1
                       and not SENTENCE_END.search(last.text))
            if goes_on and max(hit.highlights) >= passage.items[-min(2, len(passage.items))].line:
                taken.add(following)
                [continuation] = highlight([Hit(after, hit.score, position=following)], query, self.retriever, matter)
                if not continuation.highlights:
                    # (nothing in it named or found by meaning: the rest of the sentence cut off answers)
                    ends = next((item.line for item in after.items if SENTENCE_INSIDE.search(item.text)),
                                after.items[-1].line)
                    continuation = replace(continuation, highlights=tuple(
                        dict.fromkeys(item.line for item in after.items if item.line <= ends)))
                result.append(continuation)
                added += 1
        return result[:max(MAX_CITED, len(cited))]

    def with_the_boards_head(self, cited: list[Hit]) -> list[Hit]:
        """The cited passages and, where the first is an empty field of a board the answer cites more of, right after
        it the passage that heads that board (a card's title, "Thema: MEDIATION im Stadtteil → …"), its lines marked:
        which card says nothing can be checked in the source, not only read in the lead. (Not where one board's empty
        field merely ranks first among many boards'.) The board's passages lie together, its head first."""
        first, passages = cited[0], self.store.passages
        board = (first.source, first.passage.board)
        if not first.passage.meta.get("empty") or sum((hit.source, hit.passage.board) == board for hit in cited) < 2:
            return cited
        head = None
        for before in range(first.position - 1, -1, -1):
            passage = passages[before]
            if (passage.source, passage.board) != board:
                break
            if not passage.meta.get("prompt") and not passage.meta.get("empty"):
                head = before
        if head is None:
            return cited
        heading = Hit(passages[head], first.score, position=head,
                      highlights=tuple(item.line for item in passages[head].items))
        return [first, heading, *(hit for hit in cited[1:] if hit.position != head)][:max(MAX_CITED, len(cited))]

    def with_the_speakers_name(self, cited: list[Hit]) -> list[Hit]:
        """The cited passages and, for each of the best few that is a later part of a speaker's turn, the part that
        opens the turn, the speaker's name line highlighted ("Stricker, Die Mitte/EVP: Ich bin …"): asked who said
        something, the name is in a cited line, not only in the lead."""
        passages = self.store.passages
        taken = {hit.position for hit in cited}
        openings = []
        for rank, hit in enumerate(cited):
            passage = hit.passage
            speaker = passage.meta.get("speaker")
            # (only where the part itself answers: a speech cited for its closeness alone names nobody asked for)
            if rank >= CONTINUED_FIRST or not speaker or not hit.highlights or (passage.meta.get("part") or 1) <= 1 \
                    or any(item.text.startswith(speaker.split(",")[0]) for item in passage.items):
                continue
            # (the part that opens with the name, looking back through the turn's parts: the first part of an item
            # may be only its headings)
            for before in range(hit.position - 1, max(hit.position - passage.meta["part"], -1), -1):
                opening = passages[before]
                if (opening.source, opening.board, opening.section, opening.meta.get("speaker")) != (
                        passage.source, passage.board, passage.section, speaker):
                    break
                line = next((item.line for item in opening.items if item.text.startswith(speaker.split(",")[0])), None)
                if line is not None:
                    if before not in taken:
                        taken.add(before)
                        openings.append(Hit(opening, hit.score, position=before, highlights=(line,)))
                    break
        # (after the best ranked, which answer what was said; the names only tell whose words they are)
        return (cited[:NAMES_AFTER] + openings + cited[NAMES_AFTER:])[:max(MAX_CITED, len(cited))]

    def names_a_section_by_its_label(self, query: Query) -> bool:
        """Whether the question uses a word of the label of a section it asks for ("Handlungsbedarfe", the "gut" of
        "Was klappt gut"), not only a word of its prompt ("für die Integrationsarbeit")."""
        asked = set(words(query.question))
        analyzer = self.retriever.lexical.analyzer
        return any(word in asked for section in query.sections for word in words(section)
                   if not analyzer.is_stopword(word))

    def with_other_mentions(self, query: Query, cited: list[Hit], matter, filters: Filters | None) -> list[Hit]:
        """The section a question points at with a word of its prompt, gathered, followed by what the place's other
        boards say of the matter it asks about ("Was sagen die Altstadt-Tafeln über Ehrenamtliche für die
        Integrationsarbeit?": "Worauf kommt es an", and "mehr Ehrenamtler" among the Handlungsbedarfe); up to
        MAX_CITED."""
        taken = {hit.position for hit in cited}
        anywhere_there = replace(query, sections={}, worded_sections=frozenset())
        more = [hit for hit in mentions(anywhere_there, self.retriever, matter, filters) if hit.position not in taken]
        return [*cited, *more][:max(MAX_CITED, len(cited))]

    def no_with_the_closest(self, query: Query, ranking: Ranking, matters: list) -> Answer:
        """A "no" to a yes-or-no question, with the passages that come closest to check for oneself (none: the
        "no" alone)."""
        similar = highlight(self.cite(ranking.hits, query), query, self.retriever, matters[0] if matters else None)
        analyzer = self.retriever.lexical.analyzer
        return compose(query, similar, [], analyzer, mode="no") if similar else no_answer(query, query.local_places)

    def speaks_of(self, query: Query, quoted_only: bool = False, every: bool = False, rare_only: bool = False,
                  inherited: bool = False):
        """Whether a text shares a word with what the question asks about, besides the documents' titles (every
        passage of "the Makerspace" protocol names it), or None when the question has no such word. every: has
        all of those words. rare_only: not a word on a good part of the passages, where the question has others
        (for a sum of money: a tally names its motion, a date its item, by the common words of minutes)."""
        analyzer = self.retriever.lexical.analyzer
        # (nor do the words that ask for the value: the "Uhr" of "Uhrzeiten" is in any time)
        # (inherited: a follow-up's own words and those of the earlier question it goes on from, any of them)
        content = query.about if inherited else query.content
        for _, asking in ASKED_VALUE:
            content = asking.sub(" ", content)
        content = VALUE_NOUNS.sub(" ", content)  # ("Wie viel Geld …": any sum is money)
        if any(place.kind == "group" for place in query.places):
            # (nor the word for the kind of place named: "am Workshop Wohnen" is not about the workshops' headings)
            content = re.sub(rf"{GROUP_WORD}\b", " ", content, flags=re.IGNORECASE)
        if quoted_only:
            # (what was voted on is the name the question quotes: "über die Motion „Gemeindeautonomie stärken“" is
            # not answered by the vote on another motion)
            content = " ".join(QUOTED.findall(content)) or content
        content = " ".join(word for word in WORD.findall(content) if fold(word) not in FUNCTION_WORDS)
        # (a word the corpus does not have tells nothing in another language, "welcome" for "Begrüßung"; in German
        # it says the protocols speak of something else: "die Abfuhr der gelben Säcke")
        asked = {term for term in spoken_of_terms(analyzer, content) - self.title_terms
                 if query.language == "de" or self.retriever.lexical.document_frequency(term)}
        if not asked:
            return None
        # (nor does the place the protocols are about, named as such, "in Heuweiler", and found on a good part of
        # the passages: a line naming the village is not thereby about the village's bus asked for)
        lexical = self.retriever.lexical
        common = COMMON_SHARE * len(self.store.passages)
        # (a name is one word to the analyzer; "in Arbeitsgruppen" is a compound of common nouns)
        places = {terms[0] for name in NAMED_PLACE.findall(query.content) if len(terms := analyzer.analyze(name)) == 1
                  and lexical.document_frequency(terms[0]) > common}
        asked = asked - places or asked
        if rare_only:
            # ("pro Jahr" in a parliament's budget debate says nothing of the Fachstelle whose money is asked for)
            often = max(COMMON_WORD_SHARE * len(self.store.passages), COMMON_WORD_PASSAGES)
            asked = {term for term in asked if lexical.document_frequency(term) <= often} or asked
        # (a word misspelt speaks of the word it nearly is, "rechenschaftsberricht"; not one merely alike,
        # "Mediatorinnen" of "Mediation")
        groups = [{term, *misspelt(term, lexical, likeness=MISSPELT_LIKENESS)}
                  if not lexical.document_frequency(term) else {term} for term in asked]
        if every:
            return lambda text: all(group & set(analyzer.analyze(text)) for group in groups)
        return lambda text: any(group & set(analyzer.analyze(text)) for group in groups)

    @functools.cached_property
    def title_terms(self) -> set[str]:
        return set(self.retriever.lexical.analyzer.analyze(" ".join(titles_of(self.store.passages))))

    def turn_of_the_speaker(self, query: Query, filters: Filters | None = None) -> Hit | None:
        """The first turn of a speaker the question names by their surname ("Iwan Wüst": the turn of "Kommissions-
        präsident Wüst, EDU", the name before the comma) whose line names a party, marked; None when no speaker of
        that name has one (a follow-up's text carries the name asked before: "Welcher Partei gehört er an?")."""
        asked = set(words(query.text))
        for position, passage in enumerate(self.store.passages):
            speaker = passage.meta.get("speaker") or ""
            name = words(speaker.split(",", 1)[0])
            if "," not in speaker or not name or name[-1] not in asked or (filters and not filters.allows(passage)):
                continue
            lines = tuple(item.line for item in passage.items if VALUES["party"].search(item.text)
                          and name[-1] in words(item.text))
            if lines:
                return Hit(passage, 1.0, position=position, highlights=lines[:1])
        return None

    @functools.cached_property
    def meeting_dates(self) -> list[str]:
        """The dated documents as "23.04.2015 (Bürgerrunde April 2015)", by date."""
        meetings = self.retriever.vocabulary.meetings
        titles = {p.source: p.short_title for p in self.store.passages}
        listed = []
        for source, when in sorted(meetings.dates.items(), key=lambda item: item[1]):
            day, title = f"{when:%d.%m.%Y}", titles.get(source, source)
            listed.append(title if day in title else f"{title} ({day})")
        return listed

    @functools.cached_property
    def place_names(self) -> list[str]:
        """The districts and workshops of the corpus, in the order of the documents."""
        names = []
        for place in self.retriever.vocabulary.places:
            if place.kind != "city" and place.name not in names:
                names.append(place.name)
        return sorted(names)

    def places_within(self, sources: set[str]) -> dict[str, list[str]]:
        """The districts and the workshops of those documents (all when none are given), by kind."""
        by_kind: dict[str, set[str]] = {}
        for place in self.retriever.vocabulary.places:
            if place.kind != "city" and (not sources or place.sources & sources):
                by_kind.setdefault(place.kind, set()).add(place.name)
        return {kind: sorted(by_kind[kind]) for kind in ("district", "group") if kind in by_kind}

    def first_of_each_place(self, query: Query, filters: Filters | None = None) -> list[Hit]:
        """The first passage of every district, workshop or topic of the kind the question asks for, in the
        documents it names (a city's) and the filters allow, in corpus order; its first line marked."""
        firsts: dict[tuple[str, str], Hit] = {}
        for position, passage in enumerate(self.retriever.passages):
            if kind_of(passage) != query.place_kind or (query.place_kind != "topic" and not passage.place):
                continue
            if query.city_sources and passage.source not in query.city_sources:
                continue
            if filters and not filters.allows(passage):
                continue
            key = (passage.source, place_of(passage))
            if key not in firsts:
                firsts[key] = Hit(passage, 1.0, position=position, highlights=(passage.items[0].line,))
        return sorted(firsts.values(), key=lambda hit: (hit.source, hit.lines))

    def not_mentioned(self, query: Query, found: list[Hit], filters: Filters | None = None) -> list[str]:
        """The districts (or workshops) of the documents with findings that have none (all findings, not only the
        ones shown), within the filters; none when the question itself names the places to look at."""
        if query.local_places:
            return []  # only the named places were looked at
        filtered_sources = self.retriever.vocabulary.sources_of(filters.places) if filters and filters.places else set()
        sources = {hit.source for hit in found}
        places = {hit.passage.place for hit in found}
        kinds = {place_kind(hit.passage) for hit in found if hit.passage.place}
        labels = self.place_labels
        missing = []
        for place in self.retriever.vocabulary.places:
            if place.kind in kinds and place.sources & sources and place.name not in places:
                if filters and filters.places and place.name not in filters.places and not (
                        place.sources & filtered_sources):
                    continue  # outside the places (or cities) the filters keep
                missing.append(labels.get(place.name, place.name))
        return sorted(set(missing))

    @functools.cached_property
    def place_labels(self) -> dict[str, str]:
        """How a document names a place in full ("Wohnen" → "Workshop 2 - Wohnen"), where it does."""
        return {p.place: p.meta["group"] for p in self.store.passages if p.place and p.meta.get("group")}

    def is_relevant(self, query: Query, ranking: Ranking, beyond_names: bool | None = None) -> bool:
        """Whether the corpus says anything about what the question is about, judged on the ranking's evidence
        (beyond_names: asks_beyond_names, where the caller has it already)."""
        if query.items or query.meeting_fact or query.unnamed_board or (
                query.documents and set(query.sections) & query.worded_sections):
            # an agenda item of these minutes, by its number, or a fact of a meeting it names ("When did the
            # conference end?"), or a section of it named in words ("Welche Unterlagen sind dem Protokoll vom
            # 12.05.2016 angehängt?"), or the boards without a district: those are the answer
            return True
        named = bool(query.places or query.sections or query.topics or query.documents or query.unnamed_board)
        if not (self.asks_beyond_names(query) if beyond_names is None else beyond_names):
            # Nothing left but a name: a place, section or topic question is relevant by itself.
            return named
        if query.followup and query.local_places and set(query.sections) & query.worded_sections \
                and ranking.hits and ranking.hits[0].gathered and unknown_noun(query, self.retriever) is None:
            # A follow-up naming a field in its own words, of a place that has it ("Und worauf kommt es dort in
            # Zukunft an?" after "Was läuft laut den Teilnehmenden in Heßler gut?"): the place's field answers, though
            # the earlier question, carried along, takes its meaning away from the corpus.
            return True
        # What the question is about: its words without place names (query.about; content when it has any
        # words), or for a follow-up the question with what it inherited.
        coverage = ranking.coverage if query.followup else ranking.about_coverage
        # Not one word the corpus knows (another language, or keyboard mashing): the embedder alone must place
        # the question nearer the corpus than anything off-topic. Unless it names one of our districts: then
        # it is judged with the place (district, workshop or city), which the embedded text keeps
        # (Retriever.dense_text), by the usual margin (football tickets for Schalke still come out nearer the
        # off-topic questions).
        districts_or_groups = bool(query.local_places)  # a city name is everyday talk
        # (a question read as English or Turkish is words of a language, not mashing: the usual margin)
        # (so is a question in another language: "¿Qué propuesta había …?")
        needed = RELEVANCE_MARGIN if coverage > 0 or districts_or_groups or query.language != "de" \
            or written_in_words(query.question) else max(RELEVANCE_MARGIN, 0.0)
        return self.relevance_margin(ranking) >= needed + self.relevance_shift

    def asks_beyond_names(self, query: Query, sections_too: bool = False) -> bool:
        """Whether the question has words of its own besides the names of places, sections and topics and the
        words that frame a question ("Zeig mir alle Tafeln zu Schalke" has none). sections_too: the words of the
        names and prompts of the sections it asks for do not count either ("Was läuft gut in Schalke?")."""
        content = query.content if not query.followup else query.text
        # The words of the title of a meeting it names by date ("Bürgerrunde") name it too, and so do the words
        # that ask for an overview of it ("besprochen").
        titles = self.retriever.vocabulary.meetings.titles
        naming = {word for source in query.documents for word in words(titles.get(source, ""))}
        if query.documents:
            naming |= OVERVIEW_WORDS
        framing = [word for word in words(content) if word not in FRAME_WORDS and word not in naming]
        stems = self.retriever.lexical.analyzer.analyze(" ".join(framing))
        if sections_too and stems:
            vocabulary = self.retriever.vocabulary
            labelled = {stem for section in query.sections for kind in ("name", "prompt")
                        for stem in vocabulary.section_cues.get(section, {}).get(kind, ())}
            return any(vocabulary.stems(word)[0] not in labelled for word in framing
                       if self.retriever.lexical.analyzer.analyze(word))
        return bool(stems)

    def relevance_margin(self, ranking: Ranking) -> float:
        """How much closer the question's vector comes to the corpus than to everyday off-topic questions."""
        return self.margin(ranking.closest, ranking.vector)

    def margin(self, closest: float, vector: np.ndarray | None) -> float:
        """How much closer a vector comes to the corpus (closest: the cosine of its closest passage) than to
        everyday off-topic questions."""
        if vector is None:
            return float("-inf")
        off_topic = float((self._off_topic @ vector).max()) if len(self._off_topic) else 0.0
        return closest - off_topic

    @staticmethod
    def cite(hits: list[Hit], query: Query | None = None, places_only: bool = False) -> list[Hit]:
        """The gathered set, or the best few passages that score close to the best one.

        A question about a district is never answered from another district's boards (nor one about a workshop from
        another workshop's rows), nor one about a topic
        from another topic's, nor one naming a meeting by its date from another meeting's protocol, nor one naming
        an agenda item from another item. places_only: the question names districts and nothing else to look for
        ("Alle Tafeln zu Schalke"): only their boards answer it.
        """
        gathered = list(itertools.takewhile(lambda hit: hit.gathered, hits))  # a ranking puts them first
        if gathered:
            return gathered
        local = set(query.local_places) if query is not None else set()
        # The kinds of place named ("district", "group"): another place of such a kind does not answer.
        named_kinds = {place.kind for place in query.places if place.kind != "city"} if query is not None else set()
        topics = set(query.topics) if query is not None else set()

        meeting = query.city_sources if query is not None and query.documents else set()
        # A question about a district is answered from its protocols (and those of a workshop it names too), not
        # another city's boards. (Not so for a workshop alone: its name is a common word, "Bildung" a workshop in
        # one protocol and a topic in another.)
        documents = set()
        if query is not None and (query.districts or named_as_a_workshop(query)):
            documents = {source for place in query.places if place.kind != "city" for source in place.sources}
        if documents and query.topics:
            documents |= {source for source, _ in query.topics}
        items = query.items if query is not None else frozenset()

        def belongs(hit: Hit) -> bool:
            passage = hit.passage
            if meeting and passage.source not in meeting:
                return False  # a question naming a meeting's date is answered from that meeting's protocol
            if documents and passage.source not in documents:
                return False
            if items and (passage.source, str(passage.meta.get("item"))) not in items:
                return False  # and one naming an agenda item from that item
            if local and passage.place not in local and (
                    places_only or (passage.place and place_kind(passage) in named_kinds)):
                return False
            return not (topics and passage.topic_no is not None and (passage.source, passage.topic_no) not in topics)

        asked = set(query.sections) if query is not None else set()
        def allowed(hit: Hit) -> bool:
            return belongs(hit) and (hit.passage.section in asked or not only_its_heading(hit.passage))

        # (a district's: a workshop's name is a common word, "Bildung" a workshop in one protocol, a topic in another)
        districts = {place.name for place in query.districts} if query is not None else set()
        # The boards of a district the question names are looked at before other passages ("Treffpunkte in
        # Bulmke-Hüllen": the district's boards, not the topic board of "Treffpunkten" that fills the first eight).
        near = itertools.islice(hits, DISTRICT_WINDOW)
        own = list(itertools.islice((hit for hit in near if hit.passage.place in districts and allowed(hit)),
                                    MAX_CITED)) if districts else []
        others = itertools.islice((hit for hit in hits if hit.passage.place not in districts and allowed(hit)),
                                  MAX_CITED - len(own))
        top = sorted([*own, *others], key=lambda hit: -hit.score)
        if not top:
            return []
        best = top[0].score
        close = [hit for hit in top if hit.score >= (CITE_RELATIVE_OWN if hit.passage.place in districts
                                                     else CITE_RELATIVE) * best]
        close = with_the_report(with_its_parts(close, hits, belongs), hits, belongs)
        # The boards of the districts (or rows of the workshops) asked about first: a board of no district that
        # shares a word ("Probleme") is related, not the answer.
        return sorted(close, key=lambda hit: hit.passage.place not in local) if local else close


def spoken_of_terms(analyzer, text: str) -> set[str]:
    """The terms of a question's words, with the parts of its compound nouns ("Dorfladen": dorf, lad), but of a
    word written small in a question that has capitals only the longer parts: "teilgenommen" is no "Stadtteil"."""
    lower_case = text.islower()
    terms: set[str] = set()
    for word in WORD.findall(text):
        found = analyzer.analyze(word)
        if not found:
            continue
        whole = max(found, key=len)
        terms |= {term for term in found if term == whole or lower_case or word[:1].isupper()
                  or len(term) >= SPOKEN_OF_PART_CHARS}
    return terms


def named_as_a_workshop(query: Query) -> bool:
    """Whether the question names a workshop as one ("im Workshop Bildung", "die AG 2 Wohnen"): then the word is
    that workshop's name, not the common word."""
    return any(re.search(rf"{GROUP_WORD}\s+(?:\d+\s*[-–:]?\s*)?{re.escape(place.name)}\b", query.question,
                         re.IGNORECASE) for place in query.places if place.kind == "group")


GROUP_WORD = r"\b(?:workshops?|arbeitsgruppen?|ag|gruppen?)"


def with_its_parts(cited: list[Hit], ranked: list[Hit], belongs) -> list[Hit]:
    """The cited passages, each table row among them split only for its length followed by its other parts ranked
    among the first PARTS_WINDOW (that belong to the answer): the row is one unit ("Herausforderung 4" and its
    suggestions in the second part). Up to MAX_CITED, and a part never pushes out a passage found close."""
    def row(passage):
        return (passage.source, passage.board, passage.section) if passage.meta.get("parts", 1) > 1 and \
            passage.board_kind == "table_row" else None

    rows = {row(hit.passage) for hit in cited} - {None}
    room = max(0, MAX_CITED - len(cited))
    if not rows or not room:
        return cited
    taken = {hit.position for hit in cited}
    parts: dict[tuple, list[Hit]] = {}
    for hit in itertools.islice(ranked, PARTS_WINDOW):
        key = row(hit.passage)
        if key in rows and hit.position not in taken and belongs(hit):
            parts.setdefault(key, []).append(hit)
    result = []
    for hit in cited:
        more = parts.pop(row(hit.passage), [])[:room]  # (parts holds only the cited rows' keys, never None)
        result += [hit, *more]
        room -= len(more)
    return result


# A group or board described in a clause after it: "die Gruppe, die Begegnungen schaffen wollte", "die Tafel, auf der
# die Zusammenarbeit mit der Polizei gelobt wird" (to a dash, colon or the end).
# (the verb may stand between: "Was hat die Gruppe erarbeitet, die …")
DESCRIBED_GROUP = re.compile(r"\b(?:die|der|das|dem|den)\s+(?:\w+-)?(?:arbeitsgruppe|gruppe|ag|tafel|karte|themenkarte"
                             r"|plakat)(?:\s+\w+){0,2}\s*,\s*((?:die|der|das|auf\s+der|in\s+der|bei\s+der|in\s+dem)\s"
                             r"(?:[^–:?]|(?<=\d):(?=\d))+)", re.IGNORECASE)
GROUP_NOUN = re.compile(r"\b(?:\w+-)?(?:arbeitsgruppe|gruppe|ag)\b", re.IGNORECASE)
# A question asking when or where a meeting met: with no subject ("Wo traf man sich", "when did we meet") or with the
# meeting as its subject ("Wann fand die Bürgerrunde … statt", "Wann tagte …"); not one that will ("Wann findet die
# Mitgliederversammlung … statt?" is another meeting than the protocol's).
WHEN_OR_WHERE_WE_MET = re.compile(
    r"\b(?:wann|wo|an\s+welche[mn]\s+(?:tag|abend|datum|ort)|when|where)\b.*?(?:"
    r"(?P<impersonal>\btraf(?:en)?\s+(?:man|wir)\s+(?:sich|uns)\b|\b(?:hat|haben)\s+(?:man|wir)\s+(?:sich|uns)\s+"
    r"getroffen\b|\b(?:did\s+)?(?:we|they)\s+(?:met|meet)\b)"
    r"|\bfand\b.*\bstatt\b|\b(?:tagte|tagten|took\s+place|was\s+held)\b)", re.IGNORECASE)
# The words before a meeting's name placing something at it ("zu Gast bei der Bürgerrunde", "in der Sitzung").
AT_THE_MEETING = re.compile(r"(?:\w+\s+)?(?:bei|beim|in|im|auf|an|am|während|zur|zum)"
                            r"(?:\s+(?:der|dem|den|einer|einem))?", re.IGNORECASE)
CONTINUED_FIRST = 3  # the first cited passages whose continuation may take the place of the last cited one
NAMES_AFTER = 5  # cited passages before the openings of speeches that name who spoke
COUNT_SEARCH = 60  # ranked passages looked through for a count the cited ones do not give
# The end of a sentence (or of a list item's last word): a passage ending otherwise goes on in the next one.
SENTENCE_END = re.compile(r"[.!?:;…)\]\"“”»«]\s*$")
SENTENCE_INSIDE = re.compile(r"[.!?](?:\s|$)")
# A question for who said or did something ("Wer verglich …", "Von wem kam …", "Who argued …", "… kim?").
ASKS_WHO = re.compile(r"^\W*(?:und\s+|and\s+)?(?:wer|who)\b|\b(?:von\s+wem|by\s+whom|kim)\b", re.IGNORECASE)


def put_first(hit: Hit, cited: list[Hit]) -> list[Hit]:
    """The cited passages with this one first (and not again further down), at most MAX_CITED."""
    return [hit, *(other for other in cited if other.position != hit.position)][:MAX_CITED]


def most_named(position: int, matters: list[Matter], retriever: Retriever) -> tuple[int, ...]:
    """The lines of the passage at position naming the first matter, and of those the ones naming the most of the
    others too ("1. Entlastung des Vorstands", not "6. Entlastungen", for "die Entlastung des Vorstands")."""
    naming = {line: 1 for line in lines_naming(position, matters[0], retriever)}
    for matter in matters[1:]:
        for line in lines_naming(position, matter, retriever):
            if line in naming:
                naming[line] += 1
    most = max(naming.values(), default=0)
    return tuple(line for line, count in naming.items() if count == most)


def entries_of(passage, numbers: set[str]) -> tuple[int, ...]:
    """The lines of an agenda as listed that are the entries of these item numbers ("2.2 Bericht zum Spielplatzfest
    (Lena)"), each with the unnumbered lines below it; () when it lists none of them by that number."""
    lines, within = [], False
    for item in passage.items:
        match = AGENDA_NUMBER.match(item.text)
        if match:
            within = match.group(1).rstrip(".") in numbers
        if within:
            lines.append(item.line)
    return tuple(dict.fromkeys(lines))


# A paragraph that only announces a report ("Friederike Gutmann berichtet vom Helferkreis für Neubürger."): the
# paragraphs after it in its section are what was reported.
ANNOUNCES_A_REPORT = re.compile(
    r"^[^.!?]{0,80}\b(?:berichte[nt]|informier(?:t|en)|erläuter[nt]|präsentier(?:t|en)|stell(?:t|en)\b[^.!?]*\bvor)"
    r"\b[^.!?]{0,120}[.:]$")
REPORT_PARAGRAPHS = 2  # how many paragraphs after such an announcement are taken as its report


def with_the_report(cited: list[Hit], ranked: list[Hit], belongs) -> list[Hit]:
    """The cited passages, each that only announces a report followed by the next REPORT_PARAGRAPHS passages of
    its section that rank among the first PARTS_WINDOW (and belong to the answer); up to MAX_CITED, never
    pushing out a passage found close."""
    room = max(0, MAX_CITED - len(cited))
    announcing = [hit for hit in cited if ANNOUNCES_A_REPORT.match(hit.passage.text.strip())]
    if not announcing or not room:
        return cited
    taken = {hit.position for hit in cited}
    near = [hit for hit in itertools.islice(ranked, PARTS_WINDOW) if hit.position not in taken and belongs(hit)]
    result = []
    for hit in cited:
        result.append(hit)
        if hit not in announcing or not room:
            continue
        key = (hit.passage.source, hit.passage.board, hit.passage.section)
        follows = sorted((other for other in near if (other.passage.source, other.passage.board,
                                                         other.passage.section) == key
                          and 0 < other.position - hit.position <= REPORT_PARAGRAPHS),
                         key=lambda other: other.position)[:room]
        result += follows
        room -= len(follows)
        near = [other for other in near if other not in follows]
    return result


def only_its_heading(passage) -> bool:
    """Whether a field of a topic's board says nothing but the topic's title (a result board's "Titel" field): its
    citation says as much, and it would take the place of a field that answers. (An agenda item without text says
    that nothing was said: it is kept.)"""
    if passage.topic is None or not passage.section:
        return False
    heading = set(words(f"{passage.topic} {passage.board}"))
    said = {word for word in words(passage.text) if not word.isdigit()}
    return bool(said) and said <= heading


# Words that ask which places of a kind there were, beyond the framing ones ("Welche Workshops gab es?", "Which
# districts were discussed?", "Hangi çalıştaylar vardı?").
LISTING_WORDS = frozenset(
    "gab gibt gibts gegeben war waren wurden wird werden besprochen behandelt bearbeitet diskutiert vorgestellt "
    "were was there had held discussed covered presented çalıştay çalıştaylar atölye atölyeler konu konular vardı "
    "var vardır ele alındı semtler mahalleler bölgeler".split()
)


FIELD_BOARDS = frozenset({"district", "topic_result", "table_row"})  # boards whose sections are printed fields
FUNCTION_WORDS = FRAME_WORDS | ENGLISH_WORDS | TURKISH_WORDS  # words that ask, in any of the app's languages


def names_a_matter(query: Query, analyzer) -> bool:
    """Whether the question names something to look for beyond the kind of place it asks for: a noun (written with a
    capital inside the question) other than the framing ones, or, in a question without capitals, any word beyond
    framing and function words ("Welche Stadtteile wurden besprochen?" names none; "In welchen Stadtteilen fehlen
    Kitas?" and "Which districts lack daycare places?" do)."""
    tokens = WORD.findall(query.content)
    # (a kind of group the topics were worked in frames the question too: "in den Gesprächsgruppen")
    tokens = [token for token in tokens if not fold(token).endswith(GROUP_ENDINGS)]
    if any(token[:1].isupper() for token in tokens[1:]):
        return any(token[:1].isupper() and fold(token) not in FRAME_WORDS for token in tokens[1:])
    framing = FRAME_WORDS | LISTING_WORDS | ENGLISH_WORDS | TURKISH_WORDS
    return any(token.casefold() not in framing and analyzer.analyze(token) for token in tokens)


GROUP_ENDINGS = ("gruppe", "gruppen")
STEM_LETTERS = 4  # letters of a word that stay when its ending is taken off ("Ziele" → "Ziel")


def without_ending(word: str) -> str:
    """A word without its last two letters (an inflection), at least STEM_LETTERS of it."""
    return word[:max(STEM_LETTERS, len(word) - 2)]


def written_stems(matter: Matter) -> list[str]:
    """The question's words for a matter as written, casefolded, without their ending."""
    return [without_ending(word.casefold()) for word in matter.words]


def headed_with_a_word_of(passage: Passage, question: str) -> bool:
    """Whether the passage's heading begins with a noun of the question, but for its ending: "Ziele" heads the
    "Zielsetzung", "Programmpunkte" the "Programm" (not the meeting's name: "Konferenz" heads no page)."""
    heading = fold(passage.section or passage.board or "").strip()
    if not heading:
        return False
    for word in WORD.findall(question)[1:]:
        folded = fold(word)
        if not word[:1].isupper() or folded in FRAME_WORDS or len(folded) < STEM_LETTERS:
            continue
        if folded.endswith(MEETING_NOUNS) or folded in DOCUMENT_WORDS:
            continue  # "Protokoll", "Sitzung" name the meeting, not one of its pages ("Protokollkopf")
        if heading.startswith(without_ending(folded)) or folded.startswith(heading) and len(heading) >= STEM_LETTERS:
            return True
    return False


def whole_page(passage: Passage) -> tuple[int, ...]:
    """Every line of a page but those repeating its heading."""
    heading = heading_lines(passage)
    return tuple(item.line for item in passage.items if item.line not in heading)


def titles_of(passages) -> list[str]:
    """The titles of these passages' documents, once each, in the order of their files."""
    titles = {}
    for passage in passages:
        titles.setdefault(passage.source, passage.short_title)
    return [titles[source] for source in sorted(titles)]


def filters_named(filters: Filters | None) -> list[str]:
    """The places and sections the filters keep, as an abstention names them (documents are listed anyway)."""
    if not filters:
        return []
    return [*sorted(filters.places), *sorted(filters.sections)]


def off_topic_questions() -> list[str]:
    return questions_in(OFF_TOPIC_FILE)


def questions_in(path: Path) -> list[str]:
    """A question list's questions: one per line; lines starting with # are comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# Zero-width and direction marks, soft hyphens ("Bis\u00admarck") and lone surrogates: never part of a word.
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


RAW_QUESTION_LIMIT = 4 * MAX_QUESTION_CHARS  # before white space and invisible characters are removed


def _too_long(length: int) -> str:
    return (f"Die Frage ist zu lang ({length} Zeichen). Bitte fassen Sie sich kürzer "
            f"(höchstens {MAX_QUESTION_CHARS} Zeichen).")


def one_line(text: str) -> str:
    """Free text (a question, a feedback reason) as one tidy line: control characters and line or paragraph
    separators become spaces, white space is folded."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def clean_question(question) -> str:
    """The question as text without control or invisible characters; ValueError (German) when unusable."""
    if not isinstance(question, str):
        raise QuestionError("Die Frage muss ein Text sein.")
    if len(question) > RAW_QUESTION_LIMIT:
        # Refused before any per-character work: megabytes of text (also as earlier turns of a history)
        # would otherwise cost a second of CPU each while other users wait.
        raise QuestionError(_too_long(len(question)))
    text = one_line(_INVISIBLE.sub("", question))
    if not text:
        raise QuestionError("Bitte geben Sie eine Frage ein.")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(_too_long(len(text)))
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("Die Frage enthält keine Wörter. Bitte formulieren Sie eine Frage.")
    return text


def normalize_history(history) -> list[str]:
    """Earlier user questions from strings or Gradio-style {"role", "content"} messages."""
    if history is None:
        return []
    if isinstance(history, (str, bytes)) or not isinstance(history, (list, tuple)):
        raise QuestionError("Der Gesprächsverlauf muss eine Liste von Fragen oder Nachrichten sein.")
    questions = []
    for turn in history:
        if isinstance(turn, dict):
            if turn.get("role") not in ("user", "assistant", "system"):
                raise QuestionError("Der Gesprächsverlauf enthält eine Nachricht ohne gültige Rolle (user/assistant).")
            if turn["role"] != "user":
                continue
            content = turn.get("content")
            if isinstance(content, list):  # Gradio may send content as a list of parts
                texts = [part.get("text", "") for part in content if isinstance(part, dict)]
                if not all(isinstance(text, str) for text in texts):
                    raise QuestionError("Der Gesprächsverlauf enthält einen Eintrag, der kein Text ist.")
                content = " ".join(texts)
            turn = content
        if not isinstance(turn, str):
            raise QuestionError("Der Gesprächsverlauf enthält einen Eintrag, der kein Text ist.")
        try:
            questions.append(clean_question(turn))
        except ValueError:
            continue  # an empty or unusable earlier turn carries no context; skip it
    return questions[-MAX_HISTORY_TURNS:]

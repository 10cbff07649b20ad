"""What in the retrieved passages answers: every passage that mentions what a question is about, and the very
lines of a cited passage that carry the answer (Hit.highlights)."""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from rapidfuzz import fuzz, process

from index.layouts.minutes import DECISION, TALLY
from index.lexical import LexicalIndex

from .meetings import AGENDA_ITEM, MONTHS
from .retrieve import Filters, Hit, Retriever
from .understand import (
    ASKS_FOR_A_YEAR,
    ASKS_WHEN_SAID,
    DECISION_QUESTION,
    DOCUMENT_WORDS,
    FRAME_WORDS,
    HOW_LONG,
    HOW_MANY_CAME,
    QUOTED,
    WORD,
    WORD_FORM_ENDING,
    Query,
    asked_end,
    asked_value,
    fold,
    speakers_of,
    uses_section_name,
    words,
)

WORD_WITH_HYPHENS = re.compile(r"[^\W_]+(?:[-\u2010][^\W_]+)*")
# Dense fallback: items whose best sentence comes this close to the best item's are highlighted too.
HIGHLIGHT_MARGIN = 0.015
MAX_MENTIONS = 30  # passages cited for a where-question (every one, up to a length an answer can show)


HEAD_ENDING = 3  # letters of an inflection ending after a stem ("Plätze" → "platz" + "e")


@dataclass
class Matter:
    """What a question is about. An item names it when it has all index terms of one alternative (the whole word,
    or all its compound parts together: "Kita-Plätze" → {kitaplatz} or {kita, platz}), or a word beginning with one
    of the prefixes followed by at least COMPOUND_REST letters (a compound it begins: "Grün" → "Grünflächen", not
    "Grundlage", not "Müller")."""

    alternatives: list[frozenset[str]] = field(default_factory=list)
    prefixes: frozenset[str] = frozenset()  # casefolded, umlauts kept
    candidates: frozenset[str] = frozenset()  # index terms of every passage that may name it
    words: list[str] = field(default_factory=list)  # the question's words it comes from
    # the corpus' index: what tells a surname from the word ("Müll" is not named by "Katharina Müller"); None: not told
    lexical: LexicalIndex | None = field(default=None, compare=False, repr=False)
    # the alternatives that are a compound's parts only ({ford, antrag} of "Förderantrag")
    split: frozenset[frozenset[str]] = frozenset()

    def as_written(self) -> Matter | None:
        """The matter named by its whole words only, not by their compound parts apart; None when that is all it
        is named by anyway, or it has no whole word the corpus uses."""
        whole = [alternative for alternative in self.alternatives if alternative not in self.split]
        if not self.split or not whole:
            return None
        return replace(self, alternatives=whole, candidates=frozenset().union(*whole), split=frozenset())

    @functools.cached_property
    def _agents(self) -> tuple[str, ...]:
        """The question's words with "-er", as a surname made of them would be written (casefolded; _folded_agents:
        folded)."""
        return tuple(word.casefold() + "er" for word in self.words)

    @functools.cached_property
    def _folded_agents(self) -> frozenset[str]:
        return frozenset(fold(word) + "er" for word in self.words)

    def _beyond_names(self, text: str) -> bool:
        """Whether the text names it other than by a person's surname the stemmer makes the same word ("Müller" of
        "Katharina Müller", "JAGMAR MÜLLER" → "mull"): the question's word with "-er", after a first name the corpus
        uses once at most, an initial or a title ("Gemischte Wohnkonzepte" is no name)."""
        # (a surname made of a noun and "-er", which the stemmer takes off: "Müller", "Fischer", "Bauer")
        lowered = text.casefold()
        if not any(agent in lowered for agent in self._agents):
            return True
        surnames = [match.start(2) for match in PERSON_NAME.finditer(text)
                    if fold(match.group(2)) in self._folded_agents and self._first_name(match.group(1))]
        if not surnames:
            return True
        kept = "".join(piece for start, piece in _cut_words(text, surnames))
        terms = frozenset(self.lexical.analyzer.analyze(kept))
        return any(alternative <= terms for alternative in self.alternatives)

    def _first_name(self, word: str) -> bool:
        if word.endswith(".") and len(word) <= 4:
            return True  # "U.", "Fr.", "Dr."
        analyzer = self.lexical.analyzer
        return not analyzer.is_stopword(word.casefold()) and all(
            self.lexical.document_frequency(term) <= 1 for term in analyzer.analyze(word))

    def has_its_head(self) -> bool:
        """Whether what it matches includes the last part of the question's word, which carries a German
        compound's meaning: "Kita-Plätze" by {kita, platz}, not "Anwohnerparkausweis" by {anwohn} alone."""
        for word in self.words:
            folded = fold(word).replace("-", "")
            for alternative in self.alternatives:
                if any((at := folded.rfind(stem)) >= 0 and at + len(stem) >= len(folded) - HEAD_ENDING
                       for stem in alternative):
                    return True
        return False

    def named_by(self, text: str, terms: frozenset[str]) -> bool:
        if any(alternative <= terms for alternative in self.alternatives):
            return self.lexical is None or self._beyond_names(text)
        return bool(self.prefixes) and any(token.startswith(prefix) and len(token) >= len(prefix) + COMPOUND_REST
                                           for token in _tokens(text) for prefix in self.prefixes)


# A capitalised word after another one, an initial or a title: a person's first and last name, if the first is one.
PERSON_NAME = re.compile(r"(?<![\w.])([A-ZÄÖÜ][\w-]*\.?|[A-ZÄÖÜ]\.)\s+([A-ZÄÖÜ][\w-]*)")


def _cut_words(text: str, starts: list[int]):
    """The text in pieces without the words beginning at starts."""
    position = 0
    for start in starts:
        end = start
        while end < len(text) and (text[end].isalnum() or text[end] == "-"):
            end += 1
        yield position, text[position:start]
        position = end
    yield position, text[position:]


@functools.lru_cache(maxsize=1 << 14)  # an item's words, read for every matter of every question that cites it
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(WORD_WITH_HYPHENS.findall(text.casefold()))


WEEKDAY = re.compile(r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)s?")
COMPOUND_REST = 3
LONG_STEM = 7  # a stem this long names the word's family wherever it begins a term ("ehrenamt" → "ehrenamtler")


def is_noun(match: re.Match, retriever: Retriever | None = None) -> bool:
    """Whether a word of a question (as matched in it) is a noun: capitalised, and not the question's first word; in
    a question typed all in lower case ("wir suchen ne kita"), a word the protocols write capitalised."""
    if retriever is not None and not any(ch.isupper() for ch in match.string):
        return retriever.written_as_noun(match.group())
    return match.start() > 0 and match.group()[:1].isupper()


# How alike (rapidfuzz ratio) a word must be spelled to a word of the protocols to be taken for it misspelled.
TYPO_LIKENESS = 80
TYPO_LENGTH = 2  # letters a typo's word may be longer or shorter than the corpus' word


# Nouns that frame what a question asks rather than name it ("Gibt es Hinweise zum Spielplatz?"), folded: a protocol
# need not use them for the question to be answered.
ASKING_NOUNS = frozenset(
    "hinweis hinweise info infos information informationen detail details aussage aussagen angabe angaben meinung "
    "meinungen ruckmeldung ruckmeldungen idee ideen vorschlag vorschlage anregung anregungen punkt punkte sache "
    "sachen ding dinge leute menschen zahl zahlen foto fotos folie folien termin termine euro uhr rolle rollen "
    "funktion name namen".split())


def unknown_noun(query: Query, retriever: Retriever) -> str | None:
    """A noun of a German question that the protocols never use, nor a word spelled nearly like it (a typo): what
    it asks about is not in them ("Gibt es Vorschläge speziell für Häverstädt?"). None: every noun is theirs."""
    if query.language != "de":
        return None  # (a question in another language rests on the embedder, its words are not the corpus')
    lexical = retriever.lexical
    skipped = FRAME_WORDS | DOCUMENT_WORDS | ASKING_NOUNS
    for match in WORD_WITH_HYPHENS.finditer(query.content):
        word, folded = match.group(), fold(match.group())
        if not is_noun(match, retriever) or folded in skipped or folded in MONTHS or WEEKDAY.fullmatch(folded) \
                or lexical.analyzer.is_stopword(folded) or DECISION_QUESTION.fullmatch(word):
            continue
        terms = lexical.analyzer.analyze(word)
        if not terms or any(lexical.knows(term) for term in terms):
            continue
        if any(process.extractOne(term, lexical.terms, scorer=fuzz.ratio, score_cutoff=TYPO_LIKENESS)
               for term in terms):
            continue
        return word
    return None


# "Wer ist (aktuell) die Integrationsbeauftragte …", "Wo ist das Büro des Kommunalen Integrationszentrums": who holds
# a role, where a facility is; the nouns of what it asks for follow.
WHO_OR_WHERE_IS = re.compile(
    r"^(?:und\s+)?(?:wer|wo)\s+(?:ist|sind|war|waren|befindet\s+sich|befinden\s+sich)\s+"
    r"(?:(?:der|die|das|den|ein|eine|einen|aktuell|derzeit|zurzeit|momentan|heute|jetzt|eigentlich|denn)\s+)*"
    r"((?-i:[A-ZÄÖÜ])[\w-]+(?:\s+(?:des|der|vom|von\s+der|von\s+dem)(?:\s+[\w-]+){1,3})?)", re.IGNORECASE)


ROLE_LETTERS = 5
# The roles and places the head of minutes names under labels of its own (FACT_LABELS), and the words for whoever
# or wherever it is that protocols answer in their own words ("Treffpunkt": "Do 30.4. 20:00 im Foyer Rathaus"), folded.
MEETING_ROLE = re.compile(r"(?:leiter|leiterin|leitung|vorsitz\w*|protokoll\w*|schriftfuhr\w*|ort|raum|saal|treffpunkt"
                          r"|adresse|anschrift|eingang|ansprechpartner\w*|kontaktperson\w*|zustandig\w*"
                          r"|verantwortlich\w*)$")


def known_head(word: str, whole: str, lexical) -> bool:
    """Whether the last part of a compound is a word of the corpus, which may name the role in its own words
    ("Konferenz-Moderator": "Moderator Axel Jürgens"; "Sportamtschef": "Chef des Kulturamtes")."""
    if "-" in word:
        return any(lexical.document_frequency(term) for term in lexical.analyzer.analyze(word.rsplit("-", 1)[1]))
    return any(lexical.document_frequency(whole[start:]) for start in range(3, len(whole) - HEAD_LETTERS + 1))


HEAD_LETTERS = 4  # the shortest last part of a compound that is a word of its own ("Chef")


def unknown_role(query: Query, retriever: Retriever) -> str | None:
    """The noun of a German question for who holds a role or where a facility is that the protocols never use as a
    whole word, nor one spelled nearly like it ("Integrationsbeauftragte", "Integrationszentrums"): then they do
    not say who or where, however many of its parts they use. None: every noun of it is theirs."""
    if query.language != "de":
        return None
    match = WHO_OR_WHERE_IS.search(query.question.strip())
    if not match:
        return None
    lexical = retriever.lexical
    for word in WORD_WITH_HYPHENS.findall(match.group(1)):
        # (not an abbreviation, "AG", nor a role or place the head of minutes gives under its own label:
        # "Protokollantin", "Sitzungsleiter", "Tagungsort")
        if not word[:1].isupper() or len(word) < ROLE_LETTERS or lexical.analyzer.is_stopword(word.casefold()) \
                or MEETING_ROLE.search(fold(word)):
            continue
        analyzed = lexical.analyzer.analyze(word)
        if not analyzed:
            continue
        whole = max(analyzed, key=len)
        # (a typo is spelled nearly like the corpus' word and as long: "Quartiersmanager" is no typo of the
        # "Quartiersmanagement" the boards ask for; the last part of a compound of the corpus is its word:
        # "Ratspräsident" of "Grossratspräsident")
        if lexical.document_frequency(whole) or lexical.ending_with(whole) or known_head(word, whole, lexical) or \
                spelled_like(whole, lexical, limit=5):
            continue
        return word
    return None


def misspelt(term: str, lexical, likeness: int = TYPO_LIKENESS) -> list[str]:
    """The corpus terms a long term the corpus lacks may be a typo of (spelled_like)."""
    return spelled_like(term, lexical, limit=3, likeness=likeness) if len(term) >= TYPO_MIN_LETTERS else []


def spelled_like(term: str, lexical, limit: int, likeness: int = TYPO_LIKENESS) -> list[str]:
    """The corpus terms (at most limit) a term is nearly spelled like (rapidfuzz ratio ≥ likeness) and about as
    long as: a typo's."""
    return [near for near, _, _ in process.extract(term, lexical.terms, scorer=fuzz.ratio,
                                                  score_cutoff=likeness, limit=limit)
            if abs(len(near) - len(term)) <= TYPO_LENGTH]


TYPO_MIN_LETTERS = 8  # a shorter word is one letter from too many others ("gebaud", "gebund") to be taken for a typo


# A noun with the thing it wants or lacks: "Mangel an Arbeitsplätzen", "Nachfrage nach Wohnungen".
OF_A_THING = re.compile(r"\b([^\W\d_][\w-]*)\s+(?:an|nach)\s+(?:(?:der|die|das|den|dem|des|ein|eine|einer|einem"
                        r"|eines)\s+)?([^\W\d_][\w-]*)", re.IGNORECASE)


WITH_A_THING = re.compile(r"\b([^\W\d_][\w-]*)\s+mit\s+(?:(?:der|die|das|den|dem|des|ein|eine|einer|einem|eines)\s+)?"
                          r"([^\W\d_][\w-]*)", re.IGNORECASE)


def matters_of(query: Query, retriever: Retriever) -> list[Matter]:
    """What the question may be about, most specific first: each word of its own (beyond places, sections and
    framing words) that the corpus uses, rarest first; only the nouns (capitalised inside the question) when it
    has any, since "fehlen" or "gibt" name nothing."""
    lexical = retriever.lexical
    own = set(retriever.vocabulary.own_words(query))
    # ("An welchen Stellen …?" asks where, like "In welchen Stadtteilen"; "Wo werden Stellen geschaffen?" for jobs)
    framing = [match.span() for match in WHICH_PASSAGES.finditer(query.content)]
    tokens = [match for match in WORD_WITH_HYPHENS.finditer(query.content)
              if any(piece in own and piece not in FRAME_WORDS for piece in words(match.group()))
              and not any(start <= match.start() < end for start, end in framing)]
    # "War die Mitgliederversammlung des Makerspace beschlussfähig?" asks about "beschlussfähig": the words of a
    # document's title name the meeting, unless nothing else is left.
    # So do the words for a document itself ("Ist das Mindener Dokument schon das fertige Konzept?").
    titles = retriever.vocabulary.title_words | DOCUMENT_WORDS
    tokens = [match for match in tokens if fold(match.group()) not in titles] or tokens
    # Nor are the people who say or are greeted ("Wer hat die Teilnehmenden begrüßt?": the greeting is asked about).
    people = {fold(word) for word in speakers_of(query.question)}
    tokens = [match for match in tokens if fold(match.group()) not in people] or tokens
    nouns = [match for match in tokens if is_noun(match, retriever)]
    # A word the question quotes is what it asks about, a noun or not: "Wo verweist das Protokoll mit „siehe“ …?"
    quoted = {word for phrase in QUOTED.findall(query.content) for word in WORD.findall(phrase)}
    if nouns:
        nouns += [match for match in tokens if match.group() in quoted and match not in nouns]
    # A verb listed as an alternative to a noun is asked about too ("Menschen zu motivieren oder ihre Motivation",
    # "… identifizieren oder es lieben lernen"), after every noun: alone it names nothing ("fehlen", "gibt").
    # (an infinitive right beside "oder": not an adjective before its noun, "neue oder alternative Räume", nor the
    # participle after the alternatives, "Sprachkurse oder Kinderbetreuung angeboten")
    listed = listed_with_or(query.content, beside_only=True) if nouns else set()
    alongside = [match for match in tokens if match not in nouns and match.group() in listed
                 and INFINITIVE.fullmatch(match.group()) and not PARTICIPLE.fullmatch(match.group())
                 and not BEFORE_A_NOUN.match(query.content, match.end())]
    candidates = []
    for word in dict.fromkeys(match.group() for match in (nouns + alongside) or tokens):
        # A plural the stemmer keeps ("Kitas") names the word without its s too, and one in -e or -en the singular
        # the stemmer cuts otherwise ("Sprachkurse", "Sprachkursen" → sprachkurs; "Sprachkurs" → sprachkur)
        forms = [word, word[:-1]] if len(word) > 4 and word.endswith(("s", "e")) else [word]
        if len(word) > 5 and word.endswith("en"):
            forms.append(word[:-2])
        alternatives: list[frozenset[str]] = []
        split: set[frozenset[str]] = set()  # a compound's parts apart ("Kitas" → {kita, s}) …
        written: set[frozenset[str]] = set()  # … unless another form has it whole ("Kita" → {kita})
        frequencies = []
        extended: list[str] = []
        for form in forms:
            analyzed = list(dict.fromkeys(lexical.analyzer.analyze(form)))
            if not analyzed:
                continue
            known = [term for term in analyzed if lexical.document_frequency(term)]
            whole = max(analyzed, key=len)
            parts = frozenset(term for term in analyzed if term != whole)
            if whole in known:
                alternatives.append(frozenset([whole]))
                written.add(frozenset([whole]))
            if parts and all(lexical.document_frequency(term) for term in parts):
                alternatives.append(parts)
                split.add(parts)
            if len(whole) >= LONG_STEM:
                alternatives += [frozenset([term]) for term in lexical.extending(whole, 1)]
            extended += lexical.extending(whole) if len(whole) >= 4 else []
            frequencies += [lexical.document_frequency(term) for term in known]
        prefixes = frozenset(form.casefold() for form in forms if len(form) >= 4)
        if alternatives and word[:1].isupper():
            # (and the adjective the protocols make of the noun: "sprachliche Barrieren" speak of Sprache,
            # "schulische Angebote" of the Schule)
            alternatives += [frozenset([term]) for term in adjectives_of(word, lexical)]
        if not alternatives and not extended:
            # A word form the corpus lacks: the corpus words sharing its beginning ("begrüßt" ~ "Begrüßung"), all
            # but its ending ("Bundesamt" is no "bündeln").
            analyzed = lexical.analyzer.analyze(word)
            related = dict.fromkeys(near for term in analyzed for near in lexical.related_terms(term)
                                    if len(os.path.commonprefix([term, near])) >= len(term) - WORD_FORM_ENDING)
            # … or misspelt ("Schrotimmobilien")
            related |= dict.fromkeys(near for term in analyzed for near in misspelt(term, lexical))
            alternatives = [frozenset([term]) for term in related]
        if alternatives or extended:
            terms = {term for alternative in alternatives for term in alternative} | set(extended)
            candidates.append((min(frequencies or [1]), word,
                               Matter(list(dict.fromkeys(alternatives)), prefixes, frozenset(terms), [word],
                                      lexical, split=frozenset(split - written))))
        elif nouns and query.intent == "yesno" and fold(word) not in FRAME_WORDS | DOCUMENT_WORDS | ASKING_NOUNS \
                and not DECISION_QUESTION.fullmatch(word):  # ("Gab es eine Mehrheit für …?" asks about a vote)
            # A noun the corpus has no form of is still the most specific thing a yes-or-no question asks about,
            # named nowhere: "Gab es etwas zum Älterwerden im Dorf?" is not answered "yes" for the "Dorfeinfahrt".
            candidates.append((0, word, Matter([], frozenset(), frozenset(), [word], lexical)))
    # "ein Mangel an Arbeitsplätzen", "der Bedarf an Kitaplätzen", "die Suche nach Wohnungen": the noun after "an" or
    # "nach" is what is lacked or wanted, the one before only says so (not after "von": "Beratung von Zugewanderten"
    # is about the advice)
    words_of = {word for _, word, _ in candidates}
    saying = {match.group(1) for match in OF_A_THING.finditer(query.content) if match.group(2) in words_of}
    # (and a word the protocols never use before "mit" and one they do: "Ärger mit Kriminalität" asks about the
    # Kriminalität; "Zusammenarbeit mit Schulen", both theirs, stays as it is)
    unused = {word for _, word, matter in candidates if not matter.alternatives and not matter.candidates}
    saying |= {match.group(1) for match in WITH_A_THING.finditer(query.content)
               if match.group(1) in unused and match.group(2) in words_of - unused}
    verbs = {match.group() for match in alongside}
    candidates.sort(key=lambda candidate: (candidate[1] in verbs, candidate[1] not in quoted, candidate[1] in saying,
                                           candidate[0]))
    return [matter for _, _, matter in candidates]


ADJECTIVE_SUFFIXES = ("lich", "isch")


def adjectives_of(noun: str, lexical) -> list[str]:
    """The index terms of the adjectives made of a noun ("Sprache" → sprachlich, "Schule" → schulisch) that the
    corpus uses."""
    base = noun.casefold().removesuffix("e")
    terms = [max(analyzed, key=len) for suffix in ADJECTIVE_SUFFIXES
             if len(base) >= STEM_LETTERS_OF_A_NOUN and (analyzed := lexical.analyzer.analyze(base + suffix))]
    return [term for term in dict.fromkeys(terms) if lexical.document_frequency(term)]


STEM_LETTERS_OF_A_NOUN = 4  # (not "Ei" → "eilich")


def mentions(query: Query, retriever: Retriever, matter: Matter, filters: Filters | None = None) -> list[Hit]:
    """Every passage with an item naming the matter, within the places and documents the question names and the
    filters allow, in corpus order; each with the naming items highlighted. All of them: an answer shows at most
    MAX_MENTIONS, after the places without one are worked out from all."""
    allowed = retriever._allowed(filters) if filters else None
    named = set(query.local_places)
    sources = query.city_sources
    hits = []
    for position in retriever.mentions(matter.candidates, matter.named_by, allowed):
        passage = retriever.passages[position]
        if passage.meta.get("empty"):
            continue  # a field nothing was written in says nothing, whatever its printed prompt says
        if named and passage.place not in named:
            continue
        if sources and passage.source not in sources:
            continue
        if query.place_kind and kind_of(passage) != query.place_kind:
            continue  # "in which districts": not the topic boards or workshops
        lines = lines_naming(position, matter, retriever)
        hits.append(Hit(passage, 1.0, position=position, highlights=lines))
    # (a field named by its name: a word of its printed prompt is the question's own matter as often, "Personal für die
    # Integrationsarbeit" is no "Worauf kommt es bei der weiteren Integrationsarbeit besonders an"; a heading of one
    # text, "Vortrag", is no field: the other passages naming a talk say something of it too)
    fields = {name for name in query.worded_sections if name in retriever.vocabulary.fields
              and names_the_field(query.question, name, retriever)}
    if fields and any(hit.passage.section in fields for hit in hits):
        # "In welchen Stadtteilen läuft die Vernetzung gut?": where it is named under the field the question words,
        # not where it is named as lacking (a field only guessed from the question's meaning does not narrow it)
        hits = [hit for hit in hits if hit.passage.section in fields]
    if query.place_kind == "district" and any(hit.passage.place for hit in hits):
        # "In which districts": the exchange board no district is written on is no answer beside districts that
        # are ("Wo …?" gets it, and so does a question only that board answers)
        hits = [hit for hit in hits if hit.passage.place]
    hits.sort(key=lambda hit: (hit.source, hit.lines))
    return hits


# Alternatives a question lists: "Quartiersbüro, Quartierszentrum oder Quartiersmanagement", "Kitas bzw. Schulen".
# (the word after an alternative's first one too: "Müll oder mangelnde Sauberkeit")
EITHER = re.compile(r"((?:[^\W\d_][\w-]*\s*,\s*)*[^\W\d_][\w-]*)\s+(?:oder|bzw\.|beziehungsweise|or|veya|ya\s+da)\s+"
                    r"([^\W\d_][\w-]*)(?:\s+([^\W\d_][\w-]*))?", re.IGNORECASE)
# Two words joined by "und" (see either_of), and how many letters of a first or last part make them compounds of it.
SIBLINGS = re.compile(r"\b([^\W\d_][\w-]{5,})\s+und\s+([^\W\d_][\w-]{5,})")
SIBLING_PART = 6
# … or as examples of a kind: "(Quartiersbüro, Quartiersmanagement o.ä.)", "Tafel, Kleiderkammer usw."
EXAMPLES = re.compile(r"((?:[^\W\d_][\w-]*\s*,\s*)+[^\W\d_][\w-]*)\s*(?:o\.\s?ä\b|u\.\s?ä\b|oder\s+ähnlich\w*"
                      r"|und\s+ähnlich\w*|usw\b|etc\b|or\s+similar\b|and\s+the\s+like\b)", re.IGNORECASE)


# An abbreviation: two or more letters, all capitals ("IFÖ", "BAMF", "KiTa" is none).
ABBREVIATION = re.compile(r"[A-ZÄÖÜ]{2,}")


def names_the_field(question: str, section: str, retriever: Retriever) -> bool:
    """Whether the question uses a word of a field's name, short ones too ("gut" of "Was läuft gut"), not only of
    its printed prompt."""
    analyzer = retriever.lexical.analyzer
    own = [word for word in words(section) if len(word) >= 3 and not analyzer.is_stopword(word)]
    asked = set(words(question))
    return any(word in asked for word in own) or uses_section_name(question, section)


WHICH_PASSAGES = re.compile(r"\b(?:an|in|auf|bei)\s+welche[nrm]?\s+(?:stellen?|abschnitt\w*|passagen?)\b",
                            re.IGNORECASE)
INFINITIVE = re.compile(r"[^\W\d_]{3,}(?:en|ern|eln)")
PARTICIPLE = re.compile(r"(?:an|auf|aus|ein|vor|zu|mit|ab|bei|nach|um|durch|über|weg|her|hin|dar)?ge[^\W\d_]{3,}",
                        re.IGNORECASE)
BEFORE_A_NOUN = re.compile(r"\s+[A-ZÄÖÜ]")
ARTICLE_LETTERS = 4  # "es", "sie", "ihre", "eine"


def listed_with_or(content: str, beside_only: bool = False) -> set[str]:
    """The words a question lists as alternatives, before and after "oder" ("Gleichbehandlung, Chancen oder
    Begegnung", "motivieren oder ihre Motivation"), and the word after the last (not with beside_only: the noun of
    "oder systematisches Quartiersmanagement")."""
    listed = set()
    position = 0
    # (one after another, the last word of one the first of the next: "neue oder alternative Räume bzw.
    # Begegnungszentren")
    while match := EITHER.search(content, position):
        listed |= {word.strip() for word in match.group(1).split(",")} | {match.group(2)}
        # (after a pronoun or an article it is the alternative: "identifizieren oder es lieben")
        if not beside_only or (match.group(2).islower() and len(match.group(2)) <= ARTICLE_LETTERS):
            listed.add(match.group(3))
        position = match.start(2)
    return listed - {None}


def either_of(query: Query, matters: list[Matter], retriever: Retriever) -> Matter | None:
    """One matter for the alternatives a question lists, named where any of them is ("In welchen Stadtteilen ist
    von Quartiersbüro oder Quartiersmanagement die Rede?"); None when it lists fewer than two that are matters."""
    listed = listed_with_or(query.content)
    if query.place_kind:
        # (examples of what is asked about where the places asked for are the protocols' own, "In welchen Stadtteilen
        # … (Quartiersbüro, -management o.ä.)"; after "Wo trifft sich der Helferkreis (Rathaus, Schulungsraum o.ä.)?"
        # they are what the answer may be)
        for match in EXAMPLES.finditer(query.content):
            listed |= {word.strip() for word in match.group(1).split(",")}
    # (two compounds of one first or last part joined by "und" are alternatives too: "Begegnungsorte und
    # Begegnungszentren", as "Begegnungsorte und -zentren" is written out)
    for match in SIBLINGS.finditer(query.content):
        first, second = match.group(1), match.group(2)
        if len(os.path.commonprefix([first.casefold(), second.casefold()])) >= SIBLING_PART or len(
                os.path.commonprefix([first[::-1].casefold(), second[::-1].casefold()])) >= SIBLING_PART:
            listed |= {first, second}
    chosen = [matter for matter in matters if matter.words and matter.words[0] in listed]
    if len(chosen) < 2:
        return None
    alternatives = [a for matter in chosen for a in matter.alternatives]
    # "IFÖ-Klassen bzw. das IFÖ-System": alternatives sharing an abbreviation as their first part ask for anything
    # it names (not a common word: "Schul-Sozialarbeit oder Schul-Begleitung" is not anything about schools).
    firsts = {word.split("-")[0] for matter in chosen for word in matter.words if "-" in word}
    if len(firsts) == 1 and all("-" in matter.words[0] for matter in chosen) and ABBREVIATION.fullmatch(
            next(iter(firsts))):
        shared = [term for term in dict.fromkeys(retriever.lexical.analyzer.analyze(firsts.pop()))
                  if retriever.lexical.document_frequency(term)]
        alternatives = [frozenset([term]) for term in shared[:1]] + alternatives
    return Matter(alternatives=list(dict.fromkeys(alternatives)),
                  prefixes=frozenset().union(*(matter.prefixes for matter in chosen)),
                  candidates=frozenset().union(*(matter.candidates for matter in chosen)),
                  words=[word for matter in chosen for word in matter.words], lexical=retriever.lexical)


def most_specific_mentions(query: Query, retriever: Retriever, matters: list[Matter],
                           filters: Filters | None = None) -> tuple[Matter | None, list[Hit]]:
    """The first of the matters (most specific first) the protocols mention, with every passage mentioning it
    (mentions); (None, []) when none is mentioned."""
    return next(((matter, hits) for matter in matters if (hits := mentions(query, retriever, matter, filters))),
                (None, []))


def unmentioned_matter(query: Query, retriever: Retriever, matters: list[Matter],
                       filters: Filters | None = None) -> str | None:
    """The question's most specific noun, when the boards of other places of the kind it asks about name it
    (other districts' for a district) and those of the places it names (or the place filter lets through) do not,
    not even a part of it; else None. (Only then is the silence of its places a finding: "Müll" is on Bismarck's
    board, not on Heßler's. A verb, a word of the place's own name or one no other place uses says nothing about the
    place, nor does a less specific noun: "die Bürger" of "Was sagen die Bürger in Heßler zu Spielplätzen?")"""
    matter = matters[0] if matters else None
    nouns = {match.group() for match in WORD_WITH_HYPHENS.finditer(query.question) if is_noun(match, retriever)}
    if matter is None or not matter.words or matter.words[0] not in nouns:
        return None
    # the place as a whole, whatever kind of board the question asks for
    at_the_place = replace(query, place_kind=None)
    parts = [Matter([frozenset([term])], frozenset(), frozenset([term]), [term])
             for term in set().union(*matter.alternatives) if retriever.lexical.document_frequency(term)]
    named = set(query.local_places) | (filters.places if filters else set())
    # (only the place's passages are read: a filter to it, ~10× faster than reading every passage with the word)
    here = Filters(sources=filters.sources if filters else set(), places=named,
                   sections=filters.sections if filters else set())
    if any(mentions(at_the_place, retriever, each, here) for each in [matter, *parts]):
        return None  # "KiTa-Ausbau" where the board says "Kitaplätze"
    kinds = {kind_of(passage) for passage in retriever.passages if passage.place in named}
    anywhere = replace(query, places=[], place_kind=None)
    elsewhere = [hit.passage for hit in mentions(anywhere, retriever, matter)]
    if any(passage.place and passage.place not in named and kind_of(passage) in kinds for passage in elsewhere):
        return matter.words[0]
    return None


def kind_of(passage) -> str:
    """The kind of place a passage belongs to, as where-questions ask for it."""
    if passage.board_kind == "district":
        return "district"
    if passage.topic_no is not None or passage.board_kind in ("topic_card", "topic_result"):
        return "topic"
    return "group" if passage.place else "document"


def lines_naming(position: int, matter: Matter, retriever: Retriever) -> tuple[int, ...]:
    """The lines of the passage at position whose items name the matter."""
    items = zip(retriever.passages[position].items, retriever.item_terms(position), strict=True)
    return tuple(sorted({item.line for item, terms in items if matter.named_by(item.text, terms)}))


# A list mark before an item's text ("• ", "◦ ", "- "): not part of what the item says.
LIST_MARK = re.compile(r"^\s*(?:[-–•◦▪▫‣*]\s+)")

# A line's label for where a meeting was held, followed by a name ("Ort Rathaus Frauenfeld"; "Ort zum Kennenlernen"
# is a line about a place to meet).
VENUE_LABEL = r"(?:ort|tagungsort|sitzungsort|veranstaltungsort|location|venue)\b\s*:?\s*(?-i:[A-ZÄÖÜ])"

# A street with its house number ("Schulstraße 5"); a house number has at most three digits ("Radweg 2025" is a year).
_STREET_ONLY = r"straße|strasse|str\.|gasse|allee"  # words for a street and nothing else
_HOUSE = r"\s*\d{1,3}[a-z]?\b"
STREET_WITH_NUMBER = rf"\w(?:{_STREET_ONLY}|weg|platz|ring|damm){_HOUSE}"
# (for a count, only after a word that is a street's and nothing else's: "Fahrradweg 6" or "Spielplatz 2" may count
# votes)
HOUSE_NUMBER = re.compile(rf"\w(?:{_STREET_ONLY}){_HOUSE}", re.IGNORECASE)


class NotAnAddress:
    """A pattern for a value that a street's house number is not: "Schulstraße 5" counts nobody."""

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern = pattern

    def search(self, text: str) -> re.Match | None:
        return self.pattern.search(HOUSE_NUMBER.sub(" ", text))


# What a large number counts when it is no sum of money.
COUNTED_UNITS = (r"stunden|std|minuten|tage|wochen|monate|jahre|personen|menschen|leute|mitglieder|einwohner\w*"
                 r"|besucher\w*|teilnehm\w*|kinder|schüler\w*|stimmen|unterschriften|fälle|exemplare|km|kilometer"
                 r"|meter|m²|m2|tonnen|kg|hours|people|members|votes")
# Month names as written out (meetings.MONTHS also knows "Jan", "Feb" …, too short to be sure of in running text;
# "Mai" is a whole name).
MONTH_NAMES = "|".join(sorted((name for name in MONTHS if len(name) > 3 or name == "mai"), key=len, reverse=True))
# A question for the day something was, not its hour.
ASKS_FOR_A_DAY = re.compile(r"\ban\s+welche[mn]\s+(?:tag|datum|wochentag)\b|\bwelche[ms]?\s+datum\b"
                            r"|\b(?:which|what)\s+(?:day|date)\b"
                            rf"|{ASKS_FOR_A_YEAR.pattern}", re.IGNORECASE)  # (a year: the day gives it)
# A question when something was, not when it began or ended nor how long it lasted.
ASKS_WHEN = re.compile(r"\b(?:wann|when)\b", re.IGNORECASE)
# A day as protocols write it: "13. Februar", "24.9.", a weekday ("day" and "time" of VALUES).
DAY_OF_MONTH = rf"\d{{1,2}}\.\s*(?:{MONTH_NAMES})|\d{{1,2}}\.\d{{1,2}}\."
DAY_OF_WEEK = rf"\b{WEEKDAY.pattern}\b"
# A number that counts something, a vote tally (which counts votes) and a number written out.
# (not the number of a paragraph, an article, a page or an agenda item, "gemäss § 8", "Nr. 61", "TOP 3", nor one
# written into a name or code, "Oelbein-32", "B52")
_NUMBER_COUNTING = (r"(?<![\d.:/])(?<![^\W\d_])(?<!\w-)(?<!\d{4}-)(?<!\d{4}-\d\d-)(?<!§)(?<!§\s)(?<!\bnr\.\s)"
                    r"(?<!\bart\.\s)(?<!\babs\.\s)(?<!\bs\.\s)(?<!\bseite\s)(?<!\btop\s)(?!(?:19|20)\d\d\b)\d+(?:,\d+)?\b"
                    r"(?![.:/]\d|\.\s|:|/)")
_TALLY_COUNTING = r"\d+\s*:\s*\d+\s+(?:stimmen|votes)"
_WORDED_COUNT = (r"\b(?:zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig|hundert"
                 r"|tausend|einstimmig|dutzend)\b")
# A question counting votes ("Wie viele Stimmen bekam …?"): only then does a tally hold the count asked for.
COUNTS_VOTES = re.compile(r"stimm|\bvot|\boy|gewählt|wahl|abgestimmt|abstimmung|dafür|dagegen|enthalt",
                          re.IGNORECASE)
# A value of each kind a question may ask for (understand.ASKED_VALUE), as protocols write them.
VALUES = {
    "day": re.compile(rf"{DAY_OF_MONTH}|\b(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}\b|{DAY_OF_WEEK}", re.IGNORECASE),
    "time": re.compile(rf"\d{{1,2}}[:.]\d{{2}}|\d{{1,2}}\s*uhr|{DAY_OF_MONTH}|\b(?:{MONTH_NAMES})\b"
                       rf"|\b(?:19|20)\d{{2}}\b|{DAY_OF_WEEK}"
                       # (a line saying the date is not fixed yet answers "wann" too: "Der Termin ist noch unklar")
                       r"|\b(?:termin|datum|zeitpunkt)\w*\b[^.]*\b(?:unklar|offen|ungewiss|steht\s+noch\s+aus"
                       r"|noch\s+nicht\s+(?:fest|bekannt|klar|festgelegt|terminiert)|wird\s+noch\s+bekannt\w*"
                       r"|gibt\s+es\s+noch\s+nicht)\b", re.IGNORECASE),
    "clock": re.compile(r"\d{1,2}[:.]\d{2}|\d{1,2}\s*uhr\b", re.IGNORECASE),
    # (a number with thousands, unless it counts something else: "20'000 bis 25'000 Stunden")
    "amount": re.compile(r"€|\beur\b|\beuro\b|\bchf\b|\bfr\.|franken|\d[.'’]\d{3}\b"
                         rf"(?!\s*(?:bis\s+[\d.'’]+\s*)?(?:{COUNTED_UNITS})\b)|\d,-|kostenlos|kostenfrei|gratis",
                         re.IGNORECASE),
    # (a number, not the hour, the date or the year: "17:00 Ankommen" counts nobody; a vote tally does count)
    # (nor the number of an entry in a list: "Anregung 1: …", nor the month or day of a date written the ISO way,
    # "2019-02-21")
    # (nor a file reference, "(20/BS 55/507)")
    "count": NotAnAddress(re.compile(rf"{_NUMBER_COUNTING}|{_TALLY_COUNTING}|{_WORDED_COUNT}", re.IGNORECASE)),
    "vote": TALLY,
    "contact": re.compile(r"\+?\d[\d /-]{6,}\d|@"),
    # (a venue: a line labelled as the place, a building or a room, an address with its number; "online" too. A
    # square or street without a number is rather what is spoken of: "Am Spielplatz fehlen Schattenplätze")
    # (a "Wohnraum" or "Zeitraum" is none)
    "venue": re.compile(rf"^\W*{VENUE_LABEL}"
                        r"|\b(?:\w*(?:haus|saal|halle|aula|gebäude|zentrum|schule|kirche|hotel|gasthof|bibliothek"
                        r"|bücherei|zimmer)|(?:sitzungs|tagungs|schulungs|veranstaltungs|besprechungs|gruppen"
                        r"|mehrzweck|gemeinde)(?:raum|räume)|online|videokonferenz)\b"
                        rf"|{STREET_WITH_NUMBER}", re.IGNORECASE),
    # (a street with its number, a postcode before a town, or a line labelled as the address)
    "address": re.compile(STREET_WITH_NUMBER + r"|\b\d{4,5}\s+(?-i:[A-ZÄÖÜ])\w+|^\W*(?:adresse|anschrift|address)\s*:",
                          re.IGNORECASE),
    # German-language parties by their short names, as minutes write them (case matters; "Mitte" only as a party
    # after a name, "Brunner, Mitte:": "Mitte Juni" is none); a party's group too, "die EDU-Fraktion"
    "party": re.compile(r"\b(?:SVP|SPD|SP|FDP|CDU|CSU|GLP|EVP|EDU|BDP|AfD|ÖDP|BSW|GRÜNE|GRÜNEN|Linke|Piraten"
                        r"|Freie Wähler)\b(?:-Fraktion\b|(?!-))"
                        r"|,\s*(?:Die\s+)?(?:Mitte|Grünen?)\s*[:/]|\bDie Mitte\b|\bBündnis\s*90"),
    # (a line on applying or registering: "eine Anmeldung ist notwendig", "Antrag beim Jugendamt")
    "procedure": re.compile(r"\b(?:antrag|anträge|beantrag\w*|\w*anmeld\w*|angemeldet|bewerb\w*|registrier\w*"
                            r"|formular\w*|ummeld\w*|sign\s*up|apply|application|registration)\b", re.IGNORECASE),
}


_DIGITS_COUNTING = re.compile(_NUMBER_COUNTING, re.IGNORECASE)
COUNT_NOT_VOTES = NotAnAddress(re.compile(f"{_NUMBER_COUNTING}|{_WORDED_COUNT}", re.IGNORECASE))
# What a count question counts: the noun after "wie viele", where nouns are written with a capital the first of the
# next two words that is one ("wie viele geflüchtete Familien"), else the next word ("how many members").
COUNTED_NOUN = re.compile(r"\b(?:wie\s*viele?n?|how\s+many)\s+(?:(?-i:[a-zäöüß]+)\s+)?((?-i:[A-ZÄÖÜ])[\w-]{2,})",
                          re.IGNORECASE)
COUNTED_WORD = re.compile(r"\b(?:wie\s*viele?n?|how\s+many)\s+([^\W\d_][\w-]{2,})", re.IGNORECASE)
# A number followed by the noun it counts ("vier Wochen", "119 Mitglieder", "ca. 20 BürgerInnen").
NUMBER_AND_NOUN = re.compile(rf"(?:{_NUMBER_COUNTING}|{_WORDED_COUNT})\s+(?:[a-zäöüß]+\s+)?"
                             r"(?-i:([A-ZÄÖÜ][\w-]*))", re.IGNORECASE)
COUNT_TOKEN = re.compile(r"\d[\d.,:/]*\d|\d|[^\W\d_][\w-]*")
STATED_COUNT_WORDS = 3
COUNTED_STEM = 4  # letters of the counted noun a word must begin with to name it, at least
INFLECTION_LETTERS = 3  # letters an inflected form of a noun may differ in at its end ("Mitglieder", "Mitgliedern")
# Units of time and measure, folded, with their endings: a number before one of them counts no things or people
# ("mindestens vier Wochen vorher" gives no number of members).
MEASURE_UNIT = re.compile(r"(?:sekunde|minute|stunde|std|tag|woche|monat|jahr|uhr|prozent|euro|franken|cent|rappen"
                          r"|meter|kilometer|km|kilo|kilogramm|gramm|liter|grad|seite|mal|second|hour|day|week"
                          r"|month|year|percent)(?:e|en|n|s|es|er)?")

# The passages that answer best, which must hold a value of the kind a question asks for (a time, an amount) for it
# to be answered: further down, a year or a price is rarely about the same thing.
VALUE_PASSAGES = 3


def holding_the_value(hits: list[Hit], value: str, question: str,
                      about: Callable[[str], bool] | None = None) -> Hit | None:
    """The first of the best VALUE_PASSAGES that holds a value of the kind asked for; for when something began or
    ended, the first giving the hour (the programme) where one does, else a date. None: none of them holds one.
    about: whether a text speaks of what the question asks about (see holds_a_value); a value in a line that does
    is about the same thing further down too, so all the hits are looked at then."""
    best = hits if about is not None else hits[:VALUE_PASSAGES]
    holding = next((hit for hit in best if holds_a_value(hit, value, question, about)), None)
    if holding is None and value == "count":
        # (a card's dots, on a line of their own below its text, where no line states the count with its matter)
        holding = next((hit for hit in best if holds_a_value(hit, value, question, about, cards=True)), None)
    if value == "time" and asked_end(question):
        holding = next((hit for hit in best if holds_a_value(hit, "clock", question, about)), holding)
    elif value == "time" and ASKS_FOR_A_DAY.search(question):
        # ("An welchem Tag war die Konferenz?": the title page's "13. Februar 2019", not the programme's "17:00")
        holding = next((hit for hit in best if holds_a_value(hit, "day", question, about)), holding)
    return holding


def holds_a_value(hit: Hit, value: str, question: str, about: Callable[[str], bool] | None = None,
                  cards: bool = False) -> bool:
    """Whether a line of the passage holds a value of the kind (VALUES); for a question when something was
    discussed, a dated protocol's date is one ("Wann wurde über Kitas gesprochen?"). With about, only a line that
    (with the passage's heading) speaks of what the question asks about: the hours in a list of who was present
    are not the opening hours asked for."""
    if value == "time" and hit.passage.meta.get("date") and ASKS_WHEN_SAID.search(question):
        return True
    # (a heading listing several matters, "Bericht SAMBA Workshop, Gespräch mit BM Walz, Bürgerbus", does not say
    # which of them a line below it is about: the date of the workshop is not the bus's timetable)
    # (unless the question names several of them: then the heading as a whole is what it asks about)
    def counts(part: str) -> bool:
        return not lists_matters(part) or (about is not None and sum(
            map(about, re.split(r"[,;]\s", part))) >= 2)

    heading = " ".join(part for part in (hit.passage.board, hit.passage.section) if part and counts(part))
    items = hit.passage.items
    if value == "vote" and items:
        # A tally ("◦ 9 Stimmen: Ja") stands below what was voted on: the line above its block ("• Klaus-Jürgen"),
        # the title of the item ("6.1. Entlastung des Vorstands"), or the title of the agenda item it decides.
        heading = f"{heading} {hit.passage.meta.get('item_title') or ''} {items[0].text}"
        return any(about is None or about(f"{heading} {items[start - 1].text if start else ''} "
                                          + " ".join(item.text for item in items[start:end]))
                   for start, end in tally_blocks(items))
    pattern = VALUES[value]
    if value == "count" and not COUNTS_VOTES.search(question):
        pattern = COUNT_NOT_VOTES  # "Wie viele Gerichtsschreiber …" is not counted by "mit 108:0 Stimmen"
    counted = counted_noun(question) if value == "count" else None
    # (a PDF's wrapped lines: what a number at a line's end counts begins the next line, "mindestens zwei" / "Wochen")
    wrapped = bool(hit.passage.meta.get("wrapped"))
    if cards:
        # a card's dots, on a line of their own below its text
        return any(about is None or about(f"{heading} {' '.join(item.text for item in items[start:end])}")
                   for start, end in card_blocks(items))
    return any(pattern.search(item.text) and (about is None or about(f"{heading} {item.text}"))
               and not (counted and counts_something_else(
                   f"{item.text} {items[index + 1].text}" if wrapped and index + 1 < len(items) else item.text,
                   counted)) for index, item in enumerate(items))


def states_the_count(text: str, counted: str) -> bool:
    """Whether the text gives a number right beside a word naming the thing counted, at most STATED_COUNT_WORDS
    apart ("Mitglieder zum 22.02.2025: 30", "(11 von 30 Mitgliedern)"), not a number somewhere in a line that
    mentions it."""
    tokens = list(COUNT_TOKEN.finditer(text))
    # (the numbers as the count pattern reads them in the whole line: not "§ 8", not a date)
    counts = {match.start() for match in _DIGITS_COUNTING.finditer(HOUSE_NUMBER.sub(lambda m: " " * len(m.group()),
                                                                                      text))}
    numbers = [i for i, token in enumerate(tokens) if token.start() in counts]
    naming = [i for i, token in enumerate(tokens) if not token.group()[:1].isdigit()
              and names_the_counted(token.group(), counted)]
    # (a number right after the word is its label, "Workshop 1", not how many there are: "Mitglieder: 30" is)
    return any(abs(i - j) <= STATED_COUNT_WORDS and not (
        i == j + 1 and not text[tokens[j].end():tokens[i].start()].strip()) for i in numbers for j in naming)


def names_the_counted(word: str, counted: str) -> bool:
    """Whether a word is a form of the counted noun ("Mitgliedern" of "mitglieder"): it begins with the noun but for
    its last INFLECTION_LETTERS letters and is not much longer (not "Stadtteil-Konferenzen" for "Stadtteile")."""
    word = fold(word)
    stem = counted[:max(COUNTED_STEM, len(counted) - INFLECTION_LETTERS)]
    return word.startswith(stem) and len(word) <= len(counted) + INFLECTION_LETTERS


def counted_noun(question: str) -> str | None:
    """The noun a count question counts ("Mitglieder" of "Wie viele Mitglieder zählte …"), folded; None: none."""
    match = COUNTED_NOUN.search(question) or COUNTED_WORD.search(question)
    return fold(match.group(1)) if match else None


def counts_something_else(text: str, counted: str) -> bool:
    """Whether every number in the text is followed by a unit of time or measure that is not the thing counted
    ("mindestens vier Wochen vorher" counts no members; "Wie viele Stunden …" is counted in hours). A number
    before any other noun may count the thing in other words ("ca. 15 Heuweilermer" for "Wie viele Leute …")."""
    if MEASURE_UNIT.fullmatch(counted):
        return False
    nouns = [fold(match.group(1)) for match in NUMBER_AND_NOUN.finditer(text)]
    if not nouns or len(nouns) < len(VALUES["count"].pattern.findall(text)):
        return False  # a number alone ("Mitglieder zum 22.02.2025: 30") may count what the line names
    return all(MEASURE_UNIT.fullmatch(noun) for noun in nouns)


# A number alone on its line, below a few lines of text: the dots a card got on a pin-board ("Ein Ort, wo
# Neuzugezogene" / "Heuweiler kennen lernen" / "können" / "7").
CARD_COUNT = re.compile(r"\d{1,3}")
# What ends the card above it: a card on one line with its dots ("Bürgerbus 3", "Kino 9 (7 & 2)"), or the board's
# date alone on its line.
CARD_BEFORE = re.compile(r".*\s\d{1,3}(?:\s*\([^)]*\))?|\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})?")
CARD_LINES = 4  # lines of text a card holds at most (more are rather several cards, some without dots)


def card_blocks(items) -> list[tuple[int, int]]:
    """The runs of items that make one card with its count: (start, end) indices, the count the last of them."""
    blocks, start = [], 0
    for index, item in enumerate(items):
        text = item.text.strip()
        if CARD_COUNT.fullmatch(text):
            if 0 < index - start <= CARD_LINES:
                blocks.append((start, index + 1))
            start = index + 1
        elif CARD_BEFORE.fullmatch(text):
            start = index + 1
    return blocks


# A tally of a council's vote ("mit 59:55 Stimmen"), and the yes and no lines of an association's ("6 Stimmen: Ja").
TALLY_PAIR = re.compile(r"\bmit\s+(\d+)\s*:\s*(\d+)\s+Stimmen\b", re.IGNORECASE)
BLOCK_YES = re.compile(r"^\W*(\d+)\s+Stimmen?\s*:\s*(?:\w\)\s*)?Ja\b", re.IGNORECASE)
POLL_OPTION = re.compile(r"^\W*\d+\s+Stimmen?\s*:\s*\w\)", re.IGNORECASE)
BLOCK_NO = re.compile(r"^\W*(\d+)\s+Stimmen?\s*:\s*(?:\w\)\s*)?Nein\b", re.IGNORECASE)


def vote_margins(passage) -> list[tuple[int, tuple[int, ...]]]:
    """The votes a passage records, each as (yes minus no, in absolute terms; the lines of its tally)."""
    items = passage.items
    found = []
    for index, item in enumerate(items):
        # (a PDF's wrapped line may break the tally: "mit 59:55" / "Stimmen")
        text = f"{item.text} {items[index + 1].text[:20]}" if index + 1 < len(items) else item.text
        if (pair := TALLY_PAIR.search(text)) and pair.start() < len(item.text):
            found.append((abs(int(pair.group(1)) - int(pair.group(2))), (item.line,)))
    for start, end in tally_blocks(items):
        block = items[start:end]
        if any(POLL_OPTION.match(item.text) for item in block):
            continue  # a poll of options ("5 Stimmen: a) Ja, ich möchte mich beteiligen"), not a yes or no
        yes = [int(match.group(1)) for item in block if (match := BLOCK_YES.match(item.text))]
        no = [int(match.group(1)) for item in block if (match := BLOCK_NO.match(item.text))]
        if len(yes) == 1 and len(no) == 1:
            found.append((abs(yes[0] - no[0]), tuple(item.line for item in block)))
    return found


def tally_blocks(items) -> list[tuple[int, int]]:
    """The runs of consecutive items holding a vote tally, as (start, end) indices."""
    blocks: list[tuple[int, int]] = []
    for index, item in enumerate(items):
        if VALUES["vote"].search(item.text):
            if blocks and blocks[-1][1] == index:
                blocks[-1] = (blocks[-1][0], index + 1)
            else:
                blocks.append((index, index + 1))
    return blocks


def lists_matters(heading: str) -> bool:
    """Whether a heading enumerates three or more matters (parts between commas or semicolons, each with a word;
    not the decimal commas of "1,5 Mio")."""
    return len([part for part in re.split(r"[,;]\s", heading) if re.search(r"[^\W\d_]{2}", part)]) >= 3


def with_the_value(passage, lines: tuple[int, ...], similarity: np.ndarray | None, value: str) -> tuple[int, ...]:
    """The marked lines narrowed to those holding a value of the kind asked for ("Wann …?": a time); when none of
    them holds one, the line with such a value closest in meaning (similarity per item), if any has one."""
    if value == "vote":
        # A tally is a block ("9 Stimmen: Ja", "0 Stimmen: Nein", "1 Stimme: Enthaltung"): all of it, for each
        # marked line in it or just above it ("• Klaus-Jürgen"); else every block (the heading names the vote).
        blocks = tally_blocks(passage.items)
        chosen = [(start, end) for start, end in blocks
                  if any(item.line in lines for item in passage.items[max(0, start - 1):end])] or blocks
        return tuple(item.line for start, end in chosen for item in passage.items[start:end]) or lines
    if value == "count":
        # (a card marked: its text and the count below it)
        cards = [(start, end) for start, end in card_blocks(passage.items)
                 if any(item.line in lines for item in passage.items[start:end])]
        if cards:
            return tuple(item.line for start, end in cards for item in passage.items[start:end])
    pattern = VALUES[value]
    holding = [i for i, item in enumerate(passage.items) if pattern.search(item.text)]
    if not holding:
        return lines
    marked = tuple(sorted({passage.items[i].line for i in holding if passage.items[i].line in lines}))
    if marked:
        return marked
    if similarity is None or not len(similarity):
        return lines
    return (passage.items[max(holding, key=lambda i: similarity[i])].line,)


def first_or_last_time(passage, value: str, first_or_last: str) -> tuple[int, ...]:
    """For a question when something began or ended ("first", "last"): the line of the passage's first or last
    time, the hour where the passage gives one ("Beginn: 19:30 Uhr", not the date above it); () unless the passage
    holds more than one time to choose from."""
    if value not in ("clock", "time"):
        return ()
    holding = [item for item in passage.items if VALUES[value].search(item.text)]
    if len(holding) < 2:
        return ()
    hours = [item for item in holding if VALUES["clock"].search(item.text)] or holding
    return ((hours[0] if first_or_last == "first" else hours[-1]).line,)


# A numbered thing a question names ("Forderung 3", "Antrag 2", "Ziffer 4"): a capitalised word and a number that
# is no year, date or hour.
NUMBERED = re.compile(r"\b([A-ZÄÖÜ][\w-]{2,})\s+(\d{1,3}(?:\.\d{1,2})?)(?!\d)"
                      r"(?![.:/]\d|\s*(?:%|€)|\s*(?:uhr|prozent|jahre?n?)\b)")


def numbered_references(question: str) -> list[re.Pattern]:
    """Patterns for each numbered thing the question names, as a line writes it ("Forderung 3" but not
    "Forderung 30", "Forderung 3.1" or "Forderungen 3"); not an agenda item (understand reads those), nor the
    question's first word ("Waren 20 Leute da?")."""
    return [re.compile(rf"\b{re.escape(match.group(1))}\s+{re.escape(match.group(2))}(?!\d)(?!\.\d)", re.IGNORECASE)
            for match in NUMBERED.finditer(question) if match.start() > 0 and not AGENDA_ITEM.search(match.group())]


def naming_the_numbered(passage, references: list[re.Pattern]) -> tuple[int, ...]:
    """The lines of a passage that name one of the numbered things (numbered_references)."""
    return tuple(sorted({item.line for item in passage.items
                         if any(reference.search(item.text) for reference in references)}))


def highlight(hits: list[Hit], query: Query, retriever: Retriever, matter: Matter | None) -> list[Hit]:
    """The hits with the lines that answer the question marked: all of a section asked for whole (or of a question
    that names only a place, section or topic), the prompt of an empty field, else the items that name what the
    question is about, or failing that the items closest to it in meaning (at most half of the passage)."""
    own = retriever.vocabulary.own_words(query)  # none: the question names only a place, section or topic
    value = asked_value(query.question)
    first_or_last = asked_end(query.question)
    references = numbered_references(query.question)
    marked, naming_it = [], set()  # naming_it: the positions in marked of the passages naming a numbered thing
    for hit in hits:
        passage = hit.passage
        every = tuple(sorted({item.line for item in passage.items}))
        if hit.highlights:
            lines = hit.highlights
        elif hit.gathered or passage.meta.get("empty"):
            lines = every
        elif query.meeting_fact and (labelled := fact_lines(passage, query.question)):
            lines = labelled  # also when the question names nothing but the meeting: "Wann war die Bürgerrunde?"
            if ASKS_FOR_A_DAY.search(query.question):
                # ("An welchem Tag war die Bürgerrunde?": the day, „event: 2015-09-24 20:00:00“, not how long)
                dated = {item.line for item in passage.items if VALUES["day"].search(item.text)}
                lines = tuple(line for line in lines if line in dated) or lines
        elif not own:
            lines = every
        else:
            lines = lines_naming(hit.position, matter, retriever) if matter and hit.position >= 0 else ()
            by_meaning = not lines  # no line names what it is about: those closest in meaning are marked
            similarity = None
            if hit.position >= 0 and (not lines or value):
                # What the question is about, without its place names (which every line of a district's board
                # would share with it).
                about = retriever.embed(query.about.rstrip("?？ ") or query.about)
                similarity = retriever.item_similarity(hit.position, about)
                lines = lines or closest_lines(passage, similarity)
            if value:
                lines = with_the_value(passage, lines, similarity, value)
                if by_meaning and similarity is not None and len(lines) > 1:
                    # Found by meaning alone, several lines with a value ("17:00 Ankommen", "17:30 Begrüßung" for
                    # "What time was the welcome?"): the closest one answers, not its neighbours.
                    index = {item.line: i for i, item in enumerate(passage.items)}
                    lines = (max(lines, key=lambda line: similarity[index[line]]),)
        if query.decision and passage.meta.get("decision") and not hit.gathered:
            # "Wer wurde in den Vorstand gewählt?": the lines that decide ("nahmen die Wahl an", else a tally)
            # answer it, rather than the heading or the debate that name the matter; for a count asked ("Mit wie
            # vielen Stimmen …?"), those of them holding one.
            decisions = {item.line for item in passage.items if DECISION.search(item.text)}
            tallies = {item.line for item in passage.items if TALLY.search(item.text)}
            if value == "vote" and tallies:
                lines = with_the_value(passage, lines, None, value)  # the tally of what the lines name
            elif decisions or tallies:
                lines = (with_the_value(passage, tuple(sorted(decisions | tallies)), None, value) if value
                         else tuple(sorted(decisions or tallies)))
        if first_or_last and value and not hit.highlights:
            # also where the whole passage was marked
            lines = first_or_last_time(passage, value, first_or_last) or with_the_value(passage, lines, None, value)
        numbered = naming_the_numbered(passage, references) if references else ()
        if numbered:
            naming_it.add(len(marked))
            if not hit.gathered:
                # "Wie viele Gegenstimmen gab es bei Forderung 3?": the line on Forderung 3, not those on 1 and 2
                # (of those marked, if any is)
                lines = tuple(sorted(set(lines) & set(numbered))) or numbered
        lines = beyond_the_heading(passage, lines)
        marked.append(replace(hit, highlights=lines))
    if naming_it:
        # … and the passage naming it first
        marked = [hit for i, hit in enumerate(marked) if i in naming_it] + \
                 [hit for i, hit in enumerate(marked) if i not in naming_it]
    return marked


# The sentence closing a meeting at its hour: "Die Versammlung wurde um 16:18 Uhr geschlossen."
CLOSING_LINE = re.compile(r"\b(?:geschlossen|beendet|schließt|schloss|closed|adjourned)\b(?=.*\d{1,2}[:.]\d{2})"
                          r"|\d{1,2}[:.]\d{2}\b.*\b(?:geschlossen|beendet|schließt|schloss|closed|adjourned)\b", re.I)
# A programme's entry: its hour and a short title ("17:30 Begrüßung"), not a sentence of minutes noting the hour
# ("11:55 Uhr: Felix verlässt die Versammlung").
PROGRAMME_ENTRY = re.compile(r"^(?:[01]?\d|2[0-3])[:.][0-5]\d\s+(?!uhr\b|eur\b|euro\b|chf\b|fr\b)"
                             r"[^\W\d]\w*(?:\s+\S+){0,3}$", re.IGNORECASE)
ASKS_HOW_LONG = re.compile(HOW_LONG, re.IGNORECASE)
# The head of minutes gives its facts as labelled lines ("Vorsitz Andreas Zuber", "Ort Rathaus", "Zeit 09.30 Uhr"):
# what a question asks of the meeting (German, English, Turkish) and the labels that give it.
DAY_LABEL = re.compile(r"(?:event|datum|date|termin)\b\s*:", re.IGNORECASE)  # front matter's "event: 2015-09-24 …"
# … or the line of the record's head naming it with its day ("Protokoll Nr. 61 vom 16. August 2023")
DAY_LINE = re.compile(r"\w*(?:protokoll|niederschrift|sitzung|versammlung|runde|konferenz)\b.*\b(?:vom|am)\s+\d",
                      re.IGNORECASE)
FACT_LABELS = (
    (re.compile(r"\b(?:leitet\w*|leitete\w*|geleitet|leitung|vorsitz\w*|chair\w*|led|presided|başkan\w*"
                r"|moderi\w*|moderat\w*)\b", re.I),
     re.compile(r"^(?:vorsitz\w*|leitung|sitzungsleit\w*|versammlungsleit\w*|moderat\w*|chair\w*)\b"
                # (or said in a sentence: "Sarah übernahm die Versammlungsleitung")
                r"|\b(?:übernahm|übernimmt|übernommen)\b.*\b(?:(?:versammlungs|sitzungs|gesprächs|tagungs)?leitung"
                r"|vorsitz|moderation)\b", re.I)),
    (re.compile(r"\b(?:wo|ort|where|nerede)\b", re.I),
     re.compile(rf"^{VENUE_LABEL}", re.I)),
    # (a label with a value: "Zeit 09.30 Uhr", "Beginn: 19:30"; "Zeit für erste Gespräche" is a programme's line)
    (re.compile(rf"\b(?:wann|uhrzeit|beginn\w*|begann|endete|dauer\w*|{HOW_LONG}|when|time|ne\s+zaman|saat)\b", re.I),
     re.compile(r"^(?:zeit|beginn|ende|uhrzeit|dauer|datum|time|date)\b(?=\s*:|\s+\d)"
                # (or said in the sentence opening the meeting: "Es versammelten sich heute, … um 11:00 Uhr …")
                r"|\b(?:versammelten\s+sich|eröffnet\w*|eröffnete|begann|beginnt|opened)\b.*\b\d{1,2}[:.]\d{2}\b"
                r"|\b\d{1,2}[:.]\d{2}\b.*\b(?:versammelten\s+sich|eröffnet\w*|eröffnete|begann|opened)\b", re.I)),
    # (how long: a programme's first and last hour, each opening its line, "17:00 Ankommen" … "20:30 Abschlussrunde")
    (ASKS_HOW_LONG, PROGRAMME_ENTRY),
    # (how long, or when it ended: the line closing the meeting at its hour, "Die Versammlung wurde um 16:18 Uhr
    # geschlossen.", wherever in the minutes it stands)
    (re.compile(rf"\b(?:endete\w*|ende|schluss|geschlossen|beendet|{HOW_LONG}|ended|finished|closed)\b", re.I),
     CLOSING_LINE),
    # (who opened it or gave the welcome: the programme's "17:30 Begrüßung", "Sarah eröffnete die Versammlung …")
    (re.compile(r"\b(?:wer|who|von\s+wem|by\s+whom)\b.*\b(?:begrüß\w*|grußwort\w*|eröffne\w*|welcom\w*|opened)\b",
                re.I),
     re.compile(r"\b(?:begrüß\w*|grußwort\w*|eröffne\w*|welcome)\b", re.I)),
    # (also "Wie viele Leute waren da?")
    (re.compile(rf"\b(?:anwesend\w*|teilgenommen|teilnehm\w*|attend\w*|present|katıl\w*|{HOW_MANY_CAME})\b", re.I),
     re.compile(r"^(?:anwesend\w*|teilnehm\w*|present|attend\w*)\b", re.I)),
    (re.compile(r"\b(?:geschrieben|schrieb|protokollf\w*|protokollant\w*|protokolliert\w*|protokoll\b(?=.*\bgeführt)"
                r"|führte\b(?=.*\bprotokoll\b)|schriftführ\w*|minute-?taker|wrote|took\s+the\s+minutes)\b", re.I),
     re.compile(r"^(?:protokoll(?:führ\w*)?|schriftführ\w*|minutes)\b"
                r"|\b(?:übernahm|übernimmt|übernommen)\b.*\bprotokollführung\b", re.I)),
)


def fact_lines(passage, question: str) -> tuple[int, ...]:
    """The labelled lines of a passage that give the fact of the meeting the question asks for ("Wer hat die
    Sitzung geleitet?": „Vorsitz Andreas Zuber …“), or none."""
    labels = fact_labels(question)
    if not labels:
        return ()
    # (the day a meeting took place, where asked when, also as front matter gives it: „event: 2015-09-24 20:00:00“)
    day = bool(ASKS_FOR_A_DAY.search(question) or ASKS_WHEN.search(question) and not asked_end(question))
    items = passage.items
    lines = []
    for index, item in enumerate(items):
        text = LIST_MARK.sub("", item.text).strip()
        following = items[index + 1] if index + 1 < len(items) else None
        labelled = any(label.search(text) for label in labels)
        if labelled and len(WORD_WITH_HYPHENS.findall(item.text)) > 1:  # a label with its value, not a heading
            lines.append(item.line)
            # (who gave a programme's welcome stands on the line below its entry: "17:30 Begrüßung" / "Annette Berg,
            # Beigeordnete …")
            if ASKS_WHO_GAVE.search(question) and following is not None and is_programme_entry(text) \
                    and not is_programme_entry(following.text):
                lines.append(following.line)
        elif labelled and text.endswith(":") and following is not None and not following.text.rstrip().endswith(":"):
            lines += [item.line, following.line]  # a label on a line of its own: "Moderation:" / "Axel Jürgens, …"
        if day and _labels_the_day(text) and VALUES["day"].search(item.text):
            lines.append(item.line)
    if ASKS_HOW_LONG.search(question):
        # (how long: the programme's first and last hour, not each entry between them)
        entries = [item.line for item in items if item.line in lines and is_programme_entry(item.text)]
        lines = [line for line in lines if line not in entries[1:-1]]
    return tuple(dict.fromkeys(lines))


ASKS_WHO_GAVE = re.compile(r"^\W*(?:und\s+)?(?:wer|who)\b|\b(?:von\s+wem|by\s+whom)\b", re.IGNORECASE)


def is_programme_entry(line: str) -> bool:
    """Whether a line opens a programme's entry with its hour ("17:30 Begrüßung")."""
    return bool(PROGRAMME_ENTRY.match(LIST_MARK.sub("", line).strip()))


def _labels_the_day(line: str) -> bool:
    return bool(DAY_LABEL.match(line) or DAY_LINE.match(line))


@functools.lru_cache(maxsize=256)  # asked for every passage of a meeting, for the same question
def fact_labels(question: str) -> tuple[re.Pattern, ...]:
    """The labels of the lines that give the fact of a meeting the question asks for (FACT_LABELS)."""
    return tuple(label for asks, label in FACT_LABELS if asks.search(question))


HEADING_MARKS = 8  # list marks, colons and spaces a line repeating a heading may have besides its name


def heading_lines(passage) -> set[int]:
    """The lines of a passage that only repeat its heading: a workshop table's heading opening its first row
    ("Workshop 1 - Bildung"), the sub-heading a part of an agenda item starts with ("Beschlussfassung"). They name
    the part, the answer's label shows it; they answer nothing."""
    names = {fold(name).strip(" :.") for name in (passage.meta.get("group"), passage.section, passage.board) if name}
    # (a line much longer than every name repeats none: not folded at all)
    longest = max(map(len, names), default=0) + HEADING_MARKS
    return {item.line for item in passage.items if item.label is None and len(item.text) <= longest
            and fold(item.text).strip(" :.-•*") in names}


def beyond_the_heading(passage, lines: tuple[int, ...]) -> tuple[int, ...]:
    """The marked lines without those that repeat the passage's heading (heading_lines): the first other item
    instead when nothing else was marked."""
    own = heading_lines(passage)
    if not own or not set(lines) & own:
        return lines
    rest = tuple(line for line in lines if line not in own)
    cells = [item.line for item in passage.items if item.line not in own]
    return rest or tuple(cells[:1])


def closest_lines(passage, similarity: np.ndarray) -> tuple[int, ...]:
    """The lines of the items closest in meaning: the best one and those within HIGHLIGHT_MARGIN of it, at most
    half of the passage's items."""
    if not len(similarity) or similarity.max() < -0.5:
        return ()
    best = float(similarity.max())
    limit = max(1, math.floor(len(passage.items) / 2))
    order = [i for i in np.argsort(-similarity, kind="stable") if similarity[i] >= best - HIGHLIGHT_MARGIN][:limit]
    return tuple(sorted({passage.items[i].line for i in order}))

"""Next questions under an answer, built from the corpus' structure: the same section for another district, another
section of the same board, the other fields of the same topic, another challenge of the same workshop. Each is
offered only after the assistant has answered it without abstaining (checked once, then remembered)."""

from __future__ import annotations

import re
import threading
import weakref

import numpy as np

from assistant import Answer, Assistant, Filters
from assistant.understand import FRAME_WORDS, WORD, fold, place_kind

MAX_SUGGESTIONS = 3
# Example questions under the question box, for the bundled protocols; a corpus that does not speak of what one
# names (its places, its words) gets questions built from its own meetings instead (examples_for).
EXAMPLES_STAFF = [
    "Welche Handlungsbedarfe gibt es in Schalke?",
    "Wer hat beim Thema Klimaschutz den Hut auf?",
    "Was schlägt der Workshop Wohnen gegen Segregation vor?",
]
EXAMPLES_CITIZENS = [
    "Wo gibt es Probleme mit Müll?",
    "Wo fehlen Kita-Plätze?",
    "Was läuft gut in Bismarck?",
]
MAX_EXAMPLES = 3
SPOKEN_OF_PASSAGES = 500  # passages with a noun's stem looked at for the noun as written
NEW_CHECKS_PER_ANSWER = 2  # questions not yet checked that one answer may check (each is one ask)
TOPIC_NUMBER = re.compile(r"\bThema (\d+)\b")
CHALLENGE_NUMBER = re.compile(r"\bHerausforderung (\d+)\b")
_SHARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def ordered(values) -> list:
    return list(dict.fromkeys(value for value in values if value))


class Suggestions:
    """The next questions an assistant's corpus offers, with the answerable ones remembered."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        passages = assistant.store.passages
        districts = [p for p in passages if p.board_kind == "district" and p.place]
        self.districts = ordered(p.place for p in districts)
        self.district_sections = ordered(p.section for p in districts)
        topics = [p for p in passages if p.board_kind == "topic_result"]
        self.topic_fields = ordered(p.section for p in topics if p.section != "Titel")
        self.topics = ordered(int(m.group(1)) for p in topics if (m := TOPIC_NUMBER.search(p.board)))
        rows = [p for p in passages if p.board_kind == "table_row" and p.place]
        self.workshops = ordered(p.place for p in rows)
        self.challenges = {w: ordered(int(m.group(1)) for p in rows if p.place == w
                                      and (m := CHALLENGE_NUMBER.search(p.board))) for w in self.workshops}
        self._answerable: dict[str, bool] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, assistant: Assistant) -> Suggestions:
        """One per assistant, so that what was checked once (at start-up, by any session) is known to all."""
        if assistant not in _SHARED:
            _SHARED[assistant] = cls(assistant)
        return _SHARED[assistant]

    def candidates(self, answer: Answer, filters: Filters | None = None) -> list[str]:
        """Questions of the same shape about a neighbouring part of the corpus, nearest first; with filters, only
        about the places and sections they leave."""
        if answer.abstained or not answer.passages:
            return []
        passage = answer.passages[0].passage
        place_ok = (lambda place: place in filters.places) if filters and filters.places else (lambda place: True)
        section_ok = ((lambda section: section in filters.sections) if filters and filters.sections
                      else (lambda section: True))
        out: list[str] = []
        if passage.board_kind == "district" and passage.place and passage.section:
            others = [d for d in self.districts if d != passage.place and place_ok(d)]
            out += [f"{passage.section} in {district}?" for district in others[:2]]
            out += [f"{section} in {passage.place}?" for section in self.district_sections
                    if section != passage.section and section_ok(section)]
            out += [f"{passage.section} in {district}?" for district in others[2:]]
        elif passage.board_kind == "topic_result" and (m := TOPIC_NUMBER.search(passage.board)):
            number = int(m.group(1))
            out += [f"{field} zu Thema {number}?" for field in self.topic_fields
                    if field != passage.section and section_ok(field)]
            out += [f"{passage.section} zu Thema {other}?" for other in self.topics if other != number][:2]
        elif passage.board_kind == "table_row" and passage.place:
            m = CHALLENGE_NUMBER.search(passage.board)
            number = int(m.group(1)) if m else 0
            out += [f"Herausforderung {other} im Workshop {passage.place}?"
                    for other in self.challenges.get(passage.place, []) if other != number]
            out += [f"Herausforderungen im Workshop {w}?" for w in self.workshops if w != passage.place and place_ok(w)]
        return ordered(out)

    def answerable(self, question: str, filters: Filters | None = None) -> bool:
        """Whether the assistant answers the question (within the filters a user set) without abstaining (asked
        once, then remembered)."""
        key = checked_key(question, filters)
        with self._lock:
            known = self._answerable.get(key)
        if known is not None:
            return known
        try:
            answer = self.assistant.ask(question, filters=filters)
            ok = bool(answer.passages) and not answer.only_similar
        except Exception:  # noqa: BLE001 - a question that fails is simply not offered
            ok = False
        with self._lock:
            self._answerable[key] = ok
        return ok

    def for_answer(self, answer: Answer, asked: list[str] = (), limit: int = MAX_SUGGESTIONS,
                   filters: Filters | None = None) -> list[str]:
        """Up to limit next questions for an answer, none of them asked already in the conversation; with filters,
        only questions answered within them (a click asks within them too)."""
        chosen, new_checks = [], 0
        seen = {question.casefold() for question in asked}
        for question in self.candidates(answer, filters):
            if question.casefold() in seen:
                continue
            with self._lock:
                known = checked_key(question, filters) in self._answerable
            if not known:
                if new_checks >= NEW_CHECKS_PER_ANSWER:
                    continue
                new_checks += 1
            if self.answerable(question, filters):
                chosen.append(question)
                if len(chosen) >= limit:
                    break
        return chosen

    def prepare(self) -> None:
        """Check every question this corpus could offer (at start-up, so answers need not wait for it)."""
        questions = [f"{section} in {district}?" for district in self.districts for section in self.district_sections]
        questions += [f"{field} zu Thema {number}?" for number in self.topics for field in self.topic_fields]
        questions += [f"Herausforderung {n} im Workshop {w}?" for w in self.workshops for n in self.challenges[w]]
        questions += [f"Herausforderungen im Workshop {w}?" for w in self.workshops]
        for question in questions:
            self.answerable(question)


def checked_key(question: str, filters: Filters | None) -> tuple:
    """What an answerability check depends on: the question and the filters (none set is no filter)."""
    if filters is None or not (filters.sources or filters.places or filters.sections):
        return (question,)
    return (question, frozenset(filters.sources), frozenset(filters.places), frozenset(filters.sections))


def examples_for(assistant: Assistant) -> tuple[list[str], list[str]]:
    """The example questions for staff and for citizens: the bundled ones this corpus speaks of, the rest filled
    with questions about its own meetings (what was discussed on a date, what was decided on an agenda item) that
    it answers."""
    staff = [question for question in EXAMPLES_STAFF if speaks_of(assistant, question)]
    citizens = [question for question in EXAMPLES_CITIZENS if speaks_of(assistant, question)]
    meetings = assistant.retriever.vocabulary.meetings
    dates = [f"{when:%d.%m.%Y}" for when in sorted(set(meetings.dates.values()), reverse=True)]
    built_staff = [f"Was wurde am {day} besprochen?" for day in dates]
    # the first agenda item that was voted on, as its minutes call it ("Traktandum 2", "TOP 5")
    voted = next((p.meta["item_label"] for p in assistant.store.passages
                  if p.meta.get("item_label") and p.meta.get("votes")), None)
    if voted:
        built_staff.insert(1, f"Was wurde unter {voted} beschlossen?")
    built_citizens = [f"Worum ging es am {day}?" for day in reversed(dates)]
    checker = Suggestions.of(assistant)
    for examples, built in ((staff, built_staff), (citizens, built_citizens)):
        for question in built:
            if len(examples) >= MAX_EXAMPLES:
                break
            if question not in staff + citizens and checker.answerable(question):
                examples.append(question)
    return staff or ["Was wurde besprochen?"], citizens or ["Worum ging es?"]


def speaks_of(assistant: Assistant, question: str) -> bool:
    """Whether the corpus knows the places a question names and uses each noun of its own (beyond places, sections
    and the words framing a question) as a word, not only its stem ("Müll" is not "Müller")."""
    query = assistant.understand(question)
    if query.unknown_places:
        return False
    vocabulary, lexical = assistant.retriever.vocabulary, assistant.retriever.lexical
    own = set(vocabulary.own_words(query))
    passages = assistant.retriever.passages
    for word in WORD.findall(query.content)[1:]:
        if not word[:1].isupper() or fold(word) not in own or fold(word) in FRAME_WORDS:
            continue
        terms = lexical.analyzer.analyze(word)
        if not terms:
            continue  # nothing the index could hold
        if not all(lexical.document_frequency(term) for term in terms):
            return False
        written = re.compile(rf"(?<!\w){re.escape(word.casefold())}(?:s|e|es|n|en)?(?!\w)")
        holding = np.flatnonzero(lexical.containing(terms))[:SPOKEN_OF_PASSAGES]
        if not any(written.search(passages[position].text.casefold()) for position in holding.tolist()):
            return False
    return True


def followup_example(assistant: Assistant, question: str) -> str:
    """A follow-up to show how a conversation goes on: the question asked for another place of the kind it names
    ("Und in Bismarck?" after one about Schalke, as the corpus names its places), else asking for more of it."""
    named = [place for place in assistant.understand(question).places if place.kind != "city"]
    if named:
        others = dict.fromkeys(p.place for p in assistant.store.passages
                               if p.place and p.place != named[0].name and place_kind(p) == named[0].kind)
        if others:
            return f"Und in {next(iter(others))}?"
    return "Gibt es dazu mehr?"

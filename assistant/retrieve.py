"""Hybrid retrieval: dense and German lexical evidence fused, then shaped by what the question names."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from index import IndexStore, Passage
from index.layouts.minutes import HEAD_BOARD as MINUTES_HEAD
from index.store import unit_items

from .understand import (
    ASKS_WHAT_ONE_SAID,
    WORD,
    LargeVocabulary,
    Query,
    Vocabulary,
    fold,
    speaker_party,
    speaker_surname,
)

HEAD_KINDS = frozenset({"title", "programme", "goals"})  # a photo protocol's pages about the conference itself
QUERY_CACHE = 64  # question vectors kept
ITEM_CACHE = 4096  # passages whose item terms and unit positions are kept
# A question that names no section in the corpus' words may still ask for one in other words ("Bedarfe", "what
# is going well", "ne iyi gidiyor"): the section whose name and prompt come closest in meaning, when it stands out
# from the median of all sections by FIELD_LIFT and from the second by FIELD_GAP (calibrated on our tuning
# questions). Only recurring sections (fields of many boards, FIELD_MIN_BOARDS) are candidates.
FIELD_LIFT = 0.03
FIELD_GAP = 0.015
FIELD_WEIGHT = 0.5  # less sure than a section named in the corpus' own words (weight 1)
FIELD_MIN_BOARDS = 3


@dataclass(frozen=True)
class RankingWeights:
    """How the evidence for a passage is weighed, in one place (as bm25s exposes k1 and b).

    Calibrated on the development questions and our own questions (tests/data/), checked on XQuAD
    (docs/benchmarks.md); the figures there hold for these defaults.
    """

    # Dense evidence: the passage's own cosine and that of its best line or sentence, blended 30 : 70 (a
    # question often matches one item of a board better than the whole board).
    unit_blend: float = 0.7
    # BM25 against min-max-scaled dense similarity, for a question whose words are all the corpus' words;
    # it shrinks with the square of the share of words the corpus knows (questions in other languages rest on
    # the embedder) and grows with how peaked BM25's ranking is (one passage sharing a rare word).
    lexical: float = 0.2
    lexical_peak_gain: float = 2.0
    lexical_cap: float = 0.8  # BM25 never outweighs the embedder by more than this
    # Added for what the question names (places, documents, sections, topics), scaled by how sure the naming is.
    place_boost: float = 0.35
    group_boost: float = 0.12  # a named workshop (a table's group)
    party_boost: float = 0.3  # a named party: its speakers' turns ("Was sagt die SP zum Sportfonds?")
    speaker_boost: float = 0.3  # a speaker named by surname: their turns ("Was sagt Hauser zum Fachkräftemangel?")
    # A question naming a district is not about the others: their boards rank below every board of the named
    # one (the rest of a score stays below 1 + section_boost + topic_boost).
    other_district_penalty: float = 1.5
    document_boost: float = 0.25  # a named city's documents up, the others down by as much
    section_boost: float = 0.15
    topic_boost: float = 0.3
    head_boost: float = 0.25  # a question for a fact of a meeting: the document's own pages (title, programme)
    decision_boost: float = 0.2  # a question about what was decided: the passages with a decision or vote
    # An empty field (only its printed prompt) answers a question for that field only; to any other question its
    # prompt is a lexical match without content ("Wer hat die Teilnehmenden begrüßt?" is not for "Teilnehmende").
    empty_penalty: float = 0.2
    # A document's list of attached files ("[Car_Sharing_Stadtmobil.pdf](…)") names its matter in the file names
    # and says nothing about it: below all that does, unless the question names the list's section.
    attachments_penalty: float = 1.0
    gather_limit: int = 10  # boards of a named district gathered for a named section


@dataclass(frozen=True)
class GraphSearch:
    """How candidates are found above EXACT_SEARCH_LIMIT passages, where scoring every passage is too slow.

    Measured at ×1000 (docs/benchmarks.md, "Scale"): with these settings `ask` recall@5 equals scoring every passage.
    """

    candidates: int = 200  # passages nearest in the HNSW graph, and best by BM25, scored in full (each)
    # A wider beam than the index's default: near-duplicate passages (copies of a protocol) crowd the graph, and
    # the candidates must still hold the exact best (exact top 5 among the candidates 0.79 → 0.89 at 1000).
    ef_search: int = 2000
    named_limit: int = 2000  # passages taken in because the question names their place or topic
    filtered_exact: int = 20_000  # filters leaving at most this many passages: all of them are scored
    sample: int = 2000  # passages whose similarity stands in for the corpus' lowest (the floor of min-max scaling)


@dataclass
class Hit:
    """A retrieved passage with its score; exposes what a citation needs."""

    passage: Passage
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    gathered: bool = False  # part of the set the question asked for as a whole
    position: int = -1  # the passage's row in the index
    highlights: tuple[int, ...] = ()  # corpus lines (1-based, within lines) that answer the question

    @property
    def text(self) -> str:
        return self.passage.text

    @property
    def citation(self) -> str:
        return self.passage.citation

    @property
    def source(self) -> str:
        return self.passage.source

    @property
    def lines(self) -> tuple[int, int]:
        return self.passage.lines

    def to_dict(self) -> dict:
        return {
            "citation": self.citation,
            "source": self.source,
            "lines": list(self.lines),
            "score": round(self.score, 4),
            "board": self.passage.board,
            "section": self.passage.section,
            "place": self.passage.place,
            "text": self.text,
            "highlights": list(self.highlights),
            "empty": bool(self.passage.meta.get("empty")),
        }


@dataclass
class Filters:
    """Restrictions a user sets in the app: only these documents, places or sections."""

    sources: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    sections: set[str] = field(default_factory=set)

    def allows(self, passage: Passage) -> bool:
        return (
            (not self.sources or passage.source in self.sources)
            and (not self.places or passage.place in self.places or passage.meta.get("city") in self.places)
            and (not self.sections or passage.section in self.sections)
        )


@dataclass
class Ranking:
    """All passages scored for one query, best first, and what judging its relevance needs."""

    hits: Sequence[Hit]
    missing: list[tuple[str, str]] = field(default_factory=list)  # (place, section) pairs the corpus lacks
    vector: np.ndarray | None = None  # the question as the embedder saw it (Retriever.dense_text)
    closest: float = 0.0  # cosine of the passage closest to that vector
    coverage: float = 0.0  # share of the question's words the corpus knows (query.text)
    about_coverage: float = 0.0  # the same for what it is about (query.about)


NOUN_SAMPLE = 20  # passages looked at to tell how the protocols write a word (written_as_noun)
NOUN_ENDING = 3  # letters an inflected form may add to a word's stem ("Fahrradwege", "Kitas")


class Retriever:
    """Scores passages for a query: dense and German lexical evidence fused (fuse), then shaped by what the
    question names (facet boosts, gathering a district's boards).

    Which passages are scored is decided once, from how the index was built: every passage when the index
    searches exactly, else candidates from the HNSW graph, BM25 and the named places (GraphCandidates).
    """

    def __init__(self, store: IndexStore, weights: RankingWeights = RankingWeights(),
                 search: str | None = None) -> None:
        # Query scoring is small matrix-vector products: BLAS threads only add wake-up latency, which
        # right after the embedder's own threads ran costs ~20 ms a query instead of 0.1 ms.
        threadpool_limits(1, user_api="blas")
        self.store = store
        self.weights = weights
        self.passages = store.passages
        self.matrix = store.matrix()  # for an HNSW index a view of FAISS's storage, not a copy
        self.lexical = store.lexical
        search = search or store.manifest.get("search", "exact")
        self.candidates = GraphCandidates(self, GraphSearch()) if search == "hnsw" else None
        # A large corpus keeps no set of terms per passage (LargeVocabulary).
        self.vocabulary = (LargeVocabulary if self.candidates else Vocabulary)(self.passages, self.lexical)
        # The last question vectors: a conversation repeats its turns, and relevance reads the ranking's.
        self.embed = functools.lru_cache(maxsize=QUERY_CACHE)(self._embed)
        # Understanding and ranking a question ask for the share of known words of the same texts.
        self.coverage = functools.lru_cache(maxsize=QUERY_CACHE)(self.lexical.coverage)
        # (asked again for the candidates of each ranking step of a question)
        self._naming_speakers = functools.lru_cache(maxsize=QUERY_CACHE)(self._passages_naming)
        self.vocabulary.sections_by_meaning = self.sections_by_meaning
        self.vocabulary.closest_field = self.closest_field
        # Per passage, what its items are made of: read again for every answer that cites or searches it.
        self.item_terms = functools.lru_cache(maxsize=ITEM_CACHE)(self._item_terms)
        self._unit_item_positions = functools.lru_cache(maxsize=ITEM_CACHE)(self._unit_items)
        # How the protocols write a word of a question typed in lower case.
        self.written_as_noun = functools.lru_cache(maxsize=ITEM_CACHE)(self._written_as_noun)
        self._index_facets()

    def _passages_naming(self, speakers: frozenset[str]) -> np.ndarray:
        """Which passages name one of the speakers by their surname as written."""
        mask = np.zeros(len(self.passages), dtype=bool)
        for speaker in speakers:
            mask[self.vocabulary.passages_naming(speaker_surname(speaker) or "")] = True
        return mask

    def _index_facets(self) -> None:
        """Facets as integer codes per passage: boosts, filters and gathering are numpy operations, not
        loops over every passage (18,000 passages: 6 ms a question)."""
        passages = self.passages
        self._source = _Codes(p.source for p in passages)
        self._place = _Codes(p.place for p in passages)
        self._city = _Codes(p.meta.get("city") for p in passages)
        self._section = _Codes(p.section for p in passages)
        self._topic = _Codes((p.source, p.topic_no) if p.topic_no is not None else None for p in passages)
        self._party = _Codes(speaker_party(p) for p in passages)
        self._speaker = _Codes(p.meta.get("speaker") for p in passages)
        self._item = _Codes((p.source, str(p.meta["item"])) if p.meta.get("item") else None for p in passages)
        # A document's own pages: its title page, programme and goals, the head of minutes, else its first passage
        # (numpy, not a loop comparing passages: 0.4 s at start-up for 190,000 passages).
        self._head = np.fromiter((p.board_kind in HEAD_KINDS or p.board == MINUTES_HEAD for p in passages), bool,
                                 len(passages))
        if passages:
            starts = np.fromiter((p.items[0].line for p in passages), np.int64, len(passages))
            by_document = np.lexsort((starts, self._source.codes))  # per document, in line order
            _, first = np.unique(self._source.codes[by_document], return_index=True)
            self._head[by_document[first]] = True
        # Passages a layout marked as holding a decision or vote tally (minutes).
        self._decision = np.fromiter((decides(p) for p in passages), bool, len(passages))
        self._is_district = np.fromiter((p.board_kind == "district" for p in passages), bool, len(passages))
        # (the number of a place's board, "Tafel 2 von 4"; 0: none)
        self._board_no = np.fromiter((int(p.meta.get("board_no") or 0) for p in passages), np.int16, len(passages))
        # Exchange boards whose district is not written on them ("Austausch · ohne Stadtteilangabe").
        self._unnamed_boards = self._is_district & np.fromiter((not p.place for p in passages), bool, len(passages))
        self._empty = np.fromiter((bool(p.meta.get("empty")) for p in passages), bool, len(passages))
        self._any_empty = bool(self._empty.any())
        self._attachments = np.fromiter((bool(p.meta.get("attachments")) for p in passages), bool, len(passages))
        self._any_attachments = bool(self._attachments.any())
        # The column names of each place's table rows, casefolded.
        self._labels: dict[str, set[str]] = defaultdict(set)
        for passage in passages:
            if passage.place:
                self._labels[passage.place] |= {fold(item.label) for item in passage.items if item.label}
        # Units are stored in passage order, so each passage's units are one slice of the unit vectors.
        units = self.store.unit_vectors
        self._unit_bounds = (np.searchsorted(self.store.unit_owners, np.arange(len(passages) + 1))
                             if units is not None and len(units) else None)

    def _written_as_noun(self, word: str) -> bool:
        """Whether the protocols write a word capitalised, as German writes nouns: most of its occurrences (a word
        beginning with its stem and at most NOUN_ENDING letters more: "Fahrradweg" for "fahrradwege") in the first
        NOUN_SAMPLE passages using it, an item's first word only where it stands alone."""
        terms = self.lexical.analyzer.analyze(word)
        if not terms:
            return False
        whole = max(terms, key=len)  # (not a compound's parts: "Bürgerrunde" is no "Bürgerbus")
        stem = fold(whole)
        capitalised = written = 0
        for position in np.flatnonzero(self.lexical.containing([whole]))[:NOUN_SAMPLE]:
            for item in self.passages[position].items:
                tokens = WORD.findall(item.text)
                for i, token in enumerate(tokens):
                    folded = fold(token)
                    if (i > 0 or len(tokens) == 1) and folded.startswith(stem) \
                            and len(folded) <= len(stem) + NOUN_ENDING:
                        written += 1
                        capitalised += token[:1].isupper()
        # (a tie, "Fehlen" once and "fehlen" once, is no noun, nor is one word seen once)
        return written >= 2 and capitalised * 2 > written

    def is_head(self, position: int) -> bool:
        """Whether the passage at position is one of its document's own pages (title page, programme, goals, the
        head of minutes, else the document's first passage)."""
        return position >= 0 and bool(self._head[position])

    def _embed(self, text: str) -> np.ndarray:
        vector = self.store.embedder.embed_queries([text])[0]
        vector.flags.writeable = False  # shared by every caller of the cache
        return vector

    @functools.cached_property
    def _fields(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The recurring sections (fields of the boards), the vectors of the ways each is named (its name with its
        prompt, its name alone, its prompt as a question alone) and the field each vector names."""
        prompts: dict[str, str] = {}
        for passage in self.passages:
            if passage.section:
                prompts.setdefault(passage.section, passage.meta.get("prompt") or "")
        # Boards, not passages: a long heading of a text split into parts is still no field.
        names = [name for name, count in self.vocabulary.section_boards.items() if count >= FIELD_MIN_BOARDS]
        if len(names) < 2:
            return [], np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.int32)
        texts, owners = [], []
        for index, name in enumerate(names):
            prompt = prompts[name]
            # ("Wer ist davon betroffen" reads closer to "Wen betrifft das?" than "Betroffene: Rundum-Blick: …")
            ways = [f"{name}: {prompt}" if prompt and prompt != name else name, name, bare_prompt(prompt)]
            for text in dict.fromkeys(way for way in ways if way):
                texts.append(text)
                owners.append(index)
        return names, self.store.embedder.embed_passages(texts), np.array(owners, dtype=np.int32)

    def sections_by_meaning(self, query: Query) -> dict[str, float]:
        """The section a question asks for in other words than the corpus' (see FIELD_LIFT), or none. Judged on
        the question's vector as ranking embeds it (one embedding per question), by the closest way each field is
        named."""
        names, similarity = self._field_similarity(query)
        if not names:
            return {}
        order = np.argsort(-similarity)
        best, second = float(similarity[order[0]]), float(similarity[order[1]])
        # A question about districts or workshops asks for one of the sections their boards have.
        available = self.vocabulary.sections_on(query.local_places)
        if available & set(names) and names[order[0]] not in available:
            return {}
        if best - float(np.median(similarity)) >= FIELD_LIFT and best - second >= FIELD_GAP:
            return {names[order[0]]: FIELD_WEIGHT}
        return {}

    def closest_field(self, query: Query, among: set[str]) -> str | None:
        """Of these sections, the field (a recurring section) the question's vector comes closest to, by the
        closest way it is named, however little; None when none of them is a field."""
        names, similarity = self._field_similarity(query)
        candidates = [index for index, name in enumerate(names) if name in among]
        return names[max(candidates, key=lambda index: similarity[index])] if candidates else None

    def _field_similarity(self, query: Query) -> tuple[list[str], np.ndarray]:
        """The fields and the question's similarity to each, by the closest way it is named (no fields, or a
        question without a word: [])."""
        names, vectors, owners = self._fields
        if not names or not any(ch.isalnum() for ch in query.about):
            return [], np.zeros(0, dtype=np.float32)
        similarity = np.full(len(names), -1.0, dtype=np.float32)
        np.maximum.at(similarity, owners, vectors @ self.embed(self.dense_text(query)))
        return names, similarity

    @functools.cached_property
    def _no_meaning(self) -> np.ndarray:
        """A vector equally far from every passage: dense evidence that ranks nothing above anything else."""
        vector = np.zeros(self.matrix.shape[1], dtype=np.float32)
        vector.flags.writeable = False
        return vector

    def dense_text(self, query: Query) -> str:
        """What the embedder compares with the passages: the question without its place names, unless it
        names a district and none of the remaining words is in the corpus (another language): then the
        embedder is all there is to go by, and the district's name keeps it on the district's boards."""
        # (a city's name is everyday talk: it does not make a question about the weather one about the protocols)
        keeps_place = (bool(query.local_places) and query.about != query.text
                       and self.coverage(query.about) == 0)
        text = query.text if keeps_place else query.about
        return text.rstrip("?？ ") or text

    def closest(self, vector: np.ndarray) -> float:
        """Cosine of the passage of the whole corpus closest to a question's vector."""
        if not self.passages:
            return 0.0
        return self.candidates.closest(vector) if self.candidates else float((self.matrix @ vector).max())

    def rank(self, query: Query, filters: Filters | None = None, by_meaning: bool = True) -> Ranking:
        """The passages, best first. by_meaning False: without the embedder, for a question its names answer
        whole (a section of the places it names): the ranking only orders what is gathered in protocol order,
        and embedding the question would be most of the time it takes."""
        if not self.passages:
            return Ranking([])
        coverage = self.coverage(query.text)
        about_coverage = coverage if query.about == query.text else self.coverage(query.about)
        exact = self.candidates is None
        vector = self.embed(self.dense_text(query)) if by_meaning or not exact else self._no_meaning
        lexical = self.lexical.scores(query.text)
        allowed = self._allowed(filters) if filters else None
        # ids None: every passage is scored (the exact index); else the candidates' passage ids.
        ids = self.candidates.select(query, vector, lexical, allowed) if self.candidates else None
        if ids is not None and not len(ids):
            return Ranking([], vector=vector, coverage=coverage, about_coverage=about_coverage)
        cosine, dense = self._dense(vector, ids)
        floor = self.candidates.floor(vector) if self.candidates else None
        score = fuse(dense, lexical if ids is None else lexical[ids], self.weights,
                     lexical_weight(lexical, coverage, self.weights), dense_floor=floor, lexical_best=lexical.max())
        score += self._facet_bonus(query, ids)
        order = np.argsort(-score, kind="stable")
        if ids is not None:
            order = ids[order]
        elif allowed is not None:
            order = order[allowed[order]]
        gathered, missing = self._gather(query, order)
        positions = None if ids is None else {int(passage_id): row for row, passage_id in enumerate(ids.tolist())}
        hits = RankedHits(self.passages, order, gathered, score, dense, lexical if ids is None else lexical[ids],
                          positions)
        # Relevance is judged on the closest passage of the whole corpus, whatever the filters let through.
        closest = float(cosine.max()) if ids is None or allowed is None else self.candidates.closest(vector)
        return Ranking(hits, missing, vector, closest, coverage, about_coverage)

    def _dense(self, vector: np.ndarray, ids: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The passages' own cosine similarity (all passages, or those ids), and that blended with the cosine
        of their best-matching unit (line or sentence)."""
        cosine = self.matrix @ vector if ids is None else self.matrix[ids] @ vector
        if self._unit_bounds is None:
            return cosine, cosine
        units = self.store.unit_vectors
        if ids is None:
            starts, ends, unit_scores = self._unit_bounds[:-1], self._unit_bounds[1:], units @ vector
        else:
            starts, ends = self._unit_bounds[ids], self._unit_bounds[ids + 1]
            counts = ends - starts
            unit_ids = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
            unit_scores = units[unit_ids] @ vector
            ends = np.cumsum(counts)
            starts = ends - counts
        best_unit = cosine.copy()  # a passage without units stands for itself
        # Each passage's units are one run of unit_scores: the best of each run at once (np.maximum.at is slow).
        owning = np.flatnonzero(ends > starts)
        if len(owning):
            best_unit[owning] = np.maximum(best_unit[owning], np.maximum.reduceat(unit_scores, starts[owning]))
        blend = self.weights.unit_blend
        return cosine, (1 - blend) * cosine + blend * best_unit

    def item_similarity(self, position: int, vector: np.ndarray) -> np.ndarray:
        """Per item of the passage at position: the cosine of its best unit (line or sentence) with the vector; an
        item without a unit of its own (too short to embed) gets -1."""
        passage = self.passages[position]
        similarity = np.full(len(passage.items), -1.0)
        if self._unit_bounds is None:
            return similarity
        start, end = self._unit_bounds[position], self._unit_bounds[position + 1]
        if end > start:
            np.maximum.at(similarity, self._unit_item_positions(position), self.store.unit_vectors[start:end] @ vector)
        return similarity

    def _unit_items(self, position: int) -> np.ndarray:
        return np.array([item for item, _ in unit_items(self.passages[position])], dtype=np.int64)

    def _item_terms(self, position: int) -> tuple[frozenset[str], ...]:
        analyze = self.lexical.analyzer.analyze
        return tuple(frozenset(analyze(item.text)) for item in self.passages[position].items)

    def mentions(self, terms: Iterable[str], names: Callable[[str, frozenset[str]], bool],
                 allowed: np.ndarray | None = None) -> list[int]:
        """Positions of every passage with an item that names something (names(item text, its index terms)), or
        under a heading that does ("### Kuchenbasar" over its tally), among the passages using one of the terms, in
        corpus order: not the best few, all of them."""
        found = []
        for position in np.flatnonzero(self.lexical.containing(terms)).tolist():
            if allowed is not None and not allowed[position]:
                continue
            passage = self.passages[position]
            items = zip(passage.items, self.item_terms(position), strict=True)
            if any(names(item.text, item_terms) for item, item_terms in items) or (
                    passage.section and names(passage.section, self.heading_terms(passage.section))):
                found.append(position)
        return found

    @functools.lru_cache(maxsize=1 << 12)  # noqa: B019 (one retriever per index, kept for its lifetime)
    def heading_terms(self, heading: str) -> frozenset[str]:
        """The index terms of a heading or title, as an item's are (for Matter.named_by)."""
        return frozenset(self.lexical.analyzer.analyze(heading))

    def _facet_bonus(self, query: Query, ids: np.ndarray | None = None) -> np.ndarray:
        """Boosts for what the question names, for every passage or the candidates ids."""
        weights = self.weights
        n = len(self.passages) if ids is None else len(ids)
        bonus = np.zeros(n, dtype=np.float64)
        districts = [place.name for place in query.districts]
        groups = [place.name for place in query.places if place.kind == "group"]
        if districts:
            named = self._place.mask(districts, ids)
            is_district = self._is_district if ids is None else self._is_district[ids]
            bonus += np.where(named, weights.place_boost, np.where(is_district, -weights.other_district_penalty, 0.0))
        if groups:
            bonus += np.where(self._place.mask(groups, ids), weights.group_boost, 0.0)
        if query.parties:
            bonus += np.where(self._party.mask(query.parties, ids), weights.party_boost, 0.0)
        if query.speakers:
            # (their turns, and the passages naming them: "Ich verlese das Schreiben von Regierungsrätin Monika Knill")
            # (only their turns for what they said: "Secondo Hauser …" is not the list of a motion's signatories)
            turns = self._speaker.mask(query.speakers, ids)
            if not ASKS_WHAT_ONE_SAID.search(query.question):
                naming = self._naming_speakers(query.speakers)
                turns = turns | (naming if ids is None else naming[ids])
            bonus += np.where(turns, weights.speaker_boost, 0.0)
        if query.city_sources:
            in_city = self._source.mask(query.city_sources, ids)
            bonus += np.where(in_city, weights.document_boost, -weights.document_boost)
        for section, weight in query.sections.items():
            bonus += np.where(self._section.mask([section], ids), weights.section_boost * weight, 0.0)
        for key, weight in query.topics.items():
            bonus += np.where(self._topic.mask([key], ids), weights.topic_boost * weight, 0.0)
        if query.board_no is not None and query.places:
            # "auf der zweiten Altstadt-Tafel": that board of the place named
            board_no = self._board_no if ids is None else self._board_no[ids]
            bonus += np.where(board_no == query.board_no, weights.section_boost, 0.0)
        if query.meeting_fact:
            own_pages = self._head & self._source.mask(query.meeting_fact) if ids is None else (
                self._head[ids] & self._source.mask(query.meeting_fact, ids))
            bonus += np.where(own_pages, weights.head_boost, 0.0)
        if query.decision and self._decision.any():
            bonus += np.where(self._decision if ids is None else self._decision[ids], weights.decision_boost, 0.0)
        if query.items:
            bonus += np.where(self._item.mask(query.items, ids), weights.topic_boost, 0.0)  # an agenda item is one
        if self._any_empty:
            bonus -= np.where(self._unless_asked(self._empty, query, ids), weights.empty_penalty, 0.0)
        if self._any_attachments:
            bonus -= np.where(self._unless_asked(self._attachments, query, ids), weights.attachments_penalty, 0.0)
        return bonus

    def _unless_asked(self, mask: np.ndarray, query: Query, ids: np.ndarray | None) -> np.ndarray:
        """The mask (over all passages, or the candidates ids) without the passages of the sections asked for."""
        mask = mask if ids is None else mask[ids]
        return mask & ~self._section.mask(list(query.sections), ids) if query.sections else mask

    def _allowed(self, filters: Filters) -> np.ndarray:
        """Which passages the filters let through (Filters.allows for every passage)."""
        allowed = np.ones(len(self.passages), dtype=bool)
        if filters.sources:
            allowed &= self._source.mask(filters.sources)
        if filters.places:
            allowed &= self._place.mask(filters.places) | self._city.mask(filters.places)
        if filters.sections:
            allowed &= self._section.mask(filters.sections)
        return allowed

    @functools.cached_property
    def _titles(self) -> dict[str, str]:
        """Each document's titles, long and short."""
        return {passage.source: f"{passage.doc_title} {passage.short_title}" for passage in self.passages}

    def _in_protocol_order(self, order: np.ndarray, wanted: np.ndarray, board_no: int | None = None) -> list[int]:
        """The best ranked of the wanted passages (order: best first), up to the gather limit, in protocol order, so
        "Tafel 1" comes before "Tafel 2" as on the wall; the board asked for by its number first."""
        picked = order[wanted[order]][: self.weights.gather_limit].tolist()
        return sorted(picked, key=lambda i: (board_no is not None and int(self._board_no[i]) != board_no,
                                             self.passages[i].source, self.passages[i].lines))

    def _gather(self, query: Query, order: np.ndarray) -> tuple[list[int], list[tuple[str, str]]]:
        """A question for a section of a place wants that section of every board of the place: those
        passages among the ranked ones (order, best first), in protocol order, and the places that lack it."""
        districts = sorted({place.name for place in query.districts})
        if query.unnamed_board and self._unnamed_boards.any():
            # "auf der Tafel ohne Stadtteilangabe": those boards (the section asked for of them), whole
            worded = [name for name in query.sections if name in query.worded_sections]  # (not one guessed)
            wanted = self._unnamed_boards & (self._section.mask(worded) if worded else True)
            return self._in_protocol_order(order, wanted), []
        if not query.sections:
            return [], []
        best_section = max(query.sections, key=query.sections.get)
        in_section = self._section.mask([best_section])
        if not query.local_places:
            # A section named in words of a meeting named by its date ("Welche Unterlagen sind dem Protokoll vom
            # 24.09.2015 angehängt?"): that section of its protocol, whole (an agenda item it names: the item's).
            # (not a heading that is a word of the meeting's title: "in der Bürgerrunde vom 23.04.2015")
            if not (query.documents and best_section in query.worded_sections) or query.items or any(
                    fold(best_section) in fold(self._titles[source]) for source in query.documents):
                return [], []
            return self._in_protocol_order(order, in_section & self._source.mask(query.documents)), []
        wanted = self._place.mask(districts) & in_section
        gathered = self._in_protocol_order(order, wanted, query.board_no) if districts else []
        missing = []
        # (only a field the question names in words, or one asked for before: a field guessed from its meaning,
        # "gefordert" ~ "Worauf kommt es an", is no field a workshop could be said to lack)
        if best_section not in query.worded_sections and "sections" not in query.inherited:
            return gathered, missing
        # A workshop's rows are not gathered, but a field they lack is said to be missing all the same.
        for place in dict.fromkeys(query.local_places):
            if any(self.passages[i].place == place for i in gathered):
                continue
            # Only what the protocols lack is "missing"; a place the filters exclude is not, nor a workshop whose
            # table has a column of that name ("Herausforderung").
            if not (self._place.mask([place]) & in_section).any() and fold(best_section) not in self._labels[place]:
                missing.append((place, best_section))
        return gathered, missing


# A printed prompt's lead-in ("Abschließend:", "Rundum-Blick:"), its asides in brackets or quotes, its trailing dots.
_PROMPT_LEAD = re.compile(r"^[^:]{1,25}:\s*")
_PROMPT_ASIDE = re.compile(r"\([^)]*\)|„[^“]*“|\"[^\"]*\"")


def bare_prompt(prompt: str) -> str:
    """A printed prompt as the question it asks ("Abschließend: Wer sollte die (Prozess-)Verantwortung übernehmen
    („Wer hat den Hut auf...“)" → "Wer sollte die Verantwortung übernehmen"); "" when nothing is left."""
    bare = _PROMPT_ASIDE.sub(" ", _PROMPT_LEAD.sub("", prompt or ""))
    return re.sub(r"\s+", " ", bare).strip(" .…:")


def decides(passage: Passage) -> bool:
    """Whether a passage decides or counts votes (a decision or a tally of minutes)."""
    return bool(passage.meta.get("decision") or passage.meta.get("votes"))


class GraphCandidates:
    """The passages worth scoring in a corpus too large to score them all: those nearest to the question in the
    HNSW graph, the best by BM25 and those of the places and topics the question names (so a district's boards
    are still gathered; the question's vector leaves place names out). Their scores are exact."""

    def __init__(self, retriever: Retriever, settings: GraphSearch) -> None:
        self.settings = settings
        self.store = retriever.store
        self.matrix = retriever.matrix
        self.retriever = retriever
        passages = retriever.passages
        self._topic_members: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i, passage in enumerate(passages):
            if passage.topic_no is not None:
                self._topic_members[(passage.source, passage.topic_no)].append(i)
        self._sample = np.random.default_rng(0).choice(len(passages), min(settings.sample, len(passages)),
                                                       replace=False)

    def select(self, query: Query, vector: np.ndarray, lexical: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
        if allowed is not None and allowed.sum() <= self.settings.filtered_exact:
            return np.flatnonzero(allowed)
        nearest = self.nearest(vector, allowed)
        matching = np.flatnonzero(lexical > 0 if allowed is None else (lexical > 0) & allowed)
        limit = self.settings.candidates
        if len(matching) > limit:
            matching = matching[np.argpartition(-lexical[matching], limit)[:limit]]
        named = self.named(query)
        if allowed is not None:
            named = named[allowed[named]]
        return np.unique(np.concatenate([nearest, matching, named]))

    def floor(self, vector: np.ndarray) -> float:
        """Stands in for the corpus' lowest dense score in min-max scaling: that of a fixed sample."""
        return float(self.retriever._dense(vector, self._sample)[1].min())

    def closest(self, vector: np.ndarray) -> float:
        """Cosine of the closest passage among the graph's nearest, searched as widely as ranking does (a narrow
        search among thousands of near-duplicates can miss the closest by enough to tip the relevance check)."""
        ids = self.nearest(vector, None)
        return float((self.matrix[ids] @ vector).max()) if len(ids) else 0.0

    def nearest(self, vector: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
        import faiss

        selector = None
        if allowed is not None:
            # Search the graph for allowed passages only, rather than filter a global top list afterwards.
            bitmap = np.packbits(allowed, bitorder="little")
            selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
        params = faiss.SearchParametersHNSW(efSearch=self.settings.ef_search, sel=selector)
        _, ids = self.store.vectors.search(np.asarray(vector, dtype=np.float32).reshape(1, -1),
                                           self.settings.candidates, params=params)
        return ids[0][ids[0] >= 0].astype(np.int64)

    def named(self, query: Query) -> np.ndarray:
        """Passages of the districts, workshops and cities the question names (those of a named place in a named
        city, and in its sections, first), and of its topics."""
        facets = self.retriever
        places = [place.name for place in query.places if place.kind in ("district", "group")]
        mask = facets._place.mask(places) if places else None
        if query.city_sources:
            in_city = facets._source.mask(query.city_sources)
            both = in_city & mask if mask is not None else in_city
            mask = both if both.any() else (mask | in_city if mask is not None else in_city)
        ids = np.flatnonzero(mask) if mask is not None else np.zeros(0, np.int64)
        if len(ids) > self.settings.named_limit and query.sections:
            in_section = ids[facets._section.mask(query.sections)[ids]]
            ids = np.concatenate([in_section, np.setdiff1d(ids, in_section)])
        topics = [i for key in query.topics for i in self._topic_members.get(key, [])]
        items = np.flatnonzero(facets._item.mask(query.items)) if query.items else np.zeros(0, np.int64)
        return np.concatenate([ids[: self.settings.named_limit], np.asarray(topics, dtype=np.int64), items]
                              ).astype(np.int64)


class RankedHits(Sequence):
    """The ranked passages as Hits, made when read: a question reads a few of them, and making one for every
    passage (20 ms at 18,000 passages, and the garbage collector's passes over them) is wasted.

    order: passage ids best first; gathered: ids that go first, in their order; score, dense, lexical: per
    passage id, or per candidate when positions maps a passage id to its candidate row.
    """

    def __init__(self, passages: list[Passage], order: np.ndarray, gathered: list[int], score: np.ndarray,
                 dense: np.ndarray, lexical: np.ndarray, positions: dict[int, int] | None = None) -> None:
        self._passages = passages
        self._gathered = set(gathered)
        rest = order[~np.isin(order, gathered)] if gathered else order
        self._order = [*gathered, *rest.tolist()]
        self._values = (score, dense, lexical)
        self._positions = positions
        self._made: dict[int, Hit] = {}
        self._ranks: dict[int, int] | None = None

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._order)))]
        passage_id = self._order[index]
        hit = self._made.get(passage_id)
        if hit is None:
            row = passage_id if self._positions is None else self._positions[passage_id]
            score, dense, lexical = (float(values[row]) for values in self._values)
            hit = Hit(self._passages[passage_id], score, dense, lexical, gathered=passage_id in self._gathered,
                      position=passage_id)
            self._made[passage_id] = hit
        return hit

    def rank_of(self, passage_id: int) -> int:
        """Where a passage stands in the ranking (0: first; past the end when it is not ranked)."""
        if self._ranks is None:
            self._ranks = {passage: rank for rank, passage in enumerate(self._order)}
        return self._ranks.get(passage_id, len(self._order))

    def __repr__(self) -> str:
        return f"RankedHits({len(self)} passages)"


def fuse(dense: np.ndarray, lexical: np.ndarray, weights: RankingWeights, lexical_share: float,
         dense_floor: float | None = None, lexical_best: float | None = None) -> np.ndarray:
    """One score per passage from its dense and BM25 evidence: min-max-scaled cosine and BM25 relative to the
    best, mixed by lexical_share (lexical_weight).

    dense and lexical may cover only some passages (candidates): dense_floor then stands in for the corpus'
    lowest cosine and lexical_best is the corpus' best BM25 score, so candidates score as among all passages.
    """
    low = float(dense.min()) if dense_floor is None else min(float(dense.min()), dense_floor)
    high = float(dense.max())
    scaled = (dense - low) / (high - low) if high - low >= 1e-9 else np.zeros(len(dense), dtype=np.float64)
    best = float(lexical.max()) if lexical_best is None else float(lexical_best)
    relative = lexical / best if best > 0 else np.zeros(len(lexical), dtype=np.float64)
    return (1 - lexical_share) * scaled + lexical_share * relative


def lexical_weight(lexical: np.ndarray, coverage: float, weights: RankingWeights = RankingWeights()) -> float:
    """How much BM25 counts against dense similarity for this question.

    Squared coverage: a question mostly in other words than the corpus' (another language) rests on
    the embedder. A peaked BM25 ranking (one passage shares a rare word, e.g. "begrüßt" ~ "Begrüßung")
    is strong evidence and counts more; a flat one (common words everywhere) less.
    """
    if not len(lexical) or lexical.max() <= 0:
        return 0.0
    top = np.partition(lexical, -2)[-2:] if len(lexical) > 1 else np.array([0.0, lexical.max()])
    peak = float((top[1] - top[0]) / top[1])
    share = weights.lexical * coverage**2 * (1 + weights.lexical_peak_gain * peak)
    return min(share, weights.lexical_cap)


class _Codes:
    """A small integer per passage for one facet (source, place, …), so a set of values selects passages
    with one numpy operation instead of a loop over all passages."""

    def __init__(self, values) -> None:
        self._index: dict = {}
        self.codes = np.fromiter((self._index.setdefault(value, len(self._index)) for value in values), np.int32)

    def mask(self, wanted, ids: np.ndarray | None = None) -> np.ndarray:
        """Which passages (all, or those ids) have one of the wanted values."""
        codes = self.codes if ids is None else self.codes[ids]
        known = [self._index[value] for value in wanted if value in self._index]
        if len(known) == 1:
            return codes == known[0]  # the usual case, and ten times faster than isin
        return np.isin(codes, known)

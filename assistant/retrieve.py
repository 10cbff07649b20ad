"""Hybrid retrieval: dense and German lexical evidence fused, then shaped by what the question names."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from index import IndexStore, Passage
from index.store import embedding_text

from .lexical import LexicalIndex
from .understand import Query, Vocabulary

# Weight of BM25 against dense similarity for a question fully in the corpus' vocabulary; it shrinks
# with the share of question words the corpus knows, so questions in other languages rest on the embedder.
LEXICAL_WEIGHT = 0.2
# Dense evidence is the passage's own similarity and that of its best line or sentence, in equal parts.
UNIT_WEIGHT = 0.7
LEXICAL_PEAK_GAIN = 2.0
PLACE_BOOST = 0.35
GROUP_BOOST = 0.12
OTHER_DISTRICT_PENALTY = 0.25
DOCUMENT_BOOST = 0.25
SECTION_BOOST = 0.15
TOPIC_BOOST = 0.3
GATHER_LIMIT = 10


@dataclass
class Hit:
    """A retrieved passage with its score; exposes what a citation needs."""

    passage: Passage
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    gathered: bool = False  # part of the set the question asked for as a whole

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
    """All passages scored for one query, best first, plus the evidence relevance is judged on."""

    hits: list[Hit]
    best_dense: float
    coverage: float
    missing: list[tuple[str, str]] = field(default_factory=list)  # (place, section) pairs the corpus lacks


class Retriever:
    """Scores every passage of the index for a query; exact at the protocols' size."""

    def __init__(self, store: IndexStore) -> None:
        # Query scoring is small matrix-vector products: BLAS threads only add wake-up latency, which
        # right after the embedder's own threads ran costs ~20 ms a query instead of 0.1 ms.
        threadpool_limits(1, user_api="blas")
        self.store = store
        self.passages = store.passages
        self.matrix = store.matrix()
        self.lexical = LexicalIndex.build([embedding_text(p) for p in self.passages])
        self.vocabulary = Vocabulary(self.passages, self.lexical)

    def embed(self, text: str) -> np.ndarray:
        return self.store.embedder.embed_queries([text])[0]

    def dense_scores(self, text: str) -> np.ndarray:
        """Cosine similarity of every passage, blended with that of its best-matching unit (line/sentence)."""
        if not len(self.passages):
            return np.zeros(0, dtype=np.float32)
        vector = self.embed(text)
        passage = self.matrix @ vector
        if self.store.unit_vectors is None or not len(self.store.unit_vectors):
            return passage
        best_unit = passage.copy()  # a passage without units stands for itself
        np.maximum.at(best_unit, self.store.unit_owners, self.store.unit_vectors @ vector)
        return (1 - UNIT_WEIGHT) * passage + UNIT_WEIGHT * best_unit

    def rank(self, query: Query, filters: Filters | None = None) -> Ranking:
        n = len(self.passages)
        if n == 0:
            return Ranking([], 0.0, 0.0)
        dense = self.dense_scores(query.text)
        lexical = self.lexical.scores(query.text)
        coverage = self.lexical.coverage(query.text)
        weight = lexical_weight(lexical, coverage)
        score = (1 - weight) * _minmax(dense) + weight * _unit(lexical)
        score += self._facet_bonus(query)
        allowed = np.array([filters.allows(p) for p in self.passages]) if filters else np.ones(n, bool)
        order = [int(i) for i in np.argsort(-score, kind="stable") if allowed[i]]
        hits = [Hit(self.passages[i], float(score[i]), float(dense[i]), float(lexical[i])) for i in order]
        hits, missing = self._gather(query, hits)
        best_dense = float(dense[allowed].max()) if allowed.any() else 0.0
        return Ranking(hits, best_dense, coverage, missing)

    def _facet_bonus(self, query: Query) -> np.ndarray:
        bonus = np.zeros(len(self.passages), dtype=np.float64)
        districts = {place.name for place in query.places if place.kind == "district"}
        groups = {place.name for place in query.places if place.kind == "group"}
        cities = [place for place in query.places if place.kind == "city"]
        city_sources = set().union(*(place.sources for place in cities)) if cities else set()
        for i, passage in enumerate(self.passages):
            if districts:
                if passage.place in districts:
                    bonus[i] += PLACE_BOOST
                elif passage.board_kind == "district":
                    bonus[i] -= OTHER_DISTRICT_PENALTY
            if passage.place in groups:
                bonus[i] += GROUP_BOOST
            if city_sources:
                bonus[i] += DOCUMENT_BOOST if passage.source in city_sources else -DOCUMENT_BOOST
            if passage.section in query.sections:
                bonus[i] += SECTION_BOOST * query.sections[passage.section]
            if passage.topic_no is not None and (passage.source, passage.topic_no) in query.topics:
                bonus[i] += TOPIC_BOOST * query.topics[(passage.source, passage.topic_no)]
        return bonus

    def _gather(self, query: Query, hits: list[Hit]) -> tuple[list[Hit], list[tuple[str, str]]]:
        """A question for a section of a place wants that section of every board of the place."""
        districts = {place.name for place in query.districts}
        if not query.sections or not districts:
            return hits, []
        best_section = max(query.sections, key=query.sections.get)

        def wanted(hit: Hit) -> bool:
            passage = hit.passage
            if passage.section != best_section:
                return False
            return passage.place in districts

        # In protocol order, so "Tafel 1" comes before "Tafel 2" as on the wall.
        gathered = sorted([hit for hit in hits if wanted(hit)][:GATHER_LIMIT],
                          key=lambda hit: (hit.source, hit.lines))
        for hit in gathered:
            hit.gathered = True
        missing = []
        for place in sorted(districts):
            if any(hit.passage.place == place for hit in gathered):
                continue
            # Only what the protocols lack is "missing"; a place the filters exclude is not.
            if not any(p.place == place and p.section == best_section for p in self.passages):
                missing.append((place, best_section))
        rest = [hit for hit in hits if not hit.gathered]
        return gathered + rest, missing


def lexical_weight(lexical: np.ndarray, coverage: float) -> float:
    """How much BM25 counts against dense similarity for this question.

    Squared coverage: a question mostly in other words than the corpus' (another language) rests on
    the embedder. A peaked BM25 ranking (one passage shares a rare word, e.g. "begrüßt" ~ "Begrüßung")
    is strong evidence and counts more; a flat one (common words everywhere) less.
    """
    if not len(lexical) or lexical.max() <= 0:
        return 0.0
    top = np.partition(lexical, -2)[-2:] if len(lexical) > 1 else np.array([0.0, lexical.max()])
    peak = float((top[1] - top[0]) / top[1])
    return min(LEXICAL_WEIGHT * coverage**2 * (1 + LEXICAL_PEAK_GAIN * peak), 0.8)


def _minmax(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:
        return np.zeros_like(values, dtype=np.float64)
    return (values - low) / (high - low)


def _unit(values: np.ndarray) -> np.ndarray:
    high = float(values.max()) if len(values) else 0.0
    return values / high if high > 0 else np.zeros_like(values, dtype=np.float64)

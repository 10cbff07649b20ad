"""Hybrid retrieval: dense and German lexical evidence fused, then shaped by what the question names."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from index import IndexStore, Passage
from index.store import EXACT_SEARCH_LIMIT, embedding_text

from index.lexical import LexicalIndex
from .understand import LargeVocabulary, Query, Vocabulary

# Weight of BM25 against dense similarity for a question fully in the corpus' vocabulary; it shrinks
# with the share of question words the corpus knows, so questions in other languages rest on the embedder.
LEXICAL_WEIGHT = 0.2
# Dense evidence is the passage's own similarity and that of its best line or sentence, in equal parts.
UNIT_WEIGHT = 0.7
LEXICAL_PEAK_GAIN = 2.0
PLACE_BOOST = 0.35
GROUP_BOOST = 0.12
# A question naming a district is not about the others: their boards rank below every board of the named
# one (the rest of a score stays below 1 + SECTION_BOOST + TOPIC_BOOST).
OTHER_DISTRICT_PENALTY = 1.5
DOCUMENT_BOOST = 0.25
SECTION_BOOST = 0.15
TOPIC_BOOST = 0.3
GATHER_LIMIT = 10
QUERY_CACHE = 64  # question vectors kept


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

    def __new__(cls, store: IndexStore):
        # Above EXACT_SEARCH_LIMIT passages scoring every passage is too slow: LargeRetriever (below) takes over.
        if cls is Retriever and len(store.passages) > EXACT_SEARCH_LIMIT:
            cls = LargeRetriever
        return super().__new__(cls)

    def __init__(self, store: IndexStore) -> None:
        # Query scoring is small matrix-vector products: BLAS threads only add wake-up latency, which
        # right after the embedder's own threads ran costs ~20 ms a query instead of 0.1 ms.
        threadpool_limits(1, user_api="blas")
        self.store = store
        self.passages = store.passages
        self.matrix = store.matrix()
        self.lexical = LexicalIndex.build([embedding_text(p) for p in self.passages])
        self.vocabulary = Vocabulary(self.passages, self.lexical)
        self._index_facets()

    def _index_facets(self) -> None:
        """Facets as integer codes per passage: boosts, filters and gathering are numpy operations, not
        loops over every passage (18,000 passages: 6 ms a question)."""
        passages = self.passages
        self._source = _Codes(p.source for p in passages)
        self._place = _Codes(p.place for p in passages)
        self._city = _Codes(p.meta.get("city") for p in passages)
        self._section = _Codes(p.section for p in passages)
        self._topic = _Codes((p.source, p.topic_no) if p.topic_no is not None else None for p in passages)
        self._is_district = np.fromiter((p.board_kind == "district" for p in passages), bool, len(passages))

    def embed(self, text: str) -> np.ndarray:
        """The question's vector; the last few are kept, since ranking and the relevance check of one
        question (and a conversation's repeated turns) ask for the same text again."""
        cache = self.__dict__.setdefault("_query_vectors", OrderedDict())
        lock = self.__dict__.setdefault("_query_lock", threading.Lock())
        with lock:
            if text in cache:
                cache.move_to_end(text)
                return cache[text]
        vector = self.store.embedder.embed_queries([text])[0]
        vector.flags.writeable = False  # shared by every caller of the cache
        with lock:
            cache[text] = vector
            if len(cache) > QUERY_CACHE:
                cache.popitem(last=False)
        return vector

    def dense_text(self, query: Query) -> str:
        """What the embedder compares with the passages: the question without its place names, unless it
        names a district and none of the remaining words is in the corpus (another language): then the
        embedder is all there is to go by, and the district's name keeps it on the district's boards."""
        keeps_district = query.districts and query.about != query.text and self.lexical.coverage(query.about) == 0
        text = query.text if keeps_district else query.about
        return text.rstrip("?？ ") or text

    def closest(self, vector: np.ndarray) -> float:
        """Cosine similarity of the passage closest to a vector (0 for an empty corpus)."""
        return float((self.matrix @ vector).max()) if len(self.passages) else 0.0

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
        dense = self.dense_scores(self.dense_text(query))
        lexical = self.lexical.scores(query.text)
        coverage = self.lexical.coverage(query.text)
        weight = lexical_weight(lexical, coverage)
        score = (1 - weight) * _minmax(dense) + weight * _unit(lexical)
        score += self._facet_bonus(query)
        allowed = self._allowed(filters) if filters else np.ones(n, bool)
        order = np.argsort(-score, kind="stable")
        order = order[allowed[order]]
        gathered, missing = self._gather(query, order)
        hits = RankedHits(self.passages, order, gathered, score, dense, lexical)
        best_dense = float(dense[allowed].max()) if allowed.any() else 0.0
        return Ranking(hits, best_dense, coverage, missing)

    def _facet_bonus(self, query: Query, ids: np.ndarray | None = None) -> np.ndarray:
        """Boosts for what the question names, for every passage or (LargeRetriever) the candidates ids."""
        n = len(self.passages) if ids is None else len(ids)
        bonus = np.zeros(n, dtype=np.float64)
        districts = [place.name for place in query.places if place.kind == "district"]
        groups = [place.name for place in query.places if place.kind == "group"]
        if districts:
            named = self._place.mask(districts, ids)
            is_district = self._is_district if ids is None else self._is_district[ids]
            bonus += np.where(named, PLACE_BOOST, np.where(is_district, -OTHER_DISTRICT_PENALTY, 0.0))
        if groups:
            bonus += np.where(self._place.mask(groups, ids), GROUP_BOOST, 0.0)
        if query.city_sources:
            in_city = self._source.mask(query.city_sources, ids)
            bonus += np.where(in_city, DOCUMENT_BOOST, -DOCUMENT_BOOST)
        for section, weight in query.sections.items():
            bonus += np.where(self._section.mask([section], ids), SECTION_BOOST * weight, 0.0)
        for key, weight in query.topics.items():
            bonus += np.where(self._topic.mask([key], ids), TOPIC_BOOST * weight, 0.0)
        return bonus

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

    def _gather(self, query: Query, order: np.ndarray) -> tuple[list[int], list[tuple[str, str]]]:
        """A question for a section of a place wants that section of every board of the place: those
        passages among the ranked ones (order, best first), in protocol order, and the places that lack it."""
        districts = sorted({place.name for place in query.districts})
        if not query.sections or not districts:
            return [], []
        best_section = max(query.sections, key=query.sections.get)
        in_section = self._section.mask([best_section])
        wanted = self._place.mask(districts) & in_section
        # In protocol order, so "Tafel 1" comes before "Tafel 2" as on the wall.
        picked = order[wanted[order]][:GATHER_LIMIT].tolist()
        gathered = sorted(picked, key=lambda i: (self.passages[i].source, self.passages[i].lines))
        missing = []
        for place in districts:
            if any(self.passages[i].place == place for i in gathered):
                continue
            # Only what the protocols lack is "missing"; a place the filters exclude is not.
            if not (self._place.mask([place]) & in_section).any():
                missing.append((place, best_section))
        return gathered, missing


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
            hit = Hit(self._passages[passage_id], score, dense, lexical, gathered=passage_id in self._gathered)
            self._made[passage_id] = hit
        return hit

    def __repr__(self) -> str:
        return f"RankedHits({len(self)} passages)"


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


# --- above EXACT_SEARCH_LIMIT passages ---------------------------------------------------------------------------
LARGE_CANDIDATES = 200  # passages nearest in the HNSW graph, and best by BM25, that are scored in full (each)
# A wider beam than the index's default: near-duplicate passages (copies of a protocol) crowd the graph, and
# the candidates must still hold the exact best (measured: exact top 5 among the candidates 0.79 → 0.89 at 1000,
# +1.5 ms; at 2000 `ask` recall@5 at ×1000 equals scoring every passage after a one-file rebuild, +1 ms).
LARGE_EF_SEARCH = 2000
LARGE_NAMED_LIMIT = 2000  # passages taken in because the question names their place or topic
LARGE_FILTERED_EXACT = 20_000  # filters leaving at most this many passages: all of them are scored
LARGE_SAMPLE = 2000  # passages whose similarity stands in for the corpus' lowest (the floor of min-max scaling)


class LargeRetriever(Retriever):
    """The same scoring as Retriever, over candidates only: for corpora above EXACT_SEARCH_LIMIT passages.

    Candidates are the passages nearest to the question in the HNSW graph, the best BM25 passages and the
    passages of the places and topics the question names (so a district's boards are still gathered). Their
    dense scores are exact. Nothing holds a float32 copy of all vectors (the store's matrix is a view of the
    FAISS storage) or a set of terms per passage (LargeVocabulary).
    """

    def __init__(self, store: IndexStore) -> None:
        threadpool_limits(1, user_api="blas")
        self.store = store
        self.passages = store.passages
        self.vectors = store.matrix()
        self.lexical = LexicalIndex.build(_EmbeddingTexts(self.passages))
        self.vocabulary = LargeVocabulary(self.passages, self.lexical)
        self._index_facets()
        self._topic_members: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i, passage in enumerate(self.passages):
            if passage.topic_no is not None:
                self._topic_members[(passage.source, passage.topic_no)].append(i)
        self._sample = np.random.default_rng(0).choice(len(self.passages), min(LARGE_SAMPLE, len(self.passages)),
                                                       replace=False)
        # Units are stored in passage order, so each passage's units are one slice.
        owners = store.unit_owners
        self._unit_bounds = (np.searchsorted(owners, np.arange(len(self.passages) + 1))
                             if store.unit_vectors is not None and len(store.unit_vectors) else None)

    def dense_scores(self, text: str) -> np.ndarray:
        return self._dense(np.arange(len(self.passages)), self.embed(text))

    def closest(self, vector: np.ndarray) -> float:
        """Cosine of the closest passage among the graph's nearest, searched as widely as ranking does (a narrow
        search among thousands of near-duplicates can miss the closest by enough to tip the relevance check)."""
        ids = self._nearest(vector, None)
        return float((self.vectors[ids] @ vector).max()) if len(ids) else 0.0

    def rank(self, query: Query, filters: Filters | None = None) -> Ranking:
        if not self.passages:
            return Ranking([], 0.0, 0.0)
        vector = self.embed(self.dense_text(query))
        lexical_all = self.lexical.scores(query.text)
        coverage = self.lexical.coverage(query.text)
        ids = self._candidates(query, vector, lexical_all, filters)
        if not len(ids):
            return Ranking([], 0.0, coverage)
        dense = self._dense(ids, vector)
        lexical = lexical_all[ids]
        weight = lexical_weight(lexical_all, coverage)
        # Scaled as if over all passages: the floor from a fixed sample, BM25 against the corpus' best.
        low = min(float(dense.min()), float(self._dense(self._sample, vector).min()))
        high = float(dense.max())
        scaled = (dense - low) / (high - low) if high - low >= 1e-9 else np.zeros(len(ids))
        best_lexical = float(lexical_all.max())
        score = (1 - weight) * scaled + weight * (lexical / best_lexical if best_lexical > 0 else 0.0)
        score += self._facet_bonus(query, ids)
        order = ids[np.argsort(-score, kind="stable")]
        gathered, missing = self._gather(query, order)
        positions = {int(passage_id): row for row, passage_id in enumerate(ids.tolist())}
        hits = RankedHits(self.passages, order, gathered, score, dense, lexical, positions)
        return Ranking(hits, high, coverage, missing)

    def _candidates(self, query: Query, vector: np.ndarray, lexical: np.ndarray, filters: Filters | None):
        allowed = self._allowed(filters) if filters else None
        if allowed is not None and allowed.sum() <= LARGE_FILTERED_EXACT:
            return np.flatnonzero(allowed)
        nearest = self._nearest(vector, allowed)
        matching = np.flatnonzero(lexical > 0 if allowed is None else (lexical > 0) & allowed)
        if len(matching) > LARGE_CANDIDATES:
            matching = matching[np.argpartition(-lexical[matching], LARGE_CANDIDATES)[:LARGE_CANDIDATES]]
        named = self._named(query)
        if allowed is not None:
            named = named[allowed[named]]
        return np.unique(np.concatenate([nearest, matching, named]))

    def _nearest(self, vector: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
        import faiss

        selector = None
        if allowed is not None:
            # Search the graph for allowed passages only, rather than filter a global top list afterwards.
            bitmap = np.packbits(allowed, bitorder="little")
            selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
        params = faiss.SearchParametersHNSW(efSearch=LARGE_EF_SEARCH, sel=selector)
        _, ids = self.store.vectors.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), LARGE_CANDIDATES,
                                           params=params)
        return ids[0][ids[0] >= 0].astype(np.int64)

    def _named(self, query: Query) -> np.ndarray:
        """Passages of the districts, workshops and cities the question names (those of a named place in a named
        city, and in its sections, first), and of its topics. The question's vector leaves the names out."""
        places = [place.name for place in query.places if place.kind in ("district", "group")]
        mask = self._place.mask(places) if places else None
        if query.city_sources:
            in_city = self._source.mask(query.city_sources)
            both = in_city & mask if mask is not None else in_city
            mask = both if both.any() else (mask | in_city if mask is not None else in_city)
        ids = np.flatnonzero(mask) if mask is not None else np.zeros(0, np.int64)
        if len(ids) > LARGE_NAMED_LIMIT and query.sections:
            in_section = ids[self._section.mask(query.sections)[ids]]
            ids = np.concatenate([in_section, np.setdiff1d(ids, in_section)])
        topics = [i for key in query.topics for i in self._topic_members.get(key, [])]
        return np.concatenate([ids[:LARGE_NAMED_LIMIT], np.asarray(topics, dtype=np.int64)]).astype(np.int64)

    def _dense(self, ids: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Exact cosine of the passages ids, blended with their best unit as in Retriever.dense_scores."""
        passage = self.vectors[ids] @ vector
        if self._unit_bounds is None:
            return passage
        best_unit = passage.copy()
        for row, i in enumerate(ids):
            start, end = self._unit_bounds[i], self._unit_bounds[i + 1]
            if end > start:
                best_unit[row] = max(best_unit[row], float((self.store.unit_vectors[start:end] @ vector).max()))
        return (1 - UNIT_WEIGHT) * passage + UNIT_WEIGHT * best_unit


class _EmbeddingTexts:
    """The passages' embedding texts, made anew on each pass instead of held in a list (~1 KB each)."""

    def __init__(self, passages: list[Passage]) -> None:
        self._passages = passages

    def __iter__(self):
        return (embedding_text(passage) for passage in self._passages)


class _Codes:
    """A small integer per passage for one facet (source, place, …), so a set of values selects passages
    with one numpy operation instead of a loop over all passages."""

    def __init__(self, values) -> None:
        self._index: dict = {}
        self.codes = np.fromiter((self._index.setdefault(value, len(self._index)) for value in values), np.int32)

    def mask(self, wanted, ids: np.ndarray | None = None) -> np.ndarray:
        """Which passages (all, or those ids) have one of the wanted values."""
        codes = self.codes if ids is None else self.codes[ids]
        return np.isin(codes, [self._index[value] for value in wanted if value in self._index])

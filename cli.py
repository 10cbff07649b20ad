"""The `protokoll` command line (the top of the house: it may use the index, the assistant and the app): index,
ask, eval, serve."""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from pathlib import Path

from index import CorpusError, IndexStore, Settings, load_index
from index.documents import unusable_path_message
from index.embed import DEFAULT_EMBEDDER
from index.passage import KIND_NAMES, kind_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="protokoll", description="Protokoll-Assistent: Suche in Workshop-Protokollen")
    parser.add_argument("-v", "--verbose", action="store_true", help="ausführliche Log-Ausgabe")
    commands = parser.add_subparsers(dest="command", required=True)

    index_cmd = commands.add_parser("index", help="Index bauen oder auffrischen und eine Übersicht zeigen")
    add_location_options(index_cmd)
    index_cmd.add_argument("--rebuild", action="store_true", help="alles neu bauen, auch Unverändertes")

    ask_cmd = commands.add_parser("ask", help="eine Frage beantworten, mit Quellen")
    ask_cmd.add_argument("question", help="die Frage")
    ask_cmd.add_argument("--history", action="append", default=[], metavar="FRAGE",
                         help="eine frühere Frage der Unterhaltung (mehrfach möglich, älteste zuerst)")
    ask_cmd.add_argument("--json", action="store_true", help="Antwort als JSON ausgeben")
    add_location_options(ask_cmd)

    eval_cmd = commands.add_parser("eval", help="eine Fragensammlung (JSONL) auswerten: recall@5, MRR, Enthaltungen")
    eval_cmd.add_argument("file", type=Path, help="JSONL-Datei im Format von tests/data/dev.jsonl")
    eval_cmd.add_argument("--split", help="nur die Fragen dieser Hälfte (Feld \"split\", z. B. tune oder test)")
    add_location_options(eval_cmd)

    serve_cmd = commands.add_parser("serve", help="die Chat-Oberfläche starten (wie python app.py)")
    serve_cmd.add_argument("--port", type=int, default=None, help="Port (Standard 7860)")

    args = parser.parse_args(argv)
    logging.getLogger("faiss").setLevel(logging.WARNING)
    logging.basicConfig(
        level=logging.INFO if args.verbose or args.command in ("index", "serve") else logging.WARNING,
        format="%(levelname)s %(message)s",
    )
    try:
        if args.command == "index":
            return run_index(args)
        if args.command == "ask":
            return run_ask(args)
        if args.command == "eval":
            return run_eval(args)
        if args.command == "serve":
            import app

            return app.main(["--port", str(args.port)] if args.port else [])
    except CorpusError as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.
        return 0
    except OSError as error:  # index folder not writable, disk full, a path that is a file …
        print(f"Fehler: {unusable_path_message(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Abgebrochen.", file=sys.stderr)
        return 130
    except Exception as error:  # a bug or an input nobody foresaw: a message, the traceback only on request
        if args.verbose:
            raise
        print(f"Fehler: unerwarteter Fehler ({error.__class__.__name__}: {error}). "
              "Mit --verbose erscheinen die Einzelheiten.", file=sys.stderr)
        return 1
    return 1


def add_location_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--corpus", type=Path, help="Ordner mit den Protokollen (Standard: corpus/)")
    command.add_argument("--index", type=Path, help="Ordner des Index (Standard: data/index/)")
    command.add_argument("--embedder",
                         help=f"'{DEFAULT_EMBEDDER}' (Standard) oder Name/Pfad eines sentence-transformers-Modells")


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings, with the folders and embedder given on the command line."""
    return Settings().override(corpus_dir=getattr(args, "corpus", None), index_dir=getattr(args, "index", None),
                               embedder=getattr(args, "embedder", None))


def run_index(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    store = load_index(
        settings.corpus_dir, settings.index_dir, settings.embedder, progress=ProgressBar(), force=args.rebuild
    )
    print(summary(store))
    return 0


def load_assistant(args: argparse.Namespace):
    from assistant import Assistant

    return Assistant.load(settings=settings_from(args))


def run_ask(args: argparse.Namespace) -> int:
    import json

    from assistant.citation import line_span

    assistant = load_assistant(args)
    answer = assistant.ask(args.question, history=args.history)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(answer.plain_text())
    if answer.passages:
        print("\nQuellen:")
        for marker, hit in enumerate(answer.passages, start=1):
            print(f"  [{marker}] {hit.citation} — {hit.source}, {line_span(hit.lines)}")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from assistant.evaluate import evaluate, load_questions, report

    if not args.file.is_file():
        raise ValueError(f"Datei {args.file} gibt es nicht.")
    items = load_questions(args.file)
    if args.split:
        items = [item for item in items if item.get("split") == args.split]
        if not items:
            raise ValueError(f"In {args.file} gibt es keine Fragen der Hälfte „{args.split}“.")
    assistant = load_assistant(args)
    held_back = {str(item.get("id", str(number))) for number, item in enumerate(items, start=1)
                 if item.get("split") == "test"}
    print(report(evaluate(assistant, items), held_back=held_back))
    return 0


class ProgressBar:
    """A tqdm bar over the passages being embedded; silent when nothing needs embedding."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        from tqdm import tqdm

        if total == 0:
            return
        if self.bar is None:
            self.bar = tqdm(total=total, desc="Einbetten", unit="Passage", file=sys.stderr)
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()


def german_time(iso: str | None) -> str:
    """An ISO time stamp of the manifest as local German date and time ("am 13.02.2025 um 10:04 Uhr")."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(iso).astimezone()
    except (TypeError, ValueError):
        return str(iso or "zu unbekannter Zeit")
    return f"am {moment:%d.%m.%Y} um {moment:%H:%M} Uhr"


def document_line(info: dict) -> str:
    """Title, date and layout of one indexed file, with where the title came from and why the layout was chosen:
    "Grossratsprotokoll (PDF-Metadaten), 16.08.2023 · Layout Sitzungsprotokoll: 8 nummerierte …"."""
    from index.layouts import LAYOUT_NAMES
    from index.titles import german_date

    origin = info.get("origin") or {}
    title = info.get("title", "")
    if origin.get("title") and origin["title"] != "Manifest":
        title += f" ({origin['title']})"
    text = f"{title}, {german_date(info.get('date')) or info.get('date') or 'ohne Datum'}"
    if info.get("layout"):
        name = LAYOUT_NAMES.get(info["layout"], info["layout"])
        text += f" · Layout {name}: {info.get('layout_reason') or 'erkannt'}"
    return text


def summary(store: IndexStore) -> str:
    """What is in the index: documents, passages per document, boards per kind, places and workshops."""
    manifest = store.manifest
    passages = store.passages
    if store.built_now:
        seconds = f"{manifest.get('build_seconds') or 0:.1f}".replace(".", ",")
        state = (f"jetzt gebaut in {seconds} s: {manifest.get('embedded_now', 0)} Passagen neu eingebettet, "
                 f"{manifest.get('reused', 0)} übernommen")
    else:
        state = f"aktuell, keine Änderungen (gebaut {german_time(manifest.get('built_at'))})"
    lines = [
        f"Index {store.path.parent} (Stand {store.path.name}), Einbettungsmodell {manifest['embedder']['identity']}",
        f"{len(manifest['files'])} Dateien, {len(passages)} Passagen; {state}",
        "",
        "Dokumente:",
    ]
    per_source = Counter(p.source for p in passages)
    if not manifest["files"]:
        lines.append("  keine – der Ordner enthält keine .txt-, .md-, .pdf- oder .docx-Dateien")
    for source, info in sorted(manifest["files"].items()):
        if info.get("error"):
            lines.append(f"  {source}: FEHLER – {info['error']}")
        elif info.get("duplicate_of"):
            lines.append(f"  {source}: gleicher Inhalt wie {info['duplicate_of']} – nur einmal indexiert")
        else:
            lines.append(f"  {source}: {per_source[source]} Passagen – {document_line(info)}"
                         + ("" if per_source[source] else " (kein Text gefunden: leere Datei oder PDF ohne Text)"))
    boards: dict[str, set] = {}
    for p in passages:
        boards.setdefault(p.board_kind, set()).add((p.source, p.board))
    lines += ["", "Tafeln/Einheiten nach Art:"]
    rank = {kind: number for number, kind in enumerate(KIND_NAMES)}  # an unknown kind last
    for kind, names in sorted(boards.items(), key=lambda pair: rank.get(pair[0], len(rank))):
        lines.append(f"  {kind_name(kind).plural}: {len(names)}")
    districts = Counter()
    for source, board in boards.get("district", set()):
        place = next(p.place for p in passages if p.source == source and p.board == board)
        districts[place or "ohne Stadtteilangabe"] += 1
    if districts:
        lines += ["", f"Stadtteile ({len([d for d in districts if d != 'ohne Stadtteilangabe'])}):"]
        lines += [f"  {name}: {count} Tafel(n)" for name, count in sorted(districts.items())]
    cards = {p.topic_no: p.topic for p in passages if p.board_kind == "topic_card"}
    results = {p.topic_no for p in passages if p.board_kind == "topic_result" and p.topic_no is not None}
    if cards:
        lines += ["", f"Themen ({len(cards)}):"]
        for number in sorted(cards):
            linked = "Karte + Ergebnistafel" if number in results else "nur Karte"
            lines.append(f"  {number:>2}. {cards[number]} ({linked})")
    workshops = sorted({(p.meta.get("group") or p.place) for p in passages if p.board_kind == "table_row"})
    if workshops:
        lines += ["", f"Workshops ({len(workshops)}):"] + [f"  {name}" for name in workshops]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

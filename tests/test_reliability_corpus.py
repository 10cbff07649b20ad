"""Reliability: what staff drop into the corpus folder. Every unusable file is reported by name (CLI summary,
manifest, log), everything else is indexed and answers; between runs a removed file's passages disappear and a
changed file is indexed again. The default embedder on tiny corpora: seconds, not minutes.

Outcomes go to test-artifacts/reliability-corpus.jsonl.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path

import pytest
from support import BUS, MARKT, SPIEL, write_file
from test_documents import make_docx
from test_reliability_questions import Recorder, serve

import app
import cli as protokoll_cli
from assistant import Assistant
from assistant.retrieve import Retriever
from index import documents
from index.documents import MAX_TEXT_BYTES, CorpusError, read_document
from index.store import load_index

BUS_CHANGED = """\
# Busverbindungen nach Beispielheim

Gewünscht wird ein Nachtbus am Wochenende, der Jugendliche auch nach Mitternacht aus der Disko heimbringt.
"""
LATIN1 = "# Beleuchtung\n\nDie Straße am Bürgerhaus braucht abends mehr Beleuchtung für Fußgänger.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4
TWENTY_MB = 20 * 2**20


@pytest.fixture(scope="module")
def record():
    return Recorder("corpus")


def write(folder: Path, name: str, content: str | bytes) -> Path:
    return write_file(folder / name, content)


def write_huge(path: Path, size: int) -> None:
    """A text file of `size` bytes of plausible protocol text (written in chunks, not held in memory twice)."""
    line = "- Die Teilnehmenden wünschen sich mehr Begegnungsorte und Sprachkurse im Quartier.\n".encode()
    with open(path, "wb") as handle:
        written = 0
        block = line * 1000
        while written < size:
            handle.write(block)
            written += len(block)


def index_cli(corpus: Path, index_dir: Path, capsys) -> tuple[int, str, str]:
    code = protokoll_cli.main(["index", "--corpus", str(corpus), "--index", str(index_dir)])
    out, err = capsys.readouterr()
    return code, out, err


def file_lines(summary: str) -> dict[str, str]:
    """The summary's line per document ("  name: …") by file name."""
    lines = {}
    for line in summary.split("Dokumente:", 1)[1].split("\n\n", 1)[0].splitlines():
        if line.startswith("  ") and ": " in line:
            name, rest = line.strip().split(": ", 1)
            lines[name] = rest
    return lines


def assistant_for(store) -> Assistant:
    return Assistant(Retriever(store))


def cited_sources(answer) -> list[str]:
    return [hit.source for hit in answer.passages]


@pytest.mark.e2e
def test_messy_corpus_reports_each_bad_file_by_name_and_indexes_the_rest(tmp_path, capsys, caplog, record):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    age(write(corpus, "spielplaetze.txt", SPIEL), 3600)
    write(corpus, "bus.md", BUS)
    write(corpus, "unterordner/markt.txt", MARKT)
    write(corpus, "spielplaetze (Kopie).txt", SPIEL)  # the same document twice
    write(corpus, "latin1.txt", LATIN1.encode("latin-1"))
    write(corpus, "bild.txt", PNG)  # a binary file named .txt
    write(corpus, "leer.txt", "")
    write(corpus, "kaputt.pdf", b"%PDF-1.4 kein echtes PDF")
    write(corpus, "kaputt.docx", b"PK\x03\x04 kein echtes DOCX")
    write(corpus, "mit-manifest.txt", MARKT.replace("Wochenmarkt", "Flohmarkt"))
    write(corpus, "mit-manifest.txt.meta.json", '{"title": "Flohmarkt",')  # broken manifest
    write_huge(corpus / "riesig.txt", TWENTY_MB)
    (corpus / "ordner.txt").mkdir()  # a folder with a document's name
    write(corpus, ".versteckt.txt", "Geheime Notizen")  # hidden: never indexed
    (corpus / "verwaist.txt").symlink_to(tmp_path / "gibt-es-nicht.txt")  # a dangling link

    started = time.perf_counter()
    caplog.set_level(logging.WARNING)
    code, out, err = index_cli(corpus, index_dir, capsys)
    seconds = time.perf_counter() - started
    assert code == 0, err
    assert "Traceback" not in out + err
    assert seconds < 120, f"the 20 MB file must be refused, not parsed and embedded ({seconds:.0f} s)"

    lines = file_lines(out)
    expected_errors = {
        "latin1.txt": "nicht als UTF-8 gespeichert",
        "bild.txt": "keine Textdatei",
        "kaputt.pdf": "PDF-Datei kann nicht gelesen werden",
        "kaputt.docx": "DOCX-Datei kann nicht gelesen werden",
        "mit-manifest.txt": "Manifest mit-manifest.txt.meta.json ist kein gültiges JSON",
        "riesig.txt": "20,0 MB Text, erlaubt sind höchstens 2 MB",
    }
    for name, message in expected_errors.items():
        assert lines[name].startswith("FEHLER – ") and message in lines[name], (name, lines.get(name))
        assert lines[name].count(name.split("/")[-1]) >= 1, "the message names the file"
        record(f"index: {name}", f"reported: {lines[name][len('FEHLER – '):]}")
    assert lines["spielplaetze (Kopie).txt"] == "gleicher Inhalt wie spielplaetze.txt – nur einmal indexiert"
    record("index: the same document twice", f"spielplaetze (Kopie).txt: {lines['spielplaetze (Kopie).txt']}")
    assert "kein Text gefunden" in lines["leer.txt"]
    record("index: empty file", f"leer.txt: {lines['leer.txt']}")
    for skipped in ("ordner.txt", ".versteckt.txt", "verwaist.txt"):
        assert skipped not in lines
    record("index: folder named .txt, hidden file, dangling link", "skipped silently (not documents)")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for name in expected_errors:
        assert name in logged, f"{name} is logged too"

    store = load_index(corpus, index_dir)
    assert not store.built_now, "an unchanged messy corpus is not rebuilt on every load"
    assert sorted({p.source for p in store.passages}) == ["bus.md", "spielplaetze.txt", "unterordner/markt.txt"]
    assistant = assistant_for(store)
    answer = assistant.ask("Was ist mit den Spielplätzen in Musterstadt?")
    assert cited_sources(answer) and set(cited_sources(answer)) == {"spielplaetze.txt"}
    texts = [hit.text for hit in answer.passages]
    assert len(texts) == len(set(texts)), "the same text is never cited twice"
    assert assistant.ask("Wann fährt der letzte Bus nach Beispielheim?").passages[0].source == "bus.md"
    record("index: everything else", f"indexed ({len(store.passages)} passages), answers cite each text once; "
                                     f"the run took {seconds:.1f} s with the 20 MB file")

    # --- between runs: staff fix, change and remove files -------------------------------------------------
    write(corpus, "latin1.txt", LATIN1)  # re-saved as UTF-8
    write(corpus, "bus.md", BUS_CHANGED)
    (corpus / "spielplaetze.txt").unlink()  # the copy is no longer a duplicate
    (corpus / "riesig.txt").unlink()
    (corpus / "mit-manifest.txt.meta.json").write_text('{"title": "Flohmarkt"}', encoding="utf-8")
    code, out, err = index_cli(corpus, index_dir, capsys)
    assert code == 0, err
    lines = file_lines(out)
    assert "riesig.txt" not in lines and "spielplaetze.txt" not in lines
    still_broken = {name for name, line in lines.items() if line.startswith("FEHLER")}
    assert still_broken == {"bild.txt", "kaputt.pdf", "kaputt.docx"}, lines
    store = load_index(corpus, index_dir)
    sources = {p.source for p in store.passages}
    assert sources == {"bus.md", "latin1.txt", "mit-manifest.txt", "spielplaetze (Kopie).txt",
                       "unterordner/markt.txt"}
    assert store.manifest["embedded_now"] < len(store.passages), "unchanged files are reused, not embedded again"
    assert not any("19 Uhr" in p.text for p in store.passages), "the changed file's old text is gone"
    assistant = assistant_for(store)
    bus = assistant.ask("Gibt es einen Nachtbus am Wochenende?")
    assert bus.passages and bus.passages[0].source == "bus.md" and "Nachtbus" in bus.passages[0].text
    play = assistant.ask("Was ist mit den Spielplätzen in Musterstadt?")
    assert set(cited_sources(play)) == {"spielplaetze (Kopie).txt"}
    light = assistant.ask("Wo fehlt Beleuchtung für Fußgänger?")
    assert light.passages[0].source == "latin1.txt"
    record("between runs: file changed", "bus.md re-indexed; its old text no longer answers")
    record("between runs: file removed", "riesig.txt and spielplaetze.txt gone from index and summary; "
                                         "the copy is indexed in place of the removed original")
    record("between runs: file fixed", "latin1.txt (now UTF-8) and the repaired manifest are indexed")


def age(path: Path, seconds_ago: float) -> None:
    moment = time.time() - seconds_ago
    os.utime(path, (moment, moment))


@pytest.mark.e2e
def test_duplicate_keeps_the_indexed_or_older_file_and_follows_changes(tmp_path, record):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    age(write(corpus, "b-original.txt", SPIEL), 3600)
    write(corpus, "a-kopie.md", SPIEL)
    write(corpus, "a-kopie.md.meta.json", json.dumps({"title": "Kopie mit eigenem Titel"}))
    store = load_index(corpus, index_dir)
    # The older file is indexed (whatever the names' order), the copy named as its duplicate.
    assert {p.source for p in store.passages} == {"b-original.txt"}
    assert store.manifest["files"]["a-kopie.md"] == {"hash": store.manifest["files"]["a-kopie.md"]["hash"],
                                                     "passages": 0, "duplicate_of": "b-original.txt"}
    # The original removed: the copy is indexed in its place.
    (corpus / "b-original.txt").unlink()
    store = load_index(corpus, index_dir)
    assert {p.source for p in store.passages} == {"a-kopie.md"}
    # Put back (now the newer file): the copy stays indexed, its citations do not move.
    write(corpus, "b-original.txt", SPIEL)
    store = load_index(corpus, index_dir)
    assert {p.source for p in store.passages} == {"a-kopie.md"}
    assert store.manifest["files"]["b-original.txt"]["duplicate_of"] == "a-kopie.md"
    assert store.manifest["embedded_now"] == 0
    # One of them changes: two different documents, both indexed.
    write(corpus, "a-kopie.md", SPIEL + "\nNachtrag: Der Sandkasten wurde inzwischen erneuert.\n")
    store = load_index(corpus, index_dir)
    assert {p.source for p in store.passages} == {"a-kopie.md", "b-original.txt"}
    assert "duplicate_of" not in store.manifest["files"]["b-original.txt"]
    record("same document twice, between runs", "the indexed (else older) file is kept; when it is removed "
                                                 "the copy takes its place; when they differ both are indexed")


def test_text_limit_is_checked_before_reading_and_for_pdf_and_docx_text(tmp_path, monkeypatch, record):
    big = tmp_path / "gross.md"
    write_huge(big, MAX_TEXT_BYTES + 1)
    started = time.perf_counter()
    with pytest.raises(CorpusError, match=r"^gross\.md: 2,0 MB Text, erlaubt sind höchstens 2 MB.*Teilen Sie"):
        read_document(big, tmp_path)
    assert time.perf_counter() - started < 1
    # Just under the limit is read.
    big.write_bytes(big.read_bytes()[: MAX_TEXT_BYTES - 100])
    assert read_document(big, tmp_path).lines
    # PDF and DOCX are limited by the text inside, not by their images.
    make_docx(tmp_path / "bericht.docx")
    monkeypatch.setattr(documents, "MAX_TEXT_BYTES", 100)
    with pytest.raises(CorpusError, match=r"^bericht\.docx: .* Text, erlaubt sind höchstens"):
        read_document(tmp_path / "bericht.docx", tmp_path)
    record("limit: text over 2 MB (.txt/.md, text inside .pdf/.docx)", "refused by name before parsing")


def test_file_that_vanishes_or_is_unreadable_is_a_corpus_error_naming_it(tmp_path, record):
    with pytest.raises(CorpusError, match=r"^weg\.txt: Die Datei kann nicht gelesen werden \(nicht vorhanden\)"):
        read_document(tmp_path / "weg.txt", tmp_path)
    (tmp_path / "ordner.md").mkdir()
    with pytest.raises(CorpusError, match=r"^ordner\.md: Die Datei kann nicht gelesen werden \(ist ein Ordner"):
        read_document(tmp_path / "ordner.md", tmp_path)
    record("file removed while indexing", "CorpusError naming the file (reported, the rest indexed)")


@pytest.mark.parametrize("kind", ["missing", "a-file"])
def test_missing_corpus_folder_is_a_clear_message_in_api_cli_and_app(tmp_path, capsys, monkeypatch, record, kind):
    corpus = tmp_path / "protokolle"
    if kind == "a-file":
        corpus.write_text("kein Ordner", encoding="utf-8")
    expected = "gibt es nicht" if kind == "missing" else "ist kein Ordner"
    with pytest.raises(CorpusError, match=expected):
        Assistant.load(corpus_dir=corpus, index_dir=tmp_path / "index")
    assert protokoll_cli.main(["index", "--corpus", str(corpus), "--index", str(tmp_path / "index")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler: ") and expected in err and str(corpus) in err and "Traceback" not in err
    monkeypatch.setenv("PROTOKOLL_CORPUS", str(corpus))
    monkeypatch.setenv("PROTOKOLL_INDEX", str(tmp_path / "index"))
    assert app.main(["--port", "7999"]) == 2
    assert str(corpus) in capsys.readouterr().err
    record(f"corpus folder {kind}", f"API CorpusError, CLI and app exit 2: {err.strip()}")


def test_index_folder_that_cannot_be_created_is_a_message_not_a_traceback(tmp_path, capsys, monkeypatch, record):
    corpus = tmp_path / "corpus"
    write(corpus, "markt.txt", MARKT)
    blocked = tmp_path / "index"
    blocked.write_text("eine Datei, wo der Index-Ordner hin soll", encoding="utf-8")
    code = protokoll_cli.main(["index", "--corpus", str(corpus), "--index", str(blocked)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.startswith("Fehler: Datei oder Ordner nicht nutzbar") and str(blocked) in err
    monkeypatch.setenv("PROTOKOLL_CORPUS", str(corpus))
    monkeypatch.setenv("PROTOKOLL_INDEX", str(blocked))
    assert app.main(["--port", "7999"]) == 2
    app_err = capsys.readouterr().err
    assert "Fehler: Datei oder Ordner nicht nutzbar" in app_err and "Traceback" not in app_err
    record("index folder cannot be written", f"CLI and app exit 2: {err.strip()}")


@pytest.mark.e2e
def test_empty_corpus_folder_gives_an_app_that_says_so(tmp_path, capsys, record):
    corpus, index_dir = tmp_path / "leer", tmp_path / "index"
    corpus.mkdir()
    code, out, _ = index_cli(corpus, index_dir, capsys)
    assert code == 0 and "keine – der Ordner enthält keine .txt-, .md-, .pdf- oder .docx-Dateien" in out
    assistant = Assistant.load(corpus_dir=corpus, index_dir=index_dir)
    answer = assistant.ask("Was läuft gut in Schalke?")
    assert answer.abstained and answer.passages == [] and "keine Dokumente" in answer.text
    assert assistant.search("Schalke") == []
    server = serve(assistant, tmp_path / "feedback")
    try:
        from gradio_client import Client

        client = Client(server.url, verbose=False)
        result = client.predict("Was läuft gut in Schalke?", api_name="/ask")
        assert result["abstained"] and result["passages"] == []
        assert "Keine Stelle passt" in client.predict([], [], [], "", api_name="/read")
        client.close()
    finally:
        server.demo.close()
    record("empty corpus folder", "index built with 0 documents (summary says so); API, CLI and app answer "
                                  "'nichts gefunden … Durchsucht: keine Dokumente'")


@pytest.mark.e2e
def test_many_broken_files_do_not_stop_a_later_good_one(tmp_path, capsys):
    """Broken files before and after a good one in corpus order: the good one is indexed regardless."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    for number in range(10):
        write(corpus, f"a-{number}.txt", PNG)
        write(corpus, f"z-{number}.txt", "\xff\xfe".encode("latin-1") + b"\xe4\xf6")
    write(corpus, "m-markt.txt", MARKT)
    code, out, _ = index_cli(corpus, index_dir, capsys)
    assert code == 0
    assert sum(line.startswith("FEHLER") for line in file_lines(out).values()) == 20
    store = load_index(corpus, index_dir)
    assert {p.source for p in store.passages} == {"m-markt.txt"}
    shutil.rmtree(corpus)

"""Reliability: a damaged or stale index is detected when it is loaded, logged, rebuilt, and never answers.

tests/test_store.py checks damage detection in the store one part at a time; here every kind of damage goes
through `Assistant.load` (what the app and the CLI call) and the assistant must then answer from the corpus as
it is now. Outcomes go to test-artifacts/reliability-index.jsonl.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
from support import BUS, MARKT, SPIEL
from test_reliability_questions import Recorder

from assistant import Assistant
from index.store import (
    CURRENT,
    LEXICAL,
    MANIFEST,
    PASSAGES,
    UNIT_OWNERS,
    UNIT_VECTORS,
    VECTORS,
    current_generation,
    load_index,
)


@pytest.fixture(scope="module")
def record():
    return Recorder("index")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A corpus and its freshly built index, copied for every case."""
    base = tmp_path_factory.mktemp("index-pristine")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in (("spiel.txt", SPIEL), ("bus.txt", BUS)):
        (corpus / name).write_text(text, encoding="utf-8")
    store = load_index(corpus, base / "index")
    return corpus, base / "index", store.path.name


def generation(index_dir: Path) -> Path:
    return current_generation(index_dir)


def flip_bytes(path: Path, at: float = 0.6, count: int = 64) -> None:
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    for i in range(start, min(start + count, len(data))):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))


def truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def edit_manifest(index_dir: Path, change) -> None:
    path = generation(index_dir) / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def passages_out_of_step(index_dir: Path) -> None:
    """Passages in another order than the vectors (same count): each vector would answer for another text."""
    path = generation(index_dir) / PASSAGES
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")


def passage_dropped(index_dir: Path) -> None:
    path = generation(index_dir) / PASSAGES
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")


def unit_owners_out_of_range(index_dir: Path) -> None:
    path = generation(index_dir) / UNIT_OWNERS
    owners = np.load(path)
    owners[-1] = 10_000
    np.save(path, owners)


def lexical_file(index_dir: Path, ending: str) -> Path:
    return next(path for path in (generation(index_dir) / LEXICAL).rglob("*") if path.name.endswith(ending))


def other_embedder(manifest: dict) -> None:
    manifest["embedder"]["identity"] = "sentence-transformers:intfloat/multilingual-e5-base:768"


def other_format(manifest: dict) -> None:
    manifest["format_version"] = 1


def other_parser(manifest: dict) -> None:
    manifest["parser_version"] = "0000000000000000"


def claims_other_corpus(manifest: dict) -> None:
    manifest["files"]["spiel.txt"]["hash"] = "0" * 64


DAMAGE = {
    # name: (what is done to the index, what the log must say)
    "faiss-file-missing": (lambda d: (generation(d) / VECTORS).unlink(), "nicht lesbar"),
    "faiss-file-truncated": (lambda d: truncate(generation(d) / VECTORS), "nicht lesbar"),
    "faiss-file-empty": (lambda d: (generation(d) / VECTORS).write_bytes(b""), "nicht lesbar"),
    "faiss-file-bytes-flipped": (lambda d: flip_bytes(generation(d) / VECTORS), "Vektor-Datei passt nicht"),
    "passages-missing": (lambda d: (generation(d) / PASSAGES).unlink(), "nicht lesbar"),
    "passages-truncated-mid-line": (lambda d: truncate(generation(d) / PASSAGES, 0.7), "nicht lesbar"),
    "passages-out-of-step-with-vectors": (passages_out_of_step, "Passagen-Datei passt nicht"),
    "passage-dropped": (passage_dropped, "passt nicht zusammen"),
    "unit-vectors-missing": (lambda d: (generation(d) / UNIT_VECTORS).unlink(), "nicht lesbar"),
    "unit-vectors-corrupt": (lambda d: flip_bytes(generation(d) / UNIT_VECTORS),
                             "Datei der Zeilenvektoren passt nicht"),
    "unit-owners-out-of-range": (unit_owners_out_of_range, "verweisen auf Passagen, die es nicht gibt"),
    "lexical-scores-bytes-flipped": (lambda d: flip_bytes(lexical_file(d, "data.csc.index.npy")),
                                     "Datei lexical/bm25/data.csc.index.npy des lexikalischen Index passt nicht"),
    "lexical-terms-missing": (lambda d: lexical_file(d, "terms.json").unlink(), "nicht lesbar"),
    "lexical-folder-deleted": (lambda d: shutil.rmtree(generation(d) / LEXICAL), "nicht lesbar"),
    "manifest-missing": (lambda d: (generation(d) / MANIFEST).unlink(), "nicht lesbar"),
    "manifest-not-json": (lambda d: (generation(d) / MANIFEST).write_text("{kaputt", encoding="utf-8"),
                          "nicht lesbar"),
    "manifest-other-embedder": (lambda d: edit_manifest(d, other_embedder), "gebaut mit dem Einbettungsmodell"),
    "manifest-other-format-version": (lambda d: edit_manifest(d, other_format), "hat das Format 1"),
    "manifest-other-parser-version": (lambda d: edit_manifest(d, other_parser), "die Parser haben sich geändert"),
    "manifest-claims-other-corpus": (lambda d: edit_manifest(d, claims_other_corpus), "Korpusdateien geändert"),
    "current-pointer-garbage": (lambda d: (d / CURRENT).write_bytes(b"\xff\xfe\x00"), "kein nutzbarer Index"),
    "current-pointer-missing": (lambda d: (d / CURRENT).unlink(), "kein nutzbarer Index"),
    "generation-folder-deleted": (lambda d: shutil.rmtree(generation(d)), "kein nutzbarer Index"),
}


@pytest.mark.e2e
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_or_stale_index_is_detected_logged_rebuilt_and_answers(pristine, tmp_path, caplog, record, damage):
    corpus, pristine_index, pristine_generation = pristine
    index_dir = tmp_path / "index"
    shutil.copytree(pristine_index, index_dir)
    harm, logged = DAMAGE[damage]
    harm(index_dir)

    caplog.set_level(logging.INFO, logger="index.store")
    assistant = Assistant.load(corpus_dir=corpus, index_dir=index_dir)
    messages = "\n".join(record_.getMessage() for record_ in caplog.records)
    assert logged in messages, messages
    assert "neu gebaut" in messages
    assert assistant.store.built_now
    assert assistant.store.path.name != pristine_generation
    assert (index_dir / CURRENT).read_text(encoding="utf-8").strip() == assistant.store.path.name
    assert sorted({p.source for p in assistant.store.passages}) == ["bus.txt", "spiel.txt"]
    answer = assistant.ask("Wann fährt der letzte Bus nach Beispielheim?")
    assert answer.passages and answer.passages[0].source == "bus.txt" and "19 Uhr" in answer.passages[0].text
    # The rebuilt index is sound: the next load takes it as it is.
    again = load_index(corpus, index_dir)
    assert not again.built_now and again.path == assistant.store.path
    warning = next((r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING), None)
    record(f"index: {damage}", f"detected at load ({logged!r}), logged"
           f"{' as warning' if warning else ' (info)'}, rebuilt, answers correctly")


@pytest.mark.e2e
def test_stale_index_never_answers_for_a_changed_corpus(pristine, tmp_path, record):
    """Corpus edited, a file removed and one added since the index was built: nothing old is cited."""
    corpus_src, pristine_index, pristine_generation = pristine
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_src, corpus)
    index_dir = tmp_path / "index"
    shutil.copytree(pristine_index, index_dir)
    (corpus / "bus.txt").write_text(BUS.replace("19 Uhr", "22 Uhr"), encoding="utf-8")
    (corpus / "spiel.txt").unlink()
    (corpus / "markt.txt").write_text(MARKT, encoding="utf-8")

    assistant = Assistant.load(corpus_dir=corpus, index_dir=index_dir)
    assert assistant.store.built_now and assistant.store.path.name != pristine_generation
    texts = "\n".join(p.text for p in assistant.store.passages)
    assert "19 Uhr" not in texts and "Spielplätze" not in texts
    bus = assistant.ask("Wann fährt der letzte Bus nach Beispielheim?")
    assert "22 Uhr" in bus.passages[0].text
    play = assistant.ask("Was ist mit den Spielplätzen und Schaukeln?")
    assert all(hit.source != "spiel.txt" for hit in play.passages)
    assert assistant.ask("Gibt es samstags einen Wochenmarkt?").passages[0].source == "markt.txt"
    record("index: stale (corpus changed, file removed, file added)",
           "detected by file hashes, rebuilt incrementally; no removed or old text is cited")

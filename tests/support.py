"""Helpers and sample texts shared by several test modules."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from index.settings import Settings


def write_file(path: Path, content: str | bytes) -> Path:
    """A file with its folders: bytes as they are, text as UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def real_index_dir(base: Path) -> Path:
    """A temporary index folder for the real corpus, seeded from the project's index when there is one.

    load_index still checks the copy against the corpus and the embedder and rebuilds it when it is stale;
    the seed only saves the build (minutes on a busy 2-core machine) when data/index is current.
    """
    target = base / "real-index"
    if not target.exists():
        try:
            shutil.copytree(Settings().index_dir, target, ignore=shutil.ignore_patterns("*.lock"))
        except (OSError, shutil.Error):
            shutil.rmtree(target, ignore_errors=True)  # no usable seed: load_index builds from scratch
    return target


# Tiny generic documents: two about one town, one about its market.
SPIEL = """\
# Spielplätze in Musterstadt

Die Spielplätze in Musterstadt sind in schlechtem Zustand.
Schaukeln und Rutschen sind kaputt und müssen repariert werden.

Eltern wünschen sich mehr Bänke, Schatten und einen Sandkasten für die Kleinsten.
"""
BUS = """\
# Busverbindungen nach Beispielheim

Die Busse von Musterstadt nach Beispielheim fahren abends zu selten. Die letzte Verbindung fährt um 19 Uhr.
"""
MARKT = """\
# Wochenmarkt

Der Wochenmarkt auf dem Rathausplatz soll auch samstags stattfinden, mit regionalem Obst und Gemüse.
"""

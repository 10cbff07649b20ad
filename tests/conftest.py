"""Shared fixtures: tiny corpora written to a temporary folder and read like real corpus files."""

from __future__ import annotations

import json

import pytest

from index.documents import read_document


@pytest.fixture
def make_document(tmp_path):
    """Write `text` as a corpus file (optionally with CRLF line ends and a manifest) and read it back."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()

    def make(name: str, text: str, *, newline: str = "\n", manifest: dict | None = None):
        path = corpus / name
        path.write_bytes(text.replace("\n", newline).encode("utf-8"))
        if manifest is not None:
            (corpus / f"{name}.meta.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        return read_document(path, corpus)

    return make

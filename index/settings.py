"""Settings from one place: PROTOKOLL_* environment variables, overridable in code."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .embed import DEFAULT_EMBEDDER

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


@dataclass
class Settings:
    """Where the corpus, the index and the app's data live, and which embedder to use.

    Read once by whoever starts the program (Assistant.load, the command line) and handed on from there.
    """

    corpus_dir: Path = field(default_factory=lambda: _env_path("PROTOKOLL_CORPUS", PROJECT_ROOT / "corpus"))
    data_dir: Path = field(default_factory=lambda: _env_path("PROTOKOLL_DATA", PROJECT_ROOT / "data"))
    index_dir: Path | None = None  # defaults to data_dir / "index"
    embedder: str = field(default_factory=lambda: os.environ.get("PROTOKOLL_EMBEDDER") or DEFAULT_EMBEDDER)

    def __post_init__(self) -> None:
        self.corpus_dir = Path(self.corpus_dir)
        self.data_dir = Path(self.data_dir)
        if self.index_dir is None:
            self.index_dir = _env_path("PROTOKOLL_INDEX", self.data_dir / "index")
        self.index_dir = Path(self.index_dir)

    def override(self, **values) -> Settings:
        """These settings with the values given (None: keep the setting), e.g. from command-line options."""
        return replace(self, **{name: value for name, value in values.items() if value is not None})

    @property
    def feedback_dir(self) -> Path:
        return self.data_dir / "feedback"

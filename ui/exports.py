"""The Markdown files a conversation is downloaded as: each in a folder of its own, removed after an hour."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

from .export import conversation_markdown
from .state import Conversation

EXPORT_MAX_AGE_SECONDS = 3600


class ExportFolder:
    """A private temporary folder (removed at exit) for the downloads of one app."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="protokoll-export-"))
        atexit.register(shutil.rmtree, self.path, ignore_errors=True)

    def write(self, conversation: Conversation, base_url: str = "") -> str:
        """The conversation written to a fresh Markdown file; older files are removed first."""
        turns = [(turn.question, turn.answer, turn.restriction, turn.filters, conversation.asked_for(index))
                 for index, turn in enumerate(conversation.turns)]
        return self.write_text(conversation_markdown(turns, base_url=base_url or None))

    def write_text(self, text: str, name: str = "Protokoll-Assistent", suffix: str = "md") -> str:
        """Text written to a fresh file in a folder of its own (its name never guessed from another's)."""
        self.remove_old()
        folder = self.path / uuid.uuid4().hex
        folder.mkdir()
        path = folder / f"{name}-{datetime.now():%Y-%m-%d-%H%M}.{suffix}"
        path.write_text(text, encoding="utf-8-sig" if suffix == "csv" else "utf-8")  # spreadsheets want the BOM
        return str(path)

    def remove_old(self, max_age: float = EXPORT_MAX_AGE_SECONDS) -> None:
        limit = time.time() - max_age
        for path in self.path.glob("*/*.*"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    path.parent.rmdir()
            except OSError:
                pass

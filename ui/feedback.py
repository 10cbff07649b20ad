"""Feedback on answers (👍/👎 with an optional reason), appended as JSON lines and never rewritten."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from assistant import one_line
from assistant.answer import Answer

FEEDBACK_FILE = "feedback.jsonl"
VOTES = ("up", "down")
MAX_REASON_CHARS = 2000  # the app's text box allows as much, and refuses more with a message


def feedback_record(
    question: str,
    answer: Answer,
    vote: str,
    reason: str = "",
    history: list[str] | None = None,
    filters: dict | None = None,
    now: datetime | None = None,
) -> dict:
    """One feedback entry: when, what was asked and answered, which passages were cited, the vote and why.

    Args:
        question: the question as asked.
        answer: the answer that is rated.
        vote: "up" or "down".
        reason: optional free text; control characters are removed and it is cut to MAX_REASON_CHARS.
        history: earlier questions of the conversation, oldest first.
        filters: the restrictions in effect (documents, places, sections), if any.
    Returns:
        A JSON-serialisable dict.
    """
    if vote not in VOTES:
        raise ValueError(f"Unbekannte Bewertung {vote!r}; erlaubt sind {', '.join(VOTES)}.")
    moment = now or datetime.now(UTC)
    return {
        "time": moment.isoformat(timespec="seconds"),
        "question": question,
        "history": list(history or []),
        "filters": filters or {},
        "answer": answer.text,
        "abstained": answer.abstained,
        "passages": [
            {
                "marker": marker,
                "id": hit.passage.id,
                "citation": hit.citation,
                "source": hit.source,
                "lines": list(hit.lines),
            }
            for marker, hit in enumerate(answer.passages, start=1)
        ],
        "vote": vote,
        "reason": clean_reason(reason),
    }


def clean_reason(reason: str | None) -> str:
    """Free text as one tidy string: no control characters, folded white space, at most MAX_REASON_CHARS."""
    if not reason:
        return ""
    return one_line(str(reason))[:MAX_REASON_CHARS]


def append_feedback(folder: str | Path, record: dict) -> Path:
    """Append one record to folder/feedback.jsonl (created when missing); returns the file's path.

    The file is only ever opened for appending, under a lock, and each record is written in one call,
    so concurrent sessions never interleave or overwrite each other's lines.
    """
    from filelock import FileLock

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FEEDBACK_FILE
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with FileLock(str(path) + ".lock"):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
    return path


def read_feedback(folder: str | Path) -> list[dict]:
    """All records written so far, oldest first (empty when there is no feedback yet)."""
    path = Path(folder) / FEEDBACK_FILE
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]

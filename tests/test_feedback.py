"""Feedback records: what they contain, and that the JSONL file is only ever appended to."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest

from assistant.answer import Answer
from assistant.retrieve import Hit
from index import Item, Passage
from ui.feedback import FEEDBACK_FILE, MAX_REASON_CHARS, append_feedback, feedback_record, read_feedback


def make_answer() -> Answer:
    passage = Passage(
        source="protokoll.txt",
        doc_title="Testprotokoll",
        board_kind="district",
        board="Austausch · Schalke · Tafel 1 von 2",
        section="Handlungsbedarfe",
        items=[Item("- mehr Grünflächen", 12), Item("- Kita-Plätze", 13)],
        place="Schalke",
        meta={"doc_short_title": "Test", "city": "Gelsenkirchen", "date": "2019-02-13"},
    )
    return Answer(text="**Tafel** – Test\n- mehr Grünflächen [1]", passages=[Hit(passage, 0.9)])


def test_record_names_time_question_answer_passages_vote_and_reason():
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    record = feedback_record("Was fehlt in Schalke?", make_answer(), "down", "  zu\nkurz\x00 ", history=["Hallo?"],
                             filters={"places": ["Schalke"]}, now=moment)
    assert record["time"] == "2026-01-02T03:04:05+00:00"
    assert record["question"] == "Was fehlt in Schalke?"
    assert record["history"] == ["Hallo?"]
    assert record["answer"].startswith("**Tafel**")
    assert record["vote"] == "down"
    assert record["reason"] == "zu kurz"
    assert record["filters"] == {"places": ["Schalke"]}
    [cited] = record["passages"]
    assert cited["marker"] == 1
    assert cited["source"] == "protokoll.txt"
    assert cited["lines"] == [12, 13]
    assert "Schalke" in cited["citation"] and cited["id"]


def test_unknown_vote_is_refused():
    with pytest.raises(ValueError, match="Bewertung"):
        feedback_record("Frage?", make_answer(), "maybe")


def test_reason_is_cut_to_the_limit():
    record = feedback_record("Frage?", make_answer(), "up", "x" * (MAX_REASON_CHARS + 50))
    assert len(record["reason"]) == MAX_REASON_CHARS


def test_append_never_overwrites(tmp_path):
    folder = tmp_path / "feedback"
    (folder).mkdir()
    (folder / FEEDBACK_FILE).write_text('{"earlier": true}\n', encoding="utf-8")
    append_feedback(folder, feedback_record("Eins?", make_answer(), "up"))
    path = append_feedback(folder, feedback_record("Zwei?", make_answer(), "down", "passt nicht"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"earlier": True}
    assert [json.loads(line)["question"] for line in lines[1:]] == ["Eins?", "Zwei?"]
    assert read_feedback(folder)[-1]["reason"] == "passt nicht"


def test_umlauts_stay_readable_in_the_file(tmp_path):
    path = append_feedback(tmp_path, feedback_record("Grünflächen?", make_answer(), "up", "schön"))
    assert "Grünflächen?" in path.read_text(encoding="utf-8")


def test_concurrent_appends_keep_every_line_whole(tmp_path):
    record = feedback_record("Gleichzeitig?", make_answer(), "up", "ä" * 500)

    def write():
        for _ in range(20):
            append_feedback(tmp_path, record)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = read_feedback(tmp_path)
    assert len(records) == 80
    assert all(entry["reason"] == "ä" * 500 for entry in records)


def test_no_feedback_yet_reads_as_empty(tmp_path):
    assert read_feedback(tmp_path / "missing") == []

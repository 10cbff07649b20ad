"""Reliability: whatever a user types or an API client sends as a question or history, through the Python API,
the CLI and the app: a normal answer or a clear German message, and everything rendered as the text it is.

Every case's outcome is written to test-artifacts/reliability-questions.jsonl (the table in the closing note).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from test_assistant import assert_german, real_index_dir

import app
import cli as protokoll_cli
from assistant import MAX_QUESTION_CHARS, Assistant, clean_question
from assistant.answer import escape_markdown
from index.settings import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "corpus"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PROTOKOLL = Path(sys.executable).with_name("protokoll")
ANSWER = "answer"  # the case gets a normal answer (with or without citations)


class Recorder:
    """Outcome per case, one JSON line each, for the table of cases in the closing note."""

    def __init__(self, area: str) -> None:
        self.path = ARTIFACTS / f"reliability-{area}.jsonl"
        ARTIFACTS.mkdir(exist_ok=True)
        self.path.write_text("", encoding="utf-8")

    def __call__(self, case: str, outcome: str, **details) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"case": case, "outcome": outcome, **details}, ensure_ascii=False) + "\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_real(tmp_path_factory) -> Assistant:
    """The assistant over the bundled protocols, its index shared with the other end-to-end modules."""
    return Assistant.load(corpus_dir=CORPUS, index_dir=real_index_dir(tmp_path_factory))


def call_raw(url: str, api_name: str, data: list, timeout: float = 120) -> tuple[str, object]:
    """One call through Gradio's plain HTTP API (what any script can send, e.g. JSON with a lone surrogate
    escaped as \\ud800, which gradio_client cannot encode): ("complete", outputs) or ("error", message)."""
    body = json.dumps({"data": data}, ensure_ascii=True)
    started = httpx.post(f"{url}gradio_api/call/{api_name}", content=body, timeout=timeout,
                         headers={"content-type": "application/json"})
    assert started.status_code == 200, started.text[:300]
    event_id = started.json()["event_id"]
    with httpx.stream("GET", f"{url}gradio_api/call/{api_name}/{event_id}", timeout=timeout) as stream:
        text = "".join(stream.iter_text())
    events = re.findall(r"^event: (\w+)\ndata: (.*)$", text, flags=re.MULTILINE)
    kind, payload = events[-1]
    data = json.loads(payload) if payload.strip() not in ("", "null") else None
    if kind == "error":
        return "error", (data or {}).get("error") if isinstance(data, dict) else data
    return kind, data


def serve(assistant: Assistant, feedback: Path, **settings) -> SimpleNamespace:
    demo = app.build_app(assistant, feedback_dir=feedback)
    server = app.ServerSettings(port=free_port(), **settings)
    _, url, _ = app.launch(demo, server, prevent_thread_lock=True, quiet=True)
    return SimpleNamespace(url=url, demo=demo, settings=server)


# (id, question, expected): expected is ANSWER, ANSWER plus a board the answer must cite, or a German message.
CASES = [
    ("empty", "", "Bitte geben Sie eine Frage ein"),
    ("blank", " \t\n\u3000\u00a0 ", "Bitte geben Sie eine Frage ein"),
    ("only-invisible", "\u200b\u200c\u200d\u2060\ufeff\u00ad", "Bitte geben Sie eine Frage ein"),
    ("only-punctuation", "?!… –– ;:,. ¿¡ «»", "keine Wörter"),
    ("only-emoji", "🙂👍🏽🏠👨‍👩‍👧", "keine Wörter"),
    ("1001-chars", "Schalke " * 125 + "a", r"zu lang \(1001 Zeichen\)"),
    ("10008-chars", "Schalke " * 1251, r"zu lang \(10008 Zeichen\)"),
    ("one-megabyte", "x" * 1_000_000, r"zu lang \(1000000 Zeichen\)"),
    ("control-chars", "Was läuft gut\x00 in\x07 Schalke?\x1b[31m\x7f", (ANSWER, "Austausch · Schalke · Tafel")),
    ("zero-width", "Was\u200b läuft\u200d gut in Sch\u200calke?\ufeff", (ANSWER, "Austausch · Schalke · Tafel")),
    ("newlines-separators", "Was\n\n\nläuft\r\n gut\r in\u2028 der\u2029 Altstadt?", (ANSWER, "Altstadt")),
    ("lone-surrogate", "Was läuft gut in Heßler?\ud800", (ANSWER, "Heßler")),
    ("rtl-arabic", "ما هي الاحتياجات في شالكه؟", ANSWER),
    ("rtl-hebrew", "מה עובד טוב בשאלקה?", ANSWER),
    ("bidi-override", "Was läuft gut in \u202eekalhcS\u202c?", ANSWER),
    ("emoji-in-question", "🏠 Was fehlt beim Wohnen für Flüchtlingsfamilien? 👨‍👩‍👧", (ANSWER, "Wohnen")),
    ("zalgo", "H̷̢a̸n̴d̷l̸u̶n̸g̷s̸b̸e̸d̸a̸r̸f̸e̸ in Bismarck", ANSWER),
    ("html-script", "<script>alert('x')</script> Was läuft gut in Schalke?", (ANSWER, "Austausch · Schalke · Tafel")),
    ("html-img", '<img src=x onerror="alert(1)"> Handlungsbedarfe in Bismarck', (ANSWER, "Bismarck")),
    ("html-iframe-style", '<iframe src="http://example.com"></iframe><style>*{display:none}</style> Feldmark',
     ANSWER),
    ("markdown-injection", "[klick](javascript:alert(1)) ![bild](http://example.com/x.png) **Schalke** # Titel",
     ANSWER),
    ("markdown-table-latex", "| a | b |\n|---|---|\n| &lt;b&gt; | `code` | ~~weg~~ $x^2$ $$\\frac{1}{2}$$ Kita",
     ANSWER),
    ("sql-drop", "'; DROP TABLE passages; -- Was läuft gut in Feldmark?", (ANSWER, "Feldmark")),
    ("sql-or", "Schalke' OR '1'='1' --", ANSWER),
    ("format-and-shell", "{0} %s %(x)s ${HOME} $(rm -rf /) `id` Schalke", ANSWER),
    ("path-traversal", "../../../../etc/passwd Schalke", ANSWER),
    ("one-long-word", "Kinderbetreuungsplatzmangel" * 36, ANSWER),
]
CASE_IDS = [case[0] for case in CASES]


def expected_parts(expected) -> tuple[str | None, str | None]:
    """(board the answer must cite or None, German message pattern or None)."""
    if expected == ANSWER:
        return None, None
    if isinstance(expected, tuple):
        return expected[1], None
    return None, expected


RAW_TAG = re.compile(r"<\s*/?\s*(script|img|iframe|style|svg|a|object|embed|link|meta)\b", re.IGNORECASE)
# "](" whose bracket is not escaped: a link or an image; the app's own marker links to its source panel
# ("[\\[2\\]](#quelle-0-2 …)") are the only ones allowed.
MARKDOWN_LINK = re.compile(r"(?<!\\)\]\((?!#quelle-\d+-\d+[ )])")


def unsafe_markdown(text: str):
    """Raw HTML tags or a live Markdown link/image in text that is rendered as Markdown."""
    return RAW_TAG.search(text) or MARKDOWN_LINK.search(text)


@pytest.fixture(scope="module")
def record():
    return Recorder("questions")


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Assistant:
    return load_real(tmp_path_factory)


@pytest.fixture(scope="module")
def served(real, tmp_path_factory):
    server = serve(real, tmp_path_factory.mktemp("questions-feedback"))
    yield server
    server.demo.close()


# --- Python API ------------------------------------------------------------------------------------------------

@pytest.mark.e2e
@pytest.mark.parametrize("case, question, expected", CASES, ids=CASE_IDS)
def test_api_answers_or_refuses_in_german(real, record, case, question, expected):
    board, message = expected_parts(expected)
    started = time.perf_counter()
    if message:
        with pytest.raises(ValueError, match=message) as caught:
            real.ask(question)
        assert_german(caught.value)
        record(f"API ask: {case}", f"ValueError: {caught.value}")
        return
    answer = real.ask(question)
    seconds = time.perf_counter() - started
    assert seconds < 30, f"{case} took {seconds:.1f} s"
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == set(range(1, len(answer.passages) + 1)), "every cited passage has its marker in the text"
    assert not unsafe_markdown(answer.text), "the answer text is built from escaped corpus text only"
    if board:
        assert any(board in hit.citation for hit in answer.passages[:3]), [h.citation for h in answer.passages]
    outcome = "abstained (cites nothing)" if answer.abstained else f"answered, {len(answer.passages)} citations"
    if answer.passages:
        outcome += f"; first: {answer.passages[0].citation.split(' · ', 1)[-1]}"
    record(f"API ask: {case}", outcome, seconds=round(seconds, 2))


@pytest.mark.e2e
@pytest.mark.parametrize(
    "case, history, expected",
    [
        ("history-string", "Was läuft gut in Schalke?", "Gesprächsverlauf muss eine Liste"),
        ("history-dict", {"role": "user", "content": "Was läuft gut?"}, "Gesprächsverlauf muss eine Liste"),
        ("history-number", 42, "Gesprächsverlauf muss eine Liste"),
        ("history-bad-role", [{"role": "admin", "content": "x"}], "gültige Rolle"),
        ("history-no-role", [{"content": "Was läuft gut in Schalke?"}], "gültige Rolle"),
        ("history-content-dict", [{"role": "user", "content": {"text": "Schalke"}}], "kein Text"),
        ("history-nested-list", [["Was läuft gut in Schalke?"]], "kein Text"),
        ("history-none-item", [None], "kein Text"),
        ("history-bytes-item", [b"Schalke"], "kein Text"),
        ("history-blank-turns-skipped", ["", "   ", "???", "Was läuft gut in Schalke?"], "Schalke"),
        ("history-megabyte-turns-skipped", ["y" * 1_000_000] * 20 + ["Was läuft gut in Schalke?"], "Schalke"),
        ("history-1000-turns", ["Was läuft gut in Heßler?"] * 999 + ["Was läuft gut in Schalke?"], "Schalke"),
        ("history-hostile-markup", ["<script>alert(1)</script> Was läuft gut in Schalke?"], "Schalke"),
    ],
)
def test_api_history_is_used_or_refused_in_german(real, record, case, history, expected):
    """A follow-up ("Und in Bismarck?") with a broken history: a German ValueError, or the usable turns used."""
    started = time.perf_counter()
    if expected in ("Schalke",):
        answer = real.ask("Und was sind dort die Handlungsbedarfe?", history=history)
        seconds = time.perf_counter() - started
        assert seconds < 10, f"{case} took {seconds:.1f} s"
        assert answer.passages and all("Schalke" in hit.citation for hit in answer.passages)
        record(f"API history: {case}", f"answered from the usable turns: {answer.passages[0].citation[-50:]}",
               seconds=round(seconds, 2))
        return
    with pytest.raises(ValueError, match=expected) as caught:
        real.ask("Und in Bismarck?", history=history)
    assert_german(caught.value)
    record(f"API history: {case}", f"ValueError: {caught.value}")


def test_huge_input_is_refused_before_any_per_character_work():
    """Megabytes of text cost no more than a length check (a blocked queue worker would stall everybody)."""
    started = time.perf_counter()
    for _ in range(20):
        with pytest.raises(ValueError, match="zu lang"):
            clean_question("\u200b" * 5_000_000)
    assert time.perf_counter() - started < 0.5
    # Up to the raw limit, invisible characters and white space are removed before the length is judged.
    padded = "\u200b" * (3 * MAX_QUESTION_CHARS) + "Was läuft gut in Schalke?"
    assert clean_question(padded) == "Was läuft gut in Schalke?"


# --- CLI -------------------------------------------------------------------------------------------------------

@pytest.fixture
def cli_with_real(real, monkeypatch):
    """`protokoll ask` in this process, on the already loaded assistant (the command's own code path otherwise)."""
    monkeypatch.setattr(protokoll_cli, "load_assistant", lambda args: real)
    return protokoll_cli.main


@pytest.mark.e2e
@pytest.mark.parametrize("case, question, expected", CASES, ids=CASE_IDS)
def test_cli_answers_or_exits_2_with_a_german_message(cli_with_real, capsys, record, case, question, expected):
    board, message = expected_parts(expected)
    code = cli_with_real(["ask", question, "--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if message:
        assert code == 2
        assert err.startswith("Fehler: ") and re.search(message, err), err
        record(f"CLI ask: {case}", f"exit 2, {err.strip()[:90]}")
        return
    assert code == 0, err
    answer = json.loads(out)
    if board:
        assert any(board in passage["citation"] for passage in answer["passages"][:3])
    code = cli_with_real(["ask", question])
    plain, err = capsys.readouterr()
    assert code == 0 and "\x1b" not in plain, "no terminal escape sequence reaches the terminal"
    record(f"CLI ask: {case}", f"exit 0, {len(answer['passages'])} citations")


@pytest.mark.e2e
def test_cli_history_with_blank_and_hostile_turns(cli_with_real, capsys):
    code = cli_with_real(["ask", "Und in Bismarck?", "--history", "", "--history", "???",
                          "--history", "<b>Was läuft gut in Schalke?</b>", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    answer = json.loads(out)
    assert answer["passages"] and all("Bismarck" in p["citation"] for p in answer["passages"])


@pytest.mark.e2e
@pytest.mark.parametrize(
    "question, code, pattern",
    [
        ("ما هي الاحتياجات في شالكه؟", 0, None),
        ("<script>alert(1)</script> Was läuft gut in Schalke?", 0, "Schalke"),
        ("Schalke " * 1300, 2, "Fehler: Die Frage ist zu lang"),
        ("?!?", 2, "Fehler: Die Frage enthält keine Wörter"),
    ],
    ids=["rtl", "html", "10400-chars", "punctuation"],
)
def test_the_installed_command(tmp_path_factory, question, code, pattern):
    """The real `protokoll` executable (argv, encodings, exit codes), not only its main function."""
    index_dir = real_index_dir(tmp_path_factory)
    load_real(tmp_path_factory)  # make sure the shared index is current before the subprocess reads it
    env = dict(os.environ, PYTHONIOENCODING="utf-8", HF_HUB_OFFLINE="1")
    done = subprocess.run([str(PROTOKOLL), "ask", question, "--index", str(index_dir)], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=300)
    assert done.returncode == code, done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    if pattern:
        assert pattern in done.stdout + done.stderr


# --- the app ---------------------------------------------------------------------------------------------------

def outputs_of_chat(result) -> SimpleNamespace:
    question_box, messages, citations, source, link, status = result
    return SimpleNamespace(question_box=question_box, messages=messages, citations=citations, source=source,
                           link=link, status=status)


def message_text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content


@pytest.mark.e2e
@pytest.mark.parametrize("case, question, expected", CASES, ids=CASE_IDS)
def test_app_answers_or_shows_a_german_message_and_renders_safely(served, record, case, question, expected):
    board, message = expected_parts(expected)
    if not question.encode("utf-8", "surrogatepass").decode("utf-8", "ignore") == question:
        # Not encodable as UTF-8 (a lone surrogate): only raw JSON with \\u escapes can carry it.
        kind, outputs = call_raw(served.url, "chat", [question, [], [], []])
        assert kind == "complete", outputs
        assert outputs[1][0]["content"][0]["text"] == escape_markdown(clean_question(question))
        radio = next(value for value in outputs if isinstance(value, dict) and "choices" in value)
        assert not board or any(board in label for label, _ in radio["choices"][:3])
        record(f"app /chat (raw JSON): {case}", "answered; the surrogate is dropped")
        return
    client = Client(served.url, verbose=False)
    try:
        if message:
            for api_name, args in (("/chat", (question, [], [], [])), ("/ask", (question,))):
                with pytest.raises(AppError, match=message) as caught:
                    client.predict(*args, api_name=api_name)
                assert "Traceback" not in str(caught.value)
            record(f"app /chat and /ask: {case}", f"error message: {caught.value}"[:140])
            return
        turn = outputs_of_chat(client.predict(question, [], [], [], api_name="/chat"))
        user, bot = turn.messages
        cleaned = clean_question(question)
        assert message_text(user) == escape_markdown(cleaned), "the question is shown as the text it is"
        for markdown in (message_text(user), message_text(bot), *(label for label, _ in turn.citations["choices"])):
            assert not unsafe_markdown(markdown), markdown
        assert not RAW_TAG.search(turn.source), "the source panel is escaped HTML"
        assert turn.link.startswith(served.url) and " " not in turn.link and "<" not in turn.link
        if board:
            assert any(board in label for label, _ in turn.citations["choices"][:3]), turn.citations
        result = client.predict(question, api_name="/ask")
        assert result["question"] == cleaned
        assert not unsafe_markdown(result["text"])
        record(f"app /chat and /ask: {case}",
               f"answered, {len(result['passages'])} citations; question shown escaped")
    finally:
        client.close()


@pytest.mark.e2e
@pytest.mark.parametrize(
    "case, history, pattern",
    [
        ("history-string", "Was läuft gut in Schalke?", "history muss eine Liste"),
        ("history-51-turns", ["Was läuft gut in Schalke?"] * 51, "höchstens 50"),
        ("history-bad-role", [{"role": "admin", "content": "x"}], "gültige Rolle"),
        ("history-number-item", [5], "kein Text"),
        ("history-object-content", [{"role": "user", "content": {"a": 1}}], "kein Text"),
    ],
)
def test_app_refuses_a_malformed_history_in_german(served, record, case, history, pattern):
    client = Client(served.url, verbose=False)
    try:
        with pytest.raises(AppError, match=pattern) as caught:
            client.predict("Und in Bismarck?", history, api_name="/ask")
        record(f"app /ask: {case}", f"error message: {caught.value}")
    finally:
        client.close()


@pytest.mark.e2e
def test_app_skips_unusable_earlier_turns(served):
    client = Client(served.url, verbose=False)
    try:
        started = time.perf_counter()
        result = client.predict("Und in Bismarck?", ["y" * 200_000] * 10 + ["", "Was läuft gut in Schalke?"],
                                api_name="/ask")
        assert time.perf_counter() - started < 30
        assert result["passages"] and all("Bismarck" in p["citation"] for p in result["passages"])
        assert all(p["section"] == "Was läuft gut" for p in result["passages"])
    finally:
        client.close()


@pytest.mark.e2e
@pytest.mark.parametrize(
    "content, code, pattern",
    [
        ('{"q": "Was läuft gut in Schalke?",\n', 2, "kein gültiges JSON"),
        ('{"frage": "Was läuft gut in Schalke?"}\n', 1, "unerwarteter Fehler"),
        ("[1, 2, 3]\n", 1, "unerwarteter Fehler"),
    ],
    ids=["broken-json", "no-question-field", "not-an-object"],
)
def test_cli_eval_of_a_malformed_question_file_shows_no_traceback(cli_with_real, capsys, tmp_path, record,
                                                                  content, code, pattern):
    path = tmp_path / "fragen.jsonl"
    path.write_text(content, encoding="utf-8")
    assert cli_with_real(["eval", str(path)]) == code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and err.startswith("Fehler: ") and pattern in err, err
    record(f"CLI eval with a malformed question file ({content.strip()[:30]})", f"exit {code}, {err.strip()}")

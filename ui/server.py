"""Serving the app: the hardened launch options and the command `python app.py`."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from assistant import MAX_QUESTION_CHARS, Assistant
from index import CorpusError
from index.documents import os_error_reason, unusable_path_message

from . import sessions
from .german import GermanGradio
from .layout import build_app
from .settings import DEFAULT_HOST, DEFAULT_PORT, LOCAL_HOSTS, ServerSettings
from .staff import MAX_UPLOAD_BYTES
from .suggest import EXAMPLES_CITIZENS, EXAMPLES_STAFF, Suggestions

log = logging.getLogger("protokoll.app")

CSS_FILE = Path(__file__).with_name("style.css")
JS_FILE = Path(__file__).with_name("app.js")
STATUS_UPDATE_SECONDS = 1.0

# System fonts: nothing to download, and the same look on an offline machine.
THEME = gr.themes.Default(
    font=["system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Liberation Sans", "sans-serif"],
    font_mono=["ui-monospace", "Consolas", "DejaVu Sans Mono", "monospace"],
)


def warm_up(assistant: Assistant, questions=None) -> None:
    """Ask questions once (by default the first example) before serving: what the assistant prepares on first use
    (the vectors of the boards' fields and of everyday off-topic questions) is then ready, and the first users do
    not wait for it."""
    for question in questions if questions is not None else EXAMPLES_STAFF[:1]:
        try:
            assistant.ask(question)
        except Exception:  # noqa: BLE001 - warming up is an optimisation; answering will report the problem
            log.warning("Aufwärmen mit %r fehlgeschlagen", question, exc_info=True)


def prepare_beside_serving(assistant: Assistant) -> threading.Thread:
    """Ask the other examples and check the next questions the corpus can offer, beside serving (a hundred
    questions: seconds that the start of the app need not wait for; an answer before they are done checks its own
    few)."""
    def prepare() -> None:
        warm_up(assistant, EXAMPLES_STAFF[1:] + EXAMPLES_CITIZENS)
        Suggestions.of(assistant).prepare()

    thread = threading.Thread(target=prepare, name="vorbereitung", daemon=True)
    thread.start()
    return thread


def launch(demo: gr.Blocks, settings: ServerSettings | None = None, **overrides):
    """Start the server with the hardened defaults; overrides go to Blocks.launch (tests: prevent_thread_lock)."""
    settings = settings or ServerSettings.from_env()
    sessions.install()
    # Queue positions are sent to waiting users once a second, not to all of them whenever an answer starts: with
    # 32 waiting that was 32 messages per answer, most of the server's work under load (benchmarks/load.py).
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size, api_open=False,
               status_update_rate=STATUS_UPDATE_SECONDS)
    auth_message = "Bitte melden Sie sich mit den Zugangsdaten Ihrer Verwaltung an."
    options = dict(
        app_kwargs={"middleware": [Middleware(GermanGradio, auth_message=auth_message)]},
        server_name=settings.host,
        server_port=settings.port,
        auth=settings.auth,
        auth_message=auth_message,
        enable_monitoring=False,
        run_history=False,
        footer_links=["api"],
        show_error=False,
        share=False,
        ssr_mode=False,
        mcp_server=False,
        # Uploads only behind a login (the staff tab); without one, any file sent to /gradio_api/upload is refused.
        max_file_size=MAX_UPLOAD_BYTES if settings.auth else 0,
        css=CSS_FILE.read_text(encoding="utf-8"),
        # The question's limit for ui/app.js, which says while typing how much too long a question is.
        head=f"<script>window.paQuestionLimit = {MAX_QUESTION_CHARS};\n{JS_FILE.read_text(encoding='utf-8')}</script>",
        theme=THEME,
    )
    options.update(overrides)
    return demo.launch(**options)


def main(argv: list[str] | None = None) -> int:
    """Load the assistant (building the index if needed) and serve the app until interrupted."""
    parser = argparse.ArgumentParser(prog="app.py", description="Protokoll-Assistent: die Chat-Oberfläche starten")
    parser.add_argument("--port", type=int, default=None, help=f"Port (Standard {DEFAULT_PORT} oder PROTOKOLL_PORT)")
    parser.add_argument("--host", default=None,
                        help=f"Adresse (Standard {DEFAULT_HOST} oder PROTOKOLL_HOST; 0.0.0.0 macht die App im Netz "
                             "erreichbar)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    for noisy in ("faiss", "faiss.loader", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = ServerSettings.from_env()
        if args.port is not None:
            settings.port = args.port
        if args.host:
            settings.host = args.host
        settings.auth  # noqa: B018 - fail before the slow index load when the login is half configured
        log.info("Index wird geladen (beim ersten Start wird er gebaut, das dauert etwas) …")
        assistant = Assistant.load()
    except (CorpusError, ValueError) as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # index folder not writable, disk full, a path that is a file …
        print(f"Fehler: {unusable_path_message(error)}", file=sys.stderr)
        return 2
    if settings.host not in LOCAL_HOSTS and not settings.auth:
        log.warning("Die App ist unter %s ohne Anmeldung erreichbar; setzen Sie PROTOKOLL_USER und "
                    "PROTOKOLL_PASSWORD, wenn das nicht gewollt ist.", settings.host)
    warm_up(assistant)
    demo = build_app(assistant, staff=settings.auth is not None)
    try:
        _, url, _ = launch(demo, settings, prevent_thread_lock=True, quiet=True)
    except OSError as error:  # port taken, address not available …
        print(f"Fehler: Der Server kann nicht auf {settings.host}:{settings.port} starten ({os_error_reason(error)}).",
              file=sys.stderr)
        return 2
    print(f"Protokoll-Assistent läuft auf {url} (beenden mit Strg+C)", flush=True)
    prepare_beside_serving(assistant)
    demo.block_thread()
    return 0

"""Serving the app: the hardened launch options and the command `python app.py`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import gradio as gr

from assistant import Assistant
from index import CorpusError
from index.documents import os_error_reason, unusable_path_message

from .layout import build_app
from .settings import DEFAULT_HOST, DEFAULT_PORT, LOCAL_HOSTS, ServerSettings

log = logging.getLogger("protokoll.app")

CSS_FILE = Path(__file__).with_name("style.css")

# System fonts: nothing to download, and the same look on an offline machine.
THEME = gr.themes.Default(
    font=["system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Liberation Sans", "sans-serif"],
    font_mono=["ui-monospace", "Consolas", "DejaVu Sans Mono", "monospace"],
)


def launch(demo: gr.Blocks, settings: ServerSettings | None = None, **overrides):
    """Start the server with the hardened defaults; overrides go to Blocks.launch (tests: prevent_thread_lock)."""
    settings = settings or ServerSettings.from_env()
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size, api_open=False)
    options = dict(
        server_name=settings.host,
        server_port=settings.port,
        auth=settings.auth,
        auth_message="Bitte melden Sie sich mit den Zugangsdaten Ihrer Verwaltung an.",
        enable_monitoring=False,
        run_history=False,
        footer_links=["api"],
        show_error=False,
        share=False,
        ssr_mode=False,
        mcp_server=False,
        max_file_size=0,  # the app takes no uploads: refuse any file sent to /gradio_api/upload
        css=CSS_FILE.read_text(encoding="utf-8"),
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
    demo = build_app(assistant)
    try:
        _, url, _ = launch(demo, settings, prevent_thread_lock=True, quiet=True)
    except OSError as error:  # port taken, address not available …
        print(f"Fehler: Der Server kann nicht auf {settings.host}:{settings.port} starten ({os_error_reason(error)}).",
              file=sys.stderr)
        return 2
    print(f"Protokoll-Assistent läuft auf {url} (beenden mit Strg+C)", flush=True)
    demo.block_thread()
    return 0

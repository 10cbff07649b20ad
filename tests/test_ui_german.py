"""What Gradio itself would say in English, in German: the login page and the reply when the queue is full."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from support import free_port
from test_browser import CHROMIUM, CHROMIUM_ARGS, SCREEN_SIZES

import app
from ui.german import QUEUE_FULL, GermanGradio


def call(middleware: GermanGradio, method: str, path: str) -> tuple[int, dict, bytes]:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(middleware({"type": "http", "method": method, "path": path, "headers": []}, receive, send))
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], dict(start["headers"]), body


def gradio_like(status: int, body: bytes, kind: bytes = b"application/json"):
    async def asgi(scope, receive, send):
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body[:10], "more_body": True})
        await send({"type": "http.response.body", "body": body[10:], "more_body": False})

    return asgi


def test_queue_full_reply_is_german():
    english = json.dumps({"detail": "Queue is full. Max size is 64 and size is 64."}).encode()
    status, headers, body = call(GermanGradio(gradio_like(503, english)), "POST", "/gradio_api/queue/join")
    assert status == 503 and json.loads(body) == {"detail": QUEUE_FULL}
    assert headers[b"content-length"] == str(len(body)).encode()
    # Anything else passes as it was.
    joined = json.dumps({"event_id": "abc"}).encode()
    assert call(GermanGradio(gradio_like(200, joined)), "POST", "/gradio_api/queue/join")[2] == joined
    page = b"<html>" + b'window.gradio_config = {"auth_required": false}' + b"</html>"
    assert call(GermanGradio(gradio_like(200, page, b"text/html")), "GET", "/")[2] == page


@pytest.fixture(scope="module")
def login_app(tmp_path_factory):
    from support import SPIEL, write_file

    from assistant import Assistant

    corpus = tmp_path_factory.mktemp("corpus")
    write_file(corpus / "spiel.md", SPIEL)
    assistant = Assistant.load(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("index"))
    demo = app.build_app(assistant, feedback_dir=tmp_path_factory.mktemp("feedback"))
    settings = app.ServerSettings(port=free_port(), user="amt", password="geheim")
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    yield url
    demo.close()


def test_login_page_is_german_and_logs_in_through_gradio(login_app):
    page = httpx.get(login_app)
    assert page.status_code == 200 and '<html lang="de">' in page.text
    for text in ("Benutzername", "Passwort", "Anmelden", "Zugangsdaten Ihrer Verwaltung"):
        assert text in page.text
    assert "Username" not in page.text and "gradio_config" not in page.text
    assert httpx.post(login_app + "login", data={"username": "amt", "password": "falsch"}).status_code == 400
    with httpx.Client() as browser:
        assert browser.post(login_app + "login", data={"username": "amt", "password": "geheim"}).status_code == 200
        logged_in = browser.get(login_app)
        assert "gradio_config" in logged_in.text and "Benutzername" not in logged_in.text


@pytest.mark.e2e
@pytest.mark.parametrize("size", list(SCREEN_SIZES))
def test_login_in_chromium(login_app, size):
    from playwright.sync_api import expect, sync_playwright

    width, height = SCREEN_SIZES[size]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-US", viewport={"width": width, "height": height})
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(login_app, wait_until="domcontentloaded")
            expect(page.get_by_role("heading", name="Protokoll-Assistent")).to_be_visible()
            page.get_by_label("Benutzername").fill("amt")
            page.get_by_label("Passwort").fill("falsch")
            page.get_by_role("button", name="Anmelden").click()
            expect(page.get_by_role("alert")).to_have_text("Benutzername oder Passwort ist falsch.")
            page.get_by_label("Passwort").fill("geheim")
            page.get_by_role("button", name="Anmelden").click()
            expect(page.locator("#frage textarea")).to_be_visible(timeout=60_000)
        finally:
            browser.close()

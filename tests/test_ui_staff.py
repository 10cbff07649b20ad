"""Staff tab: protocols added and removed in the running app (behind a login), checked, logged, and every session
switched to the new index generation while an answer in flight finishes on its own."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from support import BUS, SPIEL, free_port, write_file
from test_ui_handlers import StandIn

import app
from assistant import Assistant
from ui.handlers import Handlers, UserMessage
from ui.staff import Staff, checked_manifest, checked_name

NEW_PROTOCOL = """# Protokoll Quartiersgarten

Im Quartiersgarten Lindenhof fehlen Hochbeete und ein Wasseranschluss.
Die Gartengruppe trifft sich jeden Dienstag.
"""


@pytest.mark.parametrize("name", ["../x.txt", "a/b.txt", "x.exe", ".versteckt.txt", "x.txt.meta.json", "",
                                  "<script>.txt", "a\\..\\b.txt"])
def test_unsafe_or_foreign_names_are_refused(name):
    with pytest.raises(UserMessage):
        checked_name(name)


def test_names_and_manifest_fields_that_pass():
    assert checked_name("Protokoll Garten (2024).md") == "Protokoll Garten (2024).md"
    assert checked_manifest({"title": "  Garten  ", "date": "2024-05-01", "kind": ""}) == {
        "title": "Garten", "date": "2024-05-01"}
    with pytest.raises(UserMessage, match="JJJJ-MM-TT"):
        checked_manifest({"date": "1. Mai"})
    with pytest.raises(UserMessage, match="Unbekannte Art"):
        checked_manifest({"kind": "roman"})


def test_an_answer_in_flight_finishes_on_the_generation_it_started_with(tmp_path):
    corpus = tmp_path / "corpus"
    write_file(corpus / "werkstatt.txt", "Tafel\nHandlungsbedarfe\n- Spielplätze\n- sichere Wege\n")
    old, new = StandIn(corpus, tmp_path / "fb"), StandIn(corpus, tmp_path / "fb")
    new.needs.board = "Tafel 2"
    handlers = Handlers(old)
    started, go = threading.Event(), threading.Event()
    slow_ask = old.ask

    def ask(*args, **kwargs):
        started.set()
        go.wait(10)
        return slow_ask(*args, **kwargs)

    old.ask = ask
    result = {}
    thread = threading.Thread(target=lambda: result.update(handlers.chat("Was fehlt?", [], [], [], None)))
    thread.start()
    assert started.wait(10)
    handlers.switch(new)  # while the answer is being worked out
    go.set()
    thread.join(10)
    assert old.asked[0][0] == "Was fehlt?" and new.asked == []
    assert "Tafel 1" in result["source"]  # rendered by the generation it started on
    handlers.chat("Und jetzt?", [], [], [], None)
    assert new.asked[0][0] == "Und jetzt?"  # the next answer comes from the new one
    assert "Und jetzt?" not in [question for question, *_ in old.asked]


@pytest.fixture(scope="module")
def staff_app(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    write_file(corpus / "spiel.md", SPIEL)
    write_file(corpus / "bus.md", BUS)
    assistant = Assistant.load(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("index"))
    log = tmp_path_factory.mktemp("log") / "aenderungen.jsonl"
    demo = app.build_app(assistant, feedback_dir=tmp_path_factory.mktemp("feedback"), staff=True, staff_log=log)
    settings = app.ServerSettings(port=free_port(), user="amt", password="geheim")
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    yield url, corpus, log
    demo.close()


def test_upload_is_indexed_and_every_session_answers_from_it_until_removed(staff_app, tmp_path):
    url, corpus, log = staff_app
    staff = Client(url, auth=("amt", "geheim"), verbose=False)
    citizen = Client(url, auth=("amt", "geheim"), verbose=False)  # another session, open before the change
    assert not any("Quartiersgarten" in p["citation"] for p in citizen.predict("Hochbeete im Lindenhof?",
                                                                                api_name="/ask")["passages"])
    upload = write_file(tmp_path / "garten.md", NEW_PROTOCOL)
    status, *_ = staff.predict(handle_file(str(upload)), "Protokoll Quartiersgarten", "Garten", "Minden",
                               "2024-05-01", "", api_name="/add_document")
    assert "„garten.md“ wurde hinzugefügt" in status
    assert (corpus / "garten.md").read_text(encoding="utf-8") == NEW_PROTOCOL
    assert json.loads((corpus / "garten.md.meta.json").read_text(encoding="utf-8"))["city"] == "Minden"
    answer = citizen.predict("Was fehlt im Quartiersgarten Lindenhof?", api_name="/ask")
    assert not answer["abstained"] and answer["passages"][0]["source"] == "garten.md"
    [record] = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert (record["user"], record["action"], record["file"]) == ("amt", "hinzugefügt", "garten.md")
    assert record["time"].startswith("20")
    # Checked: a second copy, a foreign type.
    with pytest.raises(AppError, match="gibt es schon"):
        staff.predict(handle_file(str(upload)), "", "", "", "", "", api_name="/add_document")
    foreign = write_file(tmp_path / "programm.exe", b"MZ\x90\x00")
    with pytest.raises(AppError, match="Endung"):
        staff.predict(handle_file(str(foreign)), "", "", "", "", "", api_name="/add_document")
    assert not (corpus / "programm.exe").exists()
    # Removed: no session finds it any more.
    status, *_ = staff.predict("garten.md", api_name="/remove_document")
    assert "entfernt" in status and not (corpus / "garten.md").exists()
    again = citizen.predict("Was fehlt im Quartiersgarten Lindenhof?", api_name="/ask")
    assert all(p["source"] != "garten.md" for p in again["passages"])
    assert [json.loads(line)["action"] for line in log.read_text(encoding="utf-8").splitlines()] == [
        "hinzugefügt", "entfernt"]


def test_after_a_change_the_filters_offer_the_protocols_now_served(tmp_path):
    corpus = tmp_path / "corpus"
    write_file(corpus / "spiel.md", SPIEL)
    handlers = Handlers(Assistant.load(corpus_dir=corpus, index_dir=tmp_path / "index"), tmp_path / "feedback")
    staff = Staff(handlers, tmp_path / "aenderungen.jsonl")
    upload = write_file(tmp_path / "garten.md", NEW_PROTOCOL)
    staff.upload(str(upload), "garten.md", "amt", {"city": "Minden"})
    added = handlers.filter_choices()
    assert [source for _, source in added["filter_documents"]] == ["garten.md", "spiel.md"]
    assert any(label.startswith("Protokoll Quartiersgarten") for label, _ in added["filter_documents"])
    assert added["filter_places"] == handlers.choices["places"]
    staff.remove("garten.md", "amt")
    assert [source for _, source in handlers.filter_choices()["filter_documents"]] == ["spiel.md"]


def test_without_login_there_is_no_staff_tab(tmp_path):
    corpus = tmp_path / "corpus"
    write_file(corpus / "spiel.md", SPIEL)
    assistant = Assistant.load(corpus_dir=corpus, index_dir=tmp_path / "index")
    demo = app.build_app(assistant, feedback_dir=tmp_path / "feedback")
    assert not any(getattr(block, "label", None) == "Verwaltung" for block in demo.blocks.values())
    _, url, _ = app.launch(demo, app.ServerSettings(port=free_port()), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(url, verbose=False)
        with pytest.raises(ValueError):
            client.predict("spiel.md", api_name="/remove_document")
        assert Path(corpus / "spiel.md").exists()
    finally:
        demo.close()


@pytest.mark.e2e
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_staff_tab_in_chromium(staff_app, tmp_path, size):
    from playwright.sync_api import expect, sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS, SCREEN_SIZES

    url, corpus, _ = staff_app
    width, height = SCREEN_SIZES[size]
    name = f"weide-{size}.md"
    upload = write_file(tmp_path / name, NEW_PROTOCOL.replace("Quartiersgarten", "Weidengarten"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="de-DE", viewport={"width": width, "height": height})
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(url, wait_until="domcontentloaded")
            page.get_by_label("Benutzername").fill("amt")
            page.get_by_label("Passwort").fill("geheim")
            page.get_by_role("button", name="Anmelden").click()
            open_staff_tab(page, size)
            page.locator("#hochladen input[type=file]").set_input_files(str(upload))
            page.locator("#feld-stadt input, #feld-stadt textarea").first.fill("Minden")
            page.locator("#hinzufuegen").click()
            expect(page.locator("#verwaltung-status")).to_contain_text(f"„{name}“ wurde hinzugefügt",
                                                                       timeout=120_000)
            assert (corpus / name).exists()
            assert page.locator("#verwaltung-status img, #verwaltung-status script").count() == 0
            # The document filter offers the new protocol at once, by the title in its first heading.
            page.get_by_text("Suche eingrenzen").click()
            page.locator("#filter-dokument input").click()
            expect(page.get_by_role("option", name="Protokoll Weidengarten")).to_be_visible()
            # So does a page opened afterwards (built with the choices of the app's start).
            later = context.new_page()
            later.set_default_timeout(60_000)
            later.goto(url, wait_until="domcontentloaded")
            later.get_by_text("Suche eingrenzen").click()
            later.locator("#filter-dokument input").click()
            expect(later.get_by_role("option", name="Protokoll Weidengarten")).to_be_visible()
            later.keyboard.press("Escape")
            expect(later.locator("#intro")).to_contain_text("Protokoll Weidengarten")
            # … and its staff tab can remove it.
            open_staff_tab(later, size)
            later.locator("#dokumente input").click()
            later.get_by_role("option", name=name).click()
            later.locator("#entfernen").click()
            expect(later.locator("#verwaltung-status")).to_contain_text(f"„{name}“ wurde entfernt", timeout=120_000)
            assert not (corpus / name).exists()
        finally:
            browser.close()
    (corpus / name).unlink(missing_ok=True)
    (corpus / f"{name}.meta.json").unlink(missing_ok=True)


def open_staff_tab(page, size: str) -> None:
    if size == "phone":  # the third tab is behind Gradio's overflow menu, labelled in German
        page.get_by_role("button", name="Weitere Reiter").click()
        page.locator(".overflow-dropdown button", has_text="Verwaltung").click()
    else:
        page.get_by_role("tab", name="Verwaltung").click()

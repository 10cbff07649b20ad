"""The app in a real browser: Debian's chromium driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from support import free_port, real_index_dir

import app
from assistant import Assistant
from index.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
CORPUS = PROJECT_ROOT / "corpus"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
ANSWER_TIMEOUT = 90_000  # ms; the first answer warms the embedder up on a busy 2-core machine

HOSTILE_TEXT = """Protokoll der Quartierswerkstatt Nordstadt

Handlungsbedarfe im Quartier

- Mehr Spielplätze für Kinder <img src=x onerror="window.__pwned=1">
- <script>window.__pwned = 2; alert("xss")</script> Sichere Schulwege
- Bessere Beleuchtung im Park <img src=x onerror=alert(1)>
- [Mehr erfahren](javascript:alert(1)) ![Bild](http://example.com/x.png)
- <iframe src="http://example.com"></iframe> Treffpunkt für Jugendliche

Was läuft gut

- Nachbarschaftsfest & Flohmarkt
- Engagierte Vereine
"""
HOSTILE_MANIFEST = {"title": 'Quartierswerkstatt <img src=x onerror="window.__pwned=3">', "city": "Nordstadt",
                    "date": "2024-06-01"}


def serve(assistant: Assistant, feedback: Path) -> SimpleNamespace:
    demo = app.build_app(assistant, feedback_dir=feedback)
    _, url, _ = app.launch(demo, app.ServerSettings(port=free_port()), prevent_thread_lock=True, quiet=True)
    return SimpleNamespace(url=url, demo=demo)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} fehlt: installieren Sie Debians chromium (apt-get install -y chromium); "
                    "die Browser-Tests laufen nur damit, nie mit `playwright install`.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Das Python-Paket playwright fehlt: pip install playwright (aber nie `playwright install`).")

    from playwright.sync_api import expect

    # The app answers a click within a second on a quiet machine, but CI runs the whole suite beside it on two
    # cores: every expectation waits up to 20 s (not Playwright's 5) before it counts as failed.
    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh German browser tab that records dialogs and any request leaving the machine."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []
    page.external = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda request: page.external.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def real_app(tmp_path_factory):
    # The same index folder as tests/test_app.py: built once per test session.
    assistant = Assistant.load(corpus_dir=CORPUS, index_dir=real_index_dir(tmp_path_factory.getbasetemp()))
    served = serve(assistant, tmp_path_factory.mktemp("browser-feedback"))
    yield served
    served.demo.close()


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("hostile-corpus")
    (corpus / "werkstatt-nordstadt.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (corpus / "werkstatt-nordstadt.txt.meta.json").write_text(json.dumps(HOSTILE_MANIFEST), encoding="utf-8")
    assistant = Assistant.load(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("hostile-index"))
    served = serve(assistant, tmp_path_factory.mktemp("hostile-feedback"))
    yield served
    served.demo.close()


def ask(page, question: str) -> None:
    box = page.locator("#frage textarea")
    box.fill(question)
    box.press("Enter")


def test_question_answer_and_highlighted_source(real_app, page):
    from playwright.sync_api import expect

    page.goto(real_app.url, wait_until="domcontentloaded")
    expect(page.locator("h1")).to_have_text("Protokoll-Assistent")
    expect(page.get_by_role("button", name="Neue Unterhaltung")).to_be_visible()
    ask(page, "Welche Handlungsbedarfe gibt es in Schalke?")

    chat = page.locator("#chat")
    expect(chat).to_contain_text("mehr Grünflächen", timeout=ANSWER_TIMEOUT)
    # The first citation opens by itself: the whole board, the cited lines marked, with line numbers.
    source = page.locator("#quelle")
    expect(source).to_contain_text("Quelle [1]")
    expect(source).to_contain_text("Austausch · Schalke · Tafel 1 von 4")
    expect(source).to_contain_text("13.02.2019")
    expect(source.locator("tr.pa-hit mark").first).to_contain_text("mehr Bürgerbeteiligung")
    # A section asked for as a whole: every cited line answers, so all are strong.
    expect(source.locator("tr.pa-answer").first).to_contain_text("mehr Bürgerbeteiligung")
    # Open the second citation.
    page.locator("#quellen label").nth(1).click()
    expect(source).to_contain_text("Quelle [2]")
    marked = source.locator("tr.pa-hit")
    expect(marked.first).to_contain_text("mehr Grünflächen")
    assert re.fullmatch(r"\d+", marked.first.locator("th").inner_text().strip())
    assert marked.count() >= 5
    # Context of the board (not marked) is there too.
    expect(source.locator("tr:not(.pa-hit)").filter(has_text="Was läuft gut").first).to_be_visible()
    expect(page.locator("#link textarea, #link input").first).to_have_value(re.compile(r"\?q=Welche%20"))

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-chat.png"), full_page=True)
    assert (ARTIFACTS / "browser-chat.png").stat().st_size > 10_000
    assert page.external == [] and page.dialogs == []


def test_an_empty_question_gets_a_message_and_the_page_stays_usable(real_app, page):
    from playwright.sync_api import expect

    page.goto(real_app.url, wait_until="domcontentloaded")
    submit = page.locator("#frage button.submit-button")
    submit.click()  # nothing typed
    expect(page.get_by_text("Bitte geben Sie eine Frage ein.")).to_be_visible()
    expect(page.locator(".toast-title").first).to_have_text("Hinweis")  # not Gradio's "Error"
    page.wait_for_timeout(1000)
    # No "Fehler" overlay is left over the question box, the chat or the sources …
    assert page.locator("[data-testid=status-tracker] span.error:visible").count() == 0
    # … and the button asks the next question.
    page.locator("#frage textarea").fill("Was läuft gut in Schalke?")
    submit.click()
    expect(page.locator("#chat")).to_contain_text("Bildungsverbund", timeout=ANSWER_TIMEOUT)


def test_a_pasted_question_over_the_limit_is_kept_whole_and_said_to_be_too_long(real_app, page):
    from playwright.sync_api import expect

    from assistant import MAX_QUESTION_CHARS

    page.goto(real_app.url, wait_until="domcontentloaded")
    box = page.locator("#frage textarea")
    pasted = "Welche Handlungsbedarfe gibt es in Schalke? " * 40  # 1,760 characters
    box.fill(pasted)  # as a paste: one input event with the whole text
    assert box.input_value() == pasted  # not cut at the limit
    note = page.locator("#frage-laenge")
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"{len(pasted)} Zeichen, höchstens {MAX_QUESTION_CHARS}")
    box.press("Enter")
    expect(page.get_by_text(re.compile(r"Die Frage ist zu lang \(\d+ Zeichen\)"))).to_be_visible()  # the answer's
    assert box.input_value() == pasted  # refused, and still there to shorten
    box.fill(pasted[:200])
    expect(note).to_be_hidden()


SCREEN_SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.mark.parametrize("size", list(SCREEN_SIZES))
def test_answering_lines_strong_rest_of_citation_faint(real_app, browser, size):
    from playwright.sync_api import expect

    width, height = SCREEN_SIZES[size]
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": height},
                                  is_mobile=size == "phone", has_touch=size == "phone")
    page = context.new_page()
    external = []
    page.on("request", lambda request: external.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    page.set_default_timeout(30_000)
    try:
        page.goto(real_app.url, wait_until="domcontentloaded")
        ask(page, "Wo fehlen Kita-Plätze?")
        chat = page.locator("#chat")
        expect(chat).to_contain_text("Genannt wird es für", timeout=ANSWER_TIMEOUT)
        # The places at a glance: a table with a marker per finding and the places without one.
        expect(chat.locator("td", has_text="nicht erwähnt").first).to_be_attached()
        expect(chat.locator('td a[href="#quelle-0-1"]').first).to_be_attached()
        # The whole table fits the answer, the sources column too (on a phone as well): nothing to scroll sideways.
        table = page.evaluate("""() => { const t = document.querySelector('#chat table');
          const cell = t.querySelector('tr th:last-child').getBoundingClientRect();
          return {scroll: t.scrollWidth, client: t.clientWidth, right: cell.right, width: window.innerWidth}; }""")
        assert table["scroll"] <= table["client"] + 1 and table["right"] <= table["width"], table
        # The chat shows the new answer from its start: the question and the lead, not the list of sources.
        expect(chat.get_by_text("Wo fehlen Kita-Plätze?").last).to_be_in_viewport()
        expect(chat.get_by_text("Bismarck [1]").first).to_be_in_viewport()
        source = page.locator("#quelle")
        expect(source).to_contain_text("Quelle [1]")
        expect(source.locator(".pa-legend")).to_contain_text(
            "hervorgehoben: die Zeilen, die die Frage beantworten; schwach markiert: der übrige zitierte Abschnitt")
        # Select another source: its answering line is strong, the rest of its section faint.
        page.locator("#quellen label").nth(1).click()
        expect(source).to_contain_text("Quelle [2]")
        strong = source.locator("tr.pa-answer")
        expect(strong).to_have_count(1)
        expect(strong).to_contain_text(re.compile("KiTA-Plätze|Kitaplätze"))
        assert source.locator("tr.pa-cited").count() >= 3
        # Told apart by more than colour: bold text, and a bar beside the line number.
        styles = page.evaluate("""() => {
          const q = (s) => document.querySelector('#quelle ' + s);
          const style = (e) => getComputedStyle(e);
          return {
            strong: style(q('tr.pa-answer mark strong')).fontWeight,
            faint: style(q('tr.pa-cited mark')).fontWeight,
            strongBar: style(q('tr.pa-answer th')).boxShadow,
            faintBar: style(q('tr.pa-cited th')).boxShadow,
            strongBackground: style(q('tr.pa-answer mark')).backgroundColor,
            faintBackground: style(q('tr.pa-cited mark')).backgroundColor,
          };
        }""")
        assert int(styles["strong"]) >= 700 and int(styles["faint"]) < 600, styles
        assert "4px" in styles["strongBar"] and styles["strongBar"] != styles["faintBar"], styles
        assert styles["strongBackground"] != styles["faintBackground"], styles
        # The panel scrolls to the answering line, which is in view when the panel is.
        source.scroll_into_view_if_needed()
        strong.scroll_into_view_if_needed()
        expect(strong).to_be_in_viewport()
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"browser-highlights-{size}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        assert external == []
    finally:
        context.close()


def test_downloads_come_with_one_click(real_app, page):
    from playwright.sync_api import expect

    page.goto(real_app.url, wait_until="domcontentloaded")
    ask(page, "Wo fehlen Kita-Plätze?")
    expect(page.locator("#chat")).to_contain_text("nicht erwähnt in", timeout=ANSWER_TIMEOUT)
    with page.expect_download() as places:
        page.locator("#orte-csv").click()
    table = Path(places.value.path()).read_text(encoding="utf-8-sig")
    assert places.value.suggested_filename.endswith(".csv") and "Bismarck" in table and "Altstadt" in table
    with page.expect_download() as conversation:
        page.locator("#export").click()  # the second download: a new file, fetched as well
    assert conversation.value.suggested_filename.endswith(".md")
    assert "Kita" in Path(conversation.value.path()).read_text(encoding="utf-8")


def test_shared_link_asks_its_question(real_app, page):
    from playwright.sync_api import expect

    page.goto(real_app.url + "?q=" + quote("Was läuft gut in Bismarck?"), wait_until="domcontentloaded")
    expect(page.locator("#chat")).to_contain_text("gute Trägerlandschaft", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#quelle tr.pa-hit mark").first).to_be_visible()
    # A follow-up continues the conversation started by the link, and its own link carries both questions.
    ask(page, "Und in Feldmark?")
    expect(page.locator("#quelle")).to_contain_text("Feldmark", timeout=ANSWER_TIMEOUT)
    link = page.locator("#link textarea, #link input").first
    expect(link).to_have_value(re.compile(r"\?q=Was%20l%C3%A4uft%20gut%20in%20Bismarck%3F&q=Und%20in%20Feldmark%3F$"))
    shared = page.context.new_page()
    shared.goto(link.input_value(), wait_until="domcontentloaded")
    expect(shared.locator("#quelle")).to_contain_text("Feldmark", timeout=ANSWER_TIMEOUT)
    expect(shared.locator("#chat")).to_contain_text("gute Trägerlandschaft")
    shared.close()
    # Clicking the first answer shows its sources again, and feedback then rates that answer.
    page.locator("#chat").get_by_text("gute Trägerlandschaft").first.click()
    expect(page.locator("#quelle")).to_contain_text("Bismarck")
    page.locator("#begruendung textarea").fill("passt")
    page.locator("#daumen-hoch").click()
    expect(page.locator("#rueckmeldung")).to_contain_text("Bewertung „hilfreich“ zu Antwort 1 wurde gespeichert")
    assert page.external == []


def test_a_shared_link_keeps_the_restriction_its_answer_was_given_under(real_app, page):
    from playwright.sync_api import expect

    page.goto(real_app.url + "?q=" + quote("Was läuft gut?") + "&ort=Feldmark", wait_until="domcontentloaded")
    expect(page.locator("#chat")).to_contain_text("Eingegrenzt auf: Ort: Feldmark", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#quelle")).to_contain_text("Feldmark")
    expect(page.locator("#filter-ort")).to_contain_text("Feldmark")  # the dropdown shows it too
    link = page.locator("#link textarea, #link input").first
    expect(link).to_have_value(re.compile(r"\?q=Was%20l%C3%A4uft%20gut%3F&ort=Feldmark$"))
    # A value the protocols do not have (a place removed since, a typo): the question is asked without it, and said so.
    page.goto(real_app.url + "?q=" + quote("Was läuft gut in Bismarck?") + "&ort=Atlantis",
              wait_until="domcontentloaded")
    expect(page.locator("#chat")).to_contain_text("gute Trägerlandschaft", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#rueckmeldung")).to_contain_text("„Atlantis“ aus dem Link gibt es in den Protokollen nicht")
    assert page.external == []


def test_reader_filters_and_searches(real_app, page):
    from playwright.sync_api import expect

    page.goto(real_app.url, wait_until="domcontentloaded")
    page.get_by_role("tab", name="Protokolle lesen").click()
    reader = page.locator("#leser")
    expect(reader).to_contain_text("Austausch · Schalke · Tafel 1 von 4")
    search = page.locator("#suche textarea, #suche input").first
    search.fill("Kita")
    search.press("Enter")
    expect(reader).to_contain_text("die „Kita“ enthalten")
    expect(reader.locator("mark").first).to_have_text(re.compile("kita", re.IGNORECASE))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-reader.png"), full_page=True)


def test_hostile_corpus_renders_as_text(hostile_app, page):
    from playwright.sync_api import expect

    # A shared link can carry markup too: the question is shown as the text it is.
    hostile_question = 'Spielplätze <img src=x onerror="window.__pwned=4">?'
    page.goto(hostile_app.url + "?q=" + quote(hostile_question), wait_until="domcontentloaded")
    chat = page.locator("#chat")
    expect(chat).to_contain_text(hostile_question, timeout=ANSWER_TIMEOUT)
    expect(page.locator("#intro")).to_contain_text('Quartierswerkstatt <img src=x onerror="window.__pwned=3">')
    ask(page, "Was fehlt für Kinder in der Nordstadt?")
    expect(chat).to_contain_text("Was fehlt für Kinder in der Nordstadt?", timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text('Mehr Spielplätze für Kinder <img src=x onerror="window.__pwned=1">',
                                 timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text('<script>window.__pwned = 2; alert("xss")</script> Sichere Schulwege')
    source = page.locator("#quelle")
    expect(source).to_contain_text("<img src=x onerror=alert(1)>")
    expect(source).to_contain_text('<iframe src="http://example.com"></iframe>')
    expect(source).to_contain_text('Quartierswerkstatt <img src=x onerror="window.__pwned=3">')

    page.get_by_role("tab", name="Protokolle lesen").click()
    expect(page.locator("#leser")).to_contain_text("<script>window.__pwned = 2;")
    page.wait_for_timeout(500)  # give any injected handler the chance to run
    for area in ("#intro", "#chat", "#quellen", "#quelle", "#leser"):
        assert page.locator(f"{area} img, {area} script, {area} iframe").count() == 0, area
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert page.dialogs == []
    assert page.external == []


@pytest.mark.parametrize("size", list(SCREEN_SIZES))
def test_markers_open_their_source_and_preview_the_quoted_line(real_app, browser, size):
    from playwright.sync_api import expect

    width, height = SCREEN_SIZES[size]
    phone = size == "phone"
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": height}, is_mobile=phone,
                                  has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(real_app.url, wait_until="domcontentloaded")
        ask(page, "Welche Handlungsbedarfe gibt es in Schalke?")
        chat = page.locator("#chat")
        expect(chat).to_contain_text("mehr Grünflächen", timeout=ANSWER_TIMEOUT)
        # The sources are listed once, beside the chat (on a phone: right under it), not again in the answer.
        expect(chat).not_to_contain_text("zum Nachlesen")
        markers = chat.locator('a[href*="#quelle-0-"]')
        assert markers.count() >= 4
        # Hovering a marker previews its quoted line.
        second = chat.locator('a[href$="#quelle-0-2"]').first
        second.scroll_into_view_if_needed()
        second.hover()
        preview = page.locator("#pa-vorschau")
        expect(preview).to_be_visible()
        expect(preview).to_contain_text("mehr Grünflächen")
        # A click opens that source; the page stays (no new tab, no jump to an anchor).
        second.click()
        source = page.locator("#quelle")
        expect(source).to_contain_text("Quelle [2]")
        expect(source).to_contain_text("Schalke · Tafel 2 von 4")
        expect(page.locator("#quellen input[value='2']")).to_be_checked()
        assert len(context.pages) == 1 and "#" not in page.url
        if phone:
            # The source comes right under the answer: nothing of examples, feedback or link in between.
            expect(source.locator("h3")).to_be_in_viewport()
            source_top = page.locator("#quellen-spalte").bounding_box()["y"]
            for below in ("#beispiele-verwaltung", "#begruendung", "#link"):
                assert page.locator(below).bounding_box()["y"] > source_top, below
            # So does the source already shown when its marker is tapped again (the panel does not change), and
            # the preview does not stay over the answer. The page scrolls to the panel once per tap: wait for it.
            page.wait_for_function("() => window.paScrollToSource === false")
            second.scroll_into_view_if_needed()
            expect(source.locator("h3")).not_to_be_in_viewport()
            second.click()
            expect(source.locator("h3")).to_be_in_viewport()
            expect(preview).to_be_hidden()
        # Keyboard: a marker takes the focus visibly and Enter opens its source.
        third = chat.locator('a[href$="#quelle-0-3"]').first
        third.focus()
        expect(preview).to_be_visible()
        outline = third.evaluate("(e) => getComputedStyle(e).outlineStyle")
        assert outline not in ("none", ""), outline
        page.keyboard.press("Enter")
        expect(source).to_contain_text("Quelle [3]")
        # The Tab key stops once per source of an answer, not at every quoted line's marker.
        markers = chat.locator('a[href*="#quelle-0-"]')
        hrefs = markers.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
        stops = markers.evaluate_all(
            "(links) => links.filter((a) => a.tabIndex >= 0).map((a) => a.getAttribute('href'))")
        assert len(hrefs) > len(set(hrefs)) and sorted(stops) == sorted(set(hrefs)), (hrefs, stops)
        # The list of sources shows the keyboard focus as well.
        page.locator("#quellen input[value='1']").focus()
        ring = page.locator("#quellen label").first.evaluate("(e) => getComputedStyle(e).outlineStyle")
        assert ring not in ("none", ""), ring
        # Next questions under the answer: one click asks it.
        suggestion = chat.get_by_role("button", name="Handlungsbedarfe in Altstadt?")
        suggestion.scroll_into_view_if_needed()
        suggestion.click()
        expect(source).to_contain_text("Altstadt", timeout=ANSWER_TIMEOUT)
        expect(chat.locator('a[href*="#quelle-1-"]').first).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"browser-markers-{size}.png"))
    finally:
        context.close()


def test_the_chats_bin_starts_a_new_conversation(real_app, page):
    from playwright.sync_api import expect

    page.goto(real_app.url, wait_until="domcontentloaded")
    ask(page, "Was läuft gut in Schalke?")
    chat = page.locator("#chat")
    expect(chat).to_contain_text("Was läuft gut", timeout=ANSWER_TIMEOUT)
    chat.get_by_role("button", name=re.compile("Clear|Leeren|Löschen", re.IGNORECASE)).first.click()
    expect(page.locator("#link textarea, #link input").first).to_have_value("")
    expect(page.locator("#quelle")).not_to_contain_text("Quelle [1]")
    # what is asked next is a question of its own, not a follow-up on the cleared one
    ask(page, "Und in Heßler?")
    expect(chat).to_contain_text("Heßler", timeout=ANSWER_TIMEOUT)
    expect(chat).not_to_contain_text("Was läuft gut in Schalke?")
    expect(page.locator("#link textarea, #link input").first).to_have_value(re.compile(r"\?q=Und%20in%20He"))

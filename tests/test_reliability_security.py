"""Security: no file of the machine is reachable through the app, nothing can be uploaded, the question length
is limited on the server (whatever the client), and a hostile corpus never executes in Chromium (in places
tests/test_browser.py does not look: filter dropdowns, generic headings, table groups, manifest fields).

Outcomes go to test-artifacts/reliability-security.jsonl.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from gradio_client import Client
from test_browser import CHROMIUM, CHROMIUM_ARGS
from test_reliability_questions import CORPUS, Recorder, call_raw, load_real, serve

from assistant import Assistant
from index.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e

CANARY = "kanarienvogel-7f3a9c-geheim"


@pytest.fixture(scope="module")
def record():
    return Recorder("security")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    assistant = load_real(tmp_path_factory)
    secrets = tmp_path_factory.mktemp("secrets")
    (secrets / "geheim.txt").write_text(CANARY, encoding="utf-8")
    feedback = tmp_path_factory.mktemp("security-feedback")
    (feedback / "feedback.jsonl").write_text(json.dumps({"reason": CANARY}) + "\n", encoding="utf-8")
    server = serve(assistant, feedback)
    server.secret = secrets / "geheim.txt"
    server.feedback = feedback
    server.index = assistant.store.path
    yield server
    server.demo.close()


def targets(server) -> list[str]:
    """Files an attacker would want: system files, the project's code and data, the app's own folders."""
    corpus_file = CORPUS / "minden-ikon-workshopphase-1.txt"
    return [
        "/etc/passwd", "/etc/shadow", "/proc/self/environ", "/proc/self/cmdline", str(server.secret),
        str(server.feedback / "feedback.jsonl"), str(server.index / "passages.jsonl"),
        str(server.index / "manifest.json"),
        str(corpus_file), str(PROJECT_ROOT / "app.py"), str(PROJECT_ROOT / "pyproject.toml"),
        "app.py", "corpus/minden-ikon-workshopphase-1.txt", "../../../../../../etc/passwd",
        str(server.secret.parent), "/",
    ]


def url_variants(path: str) -> list[str]:
    encoded = quote(path, safe="")
    double = quote(encoded, safe="")
    traversal = "../" * 8 + path.lstrip("/")
    return [
        f"file={path}", f"gradio_api/file={path}", f"gradio_api/file={encoded}", f"gradio_api/file={double}",
        f"gradio_api/file/{path.lstrip('/')}", f"file/{path.lstrip('/')}", f"gradio_api/file=/tmp/gradio/../..{path}",
        f"static/{traversal}", f"assets/{traversal}", f"gradio_api/static/{traversal}", f"static/..%2F..%2F{encoded}",
        f"gradio_api/file=..%2F..%2F..%2F..%2F{path.lstrip('/')}", f"gradio_api/file=\\\\..\\\\..{path}",
        f"custom_component/x/y/{traversal}", f"gradio_api/proxy={path}", f"favicon.ico/../{traversal}",
    ]


def test_no_file_of_the_machine_is_reachable(served, record):
    passwd = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines()[0]
    minden_line = (CORPUS / "minden-ikon-workshopphase-1.txt").read_text(encoding="utf-8").splitlines()[5]
    secrets = [CANARY, passwd, minden_line, "def build_app(", "[project]", '"passage_count"', "PATH="]
    tried, statuses = 0, {}
    with httpx.Client(timeout=30) as http:
        for target in targets(served):
            for variant in url_variants(target):
                response = http.get(served.url + variant)
                tried += 1
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                body = response.text
                leaked = [secret for secret in secrets if secret and secret in body]
                assert not leaked, f"{variant} → {response.status_code} leaks {leaked}"
    record(f"file access: {tried} URLs (/file=, /gradio_api/file=, encoded, traversal, static, assets) for "
           f"system, project, corpus, index, feedback and canary files",
           f"nothing leaked; status codes {dict(sorted(statuses.items()))}")


def test_uploads_are_refused(served, record):
    response = httpx.post(served.url + "gradio_api/upload",
                          files={"files": ("x.html", b"<script>alert(1)</script>", "text/html")})
    assert response.status_code == 413, response.text
    record("upload to /gradio_api/upload", f"{response.status_code}: {response.text[:80]}")


def test_only_the_sessions_own_export_is_served(served, record):
    client = Client(served.url, verbose=False)
    client.predict("Was läuft gut in Bismarck?", [], [], [], api_name="/chat")
    exported = Path(client.predict(api_name="/export")["value"])
    client.close()
    # The download comes from Gradio's cache under an unguessable content hash, never from the app's folder.
    assert exported.exists() and "gradio" in str(exported)
    own = httpx.get(served.url + "gradio_api/file=" + str(exported))
    assert own.status_code == 200 and "Was läuft gut in Bismarck?" in own.text
    assert "attachment" in own.headers.get("content-disposition", "")
    for export_folder in sorted(Path("/tmp").glob("protokoll-export-*"))[:3]:
        response = httpx.get(served.url + "gradio_api/file=" + str(export_folder))
        assert response.status_code in (403, 404)
    record("export download", "served from Gradio's cache (content-hash path, as attachment); "
                              "the app's export folder itself is not reachable")


@pytest.mark.parametrize("api_name, data", [
    ("ask", ["x" * 5_000_000, None, None, None, None]),
    ("chat", ["Schalke? " * 600_000, [], [], []]),
    ("ask", ["Und in Bismarck?", ["y" * 1_000_000] * 5, None, None, None]),
])
def test_question_length_is_limited_on_the_server(served, record, api_name, data):
    """Plain HTTP, no browser and no gradio_client: the Textbox's max_length does not apply."""
    started = time.perf_counter()
    kind, payload = call_raw(served.url, api_name, data)
    seconds = time.perf_counter() - started
    if isinstance(data[1], list) and data[1] and len(data[1][0]) > 1000:
        # Over-long earlier turns are left out; the question itself is answered.
        assert kind == "complete", payload
        outcome = "answered, the over-long earlier turns left out"
    else:
        assert kind == "error" and payload.startswith("Die Frage ist zu lang ("), payload
        assert "höchstens 1000 Zeichen" in payload
        outcome = f"refused: {payload}"
    assert seconds < 30, seconds
    size = sum(len(x) for x in data if isinstance(x, str)) + sum(len(x) for x in (data[1] or []) if isinstance(x, str))
    record(f"server-side length limit: /{api_name} with {size / 1e6:.0f} MB of text by plain HTTP",
           f"{outcome} in {seconds:.1f} s")


# --- a hostile corpus in Chromium -------------------------------------------------------------------------------

HOSTILE_GENERIC = """\
# Ergebnisse <img src=x onerror="window.__pwned=15">

## Spielplätze <script>window.__pwned=16</script>

- Mehr Spielplätze für Kinder [klick](javascript:window.__pwned=17) ![bild](http://example.com/x.png)
- <a href="javascript:window.__pwned=18">Link</a> Schaukeln und Rutschen reparieren
- Formeln $x^2$ $$\\frac{a}{b}$$ `code` <style>body{display:none}</style> <svg onload="window.__pwned=19"></svg>
- <details open ontoggle="window.__pwned=20">x</details> <input autofocus onfocus="window.__pwned=21">

## Beleuchtung <iframe srcdoc="<script>parent.__pwned=22</script>"></iframe>

Die Wege im Park sind abends zu dunkel <object data="javascript:window.__pwned=23"></object>.
"""
HOSTILE_GENERIC_META = {
    "title": '<img src=x onerror="window.__pwned=11">Werkstatt',
    "short_title": "**Werkstatt**<script>window.__pwned=12</script>",
    "city": '<svg onload="window.__pwned=13">Nordstadt',
    "date": '<img src=y onerror="window.__pwned=14">',
}
HOSTILE_TABLE = (
    "Herausforderung\tZiel\tZielgruppe\tAngebot/Maßnahme\n"
    'Workshop 1 - Wohnen <img src=x onerror="window.__pwned=31">\t\t\t\n'
    '<p>Es fehlen Wohnungen <script>window.__pwned=32</script></p>\t<p>Mehr Wohnraum</p>\t'
    '<p>Familien</p>\t<p>Anregung 1: <img src=z onerror="window.__pwned=33"> Leerstand melden</p>\n'
    "\t\t\t<p>Anregung 2: [mehr](javascript:window.__pwned=34) Mietberatung</p>\n"
)
HOSTILE_TABLE_META = {"title": "Tabellen <b>fett</b>", "kind": "workshop-tabellen", "city": "Minden<script>x</script>"}
# Elements the hostile corpus would inject (Gradio's own icons are SVGs without handlers, so SVG counts only
# with a handler; the corpus' images have the sources x, y and z).
DANGEROUS = ("script, iframe, object, embed, img[src='x'], img[src='y'], img[src='z'], svg[onload], "
             "details[ontoggle], input[onfocus], a[href^='javascript:']")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("hostile-corpus-2")
    (corpus / "werkstatt.md").write_text(HOSTILE_GENERIC, encoding="utf-8")
    (corpus / "werkstatt.md.meta.json").write_text(json.dumps(HOSTILE_GENERIC_META), encoding="utf-8")
    (corpus / "tabelle.txt").write_text(HOSTILE_TABLE, encoding="utf-8")
    (corpus / "tabelle.txt.meta.json").write_text(json.dumps(HOSTILE_TABLE_META), encoding="utf-8")
    assistant = Assistant.load(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("hostile-index-2"))
    assert {p.source for p in assistant.store.passages} == {"werkstatt.md", "tabelle.txt"}
    server = serve(assistant, tmp_path_factory.mktemp("hostile-feedback-2"))
    yield server
    server.demo.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} fehlt: apt-get install -y chromium (nie `playwright install`).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_hostile_corpus_never_executes_in_chromium(hostile, browser, record):
    from playwright.sync_api import expect

    context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    dialogs, external = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: external.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    page.set_default_timeout(30_000)
    try:
        page.goto(hostile.url, wait_until="domcontentloaded")
        expect(page.locator("#intro")).to_contain_text("**Werkstatt**<script>window.__pwned=12</script>")
        # The filter dropdowns list documents, cities and workshops taken from the manifests and the tables.
        page.get_by_text("Suche eingrenzen").click()
        for dropdown, shown in (("#filter-dokument", "**Werkstatt**<script>"), ("#filter-ort", "<svg onload=")):
            page.locator(f"{dropdown} input").click()
            options = page.locator(f"{dropdown} [role=listbox]")
            expect(options).to_contain_text(shown)
            assert options.locator(f":is({DANGEROUS})").count() == 0
            page.keyboard.press("Escape")
        # Ask, and open every cited source.
        box = page.locator("#frage textarea")
        for question in ("Was ist mit den Spielplätzen für Kinder?", "Es fehlen Wohnungen, was tun?"):
            box.fill(question)
            box.press("Enter")
            expect(page.locator("#chat")).to_contain_text(question, timeout=90_000)
            expect(page.locator("#quellen label").first).to_be_visible(timeout=90_000)
            for number in range(page.locator("#quellen label").count()):
                page.locator("#quellen label").nth(number).click()
                expect(page.locator("#quelle")).to_contain_text(f"Quelle [{number + 1}]")
        expect(page.locator("#chat")).to_contain_text("[klick](javascript:window.__pwned=17)")
        expect(page.locator("#quelle")).to_contain_text("Anregung")
        page.get_by_role("tab", name="Protokolle lesen").click()
        reader = page.locator("#leser")
        expect(reader).to_contain_text('<iframe srcdoc="<script>parent.__pwned=22</script>"></iframe>')
        expect(reader).to_contain_text('Workshop 1 - Wohnen <img src=x onerror="window.__pwned=31">')
        page.wait_for_timeout(800)  # time for any injected handler to fire
        for area in ("#intro", "#chat", "#quellen", "#quelle", "#leser", "#filter-dokument", "#filter-ort",
                     "#filter-abschnitt"):
            assert page.locator(f"{area} :is({DANGEROUS})").count() == 0, area
        injected = page.evaluate(r"""() => [...document.querySelectorAll(
            'iframe, object, embed, [onerror], [onload], [ontoggle], [onfocus], a[href^="javascript:"]')]
            .map(e => e.outerHTML.slice(0, 120))
            .concat([...document.scripts]  // Gradio's config and API-info scripts carry the texts as JSON data
                .filter(s => s.text.includes('__pwned') && !/^window\.gradio_(config|api_info) = \{/.test(s.text))
                .map(s => s.outerHTML.slice(0, 120)))""")
        assert injected == [], injected
        assert page.locator("style", has_text="body{display:none}").count() == 0
        assert page.evaluate("() => window.__pwned") is None
        assert dialogs == [] and external == []
    finally:
        context.close()
    record("hostile corpus in Chromium (markup in titles, city, date, headings, table groups and cells; "
           "Markdown links/images, LaTeX, <style>, <svg>, <iframe srcdoc>, <details ontoggle>)",
           "shown as literal text in intro, filter dropdowns, chat, sources and reader; no element injected, "
           "no handler ran, no dialog, no request leaving the machine")

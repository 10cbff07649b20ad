"""Reliability: `protokoll index` killed with SIGKILL at random moments, and several runs at once.

The corpus is the Minden protocol (its rebuild embeds ~1,000 passages and lines: several seconds), the index
folder one that already holds a good generation. After every kill the unchanged corpus must load the previous
generation (or a complete new one) without rebuilding, and answer; a half-written generation is never used.
Outcomes go to test-artifacts/reliability-crash.jsonl.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_reliability_questions import Recorder

from assistant import Assistant
from assistant.retrieve import Retriever
from index.settings import PROJECT_ROOT
from index.store import CURRENT, current_generation, load_index, read_generation

pytestmark = pytest.mark.e2e

PROTOKOLL = Path(sys.executable).with_name("protokoll")
MINDEN = "minden-ikon-workshopphase-1.txt"
SEED = 20261123
KILLS = 6  # random moments, one in each sixth of a full build's duration
QUESTION = "Wer kümmert sich um die Anerkennung von Zeugnissen aus dem Ausland?"
EXPECTED = ("Arbeitsmarktintegration", "Herausforderung 1")


@pytest.fixture(scope="module")
def record():
    return Recorder("crash")


def start(corpus: Path, index_dir: Path, log: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", HF_HUB_OFFLINE="1")
    handle = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed by finish()
    process = subprocess.Popen([str(PROTOKOLL), "index", "--corpus", str(corpus), "--index", str(index_dir),
                                *extra], stdout=handle, stderr=subprocess.STDOUT, env=env)
    process.log_handle = handle
    process.log_path = log
    return process


def finish(process: subprocess.Popen, timeout: float = 600) -> tuple[int, str]:
    code = process.wait(timeout=timeout)
    process.log_handle.close()
    return code, process.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The corpus and an index folder with one good generation, built by the command; its duration."""
    base = tmp_path_factory.mktemp("crash")
    corpus = base / "corpus"
    corpus.mkdir()
    for name in (MINDEN, MINDEN + ".meta.json"):
        shutil.copy(PROJECT_ROOT / "corpus" / name, corpus / name)
    index_dir = base / "index"
    started = time.monotonic()
    code, output = finish(start(corpus, index_dir, base / "first.log"))
    seconds = time.monotonic() - started
    assert code == 0, output[-3000:]
    return corpus, index_dir, seconds


def copy_index(index_dir: Path, target: Path) -> Path:
    shutil.copytree(index_dir, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def leftovers(index_dir: Path) -> list[str]:
    return sorted(entry.name for entry in index_dir.iterdir() if entry.name.endswith(".tmp"))


def assert_answers(store_or_assistant) -> None:
    assistant = store_or_assistant
    if not isinstance(assistant, Assistant):
        assistant = Assistant(Retriever(store_or_assistant))
    answer = assistant.ask(QUESTION)
    assert any(all(part in hit.citation for part in EXPECTED) for hit in answer.passages[:3]), \
        [hit.citation for hit in answer.passages]


def kill_at(process: subprocess.Popen, index_dir: Path, seconds: float | None, watch: str | None = None,
            limit: float = 300) -> str:
    """SIGKILL after `seconds`, or as soon as an entry starting with `watch` appears in the index folder."""
    started = time.monotonic()
    known = set(os.listdir(index_dir)) if index_dir.exists() else set()
    while process.poll() is None and time.monotonic() - started < limit:
        if seconds is not None and time.monotonic() - started >= seconds:
            break
        if watch is not None and index_dir.exists():
            if any(name.startswith(watch) and name not in known for name in os.listdir(index_dir)):
                break
        time.sleep(0.001 if watch else 0.01)
    if process.poll() is not None:
        return "finished before the kill"
    process.kill()  # SIGKILL: no cleanup, no atexit, no finally
    return f"killed after {time.monotonic() - started:.2f} s"


def test_sigkill_at_random_moments_leaves_the_previous_index_usable(seeded, tmp_path, record):
    corpus, seed_index, build_seconds = seeded
    index_dir = copy_index(seed_index, tmp_path / "index")
    previous = current_generation(index_dir).name
    rng = random.Random(SEED)
    span = max(build_seconds, 2.0)
    moments = [rng.uniform(span * n / KILLS, span * (n + 1) / KILLS) for n in range(KILLS)]
    plans = [(f"random moment {n + 1} ({moment:.2f} s of ~{span:.1f} s)", moment, None)
             for n, moment in enumerate(moments)]
    plans.append(("when the new generation's staging folder appears", None, ".gen-"))
    plans.append(("when the new generation folder is renamed into place", None, "gen-"))
    for label, moment, watch in plans:
        process = start(corpus, index_dir, tmp_path / "run.log", "--rebuild")
        what = kill_at(process, index_dir, moment, watch)
        code, output = finish(process)
        current = current_generation(index_dir)
        assert current is not None, f"{label}: CURRENT names no generation ({output[-500:]})"
        assert current.name.startswith("gen-") and not current.name.endswith(".tmp")
        read_generation(current)  # complete and consistent: checksums, counts, dimensions
        assistant = Assistant.load(corpus_dir=corpus, index_dir=index_dir)
        store = assistant.store
        assert not store.built_now, f"{label}: the unchanged corpus must not need a rebuild after the kill"
        assert store.path == current
        assert_answers(assistant)
        if code == 0:
            outcome = "finished; its new generation is current"
        elif store.path.name == previous:
            outcome = "previous generation loaded without rebuilding and answers"
        else:
            outcome = "the new generation was already complete and switched to; loaded without rebuilding"
        record(f"SIGKILL {label}", f"{what}; {outcome}; left behind: {', '.join(leftovers(index_dir)) or 'nothing'}")
        previous = store.path.name


def test_two_index_runs_at_once_end_with_one_consistent_generation(seeded, tmp_path, record):
    corpus_seed, seed_index, _ = seeded
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_seed, corpus)
    index_dir = copy_index(seed_index, tmp_path / "index")
    # Litter of earlier crashes: a half-written generation and a half-written pointer update.
    (index_dir / ".gen-20200101-000000-1-1.tmp").mkdir()
    (index_dir / ".gen-20200101-000000-1-1.tmp" / "passages.jsonl").write_text("{", encoding="utf-8")
    (index_dir / f".{CURRENT}.4711.tmp").write_text("gen-kaputt", encoding="utf-8")
    # A new file: both runs find the index stale. The first rebuilds everything, the second waits for the
    # lock and must then take the first one's generation instead of writing its own.
    (corpus / "nachtrag.txt").write_text("# Nachtrag\n\nDie Sprachkurse sollen auch abends stattfinden.\n",
                                         encoding="utf-8")
    first = start(corpus, index_dir, tmp_path / "first.log", "--rebuild")
    time.sleep(0.5)
    second = start(corpus, index_dir, tmp_path / "second.log")
    (code_1, output_1), (code_2, output_2) = finish(first), finish(second)
    assert code_1 == 0, output_1[-3000:]
    assert code_2 == 0, output_2[-3000:]
    assert "aktuell, keine Änderungen" in output_2, "the second run uses the first one's generation"
    generations = sorted(entry.name for entry in index_dir.iterdir() if entry.is_dir())
    assert len(generations) == 1, generations
    assert leftovers(index_dir) == [], "crash litter is cleaned up by the next build"
    assert (index_dir / CURRENT).read_text(encoding="utf-8").strip() == generations[0]
    store = load_index(corpus, index_dir)
    assert not store.built_now and store.path.name == generations[0]
    assert "nachtrag.txt" in {p.source for p in store.passages}
    assert_answers(store)
    record("`protokoll index --rebuild` and `protokoll index` at once on a changed corpus",
           "both exit 0; the second waits for the file lock and takes the first one's generation; "
           "one consistent generation, crash litter removed")


def test_a_killed_lock_holder_does_not_block_the_next_build(seeded, tmp_path, record):
    corpus, seed_index, _ = seeded
    index_dir = copy_index(seed_index, tmp_path / "index")
    holder = start(corpus, index_dir, tmp_path / "holder.log", "--rebuild")
    started = time.monotonic()
    # The progress bar is drawn inside the lock: from then on the holder has it.
    while "Einbetten" not in (tmp_path / "holder.log").read_text(encoding="utf-8", errors="replace"):
        assert holder.poll() is None, finish(holder)[1][-2000:]
        assert time.monotonic() - started < 300
        time.sleep(0.05)
    waiter = start(corpus, index_dir, tmp_path / "waiter.log", "--rebuild")
    time.sleep(1.0)
    holder.kill()
    finish(holder)
    code, output = finish(waiter)
    assert code == 0, output[-3000:]
    store = load_index(corpus, index_dir)
    assert not store.built_now
    assert sorted(entry.name for entry in index_dir.iterdir() if entry.is_dir()) == [store.path.name]
    assert_answers(store)
    record("SIGKILL of the process holding the index lock while another waits",
           "the lock dies with its holder (fcntl); the waiting run builds and exits 0")

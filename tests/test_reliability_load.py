"""Reliability under load: 32 users at once, each with its own session and its own question (asked the way the
app page asks), against the app in this process with its default queue settings. Every answer must cite the right
board (so sessions cannot get mixed up), and p50/p95 latency and peak RSS are written to
test-artifacts/reliability-load.json and printed (pytest -s). The same run as a script: python -m benchmarks.load
--in-process (without it, the app runs as python app.py in a process of its own).
"""

from __future__ import annotations

import json

import pytest
from test_reliability_questions import ARTIFACTS, Recorder, load_real

import app
from benchmarks import load

pytestmark = pytest.mark.e2e

USERS = 32


def test_default_queue_holds_32_users_with_room_for_their_page_loads():
    settings = app.ServerSettings()
    assert settings.queue_size >= 2 * USERS, "each browser session may have a page-load event and a question waiting"
    assert settings.concurrency == 2, "one question embedded while another is ranked (benchmarks/load.py)"


def test_32_concurrent_users_are_all_answered_correctly(tmp_path_factory):
    record = Recorder("load")
    assistant = load_real(tmp_path_factory)
    summary = load.run(assistant, users=USERS, work_dir=tmp_path_factory.mktemp("load"))
    report = {key: value for key, value in summary.items() if key != "results"}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "reliability-load.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                                     encoding="utf-8")
    print(f"\n{USERS} users, concurrency {report['concurrency']}, queue {report['queue_size']}: "
          f"p50 {report['p50_s']} s, p95 {report['p95_s']} s, max {report['max_s']} s, "
          f"{report['throughput_per_s']} answers/s, peak RSS {report['peak_rss_mb']} MB "
          f"(before {report['rss_before_mb']} MB), load average {report['load_average']}")
    assert report["errors"] == [], report["errors"]
    assert report["wrong"] == [], report["wrong"]
    assert report["answered"] == report["correct"] == USERS
    record(f"{USERS} concurrent users (/chat and /ask alternating)",
           f"all {USERS} answered and cite the right board; p50 {report['p50_s']} s, p95 {report['p95_s']} s, "
           f"peak RSS {report['peak_rss_mb']} MB (concurrency {report['concurrency']}, "
           f"queue {report['queue_size']})")

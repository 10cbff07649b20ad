"""Load: many concurrent users of the app, each with its own session, asking different questions.

The app runs as `python app.py` on a free port, in a process of its own (its CPU time and peak RSS are read from
/proc), and the users are tasks of this process. By default each user speaks the app's HTTP protocol the way the
page in a browser does (POST queue/join, then the answer from the queue/data event stream), over one connection of
its own. With --client gradio each user is a gradio_client Client instead: that client makes a TLS context for
every request and polls from threads of its own, and on a 2-core machine its work (several times the server's,
see "client CPU") competes with the server for the cores, so the figures say as much about the clients as about
the app. With --in-process the app runs in this process too. Every answer is checked against the board it must
cite, so answers that get mixed up between sessions count as wrong, not as fast.

    .venv/bin/python -m benchmarks.load                   # 32 users, the default queue settings
    .venv/bin/python -m benchmarks.load --concurrency 1 2 --users 32 64
    .venv/bin/python -m benchmarks.load --client gradio   # users as gradio_client Clients
    .venv/bin/python -m benchmarks.load --in-process      # the app in this process, beside its users
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.settings import PROJECT_ROOT

DISTRICTS = ("Altstadt", "Schalke", "Schalke-Nord", "Bismarck", "Bulmke-Hüllen", "Feldmark", "Heßler")
SECTION_QUESTIONS = {
    "Was läuft gut": "Was läuft gut in {place}?",
    "Handlungsbedarfe": "Welche Handlungsbedarfe gibt es in {place}?",
    "Worauf kommt es an": "Worauf kommt es in {place} besonders an?",
}
# Questions of our own (not the evaluation set), each with what one of its first cited passages must name.
OTHER_QUESTIONS = [
    ("Wer kümmert sich um die Anerkennung von Zeugnissen aus dem Ausland?", ("Arbeitsmarktintegration",
                                                                            "Herausforderung 1")),
    ("Wie sollen ältere Geflüchtete in Arbeit kommen?", ("Arbeitsmarktintegration", "Herausforderung 2")),
    ("Warum brechen Azubis mit Migrationshintergrund die Ausbildung ab?", ("Arbeitsmarktintegration",
                                                                          "Herausforderung 3")),
    ("Was wird gegen beengtes Wohnen von Flüchtlingsfamilien vorgeschlagen?", ("Wohnen", "Herausforderung 1")),
    ("Welche Rolle spielt Sport für die Integration in Minden?", ("Zusammenleben und Teilhabe",
                                                                  "Herausforderung 3")),
    ("Was hilft bei der frühkindlichen Bildung?", ("Bildung", "Herausforderung 2")),
    ("Wie kann Mediation im Stadtteil helfen?", ("Thema 2",)),
    ("Was wurde zu Sprachkursen mit Praktikum besprochen?", ("Thema 13",)),
    ("Was ist für die offene Jugendarbeit geplant?", ("Thema 8",)),
    ("Wie oft soll eine Stadtteilkonferenz stattfinden?", ("Thema 1",)),
    ("Segregation in den schwächsten Stadtteilen", ("Wohnen", "Herausforderung 3")),
]
CHECK_TOP = 3
CONNECT_ATTEMPTS = 3  # the expected board must be among the first cited passages


@dataclass
class LoadQuestion:
    question: str
    expected: tuple[str, ...]  # all of these in one of the first CHECK_TOP citations


@dataclass
class UserResult:
    user: int
    endpoint: str
    question: str
    seconds: float | None = None
    citations: list[str] = field(default_factory=list)
    correct: bool = False
    error: str | None = None


def load_questions(users: int = 32) -> list[LoadQuestion]:
    """`users` different questions (repeating the list only when more users than questions are asked for)."""
    questions = [
        LoadQuestion(template.format(place=place), (f"Austausch · {place} · Tafel", section))
        for place in DISTRICTS
        for section, template in SECTION_QUESTIONS.items()
    ]
    questions += [LoadQuestion(question, expected) for question, expected in OTHER_QUESTIONS]
    return [questions[n % len(questions)] for n in range(users)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def serve(assistant, feedback_dir: Path, concurrency: int | None = None,
          queue_size: int | None = None):
    """The app over an assistant on a free local port, with the default queue settings unless given."""
    import app
    from ui.server import warm_up

    warm_up(assistant)  # as `python app.py` does before it serves
    settings = app.ServerSettings(port=free_port())
    if concurrency is not None:
        settings.concurrency = concurrency
    if queue_size is not None:
        settings.queue_size = queue_size
    demo = app.build_app(assistant, feedback_dir=feedback_dir)
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    return demo, url, settings


class AppProcess:
    """`python app.py` on a free port over an index folder, until closed."""

    def __init__(self, index_dir: Path, corpus_dir: Path, data_dir: Path, settings, timeout: float = 300) -> None:
        import httpx

        self.settings = settings
        env = dict(os.environ, PROTOKOLL_INDEX=str(index_dir), PROTOKOLL_CORPUS=str(corpus_dir),
                   PROTOKOLL_DATA=str(data_dir), PROTOKOLL_PORT=str(settings.port),
                   PROTOKOLL_CONCURRENCY=str(settings.concurrency), PROTOKOLL_QUEUE_SIZE=str(settings.queue_size))
        for name in ("PROTOKOLL_USER", "PROTOKOLL_PASSWORD", "PROTOKOLL_HOST"):
            env.pop(name, None)
        self.process = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "app.py")], cwd=PROJECT_ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{settings.port}/"
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"app.py ended with code {self.process.returncode}: "
                                   f"{self.process.stderr.read()[-2000:]}")
            try:
                if httpx.get(self.url, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"app.py did not answer within {timeout} s")
            time.sleep(0.5)

    def peak_rss_mb(self) -> float:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return float("nan")
        line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), "VmHWM: nan kB")
        return float(line.split()[1]) / 1024

    def current_rss_mb(self) -> float:
        try:
            pages = int(Path(f"/proc/{self.process.pid}/statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            return float("nan")
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def citations_of(endpoint: str, result) -> list[str]:
    if endpoint == "/ask":
        return [passage["citation"] for passage in result["passages"]]
    citations = result[2]  # /chat: question box, chat, citation radio, source, link, status
    return [label for label, _ in citations["choices"]]


def run_users(url: str, questions: list[LoadQuestion], timeout: float = 600) -> list[UserResult]:
    """One thread per question, each with its own Client (its own session); all ask at the same moment.

    Even users use the chat endpoint of the page, odd ones the JSON API; latency is from the moment all
    users are connected until each one's answer is back.
    """
    from gradio_client import Client

    barrier = threading.Barrier(len(questions))
    results = [UserResult(n, "/chat" if n % 2 == 0 else "/ask", q.question) for n, q in enumerate(questions)]

    def user(n: int) -> None:
        result, wanted = results[n], questions[n]
        for attempt in range(CONNECT_ATTEMPTS):  # connecting is not timed; 32 at once may time out on a busy machine
            try:
                client = Client(url, verbose=False)
                break
            except Exception as error:  # noqa: BLE001 - recorded and reported, the run goes on
                if attempt + 1 == CONNECT_ATTEMPTS:
                    result.error = f"connect: {error.__class__.__name__}: {error}"
                    barrier.abort()
                    return
                time.sleep(1 + attempt)
        try:
            barrier.wait(timeout=timeout)
        except threading.BrokenBarrierError:
            result.error = result.error or "another user could not connect"
            return
        started = time.perf_counter()
        try:
            if result.endpoint == "/ask":
                answer = client.predict(wanted.question, api_name="/ask")
            else:
                answer = client.predict(wanted.question, [], [], [], api_name="/chat")
            result.seconds = time.perf_counter() - started
            result.citations = citations_of(result.endpoint, answer)
            result.correct = any(all(part in citation for part in wanted.expected)
                                 for citation in result.citations[:CHECK_TOP])
        except Exception as error:  # noqa: BLE001
            result.seconds = time.perf_counter() - started
            result.error = f"{error.__class__.__name__}: {error}"
        finally:
            try:
                client.close()
            except Exception:  # noqa: BLE001, S110 - closing is best effort
                pass

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(len(questions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


def process_cpu_seconds(pid: int | None = None) -> float:
    """User and system CPU time of a process so far (this one by default)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_browsers(url: str, questions: list[LoadQuestion], timeout: float = 600) -> list[UserResult]:
    """One asyncio task per question, each a session of its own that asks the way the app page does; all ask at
    the same moment. Even users use the chat event of the page, odd ones the JSON API."""
    import asyncio

    return asyncio.run(_browsers(url, questions, timeout))


async def _browsers(url: str, questions: list[LoadQuestion], timeout: float) -> list[UserResult]:
    import asyncio
    import uuid

    import httpx

    results = [UserResult(n, "/chat" if n % 2 == 0 else "/ask", q.question) for n, q in enumerate(questions)]
    tls = ssl.create_default_context()  # made once: the app is plain HTTP, and making one per user costs CPU
    connected = 0
    everyone_connected = asyncio.Event()

    async def user(n: int) -> None:
        nonlocal connected
        result, wanted = results[n], questions[n]
        async with httpx.AsyncClient(base_url=url, timeout=timeout, verify=tls,
                                     limits=httpx.Limits(max_connections=2)) as client:
            try:  # connecting is not timed: the page's configuration, as a browser loads it
                config = (await client.get("config")).raise_for_status().json()
                event = next(d for d in config["dependencies"] if d.get("api_name") == result.endpoint[1:])
            except Exception as error:  # noqa: BLE001 - recorded and reported, the run goes on
                result.error = f"connect: {error.__class__.__name__}: {error}"
            connected += 1
            if connected == len(questions):
                everyone_connected.set()
            await everyone_connected.wait()
            if result.error:
                return
            # Every input slot is sent; a state slot is None (the server keeps the state), filters are empty.
            types = {c["id"]: c.get("type") for c in config["components"]}
            data = [wanted.question] + [None if types.get(i) == "state" else [] for i in event["inputs"][1:]]
            session = uuid.uuid4().hex[:11]
            started = time.perf_counter()
            try:
                joined = await client.post(f"{config['api_prefix'].strip('/')}/queue/join",
                                           json={"data": data, "fn_index": event["id"], "session_hash": session,
                                                 "event_data": None, "trigger_id": None})
                joined.raise_for_status()
                event_id = joined.json()["event_id"]
                output = await completed(client, config["api_prefix"].strip("/"), session, event_id)
                result.seconds = time.perf_counter() - started
                if result.endpoint == "/ask":
                    result.citations = [passage["citation"] for passage in output[0]["passages"]]
                else:
                    radio = event["outputs"].index(next(i for i in event["outputs"] if types.get(i) == "radio"))
                    result.citations = [label for label, _ in output[radio]["choices"]]
                result.correct = any(all(part in citation for part in wanted.expected)
                                     for citation in result.citations[:CHECK_TOP])
            except Exception as error:  # noqa: BLE001
                result.seconds = time.perf_counter() - started
                result.error = f"{error.__class__.__name__}: {error}"

    await asyncio.gather(*(user(n) for n in range(len(questions))))
    return results


async def completed(client, prefix: str, session: str, event_id: str) -> list:
    """The output of one event, read from the session's event stream."""
    async with client.stream("GET", f"{prefix}/queue/data", params={"session_hash": session}) as stream:
        stream.raise_for_status()
        async for line in stream.aiter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("event_id") != event_id or message.get("msg") != "process_completed":
                continue
            if not message.get("success"):
                raise RuntimeError(message.get("output", {}).get("error") or message.get("title") or "failed")
            return message["output"]["data"]
    raise RuntimeError("the event stream ended without an answer")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summarize(results: list[UserResult], settings, rss_before_mb: float, wall_seconds: float,
              peak_mb: float | None = None, where: str = "in-process", client: str = "browser",
              cpu: dict | None = None) -> dict:
    times = [r.seconds for r in results if r.seconds is not None and r.error is None]
    return {
        "users": len(results),
        "server": where,
        "client": client,
        "concurrency": settings.concurrency,
        "queue_size": settings.queue_size,
        "answered": len(times),
        "correct": sum(r.correct for r in results),
        "errors": [f"user {r.user} ({r.endpoint}): {r.error}" for r in results if r.error],
        "wrong": [f"user {r.user} ({r.endpoint}) {r.question!r}: {r.citations[:CHECK_TOP]}"
                  for r in results if not r.error and not r.correct],
        "p50_s": round(statistics.median(times), 3) if times else None,
        "p95_s": round(percentile(times, 95), 3) if times else None,
        "max_s": round(max(times), 3) if times else None,
        "wall_s": round(wall_seconds, 3),  # connecting all users, then answering them
        "throughput_per_s": round(len(times) / max(times), 2) if times else None,  # answers per second of answering
        "rss_before_mb": round(rss_before_mb, 1),
        "peak_rss_mb": round(peak_rss_mb() if peak_mb is None else peak_mb, 1),
        # CPU seconds from the moment the users connect until the last answer (server: the app's process)
        "server_cpu_s": round(cpu["server"], 2) if cpu and cpu.get("server") is not None else None,
        "client_cpu_s": round(cpu["client"], 2) if cpu else None,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def first_answer(url: str) -> None:
    from gradio_client import Client

    warm = Client(url, verbose=False)
    warm.predict("Was läuft gut in Schalke?", api_name="/ask")  # first answer: lazy parts get loaded
    warm.close()


def wait_until_idle(pid: int | None = None, quiet_seconds: float = 2.0, timeout: float = 600) -> float:
    """Wait until a process has used (almost) no CPU for quiet_seconds: the app prepares its example answers and
    next questions beside serving after it starts, and a load test measures it afterwards, as it runs for days.
    The seconds waited."""
    started = time.monotonic()
    last = process_cpu_seconds(pid)
    quiet_since = time.monotonic()
    while time.monotonic() - started < timeout:
        time.sleep(0.5)
        now = process_cpu_seconds(pid)
        if now - last > 0.05:  # more than 10 % of a core over the last half second
            quiet_since = time.monotonic()
        last = now
        if time.monotonic() - quiet_since >= quiet_seconds:
            break
    return time.monotonic() - started


USERS = {"browser": run_browsers, "gradio": run_users}


def run(assistant, users: int = 32, concurrency: int | None = None,
        queue_size: int | None = None, work_dir: Path | None = None, client: str = "browser") -> dict:
    """Serve the app in this process, warm it up with one question, let `users` users ask at once; the summary
    as a dict."""
    work = Path(work_dir or tempfile.mkdtemp(prefix="load-"))
    demo, url, settings = serve(assistant, work / "feedback", concurrency, queue_size)
    try:
        first_answer(url)
        wait_until_idle()
        rss_before = current_rss_mb()
        started, cpu_before = time.perf_counter(), process_cpu_seconds()
        results = USERS[client](url, load_questions(users))
        cpu = {"server": None, "client": process_cpu_seconds() - cpu_before}
        summary = summarize(results, settings, rss_before, time.perf_counter() - started, client=client, cpu=cpu)
    finally:
        demo.close()
    summary["results"] = [asdict(r) for r in results]
    return summary


def run_process(index_dir: Path, corpus_dir: Path, users: int = 32, concurrency: int | None = None,
                queue_size: int | None = None, work_dir: Path | None = None, client: str = "browser",
                rounds: int = 1) -> list[dict]:
    """The same with the app as `python app.py` in a process of its own, `rounds` times, each with a fresh app
    (asked again, the same questions would come from its caches). One summary per round."""
    from ui.settings import ServerSettings

    work = Path(work_dir or tempfile.mkdtemp(prefix="load-"))
    settings = ServerSettings(port=free_port())
    settings.concurrency = concurrency or settings.concurrency
    settings.queue_size = queue_size or settings.queue_size
    summaries = []
    for _ in range(rounds):
        app = AppProcess(index_dir, corpus_dir, work / "data", settings)
        try:
            first_answer(app.url)
            wait_until_idle(app.process.pid)
            rss_before = app.current_rss_mb()
            started = time.perf_counter()
            server_before, client_before = process_cpu_seconds(app.process.pid), process_cpu_seconds()
            results = USERS[client](app.url, load_questions(users))
            cpu = {"server": process_cpu_seconds(app.process.pid) - server_before,
                   "client": process_cpu_seconds() - client_before}
            summary = summarize(results, settings, rss_before, time.perf_counter() - started, app.peak_rss_mb(),
                                "own process", client, cpu)
            summary["results"] = [asdict(r) for r in results]
            summaries.append(summary)
        finally:
            app.close()
    return summaries


def report(summary: dict) -> None:
    print(f"{summary['server']}, {summary['client']} users {summary['users']:>3}  "
          f"concurrency {summary['concurrency']}  "
          f"queue {summary['queue_size']:>3}  "
          f"answered {summary['answered']:>3}  correct {summary['correct']:>3}  p50 {summary['p50_s']} s  "
          f"p95 {summary['p95_s']} s  max {summary['max_s']} s  {summary['throughput_per_s']} answers/s  "
          f"wall {summary['wall_s']} s  CPU server {summary['server_cpu_s']} s client "
          f"{summary['client_cpu_s']} s  "
          f"peak RSS {summary['peak_rss_mb']} MB", flush=True)
    for line in summary["errors"][:5] + summary["wrong"][:5]:
        print("   ", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[32])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[None],
                        help="answers at a time (default: the app's setting)")
    parser.add_argument("--queue-size", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds, each against a freshly started app (this machine is noisy; "
                             "not with --in-process)")
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: a copy of data/index)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "test-artifacts" / "load.json")
    parser.add_argument("--in-process", action="store_true", help="serve the app in this process, beside its users")
    parser.add_argument("--client", choices=sorted(USERS), default="browser",
                        help="browser: the page's own protocol, one connection per user (default); "
                             "gradio: one gradio_client Client per user")
    args = parser.parse_args(argv)

    from assistant import Assistant
    from index.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="load-"))
    index_dir = args.index
    if index_dir is None:
        index_dir = work / "index"
        if Settings().index_dir.exists():
            shutil.copytree(Settings().index_dir, index_dir, ignore=shutil.ignore_patterns("*.lock"))
    corpus = PROJECT_ROOT / "corpus"
    assistant = Assistant.load(corpus_dir=corpus, index_dir=index_dir)  # builds the index when it is stale
    rows = []
    for concurrency in args.concurrency:
        for users in args.users:
            if args.in_process:
                summaries = [run(assistant, users, concurrency, args.queue_size, work, args.client)]
            else:
                summaries = run_process(index_dir, corpus, users, concurrency, args.queue_size, work, args.client,
                                        args.rounds)
            for summary in summaries:
                report(summary)
            rows += summaries
            if len(summaries) > 1:
                print(f"    median of {len(summaries)} rounds: "
                      f"{statistics.median(s['throughput_per_s'] or 0 for s in summaries):.2f} answers/s, "
                      f"p95 {statistics.median(s['p95_s'] or 0 for s in summaries):.3f} s", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps([{k: v for k, v in row.items() if k != "results"} for row in rows],
                                   ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if all(not row["errors"] and not row["wrong"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

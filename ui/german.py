"""What Gradio itself says, in German: its login page (served before the app's own texts are loaded) and its reply
when the queue is full. An ASGI middleware in front of Gradio's routes; the app's own texts are German anyway."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

LOGIN_PAGE = Path(__file__).with_name("login.html")
QUEUE_FULL = ("Gerade fragen sehr viele Personen gleichzeitig. Bitte versuchen Sie es in einigen Sekunden noch "
              "einmal.")
NEEDS_LOGIN = re.compile(rb'"auth_required"\s*:\s*true')
MAX_PAGE_BYTES = 5_000_000  # the app page is far smaller; anything larger passes unread


def login_page(message: str) -> bytes:
    return LOGIN_PAGE.read_text(encoding="utf-8").replace("{{message}}", html.escape(message)).encode("utf-8")


class GermanGradio:
    """Replaces Gradio's English login page by the German one (ui/login.html, which logs in through Gradio's own
    /login) and its "Queue is full" reply by a German message."""

    def __init__(self, app, auth_message: str = "") -> None:
        self.app = app
        self.auth_message = auth_message

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if scope.get("method") == "GET" and path.rstrip("/") == "":
            return await self._rewrite(scope, receive, send, self._login)
        if path.endswith("/queue/join"):
            return await self._rewrite(scope, receive, send, self._queue_full)
        return await self.app(scope, receive, send)

    def _login(self, status: int, headers: list, body: bytes):
        if status == 200 and NEEDS_LOGIN.search(body):
            return 200, "text/html; charset=utf-8", login_page(self.auth_message)
        return None

    def _queue_full(self, status: int, headers: list, body: bytes):
        if status == 503 and b"Queue is full" in body:
            return 503, "application/json", json.dumps({"detail": QUEUE_FULL}, ensure_ascii=False).encode("utf-8")
        return None

    async def _rewrite(self, scope, receive, send, replace):
        """Hold the response back, let replace decide on it (None: as it was), then send it."""
        start: dict = {}
        chunks: list[bytes] = []
        passing = False

        async def hold(message):
            nonlocal passing
            if passing:
                return await send(message)
            if message["type"] == "http.response.start":
                start.update(message)
                return None
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > MAX_PAGE_BYTES:
                    passing = True
                    await send(start)
                    await send({"type": "http.response.body", "body": b"".join(chunks),
                                "more_body": message.get("more_body", False)})
                    return None
                if not message.get("more_body", False):
                    await self._finish(start, b"".join(chunks), replace, send)
                return None
            return await send(message)

        await self.app(scope, receive, hold)

    @staticmethod
    async def _finish(start: dict, body: bytes, replace, send) -> None:
        headers = list(start.get("headers", []))
        replaced = replace(start.get("status", 200), headers, body)
        if replaced is not None:
            status, kind, body = replaced
            headers = [(name, value) for name, value in headers
                       if name.lower() not in (b"content-length", b"content-type", b"content-encoding")]
            headers += [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode())]
            start = dict(start, status=status, headers=headers)
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})

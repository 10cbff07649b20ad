"""Where and how the app listens, from the environment (the project's PROTOKOLL_ prefix)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass
class ServerSettings:
    """Where and how the app listens: host, port, optional login, queue limits."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    user: str | None = None
    password: str | None = None
    # Answers at a time. Two on a 2-core machine: while one question is embedded (in C, without Python's lock)
    # the other is ranked and rendered; 32 users got ~36 answers/s with one at a time and ~42 with two
    # (benchmarks/load.py, median of rounds).
    concurrency: int = 2
    # Waiting events; more are refused with a message instead of piling up. 32 users asking at once must fit
    # with room to spare (a browser's page load is an event too): an answer takes ~0.1-0.3 s, so the last of 64
    # waits seconds, not minutes (benchmarks/load.py).
    queue_size: int = 64

    @classmethod
    def from_env(cls, environ: dict | None = None) -> ServerSettings:
        env = os.environ if environ is None else environ
        return cls(
            host=env.get("PROTOKOLL_HOST") or DEFAULT_HOST,
            port=int_setting(env, "PROTOKOLL_PORT", DEFAULT_PORT),
            user=env.get("PROTOKOLL_USER") or None,
            password=env.get("PROTOKOLL_PASSWORD") or None,
            concurrency=int_setting(env, "PROTOKOLL_CONCURRENCY", cls.concurrency),
            queue_size=int_setting(env, "PROTOKOLL_QUEUE_SIZE", cls.queue_size),
        )

    @property
    def auth(self) -> tuple[str, str] | None:
        if bool(self.user) != bool(self.password):
            raise ValueError("Für die Anmeldung müssen PROTOKOLL_USER und PROTOKOLL_PASSWORD beide gesetzt sein.")
        return (self.user, self.password) if self.user else None


def int_setting(env, name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} ist keine ganze Zahl.") from None
    if number < 1:
        raise ValueError(f"{name} muss größer als 0 sein.")
    return number

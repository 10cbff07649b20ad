"""The conversation a browser session holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant import Answer

MAX_TURNS = 100  # per conversation; a session's state stays bounded


@dataclass
class Turn:
    """One question with its answer, the restriction that was in effect and the next questions offered."""

    question: str
    answer: Answer
    filters: dict = field(default_factory=dict)  # {"documents": [...], "places": [...], "sections": [...]}
    restriction: str = ""  # the same in German words, shown with the answer
    suggestions: list[str] = field(default_factory=list)


@dataclass
class Conversation:
    turns: list[Turn] = field(default_factory=list)
    current: int | None = None  # the turn whose sources are shown and which feedback rates

    @property
    def questions(self) -> list[str]:
        return [turn.question for turn in self.turns]

    def turn(self, index: int | None = None) -> Turn | None:
        index = self.current if index is None else index
        return self.turns[index] if index is not None and 0 <= index < len(self.turns) else None

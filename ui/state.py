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

    @property
    def follows_up(self) -> bool:
        """Whether the question was read with the earlier ones ("Und in Bismarck?")."""
        query = self.answer.query
        return bool(query is not None and query.followup)


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

    def asked_for(self, index: int | None = None) -> list[str]:
        """What a link must ask to reproduce the answer of a turn (default: the current one, else the last): its
        question, and when it follows up on earlier ones, the questions back to the one that stands alone."""
        if index is None:
            index = self.current if self.current is not None else len(self.turns) - 1
        start = index
        while start > 0 and self.turns[start].follows_up:
            start -= 1
        return [turn.question for turn in self.turns[start:index + 1]]

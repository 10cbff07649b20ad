"""Evaluation on a question set in the dev-set format: recall@5, MRR, abstentions, per kind."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from index.markup import strip_markup

CUTOFF = 5
_EMPHASIS = re.compile(r"[*_~`]")  # Markdown emphasis in gold snippets or passages, and gender stars alike


def normalize(text: str) -> str:
    """Casefolded, markup and emphasis stripped, white space folded, umlauts composed (a file may write "ü" as "u"
    and a combining mark): how gold snippets and passages are compared."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", _EMPHASIS.sub(" ", strip_markup(text))).casefold().strip()


def contains(text: str, snippet: str) -> bool:
    """Whether the snippet occurs in the text with word boundaries at its ends."""
    pattern = r"(?<!\w)" + re.escape(normalize(snippet)) + r"(?!\w)"
    return re.search(pattern, normalize(text)) is not None


@dataclass
class Result:
    id: str
    kind: str
    question: str
    recall: float  # share of gold snippets in the first CUTOFF cited passages (1/0 for questions without gold)
    reciprocal_rank: float
    abstained: bool
    correct_abstention: bool | None  # for questions whose right answer cites nothing: whether it got that right
    seconds: float
    cited: list[str] = field(default_factory=list)
    cited_recall: float = 0.0  # share of gold snippets among the passages the answer cites (the first CITED)
    places_right: bool | None = None  # where-questions: the cited places are exactly those that mention it
    highlight_share: float | None = None  # share of cited lines highlighted


CITED = 8  # the passages of an answer that count as its citations


def load_questions(path: Path) -> list[dict]:
    items = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}, Zeile {number}: kein gültiges JSON ({error.msg})") from None
    return items


def right_without_citation(item: dict, answer) -> bool:
    """For a question whose right answer cites nothing: refused, "no" to a yes-or-no question, an unknown
    place named as such, or a place said to say nothing about it (similar passages may follow that and a "no")."""
    if item.get("unknown_place"):
        return not answer.passages and bool(answer.query and answer.query.unknown_places)
    if item.get("expected") == "nein":
        # (or, asked whether something suffices, that nothing is said of it: no "Nein", which would say "not enough")
        return getattr(answer, "verdict", None) == "nein" or getattr(answer, "mode", None) == "no"
    return answer.abstained or getattr(answer, "mode", None) == "absent"


def evaluate(assistant, items: list[dict]) -> list[Result]:
    from .answer import place_of

    results = []
    for number, item in enumerate(items, start=1):
        question = item["q"]
        started = time.perf_counter()
        answer = assistant.ask(question, history=item.get("history"))
        seconds = time.perf_counter() - started
        texts = [hit.text for hit in answer.passages]
        gold = item.get("gold", [])
        kind = item.get("kind", "")
        identifier = item.get("id", str(number))
        citations = [hit.citation for hit in answer.passages]
        if kind == "abstain" or not gold:
            right = right_without_citation(item, answer)
            results.append(Result(identifier, kind, question, float(right), float(right), answer.abstained, right,
                                  seconds, citations, float(right)))
            continue
        top = texts[:CUTOFF]
        recall = sum(any(contains(text, snippet) for text in top) for snippet in gold) / len(gold)
        cited = sum(any(contains(text, snippet) for text in texts[:CITED]) for snippet in gold) / len(gold)
        rank = next((i for i, text in enumerate(texts, start=1) if any(contains(text, s) for s in gold)), None)
        places_right = None
        if item.get("places") is not None:
            cited_places = {place_of(hit.passage).casefold() for hit in answer.passages}
            wanted = {place.casefold() for place in item["places"]}
            # "Workshop 1 - Bildung" and "Bildung" name the same place
            places_right = len(cited_places) == len(wanted) and all(
                any(a in b or b in a for b in wanted) for a in cited_places)
        lines = sum(hit.lines[1] - hit.lines[0] + 1 for hit in answer.passages)
        marked = sum(len(hit.highlights) for hit in answer.passages)
        results.append(Result(identifier, kind, question, recall, 1.0 / rank if rank else 0.0, answer.abstained, None,
                              seconds, citations, cited, places_right, marked / lines if lines else None))
    return results


def report(results: list[Result], held_back: set[str] = frozenset()) -> str:
    """A table of the figures overall and per kind, then the questions that missed."""
    answered = [r for r in results if r.correct_abstention is None]
    abstain = [r for r in results if r.correct_abstention is not None]
    lines = []
    if answered:
        recall = mean(r.recall for r in answered)
        cited = mean(r.cited_recall for r in answered)
        mrr = mean(r.reciprocal_rank for r in answered)
        wrong = sum(refused(r) for r in answered)
        lines.append(f"recall@{CUTOFF} {recall:.3f}   zitiert (erste {CITED}) {cited:.3f}   MRR {mrr:.3f}   "
                     f"({len(answered)} Fragen mit Gold, {wrong} davon fälschlich ohne Antwort)")
    if abstain:
        lines.append(f"Ohne Zitat richtig (Enthaltung, „nein“, unbekannter Ort): "
                     f"{sum(r.correct_abstention for r in abstain)}/{len(abstain)}")
    where = [r for r in results if r.places_right is not None]
    if where:
        lines.append(f"Wo-Fragen mit genau den richtigen Orten: {sum(r.places_right for r in where)}/{len(where)}")
    shares = [r.highlight_share for r in answered if r.highlight_share is not None]
    if shares:
        lines.append(f"Hervorgehobener Anteil der zitierten Zeilen: Mittel {mean(shares):.2f}")
    by_kind: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_kind[result.kind].append(result)
    lines.append("")
    lines.append(f"{'Art':<14}{'n':>4}{'recall@5':>10}{'zitiert':>9}{'MRR':>8}")
    for kind, group in sorted(by_kind.items()):
        recall, mrr = mean(r.recall for r in group), mean(r.reciprocal_rank for r in group)
        cited = mean(r.cited_recall for r in group)
        lines.append(f"{kind:<14}{len(group):>4}{recall:>10.3f}{cited:>9.3f}{mrr:>8.3f}")
    seconds = sorted(r.seconds for r in results)
    if seconds:
        lines.append("")
        lines.append(f"Antwortzeit je Frage: Median {seconds[len(seconds) // 2] * 1000:.0f} ms, "
                     f"max {seconds[-1] * 1000:.0f} ms")
    misses = [r for r in results if r.cited_recall < 1.0 or r.reciprocal_rank < 1.0 or r.places_right is False
              or refused(r)]
    # The questions of a test half are counted, never listed: read one by one, they would be tuned on.
    listed = [r for r in misses if r.id not in held_back]
    if len(listed) < len(misses):
        lines.append("")
        lines.append(f"Nicht voll getroffen: {len(misses)}, davon {len(misses) - len(listed)} der Testhälfte "
                     "(nicht aufgeführt)")
    misses = listed
    if misses:
        lines.append("")
        lines.append("Nicht voll getroffen:")
        for r in misses:
            lines.append(f"  {r.id} [{r.kind}] recall {r.recall:.2f} zitiert {r.cited_recall:.2f} "
                         f"RR {r.reciprocal_rank:.2f}{' ohne Antwort' if refused(r) else ''}: {r.question}")
            for citation in r.cited[:CITED]:
                lines.append(f"      {citation}")
    return "\n".join(lines)


def refused(result: Result) -> bool:
    """Whether a question the protocols answer was refused."""
    return result.correct_abstention is None and result.abstained


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0

"""Evaluation on a question set in the dev-set format: recall@5, MRR, abstentions, per kind."""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from index.markup import strip_markup

CUTOFF = 5
_EMPHASIS = re.compile(r"[*_~`]")  # Markdown emphasis in gold snippets or passages, and gender stars alike


def normalize(text: str) -> str:
    """Casefolded, markup and emphasis stripped, white space folded: how gold snippets and passages are compared."""
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
    recall: float
    reciprocal_rank: float
    abstained: bool
    correct_abstention: bool | None  # for abstain items: True when nothing was cited
    seconds: float
    cited: list[str] = field(default_factory=list)


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


def evaluate(assistant, items: list[dict]) -> list[Result]:
    results = []
    for number, item in enumerate(items, start=1):
        question = item["q"]
        started = time.perf_counter()
        answer = assistant.ask(question, history=item.get("history"))
        seconds = time.perf_counter() - started
        texts = [hit.text for hit in answer.passages]
        gold = item.get("gold", [])
        kind = item.get("kind", "")
        if kind == "abstain" or not gold:
            results.append(Result(item.get("id", str(number)), kind, question, 1.0 if answer.abstained else 0.0,
                                  1.0 if answer.abstained else 0.0, answer.abstained, answer.abstained, seconds,
                                  [hit.citation for hit in answer.passages]))
            continue
        top = texts[:CUTOFF]
        recall = sum(any(contains(text, snippet) for text in top) for snippet in gold) / len(gold)
        rank = next((i for i, text in enumerate(texts, start=1) if any(contains(text, s) for s in gold)), None)
        results.append(Result(item.get("id", str(number)), kind, question, recall, 1.0 / rank if rank else 0.0,
                              answer.abstained, None, seconds, [hit.citation for hit in answer.passages]))
    return results


def report(results: list[Result]) -> str:
    """A table of the figures overall and per kind, then the questions that missed."""
    answered = [r for r in results if r.correct_abstention is None]
    abstain = [r for r in results if r.correct_abstention is not None]
    lines = []
    if answered:
        recall = mean(r.recall for r in answered)
        mrr = mean(r.reciprocal_rank for r in answered)
        wrong = sum(r.abstained for r in answered)
        lines.append(f"recall@{CUTOFF} {recall:.3f}   MRR {mrr:.3f}   ({len(answered)} Fragen mit Gold, "
                     f"{wrong} davon fälschlich ohne Antwort)")
    if abstain:
        lines.append(f"Enthaltungen richtig: {sum(r.correct_abstention for r in abstain)}/{len(abstain)}")
    by_kind: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_kind[result.kind].append(result)
    lines.append("")
    lines.append(f"{'Art':<14}{'n':>4}{'recall@5':>10}{'MRR':>8}")
    for kind, group in sorted(by_kind.items()):
        recall, mrr = mean(r.recall for r in group), mean(r.reciprocal_rank for r in group)
        lines.append(f"{kind:<14}{len(group):>4}{recall:>10.3f}{mrr:>8.3f}")
    seconds = sorted(r.seconds for r in results)
    if seconds:
        lines.append("")
        lines.append(f"Antwortzeit je Frage: Median {seconds[len(seconds) // 2] * 1000:.0f} ms, "
                     f"max {seconds[-1] * 1000:.0f} ms")
    misses = [r for r in results if r.recall < 1.0 or r.reciprocal_rank < 1.0]
    if misses:
        lines.append("")
        lines.append("Nicht voll getroffen:")
        for r in misses:
            lines.append(f"  {r.id} [{r.kind}] recall {r.recall:.2f} RR {r.reciprocal_rank:.2f}: {r.question}")
            for citation in r.cited[:CUTOFF]:
                lines.append(f"      {citation}")
    return "\n".join(lines)


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0

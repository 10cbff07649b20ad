"""PDF text cleaned before it is split: page furniture taken out, words broken at line ends made whole.

pypdf gives every page's text with what the page prints besides the text: a running header ("Protokoll des
Grossen Rates vom 16. August 2023 / 61/7"), a letterhead footer (address, board, bank account) and page
numbers. Indexed, these lines become passages of their own or crowd every passage of the page; so a line that
stands at the top or bottom of most pages, the same on each or with a number that follows the page, is taken
out. Words hyphenated at a line end ("Gemein-" / "de") are joined on the first line, so that each line still
holds whole words and every indexed line is a line of the cleaned text, which is what the source view shows.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

# How far from a page's top and bottom (in non-empty lines) furniture is looked for: a letterhead footer runs to
# ten lines (name, mail, web, board, register, bank).
TOP_LINES = 6
BOTTOM_LINES = 12
MIN_PAGES = 3  # furniture needs pages to repeat on
SHARE = 0.6  # of the pages a line must stand on to be furniture
MIN_SAME_CHARS = 4  # letters or digits a line needs to be furniture for being the same on every page
NUMBER_AGREEMENT = 0.8  # of its occurrences whose number must follow the page number ("Seite 3 / 9", "61/3")

SOFT_HYPHEN = "\u00ad"
_LETTER = r"A-Za-zÄÖÜäöüßÀ-ÿ"
_BROKEN_WORD = re.compile(rf"[{_LETTER}]-$")
# A hyphen before these stays, and the next line is not joined: "Rad- und Fußwege", "Gesetzgebungs- und".
_KEEP_HYPHEN_BEFORE = {"und", "oder", "bzw", "sowie", "bis", "als", "wie", "noch", "u", "o"}
_NUMBER = re.compile(r"\d+")


@dataclass
class CleanText:
    """The cleaned lines, the page of each, and what was done."""

    lines: list[str]
    pages: list[int]
    furniture: dict[int, list[str]] = field(default_factory=dict)  # page → the furniture lines taken from it
    letterhead: list[str] = field(default_factory=list)  # furniture above the first page's text: often its title
    removed: int = 0  # furniture lines taken out
    joined: int = 0  # words joined over a line end


def clean_pages(pages: list[list[str]]) -> CleanText:
    """The pages' lines (pypdf's, one list per page) as one text: furniture out, broken words joined.

    Pages are separated by a blank line, as before the cleaning; page numbers start at 1.
    """
    pages = [[_soft_hyphens(line.rstrip()) for line in page] for page in pages]
    furniture = _furniture(pages)
    lines: list[str] = []
    numbers: list[int] = []
    taken: dict[int, list[str]] = {}
    removed = 0
    for page_number, page in enumerate(pages, start=1):
        if lines:
            lines.append("")
            numbers.append(page_number)
        for index, line in enumerate(page):
            if index in furniture.get(page_number, ()):
                taken.setdefault(page_number, []).append(line.strip())
                removed += 1
                continue
            lines.append(line)
            numbers.append(page_number)
    letterhead = []
    for index, line in enumerate(pages[0] if pages else []):
        if index not in furniture.get(1, ()):
            if line.strip():
                break
            continue
        letterhead.append(line.strip())
    joined = _join_broken_words(lines, numbers)
    return CleanText(lines, numbers, taken, letterhead=letterhead, removed=removed, joined=joined)


def _soft_hyphens(line: str) -> str:
    """Soft hyphens: inside a word an invisible break point, dropped; where a reader sees a dash (before a
    capital, at a space, as a bullet) some PDFs print the hyphen glyph as a soft hyphen, so it becomes "-".
    One at the line end is left for the joining of broken words."""
    if SOFT_HYPHEN not in line:
        return line
    body = line.rstrip(SOFT_HYPHEN)
    end = line[len(body):]
    out = []
    for index, char in enumerate(body):
        if char != SOFT_HYPHEN:
            out.append(char)
            continue
        before = body[index - 1] if index else " "
        after = body[index + 1] if index + 1 < len(body) else " "
        out.append("" if before.isalpha() and after.islower() else "-")
    text = "".join(out)
    if end:
        # After a letter a break point; after a space a dash ("… wird -").
        text += SOFT_HYPHEN if text[-1:].isalpha() else "-"
    return text


def line_key(line: str) -> str:
    """A line compared for furniture: case and spacing folded, every number the same."""
    return _NUMBER.sub("#", " ".join(line.casefold().split()))


def _furniture(pages: list[list[str]]) -> dict[int, set[int]]:
    """Per page, the indices of its furniture lines."""
    if len(pages) < MIN_PAGES:
        return {}
    needed = max(MIN_PAGES, math.ceil(SHARE * len(pages)))
    # key → [(page, index, text)] for the lines near the top and bottom of each page
    found: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for page_number, page in enumerate(pages, start=1):
        filled = [index for index, line in enumerate(page) if line.strip()]
        for index in dict.fromkeys(filled[:TOP_LINES] + filled[-BOTTOM_LINES:]):
            text = " ".join(page[index].split())
            if any(char.isalnum() for char in text):
                found[line_key(text)].append((page_number, index, text))
    result: dict[int, set[int]] = defaultdict(set)
    for occurrences in found.values():
        if len({page for page, _, _ in occurrences}) < needed:
            continue
        if not (_same_text(occurrences, needed) or _follows_page(occurrences)):
            continue
        for page, index, _ in occurrences:
            result[page].add(index)
    return result


def _same_text(occurrences: list[tuple[int, int, str]], needed: int) -> bool:
    """Whether one text stands on enough pages; a short number ("2", a vote count at a page's end) may repeat by
    chance and is furniture only when it follows the page."""
    texts: dict[str, set[int]] = defaultdict(set)
    for page, _, text in occurrences:
        if sum(char.isalnum() for char in text) >= MIN_SAME_CHARS:
            texts[text].add(page)
    if not texts:
        return False
    return max(len(pages) for pages in texts.values()) >= needed


def _follows_page(occurrences: list[tuple[int, int, str]]) -> bool:
    """Whether one of the line's numbers is the page number plus a constant on most of its pages."""
    numbers = [(page, [int(n) for n in _NUMBER.findall(text)]) for page, _, text in occurrences]
    width = min(len(found) for _, found in numbers)
    for position in range(width):
        offsets: dict[int, int] = defaultdict(int)
        for page, found in numbers:
            offsets[found[position] - page] += 1
        if max(offsets.values()) >= NUMBER_AGREEMENT * len(numbers):
            return True
    return False


def _join_broken_words(lines: list[str], pages: list[int]) -> int:
    """Join words hyphenated at a line end with their rest on the next text line (over a page break too).

    "Gemein-" / "de ist" becomes "Gemeinde" / "ist"; a capital after the hyphen is a compound that keeps it
    ("Alimenten-" / "Bevorschussung" → "Alimenten-Bevorschussung"); before "und", "oder" … the hyphen is a real
    one ("Rad- und Fußwege") and nothing moves. A next line left empty is dropped (with its page).
    """
    joined = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        soft = line.endswith(SOFT_HYPHEN)
        if not (soft or _BROKEN_WORD.search(line)):
            index += 1
            continue
        following = index + 1
        while following < len(lines) and following - index <= 8 and not lines[following].strip():
            following += 1
        if following >= len(lines) or not lines[following].strip():
            if soft:
                lines[index] = line[:-1]
            index += 1
            continue
        rest = lines[following]
        indent = rest[: len(rest) - len(rest.lstrip())]
        token, _, remainder = rest.lstrip().partition(" ")
        first = token[:1]
        bare = token.strip(".,;:!?)\"'“”»«").casefold()
        if first.islower() and bare not in _KEEP_HYPHEN_BEFORE:
            lines[index] = line[:-1] + token
        elif soft and first.isalpha():
            lines[index] = line[:-1] + token
        elif first.isupper():
            lines[index] = line + token
        else:
            if soft:
                lines[index] = line[:-1]
            index += 1
            continue
        joined += 1
        remainder = remainder.lstrip()
        if remainder:
            lines[following] = indent + remainder
        else:
            del lines[following]
            del pages[following]
        # the joined line may end in a broken word again only if the moved token did: look at it once more
        if not lines[index].endswith(("-", SOFT_HYPHEN)) or lines[index] == line:
            index += 1
    return joined

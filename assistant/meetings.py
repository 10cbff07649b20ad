"""Which meeting a question names by its date ("am 24. September 2015", "vom 16.08.2023") or number ("Nr. 61"),
and which agenda item ("Traktandum 6", "TOP 7.2")."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from datetime import date

from index import Passage
from index.lexical import fold

MONTHS = {
    "januar": 1, "jänner": 1, "january": 1, "jan": 1,
    "februar": 2, "february": 2, "feb": 2,
    "märz": 3, "maerz": 3, "marz": 3, "march": 3, "mär": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "december": 12, "dez": 12, "dec": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"((?:19|20)\d{2}|\d{2})"
# 16.08.2023, 16.8.23, 2023-08-16
NUMERIC = re.compile(rf"\b(\d{{1,2}})\.\s?(\d{{1,2}})\.\s?{_YEAR}?(?!\d)|\b((?:19|20)\d{{2}})-(\d{{2}})-(\d{{2}})\b")
# 24. September 2015, 24 September 2015, September 2015, September 24, 2015
WORDED = re.compile(
    rf"\b(?:(\d{{1,2}})\.?\s+)?({_MONTH})\.?(?:\s+(\d{{1,2}}),?)?(?:\s+((?:19|20)\d{{2}}))?\b", re.IGNORECASE
)
YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
# "Traktandum 6", "TOP 7.2", "Tagesordnungspunkt 3", "agenda item 4"
AGENDA_ITEM = re.compile(
    r"\b(?:traktand(?:um|en)|top|tagesordnungspunkt(?:e|en)?|agenda\s+item|item)\s*(?:nr\.?\s*)?(\d{1,2}(?:\.\d{1,2})*)\b",
    re.IGNORECASE,
)
# What names an agenda item by its title: "unter Sonstiges", "beim TOP Verschiedenes", "unter dem Punkt Raumsuche".
ITEM_BY_TITLE = (r"(?:unter|punkt|top|tagesordnungspunkt|traktandum)\s+(?:(?:dem|den)\s+)?"
                 r"(?:(?:punkt|top|tagesordnungspunkt|traktandum)\s+)?")
TITLE_NAMING_WORDS = 4  # a longer title is named by its words, not as a whole
# An agenda entry named by its place in the list: "der zweite Tagesordnungspunkt", "Punkt 3 der Tagesordnung",
# "the third agenda item".
ORDINALS = {"erst": 1, "zweit": 2, "dritt": 3, "viert": 4, "fünft": 5, "funft": 5, "sechst": 6, "siebt": 7,
            "siebent": 7, "acht": 8, "neunt": 9, "zehnt": 10, "first": 1, "second": 2, "third": 3, "fourth": 4,
            "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
AGENDA_NOUN = r"(?:tagesordnungspunkt|top|traktandum|programmpunkt|agenda\s+item|item\s+on\s+the\s+agenda)"
ORDINAL_ENTRY = re.compile(
    rf"\b({'|'.join(sorted(ORDINALS, key=len, reverse=True))})(?:e[nmrs]?|er)?\s+({AGENDA_NOUN})\b"
    r"|\b(?:punkt|point)\s+(\d{1,2})\s+(?:der|auf\s+der|of\s+the|on\s+the)\s+(?:tagesordnung|agenda)\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\b(?:Nr|Nummer|No)\.?\s*(\d{1,4})\b|\b(\d{1,4})\.\s*Sitzung\b", re.IGNORECASE)
# An entry of an agenda as listed, with its whole number and a word ("6. Antrag gemäss § 52", "2.2 Bericht zum
# Fest", "3. Organisatorisches: Raumkosten"); not an hour ("17:00 Ankommen") nor a tally ("• 8 Stimmen"): a number
# alone ends with a full stop. A part of the minutes headed with these words lists it, and a passage listing this many
# numbers is one.
AGENDA_NUMBER = re.compile(r"^\W{0,3}(\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\.)\s+[^\W\d_]")
AGENDA_WORDS = re.compile(r"tagesordnung|agenda|traktand|einladung", re.IGNORECASE)
AGENDA_ENTRIES = 3
# Where an entry's title ends and its details begin: "Organisatorisches: Raumkosten, mögl. Förderung …".
ENTRY_TITLE_END = re.compile(r"\s*[:,;(–—]|\s+-\s")
# A heading with most words of an entry heads it: at least this many words of four letters or more, this share of the
# shorter one's.
ENTRY_WORD = re.compile(r"[^\W\d_]{4,}")
ENTRY_WORDS_SHARED = 3
ENTRY_SHARE = 0.6


# What asks for an overview of a meeting rather than for something in it ("Was wurde in der Sitzung vom … besprochen?",
# "Worum ging es am …?", "What was discussed on …?"), folded.
OVERVIEW_WORDS = frozenset(
    "besprochen besprach besprechen behandelt diskutiert gesprochen geredet ging gings gehts geht worum thema themen "
    "sitzung versammlung treffen runde protokoll tagesordnung agenda passiert los gab discussed discuss happened "
    "meeting about minutes".split()
)


# A word of a document's file name that no other file name has ("Themensammlung_vom_23_04_2015.pdf") names that
# document too: staff know their files by name. At least FILE_WORD_LETTERS letters, not a word for a protocol as
# such, and a near miss of FILE_WORD_FUZZY (rapidfuzz ratio) counts in a word of FILE_WORD_FUZZY_LETTERS or more.
FILE_WORD_LETTERS = 6
FILE_WORD_FUZZY = 90
FILE_WORD_FUZZY_LETTERS = 8
INFLECTION = 3  # letters of an ending a title's word may have beyond the file name's
PROTOCOL_WORDS = frozenset("protokoll protokolle niederschrift sitzungsprotokoll ergebnisprotokoll minutes "
                           "sitzung version entwurf kopie final scan".split())
_FILE_WORD = re.compile(r"[^\W\d_]+")  # compared folded: file names write "Bürgerrunde" as "burgerrunde"


class Meetings:
    """The documents' dates and numbers, learned from their passages' metadata and titles."""

    def __init__(self, passages: list[Passage]) -> None:
        self._passages = passages
        self.dates: dict[str, date] = {}
        self.numbers: dict[str, set[int]] = defaultdict(set)
        self.titles: dict[str, str] = {}  # each document's title
        # (document, item number) of every agenda item the minutes layout found: "6", "6.1", …
        # and the word its minutes call one ("traktandum", "top"), to tell a parliament's from an association's.
        self.items: dict[tuple[str, str], str] = {
            (p.source, str(p.meta["item"])): _item_word(p.meta.get("item_label") or "")
            for p in passages if p.meta.get("item")
        }
        # (and the short titles of items, by which a question may name one: "unter Sonstiges")
        self.item_titles: dict[tuple[str, str], re.Pattern] = {
            (p.source, str(p.meta["item"])): re.compile(rf"\b{ITEM_BY_TITLE}[„“\"']?{re.escape(title)}(?!\w)",
                                                        re.IGNORECASE)
            for p in passages if p.meta.get("item") and (title := (p.meta.get("item_title") or "").strip())
            and len(title.split()) <= TITLE_NAMING_WORDS
        }
        for passage in passages:
            if passage.source in self.titles:
                continue
            self.titles[passage.source] = passage.doc_title
            when = _iso(passage.meta.get("date"))
            if when:
                self.dates[passage.source] = when
            for title in (passage.doc_title, passage.short_title):
                for match in NUMBER.finditer(title or ""):
                    self.numbers[passage.source].add(int(match.group(1) or match.group(2)))
            if passage.meta.get("number") is not None:
                try:
                    self.numbers[passage.source].add(int(passage.meta["number"]))
                except (TypeError, ValueError):
                    pass
        # (a word its title or city has names the document already, as title or place: "Minden")
        known = {fold(word) for passage in passages
                 for word in _FILE_WORD.findall(f"{passage.doc_title} {passage.meta.get('city') or ''}")}
        sources_by_word: dict[str, set[str]] = defaultdict(set)
        for source in self.titles:
            stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            for word in map(fold, _FILE_WORD.findall(stem)):
                if len(word) < FILE_WORD_LETTERS or word in PROTOCOL_WORDS or word in MONTHS:
                    continue
                if any(other.startswith(word) and len(other) - len(word) <= INFLECTION for other in known):
                    continue  # "gemeinderat" of the title's "Gemeinderates"
                sources_by_word[word].add(source)
        self.file_words: dict[str, str] = {word: next(iter(sources)) for word, sources in sources_by_word.items()
                                           if len(sources) == 1}

    def named(self, question: str) -> tuple[frozenset[str], list[tuple[int, int]]]:
        """The documents the question names by date or number, and the character spans that name them.

        A date narrows to the documents of that day (or month, or year); one that no document has names none.
        """
        found: set[str] = set()
        spans: list[tuple[int, int]] = []
        for day, month, year, span in _dates(question):
            matching = {source for source, when in self.dates.items()
                        if (year is None or when.year == year) and (month is None or when.month == month)
                        and (day is None or when.day == day)}
            if matching:
                found |= matching
                spans.append(span)
        for match in NUMBER.finditer(question):
            number = int(match.group(1) or match.group(2))
            matching = {source for source, numbers in self.numbers.items() if number in numbers}
            if matching:
                found |= matching
                spans.append(match.span())
        for match in _FILE_WORD.finditer(question):
            source = self.by_file_word(match.group())
            if source:
                found.add(source)
                spans.append(match.span())
        return frozenset(found), spans

    def by_file_word(self, word: str) -> str | None:
        """The document whose file name alone has this word (or, for a long word, one a letter or two off)."""
        if len(word) < FILE_WORD_LETTERS or not self.file_words:
            return None
        plain = fold(word)
        if plain in self.file_words:
            return self.file_words[plain]
        if len(plain) < FILE_WORD_FUZZY_LETTERS:
            return None
        from rapidfuzz import fuzz, process

        best = process.extractOne(plain, list(self.file_words), scorer=fuzz.ratio, score_cutoff=FILE_WORD_FUZZY)
        return self.file_words[best[0]] if best else None


    def unknown_dates(self, question: str) -> list[str]:
        """The dates (with month and year) in the question that are no document's date and that no passage
        speaks of ("im März 2017" where the protocols are of 2015, 2019 and 2023): a meeting on such a date is not
        in the protocols. None where no document is dated."""
        if not self.dates:
            return []
        unknown = []
        for day, month, year, (start, end) in _dates(question):
            if month is None or year is None:
                continue  # a bare year or a month without one says too little about a meeting
            if any(when.year == year and when.month == month and day in (None, when.day)
                   for when in self.dates.values()):
                continue
            if (month, year) in self.months_spoken_of:
                continue
            unknown.append(question[start:end])
        return unknown

    @functools.cached_property
    def months_spoken_of(self) -> frozenset[tuple[int, int]]:
        """(month, year) of every date in the passages' texts (read once, when a question first needs it)."""
        return frozenset((month, year) for passage in self._passages
                         for _, month, year, _ in _dates(passage.text) if month and year)

    def named_items(self, question: str) -> tuple[frozenset[tuple[str, str]], list[tuple[int, int]]]:
        """The agenda items the question names by number (with their sub-items: "TOP 6" is 6.1 and 6.2 too), as
        (document, item number), and the spans that name them."""
        found: set[tuple[str, str]] = set()
        spans: list[tuple[int, int]] = []
        for match in AGENDA_ITEM.finditer(question):
            number = match.group(1)
            matching = {key for key in self.items if key[1] == number or key[1].startswith(number + ".")}
            # "Traktandum 9" is not an association's "TOP 9" where the corpus has Traktanden; where it calls its
            # items otherwise ("Tagesordnungspunkt 3" for a "TOP 3"), the number alone tells.
            word = _item_word(match.group(0))
            if word in self.items.values():
                matching = {key for key in matching if self.items[key] == word}
            if matching:
                found |= matching
                spans.append(match.span())
        for key, naming in self.item_titles.items():
            # "Was wurde unter Sonstiges besprochen?", "beim Punkt Raumsuche": an item named by its title
            if match := naming.search(question):
                found.add(key)
                spans.append(match.span())
        return frozenset(found), spans

    @functools.cached_property
    def entry_sections(self) -> dict[tuple[str, str], frozenset[str]]:
        """(document, entry number) → the sections of that document headed with the entry's title, for minutes
        whose agenda is a list ("## Agenda" of a citizens' round: "3. Organisatorisches: Raumkosten, …") and whose
        parts are headed by the entries' titles ("## Organisatorisches"), not numbered."""
        headings: dict[str, set[str]] = defaultdict(set)
        for passage in self._passages:
            if passage.section:
                headings[passage.source].add(passage.section)
        found: dict[tuple[str, str], set[str]] = defaultdict(set)
        for passage in self._passages:
            if not AGENDA_WORDS.search(passage.section or ""):
                continue
            entries = [(match.group(1).rstrip("."), item.text[match.end(1):])
                       for item in passage.items if (match := AGENDA_NUMBER.match(item.text))]
            if len(entries) < AGENDA_ENTRIES:
                continue
            for number, text in entries:
                sections = [section for section in headings[passage.source] - {passage.section}
                            if _heads_the_entry(section, text)]
                found[(passage.source, number)].update(sections)
        return {key: frozenset(sections) for key, sections in found.items() if sections}

    def sections_of_entries(self, entries: frozenset[str], documents) -> set[str]:
        """The sections headed with the titles of these agenda entries in the documents' agendas."""
        return {section for source in documents for number in entries
                for section in self.entry_sections.get((source, number), ())}

    def numbered(self, entries: frozenset[tuple[str, str]]) -> frozenset[tuple[str, str]]:
        """The agenda items of these numbers (with their sub-items) in every document that has them; only those
        called by the word of the entry where the corpus calls items by it ("Traktandum", not "TOP")."""
        found = set()
        for number, word in entries:
            matching = {key for key in self.items if key[1] == number or key[1].startswith(number + ".")}
            if word in self.items.values():
                matching = {key for key in matching if self.items[key] == word}
            found |= matching
        return frozenset(found)


def _heads_the_entry(heading: str, entry: str) -> bool:
    """Whether a heading is an agenda entry's title: the same words up to where the entry's details begin
    ("Organisatorisches" for "Organisatorisches: Raumkosten, …"), or most of the words of the shorter of the two
    ("AG Mobil: Status Orangener Punkt, Bericht SAMBA Workshop, …" for "Mobilität: Status Orangener Punkt, …")."""
    def title(text: str) -> str:
        return fold(ENTRY_TITLE_END.split(text.strip(), maxsplit=1)[0]).strip(" ?!.")

    if title(heading) == title(entry) or fold(heading).strip(" ?!.") == fold(entry).strip(" ?!."):
        return True
    ours, theirs = (set(ENTRY_WORD.findall(fold(text))) for text in (heading, entry))
    shared = ours & theirs
    return len(shared) >= ENTRY_WORDS_SHARED and len(shared) >= ENTRY_SHARE * min(len(ours), len(theirs))


def listed_entries(question: str) -> frozenset[tuple[str, str]]:
    """The agenda entries the question names by number or by their place in the list, as (number, the word naming
    an item): "der zweite Tagesordnungspunkt" → ("2", "tagesordnungspunkt"), "TOP 2" → ("2", "top")."""
    entries = {(match.group(1), _item_word(match.group(0))) for match in AGENDA_ITEM.finditer(question)
               if "." not in match.group(1)}
    for match in ORDINAL_ENTRY.finditer(question):
        if match.group(1):
            entries.add((str(ORDINALS[match.group(1).casefold()]), _item_word(match.group(2))))
        else:
            entries.add((match.group(3), "tagesordnungspunkt"))
    return frozenset(entries)


def _item_word(label: str) -> str:
    """The word naming an agenda item, in one form: "Traktanden 3" and "Traktandum 3" → "traktand"."""
    word = label.split()[0].casefold() if label.split() else ""
    return "traktand" if word.startswith("traktand") else word.rstrip(".:")


def _iso(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _full_year(text: str | None) -> int | None:
    if not text:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


def _dates(question: str) -> list[tuple[int | None, int | None, int | None, tuple[int, int]]]:
    """(day, month, year, span) of every date in the question; a bare year only where no fuller date stands."""
    found = []
    taken: list[tuple[int, int]] = []
    for match in NUMERIC.finditer(question):
        if match.group(4):
            day, month, year = int(match.group(6)), int(match.group(5)), int(match.group(4))
        else:
            day, month, year = int(match.group(1)), int(match.group(2)), _full_year(match.group(3))
        if 1 <= day <= 31 and 1 <= month <= 12:
            found.append((day, month, year, match.span()))
            taken.append(match.span())
    for match in WORDED.finditer(question):
        if any(start <= match.start() < end for start, end in taken):
            continue
        day_text = match.group(1) or match.group(3)
        word = match.group(2).lower()
        if len(word) <= 4 and not (day_text or match.group(4)):
            continue  # "mai", "mar" alone are ordinary words far more often than months
        day = int(day_text) if day_text and 1 <= int(day_text) <= 31 else None
        found.append((day, MONTHS[word], _full_year(match.group(4)), match.span()))
        taken.append(match.span())
    for match in YEAR.finditer(question):
        if not any(start <= match.start() < end for start, end in taken):
            found.append((None, None, int(match.group(1)), match.span()))
    return found

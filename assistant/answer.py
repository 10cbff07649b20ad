"""Composing the answer: verbatim items from the cited passages, grouped by board, with markers."""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field

import Stemmer

from index.lexical import GermanAnalyzer, fold

from .evidence import LIST_MARK, VALUES, card_blocks, heading_lines
from .retrieve import Hit, decides
from .understand import (
    ASKS_ENOUGH,
    ASKS_WHETHER_RAISED,
    ASKS_WHETHER_THERE_IS,
    WORD,
    Query,
    asked_value,
    uses_section_name,
)

MAX_ITEMS_PER_PASSAGE = 8
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~])")
_ENTITY_START = re.compile(r"&(?=#?\w)")
_TAG_START = re.compile(r"<(?=\S)")  # a tag, comment, link or e-mail autolink ("<1@x.de>") could start
_QUOTE_START = re.compile(r"^(\s*)>", re.MULTILINE)
_ESCAPED = re.compile(r"\\([\\`*_\[\]~])")
_BOLD = re.compile(r"(?<!\\)\*\*")  # the answering lines' emphasis, not corpus text (escaped)


@dataclass
class Answer:
    """German Markdown text with citation markers [1], [2] … and the cited passages in marker order."""

    text: str
    passages: list[Hit]
    query: Query | None = None
    abstained: bool = False
    notes: list[str] = field(default_factory=list)
    lead: str = ""  # the one or two sentences that answer directly (also the first line of text)
    verdict: str | None = None  # "ja" or "nein" for a yes-or-no question
    not_mentioned: list[str] = field(default_factory=list)  # places of a where-question that do not mention it
    not_shown: int = 0  # passages found beyond those an answer shows (a where-question's mentions, a list of places)
    mode: str = "ranked"  # how it was composed (compose's modes; "where": every place that mentions it)

    @property
    def only_similar(self) -> bool:
        """Whether the passages are only what comes closest, not an answer: a "no", a place that does not name
        it, a value the protocols do not give (not a "no" that quotes where the thing does stand: "elsewhere")."""
        return self.mode in ("no", "absent") or self.abstained

    def plain_text(self) -> str:
        """The text for a terminal: Markdown escapes and HTML entities undone."""
        return html.unescape(_ESCAPED.sub(r"\1", _BOLD.sub("", self.text)))

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "abstained": self.abstained,
            "notes": self.notes,
            "lead": self.lead,
            "verdict": self.verdict,
            "not_mentioned": self.not_mentioned,
            "not_shown": self.not_shown,
            "passages": [dict(hit.to_dict(), marker=n) for n, hit in enumerate(self.passages, start=1)],
            "query": self.query.describe() if self.query else None,
        }


@functools.lru_cache(maxsize=1 << 14)  # the same lines and phrases are escaped for answer after answer
def escape_markdown(text: str) -> str:
    """Corpus text as literal Markdown: no HTML, links, images or emphasis can come from a document.

    Only what would start markup is escaped, so that an exported file stays readable as plain text ("A -> B",
    "Kinder & Jugend", "3 < 5" are left as written): "<" before anything but a space (a tag, comment or autolink
    could start), "&" before what an entity could be, ">" that would open a quote.
    """
    text = _ENTITY_START.sub("&amp;", text)
    text = _TAG_START.sub("&lt;", text)
    text = _QUOTE_START.sub(r"\1&gt;", text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def abstention(documents: list[str], limits: list[str] = (), query: Query | None = None) -> Answer:
    """Nothing found: said so (in the question's language), with the documents searched (only those the filters
    let through) and what the filters limited the search to."""
    searched = "; ".join(documents) if documents else phrase(query, "no_documents")
    within = f" ({phrase(query, 'only')}: {'; '.join(limits)})" if limits else ""
    text = f"{phrase(query, 'nothing')}\n\n{phrase(query, 'searched', documents=escape_markdown(searched + within))}"
    return Answer(text=text, passages=[], query=query, abstained=True)


# The answer's own words, in the question's language (quotes from the protocols stay German).
PHRASES = {
    "de": {
        "yes": "Ja – auf der Tafel steht: {quotes}.",
        "elsewhere": "Nein – unter {section} steht das {where}nicht, sondern unter {other}: {quotes}.",
        "yes_for": "Ja – für {place} steht auf der Tafel: {quotes}.",
        "said_for": "Für {place} steht auf der Tafel: {quotes}.",
        "said_for_under": "Für {place} steht auf der Tafel unter {section}: {quotes}.",
        "yes_text": "Ja – im Protokoll steht: {quotes}.",
        "says_text": "Im Protokoll steht unter {board}: {quotes}.",
        "yes_text_in": "Ja – in {document} steht: {quotes}.",
        "says_text_in": "In {document} steht unter {board}: {quotes}.",
        "no": "Nein – dazu steht {where}nichts wörtlich auf den Tafeln.",
        "no_text": "Nein – dazu steht {where}nichts wörtlich im Protokoll.",
        "none": "Auf den Tafeln steht {where}nichts wörtlich dazu.",
        "none_text": "Im Protokoll steht {where}nichts wörtlich dazu.",
        "absent": "Für {place} steht zu {matter} nichts wörtlich auf den Tafeln.",
        "absent_text": "Für {place} steht zu {matter} nichts wörtlich im Protokoll.",
        "for": "für {place} ",
        "where": "Genannt wird es für {found}",
        "no_district": "eine Tafel ohne Stadtteilangabe",
        "not_mentioned": "nicht erwähnt in: {places}",
        "says": "Auf der Tafel {board} steht: {quotes}.",
        "gathered": "Für {place} steht {section} auf {boards} {markers}.",
        "boards": "{count} Tafel|{count} Tafeln",
        "empty": "Das Feld {section} auf der Tafel {board} ist leer: dort steht nichts {marker}.",
        "empty_item": "(auf der Tafel leer)",
        "and": "und",
        "unknown": "{name} kommt in den Protokollen nicht als Ort vor.",
        "unheard": "{names} kommt in den Protokollen nicht vor: die Stellen unten gelten allgemein.",
        "no_such_place": "Nein – {name} kommt in den Protokollen nicht als Ort vor.",
        "known": "Orte in den Protokollen: {places}.",
        "kind_district": "Stadtteile",
        "kind_group": "Workshops",
        "kind_topic": "Themen",
        "places": "{kind} im Protokoll: {found}.",
        "none_of_kind": "In {documents} gibt es keine {kind}.",
        "lacking": "{what} dazu nennen die Protokolle nicht.",
        "value_clock": "Eine Uhrzeit", "value_time": "Einen Zeitpunkt", "value_amount": "Einen Betrag",
        "value_count": "Eine Anzahl", "value_contact": "Eine Telefonnummer oder E-Mail-Adresse",
        "value_party": "Eine Partei", "value_address": "Eine Anschrift", "value_vote": "Ein Abstimmungsergebnis",
        "value_venue": "Einen Ort (Gebäude, Raum, Adresse)",
        "value_procedure": "Einen Weg zur Anmeldung oder zum Antrag",
        "more_lines": "… (1 weitere Zeile in der Quelle)|… ({count} weitere Zeilen in der Quelle)",
        "not_shown": "Eine weitere Stelle ist hier nicht gezeigt{places}|Weitere {count} Stellen sind hier nicht "
                     "gezeigt{places}",
        "narrow_down": "fragen Sie nach einem Ort oder filtern Sie.",
        "also_in": " (auch in: {places})",
        "closest": "Am ähnlichsten: {places}.",
        "similar": "Ähnliche Stellen:",
        "unknown_date": "Ein Protokoll vom {date} gibt es nicht.",
        "found": "Gefunden{about}: {spots} auf {boards} in {documents}.",
        "found_similar": "Ähnliche Stellen: {spots} auf {boards} in {documents}.",
        "spots": "{count} Stelle|{count} Stellen",
        "found_boards": "1 Tafel/Abschnitt|{count} Tafeln/Abschnitten",
        "found_sections": "1 Abschnitt|{count} Abschnitten",
        "about_sections": " zu {sections}",
        "about_places": " für {places}",
        "meetings": "Protokolle gibt es vom: {dates}.",
        "nothing": "Dazu habe ich in den Protokollen nichts gefunden, deshalb zitiere ich nichts.",
        "searched": "Durchsucht: {documents}.",
        "only": "nur",
        "no_documents": "keine Dokumente",
    },
    "en": {
        "yes": "Yes – the board says: {quotes}.",
        "elsewhere": "No – {where}it is not under {section} but under {other}: {quotes}.",
        "yes_for": "Yes – for {place} the board says: {quotes}.",
        "said_for": "For {place} the board says: {quotes}.",
        "said_for_under": "For {place} the board says under {section}: {quotes}.",
        "yes_text": "Yes – the minutes say: {quotes}.",
        "says_text": "The minutes say under {board}: {quotes}.",
        "yes_text_in": "Yes – {document} says: {quotes}.",
        "says_text_in": "{document} says under {board}: {quotes}.",
        "no": "No – {where}the boards say nothing about it in those words.",
        "no_text": "No – {where}the minutes say nothing about it in those words.",
        "none": "The boards say nothing about it {where}in those words.",
        "none_text": "The minutes say nothing about it {where}in those words.",
        "absent": "For {place} the boards say nothing about {matter} in those words.",
        "absent_text": "For {place} the minutes say nothing about {matter} in those words.",
        "for": "for {place} ",
        "where": "It is mentioned for {found}",
        "no_district": "a board without a district",
        "not_mentioned": "not mentioned in: {places}",
        "says": "The board {board} says: {quotes}.",
        "gathered": "For {place}, {section} is on {boards} {markers}.",
        "boards": "{count} board|{count} boards",
        "empty": "The field {section} on the board {board} is empty: nothing was written there {marker}.",
        "empty_item": "(empty on the board)",
        "and": "and",
        "unknown": "{name} is not a place the protocols know.",
        "unheard": "{names} does not occur in the protocols: the passages below hold in general.",
        "no_such_place": "No – {name} is not a place the protocols know.",
        "known": "Places in the protocols: {places}.",
        "kind_district": "districts",
        "kind_group": "workshops",
        "kind_topic": "topics",
        "places": "The {kind} in the protocols: {found}.",
        "none_of_kind": "There are no {kind} in {documents}.",
        "lacking": "The protocols give no {what} for this.",
        "value_clock": "time of day", "value_time": "date or time", "value_amount": "amount",
        "value_count": "number", "value_contact": "phone number or e-mail address", "value_party": "party",
        "value_address": "postal address", "value_vote": "vote result",
        "value_venue": "venue (building, room, address)",
        "value_procedure": "way to apply or register",
        "more_lines": "… (1 more line in the source)|… ({count} more lines in the source)",
        "not_shown": "One more passage is not shown here{places}|{count} more passages are not shown here{places}",
        "narrow_down": "ask about one place or filter.",
        "also_in": " (also in: {places})",
        "closest": "Closest: {places}.",
        "similar": "Similar passages:",
        "unknown_date": "There are no minutes of {date}.",
        "found": "Found{about}: {spots} on {boards} in {documents}.",
        "found_similar": "Similar passages: {spots} on {boards} in {documents}.",
        "spots": "{count} passage|{count} passages",
        "found_boards": "1 board/section|{count} boards/sections",
        "found_sections": "1 section|{count} sections",
        "about_sections": " on {sections}",
        "about_places": " for {places}",
        "meetings": "The minutes are of: {dates}.",
        "nothing": "I found nothing on this in the protocols, so I cite nothing.",
        "searched": "Searched: {documents}.",
        "only": "only",
        "no_documents": "no documents",
    },
    "tr": {
        "yes": "Evet – panoda şu yazıyor: {quotes}.",
        "elsewhere": "Hayır – {where}{section} altında değil, {other} altında geçiyor: {quotes}.",
        "yes_for": "Evet – {place} için panoda şu yazıyor: {quotes}.",
        "said_for": "{place} için panoda şu yazıyor: {quotes}.",
        "said_for_under": "{place} için panoda {section} altında şu yazıyor: {quotes}.",
        "yes_text": "Evet – protokolde şu yazıyor: {quotes}.",
        "says_text": "Protokolde {board} altında şu yazıyor: {quotes}.",
        "yes_text_in": "Evet – {document} protokolünde şu yazıyor: {quotes}.",
        "says_text_in": "{document} protokolünde {board} altında şu yazıyor: {quotes}.",
        "no": "Hayır – {where}panolarda bu sözcüklerle bir şey yok.",
        "no_text": "Hayır – {where}protokolde bu sözcüklerle bir şey yok.",
        "none": "Panolarda {where}bu sözcüklerle bir şey yok.",
        "none_text": "Protokolde {where}bu sözcüklerle bir şey yok.",
        "absent": "{place} için panolarda {matter} hakkında bu sözcüklerle bir şey yok.",
        "absent_text": "{place} için protokolde {matter} hakkında bu sözcüklerle bir şey yok.",
        "for": "{place} için ",
        "where": "Şu yerlerde geçiyor: {found}",
        "no_district": "semt belirtilmeyen bir pano",
        "not_mentioned": "geçmediği yerler: {places}",
        "says": "{board} panosunda şu yazıyor: {quotes}.",
        "gathered": "{place} için {section} {boards} {markers}.",
        "boards": "{count} panoda|{count} panoda",
        "empty": "{board} panosundaki {section} alanı boş: oraya bir şey yazılmamış {marker}.",
        "empty_item": "(panoda boş)",
        "and": "ve",
        "unknown": "{name} protokollerde bir yer olarak geçmiyor.",
        "unheard": "{names} protokollerde geçmiyor: aşağıdaki yerler genel olarak geçerli.",
        "no_such_place": "Hayır – {name} protokollerde bir yer olarak geçmiyor.",
        "known": "Protokollerdeki yerler: {places}.",
        "kind_district": "semtler",
        "kind_group": "çalıştaylar",
        "kind_topic": "konular",
        "places": "Protokollerdeki {kind}: {found}.",
        "none_of_kind": "{documents} içinde {one_kind} yok.",
        "one_district": "semt", "one_group": "çalıştay", "one_topic": "konu",
        "lacking": "Protokollerde bunun için {what} yok.",
        "value_clock": "saat", "value_time": "tarih", "value_amount": "tutar", "value_count": "sayı",
        "value_contact": "telefon numarası veya e-posta adresi", "value_party": "parti", "value_address": "adres",
        "value_vote": "oylama sonucu",
        "value_venue": "yer (bina, oda, adres)", "value_procedure": "başvuru veya kayıt yolu",
        "more_lines": "… (kaynakta 1 satır daha)|… (kaynakta {count} satır daha)",
        "not_shown": "Bir yer daha burada gösterilmiyor{places}|{count} yer daha burada gösterilmiyor{places}",
        "narrow_down": "tek bir yer sorun ya da filtreleyin.",
        "also_in": " (şuralarda da: {places})",
        "closest": "En yakın: {places}.",
        "similar": "Benzer yerler:",
        "unknown_date": "{date} tarihli bir protokol yok.",
        "found": "Bulunan{about}: {documents} içinde {boards} üzerinde {spots}.",
        "found_similar": "Benzer yerler: {documents} içinde {boards} üzerinde {spots}.",
        "spots": "{count} yer|{count} yer",
        "found_boards": "1 pano/bölüm|{count} pano/bölüm",
        "found_sections": "1 bölüm|{count} bölüm",
        "about_sections": " ({sections})",
        "about_places": " ({places} için)",
        "meetings": "Protokollerin tarihleri: {dates}.",
        "nothing": "Protokollerde bununla ilgili bir şey bulamadım, bu yüzden alıntı yapmıyorum.",
        "searched": "Aranan belgeler: {documents}.",
        "only": "yalnızca",
        "no_documents": "belge yok",
    },
}
LEAD_QUOTES = 2  # verbatim items a lead quotes at most


def phrase(query: Query | None, key: str, **values) -> str:
    words = PHRASES.get(query.language if query else "de", PHRASES["de"])
    return words[key].format(**values)


_QUOTED = re.compile(r'^[„"“»][^„"“”»«]*[“"”«]$')  # one quotation as a whole, not „a“ und „b“


def quote(text: str) -> str:
    """Text in German quotation marks, unless it stands in quotation marks of its own („„…““ reads as a typo)."""
    return escape_markdown(text) if _QUOTED.match(text.strip()) else f"„{escape_markdown(text)}“"


def listing(names: list[str], query: Query | None) -> str:
    """"A, B und C" in the question's language."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {phrase(query, 'and')} {names[-1]}"


def markers(numbers: list[int]) -> str:
    """[1], [3–5]: consecutive markers as a range."""
    numbers = sorted(set(numbers))
    if not numbers:
        return ""
    if numbers[-1] - numbers[0] == len(numbers) - 1 and len(numbers) > 1:
        return f"[{numbers[0]}–{numbers[-1]}]"
    return " ".join(f"[{n}]" for n in numbers)


NO_DISTRICT = "ohne Stadtteilangabe"  # an exchange board whose district is not written on it


TITLE_WORDS = 5  # words of a topic's title that name it in a list of places


def short_title(title: str) -> str:
    """A topic's title cut to its first TITLE_WORDS words ("Klimaschutz, Umweltschutz, Müllentsorgung Kinder
    motivieren …")."""
    words = title.split()
    if len(words) <= TITLE_WORDS:
        return title
    cut = " ".join(words[:TITLE_WORDS])
    if cut.count("(") > cut.count(")"):
        cut = cut[:cut.rindex("(")].rstrip()  # not a bracket left open: "ELTERN/FRAUEN (Kita, Schule, …"
    return cut + " …"


def topic_titles(hits: list[Hit]) -> dict[str, str]:
    """The title of each topic among the hits' places ("Thema 13" → "Sprach + Alphabetisierungskurse"): the one the
    group worked it out under where its result board is cited, else its card's."""
    titles: dict[str, str] = {}
    for hit in hits:
        passage = hit.passage
        if passage.topic_no is not None and passage.topic and not passage.place:
            place = place_of(passage)
            if passage.board_kind == "topic_result" or place not in titles:
                titles[place] = passage.topic
    return titles


def titled(place: str, titles: dict[str, str]) -> str:
    """A place as an answer names it: a topic by its number and title, "Thema 13 („Sprach +
    Alphabetisierungskurse“)" (its number alone tells a reader nothing), any other place by its name."""
    if place not in titles:
        return place
    title = short_title(titles[place])
    return f"{place} ({title if _QUOTED.match(title.strip()) else f'„{title}“'})"


def place_of(passage) -> str:
    """Where a passage stands, for grouping: its district or workshop ("Workshop 2 - Wohnen" as its table names
    it), its topic ("Thema 2", card and result board together), else its board."""
    if passage.place:
        return passage.meta.get("group") or passage.place
    if passage.board_kind == "district":
        return NO_DISTRICT
    if passage.topic_no is not None:
        return f"Thema {passage.topic_no}"
    return passage.board


def unknown_place_answer(query: Query, known: dict[str, list[str]]) -> Answer:
    """A place the protocols do not know is said to be unknown, with the closest known names; nothing is cited."""
    lines = []
    # (a yes-or-no question about it is answered "no": "Gibt es im Workshop Wohnen Vorschläge für Häverstädt?")
    said = "no_such_place" if query.intent == "yesno" else "unknown"
    for name, closest in query.unknown_places:
        lines.append(escape_markdown(phrase(query, said, name=f"„{name}“")))
        said = "unknown"
        if closest:
            lines.append(escape_markdown(phrase(query, "closest", places=listing(closest, query))))
    # Districts and workshops apart, a name with "und" in quotes ("Zusammenleben und Teilhabe" is one workshop).
    listed = "; ".join(f"{phrase(query, 'kind_' + kind)} " + ", ".join(
        f"„{name}“" if re.search(r"\s(und|and|ve)\s|,", name) else name for name in names)
        for kind, names in known.items())
    if listed:  # (protocols of other shapes may name no districts or workshops at all)
        lines += ["", escape_markdown(phrase(query, "known", places=listed))]
    answer = Answer(text="\n".join(lines), passages=[], query=query, abstained=True)
    answer.lead = lines[0]
    answer.verdict = "nein" if query.intent == "yesno" else None
    return answer


def no_places_answer(query: Query, documents: list[str], known: dict[str, list[str]], limits: list[str] = ()) -> Answer:
    """A question for the places of a kind ("Welche Workshops gab es in Gelsenkirchen?") where the documents it
    looked in (within the filters, limits) have none: said so, with the places they do have; nothing is cited."""
    asked = query.place_kind
    one = PHRASES.get(query.language, {}).get(f"one_{asked}", "")  # where a language says "no workshop"
    within = f" ({phrase(query, 'only')}: {'; '.join(limits)})" if limits else ""
    lead = escape_markdown(phrase(query, "none_of_kind", kind=phrase(query, f"kind_{asked}"), one_kind=one,
                                  documents=listing([f"„{title}“" for title in documents], query) + within))
    listed = "; ".join(f"{phrase(query, 'kind_' + kind)} " + ", ".join(names) for kind, names in known.items())
    lines = [lead, "", escape_markdown(phrase(query, "known", places=listed))] if listed else [lead]
    answer = Answer(text="\n".join(lines), passages=[], query=query, abstained=True)
    answer.lead = lead
    return answer


def unknown_meeting_answer(query: Query, meetings: list[str]) -> Answer:
    """A meeting asked about by a date that no protocol has is said not to be there, with the dates there are;
    nothing is cited."""
    lines = [escape_markdown(phrase(query, "unknown_date", date=f"„{date}“")) for date in query.unknown_dates]
    lines += ["", escape_markdown(phrase(query, "meetings", dates="; ".join(meetings)))]
    answer = Answer(text="\n".join(lines), passages=[], query=query, abstained=True)
    answer.lead = lines[0]
    return answer


def compose(query: Query, hits: list[Hit], missing: list[tuple[str, str]], analyzer: GermanAnalyzer,
            mode: str = "ranked", not_mentioned: list[str] | None = None, hidden: list[Hit] = (),
            value: str | None = None, absent: tuple[list[str], str] | None = None) -> Answer:
    """The answer text for the cited hits: a lead that answers in one or two sentences (template words and
    verbatim quotes, each with its marker), one framing line, then per board (per place for a where-question)
    the quoted items, the answering lines first and in bold.

    mode: "ranked" (the best passages), "where" (every passage that mentions the matter, not_mentioned naming
    the places that do not), "yes" (a yes-or-no question the protocols answer), "no" (one whose named places do
    not name the matter: the closest passages follow as similar ones), "elsewhere" (one naming a field of the
    places whose boards name the matter under another field: "no", quoting where), "absent" (any other question
    about named places that do not name its matter, absent: (those places, the matter's word); the closest passages
    follow as similar ones), "lacking" (a question for a value, a time or an amount, that none of the passages
    holds: said so, and they follow as similar ones; no answer). Markers
    are numbered in reading order and `Answer.passages` follows them. hidden: passages found beyond those shown,
    counted (with the places only they come from) under the framing line. value: the kind of value a "lacking"
    answer did not find (understand.asked_value).
    """
    notes = [f"Für {place} gibt es im Protokoll keinen Abschnitt „{section}“." for place, section in missing]
    query_terms = set(analyzer.analyze_query(query.text))
    # Per place for a where-question; else per board, in the order of the ranking (the passages that answer best
    # first), a board's passages together while they follow each other.
    by_place = mode in ("where", "places")
    groups: list[tuple[str, list[Hit]]] = []
    for hit in hits:
        name = place_of(hit.passage) if by_place else hit.passage.board
        same = [group for key, group in groups if key == (hit.source, name)]
        if same and (by_place or groups[-1][0] == (hit.source, name)):
            same[0].append(hit)
        else:
            groups.append(((hit.source, name), [hit]))
    ordered = [hit for _, group in groups for hit in group]
    number = {id(hit): n for n, hit in enumerate(ordered, start=1)}
    absent_places, absent_matter = absent or ([], "")
    lead = _lead(query, ordered, number, mode, not_mentioned or [], value=value, hidden=hidden,
                 absent_places=absent_places, absent_matter=absent_matter, analyzer=analyzer)
    lines = [lead] if lead else []
    if notes and {place for place, _ in missing} >= set(query.local_places):
        # None of the places asked about has the field: that is the answer, what they do say follows.
        lead = escape_markdown(notes[0])
        lines = [lead, *[escape_markdown(note) for note in notes[1:]], *lines]
    else:
        lines += [escape_markdown(note) for note in notes]
    if query.unheard and mode not in ("no", "absent", "lacking"):
        # "Welche Probleme gibt es für Rentner?": what is cited is the field in general, not for Rentner; said
        # first, before any quote could be read as the answer for them
        unheard = escape_markdown(phrase(query, "unheard", names=listing([f"„{name}“" for name in query.unheard],
                                                                         query)))
        lines.insert(0, unheard)
        lead = f"{unheard}\n{lead}" if lead else unheard
    if mode not in ("no", "absent", "lacking"):  # after "no … Ähnliche Stellen:" the list itself follows
        lines.append(framing(query, ordered, answered_as_asked=not missing))
    if hidden:
        shown = {place_of(hit.passage) for hit in hits}
        others = [name for name in dict.fromkeys(place_of(hit.passage) for hit in hidden) if name not in shown]
        places = phrase(query, "also_in", places=listing(others, query)) if others else ""
        note = counted_phrase(query, "not_shown", len(hidden), places=places)
        lines.append(escape_markdown(f"{note}; {phrase(query, 'narrow_down')}"))
    for (_, group_name), group in groups:
        first = group[0].passage
        document = first.short_title
        lines.append("")
        lines.append(f"**{escape_markdown(group_name)}** – {escape_markdown(document)}")
        for hit in group:
            marker = number[id(hit)]
            passage = hit.passage
            heading = passage.board if by_place and passage.board != group_name else None
            label = " · ".join(part for part in (heading, passage.section if passage.section != passage.board
                                                  else None) if part)
            if label:
                if lines[-1].startswith("- "):
                    lines.append("")  # else Markdown reads the label as the last bullet's continuation
                lines.append(f"*{escape_markdown(label)}* [{marker}]")
            if passage.meta.get("empty"):
                lines.append(f"- {quote(passage.text)} {escape_markdown(phrase(query, 'empty_item'))} [{marker}]")
                continue
            # A gathered section is shown whole: the question asked for all of it.
            for item in select_items(passage, query_terms, analyzer, whole=hit.gathered, highlights=hit.highlights,
                                     only_highlighted=by_place, query=query, strong=mode not in SIMILAR_MODES):
                # "… (n weitere Zeilen …)" is no quote: a note under the list, without a marker (a paragraph of its
                # own: indented, Markdown reads it as part of the bullet above)
                lines.extend(["", f"*{item}*", ""] if item.startswith("…") else [f"- {item} [{marker}]"])
    answer = Answer(text="\n".join(lines), passages=ordered, query=query, notes=notes)
    answer.lead = lead
    answer.verdict = {"yes": "ja", "no": "nein", "elsewhere": "nein"}.get(mode)
    if mode == "yes" and not lead.startswith(phrase(query, "yes", quotes="").split(" ")[0]):
        answer.verdict = None  # the lead quotes a decision (or whether it suffices) without saying "Ja" of its own
    if mode == "no" and says_nothing_rather_than_no(query):
        answer.verdict = None
    answer.not_mentioned = list(not_mentioned or [])
    answer.not_shown = len(hidden)
    answer.mode = mode
    answer.abstained = mode == "lacking"  # the question is not answered; what comes closest is shown
    return answer


def no_answer(query: Query, places: list[str]) -> Answer:
    """A yes-or-no question about named places whose boards do not mention the matter: "no", citing nothing."""
    where = phrase(query, "for", place=listing(places, query)) if places else ""
    # (a district's boards, else a protocol's text: a workshop's rows, minutes)
    silent = says_nothing_rather_than_no(query)
    said = "none" if silent else "no"
    key = said if any(place.kind == "district" for place in query.places) else said + "_text"
    lead = escape_markdown(phrase(query, key, where=where))
    answer = Answer(text=lead, passages=[], query=query, mode="no")
    answer.lead = lead
    answer.verdict = None if silent else "nein"
    return answer


def says_nothing_rather_than_no(query: Query) -> bool:
    """Whether a yes-or-no question the protocols do not answer gets "nothing is said of it" rather than "Nein":
    one asking whether something suffices ("Nein" would say "not enough") or whether something exists ("Gibt es in
    Schalke-Nord einen Jugendtreff?": "Nein" would say there is none, where the boards are only silent)."""
    asked = yes_no_words(query)
    return asks_enough(query) or (query.intent == "yesno" and not ASKS_WHETHER_RAISED.search(asked)
                                  and bool(ASKS_WHETHER_THERE_IS.search(asked)))


def asks_enough(query: Query) -> bool:
    """Whether a yes-or-no question asks if something suffices: its lead quotes or says nothing without "Ja" or
    "Nein" (understand.ASKS_ENOUGH)."""
    return query.intent == "yesno" and bool(ASKS_ENOUGH.search(yes_no_words(query)))


def yes_no_words(query: Query) -> str:
    """The words a yes-or-no question asks with: its own, and the earlier question's only where a follow-up asks
    that again of another place ("Und in Feldmark?"; "Gibt es dort auch Schrottimmobilien?" after a question whether
    there are enough Kitas asks whether there are any)."""
    return query.text if "intent" in query.inherited else query.question


# A line saying that something is lacking or only proposed: "keine / bzw. zu wenig KiTA-Plätze", "mehr Grünflächen",
# "Hier könnte die Einrichtung einer entsprechenden Fachstelle nützlich sein" (not one saying it is there:
# "Trotz vorhandener Begegnungsstätten … wenig wahrgenommen").
LACKING_OR_PROPOSED = re.compile(
    r"\b(?:kein\w*|zu\s+wenig\w*|fehl\w*|mangel\w*|könnte\w*|sollte\w*|müsste\w*|wäre\w*|würde\w*|"
    r"wünsch\w*|bedarf|brauch\w*|benötig\w*|einrichtung|schaffung|ausbau|schaffen|einrichten|ausbauen|mehr)\b",
    re.IGNORECASE)
PRESENT = re.compile(r"\b(?:vorhanden\w*|gibt\s+es|existier\w*|bestehend\w*)\b", re.IGNORECASE)
# A table's column for what is wanted or proposed rather than what there is: "Ziel: …", "Angebot/ Maßnahme: …",
# "Empfehlungen: …" (a board's field, "Handlungsbedarfe", holds problems that are there as well as what is lacking).
WISHED_COLUMN = re.compile(r"empfehl|lösung|idee|ziel|vorschl|anregung|maßnahme|forder|wunsch|wünsch|planung",
                           re.IGNORECASE)
LABEL_CHARS = 40  # "Angebot/ Maßnahme: …": a quote's own label is this short at most


def says_it_exists(query: Query, quotes: list[str]) -> bool:
    """Whether the quoted lines answer a yes-or-no question "Ja": not where it asks whether something exists ("Gibt
    es in Bismarck Kitas?") and every line quoted says it is lacking or proposes it ("keine / bzw. zu wenig
    KiTA-Plätze") or is a table's cell of what is wanted ("Ziel: Es gibt genügend Unterstützung …"); such lines do
    answer whether it is a problem or a need ("Gibt es in Schalke Ärger mit …?")."""
    if ASKS_WHETHER_RAISED.search(yes_no_words(query)):
        return True

    def wished(text: str) -> bool:
        label, colon, _ = text.partition(": ")
        return bool(colon and len(label) <= LABEL_CHARS and WISHED_COLUMN.search(label))

    return not all((wished(text) or LACKING_OR_PROPOSED.search(text)) and not PRESENT.search(text)
                   for text in quotes)


def _lead(query: Query, hits: list[Hit], number: dict[int, int], mode: str, not_mentioned: list[str],
          value: str | None = None, hidden: list[Hit] = (), absent_places: list[str] = (),
          absent_matter: str = "", analyzer: GermanAnalyzer | None = None) -> str:
    """One or two sentences that answer directly: template words and verbatim quotes with their markers (a list of
    places names the ones not shown too, without one)."""
    if mode == "lacking":
        what = phrase(query, f"value_{value}")
        return escape_markdown(f"{phrase(query, 'lacking', what=what)} {phrase(query, 'similar')}")
    # (a workshop wall's boards say it, or a protocol's text: minutes, a table)
    medium = "" if hits and hits[0].passage.board_kind in WALL_BOARDS else "_text"
    if mode == "no":
        places = query.local_places
        where = phrase(query, "for", place=listing(places, query)) if places else ""
        said = "none" if says_nothing_rather_than_no(query) else "no"
        return escape_markdown(f"{phrase(query, said + medium, where=where)} {phrase(query, 'similar')}")
    if mode == "absent":
        said = phrase(query, "absent" + medium, place=listing(absent_places, query), matter=f"„{absent_matter}“")
        return escape_markdown(f"{said} {phrase(query, 'similar')}")
    if not hits:
        return ""
    if mode == "places":
        def name(hit: Hit) -> str:
            return escape_markdown(hit.passage.topic or place_of(hit.passage))

        named = listing([f"{name(hit)} [{number[id(hit)]}]" for hit in hits] + [name(hit) for hit in hidden], query)
        return phrase(query, "places", kind=phrase(query, f"kind_{query.place_kind}"), found=named)
    if mode == "where":
        by_place: dict[str, list[int]] = {}
        for hit in hits:
            by_place.setdefault(place_of(hit.passage), []).append(number[id(hit)])
        titles = topic_titles(hits)

        def named(place: str) -> str:
            # (the board without a district is no place: "für eine Tafel ohne Stadtteilangabe [1]")
            if place == NO_DISTRICT:
                return escape_markdown(phrase(query, "no_district"))
            return escape_markdown(titled(place, titles))

        found = listing([f"{named(place)} {markers(numbers)}" for place, numbers in by_place.items()], query)
        lead = phrase(query, "where", found=found)
        if not_mentioned:
            lead += "; " + escape_markdown(phrase(query, "not_mentioned", places=listing(not_mentioned, query)))
        return lead + "."
    first = hits[0]
    gathered = [hit for hit in hits if hit.gathered]
    places = sorted({hit.passage.place for hit in gathered if hit.passage.place})
    if gathered and places:  # (a section of a meeting's protocol gathered: its lines are quoted, as below)
        one, many = phrase(query, "boards", count=len(gathered)).split("|")
        return phrase(query, "gathered", place=escape_markdown(listing(places, query)),
                      section=quote(gathered[0].passage.section or ""), boards=one if len(gathered) == 1 else many,
                      markers=markers([number[id(hit)] for hit in gathered]))
    if first.passage.meta.get("empty"):
        return phrase(query, "empty", section=quote(first.passage.section or ""), board=quote(first.passage.board),
                      marker=f"[{number[id(first)]}]")
    asked = asked_value(query.question) if query.intent is None else None
    asked_terms = frozenset(analyzer.analyze(query.about)) if analyzer else frozenset()
    quoted = []
    for hit in hits:
        if hit.passage.meta.get("empty"):
            continue
        marked = set(hit.highlights)
        # (the wrapped lines of a paragraph: the marked ones joined as they run, not each fragment alone)
        items = ([item for item in hit.passage.items if item.line in marked] if hit.passage.meta.get("wrapped")
                 else hit.passage.items)
        answering = [(text, line) for text, line, hit_line in bullets(
            items, marked, prose=bool(hit.passage.meta.get("wrapped")), question=query.question) if hit_line]
        answering = [text for text, line in answering
                     if naming_what_is_asked(text, line, answering, asked_terms, analyzer)]
        cards = [" ".join(item.text.strip() for item in hit.passage.items[start:end])
                 for start, end in card_blocks(hit.passage.items)
                 if any(item.line in marked for item in hit.passage.items[start:end])] if asked == "count" else []
        if cards:
            answering = cards  # a card's dots answer with its text: „Bürgerbus 3“, not „3“
        elif asked and not query.meeting_fact:
            # (a table row's line holds several cells: the one with the value answers "Was kostet …?"; the labelled
            # lines of a meeting's facts answer as they are, "Teilnehmer: ca. 15" and "Dauer: 20:00 - 22:00")
            answering = [text for text in answering if VALUES[asked].search(text)] or answering
        for text in answering:
            if len(quoted) < LEAD_QUOTES and all(text != previous for previous, _ in quoted):
                quoted.append((text, number[id(hit)]))
        if quoted:
            first = hit  # the board named is the one quoted
            break
    if not quoted:
        return ""
    quotes = "; ".join(f"{quote(text)} [{marker}]" for text, marker in quoted)
    # A board of a workshop wall is called one; minutes, a table or a text are "the protocol".
    on_a_board = first.passage.board_kind in WALL_BOARDS
    # (an answer from several documents says which one a text's quote is from: "In „Grossratsprotokoll vom
    # 16.08.2023“ steht unter „Protokollkopf“")
    text = "_text_in" if len({hit.source for hit in hits}) > 1 else "_text"
    if mode == "elsewhere":
        # (the field the question names has no such line; another field of the place's boards has)
        places = query.local_places
        asked_field = next((name for name in query.sections if name in query.worded_sections), "")
        return phrase(query, "elsewhere", section=quote(asked_field), other=quote(first.passage.section or ""),
                      where=phrase(query, "for", place=escape_markdown(listing(places, query))) if places else "",
                      quotes=quotes)
    # (a decision quoted says itself whether it passed: "Ja – … wird abgelehnt" would contradict it)
    section = first.passage.section
    if mode == "yes" and (asks_enough(query) or not says_it_exists(query, [text for text, _ in quoted])):
        places = query.local_places
        if places and on_a_board:
            # (the field it stands in tells a need from what there is: "unter „Handlungsbedarfe“")
            under = section and not asks_enough(query) and section != first.passage.board
            return phrase(query, "said_for_under" if under else "said_for",
                          place=escape_markdown(listing(places, query)), section=quote(section or ""), quotes=quotes)
    elif mode == "yes" and not decides(first.passage):
        places = query.local_places
        if places and on_a_board:
            return phrase(query, "yes_for", place=escape_markdown(listing(places, query)), quotes=quotes)
        return phrase(query, "yes" if on_a_board else "yes" + text, document=quote(first.passage.short_title),
                      quotes=quotes)
    # (in minutes, who said it: a turn's later parts do not repeat the speaker's name, "Sabina Peter Köstli, Die
    # Mitte/EVP:" opens only the first)
    speaker = first.passage.meta.get("speaker")
    named = bool(speaker) and any(text.startswith(speaker.split(",")[0]) for text, _ in quoted)
    board = quote(first.passage.board) + (f" ({escape_markdown(speaker)})" if speaker and not named else "")
    return phrase(query, "says" if on_a_board else "says" + text, document=quote(first.passage.short_title),
                  board=board, quotes=quotes)


def naming_what_is_asked(text: str, line: int, answering: list[tuple[str, int]], asked_terms: frozenset[str],
                         analyzer: GermanAnalyzer | None) -> bool:
    """Whether a marked item is quoted: not beside one of its line that names what is asked when it does not ("Anregung
    9: … Fachstelle …" and "Anregung 10: …" share a line of the source; "Gibt es eine Fachstelle?" quotes the first)."""
    same_line = [other for other, at in answering if at == line]
    if len(same_line) < 2 or not asked_terms or analyzer is None:
        return True

    def names(quoted: str) -> bool:
        return bool(asked_terms & set(analyzer.analyze(quoted)))

    return names(text) or not any(names(other) for other in same_line)


WALL_BOARDS = frozenset({"district", "topic_card", "topic_result"})
BOARDS_AND_ROWS = WALL_BOARDS | {"table_row"}


def framing(query: Query, hits: list[Hit], answered_as_asked: bool = True) -> str:
    """The one line of the answer's own words: what was found, where (in the question's language)."""
    boards = {(hit.source, hit.passage.board) for hit in hits}
    counted = {
        "spots": counted_phrase(query, "spots", len(hits)),
        # (boards and rows where the answer has any, else sections of a text: minutes speak of no "Tafeln")
        "boards": counted_phrase(query, "found_boards" if any(hit.passage.board_kind in BOARDS_AND_ROWS
                                                              for hit in hits) else "found_sections", len(boards)),
        # titles in quotes: a title taken from a document's first line ("Am 23.04.2015 priorisierte Themen …")
        # does not read as part of the sentence
        "documents": listing([f"„{title}“" for title in sorted({hit.passage.short_title for hit in hits})], query),
    }
    if not answered_as_asked:
        return escape_markdown(phrase(query, "found_similar", **counted))
    about = ""
    # Only the sections the question itself names ("Probleme" is no reason to announce "Herausforderung"), and
    # only where something was found in them ("Wo wünschen sich die Teilnehmenden …" found nothing in "Teilnehmende").
    found_in = {hit.passage.section for hit in hits}
    named = [name for name in sorted(query.sections, key=query.sections.get, reverse=True)
             if uses_section_name(query.question, name) and name in found_in]
    if named:
        about += phrase(query, "about_sections", sections=" / ".join(f"„{name}“" for name in named))
    if query.places:
        about += phrase(query, "about_places", places=", ".join(place.name for place in query.places))
    return escape_markdown(phrase(query, "found", about=about, **counted))


def counted_phrase(query: Query, key: str, count: int, **values) -> str:
    """A phrase with a count, in its singular or plural form ("1 Stelle|{count} Stellen")."""
    one, many = phrase(query, key, count=count, **values).split("|")
    return one if count == 1 else many


# Answers whose passages only come closest (a "no", a place that does not name it, a value not given): their
# closest lines come first but are no answer, so they are not set in bold.
SIMILAR_MODES = frozenset({"no", "absent", "lacking"})


def select_items(passage, query_terms: set[str], analyzer: GermanAnalyzer, whole: bool = False,
                 highlights: tuple[int, ...] = (), only_highlighted: bool = False,
                 query: Query | None = None, strong: bool = True) -> list[str]:
    """The items to quote, lines broken by the transcription joined again: the answering ones (highlights) first
    and (strong) in bold, never left out; then all of a short passage (or of one asked for whole), of a long one
    those sharing the most words with the question; how many are left out said in the question's language."""
    # (a line repeating the passage's heading is shown as its label already, unless it is what answers: "In welchen
    # Workshops wird Teilhabe genannt?" is answered by the title "Workshop 3 - Zusammenleben und Teilhabe")
    marked = set(highlights)
    headings = heading_lines(passage) - marked
    items = [item for item in passage.items if item.line not in headings] or list(passage.items)
    chosen = items
    if (len(items) > MAX_ITEMS_PER_PASSAGE and not whole) or (only_highlighted and marked):
        overlap = [len(query_terms & set(analyzer.analyze(item.text))) for item in items]
        keep = {index for index, item in enumerate(items) if item.line in marked}
        if not only_highlighted:
            keep.add(0)  # the first item names the row or board (e.g. the challenge of a table row)
            for index in sorted(range(len(items)), key=lambda i: -overlap[i]):
                if len(keep) >= MAX_ITEMS_PER_PASSAGE - 1:
                    break
                keep.add(index)
        chosen = [item for index, item in enumerate(items) if index in keep]
    # (a paragraph's wrapped lines are read as they run: joined, and in their order)
    prose = bool(passage.meta.get("wrapped"))
    joined = bullets(chosen, marked, prose=prose, question=query.question if query else "")
    # The answering lines first, unless the whole passage answers.
    answering = [bullet for bullet in joined if bullet[2]]
    if answering and len(answering) < len(joined):
        if not prose:
            joined = answering + [bullet for bullet in joined if not bullet[2]]
        quoted = [f"**{escape_markdown(text)}**" if hit and strong else escape_markdown(text)
                  for text, _, hit in joined]
    else:
        quoted = [escape_markdown(text) for text, _, _ in joined]
    if len(chosen) < len(items):
        quoted.append(counted_phrase(query, "more_lines", len(items) - len(chosen)))
    return quoted


def bullets(items, marked: set[int], prose: bool = False, question: str = "") -> list[tuple[str, int, bool]]:
    """Items as bullets, lines broken by the transcription joined again: (text, line of its last part, whether
    one of its lines is marked). prose: the items are the wrapped lines of paragraphs, each carrying on the one
    before unless that one ended a sentence or introduced a speaker ("Daniel Eugster, FDP:") or the line opens
    with a label of its own ("location: Rathaus" after "event: 2015-09-24"). A table row's cells share its line:
    of a marked line, those of the columns the question names answer ("Wer ist die Zielgruppe?")."""
    asked = columns_named(tuple(items), question) if question else frozenset()
    # (only on a line that has a cell of such a column: a row continued below holds the other columns' cells)
    asked_lines = {item.line for item in items if item.label in asked}
    joined: list[tuple[str, int, bool]] = []
    for item in items:
        if item.label and item.line in marked and item.line in asked_lines:
            joined.append((f"{item.label}: {LIST_MARK.sub('', item.text).strip()}", item.line, item.label in asked))
            continue
        text = LIST_MARK.sub("", item.text).strip()
        label = f"{item.label}: " if item.label else ""
        previous = joined[-1] if joined else None
        carries_on = (not previous[0].rstrip().endswith((".", "!", "?", ":")) and not _LABELLED.match(text)
                      if prose and previous
                      else previous and _continues(previous[0], item.text))
        if previous and not label and previous[1] == item.line - 1 and carries_on:
            whole = previous[0][:-1] + text if _hyphen_break(previous[0], text) else f"{previous[0]} {text}"
            joined[-1] = (whole, item.line, previous[2] or item.line in marked)
        else:
            joined.append((label + text, item.line, item.line in marked))
    return joined


_STEMMER = Stemmer.Stemmer("german")


@functools.lru_cache(maxsize=1 << 12)
def _stems(text: str) -> frozenset[str]:
    # (whole words, not the compound parts the lexical analyzer splits off: a "Zielgruppe" is asked for, no "Ziel")
    return frozenset(_STEMMER.stemWord(fold(word)) for word in WORD.findall(text) if len(word) >= 3)


def columns_named(items: tuple, question: str) -> frozenset[str]:
    """The labels of a table row's cells that the question names by a word of theirs ("Zielgruppe", "Ziele",
    "Maßnahmen"). The first column names the row itself where another column is asked for before it ("Welche
    Zielgruppe hat die Herausforderung …?" asks for the Zielgruppe; "Welche Herausforderungen und Ziele …?" for
    both)."""
    labels = list(dict.fromkeys(item.label for item in items if item.label))
    if len(labels) < 2:
        return frozenset()
    tokens = [_stems(word) for word in WORD.findall(question)]
    first = {label: next((i for i, stems in enumerate(tokens) if _stems(label) & stems), None) for label in labels}
    named = [label for label in labels if first[label] is not None]
    if len(named) > 1 and named[0] == labels[0] and min(first[label] for label in named[1:]) < first[labels[0]]:
        named = named[1:]
    return frozenset(named)


# A line opening with one word and a colon ("Ort: …", "location: …") is a field of its own, not a wrapped line.
_LABELLED = re.compile(r"^[^\W\d][\w-]*:\s")


def _continues(previous: str, line: str) -> bool:
    """Whether a line carries on the one before (a word or phrase wrapped on the photo), not a new item."""
    if not line or line[0] in "-–•*↳→>" or line[:1].isdigit() or _LABELLED.match(line):
        return False
    if previous.count("(") > previous.count(")"):
        return True  # a bracket opened and not yet closed
    if previous.endswith(("-", ",", "(", "/", "+")):
        return True
    first, before = line.split()[0], previous.split() or [""]
    # (not "der" after a line without an article: "Sanierung" / "der Turnhalle" is a genitive)
    if first in _ARTICLES and before[-1].casefold() not in _LINKING_WORDS and (
            first != "der" or before[0].casefold() in _ARTICLES):
        return False  # "Viele Grün + Spielflächen" / "die Familienzentren" / "der Martinszug": a list of its own
    return line[0].islower() or line[0] in ")]"


# A line opening with an article starts an item of its own, unless the line before ends in a word that needs more
# ("Kinderbetreuung für" / "die Familien").
_ARTICLES = frozenset("der die das den dem ein eine einen einem einer".split())  # not "des": a genitive carries on
_LINKING_WORDS = frozenset(
    "für mit von vom in im an am auf zu zum zur und oder bei beim aus über unter durch gegen ohne um nach vor "
    "zwischen dass als wie sowie bzw. bzw sind ist wird werden gibt haben hat".split()
)


# "Rad-" / "und Fußwege": a hyphen before a conjunction stands for a shared word part and stays.
_SUSPENDED_HYPHEN_BEFORE = ("und ", "oder ", "bis ", "sowie ", "bzw", "u. ", "wie ")


def _hyphen_break(previous: str, line: str) -> bool:
    if line.startswith(_SUSPENDED_HYPHEN_BEFORE):
        return False
    return previous.endswith("-") and len(previous) > 1 and previous[-2].isalpha() and line[:1].islower()

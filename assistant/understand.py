"""Understanding a question in its conversation: places, sections, topics and documents it names."""

from __future__ import annotations

import functools
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import Stemmer
from rapidfuzz import fuzz, process

from index import Passage
from index.layouts.generic import ATTACHMENTS
from index.lexical import PREFIX_LETTERS, GermanAnalyzer, LexicalIndex, by_prefix, fold
from index.store import embedding_text

from .meetings import MONTHS, ORDINAL_ENTRY, ORDINALS, OVERVIEW_WORDS, Meetings, listed_entries

WORD = re.compile(r"[^\W_]+", re.UNICODE)
PLACE_FUZZY_MIN_CHARS = 5
PLACE_FUZZY_CUTOFF = 85
SECTION_MIN_SCORE = 2.0  # about one distinctive prompt word; a single common word is not enough
SECTION_KEEP_RATIO = 0.6  # sections scoring this close to the best are kept as well
HEADING_SHARE = 0.5  # a heading that stands once is named by more than half of its own words
# A name in quotes within a heading (straight, German or English quotes).
QUOTED = re.compile(r'["„“”»«]([^"„“”»«]{1,80})["“”«»]')  # (short ones too, so that pairs stay pairs)
TOPIC_MARGIN = 1.4  # the best topic must beat the second by this factor to count as named
TOPIC_MIN_SPECIFICITY = 0.5  # and a word naming it must be used mostly in that topic's passages
# Words that point back into the conversation (German and English): a follow-up, not a new question. Folded like
# the question's words ("darüber" is read as "daruber").
ANAPHORA = frozenset(
    fold(word) for word in
    "und dort da dazu dabei darüber davon daran dafür darum damit dagegen dadurch deshalb deswegen hierzu hier "
    "drum drüber dran drauf "  # spoken forms ("Wer soll sich drum kümmern?")
    "denen deren derselben dieselbe derselbe dasselbe denselben demselben ebenfalls "
    "and there that those them it this these also same".split()
)
PLACE_ANAPHORA = frozenset({"dort", "da", "hier", "there"})  # they stand for the place asked about, nothing else
# "Welches Departement leitet sie?" after a question naming Cornelia Komposch: she is the one named before.
# (Not "sein", a verb as often; a capital "Sie"/"Ihr" inside a question is the polite "you" and points nowhere.)
PERSON_ANAPHORA = frozenset(
    "er ihm ihn seine seinen seinem seiner seines sie ihr ihre ihren ihrem ihrer ihres "
    "he him his she her they their".split()
)
FOLLOWUP_MAX_WORDS = 7
# A question word alone ("Wo genau?", "Und wann?") and the one an earlier question opens with (German, English):
# only those asking where, when or why, which stand for no part of the sentence ("Wer hat … verlassen?" asked "Wann?"
# is no "Wann hat … verlassen?").
_QUESTION_WORD = (r"wie\s+lange|um\s+wie\s+viel\s+uhr|wo|wann|warum|wieso|weshalb|wohin|woher"
                  r"|where|when|why|how\s+long")
BARE_QUESTION_WORD = re.compile(rf"^\W*(?:und\s+|and\s+)?({_QUESTION_WORD})"
                                r"(?:\s+(?:genau|denn|noch|eigentlich|dann|exactly|then))*\W*$", re.IGNORECASE)
LEADING_QUESTION_WORD = re.compile(rf"^(\W*(?:und\s+|and\s+)?)({_QUESTION_WORD})\b", re.IGNORECASE)
# A unit alone ("Und pro Kilometer?", "Pro Jahr?"): the value asked before, per that unit.
PER_UNIT_ONLY = re.compile(r"^\W*(?:und\s+|and\s+)?((?:pro|je|per)\s+[^\W\d_]+)\W*$", re.IGNORECASE)
ELLIPTIC_WORDS = 4  # a question for a value in so few words names nothing it is about: "Mit wie vielen Stimmen?"
COMPOUND_HEAD_LETTERS = 4  # a stem this long at the end of a compound names what the compound does ("projekt")
# Words for a document as such, folded (German, English): "das Dokument", "im Protokoll", "the minutes".
DOCUMENT_WORDS = frozenset("dokument dokuments dokumente dokumenten protokoll protokolls protokolle protokollen "
                           "unterlage unterlagen schriftstuck document documents minutes".split())
# A group, topic or board named with a definite article and nothing else: the one asked about before ("das Thema",
# "in der Gruppe", "auf derselben Tafel").
THE_SAME_FRAME = re.compile(
    r"\b(?:das|dem|des|die|der|den|dieses|diesem|dieser|diese|denselben|derselben|demselben|dieselbe)\s+"
    r"(?:thema|themas|gruppe|arbeitsgruppe|themenkarte|tafel|workshops?|the\s+same\s+(?:topic|group|board))\b"
    r"(?!\s+(?-i:[A-ZÄÖÜ„\"'‚]))",  # (not "das Thema Müll": that names it)
    re.IGNORECASE)
FOLLOWUP_OPENERS = frozenset({"und", "and", "peki", "ya"})  # "Und in Bismarck?", "Peki Bismarck'ta?"
# How a question asks (German, English, Turkish): for the places that mention something, or yes or no.
# "In welcher Form / Höhe / Reihenfolge …", "in which way …" ask how, not where.
MANNER_NOUNS = (
    "form|weise|art|höhe|hohe|sprache|reihenfolge|zeit|größe|grosse|menge|richtung|umfang|jahr|monat|"
    "zusammenhang|rahmen|maße|masse|maß|mass|zustand|format|funktion|rolle|way|form|order|language|year|manner"
)
# The words before a meeting's name that place something at it as a meeting ("bei der Bürgerrunde", "in der
# Bürgerrunde"; not "zur Bürgerrunde", which may be what a card says about it).
MEETING_ARTICLES = r"(?:bei|beim|in|im|auf|an|am|während|at|during)(?:\s+(?:der|dem|den|einer|einem|the))?"
AFTER_MEETING_ARTICLE = re.compile(rf"\b{MEETING_ARTICLES}\s+$", re.IGNORECASE)
# A compound cut short, its last part shared with the next word: "Beratungs- oder Anlaufstellen", "Kinder- und
# Jugendarbeit".
_JOINED = r",|oder|und|bzw\.?|sowie|&|/"
SUSPENDED_COMPOUND = re.compile(rf"\b([^\W\d_]{{3,}})-(\s*(?:{_JOINED})\s*)([^\W\d_]{{4,}})")
# … as protocols write it, also with a plus: "Sprach + Alphabetisierungskurse"
WRITTEN_SHORT = re.compile(rf"\b([^\W\d_]{{3,}})(?:-|\s+(?=\+))(\s*(?:{_JOINED}|\+)\s*)([^\W\d_]{{4,}})")
SHARED_PART_LETTERS = 4  # the shared last part has at least this many letters ("stellen", "arbeit")
# … or its first part shared with the word before: "Quartiersbüro, -management", "Stadtteilbüros und -foren"
SUSPENDED_HEAD = re.compile(rf"\b([^\W\d_]{{6,}})(\s*(?:{_JOINED})\s*)-([^\W\d_]{{3,}})")


def _shortened(match: re.Match) -> tuple[str, str]:
    """A compound cut short and the word sharing its last part, casefolded: ("sport", "kulturförderung")."""
    return match.group(1).casefold(), match.group(3).casefold()

# "An welchem Abend …" asks when.
TIME_NOUNS = "tag|tage|abend|morgen|vormittag|nachmittag|wochentag|wochenende|datum|termin|zeitpunkt"
TIME_NOUN = re.compile(TIME_NOUNS, re.IGNORECASE)
WHERE_QUESTION = re.compile(
    r"^(?:und\s+)?(?:wo\b|in\s+welche[mnr]?\b(?!\s+(?:" + MANNER_NOUNS + r")\b)"
    r"|welche[rsn]?\s+(?:stadtteil|stadtbezirk|bezirk|quartier|workshop|arbeitsgruppe|tafel|thema|themen|ort)"
    r"|an\s+welche[mn]\b(?!\s+(?:" + TIME_NOUNS + r")\b)|auf\s+welche[mnr]?\s+(?:\w+-)?(?:tafel|karte|board|seite)"
    r"|bei\s+welche[mnr]?\s+(?:\w+-)?(?:arbeitsgruppe|gruppe|workshop|stadtteil|tafel|thema|themen|traktand"
    r"|tagesordnungspunkt)"
    r"|unter\s+welchen\s+(?:traktanden|tagesordnungspunkten|tops|punkten)\b"  # (one, "welchem", is no listing)
    r"|where\b|in\s+which\b(?!\s+(?:" + MANNER_NOUNS + r")\b)"
    r"|which\s+(?:district|neighbourhood|neighborhood|area|workshop|topic|board|place)s?\b"
    r"|hangi\s+(?:semt|mahalle|bölge|atölye|çalıştay|konu))"
    r"|\b(?:nerede|nerelerde|hangi\s+(?:semt|mahalle|bölge|atölye|çalıştay|konu)\w*)",
    re.IGNORECASE,
)
YES_NO_QUESTION = re.compile(
    r"^(?:und\s+)?(?:gibt(?:'?s)?|gab|ist|sind|war|waren|hat|haben|wird|werden|kann|können|soll|sollen"
    r"|fehlt|fehlen|braucht|brauchen|does|do|did|is|are|were|has|have|can)\b|\b(?:var\s+m[ıi]|yok\s+mu|m[ıiuü])\s*\??$",
    re.IGNORECASE,
)
# Any German question opening with its finite verb asks yes or no ("Beschweren sich die Leute …?", "Klagen die
# Teilnehmenden …?"): a word with a verb's ending, then a pronoun, article or particle (a noun at the start is
# followed by a genitive or a preposition: "Probleme der Altstadt?", "Lösungen in Schalke?").
# (a question whether it is known who: "Ist festgelegt, wer …?"; "…, wann …" stays yes or no: a date written in
# any way answers it, "ab dem 4.03")
ASKS_WHO_WITHIN = re.compile(r",\s*(?:wer|wem|wen)\b", re.IGNORECASE)
PASSIVE_FIRST = re.compile(r"^(?:und\s+)?(?:wurde|wurden)\b", re.IGNORECASE)
VERB_FIRST = re.compile(
    r"^(?:und\s+)?(?!(?:was|wer|wie|wo|wann|warum|wieso|weshalb|wozu|woher|wohin|wem|wen|wessen|welche\w*)\b)"
    # (not whether something suffices or works: "Reichen die Kitaplätze?" is no "Ja" for "fehlende Kitaplätze")
    r"(?!(?:reich|genüg|pass|klapp|funktionier|lohn|stimm)\w*\b)"
    r"[a-zäöüß]+(?:en|t|te|de)\s+(?:sich|die|das|den|dem|es|man|er|wir|ein|eine|einen|einem|einer|jemand"
    r"|irgendwer|irgendwo|auch|denn|eigentlich|überhaupt|dort|da|hier)\b[^?]*\?\s*$",
    re.IGNORECASE,
)
# … unless it holds the question it asks ("Wissen die Leute in Schalke, wo …?")
NOT_YES_OR_NO = re.compile(r",\s*(?:was|wer|wie|wo|wann|warum|welche\w*|wohin|woher|ob)\b", re.IGNORECASE)
# Two alternatives to choose from ask which, not yes or no: "Fehlen eher große oder eher kleine Wohnungen?"
# ("… eher schwieriger oder nicht?" asks yes or no)
# Whether something suffices ("Gibt es in Bismarck genug Kitas?"): a line that names the matter answers it, but
# not with "Ja" (a citizen reads "Ja – … zu wenig KiTA-Plätze" as "there are enough") nor "Nein".
ASKS_ENOUGH = re.compile(r"\b(?:genug|genügend\w*|ausreichend\w*|reich(?:t|en)|enough|sufficient\w*|yeterli\w*)\b",
                         re.IGNORECASE)
# Whether a yes-or-no question asks if something is raised, as a problem, a need, a wish or at all ("Gibt es in
# Schalke Ärger mit Kriminalität?", "Gibt es Hinweise zu Kitas?") rather than whether it exists ("Gibt es in Bismarck
# Kitas?"): a line saying it is lacking or only proposed answers the first with "Ja", the second not
# (answer.LACKING_OR_PROPOSED).
ASKS_WHETHER_RAISED = re.compile(
    r"\b(?:\w*probleme?n?|ärger\w*|schwierig\w*|sorgen?|klagen?|\w*klagt|beklag\w*|beschwer\w*|kritik\w*|kritisier\w*|mangel\w*|"
    r"fehl\w*|(?:zu\s+)?wenig\w*|knapp\w*|brauch\w*|benötig\w*|soll\w*|geplant|vorgesehen|mehr|\w*bedarfe?|wunsch|wünsch\w*|"
    r"gewünscht|\w*forder\w*|vorschl\w*|vorgeschlagen|gesprochen|diskutiert|"
    r"anregung\w*|thema|themen|anliegen|problems?|issues?|lack\w*|needs?|wish\w*|demand\w*|complain\w*|"
    r"shortage\w*|few\w*|enough|more|should|planned|sorun\w*|eksik\w*|ihtiya\w*|talep\w*|şikayet\w*|yetersiz\w*|"
    r"etwas|hinweis\w*|idee\w*|aussage\w*|anmerkung\w*|rede|gesagt|erwähnt|genannt|angesprochen|mentioned|said)\b",
    re.IGNORECASE)
# Whether something is there at all: "Gibt es …", "gibts", "Hat Bismarck …", "Is there", "Are there", "… var mı".
ASKS_WHETHER_THERE_IS = re.compile(r"\b(?:gibt\s+es|gibt'?s|existier\w*|is\s+there|are\s+there|var\s+m[ıi])\b",
                                   re.IGNORECASE)
EITHER_OR = re.compile(r"\b(?:eher|lieber|rather)\b[^?]*\b(?:oder|or)\b(?!\s+(?:nicht|not)\b)"
                       r"|\b(?:oder|or)\s+(?:eher|lieber|rather)\b", re.IGNORECASE)
# "Ist das dieselbe Person, die …?": what is compared with what was asked before (the word after it).
SAME_AS_BEFORE = re.compile(r"\b(?:dieselben?|derselben?|dasselbe|denselben|demselben|the\s+same)\s+(\w+)",
                            re.IGNORECASE)
# Words that frame a where-question ("in which districts is … mentioned"), not what it is about.
FRAME_WORDS = frozenset(
    "wo welche welchen welcher welchem stadtteil stadtteile stadtteilen stadtbezirk stadtbezirke bezirk bezirke "
    "quartier quartiere quartieren ort orte orten tafel tafeln workshop workshops arbeitsgruppe arbeitsgruppen "
    "gruppe gruppen group groups "
    "traktandum traktanden tagesordnungspunkt tagesordnungspunkte tagesordnungspunkten "  # agenda items, as places
    "thema themen genannt erwähnt erwähnen nennen nennt gesprochen thematisiert angesprochen steht stehen gibts "
    "sagen sagt sagte sagten gesagt say says said "
    "where which district districts neighbourhood neighborhood neighbourhoods neighborhoods area areas place places "
    "mentioned mention mentions named topic topics board boards hangi nerede nerelerde semt semtlerde mahalle "
    "mahallelerde bölge bölgelerde geçiyor bahsediliyor zeig zeige zeigen nenne nenn liste show list give gib "
    # ("In welchen Zusammenhängen kommt die Caritas vor?": the contexts are the places asked for, not a matter)
    "zusammenhang zusammenhange zusammenhänge zusammenhangen zusammenhängen kontext kontexte kontexten context "
    "contexts".split()
)
# The words a question opens with (a section named by a question: "Worauf kommt es an", "Was läuft gut").
QUESTION_WORDS = frozenset(
    "was wer wem wen wessen wo woran worauf woraus worin worum worüber wovon wozu wofür womit wodurch wie wann warum "
    "weshalb wieso welche welcher welches welchem welchen what where who why which how".split()
)
ENGLISH_WORDS = frozenset(
    "the what which where who whom how is are were does do did there any of for and with about going well "
    "needs need problems problem district districts should would could will can tell me about they this that their "
    "happen next at on to from by has have had got most many much been be or not no it its his her our your you we "
    "my whose when why did said say says get into than them those these".split()
)
TURKISH_WORDS = frozenset(
    "ne neler nerede hangi kim nasıl var mı mi mu mü yok için ile ve bu semt semtte mahalle iyi gidiyor sorun peki "
    "sorunlar ihtiyaç ihtiyaçlar zaman saat kaçta bitti başladı konferans toplantı kimler".split()
)
# A word the corpus does not know right after "in", "nach", "aus" or "from" without an article ("in Buer"; not
# "aus dem Ausland", "im Quartier", where a noun follows) is taken for a place the protocols do not cover.
PLACE_PREPOSITION = re.compile(r"\b(?:[Ii]n|[Nn]ach|[Aa]us|[Ff]rom)\s+([^\W\d_][\w-]{2,})")
# A name right after "für" in a question asking only for a field of the boards: what the field is asked for
# ("Welche Handlungsbedarfe wurden für Buer gesammelt?"), be it a place or a group of people ("für Rentner").
FIELD_FOR_A_NAME = re.compile(r"\b(?:[Ff]ür|[Ff]or)\s+([A-ZÄÖÜ][^\W\d_]{2,})\b(?!-)")
COMPOUND_TAIL_LETTERS = 4  # a compound's last part this long that the corpus knows makes it a word of the corpus
# A Turkish case ending after an apostrophe marks a proper name, a place in a question ("Scholven'de").
TURKISH_CASE_ENDING = r"['’](?:de|da|te|ta|den|dan|ten|tan|deki|daki|teki|taki)\b"
PLACE_SUFFIXED = re.compile(r"\b([^\W\d_][\w-]{2,})" + TURKISH_CASE_ENDING,
                            re.IGNORECASE)
# Endings of German place names: a word the corpus does not know that ends so is taken for a place.
_PLACE_ENDINGS = r"(?:hausen|dorf|heim|kirchen|horst|beck|bach|burg|berg|feld|hagen|stedt|städt|rode|holz)"
PLACE_NAME_ENDING = re.compile(rf"\b([^\W\d_][\w-]*{_PLACE_ENDINGS})\b", re.IGNORECASE)
LOCAL_NAME_END = re.compile(rf"{_PLACE_ENDINGS}$", re.IGNORECASE)  # (a name alone too: "Horst")
# A town's quarter is often named with its article: "in der Neustadt", "aus der Feldmark".
# (or a heath: "für die Minderheide"; not "viertel", which as often makes a common word: "im Wohnviertel")
_QUARTER = r"(?:stadt|städt|mark|heide)"
QUARTER_WITH_ARTICLE = re.compile(rf"\b(?:[Ii]n|[Aa]us|[Nn]ach|[Ff]ür|[Vv]on|[Ff]or|[Ff]rom|[Oo]f)\s+"
                                  rf"(?:der|die|das|dem|den|the)\s+"
                                  rf"([^\W\d_][\w-]*{_QUARTER})\b|\b(?:[Ii]m|[Aa]m|[Vv]om|[Zz]um|[Bb]eim)\s+"
                                  r"([^\W\d_][\w-]*(?:heide|stadt|städt))\b")
QUARTER_ENDING = re.compile(rf"{_QUARTER}$", re.IGNORECASE)
HONORIFICS = frozenset("herr herrn frau dr prof familie mr mrs ms bey hanım".split())
UNKNOWN_PLACE_SUGGESTIONS = 3
# How alike (rapidfuzz ratio) a known place must be spelled to be offered for an unknown one: "Hesler" → "Heßler"
# (92), "Hassel" → "Heßler" (62); not "Buer" → "Bildung" (36), a workshop that only shares a letter or two.
SUGGESTION_LIKENESS = 60
ORDINAL_TIME = re.compile(r"(?:stunde|minute|tag|woche|monat|jahr|sitzung|runde|mal|halfte)n?e?s?")  # folded
KNOWN_PLACE_LIKENESS = 85  # a hyphenated name this alike (token_sort_ratio) a known one's is that place misspelt
# A word form differs from another of the same word in at most this many last letters (of the stemmed term).
WORD_FORM_ENDING = 3
PHRASE_CONTINUATIONS = frozenset("auf von vom der des die das dem den zu zur zum mit uber of".split())
# Nouns that make a phrase with "in … mit" ("in Zusammenarbeit mit", "in Verbindung mit", "in Absprache mit").
ABSTRACT_NOUN = re.compile(r"(?:ung|ion|arbeit|heit|keit|schaft|nis|sprache|kontakt|hang|bezug|stimmung)$",
                           re.IGNORECASE)
CITY_PREPOSITIONS = frozenset("in aus nach".split())  # where a misspelt city's name is still a place: "in mindn"
ARTICLES = frozenset("der die das dem den des ein eine einem einer eines im am zum zur beim vom ins the a an".split())
# A possessive or other determiner, also as spoken ("in unserm Wohnblock", "in meim Viertel"): a noun follows.
DETERMINER = re.compile(r"(?:mein|dein|sein|ihr|unser|unsr|euer|eur|kein|jed|dies|welch|manch|solch|mei|dei)"
                        r"(?:e[mnrs]?|m|n|s)?", re.IGNORECASE)
HYPHENATED_WORD = re.compile(r"[^\W\d_]\w*(?:-\w+)+")
# Where the one asking comes from is no place asked about: "ich bin aus Syrien geflüchtet", "wir kommen aus Aleppo".
ORIGIN = re.compile(r"\b(?:ich|wir|i|we)\b.*?\b(?:geflüchtet|geflohen|gekommen|komme|kommen|kam|kamen|stamme|stammen"
                    r"|zugezogen|eingewandert|ausgewandert|fled|came|come|moved)\b", re.IGNORECASE)
# Where the one asking lived or worked before ("Ich war in Syrien Ingenieur", "we lived in Aleppo"): their past,
# not a place asked about (unlike "ich wohne in Buer").
FORMER_LIFE = re.compile(r"\b(?:ich|wir|i|we)\b.*?\b(?:war|waren|lebte|lebten|gelebt|wohnte|wohnten|gewohnt|arbeitete"
                         r"|arbeiteten|gearbeitet|studierte|studiert|geboren|aufgewachsen|lived|worked"
                         r"|studied|born|grew)\b", re.IGNORECASE)
# (not a visit, "Ich war gestern in Horst", nor a place the question goes on to ask about, "… gibt es dort …?")
A_VISIT = re.compile(r"\b(?:gestern|heute|vorhin|neulich|kürzlich|letzte[nmrs]?|vorige[nmrs]?|wochenende|yesterday"
                     r"|today|last)\b", re.IGNORECASE)
BACK_TO_THE_PLACE = re.compile(r"\b(?:dort|dorthin|there|orada\w*)\b", re.IGNORECASE)
# A Turkish ablative before a form of "gelmek" (to come) or "göç" is where people come from: "Bulgaristan'dan
# gelenler".
TURKISH_ORIGIN = re.compile(r"['’](?:den|dan|ten|tan)\s+(?:gel|göç)", re.IGNORECASE)
# A name right after a word for a district is one ("im Stadtbezirk Gelsenkirchen-Süd"), unless the protocols use it
# as a whole.
AFTER_A_DISTRICT_WORD = re.compile(r"\b(?:[Ss]tadtteil|[Ss]tadtbezirk|[Oo]rtsteil|[Bb]ezirk|[Qq]uartier|[Dd]istrict)"
                                   r"\s+([^\W\d_][\w]*-[\w-]+)")
# A question opening with its question word (not one opening with its verb: "Fehlen im Quartier Sitzbänke?").
W_QUESTION = re.compile(r"^\W*(?:und\s+)?(?:was|wer|wie|wo|wann|warum|wieso|weshalb|wozu|woher|wohin|wem|wen|wessen"
                        r"|welche\w*|what|who|where|which|how|when)\b", re.IGNORECASE)
# A single name after a word for a district, when the protocols do not use the word: "zum Stadtteil Bärenkämpen",
# also with the city's adjective between: "für den Mindener Stadtteil Bärenkämpen"
# (after a preposition: "Braucht der Stadtteil Kümmerer?" asks for something the district needs)
NAME_AFTER_A_DISTRICT_WORD = re.compile(
    r"\b(?:(?:[Ii]m|[Zz]um|[Vv]om|[Bb]eim|[Ii]n|[Ff]ür|[Aa]us|[Üü]ber|[Zz]u|[Vv]on)\s+(?:dem\s+|den\s+)?"
    r"(?:[A-ZÄÖÜ][^\W\d_]+er\s+)?"
    # (with the city's adjective, any article will do: "Was braucht der Gelsenkirchener Stadtteil Buer?")
    r"|(?:[Dd]er|[Dd]en|[Dd]em|[Dd]es)\s+[A-ZÄÖÜ][^\W\d_]+er\s+)"
    r"(?:[Ss]tadtteil|[Ss]tadtbezirk|[Oo]rtsteil|[Bb]ezirk|[Qq]uartier|[Dd]istrict)\s+([A-ZÄÖÜ][^\W\d_]{2,})\b(?!-)")
TOPIC_NUMBER = re.compile(r"\b(?:thema|themenkarte|topic|konu)\s*(?:nr\.?\s*)?(\d{1,3})\b", re.IGNORECASE)
TURKISH_CASE = re.compile("^" + TURKISH_CASE_ENDING, re.IGNORECASE)
# The words that call what follows a workshop or working group ("im Workshop Wohnen", "die AG Bildung").
GROUP_WORDS = frozenset("workshop workshops arbeitsgruppe arbeitsgruppen gruppe ag".split())
# A follow-up asking where else the earlier matter is named ("Gibt es das noch in einem anderen Stadtteil?", "Und wo
# noch?", "Where else?"): the earlier question's matter, at any place but those asked about before.
ELSEWHERE = re.compile(
    r"\bander(?:e|en|er|em|es)\s+(?:stadtteil\w*|stadtbezirk\w*|bezirk\w*|quartier\w*|workshops?|orte?n?)\b"
    r"|\bwoanders\b|\banderswo\b|\bsonst\s*wo\b|\bwo\s+(?:sonst|noch|auch)\b|\bwhere\s+else\b"
    r"|\bother\s+(?:districts?|neighbou?rhoods?|places|workshops?)\b|\bbaşka\s+(?:nerede|semt\w*|mahalle\w*)",
    re.IGNORECASE)
# A noun after a word pointing back at it: the matter asked about before ("das Problem", "dieses Thema").
POINTING_NOUN = re.compile(r"\b(?:das|dies(?:e|es|er|en|em)?|dasselbe)\s+(?-i:[A-ZÄÖÜ])\w*", re.IGNORECASE)
# Which kind of place a where-question asks for, by the word it uses.
PLACE_KIND_WORDS = (
    ("district", re.compile(r"\b(?:stadtteil|stadtbezirk|bezirk|quartier|district|neighbou?rhood|semt|mahalle)",
                            re.IGNORECASE)),
    ("group", re.compile(r"\b(?:workshop|arbeitsgruppe|gruppe|atölye|çalıştay)", re.IGNORECASE)),
    ("topic", re.compile(r"\b(?:thema|themen|topic|konu)", re.IGNORECASE)),
)
# Prepositions and articles right before a place name (German, English), removed with the name.
PLACE_LEAD = re.compile(
    r"(?:\b(?:in|im|der|die|das|dem|den|des|aus|für|bei|beim|nach|von|vom|zu|zum|zur|an|am|auf|"
    r"the|of|for|at)\s+)+$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Place:
    """A place the corpus names: a district of a board, a workshop of a table, or a document's city."""

    name: str
    kind: str  # "district" | "group" | "city"
    sources: frozenset[str]


@dataclass
class Query:
    """A question as understood, with what it inherited from the conversation."""

    question: str  # as asked
    text: str  # what retrieval embeds and matches: the question plus inherited context
    places: list[Place] = field(default_factory=list)
    sections: dict[str, float] = field(default_factory=dict)  # section name → weight in (0, 1]
    topics: dict[tuple[str, int], float] = field(default_factory=dict)  # (source, topic number) → weight
    content: str = ""  # the question without its place names: what it is about
    # What the embedder compares with the passages: the text without place names, which the retriever
    # matches exactly as facets (a name costs the embedder ~0.5 ms a token and pulls an unrelated
    # question towards the place's boards). Empty: the text.
    about: str = ""
    followup: bool = False
    inherited: list[str] = field(default_factory=list)  # which parts came from earlier turns
    intent: str | None = None  # "where" (which places mention it), "yesno", or None
    place_kind: str | None = None  # the kind of place a where-question asks for: "district", "group", "topic"
    language: str = "de"  # of the question, for the answer's own words: "de", "en" or "tr"
    # Names the question uses as places that the corpus does not know, each with the closest known place names.
    unknown_places: list[tuple[str, list[str]]] = field(default_factory=list)
    documents: frozenset[str] = frozenset()  # the meetings it names by date or number ("Sitzung vom 16.08.2023")
    # Dates of a meeting it asks about that no protocol has ("Bürgerrunde im März 2017") and no passage speaks of.
    unknown_dates: list[str] = field(default_factory=list)
    items: frozenset[tuple[str, str]] = frozenset()  # agenda items it names: (document, item number)
    # Sections its words name, also those its places lack ("Probleme" names the topics' "Herausforderung"): such
    # words ask for a kind of finding, they are not what the question is about.
    worded_sections: frozenset[str] = frozenset()
    unheard: tuple[str, ...] = ()  # names the field is asked for that the protocols never use (unheard_names)
    decision: bool = False  # it asks what was decided or voted (asks_a_decision)
    # It asks for a fact of a meeting it names ("Wann war die Konferenz zu Ende?"): the documents whose own pages
    # (title, programme, goals, the head of minutes) answer it; empty otherwise.
    meeting_fact: frozenset[str] = frozenset()
    # The earlier question's sections a follow-up moved away from ("und was fehlt?" after "Was läuft gut …?"):
    # what it asks is elsewhere first.
    left_sections: frozenset[str] = frozenset()
    # It asks what the agenda lists under the items it names ("Wer war laut Tagesordnung unter TOP 3.3 zuständig?"):
    # the agenda as printed or read out answers too, not only the item's minutes.
    as_listed: bool = False
    # The agenda entries it names by their place in the list ("der zweite Tagesordnungspunkt": "2").
    entries: frozenset[str] = frozenset()
    # It asks about the exchange boards whose district is not written on them ("die Tafel ohne Stadtteilangabe").
    unnamed_board: bool = False
    # The number of the board it names among a place's boards ("auf der zweiten Altstadt-Tafel": 2), or None.
    board_no: int | None = None
    # The parties it names whose speakers' turns it asks about ("laut der Grünen", "die SP-Fraktion"), as the
    # minutes write them after a speaker's name ("GRÜNE", "Die Mitte/EVP").
    parties: frozenset[str] = frozenset()
    speakers: frozenset[str] = frozenset()  # the minutes' speakers it names by their surname (speakers_named)

    def __post_init__(self) -> None:
        if not any(ch.isalnum() for ch in self.about):
            self.about = self.text

    @property
    def local_places(self) -> list[str]:
        """The districts and workshops the question names (a city is no place to look for on a board)."""
        return [place.name for place in self.places if place.kind != "city"]

    @property
    def districts(self) -> list[Place]:
        return [place for place in self.places if place.kind == "district"]

    @property
    def city_sources(self) -> set[str]:
        """The documents the question names: by date or number, else those of the cities it names (both: those
        of the city among the dated ones, where there are any)."""
        in_city = {source for place in self.places if place.kind == "city" for source in place.sources}
        if self.documents:
            return (in_city & self.documents) or set(self.documents)
        return in_city

    def describe(self) -> dict:
        return {
            "text": self.text,
            "places": [f"{p.name} ({p.kind})" for p in self.places],
            "sections": self.sections,
            "topics": [f"{source}#{number}" for source, number in self.topics],
            "content": self.content,
            "about": self.about,
            "followup": self.followup,
            "inherited": self.inherited,
            "intent": self.intent,
            "language": self.language,
            "documents": sorted(self.documents),
            "items": [f"{source}#{number}" for source, number in sorted(self.items)],
            "unknown_places": [name for name, _ in self.unknown_places],
            "unknown_dates": self.unknown_dates,
        }


class Vocabulary:
    """What the corpus can be asked about, learned from the passages and their metadata."""

    def __init__(self, passages: list[Passage], passage_index: LexicalIndex | None = None,
                 terms_per_passage: bool = True) -> None:
        self._stemmer = Stemmer.Stemmer("german")
        self._stopwords = GermanAnalyzer()
        # The passages' lexical index: compound parts, and telling a place the corpus does not know from a word.
        self._corpus = passage_index
        self._passage_terms = (
            [set(passage_index.analyzer.analyze(p.text + " " + (p.topic or ""))) for p in passages]
            if passage_index and terms_per_passage else None
        )
        self._passage_topics = [(p.source, p.topic_no) if p.topic_no is not None else None for p in passages]
        self._passage_sources = [p.source for p in passages]
        self.places = self._places(passages)
        # The parties named after speakers' names, by each of their names folded ("grune", "mitte", "evp").
        self.parties: dict[str, set[str]] = defaultdict(set)
        for party in {speaker_party(passage) for passage in passages} - {None}:
            # (only a name written in capitals, "SP", "GRÜNE": "Die Mitte" is also "the middle")
            for name in party.split("/"):
                if name.strip().isupper():
                    self.parties[fold(name.strip())].add(party)
        # The speakers of minutes by their surnames folded ("hauser": "Hauser, GRÜNE"), written with a capital.
        self._passages = passages
        self.passages_naming = functools.lru_cache(maxsize=256)(self._passages_naming)
        self._sources_with_turns = {passage.source for passage in passages if passage.meta.get("speaker")}
        self.speakers: dict[str, set[str]] = defaultdict(set)
        for speaker in {passage.meta.get("speaker") for passage in passages} - {None, ""}:
            if (surname := speaker_surname(speaker)) is not None:
                self.speakers[fold(surname)].add(speaker)
        self._place_words = {place.name: words(place.name) or [""] for place in self.places}
        self.section_cues = self._section_cues(passages)
        # The sections each district or workshop has: what a question about a place can ask for.
        self.place_sections: dict[str, set[str]] = defaultdict(set)
        self.document_sections: dict[str, set[str]] = defaultdict(set)  # … and each document
        for passage in passages:
            if passage.place and passage.section:
                self.place_sections[passage.place].add(passage.section)
            if passage.section:
                self.document_sections[passage.source].add(passage.section)
        self._section_idf = self._idf(self.section_cues)
        # Sections that recur on several boards are the fields of a form ("Handlungsbedarfe", "Beschlussfassung"):
        # a question asks for them in its own words. One that stands once is a heading of the text ("Winterdienst
        # am Dorfplatz"): it is named only by most of its own words, never by a word that merely starts alike
        # ("Forderungen" is no "Förderantrag", the "Grosse Rat" no "Große Themen").
        boards: dict[str, set] = defaultdict(set)
        for passage in passages:
            if passage.section:
                boards[passage.section].add((passage.source, passage.board))
        self.section_boards = {section: len(found) for section, found in boards.items()}  # boards, not passages
        self._headings = {section: frozenset(self._content_stems(section))
                          for section, count in self.section_boards.items() if count < 2}
        self._heading_words = frozenset(word for section in self._headings for word in words(section))
        self.fields = frozenset(self.section_boards) - frozenset(self._headings)  # (recurring: a form's fields)
        # The name in quotes a heading gives ("Workshop der Landesmedienanstalt "Smartphone aber sicher" für
        # Erwachsene"): named as a whole, it names the heading.
        self._quoted_names = {section: names for section in self._headings
                              if (names := [frozenset(stems) for name in QUOTED.findall(section)
                                            if len(stems := self._content_stems(name)) >= 2])}
        self.topic_keys, self.topic_titles, self.topic_texts = self._topics(passages)
        self.meetings = Meetings(passages)
        self._passages = passages  # (read again only for what few questions need: _written_short)
        # The words of the documents' titles ("Mitgliederversammlung", "Makerspace"): in a question they name the
        # meeting more often than what is asked about it.
        self.title_words = frozenset(word for title in {p.doc_title for p in passages} for word in words(title))
        self._topic_index = LexicalIndex.build(self.topic_texts) if self.topic_texts else None
        # Set by the retriever, which can compare meanings: the section a question asks for in other words.
        self.sections_by_meaning: Callable[[Query], dict[str, float]] = lambda query: {}
        # … and of some sections, the one its words come closest to however little (None: none is a field)
        self.closest_field: Callable[[Query, set[str]], str | None] = lambda query, among: None

    # --- learning from the corpus -------------------------------------------------------------
    @staticmethod
    def _places(passages: list[Passage]) -> list[Place]:
        sources: dict[tuple[str, str], set[str]] = defaultdict(set)
        for passage in passages:
            if passage.place:
                kind = place_kind(passage)
                sources[(passage.place, kind)].add(passage.source)
            if passage.meta.get("city"):
                sources[(passage.meta["city"], "city")].add(passage.source)
        places = [Place(name, kind, frozenset(found)) for (name, kind), found in sources.items()]
        # Longer names first, so "Schalke-Nord" is found before "Schalke".
        return sorted(places, key=lambda place: (-len(words(place.name)), place.name))

    def _section_cues(self, passages: list[Passage]) -> dict[str, dict[str, frozenset]]:
        """Per section: the stems of its name and of the printed prompts, and prompt bigrams."""
        cues: dict[str, dict[str, set[str]]] = {}
        # Each section with each of its prompts once: a large corpus repeats them on thousands of passages.
        pairs = dict.fromkeys((p.section, p.meta.get("prompt")) for p in passages if p.section)
        for section, prompt in pairs:
            if section not in cues:
                cues[section] = {"name": set(self.stems(section)) | self._parts(section), "prompt": set(),
                                 "bigrams": set(), "words": set(self.stems(section)),
                                 "minor": self._minor_name_words(section)}
            entry = cues[section]
            if prompt:
                stems = self.stems(prompt)
                entry["prompt"] |= set(stems)
                entry["bigrams"] |= set(zip(stems, stems[1:], strict=False))
        # Frozen: _matching indexes each set once by its first letters.
        return {section: {kind: frozenset(values) for kind, values in entry.items()} for section, entry in cues.items()}

    def _minor_name_words(self, section: str) -> set[str]:
        """The stem of the verb of a section named by a question ("kommt" of "Worauf kommt es an", "läuft" of "Was
        läuft gut"): the word after its question word, when written small."""
        tokens = WORD.findall(section)
        if len(tokens) > 2 and tokens[0].casefold() in QUESTION_WORDS and tokens[1][:1].islower():
            return set(self.stems(tokens[1]))
        return set()

    @staticmethod
    def _idf(cues: dict[str, dict[str, set[str]]]) -> dict:
        df: Counter = Counter()
        for entry in cues.values():
            df.update(entry["name"] | entry["prompt"])
            df.update(entry["bigrams"])
        n = max(len(cues), 1)
        return {term: math.log(1 + n / count) for term, count in df.items()}

    @staticmethod
    def _topics(passages: list[Passage]):
        """Per topic: its titles (card and result board), without initiators' names or other card text."""
        texts: dict[tuple[str, int], list[str]] = defaultdict(list)
        titles: dict[tuple[str, int], str] = {}
        for passage in passages:
            if passage.topic_no is None or not passage.topic:
                continue
            key = (passage.source, passage.topic_no)
            if passage.topic not in texts[key]:
                texts[key].append(passage.topic)
            titles.setdefault(key, passage.topic)
        keys = sorted(texts)
        return keys, titles, [" ".join(texts[key]) for key in keys]

    def _content_stems(self, text: str) -> list[str]:
        return [self._stemmer.stemWord(word) for word in words(text)
                if len(word) >= 3 and not self._stopwords.is_stopword(word)]

    def stems(self, text: str) -> list[str]:
        return [self._stemmer.stemWord(word) for word in words(text)]

    def _parts(self, text: str) -> set[str]:
        """The stems of the compound parts of a text's words ("Handlungsbedarfe" → handlung, bedarf), by the
        corpus' own words."""
        if self._corpus is None:
            return set()
        # Short pieces ("end" in "steigende") are endings more often than words.
        return {part for part in self._corpus.analyzer.analyze(text) if len(part) >= 4} - set(self.stems(text))

    # --- reading a question -------------------------------------------------------------------
    def find_places(self, question: str, among: list[Place] | None = None) -> tuple[list[Place], list[tuple[int, int]]]:
        """Places named in the question, exactly or with a typo, and the character spans naming them (among: only
        these places)."""
        tokens = [(m.start(), m.end(), fold(m.group())) for m in WORD.finditer(question)]
        used: set[int] = set()
        found: list[Place] = []
        spans: list[tuple[int, int]] = []
        for place in self.places if among is None else [place for place in self.places if place in among]:
            target = self._place_words[place.name]
            initial = target[0][:1]
            # "Schalke Nord", "Schalke-Nord" and "Schalkenord" all name the same place.
            sizes = {len(target), 1}
            for size in sorted(sizes, reverse=True):
                for start in range(len(tokens) - size + 1):
                    if tokens[start][2][:1] != initial:
                        continue  # every way of naming a place (typos too) starts with its first letter
                    window = range(start, start + size)
                    if used & set(window):
                        continue
                    candidate = [tokens[i][2] for i in window]
                    after_preposition = start > 0 and tokens[start - 1][2] in CITY_PREPOSITIONS
                    # (a word written small where the question capitalises nouns is no name come close by a typo:
                    # "Ich wohne in Schalke-Nord" names no workshop "Wohnen")
                    small = question[tokens[start][0]].islower() and not question.islower() and not (
                        start > 0 and tokens[start - 1][2] in GROUP_WORDS)  # ("im workshop wohnn": named as one)
                    if not self._names(candidate, target, place.kind, after_preposition, small):
                        continue
                    used |= set(window)
                    if place not in found:
                        found.append(place)
                    spans.append((tokens[start][0], tokens[start + size - 1][1]))
        return found, spans

    def _names(self, candidate: list[str], target: list[str], kind: str, after_preposition: bool = False,
               small: bool = False) -> bool:
        """Whether question words name a place: exactly, joined up, or with a small typo (a city only right after
        "in", "aus", "nach": "in mindn"; a workshop's name only by a capitalised word, "small" is not)."""
        joined, whole = "".join(candidate), "".join(target)
        if candidate == target or joined == whole:
            return True
        if small and kind == "group":
            return False
        if kind == "city":
            # City names are ordinary-looking words ("Minden" / "mindern"): exact, genitive or adjective, or a typo
            # where only a place can stand, unless the corpus uses the word itself.
            if joined in (whole + "s", whole + "er"):
                return True  # (and its adjective: "das Mindener Protokoll", "der Gelsenkirchener Stadtteil")
            return (after_preposition and len(candidate) == len(target) == 1 and len(whole) >= PLACE_FUZZY_MIN_CHARS
                    and _close(joined, whole) and not self._corpus_knows(joined))
        if len(candidate) != len(target):
            return len(candidate) == 1 and len(whole) >= PLACE_FUZZY_MIN_CHARS and _close(joined, whole)
        # Every word must be close on its own: "Berg ist" is not "Berg-Ost".
        return len(whole) >= PLACE_FUZZY_MIN_CHARS and all(
            _close(word, want) for word, want in zip(candidate, target, strict=False)
        )

    def unheard_names(self, question: str, known_spans: list[tuple[int, int]] = ()) -> list[str]:
        """The names a question asking for a field of the boards asks it for ("für Buer", "für Rentner") that the
        protocols never use: the answer then holds for the field in general, and must say so, not silently answer
        for every place and group (understand: only when the question names a field and no topic)."""
        if self._corpus is None:
            return []
        found = []
        for match in FIELD_FOR_A_NAME.finditer(question):
            name = match.group(1)
            if any(start <= match.start(1) < end for start, end in known_spans) or name in found:
                continue
            if self._stopwords.is_stopword(name) or fold(name) in FRAME_WORDS or fold(name) in ENGLISH_WORDS:
                continue
            terms = self._corpus.analyzer.analyze(name)
            if not terms or any(self._knows_the_word(term) for term in terms):
                continue
            # (a compound whose last part the protocols use is said in other words there: "Flüchtlingsfamilien")
            if any(self._knows_the_word(term) for split in range(COMPOUND_TAIL_LETTERS, len(name) - 3)
                   for term in self._corpus.analyzer.analyze(name[split:])):
                continue
            found.append(name)
        return found

    def _knows_the_word(self, term: str) -> bool:
        """Whether the corpus has the term, or a form of it that differs only in its ending ("begrüßt" ~
        "Begrüßung"): not merely a word that begins like it ("Schaffrath" is no form of "schaffen")."""
        corpus = self._corpus
        if corpus.document_frequency(term):
            return True
        return any(len(os.path.commonprefix([term, near])) >= len(term) - WORD_FORM_ENDING
                   for near in corpus.related_terms(term))

    @functools.cached_property
    def _written_short(self) -> frozenset[tuple[str, str]]:
        """The compounds cut short the protocols write so themselves ("Sport- und Kulturförderung", "Sprach +
        Alphabetisierungskurse"): a title the question matches as it is. (Read on the first question with such a
        compound, not at start-up: a pass over every passage's text.)"""
        return frozenset(
            _shortened(match) for passage in self._passages for text in (passage.text, passage.doc_title or "",
                                                                         passage.board or "", passage.topic or "")
            if "-" in text or "+" in text for match in WRITTEN_SHORT.finditer(text))

    @functools.cached_property
    def _hyphenated_words(self) -> frozenset[str]:
        """The hyphenated words of the protocols and their titles, folded ("gelsenkirchen-mitte"). (Read on the first
        question naming a district so, not at start-up: a pass over every passage's text.)"""
        return frozenset(fold(word) for passage in self._passages
                         for text in (passage.text, passage.doc_title or "", passage.short_title or "",
                                      passage.place or "")
                         if "-" in text for word in HYPHENATED_WORD.findall(text))

    def kind_called(self, question: str, kind: str | None) -> str | None:
        """The kind of place a where-question asks for, as the corpus uses its word: the groups the protocols
        call "Arbeitsgruppe" only on their topic boards ("Teilnehmende der Arbeitsgruppe") are those topics."""
        if kind != "group":
            return kind
        group_pattern = dict(PLACE_KIND_WORDS)["group"]
        asked = {self.stems(word)[0] for word in WORD.findall(question) if group_pattern.match(word)}
        def called(stem: str, kind: str) -> bool:  # (as a compound's last part too: "Gruppe" of "Arbeitsgruppe")
            return any(label.endswith(stem) for label in self._labels[kind])
        if asked and all(called(stem, "topic") and not called(stem, "group") for stem in asked):
            return "topic"
        return kind

    @functools.cached_property
    def _labels(self) -> dict[str, set[str]]:
        """The stems of the labels (board, section, printed prompt, group) of the topic boards ("topic") and of the
        workshops' rows ("group"). (Read on the first where-question for groups, not at start-up.)"""
        labels: dict[str, set[str]] = {"topic": set(), "group": set()}
        for passage in self._passages:
            if passage.topic_no is not None:
                kind = "topic"
            elif passage.place and passage.board_kind != "district":
                kind = "group"
            else:
                continue
            for text in (passage.board, passage.section, passage.meta.get("prompt"), passage.meta.get("group")):
                labels[kind].update(self.stems(text or ""))
        return labels

    def completed(self, question: str) -> str:
        """The question with each compound cut short before "oder", "und" … written out, where the corpus has the
        whole word: "Beratungs- oder Anlaufstellen" → "Beratungsstellen oder Anlaufstellen" (the shared last part
        is the longest ending of the next word that makes a word of the corpus)."""
        if self._corpus is None or "-" not in question:
            return question

        def whole(match: re.Match) -> str:
            first, joint, next_word = match.group(1), match.group(2), match.group(3)
            first_part, other = _shortened(match)
            if any(part == first_part and written.startswith(other[:max(SHARED_PART_LETTERS, len(other) - 3)])
                   for part, written in self._written_short):
                return match.group(0)  # (also inflected: "Sprach- und Alphabetisierungskursen")
            for start in range(1, len(next_word) - SHARED_PART_LETTERS + 1):
                word = first + next_word[start:]
                if self._has_whole(word):
                    return f"{word}{joint}{next_word}"
            return match.group(0)

        def whole_head(match: re.Match) -> str:
            before, joint, rest = match.groups()
            # (the longest beginning of the word before that makes a word of the corpus with the rest)
            for end in range(len(before) - 1, SHARED_PART_LETTERS - 1, -1):
                word = before[:end] + rest
                if self._has_whole(word):
                    return f"{before}{joint}{word}"
            return match.group(0)

        return SUSPENDED_HEAD.sub(whole_head, SUSPENDED_COMPOUND.sub(whole, question))

    def _has_whole(self, word: str) -> bool:
        """Whether the corpus has the word as a whole, not only its parts (a compound's longest term)."""
        terms = self._corpus.analyzer.analyze(word)
        return bool(terms) and bool(self._corpus.document_frequency(max(terms, key=len)))

    def _corpus_knows(self, word: str) -> bool:
        """Whether the corpus has the word itself (not merely words beginning like it: a misspelt city's name
        begins like the city's own)."""
        corpus = self._corpus
        return corpus is not None and any(corpus.document_frequency(term) for term in corpus.analyzer.analyze(word))

    def sources_of(self, names) -> set[str]:
        """The documents of the cities among the names."""
        return {source for place in self.places if place.kind == "city" and place.name in names
                for source in place.sources}

    def unknown_places(self, question: str, known_spans: list[tuple[int, int]] = (),
                       cities: list[Place] = (), named_only: bool = False) -> list[tuple[str, list[str]]]:
        """Words used as a place ("in Buer", "Scholven'de", "handlungsbedarf beckhausen") that neither name a known
        place (known_spans) nor occur in the corpus, each with the known place names spelled like it (never silently
        replaced by one of them): of the cities named beside it ("Rodenbeck in Minden"), when it names any.
        named_only: only words shaped like a place's name ("Haddenhausen", "in der Neustadt")."""
        if self._corpus is None:
            return []
        found = []
        quarters = list(QUARTER_WITH_ARTICLE.finditer(question))
        # (the last word of a yes-or-no question is what it asks for: "Gibt es im Quartier Dolmetscher?")
        single_names = [match for match in NAME_AFTER_A_DISTRICT_WORD.finditer(question)
                        if W_QUESTION.match(question) or question[match.end():].strip(" ?!.")]
        # (beside a known place only a name ending like a town's: "in der Innenstadt" may be the district's own)
        after_district_word = list(AFTER_A_DISTRICT_WORD.finditer(question))
        matches = list(PLACE_NAME_ENDING.finditer(question)) if named_only else [
            *PLACE_PREPOSITION.finditer(question), *PLACE_SUFFIXED.finditer(question),
            *PLACE_NAME_ENDING.finditer(question), *quarters, *after_district_word,
            *single_names]
        # (a part of a name after a word for a district is no name of its own: "Ückendorf" of "Ückendorf-Süd")
        matches = [match for match in matches if match in after_district_word or not any(
            whole.start(1) <= match.start(1) < whole.end(1) for whole in after_district_word)]
        if not any(place.kind != "city" for place in self.places):
            # A corpus without districts or workshops cannot tell a place it lacks by a word it does not use ("in
            # Buer" may be a town it never needed to name), only one named as a district ("im Stadtteil
            # Frauenfeld-Kurzdorf") its text never mentions.
            matches = [*after_district_word, *single_names]
        known_names = {fold(place.name) for place in self.places}
        city_names = {fold(place.name) for place in self.places if place.kind == "city"}
        for match in matches:
            name = match.group(1) or match.group(match.lastindex)
            # (a known name within a hyphenated one is not it: "Gelsenkirchen" of "Stadtbezirk Gelsenkirchen-Süd",
            # of "für Gelsenkirchen-Horst")
            whole = match in after_district_word or ("-" in name and fold(name.split("-")[0]) in city_names)
            if any(start <= match.start(1) < end and (not whole or end >= match.end(1)) for start, end in known_spans) \
                    or name in (n for n, _ in found):
                continue
            before, after = question[:match.start(1)].split()[-1:], question[match.end(1):].split()[:1]
            if after and fold(after[0]) in PHRASE_CONTINUATIONS and not (
                    fold(after[0]) == "mit" and not ABSTRACT_NOUN.search(name)):
                # "in Bezug auf", "nach Ansicht der", "aus Sicht des", "in Zusammenarbeit mit": a phrase, not a
                # place; but "Wie sieht es in Hassel mit Müll aus?" asks about a place
                continue
            if before and fold(before[0]) in ARTICLES and match not in quarters + after_district_word:
                continue  # "im Altenheim", "das Spielfeld": a noun
            if DETERMINER.fullmatch(name):
                continue  # "in unserm Wohnblock": a noun follows
            if before and fold(before[0]) in ("aus", "from") and ORIGIN.search(clause_around(question, match.start())):
                continue  # "ich bin aus Syrien geflüchtet": where the one asking comes from
            # (a name shaped like a German town's or quarter's, "Horst", "Ückendorf", is rather one of the city's
            # places, asked about whatever the one asking did there)
            local_shape = bool(LOCAL_NAME_END.search(name) or QUARTER_ENDING.search(name))
            if before and fold(before[0]) in ("in", "aus", "from") and not local_shape and FORMER_LIFE.search(
                    clause := clause_around(question, match.start())) and not A_VISIT.search(clause) \
                    and not BACK_TO_THE_PLACE.search(question, match.end(1)):
                continue  # "Ich war in Syrien Ingenieur": where the one asking lived before
            if TURKISH_ORIGIN.match(question, match.end(1)) and not local_shape:
                continue  # "Bulgaristan'dan gelenler": those who come from there
            if before and fold(before[0]).rstrip(".") in HONORIFICS:
                continue  # "Herr Lindenberg", "Frau Hellenbach": a person
            if after and fold(after[0].strip(",.?!")) in known_names:
                continue  # "für die Hansestadt Minden": what the place it names is
            if self._stopwords.is_stopword(name) or fold(name) in FRAME_WORDS or fold(name) in ENGLISH_WORDS:
                continue
            if not (name[:1].isupper() or question.islower()):
                continue  # "in einfacher Sprache": a place is written with a capital (unless nothing is)
            terms = self._corpus.analyzer.analyze(name)
            if whole:
                # (the hyphenated name as a whole: "Gelsenkirchen-Süd" is no district for its "Gelsenkirchen"; one
                # spelled nearly like a district or workshop is that one, "Bulmke-Hülken", "Hüllen-Bulmke"; after
                # the city's name, a word of one: "Gelsenkirchen-Bulmke")
                rest = name.split("-", 1)[1] if fold(name.split("-")[0]) in city_names else ""
                if fold(name) in self._hyphenated_words or any(
                        fuzz.token_sort_ratio(fold(name).replace("-", " "), fold(place.name).replace("-", " "))
                        >= KNOWN_PLACE_LIKENESS or (rest and fold(rest) in self._place_words[place.name])
                        for place in self.places if place.kind != "city"):
                    continue
                terms = []
            elif "-" not in name and (PLACE_NAME_ENDING.fullmatch(name) or QUARTER_ENDING.search(name)):
                terms = terms[:1]  # the name as a whole: "Neustadt" is no word of the protocols for its "Stadt"
            if any(self._knows_the_word(term) for term in terms):
                continue  # a word of the protocols ("in Schulen", "im Quartier")
            found.append((name, self.spelled_alike(name, cities)))
        return found

    def spelled_alike(self, name: str, cities: list[Place] = ()) -> list[str]:
        """The known place names spelled like a name the corpus does not know (of the cities named beside it, when
        any), the likest first."""
        within = {source for city in cities for source in city.sources}
        known = [place.name for place in self.places if place.kind in ("district", "group", "city")
                 and (not within or (place.kind != "city" and place.sources & within))]
        scored = sorted(((fuzz.ratio(fold(name), fold(place)), place) for place in dict.fromkeys(known)),
                        reverse=True)
        return [place for likeness, place in scored if likeness >= SUGGESTION_LIKENESS][:UNKNOWN_PLACE_SUGGESTIONS]

    def find_sections(self, question: str) -> dict[str, float]:
        """Sections whose name or printed prompt the question uses, weighted by how distinctive the words are."""
        # The people who say or want something ("Was fordern die Teilnehmenden?") are not the field of that name
        # (a heading of the text is what it names: "Was bietet die Weihnachtsfeier?").
        question = without_speakers(question, keep=self._heading_words)
        stems = self.stems(question)
        # Single words count only when they carry meaning; "was ist die …" is in several prompts.
        tokens = words(question)
        # (a stem that is a stop word, "wer" of the English "were", says nothing either)
        unigrams = {stem for word, stem in zip(tokens, stems, strict=False)
                    if not self._stopwords.is_stopword(word) and not self._stopwords.is_stopword(stem)}
        # An ordinal before a span of time names no prompt that has it: "die erste halbe Stunde" is not the
        # "Spontan: Erste Lösungsideen", "die ersten Vorschläge" are.
        timed = {stem for i, stem in enumerate(stems[:len(tokens)]) if stem in ORDINALS
                 and any(ORDINAL_TIME.fullmatch(word) for word in tokens[i + 1:i + 3])}
        # "Programmpunkte" asks for the "Programm": a noun's first part may name a section, an adjective's does not
        # ("beschlussfähig" is no "Beschluss"); nouns are written with a capital (unless nothing is).
        # (nor a word for the kind of place asked about: "Unter welchen Tagesordnungspunkten" wants no "Tagesordnung")
        unframed = [word for word in WORD.findall(question) if fold(word) not in FRAME_WORDS]
        nouns = [word for word in unframed if word[:1].isupper() or question.islower()]
        parts = self._parts(" ".join(nouns)) - unigrams
        # A pair of function words ("was ist", "wer hat") is in several prompts and in any question.
        bigrams = {
            (stems[i], stems[i + 1])
            for i in range(len(stems) - 1)
            if not (self._stopwords.is_stopword(tokens[i]) and self._stopwords.is_stopword(tokens[i + 1]))
        }
        # A word that frames a question ("Arbeitsgruppe", "Gruppe", "Thema") names the group or topic, not a field
        # whose printed prompt happens to use it ("Teilnehmende der Arbeitsgruppe").
        framing = {stem for word, stem in zip(tokens, stems, strict=False) if word in FRAME_WORDS}
        scores: dict[str, float] = {}
        asked = set(stems) | self._parts(" ".join(unframed))  # "Programmpunkte" names the "Programm"
        for section, cue in self.section_cues.items():
            heading = self._headings.get(section)
            if heading is not None:
                if section in self._meeting_headings and re.search(
                        rf"\b(?:{MEETING_ARTICLES})\s+{re.escape(section)}\b", question, re.IGNORECASE):
                    continue  # "bei der Bürgerrunde" (not "unter Bürgerrunde", the card's heading)
                if heading and (len(heading & asked) > HEADING_SHARE * len(heading)
                                or any(name <= asked for name in self._quoted_names.get(section, ()))):
                    scores[section] = sum(2 * self._section_idf.get(stem, 0.0) for stem in heading & asked)
                continue
            score = 0.0
            named = {stem: _matching(stem, cue["name"]) for stem in unigrams if len(stem) >= 3}
            # The verb of a section named by a question names it only beside another of its words: "Kommt der
            # Feierabendmarkt vor?" does not ask "Worauf kommt es an", "Was läuft in Buer gut?" does.
            alone = set(named.values()) - {None} <= cue["minor"] and len(set(named.values()) - {None}) == 1
            for stem, name in named.items():
                if alone and name:
                    continue
                if stem in timed:
                    continue
                prompt = _matching(stem, cue["prompt"], strict=True)
                if name:
                    score += 2 * self._section_idf.get(name, 0.0)
                elif prompt and stem not in framing:
                    score += self._section_idf.get(prompt, 0.0)
            score += sum(self._section_idf.get(pair, 0.0) for pair in bigrams & cue["bigrams"])
            # A compound part counts only as a whole word of the section's name (no prefix, no prompt, no part of
            # it: "Programmpunkte" asks for the "Programm", "beschlussfähig" not for the "Beschlussfassung").
            score += sum(2 * self._section_idf.get(part, 0.0) for part in parts & cue["words"] - cue["minor"])
            if score >= SECTION_MIN_SCORE:
                scores[section] = score
        if not scores:
            return {}
        best = max(scores.values())
        return {name: round(score / best, 3) for name, score in scores.items() if score >= SECTION_KEEP_RATIO * best}

    def sections_of_places(self, sections: dict[str, float], places: list[Place], question: str) -> dict[str, float]:
        """The sections found, for a question about districts or workshops: those their boards have. One they lack
        is kept only when the question uses its name ("Lösungsideen in Schalke": the answer says there are none);
        one found by its printed prompt ("Probleme" for "Herausforderung") is dropped, and the section is looked
        for among the place's own (by meaning)."""
        available = self.sections_on([place.name for place in places if place.kind != "city"])
        if not sections or not available:
            return sections
        on_place = {section: weight for section, weight in sections.items() if section in available}
        if on_place:
            return on_place
        return {section: weight for section, weight in sections.items() if uses_section_name(question, section)}

    def asks_about_a_meeting(self, question: str) -> bool:
        """Whether the question speaks of a meeting: a word that asks for one ("besprochen", "Sitzung") or a word
        of a document's title ("Bürgerrunde")."""
        return any(word in OVERVIEW_WORDS or word in self.meeting_words for word in words(question))

    @functools.cached_property
    def meeting_words(self) -> frozenset[str]:
        """The words of the documents' titles that name a kind of meeting (not a stopword, number or month)."""
        return frozenset(word for title in self.meetings.titles.values() for word in words(title or "")
                         if len(word) > 3 and word.isalpha() and word not in MONTHS
                         and not self._stopwords.is_stopword(word))

    @functools.cached_property
    def _meeting_headings(self) -> frozenset[str]:
        """The one-off headings whose words all name a kind of meeting (a card "Bürgerrunde" among the cards of a
        Bürgerrunde): the question "… bei der Bürgerrunde" names the meeting by it, not that card (MEETING_ARTICLES)."""
        return frozenset(section for section in self._headings
                         if words(section) and set(words(section)) <= self.meeting_words)

    def naming_the_meeting(self, question: str) -> dict[str, set[str]]:
        """The question's words that name the meeting of a document, each with those documents: a word of its title
        or the last part of one ("Konferenz" of "Integrationskonferenz", "Versammlung" of "Mitgliederversammlung"),
        also without its inflection ("Gemeinderat" of "Gemeinderates")."""
        named: dict[str, set[str]] = {}
        others = other_meetings(question)
        tokens = words(question)
        for word in set(tokens):
            if len(word) < MEETING_WORD_LETTERS or word in MONTHS or self._stopwords.is_stopword(word) or \
                    word in others:
                continue
            # (a long word misspelled names the title word it nearly is: "integratonskonferenz")
            title_word = self._title_word_like(word)
            german = german_meeting_nouns(title_word)
            if not german[0].endswith(MEETING_NOUNS):
                continue  # "Teilhabe" of a title's motto, "Bezirk" of "Stadtbezirk" name no meeting
            sources = {source for source, title in self.meetings.titles.items()
                       if any(part[:len(part) - ending].endswith(german) for part in words(title or "")
                              for ending in range(INFLECTION_LETTERS + 1))}
            if sources:
                named[word] = sources
        # The body that meets, named as the first part of a title's compound: "der Grosse Rat" (or "der
        # Grossrat") of the "Grossratsprotokoll", "der Gemeinderat" of a "Gemeinderatsprotokoll" — where the question
        # speaks of it meeting ("Wann tagte der Grosse Rat?", "die Sitzung des Grossen Rates"); else it is the body
        # ("Wo im Grossen Rat …"), not its minutes. (A session named so is one: "die Grossratssitzung".)
        meets = bool(THE_BODY_MEETS.search(question))
        for i, word in enumerate(tokens):
            if word in others or word in named or not word.endswith(MEETING_NOUNS) or word in MONTHS:
                continue
            before = tokens[i - 1] if i else ""
            adjective = ADJECTIVE_ENDING.sub("", before) if before and not self._stopwords.is_stopword(before) else ""
            # (and "die Grossratssitzung": the body, its meeting noun left out)
            noun = next((noun for noun in MEETING_NOUNS if word.endswith(noun) and len(word) > len(noun)), "")
            session = word[:len(word) - len(noun)].removesuffix("s") if noun else ""
            for body, words_of_it in ((adjective + word, (before, word)), (word, (word,)), (session, (word,))):
                if body != session and not meets:
                    continue
                if len(body) < MEETING_WORD_LETTERS or body == word and len(word) <= len(max(MEETING_NOUNS, key=len)) \
                        and word in MEETING_NOUNS:
                    continue  # (not "Rat" alone: any council)
                sources = {source for source, title in self.meetings.titles.items()
                           if any(part.startswith(body) and len(part) > len(body) + 1 for part in words(title or ""))}
                if sources:
                    named.update({part: sources for part in words_of_it})
                    break
        return named

    @functools.cached_property
    def _long_title_words(self) -> list[str]:
        return sorted(part for part in self.title_words if len(part) >= TITLE_WORD_FUZZY_LETTERS)

    def _title_word_like(self, word: str) -> str:
        """The word, or for a long word no title has, the title word spelled nearly like it (rapidfuzz ratio)."""
        if len(word) < TITLE_WORD_FUZZY_LETTERS or word in self.title_words:
            return word
        best = process.extractOne(word, self._long_title_words, scorer=fuzz.ratio, score_cutoff=TITLE_WORD_FUZZY)
        return best[0] if best else word

    def naming_any_meeting(self, question: str) -> dict[str, set[str]]:
        """The question's words that name a kind of meeting ("Sitzung", "meeting", "Ratssitzung"), each with the
        documents that use the word (in German): a question for who chaired "die Sitzung" asks about whichever
        meeting calls itself one."""
        named = {}
        if self._corpus is None:
            return named
        for word in set(words(question)) - other_meetings(question):
            if len(word) < MEETING_WORD_LETTERS or not german_meeting_nouns(word)[0].endswith(MEETING_NOUNS):
                continue
            # (the whole word, not its parts: a "Jugendrat" or a "Bauphase" the protocols never mention is no meeting
            # of theirs, a "Ratssitzung" they mention is)
            terms = [stems[0] for noun in german_meeting_nouns(word) if (stems := self._corpus.analyzer.analyze(noun))]
            using = {self._passage_sources[i] for i in np.flatnonzero(self._corpus.containing(terms))}
            if using:  # ("session": the documents that say "Sitzung"; none say it: no meeting of theirs)
                named[word] = using
        return named

    def sections_on(self, place_names) -> set[str]:
        """The sections the boards of these districts or workshops have."""
        return set().union(*(self.place_sections.get(name, set()) for name in place_names))

    def own_words(self, query: Query) -> list[str]:
        """Content words of the question beyond the place and section it names."""
        cue_stems = set()
        for section in set(query.sections) | query.worded_sections:
            if section in self._headings:
                continue  # a heading of one text ("Flohmarkt") names what the question is about, not a field
            cue_stems |= self.section_cues[section]["name"] | self.section_cues[section]["prompt"]
        own = []
        for word in words(query.content):
            if self._stopwords.is_stopword(word) or len(word) < 3:
                continue
            stem = self._stemmer.stemWord(word)
            if not _matching(stem, frozenset(cue_stems)):
                own.append(word)
        return own

    def parties_named(self, question: str) -> frozenset[str]:
        """The parties of the minutes' speakers a question names by a word written with a capital, also inflected
        or as the first part of a compound ("laut der Grünen", "die SP-Fraktion"): their speakers' turns are what it
        asks about."""
        named: set[str] = set()
        for word in re.findall(r"[^\W\d_][\w-]*", question):
            first = word.split("-")[0]
            if not first[:1].isupper():
                continue  # ("grüne Flächen": an adjective)
            folded = fold(first)
            for name, parties in self.parties.items():
                if folded == name or (len(name) >= 4 and folded.startswith(name) and len(folded) - len(name) <= 2):
                    named |= parties
        return frozenset(named)

    def speakers_named(self, question: str) -> frozenset[str]:
        """The minutes' speakers a question names by their surname, written with a capital, also in the genitive
        ("Was sagt Hauser …", "Secondo Hauser …", "Köstlis Votum"): their turns are what it asks about."""
        named: set[str] = set()
        for word in WORD.findall(question):
            if not word[:1].isupper():
                continue
            folded = fold(word)
            speakers = self.speakers.get(folded, set()) or (
                self.speakers.get(folded[:-1], set()) if folded.endswith("s") else set())
            if speakers and not self._named_elsewhere(next(iter(speakers))):
                named |= speakers
        return frozenset(named)

    def _named_elsewhere(self, speaker: str) -> bool:
        """Whether the speaker's surname is also a word of documents without speakers' turns: the Makerspace's
        "Martin" is not "Regierungsrat Martin" of the council's minutes (looked up only for a surname a question
        names)."""
        if self._corpus is None:
            return False
        return any(self._passage_sources[position] not in self._sources_with_turns
                   for position in self.passages_naming(speaker_surname(speaker) or ""))

    def _passages_naming(self, word: str) -> np.ndarray:
        """The positions of the passages with the word as written (naming_the_word); kept per word as
        passages_naming, since understanding and ranking a question both ask it for a speaker's surname."""
        return naming_the_word(self._corpus, self._passages, word)

    def matter_words(self, query: Query) -> list[str]:
        """The question's nouns the corpus knows, as written: what it asks about ("Spielplatz" in "Und was war mit
        dem Spielplatz?"), beyond places and the words that frame a question or point back."""
        if self._corpus is None:
            return []
        found = []
        for word in WORD.findall(query.content):
            folded = fold(word)
            if self._stopwords.is_stopword(folded) or folded in FRAME_WORDS or folded in ANAPHORA:
                continue
            if not (word[:1].isupper() or query.content.islower()):
                continue  # a noun is written with a capital (unless nothing is)
            if any(self._corpus.document_frequency(term) for term in self._corpus.analyzer.analyze(word)):
                found.append(word)
        return found

    def find_topics(self, text: str) -> dict[tuple[str, int], float]:
        """The topic a question names: by its number ("Thema 13") or, when one clearly stands out among the topic
        cards and boards, by its words."""
        numbered = {int(number) for number in TOPIC_NUMBER.findall(text)}
        if numbered:
            keys = {key: 1.0 for key in self.topic_keys if key[1] in numbered}
            if keys:
                return keys
        if self._topic_index is None or not text.strip():
            return {}
        ranked = self._topic_index.search(text, 2)
        if not ranked:
            return {}
        best = ranked[0][1]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if best < TOPIC_MARGIN * second:
            return {}
        key = self.topic_keys[ranked[0][0]]
        confidence = self._specificity(text, key)
        return {key: round(confidence, 3)} if confidence >= TOPIC_MIN_SPECIFICITY else {}

    def _specificity(self, text: str, key: tuple[str, int]) -> float:
        """How much the words naming a topic belong to it: "Mediation" does, "Ziel" (in every table row) does not.

        For each question word in the topic's titles: the share of passages using it that are the topic's own.
        """
        if self._passage_terms is None:
            return 1.0
        analyzer = self._topic_index.analyzer
        title = self.topic_texts[self.topic_keys.index(key)]
        shared = set(analyzer.analyze_query(text)) & set(analyzer.analyze(title))
        if len(shared) < 2:
            # One word alone names it only as a noun, as German writes them: "gern" of "Ich möchte gern Kontakte
            # …" names no topic ("Kinder helfen Kinder" does, by its verb beside its noun).
            nouns = " ".join(word for word in WORD.findall(title) if word[:1].isupper())
            shared &= set(analyzer.analyze(nouns)) if nouns else shared
        best = 0.0
        for term in shared:
            using = [i for i, terms in enumerate(self._passage_terms) if term in terms]
            if using:
                own = sum(1 for i in using if self._passage_topics[i] == key)
                best = max(best, own / len(using))
        return best


# A German question whose verb comes second and its subject after it: "Was fordern die Teilnehmenden?", "Wo wünschen
# sich die Betroffenen …?", or, after "wer", its object: "Wer hat die Teilnehmenden begrüßt?" (not after "sein",
# "geben" and the like: "Wer sind die Teilnehmenden?" asks for them).
SUBJECT_QUESTION_WORDS = frozenset("was wo wie warum wieso weshalb wann woruber wofur wozu womit wer wen wem".split())
COPULAS = frozenset("ist sind war waren ware sei gibt gab gabe steht stehen stand standen heisst heissen lautet lauten"
                    .split())
BEFORE_SUBJECT = frozenset("sich denn eigentlich so genau alle da dort".split())
SUBJECT_ARTICLES = frozenset("die der den des".split())
VERB_ENDING = re.compile(r"(?:en|t|te|de)$")
# Nouns for people: nominalised participles and adjectives ("Teilnehmende", "Betroffene", "Verantwortliche",
# "Beteiligte") and agent nouns ("Bürger", "Teilnehmerinnen").
PEOPLE_ENDINGS = ("ende", "enden", "ene", "enen", "liche", "lichen", "igte", "igten", "er", "innen")


def subject_people(tokens: list[str]) -> list[int]:
    """Positions of folded words naming people as the subject of a question's verb: "Was fordern die
    Teilnehmenden in Schalke?" asks what they want, not for the field "Teilnehmende"."""
    start = 1 if tokens[:1] == ["und"] else 0
    if len(tokens) < start + 4:
        return []
    if tokens[start] in SUBJECT_QUESTION_WORDS and tokens[start + 1] not in COPULAS:
        position = start + 2
    elif tokens[start] not in COPULAS and VERB_ENDING.search(tokens[start]):
        position = start + 1  # a yes-or-no question, its verb first: "Klagen die Teilnehmenden …?"
    else:
        return []
    while position < len(tokens) and tokens[position] in BEFORE_SUBJECT:
        position += 1
    if position + 1 >= len(tokens) or tokens[position] not in SUBJECT_ARTICLES:
        return []
    noun = tokens[position + 1]
    return [position + 1] if noun.endswith(PEOPLE_ENDINGS) else []


def speaker_party(passage: Passage) -> str | None:
    """The party a speaker's turn names after the name ("Feuerle, GRÜNE" or "Hasler (FDP)", "Meier (SP, ZH)": the
    party), or None (no turn, or no party: "Regierungsrätin Knill")."""
    speaker = passage.meta.get("speaker")
    if not speaker:
        return None
    if bracketed := re.search(r"\(([^()]+)\)\s*$", speaker):
        return bracketed.group(1).split(",")[0].strip() or None
    if "," not in speaker:
        return None
    return speaker.rsplit(",", 1)[1].strip() or None


SURNAME_LETTERS = 3
# A question for what someone said ("laut Hauser", "Was meint Roth …?", "Secondo Hauser …"): their turns answer it,
# not the passages that merely name them.
ASKS_WHAT_ONE_SAID = re.compile(r"\b(?:sagt\w*|gesagt|meint\w*|gemeint|laut|zufolge|findet|fand|argumentiert\w*"
                                r"|betont\w*|äussert\w*|äußert\w*|geäussert|geäußert|fordert\w*|kritisiert\w*|secondo"
                                r"|selon|según|according|says?|said|thinks?|argued?|argues)\b", re.IGNORECASE)


def naming_the_word(corpus: LexicalIndex, passages: list[Passage], word: str) -> np.ndarray:
    """The positions of the passages with the word as written (casefolded, also with a genitive s): found through the
    lexical index by its stem, then read, since the stem names more ("Hauser" → "haus", in every "Rathaus")."""
    terms = corpus.analyzer.analyze(word)
    if not terms:
        return np.zeros(0, dtype=np.int64)
    pattern = re.compile(rf"\b{re.escape(word)}s?\b", re.IGNORECASE)
    candidates = np.flatnonzero(corpus.containing(terms))
    return np.array([position for position in candidates if pattern.search(passages[position].text)
                     or pattern.search(passages[position].meta.get("speaker") or "")], dtype=np.int64)


def speaker_surname(speaker: str) -> str | None:
    """The last word of the name a speaker's turn opens with ("Sabina Peter Köstli, Die Mitte/EVP": "Köstli",
    "Kommissionspräsident Wüst, EDU": "Wüst", "Hasler (FDP)": "Hasler"), or None."""
    name = re.split(r"[,(]", speaker, maxsplit=1)[0].split()
    if not name or len(name[-1]) < SURNAME_LETTERS or not name[-1][:1].isupper():
        return None
    return name[-1]


def speakers_of(question: str) -> list[str]:
    """The words of the question naming people as its subject (subject_people), as written."""
    written = WORD.findall(question)
    return [written[i] for i in subject_people([fold(word) for word in written])]


def without_speakers(question: str, keep: frozenset[str] = frozenset()) -> str:
    """The question without the words naming people as its subject, except those in keep (folded)."""
    speakers = [word for word in speakers_of(question) if fold(word) not in keep]
    return _without_words(question, speakers) if speakers else question


def uses_section_name(question: str, section: str) -> bool:
    """Whether the question itself uses a word of a section's name (not only of its printed prompt)."""
    asked = set(words(question))
    return any(word in asked or any(a.startswith(word[:5]) for a in asked if len(word) >= 5)
               for word in words(section) if len(word) >= 4)


def place_kind(passage: Passage) -> str:
    """The kind of place a passage's place is: a district of an exchange board, else a group (a workshop)."""
    return "district" if passage.board_kind == "district" else "group"


@functools.lru_cache(maxsize=1 << 15)  # every question asks it for each of its stems and each section
def _matching(stem: str, cues: frozenset[str], strict: bool = False) -> str | None:
    """The cue stem a question stem matches: the same, or sharing its first five letters
    (Snowball keeps "Probleme"/"Problem" and "begrüßt"/"Begrüßung" apart), but not two compounds of one first
    part ("beschlussfähig" is no "Beschlussfassung")."""
    if stem in cues:
        return stem
    if len(stem) >= PREFIX_LETTERS:
        sharing = _cues_by_prefix(cues).get(stem[:PREFIX_LETTERS], [])
        # the first in sorted order
        return next((cue for cue in sharing if not _other_compound(stem, cue, strict)), None)
    return None


COMPOUND_PART = 8  # letters two stems share before they part that make them two compounds of one first word
ENDING_LETTERS = 2  # what one stem may have beyond the other and still be the same word with an ending
OTHER_WORD_REST = 4  # letters both stems go on with beyond a short shared beginning that make them two words
SYLLABLES_SHARED = 5  # letters of a shared beginning too short to make two long words one ("veran")
PART_REST = 5  # letters a stem must lack of a longer one to be only its first part, not the word with an ending


def _other_compound(stem: str, cue: str, strict: bool = False) -> bool:
    """Whether two stems sharing their beginning are another word made of it ("beschlussfah" of "beschluss",
    "beschlussfass"): they part after a whole word's letters, and neither is the other with an ending of at most
    two letters ("herausfordernd" ~ "herausforder"). strict: nor do both go on far after a short shared beginning
    (a section's name, "Themenkarte", is still named by "Themenvorschlag"; a word of its prompt is not)."""
    shared = len(os.path.commonprefix([stem, cue]))
    if cue.startswith(stem) and len(cue) - shared >= PART_REST:
        return True  # the question's word is the first part the cue is built of ("heraus" of "herausforder")
    if shared < COMPOUND_PART:
        # (a prompt's word: two words going on well beyond a short shared beginning, "stadtteiltafel" and the
        # "stadtbezirk" of "Was läuft gut bei uns im Stadtbezirk"; a name's too when they share no more than a
        # syllable or two: "Veranstaltung" is no "Verantwortung", "Themenvorschlag" names the "Themenkarte")
        return (strict or shared <= SYLLABLES_SHARED) and min(len(stem), len(cue)) - shared >= OTHER_WORD_REST
    one_is_the_other = stem.startswith(cue) or cue.startswith(stem)
    return not one_is_the_other or max(len(stem), len(cue)) - shared > ENDING_LETTERS


@functools.lru_cache(maxsize=256)
def _cues_by_prefix(cues: frozenset[str]) -> dict[str, list[str]]:
    return by_prefix(sorted(cues))


def _close(word: str, want: str) -> bool:
    if word == want:
        return True
    if len(want) < 4 or word[:1] != want[:1]:
        return False
    return fuzz.ratio(word, want) >= PLACE_FUZZY_CUTOFF


@functools.lru_cache(maxsize=1 << 14)  # a question's words are asked for a dozen times while it is read
def words(text: str) -> tuple[str, ...]:
    return tuple(fold(word) for word in WORD.findall(text))


def understand(question: str, vocabulary: Vocabulary, history: list[str] | None = None) -> Query:
    """The query for a question, resolved against the earlier user turns of the conversation."""
    if history and (whole := _asked_again(question, history[-1])):
        question, history = whole, history[:-1]
    query = _read(question, vocabulary)
    if not history:
        return _sections_by_meaning(query, vocabulary)
    elsewhere = _asks_where_else(query, question, vocabulary)
    if elsewhere:
        followup = True
    elif ELSEWHERE.search(question) and not query.local_places:
        # "Und in welchen anderen Stadtteilen fehlen Kita-Plätze?": other places, with a matter of its own: a
        # question of its own, not the earlier one's places
        return _sections_by_meaning(query, vocabulary)
    elif not _is_followup(query, question, vocabulary):
        by_meaning = _sections_by_meaning(query, vocabulary)
        if _asks_only_for_a_section(by_meaning, question, vocabulary):
            followup = False
        elif THE_SAME_FRAME.search(question) and query.intent != "where" and not (
                query.topics or query.places or query.items or query.documents):
            followup = True  # "die Person, die das Thema auf die Karte geschrieben hat": the topic asked about before
        elif len(words(question)) <= FOLLOWUP_MAX_WORDS and not (
                query.topics or query.places or query.items or query.documents) and _names_again(
                query, _nouns(history[-1]), vocabulary, with_article=True):
            # "Wer steuert das Projekt?" after a question about the "Digitalisierungsprojekt" (the earlier question's
            # nouns as written: a new question does not read the conversation before it)
            followup = True
        else:
            return by_meaning  # the earlier turns are read only for a follow-up
    else:
        followup = True
    previous = understand(history[-1], vocabulary, history[:-1])
    if elsewhere:
        return _asked_elsewhere(query, previous, vocabulary)
    if query.places and previous.places and _points_at_the_place(question) and \
            all(place.kind == "group" for place in query.places) and \
            not any(place.kind == "group" for place in previous.places):
        # "Und was wird dort bei der Bildung gefordert?" after a question about the Feldmark: "dort" is the
        # Feldmark, and the workshop word "Bildung" is what is asked about there, not the workshop (after one about
        # Minden, "dort im Workshop Bildung" is Minden's, its name still in the question)
        query = replace(query, places=[], content=question.strip(), sections=vocabulary.find_sections(question))
    if previous.topics and not previous.places and query.places and all(
            place.kind == "district" for place in query.places) and _points_back(question, to_the_place=False):
        # "Und wer kümmert sich darum in der Altstadt?" after a question about a topic: "darum" is the topic, and
        # the district is what is asked of it ("Für die Altstadt: M. Mail …"), not the district's boards
        query = replace(query, places=[], content=question.strip(), sections=vocabulary.find_sections(question))
    other_section = False
    if followup and not query.sections and _words_of_its_own(query, vocabulary):
        # A follow-up asking for a section in other words ("Peki sorunlar neler?", "What works well there?") asks
        # for that one, not for the earlier question's; where the places asked about have no such section, for
        # neither. (Not one without words of its own: "Gibt es dazu mehr?", "Und wie ist es in Heßler?" ask the
        # earlier question again.)
        asked = vocabulary.sections_by_meaning(query)
        if set(asked) - set(previous.sections):
            places = query.local_places or previous.local_places
            available = vocabulary.sections_on(places) if places else set(asked)
            other_section = True
            query.sections = {name: weight for name, weight in asked.items() if name in available}
        elif (not asked and previous.sections and _asks_something_of_its_own(query, vocabulary)
              and not any(word[:1].isupper() for word in vocabulary.matter_words(query))
              and not _points_back(question, to_the_place=False)
              and not _closest_to_the_earlier_section(query, previous, vocabulary)):
            # "und was fehlt?" after "Was läuft gut in Schalke?" asks something of its own about the same place
            # (unless it points back at what was asked, "Wer soll sich darum kümmern?", or names a matter of its
            # own, "Und was ist mit dem Spielplatz?", the same question about it, or comes closest to the earlier
            # question's section, "Und was fehlt dort?" after the Handlungsbedarfe): the ranking tells which
            # of the place's sections answer, the earlier question's section last.
            other_section = True
            query.left_sections = frozenset(previous.sections)
        elif (not asked and previous.sections and not set(previous.sections) & previous.worded_sections
              and "sections" not in previous.inherited
              and any(word[:1].isupper() for word in vocabulary.matter_words(query))):
            # "Und wofür hat sich das Verwaltungsgericht bedankt?": a matter of its own, after a question whose
            # section was only guessed from its meaning ("Beschlussfassung"): that guess was about the earlier
            # question, not this one.
            other_section = True
    context = previous.text if previous.followup else previous.content
    earlier = vocabulary.matter_words(replace(previous, content=context))
    if vocabulary.matter_words(query) and not _points_back(question, to_the_place=False) and \
            not _names_again(query, earlier, vocabulary) and not _asks_only_a_value(query, question):
        # "Und was war mit dem Spielplatz?" after a question about the Dorfladen: the same question about its own
        # matter, the earlier ones' left out ("Und welche Maßnahmen schlagen die vor?" points back: all of it; "dort"
        # only at the place).
        context = _without_words(context, earlier)
    if query.places and previous.places:
        # "Und in Bismarck?" after a question about Schalke: Schalke is no longer asked about.
        context = _without_words(context, [place.name for place in previous.places if place not in query.places],
                                 flags=re.IGNORECASE)
    if other_section:
        # … and the earlier question's words for its section ("Was läuft gut") are no longer asked for, nor
        # the marks that stood after them.
        context = _without_words(context, [word for name in previous.sections for word in WORD.findall(name)],
                                 flags=re.IGNORECASE, marks=True)
    query = _inherit(query, previous, context, keep_sections=not other_section)
    # (what the follow-up asks about is its text without the places it is asked for; a workshop's name that stood
    # for what is asked about at the place before stays: "dort bei der Bildung")
    _, spans = vocabulary.find_places(query.text, among=query.places)
    if query.intent == "yesno" and (same := SAME_AS_BEFORE.search(question)) and not [
            word for word in vocabulary.matter_words(replace(query, content=question[same.end():]))
            if fold(word) not in FRAME_WORDS and not vocabulary.find_sections(word)]:
        # "Ist das dieselbe Person, die das Thema in der Themensammlung eingebracht hat?" compares two lines, the
        # earlier answer's and the one asked for: no yes or no for a word (one naming a matter of its own, "…, die
        # auch Kindergärten nennt?", is asked yes or no about it)
        query = replace(query, intent=None)
    return _sections_by_meaning(replace(query, about=_remove_spans(query.text, spans).strip()), vocabulary)


# "laut Tagesordnung", "auf der Agenda", "according to the agenda": what the agenda lists.
AS_LISTED_ON_THE_AGENDA = re.compile(r"\b(?:laut|gemäß|gemäss|nach|auf|in)\s+(?:der\s+)?(?:tagesordnung|agenda|"
                                     r"traktandenliste|einladung)\b|\b(?:on|according\s+to)\s+the\s+agenda\b",
                                     re.IGNORECASE)
# Words asking for the files attached to a protocol ("Welche Unterlagen sind dem Protokoll angehängt?").
# (not "Anlage", which is as often a facility: "die Anlage einer Ladesäule")
ASKS_FOR_ATTACHMENTS = re.compile(r"\b(?:angeh[äa]ngt\w*|anh[äa]nge|anhang|beigef[üu]gt\w*|attached|attachments?)\b",
                                  re.IGNORECASE)
# A board named by the district it lacks: "ohne Stadtteilangabe", "ohne Stadtteilnamen", "without a district".
# (or by the district it is not given: "die keinem Ortsteil zugeordnet ist", "not assigned to any district")
_DISTRICT_WORD = r"(?:stadtteil|stadtbezirk|ortsteil|ortsangabe|ortsnamen?|bezirk|quartier)\w*"
WITHOUT_A_DISTRICT = re.compile(rf"\bohne\s+(?:(?:eine[nm]?|den|die|das)\s+)?{_DISTRICT_WORD}"
                                rf"|\bkein(?:em|en|er|e)?\s+{_DISTRICT_WORD}\s+(?:\w+\s+)?(?:zugeordnet|zugewiesen"
                                r"|angegeben|vermerkt|genannt|notiert)"
                                r"|\b(?:without|no)\s+(?:a\s+)?(?:district|neighbou?rhood)\b"
                                r"|\bnot\s+(?:assigned|attributed)\s+to\s+(?:a|any)\s+(?:district|neighbou?rhood)\b",
                                re.IGNORECASE)
# Two words given as alternatives ("ob gut oder schlecht", "good or bad").
ALTERNATIVE_WORDS = re.compile(r"\b([^\W\d_]+)\s+(?:oder|or|veya)\s+([^\W\d_]+)", re.IGNORECASE)


def clause_around(text: str, position: int) -> str:
    """The clause of the text (between punctuation) that holds the position."""
    start = max(text.rfind(mark, 0, position) for mark in ".,;:!?") + 1
    ends = [end for mark in ".,;:!?" if (end := text.find(mark, position)) >= 0]
    return text[start:min(ends, default=len(text))]


def _beyond_alternatives(question: str, sections: dict[str, float], vocabulary: Vocabulary) -> dict[str, float]:
    """The sections a question names, without those it names only as one of two alternatives the other of which
    names no such section ("Wo ist von Infrastruktur die Rede, ob gut oder schlecht?" asks for every field, not
    "Was läuft gut")."""
    for match in ALTERNATIVE_WORDS.finditer(question):
        first, second = (set(vocabulary.find_sections(word)) for word in match.groups())
        # (the other one a quality of its own, "schlecht": not a noun, "Wünsche", nor a word like "nicht")
        other = match.group(2) if first else match.group(1)
        quality = other[:1].islower() and not vocabulary._stopwords.is_stopword(other)
        if first != second and quality:
            sections = {name: weight for name, weight in sections.items() if name not in first | second}
    return sections


def _read(question: str, vocabulary: Vocabulary) -> Query:
    question = vocabulary.completed(question)
    places, spans = vocabulary.find_places(question)
    # (the district a board lacks is no word for one of its sections: "ohne Stadtteilangabe" ~ "im Stadtbezirk")
    worded = _beyond_alternatives(question, vocabulary.find_sections(WITHOUT_A_DISTRICT.sub(" ", question)),
                                  vocabulary)
    if ASKS_FOR_ATTACHMENTS.search(question) and any(ATTACHMENTS in names
                                                      for names in vocabulary.document_sections.values()):
        worded = {**worded, ATTACHMENTS: 1.0}  # the files a protocol lists at its end (index/layouts/generic.py)
    sections = vocabulary.sections_of_places(worded, places, question)
    documents, dates = vocabulary.meetings.named(question)
    if documents:
        # "in der Bürgerrunde am 24.09.2015": the sections of the meetings it names, not another document's heading
        # that shares a word with their titles
        sections = {name: weight for name, weight in sections.items()
                    if any(name in vocabulary.document_sections[source] for source in documents)}
    items, item_spans = vocabulary.meetings.named_items(question)
    if items and (naming := vocabulary.naming_the_meeting(question)):
        # (an item of the meeting the question names by its title's words: "unter Sonstiges beim Grossen Rat" is
        # none of the association's)
        items = frozenset(key for key in items if any(key[0] in sources for sources in naming.values()))
    listed = listed_entries(question)
    by_place = bool(ORDINAL_ENTRY.search(question))
    items = items or vocabulary.meetings.numbered(listed)  # "der dritte Tagesordnungspunkt" of minutes: TOP 3
    if KEEPING_THE_MINUTES.search(question) and items:
        # ("Wer hat die Traktanden 6 und 8 protokolliert?": the head of the minutes with those items names who kept
        # them for which items)
        documents |= {source for source, _ in items}
        items = frozenset()
    if documents:
        # (the items of the meeting it names: "TOP 2 der Bürgerrunde am 23.04.2015" is no other meeting's TOP 2)
        items = frozenset(key for key in items if key[0] in documents)
    elif listed and (by_kind := vocabulary.naming_the_meeting(question)):
        # (or names by its kind: "der fünfte Tagesordnungspunkt der Mitgliederversammlung")
        items = frozenset(key for key in items if any(key[0] in sources for sources in by_kind.values()))
    # (an entry of no item the minutes have is one of an agenda as listed: "## Agenda" of a citizens' round)
    entries = frozenset(number for number, _ in listed) if by_place or not items else frozenset()
    if entries and documents:
        # (and the part headed with the entry's title: "Punkt 3 der Tagesordnung" of a round whose agenda lists
        # "3. Organisatorisches: Raumkosten" is its "## Organisatorisches")
        sections = {**sections, **dict.fromkeys(vocabulary.meetings.sections_of_entries(entries, documents), 1.0)}
    # (and the words asking for a year: "In welchem Jahr fand die Konferenz statt?" is about no topic "pro Jahr")
    dates = dates + item_spans + [match.span() for match in ASKS_FOR_A_YEAR.finditer(question)]
    # What the question is about once place names and the meeting's date are taken out; topics are looked for in
    # that.
    content = _remove_spans(question, sorted(spans + dates)).strip()
    # ("auf der Konferenz", "bei der Versammlung": the meeting the protocol records, not the topic card that speaks
    # of "Stadtteil-Konferenzen")
    naming = vocabulary.naming_the_meeting(content)
    at_the_meeting = [match.span() for match in WORD.finditer(content) if fold(match.group()) in naming
                      and AFTER_MEETING_ARTICLE.search(content[:match.start()])]
    topics = vocabulary.find_topics(_remove_spans(content, sorted(at_the_meeting)) if at_the_meeting else content)
    meeting_fact = frozenset()
    at_a_place = any(place.kind != "city" for place in places)  # a district or workshop, not only a city
    # (not a fact of another meeting than the protocol records: "Wann tagt der Grosse Rat das nächste Mal?")
    if MEETING_FACT.search(question) and not at_a_place and not items and not names_another_meeting(question):
        named = vocabulary.naming_the_meeting(content)
        if not named and not documents:
            # "Wer hat die Sitzung geleitet?" names no meeting of a title but a kind of meeting: any document's
            named = vocabulary.naming_any_meeting(content)
        if named or documents:
            # "die Konferenz" is the meeting, not the topic card that speaks of "Stadtteil-Konferenzen".
            rest = " ".join(word for word in WORD.findall(content) if fold(word) not in named)
            topics = vocabulary.find_topics(rest) if named else topics
            # (nor is "die Bürgerrunde (am 23.04.2015)" the section of that name in another record, a card)
            sections = {name: weight for name, weight in sections.items() if fold(name).strip() not in named}
            # (one meeting named by words of different documents' titles is none of them: "die
            # Mitgliederversammlung der Bürgerrunde" is a meeting a record of the Bürgerrunde speaks of)
            # (the whole question: a word of a file's name, "Bürgerrunde", is taken out of content; only whole words
            # of titles, not a word for any protocol: "die Versammlung der Bürgerrunde", "laut Protokoll")
            naming = {word: sources for word, sources in (vocabulary.naming_the_meeting(question) or named).items()
                      if word in vocabulary.title_words and word not in DOCUMENT_WORDS}
            one_meeting = not naming or bool(frozenset.intersection(*map(frozenset, naming.values())))
            if not topics and not sections and one_meeting:
                # (the meeting its own title words name, where it uses any: not every "Protokoll")
                by_name = frozenset().union(*(naming or named).values())
                # (the meeting named by its kind and its date is the one of that kind on that day, not another
                # record of the day nor another meeting of the kind)
                meeting_fact = (frozenset(documents) & by_name) or (frozenset(documents) | by_name)
                if cities := vocabulary.sources_of({place.name for place in places if place.kind == "city"}):
                    # (a meeting of the city it names: "das Mindener Protokoll" is not Gelsenkirchen's
                    # "Fotoprotokoll")
                    meeting_fact &= cities
    # A question that names a district or workshop the corpus knows is answered for it, whatever else it says.
    # (then only a word shaped like a place's name counts: "der Workshop Wohnen für Haddenhausen", not "für
    # Zuwanderer aus Rumänien")
    unknown = vocabulary.unknown_places(question, spans, cities=places, named_only=at_a_place)
    unheard = [name for name in vocabulary.unheard_names(question, spans) if name not in dict(unknown)] \
        if worded and not topics else []
    unknown_dates = vocabulary.meetings.unknown_dates(question) if vocabulary.asks_about_a_meeting(question) else []
    query = Query(question=question, text=question, places=places, sections=sections, topics=topics,
                  content=content, about=content, intent=intent_of(question, at_a_place), language=language_of(content),
                  unknown_places=unknown, place_kind=vocabulary.kind_called(question, place_kind_of(question)),
                  documents=documents,
                  items=items, worded_sections=frozenset(worded), unknown_dates=unknown_dates,
                  decision=asks_a_decision(question), meeting_fact=meeting_fact,
                  as_listed=bool(AS_LISTED_ON_THE_AGENDA.search(question) or entries), entries=entries,
                  unnamed_board=not places and bool(WITHOUT_A_DISTRICT.search(question)),
                  board_no=board_number(question), parties=vocabulary.parties_named(question),
                  speakers=vocabulary.speakers_named(question),
                  unheard=tuple(unheard))
    return query


def _sections_by_meaning(query: Query, vocabulary: Vocabulary) -> Query:
    """A question naming no section in the corpus' words may ask for one in other words (judged by meaning); not
    one asking for a value ("Ab wann sollen die Kurse laufen?"), which a line of any field may hold."""
    # (nor one asking whether something is said at all: a field guessed wrong would turn a yes into a no)
    if not query.sections and asked_value(query.question) is None and query.intent != "yesno":
        speakers = " ".join(speakers_of(query.question))
        # (nor is the field named after the people who say something: "Was fordern die Teilnehmenden?")
        # (and of the places it names, those they have: a workshop's table has no "Worauf kommt es an")
        available = vocabulary.sections_on(query.local_places) if query.local_places else None
        # (nor the field a word for the kind of place asked for begins with: "Unter welchem Tagesordnungspunkt …?"
        # asks for an item, not for the "Tagesordnung")
        framing = [fold(word) for word in words(query.question) if fold(word) in FRAME_WORDS]
        query.sections = {name: weight for name, weight in vocabulary.sections_by_meaning(query).items()
                          if not (speakers and uses_section_name(speakers, name))
                          and (available is None or name in available)
                          and not any(word.startswith(fold(name)) for word in framing)}
    return query


def _asks_where_else(query: Query, question: str, vocabulary: Vocabulary) -> bool:
    """Whether a question asks where else the earlier matter is named ("Gibt es das Problem noch in einem anderen
    Stadtteil?", "Und wo noch?"): other places, and nothing to look for of its own ("In welchen anderen Stadtteilen
    gibt es Schrottimmobilien?" is a question of its own)."""
    match = ELSEWHERE.search(question)
    if match is None or query.local_places:
        return False
    # (a noun after a word pointing back names the earlier matter: "das Problem", "dieses Thema"; nor is the city
    # a matter: "in anderen Stadtteilen von Gelsenkirchen")
    _, spans = vocabulary.find_places(question)
    rest = _remove_spans(question, sorted([*spans, match.span()]))
    return not vocabulary.matter_words(replace(query, content=POINTING_NOUN.sub(" ", rest)))


def _asked_elsewhere(query: Query, previous: Query, vocabulary: Vocabulary) -> Query:
    """The earlier question asked of every place (its own places left out), as a where-question in the follow-up's
    language: every place that names the matter, and those that do not."""
    _, spans = vocabulary.find_places(previous.text)
    earlier = _read(_remove_spans(previous.text, spans).strip(), vocabulary)
    kind = place_kind_of_words(query.question) or earlier.place_kind
    # ("Where else?" is too short to tell its language by: the conversation's, unless it reads German)
    language = previous.language if query.language == "de" and not reads_german(query.question) else query.language
    inherited = [part for part, value in (("topics", earlier.topics), ("sections", earlier.sections),
                                          ("documents", earlier.documents)) if value]
    return _sections_by_meaning(replace(
        earlier, question=query.question, text=f"{query.question} {earlier.text}", intent="where", place_kind=kind,
        followup=True, inherited=inherited, language=language, about=earlier.about), vocabulary)


def place_kind_of_words(question: str) -> str | None:
    """The kind of place a question's words name anywhere ("in einem anderen Stadtteil": districts)."""
    return next((kind for kind, pattern in PLACE_KIND_WORDS if pattern.search(question)), None)


def place_kind_of(question: str) -> str | None:
    """The kind of place a where-question asks for ("In welchen Stadtteilen …": districts)."""
    match = WHERE_QUESTION.search(question.strip())
    if not match:
        return None
    # (the idiom "ein Thema", "das Thema …" names no kind: "Wo ist Segregation ein Thema?" asks where it is
    # discussed, not which topic boards say it)
    asked = SUBJECT_IDIOM.sub(" ", question[match.start():match.end() + 30])
    # (or later, as all places of a kind: "Wo tauchen IFÖ-Klassen auf den Stadtteiltafeln auf?")
    later = question[match.end():]
    return place_kind_of_words(asked) or next(
        (kind for kind, pattern in PLACE_KIND_WORDS
         if any(ALL_OF_A_KIND.fullmatch(later[:found.start()][-12:].lstrip()) for found in pattern.finditer(later))),
        None)


# The words before a kind of place that name all places of it ("auf den Stadtteiltafeln", "in allen Workshops"; "in den
# Stadtteilen" is as often where the matter is: "Segregation in den Stadtteilen").
ALL_OF_A_KIND = re.compile(r".*\b(?:auf\s+den|allen|welchen|all|all\s+the|which)\s+", re.IGNORECASE)


SUBJECT_IDIOM = re.compile(r"\b(?:ein|das|zum|a|the)\s+(?:thema|topic)\b", re.IGNORECASE)


# A where-question that asks where a meeting took place ("Wo tagte der Rat?", "Where did they hold it?") or which
# place says the most ("Welches Thema bekam die meisten Punkte?") asks for one fact, not every place that mentions it.
NOT_EVERY_PLACE = re.compile(
    r"\b(?:die\s+meisten|am\s+meisten|die\s+wenigsten|am\s+wenigsten|höchste\w*|most|fewest|least|en\s+(?:çok|az))\b",
    re.IGNORECASE,
)
# … and, unless it names the kind of place ("In welchen Stadtteilen finden Begegnungen statt?" asks which places), where
# a meeting took place, or where to go for a service ("Wo kann ich …", "Where can I …").
ONE_PLACE = re.compile(
    r"\b(?:statt|stattgefunden|stattfinden|tagt|tagte|tagten|getagt|versammelt\w*|hold|held|take\s+place"
    r"|took\s+place)\b|^(?:und\s+)?(?:wo|where)\s+(?:kann|könnte|muss|soll|darf|can|could|should|do|must)\s+"
    r"(?:ich|man|i|one)\b"
    # ("Wo kann mein Kind …", "Where can we …"; but "Where do we need more Kitas?" asks which places)
    r"|^(?:und\s+)?(?:wo|where)\s+(?:kann|können|könnte|darf|dürfen|can|could)\s+(?:wir|du|ihr|mein\w*|unser\w*"
    r"|we|you|my|our)\b"
    # (or people of a kind, "Wo können Leute hinkommen, die mitmachen wollen?", "Where can parents get help?")
    r"|^(?:und\s+)?(?:wo|where)\s+(?:kann|können|könnte|könnten|darf|dürfen|can|could)\s+(?:die\s+|the\s+)?"
    r"(?:leute|menschen|interessierte\w*|bürger\w*|eltern|familien|neubürger\w*|people|parents"
    r"|families|residents|newcomers)\b",
    re.IGNORECASE,
)
# An idiom asking what, not where: "Wo liegt (beim Thema …) das eigentliche Problem?" (not "Wo liegen die Probleme in
# den Stadtteilen?", which asks which places).
WHAT_NOT_WHERE = re.compile(
    r"^(?:und\s+)?wo\s+(?:liegt|liegen|lag|lagen)\b.*\b(?:problem\w*|schwierigkeit\w*|knackpunkt\w*|hürde\w*"
    r"|ursache\w*|grund|gründe|hindernis\w*|unterschied\w*|schwerpunkt\w*)\b(?!.*\b(?:stadtteil|bezirk|workshop)\w*)",
    re.IGNORECASE,
)


# How long a meeting lasted, how many came ("Wie lange ging das Treffen?", "Wie viele Leute waren da?"; not how long
# a street was closed)
HOW_LONG = r"wie\s+lange\s+(?:ging|dauerte|lief|tagte|hat\b.*\bgedauert)|how\s+long\s+(?:did|was|lasted)"
HOW_MANY_CAME = (r"(?:wie\s*viele?|how\s+many)\s+(?:leute|personen|menschen|besucher\w*|gäste|people|persons|visitors"
                 r"|guests)\s+(?:waren|kamen|sind|haben|nahmen|were|came|attended)")
# A question asking for a fact of a meeting itself: its time, place, programme, goals, organisers or participants
# (German, English, Turkish); a document's own pages answer it (its title page, programme and goals, the head of
# minutes), when the question names the meeting (MEETING_WORD_LETTERS: the shortest word that can).
# A question for the year or month ("In welchem Jahr …?"): a time asked for, and no word of what it is about.
ASKS_FOR_A_YEAR = re.compile(r"\b(?:in|im|seit|ab|bis)\s+welche[mn]\s+(?:jahr|monat)\b"
                             r"|\b(?:which|what)\s+(?:year|month)\b", re.IGNORECASE)
MEETING_FACT = re.compile(
    rf"\ban\s+welche[mn]\s+(?:{TIME_NOUNS})\b"
    r"|\b(?:wann|uhrzeit|uhr|beginn\w*|begann|anfang|ende|endete|dauer\w*|wo|ort|ablauf|programm\w*|tagesordnung"
    r"|ziel\w*|moderi\w*|organisi\w*|veranstalt\w*|eingeladen|einladung|leitung|geleitet|leitete\w*|leitet|vorsitz\w*"
    r"|begrüß\w*|grußwort\w*|eröffne\w*"
    r"|teilnehm\w*|anwesend\w*|statt(?:gefunden)?|abgehalten|tagt\w*|getagt|gebäude|saal|räumlichkeiten|venue"
    rf"|{HOW_LONG}|{HOW_MANY_CAME}|{ASKS_FOR_A_YEAR.pattern}"
    r"|building|bina|protokollf\w*|protokollier\w*|protokollant\w*|schriftführ\w*|protokoll\b(?=.*\bgeführt)|führte\b(?=.*\bprotokoll\b)"
    r"|when|where|time|start\w*|end(?:ed|s)?|program(?:me)?|schedule|goals?|aims?|organi[sz]\w*"
    r"|moderat\w*|chair\w*|attend\w*|present|ne\s+zaman|nerede|saat|amaç\w*|hedef\w*|katıl\w*)\b",
    re.IGNORECASE,
)
# A question for who kept the minutes (of some of its items, too).
KEEPING_THE_MINUTES = re.compile(r"\bprotokollier\w*|\bprotokollf(?:ü|ue|u)hr\w*|\bschriftführ\w*|\bprotokollant\w*"
                                 r"|\bprotokoll\b.*\bgeführt\b", re.IGNORECASE)
# What kind of value a question asks for, by its words (German, English, Turkish): a time or date, an amount of
# money, a count, a phone number or e-mail address. The very line that answers holds such a value.
ASKED_VALUE = (
    # (a "Telefonkette" or a "Telefon-Café" is no number asked for, nor are "die Kosten" an amount: "Wer trägt die
    # Kosten?" asks who)
    # (e-mail as one of several means, "Internet, E-Mail, Apps und soziale Medien", is what is spoken of, not asked)
    ("contact", re.compile(r"telefonnummer|telefon-?nr|handynummer|\bnummer\b|mailadresse|kontaktdaten"
                           r"|(?<!,\s)\be-?mail\b(?!\s*(?:,\s*[\w-]+\s*(?:,|und\b|oder\b)|und\b|oder\b))"
                           r"|\bphone\s+number|\bnumara\w*", re.IGNORECASE)),
    # (a postal address; an e-mail address is a contact, above)
    # (a web address is none: "Web-Adresse", "die Adresse der Website")
    ("address", re.compile(r"(?<![\w-])(?:adresse|anschrift|postanschrift)\b"
                           r"(?!.*\b(?:website|webseite|homepage|internet)\b)"
                           r"|\b(?:the|an?)\s+address\b(?!\s+(?:the|this|these)\b)|\badres(?:i|ini)?\b",
                           re.IGNORECASE)),
    # (also a compound, "Wie hoch sind die Müllgebühren?"; only the asking words are the match: the fees asked
    # for are what the question is about)
    ("amount", re.compile(r"\bkostet\w*|\bgekostet|\bwie\s*(?:viel|hoch|teuer)\b(?=.*\b\w*(?:kosten|gebühr\w*|preis\w*"
                          r"|miete|beitrag|betrag|geld)\b)|\bwie\s+teuer\b|how\s+much"
                          r"|\bwhat\s+(?:does|did|do)\b(?=.*\bcost)|\bne\s+kadar|ücret\w*|fiyat\w*", re.IGNORECASE)),
    # (a beginning or end in a question for when asks for a time, not the hour: "Wann beginnt der Sprachkurs?";
    # "Wer hat am Anfang begrüßt?" asks for neither)
    ("clock", re.compile(r"uhrzeit|um\s+wie\s*viel\s+uhr|\buhr\b|what\s+time|saat\s+kaç", re.IGNORECASE)),
    ("time", re.compile(r"\bwann\b|\bbis\s+wann|\bab\s+wann|\bwhen\b|ne\s+zaman|\bdatum\b|\bdate\b"
                        rf"|\ban\s+welche[mn]\s+(?:{TIME_NOUNS})\b|\b(?:which|what)\s+day\b"
                        # (a year or month: "In welchem Jahr lief das Projekt?")
                        rf"|{ASKS_FOR_A_YEAR.pattern}", re.IGNORECASE)),
    # (the result of a vote: a tally or "einstimmig"; not any number in a line about the motion)
    ("vote", re.compile(r"\bmit\s+welchem\s+(?:abstimmungs)?ergebnis\b(?=.*\b(?:abgestimmt|abstimmung\w*|gewählt"
                        r"|entlastet|angenommen|abgelehnt|verabschiedet|erheblich|genehmigt|bewilligt)\b)"
                        r"|\bmit\s+wie\s*viel(?:en)?\s+(?:ja-?)?stimmen"
                        r"|\b(?:wie|was)\s+(?:war|ist|lautet\w*)\s+das\s+(?:abstimmungs|wahl)ergebnis\b|\bstimmenverhältnis\w*"
                        r"|\bhow\s+many\s+votes\b|\bwhat\s+was\s+the\s+vote\b|\bby\s+what\s+(?:majority|margin)\b"
                        r"|\bkaç\s+oy(?:la)?\b", re.IGNORECASE)),
    ("count", re.compile(r"\bwie\s*viele?n?\b|\bhow\s+many\b|\bkaç\b|\banzahl\b", re.IGNORECASE)),
    # (where a meeting was held: the building or address, "Ort Rathaus Frauenfeld"; not where something is said)
    # (only the asking words: what lies between "wo" and "statt" is what the question is about; "statt des …" is
    # "instead of")
    ("venue", re.compile(r"\bwo\b(?=[\w\s.-]*?\b(?:statt(?!\s+(?:des|der|dem|den|eines|einer|zu)\b)|stattgefunden"
                         r"|stattfinden|tagt|tagte|tagten|getagt|abgehalten)\b)"
                         r"|\b(?:in|an)\s+welche[mnr]?\s+(?:gebäude|raum|räumen|saal|halle|haus|lokal|räumlichkeiten|ort)\b"
                         r"|\b(?:veranstaltungs|tagungs|sitzungs)ort\b|\bwhere\b(?=.*\b(?:held|take\s+place|took\s+place"
                         r"|meet|met)\b)|\bin\s+which\s+(?:building|room|hall)\b"
                         r"|\bnerede\b(?=\s+(?:yapıldı|yapılacak|toplandı|toplanacak|düzenlendi))", re.IGNORECASE)),
    # (which party someone belongs to: minutes of a council write it after the name, "Daniel Eugster, FDP:"; not
    # what a party's group said, "Wie stellt sich die SP-Fraktion …?")
    ("party", re.compile(r"\b(?:welche[rnms]?|which|what|hangi)\s+(?:partei(?:en)?|fraktion(?:en)?|party|parties"
                         r"|parti(?:si|de|den|ye|nin)?)\b", re.IGNORECASE)),
    # (how or where to apply or register for something: "Wie beantrage ich einen Kita-Platz?"; workshop notes that
    # speak of Kita-Plätze do not say how to get one)
    ("procedure", re.compile(r"\b(?:wie|wo|how|where)\b.*\b(?:beantrag\w*|(?:an|um)meld\w*|bewerb\w*|registrier\w*"
                             r"|apply|register|sign\s+up)\b|\b(?:wie|wo)\b.*\bmelde\b.*\b(?:an|um)\b|başvur\w*",
                             re.IGNORECASE)),
)


# A question for a person asks for no value, whatever else it names ("Wer übernimmt die Kosten?").
ASKS_WHO = re.compile(r"^\W*(?:und\s+|and\s+)?(?:wer|wem|wen|wessen|who|whom|whose|kim)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=256)  # asked again and again while one question is answered
def asked_value(question: str) -> str | None:
    """The kind of value the question asks for (ASKED_VALUE), or None."""
    if ASKS_WHO.search(question):
        return None
    return next((kind for kind, pattern in ASKED_VALUE if pattern.search(question)), None)


# A question for when something was said or decided: the date of the meeting that did answers it.
ASKS_WHEN_SAID = re.compile(r"\b(?:besprochen|gesprochen|geredet|diskutiert|thematisiert|genannt|erwähnt|angesprochen"
                            r"|behandelt|beschlossen|entschieden|vorgestellt|discussed|mentioned|talked|decided"
                            r"|konuşuldu|görüşüldü)\b", re.IGNORECASE)
# A question for when something began or ended: a programme lists its times in order, so the first or the last
# time answers it ("Wann war die Konferenz zu Ende?": „20:30 Abschlussrunde“, not „17:00 Ankommen“).
ASKED_END = re.compile(r"\bende\b|\bende[nt]\w*|\bbis\s+wann\b|\bschluss\b|\baufgehört|\bhört\w*\b.*\bauf\b"
                       r"|\bvorbei\b|\bend(?:ed|s)?\b|\bfinish\w*|\bover\b|\bbit(?:ti|iyor|er|iş)\w*|\bsona\s+er\w*",
                       re.IGNORECASE)
ASKED_START = re.compile(r"\bbeginn\w*|\bbegann\b|\banfang\w*|\bfing\b.*\ban\b|\bab\s+wann\b|\bstart\w*|\bbegan\b"
                         r"|\bbaşl\w*", re.IGNORECASE)


def asked_end(question: str) -> str | None:
    """"last" for a question asking when something ended, "first" for one asking when it began, else None (also
    for one asking both)."""
    end, start = bool(ASKED_END.search(question)), bool(ASKED_START.search(question))
    if end == start:
        return None
    return "last" if end else "first"


MEETING_WORD_LETTERS = 5
# Words before a kind of meeting that make it another one than the protocol records ("die nächste Sitzung").
OTHER_MEETING = frozenset("nachste nachsten kommende kommenden folgende folgenden kunftige kunftigen next upcoming "
                          "following future".split())
# What a word naming a meeting ends with (German): "Integrationskonferenz", "Bürgerrunde", "Mitgliederversammlung".
MEETING_NOUNS = ("konferenz", "runde", "versammlung", "sitzung", "tagung", "treffen", "workshop", "phase", "forum",
                 "protokoll", "veranstaltung", "kongress", "rat", "ausschuss", "kommission")
# A misspelled word names a title's word when it is this long and this alike (rapidfuzz ratio).
TITLE_WORD_FUZZY_LETTERS = 10
TITLE_WORD_FUZZY = 90
INFLECTION_LETTERS = 2  # "Gemeinderat" names the "Gemeinderates"
THE_BODY_MEETS = re.compile(r"\b(?:tagt\w*|getagt|tagen|traf\w*|getroffen|versammelt\w*|statt|stattgefunden"
                            r"|sitzung\w*|tagung\w*|met|meet\w*|session\w*)\b", re.IGNORECASE)
ADJECTIVE_ENDING = re.compile(r"(?:e[mnrs]?)$")  # "grosse(n)" of "der Grosse Rat", "des Grossen Rates"
# The same kinds of meeting in English and Turkish words, by the German words titles end with.
# (a word and its inflected forms: "konferansın", "meetings"; not the bodies that meet, "the European Council" is
# none of a corpus' meetings)
MEETING_NOUNS_TRANSLATED = {
    "conference": ("konferenz",), "konferans": ("konferenz",), "session": ("sitzung",),
    "meeting": ("konferenz", "sitzung", "versammlung", "treffen", "runde", "tagung", "workshop"),
    "toplantı": ("konferenz", "sitzung", "versammlung", "treffen", "runde", "tagung", "workshop"),
}


def other_meetings(question: str) -> set[str]:
    """The words of a question naming another meeting than the one a protocol records ("die nächste Sitzung")."""
    tokens = words(question)
    # ("die nächste ordentliche Sitzung": within three words after it)
    return {word for i, word in enumerate(tokens) if any(before in OTHER_MEETING for before in tokens[max(0, i - 3):i])}


def names_another_meeting(question: str) -> bool:
    """Whether the question asks about the next (or another) meeting, not the one a protocol records ("die nächste
    Sitzung", "das nächste Mal", "next time")."""
    tokens = words(question)
    # ("die nächste?", "the next one?": the meeting is left unsaid)
    if tokens and (tokens[-1] in OTHER_MEETING or tokens[-2:] == ("next", "one")):
        return True
    return any(word in ("mal", "time") or word.endswith(MEETING_NOUNS)
               or word.startswith(tuple(MEETING_NOUNS_TRANSLATED)) for word in other_meetings(question))


def german_meeting_nouns(word: str) -> tuple[str, ...]:
    """What a word naming a kind of meeting ends with in German titles: the word itself, or for an English or
    Turkish one (also inflected) the German kinds it stands for."""
    return next((german for foreign, german in MEETING_NOUNS_TRANSLATED.items() if word.startswith(foreign)
                 and len(word) - len(foreign) <= 3), (word,))

# A question asking what was decided, voted or elected (German, English, Turkish): minutes mark such passages
# (a vote tally, "Der Antrag wird angenommen"), and they answer it rather than the debate before.
DECISION_QUESTION = re.compile(
    r"\b(?:entschied\w*|entschieden|beschl(?:o|ie)ss\w*|beschlie(?:ß|ss)t|beschluss\w*|beschlüss\w*|abgestimmt"
    r"|abstimmung\w*|gestimmt|stimmte\w*|zugestimmt|angenommen|abgelehnt|genehmigt|gewählt|erheblich\s+erklärt"
    r"|(?<=\w\s)stimmen|gegenstimme\w*|enthaltung\w*|(?<=sich\s)enthalten|enthielt\w*|ja-?stimmen|nein-?stimmen"
    r"|durchgekommen|durchgefallen|gescheitert|mehrheit\w*|knappst\w*|(?:kam|kamen|kommt|kommen)(?=\b.*\bdurch\b)"
    r"|decide[sd]?|decision\w*|passed|majority"
    r"|vot(?:e|ed|es|ing)|abstention\w*|abstained"
    r"|approved?|rejected|adopted|elected|karar\w*|oyla\w*|seçil\w*)\b",
    re.IGNORECASE,
)

# "abgestimmt" as "coordinated with", not "voted": "Worauf muss das Projekt abgestimmt sein?", "aufeinander abgestimmt"
COORDINATED = re.compile(r"\bworauf\b.*\babgestimmt\b|\baufeinander\s+abgestimmt\b|\babgestimmt\s+sein\b"
                         r"|\babgestimmt\s+(?:auf|mit)\b", re.IGNORECASE)
# (what is voted on is "über" something: "Worüber soll abgestimmt werden?", "darüber abgestimmt sein")
VOTED_ON = re.compile(r"\b(?:wo|da)?(?:ü|ue)ber\b", re.IGNORECASE)


def asks_a_decision(question: str) -> bool:
    """Whether a question asks what was decided, voted or elected (DECISION_QUESTION), not what was coordinated."""
    if COORDINATED.search(question) and not VOTED_ON.search(question):
        question = re.sub(r"\babgestimmt\b", " ", question, flags=re.IGNORECASE)
    return DECISION_QUESTION.search(question) is not None


# A board named by its place among a district's boards: "auf der zweiten Altstadt-Tafel", "Tafel 1", "board 2".
BOARD_ORDINAL = re.compile(r"\b(erst|zweit|dritt|viert|fünft|first|second|third|fourth)(?:e[nmrs]?)?\s+(?:[\w-]+-)?"
                           r"(?:tafel|board)\b|\b(?:tafel|board)\s+(?:nr\.?\s*)?(\d)\b", re.IGNORECASE)


def board_number(question: str) -> int | None:
    """The number of the board the question names by its place ("die zweite Bismarck-Tafel": 2), or None."""
    match = BOARD_ORDINAL.search(question)
    if match is None:
        return None
    return ORDINALS[match.group(1).casefold()] if match.group(1) else int(match.group(2))


def intent_of(question: str, at_a_place: bool = False) -> str | None:
    """Whether a question asks which places say something ("where"), or yes or no ("yesno"). at_a_place: it names a
    district or workshop, so one opening with any verb asks whether the place says so ("Klagen die Leute aus
    Bulmke-Hüllen über Parkplätze?"); without one such a question often wants what is said, not a yes."""
    if WHERE_QUESTION.search(question.strip()):
        one_fact = NOT_EVERY_PLACE.search(question) or WHAT_NOT_WHERE.search(question.strip()) or (
            ONE_PLACE.search(question.strip()) and place_kind_of(question) is None)
        return None if one_fact else "where"
    # (a question asking whether it is known who or when wants who or when: "Ist festgelegt, wer das Thema
    # weitertreibt?")
    # (at a place, "Wurden in Bulmke-Hüllen Schrottimmobilien genannt?" asks whether the place says so; elsewhere
    # "Wurde Forderung 4 … erheblich erklärt?" is answered by the decision that did)
    if (YES_NO_QUESTION.search(question.strip()) and not ASKS_WHO_WITHIN.search(question)
            or (at_a_place and (VERB_FIRST.search(question.strip()) or PASSIVE_FIRST.search(question.strip()))
                and not NOT_YES_OR_NO.search(question))) and not EITHER_OR.search(question):
        return "yesno"
    return None


# Common German words that are no English or Turkish ones: a follow-up with two of them reads German ("Gibt es
# dazu mehr?"), whatever language the conversation had.
GERMAN_WORDS = frozenset(
    "und gibt es dazu mehr wie wer wo ist sind das die der den dem des ein eine einen noch auch nicht mit bei für "
    "über zu im vom zum zur sich dort da hier welche welcher welches wurde wurden werden hat haben davon dafür "
    "darüber wird kann können soll sollen gab steht stehen".split()
)


def reads_german(question: str) -> bool:
    """Whether a question reads German by its words: "und" first, or two common German words (not by umlauts,
    which the names of places have: "Peki Bulmke-Hüllen'de?")."""
    tokens = [word.casefold() for word in WORD.findall(question)]
    return tokens[:1] == ["und"] or sum(token in GERMAN_WORDS for token in tokens) >= 2


# Common words of other languages the people asking may write in (Spanish, French, Italian, Portuguese, Polish,
# Dutch, Romanian): a question of such words is written in a language, not keys mashed (see written_in_words).
OTHER_LANGUAGES_WORDS = frozenset(
    # (none that German uses too: "das", "da", "des", "es", "du", "los", "las", "per", "na", "met", "qual", "van")
    "que qué la el del en para por con una son hay cómo cuál cuánto cuántos dónde "
    "le les et est sont pour dans avec une qui quel quelle quels quelles comment pourquoi où "
    "il lo gli di della che sono è come perché dove quale quali "
    "os dos em como onde "
    "jest są jak jakie co gdzie dla się czy "
    "het een voor wat hoe waar welke "
    "și în cu pentru care ce cum unde".split()
)
OTHER_LANGUAGE_WORDS_NEEDED = 2


def written_in_words(question: str) -> bool:
    """Whether a question the corpus shares no word with is still words of a language (another script, or the
    common words of a European language: "¿Qué propuesta había en las tarjetas …?"), not keys mashed at random."""
    letters = [ch for ch in question if ch.isalpha()]
    if letters and sum(not ("a" <= ch.casefold() <= "z" or ch in "äöüßàâçéèêëîïôûùÿñáíóúãõąćęłńśźżăâîșț")
                       for ch in letters) >= len(letters) / 2:
        return True  # Arabic, Cyrillic, Greek … letters
    tokens = [word.casefold() for word in WORD.findall(question)]
    return sum(token in OTHER_LANGUAGES_WORDS for token in tokens) >= OTHER_LANGUAGE_WORDS_NEEDED


def language_of(question: str) -> str:
    """The question's language, as far as the answer's own words go: English or Turkish by their common words
    and letters, else German."""
    tokens = [word.casefold() for word in WORD.findall(question)]
    if not tokens:
        return "de"
    turkish = sum(token in TURKISH_WORDS for token in tokens) + 2 * sum(ch in "ğışİı" for ch in question)
    english = sum(token in ENGLISH_WORDS for token in tokens)
    # (more English than German common words: the names a question uses, "Bulmke-Hüllen", "Bürgerrunde", are
    # German in any language)
    german = sum(token in GERMAN_WORDS for token in tokens)
    if turkish >= 2 and turkish >= english:
        return "tr"
    if english >= 2 and english > german:
        return "en"
    return "de"


def _remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        # "Was läuft gut in der Altstadt?" is about "Was läuft gut?": the words that only led up to the
        # name go with it.
        head = PLACE_LEAD.sub("", text[:start])
        # A case ending after an apostrophe belongs to the name ("Schalke'de").
        text = head + " " + TURKISH_CASE.sub("", text[end:], count=1)
    return re.sub(r"\s+", " ", text).replace(" ?", "?").replace(" .", ".")


def _is_followup(query: Query, question: str, vocabulary: Vocabulary) -> bool:
    tokens = words(question)
    if not tokens:
        return False
    if tokens[0] in FOLLOWUP_OPENERS or _refers_back(question):
        return True
    if not (query.places or query.topics or query.documents or query.items) and \
            _stands_for_something(query, question, vocabulary):
        return True
    # So is a question of a few words asking only for a value ("Mit wie vielen Stimmen?", "Wann genau?"): of what was
    # asked before.
    if _asks_only_a_value(query, question):
        return True
    # A short question naming only an agenda entry ("Und der fünfte Tagesordnungspunkt?") is of the meeting before.
    if (query.entries or query.items) and len(tokens) <= FOLLOWUP_MAX_WORDS and not (
            query.documents or query.places or query.topics) and ORDINAL_ENTRY.search(question) is not None:
        return True
    # A short question that names only a place or a section leaves the rest to the conversation;
    # one with words of its own ("Wie findet man in X Wohnungen?") is a new question.
    if len(tokens) > FOLLOWUP_MAX_WORDS or query.topics or (query.places and query.sections):
        return False
    if not (query.places or query.sections):
        return False
    return not vocabulary.own_words(query)


def _asked_again(question: str, earlier: str) -> str | None:
    """The earlier question asked again, where a follow-up only changes its question word or its unit; else None."""
    if (bare := BARE_QUESTION_WORD.match(question)) and (before := LEADING_QUESTION_WORD.match(earlier)):
        # "Wo genau?" after "Wann trifft sich der Helferkreis?": "Wo trifft sich der Helferkreis?"
        asked = bare.group(1).casefold()
        if asked == before.group(2).casefold():
            return None  # ("Wann genau?" after "Wann …?" asks nothing new)
        if before.start(2) == 0:
            asked = asked[:1].upper() + asked[1:]
        return earlier[:before.start(2)] + asked + earlier[before.end(2):]
    if (per := PER_UNIT_ONLY.match(question)) and asked_value(earlier) is not None:
        # "Und pro Kilometer?" after "Was kostet das Car Sharing?" asks the earlier question per that unit
        return f"{earlier.rstrip(' ?？.!')} {per.group(1)}?"
    return None


def _asks_only_a_value(query: Query, question: str) -> bool:
    """Whether a question of a few words asks for a value and names nothing else: "Mit wie vielen Stimmen?" (its
    noun is the value's unit, not a matter of its own). Not a count: what "Wie viele Einrichtungen?" counts is what
    it asks about."""
    return len(words(question)) <= ELLIPTIC_WORDS and asked_value(question) not in (None, "count") and not (
        query.places or query.topics or query.documents or query.items)


def _names_again(query: Query, earlier: list[str], vocabulary: Vocabulary, with_article: bool = False) -> bool:
    """Whether the follow-up names a thing of the earlier question again, as it was or by the last part of its
    compound: "das Projekt" after "das Digitalisierungsprojekt", "die Anzeige" after "die Geschwindigkeitsanzeige"
    (with_article: only so, after a definite article, the way a new question does not name a new thing)."""
    before = [stem for word in earlier for stem in vocabulary.stems(word)]
    tokens = WORD.findall(query.content)
    matter = set(vocabulary.matter_words(query))
    nouns = [word for i, word in enumerate(tokens) if word in matter
             and (not with_article or (i and tokens[i - 1].casefold() in DEFINITE_ARTICLES))]
    return any(len(stem) >= COMPOUND_HEAD_LETTERS and any(other.endswith(stem) for other in before)
               for word in nouns for stem in vocabulary.stems(word))


DEFINITE_ARTICLES = frozenset("der die das dem den des the".split())


def _nouns(text: str) -> list[str]:
    """The words of a text written with a capital after its first (all of them where nothing is)."""
    tokens = WORD.findall(text)
    return tokens if text.islower() else [word for word in tokens[1:] if word[:1].isupper()]


def _stands_for_something(query: Query, question: str, vocabulary: Vocabulary) -> bool:
    """Whether a short question names nothing but a pronoun for it: "Lässt sich die irgendwie senken?", "Wer
    zahlt das?" (not "die" before a noun: "Was machen die Vereine?")."""
    tokens = WORD.findall(question)
    # (the first word is written with a capital whatever it is: "Lässt")
    nouns = [word for word in vocabulary.matter_words(query) if word != tokens[0]]
    return len(tokens) <= FOLLOWUP_MAX_WORDS and not nouns and any(token.casefold() in PRONOUNS for token in tokens[1:])


def _asks_only_for_a_section(query: Query, question: str, vocabulary: Vocabulary) -> bool:
    """A short question that asks for a section in other words (another language) and names nothing else: "What
    solutions were proposed?" after a question about a topic is about that topic."""
    # Six words when it names nothing of its own ("Wer hat in der Gruppe mitgearbeitet?"), five when it does
    # ("Welche Lösungsideen gibt es für Kitas?" is a new question).
    own = set(vocabulary.own_words(query))
    names = any(word[:1].isupper() and fold(word) in own and fold(word) not in FRAME_WORDS
                for word in WORD.findall(question)[1:])
    limit = FOLLOWUP_MAX_WORDS - 2 if names else FOLLOWUP_MAX_WORDS - 1
    return (bool(query.sections) and not (query.places or query.topics or query.documents or query.items)
            and len(words(question)) <= limit)


def _without_words(text: str, removed, flags: int = 0, marks: bool = False) -> str:
    """The text without those whole words (and, marks: without punctuation standing alone), white space folded."""
    for word in removed:
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", " ", text, flags=flags)
    if marks:
        text = re.sub(r"(?<!\w)[?!.,;:]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _words_of_its_own(query: Query, vocabulary: Vocabulary) -> bool:
    """Whether a question has words beyond the places and sections it names, the words that frame a question
    and stop words ("Und wie ist es in Heßler?" has none)."""
    return any(word not in FRAME_WORDS and not vocabulary._stopwords.is_stopword(word)
               for word in vocabulary.own_words(query))


def _asks_something_of_its_own(query: Query, vocabulary: Vocabulary) -> bool:
    """Whether a follow-up has a content word of its own, in any of the app's languages ("fehlt", "done"; not the
    "and" of "And in Schalke?")."""
    return any(word not in FRAME_WORDS and word not in FOLLOWUP_OPENERS and word not in ENGLISH_WORDS
               and word not in TURKISH_WORDS and not vocabulary._stopwords.is_stopword(word)
               for word in vocabulary.own_words(query))


def _closest_to_the_earlier_section(query: Query, previous: Query, vocabulary: Vocabulary) -> bool:
    """Whether, of the sections the places asked about have, a follow-up's words come closest to the one the
    earlier question asked for (by too little to name it: "Und was fehlt dort?" after "Welche Handlungsbedarfe
    gibt es in Bismarck?")."""
    places = query.local_places or previous.local_places
    available = vocabulary.sections_on(places) if places else set()
    return bool(available) and vocabulary.closest_field(query, available) in previous.sections


def _points_back(question: str, to_the_place: bool = True) -> bool:
    """Whether a question points back at what was asked before: "dazu", "davon", "diese Wahl", or "die"/"der"
    standing for it ("Welche Maßnahmen schlagen die vor?", "Wie erreiche ich die?"), not as an article before a noun.
    to_the_place False: words that point back at the place only ("dort", "there") do not count."""
    pointing = ANAPHORA - {"und", "and"} - (set() if to_the_place else PLACE_ANAPHORA)
    if any(token in pointing for token in words(question)) or _points_at_a_person(question) \
            or _demonstrative(question):
        return True
    tokens = WORD.findall(question)
    # ("mit den älteren Menschen": an article, a noun follows within two words)
    return any(token.casefold() in PRONOUNS and not any(word[:1].isupper() for word in tokens[i + 1:i + 3])
               for i, token in enumerate(tokens) if i > 0)


PRONOUNS = frozenset("die der das den dem denen".split())


def _refers_back(question: str) -> bool:
    """Whether a question has a word standing for something said before ("davon", "dort", "sie", "diese Wahl")."""
    return any(token in ANAPHORA - {"und", "and"} for token in words(question)) or _points_at_a_person(question) \
        or _demonstrative(question) or SUCH_A_THING.search(question) is not None


# "Ist das dort ein Problem?", "Is that a problem there?": the thing asked about before is the subject.
THAT_THING = re.compile(r"\b(?:ist|sind|war|wäre|wird|bleibt)\s+(?:das|dies|es)\b|\b(?:is|was)\s+(?:that|it|this)\b",
                        re.IGNORECASE)


# "Gibt es für so etwas schon ein Vorbild?": the kind of thing asked about before.
# (not where it goes on to say what: "so ein Projekt wie Kinder helfen Kindern", "so etwas wie ein Sprachcafé")
SUCH_A_THING = re.compile(r"(?:\bso\s*(?:etwas|was|ein|eine|einen|einem|einer)\b|\bsowas\b|\bsuch\s+(?:a|an)\b)"
                          r"(?!(?:\s+[\w-]+){0,3}\s+(?:wie|like|as)\b)"
                          r"|\bsomething\s+like\s+(?:that|this)\b", re.IGNORECASE)


def _demonstrative(question: str) -> bool:
    """Whether a question names something with "diese(r)": the one asked about before ("Wer hat diese Wahl
    geleitet?"). Not where it names a group, topic or board with an article or "diese(r)" (THE_SAME_FRAME: "in dieser
    Arbeitsgruppe" asks anew about the group of the earlier question), nor a time ("dieses Jahr")."""
    return DEMONSTRATIVE.search(question) is not None and THE_SAME_FRAME.search(question) is None


# (not before a time, "dieses Jahr", "in diesem Monat": the present, not what was asked about)
DEMONSTRATIVE = re.compile(r"\b(?:diese|dieser|dieses|diesem|diesen)\b(?!\s+(?:jahr|jahres|monat|monats|woche|tag|tages"
                           r"|abend|sommer|herbst|winter|frühling|frühjahr|zeitpunkt|zeit)\b)",
                           re.IGNORECASE)


def _points_at_the_place(question: str) -> bool:
    """Whether a question has a word standing for the place asked about before ("dort", "hier", "there"; not "da",
    which is also "since")."""
    return any(token in PLACE_ANAPHORA - {"da"} for token in words(question))


def _points_at_a_person(question: str) -> bool:
    """Whether a question speaks of someone named before ("Seit wann ist sie im Regierungsrat?")."""
    return any(token.casefold() in PERSON_ANAPHORA and not (i > 0 and token[:1].isupper())
               for i, token in enumerate(WORD.findall(question)))


def _inherit(query: Query, previous: Query, context: str, keep_sections: bool = True) -> Query:
    """The follow-up with what it takes from the earlier question (context: the earlier question's words the
    follow-up is read with; keep_sections: False when the follow-up asks for another section)."""
    inherited: list[str] = []
    places, sections, topics = query.places, query.sections, query.topics
    extra: list[str] = []
    if not places and previous.places:
        places = previous.places
        inherited.append("places")
        extra += [place.name for place in places]
    if not sections and previous.sections and keep_sections:
        sections = previous.sections
        inherited.append("sections")
        extra += list(sections)
    refers_back = _refers_back(query.question)
    if previous.topics and not query.places and (not topics or refers_back):
        # "Wer ist davon betroffen?": "davon" is the earlier topic, whatever the question's own words suggest.
        topics = previous.topics
        inherited.append("topics")
    text = query.question
    intent = query.intent
    # "Und in Feldmark?" after "Gibt es genug Kitaplätze in Schalke?": the same yes-or-no question of that place;
    # after "Wo gibt es Ärger mit Kriminalität?", whether that place speaks of it
    swaps_the_place = (intent is None and bool(query.places) and all(word in PLACE_SWAP_WORDS
                                                                     for word in words(query.content))
                       and (previous.intent == "yesno" and bool(previous.places)
                            or previous.intent == "where" and not previous.places))
    content, about = query.content, query.about
    if swaps_the_place:
        # (what it asks about is the earlier question's matter: "Kitaplätze")
        intent, content, about = "yesno", previous.content, previous.about
        inherited.append("intent")
    elif intent == "yesno" and previous.intent in ("yesno", "where") and THAT_THING.search(query.question) and all(
            ASKS_WHETHER_RAISED.fullmatch(word) for word in WORD.findall(query.content)[1:] if word[:1].isupper()):
        # "Ist das dort ein Problem?" after "Gibt es in Schalke-Nord einen Jugendtreff?": "das" is the Jugendtreff,
        # and whether it is a problem is asked of it (a noun of its own would be what it asks about instead)
        content, about = f"{previous.content} {query.content}", f"{previous.about} {query.about}"
        inherited.append("matter")
    if ("sections" in inherited and previous.places or swaps_the_place) and "places" not in inherited \
            and query.places:
        # "Und in Bismarck?": the earlier question with the place swapped reads best for the embedder.
        text = _swap_places(previous.text, previous.places, query.places)
    else:
        # What the earlier question was about is what the follow-up asks more of ("Wie viel Geld bräuchte man
        # dafür?", "Und welche Maßnahmen schlagen die vor?"), also in a protocol without numbered topics: for the
        # embedder and the lexical index alike.
        extra.append(context)
        text = " ".join([query.question, *extra])
    # "And in Bismarck?" is too short to tell its language by; it is the conversation's unless it reads German.
    language = query.language
    if language == "de" and previous.language != "de" and not reads_german(query.question):
        language = previous.language
    items = query.items
    if not items and previous.items and not query.places:
        items = previous.items  # "Wer hat dagegen gesprochen?" is about the same agenda item
        inherited.append("items")
    board_no = query.board_no
    if board_no is None and previous.board_no is not None and not query.places:
        board_no = previous.board_no  # "Und was steht auf derselben Tafel unter …?"
        inherited.append("board")
    documents = query.documents
    if not documents and previous.documents:
        documents = previous.documents  # "Und was wurde dort beschlossen?" stays at that meeting
        inherited.append("documents")
        # ("Was war der vierte Tagesordnungspunkt?" after a question about the Bürgerrunde in February 2019)
        items = frozenset(key for key in items if key[0] in documents)
    meeting_fact = query.meeting_fact
    if not meeting_fact and previous.meeting_fact and MEETING_FACT.search(query.question) and not query.places \
            and not names_another_meeting(query.question):  # ("Und wann ist die nächste?" is another meeting)
        meeting_fact = previous.meeting_fact  # "Und wann begann sie?" after a question about the conference's end
        inherited.append("meeting_fact")
    return replace(query, text=text, places=places, sections=sections, topics=topics, followup=True,
                   inherited=inherited, language=language, documents=documents, items=items,
                   meeting_fact=meeting_fact, board_no=board_no, intent=intent, content=content, about=about)


# The words of a follow-up that only swaps the place ("Und in Feldmark?", "Und wie ist es bei Heßler?", "And in
# Bismarck?", "Peki Bismarck'ta?"), folded.
PLACE_SWAP_WORDS = FOLLOWUP_OPENERS | frozenset(
    "in im bei fur aus mit dem der den die wie ist es sieht dort denn noch auch so at for about what how is it "
    "there te ta de da "
    # ("Welche davon sind in Schalke?" after a where-question: whether Schalke's boards name it)
    "welche welcher welches davon sind which of them are".split())


def _swap_places(text: str, old: list[Place], new: list[Place]) -> str:
    swapped = text
    for place in old:
        swapped = re.sub(re.escape(place.name), new[0].name, swapped, flags=re.IGNORECASE)
    if swapped == text:
        swapped = f"{text} {' '.join(place.name for place in new)}"
    return swapped


class LargeVocabulary(Vocabulary):
    """The vocabulary of a corpus above EXACT_SEARCH_LIMIT passages (the retriever then scores graph candidates):
    no set of terms per passage.

    A topic's specificity takes the lexical index's document frequencies (over the passages' embedded texts,
    context included) and analyses only the topic's own passages, when a question names the topic.
    """

    def __init__(self, passages: list[Passage], passage_index: LexicalIndex) -> None:
        super().__init__(passages, passage_index, terms_per_passage=False)
        self._passage_index = passage_index
        self._topic_position = {key: n for n, key in enumerate(self.topic_keys)}
        self._members: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i, key in enumerate(self._passage_topics):
            if key is not None:
                self._members[key].append(i)

    def _specificity(self, text: str, key: tuple[str, int]) -> float:
        analyzer = self._topic_index.analyzer
        title_terms = set(analyzer.analyze(self.topic_texts[self._topic_position[key]]))
        own = [set(self._passage_index.analyzer.analyze(embedding_text(self._passages[i]))) for i in self._members[key]]
        best = 0.0
        for term in set(analyzer.analyze_query(text)) & title_terms:
            using = self._passage_index.document_frequency(term)
            if using:
                best = max(best, sum(term in terms for terms in own) / using)
        return best

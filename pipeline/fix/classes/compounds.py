"""Split compounds: nouns written apart that Danish writes as one word.

English writes a noun modifying a noun as two words (*customer service*); Danish joins them,
often with a joint *s* or *e* (*kundeservice*, *forsikringsselskab*, *barnevogn*). Machine
translation keeps the English gap, and that is the commonest damage it does to Danish.

The class is defined by structure, not by words: two or more nouns in a row (the last may carry
a hyphenated tail, *service-afdelingen*), the first an indefinite singular, whose joined form,
with or without a joint, is a Danish word. A joined form the dictionary or the analyser lists
is enough; one only Hunspell's compounding accepts needs both words to be nothing but nouns
(*data viser* is data showing, not *dataviser*). Names (a capital inside the sentence),
genitives, measure words (*en kop kaffe*) and a noun before a name (an apposition or a title,
*træner Ståle*) are left alone.

Rule id ``compound.split``; the suggestion is the joined form.
"""

from __future__ import annotations

from pipeline.fix.classes.tools import ClassFlag, ClassTools, Token, plain, tokenise

RULE_ID = "compound.split"
REASON = (
    "Nouns written apart that Danish writes as one word: English writes “customer service”, "
    "Danish “kundeservice”."
)

# A first noun that measures or counts the second is no compound (en kop kaffe, to liter
# mælk), nor a noun of time before a time of day (mandag morgen).
MEASURES = frozenset(
    """kop kopper glas flaske flasker dåse dåser pakke pakker pose poser skål skåle stykke
    stykker liter kilo gram meter procent gang gange par antal række masse del dele halvdel
    mængde slags type form portion portioner spand kasse kasser bunke sæk tons ton kubikmeter
    kvadratmeter grad grader time timer minut minutter sekund sekunder dag dage uge uger
    måned måneder år døgn aften morgen nat eftermiddag formiddag middag mandag tirsdag onsdag
    torsdag fredag lørdag søndag halvdelen resten flertal mindretal gruppe grupper flok
    flokke hektar stk styk dusin snes hob håndfuld serie bølge januar februar marts april maj
    juni juli august september oktober november december sommer vinter forår efterår jul
    påske weekend""".split()
)
# Readings that make a word more than a noun: a preposition, adverb, pronoun, conjunction,
# adjective or number (*for*, *under*, *alt*, *lige*, *venstre*) is read as that first.
NOT_NOUN = frozenset({"pr", "adv", "prn", "det", "cnjcoo", "cnjsub", "cnjadv", "num", "adj",
                      "ij", "preadv", "part"})
# A second word read as a function word (bil lige, regler for) is read so.
FUNCTION_WORD = frozenset({"pr", "prn", "det", "cnjcoo", "cnjsub", "cnjadv", "num", "ij",
                           "preadv", "part"})
# Fixed phrases that end in a noun and are read as a whole (som regel problemer: as a rule).
FIXED = frozenset({("som", "regel"), ("til", "tider"), ("i", "tide"), ("til", "fods"),
                   ("af", "sted"), ("i", "stand"), ("til", "stede"), ("for", "tiden")})
# Words before a noun phrase: after one, two nouns in a row may be two objects (yder hans
# talent retfærdighed), so only a joined form the dictionary or analyser lists is flagged.
DETERMINERS = frozenset(
    """en et den det de min mit mine din dit dine sin sit sine hans hendes dens dets vores
    vor vort vore jeres deres denne dette disse nogen noget nogle ingen intet hver hvert
    enhver ethvert al alt alle samme""".split()
)
JOINTS = ("", "s", "e")
MIN_PART = 3


def _head_noun(tools: ClassTools, word: str) -> bool:
    """An indefinite singular noun, not a genitive (the form that starts a compound), and
    nothing but a noun or an imperative (a verb before a noun is a verb and its object:
    *rejse penge*)."""
    readings = plain(tools.readings(word))
    return any(
        r.pos == "n" and "sg" in r.tags and "ind" in r.tags and "gen" not in r.tags
        for r in readings
    ) and all(r.pos == "n" or "imp" in r.tags for r in readings)


def _tail_noun(tools: ClassTools, word: str, definite: bool) -> bool:
    """A noun, not a genitive, with no reading of a word class read before a noun; an
    indefinite one unless ``definite`` is allowed."""
    readings = plain(tools.readings(word))
    return any(
        r.pos == "n" and "gen" not in r.tags and (definite or "def" not in r.tags)
        for r in readings
    ) and not any(r.pos in FUNCTION_WORD for r in readings)


def _only_noun(tools: ClassTools, word: str) -> bool:
    """Every reading a noun (an imperative aside: *pris* is also *prise!*)."""
    readings = [r for r in plain(tools.readings(word)) if "imp" not in r.tags]
    return bool(readings) and all(r.pos == "n" for r in readings)


def _listed(tools: ClassTools, joined: str) -> bool:
    """The analyser lists ``joined`` as a noun, or the dictionary lists it as a word and the
    analyser does not know it (billige is an adjective, not bil + lige)."""
    readings = plain(tools.readings(joined))
    if readings:
        return any(r.pos == "n" for r in readings)
    return tools.lexicon.is_word(joined)


def _genitive_phrase(tools: ClassTools, before: str, head: str) -> bool:
    """A head with a joint -s- that is a genitive: of a measure (tre timers kørsel, en dags
    produktion), or after *en*/*et* of its own gender (*en dags*; but *en tals person* is a
    split *talsperson*: *en* goes with *person*)."""
    bare = head[:-1]
    if bare in MEASURES:
        return True
    if before not in ("en", "et"):
        return False
    gender = "ut" if before == "en" else "nt"
    return any(r.pos == "n" and gender in r.tags for r in plain(tools.readings(bare)))


def join_candidates(head: str, tail: str) -> list[str]:
    """The ways two words join: as they are, with the joint *s*, with the joint *e*.

    >>> join_candidates("pris", "sammenligning")
    ['prissammenligning', 'prisssammenligning', 'prisesammenligning']
    >>> join_candidates("kunde", "service-afdelingen")
    ['kundeservice-afdelingen', 'kundesservice-afdelingen']
    """
    joints = [j for j in JOINTS if not (j == "e" and head.endswith("e"))]
    return [head + joint + tail for joint in joints]


def _joined(tools: ClassTools, head: str, tail: str, strict: bool) -> str | None:
    """The joined form of ``head`` + ``tail`` that is Danish, or ``None``. A hyphenated
    tail is judged by its first part (*kunde service-afdelingen*: *kundeservice*)."""
    first, hyphen, rest = tail.partition("-")
    for candidate in join_candidates(head, first):
        if _listed(tools, candidate) or (not strict and tools.lexicon.is_compound(candidate)):
            return candidate + hyphen + rest
    return None


def _starts(text: str, token: Token) -> bool:
    return not text[: token.start].strip(" \t»«\"“”„'–-(")


def _candidate(text: str, tokens: list[Token], i: int) -> bool:
    """Token ``i`` and the next are two words in a row that could be a split compound."""
    a, b = tokens[i], tokens[i + 1]
    if text[a.end : b.start] != " " or len(a.text) < MIN_PART or len(b.text) < MIN_PART:
        return False
    if not b.text.islower() or a.lower in MEASURES or b.lower in MEASURES:
        return False
    if not a.text.islower() and not (a.text[1:].islower() and _starts(text, a)):
        return False  # a name (a capital inside the sentence) or an acronym
    after = tokens[i + 2] if i + 2 < len(tokens) else None
    if after is not None and after.text[:1].isupper() and text[b.end : after.start] == " ":
        return False  # a title or an apposition before a name (fodboldtræner Ståle)
    return "'" not in a.text and "’" not in a.text


def check_split_compounds(text: str, tools: ClassTools) -> list[ClassFlag]:
    """Flag nouns in a row whose joined form is Danish; suggest the joined form.

    >>> from pipeline.fix.classes import default_tools
    >>> tools = default_tools()
    >>> text = "Ring til vores kunde service i dag."
    >>> [(text[f.start:f.end], f.suggestion) for f in check_split_compounds(text, tools)]
    [('kunde service', 'kundeservice')]
    >>> check_split_compounds("Data viser, at folk køber en kop kaffe.", tools)
    []
    """
    if tools.analyser is None:
        return []
    tokens = tokenise(text)
    if len(tokens) < 2:
        return []
    words = {t.text for t in tokens} | {t.lower for t in tokens}
    tools.analyse(words)
    found: list[ClassFlag] = []
    i = 0
    while i < len(tokens) - 1:
        if not _candidate(text, tokens, i):
            i += 1
            continue
        a, b = tokens[i], tokens[i + 1]
        head, tail = a.lower, b.lower
        first_tail = tail.partition("-")[0]
        # A head with its joint -s- written apart (fremgangs måde) reads as a genitive: only
        # the joined form the dictionary or the analyser lists counts then.
        joint = head.endswith("s") and len(head) > 3 and _head_noun(tools, head[:-1])
        if not ((_head_noun(tools, head) or joint)
                and _tail_noun(tools, first_tail, definite=True)):
            i += 1
            continue
        # Only a joined form the dictionary or analyser lists, unless both words are nothing
        # but nouns and the second is indefinite (kontooplysninger: Hunspell's compounding).
        before = tokens[i - 1].lower if i else ""
        if (before, head) in FIXED or (joint and _genitive_phrase(tools, before, head)):
            i += 1
            continue
        strict = joint or before in DETERMINERS or not (
            _only_noun(tools, head) and _only_noun(tools, first_tail)
            and _tail_noun(tools, first_tail, definite=False))
        tools.analyse({c for c in join_candidates(head, tail.partition("-")[0])})
        joined = _joined(tools, head, tail, strict)
        if joined is None:
            i += 1
            continue
        last = i + 1
        # A longer run: bruger konto oplysninger (the joined form takes the next noun too).
        while last + 1 < len(tokens) and "-" not in joined and _candidate(text, tokens, last):
            nxt = tokens[last + 1].lower
            if not _only_noun(tools, nxt.partition("-")[0]):
                break
            longer = _joined(tools, joined, nxt, strict=False)
            if longer is None:
                break
            joined, last = longer, last + 1
        if a.text[0].isupper():
            joined = joined[0].upper() + joined[1:]
        found.append(ClassFlag(RULE_ID, a.start, tokens[last].end, REASON, joined))
        i = last + 1
    return found

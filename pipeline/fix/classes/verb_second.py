"""Verb second: the finite verb of a Danish main clause comes second, after whatever is fronted.

English puts the subject before the verb whatever comes first (*Today he went*); Danish
inverts (*I dag gik han*). Machine translation keeps the English order: *I dag han gik*. The
check looks for a main clause that opens with a fronted adverbial (an adverb, a preposition
with its object, or a time expression: *Derfor*, *På Twitter*, *Mandag aften*), then a subject
pronoun, then a finite verb. A fronted subordinate clause (*Nu han er her, kan vi gå*) is told
apart by the comma and the finite verb that follow it; conjunctions, subordinators and focus
adverbs (*Kun han ved det*) never open such a clause.

Rule id ``grammar.verb_second``; the suggestion is the verb before the subject.
"""

from __future__ import annotations

from pipeline.fix.classes.tools import ClassFlag, ClassTools, Token, plain, tokenise

RULE_ID = "grammar.verb_second"
REASON = (
    "Subject before the verb after a fronted adverbial, as English orders it: in a Danish main "
    "clause the verb comes second (I dag gik han)."
)
SUBJECTS = frozenset("jeg du han hun vi de man".split())
# Words that open a clause without being a fronted adverbial of a main clause.
NOT_FRONTED = frozenset(
    """og men eller for så samt både enten hverken kun bare blot netop også ikke heller især
    selv jo nemlig da når nu hvis om at fordi selvom skønt mens idet siden efter før inden
    indtil til end uden som hvor hvad hvem hvorfor hvordan hvornår hvilken hvilket hvilke
    ja nej tja jamen altså""".split()
) | SUBJECTS
TIME_WORDS = frozenset(
    """mandag tirsdag onsdag torsdag fredag lørdag søndag sidste næste forrige samme hele
    januar februar marts april maj juni juli august september oktober november december
    morgen aften nat eftermiddag formiddag uge år måned weekend sommer vinter forår efterår
    dag""".split()
)
# Parts of speech inside a fronted prepositional phrase before its subject.
PHRASE_POS = frozenset({"n", "np", "adj", "det", "num", "prn"})


def _readings(tools: ClassTools, token: Token) -> list[str]:
    return [r.pos for r in plain(tools.readings(token.lower))]


def _finite(tools: ClassTools, token: Token) -> bool:
    readings = plain(tools.readings(token.lower))
    return bool(readings) and all(
        r.pos.startswith("vb") and bool({"pres", "past"} & set(r.tags)) for r in readings
    )


def _fronted_end(text: str, tokens: list[Token], tools: ClassTools) -> int | None:
    """The index of the first token after the fronted adverbial, or ``None``."""
    first = tokens[0]
    if first.lower in NOT_FRONTED or text[: first.start].strip(" »«\"“„–-"):
        return None
    pos = _readings(tools, first)
    if pos and all(p == "adv" for p in pos):
        return 1
    if first.lower in TIME_WORDS:
        end = 1
        while end < len(tokens) and end < 3 and tokens[end].lower in TIME_WORDS:
            end += 1
        return end
    if "pr" in pos:
        end = 1
        while end < len(tokens) and end <= 4:
            token = tokens[end]
            if token.lower in SUBJECTS and end > 1:
                return end
            if text[tokens[end - 1].end : token.start].strip(" 0123456789.'’"):
                return None  # a comma or a bracket
            token_pos = _readings(tools, token) or (["np"] if token.text[:1].isupper() else [])
            if not token_pos or not set(token_pos) & PHRASE_POS:
                return None
            end += 1
    return None


def check_verb_second(text: str, tools: ClassTools) -> list[ClassFlag]:
    """Flag *fronted adverbial + subject pronoun + finite verb* in a main clause.

    >>> from pipeline.fix.classes import default_tools
    >>> tools = default_tools()
    >>> [f.suggestion for f in check_verb_second("I dag han gik en tur i skoven.", tools)]
    ['gik han']
    >>> [f.suggestion for f in check_verb_second("Derfor vi har valgt en ny plan.", tools)]
    ['har vi']
    >>> check_verb_second("I dag gik han en tur, og nu han er her, kan vi gå.", tools)
    []
    """
    if tools.analyser is None:
        return []
    tokens = tokenise(text)
    if len(tokens) < 3:
        return []
    tools.analyse({t.lower for t in tokens[:8]})
    end = _fronted_end(text, tokens, tools)
    if end is None or end + 1 >= len(tokens):
        return []
    subject, verb = tokens[end], tokens[end + 1]
    if subject.lower not in SUBJECTS or not subject.text.islower():
        return []
    if text[tokens[end - 1].end : subject.start].strip(" 0123456789.'’") or (
        text[subject.end : verb.start] != " " or not _finite(tools, verb)
    ):
        return []
    # A fronted subordinate clause (Nu han er her, kan vi gå) ends in a comma and a verb.
    for i in range(end + 2, len(tokens)):
        if "," in text[tokens[i - 1].end : tokens[i].start] and _finite(tools, tokens[i]):
            return []
    return [ClassFlag(RULE_ID, subject.start, verb.end, REASON, f"{verb.text} {subject.text}")]

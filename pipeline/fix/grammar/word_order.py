"""Word order: English order in a subordinate clause (*når præcisionen er ikke*) and in an
indirect question (*se hvorfor spiser min hund*), a preposition and *hvilket* before a verb
(*i hvilket betyder*), a question opened by *Først* and a verb, and the English comma after
an introductory phrase (*Ifølge rapporten, er salget steget*)."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.fix.grammar.core import Context, Finding, is_finite_verb, is_preposition
from pipeline.fix.grammar.core import plain_readings as _plain

SENTENCE_ADVERBS = frozenset(
    "ikke gerne altid aldrig også kun jo vel nok heller allerede stadig egentlig faktisk".split()
)
SUBORDINATORS = frozenset("at når fordi hvis selvom om da mens skønt idet".split())
SUBJECT_PRONOUNS = frozenset("jeg du han hun den det vi i de man der nogen ingen".split())
ENUMERATING_ADVERBS = frozenset("først dernæst derefter endelig sidst".split())


def _subject_end(ctx: Context, i: int) -> int | None:
    """Index of the last token of a short subject starting at token ``i``, or None."""
    if i >= len(ctx.tokens):
        return None
    if ctx.tokens[i].lower in SUBJECT_PRONOUNS:
        return i
    j = i
    while j < len(ctx.tokens) and j < i + 4:
        readings = _plain(ctx.readings(j))
        if not readings or is_finite_verb(readings):
            return None
        if any(r.pos in ("n", "np") for r in readings) and not any(
            r.pos == "det" for r in readings
        ):
            return j
        if not all(r.pos in ("det", "adj", "num") for r in readings):
            return None
        j += 1
    return None


def adverb_placement(ctx: Context) -> Iterator[Finding]:
    """Sentence adverb after the verb in a subordinate clause (English word order).

    In a Danish subordinate clause *ikke*, *altid*, *aldrig*, *også*, *kun*, *gerne* … come
    before the finite verb: *når præcisionen ikke er*, *fordi han ikke kunne*. Flags with the
    reordered words as suggestion.
    """
    tokens = ctx.tokens
    for i, token in enumerate(tokens[:-3]):
        if token.lower not in SUBORDINATORS or not any(r.pos == "cnjsub" for r in ctx.readings(i)):
            continue
        if i > 0 and token.lower in ("da", "om") and not ctx.between(i - 1, i).strip():
            continue  # "lige da", "om" as a preposition is handled by the subject test
        end = _subject_end(ctx, i + 1)
        if end is None or end + 2 >= len(tokens):
            continue
        verb, adverb = end + 1, end + 2
        if tokens[adverb].lower not in SENTENCE_ADVERBS:
            continue
        if not is_finite_verb(ctx.readings(verb)):
            continue
        if ctx.between(end, verb) != " " or ctx.between(verb, adverb) != " ":
            continue
        suggestion = f"{tokens[adverb].text} {tokens[verb].text}"
        yield Finding(
            "grammar.adverb_placement", tokens[verb].start, tokens[adverb].end, suggestion
        )


def embedded_question_order(ctx: Context) -> Iterator[Finding]:
    """Main-clause word order in an indirect question (*se hvorfor spiser min hund*).

    After a question word inside a sentence, Danish puts the subject before the verb: *se,
    hvorfor min hund spiser*. Flags.
    """
    tokens = ctx.tokens
    if ctx.text.rstrip().endswith("?"):
        return
    for i in range(1, len(tokens) - 2):
        if tokens[i].lower not in ("hvorfor", "hvordan", "hvornår"):
            continue
        gap = ctx.between(i - 1, i)
        if any(c in gap for c in ":;«»\"“”'(") or tokens[i - 1].lower in ("og", "men", "eller"):
            continue
        if not is_finite_verb(ctx.readings(i + 1), only=False):
            continue
        subject = tokens[i + 2].lower
        if subject in SUBJECT_PRONOUNS - {"der"} or subject in (
            "min",
            "din",
            "sin",
            "hans",
            "hendes",
            "vores",
            "jeres",
            "deres",
        ):
            yield Finding("grammar.embedded_question_order", tokens[i].start, tokens[i + 2].end)


def preposition_relative(ctx: Context) -> Iterator[Finding]:
    """A preposition and *hvilket/hvilken* straight before a verb (*i hvilket betyder*).

    A calque of English *in which* with no subject: the clause needs one, or a different
    construction. Flags.
    """
    tokens = ctx.tokens
    for i in range(1, len(tokens) - 1):
        if tokens[i].lower not in ("hvilket", "hvilken", "hvilke"):
            continue
        if is_preposition(ctx.readings(i - 1)) and is_finite_verb(ctx.readings(i + 1), only=True):
            yield Finding("grammar.preposition_relative", tokens[i - 1].start, tokens[i + 1].end)


def enumeration_question(ctx: Context) -> Iterator[Finding]:
    """A question opened by *Først*, *Dernæst* … and a verb (English *First, is it …?*).

    Danish writes *For det første: Er det …?*. Flags.
    """
    tokens = ctx.tokens
    if len(tokens) < 3 or not ctx.text.rstrip().endswith("?"):
        return
    if (
        tokens[0].lower in ENUMERATING_ADVERBS
        and is_finite_verb(ctx.readings(1), only=True)
        and tokens[2].lower in SUBJECT_PRONOUNS
    ):
        yield Finding(
            "grammar.enumeration_question",
            tokens[0].start,
            tokens[2].end,
            "For det første: " + tokens[1].text.capitalize() + " " + tokens[2].text,
        )


def intro_comma(ctx: Context) -> Iterator[Finding]:
    """English comma after an introductory phrase (*Ifølge rapporten, er salget steget*).

    Danish puts no comma between an introductory adverbial and the verb that follows it;
    a comma after a subordinate clause (*Når han kommer, er vi klar*) is right and is left
    alone. Flags; suggests dropping the comma.
    """
    tokens = ctx.tokens
    comma = ctx.text.find(",")
    if comma < 0 or not tokens or not is_preposition(ctx.readings(0)):
        return
    if any(r.pos in ("cnjsub", "cnjcoo") for r in ctx.readings(0)):
        return
    before = [i for i, t in enumerate(tokens) if t.end <= comma]
    after = [i for i, t in enumerate(tokens) if t.start > comma]
    if not before or len(before) > 6 or not after or len(after) < 2:
        return
    if any(is_finite_verb(ctx.readings(i)) for i in before):
        return
    verb = after[0]
    if ctx.text[comma + 1 : tokens[verb].start] != " " or not is_finite_verb(
        ctx.readings(verb), only=True
    ):
        return
    if not _subject_end(ctx, verb + 1):
        return
    yield Finding("grammar.intro_comma", comma, comma + 1, "")

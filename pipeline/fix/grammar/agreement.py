"""Agreement and definiteness: double definiteness (*den tyktarmen*), article and noun of
different genders (*et bil*), and *Det* for a common-gender noun the previous sentence was
about (English *it*)."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.fix.grammar.core import (
    Checker,
    Context,
    Finding,
    is_determiner,
    is_finite_verb,
    maybe_adjective,
    noun_genders,
    only_definite_noun,
    only_noun,
    tokenize,
)
from pipeline.fix.grammar.core import plain_readings as _plain
from pipeline.text.lexicon import Lexicon

# Verbs "Det" goes with when it refers to the situation, not to a noun (Det betyder, at …).
SITUATION_VERBS = frozenset(
    """betyde vise kræve give gøre handle ske gælde tage lyde virke se komme blive være have
    regne sne blæse lykkes hjælpe koste passe nytte dreje afhænge fremgå følge stå ligge
    tyde skyldes mangle undre glæde ærgre overraske svare minde ligne""".split()
)


def double_definite(ctx: Context) -> Iterator[Finding]:
    """Double definiteness: a determiner before a definite noun with no adjective between.

    In Danish a noun with a determiner takes no definite ending (*den tyktarm*), and a definite
    noun takes no determiner (*tyktarmen*). Flags; suggests the noun alone.
    """
    for i in range(len(ctx.tokens) - 1):
        word = ctx.tokens[i].lower
        if word not in ("den", "det", "de") or ctx.between(i, i + 1) != " ":
            continue
        noun = ctx.readings(i + 1)
        if not only_definite_noun(noun):
            continue
        genders = noun_genders(noun, definite=True)
        plural = all("pl" in r.tags for r in _plain(noun))
        if (
            (word == "den" and "ut" in genders)
            or (word == "det" and "nt" in genders)
            or (word == "de" and plural)
        ):
            yield Finding(
                "grammar.double_definite",
                ctx.tokens[i].start,
                ctx.tokens[i + 1].end,
                ctx.tokens[i + 1].text,
            )


def gender_agreement(ctx: Context) -> Iterator[Finding]:
    """Article and noun disagree in gender: “et” with a common-gender noun, “en” with a neuter one.

    Looks at *en/et* + (adjectives) + noun, and at *den/det* + adjective + noun (or at the start
    of a sentence, *den/det* + noun), where the noun has readings of one gender only. Flags.
    """
    articles = {"en": "ut", "et": "nt", "den": "ut", "det": "nt"}
    for i, token in enumerate(ctx.tokens[:-1]):
        gender = articles.get(token.lower)
        if gender is None or not is_determiner(ctx.readings(i)):
            continue
        letter = _letter_after(ctx, i)
        if letter is not None:
            if gender == "ut":  # letters are neuter: et U, det store S
                right = {"en": "et", "den": "det"}[token.lower]
                right = right.capitalize() if token.text[0].isupper() else right
                end = ctx.tokens[letter].end
                yield Finding(
                    "grammar.gender_agreement", token.start, end, right + ctx.text[token.end : end]
                )
            continue
        j = i + 1
        while (
            j < len(ctx.tokens) - 1
            and maybe_adjective(ctx.readings(j))
            and not only_noun(ctx.readings(j))
            and ctx.between(j - 1, j) == " "
            and any(r.pos == "n" for r in ctx.readings(j + 1))
        ):
            j += 1
        if ctx.between(j - 1, j) != " ":
            continue
        adjectives = j - i - 1
        if token.lower in ("den", "det") and adjectives == 0 and i > 0:
            continue  # "kalder det succes": a pronoun, not an article
        noun = ctx.readings(j)
        if not only_noun(noun) or (ctx.tokens[j].text[0].isupper() and j > 0 and adjectives):
            continue
        if ctx.text[ctx.tokens[j].end : ctx.tokens[j].end + 1] in ("-", "/"):
            continue  # a suspended compound or a pair: "et cd- eller dvd-aftryk"
        genders = noun_genders(noun, definite=False if token.lower in ("en", "et") else None)
        if not genders or gender in genders:
            continue
        if _takes_gender(ctx.checker.lexicon, ctx.tokens[j].lower, gender):
            continue  # the dictionary knows a definite form of that gender (en fond: fonden)
        if adjectives == 0 and token.lower in ("den", "det") and noun_genders(noun, True):
            continue  # double definiteness, flagged by its own rule
        plural = all("pl" in r.tags for r in _plain(noun) if r.pos == "n")
        right = {"en": "et", "et": "en", "den": "det", "det": "den"}[token.lower]
        if plural and token.lower in ("den", "det"):
            right = "de"
        if token.text[0].isupper():
            right = right.capitalize()
        yield Finding(
            "grammar.gender_agreement",
            token.start,
            ctx.tokens[j].end,
            right + ctx.text[token.end : ctx.tokens[j].end],
        )


def _letter_after(ctx: Context, i: int) -> int | None:
    """Index of a capital letter standing as a noun after token ``i`` (*en opadvendt U*)."""
    for k in (i + 1, i + 2):
        if k >= len(ctx.tokens) or ctx.between(k - 1, k) != " ":
            return None
        word = ctx.tokens[k].text
        if len(word) == 1 and word.isupper():
            follows = ctx.text[ctx.tokens[k].end : ctx.tokens[k].end + 1]
            return None if follows in ("-", "/") else k
        readings = ctx.readings(k)
        if k == i + 2 or (readings and not maybe_adjective(readings)):
            return None  # one adjective may stand between (an unknown word too: opadvendt)
    return None


def _takes_gender(lexicon: Lexicon, noun: str, gender: str) -> bool:
    """The dictionary has the noun's definite form for ``gender`` (*fonden*, *modulet*): a
    second opinion where the analyser knows only one gender of a noun that has both."""
    if lexicon.hunspell is None:
        return False
    endings = ("en", "n") if gender == "ut" else ("et", "t")
    forms = [noun + e for e in endings if noun.endswith("e") == (len(e) == 1)]
    return any(
        a.stem.lower() == noun  # the noun's own form, not a verb's (skovet is from skove)
        for form in forms
        for a in lexicon.hunspell.analyse(form)
        if a.surface == form
    )


def pronoun_gender(ctx: Context) -> Iterator[Finding]:
    """*Det* for a common-gender noun the previous sentence was about (English *it*).

    When the previous sentence's subject is a common-gender noun (*Den tværgående tyktarm
    …*), *it* is *den*: *Den ligger …*, not *Det ligger …*. *Det* for a situation (*Det
    betyder, at …*) is left alone. Flags.
    """
    previous = ctx.previous
    tokens = ctx.tokens
    if previous is None or len(tokens) < 3 or tokens[0].text != "Det":
        return
    verb = ctx.readings(1)
    if not is_finite_verb(verb, only=True):
        return
    lemmas = {r.lemma.lower() for r in verb}
    if lemmas & {"være", "blive"}:
        if not any(r.has("vblex", "pp") for r in ctx.readings(2)):
            return
    elif lemmas & SITUATION_VERBS or tokens[2].lower in ("at", "om", "sig"):
        return
    if previous == "ut":
        yield Finding("grammar.pronoun_gender", tokens[0].start, tokens[0].end, "Den")


def subject_gender(checker: Checker, text: str) -> str | None:
    """Gender of a sentence-initial noun subject (*Den tværgående tyktarm strækker …*); after a
    label (*Tyktarm: Den tværgående tyktarm strækker …*) the part after the colon counts."""
    if ": " in text:
        text = text.rsplit(": ", 1)[1]
    tokens = tokenize(text)[:5]
    assert checker.analyser is not None
    for index, token in enumerate(tokens):
        readings = _plain(checker.analyser.readings(token.text))
        if not readings:
            return None
        if only_noun(readings):
            genders = noun_genders(readings)
            following = tokens[index + 1].text if index + 1 < len(tokens) else ""
            if (
                len(genders) == 1
                and all("sg" in r.tags for r in readings)
                and following
                and (is_finite_verb(checker.analyser.readings(following)))
            ):
                return genders.pop()
            return None
        if not (any(r.pos == "det" for r in readings) or maybe_adjective(readings)):
            return None
    return None

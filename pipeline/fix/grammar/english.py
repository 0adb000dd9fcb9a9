"""English left in the Danish text, found by the dictionaries and word frequencies rather than
from a list: an English word no Danish dictionary knows (*vertebrater*, *Colon Cancer*),
unless it is a name, a loanword, quoted, glossed in parentheses, named as a term or used as
one throughout the article."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.fix.grammar.core import QUOTE_MARKS, Checker, Context, Finding, Token, zipf
from pipeline.fix.grammar.core import plain_readings as _plain
from pipeline.fix.phrases import overlaps


def _danish_enough(checker: Checker, word: str) -> bool:
    """Danish for the English test: common in Danish, or known to both the dictionary and the
    analyser, or known to one of them and attested in Danish at all (``wordfreq``)."""
    lower = word.lower()
    if lower in checker.loanwords:
        return True
    danish = zipf(lower, "da")
    dictionary = checker.lexicon.knows(word)
    analysed = checker.analyser is not None and bool(
        _plain(checker.analyser.readings(word)) or _plain(checker.analyser.readings(lower))
    )
    if danish >= 2.5 and (dictionary or analysed):
        return True
    if dictionary and (analysed or checker.analyser is None):
        return True
    return (dictionary or analysed) and danish > 0


_ARTICLES = frozenset("en et den det de min din sin vores jeres deres".split())
_DANISH_ENDINGS = ("erne", "ene", "er", "en", "et", "e", "s")


def english_word(checker: Checker, word: str, capitalised_mid: bool) -> bool:
    """An English word, not Danish, no name, no loanword (see :func:`english_left_in`)."""
    lower = word.lower()
    if len(lower) < 3 or not lower.isalpha() or lower in checker.loanwords:
        return False
    english, danish = zipf(lower, "en"), zipf(lower, "da")
    threshold = 3.5 if capitalised_mid else 3.0
    if english >= threshold and english > danish:
        return not _danish_enough(checker, word)
    return False


def english_stem(checker: Checker, word: str) -> bool:
    """An English noun with a Danish ending (*vertebrater*): unknown, and its stem English."""
    lower = word.lower()
    if (
        len(lower) < 6
        or word[0].isupper()
        or zipf(lower, "da") > 0
        or _danish_enough(checker, word)
    ):
        return False
    for ending in _DANISH_ENDINGS:
        if lower.endswith(ending) and len(lower) - len(ending) >= 4:
            stem = lower[: -len(ending)]
            if stem in checker.loanwords:
                return False
            for form in (stem, stem + "s", stem + "e", stem + "es"):
                if zipf(form, "en") >= 2.5 and zipf(form, "da") == 0:
                    return True
    return False


def english_left_in(ctx: Context) -> Iterator[Finding]:
    """English left in the Danish text (found by the dictionaries, not from a list).

    A word that neither the Danish dictionary nor the analyser knows, that is common in
    English (``wordfreq``), no name and no established loanword (``data/loanwords.txt``);
    neighbouring English words make one span. Flags.
    """
    checker = ctx.checker
    tokens = ctx.tokens
    marks = []
    cache = checker.english_cache
    for i, token in enumerate(tokens):
        word = token.text
        mid = i > 0 and word[0].isupper()
        if cache.get((word, mid)) is False:
            marks.append(False)  # not English whatever the context (most words)
            continue
        if (ctx.protected and overlaps(token.start, token.end, ctx.protected)) or any(
            c.isdigit() for c in word
        ):
            marks.append(False)
            continue
        if mid and (
            tokens[i - 1].lower not in _ARTICLES
            or ctx.between(i - 1, i) != " "
            or checker.lexicon.cased_forms(word.lower())
        ):
            # A capitalised word inside a sentence is a name, unless an article makes it a
            # common noun (en Vet); English runs still take it in (Colon Cancer).
            marks.append(False)
            continue
        if (
            word.isupper()
            or any(c.isupper() for c in word[1:])
            or "-" in word
            or _code_like(ctx, token)
        ):
            marks.append(False)
            continue
        key = (word, mid)
        english = checker.english_cache.get(key)
        if english is None:
            english = english_word(checker, word, mid) or english_stem(checker, word)
            checker.english_cache[key] = english
        marks.append(english)
    # A capitalised run of English words among Danish ones (Colon Cancer) is English when
    # one of them is; a lone capitalised word next to another capitalised word is a name.
    i = 0
    while i < len(tokens):
        if not marks[i]:
            i += 1
            continue
        j = i
        while (
            j + 1 < len(tokens)
            and ctx.between(j, j + 1).strip() in ("", "-")
            and (
                marks[j + 1]
                or (
                    zipf(tokens[j + 1].lower, "en") >= 4.0
                    and zipf(tokens[j + 1].lower, "en") > zipf(tokens[j + 1].lower, "da")
                )
            )
        ):
            j += 1
        k = i
        while (
            k - 1 >= 0
            and ctx.between(k - 1, k).strip() in ("", "-")
            and (
                zipf(tokens[k - 1].lower, "en") >= 4.0
                and zipf(tokens[k - 1].lower, "en") > zipf(tokens[k - 1].lower, "da") + 1
                and not _danish_enough(checker, tokens[k - 1].text)
            )
        ):
            k -= 1
        words = " ".join(t.text for t in tokens[k : j + 1])
        if (
            not _is_name_run(ctx, k, j)
            and not _quoted(ctx.text, tokens[k].start, tokens[j].end)
            and not (k == j and _lone_term(ctx, tokens[k]))
            and not _in_parentheses(ctx.text, tokens[k].start, tokens[j].end)
            and not (k == j and _named(tokens, k))
        ):
            yield Finding(
                "english.left_in",
                tokens[k].start,
                tokens[j].end,
                reason=f"English left in the Danish text ({words}).",
            )
        i = j + 1


# Words that introduce a term as a term: *det såkaldte churn*, *kaldes for churn*.
_NAMING_CUES = frozenset(
    "såkaldt såkaldte kaldes kaldet kalder hedder betegnelsen begrebet udtrykket ordet".split()
)


def _named(tokens: list[Token], first: int) -> bool:
    """A naming word stands at most four words before a lone English word: the term is
    mentioned, not left in (*Fænomenet kaldes i branchen for churn*)."""
    return any(t.lower in _NAMING_CUES for t in tokens[max(first - 4, 0) : first])


def _in_parentheses(text: str, start: int, end: int) -> bool:
    """The words stand inside parentheses: a gloss, the original term (*partitioner (physical
    volumes)*), not a word left in.

    >>> _in_parentheses("skillerummet (tip, ring, sleeve) her", 20, 31)
    True
    """
    opened = text.rfind("(", 0, start)
    return opened >= 0 and text.rfind(")", opened, start) < 0 and ")" in text[end:]


def _lone_term(ctx: Context, token: Token) -> bool:
    """A lone English word that the article uses as a term, in three or more sentences
    (*issue*, *firmwaren* in a help text): the writer's choice, not a word left in."""
    return token.lower in ctx.article.terms


def _code_like(ctx: Context, token: Token) -> bool:
    """The word touches a path, an option or a file name (mirror/suite, Fil.txt)."""
    before = ctx.text[token.start - 1 : token.start] if token.start else ""
    after = ctx.text[token.end : token.end + 1]
    return (
        before in ("/", "=", "_", ".", "-", "$", "<")
        or after in ("/", "=", "_", "(", "[", "<")
        or (after == "." and ctx.text[token.end + 1 : token.end + 2].isalnum())
    )


def _quoted(text: str, start: int, end: int) -> bool:
    """The words stand in quotation marks of their own: mentioned, not used."""
    before = text[:start].rstrip()[-1:]
    after = text[end:].lstrip()[:1]
    return (
        bool(before)
        and before in QUOTE_MARKS + "‘’'"
        and bool(after)
        and after in QUOTE_MARKS + "‘’'"
    )


def _is_name_run(ctx: Context, first: int, last: int) -> bool:
    """Capitalised words next to the run make it part of a name (Cow Path Lane, Apple Computer)."""
    tokens = ctx.tokens
    run = tokens[first : last + 1]
    capitals = [t for t in run if t.text[0].isupper()]
    if (
        first > 0
        and capitals
        and tokens[first - 1].text[0].isupper()
        and ctx.between(first - 1, first) == " "
    ):
        return True
    if (
        last + 1 < len(tokens)
        and capitals
        and tokens[last + 1].text[0].isupper()
        and ctx.between(last, last + 1) == " "
    ):
        return len(run) < 2
    # Several capitalised words in the middle of a sentence: a title or a name.
    return len(capitals) >= 3 and first > 0

"""Words from the wrong language or in the wrong sense: Norwegian leaking into the Danish
text (*tykktarmen*, *ikkje*), and the false friends of ``data/false_friends.tsv``."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.fix.grammar.core import Checker, Context, Finding, zipf
from pipeline.fix.grammar.core import plain_readings as _plain
from pipeline.fix.phrases import overlaps


def _danish(checker: Checker, word: str) -> bool:
    lower = word.lower()
    if checker.lexicon.knows(word) or lower in checker.loanwords:
        return True
    if checker.analyser is not None:
        return bool(
            _plain(checker.analyser.readings(word)) or _plain(checker.analyser.readings(lower))
        )
    return False


def norwegian_leakage(ctx: Context) -> Iterator[Finding]:
    """A Norwegian word in the Danish text (*tykktarmen*, *ikkje*).

    The word is unknown to the Danish dictionary and analyser but known to the Norwegian
    analyser; the suggestion is the Danish form from Apertium's Norwegian–Danish dictionary.
    Flags.
    """
    checker = ctx.checker
    assert checker.analyser is not None
    unknown = [
        t
        for i, t in enumerate(ctx.tokens)
        if len(t.text) >= 4
        and t.text.isalpha()
        and not (i > 0 and t.text[0].isupper())
        and not t.text.isupper()
        and zipf(t.lower, "en") < 3.0
        and not _danish(checker, t.text)
        and not overlaps(t.start, t.end, ctx.protected)
    ]
    if not unknown:
        return
    norwegian = checker.analyser.norwegian_readings([t.text for t in unknown])
    found = {}
    for token in unknown:
        readings = _plain(norwegian[token.text])
        if readings and not any(r.pos == "np" for r in readings):
            found[token.text] = readings[0]
    forms = checker.analyser.danish_forms(found) if found else {}
    for token in unknown:
        if token.text in found:
            form = forms.get(token.text)
            if form and token.text[0].isupper():
                form = form[0].upper() + form[1:]
            if form and form.lower() == token.text.lower():
                continue
            yield Finding("leakage.norwegian", token.start, token.end, form)


def false_friends(ctx: Context) -> Iterator[Finding]:
    """False friends and word-sense errors from ``data/false_friends.tsv`` (with a context cue)."""
    prefilter = ctx.checker.false_friend_prefilter
    if prefilter is not None and prefilter.search(ctx.text) is None:
        return
    for row in ctx.checker.false_friends:
        for match in row.wrong.finditer(ctx.text):
            if row.cue is not None and not row.cue.search(ctx.text):
                continue
            yield Finding(
                f"sense.{row.row_id}", match.start(), match.end(), row.right, reason=row.reason
            )

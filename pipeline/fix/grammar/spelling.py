"""Spelling: which unknown-word flags of the fix stage stand (not a compound, not one of the
article's terms, not explained by a more specific flag), and the dictionary word one edit
away that is suggested for them (*tygker* → *tygger*)."""

from __future__ import annotations

from functools import lru_cache

from pipeline.document import Sentence
from pipeline.fix.grammar.core import ArticleContext, Checker, zipf
from pipeline.fix.grammar.core import plain_readings as _plain
from pipeline.text.lexicon import Lexicon

SPELLING_REASON = "Unknown word; the dictionary's nearest word is suggested."


def tidy_unknown_words(sentence: Sentence, checker: Checker, article: ArticleContext) -> None:
    """Drop unknown-word flags the analyser or a more specific flag explains; suggest spellings."""
    specific = [f for f in sentence.flags if f.rule_id.startswith(("english.", "leakage."))]
    kept = []
    for flag in sentence.flags:
        if flag.rule_id == "fix.unknown_word":
            word = sentence.text[flag.start : flag.end]
            if any(f.start <= flag.start and flag.end <= f.end for f in specific):
                continue
            if checker.analyser is not None and _plain(checker.analyser.readings(word.lower())):
                continue
            if checker.compound(word.lower()) or word.lower() in article.terms:
                continue  # a compound, or a term the article uses again and again
            if flag.suggestion is None:
                flag.suggestion = suggest_spelling(checker.lexicon, word)
        kept.append(flag)
    sentence.flags[:] = kept


_ALPHABET = "abcdefghijklmnopqrstuvwxyzæøå"
# Letters machine translation and typists confuse (voiced and voiceless, vowel neighbours).
_SOUND_PAIRS = frozenset(frozenset(pair) for pair in "gk bp dt vf sz ck ie eæ oå øy uo aæ".split())


def _similar_sounds(word: str, candidate: str) -> bool:
    """The candidate differs from the word by swapping two letters that sound alike."""
    if len(word) != len(candidate):
        return False
    diff = [(a, b) for a, b in zip(word, candidate, strict=True) if a != b]
    return len(diff) == 1 and frozenset(diff[0]) in _SOUND_PAIRS


@lru_cache(maxsize=1)
def danish_wordlist() -> frozenset[str]:
    """The words of ``wordfreq``'s Danish list: a word of letters has a Danish Zipf frequency
    above 0 exactly when it is in the list, and a set lookup is far cheaper than asking."""
    try:
        from wordfreq import get_frequency_dict
    except ImportError:  # pragma: no cover - wordfreq is a base dependency
        return frozenset()
    return frozenset(get_frequency_dict("da"))


def suggest_spelling(lexicon: Lexicon, word: str) -> str | None:
    """The most frequent dictionary word one edit away (tygker → tygger), keeping the casing.

    >>> from pipeline.text.lexicon import Names
    >>> suggest_spelling(Lexicon(None, Names({}, frozenset())), "tygker") is None
    True
    """
    if lexicon.hunspell is None or len(word) < 4:
        return None
    lower = word.lower()
    splits = [(lower[:i], lower[i:]) for i in range(len(lower) + 1)]
    candidates = {a + b[1:] for a, b in splits if b}
    candidates |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    candidates |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    candidates |= {a + c + b for a, b in splits for c in _ALPHABET}
    candidates.discard(lower)
    # wordfreq's Danish list first: a cheap filter before the dictionary's slower analysis.
    listed = danish_wordlist()
    known = [
        c
        for c in candidates
        if (c in listed or _similar_sounds(lower, c)) and lexicon.is_word(c)
    ]
    if not known:
        return None
    best = max(known, key=lambda c: (_similar_sounds(lower, c), zipf(c, "da"), c))
    return best[0].upper() + best[1:] if word[0].isupper() else best

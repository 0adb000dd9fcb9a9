"""What every grammar check works with: the tokens of a sentence, the findings, the context a
rule looks at (:class:`Context`, with the article's :class:`ArticleContext`), the loaded
:class:`Checker` and its tables (``data/false_friends.tsv``, ``data/loanwords.txt``), word
frequencies, and the predicates over the analyser's readings.

The checker is loaded once and never changes afterwards (its caches only remember answers
that depend on the word alone); what one article needs is made per call
(:class:`ArticleContext`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from pipeline.document import Sentence
from pipeline.fix.analyser import Analyser, Reading
from pipeline.fix.phrases import BACKREFERENCE
from pipeline.text.lexicon import Lexicon

STAGE = "fix"
FALSE_FRIENDS_FILE = "false_friends.tsv"
LOANWORDS_FILE = "loanwords.txt"
# Longer "words" (a hex string, a run of one letter) are never taken apart as compounds: the
# possible parts of a word grow with the square of its length.
LONGEST_COMPOUND = 60

WORD = re.compile(r"[^\W_](?:[\w]|[-'’](?=\w))*")
MONTHS = (
    "januar februar marts april maj juni juli august september oktober november december"
).split()
# Quotation marks (a quote of its own, a quotation over several paragraphs).
QUOTE_MARKS = '»«”“„"›‹'


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    lower: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lower", self.text.lower())


@dataclass
class Finding:
    """What a rule found: a span, and either a replacement (an edit) or a suggestion (a flag)."""

    rule_id: str
    start: int
    end: int
    suggestion: str | None = None
    replace: bool = False
    reason: str | None = None  # overrides the rule's reason (table rows)


@dataclass(frozen=True)
class FalseFriend:
    """One row of ``data/false_friends.tsv``."""

    row_id: str
    english: str
    wrong: re.Pattern[str]
    right: str
    cue: re.Pattern[str] | None
    note: str

    @property
    def reason(self) -> str:
        return f"Likely a mistranslation of English “{self.english}”: in Danish say “{self.right}”."


def load_false_friends(path: Path) -> list[FalseFriend]:
    """Read the false-friend table (id, english, wrong, right, cue, note; tab-separated)."""
    from pipeline.errors import RuleTableError

    rows: list[FalseFriend] = []
    if not path.exists():
        return rows
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 6:
            raise RuleTableError(str(path), number, f"expected 6 columns, found {len(parts)}")
        row_id, english, wrong, right, cue, note = (p.strip() for p in parts)
        try:
            wrong_re = re.compile(rf"(?<!\w)(?:{wrong})(?!\w)", re.IGNORECASE)
            cue_re = re.compile(cue, re.IGNORECASE) if cue else None
        except re.error as error:
            raise RuleTableError(str(path), number, f"bad pattern: {error}") from error
        rows.append(FalseFriend(row_id, english, wrong_re, right, cue_re, note))
    return rows


def load_loanwords(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    words = (line.split("#", 1)[0].strip().lower() for line in path.read_text("utf-8").splitlines())
    return frozenset(w for w in words if w)


@lru_cache(maxsize=200_000)
def zipf(word: str, lang: str) -> float:
    """Zipf frequency of a lower-case word (0 where ``wordfreq`` is not installed)."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a base dependency
        return 0.0
    return float(zipf_frequency(word, lang))


@dataclass(frozen=True)
class ArticleContext:
    """What the rules need to know about the article being checked, made per
    :func:`~pipeline.fix.grammar.check_article` call (never kept on the checker)."""

    # Lower-case words the article writes with a capital inside sentences, and how often.
    capitalised_mid: Mapping[str, int] = field(default_factory=dict)
    terms: frozenset[str] = frozenset()  # words the article uses in three or more sentences
    disabled: frozenset[str] = frozenset()  # rule ids or families not to run

    def enabled(self, rule_id: str) -> bool:
        return rule_id not in self.disabled and rule_id.split(".")[0] not in self.disabled


@dataclass(frozen=True)
class Context:
    """What the rules look at for one sentence."""

    sentence: Sentence
    tokens: list[Token]
    checker: Checker
    article: ArticleContext
    protected: list[tuple[int, int]] = field(default_factory=list)
    first: bool = True  # the sentence starts a paragraph
    previous: str | None = None  # gender of the previous sentence's noun subject
    seen: str = ""  # the text the tokens were taken from

    @property
    def text(self) -> str:
        return self.sentence.text

    def readings(self, index: int) -> list[Reading]:
        assert self.checker.analyser is not None
        return self.checker.analyser.readings(self.tokens[index].text)

    def between(self, i: int, j: int) -> str:
        """The text between token ``i`` and token ``j``."""
        return self.text[self.tokens[i].end : self.tokens[j].start]


# ---------------------------------------------------------------------------------------------
# Reading predicates


def plain_readings(readings: list[Reading]) -> list[Reading]:
    """The readings of a word standing alone (not only as part of a compound)."""
    return [r for r in readings if "compound-only-L" not in r.tags and "cmp" not in r.tags]


_plain = plain_readings


def is_determiner(readings: list[Reading]) -> bool:
    return any(r.pos == "det" for r in readings)


def noun_genders(readings: list[Reading], definite: bool | None = None) -> set[str]:
    """Genders (``ut``/``nt``) of the noun readings (definite or not, as asked)."""
    genders = set()
    for r in _plain(readings):
        if r.pos != "n":
            continue
        if definite is not None and ("def" if definite else "ind") not in r.tags:
            continue
        genders |= {t for t in r.tags if t in ("ut", "nt")}
    return genders


def only_noun(readings: list[Reading]) -> bool:
    """Read as a noun only, leaving out imperatives (*bil* is also *bile!*), which cannot
    follow a determiner or stand as a subject."""
    plain = [r for r in _plain(readings) if "imp" not in r.tags]
    return bool(plain) and all(r.pos == "n" for r in plain)


def maybe_adjective(readings: list[Reading]) -> bool:
    return any(r.pos == "adj" for r in _plain(readings))


def only_definite_noun(readings: list[Reading]) -> bool:
    plain = _plain(readings)
    return bool(plain) and all(r.pos == "n" and "def" in r.tags for r in plain)


def is_finite_verb(readings: list[Reading], only: bool = False) -> bool:
    verbs = [
        r for r in _plain(readings) if r.pos.startswith("vb") and ({"pres", "past"} & set(r.tags))
    ]
    if only:
        return bool(verbs) and len(verbs) == len(_plain(readings))
    return bool(verbs)


def is_preposition(readings: list[Reading]) -> bool:
    return any(r.pos == "pr" for r in readings)


@dataclass(frozen=True)
class Checker:
    """Everything the rules need, loaded once (see :func:`pipeline.fix.stage.load_fix_rules`)
    and never changed afterwards; its caches remember answers that depend on a word alone."""

    lexicon: Lexicon
    analyser: Analyser | None
    false_friends: tuple[FalseFriend, ...]
    loanwords: frozenset[str]
    tables: Mapping[str, Path] = field(default_factory=dict)
    _compounds: dict[tuple[str, int], bool] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    english_cache: dict[tuple[str, bool], bool] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Words prefetch_words has asked the analyser about.
    prefetched: set[str] = field(default_factory=set, init=False, repr=False, compare=False)

    @cached_property
    def false_friend_prefilter(self) -> re.Pattern[str] | None:
        """One regex that matches where any false-friend row's wrong form does (None: no
        shortcut, every row is tried)."""
        rows = self.false_friends
        if not rows or any(BACKREFERENCE.search(row.wrong.pattern) for row in rows):
            return None
        try:
            return re.compile("|".join(f"(?:{row.wrong.pattern})" for row in rows), re.IGNORECASE)
        except re.error:
            return None

    def compound(self, lower: str, depth: int = 0) -> bool:
        """A compound of Danish nouns or adjectives, with or without a linking -s- or -e-
        (*elafgift*, *kilowatttime*), looser than Hunspell's compound rules: the head is a
        noun or adjective, the tail a noun or adjective of at least three letters."""
        cached = self._compounds.get((lower, depth))
        if cached is not None:
            return cached
        found = False
        if depth < 3 and 5 <= len(lower) <= LONGEST_COMPOUND:
            for cut in range(2, len(lower) - 2):
                head, tail = lower[:cut], lower[cut:]
                if not self._part(tail, head=False) and not self.compound(tail, depth + 1):
                    continue
                if self._part(head, head=True) or (
                    head[-1] in "se" and len(head) > 3 and self._part(head[:-1], head=True)
                ):
                    found = True
                    break
        self._compounds[(lower, depth)] = found
        return found

    def compound_part(self, lower: str) -> bool:
        """A noun or adjective of four letters or more that can end a compound."""
        return len(lower) >= 4 and self._part(lower, head=False)

    def _part(self, lower: str, head: bool) -> bool:
        """A noun or adjective that can start (``head``) or end a compound."""
        if self.analyser is None:
            return len(lower) >= 4 and self.lexicon.is_word(lower)
        readings = self.analyser.readings(lower)
        if not head:
            readings = _plain(readings)
        return any(r.pos in ("n", "adj") and "comp" not in r.tags for r in readings)


def tokenize(text: str) -> list[Token]:
    return list(_cached_tokens(text))


@lru_cache(maxsize=4096)
def _cached_tokens(text: str) -> tuple[Token, ...]:
    """The words of a sentence; an article asks for them several times."""
    return tuple(Token(m.group(0), m.start(), m.end()) for m in WORD.finditer(text))


PREFETCHED_MAX = 500_000  # word forms remembered as asked about, before starting over


def prefetch_words(checker: Checker, analyser: Analyser, sentences: list[Sentence]) -> None:
    """Ask the analysers about the whole article in a few batches: every word, and for the
    words unknown to both dictionaries their Norwegian readings and their possible compound
    parts (so that no rule starts ``lt-proc`` for one word). Words already asked about are
    skipped (the fix stage asks first, the grammar checks again after its edits)."""
    done = checker.prefetched
    if len(done) > PREFETCHED_MAX:
        done.clear()
    words = {t.text for s in sentences for t in tokenize(s.text)} - done
    done.update(words)
    if not words:
        return
    analyser.analyse(words | {w.lower() for w in words})
    unknown = {
        w
        for w in words
        if w.isalpha()
        and not _plain(analyser.readings(w))
        and not _plain(analyser.readings(w.lower()))
        and not checker.lexicon.is_word(w.lower())
    }
    if not unknown:
        return
    analyser.norwegian_readings(sorted(unknown))
    parts: set[str] = set()
    for word in unknown:
        lower = word.lower()
        if len(lower) > LONGEST_COMPOUND:  # never a compound (and its parts grow as n²)
            continue
        parts.update(
            lower[i:j] for i in range(len(lower) - 1) for j in range(i + 2, len(lower) + 1)
        )
    analyser.analyse(parts)


def article_terms(sentences: list[Sentence]) -> frozenset[str]:
    """Lower-case words found in at least three different sentences: the article's terms."""
    counts: dict[str, int] = {}
    for text in {sentence.text for sentence in sentences}:
        for lower in {token.lower for token in tokenize(text)}:
            counts[lower] = counts.get(lower, 0) + 1
    return frozenset(w for w, count in counts.items() if count >= 3)

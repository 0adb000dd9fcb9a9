"""Construction calques: English constructions rendered word for word in Danish.

Machine translation keeps an English construction and translates its words: *take advantage
of* becomes *tage fordel af* (Danish: *udnytte*), *on a daily basis* becomes *på en daglig
basis* (*dagligt*), *make sense* becomes *lave mening* (*give mening*). Each is wrong in every
context, whatever the topic, so one general table covers the class: ``data/calques.tsv``,
written from knowledge of English→Danish translation. A row's literal Danish is matched on the
sentence's words; a verb, noun or adjective in its dictionary form also matches its inflected
forms (by the analyser's lemmas: *tog et kig på* matches *tage et kig på*), and the slots
``POSS`` (a possessive), ``REFL`` (a reflexive) and ``*`` (any word) stand for the words that
vary.

Rule ids ``calque.ID`` (the row's id); the reason names the English construction, the
suggestion is the idiomatic Danish.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import RuleTableError
from pipeline.fix.classes.tools import ClassFlag, ClassTools, Token, plain, tokenise

CALQUES_FILE = "calques.tsv"
POSSESSIVES = frozenset(
    "min mit mine din dit dine sin sit sine hans hendes dens dets vores vor vort vore jeres "
    "deres".split()
)
REFLEXIVES = frozenset("mig dig sig os jer".split())
SLOTS = {"POSS": POSSESSIVES, "REFL": REFLEXIVES}
ANY = "*"
# Parts of speech whose words match by lemma (function words match only as written).
CONTENT = frozenset({"vblex", "vbmod", "vbser", "vbhaver", "n", "adj"})


@dataclass(frozen=True)
class Calque:
    """One row of the table; ``phrases`` are the literal renderings, each a list of word
    alternatives (``frozenset({"*"})`` for any word)."""

    row_id: str
    english: str
    phrases: tuple[tuple[frozenset[str], ...], ...]
    idiomatic: str
    inject: str

    @property
    def rule_id(self) -> str:
        return f"calque.{self.row_id}"

    @property
    def reason(self) -> str:
        return (f"Calque of the English construction “{self.english}”: Danish says "
                f"“{self.idiomatic}”.")


def parse_phrase(phrase: str) -> tuple[frozenset[str], ...]:
    """One literal rendering as word alternatives.

    >>> [sorted(w) for w in parse_phrase("adressere problem/udfordring POSS")][:2]
    [['adressere'], ['problem', 'udfordring']]
    """
    words = []
    for word in phrase.split():
        if word in SLOTS:
            words.append(SLOTS[word])
        elif word == ANY:
            words.append(frozenset({ANY}))
        else:
            words.append(frozenset(w.lower() for w in word.split("/") if w))
    return tuple(words)


def load_calques(path: Path) -> list[Calque]:
    """Read ``data/calques.tsv`` (see its header); a broken row is a :class:`RuleTableError`."""
    rows: list[Calque] = []
    if not path.exists():
        return rows
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("id\t"):
            continue
        parts = line.split("\t")
        if len(parts) != 5:
            raise RuleTableError(str(path), number, f"expected 5 columns, found {len(parts)}")
        row_id, english, literal, idiomatic, inject = (p.strip() for p in parts)
        if row_id in seen:
            raise RuleTableError(str(path), number, f"id {row_id!r} used twice")
        seen.add(row_id)
        phrases = tuple(parse_phrase(p) for p in literal.split(" ; ") if p.strip())
        if not phrases or not all(any(ANY not in w for w in p) for p in phrases):
            raise RuleTableError(str(path), number, "a rendering needs at least one word")
        rows.append(Calque(row_id, english, phrases, idiomatic, inject))
    return rows


@dataclass
class CalqueIndex:
    """The rows by the first word of each rendering that is no slot: ``(row, phrase, offset
    of that word)``, so that a sentence is tried only where a rendering can start."""

    rows: list[Calque]
    by_word: dict[str, list[tuple[Calque, tuple[frozenset[str], ...], int]]]

    @classmethod
    def build(cls, rows: list[Calque]) -> CalqueIndex:
        by_word: dict[str, list[tuple[Calque, tuple[frozenset[str], ...], int]]] = {}
        for row in rows:
            for phrase in row.phrases:
                offset = _key_position(phrase)
                for word in phrase[offset]:
                    by_word.setdefault(word, []).append((row, phrase, offset))
        return cls(rows, by_word)


def _key_position(phrase: tuple[frozenset[str], ...]) -> int:
    """The position a rendering is looked up by: its most telling word, the one whose
    shortest alternative is longest (``daglig`` in *på en daglig basis*, not ``på``), so that
    a sentence's common little words do not try every row that starts with them.

    >>> _key_position(parse_phrase("på en daglig basis"))
    2
    """
    words = [i for i, w in enumerate(phrase) if ANY not in w and w not in SLOTS.values()]
    return max(words, key=lambda i: (min(len(w) for w in phrase[i]), -i))


def calque_index(tools: ClassTools) -> CalqueIndex:
    """The table of ``tools.data_dir``, read and indexed once per tools."""
    index = tools.cache.get("calques")
    if not isinstance(index, CalqueIndex):
        index = CalqueIndex.build(load_calques(tools.data_dir / CALQUES_FILE))
        tools.cache["calques"] = index
    return index


def word_keys(tools: ClassTools, word: str) -> frozenset[str]:
    """What a word matches in the table: itself and the lemmas of its content readings.

    >>> from pipeline.fix.classes import default_tools
    >>> sorted(word_keys(default_tools(), "tog"))  # a train, or took (or toge!)
    ['tage', 'tog', 'toge']
    """
    cache = tools.cache.setdefault("calque_keys", {})
    assert isinstance(cache, dict)
    keys = cache.get(word)
    if keys is None:
        lower = word.lower()
        lemmas = {r.lemma.lower() for r in plain(tools.readings(lower)) if r.pos in CONTENT}
        keys = cache[word] = frozenset({lower} | lemmas)
    return keys


def _matches(text: str, tokens: list[Token], keys: list[frozenset[str]], start: int,
             phrase: tuple[frozenset[str], ...]) -> bool:
    if start < 0 or start + len(phrase) > len(tokens):
        return False
    for k, alternatives in enumerate(phrase):
        i = start + k
        if k and text[tokens[i - 1].end : tokens[i].start].strip():
            return False  # a comma or a bracket between the words
        if ANY in alternatives:
            continue
        if not alternatives & keys[i]:
            return False
    return True


def check_calques(text: str, tools: ClassTools) -> list[ClassFlag]:
    """Flag the table's renderings in one sentence; suggest the idiomatic Danish.

    >>> from pipeline.fix.classes import default_tools
    >>> tools = default_tools()
    >>> [(f.rule_id, f.suggestion) for f in check_calques(
    ...     "Vi tog et kig på tallene, og det gjorde ingen mening.", tools)]
    [('calque.take_a_look', 'se på, kigge på'), ('calque.make_sense', 'give mening')]
    >>> check_calques("Vi tog et blik på tallene, og det gav mening.", tools)
    []
    """
    index = calque_index(tools)
    if not index.rows:
        return []
    tokens = tokenise(text)
    if len(tokens) < 2:
        return []
    tools.analyse({t.lower for t in tokens})
    keys = [word_keys(tools, t.text) for t in tokens]
    found: list[tuple[int, int, Calque]] = []  # (first token, last token, row)
    for i in range(len(tokens)):
        for key in keys[i]:
            for row, phrase, offset in index.by_word.get(key, ()):
                start = i - offset
                if _matches(text, tokens, keys, start, phrase):
                    found.append((start, start + len(phrase) - 1, row))
    return [_flag(text, tokens, first, last, row) for first, last, row in _disjoint(found)]


def _disjoint(found: Iterable[tuple[int, int, Calque]]) -> list[tuple[int, int, Calque]]:
    """The longest match wherever matches overlap (the first found among equals)."""
    kept: list[tuple[int, int, Calque]] = []
    for first, last, row in sorted(found, key=lambda m: (m[0] - m[1], m[0])):
        if all(last < a or first > b for a, b, _ in kept):
            kept.append((first, last, row))
    return sorted(kept, key=lambda m: m[0])


def _flag(text: str, tokens: list[Token], first: int, last: int, row: Calque) -> ClassFlag:
    suggestion = row.idiomatic
    if tokens[first].text[:1].isupper() and not text[: tokens[first].start].strip(" »«\"“„-–"):
        suggestion = suggestion[:1].upper() + suggestion[1:]
    return ClassFlag(row.rule_id, tokens[first].start, tokens[last].end, row.reason, suggestion)


def rule_reasons(tools: ClassTools) -> list[tuple[str, str]]:
    """``(rule_id, reason)`` of every row of the table."""
    return [(row.rule_id, row.reason) for row in calque_index(tools).rows]

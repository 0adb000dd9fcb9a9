"""The Danish lexicon the fix stage works from: which words exist, and how names are cased.

Two sources, combined at load time and kept in memory:

* the Danish Hunspell dictionary (Debian ``hunspell-da``), read directly: its stems carry their
  casing (``YouTube``, ``LinkedIn``, ``iPhone``, ``København``) and its suffix rules give the
  inflected forms (``YouTubes``, ``kunderne``). A spell checker cannot check Danish casing,
  because compounding accepts ``københavn``; so this module analyses words itself: *is this a
  Danish word as written in lower case* (stem plus suffixes, no compounding) is a different
  question from *could it be a compound* (:meth:`Lexicon.is_compound`).
* ``data/names.txt``: names and brands with their casing, one per line, which take priority,
  and ``!word`` lines for lower-case words that must never be changed.

Without the dictionary the stage still runs on ``data/names.txt`` alone;
:func:`dictionary_notice` is the line that says so (the commands show it, nothing here prints).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.errors import RuleTableError

DICTIONARY_PATHS = (
    Path("/usr/share/hunspell/da_DK.dic"),
    Path("/usr/share/myspell/da_DK.dic"),
    Path("/usr/share/myspell/dicts/da_DK.dic"),
)

# Hunspell flags of the Danish dictionary (its .aff file names them; these are the defaults).
_FORBIDDEN = "6"
_NEED_AFFIX = "8"
_COMPOUND_BEGIN = "32"
_COMPOUND_MIDDLE = "33"
_COMPOUND_END = "34"
_ONLY_IN_COMPOUND = "36"
_MAX_PARTS = 5  # a compound has at most four heads and a tail
_PLACE = "54"  # takes the prefixes Nord-, Syd-, Øst-, Vest- (Nordjylland): a place name
_MAX_DEPTH = 3  # suffix levels: hunspell's twofold suffixes plus the empty "flag" suffixes
# Inner analyses remembered across words (the inflections of one stem share them); the memo
# starts over past this many, so a long run or a hostile input cannot grow it without end.
MEMO_MAX = 200_000

@dataclass(frozen=True)
class _Suffix:
    flag: str
    strip: str
    add: str
    condition: re.Pattern[str] | None
    contflags: frozenset[str]

    def fits(self, surface: str) -> bool:
        return self.condition is None or self.condition.search(surface) is not None


@dataclass(frozen=True)
class Analysis:
    """A word form traced back to its dictionary stem."""

    stem: str
    surface: str  # the form with the stem's casing (``YouTubes`` for ``youtubes``)
    flags: frozenset[str]  # flags of the form itself (for continuation and compounding)


@dataclass
class Hunspell:
    """A read-only Hunspell dictionary with suffix analysis (no prefixes, no suggestions)."""

    path: Path
    stems: dict[str, list[tuple[str, frozenset[str]]]]  # lower-case stem -> (stem, flags)
    suffixes: dict[str, list[_Suffix]]  # by the text they add
    flags: dict[str, str] = field(default_factory=dict)
    max_add: int = 0
    longest: int = 0  # no longer word has an analysis (see __post_init__)

    def __post_init__(self) -> None:
        self.max_add = max((len(add) for add in self.suffixes), default=0)
        # Each suffix level adds at most max_add letters to a stem: a longer word cannot be
        # analysed, and is answered at once (a 200 KB "word" must not be taken apart).
        self.longest = max(map(len, self.stems), default=0) + _MAX_DEPTH * self.max_add
        # Rules by (added text, a flag they pass on): an inner suffix must pass on the flag of
        # the suffix outside it, so the search looks only at those.
        self._continuing: dict[tuple[str, str], list[_Suffix]] = {}
        for add, rules in self.suffixes.items():
            for rule in rules:
                for flag in rule.contflags:
                    self._continuing.setdefault((add, flag), []).append(rule)
        self._analyse = lru_cache(maxsize=200_000)(self._analyse_uncached)
        self._memo: dict[tuple[str, str | None, int], list[Analysis]] = {}

    def analyse(self, lower: str) -> tuple[Analysis, ...]:
        """Every way ``lower`` (a lower-case word) is a stem plus suffixes.

        Forms that exist only inside compounds are included; see :meth:`words`.
        """
        if len(lower) > self.longest:
            return ()  # not remembered either: the caches hold words of bounded length
        return self._analyse(lower)

    def _analyse_uncached(self, lower: str) -> tuple[Analysis, ...]:
        if len(self._memo) > MEMO_MAX:
            self._memo.clear()
        return tuple(self._derive(lower, None, 0))

    def _derive(self, word: str, required: str | None, depth: int) -> list[Analysis]:
        key = (word, required, depth)
        cached = self._memo.get(key)
        if cached is None:
            cached = self._memo[key] = self._derive_uncached(word, required, depth)
        return cached

    def _derive_uncached(self, word: str, required: str | None, depth: int) -> list[Analysis]:
        found = [
            Analysis(stem, stem, flags)
            for stem, flags in self.stems.get(word, ())
            if required is None or required in flags
        ]
        if depth >= _MAX_DEPTH:
            return found
        for size in range(min(len(word) - 1, self.max_add), -1, -1):
            add = word[len(word) - size :] if size else ""
            rules = (
                self.suffixes.get(add, ())
                if required is None
                else self._continuing.get((add, required), ())
            )
            for rule in rules:
                base = word[: len(word) - size] + rule.strip
                if not base or (depth + 1 >= _MAX_DEPTH and base not in self.stems):
                    continue
                for inner in self._derive(base, rule.flag, depth + 1):
                    if not rule.fits(inner.surface):
                        continue
                    cut = len(inner.surface) - len(rule.strip)
                    surface = inner.surface[:cut] + rule.add
                    found.append(Analysis(inner.stem, surface, rule.contflags))
        return found


def _standalone(analysis: Analysis) -> bool:
    return not analysis.flags & {_FORBIDDEN, _NEED_AFFIX, _ONLY_IN_COMPOUND}


def read_hunspell(dic_path: Path) -> Hunspell:
    """Read a ``.dic``/``.aff`` pair (UTF-8, numeric flags) into memory."""
    aff_path = dic_path.with_suffix(".aff")
    suffixes: dict[str, list[_Suffix]] = {}
    with aff_path.open(encoding="utf-8", errors="replace") as aff:
        for line in aff:
            if not line.startswith("SFX"):
                continue
            parts = line.split()
            if len(parts) < 5:
                continue  # a rule group's header: SFX flag Y count
            _, flag, strip, add_field, condition = parts[:5]
            add, _, cont = add_field.partition("/")
            strip = "" if strip == "0" else strip
            add = "" if add == "0" else add
            compiled = None if condition == "." else re.compile(f"(?:{condition})$")
            contflags = frozenset(cont.split(",")) if cont else frozenset()
            suffixes.setdefault(add, []).append(_Suffix(flag, strip, add, compiled, contflags))
    stems: dict[str, list[tuple[str, frozenset[str]]]] = {}
    flag_sets: dict[str, frozenset[str]] = {"": frozenset()}  # most entries share a few sets
    with dic_path.open(encoding="utf-8", errors="replace") as dic:
        next(dic, None)  # the word count
        for line in dic:
            entry = line.split(None, 1)[0] if line[:1] not in ("", "\n", "#") else ""
            if not entry:
                continue
            word, _, flag_text = entry.partition("/")
            flags = flag_sets.get(flag_text)
            if flags is None:
                flags = flag_sets[flag_text] = frozenset(flag_text.split(","))
            lower = word.lower()
            known = stems.get(lower)
            if known is None:
                stems[lower] = [(word, flags)]
            else:
                known.append((word, flags))
    return Hunspell(dic_path, stems, suffixes)


@dataclass
class Names:
    """``data/names.txt``: cased names (and their genitives), and words never to change."""

    forms: dict[str, set[str]]  # lower-case -> cased forms
    keep: frozenset[str]  # lower-case words never changed (``!word`` lines)

    @classmethod
    def read(cls, path: Path) -> Names:
        forms: dict[str, set[str]] = {}
        keep: set[str] = set()
        if not path.exists():
            return cls(forms, frozenset())
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("!"):
                keep.add(line[1:].strip().lower())
                continue
            if " " in line or "\t" in line:
                raise RuleTableError(str(path), number, f"one name per line, found {line!r}")
            for form in _name_forms(line):
                forms.setdefault(form.lower(), set()).add(form)
        return cls(forms, frozenset(keep))


def _name_forms(name: str) -> Iterable[str]:
    """A name and its genitive (``Domino's`` has none of its own: it is one)."""
    yield name
    if name.endswith("'s"):
        return
    yield name + ("'" if name[-1] in "sxzSXZ" else "s")
    if name.isupper():
        yield name + "'s"


class Lexicon:
    """Which words exist in Danish, and the one right casing of names and brands.

    >>> lex = Lexicon(None, Names({"youtube": {"YouTube"}, "youtubes": {"YouTubes"}}, frozenset()))
    >>> lex.casing("youtubes"), lex.casing("kunde")
    ('YouTubes', None)
    """

    def __init__(self, hunspell: Hunspell | None, names: Names, load_seconds: float = 0.0):
        self.hunspell = hunspell
        self.names = names
        self.load_seconds = load_seconds
        self.casing = lru_cache(maxsize=100_000)(self._casing)
        self.is_word = lru_cache(maxsize=200_000)(self._is_word)
        self.is_compound = lru_cache(maxsize=200_000)(self._is_compound)

    @property
    def has_dictionary(self) -> bool:
        return self.hunspell is not None

    def cased_forms(self, lower: str) -> set[str]:
        """Every cased form (not all lower case) whose lower-case spelling is ``lower``."""
        forms = set(self.names.forms.get(lower, ()))
        if self.hunspell is not None:
            for analysis in self.hunspell.analyse(lower):
                if analysis.surface != lower and _standalone(analysis):
                    forms.add(analysis.surface)
        return forms

    def restorable(self, cased: str) -> bool:
        """A dictionary form safe to restore from lower case: a brand with inner capitals
        (YouTube), a name with Danish letters (København) or a place (Jylland). Plain English
        words the dictionary also lists as names (Alpha, Open, Street) and acronyms are only
        restored when ``data/names.txt`` lists them."""
        if cased in self.names.forms.get(cased.lower(), ()):
            return True
        if cased.isupper():
            return len(cased) >= 3  # ISO, JPEG; two-letter ones only from names.txt
        if len(cased) < 4:
            return False
        if any(c.isupper() for c in cased[1:]) or not cased.isascii():
            return True
        if self.hunspell is None:
            return False
        return any(
            _PLACE in flags
            for analysis in self.hunspell.analyse(cased.lower())
            if analysis.surface == cased
            for _, flags in self.hunspell.stems.get(analysis.stem.lower(), ())
        )

    def _casing(self, lower: str) -> str | None:
        """The one right casing of a lower-case word, or ``None`` where it has none or several,
        or where the lower-case form is itself a Danish word."""
        if lower in self.names.keep:
            return None
        named = self.names.forms.get(lower, set())
        if len(named) == 1:
            return next(iter(named))
        if named or self.is_word(lower):
            return None
        forms = self.cased_forms(lower)
        if len(forms) != 1:
            return None
        cased = next(iter(forms))
        return cased if self.restorable(cased) else None

    def _is_word(self, lower: str) -> bool:
        """A Danish word written in lower case: a lower-case stem plus suffixes, no compound."""
        if lower in self.names.keep:
            return True
        if self.hunspell is None:
            return False
        return any(
            a.stem.islower() and _standalone(a) for a in self.hunspell.analyse(lower)
        )

    def _is_compound(self, lower: str) -> bool:
        """A Danish compound of dictionary words (``kundefokus``, ``markedssøgning``)."""
        if self.hunspell is None or len(lower) < 5:
            return False
        if len(lower) > _MAX_PARTS * self.hunspell.longest:
            return False  # more than its longest parts: no compound (and no n² cuts to try)
        return self._compound_tail(lower, 0)

    def _compound_tail(self, rest: str, parts: int) -> bool:
        assert self.hunspell is not None
        if parts >= _MAX_PARTS - 1:
            return False
        # A head longer than the longest analysable word is no word: those cuts are not tried.
        for cut in range(2, min(len(rest) - 1, self.hunspell.longest + 1)):
            head, tail = rest[:cut], rest[cut:]
            role = _COMPOUND_BEGIN if parts == 0 else _COMPOUND_MIDDLE
            if not any(
                a.stem.islower() and role in a.flags for a in self.hunspell.analyse(head)
            ):
                continue
            if any(
                a.stem.islower() and _COMPOUND_END in a.flags
                for a in self.hunspell.analyse(tail)
            ) or self._compound_tail(tail, parts + 1):
                return True
        return False

    def knows(self, word: str) -> bool:
        """The word is Danish (as a word or a compound) or a known name, in any casing."""
        lower = word.lower()
        if self.is_word(lower) or lower in self.names.forms or self.is_compound(lower):
            return True
        return bool(self.cased_forms(lower))


def find_dictionary(candidates: Iterable[Path] | None = None) -> Path | None:
    for path in DICTIONARY_PATHS if candidates is None else candidates:
        if path.exists() and path.with_suffix(".aff").exists():
            return path
    return None


def dictionary_path(dictionary: Path | bool | None) -> Path | None:
    """The ``.dic`` file ``dictionary`` names (``True``: the installed one), if it is there
    with its ``.aff`` file."""
    if dictionary is True:
        return find_dictionary()
    if isinstance(dictionary, Path):
        return find_dictionary([dictionary])
    return None


def dictionary_notice(dictionary: Path | bool | None, names_name: str = "names.txt") -> str | None:
    """The line that says the dictionary ``dictionary`` asks for is missing (``None``: it is
    there, or none was asked for)."""
    if dictionary is None or dictionary is False or dictionary_path(dictionary) is not None:
        return None
    what = "" if dictionary is True else f" {dictionary}"
    hint = "install Debian package hunspell-da" if dictionary is True else "or its .aff file"
    return (
        f"Danish Hunspell dictionary{what} not found ({hint}); "
        f"casing uses {names_name} only and unknown words are not flagged"
    )


def load_lexicon(names_path: Path, dictionary: Path | bool | None = True) -> Lexicon:
    """Load ``names_path`` and, where installed, the Danish Hunspell dictionary.

    ``dictionary``: ``True`` finds it in the usual places, ``False``/``None`` does without, a
    path names one. Without it (or where the named one is missing) the lexicon is
    ``names_path`` alone; :func:`dictionary_notice` says so, nothing is printed.
    """
    started = time.perf_counter()
    names = Names.read(names_path)
    dic_path = dictionary_path(dictionary)
    hunspell = read_hunspell(dic_path) if dic_path is not None else None
    return Lexicon(hunspell, names, time.perf_counter() - started)

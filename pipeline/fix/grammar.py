"""Grammar, English-left-in, leakage and word-sense checks for machine-translated Danish.

The rules work from general signals rather than phrase lists: the Danish morphological
analyser (:mod:`pipeline.fix.analyser`: part of speech, gender, number, definiteness), the Danish
Hunspell dictionary (:mod:`pipeline.text.lexicon`), word frequencies (``wordfreq``, English and
Danish) and the Norwegian analyser, plus one small table of false friends
(``data/false_friends.tsv``). Each rule has a stable id and a reason (its docstring's first
line), and says whether it changes the text (only where the change is right in every context)
or flags it. :func:`check_article` runs them all after the fix stage's own rules.

Without the analyser (``lt-proc`` or ``apertium-dan-nor`` missing) the rules that need it are
skipped, after one notice; the text-only rules (spacing, months, repeats) still run.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from pipeline.document import Article, Sentence
from pipeline.fix.analyser import Analyser, Reading
from pipeline.fix.phrases import BACKREFERENCE, overlaps, protected_spans
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
SENTENCE_ADVERBS = frozenset(
    "ikke gerne altid aldrig også kun jo vel nok heller allerede stadig egentlig faktisk".split()
)
SUBORDINATORS = frozenset("at når fordi hvis selvom om da mens skønt idet".split())
SUBJECT_PRONOUNS = frozenset("jeg du han hun den det vi i de man der nogen ingen".split())
QUESTION_WORDS = frozenset("hvorfor hvordan hvornår hvem hvad hvor hvilken hvilket hvilke".split())
# Words after which a capitalised word is the name of a label, a button or a section.
LABEL_CUES = frozenset(
    """knappen menuen menuerne vinduet fanebladet listen mappen programmet panelet
    nedrulningen afsnittet punktet valgmuligheden feltet dialogen siden kapitlet fanen
    klik klikke tryk trykke vælg vælge skriv skrive kaldet hedder""".split()
)
ENUMERATING_ADVERBS = frozenset("først dernæst derefter endelig sidst".split())
# Verbs "Det" goes with when it refers to the situation, not to a noun (Det betyder, at …).
SITUATION_VERBS = frozenset(
    """betyde vise kræve give gøre handle ske gælde tage lyde virke se komme blive være have
    regne sne blæse lykkes hjælpe koste passe nytte dreje afhænge fremgå følge stå ligge
    tyde skyldes mangle undre glæde ærgre overraske svare minde ligne""".split()
)


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


@dataclass
class Context:
    """What the rules look at for one sentence."""

    sentence: Sentence
    tokens: list[Token]
    checker: Checker
    protected: list[tuple[int, int]] = field(default_factory=list)
    first: bool = True  # the sentence starts a paragraph
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


def is_adjective(readings: list[Reading]) -> bool:
    plain = _plain(readings)
    return bool(plain) and all(r.pos == "adj" for r in plain)


def is_finite_verb(readings: list[Reading], only: bool = False) -> bool:
    verbs = [
        r for r in _plain(readings) if r.pos.startswith("vb") and ({"pres", "past"} & set(r.tags))
    ]
    if only:
        return bool(verbs) and len(verbs) == len(_plain(readings))
    return bool(verbs)


def is_preposition(readings: list[Reading]) -> bool:
    return any(r.pos == "pr" for r in readings)


# ---------------------------------------------------------------------------------------------
# Rules that need the analyser


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


def pronoun_gender(ctx: Context) -> Iterator[Finding]:
    """*Det* for a common-gender noun the previous sentence was about (English *it*).

    When the previous sentence's subject is a common-gender noun (*Den tværgående tyktarm
    …*), *it* is *den*: *Den ligger …*, not *Det ligger …*. *Det* for a situation (*Det
    betyder, at …*) is left alone. Flags.
    """
    previous = ctx.checker.previous
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


def _sentence_subject_gender(checker: Checker, text: str) -> str | None:
    """Gender of a sentence-initial noun subject (*Den tværgående tyktarm strækker …*); after a
    label (*Tyktarm: Den tværgående tyktarm strækker …*) the part after the colon counts."""
    if ": " in text:
        text = text.rsplit(": ", 1)[1]
    tokens = _tokens(text)[:5]
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


def capitalised_common_word(ctx: Context) -> Iterator[Finding]:
    """A common word written with a capital inside a sentence (English title habits).

    Flags a capitalised word that is a Danish common word, is no name the dictionary or the
    analyser knows, stands between lower-case words, and that the article does not write with
    a capital anywhere else inside a sentence. Suggests the lower-case word.
    """
    tokens = ctx.tokens
    checker = ctx.checker
    for i in range(1, len(tokens)):
        token = tokens[i]
        word = token.text
        if len(word) < 3 or not word[0].isupper() or not word[1:].islower() or "-" in word:
            continue
        gap = ctx.between(i - 1, i)
        if any(c in gap for c in ".:;!?«»\"“”'(|–—-•") or tokens[i - 1].text[0].isupper():
            continue
        if i + 1 < len(tokens) and tokens[i + 1].text[0].isupper():
            continue
        if all(t.text.isdigit() for t in tokens[:i]):
            continue  # "[22] Disse", "3) Vælg": the sentence starts after a number
        if re.match(r"\s*\d", ctx.text[token.end :]) or tokens[i - 1].lower in LABEL_CUES:
            continue  # "Afsnit 5.1", "knappen Gem", "klik på Lyd": a reference or a label
        if i > 1 and tokens[i - 1].lower == "på" and tokens[i - 2].lower in LABEL_CUES:
            continue
        lower = word.lower()
        if checker.capitalised_mid.get(lower, 0) != 1 or lower in MONTHS:
            continue
        if not checker.lexicon.is_word(lower) or checker.lexicon.cased_forms(lower):
            continue
        readings = _plain(ctx.readings(i))
        if not readings or any(r.pos == "np" for r in readings):
            continue
        if lower in checker.lexicon.names.forms:
            continue
        yield Finding("grammar.capitalised_common_word", token.start, token.end, lower)


def kan_as_month(ctx: Context) -> Iterator[Finding]:
    """“Kan” next to a year or a day number: the month *May* mistranslated as the verb *can*.

    Flags; suggests *maj*.
    """
    for match in re.finditer(r"(?<!\w)Kan(?!\w)", ctx.text):
        before = ctx.text[max(0, match.start() - 8) : match.start()]
        after = ctx.text[match.end() : match.end() + 8]
        if re.search(r"(?:\b\d{4},?|\b\d{1,2}\.)\s*$", before) or re.match(r"\s+\d{4}\b", after):
            yield Finding("grammar.kan_as_month", match.start(), match.end(), "maj")


# ---------------------------------------------------------------------------------------------
# Text-only rules (no analyser needed)

_COORDINATORS = frozenset("og eller samt end som men hhv respektive til fra".split())
_SPACED_HYPHEN = re.compile(r"(?<=[\w])( )-(?=[^\W\d_]{3,}\b)")
_COLON_NO_SPACE = re.compile(r"(?<=[^\W\d_]{2}):(?=[A-ZÆØÅ][a-zæøå])")
_MONTH_DATE = re.compile(
    r"(?:(?<=\d\. )|(?<=\d\.))(" + "|".join(m.capitalize() for m in MONTHS) + r")(?!\w)"
    r"|(?<![\w.])(" + "|".join(m.capitalize() for m in MONTHS) + r")(?= \d{4}\b)"
)
_REPEATED = re.compile(r"(?<!\w)((?:[^\W\d_]+ ){1,4}[^\W\d_]+)(,? )\1(?!\w)", re.IGNORECASE)


def join_spaced_hyphen(ctx: Context) -> Iterator[Finding]:
    """Joined a compound whose hyphen had a space before it (3D -fil → 3D-fil).

    Only where the part after the hyphen is a Danish word and nothing else (a command-line
    option, a minus) can be meant.
    """
    for match in _SPACED_HYPHEN.finditer(ctx.text):
        tail = re.match(r"-([^\W\d_]+)", ctx.text[match.end() - 1 :])
        if tail is None or not ctx.checker.lexicon.is_word(tail.group(1).lower()):
            continue
        head = re.search(r"(\w+)$", ctx.text[: match.start(1)])
        if head is None or head.group(1).lower() in _COORDINATORS:
            continue  # a suspended compound: "kontakter eller -taster"
        if overlaps(match.start(), match.end(), ctx.protected):
            continue
        yield Finding("grammar.spaced_hyphen", match.start(1), match.end(1), "", replace=True)


def space_after_colon(ctx: Context) -> Iterator[Finding]:
    """Added the missing space after a colon between words (ascendens:Denne → ascendens: Denne)."""
    for match in _COLON_NO_SPACE.finditer(ctx.text):
        if not overlaps(match.start(), match.end(), ctx.protected):
            yield Finding("grammar.colon_space", match.end(), match.end(), " ", replace=True)


def month_casing(ctx: Context) -> Iterator[Finding]:
    """Wrote a month in a date with a lower-case letter (5. Januar 2024 → 5. januar 2024).

    Only next to a day number or a year, where the word cannot be a name (Maj, August).
    """
    for match in _MONTH_DATE.finditer(ctx.text):
        start = match.start(1) if match.group(1) else match.start(2)
        if start == 0 and ctx.first:
            continue
        yield Finding(
            "grammar.month_casing", start, start + 1, ctx.text[start].lower(), replace=True
        )


def repeated_phrase(ctx: Context) -> Iterator[Finding]:
    """The same words twice in a row (*for det meste, for det meste*). Flags."""
    for match in _REPEATED.finditer(ctx.text):
        yield Finding("grammar.repeated_phrase", match.start(), match.end(), match.group(1))


# ---------------------------------------------------------------------------------------------
# English left in, leakage, false friends


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


def _danish(checker: Checker, word: str) -> bool:
    lower = word.lower()
    if checker.lexicon.knows(word) or lower in checker.loanwords:
        return True
    if checker.analyser is not None:
        return bool(
            _plain(checker.analyser.readings(word)) or _plain(checker.analyser.readings(lower))
        )
    return False


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
            and not (k == j and _lone_term(checker, tokens[k]))
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


def _lone_term(checker: Checker, token: Token) -> bool:
    """A lone English word that the article uses as a term, in three or more sentences
    (*issue*, *firmwaren* in a help text): the writer's choice, not a word left in."""
    return token.lower in checker.terms


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
        and before in _QUOTE_MARKS + "‘’'"
        and bool(after)
        and after in _QUOTE_MARKS + "‘’'"
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


# ---------------------------------------------------------------------------------------------
# Registry

Rule = Callable[[Context], Iterator[Finding]]

#: rule id -> (rule, needs the analyser); edits come first, in this order.
RULES: dict[str, tuple[Rule, bool]] = {
    "grammar.spaced_hyphen": (join_spaced_hyphen, False),
    "grammar.colon_space": (space_after_colon, False),
    "grammar.month_casing": (month_casing, False),
    "grammar.repeated_phrase": (repeated_phrase, False),
    "grammar.kan_as_month": (kan_as_month, False),
    "grammar.double_definite": (double_definite, True),
    "grammar.gender_agreement": (gender_agreement, True),
    "grammar.adverb_placement": (adverb_placement, True),
    "grammar.embedded_question_order": (embedded_question_order, True),
    "grammar.preposition_relative": (preposition_relative, True),
    "grammar.enumeration_question": (enumeration_question, True),
    "grammar.intro_comma": (intro_comma, True),
    "grammar.pronoun_gender": (pronoun_gender, True),
    "grammar.capitalised_common_word": (capitalised_common_word, True),
    "english.left_in": (english_left_in, False),
    "leakage.norwegian": (norwegian_leakage, True),
    "sense": (false_friends, False),
}
EXTRA_REASONS = {
    "grammar.repeated_paragraph": "The same paragraph twice (a page or translation glitch).",
    "spelling.suggestion": "Unknown word; the dictionary's nearest word is suggested.",
}


def reason(rule_id: str) -> str:
    if rule_id in EXTRA_REASONS:
        return EXTRA_REASONS[rule_id]
    rule = RULES.get(rule_id, RULES["sense"])[0]
    return (rule.__doc__ or rule_id).strip().splitlines()[0]


def rule_reasons() -> list[tuple[str, str]]:
    return [(rule_id, reason(rule_id)) for rule_id in RULES if rule_id != "sense"] + list(
        EXTRA_REASONS.items()
    )


@dataclass
class Checker:
    """Everything the rules need, loaded once (see :func:`pipeline.fix.stage.load_fix_rules`)."""

    lexicon: Lexicon
    analyser: Analyser | None
    false_friends: list[FalseFriend]
    loanwords: frozenset[str]
    disabled: frozenset[str] = frozenset()
    # Per article: lower-case words written with a capital inside sentences, and their counts.
    capitalised_mid: dict[str, int] = field(default_factory=dict)
    previous: str | None = None  # gender of the previous sentence's noun subject
    terms: frozenset[str] = frozenset()  # words the article uses in three or more sentences
    tables: dict[str, Path] = field(default_factory=dict)
    _compounds: dict[tuple[str, int], bool] = field(default_factory=dict)
    english_cache: dict[tuple[str, bool], bool] = field(default_factory=dict)
    prefetched: set[str] = field(default_factory=set)  # words prefetch_words has asked about

    def enabled(self, rule_id: str) -> bool:
        return rule_id not in self.disabled and rule_id.split(".")[0] not in self.disabled

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


def _tokens(text: str) -> list[Token]:
    return list(_cached_tokens(text))


@lru_cache(maxsize=4096)
def _cached_tokens(text: str) -> tuple[Token, ...]:
    """The words of a sentence; an article asks for them several times."""
    return tuple(Token(m.group(0), m.start(), m.end()) for m in WORD.finditer(text))


def check_article(article: Article, checker: Checker) -> Article:
    """Run every rule over every sentence; edits are applied, flags added."""
    sentences = list(article.sentences())
    if checker.analyser is not None:
        prefetch_words(checker, checker.analyser, sentences)
    checker.capitalised_mid = _capitalised_inside(article)
    checker.terms = article_terms(sentences)
    for paragraph in article.paragraphs:
        checker.previous = None
        for index, sentence in enumerate(paragraph.sentences):
            check_sentence(sentence, checker, first=index == 0)
            if checker.analyser is not None:
                checker.previous = _sentence_subject_gender(checker, sentence.text)
    if checker.enabled("grammar.repeated_paragraph"):
        flag_repeated_paragraphs(article)
    unflag_continued_quotations(article)
    return article


_QUOTE_MARKS = '»«”“„"›‹'


def unflag_continued_quotations(article: Article) -> None:
    """Drop the unpaired-quote flag of a Danish multi-paragraph quotation.

    A quotation over several paragraphs opens each paragraph with a quote mark and closes only
    at its end: a paragraph whose one unpaired mark opens it, followed by a paragraph that
    opens with a quote mark, is such a quotation.
    """
    paragraphs = [p for p in article.paragraphs if p.sentences]
    for paragraph, following in itertools.pairwise(paragraphs):
        first = paragraph.sentences[0]
        flags = [
            (s, f) for s in paragraph.sentences for f in s.flags if f.rule_id == "quote_unpaired"
        ]
        if len(flags) != 1 or flags[0][0] is not first:
            continue
        flag = flags[0][1]
        if first.text[: flag.start].strip(" –-") or first.text[flag.start] not in _QUOTE_MARKS:
            continue
        if following.sentences[0].text.lstrip(" –-")[:1] in _QUOTE_MARKS:
            first.flags.remove(flag)


PREFETCHED_MAX = 500_000  # word forms remembered as asked about, before starting over


def prefetch_words(checker: Checker, analyser: Analyser, sentences: list[Sentence]) -> None:
    """Ask the analysers about the whole article in a few batches: every word, and for the
    words unknown to both dictionaries their Norwegian readings and their possible compound
    parts (so that no rule starts ``lt-proc`` for one word). Words already asked about are
    skipped (the fix stage asks first, the grammar checks again after its edits)."""
    done = checker.prefetched
    if len(done) > PREFETCHED_MAX:
        done.clear()
    words = {t.text for s in sentences for t in _tokens(s.text)} - done
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
        for lower in {token.lower for token in _tokens(text)}:
            counts[lower] = counts.get(lower, 0) + 1
    return frozenset(w for w, count in counts.items() if count >= 3)


def _capitalised_inside(article: Article) -> dict[str, int]:
    counts: dict[str, int] = {}
    lower_seen: set[str] = set()
    for sentence in article.sentences():
        for i, token in enumerate(_tokens(sentence.text)):
            if token.text.islower():
                lower_seen.add(token.text)
            elif i > 0 and token.text[0].isupper() and token.text[1:].islower():
                counts[token.lower] = counts.get(token.lower, 0) + 1
    # Only a word the article also writes in lower case, and capitalises once, is suspect:
    # a word capitalised again and again is a label or a name (Klik på Lyd).
    return {w: n for w, n in counts.items() if w in lower_seen}


def check_sentence(sentence: Sentence, checker: Checker, first: bool = True) -> None:
    ctx: Context | None = None
    for rule_id, (rule, needs_analyser) in RULES.items():
        if not checker.enabled(rule_id) or (needs_analyser and checker.analyser is None):
            continue
        if ctx is None or ctx.seen != sentence.text:  # tokenise again only after an edit
            ctx = Context(
                sentence, _tokens(sentence.text), checker, protected_spans(sentence.text), first
            )
            ctx.seen = sentence.text
        findings = list(rule(ctx))
        for finding in (
            sorted(findings, key=lambda f: -f.start)
            if findings and findings[0].replace
            else findings
        ):
            text_reason = finding.reason or reason(finding.rule_id)
            if finding.replace:
                sentence.apply_edit(
                    STAGE,
                    finding.rule_id,
                    finding.start,
                    finding.end,
                    finding.suggestion or "",
                    text_reason,
                )
            else:
                sentence.add_flag(
                    STAGE,
                    finding.rule_id,
                    finding.start,
                    finding.end,
                    text_reason,
                    severity="warning" if finding.rule_id.startswith("grammar") else "info",
                    suggestion=finding.suggestion,
                )
    _tidy_unknown_words(sentence, checker)


def _tidy_unknown_words(sentence: Sentence, checker: Checker) -> None:
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
            if checker.compound(word.lower()) or word.lower() in checker.terms:
                continue  # a compound, or a term the article uses again and again
            if flag.suggestion is None:
                flag.suggestion = suggest_spelling(checker.lexicon, word)
        kept.append(flag)
    sentence.flags[:] = kept


def flag_repeated_paragraphs(article: Article) -> None:
    """Flag a paragraph of at least twelve words that repeats an earlier one word for word."""
    seen: set[str] = set()
    for paragraph in article.paragraphs:
        text = " ".join(paragraph.text.split())
        if len(text.split()) < 12:
            continue
        if text in seen and paragraph.sentences:
            sentence = paragraph.sentences[0]
            sentence.add_flag(
                STAGE,
                "grammar.repeated_paragraph",
                0,
                len(sentence.text),
                EXTRA_REASONS["grammar.repeated_paragraph"],
                severity="warning",
                suggestion="",
            )
        seen.add(text)


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


def load_grammar_checker(data_dir: Path, lexicon: Lexicon) -> Checker:
    """The checker with its tables from ``data_dir`` and the analyser where installed."""
    from pipeline.fix.analyser import load_analyser

    tables = {name: data_dir / name for name in (FALSE_FRIENDS_FILE, LOANWORDS_FILE)}
    checker = Checker(
        lexicon,
        load_analyser(),
        load_false_friends(tables[FALSE_FRIENDS_FILE]),
        load_loanwords(tables[LOANWORDS_FILE]),
    )
    checker.tables = {name: path for name, path in tables.items() if path.exists()}
    return checker

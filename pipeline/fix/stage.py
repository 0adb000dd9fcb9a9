"""fix stage: garbled phrases, casing, and flags for what is only suspicious.

Order per sentence: phrase rules from ``data/phrases.tsv`` (replace or flag), then Title Case
headings to sentence case, names and brands from the casing lexicon, the sentence start, and
last the flags that change nothing (English fragments, unknown words, doubled words, number
compounds, capitalised months). Every edit and flag carries its rule id and the reason an
editor sees; the stage's rules are declared in :data:`DECLARED_RULES` and
:data:`DECLARED_FAMILIES` (``daen rules``).

Entry points for other stages: :func:`load_fix_rules`, :func:`fix_article`,
:meth:`FixRules.table_hashes`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pipeline.document import Article, Paragraph, Sentence
from pipeline.fix import casing
from pipeline.fix.analyser import APERTIUM_DIR, DANISH, analyser_notice, find_lt_proc
from pipeline.fix.classes import check_classes
from pipeline.fix.classes.calques import CALQUES_FILE
from pipeline.fix.classes.tools import ClassTools, load_class_tools
from pipeline.fix.grammar import check_article, load_grammar_checker
from pipeline.fix.grammar.core import (
    FALSE_FRIENDS_FILE,
    LOANWORDS_FILE,
    Checker,
    article_terms,
    plain_readings,
    prefetch_words,
    zipf,
)
from pipeline.fix.phrases import (
    Fragment,
    PhraseRule,
    fragment_prefilter,
    load_fragments,
    load_phrase_table,
    overlaps,
    phrase_prefilter,
    protected_spans,
)
from pipeline.text.lexicon import Lexicon, dictionary_notice, dictionary_path, load_lexicon
from pipeline.text.segment import (
    FINAL_ABBREVIATIONS,
    NON_FINAL_ABBREVIATIONS,
    SPEECH_VERBS,
    is_dotted_abbreviation,
    starts_clause,
)
from pipeline.text.spans import changed_spans
from pipeline.text.tables import data_dir_or_default, default_data_dir, require_tables

STAGE = "fix"
DEFAULT_DATA_DIR = default_data_dir()
PHRASES_FILE = "phrases.tsv"
NAMES_FILE = "names.txt"
FRAGMENTS_FILE = "english_fragments.txt"

FLAG_REASONS: dict[str, str] = {
    "fix.english_fragment": "English left in the Danish text.",
    "fix.unknown_word": "Word neither in the Danish dictionary nor in the names lexicon.",
    "fix.doubled_word": "The same word twice in a row.",
    "fix.number_compound": "A number and its suffix form one word with a hyphen (1700-tallet).",
    **casing.FLAG_REASONS,
}


@dataclass(frozen=True)
class FixRules:
    """Everything the fix stage needs, loaded once: lexicon, phrase rules, English fragments.

    Never changed after loading (one process fixes many articles with them; what one article
    needs is a :class:`FixContext`); the compound cache remembers answers about words alone.
    """

    lexicon: Lexicon
    phrases: list[PhraseRule]
    fragments: list[Fragment]
    tables: Mapping[str, Path] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    checker: Checker | None = None  # grammar, English-left-in, leakage, false friends
    classes: ClassTools | None = None  # the class detectors (pipeline.fix.classes)
    # What the stage does without, for the user: a missing dictionary or analyser.
    notices: tuple[str, ...] = ()
    compound_cache: dict[tuple[str, int], bool] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def table_hashes(self) -> dict[str, str]:
        """SHA-256 of every table (and the dictionary) the rules came from, by file name."""
        hashes: dict[str, str] = {}
        for name, path in sorted(self.tables.items()):
            if path.exists():
                hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        return hashes

    def enabled(self, rule_id: str) -> bool:
        return rule_id not in self.disabled

    @cached_property
    def phrase_prefilter(self) -> re.Pattern[str] | None:
        """One regex that matches where any phrase rule could (None: no shortcut)."""
        return phrase_prefilter(self.phrases)

    @cached_property
    def fragment_prefilter(self) -> re.Pattern[str] | None:
        """One regex that matches where any English fragment could (None: no shortcut)."""
        return fragment_prefilter(self.fragments)

    def fragment_matches(self, text: str) -> list[tuple[Fragment, re.Match[str]]]:
        """Every English fragment's matches in ``text``, fragment by fragment."""
        prefilter = self.fragment_prefilter
        if prefilter is not None and prefilter.search(text) is None:
            return []
        return [(f, m) for f in self.fragments for m in f.regex.finditer(text)]


def load_fix_rules(
    data_dir: Path | None = None, dictionary: Path | bool | None = True, grammar: bool = True
) -> FixRules:
    """Load the tables in ``data_dir`` (default: the project's ``data/``) and the dictionary;
    with ``grammar``, also the grammar checks (:mod:`pipeline.fix.grammar`) and their analyser.
    What the stage does without (no dictionary, no analyser) is in the rules' ``notices``;
    nothing is printed.

    Raises :class:`~pipeline.errors.RuleTableError` for a broken, missing or empty table.
    """
    data = data_dir_or_default(data_dir)
    tables = {
        PHRASES_FILE: data / PHRASES_FILE,
        NAMES_FILE: data / NAMES_FILE,
        FRAGMENTS_FILE: data / FRAGMENTS_FILE,
    }
    phrases = load_phrase_table(tables[PHRASES_FILE]) if tables[PHRASES_FILE].exists() else []
    require_tables(data)  # after the phrase table: its own errors name the line
    fragments = load_fragments(tables[FRAGMENTS_FILE])
    lexicon = load_lexicon(tables[NAMES_FILE], dictionary)
    if lexicon.hunspell is not None:
        tables[lexicon.hunspell.path.name] = lexicon.hunspell.path
    checker = classes = None
    if grammar:
        checker = load_grammar_checker(data, lexicon)
        tables.update(checker.tables)
        classes = load_class_tools(lexicon, checker.analyser, data)
        tables.update(classes.tables)
    return FixRules(
        lexicon, phrases, fragments, tables, checker=checker, classes=classes,
        notices=fix_notices(dictionary, grammar),
    )


def fix_notices(dictionary: Path | bool | None = True, grammar: bool = True) -> tuple[str, ...]:
    """What the fix stage will do without, as one line each (nothing loaded, nothing
    printed): the Danish dictionary (``dictionary`` as for :func:`load_fix_rules`) and, with
    ``grammar``, the analyser. The commands show them once; a run keeps them in its manifest.
    """
    found = [dictionary_notice(dictionary, NAMES_FILE)]
    if grammar:
        found.append(analyser_notice())
    return tuple(notice for notice in found if notice)


def table_files(
    data_dir: Path | None = None, dictionary: Path | bool | None = True
) -> dict[str, Path]:
    """The files :func:`load_fix_rules` reads, by name, without loading them (the run key
    hashes them): the tables that exist in ``data_dir`` and the dictionary, if any."""
    data = data_dir_or_default(data_dir)
    names = (PHRASES_FILE, NAMES_FILE, FRAGMENTS_FILE, FALSE_FRIENDS_FILE, LOANWORDS_FILE,
             CALQUES_FILE)
    files = {name: data / name for name in names}
    files = {name: path for name, path in files.items() if path.is_file()}
    found = dictionary_path(dictionary)
    if found is not None:
        files[found.name] = found
    # The grammar checks depend on the analyser being there (and on its data).
    analyser = APERTIUM_DIR / DANISH
    if find_lt_proc() is not None and analyser.is_file():
        files[analyser.name] = analyser
    return files


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FixContext:
    """What the fix stage needs to know about one article, made per :func:`fix_article` call
    (never kept on the rules)."""

    terms: frozenset[str] = frozenset()  # lower-case words it uses in three or more sentences
    names: dict[str, str] = field(default_factory=dict)  # :func:`casing.attested_names`


def fix_article(article: Article, rules: FixRules) -> Article:
    """The fix stage: phrases, casing and flags on every sentence of the article."""
    body = [s.text for p in article.paragraphs if p.kind != "heading" for s in p.sentences]
    sentences = list(article.sentences())
    facts = FixContext(article_terms(sentences), casing.attested_names(body))
    if rules.checker is not None and rules.checker.analyser is not None:
        # One batch for the article's words, so the unknown-word check below can ask the
        # analyser without starting `lt-proc` per word.
        prefetch_words(rules.checker, rules.checker.analyser, sentences)
    previous: Paragraph | None = None
    for paragraph in article.paragraphs:
        fix_paragraph(paragraph, rules, previous, facts)
        previous = paragraph
    if rules.checker is not None:
        check_article(article, rules.checker, rules.disabled)
    if rules.classes is not None:
        check_classes(article, rules.classes, rules.disabled)
    return article


def fix_paragraph(
    paragraph: Paragraph, rules: FixRules, previous: Paragraph | None = None,
    facts: FixContext | None = None,
) -> None:
    """Fix one paragraph; ``facts`` are what the stage knows about the article (its terms,
    and the names it capitalises inside its sentences)."""
    facts = facts if facts is not None else FixContext()
    names = facts.names
    for index, sentence in enumerate(paragraph.sentences):
        apply_phrases(sentence, rules)
        first = index == 0
        if paragraph.kind == "heading" and first and rules.enabled("casing.title_case_heading"):
            _record(sentence, "casing.title_case_heading",
                    casing.sentence_case_heading(sentence.text, rules.lexicon, names))
            doubt = casing.doubtful_heading_span(sentence.text, rules.lexicon, names)
            if doubt is not None:
                sentence.add_flag(
                    STAGE, "casing.heading_capital", *doubt,
                    FLAG_REASONS["casing.heading_capital"], severity="info",
                    suggestion=sentence.text[doubt[0]].lower(),
                )
        if rules.enabled("casing.lexicon"):
            english = [m.span() for _, m in rules.fragment_matches(sentence.text)]
            _record(sentence, "casing.lexicon",
                    casing.restore_name_casing(sentence.text, rules.lexicon, english))
        if names and rules.enabled("casing.article_name"):
            _record(sentence, "casing.article_name",
                    casing.restore_attested_names(sentence.text, names, rules.lexicon))
        if rules.enabled("casing.sentence_start"):
            _fix_sentence_start(paragraph, index, sentence, rules, previous)
        flag_suspicious(sentence, rules, sentence_start=True, terms=facts.terms)


def _record(sentence: Sentence, rule_id: str, new_text: str) -> int:
    spans = changed_spans(sentence.text, new_text)
    return sentence.apply_edits(STAGE, rule_id, spans, casing.reason(rule_id))


def apply_phrases(sentence: Sentence, rules: FixRules) -> None:
    prefilter = rules.phrase_prefilter
    if prefilter is not None and prefilter.search(sentence.text) is None:
        return  # no rule matches anywhere in the sentence
    spans = protected_spans(sentence.text)
    for rule in rules.phrases:
        if not rules.enabled(rule.rule_id):
            continue
        matches = list(rule.matches(sentence.text, spans))
        if rule.action == "replace":
            sentence.apply_edits(
                STAGE, rule.rule_id,
                [(m.start(), m.end(), rule.replacement_for(m)) for m in matches], rule.reason,
            )
            if matches:
                spans = protected_spans(sentence.text)
        else:
            for match in matches:
                sentence.add_flag(
                    STAGE, rule.rule_id, match.start(), match.end(), rule.reason,
                    severity="warning", suggestion=rule.replacement or None,
                )


_LAST_WORD = re.compile(r"(\S+)\s*$")


def _fix_sentence_start(
    paragraph: Paragraph, index: int, sentence: Sentence, rules: FixRules,
    previous: Paragraph | None,
) -> None:
    markers = index == 0
    pos = casing.first_letter(sentence.text, markers)
    if pos is None or not sentence.text[pos].islower():
        return
    if index > 0 and _continues_speech(paragraph.sentences[index - 1].text, sentence.text, pos):
        return  # `Skal vi gå? spurgte han`: the speech verb goes on with the quoted sentence
    previous_sentence = paragraph.sentences[index - 1] if index > 0 else None
    if (
        previous_sentence is not None
        and not previous_sentence.original.rstrip().endswith("..")  # `250 kr.. den`
        and not starts_clause(sentence.text[pos:])  # `250 kr. han kom`
        and _after_abbreviation(previous_sentence.text, rules.lexicon)
    ):
        sentence.add_flag(
            STAGE, "casing.after_abbreviation", pos, pos + 1,
            FLAG_REASONS["casing.after_abbreviation"], severity="info",
            suggestion=sentence.text[pos].upper(),
        )
        return
    if index == 0 and paragraph.kind == "list" and _continues_lead_in(previous):
        return  # list items after "…:" may start in lower case
    _record(sentence, "casing.sentence_start",
            casing.capitalize_sentence_start(sentence.text, rules.lexicon, markers))


# Abbreviations the splitter may take for a sentence end, besides its own lists.
ABBREVIATIONS = frozenset(
    """
    pr min maks max gl kap afs afsn pkt bd vol årg ill fig tab s ff f m o sv skt sdr nord syd
    øst vest adr tlf mobil att obs ref red udg oversat jf vha iht mht vedr ang inkl ekskl
    """.split()
)


def _continues_speech(previous_text: str, text: str, pos: int) -> bool:
    """A speech verb after a question, exclamation or closing quote (`»Kom så!« råber han`).

    >>> _continues_speech("Skal vi gå?", "spurgte han.", 0), _continues_speech("Ja!", "vi gik.", 0)
    (True, False)
    """
    end = previous_text.rstrip()
    if not (end.endswith(("?", "!")) or end[-1:] in "»«”’\"“"):
        return False
    word = text[pos:].split(maxsplit=1)[0].strip(",.;:!?") if text[pos:].strip() else ""
    return word in SPEECH_VERBS


# Abbreviations that are also Danish words (`min`, `nord`): after a word they end a sentence
# when the dictionary knows them; after a number they are units (`10 min.`).
_WORD_ABBREVIATIONS = frozenset("mobil nord syd øst vest tab".split())


def _after_abbreviation(previous_text: str, lexicon: Lexicon) -> bool:
    """The previous 'sentence' ends in an abbreviation, so this may be no sentence start."""
    if not previous_text.endswith(".") or previous_text.endswith(".."):
        return False  # `250 kr.. den`: a doubled full stop ends the sentence
    match = _LAST_WORD.search(previous_text)
    word = match.group(1).rstrip(".").lstrip("(»«\"'“„") if match else ""
    bare = word.lower()
    if word.isupper():
        return False  # an acronym (UTC, SSH) ends a sentence like any word
    if bare in _WORD_ABBREVIATIONS and lexicon.is_word(bare):
        before = previous_text[: match.start()].split() if match else []
        if not (before and before[-1][:1].isdigit()):
            return False
    dotted = is_dotted_abbreviation(bare)  # `m.fl.`, `p.a.`
    if (
        bare in NON_FINAL_ABBREVIATIONS or bare in FINAL_ABBREVIATIONS or bare in ABBREVIATIONS
        or dotted
    ):
        return True
    if word.isalpha() and word.islower() and (
        len(word) <= 3 or (len(word) == 4 and not set(word[-2:]) & set("aeiouyæøå"))
    ):
        # A short unknown word (`ndr.`, `bekr.`), not an English one like `root.`.
        return lexicon.has_dictionary and not lexicon.is_word(bare)
    return False


def _continues_lead_in(previous: Paragraph | None) -> bool:
    if previous is None or not previous.sentences:
        return False
    text = previous.sentences[-1].text.rstrip()
    return text.endswith(":") or (previous.kind == "list" and not text.endswith((".", "!", "?")))


# --------------------------------------------------------------------------------------------
# Flags that change nothing

_DOUBLED = re.compile(r"(?<![\w-])([^\W\d_]+)\s+\1(?![\w-])", re.IGNORECASE)
_NUMBER_COMPOUND = re.compile(
    r"(?<![\w.,-])(\d{1,4})\s+(tallet|tallets|tals|årig|årige|årsdagen|årsdag|årsjubilæum)(?![\w-])",
    re.IGNORECASE,
)
_CAPITALISED_MONTHS_AND_DAYS = frozenset(w.capitalize() for w in casing.MONTHS_AND_DAYS)
_LETTERS = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"(?<![\w@#.-])[^\W\d_]+(?:-[^\W\d_]+)*(?![\w@-])")


def flag_suspicious(
    sentence: Sentence, rules: FixRules, sentence_start: bool = True,
    terms: frozenset[str] = frozenset(),
) -> None:
    """The flags that change nothing; ``terms`` are the article's (never unknown words)."""
    text = sentence.text
    spans = protected_spans(text)
    for fragment, match in rules.fragment_matches(text):
        if not overlaps(match.start(), match.end(), spans):
            sentence.add_flag(
                STAGE, "fix.english_fragment", match.start(), match.end(),
                f"{FLAG_REASONS['fix.english_fragment']} ({fragment.phrase})",
                severity="info", suggestion=fragment.suggestion,
            )
    for match in _DOUBLED.finditer(text):
        sentence.add_flag(
            STAGE, "fix.doubled_word", match.start(), match.end(),
            FLAG_REASONS["fix.doubled_word"], suggestion=match.group(1),
        )
    for match in _NUMBER_COMPOUND.finditer(text):
        sentence.add_flag(
            STAGE, "fix.number_compound", match.start(), match.end(),
            FLAG_REASONS["fix.number_compound"], severity="info",
            suggestion=f"{match.group(1)}-{match.group(2)}",
        )
    first = casing.first_letter(text, markers=True)
    for match in casing.WORD.finditer(text):
        word = match.group(0)
        if word in _CAPITALISED_MONTHS_AND_DAYS and match.start() != first:
            sentence.add_flag(
                STAGE, "casing.capitalised_month", match.start(), match.end(),
                FLAG_REASONS["casing.capitalised_month"], severity="info",
                suggestion=word.lower(),
            )
    if rules.lexicon.has_dictionary:
        _flag_unknown_words(sentence, rules, spans, first, terms)


def _flag_unknown_words(
    sentence: Sentence, rules: FixRules, spans: list[tuple[int, int]], first: int | None,
    terms: frozenset[str],
) -> None:
    text = sentence.text
    lexicon = rules.lexicon
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if overlaps(match.start(), match.end(), spans) or _technical(text, match):
            continue
        for part_match in _LETTERS.finditer(token):
            part = part_match.group(0)
            start = match.start() + part_match.start()
            if len(part) < 4 or part.isupper() or any(c.isupper() for c in part[1:]):
                continue
            if part[0].isupper() and start != first:
                continue  # a name
            if lexicon.knows(part) or not _unknown(part, rules, terms):
                continue
            sentence.add_flag(
                STAGE, "fix.unknown_word", start, start + len(part),
                FLAG_REASONS["fix.unknown_word"], severity="info",
            )


def _technical(text: str, match: re.Match[str]) -> bool:
    """A token that is a file, option or command name: it touches ``/ = _ $ <`` or a file
    extension (*initrd.gz*), or one of its hyphenated parts is not shaped like Danish
    (*dpkg-reconfigure*, *debconf-variabler* is Danish-shaped and stays a candidate).

    >>> text = "Hent initrd.gz og kør dpkg-reconfigure eller intallere"
    >>> [_technical(text, m) for m in _TOKEN.finditer(text)]
    [False, True, False, False, True, False, False]
    """
    before = text[match.start() - 1 : match.start()]
    after = text[match.end() : match.end() + 2]
    if before in ("/", "=", "_", "$", "<") or after[:1] in ("/", "=", "_", "(", "<"):
        return True
    if after[:1] == "." and after[1:].isalnum():
        return True
    parts = match.group(0).lower().split("-")
    return len(parts) > 1 and not all(danish_shaped(p) for p in parts)


def _unknown(word: str, rules: FixRules, terms: frozenset[str] = frozenset()) -> bool:
    """A word the dictionary rejects is still no misspelling when the article uses it as a
    term (one of its ``terms``, in three or more sentences), when it is an English word (the
    English-left-in check decides about those), or when the analyser knows it or reads it as
    a compound of Danish nouns and adjectives (*partitioneringsværktøj*).

    >>> rules = load_fix_rules(grammar=False)
    >>> [_unknown(w, rules, frozenset({"initrd"})) for w in ("initrd", "intallere")]
    [False, True]
    """
    lower = word.lower()
    if lower in terms or not danish_shaped(lower):
        return False
    checker = rules.checker
    if checker is None:
        return True
    if zipf(lower, "en") >= ENGLISH_ZIPF:
        return False
    if _known_part(lower, rules) or (
        checker.analyser is not None and plain_readings(checker.analyser.readings(word))
    ):
        return False
    return not checker.compound(lower) and not _loose_compound(lower, rules)


_VOWELS = frozenset("aeiouyæøåéèêëáàäöü")
# Consonants a Danish word (or a Danish typo) can begin with.
_ONSETS = frozenset(
    """b c d f g h j k l m n p r s t v bl br dr dv fj fl fr gl gn gr hj hv kl kn kr kv pj pl pr
    sk skr skj sl sm sn sp spl spr st str sv tj tr tv vr sj ch sch sh th ph bj mj nj""".split()
)
_FOREIGN_LETTERS = re.compile(r"[qwxz]")


def danish_shaped(lower: str) -> bool:
    """Could be a Danish word or a misspelt one: it has a vowel, begins with consonants a
    Danish word begins with, and has no q, w, x or z. Command and program names (*dpkg*,
    *lspci*, *wget*, *dhcpd*) are not.

    >>> [danish_shaped(w) for w in ("intallere", "sytsem", "dpkg", "lspci", "wget", "dhcpd")]
    [True, True, False, False, False, False]
    """
    first_vowel = next((i for i, c in enumerate(lower) if c in _VOWELS), None)
    if first_vowel is None:
        return False
    onset = lower[:first_vowel]
    return (not onset or onset in _ONSETS) and not _FOREIGN_LETTERS.search(lower)


def _known_part(lower: str, rules: FixRules, tail: str = "") -> bool:
    """A word that can start a compound: Danish (dictionary or analyser), or common English
    before a ``tail`` that is not (Danish compounds take English heads: *rootkontoen*,
    *stockbilleder*; *cashback* is English through and through)."""
    checker = rules.checker
    return len(lower) >= 4 and (
        rules.lexicon.is_word(lower)
        or (checker is not None and checker.analyser is not None
            and bool(plain_readings(checker.analyser.readings(lower))))
        or (zipf(lower, "en") >= 4.0 and zipf(tail, "en") < 4.0)
    )


def _loose_compound(lower: str, rules: FixRules, depth: int = 0) -> bool:
    """A known word of four letters or more, with or without a linking -s- or -e-, then a
    noun or adjective the analyser knows (*partitioneringsværktøj*, *swappartition*): looser
    than Hunspell's compound rules, for the unknown-word check only."""
    checker = rules.checker
    if checker is None:
        return False
    key = (lower, depth)
    cached = rules.compound_cache.get(key)
    if cached is not None:
        return cached
    found = False
    for cut in range(4, len(lower) - 3):
        head, tail = lower[:cut], lower[cut:]
        if not (checker.compound_part(tail) or (
            depth < 2 and _loose_compound(tail, rules, depth + 1)
        )):
            continue
        heads = [head] + ([head[:-1]] if head[-1] in "se" else [])
        if any(_known_part(h, rules, tail) or checker.compound(h) for h in heads):
            found = True
            break
    rules.compound_cache[key] = found
    return found


# An unknown word at least this common in English (wordfreq's Zipf scale) is English.
ENGLISH_ZIPF = 3.0

"""fix stage: garbled phrases, casing, and flags for what is only suspicious.

Order per sentence: phrase rules from ``data/phrases.tsv`` (replace or flag), then Title Case
headings to sentence case, names and brands from the casing lexicon, the sentence start, and
last the flags that change nothing (English fragments, unknown words, doubled words, number
compounds, capitalised months). Every edit and flag carries its rule id and the reason an
editor sees; see :func:`rule_reasons` (``daen rules``).

Entry points for other stages: :func:`load_fix_rules`, :func:`fix_article`,
:meth:`FixRules.table_hashes`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import casing
from pipeline.document import Article, Paragraph, Sentence
from pipeline.lexicon import Lexicon, find_dictionary, load_lexicon
from pipeline.phrases import (
    Fragment,
    PhraseRule,
    load_fragments,
    load_phrase_table,
    overlaps,
    protected_spans,
)
from pipeline.segment import (
    FINAL_ABBREVIATIONS,
    NON_FINAL_ABBREVIATIONS,
    SPEECH_VERBS,
    is_dotted_abbreviation,
    starts_clause,
)
from pipeline.spans import changed_spans

STAGE = "fix"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
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


@dataclass
class FixRules:
    """Everything the fix stage needs, loaded once: lexicon, phrase rules, English fragments."""

    lexicon: Lexicon
    phrases: list[PhraseRule]
    fragments: list[Fragment]
    tables: dict[str, Path] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()

    def table_hashes(self) -> dict[str, str]:
        """SHA-256 of every table (and the dictionary) the rules came from, by file name."""
        hashes = {}
        for name, path in sorted(self.tables.items()):
            if path.exists():
                hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        return hashes

    def enabled(self, rule_id: str) -> bool:
        return rule_id not in self.disabled


def load_fix_rules(
    data_dir: Path | None = None, dictionary: Path | bool | None = True
) -> FixRules:
    """Load the tables in ``data_dir`` (default: the project's ``data/``) and the dictionary.

    Raises :class:`~pipeline.errors.RuleTableError` for a broken table.
    """
    data = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    tables = {
        PHRASES_FILE: data / PHRASES_FILE,
        NAMES_FILE: data / NAMES_FILE,
        FRAGMENTS_FILE: data / FRAGMENTS_FILE,
    }
    phrases = load_phrase_table(tables[PHRASES_FILE]) if tables[PHRASES_FILE].exists() else []
    fragments = load_fragments(tables[FRAGMENTS_FILE])
    lexicon = load_lexicon(tables[NAMES_FILE], dictionary)
    if lexicon.hunspell is not None:
        tables[lexicon.hunspell.path.name] = lexicon.hunspell.path
    return FixRules(lexicon, phrases, fragments, tables)


def table_files(
    data_dir: Path | None = None, dictionary: Path | bool | None = True
) -> dict[str, Path]:
    """The files :func:`load_fix_rules` reads, by name, without loading them (the run key
    hashes them): the tables that exist in ``data_dir`` and the dictionary, if any."""
    data = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    files = {name: data / name for name in (PHRASES_FILE, NAMES_FILE, FRAGMENTS_FILE)}
    files = {name: path for name, path in files.items() if path.is_file()}
    found = find_dictionary() if dictionary is True else (dictionary or None)
    if isinstance(found, Path) and found.is_file():
        files[found.name] = found
    return files


def rule_reasons(
    rules: FixRules | None = None, data_dir: Path | None = None
) -> list[tuple[str, str]]:
    """``(rule_id, reason)`` of every fix-stage rule and flag (phrase rules from the table)."""
    rows = [(rule_id, casing.reason(rule_id)) for rule_id in casing.RULE_IDS]
    rows += list(FLAG_REASONS.items())
    phrases = rules.phrases if rules is not None else _phrase_rules_only(data_dir)
    rows += [(rule.rule_id, f"{rule.reason} ({rule.action})") for rule in phrases]
    return rows


def _phrase_rules_only(data_dir: Path | None) -> list[PhraseRule]:
    path = (Path(data_dir) if data_dir else DEFAULT_DATA_DIR) / PHRASES_FILE
    return load_phrase_table(path) if path.exists() else []


# --------------------------------------------------------------------------------------------


def fix_article(article: Article, rules: FixRules) -> Article:
    """The fix stage: phrases, casing and flags on every sentence of the article."""
    body = [s.text for p in article.paragraphs if p.kind != "heading" for s in p.sentences]
    names = casing.attested_names(body)
    previous: Paragraph | None = None
    for paragraph in article.paragraphs:
        fix_paragraph(paragraph, rules, previous, names)
        previous = paragraph
    return article


def fix_paragraph(
    paragraph: Paragraph, rules: FixRules, previous: Paragraph | None = None,
    names: dict[str, str] | None = None,
) -> None:
    """Fix one paragraph; ``names`` are the names the article capitalises inside its
    sentences (:func:`casing.attested_names`)."""
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
            english = [m.span() for f in rules.fragments for m in f.regex.finditer(sentence.text)]
            _record(sentence, "casing.lexicon",
                    casing.restore_name_casing(sentence.text, rules.lexicon, english))
        if names and rules.enabled("casing.article_name"):
            _record(sentence, "casing.article_name",
                    casing.restore_attested_names(sentence.text, names, rules.lexicon))
        if rules.enabled("casing.sentence_start"):
            _fix_sentence_start(paragraph, index, sentence, rules, previous)
        flag_suspicious(sentence, rules, sentence_start=True)


def _record(sentence: Sentence, rule_id: str, new_text: str) -> int:
    spans = changed_spans(sentence.text, new_text)
    return sentence.apply_edits(STAGE, rule_id, spans, casing.reason(rule_id))


def apply_phrases(sentence: Sentence, rules: FixRules) -> None:
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
_TOKEN = re.compile(r"(?<![\w@#.-])[^\W\d_]+(?:-[^\W\d_]+)*(?![\w@-])")


def flag_suspicious(sentence: Sentence, rules: FixRules, sentence_start: bool = True) -> None:
    text = sentence.text
    spans = protected_spans(text)
    for fragment in rules.fragments:
        for match in fragment.regex.finditer(text):
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
        if word in {w.capitalize() for w in casing.MONTHS_AND_DAYS} and match.start() != first:
            sentence.add_flag(
                STAGE, "casing.capitalised_month", match.start(), match.end(),
                FLAG_REASONS["casing.capitalised_month"], severity="info",
                suggestion=word.lower(),
            )
    if rules.lexicon.has_dictionary:
        _flag_unknown_words(sentence, rules.lexicon, spans, first)


def _flag_unknown_words(
    sentence: Sentence, lexicon: Lexicon, spans: list[tuple[int, int]], first: int | None
) -> None:
    text = sentence.text
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if overlaps(match.start(), match.end(), spans):
            continue
        for part_match in re.finditer(r"[^\W\d_]+", token):
            part = part_match.group(0)
            start = match.start() + part_match.start()
            if len(part) < 4 or part.isupper() or any(c.isupper() for c in part[1:]):
                continue
            if part[0].isupper() and start != first:
                continue  # a name
            if lexicon.knows(part):
                continue
            sentence.add_flag(
                STAGE, "fix.unknown_word", start, start + len(part),
                FLAG_REASONS["fix.unknown_word"], severity="info",
            )

"""normalize stage: Unicode, mojibake, invisible characters, spaces, quotes, apostrophes, dashes.

Each rule is a small ``str -> str`` function. Its name is its stable rule id and the first line
of its docstring is the reason an editor sees. The rules live by kind in
:mod:`~pipeline.text.encoding` (mojibake and Unicode), :mod:`~pipeline.text.punctuation`
(apostrophes, spaces, abbreviations, dashes) and :mod:`~pipeline.text.quotes`; this module is
their registry and the stage. :func:`normalize_article` applies the rules in
:data:`RULE_ORDER` to every sentence and records an edit only where a rule changed the text.

Quotation marks are the one paragraph-level rule: a quotation may span several sentences, so
:func:`pair_quotes` sees the whole paragraph and its changes are handed back to the sentences.
Rules that could be wrong on correct Danish raise flags instead of changing the text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline import rules as declared
from pipeline.document import Article, Paragraph, Sentence
from pipeline.rules import ENCODING, PUNCTUATION, Kind
from pipeline.text.encoding import (
    CONTROL,
    ENTITY,
    INVISIBLE,
    LIGATURE,
    MARKUP_ENTITY,
    MOJIBAKE_HINT,
    WIDE,
    compose_unicode,
    fix_character_width,
    fix_latin_ligatures,
    fix_mojibake,
    fix_mojibake_words,
    lexicon_knows,
    remove_control_characters,
    remove_invisible_characters,
    unescape_html_entities,
)
from pipeline.text.punctuation import (
    APOSTROPHE_TRIGGER,
    abbreviation_trigger,
    fix_abbreviation_periods,
    join_apostrophes,
    join_compound_dashes,
    normalize_spaces,
    remove_space_before_punctuation,
    use_en_dash_between_clauses,
)
from pipeline.text.quotes import (
    ANY_QUOTE,
    AUTO_QUOTE_STYLE,
    DEFAULT_QUOTE_STYLE,
    QUOTE_STYLES,
    QuoteStyle,
    detect_quote_style,
    find_quote_pairs,
    pair_quotes,
)
from pipeline.text.spans import Span, changed_spans

STAGE = "normalize"


# --------------------------------------------------------------------------------------------
# Registry and stage


@dataclass(frozen=True)
class Rule:
    rule_id: str
    function: Callable[..., str]
    level: str  # "sentence" or "paragraph"
    # A quick test that the rule may have work in a sentence (None: always run it). It only
    # saves calls: the rule itself is a no-op where the test is false.
    trigger: Callable[[str], object] | None = None
    # The rule asks the casing lexicon (names.txt of the run's data folder) whether a word is
    # Danish: the stage passes it ``knows`` (NormalizeConfig.knows).
    uses_names: bool = False
    kind: Kind = PUNCTUATION

    @property
    def reason(self) -> str:
        doc = self.function.__doc__ or ""
        return doc.strip().splitlines()[0] if doc.strip() else self.rule_id


# Order matters: encoding repair first (it can produce quotes and spaces), quotes before the
# spacing rules that look at them.
RULE_ORDER: list[Rule] = [
    Rule("fix_mojibake", fix_mojibake, "sentence", MOJIBAKE_HINT.search, kind=ENCODING),
    Rule(
        "fix_mojibake_words", fix_mojibake_words, "sentence", MOJIBAKE_HINT.search,
        uses_names=True, kind=ENCODING,
    ),
    Rule(
        "unescape_html_entities", unescape_html_entities, "sentence", ENTITY.search,
        kind=ENCODING,
    ),
    Rule(
        "remove_control_characters", remove_control_characters, "sentence", CONTROL.search,
        kind=ENCODING,
    ),
    Rule(
        "remove_invisible_characters", remove_invisible_characters, "sentence",
        INVISIBLE.search, kind=ENCODING,
    ),
    Rule("fix_character_width", fix_character_width, "sentence", WIDE.search, kind=ENCODING),
    Rule("fix_latin_ligatures", fix_latin_ligatures, "sentence", LIGATURE.search, kind=ENCODING),
    Rule(
        "compose_unicode", compose_unicode, "sentence", lambda text: not text.isascii(),
        kind=ENCODING,
    ),
    Rule("join_apostrophes", join_apostrophes, "sentence", APOSTROPHE_TRIGGER.search),
    Rule("pair_quotes", pair_quotes, "paragraph"),
    Rule("normalize_spaces", normalize_spaces, "sentence"),
    Rule("remove_space_before_punctuation", remove_space_before_punctuation, "sentence"),
    Rule("fix_abbreviation_periods", fix_abbreviation_periods, "sentence", abbreviation_trigger),
    Rule("join_compound_dashes", join_compound_dashes, "sentence"),
    Rule("use_en_dash_between_clauses", use_en_dash_between_clauses, "sentence"),
]
RULES: dict[str, Rule] = {rule.rule_id: rule for rule in RULE_ORDER}

# Flags this stage raises (rule id -> what the editor is told).
FLAG_REASONS: dict[str, str] = {
    "quote_unpaired": "Quotation mark without a partner; check where the quote starts or ends.",
    "markup_entity_kept": "HTML-escaped markup (&lt; &gt;) left as written; check the source.",
}

#: The stage's rules for :mod:`pipeline.registry`: each edit rule above, then the flags.
DECLARED_RULES: tuple[declared.Rule, ...] = (
    *(declared.Rule(rule.rule_id, STAGE, rule.kind, "edit", rule.reason) for rule in RULE_ORDER),
    declared.Rule("quote_unpaired", STAGE, PUNCTUATION, "flag", FLAG_REASONS["quote_unpaired"]),
    declared.Rule(
        "markup_entity_kept", STAGE, ENCODING, "flag", FLAG_REASONS["markup_entity_kept"]
    ),
)


@dataclass(frozen=True)
class NormalizeConfig:
    """One switch per rule (all on by default), the house quote style, and the folder whose
    ``names.txt`` tells which words are Danish (None: the tables that ship with daen; the run
    key covers its content through the fix stage's tables, which come from the same folder)."""

    disabled: frozenset[str] = frozenset()
    quote_style: str = DEFAULT_QUOTE_STYLE
    data_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.data_dir is not None and not Path(self.data_dir).is_dir():
            raise ValueError(f"data: {self.data_dir} is not a folder")
        unknown = set(self.disabled) - set(RULES)
        if unknown:
            raise ValueError(f"unknown normalize rule(s): {', '.join(sorted(unknown))}")
        if self.quote_style not in QUOTE_STYLES and self.quote_style != AUTO_QUOTE_STYLE:
            raise ValueError(
                f"unknown quote style {self.quote_style!r}; "
                f"choose one of {AUTO_QUOTE_STYLE}, {', '.join(QUOTE_STYLES)}"
            )

    def enabled(self) -> list[Rule]:
        return [rule for rule in RULE_ORDER if rule.rule_id not in self.disabled]

    def arguments(self, rule: Rule) -> tuple[object, ...]:
        """What a sentence rule is called with besides the text."""
        return (lexicon_knows(self.data_dir),) if rule.uses_names else ()


def normalize_text(text: str, config: NormalizeConfig | None = None) -> str:
    """Apply every enabled rule to one piece of text (a sentence or a short paragraph)."""
    config = config or NormalizeConfig()
    name = config.quote_style
    style = QUOTE_STYLES[detect_quote_style([text]) if name == AUTO_QUOTE_STYLE else name]
    for rule in config.enabled():
        if rule.level == "paragraph":
            text = rule.function(text, style)
        else:
            text = rule.function(text, *config.arguments(rule))
    return text


def apply_sentence_rule(sentence: Sentence, rule: Rule, *args: object) -> int:
    """Apply a ``str -> str`` rule to a sentence, recording one edit per changed span."""
    after = rule.function(sentence.text, *args)
    if after == sentence.text:
        return 0  # most rules change nothing in most sentences
    return record_spans(sentence, rule, changed_spans(sentence.text, after))


def record_spans(sentence: Sentence, rule: Rule, spans: list[Span], stage: str = STAGE) -> int:
    # One pass over the text, recorded as if applied right to left (offsets stay valid).
    return sentence.apply_edits(stage, rule.rule_id, spans, rule.reason)


# Every sentence rule needs one of these to have anything to do. Most correct sentences have
# none, so a few quick searches spare them a dozen rule calls. (One big alternation of the
# rules' own patterns is five times slower than these.)
_TRIGGER_CHARS = re.compile(
    "[&\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2060-\u2064\u00ad\ufeff"
    "\u3000\uff01-\uffef\ufb00-\ufb06\u0132\u0133\u01c4-\u01cc\u01f1-\u01f3"
    "\u00a0\u1680\u2000-\u200a\u202f\u205f\t\n\r‘’`´′]"
)
_TRIGGER_SPACES = re.compile(" [ ,.:;!?'\u2013\u2014-]|'\\s")


def could_change(text: str) -> bool:
    """Whether any sentence rule might change ``text`` (a fast, safe over-approximation)."""
    return bool(
        _TRIGGER_CHARS.search(text)
        or _TRIGGER_SPACES.search(text)
        or abbreviation_trigger(text)
        or text.startswith(" ")
        or text.endswith(" ")
        or MOJIBAKE_HINT.search(text)
        or not unicodedata.is_normalized("NFC", text)
    )


# A rule can expose work for an earlier one (an entity that becomes a no-break space, a space
# that lets ftfy see mojibake), so the rules run again until nothing changes.
MAX_PASSES = 3


def normalize_paragraph(
    paragraph: Paragraph, config: NormalizeConfig | None = None, style_name: str | None = None
) -> None:
    """Normalize one paragraph; ``style_name`` is the article's quote style when resolved."""
    config = config or NormalizeConfig()
    name = style_name or config.quote_style
    if name == AUTO_QUOTE_STYLE:
        name = detect_quote_style([_joined(paragraph)])
    style = QUOTE_STYLES[name]
    dirty = [s for s in paragraph.sentences if could_change(s.text)]
    for _ in range(MAX_PASSES):
        before = [len(s.edits) for s in paragraph.sentences]
        for rule in config.enabled():
            if rule.level == "sentence":
                trigger = rule.trigger
                arguments = config.arguments(rule)
                for sentence in dirty:
                    if trigger is None or trigger(sentence.text):
                        apply_sentence_rule(sentence, rule, *arguments)
            else:
                _apply_quote_rule(paragraph, rule, style)
        dirty = [
            s
            for s, n in zip(paragraph.sentences, before, strict=True)
            if len(s.edits) > n and could_change(s.text)
        ]
        if not dirty:
            break
    _flag_kept_markup(paragraph)


def _apply_quote_rule(paragraph: Paragraph, rule: Rule, style: QuoteStyle) -> int:
    joined = _joined(paragraph)
    if not ANY_QUOTE.search(joined):
        return 0
    pairing = find_quote_pairs(joined, style)
    if not pairing.replacements and not pairing.unpaired:
        return 0
    replacements = sorted(pairing.replacements.items())
    changes = 0
    offset = 0
    for sentence in paragraph.sentences:
        start, end = offset, offset + len(sentence.text)
        offset = end + len(sentence.space_after)
        lo = bisect_left(replacements, (start, ""))
        hi = bisect_left(replacements, (end, ""))
        spans = [
            Span(pos - start, pos - start + 1, char)
            for pos, char in replacements[lo:hi]
            if sentence.text[pos - start] != char
        ]
        changes += record_spans(sentence, rule, spans)
        unpaired = pairing.unpaired
        for index in range(bisect_left(unpaired, start), bisect_left(unpaired, end)):
            pos = unpaired[index]
            if _mentioned_mark(sentence.text, pos - start):
                continue
            sentence.add_flag(
                STAGE, "quote_unpaired", pos - start, pos - start + 1,
                FLAG_REASONS["quote_unpaired"], severity="info",
            )
    return changes


def _mentioned_mark(text: str, pos: int) -> bool:
    """A straight quote, backtick or acute accent that touches no letter or digit is the
    character itself, mentioned (*undgå tegnene ", : og >*; *tryk på ` og så et bogstav*), not
    a quotation left open.

    >>> _mentioned_mark('Undgå tegnene <, ", : og >.', 17), _mentioned_mark('Han sagde "nej.', 10)
    (True, False)
    """
    if text[pos] not in "\"'`´":
        return False
    before = text[pos - 1 : pos]
    after = text[pos + 1 : pos + 2]
    return not (before.isalnum() or after.isalnum())


def _joined(paragraph: Paragraph) -> str:
    return "".join(s.text + s.space_after for s in paragraph.sentences)


def _flag_kept_markup(paragraph: Paragraph) -> None:
    for sentence in paragraph.sentences:
        for match in MARKUP_ENTITY.finditer(sentence.text):
            sentence.add_flag(
                STAGE, "markup_entity_kept", match.start(), match.end(),
                FLAG_REASONS["markup_entity_kept"], severity="info",
            )


def normalize_article(article: Article, config: NormalizeConfig | None = None) -> Article:
    """The normalize stage: apply every enabled rule to every paragraph of the article."""
    config = config or NormalizeConfig()
    style_name = config.quote_style
    if style_name == AUTO_QUOTE_STYLE:
        style_name = detect_quote_style([_joined(p) for p in article.paragraphs])
    for paragraph in article.paragraphs:
        normalize_paragraph(paragraph, config, style_name)
    return article

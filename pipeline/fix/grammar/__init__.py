"""Grammar, English-left-in, leakage and word-sense checks for machine-translated Danish.

The rules work from general signals rather than phrase lists: the Danish morphological
analyser (:mod:`pipeline.fix.analyser`: part of speech, gender, number, definiteness), the Danish
Hunspell dictionary (:mod:`pipeline.text.lexicon`), word frequencies (``wordfreq``, English and
Danish) and the Norwegian analyser, plus one small table of false friends
(``data/false_friends.tsv``). Each rule has a stable id and a reason (its docstring's first
line), and says whether it changes the text (only where the change is right in every context)
or flags it. :func:`check_article` runs them all after the fix stage's own rules.

This module is the registry and the entry point; the rules live by family:
:mod:`~pipeline.fix.grammar.surface` (spacing, punctuation, months, repeats, capitals),
:mod:`~pipeline.fix.grammar.agreement`, :mod:`~pipeline.fix.grammar.word_order`,
:mod:`~pipeline.fix.grammar.english`, :mod:`~pipeline.fix.grammar.leakage` and
:mod:`~pipeline.fix.grammar.spelling`, on what :mod:`~pipeline.fix.grammar.core` provides.

Without the analyser (``lt-proc`` or ``apertium-dan-nor`` missing) the rules that need it are
skipped (:func:`pipeline.fix.stage.load_fix_rules` says so in its notices); the text-only rules
(spacing, months, repeats) still run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.document import Article, Sentence
from pipeline.fix.grammar.agreement import (
    double_definite,
    gender_agreement,
    pronoun_gender,
    subject_gender,
)
from pipeline.fix.grammar.core import (
    FALSE_FRIENDS_FILE,
    LOANWORDS_FILE,
    STAGE,
    ArticleContext,
    Checker,
    Context,
    Finding,
    article_terms,
    load_false_friends,
    load_loanwords,
    prefetch_words,
    tokenize,
)
from pipeline.fix.grammar.english import english_left_in
from pipeline.fix.grammar.leakage import false_friends, norwegian_leakage
from pipeline.fix.grammar.spelling import SPELLING_REASON, tidy_unknown_words
from pipeline.fix.grammar.surface import (
    REPEATED_PARAGRAPH_REASON,
    capitalised_common_word,
    flag_repeated_paragraphs,
    join_spaced_hyphen,
    kan_as_month,
    month_casing,
    repeated_phrase,
    space_after_colon,
    unflag_continued_quotations,
)
from pipeline.fix.grammar.word_order import (
    adverb_placement,
    embedded_question_order,
    enumeration_question,
    intro_comma,
    preposition_relative,
)
from pipeline.fix.phrases import protected_spans
from pipeline.text.lexicon import Lexicon

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
    "grammar.repeated_paragraph": REPEATED_PARAGRAPH_REASON,
    "spelling.suggestion": SPELLING_REASON,
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


def check_article(
    article: Article, checker: Checker, disabled: frozenset[str] = frozenset()
) -> Article:
    """Run every rule (but the ``disabled`` ones) over every sentence; edits are applied,
    flags added. What the rules need to know about the article is made here, per call: the
    checker is not changed."""
    sentences = list(article.sentences())
    if checker.analyser is not None:
        prefetch_words(checker, checker.analyser, sentences)
    facts = ArticleContext(_capitalised_inside(article), article_terms(sentences), disabled)
    for paragraph in article.paragraphs:
        previous = None
        for index, sentence in enumerate(paragraph.sentences):
            check_sentence(sentence, checker, facts, first=index == 0, previous=previous)
            if checker.analyser is not None:
                previous = subject_gender(checker, sentence.text)
    if facts.enabled("grammar.repeated_paragraph"):
        flag_repeated_paragraphs(article)
    unflag_continued_quotations(article)
    return article


def _capitalised_inside(article: Article) -> dict[str, int]:
    counts: dict[str, int] = {}
    lower_seen: set[str] = set()
    for sentence in article.sentences():
        for i, token in enumerate(tokenize(sentence.text)):
            if token.text.islower():
                lower_seen.add(token.text)
            elif i > 0 and token.text[0].isupper() and token.text[1:].islower():
                counts[token.lower] = counts.get(token.lower, 0) + 1
    # Only a word the article also writes in lower case, and capitalises once, is suspect:
    # a word capitalised again and again is a label or a name (Klik på Lyd).
    return {w: n for w, n in counts.items() if w in lower_seen}


def check_sentence(
    sentence: Sentence,
    checker: Checker,
    article: ArticleContext,
    first: bool = True,
    previous: str | None = None,
) -> None:
    """Every rule over one sentence; ``previous`` is the gender of the previous sentence's
    noun subject (:func:`~pipeline.fix.grammar.agreement.subject_gender`)."""
    ctx: Context | None = None
    for rule_id, (rule, needs_analyser) in RULES.items():
        if not article.enabled(rule_id) or (needs_analyser and checker.analyser is None):
            continue
        if ctx is None or ctx.seen != sentence.text:  # tokenise again only after an edit
            ctx = Context(
                sentence, tokenize(sentence.text), checker, article,
                protected_spans(sentence.text), first, previous, seen=sentence.text,
            )
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
    tidy_unknown_words(sentence, checker, article)


def load_grammar_checker(data_dir: Path, lexicon: Lexicon) -> Checker:
    """The checker with its tables from ``data_dir`` and the analyser where installed."""
    from pipeline.fix.analyser import load_analyser

    tables = {name: data_dir / name for name in (FALSE_FRIENDS_FILE, LOANWORDS_FILE)}
    return Checker(
        lexicon,
        load_analyser(),
        tuple(load_false_friends(tables[FALSE_FRIENDS_FILE])),
        load_loanwords(tables[LOANWORDS_FILE]),
        {name: path for name, path in tables.items() if path.exists()},
    )

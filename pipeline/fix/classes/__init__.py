"""The class detectors, run over an article: split compounds, construction calques, verb
second, and numbers, dates and punctuation as English writes them.

Each detector (the modules ``compounds``, ``calques``, ``numbers`` and ``verb_second`` of this
package) reads one sentence's text and returns what it found; this module adds the
findings to the sentences as flags (text unchanged), each with its rule id, its reason and a
concrete suggestion. The fix stage calls :func:`check_classes` once per article, after its
own rules. The package imports only the document, the rules, the text part and the fix
stage's dictionary and analyser.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from pipeline.document import Article, Sentence
from pipeline.fix.classes.calques import check_calques
from pipeline.fix.classes.calques import rule_reasons as calque_reasons
from pipeline.fix.classes.compounds import REASON as COMPOUND_REASON
from pipeline.fix.classes.compounds import RULE_ID as COMPOUND_RULE
from pipeline.fix.classes.compounds import check_split_compounds
from pipeline.fix.classes.numbers import REASONS as NUMBER_REASONS
from pipeline.fix.classes.numbers import check_numbers
from pipeline.fix.classes.tools import STAGE, ClassFlag, ClassTools, load_class_tools, tokenise
from pipeline.fix.classes.verb_second import REASON as ORDER_REASON
from pipeline.fix.classes.verb_second import RULE_ID as ORDER_RULE
from pipeline.fix.classes.verb_second import check_verb_second
from pipeline.rules import GRAMMAR, PUNCTUATION, SPELLING, Kind

Detector = Callable[[str, ClassTools], list[ClassFlag]]
DETECTORS: tuple[Detector, ...] = (
    check_split_compounds, check_calques, check_numbers, check_verb_second,
)


def check_sentence_classes(sentence: Sentence, tools: ClassTools,
                           disabled: frozenset[str] = frozenset()) -> None:
    """Add every class detector's flags to ``sentence`` (a rule id or its prefix in
    ``disabled`` is skipped)."""
    text = sentence.text
    for detector in DETECTORS:
        for flag in detector(text, tools):
            if flag.rule_id in disabled or flag.rule_id.split(".")[0] in disabled:
                continue
            sentence.add_flag(STAGE, flag.rule_id, flag.start, flag.end, flag.reason,
                              severity=flag.severity, suggestion=flag.suggestion)


def check_classes(article: Article, tools: ClassTools,
                  disabled: frozenset[str] = frozenset()) -> None:
    """The class detectors over every sentence of ``article`` (flags only).

    >>> from pipeline.text.segment import segment_text
    >>> article = segment_text("Kontakt vores kunde service ( åbent alle dage ).", "x.txt")
    >>> check_classes(article, default_tools())
    >>> sorted((f.rule_id, f.suggestion) for s in article.sentences() for f in s.flags)
    [('compound.split', 'kundeservice'), ('punctuation.bracket_space', '(åbent alle dage)')]
    """
    sentences = list(article.sentences())
    if tools.analyser is not None:  # one batch for the article's words
        tools.analyse({w for s in sentences for t in tokenise(s.text) for w in (t.text, t.lower)})
    for sentence in sentences:
        check_sentence_classes(sentence, tools, disabled)


def class_kinds() -> list[tuple[str, Kind, str]]:
    """``(rule_id, kind, reason)`` of the detectors' own rules (the calque rows are the
    ``calque.`` family of :mod:`pipeline.fix.declared`)."""
    kinds = [(COMPOUND_RULE, SPELLING, COMPOUND_REASON), (ORDER_RULE, GRAMMAR, ORDER_REASON)]
    return kinds + [(rule_id, PUNCTUATION, reason) for rule_id, reason in NUMBER_REASONS.items()]


def rule_reasons(tools: ClassTools | None = None) -> list[tuple[str, str]]:
    """``(rule_id, reason)`` of every class rule (``daen rules``)."""
    rows = [(COMPOUND_RULE, COMPOUND_REASON), (ORDER_RULE, ORDER_REASON), *NUMBER_REASONS.items()]
    return rows + calque_reasons(tools or default_tools())


@lru_cache(maxsize=1)
def default_tools() -> ClassTools:
    """The project's dictionary and analyser, loaded once per process (doctests, the bench)."""
    from pipeline.fix.analyser import load_analyser
    from pipeline.text.lexicon import load_lexicon
    from pipeline.text.tables import default_data_dir

    lexicon = load_lexicon(default_data_dir() / "names.txt")
    return load_class_tools(lexicon, load_analyser())

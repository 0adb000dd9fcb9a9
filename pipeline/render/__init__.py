"""Editor outputs: every file is a rendering of the article record (see ``pipeline.document``).

- :mod:`pipeline.render.text`: cleaned Danish, English back-translation, word diff (``.diff``)
- :mod:`pipeline.render.html`: the review page of one article
- :mod:`pipeline.render.index`: the batch index page
- :mod:`pipeline.render.worddiff`: word-level diffs used by all of them

Renderers are pure functions from records to strings; the batch writes the files.

May import: :mod:`pipeline.document`, the stages (for the types they render),
:mod:`pipeline.registry` (what each rule is) and the core.
Not :mod:`pipeline.run`, :mod:`pipeline.editor` nor the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pipeline.document import Article, Sentence, Translation

TranslationState = Literal["translated", "partial", "missing", "disabled", "empty"]

# A translation whose mean token log-probability is below this is marked low-confidence when
# the translator raised no flag of its own on it.
LOW_CONFIDENCE_SCORE = -1.0


@dataclass(frozen=True)
class TranslationNote:
    """Why an article has no back-translation (``None`` in renderers when it has one)."""

    state: TranslationState
    message: str = ""

    @property
    def headline(self) -> str:
        if self.state == "disabled":
            return "Back-translation missing: not requested (--no-translate)."
        detail = f" {self.message}" if self.message else ""
        if self.state == "partial":
            return f"Back-translation missing for some sentences.{detail}"
        if self.state == "missing":
            return f"Back-translation missing: the model was not available.{detail}"
        return ""


def translation_state(article: Article, note: TranslationNote | None = None) -> TranslationState:
    """``translated`` when every sentence has a translation; otherwise why not."""
    sentences = list(article.sentences())
    if not sentences:
        return "empty"
    done = sum(1 for s in sentences if s.translation is not None)
    if done == len(sentences):
        return "translated"
    if note is not None and note.state == "disabled":
        return "disabled"
    return "partial" if done else "missing"


def is_low_confidence(translation: Translation | None) -> bool:
    if translation is None:
        return False
    if translation.flags:
        return True
    return translation.score is not None and translation.score < LOW_CONFIDENCE_SCORE


def low_confidence_reason(translation: Translation) -> str:
    reasons = [f"{flag.rule_id}: {flag.reason}" for flag in translation.flags]
    if not reasons:
        reasons.append(
            f"model score {translation.score:.2f} is below {LOW_CONFIDENCE_SCORE}: "
            "the model was unsure; check the Danish sentence."
        )
    return "; ".join(reasons)


def sentence_label(paragraph_index: int, sentence_index: int) -> str:
    return f"{paragraph_index + 1}.{sentence_index + 1}"


def counts(article: Article) -> dict[str, int]:
    """Sentences, edits, flags and low-confidence translations of one article."""
    sentences: list[Sentence] = list(article.sentences())
    return {
        "paragraphs": len(article.paragraphs),
        "sentences": len(sentences),
        "changed_sentences": sum(1 for s in sentences if s.changed),
        "edits": sum(len(s.edits) for s in sentences),
        "flags": len(article.flags) + sum(len(s.flags) for s in sentences),
        "translated": sum(1 for s in sentences if s.translation is not None),
        "low_confidence": sum(1 for s in sentences if is_low_confidence(s.translation)),
    }

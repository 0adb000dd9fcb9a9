"""qa stage: compare the back-translation with the English original, where there is one.

The articles were machine-translated from English. When the editor has the English original
(``<name>.en.txt`` beside the article, or the same relative name under ``--originals DIR``),
its sentences are aligned with the Danish sentences through their back-translations
(:mod:`pipeline.qa.align`), and the stage flags, on the Danish sentences:

- ``qa.divergent``: an aligned pair whose chrF is below the threshold (the Danish probably
  changed the meaning);
- ``qa.content_lost``: English sentences with no Danish counterpart (flagged, with the English
  text, at the place in the Danish where they are missing);
- ``qa.content_added``: a Danish sentence with no English counterpart.

The threshold, :data:`DEFAULT_THRESHOLD` = 40 chrF, sits between what the test pairs show for
faithful translations (a round trip through Danish scores 48–100, most above 75; short
headings lowest) and for sentences whose meaning changed (36 and below). Change it with
``QAConfig(threshold=...)`` (``daen run --qa-threshold``). chrF sees wording, not logic: a
flipped negation or a changed number in an otherwise identical sentence keeps a high score.

The alignment, the English sentences and the scores are kept in ``Article.qa`` (see
:func:`qa_record`), so the review page, the index and the exports can be rebuilt from the
record.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.document import Article, QAPair, QARecord, Sentence
from pipeline.errors import InputError
from pipeline.qa.align import AlignConfig, Alignment, Chrf, align, split_english
from pipeline.rules import TRANSLATION, Rule, flags

STAGE = "qa"
DEFAULT_THRESHOLD = 40.0
ORIGINAL_SUFFIX = ".en.txt"

FLAG_REASONS = {
    "qa.divergent": "The back-translation differs from the English original: the Danish may "
    "have changed the meaning.",
    "qa.content_lost": "The English original has text here that the Danish lacks.",
    "qa.content_added": "The Danish has a sentence that the English original lacks.",
    "qa.no_back_translation": "The English original could not be compared: the article has "
    "no back-translation.",
    "qa.original_empty": "The English original has no text to compare with.",
}
DECLARED_RULES: tuple[Rule, ...] = flags(STAGE, TRANSLATION, FLAG_REASONS)

_QUOTE_CHARS = 300  # how much English text a flag's reason quotes


@dataclass(frozen=True)
class QAConfig:
    """Settings of the qa stage."""

    threshold: float = DEFAULT_THRESHOLD  # chrF below which an aligned pair is flagged
    align: AlignConfig = field(default_factory=AlignConfig)

    def __post_init__(self) -> None:
        if not 0 <= self.threshold <= 100:
            raise ValueError(f"QA threshold {self.threshold} is outside 0–100 (chrF)")


# ---------------------------------------------------------------------------------------------
# Finding and reading originals


def is_original_name(name: str | Path) -> bool:
    """Whether a file name is an English original (``<name>.en.txt``), not a Danish article.

    >>> is_original_name("nyt/artikel.en.txt"), is_original_name("artikel.txt")
    (True, False)
    """
    return str(name).lower().endswith(ORIGINAL_SUFFIX)


def original_name(name: str | Path) -> str:
    """The file name of an article's English original.

    >>> original_name("artikel.txt"), original_name("sub/artikel.md")
    ('artikel.en.txt', 'sub/artikel.en.txt')
    """
    path = Path(name)
    return path.with_name(path.stem + ORIGINAL_SUFFIX).as_posix()


def find_original(
    article_path: Path, input_dir: Path | None = None, originals_dir: Path | None = None
) -> Path | None:
    """The English original of an article, or None.

    Looked for, in order: under ``originals_dir`` with the article's path relative to
    ``input_dir`` (as ``<name>.en.txt``, then under the article's own name), then beside the
    article as ``<name>.en.txt``.
    """
    candidates = []
    if originals_dir is not None:
        relative = Path(article_path.name)
        if input_dir is not None:
            with contextlib.suppress(ValueError):  # the article is outside input_dir
                relative = article_path.resolve().relative_to(input_dir.resolve())
        candidates += [originals_dir / original_name(relative), originals_dir / relative]
    candidates.append(article_path.with_name(original_name(article_path.name)))
    for candidate in candidates:
        if candidate.is_file() and candidate.resolve() != article_path.resolve():
            return candidate
    return None


def read_original(path: Path, name: str | None = None) -> tuple[str, str]:
    """The text of an English original and the SHA-256 of its bytes (raises InputError)."""
    from pipeline.text.reader import decode

    label = name or str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(label, f"cannot read the English original ({error.strerror})") from None
    text, _ = decode(data, label)
    return text, hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# The stage


def check_article(
    article: Article,
    original_text: str,
    config: QAConfig | None = None,
    *,
    original: str = "",
    original_sha256: str = "",
    chrf: Chrf | None = None,
) -> Article:
    """Align the article's back-translations with the English original; flag and record.

    Runs again cleanly: flags of an earlier qa run are removed first.
    """
    config = config or QAConfig()
    _clear(article)
    english = split_english(original_text)
    sentences = list(article.sentences())
    record: QARecord = {
        "original": original,
        "original_sha256": original_sha256,
        "threshold": config.threshold,
        "sentences": english,
        "pairs": [],
    }
    article.qa = record
    if not english:
        _article_flag(article, "qa.original_empty", "info")
        return article
    if not any(s.translation is not None for s in sentences):
        _article_flag(article, "qa.no_back_translation", "info")
        return article
    back_translations = [s.translation.text if s.translation else "" for s in sentences]
    alignment = align(english, back_translations, config.align, chrf)
    record["metric"] = alignment.signature
    record["pairs"] = _flag_pairs(alignment, english, sentences, config.threshold)
    _summarise(record, english, back_translations)
    return article


def _clear(article: Article) -> None:
    article.flags = [f for f in article.flags if f.stage != STAGE]
    for sentence in article.sentences():
        sentence.flags = [f for f in sentence.flags if f.stage != STAGE]


def _article_flag(article: Article, rule_id: str, severity: Any) -> None:
    from pipeline.document import Flag

    article.flags.append(Flag(rule_id, 0, 0, severity, FLAG_REASONS[rule_id], None, STAGE))


def _quote(text: str) -> str:
    if len(text) > _QUOTE_CHARS:
        text = text[: _QUOTE_CHARS - 1].rstrip() + "…"
    return f"“{text}”"


def _flag_pairs(
    alignment: Alignment, english: list[str], sentences: list[Sentence], threshold: float
) -> list[QAPair]:
    pairs: list[QAPair] = []
    lost: list[int] = []  # English sentences waiting for the next Danish sentence

    def flag_lost(before: int | None) -> None:
        if not lost:
            return
        text = " ".join(english[i] for i in lost)
        reason = f"{FLAG_REASONS['qa.content_lost']} The original says: {_quote(text)}"
        if before is not None:
            sentences[before].add_flag(STAGE, "qa.content_lost", 0, 0, reason)
        elif sentences:
            last = sentences[-1]
            end = len(last.text)
            last.add_flag(STAGE, "qa.content_lost", end, end, reason)
        lost.clear()

    for pair in alignment.pairs:
        rule = None
        if not pair.da:
            rule = "qa.content_lost"
            lost.extend(pair.en)
        else:
            flag_lost(pair.da[0])
            if not pair.en:
                rule = "qa.content_added"
                for j in pair.da:
                    sentence = sentences[j]
                    sentence.add_flag(STAGE, rule, 0, len(sentence.text), FLAG_REASONS[rule])
            elif pair.score is not None and pair.score < threshold:
                rule = "qa.divergent"
                text = " ".join(english[i] for i in pair.en)
                reason = (
                    f"{FLAG_REASONS[rule]} chrF {pair.score:.0f} is below {threshold:g}; "
                    f"the original says: {_quote(text)}"
                )
                for j in pair.da:
                    sentences[j].add_flag(STAGE, rule, 0, len(sentences[j].text), reason)
        pairs.append({"en": list(pair.en), "da": list(pair.da), "chrf": pair.score, "flag": rule})
    flag_lost(None)
    return pairs


def _summarise(record: QARecord, english: list[str], back_translations: list[str]) -> None:
    """How much of the article diverges: the share of text (English and back-translation
    characters) in flagged pairs, and the mean chrF of the aligned pairs."""
    pairs = record["pairs"]
    total = flagged = 0
    scores = []
    for pair in pairs:
        size = sum(len(english[i]) for i in pair["en"])
        size += sum(len(back_translations[j]) for j in pair["da"])
        total += size
        if pair["flag"]:
            flagged += size
        if pair["chrf"] is not None:
            scores.append(pair["chrf"])
    record["divergence"] = round(flagged / total, 4) if total else 0.0
    record["mean_chrf"] = round(sum(scores) / len(scores), 2) if scores else None
    record["counts"] = {
        rule: sum(1 for p in pairs if p["flag"] == rule)
        for rule in ("qa.divergent", "qa.content_lost", "qa.content_added")
    }


def check_with_original(
    article: Article,
    article_path: Path,
    input_dir: Path | None = None,
    originals_dir: Path | None = None,
    config: QAConfig | None = None,
    chrf: Chrf | None = None,
) -> bool:
    """Find the article's English original and run :func:`check_article`; False if none.

    Raises InputError when the original exists but cannot be read.
    """
    path = find_original(article_path, input_dir, originals_dir)
    if path is None:
        return False
    label = path.name
    base = originals_dir if originals_dir is not None and path.is_relative_to(originals_dir) else (
        input_dir
    )
    if base is not None and path.is_relative_to(base):
        label = path.relative_to(base).as_posix()
    text, digest = read_original(path, label)
    check_article(article, text, config, original=label, original_sha256=digest, chrf=chrf)
    return True


def original_sha256(
    article_path: Path, input_dir: Path | None = None, originals_dir: Path | None = None
) -> str | None:
    """SHA-256 of the article's English original, None when there is none (or it is
    unreadable): the batch redoes an unchanged article whose original changed."""
    path = find_original(article_path, input_dir, originals_dir)
    if path is None:
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def check_originals(
    items: list[tuple[Article, Path]],
    input_dir: Path | None = None,
    originals_dir: Path | None = None,
    config: QAConfig | None = None,
) -> list[str]:
    """The qa stage over a batch: each ``(article, source path)`` with an English original is
    checked; returns warnings (an unreadable original, sacrebleu missing) instead of raising."""
    warnings: list[str] = []
    chrf: Chrf | None = None
    for article, path in items:
        if find_original(path, input_dir, originals_dir) is None:
            article.qa = None
            continue
        if chrf is None:
            try:
                chrf = Chrf()
            except ImportError:
                return [
                    "English originals were found but not compared: the qa stage needs "
                    "sacrebleu (pip install 'daen[qa]')"
                ]
        try:
            check_with_original(article, path, input_dir, originals_dir, config, chrf)
        except InputError as error:
            warnings.append(f"{error} (the article was written without the comparison)")
    return warnings


# ---------------------------------------------------------------------------------------------
# Reading the record (for renderers)


def qa_summary(article: Article) -> dict[str, Any] | None:
    """What the batch manifest keeps about the comparison (None without an original)."""
    if not article.qa:
        return None
    qa = article.qa
    return {
        "original": qa.get("original"), "original_sha256": qa.get("original_sha256"),
        "divergence": qa.get("divergence"), "mean_chrf": qa.get("mean_chrf"),
        "counts": qa.get("counts"), "threshold": qa.get("threshold"),
    }


def divergence(article: Article) -> float | None:
    """The share of the article that diverges from its English original; None without one."""
    if not article.qa or not article.qa.get("pairs"):
        return None
    return float(article.qa.get("divergence", 0.0))


@dataclass(frozen=True)
class OriginalCell:
    """What the review page shows beside one Danish sentence from the English original."""

    text: str  # the aligned English text ("" when there is none)
    score: float | None = None  # chrF of the pair
    flag: str | None = None  # qa rule of the pair, if flagged
    continued: bool = False  # the second Danish sentence of a 1-2 pair (text shown above)


def original_cells(article: Article) -> list[OriginalCell] | None:
    """One cell per Danish sentence (article order); None when there is nothing to show."""
    if not article.qa or not article.qa.get("pairs"):
        return None
    english = article.qa["sentences"]
    cells = [OriginalCell("") for _ in article.sentences()]
    for pair in article.qa["pairs"]:
        for position, j in enumerate(pair["da"]):
            text = " ".join(english[i] for i in pair["en"]) if position == 0 else ""
            cells[j] = OriginalCell(text, pair["chrf"], pair["flag"], position > 0)
    return cells


def english_for_sentences(article: Article) -> list[str | None]:
    """For each Danish sentence (in article order), the English original text aligned with it.

    A sentence in a 1-2 pair shows the shared English sentence on its first half and ``""`` on
    the second; an added sentence gets ``""``; without an original, every entry is None.
    Lost English text is carried by the ``qa.content_lost`` flag, not here.
    """
    count = sum(1 for _ in article.sentences())
    if not article.qa or not article.qa.get("pairs"):
        return [None] * count
    english = article.qa["sentences"]
    result: list[str | None] = [""] * count
    for pair in article.qa["pairs"]:
        if pair["da"]:
            result[pair["da"][0]] = " ".join(english[i] for i in pair["en"])
    return result

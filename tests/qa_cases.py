"""The hand-made article/original pairs of ``tests/data/qa/cases.json``, as articles.

Used by the align, qa and export tests and by ``bench/qa_overhead.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.document import Article, Translation
from pipeline.text.segment import segment_text

CASES_FILE = Path(__file__).parent / "data" / "qa" / "cases.json"
MODEL = "test-back-translation"


@dataclass(frozen=True)
class QACase:
    label: str
    comment: str
    english_text: str
    english: list[str]
    danish_text: str
    danish: list[str]
    back_translations: list[str]
    gold: list[tuple[tuple[int, ...], tuple[int, ...]]]
    divergent: list[int]
    added: list[int]
    lost: list[int]

    def article(self, path: str | None = None) -> Article:
        """The Danish article, segmented, with each sentence's back-translation set."""
        article = segment_text(self.danish_text, path=path or f"{self.label}.txt")
        by_text = dict(zip(self.danish, self.back_translations, strict=True))
        for sentence in article.sentences():
            sentence.translation = Translation(by_text[sentence.text], MODEL, score=-0.5)
        return article


def _join(paragraphs: list[list[str]]) -> str:
    blocks = []
    for items in paragraphs:
        separator = "\n" if all(item.startswith("- ") for item in items) else " "
        blocks.append(separator.join(items))
    return "\n\n".join(blocks) + "\n"


def _case(data: dict[str, Any]) -> QACase:
    danish_pairs = [pair for paragraph in data["danish"] for pair in paragraph]
    return QACase(
        label=data["label"],
        comment=data["comment"],
        english_text=_join(data["english"]),
        english=[s for paragraph in data["english"] for s in paragraph],
        danish_text=_join([[da for da, _ in paragraph] for paragraph in data["danish"]]),
        danish=[da for da, _ in danish_pairs],
        back_translations=[bt for _, bt in danish_pairs],
        gold=[(tuple(en), tuple(da)) for en, da in data["gold"]],
        divergent=data["divergent"],
        added=data["added"],
        lost=data["lost"],
    )


def load_cases() -> list[QACase]:
    return [_case(c) for c in json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]]

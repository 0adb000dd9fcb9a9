"""Rules on the surface of the text, most without the analyser: spacing and punctuation
(*3D -fil*, *ascendens:Denne*), months (*5. Januar*, *Kan 2024*), repeated words and
paragraphs, quotation marks over several paragraphs, and a common word capitalised inside a
sentence (English title habits)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from pipeline.document import Article
from pipeline.fix.grammar.core import MONTHS, QUOTE_MARKS, STAGE, Context, Finding
from pipeline.fix.grammar.core import plain_readings as _plain
from pipeline.fix.phrases import overlaps

REPEATED_PARAGRAPH_REASON = "The same paragraph twice (a page or translation glitch)."
# Words after which a capitalised word is the name of a label, a button or a section.
LABEL_CUES = frozenset(
    """knappen menuen menuerne vinduet fanebladet listen mappen programmet panelet
    nedrulningen afsnittet punktet valgmuligheden feltet dialogen siden kapitlet fanen
    klik klikke tryk trykke vælg vælge skriv skrive kaldet hedder""".split()
)


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
        if ctx.article.capitalised_mid.get(lower, 0) != 1 or lower in MONTHS:
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
                REPEATED_PARAGRAPH_REASON,
                severity="warning",
                suggestion="",
            )
        seen.add(text)


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
        if first.text[: flag.start].strip(" –-") or first.text[flag.start] not in QUOTE_MARKS:
            continue
        if following.sentences[0].text.lstrip(" –-")[:1] in QUOTE_MARKS:
            first.flags.remove(flag)

"""Aligning an English original with the back-translation of its Danish translation.

The articles were machine-translated *from* English. When the English original is at hand, its
sentences are aligned with the Danish sentences through their back-translations (both sides are
then English), so that a weak pair shows where the Danish lost or changed the meaning.

The alignment is a dynamic program in the manner of Gale & Church (1993) over five moves:
1-1, 2-1 and 1-2 (a sentence split or joined by the translation), 1-0 (an English sentence with
no Danish counterpart: content lost) and 0-1 (a Danish sentence with no English counterpart:
content added). A matching move costs ``similarity_weight * (1 - sim)`` plus the Gale–Church
prior for the move and the lengths (``-log P(move) - log P(delta)``); a skip costs
``skip_cost``. ``sim`` is chrF taken both ways round (the smaller of the two), so that missing
*and* extra material both lower it. The score reported for a pair is standard chrF from
sacrebleu (chrF2, character 6-grams): the back-translation as hypothesis, the English original
as reference.

chrF is computed here from sacrebleu's own n-gram extraction with every sentence's n-grams
extracted once (a test checks it equals ``CHRF().sentence_score`` exactly); calling
``sentence_score`` for each of the thousands of candidate pairs would be about ten times slower.
The dynamic program runs inside a band around the diagonal, so its cost grows linearly with the
article.

sacrebleu is imported lazily: it is an optional dependency (the ``qa`` extra).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# English sentences

# Abbreviations after which a full stop does not end a sentence, whatever follows.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st vs e.g i.e cf approx dept gen gov rep sen lt col capt sgt fig
    mt no nos vol pp ed eds jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u
    a.m p.m inc. ltd. co. corp.
    """.split()
)
_CLOSERS = "\"'”’»)]"
_BREAK = re.compile(rf"([.!?…]+)([{re.escape(_CLOSERS)}]*)(\s+)")
_WORD_BEFORE = re.compile(r"(\S+)$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]|\d{1,3}[.)])\s+")
_END_PUNCT = tuple(".!?…:;,\"'”’»)]")


def split_english(text: str) -> list[str]:
    """Split English text into sentences (a simple rule-based splitter).

    Paragraphs are separated by blank lines; a short line without end punctuation (a heading)
    and each list item stand alone; inside a paragraph, a sentence ends at ``.``, ``!``, ``?``
    or ``…`` (and any closing quotes) before a capital letter, a digit or an opening quote,
    except after a known abbreviation or an initial.

    >>> for sentence in split_english(
    ...     "Big news\\n\\nMr. J. Smith arrived at 5 p.m. on Monday. He said: \\"It works!\\" "
    ...     "Then he left... and came back. Prices rose 2.5% in the U.S. Sales fell."
    ... ):
    ...     print(sentence)
    Big news
    Mr. J. Smith arrived at 5 p.m. on Monday.
    He said: "It works!"
    Then he left... and came back.
    Prices rose 2.5% in the U.S. Sales fell.
    """
    sentences: list[str] = []
    for block in _blocks(text):
        sentences.extend(_split_block(block))
    return sentences


def _blocks(text: str) -> list[str]:
    """Paragraphs, headings and list items, each as one line of text."""
    blocks: list[str] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        current: list[str] = []
        for index, line in enumerate(lines):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if _LIST_ITEM.match(line) and current:
                blocks.append(" ".join(current))
                current = []
            current.append(line)
            is_heading = (
                following
                and not line.endswith(_END_PUNCT)
                and len(line) <= 80
                and following[:1].isupper()
            )
            if is_heading or _LIST_ITEM.match(following):
                blocks.append(" ".join(current))
                current = []
        if current:
            blocks.append(" ".join(current))
    return blocks


def _split_block(block: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _BREAK.finditer(block):
        end = match.start(3)
        following = block[match.end() :]
        if not following or not _starts_sentence(following):
            continue
        before = block[start : match.start(1)]
        if match.group(1) == "." and (_is_abbreviation(before) or before.strip().isdigit()):
            continue  # `Mr. Smith`, or the number of a numbered list item
        sentences.append(block[start:end].strip())
        start = match.end()
    tail = block[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def _starts_sentence(text: str) -> bool:
    first = text[0]
    return first.isupper() or first.isdigit() or first in "\"'“‘«»(["


def _is_abbreviation(before: str) -> bool:
    match = _WORD_BEFORE.search(before)
    if not match:
        return False
    word = match.group(1).lstrip("\"'“‘([").lower()
    if len(word) == 1 and word.isalpha():  # an initial: J. Smith
        return True
    # "U.S." counts as an abbreviation (e.g. "U.S. Sales") only mid-sentence: a sentence may
    # still end with it, which a plain splitter cannot tell; keeping the two together is the
    # safer error here, as the aligner can join sentences but never split one.
    return word in _ABBREVIATIONS or word + "." in _ABBREVIATIONS


# ---------------------------------------------------------------------------------------------
# chrF


_QUOTES = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'",
        "‹": "'", "›": "'", "–": "-", "—": "-", "\u00a0": " ",
    }
)


def scoring_text(text: str) -> str:
    """The text as chrF sees it: NFKC, typographic quotes and dashes made plain.

    Quote style says nothing about meaning, and the Danish side's house style (»…«) can leak
    into the back-translation.

    >>> scoring_text("»Hi« – it’s “fine”")
    '"Hi" - it\\'s "fine"'
    """
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


class Chrf:
    """Sentence-level chrF with the n-grams of each text extracted once.

    Same numbers as ``sacrebleu.metrics.CHRF(char_order, 0, beta).sentence_score``.
    """

    def __init__(self, char_order: int = 6, beta: int = 2) -> None:
        from sacrebleu.metrics.helpers import extract_all_char_ngrams

        self.char_order = char_order
        self.beta = beta
        self._extract = extract_all_char_ngrams
        self._cache: dict[str, tuple[list[Counter[str]], list[int], list[frozenset[str]]]] = {}
        self._signature = ""

    @property
    def signature(self) -> str:
        """sacrebleu's signature for the same settings (tool version and parameters)."""
        if not self._signature:
            from sacrebleu.metrics import CHRF

            metric = CHRF(char_order=self.char_order, word_order=0, beta=self.beta)
            metric.sentence_score("a", ["a"])  # the signature needs the number of references
            self._signature = str(metric.get_signature())
        return self._signature

    def _ngrams(self, text: str) -> tuple[list[Counter[str]], list[int], list[frozenset[str]]]:
        cached = self._cache.get(text)
        if cached is None:
            counters = self._extract(text, self.char_order, False)
            totals = [sum(c.values()) for c in counters]
            cached = (counters, totals, [frozenset(c) for c in counters])
            if len(self._cache) > 20_000:
                self._cache.clear()
            self._cache[text] = cached
        return cached

    def statistics(self, hypothesis: str, reference: str) -> list[tuple[int, int, int]]:
        """``(hypothesis n-grams, reference n-grams, matches)`` for each order."""
        hyp, hyp_totals, hyp_sets = self._ngrams(hypothesis)
        ref, ref_totals, ref_sets = self._ngrams(reference)
        stats = []
        for order in range(self.char_order):
            hyp_counter, ref_counter = hyp[order], ref[order]
            matches = 0
            # Only shared n-grams count; the intersection is taken in C, which matters because
            # most pairs the aligner tries share few of them.
            for gram in hyp_sets[order] & ref_sets[order]:
                a, b = hyp_counter[gram], ref_counter[gram]
                matches += a if a < b else b
            n_ref = ref_totals[order]
            stats.append((hyp_totals[order] if n_ref else 0, n_ref, matches))
        return stats

    def f_score(self, stats: Sequence[tuple[int, int, int]], beta: float | None = None) -> float:
        """chrF from the statistics: precision and recall averaged over the effective orders."""
        factor = (self.beta if beta is None else beta) ** 2
        precision = recall = 0.0
        effective = 0
        for n_hyp, n_ref, n_match in stats:
            if n_hyp > 0 and n_ref > 0:
                precision += n_match / n_hyp
                recall += n_match / n_ref
                effective += 1
        if not effective:
            return 0.0
        precision /= effective
        recall /= effective
        if precision + recall == 0:
            return 0.0
        return 100 * (1 + factor) * precision * recall / (factor * precision + recall)

    def score(self, hypothesis: str, reference: str) -> float:
        """Standard chrF of ``hypothesis`` against ``reference`` (0–100)."""
        return self.f_score(self.statistics(hypothesis, reference))

    def both_ways(self, hypothesis: str, reference: str) -> tuple[float, float]:
        """chrF with hypothesis and reference as given, and swapped (precision-weighted)."""
        stats = self.statistics(hypothesis, reference)
        swapped = [(n_ref if n_hyp else 0, n_hyp, n_match) for n_hyp, n_ref, n_match in stats]
        return self.f_score(stats), self.f_score(swapped)


# ---------------------------------------------------------------------------------------------
# Alignment


@dataclass(frozen=True)
class AlignConfig:
    """Weights of the alignment's dynamic program (defaults tuned on the test pairs)."""

    similarity_weight: float = 10.0  # cost of a pair: weight * (1 - sim), sim in 0..1
    skip_cost: float = 5.5  # cost of leaving one sentence on either side unaligned
    length_weight: float = 1.0  # weight of the Gale–Church length prior
    # Gale–Church: prior probability of each move and the variance of the length difference.
    prior_1_1: float = 0.89
    prior_2_1: float = 0.0445  # each of 2-1 and 1-2
    length_variance: float = 6.8
    band: int = 10  # the search keeps within this many sentences of the diagonal (at least)
    # A 2-1 or 1-2 pair is tried only when each of its sentences alone reaches this chrF/100
    # (either way round) with the other side: a sentence merged with an unrelated neighbour is
    # never the answer (see _Aligner.refine), and skipping those keeps the search fast.
    merge_min_similarity: float = 0.3


@dataclass(frozen=True)
class AlignedPair:
    """English sentence indices, Danish sentence indices, and their chrF (None if unaligned)."""

    en: tuple[int, ...]
    da: tuple[int, ...]
    score: float | None = None

    @property
    def kind(self) -> str:
        return f"{len(self.en)}-{len(self.da)}"


@dataclass
class Alignment:
    pairs: list[AlignedPair] = field(default_factory=list)
    signature: str = ""

    @property
    def lost(self) -> list[int]:
        """English sentences with no Danish counterpart."""
        return [i for p in self.pairs if not p.da for i in p.en]

    @property
    def added(self) -> list[int]:
        """Danish sentences with no English counterpart."""
        return [j for p in self.pairs if not p.en for j in p.da]


_MOVES = ((1, 1), (2, 1), (1, 2), (1, 0), (0, 1))


def _normal_tail(z: float) -> float:
    """Two-sided tail probability ``P(|Z| >= z)`` of the standard normal."""
    return math.erfc(abs(z) / math.sqrt(2))


class _Aligner:
    def __init__(self, english: Sequence[str], danish: Sequence[str], config: AlignConfig,
                 chrf: Chrf) -> None:
        self.en = [scoring_text(s) for s in english]
        self.da = [scoring_text(s) for s in danish]
        self.config = config
        self.chrf = chrf
        self.en_len = [len("".join(s.split())) for s in self.en]
        self.da_len = [len("".join(s.split())) for s in self.da]
        self._scores: dict[tuple[int, int, int, int], tuple[float, float]] = {}
        self.priors = {
            (1, 1): -math.log(config.prior_1_1),
            (2, 1): -math.log(config.prior_2_1),
            (1, 2): -math.log(config.prior_2_1),
        }

    def text(self, side: list[str], start: int, count: int) -> str:
        return " ".join(side[start : start + count])

    def _both_ways(self, i: int, di: int, j: int, dj: int) -> tuple[float, float]:
        key = (i, di, j, dj)
        scores = self._scores.get(key)
        if scores is None:
            scores = self.chrf.both_ways(self.text(self.da, j, dj), self.text(self.en, i, di))
            self._scores[key] = scores
        return scores

    def similarity(self, i: int, di: int, j: int, dj: int) -> float:
        """The smaller of chrF both ways round, 0..1."""
        return min(self._both_ways(i, di, j, dj)) / 100

    def related(self, i: int, j: int) -> bool:
        """Whether English sentence i and Danish sentence j may belong to one pair."""
        return max(self._both_ways(i, 1, j, 1)) / 100 >= self.config.merge_min_similarity

    def length_cost(self, i: int, di: int, j: int, dj: int) -> float:
        en_len = sum(self.en_len[i : i + di])
        da_len = sum(self.da_len[j : j + dj])
        mean = (en_len + da_len) / 2
        if mean == 0:
            return 0.0
        delta = (da_len - en_len) / math.sqrt(mean * self.config.length_variance)
        return -math.log(max(_normal_tail(delta), 1e-12))

    def move_cost(self, i: int, di: int, j: int, dj: int) -> float:
        if di == 0 or dj == 0:
            return self.config.skip_cost
        if di == 2 and not (self.related(i, j) and self.related(i + 1, j)):
            return math.inf
        if dj == 2 and not (self.related(i, j) and self.related(i, j + 1)):
            return math.inf
        sim = self.similarity(i, di, j, dj)
        prior = self.priors[(di, dj)] + self.length_cost(i, di, j, dj)
        return self.config.similarity_weight * (1 - sim) + self.config.length_weight * prior

    def run(self) -> list[tuple[int, int, int, int]]:
        """The cheapest path as ``(i, di, j, dj)`` moves."""
        m, n = len(self.en), len(self.da)
        band = max(self.config.band, abs(m - n) // 4 + self.config.band)
        inf = math.inf
        cost = [[inf] * (n + 1) for _ in range(m + 1)]
        back: list[list[tuple[int, int] | None]] = [[None] * (n + 1) for _ in range(m + 1)]
        cost[0][0] = 0.0
        for i in range(m + 1):
            centre = i * n / m if m else 0
            lo = max(0, math.floor(centre - band))
            hi = min(n, math.ceil(centre + band))
            if i == m:
                hi = n
            if i == 0:
                lo = 0
            for j in range(lo, hi + 1):
                if i == 0 and j == 0:
                    continue
                best, best_move = inf, None
                for di, dj in _MOVES:
                    pi, pj = i - di, j - dj
                    if pi < 0 or pj < 0 or cost[pi][pj] == inf:
                        continue
                    total = cost[pi][pj] + self.move_cost(pi, di, pj, dj)
                    if total < best:
                        best, best_move = total, (di, dj)
                cost[i][j] = best
                back[i][j] = best_move
        if cost[m][n] == inf:  # cannot happen with skips allowed, but stay safe
            return [(i, 1, 0, 0) for i in range(m)] + [(m, 0, j, 1) for j in range(n)]
        path = []
        i, j = m, n
        while i or j:
            move = back[i][j]
            assert move is not None
            di, dj = move
            i, j = i - di, j - dj
            path.append((i, di, j, dj))
        path.reverse()
        return path

    def refine(self, path: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
        """Split a 2-1 or 1-2 pair whose extra sentence adds nothing.

        Joining an untranslated sentence to its neighbour can cost less than leaving it
        unaligned when it is short; if the joined pair is no more similar than the better
        sentence alone, the other one is really unaligned.
        """
        refined: list[tuple[int, int, int, int]] = []
        for i, di, j, dj in path:
            if (di, dj) not in ((2, 1), (1, 2)):
                refined.append((i, di, j, dj))
                continue
            joined = self.similarity(i, di, j, dj)
            if di == 2:
                first, second = self.similarity(i, 1, j, 1), self.similarity(i + 1, 1, j, 1)
                if max(first, second) >= joined:
                    keep = i if first >= second else i + 1
                    moves = [(keep, 1, j, 1), (i + 1 if keep == i else i, 1, j, 0)]
                    refined.extend(sorted(moves))
                    continue
            else:
                first, second = self.similarity(i, 1, j, 1), self.similarity(i, 1, j + 1, 1)
                if max(first, second) >= joined:
                    keep = j if first >= second else j + 1
                    moves = [(i, 1, keep, 1), (i, 0, j + 1 if keep == j else j, 1)]
                    refined.extend(sorted(moves, key=lambda move: move[2]))
                    continue
            refined.append((i, di, j, dj))
        return refined


def align(
    english: Sequence[str],
    back_translations: Sequence[str],
    config: AlignConfig | None = None,
    chrf: Chrf | None = None,
) -> Alignment:
    """Align English original sentences with the back-translations of the Danish sentences.

    Returns the pairs in order; each pair holds the indices on both sides (one side empty for
    an unaligned sentence) and the chrF of the pair (back-translation as hypothesis).

    >>> result = align(["The cat sat on the mat.", "It was raining.", "Then it stopped."],
    ...                ["The cat sat on the mat.", "Then it stopped."])
    >>> [(p.en, p.da, p.score) for p in result.pairs]
    [((0,), (0,), 100.0), ((1,), (), None), ((2,), (1,), 100.0)]
    """
    chrf = chrf or Chrf()
    aligner = _Aligner(english, back_translations, config or AlignConfig(), chrf)
    pairs = []
    for i, di, j, dj in aligner.refine(aligner.run()):
        en = tuple(range(i, i + di))
        da = tuple(range(j, j + dj))
        score = None
        if di and dj:
            hypothesis = aligner.text(aligner.da, j, dj)
            score = round(chrf.score(hypothesis, aligner.text(aligner.en, i, di)), 2)
        pairs.append(AlignedPair(en, da, score))
    return Alignment(pairs, chrf.signature)

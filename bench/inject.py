"""Recall by class of defect, and noise, on fluent Danish with defects injected at known places.

Takes fluent Danish (by default ``../shared/fluent-da/da/``, professional translations from
English; or any folder of ``.txt`` files), injects one defect of one class into a seeded share
of its sentences, runs the cleanup in process (normalize, then fix, whose last step is the class
detectors of :mod:`pipeline.fix.classes`) and reports, per class, how many injected defects a
flag or an edit overlaps, and the noise: flags per 100 sentences left untouched (all rules, and the class detectors alone).

    python bench/inject.py [FOLDER ...] [--seed 19] [--share 0.5] [--show 10] [--json OUT]

The classes: a split compound (one the analyser can split: *kundeservice* → *kunde service*),
*en*/*et* swapped before a noun, verb-second broken after a fronted adverbial (*I dag gik han*
→ *I dag han gik*), English inserted (a clause, or a title in brackets), a number, date or
amount written the English way (*2,5 mio.* → *2.5 mio.*, *1.000* → *1,000*, *15. september* →
*September 15*, *20 procent* → *20 percent*, *350.000 dollars* → *$350,000*), spaces inside
brackets, and a construction calque from ``data/calques.tsv`` (an adverbial row, appended).
The last line is one JSON object. A benchmark: it reads ``../shared`` by path; tests never do.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.document import Sentence  # noqa: E402
from pipeline.fix.classes.calques import ANY, calque_index  # noqa: E402
from pipeline.fix.classes.tools import ClassTools, load_class_tools, plain, tokenise  # noqa: E402
from pipeline.fix.stage import fix_article, load_fix_rules  # noqa: E402
from pipeline.text.normalize import normalize_article  # noqa: E402
from pipeline.text.segment import segment_text  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "fluent-da" / "da"
CLASS_PREFIXES = ("compound.", "calque.", "number.", "punctuation.", "grammar.verb_second")


@dataclass
class Injection:
    cls: str
    start: int
    end: int
    before: str  # the sentence before injection
    sentence: Sentence | None = None


Injector = Callable[[str, random.Random, ClassTools], tuple[str, int, int] | None]


# ---------------------------------------------------------------------------------------------
# Injectors: each returns (new sentence text, start, end of the defect) or None


# Endings that derive a word rather than join two (sandhed is no sand + hed).
DERIVATIONS = ("hed", "else", "ning", "skab", "dom", "inde", "agtig", "lig", "ende")


def _noun_head(tools: ClassTools, word: str) -> bool:
    """A dictionary word read only as a noun (or an imperative), indefinite singular."""
    readings = plain(tools.readings(word))
    return (
        tools.lexicon.is_word(word)
        and bool(readings)
        and all(r.pos == "n" or "imp" in r.tags for r in readings)
        and any("sg" in r.tags and "ind" in r.tags and "gen" not in r.tags for r in readings)
    )


def split_compound(text: str, rng: random.Random, tools: ClassTools) -> tuple[str, int, int] | None:
    """Split a lower-case compound noun where the analyser reads a noun head and a noun tail;
    a joint -s- is dropped as machine translation drops it (forsikringsselskab → forsikring
    selskab) half of the time."""
    tokens = [
        t for t in tokenise(text) if t.text.isalpha() and t.text.islower() and len(t.text) >= 8
    ]
    rng.shuffle(tokens)
    for token in tokens:
        word = token.text
        readings = plain(tools.readings(word))
        if not readings or not all(r.pos == "n" for r in readings):
            continue  # hundrede is a number before it is a noun
        tools.analyse(
            {word[:c] for c in range(3, len(word) - 3)}
            | {word[c:] for c in range(3, len(word) - 3)}
        )
        cuts = []
        for cut in range(3, len(word) - 3):
            head, tail = word[:cut], word[cut:]
            tail_readings = plain(tools.readings(tail))
            if (
                tail.startswith(DERIVATIONS)
                or not tools.lexicon.is_word(tail)
                or not any(r.pos == "n" for r in tail_readings)
                or any("gen" in r.tags for r in tail_readings)
            ):
                continue
            bare = head[:-1] if head[-1] in "se" and len(head) > 3 else head
            if _noun_head(tools, head):
                cuts.append((0, head, tail))  # no joint: preferred (modstand is mod + stand)
            elif bare != head and _noun_head(tools, bare):
                # The joint dropped or kept, both as machine translation writes it.
                cuts.append((1, bare if rng.random() < 0.5 else head, tail))
        if cuts:
            _, head, tail = min(cuts, key=lambda c: c[0])
            split = f"{head} {tail}"
            return (
                text[: token.start] + split + text[token.end :],
                token.start,
                token.start + len(split),
            )
    return None


def swap_gender(text: str, rng: random.Random, tools: ClassTools) -> tuple[str, int, int] | None:
    """Swap *en*/*et* before a noun of that gender (an adjective may stand between)."""
    tokens = tokenise(text)
    spots = []
    for i, token in enumerate(tokens[:-1]):
        if token.lower not in ("en", "et"):
            continue
        gender = "ut" if token.lower == "en" else "nt"
        for j in (i + 1, i + 2):
            if j >= len(tokens):
                break
            readings = plain(tools.readings(tokens[j].lower))
            if any(
                r.pos == "n" and gender in r.tags and "sg" in r.tags and "ind" in r.tags
                for r in readings
            ) and all(r.pos in ("n", "adj") for r in readings):
                spots.append((token, tokens[j]))
                break
            if not any(r.pos == "adj" for r in readings):
                break
    if not spots:
        return None
    article, noun = rng.choice(spots)
    swapped = {"en": "et", "et": "en", "En": "Et", "Et": "En"}.get(article.text)
    if swapped is None:
        return None
    new = text[: article.start] + swapped + text[article.end :]
    return new, article.start, noun.end


SUBJECTS = frozenset("han hun de vi jeg den det der man du".split())
NOT_FRONTED = (
    frozenset(
        """hvis når da som at fordi selvom mens om hvor hvad hvem hvorfor hvordan hvornår hvilken
    hvilket hvilke og men eller for så""".split()
    )
    | SUBJECTS
)


def break_verb_second(
    text: str, rng: random.Random, tools: ClassTools
) -> tuple[str, int, int] | None:
    """After a fronted adverbial, put the subject pronoun before the finite verb."""
    tokens = tokenise(text)
    if len(tokens) < 4 or tokens[0].lower in NOT_FRONTED or tokens[0].start > 2:
        return None
    for k in range(1, min(len(tokens) - 1, 6)):
        verb, subject = tokens[k], tokens[k + 1]
        if "," in text[: verb.start] or text[verb.end : subject.start] != " ":
            return None
        readings = plain(tools.readings(verb.lower))
        if (
            subject.lower in SUBJECTS
            and readings
            and all(r.pos.startswith("vb") and ({"pres", "past"} & set(r.tags)) for r in readings)
        ):
            new = text[: verb.start] + subject.text + " " + verb.text + text[subject.end :]
            return new, verb.start, subject.end
        if any(r.pos.startswith("vb") for r in readings):
            return None
    return None


ENGLISH_CLAUSES = (
    "which is really important",
    "as you can see",
    "if you know what I mean",
    "for more information",
    "and that is what matters most",
    "according to the experts",
    "but it is not that simple",
    "to make a long story short",
    "whatever that means",
    "just to be on the safe side",
    "at least for now",
    "and so on and so forth",
)
ENGLISH_TITLES = (
    "What Is It and Why Does It Matter",
    "Terms and conditions apply",
    "Read more here",
    "Tip: check the details first",
    "How It Works",
    "Frequently Asked Questions",
    "Click here to learn more",
    "The Complete Guide",
)


def insert_english(text: str, rng: random.Random, tools: ClassTools) -> tuple[str, int, int] | None:
    """An English clause before the closing punctuation, or an English title in brackets."""
    body = text.rstrip()
    end = len(body) - 1 if body[-1:] in ".!?" else len(body)
    if end < 10:
        return None
    if rng.random() < 0.5:
        phrase = rng.choice(ENGLISH_CLAUSES)
        new = text[:end] + ", " + phrase + text[end:]
        return new, end + 2, end + 2 + len(phrase)
    phrase = f"({rng.choice(ENGLISH_TITLES)})"
    new = text[:end] + " " + phrase + text[end:]
    return new, end + 1, end + 1 + len(phrase)


_NUMBER_CASES: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        "decimal",
        re.compile(
            r"(?<![\d.,])(\d+),(\d+)(?= ?(?:mio|mia|millioner|milliarder|procent|%|"
            r"point|kr|kroner|km|meter|kg|liter|grader|timer))"
        ),
        lambda m: f"{m.group(1)}.{m.group(2)}",
    ),
    (
        "thousands",
        re.compile(r"(?<![\d.,])(\d{1,3})\.(\d{3})(?![\d.,])"),
        lambda m: f"{m.group(1)},{m.group(2)}",
    ),
    (
        "date",
        re.compile(
            r"(?<![\d.])(\d{1,2})\. (januar|februar|marts|april|maj|juni|juli|"
            r"august|september|oktober|november|december)"
        ),
        lambda m: f"{ENGLISH_MONTH[m.group(2)]} {m.group(1)}",
    ),
    (
        "percent",
        re.compile(r"(?<![\d.,])(\d+(?:,\d+)?) procent"),
        lambda m: f"{m.group(1)} percent",
    ),
    (
        "currency",
        re.compile(r"(?<![\d.,])(\d[\d.]*) (?:dollars|dollar|USD)"),
        lambda m: "$" + m.group(1).replace(".", ","),
    ),
)
ENGLISH_MONTH = {
    "januar": "January",
    "februar": "February",
    "marts": "March",
    "april": "April",
    "maj": "May",
    "juni": "June",
    "juli": "July",
    "august": "August",
    "september": "September",
    "oktober": "October",
    "november": "November",
    "december": "December",
}


def english_number(
    text: str, rng: random.Random, tools: ClassTools
) -> tuple[str, int, int, str] | None:
    """A number, date, percentage or amount as English writes it (the subclass is returned)."""
    cases = list(_NUMBER_CASES)
    rng.shuffle(cases)
    for name, pattern, english in cases:
        matches = list(pattern.finditer(text))
        if matches:
            match = rng.choice(matches)
            new = english(match)
            return (
                text[: match.start()] + new + text[match.end() :],
                match.start(),
                match.start() + len(new),
                name,
            )
    return None


def bracket_spaces(text: str, rng: random.Random, tools: ClassTools) -> tuple[str, int, int] | None:
    """Spaces inside a pair of brackets: (EU) → ( EU )."""
    matches = list(re.finditer(r"\(([^()\s][^()]*[^()\s]|[^()\s])\)", text))
    if not matches:
        return None
    match = rng.choice(matches)
    new = f"( {match.group(1)} )"
    return (
        text[: match.start()] + new + text[match.end() :],
        match.start(),
        match.start() + len(new),
    )


def append_calque(text: str, rng: random.Random, tools: ClassTools) -> tuple[str, int, int] | None:
    """An adverbial calque of the table (``inject`` = adv) before the closing punctuation."""
    rows = [r for r in calque_index(tools).rows if r.inject == "adv"]
    body = text.rstrip()
    end = len(body) - 1 if body[-1:] in ".!?" else len(body)
    if not rows or end < 10 or body[end - 1 : end] in (":", ";", ","):
        return None
    row = rng.choice(rows)
    phrase_words = rng.choice(row.phrases)
    if any(ANY in w or len(w) > 4 for w in phrase_words):
        return None  # a slot or a set of pronouns: no one rendering to write
    phrase = " ".join(sorted(w)[0] for w in phrase_words)
    new = text[:end] + " " + phrase + text[end:]
    return new, end + 1, end + 1 + len(phrase)


INJECTORS: dict[str, Callable[..., tuple[str, int, int] | tuple[str, int, int, str] | None]] = {
    "split_compound": split_compound,
    "gender_en_et": swap_gender,
    "verb_second": break_verb_second,
    "english_left_in": insert_english,
    "number": english_number,
    "bracket_space": bracket_spaces,
    "calque": append_calque,
}


# ---------------------------------------------------------------------------------------------


_STYLE = re.compile(r"[\"'“”„»«‘’–—-]")


def _style_only(before: str, after: str) -> bool:
    """An edit that changes only quotes and dashes (no word): not a fix of a defect."""
    return _STYLE.sub("", before) == _STYLE.sub("", after)


def caught(injection: Injection) -> tuple[bool, list[str]]:
    """Whether a flag or an edit overlaps the injected span (followed through the edits),
    and the rules that did."""
    sentence = injection.sentence
    assert sentence is not None
    start, end = injection.start, injection.end
    rules: list[str] = []
    for edit in sentence.edits:
        if edit.end <= start and edit.start < start:
            shift = len(edit.after) - (edit.end - edit.start)
            start, end = start + shift, end + shift
        elif edit.start >= end:
            continue
        else:
            if not _style_only(edit.before, edit.after):
                rules.append(edit.rule_id)
            end = max(end + len(edit.after) - (edit.end - edit.start), edit.start + len(edit.after))
            start = min(start, edit.start)
    for flag in sentence.flags:
        if (flag.start < end and start < flag.end) or (
            flag.start == flag.end and start <= flag.start <= end
        ):
            rules.append(flag.rule_id)
    return bool(rules), rules


def files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.txt")) if path.is_dir() else [path]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", type=Path, nargs="*", default=[DEFAULT_FOLDER])
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--share", type=float, default=0.5, help="share of sentences injected")
    parser.add_argument("--show", type=int, default=0, help="print this many misses per class")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rules = load_fix_rules()
    analyser = rules.checker.analyser if rules.checker is not None else None
    tools = load_class_tools(rules.lexicon, analyser)
    injections: list[Injection] = []
    untouched: list[Sentence] = []
    counts: Counter[str] = Counter()
    for path in files(args.paths):
        article = segment_text(path.read_text(encoding="utf-8"), path.name)
        mine: list[tuple[Sentence, Injection | None]] = []
        for paragraph in article.paragraphs:
            for k, sentence in enumerate(paragraph.sentences):
                injection = None
                if rng.random() < args.share:
                    # The class injected least so far first, so that every class gets its share.
                    names = sorted(INJECTORS, key=lambda n: (counts[n], rng.random()))
                    for name in names:
                        result = INJECTORS[name](sentence.text, rng, tools)
                        if result is None:
                            continue
                        text, start, end = result[:3]
                        cls = f"{name}:{result[3]}" if len(result) == 4 else name
                        injection = Injection(cls, start, end, sentence.text)
                        sentence = Sentence(text, space_after=sentence.space_after)
                        paragraph.sentences[k] = sentence
                        injection.sentence = sentence
                        counts[name] += 1
                        break
                mine.append((sentence, injection))
        normalize_article(article)
        fix_article(article, rules)  # the class detectors run inside the fix stage
        for sentence, injection in mine:
            if injection is None:
                untouched.append(sentence)
            else:
                injections.append(injection)
    report(injections, untouched, args)


def report(
    injections: list[Injection], untouched: list[Sentence], args: argparse.Namespace
) -> None:
    by_class: dict[str, list[tuple[Injection, bool, list[str]]]] = {}
    for injection in injections:
        hit, rules = caught(injection)
        by_class.setdefault(injection.cls, []).append((injection, hit, rules))
    rows = {}
    print(f"{'class':<24} {'injected':>8} {'caught':>7} {'recall':>7}  by (top rules)")
    for cls in sorted(by_class):
        items = by_class[cls]
        hits = sum(hit for _, hit, _ in items)
        top = Counter(r for _, hit, rules in items if hit for r in dict.fromkeys(rules))
        recall = hits / len(items)
        rows[cls] = {"injected": len(items), "caught": hits, "recall": round(recall, 3)}
        print(
            f"{cls:<24} {len(items):>8} {hits:>7} {recall:>7.0%}  "
            + ", ".join(f"{r} {n}" for r, n in top.most_common(3))
        )
        if args.show:
            for injection, _, _ in [i for i in items if not i[1]][: args.show]:
                s = injection.sentence
                assert s is not None
                missed = s.original[injection.start : injection.end]
                print(f"    miss: {missed!r} | {s.original[:110]}")
    flags = [f for s in untouched for f in s.flags]
    mine = [f for f in flags if f.rule_id.startswith(CLASS_PREFIXES)]
    per100 = 100 / max(len(untouched), 1)
    by_rule = Counter(f.rule_id for f in mine)
    print(f"untouched sentences: {len(untouched)}")
    print(f"noise, all flags per 100 untouched sentences: {len(flags) * per100:.2f}")
    print(
        f"noise, class-detector flags per 100 untouched sentences: {len(mine) * per100:.2f}"
        + (" (" + ", ".join(f"{r} {n}" for r, n in by_rule.most_common()) + ")" if mine else "")
    )
    if args.show:
        for sentence in untouched:
            for flag in sentence.flags:
                if flag.rule_id.startswith(CLASS_PREFIXES):
                    print(
                        f"    noise {flag.rule_id}: {sentence.text[flag.start : flag.end]!r} | "
                        f"{sentence.text[:100]}"
                    )
    result = {
        "seed": args.seed,
        "share": args.share,
        "classes": rows,
        "untouched_sentences": len(untouched),
        "noise_all_per_100": round(len(flags) * per100, 2),
        "noise_class_detectors_per_100": round(len(mine) * per100, 2),
    }
    line = json.dumps(result, ensure_ascii=False)
    if args.json:
        args.json.write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()

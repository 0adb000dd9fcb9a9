"""Paragraphs and Danish sentences.

Paragraphs are separated by blank lines; inside a block of lines, a short line without end
punctuation is a heading paragraph of its own, and list items are paragraphs of their own.

Sentences are found by :class:`DanishSplitter`, a rule-based splitter written for text that
was machine-translated into Danish. Trained splitters (Punkt) treat a lower-case word after a
full stop as proof of an abbreviation, which is exactly the defect these articles have
(``… 2. kvartal. vi ved …``), and pysbd/Punkt swallow whole paragraphs on an unpaired quote.
This splitter knows Danish abbreviations, ordinals and dates, and looks only at what stands
around each full stop, so an unpaired quote cannot swallow anything. It sits behind the small
:class:`Splitter` protocol so another splitter can be swapped in.
"""

from __future__ import annotations

import html
import re
from typing import Protocol

from pipeline.document import Article, Paragraph, ParagraphKind, Sentence

# ---------------------------------------------------------------------------------------------
# Sentences


class Splitter(Protocol):
    def spans(self, text: str) -> list[tuple[int, int]]:
        """Start and end of each sentence in ``text``, without surrounding whitespace."""
        ...


# Abbreviations that (almost) never end a sentence: a break after them needs more evidence
# than a capital letter.
NON_FINAL_ABBREVIATIONS = frozenset(
    """
    f.eks fx bl.a dvs ca jf jvf kl nr tlf stk hr fr frk fru dr prof pga p.g.a iflg ift
    i.f.t evt mht m.h.t vedr inkl ekskl excl incl bla gl sml vs mr mrs ms st sct
    ang dl cf e.g i.e ht afd adm dir mag cand stud bach ph.d phd p.t pt
    eks kgl cyl str hhv fhv fmd ifm iht vha tidl skt sdr spsk tsk d.v.s t.o.m pr
    """.split()
)
# Abbreviations that often end a sentence; a break after them needs a capital letter next.
FINAL_ABBREVIATIONS = frozenset(
    """
    osv etc mv m.v mm m.m o.l ol m.fl mfl pct kr mio mia mill kg km cm ml l
    årh e.kr f.kr inc ltd co corp a.s jr sr maks max
    tirs ons tors fre lør søn kvm mdr md
    """.split()
)
MONTHS = frozenset(
    """
    januar februar marts april maj juni juli august september oktober november december
    jan feb mar apr jun jul aug sep sept okt nov dec
    """.split()
)
# Words that start Danish sentences and rarely follow an ordinal number: a lower-case one after
# `2013.` is a machine-translation sentence start, not an ordinal (`den 4. største`).
SENTENCE_STARTERS = frozenset(
    """
    vi jeg du han hun de den det der dette disse man men og så hvis når efter for i på med
    som hvad hvor hvordan hvorfor mange alle nogle flere ingen hver her nu da også samtidig
    desuden derfor dermed endelig først til vores deres hans hendes min mit mine dit din
    siden senere dog derefter herefter imidlertid ifølge blandt selvom sådan
    """.split()
)
# Sentence starters that cannot follow an ordinal at all (`den 2. største`, `1. og 2. klasse`,
# `den 3. i måneden` can): after any number, a lower-case one of these starts a sentence
# (`Mulige værdier er 1 og 2. se også …`).
NOT_AFTER_ORDINAL = frozenset(
    """
    vi jeg du han hun man den det de dette disse hvis når men derfor desuden dermed endelig se
    nu siden dog derefter herefter imidlertid ifølge hvad hvordan hvorfor vores deres hans
    hendes
    """.split()
)
# Sentence starters that never go on with a sentence after an abbreviation such as `kr.`,
# `pct.` or `osv.` (`den`, `det`, `de` can: `100 kr. den første måned`).
STRONG_SENTENCE_STARTERS = frozenset(
    "vi jeg du han hun man derfor desuden dermed endelig samtidig imidlertid herefter".split()
)
# Finite verbs that make `det`, `den` or `de` after an amount a sentence start
# (`… 250 kr. det er billigt`), where `100 kr. det første år` goes on (`der` may start a
# relative clause: `10 pct. der stemmer`).
_FINITE_VERBS = frozenset(
    """
    er var har havde kan kunne vil ville skal skulle bliver blev gør gjorde får fik må
    måtte betyder betød viser viste kommer kom går gik ligger lå står stod
    """.split()
)


# A definite noun cannot go on after an amount, except the ones that say "per" (`25 kr.
# timen`); words with these endings that are no definite nouns are listed too.
_DEFINITE_NOUN_ENDINGS = ("en", "et", "erne")
_NOT_DEFINITE_NOUNS = frozenset(
    """
    timen dagen døgnet ugen måneden året stykket gangen kiloet literen personen natten
    siden inden sammen tilsammen allerede hjemmet bagefter senere nogen ingen
    """.split()
)


def starts_clause(text: str) -> bool:
    """``text`` starts with words that cannot go on with a sentence after an amount or an
    abbreviation such as `kr.` or `osv.`: a personal pronoun, or `det`/`den`/`de` and a
    finite verb.

    >>> starts_clause("han betalte"), starts_clause("det er billigt"), starts_clause("den første")
    (True, True, False)
    >>> starts_clause("forhandlerne venter"), starts_clause("timen"), starts_clause("siden maj")
    (True, False, False)
    """
    words = text.lower().split(maxsplit=2)
    first = words[0].strip(",.;:") if words else ""
    if first in STRONG_SENTENCE_STARTERS:
        return True
    if (
        len(first) >= 6 and first.isalpha() and first.endswith(_DEFINITE_NOUN_ENDINGS)
        and first not in _NOT_DEFINITE_NOUNS
    ):
        return True  # `… 289.900 kr. forhandlerne venter …`: a definite noun starts a clause
    return (
        first in ("det", "den", "de") and len(words) > 1
        and words[1].strip(",.;:") in _FINITE_VERBS
    )
# Words that make a number an ordinal: `den 2000. kunde`, `for 1000. gang`, `nr. 1500.`.
ORDINAL_CONTEXT = frozenset(
    "den det de hver hvert sin sit sine hans hendes deres dens dets vores jeres nr for".split()
)
# Endings of definite nouns (`indtastningen`, `forbindelsen`, `muligheden`, `selskabet`),
# which never follow an ordinal number (`-erne` would take `den 2. interne` too).
_DEFINITE_ENDINGS = ("ningen", "elsen", "heden", "skabet")
# Top-level domains: `irc.gnome.org.` ends a sentence, it is no dotted abbreviation.
_DOMAINS = frozenset("dk com org net eu de se no io uk info nu biz gov edu fi fo gl is".split())

# Verbs of saying and thinking: after `?`, `!` or a closing quote, a lower-case one goes on
# with the same sentence (`»Kom så!« råber træneren`, `Skal vi gå? spurgte han`).
SPEECH_VERBS = frozenset(
    """
    siger sagde sagt spørger spurgte svarer svarede råber råbte råbt skriger skreg hvisker
    hviskede mumler mumlede udbryder udbrød fortæller fortalte forklarer forklarede
    tilføjer tilføjede understreger understregede fastslår fastslog erkender erkendte
    forsikrer forsikrede tænker tænkte lyder lød griner grinede smiler smilede sukker
    sukkede skriver skrev indrømmer indrømmede konstaterer konstaterede pointerer
    pointerede vurderer vurderede mener mente uddyber uddybede bekræfter bekræftede
    bemærker bemærkede påpeger påpegede beretter berettede siges hvæser hvæsede brøler
    brølede kalder kaldte lyder lød fortsætter fortsatte afbryder afbrød gentager gentog
    spørges svares råbes jubler jublede stønner stønnede græder græd snerrer snerrede
    oplyser oplyste meddeler meddelte erklærer erklærede opfordrer opfordrede advarer
    advarede medgiver medgav nævner nævnte fremhæver fremhævede argumenterer argumenterede
    beklager beklagede lover lovede håber håbede raser rasede protesterer protesterede
    undrer undrede insisterer insisterede hedder hed står stod konkluderer konkluderede
    """.split()
)
# Abbreviations sometimes written with a space inside (`bl. a.`): the spaced form is one
# abbreviation, never a sentence end.
_SPACED_ABBREVIATION = re.compile(
    r"\b(?:bl\. a|f\. eks|m\. fl|m\. m|o\. l|p\. g\. a|t\. o\. m|d\. v\. s|i\. f\. t)\.",
    re.IGNORECASE,
)


def _in_spaced_abbreviation(text: str, pos: int) -> bool:
    """The full stop at ``pos`` belongs to a spaced abbreviation (`bl. a.`).

    >>> _in_spaced_abbreviation("Han så bl. a. Peter.", 9), _in_spaced_abbreviation("bl. a.", 5)
    (True, True)
    """
    if "." not in text[max(0, pos - 5) : pos] and "." not in text[pos + 1 : pos + 6]:
        return False  # every spaced abbreviation has full stops at most five apart
    return any(
        m.start() <= pos < m.end()
        for m in _SPACED_ABBREVIATION.finditer(text, max(0, pos - 12), pos + 12)
    )

# Abbreviated months (`sept.`) may go on in lower case; a full month name (`september.`)
# ends its sentence like any word.
MONTH_ABBREVIATIONS = frozenset("jan feb mar apr jun jul aug sep sept okt nov dec".split())

_CLOSERS = "\"'»«”’“‘›‹)]"
_OPENERS = "\"'»«“„‘‚›‹([–—-"
# A candidate break: terminal punctuation, closing marks, then whitespace.
# The look-behind starts a match only where a run of marks starts (linear on `.....`).
_BREAK = re.compile(rf"(?<![.!?…])([.!?…]+)([{re.escape(_CLOSERS)}]*)(\s+)")
_WORD_BEFORE = re.compile(r"(\S+)$")
# How far past a full stop the splitter looks (enough for opening marks and the next word).
_LOOKAHEAD = 80


class DanishSplitter:
    """Rule-based Danish sentence splitter.

    >>> s = DanishSplitter()
    >>> for sentence in s.split("Salget steg i 2. kvartal. vi ved, at f.eks. H.C. Andersen kom "
    ...         "kl. 14.30 den 8. april. Han sagde: »Hvad nu?« spurgte han. Over 80%! det er "
    ...         "klart... Godt."):
    ...     print(sentence)
    Salget steg i 2. kvartal.
    vi ved, at f.eks. H.C. Andersen kom kl. 14.30 den 8. april.
    Han sagde: »Hvad nu?« spurgte han.
    Over 80%!
    det er klart...
    Godt.
    """

    def spans(self, text: str) -> list[tuple[int, int]]:
        spans = []
        start = _skip_space(text, 0)
        for match in _BREAK.finditer(text):
            if match.start() < start:
                continue
            if self._is_break(text, start, match):
                spans.append((start, match.end(2)))
                start = match.end()
        end = len(text.rstrip())
        if start < end:
            spans.append((start, end))
        return spans

    def split(self, text: str) -> list[str]:
        return [text[a:b] for a, b in self.spans(text)]

    def _is_break(self, text: str, start: int, match: re.Match[str]) -> bool:
        punct, closers = match.group(1), match.group(2)
        rest = text[match.end() : match.end() + _LOOKAHEAD]
        nxt = rest.lstrip(_OPENERS)
        if not nxt:
            return False
        first = nxt[0]
        if first in ",;:":
            return False  # `145 kr. , og børn`: no sentence starts with a comma, it goes on
        starts_upper = first.isupper()
        starts_lower = first.islower()
        starts_digit = first.isdigit()
        speech = starts_lower and (closers or punct[-1] in "!?") and (
            _next_word(nxt).lower().strip(",.;:!?") in SPEECH_VERBS
        )
        if punct in ("!", "?", "?!", "!?") or set(punct) <= {"!", "?"}:
            # »Hvad nu?« spurgte han, Skal vi gå? spurgte han: reported speech goes on after
            # the question; after a closing quote only a verb can follow (»Nej!« skreg hun).
            if speech:
                return False
            if closers and starts_lower:
                # `»Stop!« hun greb ham`: a pronoun after the quote starts a sentence.
                quoted = any(c not in ")]" for c in closers)
                return quoted and _next_word(nxt).lower() in STRONG_SENTENCE_STARTERS
            return True
        if punct == ".." and starts_lower | starts_upper:
            # `250 kr.. Den`: an abbreviation's full stop and the sentence's, typed twice.
            bare = _bare_word(text, start, match.start())
            return _is_abbreviation(bare) or starts_upper
        if punct == "…" or len(punct) >= 2:
            # An ellipsis ends a sentence only before a capital letter.
            return starts_upper
        # A single full stop.
        if speech and closers:
            return False  # »Det er for sent.« svarede hun
        if _in_spaced_abbreviation(text, match.start()):
            return False  # `bl. a.`, `f. eks.`
        if starts_lower and match.start() > start and text[match.start() - 1].isspace():
            # A full stop standing alone: `… byen . derfor kom …` is a sentence end typed with
            # a space; a word that cannot end a sentence before it means no sentence end
            # (`begynder med . som navn`).
            end = match.start()
            while end > max(start, match.start() - 40) and text[end - 1].isspace():
                end -= 1
            word_before = _bare_word(text, start, end)
            return any(c.isalnum() for c in word_before) and word_before not in _NOT_FINAL_WORDS
        word_match = _word_before(text, start, match.start())
        word = word_match.group(1) if word_match else ""
        bare = word.lstrip(_OPENERS).lower()
        if closers and not (starts_lower and _is_abbreviation(bare)):
            # `(… osv.) du vil`: an abbreviation inside brackets, no sentence end.
            return not starts_lower or _looks_like_sentence_start(nxt)
        if starts_digit:
            return False  # `kl. 14.30`, `1. jan. 1990`, `ca. 3`: never a break before a digit
        if not (starts_upper or starts_lower):
            return not bare.isdigit()
        if bare.isdigit():
            end = word_match.start() if word_match else start
            while end > start and text[end - 1].isspace():
                end -= 1
            before = _word_before(text, start, end)
            previous = before.group(1).lower().strip(",;:()") if before else ""
            if previous in ("kl.", "kl") and starts_lower:
                return _next_word(nxt).lower().strip(",.;:") not in MONTHS  # `kl. 12. løn …`
            if _is_year(bare) and starts_lower and previous not in ORDINAL_CONTEXT:
                # `… er fra 2016. mærkestrukturen i Exif …`: a year ends the sentence.
                return _next_word(nxt).lower().strip(",.;:") not in MONTHS
            return self._break_after_number(bare, nxt, starts_upper)
        if "-" in bare and bare.rsplit("-", 1)[-1] in NON_FINAL_ABBREVIATIONS:
            return False  # `6-cyl.`: a compound ending in an abbreviation
        if "-" in bare and bare.rsplit("-", 1)[-1] in FINAL_ABBREVIATIONS:
            return starts_upper  # `tirs.-søn.`
        if bare in NON_FINAL_ABBREVIATIONS or _is_initials(word):
            return False
        if bare in FINAL_ABBREVIATIONS or bare in MONTH_ABBREVIATIONS:
            # `… koster 250 kr. han …`: a pronoun cannot go on after an amount.
            if starts_lower:
                return not closers and starts_clause(nxt)
            return not _next_word(nxt).lower().isdigit()
        if is_dotted_abbreviation(bare):
            # A dotted abbreviation not in the lists (`m.fl.`, `p.a.`): break only before a
            # capital letter.
            return starts_upper
        return True

    @staticmethod
    def _break_after_number(number: str, nxt: str, starts_upper: bool) -> bool:
        following = _next_word(nxt).lower().strip(",.;:")
        if following in MONTHS:
            return False  # 8. april
        if starts_upper:
            return True
        # `i 2013. vi ved` (a year, then a sentence start) versus `det 4. største`.
        if len(number) == 4 and following in SENTENCE_STARTERS:
            return True
        # An ordinal takes the indefinite form (`den 20. indtastning`): a definite noun after
        # the number starts a new sentence (`… op til 20. indtastningen gemmes …`).
        return following in NOT_AFTER_ORDINAL or (
            len(following) >= 7 and following.endswith(_DEFINITE_ENDINGS)
        )


# Words that cannot end a sentence (prepositions, articles, conjunctions): a lone full stop
# after one of them is no sentence end.
_NOT_FINAL_WORDS = frozenset(
    """
    med af i på til fra for om ved en et den det de og eller som at der hvis når men mod
    """.split()
)


def _bare_word(text: str, start: int, end: int) -> str:
    """The lower-case word before ``end`` (``text[start:end]`` only), without opening marks
    and without the full stops at its end."""
    begin = end
    while begin > max(start, end - 40) and not text[begin - 1].isspace():
        begin -= 1
    return text[begin:end].lstrip(_OPENERS).rstrip(".").lower()


def _word_before(text: str, start: int, end: int) -> re.Match[str] | None:
    """The word that ends at ``end`` (not before ``start``); looks back over that word only,
    so that a sentence with many full stops is split in linear time.

    >>> _word_before("Det er f.eks. godt", 0, 13).group(1)
    'f.eks.'
    """
    begin = end
    while begin > start and not text[begin - 1].isspace():
        begin -= 1
    return _WORD_BEFORE.search(text, begin, end)


def _is_year(number: str) -> bool:
    return len(number) == 4 and 1000 <= int(number) <= 2199


def is_abbreviation(bare: str) -> bool:
    """A known Danish abbreviation, or a dotted one (`m.fl`), given in lower case without its
    last full stop.

    >>> is_abbreviation("kr"), is_abbreviation("m.fl"), is_abbreviation("byen")
    (True, True, False)
    """
    return _is_abbreviation(bare)


def _is_abbreviation(bare: str) -> bool:
    return (
        bare in NON_FINAL_ABBREVIATIONS or bare in FINAL_ABBREVIATIONS
        or is_dotted_abbreviation(bare)
    )


def is_dotted_abbreviation(bare: str) -> bool:
    """`m.fl`, `p.a`, `f.eks`: short letter groups joined by full stops; not a file extension
    (`.iso`) or a domain (`irc.gnome.org`).

    >>> [is_dotted_abbreviation(w) for w in ("m.fl", "ph.d", ".iso", "irc.gnome.org", "dr.dk")]
    [True, True, False, False, False]
    """
    parts = bare.split(".")
    return (
        len(parts) >= 2 and all(p.isalpha() and len(p) <= 4 for p in parts)
        and parts[-1] not in _DOMAINS
    )


def _next_word(text: str) -> str:
    parts = text.split(maxsplit=1)
    return parts[0] if parts else ""


def _looks_like_sentence_start(text: str) -> bool:
    return _next_word(text).lower().strip(",.;:") in SENTENCE_STARTERS


_INITIALS = re.compile(r"^(?:[A-ZÆØÅ]\.)+[A-ZÆØÅ]?$")


def _is_initials(word: str) -> bool:
    """`H.C.`, `A.` (an initial before a surname)."""
    return bool(_INITIALS.match(word.rstrip(".") + "."))


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and (text[pos].isspace() or text[pos] in "\u200b\ufeff"):
        pos += 1
    return pos


DEFAULT_SPLITTER: Splitter = DanishSplitter()

# ---------------------------------------------------------------------------------------------
# Paragraphs

# Characters that leave a line blank to the eye.
_BLANKS = " \t\r\f\v\u00a0\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
_BLANK_LINE = re.compile(rf"\n[{_BLANKS}]*\n")
# Characters that end a paragraph as a blank line does: form feed (a page break), vertical tab,
# NEL, and Unicode's LINE and PARAGRAPH SEPARATOR (word processors' exports, old mainframes).
# Read as text they would join two paragraphs, and normalizing removes them as control
# characters, so the sentences on either side would run together.
_PARAGRAPH_BREAKS = str.maketrans(dict.fromkeys("\f\v\x85\u2028\u2029", "\n\n"))
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]\s+|\d{1,3}[.)]\s+(?=\D))")
_END_PUNCTUATION = ".!?:;,…"
HEADING_MAX_WORDS = 14
HEADING_MAX_CHARS = 120


def is_heading_line(line: str) -> bool:
    """A short line without end punctuation (or a Markdown heading).

    >>> [is_heading_line(line) for line in ("gåture i samtalen", "Over 80%!", "# Om os")]
    [True, False, True]
    """
    stripped = line.strip()
    if not stripped:
        return False
    if stripped.startswith("#"):
        return True
    bare = stripped.rstrip(_CLOSERS + " ")
    return (
        len(stripped) <= HEADING_MAX_CHARS
        and len(stripped.split()) <= HEADING_MAX_WORDS
        and not bare.endswith(tuple(_END_PUNCTUATION))
    )


QUESTION_HEADING_MAX_WORDS = 10


def is_question_heading(line: str) -> bool:
    """A short question standing alone between blank lines, one sentence, not quoted speech:
    a heading (``Hvad er Super-tasten?``).

    >>> [is_question_heading(line) for line in ("Hvordan kalibrerer jeg min skærm?",
    ...     "»Hvad nu?«", "Hvad nu? Det ved ingen.", "Hvad sker der, når man i dag "
    ...     "vælger at investere alle sine penge i aktier?")]
    [True, False, False, False]
    """
    stripped = line.strip(_BLANKS)
    if not stripped.endswith("?") or stripped[:1] in _OPENERS or stripped[:1] in _CLOSERS:
        return False
    words = stripped.split()
    return (
        len(words) <= QUESTION_HEADING_MAX_WORDS
        and len(DEFAULT_SPLITTER.spans(stripped)) == 1
        and stripped[:1].isalpha()
    )


def split_blocks(text: str) -> list[tuple[ParagraphKind, str]]:
    """Split raw article text into ``(kind, text)`` paragraphs.

    >>> for kind, text in split_blocks("Titel\\nFørste linje. Anden\\nlinje.\\n\\n- et\\n- to\\n"):
    ...     print(kind, repr(text))
    heading 'Titel'
    text 'Første linje. Anden\\nlinje.'
    list '- et'
    list '- to'
    >>> [text for _, text in split_blocks("Et.\fTo.\u2029Tre.\x85Fire.")]
    ['Et.', 'To.', 'Tre.', 'Fire.']
    """
    paragraphs: list[tuple[ParagraphKind, str]] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_PARAGRAPH_BREAKS)
    for block in _BLANK_LINE.split(text):
        pending: list[str] = []
        lines = [line for line in block.split("\n") if line.strip(_BLANKS)]
        # Lines are classed as they read once HTML entities are unescaped, so that normalizing
        # (which unescapes them) cannot change a paragraph's kind: `&amp;` ends in `;`, `&` not.
        shown = [_as_read(line) for line in lines]
        if len(lines) == 1 and is_question_heading(shown[0]):
            paragraphs.append(("heading", lines[0]))
            continue
        for index, line in enumerate(lines):
            following = shown[index + 1].strip(_BLANKS) if index + 1 < len(lines) else ""
            kind: ParagraphKind | None = None
            if _LIST_ITEM.match(shown[index]):
                kind = "list"
            elif (
                is_heading_line(shown[index])
                and (not pending or _ends_sentence(_as_read(pending[-1])))
                # A heading-like line followed by a lower-case line is a wrapped sentence.
                and (line.lstrip().startswith("#") or not following[:1].islower())
            ):
                kind = "heading"
            if kind is None:
                pending.append(line)
                continue
            if pending:
                paragraphs.append(("text", "\n".join(pending)))
                pending = []
            paragraphs.append((kind, line))
        if pending:
            paragraphs.append(("text", "\n".join(pending)))
    # A one-line block that is long or ends in punctuation was classed as text; a heading-like
    # line that continues a wrapped sentence stays text. Strip outer whitespace of each.
    return [(kind, body.strip(" \t\u00a0")) for kind, body in paragraphs]


# The entities that normalizing unescapes (those for `<` and `>` it keeps as written).
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MARKUP_ENTITY = re.compile(r"&(?:lt|gt|#0*60|#0*62|#x0*3c|#x0*3e);", re.IGNORECASE)


def _as_read(line: str) -> str:
    """The line with HTML entities unescaped as normalizing will, for classing it.

    >>> _as_read("Salg &amp; marketing &lt;b&gt;")
    'Salg & marketing &lt;b&gt;'
    """
    if "&" not in line:
        return line
    return _ENTITY.sub(
        lambda m: m.group(0) if _MARKUP_ENTITY.fullmatch(m.group(0)) else html.unescape(m.group(0)),
        line,
    )


def _ends_sentence(line: str) -> bool:
    return line.rstrip().rstrip(_CLOSERS).endswith(tuple(".!?:…"))


def segment_paragraph(
    text: str, kind: ParagraphKind = "text", splitter: Splitter = DEFAULT_SPLITTER
) -> Paragraph:
    if kind == "heading":
        spans = [(0, len(text.rstrip()))] if text.strip() else []
    else:
        spans = splitter.spans(text)
    sentences = []
    for index, (start, end) in enumerate(spans):
        next_start = spans[index + 1][0] if index + 1 < len(spans) else end
        gap = text[end:next_start]
        space_after = "" if index + 1 == len(spans) else ("\n" if "\n" in gap else " ")
        sentences.append(Sentence(original=text[start:end], space_after=space_after))
    return Paragraph(sentences=sentences, kind=kind)


def segment_text(
    text: str, path: str = "<text>", splitter: Splitter = DEFAULT_SPLITTER
) -> Article:
    """Build an article from raw text: paragraphs, then sentences."""
    paragraphs = [segment_paragraph(body, kind, splitter) for kind, body in split_blocks(text)]
    return Article(path=path, paragraphs=[p for p in paragraphs if p.sentences])

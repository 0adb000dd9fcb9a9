"""Reading article files: decoding, refusing what is not text, and building the article."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.document import Article, Flag
from pipeline.errors import InputError
from pipeline.fsutil import read_input
from pipeline.rules import ENCODING, Rule
from pipeline.text.segment import DEFAULT_SPLITTER, Splitter, segment_text

# Characters that Danish (and English) text decoded as Windows-1252 may plausibly contain.
# Anything else (box drawing, rare symbols) suggests another encoding, so we refuse to guess.
_PLAUSIBLE_CP1252 = set(
    "æøåÆØÅéèêëÉÈáàâäÁÀÂÄíìîïÍóòôöÓÒÔÖúùûüÚÜñÑçÇßšŠžŽ"
    "“”„‘’‚«»‹›–—…•·°§£€$¢¥©®™½¼¾±×÷µ¹²³\u00a0¿¡"
)

STAGE = "read"
#: The reader's one rule: a file it could only read as Windows-1252 is flagged as a whole.
DECODED_CP1252 = Rule(
    "decoded_cp1252", STAGE, ENCODING, "flag",
    "The file is not UTF-8; it was read as Windows-1252. Check special letters.",
)
DECLARED_RULES: tuple[Rule, ...] = (DECODED_CP1252,)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode file bytes as UTF-8, or as Windows-1252 when that is unambiguous.

    Returns ``(text, encoding)``. Raises :class:`InputError` naming the file and the offset of
    the first byte that is not UTF-8 when neither works.

    >>> decode("Køge".encode(), "a.txt")
    ('Køge', 'utf-8')
    >>> decode("Køge – “godt”".encode("cp1252"), "a.txt")
    ('Køge – “godt”', 'cp1252')
    >>> decode("Køge".encode("utf-16"), "a.txt")  # with its byte order mark
    ('Køge', 'utf-16')
    >>> decode("Køge".encode("utf-32"), "a.txt")
    ('Køge', 'utf-32')
    """
    # UTF-32's little-endian mark (FF FE 00 00) begins with UTF-16's (FF FE): test it first.
    for marks, encoding in (((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"), "utf-32"),
                            ((b"\xff\xfe", b"\xfe\xff"), "utf-16")):
        if data.startswith(marks):
            return _decode_marked(data, encoding, name), encoding
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise InputError(name, f"binary file (NUL byte at offset {offset}), not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    if text and all(c.isascii() or c in _PLAUSIBLE_CP1252 for c in text):
        return text, "cp1252"
    raise InputError(
        name,
        f"not UTF-8 (invalid byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) "
        "and not plainly Windows-1252; convert it to UTF-8",
    )


def _decode_marked(data: bytes, encoding: str, name: str) -> str:
    """Text that starts with the byte order mark of ``encoding`` (UTF-16 or UTF-32).

    >>> _decode_marked("Køge".encode("utf-32"), "utf-32", "a.txt")
    'Køge'
    """
    label = encoding.upper()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(
            name, f"starts with a {label} byte order mark but is not valid {label} "
            f"(at offset {error.start}); convert it to UTF-8"
        ) from None
    if "\x00" in text:  # the NUL check, as for bytes, on the characters
        raise InputError(
            name, f"binary file (NUL character {text.index(chr(0)):,} in its {label} text), "
            "not text"
        )
    return text


def read_article(
    path: Path, relative_name: str | None = None, splitter: Splitter = DEFAULT_SPLITTER
) -> Article:
    """Read and segment one article file (:func:`pipeline.fsutil.read_input`). Never
    modifies the file. Errors name the file as given (``path``); the article is named
    ``relative_name``.
    """
    name = str(path)
    data = read_input(path, name)
    article = article_from_bytes(data, name, splitter)
    article.path = relative_name or name
    return article


def article_from_bytes(
    data: bytes, name: str, splitter: Splitter = DEFAULT_SPLITTER
) -> Article:
    text, encoding = decode(data, name)
    article = segment_text(text, path=name, splitter=splitter)
    article.encoding = encoding
    article.input_sha256 = hashlib.sha256(data).hexdigest()
    if encoding == "cp1252":
        rule = DECODED_CP1252
        article.flags.append(Flag(rule.rule_id, 0, 0, "warning", rule.reason, stage=rule.stage))
    return article

"""Exports of a run for CAT tools: XLIFF 2.0 and TMX 1.4b, rebuilt from the run's records.

Both carry the cleaned Danish as source (``da``) and the back-translation as target (``en``),
sentence by sentence, with the edits and flags as notes.

- **XLIFF 2.0** (OASIS core, no modules): one ``<name>.xlf`` per article. A ``<file>`` per
  article (``original`` = the article's path), a ``<group>`` per paragraph (``type`` is
  ``daen:text``, ``daen:heading`` or ``daen:list``) and a ``<unit>`` per sentence (id ``s1``,
  ``s2``, … in article order, as in the record's QA alignment) with one ``<segment>``. Notes on
  a unit: ``edit`` (one per edit), ``flag`` (priority 1 for errors, 3 for warnings, 6 for
  info; ``appliesTo="target"`` for flags on the back-translation), ``original`` (the Danish
  before cleanup, when it changed) and ``english-original`` (the aligned sentence of the
  English original, when there is one). A sentence without back-translation has no
  ``<target>`` and stays ``state="initial"``; the others are ``translated``. Characters that
  XML 1.0 cannot carry become ``<cp hex="…"/>``, as the standard provides.
- **TMX 1.4b**: one ``<run folder>.tmx`` for the whole run, a ``<tu>`` per back-translated
  sentence with ``x-article`` and ``x-sentence`` properties and the same notes (TMX has no
  note categories: each note starts with its kind).

The files are written next to each other in ``RUN_DIR/exports/`` unless another folder is
given. Nothing is written for a run without records.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from pipeline import __version__
from pipeline.document import Article, Edit, Flag, Sentence
from pipeline.errors import DaenError
from pipeline.run.decisions import Applied, decisions_by_sentence, describe, load_applied
from pipeline.run.folder import RunFolder

Format = Literal["xliff", "tmx"]
FORMATS: tuple[Format, ...] = ("xliff", "tmx")
XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
SOURCE_LANG, TARGET_LANG = "da", "en"
EXPORT_DIR = "exports"

_TEXT_ELEMENTS = frozenset({"source", "target", "note", "seg", "prop"})
_PRIORITY = {"error": "1", "warning": "3", "info": "6"}
# Characters XML 1.0 cannot hold (besides tab, newline, carriage return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ExportError(DaenError):
    """A run folder that cannot be exported; the message says why."""


@dataclass(frozen=True)
class ExportRecord:
    name: str  # the record's path relative to the run folder, without ``.json``
    article: Article  # with the editor's decisions applied, when there are any
    review: Applied | None = None  # the decisions (``daen review``)


# ---------------------------------------------------------------------------------------------
# Reading a run


def load_run(run_dir: Path) -> list[ExportRecord]:
    """The article records of a run, in name order: those its ``manifest.json`` lists, with
    the editor's decisions (``daen review``) applied where there are any.

    Read through :class:`~pipeline.run.folder.RunFolder`: other JSON files in the folder are
    never read, and a listed record that is missing, cannot be read, lies outside the folder
    or no longer matches the digest the run recorded is refused (its error, unchanged).
    """
    run = RunFolder.open(run_dir)
    records = []
    for name in sorted(run.entries):
        article = run.record(name)
        review = load_applied(run.decisions_path(name), article)  # the editor's final state
        records.append(ExportRecord(name, review.article if review else article, review))
    if not records:
        raise ExportError(f"{run_dir}: the run has no finished articles; run `daen run`")
    return records


# ---------------------------------------------------------------------------------------------
# Notes shared by both formats


def _edit_note(edit: Edit) -> str:
    text = f"{edit.stage}/{edit.rule_id}: “{edit.before}” → “{edit.after}”"
    return f"{text} ({edit.reason})" if edit.reason else text


def _flag_note(flag: Flag) -> str:
    stage = f"{flag.stage}/" if flag.stage else ""
    text = f"{stage}{flag.rule_id} [{flag.severity}]: {flag.reason}"
    return f"{text} Suggestion: {flag.suggestion}" if flag.suggestion else text


@dataclass(frozen=True)
class _Note:
    category: str
    text: str
    priority: str | None = None
    applies_to: str | None = None


def _sentence_notes(sentence: Sentence, english: str | None) -> list[_Note]:
    notes = [_Note("edit", _edit_note(e)) for e in sentence.edits]
    notes += [_Note("flag", _flag_note(f), _PRIORITY.get(f.severity)) for f in sentence.flags]
    if sentence.translation is not None:
        notes += [
            _Note("flag", _flag_note(f), _PRIORITY.get(f.severity), "target")
            for f in sentence.translation.flags
        ]
    if sentence.changed:
        notes.append(_Note("original", sentence.original, applies_to="source"))
    if english:
        notes.append(_Note("english-original", english, applies_to="target"))
    return notes


def _article_notes(article: Article) -> list[_Note]:
    notes = [_Note("flag", _flag_note(f), _PRIORITY.get(f.severity)) for f in article.flags]
    qa = article.qa
    if qa and qa.get("pairs"):
        counts = qa.get("counts", {})
        summary = ", ".join(f"{rule} {count}" for rule, count in counts.items())
        notes.append(_Note(
            "qa",
            f"Compared with the English original {qa.get('original') or ''}: "
            f"{100 * qa.get('divergence', 0):.0f}% diverges (chrF threshold "
            f"{qa.get('threshold')}; {summary}).",
        ))
    return notes


def _english_by_sentence(article: Article) -> list[str | None]:
    from pipeline.qa.check import english_for_sentences

    return english_for_sentences(article)


def _xml_text(text: str) -> str:
    """Text XML can hold: characters it cannot are shown as U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


# ---------------------------------------------------------------------------------------------
# XLIFF 2.0


def _q(tag: str) -> str:
    return f"{{{XLIFF_NS}}}{tag}"


def _inline_text(element: ET.Element, text: str) -> None:
    """Set mixed content: characters XML cannot carry become ``<cp hex=".."/>``."""
    parts = _NOT_XML.split(text)
    element.text = parts[0]
    for char, after in zip(_NOT_XML.findall(text), parts[1:], strict=True):
        cp = ET.SubElement(element, _q("cp"), {"hex": f"{ord(char):04X}"})
        cp.tail = after
    if text != text.strip() or "\n" in text or "  " in text:
        element.set(f"{{{XML_NS}}}space", "preserve")


def _add_notes(parent: ET.Element, notes: list[_Note]) -> None:
    if not notes:
        return
    container = ET.SubElement(parent, _q("notes"))
    for note in notes:
        attributes = {"category": note.category}
        if note.priority:
            attributes["priority"] = note.priority
        if note.applies_to:
            attributes["appliesTo"] = note.applies_to
        ET.SubElement(container, _q("note"), attributes).text = _xml_text(note.text)


def xliff_document(article: Article, review: Applied | None = None) -> ET.Element:
    """One article as an XLIFF 2.0 document.

    With the editor's decisions (``review``) the source is the final text, each decision is a
    ``decision`` note, and a reviewed sentence's state is ``reviewed``, or ``final`` once the
    article is marked done.
    """
    ET.register_namespace("", XLIFF_NS)
    root = ET.Element(_q("xliff"), {"version": "2.0", "srcLang": SOURCE_LANG,
                                    "trgLang": TARGET_LANG})
    file = ET.SubElement(root, _q("file"), {"id": "f1", "original": _xml_text(article.path)})
    _add_notes(file, _article_notes(article))
    english = _english_by_sentence(article)
    per_sentence = decisions_by_sentence(review) if review is not None else None
    index = 0
    for p_index, paragraph in enumerate(article.paragraphs, start=1):
        group = ET.SubElement(file, _q("group"), {"id": f"p{p_index}",
                                                  "type": f"daen:{paragraph.kind}"})
        for sentence in paragraph.sentences:
            unit = ET.SubElement(group, _q("unit"), {"id": f"s{index + 1}"})
            notes = _sentence_notes(sentence, english[index])
            decided = per_sentence[index] if per_sentence else []
            notes += [_Note("decision", describe(d)) for d in decided]
            _add_notes(unit, notes)
            translation = sentence.translation
            state = "translated" if translation else "initial"
            if review is not None and (review.decisions.done or decided):
                state = "final" if review.decisions.done else "reviewed"
            segment = ET.SubElement(unit, _q("segment"), {"state": state})
            _inline_text(ET.SubElement(segment, _q("source")), sentence.text)
            if translation is not None:
                _inline_text(ET.SubElement(segment, _q("target")), translation.text)
            index += 1
    return root


# ---------------------------------------------------------------------------------------------
# TMX 1.4b


def _tmx_notes(parent: ET.Element, notes: list[_Note]) -> None:
    for note in notes:
        ET.SubElement(parent, "note").text = _xml_text(f"{note.category}: {note.text}")


def tmx_document(records: list[ExportRecord]) -> ET.Element:
    """Every back-translated sentence of a run as one TMX 1.4b translation memory."""
    root = ET.Element("tmx", {"version": "1.4"})
    ET.SubElement(root, "header", {
        "creationtool": "daen",
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": "daen-record",
        "adminlang": "en",
        "srclang": SOURCE_LANG,
        "datatype": "plaintext",
    })
    body = ET.SubElement(root, "body")
    for record in records:
        article = record.article
        english = _english_by_sentence(article)
        for index, sentence in enumerate(article.sentences()):
            translation = sentence.translation
            if translation is None:
                continue  # a memory entry needs both sides
            tu = ET.SubElement(body, "tu", {"tuid": _xml_text(f"{article.path}#s{index + 1}")})
            ET.SubElement(tu, "prop", {"type": "x-article"}).text = _xml_text(article.path)
            ET.SubElement(tu, "prop", {"type": "x-sentence"}).text = str(index + 1)
            _tmx_notes(tu, _sentence_notes(sentence, english[index]))
            source = ET.SubElement(tu, "tuv", {f"{{{XML_NS}}}lang": SOURCE_LANG})
            ET.SubElement(source, "seg").text = _xml_text(sentence.text)
            target = ET.SubElement(tu, "tuv", {f"{{{XML_NS}}}lang": TARGET_LANG})
            ET.SubElement(target, "prop", {"type": "x-model"}).text = _xml_text(translation.model)
            ET.SubElement(target, "seg").text = _xml_text(translation.text)
    return root


# ---------------------------------------------------------------------------------------------
# Writing


def _indent(element: ET.Element, level: int = 0) -> None:
    """Indent structure for people reading the file, never touching text content.

    (``ET.indent`` would add whitespace inside a ``<target>`` that holds a ``<cp>``.)
    """
    children = list(element)
    if not children or element.tag.rsplit("}", 1)[-1] in _TEXT_ELEMENTS:
        return
    inner = "\n" + "  " * (level + 1)
    element.text = inner
    for child in children:
        _indent(child, level + 1)
        child.tail = inner
    children[-1].tail = "\n" + "  " * level


def _xml_bytes(root: ET.Element) -> bytes:
    _indent(root)
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return (declaration + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def export_outputs(records: list[ExportRecord], fmt: Format, run_name: str) -> Iterator[
    tuple[str, bytes]
]:
    """``(relative file name, content)`` of each export file."""
    if fmt == "xliff":
        for record in records:
            yield f"{record.name}.xlf", _xml_bytes(xliff_document(record.article, record.review))
    elif fmt == "tmx":
        yield f"{run_name or 'daen'}.tmx", _xml_bytes(tmx_document(records))
    else:
        raise ExportError(f"unknown export format {fmt!r} (choose {' or '.join(FORMATS)})")


def export_run(run_dir: Path, fmt: Format, output_dir: Path | None = None) -> list[Path]:
    """Write the exports of a run folder; returns the files written."""
    from pipeline.fsutil import write_atomic

    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose {' or '.join(FORMATS)})")
    records = load_run(run_dir)
    target = output_dir if output_dir is not None else run_dir / EXPORT_DIR
    written = []
    for name, content in export_outputs(records, fmt, run_dir.resolve().name):
        path = target / PurePosixPath(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, content, root=target)
        except OSError as error:
            raise ExportError(f"{path}: cannot be written ({error.strerror or error})") from None
        written.append(path)
    return written

"""Exports for CAT tools: XLIFF 2.0 (validated against the OASIS core schema) and TMX 1.4b."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from lxml import etree
from qa_cases import load_cases
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.document import Article, Flag, Translation
from pipeline.editor.export import (
    XLIFF_NS,
    ExportError,
    export_run,
    load_run,
    tmx_document,
    xliff_document,
)
from pipeline.qa.check import check_article
from pipeline.run.folder import NotARunFolder
from pipeline.run.manifest import Counts, Outputs, RunEntry, Seconds
from pipeline.run.records import RecordError, RunRecord, record_text, text_digest
from pipeline.text.segment import segment_text

SCHEMA = Path(__file__).parent / "schemas" / "xliff_core_2.0.xsd"
X = f"{{{XLIFF_NS}}}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CASES = {case.label: case for case in load_cases()}


@cache
def xliff_schema() -> etree.XMLSchema:
    # The core schema imports xml.xsd from a relative path: no network is needed.
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA), parser))


def assert_valid_xliff(data: bytes) -> None:
    schema = xliff_schema()
    document = etree.fromstring(data)
    assert schema.validate(document), schema.error_log


def odd_article() -> Article:
    """Edits, flags of every kind, markup characters, a control character, a missing
    back-translation, a heading and a list."""
    article = segment_text(
        "Overskrift & <mere>\n\nDet  er en test. Anden sætning\x0b her.\n\n- punkt et\n",
        path="sub/odd article.txt",
    )
    sentences = list(article.sentences())
    sentences[1].apply_edit("normalize", "spaces.double", 3, 5, " ", "Double space.")
    sentences[1].add_flag("fix", "phrase.suspicious", 0, 3, "Check this.", "info", "Dette")
    sentences[0].translation = Translation("Heading & <more>", "m", -0.2)
    sentences[1].translation = Translation(
        "It is a test.", "m", -2.0,
        flags=[Flag("translate.low", 0, 2, "warning", "Low confidence.", None, "translate")],
    )
    sentences[2].translation = Translation("Another sentence\x0b here.", "m", -0.1)
    article.flags.append(Flag("reader.encoding", 0, 0, "info", "Was cp1252.", None, "reader"))
    return article


def write_run(folder: Path, articles: list[Article]) -> Path:
    """A run folder as ``daen run`` leaves it, for the records alone: each record with its
    entry, and the manifest's entries with the records' digests."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = {}
    for article in articles:
        name = article.path.rsplit(".", 1)[0]
        entry = RunEntry(
            article.path, "0" * 64, "test", Outputs((("json", f"{name}.json"),)),
            Counts(len(article.paragraphs), len(list(article.sentences())), 0, 0, 0, 0, 0),
            "translated", "", None, None, Seconds(0.0, 0.0, 0.0), "",
        )
        text = record_text(article, entry.to_json())
        path = folder / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        entries[name] = RunEntry.from_json(entry.to_json() | {"record_sha256": text_digest(text)})
    manifest = {"manifest_schema": 1, "articles": {n: e.to_json() for n, e in entries.items()}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def qa_articles() -> list[Article]:
    return [check_article(case.article(), case.english_text, original=f"{label}.en.txt")
            for label, case in CASES.items()]


# ---------------------------------------------------------------------------------------------
# XLIFF 2.0


def test_schema_accepts_a_minimal_document_and_rejects_a_broken_one() -> None:
    good = (
        f'<xliff xmlns="{XLIFF_NS}" version="2.0" srcLang="da"><file id="f1"><unit id="u1">'
        "<segment><source>Hej</source></segment></unit></file></xliff>"
    ).encode()
    assert_valid_xliff(good)
    broken = good.replace(b'<unit id="u1">', b'<unit id="u 1">')
    assert not xliff_schema().validate(etree.fromstring(broken))


@pytest.mark.parametrize("article", [*qa_articles(), odd_article()], ids=lambda a: a.path)
def test_xliff_is_valid_against_the_core_schema(article: Article) -> None:
    root = xliff_document(article)
    data = ET.tostring(root, encoding="utf-8")
    assert_valid_xliff(data)


def test_xliff_carries_source_target_and_notes() -> None:
    case = CASES["mixed"]
    article = check_article(case.article(), case.english_text, original="mixed.en.txt")
    root = xliff_document(article)
    assert (root.get("srcLang"), root.get("trgLang"), root.get("version")) == ("da", "en", "2.0")
    file = root.find(f"{X}file")
    assert file is not None and file.get("original") == "mixed.txt"
    units = root.findall(f".//{X}unit")
    assert [u.get("id") for u in units] == [f"s{i + 1}" for i in range(len(case.danish))]
    assert [u.findtext(f"{X}segment/{X}source") for u in units] == case.danish
    assert [u.findtext(f"{X}segment/{X}target") for u in units] == case.back_translations
    groups = root.findall(f".//{X}group")
    assert [g.get("type") for g in groups] == ["daen:heading", "daen:text", "daen:text",
                                               "daen:text"]
    changed = units[7]  # the sentence whose meaning changed
    notes = {n.get("category"): n.text for n in changed.iter(f"{X}note")}
    assert notes["english-original"] == case.english[9]
    assert "qa.divergent" in (notes["flag"] or "")
    file_notes = [n.text or "" for n in file.findall(f"{X}notes/{X}note")]
    assert any("diverges" in text for text in file_notes)


def test_xliff_keeps_odd_text_exactly() -> None:
    root = etree.fromstring(ET.tostring(xliff_document(odd_article()), encoding="utf-8"))
    ns = {"x": XLIFF_NS}
    units = root.findall(".//x:unit", ns)
    assert units[0].findtext("x:segment/x:source", namespaces=ns) == "Overskrift & <mere>"
    target = units[2].find("x:segment/x:target", ns)
    assert target is not None
    cp = target.find("x:cp", ns)
    assert cp is not None and cp.get("hex") == "000B"
    assert target.text == "Another sentence" and cp.tail == " here."
    categories = [n.get("category") for n in units[1].iter(f"{{{XLIFF_NS}}}note")]
    assert categories == ["edit", "flag", "flag", "original"]
    low = [n for n in units[1].iter(f"{{{XLIFF_NS}}}note") if n.get("appliesTo") == "target"]
    assert low and low[0].get("priority") == "3"
    segments = root.findall(".//x:segment", ns)
    assert segments[3].get("state") == "initial"  # the list item has no back-translation
    assert segments[3].find("x:target", ns) is None


# ---------------------------------------------------------------------------------------------
# TMX 1.4b


def test_tmx_structure() -> None:
    articles = [odd_article(), *qa_articles()]
    records = [RunRecord(a.path.rsplit(".", 1)[0], a) for a in articles]
    root = etree.fromstring(ET.tostring(tmx_document(records), encoding="utf-8"))
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert header is not None
    required = ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang",
                "srclang", "datatype")
    assert all(header.get(name) for name in required)
    assert header.get("srclang") == "da"
    units = root.findall("body/tu")
    translated = sum(1 for a in articles for s in a.sentences() if s.translation is not None)
    assert len(units) == translated
    for tu in units:
        tags = [child.tag for child in tu]
        # TMX 1.4b: (note|prop)* then tuv+; each tuv: (note|prop)* then one seg
        first_tuv = tags.index("tuv")
        assert set(tags[:first_tuv]) <= {"note", "prop"} and set(tags[first_tuv:]) == {"tuv"}
        langs = [tuv.get(XML_LANG) for tuv in tu.findall("tuv")]
        assert langs == ["da", "en"]
        for tuv in tu.findall("tuv"):
            assert [c.tag for c in tuv][-1] == "seg" and len(tuv.findall("seg")) == 1
    first = units[0]
    assert first.get("tuid") == "sub/odd article.txt#s1"
    assert [t.findtext("seg") for t in first.findall("tuv")] == ["Overskrift & <mere>",
                                                                 "Heading & <more>"]


# ---------------------------------------------------------------------------------------------
# Run folders and the command


def test_export_run_writes_one_xliff_per_article_and_one_tmx(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", [odd_article(), *qa_articles()])
    written = export_run(run, "xliff")
    names = sorted(p.relative_to(run / "exports").as_posix() for p in written)
    assert "sub/odd article.xlf" in names and len(names) == len(CASES) + 1
    for path in written:
        data = path.read_bytes()
        assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        assert_valid_xliff(data)
    tmx = export_run(run, "tmx", tmp_path / "tm")
    assert [p.name for p in tmx] == ["run.tmx"]
    etree.parse(str(tmx[0]))  # well-formed
    # exports are not read back as records
    assert len(load_run(run)) == len(CASES) + 1


def test_export_run_errors(tmp_path: Path) -> None:
    with pytest.raises(NotARunFolder, match="not a folder"):
        export_run(tmp_path / "missing", "xliff")
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotARunFolder, match=r"no manifest\.json"):
        export_run(tmp_path / "empty", "tmx")
    with pytest.raises(ExportError, match="no finished articles"):
        export_run(write_run(tmp_path / "none", []), "tmx")
    bad = write_run(tmp_path / "bad", [odd_article()])
    (bad / "sub" / "odd article.json").write_text("{", encoding="utf-8")
    with pytest.raises(RecordError, match=r"odd article\.json: changed or damaged"):
        export_run(bad, "xliff")
    with pytest.raises(ExportError, match="unknown export format"):
        export_run(bad, "docx")  # type: ignore[arg-type]


def test_export_command(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", qa_articles())
    result = CliRunner().invoke(app, ["export", str(run), "--format", "tmx"])
    assert result.exit_code == 0, result.output
    assert (run / "exports" / "run.tmx").is_file()
    result = CliRunner().invoke(app, ["export", str(run), "--format", "docx"])
    assert result.exit_code == 2

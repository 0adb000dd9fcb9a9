"""The qa stage inside `daen run`: originals found, records, review page, index, re-runs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from qa_cases import load_cases

from pipeline.document import Translation
from pipeline.run.batch import run_batch
from pipeline.settings import Settings

CASES = load_cases()


class CaseTranslator:
    """Back-translates the test articles' sentences as the cases say."""

    def __init__(self) -> None:
        self.identity = {"model": "case-back-translation", "revision": "1", "backend": "fake"}
        self.table = {
            da: bt for case in CASES for da, bt in zip(case.danish, case.back_translations,
                                                       strict=True)
        }

    def translate_texts(
        self, texts: list[str], progress: Callable[[int], None] | None = None
    ) -> list[Translation]:
        if progress is not None:
            progress(len(texts))
        return [Translation(self.table.get(t, f"[?] {t}"), "case-back-translation", -0.3)
                for t in texts]


def make_dirs(tmp_path: Path) -> tuple[Path, Path, Path]:
    inputs, originals, output = tmp_path / "in", tmp_path / "originals", tmp_path / "out"
    (inputs / "news").mkdir(parents=True)
    (originals / "news").mkdir(parents=True)
    for case in CASES:
        folder = "news/" if case.label == "mixed" else ""
        (inputs / f"{folder}{case.label}.txt").write_text(case.danish_text, encoding="utf-8")
        if case.label == "mixed":  # this one's original lives in --originals
            (originals / "news" / "mixed.en.txt").write_text(case.english_text, encoding="utf-8")
        else:
            (inputs / f"{case.label}.en.txt").write_text(case.english_text, encoding="utf-8")
    (inputs / "no-original.txt").write_text("Dette er en artikel uden original.\n",
                                            encoding="utf-8")
    return inputs, originals, output


@pytest.fixture
def run_dirs(tmp_path: Path) -> tuple[Path, Path, Path]:
    return make_dirs(tmp_path)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, object]:
    """One run shared by the tests that only read its outputs (a run loads the fix rules)."""
    inputs, originals, output = make_dirs(tmp_path_factory.mktemp("qa-run"))
    return inputs, originals, output, run(inputs, originals, output)


def run(inputs: Path, originals: Path, output: Path, **options: object):
    return run_batch(inputs, output, Settings.from_options(originals=originals, **options),
                     translator=CaseTranslator())


def test_run_compares_articles_with_their_originals(first_run) -> None:
    _, _, output, result = first_run
    assert not result.failed
    processed = sorted(o.source for o in result.outcomes)
    assert not any(name.endswith(".en.txt") for name in processed)  # originals are not articles
    assert {s.path for s in result.skipped} >= {f"{c.label}.en.txt" for c in CASES
                                                if c.label != "mixed"}
    for case in CASES:
        name = f"news/{case.label}" if case.label == "mixed" else case.label
        record = json.loads((output / f"{name}.json").read_text(encoding="utf-8"))
        qa = record["qa"]
        assert [(tuple(p["en"]), tuple(p["da"])) for p in qa["pairs"]] == case.gold, case.label
        assert record["run"]["qa"]["divergence"] == qa["divergence"]
    assert json.loads((output / "no-original.json").read_text(encoding="utf-8"))["qa"] is None
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["articles"]["news/mixed"]["qa"]["original"] == "news/mixed.en.txt"
    assert "qa_s" in manifest["timings"]


def test_review_page_and_index_show_the_comparison(first_run) -> None:
    output = first_run[2]
    page = (output / "news" / "mixed.html").read_text(encoding="utf-8")
    assert "<th>English original</th>" in page
    assert page.count('class="en-orig') == len(CASES[-1].danish)
    assert 'class="en-orig diverge"' in page
    assert "qa.content_lost" in page and "Traffic in the city has grown by 12 percent" in page
    assert "qa.content_added" in page
    plain = (output / "no-original.html").read_text(encoding="utf-8")
    assert "English original" not in plain
    index = (output / "index.html").read_text(encoding="utf-8")
    assert "Diverges" in index
    names = re.findall(r'<td class="name"><a href="[^"]*">([^<]+)</a>', index)
    divergences = {
        c.label: json.loads((output / (("news/" if c.label == "mixed" else "") + c.label
                                       + ".json")).read_text(encoding="utf-8"))["qa"]["divergence"]
        for c in CASES
    }
    ranked = [n.removeprefix("news/").removesuffix(".txt") for n in names]
    assert ranked[-1] == "no-original"  # without an original: last
    values = [divergences[label] for label in ranked[:-1]]
    assert values == sorted(values, reverse=True)
    assert ranked[0] in ("changed", "mixed")


def test_rerun_redoes_an_article_only_when_its_original_changes(
    run_dirs: tuple[Path, Path, Path],
) -> None:
    inputs, originals, output = run_dirs
    run(inputs, originals, output)
    again = run(inputs, originals, output)
    assert {o.status for o in again.outcomes} == {"unchanged"}
    changed = next(c for c in CASES if c.label == "perfect")
    (inputs / "perfect.en.txt").write_text(changed.english_text + "\nA new sentence.\n",
                                           encoding="utf-8")
    third = run(inputs, originals, output)
    assert {o.source for o in third.outcomes if o.status == "done"} == {"perfect.txt"}
    record = json.loads((output / "perfect.json").read_text(encoding="utf-8"))
    assert record["qa"]["counts"]["qa.content_lost"] == 1


def test_threshold_is_a_run_setting() -> None:
    assert Settings.from_options(qa_threshold=55.0).output_settings()["qa_threshold"] == 55.0
    assert Settings().output_settings()["qa_threshold"] == 40.0


def test_exports_of_a_real_run_are_valid(first_run, tmp_path: Path) -> None:
    from lxml import etree

    from pipeline.editor.export import export_run

    output = first_run[2]
    schema_path = Path(__file__).parent / "schemas" / "xliff_core_2.0.xsd"
    schema = etree.XMLSchema(etree.parse(str(schema_path), etree.XMLParser(no_network=True)))
    written = export_run(output, "xliff", tmp_path / "xliff")
    assert len(written) == len(CASES) + 1
    for path in written:
        assert schema.validate(etree.parse(str(path))), (path, schema.error_log)
    (tmx,) = export_run(output, "tmx", tmp_path / "tmx")
    assert len(etree.parse(str(tmx)).findall("body/tu")) > 40

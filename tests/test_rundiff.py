"""`daen diff RUN_A RUN_B`: changed, added and removed articles, word diffs, diff.html."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.editor.rundiff import (
    compare_runs,
    diff_page,
    paragraph_diffs,
    terminal_lines,
)
from pipeline.run.batch import run_batch
from pipeline.run.folder import NotARunFolder
from pipeline.settings import Settings
from pipeline.translate.translator import FakeTranslator

ARTICLE = "vi ved det. Det er en ‘trend’.\n\nen anden del, uændret.\n"


class Shouting(FakeTranslator):
    """A different "model": same Danish, different English."""

    def __init__(self) -> None:
        super().__init__()
        self.identity = {"model": "fake-shout", "revision": "2", "backend": "fake"}

    def translate_texts(self, texts, progress=None):  # type: ignore[no-untyped-def]
        results = super().translate_texts(texts, progress)
        for result in results:
            result.text = result.text.upper()
        return results


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path, Path]:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "same.txt").write_text("hej. <script>alert(1)</script> &amp; ok.\n", encoding="utf-8")
    (src / "gone.txt").write_text("snart væk.\n", encoding="utf-8")
    run_a, run_b = tmp_path / "A", tmp_path / "B"
    guillemets = Settings.from_options(quote_style="guillemets")
    run_batch(src, run_a, guillemets, translator=FakeTranslator())
    (src / "gone.txt").unlink()
    (src / "new.txt").write_text("helt ny.\n", encoding="utf-8")
    run_batch(src, run_b, Settings.from_options(quote_style="english"), translator=FakeTranslator())
    shutil.rmtree(run_b / "gone", ignore_errors=True)
    return src, run_a, run_b


def test_compare_runs_finds_what_changed(runs: tuple[Path, Path, Path]) -> None:
    _, run_a, run_b = runs
    diff = compare_runs(run_a, run_b)
    kinds = {a.source: a.kind for a in diff.articles}
    assert kinds == {"a.txt": "changed", "same.txt": "unchanged", "gone.txt": "removed",
                     "new.txt": "added"}
    changed = diff.by_kind("changed")[0]
    assert changed.danish[0].label == "¶1"
    lines = terminal_lines(diff)
    assert "  quote_style: guillemets → english" in lines
    assert any(line.startswith("changed    a.txt") for line in lines)
    text = "\n".join(lines)
    assert "[-»-]{+“+}trend[-«-]{+”+}" in text  # Danish
    assert "[en] Vi ved det. [en] Det er en [-»-]{+“+}" in text  # English
    assert "¶2" not in text  # the unchanged paragraph is not shown


def test_model_change_shows_in_english_only(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    run_batch(src, tmp_path / "A", Settings(), translator=FakeTranslator())
    run_batch(src, tmp_path / "B", Settings(), translator=Shouting())
    diff = compare_runs(tmp_path / "A", tmp_path / "B")
    article = diff.by_kind("changed")[0]
    assert not article.danish and article.english
    assert "  model: fake-echo → fake-shout" in terminal_lines(diff)


def test_diff_page_is_escaped_and_self_contained(runs: tuple[Path, Path, Path]) -> None:
    _, run_a, run_b = runs
    (run_b / "same.json").write_text(
        (run_b / "same.json").read_text(encoding="utf-8").replace("hej", "hejsa"),
        encoding="utf-8",
    )
    diff = compare_runs(run_a, run_b)
    # a record changed after its run is refused (pipeline.run.folder), not compared
    same = next(a for a in diff.articles if a.source == "same.txt")
    assert same.kind == "unreadable" and "changed or damaged since the run" in same.message
    page = diff_page(diff)
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "<del>»</del><ins>“</ins>" in page


def test_escaping_of_article_text_in_diff_page(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "x.txt").write_text("hej. <script>alert(1)</script> &amp; 'ok'.\n", encoding="utf-8")
    run_batch(src, tmp_path / "A", Settings(), translator=FakeTranslator())
    run_batch(src, tmp_path / "B", Settings(), translator=Shouting())
    page = diff_page(compare_runs(tmp_path / "A", tmp_path / "B"))
    assert "<script" not in page
    assert "&lt;/<del>script</del><ins>SCRIPT</ins>&gt;" in page
    assert "&amp;" in page


def test_paragraph_diffs_match_moved_and_added_paragraphs() -> None:
    diffs = paragraph_diffs(["a b", "c d", "e f"], ["a b", "c x", "e f", "g h"])
    assert [d.label for d in diffs] == ["¶2", "¶4 (added)"]


def test_not_a_run_folder(tmp_path: Path) -> None:
    with pytest.raises(NotARunFolder, match=r"no manifest\.json"):
        compare_runs(tmp_path, tmp_path)
    result = CliRunner().invoke(app, ["diff", str(tmp_path), str(tmp_path / "nope")])
    assert result.exit_code == 2


def test_cli_diff_prints_and_writes_html(runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, run_a, run_b = runs
    target = tmp_path / "report" / "d.html"
    result = CliRunner().invoke(app, ["diff", str(run_a), str(run_b), "--html", str(target)])
    assert result.exit_code == 0, result.output
    assert "1 changed, 1 added, 1 removed, 1 unchanged" in result.stdout
    assert "=== a.txt ===" in result.stdout
    assert target.is_file() and "a.txt" in target.read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["diff", str(run_a), str(run_b), "-q"])
    assert "===" not in result.stdout and (run_b / "diff.html").is_file()

"""The declared stages drive the run: a stage added to ``stagespec.STAGES`` runs, in its place,
through its entry point, for the per-article commands and for ``daen run``'s chunks."""

from __future__ import annotations

import io
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from pipeline import stagespec
from pipeline.document import Article
from pipeline.run.batch import run_batch
from pipeline.run.plan import Chunk
from pipeline.run.stages import ChunkRun, Stages
from pipeline.run.workflow import run_files
from pipeline.settings import Settings
from pipeline.stagespec import STAGES, StageSpec, entry_point
from pipeline.translate.translator import FakeTranslator

# normalize makes the two spaces one; fix capitalises the sentence's first word
TEXT = "vi siger  hej til kunden.\n"


@pytest.fixture
def fake_module(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A module holding the fake stages, importable by name as their entry points are."""
    module = types.ModuleType("fake_stages")
    module.seen = []  # type: ignore[attr-defined]

    def mark(article: Article, argument: Any) -> Article:
        module.seen.append(("mark", article.text, argument))  # type: ignore[attr-defined]
        return article

    def count(chunk: Chunk, run: ChunkRun) -> None:
        module.seen.append(("count", len(chunk.works), run.input_dir))  # type: ignore[attr-defined]

    module.mark = mark  # type: ignore[attr-defined]
    module.count = count  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_stages", module)
    return module


def _with(monkeypatch: pytest.MonkeyPatch, after: str, spec: StageSpec) -> None:
    """Declare ``spec`` right after the stage ``after``, in a copy of the list."""
    names = [s.name for s in STAGES]
    at = names.index(after) + 1
    monkeypatch.setattr(stagespec, "STAGES", (*STAGES[:at], spec, *STAGES[at:]))


def test_a_declared_article_stage_runs_in_its_place_for_clean(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_module: types.ModuleType
) -> None:
    _with(monkeypatch, "normalize",
          StageSpec("mark", "fake_stages", "article", "fake_stages:mark", config="qa"))
    monkeypatch.setitem(stagespec.COMMAND_STAGES, "clean", ("read", "normalize", "mark", "fix"))
    source = tmp_path / "a.txt"
    source.write_text(TEXT, encoding="utf-8")
    settings = Settings.from_options(dictionary=False)
    out = io.StringIO()

    report = run_files("clean", [source], settings, None, stdout=out)

    assert report.errors == []
    [(name, seen_text, argument)] = fake_module.seen
    assert name == "mark" and argument is settings.qa  # its part of the settings
    assert seen_text == "vi siger hej til kunden.\n"  # after normalize, before fix
    assert out.getvalue() == "Vi siger hej til kunden.\n"


def test_an_undeclared_stage_is_refused_and_a_stage_not_named_does_not_run(
    monkeypatch: pytest.MonkeyPatch, fake_module: types.ModuleType
) -> None:
    with pytest.raises(ValueError, match="unknown stage"):
        Stages(Settings(), ("read", "mark"))
    _with(monkeypatch, "fix", StageSpec("mark", "fake_stages", "article", "fake_stages:mark"))
    stages = Stages(Settings(), ("read", "normalize"))
    stages.clean(stages.read(TEXT.encode(), "a.txt"))
    assert fake_module.seen == []


def test_a_declared_chunk_stage_runs_for_every_chunk_of_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_module: types.ModuleType
) -> None:
    _with(monkeypatch, "qa", StageSpec("count", "fake_stages", "chunk", "fake_stages:count"))
    monkeypatch.setitem(stagespec.COMMAND_STAGES, "run", (*stagespec.STAGE_NAMES, "count"))
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(TEXT, encoding="utf-8")
    settings = Settings.from_options(dictionary=False, chunk_sentences=2)

    result = run_batch(folder, tmp_path / "out", settings, translator=FakeTranslator())

    assert result.exit_code == 0
    assert fake_module.seen == [("count", 2, folder), ("count", 1, folder)]


def test_every_declared_entry_point_resolves() -> None:
    for spec in STAGES:
        assert callable(entry_point(spec.entry)), spec
        if spec.prepare:
            assert callable(entry_point(spec.prepare)), spec
        if spec.config:
            assert hasattr(Settings(), spec.config), spec


def test_the_declaration_imports_no_stage() -> None:
    code = ("import sys, pipeline.stagespec as s; s.code_versions(); "
            "print(sorted(m for m in sys.modules if m.startswith('pipeline.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert "pipeline.fix" not in loaded and "pipeline.text.normalize" not in loaded

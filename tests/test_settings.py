"""The settings object: built and checked once, choices from the registries, and the run key
that decides whether an article is redone."""

from __future__ import annotations

import shutil
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.settings import Settings
from pipeline.stagespec import PACKAGE, STAGES, code_version, code_versions
from pipeline.text.normalize import QUOTE_STYLES
from pipeline.translate.backends.base import BACKENDS, PRECISIONS

runner = CliRunner()
DATA = Path(__file__).resolve().parent.parent / "data"


def test_settings_are_frozen_and_built_from_flat_options() -> None:
    settings = Settings.from_options(quote_style="german", beams=2, qa_threshold=55.0, force=True)
    assert settings.normalize.quote_style == "german"
    assert settings.translator.beams == 2
    assert settings.qa.threshold == 55.0
    assert settings.run.force
    with pytest.raises(FrozenInstanceError):
        settings.run = settings.run  # type: ignore[misc]
    with pytest.raises(TypeError, match="unknown setting"):
        Settings.from_options(colour="red")


@pytest.mark.parametrize(
    ("option", "value"),
    [("beams", 0), ("beams", 1000), ("threads", 0), ("batch_tokens", 0),
     ("max_input_tokens", 2), ("precision", "fp8"), ("device", "tpu"), ("backend", "onnx"),
     ("qa_threshold", 101.0), ("quote_style", "fancy"), ("chunk_sentences", 0)],
)
def test_values_that_cannot_work_are_refused_when_built(option: str, value: object) -> None:
    with pytest.raises(ValueError):
        Settings.from_options(**{option: value})


def test_registry_values_are_accepted() -> None:
    for style in QUOTE_STYLES:
        Settings.from_options(quote_style=style)
    for backend in BACKENDS:
        for precision in PRECISIONS:
            Settings.from_options(backend=backend, precision=precision)
    Settings.from_options(backend="ct2", precision="int8_float16", device="cuda:1")


@pytest.mark.parametrize(
    "args",
    [["--threads", "0"], ["--beams", "0"], ["--beams", "500"], ["--batch-tokens", "0"],
     ["--precision", "fp8"], ["--device", "tpu"], ["--backend", "onnx"],
     ["--quote-style", "fancy"], ["--qa-threshold", "200"]],
)
def test_cli_refuses_bad_values_with_exit_2_before_any_work(
    args: list[str], tmp_path: Path
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("En sætning.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(src), "-o", str(out), "--translator", "fake", *args])
    assert result.exit_code == 2, result.output
    assert not out.exists()


def test_cli_help_lists_the_registries_choices() -> None:
    result = runner.invoke(app, ["run", "--help"], terminal_width=400)
    text = " ".join(result.stdout.split())
    for style in QUOTE_STYLES:
        assert style in text
    for name in (*BACKENDS, *PRECISIONS):
        assert name in text


# -- the run key -------------------------------------------------------------------------------


def test_key_changes_with_output_settings_not_with_run_options() -> None:
    base = Settings().key()
    assert Settings.from_options(quote_style="german").key() != base
    assert Settings.from_options(beams=2).key() != base
    assert Settings.from_options(model="other/model").key() != base
    assert Settings.from_options(qa_threshold=50.0).key() != base
    assert Settings.from_options(translate=False).key() != base
    # how the run goes about it does not change outputs
    assert Settings.from_options(force=True, threads=2, chunk_sentences=10).key() == base
    assert Settings.from_options(device="cpu").key() == base


def test_key_changes_with_a_rule_table_or_the_dictionary(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("articles"))
    settings = Settings.from_options(data=data)
    before = settings.key()
    assert settings.key() == before  # stable
    with (data / "phrases.tsv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert settings.key() != before
    dictionary = tmp_path / "da_DK.dic"
    dictionary.write_text("1\nhund\n", encoding="utf-8")
    dictionary.with_suffix(".aff").write_text("SET UTF-8\n", encoding="utf-8")
    with_dictionary = Settings.from_options(data=data, dictionary=dictionary)
    dictionary_key = with_dictionary.key()
    assert dictionary_key != settings.key()
    dictionary.write_text("2\nhund\nkat\n", encoding="utf-8")
    assert with_dictionary.key() != dictionary_key  # the content counts, read each time


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "pipeline"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _versions(root: Path) -> dict[str, str]:
    return {spec.name: code_version(spec.module, root) for spec in STAGES}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_stage_code_version_follows_the_stage_code(package_copy: Path) -> None:
    before = _versions(package_copy)
    assert before == code_versions()  # the copy is the package
    casing = package_copy / "fix" / "casing.py"
    _edit(casing, "from pipeline.text.lexicon", "#\nfrom pipeline.text.lexicon")
    after = _versions(package_copy)
    assert after["fix"] != before["fix"]  # fix imports casing
    assert after["normalize"] == before["normalize"]
    normalize = package_copy / "text" / "normalize.py"
    _edit(normalize, "from pipeline.document", "#\nfrom pipeline.document")
    assert _versions(package_copy)["normalize"] != before["normalize"]


def test_help_text_and_renderer_edits_do_not_change_the_key(package_copy: Path) -> None:
    before = _versions(package_copy)
    _edit(package_copy / "cli.py", "Normalize Unicode", "Normalise Unicode")
    _edit(package_copy / "render" / "html.py", "from __future__", "# renderer\nfrom __future__")
    _edit(package_copy / "render" / "text.py", "from __future__", "# renderer\nfrom __future__")
    assert _versions(package_copy) == before


def test_a_run_redoes_articles_only_when_the_key_changes(tmp_path: Path) -> None:
    from pipeline.run.batch import run_batch
    from pipeline.translate.translator import FakeTranslator

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text("vi ved det. Det er ‘godt’.\n", encoding="utf-8")

    def statuses(**options: object) -> list[str]:
        settings = Settings.from_options(**options)
        result = run_batch(src, out, settings, translator=FakeTranslator())
        return [o.status for o in result.outcomes]

    assert statuses() == ["done"]
    assert statuses(threads=2, chunk_sentences=5, device="cpu") == ["unchanged"]
    assert statuses(quote_style="english") == ["done"]
    assert statuses(quote_style="english") == ["unchanged"]

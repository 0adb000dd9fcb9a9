"""`daen run`: discovery, outputs, incremental runs, bad input, a missing model, the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import run, statuses
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import ModelUnavailableError, UsageError
from pipeline.run.batch import run_batch
from pipeline.run.discover import discover
from pipeline.run.runlock import LOCK_NAME
from pipeline.settings import Settings
from pipeline.translate.translator import FakeTranslator

ARTICLE = (
    "vi ved alle, at kunden er vigtig. Det er ‘trend’ – og Dominos ved det.\n\n"
    "en ny overskrift\n\n"
    "mange virksomheder taler om kunden. Få gør noget ved det.\n"
)
OUTPUTS = (".da.txt", ".en.txt", ".diff", ".html", ".json")


def write(folder: Path, name: str, text: str | bytes = ARTICLE) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    write(folder, "a.txt")
    write(folder, "b.md", ARTICLE.replace("kunden", "kunderne"))
    write(folder, "sub/dir/c.txt", "hej med dig. vi ses.\n")
    write(folder, "notes.pdf", b"%PDF-1.4")
    write(folder, ".hidden.txt", "skjult")
    return folder


# -- outputs ------------------------------------------------------------------------------------


def test_run_writes_every_output_keeping_folders(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    translator = FakeTranslator()
    result, recorder = run(corpus, out, translator)
    assert statuses(result) == {"a.txt": "done", "b.md": "done", "sub/dir/c.txt": "done"}
    assert result.exit_code == 0  # type: ignore[attr-defined]
    for name in ("a", "b", "sub/dir/c"):
        for suffix in OUTPUTS:
            assert (out / f"{name}{suffix}").is_file(), f"{name}{suffix}"
    assert (out / "index.html").is_file() and (out / "manifest.json").is_file()
    assert [s.path for s in result.skipped] == ["notes.pdf"]  # type: ignore[attr-defined]
    assert not (out / ".hidden.da.txt").exists()

    record = json.loads((out / "a.json").read_text(encoding="utf-8"))
    sentence = record["paragraphs"][0]["sentences"][0]
    assert sentence["original"].startswith("vi ved") and sentence["text"].startswith("Vi ved")
    assert sentence["edits"][0]["rule_id"] and sentence["edits"][0]["reason"]
    assert sentence["translation"]["text"].startswith("[en] Vi ved")
    assert record["run"]["input_sha256"] and record["run"]["translation"] == "translated"

    en = (out / "a.en.txt").read_text(encoding="utf-8")
    assert en.count("\n\n") == 2  # three paragraphs, as in the input
    assert "[-vi-]{+Vi+}" in (out / "a.diff").read_text(encoding="utf-8")

    # translation is batched across articles: one call for all sentences of the batch
    sentences = sum(
        json.loads((out / f"{n}.json").read_text(encoding="utf-8"))["run"]["counts"]["sentences"]
        for n in ("a", "b", "sub/dir/c")
    )
    assert translator.calls == [sentences]
    # the bar's total is estimated before cleaning; it is advanced to (at least) its end
    assert recorder.started is not None and recorder.started[0] == 3
    assert recorder.sentences >= max(sentences, recorder.started[1])
    assert recorder.articles == 3


def test_manifest_records_versions_hashes_settings_and_timings(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run(corpus, out, quote_style="danish")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tool"] == "daen" and manifest["version"]
    assert manifest["translation"]["model"] == "fake-echo"
    assert manifest["translation"]["revision"] and manifest["translation"]["backend"] == "fake"
    assert manifest["settings"]["quote_style"] == "danish"
    assert set(manifest["rules"]["code"]) == {"read", "normalize", "fix", "translate", "qa"}
    assert "tables" in manifest["rules"]
    entry = manifest["articles"]["sub/dir/c"]
    assert entry["source"] == "sub/dir/c.txt" and len(entry["input_sha256"]) == 64
    assert set(entry["seconds"]) == {"cleanup", "translate", "write"}
    assert manifest["timings"]["total_s"] > 0
    assert manifest["skipped"] == [{"path": "notes.pdf", "reason": "not a .txt or .md file"}]


def test_inputs_are_never_modified(corpus: Path, tmp_path: Path) -> None:
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in corpus.rglob("*") if p.is_file()}
    run(corpus, tmp_path / "out")
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in corpus.rglob("*") if p.is_file()}
    assert before == after


# -- incremental --------------------------------------------------------------------------------


def test_second_run_skips_unchanged_and_redoes_changed(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(corpus, out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.json")}
    translator = FakeTranslator()
    result, _ = run(corpus, out, translator)
    assert set(statuses(result).values()) == {"unchanged"}
    assert translator.calls == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.json") if p.name != "manifest.json"} == {
        p: m for p, m in mtimes.items() if p.name != "manifest.json"
    }

    write(corpus, "b.md", ARTICLE + "\nen ekstra linje.\n")
    result, _ = run(corpus, out)
    assert statuses(result) == {"a.txt": "unchanged", "b.md": "done", "sub/dir/c.txt": "unchanged"}

    (out / "a.html").unlink()  # a missing output is redone
    result, _ = run(corpus, out)
    assert statuses(result)["a.txt"] == "done"

    result, _ = run(corpus, out, force=True)
    assert set(statuses(result).values()) == {"done"}

    result, _ = run(corpus, out, quote_style="english")  # a setting changes every output
    assert set(statuses(result).values()) == {"done"}


def test_record_without_manifest_entry_counts_as_finished(corpus: Path, tmp_path: Path) -> None:
    """A run killed after an article's record but before the manifest save redoes nothing."""
    out = tmp_path / "out"
    run(corpus, out)
    (out / "manifest.json").unlink()
    result, _ = run(corpus, out)
    assert set(statuses(result).values()) == {"unchanged"}


def test_leftover_temporary_files_are_removed(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    import subprocess
    import sys

    from pipeline import fsutil

    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    name = f".c.html.daen-tmp-{fsutil.host_tag()}-{int(ended.stdout)}-abcd1234.tmp"
    write(out, f"sub/dir/{name}", "<html half")  # a killed run's file
    result, _ = run(corpus, out)
    assert not list(out.rglob("*.tmp"))
    assert any("temporary files" in w for w in result.warnings)  # type: ignore[attr-defined]


# -- bad input never stops the batch -------------------------------------------------------------


def test_bad_inputs_fail_alone_with_clear_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    write(folder, "good.txt")
    write(folder, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    write(folder, "latin.txt", b"K\xf8ge \x81\x8d\x8f og \x90")
    write(folder, "empty.txt", "")
    write(folder, "blank.md", "   \n\n \t\n")
    write(folder, "huge.txt", "ord " * 2_600_000)  # 10 MB on one line
    write(folder, "same.txt")
    write(folder, "same.md")
    write(folder, "index.txt")
    locked = write(folder, "locked.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder, target_is_directory=True)  # a folder link loop
    write(folder, "sub/ok.txt", "vi ses.\n")

    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self == locked:  # root may read anything, so permission denial is simulated
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", deny)
    result, _ = run(folder, tmp_path / "out")
    outcome = {o.source: o for o in result.outcomes}  # type: ignore[attr-defined]
    assert outcome["good.txt"].status == "done" and outcome["sub/ok.txt"].status == "done"
    expected = {
        "binary.txt": "binary file",
        "latin.txt": "not UTF-8",
        "empty.txt": "empty file",
        "blank.md": "empty file",
        "huge.txt": "line 1 is 10,400,000 bytes long",
        "same.txt": "same names as those of another input (same.md, same.txt)",
        "same.md": "same names",
        "index.txt": "would overwrite the batch's own index",
        "locked.txt": "permission denied",
        "loop.txt": "link loop",
        "dangling.txt": "broken link",
    }
    for name, message in expected.items():
        assert outcome[name].status == "failed", name
        assert outcome[name].message.startswith(f"{name}: "), outcome[name].message
        assert message in outcome[name].message, outcome[name].message
    assert any("sub/up/" in w and "link" in w for w in result.warnings)  # type: ignore[attr-defined]
    assert result.exit_code == 1  # type: ignore[attr-defined]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["failed"]) >= {"binary", "huge", "loop"}
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "binary.txt: binary file" in index


def test_output_folder_inside_input_is_refused(corpus: Path) -> None:
    with pytest.raises(UsageError, match=r"output folder .* is inside the input folder"):
        run(corpus, corpus / "outputs")
    assert not (corpus / "outputs").exists()


def test_usage_errors(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a folder"):
        run(tmp_path / "missing", tmp_path / "out")
    with pytest.raises(UsageError, match="output folder is the input folder"):
        run(corpus, corpus)
    with pytest.raises(ValueError, match="quote style"):  # settings are checked when built
        Settings.from_options(quote_style="fancy")


def test_discover_lists_files_in_order(corpus: Path) -> None:
    sources, skipped, warnings = discover(corpus)
    assert [s.relative for s in sources] == ["a.txt", "b.md", "sub/dir/c.txt"]
    assert [s.name for s in sources] == ["a", "b", "sub/dir/c"]
    assert not warnings and [s.path for s in skipped] == ["notes.pdf"]


# -- a missing model ----------------------------------------------------------------------------


def unavailable(settings: Settings, warn: object = None) -> FakeTranslator:
    raise ModelUnavailableError("model opus-mt is not installed; run `daen model download`")


def test_missing_model_still_writes_cleanup_and_says_so(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_batch(corpus, out, Settings(), translator_factory=unavailable)
    assert result.exit_code == 0 and set(statuses(result).values()) == {"done"}
    assert "daen model download" in (result.translation_error or "")
    assert (out / "a.da.txt").read_text(encoding="utf-8").startswith("Vi ved")
    assert (out / "a.en.txt").read_text(encoding="utf-8").startswith("Back-translation missing")
    assert "Back-translation missing" in (out / "a.html").read_text(encoding="utf-8")
    record = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert record["run"]["translation"] == "missing"
    assert "daen model download" in record["run"]["translation_note"]
    assert all(s["translation"] is None for p in record["paragraphs"] for s in p["sentences"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["translation"]["status"] == "missing"
    assert "Back-translation missing" in (out / "index.html").read_text(encoding="utf-8")

    # still no model: nothing to redo; the model arrives: the translations are filled in
    again = run_batch(corpus, out, Settings(), translator_factory=unavailable)
    assert set(statuses(again).values()) == {"unchanged"}
    result, _ = run(corpus, out)
    assert set(statuses(result).values()) == {"done"}
    assert (out / "a.en.txt").read_text(encoding="utf-8").startswith("[en] Vi ved")


def test_no_translate_writes_cleanup_only(corpus: Path, tmp_path: Path) -> None:
    translator = FakeTranslator()
    result, _ = run(corpus, tmp_path / "out", translator, translate=False)
    assert translator.calls == [] and result.translation_error is None  # type: ignore[attr-defined]
    en = (tmp_path / "out" / "a.en.txt").read_text(encoding="utf-8")
    assert en.startswith("Back-translation missing: not requested")


def test_a_translator_crash_costs_translations_not_the_batch(
    corpus: Path, tmp_path: Path
) -> None:
    class Broken(FakeTranslator):
        def translate_texts(self, texts, progress=None):  # type: ignore[no-untyped-def]
            raise RuntimeError("out of memory")

    result, _ = run(corpus, tmp_path / "out", Broken())
    assert set(statuses(result).values()) == {"done"}
    assert any("RuntimeError: out of memory" in w for w in result.warnings)  # type: ignore[attr-defined]
    assert "out of memory" in (tmp_path / "out" / "a.en.txt").read_text(encoding="utf-8")


# -- the command ---------------------------------------------------------------------------------


def test_cli_run_exit_codes_and_summary(corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(corpus), "-o", str(out), "--translator", "fake"])
    assert result.exit_code == 0, result.output
    assert "3 article(s): 3 updated" in result.stdout
    assert "a.txt" in result.stdout

    result = runner.invoke(app, ["run", str(corpus), "-o", str(out), "--translator", "fake", "-q"])
    assert result.exit_code == 0 and result.stdout == ""

    write(corpus, "bad.txt", b"\x00\x01")
    result = runner.invoke(app, ["run", str(corpus), "-o", str(out), "--translator", "fake", "-q"])
    assert result.exit_code == 1
    assert "bad.txt: binary file" in result.stderr

    result = runner.invoke(app, ["run", str(tmp_path / "nope"), "-o", str(out)])
    assert result.exit_code == 2 and "not a folder" in result.stderr
    result = runner.invoke(app, ["run", str(corpus), "--quote-style", "fancy"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["run", str(corpus), "--beams", "0"])
    assert result.exit_code == 2


def test_cli_run_without_model_warns_once(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.run.batch

    monkeypatch.setattr(pipeline.run.batch, "load_model_translator", unavailable)
    runner = CliRunner()
    args = ["run", str(corpus), "-o", str(tmp_path / "out"), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert result.stderr.count("daen model download") == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Warning: back-translation missing")
    result = runner.invoke(app, [*args, "--force", "--require-translation"])
    assert result.exit_code == 1


def test_cli_verbose_lists_articles(corpus: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["run", str(corpus), "-o", str(tmp_path / "o"), "--translator", "fake", "-v"]
    )
    assert result.exit_code == 0
    assert "done      sub/dir/c.txt" in result.stderr
    assert "skipped notes.pdf" in result.stdout


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_outputs_written_atomically_leave_no_temp_files(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(corpus, out)
    hidden = [p for p in out.rglob("*") if p.name.startswith(".")]
    assert [p.name for p in hidden] == [LOCK_NAME]  # the output folder's lock (released)
    assert hidden[0].stat().st_size == 0


@pytest.mark.slow
def test_real_translator_with_a_tiny_model(tiny_marian: object, tmp_path: Path) -> None:
    """The real loading and translation code, through `daen run`, on a memorising model."""
    folder = tmp_path / "in"
    write(folder, "dyr.txt", "Hunden løber i parken. Katten sover på sofaen.\n\n"
          "Prisen er 1.500 kroner.\n")
    out = tmp_path / "out"
    model = str(tiny_marian.path)  # type: ignore[attr-defined]
    result = CliRunner().invoke(app, ["run", str(folder), "-o", str(out), "--model", model, "-q"])
    assert result.exit_code == 0, result.output
    assert (out / "dyr.en.txt").read_text(encoding="utf-8") == (
        "The dog runs in the park. The cat sleeps on the sofa.\n\nThe price is 1,500 kroner.\n"
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["translation"]["status"] == "ok"
    assert manifest["translation"]["backend"] in ("torch", "ct2")  # auto: whichever is faster
    assert manifest["articles"]["dyr"]["model"]["model"] == manifest["translation"]["model"]
    record = json.loads((out / "dyr.json").read_text(encoding="utf-8"))
    score = record["paragraphs"][0]["sentences"][0]["translation"]["score"]
    assert isinstance(score, float)
    result = CliRunner().invoke(app, ["run", str(folder), "-o", str(out), "--model", model, "-q"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert result.exit_code == 0 and manifest["totals"]["unchanged"] == 1

"""Model resolution, identity, offline rules and ``daen model``: never downloads."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from conftest import TinyMarian
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import ModelUnavailableError
from pipeline.translate.model import (
    download_model,
    installed_models,
    looks_like_path,
    model_defaults,
    model_info,
    offline_requested,
    resolve_model,
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was contacted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))


def fake_hub_snapshot(hub: Path, repo_id: str, source: Path, commit: str = "a" * 40) -> Path:
    """Lay out a model in the hub cache the way huggingface_hub does."""
    repo = hub / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for file in source.iterdir():
        shutil.copy(file, snapshot / file.name)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    return snapshot


def test_local_folder_identity_is_the_weight_hash(tiny_marian: TinyMarian) -> None:
    resolved = resolve_model(str(tiny_marian.path))
    assert resolved.source == "local" and resolved.path == tiny_marian.path
    assert resolved.revision.startswith("sha256:")
    assert resolved.short == f"{tiny_marian.path}@{resolved.revision[7:19]}"
    assert model_defaults(tiny_marian.path) == (4, 512)


def test_downloaded_hub_model_is_found_offline(tiny_marian: TinyMarian, tmp_path: Path) -> None:
    snapshot = fake_hub_snapshot(tmp_path / "hub", "Helsinki-NLP/opus-mt-da-en", tiny_marian.path)
    resolved = resolve_model("Helsinki-NLP/opus-mt-da-en")
    assert resolved.source == "hub"
    assert resolved.path == snapshot and resolved.revision == "a" * 40
    rows = installed_models()
    assert [(r["model"], r["revision"]) for r in rows] == [("Helsinki-NLP/opus-mt-da-en", "a" * 40)]


def test_missing_hub_model_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError) as caught:
        resolve_model("Helsinki-NLP/opus-mt-da-en")
    assert "`daen model download Helsinki-NLP/opus-mt-da-en`" in str(caught.value)


def test_incomplete_folder_says_what_is_missing(tiny_marian: TinyMarian, tmp_path: Path) -> None:
    folder = tmp_path / "partial"
    shutil.copytree(tiny_marian.path, folder)
    (folder / "target.spm").unlink()
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelUnavailableError, match=r"missing target\.spm, model\.safetensors"):
        resolve_model(str(folder))


def test_download_refuses_when_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelUnavailableError, match="offline"):
        download_model("Helsinki-NLP/opus-mt-da-en")  # HF_HUB_OFFLINE=1 from conftest
    monkeypatch.delenv("HF_HUB_OFFLINE")
    assert not offline_requested()
    with pytest.raises(ModelUnavailableError, match="offline"):
        download_model("Helsinki-NLP/opus-mt-da-en", offline=True)


@pytest.mark.parametrize(
    ("model", "is_path"),
    [("Helsinki-NLP/opus-mt-da-en", False), ("./models/m", True), ("/abs/m", True),
     ("~/m", True), ("a/b/c", True)],
)
def test_looks_like_path(model: str, is_path: bool) -> None:
    assert looks_like_path(model) is is_path


def test_model_info_and_cli(tiny_marian: TinyMarian, tmp_path: Path) -> None:
    info = model_info()
    assert info["installed"] == [] and info["model"]["available"] is False

    missing = CliRunner().invoke(app, ["model", "info"])
    assert missing.exit_code == 1
    assert "daen model download" in missing.output

    fake_hub_snapshot(tmp_path / "hub", "Helsinki-NLP/opus-mt-da-en", tiny_marian.path)
    ready = CliRunner().invoke(app, ["model", "info"])
    assert ready.exit_code == 0, ready.output
    assert "installed: Helsinki-NLP/opus-mt-da-en @ aaaaaaaaaaaa" in ready.output
    assert "ready (hub" in ready.output

    local = CliRunner().invoke(app, ["model", "info", "--model", str(tiny_marian.path)])
    assert local.exit_code == 0 and "ready (local, sha256:" in local.output


def test_cli_download_offline_is_one_error_line() -> None:
    from pipeline.cli import main

    result = CliRunner().invoke(app, ["model", "download", "--offline"])
    assert result.exit_code != 0
    assert isinstance(result.exception, ModelUnavailableError)
    assert callable(main)  # main() turns it into "Error: …" (tested in the CLI tests)

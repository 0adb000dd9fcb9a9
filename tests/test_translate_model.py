"""The translate stage on a real (tiny) MarianMT, loaded through the real loading code."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from conftest import TinyMarian
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import ModelUnavailableError
from pipeline.translate.translator import Translator, load_translator

pytestmark = pytest.mark.slow


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was contacted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def shared(tiny_marian: TinyMarian) -> Translator:
    """One torch translator without a cache, shared by the read-only tests."""
    return load_translator(str(tiny_marian.path), backend="torch", cache=False)


class Spy:
    """Wraps a backend and records the texts of every call."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = inner.name  # type: ignore[attr-defined]
        self.compute_type = inner.compute_type  # type: ignore[attr-defined]
        self.calls: list[list[str]] = []

    def translate(self, texts: list[str], beams: int) -> list[object]:
        self.calls.append(list(texts))
        return self.inner.translate(texts, beams)  # type: ignore[attr-defined, no-any-return]


def spy_on(translator: Translator) -> Spy:
    spy = Spy(translator.backend)
    translator.backend = spy  # type: ignore[assignment]
    return spy


def test_memorised_pairs_come_out_exactly(tiny_marian: TinyMarian, shared: Translator) -> None:
    out = shared.translate_texts(tiny_marian.sources)
    assert [t.text for t in out] == [t for _, t in tiny_marian.pairs]
    for translation in out:
        assert translation.score is not None and -1.0 < translation.score < 0
        assert translation.model.startswith(str(tiny_marian.path) + "@")
        assert translation.flags == []  # numbers, dates and percentages all match


def test_identity_names_weights_and_settings(tiny_marian: TinyMarian, shared: Translator) -> None:
    identity = shared.identity
    assert identity["revision"].startswith("sha256:") and len(identity["revision"]) == 71
    assert identity["backend"] == "torch" and identity["compute_type"] == "float32"
    assert identity["beams"] == "4"  # from the model's generation config
    assert shared.max_input_tokens == 256  # half of 512 positions


def test_batched_equals_one_by_one(tiny_marian: TinyMarian, shared: Translator) -> None:
    sources = tiny_marian.sources
    shared.batch_tokens = 10_000
    spy = spy_on(shared)
    try:
        batched = shared.translate_texts(sources)
        assert len(spy.calls) == 1  # one padded batch
        shared.batch_tokens = 1
        alone = shared.translate_texts(sources)
        assert len(spy.calls) == 1 + len(sources)
    finally:
        shared.backend = spy.inner  # type: ignore[assignment]
        shared.batch_tokens = 1024
    assert [t.text for t in batched] == [t.text for t in alone]
    for a, b in zip(batched, alone, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-4)


def test_order_and_dedupe(tiny_marian: TinyMarian, shared: Translator) -> None:
    sources = list(reversed(tiny_marian.sources)) * 3 + ["", "…"]
    spy = spy_on(shared)
    try:
        out = shared.translate_texts(sources)
    finally:
        shared.backend = spy.inner  # type: ignore[assignment]
    sent = [t for call in spy.calls for t in call]
    assert sorted(sent) == sorted(tiny_marian.sources)  # each once; "" and "…" never
    assert [t.text for t in out] == [tiny_marian.expected.get(s, s) for s in sources]


def test_a_600_token_sentence_is_split_at_clauses_never_truncated(
    tiny_marian: TinyMarian,
) -> None:
    translator = load_translator(str(tiny_marian.path), backend="torch", cache=False)
    clauses = [("hunden løber i parken", "the dog runs in the park"),
               ("katten sover på sofaen", "the cat sleeps on the sofa")]
    # The limit fits every memorised sentence but never two clauses together.
    limit = max(translator.count_tokens(tiny_marian.sources))
    assert translator.count_tokens([f"{clauses[0][0]}, {clauses[1][0]}"])[0] > limit
    translator.max_input_tokens = limit
    separators = [", ", "; ", ", ", " – "]
    danish, english = [], []
    for i in range(48):
        da, en = clauses[i % 2]
        separator = separators[i % 4] if i < 47 else ""
        danish.append(da + separator)
        english.append(en + separator)
    long_text = "".join(danish)
    assert translator.count_tokens([long_text])[0] > 600
    spy = spy_on(translator)
    (out,) = translator.translate_texts([long_text, *tiny_marian.sources])[:1]
    assert out.text == "".join(english)
    assert all(n <= limit for call in spy.calls for n in translator.count_tokens(call))
    assert "translate.incomplete" not in [f.rule_id for f in out.flags]


def test_rerun_with_the_cache_makes_no_model_call(tiny_marian: TinyMarian, tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite3"
    first = load_translator(str(tiny_marian.path), backend="torch", cache_path=cache)
    expected = first.translate_texts(tiny_marian.sources)
    first.close()

    second = load_translator(str(tiny_marian.path), backend="torch", cache_path=cache)
    spy = spy_on(second)
    again = second.translate_texts(tiny_marian.sources)
    assert spy.calls == []
    assert [t.text for t in again] == [t.text for t in expected]
    assert all(t.cached for t in again)

    # Different generation settings are a different cache entry.
    third = load_translator(str(tiny_marian.path), backend="torch", cache_path=cache, beams=1)
    spy = spy_on(third)
    third.translate_texts(tiny_marian.sources[:1])
    assert len(spy.calls) == 1


def test_beams_one_and_int8_run(tiny_marian: TinyMarian) -> None:
    greedy = load_translator(str(tiny_marian.path), backend="torch", beams=1, cache=False)
    out = greedy.translate_texts(tiny_marian.sources[:2])
    assert [t.text for t in out] == [t for _, t in tiny_marian.pairs[:2]]
    assert all(t.score is not None and t.score < 0 for t in out)

    int8 = load_translator(
        str(tiny_marian.path), backend="torch", precision="int8", device="cpu", cache=False
    )
    assert int8.identity["compute_type"] == "int8"
    (translation,) = int8.translate_texts(tiny_marian.sources[:1])
    assert translation.text  # quantized weights may differ slightly; it must still translate


def test_bad_settings_are_value_errors(tiny_marian: TinyMarian) -> None:
    with pytest.raises(ValueError, match="precision"):
        load_translator(str(tiny_marian.path), backend="torch", precision="fp8", cache=False)
    with pytest.raises(ValueError, match="backend"):
        load_translator(str(tiny_marian.path), backend="onnx", cache=False)


def test_missing_model_names_the_fix_and_never_contacts_the_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    with pytest.raises(ModelUnavailableError) as caught:
        load_translator("Helsinki-NLP/opus-mt-da-en", backend="torch")
    assert "daen model download Helsinki-NLP/opus-mt-da-en" in str(caught.value)

    with pytest.raises(ModelUnavailableError, match="does not exist"):
        load_translator(str(tmp_path / "no-such-model"), backend="torch")


def test_cli_missing_model_is_one_line_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    import subprocess
    import sys

    article = tmp_path / "a.txt"
    article.write_text("Hunden løber i parken.\n", encoding="utf-8")
    env = {
        "HF_HUB_CACHE": str(tmp_path / "empty-hub"),
        "HF_HUB_OFFLINE": "1",
        "DAEN_CACHE_DIR": str(tmp_path / "cache"),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "translate", str(article), "--offline"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().startswith("Error: model Helsinki-NLP/opus-mt-da-en")
    assert "daen model download" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_translate_writes_text_and_record(tiny_marian: TinyMarian, tmp_path: Path) -> None:
    import json

    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text(
        "Hunden løber i parken. Katten sover på sofaen.\n\nPrisen er 1.500 kroner.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["translate", str(source), "-o", str(out), "--model", str(tiny_marian.path),
            "--backend", "torch", "--beams", "4", "--batch-tokens", "256"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "a.en.txt").read_text(encoding="utf-8") == (
        "The dog runs in the park. The cat sleeps on the sofa.\n\nThe price is 1,500 kroner.\n"
    )
    record = json.loads((out / "a.json").read_text(encoding="utf-8"))
    first = record["paragraphs"][0]["sentences"][0]["translation"]
    assert first["text"] == "The dog runs in the park." and first["cached"] is False

    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0
    assert "3 from the cache" in again.output

    stdout = CliRunner().invoke(app, [*args[:2], "--model", str(tiny_marian.path),
                                      "--backend", "torch", "--no-cache"])
    assert stdout.exit_code == 0
    assert stdout.stdout.startswith("The dog runs in the park.")


def test_download_without_network_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A network failure in the HTTP client (not an OSError) still becomes a user error."""
    import huggingface_hub

    from pipeline.errors import ModelUnavailableError
    from pipeline.translate import model

    class ConnectError(Exception):
        pass

    def no_network(self: object, *args: object, **kwargs: object) -> list[str]:
        raise ConnectError("[Errno -2] Name or service not known")

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(model, "_probe_hub", lambda repo_id: None)
    monkeypatch.setattr(huggingface_hub.HfApi, "list_repo_files", no_network)
    with pytest.raises(ModelUnavailableError, match=r"ConnectError.*network connection"):
        model.download_model("Helsinki-NLP/opus-mt-da-en")


def test_unreachable_hub_is_said_by_the_probe_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe's request failing (no network) is one error naming the Hub, before any
    download; the client's own offline switch, read at its import, plays no part."""
    import huggingface_hub.utils

    from pipeline.errors import ModelUnavailableError
    from pipeline.translate import model

    class ConnectError(Exception):
        pass

    class NoNetwork:
        def request(self, *args: object, **kwargs: object) -> None:
            raise ConnectError("[Errno -2] Name or service not known")

    def must_not_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("the download ran after the probe failed")

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.utils, "get_session", lambda: NoNetwork())
    monkeypatch.setattr(huggingface_hub.HfApi, "list_repo_files", must_not_download)
    with pytest.raises(ModelUnavailableError, match=r"cannot reach .*ConnectError.*network"):
        model.download_model("Helsinki-NLP/opus-mt-da-en")

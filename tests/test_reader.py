"""Reading input files: encodings, binary files, empty files; inputs never modified."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.text.reader import decode, read_article


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffvi ved alle det.".encode())
    article = read_article(path, "a.txt")
    assert article.encoding == "utf-8"
    assert article.text == "vi ved alle det.\n"


def test_cp1252_is_decoded_with_a_flag(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Køge – “godt” og æbler.".encode("cp1252"))
    article = read_article(path, "a.txt")
    assert article.encoding == "cp1252"
    assert [f.rule_id for f in article.flags] == ["decoded_cp1252"]
    assert "Køge" in article.original_text


def test_ambiguous_bytes_are_refused_with_offset(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"abc \x81\x8d\x90 def")  # undefined in cp1252, invalid in UTF-8
    with pytest.raises(InputError) as info:
        read_article(path, "bad.txt")
    assert "bad.txt" in str(info.value)
    assert "offset 4" in str(info.value)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(InputError, match=r"image\.txt: binary file \(NUL byte at offset 8\)"):
        read_article(path, "image.txt")


def test_empty_file_is_an_article_with_nothing_to_do(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    article = read_article(path, "empty.txt")
    assert article.paragraphs == [] and article.text == ""


def test_missing_and_folder_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_article(tmp_path)


def test_input_is_never_modified(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    data = "vi ved  alle, at ‘trend’ er Domino ‘ s.".encode()
    path.write_bytes(data)
    before = (hashlib.sha256(data).hexdigest(), path.stat().st_mtime_ns)
    article = read_article(path, "a.txt")
    assert article.input_sha256 == before[0]
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


def test_decode_plain_utf8() -> None:
    assert decode("»Hej«".encode(), "x") == ("»Hej«", "utf-8")


def test_outputs_get_ordinary_permissions(tmp_path: Path) -> None:
    from pipeline.fsutil import write_atomic

    target = tmp_path / "out" / "a.da.txt"
    write_atomic(target, "Godt.\n")
    assert target.read_text(encoding="utf-8") == "Godt.\n"
    assert target.stat().st_mode & 0o777 == 0o666 & ~_current_umask()
    assert [p.name for p in target.parent.iterdir()] == ["a.da.txt"]  # no temp file left


def _current_umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask

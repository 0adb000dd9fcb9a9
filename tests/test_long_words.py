"""One very long "word" costs the dictionary linear time and bounded memory (issue 20): the
lexicon does not take apart a word longer than any analysable one, nor remember it."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.text.lexicon import MEMO_MAX, find_dictionary, load_lexicon

ROOT = Path(__file__).resolve().parent.parent
NAMES = ROOT / "data" / "names.txt"
needs_dictionary = pytest.mark.skipif(find_dictionary() is None, reason="needs hunspell-da")
ADDRESS_SPACE = 1_500_000_000  # bytes; the command needs about 0.7 GB, the old code 19 GB at 40 KB


@needs_dictionary
def test_a_long_word_is_answered_at_once_and_not_remembered() -> None:
    lexicon = load_lexicon(NAMES)
    hunspell = lexicon.hunspell
    assert hunspell is not None and 20 < hunspell.longest < 200
    word = "a" * 40_000
    started = time.perf_counter()
    assert not lexicon.knows(word) and not lexicon.is_compound(word) and not lexicon.is_word(word)
    assert lexicon.cased_forms(word) == set()
    assert time.perf_counter() - started < 1.0
    assert hunspell.analyse(word) == () and hunspell._analyse.cache_info().currsize < 1000
    # the words it does analyse still are (the bound is exact: no longer word has an analysis)
    assert lexicon.is_word("kunderne") and lexicon.is_compound("markedssøgning")
    assert len(hunspell._memo) <= MEMO_MAX + 1000


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@needs_dictionary
def test_clean_takes_a_200_kb_word_in_bounded_memory(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("a" * 200_000 + "\n", encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "clean", str(source), "-o", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, preexec_fn=_limit_address_space,
    )
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "out" / "a.txt").read_text(encoding="utf-8") == "a" * 200_000 + "\n"
    assert seconds < 20, seconds  # about 2 s alone; the old code ran out of memory

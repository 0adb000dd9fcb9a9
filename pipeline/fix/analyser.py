"""A Danish morphological analyser behind a small interface (Apertium via ``lt-proc``).

Debian's ``apertium-dan-nor`` ships Apertium's Danish analyser (``dan-nob.automorf.bin``), a
Norwegian Bokmål one (``nob-dan.automorf.bin``) and the Norwegian→Danish bilingual dictionary
and Danish generator. ``lt-proc`` (Debian ``lttoolbox``) runs them. Words are analysed in
batches, one ``lt-proc`` process per batch of new word forms, and every analysis is cached per
word form, so a long run asks the analyser about each word once.

Without ``lt-proc`` or the package, :func:`load_analyser` returns ``None`` (and
:func:`analyser_notice` says so, for the fix stage's notices), and the checks that need an
analyser are skipped.

>>> parse_readings("^Den/Den<det><dem><ut><sg>/Den<prn><pers><p3><ut><sg><nom>$")[0].tags
('det', 'dem', 'ut', 'sg')
>>> parse_readings("^Vet/*Vet$")
[]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

APERTIUM_DIR = Path("/usr/share/apertium/apertium-dan-nor")
DANISH = "dan-nob.automorf.bin"
NORWEGIAN = "nob-dan.automorf.bin"  # Bokmål
NYNORSK = "nno-dan.automorf.bin"
LONGEST_WORD = 80  # letters; the longest Danish compounds in use have about 50
NOR_DAN_BILINGUAL = "nor-dan.autobil.bin"
DANISH_GENERATOR = "nor-dan.autogen.bin"

_LU = re.compile(r"\^(.*?)\$", re.DOTALL)
_TAG = re.compile(r"<([^<>]+)>")


@dataclass(frozen=True)
class Reading:
    """One analysis of a word form: lemma and Apertium tags (``n``, ``ut``, ``sg``, ``def``)."""

    lemma: str
    tags: tuple[str, ...]

    @property
    def pos(self) -> str:
        return self.tags[0] if self.tags else ""

    @property
    def compound(self) -> bool:
        """Analysed as a compound or as a part only found inside compounds."""
        return any(t.startswith("compound") or t == "cmp" for t in self.tags) or "+" in self.lemma

    def has(self, *tags: str) -> bool:
        return all(t in self.tags for t in tags)


def parse_readings(unit: str) -> list[Reading]:
    """Readings of one ``^surface/reading/…$`` unit; ``[]`` for an unknown word (``*``)."""
    body = unit.strip()
    if body.startswith("^"):
        body = body[1:]
    if body.endswith("$"):
        body = body[:-1]
    parts = body.split("/")[1:]
    readings = []
    for part in parts:
        if part.startswith(("*", "@", "#")):
            continue
        tag_start = part.find("<")
        lemma = part if tag_start < 0 else part[:tag_start]
        readings.append(
            Reading(lemma, tuple(_TAG.findall(part[tag_start:] if tag_start >= 0 else "")))
        )
    return readings


class Analyser:
    """Danish (and Norwegian) analyses of word forms, cached per form.

    ``analyse`` answers for many words at once; ask it for a whole article's words before
    asking :meth:`readings` about single ones.
    """

    def __init__(self, lt_proc: str, folder: Path):
        self.lt_proc = lt_proc
        self.folder = folder
        self._danish: dict[str, list[Reading]] = {}
        self._norwegian: dict[str, list[Reading]] = {}
        self._nynorsk: dict[str, list[Reading]] = {}
        self._danish_form: dict[str, str | None] = {}
        self._processes: dict[tuple[str, str], subprocess.Popen[bytes]] = {}

    def _run(self, binary: str, lines: list[str], mode: str = "-a") -> list[str]:
        """Many lines through one long-lived ``lt-proc -z`` process (null-flush mode: each
        batch ends in a NUL, and so does its answer); one output line per input line."""
        if not lines:
            return []
        out: list[str] = []
        for start in range(0, len(lines), 1000):  # a batch stays well under a pipe's buffer
            chunk = lines[start : start + 1000]
            answer = self._ask(binary, mode, "\n".join(chunk) + "\n").split("\n")
            out += answer[: len(chunk)] + [""] * (len(chunk) - len(answer))
        return out

    def _ask(self, binary: str, mode: str, text: str) -> str:
        key = (binary, mode)
        process = self._processes.get(key)
        if process is None or process.poll() is not None:
            process = subprocess.Popen(
                [self.lt_proc, "-z", mode, str(self.folder / binary)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            self._processes[key] = process
        assert process.stdin is not None and process.stdout is not None
        payload = text.replace("\0", " ").encode("utf-8") + b"\0"
        # lt-proc answers while it reads: once its answer fills the stdout pipe it stops
        # reading, so a batch larger than the pipes (~64 KB each) written before reading
        # deadlocks both sides. A thread writes while this one reads.
        writer = threading.Thread(
            target=_feed, args=(process.stdin, payload), name="lt-proc-feed", daemon=True
        )
        writer.start()
        try:
            data = bytearray()
            fd = process.stdout.fileno()
            while not data.endswith(b"\0"):
                block = os.read(fd, 65536)
                if not block:
                    raise OSError(f"lt-proc stopped ({binary})")
                data += block
        finally:
            writer.join(timeout=5)  # done: lt-proc has read all of it, or it has ended
        return data[:-1].decode("utf-8", "replace")

    def close(self) -> None:
        """End the ``lt-proc`` processes (they also end when this process does)."""
        for process in self._processes.values():
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=5)
        self._processes.clear()

    def _fill(self, cache: dict[str, list[Reading]], binary: str, words: Iterable[str]) -> None:
        new = sorted({w for w in words if w and w not in cache and "\n" not in w})
        if any(len(w) > LONGEST_WORD for w in new):
            # lt-proc's time grows faster than linearly in a word's length (2,000 capitals
            # took seconds): longer "words" are not Danish words, so they are left unknown.
            cache.update((w, []) for w in new if len(w) > LONGEST_WORD)
            new = [w for w in new if len(w) <= LONGEST_WORD]
        for start in range(0, len(new), 5000):
            chunk = new[start : start + 5000]
            for word, line in zip(chunk, self._run(binary, chunk), strict=True):
                units = _LU.findall(line)
                # A form lt-proc splits into several units (a clitic, a hyphen) is analysed
                # by its units; unknown if any unit is.
                if len(units) == 1:
                    cache[word] = parse_readings(units[0])
                else:
                    parsed = [parse_readings(u) for u in units]
                    cache[word] = [] if not parsed or not all(parsed) else parsed[-1]

    def analyse(self, words: Iterable[str]) -> None:
        """Analyse the forms not seen before, in one batch."""
        self._fill(self._danish, DANISH, words)

    def readings(self, word: str) -> list[Reading]:
        """The Danish readings of ``word`` (``[]``: unknown to the analyser)."""
        if word not in self._danish:
            self.analyse([word])
        return self._danish.get(word, [])

    def knows(self, word: str) -> bool:
        return bool(self.readings(word))

    def norwegian_readings(self, words: Iterable[str]) -> dict[str, list[Reading]]:
        """Norwegian readings of each word, Bokmål or else Nynorsk (one batch per analyser)."""
        wanted = list(words)
        self._fill(self._norwegian, NORWEGIAN, wanted)
        if (self.folder / NYNORSK).exists():
            self._fill(self._nynorsk, NYNORSK, [w for w in wanted if not self._norwegian.get(w)])
        return {w: self._norwegian.get(w) or self._nynorsk.get(w, []) for w in wanted}

    def danish_forms(self, readings: dict[str, Reading]) -> dict[str, str | None]:
        """The Danish form of Norwegian readings, by way of the bilingual dictionary and the
        Danish generator (``None`` where either has no answer)."""
        keys = {
            w: f"^{r.lemma}{''.join(f'<{t}>' for t in r.tags if not t.startswith('compound'))}$"
            for w, r in readings.items()
        }
        todo = [w for w in keys if w not in self._danish_form]
        if todo:
            bil = self._run(NOR_DAN_BILINGUAL, [keys[w] for w in todo], "-b")
            targets = []
            for line in bil:
                parts = line.strip().lstrip("^").rstrip("$").split("/")
                targets.append(f"^{parts[1]}$" if len(parts) > 1 and parts[1] else "")
            generated = self._run(DANISH_GENERATOR, [t or "^$" for t in targets], "-g")
            for word, target, form in zip(todo, targets, generated, strict=True):
                form = form.strip()
                ok = target and form and not form.startswith(("#", "@", "*")) and "<" not in form
                self._danish_form[word] = form if ok else None
        return {w: self._danish_form.get(w) for w in readings}


def _feed(stdin: IO[bytes], payload: bytes) -> None:
    """Write one batch to ``lt-proc`` (in a thread of its own, see :meth:`Analyser._ask`)."""
    try:
        stdin.write(payload)
        stdin.flush()
    except OSError:  # lt-proc ended (a broken pipe): the reader sees its end and says so
        pass


def find_lt_proc() -> str | None:
    return shutil.which("lt-proc")


def load_analyser(folder: Path = APERTIUM_DIR) -> Analyser | None:
    """The analyser, or ``None`` where ``lt-proc`` or the Apertium Danish data are not
    installed (:func:`analyser_notice` says so)."""
    lt_proc = find_lt_proc()
    if lt_proc is None or not (folder / DANISH).exists():
        return None
    return Analyser(lt_proc, folder)


def analyser_notice(folder: Path = APERTIUM_DIR) -> str | None:
    """The line that says the analyser is missing (``None``: :func:`load_analyser` finds it)."""
    if find_lt_proc() is not None and (folder / DANISH).exists():
        return None
    return (
        "Danish analyser not found (install Debian packages lttoolbox and apertium-dan-nor); "
        "grammar, leakage and English-left-in checks are skipped"
    )

"""What ``daen run`` is to do (steps 1-2 of :mod:`pipeline.run.batch`): the articles found, which
are unchanged, which are done (again), and the chunks they are translated in.

An article whose input hash and run key match its last finished run, whose outputs all exist
and whose record still has the digest the manifest kept, is left alone (``force`` redoes it).
The last finished run is found in the last manifest or, when that was not saved since (a
killed run), in the article's own record. Nothing here writes a file except the sweep of a
killed run's temporary files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.document import Article
from pipeline.errors import InputError
from pipeline.qa.check import original_sha256
from pipeline.run.discover import (
    ORIGINAL_SUFFIX,
    SkippedFile,
    Source,
    discover,
    find_collisions,
    read_source,
)
from pipeline.run.manifest import RunEntry
from pipeline.run.records import (
    OUTPUT_SUFFIXES,
    OutputListing,
    entry_from_record,
    entry_is_current,
    output_paths,
    parse_entry,
    record_digest,
    remove_stale_temp_files,
)

if TYPE_CHECKING:
    from pipeline.render import TranslationNote
    from pipeline.settings import RunOptions

_SENTENCE_END = re.compile(rb"[.!?]+(?=\s|$)|\n\n")


@dataclass
class Work:
    """One article to do: its input, then its cleaned article and the time it took."""

    source: Source
    data: bytes
    digest: str
    article: Article | None = None
    estimate: int = 1  # sentences, before cleaning (for the progress bar)
    cleanup_s: float = 0.0
    translate_s: float = 0.0

    def sentences(self) -> int:
        """The cleaned article's sentences (0 before cleaning)."""
        return sum(len(p.sentences) for p in self.article.paragraphs) if self.article else 0


@dataclass
class Chunk:
    """Cleaned articles translated together, and the note their outputs carry (a failed
    translation's, set by the translate stage)."""

    works: list[Work]
    note: TranslationNote | None = None

    def articles(self) -> list[Article]:
        return [w.article for w in self.works if w.article is not None]

    def sentences(self) -> int:
        return sum(w.sentences() for w in self.works)

    def share_translate_time(self, seconds: float) -> None:
        """Give each article its share of the chunk's translation time, by sentences."""
        sentences = max(1, self.sentences())
        for work in self.works:
            work.translate_s = seconds * work.sentences() / sentences


@dataclass
class Found:
    """The inputs under the input folder, and those whose outputs cannot be written."""

    sources: list[Source]
    skipped: list[SkippedFile]
    collisions: dict[str, str]  # input path -> why its outputs cannot be written


def find_articles(
    input_dir: Path, output_dir: Path, options: RunOptions, warn: Callable[[str], None]
) -> Found:
    """Discover the inputs (step 1); sweep temporary files a killed run left."""
    sources, skipped, found_warnings = discover(
        input_dir, output_dir, follow_links=options.follow_links
    )
    for warning in found_warnings:
        warn(warning)
    if not sources:
        warn(f"{input_dir}: no .txt or .md files found")
    collisions = find_collisions(sources, (*OUTPUT_SUFFIXES.values(), ORIGINAL_SUFFIX))
    if remove_stale_temp_files(output_dir):
        warn(f"{output_dir}: removed temporary files left by an interrupted run")
    return Found(sources, skipped, collisions)


@dataclass
class Plan:
    """Every article found, sorted (step 2): to do, to retry (finished without a
    translation), unchanged, or failed before any work (with why)."""

    todo: list[Work] = field(default_factory=list)
    retry: list[tuple[Source, RunEntry]] = field(default_factory=list)
    unchanged: list[tuple[Source, RunEntry]] = field(default_factory=list)
    failed: list[tuple[Source, str]] = field(default_factory=list)

    def keep_retries(self) -> None:
        """No translator: the articles to retry stay as they are."""
        self.unchanged += self.retry
        self.retry = []

    def redo_stale_translations(self, identity: dict[str, str]) -> None:
        """With the translator known: articles whose translation is missing, partial or from
        another model are done again."""
        keep = []
        for source, entry in [*self.unchanged, *self.retry]:
            if entry.translation in ("missing", "partial") or (
                entry.model not in (None, identity)
            ):
                self.todo.append(Work(source, b"", ""))  # read again when cleaned
            else:
                keep.append((source, entry))
        self.unchanged, self.retry = keep, []


@dataclass(frozen=True)
class Planner:
    """What step 2 compares an article with: its last finished run and the run key."""

    input_dir: Path
    output_dir: Path
    key: str
    options: RunOptions
    previous: dict[str, Any]  # the last manifest's article entries, by name (as read: unchecked)

    def plan(self, found: Found) -> Plan:
        plan = Plan()
        listing = OutputListing()
        for source in found.sources:
            if source.relative in found.collisions:
                plan.failed.append((source, found.collisions[source.relative]))
            else:
                self._plan_article(source, listing, plan)
        return plan

    def _plan_article(self, source: Source, listing: OutputListing, plan: Plan) -> None:
        try:
            data, digest = read_source(source.path, source.relative)
            entry = None if self.options.force else self.finished_entry(source, digest, listing)
            if entry is not None and original_changed(
                entry, source, self.input_dir, self.options
            ):
                entry = None
        except InputError as error:
            plan.failed.append((source, str(error)))
            return
        except OSError as error:  # e.g. a name too long for a derived path
            message = f"{source.relative}: cannot be planned ({error.strerror or error})"
            plan.failed.append((source, message))
            return
        if entry is None:
            plan.todo.append(Work(source, b"", "", estimate=estimate_sentences(data)))
        elif self.options.translate and entry.translation in ("missing", "partial"):
            plan.retry.append((source, entry))
        else:
            plan.unchanged.append((source, entry))

    def finished_entry(
        self, source: Source, digest: str, listing: OutputListing
    ) -> RunEntry | None:
        """The article's last finished run, if its input, run key and outputs still hold.

        Found in the last manifest or, when that was not saved since (a killed run), in the
        article's own record.
        """
        paths = output_paths(self.output_dir, source.name)
        entry = parse_entry(self.previous.get(source.name))
        if entry is not None and entry_is_current(entry, digest, self.key, paths, listing):
            recorded = entry.record_sha256
            if recorded is not None:  # the record must still be the one this entry describes
                return entry if recorded == record_digest(paths["json"]) else None
        entry = entry_from_record(paths["json"])  # the record's own entry, with its digest
        return entry if entry_is_current(entry, digest, self.key, paths, listing) else None


def original_changed(
    entry: RunEntry | None, source: Source, input_dir: Path, options: RunOptions
) -> bool:
    """Whether the article's English original appeared, changed or went since its record."""
    recorded = (entry.qa or {}).get("original_sha256") if entry is not None else None
    return recorded != original_sha256(source.path, input_dir, options.originals)


def estimate_sentences(data: bytes) -> int:
    """About how many sentences an input holds (ends of sentences and lines), before cleaning.

    >>> estimate_sentences(b"Hej. Hvordan har du det?\\nGodt!")
    3
    """
    return max(1, len(_SENTENCE_END.findall(data)))


def articles_ahead(todo: list[Work], chunk_sentences: int, chunks: int = 2) -> int:
    """About how many articles ``chunks`` chunks hold, from the articles' estimated sentences.

    >>> work = [Work(Source(Path("a.txt"), "a.txt", "a"), b"", "", estimate=50)] * 10
    >>> articles_ahead(work, 200)
    8
    """
    mean = sum(w.estimate for w in todo) / max(1, len(todo))
    return max(1, round(chunks * chunk_sentences / max(1.0, mean)))


def chunks(
    works: Iterable[Work], size: int, note: TranslationNote | None = None
) -> Iterator[Chunk]:
    """The cleaned articles in chunks of at least ``size`` sentences (the last may be less),
    each chunk taken from ``works`` only as it is needed."""
    chunk: list[Work] = []
    count = 0
    for work in works:
        chunk.append(work)
        count += work.sentences()
        if count >= size:
            yield Chunk(chunk, note)
            chunk, count = [], 0
    if chunk:
        yield Chunk(chunk, note)

"""The ``daen`` command line: thin commands over library functions.

Nothing heavy is imported here: torch and transformers load only inside the commands that
translate, so ``daen --help`` stays instant. Errors meant for users (:class:`DaenError`) become
one ``Error: …`` line on stderr and exit code 1; usage errors exit 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline import __version__
from pipeline.errors import DaenError, RunInterrupted, UsageError, printable
from pipeline.text.normalize import AUTO_QUOTE_STYLE, QUOTE_STYLES
from pipeline.translate.backends.base import BACKENDS, PRECISIONS
from pipeline.translate.model import DEFAULT_MODEL
from pipeline.translate.translator import TranslatorSettings

if TYPE_CHECKING:
    from pipeline.run.workflow import FileReport
    from pipeline.settings import Settings

app = typer.Typer(
    name="daen",
    help="Clean up machine-translated Danish articles and back-translate them to English.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(
    help="List the cleanup rules (with no subcommand) or check the rule tables.",
    invoke_without_command=True,
)
app.add_typer(rules_app, name="rules")
model_app = typer.Typer(help="Download the translation model or show what is installed.")
app.add_typer(model_app, name="model")


def error(message: str) -> None:
    typer.echo(f"Error: {printable(message)}", err=True)


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"daen {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Clean up machine-translated Danish articles and back-translate them to English."""


def _path(raw: str) -> Path:
    """A path given on the command line; an empty one (an unset variable) is a usage error."""
    if not raw:
        raise typer.BadParameter("an empty path was given (an unset variable?)")
    return Path(raw)


Files = Annotated[
    list[Path], typer.Argument(parser=_path, help="Article files (or folders of .txt/.md).")
]
OutDir = Annotated[
    Path | None,
    typer.Option("--output", "-o", parser=_path,
                 help="Write results to this folder (default: stdout)."),
]


def _one_of(what: str, choices: tuple[str, ...]) -> Callable[[str | None], str | None]:
    """An option callback that accepts only ``choices`` (a usage error otherwise)."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices:
            raise typer.BadParameter(
                f"unknown {what} {value!r}; choose one of {', '.join(choices)}"
            )
        return value

    return check


# Choices come from the registries that define them, so help and validation cannot drift.
QUOTE_CHOICES = (AUTO_QUOTE_STYLE, *QUOTE_STYLES)
QuoteStyleOption = Annotated[
    str,
    typer.Option(
        "--quote-style", callback=_one_of("quote style", QUOTE_CHOICES),
        help="Quotation marks: auto (the article's own dominant style) or a house style: "
        f"{', '.join(QUOTE_STYLES)}.",
    ),
]


# Translation options shared by `run` and `translate`; None: the setting's own default
# (pipeline.translate.translator.TranslatorSettings). Values are checked there: a bad one
# exits with 2.
ModelOption = Annotated[
    str | None,
    typer.Option("--model", help=f"Hub id or local model folder [default: {DEFAULT_MODEL}]."),
]
BackendOption = Annotated[
    str | None,
    typer.Option("--backend", callback=_one_of("backend", BACKENDS),
                 help=f"Engine: {', '.join(BACKENDS)} (auto: ct2 when installed, else torch)."),
]
DeviceOption = Annotated[
    str | None,
    typer.Option("--device", help="auto (CUDA, then MPS, then CPU), cpu, cuda[:N], mps."),
]
BeamsOption = Annotated[
    int | None,
    typer.Option(
        "--beams",
        help=f"Beam size (default: the model's, {TranslatorSettings.DEFAULT_BEAMS} for "
        f"{DEFAULT_MODEL.rsplit('/', 1)[-1]}).",
    ),
]
BatchTokensOption = Annotated[
    int | None,
    typer.Option("--batch-tokens", help="Padded tokens per model call (longest × sentences)."),
]
PrecisionOption = Annotated[
    str | None,
    typer.Option(
        "--precision",
        help=f"{', '.join(PRECISIONS)} (auto: torch fp32, ct2 int8; fp16 needs a GPU), or for "
        "ct2 a CTranslate2 compute type.",
    ),
]
ThreadsOption = Annotated[
    int | None, typer.Option("--threads", help="CPU threads (default: all cores).")
]
OfflineOption = Annotated[
    bool,
    typer.Option("--offline", help="Never contact the Hugging Face Hub (translating never "
                 "does; this also sets HF_HUB_OFFLINE for libraries)."),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data", parser=_path,
                 help="Folder with the rule tables (phrases, names, English fragments, false "
                 "friends, loanwords; default: the tables that ship with daen)."),
]
ExplainOption = Annotated[
    bool, typer.Option("--explain", help="Print every edit with its rule id and reason (stderr).")
]

_PARAMETERS = {  # setting name -> the option that sets it, for usage errors
    "quote_style": "--quote-style", "backend": "--backend", "device": "--device",
    "precision": "--precision", "beams": "--beams", "batch-tokens": "--batch-tokens",
    "threads": "--threads", "max-input-tokens": "--max-input-tokens",
    "threshold": "--qa-threshold", "chunk-sentences": "--chunk-sentences",
    "jobs must": "--jobs", "ray must": "--ray",
    "originals": "--originals", "data": "--data",
}


def _settings(**options: object) -> Settings:
    """The one place the command line builds the settings; a value that cannot work is a
    usage error (exit code 2). Options left unset (None) keep the settings' defaults."""
    from pipeline.settings import Settings
    from pipeline.translate.translator import check_translator_setup

    try:
        settings = Settings.from_options(**{k: v for k, v in options.items() if v is not None})
        if settings.run.translate and settings.run.ray is None:  # a cluster has its own
            check_translator_setup(settings.translator)
        return settings
    except ValueError as exc:
        message = str(exc)
        hint = next((opt for name, opt in _PARAMETERS.items() if name in message), None)
        raise typer.BadParameter(message, param_hint=hint) from None


def _offline(offline: bool) -> None:
    if offline:
        os.environ["HF_HUB_OFFLINE"] = "1"


def _finish(report: FileReport) -> None:
    """Print a file-by-file command's notes, errors and summary (stderr); exit 1 if any
    failed."""
    for line in report.notes:
        typer.echo(printable(line), err=True)
    for message in report.errors:
        error(message)
    for line in report.summary:
        typer.echo(line, err=True)
    raise typer.Exit(1 if report.errors else 0)


@app.command()
def normalize(
    files: Files,
    output: OutDir = None,
    quote_style: QuoteStyleOption = AUTO_QUOTE_STYLE,
    data: DataDirOption = None,
) -> None:
    """Normalize Unicode, mojibake, spaces, quotes, apostrophes and dashes."""
    from pipeline.run.workflow import run_files

    settings = _settings(quote_style=quote_style, data=data)
    _finish(run_files("normalize", files, settings, output))


@app.command()
def run(
    input_dir: Annotated[
        Path,
        typer.Argument(parser=_path, help="Folder of articles (.txt and .md, read recursively)."),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", parser=_path, help="Folder for the outputs.")
    ] = Path("outputs"),
    force: Annotated[
        bool, typer.Option("--force", help="Redo every article, even unchanged ones.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary; errors only.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="One line per article and skipped file.")
    ] = False,
    model: ModelOption = None,
    backend: BackendOption = None,
    device: DeviceOption = None,
    beams: BeamsOption = None,
    batch_tokens: BatchTokensOption = None,
    precision: PrecisionOption = None,
    threads: ThreadsOption = None,
    offline: OfflineOption = False,
    no_translate: Annotated[
        bool, typer.Option("--no-translate", help="Cleanup outputs only, no back-translation.")
    ] = False,
    require_translation: Annotated[
        bool,
        typer.Option(
            "--require-translation",
            help="Exit with code 1 when the back-translation model is unavailable.",
        ),
    ] = False,
    quote_style: QuoteStyleOption = AUTO_QUOTE_STYLE,
    data: DataDirOption = None,
    originals: Annotated[
        Path | None,
        typer.Option(
            "--originals", parser=_path,
            help="Folder of English originals, by the articles' relative names (<name>.en.txt "
            "or the same name); <name>.en.txt beside an article is always used.",
        ),
    ] = None,
    follow_links: Annotated[
        bool,
        typer.Option("--follow-links", help="Read links in the input that point outside it "
                     "(by default they are skipped, with a warning)."),
    ] = False,
    qa_threshold: Annotated[
        float | None,
        typer.Option(
            "--qa-threshold",
            help="Flag a sentence whose back-translation scores below this chrF (0–100) "
            "against the English original (default: the qa stage's).",
        ),
    ] = None,
    translator: Annotated[
        str, typer.Option("--translator", hidden=True, help="model, or fake (tests only).")
    ] = "model",
    fake_delay: Annotated[
        float, typer.Option("--fake-delay", hidden=True, help="Seconds per fake sentence.")
    ] = 0.0,
    chunk_sentences: Annotated[
        int | None, typer.Option("--chunk-sentences", hidden=True, help="Sentences per chunk.")
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", help="Clean articles in this many processes (default: the usable "
            "CPU cores).",
        ),
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray", metavar="ADDRESS",
            help="Run on a Ray cluster: auto (RAY_ADDRESS, a cluster started on this machine, "
            "else a new local one), local, or an address such as ray://head:10001. Needs "
            'pip install "daen[cluster]".',
        ),
    ] = None,
) -> None:
    """Clean and back-translate every article in a folder; write review pages and an index.

    Incremental: unchanged articles are skipped. Exit code 1 when any article failed.
    """
    from pipeline.console import run_command

    if translator not in ("model", "fake"):
        raise typer.BadParameter("choose model or fake", param_hint="--translator")
    settings = _settings(
        force=force, translate=not no_translate, model=model, backend=backend, device=device,
        beams=beams, batch_tokens=batch_tokens, precision=precision, threads=threads,
        quote_style=quote_style, data=data, originals=originals, qa_threshold=qa_threshold,
        chunk_sentences=chunk_sentences, require_translation=require_translation,
        jobs=jobs, ray=ray, follow_links=follow_links,
    )
    _offline(offline)
    try:
        code = run_command(
            input_dir, output, settings, quiet=quiet, verbose=verbose,
            fake_translator_delay=fake_delay if translator == "fake" else None,
        )
    except UsageError as exc:
        raise typer.BadParameter(str(exc)) from None
    raise typer.Exit(code)


@app.command()
def diff(
    run_a: Annotated[Path, typer.Argument(parser=_path, help="Output folder of the earlier run.")],
    run_b: Annotated[Path, typer.Argument(parser=_path, help="Output folder of the later run.")],
    html_path: Annotated[
        Path | None,
        typer.Option("--html", parser=_path,
                     help="Where to write the HTML report (default RUN_B/diff.html)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only the list of changed articles.")
    ] = False,
) -> None:
    """Which articles changed between two runs, with word diffs of Danish and English."""
    from pipeline.editor.rundiff import diff_command

    try:
        code = diff_command(run_a, run_b, html_path, quiet=quiet)
    except UsageError as exc:  # not a run folder
        raise typer.BadParameter(str(exc)) from None
    raise typer.Exit(code)


@app.command()
def export(
    run_dir: Annotated[Path, typer.Argument(parser=_path, help="Output folder of `daen run`.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="xliff (XLIFF 2.0, one file per article) or "
                          "tmx (TMX 1.4b, one file for the run).")
    ] = "xliff",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", parser=_path,
                     help="Folder for the files (default RUN_DIR/exports)."),
    ] = None,
) -> None:
    """Export a run for CAT tools: Danish source, English back-translation, notes."""
    from pipeline.editor.export import FORMATS, export_run

    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose {' or '.join(FORMATS)}", param_hint="--format")
    try:
        written = export_run(run_dir, fmt, output)
    except UsageError as exc:  # not a run folder
        raise typer.BadParameter(str(exc)) from None
    typer.echo(printable(f"{len(written)} {fmt} file(s) written to {written[0].parent}"), err=True)


@rules_app.callback()
def rules(ctx: typer.Context) -> None:
    """List every rule id with its stage, kind, action and the reason an editor sees."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.registry import all_rules, families

    for rule in all_rules():
        typer.echo(
            f"{rule.stage:<10} {rule.rule_id:<40} {rule.kind.name:<12} {rule.action:<9} "
            f"{rule.reason}"
        )
    for family in families():
        typer.echo(
            f"{family.stage:<10} {family.prefix + '*':<40} {family.kind.name:<12} "
            f"{'/'.join(family.actions):<9} {family.reason}"
        )


@app.command()
def fix(
    files: Files, output: OutDir = None, data: DataDirOption = None, explain: ExplainOption = False
) -> None:
    """Fix casing and garbled phrases; flag English fragments and unknown words."""
    from pipeline.run.workflow import run_files

    report = run_files("fix", files, _settings(data=data), output, explain=explain)
    _finish(report)


@app.command()
def clean(
    files: Files,
    output: Annotated[
        Path, typer.Option("--output", "-o", parser=_path,
                           help="Folder for the cleaned articles (required)."),
    ],
    quote_style: QuoteStyleOption = AUTO_QUOTE_STYLE,
    data: DataDirOption = None,
    explain: ExplainOption = False,
) -> None:
    """Normalize and fix each article; write it under the same relative path in OUTPUT."""
    from pipeline.run.workflow import run_files

    settings = _settings(quote_style=quote_style, data=data)
    _finish(run_files("clean", files, settings, output, explain=explain))


@rules_app.command("check")
def rules_check(data: DataDirOption = None) -> None:
    """Validate the rule tables (phrases, names, English fragments); exit 1 on the first error."""
    from pipeline.fix.stage import load_fix_rules

    rules = load_fix_rules(_settings(data=data).fix.data_dir, dictionary=True)
    typer.echo(
        f"ok: {len(rules.phrases)} phrase rule(s), {len(rules.fragments)} English fragment(s), "
        f"{sum(len(v) for v in rules.lexicon.names.forms.values())} name form(s); dictionary: "
        + (str(rules.lexicon.hunspell.path) if rules.lexicon.hunspell else "not installed")
    )


@rules_app.command("stats")
def rules_stats(
    output_dirs: Annotated[list[Path], typer.Argument(help="Output folders of `daen run`.")],
) -> None:
    """Per rule: edits editors accepted/rejected, flags resolved/dismissed; worst rules first."""
    from pipeline.run.rulestats import rule_stats, stats_table

    try:
        stats = rule_stats(output_dirs)
    except UsageError as exc:  # not a run folder
        raise typer.BadParameter(str(exc)) from None
    typer.echo(stats_table(stats), nl=False)


@app.command()
def review(
    output_dir: Annotated[Path, typer.Argument(help="Output folder of `daen run`.")],
    port: Annotated[int, typer.Option("--port", help="Port (default: any free one).")] = 0,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (keep 127.0.0.1).")
    ] = "127.0.0.1",
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the link; do not open a browser.")
    ] = False,
) -> None:
    """Review a run in the browser: accept or reject edits, resolve flags, edit by hand."""
    from pipeline.editor.review.app import serve

    try:
        serve(output_dir, host=host, port=port, open_browser=not no_browser,
              echo=lambda line: typer.echo(line, err=True))
    except UsageError as exc:  # not a run folder
        raise typer.BadParameter(str(exc)) from None


@app.command()
def translate(
    files: Files,
    output: OutDir = None,
    model: ModelOption = None,
    backend: BackendOption = None,
    device: DeviceOption = None,
    beams: BeamsOption = None,
    batch_tokens: BatchTokensOption = None,
    precision: PrecisionOption = None,
    threads: ThreadsOption = None,
    cache: Annotated[
        bool, typer.Option("--cache/--no-cache", help="Reuse earlier translations.")
    ] = True,
    cache_path: Annotated[
        Path | None,
        typer.Option("--cache-path", parser=_path, help="SQLite translation cache file."),
    ] = None,
    max_input_tokens: Annotated[
        int | None,
        typer.Option("--max-input-tokens", help="Split longer sentences at clauses."),
    ] = None,
    offline: OfflineOption = False,
) -> None:
    """Back-translate articles to English: .en.txt and a .json record per file with -o."""
    from pipeline.run.workflow import translate_command

    settings = _settings(
        model=model, backend=backend, device=device, beams=beams, batch_tokens=batch_tokens,
        precision=precision, threads=threads, cache=cache, cache_path=cache_path,
        max_input_tokens=max_input_tokens,
    )
    _offline(offline)
    try:
        report = translate_command(files, settings, output, _progress_bar)
    except UsageError as exc:
        raise typer.BadParameter(str(exc)) from None
    _finish(report)


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[int], None]]:
    with typer.progressbar(length=total, label="Translating", file=sys.stderr) as bar:
        yield bar.update


@model_app.command("download")
def model_download(
    model_id: Annotated[
        str, typer.Argument(help="Hub id to fetch.")
    ] = DEFAULT_MODEL,
    revision: Annotated[
        str | None, typer.Option("--revision", help="Branch, tag or commit.")
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Refuse to contact the Hub (then this fails).")
    ] = False,
) -> None:
    """Fetch a translation model into the Hugging Face cache, with a progress bar."""
    from pipeline.translate.model import download_model

    resolved = download_model(model_id, revision=revision, offline=offline)
    typer.echo(f"{resolved.name} revision {resolved.revision}")
    typer.echo(f"installed in {resolved.path}")


@model_app.command("info")
def model_info(
    model: Annotated[
        str, typer.Option("--model", help="Hub id or local folder to check.")
    ] = DEFAULT_MODEL,
) -> None:
    """Show where models are kept, which are installed, and whether MODEL is ready."""
    from pipeline.translate.model import model_info as info_of

    info = info_of(model)
    typer.echo(f"hub cache: {info['hub_cache']}")
    if not info["installed"]:
        typer.echo("installed: none")
    for row in info["installed"]:
        size = row["bytes"] / 1e6
        typer.echo(f"installed: {row['model']} @ {row['revision'][:12]} ({size:.0f} MB) "
                   f"{row['path']}")
    state = info["model"]
    if state["available"]:
        typer.echo(f"{state['name']}: ready ({state['source']}, {state['revision']}) "
                   f"at {state['path']}")
    else:
        typer.echo(f"{state['name']}: not available: {state['problem']}")
        raise typer.Exit(1)


def main() -> None:
    """Entry point: run the app, turning user-facing errors into one line on stderr."""
    try:
        app()
    except RunInterrupted as exc:
        error(str(exc))
        sys.exit(130)
    except UsageError as exc:  # e.g. a --cache-path that is not a daen cache
        error(str(exc))
        sys.exit(2)
    except DaenError as exc:
        error(str(exc))
        sys.exit(1)
    except KeyboardInterrupt:
        error("interrupted")
        sys.exit(130)

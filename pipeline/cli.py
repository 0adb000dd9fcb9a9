"""The ``daen`` command line: thin commands over library functions.

Nothing heavy is imported here: torch and transformers load only inside the commands that
translate, so ``daen --help`` stays instant. Errors meant for users (:class:`DaenError`) become
one ``Error: …`` line on stderr and exit code 1; usage errors exit 2.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline import __version__
from pipeline.errors import DaenError

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
    typer.echo(f"Error: {message}", err=True)


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


Files = Annotated[list[Path], typer.Argument(help="Article files (or folders of .txt/.md).")]
OutDir = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write results to this folder (default: stdout)."),
]
QuoteStyleOption = Annotated[
    str,
    typer.Option(
        "--quote-style",
        help=(
            "Quotation marks: auto (the article's own dominant style), guillemets, danish, "
            "danish-single, english, english-single, german, straight, straight-single."
        ),
    ),
]


# Translation options shared by `run` and `translate`.
ModelOption = Annotated[
    str | None,
    typer.Option("--model", help="Hub id or local model folder [default: opus-mt-da-en]."),
]
BackendOption = Annotated[
    str, typer.Option("--backend", help="Engine: auto (ct2 when installed), torch or ct2."),
]
DeviceOption = Annotated[
    str, typer.Option("--device", help="auto (CUDA, then MPS, then CPU), cpu, cuda[:N], mps.")
]
BeamsOption = Annotated[
    int | None, typer.Option("--beams", min=1, help="Beam size (default: the model's, 4).")
]
PrecisionOption = Annotated[
    str, typer.Option("--precision", help="auto (torch fp32, ct2 int8), fp32, int8, fp16 (GPU).")
]
ThreadsOption = Annotated[
    int | None, typer.Option("--threads", min=1, help="CPU threads (default: all cores).")
]
OfflineOption = Annotated[
    bool, typer.Option("--offline", help="Never contact the Hugging Face Hub.")
]


def _check_backend(backend: str) -> None:
    if backend not in ("auto", "torch", "ct2"):
        raise typer.BadParameter("choose auto, torch or ct2", param_hint="--backend")


def _normalize_config(quote_style: str) -> object:
    from pipeline.normalize import NormalizeConfig

    try:
        return NormalizeConfig(quote_style=quote_style)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--quote-style") from None


def _write_results(results: object, output: Path | None) -> int:
    """Write each article's cleaned text; print errors and the summary to stderr."""
    from pipeline.fsutil import write_atomic
    from pipeline.workflow import FileResult, Summary

    summary = Summary()
    for result in results:  # type: ignore[attr-defined]
        assert isinstance(result, FileResult)
        if result.error is not None:
            error(str(result.error))
            summary.failed += 1
            continue
        assert result.article is not None
        summary.add(result.article)
        if output is None:
            sys.stdout.write(result.article.text)
        else:
            target = output / result.name
            if target.resolve() == result.source.resolve():
                error(f"{result.name}: output would overwrite the input; choose another -o")
                summary.failed += 1
                continue
            write_atomic(target, result.article.text)
    for line in summary.lines():
        typer.echo(line, err=True)
    return 1 if summary.failed else 0


@app.command()
def normalize(
    files: Files,
    output: OutDir = None,
    quote_style: QuoteStyleOption = "auto",
) -> None:
    """Normalize Unicode, mojibake, spaces, quotes, apostrophes and dashes."""
    from pipeline.workflow import normalize_stage, process_files

    config = _normalize_config(quote_style)
    results = process_files(files, [normalize_stage(config)])  # type: ignore[arg-type]
    raise typer.Exit(_write_results(results, output))


@app.command()
def run(
    input_dir: Annotated[
        Path, typer.Argument(help="Folder of articles (.txt and .md, read recursively).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the outputs.")
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
    backend: BackendOption = "auto",
    device: DeviceOption = "auto",
    beams: BeamsOption = None,
    batch_tokens: Annotated[
        int | None,
        typer.Option("--batch-tokens", min=1, help="Padded tokens per model call [1024]."),
    ] = None,
    precision: PrecisionOption = "auto",
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
    quote_style: QuoteStyleOption = "auto",
    originals: Annotated[
        Path | None,
        typer.Option(
            "--originals",
            help="Folder of English originals, by the articles' relative names (<name>.en.txt "
            "or the same name); <name>.en.txt beside an article is always used.",
        ),
    ] = None,
    qa_threshold: Annotated[
        float,
        typer.Option(
            "--qa-threshold", min=0, max=100,
            help="Flag a sentence whose back-translation scores below this chrF against the "
            "English original.",
        ),
    ] = 40.0,
    translator: Annotated[
        str, typer.Option("--translator", hidden=True, help="model, or fake (tests only).")
    ] = "model",
    fake_delay: Annotated[
        float, typer.Option("--fake-delay", hidden=True, help="Seconds per fake sentence.")
    ] = 0.0,
    chunk_sentences: Annotated[
        int, typer.Option("--chunk-sentences", hidden=True, min=1, help="Sentences per chunk.")
    ] = 2000,
) -> None:
    """Clean and back-translate every article in a folder; write review pages and an index.

    Incremental: unchanged articles are skipped. Exit code 1 when any article failed.
    """
    from pipeline.batch import RunOptions, UsageError
    from pipeline.console import run_command

    if translator not in ("model", "fake"):
        raise typer.BadParameter("choose model or fake", param_hint="--translator")
    _check_backend(backend)
    _normalize_config(quote_style)
    if offline:
        os.environ["HF_HUB_OFFLINE"] = "1"
    options = RunOptions(
        force=force, translate=not no_translate, model=model, backend=backend, device=device,
        beams=beams, batch_tokens=batch_tokens, precision=precision, threads=threads,
        offline=offline, quote_style=quote_style,
        originals=originals, qa_threshold=qa_threshold, chunk_sentences=chunk_sentences,
    )
    try:
        code = run_command(
            input_dir, output, options, quiet=quiet, verbose=verbose,
            require_translation=require_translation,
            fake_translator_delay=fake_delay if translator == "fake" else None,
        )
    except UsageError as exc:
        raise typer.BadParameter(str(exc)) from None
    raise typer.Exit(code)


@app.command()
def diff(
    run_a: Annotated[Path, typer.Argument(help="Output folder of the earlier run.")],
    run_b: Annotated[Path, typer.Argument(help="Output folder of the later run.")],
    html_path: Annotated[
        Path | None,
        typer.Option("--html", help="Where to write the HTML report (default RUN_B/diff.html)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only the list of changed articles.")
    ] = False,
) -> None:
    """Which articles changed between two runs, with word diffs of Danish and English."""
    from pipeline.rundiff import RunDiffError, diff_command

    try:
        code = diff_command(run_a, run_b, html_path, quiet=quiet)
    except RunDiffError as exc:
        raise typer.BadParameter(str(exc)) from None
    raise typer.Exit(code)


@app.command()
def export(
    run_dir: Annotated[Path, typer.Argument(help="Output folder of `daen run`.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="xliff (XLIFF 2.0, one file per article) or "
                          "tmx (TMX 1.4b, one file for the run).")
    ] = "xliff",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder for the files (default RUN_DIR/exports)."),
    ] = None,
) -> None:
    """Export a run for CAT tools: Danish source, English back-translation, notes."""
    from pipeline.export import FORMATS, export_run

    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose {' or '.join(FORMATS)}", param_hint="--format")
    written = export_run(run_dir, fmt, output)
    typer.echo(f"{len(written)} {fmt} file(s) written to {written[0].parent}", err=True)


@rules_app.callback()
def rules(ctx: typer.Context) -> None:
    """List every rule id with the reason an editor sees."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.rules_index import all_rules

    for stage, rule_id, reason in all_rules():
        typer.echo(f"{stage:<10} {rule_id:<40} {reason}")


DataDirOption = Annotated[
    Path | None,
    typer.Option("--data", help="Folder with the fix-stage tables (default: the project's data/)."),
]
ExplainOption = Annotated[
    bool, typer.Option("--explain", help="Print every edit with its rule id and reason (stderr).")
]


def _explained(results: object, explain: bool) -> object:
    """Pass results through, printing each edit and flag of the fix stage when asked."""
    for result in results:  # type: ignore[attr-defined]
        if explain and result.article is not None:
            for sentence in result.article.sentences():
                for edit in sentence.edits:
                    typer.echo(
                        f"{result.name}: edit {edit.rule_id}: {edit.before!r} -> {edit.after!r}"
                        f" ({edit.reason})", err=True,
                    )
                for flag in sentence.flags:
                    typer.echo(
                        f"{result.name}: flag {flag.rule_id}: "
                        f"{sentence.text[flag.start:flag.end]!r} ({flag.reason})"
                        + (f" suggest {flag.suggestion!r}" if flag.suggestion else ""), err=True,
                    )
        yield result


@app.command()
def fix(
    files: Files, output: OutDir = None, data: DataDirOption = None, explain: ExplainOption = False
) -> None:
    """Fix casing and garbled phrases; flag English fragments and unknown words."""
    from pipeline.fix import load_fix_rules
    from pipeline.workflow import fix_stage, process_files

    rules = load_fix_rules(data)
    results = _explained(process_files(files, [fix_stage(rules)]), explain)
    raise typer.Exit(_write_results(results, output))


@app.command()
def clean(
    files: Files,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the cleaned articles (required).")
    ],
    quote_style: QuoteStyleOption = "auto",
    data: DataDirOption = None,
    explain: ExplainOption = False,
) -> None:
    """Normalize and fix each article; write it under the same relative path in OUTPUT."""
    from pipeline.fix import load_fix_rules
    from pipeline.workflow import fix_stage, normalize_stage, process_files

    config = _normalize_config(quote_style)
    rules = load_fix_rules(data)
    stages = [normalize_stage(config), fix_stage(rules)]  # type: ignore[arg-type]
    results = _explained(process_files(files, stages), explain)
    raise typer.Exit(_write_results(results, output))


@rules_app.command("check")
def rules_check(data: DataDirOption = None) -> None:
    """Validate the rule tables (phrases, names, English fragments); exit 1 on the first error."""
    from pipeline.fix import load_fix_rules

    rules = load_fix_rules(data, dictionary=True)
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
    from pipeline.decisions import rule_stats, stats_table

    typer.echo(stats_table(rule_stats(output_dirs)), nl=False)


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
    from pipeline.review.app import serve

    serve(output_dir, host=host, port=port, open_browser=not no_browser,
          echo=lambda line: typer.echo(line, err=True))


@app.command()
def translate(
    files: Files,
    output: OutDir = None,
    model: ModelOption = None,
    backend: BackendOption = "auto",
    device: DeviceOption = "auto",
    beams: BeamsOption = None,
    batch_tokens: Annotated[
        int, typer.Option("--batch-tokens", min=1, help="Padded tokens per model call.")
    ] = 1024,
    precision: PrecisionOption = "auto",
    threads: ThreadsOption = None,
    cache: Annotated[
        bool, typer.Option("--cache/--no-cache", help="Reuse earlier translations.")
    ] = True,
    cache_path: Annotated[
        Path | None, typer.Option("--cache-path", help="SQLite translation cache file.")
    ] = None,
    max_input_tokens: Annotated[
        int | None,
        typer.Option("--max-input-tokens", min=8, help="Split longer sentences at clauses."),
    ] = None,
    offline: OfflineOption = False,
) -> None:
    """Back-translate articles to English: .en.txt and a .json record per file with -o."""
    _check_backend(backend)
    if offline:
        os.environ["HF_HUB_OFFLINE"] = "1"
    from pipeline.translate import DEFAULT_MODEL, load_translator, summary_lines
    from pipeline.translate import translate_articles as translate_all
    from pipeline.workflow import process_files

    results = list(process_files(files, []))
    articles = [r.article for r in results if r.article is not None]
    try:
        translator = load_translator(
            model or DEFAULT_MODEL, backend=backend, device=device, beams=beams,
            precision=precision, batch_tokens=batch_tokens, threads=threads, offline=offline,
            cache_path=cache_path, cache=cache, max_input_tokens=max_input_tokens,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    total = sum(1 for a in articles for _ in a.sentences())
    with typer.progressbar(length=total, label="Translating", file=sys.stderr) as bar:
        translate_all(articles, translator, bar.update)
    translator.close()
    code = _write_translations(results, output)
    done = [s.translation for a in articles for s in a.sentences() if s.translation]
    for line in summary_lines(done, translator):
        typer.echo(line, err=True)
    raise typer.Exit(code)


def _write_translations(results: list, output: Path | None) -> int:
    import json

    from pipeline.fsutil import write_atomic
    from pipeline.render.text import english_text

    failed = 0
    for result in results:
        if result.error is not None:
            error(str(result.error))
            failed += 1
            continue
        if output is None:
            sys.stdout.write(english_text(result.article))
            continue
        stem = result.name.rsplit(".", 1)[0] if "." in result.name else result.name
        write_atomic(output / f"{stem}.en.txt", english_text(result.article))
        record = json.dumps(result.article.to_dict(), ensure_ascii=False, indent=1)
        write_atomic(output / f"{stem}.json", record + "\n")
    return 1 if failed else 0


@model_app.command("download")
def model_download(
    model_id: Annotated[
        str, typer.Argument(help="Hub id to fetch.")
    ] = "Helsinki-NLP/opus-mt-da-en",
    revision: Annotated[
        str | None, typer.Option("--revision", help="Branch, tag or commit.")
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Refuse to contact the Hub (then this fails).")
    ] = False,
) -> None:
    """Fetch a translation model into the Hugging Face cache, with a progress bar."""
    from pipeline.model import download_model

    resolved = download_model(model_id, revision=revision, offline=offline)
    typer.echo(f"{resolved.name} revision {resolved.revision}")
    typer.echo(f"installed in {resolved.path}")


@model_app.command("info")
def model_info(
    model: Annotated[
        str, typer.Option("--model", help="Hub id or local folder to check.")
    ] = "Helsinki-NLP/opus-mt-da-en",
) -> None:
    """Show where models are kept, which are installed, and whether MODEL is ready."""
    from pipeline.model import model_info as info_of

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
    except DaenError as exc:
        error(str(exc))
        sys.exit(1)
    except KeyboardInterrupt:
        error("interrupted")
        sys.exit(130)

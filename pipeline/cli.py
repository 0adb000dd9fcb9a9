"""The ``daen`` command line: thin commands over library functions.

Nothing heavy is imported here: torch and transformers load only inside the commands that
translate, so ``daen --help`` stays instant. Errors meant for users (:class:`DaenError`) become
one ``Error: …`` line on stderr and exit code 1; usage errors exit 2.
"""

from __future__ import annotations

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
        help="House style for quotation marks: guillemets, danish, english, straight.",
    ),
]


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
    quote_style: QuoteStyleOption = "guillemets",
) -> None:
    """Normalize Unicode, mojibake, spaces, quotes, apostrophes and dashes."""
    from pipeline.workflow import normalize_stage, process_files

    config = _normalize_config(quote_style)
    results = process_files(files, [normalize_stage(config)])  # type: ignore[arg-type]
    raise typer.Exit(_write_results(results, output))


@rules_app.callback()
def rules(ctx: typer.Context) -> None:
    """List every rule id with the reason an editor sees."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.rules_index import all_rules

    for stage, rule_id, reason in all_rules():
        typer.echo(f"{stage:<10} {rule_id:<40} {reason}")


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

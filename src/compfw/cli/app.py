"""The command line: parse arguments, call the core, pick a reporter, exit.

Heavy modules (pydantic models, rich, jinja2) are imported inside the commands that need them so
that `compfw --help` and each command start no slower than they must.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from compfw.cli.options import GlobalOptionsGroup, parse_date
from compfw.cli.output import finish_interrupted_signoff

app = typer.Typer(
    name="compfw",
    cls=GlobalOptionsGroup,
    help="Track people against competency frameworks kept as git-versioned YAML.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: formatting help with rich costs ~80 ms of imports on every --help.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
framework_app = typer.Typer(help="Read the frameworks compfw knows.", no_args_is_help=True, rich_markup_mode=None,
                            cls=GlobalOptionsGroup)
app.add_typer(framework_app, name="framework")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"compfw {version('compfw')}")
        raise typer.Exit(0)


@app.callback()
def _root(
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour in human output (also NO_COLOR=1).")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    if no_color:
        os.environ["NO_COLOR"] = "1"
    finish_interrupted_signoff()


# --- status -----------------------------------------------------------------------------------


@app.command()
def status(
    portfolio: Annotated[Optional[Path], typer.Argument(metavar="PORTFOLIO", help="Portfolio folder (default: yours, by git user.email).")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Judge as at this date (YYYY-MM-DD; default today).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    missing: Annotated[bool, typer.Option("--missing", help="Only what is not yet achieved.")] = False,
    section: Annotated[Optional[str], typer.Option("--section", metavar="ID", help="Only this section (e.g. 4).")] = None,
    brief: Annotated[bool, typer.Option("--brief", help="A few lines: percentage, verdict, next milestone, next steps.")] = False,
    examples: Annotated[bool, typer.Option("--examples", help="Every example of activities for every competency in 'what next'.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Read the portfolio afresh; neither read nor write the result cache.")] = False,
) -> None:
    """Where a trainee stands: every competency's status, percentage achieved, readiness, what next."""
    # The plain spellings of this command never get here: compfw.cli.quick runs them without
    # building this app. Keep its parser in step with these options.
    from compfw.cli.commands.status import StatusOptions, run_status

    if json_out and (missing or section or brief or examples):
        raise typer.BadParameter("--missing, --section, --brief and --examples shape the tables; "
                                 "--json always prints the whole document", param_hint="--json")
    raise typer.Exit(run_status(portfolio, parse_date(as_of), json_out,
                                StatusOptions(missing=missing, section=section, brief=brief, examples=examples),
                                not no_cache))


# --- validate ---------------------------------------------------------------------------------


@app.command()
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar="PATH", help="Framework files, portfolio folders, or folders of them (default: frameworks/ and portfolios/).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | json | github | auto (github under GitHub Actions).")] = "auto",
    strict: Annotated[bool, typer.Option("--strict", help="Also warn about targets the source does not show; warnings fail.")] = False,
    changed_since: Annotated[Optional[str], typer.Option("--changed-since", help="Only what changed since this git ref, and what depends on it.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes for many portfolios (0 = one per core).")] = 0,
    shard: Annotated[Optional[str], typer.Option("--shard", metavar="K/N", help="Only shard K of N of the portfolios (for a CI matrix); shard 1 also checks the frameworks.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Check every file afresh; neither read nor write the result cache.")] = False,
) -> None:
    """Check frameworks and portfolios; every problem as path:line:col. Exit 1 on findings."""
    from compfw.cli.commands.validate import run_validate
    from compfw.cli.options import parse_shard
    from compfw.render.reporters import FORMATS

    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    raise typer.Exit(run_validate(paths or [], fmt, strict, changed_since, jobs, parse_shard(shard), not no_cache))


# --- framework --------------------------------------------------------------------------------


@framework_app.command("list")
def framework_list(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every framework: id, version, title and counts."""
    from compfw.cli.commands.framework import run_list

    raise typer.Exit(run_list(json_out))


@framework_app.command("show")
def framework_show(
    framework_id: Annotated[str, typer.Argument(metavar="ID", help="Framework id, e.g. nhs-gmts-informatics.")],
    version: Annotated[Optional[str], typer.Option("--version", help="Version (default: the latest known).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A framework's tree with targets (or stages)."""
    from compfw.cli.commands.framework import run_show

    raise typer.Exit(run_show(framework_id, version, json_out))


def _register_extensions() -> None:
    from compfw.cli.commands import credential, daily, ecosystem, reporting, signing

    for module in (signing, reporting, ecosystem, daily, credential):
        module.register(app)


_register_extensions()


def main() -> None:
    """Entry point: the one place where an error turns into a message and an exit code."""
    from compfw.cli.output import last_line_of_defence

    last_line_of_defence(app)


if __name__ == "__main__":  # pragma: no cover
    main()

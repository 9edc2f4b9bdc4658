"""The daily loop: `compfw queue`, `compfw request` and `compfw diff`.

A thin typer layer: parse, call the core (engine.queue, authoring.request, trust.history_diff),
render (render.queue_view, render.diff_view), print, exit.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from compfw.cli.output import guarded

QUEUE_FORMATS = ("text", "markdown", "json")
DIFF_FORMATS = ("text", "json", "markdown")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the app."""

    @app.command()
    def queue(
        everyone: Annotated[bool, typer.Option("--all", help="Every manager's queue, grouped by manager (for the programme team).")] = False,
        json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object (same as --format json).")] = False,
        fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text | markdown | json.")] = "text",
        as_email: Annotated[Optional[str], typer.Option("--as", metavar="EMAIL",
                                                        help="Whose queue (default: git config user.email).")] = None,
    ) -> None:
        """What waits for you: open requests and new evidence of every trainee you may sign for, oldest first."""
        if fmt not in QUEUE_FORMATS:
            raise typer.BadParameter(f"choose one of {', '.join(QUEUE_FORMATS)}", param_hint="--format")
        if everyone and as_email:
            raise typer.BadParameter("--all shows every manager; leave out --as", param_hint="--all")
        raise typer.Exit(run_queue(everyone, "json" if json_out else fmt, as_email))

    @app.command()
    def request(
        portfolio: Annotated[Path, typer.Argument(metavar="PORTFOLIO", help="Your portfolio folder, e.g. portfolios/asha-patel.")],
        competencies: Annotated[list[str], typer.Argument(metavar="ID", help="Competency ids to review.")],
        to: Annotated[str, typer.Option("--to", metavar="EMAIL", help="The manager asked (named in portfolio.yaml).")],
        note: Annotated[str, typer.Option("--note", "-m", metavar="TEXT", help="What you would like them to look at.")] = "",
        date: Annotated[Optional[str], typer.Option("--date", metavar="DATE", help="Date of the request (YYYY-MM-DD; default today).")] = None,
    ) -> None:
        """Ask a manager to review competencies: one new file in requests/, checked as validate checks it."""
        from compfw.cli.options import parse_date

        on = parse_date(date, "--date") if date is not None else None
        raise typer.Exit(run_request(portfolio, competencies, to, note, on))


    @app.command()
    def diff(
        base: Annotated[str, typer.Argument(metavar="BASE", help="The commit before (e.g. origin/main).")],
        head: Annotated[str, typer.Argument(metavar="HEAD", help="The commit after (default: HEAD).")] = "HEAD",
        fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text | json | markdown.")] = "text",
    ) -> None:
        """What a change does to each trainee it touches: statuses, percentage, milestones, verdict."""
        if fmt not in DIFF_FORMATS:
            raise typer.BadParameter(f"choose one of {', '.join(DIFF_FORMATS)}", param_hint="--format")
        raise typer.Exit(run_diff(base, head, fmt))


def _today() -> dt.date:
    from compfw.files.problems import today

    return today()


def run_queue(everyone: bool, fmt: str, as_email: str | None) -> int:
    def body() -> int:
        from compfw.checks.workspace import load_cohort
        from compfw.engine.queue import queue_document, queue_for
        from compfw.files.gitutil import config_value
        from compfw.files.problems import UserError
        from compfw.model.loading import find_repo_root
        from compfw.render.queue_view import queue_markdown, queue_text

        root = find_repo_root()
        emails = None
        if not everyone:
            email = as_email or config_value("user.email", root)
            if not email:
                raise UserError("whose queue? git user.email is not set",
                                "set it (`git config user.email you@example.org`), pass --as EMAIL, or use --all")
            emails = [email]
        today = _today()
        checked, unreadable = load_cohort(root, today)
        doc = queue_document(queue_for(checked, emails, today, unreadable))
        return _write(doc, fmt, queue_markdown, queue_text)

    return guarded(body)


def run_request(portfolio: Path, competencies: list[str], to: str, note: str, on: dt.date | None) -> int:
    def body() -> int:
        from compfw.authoring.request import prepare_request, write_request
        from compfw.files.problems import display_path
        from compfw.render.terminal import shown as plain

        new = prepare_request(portfolio, competencies, to, note, on, _today())
        path = write_request(new)
        sys.stdout.write(f"Asked {plain(new.to_name)} <{plain(new.to_email)}> to review "
                         f"{', '.join(new.competencies)} for {new.trainee_id}: {display_path(path)}\n"
                         "Commit it with your evidence; a sign-off of these competencies by them answers it.\n")
        return 0

    return guarded(body)


def run_diff(base: str, head: str, fmt: str) -> int:
    def body() -> int:
        from compfw.model.loading import find_repo_root
        from compfw.render.diff_view import diff_markdown, diff_text
        from compfw.trust.history_diff import diff_trees

        doc = diff_trees(find_repo_root(), base, head, _today())
        return _write(doc, fmt, diff_markdown, diff_text)

    return guarded(body)


def _write(doc: dict, fmt: str, markdown, text) -> int:
    """A document to stdout as JSON, Markdown or text (the renderers of its command)."""
    if fmt == "json":
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(markdown(doc) if fmt == "markdown" else text(doc))
    return 0

"""`compfw report` for typer: its options. Markdown reports from Jinja2 templates (trainee, review
pack, cohort) and the cohort as CSV; the command runs in `report.py`, which imports the work
(`compfw.render.reports`, with jinja2) only when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from compfw.cli.commands.report import REPORT_FORMATS, run_report


def register(app: typer.Typer) -> None:
    """Add this area's commands to the app."""

    @app.command()
    def report(
        portfolio: Annotated[Optional[Path], typer.Argument(
            help="Portfolio folder (default: yours, by git user.email); with --cohort, the folder of "
                 "portfolios (default: portfolios/).")] = None,
        cohort: Annotated[bool, typer.Option("--cohort", help="One row per trainee, for the programme team.")] = False,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE",
                                                       help="Write to FILE (replaced atomically) instead of stdout.")] = None,
        template: Annotated[Optional[str], typer.Option("--template", "-t", metavar="NAME|PATH",
                                                        help="trainee, review-pack, cohort, a template in the repo's "
                                                             "templates/, or a path to a .j2 file.")] = None,
        as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="Report as at this date (YYYY-MM-DD; default today).")] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="md | csv (csv with --cohort only).")] = "md",
        since: Annotated[Optional[str], typer.Option("--since", metavar="DATE", help="What changed since this date (review pack; "
                                                                     "default: since the last --last sign-offs).")] = None,
        last: Annotated[int, typer.Option("--last", min=1, help="How many recent sign-offs count as changes "
                                                                "when there is no --since.")] = 10,
        context_json: Annotated[bool, typer.Option("--context-json", help="Print the data the template receives, "
                                                                          "as JSON, instead of the report.")] = False,
        stale_days: Annotated[Optional[int], typer.Option("--stale-days", metavar="N", min=0,
                                                          help="With --cohort: flag trainees with no evidence, sign-off "
                                                               "or request for more than N days (default 30).")] = None,
        jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes for a large cohort (0 = one per core).")] = 0,
        no_cache: Annotated[bool, typer.Option("--no-cache", help="Read every portfolio afresh; neither read nor "
                                                                  "write the result cache.")] = False,
    ) -> None:
        """Markdown reports: a trainee's report, a review pack, or the cohort (also as CSV)."""
        from compfw.cli.options import parse_date

        if fmt not in REPORT_FORMATS:
            raise typer.BadParameter(f"choose one of {', '.join(REPORT_FORMATS)}", param_hint="--format")
        day = parse_date(as_of)
        since_day = parse_date(since, "--since") if since is not None else None
        raise typer.Exit(run_report(portfolio, cohort=cohort, output=output, template=template, as_of=day, fmt=fmt,
                                    since=since_day, last=last, context_json=context_json, stale_days=stale_days,
                                    jobs=jobs, cache=not no_cache))

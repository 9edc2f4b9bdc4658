"""`compfw report`: Markdown reports from Jinja2 templates (trainee, review pack, cohort) and the
cohort as CSV. The work is in `compfw.reports`, imported (with jinja2) only when the command runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

REPORT_FORMATS = ("md", "csv")


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


def run_report(path: Path | None, *, cohort: bool, output: Path | None, template: str | None, as_of,
               fmt: str, since, last: int, context_json: bool, stale_days: int | None = None, jobs: int = 0,
               cache: bool = True) -> int:
    from compfw.cli.output import guarded, print_problems
    from compfw.render.terminal import json_safe, shown

    def body() -> int:
        from compfw.files.problems import UserError, display_path, today
        from compfw.files.result_cache import ResultCache, default_folder
        from compfw.model.loading import find_repo_root
        from compfw.render import reports, templates

        if output is not None:
            check_output(output)
        if fmt == "csv" and not cohort:
            raise UserError("--format csv is for the cohort report", "add --cohort")
        if fmt == "csv" and template is not None:
            raise UserError("--template does not apply to --format csv", "the CSV columns are fixed; drop --template")
        if cohort and since is not None:
            raise UserError("--since is for a trainee's report, not --cohort")
        if stale_days is not None and not cohort:
            raise UserError("--stale-days is for the cohort report", "add --cohort")
        kind = "cohort" if cohort else "trainee"
        choice = None
        if fmt == "md" and not context_json:
            root = find_repo_root(path.resolve() if path else None)
            choice = templates.choose_template(template, kind, root)
        name = choice.name if choice else (template or templates.DEFAULT_TEMPLATES[kind] if fmt == "md" else "")
        if cohort:
            context = reports.cohort_context(path, as_of, today(), name,
                                             reports.DEFAULT_STALE_DAYS if stale_days is None else stale_days,
                                             default_folder() if cache else None, jobs)
            for failed in context["failed"]:
                sys.stderr.write(shown(f"warning: {failed['folder']}: not in the report: {failed['error']}") + "\n")
        else:
            context, problems = reports.trainee_context_of(path, as_of, since, last, name,
                                                           ResultCache.for_command(cache))
            print_problems(problems, "warning: ")
            if any(p.severity == "error" for p in problems):
                sys.stderr.write("warning: sign-offs with errors are not counted; run `compfw validate`\n")

        if context_json:
            text = json_safe(json.dumps(context, indent=2, ensure_ascii=False)) + "\n"
        elif fmt == "csv":
            text = reports.cohort_csv(context)
        else:
            text = templates.render(choice, context)
        if output is None:
            sys.stdout.write(text)
        else:
            from compfw.files.writing import replace_file

            replace_file(output, text)
            sys.stderr.write(f"wrote {display_path(output)}\n")
        return 0

    return guarded(body)


def check_output(output: Path) -> None:
    """-o FILE: the folder must exist (nothing is created) and FILE must not be a folder."""
    from compfw.files.problems import UserError, display_path

    if output.is_dir():
        raise UserError(f"{display_path(output)} is a folder", "give a file name, e.g. -o report.md")
    if not output.parent.is_dir():
        raise UserError(f"folder {display_path(output.parent)} does not exist",
                        "create it first, or write the report somewhere else")

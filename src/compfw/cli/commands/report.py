"""`compfw report` once its options are parsed: by typer (`reporting.py`), or by `cli.quick` for
the plain spellings of `report --cohort`, which then run without building the typer app.
This module never imports typer."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPORT_FORMATS = ("md", "csv")


def run_report(path: Path | None, *, cohort: bool, output: Path | None, template: str | None, as_of,
               fmt: str, since, last: int | None, context_json: bool, stale_days: int | None = None, jobs: int = 0,
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
            context, problems = reports.trainee_context_of(path, as_of, since,
                                                           reports.DEFAULT_LAST if last is None else last, name,
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

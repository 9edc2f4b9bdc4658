"""Sign-off in a git workflow: `compfw signoff`, `compfw audit` and `compfw codeowners`.

A thin typer layer: parse, call the core (signoff.py, audit.py, codeowners.py), print, exit.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from compfw.cli.output import guarded
from compfw.render.terminal import shown_lines


def register(app: typer.Typer) -> None:
    """Add this area's commands to the app."""

    @app.command()
    def signoff(
        portfolio: Annotated[Path, typer.Argument(metavar="PORTFOLIO", help="The trainee's portfolio folder, e.g. portfolios/asha-patel.")],
        competencies: Annotated[list[str], typer.Argument(metavar="COMPETENCY",
                                                          help="Competency ids; several make a bulk sign-off.")],
        feedback: Annotated[str, typer.Option("--feedback", "-m", metavar="TEXT",
                                              help="Detailed, constructive feedback (required; '-' reads stdin).")],
        level: Annotated[Optional[int], typer.Option("--level", "-l", min=0, metavar="N",
                                                     help="Level on the framework's scale (none for achieved/not-achieved competencies).")] = None,
        evidence: Annotated[Optional[list[str]], typer.Option("--evidence", "-e", metavar="ID", help="Evidence id (repeatable).")] = None,
        as_email: Annotated[Optional[str], typer.Option("--as", metavar="EMAIL",
                                                        help="Sign as this manager (default: git config user.email).")] = None,
        date: Annotated[Optional[str], typer.Option("--date", metavar="DATE", help="Date of the sign-off (YYYY-MM-DD; default today).")] = None,
        commit: Annotated[bool, typer.Option("--commit", help="Commit exactly the new files, authored as the signer.")] = False,
    ) -> None:
        """Record a manager's sign-off: one new file per competency, checked as validate checks it."""
        from compfw.cli.options import parse_date

        on = parse_date(date, "--date") if date is not None else None
        text = sys.stdin.read() if feedback == "-" else feedback
        raise typer.Exit(run_signoff(portfolio, competencies, text, level, evidence or [], as_email, on, commit))

    @app.command()
    def audit(
        base: Annotated[Optional[str], typer.Option("--base", metavar="REF",
                                                    help="Audit only REF..HEAD (a pull request), trusting REF's managers and keys.")] = None,
        require_signed: Annotated[bool, typer.Option("--require-signed",
                                                     help="Each sign-off's commit must carry the signer's good SSH signature.")] = False,
        fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text | json | github | auto (github under GitHub Actions).")] = "auto",
    ) -> None:
        """Prove the sign-off history from git: signers authored, authorised, never edited. Exit 1 on findings."""
        from compfw.render.reporters import FORMATS

        if fmt not in FORMATS:
            raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
        raise typer.Exit(run_audit(base, require_signed, fmt))

    @app.command()
    def codeowners() -> None:
        """Print a CODEOWNERS file: each portfolio's sign-offs owned by its managers."""
        raise typer.Exit(run_codeowners())


def run_signoff(portfolio: Path, competencies: list[str], feedback: str, level: int | None,
                evidence: list[str], as_email: str | None, on, commit: bool) -> int:
    def body() -> int:
        from compfw.trust.signoff import SignoffRequest, record_signoffs

        request = SignoffRequest(portfolio, tuple(competencies), feedback, level, tuple(evidence), as_email, on)
        report(record_signoffs(request, commit))
        return 0

    return guarded(body)


def report(outcome) -> None:
    from compfw.files.problems import display_path

    signer = outcome.signer
    count = len(outcome.written)
    out = [f"Recorded {count} sign-off{'s' if count != 1 else ''} for {outcome.trainee_name} ({outcome.trainee_id}), "
           f"signed by {signer.name} <{signer.email}>, {signer.role.replace('_', ' ')}:"]
    for new in outcome.written:
        so = new.record.model
        what = "achieved" if so.level is None else f"level {so.level}" + (f" ({outcome.level_name})" if outcome.level_name else "")
        out.append(f"  {so.competency}  {what}  {display_path(new.path)}")
    if outcome.commit:
        out.append(f"Committed as {outcome.commit[:12]}, authored by {signer.name} <{signer.email}>.")
    else:
        out.append("Not committed: the signer commits these files (or run with --commit).")
    out.append(f"{outcome.trainee_name} is now at {outcome.percent_after:.1f}% achieved "
               f"(was {outcome.percent_before:.1f}%).")
    sys.stdout.write(shown_lines("\n".join(out)) + "\n")


def run_audit(base: str | None, require_signed: bool, fmt: str) -> int:
    def body() -> int:
        from compfw.model.loading import find_repo_root
        from compfw.render.reporters import exit_code, render_problems
        from compfw.trust.audit import run_audit as audit_history

        result = audit_history(find_repo_root(), base, require_signed)
        sys.stdout.write(render_problems(result.problems, fmt, result.checked))
        return exit_code(result.problems)

    return guarded(body)


def run_codeowners() -> int:
    def body() -> int:
        from compfw.files.gitutil import toplevel
        from compfw.model.loading import find_repo_root
        from compfw.trust.codeowners import codeowners_text

        root = find_repo_root()
        top = toplevel(root)
        prefix = ""
        if top is not None and top.resolve() in root.resolve().parents:
            prefix = root.resolve().relative_to(top.resolve()).as_posix() + "/"
        sys.stdout.write(codeowners_text(root, prefix))
        return 0

    return guarded(body)

"""`compfw credential issue|verify`: Open Badges 3.0 credentials for what was signed off in git."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from compfw.cli.output import guarded

credential_app = typer.Typer(help="Open Badges 3.0 credentials for signed-off competencies: issue and verify.",
                             no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(credential_app, name="credential")


@credential_app.command("issue")
def issue_command(
    portfolio: Annotated[Path, typer.Argument(metavar="PORTFOLIO", help="The trainee's portfolio folder.")],
    key: Annotated[Path, typer.Option("--key", metavar="KEY",
                                      help="The programme's RSA private key (PEM); its public half is the policy's issuer key.")],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Folder to write the credentials to.")],
    competency: Annotated[Optional[list[str]], typer.Option("--competency", "-c", metavar="ID",
                                                            help="Only these competencies (repeatable; default: every achieved one).")] = None,
    graduation: Annotated[bool, typer.Option("--graduation", help="Also issue the credential for completing the scheme.")] = False,
) -> None:
    """Issue a signed credential (VC-JWT) for each achieved competency, citing its sign-off commit."""
    raise typer.Exit(run_issue(portfolio, competency or [], graduation, key, out))


@credential_app.command("verify")
def verify_command(
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Credential files (.jwt).")],
    repo: Annotated[Optional[Path], typer.Option("--repo", metavar="PATH",
                                                 help="The portfolio repository: check the issuer's key and what each credential cites.")] = None,
) -> None:
    """Check credentials: signature, dates, structure; with --repo, the cited sign-offs too. Exit 1 if any is invalid."""
    raise typer.Exit(run_verify(files, repo))


def _now() -> dt.datetime:
    from compfw.files.problems import today

    day = today()
    clock = dt.datetime.now(dt.timezone.utc)
    if day != clock.date():  # COMPFW_TODAY fixes the day for reproducible runs
        return dt.datetime.combine(day, dt.time(12), dt.timezone.utc)
    return clock.replace(microsecond=0)


def run_issue(portfolio: Path, competencies: list[str], graduation: bool, key: Path, out: Path) -> int:
    def body() -> int:
        from compfw.trust.credential_issue import issue
        from compfw.files.problems import display_path, today
        from compfw.render.terminal import shown as safe

        issued = issue(portfolio, competencies, graduation, key, out, today(), _now())
        for path in issued.files:
            sys.stdout.write(safe(display_path(path)) + "\n")
        sys.stderr.write(f"Issued {len(issued.files)} credential(s) for {safe(issued.trainee)}.\n")
        return 0

    return guarded(body)


def run_verify(files: list[Path], repo: Path | None) -> int:
    def body() -> int:
        from compfw.trust.credential_issue import verify
        from compfw.render.terminal import shown as safe

        verdicts = verify(files, repo, _now())
        for verdict in verdicts:
            word = "ok" if verdict.valid else "invalid"
            sys.stdout.write(f"{safe(verdict.file)}: {word}: {safe(verdict.reason)}\n")
            for note in verdict.notes:
                sys.stdout.write(f"  note: {safe(note)}\n")
        return 0 if all(v.valid for v in verdicts) else 1

    return guarded(body)

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
        role: Annotated[Optional[str], typer.Option("--as", metavar="ROLE",
                                                    help="Your role for this sign-off, placement_manager or programme_manager, "
                                                         "when you hold both (default: the one you hold). It never changes who "
                                                         "signs: that is always you, git config user.email.")] = None,
        date: Annotated[Optional[str], typer.Option("--date", metavar="DATE", help="Date of the sign-off (YYYY-MM-DD; default today).")] = None,
        commit: Annotated[bool, typer.Option("--commit", help="Commit exactly the new files as your own commit (signed when "
                                                              "the trust policy requires it).")] = False,
        discussed: Annotated[Optional[str], typer.Option("--discussed", metavar="DATE",
                                                         help="When you and the trainee discussed the reflective piece (Personal Qualities).")] = None,
        absent: Annotated[Optional[str], typer.Option("--placement-manager-absent", metavar="REASON",
                                                      help="Programme manager signing in the placement manager's absence: why they are absent.")] = None,
    ) -> None:
        """Record your sign-off as a manager: one new file per competency, checked as validate checks it.

        You sign as yourself (git config user.email); when .compfw/policy.yaml requires signatures,
        your git must sign with a key the policy allows (see `compfw signing setup`).
        """
        from compfw.cli.options import parse_date

        on = parse_date(date, "--date") if date is not None else None
        chosen = _role(role)
        talked = parse_date(discussed, "--discussed") if discussed is not None else None
        if absent is not None and not absent.strip():
            raise typer.BadParameter("give the reason the placement manager is absent", param_hint="--placement-manager-absent")
        text = sys.stdin.read() if feedback == "-" else feedback
        raise typer.Exit(run_signoff(portfolio, competencies, text, level, evidence or [], chosen, on, commit,
                                     discussed=talked, absence_reason=absent))

    @app.command()
    def audit(
        base: Annotated[Optional[str], typer.Option("--base", metavar="REF",
                                                    help="Audit only REF..HEAD (a pull request), trusting REF's managers and keys.")] = None,
        require_signed: Annotated[bool, typer.Option("--require-signed",
                                                     help="Require good SSH signatures even if the policy does not.")] = False,
        require_policy: Annotated[bool, typer.Option("--require-policy",
                                                     help="Fail when the base has no trust policy (.compfw/policy.yaml); CI uses it.")] = False,
        fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text | json | github | auto (github under GitHub Actions).")] = "auto",
    ) -> None:
        """Check the sign-off history and guarded changes from git, trusting only the base's policy.

        Who made a commit is proved only by a signature the policy's keys verify; without
        signatures the result says what rests on commit metadata alone. Exit 1 on findings.
        """
        from compfw.render.reporters import FORMATS

        if fmt not in FORMATS:
            raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
        raise typer.Exit(run_audit(base, require_signed, require_policy, fmt))

    signing_app = typer.Typer(help="Set up SSH commit signing, so that your sign-offs are signed.",
                              no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(signing_app, name="signing")

    @signing_app.command("setup")
    def signing_setup(
        key: Annotated[Optional[Path], typer.Option("--key", metavar="PATH", help="Your SSH public key (e.g. ~/.ssh/id_ed25519.pub); "
                                                     "with --create, where to make the new key (default ~/.ssh/compfw_signing).")] = None,
        create: Annotated[bool, typer.Option("--create", help="Make a new ed25519 key with ssh-keygen (never over an existing file).")] = False,
        no_passphrase: Annotated[bool, typer.Option("--no-passphrase", help="With --create: no passphrase (ssh-keygen asks for one otherwise).")] = False,
        local: Annotated[bool, typer.Option("--local", help="Set this repository's git config only (default: your global config).")] = False,
    ) -> None:
        """Set git to sign your commits with an SSH key, and print your allowed-signers entry.

        Sets gpg.format=ssh, user.signingkey and commit.gpgsign=true, then prints the entry a
        programme admin adds to .compfw/policy.yaml so the audit trusts your signature.
        """
        raise typer.Exit(run_signing_setup(key, create, no_passphrase, "local" if local else "global"))

    @app.command()
    def codeowners() -> None:
        """Print a CODEOWNERS file: what defines achievement owned by the policy's programme admins, sign-offs by managers."""
        raise typer.Exit(run_codeowners())


def _role(value: str | None) -> str | None:
    from compfw.trust.signoff import ROLES

    if value is None:
        return None
    role = value.strip().lower().replace("-", "_").replace(" ", "_")
    if role in ROLES:
        return role
    if "@" in value:
        raise typer.BadParameter(f"{value!r} is a person, and --as chooses only your role ({' or '.join(ROLES)}): "
                                 "compfw always signs as you, git config user.email", param_hint="--as")
    raise typer.BadParameter(f"{value!r} is not a role; choose {' or '.join(ROLES)}", param_hint="--as")


def run_signoff(portfolio: Path, competencies: list[str], feedback: str, level: int | None,
                evidence: list[str], role: str | None, on, commit: bool,
                discussed=None, absence_reason: str | None = None) -> int:
    from compfw.files.interrupts import DeferredInterrupts, Interrupted

    def body() -> int:
        from compfw.trust.signoff import SignoffRequest, record_signoffs

        request = SignoffRequest(portfolio, tuple(competencies), feedback, level, tuple(evidence), role, on,
                                 discussed=discussed, absence_reason=absence_reason)
        with DeferredInterrupts() as interrupts:
            try:
                outcome = record_signoffs(request, commit, interrupts)
            except Interrupted as stop:
                sys.stderr.write(f"interrupted ({stop}): nothing was recorded\n")
                return stop.exit_code
            report(outcome)
            late = outcome.late_signal or interrupts.received
        if late:
            landed = f"the commit had landed: the sign-off is recorded as {outcome.commit[:12]}" if outcome.commit \
                else "the sign-off was written: it is whole"
            sys.stdout.write(f"Interrupted after {landed}.\n")
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
    if outcome.recovered is not None:
        out.insert(0, f"Note: {outcome.recovered.note}.")
    if outcome.commit:
        out.append(f"Committed as {outcome.commit[:12]}, authored and committed by you ({signer.email}).")
    else:
        out.append("Not committed: commit these files yourself (or run with --commit).")
    out.append(f"{outcome.trainee_name} is now at {outcome.percent_after:.1f}% achieved "
               f"(was {outcome.percent_before:.1f}%).")
    out.extend(outcome.notes)
    sys.stdout.write(shown_lines("\n".join(out)) + "\n")


def run_signing_setup(key: Path | None, create: bool, no_passphrase: bool, scope: str) -> int:
    def body() -> int:
        from compfw.model.loading import find_repo_root
        from compfw.model.policy import load_policy
        from compfw.files.problems import today
        from compfw.trust.signing_keys import apply_setup, create_key, plan_setup
        from compfw.files.yaml_parse import dump_yaml

        cwd = Path.cwd()
        plan = plan_setup(cwd, key, create, scope)
        if plan.key_file is not None:
            create_key(plan, passphrase_prompt=not no_passphrase)
        root = find_repo_root()
        policy = load_policy(root)
        done = apply_setup(plan, cwd, policy if policy.present else None, today())
        out = []
        if done.created:
            out.append(f"Created the SSH key {done.created} (and {done.created}.pub) with ssh-keygen.")
        out.append(f"Git now signs your commits with your SSH key ({scope} git config):")
        for name, value, old in done.settings:
            was = "" if old == value else f"   (was: {old if old is not None else 'not set'})"
            out.append(f"  {name} = {value}{was}")
        if done.already_allowed:
            out.append(f"This repository's trust policy already allows this key for {done.email}: you are ready to sign off.")
        else:
            where = ("This repository's trust policy does not list this key yet" if done.already_allowed is False
                     else "This repository has no trust policy (.compfw/policy.yaml) yet")
            out.append(f"{where}. Ask a programme admin to add your entry under signatures.allowed_signers in "
                       ".compfw/policy.yaml on the main branch (a pull request of its own); until then a sign-off "
                       "that needs your signature is refused:")
        out.append("")
        out.append(dump_yaml({"signatures": {"allowed_signers": [done.entry]}}).rstrip("\n"))
        sys.stdout.write(shown_lines("\n".join(out)) + "\n")
        return 0

    return guarded(body)


def run_audit(base: str | None, require_signed: bool, require_policy: bool, fmt: str) -> int:
    def body() -> int:
        from compfw.model.loading import find_repo_root
        from compfw.render.reporters import exit_code, render_assured
        from compfw.trust.audit import run_audit as audit_history

        result = audit_history(find_repo_root(), base, require_signed, require_policy)
        sys.stdout.write(render_assured(result.problems, fmt, result.checked, result.proved, result.not_proved))
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

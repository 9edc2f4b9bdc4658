"""Fitting the ecosystem: editor schemas, `init`, `evidence add`, `migrate`, `export case|csv`.

Thin typer layer like cli/app.py: options are parsed here, the work is done in model.schemas,
authoring.scaffold, authoring.evidence, authoring.migrate and render.case_export, imported inside the
commands so that `compfw --help` stays fast. Every refusal is `error:` + `hint:` on stderr, exit 1,
nothing written; a missing or malformed option is a usage error, exit 2.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from compfw.cli.options import GlobalOptionsGroup
from compfw.cli.output import guarded

SCHEMA_KINDS = ("framework", "portfolio", "evidence", "signoff", "request")

evidence_app = typer.Typer(help="Log evidence in a portfolio.", no_args_is_help=True, cls=GlobalOptionsGroup)
export_app = typer.Typer(help="Export a framework for other systems (CASE JSON, CSV).", no_args_is_help=True,
                         cls=GlobalOptionsGroup)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the app."""
    app.command("schema")(schema)
    app.command("init")(init)
    app.add_typer(evidence_app, name="evidence")
    app.command("migrate")(migrate)
    app.add_typer(export_app, name="export")


# --- helpers ----------------------------------------------------------------------------------


def interactive() -> bool:
    """Prompt only for a person at a terminal: stdin is a tty and CI is not set."""
    from compfw.files.problems import env_flag

    isatty = getattr(sys.stdin, "isatty", None)
    try:
        return bool(isatty and isatty()) and not env_flag("CI")
    except ValueError:  # a closed stdin
        return False


def _date(value: Optional[str], option: str) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD", param_hint=option) from None


def _prompt_date(label: str) -> dt.date:
    while True:
        text = typer.prompt(label)
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            typer.echo(f"{text!r} is not a date; write YYYY-MM-DD", err=True)


def usage_error(message: str, ctx: typer.Context) -> Exception:
    """A usage error (exit 2) of the click that typer runs on (typer >= 0.20 vendors its own)."""
    cls = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
    return cls(message, ctx)


def _out(text: str) -> None:
    """Data (a schema, an export) exactly as it is."""
    sys.stdout.write(text)


def _say(text: str) -> None:
    """Human output of these commands; ids, titles and paths in it may come from files."""
    from compfw.render.terminal import shown_lines

    sys.stdout.write(shown_lines(text))


# --- schema -----------------------------------------------------------------------------------


def schema(
    kind: Annotated[str, typer.Argument(metavar="KIND", help="framework | portfolio | evidence | signoff | request")],
) -> None:
    """Print the JSON Schema (draft-07) of a kind of file, for editors and check-jsonschema."""
    if kind not in SCHEMA_KINDS:
        raise typer.BadParameter(f"choose one of {', '.join(SCHEMA_KINDS)}", param_hint="KIND")
    from compfw.model.schemas import schema_text

    _out(schema_text(kind))


# --- init -------------------------------------------------------------------------------------


def init(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(metavar="PORTFOLIO_DIR", help="The new portfolio folder, e.g. portfolios/asha-patel.")],
    framework: Annotated[Optional[str], typer.Option("--framework", help="Framework id (see `compfw framework list`).")] = None,
    framework_version: Annotated[Optional[str], typer.Option("--framework-version", help="Framework version (default: the latest).")] = None,
    trainee_id: Annotated[Optional[str], typer.Option("--id", help="Trainee id (default: the folder name as a slug).")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Trainee's full name.")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="Trainee's email (as in their git user.email).")] = None,
    scheme_start: Annotated[Optional[str], typer.Option("--scheme-start", help="Scheme start, YYYY-MM-DD.")] = None,
    scheme_end: Annotated[Optional[str], typer.Option("--scheme-end", help="Scheme end, YYYY-MM-DD.")] = None,
    specialism: Annotated[Optional[str], typer.Option("--specialism", help="Specialism (default: the framework's).")] = None,
    target_level: Annotated[Optional[int], typer.Option("--target-level", help="Level/stage tracked at, for frameworks without per-competency targets.")] = None,
    pm_name: Annotated[Optional[str], typer.Option("--programme-manager-name", help="Programme manager's name.")] = None,
    pm_email: Annotated[Optional[str], typer.Option("--programme-manager-email", help="Programme manager's email.")] = None,
    placement: Annotated[Optional[str], typer.Option("--placement", help="First placement's name (more: edit portfolio.yaml).")] = None,
    placement_org: Annotated[Optional[str], typer.Option("--placement-organisation", help="First placement's organisation.")] = None,
    placement_start: Annotated[Optional[str], typer.Option("--placement-start", help="First placement's start, YYYY-MM-DD.")] = None,
    placement_end: Annotated[Optional[str], typer.Option("--placement-end", help="First placement's end, YYYY-MM-DD.")] = None,
    pl_name: Annotated[Optional[str], typer.Option("--placement-manager-name", help="First placement's manager's name.")] = None,
    pl_email: Annotated[Optional[str], typer.Option("--placement-manager-email", help="First placement's manager's email.")] = None,
) -> None:
    """Scaffold a new portfolio that passes `compfw validate`; asks for what is missing at a terminal."""
    values = {
        "--framework": framework, "--name": name, "--email": email,
        "--scheme-start": _date(scheme_start, "--scheme-start"), "--scheme-end": _date(scheme_end, "--scheme-end"),
        "--programme-manager-name": pm_name, "--programme-manager-email": pm_email,
    }
    placement_values = {
        "--placement-start": _date(placement_start, "--placement-start"),
        "--placement-end": _date(placement_end, "--placement-end"),
        "--placement-manager-name": pl_name, "--placement-manager-email": pl_email,
    }
    labels = {
        "--framework": "Framework id", "--name": "Your full name", "--email": "Your email",
        "--scheme-start": "Scheme start (YYYY-MM-DD)", "--scheme-end": "Scheme end (YYYY-MM-DD)",
        "--programme-manager-name": "Programme manager's name",
        "--programme-manager-email": "Programme manager's email",
        "--placement-start": "Placement start (YYYY-MM-DD)", "--placement-end": "Placement end (YYYY-MM-DD)",
        "--placement-manager-name": "Placement manager's name",
        "--placement-manager-email": "Placement manager's email",
    }
    given_placement_detail = any(v is not None for v in placement_values.values()) or placement_org is not None
    if interactive():
        if framework is None:
            typer.echo(f"Known frameworks: {', '.join(_known_frameworks(folder))}")
        for option, value in values.items():
            if value is None:
                values[option] = _prompt_date(labels[option]) if "scheme" in option else typer.prompt(labels[option])
        if placement is None and given_placement_detail:
            placement = typer.prompt("First placement's name")
        elif placement is None:
            placement = typer.prompt("First placement's name (empty for none)", default="", show_default=False) or None
        if placement is not None:
            for option, value in placement_values.items():
                if value is None:
                    placement_values[option] = (_prompt_date(labels[option]) if option.endswith(("start", "end"))
                                                else typer.prompt(labels[option]))
    else:
        missing = [option for option, value in values.items() if value is None]
        if placement is not None or given_placement_detail:
            if placement is None:
                missing.append("--placement")
            missing += [option for option, value in placement_values.items() if value is None]
        if missing:
            raise usage_error(f"missing option(s): {', '.join(missing)} "
                              "(pass them; compfw init asks for them only at a terminal)", ctx)

    def body() -> int:
        from compfw.authoring.scaffold import InitRequest, PlacementSpec, prepare_init, slug, write_init
        from compfw.files.problems import today

        tid = trainee_id if trainee_id is not None else slug(folder.resolve().name)
        spec = None
        if placement is not None:
            spec = PlacementSpec(placement, placement_values["--placement-start"], placement_values["--placement-end"],
                                 placement_values["--placement-manager-name"],
                                 placement_values["--placement-manager-email"], placement_org or "")
        request = InitRequest(folder, values["--framework"], framework_version, tid, values["--name"],
                              values["--email"], values["--scheme-start"], values["--scheme-end"],
                              values["--programme-manager-name"], values["--programme-manager-email"],
                              specialism, target_level, spec)
        root = _root_for(folder)
        files = prepare_init(request, root, today())
        written = write_init(files)
        _report_written(written, folder, root)
        return 0

    raise typer.Exit(guarded(body))


def _existing_ancestor(folder: Path) -> Path:
    here = folder.absolute()
    while not here.exists():
        here = here.parent
    return here


def _root_for(folder: Path) -> Path:
    from compfw.model.loading import find_repo_root

    return find_repo_root(_existing_ancestor(folder).resolve())


def _known_frameworks(folder: Path) -> list[str]:
    from compfw.model.loading import FrameworkStore

    return sorted({lf.framework.id for lf in FrameworkStore.for_repo(_root_for(folder)).all()})


def _report_written(written: list[Path], folder: Path, root: Path) -> None:
    from compfw.files.problems import display_path

    for path in written:
        _say(f"wrote {display_path(path)}\n")
    shown = display_path(folder)
    _say(f"next: `compfw validate {shown}`, `compfw status {shown}`, then "
         f"`compfw evidence add {shown} --competency ID --title ... --narrative ...`; commit the folder\n")


# --- evidence add -----------------------------------------------------------------------------


@evidence_app.command("add")
def evidence_add(
    ctx: typer.Context,
    portfolio: Annotated[Path, typer.Argument(metavar="PORTFOLIO", help="The portfolio folder.")],
    competency: Annotated[Optional[list[str]], typer.Option("--competency", "-c", help="Competency id (repeat for several).")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="A short title.")] = None,
    narrative: Annotated[Optional[str], typer.Option("--narrative", help="What you did and learnt.")] = None,
    file: Annotated[Optional[str], typer.Option("--file", help="Read the narrative from this file (- for stdin).")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="When the work was done, YYYY-MM-DD (default today).")] = None,
    document: Annotated[Optional[list[str]], typer.Option("--document", help="A supporting document's path or link, recorded as given (repeatable).")] = None,
    evidence_id: Annotated[Optional[str], typer.Option("--id", help="Evidence id (default ev-<date>-<title slug>).")] = None,
) -> None:
    """Write one new evidence file in PORTFOLIO/evidence/, after checking every competency id."""
    missing = [opt for opt, value in (("--competency", competency), ("--title", title)) if not value]
    if narrative is None and file is None:
        missing.append("--narrative or --file")
    if missing:
        raise usage_error(f"missing option(s): {', '.join(missing)}", ctx)
    if narrative is not None and file is not None:
        raise usage_error("give --narrative or --file, not both", ctx)
    when = _date(date, "--date")

    def body() -> int:
        from compfw.authoring.evidence import prepare_evidence, read_narrative, write_evidence
        from compfw.files.problems import display_path, today

        text = narrative if narrative is not None else read_narrative(file)
        day = today()
        new = prepare_evidence(portfolio, competency or [], title or "", text, when or day, document or [],
                               evidence_id, day)
        path = write_evidence(new)
        _say(f"wrote {display_path(path)} (id {new.id}; competencies {', '.join(new.competencies)})\n")
        return 0

    raise typer.Exit(guarded(body))


# --- migrate ----------------------------------------------------------------------------------


LEFTOVER = "written by an earlier `compfw migrate` that stopped before the re-pin, and left as it is"


def migrate(
    portfolio: Annotated[Path, typer.Argument(metavar="PORTFOLIO", help="The portfolio folder.")],
    to: Annotated[str, typer.Option("--to", help="The framework version to re-pin to.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
) -> None:
    """Re-pin a portfolio to a new framework version, carrying sign-offs and evidence across renames."""

    def body() -> int:
        from compfw.authoring.migrate import prepare_migration, write_migration
        from compfw.files.problems import display_path, today

        result = prepare_migration(portfolio, to, today())
        plan = result.plan
        chain = " -> ".join(lf.framework.version for lf in plan.chain)
        lines = [f"{'Would migrate' if dry_run else 'Migrating'} {display_path(portfolio)} from "
                 f"{plan.framework_id} {plan.from_version} to {plan.to_version} (versions {chain})"]
        renames = ", ".join(f"{old} -> {new}" for old, new in plan.renames.items()) or "none"
        lines.append(f"Renamed competencies: {renames}")
        lines.append(f"No longer in {plan.to_version}: {', '.join(plan.dropped) or 'none'}")
        if result.records:
            lines.append("Records carried across (files unchanged; read through the migration record):")
            for rel, ids in result.records.items():
                moves = ", ".join(f"{old} -> {new if new is not None else '(no longer exists; not counted)'}"
                                  for old, new in ids.items())
                lines.append(f"  {rel}: {moves}")
        else:
            lines.append("Records carried across: none needed a change")
        for placement, old, new in result.plan_renames:
            lines.append(f"Plan ({placement}): {old} -> {new}")
        lines.append(f"Achieved: {result.percent_before:.1f}% on {plan.from_version}, "
                     f"{result.percent_after:.1f}% on {plan.to_version}")
        record = display_path(result.migration_path)
        finishing = result.migration_text is None
        if dry_run:
            lines.append(f"would keep {record}: {LEFTOVER}" if finishing else f"would write {record}")
            lines.append(f"would re-pin {display_path(result.portfolio_path)}")
            _say("\n".join(lines) + "\n")
            return 0
        write_migration(result)
        lines.append(f"kept {record}: {LEFTOVER}" if finishing else f"wrote {record}")
        lines.append(f"re-pinned {display_path(result.portfolio_path)}: framework.version "
                     f"{plan.from_version} -> {plan.to_version}")
        lines.append("next: review with `git diff`, run `compfw validate`, and commit both files"
                     + (" (the record may be committed already)" if finishing else ""))
        _say("\n".join(lines) + "\n")
        return 0

    raise typer.Exit(guarded(body))


# --- export -----------------------------------------------------------------------------------


def _framework(framework_id: str, version: Optional[str]):
    from compfw.checks.rules import check_framework
    from compfw.files.problems import UserError
    from compfw.model.loading import resolve
    from compfw.model.loading import FrameworkStore, find_repo_root

    lf = resolve(FrameworkStore.for_repo(find_repo_root()), framework_id, version)
    errors = [p for p in check_framework(lf) if p.severity == "error"]
    if errors:
        raise UserError(f"framework {framework_id} {lf.framework.version} has errors; nothing was exported",
                        "fix them first (`compfw validate` lists them)", errors)
    return lf


def _emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        _out(text)
        return
    from compfw.files.problems import UserError, display_path
    from compfw.files.writing import AlreadyExists, write_new

    try:
        write_new(output, text)
    except AlreadyExists:
        raise UserError(f"{display_path(output)} already exists",
                        "compfw never overwrites a file; remove it first, or print to stdout and redirect") from None
    sys.stderr.write(f"wrote {display_path(output)}\n")


@export_app.command("case")
def export_case(
    framework_id: Annotated[str, typer.Argument(metavar="ID", help="Framework id.")],
    version: Annotated[Optional[str], typer.Option("--version", help="Version (default: the latest known).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this new file instead of stdout.")] = None,
    base_uri: Annotated[str, typer.Option("--base-uri", help="Prefix of every `uri` (the identifier follows).")] = "urn:uuid:",
) -> None:
    """A framework as a 1EdTech CASE v1.1 CFPackage (JSON) with stable identifiers."""

    def body() -> int:
        from compfw.render.case_export import case_package

        package = case_package(_framework(framework_id, version), base_uri)
        _emit(json.dumps(package, indent=2, ensure_ascii=False) + "\n", output)
        return 0

    raise typer.Exit(guarded(body))


@export_app.command("csv")
def export_csv(
    framework_id: Annotated[str, typer.Argument(metavar="ID", help="Framework id.")],
    version: Annotated[Optional[str], typer.Option("--version", help="Version (default: the latest known).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this new file instead of stdout.")] = None,
) -> None:
    """A framework's competencies as CSV, one row each, for spreadsheets."""

    def body() -> int:
        from compfw.render.case_export import csv_text

        _emit(csv_text(_framework(framework_id, version)), output)
        return 0

    raise typer.Exit(guarded(body))

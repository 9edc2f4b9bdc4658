"""Report templates: where they are looked up, and rendering one in Jinja2's sandbox.

Templates render in a Jinja2 ``SandboxedEnvironment`` with ``StrictUndefined`` and autoescape
off (the output is Markdown); text from portfolios is escaped by the ``md_cell`` and
``mermaid_label`` filters. Any template error becomes a ``UserError`` naming the template file,
the line and what went wrong. This module imports jinja2 only when a template is rendered.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compfw.files.problems import UserError, display_path
from compfw.model.loading import shipped_dir
from compfw.render.bars import bar
from compfw.render.markdown_escape import md_cell, mermaid_label

TEMPLATE_SUFFIX = ".md.j2"
DEFAULT_TEMPLATES = {"trainee": "trainee", "cohort": "cohort"}
TEMPLATE_HINT = ("the variables are listed in docs/templates.md; "
                 "`compfw report --context-json` prints the data this template receives")


@dataclass(frozen=True)
class TemplateChoice:
    path: Path
    search: tuple[Path, ...]   # the loader's folders, for {% include %} / {% extends %} / {% import %}
    name: str                  # what to call it in the data (`report.template`)


def template_folders(root: Path) -> list[Path]:
    """The repo's own templates/ first (it overrides), then the shipped ones."""
    out: list[Path] = []
    for folder in (root / "templates", shipped_dir("templates")):
        if folder.is_dir() and all(folder.resolve() != seen.resolve() for seen in out):
            out.append(folder)
    return out


def available_templates(root: Path) -> list[str]:
    names = set()
    for folder in template_folders(root):
        for path in folder.glob("*" + TEMPLATE_SUFFIX):
            if not path.name.startswith(("_", ".")):
                names.add(path.name[: -len(TEMPLATE_SUFFIX)])
    return sorted(names)


def is_template_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith(".j2")


def choose_template(value: str | None, kind: str, root: Path) -> TemplateChoice:
    """--template NAME (the repo's templates/, then the shipped ones) or --template PATH."""
    value = value or DEFAULT_TEMPLATES[kind]
    folders = template_folders(root)
    if is_template_path(value):
        path = Path(value)
        if not path.is_file():
            raise UserError(f"template file {value} {'is not a file' if path.exists() else 'not found'}",
                            f"give a path to a .j2 file, or a name: {', '.join(available_templates(root))}")
        return TemplateChoice(path.resolve(), (path.resolve().parent, *folders), value)
    for folder in folders:
        path = folder / (value + TEMPLATE_SUFFIX)
        if path.is_file():
            return TemplateChoice(path.resolve(), tuple(folders), value)
    names = available_templates(root)
    raise UserError(f"no template named {value!r}",
                    f"available: {', '.join(names) or 'none'} (or give a path to a .j2 file)")


def render(choice: TemplateChoice, context: dict) -> str:
    """Render a template in the sandbox; every template error becomes a located UserError."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    loaded: set[str] = set()

    class Loader(jinja2.FileSystemLoader):
        def get_source(self, environment, template):
            source, filename, uptodate = super().get_source(environment, template)
            loaded.add(filename)
            return source, filename, uptodate

    class Undefined(jinja2.StrictUndefined):
        @property
        def _undefined_message(self) -> str:
            obj, name = self._undefined_obj, self._undefined_name
            if self._undefined_hint or obj is jinja2.utils.missing:
                return super()._undefined_message
            if isinstance(obj, dict) and isinstance(name, str):
                keys = ", ".join(sorted(str(k) for k in obj)) or "nothing"
                return f"{name!r} is undefined (the object has: {keys})"
            if isinstance(obj, (list, tuple)) and isinstance(name, int):
                return f"item {name} is undefined (the list has {len(obj)} items)"
            return super()._undefined_message

    env = SandboxedEnvironment(
        loader=Loader([str(p) for p in choice.search]),
        undefined=Undefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(md_cell=md_cell, mermaid_label=mermaid_label, bar=bar, pct=pct, dash=dash, points=points)

    def where(filename: str | None, line: int | None) -> str:
        shown = display_path(filename) if filename else display_path(choice.path)
        return f"{shown}:{line}" if line else shown

    template_name = choice.path.name
    try:
        template = env.get_template(template_name)
        text = template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise UserError(f"{where(exc.filename, exc.lineno)}: template syntax error: {exc.message}",
                        "see https://jinja.palletsprojects.com/templates/") from None
    except jinja2.TemplateNotFound as exc:
        filename, line = _template_frame(exc, loaded)
        raise UserError(f"{where(filename, line)}: template {exc.name!r} not found",
                        f"templates are looked up in {', '.join(display_path(p) for p in choice.search)}") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{display_path(choice.path)}: a template must be UTF-8 text ({exc.reason})") from None
    except jinja2.exceptions.SecurityError as exc:
        filename, line = _template_frame(exc, loaded)
        raise UserError(f"{where(filename, line)}: not allowed in a template: {exc}",
                        "templates render in a sandbox: use the data, not Python internals") from None
    except jinja2.UndefinedError as exc:
        filename, line = _template_frame(exc, loaded)
        raise UserError(f"{where(filename, line)}: {exc}", TEMPLATE_HINT) from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        filename, line = _template_frame(exc, loaded)
        raise UserError(f"{where(filename, line)}: template error: {type(exc).__name__}: {exc}",
                        TEMPLATE_HINT) from None
    return text.rstrip("\n") + "\n"


def _template_frame(exc: BaseException, loaded: set[str]) -> tuple[str | None, int | None]:
    """The innermost template file and line in the (Jinja-rewritten) traceback of exc."""
    found: tuple[str | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename in loaded:
            found = (frame.f_code.co_filename, line)
    return found


def pct(value: Any, digits: int = 1) -> str:
    """A percentage as text ("42.5%"); None as a dash."""
    if value is None:
        return "—"
    return f"{float(value):.{digits}f}%"


def dash(value: Any) -> Any:
    """None or an empty string as a dash; anything else as it is."""
    return "—" if value is None or value == "" else value


def points(value: Any, digits: int = 1) -> str:
    """A signed difference in percentage points ("+2.0", "-3.9"); None as a dash."""
    if value is None:
        return "—"
    return f"{float(value):+.{digits}f}"

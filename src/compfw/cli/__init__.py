"""The command line: parse arguments, call the core, pick a reporter, exit (see cli.app)."""


def main() -> None:
    """The `compfw` entry point (pyproject's `compfw.cli:main`).

    The plain spellings of `compfw status` run without building the typer app (cli.quick); every
    other command line goes to the app in cli.app.
    """
    import sys

    from compfw.cli.output import last_line_of_defence
    from compfw.cli.quick import run

    options = sys.argv[1:]
    last_line_of_defence(lambda: _quick_or_app(run, options))


def _quick_or_app(quick, options: list) -> None:
    import sys

    code = quick(options)
    if code is not None:
        sys.exit(code)
    from compfw.cli.app import app

    app()

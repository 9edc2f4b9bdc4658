"""The command line: parse arguments, call the core, pick a reporter, exit (see cli.app)."""


def main() -> None:
    """The `compfw` entry point (pyproject's `compfw.cli:main`).

    The plain spellings of `compfw status` run without building the typer app (cli.quick); every
    other command line goes to the app in cli.app.
    """
    import gc
    import sys

    # Starting up (imports, the models' classes, then parsing) allocates many objects and makes
    # few cycles; the cyclic collector's passes over them cost a few percent of a `status`. A
    # status, bounded by the input limits (README, "Limits on input"), runs without them; every
    # other command collects, less often, once it has started (cli.quick.start_collecting).
    gc.disable()
    try:
        from compfw.cli.output import last_line_of_defence
        from compfw.cli.quick import run

        options = sys.argv[1:]
        last_line_of_defence(lambda: _quick_or_app(run, options))
    finally:
        gc.enable()


def _quick_or_app(quick, options: list) -> None:
    import sys

    from compfw.cli.quick import start_collecting

    code = quick(options)
    if code is not None:
        sys.exit(code)
    from compfw.cli.app import app

    start_collecting()
    app()

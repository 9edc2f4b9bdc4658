"""The command line: parse arguments, call the core, pick a reporter, exit (see cli.app)."""


def main() -> None:
    """The `compfw` entry point (pyproject's `compfw.cli:main`); the app itself is in cli.app."""
    from compfw.cli.app import main as run

    run()

"""`python -m compfw.cli`: the same entry point as the `compfw` script."""

from compfw.cli.app import main

main()

"""`python -m compfw.cli`: the same entry point as the `compfw` script."""

from compfw.cli import main

main()

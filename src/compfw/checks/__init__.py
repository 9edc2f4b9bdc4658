"""The checks: rules over a loaded portfolio or framework, validation of a tree, opening a checked portfolio."""

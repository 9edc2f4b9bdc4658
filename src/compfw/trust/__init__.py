"""Git and trust: the audit of history, sign-off commits, CODEOWNERS, changed files."""

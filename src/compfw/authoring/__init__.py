"""Authoring: new files a person then owns (compfw init, evidence add, migrate)."""

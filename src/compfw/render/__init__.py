"""Rendering and export: problem reporters, report data and templates, Markdown escaping, CASE export."""

"""The data model: pydantic models of the YAML files, their JSON schemas, and loading them from disk."""

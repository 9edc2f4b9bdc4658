"""Files and the outside world: the Problem value, YAML, safe reading, the one writer, git, the terminal bar."""

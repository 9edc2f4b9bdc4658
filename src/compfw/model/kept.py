"""A framework store whose slow answers are kept in the result cache, by the content they came from.

`status` after an edit, or on another trainee of the same framework, would otherwise parse and
validate the whole framework file again (about 13 ms for the informatics framework, more than
the rest of the work on one portfolio) and build the trust policy's models (about 8 ms) only to
learn which framework overrides the policy sanctions. Both answers depend on one file each: the
cache keys them by that file's content (files.inputs records the read), so an edit to the
framework or the policy is seen, exactly as for every other result.

A framework comes back from the cache as the JSON of its validated model, validated again by
pydantic's JSON parser (about 1 ms): a cached answer is never trusted past the model's checks.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from compfw.files.inputs import file_kind
from compfw.files.layout import POLICY_FILE, framework_folders
from compfw.files.problems import Problem
from compfw.files.reading import MAX_FILE_BYTES
from compfw.files.result_cache import ResultCache
from compfw.model.loading import FrameworkStore, LoadedFramework, load_framework_file, sanctioned_overrides
from compfw.model.models import Framework


def kept_store(root: Path, cache: ResultCache) -> FrameworkStore:
    """FrameworkStore.for_repo(root), its frameworks and sanctioned overrides kept in cache."""
    if cache.folder is None:
        return FrameworkStore.for_repo(root)
    return FrameworkStore(framework_folders(root), lambda: kept_sanctioned(root, cache),
                          lambda path: kept_framework(path, cache))


def kept_framework(path: Path, cache: ResultCache) -> tuple[LoadedFramework | None, list[Problem]]:
    """load_framework_file(path), its framework from the cache when the file is unchanged."""
    fresh: list[tuple[LoadedFramework | None, list[Problem]]] = []

    def compute() -> str | None:
        loaded, problems = load_framework_file(path)
        fresh.append((loaded, problems))
        return None if loaded is None else loaded.framework.model_dump_json()

    framework = cache.remember("framework", [os.getcwd(), os.fspath(path), os.path.realpath(path)], compute,
                               encode=lambda text: {"framework": text}, decode=_framework)
    if fresh:
        return fresh[0]
    if framework is None:  # a file that gives no framework: read again for its problems (rare)
        return load_framework_file(path)
    return LoadedFramework(framework, path=path), []


def _framework(data: Any) -> Framework | None:
    if not isinstance(data, dict) or set(data) != {"framework"}:
        raise ValueError("not a framework")
    if data["framework"] is None:
        return None
    if not isinstance(data["framework"], str):
        raise ValueError("not a framework")
    return Framework.model_validate_json(data["framework"])  # a ValidationError is a ValueError: computed afresh


def kept_sanctioned(root: Path, cache: ResultCache) -> set[tuple[str, str]]:
    """sanctioned_overrides(root), from the cache while the policy file is unchanged (or still absent)."""
    return cache.remember("sanctioned", [os.fspath(root), os.path.realpath(root)], lambda: sanctioned_overrides(root),
                          watch=((file_kind(MAX_FILE_BYTES), os.fspath(root / POLICY_FILE)),),
                          encode=sorted, decode=_sanctioned)


def _sanctioned(data: Any) -> set[tuple[str, str]]:
    if not isinstance(data, list) or not all(isinstance(pair, list) and len(pair) == 2
                                             and all(isinstance(part, str) for part in pair) for pair in data):
        raise ValueError("not a list of frameworks")
    return {(framework_id, version) for framework_id, version in data}

"""`compfw validate`: every problem in every file, in the chosen format."""

from __future__ import annotations

import sys
from pathlib import Path

from compfw.cli.output import guarded
from compfw.files.problems import display_path


def run_validate(paths: list[Path], fmt: str, strict: bool, changed_since: str | None, jobs: int,
                 shard: tuple[int, int] = (1, 1), cache: bool = True) -> int:
    def body() -> int:
        from compfw.checks.validate import run_validation
        from compfw.files.result_cache import default_folder
        from compfw.model.loading import find_repo_root
        from compfw.model.policy import POLICY_FILE
        from compfw.render.reporters import exit_code, render_problems

        root = find_repo_root()
        chosen = paths or [p for p in (root / "frameworks", root / "portfolios") if p.exists()]
        compare_with = None
        if changed_since:
            from compfw.trust.changes import changed_targets
            from compfw.model.loading import portfolio_folders

            chosen = changed_targets(root, changed_since, chosen)
            # A changed portfolio may duplicate an unchanged one: compare with them all.
            compare_with = portfolio_folders(root / "portfolios")
        policy = root / POLICY_FILE
        if not paths and (policy.exists() or policy.is_symlink()):
            chosen = [policy, *chosen]  # the trust policy is small and always checked
        problems = list(run_validation(chosen, root, strict=strict, jobs=jobs, compare_with=compare_with,
                                       shard=shard, cache_folder=default_folder() if cache else None))
        checked = ", ".join(display_path(p) for p in chosen) or "nothing"
        if shard[1] > 1:
            checked += f" (shard {shard[0]} of {shard[1]})"
        sys.stdout.write(render_problems(problems, fmt, checked))
        return exit_code(problems, warnings_fail=strict)

    return guarded(body)

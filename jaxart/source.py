"""Which jaxart made a result: the git commit of the checkout it ran from, kept in run records and bench's JSON.

`jaxart.__version__` is the same for every commit between releases, so two sweeps or two benches of a
checkout (`pip install -e .`, `python cli.py`) could not otherwise be told apart by the code that made them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def source(package: Path = _PACKAGE) -> dict | None:
    """The commit `package` (a folder at the top of a git work tree) was run from:
    {"commit": its 40 hex digits, "modified": whether a tracked file differs from that commit}.

    None where it is no such folder (an installed wheel), git is missing or fails: a record then
    has no "source", as before. A package inside another project's work tree (vendored, not at its
    top) is None too, since that commit names the other project.
    """
    top = _git(package, "rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != package.resolve().parent:
        return None
    commit = _git(package, "rev-parse", "--verify", "HEAD")  # None in a repository with no commit yet
    changed = _git(package, "status", "--porcelain", "--untracked-files=no")
    if commit is None or changed is None:
        return None
    return {"commit": commit, "modified": bool(changed)}


def describe(src: dict | None) -> str:
    """A record's "source" as a few words: "commit 582e74f", "commit 582e74f (modified)", or "no commit"."""
    if not src:
        return "no commit"
    return f"commit {src['commit'][:7]}" + (" (modified)" if src.get("modified") else "")


def _git(folder: Path, *args: str) -> str | None:
    """`git -C folder ARGS`'s output, stripped, or None where it cannot say."""
    # GIT_DIR and the like, set for another repository, would answer for that one instead.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10,
                              env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None

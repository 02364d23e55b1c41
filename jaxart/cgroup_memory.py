"""The memory a container lets this process use: a Docker `--memory 4g` or a Kubernetes pod's limit is a cgroup's,
which /proc/meminfo's MemAvailable does not show (it is the whole machine's). A run checked against the machine's
memory alone passed the check and was killed by the kernel part-way, without a word.

cgroup v2 keeps the limit in `memory.max` and the use in `memory.current`; v1 in `memory.limit_in_bytes` and
`memory.usage_in_bytes`. The use counts the page cache, which the kernel gives back before it kills anything, so
its inactive part (`inactive_file` in `memory.stat`, v1's `total_inactive_file`) is free, as `docker stats` counts it.

A limit binds every cgroup below the one that sets it, so each folder from the process's own up to the root is read:
Slurm sets `--mem` on the job's cgroup and runs the process in a task cgroup below it, and a systemd slice's
MemoryMax binds the session scopes inside it; a run checked against its own cgroup alone was killed by the kernel.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
MEMBERSHIP = Path("/proc/self/cgroup")
# v1's "no limit" is the largest page-aligned 64-bit value; anything as large is none.
_NONE = 2**60
_FILES = {"v2": ("memory.max", "memory.current", "inactive_file"),
          "v1": ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")}


def free_bytes() -> int | None:
    """The least memory free under any cgroup limit on this process (its own cgroup's, each one above it, and the
    container's root), or None where none applies or none can be read."""
    free = [f for folder, kind in _folders() if (f := _free(folder, kind)) is not None]
    return min(free) if free else None


def _folders() -> list[tuple[Path, str]]:
    """The cgroup folders that may hold this process's memory limit, each with its version: its own and every
    one above it to the root (a folder not there, as in a container that sees only its own, is passed over)."""
    found = []
    try:
        lines = MEMBERSHIP.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers == "" and line.startswith("0::"):
            base, kind = ROOT, "v2"
        elif "memory" in controllers.split(","):
            base, kind = ROOT / "memory", "v1"
        else:
            continue
        parts = [p for p in path.split("/") if p]
        found += [(base.joinpath(*parts[:n]), kind) for n in range(len(parts), -1, -1)]
    return list(dict.fromkeys(found))


def _free(folder: Path, kind: str) -> int | None:
    """`folder`'s limit less its use, the inactive page cache not counted as used; None without a limit."""
    limit_file, usage_file, inactive = _FILES[kind]
    try:
        limit_text = (folder / limit_file).read_text().strip()
        if limit_text == "max" or int(limit_text) >= _NONE:
            return None
        usage = int((folder / usage_file).read_text().strip())
    except (OSError, ValueError):
        return None
    cache = 0
    try:
        for line in (folder / "memory.stat").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == inactive:
                cache = int(value)
    except (OSError, ValueError):
        pass
    return max(int(limit_text) - max(usage - cache, 0), 0)

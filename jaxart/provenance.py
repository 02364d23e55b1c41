"""What made a result, beside its settings: the git commit of the jaxart checkout it ran from, and the
jax, jaxlib and CPU that computed it. Run records and bench's JSON keep them, so results compare.

`jaxart.__version__` is the same for every commit between releases, so two sweeps or two benches of a
checkout (`pip install -e .`, `python cli.py`) could not otherwise be told apart by the code that made
them; and another jax, or XLA compiling for another CPU, rounds otherwise, which L-BFGS carries into
visible pixels (README, "Where it runs").
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import subprocess
import sys
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


def made_by() -> dict:
    """What computed a result, as a record keeps it: its "machine" (`machine`) and, run from a git checkout, its
    "source" (`source`)."""
    return {"machine": machine(), **({"source": src} if (src := source()) else {})}


def machine() -> dict:
    """What computed a result: {"backend": "cpu", "cpu": "AMD EPYC", "jax": ..., "jaxlib": ..., "python": ...},
    named as `jaxart bench --json`'s "machine" names them, and on an accelerator its kind ("device":
    "NVIDIA H100 80GB HBM3"), which the host's CPU does not tell. Without importing JAX where it could use only the
    CPU and the installed jax and jaxlib are the ones Python would import (`info --command` asks this of a record)."""
    from jaxart import devices

    if "jax" not in sys.modules and devices.cpu_only() and (versions := installed_versions()) is not None:
        return {"backend": "cpu", "cpu": cpu_model(), **versions, "python": platform.python_version()}
    import jax
    import jaxlib

    device = jax.devices()[0]
    return {"backend": jax.default_backend(), "cpu": cpu_model(), "jax": jax.__version__,
            "jaxlib": jaxlib.__version__, "python": platform.python_version(),
            **({"device": device.device_kind} if device.platform != "cpu" else {})}


def installed_versions() -> dict[str, str] | None:
    """{"jax": ..., "jaxlib": ...} from their installed distributions' metadata, nothing imported: a wheel's
    version is its `__version__` (its build writes both). None where a distribution's files are not the package
    Python would import (a source checkout on the path, an editable install), whose version only importing tells."""
    found = {}
    for name in ("jax", "jaxlib"):
        try:
            spec, dist = importlib.util.find_spec(name), importlib.metadata.distribution(name)
        except (ImportError, ValueError):  # PackageNotFoundError is an ImportError
            return None
        if spec is None or spec.origin is None or (
                Path(dist.locate_file(f"{name}/__init__.py")).resolve() != Path(spec.origin).resolve()):
            return None
        found[name] = dist.version
    return found


def cpu_model() -> str:
    """The CPU's model name (Linux's /proc/cpuinfo), else what `platform` knows."""
    try:
        with open("/proc/cpuinfo") as f:
            found = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        found = ""
    return found or platform.processor() or platform.machine()


def cores() -> int:
    """The CPU cores this process may run on (its affinity: `taskset`, a container's cpuset), else the machine's."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def differences(made: dict, here: dict) -> tuple[str, str] | None:
    """What of a record's "source" and "machine" (`made`) differs from `here` (this process's, as
    {"source": source(), "machine": machine()}), in words for each side: ("commit 582e74f (modified),
    jax 0.10.2", "commit 4dfddd6, jax 0.11.2"); None where nothing known on both sides differs."""
    sides: tuple[list[str], list[str]] = ([], [])
    m, h = made.get("source"), here.get("source")
    if isinstance(m, dict) and isinstance(m.get("commit"), str) and h and m["commit"] != h["commit"]:
        for words, s in zip(sides, (m, h)):
            words.append(f"commit {s['commit'][:7]}" + " (modified)" * bool(s.get("modified")))
    m, h = made.get("machine"), here.get("machine")
    if isinstance(m, dict) and h:
        keys = ("jax" if m.get("jax") != h["jax"] else "jaxlib", "backend", "device", "cpu")  # jaxlib goes with jax
        for key in keys:
            if isinstance(m.get(key), str) and key in h and m[key] != h[key]:
                for words, s in zip(sides, (m, h)):
                    words.append(f"{key} {s[key]}" if key.startswith("jax") else s[key])
    return (", ".join(sides[0]), ", ".join(sides[1])) if sides[0] else None


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

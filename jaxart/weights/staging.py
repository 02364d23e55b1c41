"""How a weight set's file is written: its bytes go into one hidden temporary beside it,
`.NAME.safetensors.<random>.tmp`, locked (`locks.take`) by its writer, which renames it into place.

A writer killed meanwhile (SIGKILL, a power loss: no handler runs) leaves its temporary behind, and
the kernel lets go of its lock; so a temporary nobody holds is an orphan, which the next write of that
file, `weights remove` or `weights list` removes. One a live writer holds is never touched.

A temporary exists, empty, for a moment before its writer locks it: writers create and lock theirs under
a shared lock on the folder (`locks.on_folder`), which a sweep holds exclusively, so no sweep sees one then.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from jaxart import locks
from jaxart.files import place_if_free

# Also the names that tempfile.mkstemp gave before jaxart locked its temporaries (8 letters, digits or "_").
_TEMPORARY = re.compile(r"\.(.+)\.([^.]+)\.tmp")


def temporaries(folder: Path, target: str | None = None) -> list[Path]:
    """The temporaries in `folder` of writes to the file named `target` (of any `.safetensors` if None),
    whether their writer is alive or not."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:  # no folder yet, or none readable: nothing was written there
        return []
    found = (_TEMPORARY.fullmatch(n) for n in names)
    return [Path(folder) / m[0] for m in found
            if m and (m[1] == target if target else m[1].endswith(".safetensors"))]


def sweep(folder: Path, target: str | None = None) -> list[tuple[Path, int]]:
    """Remove the orphaned `temporaries(folder, target)`; each one removed, with its size in bytes."""
    removed = []
    with locks.on_folder(folder, shared=False):  # no writer is between creating its temporary and locking it
        for tmp in temporaries(folder, target):
            with contextlib.suppress(OSError):  # BlockingIOError: a live writer holds it; or it is gone already
                size = tmp.stat().st_size
                # Not `create`: a writer that renamed it into place meanwhile was no interrupted one, and
                # locking would make an empty file of that name, only to remove it and say so.
                with locks.hold(tmp, wait=False, create=False):  # letting go removes the file it held, if it can
                    pass
                if not tmp.exists():  # a read-only folder keeps it
                    removed.append((tmp, size))
    return removed


def place(parts: Iterable[bytes | memoryview], path: Path, *, replace: bool = True) -> bool:
    """Write `parts`, one after another, to `path` through a temporary held locked beside it, removed
    whatever happens; the orphans an earlier, killed write of `path` left are removed first.

    Returns:
      Whether `path` now holds them: False where not `replace` and a file was there (it is kept).

    Raises:
      OSError: writing or renaming failed (a full disk, a folder in the way).
    """
    path = Path(path)
    sweep(path.parent, path.name)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with contextlib.ExitStack() as held:
        with locks.on_folder(path.parent, shared=True):  # see the module's docstring
            # not enter_context(hold(...)): a signal as it is taken is answered once `held` has it
            locks.take(held, tmp)
        with open(tmp, "wb") as f:
            f.writelines(parts)
            f.flush()
            os.fsync(f.fileno())  # the bytes on disk before the name leads to them
        if replace:
            os.replace(tmp, path)
            return True
        return place_if_free(tmp, path)

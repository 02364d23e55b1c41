"""A folder probed before any work: the nearest one that exists at or above a path, and whether a file can be
created there, so that a run fails at its start, not at its end (destinations.py and the weights folder use it); and
the folders made for a path, removed again while empty, so a run that failed leaves none."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def nearest(path: str | os.PathLike) -> Path:
    """`path` made absolute, or the nearest path above it that exists (a dangling link counts)."""
    here = Path(path).absolute()
    while not os.path.lexists(here) and here != here.parent:
        here = here.parent
    return here


def probe_folder(folder: str | os.PathLike) -> Path:
    """The nearest existing folder at or above `folder`, once a file was created (and removed)
    there: creates nothing, and catches read-only file systems that permission bits do not show.

    Raises:
      OSError (its filename that folder): NotADirectoryError if a file is in the way, else why
        no file could be created there.
    """
    here = nearest(folder)
    if not here.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(here))
    try:
        with tempfile.TemporaryFile(dir=here):
            return here
    except OSError as e:
        raise type(e)(e.errno, e.strerror, str(here)) from None


def make_folder(folder: Path) -> list[Path]:
    """Create `folder` and the missing folders above it; the ones created, deepest first, for `remove_empty`."""
    here, made = Path(folder).absolute(), []
    while not os.path.lexists(here) and here != here.parent:
        made.append(here)
        here = here.parent
    Path(folder).mkdir(parents=True, exist_ok=True)
    return made


def remove_empty(made: list[Path]) -> None:
    """Remove the folders `make_folder` created, deepest first, while they are empty."""
    for here in made:
        try:
            here.rmdir()
        except OSError:  # not empty (a download kept to resume, a weight set, a waiting process's lock), or gone
            return

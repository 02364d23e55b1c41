"""A folder probed before any work: the nearest one that exists at or above a path, and whether a file can be
created there, so that a run fails at its start, not at its end (destinations.py and the weights folder use it)."""

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


def why_not(e: OSError) -> str:
    """Why no file could be made in the folder `e.filename` (`probe_folder`'s error). A folder there that answers
    ENOENT is no missing one: a virtual file system's, such as /proc or /sys, which holds no files but its own."""
    if e.errno == errno.ENOENT and e.filename and os.path.isdir(e.filename):
        return "no file can be created in it: its file system, as /proc's, holds only its own files"
    return e.strerror

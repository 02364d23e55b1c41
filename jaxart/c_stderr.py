"""The C libraries' own lines on stderr, silenced while Pillow decodes: libtiff writes "tempfile.tif: Using code not
yet in table." to file descriptor 2 for a damaged LZW TIFF, a line above jaxart's own, where a bad file gets one line;
a usable file's are noise, as Pillow's warnings of damage it works around are. Python's `sys.stderr` writes to the
same descriptor, so nothing meant for a user is said inside: the decode's errors are raised, and said after it."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator

_STDERR = 2


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """File descriptor 2 pointed at os.devnull for the block, and put back however it ends, with no descriptor left
    open. Closed, it is os.devnull meanwhile (so no file opened inside takes its number), and closed again after;
    where os.devnull cannot be opened, or 2 cannot be copied (too many files open), stderr is left as it is."""
    with contextlib.suppress(AttributeError, OSError, ValueError):  # None, or a closed file: nothing to flush
        sys.stderr.flush()  # Python's lines written before the block, not into os.devnull
    null = saved = None
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
    closed = null == _STDERR  # 2 was closed, the lowest number free: os.devnull took it
    if null is not None and not closed:
        try:
            saved = os.dup(_STDERR)
        except OSError as e:
            closed = e.errno == errno.EBADF
            if not closed:
                os.close(null)
                null = None
    try:
        if null is not None and null != _STDERR:
            os.dup2(null, _STDERR)
        yield
    finally:
        if saved is not None:
            os.dup2(saved, _STDERR)
            os.close(saved)
        elif closed:
            os.close(_STDERR)
        if null is not None and null != _STDERR:
            os.close(null)

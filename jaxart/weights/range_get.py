"""One HTTP GET of a weight file that appends to its partial download, resuming with a Range request.

`fetch` retries it; the exceptions say which failures are worth a retry (`Interrupted`) and which are not
(another file, a web page, a full disk).
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable
from pathlib import Path

Progress = Callable[[int, int], None]  # (bytes done, bytes total)
CHUNK = 1 << 20


class Interrupted(Exception):
    """A failure worth retrying: the transfer was cut off or stalled, or the server was busy."""


class WrongFile(Exception):
    """The server announced a body whose size is not the file's: another file, not worth retrying."""


class Page(Exception):
    """The server sent a web page (a sign-in, quota or error page sent as a 200), not the file: not worth retrying."""


class Unwritable(Exception):
    """Writing the download failed with OSError `args[0]` (a full disk): no fault of the network, nor worth a retry."""


def _write(out, block: bytes) -> None:
    """Write all of `block` to the unbuffered `out` (a full disk writes part of it, then fails)."""
    view = memoryview(block)
    try:
        while view:
            view = view[out.write(view):]
    except OSError as e:
        raise Unwritable(e) from None


def get(url: str, partial: Path, size: int, progress: Progress | None, timeout: float,
        restarted: Callable[[], None] | None = None) -> None:
    """One GET that appends the rest of the file to `partial`; raises Interrupted if cut short. `restarted` is
    called where the bytes already in `partial` are dropped (the server sent the file from its start)."""
    offset = partial.stat().st_size if partial.exists() else 0
    if offset == size:  # complete but never verified (the previous process died): verify it
        if progress:  # all bytes are here, not none
            progress(size, size)
        return
    request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-"} if 0 < offset < size else {})
    # `timeout` bounds the connect and every read, so a stalled server fails rather than hangs.
    with urllib.request.urlopen(request, timeout=timeout) as response:
        # Without a Content-Length, the page was taken for a cut-off file: kept, and the next fetch resumed from it.
        if response.headers.get_content_type() == "text/html":
            raise Page("the server sent a web page (text/html), not the file")
        start = re.match(r"bytes (\d+)-\d*(?:/(\d+|\*))?", response.headers.get("Content-Range", ""))
        whole = response.status != 206  # 200, or None from a file:// URL
        if offset and (whole or start is None or int(start[1]) != offset) and restarted:
            restarted()
        if not whole and (start is None or int(start[1]) != offset):  # bytes from elsewhere: start afresh
            partial.unlink(missing_ok=True)
            raise Interrupted(f"the server answered a request from byte {offset:,} with bytes from elsewhere")
        offset = offset if not whole else 0
        # The whole file's size, where the server says it: a 200's Content-Length, a 206's total. A
        # 206 may send less than the rest (then the next attempt resumes), but of a file of `size`.
        length = response.headers.get("Content-Length") if whole else start[2]
        if (length or "").isdigit() and int(length) != size:
            raise WrongFile(f"the server sends {int(length):,} bytes, and {size:,} were expected")
        done = offset
        try:  # unbuffered: a full disk fails a write here, not a flush as the file closes
            out = open(partial, "ab" if offset else "wb", buffering=0)
        except OSError as e:
            raise Unwritable(e) from None
        with out:
            # Read one byte past `size`, so an oversized body is noticed instead of trusted. read1 takes
            # what has arrived, up to a chunk: read waited for a whole MB, which Ctrl-C then lost.
            while done <= size and (block := response.read1(min(CHUNK, size + 1 - done))):
                _write(out, block)
                done += len(block)
                if progress:
                    progress(min(done, size), size)
    if done < size:
        raise Interrupted(f"the connection closed after {done:,} of {size:,} bytes")

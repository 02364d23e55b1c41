"""What a resumed download asks the server to prove: that its file is the one the kept bytes came from.

The answer that began a partial download names its file's version by a strong ETag or, failing one, its
Last-Modified; `keep` writes it beside the partial file, `.NAME.partial.validator`, with the URL it came from. The
request for the rest sends it as If-Range (as curl -C, wget -c and pip do), so a server whose file changed sends
the whole new file (200) instead of its rest (206), which appended to the old bytes failed the checksum. A weak ETag
(W/"...") is no validator for If-Range, nor is one of another URL (a mirror's may differ for the same file).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path


def path(partial: Path) -> Path:
    """Where the validator of `partial` is kept: beside it, hidden as it is."""
    return partial.with_name(partial.name + ".validator")


def of(headers) -> str | None:
    """The If-Range value for the file that `headers` (an answer's) came with: a strong ETag, or else its
    Last-Modified; None where it names neither."""
    etag = (headers.get("ETag") or "").strip()
    if etag.startswith('"') and etag.endswith('"') and len(etag) > 1:  # W/"x" is weak: If-Range may not send it
        return etag
    return (headers.get("Last-Modified") or "").strip() or None


def keep(partial: Path, url: str, headers) -> None:
    """Record the validator of the answer whose whole file `partial` is now begun with (drop any older one)."""
    forget(partial)
    if value := of(headers):
        with contextlib.suppress(OSError):  # none kept: the next resume asks as before, without If-Range
            path(partial).write_text(json.dumps({"url": url, "validator": value}))


def sent(partial: Path, url: str) -> str | None:
    """The If-Range value to send with a Range request from `url` for the rest of `partial`; None where none was kept
    for that URL (or the record cannot be read)."""
    try:
        record = json.loads(path(partial).read_text())
    except (OSError, ValueError):
        return None
    value = record.get("validator") if isinstance(record, dict) and record.get("url") == url else None
    return value if isinstance(value, str) and value else None


def forget(partial: Path) -> None:
    """Remove the validator kept for `partial`, if any."""
    with contextlib.suppress(OSError):
        path(partial).unlink()


def discard(partial: Path) -> None:
    """Delete `partial` and the validator kept for it: every failure that deletes a partial download deletes both
    this way, where a checksum mismatch, a 404, a wrong size or a 416 left `.NAME.partial.validator` behind."""
    partial.unlink(missing_ok=True)
    forget(partial)

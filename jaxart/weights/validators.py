"""What a resumed download asks the server to prove: that its file is the one the kept bytes came from.

The answer that began a partial download names its file's version by a strong ETag or, failing one, its
Last-Modified; `keep` writes it beside the partial file, `.NAME.partial.validator`, with the URL it came from. The
request for the rest sends it as If-Range (as pip does; curl -C and wget -c send none), so a server whose file changed
sends the whole new file (200) instead of its rest (206), which appended to the old bytes failed the checksum. A weak
ETag (W/"...") is no validator for If-Range, nor is a Last-Modified under a minute before the answer's Date (RFC 9110
8.8.2.2: the file may have changed again within its second), nor one of another URL (a mirror's may differ for the
same file). The URL is the one that answered: where a redirect led, if one did (`answer.within` sends it there only).
"""

from __future__ import annotations

import contextlib
import email.utils
import json
from datetime import timezone
from pathlib import Path

# RFC 9110 8.8.2.2: a client may send a date as If-Range only where it is at least this long before the Date of the
# answer it came with; a file saved twice in the second it names would otherwise pass as unchanged.
STRONG_AFTER = 60.0


def path(partial: Path) -> Path:
    """Where the validator of `partial` is kept: beside it, hidden as it is."""
    return partial.with_name(partial.name + ".validator")


def of(headers) -> str | None:
    """The If-Range value for the file that `headers` (an answer's) came with: a strong ETag, or else its
    Last-Modified where it is a minute or more before the answer's Date; None where it names neither."""
    etag = (headers.get("ETag") or "").strip()
    if etag.startswith('"') and etag.endswith('"') and len(etag) > 1:  # W/"x" is weak: If-Range may not send it
        return etag
    modified = (headers.get("Last-Modified") or "").strip()
    seconds = [_seconds(modified), _seconds(headers.get("Date") or "")]
    return modified if None not in seconds and seconds[1] - seconds[0] >= STRONG_AFTER else None


def _seconds(date: str) -> float | None:
    """The HTTP-date `date` as a POSIX time; None where it is none (a zone-less date is read as GMT, as HTTP's are)."""
    try:
        when = email.utils.parsedate_to_datetime(date.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


def keep(partial: Path, url: str, headers) -> None:
    """Record the validator of the answer whose whole file `partial` is now begun with (drop any older one)."""
    forget(partial)
    if value := of(headers):
        with contextlib.suppress(OSError):  # none kept: the next resume asks as before, without If-Range
            path(partial).write_text(json.dumps({"url": url, "validator": value}))


def kept(partial: Path) -> tuple[str, str] | None:
    """(the URL that answered, the If-Range value) kept for `partial`; None where none was (or it cannot be read)."""
    try:
        record = json.loads(path(partial).read_text())
    except (OSError, ValueError):
        return None
    url, value = (record.get("url"), record.get("validator")) if isinstance(record, dict) else (None, None)
    return (url, value) if isinstance(url, str) and isinstance(value, str) and value else None


def forget(partial: Path) -> None:
    """Remove the validator kept for `partial`, if any."""
    with contextlib.suppress(OSError):
        path(partial).unlink()


def discard(partial: Path) -> None:
    """Delete `partial` and the validator kept for it: every failure that deletes a partial download deletes both
    this way, where a checksum mismatch, a 404, a wrong size or a 416 left `.NAME.partial.validator` behind."""
    partial.unlink(missing_ok=True)
    forget(partial)

"""One HTTP GET of a weight file that appends to its partial download, resuming with a Range request.

`fetch` retries it; the exceptions (attempt_ends.py's) say which failures are worth a retry (`Interrupted`,
`TooSlow`) and which are not (another file, a web page, a full disk).
"""

from __future__ import annotations

import re
import ssl
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path

from jaxart import __version__
from jaxart.weights import answer, validators
from jaxart.weights.attempt_ends import Interrupted, Page, Reset, Slow, Speed, TooSlow, Unwritable, WrongFile

# urllib's own, Python-urllib/3.x, is one some CDNs and corporate proxies refuse (403) as a script's.
USER_AGENT = f"jaxart/{__version__}"
Progress = Callable[[int, int], None]  # (bytes done, bytes total)
CHUNK = 1 << 20


def _write(out, block: bytes) -> None:
    """Write all of `block` to the unbuffered `out` (a full disk writes part of it, then fails)."""
    view = memoryview(block)
    try:
        while view:
            view = view[out.write(view):]
    except OSError as e:
        raise Unwritable(e) from None


def get(url: str, partial: Path, size: int, progress: Progress | None, timeout: float,
        restarted: Callable[[str], None] | None = None, speed: Speed = Speed()) -> None:
    """One GET that appends the rest of the file to `partial`; raises Interrupted if cut short, TooSlow if slower
    than `speed`. `restarted` is called where the bytes already in `partial` are dropped (the server sent the file
    from its start), with a line saying why where the user should hear it ("" where not)."""
    offset = partial.stat().st_size if partial.exists() else 0
    if offset == size:  # complete but never verified (the previous process died): verify it
        if progress:  # all bytes are here, not none
            progress(size, size)
        return
    resume = {"Range": f"bytes={offset}-"} if 0 < offset < size else {}
    validator = validators.kept(partial) if resume else None  # a changed file comes whole, not its rest
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **resume})
    # `timeout` bounds the connect and every read, so a stalled server fails rather than hangs. The connect, TLS
    # handshake and the answer's status line and headers, far fewer bytes than a window's worth, must all come within
    # a window of the request, or a second past the read timeout where that is later: a server that sends nothing is
    # told as timed out.
    slow, seconds = Slow(speed), max(speed.window, timeout + 1.0)
    try:
        response = answer.within(request, timeout, seconds, validator)
    except urllib.error.HTTPError as e:
        # 416, no such range: the bytes kept are no start of the server's file, or it takes no Range. It ended the
        # fetch, saying to check the URL, with those bytes deleted, where a download from the start may well work.
        if e.code != 416 or not offset:
            raise
        e.close()
        _afresh(partial, offset, restarted, f"HTTP 416 {e.reason}")
    if response is None:
        raise TooSlow(f"the server is too slow: its status line and headers did not all come within {seconds:.3g} s "
                      f"of the request")
    with response:
        coding = _coding(response)
        began = offset
        offset, kept = _start(response, partial, offset, size, coding, restarted)
        answered = getattr(response, "url", None) or url  # where a redirect led, if one did
        sent = validator[1] if validator and validator[0] == answered else None  # answer.within sends it only there
        # A 200 naming the version asked for is a server that takes no Range: as silent as before.
        changed = sent not in (None, validators.of(response.headers)) and response.status == 200
        if began and not offset and changed and restarted:
            restarted(f"the server's file changed since its first {began:,} bytes were downloaded; downloading the "
                      f"new one whole")
        try:  # unbuffered: a full disk fails a write here, not a flush as the file closes
            out = open(partial, "ab" if offset else "wb", buffering=0)
        except OSError as e:
            raise Unwritable(e) from None
        with out:
            if not offset:  # the version of the file begun now; a file:// URL's has none to send
                validators.keep(partial, answered, response.headers if response.status == 200 else {})
            try:
                _skip(response, kept, offset, size, slow)
                done = _copy(response, out, offset, size, coding, progress, slow)
            except TimeoutError:  # its words were "timed out", which said neither how long nor what is kept
                raise Interrupted(f"the server sent nothing for {timeout:.3g} s after {partial.stat().st_size:,} of "
                                  f"{size:,} bytes") from None
    if done > size:  # a body of no stated length, longer than the file: its count was the one byte past it read
        raise WrongFile(f"the server sent more than the {size:,} bytes expected: another file")
    if done < size:
        raise Interrupted(f"the connection closed after {done:,} of {size:,} bytes")


def _coding(response) -> str:
    """The Content-Encoding of `response`, one jaxart decodes; a web page, or another encoding, is refused."""
    # Without a Content-Length, the page was taken for a cut-off file: kept, and the next fetch resumed from it.
    if response.headers.get_content_type() == "text/html":
        raise Page("the server sent a web page (text/html), not the file")
    coding = response.headers.get("Content-Encoding", "identity").strip().lower()
    # urllib asks for the file as it is (Accept-Encoding: identity), yet some servers compress it anyway: the
    # compressed bytes were taken for another file's. Neither an .h5 nor a .pth is a gzip file, so decoding is
    # safe, and the checksum still judges the result. A 206 holds a range of the compressed bytes: no use.
    if coding not in ("identity", "gzip", "x-gzip", "deflate"):
        raise WrongFile(f"the server sent the file encoded as {coding!r}, which jaxart cannot decode")
    return coding


def _start(response, partial: Path, offset: int, size: int, coding: str,
           restarted: Callable[[str], None] | None) -> tuple[int, int]:
    """The byte the file goes on from, and how many bytes of `response`'s body before it are kept already: `offset`
    where the body continues `partial` (a 206 from there, or from before it), 0 where it is the whole file
    (`restarted` is called if that drops bytes). Raises Interrupted, deleting `partial`, for bytes from elsewhere, and
    keeping it for a 206 that ends before `offset`; WrongFile for a file whose size is not `size`."""
    start = re.match(r"bytes (\d+)-(\d*)(?:/(\d+|\*))?", response.headers.get("Content-Range", ""))
    whole = response.status != 206  # 200, or None from a file:// URL
    # A 206 from before the byte asked for (a server that sends whole blocks, say) overlaps the bytes kept: RFC 9110
    # 14.2 lets it, and the overlap is skipped. It dropped them, and the file came again from its start. One from
    # after it would leave a hole: refused, as curl 7.88 and wget 1.21 refuse both.
    elsewhere = not whole and (start is None or int(start[1]) > offset or coding != "identity")
    if elsewhere:  # bytes from elsewhere, or of the compressed copy: start afresh
        _afresh(partial, offset, restarted, "bytes from elsewhere"
                + (f" (of a copy compressed with {coding})" if coding != "identity" else ""))
    if offset and whole and restarted:
        restarted("")
    # The whole file's size, where the server says it: a 200's Content-Length (of the compressed bytes, if
    # compressed), a 206's total. A 206 may send less than the rest (then the next attempt resumes), but of a
    # file of `size`.
    length = (response.headers.get("Content-Length") if coding == "identity" else None) if whole else start[3]
    if (length or "").isdigit() and int(length) != size:
        raise WrongFile(f"the server sends {int(length):,} bytes, and {size:,} were expected")
    # One that ends before the byte asked for brings nothing new: read past, it ended as "the connection closed".
    if not whole and start[2] and int(start[2]) < offset:
        raise Interrupted(f"the server answered a request from byte {offset:,} with bytes {int(start[1]):,}-"
                          f"{int(start[2]):,} only, all kept already")
    return (offset, offset - int(start[1])) if not whole else (0, 0)


def _afresh(partial: Path, offset: int, restarted: Callable[[str], None] | None, reply: str) -> None:
    """Raise Interrupted, deleting `partial`, where the server answered the request for the rest of it from byte
    `offset` with `reply`: the next attempt downloads the file from its start."""
    if offset and restarted:
        restarted("")
    validators.discard(partial)
    raise Interrupted(f"the server answered a request from byte {offset:,} with {reply}; starting afresh")


def _skip(response, n: int, done: int, size: int, slow: Slow) -> None:
    """Read past the first `n` bytes of `response`'s body, bytes before the `done` of `size` kept already."""
    while n > 0 and (block := read1(response, min(CHUNK, n), done, size)):
        slow.came(len(block))
        n -= len(block)
        slow.check()


def _copy(response, out, done: int, size: int, coding: str, progress: Progress | None, slow: Slow) -> int:
    """Append `response`'s body (decoded) to `out`, which holds `done` bytes of the file; returns how many it holds
    then, `size + 1` where the body is too long. Raises TooSlow where it comes slower than `slow` allows."""
    decode = zlib.decompressobj(zlib.MAX_WBITS | 32) if coding != "identity" else None  # gzip or zlib
    # Read one byte past `size`, so an oversized body is noticed instead of trusted. read1 takes
    # what has arrived, up to a chunk: read waited for a whole MB, which Ctrl-C then lost.
    # A compressed stream that has ended is the whole file: bytes after it are not read one at a time.
    while (done <= size and not (decode and decode.eof)
           and (block := read1(response, min(CHUNK, size + 1 - done), done, size))):
        slow.came(len(block))
        if decode:
            block = _decoded(decode, block, size + 1 - done)
        _write(out, block)
        done += len(block)
        if progress:
            progress(min(done, size), size)
        slow.check()
    if decode and done <= size:  # what the decompressor still holds
        _write(out, tail := decode.flush()[: size + 1 - done])
        done += len(tail)
    return done


def read1(response, n: int, done: int, size: int) -> bytes:
    """`response.read1(n)`, b"" at its end; raises Interrupted where the connection was reset after `done` of `size`
    bytes. Through TLS, a reset read as the end (b"", "closed after"), as a close without TLS's close_notify does:
    answer.py tells them apart (SSLEOFError), and a close without close_notify, as many servers close, is the end."""
    try:
        return response.read1(n)
    except ssl.SSLEOFError as e:  # OpenSSL 3 gives an end its reason; a failed socket under TLS has none
        if e.reason is not None or ssl.OPENSSL_VERSION_INFO < (3,):  # OpenSSL 1.1.1 gives an end none either
            return b""
    except ConnectionResetError:  # as plain HTTP, or TLS under Python 3.13, says it
        pass
    raise Reset(f"the connection was reset after {done:,} of {size:,} bytes, by the server or a firewall between",
                getattr(response, "url", None) or "")


def _decoded(decode, block: bytes, most: int) -> bytes:
    """`block` decompressed, at most `most` bytes of it (more means another file, which the size check refuses)."""
    try:
        return decode.decompress(block, most)
    except zlib.error as e:
        raise WrongFile(f"the server said it compressed the file, but its bytes do not decompress ({e})") from None

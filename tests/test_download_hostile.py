"""`fetch` against servers that misbehave as some do behind bad Wi-Fi or a corporate proxy: one that trickles a
byte at a time under the read timeout, a busy one naming its Retry-After, one that compresses the file unasked, and
one whose certificate is not trusted. Every limit is shrunk to a fraction of a second."""

from __future__ import annotations

import email.utils
import gzip
import shutil
import ssl
import subprocess
import threading
import time

import pytest

import test_download
from jaxart.errors import WeightsError
from jaxart.weights import Speed, fetch, load
from test_download import FAST, REMEDY, visible_files
from test_weights import assert_same_params

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too


class _Hostile(test_download._Handler):
    """test_download's modes, and: "trickle" (a byte every 20 ms, for up to 5 s), "steady" (32 kB every 50 ms),
    "gzip" (the file compressed, with its compressed length, or a range of it as a 206), "gzip-chunked" (the same,
    with no length), "busy-N" (503 with Retry-After N; "busy-date" 2 s ahead as an HTTP date), "loop" (a redirect to
    itself), "trickle-headers" (the status line, then a header byte every 0.2 s for 16 s, then the file), "drip" (the
    headers, then a byte every 0.2 s). `times` records when each GET came."""

    def do_GET(self):
        srv = self.server.owner
        srv.times = [*getattr(srv, "times", []), time.monotonic()]
        mode = srv.modes[min(len(srv.ranges) + 1, len(srv.modes)) - 1]
        if not mode.startswith(("trickle", "steady", "gzip", "busy", "loop", "drip")):
            return super().do_GET()
        srv.ranges.append(asked := self.headers.get("Range", ""))
        if mode == "trickle-headers":  # a header byte at a time, each well within the read timeout
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for byte in f"X-Padding: {'.' * 40}\r\nContent-Length: {len(srv.body)}\r\n\r\n".encode():
                if srv.stop.wait(0.2):
                    return
                self.wfile.write(bytes([byte]))
            return self.wfile.write(srv.body)
        if mode == "loop":
            self.send_response(302)
            self.send_header("Location", "/files/again.h5")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if mode.startswith("busy"):
            when = mode[len("busy-"):]
            self.send_response(503)
            self.send_header("Retry-After", email.utils.formatdate(time.time() + 2, usegmt=True)
                             if when == "date" else when)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        start = int(asked[len("bytes="):].rstrip("-")) if asked else 0
        body = srv.body[start:]
        if mode.startswith("gzip"):
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(srv.body) - 1}/{len(srv.body)}")
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
            if mode == "gzip":
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return self.wfile.write(body)
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(srv.body) - 1}/{len(srv.body)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        step, pause = {"trickle": (1, 0.02), "drip": (1, 0.2)}.get(mode, (32 << 10, 0.05))
        for at in range(0, len(body), step):
            if srv.stop.wait(pause) or (mode in ("trickle", "drip") and at >= 250):
                return
            self.wfile.write(body[at:at + step])
            self.wfile.flush()


def test_a_trickling_server_ends_the_attempt_as_too_slow_and_the_bytes_are_kept(serve, served, weights_dir):
    """A byte every 20 ms (a byte every 20 s, shrunk) never trips the read timeout: each attempt went on until the
    server closed, hours for a real file, and the bar barely moved."""
    server = serve(["trickle"], _Hostile)
    began = time.monotonic()
    with pytest.raises(WeightsError) as error:
        fetch("test", **{**FAST, "timeout": 1.0}, speed=Speed(min_rate=1024, window=0.3))
    message, kept = str(error.value), (weights_dir / ".test.partial").stat().st_size
    assert time.monotonic() - began < 2.5  # two windows of 0.3 s, not 2 x 5 s of trickle
    assert "(the server is too slow: " in message and "under the 1 KiB/s a download needs, after 2 attempts)" in message
    assert f"; {kept:,} bytes are kept in {weights_dir / '.test.partial'} and fetching again resumes there" in message
    assert REMEDY in message and 0 < kept < 250 and len(server.ranges) == 2 and server.ranges[1].startswith("bytes=")
    server = serve(["ok"])
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert server.ranges == [f"bytes={kept}-"]


def test_a_server_that_trickles_its_headers_ends_the_attempt_as_too_slow(serve, weights_dir):
    """A header byte every 0.2 s (every few seconds, shrunk) never tripped the read timeout, and the speed rule
    watched only the body: each attempt waited as long as the headers trickled, for ever if they never ended."""
    server = serve(["trickle-headers"], _Hostile)
    began = time.monotonic()
    with pytest.raises(WeightsError) as error:
        fetch("test", **{**FAST, "timeout": 0.8}, speed=Speed(min_rate=1024, window=2.0))
    assert time.monotonic() - began < 6  # two windows of 2 s, not 16 s of headers, then the file
    assert ("(the server is too slow: its status line and headers did not all come within 2 s of the request, "
            "after 2 attempts); retry, or ") in str(error.value) and REMEDY in str(error.value)
    assert len(server.ranges) == 2 and visible_files(weights_dir) == []
    server.close()
    for waiting in [t for t in threading.enumerate() if t.name == "jaxart-answer"]:
        waiting.join(2)
        assert not waiting.is_alive()  # the connections left to trickle closed once the server stopped


def test_a_byte_every_third_of_the_window_ends_the_attempt_at_the_first_byte_after_it(serve, weights_dir):
    """A byte every 20 s, under the 30 s read timeout, against 1 KB/s over 60 s (shrunk 100 times): each read
    succeeds, and the rule, checked as each byte comes, ends the attempt at the first one past the window."""
    serve(["drip"], _Hostile)
    began = time.monotonic()
    with pytest.raises(WeightsError, match=r"\(the server is too slow: \d bytes in 0\.[6-9]\d* s, under the 1 KiB/s a "):
        fetch("test", **{**FAST, "timeout": 1.0, "attempts": 1}, speed=Speed(min_rate=1024, window=0.6))
    assert time.monotonic() - began < 1.5  # the window and one byte's wait
    assert 2 <= (weights_dir / ".test.partial").stat().st_size <= 4  # the bytes that came by then, kept


def test_the_speed_rule_measures_the_rate_not_the_gaps(serve, served, weights_dir):
    """32 kB every 50 ms (about 640 kB/s, the file in 0.6 s) passes a rule of 50 kB/s over 0.5 s, and fails one of
    10 MB/s over 0.2 s."""
    serve(["steady"], _Hostile)
    assert_same_params(load(fetch("test", **FAST, speed=Speed(50_000, 0.5))), served.params)
    (weights_dir / "test.safetensors").unlink()
    serve(["steady"], _Hostile)
    with pytest.raises(WeightsError, match=r"too slow: [\d,]+ bytes in [\d.]+ s, under the 10 MiB/s a download "):
        fetch("test", **{**FAST, "attempts": 1}, speed=Speed(10_000_000, 0.2))


@pytest.mark.parametrize("retry_after", ["1", "date"])
def test_a_busy_server_is_asked_again_after_its_retry_after(serve, served, weights_dir, retry_after):
    """The second attempt came after the back-off alone (here none), while the server had asked for a wait: pip,
    curl and huggingface_hub wait as asked."""
    server = serve([f"busy-{retry_after}", "ok"], _Hostile)
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert len(server.times) == 2 and server.times[1] - server.times[0] > 0.9


def test_each_retry_says_why_how_long_it_waits_and_which_attempt_comes(serve, served, weights_dir):
    """A Retry-After of up to 120 s was waited out under a bar that stood still, as if the download hung. The cut
    kept half the file, so it counts as no failure in a row: attempt 3 of 5 after the first back-off (retries)."""
    serve(["busy-1", "cut", "ok"], _Hostile)
    said = []
    assert_same_params(load(fetch("test", **{**FAST, "attempts": 3, "backoff": 0.25}, notice=said.append)),
                       served.params)
    half = len(served.body) // 2
    assert said == ["the server asks to wait 1 s (HTTP 503 Service Unavailable); waiting, then attempt 2 of 3",
                    f"the download stopped (the connection closed after {half:,} of {len(served.body):,} bytes); "
                    "attempt 3 of 5 in 0.25 s, resuming"]


def test_the_cli_says_a_retry_on_stderr_even_when_quiet(serve, weights_dir, capsys):
    """--quiet hides the bar, not warnings: a batch job's log under --quiet said nothing of a wait of up to 120 s."""
    from jaxart_cli.fetch import fetch as cli_fetch

    for quiet in (False, True):
        serve(["busy-1", "ok"], _Hostile)
        cli_fetch("test", quiet, **FAST).unlink()
        lines = capsys.readouterr().err.splitlines()
        wait = "warning: the server asks to wait 1 s (HTTP 503 Service Unavailable); waiting, then attempt 2 of 2"
        assert wait in lines and (not quiet or lines == [wait]), lines


def test_a_retry_after_longer_than_a_fetch_waits_fails_at_once_saying_how_long(serve, weights_dir):
    server = serve(["busy-3600"], _Hostile)
    with pytest.raises(WeightsError, match=r"\(HTTP 503 Service Unavailable, with Retry-After 3,600 s\); the server "
                                           r"asks to wait that long before asking again: fetch again then, or "):
        fetch("test", **{**FAST, "attempts": 3})
    assert server.ranges == [""] and visible_files(weights_dir) == []  # not asked again at once, 3 times


@pytest.mark.parametrize("modes", [["gzip"], ["gzip-chunked"], ["cut", "gzip"]])
def test_a_file_compressed_unasked_is_decompressed(serve, served, weights_dir, modes):
    """urllib asks for the file as it is (Accept-Encoding: identity), yet some servers gzip it anyway: it was
    refused as "another file" (its compressed length), or, with no length, downloaded, and failed its checksum. A
    206 holds a range of the compressed bytes, which cannot be appended: the next attempt starts afresh."""
    server = serve(modes, _Hostile)
    assert_same_params(load(fetch("test", **{**FAST, "attempts": 3})), served.params)
    assert server.ranges == (["", f"bytes={len(served.body) // 2}-", ""] if "cut" in modes else [""])


def test_a_redirect_loop_fails_at_once_in_one_plain_line(serve, weights_dir):
    """It read "HTTP 302 The HTTP server returned a redirect error that would lead to an infinite loop. The last 30x
    error message was: Found": urllib's two sentences, and no word of where the loop went."""
    server = serve(["loop"], _Hostile)
    with pytest.raises(WeightsError, match=r"\(redirected in a loop, or more than 10 times: HTTP 302 to "
                                           r"http://127.0.0.1:\d+/files/again.h5\); check the URL"):
        fetch("test", **{**FAST, "attempts": 3})
    assert len(server.ranges) == 5 and visible_files(weights_dir) == []  # 4 visits of the loop, then no retry


@pytest.fixture
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, and a server context holding it."""
    if not shutil.which("openssl"):
        pytest.skip("needs openssl to make a certificate")
    cert, key = (folder := tmp_path_factory.mktemp("tls")) / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


def test_an_untrusted_certificate_fails_at_once_naming_ssl_cert_file_which_then_works(serve, served, weights_dir,
                                                                                      certificate, monkeypatch):
    """As behind a proxy that inspects HTTPS: each attempt failed the same way after a back-off, and the line said
    to retry, with no word of certificates."""
    cert, context = certificate
    for name in ("https_proxy", "HTTPS_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    serve(["ok"], tls=context)
    began = time.monotonic()
    with pytest.raises(WeightsError, match=r"certificate verify failed: self-signed certificate.*\); a certificate "
                                           r"problem: where a proxy or firewall inspects HTTPS, set SSL_CERT_FILE to "
                                           r"a PEM file of its root certificate \(Python reads SSL_CERT_FILE"):
        fetch("test", **{**FAST, "attempts": 3, "backoff": 5.0})
    assert time.monotonic() - began < 5 and visible_files(weights_dir) == []  # not asked again after a back-off
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the remedy the line names
    assert_same_params(load(fetch("test", **FAST)), served.params)

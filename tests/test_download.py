"""`fetch` against a real HTTP server on 127.0.0.1 that misbehaves on request: cut off, stalled, 404, slow.
The server and its fixtures serve test_download_resume.py, test_download_checks.py and test_download_disk.py too."""

from __future__ import annotations

import hashlib
import http.server
import re
import threading
import time

import pytest

from jaxart.errors import WeightsError
from jaxart.weights import Source, fetch, installed, load, registry
from test_weights import assert_same_params

FAST = {"attempts": 2, "backoff": 0.0, "timeout": 2.0}
REMEDY = "jaxart weights convert vgg16_test.h5 --arch vgg16 --name test`"


class Server:
    """A threaded HTTP server serving `body`; request k behaves as `modes[k]` (the last repeats).

    Modes: "ok" (honours Range), "no-range" (ignores it), "cut" (closes halfway), "stall" (sends 100 bytes, then waits),
    "pause" (sends half, sets `paused`, waits up to 10 s, sends the rest), "hold" (the same, with no half first), "slow"
    (waits 0.5 s first), "404" (or any status), "short" (a whole 1000-byte file), "half206" (answers a Range with half
    the rest), "elsewhere206" (with bytes from 100 past the byte asked for), "overlap206" (with bytes from halfway to
    it, overlapping the bytes kept), "stale206" (with bytes from 0 to halfway to it, all kept), "page" (a sign-in
    page, with no Content-Length). `ranges` records each GET's Range, `agents` its User-Agent.
    """

    def __init__(self, body: bytes, modes: list[str], handler=None, tls=None):
        self.body, self.modes, self.ranges, self.agents = body, modes, [], []
        self.stop = threading.Event()  # bounds every wait, so the server always winds down
        self.paused = threading.Event()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler or _Handler)
        if tls:  # an ssl.SSLContext: HTTPS
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.owner = self
        self.url = f"http{'s' if tls else ''}://127.0.0.1:{self.httpd.server_port}/files/vgg16_test.h5"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        srv = self.server.owner
        srv.ranges.append(self.headers.get("Range", ""))
        srv.agents.append(self.headers.get("User-Agent", ""))
        mode = srv.modes[min(len(srv.ranges), len(srv.modes)) - 1]
        if mode.isdigit():  # an HTTP error status
            return self.send_error(int(mode))
        if mode == "page":  # as a captive portal or a quota sends one: a 200, its length told by the closed connection
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            return self.wfile.write(b"<html><body>Sign in to continue</body></html>")
        asked = self.headers.get("Range", "")
        start = int(asked[len("bytes="):].rstrip("-")) if asked and mode != "no-range" else 0
        body = srv.body[start:] if mode != "short" else srv.body[:1000]  # short: another, smaller file, whole
        if mode == "half206" and start:  # HTTP lets a 206 send less than the rest asked for
            body = body[: len(body) // 2]
        if mode in ("elsewhere206", "overlap206", "stale206") and start:  # bytes from elsewhere than the byte asked for
            start, end = {"elsewhere206": start + 100, "overlap206": start // 2}.get(mode, 0), start // 2 - 1
            body = srv.body[start:] if mode != "stale206" else srv.body[:end + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{start + len(body) - 1}/{len(srv.body)}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return self.wfile.write(body)
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{start + len(body) - 1}/{len(srv.body)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "stall":
            self.wfile.write(body[:100])
            self.wfile.flush()
            srv.stop.wait(10)
            return
        if mode == "slow":
            srv.stop.wait(0.5)
        if mode in ("pause", "hold"):
            self.wfile.write(body[: len(body) // 2 * (mode == "pause")])
            srv.paused.set()
            srv.stop.wait(10)
            body = body[len(body) // 2:]
        self.wfile.write(body[: len(body) // 2] if mode == "cut" else body)

    def log_message(self, *args):
        pass


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def serve(served, weights_dir, monkeypatch):
    """serve(modes, handler=None, tls=None, **source_changes) -> Server, registered as weight set "test"."""
    servers = []

    def start(modes, handler=None, tls=None, **changes):
        server = Server(served.body, modes, handler, tls)
        servers.append(server)
        fields = dict(name="test", arch="vgg16", format="keras-h5", url=server.url, size=len(served.body),
                      checksum="sha256:" + hashlib.sha256(served.body).hexdigest(),
                      preprocess=registry.PREPROCESS["keras-h5"], description="synthetic VGG16")
        monkeypatch.setitem(registry.SOURCES, "test", Source(**{**fields, **changes}))
        return server

    yield start
    for server in servers:
        server.close()


def visible_files(weights_dir) -> list[str]:
    """What a user or `installed()` would see: everything but hidden files (locks, partials)."""
    return sorted(p.name for p in weights_dir.iterdir() if not p.name.startswith("."))


def test_clean_download_converts_and_loads_identical_params(serve, served, weights_dir):
    server = serve(["ok"])
    path = fetch("test", **FAST)
    assert_same_params(load(path), served.params)
    assert server.ranges == [""]
    assert visible_files(weights_dir) == ["test.safetensors"]
    assert not (weights_dir / ".test.partial").exists()


def test_every_request_names_jaxart_and_its_version(serve, served, weights_dir):
    """urllib's own User-Agent, Python-urllib/3.x, is one some CDNs and corporate proxies answer with 403: the resumed
    request too says it is jaxart's."""
    import jaxart

    server = serve(["cut", "ok"])
    fetch("test", **FAST)
    assert server.ranges[1].startswith("bytes=") and server.agents == [f"jaxart/{jaxart.__version__}"] * 2


def test_http_404_fails_at_once_with_a_clear_error(serve, weights_dir):
    server = serve(["404"])
    with pytest.raises(WeightsError, match="could not download vgg16_test.h5 from .* \\(HTTP 404 Not Found\\)"):
        fetch("test", **FAST)
    assert server.ranges == [""]  # a missing file is not asked for again
    assert list(weights_dir.iterdir()) == []  # nor the lock file of the fetch


def test_a_server_sending_a_file_of_another_size_fails_at_once_and_keeps_nothing(serve, weights_dir, monkeypatch):
    """A whole response of the wrong size was taken for a cut-off one: retried with back-off, then
    kept as a partial that a later fetch would 'resume'."""
    server = serve(["short"])
    with pytest.raises(WeightsError, match=r"\(the server sends 1,000 bytes, and [\d,]+ were expected\); check the URL"):
        fetch("test", **FAST)
    assert server.ranges == [""] and visible_files(weights_dir) == []
    assert not (weights_dir / ".test.partial").exists()
    for url, error in [((weights_dir / "nowhere.h5").as_uri(), "No such file or directory"),
                       (weights_dir.as_uri() + "/", "Is a directory")]:
        began = time.monotonic()
        with pytest.raises(WeightsError, match=rf"\(\[Errno \d+\] {error}: [^,]+\); check the URL"):
            fetch("test", **{**FAST, "backoff": 5.0}, url=url)
        assert time.monotonic() - began < 5  # not retried after a back-off
    monkeypatch.setenv("JAXART_WEIGHTS_URL_TEST", " ")  # blank: the registry's URL, not pip with ''
    assert registry.SOURCES["test"].resolved_url() == server.url


def test_a_fetch_waiting_for_another_says_so(serve, weights_dir, monkeypatch, capsys):
    import jaxart.weights

    from conftest import run_main

    serve(["ok"])
    monkeypatch.setattr(jaxart.weights, "fetch", lambda name, progress=None, url=None, **_: weights_dir / "x")
    with jaxart.weights.folder.lock("test"):  # another fetch of it, in progress
        code, out, err = run_main(["weights", "fetch", "test"], monkeypatch, capsys)
    assert code == 0 and err.splitlines()[0] == "warning: another jaxart is fetching test; waiting for it to finish", err


def test_stalled_server_times_out_within_seconds(serve, weights_dir):
    """The line says how long the server sent nothing and how many bytes came: it said only "timed out"."""
    serve(["stall"])  # 100 bytes an attempt, then nothing
    began = time.monotonic()
    with pytest.raises(WeightsError, match=r"\(the server sent nothing for 0\.5 s after 200 of [\d,]+ bytes, after 2 "
                                           r"attempts.*200 bytes are kept.*" + re.escape(REMEDY)):
        fetch("test", attempts=2, backoff=0.0, timeout=0.5)
    assert time.monotonic() - began < 5
    assert visible_files(weights_dir) == [] and installed() == []


def test_concurrent_fetches_download_once(serve, served):
    server = serve(["slow"])
    paths, errors = [], []

    def run():
        try:
            paths.append(fetch("test", **FAST))
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(paths) == 2 and paths[0] == paths[1]
    assert server.ranges == [""]
    assert_same_params(load(paths[0]), served.params)


def test_a_web_page_sent_as_the_file_fails_at_once_and_the_next_fetch_starts_afresh(serve, served, weights_dir):
    """With no Content-Length, the page was taken for a cut-off file: asked again, then kept, and the next fetch
    asked for the rest after it, downloaded the whole file, and found its checksum wrong."""
    server = serve(["page", "ok"])
    with pytest.raises(WeightsError, match=r"\(the server sent a web page \(text/html\), not the file\); open "
                                           r"http://\S+ in a browser to see what it says, check the URL"):
        fetch("test", **FAST)
    assert server.ranges == [""] and list(weights_dir.iterdir()) == []
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert server.ranges == ["", ""]  # the whole file, not the rest after a page's bytes

"""`jaxart weights` commands as separate processes at once, against a local server that holds a download
halfway until told to go on: the per-name lock between real processes, not threads of one."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import os
import signal
import subprocess
import sys
import threading

import pytest

from jaxart.weights import load
from test_weights import assert_same_params

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The CLI with a weight set "test" registered as the server's file (the registry has no such entry).
LAUNCH = f"""import os, sys
sys.path.insert(0, {ROOT!r})
from jaxart.weights import registry
registry.SOURCES["test"] = registry.Source(name="test", arch="vgg16", format="keras-h5", url=os.environ["TEST_URL"],
    size=int(os.environ["TEST_SIZE"]), checksum=os.environ["TEST_SHA"], preprocess=registry.PREPROCESS["keras-h5"],
    description="synthetic VGG16")
import cli
sys.argv[0] = "cli.py"
cli.main()
"""


class HalfwayServer(http.server.ThreadingHTTPServer):
    """Serves `body`: the first GET sends half, sets `halfway` and waits for `go`; later ones send the
    rest of a Range at once. `ranges` records each GET's Range header."""

    def __init__(self, body: bytes):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.body, self.ranges, self.halfway, self.go = body, [], threading.Event(), threading.Event()
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        srv = self.server
        asked = self.headers.get("Range", "")
        srv.ranges.append(asked)
        start = int(asked[len("bytes="):].rstrip("-")) if asked else 0
        body = srv.body[start:]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(srv.body) - 1}/{len(srv.body)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if len(srv.ranges) == 1:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            srv.halfway.set()
            srv.go.wait(30)
            body = body[len(body) // 2:]
        with contextlib.suppress(OSError):  # the first fetch was killed: its connection is gone
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(served):
    srv = HalfwayServer(served.body)
    yield srv
    srv.go.set()
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def jaxart(server, served, tmp_path):
    """jaxart(*argv) -> Popen: the CLI in a process of its own, "test" the server's file, tmp_path the weights folder."""
    env = {**os.environ, "JAXART_WEIGHTS_DIR": str(tmp_path), "JAXART_CACHE_DIR": "off",
           "TEST_URL": f"http://127.0.0.1:{server.server_port}/vgg16_test.h5", "TEST_SIZE": str(len(served.body)),
           "TEST_SHA": "sha256:" + hashlib.sha256(served.body).hexdigest()}

    def start(*argv: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", LAUNCH, *argv], env=env, cwd=tmp_path, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    return start


def test_a_second_fetch_and_a_remove_while_a_fetch_downloads_then_that_fetch_killed(jaxart, server, served, tmp_path):
    """The remove refuses and keeps the bytes; the second fetch waits, then takes over from the killed
    one's bytes (a Range request); one verified set is installed, with nothing beside it (a lock file
    goes with its holder)."""
    first = jaxart("weights", "fetch", "test")
    try:
        assert server.halfway.wait(60), first.communicate()
        second, remove = jaxart("weights", "fetch", "test"), jaxart("weights", "remove", "test")
        out, err = remove.communicate(timeout=60)
        assert remove.returncode == 2 and not out, err
        assert err.strip() == ("error: test is being fetched by another jaxart process; wait for it to finish, or "
                               "stop it, then run this again")
        waiting = "warning: another jaxart is fetching test; waiting for it to finish\n"
        assert waiting in iter(second.stderr.readline, "")  # it says so, and waits: its stderr stays open
        assert first.poll() is None  # still downloading: the other two came while it was
        # Measured before the kill: once the lock is free the second fetch may take over at once.
        kept = (tmp_path / ".test.partial").stat().st_size  # the server holds the rest: no byte more comes
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    server.go.set()
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0 and out.strip() == str(tmp_path / "test.safetensors"), err
    assert server.ranges == ["", f"bytes={kept}-"] and kept > 0
    assert_same_params(load(tmp_path / "test.safetensors"), served.params)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test.safetensors"]


def test_a_fetch_that_waited_for_another_which_installed_the_set_says_so_instead_of_an_empty_bar(
        jaxart, server, tmp_path):
    """Its bar ended on `0/? bytes ?`, as if the fetch had failed to start."""
    first = jaxart("weights", "fetch", "test")
    try:
        assert server.halfway.wait(60), first.communicate()
        second = jaxart("weights", "fetch", "test")
        waiting = "warning: another jaxart is fetching test; waiting for it to finish\n"
        assert waiting in iter(second.stderr.readline, "")
    finally:
        server.go.set()
    assert first.wait(60) == 0
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0 and out.strip() == str(tmp_path / "test.safetensors"), err
    assert err == "the other jaxart fetched test while this one waited, so this one downloaded nothing\n"
    assert server.ranges == [""]  # one download, the first fetch's

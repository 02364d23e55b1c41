"""`fetch` against a real HTTP server on 127.0.0.1 that misbehaves on request.

The served file is a gzip-compressed Keras VGG16 (about 360 kB), so every case is quick.
"""

from __future__ import annotations

import errno
import hashlib
import http.server
import re
import socket
import tempfile
import threading
import time
import types

import pytest
from typer.testing import CliRunner

import cli
from jaxart.errors import WeightsError
from jaxart.weights import Source, check_writable, fetch, installed, load, registry
from test_weights import assert_same_params, layer_arrays, write_h5

FAST = {"attempts": 2, "backoff": 0.0, "timeout": 2.0}
REMEDY = "jaxart weights convert vgg16_test.h5 --arch vgg16 --name test`"


class Server:
    """A threaded HTTP server serving `body`; request k behaves as `modes[k]` (the last repeats).

    Modes: "ok" (honours Range), "no-range" (ignores it), "cut" (closes halfway), "stall" (sends
    headers then waits), "slow" (waits 0.5 s first), "404". `ranges` records each GET's Range header.
    """

    def __init__(self, body: bytes, modes: list[str]):
        self.body, self.modes, self.ranges = body, modes, []
        self.stop = threading.Event()  # bounds every wait, so the server always winds down
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/files/vgg16_test.h5"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        srv = self.server.owner
        srv.ranges.append(self.headers.get("Range", ""))
        mode = srv.modes[min(len(srv.ranges), len(srv.modes)) - 1]
        if mode == "404":
            return self.send_error(404)
        asked = self.headers.get("Range", "")
        start = int(asked[len("bytes="):].rstrip("-")) if asked and mode != "no-range" else 0
        body = srv.body[start:]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(srv.body) - 1}/{len(srv.body)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "stall":
            self.wfile.write(body[:100])
            self.wfile.flush()
            srv.stop.wait(10)
            return
        if mode == "slow":
            srv.stop.wait(0.5)
        self.wfile.write(body[: len(body) // 2] if mode == "cut" else body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    params = layer_arrays("vgg16")
    path = tmp_path_factory.mktemp("served") / "vgg16_test.h5"
    write_h5(path, params, "keras2", compression="gzip")
    return types.SimpleNamespace(body=path.read_bytes(), params=params)


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def serve(served, weights_dir, monkeypatch):
    """serve(modes, **source_changes) -> Server, registered as weight set "test"."""
    servers = []

    def start(modes, **changes):
        server = Server(served.body, modes)
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


def test_truncated_body_fails_clearly_and_the_next_fetch_resumes(serve, served, weights_dir):
    serve(["cut"])  # every request is cut off halfway
    with pytest.raises(WeightsError) as error:
        fetch("test", **FAST)
    message = str(error.value)
    assert "could not download vgg16_test.h5" in message and "connection closed after" in message
    assert ".test.partial and fetching again resumes there" in message and REMEDY in message
    assert visible_files(weights_dir) == [] and installed() == []

    kept = (weights_dir / ".test.partial").stat().st_size
    server = serve(["ok"])
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert server.ranges == [f"bytes={kept}-"]


@pytest.mark.parametrize("change", ["checksum", "size"])
def test_wrong_checksum_or_size_deletes_the_partial_file(serve, served, weights_dir, change):
    wrong = {"checksum": {"checksum": "sha256:" + "0" * 64}, "size": {"size": len(served.body) - 1}}[change]
    serve(["ok"], **wrong)
    with pytest.raises(WeightsError, match="vgg16_test.h5 has .* checksum sha256:.* the partial file was deleted"):
        fetch("test", **FAST)
    assert [p.name for p in weights_dir.iterdir()] == [".test.lock"]


def _read_only(**kwargs):
    raise OSError(errno.EROFS, "Read-only file system")


@pytest.mark.parametrize("folder", ["a file", "read-only"])
def test_an_unwritable_weights_folder_fails_before_any_byte_is_fetched(serve, weights_dir, monkeypatch, folder):
    """`check_writable` is what the CLI calls before it draws a download bar; `fetch` calls it too."""
    server, target, progress = serve(["ok"]), weights_dir, []
    if folder == "a file":
        target = weights_dir / "weights"
        target.write_text("not a folder")
        monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(target))
    else:
        monkeypatch.setattr(tempfile, "TemporaryFile", _read_only)
    for attempt in (check_writable, lambda: fetch("test", lambda done, total: progress.append(done), **FAST)):
        with pytest.raises(WeightsError, match=rf"^cannot write to the weights folder {re.escape(str(target))} "
                                               r"\([^)]+\); set JAXART_WEIGHTS_DIR to a writable folder$"):
            attempt()
    assert server.ranges == [] and progress == []
    assert [p.name for p in weights_dir.iterdir()] == (["weights"] if folder == "a file" else [])


def test_http_404_fails_at_once_with_a_clear_error(serve, weights_dir):
    server = serve(["404"])
    with pytest.raises(WeightsError, match="could not download vgg16_test.h5 from .* \\(HTTP 404 Not Found\\)"):
        fetch("test", **FAST)
    assert server.ranges == [""]  # a missing file is not asked for again
    assert [p.name for p in weights_dir.iterdir()] == [".test.lock"]


def test_stalled_server_times_out_within_seconds(serve, weights_dir):
    serve(["stall"])
    began = time.monotonic()
    with pytest.raises(WeightsError, match="timed out, after 2 attempts.*" + re.escape(REMEDY)):
        fetch("test", attempts=2, backoff=0.0, timeout=0.5)
    assert time.monotonic() - began < 5
    assert visible_files(weights_dir) == [] and installed() == []


@pytest.mark.parametrize("second", ["ok", "no-range"])
def test_interrupted_download_resumes_or_restarts_on_retry(serve, served, second):
    server = serve(["cut", second])
    assert_same_params(load(fetch("test", **FAST)), served.params)
    half = len(served.body) // 2
    assert server.ranges == ["", f"bytes={half}-"]


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


def test_offline_vgg19_names_the_file_and_the_convert_command(weights_dir, monkeypatch):
    with socket.socket() as s:  # a port that was just free, so nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("JAXART_WEIGHTS_URL_VGG19", f"http://127.0.0.1:{port}/mirror/missing")
    with pytest.raises(WeightsError) as error:
        fetch("vgg19", **FAST)
    message = str(error.value)
    assert "\n" not in message and "Connection refused" in message
    assert "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5" in message
    assert "`jaxart weights convert vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 " \
           "--arch vgg19 --name vgg19`" in message
    assert installed() == []


@pytest.mark.parametrize("prefix_ok", [True, False])
def test_a_checksum_prefix_verifies_as_torch_hub_does(serve, served, weights_dir, prefix_ok):
    digest = hashlib.sha256(served.body).hexdigest()
    serve(["ok"], checksum="sha256:" + (digest[:8] if prefix_ok else "0" * 8))
    if prefix_ok:
        assert_same_params(load(fetch("test", **FAST)), served.params)
    else:
        with pytest.raises(WeightsError, match="sha256:00000000 were expected; the partial file was deleted"):
            fetch("test", **FAST)
        assert visible_files(weights_dir) == []


def test_cli_fetch_from_a_mirror_then_list_verify_remove_and_path(serve, served, weights_dir):
    """The registry's URL is dead; `--url` names a mirror. Then the management commands."""
    server = serve(["ok"], url="http://127.0.0.1:9/dead.h5")
    runner = CliRunner()
    fetched = runner.invoke(cli.app, ["weights", "fetch", "test", "--url", server.url])
    assert fetched.exit_code == 0, fetched.output
    path = weights_dir / "test.safetensors"
    assert str(path) in fetched.output and server.ranges == [""]

    line = next(x for x in runner.invoke(cli.app, ["weights", "list"]).output.splitlines() if x.startswith("test "))
    assert "installed, 59 MB" in line and "verified" in line and server.url in line
    assert runner.invoke(cli.app, ["weights", "path", "test"]).output.strip() == str(path)
    ok = runner.invoke(cli.app, ["weights", "verify", "test"])
    assert ok.exit_code == 0 and "test: ok" in ok.output

    data = bytearray(path.read_bytes())
    data[-1] ^= 0x40  # one flipped bit in the last tensor
    path.write_bytes(bytes(data))
    bad = runner.invoke(cli.app, ["weights", "verify"])
    assert bad.exit_code == 1 and "test: FAILED" in bad.output and "is corrupt" in bad.output

    removed = runner.invoke(cli.app, ["weights", "remove", "test"])
    assert removed.exit_code == 0 and not path.exists() and installed() == []
    gone = runner.invoke(cli.app, ["weights", "path", "test"])
    assert gone.exit_code == 1 and gone.stdout.strip() == str(path) and "not installed" in gone.output
    line = next(x for x in runner.invoke(cli.app, ["weights", "list"]).output.splitlines() if x.startswith("test "))
    assert "not installed" in line
    again = runner.invoke(cli.app, ["weights", "remove", "test"])
    assert again.exit_code != 0 and "test is not installed" in str(again.exception)

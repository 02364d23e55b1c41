"""What a fetch checks and reports: checksums and sizes, an unwritable folder, no network, and the weights commands."""

from __future__ import annotations

import errno
import hashlib
import re
import signal
import socket
import tempfile
import threading
import urllib.request

import pytest
from typer.testing import CliRunner

import cli
import test_download
from jaxart.errors import WeightsError
from jaxart.weights import check_writable, fetch, folder, installed, load
from test_download import FAST, visible_files
from test_weights import assert_same_params

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too


@pytest.mark.parametrize("change", ["checksum", "size"])
def test_wrong_checksum_or_size_deletes_the_partial_file(serve, served, weights_dir, change):
    wrong = {"checksum": {"checksum": "sha256:" + "0" * 64}, "size": {"size": len(served.body) - 1}}[change]
    serve(["ok"], **wrong)
    message = {"checksum": "vgg16_test.h5 has .* checksum sha256:.* the partial file was deleted",
               "size": r"the server sends ([\d,]+) bytes, and [\d,]+ were expected\); check the URL"}[change]
    with pytest.raises(WeightsError, match=message):  # a size the server announces is refused before any byte
        fetch("test", **FAST)
    assert list(weights_dir.iterdir()) == []  # nor the lock file of the fetch


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
    assert "installed, 56 MiB" in line and "verified" in line and server.url in line
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
    assert again.exit_code != 0 and "'test' is not installed" in str(again.exception)


@pytest.mark.parametrize("busy", ["429", "503"])
def test_a_busy_server_is_asked_again_and_the_fetch_succeeds(serve, served, weights_dir, busy):
    """429 (too many requests) and 5xx say "later", unlike a 404: giving up at once fails a fetch
    that the next attempt would complete."""
    server = serve([busy, "ok"])
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert server.ranges == ["", ""]


def test_a_complete_download_left_unverified_is_verified_without_downloading_it_again(serve, served, weights_dir):
    """A process that died between the last byte and the conversion left the whole file: the next
    fetch checks and converts it instead of fetching hundreds of MB again."""
    server = serve(["ok"])
    (weights_dir / ".test.partial").write_bytes(served.body)
    reports = []
    assert_same_params(load(fetch("test", lambda *report: reports.append(report), **FAST)), served.params)
    assert server.ranges == [] and not (weights_dir / ".test.partial").exists()
    assert reports == [(len(served.body), len(served.body))]  # a full bar, not `0/? bytes` as if nothing came


def test_a_404_deletes_a_partial_kept_from_an_earlier_try(serve, weights_dir):
    """Bytes of a file the server no longer has cannot be resumed; kept, they would only take space."""
    serve(["cut"])
    with pytest.raises(WeightsError, match="fetching again resumes there"):
        fetch("test", **FAST)
    assert (weights_dir / ".test.partial").exists()
    serve(["404"])
    with pytest.raises(WeightsError, match="HTTP 404"):
        fetch("test", **FAST)
    assert not (weights_dir / ".test.partial").exists()


def test_no_dns_fails_at_once_without_asking_again(serve, weights_dir, monkeypatch):
    """Offline, every retry fails the same way after a back-off: the user waits for nothing."""
    calls = []

    def offline(host, *args, **kwargs):
        calls.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    serve(["ok"])
    monkeypatch.setattr(socket, "getaddrinfo", offline)  # as a machine without DNS looks a name up
    with pytest.raises(WeightsError, match=r"Name or service not known\); download vgg16_test.h5 by other"):
        fetch("test", **{**FAST, "attempts": 3})
    assert len(calls) == 1


@pytest.mark.parametrize("bad", ["a folder in the way", "a file as the weights folder"])
def test_a_bad_target_is_one_line_before_any_download_bar_is_drawn(bad, serve, weights_dir, monkeypatch, capsys):
    """The bar would show, then vanish for the error: a download that was never going to happen."""
    import contextlib

    from jaxart import progress

    from conftest import run_main

    server, bars = serve(["ok"]), []

    @contextlib.contextmanager
    def bar(name, quiet=False, console=None):
        bars.append(name)
        yield None

    monkeypatch.setattr(progress, "download_bar", bar)
    if bad == "a folder in the way":
        (weights_dir / "test.safetensors").mkdir()
    else:
        monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(weights_dir / "file"))
        (weights_dir / "file").write_text("not a folder")
    code, _, err = run_main(["weights", "fetch", "test"], monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and err.startswith("error: cannot write"), err
    assert bars == [] and server.ranges == []


def test_ctrl_c_while_the_server_is_slow_keeps_the_bytes_that_arrived(serve, served, weights_dir):
    """The download read a whole MB before writing it: a Ctrl-C on a slow link lost up to a MB (all of this
    file's half), and the bar stood still meanwhile."""
    serve(["pause"])
    main, half, written = threading.get_ident(), len(served.body) // 2, threading.Event()

    def ctrl_c_once_half_is_written():  # told by the bar, which moves once the bytes are written: no sleep to guess
        if written.wait(10):
            signal.pthread_kill(main, signal.SIGINT)  # to the main thread, as a terminal's Ctrl-C reaches it

    threading.Thread(target=ctrl_c_once_half_is_written, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        fetch("test", lambda done, total: done >= half and written.set(), **FAST)
    assert folder.partial_path("test").stat().st_size == half


@pytest.mark.parametrize("scheme, variable", [("http", "HTTP_PROXY"), ("https", "https_proxy")])
def test_a_proxy_that_is_down_is_named_with_the_variable_to_check(serve, weights_dir, monkeypatch, request, scheme,
                                                                  variable):
    """It read "Connection refused", as if the server were down, and said to retry: not a word of the proxy."""
    for name in ("http_proxy", "https_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    with socket.socket() as s:  # a port that was just free, so nothing listens there
        s.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{s.getsockname()[1]}"
    server = serve(["ok"])
    monkeypatch.setenv(variable, proxy)
    urllib.request.install_opener(None)  # urlopen reads the proxies once, as it first builds its opener: anew
    request.addfinalizer(lambda: urllib.request.install_opener(None))  # and without this proxy for the next test
    url = server.url if scheme == "http" else "https://weights.example/vgg16_test.h5"  # the proxy resolves its name
    with pytest.raises(WeightsError, match=rf" through the proxy {re.escape(proxy)} that {variable} names "
                                           rf"\(.*Connection refused, after 1 attempt\); check {variable}, or unset "
                                           r"it to connect directly, or retry"):
        fetch("test", **{**FAST, "attempts": 1}, url=url)
    assert server.ranges == []
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # the proxy bypassed: nothing said of it
    if scheme == "http":
        fetch("test", **FAST)
        assert server.ranges == [""]

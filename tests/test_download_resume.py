"""A download cut off is resumed: the part fetched so far is kept, and the next attempt asks for the rest (or starts
afresh where the server cannot send it), for as long as attempts keep bytes; then the next fetch does; a Ctrl-C says
what is kept and how to go on."""

from __future__ import annotations


import pytest

import test_download
from jaxart.errors import WeightsError
from jaxart.weights import Speed, fetch, folder, installed, load, retries
from test_download import FAST, REMEDY, visible_files
from test_weights import assert_same_params

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too


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


def test_ctrl_c_during_a_fetch_says_what_is_kept_and_how_to_go_on(serve, weights_dir, monkeypatch, capsys):
    """It said only "error: interrupted", leaving a hidden partial file nobody was told of."""
    import signal

    from jaxart_cli import signals as cli_signals
    import jaxart.weights

    from conftest import run_main

    serve(["ok"])

    def cut(name, progress=None, url=None, **_):
        jaxart.weights.folder.partial_path(name).write_bytes(bytes(1234))
        cli_signals.on_sigint(signal.SIGINT, None)  # as a Ctrl-C arrives: recorded, then raised

    monkeypatch.setattr(jaxart.weights, "fetch", cut)
    code, _, err = run_main(["weights", "fetch", "test"], monkeypatch, capsys)
    assert code == 130 and len(err.splitlines()) == 1, err
    assert f"the 1,234 bytes of test downloaded so far are kept in {weights_dir / '.test.partial'}" in err
    assert "fetching again resumes there, `jaxart weights remove test` deletes them" in err
    with jaxart.weights.folder.lock("test"):  # Ctrl-C while waiting for another fetch: its bytes, not ours
        code, _, err = run_main(["weights", "fetch", "test"], monkeypatch, capsys)
    assert code == 130 and err.splitlines()[-1] == "error: interrupted", err


def test_a_retry_says_resuming_only_where_bytes_are_kept(serve, served, weights_dir):
    """It said "resuming" before an attempt from the start: after an error status with nothing kept, and after a 206
    of bytes from elsewhere, whose line says the kept bytes are dropped ("starting afresh")."""
    half = len(served.body) // 2
    serve(["500", "cut", "elsewhere206", "ok"])
    assert_same_params(load(fetch("test", **{**FAST, "attempts": 3}, notice=(said := []).append)), served.params)
    assert said == ["the download stopped (HTTP 500 Internal Server Error); attempt 2 of 3",
                    f"the download stopped (the connection closed after {half:,} of {len(served.body):,} bytes); "
                    "attempt 3 of 5, resuming",
                    f"the download stopped (the server answered a request from byte {half:,} with bytes from "
                    "elsewhere; starting afresh); attempt 4 of 5"], said


def test_a_206_with_less_than_the_rest_is_resumed_not_refused(serve, served, weights_dir):
    server = serve(["cut", "half206", "ok"])
    assert_same_params(load(fetch("test", **{**FAST, "attempts": 3})), served.params)
    assert len(server.ranges) == 3 and server.ranges[0] == "" and server.ranges[1] != server.ranges[2] != ""
    (weights_dir / "test.safetensors").unlink()
    server = serve(["cut", "elsewhere206", "ok"])  # bytes from past the byte asked for: a hole, refused
    assert_same_params(load(fetch("test", **{**FAST, "attempts": 3})), served.params)
    assert server.ranges[0] == server.ranges[2] == "" and server.ranges[1].startswith("bytes=")  # afresh
    (weights_dir / "test.safetensors").unlink()
    wrong = weights_dir / "wrong.h5"
    wrong.write_bytes(served.body[:3000])  # a file:// URL of another size: refused, not "resumed" forever
    with pytest.raises(WeightsError, match=r"the server sends 3,000 bytes, and [\d,]+ were expected"):
        fetch("test", **FAST, url=wrong.as_uri())


def test_a_206_from_before_the_byte_asked_for_skips_the_bytes_kept_and_resumes(serve, served, weights_dir):
    """A 206 whose bytes begin before the byte asked for (a server that sends whole blocks) overlaps those kept: RFC
    9110 lets it. The kept bytes were dropped and the file asked for again from its start; the overlap is skipped."""
    half = len(served.body) // 2
    server = serve(["cut", "overlap206"])  # the rest asked for from `half`, sent from `half // 2`
    assert_same_params(load(fetch("test", **{**FAST, "attempts": 3}, notice=(said := []).append)), served.params)
    assert server.ranges == ["", f"bytes={half}-"], server.ranges
    assert len(said) == 1 and said[0].endswith("resuming") and "afresh" not in said[0], said
    assert visible_files(weights_dir) == ["test.safetensors"] and not list(weights_dir.glob(".test.partial*"))


class _Dropping(test_download._Handler):
    """test_download's modes, and "drop-N": the rest of the file announced, N bytes of it sent, the connection closed,
    as Wi-Fi that drops every few minutes does (shrunk)."""

    def do_GET(self):
        srv = self.server.owner
        mode = srv.modes[min(len(srv.ranges) + 1, len(srv.modes)) - 1]
        if not mode.startswith("drop-"):
            return super().do_GET()
        srv.ranges.append(asked := self.headers.get("Range", ""))
        start = int(asked[len("bytes="):].rstrip("-")) if asked else 0
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(srv.body) - 1}/{len(srv.body)}")
        self.send_header("Content-Length", str(len(srv.body) - start))
        self.end_headers()
        self.wfile.write(srv.body[start:start + int(mode[len("drop-"):])])


def _failed(server, served, weights_dir, why: str, kept: int) -> str:
    """The line of a fetch that gave up after `why`, with `kept` bytes kept."""
    hint = (f"{kept:,} bytes are kept in {weights_dir / '.test.partial'} and fetching again resumes there, or "
            if kept else "retry, or ")
    return (f"could not download vgg16_test.h5 from {server.url} (the connection closed after {kept:,} of "
            f"{len(served.body):,} bytes, {why}); {hint}download vgg16_test.h5 by other means and run `{REMEDY}")


def test_a_download_that_keeps_bytes_each_attempt_goes_on_past_the_limit_to_the_whole_file(serve, served,
                                                                                          weights_dir):
    """Wi-Fi that drops every 10 minutes (here after 64 KB): every attempt kept bytes, yet the fetch failed after
    `attempts` of them, and the user ran it again. Only attempts in a row that keep under a window's bytes count."""
    server, said = serve(["drop-65536"], _Dropping), []
    assert_same_params(load(fetch("test", **FAST, notice=said.append)), served.params)  # FAST: 2 attempts
    drops = -(-len(served.body) // 65536)  # 6 for the 360 kB file
    assert drops > FAST["attempts"] and server.ranges == ["", *(f"bytes={k * 65536}-" for k in range(1, drops))]
    assert said[-1] == (f"the download stopped (the connection closed after {(drops - 1) * 65536:,} of "
                        f"{len(served.body):,} bytes); attempt {drops} of {drops + 1}, resuming")
    assert visible_files(weights_dir) == ["test.safetensors"] and not folder.partial_path("test").exists()


@pytest.mark.parametrize("sent", [0, 1000])
def test_attempts_that_keep_under_a_window_of_bytes_end_the_fetch_after_the_limit_as_before(serve, served,
                                                                                            weights_dir, sent):
    """None bytes, or 1,000 of the 60 KB a window asks for (a server that drops the connection at once)."""
    server = serve([f"drop-{sent}"], _Dropping)
    with pytest.raises(WeightsError) as error:
        fetch("test", **{**FAST, "attempts": 3})
    assert str(error.value) == _failed(server, served, weights_dir, "after 3 attempts", 3 * sent)
    assert len(server.ranges) == 3 and folder.partial_path("test").exists() == bool(sent)


def test_attempts_without_headway_after_some_with_it_end_the_fetch_saying_so(serve, served, weights_dir):
    server = serve(["drop-65536", "drop-0"], _Dropping)
    with pytest.raises(WeightsError) as error:
        fetch("test", **FAST)
    assert str(error.value) == _failed(server, served, weights_dir, "after 3 attempts, the last 2 in a row keeping "
                                       "under 60 KiB each", 65536)
    assert server.ranges == ["", "bytes=65536-", "bytes=65536-"]


def test_a_server_that_drops_each_connection_after_a_window_of_bytes_is_left_after_most_attempts(serve, served,
                                                                                                weights_dir):
    """1,000 bytes a window (the window shrunk to 1,000 bytes) is headway each time, and the file would take 366
    tries: more than a fetch makes, fewer than ten fetches do (retries.HOPELESS), so it goes on to the most."""
    server = serve(["drop-1000"], _Dropping)
    with pytest.raises(WeightsError) as error:
        fetch("test", **FAST, speed=Speed(min_rate=10_000, window=0.1))
    most = retries.MOST_ATTEMPTS
    assert str(error.value) == _failed(server, served, weights_dir, f"after {most} attempts, the most a fetch makes",
                                       most * 1000)
    assert len(server.ranges) == most


def test_a_server_whose_drops_leave_the_file_hopeless_is_left_after_five_attempts_saying_why(serve, served,
                                                                                            weights_dir):
    """A server dropping each connection after 60 KB, 550 MB to go (here 100 bytes, and 360 kB): each attempt made
    headway, so it was asked 200 times for 12 MB, under a bar that crept on, and the next fetch the same; the file
    would take 9,000. Five attempts tell: the rest would take over ten fetches' attempts (retries.HOPELESS). The line
    before the fifth said "attempt 5 of 6", a sixth that never came: now it says there may be fewer."""
    server, said = serve(["drop-100"], _Dropping), []
    with pytest.raises(WeightsError) as error:
        fetch("test", **FAST, speed=Speed(min_rate=1000, window=0.1), notice=said.append)
    left = len(served.body) - 500
    assert str(error.value) == (
        f"could not download vgg16_test.h5 from {server.url} (the connection closed after 500 of {len(served.body):,}"
        f" bytes, after 5 attempts that kept 100 bytes each on average, at which the {left / 1024:,.0f} KiB left would "
        f"take {left / 100:,.0f} more attempts (ten fetches make 2,000)); 500 bytes are kept in "
        f"{weights_dir / '.test.partial'} and another network or a mirror (--url) resumes there, or download "
        f"vgg16_test.h5 by other means and run `{REMEDY}")
    assert len(server.ranges) == 5 and folder.partial_path("test").stat().st_size == 500
    stopped = [f"the download stopped (the connection closed after {k * 100} of {len(served.body):,} bytes); "
               for k in range(1, 5)]
    assert said == [*(f"{line}attempt {k + 2} of {k + 3}, resuming" for k, line in enumerate(stopped[:3])),
                    f"{stopped[3]}attempt 5 of 6 (fewer where attempts keep too little for the file to come), resuming"]


@pytest.mark.parametrize("second", ["ok", "no-range"])
def test_interrupted_download_resumes_or_restarts_on_retry(serve, served, second):
    server = serve(["cut", second])
    assert_same_params(load(fetch("test", **FAST)), served.params)
    half = len(served.body) // 2
    assert server.ranges == ["", f"bytes={half}-"]


def test_a_checksum_mismatch_says_fetching_again_helps_only_after_a_resumed_download(serve, served, weights_dir):
    # Downloaded whole, the server would send the same wrong file again: the way out is another source.
    server = serve(["ok"], checksum="sha256:" + "0" * 64)
    with pytest.raises(WeightsError) as error:
        fetch("test", **FAST)
    message = str(error.value)
    assert f"deleted: {server.url} sends another file than the one registered: give --url a mirror" in message
    assert "fetch again" not in message and "`jaxart weights convert vgg16_test.h5 " in message
    # Continued from the bytes an earlier fetch kept, they may be another version's: once more, whole.
    folder.partial_path("test").write_bytes(served.body[:1000])
    with pytest.raises(WeightsError) as error:
        fetch("test", **FAST)
    assert ("its first 1,000 bytes came from an earlier fetch, so fetch again to download it whole; if that "
            f"mismatches too, {server.url} sends another file") in str(error.value)
    assert visible_files(weights_dir) == [] and not folder.partial_path("test").exists()


def test_a_checksum_mismatch_after_a_server_ignored_the_range_says_the_file_was_sent_whole(serve, served,
                                                                                          weights_dir):
    """A server that ignores Range sends the file from its start, replacing the kept bytes: the message said its
    first bytes came from an earlier fetch, and to fetch again, which would get the same wrong file."""
    server = serve(["no-range"], checksum="sha256:" + "0" * 64)
    folder.partial_path("test").write_bytes(served.body[:1000])
    with pytest.raises(WeightsError) as error:
        fetch("test", **FAST)
    message = str(error.value)
    assert server.ranges == ["bytes=1000-"] and "earlier fetch" not in message and "fetch again" not in message
    assert f"deleted: {server.url} sends another file than the one registered: give --url a mirror" in message


def test_a_416_to_the_request_for_the_rest_starts_afresh(serve, served, weights_dir):
    """416 (no such range): the bytes kept are no start of the server's file, or it takes no Range. The fetch ended,
    saying to check the URL, though the server sent the whole file when asked for it."""
    (weights_dir / ".test.partial").write_bytes(served.body[:3000])
    server = serve(["416", "ok"])
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert server.ranges == ["bytes=3000-", ""]
    assert visible_files(weights_dir) == ["test.safetensors"] and not (weights_dir / ".test.partial").exists()

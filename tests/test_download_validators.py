"""A resumed download asks for the rest only of the file its kept bytes came from: the first answer's strong ETag
(or Last-Modified) is kept beside the partial file and sent as If-Range, so a file changed on the server comes
whole, with a line saying so, where its rest appended to the old bytes failed the checksum. Servers that send a weak
ETag, ignore If-Range or answer 416 end in the right file or one clear line."""

from __future__ import annotations

import email.utils

import pytest

import test_download
from jaxart.errors import WeightsError
from jaxart.weights import fetch, folder, load
from test_download import FAST, visible_files
from test_download_redirects import _Elsewhere
from test_weights import assert_same_params

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too
DATE = "Sat, 05 Dec 2015 10:00:00 GMT"  # long before the server's Date: a strong validator


class _Versioned(test_download._Handler):
    """test_download's modes, its answers naming the file's version by the server's `etag` and `modified` (None:
    not sent), and a Range taken only where If-Range names that version (unless `if_range` is False: ignored).
    `asked` records each request's Range (`ranges` those taken), `if_ranges` its If-Range."""

    def do_GET(self):
        srv = self.server.owner
        srv.if_ranges = [*getattr(srv, "if_ranges", []), self.headers.get("If-Range")]
        srv.asked = [*getattr(srv, "asked", []), self.headers.get("Range", "")]
        asked = self.headers.get("If-Range")
        if asked is not None and getattr(srv, "if_range", True) and asked not in (srv.etag, srv.modified):
            del self.headers["Range"]  # the file changed: the whole new one
        super().do_GET()

    def end_headers(self):
        srv = self.server.owner
        for name, value in (("ETag", srv.etag), ("Last-Modified", srv.modified)):
            if value:
                self.send_header(name, value)
        super().end_headers()


def _versioned(serve, modes, body=None, etag=None, modified=None, if_range=True):
    server = serve(modes, handler=_Versioned)
    server.etag, server.modified, server.if_range = etag, modified, if_range
    server.body = body or server.body
    return server


def _then(server, modes, body, etag=None, modified=None, if_range=True):
    """`server` from now on: its file `body` of that version, answering as `modes`, its requests counted afresh."""
    server.modes, server.body, server.etag, server.modified, server.if_range = modes, body, etag, modified, if_range
    server.ranges, server.if_ranges, server.asked = [], [], []
    return server


def _old(body: bytes) -> bytes:
    """An older version of the file: as long, other bytes."""
    return bytes(b ^ 0x5A for b in body)


def _kept_of_the_old_file(serve, served, weights_dir, **version):
    """The server, having sent part of the old version before the connection was cut; the bytes kept."""
    server = _versioned(serve, ["cut"], body=_old(served.body), **version)
    with pytest.raises(WeightsError, match="fetching again resumes there"):
        fetch("test", **FAST)
    return server, (weights_dir / ".test.partial").stat().st_size


@pytest.mark.parametrize("version", [{"etag": '"v1"'}, {"etag": 'W/"v1"', "modified": DATE}])
def test_a_file_changed_on_the_server_since_the_kept_bytes_comes_whole_with_a_line_saying_so(
        version, serve, served, weights_dir):
    server, kept = _kept_of_the_old_file(serve, served, weights_dir, **version)
    later = DATE.replace("10:00", "11:00")
    changed = {"etag": '"v2"'} if version["etag"] == '"v1"' else {"etag": 'W/"v2"', "modified": later}
    _then(server, ["ok"], served.body, **changed)
    assert_same_params(load(fetch("test", **FAST, notice=(notices := []).append)), served.params)
    assert server.if_ranges == [version.get("modified", version["etag"])]  # a weak ETag is never sent
    assert server.asked == [f"bytes={kept}-"] and server.ranges == [""]  # asked for the rest, sent the new file
    assert notices == [f"the server's file changed since its first {kept:,} bytes were downloaded; downloading the "
                       "new one whole"]
    assert visible_files(weights_dir) == ["test.safetensors"] and not list(weights_dir.glob(".test.partial*"))


def test_a_file_unchanged_on_the_server_resumes(serve, served, weights_dir):
    server = _versioned(serve, ["cut"], etag='"v1"')
    with pytest.raises(WeightsError, match="fetching again resumes there"):
        fetch("test", **FAST)
    kept = (weights_dir / ".test.partial").stat().st_size
    _then(server, ["ok"], served.body, etag='"v1"')
    assert_same_params(load(fetch("test", **FAST, notice=(notices := []).append)), served.params)
    assert server.ranges == [f"bytes={kept}-"] and server.if_ranges == ['"v1"'] and notices == []


def test_a_last_modified_within_a_minute_of_the_answers_date_is_never_sent_and_the_resume_goes_as_before(
        serve, served, weights_dir):
    """RFC 9110 8.8.2.2: a date under a minute before the answer's Date is no strong validator (the file may have
    changed again in its second), and 13.1.5 forbids a client to send it as If-Range; it was sent."""
    just_now = email.utils.formatdate(usegmt=True)  # the test server's Date is now, too
    server = _versioned(serve, ["cut"], modified=just_now)
    with pytest.raises(WeightsError, match="fetching again resumes there"):
        fetch("test", **FAST)
    kept = (weights_dir / ".test.partial").stat().st_size
    assert not (weights_dir / ".test.partial.validator").exists()
    _then(server, ["ok"], served.body, modified=just_now)
    assert_same_params(load(fetch("test", **FAST, notice=(notices := []).append)), served.params)
    assert server.if_ranges == [None] and server.ranges == [f"bytes={kept}-"] and notices == []


def test_a_server_that_takes_no_range_sends_the_same_version_whole_without_a_word_of_a_change(
        serve, served, weights_dir):
    server = _versioned(serve, ["cut"], etag='"v1"')
    with pytest.raises(WeightsError, match="fetching again resumes there"):
        fetch("test", **FAST)
    _then(server, ["no-range"], served.body, etag='"v1"')
    assert_same_params(load(fetch("test", **FAST, notice=(notices := []).append)), served.params)
    assert server.if_ranges == ['"v1"'] and notices == []


def test_a_weak_etag_alone_resumes_as_before_and_a_mirror_is_not_asked_for_the_servers_version(
        serve, served, weights_dir):
    server = _versioned(serve, ["cut"], etag='W/"v1"')
    with pytest.raises(WeightsError, match="fetching again resumes there"):
        fetch("test", **FAST)
    _then(server, ["ok"], served.body, etag='W/"v1"')
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert server.ranges[0].startswith("bytes=") and server.if_ranges == [None]
    (weights_dir / "test.safetensors").unlink()
    _versioned(serve, ["cut"], etag='"v1"')
    with pytest.raises(WeightsError, match="fetching again resumes there"):
        fetch("test", **FAST)
    mirror = _versioned(serve, ["ok"], etag='"another"')  # the same file, its ETag the mirror's own
    assert_same_params(load(fetch("test", **FAST, url=mirror.url)), served.params)
    assert mirror.ranges[0].startswith("bytes=") and mirror.if_ranges == [None]


def test_a_server_that_ignores_if_range_ends_in_one_line_and_the_next_fetch_downloads_whole(
        serve, served, weights_dir):
    server, _ = _kept_of_the_old_file(serve, served, weights_dir, etag='"v1"')
    _then(server, ["ok"], served.body, etag='"v2"', if_range=False)  # the new file's rest after the old bytes
    with pytest.raises(WeightsError) as error:
        fetch("test", **FAST)
    message = str(error.value)
    assert "bytes came from an earlier fetch, so fetch again to download it whole" in message, message
    assert len(message.splitlines()) == 1 and not (weights_dir / ".test.partial").exists()
    _then(server, ["ok"], served.body, etag='"v2"', if_range=False)
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert server.ranges == [""]


def test_a_416_to_the_range_downloads_the_new_file_whole(serve, served, weights_dir):
    server, _ = _kept_of_the_old_file(serve, served, weights_dir, etag='"v1"')
    _then(server, ["416", "ok"], served.body, etag='"v2"', if_range=False)
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert server.ranges[0].startswith("bytes=") and server.ranges[1] == ""
    assert not folder.partial_path("test").exists()


def test_weights_remove_deletes_the_kept_validator_with_the_partial_file(serve, served, weights_dir):
    _kept_of_the_old_file(serve, served, weights_dir, etag='"v1"')
    assert (weights_dir / ".test.partial.validator").is_file()
    assert folder.remove("test") == [weights_dir / ".test.partial"]
    assert not list(weights_dir.glob(".test.partial*"))


@pytest.mark.parametrize("modes, etag, if_range", [(["404"], '"v1"', True), (["short"], '"v2"', True),
                                                   (["ok"], '"v2"', False), (["416", "404"], '"v1"', True)])
def test_a_failure_that_deletes_the_partial_file_deletes_its_validator_too(modes, etag, if_range, serve, served,
                                                                          weights_dir):
    """A 404, a file of the wrong size, a checksum mismatch (the new file's rest after the old bytes) or a 416 deleted
    `.test.partial` and left `.test.partial.validator` behind, a hidden file of no use to any later fetch."""
    server, _ = _kept_of_the_old_file(serve, served, weights_dir, etag='"v1"')
    assert (weights_dir / ".test.partial.validator").is_file()
    _then(server, modes, served.body, etag=etag, if_range=if_range)  # short: the changed file whole, too short
    with pytest.raises(WeightsError):
        fetch("test", **FAST)
    assert not list(weights_dir.glob(".test.partial*")), sorted(p.name for p in weights_dir.iterdir())


def test_a_redirector_that_picks_another_mirror_each_time_resumes_there_without_if_range(serve, served, weights_dir):
    """The validator was kept for the URL asked, and urllib sent it on to where a redirect led: mirror one's ETag went
    to mirror two, which sent its file whole (200), with a line saying the file changed, at every resume."""
    one = _versioned(serve, ["cut"], etag='"one"')
    two = _versioned(serve, ["ok"], etag='"two"')  # the same file, its ETag this mirror's own
    redirector = serve([f"to-{one.url}"], handler=_Elsewhere)  # registered last: the URL fetched
    with pytest.raises(WeightsError, match="fetching again resumes there"):
        fetch("test", **FAST)
    kept = (weights_dir / ".test.partial").stat().st_size
    redirector.modes = [f"to-{two.url}"]
    assert_same_params(load(fetch("test", **FAST, notice=(notices := []).append)), served.params)
    assert two.asked == [f"bytes={kept}-"] and two.if_ranges == [None] and two.ranges == [f"bytes={kept}-"]
    assert notices == [] and one.if_ranges[0] is None and set(one.if_ranges[1:]) == {'"one"'}  # its own, sent it


def test_a_redirect_to_the_same_place_sends_if_range_there_and_a_changed_file_comes_whole(serve, served, weights_dir):
    mirror = _versioned(serve, ["cut"], body=_old(served.body), etag='"v1"')
    serve([f"to-{mirror.url}"], handler=_Elsewhere)
    with pytest.raises(WeightsError, match="fetching again resumes there"):
        fetch("test", **FAST)
    kept = (weights_dir / ".test.partial").stat().st_size
    _then(mirror, ["ok"], served.body, etag='"v2"')
    assert_same_params(load(fetch("test", **FAST, notice=(notices := []).append)), served.params)
    assert mirror.if_ranges == ['"v1"'] and mirror.asked == [f"bytes={kept}-"] and mirror.ranges == [""]
    assert notices == [f"the server's file changed since its first {kept:,} bytes were downloaded; downloading the "
                       "new one whole"]

"""A download redirected elsewhere that fails there says where: a mirror's redirect to a host that is down, or to a
file that is gone, was told as a failure of the URL the user gave, which had answered."""

from __future__ import annotations

import socket

import pytest

import test_download
from jaxart.errors import WeightsError
from jaxart.weights import fetch
from test_download import FAST, visible_files

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too


class _Away(test_download._Handler):
    """test_download's modes, and "away-PORT": a redirect to /gone.h5 on 127.0.0.1:PORT (0: this server's port)."""

    def do_GET(self):
        srv = self.server.owner
        mode = srv.modes[min(len(srv.ranges) + 1, len(srv.modes)) - 1]
        if not mode.startswith("away-") or self.path == "/gone.h5":
            return super().do_GET()
        srv.ranges.append(self.headers.get("Range", ""))
        self.send_response(302)
        self.send_header("Location", f"http://127.0.0.1:{int(mode[5:]) or self.server.server_port}/gone.h5")
        self.send_header("Content-Length", "0")
        self.end_headers()


def _closed_port() -> int:
    with socket.socket() as s:  # bound, then closed: a connect to it is refused
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_redirect_to_a_host_that_refuses_names_where_it_led(serve, weights_dir):
    """It said "could not download ... from URL ([Errno 111] Connection refused, after 2 attempts)" of a server that
    had answered each attempt."""
    port = _closed_port()
    server = serve([f"away-{port}"], _Away)
    with pytest.raises(WeightsError, match=rf"^could not download vgg16_test.h5 from {server.url} \(\[Errno \d+\] "
                                           rf"Connection refused, at http://127.0.0.1:{port}/gone.h5, where it was "
                                           rf"redirected, after 2 attempts\); retry"):
        fetch("test", **FAST)
    assert visible_files(weights_dir) == []


@pytest.mark.parametrize("status", ["404", "403"])
def test_a_redirect_to_a_missing_file_names_where_it_led(serve, weights_dir, status):
    server = serve(["away-0", status], _Away)  # the redirect, then the status at /gone.h5
    gone = server.url.replace("/files/vgg16_test.h5", "/gone.h5")
    with pytest.raises(WeightsError, match=rf"from {server.url} \(HTTP {status} [A-Za-z ]+, at {gone}, where it was "
                                           rf"redirected\); check the URL"):
        fetch("test", **FAST)
    server = serve([status], _Away)  # not redirected: as it was
    with pytest.raises(WeightsError, match=rf"from {server.url} \(HTTP {status} [A-Za-z ]+\); check the URL"):
        fetch("test", **FAST)


class _Elsewhere(test_download._Handler):
    """test_download's modes, and "to-URL": a 302 whose Location is URL (no Location where URL is empty)."""

    def do_GET(self):
        srv = self.server.owner
        mode = srv.modes[min(len(srv.ranges) + 1, len(srv.modes)) - 1]
        if not mode.startswith("to-"):
            return super().do_GET()
        srv.ranges.append(self.headers.get("Range", ""))
        self.send_response(302)
        if mode[3:]:
            self.send_header("Location", mode[3:])
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.mark.parametrize("scheme", ["ftp", "file"])
def test_a_redirect_to_another_scheme_than_http_is_refused_naming_where(serve, weights_dir, scheme):
    """urllib followed one to ftp:// through its FTP handler, beyond the deadline and the speed rule, and its failure
    (a refused connect, retried) did not say it was redirected; one to file:// read "Redirection to url ... is not
    allowed"."""
    to = f"ftp://127.0.0.1:{_closed_port()}/pub/vgg16_test.h5" if scheme == "ftp" else "file:///etc/passwd"
    server, notices = serve([f"to-{to}"], _Elsewhere), []
    with pytest.raises(WeightsError) as error:
        fetch("test", **{**FAST, "attempts": 3}, notice=notices.append)
    assert str(error.value).startswith(
        f"could not download vgg16_test.h5 from {server.url} (HTTP 302 Found, redirected to {to}: jaxart follows "
        f"redirects to http(s):// URLs only); give --url the file's http(s):// URL, if it has one, or download"), error
    assert server.ranges == [""] and notices == [] and visible_files(weights_dir) == []  # not asked again


def test_a_redirect_that_says_not_where_is_told_as_a_broken_server(serve, weights_dir):
    """It read "HTTP 302 Found; check the URL", of a URL that the server had answered."""
    server = serve(["to-"], _Elsewhere)
    with pytest.raises(WeightsError) as error:
        fetch("test", **FAST)
    assert str(error.value).startswith(
        f"could not download vgg16_test.h5 from {server.url} (HTTP 302 Found without a Location header: the server "
        f"redirected without saying where); the server or mirror is broken: try again later, or give --url another "
        f"mirror, or download"), error
    assert server.ranges == [""] and visible_files(weights_dir) == []

"""A download goes through the opener installed with `urllib.request.install_opener`, as urlopen does: a user's
proxy or authentication set up that way was passed over, and the download went straight to the server."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import urllib.request

import pytest

import test_download
from jaxart.errors import WeightsError
from jaxart.weights import answer, fetch, proxies
from test_download import FAST
from test_download_answer import _silent_server

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too


@pytest.fixture
def installed(monkeypatch, request):
    """install_opener, put back as it was after the test; no proxy from the environment."""
    for name in ("http_proxy", "https_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    request.addfinalizer(lambda: urllib.request.install_opener(None))
    return urllib.request.install_opener


@contextlib.contextmanager
def _proxy(answer: bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbytes"):
    """Yields (its URL, the request heads it got): a proxy that answers each request itself with `answer`, by default
    a 5-byte file."""
    listener, heads = socket.create_server(("127.0.0.1", 0)), []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                with conn:
                    head = b""
                    while b"\r\n\r\n" not in head and (block := conn.recv(4096)):
                        head += block
                    heads.append(head.decode("latin-1"))
                    conn.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", heads
    finally:
        listener.close()


class _Signing(urllib.request.BaseHandler):
    """A handler of the user's: signs each HTTP request, noting its URL in `signed` (a list, shared with its copies
    as a cookie jar or password manager is)."""

    def __init__(self, signed: list[str]):
        self.signed = signed

    def http_request(self, request):
        self.signed.append(request.full_url)
        request.add_unredirected_header("Authorization", "Bearer user-token")
        return request


def test_an_installed_opener_s_proxy_and_handlers_are_used_and_it_is_left_as_it_was(installed):
    signing = _Signing([])
    with _proxy() as (proxy, heads):
        users = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}), signing)
        installed(users)
        with answer.within(urllib.request.Request("http://weights.invalid/x.h5"), 5.0, 5.0) as response:
            assert response.read() == b"bytes"  # weights.invalid has no address: the proxy answered
    assert heads[0].startswith("GET http://weights.invalid/x.h5 HTTP/1.1\r\n")
    assert "\r\nAuthorization: Bearer user-token\r\n" in heads[0] and signing.signed == ["http://weights.invalid/x.h5"]
    assert all(handler.parent is users for handler in users.handlers)  # its handlers were copied, not taken


def test_through_an_installed_opener_a_late_answer_s_connection_still_goes_at_the_deadline(installed):
    """Its HTTP handler is replaced by one whose connections the deadline reaches, as without one."""
    installed(urllib.request.build_opener(_Signing([])))
    with _silent_server() as (url, ended):
        assert answer.within(urllib.request.Request(url), 20.0, 0.2) is None
        for _ in range(40):
            if ended[0]:
                break
            threading.Event().wait(0.05)
        assert ended[0] == 1


def _nothing_listens() -> str:
    """The URL of a port on 127.0.0.1 that was just free, so nothing listens there."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("opener", ["its own proxy", "the environment's proxy", "no proxy"])
def test_a_failure_through_an_installed_opener_names_its_proxy(opener, installed, serve, monkeypatch):
    """The download went through the installed opener's ProxyHandler, and a failure named a proxy only from the
    environment: its own said "Connection refused" as if the server were down, and where it had no proxy for http,
    the line named HTTP_PROXY's, which the download never went through."""
    down, server = _nothing_listens(), serve(["ok"])
    url = server.url
    if opener == "its own proxy":
        installed(urllib.request.build_opener(urllib.request.ProxyHandler({"http": down})))
        via = rf" through the proxy {re.escape(down)} that the opener installed with urllib.request.install_opener " \
              r"names \(.*Connection refused, after 1 attempt\); check that proxy, or install an opener without it " \
              r"to connect directly, or retry"
    elif opener == "the environment's proxy":  # build_opener's ProxyHandler reads it: the variable is named
        monkeypatch.setenv("HTTP_PROXY", down)
        installed(urllib.request.build_opener())
        via = rf" through the proxy {re.escape(down)} that HTTP_PROXY names \(.*\); check HTTP_PROXY, or unset it"
    else:  # straight to the server, whatever HTTP_PROXY says
        monkeypatch.setenv("HTTP_PROXY", _nothing_listens())
        installed(urllib.request.build_opener(urllib.request.ProxyHandler({})))
        url = _nothing_listens() + "/vgg16_test.h5"
        via = rf"^could not download vgg16_test.h5 from {re.escape(url)} \(.*Connection refused"
    with pytest.raises(WeightsError, match=via) as failed:
        fetch("test", **{**FAST, "attempts": 1}, url=url)
    assert server.ranges == [] and (opener != "no proxy" or "proxy" not in str(failed.value)), failed.value


def test_an_installed_proxy_of_another_scheme_is_reached_by_the_deadline_too(installed):
    """An http:// request through an https:// proxy is sent again by the ProxyHandler's parent: the copy's own
    openers were bound to the installed original, so the TLS handshake with the proxy went through the installed
    opener, which the deadline does not reach, and held its thread to the read timeout (here 20 s)."""
    before = set(threading.enumerate())
    with _silent_server() as (url, ended):
        installed(urllib.request.build_opener(urllib.request.ProxyHandler({"http": url.replace("http:", "https:")})))
        assert answer.within(urllib.request.Request("http://weights.invalid/x.h5"), 20.0, 0.2) is None
        waiting = [t for t in threading.enumerate() if t not in before and t.name == "jaxart-answer"]
        for thread in waiting:
            thread.join(2)
        assert not any(t.is_alive() for t in waiting), "the handshake with the proxy went on past the deadline"
        for _ in range(40):
            if ended[0]:
                break
            threading.Event().wait(0.05)
        assert ended[0] == 1


def test_a_python_without_urllib_s_private_opener_name_downloads_through_the_environment(installed, monkeypatch):
    """urllib has no public reader of the installed opener, so its private name is read, in one place: where it is
    gone, no opener is installed (the environment's proxy is used and named), where every download raised
    AttributeError."""
    with _proxy() as (proxy, heads):
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.delattr(urllib.request, "_opener")
        with answer.within(urllib.request.Request("http://weights.invalid/x.h5"), 5.0, 5.0) as response:
            assert response.read() == b"bytes"
        assert proxies.proxy("http://weights.invalid/x.h5")[:2] == (proxy, "HTTP_PROXY")
    assert heads[0].startswith("GET http://weights.invalid/x.h5 HTTP/1.1\r\n")


class _Again(urllib.request.BaseHandler):
    """A handler of the user's that asks again for `/again` once `/first` is answered, by its opener's `open` without
    a timeout, so with socket's default one (not a number)."""

    def http_response(self, request, response):
        if request.full_url.endswith("/first"):
            response.close()
            return self.parent.open(request.full_url.replace("/first", "/again"))
        return response


def test_a_handler_s_request_without_a_timeout_takes_socket_s_default(installed):
    with _proxy() as (proxy, heads):
        installed(urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}), _Again()))
        with answer.within(urllib.request.Request("http://weights.invalid/first"), 5.0, 5.0) as response:
            assert response.read() == b"bytes"
    assert [h.split("\r\n")[0] for h in heads] == ["GET http://weights.invalid/first HTTP/1.1",
                                                   "GET http://weights.invalid/again HTTP/1.1"]


def test_an_installed_opener_s_proxy_is_passed_for_an_address_in_a_no_proxy_range(installed, serve, monkeypatch):
    """NO_PROXY's ranges reach an installed opener's ProxyHandler too, as its names do: urllib read 127.0.0.0/8 as a
    name and sent the download through the proxy, which answered with its own 5 bytes."""
    server = serve(["ok"])
    monkeypatch.setenv("NO_PROXY", "127.0.0.0/8")
    with _proxy() as (proxy, heads):
        installed(urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy})))
        fetch("test", **FAST)
    assert heads == [] and server.ranges == [""]

"""A download goes through the opener installed with `urllib.request.install_opener`, as urlopen does: a user's
proxy or authentication set up that way was passed over, and the download went straight to the server."""

from __future__ import annotations

import contextlib
import socket
import threading
import urllib.request

import pytest

from jaxart.weights import answer
from test_download_answer import _silent_server


@pytest.fixture
def installed(monkeypatch, request):
    """install_opener, put back as it was after the test; no proxy from the environment."""
    for name in ("http_proxy", "https_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    request.addfinalizer(lambda: urllib.request.install_opener(None))
    return urllib.request.install_opener


@contextlib.contextmanager
def _proxy():
    """Yields (its URL, the request heads it got): a proxy that answers each request itself with a 5-byte file."""
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
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbytes")

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

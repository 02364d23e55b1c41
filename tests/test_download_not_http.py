"""A URL whose port answers in another protocol than HTTP (SSH, or HTTPS asked by http://) is said to be so at once,
in a printable line: its first bytes were the reason, control bytes and all, retried as a cut-off download. An
https:// URL at a plain-HTTP port is said to be one at once, where its SSL error was retried with no hint."""

from __future__ import annotations

import dataclasses
import re
import socket
import threading

import pytest

import test_download
from jaxart.errors import WeightsError
from jaxart.weights import fetch, registry
from test_download import FAST, visible_files

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too


class _NotHttp(test_download._Handler):
    """Answers every request with the bytes `ANSWERS[mode]`, then closes."""

    ANSWERS = {"ssh": b"SSH-2.0-OpenSSH_9.6\r\n", "tls": b"\x15\x03\x01\x00\x02\x02\x16"}  # a TLS alert, no newline

    def do_GET(self):
        srv = self.server.owner
        srv.ranges.append(self.headers.get("Range", ""))
        self.wfile.write(self.ANSWERS[srv.modes[0]])
        self.close_connection = True


@pytest.mark.parametrize("mode, begins", [("ssh", r"'SSH-2\.0-OpenSSH_9\.6\\r\\n'"),
                                          ("tls", r"'\\x15\\x03\\x01\\x00\\x02\\x02\\x16'")])
def test_a_port_that_answers_in_another_protocol_is_said_at_once(serve, weights_dir, mode, begins):
    server = serve([mode], _NotHttp)
    with pytest.raises(WeightsError) as error:
        fetch("test", **{**FAST, "attempts": 3})
    message = str(error.value)
    assert message.isprintable(), message
    assert f"from {server.url} (the answer is not HTTP: it begins " in message, message
    assert re.search(rf"it begins {begins}, as a port of another protocol, or an https one asked by http://\); "
                     r"check the URL", message), message
    assert len(server.ranges) == 1 and visible_files(weights_dir) == []  # not asked again


def test_an_https_url_at_a_plain_http_port_is_said_at_once(serve, weights_dir):
    server = serve(["ok"])
    https, notices = server.url.replace("http://", "https://"), []
    with pytest.raises(WeightsError) as error:
        fetch("test", **{**FAST, "attempts": 3}, url=https, notice=notices.append)
    message = str(error.value)
    assert f"from {https} (" in message and "the server does not speak HTTPS at that port); " in message, message
    assert "if it serves plain HTTP there, give its URL as http://, or check the URL" in message, message
    assert notices == [] and visible_files(weights_dir) == []  # not retried


def test_an_https_server_that_closes_in_the_tls_handshake_is_told_so_with_http_to_try(weights_dir, monkeypatch):
    """Retried, as a busy server may do it, its last line read only OpenSSL's "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF
    occurred in violation of protocol": neither TLS nor HTTPS, nor the http:// URL to try."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def close_each() -> None:  # reads the ClientHello, then closes without a word
            for _ in range(3):
                conn, _ = listener.accept()
                with conn:
                    conn.recv(4096)

        threading.Thread(target=close_each, daemon=True).start()
        url, notices = f"https://127.0.0.1:{listener.getsockname()[1]}/vgg16_test.h5", []
        monkeypatch.setitem(registry.SOURCES, "test", dataclasses.replace(registry.SOURCES["vgg16"], name="test"))
        with pytest.raises(WeightsError) as error:
            fetch("test", **{**FAST, "attempts": 3}, url=url, notice=notices.append)
    message = str(error.value)
    assert f"from {url} (the server closed the HTTPS connection in TLS before answering: " in message, message
    assert ", after 3 attempts); if it serves plain HTTP there, give its URL as http://, or retry, or " in message
    assert len(notices) == 2 and visible_files(weights_dir) == []

"""An https:// connection reset before the server answered (in the TLS handshake: a busy server, or a firewall that
cuts HTTPS to a host) is said to be one, with what to try: its line read "[Errno 104] Connection reset by peer" alone,
and said only to retry. One reset while the file comes is said to be reset after N bytes, which the next attempt or
fetch resumes from: through TLS it read as the connection closed, and as plain HTTP as "[Errno 104]" alone; through
TLS its line says what to try as the handshake's does, where it said only to resume."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time

import pytest

import test_download
import test_download_hostile
import test_download_opener
from jaxart.errors import WeightsError
from jaxart.weights import fetch, load
from test_download import FAST, visible_files
from test_weights import assert_same_params

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too
installed = test_download_opener.installed  # its fixture: no proxy from the environment
certificate = test_download_hostile.certificate  # its fixture: a self-signed certificate for 127.0.0.1

TRY = ("a busy server or a firewall that cuts HTTPS to that host may reset it: fetch through your network's proxy "
       "(HTTPS_PROXY), or from an http:// mirror (--url), or ")


def _reset(sock: socket.socket) -> None:
    """Close `sock` with a TCP reset (RST), not a FIN, as a firewall that cuts a connection does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_a_reset_in_the_tls_handshake_says_what_it_was_and_what_to_try(serve, weights_dir, installed):
    serve(["ok"])  # registers "test"; the download never reaches it
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def reset_each() -> None:  # reads the ClientHello, then resets
            with contextlib.suppress(OSError):
                for _ in range(2):
                    conn, _ = listener.accept()
                    conn.recv(4096)
                    _reset(conn)

        threading.Thread(target=reset_each, daemon=True).start()
        url, notices = f"https://127.0.0.1:{listener.getsockname()[1]}/vgg16_test.h5", []
        with pytest.raises(WeightsError) as error:
            fetch("test", **FAST, url=url, notice=notices.append)
    message = str(error.value)
    assert (f"from {url} (the HTTPS connection was reset before an answer came, by the server or a firewall "
            "between: [Errno 104] Connection reset by peer, after 2 attempts); " + TRY + "retry, or download"
            ) in message, message
    assert len(notices) == 1 and "attempt 2 of 2" in notices[0]  # retried, as a busy server may reset


@pytest.mark.parametrize("tls", [True, False])
def test_a_reset_while_the_file_comes_is_said_to_be_one_and_the_next_fetch_resumes(
        tls, serve, served, weights_dir, installed, certificate, monkeypatch):
    cert, context = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server, body = serve(["ok"]), served.body
    half = len(body) // 2
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def send_half_then_reset() -> None:  # then, asked for the rest, its headers alone
            heads = [b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:half],
                     b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %d-%d/%d\r\nContent-Length: %d\r\n\r\n"
                     % (half, len(body) - 1, len(body), len(body) - half)]
            with contextlib.suppress(OSError):
                for sent in heads:
                    conn, _ = listener.accept()
                    conn = context.wrap_socket(conn, server_side=True) if tls else conn
                    conn.recv(4096)
                    conn.sendall(sent)
                    time.sleep(0.2)  # the bytes reach the client before the reset
                    _reset(conn)

        threading.Thread(target=send_half_then_reset, daemon=True).start()
        url = f"http{'s' if tls else ''}://127.0.0.1:{listener.getsockname()[1]}/vgg16_test.h5"
        with pytest.raises(WeightsError) as error:
            fetch("test", **{**FAST, "attempts": 1}, url=url)
    message = str(error.value)
    advice = TRY if tls else ""  # through TLS, what the handshake's reset says to try; plain HTTP has no such cure
    assert (f"(the connection was reset after {half:,} of {len(body):,} bytes, by the server or a firewall between, "
            f"after 2 attempts") in message and f"); {advice}{half:,} bytes are kept in " in message, message
    assert_same_params(load(fetch("test", **FAST)), served.params)  # from the registry's server, resuming
    assert server.ranges == [f"bytes={half}-"] and visible_files(weights_dir) == ["test.safetensors"]


def test_an_https_server_that_closes_while_the_file_comes_is_said_to_have_closed_not_reset(
        serve, weights_dir, installed, certificate, monkeypatch):
    """Most servers close without TLS's close_notify: that reads as the connection closing, not as a reset."""
    cert, context = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    serve(["cut", "404"], tls=context)
    with pytest.raises(WeightsError, match=r"\(HTTP 404 Not Found\)") as error:
        fetch("test", **FAST, notice=(notices := []).append)
    assert len(notices) == 1 and "(the connection closed after " in notices[0], (notices, error.value)

"""An https:// connection reset before the server answered (in the TLS handshake: a busy server, or a firewall that
cuts HTTPS to a host) is said to be one, with what to try: its line read "[Errno 104] Connection reset by peer" alone,
and said only to retry. One reset while the file comes reads, through TLS, as the connection closed after N bytes."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

import pytest

import test_download
import test_download_opener
from jaxart.errors import WeightsError
from jaxart.weights import fetch
from test_download import FAST

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too
installed = test_download_opener.installed  # its fixture: no proxy from the environment

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

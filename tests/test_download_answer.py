"""`answer.within`, urlopen in a thread with a deadline: what it leaves behind. An error status's connection is closed
as soon as the caller drops the error, as urlopen's own; the thread holds no reference that keeps it open."""

from __future__ import annotations

import contextlib
import gc
import socket
import threading
import urllib.error
import urllib.request

import pytest

from jaxart.weights import answer


@contextlib.contextmanager
def _busy_server():
    """Yields (url, closed): one connection answered 503 with a short body, then kept open until the client closes
    its end, which sets `closed`."""
    listener, closed = socket.create_server(("127.0.0.1", 0)), threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 5\r\n\r\nbusy!")
            conn.settimeout(10)
            with contextlib.suppress(OSError):
                while conn.recv(4096):
                    pass
                closed.set()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/x.h5", closed
    finally:
        listener.close()
        server.join(11)


@pytest.fixture
def no_collector():
    """Python's cycle collector off, so a reference cycle shows as what it is on a busy server: a socket left open
    until the collector happens to run, one more at each attempt's 503."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_an_error_status_s_connection_closes_once_the_error_is_dropped(no_collector):
    """Raised again in the caller's thread, the HTTPError's traceback held the frames that held it: each 503 kept its
    connection open (20 in a row, 20 sockets) until the collector broke the cycle."""
    with _busy_server() as (url, closed):
        try:
            answer.within(urllib.request.Request(url), 5.0, 5.0)
        except urllib.error.HTTPError as e:
            status = e.code
        assert status == 503
        assert closed.wait(5)


@contextlib.contextmanager
def _silent_server():
    """Yields (url, ended): a server that takes every connection and never answers; `ended` counts the connections
    whose client shut them down or closed them."""
    listener, stop, ended, lock = socket.create_server(("127.0.0.1", 0)), threading.Event(), [0], threading.Lock()

    def hold(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.05)
            while not stop.is_set():
                try:
                    if not conn.recv(4096):  # the client's end shut down or closed
                        with lock:
                            ended[0] += 1
                        return
                except TimeoutError:
                    pass
                except OSError:
                    return

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                threading.Thread(target=hold, args=(listener.accept()[0],), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/x.h5", ended
    finally:
        stop.set()
        listener.close()


def test_an_answer_too_late_lets_its_connection_go_at_the_deadline():
    """The thread waiting for the answer was left to the read timeout (or, with headers trickled within it, to the
    server): each timed-out attempt kept a socket and a thread, up to retries.MOST_ATTEMPTS of them."""
    with _silent_server() as (url, ended):
        for _ in range(5):  # a read timeout of 20 s, far past the 0.2 s deadline
            assert answer.within(urllib.request.Request(url), 20.0, 0.2) is None
        for _ in range(40):
            if ended[0] == 5 and not any(t.name == "jaxart-answer" for t in threading.enumerate()):
                break
            threading.Event().wait(0.05)
        assert ended[0] == 5, f"{5 - ended[0]} of 5 connections still open 2 s after their deadline"
        assert not [t for t in threading.enumerate() if t.name == "jaxart-answer"]


@contextlib.contextmanager
def _unanswered_connect():
    """Yields the URL of a listener that never accepts, its backlog filled first: a connect to it waits for a SYN-ACK
    that never comes, as behind a firewall that drops packets."""
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener, contextlib.ExitStack() as fillers:
        for _ in range(8):  # a backlog of 0 takes one or two, whatever the kernel: the rest wait too
            filler = fillers.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(listener.getsockname())
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/x.h5", [0]


@pytest.mark.parametrize("stall", ["connect", "handshake"])
def test_a_connect_or_tls_handshake_that_stalls_is_let_go_at_the_deadline(stall):
    """Only a connected socket was reachable: a connect, or a TLS handshake that the server never answered, went on
    past the deadline to the read timeout (here 20 s), holding its thread and socket meanwhile."""
    before = set(threading.enumerate())
    with (_unanswered_connect() if stall == "connect" else _silent_server()) as (url, ended):
        url = url if stall == "connect" else url.replace("http:", "https:")
        assert answer.within(urllib.request.Request(url), 20.0, 0.2) is None
        waiting = [t for t in threading.enumerate() if t not in before and t.name == "jaxart-answer"]
        for thread in waiting:
            thread.join(2)
        assert not any(t.is_alive() for t in waiting), f"its {stall} went on past the deadline"
        for _ in range(40):  # the server saw the client's ClientHello, then its end shut down
            if ended[0] or stall == "connect":
                break
            threading.Event().wait(0.05)
        assert ended[0] == (stall == "handshake")

"""A server's answer to a GET (its status line and headers), waited for no longer than a deadline.

urllib's timeout bounds each read, not the answer: a server that sent a header byte every few seconds held an
attempt for as long as it went on. urllib takes no deadline, so the request runs in a thread of its own, through an
opener whose connections the waiting thread can reach: at the deadline it shuts them down, which ends the thread's
read at once, and urllib closes the connection. Left to finish by itself, the thread kept its socket until the read
timeout, or for as long as the server trickled: one of each per attempt that timed out.
"""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.request


class _Connections:
    """The connections one request opens (a redirect opens another), which `drop` shuts down from another thread."""

    def __init__(self):
        self.lock, self.open, self.dropped = threading.Lock(), [], False

    def connected(self, connection: http.client.HTTPConnection) -> None:
        """Called by `connection` once connected: kept to be dropped, or closed at once where it came too late."""
        with self.lock:
            if not self.dropped:
                self.open.append(connection)
                return
        connection.close()
        raise ConnectionAbortedError("the answer was no longer waited for")

    def drop(self) -> None:
        with self.lock:
            self.dropped = True
            sockets = [c.sock for c in self.open if c.sock is not None]
        for sock in sockets:  # a recv blocked in the other thread returns; close alone would not wake it
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # closed meanwhile
                pass


class _Reachable:
    """A connection that tells `connections` of itself once connected (a TLS handshake or proxy tunnel included)."""

    def __init__(self, *args, connections: _Connections, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections = connections

    def connect(self) -> None:
        super().connect()
        self.connections.connected(self)


class _HTTPConnection(_Reachable, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Reachable, http.client.HTTPSConnection):
    pass


class _Handing:
    """A urllib handler whose connections are `_Reachable` ones, reporting to `connections`."""

    def __init__(self, connections: _Connections):
        super().__init__()
        self.connections = connections

    def do_open(self, http_class, req, **kwargs):
        reachable = _HTTPSConnection if issubclass(http_class, http.client.HTTPSConnection) else _HTTPConnection
        return super().do_open(reachable, req, connections=self.connections, **kwargs)


class _HTTPHandler(_Handing, urllib.request.HTTPHandler):
    pass


class _HTTPSHandler(_Handing, urllib.request.HTTPSHandler):
    pass


def within(request: urllib.request.Request, timeout: float, seconds: float):
    """`urllib.request.urlopen(request, timeout=timeout)`, or None where the answer's status line and headers did not
    all come within `seconds` (its connection shut down then); raises what urlopen raises (an HTTP error status, a
    refused connection, ...)."""
    got: list[tuple[object, BaseException | None]] = []  # (the response, or the error urlopen raised)
    lock, came, left = threading.Lock(), threading.Event(), threading.Event()
    connections = _Connections()
    # As urlopen's default opener (its handlers, proxies from the environment, redirects, the default HTTPS context
    # and SSL_CERT_FILE), built anew, so the proxies are read at each request; one installed with
    # `urllib.request.install_opener` is not used (jaxart installs none).
    opener = urllib.request.build_opener(_HTTPHandler(connections), _HTTPSHandler(connections))

    def ask() -> None:
        try:
            result = (opener.open(request, timeout=timeout), None)
        except BaseException as e:  # raised again in the caller's thread
            result = (None, e)
        with lock:
            if not left.is_set():
                got.append(result)
                came.set()
                result = ()  # the caller's: the error's traceback holds this frame, which must not hold it back
        for thing in result:  # no one waits for it: an HTTPError holds its connection too
            if hasattr(thing, "close"):
                thing.close()

    threading.Thread(target=ask, name="jaxart-answer", daemon=True).start()
    try:  # a Ctrl-C while waiting lets the connection go, as the deadline does
        came.wait(max(seconds, 0.0))
    finally:
        with lock:
            if not got:
                left.set()
        if left.is_set():
            connections.drop()
    if left.is_set():
        return None
    response, error = got.pop()
    if error is None:
        return response
    try:
        raise error
    finally:  # as `except E as e` does: held here, the error and its connection lived until the cycle collector ran
        del error

"""A server's answer to a GET (its status line and headers), waited for no longer than a deadline.

urllib's timeout bounds each step (a connect to each of a name's addresses, each read of a TLS handshake or of the
headers), not the answer: a server that sent a header byte every few seconds held an attempt for as long as it went
on. urllib takes no deadline, so the request runs in a thread of its own, through an opener whose sockets the waiting
thread can reach from the moment each is made: at the deadline it shuts them down, which ends the thread's connect,
handshake or read at once, and urllib closes the connection. Left to finish by itself, the thread kept its socket
until the read timeout, or for as long as the server trickled: one of each per attempt that timed out. Only a
connected socket was reachable at first, so a stalled connect or TLS handshake went on past the deadline. A name
lookup (getaddrinfo) alone cannot be cut short; the resolver's own timeouts bound it.

The opener is urlopen's: the one installed with `urllib.request.install_opener` (a user's proxy or authentication),
with copies of its handlers, so it is left as it was; else urlopen's default, built anew, so the proxies are read
from the environment at each request. Either way its HTTP and HTTPS handlers open reachable connections, and its
proxies are passed by the hosts that NO_PROXY's address ranges hold too (`proxies.bypassing`).
"""

from __future__ import annotations

import copy
import functools
import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from jaxart.weights import proxies

class _Sockets:
    """The sockets one request makes (a redirect makes another), which `drop` shuts down from another thread; each
    connect ends by `until` (time.monotonic()) too, as a shutdown before a connect begins does not last."""

    def __init__(self, until: float):
        self.until, self.lock, self.open, self.dropped = until, threading.Lock(), [], False
        self.asked = ""  # the URL of the request opened last: a redirect's, where one was followed

    def made(self, sock: socket.socket) -> socket.socket:
        """`sock`, kept to be dropped, where the answer is still waited for (else closed, raising): as it is made,
        before it connects or handshakes, and once connected, as a drop before its connect began did not last."""
        with self.lock:
            if not self.dropped:
                if sock not in self.open:
                    self.open.append(sock)
                return sock
        sock.close()
        raise ConnectionAbortedError("the answer was no longer waited for")

    def drop(self) -> None:
        with self.lock:
            self.dropped = True
            sockets = list(self.open)
        for sock in sockets:  # a connect, handshake or recv blocked in the other thread returns; close would not
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # closed meanwhile, or handed on to its TLS socket (which is dropped too)
                pass


def _connect(sockets: _Sockets, address, timeout, source_address=None) -> socket.socket:
    """`socket.create_connection(address, timeout, source_address)`, each socket made known to `sockets` before it
    connects, and its connect ended by `sockets.until`: each address tried in turn, the last one's error raised."""
    if timeout is not None and not isinstance(timeout, (int, float)):  # socket's own default, a private object: a
        timeout = socket.getdefaulttimeout()  # handler's `parent.open(request)` without a timeout passes it
    found = socket.getaddrinfo(*address, 0, socket.SOCK_STREAM)
    for i, (family, kind, proto, _, where) in enumerate(found):
        sock = sockets.made(socket.socket(family, kind, proto))
        try:
            if source_address:
                sock.bind(source_address)
            if (left := sockets.until - time.monotonic()) <= 0:
                raise TimeoutError("timed out")
            sock.settimeout(left if timeout is None else min(timeout, left))
            sock.connect(where)
            sock.settimeout(timeout)
            return sockets.made(sock)
        except OSError:
            sock.close()
            if i == len(found) - 1:
                raise
    raise OSError("getaddrinfo returns an empty list")


class _Reachable:
    """A connection whose sockets `sockets` knows before they connect (to the server, or to a proxy)."""

    def __init__(self, *args, sockets: _Sockets, **kwargs):
        super().__init__(*args, **kwargs)
        self.sockets = sockets
        self._create_connection = functools.partial(_connect, sockets)  # where http.client keeps create_connection


class _HTTPConnection(_Reachable, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Reachable, http.client.HTTPSConnection):
    def connect(self) -> None:
        """HTTPSConnection's, its TLS socket made known before the handshake, which a shutdown then ends."""
        http.client.HTTPConnection.connect(self)  # through a proxy's tunnel, where there is one
        tls = self._context.wrap_socket(self.sock, server_hostname=self._tunnel_host or self.host,
                                        do_handshake_on_connect=False)
        self.sock = self.sockets.made(tls)
        tls.do_handshake()

    def getresponse(self) -> http.client.HTTPResponse:
        """HTTPSConnection's, its body read with TLS's end told (range_get.read1): a reset while it came read, as the
        connection closing without TLS's close_notify does, as its end, "closed after N bytes"."""
        tls = self.sock
        response = super().getresponse()  # the headers: an end before them is urllib's RemoteDisconnected, as before
        tls.suppress_ragged_eofs = False
        return response


def _reaching(handler: urllib.request.BaseHandler, sockets: _Sockets,
              if_range: tuple[str, str] | None) -> urllib.request.BaseHandler:
    """`handler`, made to open reachable connections where it is an HTTP or HTTPS one (a subclass of the user's
    too: its `do_open` is kept, and given our connection class), and to send `if_range` where a redirect leads."""
    if isinstance(handler, urllib.request.AbstractHTTPHandler):
        do_open = handler.do_open

        def reaching(http_class, request, **kwargs):
            sockets.asked = request.full_url
            tls = issubclass(http_class, http.client.HTTPSConnection)
            reachable = functools.partial(_HTTPSConnection if tls else _HTTPConnection, sockets=sockets)
            return do_open(reachable, request, **kwargs)

        handler.do_open = reaching  # an instance's method, as ProxyHandler sets its own per scheme
    if isinstance(handler, urllib.request.HTTPRedirectHandler):
        handler.redirect_request = functools.partial(_http_only, handler.redirect_request, if_range)
    return handler


def _http_only(redirect_request, if_range, request, fp, code, msg, headers, newurl):
    """`redirect_request`, refusing a redirect to another scheme than http(s) as urllib refuses one to file://: it
    followed one to ftp:// through its FTP handler, out of the deadline's reach. The request it makes sends
    `if_range` where it goes to its URL (see `within`)."""
    if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
        raise urllib.error.HTTPError(newurl, code, f"{msg} - Redirection to url '{newurl}' is not allowed", headers, fp)
    new = redirect_request(request, fp, code, msg, headers, newurl)
    return _validated(new, if_range) if new is not None else None


def _validated(request: urllib.request.Request, if_range: tuple[str, str] | None) -> urllib.request.Request:
    """`request`, sending If-Range where `if_range` is (its URL's, the value) and none elsewhere: urllib passes a
    request's headers on to where a redirect leads, and a validator from one server named no version of another's
    file, which a redirector that picks another mirror each time then sent whole, as a file changed."""
    request.remove_header("If-range")  # as add_header writes it
    if if_range and request.full_url == if_range[0]:
        request.add_header("If-Range", if_range[1])
    return request


def _opener(sockets: _Sockets, if_range: tuple[str, str] | None) -> urllib.request.OpenerDirector:
    """urlopen's opener (see the module's docstring), its connections reachable by `sockets`."""
    if (users := proxies.installed()) is None:
        opener = urllib.request.build_opener()
        for handler in opener.handlers:
            _reaching(proxies.bypassing(handler), sockets, if_range)
        return opener
    opener = urllib.request.OpenerDirector()
    opener.addheaders = list(users.addheaders)
    for handler in users.handlers:  # copies: add_handler makes a handler's parent the new opener
        opener.add_handler(_reaching(proxies.bypassing(copy.copy(handler)), sockets, if_range))
    return opener


def within(request: urllib.request.Request, timeout: float, seconds: float, if_range: tuple[str, str] | None = None):
    """`urllib.request.urlopen(request, timeout=timeout)`, or None where the answer's status line and headers did not
    all come within `seconds` (its connection shut down then); raises what urlopen raises (an HTTP error status, a
    refused connection, ...), a URLError's `filename` the URL it failed at, as an HTTPError's is. `if_range`, (URL,
    validator), is sent as If-Range in the request to that URL only: `request`, or one a redirect makes."""
    got: list[tuple[object, BaseException | None]] = []  # (the response, or the error urlopen raised)
    lock, came, left = threading.Lock(), threading.Event(), threading.Event()
    # A connect is ended by the deadline's shutdown, or a second later where it began after it (see _Sockets): its
    # error then never comes before the deadline, to be taken for the answer.
    sockets = _Sockets(time.monotonic() + max(seconds, 0.0) + 1.0)
    opener, request = _opener(sockets, if_range), _validated(request, if_range)

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
            sockets.drop()
    if left.is_set():
        return None
    response, error = got.pop()
    if error is None:
        return response
    if isinstance(error, urllib.error.URLError) and error.filename is None:  # as an HTTPError's, the URL it failed at
        error.filename = sockets.asked or None  # a redirect's, where a refused connect named none
    try:
        raise error
    finally:  # as `except E as e` does: held here, the error and its connection lived until the cycle collector ran
        del error

"""A server's answer to a GET (its status line and headers), waited for no longer than a deadline.

urllib's timeout bounds each read, not the answer: a server that sent a header byte every few seconds held an
attempt for as long as it went on. urllib takes no deadline, so `urlopen` runs in a thread of its own, which is
left to finish by itself at the deadline: each of its reads still ends within the timeout, and it closes the
connection once the server has answered or stopped.
"""

from __future__ import annotations

import threading
import urllib.request


def within(request: urllib.request.Request, timeout: float, seconds: float):
    """`urllib.request.urlopen(request, timeout=timeout)`, or None where the answer's status line and headers did not
    all come within `seconds`; raises what urlopen raises (an HTTP error status, a refused connection, ...)."""
    got: list[tuple[object, BaseException | None]] = []  # (the response, or the error urlopen raised)
    lock, came, left = threading.Lock(), threading.Event(), threading.Event()

    def ask() -> None:
        try:
            result = (urllib.request.urlopen(request, timeout=timeout), None)
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
    try:  # a Ctrl-C while waiting leaves the answer to the thread, as the deadline does
        came.wait(max(seconds, 0.0))
    finally:
        with lock:
            if not got:
                left.set()
    if left.is_set():
        return None
    response, error = got.pop()
    if error is None:
        return response
    try:
        raise error
    finally:  # as `except E as e` does: held here, the error and its connection lived until the cycle collector ran
        del error

"""The signals that stop a run: caught instead of killing, and answered between steps."""

from __future__ import annotations

import contextlib
import signal

from jaxart.deferral import STOPS, put_back


@contextlib.contextmanager
def stop_signals():
    """Yields `stopped() -> signal number or None`: SIGINT, SIGTERM and SIGHUP set it instead of killing
    (one ignored at start, as SIGHUP under `nohup` or SIGINT in a background job, stays ignored).

    The run checks it after every step (python loop) or chunk, so a signal never interrupts
    JAX mid-computation; the previous handlers come back on exit, all of them also where a signal comes as they are
    swapped or put back and a handler not yet swapped, or put back already, answers it by raising (`put_back`).
    """
    # jaxart_cli.signals.catch sets the same three for the CLI: it may not import jaxart (JAX) early
    caught: list[int] = []
    handler = lambda signum, frame: caught.append(signum)
    previous = {}  # each recorded before it is swapped: a KeyboardInterrupt between the two left ours unrecorded
    try:
        for s in STOPS:
            if (found := signal.getsignal(s)) not in (signal.SIG_IGN, None):  # None: set outside Python, not put back
                previous[s] = found
                signal.signal(s, handler)
        yield lambda: caught[0] if caught else None
    finally:
        put_back(previous)

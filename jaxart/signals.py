"""The signals that stop a run: caught instead of killing, and answered between steps."""

from __future__ import annotations

import contextlib
import signal


@contextlib.contextmanager
def stop_signals():
    """Yields `stopped() -> signal number or None`: SIGINT, SIGTERM and SIGHUP set it instead of killing
    (one ignored at start, as SIGHUP under `nohup` or SIGINT in a background job, stays ignored).

    The run checks it after every step (python loop) or chunk, so a signal never interrupts
    JAX mid-computation; the previous handlers come back on exit.
    """
    # jaxart_cli.signals.catch sets the same three for the CLI: it may not import jaxart (JAX) early
    caught: list[int] = []
    handler = lambda signum, frame: caught.append(signum)
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
                if signal.getsignal(s) is not signal.SIG_IGN}
    try:
        yield lambda: caught[0] if caught else None
    finally:
        for s, h in previous.items():
            signal.signal(s, h)

"""The signals that stop a run: caught instead of killing, and answered between steps."""

from __future__ import annotations

import contextlib
import signal

from jaxart.deferral import catch, put_back


def interrupted_by(signum: int) -> str:
    """"interrupted", with " by SIGTERM" (or SIGHUP) where that, not Ctrl-C (SIGINT), was the signal: a run's lines
    and the CLI's say a signal alike (a Ctrl-C was "interrupted" before a run began, "interrupted by SIGINT" in it)."""
    return "interrupted" + ("" if signum == signal.SIGINT else f" by {signal.Signals(signum).name}")


@contextlib.contextmanager
def stop_signals():
    """Yields `stopped() -> signal number or None`: SIGINT, SIGTERM and SIGHUP set it instead of killing
    (one ignored at start, as SIGHUP under `nohup` or SIGINT in a background job, stays ignored).

    The run checks it after every step (python loop) or chunk, so a signal never interrupts
    JAX mid-computation; the previous handlers come back on exit, all of them also where a signal comes as they are
    swapped or put back and a handler not yet swapped, or put back already, answers it by raising (`put_back`).
    """
    caught: list[int] = []
    previous = {}  # each recorded before it is swapped: a KeyboardInterrupt between the two left ours unrecorded
    try:
        catch(lambda signum, frame: caught.append(signum), previous)
        yield lambda: caught[0] if caught else None
    finally:
        put_back(previous)

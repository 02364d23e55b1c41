"""The signals that stop a run: their handlers swapped and put back (`catch`, `put_back`), or the signals deferred
over a block, so that what makes a file and registers its removal (`locks`) is not stopped between the two, and a stop
that came meanwhile is answered once the block has ended."""

from __future__ import annotations

import contextlib
import signal
import threading

# What stops a run: Ctrl-C, and the SIGTERM and SIGHUP a caller (jaxart's CLI) may answer with a handler. `catch` and
# `put_back` swap a run's handlers (`signals.stop_signals`) and the CLI's (jaxart_cli.signals, errors.run, cli.py): this
# module loads no JAX, and cli.py imports it first of all.
STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def catch(handler, previous: dict | None = None) -> dict:
    """Set `handler` for each of STOPS not ignored (`nohup`, a background job) nor set outside Python (None: it cannot
    be put back); returns the handlers it replaced, in `previous` where given. Each is recorded there before it is
    replaced: where a handler not yet replaced (or `handler`) answers a signal by raising as this runs, `previous`
    holds all that were, for `put_back`. A comprehension lost them."""
    previous = {} if previous is None else previous
    for s in STOPS:
        if (found := signal.getsignal(s)) not in (signal.SIG_IGN, None):
            previous[s] = found
            signal.signal(s, handler)
    return previous


@contextlib.contextmanager
def signals_deferred():
    """The block's STOPS answered once it has ended, as the handlers it found would (by default a KeyboardInterrupt),
    each once; in a nested block, at the outer one's end. Handlers run in the main thread alone: elsewhere nothing is
    deferred, nor need be.

    The handlers are swapped, not the signals blocked up front: the kernel hands a signal the main thread blocks to
    another thread (JAX starts a dozen), and Python still runs its handler in the main one. One that comes is kept
    pending by the kernel instead (blocked in the main thread and raised again), so that putting the handlers back
    and answering it is one step that no other signal can split: a list of those to answer was lost where one came
    just before it was answered. A signal as the handlers are put back leaves none of this block's installed. A
    thread or process started in the block after a signal came would inherit its blocking: the block only makes a
    file or folder and registers its removal or closing (the CLI's: `ctx.with_resource(locks.writing(out))`, whose
    lock file is made in a nested block, answered once ctx will release the lock).

    A signal is answered also where the block raised: errors.run's handler then ends the command as interrupted (exit
    128 + the signal). The CLI's own deferral answered none there: a Ctrl-C as another run's lock was found, lost."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    deferring, found, blocked = True, {}, set()

    def later(signum, frame):
        if not deferring:  # over, but two signals stopped the handlers found from all being put back
            found[signum](signum, frame)
            return
        if signum not in signal.pthread_sigmask(signal.SIG_BLOCK, {signum}):  # not the caller's: unblocked at the end
            blocked.add(signum)
        signal.raise_signal(signum)  # pending until then; twice, it is answered once

    try:
        for s in STOPS:
            if callable(handler := signal.getsignal(s)):  # not SIG_DFL, SIG_IGN, or one set outside Python
                found[s] = handler
                signal.signal(s, later)
        yield
    finally:
        try:
            put_back(found, blocked)
        finally:
            deferring = False


def put_back(found: dict, blocked: set = frozenset()) -> None:
    """Set each of the handlers `found` again, then let the kernel deliver the signals `blocked` (pending, only
    `signals_deferred`'s): Python answers each by the handler put back, and one that raises leaves the others due.
    Where a signal comes meanwhile and its handler (one put back already, or the caller's: the CLI's raise a
    KeyboardInterrupt) raises, all this is done again first, then it is raised: a loop stopped there left the others
    with a handler nobody read (a later `kill` ignored). One already set is left: outside the main thread, where none
    can be set, none was swapped."""
    try:
        for s, handler in found.items():
            if signal.getsignal(s) is not handler:
                signal.signal(s, handler)
        if blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, blocked)
    except BaseException:
        put_back(found, blocked)
        raise

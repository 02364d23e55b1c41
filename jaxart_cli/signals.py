"""Ctrl-C, SIGTERM and SIGHUP outside a run: recorded, or the command ended at once while the libraries load.
Only `gc`, `os`, `signal`, `sys`, `threading` and jaxart.signals (a run's words for a signal; it loads
jaxart.deferral, no JAX) are imported: cli.py imports this first, before anything slower, to answer a Ctrl-C while the
rest loads. The handlers are swapped and put back by jaxart.deferral, a run's as the CLI's."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading

from jaxart.signals import interrupted_by as _interrupted_by

# Ctrl-C outside a run (a run's: signals.stop_signals). While the libraries load it ends the command at once (see
# `stop_loading`), not as a KeyboardInterrupt: in a native module's initialisation that aborts the process (jaxlib) or
# is an ImportError (numpy). Later Python drops one raised in a garbage-collection callback (JAX has one), a __del__
# or a weakref callback ("Exception ignored" and a traceback) and goes on; there it is only recorded, and
# `stop_if_interrupted` ends the command at the next check. SIGTERM (`kill`, `timeout`, a batch scheduler) and SIGHUP
# (a closed terminal) are answered the same way, with their own exit codes: their default action killed the process
# silently, leaving a file half written. One ignored at start stays so (POSIX): `nohup`'s SIGHUP, a `&` job's SIGINT.
# Their handlers are swapped and put back by jaxart.deferral's `catch` and `put_back`, as a run's are.
SIGINTS: list[int] = []


def stop_loading(signum, frame) -> None:
    """While cli.py imports the libraries nothing is written yet: end now, not once JAX has loaded (seconds later)."""
    SIGINTS.append(signum)
    while frame is not None and frame.f_code.co_name != "_write_atomic":  # a .pyc being written: cli.py ends after it
        frame = frame.f_back
    if frame is None:
        try:
            os.write(2, f"{starting_line()}\n".encode())
        finally:  # stderr gone (SIGHUP) or not: the exit code says it
            os._exit(interrupted_code())


def on_sigint(signum, frame) -> None:
    """Once the libraries have loaded: a KeyboardInterrupt, or only recorded where Python would drop one; inside an
    import (JAX's, as a command loads it), raised as the next module is looked for (`_AtNextImport`)."""
    SIGINTS.append(signum)
    dropped, importing = {getattr(cb, "__code__", None) for cb in gc.callbacks}, False
    while frame is not None:
        code = frame.f_code
        # A weakref's callback (WeakKeyDictionary's `remove`, ...) drops what it raises, as __del__ does.
        weakref = code.co_filename.endswith(("/weakref.py", "/_weakrefset.py"))
        if code in dropped or code.co_name == "__del__" or weakref:
            return
        importing = importing or code.co_filename.startswith("<frozen importlib._bootstrap")
        frame = frame.f_back
    if not importing:
        raise KeyboardInterrupt
    if not any(isinstance(f, _AtNextImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AtNextImport())


class _AtNextImport:
    """A module finder that raises a Ctrl-C's KeyboardInterrupt as the next module is looked for, from importlib's
    own Python code. Raised where the signal came, inside an import, it could land in a C extension's callback
    (numpy's, 1.6 s into a run from a fresh venv as JAX loads): "SystemError: ... returned a result with an exception
    set", a traceback and exit 1. A command whose import brings no further module stops at its next check. Only the
    main thread's (the command's, where Python runs the handler): another thread's import passes, where the Ctrl-C
    would end that thread alone and leave the command running without it."""

    def find_spec(self, name, path=None, target=None):
        if threading.current_thread() is not threading.main_thread():
            return None
        _not_at_next_import()
        raise KeyboardInterrupt


def _not_at_next_import() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _AtNextImport)]


def record(signum, frame) -> None:
    """Where a signal is only recorded, for the exit code and line the command ends with: where it can no longer stop
    what is done (errors.run, once its command has returned or raised), and before errors.run has set its handlers
    (cli.entry's), where errors.run answers it as it starts."""
    SIGINTS.append(signum)


def interrupted() -> bool:
    return bool(SIGINTS)


def stop_if_interrupted() -> None:
    if SIGINTS:
        raise KeyboardInterrupt


def forget_interrupts() -> None:
    SIGINTS.clear()
    _not_at_next_import()


def interrupted_code() -> int:
    """128 + the signal that interrupted the command: 130 for Ctrl-C (or none recorded), 143 SIGTERM, 129 SIGHUP."""
    return 128 + (SIGINTS[0] if SIGINTS else signal.SIGINT)


def interrupted_line() -> str:
    """The one line an interrupted command ends with; it names a signal other than Ctrl-C."""
    return f"error: {interrupted_by()}"


def starting_line() -> str:
    """The line of a command interrupted as jaxart starts (cli.py's imports, its app being built): no command has
    written anything yet. It said only "error: interrupted", as where a command had begun to write."""
    return f"{interrupted_by()} as jaxart was starting; nothing was written"


def not_begun_line(command: str = "stylize") -> str:
    """The line of a `command` (stylize or sweep) interrupted before its run began (loading JAX, the inputs or the
    weights): as the run's own interrupted lines, it says what was written, in the words of what that command writes
    (a sweep's said "no image"). Nothing yet: the output's lock goes with the command, a download's partial file has a
    line of its own."""
    written = "tiles, sheet" if command == "sweep" else "image"
    return f"{interrupted_by()} before the run began; no {written} or checkpoint was written"


def run_begins(ctx) -> None:
    """Where a command's run begins (its own handler keeps what it made): a signal recorded until now ends the
    command here; once past, a Ctrl-C is no longer answered by `not_begun_line`. `ctx.obj`: errors.run's."""
    stop_if_interrupted()
    if isinstance(ctx.obj, dict):
        ctx.obj["running"] = True


def interrupted_by() -> str:
    """"interrupted", with " by SIGTERM" (or SIGHUP) where that, not Ctrl-C, was the signal (a run's words too,
    jaxart.signals.interrupted_by: imported with this module, so no import happens in a handler)."""
    return _interrupted_by(interrupted_code() - 128)

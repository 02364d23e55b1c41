"""The `jaxart` console script's module: cli.py imported with a Ctrl-C recorded already, so that no moment of Python's
own handler (a KeyboardInterrupt traceback) is left between the end of `import cli` and `cli.entry()`'s first line.

`import cli` hands back the handler it found, as a program that imports it expects: here that is this module's, which
records, not Python's. Only `_signal` (loaded with the interpreter) is used before cli.py runs: see cli.py's head."""

from __future__ import annotations

import _signal

_early: list[int] = []
if _signal.getsignal(_signal.SIGINT) not in (_signal.SIG_IGN, None):  # a `&` job's ignored SIGINT stays so
    _signal.signal(_signal.SIGINT, lambda signum, frame: _early.append(signum))

import cli  # noqa: E402


def entry() -> None:
    """`cli.entry`, its handlers set first and a Ctrl-C recorded until then handed to them: the command ends at once,
    as interrupted while jaxart was starting (one recorded before cli.py's first line, after jaxart has loaded)."""
    from jaxart.deferral import catch
    from jaxart_cli.signals import record

    catch(record)
    for signum in _early:
        record(signum, None)
    cli.entry()

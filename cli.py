"""jaxart command line: parses options, calls the library, reports. No algorithm lives here."""

from __future__ import annotations

# First of all, a Ctrl-C is only recorded: jaxart_cli.signals takes 2-30 ms to load (compiled afresh or not) under
# Python's own handler, whose KeyboardInterrupt was a traceback. _signal, the C module under `signal`, is loaded
# already; `signal` makes its enums (0.5 ms). What runs before this line (the interpreter, site, the console
# script's imports, reading cli.py) is not jaxart's: a Ctrl-C there can still be a traceback or end Python silently.
import _signal

_early: list[int] = []
_before = {}  # Python's handler, restored once the app is built; none for a `&` job's ignored SIGINT, left so
if _signal.getsignal(_signal.SIGINT) != _signal.SIG_IGN:
    _before[_signal.SIGINT] = _signal.signal(_signal.SIGINT, lambda signum, frame: _early.append(signum))
# Then, before the slower imports (typer, JAX), until the app is built: a Ctrl-C ends the command at once with one
# line, not a KeyboardInterrupt traceback, nor seconds later once JAX has loaded. See jaxart_cli.signals; the handlers
# are swapped and put back as a run's are (jaxart.deferral, which with `import jaxart` loads typing, 2-5 ms, no JAX).
from jaxart.deferral import STOPS as _STOPS, catch as _catch, put_back as _put_back  # noqa: E402
from jaxart_cli.signals import SIGINTS as _SIGINTS, record as _record, stop_loading as _stop_loading  # noqa: E402

_previous = {**_catch(_stop_loading), **_before}
for _s in _early:  # nothing has been written yet
    _stop_loading(_s, None)
import contextlib  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

import typer  # noqa: E402

from jaxart_cli.bench import bench  # noqa: E402
from jaxart_cli.info import info  # noqa: E402
from jaxart_cli.stylize import stylize  # noqa: E402
from jaxart_cli.sweep import sweep  # noqa: E402
from jaxart_cli.errors import run as _run  # noqa: E402
from jaxart_cli.help import Group as _Group, commands as _commands  # noqa: E402
from jaxart_cli.weights import weights_app  # noqa: E402

# Each command's line in `jaxart --help`, a whole sentence (jaxart_cli.help.commands).
_SUMMARIES = {
    "stylize": "Paint a photo in the style of paintings.", "sweep": "Compare settings on a contact sheet.",
    "info": "Print an image's run record or its command.", "bench": "Time evaluations, compilation and memory.",
    "weights": "List, fetch, convert and check VGG weights.",
}
# Plain help (rich_markup_mode=None): rich's option table cut the names of the longer options
# (--checkpoint-eve…) and ran to 244 lines in 80 columns; plain help wraps whole (jaxart_cli.help), in 107.
# -h as well as --help, in every command (click hands a group's names to its commands): -h was "no option -h".
app = typer.Typer(help="Neural style transfer (Gatys et al. 2015) in JAX.", no_args_is_help=True, cls=_Group,
                  rich_markup_mode=None, pretty_exceptions_enable=False, add_completion=False,
                  context_settings={"help_option_names": ["-h", "--help"]})


def _version(value: bool) -> None:
    """`jaxart --version`: jaxart's version on stdout, without loading JAX; it was "no option --version"."""
    if value:
        from jaxart import __version__
        from jaxart_cli.common import echo

        echo(f"jaxart {__version__}")
        raise typer.Exit()


@app.callback()
def _jaxart(version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                         help="Print jaxart's version and exit.")) -> None:
    pass


app.add_typer(weights_app, name="weights", short_help=_SUMMARIES["weights"])
_command = _commands(app, _SUMMARIES)
for _function in (stylize, sweep, info, bench):  # the order --help lists them in
    _command(_function.__name__)(_function)


# The app is built: Python's handlers back, as an `import cli` (the tests', jaxart_cli.console's) found them; all, also
# where a Ctrl-C comes as they are put back. As `python cli.py`, entry()'s own at once: Python's had a moment there.
if __name__ == "__main__":
    _catch(_record)
else:
    _put_back(_previous)
if _SIGINTS:  # one that came as Python wrote a .pyc (see stop_loading): nothing else has been written
    from jaxart_cli.signals import interrupted_code, starting_line

    sys.stderr.write(starting_line() + "\n")
    sys.exit(interrupted_code())


def main() -> None:
    """Run the app; every anticipated failure becomes one line on stderr and a non-zero exit."""
    _run(app)


def entry() -> None:
    """The console entry point: `main`; after a Ctrl-C or another signal, an exit that skips the interpreter's teardown,
    which crashed (SIGSEGV, exit 139) in about half of interrupted `bench` runs while XLA's threads
    were still computing. Whatever the command was writing has been cleaned up by then. Once the
    command is done, these signals are ignored: in JAX's teardown they only broke a finished
    run's exit (killed by the signal, or an atexit traceback with exit 0).

    Until main() has set its handlers a signal is recorded, and main() ends there, as interrupted while jaxart was
    starting: ignored there, the command ran as if none had come. `import cli` puts back the handler it found, so
    jaxart_cli.console (the console script's) records one from before it imports cli.py."""
    _catch(_record)  # what main() hands them back to, too: Python's own raised a traceback there
    try:
        main()
    except SystemExit as e:
        if e.code not in [128 + s for s in _STOPS]:
            raise
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):  # the terminal gone (SIGHUP): the exit code is what is left to say
                stream.flush()
        os._exit(e.code)
    finally:
        for s in _STOPS:
            signal.signal(s, signal.SIG_IGN)


if __name__ == "__main__":
    entry()

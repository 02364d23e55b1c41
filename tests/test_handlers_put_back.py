"""A run's handlers (`signals.stop_signals`) and the CLI's (`deferral.signals_deferred`, `errors.run`) are
swapped and put back completely, also where a signal comes at any point as they are: a handler the caller had, or one
already put back, answering it by raising stopped the dict comprehension that swapped them (those swapped were never
recorded) or the loop that put them back (SIGTERM stayed caught by a handler nobody read: a later `kill` ignored).

Each case raises one signal at the k-th point (a line starting, or a function returning) of the code swapping and
putting back handlers, for every k, as tests/test_deferral.py does. Both swap and put them back with
`deferral.catch` and `deferral.put_back`, whose points each case sweeps too."""

import gc
import itertools
import signal
import subprocess
import sys

import pytest
import typer

from conftest import ROOT
from jaxart import deferral, signals
from jaxart_cli import errors, signals as cli_signals

STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _handlers(answered: list, raising: bool) -> dict:
    """Each of STOPS answered by a handler that logs it and, if `raising`, raises a KeyboardInterrupt (as Python's
    SIGINT handler does, and the CLI's for all three); returns those it replaced."""
    def handler(signum, frame):
        answered.append(signal.Signals(signum).name)
        if raising:
            raise KeyboardInterrupt

    return {s: signal.signal(s, handler) for s in STOPS}


@pytest.fixture
def log():
    answered = []
    previous = _handlers(answered, raising=True)
    yield answered
    for s, h in previous.items():
        signal.signal(s, h)


def _signal_at(k: int, signum: int, files: tuple, block, fired: list, where=lambda code: True) -> None:
    """Run `block(fired)`, raising `signum` at the k-th point (from 0) in `files`' code for which `where` holds; `fired`
    gets where it was raised (none once k is past the last point)."""
    points = itertools.count()

    def trace(frame, event, arg):
        code = frame.f_code
        if event in ("line", "return") and code.co_filename in files and where(code) and not fired \
                and next(points) == k:
            fired.append(f"{code.co_name} line {frame.f_lineno} ({event})")
            signal.raise_signal(signum)  # its handler runs before this returns
        return trace

    gc.disable()  # a collection's callbacks (hypothesis registers one) would be traced too, and swallow the signal
    sys.settrace(trace)
    try:
        block(fired)
    finally:
        sys.settrace(None)
        gc.enable()


def _sweep(signum: int, files: tuple, block, check, where=lambda code: True) -> int:
    """`_signal_at` each point in turn; after each, every handler is the one found, and `check(fired, raised)` holds.
    Returns how many points there were."""
    found = {s: signal.getsignal(s) for s in STOPS}
    for k in itertools.count():
        fired = []
        try:
            _signal_at(k, signum, files, block, fired, where)
            raised = None
        except BaseException as e:
            raised = e
        left = [signal.Signals(s).name for s, h in found.items() if signal.getsignal(s) is not h]
        for s, h in found.items():
            signal.signal(s, h)
        assert not left, f"a {signal.Signals(signum).name} at {fired} left the handlers of {left} swapped ({raised!r})"
        if not fired:
            assert raised is None, raised
            return k
        check(fired[0], raised)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_as_stop_signals_swaps_or_puts_back_the_handlers_leaves_them_all_back_and_it_answered(signum, log):
    seen = []  # what the run's look found, and whether the signal had come by then

    def block(fired):
        log.clear(), seen.clear()
        with signals.stop_signals() as stopped:
            seen.append((stopped(), bool(fired)))

    def check(fired, raised):
        # Answered by the caller's handler (it raised), or caught and seen by the run; or caught after its last look.
        if raised is not None:
            assert isinstance(raised, KeyboardInterrupt) and log == [signal.Signals(signum).name], (fired, log)
        else:
            came = seen[0][1]
            assert seen[0][0] == (signum if came else None) and log == [], (fired, seen, log)

    points = _sweep(signum, (signals.__file__, deferral.__file__), block, check,
                    where=lambda code: code.co_name != "<lambda>")  # not in `stopped`, as the run looks
    assert points > 12  # swapping and putting back, not only the start


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_as_the_cli_defers_swaps_or_puts_back_the_handlers_is_answered_once_with_them_back(signum, log):
    """As stylize and sweep take their output's lock: a block around `locks.writing`'s own."""
    def block(fired):
        log.clear()
        with deferral.signals_deferred():
            with deferral.signals_deferred():
                pass

    def check(fired, raised):
        assert isinstance(raised, KeyboardInterrupt) and log == [signal.Signals(signum).name], (fired, raised, log)

    assert _sweep(signum, (deferral.__file__,), block, check) > 24


def test_a_ctrl_c_as_a_command_sets_its_handlers_is_the_one_line_and_exit_130(monkeypatch, capsys):
    """errors.run set its handler (on_sigint, which raises) before its `try`, in a comprehension: a Ctrl-C just after
    SIGINT's was set was a KeyboardInterrupt traceback, and left that handler set after the command had ended."""
    answered = []
    previous = _handlers(answered, raising=False)
    app = typer.Typer()
    app.command()(lambda: None)
    monkeypatch.setattr(sys, "argv", ["jaxart"])

    def check(fired, raised):
        said = capsys.readouterr().err
        if raised is None:  # came before SIGINT's was set: the handler found answered it, and the command ran
            assert answered == ["SIGINT"] and said == "", (fired, said)
        else:
            assert isinstance(raised, SystemExit) and raised.code == 130, (fired, raised)
            assert said == "error: interrupted\n", (fired, said)
        answered.clear()

    try:
        points = _sweep(signal.SIGINT, (cli_signals.__file__, deferral.__file__), lambda fired: errors.run(app), check,
                        where=lambda code: code.co_name in ("catch", "<dictcomp>"))
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    assert points >= 6


@pytest.mark.parametrize("fails", [False, True], ids=["succeeds", "fails"])
def test_a_ctrl_c_as_a_command_ends_is_never_a_traceback_and_leaves_its_handlers_back(fails, monkeypatch, capsys):
    """errors.run's handler raised a KeyboardInterrupt once its command had returned or raised too: at `put_back`'s
    start in its `finally` (before its `try`) that ended `run` with a traceback, the handlers left swapped; as a
    failure's line was said, with a traceback."""
    answered = []
    previous = _handlers(answered, raising=False)  # as cli.entry's, which ignore them
    app = typer.Typer()

    @app.command()
    def command():
        if fails:
            raise FileNotFoundError("photo.jpg does not exist")

    monkeypatch.setattr(sys, "argv", ["jaxart"])
    code = 2 if fails else 0
    said = "error: photo.jpg does not exist\n" if fails else ""
    # Before the command ended: interrupted; after, it ends as it would, or says it completed all the same.
    endings = {(130, "error: interrupted\n"), (code, said)}
    if not fails:
        endings.add((130, "error: interrupted as the command finished; it completed all the same\n"))

    exits = []

    def block(fired):
        try:
            errors.run(app)
            exits.append(0)
        except SystemExit as e:
            exits.append(e.code)

    def check(fired, raised):
        ended = (exits.pop() if exits else None, capsys.readouterr().err)
        assert raised is None and ended in endings, (fired, raised, ended)

    try:
        points = _sweep(signal.SIGINT, (errors.__file__, deferral.__file__), block, check,
                        where=lambda code: code.co_name in ("run", "put_back"))
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    assert points > 20


# Imports cli, raising SIGINT as soon as cli.py has handed it back to Python's own handler (which raises), then prints
# those of SIGTERM and SIGHUP that are not back to what Python started with.
_SIGINT_AS_CLI_PUTS_PYTHONS_BACK = """
import signal
real = signal.signal
def handing_back(signum, handler):
    old = real(signum, handler)
    if signum == signal.SIGINT and handler is signal.default_int_handler:
        signal.signal = real
        signal.raise_signal(signal.SIGINT)
    return old
signal.signal = handing_back
try:
    import cli
except KeyboardInterrupt:
    print([signal.Signals(s).name for s in (signal.SIGTERM, signal.SIGHUP) if signal.getsignal(s) is not signal.SIG_DFL])
"""


def test_a_ctrl_c_as_cli_py_puts_pythons_handlers_back_leaves_them_all_back():
    """cli.py handed the three back in a loop: the KeyboardInterrupt of a Ctrl-C just after SIGINT's left SIGTERM and
    SIGHUP with its start-up handler (the `import cli` of a caller that goes on after it)."""
    done = subprocess.run([sys.executable, "-c", _SIGINT_AS_CLI_PUTS_PYTHONS_BACK], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.stdout == "[]\n", (done.stdout, done.stderr[-2000:])

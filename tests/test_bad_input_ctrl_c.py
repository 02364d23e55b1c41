"""Ctrl-C in a hostile moment (from test_bad_input.py, names kept): one Python would drop, recorded; one at any
moment of a run, before its handlers are up, inside an import, or once the command is done: one line, exit 130, no
stray file."""

import gc
import importlib
import signal
import subprocess
import sys
import time

import pytest

from jaxart import input_files

from conftest import ROOT, write_tiny_job, stylize_argv as _stylize
from test_bad_input import _main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("ctrl_c"))


def test_ctrl_c_python_would_drop_is_recorded_and_ends_the_command(files, tmp_path, monkeypatch, capsys):
    """Python ignores an exception raised in a gc callback (JAX registers one, so Ctrl-C lands there
    during compilation): the handler records it instead, and the command stops at its next check."""
    __import__("cli")  # loaded first: a recorded Ctrl-C while it loads exits at once
    from jaxart_cli import signals as cli_signals

    monkeypatch.setattr(cli_signals, "SIGINTS", [])
    raised = []

    def collecting(phase, info):
        try:
            cli_signals.on_sigint(signal.SIGINT, sys._getframe())
        except KeyboardInterrupt:
            raised.append(phase)

    gc.callbacks.append(collecting)
    try:
        collecting("start", {})
    finally:
        gc.callbacks.remove(collecting)
    assert raised == [] and cli_signals.SIGINTS == [signal.SIGINT]
    import weakref  # a weakref callback drops it as well ("Exception ignored in: ...remove"; 1 Ctrl-C in 37)

    class Anything:
        pass

    thing = Anything()
    weakref.finalize(thing, collecting, "weakref", {})()  # called from weakref.py, as its callbacks are
    assert raised == [] and cli_signals.SIGINTS == [signal.SIGINT] * 2
    with pytest.raises(KeyboardInterrupt):  # anywhere else it interrupts at once
        cli_signals.on_sigint(signal.SIGINT, sys._getframe())
    out = tmp_path / "out.png"
    code, err = _main(_stylize(files, out), monkeypatch, capsys)  # recorded before it: it ends as it starts
    assert code == 130 and err == "interrupted as jaxart was starting; nothing was written", err
    assert not out.exists()
    assert cli_signals.SIGINTS == []  # once left there, it ended every later command in the process
    # Recorded in the command (a gc callback as the inputs load): it stops at its next check, before the run begins.
    load = input_files.load_inputs
    importlib.import_module("jaxart.job")  # first: its own name for load_inputs, bound as it loads, stays the real one

    def dropped_meanwhile(*args, **kwargs):
        gc.callbacks.append(collecting)
        try:
            collecting("start", {})
        finally:
            gc.callbacks.remove(collecting)
        return load(*args, **kwargs)

    monkeypatch.setattr(input_files, "load_inputs", dropped_meanwhile)
    code, err = _main(_stylize(files, out), monkeypatch, capsys)
    assert code == 130 and err == "interrupted before the run began; no image or checkpoint was written", err
    assert raised == [] and not out.exists() and cli_signals.SIGINTS == []


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.6])
def test_ctrl_c_at_any_moment_gives_one_line_and_exit_130(delay, files, tmp_path):
    """Early: while the libraries load or compile (nothing written); later: the run's checkpoint."""
    argv = _stylize(files, tmp_path / "o.png", "--steps", "100000")
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *argv], stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130 and len(err.splitlines()) == 1, err
    written = sorted(p.name for p in tmp_path.iterdir())
    # as the libraries load; as the inputs or weights load, before the run
    if err in ("interrupted as jaxart was starting; nothing was written\n",
               "interrupted before the run began; no image or checkpoint was written\n"):
        assert written == []
    else:
        assert err.startswith("interrupted at step") and written == ["o.ckpt.npz", "o.png"], err


def test_ctrl_c_once_the_command_is_done_does_not_break_its_exit():
    """In JAX's teardown a Ctrl-C killed a finished run (exit -2) or printed an atexit traceback."""
    code = ("import os, signal, cli; cli.main = lambda: None; cli.entry(); "
            "os.kill(os.getpid(), signal.SIGINT); os.kill(os.getpid(), signal.SIGTERM); print('exited cleanly')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "exited cleanly\n" and not done.stderr, done.stderr


def test_ctrl_c_while_the_inputs_load_is_one_line_and_exit_130(files, tmp_path, monkeypatch, capsys):
    """Before the run's own handler is up, click turns a KeyboardInterrupt into Abort: still 130, as a shell expects."""
    from jaxart import input_files

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(input_files, "load_inputs", interrupted)
    code, err = _main(_stylize(files, tmp_path / "out.png"), monkeypatch, capsys)
    # it said only "error: interrupted"
    assert code == 130 and err.strip() == "interrupted before the run began; no image or checkpoint was written", err
    assert list(tmp_path.iterdir()) == []


_AS_JAX_LOADS = """
import signal, sys

class Interrupting:  # a Ctrl-C as `import jax` begins; the line after it runs only where it is not raised there
    def find_spec(self, name, path=None, target=None):
        if name == "jax":
            sys.meta_path.remove(self)
            signal.raise_signal(signal.SIGINT)
            open(marker, "w").close()
        return None

sys.meta_path.insert(0, Interrupting())
marker, sys.argv = sys.argv[1], ["jaxart", *sys.argv[2:]]
import cli
cli.entry()
"""


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_ctrl_c_inside_an_import_is_raised_as_the_next_module_is_looked_for(command, files, tmp_path):
    """Raised where it came, inside JAX's import, a Ctrl-C landed in numpy's C code at times (1.6 s into a run from a
    fresh venv): "SystemError: ... returned a result with an exception set", a traceback and exit 1. Now it is raised
    from importlib's own code, as the next module is looked for (JAX's next, so nothing after it loads): the
    command's one line, exit 130, nothing written."""
    marker, out = tmp_path / "raised-after", tmp_path / "o.png"
    argv = _stylize(files, out)
    if command == "sweep":
        argv = ["sweep", *argv[1:3], "--output", str(out), *argv[5:]]
    proc = subprocess.run([sys.executable, "-c", _AS_JAX_LOADS, str(marker), *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    # A sweep's said "no image or checkpoint", where it writes tiles and a sheet.
    written = "tiles, sheet" if command == "sweep" else "image"
    assert (proc.returncode, proc.stderr) == (130, f"interrupted before the run began; no {written} or checkpoint "
                                                    "was written\n"), proc.stderr
    assert marker.exists() and not out.exists()


def test_a_ctrl_c_inside_an_import_is_raised_in_the_main_thread_alone(tmp_path, monkeypatch):
    """A Ctrl-C recorded inside an import was raised at the next module looked for in any thread: another thread's
    import (a progress bar's, a library's worker) died of it, and the command, its Ctrl-C gone, ran on. Now another
    thread's imports pass, and the main thread's next one raises it."""
    import threading

    from jaxart_cli import signals as cli_signals

    for name in ("cli60c_in_thread", "cli60c_in_main"):
        (tmp_path / f"{name}.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", [cli_signals._AtNextImport(), *sys.meta_path])
    imported = []
    worker = threading.Thread(target=lambda: imported.append(importlib.import_module("cli60c_in_thread").LOADED))
    worker.start()
    worker.join(60)
    assert imported == [True]
    with pytest.raises(KeyboardInterrupt):
        importlib.import_module("cli60c_in_main")
    assert not any(isinstance(f, cli_signals._AtNextImport) for f in sys.meta_path)  # raised once
    assert importlib.import_module("cli60c_in_main").LOADED

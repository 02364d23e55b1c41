"""SIGTERM (`kill`, `timeout`, a batch scheduler), SIGHUP (a closed terminal) and Ctrl-C at moments outside
a run's steps: one true line, exit 128 + the signal, no stray file.

Each SIGTERM or SIGHUP case runs the CLI in a fresh process that sends itself the signal at a chosen moment, through
a hook (an import, a patched library function), so the moment is the same every time.
"""

import os
import signal
import subprocess
import sys

import pytest

from conftest import ROOT, write_tiny_job, stylize_argv

# Sends `signums` (SIGTERM if none) to this process each time `module.function` is called, then calls it.
_KILL_IN = """
import functools, importlib, os, signal
def _kill_in(module, function, *signums):
    m = importlib.import_module(module)
    original = getattr(m, function)
    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        for signum in signums or [signal.SIGTERM]:
            os.kill(os.getpid(), signum)
        return original(*args, **kwargs)
    setattr(m, function, wrapper)
"""
# Ignores the signals in argv[1] (comma-separated numbers), then becomes the command after it, which inherits that.
_IGNORING = ("import os, signal, sys\n"
             "for s in sys.argv[1].split(','):\n"
             "    signal.signal(int(s), signal.SIG_IGN)\n"
             "os.execv(sys.argv[2], sys.argv[2:])")


def _process(argv, tmp_path, before_import: str = "", after_import: str = "", ignored=()) -> dict:
    """subprocess.run's or Popen's arguments for the CLI run with `argv` in a fresh process, which starts with the
    signals `ignored` ignored."""
    code = f"{_KILL_IN}\n{before_import}\nimport sys, cli\n{after_import}\nsys.argv = ['jaxart', *{argv!r}]\ncli.entry()"
    env = {**os.environ, "JAXART_WEIGHTS_DIR": str(tmp_path / "weights"), "JAXART_CACHE_DIR": "off"}
    ignoring = [sys.executable, "-c", _IGNORING, ",".join(str(int(s)) for s in ignored)] if ignored else []
    return dict(args=[*ignoring, sys.executable, "-c", code], cwd=ROOT, env=env, text=True,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _cli(argv, tmp_path, **hooks) -> subprocess.CompletedProcess:
    return subprocess.run(**_process(argv, tmp_path, **hooks), timeout=120)


def _signal_on_import(module: str, *signums) -> str:
    """Code that prints 'sent' and sends this process `signums` as `module` is first imported."""
    return ("class Finder:  # not importlib.abc's: that imports typing\n"
            "    def find_spec(self, name, path, target=None):\n"
            f"        if name == {module!r}:\n"
            "            sys.meta_path.remove(self)\n"
            "            print('sent', flush=True)\n"
            f"            for signum in {[int(s) for s in signums]}:\n"
            "                os.kill(os.getpid(), signum)\n"
            "import sys\n"
            "sys.meta_path.insert(0, Finder())")


# Before a run began (it said only "error: interrupted"): what was written, as the run's own lines say.
_NOT_BEGUN = "interrupted before the run began; no image or checkpoint was written"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("signals"))


@pytest.mark.parametrize("module, signum", [("typer", signal.SIGTERM), ("typing", signal.SIGINT)])
def test_a_signal_while_the_libraries_load_is_one_line(module, signum, files, tmp_path):
    """SIGTERM killed the process silently (exit -15): the libraries load for seconds before any command
    runs. A Ctrl-C while cli.py imported `typing`, before it set its handler, was a KeyboardInterrupt traceback."""
    done = _cli(stylize_argv(files, tmp_path / "o.png"), tmp_path, before_import=_signal_on_import(module, signum))
    said = "" if signum == signal.SIGINT else f" by {signal.Signals(signum).name}"
    assert done.stdout == "sent\n" and done.returncode == 128 + signum, (done.returncode, done.stderr)
    # it said only "error: interrupted", as where a command had begun to write
    assert done.stderr == f"interrupted{said} as jaxart was starting; nothing was written\n", done.stderr
    assert not (tmp_path / "o.png").exists()


def test_a_ctrl_c_while_jax_loads_ends_the_command_at_once(files, tmp_path):
    """It was recorded, and answered only once every library had loaded: 2.8-4.4 s after the Ctrl-C on a 2-core
    CPU, time in which a user presses it again. Here flax, imported after jax, must not start loading."""
    flax = ("class Flax:\n"
            "    def find_spec(self, name, path, target=None):\n"
            "        if name == 'flax':\n"
            "            print('flax', flush=True)\n"
            "sys.meta_path.insert(0, Flax())")
    done = _cli(stylize_argv(files, tmp_path / "o.png"), tmp_path,
                before_import=f"{_signal_on_import('jax', signal.SIGINT)}\n{flax}")
    assert (done.stdout, done.returncode, done.stderr) == ("sent\n", 130, f"{_NOT_BEGUN}\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where, first, second, said", [
    ("jaxart.input_files", "load_inputs", "_say", _NOT_BEGUN),  # the second as the first's line is said
    ("jaxart.job", "record", "_forget_interrupts", "interrupted as the run finished; wrote {out} (2 steps)"),
])
def test_a_second_ctrl_c_as_the_first_is_answered_changes_nothing(where, first, second, said, files, tmp_path):
    """It raised a KeyboardInterrupt of its own: a traceback after, or in place of, the first one's line, exit -2."""
    out = tmp_path / "o.png"
    hooks = (f"_kill_in({where!r}, {first!r}, signal.SIGINT); "
             f"_kill_in('jaxart_cli.errors', {second!r}, signal.SIGINT)")
    done = _cli(stylize_argv(files, out), tmp_path, after_import=hooks)
    assert (done.returncode, done.stderr) == (130, said.format(out=out) + "\n")


def test_a_ctrl_c_while_python_writes_a_pyc_lets_it_finish():
    """Exiting at once inside importlib's _write_atomic would leave its temporary .pyc.NNN behind; cli.py ends the
    command once its imports are done instead."""
    code = ("import signal, sys\nfrom jaxart_cli import signals as cli_signals\n"
            "def _write_atomic():\n"
            "    cli_signals.stop_loading(signal.SIGINT, sys._getframe())\n"
            "_write_atomic()\n"
            "print(len(cli_signals.SIGINTS))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "1\n", "")


def test_sigterm_while_the_inputs_load_is_one_line_and_exit_143(files, tmp_path):
    done = _cli(stylize_argv(files, tmp_path / "o.png"), tmp_path,
                after_import="_kill_in('jaxart.input_files', 'load_inputs')")
    assert (done.returncode, done.stderr, list(tmp_path.iterdir())) == (
        143, "interrupted by SIGTERM before the run began; no image or checkpoint was written\n", [])


def test_sighup_stops_a_run_with_a_checkpoint_to_resume(files, tmp_path):
    """A closed terminal or dropped ssh session killed the run (exit -1) and lost every step done."""
    out = tmp_path / "o.png"
    done = _cli(stylize_argv(files, out), tmp_path, after_import="_kill_in('jaxart.transfer', 'run', signal.SIGHUP)")
    assert done.returncode == 129, (done.returncode, done.stderr)
    assert done.stderr.startswith("interrupted by SIGHUP at step 1 of 2; wrote"), done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.ckpt.npz", "o.png"]


# The terminal gone: stderr's pipe loses its reader (writes fail with EPIPE), then the signal comes.
_STDERR_GONE_IN_RUN = """
import jaxart.transfer
_run = jaxart.transfer.run
def _gone(*args, **kwargs):
    r, w = os.pipe()
    os.dup2(w, 2)
    os.close(r), os.close(w)
    os.kill(os.getpid(), {signum})
    return _run(*args, **kwargs)
jaxart.transfer.run = _gone
"""


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT])
def test_a_signal_after_stderr_is_gone_still_exits_128_plus_it_with_the_checkpoint_written(signum, files, tmp_path):
    """The checkpoint and image were written, then the line saying so failed (EPIPE, or EIO from a closed
    terminal) and the exit code became 1, which a script reads as a failed run rather than an interrupted one."""
    out = tmp_path / "o.png"
    done = _cli(stylize_argv(files, out), tmp_path, after_import=_STDERR_GONE_IN_RUN.format(signum=int(signum)))
    assert done.returncode == 128 + signum, (done.returncode, done.stderr)
    assert done.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.ckpt.npz", "o.png"]


def test_signals_ignored_at_start_stay_ignored(files, tmp_path):
    """`nohup` ignores SIGHUP, a shell starts `jaxart ... &` with SIGINT ignored, and a supervisor may ignore
    SIGTERM: a Ctrl-C meant for the foreground job, or an ignored SIGTERM, stopped the run (exit 130 or 143)."""
    out = tmp_path / "o.png"
    stops = [int(s) for s in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM)]
    done = _cli(stylize_argv(files, out), tmp_path, ignored=stops, before_import=_signal_on_import("typer", *stops),
                after_import=f"_kill_in('jaxart.input_files', 'load_inputs', *{stops})\n"
                             f"_kill_in('jaxart.transfer', 'run', *{stops})")
    assert done.stdout == "sent\n" and done.returncode == 0 and done.stderr == "", (done.returncode, done.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.png"]

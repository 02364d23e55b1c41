"""Ctrl-C as the CLI starts, before cli.py's imports and after them: one line, exit 130, never a traceback.

Each case starts the CLI in a fresh process that sends itself SIGINT at a chosen moment (test_signals' hooks).
What runs before cli.py's first line (the interpreter's start, site, the console script's own imports) is not
jaxart's and is not tested here.
"""

import signal
import subprocess
import sys

import pytest
import typer.main

from conftest import ROOT, run_main
from jaxart_cli import help
from test_signals import _cli, _signal_on_import

# Nothing has been written as cli.py starts (it said only "error: interrupted", as where a command had begun to write).
_STARTING = "interrupted as jaxart was starting; nothing was written\n"

# Sends SIGINT as cli.py builds its app, after its imports: the `commands` call that names the stylize command.
_SIGNAL_AS_THE_APP_IS_BUILT = """
from jaxart_cli import help as cli_help
_commands = cli_help.commands
def commands(app, summaries):
    if 'stylize' in summaries:
        print('sent', flush=True)
        os.kill(os.getpid(), signal.SIGINT)
    return _commands(app, summaries)
cli_help.commands = commands
"""


def test_a_ctrl_c_as_cli_py_starts_is_one_line_and_exit_130(tmp_path):
    """cli.py's first import (then cli_common, 10-25 ms of a 2-core machine's start-up with pathlib and enum; now
    jaxart_cli.signals), loaded with Python's own handler: a KeyboardInterrupt traceback through
    `from cli_common import ...`, in 1 start of 4 when Ctrl-C came 20-70 ms after `jaxart` started."""
    done = _cli(["--help"], tmp_path, before_import=_signal_on_import("jaxart_cli.signals", signal.SIGINT))
    assert (done.stdout, done.returncode, done.stderr) == ("sent\n", 130, _STARTING)


def test_a_ctrl_c_as_cli_py_builds_its_app_is_one_line_and_exit_130(tmp_path):
    """cli.py handed Ctrl-C back to Python right after its imports, before its commands were made: a traceback."""
    done = _cli(["--help"], tmp_path, before_import=_SIGNAL_AS_THE_APP_IS_BUILT)
    assert (done.stdout, done.returncode, done.stderr) == ("sent\n", 130, _STARTING)


def test_a_ctrl_c_ignored_at_start_stays_ignored_from_cli_py_first_line(tmp_path):
    """A `jaxart ... &` job starts with SIGINT ignored: the Ctrl-C meant for the foreground job must not stop it."""
    done = _cli(["--help"], tmp_path, ignored=[signal.SIGINT],
                before_import=_signal_on_import("jaxart_cli.signals", signal.SIGINT))
    assert done.returncode == 0 and done.stderr == "", (done.returncode, done.stderr)
    assert done.stdout.startswith("sent\nUsage: jaxart"), done.stdout


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_before_the_command_sets_its_handlers_ends_it_as_starting(signum, tmp_path):
    """cli.entry's handlers, until main() set its own, did nothing: a Ctrl-C there was ignored, the command run."""
    done = _cli(["--help"], tmp_path, after_import=f"_kill_in('cli', 'main', {int(signum)})")
    said = "" if signum == signal.SIGINT else f" by {signal.Signals(signum).name}"
    assert (done.stdout, done.returncode) == ("", 128 + signum), (done.stdout[:200], done.returncode)
    assert done.stderr == f"interrupted{said} as jaxart was starting; nothing was written\n", done.stderr


def test_a_ctrl_c_while_python_wrote_a_pyc_is_said_once_the_app_is_built():
    """One recorded as Python wrote a .pyc (signals.stop_loading lets that finish): cli.py ends once its app is made."""
    code = "import signal\nfrom jaxart_cli import signals\nsignals.SIGINTS.append(signal.SIGINT)\nimport cli"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", _STARTING)


@pytest.mark.parametrize("owner, name", [(typer.main, "get_command"), (help.Command, "parse_args")],
                         ids=["building", "parsing"])
def test_a_ctrl_c_before_a_command_runs_says_nothing_was_written(owner, name, monkeypatch, capsys):
    """As Typer builds the commands and parses the line (0.3 s of a 2-core start, after cli.py's imports): it said
    "error: interrupted" for a stylize that had written nothing."""
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(owner, name, interrupted)
    code, out, err = run_main(["stylize", "photo.jpg", "painting.jpg"], monkeypatch, capsys)
    assert (code, out, err + "\n") == (130, "", _STARTING)

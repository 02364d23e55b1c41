"""Ctrl-C between the end of `import cli` and `cli.entry()`'s first line, as the console script and `python cli.py`
start: one line and exit 130, where Python's own handler was back there (a KeyboardInterrupt traceback). A program
that only imports cli.py still gets Python's handler back (test_handlers_put_back)."""

import os
import subprocess
import sys
import tomllib

import pytest

from conftest import ROOT

_STARTING = "interrupted as jaxart was starting; nothing was written\n"


def _run(code: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "JAXART_WEIGHTS_DIR": str(tmp_path / "weights"), "JAXART_CACHE_DIR": "off"}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_ctrl_c_as_the_console_script_has_imported_its_entry_is_one_line(tmp_path):
    """As pip's `jaxart` script runs pyproject's entry point: the import, then (here the Ctrl-C) the call."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        module, function = tomllib.load(f)["project"]["scripts"]["jaxart"].split(":")
    code = (f"import os, signal, sys\nfrom {module} import {function} as entry\n"
            "os.kill(os.getpid(), signal.SIGINT)\nsys.argv = ['jaxart', '--help']\nsys.exit(entry())")
    done = _run(code, tmp_path)
    assert (done.stdout, done.returncode, done.stderr) == ("", 130, _STARTING)


@pytest.mark.parametrize("runs", ["runpy.run_path('cli.py', run_name='__main__')",
                                  "runpy.run_module('jaxart', run_name='__main__', alter_sys=True)"],
                         ids=["python cli.py", "python -m jaxart"])
def test_a_ctrl_c_as_python_cli_py_or_m_jaxart_calls_entry_is_one_line(runs, tmp_path):
    """The Ctrl-C as the module run calls entry(), before entry()'s first line runs."""
    code = ("import os, runpy, signal, sys\n"
            "def sent(frame, event, arg):\n"
            "    if event == 'call' and frame.f_code.co_name == 'entry':\n"
            "        sys.setprofile(None)\n"
            "        os.kill(os.getpid(), signal.SIGINT)\n"
            "sys.argv = ['cli.py', '--help']\n"
            "sys.setprofile(sent)\n"
            f"{runs}")
    done = _run(code, tmp_path)
    assert (done.stdout, done.returncode, done.stderr) == ("", 130, _STARTING)

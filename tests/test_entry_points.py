"""The ways a user starts the command: the `jaxart` script, and `python -m jaxart` where the script is not on PATH
or belongs to another environment (a notebook's `!python -m jaxart`, a venv not activated). `python -m jaxart` was
"No module named jaxart.__main__"."""

import os
import subprocess
import sys

from conftest import ROOT


def _run(*args, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_python_m_jaxart_is_the_command(tmp_path):
    done = _run("-m", "jaxart", "--help", cwd=tmp_path)
    script = _run(str(ROOT / "cli.py"), "--help", cwd=tmp_path).stdout
    assert done.returncode == 0 and done.stderr == "" and "stylize" in done.stdout
    assert done.stdout.startswith("Usage: python -m jaxart ")  # what to type again, as click names it
    assert done.stdout.partition("\n")[2] == script.partition("\n")[2]  # the script's help, past its name
    # Its failures are the command's: one line, exit 2, no traceback.
    done = _run("-m", "jaxart", "stylize", "missing.jpg", "missing.png", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr == ("error: missing.jpg does not exist; check the path and the "
                                                    "current folder\n"), done.stderr
    assert list(tmp_path.iterdir()) == []


def test_python_m_jaxart_names_itself_in_its_usage_errors(tmp_path):
    """A misspelt command under `python -m jaxart` says what to type there: it said "`jaxart` has no command ...;
    see `jaxart --help`", a script that may not be on PATH, where its usage line says `python -m jaxart`."""
    done = _run("-m", "jaxart", "weights", "lst", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, "error: `python -m jaxart weights` has no command lst (did you "
                                                 "mean list?); see `python -m jaxart weights --help`\n")


def test_importing_the_library_runs_no_command():
    """Only `-m` runs jaxart/__main__.py: `import jaxart` and its submodules leave it (and the CLI) unimported."""
    done = _run("-c", "import sys, jaxart, jaxart.weights; print('cli' in sys.modules, 'jaxart.__main__' in "
                "sys.modules)", cwd=ROOT)
    assert done.stdout == "False False\n", done.stderr


def test_python_m_jaxart_says_where_weights_go_as_the_script_does(tmp_path):
    """`-o` to a command that installs weights by name says where they go: under `python -m jaxart` it did not, as
    the commands that do were matched by the script's name alone."""
    folder = tmp_path / "weights"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JAXART_WEIGHTS_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-m", "jaxart", "weights", "fetch", "vgg19", "-o", "x.safetensors"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr == (
        f"error: `python -m jaxart weights fetch` has no option -o: it installs weights by name in the weights folder, "
        f"{folder}, where --model NAME finds them (set JAXART_WEIGHTS_DIR for another folder); see `python -m jaxart "
        "weights fetch --help` for its options\n"), done.stderr

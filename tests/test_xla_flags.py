"""XLA_FLAGS that XLA would refuse (jaxart/xla_flags.py): found in a child process before the run and said as one line
of ours, with no lock file left; a bad output said first, without that child; the flags XLA takes, GPU ones on a CPU
too, not refused."""

import os
import subprocess
import sys

import pytest

from jaxart import xla_flags

from conftest import ROOT, write_tiny_job, stylize_argv as _stylize
from test_bad_input import _main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("xla_flags"))


@pytest.mark.parametrize("command, flags, says", [
    ("stylize", "--xla_no_such_flag=1", "Unknown flag in XLA_FLAGS: --xla_no_such_flag=1"),
    ("sweep", "--xla_no_such_flag=1", "Unknown flag in XLA_FLAGS: --xla_no_such_flag=1"),
    ("bench", "--xla_no_such_flag=1", "Unknown flag in XLA_FLAGS: --xla_no_such_flag=1"),
    ("stylize", "--xla_cpu_enable_fast_math=maybe",
     "Couldn't interpret value maybe for flag xla_cpu_enable_fast_math")])
def test_an_xla_flag_xla_refuses_is_one_line_of_ours_and_leaves_no_lock_file(command, flags, says, files, tmp_path):
    """XLA ends the process (exit 1, its own glog line, or for a bad value its list of ~90 flags) at a flag it does not
    know, which it reads as JAX starts: that was after the output's lock file was made, which stayed behind."""
    argv = (["bench", "--sizes", "16", "--json", str(tmp_path / "b.json")] if command == "bench"  # XLA's line, exit 1
            else [command, *_stylize(files, tmp_path / "o.png")[1:]])
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *argv], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "XLA_FLAGS": flags})
    assert (proc.returncode, proc.stderr) == (2, f"error: XLA refused XLA_FLAGS='{flags}' ({says}); fix or unset "
                                                 "XLA_FLAGS\n"), proc.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("command", ["stylize", "sweep", "bench"])
def test_a_bad_output_is_said_before_xla_flags_are_checked(command, files, tmp_path, monkeypatch, capsys):
    """A bad output needs no JAX: it was said after the XLA_FLAGS child and JAX's start (2-6 s, XLA's warnings)."""
    asked = []
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=false")
    monkeypatch.setattr(xla_flags, "refusal", lambda env=None: asked.append(env) or "a refusal")  # never JAX's start
    flag, out = ("--json", "b.json") if command == "bench" else ("-o", "o.png")

    def line(to):  # the command writing to `to`, named once
        return ["bench", "--sizes", "16", "--json", to] if command == "bench" else [command, *_stylize(files, to)[1:]]

    code, err = _main(line(f"/proc/version/{out}"), monkeypatch, capsys)
    assert code == 2 and err.startswith("error: ") and "/proc/version is a file, not a folder" in err, err
    assert asked == [], "the child was asked first"
    code, err = _main(line(str(tmp_path / out)), monkeypatch, capsys)  # a good one: the child, once, as before
    assert (code, err, len(asked)) == (2, "error: XLA refused XLA_FLAGS='--xla_cpu_enable_fast_math=false' (a "
                                          "refusal); fix or unset XLA_FLAGS", 1)
    assert not list(tmp_path.iterdir())


def test_xla_flags_xla_takes_are_not_refused_gpu_ones_on_a_cpu_either():
    flags = "--xla_cpu_enable_fast_math=false --xla_force_host_platform_device_count=2 --xla_gpu_autotune_level=0"
    assert xla_flags.refusal({**os.environ, "XLA_FLAGS": flags}) is None
    assert xla_flags.refusal({**os.environ, "XLA_FLAGS": flags + " --xla_gpu_no_such=1"}) == (
        "Unknown flag in XLA_FLAGS: --xla_gpu_no_such=1")

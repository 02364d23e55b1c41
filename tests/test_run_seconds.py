"""What a stylize run's summary says of its seconds: the run's (the record's) and the command's, named apart. How
long a run will take, said before it: test_duration_cli.py."""

from __future__ import annotations

import re

import pytest

import jaxart
from conftest import run_main, stylize_argv, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("summary"), "vgg16")


def test_the_summary_says_the_runs_seconds_and_the_commands(files, tmp_path, monkeypatch, capsys, signal_at):
    """"(tiny, 2 steps, 0.9 s; ...)" counted the targets, compile, steps and final loss, the record's seconds, and not
    JAX's import, the inputs, the weights or the write (1.6-3.3 s of a 10-30 s command on 2 cores): it says which is
    which. Resumed, the run's seconds are the whole run's, over its parts; the command's this part's."""
    argv = stylize_argv(files, tmp_path / "out.png", "--steps", "4")
    argv.remove("--quiet")
    code, printed, err = run_main(argv, monkeypatch, capsys)
    said = re.search(r", 4 steps, run (\d+\.\d) s, in all (\d+\.\d) s; total ", printed)
    assert code == 0 and said and float(said[1]) <= float(said[2]), printed
    assert abs(float(said[1]) - jaxart.read_record(tmp_path / "out.png")["seconds"]) < 0.051, printed  # the record's
    signal_at(2)
    code, _, err = run_main([*argv, "--overwrite"], monkeypatch, capsys)
    assert code == 143, err
    code, printed, err = run_main(["stylize", "--resume", str(tmp_path / "out.ckpt.npz")], monkeypatch, capsys)
    said = re.search(r", 4 steps, run with its earlier parts (\d+\.\d) s, this time in all (\d+\.\d) s; ", printed)
    assert code == 0 and said, printed

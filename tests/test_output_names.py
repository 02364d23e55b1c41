"""What a user types for an output, and the names jaxart chooses: a re-run after Ctrl-C, `~` in
quoted paths, the format a suffix names, the default name of a blend, names near the limit."""

import contextlib
import signal

import pytest

from jaxart import job

from conftest import run_main, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("output-names"))


def _stylize(files, *extra, paintings=("paint.png",)):
    d, model = files
    return ["stylize", str(d / "photo.jpg"), *(str(d / p) for p in paintings), "--model", model,
            "--size", "32", "--steps", "2", "-q", *extra]


@contextlib.contextmanager
def _sigterm_at_once():
    yield lambda: signal.SIGTERM


def test_rerunning_an_interrupted_command_says_to_resume_it(files, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(job, "stop_signals", _sigterm_at_once)
        code, _, err = run_main(_stylize(files, "-o", "a.png"), monkeypatch, capsys)
    assert code == 143 and (tmp_path / "a.ckpt.npz").is_file(), err
    code, _, err = run_main(_stylize(files, "-o", "a.png"), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "continue that run with `jaxart stylize --resume a.ckpt.npz`" in err, err
    assert "--overwrite to start again (which discards the checkpoint)" in err, err
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 0 and not (tmp_path / "a.ckpt.npz").exists(), err

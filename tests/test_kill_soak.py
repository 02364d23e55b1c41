"""What a run killed at a random moment leaves, made deterministic: cases a kill soak of real commands found
(signals at uniformly random moments of stylize, sweep, weights fetch and convert; see the commit that added this)."""

from __future__ import annotations

import contextlib
import signal

import pytest

from jaxart import checkpoint, signals

from conftest import run_main, stylize_argv, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("kill_soak"))


@contextlib.contextmanager
def _sigterm_after_the_first_step():
    yield lambda: signal.SIGTERM


def test_a_rerun_after_a_sigkill_names_the_resume_not_the_frames(files, tmp_path, monkeypatch, capsys):
    """A SIGKILL (the OOM killer, a lost machine) after a `--checkpoint-every` checkpoint leaves it and the frames
    so far, but no image. Running the command again said only that frame o_00005.png exists, with `--overwrite`
    (which discards the checkpoint) as the remedy; it is refused with the `--resume` to give, as after Ctrl-C."""
    out = tmp_path / "o.png"
    argv = stylize_argv(files, out, "--steps", "4", "--save-every", "1", "--checkpoint-every", "1")
    with monkeypatch.context() as m:  # a run stopped after its first step: its frame, checkpoint and image
        m.setattr(signals, "stop_signals", _sigterm_after_the_first_step)
        code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 143, err
    out.unlink()  # what the kill leaves: the checkpoint and frame written before it, not the image
    ckpt = checkpoint.path_for(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.ckpt.npz", "o_00001.png"]

    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert f"jaxart stylize --resume {ckpt}" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.ckpt.npz", "o_00001.png"]  # touched nothing

    code, _, err = run_main(["stylize", "--resume", str(ckpt), "-q"], monkeypatch, capsys)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.png", "o_00001.png", "o_00002.png", "o_00003.png"]

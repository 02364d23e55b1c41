"""`--resume` of a file that is no checkpoint says in words what it is, on one line with what to give instead: it
said "... is not a jaxart checkpoint (ValueError); ...", a Python class name that tells a user nothing. A checkpoint
whose state or animation frames were edited since is refused in one line, before any step."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from PIL import Image

from conftest import run_main, write_tiny_job
from jaxart import checkpoint, signals
from test_resume import _gif_frames, _sigterm_at_once


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("resume_bad_files"))


def _saved(path):
    """A checkpoint as `checkpoint.save` writes it, of a carry of two arrays."""
    return checkpoint.save(path, {"pixels": np.zeros((8, 8, 3), np.float32), "step": np.int32(1)}, {"step": 1})


def _truncated(path):
    data = _saved(path).read_bytes()
    path.write_bytes(data[:len(data) // 2])


def _without_leaves(path):
    with np.load(_saved(path)) as z:
        arrays = {k: z[k] for k in z.files if not k.startswith("leaf_")}
    np.savez(path, **arrays)


def _bad_meta(path):
    with np.load(_saved(path)) as z:
        arrays = dict(z)
    np.savez(path, **{**arrays, "meta": np.array("{not json")})


MAKE = {  # how the file was made: what the line says it is
    "a PNG": (lambda p: Image.new("RGB", (4, 4)).save(p, format="PNG"), "it is not an .npz archive"),
    "random bytes": (lambda p: p.write_bytes(np.random.default_rng(0).bytes(500)), "it is not an .npz archive"),
    "a .npy array": (lambda p: np.save(p.with_suffix(".npy"), np.zeros(3)) or p.with_suffix(".npy").rename(p),
                     "it is not an .npz archive"),
    "empty": (lambda p: p.write_bytes(b""), "the file is empty"),
    "another .npz": (lambda p: np.savez(p, a=np.zeros(3)), "it is an .npz archive without jaxart's checkpoint fields"),
    "truncated": (_truncated, "the .npz archive is cut short or damaged"),
    "arrays removed": (_without_leaves, "it lacks some of its saved arrays (it was edited or damaged)"),
    "metadata not JSON": (_bad_meta, "its metadata is not jaxart's (it was edited or damaged)"),
}


@pytest.mark.parametrize("kind", MAKE)
def test_a_file_that_is_no_checkpoint_is_said_in_words(kind, tmp_path, monkeypatch, capsys):
    make, said = MAKE[kind]
    bad = tmp_path / "some.ckpt.npz"
    make(bad)
    code, stdout, err = run_main(["stylize", "--resume", str(bad), "--quiet"], monkeypatch, capsys)
    assert (code, stdout, len(err.splitlines()), sorted(tmp_path.iterdir())) == (2, "", 1, [bad]), err
    assert err == f"error: {bad} is not a jaxart checkpoint: {said}; give the .ckpt.npz an interrupted run wrote", err
    assert "Error" not in err, err  # no Python class name (ValueError, BadZipFile, JSONDecodeError)


def test_a_folder_or_no_file_is_said_as_such(tmp_path, monkeypatch, capsys):
    for path, said in ((tmp_path, "is not a file"), (tmp_path / "none.ckpt.npz", "does not exist")):
        code, _, err = run_main(["stylize", "--resume", str(path), "--quiet"], monkeypatch, capsys)
        assert (code, len(err.splitlines())) == (2, 1), err
        assert f"checkpoint {path} {said}; give the .ckpt.npz" in err, err


def test_a_saved_checkpoint_still_loads(tmp_path):
    ckpt = checkpoint.load(_saved(tmp_path / "c.ckpt.npz"))
    assert ckpt.meta["step"] == 1 and json.loads(json.dumps(ckpt.meta)) == ckpt.meta



def test_a_checkpoint_whose_frames_were_damaged_is_refused_in_one_line(files, tmp_path, monkeypatch, capsys):
    d, model = files
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", _sigterm_at_once)
        code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", "out.png", "--model",
                                 model, "--size", "32", "--steps", "3", "--animate", "a.gif", "-q"], monkeypatch, capsys)
    assert code == 143, err
    ckpt = checkpoint.load("out.ckpt.npz")
    assert ckpt.meta["frame_steps"] == [0, 1] and [f.shape for f in ckpt.frames] == [(24, 32, 3)] * 2
    with np.load("out.ckpt.npz") as z:  # edited by hand: one frame step dropped
        arrays = {k: z[k] for k in z.files} | {"meta": np.array(json.dumps({**ckpt.meta, "frame_steps": [0]}))}
    np.savez("out.ckpt.npz", **arrays)
    saved = checkpoint.load("out.ckpt.npz")
    code, _, err = run_main(["stylize", "--resume", "out.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 2 and err.endswith("checkpoint's animation frames are damaged; start the run again, or give "
                                      "--animate NAME with --resume to write the animation from the resumed step on"), err
    assert saved.meta["frame_steps"] == [0] and not (tmp_path / "a.gif").exists()
    # The advice works: the animation then shows the run from the resumed step on.
    code, _, err = run_main(["stylize", "--resume", "out.ckpt.npz", "--animate", "b.gif", "-q"], monkeypatch, capsys)
    assert code == 0 and err == ("warning: the checkpoint's animation frames are damaged, so b.gif shows the run "
                                 "from step 1 on"), err
    assert len(_gif_frames(tmp_path / "b.gif")) == 2  # step 2 and the result


@pytest.mark.parametrize("edit, says", [
    (lambda z, meta: {**z, "leaf_0000": np.full_like(z["leaf_0000"], np.nan)}, "checkpoint array 0 holds NaN"),
    (lambda z, meta: {**z, "meta": np.array(json.dumps({**meta, "step": 99}))}, "at step 99 of a run of 3 steps"),
], ids=["nan image", "step past the end"])
def test_an_edited_checkpoints_state_is_refused_before_any_step(edit, says, files, tmp_path, monkeypatch, capsys):
    """A NaN image was resumed into "the loss became NaN ...; lower --style-weight" (exit 1, the output
    replaced); a step past the run's end wrote the image as it was and exited 0."""
    d, model = files
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", _sigterm_at_once)
        code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", "out.png", "--model",
                                 model, "--size", "32", "--steps", "3", "-q"], monkeypatch, capsys)
    assert code == 143, err
    with np.load("out.ckpt.npz") as z:
        arrays = edit({k: z[k] for k in z.files}, checkpoint.load("out.ckpt.npz").meta)
    np.savez("out.ckpt.npz", **arrays)
    before = (tmp_path / "out.png").read_bytes()
    code, _, err = run_main(["stylize", "--resume", "out.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and says in err and "edited or damaged" in err, err
    assert (tmp_path / "out.png").read_bytes() == before and sorted(os.listdir()) == ["out.ckpt.npz", "out.png"]


@pytest.mark.parametrize("command, extra, what", [("stylize", [], "image"),
                                                  ("sweep", ["--style-weight", "1,10"], "contact sheet")])
def test_resume_of_a_finished_run_says_it_finished(files, command, extra, what, tmp_path, monkeypatch, capsys):
    """The run or sweep resumed to its end removed its checkpoint; typing its --resume again (from the shell's
    history) said "checkpoint ... does not exist; give the .ckpt.npz an interrupted run wrote", as of a typo."""
    d, model = files
    out = tmp_path / "o.png"
    code, _, err = run_main([command, str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(out), "--model",
                             model, "--size", "24", "--steps", "2", "--quiet", *extra], monkeypatch, capsys)
    assert code == 0, err
    finished = (f"its run finished: {out} is its {what}, and a run removes its checkpoint once done, so there is "
                f"nothing to resume (`jaxart info {out}` shows that run)")
    for typed in (tmp_path / "o.ckpt.npz", tmp_path / "o"):
        code, _, err = run_main([command, "--resume", str(typed)], monkeypatch, capsys)
        assert (code, err) == (2, f"error: checkpoint {typed} does not exist; {finished}"), err
    code, _, err = run_main([command, "--resume", str(tmp_path / "x.ckpt.npz")], monkeypatch, capsys)  # none there
    assert err.endswith("does not exist; give the .ckpt.npz an interrupted run wrote"), err

"""What an output may not replace: an interrupted run's checkpoint (the re-run says to resume it, also after a
SIGKILL left it and its frames), an input named another way, another run's frames or checkpoint; and which earlier
frames are stale."""

import shlex
from pathlib import Path

import numpy as np
import pytest

import jaxart
from jaxart import checkpoint, destinations, frames, signals

from conftest import run_main, stylize_argv, write_tiny_job
from test_output_names import _sigterm_at_once, _stylize


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("output-destinations"))


@pytest.mark.parametrize("name", ["a", "my photo"])
def test_rerunning_an_interrupted_command_says_to_resume_it(files, tmp_path, monkeypatch, capsys, name):
    # The commands told run as printed: a name with a space is quoted for the shell (it was three words).
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", _sigterm_at_once)
        code, _, err = run_main(_stylize(files, "-o", f"{name}.png"), monkeypatch, capsys)
    assert code == 143 and (tmp_path / f"{name}.ckpt.npz").is_file(), err
    told = shlex.split(err.split("continue with: ")[1].splitlines()[0])
    assert told == ["jaxart", "stylize", "--resume", f"{name}.ckpt.npz"], err
    code, _, err = run_main(_stylize(files, "-o", f"{name}.png"), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert shlex.split(err.split("continue that run with `")[1].split("`")[0]) == told, err
    assert "--overwrite to start again (which discards the checkpoint)" in err, err
    (tmp_path / f"{name}.png").unlink()  # the checkpoint alone: its own line
    code, _, err = run_main(_stylize(files, "-o", f"{name}.png"), monkeypatch, capsys)
    assert code == 2 and shlex.split(err.split("continue that run with `")[1].split("`")[0]) == told, err
    code, _, err = run_main([*told[1:], "-q"], monkeypatch, capsys)
    assert code == 0 and not (tmp_path / f"{name}.ckpt.npz").exists(), err


def test_an_output_naming_an_input_another_way_is_still_refused(tmp_path, monkeypatch):
    (tmp_path / "photo.png").write_bytes(b"the photo")
    (tmp_path / "link.png").symlink_to(tmp_path / "photo.png")
    monkeypatch.chdir(tmp_path)
    for out, given in ((tmp_path / "photo.png", "photo.png"), (Path("photo.png"), tmp_path / "link.png"),
                       (tmp_path / "sub" / ".." / "photo.png", "./photo.png")):
        with pytest.raises(jaxart.errors.InputError, match="is one of the inputs"):
            destinations.check_not_input([out], [None, given])


def test_stale_frames_are_those_of_an_earlier_run_to_this_output_that_this_run_does_not_write(tmp_path):
    out = tmp_path / "out.png"
    pixels = np.zeros((2, 2, 3))

    def earlier(name, output):
        jaxart.save_image(tmp_path / name, pixels, {"output": str(output)})

    earlier("out_00005.png", out)  # this run writes it again: not stale
    earlier("out_00010.png", out)  # the last step is the output itself, not a frame
    earlier("out_00015.png", out)  # past this run's end
    earlier("out_100000.png", out)  # six digits, from a run of 100000 steps or more
    earlier("out_00003.png", tmp_path / "elsewhere.png")  # another run's: not ours to remove
    (tmp_path / "out_00004.png").write_bytes(b"not a jaxart image")
    stale = frames.stale_frames(out, "png", steps=10, save_every=5)
    assert sorted(p.name for p in stale) == ["out_00010.png", "out_00015.png", "out_100000.png"]


def test_the_checkpoint_beside_an_output_may_replace_neither_an_input_nor_another_runs(tmp_path):
    out, ckpt = tmp_path / "out.png", tmp_path / "out.ckpt.npz"
    ckpt.write_bytes(b"a photo someone named so")
    with pytest.raises(jaxart.errors.InputError, match="would replace one of the inputs"):
        destinations.check_beside(out, "png", 10, 0, [ckpt], overwrite=True)
    with pytest.raises(jaxart.errors.InputError, match="already exists where this run keeps its checkpoint"):
        destinations.check_beside(out, "png", 10, 0, [])
    destinations.check_beside(out, "png", 10, 0, [], resuming=ckpt)  # the run it continues
    destinations.check_beside(out, "png", 10, 0, [], overwrite=True)


def test_only_frames_this_run_would_write_are_refused_and_a_folder_even_with_overwrite(tmp_path):
    out = tmp_path / "out.png"
    for step in (5, 15):  # written before the resumed step 5; the last step is the output itself
        (tmp_path / f"out_{step:05d}.png").write_bytes(b"x")
    destinations.check_beside(out, "png", 15, 5, [], after=5)
    (tmp_path / "out_00010.png").write_bytes(b"x")
    with pytest.raises(jaxart.errors.InputError, match="out_00010.png already exists; pass overwrite=True"):
        destinations.check_beside(out, "png", 15, 5, [], after=5)
    destinations.check_beside(out, "png", 15, 5, [], after=5, overwrite=True)
    (tmp_path / "out_00010.png").unlink()
    (tmp_path / "out_00010.png").mkdir()
    with pytest.raises(jaxart.errors.InputError, match="out_00010.png already exists"):
        destinations.check_beside(out, "png", 15, 5, [], after=5, overwrite=True)


def test_an_animation_may_not_replace_an_input_even_with_overwrite(tmp_path):
    movie = tmp_path / "loop.gif"
    movie.write_bytes(b"GIF89a a painting")
    with pytest.raises(jaxart.errors.InputError,
                       match="animation .*loop.gif is one of the inputs; choose another animation path"):
        destinations.check_animation(movie, overwrite=True, inputs=[movie])


def test_a_rerun_after_a_sigkill_names_the_resume_not_the_frames(files, tmp_path, monkeypatch, capsys):
    """A SIGKILL (the OOM killer, a lost machine) after a `--checkpoint-every` checkpoint leaves it and the frames
    so far, but no image. Running the command again said only that frame o_00005.png exists, with `--overwrite`
    (which discards the checkpoint) as the remedy; it is refused with the `--resume` to give, as after Ctrl-C."""
    out = tmp_path / "o.png"
    argv = stylize_argv(files, out, "--steps", "4", "--save-every", "1", "--checkpoint-every", "1")
    with monkeypatch.context() as m:  # a run stopped after its first step: its frame, checkpoint and image
        m.setattr(signals, "stop_signals", _sigterm_at_once)
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


def test_what_a_run_would_replace_and_remove_is_told_before_it_runs(tmp_path):
    """What a dry run says, for any front end: the files there a run replaces (its frames after the step it resumes
    from, not those before), and the checkpoint it resumes removed once the image is written, beside the output or
    renamed (both); a resumed run writes no second checkpoint, a new one with checkpoint_every does."""
    out = tmp_path / "out.png"
    for path in (out, frames.frame(out, 2), frames.frame(out, 4), checkpoint.path_for(out)):
        path.write_bytes(b"there")
    renamed = tmp_path / "kept.npz"
    meta = {"step": 2, "output": str(out.resolve()), "save_every": 2}
    plan = destinations.changes(out, "png", 6, save_every=2, checkpoint_every=3, resumed=(renamed, meta))
    assert plan == (None, [out], 1, 0, [checkpoint.path_for(out), renamed])
    plan = destinations.changes(out, "png", 6, save_every=2, checkpoint_every=3)
    assert plan == (checkpoint.path_for(out), [out, checkpoint.path_for(out)], 2, 0, [])
    other = {**meta, "output": str(tmp_path / "elsewhere.png")}  # another output's run: the file read stays
    assert destinations.changes(out, "png", 6, resumed=(renamed, other)).removed_after == [checkpoint.path_for(out)]

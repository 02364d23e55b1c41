"""`jaxart info --command` on a `--save-every` frame: the command makes that frame again, not the run's
last image under the frame's name; on an interrupted image it names the checkpoint only while that is there."""

import contextlib
import shlex
import signal

import numpy as np
import pytest
from PIL import Image

from jaxart import provenance, reproduce, signals

from conftest import run_main, write_tiny_job


def test_a_frames_command_writes_that_frame_again(tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path)
    run = ["--model", model, "--size", "32", "--steps", "3", "-q"]
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(d / "first.png"),
                             "--save-every", "1", *run], monkeypatch, capsys)
    assert code == 0, err
    code, out, err = run_main(["info", str(d / "first_00001.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and "frame at step 1 of the run that wrote" in err and len(err.splitlines()) == 1, err
    argv = shlex.split(out)
    # The frame's name is the run's to give; first.png, which is there, refused the command as printed.
    assert argv[argv.index("--output") + 1] == str(d / "first-2.png"), out
    code, _, err = run_main([*argv[1:], "-q"], monkeypatch, capsys)
    assert code == 0, err
    np.testing.assert_array_equal(np.asarray(Image.open(d / "first_00001.png")),
                                  np.asarray(Image.open(d / "first-2_00001.png")))


def test_a_frames_command_warns_of_another_commit_as_the_images_does(tmp_path, monkeypatch, capsys):
    """README: a frame carries the run record, and where another commit runs the command a warning says so. A
    frame's record lacked "source" and "machine", so its command, run at another commit, warned of nothing."""
    d, model = write_tiny_job(tmp_path)
    monkeypatch.setattr(provenance, "source", lambda *a: {"commit": "a" * 40, "modified": False})
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(d / "first.png"),
                             "--save-every", "1", "--model", model, "--size", "32", "--steps", "2", "-q"],
                            monkeypatch, capsys)
    assert code == 0, err
    with monkeypatch.context() as m:  # an interrupted run's image too
        m.setattr(signals, "stop_signals", lambda: contextlib.nullcontext(lambda: signal.SIGTERM))
        code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(d / "cut.png"),
                                 "--model", model, "--size", "32", "--steps", "2", "-q"], monkeypatch, capsys)
    assert code == 143, err
    monkeypatch.setattr(provenance, "source", lambda *a: {"commit": "b" * 40, "modified": False})
    for made in ("first.png", "first_00001.png", "cut.png"):
        code, _, err = run_main(["info", str(d / made), "--command"], monkeypatch, capsys)
        assert code == 0 and "made with commit aaaaaaa; here it is commit bbbbbbb" in err, (made, err)

@pytest.mark.parametrize("stem", ["a", "my a"])
def test_an_interrupted_images_note_names_its_checkpoint_only_while_it_is_there(tmp_path, monkeypatch, capsys, stem):
    """a.tif and a.png share a.ckpt.npz: continued into a.png, it is removed, and a.tif's note still
    said that `jaxart stylize --resume` continues it. The command is quoted for the shell ("my a" was two words)."""
    d, model = write_tiny_job(tmp_path)
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", lambda: contextlib.nullcontext(lambda: signal.SIGTERM))
        code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", f"{stem}.tif", "--model",
                                 model, "--size", "32", "--steps", "3", "-q"], monkeypatch, capsys)
    assert code == 143, err
    ckpt = tmp_path / f"{stem}.ckpt.npz"
    code, _, err = run_main(["info", f"{stem}.tif", "--command"], monkeypatch, capsys)
    assert code == 0 and "continues its checkpoint instead)" in err, err
    told = shlex.split(err.split("(`")[1].split("`")[0])
    assert told == ["jaxart", "stylize", "--resume", str(ckpt)], err
    code, _, err = run_main([*told[1:], "-o", f"{stem}.png", "-q"], monkeypatch, capsys)
    assert code == 0 and not ckpt.exists(), err
    code, _, err = run_main(["info", f"{stem}.tif", "--command"], monkeypatch, capsys)
    assert code == 0 and len(err.splitlines()) == 1 and "--resume" not in err, err
    assert f"its checkpoint is no longer at {ckpt}, so it cannot be resumed" in err, err


def test_the_command_writes_to_the_first_name_beside_the_image_that_nothing_holds(tmp_path):
    """OUT-2.png, unless a file there starts with it (an earlier remake, its checkpoint or frames, a sweep's
    page or tiles): then OUT-3.png, ...; OUT-20.png is another name. A frame's is its run's output's."""
    for name in ["out.png", "out-2.png", "out-3.ckpt.npz", "out-4_00001.png", "out-5-00.png", "out-6.html",
                 "out-20.png", "out-7x.png"]:
        (tmp_path / name).write_bytes(b"")
    assert reproduce.destination({}, tmp_path / "out.png") == tmp_path / "out-7.png"
    frame = {"output": str(tmp_path / "out.png"), "step": 2, "save_every": 2}
    assert reproduce.destination(frame, tmp_path / "out_00002.png") == tmp_path / "out-7.png"
    assert reproduce.destination({}, tmp_path / "out.tif") == tmp_path / "out-7.tif"

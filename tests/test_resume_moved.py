"""A checkpoint moved with its folder: `sweep --resume` takes no --output, so the sheet follows the checkpoint where
the folder it was made in is gone, and stays where it was made where that folder is still there; so does a stylize
run's image, its moved interrupted image still its own to replace."""

import json

import numpy as np
import pytest
from PIL import Image

from conftest import run_main, write_tiny_job

GRID = ["--style-weight", "1,100", "--steps", "6"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("resume_moved"), "vgg16")


def _interrupted(files, out, signal_at, monkeypatch, capsys):
    d, model = files
    signal_at(3)
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(out), "--model",
                             model, "--size", "24", "--quiet", *GRID], monkeypatch, capsys)
    assert code == 143, err


def _animated(files, folder, signal_at, monkeypatch, capsys):
    """A stylize run with frames and an animation into `folder`, interrupted at step 3 of 6."""
    d, model = files
    signal_at(3)
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "24",
                             "--steps", "6", "--quiet", "--save-every", "2", "--animate", f"{folder}/o.gif",
                             "--output", f"{folder}/o.png"], monkeypatch, capsys)
    assert code == 143, err


def test_a_sweep_moved_with_its_folder_is_written_beside_its_checkpoint(files, signal_at, tmp_path, monkeypatch,
                                                                        capsys):
    made, moved = tmp_path / "scratch", tmp_path / "kept"
    _interrupted(files, made / "g.png", signal_at, monkeypatch, capsys)
    made.rename(moved)

    code, out, err = run_main(["info", str(moved / "g.ckpt.npz")], monkeypatch, capsys)  # names where it would write
    assert code == 0 and f"interrupted sweep to {moved / 'g.png'} (at step 3 of 6;" in err, out + err
    assert json.loads(out)["output"] == str(moved / "g.png")  # its JSON too
    code, out, err = run_main(["sweep", "--resume", str(moved / "g.ckpt.npz"), "--dry-run"], monkeypatch, capsys)
    assert code == 0 and f"would write {moved / 'g.png'}," in out, out + err
    code, _, err = run_main(["sweep", "--resume", str(moved / "g.ckpt.npz"), "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    assert err.startswith(f"warning: {made} is gone, so the sweep goes on beside its checkpoint"), err
    assert sorted(p.name for p in moved.iterdir()) == ["g-00.png", "g-01.png", "g.html", "g.png"]
    assert not made.exists()  # it was made again, the sheet, page and tiles in it


def test_a_checkpoint_copied_elsewhere_still_writes_where_its_sweep_was_made(files, signal_at, tmp_path, monkeypatch,
                                                                             capsys):
    made, other = tmp_path / "run", tmp_path / "copies"
    _interrupted(files, made / "g.png", signal_at, monkeypatch, capsys)
    other.mkdir()
    (made / "g.ckpt.npz").rename(other / "kept.npz")

    code, _, err = run_main(["sweep", "--resume", str(other / "kept.npz"), "--quiet"], monkeypatch, capsys)
    assert code == 0 and "warning" not in err, err
    assert sorted(p.name for p in made.iterdir()) == ["g-00.png", "g-01.png", "g.html", "g.png"]
    assert list(other.iterdir()) == []  # the renamed checkpoint it resumed is removed, as README says


def test_a_stylize_run_moved_with_its_folder_finishes_there(files, signal_at, tmp_path, monkeypatch, capsys):
    d, model = files
    run = ["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "24", "--steps", "6",
           "--quiet", "--output"]
    code, _, err = run_main([*run, str(tmp_path / "whole" / "o.png")], monkeypatch, capsys)
    assert code == 0, err
    made, moved = tmp_path / "scratch", tmp_path / "kept"
    signal_at(3)
    code, _, err = run_main([*run, str(made / "o.png")], monkeypatch, capsys)
    assert code == 143 and sorted(p.name for p in made.iterdir()) == ["o.ckpt.npz", "o.png"], err
    made.rename(moved)

    code, _, err = run_main(["stylize", "--resume", str(moved / "o.ckpt.npz"), "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    assert err.startswith(f"warning: {made} is gone, so the run goes on beside its checkpoint"), err
    assert [p.name for p in moved.iterdir()] == ["o.png"] and not made.exists()
    assert np.array_equal(np.asarray(Image.open(moved / "o.png")), np.asarray(Image.open(tmp_path / "whole" / "o.png")))


def test_a_moved_run_resumed_to_another_folder_writes_its_animation_beside_the_image(files, signal_at, tmp_path,
                                                                                      monkeypatch, capsys):
    """Its animation went beside the moved checkpoint (kept/o.gif) while the image went to --output's folder."""
    made, moved, other = tmp_path / "scratch", tmp_path / "kept", tmp_path / "final"
    other.mkdir()
    _animated(files, made, signal_at, monkeypatch, capsys)
    made.rename(moved)
    before = sorted(p.name for p in moved.iterdir())

    resumed = ["stylize", "--resume", str(moved / "o.ckpt.npz"), "--output", str(other / "o.png"), "--quiet"]
    writes = f"would write {other / 'o.png'}, frame {other / 'o_00004.png'} and {other / 'o.gif'};"
    code, out, err = run_main([*resumed, "--dry-run"], monkeypatch, capsys)
    assert code == 0 and writes in out, out + err  # it named kept/o.gif, and final/o_00002.png, never written
    code, out, err = run_main(resumed[:-1], monkeypatch, capsys)
    assert code == 0 and f"wrote {other / 'o.png'}, frame {other / 'o_00004.png'} and {other / 'o.gif'} (" in out, err
    assert sorted(p.name for p in other.iterdir()) == ["o.gif", "o.png", "o_00004.png"], err
    with Image.open(other / "o.gif") as movie:
        assert movie.n_frames == 4  # steps 0, 2, 4 and 6: continued from the checkpoint's frames
    assert sorted(p.name for p in moved.iterdir()) == before and not made.exists()  # that run can still be resumed


def test_info_of_a_moved_run_names_its_animation_where_resume_writes_it(files, signal_at, tmp_path, monkeypatch,
                                                                         capsys):
    """info's JSON named the output beside the moved checkpoint but its animation in the gone folder."""
    made, moved = tmp_path / "scratch", tmp_path / "kept"
    _animated(files, made, signal_at, monkeypatch, capsys)
    made.rename(moved)

    code, out, err = run_main(["info", str(moved / "o.ckpt.npz")], monkeypatch, capsys)
    assert code == 0, err
    record = json.loads(out)
    assert (record["output"], record["animation"]) == (str(moved / "o.png"), str(moved / "o.gif"))
    code, out, err = run_main(["stylize", "--resume", str(moved / "o.ckpt.npz"), "--dry-run"], monkeypatch, capsys)
    assert code == 0 and f"{moved / 'o.gif'} (" in out, out + err  # where the resumed run writes it


@pytest.mark.parametrize("move", [False, True])
def test_a_resumed_dry_run_names_its_animation_as_it_names_the_image(move, files, signal_at, tmp_path, monkeypatch,
                                                                     capsys):
    """The image and frame were named as typed (`kept/o.png`), the animation absolute (`/tmp/.../kept/o.gif`)."""
    monkeypatch.chdir(tmp_path)
    _animated(files, "made", signal_at, monkeypatch, capsys)
    folder = "kept" if move else "made"
    if move:
        (tmp_path / "made").rename(tmp_path / "kept")
    code, out, err = run_main(["stylize", "--resume", f"{folder}/o.ckpt.npz", "--dry-run"], monkeypatch, capsys)
    writes = f"would write {folder}/o.png, 2 frames {folder}/o_00002.png to o_00004.png and {folder}/o.gif ("
    assert code == 0 and writes in out, out + err

"""`jaxart info OUT.ckpt.npz` says whether `--resume` would take the checkpoint now, from the checks `--resume`
makes before any weights load (an input edited or gone, other weights, another jaxart version), before the command
is typed; and a resume of an input moved with the checkpoint's folder."""

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from conftest import run_main, write_tiny_job
from jaxart.image_record import read_record

RUN = ["--size", "24", "--steps", "6", "--quiet"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("info_resumable"), "vgg16")


def _interrupted(files, folder, signal_at, monkeypatch, capsys, command="stylize", *extra):
    """A run (or sweep) of copies of the tiny job's photo and painting in `folder`, interrupted at step 3."""
    d, model = files
    folder.mkdir()
    for name in ("photo.jpg", "paint.png"):
        shutil.copy(d / name, folder / name)
    signal_at(3)
    code, _, err = run_main([command, str(folder / "photo.jpg"), str(folder / "paint.png"), "--output",
                             str(folder / "o.png"), "--model", model, *RUN, *extra], monkeypatch, capsys)
    assert code == 143, err
    return folder / "o.ckpt.npz"


def _info(ckpt, monkeypatch, capsys):
    code, out, err = run_main(["info", str(ckpt)], monkeypatch, capsys)
    assert code == 0, out + err
    return json.loads(out), err.splitlines()[1:]


@pytest.mark.parametrize("command, extra", [("stylize", []), ("sweep", ["--style-weight", "1,100"])])
def test_info_says_whether_resume_would_take_the_checkpoint_now(files, command, extra, signal_at, tmp_path,
                                                                monkeypatch, capsys):
    """It printed the --resume to type whatever that --resume would answer: an input edited since was told only by
    the resume's refusal, once typed."""
    ckpt = _interrupted(files, tmp_path / "run", signal_at, monkeypatch, capsys, command, *extra)
    record, warnings = _info(ckpt, monkeypatch, capsys)
    assert (record["resumable"], "refused" in record, warnings) == (True, False, []), warnings

    photo = tmp_path / "run" / "photo.jpg"
    Image.open(photo).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(photo)  # edited since
    record, warnings = _info(ckpt, monkeypatch, capsys)
    said = f"{photo} has changed since the checkpoint was made; put the original back, or start the run again"
    assert (record["resumable"], record["refused"]) == (False, said), record
    assert warnings == [f"warning: --resume would refuse it now: {said}"]
    code, out, err = run_main(["info", str(ckpt), "--command"], monkeypatch, capsys)
    assert (code, out.split()[:3], err) == (0, ["jaxart", command, "--resume"], warnings[0]), out + err
    code, _, err = run_main([command, "--resume", str(ckpt)], monkeypatch, capsys)  # as the resume says it
    assert code == 2 and err == f"error: {said}", err


def test_info_of_another_versions_checkpoint_says_why_its_steps_are_unknown(files, signal_at, tmp_path, monkeypatch,
                                                                             capsys):
    """Its steps were null with nothing said: a config field this jaxart does not know (a newer version's) is no
    config here, and the --resume it printed was refused for the version once typed."""
    from test_sweep_resume import _edit

    ckpt = _interrupted(files, tmp_path / "run", signal_at, monkeypatch, capsys)
    record, _ = _info(ckpt, monkeypatch, capsys)
    assert record["steps"] == 6
    _edit(ckpt, jaxart="99.0", config={**record["config"], "a_later_field": 1})
    record, warnings = _info(ckpt, monkeypatch, capsys)
    assert (record["step"], record["steps"], record["resumable"]) == (3, None, False), record
    assert record["refused"].startswith("checkpoint was made by jaxart 99.0, this is jaxart "), record
    assert warnings == [f"warning: --resume would refuse it now: {record['refused']}"]


def test_info_says_resume_would_not_replace_an_image_that_is_no_longer_its_own(files, signal_at, tmp_path,
                                                                              monkeypatch, capsys):
    """The interrupted image saved again by another program (its record gone) needs --overwrite to replace; info
    said the checkpoint was fine to resume, and the --resume it printed was refused. Then its line still said "its
    image so far, o.png, holds the run record"."""
    ckpt = _interrupted(files, tmp_path / "run", signal_at, monkeypatch, capsys)
    image = tmp_path / "run" / "o.png"
    _, _, err = run_main(["info", str(ckpt)], monkeypatch, capsys)
    assert err.splitlines()[0].endswith(f"; its image so far, {image}, holds the run record"), err
    Image.open(image).convert("RGB").save(image)
    _, _, err = run_main(["info", str(ckpt)], monkeypatch, capsys)
    assert err.splitlines()[0].endswith(f"; its image so far, {image}, no longer holds the run record (replaced or "
                                        "saved again since)"), err
    record, warnings = _info(ckpt, monkeypatch, capsys)
    said = f"output {image} already exists; pass --overwrite to replace it or choose another --output"
    assert (record["resumable"], record["refused"]) == (False, said), record
    code, _, err = run_main(["stylize", "--resume", str(ckpt)], monkeypatch, capsys)
    assert code == 2 and err == f"error: {said}", err
    code, _, err = run_main(["stylize", "--resume", str(ckpt), "--overwrite"], monkeypatch, capsys)
    assert code == 0, err


@pytest.mark.parametrize("command, extra, written", [
    ("stylize", [], ["o.png", "paint.png", "photo.jpg"]),
    ("sweep", ["--style-weight", "1,100"], ["o-00.png", "o-01.png", "o.html", "o.png", "paint.png", "photo.jpg"])])
def test_inputs_moved_with_the_checkpoints_folder_are_read_there(files, command, extra, written, signal_at, tmp_path,
                                                                 monkeypatch, capsys):
    """A folder holding the photo, the painting and the interrupted run, moved whole: the run went on beside its
    checkpoint, but its inputs were refused ("no longer there ...; put it back there"), though the checkpoint holds
    their sha256. Read from the moved folder where theirs is the same, it gives the uninterrupted run's pixels."""
    d, model = files
    code, _, err = run_main([command, str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(tmp_path / "w.png"),
                             "--model", model, *RUN, *extra], monkeypatch, capsys)
    assert code == 0, err
    made, moved = tmp_path / "scratch", tmp_path / "kept"
    ckpt = _interrupted(files, made, signal_at, monkeypatch, capsys, command, *extra)
    made.rename(moved)
    said = (f"warning: reading {moved / 'paint.png'} for {made / 'paint.png'}, which is gone; reading "
            f"{moved / 'photo.jpg'} for {made / 'photo.jpg'}, which is gone (moved with the checkpoint: the same sha256)")
    record, warnings = _info(moved / ckpt.name, monkeypatch, capsys)
    assert (record["resumable"], warnings) == (True, [said]), warnings

    code, _, err = run_main([command, "--resume", str(moved / ckpt.name), "--quiet"], monkeypatch, capsys)
    assert code == 0 and err.splitlines()[0] == said, err
    assert sorted(p.name for p in moved.iterdir()) == written and not made.exists()
    assert np.array_equal(np.asarray(Image.open(moved / "o.png")), np.asarray(Image.open(tmp_path / "w.png")))


def test_an_input_moved_with_the_folder_but_edited_is_still_refused(files, signal_at, tmp_path, monkeypatch, capsys):
    made, moved = tmp_path / "scratch", tmp_path / "kept"
    ckpt = _interrupted(files, made, signal_at, monkeypatch, capsys)
    made.rename(moved)
    Image.open(moved / "photo.jpg").transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(moved / "photo.jpg")
    code, _, err = run_main(["stylize", "--resume", str(moved / ckpt.name)], monkeypatch, capsys)
    assert code == 2 and err.startswith(f"warning: reading {moved / 'paint.png'} for {made / 'paint.png'}, which is "
                                        "gone (moved with the checkpoint: the same sha256)\n"), err
    assert err.endswith(f"error: {made / 'photo.jpg'}, which the interrupted run read, is no longer there (moved, "
                        "renamed or deleted since the checkpoint was made); put it back there to resume, or start the "
                        "run again"), err


def test_info_of_a_checkpoint_with_an_output_that_is_no_path_gives_the_refusal(tmp_path, monkeypatch, capsys):
    """A hand-edited output (a number) reached Path() before the checks that name it: a traceback, not a refusal."""
    from jaxart import checkpoint

    ckpt = checkpoint.save(tmp_path / "o.ckpt.npz", {"x": np.zeros(2)}, {"output": 5, "step": 1})
    record, warnings = _info(ckpt, monkeypatch, capsys)
    assert record["resumable"] is False and record["refused"].startswith("checkpoint lacks jaxart,"), record
    assert warnings == [f"warning: --resume would refuse it now: {record['refused']}"]


def test_a_weights_file_moved_with_the_checkpoints_folder_is_read_there(files, signal_at, tmp_path, monkeypatch,
                                                                        capsys):
    """A folder holding the photo, the painting, the weights file given by path (--model) and the interrupted run,
    moved whole: its inputs were read there, but the weights only where the run had read them, and the resume failed
    ("weights file ... does not exist"), though the checkpoint holds their sha256."""
    d, _ = files
    made, moved = tmp_path / "scratch", tmp_path / "kept"
    made.mkdir()
    for name in ("photo.jpg", "paint.png", "tiny.safetensors"):
        shutil.copy(d / name, made / name)
    signal_at(3)
    code, _, err = run_main(["stylize", str(made / "photo.jpg"), str(made / "paint.png"), "--output",
                             str(made / "o.png"), "--model", str(made / "tiny.safetensors"), *RUN], monkeypatch, capsys)
    assert code == 143, err
    made.rename(moved)
    record, warnings = _info(moved / "o.ckpt.npz", monkeypatch, capsys)
    said = f"reading {moved / 'tiny.safetensors'} for {made / 'tiny.safetensors'}, which is gone"
    assert record["resumable"] is True and len(warnings) == 1 and said in warnings[0], (record, warnings)
    code, _, err = run_main(["stylize", "--resume", str(moved / "o.ckpt.npz"), "--quiet"], monkeypatch, capsys)
    assert code == 0 and said in err.splitlines()[0], err
    assert sorted(p.name for p in moved.iterdir()) == ["o.png", "paint.png", "photo.jpg", "tiny.safetensors"]


def test_info_of_a_checkpoint_whose_weights_file_is_gone_says_resume_would_refuse_it(files, signal_at, tmp_path,
                                                                                    monkeypatch, capsys):
    """A run with --model FILE whose weights file was deleted since (not moved): info said "resumable": true, and the
    --resume it printed was then refused ("weights file ... does not exist")."""
    d, _ = files
    shutil.copy(d / "tiny.safetensors", tmp_path / "gone.safetensors")
    signal_at(3)
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(tmp_path / "o.png"),
                             "--model", str(tmp_path / "gone.safetensors"), *RUN], monkeypatch, capsys)
    assert code == 143, err
    (tmp_path / "gone.safetensors").unlink()
    record, warnings = _info(tmp_path / "o.ckpt.npz", monkeypatch, capsys)
    code, _, err = run_main(["stylize", "--resume", str(tmp_path / "o.ckpt.npz"), "--quiet"], monkeypatch, capsys)
    assert code != 0 and "gone.safetensors does not exist" in err, err
    assert record["resumable"] is False and record["refused"] in err, (record, err)
    assert warnings == [f"warning: --resume would refuse it now: {record['refused']}"]


def test_a_moved_runs_resume_killed_before_its_image_resumes_again(files, signal_at, tmp_path, monkeypatch, capsys):
    """A folder moved whole, resumed, and that resume killed (SIGKILL, out of memory) after a checkpoint but before
    its image: the checkpoint named the inputs where they now are and the image, still the first run's, where they
    were, so `--resume` refused its own image ("output ... already exists; pass --overwrite"), and info said so too.
    Moved again, the image is its own all the same."""
    made, moved, again = tmp_path / "scratch", tmp_path / "kept", tmp_path / "later"
    _interrupted(files, made, signal_at, monkeypatch, capsys)
    made.rename(moved)
    before = (moved / "o.png").read_bytes()  # the first run's interrupted image
    signal_at(1)
    code, _, err = run_main(["stylize", "--resume", str(moved / "o.ckpt.npz"), "--quiet"], monkeypatch, capsys)
    assert code == 143, err
    (moved / "o.png").write_bytes(before)  # as where the resume was killed before it wrote its image
    record, _ = _info(moved / "o.ckpt.npz", monkeypatch, capsys)
    assert (record["step"], record["resumable"], record.get("refused")) == (4, True, None), record
    moved.rename(again)
    record, _ = _info(again / "o.ckpt.npz", monkeypatch, capsys)
    assert (record["resumable"], record.get("refused")) == (True, None), record
    code, _, err = run_main(["stylize", "--resume", str(again / "o.ckpt.npz"), "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    assert "interrupted" not in read_record(again / "o.png") and not (again / "o.ckpt.npz").exists()


@pytest.mark.parametrize("command, extra, flag", [("stylize", [], " or choose another --output"),
                                                  ("sweep", ["--style-weight", "1,100"], "")])
def test_info_of_a_checkpoint_whose_run_is_going_on_says_resume_would_wait_for_it(files, command, extra, flag,
                                                                                   signal_at, tmp_path, monkeypatch,
                                                                                   capsys):
    """A run still going (its --checkpoint-every checkpoint, or a resume of it in another terminal) holds its output:
    info said "resumable": true, and the --resume it printed was refused, "being written by another jaxart run"."""
    from jaxart import locks

    ckpt = _interrupted(files, tmp_path / "run", signal_at, monkeypatch, capsys, command, *extra)
    with locks.hold(locks.output_lock(tmp_path / "run" / "o.png")):  # as the run writing it holds it
        record, warnings = _info(ckpt, monkeypatch, capsys)
    said = f"{tmp_path / 'run' / 'o.png'} is being written by another jaxart run; wait for it to finish{flag}"
    assert (record["resumable"], record.get("refused"), warnings) == (
        False, said, [f"warning: --resume would refuse it now: {said}"]), record
    assert _info(ckpt, monkeypatch, capsys)[0]["resumable"] is True  # once it is done


def test_info_of_a_checkpoint_whose_output_has_no_suffix_says_what_resume_says(files, signal_at, tmp_path,
                                                                                monkeypatch, capsys):
    """Its refusal left out "(jaxart writes PNG, .png, and TIFF, .tif or .tiff)", which --resume's line has."""
    from test_sweep_resume import _edit

    ckpt = _interrupted(files, tmp_path / "run", signal_at, monkeypatch, capsys)
    _edit(ckpt, output=str(tmp_path / "run" / "o"))
    record, _ = _info(ckpt, monkeypatch, capsys)
    code, _, err = run_main(["stylize", "--resume", str(ckpt)], monkeypatch, capsys)
    assert code == 2 and err == f"error: {record['refused']}", err
    assert record["refused"].endswith(" (jaxart writes PNG, .png, and TIFF, .tif or .tiff)"), record

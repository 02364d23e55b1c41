"""Which files an interrupted run's checkpoint and its `--resume` may replace, and which they must not."""

import contextlib
import os
import shutil
import signal

import pytest

from jaxart import checkpoint, model_choice, signals

from conftest import run_main, unless_given, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("resume-outputs"))


@contextlib.contextmanager
def _sigterm_at_once():
    yield lambda: signal.SIGTERM


def _run(files, *extra):
    d, model = files
    return [str(d / "photo.jpg"), str(d / "paint.png"), *unless_given(extra, "--model", model, "--size", "32",
                                                                       "--steps", "3"), "-q", *extra]


def _interrupted(files, monkeypatch, capsys, *extra) -> None:
    """A run to a.png stopped after its first step: a.png and a.ckpt.npz in the current folder."""
    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", _sigterm_at_once)
        code, _, err = run_main(["stylize", *_run(files, "-o", "a.png", *extra)], monkeypatch, capsys)
    assert code == 143, err


def test_an_output_of_the_same_stem_does_not_take_another_runs_checkpoint(files, tmp_path, monkeypatch, capsys):
    # a.png and a.tif keep their checkpoints in one a.ckpt.npz: the second run deleted the first's.
    monkeypatch.chdir(tmp_path)
    _interrupted(files, monkeypatch, capsys)
    kept = (tmp_path / "a.ckpt.npz").read_bytes()
    code, _, err = run_main(["stylize", *_run(files, "-o", "a.tif", "--format", "tiff", "--checkpoint-every", "1")],
                            monkeypatch, capsys)
    assert code == 2 and err == ("error: a.ckpt.npz already exists where this run keeps its checkpoint; if an "
                                 "interrupted run left it, continue that run with `jaxart stylize --resume "
                                 "a.ckpt.npz`; else pass --overwrite to replace it, or choose another --output"), err
    assert (tmp_path / "a.ckpt.npz").read_bytes() == kept and not (tmp_path / "a.tif").exists()
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 0 and not (tmp_path / "a.ckpt.npz").exists(), err


def test_a_finished_image_written_since_is_not_replaced_by_resuming(files, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _interrupted(files, monkeypatch, capsys)
    stale = (tmp_path / "a.ckpt.npz").read_bytes()
    # A new run to a.png with --overwrite finishes, and its image supersedes the old checkpoint.
    code, _, err = run_main(["stylize", *_run(files, "-o", "a.png", "--overwrite", "--seed", "7")], monkeypatch, capsys)
    assert code == 0 and not (tmp_path / "a.ckpt.npz").exists(), err
    finished = (tmp_path / "a.png").read_bytes()
    # Were the old checkpoint brought back, resuming it must not silently replace that image.
    (tmp_path / "a.ckpt.npz").write_bytes(stale)
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 2 and err == ("error: output a.png already exists; pass --overwrite to replace "
                                 "it or choose another --output"), err
    assert (tmp_path / "a.png").read_bytes() == finished


def test_resume_replaces_no_animation_it_did_not_write(files, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _interrupted(files, monkeypatch, capsys)
    (tmp_path / "keep.gif").write_bytes(b"precious")
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "--animate", "keep.gif", "-q"], monkeypatch, capsys)
    assert code == 2 and "keep.gif already exists; pass --overwrite" in err, err
    assert (tmp_path / "keep.gif").read_bytes() == b"precious"


def test_a_checkpoint_of_model_auto_names_the_weights_it_used(files, tmp_path, monkeypatch, capsys):
    # "auto" is vgg19 or, unavailable, vgg16-hed: resuming must load the same weights, not choose again.
    import jaxart

    tiny = jaxart.load_weights(files[1])
    monkeypatch.setattr(model_choice, "resolve_model", lambda model, fetch, warn: tiny)
    monkeypatch.setattr(model_choice, "model_arch", lambda model: tiny.arch)
    monkeypatch.chdir(tmp_path)
    d, _ = files
    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", _sigterm_at_once)
        code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--model", "auto", "--size",
                                 "32", "--steps", "3", "-o", "a.png", "-q"], monkeypatch, capsys)
    assert code == 143, err
    assert checkpoint.load("a.ckpt.npz").meta["model"] == tiny.name != "auto"


@pytest.mark.parametrize("steps, said", [(3, "3 steps"), (1, "1 step")])
def test_ctrl_c_during_the_last_step_is_answered_once_the_image_is_written(steps, said, files, tmp_path, monkeypatch,
                                                                           capsys):
    # The last step's callback returned before looking at the signal: exit 0, as if none came.
    import jaxart

    monkeypatch.chdir(tmp_path)
    asked = []

    def stopped():  # Ctrl-C arrives during the last step: the steps before it saw none
        asked.append(len(asked))
        return signal.SIGINT if len(asked) >= steps else None

    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", lambda: contextlib.nullcontext(stopped))
        code, _, err = run_main(["stylize", *_run(files, "-o", "a.png", "--steps", str(steps))], monkeypatch, capsys)
    assert code == 130 and err == f"interrupted as the run finished; wrote a.png ({said})", err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]
    assert "interrupted" not in jaxart.read_record("a.png") and jaxart.read_record("a.png")["steps"] == steps


def test_an_interrupted_overwrite_run_removes_the_earlier_frames_once_resumed(files, tmp_path, monkeypatch, capsys):
    """The resumed run never removed them: the checkpoint did not say the run had --overwrite."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["stylize", *_run(files, "-o", "a.png", "--save-every", "1")], monkeypatch, capsys)
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "a_00001.png", "a_00002.png"], err
    _interrupted(files, monkeypatch, capsys, "--save-every", "2", "--overwrite")
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "a_00002.png"], err


@pytest.mark.parametrize("overwrite", [True, False])
def test_a_run_interrupted_twice_keeps_its_overwrite_leave_and_finishes(overwrite, files, tmp_path, monkeypatch,
                                                                       capsys):
    """The leave --overwrite gave, or its absence, is kept through every checkpoint: the first
    resume writes its own, which must say what the run was given (not that the resume may replace
    its own image), or the last resume leaves the earlier run's a_00001.png among this run's
    frames, or removes it unasked."""
    import jaxart

    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["stylize", *_run(files, "-o", "a.png", "--save-every", "1")], monkeypatch, capsys)
    assert code == 0, err
    (tmp_path / "a.png").unlink()
    (tmp_path / "a_00002.png").unlink()  # a_00001.png is left, at a step this run does not write
    _interrupted(files, monkeypatch, capsys, "--save-every", "2", *["--overwrite"] * overwrite)  # at step 1 of 3
    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", _sigterm_at_once)
        code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 143 and jaxart.read_record("a.png")["step"] == 2, err  # stopped again, at step 2
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", *["a_00001.png"] * (not overwrite), "a_00002.png"]
    record = jaxart.read_record("a.png")
    assert "interrupted" not in record and record["steps"] == 3


def test_a_checkpoint_whose_size_was_edited_is_refused_in_one_line_before_any_warning(files, tmp_path, monkeypatch,
                                                                                      capsys):
    # The upsampling warning came first, then the refusal: two lines for one bad input.
    import json

    import numpy as np

    monkeypatch.chdir(tmp_path)
    _interrupted(files, monkeypatch, capsys)
    with np.load("a.ckpt.npz") as z:
        arrays = dict(z)
    meta = json.loads(str(arrays["meta"]))
    meta["config"]["size"] = 64  # the photo is 40 px wide: 64 would upsample it
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez("a.ckpt.npz", **arrays)
    (tmp_path / "a.png").unlink()  # its record no longer matches: it would need --overwrite
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err == ("error: checkpoint holds a 64x56 image (margin included), which is no scale of [64] for this "
                   "photo; it was made with another config, or edited or damaged: resume it with the config it was "
                   "made with, or start the run again"), err


def test_resuming_a_link_removes_the_link_and_its_file_only_where_that_is_the_outputs_own(files, tmp_path, monkeypatch,
                                                                                          capsys):
    """`--resume LINK.npz` (to a.ckpt.npz) left LINK.npz pointing at nothing, though its dry run said both go. A link
    to a file elsewhere goes as `rm` removes one, its file stays (test_cli_dangling_links): the dry run says so."""
    monkeypatch.chdir(tmp_path)
    _interrupted(files, monkeypatch, capsys)
    (tmp_path / "kept").mkdir()
    shutil.copy("a.ckpt.npz", "kept/run.npz")
    os.symlink("a.ckpt.npz", "LINK.npz")
    os.symlink("kept/run.npz", "OTHER.npz")
    then = "once the image is written"
    for link, says in (("LINK.npz", f"removing a.ckpt.npz {then}, removing LINK.npz {then})"),
                       ("OTHER.npz", f"removing the link OTHER.npz (not its file, kept/run.npz) {then})")):
        code, said, err = run_main(["stylize", "--resume", link, "--dry-run"], monkeypatch, capsys)
        assert code == 0 and says in said, (said, err)
    code, _, err = run_main(["stylize", "--resume", "LINK.npz", "-q"], monkeypatch, capsys)
    assert code == 0 and (tmp_path / "a.png").is_file() and (tmp_path / "kept" / "run.npz").is_file(), err
    assert not os.path.lexists("LINK.npz") and not os.path.lexists("a.ckpt.npz")


def test_a_resumed_run_names_its_output_as_the_first_run_did(files, tmp_path, monkeypatch, capsys):
    """The checkpoint records the output absolute (it resumes from any folder); its lines said
    /tmp/.../out/a.png where the interrupted run had said out/a.png. Under the current folder they are relative
    again; from elsewhere, absolute."""
    monkeypatch.chdir(tmp_path)
    said = []
    for argv in (_run(files, "-o", "out/a.png"), ["--resume", "out/a.ckpt.npz", "-q"]):
        with monkeypatch.context() as m:
            m.setattr(signals, "stop_signals", _sigterm_at_once)
            code, _, err = run_main(["stylize", *argv], monkeypatch, capsys)
        assert code == 143, err
        said.append(err)
    first, resumed = (line.partition(";")[2] for line in said)
    assert resumed == first == (" wrote out/a.png and checkpoint out/a.ckpt.npz; continue with: jaxart stylize "
                                "--resume out/a.ckpt.npz"), said
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    code, out, err = run_main(["stylize", "--resume", "../out/a.ckpt.npz", "--dry-run"], monkeypatch, capsys)
    assert code == 0 and f"would write {tmp_path / 'out' / 'a.png'} (replacing" in out, (out, err)


def test_the_interruption_line_names_the_frames_already_written(files, tmp_path, monkeypatch, capsys, signal_at):
    """It said "wrote out/a.png and checkpoint out/a.ckpt.npz" of a --save-every run: its frames went unnamed."""
    monkeypatch.chdir(tmp_path)
    signal_at(3)
    code, _, err = run_main(["stylize", *_run(files, "-o", "out/a.png", "--steps", "6", "--save-every", "1")],
                            monkeypatch, capsys)
    assert code == 143 and err.partition(";")[2] == (
        " wrote out/a.png, 3 frames out/a_00001.png to a_00003.png and checkpoint out/a.ckpt.npz; continue with: "
        "jaxart stylize --resume out/a.ckpt.npz"), err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "a.ckpt.npz", "a.png", "a_00001.png", "a_00002.png", "a_00003.png"]


def test_a_resume_to_another_format_names_the_output_to_give(files, tmp_path, monkeypatch, capsys):
    """`--resume a.ckpt.npz --format tiff` was told "output a.png must end in .tif or .tiff", a name never typed."""
    monkeypatch.chdir(tmp_path)
    _interrupted(files, monkeypatch, capsys)
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "--format", "tiff", "-q"], monkeypatch, capsys)
    assert code == 2 and "\n" not in err and "Traceback" not in err, err
    assert err == ("error: the checkpoint's output a.png does not end in .tif or .tiff, as --format tiff needs; give "
                   "--output a.tif too"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ckpt.npz", "a.png"]

"""What `jaxart sweep --resume` refuses, each in one line with nothing written (another version, other weights, an
edited input, the other command's checkpoint, settings it fixes), and what `info` and a dry run say of an
interrupted sweep's checkpoint (resuming itself: test_sweep_resume.py)."""

import json

import numpy as np
import pytest

import jaxart
from jaxart import checkpoint

from conftest import run_main
from test_output_lock import _holder
from test_sweep_resume import _edit, _sweep


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from conftest import write_tiny_job

    return write_tiny_job(tmp_path_factory.mktemp("sweep_resume_refusals"), "vgg16")


@pytest.fixture
def interrupted(files, signal_at, tmp_path, monkeypatch, capsys):
    """A sweep to tmp_path/g.png interrupted at step 2 of 4: its checkpoint."""
    signal_at(2)
    code, _, err = run_main(_sweep(files, tmp_path / "g.png", "--steps", "4", "--style-weight", "1,10"), monkeypatch,
                            capsys)
    assert code == 143, err
    return tmp_path / "g.ckpt.npz"


def _refused(argv, monkeypatch, capsys, *expected):
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and all(e in err for e in expected), err
    return err


def test_running_the_same_sweep_again_points_at_resume_or_overwrite(files, interrupted, tmp_path, monkeypatch, capsys):
    argv = _sweep(files, tmp_path / "g.png", "--steps", "4", "--style-weight", "1,10")
    _refused(argv, monkeypatch, capsys, f"{interrupted} holds an interrupted sweep", f"--resume {interrupted}",
             "--overwrite")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.ckpt.npz"]
    code, _, err = run_main([*argv, "--overwrite"], monkeypatch, capsys)  # gives the interrupted one up
    assert code == 0 and not interrupted.exists(), err


def test_a_second_resume_of_a_sweep_being_resumed_is_told_to_wait(files, interrupted, tmp_path, monkeypatch, capsys):
    """Two `sweep --resume` of one checkpoint at once: the second was told "or choose another --output", an option
    --resume refuses (the checkpoint fixes the sheet)."""
    other = _holder(tmp_path / "g.png")  # another process writing the sheet, as the first resume does
    try:
        err = _refused(["sweep", "--resume", str(interrupted), "--quiet"], monkeypatch, capsys,
                       "g.png is being written by another jaxart run; wait for it to finish")
    finally:
        other.communicate(timeout=30)
    assert "--output" not in err and sorted(p.name for p in tmp_path.iterdir()) == ["g.ckpt.npz"], err


@pytest.mark.parametrize("dry", [[], ["--dry-run"]], ids=["run", "dry run"])
def test_resume_refuses_an_edited_input_other_weights_and_another_version(dry, files, interrupted, tmp_path,
                                                                          monkeypatch, capsys):
    """The dry run took other weights ("refused by the run alone"); it reads their file's header, as stylize's."""
    resume = ["sweep", "--resume", str(interrupted), "--quiet", *dry]
    _edit(interrupted, jaxart="0.0.1")
    _refused(resume, monkeypatch, capsys, "made by jaxart 0.0.1", f"this is jaxart {jaxart.__version__}")
    _edit(interrupted, jaxart=jaxart.__version__, weights_sha256="0" * 64, weights_content_sha256="0" * 64)
    _refused(resume, monkeypatch, capsys, "checkpoint was made with other weights")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.ckpt.npz"]


def test_resume_refuses_an_input_edited_since(files, interrupted, tmp_path, monkeypatch, capsys):
    d, _ = files
    photo = tmp_path / "photo.jpg"
    photo.write_bytes((d / "photo.jpg").read_bytes())
    meta = checkpoint.load(interrupted).meta
    content = meta["inputs"]["content"]
    _edit(interrupted, inputs={**meta["inputs"], "content": str(photo)},
          input_sha256={**{k: v for k, v in meta["input_sha256"].items() if k != content},
                        str(photo): meta["input_sha256"][content]})
    photo.write_bytes(photo.read_bytes()[:-8] + b"\0" * 8)
    _refused(["sweep", "--resume", str(interrupted)], monkeypatch, capsys, f"{photo} has changed since")


def test_each_command_refuses_the_others_checkpoint(files, interrupted, tmp_path, monkeypatch, capsys):
    _refused(["stylize", "--resume", str(interrupted)], monkeypatch, capsys,
             "is an interrupted sweep's checkpoint", f"jaxart sweep --resume {interrupted}")
    ckpt = tmp_path / "s.ckpt.npz"
    checkpoint.save(ckpt, [np.zeros(1)], {"step": 1})  # a stylize run's, as far as `kind` goes
    _refused(["sweep", "--resume", str(ckpt)], monkeypatch, capsys,
             "is an interrupted stylize run's checkpoint", f"jaxart stylize --resume {ckpt}")


@pytest.mark.parametrize("extra, flag", [(["--steps", "8"], "--steps"), (["--style-weight", "3"], "--style-weight"),
                                         (["-o", "other.png"], "--output")])
def test_resume_refuses_settings_the_checkpoint_fixes(extra, flag, interrupted, monkeypatch, capsys):
    _refused(["sweep", "--resume", str(interrupted), *extra], monkeypatch, capsys,
             f"the checkpoint fixes the run's settings; drop {flag}")


def test_info_says_it_is_an_interrupted_sweep_and_the_resume_to_type(interrupted, monkeypatch, capsys):
    """It was an error (exit 2) of a file the sweep wrote and named in its interruption's line."""
    code, out, err = run_main(["info", str(interrupted)], monkeypatch, capsys)
    assert code == 0 and err == (f"{interrupted}: a checkpoint of an interrupted sweep to "
                                 f"{interrupted.parent / 'g.png'} (at step 2 of 4; no tiles or sheet "
                                 f"written yet); continue it with `jaxart sweep --resume {interrupted}`")
    held = json.loads(out)  # JSON, as an image's record: `jaxart info G.ckpt.npz | jq .step` works
    assert {k: held[k] for k in ("kind", "step", "steps", "output", "resume")} == {
        "kind": "sweep", "step": 2, "steps": 4, "output": str(interrupted.parent / "g.png"),
        "resume": f"jaxart sweep --resume {interrupted}"}
    assert held["config"]["steps"] == 4 and held["settings"] and held["inputs"]["content"].endswith("photo.jpg")
    assert "structure" not in held and "leaves" not in held  # its arrays' layout is no user's business
    code, out, err = run_main(["info", str(interrupted), "--command"], monkeypatch, capsys)
    assert (code, out, err) == (0, f"jaxart sweep --resume {interrupted}\n", "")


def test_a_dry_run_refuses_or_names_an_interrupted_sweeps_checkpoint_as_the_run_would(files, interrupted, tmp_path,
                                                                                     monkeypatch, capsys):
    """The dry run said "would write g.png ..." and nothing of the checkpoint that the run with --overwrite discards,
    or that `--resume` continues from its step."""
    argv = _sweep(files, tmp_path / "g.png", "--steps", "4", "--style-weight", "1,10", "--dry-run")
    _refused(argv, monkeypatch, capsys, f"{interrupted} holds an interrupted sweep", f"--resume {interrupted}")
    code, out, err = run_main([*argv, "--overwrite"], monkeypatch, capsys)
    assert code == 0 and f"(discarding the interrupted sweep in {interrupted}, at step 2 of 4)" in out, (out, err)
    longer = _sweep(files, tmp_path / "g.png", "--steps", "6", "--style-weight", "1,10", "--dry-run", "--overwrite")
    code, out, err = run_main(longer, monkeypatch, capsys)  # its step of its own sweep's steps: "of 6" was this one's
    assert code == 0 and f"(discarding the interrupted sweep in {interrupted}, at step 2 of 4)" in out, (out, err)
    code, out, err = run_main(["sweep", "--resume", str(interrupted), "--dry-run"], monkeypatch, capsys)
    assert code == 0 and out.startswith(f"dry run: the sweep in {interrupted} from step 2 of 4, 2 settings, 24 px, "
                                        "4 steps, about "), (out, err)
    assert f"(removing {interrupted} once they are placed)" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.ckpt.npz"]
    ckpt = tmp_path / "s.ckpt.npz"
    checkpoint.save(ckpt, [np.zeros(1)], {"step": 1})  # a stylize run's, as far as `kind` goes
    code, out, err = run_main([*_sweep(files, tmp_path / "s.png", "--steps", "4", "--dry-run"), "--overwrite"],
                              monkeypatch, capsys)
    assert code == 0 and f"(discarding the interrupted stylize run's checkpoint {ckpt})" in out, (out, err)


def test_one_rule_says_which_checkpoints_a_sweep_removes(tmp_path):
    """sweep_job.run removed them and the dry run named them, each by a rule of its own (`sweep_job.removed` now)."""
    from jaxart import sweep_job

    out, beside, kept = tmp_path / "g.png", tmp_path / "g.ckpt.npz", tmp_path / "kept.npz"
    assert sweep_job.removed(out, overwrite=False, resumed_from=None) == []  # an earlier one there is refused
    assert sweep_job.removed(out, overwrite=False, resumed_from=None, wrote=True) == [beside]
    assert sweep_job.removed(out, overwrite=True, resumed_from=None) == [beside]  # given up
    assert sweep_job.removed(out, overwrite=False, resumed_from=kept) == [kept, beside]  # the one read first


def test_a_sweep_resumed_without_resumed_from_still_removes_its_checkpoint(interrupted, monkeypatch, capsys):
    """A library caller of `sweep_job.run` may give `resume` alone: 02aa2c6 removed GRID.ckpt.npz only where
    `resumed_from` came with it (91210f7 mended it, untested), so its "continue with" line resumed a finished sweep."""
    from jaxart import sweep_job

    run = sweep_job.run
    monkeypatch.setattr(sweep_job, "run", lambda *a, resumed_from=None, **kw: run(*a, **kw))
    code, _, err = run_main(["sweep", "--resume", str(interrupted), "--quiet"], monkeypatch, capsys)
    assert code == 0 and (interrupted.parent / "g.png").is_file() and not interrupted.exists(), err

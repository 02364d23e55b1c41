"""`jaxart sweep --resume`: a sweep interrupted at any step (one scale or several, a tolerance testing, a periodic
checkpoint) keeps its state in GRID.ckpt.npz and continues to the very files the uninterrupted sweep writes; a
checkpoint it cannot continue exactly is refused in one line (the stylize resume: test_resume*.py)."""

import json
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from jaxart import checkpoint
from jaxart.image_record import read_record

from conftest import run_main, unless_given, write_tiny_job

# With a tolerance of 5% at 24 px, style weight 1 stops at step 20, 2 at 30, 10 and 20 run all 40 steps
# (test_sweep_shrink_cli.py): --shrink-batch shrinks the batch after step 30.
STOPS = ["--style-weight", "1,2,10,20", "--tolerance", "0.05", "--steps", "40"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("sweep_resume"), "vgg16")


def _sweep(files, out, *extra):
    d, model = files
    return ["sweep", str(d / "photo.jpg"), str(d / "paint.png"),
            *unless_given(extra, "--output", str(out), "--model", model, "--size", "24"), "--quiet", *extra]




def _tiles(out):
    return {p.name: np.asarray(Image.open(p)) for p in sorted(out.parent.glob(f"{out.stem}*.png"))}


def _record(sheet):
    """The sheet's record without its seconds and the time it finished, as text."""
    return json.dumps({k: v for k, v in read_record(sheet).items() if k not in ("seconds", "finished")},
                      sort_keys=True)


@pytest.mark.parametrize("extra, at", [
    (["--style-weight", "1,100", "--steps", "6"], 3),
    (["--style-weight", "1,100", "--scales", "24,32", "--size", "32", "--steps", "3,3"], 2),  # within the first scale
    (["--style-weight", "1,100", "--scales", "24,32", "--size", "32", "--steps", "3,3"], 3),  # as the first scale ends
    (["--style-weight", "1,100", "--scales", "24,32", "--size", "32", "--steps", "3,3", "--init", "random", "--seed", "1,2"], 5),
    (STOPS, 20),  # a tolerance, at a step it tests (and stops a tile at): not tested again
    (STOPS, 25),  # a tolerance: one tile stopped at step 20, the others still tested
], ids=["one scale", "first scale", "between scales", "second scale, random starts", "tolerance tested",
        "tolerance"])
def test_an_interrupted_sweep_resumes_to_the_uninterrupted_files(extra, at, files, signal_at, tmp_path, monkeypatch,
                                                                 capsys):
    whole = tmp_path / "whole" / "g.png"
    code, _, err = run_main(_sweep(files, whole, *extra), monkeypatch, capsys)
    assert code == 0, err

    out = tmp_path / "cut" / "g.png"
    ckpt = out.parent / "g.ckpt.npz"
    signal_at(at)
    code, _, err = run_main(_sweep(files, out, *extra), monkeypatch, capsys)
    assert code == 143 and len(err.splitlines()) == 1, err
    assert f"at step {at} of" in err and err.endswith(f"continue with: jaxart sweep --resume {ckpt}"), err
    assert [p.name for p in out.parent.iterdir()] == ["g.ckpt.npz"]  # no tile, sheet or page: all or nothing
    assert checkpoint.load(ckpt).meta["step"] == at

    code, _, err = run_main(["sweep", "--resume", str(ckpt), "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    got, want = _tiles(out), _tiles(whole)
    assert list(got) == list(want) and all(np.array_equal(got[k], want[k]) for k in want)
    assert _record(out) == _record(whole).replace(str(whole.parent), str(out.parent))
    assert not ckpt.exists()  # else its "continue with" line would run the finished sweep again


def test_a_checkpoint_holding_nan_is_resumed_not_refused_as_damaged(files, signal_at, tmp_path, monkeypatch, capsys):
    """A tile whose loss became NaN or inf keeps NaN in its state (the loss terms of a first step that failed, the
    optimizer state of the failed step): a sweep's checkpoint may hold NaN, which stylize's never does. Here every
    tile's loss terms are NaN in it; the next step replaces them, so the files are still the uninterrupted ones."""
    whole, out = tmp_path / "whole" / "g.png", tmp_path / "cut" / "g.png"
    argv = ["--style-weight", "1,100", "--steps", "4"]
    assert run_main(_sweep(files, whole, *argv), monkeypatch, capsys)[0] == 0
    real = checkpoint.save

    def with_nan(path, tree, *a, **k):
        carry = tree[0]._replace(aux={t: np.full(np.shape(v), np.nan, np.float32) for t, v in tree[0].aux.items()})
        return real(path, (carry, *tree[1:]), *a, **k)

    monkeypatch.setattr(checkpoint, "save", with_nan)
    signal_at(2)
    assert run_main(_sweep(files, out, *argv), monkeypatch, capsys)[0] == 143
    code, _, err = run_main(["sweep", "--resume", str(out.parent / "g.ckpt.npz"), "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    got, want = _tiles(out), _tiles(whole)
    assert list(got) == list(want) and all(np.array_equal(got[k], want[k]) for k in want)


def test_a_resumed_sweep_records_the_seconds_before_the_interruption_too(files, signal_at, tmp_path, monkeypatch,
                                                                         capsys):
    out = tmp_path / "g.png"
    ckpt = tmp_path / "g.ckpt.npz"
    signal_at(2)
    assert run_main(_sweep(files, out, "--steps", "4"), monkeypatch, capsys)[0] == 143
    before = checkpoint.load(ckpt).meta["seconds"]
    _edit(ckpt, seconds=before + 1000.0)  # as if it had run for long before
    code, _, err = run_main(["sweep", "--resume", str(ckpt), "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    assert 1000.0 + before < read_record(out)["seconds"] < 1000.0 + before + 600


def test_a_renamed_checkpoint_is_removed_once_the_files_are_placed_as_the_dry_run_says(files, signal_at, tmp_path,
                                                                                      monkeypatch, capsys):
    """The sweep removed only GRID.ckpt.npz: `--resume kept.npz` left kept.npz behind, though its dry run said "removing
    kept.npz once they are placed", and a later `--resume kept.npz` would run the finished sweep again. A file there
    that is no longer the checkpoint resumed (replaced meanwhile) is kept."""
    out, kept = tmp_path / "g.png", tmp_path / "kept.npz"
    signal_at(2)
    assert run_main(_sweep(files, out, "--steps", "4"), monkeypatch, capsys)[0] == 143
    (tmp_path / "g.ckpt.npz").rename(kept)
    code, said, err = run_main(["sweep", "--resume", str(kept), "--dry-run"], monkeypatch, capsys)
    assert code == 0 and f"removing {kept} once they are placed" in said, (said, err)
    code, _, err = run_main(["sweep", "--resume", str(kept), "--quiet"], monkeypatch, capsys)
    assert code == 0 and out.is_file() and not kept.exists(), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g-00.png", "g.html", "g.png"]

    other = tmp_path / "other.npz"
    signal_at(2)
    assert run_main(_sweep(files, out, "--steps", "4", "--overwrite"), monkeypatch, capsys)[0] == 143
    (tmp_path / "g.ckpt.npz").rename(other)
    real = checkpoint.load

    def replaced_meanwhile(path):  # the file --resume read is replaced by another before the sweep ends
        loaded = real(path)
        _edit(other, seconds=123.0)
        return loaded

    monkeypatch.setattr(checkpoint, "load", replaced_meanwhile)
    code, _, err = run_main(["sweep", "--resume", str(other), "--quiet"], monkeypatch, capsys)
    assert code == 0 and other.is_file(), err


def test_a_resumed_sweep_names_its_files_as_the_first_run_did(files, signal_at, tmp_path, monkeypatch, capsys):
    """The checkpoint records the sheet absolute; a resumed sweep's lines said /tmp/.../out/g.ckpt.npz where the
    interrupted one had said out/g.ckpt.npz (stylize's were mended in 20efda5)."""
    monkeypatch.chdir(tmp_path)
    said = []
    for argv, at in ((_sweep(files, "out/g.png", "--steps", "4"), 2), (["sweep", "--resume", "out/g.ckpt.npz"], 1)):
        signal_at(at)
        code, _, err = run_main(argv, monkeypatch, capsys)
        assert code == 143, err
        said.append(err.strip().splitlines()[-1])
    assert all(line.endswith("continue with: jaxart sweep --resume out/g.ckpt.npz") for line in said), said
    assert str(tmp_path) not in said[1], said


def test_resuming_a_link_removes_the_link_and_its_file_only_where_that_is_the_outputs_own(files, signal_at, tmp_path,
                                                                                          monkeypatch, capsys):
    """`--resume LINK.npz`, a link to g.ckpt.npz: the dry run said only LINK.npz goes, the sweep removed g.ckpt.npz
    and left LINK.npz pointing at nothing. A link to a checkpoint elsewhere: the link goes, its file stays, as the dry
    run now says (stylize's: test_resume_outputs)."""
    out = tmp_path / "g.png"
    signal_at(2)
    assert run_main(_sweep(files, out, "--steps", "4"), monkeypatch, capsys)[0] == 143
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kept").mkdir()
    shutil.copy(tmp_path / "g.ckpt.npz", tmp_path / "kept" / "run.npz")
    (tmp_path / "LINK.npz").symlink_to("g.ckpt.npz")
    (tmp_path / "OTHER.npz").symlink_to("kept/run.npz")
    for link, removing in (("LINK.npz", "removing g.ckpt.npz once they are placed, removing LINK.npz once they "
                                        "are placed)"),
                           ("OTHER.npz", "removing the link OTHER.npz (not its file, kept/run.npz) once they are "
                                         "placed)")):
        code, said, err = run_main(["sweep", "--resume", link, "--dry-run"], monkeypatch, capsys)
        assert code == 0 and removing in said, (said, err)
    code, _, err = run_main(["sweep", "--resume", "LINK.npz", "--quiet"], monkeypatch, capsys)
    assert code == 0 and out.is_file(), err
    assert not os.path.lexists(tmp_path / "LINK.npz") and not os.path.lexists(tmp_path / "g.ckpt.npz")
    assert (tmp_path / "kept" / "run.npz").is_file()

def test_checkpoint_every_keeps_the_sweep_and_a_later_sigkill_loses_only_the_steps_since(files, signal_at, tmp_path,
                                                                                         monkeypatch, capsys):
    out = tmp_path / "g.png"
    ckpt = tmp_path / "g.ckpt.npz"
    saved = []
    real = checkpoint.save
    monkeypatch.setattr(checkpoint, "save", lambda path, tree, meta, *a, **k: (
        saved.append(meta["step"]), real(path, tree, meta, *a, **k))[1])
    code, _, err = run_main(_sweep(files, out, "--steps", "7", "--checkpoint-every", "3"), monkeypatch, capsys)
    assert code == 0 and saved == [3, 6] and not ckpt.exists(), err  # removed once the files are placed


# Two scales, 3 + 60 steps: the tolerance tests the last scale alone, and the batch shrinks after step 30, in it.
SCALES = ["--scales", "22,24", "--steps", "3,60"]


@pytest.mark.parametrize("at, extra", [(25, []), (35, []), (35, ["--checkpoint-every", "10"]), (20, SCALES),
                                       (40, SCALES), (40, [*SCALES, "--checkpoint-every", "25"])],
                         ids=["before it shrank", "after it shrank", "after it shrank, checkpointed before and after",
                              "two scales, before it shrank in the last", "two scales, after it shrank in the last",
                              "two scales, after it shrank in the last, checkpointed before and after"])
def test_a_shrink_batch_sweep_resumes_exactly_before_and_after_its_batch_shrank(at, extra, files, signal_at, tmp_path,
                                                                               monkeypatch, capsys):
    """Once shrunk, the running tiles go on in a batch of the same smaller size, so they round as they did."""
    whole, out = tmp_path / "whole" / "g.png", tmp_path / "cut" / "g.png"
    argv = [*unless_given(extra, *STOPS), "--shrink-batch", *extra]  # SCALES' --steps for STOPS'
    assert run_main(_sweep(files, whole, *argv), monkeypatch, capsys)[0] == 0
    signal_at(at)
    assert run_main(_sweep(files, out, *argv), monkeypatch, capsys)[0] == 143
    code, _, err = run_main(["sweep", "--resume", str(out.parent / "g.ckpt.npz"), "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    assert read_record(out)["shrank"] == read_record(whole)["shrank"] and read_record(whole)["shrank"]
    if SCALES[0] in extra:  # it shrank within the last scale, and the interruption came before or after
        assert 3 < read_record(whole)["shrank"][0][0] and (at < 30) == (at == 20)
    got, want = _tiles(out), _tiles(whole)
    assert list(got) == list(want) and all(np.array_equal(got[k], want[k]) for k in want)
    assert _record(out) == _record(whole).replace(str(whole.parent), str(out.parent))


def _edit(path, **changes):
    """Rewrite the checkpoint at `path` with its metadata changed."""
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    meta = {**json.loads(str(arrays.pop("meta"))), **changes}
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)

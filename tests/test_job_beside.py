"""`job.stylize_files` called from Python checks the files it writes beside its output as `jaxart stylize` does,
before any work: its checkpoint and `save_every` frames never replace an input, a FIFO or (without `overwrite`)
another run's checkpoint, and their intervals are step counts; a resumed run still replaces its own checkpoint and
frames."""

import os
import signal
import stat

import pytest

import jaxart
from jaxart import checkpoint, errors, job
from jaxart.errors import InputError

from conftest import write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d, model = write_tiny_job(tmp_path_factory.mktemp("job_beside"))
    return d, jaxart.load_weights(model)


def _stylize(files, out, content=None, steps=2, **options):
    d, w = files
    return job.stylize_files(content or d / "photo.jpg", [d / "paint.png"], out,
                             jaxart.StyleConfig(size=32, steps=steps, init="random"), w, **options)


def _state(folder) -> dict:
    """Every file in `folder`: its bytes, or its kind where it is no regular file (a FIFO is never read)."""
    return {p.name: p.read_bytes() if p.is_file() else stat.S_IFMT(os.lstat(p).st_mode)
            for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_fifo_where_the_checkpoint_goes_is_refused_before_any_work(files, tmp_path, overwrite):
    out = tmp_path / "out.png"
    os.mkfifo(checkpoint.path_for(out))
    before = _state(tmp_path)
    with pytest.raises(InputError, match="out.ckpt.npz is a FIFO, not a file; jaxart never replaces one"):
        _stylize(files, out, checkpoint_every=1, overwrite=overwrite)
    assert _state(tmp_path) == before and checkpoint.path_for(out).is_fifo()


def test_a_frame_that_would_replace_the_photo_is_refused_with_overwrite_too(files, tmp_path):
    photo = tmp_path / "out_00001.png"  # the name of out.png's frame at step 1
    photo.write_bytes((files[0] / "paint.png").read_bytes())
    before = _state(tmp_path)
    with pytest.raises(InputError, match="frame .*out_00001.png would replace one of the inputs"):
        _stylize(files, tmp_path / "out.png", content=photo, save_every=1, overwrite=True)
    assert _state(tmp_path) == before


def test_the_output_itself_never_replaces_the_photo(files, tmp_path):
    photo = tmp_path / "photo.png"
    photo.write_bytes((files[0] / "paint.png").read_bytes())
    with pytest.raises(InputError, match="photo.png is one of the inputs"):
        _stylize(files, photo, content=photo, overwrite=True)
    assert _state(tmp_path) == {"photo.png": (files[0] / "paint.png").read_bytes()}


def test_another_runs_checkpoint_is_refused_without_overwrite(files, tmp_path):
    out = tmp_path / "out.png"
    checkpoint.path_for(out).write_bytes(b"another run's checkpoint")
    before = _state(tmp_path)
    with pytest.raises(InputError, match="out.ckpt.npz already exists where this run keeps its checkpoint"):
        _stylize(files, out, checkpoint_every=1)
    assert _state(tmp_path) == before


def test_a_resumed_run_replaces_its_own_checkpoint_and_frames(files, tmp_path):
    out = tmp_path / "out.png"
    with pytest.raises(errors.Interrupted):  # stopped after step 1: out.png, out_00001.png, out.ckpt.npz
        _stylize(files, out, save_every=1, checkpoint_every=1, stopped=lambda: signal.SIGTERM)
    ckpt = checkpoint.load(checkpoint.path_for(out))
    outcome = _stylize(files, out, save_every=1, checkpoint_every=1, overwrite=True, resume=ckpt)
    assert outcome.steps == 2 and sorted(p.name for p in tmp_path.iterdir()) == ["out.png", "out_00001.png"]
    assert "interrupted" not in jaxart.read_record(out)


def test_a_checkpoint_moved_to_a_new_outputs_name_is_resumed_there(files, tmp_path):
    """As `jaxart stylize --resume new.ckpt.npz -o new.png`: the checkpoint there is the one the run continues."""
    with pytest.raises(errors.Interrupted):
        _stylize(files, tmp_path / "old.png", steps=3, checkpoint_every=1, stopped=lambda: signal.SIGTERM)
    moved = checkpoint.path_for(tmp_path / "old.png").rename(checkpoint.path_for(tmp_path / "new.png"))
    outcome = _stylize(files, tmp_path / "new.png", steps=3, checkpoint_every=1, resume=checkpoint.load(moved))
    assert outcome.steps == 3 and sorted(p.name for p in tmp_path.iterdir()) == ["new.png", "old.png"]


@pytest.mark.parametrize("name", ["save_every", "checkpoint_every"])
@pytest.mark.parametrize("value", [-1, True, 2.5, "2", None])
def test_stylize_files_refuses_a_frame_or_checkpoint_interval_that_is_no_step_count(name, value, tmp_path):
    """save_every -1 and True wrote a frame every step (checkpoint_every: a checkpoint, or never); 2.5, "2" and None
    were a TypeError naming nothing."""
    d, model = write_tiny_job(tmp_path, "vgg16")
    w = jaxart.load_weights(model, download=False)
    with pytest.raises(jaxart.InputError, match=rf"^{name} must be a whole number of steps, 0 \(never\) or more, got {value!r}$"):
        job.stylize_files(d / "photo.jpg", [d / "paint.png"], d / "out.png", jaxart.StyleConfig(size=24, steps=3), w,
                          **{name: value})
    assert sorted(p.name for p in d.iterdir()) == ["paint.png", "photo.jpg", "tiny.safetensors"]  # nothing written

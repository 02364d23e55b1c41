"""`job.stylize_files` called from Python (a script, a pool of processes) holds its output's lock as the CLI does:
a second run to the same output, in another process or thread, is refused at once and touches none of the
first's files; a caller that holds the lock already (the CLI) keeps it."""

import os
import subprocess
import sys
import warnings

import pytest

import jaxart
from jaxart import job, locks
from jaxart.errors import InputError
from jaxart.image_record import read_record

from conftest import ROOT, refusal_in_another_thread, write_tiny_job

BUSY = "is being written by another jaxart run; wait for it to finish or choose another output"

# Another process: a script's stylize_files to argv[2], seed 1, which waits at step 2 (its frame at step 1 written)
# until its stdin gives a line.
_FIRST = """
import sys
from pathlib import Path
import jaxart
from jaxart import job
d, out = Path(sys.argv[1]), Path(sys.argv[2])
def on_step(step, loss, terms):
    if step == 2:
        print("running", flush=True)
        sys.stdin.readline()
job.stylize_files(d / "photo.jpg", [d / "paint.png"], out, jaxart.StyleConfig(size=32, steps=3, init="random", seed=1),
                  jaxart.load_weights(str(d / "tiny.safetensors")), save_every=1, overwrite=True, on_step=on_step)
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("job_lock"))


def _run(files, out, seed, **options):
    d, model = files
    config = jaxart.StyleConfig(size=32, steps=3, init="random", seed=seed)
    return job.stylize_files(d / "photo.jpg", [d / "paint.png"], out, config, jaxart.load_weights(model),
                             save_every=1, overwrite=True, **options)


def _take(out):
    with locks.writing(out, "output"):
        pass


def _files_of(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def test_a_second_process_to_the_same_output_is_refused_and_the_first_finishes_alone(files, tmp_path):
    out = tmp_path / "a.png"
    first = subprocess.Popen([sys.executable, "-c", _FIRST, str(files[0]), str(out)], cwd=ROOT, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={**os.environ, "JAX_PLATFORMS": "cpu"})
    try:
        assert first.stdout.readline() == "running\n", first.stderr.read()
        before = _files_of(tmp_path)
        assert list(before) == ["a_00001.png"], "the first run is under way, its frame written"
        with pytest.raises(InputError) as refused:  # --overwrite or not: it is the other's output now
            _run(files, out, seed=2)
        assert str(refused.value) == f"{out} {BUSY}"
        assert _files_of(tmp_path) == before, "the refused run touched the first one's files"
        with pytest.raises(InputError, match=BUSY):  # a frame's name is of the same stem: the same lock
            _run(files, tmp_path / "a.tif", seed=2, fmt="tiff")
    finally:
        said, err = first.communicate("\n", timeout=120)
    assert first.returncode == 0 and said == "done\n", err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "a_00001.png", "a_00002.png"], "its lock is gone"
    assert {read_record(tmp_path / name)["config"]["seed"] for name in _files_of(tmp_path)} == {1}, "mixed runs"


def test_a_caller_holding_the_lock_runs_and_keeps_it_and_then_the_output_is_free(files, tmp_path):
    out = tmp_path / "sub" / "a.png"
    with locks.writing(out):  # as the CLI holds it, from before its own checks
        _run(files, out, seed=3)
        assert locks.busy(locks.output_lock(out)), "the run let go of its caller's lock"
    assert not locks.output_lock(out).exists()
    _run(files, out.parent / "." / "a.png", seed=4)  # the lock is free again, under any spelling
    assert read_record(out)["config"]["seed"] == 4
    assert sorted(p.name for p in out.parent.iterdir()) == ["a.png", "a_00001.png", "a_00002.png"]


def test_the_lock_is_reentrant_in_its_thread_alone(tmp_path):
    out = tmp_path / "a.png"
    with locks.writing(out):
        with locks.writing(tmp_path / "." / "a.tif"):  # the same stem, spelt another way
            pass
        assert locks.busy(locks.output_lock(out)), "the inner block let go of the outer's lock"
        refused = refusal_in_another_thread(lambda: _take(out))
        assert refused == f"{out} {BUSY}", "another thread of this process took the lock too"
    assert not any(tmp_path.iterdir())


def test_a_forked_child_does_not_inherit_the_lock(tmp_path):
    """A multiprocessing pool forked while this process holds the lock: its workers are other runs."""
    out = tmp_path / "a.png"
    with locks.writing(out):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # JAX's: fork with its threads; the child runs no JAX
            pid = os.fork()
        if pid == 0:
            try:
                with locks.writing(out, "output"):
                    os._exit(0)
            except InputError as e:
                os._exit(3 if str(e) == f"{out} {BUSY}" else 4)
            os._exit(5)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 3, "the forked child took its parent's lock for its own"
        assert locks.busy(locks.output_lock(out))

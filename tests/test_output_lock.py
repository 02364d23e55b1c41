"""A second run to an output another jaxart run is writing is refused at once, in one line, and touches
none of its files; runs to other outputs go ahead, and a lock a killed run left blocks nothing."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import jaxart
from jaxart import checkpoint, errors, job

from conftest import ROOT, refusal_in_another_thread, run_main, stylize_argv, write_tiny_job

BUSY = "is being written by another jaxart run; wait for it to finish or choose another --output"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("lock"))


def _holder(output: Path) -> subprocess.Popen:
    """Another process that holds the lock of a run writing `output`, as `jaxart stylize` does in
    another terminal, until its stdin closes (or it is killed)."""
    code = ("import sys; from pathlib import Path; from jaxart import locks\n"
            "with locks.writing(Path(sys.argv[1])):\n    print('held', flush=True); sys.stdin.read()")
    child = subprocess.Popen([sys.executable, "-c", code, str(output)], cwd=ROOT, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "JAX_PLATFORMS": "cpu"})
    assert child.stdout.readline() == "held\n", "the other process could not take the lock"
    return child


@pytest.fixture
def held(tmp_path):
    """`held(output)`: another process holds `output`'s lock for the rest of the test."""
    children = []
    yield lambda output: children.append(_holder(output))
    for child in children:
        child.communicate(timeout=30)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _interrupted(files, out: Path) -> Path:
    """An interrupted run's image and checkpoint at `out` (and a frame at step 1); the checkpoint."""
    d, model = files
    with pytest.raises(errors.Interrupted):
        job.stylize_files(d / "photo.jpg", [d / "paint.png"], out, jaxart.StyleConfig(size=32, steps=3),
                          jaxart.load_weights(model), model=model, save_every=1, stopped=lambda: signal.SIGINT)
    return checkpoint.path_for(out)


def test_a_second_run_to_an_output_being_written_is_refused_and_touches_nothing(files, tmp_path, held, monkeypatch,
                                                                               capsys):
    out = tmp_path / "a.png"
    _interrupted(files, out)
    (tmp_path / "a_00002.png").write_bytes(b"a frame of an earlier run, which --overwrite would remove")
    held(out)
    before = _snapshot(tmp_path)
    code, _, err = run_main(stylize_argv(files, out, "--overwrite", "--checkpoint-every", "1", "--save-every", "1"),
                            monkeypatch, capsys)
    assert code == 2 and err == f"error: {out} {BUSY}", err
    assert _snapshot(tmp_path) == before


def test_resuming_the_run_another_run_is_writing_is_refused(files, tmp_path, held, monkeypatch, capsys):
    out = tmp_path / "a.png"
    ckpt = _interrupted(files, out)
    held(out)  # the other terminal resumed it first
    before = _snapshot(tmp_path)
    code, _, err = run_main(["stylize", "--resume", str(ckpt), "-q"], monkeypatch, capsys)
    assert code == 2 and err == f"error: {out} {BUSY}", err
    assert _snapshot(tmp_path) == before


def test_a_run_to_another_output_in_the_folder_goes_ahead_and_leaves_no_lock(files, tmp_path, held, monkeypatch,
                                                                            capsys):
    held(tmp_path / "a.png")
    code, _, err = run_main(stylize_argv(files, tmp_path / "b.png"), monkeypatch, capsys)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".a.")) == ["b.png"]


def test_a_lock_left_by_a_killed_run_does_not_block_the_next(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "new" / "a.png"  # a folder the killed run made for its lock
    child = _holder(out)
    child.kill()  # SIGKILL: no clean-up ran
    child.wait(timeout=30)
    left = [p.name for p in out.parent.iterdir()]
    assert left, "the killed run left nothing to test against"
    code, _, err = run_main(stylize_argv(files, out), monkeypatch, capsys)
    assert code == 0, err
    assert [p.name for p in out.parent.iterdir()] == ["a.png"]  # its lock file is gone with the run's


def test_two_sweeps_to_one_sheet_are_refused_and_one_to_another_name_is_not(files, tmp_path, held, monkeypatch,
                                                                           capsys):
    d, model = files
    sheet = tmp_path / "s.png"
    sheet.write_bytes(b"the other sweep's sheet")
    held(sheet)
    before = _snapshot(tmp_path)
    args = ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "24", "--steps", "2",
            "--style-weight", "1,10", "-q", "--overwrite", "-o"]
    code, _, err = run_main([*args, str(sheet)], monkeypatch, capsys)
    assert code == 2 and err == f"error: {sheet} {BUSY}", err
    assert _snapshot(tmp_path) == before
    code, _, err = run_main([*args, str(tmp_path / "t.png")], monkeypatch, capsys)
    assert code == 0, err
    assert {p.name for p in tmp_path.iterdir()} >= {"t.png", "t.html", "t-00.png", "t-01.png"}
    assert not (tmp_path / ".t.lock").exists()


def test_a_lock_file_its_holder_removed_as_this_run_opened_it_is_not_taken_for_the_lock(tmp_path, monkeypatch):
    """The classic race: the file opened, its holder removes it and lets go, a third run locks a new one
    under the same name; locking the removed file would let this run write beside the third."""
    from jaxart import locks

    out, real, opened = tmp_path / "a.png", os.open, []

    def opening(path, flags, mode=0o777):
        opened.append(path)
        if len(opened) == 1:  # the file as it was when opened: removed since, and nobody holds it now
            fd = real(tmp_path / "removed", flags, mode)
            os.unlink(tmp_path / "removed")
            return fd
        return real(path, flags, mode)

    def this_run():  # in another thread: in the third run's own, `writing` is re-entrant
        with locks.writing(out):
            pass

    with locks.writing(out):  # the third run
        monkeypatch.setattr(os, "open", opening)
        refused = refusal_in_another_thread(this_run, timeout=30)
        monkeypatch.undo()
    assert refused == f"{out} {BUSY}"
    assert len(opened) == 2 and not any(tmp_path.iterdir())

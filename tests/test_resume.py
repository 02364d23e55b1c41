"""Interrupt a real run with SIGTERM, resume it, and get the pixels and frames of an uninterrupted run; an input
edited since is refused (a checkpoint edited since: test_resume_bad_files.py; the checkpoint file on its own:
test_checkpoint.py)."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import jaxart
from jaxart import checkpoint, errors, job, signals

from conftest import ROOT, run_main, write_tiny_job
from test_reliability import read_png16


STEPS = 150  # long enough that SIGTERM lands mid-run: steps take ~20 ms, the signal under 1 ms


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("resume")
    return write_tiny_job(d)


def _cli(*args):
    return [sys.executable, str(ROOT / "cli.py"), *args]


def _env(files):
    """The three processes share a compile cache, so only the first compiles (and the resumed
    pixels must still be the uninterrupted run's)."""
    return {**os.environ, "JAXART_CACHE_DIR": str(files[0] / "xla"), "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0"}


def _stylize(files, out, *extra):
    d, model = files
    return _cli("stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(out), "--model", model,
                "--size", "32", "--steps", str(STEPS), "--format", "png16", "--quiet", *extra)


def test_sigterm_then_resume_gives_the_uninterrupted_pixels(files, tmp_path):
    whole = tmp_path / "whole.png"
    done = subprocess.run(_stylize(files, whole), capture_output=True, text=True, timeout=300, env=_env(files))
    assert done.returncode == 0, done.stderr

    out = tmp_path / "cut" / "out.png"
    ckpt = checkpoint.path_for(out)
    child = subprocess.Popen(_stylize(files, out, "--checkpoint-every", "5"), stderr=subprocess.PIPE, text=True,
                             env=_env(files))
    deadline = time.monotonic() + 240
    while not ckpt.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    child.send_signal(signal.SIGTERM)
    err = child.communicate(timeout=120)[1].strip()
    assert child.returncode == 143, err
    assert len(err.splitlines()) == 1 and str(ckpt) in err and f"--resume {ckpt}" in err, err
    record = jaxart.read_record(out)
    step = checkpoint.load(ckpt).meta["step"]
    assert record["interrupted"] == "SIGTERM" and record["step"] == step and 5 <= step < STEPS

    resumed = subprocess.run(_cli("stylize", "--resume", str(ckpt), "--quiet"), capture_output=True,
                             text=True, timeout=300, cwd=tmp_path, env=_env(files))
    assert resumed.returncode == 0, resumed.stderr
    assert np.array_equal(read_png16(out), read_png16(whole))
    assert jaxart.read_record(out)["steps"] == STEPS and "interrupted" not in jaxart.read_record(out)
    assert not ckpt.exists()  # else its "continue with" line would run the finished job again


@contextlib.contextmanager
def _sigterm_at_once():
    yield lambda: signal.SIGTERM


def _interrupted_with_relative_init(files, tmp_path, monkeypatch, capsys):
    """An interrupted CLI run, started in its own folder with `--init init.png`; its checkpoint."""
    d, model = files
    (tmp_path / "job").mkdir()
    shutil.copy(d / "photo.jpg", tmp_path / "job" / "photo.jpg")
    shutil.copy(d / "photo.jpg", tmp_path / "job" / "init.jpg")
    monkeypatch.chdir(tmp_path / "job")
    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", _sigterm_at_once)
        code, _, err = run_main(["stylize", "photo.jpg", str(d / "paint.png"), "-o", "out.png", "--init", "init.jpg",
                                 "--model", model, "--size", "32", "--steps", "3", "-q"], monkeypatch, capsys)
    assert code == 143, err
    monkeypatch.chdir(tmp_path)
    return tmp_path / "job" / "out.ckpt.npz"


def test_resume_from_another_folder_finds_a_relative_init_image(files, tmp_path, monkeypatch, capsys):
    ckpt = _interrupted_with_relative_init(files, tmp_path, monkeypatch, capsys)
    code, _, err = run_main(["stylize", "--resume", str(ckpt), "-q"], monkeypatch, capsys)
    assert code == 0, err
    assert jaxart.read_record(tmp_path / "job" / "out.png")["steps"] == 3 and not ckpt.exists()


@pytest.mark.parametrize("output", [[], ["-o", "other.png"]], ids=["its output", "another output"])
def test_a_renamed_checkpoint_is_removed_once_its_image_is_written_as_the_dry_run_says(output, files, tmp_path,
                                                                                      monkeypatch, capsys):
    """`--resume kept.npz` (out.ckpt.npz renamed) left kept.npz, which a later --resume would run again; as sweep now
    does, it goes with the finished image. To another output that run can still be resumed, so it stays."""
    kept = _interrupted_with_relative_init(files, tmp_path, monkeypatch, capsys).rename(tmp_path / "kept.npz")
    code, said, err = run_main(["stylize", "--resume", str(kept), "--dry-run", *output], monkeypatch, capsys)
    assert code == 0 and (f"removing {kept} once" in said) == (not output), (said, err)
    code, _, err = run_main(["stylize", "--resume", str(kept), "-q", *output], monkeypatch, capsys)
    assert code == 0 and kept.exists() == bool(output), err


@pytest.mark.parametrize("edited", ["photo.jpg", "init.jpg"])
def test_resume_refuses_an_input_edited_since_the_checkpoint(edited, files, tmp_path, monkeypatch, capsys):
    ckpt = _interrupted_with_relative_init(files, tmp_path, monkeypatch, capsys)
    before = (tmp_path / "job" / "out.png").read_bytes()
    with open(tmp_path / "job" / edited, "ab") as f:
        f.write(b"\0")  # the same pixels: only the bytes say it is another file
    code, _, err = run_main(["stylize", "--resume", str(ckpt), "-q"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert f"{tmp_path / 'job' / edited} has changed since the checkpoint was made" in err, err
    assert (tmp_path / "job" / "out.png").read_bytes() == before and ckpt.exists()


@pytest.mark.parametrize("moved", ["photo.jpg", "init.jpg"])
def test_resume_names_an_input_moved_since_the_checkpoint(moved, files, tmp_path, monkeypatch, capsys):
    """It said "/.../job/photo.jpg does not exist; check the path and the current folder", of a path the user
    never typed (the checkpoint's), whatever the current folder."""
    ckpt = _interrupted_with_relative_init(files, tmp_path, monkeypatch, capsys)
    (tmp_path / "job" / moved).rename(tmp_path / "job" / "elsewhere.jpg")
    code, _, err = run_main(["stylize", "--resume", str(ckpt), "-q"], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(f"error: {tmp_path / 'job' / moved}, which the interrupted run read, is no longer there "
                          "(moved, renamed or deleted since the checkpoint was made); put it back there"), err
    (tmp_path / "job" / "elsewhere.jpg").rename(tmp_path / "job" / moved)
    code, _, err = run_main(["stylize", "--resume", str(ckpt), "-q"], monkeypatch, capsys)
    assert code == 0 and not ckpt.exists(), err


def test_stop_signals_catches_sigint_and_restores_handlers():
    before = signal.getsignal(signal.SIGINT)
    with signals.stop_signals() as stopped:
        assert stopped() is None
        os.kill(os.getpid(), signal.SIGINT)
        assert stopped() == signal.SIGINT  # recorded, not raised: the current step finishes
    assert signal.getsignal(signal.SIGINT) is before


def test_interrupt_exits_130_for_sigint(files, tmp_path):
    d, model = files
    out = tmp_path / "out.tif"
    with pytest.raises(errors.Interrupted) as e:
        job.stylize_files(d / "photo.jpg", [d / "paint.png"], out, jaxart.StyleConfig(size=32, steps=3),
                          jaxart.load_weights(model), fmt="tiff", stopped=lambda: signal.SIGINT)
    assert e.value.code == 130 and "interrupted at step 1 of 3" in str(e.value)
    assert jaxart.read_record(out)["interrupted"] == "SIGINT"
    assert checkpoint.load(checkpoint.path_for(out)).meta["format"] == "tiff"


def test_a_resumed_runs_record_and_summary_count_the_seconds_before_the_interruption(files, tmp_path, monkeypatch):
    """A 60-step run stopped at step 47 after 75 s and resumed for 20 s recorded "60 steps, 20.3 s"."""
    d, model = files
    out, w, config = tmp_path / "out.png", jaxart.load_weights(model), jaxart.StyleConfig(size=32, steps=3)
    ticks = iter(range(0, 10**6, 1000))  # job's clock: 1000 s from the start to the checkpoint at step 1
    monkeypatch.setattr(job, "time", type("Clock", (), {"perf_counter": staticmethod(lambda: next(ticks))}))
    with pytest.raises(errors.Interrupted):
        job.stylize_files(d / "photo.jpg", [d / "paint.png"], out, config, w, stopped=lambda: signal.SIGTERM)
    ckpt = checkpoint.load(checkpoint.path_for(out))
    assert ckpt.meta["seconds"] == 1000
    outcome = job.stylize_files(d / "photo.jpg", [d / "paint.png"], out, config, w, resume=ckpt, overwrite=True)
    assert 1000 < outcome.seconds < 1000 + 300  # the resumed steps' own seconds are transfer's real clock
    assert jaxart.read_record(out)["seconds"] == round(outcome.seconds, 3)


@pytest.mark.slow
def test_fifty_runs_in_one_process_do_not_grow_memory(files, tmp_path):
    """Soak: 50 short runs back to back; resident memory grows < 5% between run 10 and run 50."""
    import gc

    def rss_now():  # resident set size in bytes (Linux), without psutil
        return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    d, model = files
    w, config, rss = jaxart.load_weights(model), jaxart.StyleConfig(size=32, steps=5), {}
    for run in range(1, 51):
        out = tmp_path / f"{run}.png"
        job.stylize_files(d / "photo.jpg", [d / "paint.png"], out, config, w, checkpoint_every=2)
        out.unlink()
        gc.collect()
        rss[run] = rss_now()
    growth = rss[50] / rss[10] - 1
    print(f"RSS run 10 {rss[10] / 2**20:.1f} MiB, run 50 {rss[50] / 2**20:.1f} MiB, growth {growth:+.2%}")
    assert growth < 0.05


def _gif_frames(path) -> list[np.ndarray]:
    from PIL import Image, ImageSequence

    with Image.open(path) as im:
        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)]


def test_resume_continues_the_frames_and_the_animation_from_step_0(files, tmp_path, monkeypatch, capsys):
    d, model = files
    monkeypatch.chdir(tmp_path)
    args = [str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "32", "--steps", "4",
            "--save-every", "1", "--checkpoint-every", "2", "-q"]
    code, _, err = run_main(["stylize", *args, "-o", "whole/out.png", "--animate", "whole/a.gif"], monkeypatch, capsys)
    assert code == 0, err
    (tmp_path / "cut").mkdir()
    with monkeypatch.context() as m:
        m.setattr(signals, "stop_signals", _sigterm_at_once)  # stops after step 1, having taken its frame
        code, _, err = run_main(["stylize", *args, "-o", "cut/out.png", "--animate", "cut/a.gif"], monkeypatch, capsys)
    assert code == 143 and sorted(p.name for p in (tmp_path / "cut").iterdir()) == [
        "out.ckpt.npz", "out.png", "out_00001.png"]
    code, _, err = run_main(["stylize", "--resume", "cut/out.ckpt.npz", "-q"], monkeypatch, capsys)
    assert code == 0 and not err, err
    assert sorted(p.name for p in (tmp_path / "cut").iterdir()) == [
        "a.gif", "out.png", "out_00001.png", "out_00002.png", "out_00003.png"]
    whole, resumed = _gif_frames(tmp_path / "whole/a.gif"), _gif_frames(tmp_path / "cut/a.gif")
    assert len(whole) == len(resumed) == 5  # the starting pixels, steps 1, 2, 3 and the result
    assert all(np.array_equal(a, b) for a, b in zip(whole, resumed))

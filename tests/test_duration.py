"""How long a run will take, before it runs: what a run measures (`duration.Watch`), the estimate this machine's
timings give a run of other sizes, steps and tiles (by the progress bar's model), and the timings file kept whole
(timings.py). The CLI's side: test_duration_cli.py."""

from __future__ import annotations

import errno
import json
import os
import pwd
import subprocess
import sys
import threading
import time

import pytest

from conftest import ROOT
from jaxart import duration, progress, timings

KEY = {"host": "AMD EPYC, 2 cores", "model": "vgg16-hed", "conv": "auto", "optimizer": "lbfgs"}
ADDED = {"host": "h", "device": "cpu", "model": "m", "conv": "auto", "optimizer": "lbfgs", "rows": 1}


def _run(size: int, per_step: float, compile_s: float | None = 4.0, rows: int = 1, device: str = "cpu") -> dict:
    return {**KEY, "device": device, "rows": rows, "size": size, "per_step": per_step, "steps": 9, "at": 1,
            **({} if compile_s is None else {"compile": compile_s})}


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_run_measures_each_scales_steady_step_and_the_compile_before_its_first():
    """The first step of a scale holds its compile: the steady time starts after it, and a report of a step already
    seen (the bar's closing one, after the image is written) is no step."""
    clock = Clock()
    watch = duration.Watch(((64, 4), (128, 3)), clock)
    for step, t in ((1, 110.0), (2, 110.5), (3, 111.0), (4, 111.5), (5, 120.0), (6, 122.0), (7, 124.0), (7, 130.0)):
        clock.now = t
        watch(step, 1.0, {})
    assert watch.measured() == [{"size": 64, "per_step": 0.5, "steps": 3, "compile": 9.0},  # 10 s less two steps
                                {"size": 128, "per_step": 2.0, "steps": 2}]
    one = duration.Watch(((64, 1),), clock)
    one(1)
    assert one.measured() == []  # one step alone is its compile: nothing steady to keep


def test_no_timing_on_this_machine_gives_no_estimate():
    plan = ((256, 200),)
    assert duration.estimate([], plan, **KEY) is None
    assert duration.estimate([{**_run(256, 0.4), "host": "Intel Xeon, 8 cores"}], plan, **KEY) is None
    assert duration.estimate([_run(256, 0.4)], plan, **{**KEY, "model": "vgg19"}) is None
    assert duration.estimate([_run(256, 0.4)], plan, **{**KEY, "conv": "direct"}) is None
    assert duration.words(None) is None


def test_the_estimate_is_the_progress_bars_model_at_this_runs_size_and_steps():
    """One model: a run at 128 px, 0.2 s a step and 3 s of compile, said of a 512 px run of 300 steps, is
    `seconds_left` of that run from its start with the step scaled by `step_cost`."""
    runs = [_run(128, 0.2, 3.0)]
    at_512 = duration.estimate(runs, ((512, 300),), **KEY)
    per_step = 0.2 * progress.step_cost(512) / progress.step_cost(128)
    compile_s = 3.0 * (512 / 128) ** progress.COMPILE_EXPONENT
    assert at_512 == pytest.approx(progress.seconds_left(((512, 300),), 0, per_step, compile_s + 2 * per_step))
    assert at_512 == pytest.approx(301 * per_step + compile_s)
    # Twice the steps, twice the steps' part; at 256 px the steps cost 2.5x 128 px's (`step_cost`), not 4x.
    steps_part = duration.estimate(runs, ((128, 400),), **KEY) - duration.estimate(runs, ((128, 200),), **KEY)
    assert steps_part == pytest.approx(200 * 0.2)
    at_256 = duration.estimate(runs, ((256, 400),), **KEY) - duration.estimate(runs, ((256, 200),), **KEY)
    assert at_256 / steps_part == pytest.approx(2.5)
    # Coarse to fine: each scale's steps at its own cost, and the later scale's targets and compile.
    plan = ((128, 100), (256, 50))
    assert duration.estimate(runs, plan, **KEY) == pytest.approx(progress.seconds_left(plan, 0, 0.2, 3.0 + 0.4))


def test_the_nearest_size_and_the_median_of_its_newest_three_give_the_step():
    runs = [_run(128, 0.2), _run(512, 9.0), _run(512, 2.0), _run(512, 2.2), _run(512, 1.8), _run(1024, 30.0)]
    assert duration.estimate(runs, ((512, 100),), **KEY) == pytest.approx(101 * 2.0 + 4.0)  # 9.0 is the 4th newest
    assert duration.estimate(runs, ((128, 100),), **KEY) == pytest.approx(101 * 0.2 + 4.0)


def test_the_step_is_the_newest_three_at_the_load_nearest_nows():
    """A quiet Quick start was told "about 3 min" for its 80.6 s: the newest three timings were a busy hour's (load
    5-8). Where the load is kept, only the timings at the load nearest now's count; where it is not, the newest."""
    runs = [{**_run(256, 0.4), "load": 1.2}, _run(256, 0.9), *[{**_run(256, 0.8), "load": 6.0}] * 3]
    assert duration.estimate(runs, ((256, 100),), **KEY, load=1.4) == pytest.approx(101 * 0.4 + 4.0)
    assert duration.estimate(runs, ((256, 100),), **KEY, load=6.5) == pytest.approx(101 * 0.8 + 4.0)
    assert duration.estimate(runs, ((256, 100),), **KEY, load=2.0) == pytest.approx(101 * 0.4 + 4.0)
    assert duration.estimate(runs, ((256, 100),), **KEY, load=4.5) == pytest.approx(101 * 0.8 + 4.0)
    assert duration.estimate(runs[:2], ((256, 100),), **KEY) == pytest.approx(101 * 0.65 + 4.0)  # load not known


def test_a_sweeps_estimate_covers_every_tile_on_a_cpu():
    """A batch of B costs about B x one tile on a CPU (BENCHMARKS.md, "Sweeps: batched vs one by one": 1.00x at
    256 px): a 40-tile sweep from a single run's step is 40 of its steps a step; a sweep's own record counts first."""
    single = duration.estimate([_run(256, 0.5)], ((256, 100),), **KEY)
    forty = duration.estimate([_run(256, 0.5)], ((256, 100),), **KEY, rows=40)
    assert forty - 4.0 == pytest.approx(40 * (single - 4.0))
    swept = [_run(256, 6.0, rows=4), _run(256, 0.5)]  # a 4-tile sweep's step, then a single run's
    assert duration.estimate(swept, ((256, 100),), **KEY, rows=40) == pytest.approx(101 * 60.0 + 4.0)


def test_an_accelerators_timing_counts_only_for_its_own_batch_and_a_dry_run_takes_the_latest_device():
    gpu = "gpu NVIDIA H100 80GB HBM3"
    runs = [_run(512, 1.6), _run(512, 0.1, rows=4, device=gpu)]
    assert duration.estimate(runs, ((512, 100),), **KEY, rows=8, device=gpu) is None  # batching is not linear there
    assert duration.estimate(runs, ((512, 100),), **KEY, rows=4) == pytest.approx(101 * 0.1 + 4.0)  # the latest
    assert duration.estimate(runs, ((512, 100),), **KEY, device="cpu") == pytest.approx(101 * 1.6 + 4.0)


def test_the_estimate_is_said_in_seconds_minutes_or_hours():
    assert duration.words(41) == "about 40 s (from your runs on this machine)"
    assert duration.words(1500) == "about 25 min (from your runs on this machine)"
    assert duration.words(89 * 60) == "about 89 min (from your runs on this machine)"
    assert duration.words(26200) == "about 7.3 h (from your runs on this machine)"  # not "about 437 min"
    assert duration.words(3 * 3600 + 100) == "about 3 h (from your runs on this machine)"


def _warnings():
    said = []
    return said, said.append


def test_timings_are_kept_bounded_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setattr(timings, "KEEP", 5)
    said, warn = _warnings()
    store = timings.Store(tmp_path / "cache" / timings.NAME, warn)
    for k in range(4):
        store.add([{"size": 64 * (k + 1), "per_step": 0.5, "steps": 3}, {"size": 999, "per_step": 1.0, "steps": 1}],
                  **ADDED)
    got = timings.Store(tmp_path / "cache" / timings.NAME, warn).runs()
    assert [r["size"] for r in got] == [999, 192, 999, 256, 999] and said == []
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [timings.NAME]  # no lock file left in the cache


@pytest.mark.parametrize("damage", [b"{\"version\": 1, \"runs\": [{\"host\": ", b"\xff\xfe", b"[]", b"{\"runs\": 3}"])
def test_a_damaged_timings_file_is_one_warning_and_then_started_afresh(tmp_path, damage):
    where = tmp_path / timings.NAME
    where.write_bytes(damage)
    said, warn = _warnings()
    store = timings.Store(where, warn)
    assert store.runs() == [] and store.runs() == []
    store.add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
    assert len(said) == 1 and f"timings file {where} is" in said[0] and "Delete it" in said[0], said
    assert [r["size"] for r in timings.Store(where, warn).runs()] == [64] and len(said) == 1


def test_a_timing_of_the_wrong_kind_is_left_out(tmp_path):
    good = _run(64, 0.5)
    where = tmp_path / timings.NAME
    bad = [{**good, "per_step": "fast"}, {**good, "size": 0}, {**good, "rows": True}, {**good, "compile": None},
           {**good, "per_step": float("inf")}, {**good, "remat": 1}, {**good, "load": "high"}, "text",
           {k: v for k, v in good.items() if k != "host"}]
    where.write_text(json.dumps({"version": 1, "runs": [*bad, good]}))
    assert timings.Store(where, pytest.fail).runs() == [good]


def test_a_timings_file_that_cannot_be_read_or_written_is_one_warning(tmp_path, monkeypatch):
    """A folder where the file goes, then a full disk: one line each, the file as it was, no temporary left."""
    where = tmp_path / timings.NAME
    where.mkdir()
    said, warn = _warnings()
    store = timings.Store(where, warn)
    assert store.runs() == []
    store.add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
    assert len(said) == 1 and "cannot be read (Is a directory)" in said[0] and where.is_dir(), said
    where.rmdir()
    timings.Store(where, pytest.fail).add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
    before = where.read_bytes()

    def full(*a):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    said, warn = _warnings()
    timings.Store(where, warn).add([{"size": 128, "per_step": 0.5, "steps": 3}], **ADDED)
    assert len(said) == 1 and "cannot be written (No space left on device)" in said[0], said
    assert where.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [timings.NAME]


def test_a_timings_folder_that_cannot_be_made_is_no_second_warning(tmp_path):
    """A file where the cache folder goes: the compile cache, in the same folder, warns of it in every run
    (test_compile_cache.py); the timings said it again, in a second line."""
    (tmp_path / "a-file").write_text("not a folder")
    store = timings.Store(tmp_path / "a-file" / "cache" / timings.NAME, pytest.fail)
    assert store.runs() == []
    store.add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
    assert not store.failed and [p.name for p in tmp_path.iterdir()] == ["a-file"]


def test_runs_that_end_together_all_land(tmp_path):
    where = tmp_path / timings.NAME

    def add(k):
        for i in range(10):
            timings.Store(where, pytest.fail).add([{"size": 64, "per_step": 0.5 + k, "steps": i}], **ADDED)

    threads = [threading.Thread(target=add, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = timings.Store(where, pytest.fail).runs()
    assert sorted((r["per_step"], r["steps"]) for r in got) == [(0.5 + k, i) for k in range(4) for i in range(10)]


def test_a_run_that_finds_the_timings_held_for_long_keeps_nothing_and_says_nothing(tmp_path, monkeypatch):
    """Held for `_LOCK_WAIT` (a process stopped while it held the lock): a run ends without its times, not later."""
    from jaxart import locks

    monkeypatch.setattr(timings, "_LOCK_WAIT", 0.2)
    where = tmp_path / timings.NAME
    with locks.hold(tmp_path / f".{timings.NAME}.lock"):
        began = time.monotonic()
        timings.Store(where, pytest.fail).add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
        assert 0.2 <= time.monotonic() - began < 2 and not where.exists()
    timings.Store(where, pytest.fail).add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
    assert [p.name for p in tmp_path.iterdir()] == [timings.NAME]


def test_off_keeps_no_timings_and_the_default_is_beside_the_compile_cache():
    assert timings.path({"JAXART_CACHE_DIR": "off"}) is None and timings.path({"JAXART_CACHE_DIR": " Off "}) is None
    assert str(timings.path({"XDG_CACHE_HOME": "/x"})) == "/x/jaxart/timings.json"
    assert str(timings.path({"JAXART_CACHE_DIR": "/c"})) == "/c/timings.json"


def test_timings_go_where_the_compile_cache_goes_never_into_the_current_folder(tmp_path, monkeypatch):
    """A relative XDG_CACHE_HOME (a Docker ENV's unexpanded `~/.cache`) is ignored as the compile cache ignores it:
    timings.json went to `./~/.cache/jaxart/` of whatever folder a run started in. `~` with no home: none kept."""
    monkeypatch.chdir(tmp_path)
    home = {"HOME": str(tmp_path / "home")}
    for ignored in ("~/.cache", "relative"):
        assert timings.path({**home, "XDG_CACHE_HOME": ignored}) == tmp_path / "home/.cache/jaxart" / timings.NAME
    assert timings.path({**home, "JAXART_CACHE_DIR": "~/c"}) == tmp_path / "home" / "c" / timings.NAME
    monkeypatch.setattr(pwd, "getpwuid", _no_passwd_entry)
    assert timings.path({}) is None and timings.path({"JAXART_CACHE_DIR": "~/c"}) is None


def _no_passwd_entry(uid):
    raise KeyError(f"getpwuid(): uid not found: {uid}")


def test_an_estimate_imports_no_jax():
    """A dry run asks for one before anything computes: reading the timings and estimating must not wait ~2.3 s for
    JAX (the fresh-interpreter check of test_cli_no_jax.py, for these modules)."""
    code = ("import sys\nfrom jaxart import duration, model_choice, timings\n"
            f"runs = [{_run(128, 0.2)!r}]\n"
            "s = duration.estimate(runs, ((256, 10),), host=duration.host(),"
            " model=model_choice.timing_key('vgg16-hed'), conv='auto', optimizer='lbfgs')\n"
            "print(timings.path() is not None, [m for m in ('jax', 'flax', 'optax') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split() == ["False", "[]"], done.stdout + done.stderr  # conftest's JAXART_CACHE_DIR=off


def test_a_remat_runs_step_is_timed_apart_and_an_older_timing_counts_as_plain():
    runs = [_run(256, 0.5), {**_run(256, 0.7), "remat": True}]
    assert duration.estimate(runs, ((256, 100),), **KEY, remat=True) == pytest.approx(101 * 0.7 + 4.0)
    assert duration.estimate(runs, ((256, 100),), **KEY) == pytest.approx(101 * 0.5 + 4.0)
    assert duration.words(41, tolerance=0.001) == "at most about 40 s (from your runs on this machine)"

"""How long a run will take, before it runs: what a run measures (`duration.Watch`) and the estimate this machine's
timings give a run of other sizes, steps, tiles and loads (by the progress bar's model). The timings file kept whole
(timings.py): test_timings.py; the CLI's side: test_duration_cli.py."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT
from jaxart import duration, eta, timings
from jaxart.config import StyleConfig

KEY = {"host": "AMD EPYC, 2 cores", "model": "vgg16-hed", "conv": "auto", "optimizer": "lbfgs"}


def _run(size: int, per_step: float, compile_s: float | None = 4.0, rows: int = 1, device: str = "cpu") -> dict:
    return {**KEY, "device": device, "rows": rows, "size": size, "per_step": per_step, "steps": 9, "at": 1,
            **duration.ALIKE, **({} if compile_s is None else {"compile": compile_s})}


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


def test_a_run_keeps_the_commands_start_before_it_and_only_a_dry_run_counts_it():
    """Before the bar the command imports JAX, reads the inputs and loads the weights: 1.6-3.3 s (BENCHMARKS.md, "What
    the ETA leaves out, measured") that no estimate had. The run keeps them as "start"; a dry run, which has them all
    ahead, adds the median of the newest three; the run's own estimate, said after them, does not."""
    clock = Clock()
    watch = duration.Watch(((64, 3),), clock, started=97.5)
    for step, t in ((1, 110.0), (2, 110.5), (3, 111.0)):
        clock.now = t
        watch(step)
    assert watch.measured() == [{"size": 64, "per_step": 0.5, "steps": 2, "compile": 9.0, "start": 2.5}]
    runs = [{**_run(256, 0.4), "start": s} for s in (9.0, 2.0, 3.0, 2.5)] + [_run(256, 0.4)]
    assert timings._valid(runs[0]) and not timings._valid({**runs[0], "start": -1.0})
    run = duration.estimate(runs, ((256, 100),), **KEY)
    assert run == pytest.approx(102 * 0.4 + 4.0)
    assert duration.estimate(runs, ((256, 100),), **KEY, start=True) == pytest.approx(run + 2.5)  # 9.0: 4th newest
    assert duration.estimate(runs[-1:], ((256, 100),), **KEY, start=True) == pytest.approx(run)  # none kept one
    # At the load nearest now's, of any size: a busy machine's start is a slower one.
    busy = [*runs, {**_run(128, 0.2), "start": 12.0, "load": 11.0}]
    assert duration.estimate(busy, ((256, 100),), **KEY, start=True, load=10.0) == pytest.approx(run + 12.0)


def test_no_timing_on_this_machine_gives_no_estimate():
    plan = ((256, 200),)
    assert duration.estimate([], plan, **KEY) is None
    assert duration.estimate([{**_run(256, 0.4), "host": "Intel Xeon, 8 cores"}], plan, **KEY) is None
    assert duration.estimate([_run(256, 0.4)], plan, **{**KEY, "model": "vgg19"}) is None
    assert duration.estimate([_run(256, 0.4)], plan, **{**KEY, "conv": "direct"}) is None
    assert duration.words(None) is None


def test_the_estimate_is_the_progress_bars_model_at_this_runs_size_and_steps():
    """One model: a run at 128 px, 0.2 s a step and 3 s of compile, said of a 512 px run of 300 steps, is
    `seconds_left` of that run from its start with the step scaled by `step_cost` (its conv, its 16 px margin)."""
    runs, margin = [_run(128, 0.2, 3.0)], StyleConfig().margin
    at_512 = duration.estimate(runs, ((512, 300),), **KEY)
    per_step = 0.2 * eta.step_cost(512, "auto", margin) / eta.step_cost(128, "auto", margin)
    compile_s = 3.0 * (512 / 128) ** eta.COMPILE_EXPONENT
    assert at_512 == pytest.approx(eta.seconds_left(((512, 300),), 0, per_step, compile_s + 2 * per_step))
    assert at_512 == pytest.approx(302 * per_step + compile_s)
    # Twice the steps, twice the steps' part; at 256 px the steps cost 2.4x 128 px's (`step_cost`), not 4x.
    steps_part = duration.estimate(runs, ((128, 400),), **KEY) - duration.estimate(runs, ((128, 200),), **KEY)
    assert steps_part == pytest.approx(200 * 0.2)
    at_256 = duration.estimate(runs, ((256, 400),), **KEY) - duration.estimate(runs, ((256, 200),), **KEY)
    assert at_256 / steps_part == pytest.approx(2.37, abs=0.01)
    # Coarse to fine: each scale's steps at its own cost, and the later scale's targets and compile.
    plan = ((128, 100), (256, 50))
    assert duration.estimate(runs, plan, **KEY) == pytest.approx(
        eta.seconds_left(plan, 0, 0.2, 3.0 + 0.4, margin=margin))


def test_a_direct_convolutions_estimate_grows_with_size_as_its_steps_do():
    """`--conv direct` has no fixed Winograd part: a 64 px timing said of 256 px steps was 0.44x their time when the
    estimate took `--conv auto`'s model (the bar had that fault too: BENCHMARKS.md, "The ETA of a coarse-to-fine
    run with --conv direct"); margin 0 here, so the ratio is the model's alone."""
    direct, margin_0 = {**KEY, "conv": "direct"}, {"margin": 0}
    runs = [{**_run(64, 0.25, None), "conv": "direct", "margin": 0}]
    steps = (duration.estimate(runs, ((256, 201),), **direct, **margin_0)
             - duration.estimate(runs, ((256, 101),), **direct, **margin_0))
    assert steps / 100 / 0.25 == pytest.approx(eta.step_cost(256, "direct") / eta.step_cost(64, "direct"))
    assert steps / 100 / 0.25 > 9  # 10.3x measured from 64 to 256 px; `auto`'s model says 4x


def test_the_nearest_size_and_the_median_of_its_newest_three_give_the_step():
    runs = [_run(128, 0.2), _run(512, 9.0), _run(512, 2.0), _run(512, 2.2), _run(512, 1.8), _run(1024, 30.0)]
    assert duration.estimate(runs, ((512, 100),), **KEY) == pytest.approx(102 * 2.0 + 4.0)  # 9.0 is the 4th newest
    assert duration.estimate(runs, ((128, 100),), **KEY) == pytest.approx(102 * 0.2 + 4.0)


def test_the_step_is_the_newest_three_at_the_load_nearest_nows():
    """A quiet Quick start was told "about 3 min" for its 80.6 s: the newest three timings were a busy hour's (load
    5-8). Where the load is kept, only the timings at the load nearest now's count; where it is not, the newest."""
    runs = [{**_run(256, 0.4), "load": 1.2}, _run(256, 0.9), *[{**_run(256, 0.8), "load": 6.0}] * 3]
    assert duration.estimate(runs, ((256, 100),), **KEY, load=1.4) == pytest.approx(102 * 0.4 + 4.0)
    assert duration.estimate(runs, ((256, 100),), **KEY, load=6.5) == pytest.approx(102 * 0.8 + 4.0)
    assert duration.estimate(runs, ((256, 100),), **KEY, load=2.0) == pytest.approx(102 * 0.4 + 4.0)
    assert duration.estimate(runs, ((256, 100),), **KEY, load=4.5) == pytest.approx(102 * 0.8 + 4.0)
    assert duration.estimate(runs[:2], ((256, 100),), **KEY) == pytest.approx(102 * 0.65 + 4.0)  # load not known


def test_a_sweeps_estimate_covers_every_tile_on_a_cpu():
    """A batch of B costs about B x one tile on a CPU (BENCHMARKS.md, "Sweeps: batched vs one by one": 1.00x at
    256 px): a 40-tile sweep from a single run's step is 40 of its steps a step; a sweep's own record counts first."""
    single = duration.estimate([_run(256, 0.5)], ((256, 100),), **KEY)
    forty = duration.estimate([_run(256, 0.5)], ((256, 100),), **KEY, rows=40)
    assert forty - 4.0 == pytest.approx(40 * (single - 4.0))
    swept = [_run(256, 6.0, rows=4), _run(256, 0.5)]  # a 4-tile sweep's step, then a single run's
    assert duration.estimate(swept, ((256, 100),), **KEY, rows=40) == pytest.approx(102 * 60.0 + 4.0)


def test_an_accelerators_timing_counts_only_for_its_own_batch_and_a_dry_run_takes_the_latest_device():
    gpu = "gpu NVIDIA H100 80GB HBM3"
    runs = [_run(512, 1.6), _run(512, 0.1, rows=4, device=gpu)]
    assert duration.estimate(runs, ((512, 100),), **KEY, rows=8, device=gpu) is None  # batching is not linear there
    assert duration.estimate(runs, ((512, 100),), **KEY, rows=4) == pytest.approx(102 * 0.1 + 4.0)  # the latest
    assert duration.estimate(runs, ((512, 100),), **KEY, device="cpu") == pytest.approx(102 * 1.6 + 4.0)


def test_the_estimate_is_said_in_seconds_minutes_or_hours():
    assert duration.words(41) == "about 40 s (from your runs on this machine)"
    assert duration.words(1500) == "about 25 min (from your runs on this machine)"
    assert duration.words(89 * 60) == "about 89 min (from your runs on this machine)"
    assert duration.words(26200) == "about 7.3 h (from your runs on this machine)"  # not "about 437 min"
    assert duration.words(3 * 3600 + 100) == "about 3 h (from your runs on this machine)"


def test_an_estimate_imports_no_jax():
    """A dry run asks for one before anything computes: reading the timings and estimating must not wait ~2.3 s for
    JAX (the fresh-interpreter check of test_cli_no_jax.py, for these modules)."""
    code = ("import sys\nfrom jaxart import duration, model_choice, timings\n"
            f"runs = [{_run(128, 0.2)!r}]\n"
            "s = duration.estimate(runs, ((256, 10),), host=timings.host(),"
            " model=model_choice.timing_key('vgg16-hed'), conv='auto', optimizer='lbfgs')\n"
            "print(timings.path() is not None, [m for m in ('jax', 'flax', 'optax') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split() == ["False", "[]"], done.stdout + done.stderr  # conftest's JAXART_CACHE_DIR=off


def test_a_remat_runs_step_is_timed_apart():
    runs = [_run(256, 0.5), {**_run(256, 0.7), "remat": True}]
    assert duration.estimate(runs, ((256, 100),), **KEY, remat=True) == pytest.approx(102 * 0.7 + 4.0)
    assert duration.estimate(runs, ((256, 100),), **KEY) == pytest.approx(102 * 0.5 + 4.0)
    assert duration.words(41, tolerance=0.001) == "at most about 40 s (from your runs on this machine)"


def test_a_zoom_scan_or_shallow_runs_step_is_timed_apart():
    """At 128 px on 2 cores (BENCHMARKS.md, "What the time estimate leaves out") a --linesearch zoom step took 2.5-4.4x
    a plain one's, a --loop scan step 2.5-3.3x, one up to relu3_2 0.2-0.4x, a mask's 2 regions and --margin 0 1.18x and
    0.78x the FLOPs: each run's estimate came from the others'."""
    plain, plan = _run(256, 0.5), ((256, 100),)
    shallow = "relu3_2; relu1_1,relu2_1,relu3_1"
    for setting, value, per_step in (("linesearch", "zoom", 2.0), ("loop", "scan", 1.5), ("layers", shallow, 0.15),
                                     ("regions", 2, 0.6), ("margin", 0, 0.4)):
        other = {**_run(256, per_step), setting: value}
        assert duration.estimate([plain, other], plan, **KEY, **{setting: value}) == pytest.approx(102 * per_step + 4)
        assert duration.estimate([plain, other], plan, **KEY) == pytest.approx(102 * 0.5 + 4.0)
        assert duration.estimate([plain], plan, **KEY, **{setting: value}) is None
        assert duration.estimate([other], plan, **KEY) is None
    # "auto" is the loop that the device runs: Python's on a CPU, lax.scan's elsewhere.
    gpu = "gpu NVIDIA H100 80GB HBM3"
    scan = {**_run(256, 1.5), "loop": "scan"}
    assert duration.estimate([plain, scan], plan, **KEY, loop="python") == pytest.approx(102 * 0.5 + 4.0)
    assert duration.estimate([_run(256, 0.1, device=gpu)], plan, **KEY, loop="scan") == pytest.approx(102 * 0.1 + 4)
    assert duration.estimate([_run(256, 0.1, device=gpu)], plan, **KEY, loop="python") is None
    with pytest.raises(TypeError, match="lbfgs_memory"):
        duration.estimate([plain], plan, **KEY, lbfgs_memory=50)


def test_the_settings_kept_are_the_runs_own_and_a_sweeps_loop_is_pythons():
    zoom = StyleConfig(linesearch="zoom", loop="scan", content_layers=("relu3_2",), style_layers=("relu1_1",),
                       margin=0, mask="mask.png", region_colors=("red", "blue"), keep_colors=("white",))
    assert duration.settings(zoom) == {"conv": "auto", "optimizer": "lbfgs", "remat": False, "linesearch": "zoom",
                                       "loop": "scan", "layers": "relu3_2; relu1_1", "regions": 2, "margin": 0}
    assert duration.settings(zoom, swept=True)["loop"] == "python"  # sweep.py drives the step from Python
    assert duration.settings(StyleConfig()) == {"conv": "auto", "optimizer": "lbfgs", **duration.ALIKE}
    assert duration.ALIKE.keys() == timings.SETTINGS.keys()  # what is kept is what the file's reader checks
    # ... of the types it checks: a timing a run keeps is read back, one without any of them is left out.
    kept = {**_run(256, 0.5), **duration.settings(zoom)}
    assert timings._valid(kept) and timings._valid({**kept, **duration.settings(StyleConfig())})
    assert not any(timings._valid({k: v for k, v in kept.items() if k != gone}) for gone in timings.SETTINGS)


def test_a_dry_run_s_words_come_from_the_library_for_any_front_end(tmp_path, monkeypatch):
    """`duration.estimated`, what `--dry-run` says: nothing where no timings are kept, "no timing yet" before this
    machine's first such run (a resumed run's steps left first), and one warning, nothing said, of a damaged file."""
    config, warned = StyleConfig(size=64, steps=10), []
    monkeypatch.setenv("JAXART_CACHE_DIR", "off")
    assert duration.estimated(config, "vgg16-hed", warn=warned.append) is None
    monkeypatch.setenv("JAXART_CACHE_DIR", str(tmp_path))
    assert duration.estimated(config, "vgg16-hed", warn=warned.append, after=4) == (
        "6 steps left, no timing yet of such a run on this machine")
    (tmp_path / timings.NAME).write_text("{not json")
    assert duration.estimated(config, "vgg16-hed", warn=warned.append) is None and len(warned) == 1, warned

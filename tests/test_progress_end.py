"""What the ETA counts past the steps: the final loss and write after the last one, and the run's end; and which
convolutions `--conv auto` weighs on a GPU. The bar's other parts: test_progress.py."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from jaxart import duration, eta, progress


def _last(reports, total, plan=(), **bar) -> str:
    """The bar's last line after `update` at each (step, seconds) of `reports`, on a fake clock."""
    out, now = io.StringIO(), [0.0]
    console = Console(file=out, width=160, force_terminal=True, color_system=None)
    with progress.steps_bar(total, console=console, scales=plan, clock=lambda: now[0], **bar) as update:
        for step, t in reports:
            now[0] = t
            update(step, 1.0, {})
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out.getvalue())
    return [line for line in re.split(r"[\r\n]", text) if line.strip()][-1]


def test_after_the_last_step_the_eta_is_the_final_loss_and_write_not_0():
    """On the 2-core AMD EPYC the bar said 0:00:00 at its last step while the final loss and the PNG took 0.4-6.5 s
    more (BENCHMARKS.md, "What the ETA leaves out, measured"): a step's time of the last scale is counted for them."""
    assert eta.seconds_left(((512, 30),), 30, 4.0) == 4.0
    assert eta.seconds_left(((256, 20), (512, 10)), 29, 4.0) == 2 * 4.0  # a 512 px step and the end
    # 10 steps of 256 px from step 20, in the 512 px scale's time: (its steps, targets, end) x 3.4 (`step_cost`).
    left = eta.seconds_left(((256, 20), (512, 10)), 20, 1.0)
    assert left == pytest.approx(12 * eta.step_cost(512, margin=0) / eta.step_cost(256, margin=0))
    # (s per step, s from the last step's report to the closing one) of `--size S --steps N` runs, vgg16-hed, cold
    # and warm compile caches, load 0.8-3.4: the model's end within 0.6-1.9x of the measured one's from 256 px on.
    for per_step, end in ((0.64, 0.62), (1.24, 1.41), (1.08, 1.37), (1.98, 1.88), (5.45, 4.69), (11.41, 6.53)):
        assert 0.6 < eta.FINISH_STEPS * per_step / end < 1.9, (per_step, end)


def test_once_the_run_ends_the_eta_is_0_also_where_a_tolerance_stopped_it_early():
    """A run that `--tolerance` stopped at step 90 of 200 closes its bar with step 90 again (the image written): its
    ETA still said the 110 steps it never ran."""
    reports = [(1, 0.0), (11, 10.0), (90, 89.0)]
    assert "90/200" in (last := _last(reports, 200)) and "ETA 0:01:51" in last, last  # 110 steps and the end
    assert "90/200" in (last := _last([*reports, (90, 91.0)], 200)) and "ETA 0:00:00" in last, last
    # Its steps/s stay those of its steps: the 2 s of the final loss and write counted in them read 0.98/s.
    assert "1.00 steps/s" in last, last
    # A bar that ends at its total (a sweep's, which has no closing report) ends at 0 too.
    assert "ETA 0:00:00" in _last([(1, 0.0), (11, 10.0), (20, 19.0)], 20)


def test_conv_auto_off_a_cpu_is_weighed_as_xlas_own_convolutions():
    """`--conv auto` is Winograd only on a CPU (convs.uses_winograd); on a GPU its steps are XLA's, without the fixed
    Winograd part that `step_cost` gives "auto": from a 64 px scale the ETA counted a 256 px step 4x, not 10.3x as
    direct's measured on a CPU."""
    assert eta.cost_conv("auto", "gpu") == eta.cost_conv("direct", "cpu") == "direct"
    assert eta.cost_conv("auto", "cpu") == "auto" and eta.cost_conv("winograd", "gpu") == "winograd"
    plan, reports = ((64, 20), (256, 20)), [(1, 0.0), (11, 1.0)]
    on_gpu = _last(reports, 40, plan, conv="auto", platform="gpu")
    assert re.search(r"ETA \S+", on_gpu)[0] == re.search(r"ETA \S+", _last(reports, 40, plan, conv="direct",
                                                                           platform="cpu"))[0]
    assert on_gpu != _last(reports, 40, plan, conv="auto", platform="cpu")
    # A dry run on that machine takes the device from its timings, and weighs its steps so too.
    gpu = "gpu NVIDIA H100 80GB HBM3"
    key = {"host": "AMD EPYC, 2 cores", "model": "vgg16-hed", "conv": "auto", "optimizer": "lbfgs"}
    runs = [{**key, "device": gpu, "rows": 1, "size": 64, "per_step": 0.01, "steps": 9, "at": 1, **duration.ALIKE}]
    steps = duration.estimate(runs, ((256, 201),), **key) - duration.estimate(runs, ((256, 101),), **key)
    direct = eta.step_cost(256, "direct", 16) / eta.step_cost(64, "direct", 16)
    assert steps / 100 / 0.01 == pytest.approx(direct) and direct > 6.9  # in its 16 px margin; "auto" on a CPU: 3.9x


def test_the_end_is_counted_in_steps_of_the_runs_line_search_and_once_more_where_the_photo_is_put_back():
    """After the last step a run takes one final loss, or two where the image is not the optimized pixels (--colors
    keep/luminance, a kept region), and writes: a step's time counted it for every run, so a `--linesearch zoom` run's
    end (a step 2.2x a plain one) was counted 2.2x and a --colors keep run's second pass not at all (BENCHMARKS.md,
    "The rest of what the ETA leaves out")."""
    from jaxart.config import StyleConfig

    plain, keep = duration.finish(StyleConfig()), duration.finish(StyleConfig(colors="keep"))
    assert plain == eta.FINISH_STEPS and duration.finish(StyleConfig(colors="luminance")) == keep
    assert keep == duration.finish(StyleConfig(mask="m.png", region_colors=("red",), keep_colors=("blue",)))
    assert duration.finish(StyleConfig(colors="match-pca")) == plain
    zoom = duration.finish(StyleConfig(linesearch="zoom"))
    assert zoom * eta.STEP_EVALUATIONS["zoom"] == plain and 0.3 < zoom < 0.6 and 1.5 < keep < 2.0
    # The bar counts them: at step 20 of 21, of 10 s steps, a step and the end, 18 s with --colors keep, 4.5 s zoom.
    reports = [(1, 0.0), (11, 100.0), (20, 190.0)]
    for config in (StyleConfig(), StyleConfig(colors="keep"), StyleConfig(linesearch="zoom")):
        said = re.search(r"ETA (\S+)", _last(reports, 21, finish=duration.finish(config)))[1]
        assert said == progress._hms(10 * (1 + duration.finish(config))), (config, said)
    # (s a step, s from the last step's report to the closing one) of 256 / 512 px runs, vgg16-hed, two rounds on
    # the 2-core AMD EPYC at load 4-12: the model's end within 0.5-1.9x of the measured one's (0.51: 512 px at load
    # 11, where the two passes took 18 s); one step for every run counted zoom's 1.7-2.9x, keep's 0.28-0.82x.
    keep, lum, zoom = StyleConfig(colors="keep"), StyleConfig(colors="luminance"), StyleConfig(linesearch="zoom")
    for per_step, end, config in ((1.36, 2.13, keep), (5.49, 19.30, keep), (2.11, 2.56, keep), (4.96, 9.31, keep),
                                  (1.97, 3.41, lum), (7.91, 21.19, lum), (1.28, 2.03, lum), (3.88, 5.62, lum),
                                  (5.40, 2.93, zoom), (14.97, 8.75, zoom), (5.30, 1.84, zoom), (11.28, 4.15, zoom)):
        assert 0.5 < duration.finish(config) * per_step / end < 1.9, (per_step, end, config)

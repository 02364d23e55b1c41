"""A library user's callback ends a run early by returning True (a loss plateau, a time budget): the
run stops at that report and returns that image, with the loss and steps of it, on every loop; a sweep's
callback stops the sweep there too."""

import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import sweep
from jaxart.optimize import asks_stop

CONFIG = jaxart.StyleConfig(size=16, steps=4, init="random")
PHOTO = np.random.default_rng(0).random((32, 32, 3), dtype=np.float32)
PAINTING = np.random.default_rng(1).random((24, 24, 3), dtype=np.float32)


def _run(weights, config, stop_at):
    """`jaxart.run` whose callback keeps every report and returns True once the step reaches `stop_at`."""
    seen = []

    def callback(p):
        seen.append((p.step, p.steps, np.asarray(p.image)))
        return p.step >= stop_at

    return jaxart.run(PHOTO, [PAINTING], weights=weights, config=config, callback=callback), seen


@pytest.mark.parametrize("loop, stopped_at", [("python", 3), ("scan", 4)])  # scan reports every chunk of 2
def test_a_callback_returning_true_stops_the_run_there_with_that_image(tiny_vgg16, loop, stopped_at):
    """Its answer was ignored: the run went on to the end, so the only way out was raising, which lost the image."""
    config = jaxart.StyleConfig(size=32, steps=6, conv="direct", loop=loop, chunk=2)
    outcome, seen = _run(tiny_vgg16, config, stop_at=3)
    assert seen[-1][0] == stopped_at and outcome.steps == stopped_at and outcome.stopped
    np.testing.assert_array_equal(outcome.image, seen[-1][2])
    # Honest: what a run of that many steps gives, its loss terms included.
    short = jaxart.run(PHOTO, [PAINTING], weights=tiny_vgg16, config=config.replace(steps=stopped_at))
    np.testing.assert_array_equal(outcome.image, short.image)
    assert outcome.terms == short.terms and not short.stopped


def test_coarse_to_fine_stopped_at_a_scales_last_step_runs_no_later_scale(tiny_vgg16):
    """Its last report came at the end of a scale, so the next one compiled and ran all its steps."""
    config = jaxart.StyleConfig(size=32, scales=(16, 32), scale_steps=(2, 3), conv="direct", loop="python")
    outcome, seen = _run(tiny_vgg16, config, stop_at=2)
    assert [(step, steps) for step, steps, _ in seen] == [(1, 5), (2, 5)]
    assert outcome.steps == 2 and outcome.stopped and outcome.image.shape == (16, 16, 3)
    np.testing.assert_array_equal(outcome.image, seen[-1][2])
    assert np.isfinite(outcome.terms["total"])


@pytest.mark.parametrize("answer, stops", [
    (True, True), (np.bool_(True), True), (jnp.asarray(0.5) < 1.0, True), (np.asarray(True), True),
    (None, False), (False, False), (jnp.asarray(False), False), (1, False), (1.0, False), ("stop", False),
    (np.ones(2, bool), False), ([True], False),
], ids=repr)
def test_only_a_true_boolean_asks_to_stop(answer, stops):
    """A value never meant as an answer (a lambda's last expression: a number, an array) must not end a run."""
    assert asks_stop(answer) is stops


def test_a_sweep_callback_returning_true_stops_the_sweep_there(tiny_vgg16):
    """As `jaxart.run`'s callback does (README API): it went on to the last step of the last scale."""
    rng = np.random.default_rng(0)
    photo, painting = rng.random((20, 20, 3), np.float32), rng.random((16, 16, 3), np.float32)
    config = CONFIG.replace(scales=(16, 24), size=24, steps=3)
    seen = []
    got = sweep.sweep(photo, painting, tiny_vgg16, config, sweep.grid([1.0, 10.0]),
                      callback=lambda i, carry: seen.append(i) or np.bool_(i == 2))
    assert seen == [1, 2] and got.steps.tolist() == [2, 2] and got.stopped.tolist() == [True, True]
    assert got.images.shape[1:3] == (16, 16) and got.ok.all()  # the first scale's image, as run's
    # The same two settings: the programs above serve (one setting's were compiled for it alone).
    got = sweep.sweep(photo, painting, tiny_vgg16, config, sweep.grid([1.0, 10.0]), callback=lambda i, carry: 1)
    assert got.steps.tolist() == [6, 6] and not got.stopped.any()  # not True: it goes on, as run's

"""`sweep(..., tolerance=..., shrink_batch=True)` with tiles that stop at different steps: once half the batch has
stopped, the others go on in a smaller batch (shrink.py), so a stopped tile is not computed again; at these
shapes every tile's image, loss and step count stay those of the whole batch, bit for bit."""

import jax
import numpy as np
import pytest

import jaxart
from jaxart import batched, image, shrink, sweep, weights

from conftest import write_tiny_job

# The tiny VGG16 job of test_sweep_tolerance at 24 px: with a tolerance of 5% style weight 1 stops at step 20,
# 2 at step 30, 10 and 20 run all 40 steps.
CONFIG = jaxart.StyleConfig(size=24, steps=40)
TOLERANCE = 0.05
WEIGHTS = (1.0, 2.0, 10.0, 20.0)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d, model = write_tiny_job(tmp_path_factory.mktemp("sweep_shrink"), "vgg16")
    return (image.load_image(d / "photo.jpg"), [image.load_image(d / "paint.png")],
            weights.load_weights(model, download=False))


def _counted(inputs, config=CONFIG, settings=None, **kwargs):
    """A sweep and the rows each of its steps evaluated (the batch the step was called with)."""
    rows, make = [], batched.make_batched_step

    def counting(*a, **k):
        step = make(*a, **k)
        return lambda carry, *rest: rows.append(carry.params.shape[0]) or step(carry, *rest)

    batched.make_batched_step = counting
    try:
        photo, paintings, w = inputs
        settings = settings or sweep.grid(style_weights=list(WEIGHTS))
        return sweep.sweep(photo, paintings, w, config, settings, **kwargs), rows
    finally:
        batched.make_batched_step = make


@pytest.fixture(scope="module")
def stopped(inputs):
    return _counted(inputs, tolerance=TOLERANCE, shrink_batch=True)


def test_stopped_tiles_are_not_evaluated_once_half_the_batch_has_stopped(stopped):
    """The batch computed all four tiles for all 40 steps: 160 tile-steps for the 130 the tiles took."""
    result, rows = stopped
    assert result.steps.tolist() == [20, 30, 40, 40] and result.stopped.tolist() == [True, True, False, False]
    assert rows == [4] * 30 + [2] * 10  # two stopped at step 30: the last 10 steps step the other two alone
    assert sum(rows) == 140 and int(result.steps.sum()) == 130  # 160 before; 130 needed
    assert result.shrank == ((30, 2, 24),)  # what the result says of it (at 24 px): the caller could not tell it shrank


def test_each_tile_is_what_the_whole_batch_made_of_it(stopped, inputs):
    """Bit for bit: a stopped tile is step 20 (30) of the whole batch, a running one its step 40; so the
    records (steps, loss, image loss) and files written from them do not change."""
    result, _ = stopped
    whole, rows = _counted(inputs)  # no tolerance: the whole batch all 40 steps
    assert rows == [4] * 40
    at = {20: _counted(inputs, CONFIG.replace(steps=20))[0], 30: _counted(inputs, CONFIG.replace(steps=30))[0]}
    for i, steps in enumerate(result.steps.tolist()):
        want = at.get(steps, whole)
        np.testing.assert_array_equal(result.images[i], want.images[i])
        for k, v in result.terms.items():
            np.testing.assert_array_equal(v[i], want.terms[k][i], err_msg=k)
    assert result.ok.all() and result.image_terms is None


def test_the_callback_sees_every_tile_where_it_stopped(inputs):
    """As before the batch shrank: the whole batch, each tile's step count and loss (the progress bar's mean)."""
    seen = {True: [], False: []}
    for shrinking, said in seen.items():
        _counted(inputs, tolerance=TOLERANCE, shrink_batch=shrinking, callback=lambda i, carry: said.append(
            (i, carry.params.shape[0], np.asarray(carry.count).tolist(), sweep.batch_mean(carry, 4))))
    assert seen[True] == seen[False] and len(seen[True]) == 40 and seen[True][-1][2] == [20, 30, 40, 40]


def test_a_sweep_of_style_scales_takes_each_running_tiles_own_targets(inputs):
    """Per-setting Grams follow their tiles into the smaller batch: the tiles equal the whole batch's."""
    settings = sweep.grid(style_weights=[1.0, 2.0], style_scales=[1.0, 2.0])
    result, rows = _counted(inputs, settings=settings, tolerance=TOLERANCE, shrink_batch=True)
    assert sorted(result.stopped.tolist()) == [False, False, True, True] and rows[-1] == 2 and sum(rows) < 160
    whole = sweep.sweep(*inputs[:2], inputs[2], CONFIG, settings, tolerance=TOLERANCE, shrink_batch=False)
    np.testing.assert_array_equal(result.images, whole.images)
    assert result.steps.tolist() == whole.steps.tolist()


@pytest.mark.parametrize("ok, rows, n, multiple, want", [
    ([1, 1, 0, 0], [0, 1, 2, 3], 4, 1, [0, 1]),  # half stopped: the other half
    ([1, 1, 1, 0], [0, 1, 2, 3], 4, 1, None),  # one of four: not worth another program
    ([0, 0, 0, 1], [0, 1, 2, 3], 4, 1, [3, 3]),  # never one row: XLA rounds a batch of one otherwise
    ([0, 1], [0, 1], 2, 1, None),
    ([1, 0, 0, 0, 1, 1], [0, 1, 2, 3, 4, 5], 5, 2, None),  # two devices: two rows each at least
    ([1, 0, 0, 0, 0, 0, 0, 1, 1, 1], list(range(10)), 9, 2, [0, 7, 8, 8]),  # row 9 repeats setting 8 (padding)
    ([0, 0, 0, 0, 0, 0], [0, 1, 2, 3, 4, 5], 6, 1, None),
])
def test_a_smaller_batch_only_once_half_has_stopped(ok, rows, n, multiple, want):
    got = shrink.smaller_rows(np.asarray(ok, bool), np.asarray(rows), n, multiple)
    assert (got if got is None else got.tolist()) == want


def test_stopping_one_tile_at_a_time_compiles_at_most_log2_more_batches():
    rows, sizes = np.arange(16), []
    for stop in range(16):
        ok = ~np.isin(rows, np.arange(stop + 1))
        if (new := shrink.smaller_rows(ok, rows, 16, 1)) is not None:
            rows = new
            sizes.append(len(rows))
    assert sizes == [8, 4, 2]


def test_by_default_the_whole_batch_runs_to_the_end(inputs):
    """Shrinking may change the running tiles' rounding at larger sizes, so a sweep keeps the whole batch unless asked."""
    result, rows = _counted(inputs, tolerance=TOLERANCE)
    assert rows == [4] * 40 and result.steps.tolist() == [20, 30, 40, 40]
    jax.clear_caches()

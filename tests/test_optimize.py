"""The optimizer loop: no recompilation, NaN safety, determinism, L-BFGS versus Adam."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jaxart
from jaxart import optimize

from conftest import shared_image


def _quadratic(x):
    return jnp.sum((x - 0.25) ** 2), {"mean": jnp.mean(x)}


@pytest.mark.parametrize("loop", ["python", "scan"])
def test_loop_does_not_recompile_between_chunks(loop):
    traces = []

    def fun(x):
        traces.append(1)  # runs only while tracing
        return _quadratic(x)

    seen = []
    result = optimize.minimize(
        fun, jnp.zeros(4), optimize.make_optimizer("lbfgs"), 23, loop=loop, chunk=5,
        callback=lambda step, carry: seen.append(step),
    )
    assert result.ok and result.steps == 23
    np.testing.assert_allclose(result.params, 0.25, atol=1e-5)
    assert seen[-1] == 23 and (loop == "python" or seen == [5, 10, 15, 20, 23])
    before = len(traces)
    optimize.minimize(fun, jnp.ones(4), optimize.make_optimizer("lbfgs"), 7, loop=loop, chunk=5)
    assert len(traces) - before == 1  # eval_shape at init; a new compile of the step would trace again


def test_callbacks_fall_on_multiples_of_every_counted_over_a_longer_schedule():
    # A later scale of coarse to fine starts at step 7 of the schedule: with chunks counted from
    # its own step 0, frames and checkpoints fell on steps 12, 17, ... and never on a multiple of 5.
    seen = []
    optimize.minimize(_quadratic, jnp.zeros(4), optimize.make_optimizer("lbfgs"), 20, loop="scan", chunk=10,
                      every=5, offset=7, callback=lambda step, carry: seen.append(step + 7))
    assert seen == [10, 15, 20, 25, 27]


@pytest.mark.parametrize("loop", ["python", "scan"])
def test_non_finite_loss_stops_and_keeps_last_finite_iterate(loop):
    # Finite while x < 1; the iterate climbs by 0.3 per step, so step 4 evaluates at 1.2.
    def fun(x):
        v = jnp.where(x[0] < 1.0, -x[0], jnp.nan)
        return v, {}

    result = optimize.minimize(fun, jnp.zeros(1), optax.sgd(0.3), 20, loop=loop, chunk=3)
    assert not result.ok
    assert result.steps == 4
    np.testing.assert_allclose(result.params, [1.2], rtol=1e-6)
    assert np.isfinite(result.value)


@pytest.mark.parametrize("setting", [jax.debug_nans, jax.debug_infs], ids=["debug_nans", "debug_infs"])
@pytest.mark.parametrize("loop", ["python", "scan"])
def test_under_jax_debug_nans_a_run_is_as_without_it_and_a_nan_loss_ends_it_as_ever(setting, loop):
    """init_carry's NaN aux and infinite value placeholders raised a FloatingPointError there, so every run did,
    under the settings a user turns on to find their own NaN; a jitted and vmapped init_carry (a sweep's) too. Optax's
    zoom line search's state, which starts at inf, raised one under jax_debug_infs after that (--linesearch zoom)."""
    def nan_at_4(x):  # as test_non_finite_loss_stops_and_keeps_last_finite_iterate's
        return jnp.where(x[0] < 1.0, -x[0], jnp.nan), {"x": x[0]}

    zoom = optimize.make_optimizer("lbfgs", linesearch="zoom")
    runs = lambda: [optimize.minimize(f, jnp.zeros(n), opt, 20, loop=loop, chunk=3)  # noqa: E731
                    for f, n, opt in ((_quadratic, 4, optimize.make_optimizer("lbfgs")), (nan_at_4, 1, optax.sgd(0.3)),
                                      (_quadratic, 4, zoom))]
    before = runs()
    with setting(True):
        after = runs()
        batch = jax.jit(jax.vmap(lambda x: optimize.init_carry(jax.tree_util.Partial(_quadratic), zoom, x)))(
            jnp.zeros((2, 4)))
    for b, a in zip(before, after):
        assert (a.ok, a.steps, a.value) == (b.ok, b.steps, b.value) and np.array_equal(a.params, b.params)
    assert not after[1].ok and after[1].steps == 4 and after[0].ok and after[2].ok and after[2].steps > 0
    assert np.isfinite(batch.value).all() and (batch.count == 0).all()


def test_a_non_finite_gradient_leaves_the_whole_carry_as_it_was():
    # Finite below x = 0.5, NaN beyond: the failing step must not touch L-BFGS's memory,
    # so the state a checkpoint holds stays the last good one.
    fun = jax.tree_util.Partial(lambda x: (jnp.sum(0 * jnp.sqrt(0.5 - x) - x), {}))
    opt = optimize.make_optimizer("lbfgs")
    step = jax.jit(optimize.make_step(opt))
    good = step(optimize.init_carry(fun, opt, jnp.full(3, 0.2)), fun)
    assert bool(good.ok) and float(good.params[0]) > 0.5
    bad = step(good, fun)
    assert not bool(bad.ok) and int(bad.count) == int(good.count) == 1
    for a, b in zip(jax.tree.leaves(bad._replace(ok=good.ok)), jax.tree.leaves(good)):
        np.testing.assert_array_equal(a, b)


def test_a_step_is_an_evaluation_then_the_optimizers_advance(rng):
    # `make_advance` is the optimizer's own work, timed alone by the benchmark: a step must be
    # exactly an evaluation followed by it.
    fun = jax.tree_util.Partial(lambda x: (jnp.sum(jnp.cos(3 * x) * x), {"m": jnp.mean(x)}))
    opt = optimize.make_optimizer("lbfgs")
    clip = lambda y: jnp.clip(y, 0, 1)
    carry = optimize.init_carry(fun, opt, jnp.asarray(rng.random(5), jnp.float32))
    for _ in range(3):
        (value, aux), grad = jax.value_and_grad(fun, has_aux=True)(carry.params)
        advanced = jax.jit(optimize.make_advance(opt, clip))(carry, fun, value, aux, grad)
        stepped = jax.jit(optimize.make_step(opt, clip))(carry, fun)
        for a, b in zip(jax.tree.leaves(advanced), jax.tree.leaves(stepped)):
            np.testing.assert_allclose(a, b, rtol=1e-6)
        assert bool(stepped.ok) and float(stepped.value) < float(carry.value)
        carry = stepped


def test_projection_keeps_iterate_in_range():
    fun = lambda x: (jnp.sum((x - 2.0) ** 2), {})
    result = optimize.minimize(fun, jnp.zeros(3), optimize.make_optimizer("lbfgs"), 10,
                               project=lambda x: jnp.clip(x, 0, 1))
    np.testing.assert_allclose(result.params, 1.0)


def test_zoom_linesearch_is_selectable_and_converges():
    opt = optimize.make_optimizer("lbfgs", linesearch="zoom")
    rosen = lambda x: (jnp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2), {})
    result = optimize.minimize(rosen, jnp.zeros(4), opt, 60)
    np.testing.assert_allclose(result.params, 1.0, atol=1e-3)


def test_seeded_runs_are_bit_identical(tiny_vgg16, rng):
    content, style = (rng.random((20, 24, 3)).astype(np.float32) for _ in range(2))
    config = jaxart.StyleConfig(size=24, steps=6, init="random", seed=3)
    a = jaxart.stylize(content, [style], weights=tiny_vgg16, config=config)
    b = jaxart.stylize(content, [style], weights=tiny_vgg16, config=config)
    c = jaxart.stylize(content, [style], weights=tiny_vgg16, config=config.replace(seed=4))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.fixture(scope="module")
def starry_64(hed_weights):
    """Tubingen in The Starry Night's style at 64 px, 40 steps: L-BFGS with float32 gradients and
    XLA's convolutions, as a reference for the other optimizer settings. The loss reads VGG's first
    three stages only, which compile in under half the whole network's time."""
    content = jaxart.load_image(shared_image("content/tubingen.jpg"))
    style = jaxart.load_image(shared_image("style/starry_night.jpg"))
    config = jaxart.StyleConfig(size=64, steps=40, conv="direct", content_layers=("relu3_2",),
                                style_layers=("relu1_1", "relu2_1", "relu3_1"))
    run = lambda **changes: jaxart.run(content, [style], weights=hed_weights, config=config.replace(**changes))
    return run, run()


def test_lbfgs_beats_adam_in_the_same_evaluations(starry_64):
    run, lbfgs = starry_64
    adam = run(optimizer="adam")
    # linesearch="none": one loss+gradient evaluation per L-BFGS step, as per Adam step.
    assert lbfgs.terms["total"] < 0.97 * adam.terms["total"], (lbfgs.terms, adam.terms)


def test_lbfgs_with_bfloat16_gradients_reaches_the_float32_loss(starry_64):
    run, exact = starry_64
    rounded = run(conv="winograd-bf16")
    # The same loss function (bfloat16 only in the backward pass); L-BFGS must not stall on it.
    # (Winograd's float32 loss is XLA's to within 0.1%: tests/test_winograd.py.)
    assert rounded.terms["total"] < 1.01 * exact.terms["total"], (rounded.terms, exact.terms)


def test_a_finite_loss_with_a_non_finite_gradient_also_leaves_the_carry_as_it_was():
    @jax.custom_jvp
    def f(x):
        return jnp.sum(-x)

    @f.defjvp
    def _(primals, tangents):  # finite value everywhere, NaN slope beyond x = 0.5
        (x,), (t,) = primals, tangents
        return f(x), jnp.sum(jnp.where(x < 0.5, -1.0, jnp.nan) * t)

    fun = jax.tree_util.Partial(lambda x: (f(x), {}))
    opt = optimize.make_optimizer("lbfgs")
    step = jax.jit(optimize.make_step(opt))
    good = step(optimize.init_carry(fun, opt, jnp.full(3, 0.2)), fun)
    assert bool(good.ok) and float(good.params[0]) > 0.5
    bad = step(good, fun)
    assert not bool(bad.ok)
    for a, b in zip(jax.tree.leaves(bad._replace(ok=good.ok)), jax.tree.leaves(good)):
        np.testing.assert_array_equal(a, b)


def test_a_projection_giving_nan_is_not_applied_and_no_report_counts_it():
    calls = []
    result = optimize.minimize(_quadratic, jnp.zeros(3), optimize.make_optimizer("lbfgs"), 5, loop="python",
                               project=lambda y: jnp.where(y > 0.2, jnp.nan, y), callback=lambda s, c: calls.append(s))
    assert not result.ok and np.isfinite(result.params).all() and calls == list(range(1, result.steps + 1))


def test_adam_whose_second_moment_overflows_ends_the_run_as_failed_not_standing_still():
    """A loss weight near its cap of 1e30 (`sweep --optimizer adam --style-weight 1,1e24`): the gradient's square
    overflowed Adam's second moment to inf in float32, which made its steps 0, so the tile stayed the photo and was
    reported as a finished run. Now the run ends there as one whose loss became non-finite, and says so."""
    fun = jax.tree_util.Partial(lambda x: (1e24 * jnp.sum((x - 1.0) ** 2), {}))
    adam = optimize.make_optimizer("adam", learning_rate=0.1)
    result = optimize.minimize(fun, jnp.zeros(4), adam, 5, loop="python")
    assert not result.ok and result.steps == 0 and np.array_equal(result.params, np.zeros(4))
    fine = optimize.minimize(jax.tree_util.Partial(lambda x: (1e12 * jnp.sum((x - 1.0) ** 2), {})), jnp.zeros(4),
                             adam, 5, loop="python")
    assert fine.ok and fine.steps == 5 and np.all(np.asarray(fine.params) > 0.4)

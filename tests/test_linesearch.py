"""--linesearch zoom's step takes the value and gradient the line search kept at the point it accepted (linesearch.py):
one gradient a step where the first trial is accepted, not two, and they are an evaluation's at the projected point."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jaxart import checkpoint, linesearch, optimize


def _clip(y):
    return jnp.clip(y, 0.0, 1.0)


def _counted(calls: list) -> jax.tree_util.Partial:
    """A smooth loss whose minimum has a few values outside [0, 1], whose every gradient appends to `calls` (jax.debug.callback
    in a custom_vjp's backward pass: a forward pass alone, such as the aux's, appends nothing)."""
    @jax.custom_vjp
    def tap(x):
        return x

    def back(_, g):
        jax.debug.callback(lambda: calls.append(1))
        return (g,)

    tap.defvjp(lambda x: (x, None), back)

    def fun(x):
        y = tap(x)
        return jnp.sum((y - jnp.linspace(-0.1, 1.1, y.size)) ** 2 + 0.1 * jnp.cos(5 * y)), {"mean": jnp.mean(y)}

    return jax.tree_util.Partial(fun)


@pytest.mark.parametrize("clipped", [False, True], ids=["unprojected", "clipped"])
def test_a_zoom_step_evaluates_the_gradient_once_where_the_first_trial_is_accepted(clipped):
    """The step evaluated the loss and gradient at its iterate, then optax's line search evaluated them again at the
    point it tried, and accepted: 2.00 evaluations a step at 128 px (BENCHMARKS.md, "The step's settings"). Now
    the step takes the line search's: 1 + (line-search iterations - 1), where the first step evaluates its own."""
    calls = []
    fun, opt = _counted(calls), optimize.make_optimizer("lbfgs", linesearch="zoom")
    step = jax.jit(optimize.make_step(opt, _clip if clipped else None))
    carry = optimize.init_carry(fun, opt, jnp.full(32, 0.5))
    spent = []
    for _ in range(3):
        before = len(calls)
        carry = step(carry, fun)
        jax.block_until_ready(carry)
        tries = int(optax.tree.get(carry.opt_state, "info").num_linesearch_steps)
        spent.append((len(calls) - before, tries))
    assert bool(carry.ok) and int(carry.count) == 3
    assert spent[0] == (2, 1), spent  # the first step evaluates its own, then the line search its first trial
    assert spent[1:] == [(1, 1)] * 2, spent  # the first trial accepted: one gradient a step, the line search's


def test_the_kept_value_and_gradient_are_an_evaluations_at_the_clipped_iterate():
    """The clip changed some pixels at every step of a 128 px run: the line search keeps the value of the point the run
    takes (the clipped one) and the gradient there, as evaluating there gives, except 0 at a value the clip moved;
    the aux is computed there too."""
    fun, opt = _counted([]), optimize.make_optimizer("lbfgs", linesearch="zoom")
    step = jax.jit(optimize.make_step(opt, _clip))
    carry = optimize.init_carry(fun, opt, jnp.full(32, 0.5))
    clipped = 0
    for _ in range(5):
        x = carry.params
        (value, aux), grad = jax.jit(jax.value_and_grad(fun, has_aux=True))(x)
        kept_value, kept_grad = linesearch.kept(carry.opt_state)
        if int(carry.count):
            np.testing.assert_allclose(kept_value, value, rtol=1e-6)
            inside = (x > 0) & (x < 1)
            np.testing.assert_allclose(kept_grad[inside], grad[inside], rtol=1e-5, atol=1e-6)
            assert np.all((kept_grad[~inside] == 0) | np.isclose(kept_grad[~inside], grad[~inside], rtol=1e-5))
        carry = step(carry, fun)
        np.testing.assert_allclose(carry.value, value, rtol=1e-6)
        np.testing.assert_allclose(carry.aux["mean"], aux["mean"], rtol=1e-6)
        clipped += int(((np.asarray(carry.params) == 0) | (np.asarray(carry.params) == 1)).sum())
    assert clipped > 0


def test_without_a_line_search_a_step_is_unchanged_and_adam_keeps_nothing():
    assert linesearch.kept(optimize.make_optimizer("lbfgs").init(jnp.zeros(3))) is None
    assert linesearch.kept(optimize.make_optimizer("adam").init(jnp.zeros(3))) is None
    assert linesearch.kept(optimize.make_optimizer("lbfgs", linesearch="zoom").init(jnp.zeros(3))) is not None


def _forward_passes_of_a_vmapped_step(reuse: bool) -> int:
    calls, base = [], _counted([])

    def fun(x):
        jax.debug.callback(lambda: calls.append(1))
        return base(x)

    fun, opt = jax.tree_util.Partial(fun), optimize.make_optimizer("lbfgs", linesearch="zoom")
    step = jax.jit(jax.vmap(lambda c: optimize.make_step(opt, _clip, reuse=reuse)(c, fun)))
    carry = step(jax.vmap(lambda x: optimize.init_carry(fun, opt, x))(jnp.full((2, 32), 0.5)))
    jax.block_until_ready(carry)
    before = len(calls)
    jax.block_until_ready(step(carry))
    return len(calls) - before


def test_a_vmapped_step_such_as_a_sweeps_evaluates_as_before(monkeypatch):
    """Under jax.vmap the choice between the kept and a new evaluation is a select that runs both: a sweep's zoom
    step paid a forward pass more than before. A sweep's step evaluates (reuse=False), as it did."""
    from jaxart import batched
    from jaxart.config import StyleConfig

    assert _forward_passes_of_a_vmapped_step(False) < _forward_passes_of_a_vmapped_step(True)
    asked = []
    monkeypatch.setattr(optimize, "make_step", lambda *a, **k: asked.append(k) or (lambda carry, fun: carry))
    batched._batched_step.__wrapped__(optimize.make_optimizer("lbfgs", linesearch="zoom"), StyleConfig())
    assert asked and asked[0].get("reuse") is False, asked


def _old_steps(opt, steps: int):
    """`steps` zoom steps as jaxart took them before af318b7, whose checkpoints were format 1, in one program: each
    evaluated the loss at its iterate, and the line search searched the points before the clip, keeping the value and
    gradient of the one it accepted there."""
    def step(carry, fun):
        x = carry.params
        (value, aux), grad = jax.value_and_grad(fun, has_aux=True)(x)
        updates, state = opt.update(grad, carry.opt_state, x, value=value, grad=grad, value_fn=lambda y: fun(y)[0])
        return optimize.Carry(_clip(optax.apply_updates(x, updates)), state, value, aux, carry.count + 1, carry.ok)

    return jax.jit(lambda carry, fun: jax.lax.fori_loop(0, steps, lambda _, c: step(c, fun), carry))


def test_a_checkpoint_from_before_the_reuse_resumes_from_an_evaluation_at_its_iterate(tmp_path):
    """Its kept value and gradient are of the unclipped point: the first resumed step took them as its iterate's.
    It evaluates there instead, as the run that wrote it did at every step; a format 2 checkpoint's are kept."""
    fun, opt, x0 = _counted([]), optimize.make_optimizer("lbfgs", linesearch="zoom"), jnp.full(32, 0.5)
    carry = _old_steps(opt, 5)(optimize.init_carry(fun, opt, x0), fun)
    path = checkpoint.save(tmp_path / "old.ckpt.npz", carry, {"step": 5})
    with np.load(path) as z:
        arrays = dict(z)
    arrays["meta"] = np.array(json.dumps({**json.loads(str(arrays["meta"])), "checkpoint_format": 1}))
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    old, template = checkpoint.load(path), optimize.init_carry(fun, opt, x0)
    as_new = checkpoint.restore(template, old._replace(meta={**old.meta, "checkpoint_format": checkpoint.FORMAT}))
    step = jax.jit(optimize.make_step(opt, _clip))
    stepped = step(checkpoint.restore(template, old), fun)
    fresh = step(as_new._replace(count=jnp.int32(0)), fun)  # before a step is counted, it evaluates at the iterate
    assert not np.isclose(linesearch.kept(carry.opt_state)[0], fresh.value, rtol=1e-4)  # some values were clipped
    assert np.array_equal(stepped.value, fresh.value) and np.array_equal(stepped.params, fresh.params)
    assert int(stepped.count) == 6 and bool(stepped.ok)

    assert np.array_equal(linesearch.kept(as_new.opt_state)[0], linesearch.kept(carry.opt_state)[0])  # format 2
    batched = jax.tree.map(lambda a: jnp.stack([a, a]), carry)  # a sweep's tiles, in what its checkpoint keeps
    forgot = linesearch.forgotten((batched, None, np.zeros(2, np.int32)))[0]
    assert np.isinf(linesearch.kept(forgot.opt_state)[0]).all() and np.array_equal(forgot.params, batched.params)

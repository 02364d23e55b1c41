"""One optimizer step, pure (`make_step`), and its jitted forms: a step alone, or a chunk of steps in one XLA loop.

A step whose value or gradient is not finite leaves the iterate unchanged; `optimize.minimize` loops over these.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax

from jaxart import linesearch
from jaxart.carry import Carry


# The constructors below are memoized, as make_optimizer is: equal settings give the same optimizer and step
# functions, so jax's compile cache serves later runs in one process (a sweep, a server, the
# soak test) instead of tracing and compiling every run again, and memory does not grow.
@functools.lru_cache(maxsize=64)
def make_advance(
    optimizer: optax.GradientTransformationExtraArgs,
    project: Callable[[jax.Array], jax.Array] | None = None,
) -> Callable:
    """`advance(carry, fun, value, aux, grad) -> carry`: `make_step`'s step after its evaluation
    of `fun` at `carry.params` gave `value`, `aux` and `grad` (the optimizer's own work)."""

    # The line search (if any) evaluates the points it tries as the run would take them: projected (linesearch.py).
    seen = (lambda y: y) if project is None else project

    def advance(carry: Carry, fun: Callable, value, aux, grad) -> Carry:
        x, state = carry.params, carry.opt_state

        def update():
            updates, new_state = optimizer.update(
                grad, state, x, value=value, grad=grad, value_fn=lambda y: fun(seen(y))[0]
            )
            new_x = optax.apply_updates(x, updates)
            return (new_x if project is None else project(new_x)), new_state

        finite = carry.ok & jnp.isfinite(value) & jnp.all(jnp.isfinite(grad))
        new_x, new_state = jax.lax.cond(finite, update, lambda: (x, state))
        keep = finite & jnp.all(jnp.isfinite(new_x))
        pick = lambda new, old: jax.tree.map(lambda a, b: jnp.where(keep, a, b), new, old)
        return Carry(
            params=pick(new_x, x),
            opt_state=new_state,
            value=jnp.where(keep, value, carry.value),
            aux=pick(aux, carry.aux),
            count=carry.count + keep.astype(jnp.int32),
            ok=keep,
        )

    return advance


@functools.lru_cache(maxsize=64)
def make_step(
    optimizer: optax.GradientTransformationExtraArgs,
    project: Callable[[jax.Array], jax.Array] | None = None,
    reuse: bool = True,
) -> Callable[[Carry, Callable], Carry]:
    """One pure optimizer step `step(carry, fun) -> carry`.

    `fun(x) -> (value, aux)` is an argument, not a closure, so that when it is a
    `jax.tree_util.Partial` its arrays (weights, targets) enter jit as inputs, not constants.
    The line search (if any) calls it again at trial points, projected, and the next step takes the value and
    gradient it kept at the point it accepted instead of evaluating `fun` there again (linesearch.py; not with
    `reuse=False`, for a step `jax.vmap`ped over carries, where choosing is a select that runs both). A non-finite
    value or gradient skips the update and a non-finite update is not applied: the iterate, value and aux stay the
    last finite ones and ok=False (the optimizer's state is then that of the failed step).

    The update runs under `lax.cond` rather than being undone by a select: selecting the old
    L-BFGS state read and wrote all 2 x memory image-sized vectors every step, which made a
    512 px step 20-36 ms (1-2% of an evaluation) slower (BENCHMARKS.md, "Optimizer overhead").

    Args:
      optimizer: from `make_optimizer`, or any optax transformation.
      project: applied to the iterate after every update, such as `lambda x: jnp.clip(x, 0, 1)` for pixels in
        [0, 1]; hashable (the step is memoized on it), so define it once rather than per call.
      reuse: take the line search's kept value and gradient (see above); False for a `jax.vmap`ped step.

    Returns:
      `step(carry, fun) -> carry`, pure and jittable: `carry` from `init_carry(fun, optimizer, x0)` (its `params`
      of `x0`'s shape and float dtype), `fun(x) -> (value, aux)` with `value` a float scalar; the new carry's
      `count` (int32) counts the steps kept, `value` is `fun`'s at the iterate before the step, `ok` (bool) is False
      once one was not finite. Scan it in your own jit: `jax.lax.scan(lambda c, _: (step(c, fun), None), carry,
      length=n)`.
    """
    advance = make_advance(optimizer, project)

    def step(carry: Carry, fun: Callable) -> Carry:
        (value, aux), grad = linesearch.value_and_grad(fun, carry.params, carry.opt_state, carry.count > 0, reuse)
        return advance(carry, fun, value, aux, grad)

    return step


@functools.lru_cache(maxsize=64)
def make_chunk(step: Callable[[Carry, Callable], Carry], size: int) -> Callable:
    """`chunk(carry, n, fun)`: up to `size` steps in one XLA loop, `n` (traced) of them run,
    so one compilation serves every chunk, the last short one included."""

    def chunk(carry: Carry, n: jax.Array, fun: Callable) -> Carry:
        def body(c, i):
            return jax.lax.cond(i < n, lambda c: step(c, fun), lambda c: c, c), None

        # int32 as `n` is: under jax_enable_x64 arange is int64, and int64 < int32 a TypePromotionError under strict
        # dtype promotion.
        return jax.lax.scan(body, carry, jnp.arange(size, dtype=jnp.int32))[0]

    return jax.jit(chunk, donate_argnums=0, compiler_options=compiler_options())


@functools.lru_cache(maxsize=64)
def jit_step(step: Callable) -> Callable:
    """`step` jitted as `minimize`'s Python loop runs it: the carry donated, `compiler_options`."""
    return jax.jit(step, donate_argnums=0, compiler_options=compiler_options())


def compiler_options() -> dict | None:
    """XLA options for the optimizer's programs: on CPU, the memory-optimized scheduler, whose
    VGG gradient needs about a third of the default's temporary memory at no cost in time
    (BENCHMARKS.md); elsewhere XLA's defaults."""
    if jax.default_backend() == "cpu":
        return {"xla_cpu_scheduler_type": "CPU_SCHEDULER_TYPE_MEMORY_OPTIMIZED"}
    return None

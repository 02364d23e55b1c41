"""Minimize any scalar function of an array with optax L-BFGS or Adam, in jitted chunks.

The optimizer knows nothing about style transfer: it takes `fun(x) -> (scalar, aux)`, an optional
projection applied after every update (e.g. clipping pixels to [0, 1]) and a loop structure.
A step whose value or gradient is not finite leaves the iterate unchanged and ends the run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jaxart import linesearch, optimizers
# The loop's state and its start, also reached as optimize.Carry and optimize.init_carry.
from jaxart.carry import Carry, check_loop, init_carry, untraced


make_optimizer = optimizers.make_optimizer  # public here too, as optimize.make_optimizer: L-BFGS or Adam


class Result(NamedTuple):
    """What `minimize` returns: the last finite iterate `params` (`x0`'s shape and dtype); `value`, a float, `fun`'s
    value at the iterate the last kept step started from, one step behind `params` (the step's own evaluation: call
    `fun(result.params)` for that of `params`; inf where no step was kept); the `steps` kept, `ok` (False once a value
    or gradient was not finite), the `carry` to continue from (`minimize(carry=...)`, which consumes it) and `stopped`
    (the callback asked to stop)."""

    params: jax.Array
    value: float
    steps: int
    ok: bool
    carry: Carry
    stopped: bool = False  # the callback asked to stop (`asks_stop`)

    def __getattribute__(self, name: str):
        # A later minimize(carry=r.carry) donates r's buffers: reading them was JAX's bare "Array has been deleted".
        value = tuple.__getattribute__(self, name)  # super() has no __class__ cell in a NamedTuple
        if name in ("params", "carry") and getattr(getattr(value, "params", value), "is_deleted", bool)():
            raise RuntimeError(f"this Result's arrays ({name}) were consumed: a later minimize(carry=result.carry) "
                               "donated its buffers; copy them first, kept = jax.tree.map(jnp.copy, result.carry), or "
                               "read the later Result")
        return value


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
def _jit_step(step: Callable) -> Callable:
    return jax.jit(step, donate_argnums=0, compiler_options=compiler_options())


def compiler_options() -> dict | None:
    """XLA options for the optimizer's programs: on CPU, the memory-optimized scheduler, whose
    VGG gradient needs about a third of the default's temporary memory at no cost in time
    (BENCHMARKS.md); elsewhere XLA's defaults."""
    if jax.default_backend() == "cpu":
        return {"xla_cpu_scheduler_type": "CPU_SCHEDULER_TYPE_MEMORY_OPTIMIZED"}
    return None


def default_loop() -> str:
    """The loop `minimize(loop="auto")` runs: "python" on CPU, "scan" elsewhere."""
    # jax-ml/jax#12868: on CPU a VGG gradient runs ~2.4x slower inside an XLA loop than at top
    # level (BENCHMARKS.md), so the CPU loop is Python over a jitted step.
    return "python" if jax.default_backend() == "cpu" else "scan"


def minimize(
    fun: Callable[[jax.Array], tuple[jax.Array, Any]],
    x0: jax.Array,
    optimizer: optax.GradientTransformationExtraArgs,
    steps: int,
    *,
    project: Callable[[jax.Array], jax.Array] | None = None,
    loop: str = "auto",
    chunk: int = 10,
    every: int | None = None,
    callback: Callable[[int, Carry], None] | None = None,
    carry: Carry | None = None,
    offset: int = 0,
) -> Result:
    """Run `steps` optimizer steps from `x0` (or from `carry`, to continue a run, up to `steps` in all).

    A Python loop over jitted steps, so not itself jittable: inside your own `jax.jit`, `jax.lax.scan`
    `make_step(optimizer)` from `init_carry(fun, optimizer, x0)`.

    Args:
      fun: `x -> (scalar, aux)` to minimize, jitted here (a new one, or `project`, such as a lambda made per call,
        compiles the step again; `jax.tree_util.Partial(f, *arrays)` does not); `aux` is kept for progress reports.
      x0: the starting point, one concrete float array (`init_carry`).
      optimizer: from `make_optimizer`, or any optax transformation.
      steps: the steps in all (a whole number >= 0), those of a given `carry` included (its `count`).
      project: applied to the iterate after every update, such as `lambda x: jnp.clip(x, 0, 1)`.
      loop: "python" (a jitted step called from Python), "scan" (jitted chunks of `chunk` steps in one XLA loop)
        or "auto" (python on CPU, scan elsewhere).
      chunk: steps per compiled chunk in scan mode (>= 1), and `every`'s default.
      carry: a `Carry` to continue from (a checkpoint's, or a `Result`'s), instead of `x0`; consumed: the first step
        donates it, deleting that `Result`'s arrays (`jax.tree.map(jnp.copy, r.carry)` keeps them); reading its
        `params` or `carry` then is a RuntimeError saying so.
      offset: the schedule's step count at this run's step 0, for `every` (see below).
      every, callback: call `callback(step, carry)` at least every `every` steps and at the end; in python mode
        after every step. With an `offset` (coarse to fine's later scales), the calls fall where the schedule's step
        count is a multiple of `every`. A callback returning True (`asks_stop`) ends the run there: the result is the
        carry it was given, `stopped` True. That carry is valid during the call only (the next step donates it).

    Returns:
      A `Result`: the last finite iterate (`x0`'s shape and dtype), `fun`'s value at the iterate its step started
      from (one step behind), the steps taken, `ok` (False where a value or gradient was not finite), the carry and
      `stopped`.
    """
    if carry is None:
        untraced(x0)
    # Before `init_carry` traces `fun` (a VGG's loss: a second or more); a JAX scalar's count as an int.
    steps, chunk, every, offset = check_loop(loop, steps, chunk, every, offset)
    loop = default_loop() if loop == "auto" else loop
    if not isinstance(fun, jax.tree_util.Partial):
        fun = jax.tree_util.Partial(fun)  # a pytree, so the jitted step can take it as input
    step = make_step(optimizer, project)
    carry = init_carry(fun, optimizer, x0) if carry is None else carry
    done, every = int(carry.count), every or chunk
    advance = _jit_step(step) if loop == "python" else make_chunk(step, chunk)
    stopped = False
    while done < steps and bool(carry.ok) and not stopped:
        if loop == "python":
            carry, done = advance(carry, fun), done + 1
        else:
            carry = advance(carry, jnp.int32(min(chunk, steps - done, every - (offset + done) % every)), fun)
            done = int(carry.count)
        if callback is not None and bool(carry.ok):
            stopped = asks_stop(callback(done, carry))
    value = float(carry.value) if int(carry.count) else float("inf")  # no step kept: init_carry's placeholder
    return Result(carry.params, value, int(carry.count), bool(carry.ok), carry, stopped)


def asks_stop(answer: Any) -> bool:
    """Whether a progress callback's return value asks the run to stop: True, as a bool or a NumPy or JAX boolean
    scalar (`p.loss < 0.1`, `jnp.abs(d).max() < 1e-3`). Anything else, None included, goes on: a value never meant
    as an answer (a lambda's last expression: a number, an array) stops nothing."""
    if isinstance(answer, (np.ndarray, jax.Array)) and answer.shape == () and answer.dtype == np.bool_:
        answer = bool(answer)
    return isinstance(answer, (bool, np.bool_)) and bool(answer)

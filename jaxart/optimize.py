"""Minimize any scalar function of an array with optax L-BFGS or Adam, in jitted chunks.

The optimizer knows nothing about style transfer: it takes `fun(x) -> (scalar, aux)`, an optional
projection applied after every update (e.g. clipping pixels to [0, 1]) and a loop structure.
A step whose value or gradient is not finite leaves the iterate unchanged and ends the run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jaxart import optimizers
# The loop's state and its start, also reached as optimize.Carry and optimize.init_carry.
from jaxart.carry import Carry, check_loop, init_carry, untraced
# One step and its jitted forms, also reached as optimize.make_step, optimize.compiler_options and the rest.
from jaxart.optimizer_step import compiler_options, jit_step, make_advance, make_chunk, make_step


make_optimizer = optimizers.make_optimizer  # public here too, as optimize.make_optimizer: L-BFGS or Adam

__all__ = ["Carry", "Result", "asks_stop", "compiler_options", "default_loop", "init_carry", "make_advance",
           "make_chunk", "make_optimizer", "make_step", "minimize"]


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
    advance = jit_step(step) if loop == "python" else make_chunk(step, chunk)
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

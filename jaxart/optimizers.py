"""The optimizers `optimize.minimize` steps: optax's L-BFGS (a fixed unit step or a zoom line search) and Adam, their
settings checked, made usable under strict dtype promotion, and memoized."""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jaxart.counts import check_count


def make_optimizer(
    name: str = "lbfgs", *, learning_rate=0.02, linesearch: str = "none", memory: int = 10
) -> optax.GradientTransformationExtraArgs:
    """L-BFGS (with optax's zoom line search or a fixed unit step, as jcjohnson's tool) or Adam, usable under strict
    dtype promotion (`_standard_inside`). Equal settings (of those it uses) give one optimizer (memoized), so the
    compiled steps of a later run in this process are reused.

    Args:
      name: "lbfgs" or "adam".
      learning_rate: Adam's step size, a finite number above 0 (a NumPy or concrete JAX scalar too), or an optax
        schedule (a function of the step count); L-BFGS takes unit steps and ignores it.
      linesearch: L-BFGS's, "none" (a unit step) or "zoom" (optax's zoom line search); Adam ignores it.
      memory: L-BFGS's count of past steps kept, a whole number >= 1 (each one two arrays of the iterate's size).

    Returns:
      An optax `GradientTransformationExtraArgs`, for `optimize.minimize` or `optimize.make_step`.

    Raises:
      ValueError: an unknown name or line search, or a learning rate or memory outside the above (a string, None,
        0 or below, NaN, a fraction of a step).
    """
    if not callable(learning_rate):
        learning_rate = _rate(learning_rate)
    memory = check_count("memory", memory, 1, "past steps")
    # What an optimizer ignores stays out of the memo's key: L-BFGS under each learning rate (Adam under each memory)
    # was another optimizer, whose steps a later run compiled again.
    if name == "adam":
        return _make_optimizer(name, learning_rate, "none", 1)
    return _make_optimizer(name, None, linesearch, memory)


def _rate(value) -> float:
    """A learning rate as a Python float (hashable, for the memo: a JAX scalar is not), or a ValueError naming it:
    "0.1" failed at the first step as "Only integer scalar arrays can be converted to a scalar index", and -0.1 or
    None climbed the loss."""
    try:
        ok = np.ndim(value) == 0 and np.asarray(value).dtype.kind in "iuf" and not isinstance(value, bool)
        rate = float(value) if ok else math.nan
    except (TypeError, jax.errors.ConcretizationTypeError):  # a tracer: its value is not known here
        rate = math.nan
    if not (math.isfinite(rate) and rate > 0):
        shown = f"a traced {value.dtype}" if isinstance(value, jax.core.Tracer) else repr(value)
        raise ValueError(f"learning_rate must be a finite number above 0 or an optax schedule, got {shown}")
    return rate


@functools.lru_cache(maxsize=64)
def _make_optimizer(name: str, learning_rate, linesearch: str, memory: int) -> optax.GradientTransformationExtraArgs:
    if name == "adam":
        return _overflow_fails(_standard_inside(optax.adam(learning_rate)))
    if name != "lbfgs":
        raise ValueError(f"optimizer {name!r} is not one of lbfgs, adam")
    if linesearch == "zoom":
        return _standard_inside(optax.lbfgs(memory_size=memory))
    if linesearch == "none":
        return _standard_inside(optax.lbfgs(learning_rate=1.0, memory_size=memory, linesearch=None))
    raise ValueError(f"linesearch {linesearch!r} is not one of none, zoom")


def _standard_inside(opt: optax.GradientTransformationExtraArgs) -> optax.GradientTransformationExtraArgs:
    """`opt` traced under standard dtype promotion, and the loss it calls (the line search's `value_fn`)
    under the caller's: optax's Adam bias correction (float ** int32) and, under jax_enable_x64, L-BFGS's
    memory index (int64 + int32) are TypePromotionErrors under jax.numpy_dtype_promotion("strict"). Under
    standard promotion the dtypes, so the program, are unchanged."""
    def init(params):
        with jax.numpy_dtype_promotion("standard"):
            return opt.init(params)

    def update(updates, state, params=None, **extra):
        mode = jax.config.jax_numpy_dtype_promotion
        if "value_fn" in extra:
            value_fn = extra["value_fn"]

            def callers(*args, **kwargs):
                with jax.numpy_dtype_promotion(mode):
                    return value_fn(*args, **kwargs)
            extra["value_fn"] = callers
        with jax.numpy_dtype_promotion("standard"):
            return opt.update(updates, state, params, **extra)

    return optax.GradientTransformationExtraArgs(init, update)


def _overflow_fails(opt: optax.GradientTransformationExtraArgs) -> optax.GradientTransformationExtraArgs:
    """`opt` (Adam) whose state overflowed steps to NaN, which `optimize` takes as a non-finite step: the run ends
    there, as failed. A gradient above ~1.8e19 (a loss weight near its 1e30 cap) squared to inf in Adam's second
    moment, which made its steps 0: the image stood still, and the run was reported as finished."""
    def update(updates, state, params=None, **extra):
        updates, state = opt.update(updates, state, params, **extra)
        finite = _finite(state)
        return jax.tree.map(lambda u: jnp.where(finite, u, jnp.nan), updates), state

    return optax.GradientTransformationExtraArgs(opt.init, update)


def overflowed(state) -> bool:
    """Whether an optimizer's `state` holds a non-finite value: Adam's, whose second moment a gradient too large to
    square in float32 overflowed (`_overflow_fails`), which a lower weight helps and a learning rate does not. A step
    whose loss or gradient was not finite leaves the state as it was (`optimize`), finite."""
    return not bool(_finite(state))


def overflowed_each(state) -> np.ndarray:
    """`overflowed` of each row of a batched optimizer `state` (a sweep's, one row a tile), as an (N,) bool array."""
    return ~np.asarray(jax.vmap(_finite)(state))


def _finite(state) -> jax.Array:
    """Whether every floating-point value in an optimizer's `state` is finite, as one boolean (traceable)."""
    leaves = [a for a in jax.tree.leaves(state) if jnp.issubdtype(a.dtype, jnp.inexact)]
    return jnp.all(jnp.stack([jnp.all(jnp.isfinite(a)) for a in leaves])) if leaves else jnp.bool_(True)

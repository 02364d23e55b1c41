"""The optimizer loop's state (`Carry`) and how it starts (`init_carry`), with what starting it takes: one float
array `x0` (concrete for `optimize.minimize`, a Python loop) and a `fun` that returns `(value, aux)`; and the
loop's own settings, checked (`check_loop`).

Shapes and dtypes only, so `init_carry` stays jittable: a sweep starts its carries under `jax.vmap`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from jaxart.counts import check_count  # carry.check_count too, as before counts.py took it
from jaxart.errors import InputError, given

FUN = "fun(x) -> (value, aux): the scalar to minimize and anything to report (None for nothing)"


class Carry(NamedTuple):
    """Loop state: the iterate, the optimizer state, the last finite value (and aux) and step count.

    `params` has `x0`'s shape and float dtype; `opt_state` is the optimizer's own (optax) state; `value` is a scalar
    in the dtype of `fun`'s value; `aux` a tree of `fun`'s aux shapes; `count` an int32 and `ok` a bool scalar. A
    pytree of arrays only: `jax.tree.flatten` it to save it, `jax.tree.unflatten` to continue (`minimize(carry=...)`);
    vmapped (a sweep's), each leaf has a leading batch axis."""

    params: jax.Array
    opt_state: Any
    value: jax.Array
    aux: Any
    count: jax.Array
    ok: jax.Array


def init_carry(fun: Callable[[jax.Array], tuple[jax.Array, Any]], optimizer: optax.GradientTransformation,
               x0: jax.Array) -> Carry:
    """The carry `optimize.make_step`'s steps start from. Jittable: `x0` may be traced.

    Args:
      fun: `x -> (value, aux)`, `value` a float scalar; traced once here for `aux`'s shapes.
      optimizer: an optax transformation, such as `optimize.make_optimizer("lbfgs")`.
      x0: the starting point, one float array of any shape (a tree of them: ravel it with
        `jax.flatten_util.ravel_pytree`).

    Returns:
      A `Carry`: `x0`, the optimizer's initial state, an infinite value (in the dtype of `fun`'s value), NaN aux of
      `fun`'s shapes, count 0 and ok True; under JAX's jax_debug_nans or jax_debug_infs, the largest finite value
      and zero aux (`placeholders`), and the optimizer's state made finite alike (`_optimizer_state`).

    Raises:
      TypeError: `x0` is no array, or `fun` does not return a pair. ValueError: `x0` holds no floats (an
        `InputError`), or `fun`'s value is no float scalar.
    """
    x0 = start(x0)
    out = jax.eval_shape(fun, x0)
    shapes = _aux(out)  # first: it names a `fun` that returns no (value, aux) pair
    unset, blank = placeholders(out[0].dtype)
    aux = jax.tree.map(lambda s: jnp.full(s.shape, blank, s.dtype), shapes)
    # In the value's dtype, not x0's: float64 weights give float32 pixels a float64 loss, and a float32 carry's
    # value then changed dtype in the loop (scan's "cond branches must have equal output types"; under strict
    # promotion every loop's TypePromotionError).
    carry = Carry(x0, _optimizer_state(optimizer, x0), jnp.asarray(unset, out[0].dtype), aux, jnp.int32(0),
                  jnp.bool_(True))
    # Fresh buffers for every leaf: the loop donates the carry, and init may alias arrays.
    return jax.tree.map(lambda a: jnp.array(a, copy=True), carry)


def placeholders(dtype) -> tuple[float, float]:
    """The value and aux fill of a carry with no step kept yet: inf and NaN, or where JAX's jax_debug_nans or
    jax_debug_infs is on (a user hunting their own NaN), the largest finite value and 0, as those settings raise at
    the first NaN or inf any operation makes, these included (every run's FloatingPointError). A kept step replaces
    them; until one is, `minimize`'s value is inf all the same (count 0), and the callback is not called."""
    if jax.config.jax_debug_nans or jax.config.jax_debug_infs:
        return float(jnp.finfo(dtype).max), 0.0
    return jnp.inf, jnp.nan


def _optimizer_state(optimizer: optax.GradientTransformation, x0: jax.Array):
    """`optimizer.init(x0)`; under jax_debug_nans or jax_debug_infs, with its NaN and infinite leaves made 0 and the
    largest finite value, in one jitted program whose output is all that those settings check. Optax's zoom line
    search starts its state's value and errors at inf (stylize --linesearch zoom's FloatingPointError): its update
    reads only the state's step size, so the placeholders change no step."""
    if not (jax.config.jax_debug_nans or jax.config.jax_debug_infs):
        return optimizer.init(x0)
    finite = lambda a: jnp.nan_to_num(a) if jnp.issubdtype(a.dtype, jnp.inexact) else a
    return jax.jit(lambda x: jax.tree.map(finite, optimizer.init(x)))(x0)


def start(x0) -> jax.Array:
    """`x0` as one float JAX array: integers made the infinite starting value an OverflowError, a dict JAX's "entry
    not a 2- or 3- tuple"."""
    try:
        x = jnp.asarray(x0)
    except (TypeError, ValueError):
        raise TypeError(f"x0 is {given(x0)}, not one array; the optimizer takes one float array (for a tree "
                        "of them, jax.flatten_util.ravel_pytree(x0) gives one and the function that unravels it "
                        "inside fun)") from None
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise InputError(f"x0 is {x.dtype}; give a float array, such as x0.astype(jnp.float32): the optimizer's "
                         "steps are fractions")
    return x


def check_loop(loop: str, steps: int, chunk: int, every: int | None, offset: int) -> tuple[int, int, int | None, int]:
    """`optimize.minimize`'s counts (steps, chunk, every, offset) as ints, or a ValueError unless `loop` is a choice
    and each a whole number in range (`check_count`): with the scan loop, a chunk or `every` of 2.5 or below 1
    looped for ever (chunks of 0 steps); a steps of 2.5 ran 3, and None was Python's "'<' not supported"."""
    if loop not in ("auto", "python", "scan"):
        raise ValueError(f"loop {loop!r} is not one of auto, python, scan")
    return (check_count("steps", steps, 0), check_count("chunk", chunk, 1),
            check_count("every", every, 1, none="as chunk"), check_count("offset", offset, 0))


def untraced(x0) -> None:
    """Refuse a traced `x0`: `minimize` runs a Python loop, which failed inside jit with a ConcretizationTypeError."""
    if isinstance(x0, jax.core.Tracer):
        raise TypeError("minimize's x0 is traced: minimize is a Python loop over jitted steps, so it runs outside "
                        "jax.jit and jax.vmap. Inside them, jax.lax.scan optimize.make_step(optimizer) from "
                        "optimize.init_carry(fun, optimizer, x0)")


def _aux(out):
    """The aux of `fun`'s `out` (shapes): a bare loss was "'ShapeDtypeStruct' object is not subscriptable"."""
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError(f"fun returned {given(out)}; give {FUN}, such as lambda x: (loss(x), None)")
    value = out[0]
    shaped = isinstance(value, jax.ShapeDtypeStruct)
    if not (shaped and value.shape == () and jnp.issubdtype(value.dtype, jnp.floating)):
        raise ValueError(f"fun's value is {given(value)}; give {FUN}, the value one float scalar (a sum or mean)")
    return out[1]

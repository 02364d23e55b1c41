"""What a step takes from a line search: the value and gradient it left at the new iterate, and the projection it sees.

optax's zoom line search (`--linesearch zoom`) evaluates the loss and its gradient at every point it tries and keeps
those of the point it accepts in the optimizer's state (`optax.value_and_grad_from_state`). That point is the next
step's iterate, so the next step takes them instead of evaluating the loss there again: each step then costs the line
search's evaluations alone (one where it accepts its first trial, as it almost always does), instead of one more.

The iterate is projected after every update (pixels clipped to [0, 1]), and some values were clipped at every step of
a 128 px run (tens to a thousand of 61,440): what the line search keeps would be for a point the run never takes. So
it searches `fun(project(y))`, the loss of the points the run takes: the value it keeps is the loss at the next
iterate, and the gradient is that loss's through the clip: the loss's own gradient there, except 0 at the values the
clip moved (beyond a bound the loss no longer changes with them), which pushed outward, as a projected gradient has
them. Its slopes are those of the path the run takes. Taking the clip's derivative as the identity's instead (the
kept gradient then exactly an evaluation's) made those slopes count the values held at a bound: where they were most
of the slope, its curvature test failed at every try, 20 tries a step (8 and 32 values, 2 at a bound).
Loss after 100 steps at 128 px: BENCHMARKS.md, "Zoom reuses its line search's evaluation".

A checkpoint made before that (checkpoint.py's format 1) kept the unclipped point's value and gradient: its state's
are `forgotten` as it is restored, so its first resumed step evaluates the loss at its iterate, as that run's would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import optax

from jaxart.carry import placeholders


def kept(opt_state: Any) -> tuple[jax.Array, Any] | None:
    """The (value, gradient) a line search keeps in `opt_state` (optax's zoom, or its backtracking one with
    `store_grad=True`), or None where it keeps none (no line search, Adam): then every step evaluates the loss."""
    value, grad = optax.tree.get(opt_state, "value"), optax.tree.get(opt_state, "grad")
    return None if value is None or grad is None else (value, grad)


def value_and_grad(fun: Callable, x: jax.Array, opt_state: Any, stepped: jax.Array,
                   reuse: bool = True) -> tuple[tuple[jax.Array, Any], jax.Array]:
    """`((value, aux), grad)` of `fun` at the iterate `x`, as `jax.value_and_grad(fun, has_aux=True)` gives them.

    Where the optimizer's line search keeps a value and gradient (`kept`) and a step was taken (`stepped`: the
    carry's count above 0), they are those of `x` (the line search's accepted point, projected as it saw it), so
    they are taken from `opt_state` and only `aux` is computed: a forward pass, none where `aux` is None. Where
    `opt_state` holds optax's placeholder value (infinite, or under jax_debug_nans carry.py's largest finite one),
    before the first step or `forgotten`, the step evaluates. Under `jax.vmap` with a batched `stepped` both
    branches would run (a forward pass more than evaluating alone): a vmapped step passes `reuse=False` and
    evaluates, as before."""
    stored = kept(opt_state)
    evaluate = lambda: jax.value_and_grad(fun, has_aux=True)(x)  # noqa: E731
    if stored is None or not reuse:
        return evaluate()
    out = jax.eval_shape(fun, x)

    def from_state():
        # The state keeps the value in the iterate's dtype: a float64 loss of float32 pixels comes back float64.
        value, grad = stored
        return (jnp.asarray(value, out[0].dtype), fun(x)[1]), jax.tree.map(lambda g, p: g.astype(p.dtype), grad, x)

    held = jnp.abs(stored[0]) < jnp.finfo(jnp.result_type(stored[0])).max  # not a placeholder (NaN: none either)
    return jax.lax.cond(stepped & held, from_state, evaluate)


def _searched(node) -> bool:
    return isinstance(node, optax.ScaleByZoomLinesearchState)


def forgotten(tree: Any) -> Any:
    """`tree` (a carry, or any pytree holding optimizer states) with each zoom line search's kept value made the
    placeholder of a state that has kept none (`carry.placeholders`), so that `value_and_grad` evaluates: for a
    checkpoint whose kept value and gradient are not those of its iterate (checkpoint.py's format 1)."""
    def forget(node):
        if not _searched(node):
            return node
        value = jnp.asarray(node.value)
        return node._replace(value=jnp.full(value.shape, placeholders(value.dtype)[0], value.dtype))

    return jax.tree.map(forget, tree, is_leaf=_searched)


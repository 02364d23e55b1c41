"""The programs a sweep runs: one optimizer step, the starting carry and the loss of every setting at once.

Each is a one-image function `jax.vmap`ped over a leading batch axis of the carry (or images) and of
the traced loss weights (`objective.LossWeights`); the VGG weights and the targets are shared inputs,
not constants, so one compilation serves any grid of the same shapes. A sweep over style scales or
paintings gives each setting its own style Grams (`per_setting`: a leading batch axis on `targets.grams`,
the same (C, C) shapes whatever the painting or its size, (R, C, C) with region masks); the content target and the
region masks stay shared. A sweep of style layer weights gives each setting its own as a traced value, next to its
loss weights: `lw` is then (LossWeights, {style layer: (N,) weights}) (`_split`). Every program gets the
optimizer's compiler options: on CPU the memory-optimized scheduler, which the memory check's
estimate assumes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
from jax.sharding import NamedSharding

from jaxart import objective, optimize, transfer
from jaxart.config import StyleConfig
from jaxart.targets import Targets

__all__ = ["init", "loss", "make_batched_step"]


def make_batched_step(optimizer, config: StyleConfig, per_setting: bool = False,
                      sharding: NamedSharding | None = None) -> Callable:
    """`step(carry, lw, weights, targets) -> carry`: one optimizer step of every setting at once.

    `carry` and `lw` have a leading batch axis; weights and targets are shared inputs (not
    constants), so one compilation serves any grid of the same size, and a later sweep with the
    same layers and shapes (whatever its weights, steps or seeds) reuses it. With `per_setting`
    the targets' Grams have the batch axis too (one painting and scale per setting). With a
    `sharding` (`init`'s) every leaf of the carry comes back placed by it, as it went in.
    """
    return _batched_step(optimizer, objective.loss_config(config), per_setting, sharding)


def _split(lw) -> tuple[objective.LossWeights, dict | None]:
    """One setting's (loss weights, style layer weights or None: the config's), from its `lw`: LossWeights,
    or (LossWeights, {style layer: weight}) where the sweep gives each setting its own layer weights."""
    return (lw, None) if isinstance(lw, objective.LossWeights) else tuple(lw)


def _axes(per_setting: bool):
    """vmap's in_axes of (carry or image, lw, weights, targets)."""
    return 0, 0, None, Targets(content=None, grams=0, masks=None) if per_setting else None


# Memoized, as optimize's constructors are: equal settings give the same jitted functions, so jax's
# compile cache serves a second sweep in one process instead of tracing and compiling it again.
@functools.lru_cache(maxsize=64)
def _batched_step(optimizer, config: StyleConfig, per_setting: bool = False,
                  sharding: NamedSharding | None = None) -> Callable:
    step = optimize.make_step(optimizer, project=transfer.clip_pixels, reuse=False)  # vmapped: reusing costs a select

    def one(carry, lw, weights, targets):
        return step(carry, objective.loss_function(weights, targets, config, *_split(lw)))

    # The carry comes back placed as `init` placed it. Left to XLA, a one-device mesh gave the loss, the
    # step counts and L-BFGS's history back replicated (P()), so the second step's inputs had other
    # shardings: XLA compiled nothing again (on one device they lower alike), but jit's dispatch cache
    # took a second entry through its slow path (~8 ms, once per shape; `_cache_size()` 2, 3 at a second scale).
    return jax.jit(jax.vmap(one, in_axes=_axes(per_setting)), donate_argnums=0, out_shardings=sharding,
                   compiler_options=optimize.compiler_options())


@functools.lru_cache(maxsize=64)
def init(optimizer, config: StyleConfig, sharding: NamedSharding, per_setting: bool = False) -> Callable:
    """`init(x0, lw, weights, targets) -> carry`: every setting's starting carry, placed by `sharding`."""
    def one(x, lw, weights, targets):
        return optimize.init_carry(objective.loss_function(weights, targets, config, *_split(lw)), optimizer, x)

    return jax.jit(jax.vmap(one, in_axes=_axes(per_setting)), out_shardings=sharding,
                   compiler_options=optimize.compiler_options())


@functools.lru_cache(maxsize=64)
def loss(config: StyleConfig, per_setting: bool = False) -> Callable:
    """`loss(x, lw, weights, targets) -> (total, terms)` of every setting's image."""
    one = lambda x, lw, weights, targets: objective.total_loss(weights, x, targets, config, *_split(lw))  # noqa: E731
    return jax.jit(jax.vmap(one, in_axes=_axes(per_setting)), compiler_options=optimize.compiler_options())

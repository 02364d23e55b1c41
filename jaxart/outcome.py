"""What a run (`transfer.run`) gives back: a `Progress` to its callback while it runs, the `Outcome` it returns, and
the final loss terms that an outcome records."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import numpy as np

from jaxart import optimize


class Progress(NamedTuple):
    """What `transfer.run` gives its callback: `step` of `steps`, the weighted total `loss` and the unweighted
    `terms` (floats), the output `image` so far ((H', W', 3), values in [0, 1]) and the `carry`."""
    step: int
    steps: int
    loss: float
    terms: dict[str, float]
    image: jax.Array  # the callback's to keep: no later step overwrites it
    # The whole loop state, for checkpoints: valid during the callback only, since the next step donates its buffers
    # (a kept one is deleted: jax.tree.map(jnp.copy, p.carry) keeps a copy).
    carry: optimize.Carry | None = None


class Outcome(NamedTuple):
    """What `transfer.run` returns; its fields are described under Returns in `run`'s docstring."""
    image: np.ndarray
    # The optimizer's final loss terms: of the optimized pixels in their margin (`pixels`), what the
    # steps lowered, which a progress bar and --tolerance follow and a sweep's tile records too.
    terms: dict[str, float]
    steps: int
    seconds: float
    # The optimized pixels before `color.finish` (for "keep" and "luminance" not the image): what
    # the next scale of coarse to fine continues from.
    pixels: np.ndarray | None = None
    stopped: bool = False  # the callback asked to stop (`run`)
    # The loss terms of `image` itself, in the optimized margin (grey for "luminance", as the loss sees it,
    # `in_margin`): `terms` unless a kept region or `color.finish` changed the pixels.
    image_terms: dict[str, float] | None = None


def final_terms(fun: Callable, x: jax.Array) -> dict[str, float]:
    """The loss `fun` (an `objective.loss_function`) of the (H, W, 3) image `x` as floats: "total" and its
    unweighted terms, as an `Outcome` records them."""
    total, terms = _final_loss()(fun, x)
    return {"total": float(total), **{k: float(v) for k, v in terms.items()}}


@functools.cache
def _final_loss() -> Callable:
    # The loss of the final image, compiled once per shape for every run, with the optimizer's
    # options (on CPU the memory-optimized scheduler: BENCHMARKS.md, "Memory of a whole run").
    return jax.jit(lambda fun, x: fun(x), compiler_options=optimize.compiler_options())

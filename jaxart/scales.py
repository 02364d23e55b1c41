"""Coarse to fine: optimize at a small size, upsample the result, continue at the next size.

Each scale is one ordinary `transfer.run` at that size: targets are recomputed from the photo and
paintings resized to it, and the loss compiles once for its shape. The first scale starts from
`config.init`, every later one from the previous result upsampled to its shape. Step numbers in
progress reports run over all scales, so a bar or a checkpoint sees one run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart import margin
from jaxart.checkpoint import Checkpoint
from jaxart.config import StyleConfig
from jaxart.errors import InputError, NonFiniteLossError
from jaxart.image import resize
from jaxart.vgg import Weights

GROWTH = 1.5  # `start_size` doubles up to the size; a scale within this factor of it is skipped


def sizes(config: StyleConfig) -> tuple[int, ...]:
    """The long side of every scale, increasing, ending at `config.size`.

    `config.scales` if given; else doubling from `config.start_size` (256 -> 256, 512 for size 512,
    256, 600 for size 600: a scale within 1.5x of the size is dropped); else just `config.size`.
    """
    if config.scales:
        return tuple(config.scales)
    if not config.start_size or config.start_size >= config.size:
        return (config.size,)
    out, s = [], config.start_size
    while s * GROWTH <= config.size:
        out.append(s)
        s *= 2
    return (*out, config.size)


def schedule(config: StyleConfig) -> tuple[tuple[int, int], ...]:
    """`(size, steps)` of every scale: `config.scale_steps` per scale, or `config.steps` at each."""
    scales = sizes(config)
    steps = config.scale_steps or (config.steps,) * len(scales)
    if len(steps) != len(scales):
        raise ValueError(f"{len(steps)} step counts for {len(scales)} scales {list(scales)}; "
                         "give one --steps number per scale, or a single one for all")
    return tuple(zip(scales, steps))


def total_steps(config: StyleConfig) -> int:
    """Optimizer steps over all scales (what a progress bar counts to)."""
    return sum(n for _, n in schedule(config))


def upsample(image: ArrayLike, shape: Sequence[int]) -> jax.Array:
    """Bicubic resize of an (h, w, 3) image in [0, 1] to `shape` (H, W, 3), clipped to [0, 1]."""
    x = jnp.asarray(image, jnp.float32)
    return jnp.clip(jax.image.resize(x, tuple(shape), method="cubic"), 0.0, 1.0)


def stage_config(config: StyleConfig, size: int, steps: int) -> StyleConfig:
    """The single-scale config of one scale."""
    return config.replace(size=size, steps=steps, scales=None, start_size=None, scale_steps=None)


def run(
    content: ArrayLike,
    styles: Sequence[ArrayLike],
    *,
    weights: Weights,
    config: StyleConfig,
    callback: Callable | None = None,
    every: int | None = None,
    resume: Checkpoint | None = None,
):
    """`transfer.run` over every scale of `schedule(config)`; returns the last scale's `Outcome`
    with the steps and seconds of all scales.

    `resume` continues a checkpoint taken at any scale: the scale is the one whose image shape
    the checkpoint holds; earlier scales are skipped.
    """
    from jaxart import transfer  # transfer.run hands multi-scale configs to this function

    start = time.perf_counter()
    plan = schedule(config)
    total = sum(n for _, n in plan)
    content = np.asarray(content)
    shapes = [np.asarray(resize(content, s)).shape for s, _ in plan]
    first = 0
    if resume is not None:
        held = tuple(resume.leaves[0].shape)  # a Carry flattens to its params first: the image in its margin
        framed = [margin.padded_shape(s, config.margin) for s in shapes]
        if held not in framed:
            raise InputError(f"checkpoint holds a {held[1]}x{held[0]} image (margin included), which is no scale of "
                             f"{[s for s, _ in plan]}; resume with the options it was made with")
        first = framed.index(held)
    offset = sum(n for _, n in plan[:first])
    image, steps = None, offset
    for i in range(first, len(plan)):
        size, n = plan[i]
        report = None
        if callback is not None:
            report = lambda p, o=offset: callback(p._replace(step=p.step + o, steps=total))
        x0 = None if image is None else upsample(image, shapes[i])
        try:
            outcome = transfer.run(content, styles, weights=weights, config=stage_config(config, size, n),
                                   callback=report, every=every, resume=resume if i == first else None, x0=x0)
        except NonFiniteLossError as e:
            raise NonFiniteLossError(f"{e} (scale {size} px)", image=e.image, step=e.step + offset) from None
        image, steps, offset = outcome.image, offset + outcome.steps, offset + n
    return outcome._replace(steps=steps, seconds=time.perf_counter() - start)

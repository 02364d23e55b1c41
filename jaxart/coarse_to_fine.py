"""Coarse to fine: optimize at a small size, upsample the result, continue at the next size.

Each scale is one ordinary run at that size (`transfer.run_scale`): targets are recomputed from the
photo and paintings resized to it, and the loss compiles once for its shape. The first scale starts from
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

from jaxart import mask_regions
from jaxart.checkpoint import Checkpoint
from jaxart.config import StyleConfig
from jaxart.errors import NonFiniteLossError
from jaxart.image import WHITE, fit
from jaxart.resume import resumed_scale  # also reached here, where it was before a dry run needed it JAX-free
from jaxart.scales import schedule, stage_config
from jaxart.vgg import Weights


def upsample(image: ArrayLike, shape: Sequence[int]) -> jax.Array:
    """Bicubic resize of an (h, w, 3) image in [0, 1] to `shape` (H, W, 3), clipped to [0, 1]."""
    x = jnp.asarray(image, jnp.float32)
    return jnp.clip(jax.image.resize(x, tuple(shape), method="cubic"), 0.0, 1.0)


def run(
    content: ArrayLike,
    styles: Sequence[ArrayLike],
    *,
    weights: Weights,
    config: StyleConfig,
    callback: Callable | None = None,
    every: int | None = None,
    resume: Checkpoint | None = None,
    x0: ArrayLike | None = None,
    background: Sequence[int] = WHITE,
):
    """`transfer.run` over every scale of `schedule(config)`; returns the last scale's `Outcome` (or that
    of the scale whose callback asked to stop) with the steps and seconds of all scales. `config` is validated
    as a whole (`transfer.run`), not each scale: a painting that `style_scale` takes below 16 px at a small
    scale is enlarged to that (`image.painting_side`), as README says, not refused.

    `resume` continues a checkpoint taken at any scale: the scale is the one whose image shape
    the checkpoint holds; earlier scales are skipped. `x0`, of the last scale's shape, is resized
    to the first scale's to start it; `background` is laid under a `config.init` image's transparency.
    """
    from jaxart import transfer  # transfer.run hands multi-scale configs to this function

    start = time.perf_counter()
    plan = schedule(config)
    total = sum(n for _, n in plan)
    content = np.asarray(content)
    shapes = [(*fit(content.shape, s), 3) for s, _ in plan]  # the shapes image.resized gives
    first = 0
    if resume is not None:
        first = resumed_scale(config, content.shape, resume)
    offset = sum(n for _, n in plan[:first])
    image, steps = None, offset
    if x0 is not None and tuple(np.shape(x0)) != shapes[-1]:  # checked on resume too, as at one scale
        raise ValueError(f"starting image is {tuple(np.shape(x0))}, the resized photo {shapes[-1]}; "
                         "give x0 the photo's shape at the last scale")
    if x0 is not None and resume is None:
        image = jnp.asarray(x0, jnp.float32)
    masks = [None] * len(plan)
    if config.mask is not None:  # read once, not at every scale: 1.2-1.7 s and ~300 MiB each for 12 megapixels
        masks[first:] = mask_regions.scaled_masks(config, shapes[first:], len(styles))
    for i in range(first, len(plan)):
        size, n = plan[i]
        report = None if callback is None else lambda p, o=offset: callback(p._replace(step=p.step + o, steps=total))
        x0 = None if image is None else upsample(image, shapes[i])
        try:
            outcome = transfer.run_scale(content, styles, weights=weights, config=stage_config(config, size, n),
                                         callback=report, every=every, resume=resume if i == first else None, x0=x0,
                                         offset=offset, masks=masks[i], background=background)
        except NonFiniteLossError as e:
            raise NonFiniteLossError(f"{e} (scale {size} px)", image=e.image, step=e.step + offset,
                                     settings=e.settings) from None
        # The next scale continues the optimized pixels, not the image the colour mode finishes
        # them to: under "keep" and "luminance" the next scale would restart from the photo's chroma.
        image, steps, offset = outcome.pixels, offset + outcome.steps, offset + n
        if outcome.stopped:  # the callback's answer: no later scale runs, the image is this one's
            break
    return outcome._replace(steps=steps, seconds=time.perf_counter() - start)

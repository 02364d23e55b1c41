"""The finished image: the output of the optimized pixels (margin cut off, colours finished, the
photo put back where a region keeps it), and the output as the loss sees it inside the margin."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart import color, kept, margin


def in_margin(params: ArrayLike, image: ArrayLike, colors: str) -> jax.Array:
    """The optimized (H + 2m, W + 2m, 3) `params` with the (H, W, 3) output `image` as the loss sees it
    (`color.start`: grey for "luminance", as its targets) in place of their centre (margin.py)."""
    h, w = np.shape(image)[:2]
    top, left = (jnp.shape(params)[0] - h) // 2, (jnp.shape(params)[1] - w) // 2
    return jnp.asarray(params).at[top:top + h, left:left + w].set(color.start(jnp.asarray(image, jnp.float32), colors))


def finished(params: ArrayLike, photo: np.ndarray, colors: str, keep: ArrayLike | None = None) -> jax.Array:
    """The output of the optimized (H + 2m, W + 2m, 3) `params`: the margin cut off, the colours
    finished from the (H, W, 3) `photo` (`color.finish`), and the photo put back where the (H, W)
    `keep` share (`kept.photo_mask`) says; values in [0, 1]."""
    return kept.put_back(color.finish(margin.crop(params, photo.shape), photo, colors), photo, keep)

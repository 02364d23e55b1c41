"""Regions that keep the photo (`StyleConfig.keep_colors`, --region-style COLOUR=photo).

Such a region has no style loss (its mask is left out of the guided Grams, guided.py); the photo is
also put back there in the output, through the mask, whose soft edges blend the two. Without that,
the painted regions' strokes and colours bled into it: the style layers see well across the border
(relu5_1 about 200 px), and content at relu4_2 does not hold colours (README, "Coarse to fine and regions").
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike


def photo_mask(masks: ArrayLike | None, painted: int) -> jax.Array | None:
    """The (H, W) share in [0, 1] of the photo in each pixel: the sum of the (R, H, W) regions after the
    first `painted` (`mask_regions.scaled_masks` puts the kept ones last); None if no region keeps it."""
    if masks is None or jnp.shape(masks)[0] <= painted:
        return None
    return jnp.clip(jnp.sum(jnp.asarray(masks)[painted:], axis=0), 0.0, 1.0)


def painted(masks: ArrayLike | None, painted: int) -> jax.Array | None:
    """The (painted, H, W) regions of the style loss: the kept ones dropped."""
    return None if masks is None else jnp.asarray(masks)[:painted]


def put_back(image: ArrayLike, photo: ArrayLike, keep: ArrayLike | None) -> jax.Array:
    """The (H, W, 3) `image` with the (H, W, 3) `photo` where the (H, W) `keep` share is 1, blended
    where it is between (a soft or antialiased mask edge); `image` itself for None."""
    if keep is None:
        return jnp.asarray(image)
    k = jnp.asarray(keep, jnp.float32)[..., None]
    return k * jnp.asarray(photo, jnp.float32) + (1.0 - k) * jnp.asarray(image, jnp.float32)

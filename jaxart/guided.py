"""Spatial control (Gatys et al. 2017, section 4): one style per region of a colour mask.

A mask image drawn over the photo marks each region with a colour; each region gets its own
painting. The style loss of region r compares the *guided* Gram matrix of the output (features
weighted by the region's mask, downsampled to each layer, normalized by the mask's area) with
the ordinary Gram matrix of painting r. Masks are (R, H, W) float arrays in [0, 1], one per region
(mask_regions.py reads them from a mask image; region_styles.py holds the settings). A region may have
no painting and keep the photo (`keep_colors`, kept.py): it has no style loss.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart.arrays import as_numbers, host_array
from jaxart.errors import InputError
from jaxart.loss_weight_checks import check_layer_weights
from jaxart.losses import no_style, relative, widened
from jaxart.mask_regions import region_masks  # public here, as README names it
from jaxart.palette import parse_colors  # public here: palette.COLORS's refusal names guided.parse_colors
from jaxart.vgg import Weights, features, layer_names

__all__ = ["guided_gram", "layer_masks", "parse_colors", "region_masks", "style_loss"]

_EPS = 1e-12
MASKS = "(R, h, w) weights in [0, 1]"  # what guided_gram's masks should be


def layer_masks(
    weights: Weights, masks: ArrayLike, layers: Sequence[str], pooling: str = "max"
) -> dict[str, jax.Array]:
    """(R, H, W) masks averaged down to each layer's (R, h, w) feature grid: each cell is the mean
    of the stride x stride pixels it pools (the last odd rows and columns, which pooling drops, none).
    Float32 (float64 masks too); an (H, W) mask or one of no numbers is a ValueError naming `masks`."""
    m = as_numbers(masks, "layer_masks' masks", MASKS.replace("h, w", "H, W"))
    if m.ndim != 3:  # an (H, W) mask was told it was "one row of an image" by features
        raise ValueError(f"layer_masks needs (R, H, W) masks, one per region, got shape {m.shape}"
                         + ("; for one region, masks[None]" if m.ndim == 2 else ""))
    m = m.astype(jnp.float32)
    image = jax.ShapeDtypeStruct((*m.shape[1:], 3), jnp.float32)
    shapes = jax.eval_shape(lambda x: features(weights, x, layers, pooling), image)
    order = layer_names(weights.arch)
    out = {}
    for k, s in shapes.items():
        (h, w), stride = s.shape[:2], 2 ** sum(n.startswith("pool") for n in order[: order.index(k) + 1])
        cells = m[:, : h * stride, : w * stride].reshape(m.shape[0], h, stride, w, stride)
        out[k] = cells.mean(axis=(2, 4))
    return out


def guided_gram(feature: ArrayLike, masks: ArrayLike) -> jax.Array:
    """Gram matrices of a feature map weighted by each mask.

    Args:
      feature: (h, w, C) activation.
      masks: (R, h, w) real weights in [0, 1]. A region's scale cancels (0..255 gives 0..1's Grams); one
        of zeros has a zero Gram, which `style_loss` weighs by its area, 0. Concrete masks below 0 or NaN
        are refused (squared, -1 weighed as 1, and `style_loss` pushed away from the painting); traced,
        not checked.

    Returns:
      (R, C, C): sum_p m_r(p)^2 f_p f_p^T / sum_p m_r(p)^2, the features multiplied by the mask
      and normalized by its area; equal to `losses.gram` for a mask of ones.
    """
    f = widened(feature, "guided_gram's feature")  # float16/bfloat16 sums would overflow or round
    m, host = _numbers(masks)
    if jnp.issubdtype(m.dtype, jnp.complexfloating):  # the cast below dropped the imaginary part, silently
        raise InputError(f"guided_gram's masks are {m.dtype}; give real {MASKS}")
    low = float(np.min(host)) if host is not None and m.size else 0.0
    if not low >= 0:
        raise InputError(f"guided_gram's masks hold {'NaN' if np.isnan(low) else low}; give {MASKS} "
                         "(jnp.clip(masks, 0, 1))")
    m = m.astype(f.dtype)  # strict promotion
    if f.ndim != 3 or m.ndim != 3 or f.shape[:2] != m.shape[1:]:
        raise ValueError(f"guided_gram needs an (h, w, C) feature and (R, h, w) masks, got {f.shape} and {m.shape}")
    m2 = m**2
    g = jnp.einsum("rhw,hwi,hwj->rij", m2, f, f)
    return g / (jnp.sum(m2, axis=(1, 2))[:, None, None] + _EPS)


def _numbers(masks: ArrayLike) -> tuple[jax.Array, np.ndarray | None]:
    """`masks` as `layers.as_numbers` gives them, and as NumPy where concrete (closed over in jit too;
    traced ones cannot be checked), None where traced: a list is read into NumPy once, for both."""
    if not isinstance(masks, jax.Array):  # a tracer is one too
        try:
            host = host_array(masks, "guided_gram's masks", MASKS)
        except TypeError:  # a list of tracers, say: jnp.asarray takes it
            return jnp.asarray(masks), None
        return jnp.asarray(host), host
    try:
        return jnp.asarray(masks), np.asarray(masks)
    except jax.errors.TracerArrayConversionError:
        return jnp.asarray(masks), None


def style_loss(
    feats: Mapping[str, ArrayLike],
    target_grams: Mapping[str, ArrayLike],
    masks: Mapping[str, ArrayLike],
    layer_weights: Mapping[str, float],
) -> jax.Array:
    """Weighted sum over layers of the regions' guided Gram losses, each weighted by its share of the
    layer's mask area; targets are (R, C, C).

    Each region's Gram is normalized by its own area, so an unweighted mean gave a speck of a few
    pixels as much say as the rest of the picture: its painting took over, and the large region
    stayed barely stylized. Weighted by area, every pixel pulls alike; two equal halves weigh 1/2
    each, as in the mean.

    Args:
      feats: layer name -> (h, w, C) activation; layers `target_grams` lacks are ignored.
      target_grams: layer name -> (R, C, C), one Gram per region (`Targets.grams` with masks).
      masks: layer name -> (R, h, w) region weights in [0, 1] (`layer_masks`), checked as `guided_gram` checks them.
      layer_weights: layer name -> weight (a number or a traced scalar), one for each target layer.

    Returns:
      A scalar >= 0, in the features' float dtype (at least float32); without target layers 0 as
      `losses.style_loss` gives it (`losses.no_style`: in the features' dtype, float32 without features).

    Raises:
      ValueError: a weight for a layer `target_grams` lacks, or none for one it has (as `losses.style_loss`).
    """
    check_layer_weights(layer_weights, list(target_grams))
    terms = []
    for n, t in target_grams.items():
        g = guided_gram(feats[n], masks[n])
        t = jnp.asarray(t, g.dtype)
        # As losses.style_layer_loss: an all-zero target Gram has no scale, so its error stays undivided.
        per_region = relative(jnp.sum((g - t) ** 2, axis=(-2, -1)), jnp.sum(t**2, axis=(-2, -1)))
        area = jnp.sum(jnp.asarray(masks[n], g.dtype), axis=(-2, -1))
        terms.append(layer_weights[n] * jnp.sum(per_region * area) / (jnp.sum(area) + _EPS))
    # Summed from the first term, not from a float32 zero: float64 terms under strict promotion.
    return sum(terms[1:], terms[0]) if terms else no_style(feats)

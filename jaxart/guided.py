"""Spatial control (Gatys et al. 2017, section 4): one style per region of a colour mask.

A mask image drawn over the photo marks each region with a colour; each region gets its own
painting. The style loss of region r compares the *guided* Gram matrix of the output (features
weighted by the region's mask, downsampled to each layer, normalized by the mask's area) with
the ordinary Gram matrix of painting r. Masks are (R, H, W) float arrays in [0, 1], one per region.
A region may have no painting and keep the photo (`keep_colors`, kept.py): it has no style loss.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart import palette, paths
from jaxart.errors import InputError
from jaxart.image import covering, load_image
from jaxart.layers import as_numbers
from jaxart.losses import widened
from jaxart.palette import parse_colors
from jaxart.vgg import Weights, features, layer_names

TOLERANCE = 60.0  # max RGB distance (0..255 units) of a mask pixel to its region's colour
ASPECT = 0.02  # allowed relative difference between the mask's and the photo's aspect ratios
STRAY = 0.01  # fraction of mask pixels allowed to match no colour nor a blend of two (3-colour corners)
_EPS = 1e-12
KEEP = "photo"  # --region-style COLOUR=photo: the word in any case, never a file so named (that is ./photo)
MASKS = "(R, h, w) weights in [0, 1]"  # what guided_gram's masks should be
BLOCK = 2**16  # mask pixels matched at a time: about 100 bytes each of temporaries, so ~6 MiB


def region_masks(mask: ArrayLike, colors: ArrayLike, tolerance: float = TOLERANCE) -> np.ndarray:
    """Regions of a colour mask, soft where a brush blended two of its colours.

    A pixel within `tolerance` of a colour belongs to its nearest colour alone. One further from
    every colour but within `tolerance` of the line between two of them (a soft brush's or an
    antialiased edge's blend, #800080 between red and blue) is shared by those two regions in the
    blend's proportions, so a mask painted with a soft brush marks soft borders.

    Args:
      mask: (H, W, 3) RGB in [0, 1].
      colors: (R, 3) RGB in 0..255, one per region.
      tolerance: RGB distance (0..255 units) within which a pixel matches a colour or a blend.

    Returns:
      (R, H, W) float32 in [0, 1], summing over regions to 1 where a pixel matched and 0 where not.
    """
    mask, colors = palette.checked(mask, colors, tolerance)
    return _scan(mask, colors, [mask.shape[:2]], tolerance)[0][0]


def _scan(mask: np.ndarray, colors: ArrayLike, sizes: Sequence[tuple[int, int]],
          tolerance: float = TOLERANCE) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """`region_masks` of an (H, W, 3) mask `BLOCK` pixels at a time, as (R, h, w) regions at each of `sizes`
    (`jax.image.resize`, linear, antialiased; none for a check), each region's (R,) share of the pixels,
    and which (H, W) pixels matched. Masks are drawn at the photo's full size (12 megapixels for a
    phone's), where matching it whole took 1.3 GiB (3 colours); resized, the regions never exist at
    its size: each block is resized along its rows, then the (R, H, w) along its columns. Every scale
    of a run takes its regions from one scan: reading and matching a 4000x3000 mask took 1.2-1.7 s
    and about 300 MiB each time. Each of its distinct colours is matched once (`palette.by_colour`):
    matching every pixel took 2.9 of the 3.5 s a 4000x3000 mask's check took (3 colours, 2-core CPU)."""
    c = np.asarray(colors, np.float32).reshape(-1, 3)
    (H, W), R = mask.shape[:2], c.shape[0]
    rows = max(1, BLOCK // W)
    outs = [np.empty((R, H, w), np.float32) for _, w in sizes]
    area, matched = np.zeros(R), np.empty((H, W), bool)
    for i, m in palette.by_colour(mask, BLOCK, lambda x: palette.shares(x, c, tolerance)):
        area += m.sum(axis=(1, 2), dtype=np.float64)
        matched[i : i + rows] = m.sum(axis=0) >= 0.5
        for out in outs:
            if out.shape[2] == W:
                out[:, i : i + rows] = m
            else:  # one block shape, the last padded, so that each width's resize compiles once
                pad = np.pad(m, ((0, 0), (0, rows - m.shape[1]), (0, 0)))
                resized = jax.image.resize(pad, (R, rows, out.shape[2]), "linear", antialias=True)
                out[:, i : i + rows] = np.asarray(resized)[:, : m.shape[1]]
    outs = [out if h == H else np.asarray(jax.image.resize(out, (R, h, out.shape[2]), "linear", antialias=True))
            for out, (h, _) in zip(outs, sizes)]
    return outs, area / (H * W), matched


def check_config(config) -> None:
    """Raise a ValueError naming a bad `mask` / `region_colors` pairing of a StyleConfig."""
    if config.mask is None:
        if config.region_colors is not None or config.keep_colors is not None:
            raise InputError("region styles need mask, the image whose colours mark the regions", settings=["mask"])
        return
    paths.file_setting("mask", config.mask, "the path of an image file", "for masks as an array, give them to "
                       "jaxart.make_targets as masks")
    if not config.region_colors:
        raise ValueError("every region keeps the photo, so nothing would be painted; give a region a painting, e.g. "
                         "--region-style red=starry.jpg" if config.keep_colors else "--mask needs a --region-style "
                         "COLOUR=PAINTING for each colour of the mask")
    if config.style_blend is not None:
        raise InputError("style blend mixes styles over the whole image; with mask each region has one style", settings=["style_blend", "mask"])
    try:
        parse_colors(colors_of(config))
    except ValueError as e:  # "mask colour 'x' is not ...": name the setting that holds it, as the CLI does its flag
        field = "region" if any(repr(n) in str(e) for n in config.region_colors) or not config.keep_colors else "keep"
        raise InputError(f"{field} colors: {e}", settings=["keep_colors", "region_colors"]) from None


def colors_of(config) -> tuple[str, ...]:
    """Every region colour of `config`'s mask, in the order of `scaled_masks`' regions: painted, then kept."""
    return (*(config.region_colors or ()), *(getattr(config, "keep_colors", None) or ()))  # tests' namespaces have none


def parse_region_styles(texts: Sequence[str]) -> tuple[tuple[str, ...], list[str], tuple[str, ...]]:
    """Split "COLOUR=PAINTING" options: painted colours, their paintings, kept colours (COLOUR=photo); a ValueError."""
    pairs = [t.split("=", 1) for t in texts]
    for t, pair in zip(texts, pairs):
        if len(pair) != 2 or not pair[0].strip() or not pair[1].strip():
            raise ValueError(f"--region-style {t!r} is not COLOUR=PAINTING, e.g. red=starry.jpg, '#0000ff'=scream.jpg, "
                             f"or blue={KEEP} to keep the photo there")
    pairs = [(c.strip(), p.strip()) for c, p in pairs]
    painted = [(c, p) for c, p in pairs if p.lower() != KEEP]
    return tuple(c for c, _ in painted), [p for _, p in painted], tuple(c for c, p in pairs if p.lower() == KEEP)


def load_masks(config, shape: Sequence[int], n_styles: int) -> jax.Array:
    """The (R, H, W) region masks of `config.mask` at the photo's (H, W), checked by `check_mask`: the
    n_styles painted ones, then those kept as photographed (`colors_of`; `kept.photo_mask` sums these)."""
    return scaled_masks(config, [shape], n_styles)[0]


def scaled_masks(config, shapes: Sequence[Sequence[int]], n_styles: int) -> list[jax.Array]:
    """`load_masks` at each photo shape (H, W, ...) of `shapes` (a run's scales), from one read of the file."""
    sizes = [tuple(s)[:2] for s in shapes]
    return [jnp.asarray(m) for m in _checked(config, sizes, n_styles, sizes)[1]]


def check_mask(config, shape: Sequence[int], n_styles: int, size: tuple[int, int] | None = None) -> np.ndarray:
    """The (R, h, w) regions of `config.mask` at `size` (its own if None), checked against an (H, W, ...) photo.

    Raises:
      InputError: the mask is unreadable, its aspect differs from the photo's, a colour is not
        in it, a large part of it has no colour's style, or the style count differs from the colours'.
    """
    return _checked(config, [shape], n_styles, [size])[1][0]


def mask_size(config, shape: Sequence[int], n_styles: int) -> tuple[int, int]:
    """The (height, width) of `config.mask`, checked as `check_mask` checks it, without its regions:
    a check before any weights load built a 12-megapixel mask's regions only to drop them, 46 MiB a colour."""
    return _checked(config, [shape], n_styles, [])[0].shape[:2]


def _checked(config, shapes: Sequence[Sequence[int]], n_styles: int,
             sizes: Sequence[tuple[int, int] | None]) -> tuple[np.ndarray, list[np.ndarray]]:
    """`config.mask` as read and its regions at each of `sizes` (its own for None), checked against
    photos of each of `shapes` (H, W, ...); the regions in `colors_of` order, the kept ones last."""
    names, painted = colors_of(config), len(config.region_colors or ())
    if n_styles != painted:
        raise InputError(f"{n_styles} style images for {painted} mask colours; give one --region-style per colour")
    mask = load_image(config.mask, to_srgb=False, least=None if None in sizes else covering(max(sizes or shapes)))  # labels
    h, w = mask.shape[:2]
    for H, W in (tuple(s)[:2] for s in shapes):
        if abs((w / h) / (W / H) - 1.0) > ASPECT:
            raise InputError(f"mask {config.mask} is {w}x{h} but the photo is {W}x{H} (aspect {w / h:.3f} vs "
                             f"{W / H:.3f}); draw the mask over the photo, at its aspect ratio")
    colors = parse_colors(names)
    out, areas, matched = _scan(mask, colors, [s or (h, w) for s in sizes])
    for name, area, rgb in zip(names, areas, colors):
        if area == 0:
            value, instead = palette.named_as(name, rgb, palette.colour_counts(mask, matched, BLOCK))
            raise InputError(f"mask colour {name!r} is not in {config.mask}{value}; its colours are "
                             f"{palette.commonest(palette.colour_counts(mask, None, BLOCK))}{instead}")
    stray = 1.0 - areas.sum()
    if stray > STRAY:
        raise InputError(f"{stray:.1%} of {config.mask} matches no --region-style colour nor a blend of two "
                         f"(mostly {palette.commonest(palette.colour_counts(mask, matched, BLOCK), 3)}); give a --region-style for each such colour, or "
                         "paint the mask in the region colours alone")
    return mask, out


def layer_masks(
    weights: Weights, masks: ArrayLike, layers: Sequence[str], pooling: str = "max"
) -> dict[str, jax.Array]:
    """(R, H, W) masks averaged down to each layer's (R, h, w) feature grid: each cell is the mean
    of the stride x stride pixels it pools (the last odd rows and columns, which pooling drops, none)."""
    m = jnp.asarray(masks, jnp.float32)
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
      masks: (R, h, w) real weights in [0, 1]. A region's scale cancels (0..255 gives 0..1's Grams); one of
        zeros has a zero Gram, which `style_loss` weighs by its area, 0. Concrete masks below 0 or NaN are
        refused (squared, -1 weighed as 1, and `style_loss` pushed away from the painting); traced, not checked.

    Returns:
      (R, C, C): sum_p m_r(p)^2 f_p f_p^T / sum_p m_r(p)^2, the features multiplied by the mask
      and normalized by its area; equal to `losses.gram` for a mask of ones.
    """
    f = widened(feature, "guided_gram's feature")  # float16/bfloat16 sums would overflow or round
    m = as_numbers(masks, "guided_gram's masks", MASKS)
    if jnp.issubdtype(m.dtype, jnp.complexfloating):  # the cast below dropped the imaginary part, silently
        raise InputError(f"guided_gram's masks are {m.dtype}; give real {MASKS}")
    try:  # concrete masks are checked, closed over in jit too; traced ones cannot be
        low = float(np.min(np.asarray(masks))) if m.size else 0.0
    except jax.errors.TracerArrayConversionError:
        low = 0.0
    if not low >= 0:
        raise InputError(f"guided_gram's masks hold {'NaN' if np.isnan(low) else low}; give {MASKS} (jnp.clip(masks, 0, 1))")
    m = m.astype(f.dtype)  # strict promotion
    if f.ndim != 3 or m.ndim != 3 or f.shape[:2] != m.shape[1:]:
        raise ValueError(f"guided_gram needs an (h, w, C) feature and (R, h, w) masks, got {f.shape} and {m.shape}")
    m2 = m**2
    g = jnp.einsum("rhw,hwi,hwj->rij", m2, f, f)
    return g / (jnp.sum(m2, axis=(1, 2))[:, None, None] + _EPS)


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
    """
    terms = []
    for n, t in target_grams.items():
        g = guided_gram(feats[n], masks[n])
        t = jnp.asarray(t, g.dtype)
        per_region = jnp.sum((g - t) ** 2, axis=(-2, -1)) / (jnp.sum(t**2, axis=(-2, -1)) + _EPS)
        area = jnp.sum(jnp.asarray(masks[n], g.dtype), axis=(-2, -1))
        terms.append(layer_weights[n] * jnp.sum(per_region * area) / (jnp.sum(area) + _EPS))
    # Summed from the first term, not from a float32 zero: float64 terms under strict promotion.
    return sum(terms[1:], terms[0]) if terms else jnp.zeros((), jnp.float32)

"""A colour mask's regions: each pixel matched to the region colours (soft where a brush blended two),
at the photo's size or each scale's, and the mask checked against the photo and the colours."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from jaxart import palette
from jaxart.errors import InputError
from jaxart.image import covering, load_image
from jaxart.palette import parse_colors
from jaxart.region_styles import colors_of

if TYPE_CHECKING:  # JAX is imported where regions are resized: `mask_size`'s check (a dry run's) needs none
    import jax
    from jax.typing import ArrayLike

TOLERANCE = 60.0  # max RGB distance (0..255 units) of a mask pixel to its region's colour
ASPECT = 0.02  # allowed relative difference between the mask's and the photo's aspect ratios
STRAY = 0.01  # fraction of mask pixels allowed to match no colour nor a blend of two (3-colour corners)
BLOCK = 2**16  # mask pixels matched at a time: about 100 bytes each of temporaries, so ~6 MiB
FLAT = 0.01  # a drawn mask's commonest colour covers more of it than this; a photograph's (thousands of colours) less


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
    """`region_masks` of an (H, W, 3) mask `BLOCK` pixels at a time, as (R, h, w) regions at each of
    `sizes` (`jax.image.resize`, linear, antialiased; none for a check), each region's (R,) share of
    the pixels, and which (H, W) pixels matched. Masks are drawn at the photo's full size (12
    megapixels for a phone's), where matching it whole took 1.3 GiB (3 colours); resized, the regions
    never exist at its size: each block is resized along its rows, then the (R, H, w) along its
    columns. Every scale of a run takes its regions from one scan: reading and matching a 4000x3000
    mask took 1.2-1.7 s and about 300 MiB each time. Each of its distinct colours is matched once
    (`palette.by_colour`): matching every pixel took 2.9 of the 3.5 s a 4000x3000 mask's check took
    (3 colours, 2-core CPU)."""
    c = np.asarray(colors, np.float32).reshape(-1, 3)
    (H, W), R = mask.shape[:2], c.shape[0]
    if any(tuple(s) != (H, W) for s in sizes):
        import jax  # to resize: a check (no sizes, a dry run's) needs no JAX
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


def load_masks(config, shape: Sequence[int], n_styles: int) -> jax.Array:
    """The (R, H, W) region masks of `config.mask` at the photo's (H, W), the n_styles painted ones, then
    those kept as photographed (`colors_of`; `kept.photo_mask` sums these).

    Raises:
      InputError: the mask is unreadable, its aspect differs from the photo's, a colour is not
        in it, a large part of it has no colour's style, or the style count differs from the colours'.
    """
    return scaled_masks(config, [shape], n_styles)[0]


def scaled_masks(config, shapes: Sequence[Sequence[int]], n_styles: int) -> list[jax.Array]:
    """`load_masks` at each photo shape (H, W, ...) of `shapes` (a run's scales), from one read of the file."""
    import jax.numpy as jnp

    sizes = [tuple(s)[:2] for s in shapes]
    return [jnp.asarray(m) for m in _checked(config, sizes, n_styles, sizes)[1]]


def mask_size(config, shape: Sequence[int], n_styles: int) -> tuple[int, int]:
    """The (height, width) of `config.mask`, checked as `load_masks` checks it, without its regions: a
    check before any weights load built a 12-megapixel mask's regions only to drop them, 46 MiB a colour."""
    return _checked(config, [shape], n_styles, [])[0].shape[:2]


def _checked(config, shapes: Sequence[Sequence[int]], n_styles: int,
             sizes: Sequence[tuple[int, int]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """`config.mask` as read and its regions at each of `sizes` (none for a check), checked against
    photos of each of `shapes` (H, W, ...); the regions in `colors_of` order, the kept ones last."""
    names, painted = colors_of(config), len(config.region_colors or ())
    if n_styles != painted:
        plural = "s" * (painted != 1)
        raise InputError(f"{n_styles} style image{'s' * (n_styles != 1)} for the {painted} colour{plural} of "
                         "region_colors; give one style image per colour, in the same order",
                         settings=["region_colors"])
    least = covering(max(sizes or shapes))
    mask = load_image(config.mask, to_srgb=False, least=least)  # labels
    h, w = mask.shape[:2]
    for H, W in (tuple(s)[:2] for s in shapes):
        if abs((w / h) / (W / H) - 1.0) > ASPECT:
            raise InputError(f"mask {config.mask} is {w}x{h} but the photo is {W}x{H} (aspect {w / h:.3f} vs "
                             f"{W / H:.3f}); draw the mask over the photo, at its aspect ratio")
    colors = parse_colors(names)
    out, areas, matched = _scan(mask, colors, sizes)
    for name, area, rgb in zip(names, areas, colors):
        if area == 0:
            value, instead = palette.named_as(name, rgb, palette.colour_counts(mask, matched, BLOCK))
            counts = palette.colour_counts(mask, None, BLOCK)
            raise InputError(f"mask colour {name!r} is not in {config.mask}{value}" + (
                _photographed(counts, mask, "it has") or f"; its colours are {palette.commonest(counts)}{instead}"),
                settings=["region_colors {} and its painting", "region_colors"])
    stray = 1.0 - areas.sum()
    if stray > STRAY:
        counts = palette.colour_counts(mask, matched, BLOCK)
        given = palette.region_colour_for(counts)
        example = f", such as region_colors {given} and its painting" if given else " (region_colors)"
        # Shares of the whole mask, as the line for a colour not in it gives them: of the stray pixels, "55.1% of
        # m.png matches no ... (mostly #0000ff (100%))" read as if the whole mask were that colour.
        raise InputError(f"{stray:.1%} of {config.mask} matches no region colour nor a blend of two" + (
            _photographed(counts, mask, "those pixels have") or f" (mostly {palette.commonest(counts, 3, h * w)}); "
            f"give each such colour its painting{example}, or paint the mask in the region colours alone"),
            settings=["region_colors {} and its painting", "region_colors"])
    return mask, out


def _photographed(counts: tuple[np.ndarray, np.ndarray], mask: np.ndarray, have: str) -> str:
    """What to say where no colour of `counts` (`palette.colour_counts` of `mask`) covers `FLAT` of the mask, and they
    are so many (1 / FLAT or more) that such colours alone could cover it: it is a photograph (the photo itself,
    given as its mask), not regions drawn in flat colours; else "". Its commonest colours, each under 1%, were
    offered as region colours ("for its #4d84bc give region_colors '#4d84bc' ..."). A few stray colours of a drawn
    mask (two marks, 0.7% and 0.5% of it) are named instead."""
    keys, n = counts
    if not n.size or n.max() >= FLAT * mask.shape[0] * mask.shape[1] or len(keys) * FLAT < 1:
        return ""
    return (f"; {have} {len(keys)} colours, none on {FLAT:.0%} of the mask, as a photograph's: draw the mask over a "
            "copy of the photo, each region in one flat colour")

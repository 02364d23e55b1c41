"""The border: a free margin of mirrored pixels around the image being optimized.

VGG's convolutions pad with zeros. Pixels next to that padding are pulled by it, and a Gatys run
leaves a dark or bright line along the output's border, most visible over a sky (BENCHMARKS.md,
Border). Reflect padding inside each convolution does not remove the line, and neither does
showing VGG a mirrored copy of the image: the line then forms `margin` pixels inside the picture,
at the mirror image of the padding. What removes it is room. `transfer.run` optimizes the image
with `margin` free pixels more on every side, started from the photo mirrored outwards, against a
content target taken from the same mirrored photo, and cuts the margin off at the end.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from jaxart.arrays import as_numbers
from jaxart.counts import check_count

if TYPE_CHECKING:  # JAX is imported by pad and crop: a dry run's memory estimate reads padded_shape without it
    import jax
    from jax.typing import ArrayLike

PADDED = "an (..., H, W, C) image, or (R, H, W) masks with axes=(-2, -1)"  # what pad and crop take


def pad(x: ArrayLike, margin: int, axes: tuple[int, int] = (-3, -2)) -> jax.Array:
    """`x` with `margin` pixels mirrored out from each edge of its two spatial `axes`.

    The edge pixel itself is not repeated, and a side of n pixels gets at most n - 1 on each
    end. Under `jax.jit`, `margin` and `axes` set the shape, so they are static (`static_argnums=1`,
    or close over them); `x` may be traced.

    Args:
      x: (..., H, W, C) image, any values and dtype; or with `axes=(-2, -1)`, (R, H, W) masks.
      margin: a whole number of pixels >= 0.
      axes: the two spatial axes.

    Returns:
      `x` as a jax.Array of `padded_shape(x.shape, margin, axes)`: (..., H + 2m, W + 2m, C) with
      m = min(margin, side - 1) per axis, its values those of `x`.
    """
    import jax
    import jax.numpy as jnp

    x = as_numbers(x, "pad's x", PADDED)
    if isinstance(margin, jax.core.Tracer):
        raise ValueError("margin is traced, but it sets the padded shape; make it static (static_argnums=1) or close "
                         "over it")
    margin = check_count("margin", margin, 0, "pixels")
    _check_axes(x.shape, axes, "pad")
    if margin == 0:
        return x
    grown = padded_shape(x.shape, margin, axes)
    return jnp.pad(x, [((g - n) // 2,) * 2 for g, n in zip(grown, x.shape)], mode="reflect")


def padded_shape(shape: Sequence[int], margin: int, axes: tuple[int, int] = (-3, -2)) -> tuple[int, ...]:
    """The shape `pad` gives an array of `shape`."""
    out = list(shape)
    for axis in axes:
        out[axis] += 2 * min(margin, shape[axis] - 1)
    return tuple(out)


def crop(x: ArrayLike, shape: Sequence[int], axes: tuple[int, int] = (-3, -2)) -> jax.Array:
    """The centred part of a padded `x` whose spatial `axes` have the sizes of `shape`'s.

    Args:
      x: (..., H + 2m, W + 2m, C) padded image (from `pad`), or (R, ...) masks with `axes=(-2, -1)`.
      shape: the shape before `pad`, such as the photo's `(H, W, 3)`: Python ints, static under
        `jax.jit` (close over it, or `static_argnums=1` with a tuple).
      axes: the two spatial axes.

    Returns:
      A jax.Array of `x`'s shape with the spatial `axes` cut to `shape`'s, (..., H, W, C).
    """
    import jax

    x = as_numbers(x, "crop's x", PADDED)
    if not isinstance(shape, Iterable) or isinstance(shape, str):  # 4, a margin: "'int' object is not iterable"
        raise ValueError(f"crop's shape must be the shape before `pad`, a tuple such as photo.shape, got {shape!r}; "
                         "crop takes that shape, not the margin")
    if any(isinstance(n, jax.core.Tracer) for n in shape):  # else a TracerBoolConversionError below
        raise ValueError("crop's shape is traced, but it sets the output's shape; give a tuple of ints, static "
                         "(static_argnums=1) or closed over, such as photo.shape")
    _check_axes(x.shape, axes, "crop")
    _check_axes(tuple(shape), axes, "crop's shape")
    if not all(isinstance(shape[a], numbers.Integral) and shape[a] >= 1 for a in axes):  # -1 gave an empty image
        raise ValueError(f"crop's shape {tuple(shape)} needs whole numbers of pixels >= 1 on its axes {axes}; give "
                         "the shape of the image before `pad`")
    if any(shape[a] > x.shape[a] for a in axes):  # else a slice of the wrong size, silently
        raise ValueError(f"crop cannot cut {x.shape} down to {tuple(shape)}: its axes {axes} are smaller; give "
                         "the shape of the image before `pad`")
    index = [slice(None)] * x.ndim
    for axis in axes:
        n = shape[axis]
        start = (x.shape[axis] - n) // 2
        index[axis] = slice(start, start + n)
    return x[tuple(index)]


def _check_axes(shape: Sequence[int], axes: tuple[int, int], what: str) -> None:
    """A grey (H, W) image under the default axes failed with 'list index out of range'."""
    if len(axes) != 2 or not all(-len(shape) <= a < len(shape) for a in axes):
        raise ValueError(f"{what} needs an (..., H, W, C) image (or axes=(-2, -1) for an (R, H, W) mask), got "
                         f"shape {tuple(shape)} and axes {tuple(axes)}")

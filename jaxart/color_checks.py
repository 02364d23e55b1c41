"""The colour functions' arguments checked (`jaxart.color`): float pixels, three channels last or luminance,
all finite, each refusal naming the argument and what to give."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from jaxart.arrays import IMAGE, check_numbers, check_pixels, host_array
from jaxart.errors import InputError

if TYPE_CHECKING:
    from jax.typing import ArrayLike

LUMA = "an (H, W) float array of luminance in [0, 1], color.luminance of an image"  # what a luma argument should be


def checked_pixels(image: ArrayLike, what: str, channels: bool = True):
    """`image` (a list as NumPy), checked to hold floats and, with `channels`, to end in 3 of them.
    The matrices were cast to integer pixels' dtype: uint8 RGB became all-zero YIQ (and luminance),
    silently; integers are refused with the scale. Without `channels`, it is luminance (`LUMA`)."""
    want = IMAGE if channels else LUMA
    if not hasattr(image, "dtype"):
        image = host_array(image, what, want)
    check_numbers(image.dtype, what, want)
    check_pixels(image.dtype, what)
    if channels and image.shape[-1:] != (3,):  # else a matmul error about gufunc signatures, or a wrong broadcast
        raise ValueError(f"{what} has shape {image.shape}; give an (..., 3) array, the three colour channels last")
    return image


def finite_pixels(x: ArrayLike, what: str, channels: bool = True) -> np.ndarray:
    """`checked_pixels` as float64, some and all finite: NaN was "Eigenvalues did not converge" (eigh's)."""
    x = np.asarray(checked_pixels(x, what, channels), np.float64)
    bad = int(x.size - np.count_nonzero(np.isfinite(x)))
    if bad or not x.size:
        raise InputError(f"{what} has {f'{bad} NaN or infinite value' + 's' * (bad != 1) if bad else 'no pixels'}; "
                         "give finite floats in [0, 1]")
    return x

"""A transparent photo's cut-out, kept in the written image.

The run optimizes the photo composited over its background, and paints that background too: a cut-out
(a figure on a transparent ground) came out as a painted rectangle. Its written image, frames included,
takes the photo's own alpha back as a fourth band, so the painted ground stays transparent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jaxart import image
from jaxart.input_files import transparent


def photo_alpha(content: Path, photo: np.ndarray, background: tuple[int, int, int],
                least: int | None = None) -> np.ndarray | None:
    """The (H, W, 1) alpha in [0, 1] of the photo file `content`, whose (H, W, 3) `photo` is composited over
    the 8-bit `background` as `image.load_image` reads it (with `least` as given there); None where no pixel
    of it is transparent.

    The alpha is read through `load_image` itself, over a second background far from the first: where the
    two composites differ the photo is transparent, by as much as they differ. So every mode, palette and
    colour key `load_image` composites is taken alike, EXIF orientation and all; within 1/255.
    """
    if not transparent(content):
        return None
    bg = np.asarray(background, np.float32) / 255.0
    other = (0, 0, 0) if bg.sum() >= 1.5 else (255, 255, 255)
    c = int(np.argmax(np.abs(bg - np.asarray(other, np.float32) / 255.0)))  # 128/255 apart or more
    over = image.load_image(content, background=other, least=least)[..., c]
    if over.shape != photo.shape[:2]:  # decoded at another scale: a very large scan's JPEG draft cannot be
        over = image.resized(over[..., None], photo.shape[:2])[..., 0]  # transparent, but be safe
    alpha = 1.0 - (photo[..., c] - over) / (bg[c] - other[c] / 255.0)
    if alpha.min() >= 1.0 - 0.5 / 255.0:  # an alpha band all opaque
        return None
    return np.clip(alpha, 0.0, 1.0)[..., None]


def with_alpha(pixels: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """The (H, W, 3) `pixels` with `alpha` (any size, resized to theirs) as a fourth band; `pixels` alone
    where `alpha` is None."""
    pixels = np.asarray(pixels)
    if alpha is None:
        return pixels
    return np.concatenate([pixels, image.resized(alpha, pixels.shape[:2]).astype(pixels.dtype)], axis=-1)

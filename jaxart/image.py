"""Reading images with Pillow: any file and mode as RGB in [0, 1], and resizing.

Decoding one file is `jaxart.decode`; writing results (PNG, 16-bit PNG, TIFF, with the run record) is
`jaxart.output`.

Every problem with an input file is an `InputError` whose message is one line saying what is
wrong and what to do; nothing else escapes `load_image` for a bad file.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from jaxart import pixel_limit
from jaxart.counts import check_count
from jaxart.decode import decode
from jaxart.errors import InputError, given
from jaxart.paths import as_path

WHITE = (255, 255, 255)


def check_background(background: Sequence[int]) -> tuple[int, int, int]:
    """`background` as (r, g, b) ints, or an InputError if it is not three integers 0..255."""
    rgb = tuple(background) if isinstance(background, (list, tuple, np.ndarray)) else ()
    if len(rgb) != 3 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= v <= 255
                                for v in rgb):
        raise InputError(f"background must be three integers 0..255 (r, g, b), got {background!r}")
    return tuple(int(v) for v in rgb)


def load_image(
    path: str | os.PathLike, size: int | None = None, *, background: Sequence[int] = WHITE, to_srgb: bool = True,
    least: pixel_limit.Least = None,
) -> np.ndarray:
    """Read an image file as an (H, W, 3) float32 RGB array in [0, 1].

    Any file Pillow reads works (the first frame of an animation): EXIF orientation is
    applied, an embedded ICC profile converts the colours to sRGB, transparency is composited
    over `background`, untagged CMYK is inverted, 16-bit and 32-bit integer samples are read
    on a 0..65535 scale, float samples on [0, 1] (or [0, 255] when some exceed 1).

    Args:
      path: the image file.
      size: if given, resize (Lanczos) so that the longer side is `size` pixels.
      background: the 8-bit (r, g, b) colour behind transparent pixels.
      to_srgb: apply the file's ICC profile; False reads the stored values as they are (labels,
        such as a region mask's colours).
      least: the long side the caller will resize the image to (default `size`), or a function of
        the (height, width) it decodes to giving that (as `painting_side`, `covering`). A picture over
        Pillow's pixel limit (`Image.MAX_IMAGE_PIXELS`, 89 megapixels) is read at bounded memory
        (`jaxart.pixel_limit`): a JPEG decoded at 1/2, 1/4 or 1/8 scale, its long side no shorter
        than `least` (without one, the largest under the limit); another format whole, where the
        memory free holds it. Pictures under the limit are read whole, whatever `least`.

    Returns:
      An (H, W, 3) float32 NumPy array with values in [0, 1] (a file is read on the host).

    Raises:
      InputError: the path is missing, too long or a link loop, a folder, empty, not an image, damaged
        or truncated, over Pillow's pixel limit and not a JPEG, larger than the memory free can decode,
        smaller than 2x2 pixels, or has NaN or infinite float pixels. The message is one line.
    """
    path = as_path(path, "load_image's path", "an image file's path",
                   "pixels are read already: give jaxart an (H, W, 3) "
                   "float array in [0, 1], np.asarray(picture, np.float32) / 255")
    rgb = decode(Path(path), check_background(background), to_srgb, size if least is None else least)
    if isinstance(rgb, np.ndarray):  # read from 16-bit samples
        return rgb if size is None else resized(rgb, size)
    if size is not None:
        rgb = resize(rgb, size)
    x = np.array(rgb, np.float32)
    x /= 255.0  # in place: a 12-megapixel photo's or mask's float copy is 137 MiB
    return x


def resize(img: Image.Image, size: int) -> Image.Image:
    """A Pillow image resized (Lanczos) to a longer side of `size` pixels (at least 1), keeping the
    aspect ratio; `img` itself when it has that size already. Arrays: `resized`."""
    if not isinstance(img, Image.Image):
        raise TypeError(f"resize takes a Pillow image, got {given(img)}; resize arrays with `resized`")
    new = fit((img.height, img.width), size)[::-1]
    return img if new == img.size else img.resize(new, Image.Resampling.LANCZOS)


def resized(image: np.ndarray, size: int | tuple[int, int]) -> np.ndarray:
    """`resize` for an (H, W, 3) float array in [0, 1], in float32 throughout (no 8-bit rounding):
    to a long side of `size`, or to exactly `(height, width)` (stretched when the aspect differs).
    `image`'s own pixels when it already has that shape; clipped to [0, 1], NaN becomes 0. A large picture
    is copied one channel at a time, never whole (a phone's 12 megapixels are 145 MB as float32)."""
    x = np.asarray(image, np.float32)
    if isinstance(size, tuple):
        h, w = size
        if min(h, w) < 1:
            raise InputError(f"shape must be at least 1x1 pixels, got {w}x{h}")
    else:
        h, w = fit(x.shape, size)
    if (h, w) == x.shape[:2]:
        return np.clip(_finite(x), 0.0, 1.0)  # as resized ones are (the library takes pixels a little over 1)
    channels = [np.asarray(Image.fromarray(_finite(x[..., c])).resize((w, h), Image.Resampling.LANCZOS))
                for c in range(x.shape[2])]
    return np.clip(np.stack(channels, axis=-1), 0.0, 1.0)  # Lanczos overshoots at edges


def _finite(x: np.ndarray) -> np.ndarray:
    """A C-contiguous copy of float32 `x`, NaN as 0 and inf as the largest float (`np.nan_to_num`'s)."""
    x = np.array(x, order="C")
    if not np.isfinite(x).all():  # np.nan_to_num's boolean masks, a byte a value each, only where needed
        np.nan_to_num(x, copy=False, nan=0.0)
    return x


def fit(shape: Sequence[int], size: int) -> tuple[int, int]:
    """The (height, width) that `resize` gives an image of `shape` (height, width, ...)."""
    try:  # counts' one rule: 2.5 gave 2 px, True 1 px, and a concrete JAX int was refused
        size = check_count("size", size, 1, "pixels")
    except ValueError as e:
        raise InputError(str(e)) from None
    h, w = shape[:2]
    scale = size / max(h, w)
    return max(1, round(h * scale)), max(1, round(w * scale))


def painting_side(shape: Sequence[int], size: int, style_scale: float = 1.0) -> int:
    """A painting's long side for an output of long side `size`: `style_scale` times it, but at
    least enough for a 16 px short side (below that, VGG's fifth block has no pixel left)."""
    long, short = max(shape[:2]), min(shape[:2])
    return max(round(size * style_scale), -(-16 * long // short))


def covering(shape: Sequence[int]) -> Callable[[tuple[int, int]], int]:
    """`load_image`'s `least` for a picture stretched to the (height, width) `shape[:2]` (an `--init` image, a
    mask): the long side at which neither of its own sides, (height, width) `own`, is shorter than that."""
    H, W = shape[:2]
    return lambda own: math.ceil(max(own) * max(H / own[0], W / own[1]))

"""A run's input files: the photo and paintings decoded, checked before any weights load; the photo's
shape read from its header where that is all a check needs."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from jaxart import image, photo_size, pixel_limit
from jaxart.config import StyleConfig
from jaxart.decode import MIN_SIDE
from jaxart.errors import InputError


def load_inputs(content: Path, styles: list[Path], background=image.WHITE,
                config: StyleConfig | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Decode the photo and paintings (transparency over `background`), so a bad file fails before any weights load.
    With `config`, one over Pillow's pixel limit may decode smaller, down to the run's size for it (`load_image`'s
    `least`: `config.size`, and `image.painting_side` of its own shape for a painting, longer for a panorama)."""
    if not styles:
        raise InputError("give at least one style image after the content image")
    size, painted = (None, None) if config is None else (
        config.size, lambda own: image.painting_side(own, config.size, config.style_scale))
    load = lambda p, least: image.load_image(p, background=background, least=least)  # noqa: E731
    return load(content, size), [load(s, painted) for s in styles]


def check_small(config: StyleConfig, content: Path, background=image.WHITE) -> None:
    """`photo_size.check_small` before `config.validate`, reading the photo's header only where a size is below
    16 px."""
    if photo_size.below_smallest(config):
        photo_size.check_small(config, photo_shape(content, background))


# Formats whose header has the shape load_image decodes: as stored, for exif_transpose to turn, or for TIFF as
# turned already (Pillow's TIFF plugin orients it as it opens and loads it). Any other is decoded to know.
_AS_STORED, _TURNED = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP"}), frozenset({"TIFF"})


def photo_shape(path: Path, background=image.WHITE) -> tuple[int, int]:
    """The (height, width) that `image.load_image(path)` gives, from the file's header where Pillow has it there
    (EXIF orientation applied, as load_image applies it); else decoded, a bad file raising load_image's
    InputError. A file over Pillow's pixel limit is decoded as load_image decodes it (a JPEG at reduced scale)."""
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # a damaged EXIF block, as load_image ignores it
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if path.is_file():  # a FIFO would block Image.open
                with Image.open(path) as opened:
                    w, h = opened.size
                    if opened.format in _AS_STORED and pixel_limit.quarter_turned(opened):  # as exif_transpose
                        w, h = h, w
                    if opened.format in _AS_STORED | _TURNED and min(w, h) >= MIN_SIDE:
                        return h, w
    except Exception:  # noqa: BLE001 - whatever it is, load_image names it in its one line
        pass
    return image.load_image(path, background=background).shape[:2]


def transparent(path: Path) -> bool:
    """Whether the file's first frame may have transparent pixels, which `load_image` composites over its
    background: an alpha band, a palette's alpha or a colour key, from the header (nothing decoded). True for a
    file Pillow cannot open: load_image is the one to refuse it, and nothing is claimed of it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as opened:
                return opened.has_transparency_data
    except Exception:  # noqa: BLE001 - as photo_shape: load_image names what is wrong
        return True

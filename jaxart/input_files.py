"""A run's input files: the photo and paintings decoded, checked before any weights load."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jaxart import image
from jaxart.config import StyleConfig
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


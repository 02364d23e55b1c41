"""Advice before a run: warnings about settings that work but will disappoint, each `None` when
there is nothing to say (options given that change nothing: unused_options.py; the photo's and paintings' own
pixels and files: input_notes.py). The CLI prints them; the library leaves them to its caller."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from jaxart import decode_memory, image, input_files, photo_size, scales
from jaxart.errors import as_typed
from jaxart.config import INITS, SMALLEST, StyleConfig
from jaxart.mask_regions import ASPECT

if TYPE_CHECKING:  # a hint only: jaxart.vgg imports flax, which a dry run needs not
    from jaxart.vgg import Weights


def upsampling_note(photo: np.ndarray, size: int, config: StyleConfig | None = None) -> str | None:
    """A warning when `size` would enlarge the photo (upsampling blurs it), else None. Its advice, a
    --size no larger than the photo, only where that size runs: `config`'s deepest layer (the default
    layers' without one) needs a short side that a small photo may not have at its own size."""
    side = max(photo.shape[:2])
    if size <= side:
        return None
    layer, need = photo_size.deepest(config or StyleConfig())
    least = max(SMALLEST, photo_size.least_size(photo.shape[:2], need))
    fix = (f"use --size {side} or less for full sharpness" if least <= side else
           f"it is too small to run at its own size (layer {layer} needs --size {least} or more): "
           "use a larger photo for full sharpness")
    return (f"--size {size} is larger than the photo ({side} px on its long side); it is upsampled, "
            f"which blurs it: {fix}")


# Below this long side a painting's deep-layer Grams come from a few cells, and a small
# --style-scale paints a blocky grid rather than finer strokes: golden_gate + starry_night at
# --size 160, 80 steps, was blocky at 0.3 (48 px) and finely stroked at 0.6 (96 px).
SMALL_PAINTING = 96


def style_scale_note(paintings, config) -> str | None:
    """A warning when `--style-scale` below 1 shrinks a painting under `SMALL_PAINTING` px, else None: none at
    --style-weight 0, which reads no painting (`unused_options.unused_notes` says the scale has no effect)."""
    if config.style_scale >= 1 or not config.style_weight:
        return None
    side = min(image.painting_side(np.shape(p), config.size, config.style_scale) for p in paintings)
    if side >= SMALL_PAINTING:
        return None
    least = math.ceil(SMALL_PAINTING / config.size * 100) / 100
    fix = f"use --style-scale {least:g} or more, or " if least < 1 else "use "
    return (f"--style-scale {as_typed(config.style_scale)} paints from the painting at {side} px on its long "
            f"side; below {SMALL_PAINTING} px VGG's deep layers see only a few cells of it and the strokes "
            f"turn into a blocky grid: {fix}a larger --size")



def random_init_note(w: Weights, config: StyleConfig) -> str | None:
    """A warning for `--init random` with vgg16-hed, whose relu4_2 keeps a scene's edges but not its
    light and dark layout (README, "Weights"), else None."""
    if config.init != "random" or not w.name.startswith("vgg16-hed"):
        return None
    return (f"--init random with {w.name} keeps the photo's edges but not its light and dark layout, so the scene "
            "is hard to recognise; start from the photo (the default --init content) or use vgg19")


def init_note(photo: np.ndarray, init: str) -> str | None:
    """A warning when an `--init` image's aspect differs from the photo's (it is stretched to the
    photo's shape), else None. Its shape is its header's, EXIF orientation applied (the run decodes it, once); one
    whose header Pillow cannot read fails now, in load_image's line, before any weights load."""
    if init in INITS:
        return None
    least = image.covering(photo.shape)
    shape = decode_memory.oriented_shape(init, least) or image.load_image(init, least=least).shape[:2]
    (h, w), (H, W) = shape, photo.shape[:2]
    if abs((w / h) / (W / H) - 1.0) <= ASPECT:
        return None
    return (f"--init {init} is {w}x{h} and the photo {W}x{H} (aspect {w / h:.2f} vs {W / H:.2f}); it is stretched to "
            "the photo's shape: crop it to that aspect to keep its proportions")


def start_size_note(config: StyleConfig) -> str | None:
    """A warning when `--start-size` leaves no scale below `--size` (it is within `scales.GROWTH` of
    it, so `scales.sizes` drops it), which made the run single-scale without a word; else None."""
    if not config.start_size or config.scales or len(scales.sizes(config)) > 1:
        return None
    least = int(config.size / scales.GROWTH)
    fix = (f"use --start-size {least} or less for coarse to fine" if least >= 16 else
           f"at --size {config.size} no coarser scale fits: drop --start-size")
    return (f"--start-size {config.start_size} is within {scales.GROWTH:g}x of --size {config.size}, so that scale "
            f"is dropped and the run has one scale, {config.size} px (no coarse to fine); {fix}")


def frames_note(save_every: int, steps: int) -> str | None:
    """A warning when `--save-every` writes no frame: frames are taken before the last step (its
    image is the output), so an interval of `steps` or more, over all scales, gives none; else None."""
    if not save_every or save_every < steps:
        return None
    # Below 1 is no interval: a one-step run has no frame to take, whatever --save-every is.
    fix = f"give a value below {steps} for frames" if steps > 1 else "frames need a run of 2 steps or more"
    return (f"--save-every {save_every} writes no frames in a run of {steps} step{'s' * (steps != 1)} (the last "
            f"step's image is the output); {fix}")


def checkpoint_note(checkpoint_every: int, steps: int) -> str | None:
    """A warning when `--checkpoint-every` writes no checkpoint: one is kept only before the last step (which writes
    the image), so an interval of `steps` or more, over all scales, keeps none; else None."""
    if not checkpoint_every or checkpoint_every < steps:
        return None
    fix = f"give a value below {steps} for one" if steps > 1 else "a run of 1 step keeps none"
    return (f"--checkpoint-every {checkpoint_every} writes no checkpoint in a run of {steps} step{'s' * (steps != 1)} "
            f"(one is kept only before the last step, which writes the image; Ctrl-C, SIGTERM or SIGHUP still keep "
            f"one); {fix}")


def background_note(background: str, content, styles, init: str = "content") -> str | None:
    """A warning for a given `--background` (as typed) when neither the photo nor any painting (files), nor an
    `init` image file, can have a transparent pixel, so that every colour gives the same picture; else None."""
    started = [] if init in INITS else [init]
    if any(input_files.transparent(p) for p in (content, *styles, *started)):
        return None
    files = ("the photo, " if started else "the photo and ") + ("painting" if len(styles) == 1 else "paintings")
    files += " and --init image have" if started else " have"
    return (f"--background {background} has no effect: {files} no transparency (no alpha band, nor a transparent "
            "colour), so every background gives the same picture; it is the colour under transparent pixels")

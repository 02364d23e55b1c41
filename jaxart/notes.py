"""Advice before a run: warnings about settings that work but will disappoint, each `None` when
there is nothing to say (options given that change nothing: unused_options.py). The CLI prints them; the library
leaves them to its caller."""

from __future__ import annotations

import contextlib
import filecmp
import math
import os
from typing import TYPE_CHECKING

import numpy as np

from jaxart import color, decode_memory, image, input_files, photo_size, scales
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


# Enlarged more than this many times, a painting's strokes are blurred away before its Grams are taken (a 2x2
# one ran to a flat wash without a word). A judgement, not a measurement: a mild enlargement passes unremarked.
ENLARGED = 4


def enlarged_painting_notes(names, paintings, config) -> list[str]:
    """A warning for each painting (file `names[i]`) enlarged over `ENLARGED` times for the run (a sweep's at its
    largest style scale); none at --style-weight 0, which reads no painting."""
    notes = []
    if not config.style_weight:
        return notes
    for name, painting in zip(names, paintings):
        (h, w), side = np.shape(painting)[:2], image.painting_side(np.shape(painting), config.size, config.style_scale)
        own = max(h, w)
        if side <= ENLARGED * own:
            continue
        if side > round(config.size * config.style_scale):  # a thin one, to `painting_side`'s 16 px short side
            notes.append(f"painting {name} is {w}x{h} px and is enlarged {side / own:.1f}x to {side} px on its long "
                         "side so that its short side reaches 16 px, the least VGG's deepest layers read, which blurs "
                         "its strokes away: use a copy of it at least 16 px on its short side")
        else:
            notes.append(f"painting {name} is {own} px on its long side and is enlarged {side / own:.1f}x "
                         f"to {side} px (--size x --style-scale), which blurs its strokes away: "
                         f"use a copy of it {side} px or larger")
    return notes


def repeated_painting_note(names, paintings, config) -> str | None:
    """A warning for a painting given twice to blend (the same pixels, under its name or another), else None: the
    blend of a painting with itself paints as that painting alone, a slip for a second one. Not for regions, whose
    paintings may repeat, nor at --style-weight 0, which reads no painting."""
    if config.mask is not None or not config.style_weight:
        return None
    for i, painting in enumerate(paintings):
        for j in range(i):
            if np.shape(painting) == np.shape(paintings[j]) and np.array_equal(painting, paintings[j]):
                said = "given twice" if names[i] == names[j] else f"the same picture as {names[j]}"
                return (f"painting {names[i]} is {said}, so the blend counts it twice (with no other painting, it "
                        "paints as itself alone); give each painting once, and --style-blend to weigh them")
    return None


def photo_as_painting_note(content, styles, config, blended: bool = True) -> str | None:
    """A warning for a painting that is the photo or a copy of it, else None: the run gave the photo back nearly as
    it was, with no word, or, `blended` with others (not a sweep's --each-painting), drew it back toward the photo."""
    photos = {name: same for name in (() if config.mask is not None or not config.style_weight else styles)
              if (same := _as_photo(name, content)) is not None}
    if not photos:
        return None
    name, same = next(iter(photos.items()))
    # Whether some painting is not the photo, by file: `photo.jpg photo.jpg ./link-to-photo.jpg` blends none.
    effect = ("the run gives the photo back nearly as it is; give a painting as STYLE" if not blended
              or set(styles) <= set(photos) else "the blend draws the picture back toward the photo; leave it out of "
              "STYLE")
    return f"painting {name} is {'the photo' if same else f'a copy of the photo {content}'}: its style is the " \
           f"photo's own, so {effect}"


def _as_photo(name, content) -> bool | None:
    """True where the painting `name` is the photo's file, False where it is a copy of it, else (or unreadable) None."""
    with contextlib.suppress(OSError):
        if (same := os.path.samefile(name, content)) or filecmp.cmp(name, content, shallow=False):
            return same
    return None


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


# A flat band along a painting's edges (a scan's white mount, a photo of it with its wall) is style to the run too:
# Tübingen with starry_night framed 60 px in white (25% of it) came out with white blocks of straight edges, 5.3%
# of its pixels flat near-white against 0.1% unframed (192 px, 100 steps, vgg16-hed). A band under this share of
# the painting, a scan's thin line, passes unremarked.
FRAMED, FLAT = 0.05, 8 / 255


def flat_border(painting: np.ndarray) -> tuple[int, int, int, int]:
    """The widths in pixels (top, bottom, left, right) of the flat bands along an (H, W, 3) image's edges: the rows or
    columns from each edge that are each within `FLAT` of one colour, the outermost's. All zero for a flat image."""
    x = np.asarray(painting, np.float32)

    def band(lines: np.ndarray) -> int:  # (n, length, 3), the outermost first
        flat = (np.ptp(lines, axis=1).max(-1) <= 2 * FLAT) & (np.abs(lines - lines[0, 0]).max((1, 2)) <= FLAT)
        return len(flat) if flat.all() else int(np.argmin(flat))

    sides = band(x), band(x[::-1]), band(x.transpose(1, 0, 2)), band(x.transpose(1, 0, 2)[::-1])
    h, w = x.shape[:2]
    return (0, 0, 0, 0) if sides[0] + sides[1] >= h or sides[2] + sides[3] >= w else sides


def framed_painting_notes(names, paintings, config) -> list[str]:
    """A warning for each painting (file `names[i]`) whose flat bands along its edges (`flat_border`) take `FRAMED` of
    it or more; none at --style-weight 0, which reads no painting."""
    notes = []
    for name, painting in zip(names, paintings if config.style_weight else ()):
        (h, w), (top, bottom, left, right) = np.shape(painting)[:2], flat_border(painting)
        share = 1 - (h - top - bottom) * (w - left - right) / (h * w)
        if share >= FRAMED:
            notes.append(f"painting {name} has a flat border (top {top}, bottom {bottom}, left {left}, right {right} "
                         f"px of its {w}x{h}: {share:.0%} of it), whose style the run paints too, as flat blocks with "
                         "straight edges; crop the painting to its picture")
    return notes


# Under this mean luminance a photo's VGG features are faint beside the painting's Grams, and the painting's light
# takes the scene over. tubingen.jpg (mean 0.44) darkened to 0.22, 0.13 and 0.05 with starry_night.jpg (192 px, 100
# steps, vgg16-hed) came out at a mean RGB of 0.32-0.35, the town fainter each time (content loss 0.51 undarkened, then
# 0.84, 1.08, 1.26), barely seen from 0.13; --colors luminance kept the night and the town at 0.05 (content 0.04).
DARK = 0.15


def dark_photo_note(photo: np.ndarray, config: StyleConfig) -> str | None:
    """A warning for a photo of mean luminance under `DARK` in a run that takes the painting's light (--colors style
    or keep), else None; none at --style-weight 0, which reads no painting."""
    if config.colors not in ("style", "keep") or not config.style_weight:
        return None
    # color.luminance's pixel check imports JAX, which a dry run does without
    if (mean := float(np.mean(np.asarray(photo, np.float32) @ color.RGB_TO_YIQ[0]))) >= DARK:
        return None
    return (f"the photo is very dark (mean luminance {mean:.2f} of 1): its features are faint beside the painting's, "
            f"so --colors {config.colors} paints it in the painting's light and its scene is barely seen; "
            "--colors luminance keeps it dark and its scene, or brighten the photo first")

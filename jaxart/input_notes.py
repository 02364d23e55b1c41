"""Advice before a run about the inputs themselves: a photo or painting whose pixels or file will disappoint (a
painting enlarged, given twice, framed, or the photo itself; a very dark photo), each `None` or `[]` when there is
nothing to say (settings: notes.py). The CLI prints them; the library leaves them to its caller."""

from __future__ import annotations

import contextlib
import filecmp
import os

import numpy as np

from jaxart import color, image
from jaxart.config import StyleConfig


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


# A flat band along a painting's edges (a scan's white mount, a photo of it with its wall) is style to the run too:
# Tübingen with starry_night framed 60 px in white (25% of it) came out with white blocks of straight edges, 5.3%
# of its pixels flat near-white against 0.1% unframed (192 px, 100 steps, vgg16-hed). A band under this share of
# the painting, a scan's thin line, passes unremarked, and so does a band under `BAND` px: a small painting's own
# pattern (stripes, dots on black 2 px from its edge) is no frame, though it takes 5% of a 20 px one.
FRAMED, FLAT, BAND = 0.05, 8 / 255, 3


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
    it or more, counting bands of `BAND` px or more; none at --style-weight 0, which reads no painting."""
    notes = []
    for name, painting in zip(names, paintings if config.style_weight else ()):
        h, w = np.shape(painting)[:2]
        top, bottom, left, right = (side if side >= BAND else 0 for side in flat_border(painting))
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
    # color.luminance's pixel check imports JAX, which a dry run does without; float32 weights, as float64 ones made
    # a float64 copy of the photo (2.6 GiB more for 108 megapixels, the run's peak)
    if (mean := float(np.mean(np.asarray(photo, np.float32) @ color.RGB_TO_YIQ[0].astype(np.float32)))) >= DARK:
        return None
    return (f"the photo is very dark (mean luminance {mean:.2f} of 1): its features are faint beside the painting's, "
            f"so --colors {config.colors} paints it in the painting's light and its scene is barely seen; "
            "--colors luminance keeps it dark and its scene, or brighten the photo first")

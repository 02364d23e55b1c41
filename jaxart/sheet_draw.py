"""A sweep's contact sheet as a picture: the tiles in a grid, each labelled, under the inputs and
the settings they share (sheet.py writes it beside the tiles and the page)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from jaxart.output import to_uint8
from jaxart.settings import Setting

GAP = 4  # pixels between tiles
INK, PAPER = (20, 20, 20), (250, 250, 248)


def columns_for(settings: Sequence[Setting], most: int = 6) -> int:
    """Tiles per row: one row per value of the slower-varying settings, so a style-weight x seed
    grid reads as style down, seed across, however many seeds (pass `columns` to wrap a long row);
    a one-dimensional sweep is rows of at most `most`."""
    varying = [k for k in Setting._fields if len({getattr(s, k) for s in settings}) > 1]
    if len(varying) <= 1:
        return min(len(settings), most)
    return len({getattr(s, varying[-1]) for s in settings})


def contact_sheet(
    images: Sequence[np.ndarray] | np.ndarray, tile_labels: Sequence[str], title: str = "",
    columns: int | None = None, header: str = "",
) -> Image.Image:
    """Tiles in a grid, each with its label underneath, and an optional title on top.

    Args:
      images: N arrays (H, W, 3) in [0, 1], all the same shape.
      tile_labels: N one-line labels; a cell widens to fit its label under small tiles.
      title: a line above the grid (e.g. the settings all tiles share).
      columns: tiles per row (default: about square).
      header: first lines (e.g. the inputs, `describe`), wrapped to the sheet's width.

    Returns:
      An RGB Pillow image.
    """
    n = len(images)
    if n == 0 or len(tile_labels) != n:
        raise ValueError(f"a contact sheet needs one label per image, got {n} images and {len(tile_labels)} labels")
    h, w = np.shape(images[0])[:2]
    columns = min(n, columns or math.ceil(math.sqrt(n)))
    rows = math.ceil(n / columns)
    font = label_font(w)
    strip = round(font.size * 1.5)
    cell = max(w, *(math.ceil(font.getlength(t)) + 4 for t in tile_labels))
    width = max(columns * (cell + GAP) + GAP, math.ceil(font.getlength(title)) + 2 * GAP + 4)
    lines = _wrap(header, font, width - 2 * GAP - 4) + [title] * bool(title)
    top = strip * len(lines)
    sheet = Image.new("RGB", (width, top + rows * (h + strip + GAP) + GAP), PAPER)
    draw = ImageDraw.Draw(sheet)
    for row, text in enumerate(lines):
        draw.text((GAP + 2, row * strip + strip // 4), text, fill=INK, font=font)
    for i, (img, text) in enumerate(zip(images, tile_labels)):
        x, y = GAP + (i % columns) * (cell + GAP), top + GAP + (i // columns) * (h + strip + GAP)
        sheet.paste(Image.fromarray(to_uint8(np.asarray(img))), (x + (cell - w) // 2, y))
        draw.text((x + 2, y + h + strip // 4), text, fill=INK, font=font)
    return sheet


def label_font(width: int) -> ImageFont.FreeTypeFont:
    """The sheet's font for tiles `width` px wide: Pillow's own (Aileron), from 12 px up to 16. At 11 px its
    space came out 2 px wide, narrower than the room its tabular digits leave: "vgg16" read as "vgg 16",
    "per tile" as "pertile"."""
    return ImageFont.load_default(size=max(12, min(16, width // 14)))


def _wrap(text: str, font: ImageFont.ImageFont, width: float, most: int = 3) -> list[str]:
    """`text` in lines of at most `width` pixels, broken between words; at most `most`, the last cut with "...".
    A word wider than a line (a long file name) gives up its middle for "...", keeping twice as much of its end."""
    def fit(word: str, room: float) -> str:
        kept = (f"{word[:n // 3]}...{word[len(word) - n + n // 3:]}" for n in range(len(word) - 1, -1, -1))
        return word if font.getlength(word) <= room else next((k for k in kept if font.getlength(k) <= room), "...")

    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(fit(word, width))
    if len(lines) > most:
        # The cut line filled the width before its " ..." was added, which then ran past the sheet's edge.
        last = lines[most - 1]
        while " " in last and font.getlength(f"{last} ...") > width:
            last = last.rsplit(" ", 1)[0]
        lines = lines[:most - 1] + [f"{fit(last, width - font.getlength(' ...'))} ..."]
    return lines

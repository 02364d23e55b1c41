"""A sweep's contact sheet as a picture: the tiles in a grid, each labelled, under the inputs and
the settings they share (sheet.py writes it beside the tiles and the page)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from jaxart.captions import NAMES
from jaxart.output import to_uint8
from jaxart.settings import Setting

GAP = 4  # pixels between tiles
MAX_WIDTH = 1600  # pixels: a sheet a screen shows whole; `sheet.write` splits a wider default row
NARROWEST = 64  # pixels of label room under a tile narrower than this: "style 10", not "st…"
INK, PAPER = (20, 20, 20), (250, 250, 248)
# Pixels of header text a sheet shows before its "...": 3 lines of a 600 px sheet, more of a narrower one (8 at
# most, over one row of tiles). Three lines cut a 96 px two-tile sheet's at "(one painting per tile), model ...".
HEADER_TEXT, HEADER_LINES = 1800, 8


def columns_for(settings: Sequence[Setting], most: int = 6) -> int:
    """Tiles per row: one row per value of the slower-varying settings, so a style-weight x seed
    grid reads as style down, seed across, however many seeds (`contact_sheet`'s `widest` splits a
    row too wide for a screen); a one-dimensional sweep is rows of at most `most`."""
    varying = [k for k in Setting._fields if len({getattr(s, k) for s in settings}) > 1]
    if len(varying) <= 1:
        return min(len(settings), most)
    return len({getattr(s, varying[-1]) for s in settings})


def contact_sheet(
    images: Sequence[np.ndarray] | np.ndarray, tile_labels: Sequence[str], title: str = "",
    columns: int | None = None, header: str = "", widest: int | None = None,
) -> Image.Image:
    """Tiles in a grid, each with its label centred underneath, and an optional title on top.

    Args:
      images: N arrays (H, W, 3) in [0, 1], all the same shape.
      tile_labels: N labels, their fields two spaces apart ("style 10  painting starry"): a line per
        field where one is wider than the tile (`label_lines`), a field wider still cut with "…".
      title: a line above the grid (e.g. the settings all tiles share).
      columns: tiles per row (default: about square).
      header: first lines (e.g. the inputs, `describe`), wrapped to the sheet's width.
      widest: the most pixels the grid may span: a wider row is split evenly into as few as fit
        (`per_row`), with more space between rows than inside one; None: rows of `columns`.

    Returns:
      An RGB Pillow image.
    """
    n = len(images)
    if n == 0 or len(tile_labels) != n:
        raise ValueError(f"a contact sheet needs one label per image, got {n} images and {len(tile_labels)} labels")
    h, w = np.shape(images[0])[:2]
    columns = min(n, columns or math.ceil(math.sqrt(n)))
    font = label_font(w)
    tile_labels, title, header = [drawable(t, font) for t in tile_labels], drawable(title, font), drawable(header, font)
    strip, line = round(font.size * 1.5), round(font.size * 1.25)
    cell = max(w, NARROWEST)  # a tiny tile's label gets room for a word, centred under it all the same
    texts = label_lines(tile_labels, font, cell - 2)
    below = strip + line * (max(map(len, texts)) - 1)
    per = columns if widest is None else per_row(columns, (widest - GAP) // (cell + GAP))
    parts = math.ceil(columns / per)  # drawn rows per row of `columns`
    apart = strip if parts > 1 else 0  # so the rows a row was split into read as one
    width = max(per * (cell + GAP) + GAP, math.ceil(font.getlength(title)) + 2 * GAP + 4)
    lines = header_lines(header, font, width - 2 * GAP - 4) + [title] * bool(title)
    top = strip * len(lines)
    places = [((i // columns) * parts + i % columns // per, i % columns % per, i // columns) for i in range(n)]
    drawn = places[-1][0] + 1
    sheet = Image.new("RGB", (width, top + drawn * (h + below + GAP) + places[-1][2] * apart + GAP), PAPER)
    draw = ImageDraw.Draw(sheet)
    for row, text in enumerate(lines):
        draw.text((GAP + 2, row * strip + strip // 4), text, fill=INK, font=font)
    for img, text, (row, column, band) in zip(images, texts, places):
        x, y = GAP + column * (cell + GAP) + (cell - w) // 2, top + GAP + row * (h + below + GAP) + band * apart
        sheet.paste(Image.fromarray(to_uint8(np.asarray(img))), (x, y))
        for k, part in enumerate(text):
            draw.text((x + w / 2, y + h + strip // 4 + k * line), part, fill=INK, font=font, anchor="ma")
    return sheet


def per_row(columns: int, fit: int) -> int:
    """Tiles per drawn row when a row of `columns` must split into rows of at most `fit`: evenly, so a
    painting (or seed) keeps its place in each (8 in 4 and 4, not 6 and 2, whose second row sits shifted)."""
    parts = math.ceil(columns / max(1, fit))
    return math.ceil(columns / parts)


def label_lines(tile_labels: Sequence[str], font: ImageFont.FreeTypeFont, width: float) -> list[list[str]]:
    """Each label as the lines drawn under its tile, at most `width` pixels each: the label on one line
    where every label fits on one, else a line per field (two spaces apart, as `captions.text` joins
    them), the same fields on the same lines under every tile. A painting too long to fit with its
    "painting" is named alone (under every tile); a field wider than a line takes two (`fit`), and the
    fields after it start below them under every tile."""
    if all(font.getlength(t) <= width for t in tile_labels):
        return [[t] for t in tile_labels]
    fields, key = [t.split("  ") for t in tile_labels], f"{NAMES['painting']} "
    if any(f.startswith(key) and font.getlength(f) > width for fs in fields for f in fs):
        # A name needs no "painting" before it (the header says one painting per tile): "starry_night",
        # not "painting starr…".
        fields = [[f.removeprefix(key) for f in fs] for fs in fields]
    fitted = [[fit(f, font, width) for f in fs] for fs in fields]
    tall = [max(len(fs[k]) for fs in fitted if k < len(fs)) for k in range(max(map(len, fitted)))]
    lines = [[line for k, f in enumerate(fs) for line in f + [""] * (tall[k] - len(f))] for fs in fitted]
    return [ls[:max((i + 1 for i, t in enumerate(ls) if t), default=0)] for ls in lines]  # no empty line last


def fit(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """`text` in one line of at most `width` pixels, else two: broken after a "-", "_" or space, as late as
    fits ("woman-with-hat-" over "matisse": cut to one line at 96 px it read "woman-with-h…", which named
    neither the picture nor the painter), and a second line still too wide cut in its middle, keeping its
    start and its end, where a file name says most ("off_the_c…hokusai"). The page and the tile's record
    give it whole."""
    if font.getlength(text) <= width:
        return [text]
    breaks = [i for i in range(1, len(text)) if text[i - 1] in "-_ " and font.getlength(text[:i].rstrip()) <= width]
    if not breaks:
        return [_middle(text, font, width)]
    return [text[:breaks[-1]].rstrip(), _middle(text[breaks[-1]:], font, width, ends=2)]


def whole(text: str, width: int) -> bool:
    """Whether a label's field `text` is drawn whole (on one line or two, `fit`) under a tile `width` px wide."""
    return "…" not in "".join(fit(text, label_font(width), max(width, NARROWEST) - 2))


def _middle(text: str, font: ImageFont.FreeTypeFont, width: float, ends: int = 1) -> str:
    """`text`, or as much of its start and end as fits `width` with "…" between them, `ends` times as much end."""
    cuts = (f"{text[:n - n * ends // (ends + 1)]}…{text[len(text) - n * ends // (ends + 1):]}"
            for n in range(len(text) - 1, -1, -1))
    return text if font.getlength(text) <= width else next(c for c in cuts if font.getlength(c) <= width or c == "…")


def label_font(width: int) -> ImageFont.FreeTypeFont:
    """The sheet's font for tiles `width` px wide: Pillow's own (Aileron), from 12 px up to 16. At 11 px its
    space came out 2 px wide, narrower than the room its tabular digits leave: "vgg16" read as "vgg 16",
    "per tile" as "pertile"."""
    return ImageFont.load_default(size=max(12, min(16, width // 14)))


# Letters without a base letter in Unicode's decompositions, and dashes, as Aileron can draw them.
_PLAIN = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i", "–": "-", "—": "-",
                        "×": "x"})


def drawable(text: str, font: ImageFont.FreeTypeFont) -> str:
    """`text` as `font` can draw it. Pillow's own font has ASCII's letters and few more (not "ü", "É" nor "ñ"), and
    drew a box for each it lacks: "T▯bingen". Such a letter is drawn as its base letter ("Tubingen", "E", "n", "o" for
    "ø"), else as "?" (a box said no more); the page and the tiles' records keep the names whole."""
    glyph = lambda c: (font.getmask(c).size, bytes(font.getmask(c)))  # noqa: E731
    box = glyph("\uffff")  # a code point no font has: its "missing glyph" box
    lacks = {c for c in set(text) if not c.isspace() and glyph(c) == box}
    if not lacks:
        return text
    plain = lambda c: "".join(b for b in unicodedata.normalize("NFKD", c.translate(_PLAIN))  # noqa: E731
                              if not unicodedata.combining(b))
    said = {c: p if (p := plain(c)) and not any(glyph(b) == box for b in p) else "?" for c in lacks}
    return "".join(said.get(c, c) for c in text)


def header_lines(header: str, font: ImageFont.ImageFont, width: float) -> list[str]:
    """The header in lines of at most `width` pixels: as many as `HEADER_TEXT` fills, from 3 to `HEADER_LINES`, so a
    narrow sheet says about as much as a wide one, in more lines."""
    return _wrap(header, font, width, most=min(HEADER_LINES, max(3, math.ceil(HEADER_TEXT / width))))


def _wrap(text: str, font: ImageFont.ImageFont, width: float, most: int = 3) -> list[str]:
    """`text` in lines of at most `width` pixels, broken between words; at most `most`, the last cut with "...".
    A word wider than a line (a long file name) gives up its middle for "...", keeping twice as much of its end."""
    def fit(word: str, room: float) -> str:
        kept = (f"{word[:n // 3]}...{word[len(word) - n + n // 3:]}" for n in range(len(word) - 1, -1, -1))
        return word if font.getlength(word) <= room else next((k for k in kept if font.getlength(k) <= room), "...")

    words: list[str] = []
    for word in text.split():  # a number stays with the word it belongs to: "size" over "256, steps 100" read badly
        if words and word[:1].isdigit() and font.getlength(f"{words[-1]} {word}") <= width:
            words[-1] += f" {word}"
        else:
            words.append(word)
    lines: list[str] = []
    for word in words:
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

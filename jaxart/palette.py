"""The colours a region mask holds, counted or looked up a block of pixels at a time, each pixel's
share in each region's colour (`shares`), and the words mask_regions.py's refusals use for them: #rrggbb,
the commonest, the one to give instead of a colour that matched nothing; a colour's text as RGB
(`parse_rgb`, also `color.parse_rgb`), the region colours parsed, and `guided.region_masks`' arguments checked."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from jaxart.arrays import check_pixels, host_array
from jaxart.errors import InputError

MASK = "an (H, W, 3) float array in [0, 1], as jaxart.load_image reads a mask"
COLORS = "an (R, 3) array of RGB in 0..255, one per region, such as guided.parse_colors(['red', 'blue'])"


def parse_rgb(text: str) -> tuple[int, int, int]:
    """An RGB triple of 0..255 from a colour name ("red"), #rrggbb, rgb(r, g, b) or "r,g,b".

    Raises ValueError for anything else, alpha included (#rrggbbaa, rgba(...)); TypeError for no str.
    """
    from PIL import ImageColor

    if not isinstance(text, str):  # None or a tuple was "'NoneType' object has no attribute 'strip'"
        raise TypeError(f"a colour must be a str such as 'red', '#ff0000' or '255,0,0', got {text!r}")

    try:
        rgb = ImageColor.getrgb(text.strip())
    except ValueError:
        try:
            rgb = tuple(int(v) for v in text.split(","))
        except ValueError:
            rgb = ()
    if len(rgb) != 3 or not all(0 <= v <= 255 for v in rgb):  # Pillow passes rgb(300,0,0) through
        raise ValueError(f"{text!r} is not a colour name, #rrggbb or r,g,b with values 0..255 (and no alpha)")
    return tuple(int(v) for v in rgb)


def parse_colors(names: Sequence[str]) -> np.ndarray:
    """(R, 3) uint8 RGB of colour names ("red"), #rrggbb or r,g,b (`parse_rgb`); raises ValueError."""
    if isinstance(names, str) or not isinstance(names, Sequence):  # "red" was the colours r, e, d
        raise TypeError(f"mask colours must be a list of names such as ['red', 'blue'], got {names!r:.60}")
    rgb = []
    for name in names:
        try:
            rgb.append(parse_rgb(name))
        except ValueError as e:
            raise ValueError(f"mask colour {e}") from None
    seen = {}
    for name, c in zip(names, rgb):
        if c in seen:
            raise ValueError(f"mask colours {seen[c]!r} and {name!r} are the same colour; give each region one style")
        seen[c] = name
    return np.asarray(rgb, np.uint8).reshape(-1, 3)


def checked(mask, colors, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """`region_masks`' mask and colours as NumPy, or an error naming which and what to give: NumPy's own
    ("inhomogeneous shape", "could not convert string to float: 'red'", "not enough values to unpack")
    named neither; None and objects passed to a wrong result, 0..255 integers to white, NaN to no region."""
    m = host_array(mask, "region_masks' mask", MASK)
    check_pixels(m.dtype, "region_masks' mask")
    if m.ndim != 3 or m.shape[-1] != 3 or not m.size:
        raise ValueError(f"region_masks' mask has shape {m.shape}; give {MASK}")
    if bad := int(m.size - np.count_nonzero(np.isfinite(m))):
        raise InputError(f"region_masks' mask has {bad} NaN or infinite value{'s' * (bad != 1)}; give {MASK}")
    c = host_array(colors, "region_masks' colors", COLORS)
    if c.ndim != 2 or c.shape[-1] != 3 or not len(c) or c.dtype.kind not in "biuf":
        raise ValueError(f"region_masks' colors are {c.dtype} of shape {c.shape}; give {COLORS}")
    if not isinstance(tolerance, numbers.Real) or not 0 <= tolerance < np.inf:  # a str was NumPy's TypeError
        raise ValueError(f"region_masks' tolerance is {tolerance!r:.60}; give an RGB distance >= 0 in 0..255 units")
    return m, c


def named_as(name: str, rgb: np.ndarray, unmatched: tuple[np.ndarray, np.ndarray]) -> tuple[str, str]:
    """Words for a colour given by name or r,g,b that matched nothing: what it is as #rrggbb and, when
    some of the mask matches no listed colour (`unmatched`, its `colour_counts`), the commonest such
    colour to give instead ("green" is #008000, which a mask painted in #00ff00, "lime", does not
    match); two "" for a #rrggbb."""
    value = "#{:02x}{:02x}{:02x}".format(*rgb)
    if name.strip().lower() == value:
        return "", ""
    keys, counts = unmatched
    if not len(keys):
        return f" ({name} is {value})", ""
    other = f"#{keys[np.argmax(counts)]:06x}"
    return f" ({name} is {value})", f"; for its {other} give region_colors '{other}' and its painting"


def commonest(colours: tuple[np.ndarray, np.ndarray], top: int = 4, pixels: int | None = None) -> str:
    """The `top` commonest colours of a mask's `colour_counts`, as #rrggbb with their share of its `pixels`
    (default: of the pixels counted)."""
    keys, counts = colours
    order = np.argsort(-counts)[:top]
    whole = counts.sum() if pixels is None else pixels
    return ", ".join(f"#{keys[i]:06x} ({counts[i] / whole:.0%})" for i in order)


def region_colour_for(unmatched: tuple[np.ndarray, np.ndarray]) -> str:
    """The commonest colour of `unmatched` (a `colour_counts`) as a region colour to give, "'#rrggbb'"; "" for none."""
    keys, counts = unmatched
    return f"'#{keys[np.argmax(counts)]:06x}'" if len(keys) else ""


def colour_counts(mask: np.ndarray, skip: np.ndarray | None, block: int) -> tuple[np.ndarray, np.ndarray]:
    """The colours of an (H, W, 3) mask in [0, 1], as sorted 0xRRGGBB keys, and how many pixels have
    each, leaving out the (H, W) `skip` pixels (None: none). Counted `block` pixels at a time, as
    mask_regions.py matches a mask: np.unique of a 12-megapixel mask's unmatched pixels, as rows, took
    about 300 MiB more. The blocks' counts are merged once they hold more than a block's worth, so
    they take the room of the mask's distinct colours and a block's."""
    H, W = mask.shape[:2]
    rows = max(1, block // W)
    known, counts, pending = np.zeros(0, np.uint64), np.zeros(0, np.int64), []
    for i in range(0, H, rows):
        k = keys(mask[i : i + rows], bits=8)
        pending.append(np.unique(k if skip is None else k[~skip[i : i + rows]], return_counts=True))
        if sum(len(p[0]) for p in pending) > block or i + rows >= H:
            known, where = np.unique(np.concatenate([known, *(p[0] for p in pending)]), return_inverse=True)
            counts = np.bincount(where, np.concatenate([counts, *(p[1] for p in pending)]), len(known))
            counts, pending = counts.astype(np.int64), []
    return known, counts


def keys(mask: np.ndarray, bits: int = 16) -> np.ndarray:
    """(h, w) uint64 keys of an (h, w, 3) mask's colours in [0, 1], `bits` a channel: with 16, distinct
    for every two colours an 8- or 16-bit file holds; with 8, 0xRRGGBB."""
    q = (np.clip(mask, 0.0, 1.0) * float((1 << bits) - 1) + 0.5).astype(np.uint64)
    return (q[..., 0] << 2 * bits) | (q[..., 1] << bits) | q[..., 2]


def colour_table(mask: np.ndarray, block: int, limit: int = 2**16) -> tuple[np.ndarray, np.ndarray] | None:
    """The distinct colours of an (H, W, 3) mask: their sorted `keys` and (K, 3) colours as the mask
    holds them (each key's first pixel's), read `block` pixels at a time; None past `limit` colours
    (a photo or noise given as a mask), where a table would take more room than matching each pixel."""
    H, W = mask.shape[:2]
    rows = max(1, block // W)
    table, colours = np.zeros(0, np.uint64), np.zeros((0, 3), mask.dtype)
    for i in range(0, H, rows):
        piece = mask[i : i + rows].reshape(-1, 3)
        new, first = np.unique(keys(piece), return_index=True)
        table, pick = np.unique(np.concatenate([table, new]), return_index=True)
        colours = np.concatenate([colours, piece[first]])[pick]
        if len(table) > limit:
            return None
    return table, colours


def by_colour(mask: np.ndarray, block: int,
              match: Callable[[np.ndarray], np.ndarray]) -> Iterator[tuple[int, np.ndarray]]:
    """Each block of `block` pixels' rows of an (H, W, 3) mask: its first row and `match` of it, an
    (..., rows, W) function of each pixel's colour alone. Where the mask holds few colours
    (`colour_table`), `match` runs once on them all and each pixel looks its colour up."""
    H, W = mask.shape[:2]
    rows = max(1, block // W)
    table = colour_table(mask, block)
    if table is not None:
        known, colours = table
        matched = match(colours[None])[..., 0, :]  # (..., K)
    for i in range(0, H, rows):
        piece = mask[i : i + rows]
        at = None if table is None else np.searchsorted(known, keys(piece))
        # A colour finer than its key (a float file's) is matched itself, not as its key's first pixel.
        yield i, (matched[..., at] if at is not None and np.array_equal(colours[at], piece) else match(piece))


def shares(mask: np.ndarray, c: np.ndarray, tolerance: float) -> np.ndarray:
    """(R, h, w) share of each region in each pixel of an (h, w, 3) piece of a mask in [0, 1], given
    (R, 3) float32 colours in 0..255: `guided.region_masks`, a piece at a time."""
    x = np.asarray(mask, np.float32) * np.float32(255.0)
    d = np.linalg.norm(x[None] - c[:, None, None, :], axis=-1)  # (R, h, w)
    r = np.arange(c.shape[0])[:, None, None]
    hard = ((r == np.argmin(d, axis=0)[None]) & (d <= tolerance)).astype(np.float32)
    # Each pixel's best blend of two colours: the pair whose line passes nearest, b's share t on it.
    off, share = np.full(d.shape[1:], np.inf, np.float32), np.zeros(d.shape, np.float32)
    for a, b in zip(*np.triu_indices(c.shape[0], 1)):
        ab = c[b] - c[a]
        t = np.clip((x - c[a]) @ ab / (ab @ ab), 0.0, 1.0)
        o = np.linalg.norm(x - c[a] - t[..., None] * ab, axis=-1)
        closer = o < off
        off[closer], share[:, closer] = o[closer], 0.0
        share[a, closer], share[b, closer] = 1.0 - t[closer], t[closer]
    blend = (d.min(axis=0) > tolerance) & (off <= tolerance)
    return np.where(blend[None], share, hard)

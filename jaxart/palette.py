"""The colours a region mask holds, counted a block of pixels at a time, and the words guided.py's
refusals use for them: #rrggbb, the commonest, the one to give instead of a colour that matched nothing."""

from __future__ import annotations

import numpy as np


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
    return f" ({name} is {value})", f"; for its {other} give --region-style '{other}'=PAINTING"


def commonest(colours: tuple[np.ndarray, np.ndarray], top: int = 4) -> str:
    """The `top` commonest colours of a mask's `colour_counts`, as #rrggbb with their share of pixels."""
    keys, counts = colours
    order = np.argsort(-counts)[:top]
    return ", ".join(f"#{keys[i]:06x} ({counts[i] / counts.sum():.0%})" for i in order)


def colour_counts(mask: np.ndarray, skip: np.ndarray | None, block: int) -> tuple[np.ndarray, np.ndarray]:
    """The colours of an (H, W, 3) mask in [0, 1], as sorted 0xRRGGBB keys, and how many pixels have
    each, leaving out the (H, W) `skip` pixels (None: none). Counted `block` pixels at a time, as
    guided.py matches a mask: np.unique of a 12-megapixel mask's unmatched pixels, as rows, took
    about 300 MiB more. The blocks' counts are merged once they hold more than a block's worth, so
    they take the room of the mask's distinct colours and a block's."""
    H, W = mask.shape[:2]
    rows = max(1, block // W)
    keys, counts, pending = np.zeros(0, np.uint32), np.zeros(0, np.int64), []
    for i in range(0, H, rows):
        q = (mask[i : i + rows] * 255 + 0.5).astype(np.uint8).astype(np.uint32)
        k = (q[..., 0] << 16) | (q[..., 1] << 8) | q[..., 2]
        pending.append(np.unique(k if skip is None else k[~skip[i : i + rows]], return_counts=True))
        if sum(len(p[0]) for p in pending) > block or i + rows >= H:
            keys, where = np.unique(np.concatenate([keys, *(p[0] for p in pending)]), return_inverse=True)
            counts = np.bincount(where, np.concatenate([counts, *(p[1] for p in pending)]), len(keys))
            counts, pending = counts.astype(np.int64), []
    return keys, counts

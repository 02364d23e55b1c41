"""Pictures over Pillow's pixel limit (`Image.MAX_IMAGE_PIXELS`, 89 megapixels, its guard against
decompression bombs), read at bounded memory. Scans of paintings run far over it (Google Art Project
ones on Wikimedia Commons are 20000-30000 px a side, 400-700 megapixels) while a run needs a few
thousand pixels at most: a JPEG is decoded at 1/2, 1/4 or 1/8 scale (`Image.draft`, in libjpeg itself),
no smaller than the run needs; another format, which Pillow decodes whole, only where the memory free
holds it.

image.py opens and decodes the files; these decide how, from the header alone.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from jaxart.errors import InputError

# Peak RSS of load_image on a 12-megapixel PNG, above what it started from: 19 bytes a pixel for RGB,
# 28 for RGBA (composited over the background), 33 for 16-bit grey (scaled through float64); each
# ends as the 12 of the float32 RGB it returns. 36 bounds them.
DECODE_BYTES = 36


def host_bytes() -> int:
    """Memory free on this machine (MemAvailable), where files are decoded."""
    try:
        with open("/proc/meminfo") as f:
            info = dict(line.split(":", 1) for line in f)
        return int(info["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def gib(n: float) -> str:
    """Bytes as "12.3 GiB", or "1.9e+16 GiB" where the figure would run to many digits."""
    n /= 2**30
    return f"{n:.1f} GiB" if n < 10_000 else f"{n:.2g} GiB"


@contextlib.contextmanager
def lifted() -> Iterator[None]:
    """Pillow's limit off while a file over it opens and decodes: Pillow takes no limit per call, so
    its global one is set aside for that long, and `bound` applies jaxart's instead (not thread-safe)."""
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def bound(img: Image.Image, path: Path, least: int | None, limit: int) -> None:
    """Make `img`, opened but not decoded, over `limit` pixels, safe to decode, or raise an InputError.

    A JPEG is set to decode at the smallest of 1/2, 1/4, 1/8 scale whose long side is still `least`
    pixels or more, or, with `least` None, the largest under `limit`. What is still over `limit`
    decodes whole if `DECODE_BYTES` a pixel fit in the memory free (`host_bytes`).
    """
    w, h = img.size
    if img.format == "JPEG":
        img.draft(img.mode, _draft_request(w, h, least, limit))
        w, h = img.size
    if w * h <= limit:
        return
    need, free = w * h * DECODE_BYTES, host_bytes()
    if need > free:
        side = math.isqrt(max(free // DECODE_BYTES, limit))
        raise InputError(
            f"{path} is {w}x{h} pixels ({w * h / 1e6:.0f} megapixels); decoding it whole takes about {gib(need)} "
            f"but only {gib(free)} is free; save a smaller copy, as a JPEG (which jaxart decodes at 1/2 to 1/8 "
            f"scale) or with at most {side}x{side} pixels")


def _draft_request(w: int, h: int, least: int | None, limit: int) -> tuple[int, int]:
    """The (width, height) to ask `Image.draft` for, which takes the largest scale that stays above it."""
    if least is not None:
        long = max(w, h)
        return max(1, math.ceil(w * least / long)), max(1, math.ceil(h * least / long))
    s = next((s for s in (2, 4, 8) if -(-w // s) * -(-h // s) <= limit), 8)
    return w // s, h // s

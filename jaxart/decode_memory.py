"""What decoding a picture costs for a moment, beyond the float32 RGB it leaves, read from its header.

`image.load_image` holds Pillow's decoded image, the copies its conversion to 8-bit RGB makes (an alpha band
composited over the background, 16-bit and float grey scaled through float64, an ICC profile applied) and the
float32 array made of them; once it returns, only that array's 12 bytes a pixel remain. The CLI decodes a run's files
before anything else is large, so for a huge photo that moment can be a run's peak (`footprint.decoding_bytes`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

from PIL import Image

# Peak RSS of load_image, over what the process held before it, per pixel decoded: 4000x3000 files made by Pillow
# (2026-12-07, BENCHMARKS.md, "Decoding in the dry run's figure"), rounded up. RGB, L, P (with a tRNS key too) and 1
# took 19.0-19.1 bytes; RGBA, LA and an RGB tRNS key 28.1; 16-bit grey 33.1 (33.0 at 108 megapixels); 32-bit int
# grey 37.1; float grey 46.1.
PIXEL_BYTES = {"8-bit": 20, "alpha": 29, "16-bit": 35, "32-bit": 38, "float": 47}
# One more RGB copy: an ICC profile's conversion to sRGB, CMYK's or YCbCr's to RGB, a progressive JPEG's second
# decode (jpeg_cut): 23.1 bytes for such RGB files, 32.1 for RGBA with a profile, 34.1 for 16-bit grey with one.
CONVERTED = 4
# What a file whose header Pillow cannot read counts (load_image refuses it): the most a header gives.
MOST = max(PIXEL_BYTES.values()) + CONVERTED


def kind(img: Image.Image) -> str:
    """The key of `PIXEL_BYTES` that the opened, undecoded `img`'s mode and transparency give."""
    if img.mode == "F":
        return "float"
    if img.mode == "I":
        return "32-bit"
    if img.mode.startswith("I;"):
        return "16-bit"
    # A palette's transparency is composited through 4-byte RGBA no larger than RGB's peak.
    return "alpha" if img.has_transparency_data and img.mode != "P" else "8-bit"


def converted(img: Image.Image) -> bool:
    """Whether decoding `img` makes one more RGB copy (`CONVERTED`): a profile, CMYK or YCbCr, or progressive."""
    return bool(img.info.get("icc_profile")) or img.mode in ("CMYK", "YCbCr") or bool(img.info.get("progressive"))


def held(img: Image.Image) -> int:
    """The bytes a pixel decoding the opened, undecoded `img` holds at its peak: what the dry run counts, and what
    `pixel_limit.bound` asks of the memory free before it decodes a picture over Pillow's limit whole."""
    return PIXEL_BYTES[kind(img)] + CONVERTED * converted(img)


def pixel_bytes(path: str | Path) -> int:
    """`held` for the picture at `path`, from its header (nothing decoded); `MOST` for a file whose header Pillow
    cannot read."""
    return decoded(path)[1]


def decoded(path: str | Path,
            least: int | Callable[[tuple[int, int]], int] | None = None) -> tuple[tuple[int, int] | None, int]:
    """The (height, width) `load_image(path, least=least)` decodes the picture at `path` to (a JPEG over Pillow's
    limit at 1/2 to 1/8 scale, EXIF orientation aside) and `held`, from its header (nothing decoded); None and
    `MOST` for a file whose header Pillow cannot read."""
    from jaxart import pixel_limit  # it imports this module

    if not Path(path).is_file():  # a FIFO would block Image.open
        return None, MOST
    limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings(), pixel_limit.lifted():
            warnings.simplefilter("ignore")  # a damaged EXIF block, a large picture: load_image decides
            with Image.open(path) as img:
                if limit is not None:
                    pixel_limit.drafted(img, least, limit)
                return (img.height, img.width), held(img)
    except Exception:  # noqa: BLE001 - whatever is wrong with it, load_image says so in its one line
        return None, MOST

"""What decoding a picture costs for a moment, beyond the float32 RGB it leaves, read from its header.

`image.load_image` holds Pillow's decoded image, the copies its conversion to 8-bit RGB makes (an alpha band
composited over the background, 16-bit and float grey scaled through float64, an ICC profile applied) and the
float32 array made of them; once it returns, only that array's 12 bytes a pixel remain. The CLI decodes a run's files
before anything else is large, so for a huge photo that moment can be a run's peak (`decoding_bytes`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image

from jaxart import deep_samples, modes, png_gamma

# Peak RSS of load_image, over what the process held before it, per pixel decoded: 4000x3000 files made by Pillow
# (2026-12-07, BENCHMARKS.md, "Decoding in the dry run's figure"), rounded up. RGB, L, P (with a tRNS key too) and 1
# took 19.0-19.1 bytes; RGBA, LA and an RGB tRNS key 28.1; 32-bit int grey 37.1; float grey 46.1. Read at 16 bits
# (deep_samples; random pixels, peak RSS in a fresh process, 2-core AMD EPYC (Zen 5)): 16-bit RGB PNG and TIFF 30.0,
# RGBA PNG 36.0 (2026-12-07 22:54 UTC); 16-bit grey PNG 20.0 at 12 megapixels, 18.0 at 24 (23:28 UTC; 33.1 at 8 bits).
PIXEL_BYTES = {"8-bit": 20, "alpha": 29, "16-bit": 21, "32-bit": 38, "float": 47, "16-bit RGB": 31, "16-bit RGBA": 37}
# One more RGB copy: an ICC profile's conversion to sRGB, CMYK's or YCbCr's to RGB, a progressive JPEG's second
# decode (jpeg_cut): 23.1 bytes for such RGB files, 32.1 for RGBA with a profile, 34.1 for 16-bit grey with one.
CONVERTED = 4
# What a file whose header Pillow cannot read counts (load_image refuses it): the most a header gives.
MOST = max(PIXEL_BYTES.values()) + CONVERTED
DECODE_BASE = 64 * 2**20  # the CLI decodes before JAX starts (unless XLA_FLAGS starts it first), holding 37-44 MiB


def kind(img: Image.Image) -> str:
    """The key of `PIXEL_BYTES` that the opened, undecoded `img`'s mode and transparency give."""
    if img.mode == "F":
        return "float"
    if img.mode == "I":
        return "32-bit"
    if img.mode.startswith("I;"):
        return "16-bit"
    if deep_samples.taken(img, modes.rawmode(img)):
        return f"16-bit {img.mode}"
    # A palette's transparency is composited through 4-byte RGBA no larger than RGB's peak.
    return "alpha" if img.has_transparency_data and img.mode != "P" else "8-bit"


def converted(img: Image.Image) -> bool:
    """Whether decoding `img` makes one more RGB copy (`CONVERTED`): a profile (a PNG's gAMA too), CMYK or YCbCr, or
    progressive."""
    return (bool(img.info.get("icc_profile") or png_gamma.profile(img)) or img.mode in ("CMYK", "YCbCr")
            or bool(img.info.get("progressive")))


def held(img: Image.Image) -> int:
    """The bytes a pixel decoding the opened, undecoded `img` holds at its peak: what the dry run counts, and what
    `pixel_limit.bound` asks of the memory free before it decodes a picture over Pillow's limit whole."""
    return PIXEL_BYTES[kind(img)] + CONVERTED * converted(img)


def pixel_bytes(path: str | Path) -> int:
    """`held` for the picture at `path`, from its header (nothing decoded); `MOST` for a file whose header Pillow
    cannot read."""
    return from_header(path)[1]


def from_header(path: str | Path,
                least: int | Callable[[tuple[int, int]], int] | None = None) -> tuple[tuple[int, int] | None, int]:
    """The (height, width) `load_image(path, least=least)` decodes the picture at `path` to (a JPEG over Pillow's
    limit at 1/2 to 1/8 scale, EXIF orientation aside) and `held`, from its header (nothing decoded); None and
    `MOST` for a file whose header Pillow cannot read."""
    found = _header(path, least)
    return (None, MOST) if found is None else found[:2]


def oriented_shape(path: str | Path,
                   least: int | Callable[[tuple[int, int]], int] | None = None) -> tuple[int, int] | None:
    """The (height, width) `load_image(path, least=least)` gives the picture at `path` before resizing, EXIF
    orientation applied, from its header (nothing decoded); None for a file whose header Pillow cannot read."""
    found = _header(path, least)
    return None if found is None else found[0][::-1] if found[2] else found[0]


def _header(path: str | Path, least: int | Callable[[tuple[int, int]], int] | None) \
        -> tuple[tuple[int, int], int, bool] | None:
    """`from_header`'s shape and `held`, and whether its EXIF orientation turns it a quarter; None where Pillow cannot
    read its header."""
    from jaxart import pixel_limit  # it imports this module

    if not Path(path).is_file():  # a FIFO would block Image.open
        return None
    limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings(), pixel_limit.lifted():
            warnings.simplefilter("ignore")  # a damaged EXIF block, a large picture: load_image decides
            with Image.open(path) as img:
                if limit is not None:
                    pixel_limit.draft(img, least, limit)
                return (img.height, img.width), held(img), pixel_limit.quarter_turned(img)
    except Exception:  # noqa: BLE001 - whatever is wrong with it, load_image says so in its one line
        return None


def decoding_bytes(files: Sequence[tuple[tuple[int, int], int]]) -> int:
    """Peak bytes as a run's files are decoded in turn (the photo, then each painting), each given as the (height,
    width) it decodes to and the bytes a pixel decoding it holds (`pixel_bytes`): those decoded before
    it held at `INPUT_BYTES`, beside what the process held before (`DECODE_BASE`); nothing loaded or compiled yet."""
    from jaxart.footprint import INPUT_BYTES  # footprint imports image, which imports this (pixel_limit)

    kept, peak = 0, 0
    for (h, w), per_pixel in files:
        peak = max(peak, kept + per_pixel * h * w)
        kept += INPUT_BYTES * h * w
    return DECODE_BASE + peak


def init_bytes(files: Sequence[tuple[int, int]], init: tuple[tuple[int, int], int]) -> int:
    """Peak bytes as the run decodes an `--init` image (`inputs.initial_image`), given as a file in `decoding_bytes`:
    after the files of these (height, width) shapes, held at `INPUT_BYTES`, and Python, jaxlib and the weights."""
    from jaxart.footprint import INPUT_BYTES, LOADED_BYTES

    (h, w), per_pixel = init
    return LOADED_BYTES + INPUT_BYTES * sum(a * b for a, b in files) + per_pixel * h * w


def init_peak(init: str | Path | None, files: Sequence[tuple[int, int]]) -> tuple[tuple[int, int] | None, int]:
    """The (height, width) an `--init` image file at `init` decodes to, stretched over the photo (`files[0]`), and
    the peak bytes as the run decodes it beside `files` (`init_bytes`), from its header; None and 0 for no file (None,
    "content", "random") or one whose header Pillow cannot read (the run says what is wrong with it)."""
    from jaxart.config import INITS
    from jaxart.image import covering  # image imports pixel_limit, which imports this

    if init is None or init in INITS:
        return None, 0
    shape, per_pixel = from_header(init, covering(files[0]))
    return (None, 0) if shape is None else (shape, init_bytes(files, (shape, per_pixel)))


def alpha_peak(content: str | Path | None, files: Sequence[tuple[int, int]],
               least: int | None = None) -> tuple[tuple[int, int] | None, int]:
    """The (height, width) the photo file at `content` decodes to and the peak bytes as the run decodes it again for its
    alpha (`transparency.photo_alpha`), once `files` (the photo, then the paintings) are held and the weights loaded:
    the rule of an `--init` image (`init_bytes`); None and 0 for no file, or one without transparency."""
    from jaxart.input_files import transparent  # it imports image, which imports pixel_limit, which imports this

    if content is None or not Path(content).is_file() or not transparent(Path(content)):
        return None, 0
    shape, per_pixel = from_header(content, least)
    return (None, 0) if shape is None else (shape, init_bytes(files, (shape, per_pixel)))

"""Pictures over Pillow's pixel limit (`Image.MAX_IMAGE_PIXELS`, 89 megapixels, its guard against
decompression bombs), read at bounded memory. Scans of paintings run far over it (Google Art Project
ones on Wikimedia Commons are 20000-30000 px a side, 400-700 megapixels) while a run needs a few
thousand pixels at most: a JPEG is decoded at 1/2, 1/4 or 1/8 scale (`Image.draft`, in libjpeg itself),
no smaller than the run needs; another format, which Pillow decodes whole, only where the memory free
holds it.

decode.py opens and decodes the files; these decide how, from the header alone (`opened` opens one for `jaxart
info`, which reads a record but may decode to find it).
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path

from PIL import ExifTags, Image

from jaxart import cgroup_memory, decode_memory
from jaxart.byte_sizes import amount
from jaxart.errors import InputError

# The long side a picture will be resized to, or a function giving it for the (height, width) it decodes to.
Least = int | Callable[[tuple[int, int]], int] | None


def host_bytes() -> int:
    """Memory free on this machine (MemAvailable), where files are decoded; less where a container's memory limit
    leaves less (`cgroup_memory`)."""
    try:
        with open("/proc/meminfo") as f:
            info = dict(line.split(":", 1) for line in f)
        machine = int(info["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        machine = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    contained = cgroup_memory.free_bytes()
    return machine if contained is None else min(machine, contained)


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


def bomb(path: Path) -> str:
    """Why the picture at `path`, with a frame or tile over Pillow's pixel limit, is not read: stylize's and info's
    line."""
    return (f"{path} has a frame or tile of more than {Image.MAX_IMAGE_PIXELS} pixels, Pillow's limit against "
            "decompression bombs; save its first frame as a PNG or JPEG")


def opened(path: Path) -> Image.Image:
    """The picture at `path` opened (its header read, not decoded) for a reader that may decode it whole, as
    `load_image` would: one over Pillow's limit only if `bound` lets it decode here, else `bound`'s InputError
    (a frame or tile over it: `bomb`'s). The caller closes it."""
    limit = Image.MAX_IMAGE_PIXELS
    try:
        return Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        with lifted():
            img = Image.open(path)
    try:
        if limit is None or img.width * img.height <= limit:
            raise InputError(bomb(path))
        bound(img, path, None, limit)
    except InputError:
        img.close()
        raise
    return img


def bound(img: Image.Image, path: Path, least: Least, limit: int) -> None:
    """Make `img`, opened but not decoded, over `limit` pixels, safe to decode, or raise an InputError.

    A JPEG is set to decode at the smallest of 1/2, 1/4, 1/8 scale whose long side is still `least` pixels or
    more (`least` may be a function of the (height, width) it would decode to, EXIF orientation applied), or,
    with `least` None, the largest under `limit`. What is still over `limit` decodes whole if the bytes a pixel
    its header's mode takes (`decode_memory.held`, as the dry run counts it) fit in the memory free (`host_bytes`).
    """
    draft(img, least, limit)
    w, h = img.size
    if w * h <= limit:
        return
    per = decode_memory.held(img)
    need, free = w * h * per, host_bytes()
    if need > free:
        side = math.isqrt(free // per)  # a copy under `limit` is decoded whole, unasked: it must fit too
        raise InputError(
            f"{path} is {w}x{h} pixels ({w * h / 1e6:.0f} megapixels); decoding it whole takes about {amount(need)} "
            f"but only {amount(free)} is free; save a smaller copy, as a JPEG (which jaxart decodes at 1/2 to 1/8 "
            f"scale) or with at most {side}x{side} pixels")


def draft(img: Image.Image, least: Least, limit: int) -> None:
    """Set `img`, an opened JPEG over `limit` pixels, to decode at the scale `bound` chooses (its `size` then the
    shape it decodes to); another picture, or one under `limit`, as it is."""
    w, h = img.size
    if img.format == "JPEG" and w * h > limit:
        s = _draft_scale(img, least, limit)
        img.draft(img.mode, (max(1, w // s), max(1, h // s)))  # which Pillow takes as scale s


def _draft_scale(img: Image.Image, least: Least, limit: int) -> int:
    """1, 2, 4 or 8: how much `bound` shrinks a JPEG (libjpeg decodes it at ceil(w / s) x ceil(h / s))."""
    w, h = img.size
    shrunk = lambda s: (-(-w // s), -(-h // s))  # noqa: E731
    if least is None:
        return next((s for s in (2, 4, 8) if math.prod(shrunk(s)) <= limit), 8)
    need = least if callable(least) else lambda shape: least  # noqa: E731
    turned = quarter_turned(img)  # a quarter turn swaps the sides
    # Asked of the very shape each scale decodes to, which is what the caller will resize: a panorama's
    # painting needs a longer side than `--size x --style-scale` (image.painting_side), and a scale rounds sides up.
    enough = lambda sw, sh: max(sw, sh) >= need((sw, sh) if turned else (sh, sw))  # noqa: E731
    return next((s for s in (8, 4, 2) if enough(*shrunk(s))), 1)


def quarter_turned(img: Image.Image) -> bool:
    """Whether the opened, undecoded `img`'s EXIF orientation turns it a quarter (5-8) from its `size`, as `load_image`
    applies it (`getexif`'s, an XMP orientation too). A PNG's eXIf chunk after the pixels, which Pillow would decode
    the picture to find, is found by skipping the chunks before it (`_png_exif`) and kept in `img.info`, where Pillow
    keeps it once decoded. A TIFF's `size` is turned already (Pillow's TIFF plugin orients it as
    it opens it; `input_files.photo_shape`): turned again, a 60x40 TIFF at orientation 6 read as 60x40, not 40x60."""
    if img.format == "TIFF":
        return False
    if img.format == "PNG" and "exif" not in img.info:  # else getexif decodes it (an XMP orientation is still read)
        if not getattr(img, "filename", ""):
            return False
        img.info["exif"] = _png_exif(img.filename) or None
    return img.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8)


def _png_exif(path: str | os.PathLike) -> bytes:
    """The EXIF block of the PNG at `path`'s eXIf chunk, wherever it comes, as Pillow keeps it (b"" for none): its
    chunks' headers read, their data skipped."""
    with open(path, "rb") as f:
        f.seek(8)  # the signature
        while len(head := f.read(8)) == 8:
            size, kind = struct.unpack(">I4s", head)
            if kind == b"eXIf":
                return b"Exif\x00\x00" + f.read(size)
            if kind == b"IEND":
                break
            f.seek(size + 4, os.SEEK_CUR)  # the data and its CRC
    return b""

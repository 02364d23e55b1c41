"""Image I/O with Pillow: load any mode as RGB in [0, 1], resize, save PNG/TIFF with a run record.

Every problem with an input file is an `InputError` whose message is one line saying what is
wrong and what to do; nothing else escapes `load_image` for a bad file.
"""

from __future__ import annotations

import json
import os
import secrets
import struct
import warnings
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from jaxart.errors import InputError

RECORD_KEY = "jaxart"
MIN_SIDE = 2  # one pixel has no texture to match, and VGG's pooling needs something to pool
WHITE = (255, 255, 255)
FORMATS = ("png", "png16", "tiff")  # 8-bit PNG, 16-bit PNG, 16-bit TIFF
SUFFIXES = {"png": (".png",), "png16": (".png",), "tiff": (".tif", ".tiff")}


def _error(message: str) -> InputError:
    # Pillow's messages (and odd file names) can hold line breaks; the CLI prints one line.
    return InputError(" ".join(message.splitlines()))


def _detail(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def _to_l(img: Image.Image) -> Image.Image:
    """32-bit int, 16-bit and float grey pixels as 8-bit L with their full range kept."""
    a = np.asarray(img, np.float64)
    if img.mode == "F":
        # Float files are conventionally [0, 1]; Pillow's own F images are [0, 255].
        finite = a[np.isfinite(a)]
        top = 1.0 if finite.size == 0 or finite.max() <= 1.0 else 255.0
    else:
        # Pillow puts 16-bit samples (PNG, TIFF, PGM) in I;16* and I, always scaled to 0..65535;
        # its own I -> L conversion clips at 255 instead, which turns them white.
        top = 65535.0
    a = np.nan_to_num(a / top, nan=0.0, posinf=1.0, neginf=0.0)
    return Image.fromarray((np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))


def _to_rgb(img: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    """Any Pillow mode as 8-bit RGB, transparency composited over `background`."""
    if img.mode in ("I", "F") or img.mode.startswith("I;"):
        img = _to_l(img)
    elif img.mode == "La":  # premultiplied; Pillow converts it to nothing but LA
        img = img.convert("LA")
    if img.has_transparency_data:  # alpha band, palette alpha, or a tRNS colour key
        rgba = img.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (*background, 255))
        return Image.alpha_composite(base, rgba).convert("RGB")
    return img.convert("RGB")  # also inverts CMYK and converts YCbCr, 1, L, P


def _check_background(background: Sequence[int]) -> tuple[int, int, int]:
    rgb = tuple(background)
    if len(rgb) != 3 or not all(isinstance(v, (int, np.integer)) and 0 <= v <= 255 for v in rgb):
        raise InputError(f"background must be three integers 0..255 (r, g, b), got {background!r}")
    return tuple(int(v) for v in rgb)


def _decode(p: Path, background: tuple[int, int, int]) -> Image.Image:
    """Open, decode, orient and convert one file to RGB, or raise a one-line InputError."""
    if not p.exists():
        raise _error(f"{p} does not exist; check the path and the current folder")
    if p.is_dir():
        raise _error(f"{p} is a folder, not an image; give the path of an image file")
    if not p.is_file():  # a FIFO or device would block or stream forever
        raise _error(f"{p} is not a regular file; give the path of an image file")
    if p.stat().st_size == 0:
        raise _error(f"{p} is empty (0 bytes); re-export or re-download the image")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x its pixel limit; either way it is not a photo.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(p) as opened:
                img = ImageOps.exif_transpose(opened)  # decodes the first frame
    except PermissionError as e:
        raise _error(f"{p} cannot be read ({e.strerror}); check its permissions") from None
    except UnidentifiedImageError:
        raise _error(f"{p} is not in an image format Pillow can read; convert it to PNG or JPEG") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _error(
            f"{p} has more than {Image.MAX_IMAGE_PIXELS} pixels, Pillow's limit against "
            "decompression bombs; downscale it first"
        ) from None
    except MemoryError:
        raise _error(f"{p} is too large to decode in the memory available; downscale it first") from None
    except Exception as e:  # noqa: BLE001 - format plugins raise OSError, SyntaxError, struct.error, ...
        raise _error(f"{p} is damaged or truncated ({_detail(e)}); re-export or re-download it") from None
    if min(img.size) < MIN_SIDE:
        raise _error(f"{p} is {img.width}x{img.height} pixels; use an image at least {MIN_SIDE}x{MIN_SIDE}")
    try:
        return _to_rgb(img, background)
    except (ValueError, OSError) as e:  # modes Pillow cannot convert, such as LAB
        raise _error(
            f"{p} has {img.mode} pixels, which cannot be converted to RGB ({_detail(e)}); "
            "save it as an 8-bit RGB PNG or JPEG"
        ) from None


def load_image(
    path: str | os.PathLike, size: int | None = None, *, background: Sequence[int] = WHITE
) -> np.ndarray:
    """Read an image file as an (H, W, 3) float32 RGB array in [0, 1].

    Any file Pillow reads works (the first frame of an animation): EXIF orientation is
    applied, transparency is composited over `background`, CMYK is inverted, 16-bit and
    32-bit integer samples are read on a 0..65535 scale, float samples on [0, 1] (or [0, 255]
    when some exceed 1).

    Args:
      path: the image file.
      size: if given, resize (Lanczos) so that the longer side is `size` pixels.
      background: the 8-bit (r, g, b) colour behind transparent pixels.

    Returns:
      An (H, W, 3) float32 array with values in [0, 1].

    Raises:
      InputError: the path is missing, a folder, empty, not an image, damaged or truncated,
        over Pillow's decompression-bomb limit, or smaller than 2x2 pixels. The message is
        one line.
    """
    rgb = _decode(Path(path), _check_background(background))
    if size is not None:
        rgb = resize(rgb, size)
    return np.asarray(rgb, np.float32) / 255.0


def resize(img: Image.Image | np.ndarray, size: int) -> Image.Image:
    """Resize (Lanczos) so that the longer side is `size` pixels, keeping the aspect ratio.

    Args:
      img: a Pillow image, or an (H, W, 3) array in [0, 1].
      size: the longer side of the result, in pixels (at least 1).

    Returns:
      A Pillow image; `img` itself (converted to 8-bit) when it already has that size.
    """
    if size < 1:
        raise InputError(f"size must be at least 1 pixel, got {size}")
    if isinstance(img, np.ndarray):
        img = Image.fromarray(to_uint8(img))
    w, h = img.size
    scale = size / max(w, h)
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    return img if new == (w, h) else img.resize(new, Image.Resampling.LANCZOS)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Floats in [0, 1] to uint8 of the same shape, rounding and clipping; NaN becomes 0."""
    x = np.nan_to_num(np.asarray(image, np.float32), nan=0.0)
    return (np.clip(x, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def to_uint16(image: np.ndarray) -> np.ndarray:
    """Floats in [0, 1] to uint16 of the same shape, rounding and clipping; NaN becomes 0."""
    x = np.nan_to_num(np.asarray(image, np.float64), nan=0.0)
    return (np.clip(x, 0.0, 1.0) * 65535.0 + 0.5).astype(np.uint16)


def save_png(path: str | os.PathLike, image: np.ndarray, record: dict | None = None) -> Path:
    """Write an image as an 8-bit PNG atomically, with `record` as a JSON text chunk.

    The PNG is written to a temporary file beside `path` and renamed over it, so `path` is
    either the old file or the complete new one, and no temporary file is left on failure.

    Args:
      path: the PNG to write (replaced if it exists).
      image: an (H, W, 3) array in [0, 1]; values outside are clipped.
      record: JSON-serialisable run record, read back by `read_record`.

    Returns:
      `path` as a Path.
    """
    return save_image(path, image, record, "png")


def save_image(path: str | os.PathLike, image: np.ndarray, record: dict | None = None,
               fmt: str = "png") -> Path:
    """Write an image atomically as `fmt` (see FORMATS), with `record` embedded as JSON.

    "png" is 8-bit with a text chunk; "png16" a 16-bit PNG with a text chunk; "tiff" an
    uncompressed 16-bit TIFF with the record in its ImageDescription tag. Pillow writes no
    16-bit RGB, so those two are encoded here; Pillow reads both (as 8-bit RGB).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    path, x = Path(path), np.asarray(image)
    if x.ndim != 3 or x.shape[-1] != 3 or 0 in x.shape:
        raise ValueError(f"save_image needs an (H, W, 3) image, got shape {x.shape}")
    text = None if record is None else json.dumps(record, sort_keys=True)  # ASCII: fits tEXt
    if fmt == "png":
        info = PngImagePlugin.PngInfo()
        if text is not None:
            info.add_text(RECORD_KEY, text)
        write = lambda f: Image.fromarray(to_uint8(x)).save(f, format="PNG", pnginfo=info)
    elif fmt == "png16":
        write = lambda f: f.write(_png16(to_uint16(x), text))
    else:
        write = lambda f: f.write(_tiff16(to_uint16(x), text))
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    # Not mkstemp: its files are 0600. Mode 0666 lets the umask give the usual permissions;
    # O_EXCL keeps two writers from sharing a temporary file.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _png16(pixels: np.ndarray, text: str | None) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    h, w, _ = pixels.shape
    rows = np.concatenate([np.zeros((h, 1), np.uint8), pixels.astype(">u2").view(np.uint8).reshape(h, -1)], 1)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
    if text is not None:
        out += chunk(b"tEXt", RECORD_KEY.encode() + b"\0" + text.encode("latin-1"))
    return out + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b"")


def _tiff16(pixels: np.ndarray, text: str | None) -> bytes:
    h, w, _ = pixels.shape
    desc = (text or "").encode("ascii") + b"\0"
    data = pixels.astype("<u2").tobytes()
    bits_at, desc_at = 8, 14  # 3 x SHORT BitsPerSample, then the description, then the pixels
    data_at = desc_at + len(desc)
    tags = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, 3, bits_at), (259, 3, 1, 1), (262, 3, 1, 2),
            (270, 2, len(desc), desc_at), (273, 4, 1, data_at), (277, 3, 1, 3), (278, 4, 1, h),
            (279, 4, 1, len(data)), (284, 3, 1, 1)]
    ifd_at = data_at + len(data) + (data_at + len(data)) % 2
    head = b"II*\0" + struct.pack("<I", ifd_at) + struct.pack("<3H", 16, 16, 16) + desc + data
    head += b"\0" * (ifd_at - len(head))
    ifd = struct.pack("<H", len(tags))
    for tag, kind, count, value in tags:
        packed = struct.pack("<H", value) + b"\0\0" if kind == 3 and count == 1 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    return head + ifd + struct.pack("<I", 0)


def read_record(path: str | os.PathLike) -> dict:
    """The run record a jaxart PNG carries, as written by `save_png`.

    Raises:
      InputError: the file is missing or unreadable, or holds no valid jaxart record.
    """
    try:
        with Image.open(path) as img:
            text = getattr(img, "text", {}).get(RECORD_KEY)
            if text is None and img.format == "TIFF":
                text = img.tag_v2.get(270)  # ImageDescription
    except Exception as e:  # noqa: BLE001 - any unreadable file is a bad input here
        raise _error(f"{path} could not be read as an image ({_detail(e)}); give a PNG jaxart wrote") from None
    if text is None:
        raise _error(f"{path} has no jaxart run record; was it written by jaxart?")
    try:
        record = json.loads(text)
    except ValueError as e:
        raise _error(f"{path} has a damaged jaxart run record ({e}); re-run to write a new one") from None
    if not isinstance(record, dict):
        raise _error(f"{path} has a jaxart run record that is not a JSON object; re-run to write a new one")
    return record

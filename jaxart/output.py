"""Writing results: 8-bit PNG, 16-bit PNG or 16-bit TIFF, atomically, with the run record
embedded as JSON; and reading that record back (`jaxart info`)."""

from __future__ import annotations

import json
import os
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

from jaxart.errors import InputError, describe
from jaxart.files import check_path, replacing
from jaxart.layers import check_pixels, host_array
from jaxart.paths import as_path

RECORD_KEY = "jaxart"
SOFTWARE = b"jaxart\0"  # a TIFF's Software tag: its ImageDescription is the run record
FORMATS = ("png", "png16", "tiff")  # 8-bit PNG, 16-bit PNG, 16-bit TIFF
SUFFIXES = {"png": (".png",), "png16": (".png",), "tiff": (".tif", ".tiff")}


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Floats in [0, 1] to uint8 of the same shape, rounding and clipping; NaN becomes 0."""
    x = np.nan_to_num(np.asarray(image, np.float32), nan=0.0)
    return (np.clip(x, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def choose_format(fmt: str | None, path: str | os.PathLike | None, default: str = "png") -> str:
    """The format to write `path` in: `fmt` (an explicit --format) if given; else `default` if
    `path` is None or its suffix fits it (.png for png16 too); else the one its suffix names
    (.png: png, .tif or .tiff: tiff).

    Raises:
      InputError: no `fmt`, and `path` is a folder or has no suffix (`check_file_name`), or its
        suffix names none of the FORMATS.
    """
    if fmt is not None or path is None:
        return fmt or default
    check_file_name(path, default, note=" (jaxart writes PNG, .png, and TIFF, .tif or .tiff)")
    suffix = Path(path).suffix.lower()
    named = [f for f in (default, *FORMATS) if suffix in SUFFIXES[f]]
    if not named:
        raise InputError(f"output {path} ends in {suffix}; jaxart writes PNG (.png, --format png or png16) and TIFF "
                         "(.tif or .tiff, --format tiff): choose an --output ending in one of those")
    return named[0]


def check_file_name(path: str | os.PathLike, fmt: str = "png", *, what: str = "output", name: str = "out",
                    note: str = "") -> None:
    """Refuse an output `path` that is an existing folder or has no suffix, advising a file named for
    `fmt` (`name` + its suffix) in it. The folder is judged first: a folder's name seldom has a
    suffix, and that is not what is wrong. A name without a suffix is often a folder to write into
    whose trailing slash Path() dropped (`-o newdir/`). `what` and `note` frame the no-suffix message.

    Raises:
      InputError: `path` is a folder or has no suffix.
    """
    suffix = SUFFIXES[fmt][0]
    if os.path.isdir(path):  # os.path's: False, not an OSError, for a name too long to look at
        raise InputError(f"{what} {path} is a folder; give a file name in it, such as {Path(path) / (name + suffix)}")
    if Path(path).name.lower() in {s for f in FORMATS for s in SUFFIXES[f]}:  # `-o "$NAME.png"`, NAME empty
        raise InputError(f"{what} {path} is a suffix without a name; give a file name such as "
                         f"{Path(path).with_name(name + Path(path).name)}")
    if not Path(path).suffix:
        raise InputError(f"{what} {path} has no suffix; give a file name such as {path}{suffix}, or "
                         f"{Path(path) / (name + suffix)} to write into a folder {Path(path).name}{note}")


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
      image: an (H, W, 3) float array in [0, 1]; values outside are clipped, integers refused.
      record: JSON-serialisable run record, read back by `read_record`.

    Returns:
      `path` as a Path.
    """
    return save_image(path, image, record, "png")


def save_image(path: str | os.PathLike, image: np.ndarray, record: dict | None = None,
               fmt: str | None = None, *, overwrite: bool = True) -> Path:
    """Write an image atomically as `fmt` (see FORMATS), with `record` embedded as JSON.

    "png" is 8-bit with a text chunk; "png16" a 16-bit PNG with a text chunk; "tiff" an
    uncompressed 16-bit TIFF with the record in its ImageDescription tag. Pillow writes no
    16-bit RGB, so those two are encoded here; Pillow reads both (as 8-bit RGB). Without
    `overwrite`, a file that appeared at `path` since the caller checked is kept (`files.replacing`).

    Args:
      path: the file to write (replaced if it exists, unless `overwrite` is False).
      image: an (H, W, 3) float array (NumPy, JAX or nested lists) in [0, 1]; values outside are
        clipped, NaN is 0. Integer pixels, and floats above 2 (a 0..255 scale), are refused with
        the number to divide by: clipped to [0, 1], 0..255 became a black-and-white or white image.
      record: JSON-serialisable dict, the run record `read_record` reads back.
      fmt: "png", "png16" or "tiff"; None: the one `path`'s suffix names (.png: png, .tif or
        .tiff: tiff). Given, it is written whatever the suffix.

    Returns:
      `path` as a Path.

    Raises:
      InputError: no `fmt`, and `path` has no suffix or one naming another format (.jpg): a PNG
        was written under it.
    """
    fmt = choose_format(fmt, path)
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    path, x = Path(path), host_array(image, "save_image's image")
    if x.ndim != 3 or x.shape[-1] != 3 or 0 in x.shape:
        raise ValueError(f"save_image needs an (H, W, 3) image, got shape {x.shape}")
    check_pixels(x.dtype, "save_image's image")
    # 0..255 as floats were clipped to an almost white image; a little over 1 is only overshoot.
    if (top := np.max(x, where=np.isfinite(x), initial=0.0)) > 2.0:
        raise InputError(f"save_image's image has values up to {top:g}; give floats in [0, 1] (divide by 255)")
    if not isinstance(record, (dict, type(None))):  # written, but read_record refuses it
        raise TypeError(f"record must be a dict (a JSON object) or None, got {type(record).__name__}")
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
    with replacing(path, "image", overwrite=overwrite) as tmp, open(tmp, "xb") as f:  # 0666 less the umask
        write(f)
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
    desc, software = (text or "").encode("ascii") + b"\0", SOFTWARE
    data = pixels.astype("<u2").tobytes()
    # 3 x SHORT BitsPerSample, then the description, the Software tag (which marks the description
    # as jaxart's record), then the pixels
    bits_at, desc_at = 8, 14
    software_at = desc_at + len(desc)
    data_at = software_at + len(software)
    tags = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, 3, bits_at), (259, 3, 1, 1), (262, 3, 1, 2),
            (270, 2, len(desc), desc_at), (273, 4, 1, data_at), (277, 3, 1, 3), (278, 4, 1, h),
            (279, 4, 1, len(data)), (284, 3, 1, 1), (305, 2, len(software), software_at)]
    ifd_at = data_at + len(data) + (data_at + len(data)) % 2
    head = b"II*\0" + struct.pack("<I", ifd_at) + struct.pack("<3H", 16, 16, 16) + desc + software + data
    head += b"\0" * (ifd_at - len(head))
    ifd = struct.pack("<H", len(tags))
    for tag, kind, count, value in tags:
        packed = struct.pack("<H", value) + b"\0\0" if kind == 3 and count == 1 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    return head + ifd + struct.pack("<I", 0)


def written_format(path: str | os.PathLike) -> str:
    """The format jaxart wrote `path` in, by its first bytes: "tiff", "png16" (bit depth 16) or "png"."""
    with open(path, "rb") as f:
        head = f.read(25)
    if head[:4] in (b"II*\0", b"MM\0*"):
        return "tiff"
    return "png16" if head[:8] == b"\x89PNG\r\n\x1a\n" and head[24:25] == b"\x10" else "png"


def read_record(path: str | os.PathLike) -> dict:
    """The run record the image at `path` carries, a PNG (8- or 16-bit) or TIFF that `save_image` or
    `save_png` wrote; only the record is read, not the pixels.

    Returns:
      The record given to `save_image`, a dict of JSON values.

    Raises:
      InputError: the file is missing or unreadable, or holds no valid jaxart record.
    """
    check_path(as_path(path, "read_record's path", "the path of a PNG or TIFF jaxart wrote"), "image")
    if not Path(path).is_file():  # a FIFO or device would block Image.open
        why = "not a file" if Path(path).exists() else "no such file"
        raise InputError(f"{path} could not be read ({why}); give a PNG or TIFF jaxart wrote")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's (a large image, odd chunks, a cut TIFF): only the record is read
            with Image.open(path) as img:
                # A PNG's text chunks before its pixels (where jaxart writes the record) are read on open:
                # the pixels are not decoded, so a truncated image with its record whole still has one.
                text = img.info.get(RECORD_KEY) if img.format == "PNG" else None
                if not isinstance(text, str):
                    text = getattr(img, "text", {}).get(RECORD_KEY)  # a chunk after the pixels: decodes them
                if text is None and img.format == "TIFF":
                    text = _tiff_record(img.tag_v2)
                kind, animated = img.format, getattr(img, "is_animated", False)
    except Exception as e:  # noqa: BLE001 - any unreadable file is a bad input here
        raise InputError(f"{path} could not be read as an image ({describe(e, path)}); give a PNG or TIFF jaxart wrote") from None
    if text is None and kind in ("GIF", "WEBP") and not animated:  # a still image, from any program
        raise InputError(f"{path} has no jaxart run record: jaxart writes one into PNG and TIFF images, not {kind}; "
                         "give the image a run wrote (its --output)")
    if text is None and kind in ("GIF", "WEBP"):
        raise InputError(f"{path} is an animation ({kind}), which carries no run record; the image the run "
                         f"wrote (its --output, a PNG or TIFF) holds it: give that")
    if text is None:
        raise InputError(f"{path} has no jaxart run record; was it written by jaxart?")
    try:
        record = json.loads(text)
    except (ValueError, RecursionError) as e:  # RecursionError: nesting too deep to be a record
        raise InputError(f"{path} has a damaged jaxart run record ({e}); re-run to write a new one") from None
    if not isinstance(record, dict):
        raise InputError(f"{path} has a jaxart run record that is not a JSON object; re-run to write a new one")
    return record


def _tiff_record(tags) -> str | None:
    """A TIFF's ImageDescription if it is a jaxart record, else None: scanners, cameras and other
    programs write their own text or JSON there. jaxart's TIFFs say so in their Software tag;
    older ones (without it) have a JSON object naming the jaxart version."""
    text = tags.get(270)
    if not isinstance(text, str):
        return None
    if str(tags.get(305, "")).rstrip("\0") == SOFTWARE.rstrip(b"\0").decode():
        return text
    try:
        record = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return text if isinstance(record, dict) and RECORD_KEY in record else None

"""Writing results: 8-bit PNG, 16-bit PNG or 16-bit TIFF (`formats`), atomically, with the run record
embedded as JSON (`image_record.read_record` reads it back, `jaxart info`)."""

from __future__ import annotations

import json
import os
import struct
import sys
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, PngImagePlugin

from jaxart.arrays import check_pixels, host_array
from jaxart.errors import InputError, given
from jaxart.files import replacing
from jaxart.formats import FORMATS, choose_format
from jaxart.image_record import RECORD_KEY, SOFTWARE
from jaxart.paths import as_path

if TYPE_CHECKING:  # the CLI writes files without loading JAX
    from jax.typing import ArrayLike

# A PNG's sRGB chunk (rendering intent perceptual): its pixels are sRGB, read so (not as a viewer's or editor's working
# space) by what honours it; a photo's profile was converted to sRGB on reading (`modes.to_srgb`).
SRGB = b"\0"
# The fallback the PNG specification (11.3.3.5) recommends beside it (gAMA; cHRM optionally), for decoders without
# sRGB support: sRGB's gamma (1/2.2, as 45455) and primaries (cHRM: white, red, green, blue x and y, times 100000),
# as libpng's png_set_sRGB_gAMA_and_cHRM and ImageMagick write them; Pillow writes none of the three by itself.
GAMA = struct.pack(">I", 45455)
CHRM = struct.pack(">8I", 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000)
COLOUR_CHUNKS = ((b"sRGB", SRGB), (b"gAMA", GAMA), (b"cHRM", CHRM))


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Floats in [0, 1] to uint8 of the same shape, rounding and clipping; NaN becomes 0."""
    x = np.nan_to_num(np.asarray(image, np.float32), nan=0.0)
    return (np.clip(x, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def to_uint16(image: np.ndarray) -> np.ndarray:
    """Floats in [0, 1] to uint16 of the same shape, rounding and clipping; NaN becomes 0."""
    x = np.nan_to_num(np.asarray(image, np.float64), nan=0.0)
    return (np.clip(x, 0.0, 1.0) * 65535.0 + 0.5).astype(np.uint16)


def save_png(path: str | os.PathLike, image: ArrayLike, record: dict | None = None) -> Path:
    """Write an image as an 8-bit PNG atomically, with `record` as a JSON text chunk.

    The PNG is written to a temporary file beside `path` and renamed over it, so `path` is
    either the old file or the complete new one, and no temporary file is left on failure.

    Args:
      path: the PNG to write (replaced if it exists).
      image: an (H, W, 3) float array in [0, 1], or (H, W, 4) with alpha (`save_image`); values outside are
        clipped, integers refused.
      record: JSON-serialisable run record, read back by `read_record`.

    Returns:
      `path` as a Path.
    """
    return _save("save_png", path, image, record, "png")


def save_image(path: str | os.PathLike, image: ArrayLike, record: dict | None = None,
               fmt: str | None = None, *, overwrite: bool = True) -> Path:
    """Write an image atomically as `fmt` (see FORMATS), with `record` embedded as JSON.

    "png" is 8-bit with a text chunk; "png16" a 16-bit PNG with a text chunk; "tiff" an
    uncompressed 16-bit TIFF with the record in its ImageDescription tag. Pillow writes no
    16-bit RGB, so those two are encoded here; Pillow reads both (as 8-bit RGB). Without
    `overwrite`, a file that appeared at `path` since the caller checked is kept (`files.replacing`).

    Args:
      path: the file to write (replaced if it exists, unless `overwrite` is False).
      image: an (H, W, 3) float array (NumPy, JAX or nested lists) in [0, 1], or (H, W, 4) whose
        fourth band is alpha (a transparent photo's, `transparency`); values outside are
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
    return _save("save_image", path, image, record, fmt, overwrite)


def _save(name: str, path, image, record: dict | None, fmt: str | None, overwrite: bool = True) -> Path:
    """`save_image`, each refusal naming `name`, the public function called."""
    # Before choose_format, whose os.fspath said "expected str, bytes or os.PathLike object, not ndarray".
    swapped = isinstance(image, (str, os.PathLike))  # save_image(image, path), as torchvision's
    as_path(path, f"{name}'s path", "the file to write, such as 'out.png'",
            f"the path goes first: {name}(path, image)" if swapped else "")
    _untraced(image, name)
    fmt = choose_format(fmt, path)
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    path, x = Path(path), host_array(image, f"{name}'s image")
    if x.ndim != 3 or x.shape[-1] not in (3, 4) or 0 in x.shape:
        raise ValueError(f"{name} needs an (H, W, 3) image, or (H, W, 4) with alpha, got shape {x.shape}")
    check_pixels(x.dtype, f"{name}'s image")
    # 0..255 as floats were clipped to an almost white image; a little over 1 is only overshoot.
    if (top := np.max(x, where=np.isfinite(x), initial=0.0)) > 2.0:
        raise InputError(f"{name}'s image has values up to {top:g}; give floats in [0, 1] (divide by 255)")
    if not isinstance(record, (dict, type(None))):  # written, but read_record refuses it
        raise TypeError(f"record must be a dict (a JSON object) or None, got {given(record)}")
    text = None if record is None else json.dumps(record, sort_keys=True)  # ASCII: fits tEXt
    if fmt == "png":
        info = PngImagePlugin.PngInfo()
        for kind, data in COLOUR_CHUNKS:
            info.add(kind, data)
        info.add_text("Software", SOFTWARE.rstrip(b"\0").decode())
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


def _untraced(image, name: str) -> None:
    """Refuse traced pixels, which JAX's TracerArrayConversionError named as `__array__()` of a traced array."""
    jax = sys.modules.get("jax")  # no traced value exists before jax is imported; the command line writes without it
    if jax is not None and isinstance(image, jax.core.Tracer):
        raise TypeError(f"{name}'s image is traced: it writes concrete pixels, so call it outside jax.jit and "
                        "jax.vmap, on the image your jitted function returns")


def _png16(pixels: np.ndarray, text: str | None) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    h, w, bands = pixels.shape
    rows = np.concatenate([np.zeros((h, 1), np.uint8), pixels.astype(">u2").view(np.uint8).reshape(h, -1)], 1)
    kind = 6 if bands == 4 else 2  # RGBA, RGB
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, kind, 0, 0, 0))
    out += b"".join(chunk(k, data) for k, data in COLOUR_CHUNKS)
    out += chunk(b"tEXt", b"Software\0" + SOFTWARE.rstrip(b"\0"))
    if text is not None:
        out += chunk(b"tEXt", RECORD_KEY.encode() + b"\0" + text.encode("latin-1"))
    return out + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b"")


def _tiff16(pixels: np.ndarray, text: str | None) -> bytes:
    h, w, bands = pixels.shape
    desc, software = b"" if text is None else text.encode("ascii") + b"\0", SOFTWARE
    data = pixels.astype("<u2").tobytes()
    # a SHORT BitsPerSample a band, then the description, the Software tag (which marks the description
    # as jaxart's record), then the pixels
    bits_at, desc_at = 8, 8 + 2 * bands
    software_at = desc_at + len(desc)
    data_at = software_at + len(software)
    tags = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, bands, bits_at), (259, 3, 1, 1), (262, 3, 1, 2),
            (270, 2, len(desc), desc_at), (273, 4, 1, data_at), (277, 3, 1, bands), (278, 4, 1, h),
            (279, 4, 1, len(data)), (284, 3, 1, 1), (305, 2, len(software), software_at)]
    tags += [(338, 3, 1, 2)] if bands == 4 else []  # ExtraSamples: unassociated alpha
    tags = [t for t in tags if t[0] != 270 or desc]  # no record, no description (a count of 0 is no tag)
    ifd_at = data_at + len(data) + (data_at + len(data)) % 2
    head = b"II*\0" + struct.pack("<I", ifd_at) + struct.pack(f"<{bands}H", *[16] * bands) + desc + software + data
    head += b"\0" * (ifd_at - len(head))
    ifd = struct.pack("<H", len(tags))
    for tag, kind, count, value in tags:
        packed = struct.pack("<H", value) + b"\0\0" if kind == 3 and count == 1 else struct.pack("<I", value)
        if kind == 2 and count <= 4:  # TIFF keeps text this short in the entry: an offset there read as a record "\x0e"
            packed = {270: desc, 305: software}[tag].ljust(4, b"\0")
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    return head + ifd + struct.pack("<I", 0)


def written_format(path: str | os.PathLike) -> str:
    """The format jaxart wrote `path` in, by its first bytes: "tiff", "png16" (bit depth 16) or "png"."""
    with open(path, "rb") as f:
        head = f.read(25)
    if head[:4] in (b"II*\0", b"MM\0*"):
        return "tiff"
    return "png16" if head[:8] == b"\x89PNG\r\n\x1a\n" and head[24:25] == b"\x10" else "png"

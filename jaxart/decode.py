"""Decoding one image file with Pillow: opened, checked, oriented and converted to (s)RGB, 8-bit or float from
16-bit samples (`deep_samples`). Every problem with the file is an `InputError` whose message is one line saying
what is wrong and what to do. Resizing it, and the reader's front door, are `jaxart.image`."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import EpsImagePlugin, Image, ImageOps, UnidentifiedImageError

from jaxart import c_stderr, deep_samples, jpeg_cut, jpeg_end, jpeg_header, modes, pixel_limit, sniff
from jaxart.errors import InputError, describe
from jaxart.paths import check_path, empty, missing

MIN_SIDE = 2  # one pixel has no texture to match, and VGG's pooling needs something to pool


def decode(p: Path, background: tuple[int, int, int], to_srgb: bool = True,
            least: pixel_limit.Least = None) -> Image.Image | np.ndarray:
    """Open, decode, orient and convert one file to (s)RGB: 8-bit, or float in [0, 1] from 16-bit samples
    (`deep_samples`); or raise a one-line InputError."""
    with warnings.catch_warnings(), c_stderr.silenced():  # and libtiff's own lines, as Pillow's warnings
        # Pillow warns of damage it works around, such as a corrupt EXIF block (the orientation
        # is then not applied): the image is usable, and a raw warning breaks the one-line rule.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's, on the samples of a damaged file
        # Pillow only warns between 1x and 2x its pixel limit; either way it is not a photo.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return _decode_quietly(p, background, to_srgb, least)


def _decode_quietly(p: Path, background: tuple[int, int, int], to_srgb: bool,
                    least: pixel_limit.Least) -> Image.Image | np.ndarray:
    check_path(p, "image")
    if not p.exists():
        raise InputError(missing(p))
    if p.is_dir():
        raise InputError(f"{p} is a folder, not an image; give the path of an image file")
    if not p.is_file():  # a FIFO or device would block or stream forever
        raise InputError(f"{p} is not a regular file; give the path of an image file")
    if why := empty(p):
        raise InputError(why)
    try:
        if why := jpeg_header.overclaimed(p):  # else decoded as grey where its data ran out, at any cost in memory
            raise InputError(f"{p} is a JPEG whose header {why}: the header is damaged or forged (a decompression "
                             "bomb); re-export or re-download it")
        img = _first_frame(p, least)
    except PermissionError as e:
        raise InputError(f"{p} cannot be read ({e.strerror}); check its permissions") from None
    except UnidentifiedImageError:
        if why := sniff.what(p):  # a HEIC photo was told "not in an image format Pillow can read", not what to do
            raise InputError(f"{p} {why}") from None
        raise InputError(f"{p} is not in an image format Pillow can read; convert it to PNG or JPEG") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(pixel_limit.bomb(p)) from None
    except MemoryError:
        raise InputError(f"{p} is too large to decode in the memory available; save a smaller copy") from None
    except InputError:  # `pixel_limit.bound`'s own line: the file is whole, only too large to decode here
        raise
    except Exception as e:  # noqa: BLE001 - format plugins raise OSError, SyntaxError, struct.error, ...
        if why := sniff.what(p, opened=True):  # a variant Pillow cannot decode, such as a ZIP-compressed PSD
            raise InputError(f"{p} {why}") from None
        raise InputError(f"{p} {sniff.truncated(describe(e))}") from None
    if isinstance(img, np.ndarray):  # 16-bit colour
        img = deep_samples.composited(img, background)
    h, w = (img.height, img.width) if isinstance(img, Image.Image) else img.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise InputError(f"{p} is {w}x{h} pixels; use an image at least {MIN_SIDE}x{MIN_SIDE}")
    if isinstance(img, np.ndarray):
        return img
    if img.mode == "F" and not (finite := np.isfinite(np.asarray(img))).all():
        # Read as black, a NaN photo ran to a black result and exited 0.
        raise InputError(f"{p} has NaN or infinite pixels ({finite.size - np.count_nonzero(finite)} of {finite.size}); "
                         "re-export it with finite values")
    try:
        img = modes.to_srgb(img) if to_srgb else img
        deep = deep_samples.grey(img)
        return modes.to_rgb(img, background) if deep is None else deep
    except (ValueError, OSError) as e:  # modes Pillow cannot convert, such as LAB
        raise InputError(
            f"{p} has {img.mode} pixels, which cannot be converted to RGB ({describe(e)}); "
            "save it as an 8-bit RGB PNG or JPEG"
        ) from None


def _first_frame(p: Path, least: pixel_limit.Least) -> Image.Image | np.ndarray:
    """The first frame, decoded and oriented; one over Pillow's pixel limit as `pixel_limit.bound` allows; a JPEG
    whole but for its end marker (`jpeg_end`) as it would be with it."""
    if (whole := jpeg_end.completed(p)) is not None:
        with whole:
            return _oriented(whole, p)
    return _frame(p, least)


def _frame(p: Path, least: pixel_limit.Least) -> Image.Image | np.ndarray:
    limit = Image.MAX_IMAGE_PIXELS
    try:
        with Image.open(p) as opened:
            if opened.format == "EPS" and not EpsImagePlugin.has_ghostscript():  # else "damaged or truncated"
                raise InputError(f"{p} is an EPS file, which Pillow reads through Ghostscript, not installed here; "
                                 "install Ghostscript (gs) or export it as PNG or JPEG")
            if opened.format == "TIFF" and (why := sniff.preview(opened, p)):  # a DNG's preview was stylized
                raise InputError(f"{p} {why}")
            if why := jpeg_cut.cut(opened, p):  # before a turned copy of the image is made beside its second decode
                raise InputError(f"{p} {sniff.truncated(why)}")
            return _oriented(opened, p)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        with pixel_limit.lifted(), Image.open(p) as opened:
            if limit is None or opened.width * opened.height <= limit:  # a frame or tile over it: a bomb
                raise
            pixel_limit.bound(opened, p, least, limit)
            return _oriented(opened, p)


def _oriented(opened: Image.Image, p: Path) -> Image.Image | np.ndarray:
    if opened.info.get("default_image") and opened.n_frames > 1:  # an APNG's fallback, which APNG viewers never show
        opened.seek(1)
    raw = modes.rawmode(opened)
    img = modes.in_type_range(ImageOps.exif_transpose(opened), raw)  # decodes the first frame
    if (deep := deep_samples.colour(opened, img, p, raw)) is not None:
        return deep
    if opened.format == "PNG":  # a 16-bit one's colour key, of other samples than Pillow decodes
        img = modes.png_key_in_8_bits(img, modes.png_depth(p))
    return img

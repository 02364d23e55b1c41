"""What a file's first bytes say it is, for the message about a file Pillow could not identify: the format of a
damaged header (`signed`), or one Pillow does not read (`unread`), named so that its owner knows what to do."""

from __future__ import annotations

import struct
from pathlib import Path

_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF87a": "GIF", b"GIF89a": "GIF",
               b"II*\0": "TIFF", b"MM\0*": "TIFF"}
# ISO base media brands of HEIF, the iPhone's default photo format (HEVC-coded: heic, heix, ...; any codec: mif1,
# msf1). AVIF is HEIF too, with mif1 among its brands, and Pillow reads it: its avif/avis brands exclude it.
_HEIF = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
_AVIF = {b"avif", b"avis"}
_JXL = (b"\xff\x0a", b"\0\0\0\x0cJXL \r\n\x87\n")  # a bare codestream, and the ISO container


def _head(p: Path, n: int = 256) -> bytes:
    with open(p, "rb") as f:
        return f.read(n)


def signed(p: Path) -> str | None:
    """The image format whose signature `p` starts with, if any (a WebP's is RIFF, its size, WEBP)."""
    head = _head(p, 12)
    if head[:4] == b"RIFF" and head[8:] == b"WEBP":
        return "WebP"
    return next((kind for sig, kind in _SIGNATURES.items() if head.startswith(sig)), None)


def _brands(head: bytes) -> set[bytes]:
    """The major and compatible brands of the ftyp box `head` starts with; none if it starts with another."""
    if head[4:8] != b"ftyp":
        return set()
    end = min(struct.unpack(">I", head[:4])[0], len(head))
    return {head[8:12], *(head[i:i + 4] for i in range(16, end - 3, 4))}


def unread(p: Path) -> str | None:
    """What follows `p` in a one-line message when `p` is in a format, or a variant of one, that Pillow does not read
    (HEIC, JPEG XL, a 16-bit PSD, a PSB); None for other files."""
    head = _head(p)
    brands = _brands(head)
    if brands & _HEIF and not brands & _AVIF:
        return ("is a HEIC (HEIF) photo, an iPhone's default format, which Pillow cannot read; export it as JPEG (an "
                "iPhone takes JPEGs with Settings > Camera > Formats > Most Compatible)")
    if head.startswith(_JXL):
        return "is a JPEG XL image, which Pillow cannot read; export it as PNG or JPEG"
    if head[:4] == b"8BPS" and len(head) >= 26:
        version, bits = struct.unpack(">H", head[4:6])[0], struct.unpack(">H", head[22:24])[0]
        if version == 2:
            return ("is a PSB (Photoshop Large Document), which Pillow cannot read; save it as a PSD of 8 bits a "
                    "channel, or export it as PNG")
        if bits not in (1, 8):
            return (f"is a {bits}-bit PSD, which Pillow cannot read (it reads 8-bit ones); in Photoshop choose "
                    "Image > Mode > 8 Bits/Channel and save it, or export it as PNG")
    return None

"""JPEGs whose only fault is a missing end-of-image marker (FFD9), as cameras, phones and interrupted saves leave
them and every viewer shows them. Pillow calls them truncated, as it does a file cut in its pixels; `completed`
tells the two apart without touching Pillow's global `LOAD_TRUNCATED_IMAGES`.

A file is whole but for its end when its marker segments hold every scan its frame needs, and the last scan's
data is whole. The data is what a decode shows: where it ran out, libjpeg fills the missing bits with zeros, so
the pixels change when other bytes take their place; where it did not, those bytes are never decoded.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
from PIL import Image

EOI = b"\xff\xd9"
_FILLER = bytes(b % 255 for b in hashlib.sha512(b"jaxart").digest() * 4)  # no 0xFF: coded data, never a marker
_FRAMES = {0xC0, 0xC1, 0xC2}  # baseline, extended and progressive Huffman: what Pillow's libjpeg decodes


def completed(path: Path) -> bytes | None:
    """The JPEG at `path` with its end marker put back, if that is all it lacks; else None (cut in its data or
    headers, another format, or over Pillow's pixel limit, which this decode keeps)."""
    data = Path(path).read_bytes()
    if not data.startswith(b"\xff\xd8") or data.endswith(EOI) or not _every_scan(data):
        return None
    stuffed = b"\x00" if data.endswith(b"\xff") else b""  # a cut 0xFF 0x00 pair: the filler after its 0x00
    try:
        whole = np.array_equal(_pixels(data + EOI), _pixels(data + stuffed + _FILLER + EOI))
    except Exception:  # noqa: BLE001 - undecodable either way: the caller's refusal stands
        return None
    return data + EOI if whole else None


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as opened:
        return np.asarray(opened)


def _every_scan(data: bytes) -> bool:
    """Whether `data`, a JPEG without its end marker, ends in the data of a scan, after scans that give every
    coefficient of every component of its frame (a progressive one's to full precision, its last bit scans)."""
    i, bits = 2, None  # bits[component][k]: the lowest bit position coded of coefficient k (0: all coded)
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return False
        marker = data[i + 1]
        if marker == 0xFF:  # a fill byte before the marker
            i += 1
            continue
        if marker == 0xD9 or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            return False
        end = i + 2 + int.from_bytes(data[i + 2:i + 4], "big")
        segment, i = data[i + 4:end], end
        if end > len(data):  # cut in a header
            return False
        if marker in _FRAMES and len(segment) >= 6:
            bits = {segment[6 + 3 * j]: [64] * 64 for j in range(segment[5]) if 8 + 3 * j < len(segment)}
        elif marker == 0xDA:
            if bits is None or not segment or len(segment) < 4 + 2 * segment[0]:
                return False
            n = segment[0]
            first, last, low = segment[1 + 2 * n], segment[2 + 2 * n], segment[3 + 2 * n] & 15
            for c in segment[1:1 + 2 * n:2]:
                if c not in bits:
                    return False
                bits[c][first:last + 1] = [min(b, low) for b in bits[c][first:last + 1]]
            while (i := data.find(b"\xff", i)) != -1 and i + 1 < len(data) and (
                    data[i + 1] == 0 or 0xD0 <= data[i + 1] <= 0xD7):  # stuffed 0xFF and restart markers
                i += 2
            if i == -1 or i + 1 >= len(data):  # the file ends in this scan's data
                return all(b == 0 for coded in bits.values() for b in coded)
    return False

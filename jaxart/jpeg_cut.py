"""JPEGs cut short in their last scan's data with the end-of-image marker (FFD9) put back after the cut, as repair
and recovery tools leave them. libjpeg reads the missing bits as zeros, warns (a warning Pillow never passes on)
and goes on: a sequential file loads with a grey bottom, a progressive one with a smeared one, and a run went on.

A scan is cut where it holds fewer restart markers than its blocks need, or where its data decodes differently
with filler after it: a whole scan's last code ends in its data, so bytes put between the data and the marker are
never decoded (libjpeg skips them as extraneous); a cut scan's decoder reads them in place of the zeros. That
second decode is made only where a cut may hide, so a whole sequential file costs a walk of its markers: every
progressive file (a cut in its last scan leaves no sign in the pixels), and a sequential one whose last block
decoded flat mid-grey, what zeros give, whose scans leave a component uncoded, or whose last scan codes no luma (a
non-interleaved file's chroma scan, whose cut takes the colour, not the grey). Not judged: arithmetic coding,
whose decoder reads zeros past its data by design; a cut exactly between two scans of a progressive file (its
scans whole, the picture at the precision they give, as a low-quality preview is made on purpose); a picture
over Pillow's pixel limit, decoded at reduced scale.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, JpegImagePlugin

from jaxart import jpeg_header
from jaxart.jpeg_end import FILLER, same

_DRI = 0xDD
_RESTARTS = tuple(bytes((0xFF, m)) for m in range(0xD0, 0xD8))
_GREY = 2  # how far from 128 a flat block's luma may read after YCbCr -> RGB rounding and upsampled chroma


class LastScan(NamedTuple):
    """The frame, where its last scan's data ends (before the end marker), whether the scans code every
    coefficient, whether that scan holds fewer restart markers than its blocks need, and whether it codes the
    frame's first component (luma)."""
    frame: jpeg_header.Frame
    end: int
    every: bool
    short: bool
    luma: bool


def cut(opened: Image.Image, path: Path) -> bool:
    """Whether `opened`, the image Pillow opened from `path` (decoded here where it is a JPEG, at full scale), is a
    JPEG whose last scan was cut short with its end marker after the cut; False for another format and wherever
    it cannot tell."""
    if opened.format not in ("JPEG", "MPO"):
        return False
    opened.load()
    data = Path(path).read_bytes()
    if (last := last_scan(data)) is None:
        return False
    if last.short:
        return True
    sequential = last.frame.marker != jpeg_header.PROGRESSIVE
    if sequential and last.every and last.luma and not _grey_corner(opened, last.frame):
        return False
    try:  # the plain JPEG decoder: an MPO's index of its other pictures would point past them with the filler in
        with JpegImagePlugin.JpegImageFile(io.BytesIO(data[:last.end] + FILLER + data[last.end:])) as filled:
            filled.load()
            return (filled.mode, filled.size) == (opened.mode, opened.size) and not same(opened, filled)
    except Exception:  # noqa: BLE001 - undecodable with the filler: no sign of a cut
        return False


def last_scan(data: bytes) -> LastScan | None:
    """The last scan before the first end marker of the JPEG `data`; None where it has no Huffman-coded frame, a
    scan that frame cannot hold, or no end marker after a scan."""
    frame = bits = found = None
    interval, start = 0, 2
    for marker, body, offset in jpeg_header.segments(data):
        if marker == jpeg_header.EOI:
            return found and found._replace(every=jpeg_header.all_coded(bits))
        if marker == _DRI and body is not None and len(body) >= 2:
            interval = int.from_bytes(body[:2], "big")
        elif body is not None and (header := jpeg_header.parse_frame(marker, body)):
            if header.marker not in jpeg_header.HUFFMAN:
                return None
            frame, bits = header, jpeg_header.uncoded(header)
        elif marker == jpeg_header.SOS:
            if not jpeg_header.code(bits, body):
                return None
            scanned = body[1:1 + 2 * body[0]:2]
            needed = interval and (units := _units(frame, scanned)) and math.ceil(units / interval) - 1
            markers = sum(data.count(m, start, offset) for m in _RESTARTS) if needed else 0
            found = LastScan(frame, offset, False, markers < needed, frame.components[0][0] in scanned)
        start = offset
    return None


def _units(frame: jpeg_header.Frame, scanned: bytes) -> int:
    """How many restart units (MCUs; blocks where the scan holds one component) a scan of components `scanned`
    codes; 0 where the frame's height is left to a DNL marker."""
    most_h, most_v = max(c[1] for c in frame.components) or 1, max(c[2] for c in frame.components) or 1
    if len(scanned) > 1:
        return math.ceil(frame.width / (8 * most_h)) * math.ceil(frame.height / (8 * most_v))
    h, v = next(((h, v) for c, h, v in frame.components if c == scanned[0]), (most_h, most_v))
    return math.ceil(math.ceil(frame.width * h / most_h) / 8) * math.ceil(math.ceil(frame.height * v / most_v) / 8)


def _grey_corner(opened: Image.Image, frame: jpeg_header.Frame) -> bool:
    """Whether the last block of the frame's first component (luma) decoded flat mid-grey: where a sequential
    scan's data ran out, libjpeg leaves every coefficient 0, which is 128 in each component. True where the
    file's mode or sampling keeps luma from being read so."""
    _, h, v = frame.components[0]
    if opened.mode not in ("L", "RGB") or (h, v) != (max(c[1] for c in frame.components),
                                                     max(c[2] for c in frame.components)):
        return True
    box = ((opened.width - 1) // 8 * 8, (opened.height - 1) // 8 * 8, opened.width, opened.height)
    corner = np.asarray(opened.crop(box), dtype=np.float32)
    luma = corner if corner.ndim == 2 else corner @ np.array([0.299, 0.587, 0.114], np.float32)
    return bool(np.all(np.abs(luma - 128) <= _GREY))

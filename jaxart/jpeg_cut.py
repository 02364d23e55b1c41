"""JPEGs cut short with the end-of-image marker (FFD9) put back after the cut, as repair and recovery tools leave
them. libjpeg reads the missing bits as zeros, or the missing scans as nothing, warns of neither (its end-of-file
warning is for a file without FFD9) and goes on: a sequential file loads with a grey bottom, a progressive one
smeared, or blurred and off-colour where whole scans are missing, and a run went on.

A progressive file is cut where its scans leave any coefficient of any component short of full precision (Al 0);
a sequential one where they leave a component in no scan. T.81 does not ask a progressive file to code everything
(libjpeg's encoder checks only that each component's DC is sent), but every encoder's script does: libjpeg's and
libjpeg-turbo's `jpeg_simple_progression` (Pillow's `progressive=True`), mozjpeg's and the scans its search picks.
A hand-written script that stops early (`cjpeg -scans`) is refused too: its bytes are those of a fuller script's
file cut after the same scans, so no rule can keep the one and refuse the other.

A scan is cut where it holds fewer restart markers than its blocks need, or where its data decodes differently
with filler after it: a whole scan's last code ends in its data, so bytes put between the data and the marker are
never decoded (libjpeg skips them as extraneous); a cut scan's decoder reads them in place of the zeros. That
second decode is made only where a cut may hide, so a whole sequential file costs a walk of its markers: every
progressive file (a cut in its last scan leaves no sign in the pixels), and a sequential one whose last block
decoded flat mid-grey, what zeros give, or whose last scan codes no luma (a non-interleaved file's chroma scan,
whose cut takes the colour, not the grey). Not judged: a sequential file cut in its last MCU's codes, whose decode
is not grey (at most that MCU differs, and the pixels beside it its chroma blends into; telling would take a
Huffman decode of the whole scan, or the second decode for every sequential file); arithmetic coding, whose decoder
reads zeros past its data by design; a picture over Pillow's pixel limit, decoded at reduced scale.
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
SHORT = "a JPEG whose pixel data is cut short before its end marker, so its bottom would load grey or smeared"
UNCODED = ("a JPEG whose scans stop before all of its detail and colour are coded, as where it was cut short and its "
           "end marker put back, so it would load blurred, smeared or off-colour")


class LastScan(NamedTuple):
    """The frame, where its last scan's data ends (before the end marker), whether the scans code every
    coefficient to full precision, whether that scan holds fewer restart markers than its blocks need, whether it
    codes the frame's first component (luma), and whether the scans leave a component out."""
    frame: jpeg_header.Frame
    end: int
    every: bool
    short: bool
    luma: bool
    unscanned: bool = False


def cut(opened: Image.Image, path: Path) -> str | None:
    """How `opened`, the image Pillow opened from `path` (decoded here where it is a JPEG, at full scale), is a JPEG
    cut short with its end marker after the cut (`SHORT` or `UNCODED`); None for another format and wherever it
    cannot tell."""
    if opened.format not in ("JPEG", "MPO"):
        return None
    opened.load()
    data = Path(path).read_bytes()
    if (last := last_scan(data)) is None:
        return None
    sequential = last.frame.marker != jpeg_header.PROGRESSIVE
    if last.unscanned or not (sequential or last.every):
        return UNCODED
    if last.short:
        return SHORT
    if sequential and last.every and last.luma and not _grey_corner(opened, last.frame):
        return None
    try:  # the plain JPEG decoder: an MPO's index of its other pictures would point past them with the filler in
        with JpegImagePlugin.JpegImageFile(io.BytesIO(data[:last.end] + FILLER + data[last.end:])) as filled:
            filled.load()
            differs = (filled.mode, filled.size) == (opened.mode, opened.size) and not same(opened, filled)
            return SHORT if differs else None
    except Exception:  # noqa: BLE001 - undecodable with the filler: no sign of a cut
        return None


def last_scan(data: bytes) -> LastScan | None:
    """The last scan before the first end marker of the JPEG `data`; None where it has no Huffman-coded frame, a
    scan that frame cannot hold, or no end marker after a scan."""
    frame = bits = found = None
    interval, start, scanned_all = 0, 2, set()
    for marker, body, offset in jpeg_header.segments(data):
        if marker == jpeg_header.EOI:
            return found and found._replace(every=jpeg_header.all_coded(bits),
                                            unscanned=any(c not in scanned_all for c, _, _ in frame.components))
        if marker == _DRI and body is not None and len(body) >= 2:
            interval = int.from_bytes(body[:2], "big")
        elif body is not None and (header := jpeg_header.parse_frame(marker, body)):
            if header.marker not in jpeg_header.HUFFMAN:
                return None
            frame, bits, scanned_all = header, jpeg_header.uncoded(header), set()
        elif marker == jpeg_header.SOS:
            if not jpeg_header.code(bits, body):
                return None
            scanned = body[1:1 + 2 * body[0]:2]
            scanned_all.update(scanned)
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

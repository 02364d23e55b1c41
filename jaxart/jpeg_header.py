"""What a JPEG's header says: its marker segments (`segments`, which jpeg_end and jpeg_cut walk too), its frame
(`frame`), what its scans code (`uncoded`, `code`, `all_coded`); and whether its bytes can hold the pixels it claims
(`overclaimed`).

A damaged header, or a forged one (a decompression bomb of a few hundred bytes saying 65000x65000), claims more
pixels than the file's bytes can code. libjpeg decodes such a file without complaint, padding the missing data with
grey, so Pillow read one of 633 bytes as an 8125x8125 grey picture (1/8 scale, `pixel_limit`; 24 s and 2 GiB peak
for `load_image(p)`, 4 s and 540 MiB for `load_image(p, 32)`), and a run went on with it.

A Huffman-coded JPEG (baseline, extended or progressive: SOF0-2, what libjpeg decodes) codes each 8x8 block of each
component with at least one bit, its DC coefficient's: so `8 * bytes >= blocks` of any one component. Arithmetic
coding (SOF9-11) has no such floor and is not judged. Only the header is read. Pillow's own header (`Image.open`)
cannot stand in for `frame`: it keeps no SOF marker (`info["progressive"]` is set for SOF2 and SOF10 alike, and
SOF9 reads as SOF0), and it refuses the bomb on its size before the file's length can say it is one.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from jaxart.byte_sizes import amount

HUFFMAN = frozenset({0xC0, 0xC1, 0xC2})  # baseline, extended and progressive Huffman: what Pillow's libjpeg decodes
PROGRESSIVE, SOS, EOI = 0xC2, 0xDA, 0xD9
_STANDALONE = frozenset({0x01, *range(0xD0, 0xDA)})  # markers without a length: TEM, RST0-7, SOI, EOI
_NOT_FRAMES = frozenset({0xC4, 0xC8, 0xCC})  # DHT, JPG, DAC: among the SOFn codes, but no frame
_READ = 1 << 16  # a header's first read; most hold their frame in it, the rest are read on in doublings


class Frame(NamedTuple):
    """A frame header (SOFn): its marker, size, and each component's (id, horizontal, vertical sampling factor)."""
    marker: int
    width: int
    height: int
    components: tuple[tuple[int, int, int], ...]


def segments(data: bytes) -> Iterator[tuple[int, bytes | None, int]]:
    """Each marker after the start of the JPEG `data`, as (marker, its segment's body, the offset just past it): the
    body None for a marker without one (RSTn, EOI, ...); a scan's (SOS) offset is past its coded data, `len(data)`
    where the data ends in it. Fill bytes are skipped; the walk stops at the end, where a marker should be and is
    not, and at a segment cut short (not given)."""
    i = 2
    while i + 1 < len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xFF:  # a fill byte before the marker
            i += 1
            continue
        if marker in _STANDALONE:
            i += 2
            yield marker, None, i
            continue
        end = i + 2 + int.from_bytes(data[i + 2:i + 4], "big")
        if i + 4 > len(data) or end > len(data):  # cut in a header
            return
        body, i = data[i + 4:end], end
        if marker == SOS:
            while (i := data.find(b"\xff", i)) != -1 and i + 1 < len(data) and (
                    data[i + 1] == 0 or 0xD0 <= data[i + 1] <= 0xD7):  # stuffed 0xFF and restart markers
                i += 2
            i = len(data) if i == -1 or i + 1 >= len(data) else i
        yield marker, body, i


def parse_frame(marker: int, body: bytes) -> Frame | None:
    """The frame a segment of `marker` with `body` gives, or None where it is no frame header or a broken one."""
    if not _is_frame(marker) or len(body) < 6:
        return None
    n = body[5]
    if n == 0 or len(body) < 6 + 3 * n:
        return None
    components = tuple((body[6 + 3 * i], body[7 + 3 * i] >> 4, body[7 + 3 * i] & 15) for i in range(n))
    return Frame(marker, int.from_bytes(body[3:5], "big"), int.from_bytes(body[1:3], "big"), components)


def uncoded(frame: Frame) -> dict[int, list[int]]:
    """What the frame's scans are yet to code: bits[component][k], the lowest bit position of coefficient k coded so
    far (64: none; 0: all of it), for `code` to lower scan by scan."""
    return {c: [64] * 64 for c, _, _ in frame.components}


def code(bits: dict[int, list[int]] | None, body: bytes) -> bool:
    """Marks in `bits` (from `uncoded`) what the scan whose header is `body` codes; False where it is no scan of
    that frame."""
    if bits is None or not body or len(body) < 4 + 2 * body[0]:
        return False
    n = body[0]
    first, last, low = body[1 + 2 * n], body[2 + 2 * n], body[3 + 2 * n] & 15
    for c in body[1:1 + 2 * n:2]:
        if c not in bits:
            return False
        bits[c][first:last + 1] = [min(b, low) for b in bits[c][first:last + 1]]
    return True


def all_coded(bits: dict[int, list[int]]) -> bool:
    """Whether the scans `code` marked gave every coefficient of every component to full precision."""
    return all(b == 0 for coded in bits.values() for b in coded)


def _is_frame(marker: int) -> bool:
    return 0xC0 <= marker <= 0xCF and marker not in _NOT_FRAMES


def frame(path: str | os.PathLike) -> Frame | None:
    """The frame header of the JPEG at `path`, reading no more than its header; None if it is no JPEG or its header
    ends or breaks before its frame."""
    with open(path, "rb") as f:
        data = f.read(_READ)
        while data.startswith(b"\xff\xd8"):
            end = 2
            for marker, body, end in segments(data):
                if marker in (0xD8, 0xD9, SOS):  # a scan or the end before any frame
                    return None
                if body is not None and _is_frame(marker):
                    return parse_frame(marker, body)  # None where broken
            if end < len(data) and data[end] != 0xFF or not (more := f.read(len(data))):
                return None  # no marker where one should be, or the file ends
            data += more  # the walk stopped at the end of what was read: read on
    return None


def overclaimed(path: str | os.PathLike) -> str | None:
    """Why the JPEG at `path` cannot hold the pixels its header claims ("says 65000x65000 pixels, which take at
    least 8.3 MB, but it is 700 bytes"), or None where it can, or is no Huffman-coded JPEG whose frame says so."""
    found = frame(path)
    if found is None or found.marker not in HUFFMAN or 0 in (found.width, found.height):  # height 0: DNL gives it
        return None
    w, h, sampling = found.width, found.height, [(sh, sv) for _, sh, sv in found.components]
    most = max(s[0] for s in sampling) or 1, max(s[1] for s in sampling) or 1
    blocks = max(math.ceil(math.ceil(w * sh / most[0]) / 8) * math.ceil(math.ceil(h * sv / most[1]) / 8)
                 for sh, sv in sampling)
    need, have = math.ceil(blocks / 8), Path(path).stat().st_size
    if have >= need:
        return None
    return f"says {w}x{h} pixels, which take at least {amount(need)}, but it is {amount(have)}"

"""JPEGs whose header claims more pixels than their bytes can code: a damaged header, or a forged one (a
decompression bomb of a few hundred bytes saying 65000x65000). libjpeg decodes such a file without complaint,
padding the missing data with grey, so Pillow read one of 633 bytes as an 8125x8125 grey picture (1/8 scale,
`pixel_limit`; 24 s and 2 GiB peak for `load_image(p)`, 4 s and 540 MiB for `load_image(p, 32)`), and a run went on
with it.

A Huffman-coded JPEG (baseline, extended or progressive: SOF0-2, what libjpeg decodes) codes each 8x8 block of each
component with at least one bit, its DC coefficient's: so `8 * bytes >= blocks` of any one component. Arithmetic
coding (SOF9-11) has no such floor and is not judged. Only the header is read.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

_HUFFMAN = frozenset({0xC0, 0xC1, 0xC2})
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # markers without a length: TEM, RST0-7


def frame(path: str | os.PathLike) -> tuple[int, int, int, list[tuple[int, int]]] | None:
    """(SOF marker, width, height, each component's (horizontal, vertical) sampling factors) of the JPEG at `path`,
    from its header; None if it is no JPEG or its header ends or breaks before its frame."""
    with open(path, "rb") as f:
        if f.read(2) != b"\xff\xd8":
            return None
        while len(head := f.read(2)) == 2 and head[0] == 0xFF:
            marker = head[1]
            if marker == 0xFF:  # a fill byte
                f.seek(-1, os.SEEK_CUR)
                continue
            if marker in _STANDALONE:
                continue
            length = f.read(2)
            if len(length) < 2 or marker in (0xD8, 0xD9, 0xDA):  # a scan or the end before any frame
                return None
            body = int.from_bytes(length, "big") - 2
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                data = f.read(body)
                if len(data) < 6 or len(data) < 6 + 3 * data[5] or data[5] == 0:
                    return None
                sampling = [(data[7 + 3 * i] >> 4, data[7 + 3 * i] & 15) for i in range(data[5])]
                return marker, int.from_bytes(data[3:5], "big"), int.from_bytes(data[1:3], "big"), sampling
            f.seek(body, os.SEEK_CUR)
    return None


def overclaimed(path: str | os.PathLike) -> str | None:
    """Why the JPEG at `path` cannot hold the pixels its header claims ("says 65000x65000 pixels, which take at
    least 8.3 MB, but it is 700 bytes"), or None where it can, or is no Huffman-coded JPEG whose frame says so."""
    found = frame(path)
    if found is None or found[0] not in _HUFFMAN or 0 in found[1:3]:  # height 0: a DNL marker gives it later
        return None
    _, w, h, sampling = found
    most = max(s[0] for s in sampling) or 1, max(s[1] for s in sampling) or 1
    blocks = max(math.ceil(math.ceil(w * sh / most[0]) / 8) * math.ceil(math.ceil(h * sv / most[1]) / 8)
                 for sh, sv in sampling)
    need, have = math.ceil(blocks / 8), Path(path).stat().st_size
    if have >= need:
        return None
    return f"says {w}x{h} pixels, which take at least {_amount(need)}, but it is {_amount(have)}"


def _amount(n: int) -> str:
    return f"{n} bytes" if n < 10_000 else f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"
